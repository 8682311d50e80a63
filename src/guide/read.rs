//! A small reader over toml's spanned document tree.
//!
//! serde's derive stops at the first problem in a file, but a moderator fixing a
//! guide wants every problem at once, each with its position. So guide files are
//! parsed into [`toml::de::DeTable`] (which keeps a byte span for every key and
//! value) and read field by field here, collecting errors as they are found.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

pub use super::source::{Diagnostics, GuideError, SourceFile, Text};
use super::suggest;

/// Reads one TOML table. Every getter records the key it asked for, so that
/// [`Fields::finish`] can report the keys nobody asked for as unknown fields,
/// together with the closest known key.
pub struct Fields<'t, 'i> {
    table: &'t DeTable<'i>,
    span: Range<usize>,
    /// How errors name this table, e.g. "question `tell-me-about-yourself`".
    what: String,
    known: Vec<&'static str>,
}

fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl<'t, 'i> Fields<'t, 'i> {
    pub fn new(table: &'t DeTable<'i>, span: Range<usize>, what: impl Into<String>) -> Self {
        Fields {
            table,
            span,
            what: what.into(),
            known: Vec::new(),
        }
    }

    /// Renames the table in later messages, once its id is known.
    pub fn set_what(&mut self, what: impl Into<String>) {
        self.what = what.into();
    }

    pub fn what(&self) -> &str {
        &self.what
    }

    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    pub fn has(&self, key: &str) -> bool {
        self.table.get(key).is_some()
    }

    fn lookup(&mut self, key: &'static str) -> Option<&'t Spanned<DeValue<'i>>> {
        if !self.known.contains(&key) {
            self.known.push(key);
        }
        self.table.get(key)
    }

    fn missing(&self, diags: &mut Diagnostics<'_>, key: &str) {
        diags.at(
            &self.span,
            format!("{} is missing the required field `{key}`", self.what),
        );
    }

    fn wrong_type(
        &self,
        diags: &mut Diagnostics<'_>,
        key: &str,
        expected: &str,
        found: &Spanned<DeValue<'_>>,
    ) {
        diags.at(
            &found.span(),
            format!(
                "`{key}` in {} must be {expected}, found {}",
                self.what,
                type_name(found.get_ref())
            ),
        );
    }

    pub fn opt_text(&mut self, diags: &mut Diagnostics<'_>, key: &'static str) -> Option<Text> {
        let value = self.lookup(key)?;
        match value.get_ref() {
            DeValue::String(s) => Some(Text {
                value: s.to_string(),
                span: value.span(),
            }),
            _ => {
                self.wrong_type(diags, key, "a string", value);
                None
            }
        }
    }

    /// An optional string that, when written, must not be blank.
    pub fn opt_nonblank_text(
        &mut self,
        diags: &mut Diagnostics<'_>,
        key: &'static str,
    ) -> Option<Text> {
        let text = self.opt_text(diags, key)?;
        if text.value.trim().is_empty() {
            diags.at(
                &text.span,
                format!("`{key}` in {} must not be empty", self.what),
            );
            return None;
        }
        Some(text)
    }

    /// A required, non-blank string.
    pub fn text(&mut self, diags: &mut Diagnostics<'_>, key: &'static str) -> Option<Text> {
        let present = self.has(key);
        let text = self.opt_text(diags, key);
        match text {
            Some(t) if t.value.trim().is_empty() => {
                diags.at(
                    &t.span,
                    format!("`{key}` in {} must not be empty", self.what),
                );
                None
            }
            Some(t) => Some(t),
            None => {
                if !present {
                    self.missing(diags, key);
                }
                None
            }
        }
    }

    /// An optional list of non-blank strings; `None` when absent or invalid.
    pub fn opt_text_list(
        &mut self,
        diags: &mut Diagnostics<'_>,
        key: &'static str,
    ) -> Option<Vec<Text>> {
        let value = self.lookup(key)?;
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(diags, key, "a list of strings", value);
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) if s.trim().is_empty() => {
                    diags.at(
                        &item.span(),
                        format!("`{key}` in {} has an empty entry", self.what),
                    );
                    ok = false;
                }
                DeValue::String(s) => out.push(Text {
                    value: s.to_string(),
                    span: item.span(),
                }),
                _ => {
                    diags.at(
                        &item.span(),
                        format!(
                            "`{key}` in {} must be a list of strings, found {} in it",
                            self.what,
                            type_name(item.get_ref())
                        ),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// A required, non-empty list of non-blank strings.
    pub fn text_list(
        &mut self,
        diags: &mut Diagnostics<'_>,
        key: &'static str,
    ) -> Option<Vec<Text>> {
        let present = self.has(key);
        match self.opt_text_list(diags, key) {
            Some(list) if list.is_empty() => {
                let span = self.table.get(key).map_or(self.span.clone(), |v| v.span());
                diags.at(&span, format!("`{key}` in {} must not be empty", self.what));
                None
            }
            Some(list) => Some(list),
            None => {
                if !present {
                    self.missing(diags, key);
                }
                None
            }
        }
    }

    pub fn opt_integer(
        &mut self,
        diags: &mut Diagnostics<'_>,
        key: &'static str,
    ) -> Option<(i64, Range<usize>)> {
        let value = self.lookup(key)?;
        match value.get_ref() {
            DeValue::Integer(i) => {
                match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
                    Ok(n) => Some((n, value.span())),
                    Err(_) => {
                        self.wrong_type(diags, key, "a whole number in range", value);
                        None
                    }
                }
            }
            _ => {
                self.wrong_type(diags, key, "an integer", value);
                None
            }
        }
    }

    pub fn opt_bool(&mut self, diags: &mut Diagnostics<'_>, key: &'static str) -> Option<bool> {
        let value = self.lookup(key)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(diags, key, "true or false", value);
                None
            }
        }
    }

    /// An optional `[min, max]` pair of non-negative integers.
    pub fn opt_int_pair(
        &mut self,
        diags: &mut Diagnostics<'_>,
        key: &'static str,
    ) -> Option<((u32, u32), Range<usize>)> {
        let value = self.lookup(key)?;
        let expected = "a pair of whole numbers like [150, 300]";
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(diags, key, expected, value);
            return None;
        };
        let numbers: Vec<u32> = items
            .iter()
            .filter_map(|item| match item.get_ref() {
                DeValue::Integer(i) => u32::from_str_radix(i.as_str(), i.radix()).ok(),
                _ => None,
            })
            .collect();
        match numbers.as_slice() {
            [min, max] if items.len() == 2 && min <= max => Some(((*min, *max), value.span())),
            [_, _] if items.len() == 2 => {
                diags.at(
                    &value.span(),
                    format!(
                        "`{key}` in {}: the first number must not exceed the second",
                        self.what
                    ),
                );
                None
            }
            _ => {
                self.wrong_type(diags, key, expected, value);
                None
            }
        }
    }

    /// An optional sub-table.
    pub fn opt_table(
        &mut self,
        diags: &mut Diagnostics<'_>,
        key: &'static str,
        what: impl Into<String>,
    ) -> Option<Fields<'t, 'i>> {
        let value = self.lookup(key)?;
        match value.get_ref() {
            DeValue::Table(t) => Some(Fields::new(t, value.span(), what)),
            _ => {
                self.wrong_type(diags, key, "a table", value);
                None
            }
        }
    }

    /// The entries of an array of tables (`[[key]]`), each with its span.
    /// `None` when absent; wrong types are reported.
    pub fn opt_tables(
        &mut self,
        diags: &mut Diagnostics<'_>,
        key: &'static str,
        what: &str,
    ) -> Option<Vec<Fields<'t, 'i>>> {
        let value = self.lookup(key)?;
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(diags, key, "an array of tables", value);
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item.get_ref() {
                DeValue::Table(t) => out.push(Fields::new(
                    t,
                    item.span(),
                    format!("{what} #{} in {}", i + 1, self.what),
                )),
                other => diags.at(
                    &item.span(),
                    format!(
                        "`{key}` in {} must hold tables, found {}",
                        self.what,
                        type_name(other)
                    ),
                ),
            }
        }
        Some(out)
    }

    /// Every key/value pair of this table whose value is a list of strings,
    /// for free-form maps such as a role's synonyms.
    pub fn string_list_map(&self, diags: &mut Diagnostics<'_>) -> Vec<(Text, Vec<Text>)> {
        let mut out = Vec::new();
        for (key, value) in self.table.iter() {
            let key_text = Text {
                value: key.get_ref().to_string(),
                span: key.span(),
            };
            match value.get_ref() {
                DeValue::Array(items) => {
                    let mut list = Vec::new();
                    for item in items.iter() {
                        match item.get_ref() {
                            DeValue::String(s) if !s.trim().is_empty() => list.push(Text {
                                value: s.to_string(),
                                span: item.span(),
                            }),
                            _ => diags.at(
                                &item.span(),
                                format!(
                                    "`{}` in {} must be a list of non-empty strings",
                                    key.get_ref(),
                                    self.what
                                ),
                            ),
                        }
                    }
                    out.push((key_text, list));
                }
                other => diags.at(
                    &value.span(),
                    format!(
                        "`{}` in {} must be a list of strings, found {}",
                        key.get_ref(),
                        self.what,
                        type_name(other)
                    ),
                ),
            }
        }
        out
    }

    /// Reports every key that no getter asked for.
    pub fn finish(self, diags: &mut Diagnostics<'_>) {
        for (key, _) in self.table.iter() {
            let name = key.get_ref().as_ref();
            if self.known.contains(&name) {
                continue;
            }
            let hint = match suggest::closest(name, self.known.iter().copied(), 1).first() {
                Some(best) => format!("; did you mean `{best}`?"),
                None => format!("; expected one of: {}", self.known.join(", ")),
            };
            diags.at(
                &key.span(),
                format!("unknown field `{name}` in {}{hint}", self.what),
            );
        }
    }
}

/// Parses a guide file into its spanned table, reporting every syntax error.
pub fn parse<'i>(
    file: &'i SourceFile,
    diags: &mut Diagnostics<'_>,
) -> Option<Spanned<DeTable<'i>>> {
    let (table, errors) = DeTable::parse_recoverable(&file.text);
    if errors.is_empty() {
        return Some(table);
    }
    for error in errors {
        let offset = error.span().map_or(0, |s| s.start);
        let message = error.message().trim().replace('\n', " ");
        diags
            .errors
            .push(file.error_at(offset, format!("invalid TOML: {message}")));
    }
    None
}
