//! Placeholders in guide text: `{role}`, `{field}`, `{focus}`, `{skills}`,
//! `{metrics}`, `{stakeholders}`, filled from a role's vocabulary, and
//! `{a_role}` / `{a_field}`, the same with "a" or "an" in front (so a template
//! reads right for "an Engineering Manager" and "a Backend Engineer").
//! `{{` and `}}` stand for literal braces. Also the list and count wording
//! ([`join_list`], [`plural`]) that filled text and the messages share.

use super::model::Vocabulary;

pub const PLACEHOLDERS: [&str; 8] = [
    "role",
    "a_role",
    "field",
    "a_field",
    "focus",
    "skills",
    "metrics",
    "stakeholders",
];

/// "a" or "an" before a word, by its first letter. Good enough for role and
/// field names; a guide can always write the article itself with `{role}`.
pub fn with_article(word: &str) -> String {
    let vowel = word
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {word}", if vowel { "an" } else { "a" })
}

/// A problem in a piece of template text, at a byte offset within the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceholderError {
    pub offset: usize,
    pub message: String,
}

enum Piece<'a> {
    Literal(&'a str),
    Placeholder(&'a str),
}

fn pieces(text: &str) -> Result<Vec<Piece<'_>>, Vec<PlaceholderError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut rest = text;
    let mut base = 0;
    // Braces and newlines are ASCII, so byte offsets from `memchr` are char
    // boundaries. `str::find` with a char set decoded every character and was a
    // fifth of loading 10,000 questions (BENCHMARKS.md).
    while let Some(i) = memchr::memchr2(b'{', b'}', rest.as_bytes()) {
        let (before, after) = rest.split_at(i);
        if !before.is_empty() {
            out.push(Piece::Literal(before));
        }
        let step = if after.starts_with("{{") {
            out.push(Piece::Literal("{"));
            2
        } else if after.starts_with("}}") {
            out.push(Piece::Literal("}"));
            2
        } else if after.starts_with('}') {
            // A lone closing brace cannot start a placeholder; keep it as text.
            out.push(Piece::Literal("}"));
            1
        } else {
            match memchr::memchr3(b'}', b'{', b'\n', &after.as_bytes()[1..]) {
                Some(end) if after.as_bytes()[1 + end] == b'}' => {
                    let name = &after[1..1 + end];
                    if PLACEHOLDERS.contains(&name) {
                        out.push(Piece::Placeholder(name));
                    } else {
                        errors.push(PlaceholderError {
                            offset: base + i,
                            message: format!(
                                "unknown placeholder `{{{name}}}`; known placeholders: {} (write `{{{{` for a literal brace)",
                                PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
                            ),
                        });
                    }
                    end + 2
                }
                _ => {
                    errors.push(PlaceholderError {
                        offset: base + i,
                        message: "unclosed `{`; write `{{` for a literal brace".to_string(),
                    });
                    1
                }
            }
        };
        base += i + step;
        rest = &rest[i + step..];
    }
    if !rest.is_empty() {
        out.push(Piece::Literal(rest));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Checks placeholder syntax and names without filling anything in.
pub fn check(text: &str) -> Result<(), Vec<PlaceholderError>> {
    pieces(text).map(|_| ())
}

/// "1 question", "2 questions": `word` with an "s" unless `n` is one. Here, at
/// the bottom layer, so guide counts, the coach's headlines and every front
/// end word counts alike.
pub fn plural(n: impl Into<u64>, word: &str) -> String {
    let n = n.into();
    let s = if n == 1 { "" } else { "s" };
    format!("{n} {word}{s}")
}

/// Joins a list the way a sentence does: "a", "a and b", "a, b, and c".
pub fn join_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [init @ .., last] => format!("{}, and {last}", init.join(", ")),
    }
}

/// Fills every placeholder from the role's vocabulary.
pub fn fill(
    text: &str,
    role_name: &str,
    vocab: &Vocabulary,
) -> Result<String, Vec<PlaceholderError>> {
    let mut out = String::with_capacity(text.len() + 64);
    for piece in pieces(text)? {
        match piece {
            Piece::Literal(s) => out.push_str(s),
            Piece::Placeholder(name) => match name {
                "role" => out.push_str(role_name),
                "a_role" => out.push_str(&with_article(role_name)),
                "field" => out.push_str(&vocab.field),
                "a_field" => out.push_str(&with_article(&vocab.field)),
                "focus" => out.push_str(&join_list(&vocab.focus)),
                "skills" => out.push_str(&join_list(&vocab.skills)),
                "metrics" => out.push_str(&join_list(&vocab.metrics)),
                "stakeholders" => out.push_str(&join_list(&vocab.stakeholders)),
                // `pieces` only yields known names.
                _ => {}
            },
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary {
            field: "backend engineering".into(),
            focus: vec!["APIs".into(), "databases".into()],
            skills: vec!["Go".into()],
            metrics: vec!["latency".into(), "uptime".into(), "error rate".into()],
            stakeholders: vec!["SRE".into()],
            synonyms: vec![],
        }
    }

    #[test]
    fn fills_every_placeholder() {
        let out = fill(
            "As a {role} in {field}: {focus}; {skills}; {metrics}; {stakeholders}.",
            "Backend Engineer",
            &vocab(),
        )
        .unwrap();
        assert_eq!(
            out,
            "As a Backend Engineer in backend engineering: APIs and databases; Go; latency, uptime, and error rate; SRE."
        );
    }

    #[test]
    fn articles_follow_the_first_letter() {
        assert_eq!(
            fill("as {a_role}", "Engineering Manager", &vocab()).unwrap(),
            "as an Engineering Manager"
        );
        assert_eq!(
            fill("about {a_field} call", "R", &vocab()).unwrap(),
            "about a backend engineering call"
        );
    }

    #[test]
    fn doubled_braces_are_literal() {
        assert_eq!(fill("{{role}} }}", "R", &vocab()).unwrap(), "{role} }");
    }

    #[test]
    fn unknown_and_unclosed_placeholders_are_reported_with_offsets() {
        let errors = check("ab {team} and {role").unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].offset, 3);
        assert!(errors[0]
            .message
            .starts_with("unknown placeholder `{team}`"));
        assert_eq!(errors[1].offset, 14);
        assert!(errors[1].message.starts_with("unclosed `{`"));
    }
}
