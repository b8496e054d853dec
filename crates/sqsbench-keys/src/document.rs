//! Reading what the user wrote, faithfully: the TOML document with every key's line, `--set`
//! overrides applied to it, and typed access that records a problem (key path, line, message)
//! instead of stopping, so every mistake in a file is reported at once. Unknown keys are problems.
//! Depends on nothing in the crate but `did_you_mean`.

use std::cell::RefCell;
use std::collections::HashSet;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One mistake in a scenario: where (key path and line) and what.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub path: String,
    /// 1-based line in the file; `None` when the value came from `--set`, or when the problem
    /// is with the whole file (`whole_file`).
    pub line: Option<usize>,
    pub message: String,
    /// The file itself (unreadable, too large): `path` is then the file's path.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub whole_file: bool,
}

impl Problem {
    /// A problem with the file as a whole, not one key.
    pub fn file(path: &std::path::Path, message: impl Into<String>) -> Problem {
        Problem {
            path: path.display().to_string(),
            line: None,
            message: message.into(),
            whole_file: true,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}: {}", self.path, self.message),
            None if self.whole_file => write!(f, "{}: {}", self.path, self.message),
            None => write!(f, "--set {}: {}", self.path, self.message),
        }
    }
}

/// Spans of values that came from `--set` rather than the file.
const OVERRIDE: std::ops::Range<usize> = usize::MAX..usize::MAX;

/// The parsed document plus where each byte offset's line starts. It borrows the scenario text
/// and the `--set` assignments it was given.
pub struct Document<'t> {
    pub root: Spanned<DeValue<'t>>,
    line_starts: Vec<usize>,
    pub problems: RefCell<Vec<Problem>>,
}

impl<'t> Document<'t> {
    /// Parses TOML, keeping every syntax error as a problem.
    pub fn parse(text: &'t str) -> Document<'t> {
        let (table, errors) = DeTable::parse_recoverable(text);
        let span = table.span();
        let value = DeValue::Table(table.into_inner());
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let document = Document {
            root: Spanned::new(span, value),
            line_starts,
            problems: RefCell::new(Vec::new()),
        };
        for e in errors {
            let line = e
                .span()
                .map(|s| document.line_of(s.start))
                .unwrap_or(Some(1));
            document.problem("(syntax)", line, e.message().trim().to_string());
        }
        document
    }

    pub fn line_of(&self, offset: usize) -> Option<usize> {
        if offset == usize::MAX {
            return None;
        }
        Some(self.line_starts.partition_point(|start| *start <= offset))
    }

    pub fn problem(&self, path: &str, line: Option<usize>, message: impl Into<String>) {
        self.problems.borrow_mut().push(Problem {
            path: path.to_string(),
            line,
            message: message.into(),
            whole_file: false,
        });
    }

    pub fn root(&self) -> Table<'_> {
        match self.root.get_ref() {
            DeValue::Table(t) => Table {
                doc: self,
                table: t,
                path: String::new(),
                line: Some(1),
                used: RefCell::new(HashSet::new()),
            },
            _ => unreachable!("a document is a table"),
        }
    }

    /// Applies `--set KEY=VALUE`: VALUE is read as TOML (so `10`, `true`, `[1, 5]` keep their
    /// types), or as a string when it is not valid TOML (`500/s`). A path through an array of
    /// tables (`producers.rate`) sets every element; `producers.1.rate` sets one, and
    /// `consumers.0={ kind = "lambda", count = 5 }` sets each of the table's keys in one.
    pub fn set(&mut self, assignment: &'t str) -> Result<(), String> {
        let (path, raw) = assignment
            .split_once('=')
            .ok_or_else(|| "expected KEY=VALUE, e.g. --set producers.rate=500/s".to_string())?;
        let path = path.trim();
        if path.is_empty() || path.split('.').any(str::is_empty) {
            return Err("the key path is empty or has an empty part".to_string());
        }
        let raw = raw.trim();
        let value = match DeValue::parse(raw) {
            Ok(v) => v.into_inner(),
            Err(_) => DeValue::String(raw.into()),
        };
        let parts: Vec<&str> = path.split('.').collect();
        set_in(&mut self.root, &parts, &value)
    }
}

fn set_in<'t>(
    node: &mut Spanned<DeValue<'t>>,
    parts: &[&str],
    value: &DeValue<'t>,
) -> Result<(), String> {
    let (head, rest) = parts.split_first().expect("non-empty path");
    match node.get_mut() {
        DeValue::Table(table) => {
            if rest.is_empty() {
                table.insert(
                    Spanned::new(OVERRIDE, head.to_string().into()),
                    Spanned::new(OVERRIDE, value.clone()),
                );
                return Ok(());
            }
            let key = Spanned::new(OVERRIDE, head.to_string().into());
            if !table.contains_key(&key) {
                table.insert(
                    key.clone(),
                    Spanned::new(OVERRIDE, DeValue::Table(DeTable::new())),
                );
            }
            set_in(table.get_mut(&key).expect("just ensured"), rest, value)
        }
        DeValue::Array(items) => {
            if let Ok(index) = head.parse::<usize>() {
                let len = items.len();
                let item = items
                    .get_mut(index)
                    .ok_or_else(|| format!("index {index} is out of range ({len} entries)"))?;
                return match (rest.is_empty(), value) {
                    // A table for an entry sets each of its keys there, so one sweep value can
                    // change several keys of one fleet together.
                    (true, DeValue::Table(keys)) => {
                        for (key, v) in keys.iter() {
                            set_in(item, &[key.get_ref().as_ref()], v.get_ref())?;
                        }
                        Ok(())
                    }
                    (true, _) => Err(
                        "an array entry takes a table of keys to set (e.g. consumers.0={ kind = \"lambda\" })"
                            .into(),
                    ),
                    (false, _) => set_in(item, rest, value),
                };
            }
            for item in items.iter_mut() {
                set_in(item, parts, value)?;
            }
            Ok(())
        }
        other => Err(format!("cannot set a key inside a {}", other.type_str())),
    }
}

/// A table being read: every key taken is marked, and `finish` reports the rest as unknown.
pub struct Table<'d> {
    doc: &'d Document<'d>,
    table: &'d DeTable<'d>,
    pub path: String,
    pub line: Option<usize>,
    used: RefCell<HashSet<String>>,
}

/// One value with its key path and line.
pub struct Field<'d> {
    doc: &'d Document<'d>,
    value: &'d DeValue<'d>,
    pub path: String,
    pub line: Option<usize>,
}

impl<'d> Table<'d> {
    fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The value under `key`, if present (marks the key as known).
    pub fn get(&self, key: &str) -> Option<Field<'d>> {
        self.used.borrow_mut().insert(key.to_string());
        self.table
            .iter()
            .find(|(k, _)| k.get_ref() == key)
            .map(|(k, v)| Field {
                doc: self.doc,
                value: v.get_ref(),
                path: self.child_path(key),
                line: if v.span() == OVERRIDE {
                    None
                } else {
                    self.doc
                        .line_of(k.span().start)
                        .or_else(|| self.doc.line_of(v.span().start))
                },
            })
    }

    pub fn problem(&self, key: &str, message: impl Into<String>) {
        self.doc.problem(&self.child_path(key), self.line, message);
    }

    /// Every key in the table, in file order.
    pub fn keys(&self) -> Vec<String> {
        self.table.keys().map(|k| k.get_ref().to_string()).collect()
    }

    /// Reports keys nobody asked for, with the known ones as a hint.
    pub fn finish(&self, known: &[&str]) {
        let used = self.used.borrow();
        for (key, value) in self.table.iter() {
            if !used.contains(key.get_ref().as_ref()) {
                let line = self
                    .doc
                    .line_of(key.span().start)
                    .or_else(|| self.doc.line_of(value.span().start));
                self.doc.problem(
                    &self.child_path(key.get_ref()),
                    line,
                    crate::did_you_mean::unknown_key(key.get_ref(), known),
                );
            }
        }
    }
}

impl<'d> Field<'d> {
    pub fn problem(&self, message: impl Into<String>) {
        self.doc.problem(&self.path, self.line, message);
    }

    /// Records that the value is not `what` ("expected a string, found integer").
    pub fn expected(&self, what: &str) {
        self.problem(format!("expected {what}, found {}", self.value.type_str()));
    }

    pub fn is_str(&self) -> bool {
        self.value.as_str().is_some()
    }

    pub fn is_table(&self) -> bool {
        self.value.as_table().is_some()
    }

    pub fn str(&self) -> Option<&'d str> {
        let s = self.value.as_str();
        if s.is_none() {
            self.expected("a string");
        }
        s
    }

    pub fn bool(&self) -> Option<bool> {
        let b = self.value.as_bool();
        if b.is_none() {
            self.expected("true or false");
        }
        b
    }

    /// An integer within `min..=max`.
    pub fn int(&self, min: i64, max: i64) -> Option<i64> {
        let Some(i) = self.value.as_integer() else {
            self.expected("an integer");
            return None;
        };
        match integer(i) {
            Some(v) if (min..=max).contains(&v) => Some(v),
            Some(v) => {
                self.problem(format!("{v} is out of range ({min} to {max})"));
                None
            }
            None => {
                self.problem("is not a valid integer");
                None
            }
        }
    }

    /// A number (integer or float) within `min..=max`.
    pub fn number(&self, min: f64, max: f64) -> Option<f64> {
        let v = if let Some(f) = self.value.as_float() {
            f.as_str().replace('_', "").parse::<f64>().ok()
        } else if let Some(i) = self.value.as_integer() {
            i.as_str().replace('_', "").parse::<f64>().ok()
        } else {
            self.expected("a number");
            return None;
        };
        match v {
            Some(v) if v >= min && v <= max => Some(v),
            Some(v) => {
                self.problem(format!("{v} is out of range ({min} to {max})"));
                None
            }
            None => {
                self.problem("is not a valid number");
                None
            }
        }
    }

    /// A string parsed by `parse` (a unit), its error recorded as a problem.
    pub fn parsed<T>(&self, parse: impl Fn(&str) -> Result<T, String>) -> Option<T> {
        let text = self.str()?;
        parse(text).map_err(|e| self.problem(e)).ok()
    }

    pub fn table(&self) -> Option<Table<'d>> {
        match self.value.as_table() {
            Some(t) => Some(Table {
                doc: self.doc,
                table: t,
                path: self.path.clone(),
                line: self.line,
                used: RefCell::new(HashSet::new()),
            }),
            None => {
                self.expected("a table");
                None
            }
        }
    }

    pub fn array(&self) -> Option<Vec<Field<'d>>> {
        match self.value.as_array() {
            Some(items) => Some(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Field {
                        doc: self.doc,
                        value: v.get_ref(),
                        path: format!("{}[{i}]", self.path),
                        line: self.doc.line_of(v.span().start).or(self.line),
                    })
                    .collect(),
            ),
            None => {
                self.expected("an array");
                None
            }
        }
    }

    /// The value as a plain TOML value, for a parser that lives elsewhere (the emulator's).
    pub fn value(&self) -> Option<toml::Value> {
        to_value(self.value).map_err(|e| self.problem(e)).ok()
    }

    /// The value rendered back as TOML text, by the toml crate (for sweeps and attributes). A
    /// value the serializer refuses is this key's problem: `Value`'s `Display` would panic on
    /// it (found by the `scenario` fuzz target).
    pub fn to_toml(&self) -> Option<String> {
        let value = self.value()?;
        let mut out = String::new();
        match serde::Serialize::serialize(&value, toml::ser::ValueSerializer::new(&mut out)) {
            Ok(_) => Some(out),
            Err(e) => {
                self.problem(format!("cannot be written back as TOML: {e}"));
                None
            }
        }
    }
}

/// A TOML integer literal (any radix, `_` separators) as an i64, if it fits.
fn integer(i: &toml::de::DeInteger<'_>) -> Option<i64> {
    let digits = i.as_str().replace('_', "");
    let digits = digits
        .trim_start_matches("0x")
        .trim_start_matches("0o")
        .trim_start_matches("0b");
    i64::from_str_radix(digits, i.radix()).ok()
}

fn to_value(value: &DeValue<'_>) -> Result<toml::Value, String> {
    Ok(match value {
        DeValue::String(s) => toml::Value::String(s.to_string()),
        DeValue::Integer(i) => toml::Value::Integer(
            integer(i).ok_or_else(|| format!("{} is not a valid integer", i.as_str()))?,
        ),
        DeValue::Float(f) => toml::Value::Float(
            f.as_str()
                .replace('_', "")
                .parse()
                .map_err(|_| format!("{} is not a valid number", f.as_str()))?,
        ),
        DeValue::Boolean(b) => toml::Value::Boolean(*b),
        DeValue::Datetime(d) => toml::Value::Datetime(*d),
        DeValue::Array(items) => toml::Value::Array(
            items
                .iter()
                .map(|v| to_value(v.get_ref()))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(t) => toml::Value::Table(
            t.iter()
                .map(|(k, v)| Ok((k.get_ref().to_string(), to_value(v.get_ref())?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_unknown_keys_with_suggestions() {
        let doc = Document::parse("name = \"x\"\n\n[run]\nduraton = \"5s\"\n");
        let root = doc.root();
        let _ = root.get("name");
        let run = root.get("run").unwrap().table().unwrap();
        assert_eq!(run.line, Some(3));
        run.finish(&["duration", "warmup"]);
        root.finish(&["name", "run"]);
        let problems = doc.problems.borrow();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "run.duraton");
        assert_eq!(problems[0].line, Some(4));
        assert!(
            problems[0].message.contains("did you mean \"duration\""),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn syntax_errors_are_problems_with_lines() {
        let doc = Document::parse("name = \"x\"\nbroken = \n");
        let problems = doc.problems.borrow();
        assert!(!problems.is_empty());
        assert_eq!(problems[0].line, Some(2));
    }

    #[test]
    fn a_table_for_an_array_entry_sets_each_of_its_keys_there() {
        let mut doc = Document::parse(
            "[[consumers]]\nkind = \"poller\"\ncount = 2\n[[consumers]]\ncount = 3\n",
        );
        doc.set("consumers.0={ kind = \"lambda\", scaling = { policy = \"lambda\" } }")
            .unwrap();
        let root = doc.root();
        let fleets = root.get("consumers").unwrap().array().unwrap();
        let first = fleets[0].table().unwrap();
        assert_eq!(first.get("kind").unwrap().str(), Some("lambda"));
        assert_eq!(first.get("count").unwrap().int(1, 10), Some(2), "kept");
        let scaling = first.get("scaling").unwrap().table().unwrap();
        assert_eq!(scaling.get("policy").unwrap().str(), Some("lambda"));
        assert!(
            fleets[1].table().unwrap().get("kind").is_none(),
            "one entry"
        );
        assert!(
            doc.set("consumers.0=5")
                .unwrap_err()
                .contains("takes a table")
        );
    }

    #[test]
    fn overrides_keep_types_and_reach_into_arrays() {
        let mut doc =
            Document::parse("[[producers]]\nrate = \"1/s\"\n[[producers]]\nrate = \"2/s\"\n");
        doc.set("producers.rate=500/s").unwrap();
        doc.set("producers.1.batch_size=10").unwrap();
        doc.set("run.seed=7").unwrap();
        let root = doc.root();
        let fleets = root.get("producers").unwrap().array().unwrap();
        for f in &fleets {
            let t = f.table().unwrap();
            assert_eq!(t.get("rate").unwrap().str(), Some("500/s"));
            assert_eq!(t.get("rate").unwrap().line, None);
        }
        assert_eq!(
            fleets[1]
                .table()
                .unwrap()
                .get("batch_size")
                .unwrap()
                .int(1, 10),
            Some(10)
        );
        assert_eq!(
            root.get("run")
                .unwrap()
                .table()
                .unwrap()
                .get("seed")
                .unwrap()
                .int(0, i64::MAX),
            Some(7)
        );
        assert!(doc.set("nonsense").is_err());
        assert!(
            doc.set("producers.9.rate=1/s")
                .unwrap_err()
                .contains("out of range")
        );
    }
}
