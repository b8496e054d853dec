//! Where a results directory is: a local path, or `s3://bucket/prefix` in object storage.
//! Parsing only: what is written there and how is `mirror`'s and `fetch`'s.
//!
//! Depends on nothing of the crate.

use std::fmt;
use std::path::PathBuf;

/// A results directory's place, as a command line gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Local(PathBuf),
    S3(S3Prefix),
}

/// A folder in a bucket: every key of the results directory starts with `prefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Prefix {
    pub bucket: String,
    /// Empty (the bucket's root) or ending in '/'.
    pub prefix: String,
}

impl S3Prefix {
    /// The key of the file `rel` (a '/'-separated path inside the directory).
    pub fn key(&self, rel: &str) -> String {
        format!("{}{rel}", self.prefix)
    }

    /// The folder `name` inside this one.
    pub fn child(&self, name: &str) -> S3Prefix {
        S3Prefix {
            bucket: self.bucket.clone(),
            prefix: format!("{}{}/", self.prefix, name.trim_end_matches('/')),
        }
    }

    /// `s3://bucket/key`, as errors name an object.
    pub fn url_of(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }
}

impl fmt::Display for S3Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.prefix)
    }
}

/// A location a command reads: one directory, or (`s3://…/shard-*`) every folder whose name
/// starts with the text before the `*`, as a shell expands a local glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    One(Location),
    S3Glob { parent: S3Prefix, stem: String },
}

impl Location {
    /// `text` as a location: `s3://` is object storage, another `scheme://` is refused, and
    /// anything else is a local path.
    pub fn parse(text: &str) -> Result<Location, String> {
        let Some(rest) = text.strip_prefix("s3://") else {
            if let Some((scheme, _)) = text.split_once("://")
                && !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
            {
                return Err(format!(
                    "{text}: {scheme}:// is not a results location sqsbench writes; use a local path or s3://bucket/prefix"
                ));
            }
            return Ok(Location::Local(PathBuf::from(text)));
        };
        let (bucket, path) = rest.split_once('/').unwrap_or((rest, ""));
        bucket_name(bucket).map_err(|why| format!("{text}: the bucket name {bucket:?} {why}"))?;
        let path = path.trim_end_matches('/');
        let mut prefix = String::new();
        for part in path.split('/').filter(|_| !path.is_empty()) {
            if part.is_empty() || part == "." || part == ".." || part.contains('*') {
                return Err(format!(
                    "{text}: {part:?} is not a folder name (no empty, '.', '..' or '*' parts)"
                ));
            }
            prefix.push_str(part);
            prefix.push('/');
        }
        Ok(Location::S3(S3Prefix {
            bucket: bucket.to_string(),
            prefix,
        }))
    }
}

impl Input {
    /// `text` as an input: a location, or an `s3://` one whose last part ends in `*`.
    pub fn parse(text: &str) -> Result<Input, String> {
        let Some(stem_at) = text.strip_suffix('*').filter(|t| t.starts_with("s3://")) else {
            return Location::parse(text).map(Input::One);
        };
        let (parent, stem) = stem_at.rsplit_once('/').unwrap_or((stem_at, ""));
        match Location::parse(parent)? {
            Location::S3(parent) if !stem.contains('*') && parent.prefix.len() + stem.len() > 0 => {
                Ok(Input::S3Glob {
                    parent,
                    stem: stem.to_string(),
                })
            }
            _ => Err(format!(
                "{text}: only the last part of an s3:// input may end in '*' (s3://bucket/run/shard-*)"
            )),
        }
    }
}

/// S3's rules for a bucket's name, so a typo is caught before any request.
fn bucket_name(name: &str) -> Result<(), &'static str> {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-';
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !(3..=63).contains(&name.len()) {
        return Err("must be 3 to 63 characters");
    }
    if !name.chars().all(ok_char) {
        return Err("may hold only lowercase letters, digits, '.' and '-'");
    }
    if !edge(name.chars().next()) || !edge(name.chars().last()) {
        return Err("must start and end with a letter or digit");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3(bucket: &str, prefix: &str) -> Location {
        Location::S3(S3Prefix {
            bucket: bucket.into(),
            prefix: prefix.into(),
        })
    }

    #[test]
    fn s3_urls_become_a_bucket_and_a_folder() {
        assert_eq!(Location::parse("s3://bkt"), Ok(s3("bkt", "")));
        assert_eq!(Location::parse("s3://bkt/"), Ok(s3("bkt", "")));
        assert_eq!(Location::parse("s3://bkt/runs/a"), Ok(s3("bkt", "runs/a/")));
        assert_eq!(
            Location::parse("s3://bkt/runs/a/"),
            Ok(s3("bkt", "runs/a/"))
        );
        assert_eq!(
            Location::parse("results/a"),
            Ok(Location::Local("results/a".into()))
        );
        let Ok(Location::S3(p)) = Location::parse("s3://my.bucket-1/x") else {
            panic!()
        };
        assert_eq!(p.key("summary.json"), "x/summary.json");
        assert_eq!(p.child("merged").to_string(), "s3://my.bucket-1/x/merged/");
        assert_eq!(p.url_of("x/a"), "s3://my.bucket-1/x/a");
    }

    #[test]
    fn what_is_not_a_bucket_or_folder_is_refused_naming_it() {
        for (text, says) in [
            ("s3://Bkt/x", "lowercase"),
            ("s3://ab/x", "3 to 63"),
            ("s3://-bkt/x", "start and end"),
            ("s3://bkt/a//b", "\"\""),
            ("s3://bkt/a/../b", "\"..\""),
            ("s3://bkt/a*/b", "'*'"),
            ("gs://bkt/x", "gs:// is not"),
        ] {
            let e = Location::parse(text).unwrap_err();
            assert!(e.starts_with(text) && e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn an_s3_input_may_end_in_a_star() {
        let Ok(Input::S3Glob { parent, stem }) = Input::parse("s3://bkt/run-1/shard-*") else {
            panic!()
        };
        assert_eq!(
            (parent.prefix.as_str(), stem.as_str()),
            ("run-1/", "shard-")
        );
        assert!(matches!(
            Input::parse("s3://bkt/run-1/*"),
            Ok(Input::S3Glob { .. })
        ));
        assert!(Input::parse("s3://bkt/*/x*").is_err());
        assert!(Input::parse("s3://bkt*").is_err());
        assert!(matches!(
            Input::parse("dir*"),
            Ok(Input::One(Location::Local(_)))
        ));
    }
}
