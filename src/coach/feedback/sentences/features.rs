//! What the sentence model sees of one piece of an answer: features that
//! carry over between voices and topics, each a name the model file weighs.
//!
//! - grammar: tense and verb form (past, irregular past, present, future,
//!   conditional, progressive), the grammatical person of the actor, and
//!   combinations such as "I + past" (told as done) or "I + conditional"
//!   (told as a plan);
//! - word classes: decision, change, goal, reflection, people, checking,
//!   design and failure words, time and place expressions;
//! - whether the piece frames a responsibility or goal ("was
//!   responsible", "my job", "had to", "asked me") and whether it takes a
//!   measurement back ("we never measured", "I can't say whether");
//! - numbers with units, "from … to …", questions;
//! - where the piece sits in the answer and how long it is;
//! - the answer as a whole ([`AnswerShape`]): how many specific things it
//!   names per hundred words and how dense it is in content words;
//! - the cue file's step phrases, as one feature among many;
//! - the stems of the piece's words (`s:`), adjacent word pairs (`b:`) and
//!   its first word (`start:`).
//!
//! The word classes are grammar, not a cue list to grow: they describe
//! English verb forms and function words, and the model learns from labelled
//! pieces how much each matters. Changing what a feature means requires
//! bumping [`FEATURE_SET`](crate::guide::sentences::FEATURE_SET) and
//! retraining (`interview-coach train-sentences`).

use super::lexicon::{CLASSES, IRREGULAR_BIT, NOT_PAST_ED_BIT};
use super::named::Named;
use super::segment::Segment;
use super::shape::AnswerShape;
use crate::coach::feedback::analyse::Scan;
use crate::coach::feedback::cues::{flag, Target};
use crate::guide::words::{Kind, Tokens};

/// One feature of a piece. Words are token indices into the scanned
/// answer, so a compiled model can read rows it looked up once per token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Feat<'a> {
    Named(Named),
    /// The piece has a word of class `CLASSES[k]` (named by the class).
    Class(usize),
    /// Word token `i` of the piece, weighed by its stem (`s:<stem>` in the
    /// model file): "owned", "owner" and "owning" say the same about a
    /// sentence.
    Word(usize),
    /// The piece's first word (`start:<word>`).
    Start(&'a str),
    /// A cue phrase of this step key matched in the piece (`cue:<key>`).
    Cue(&'a str),
    /// Two adjacent word tokens of the piece (`b:<word> <word>`): "had to",
    /// "asked me", "i'd want".
    Pair(usize, usize),
    /// The framework the answer is given in (`fw:<id>`): a piece of a
    /// design answer is more likely to describe a design.
    Framework(&'a str),
}

impl Feat<'_> {
    /// The name in the model file; `t` holds the tokens the feature's
    /// indices point into.
    pub fn name(&self, t: &Tokens<'_>) -> String {
        match self {
            Feat::Named(n) => n.name().to_string(),
            Feat::Class(k) => CLASSES.get(*k).map_or("", |c| c.name).to_string(),
            Feat::Start(w) => format!("start:{w}"),
            Feat::Cue(k) => format!("cue:{k}"),
            Feat::Framework(f) => format!("fw:{f}"),
            Feat::Word(i) => format!("s:{}", stem(t.norm(*i))),
            Feat::Pair(a, b) => format!("b:{} {}", t.norm(*a), t.norm(*b)),
        }
    }
}

pub(super) fn is_i(w: &str) -> bool {
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

/// Whether word token `i` is a past form.
fn is_past(scan: &Scan<'_>, i: usize) -> bool {
    past_form(scan.t.norm(i), class_bits(scan, i))
}

/// [`is_past`] with the word's class bits already looked up.
fn past_form(w: &str, bits: u32) -> bool {
    bits & IRREGULAR_BIT != 0 || (w.len() > 4 && w.ends_with("ed") && bits & NOT_PAST_ED_BIT == 0)
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

/// Word token `i`'s classes as bits (bit `k` is `CLASSES[k]`, and the
/// verb-form bits): the cue index carries them on each word's entry (see
/// [`lexicon::bits`](super::lexicon::bits)), so they come with the lookup
/// [`Scan`] made for the token.
pub(super) fn class_bits(scan: &Scan<'_>, i: usize) -> u32 {
    scan.entries
        .get(i)
        .copied()
        .flatten()
        .map_or(0, |e| e.lexicon)
}

/// The bits that stand for [`CLASSES`].
const CLASS_BITS: u32 = (1 << 30) - 1;

/// `generic`, the first class: words that carry no content.
const GENERIC_BIT: u32 = 1;

/// The Snowball stem of a normalised word.
pub(crate) fn stem(w: &str) -> std::borrow::Cow<'_, str> {
    rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English).stem(w)
}

/// Whether word token `i` (`w`, with class bits `bits`) counts as content:
/// not a stop word, not generic, not a pronoun.
pub(super) fn content_word(scan: &Scan<'_>, i: usize, w: &str, bits: u32) -> bool {
    let f = scan.flags[i];
    w.len() > 2
        && f & (flag::STOP | flag::SINGULAR | flag::PLURAL | flag::NEGATION) == 0
        && !is_i(w)
        && !is_we(w)
        && bits & GENERIC_BIT == 0
}

/// Word pairs that frame a responsibility or an objective: "was
/// responsible", "my job", "had to", "asked me", "on me". One feature for
/// all of them, so a phrasing seen in few training pieces still counts.
fn goal_frame(a: &str, b: &str) -> bool {
    matches!(
        (a, b),
        (
            "was" | "were" | "i'm" | "im" | "am",
            "responsible" | "tasked" | "asked" | "assigned"
        ) | (
            "my" | "our" | "the",
            "job"
                | "task"
                | "goal"
                | "brief"
                | "mandate"
                | "ask"
                | "mission"
                | "objective"
                | "assignment"
                | "target"
        ) | (
            "had" | "needed" | "wanted" | "supposed" | "have" | "need",
            "to"
        ) | ("asked" | "told" | "handed" | "gave" | "assigned", "me")
            | ("on" | "to", "me")
            | ("mine", "to")
            | ("in", "charge")
            | ("set", "out")
            | ("aim" | "aimed" | "trying", "to")
    )
}

/// Words about measuring or knowing a result: negated ("we never measured",
/// "I can't say whether"), they take a result back rather than state one.
fn measure_word(w: &str) -> bool {
    matches!(
        w,
        "measure"
            | "measured"
            | "measuring"
            | "track"
            | "tracked"
            | "tracking"
            | "numbers"
            | "number"
            | "figures"
            | "quantify"
            | "quantified"
            | "say"
            | "know"
            | "sure"
            | "checked"
            | "data"
    )
}

fn bucket(n: usize, edges: &[(usize, Named)], last: Named) -> Named {
    edges
        .iter()
        .find(|(max, _)| n <= *max)
        .map_or(last, |(_, name)| *name)
}

/// Calls `emit` once per feature of `seg` (some more than once; the model
/// counts each once) and returns the piece's content words: numbers and
/// words that are not stop words, generic words or pronouns. `index` and
/// `count` place the piece in the answer; `shape` is the answer's
/// ([`AnswerShape::of`], once per answer).
pub(crate) fn features<'s>(
    scan: &'s Scan<'_>,
    framework: &'s str,
    shape: AnswerShape,
    seg: Segment,
    index: usize,
    count: usize,
    emit: &mut dyn FnMut(Feat<'s>),
) -> usize {
    let t = &scan.t;
    emit(Feat::Named(Named::Bias));
    emit(Feat::Framework(framework));
    emit(Feat::Named(shape.specific));
    emit(Feat::Named(shape.dense));
    if count == 1 {
        emit(Feat::Named(Named::PosOnly));
    } else if index == 0 {
        emit(Feat::Named(Named::PosFirst));
    } else if index + 1 == count {
        emit(Feat::Named(Named::PosLast));
    }
    if count > 1 {
        let third = index * 3 / count;
        emit(Feat::Named(
            [Named::PosEarly, Named::PosMiddle, Named::PosLate][third.min(2)],
        ));
    }

    let (mut words, mut content) = (0usize, 0usize);
    let (mut i_n, mut we_n, mut they_n, mut you_n) = (0, 0, 0, 0);
    let (mut past, mut present, mut future, mut cond, mut ing) = (0, 0, 0, 0, 0);
    let mut subject: Option<Named> = None;
    let mut first_word: Option<usize> = None;
    let (mut number, mut names) = (0, 0);
    let mut from_to = (false, false);
    let mut question = false;
    let mut prev_word: Option<usize> = None;
    let (mut goal, mut measure) = (false, false);
    // The word classes present in the piece, one bit per class.
    let mut classes = 0u32;
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
                    emit(Feat::Named(Named::NumPercent));
                }
                let year =
                    w.len() == 4 && w.parse::<u32>().is_ok_and(|y| (1950..=2100).contains(&y));
                if year {
                    emit(Feat::Named(Named::NumYear));
                }
                first_word.get_or_insert(i);
                continue;
            }
            Some(Kind::Word) => {}
        }
        words += 1;
        let w = t.norm(i);
        let bits = class_bits(scan, i);
        first_word.get_or_insert(i);
        if content_word(scan, i, w, bits) {
            content += 1;
        }
        measure |= measure_word(w);
        let tok = t.toks[i];
        if tok.capitalised && !tok.sentence_start && !is_i(w) {
            names += 1;
            if i > 0 && t.norm(i - 1) == "at" {
                emit(Feat::Named(Named::AtName));
            }
        }
        // Pronouns and auxiliaries are all short: longer words skip the
        // comparisons below.
        let short = w.len() <= 9;
        let person = if !short {
            None
        } else if is_i(w) {
            i_n += 1;
            Some(Named::SubjI)
        } else if is_we(w) {
            we_n += 1;
            Some(Named::SubjWe)
        } else if is_they(w) {
            they_n += 1;
            Some(Named::SubjThey)
        } else if is_you(w) {
            you_n += 1;
            Some(Named::SubjYou)
        } else {
            None
        };
        if subject.is_none() {
            subject = person;
        }
        if past_form(w, bits) {
            past += 1;
        }
        if short && is_present_aux(w) {
            present += 1;
        }
        if short && is_future(w) || (w == "going" && t.norm(i + 1) == "to" && t.norm(i + 2) != "be")
        {
            future += 1;
        }
        if short && is_conditional(w) {
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
        emit(Feat::Word(i));
        if let Some(prev) = prev_word {
            emit(Feat::Pair(prev, i));
            goal |= goal_frame(t.norm(prev), w);
        }
        prev_word = Some(i);
        classes |= bits & CLASS_BITS;
    }
    while classes != 0 {
        let k = classes.trailing_zeros() as usize;
        classes &= classes - 1;
        if k < CLASSES.len() {
            emit(Feat::Class(k));
        }
    }
    if let Some(i) = first_word {
        emit(Feat::Start(t.norm(i)));
        if is_past(scan, i) {
            // "Built the export", told without a subject.
            emit(Feat::Named(Named::StartsPast));
        }
    }
    emit(Feat::Named(bucket(
        words,
        &[
            (3, Named::Len1To3),
            (8, Named::Len4To8),
            (20, Named::Len9To20),
        ],
        Named::Len21Plus,
    )));
    emit(Feat::Named(bucket(
        content,
        &[
            (0, Named::Content0),
            (1, Named::Content1),
            (3, Named::Content2To3),
        ],
        Named::Content4Plus,
    )));
    emit(Feat::Named(subject.unwrap_or(Named::SubjNone)));
    let tense = [
        (past > 0, Named::TensePast),
        (past > 1, Named::TensePast2),
        (present > 0, Named::TensePresent),
        (future > 0, Named::TenseFuture),
        (cond > 0, Named::TenseCond),
        (ing > 0, Named::TenseIng),
        (past + present + future + cond == 0, Named::TenseNone),
    ];
    for (on, name) in tense {
        if on {
            emit(Feat::Named(name));
        }
    }
    let combos = [
        (i_n > 0 && past > 0, Named::IPast),
        (we_n > 0 && past > 0, Named::WePast),
        (i_n > 0 && cond > 0, Named::ICond),
        (i_n > 0 && future > 0, Named::IFuture),
        (i_n > 0 && present > 0, Named::IPresent),
        (we_n > 0 && cond > 0, Named::WeCond),
        (i_n + we_n == 0 && past > 0, Named::NoOnePast),
        (i_n + we_n == 0 && present > 0, Named::NoOnePresent),
        (they_n > 0, Named::They),
        (you_n > 0, Named::You),
        (number > 0, Named::NumAny),
        (number > 1, Named::Num2Plus),
        (number > 0 && past > 0, Named::NumPast),
        (from_to.0 && from_to.1, Named::NumFromTo),
        (names > 0, Named::Name),
        (question, Named::Question),
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
            Some(Target::Filler(_)) => emit(Feat::Named(Named::Filler)),
            Some(Target::Hedge(_)) => emit(Feat::Named(Named::Hedge)),
            _ => {}
        }
    }
    let negation = (seg.start..seg.end).any(|i| scan.is_negation(i));
    if negation {
        emit(Feat::Named(Named::Negation));
        if measure {
            emit(Feat::Named(Named::NegMeasure));
        }
    }
    if goal {
        emit(Feat::Named(Named::GoalFrame));
    }
    content
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
        if is_i(w) || (first && is_past(scan, i)) {
            return true;
        }
        first = false;
    }
    false
}
