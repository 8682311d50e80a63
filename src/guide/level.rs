//! Seniority levels a question is written for. A question without `levels`
//! in its guide suits every level; `/ask`, `/mock` and `practice` can ask
//! for one level, and then offer only the questions that list it.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// New graduates and people in their first job in the field.
    Junior,
    Mid,
    Senior,
    /// Staff and principal: technical direction across teams.
    Staff,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Junior, Level::Mid, Level::Senior, Level::Staff];

    /// The id used in guide files and command options.
    pub fn id(self) -> &'static str {
        match self {
            Level::Junior => "junior",
            Level::Mid => "mid",
            Level::Senior => "senior",
            Level::Staff => "staff",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Level::Junior => "Junior / new graduate",
            Level::Mid => "Mid-level",
            Level::Senior => "Senior",
            Level::Staff => "Staff / principal",
        }
    }

    /// Reads what a person or a guide writes; a few common words for the
    /// same level are accepted ("graduate", "principal").
    pub fn parse(s: &str) -> Option<Level> {
        let s = s.trim().to_lowercase().replace([' ', '_'], "-");
        Some(match s.as_str() {
            "junior" | "graduate" | "new-grad" | "new-graduate" | "entry" | "entry-level" => {
                Level::Junior
            }
            "mid" | "mid-level" | "intermediate" => Level::Mid,
            "senior" => Level::Senior,
            "staff" | "principal" | "staff-plus" => Level::Staff,
            _ => return None,
        })
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_common_words_parse() {
        for level in Level::ALL {
            assert_eq!(Level::parse(level.id()), Some(level));
        }
        assert_eq!(Level::parse("New Grad"), Some(Level::Junior));
        assert_eq!(Level::parse("principal"), Some(Level::Staff));
        assert_eq!(Level::parse("lead"), None);
    }
}
