//! What the sentence model sees of one piece of an answer: features that
//! carry over between voices and topics, each a name the model file weighs.
//!
//! - grammar: tense and verb form (past, irregular past, present, future,
//!   conditional, progressive), the grammatical person of the actor, and
//!   combinations such as "I + past" (told as done) or "I + conditional"
//!   (told as a plan);
//! - word classes: decision, change, goal, reflection, people, checking,
//!   design and failure words, time and place expressions;
//! - numbers with units, "from … to …", questions;
//! - where the piece sits in the answer and how long it is;
//! - the cue file's step phrases, as one feature among many;
//! - the stems of the piece's words (`s:`), adjacent word pairs (`b:`) and
//!   its first word (`start:`).
//!
//! The word classes are grammar, not a cue list to grow: they describe
//! English verb forms and function words, and the model learns from labelled
//! pieces how much each matters. Changing what a feature means requires
//! bumping [`FEATURE_SET`](crate::guide::sentences::FEATURE_SET) and
//! retraining (`interview-coach train-sentences`).

use super::segment::Segment;
use crate::coach::feedback::analyse::Scan;
use crate::coach::feedback::cues::{flag, Target};
use crate::guide::words::Kind;

/// One feature of a piece.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Feat<'a> {
    Named(&'static str),
    /// The stem of a word of the piece (`s:<stem>` in the model file).
    Stem(std::borrow::Cow<'a, str>),
    /// The piece's first word (`start:<word>`).
    Start(&'a str),
    /// A cue phrase of this step key matched in the piece (`cue:<key>`).
    Cue(&'a str),
    /// Two adjacent words of the piece (`b:<word> <word>`): "had to",
    /// "asked me", "i'd want".
    Pair(&'a str, &'a str),
    /// The framework the answer is given in (`fw:<id>`): a piece of a
    /// design answer is more likely to describe a design.
    Framework(&'a str),
}

impl Feat<'_> {
    /// The name in the model file.
    pub fn name(&self) -> String {
        match self {
            Feat::Named(n) => (*n).to_string(),
            Feat::Start(w) => format!("start:{w}"),
            Feat::Cue(k) => format!("cue:{k}"),
            Feat::Framework(f) => format!("fw:{f}"),
            Feat::Stem(w) => format!("s:{w}"),
            Feat::Pair(a, b) => format!("b:{a} {b}"),
        }
    }
}

fn is_i(w: &str) -> bool {
    matches!(
        w,
        "i" | "i'm" | "i've" | "i'd" | "i'll" | "me" | "my" | "mine" | "myself" | "im" | "ive"
    )
}

fn is_we(w: &str) -> bool {
    matches!(
        w,
        "we" | "we're" | "we've" | "we'd" | "we'll" | "us" | "our" | "ours" | "ourselves"
    )
}

fn is_they(w: &str) -> bool {
    matches!(
        w,
        "they" | "they're" | "them" | "their" | "he" | "she" | "his" | "her" | "people"
    )
}

fn is_you(w: &str) -> bool {
    matches!(w, "you" | "your" | "you're" | "you'd" | "you'll")
}

/// Irregular past forms (and past participles) of common verbs. Forms that
/// equal their present ("cut", "set", "put", "read") are left out: they say
/// nothing about tense.
const IRREGULAR_PAST: &[&str] = &[
    "went",
    "got",
    "took",
    "made",
    "saw",
    "found",
    "wrote",
    "built",
    "ran",
    "sat",
    "led",
    "told",
    "gave",
    "came",
    "began",
    "kept",
    "left",
    "felt",
    "brought",
    "thought",
    "bought",
    "caught",
    "taught",
    "sent",
    "spent",
    "became",
    "chose",
    "drove",
    "fell",
    "rose",
    "grew",
    "knew",
    "broke",
    "spoke",
    "held",
    "met",
    "paid",
    "said",
    "sold",
    "stood",
    "understood",
    "won",
    "threw",
    "forgot",
    "lost",
    "meant",
    "rebuilt",
    "rewrote",
    "undid",
    "shut",
    "dug",
    "fought",
    "hid",
    "hung",
    "lit",
    "slept",
    "stuck",
    "struck",
    "shook",
    "shot",
    "was",
    "were",
    "had",
    "did",
    "didn't",
    "wasn't",
    "weren't",
    "hadn't",
    "done",
    "gone",
    "taken",
    "written",
    "given",
    "chosen",
    "broken",
    "spoken",
    "driven",
    "grown",
    "known",
    "shown",
    "drew",
    "drawn",
    "dealt",
    "heard",
    "learnt",
    "sought",
    "swore",
    "woke",
    "wore",
    "flew",
    "froze",
    "overtook",
    "withdrew",
    "upheld",
    "oversaw",
    "underwent",
    "shrank",
    "sank",
];

/// "-ed" words that are not past forms.
const NOT_PAST_ED: &[&str] = &[
    "need", "speed", "embed", "feed", "seed", "bed", "red", "shed", "proceed", "succeed", "exceed",
    "indeed", "breed", "weed", "greed", "hundred", "based",
];

fn is_past(w: &str) -> bool {
    IRREGULAR_PAST.contains(&w) || (w.len() > 4 && w.ends_with("ed") && !NOT_PAST_ED.contains(&w))
}

fn is_present_aux(w: &str) -> bool {
    matches!(
        w,
        "am" | "is"
            | "are"
            | "i'm"
            | "we're"
            | "it's"
            | "has"
            | "have"
            | "do"
            | "does"
            | "isn't"
            | "aren't"
            | "doesn't"
            | "don't"
            | "there's"
            | "that's"
            | "im"
    )
}

fn is_future(w: &str) -> bool {
    matches!(
        w,
        "will" | "i'll" | "we'll" | "gonna" | "shall" | "won't" | "it'll"
    )
}

fn is_conditional(w: &str) -> bool {
    matches!(
        w,
        "would"
            | "i'd"
            | "we'd"
            | "could"
            | "might"
            | "should"
            | "wouldn't"
            | "couldn't"
            | "shouldn't"
            | "id"
            | "it'd"
            | "they'd"
    )
}

/// A word class and its feature name.
struct Class {
    name: &'static str,
    words: &'static [&'static str],
}

/// Word classes. Each is a grammatical or semantic class of English words
/// (listed here because no crate in the package lists offers English word
/// classes of this kind without a large dictionary); the weights decide
/// what they mean for each function.
const CLASSES: &[Class] = &[
    Class {
        name: "decide",
        words: &[
            "decided",
            "chose",
            "picked",
            "opted",
            "settled",
            "agreed",
            "proposed",
            "convinced",
            "recommended",
            "suggested",
            "pick",
            "choose",
            "decide",
            "prioritised",
            "prioritized",
            "insisted",
            "pushed",
            "argued",
            "pitched",
        ],
    },
    Class {
        name: "change",
        words: &[
            "dropped",
            "fell",
            "reduced",
            "cut",
            "improved",
            "increased",
            "decreased",
            "grew",
            "doubled",
            "tripled",
            "halved",
            "saved",
            "stopped",
            "disappeared",
            "rose",
            "shrank",
            "lowered",
            "eliminated",
            "resolved",
            "recovered",
            "avoided",
            "prevented",
            "renewed",
            "adopted",
            "went",
            "gone",
            "down",
            "up",
            "faster",
            "slower",
            "fewer",
            "less",
            "more",
            "zero",
            "no",
            "never",
            "anymore",
            "since",
            "reduction",
            "drop",
            "improvement",
            "increase",
            "savings",
            "back",
            "stable",
            "flat",
        ],
    },
    Class {
        name: "outcome",
        words: &[
            "result",
            "results",
            "resulted",
            "outcome",
            "afterwards",
            "after",
            "then",
            "now",
            "end",
            "ended",
            "finally",
            "eventually",
            "overall",
            "impact",
            "meant",
            "so",
            "since",
            "today",
            "later",
            "following",
            "next",
            "month",
            "quarter",
            "week",
            "weeks",
            "months",
            "shipped",
            "launched",
            "released",
            "happy",
            "praised",
            "feedback",
            "thanked",
        ],
    },
    Class {
        name: "goal",
        words: &[
            "responsible",
            "responsibility",
            "job",
            "task",
            "goal",
            "aim",
            "objective",
            "asked",
            "assigned",
            "owner",
            "owned",
            "charge",
            "mandate",
            "needed",
            "had",
            "wanted",
            "supposed",
            "mission",
            "challenge",
            "role",
            "expected",
            "deadline",
            "target",
            "brief",
            "given",
            "tasked",
            "problem",
            "needs",
            "must",
        ],
    },
    Class {
        name: "scene",
        words: &[
            "at",
            "company",
            "previous",
            "previously",
            "last",
            "ago",
            "back",
            "when",
            "once",
            "there",
            "during",
            "startup",
            "client",
            "customers",
            "users",
            "team",
            "issue",
            "problem",
            "kept",
            "every",
            "always",
            "started",
            "began",
            "used",
            "old",
            "legacy",
            "was",
            "were",
            "while",
            "year",
            "time",
            "day",
            "project",
            "working",
        ],
    },
    Class {
        name: "reflect",
        words: &[
            "learned",
            "learnt",
            "lesson",
            "lessons",
            "taught",
            "realised",
            "realized",
            "differently",
            "hindsight",
            "takeaway",
            "mistake",
            "again",
            "remember",
            "regret",
            "wish",
            "know",
            "now",
            "better",
            "earlier",
            "sooner",
            "next",
        ],
    },
    Class {
        name: "now-role",
        words: &[
            "currently",
            "current",
            "now",
            "today",
            "these",
            "moment",
            "work",
            "working",
            "lead",
            "leading",
            "own",
            "manage",
            "managing",
            "role",
            "position",
            "title",
            "team",
            "am",
            "i'm",
            "im",
        ],
    },
    Class {
        name: "career",
        words: &[
            "before",
            "earlier",
            "started",
            "career",
            "graduated",
            "studied",
            "degree",
            "university",
            "college",
            "bootcamp",
            "internship",
            "intern",
            "first",
            "years",
            "spent",
            "previous",
            "prior",
            "moved",
            "switched",
            "joined",
            "school",
            "phd",
            "masters",
            "master's",
            "bachelor",
            "job",
            "jobs",
            "grew",
            "learned",
        ],
    },
    Class {
        name: "want",
        words: &[
            "role",
            "position",
            "your",
            "next",
            "step",
            "looking",
            "want",
            "excited",
            "love",
            "hope",
            "grow",
            "bring",
            "join",
            "joining",
            "opportunity",
            "why",
            "here",
            "mission",
            "interested",
            "drawn",
            "attracted",
            "future",
            "goal",
            "ambition",
            "aspire",
            "contribute",
            "learn",
            "wish",
        ],
    },
    Class {
        name: "ask",
        words: &[
            "know",
            "ask",
            "clarify",
            "requirements",
            "requirement",
            "constraints",
            "constraint",
            "assume",
            "assuming",
            "assumption",
            "scale",
            "how",
            "many",
            "much",
            "users",
            "traffic",
            "volume",
            "budget",
            "must",
            "support",
            "expect",
            "expected",
            "peak",
            "per",
            "second",
            "sla",
            "slo",
            "questions",
            "question",
            "understand",
            "confirm",
            "who",
            "what",
            "whether",
            "if",
            "need",
            "needs",
            "requests",
            "read",
            "write",
            "heavy",
            "size",
            "daily",
            "concurrent",
            "check",
            "find",
        ],
    },
    Class {
        name: "system",
        words: &[
            "service",
            "services",
            "api",
            "queue",
            "queues",
            "database",
            "db",
            "cache",
            "worker",
            "workers",
            "gateway",
            "balancer",
            "table",
            "tables",
            "stream",
            "bucket",
            "cdn",
            "index",
            "topic",
            "shard",
            "shards",
            "partition",
            "cluster",
            "storage",
            "server",
            "client",
            "endpoint",
            "microservice",
            "pipeline",
            "scheduler",
            "consumer",
            "producer",
            "store",
            "writes",
            "reads",
            "sends",
            "stores",
            "pushes",
            "pulls",
            "calls",
            "publishes",
            "consumes",
            "routes",
            "serves",
            "goes",
            "flows",
            "sits",
            "behind",
            "front",
            "between",
            "layer",
            "component",
            "components",
            "webhook",
            "job",
            "jobs",
            "replica",
            "replicas",
            "node",
            "nodes",
            "key",
            "redis",
            "kafka",
            "postgres",
            "s3",
            "events",
            "event",
            "message",
            "messages",
            "backend",
            "frontend",
        ],
    },
    Class {
        name: "hard",
        words: &[
            "hardest",
            "tricky",
            "trickiest",
            "care",
            "critical",
            "tough",
            "interesting",
            "part",
            "deep",
            "failure",
            "failures",
            "fails",
            "fail",
            "crash",
            "crashes",
            "retry",
            "retries",
            "idempotent",
            "idempotency",
            "consistency",
            "consistent",
            "race",
            "edge",
            "model",
            "schema",
            "bottleneck",
            "duplicate",
            "duplicates",
            "ordering",
            "exactly",
            "lock",
            "locks",
            "concurrency",
            "conflict",
            "conflicts",
            "recovery",
            "dedup",
            "deduplication",
            "backpressure",
            "timeout",
            "timeouts",
            "isolation",
            "hot",
            "tenant",
            "tenants",
            "careful",
            "worry",
            "detail",
        ],
    },
    Class {
        name: "weigh",
        words: &[
            "instead",
            "rather",
            "over",
            "trade",
            "tradeoff",
            "tradeoffs",
            "downside",
            "downsides",
            "cost",
            "costs",
            "alternative",
            "alternatives",
            "considered",
            "rejected",
            "versus",
            "vs",
            "cheaper",
            "simpler",
            "risk",
            "risks",
            "breaks",
            "break",
            "but",
            "however",
            "although",
            "pros",
            "cons",
            "compromise",
            "expense",
            "worth",
            "option",
            "options",
            "either",
            "whereas",
            "complexity",
            "overhead",
            "tradeoff",
            "off",
            "lose",
            "gain",
        ],
    },
    Class {
        name: "people",
        words: &[
            "tell",
            "told",
            "inform",
            "loop",
            "involve",
            "involved",
            "update",
            "updates",
            "post",
            "notify",
            "talk",
            "talked",
            "sync",
            "meet",
            "meeting",
            "channel",
            "email",
            "escalate",
            "page",
            "call",
            "align",
            "explain",
            "explained",
            "share",
            "communicate",
            "stakeholders",
            "manager",
            "customers",
            "support",
            "leadership",
            "ping",
            "slack",
            "team",
            "teams",
            "pm",
            "designer",
            "designers",
            "engineers",
            "lead",
            "director",
            "ceo",
            "owner",
            "owners",
            "everyone",
            "sales",
            "legal",
            "partner",
            "partners",
            "announce",
            "status",
            "incident",
            "war",
            "room",
        ],
    },
    Class {
        name: "check",
        words: &[
            "monitor",
            "monitoring",
            "watch",
            "check",
            "measure",
            "dashboard",
            "dashboards",
            "metric",
            "metrics",
            "alert",
            "alerts",
            "review",
            "postmortem",
            "post-mortem",
            "confirm",
            "validate",
            "verify",
            "track",
            "follow",
            "retro",
            "retrospective",
            "success",
            "test",
            "tests",
            "canary",
            "compare",
            "afterwards",
            "week",
            "later",
            "logs",
            "signal",
        ],
    },
    Class {
        name: "plan",
        words: &[
            "first",
            "then",
            "next",
            "after",
            "start",
            "step",
            "plan",
            "would",
            "i'd",
            "immediately",
            "right",
            "away",
            "going",
            "priority",
            "before",
            "once",
            "until",
            "id",
        ],
    },
    Class {
        name: "generic",
        words: &[
            "things",
            "thing",
            "stuff",
            "something",
            "lot",
            "lots",
            "good",
            "great",
            "better",
            "improved",
            "situation",
            "task",
            "action",
            "result",
            "outcome",
            "problem",
            "solution",
            "work",
            "worked",
            "did",
            "done",
            "very",
            "really",
            "everything",
            "various",
            "some",
            "many",
            "much",
            "well",
            "nice",
            "successful",
            "success",
            "achieved",
            "approach",
            "step",
            "steps",
            "issues",
            "issue",
            "project",
        ],
    },
];

/// Whether token `i` counts as content: a word that is not a stop word,
/// not generic, and not a pronoun, or any number.
pub(crate) fn is_content(scan: &Scan<'_>, i: usize) -> bool {
    match scan.t.kind(i) {
        Some(Kind::Number) => true,
        Some(Kind::Word) => {
            let w = scan.t.norm(i);
            let f = scan.flags[i];
            w.len() > 2
                && f & (flag::STOP | flag::SINGULAR | flag::PLURAL | flag::NEGATION) == 0
                && !is_i(w)
                && !is_we(w)
                && !CLASSES
                    .iter()
                    .find(|c| c.name == "generic")
                    .is_some_and(|c| c.words.contains(&w))
        }
        _ => false,
    }
}

fn bucket(n: usize, edges: &[(usize, &'static str)], last: &'static str) -> &'static str {
    edges
        .iter()
        .find(|(max, _)| n <= *max)
        .map_or(last, |(_, name)| name)
}

/// Calls `emit` once per feature of `seg` (some more than once; the model
/// counts each once). `index` and `count` place the piece in the answer.
pub(crate) fn features<'s>(
    scan: &'s Scan<'_>,
    framework: &'s str,
    seg: Segment,
    index: usize,
    count: usize,
    emit: &mut dyn FnMut(Feat<'s>),
) {
    let t = &scan.t;
    emit(Feat::Named("bias"));
    emit(Feat::Framework(framework));
    if count == 1 {
        emit(Feat::Named("pos:only"));
    } else if index == 0 {
        emit(Feat::Named("pos:first"));
    } else if index + 1 == count {
        emit(Feat::Named("pos:last"));
    }
    if count > 1 {
        let third = index * 3 / count;
        emit(Feat::Named(
            ["pos:early", "pos:middle", "pos:late"][third.min(2)],
        ));
    }

    let (mut words, mut content) = (0usize, 0usize);
    let (mut i_n, mut we_n, mut they_n, mut you_n) = (0, 0, 0, 0);
    let (mut past, mut present, mut future, mut cond, mut ing) = (0, 0, 0, 0, 0);
    let mut subject: Option<&'static str> = None;
    let mut first_word: Option<usize> = None;
    let (mut number, mut names) = (0, 0);
    let mut from_to = (false, false);
    let mut question = false;
    let mut prev_word: Option<usize> = None;
    // Stems, not words: "owned", "owner" and "owning" share what they say
    // about a sentence, and a writer's own inflections carry over.
    let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    for i in seg.start..seg.end {
        match t.kind(i) {
            Some(Kind::Sentence) => {
                if t.orig(i).contains('?') {
                    question = true;
                }
                continue;
            }
            Some(Kind::Clause) | None => continue,
            Some(Kind::Number) => {
                words += 1;
                content += 1;
                number += 1;
                let w = t.norm(i);
                if w.ends_with('%') {
                    emit(Feat::Named("num:percent"));
                }
                let year =
                    w.len() == 4 && w.parse::<u32>().is_ok_and(|y| (1950..=2100).contains(&y));
                if year {
                    emit(Feat::Named("num:year"));
                }
                first_word.get_or_insert(i);
                continue;
            }
            Some(Kind::Word) => {}
        }
        words += 1;
        let w = t.norm(i);
        first_word.get_or_insert(i);
        if is_content(scan, i) {
            content += 1;
        }
        let tok = t.toks[i];
        if tok.capitalised && !tok.sentence_start && !is_i(w) {
            names += 1;
            if i > 0 && t.norm(i - 1) == "at" {
                emit(Feat::Named("at-name"));
            }
        }
        let person = if is_i(w) {
            i_n += 1;
            Some("subj:i")
        } else if is_we(w) {
            we_n += 1;
            Some("subj:we")
        } else if is_they(w) {
            they_n += 1;
            Some("subj:they")
        } else if is_you(w) {
            you_n += 1;
            Some("subj:you")
        } else {
            None
        };
        if subject.is_none() {
            subject = person;
        }
        if is_past(w) {
            past += 1;
        }
        if is_present_aux(w) {
            present += 1;
        }
        if is_future(w) || (w == "going" && t.norm(i + 1) == "to" && t.norm(i + 2) != "be") {
            future += 1;
        }
        if is_conditional(w) {
            cond += 1;
        }
        if w.len() > 5 && w.ends_with("ing") {
            ing += 1;
        }
        if w == "from" && t.kind(i + 1) == Some(Kind::Number) {
            from_to.0 = true;
        }
        if w == "to" && t.kind(i + 1) == Some(Kind::Number) {
            from_to.1 = true;
        }
        if t.orig(i).ends_with('?') {
            question = true;
        }
        emit(Feat::Stem(stemmer.stem(w)));
        if let Some(prev) = prev_word {
            emit(Feat::Pair(t.norm(prev), w));
        }
        prev_word = Some(i);
        for c in CLASSES {
            if c.words.contains(&w) {
                emit(Feat::Named(c.name));
            }
        }
    }
    if let Some(i) = first_word {
        emit(Feat::Start(t.norm(i)));
        if is_past(t.norm(i)) {
            // "Built the export", told without a subject.
            emit(Feat::Named("starts-past"));
        }
    }
    emit(Feat::Named(bucket(
        words,
        &[(3, "len:1-3"), (8, "len:4-8"), (20, "len:9-20")],
        "len:21+",
    )));
    emit(Feat::Named(bucket(
        content,
        &[(0, "content:0"), (1, "content:1"), (3, "content:2-3")],
        "content:4+",
    )));
    emit(Feat::Named(subject.unwrap_or("subj:none")));
    let tense = [
        (past > 0, "tense:past"),
        (past > 1, "tense:past2"),
        (present > 0, "tense:present"),
        (future > 0, "tense:future"),
        (cond > 0, "tense:cond"),
        (ing > 0, "tense:ing"),
        (past + present + future + cond == 0, "tense:none"),
    ];
    for (on, name) in tense {
        if on {
            emit(Feat::Named(name));
        }
    }
    let combos = [
        (i_n > 0 && past > 0, "i+past"),
        (we_n > 0 && past > 0, "we+past"),
        (i_n > 0 && cond > 0, "i+cond"),
        (i_n > 0 && future > 0, "i+future"),
        (i_n > 0 && present > 0, "i+present"),
        (we_n > 0 && cond > 0, "we+cond"),
        (i_n + we_n == 0 && past > 0, "noone+past"),
        (i_n + we_n == 0 && present > 0, "noone+present"),
        (they_n > 0, "they"),
        (you_n > 0, "you"),
        (number > 0, "num:any"),
        (number > 1, "num:2+"),
        (number > 0 && past > 0, "num+past"),
        (from_to.0 && from_to.1, "num:from-to"),
        (names > 0, "name"),
        (question, "question"),
    ];
    for (on, name) in combos {
        if on {
            emit(Feat::Named(name));
        }
    }
    for m in scan.matches_in(seg.start, seg.end) {
        match scan.target(m) {
            Some(Target::Step { fw, step, .. }) => {
                if let Some(key) = scan.cues.step_key(fw, step) {
                    emit(Feat::Cue(key));
                }
            }
            Some(Target::Filler(_)) => emit(Feat::Named("filler")),
            Some(Target::Hedge(_)) => emit(Feat::Named("hedge")),
            _ => {}
        }
    }
    if (seg.start..seg.end).any(|i| scan.is_negation(i)) {
        emit(Feat::Named("negation"));
    }
}

/// Whether the piece has the speaker in it: an "I" word, or a past verb
/// with no subject at its start ("Built the export in a week").
pub(crate) fn has_speaker(scan: &Scan<'_>, seg: Segment) -> bool {
    let t = &scan.t;
    let mut first = true;
    for i in seg.start..seg.end {
        if !t.is_wordlike(i) {
            continue;
        }
        let w = t.norm(i);
        if is_i(w) || (first && is_past(w)) {
            return true;
        }
        first = false;
    }
    false
}
