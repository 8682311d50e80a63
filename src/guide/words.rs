//! How text is split into words, for cue phrases and answers alike.
//!
//! The cue file's phrases are validated here in the guide layer and matched
//! against answers by the coach; both go through this one tokenizer, so a
//! phrase such as "trade-off" or "Node.js" is compared token by token with
//! the answer and the two never disagree about where a word ends. Text is
//! normalised once (lowercase, curly apostrophes made straight) into one
//! buffer; tokens are byte ranges into it and into the original text, so the
//! analyser compares `&str` slices without allocating per word.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Word,
    Number,
    /// `,` `;` `:` brackets and dashes: they end a clause, which is the scope of
    /// a negation.
    Clause,
    /// `.` `!` `?`: they end a sentence; cue gaps never cross one.
    Sentence,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    pub kind: Kind,
    pub orig_start: u32,
    pub orig_end: u32,
    pub norm_start: u32,
    pub norm_end: u32,
    pub sentence: u32,
    pub clause: u32,
    /// First word of its sentence: "At" in "At Acme, ..." is not a name, and
    /// `^` cues only match here.
    pub sentence_start: bool,
    pub capitalised: bool,
}

pub(crate) struct Tokens<'a> {
    src: &'a str,
    norm: String,
    pub toks: Vec<Token>,
    /// Whitespace-separated chunks with a letter or digit in them.
    pub words: u32,
}

/// Abbreviations whose full stop does not end a sentence when the text goes on
/// in lower case ("e.g. latency", "at 3 a.m. on a Sunday").
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "etc", "vs", "a.m", "p.m", "approx", "incl", "cf",
];

/// Conjunctions that start a new clause: "we had no dashboards but cut errors
/// by 30%" must not carry the "no" over to the 30%, nor "I didn't want more
/// servers, so I cut latency by 40%" the "didn't".
fn is_clause_word(w: &str) -> bool {
    matches!(
        w,
        "but"
            | "although"
            | "though"
            | "however"
            | "whereas"
            | "so"
            | "because"
            | "until"
            | "unless"
    )
}

pub(crate) fn is_currency(c: char) -> bool {
    matches!(c, '$' | '€' | '£' | '¥')
}

#[inline]
fn push_norm(norm: &mut String, c: char) {
    if c.is_ascii() {
        norm.push(c.to_ascii_lowercase());
    } else if matches!(c, '’' | '‘') {
        norm.push('\'');
    } else {
        norm.extend(c.to_lowercase());
    }
}

impl Token {
    /// A token over `orig` in the answer and `norm` in its normalised text,
    /// not at a sentence start and not capitalised until said otherwise.
    fn at(
        kind: Kind,
        orig: (usize, usize),
        norm: (usize, usize),
        sentence: u32,
        clause: u32,
    ) -> Token {
        Token {
            kind,
            orig_start: to_u32(orig.0),
            orig_end: to_u32(orig.1),
            norm_start: to_u32(norm.0),
            norm_end: to_u32(norm.1),
            sentence,
            clause,
            sentence_start: false,
            capitalised: false,
        }
    }
}

fn to_u32(n: usize) -> u32 {
    // Answers are capped far below 4 GiB by Discord and the CLI; saturating
    // keeps the tokenizer total without a panic path.
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl<'a> Tokens<'a> {
    /// The text the tokens were read from.
    pub fn src(&self) -> &'a str {
        self.src
    }

    pub fn len(&self) -> usize {
        self.toks.len()
    }

    pub fn norm(&self, i: usize) -> &str {
        match self.toks.get(i) {
            Some(t) => self
                .norm
                .get(t.norm_start as usize..t.norm_end as usize)
                .unwrap_or(""),
            None => "",
        }
    }

    pub fn orig(&self, i: usize) -> &'a str {
        match self.toks.get(i) {
            Some(t) => self
                .src
                .get(t.orig_start as usize..t.orig_end as usize)
                .unwrap_or(""),
            None => "",
        }
    }

    /// Original text from token `a` up to and including token `b - 1`.
    pub fn orig_span(&self, a: usize, b: usize) -> &'a str {
        match (
            self.toks.get(a),
            b.checked_sub(1).and_then(|l| self.toks.get(l)),
        ) {
            (Some(s), Some(e)) if b > a => self
                .src
                .get(s.orig_start as usize..e.orig_end as usize)
                .unwrap_or(""),
            _ => "",
        }
    }

    pub fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    pub fn is_wordlike(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Word | Kind::Number))
    }

    /// The sentence around token `i`, trimmed to about `max` bytes around the
    /// token so an excerpt stays one readable line.
    pub fn excerpt(&self, start: usize, end: usize, max: usize) -> String {
        let Some(sentence) = self.toks.get(start).map(|t| t.sentence) else {
            return String::new();
        };
        let mut a = start;
        while a > 0 && self.toks[a - 1].sentence == sentence {
            a -= 1;
        }
        let mut b = end.max(start + 1).min(self.toks.len());
        while b < self.toks.len()
            && self.toks[b].sentence == sentence
            && self.toks[b].kind != Kind::Sentence
        {
            b += 1;
        }
        // Shrink from whichever side is further from the match until it fits.
        while self.orig_span(a, b).len() > max && (a < start || b > end) {
            if a < start && (start - a >= b.saturating_sub(end) || b <= end) {
                a += 1;
            } else if b > end {
                b -= 1;
            } else {
                break;
            }
        }
        while b > a + 1 && self.toks[b - 1].kind == Kind::Clause {
            b -= 1;
        }
        let mut out = String::new();
        if a > 0 && self.toks[a - 1].sentence == sentence {
            out.push('…');
        }
        out.push_str(self.orig_span(a, b));
        if b < self.toks.len()
            && self.toks[b].sentence == sentence
            && self.toks[b].kind != Kind::Sentence
        {
            out.push('…');
        }
        out
    }
}

pub(crate) fn tokenize(src: &str) -> Tokens<'_> {
    // `k` is a byte offset; ASCII (nearly all of an answer) is read straight
    // from the bytes, anything else decoded where it stands.
    let bytes = src.as_bytes();
    let at = |k: usize| match bytes.get(k) {
        Some(&b) if b < 0x80 => Some(char::from(b)),
        Some(_) => src.get(k..).and_then(|rest| rest.chars().next()),
        None => None,
    };
    let width = |c: char| c.len_utf8();
    let offset = |k: usize| k.min(src.len());
    let mut norm = String::with_capacity(src.len() + 8);
    let mut toks: Vec<Token> = Vec::with_capacity(src.len() / 4 + 4);
    let mut sentence = 0u32;
    let mut clause = 0u32;
    let mut at_sentence_start = true;
    // Words as a listener hears them: whitespace-separated chunks with a
    // letter or digit, so "trade-off" and "Node.js" are one word each.
    let mut words = 0u32;
    let mut chunk_counted = false;
    let mut k = 0usize;
    while let Some(c) = at(k) {
        if c.is_whitespace() {
            chunk_counted = false;
            k += width(c);
            continue;
        }
        let next = at(k + width(c));
        let starts_number = is_currency(c) && next.is_some_and(|n| n.is_ascii_digit());
        if c.is_alphanumeric() || starts_number {
            if !chunk_counted {
                words += 1;
                chunk_counted = true;
            }
            let start = offset(k);
            let norm_start = norm.len();
            let mut prev = c;
            push_norm(&mut norm, c);
            k += width(c);
            loop {
                // Fast path: a run of ASCII letters and digits is copied and
                // lowercased in one go.
                let run = k;
                while bytes.get(k).is_some_and(u8::is_ascii_alphanumeric) {
                    k += 1;
                }
                if k > run {
                    let start = norm.len();
                    norm.push_str(&src[run..k]);
                    // Only ASCII was pushed, so byte-wise lowercasing is exact.
                    if let Some(tail) = norm.get_mut(start..) {
                        tail.make_ascii_lowercase();
                    }
                    prev = char::from(bytes[k - 1]);
                }
                let Some(c) = at(k) else { break };
                let next = at(k + width(c));
                let keep = if c.is_alphanumeric() {
                    true
                } else if matches!(c, '\'' | '’') {
                    // Contractions and possessives stay one word: "didn't",
                    // "team's"; a closing quote does not.
                    prev.is_alphanumeric() && next.is_some_and(char::is_alphabetic)
                } else if c == '.' {
                    // "Node.js", "3.5", "a.m" keep their inner dots.
                    prev.is_alphanumeric() && next.is_some_and(char::is_alphanumeric)
                } else if c == ',' {
                    // "1,200" is one number, "a,b" is two words.
                    prev.is_ascii_digit() && next.is_some_and(|n| n.is_ascii_digit())
                } else if c == '%' {
                    prev.is_ascii_digit()
                } else if matches!(c, '+' | '#') {
                    // "C++", "C#".
                    (prev.is_alphabetic() || prev == '+')
                        && !next.is_some_and(char::is_alphanumeric)
                } else {
                    false
                };
                if !keep {
                    break;
                }
                push_norm(&mut norm, c);
                prev = c;
                k += width(c);
                if c == '%' {
                    break;
                }
            }
            let text = &norm[norm_start..];
            let kind = if c.is_ascii_digit() || starts_number {
                Kind::Number
            } else {
                Kind::Word
            };
            if kind == Kind::Word && !at_sentence_start && is_clause_word(text) {
                clause += 1;
            }
            toks.push(Token {
                sentence_start: at_sentence_start,
                capitalised: c.is_uppercase(),
                ..Token::at(
                    kind,
                    (start, offset(k)),
                    (norm_start, norm.len()),
                    sentence,
                    clause,
                )
            });
            at_sentence_start = false;
            continue;
        }
        let start = offset(k);
        k += width(c);
        let punct = match c {
            '.' | '!' | '?' | '…' => {
                let run_start = start;
                while let Some(n) = at(k).filter(|n| matches!(n, '.' | '!' | '?' | '…')) {
                    k += width(n);
                }
                let mut a = k;
                while let Some(n) = at(a).filter(|n| n.is_whitespace()) {
                    a += width(n);
                }
                let after = at(a);
                let after_prev_word = toks.last().filter(|t| t.kind == Kind::Word).map(|t| {
                    norm.get(t.norm_start as usize..t.norm_end as usize)
                        .unwrap_or("")
                });
                let abbreviation = c == '.'
                    && k == run_start + 1
                    && after_prev_word.is_some_and(|w| ABBREVIATIONS.contains(&w))
                    && after.is_some_and(|a| !a.is_uppercase());
                if abbreviation {
                    continue;
                }
                Some((Kind::Sentence, '.'))
            }
            ',' | ';' | ':' | '(' | ')' | '[' | ']' => Some((Kind::Clause, c)),
            '—' | '–' => Some((Kind::Clause, '-')),
            // A hyphen inside a word only splits it ("trade-off" is two
            // tokens, in cues and answers alike); a free-standing one is a
            // dash.
            '-' if next.is_none_or(char::is_whitespace) => Some((Kind::Clause, '-')),
            _ => None,
        };
        let Some((kind, shown)) = punct else {
            continue;
        };
        if kind == Kind::Sentence && toks.last().is_none_or(|t| t.kind == Kind::Sentence) {
            // No empty sentences: ".." after a sentence end, or a leading ".".
            continue;
        }
        let norm_start = norm.len();
        norm.push(shown);
        toks.push(Token::at(
            kind,
            (start, offset(k)),
            (norm_start, norm.len()),
            sentence,
            clause,
        ));
        clause += 1;
        if kind == Kind::Sentence {
            sentence += 1;
            at_sentence_start = true;
        }
    }
    Tokens {
        src,
        norm,
        toks,
        words,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        let t = tokenize(s);
        (0..t.len()).map(|i| t.norm(i).to_string()).collect()
    }

    #[test]
    fn keeps_technical_words_and_numbers_whole() {
        assert_eq!(
            words("Node.js cut p95 by 42%, saving $1.2M and 1,200 hours; C++ didn't."),
            [
                "node.js", "cut", "p95", "by", "42%", ",", "saving", "$1.2m", "and", "1,200",
                "hours", ";", "c++", "didn't", "."
            ]
        );
    }

    #[test]
    fn hyphens_split_and_curly_apostrophes_straighten() {
        assert_eq!(
            words("the trade-off I’d make"),
            ["the", "trade", "off", "i'd", "make"]
        );
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        let t = tokenize("At 3 a.m. on Sunday, e.g. now. Then more.");
        let sentences: Vec<u32> = t.toks.iter().map(|t| t.sentence).collect();
        // at 3 a.m on sunday , e.g now .
        assert_eq!(sentences.iter().filter(|&&s| s == 0).count(), 9);
        assert!(t.toks.iter().any(|t| t.sentence == 1));
    }

    #[test]
    fn conjunctions_start_a_clause() {
        let t = tokenize("we had no dashboards but cut errors");
        assert_ne!(t.toks[2].clause, t.toks[5].clause);
    }

    #[test]
    fn counts_words_as_heard() {
        assert_eq!(tokenize("The trade-off, in Node.js: 42 % — fine!").words, 6);
        assert_eq!(tokenize("  ").words, 0);
    }

    #[test]
    fn excerpt_stays_in_its_sentence() {
        let t = tokenize("First one. As a result, latency fell. Next.");
        let e = t.excerpt(3, 6, 200);
        assert_eq!(e, "As a result, latency fell");
    }
}
