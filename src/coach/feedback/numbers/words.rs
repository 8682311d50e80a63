//! Word lists the number rules read: grammar and general vocabulary.
//!
//! Each [`List`] that is read at a token has a bit, which the cue index sets
//! on the entry of each of its words ([`bits`]): asking whether a token is on
//! a list ([`Scan::on`]) reads the entry `Scan` looked up for the token
//! instead of comparing the word with every word of the list.

use super::super::analyse::Scan;
pub(super) use super::outcomes::{MEASURES, OUTCOMES};

/// A word list and its bit on cue index entries.
pub(super) struct List {
    pub bit: u32,
    pub words: &'static [&'static str],
}

/// Every [`List`], each with its own bit.
const ALL: [&List; 19] = [
    &COMPARATIVES,
    &APPROX,
    &CHANGE,
    &DIRECT,
    &TO_LEVEL,
    &HYPOTHETICAL,
    &SETTINGS,
    &PARTS,
    &OUTCOMES,
    &PAST,
    &BE,
    &COMPARED,
    &CHANGE_NOUNS,
    &TARGETS,
    &MEASURED,
    &FOUND,
    &ADVERBS,
    &CLAUSE_WORDS,
    &MEASURES,
];

/// Every word of every list with its list's bit, for the cue index.
pub(crate) fn bits() -> impl Iterator<Item = (&'static str, u32)> {
    ALL.iter()
        .flat_map(|l| l.words.iter().map(move |&w| (w, l.bit)))
}

impl Scan<'_> {
    /// Whether token `j` is a word on `list` (false past the end).
    pub(super) fn on(&self, list: &List, j: usize) -> bool {
        self.entries
            .get(j)
            .copied()
            .flatten()
            .is_some_and(|e| e.number_lists & list.bit != 0)
    }
}

/// Words that sit between a number and its noun without changing what it
/// counts: "12 fewer incidents", "3 new services".
pub(super) const COMPARATIVES: List = List {
    bit: 1 << 0,
    words: &[
        "more",
        "fewer",
        "less",
        "most",
        "least",
        "new",
        "extra",
        "additional",
        "other",
    ],
};

/// Words that may sit between a preposition and its number: "from about
/// 2,000 to under 50", "went from like two seconds".
pub(super) const APPROX: List = List {
    bit: 1 << 1,
    words: &[
        "about",
        "around",
        "roughly",
        "nearly",
        "almost",
        "under",
        "over",
        "below",
        "above",
        "approximately",
        "just",
        "only",
        "like",
        "approx",
        "some",
        "maybe",
        "fewer",
        "less",
        "more",
        "than",
    ],
};

/// Words that state a change in what they govern, when a range, an amount
/// or a new level follows: "went from", "cut ... by", "dropped to". Past
/// forms and participles: a present-tense "goes to 10% of pods" describes how
/// a system works, not what changed.
pub(super) const CHANGE: List = List {
    bit: 1 << 2,
    words: &[
        "went",
        "gone",
        "going",
        "fell",
        "fallen",
        "falling",
        "dropped",
        "dropping",
        "cut",
        "cutting",
        "reduced",
        "reducing",
        "lowered",
        "lowering",
        "decreased",
        "decreasing",
        "shrank",
        "shrunk",
        "shrinking",
        "rose",
        "risen",
        "rising",
        "grew",
        "grown",
        "growing",
        "increased",
        "increasing",
        "improved",
        "improving",
        "climbed",
        "climbing",
        "climb",
        "jumped",
        "down",
        "up",
        "brought",
        "bringing",
        "took",
        "taking",
        "got",
        "getting",
        "moved",
        "sped",
        "slashed",
        "trimmed",
        "boosted",
        "raised",
        "lifted",
        "lifting",
        "returned",
        "recovered",
        "saved",
        "saving",
        "dipped",
        "declined",
        "halved",
    ],
};

/// Change words that take their amount straight after them: "down 50%",
/// "dropped about 35%", "rose 8%".
pub(super) const DIRECT: List = List {
    bit: 1 << 3,
    words: &[
        "down",
        "up",
        "dropped",
        "fell",
        "rose",
        "grew",
        "climbed",
        "jumped",
        "declined",
        "dipped",
        "decreased",
        "increased",
        "improved",
        "shrank",
        "saved",
        "saving",
        "saves",
        "gained",
    ],
};

/// Prepositions that put a number as the new level of a change: "dropped to
/// 2 s", "fell below 200 ms", "back above 99.8%".
pub(super) const TO_LEVEL: List = List {
    bit: 1 << 4,
    words: &["to", "below", "under", "above", "over"],
};

/// Words that make the change after them a goal, a plan, a condition or a
/// guess: "would drop to", "the goal was to cut", "if it went over", "we
/// hoped to get".
pub(super) const HYPOTHETICAL: List = List {
    bit: 1 << 5,
    words: &[
        "would",
        "could",
        "should",
        "might",
        "must",
        "will",
        "shall",
        "i'd",
        "we'd",
        "it'd",
        "they'd",
        "you'd",
        "that'd",
        "i'll",
        "we'll",
        "it'll",
        "they'll",
        "aim",
        "aimed",
        "aiming",
        "aims",
        "target",
        "targets",
        "goal",
        "goals",
        "hope",
        "hoped",
        "hopes",
        "hoping",
        "hopefully",
        "expect",
        "expected",
        "expects",
        "expecting",
        "projected",
        "projection",
        "estimate",
        "estimated",
        "estimates",
        "plan",
        "planned",
        "plans",
        "want",
        "wanted",
        "wants",
        "assume",
        "assumed",
        "assuming",
        "if",
        "unless",
        "asked",
        "promised",
        "supposed",
        "proposed",
        "propose",
        "proposing",
        "suggested",
        "suggest",
    ],
};

/// Things one sets or builds rather than outcomes: a change to one of them
/// ("raised the pool size from 20 to 60", "4 replicas now") is the work, not
/// its result.
pub(super) const SETTINGS: List = List {
    bit: 1 << 6,
    words: &[
        "pool",
        "batch",
        "batches",
        "timeout",
        "ttl",
        "debounce",
        "interval",
        "threshold",
        "thresholds",
        "limit",
        "limits",
        "quota",
        "quotas",
        "replica",
        "replicas",
        "workers",
        "shards",
        "partitions",
        "nodes",
        "pods",
        "instances",
        "concurrency",
        "parallelism",
        "sampling",
        "rollout",
        "heap",
        "buffer",
        "traffic",
    ],
};

/// Parts of what was built: a count of them ("40 services", "four parts")
/// is the shape of the system, and a change in it ("from 12 services to 4")
/// is the work, not its result.
pub(super) const PARTS: List = List {
    bit: 1 << 7,
    words: &[
        "services",
        "microservices",
        "clusters",
        "regions",
        "components",
        "parts",
        "endpoints",
        "screens",
        "fields",
        "tasks",
        "steps",
        "tables",
        "repos",
        "repositories",
    ],
};

/// Irregular past forms that tell what happened (regular ones end in "-ed").
pub(super) const PAST: List = List {
    bit: 1 << 9,
    words: &[
        "was", "were", "became", "got", "ran", "went", "came", "took", "did", "made", "saw",
        "kept", "built", "cut", "brought", "grew", "fell", "rose", "won",
    ],
};

/// Verbs that state a level: "boot time is now 2.4 s", "sessions were back
/// above 99.8%".
pub(super) const BE: List = List {
    bit: 1 << 10,
    words: &[
        "is", "was", "were", "are", "stayed", "stays", "remained", "remains", "stood", "sat",
        "sits",
    ],
};

/// Comparatives after a number that compare with before: "9% higher", "3x
/// faster", "12 fewer incidents".
pub(super) const COMPARED: List = List {
    bit: 1 << 11,
    words: &[
        "higher", "lower", "faster", "slower", "quicker", "cheaper", "smaller", "shorter", "fewer",
        "less", "better", "bigger", "larger",
    ],
};

/// Nouns of change after an amount: "a 27% lift", "a 40% reduction".
pub(super) const CHANGE_NOUNS: List = List {
    bit: 1 << 12,
    words: &[
        "lift",
        "increase",
        "reduction",
        "improvement",
        "drop",
        "decrease",
        "gain",
        "saving",
        "savings",
        "speedup",
        "decline",
        "jump",
        "rise",
        "growth",
        "boost",
        "cut",
    ],
};

/// Nouns that make an amount a target rather than a level: "a 60 ms
/// budget".
pub(super) const TARGETS: List = List {
    bit: 1 << 13,
    words: &[
        "budget",
        "target",
        "goal",
        "limit",
        "sla",
        "slo",
        "threshold",
    ],
};

/// Words whose negation makes the numbers of their sentence unmeasured: "it
/// should save maybe 2 hours, we never measured".
pub(super) const MEASURED: List = List {
    bit: 1 << 14,
    words: &[
        "measured",
        "measure",
        "measuring",
        "tracked",
        "track",
        "checked",
        "verified",
        "counted",
    ],
};

/// Verbs of checking that report what was found: "found zero mismatches".
pub(super) const FOUND: List = List {
    bit: 1 << 15,
    words: &[
        "found", "saw", "seen", "recorded", "measured", "counted", "reported", "logged",
    ],
};

/// Adverbs that may sit between a subject or auxiliary and its verb.
pub(super) const ADVERBS: List = List {
    bit: 1 << 16,
    words: &[
        "also",
        "then",
        "just",
        "already",
        "finally",
        "actually",
        "really",
        "steadily",
        "slowly",
        "quickly",
        "basically",
        "eventually",
        "gradually",
    ],
};

/// Conjunctions that start a new clause, past which a goal word does not
/// reach.
pub(super) const CLAUSE_WORDS: List = List {
    bit: 1 << 17,
    words: &[
        "but", "although", "though", "however", "whereas", "so", "because", "until", "unless",
    ],
};

/// Units glued to a number that the cue file's units do not cover: sizes,
/// rates, current. "2GB" is an amount; "3rd", "2fa" and "4xx" are not.
pub(super) const DATA_UNITS: &[&str] = &[
    "kb", "mb", "gb", "tb", "pb", "kib", "mib", "gib", "mbps", "gbps", "rps", "qps", "tps", "fps",
    "ma", "mah", "kwh", "wh",
];

/// How far (tokens) a change word may stand before its "from", "by" or "to".
pub(super) const CHANGE_REACH: usize = 7;

/// How far (tokens) before a change word a goal or modal word reaches.
pub(super) const HYPO_REACH: usize = 5;

/// How far (tokens) before a stated level an estimate word reaches, to
/// cover the level's subject ("the projected lifetime ... is now").
pub(super) const LEVEL_REACH: usize = 20;

#[cfg(test)]
mod tests {
    #[test]
    fn every_list_has_a_bit_of_its_own() {
        let declared: usize = [include_str!("words.rs"), include_str!("outcomes.rs")]
            .iter()
            .map(|source| source.matches(concat!(": List", " = List {")).count())
            .sum();
        assert_eq!(declared, super::ALL.len(), "a list is missing from ALL");
        let mut seen = 0u32;
        for l in super::ALL {
            assert_eq!(l.bit.count_ones(), 1);
            assert_eq!(seen & l.bit, 0, "two lists share a bit");
            seen |= l.bit;
        }
    }
}
