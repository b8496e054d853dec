//! How a scenario key is defined once. A section is a struct declared with `section!`: each key
//! names its type, its codec (how it is read and written, with its bounds), what happens when it
//! is absent (a default, required, derived by a rule) and its doc line. From that one definition
//! come the struct, its reader (every problem recorded with key path and line, unknown keys with a
//! did-you-mean), its rendering as TOML values, and its lines in the reference scenario.
//! Must not depend on anything outside `scenario` but the emulator's settings.

use std::time::Duration;

use super::file::{Field, Table};

/// How one kind of value is read from a scenario and written back as TOML.
pub(crate) trait Codec {
    type Value;
    /// Reads the value, recording a problem at the field when it is not acceptable.
    fn read(&self, field: &Field<'_>) -> Option<Self::Value>;
    /// The value as TOML; `None` leaves the key out (an optional key that is not set).
    fn write(&self, value: &Self::Value) -> Option<toml::Value>;
    /// What the key accepts, for the reference scenario ("1 to 10000").
    fn accepts(&self) -> String;
}

/// What a key is when the file does not set it.
pub(crate) enum Absent<T> {
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

pub(crate) fn or<T>(value: T) -> Absent<T> {
    Absent::Default(value)
}

pub(crate) fn required<T>(why: &'static str, example: &'static str) -> Absent<T> {
    Absent::Required { why, example }
}

pub(crate) fn derived<T>(how: &'static str, placeholder: T) -> Absent<T> {
    Absent::Derived { how, placeholder }
}

pub(crate) fn unset<T>(example: &'static str) -> Absent<Option<T>> {
    Absent::Unset {
        example,
        value: None,
    }
}

/// Reads one key of a section: the field when present, else what `absent` says.
pub(crate) fn read_key<C: Codec>(
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
pub(crate) struct KeyDoc {
    pub key: &'static str,
    /// The line written in the reference: `key = value`, commented out when the key is unset
    /// or derived by default.
    pub value: String,
    pub commented: bool,
    pub doc: String,
}

impl KeyDoc {
    pub(crate) fn of<C: Codec>(
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

/// A section's keys as TOML, in definition order, for rendering.
pub(crate) type Keys = Vec<(&'static str, toml::Value)>;

/// Declares a section struct whose every key is defined once:
///
/// ```text
/// section! {
///     /// `[run]`: the phases.
///     pub struct RunSpec {
///         /// the measured phase
///         duration: Duration = dur().above_zero(), or(Duration::from_secs(60));
///     }
/// }
/// ```
/// A key whose TOML name is a Rust keyword is written `kind as "type": ...`.
macro_rules! section {
    (
        $(#[$section_attr:meta])*
        pub struct $name:ident / $partial:ident {
            $(
                $(#[doc = $doc:literal])*
                $field:ident $(as $toml:literal)? : $ty:ty = $codec:expr, $absent:expr;
            )*
        }
    ) => {
        $(#[$section_attr])*
        #[derive(Debug, Clone, PartialEq)]
        // Public where the scenario's types re-export it; the macro cannot tell which.
        #[allow(unreachable_pub)]
        pub struct $name {
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        /// What the file gave for each key of the section: `None` where the key had a problem
        /// (already recorded). The rules across keys check what they can from it, so a file's
        /// every problem is reported at once.
        #[derive(Debug, Clone, PartialEq)]
        pub(crate) struct $partial {
            $( pub(crate) $field: Option<$ty>, )*
        }

        impl $partial {
            /// The section, when every key was acceptable.
            pub(crate) fn complete(self) -> Option<$name> {
                Some($name { $( $field: self.$field?, )* })
            }
        }

        impl $name {
            /// The section's keys, as written in a scenario.
            pub(crate) const KEYS: &'static [&'static str] =
                &[$( $crate::scenario::keys::key_name!($field $(as $toml)?) ),*];

            /// Reads the keys from the section's table (`None`: the section is absent), every
            /// problem recorded, unknown keys reported.
            pub(crate) fn read_keys(table: Option<&$crate::scenario::file::Table<'_>>) -> Option<Self> {
                Self::read_partial(table).complete()
            }

            /// Reads every key it can, recording each problem; see the partial type.
            pub(crate) fn read_partial(table: Option<&$crate::scenario::file::Table<'_>>) -> $partial {
                #[allow(unused_imports)]
                use $crate::scenario::keys::Codec as _;
                $(
                    let absent: $crate::scenario::keys::Absent<$ty> = $absent;
                    let $field: Option<$ty> = $crate::scenario::keys::read_key(
                        table,
                        $crate::scenario::keys::key_name!($field $(as $toml)?),
                        &$codec,
                        absent,
                    );
                )*
                if let Some(t) = table {
                    t.finish(Self::KEYS);
                }
                $partial { $( $field, )* }
            }

            /// The keys as TOML values, unset optional keys left out.
            pub(crate) fn to_keys(&self) -> $crate::scenario::keys::Keys {
                #[allow(unused_imports)]
                use $crate::scenario::keys::Codec as _;
                let mut keys = Vec::new();
                $(
                    if let Some(v) = ($codec).write(&self.$field) {
                        keys.push(($crate::scenario::keys::key_name!($field $(as $toml)?), v));
                    }
                )*
                keys
            }

            /// Every key with its default and doc line, for the reference scenario.
            #[allow(dead_code)]
            pub(crate) fn docs() -> Vec<$crate::scenario::keys::KeyDoc> {
                vec![$({
                    let absent: $crate::scenario::keys::Absent<$ty> = $absent;
                    $crate::scenario::keys::KeyDoc::of(
                        $crate::scenario::keys::key_name!($field $(as $toml)?),
                        &$codec,
                        absent,
                        concat!($($doc, " "),*),
                    )
                },)*]
            }
        }

        impl $crate::scenario::keys::Section for $name {
            fn read_section(table: &$crate::scenario::file::Table<'_>) -> Option<Self> {
                Self::read_keys(Some(table))
            }
            fn keys(&self) -> $crate::scenario::keys::Keys {
                self.to_keys()
            }
        }
    };
}
pub(crate) use section;

macro_rules! key_name {
    ($field:ident as $toml:literal) => {
        $toml
    };
    ($field:ident) => {
        stringify!($field)
    };
}
pub(crate) use key_name;

// ---- codecs for plain values ----

/// An integer within bounds, stored as `T`.
pub(crate) struct Int<T> {
    min: i64,
    max: i64,
    _type: std::marker::PhantomData<T>,
}

pub(crate) fn int<T>(min: i64, max: i64) -> Int<T> {
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
    fn accepts(&self) -> String {
        if self.max == i64::MAX {
            format!("at least {}", self.min)
        } else {
            format!("{} to {}", self.min, self.max)
        }
    }
}

/// A number (integer or float) within bounds.
pub(crate) struct Num {
    min: f64,
    max: f64,
}

pub(crate) fn num(min: f64, max: f64) -> Num {
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
}

pub(crate) struct Bool;

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
}

/// Any string (rules check its form).
pub(crate) struct Text;

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
}

/// An address to listen on: an IP and a port (`0.0.0.0:9464`).
pub(crate) struct Addr;

/// `HOST:PORT` with an IP address, as `--metrics` takes it.
pub(crate) fn parse_listen_addr(text: &str) -> Result<std::net::SocketAddr, String> {
    text.parse().map_err(|_| {
        format!("{text:?} is not an address to listen on: expected IP:PORT, e.g. 127.0.0.1:9464 or 0.0.0.0:9464")
    })
}

impl Codec for Addr {
    type Value = std::net::SocketAddr;
    fn read(&self, field: &Field<'_>) -> Option<std::net::SocketAddr> {
        field.parsed(parse_listen_addr)
    }
    fn write(&self, value: &std::net::SocketAddr) -> Option<toml::Value> {
        Some(toml::Value::String(value.to_string()))
    }
    fn accepts(&self) -> String {
        "IP:PORT".to_string()
    }
}

/// A duration (`250ms`, `30s`, `5m`) within bounds, each bound with its own message.
pub(crate) struct Dur {
    min: Duration,
    max: Duration,
    too_short: &'static str,
    too_long: &'static str,
}

pub(crate) fn dur() -> Dur {
    Dur {
        min: Duration::ZERO,
        max: Duration::MAX,
        too_short: "",
        too_long: "",
    }
}

impl Dur {
    /// Longer than zero.
    pub(crate) fn above_zero(self) -> Dur {
        Dur {
            min: Duration::from_nanos(1),
            too_short: "must be longer than 0s",
            ..self
        }
    }

    pub(crate) fn at_most(self, max: Duration, too_long: &'static str) -> Dur {
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
        let d = field.parsed(super::units::parse_duration)?;
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
        Some(toml::Value::String(super::units::format_duration(*value)))
    }
    fn accepts(&self) -> String {
        match (self.min.is_zero(), self.max == Duration::MAX) {
            (true, true) => String::new(),
            (false, true) => "above 0s".to_string(),
            (true, false) => format!("0s to {}", super::units::format_duration(self.max)),
            (false, false) => format!("up to {}", super::units::format_duration(self.max)),
        }
    }
}

/// Messages per second, written `3000/s` or `180000/m`.
pub(crate) struct Rate;

impl Codec for Rate {
    type Value = f64;
    fn read(&self, field: &Field<'_>) -> Option<f64> {
        field.parsed(super::units::parse_rate)
    }
    fn write(&self, value: &f64) -> Option<toml::Value> {
        Some(toml::Value::String(super::units::format_rate(*value)))
    }
    fn accepts(&self) -> String {
        String::new()
    }
}

/// An optional key: the inner codec when set, left out when not.
pub(crate) struct Opt<C>(pub C);

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
}

/// One of a few names, each meaning a value.
pub(crate) struct Choice<T: 'static> {
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
}

impl<T: Copy + PartialEq> Choice<T> {
    /// The name a value is written with.
    pub(crate) fn name_of(&self, value: T) -> &'static str {
        self.names
            .iter()
            .find(|(_, v)| *v == value)
            .map(|(name, _)| *name)
            .expect("a choice table names every value of its enum")
    }

    /// The value a name stands for.
    pub(crate) fn value_of(&self, name: &str) -> Option<T> {
        self.names.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
}

/// An enum spelled by its `Choice` table everywhere: in scenarios, in summary.json and CSV
/// (serde), and in text (Display). One spelling, never formatted by hand.
macro_rules! spelled {
    ($name:ident, $table:expr) => {
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($table.name_of(*self))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($table.name_of(*self))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $table.value_of(&name).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "{name:?} is not {} ({})",
                        $table.what,
                        $crate::scenario::keys::Codec::accepts(&$table)
                    ))
                })
            }
        }
    };
}
pub(crate) use spelled;

/// A nested table of its own section (`[queue.dead_letter]`), written inline.
pub(crate) struct Nested<S>(pub std::marker::PhantomData<S>);

pub(crate) fn nested<S>() -> Nested<S> {
    Nested(std::marker::PhantomData)
}

/// What a nested section needs: `section!` provides it.
pub(crate) trait Section: Sized {
    fn read_section(table: &Table<'_>) -> Option<Self>;
    fn keys(&self) -> Keys;
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
}

/// Keys as an inline table value.
pub(crate) fn inline(keys: Keys) -> toml::Value {
    toml::Value::Table(keys.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}
