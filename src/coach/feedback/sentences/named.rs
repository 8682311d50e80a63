//! The sentence features with a fixed name: position, length, person,
//! tense and the other facts [`features`](super::features) reads off a
//! piece, each a row name in the model file.
//!
//! They are an enum rather than strings so that a compiled model resolves
//! each to its weight row once, at load, and reading a piece indexes a table
//! instead of hashing a name (about twenty such features per piece).

/// Declares [`Named`] with the model-file name of each variant.
macro_rules! named {
    ($($id:ident = $name:literal,)*) => {
        /// A feature with a fixed name (see the module docs).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Named {
            $($id,)*
        }

        impl Named {
            /// Every variant, in declaration order (`ALL[n as usize] == n`).
            pub const ALL: &'static [Named] = &[$(Named::$id,)*];

            /// The row name in the model file.
            pub fn name(self) -> &'static str {
                match self {
                    $(Named::$id => $name,)*
                }
            }
        }
    };
}

named! {
    Bias = "bias",
    PosOnly = "pos:only",
    PosFirst = "pos:first",
    PosLast = "pos:last",
    PosEarly = "pos:early",
    PosMiddle = "pos:middle",
    PosLate = "pos:late",
    NumPercent = "num:percent",
    NumYear = "num:year",
    AtName = "at-name",
    StartsPast = "starts-past",
    Len1To3 = "len:1-3",
    Len4To8 = "len:4-8",
    Len9To20 = "len:9-20",
    Len21Plus = "len:21+",
    Content0 = "content:0",
    Content1 = "content:1",
    Content2To3 = "content:2-3",
    Content4Plus = "content:4+",
    SubjI = "subj:i",
    SubjWe = "subj:we",
    SubjThey = "subj:they",
    SubjYou = "subj:you",
    SubjNone = "subj:none",
    TensePast = "tense:past",
    TensePast2 = "tense:past2",
    TensePresent = "tense:present",
    TenseFuture = "tense:future",
    TenseCond = "tense:cond",
    TenseIng = "tense:ing",
    TenseNone = "tense:none",
    IPast = "i+past",
    WePast = "we+past",
    ICond = "i+cond",
    IFuture = "i+future",
    IPresent = "i+present",
    WeCond = "we+cond",
    NoOnePast = "noone+past",
    NoOnePresent = "noone+present",
    They = "they",
    You = "you",
    NumAny = "num:any",
    Num2Plus = "num:2+",
    NumPast = "num+past",
    NumFromTo = "num:from-to",
    Name = "name",
    Question = "question",
    Filler = "filler",
    Hedge = "hedge",
    Negation = "negation",
    GoalFrame = "goal-frame",
    NegMeasure = "negation+measure",
    AnsSpecLow = "answer-specific:low",
    AnsSpecMid = "answer-specific:mid",
    AnsSpecHigh = "answer-specific:high",
    AnsDenseLow = "answer-dense:low",
    AnsDenseMid = "answer-dense:mid",
    AnsDenseHigh = "answer-dense:high",
}

#[cfg(test)]
mod tests {
    use super::Named;

    #[test]
    fn all_is_in_declaration_order_and_names_are_unique() {
        for (k, n) in Named::ALL.iter().enumerate() {
            assert_eq!(*n as usize, k);
        }
        let mut names: Vec<&str> = Named::ALL.iter().map(|n| n.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Named::ALL.len());
    }
}
