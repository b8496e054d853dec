//! The scenario's own codecs (listen addresses, rates) and `spelled!`, beside the framework every
//! section is declared with (`sqsbench_keys`: `section!`, the codecs, line-tracked fields),
//! re-exported so a section imports its keys from one place. Must not depend on anything
//! outside `scenario` but `sqsbench_keys`.

pub(crate) use sqsbench_keys::codec::*;
pub(crate) use sqsbench_keys::section;

use serde_json::{Value, json};
use sqsbench_keys::Field;

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
    fn schema(&self) -> Value {
        json!({"type": "string", "pattern": r"^\S+:[0-9]+$"})
    }
}

/// A rate as `units::parse_rate` reads it: a number, `/`, and `s`, `sec`, `m`, `min` or `h`.
pub(crate) const RATE_TEXT: &str = r"\s*[0-9][0-9_]*(\.[0-9]+)?\s*/\s*(s|sec|m|min|h)\s*";

/// The JSON Schema of a rate: `3000/s`, `180000/m`.
pub(crate) fn rate_schema() -> Value {
    json!({"type": "string", "pattern": format!("^{RATE_TEXT}$")})
}

/// The JSON Schema of a size as `units::parse_size` reads it: `100B`, `1KiB`, `256KiB`.
pub(crate) fn size_schema() -> Value {
    json!({"type": "string", "pattern": r"^\s*[0-9]+(\.[0-9]+)?\s*(B|KB|kB|KiB|MB|MiB|GB|GiB|TB|TiB)?\s*$"})
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
    fn schema(&self) -> Value {
        rate_schema()
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
                        sqsbench_keys::Codec::accepts(&$table)
                    ))
                })
            }
        }
    };
}
pub(crate) use spelled;
