//! The secrets this run holds, and their redaction: every credential read from the environment
//! (tokens, passwords, passphrases, the signing key) with the encoded forms a server may echo
//! back (HTTP Basic `base64(user:password)`, SMTP `AUTH PLAIN` and `AUTH LOGIN`), registered once
//! at start, and removed from every text that is printed or written (results, logs, errors,
//! annotations, the job summary, step outputs, child-process logs, HTTP error bodies).

use std::borrow::Cow;
use std::sync::RwLock;

/// What a redacted secret is shown as.
pub const REDACTED: &str = "***";

/// Shorter values are not redacted (they would blank out ordinary words); a credential this
/// short is a problem of its own.
const MIN_LEN: usize = 4;

static REGISTRY: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Whether an environment variable holds a credential, by its name.
pub fn is_secret_name(name: &str) -> bool {
    const SUFFIXES: [&str; 5] = [
        "_TOKEN",
        "_PASSWORD",
        "_PASSPHRASE",
        "_SECRET_KEY",
        "_API_KEY",
    ];
    SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Every secret value in `env`, with its encoded forms: each credential variable's value (and
/// each line of a multi-line one, e.g. an armored key), and for every `X_USER`/`X_USERNAME`
/// with `X_PASSWORD` the forms a server echoes: `base64(user:password)` (HTTP Basic),
/// `base64(\0user\0password)` (SMTP AUTH PLAIN) and `base64(password)` (AUTH LOGIN). Pure.
pub fn from_env(env: &[(String, String)]) -> Vec<String> {
    let get = |k: &str| {
        env.iter()
            .find(|(n, v)| n == k && !v.is_empty())
            .map(|(_, v)| v.as_str())
    };
    let mut out = Vec::new();
    for (name, value) in env {
        if value.trim().is_empty() || !is_secret_name(name) {
            continue;
        }
        out.extend(forms(value));
        if let Some(prefix) = name.strip_suffix("_PASSWORD") {
            let user =
                get(&format!("{prefix}_USER")).or_else(|| get(&format!("{prefix}_USERNAME")));
            if let Some(user) = user {
                out.extend(basic_forms(user, value));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A secret as text may carry it: whole, each of its lines, and its base64.
pub fn forms(secret: &str) -> Vec<String> {
    let mut out = vec![secret.to_string(), base64(secret.as_bytes())];
    if secret.contains('\n') {
        out.extend(
            secret
                .lines()
                .map(str::trim)
                .filter(|l| l.len() >= 8 && !l.starts_with("-----"))
                .map(str::to_string),
        );
    }
    out
}

/// The encoded forms of a user and password that servers echo back.
pub fn basic_forms(user: &str, password: &str) -> Vec<String> {
    vec![
        base64(format!("{user}:{password}").as_bytes()),
        base64(format!("\0{user}\0{password}").as_bytes()),
    ]
}

/// Registers secret values (see [`from_env`], [`forms`]) for [`redact`] from now on.
pub fn register(values: impl IntoIterator<Item = String>) {
    let mut reg = REGISTRY.write().unwrap_or_else(|p| p.into_inner());
    for v in values {
        let v = v.trim_end_matches(['\r', '\n']).to_string();
        if v.len() >= MIN_LEN && !reg.contains(&v) {
            reg.push(v);
        }
    }
    // Longest first, so a secret that contains another is removed whole.
    reg.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// `text` with every registered secret replaced by `***`.
pub fn redact(text: &str) -> Cow<'_, str> {
    let reg = REGISTRY.read().unwrap_or_else(|p| p.into_inner());
    redact_with(&reg, text)
}

/// `text` with each of `secrets` (longest first) replaced by `***`. Pure.
pub fn redact_with<'a>(secrets: &[String], text: &'a str) -> Cow<'a, str> {
    let mut out = Cow::Borrowed(text);
    for s in secrets {
        if s.len() >= MIN_LEN && out.contains(s.as_str()) {
            out = Cow::Owned(out.replace(s.as_str(), REDACTED));
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648), as HTTP Basic and SMTP AUTH use it.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Vec<(String, String)> {
        vars.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
            ("Aladdin:open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
        }
    }

    #[test]
    fn every_credential_and_its_basic_auth_form_is_a_secret() {
        let s = from_env(&env(&[
            ("JIRA_USER", "rm"),
            ("JIRA_PASSWORD", "hunter2-jira"),
            ("RELEASE_KIT_SMTP_USERNAME", "rm@apache.org"),
            ("RELEASE_KIT_SMTP_PASSWORD", "smtp-pass-1"),
            ("GITHUB_TOKEN", "ghp_abcdef123456"),
            ("RELEASE_KIT_TAG", "1.0.0-rc1"),
            ("RELEASE_KIT_NEXUS_PASSWORD", ""),
        ]));
        assert!(s.contains(&"hunter2-jira".to_string()));
        assert!(s.contains(&base64(b"rm:hunter2-jira")));
        assert!(s.contains(&base64(b"\0rm@apache.org\0smtp-pass-1")));
        assert!(s.contains(&base64(b"smtp-pass-1")));
        assert!(s.contains(&"ghp_abcdef123456".to_string()));
        assert!(!s.iter().any(|v| v == "1.0.0-rc1" || v.is_empty()));
    }

    #[test]
    fn redaction_removes_each_form_longest_first() {
        let secrets = vec![
            base64(b"rm:hunter2-jira"),
            "hunter2-jira".to_string(),
            "ab".to_string(),
        ];
        let text = format!(
            "401: Authorization: Basic {} for hunter2-jira; ab stays",
            base64(b"rm:hunter2-jira")
        );
        assert_eq!(
            redact_with(&secrets, &text),
            "401: Authorization: Basic *** for ***; ab stays"
        );
        assert!(matches!(redact_with(&secrets, "clean"), Cow::Borrowed(_)));
    }

    #[test]
    fn lines_of_an_armored_key_are_secrets_too() {
        let key = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQdGBGVsecretline1\nAbCdEfGhIjKlMn\n-----END PGP PRIVATE KEY BLOCK-----\n";
        let f = forms(key);
        assert!(f.contains(&"lQdGBGVsecretline1".to_string()));
        assert!(!f
            .iter()
            .any(|l| l == "-----BEGIN PGP PRIVATE KEY BLOCK-----"));
    }
}
