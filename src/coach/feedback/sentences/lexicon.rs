//! Word lists the sentence features read: English verb forms and word
//! classes. They are grammar and broad semantic classes, not cue phrases to
//! grow; the model's weights decide what each means for each function.
//! Listed here because no crate in the package lists offers English word
//! classes of this kind without a large dictionary. Changing a list changes
//! what a feature means: bump `FEATURE_SET` and retrain.

/// Irregular past forms (and past participles) of common verbs. Forms that
/// equal their present ("cut", "set", "put", "read") are left out: they say
/// nothing about tense.
#[rustfmt::skip]
pub(super) const IRREGULAR_PAST: &[&str] = &[
    "went", "got", "took", "made", "saw", "found", "wrote", "built", "ran", "sat", "led", "told",
    "gave", "came", "began", "kept", "left", "felt", "brought", "thought", "bought", "caught",
    "taught", "sent", "spent", "became", "chose", "drove", "fell", "rose", "grew", "knew", "broke",
    "spoke", "held", "met", "paid", "said", "sold", "stood", "understood", "won", "threw",
    "forgot", "lost", "meant", "rebuilt", "rewrote", "undid", "shut", "dug", "fought", "hid",
    "hung", "lit", "slept", "stuck", "struck", "shook", "shot", "was", "were", "had", "did",
    "didn't", "wasn't", "weren't", "hadn't", "done", "gone", "taken", "written", "given", "chosen",
    "broken", "spoken", "driven", "grown", "known", "shown", "drew", "drawn", "dealt", "heard",
    "learnt", "sought", "swore", "woke", "wore", "flew", "froze", "overtook", "withdrew", "upheld",
    "oversaw", "underwent", "shrank", "sank",
];

/// "-ed" words that are not past forms.
#[rustfmt::skip]
pub(super) const NOT_PAST_ED: &[&str] = &[
    "need", "speed", "embed", "feed", "seed", "bed", "red", "shed", "proceed", "succeed", "exceed",
    "indeed", "breed", "weed", "greed", "hundred", "based",
];

/// Bits above the classes' (bit `k` is `CLASSES[k]`): the verb-form lists.
pub(super) const IRREGULAR_BIT: u32 = 1 << 31;
pub(super) const NOT_PAST_ED_BIT: u32 = 1 << 30;

/// Every listed word with a bit for each list it is on: bit `k` for
/// `CLASSES[k]`, [`IRREGULAR_BIT`], [`NOT_PAST_ED_BIT`]. The cue index keeps
/// them on each word's entry, so the one lookup the analyser makes per token
/// also gives its classes.
pub(crate) fn bits() -> impl Iterator<Item = (&'static str, u32)> {
    let classes = CLASSES
        .iter()
        .enumerate()
        .flat_map(|(k, c)| c.words.iter().map(move |&w| (w, 1u32 << k)));
    let irregular = IRREGULAR_PAST.iter().map(|&w| (w, IRREGULAR_BIT));
    let not_past = NOT_PAST_ED.iter().map(|&w| (w, NOT_PAST_ED_BIT));
    classes.chain(irregular).chain(not_past)
}

/// A word class and its feature name.
pub(super) struct Class {
    pub name: &'static str,
    pub words: &'static [&'static str],
}

/// Word classes. Each is a grammatical or semantic class of English words
/// (listed here because no crate in the package lists offers English word
/// classes of this kind without a large dictionary); the weights decide
/// what they mean for each function.
/// `generic` comes first: its bit is [`GENERIC_BIT`](super::features).
#[rustfmt::skip]
pub(super) const CLASSES: &[Class] = &[
    Class {
        name: "generic",
        words: &[
            "things", "thing", "stuff", "something", "lot", "lots", "good", "great", "better",
            "improved", "situation", "task", "action", "result", "outcome", "problem", "solution",
            "work", "worked", "did", "done", "very", "really", "everything", "various", "some",
            "many", "much", "well", "nice", "successful", "success", "achieved", "approach",
            "step", "steps", "issues", "issue", "project",
        ],
    },
    Class {
        name: "decide",
        words: &[
            "decided", "chose", "picked", "opted", "settled", "agreed", "proposed", "convinced",
            "recommended", "suggested", "pick", "choose", "decide", "prioritised", "prioritized",
            "insisted", "pushed", "argued", "pitched",
        ],
    },
    Class {
        name: "change",
        words: &[
            "dropped", "fell", "reduced", "cut", "improved", "increased", "decreased", "grew",
            "doubled", "tripled", "halved", "saved", "stopped", "disappeared", "rose", "shrank",
            "lowered", "eliminated", "resolved", "recovered", "avoided", "prevented", "renewed",
            "adopted", "went", "gone", "down", "up", "faster", "slower", "fewer", "less", "more",
            "zero", "no", "never", "anymore", "since", "reduction", "drop", "improvement",
            "increase", "savings", "back", "stable", "flat",
        ],
    },
    Class {
        name: "outcome",
        words: &[
            "result", "results", "resulted", "outcome", "afterwards", "after", "then", "now",
            "end", "ended", "finally", "eventually", "overall", "impact", "meant", "so", "since",
            "today", "later", "following", "next", "month", "quarter", "week", "weeks", "months",
            "shipped", "launched", "released", "happy", "praised", "feedback", "thanked",
        ],
    },
    Class {
        name: "goal",
        words: &[
            "responsible", "responsibility", "job", "task", "goal", "aim", "objective", "asked",
            "assigned", "owner", "owned", "charge", "mandate", "needed", "had", "wanted",
            "supposed", "mission", "challenge", "role", "expected", "deadline", "target", "brief",
            "given", "tasked", "problem", "needs", "must",
        ],
    },
    Class {
        name: "scene",
        words: &[
            "at", "company", "previous", "previously", "last", "ago", "back", "when", "once",
            "there", "during", "startup", "client", "customers", "users", "team", "issue",
            "problem", "kept", "every", "always", "started", "began", "used", "old", "legacy",
            "was", "were", "while", "year", "time", "day", "project", "working",
        ],
    },
    Class {
        name: "reflect",
        words: &[
            "learned", "learnt", "lesson", "lessons", "taught", "realised", "realized",
            "differently", "hindsight", "takeaway", "mistake", "again", "remember", "regret",
            "wish", "know", "now", "better", "earlier", "sooner", "next",
        ],
    },
    Class {
        name: "now-role",
        words: &[
            "currently", "current", "now", "today", "these", "moment", "work", "working", "lead",
            "leading", "own", "manage", "managing", "role", "position", "title", "team", "am",
            "i'm", "im",
        ],
    },
    Class {
        name: "career",
        words: &[
            "before", "earlier", "started", "career", "graduated", "studied", "degree",
            "university", "college", "bootcamp", "internship", "intern", "first", "years", "spent",
            "previous", "prior", "moved", "switched", "joined", "school", "phd", "masters",
            "master's", "bachelor", "job", "jobs", "grew", "learned",
        ],
    },
    Class {
        name: "want",
        words: &[
            "role", "position", "your", "next", "step", "looking", "want", "excited", "love",
            "hope", "grow", "bring", "join", "joining", "opportunity", "why", "here", "mission",
            "interested", "drawn", "attracted", "future", "goal", "ambition", "aspire",
            "contribute", "learn", "wish",
        ],
    },
    Class {
        name: "ask",
        words: &[
            "know", "ask", "clarify", "requirements", "requirement", "constraints", "constraint",
            "assume", "assuming", "assumption", "scale", "how", "many", "much", "users", "traffic",
            "volume", "budget", "must", "support", "expect", "expected", "peak", "per", "second",
            "sla", "slo", "questions", "question", "understand", "confirm", "who", "what",
            "whether", "if", "need", "needs", "requests", "read", "write", "heavy", "size",
            "daily", "concurrent", "check", "find",
        ],
    },
    Class {
        name: "system",
        words: &[
            "service", "services", "api", "queue", "queues", "database", "db", "cache", "worker",
            "workers", "gateway", "balancer", "table", "tables", "stream", "bucket", "cdn",
            "index", "topic", "shard", "shards", "partition", "cluster", "storage", "server",
            "client", "endpoint", "microservice", "pipeline", "scheduler", "consumer", "producer",
            "store", "writes", "reads", "sends", "stores", "pushes", "pulls", "calls", "publishes",
            "consumes", "routes", "serves", "goes", "flows", "sits", "behind", "front", "between",
            "layer", "component", "components", "webhook", "job", "jobs", "replica", "replicas",
            "node", "nodes", "key", "redis", "kafka", "postgres", "s3", "events", "event",
            "message", "messages", "backend", "frontend",
        ],
    },
    Class {
        name: "hard",
        words: &[
            "hardest", "tricky", "trickiest", "care", "critical", "tough", "interesting", "part",
            "deep", "failure", "failures", "fails", "fail", "crash", "crashes", "retry", "retries",
            "idempotent", "idempotency", "consistency", "consistent", "race", "edge", "model",
            "schema", "bottleneck", "duplicate", "duplicates", "ordering", "exactly", "lock",
            "locks", "concurrency", "conflict", "conflicts", "recovery", "dedup", "deduplication",
            "backpressure", "timeout", "timeouts", "isolation", "hot", "tenant", "tenants",
            "careful", "worry", "detail",
        ],
    },
    Class {
        name: "weigh",
        words: &[
            "instead", "rather", "over", "trade", "tradeoff", "tradeoffs", "downside", "downsides",
            "cost", "costs", "alternative", "alternatives", "considered", "rejected", "versus",
            "vs", "cheaper", "simpler", "risk", "risks", "breaks", "break", "but", "however",
            "although", "pros", "cons", "compromise", "expense", "worth", "option", "options",
            "either", "whereas", "complexity", "overhead", "tradeoff", "off", "lose", "gain",
        ],
    },
    Class {
        name: "people",
        words: &[
            "tell", "told", "inform", "loop", "involve", "involved", "update", "updates", "post",
            "notify", "talk", "talked", "sync", "meet", "meeting", "channel", "email", "escalate",
            "page", "call", "align", "explain", "explained", "share", "communicate",
            "stakeholders", "manager", "customers", "support", "leadership", "ping", "slack",
            "team", "teams", "pm", "designer", "designers", "engineers", "lead", "director", "ceo",
            "owner", "owners", "everyone", "sales", "legal", "partner", "partners", "announce",
            "status", "incident", "war", "room",
        ],
    },
    Class {
        name: "check",
        words: &[
            "monitor", "monitoring", "watch", "check", "measure", "dashboard", "dashboards",
            "metric", "metrics", "alert", "alerts", "review", "postmortem", "post-mortem",
            "confirm", "validate", "verify", "track", "follow", "retro", "retrospective",
            "success", "test", "tests", "canary", "compare", "afterwards", "week", "later", "logs",
            "signal",
        ],
    },
    Class {
        name: "plan",
        words: &[
            "first", "then", "next", "after", "start", "step", "plan", "would", "i'd",
            "immediately", "right", "away", "going", "priority", "before", "once", "until", "id",
        ],
    },
];

#[cfg(test)]
mod tests {
    #[test]
    fn generic_is_the_first_class_and_classes_fit_the_bits() {
        assert_eq!(super::CLASSES[0].name, "generic");
        // Bits 30 and 31 mark the verb-form lists.
        assert!(super::CLASSES.len() <= 30);
    }
}
