//! `serve --credentials FILE`: the keys the server accepts, read from a file in the AWS CLI's
//! credentials format (`[profile]` sections of `aws_access_key_id`, `aws_secret_access_key` and
//! an optional `aws_session_token`; `#` and `;` start comments). Pure text in, a key table out;
//! every problem names its line and profile.

use std::collections::HashMap;

/// What one access key signs with.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret {
    pub(crate) secret: String,
    /// When the profile has one, every request must carry it (`X-Amz-Security-Token`).
    pub(crate) session_token: Option<String>,
    pub(crate) profile: String,
}

/// The accepted keys, by access key id.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub(crate) keys: HashMap<String, Secret>,
}

// Secrets stay out of logs and panics.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut ids: Vec<&String> = self.keys.keys().collect();
        ids.sort();
        f.debug_struct("Credentials")
            .field("access_key_ids", &ids)
            .finish()
    }
}

#[derive(Default)]
struct Profile {
    name: String,
    line: usize,
    key_id: Option<String>,
    secret: Option<String>,
    token: Option<String>,
}

impl Credentials {
    /// Reads a credentials file's text. A profile with only some of its keys, a key id given
    /// twice, or a file with no usable profile is an error naming the line.
    pub fn parse(text: &str) -> Result<Credentials, String> {
        let mut profiles: Vec<Profile> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            let at = i + 1;
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[') {
                let name = name
                    .strip_suffix(']')
                    .ok_or_else(|| format!("line {at}: a profile header must end with ']'"))?;
                profiles.push(Profile {
                    name: name.trim().to_string(),
                    line: at,
                    ..Profile::default()
                });
                continue;
            }
            let (key, value) = line
                .split_once('=')
                .ok_or_else(|| format!("line {at}: expected `key = value` or `[profile]`"))?;
            let profile = profiles
                .last_mut()
                .ok_or_else(|| format!("line {at}: `{}` comes before any [profile]", key.trim()))?;
            let value = Some(value.trim().to_string());
            match key.trim() {
                "aws_access_key_id" => profile.key_id = value,
                "aws_secret_access_key" => profile.secret = value,
                "aws_session_token" => profile.token = value,
                // region, output and the like belong to the CLI, not to the signature.
                _ => {}
            }
        }
        let mut keys = HashMap::new();
        for p in profiles {
            let (key_id, secret) = match (p.key_id, p.secret) {
                (Some(k), Some(s)) if !k.is_empty() && !s.is_empty() => (k, s),
                (None, None) => continue,
                _ => {
                    return Err(format!(
                        "line {}: profile [{}] needs both aws_access_key_id and aws_secret_access_key",
                        p.line, p.name
                    ));
                }
            };
            let secret = Secret {
                secret,
                session_token: p.token.filter(|t| !t.is_empty()),
                profile: p.name.clone(),
            };
            if let Some(earlier) = keys.insert(key_id.clone(), secret) {
                return Err(format!(
                    "line {}: profile [{}] repeats the access key id of profile [{}]",
                    p.line, p.name, earlier.profile
                ));
            }
        }
        if keys.is_empty() {
            return Err(
                "no profile has aws_access_key_id and aws_secret_access_key: no request could be signed"
                    .into(),
            );
        }
        Ok(Credentials { keys })
    }

    /// How many access keys are accepted.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_with_and_without_tokens() {
        let c = Credentials::parse(
            "# keys for the test\n[default]\naws_access_key_id = AKID1\naws_secret_access_key=s1\nregion = us-east-1\n\n[temp]\naws_access_key_id=ASIA2\naws_secret_access_key = s2\naws_session_token = tok\n[empty]\n",
        )
        .unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c.keys["AKID1"].secret, "s1");
        assert_eq!(c.keys["AKID1"].session_token, None);
        assert_eq!(c.keys["ASIA2"].session_token.as_deref(), Some("tok"));
        assert_eq!(
            format!("{c:?}"),
            "Credentials { access_key_ids: [\"AKID1\", \"ASIA2\"] }"
        );
    }

    #[test]
    fn problems_name_the_line_and_profile() {
        for (text, says) in [
            (
                "aws_access_key_id = A\n",
                "line 1: `aws_access_key_id` comes before any [profile]",
            ),
            ("[p\n", "line 1: a profile header must end with ']'"),
            ("[p]\nnonsense\n", "line 2: expected `key = value`"),
            (
                "[p]\naws_access_key_id = A\n",
                "line 1: profile [p] needs both",
            ),
            (
                "[a]\naws_access_key_id=A\naws_secret_access_key=x\n[b]\naws_access_key_id=A\naws_secret_access_key=y\n",
                "line 4: profile [b] repeats the access key id of profile [a]",
            ),
            ("", "no profile has"),
        ] {
            let e = Credentials::parse(text).unwrap_err();
            assert!(e.starts_with(says), "{text:?}: {e}");
        }
    }
}
