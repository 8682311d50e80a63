//! Placeholders in guide text: `{role}`, `{field}`, `{focus}`, `{skills}`,
//! `{metrics}`, `{stakeholders}`, filled from a role's vocabulary, and
//! `{a_role}` / `{a_field}`, the same with "a" or "an" in front (so a template
//! reads right for "an Engineering Manager" and "a Backend Engineer").
//! `{{` and `}}` stand for literal braces. Also the list and count wording
//! ([`join_list`], [`plural`]) that filled text and the messages share.
//!
//! A list placeholder can take fewer items, so a spoken question does not
//! recite a whole list: `{metrics:2}` is the first two ("latency and
//! uptime"), `{metrics:or}` joins with "or", `{metrics:2:or}` both, and
//! `{metric}`, `{skill}`, `{stakeholder}` are the first item alone. A role
//! lists its terms most important first, so the first items are the ones
//! worth naming.

use std::ops::Range;

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

/// The placeholders that stand for a list, and their one-item forms.
const LISTS: [(&str, &str); 4] = [
    ("focus", "focus_area"),
    ("skills", "skill"),
    ("metrics", "metric"),
    ("stakeholders", "stakeholder"),
];

/// A placeholder as written: its name and, for a list, how much of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot<'a> {
    pub name: &'a str,
    /// At most this many items; `None` for the whole list.
    pub take: Option<usize>,
    /// Joined with "or" rather than "and".
    pub or: bool,
}

impl Slot<'_> {
    /// Whether it stands for a list (of any length, once filled).
    pub fn is_list(&self) -> bool {
        LISTS.iter().any(|(list, _)| *list == self.name)
    }
}

enum Piece<'a> {
    Literal(&'a str),
    /// The slot and the byte range of its braces in the text.
    Placeholder(Slot<'a>, Range<usize>),
}

/// Reads what is between the braces; `Err` says what is wrong with it.
fn slot(inside: &str) -> Result<Slot<'_>, String> {
    let mut parts = inside.split(':');
    let name = parts.next().unwrap_or_default();
    if let Some((list, _)) = LISTS.iter().find(|(_, one)| *one == name) {
        if inside != name {
            return Err(format!(
                "`{{{name}}}` is one item already; write `{{{list}:N}}` for more"
            ));
        }
        return Ok(Slot {
            name: list,
            take: Some(1),
            or: false,
        });
    }
    if !PLACEHOLDERS.contains(&name) {
        let known: Vec<String> = PLACEHOLDERS
            .iter()
            .chain(LISTS.iter().map(|(_, one)| one))
            .map(|p| format!("{{{p}}}"))
            .collect();
        return Err(format!(
            "unknown placeholder `{{{inside}}}`; known placeholders: {} (write `{{{{` for a literal brace)",
            known.join(", ")
        ));
    }
    let mut out = Slot {
        name,
        take: None,
        or: false,
    };
    let modifiers: Vec<&str> = parts.collect();
    if modifiers.is_empty() {
        return Ok(out);
    }
    if !out.is_list() {
        return Err(format!(
            "`{{{name}}}` is not a list; it takes no `:` options"
        ));
    }
    let bad = || {
        format!("`{{{inside}}}`: after a list's name write `:N` (1 to 9 items), `:or`, or both, as in `{{{name}:2:or}}`")
    };
    match modifiers.as_slice() {
        [n] if *n == "or" => out.or = true,
        [n] => out.take = Some(count(n).ok_or_else(bad)?),
        [n, or] if *or == "or" => {
            out.take = Some(count(n).ok_or_else(bad)?);
            out.or = true;
        }
        _ => return Err(bad()),
    }
    Ok(out)
}

fn count(s: &str) -> Option<usize> {
    s.parse::<usize>().ok().filter(|n| (1..=9).contains(n))
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
                    match slot(&after[1..1 + end]) {
                        Ok(s) => out.push(Piece::Placeholder(s, base + i..base + i + end + 2)),
                        Err(message) => errors.push(PlaceholderError {
                            offset: base + i,
                            message,
                        }),
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

/// The placeholders in `text`, in order, each with the byte range of its
/// braces; nothing when the text has errors.
pub fn slots(text: &str) -> Vec<(Slot<'_>, Range<usize>)> {
    pieces(text)
        .map(|pieces| {
            pieces
                .into_iter()
                .filter_map(|p| match p {
                    Piece::Placeholder(s, at) => Some((s, at)),
                    Piece::Literal(_) => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// How many items a slot fills in for this vocabulary (1 for a word).
pub fn items(slot: Slot<'_>, vocab: &Vocabulary) -> usize {
    let list = match slot.name {
        "focus" => &vocab.focus,
        "skills" => &vocab.skills,
        "metrics" => &vocab.metrics,
        "stakeholders" => &vocab.stakeholders,
        _ => return 1,
    };
    slot.take.map_or(list.len(), |n| n.min(list.len()))
}

/// Where a text reads badly once filled: a question someone speaks that
/// recites more than two items of a list (`spoken`), or a list placeholder
/// that is itself one item of a list written around it ("impact on
/// {metrics}, risk, effort"). Each with the byte offset of its `{`.
pub fn awkward_lists(text: &str, vocab: &Vocabulary, spoken: bool) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (slot, at) in slots(text) {
        let n = items(slot, vocab);
        // One or two items read as one phrase ("latency or uptime"), even
        // as an item of a longer list.
        if n < 3 {
            continue;
        }
        let name = slot.name;
        if spoken && n > 2 {
            out.push((
                at.start,
                format!(
                    "`{{{name}}}` reads the role's whole list aloud; a spoken question names at most two: write `{{{name}:2}}`, `{{{name}:2:or}}` or `{{{}}}`",
                    LISTS.iter().find(|(l, _)| *l == name).map_or(name, |(_, one)| one)
                ),
            ));
            continue;
        }
        let before = text[..at.start].trim_end();
        let after = text[at.end..].trim_start();
        if after.starts_with(',') || before.ends_with(',') {
            out.push((
                at.start,
                format!("`{{{name}}}` is a list inside a list here; name one or two items (`{{{name}:2:or}}`) or move it to its own sentence"),
            ));
        }
    }
    out
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

/// Joins with "or": "a", "a or b", "a, b, or c".
pub fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        [init @ .., last] => format!("{}, or {last}", init.join(", ")),
    }
}

fn list_text(items: &[String], slot: Slot<'_>) -> String {
    let items = &items[..slot.take.map_or(items.len(), |n| n.min(items.len()))];
    if slot.or {
        join_or(items)
    } else {
        join_list(items)
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
            Piece::Placeholder(slot, _) => match slot.name {
                "role" => out.push_str(role_name),
                "a_role" => out.push_str(&with_article(role_name)),
                "field" => out.push_str(&vocab.field),
                "a_field" => out.push_str(&with_article(&vocab.field)),
                "focus" => out.push_str(&list_text(&vocab.focus, slot)),
                "skills" => out.push_str(&list_text(&vocab.skills, slot)),
                "metrics" => out.push_str(&list_text(&vocab.metrics, slot)),
                "stakeholders" => out.push_str(&list_text(&vocab.stakeholders, slot)),
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
    fn list_placeholders_take_fewer_items_and_join_with_or() {
        let v = vocab();
        let fill = |t: &str| fill(t, "R", &v).unwrap();
        assert_eq!(fill("{metrics:2}"), "latency and uptime");
        assert_eq!(fill("{metrics:or}"), "latency, uptime, or error rate");
        assert_eq!(fill("{metrics:2:or}"), "latency or uptime");
        assert_eq!(fill("{metric}; {skill}; {focus_area}"), "latency; Go; APIs");
        // More than the list has is the whole list.
        assert_eq!(fill("{skills:3}"), "Go");
        for bad in [
            "{metric:2}",
            "{role:2}",
            "{metrics:0}",
            "{metrics:and}",
            "{metrics:2:or:x}",
        ] {
            let errors = check(bad).unwrap_err();
            assert_eq!(errors.len(), 1, "{bad}");
            assert_eq!(errors[0].offset, 0, "{bad}");
        }
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
