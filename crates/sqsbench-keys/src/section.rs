//! `section!`: a section struct whose every key is defined once (its type, codec, absence rule
//! and doc line), and from that definition its reader, its TOML rendering and its reference
//! lines. Expands to paths in `codec` and `document`.

/// Declares a section struct whose every key is defined once:
///
/// ```text
/// section! {
///     /// `[run]`: the phases.
///     pub struct RunSpec / RunKeys {
///         /// the measured phase
///         duration: Duration = dur().above_zero(), or(Duration::from_secs(60));
///     }
/// }
/// ```
/// A key whose TOML name is a Rust keyword is written `kind as "type": ...`.
#[macro_export]
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
        // Public where a crate re-exports it; the macro cannot tell which.
        #[allow(unreachable_pub)]
        pub struct $name {
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        /// What the file gave for each key of the section: `None` where the key had a problem
        /// (already recorded). The rules across keys check what they can from it, so a file's
        /// every problem is reported at once.
        #[derive(Debug, Clone, PartialEq)]
        pub struct $partial {
            $( pub $field: Option<$ty>, )*
        }

        impl $partial {
            /// The section, when every key was acceptable.
            pub fn complete(self) -> Option<$name> {
                Some($name { $( $field: self.$field?, )* })
            }
        }

        #[allow(unreachable_pub)]
        impl $name {
            /// The section's keys, as written in a scenario.
            pub const KEYS: &'static [&'static str] =
                &[$( $crate::key_name!($field $(as $toml)?) ),*];

            /// Reads the keys from the section's table (`None`: the section is absent), every
            /// problem recorded, unknown keys reported.
            pub fn read_keys(table: Option<&$crate::document::Table<'_>>) -> Option<Self> {
                Self::read_partial(table).complete()
            }

            /// Reads every key it can, recording each problem; see the partial type.
            pub fn read_partial(table: Option<&$crate::document::Table<'_>>) -> $partial {
                #[allow(unused_imports)]
                use $crate::codec::Codec as _;
                $(
                    let absent: $crate::codec::Absent<$ty> = $absent;
                    let $field: Option<$ty> = $crate::codec::read_key(
                        table,
                        $crate::key_name!($field $(as $toml)?),
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
            pub fn to_keys(&self) -> $crate::codec::Keys {
                #[allow(unused_imports)]
                use $crate::codec::Codec as _;
                let mut keys = Vec::new();
                $(
                    if let Some(v) = ($codec).write(&self.$field) {
                        keys.push(($crate::key_name!($field $(as $toml)?), v));
                    }
                )*
                keys
            }

            /// Every key with its default and doc line, for the reference scenario.
            pub fn docs() -> Vec<$crate::codec::KeyDoc> {
                vec![$({
                    let absent: $crate::codec::Absent<$ty> = $absent;
                    $crate::codec::KeyDoc::of(
                        $crate::key_name!($field $(as $toml)?),
                        &$codec,
                        absent,
                        concat!($($doc, " "),*),
                    )
                },)*]
            }
        }

        impl $crate::codec::Section for $name {
            fn read_section(table: &$crate::document::Table<'_>) -> Option<Self> {
                Self::read_keys(Some(table))
            }
            fn keys(&self) -> $crate::codec::Keys {
                self.to_keys()
            }
            fn schema() -> $crate::serde_json::Value {
                #[allow(unused_imports)]
                use $crate::codec::Codec as _;
                let mut properties = $crate::serde_json::Map::new();
                let mut required: Vec<&str> = Vec::new();
                $({
                    let absent: $crate::codec::Absent<$ty> = $absent;
                    let name = $crate::key_name!($field $(as $toml)?);
                    let (schema, must) = $crate::codec::key_schema(
                        &$codec,
                        absent,
                        concat!($($doc, " "),*),
                    );
                    properties.insert(name.to_string(), schema);
                    if must {
                        required.push(name);
                    }
                })*
                let mut schema = $crate::serde_json::json!({
                    "type": "object",
                    "properties": properties,
                    "additionalProperties": false,
                });
                if !required.is_empty() {
                    schema["required"] = $crate::serde_json::json!(required);
                }
                schema
            }
        }
    };
}

/// A key's name in TOML: the field's, or the one given with `as`.
#[doc(hidden)]
#[macro_export]
macro_rules! key_name {
    ($field:ident as $toml:literal) => {
        $toml
    };
    ($field:ident) => {
        stringify!($field)
    };
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use proptest::prelude::*;

    use crate::codec::{Opt, dur, int, nested, num, or, required, unset};
    use crate::{Document, Problem};

    section! {
        /// A window.
        pub struct Window / WindowKeys {
            /// where it starts
            at: Duration = dur(), or(Duration::ZERO);
            /// how long
            length as "for": Duration = dur().above_zero(), required("is required", "\"1s\"");
        }
    }

    section! {
        /// A section with one key of each kind.
        pub struct Sample / SampleKeys {
            /// how many
            count: u32 = int(1, 100), or(1);
            /// a share
            share: f64 = num(0.0, 1.0), or(0.5);
            /// sometimes set
            limit: Option<u32> = Opt(int(0, 10)), unset("3");
            /// a nested table
            window: Window = nested::<Window>(), or(Window { at: Duration::ZERO, length: Duration::from_secs(1) });
        }
    }

    fn read(text: &str) -> (Option<Sample>, Vec<Problem>) {
        let document = Document::parse(text);
        let sample = Sample::read_keys(Some(&document.root()));
        (sample, document.problems.into_inner())
    }

    #[test]
    fn absent_keys_take_their_defaults() {
        let (sample, problems) = read("");
        assert_eq!(problems, []);
        let sample = sample.unwrap();
        assert_eq!((sample.count, sample.share, sample.limit), (1, 0.5, None));
    }

    #[test]
    fn every_problem_has_its_path_and_line() {
        let (sample, problems) =
            read("count = 0\nshare = \"half\"\nlimt = 3\n[window]\nat = \"soon\"\n");
        assert_eq!(sample, None);
        let said: Vec<String> = problems.iter().map(Problem::to_string).collect();
        assert_eq!(
            said,
            [
                "line 1: count: 0 is out of range (1 to 100)",
                "line 2: share: expected a number, found string",
                "line 5: window.at: \"soon\" is not a duration (write e.g. \"250ms\", \"30s\", \"5m\")",
                "line 4: window.for: is required",
                "line 3: limt: unknown key (did you mean \"limit\"?); known keys here: count, share, limit, window",
            ]
        );
    }

    /// A section's JSON Schema says each key's type, bounds, default and doc, which keys must be
    /// set, and that no other key is allowed.
    #[test]
    fn the_schema_comes_from_the_definitions() {
        use crate::codec::Section as _;
        let schema = Sample::schema();
        let p = &schema["properties"];
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(
            p["count"],
            serde_json::json!({"type": "integer", "minimum": 1, "maximum": 100, "default": 1,
                               "description": "how many (1 to 100)"})
        );
        assert_eq!(p["share"]["maximum"], 1.0);
        assert_eq!(p["limit"]["maximum"], 10);
        assert!(
            p["limit"].get("default").is_none(),
            "an unset key has no default"
        );
        let window = &p["window"];
        assert_eq!(window["required"], serde_json::json!(["for"]));
        assert_eq!(window["properties"]["at"]["default"], "0s");
        assert!(
            schema.get("required").is_none(),
            "no key of Sample must be set"
        );
    }

    #[test]
    fn the_reference_lines_come_from_the_definitions() {
        let docs = Sample::docs();
        let lines: Vec<(&str, &str, bool, &str)> = docs
            .iter()
            .map(|d| (d.key, d.value.as_str(), d.commented, d.doc.as_str()))
            .collect();
        assert_eq!(lines[0], ("count", "1", false, "how many (1 to 100)"));
        assert_eq!(lines[2], ("limit", "3", true, "sometimes set (0 to 10)"));
        let window = Window::docs();
        assert_eq!(window[1].doc, "required: how long (above 0s)");
        assert_eq!(Window::KEYS, ["at", "for"]);
    }

    proptest! {
        /// What a section writes, it reads back the same.
        #[test]
        fn written_keys_read_back(
            count in 1u32..=100,
            share in 0.0f64..=1.0,
            limit in proptest::option::of(0u32..=10),
            at_ms in 0u64..100_000,
            length_us in 1u64..10_000_000,
        ) {
            let sample = Sample {
                count,
                share,
                limit,
                window: Window {
                    at: Duration::from_millis(at_ms),
                    length: Duration::from_micros(length_us),
                },
            };
            let table = toml::Table::from_iter(
                sample.to_keys().into_iter().map(|(k, v)| (k.to_string(), v)),
            );
            let (back, problems) = read(&table.to_string());
            prop_assert_eq!(problems, vec![]);
            prop_assert_eq!(back, Some(sample));
        }
    }
}
