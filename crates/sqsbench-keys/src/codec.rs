//! The codecs: how each kind of value is read from a line-tracked field (its bounds, its
//! messages), written back as TOML, and described in a reference ("1 to 10000"); what a key is
//! when absent; and a key's line in a reference file. `section!` puts them together per key.
//! Depends on nothing in the crate but `document` and `units`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::document::{Field, Table};

/// How one kind of value is read from a scenario and written back as TOML.
pub trait Codec {
    type Value;
    /// Reads the value, recording a problem at the field when it is not acceptable.
    fn read(&self, field: &Field<'_>) -> Option<Self::Value>;
    /// The value as TOML; `None` leaves the key out (an optional key that is not set).
    fn write(&self, value: &Self::Value) -> Option<toml::Value>;
    /// What the key accepts, for the reference scenario ("1 to 10000").
    fn accepts(&self) -> String;
    /// What the key accepts as a JSON Schema (draft 2020-12), as far as a schema can say it:
    /// editors check a scenario with it as it is typed. Rules across keys stay the reader's.
    fn schema(&self) -> Value;
}

/// The JSON Schema of a duration as `units::parse_duration` reads it: `0`, or numbers each with
/// a unit (`250ms`, `1m 30s`).
pub fn duration_schema() -> Value {
    json!({
        "type": "string",
        "pattern": DURATION_PATTERN,
    })
}

/// `0`, or one or more `<number><unit>` (humantime's units).
pub const DURATION_PATTERN: &str = r"^\s*(0|([0-9]+(\.[0-9]+)?\s*[a-zA-Zµ]+\s*)+)$";

/// What a key is when the file does not set it.
pub enum Absent<T> {
    /// This value.
    Default(T),
    /// A problem: the key must be set. `example` is a value for the reference scenario.
    Required {
        why: &'static str,
        example: &'static str,
    },
    /// Computed by the section's rule from other keys (`how` says from what); `placeholder`
    /// stands in until the rule runs.
    Derived { how: &'static str, placeholder: T },
    /// Not set (`value` is an `Option` key's `None`), with an example for the reference scenario.
    Unset { example: &'static str, value: T },
}

pub fn or<T>(value: T) -> Absent<T> {
    Absent::Default(value)
}

pub fn required<T>(why: &'static str, example: &'static str) -> Absent<T> {
    Absent::Required { why, example }
}

pub fn derived<T>(how: &'static str, placeholder: T) -> Absent<T> {
    Absent::Derived { how, placeholder }
}

pub fn unset<T>(example: &'static str) -> Absent<Option<T>> {
    Absent::Unset {
        example,
        value: None,
    }
}

/// Reads one key of a section: the field when present, else what `absent` says.
pub fn read_key<C: Codec>(
    table: Option<&Table<'_>>,
    key: &str,
    codec: &C,
    absent: Absent<C::Value>,
) -> Option<C::Value> {
    match table.and_then(|t| t.get(key)) {
        Some(field) => codec.read(&field),
        None => match absent {
            Absent::Default(v)
            | Absent::Derived { placeholder: v, .. }
            | Absent::Unset { value: v, .. } => Some(v),
            Absent::Required { why, .. } => {
                if let Some(t) = table {
                    t.problem(key, why);
                }
                None
            }
        },
    }
}

/// One key as the reference scenario documents it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyDoc {
    pub key: &'static str,
    /// The line written in the reference: `key = value`, commented out when the key is unset
    /// or derived by default.
    pub value: String,
    pub commented: bool,
    pub doc: String,
}

impl KeyDoc {
    pub fn of<C: Codec>(
        key: &'static str,
        codec: &C,
        absent: Absent<C::Value>,
        doc: &str,
    ) -> KeyDoc {
        let doc = doc.split_whitespace().collect::<Vec<_>>().join(" ");
        let accepts = codec.accepts();
        let with_accepts = |doc: String| {
            if accepts.is_empty() {
                doc
            } else {
                format!("{doc} ({accepts})")
            }
        };
        match absent {
            Absent::Default(v) => KeyDoc {
                key,
                value: codec.write(&v).map(|v| v.to_string()).unwrap_or_default(),
                commented: false,
                doc: with_accepts(doc),
            },
            Absent::Required { example, .. } => KeyDoc {
                key,
                value: example.to_string(),
                commented: false,
                doc: with_accepts(format!("required: {doc}")),
            },
            Absent::Derived { how, .. } => KeyDoc {
                key,
                value: how.to_string(),
                commented: true,
                doc: format!("{doc} (derived when absent)"),
            },
            Absent::Unset { example, .. } => KeyDoc {
                key,
                value: example.to_string(),
                commented: true,
                doc: with_accepts(doc),
            },
        }
    }
}

/// A key's JSON Schema: its codec's, with its doc line as the description and its default;
/// and whether the key must be set.
pub fn key_schema<C: Codec>(codec: &C, absent: Absent<C::Value>, doc: &str) -> (Value, bool) {
    let mut schema = codec.schema();
    let mut description = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    let accepts = codec.accepts();
    if !accepts.is_empty() {
        description = format!("{description} ({accepts})");
    }
    let required = match absent {
        Absent::Default(v) => {
            if let Some(v) = codec.write(&v).and_then(|v| serde_json::to_value(v).ok()) {
                schema["default"] = v;
            }
            false
        }
        Absent::Required { .. } => true,
        Absent::Derived { how, .. } => {
            description = format!("{description}; when absent: {how}");
            false
        }
        Absent::Unset { .. } => false,
    };
    schema["description"] = json!(description);
    (schema, required)
}

/// A section's keys as TOML, in definition order, for rendering.
pub type Keys = Vec<(&'static str, toml::Value)>;

// ---- codecs for plain values ----

/// An integer within bounds, stored as `T`.
pub struct Int<T> {
    min: i64,
    max: i64,
    _type: std::marker::PhantomData<T>,
}

pub fn int<T>(min: i64, max: i64) -> Int<T> {
    Int {
        min,
        max,
        _type: std::marker::PhantomData,
    }
}

impl<T: TryFrom<i64> + TryInto<i64> + Copy> Codec for Int<T> {
    type Value = T;
    fn read(&self, field: &Field<'_>) -> Option<T> {
        field
            .int(self.min, self.max)
            .and_then(|v| T::try_from(v).ok())
    }
    fn write(&self, value: &T) -> Option<toml::Value> {
        (*value).try_into().ok().map(toml::Value::Integer)
    }
    fn schema(&self) -> Value {
        let mut s = json!({"type": "integer", "minimum": self.min});
        if self.max != i64::MAX {
            s["maximum"] = json!(self.max);
        }
        s
    }
    fn accepts(&self) -> String {
        if self.max == i64::MAX {
            format!("at least {}", self.min)
        } else {
            format!("{} to {}", self.min, self.max)
        }
    }
}

/// A number (integer or float) within bounds.
pub struct Num {
    min: f64,
    max: f64,
}

pub fn num(min: f64, max: f64) -> Num {
    Num { min, max }
}

impl Codec for Num {
    type Value = f64;
    fn read(&self, field: &Field<'_>) -> Option<f64> {
        field.number(self.min, self.max)
    }
    fn write(&self, value: &f64) -> Option<toml::Value> {
        Some(toml::Value::Float(*value))
    }
    fn accepts(&self) -> String {
        format!("{} to {}", self.min, self.max)
    }
    fn schema(&self) -> Value {
        json!({"type": "number", "minimum": self.min, "maximum": self.max})
    }
}

pub struct Bool;

impl Codec for Bool {
    type Value = bool;
    fn read(&self, field: &Field<'_>) -> Option<bool> {
        field.bool()
    }
    fn write(&self, value: &bool) -> Option<toml::Value> {
        Some(toml::Value::Boolean(*value))
    }
    fn accepts(&self) -> String {
        String::new()
    }
    fn schema(&self) -> Value {
        json!({"type": "boolean"})
    }
}

/// Any string (rules check its form).
pub struct Text;

impl Codec for Text {
    type Value = String;
    fn read(&self, field: &Field<'_>) -> Option<String> {
        field.str().map(str::to_string)
    }
    fn write(&self, value: &String) -> Option<toml::Value> {
        Some(toml::Value::String(value.clone()))
    }
    fn accepts(&self) -> String {
        String::new()
    }
    fn schema(&self) -> Value {
        json!({"type": "string"})
    }
}

/// A duration (`250ms`, `30s`, `5m`) within bounds, each bound with its own message.
pub struct Dur {
    min: Duration,
    max: Duration,
    too_short: &'static str,
    too_long: &'static str,
}

pub fn dur() -> Dur {
    Dur {
        min: Duration::ZERO,
        max: Duration::MAX,
        too_short: "",
        too_long: "",
    }
}

impl Dur {
    /// Longer than zero.
    pub fn above_zero(self) -> Dur {
        Dur {
            min: Duration::from_nanos(1),
            too_short: "must be longer than 0s",
            ..self
        }
    }

    pub fn at_most(self, max: Duration, too_long: &'static str) -> Dur {
        Dur {
            max,
            too_long,
            ..self
        }
    }
}

impl Codec for Dur {
    type Value = Duration;
    fn read(&self, field: &Field<'_>) -> Option<Duration> {
        let d = field.parsed(crate::units::parse_duration)?;
        if d < self.min {
            field.problem(self.too_short);
            return None;
        }
        if d > self.max {
            field.problem(self.too_long);
            return None;
        }
        Some(d)
    }
    fn write(&self, value: &Duration) -> Option<toml::Value> {
        Some(toml::Value::String(crate::units::format_duration(*value)))
    }
    fn accepts(&self) -> String {
        match (self.min.is_zero(), self.max == Duration::MAX) {
            (true, true) => String::new(),
            (false, true) => "above 0s".to_string(),
            (true, false) => format!("0s to {}", crate::units::format_duration(self.max)),
            (false, false) => format!("up to {}", crate::units::format_duration(self.max)),
        }
    }
    fn schema(&self) -> Value {
        duration_schema()
    }
}

/// An optional key: the inner codec when set, left out when not.
pub struct Opt<C>(pub C);

impl<C: Codec> Codec for Opt<C> {
    type Value = Option<C::Value>;
    fn read(&self, field: &Field<'_>) -> Option<Option<C::Value>> {
        self.0.read(field).map(Some)
    }
    fn write(&self, value: &Option<C::Value>) -> Option<toml::Value> {
        value.as_ref().and_then(|v| self.0.write(v))
    }
    fn accepts(&self) -> String {
        self.0.accepts()
    }
    fn schema(&self) -> Value {
        self.0.schema()
    }
}

/// One of a few names, each meaning a value.
pub struct Choice<T: 'static> {
    pub what: &'static str,
    pub names: &'static [(&'static str, T)],
}

impl<T: Copy + PartialEq> Codec for Choice<T> {
    type Value = T;
    fn read(&self, field: &Field<'_>) -> Option<T> {
        let text = field.str()?;
        let found = self.names.iter().find(|(name, _)| *name == text);
        if found.is_none() {
            field.problem(format!(
                "{text:?} is not {} ({})",
                self.what,
                self.accepts()
            ));
        }
        found.map(|(_, v)| *v)
    }
    fn write(&self, value: &T) -> Option<toml::Value> {
        let name = self.names.iter().find(|(_, v)| v == value)?.0;
        Some(toml::Value::String(name.to_string()))
    }
    fn accepts(&self) -> String {
        let names: Vec<&str> = self.names.iter().map(|(n, _)| *n).collect();
        names.join(", ")
    }
    fn schema(&self) -> Value {
        let names: Vec<&str> = self.names.iter().map(|(n, _)| *n).collect();
        json!({"type": "string", "enum": names})
    }
}

impl<T: Copy + PartialEq> Choice<T> {
    /// The name a value is written with.
    pub fn name_of(&self, value: T) -> &'static str {
        self.names
            .iter()
            .find(|(_, v)| *v == value)
            .map(|(name, _)| *name)
            .expect("a choice table names every value of its enum")
    }

    /// The value a name stands for.
    pub fn value_of(&self, name: &str) -> Option<T> {
        self.names.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
}

/// A nested table of its own section (`[queue.dead_letter]`), written inline.
pub struct Nested<S>(pub std::marker::PhantomData<S>);

pub fn nested<S>() -> Nested<S> {
    Nested(std::marker::PhantomData)
}

/// What a nested section needs: `section!` provides it.
pub trait Section: Sized {
    fn read_section(table: &Table<'_>) -> Option<Self>;
    fn keys(&self) -> Keys;
    /// The section as a JSON Schema object: its keys, their types, defaults and docs.
    fn schema() -> Value;
}

impl<S: Section> Codec for Nested<S> {
    type Value = S;
    fn read(&self, field: &Field<'_>) -> Option<S> {
        S::read_section(&field.table()?)
    }
    fn write(&self, value: &S) -> Option<toml::Value> {
        Some(inline(value.keys()))
    }
    fn accepts(&self) -> String {
        String::new()
    }
    fn schema(&self) -> Value {
        S::schema()
    }
}

/// Keys as an inline table value.
pub fn inline(keys: Keys) -> toml::Value {
    toml::Value::Table(keys.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// A string read by a parser of its own (`Idle::parse`), its error the problem, and written
/// back by `name`.
pub struct Parsed<T: 'static> {
    pub parse: fn(&str) -> Result<T, String>,
    pub name: fn(&T) -> String,
    pub accepts: &'static str,
    /// Every name `parse` takes, when they are few (the schema's enum); empty: any string.
    pub names: &'static [&'static str],
}

impl<T> Codec for Parsed<T> {
    type Value = T;
    fn read(&self, field: &Field<'_>) -> Option<T> {
        field.parsed(self.parse)
    }
    fn write(&self, value: &T) -> Option<toml::Value> {
        Some(toml::Value::String((self.name)(value)))
    }
    fn accepts(&self) -> String {
        self.accepts.to_string()
    }
    fn schema(&self) -> Value {
        match self.names {
            [] => json!({"type": "string"}),
            names => json!({"type": "string", "enum": names}),
        }
    }
}
