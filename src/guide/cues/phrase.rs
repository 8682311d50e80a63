//! The phrase syntax: words, tokenized like answers, and `...`, `<Name>`,
//! `<number>` and a leading `^` (sentence start).

use super::Elem;
use crate::guide::words::tokenize;

/// Parses one phrase into its elements and whether it is anchored.
pub(crate) fn parse_phrase(src: &str) -> Result<(Vec<Elem>, bool), String> {
    let mut text = src.trim();
    let anchored = text.starts_with('^');
    if anchored {
        text = text[1..].trim_start();
    }
    let mut elems = Vec::new();
    for piece in text.split_whitespace() {
        match piece {
            "..." | "…" => {
                if matches!(elems.last(), None | Some(Elem::Gap)) {
                    return Err("`...` must come between words".into());
                }
                elems.push(Elem::Gap);
            }
            "<Name>" => elems.push(Elem::Name),
            "<number>" => elems.push(Elem::Number),
            p if p.starts_with('<') && p.ends_with('>') => {
                return Err(format!(
                    "unknown placeholder `{p}`; use <Name>, <number>, `...` or a leading ^"
                ))
            }
            p => {
                let t = tokenize(p);
                if t.len() == 0 {
                    return Err(format!("`{p}` has no words in it"));
                }
                for i in 0..t.len() {
                    elems.push(Elem::Lit(t.norm(i).into()));
                }
            }
        }
    }
    match elems.last() {
        None => Err("empty phrase".into()),
        Some(Elem::Gap) => Err("`...` must come between words".into()),
        Some(_) => Ok((elems, anchored)),
    }
}
