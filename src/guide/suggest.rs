//! "Did you mean …?" for role names, question ids and guide keys.

/// Edit distance between two strings, by characters.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Up to `max` candidates close to `input`, best first. A candidate counts as
/// close when it starts with the input (someone typing "back" for "backend"), or
/// when the edit distance is small next to the word's length, so that
/// unrelated words are never suggested just to fill the list.
pub fn closest<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    max: usize,
) -> Vec<&'a str> {
    let input = input.trim().to_lowercase();
    if input.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(usize, &'a str)> = candidates
        .into_iter()
        .filter_map(|c| {
            let lower = c.to_lowercase();
            if lower == input {
                return Some((0, c));
            }
            if lower.starts_with(&input) || input.starts_with(&lower) {
                return Some((1, c));
            }
            let d = distance(&input, &lower);
            let allowed = (input.chars().count().max(lower.chars().count()) / 3).max(1);
            (d <= allowed).then_some((d + 1, c))
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    let mut out: Vec<&str> = Vec::new();
    for (_, c) in scored {
        if !out.contains(&c) {
            out.push(c);
        }
        if out.len() == max {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("backend", "backend"), 0);
        assert_eq!(distance("bakend", "backend"), 1);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn suggests_typos_and_prefixes_but_not_noise() {
        let roles = ["backend", "frontend", "qa", "security"];
        assert_eq!(closest("bakend", roles, 3), vec!["backend"]);
        assert_eq!(closest("front", roles, 3), vec!["frontend"]);
        assert!(closest("zzzzzz", roles, 3).is_empty());
    }
}
