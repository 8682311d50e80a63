//! Discord's OpenAPI description: route lookup and a small JSON-Schema validator.
//!
//! The validator covers exactly the keywords `openapi.json` uses in request bodies
//! (counted with a script over the file: `type`, `$ref`, `properties`, `required`,
//! `additionalProperties`, `enum`, `const`, `minLength`/`maxLength`, `minItems`/`maxItems`,
//! `uniqueItems`, `minProperties`/`maxProperties`, `minimum`/`maximum`, `pattern`,
//! `oneOf`/`anyOf`/`allOf`, `items`, `format`). Annotations (`title`, `description`,
//! `contentEncoding`, `x-discord-union`, ...) are ignored, as are unknown keywords.
//!
//! Errors are reported with Discord's own error codes (`BASE_TYPE_MAX_LENGTH`, ...) so the
//! 400 answers look like what the real API sends back as `Invalid Form Body`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;
use serde_json::{Map, Value};

/// Environment variable that overrides where `openapi.json` is read from.
pub const SPEC_ENV_VAR: &str = "DISCORD_API_SPEC";

/// Where the spec lives when [`SPEC_ENV_VAR`] is not set: the copy vendored in this
/// crate (`discord-api-spec/`, MIT, with its licence file), so a fresh clone needs nothing
/// beside it. Found through the running test's `CARGO_MANIFEST_DIR` (this crate's or the
/// bot's, whose tests use it) before the directory this crate was compiled in: cargo may
/// reuse a build of this crate made from another checkout of the repository, whose
/// compile-time path can be gone.
pub fn default_spec_path() -> PathBuf {
    if let Some(p) = std::env::var_os(SPEC_ENV_VAR) {
        return PathBuf::from(p);
    }
    const VENDORED: &str = "discord-api-spec/openapi.json";
    let compiled_in = Path::new(env!("CARGO_MANIFEST_DIR")).join(VENDORED);
    let running = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let candidates = running.iter().flat_map(|dir| {
        [
            dir.join(VENDORED),
            dir.join("tests/fake-discord").join(VENDORED),
        ]
    });
    candidates
        .chain(std::iter::once(compiled_in.clone()))
        .find(|p| p.is_file())
        .unwrap_or(compiled_in)
}

/// Fields where Discord's documentation and behaviour (a permission bitfield serialized as a
/// decimal string, which is what serenity sends) disagree with the OpenAPI description (which
/// says `integer`). Real Discord accepts the string, so the validator does too.
const STRING_ENCODED_INTEGER_FIELDS: &[&str] =
    &["default_member_permissions", "permissions", "allow", "deny"];

/// One schema violation, located by a JSON path into the request body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    /// Path segments from the body root (`["embeds", "0", "title"]`).
    pub path: Vec<String>,
    /// Discord's error code for this kind of failure (`BASE_TYPE_MAX_LENGTH`, ...).
    pub code: &'static str,
    /// Human-readable explanation, in Discord's wording where one is known.
    pub message: String,
}

impl SchemaError {
    /// `embeds[0].title`-style rendering of [`Self::path`], `<body>` for the root.
    pub fn dotted_path(&self) -> String {
        dotted(&self.path)
    }
}

/// Renders path segments as `a.b[0].c`.
pub fn dotted(path: &[String]) -> String {
    if path.is_empty() {
        return "<body>".to_string();
    }
    let mut out = String::new();
    for seg in path {
        if seg.parse::<usize>().is_ok() {
            out.push('[');
            out.push_str(seg);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(seg);
        }
    }
    out
}

/// The result of mapping a concrete request path onto the spec's path templates.
#[derive(Clone, Debug)]
pub struct PathMatch {
    /// The OpenAPI template, e.g. `/channels/{channel_id}/messages`.
    pub template: String,
    /// Path parameters in order of appearance.
    pub params: Vec<(String, String)>,
}

#[derive(Default)]
struct TrieNode {
    literal: HashMap<String, usize>,
    params: Vec<(String, usize)>,
    template: Option<String>,
}

/// A loaded OpenAPI document with its path table and compiled regexes.
pub struct Spec {
    doc: Value,
    nodes: Vec<TrieNode>,
    patterns: HashMap<String, Regex>,
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec")
            .field("paths", &self.nodes.len())
            .finish()
    }
}

impl Spec {
    /// Loads (once per process and path) and returns the spec. Parsing 1.2 MB of JSON per
    /// test would dominate short tests, so the parsed document is shared.
    pub fn load_cached(path: &Path) -> Result<Arc<Spec>, String> {
        static CACHE: OnceLock<Mutex<HashMap<PathBuf, Arc<Spec>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        let key = path.to_path_buf();
        if let Some(spec) = cache.lock().unwrap().get(&key) {
            return Ok(spec.clone());
        }
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "fake-discord: cannot read Discord's OpenAPI description at {} ({e}); \
                 set {SPEC_ENV_VAR} to its location",
                path.display()
            )
        })?;
        let doc: Value = serde_json::from_str(&text)
            .map_err(|e| format!("fake-discord: {} is not JSON: {e}", path.display()))?;
        let spec = Arc::new(Spec::from_value(doc)?);
        cache.lock().unwrap().insert(key, spec.clone());
        Ok(spec)
    }

    /// Builds a spec from an already parsed document.
    pub fn from_value(doc: Value) -> Result<Spec, String> {
        let mut nodes = vec![TrieNode::default()];
        let paths = doc
            .get("paths")
            .and_then(Value::as_object)
            .ok_or("OpenAPI document has no `paths`")?;
        for template in paths.keys() {
            let mut cur = 0;
            for seg in template.trim_start_matches('/').split('/') {
                let next =
                    if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        match nodes[cur].params.iter().find(|(n, _)| n == name) {
                            Some((_, idx)) => *idx,
                            None => {
                                nodes.push(TrieNode::default());
                                let idx = nodes.len() - 1;
                                nodes[cur].params.push((name.to_string(), idx));
                                idx
                            }
                        }
                    } else {
                        match nodes[cur].literal.get(seg) {
                            Some(idx) => *idx,
                            None => {
                                nodes.push(TrieNode::default());
                                let idx = nodes.len() - 1;
                                nodes[cur].literal.insert(seg.to_string(), idx);
                                idx
                            }
                        }
                    };
                cur = next;
            }
            nodes[cur].template = Some(template.clone());
        }
        let mut patterns = HashMap::new();
        collect_patterns(&doc, &mut patterns)?;
        Ok(Spec {
            doc,
            nodes,
            patterns,
        })
    }

    /// Maps a concrete path (without the `/api/v10` prefix) to its template. Literal segments
    /// win over parameters, so `/messages/@original` does not match `/messages/{message_id}`.
    pub fn match_path(&self, path: &str) -> Option<PathMatch> {
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let mut params = Vec::new();
        let node = self.match_from(0, &segs, &mut params)?;
        Some(PathMatch {
            template: self.nodes[node].template.clone()?,
            params,
        })
    }

    fn match_from(
        &self,
        node: usize,
        segs: &[&str],
        params: &mut Vec<(String, String)>,
    ) -> Option<usize> {
        let Some((first, rest)) = segs.split_first() else {
            return self.nodes[node].template.as_ref().map(|_| node);
        };
        if let Some(&next) = self.nodes[node].literal.get(*first) {
            if let Some(found) = self.match_from(next, rest, params) {
                return Some(found);
            }
        }
        if first.is_empty() {
            return None;
        }
        for (name, next) in &self.nodes[node].params {
            params.push((name.clone(), (*first).to_string()));
            if let Some(found) = self.match_from(*next, rest, params) {
                return Some(found);
            }
            params.pop();
        }
        None
    }

    /// Whether the template defines the given (lower-case) method.
    pub fn has_operation(&self, template: &str, method: &str) -> bool {
        self.doc["paths"][template].get(method).is_some()
    }

    /// The JSON request-body schema of an operation and whether a body is required.
    pub fn request_schema(&self, template: &str, method: &str) -> Option<(&Value, bool)> {
        let body = self.doc["paths"][template]
            .get(method)?
            .get("requestBody")?;
        let schema = body
            .get("content")?
            .get("application/json")?
            .get("schema")?;
        let required = body
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        Some((schema, required))
    }

    /// A named schema from `#/components/schemas`.
    pub fn component(&self, name: &str) -> Option<&Value> {
        self.doc["components"]["schemas"].get(name)
    }

    /// Validates `value` against `schema`, returning every error found.
    pub fn validate(&self, value: &Value, schema: &Value) -> Vec<SchemaError> {
        let mut errors = Vec::new();
        let mut path = Vec::new();
        self.check(value, schema, &mut path, None, 0, &mut errors);
        errors
    }

    fn resolve<'a>(&'a self, reference: &str) -> Option<&'a Value> {
        let name = reference.strip_prefix("#/components/schemas/")?;
        self.component(name)
    }

    #[allow(clippy::too_many_arguments)]
    fn check(
        &self,
        v: &Value,
        s: &Value,
        path: &mut Vec<String>,
        prop: Option<&str>,
        depth: usize,
        errors: &mut Vec<SchemaError>,
    ) {
        let Some(s) = s.as_object() else {
            // `true`/`false` schemas.
            if s == &Value::Bool(false) {
                errors.push(err(
                    path,
                    "BASE_TYPE_INVALID",
                    "No value is allowed here.".into(),
                ));
            }
            return;
        };
        if depth > 64 {
            errors.push(err(
                path,
                "BASE_TYPE_INVALID",
                "Value is nested too deeply.".into(),
            ));
            return;
        }
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            match self.resolve(r) {
                Some(target) => self.check(v, target, path, prop, depth + 1, errors),
                None => errors.push(err(path, "SCHEMA", format!("unresolvable $ref {r}"))),
            }
        }
        if let Some(t) = s.get("type") {
            if !type_matches(v, t, prop) {
                errors.push(type_error(path, v, t));
                // Further keywords would only repeat the same complaint.
                return;
            }
        }
        if let Some(c) = s.get("const") {
            if !json_eq(v, c) {
                errors.push(err(
                    path,
                    "BASE_TYPE_CHOICES",
                    format!("Value must be one of ({c},)."),
                ));
            }
        }
        if let Some(e) = s.get("enum").and_then(Value::as_array) {
            if !e.iter().any(|c| json_eq(v, c)) {
                let list: Vec<String> = e.iter().map(Value::to_string).collect();
                errors.push(err(
                    path,
                    "BASE_TYPE_CHOICES",
                    format!("Value must be one of {{{}}}.", list.join(", ")),
                ));
            }
        }
        match v {
            Value::String(text) => self.check_string(text, s, path, prop, errors),
            Value::Number(_) => check_number(v, s, path, prop, errors),
            Value::Array(items) => self.check_array(items, s, path, depth, errors),
            Value::Object(map) => self.check_object(map, s, path, depth, errors),
            _ => {}
        }
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            for sub in all {
                self.check(v, sub, path, prop, depth + 1, errors);
            }
        }
        if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
            self.check_union(v, any, false, path, prop, depth, errors);
        }
        if let Some(one) = s.get("oneOf").and_then(Value::as_array) {
            self.check_union(v, one, true, path, prop, depth, errors);
        }
    }

    fn check_string(
        &self,
        text: &str,
        s: &Map<String, Value>,
        path: &[String],
        prop: Option<&str>,
        errors: &mut Vec<SchemaError>,
    ) {
        // Discord counts characters (code points), not bytes.
        let len = text.chars().count() as u64;
        if let Some(max) = s.get("maxLength").and_then(Value::as_u64) {
            if len > max {
                errors.push(err(
                    path,
                    "BASE_TYPE_MAX_LENGTH",
                    format!("Must be {max} or fewer in length."),
                ));
            }
        }
        if let Some(min) = s.get("minLength").and_then(Value::as_u64) {
            if len < min {
                errors.push(err(
                    path,
                    "BASE_TYPE_MIN_LENGTH",
                    format!("Must be {min} or more in length."),
                ));
            }
        }
        if let Some(p) = s.get("pattern").and_then(Value::as_str) {
            let is_lenient_int = prop.is_some_and(|p| STRING_ENCODED_INTEGER_FIELDS.contains(&p));
            if let Some(re) = self.patterns.get(p) {
                if !re.is_match(text) && !is_lenient_int {
                    errors.push(err(
                        path,
                        "STRING_TYPE_REGEX",
                        format!("String value did not match validation regex {p}."),
                    ));
                }
            }
        }
        match s.get("format").and_then(Value::as_str) {
            Some("snowflake") if text.parse::<u64>().is_err() => {
                errors.push(err(
                    path,
                    "NUMBER_TYPE_COERCE",
                    format!("Value \"{text}\" is not snowflake."),
                ));
            }
            Some("date-time") if !is_rfc3339(text) => {
                errors.push(err(
                    path,
                    "DATE_TIME_TYPE_PARSE",
                    format!("Could not parse {text}. Should be ISO8601."),
                ));
            }
            Some("uri") if !is_uri(text) => {
                errors.push(err(
                    path,
                    "URL_TYPE_INVALID_URL",
                    "Not a well formed URL.".into(),
                ));
            }
            // A string standing in for an integer (see STRING_ENCODED_INTEGER_FIELDS) still has
            // to be one.
            _ => {}
        }
        if let (Some(t), Some(p)) = (s.get("type"), prop) {
            if STRING_ENCODED_INTEGER_FIELDS.contains(&p) && !type_allows(t, "string") {
                match text.parse::<u64>() {
                    Ok(n) => check_number(&Value::from(n), s, path, prop, errors),
                    Err(_) => errors.push(err(
                        path,
                        "NUMBER_TYPE_COERCE",
                        format!("Value \"{text}\" is not int."),
                    )),
                }
            }
        }
    }

    fn check_array(
        &self,
        items: &[Value],
        s: &Map<String, Value>,
        path: &mut Vec<String>,
        depth: usize,
        errors: &mut Vec<SchemaError>,
    ) {
        let len = items.len() as u64;
        if let Some(max) = s.get("maxItems").and_then(Value::as_u64) {
            if len > max {
                errors.push(err(
                    path,
                    "BASE_TYPE_MAX_LENGTH",
                    format!("Must be {max} or fewer in length."),
                ));
            }
        }
        if let Some(min) = s.get("minItems").and_then(Value::as_u64) {
            if len < min {
                errors.push(err(
                    path,
                    "BASE_TYPE_MIN_LENGTH",
                    format!("Must be {min} or more in length."),
                ));
            }
        }
        if s.get("uniqueItems").and_then(Value::as_bool) == Some(true) {
            // Small arrays (<= a few hundred) in practice; a pairwise check keeps `1` == `1.0`
            // semantics without hashing floats.
            'outer: for (i, a) in items.iter().enumerate() {
                for b in &items[..i] {
                    if json_eq(a, b) {
                        errors.push(err(
                            path,
                            "LIST_ITEM_VALUE_DUPLICATE",
                            format!("Duplicate value {a} in list."),
                        ));
                        break 'outer;
                    }
                }
            }
        }
        if let Some(item_schema) = s.get("items") {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                self.check(item, item_schema, path, None, depth + 1, errors);
                path.pop();
            }
        }
    }

    fn check_object(
        &self,
        map: &Map<String, Value>,
        s: &Map<String, Value>,
        path: &mut Vec<String>,
        depth: usize,
        errors: &mut Vec<SchemaError>,
    ) {
        if let Some(req) = s.get("required").and_then(Value::as_array) {
            for name in req.iter().filter_map(Value::as_str) {
                if !map.contains_key(name) {
                    path.push(name.to_string());
                    errors.push(err(
                        path,
                        "BASE_TYPE_REQUIRED",
                        "This field is required".into(),
                    ));
                    path.pop();
                }
            }
        }
        let len = map.len() as u64;
        if let Some(max) = s.get("maxProperties").and_then(Value::as_u64) {
            if len > max {
                errors.push(err(
                    path,
                    "BASE_TYPE_MAX_LENGTH",
                    format!("Must be {max} or fewer in length."),
                ));
            }
        }
        if let Some(min) = s.get("minProperties").and_then(Value::as_u64) {
            if len < min {
                errors.push(err(
                    path,
                    "BASE_TYPE_MIN_LENGTH",
                    format!("Must be {min} or more in length."),
                ));
            }
        }
        let props = s.get("properties").and_then(Value::as_object);
        let additional = s.get("additionalProperties");
        for (key, val) in map {
            path.push(key.clone());
            if let Some(prop_schema) = props.and_then(|p| p.get(key)) {
                self.check(val, prop_schema, path, Some(key), depth + 1, errors);
            } else if let Some(extra) = additional {
                if extra == &Value::Bool(false) {
                    errors.push(err(
                        path,
                        "UNKNOWN_FIELD",
                        format!("Unknown field \"{key}\"."),
                    ));
                } else {
                    self.check(val, extra, path, Some(key), depth + 1, errors);
                }
            }
            path.pop();
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn check_union(
        &self,
        v: &Value,
        alternatives: &[Value],
        exactly_one: bool,
        path: &mut Vec<String>,
        prop: Option<&str>,
        depth: usize,
        errors: &mut Vec<SchemaError>,
    ) {
        let mut matched = 0usize;
        let mut attempts: Vec<Vec<SchemaError>> = Vec::with_capacity(alternatives.len());
        for alt in alternatives {
            let mut errs = Vec::new();
            self.check(v, alt, path, prop, depth + 1, &mut errs);
            if errs.is_empty() {
                matched += 1;
                if !exactly_one {
                    return;
                }
            }
            attempts.push(errs);
        }
        if matched == 1 || (!exactly_one && matched > 0) {
            return;
        }
        if matched > 1 {
            errors.push(err(
                path,
                "UNION_TYPE_CHOICES",
                format!("Value matches {matched} alternatives of a oneOf; exactly one is allowed."),
            ));
            return;
        }
        // Nothing matched: report the alternative the sender most likely meant. An alternative
        // whose discriminator (a `type` const/enum of a direct property) does not match is
        // certainly not it; among the rest, the one whose errors sit deepest got furthest (a
        // button with a too long label fails deep inside the button schema).
        let depth_here = path.len();
        let best = attempts
            .into_iter()
            .map(|e| {
                let wrong_kind = e
                    .iter()
                    .any(|x| x.code == "BASE_TYPE_CHOICES" && x.path.len() == depth_here + 1);
                let deepest = e.iter().map(|x| x.path.len()).max().unwrap_or(0);
                (wrong_kind, deepest, e)
            })
            .max_by_key(|(wrong_kind, deepest, e)| {
                (!*wrong_kind, *deepest, std::cmp::Reverse(e.len()))
            });
        match best {
            Some((wrong_kind, deepest, errs))
                if alternatives.len() == 1 || (!wrong_kind && deepest > depth_here) =>
            {
                errors.extend(errs)
            }
            _ => {
                let consts: Option<Vec<String>> = alternatives
                    .iter()
                    .map(|a| a.get("const").map(Value::to_string))
                    .collect();
                let message = match consts {
                    Some(c) => format!("Value must be one of ({}).", c.join(", ")),
                    None => format!(
                        "Value {} does not match any of the {} allowed shapes.",
                        short(v),
                        alternatives.len()
                    ),
                };
                errors.push(err(
                    path,
                    if consts_only(alternatives) {
                        "BASE_TYPE_CHOICES"
                    } else {
                        "UNION_TYPE_CHOICES"
                    },
                    message,
                ))
            }
        }
    }
}

fn consts_only(alternatives: &[Value]) -> bool {
    alternatives.iter().all(|a| a.get("const").is_some())
}

fn collect_patterns(v: &Value, out: &mut HashMap<String, Regex>) -> Result<(), String> {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(p)) = map.get("pattern") {
                if !out.contains_key(p) {
                    let re = Regex::new(p).map_err(|e| format!("bad pattern {p} in spec: {e}"))?;
                    out.insert(p.clone(), re);
                }
            }
            for (k, child) in map {
                // Property *names* can be "pattern"; their values are schemas and are walked too.
                let _ = k;
                collect_patterns(child, out)?;
            }
        }
        Value::Array(items) => {
            for child in items {
                collect_patterns(child, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn err(path: &[String], code: &'static str, message: String) -> SchemaError {
    SchemaError {
        path: path.to_vec(),
        code,
        message,
    }
}

fn type_allows(t: &Value, name: &str) -> bool {
    match t {
        Value::String(s) => s == name,
        Value::Array(list) => list.iter().any(|x| x.as_str() == Some(name)),
        _ => true,
    }
}

fn is_integer(v: &Value) -> bool {
    match v {
        Value::Number(n) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

fn type_matches(v: &Value, t: &Value, prop: Option<&str>) -> bool {
    let one = |name: &str| match name {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "integer" => {
            is_integer(v)
                || (v.is_string()
                    && prop.is_some_and(|p| STRING_ENCODED_INTEGER_FIELDS.contains(&p)))
        }
        _ => true,
    };
    match t {
        Value::String(name) => one(name),
        Value::Array(list) => list.iter().filter_map(Value::as_str).any(one),
        _ => true,
    }
}

fn type_error(path: &[String], v: &Value, t: &Value) -> SchemaError {
    let expected = match t {
        Value::String(s) => s.clone(),
        Value::Array(list) => list
            .iter()
            .filter_map(Value::as_str)
            .filter(|s| *s != "null")
            .collect::<Vec<_>>()
            .join("|"),
        _ => String::new(),
    };
    let shown = short(v);
    let (code, message) = match expected.as_str() {
        "integer" => ("NUMBER_TYPE_COERCE", format!("Value {shown} is not int.")),
        "number" => (
            "NUMBER_TYPE_COERCE",
            format!("Value {shown} is not a valid number."),
        ),
        "string" => (
            "STRING_TYPE_CONVERT",
            format!("Could not interpret {shown} as string."),
        ),
        "boolean" => (
            "BOOLEAN_TYPE_CONVERT",
            format!("Value {shown} is not a boolean."),
        ),
        "object" => (
            "MODEL_TYPE_CONVERT",
            "Only dictionaries may be used in a ModelType".to_string(),
        ),
        "array" => (
            "LIST_TYPE_CONVERT",
            "Only iterables may be used in a ListType".to_string(),
        ),
        "" => ("BASE_TYPE_REQUIRED", "This field is required".to_string()),
        other => (
            "BASE_TYPE_INVALID",
            format!("Value {shown} is not of type {other}."),
        ),
    };
    err(path, code, message)
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}...", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

fn as_i128(v: &Value) -> Option<i128> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 1e38)
                    .map(|f| f as i128)
            }),
        _ => None,
    }
}

/// Compares numbers exactly when both are integers (the spec's bounds go up to 2^63, beyond
/// what `f64` represents exactly), and as `f64` otherwise.
fn num_cmp(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (as_i128(a), as_i128(b)) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

fn check_number(
    v: &Value,
    s: &Map<String, Value>,
    path: &[String],
    _prop: Option<&str>,
    errors: &mut Vec<SchemaError>,
) {
    use std::cmp::Ordering::{Greater, Less};
    let kind = if is_integer(v) { "int" } else { "float" };
    if let Some(max) = s.get("maximum") {
        if num_cmp(v, max) == Some(Greater) {
            errors.push(err(
                path,
                "NUMBER_TYPE_MAX",
                format!("{kind} value should be less than or equal to {max}."),
            ));
        }
    }
    if let Some(min) = s.get("minimum") {
        if num_cmp(v, min) == Some(Less) {
            errors.push(err(
                path,
                "NUMBER_TYPE_MIN",
                format!("{kind} value should be greater than or equal to {min}."),
            ));
        }
    }
    let range = match s.get("format").and_then(Value::as_str) {
        Some("int32") => Some((i32::MIN as i128, i32::MAX as i128)),
        Some("int64") => Some((i64::MIN as i128, i64::MAX as i128)),
        _ => None,
    };
    if let (Some((lo, hi)), Some(n)) = (range, as_i128(v)) {
        if n < lo || n > hi {
            errors.push(err(
                path,
                "NUMBER_TYPE_COERCE",
                format!("Value {v} is out of range for its integer format."),
            ));
        }
    }
}

/// JSON equality where `1` and `1.0` are the same number, as JSON Schema requires.
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => num_cmp(a, b) == Some(std::cmp::Ordering::Equal),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, p)| y.get(k).is_some_and(|q| json_eq(p, q)))
        }
        _ => a == b,
    }
}

fn is_rfc3339(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$")
            .unwrap()
    })
    .is_match(s)
}

fn is_uri(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$").unwrap())
        .is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Arc<Spec> {
        Spec::load_cached(&default_spec_path()).expect("openapi.json loads")
    }

    fn mini(schemas: Value) -> Spec {
        Spec::from_value(json!({"paths": {}, "components": {"schemas": schemas}})).unwrap()
    }

    fn codes(errs: &[SchemaError]) -> Vec<(String, &'static str)> {
        errs.iter().map(|e| (e.dotted_path(), e.code)).collect()
    }

    #[test]
    fn types_including_arrays_of_types_and_null() {
        let s = mini(json!({}));
        let schema = json!({"type": ["string", "null"]});
        assert!(s.validate(&json!("x"), &schema).is_empty());
        assert!(s.validate(&json!(null), &schema).is_empty());
        assert_eq!(
            codes(&s.validate(&json!(1), &schema)),
            vec![("<body>".into(), "STRING_TYPE_CONVERT")]
        );
        let int = json!({"type": "integer"});
        assert!(s.validate(&json!(3), &int).is_empty());
        assert!(
            s.validate(&json!(3.0), &int).is_empty(),
            "3.0 is an integer in JSON Schema"
        );
        assert!(!s.validate(&json!(3.5), &int).is_empty());
        assert!(!s.validate(&json!("3"), &int).is_empty());
        assert!(s
            .validate(&json!(3.5), &json!({"type": "number"}))
            .is_empty());
        assert!(!s.validate(&json!({}), &json!({"type": "array"})).is_empty());
        assert!(!s
            .validate(&json!([]), &json!({"type": "object"}))
            .is_empty());
        assert!(!s
            .validate(&json!(0), &json!({"type": "boolean"}))
            .is_empty());
        assert!(!s
            .validate(&json!(false), &json!({"type": "null"}))
            .is_empty());
    }

    #[test]
    fn refs_properties_required_additional() {
        let s = mini(json!({
            "Inner": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
            "Outer": {"type": "object", "properties": {"inner": {"$ref": "#/components/schemas/Inner"}},
                      "additionalProperties": false}
        }));
        let outer = json!({"$ref": "#/components/schemas/Outer"});
        assert!(s.validate(&json!({"inner": {"n": 1}}), &outer).is_empty());
        assert_eq!(
            codes(&s.validate(&json!({"inner": {}}), &outer)),
            vec![("inner.n".into(), "BASE_TYPE_REQUIRED")]
        );
        assert_eq!(
            codes(&s.validate(&json!({"inner": {"n": "x"}, "zzz": 1}), &outer)),
            vec![
                ("inner.n".into(), "NUMBER_TYPE_COERCE"),
                ("zzz".into(), "UNKNOWN_FIELD")
            ]
        );
        let map =
            json!({"type": "object", "additionalProperties": {"type": "string", "maxLength": 2}});
        assert!(s.validate(&json!({"a": "xy"}), &map).is_empty());
        assert_eq!(
            codes(&s.validate(&json!({"a": "xyz"}), &map)),
            vec![("a".into(), "BASE_TYPE_MAX_LENGTH")]
        );
    }

    #[test]
    fn enum_const_lengths_counted_in_chars() {
        let s = mini(json!({}));
        assert!(s.validate(&json!(4), &json!({"enum": [4, 5]})).is_empty());
        assert!(!s.validate(&json!(6), &json!({"enum": [4, 5]})).is_empty());
        assert!(s.validate(&json!(1.0), &json!({"const": 1})).is_empty());
        assert!(!s.validate(&json!(2), &json!({"const": 1})).is_empty());
        let len = json!({"type": "string", "minLength": 1, "maxLength": 3});
        assert!(
            s.validate(&json!("ééé"), &len).is_empty(),
            "3 chars although 6 bytes"
        );
        assert_eq!(
            codes(&s.validate(&json!("éééé"), &len)),
            vec![("<body>".into(), "BASE_TYPE_MAX_LENGTH")]
        );
        assert_eq!(
            codes(&s.validate(&json!(""), &len)),
            vec![("<body>".into(), "BASE_TYPE_MIN_LENGTH")]
        );
        let arr = json!({"type": "array", "minItems": 1, "maxItems": 2, "uniqueItems": true});
        assert!(s.validate(&json!([1, 2]), &arr).is_empty());
        assert!(!s.validate(&json!([]), &arr).is_empty());
        assert!(!s.validate(&json!([1, 2, 3]), &arr).is_empty());
        assert!(!s.validate(&json!([1, 1]), &arr).is_empty());
        let props = json!({"type": "object", "maxProperties": 1, "minProperties": 1});
        assert!(s.validate(&json!({"a": 1}), &props).is_empty());
        assert!(!s.validate(&json!({}), &props).is_empty());
        assert!(!s.validate(&json!({"a": 1, "b": 2}), &props).is_empty());
    }

    #[test]
    fn numbers_bounds_and_formats() {
        let s = mini(json!({}));
        let color = json!({"type": "integer", "minimum": 0, "maximum": 16777215});
        assert!(s.validate(&json!(16777215), &color).is_empty());
        assert_eq!(
            codes(&s.validate(&json!(16777216), &color)),
            vec![("<body>".into(), "NUMBER_TYPE_MAX")]
        );
        assert_eq!(
            codes(&s.validate(&json!(-1), &color)),
            vec![("<body>".into(), "NUMBER_TYPE_MIN")]
        );
        let i64s = json!({"type": "integer", "minimum": -9223372036854775808i64, "maximum": 9223372036854775807i64, "format": "int64"});
        assert!(s.validate(&json!(9223372036854775807i64), &i64s).is_empty());
        assert!(!s.validate(&json!(9223372036854775808u64), &i64s).is_empty());
        let i32s = json!({"type": "integer", "format": "int32"});
        assert!(s.validate(&json!(2147483647), &i32s).is_empty());
        assert!(!s.validate(&json!(2147483648i64), &i32s).is_empty());
        let snow = json!({"type": "string", "pattern": "^(0|[1-9][0-9]*)$", "format": "snowflake"});
        let s2 =
            Spec::from_value(json!({"paths": {}, "components": {"schemas": {"S": snow.clone()}}}))
                .unwrap();
        assert!(s2.validate(&json!("1234567890123"), &snow).is_empty());
        assert!(!s2.validate(&json!("12a"), &snow).is_empty());
        assert!(
            !s2.validate(&json!("99999999999999999999999"), &snow)
                .is_empty(),
            "beyond u64"
        );
        assert!(
            !s2.validate(&json!(123), &snow).is_empty(),
            "snowflakes are strings"
        );
        assert!(s
            .validate(
                &json!("2024-05-01T12:00:00.000Z"),
                &json!({"format": "date-time"})
            )
            .is_empty());
        assert!(!s
            .validate(&json!("yesterday"), &json!({"format": "date-time"}))
            .is_empty());
        assert!(s
            .validate(&json!("https://example.com/x"), &json!({"format": "uri"}))
            .is_empty());
        assert!(!s
            .validate(&json!("not a url"), &json!({"format": "uri"}))
            .is_empty());
    }

    #[test]
    fn unions() {
        let s = mini(json!({}));
        let one = json!({"oneOf": [{"type": "null"}, {"type": "integer", "minimum": 0}]});
        assert!(s.validate(&json!(null), &one).is_empty());
        assert!(s.validate(&json!(1), &one).is_empty());
        assert!(!s.validate(&json!(-1), &one).is_empty());
        assert!(!s.validate(&json!("x"), &one).is_empty());
        let overlapping = json!({"oneOf": [{"type": "integer"}, {"type": "number"}]});
        assert_eq!(
            codes(&s.validate(&json!(1), &overlapping)),
            vec![("<body>".into(), "UNION_TYPE_CHOICES")],
            "oneOf means exactly one"
        );
        let any = json!({"anyOf": [{"type": "integer"}, {"type": "number"}]});
        assert!(s.validate(&json!(1), &any).is_empty());
        let all = json!({"allOf": [{"type": "integer"}, {"minimum": 3}]});
        assert!(s.validate(&json!(3), &all).is_empty());
        assert!(!s.validate(&json!(2), &all).is_empty());
    }

    #[test]
    fn string_encoded_permission_bitfields_are_accepted() {
        let s = mini(json!({}));
        let cmd = json!({"type": "object", "properties": {
            "default_member_permissions": {"type": ["integer", "null"], "minimum": 0, "maximum": 100}}});
        assert!(s
            .validate(&json!({"default_member_permissions": "32"}), &cmd)
            .is_empty());
        assert!(s
            .validate(&json!({"default_member_permissions": 32}), &cmd)
            .is_empty());
        assert!(!s
            .validate(&json!({"default_member_permissions": "x"}), &cmd)
            .is_empty());
        assert!(!s
            .validate(&json!({"default_member_permissions": "101"}), &cmd)
            .is_empty());
    }

    #[test]
    fn routes_map_to_templates_preferring_literals() {
        let spec = spec();
        let m = spec.match_path("/channels/123/messages").unwrap();
        assert_eq!(m.template, "/channels/{channel_id}/messages");
        assert_eq!(
            m.params,
            vec![("channel_id".to_string(), "123".to_string())]
        );
        let m = spec
            .match_path("/webhooks/1/tok/messages/@original")
            .unwrap();
        assert_eq!(
            m.template,
            "/webhooks/{webhook_id}/{webhook_token}/messages/@original"
        );
        let m = spec.match_path("/webhooks/1/tok/messages/55").unwrap();
        assert_eq!(
            m.template,
            "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"
        );
        assert_eq!(
            spec.match_path("/users/@me").unwrap().template,
            "/users/@me"
        );
        assert_eq!(
            spec.match_path("/gateway/bot").unwrap().template,
            "/gateway/bot"
        );
        assert!(spec.match_path("/nonsense/1").is_none());
        assert!(spec.match_path("/channels//messages").is_none());
    }

    #[test]
    fn real_message_schema_accepts_valid_and_rejects_invalid() {
        let spec = spec();
        let (schema, _) = spec
            .request_schema("/channels/{channel_id}/messages", "post")
            .unwrap();
        let ok = json!({
            "content": "hello", "tts": false, "flags": 0, "nonce": "123",
            "embeds": [{"title": "t", "description": "d", "color": 5, "fields": [{"name": "a", "value": "b", "inline": true}],
                        "footer": {"text": "f"}, "timestamp": "2024-01-01T00:00:00Z"}],
            "components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "Go", "custom_id": "go"}]}],
            "allowed_mentions": {"parse": [], "users": [], "roles": []},
            "message_reference": {"message_id": "1", "fail_if_not_exists": false}
        });
        assert_eq!(spec.validate(&ok, schema), vec![]);
        let bad = json!({
            "content": "x".repeat(4001),
            "embeds": [{"title": "t".repeat(257)}],
            "components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "L".repeat(81), "custom_id": "go"}]}],
            "allowed_mentions": {"parse": ["nobody"]}
        });
        let got = codes(&spec.validate(&bad, schema));
        assert!(
            got.contains(&("content".into(), "BASE_TYPE_MAX_LENGTH")),
            "{got:?}"
        );
        assert!(
            got.contains(&("embeds[0].title".into(), "BASE_TYPE_MAX_LENGTH")),
            "{got:?}"
        );
        assert!(
            got.contains(&(
                "components[0].components[0].label".into(),
                "BASE_TYPE_MAX_LENGTH"
            )),
            "{got:?}"
        );
        assert!(
            got.iter()
                .any(|(p, _)| p.starts_with("allowed_mentions.parse[0]")),
            "{got:?}"
        );
    }

    #[test]
    fn real_callback_and_thread_schemas() {
        let spec = spec();
        let (cb, _) = spec
            .request_schema(
                "/interactions/{interaction_id}/{interaction_token}/callback",
                "post",
            )
            .unwrap();
        for ok in [
            json!({"type": 4, "data": {"content": "hi", "flags": 64, "allowed_mentions": {"parse": []}}}),
            json!({"type": 5, "data": {"flags": 64}}),
            json!({"type": 6}),
            json!({"type": 7, "data": {"content": "updated", "components": []}}),
            json!({"type": 8, "data": {"choices": [{"name": "Rust", "value": "rust"}]}}),
            json!({"type": 9, "data": {"custom_id": "m", "title": "Answer", "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": "a", "style": 2, "label": "Your answer", "max_length": 4000}]}]}}),
        ] {
            assert_eq!(spec.validate(&ok, cb), vec![], "{ok}");
        }
        for bad in [
            json!({"type": 3}),
            json!({"data": {"content": "no type"}}),
            json!({"type": 4, "data": {"content": "x".repeat(2001)}}),
            json!({"type": 9, "data": {"custom_id": "m", "title": "t".repeat(46), "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": "a", "style": 2, "label": "x"}]}]}}),
            json!({"type": 8, "data": {"choices": [{"name": "n".repeat(101), "value": "v"}]}}),
        ] {
            assert!(!spec.validate(&bad, cb).is_empty(), "should reject {bad}");
        }
        let (th, _) = spec
            .request_schema("/channels/{channel_id}/threads", "post")
            .unwrap();
        assert_eq!(
            spec.validate(
                &json!({"name": "Interview", "type": 12, "auto_archive_duration": 1440}),
                th
            ),
            vec![]
        );
        assert!(!spec
            .validate(&json!({"name": "", "type": 12}), th)
            .is_empty());
        assert!(!spec
            .validate(
                &json!({"name": "x", "type": 12, "auto_archive_duration": 5}),
                th
            )
            .is_empty());
        let (cmds, _) = spec
            .request_schema("/applications/{application_id}/commands", "put")
            .unwrap();
        let poise_like = json!([{
            "name": "practice", "description": "Start a practice session", "type": 1,
            "name_localizations": {}, "description_localizations": {},
            "default_member_permissions": "32", "dm_permission": null, "nsfw": false,
            "integration_types": null, "contexts": null,
            "options": [{"type": 3, "name": "role", "description": "Role", "required": true,
                         "autocomplete": true, "choices": [], "min_length": null, "max_length": 100,
                         "name_localizations": {}, "description_localizations": {}},
                        {"type": 4, "name": "n", "description": "How many", "required": false,
                         "min_value": null, "max_value": 10, "choices": []},
                        {"type": 1, "name": "sub", "description": "A sub", "options": []}]
        }]);
        assert_eq!(spec.validate(&poise_like, cmds), vec![]);
        assert!(!spec
            .validate(&json!([{"name": "n".repeat(33), "description": "d"}]), cmds)
            .is_empty());
    }
}
