//! The gpg adapter: a keyring (the release manager's own, or a temporary GNUPGHOME holding a
//! key imported from a CI secret), key listings in `--with-colons` form, detached ASCII-armoured
//! signatures and their verification. Passphrases reach gpg only through its stdin
//! (`--passphrase-fd 0 --pinentry-mode loopback`), never argv or logs.
//!
//! [`check_signing_key`] is the pure policy the signing key must meet before a vote.

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use crate::error::ExitCode;
use crate::outside::process::{Cmd, CmdError};

#[derive(Debug, thiserror::Error)]
pub enum GpgError {
    #[error("no secret key to sign with in {home}; import the release manager's key (`gpg --import`) or set RELEASE_KIT_SIGNING_SECRET_KEY in CI")]
    NoSecretKey { home: String },
    #[error("{home} holds several secret keys ({list}); choose one with signing.key = \"<fingerprint>\"")]
    AmbiguousKey { home: String, list: String },
    #[error("signing key {key} is not in {home}; import it, or fix signing.key")]
    UnknownKey { key: String, home: String },
    #[error("signing key {fingerprint} is not in the KEYS file ({keys}); add it with `(gpg --list-sigs {fingerprint} && gpg --armor --export {fingerprint}) >> KEYS` and commit KEYS to the release dist area")]
    NotInKeys { fingerprint: String, keys: String },
    #[error("signing key {fingerprint} is {algorithm}; Apache requires RSA of at least 2048 bits or a modern algorithm (Ed25519, ECDSA P-256 or stronger): create a new key with `gpg --quick-gen-key \"Name <you@apache.org>\" rsa4096 sign 2y` and add it to KEYS")]
    WeakKey {
        fingerprint: String,
        algorithm: String,
    },
    #[error("signing key {fingerprint} expired on {expired}; extend it with `gpg --quick-set-expire {fingerprint} 2y` (and its signing subkey), then update KEYS")]
    Expired {
        fingerprint: String,
        expired: String,
    },
    #[error("signing key {fingerprint} expires on {expires}, before the vote ends plus {margin_days} days ({needed}); extend it with `gpg --quick-set-expire {fingerprint} 2y`, then update KEYS")]
    ExpiresTooSoon {
        fingerprint: String,
        expires: String,
        needed: String,
        margin_days: i64,
    },
    #[error("the signature {} does not verify against {}: {detail}", signature.display(), file.display())]
    BadSignature {
        signature: PathBuf,
        file: PathBuf,
        detail: String,
    },
    #[error("{what} is not an OpenPGP key gpg can import ({reason}); export it with `gpg --armor --export-secret-keys <fingerprint>` and store the whole armored block in the secret")]
    BadKey { what: String, reason: String },
    #[error("the passphrase does not unlock signing key {key} (RELEASE_KIT_SIGNING_PASSPHRASE, or the agent's); set the key's passphrase in the secret")]
    BadPassphrase { key: String },
    #[error("cannot create a temporary GNUPGHOME: {0}")]
    Home(std::io::Error),
    #[error(transparent)]
    Cmd(#[from] CmdError),
}

impl crate::error::Classify for GpgError {
    fn exit_code(&self) -> ExitCode {
        match self {
            GpgError::Cmd(e) => e.exit_code(),
            GpgError::Home(_) => ExitCode::Outside,
            GpgError::BadSignature { .. } => ExitCode::Problems,
            _ => ExitCode::Usage,
        }
    }
}

/// One key of a keyring.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Key {
    pub fingerprint: String,
    pub algorithm: u32,
    pub bits: u32,
    pub curve: Option<String>,
    pub created: i64,
    pub expires: Option<i64>,
    /// Key capabilities (`s` sign, `c` certify, ...); upper case letters describe the whole key.
    pub capabilities: String,
    /// Validity field: `r` revoked, `e` expired, ...
    pub validity: String,
    pub uids: Vec<String>,
    pub subkeys: Vec<Key>,
}

impl Key {
    /// The algorithm as people write it.
    pub(crate) fn algorithm_name(&self) -> String {
        match self.algorithm {
            1..=3 => format!("RSA {}", self.bits),
            16 => format!("Elgamal {}", self.bits),
            17 => format!("DSA {}", self.bits),
            18 => format!("ECDH {}", self.curve.as_deref().unwrap_or("?")),
            19 => format!("ECDSA {}", self.curve.as_deref().unwrap_or("?")),
            22 => format!("EdDSA {}", self.curve.as_deref().unwrap_or("?")),
            27 => "Ed25519".into(),
            28 => "Ed448".into(),
            n => format!("algorithm {n}"),
        }
    }

    fn strong(&self) -> bool {
        match self.algorithm {
            1..=3 => self.bits >= 2048,
            19 | 22 => matches!(
                self.curve.as_deref(),
                Some(
                    "ed25519"
                        | "ed448"
                        | "nistp256"
                        | "nistp384"
                        | "nistp521"
                        | "brainpoolP256r1"
                        | "brainpoolP384r1"
                        | "brainpoolP512r1"
                )
            ),
            27 | 28 => true,
            _ => false,
        }
    }

    fn usable_for_signing(&self, now: i64) -> bool {
        self.capabilities.contains('s')
            && !self.validity.contains('r')
            && self.expires.is_none_or(|e| e > now)
    }
}

/// Parses `gpg --with-colons --fixed-list-mode --list-keys` (or `--list-secret-keys`) output.
pub(crate) fn parse_colons(text: &str) -> Vec<Key> {
    let mut keys: Vec<Key> = Vec::new();
    let mut in_sub = false;
    for line in text.lines() {
        let f: Vec<&str> = line.split(':').collect();
        let get = |i: usize| f.get(i).copied().unwrap_or("");
        match get(0) {
            "pub" | "sec" | "sub" | "ssb" => {
                let key = Key {
                    fingerprint: String::new(),
                    algorithm: get(3).parse().unwrap_or(0),
                    bits: get(2).parse().unwrap_or(0),
                    curve: Some(get(16).to_string()).filter(|s| !s.is_empty()),
                    created: get(5).parse().unwrap_or(0),
                    expires: get(6).parse().ok().filter(|e: &i64| *e > 0),
                    capabilities: get(11).to_string(),
                    validity: get(1).to_string(),
                    uids: Vec::new(),
                    subkeys: Vec::new(),
                };
                if matches!(get(0), "pub" | "sec") {
                    keys.push(key);
                    in_sub = false;
                } else if let Some(primary) = keys.last_mut() {
                    primary.subkeys.push(key);
                    in_sub = true;
                }
            }
            "fpr" => {
                if let Some(primary) = keys.last_mut() {
                    let target = if in_sub {
                        primary.subkeys.last_mut()
                    } else {
                        Some(primary)
                    };
                    if let Some(k) = target {
                        if k.fingerprint.is_empty() {
                            k.fingerprint = get(9).to_string();
                        }
                    }
                }
            }
            "uid" => {
                if let Some(primary) = keys.last_mut() {
                    primary.uids.push(get(9).replace("\\x3a", ":"));
                }
            }
            _ => {}
        }
    }
    keys
}

/// A time as the day it falls on (UTC), for messages.
pub(crate) fn day(ts: i64) -> String {
    jiff::Timestamp::from_second(ts)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| ts.to_string())
}

/// The strength rule alone: the error for a key too weak for releases, `None` for a strong one.
pub(crate) fn weakness(key: &Key) -> Option<GpgError> {
    (!key.strong()).then(|| GpgError::WeakKey {
        fingerprint: key.fingerprint.clone(),
        algorithm: key.algorithm_name(),
    })
}

/// The policy a signing key must meet: listed in KEYS, strong, not expired, and valid until
/// `needed_until` (the vote's end plus the margin). Returns when the key stops being usable.
pub(crate) fn check_signing_key(
    key: &Key,
    keys_fingerprints: &[String],
    keys_source: &str,
    now: i64,
    needed_until: i64,
    margin_days: i64,
) -> Result<Option<i64>, GpgError> {
    let fpr = key.fingerprint.clone();
    if !keys_fingerprints
        .iter()
        .any(|k| k.eq_ignore_ascii_case(&fpr))
    {
        return Err(GpgError::NotInKeys {
            fingerprint: fpr,
            keys: keys_source.to_string(),
        });
    }
    if let Some(weak) = weakness(key) {
        return Err(weak);
    }
    if let Some(e) = key.expires.filter(|e| *e <= now) {
        return Err(GpgError::Expired {
            fingerprint: fpr,
            expired: day(e),
        });
    }
    // The key that actually signs: the primary when it can, else its longest-lived signing subkey.
    let mut until = key.expires;
    if !key.usable_for_signing(now) {
        let best = key
            .subkeys
            .iter()
            .filter(|s| s.usable_for_signing(now))
            .map(|s| s.expires.unwrap_or(i64::MAX))
            .max();
        match best {
            None => {
                let expired = key
                    .subkeys
                    .iter()
                    .filter(|s| s.capabilities.contains('s'))
                    .filter_map(|s| s.expires)
                    .max()
                    .unwrap_or(now);
                return Err(GpgError::Expired {
                    fingerprint: fpr,
                    expired: day(expired),
                });
            }
            Some(i64::MAX) => {}
            Some(e) => until = Some(until.map_or(e, |u| u.min(e))),
        }
    }
    if let Some(e) = until.filter(|e| *e < needed_until) {
        return Err(GpgError::ExpiresTooSoon {
            fingerprint: fpr,
            expires: day(e),
            needed: day(needed_until),
            margin_days,
        });
    }
    Ok(until)
}

/// A gpg keyring: the ambient one (GNUPGHOME or ~/.gnupg) or a temporary home removed on drop.
#[derive(Debug)]
pub struct Gpg {
    home: Option<PathBuf>,
    temp: Option<tempfile::TempDir>,
}

impl Drop for Gpg {
    fn drop(&mut self) {
        if let Some(t) = &self.temp {
            let _ = Cmd::new("gpgconf", "stop the temporary gpg-agent")
                .args(["--kill", "all"])
                .env("GNUPGHOME", t.path())
                .output();
        }
    }
}

impl Gpg {
    /// The release manager's keyring (GNUPGHOME when set).
    pub(crate) fn ambient() -> Gpg {
        Gpg {
            home: std::env::var_os("GNUPGHOME").map(PathBuf::from),
            temp: None,
        }
    }

    /// A new, empty keyring in a temporary directory.
    pub fn temporary() -> Result<Gpg, GpgError> {
        let temp = tempfile::Builder::new()
            .prefix("rk-gpg.")
            .tempdir()
            .map_err(GpgError::Home)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(0o700));
        }
        Ok(Gpg {
            home: Some(temp.path().to_path_buf()),
            temp: Some(temp),
        })
    }

    /// The GNUPGHOME in use, when not the default.
    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }

    pub(crate) fn describe(&self) -> String {
        match &self.home {
            Some(h) if self.temp.is_some() => format!("the temporary keyring {}", h.display()),
            Some(h) => format!("the keyring {}", h.display()),
            None => "the default keyring (~/.gnupg)".into(),
        }
    }

    fn cmd(&self, why: &str) -> Cmd {
        let c = Cmd::new("gpg", why).args(["--batch", "--no-tty"]);
        match &self.home {
            Some(h) => c.env("GNUPGHOME", h),
            None => c,
        }
    }

    /// A key as KEYS files hold it: `gpg --list-sigs`, then the armoured public key.
    pub fn keys_entry(&self, fpr: &str) -> Result<String, GpgError> {
        let text = |args: &[&str], why: &str| -> Result<String, GpgError> {
            Ok(self.cmd(why).args(args).run()?.stdout_str())
        };
        let sigs = text(&["--list-sigs", fpr], "list the key's signatures for KEYS")?;
        let armor = text(&["--armor", "--export", fpr], "export the key for KEYS")?;
        Ok(format!("{}\n{}", sigs.trim_end(), armor))
    }

    /// Imports keys (public or secret, armoured or binary) fed through stdin.
    pub fn import(&self, bytes: &[u8], what: &str) -> Result<(), GpgError> {
        let out = self
            .cmd(&format!("import {what}"))
            .args(["--pinentry-mode", "loopback", "--import"])
            .stdin(bytes.to_vec())
            .output()?;
        if !out.success() {
            // Only gpg's own verdict lines, never the input (it may be key material).
            let reason = out
                .stderr_str()
                .lines()
                .filter(|l| l.starts_with("gpg: ") && !l.contains("-----"))
                .map(|l| l.trim_start_matches("gpg: ").trim().to_string())
                .filter(|l| !l.is_empty() && l.len() < 200)
                .collect::<Vec<_>>()
                .join("; ");
            return Err(GpgError::BadKey {
                what: what.to_string(),
                reason: if reason.is_empty() {
                    "gpg refused it".into()
                } else {
                    reason
                },
            });
        }
        Ok(())
    }

    pub fn list(&self, secret: bool, selector: Option<&str>) -> Result<Vec<Key>, GpgError> {
        let out = self
            .cmd("list keys")
            .args(["--with-colons", "--fixed-list-mode", "--with-fingerprint"])
            .arg(if secret {
                "--list-secret-keys"
            } else {
                "--list-keys"
            })
            .args(selector)
            .output()?;
        // gpg exits 2 when a selector matches nothing.
        Ok(parse_colons(&out.stdout_str()))
    }

    /// The key to sign with: `wanted` (a fingerprint or key id) or the only secret key.
    pub(crate) fn signing_key(&self, wanted: Option<&str>) -> Result<Key, GpgError> {
        let secret = self.list(true, wanted)?;
        match (wanted, secret.as_slice()) {
            (Some(w), []) => Err(GpgError::UnknownKey {
                key: w.to_string(),
                home: self.describe(),
            }),
            (None, []) => Err(GpgError::NoSecretKey {
                home: self.describe(),
            }),
            (_, [one]) => Ok(self
                .list(false, Some(&one.fingerprint))?
                .into_iter()
                .next()
                .unwrap_or_else(|| one.clone())),
            (_, many) => Err(GpgError::AmbiguousKey {
                home: self.describe(),
                list: many
                    .iter()
                    .map(|k| k.fingerprint.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// Writes `file.asc`, a detached ASCII-armoured signature of `file` by `key`.
    pub fn sign(
        &self,
        file: &Path,
        key: &str,
        passphrase: Option<&SecretString>,
    ) -> Result<PathBuf, GpgError> {
        let asc = PathBuf::from(format!("{}.asc", file.display()));
        let mut c = self
            .cmd(&format!("sign {}", file.display()))
            .args([
                "--yes",
                "--armor",
                "--detach-sign",
                "--local-user",
                key,
                "--output",
            ])
            .arg(&asc);
        if let Some(p) = passphrase {
            c = c
                .args(["--pinentry-mode", "loopback", "--passphrase-fd", "0"])
                .stdin(p.expose_secret().as_bytes().to_vec());
        }
        c.arg(file).run().map_err(|e| {
            let stderr = e.stderr().unwrap_or_default().to_ascii_lowercase();
            if stderr.contains("bad passphrase")
                || stderr.contains("no passphrase given")
                || stderr.contains("no pinentry")
            {
                GpgError::BadPassphrase {
                    key: key.to_string(),
                }
            } else {
                GpgError::Cmd(e)
            }
        })?;
        Ok(asc)
    }

    /// Verifies a detached signature; returns the fingerprint of the key that made it.
    pub fn verify(&self, signature: &Path, file: &Path) -> Result<String, GpgError> {
        let out = self
            .cmd(&format!("verify {}", signature.display()))
            .args(["--status-fd", "1", "--verify"])
            .arg(signature)
            .arg(file)
            .output()?;
        let status = out.stdout_str();
        let valid = status
            .lines()
            .find_map(|l| l.strip_prefix("[GNUPG:] VALIDSIG "))
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_string);
        match valid {
            Some(fpr) if out.success() => Ok(fpr),
            _ => Err(GpgError::BadSignature {
                signature: signature.to_path_buf(),
                file: file.to_path_buf(),
                detail: out.stderr_str().trim().to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn have_gpg() -> bool {
        if crate::outside::process::on_path("gpg") {
            return true;
        }
        assert!(std::env::var_os("CI").is_none(), "gpg is required in CI");
        eprintln!("skipping: gpg is not installed");
        false
    }

    #[test]
    fn a_garbage_secret_key_is_bad_input_and_never_echoed() {
        if !have_gpg() {
            return;
        }
        use crate::error::Classify as _;
        let g = Gpg::temporary().unwrap();
        let garbage = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PGP PRIVATE KEY BLOCK-----\n";
        let e = g
            .import(
                garbage.as_bytes(),
                "the signing key from RELEASE_KIT_SIGNING_SECRET_KEY",
            )
            .unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::Usage, "{e}");
        let text = e.to_string();
        assert!(text.contains("RELEASE_KIT_SIGNING_SECRET_KEY"), "{text}");
        assert!(!text.contains("c2VjcmV0"), "key material echoed: {text}");
    }

    #[test]
    fn a_wrong_passphrase_is_bad_input_naming_the_key() {
        if !have_gpg() {
            return;
        }
        use crate::error::Classify as _;
        let g = Gpg::temporary().unwrap();
        g.cmd("make a key with a passphrase")
            .args([
                "--passphrase",
                "right-one",
                "--pinentry-mode",
                "loopback",
                "--quick-gen-key",
                "Test <t@example.org>",
                "ed25519",
                "sign",
                "1y",
            ])
            .run()
            .unwrap();
        let key = g.signing_key(None).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.tar.gz");
        std::fs::write(&file, "x").unwrap();
        let wrong = SecretString::from("wrong-one");
        let e = g.sign(&file, &key.fingerprint, Some(&wrong)).unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::Usage, "{e}");
        assert!(e.to_string().contains(&key.fingerprint), "{e}");
        assert!(!e.to_string().contains("wrong-one"), "{e}");
    }

    const LISTING: &str = "\
tru::1:1700000000:0:3:1:5
pub:u:4096:1:AAAABBBBCCCCDDDD:1700000000:1900000000::u:::scSC::::::23::0:
fpr:::::::::0123456789ABCDEF0123456789ABCDEFAAAABBBB:
uid:u::::1700000000::HASH::Release Manager <rm@example.org>::::::::::0:
sub:u:255:22:1111222233334444:1700000000:1800000000:::::s:::::ed25519::
fpr:::::::::9999999999999999999999991111222233334444:
";

    #[test]
    fn colons_are_parsed_with_subkeys() {
        let keys = parse_colons(LISTING);
        assert_eq!(keys.len(), 1);
        let k = &keys[0];
        assert_eq!(k.fingerprint, "0123456789ABCDEF0123456789ABCDEFAAAABBBB");
        assert_eq!(
            (k.algorithm, k.bits, k.expires),
            (1, 4096, Some(1_900_000_000))
        );
        assert_eq!(k.uids, ["Release Manager <rm@example.org>"]);
        assert_eq!(k.subkeys[0].curve.as_deref(), Some("ed25519"));
        assert_eq!(
            k.subkeys[0].fingerprint,
            "9999999999999999999999991111222233334444"
        );
    }

    #[test]
    fn signing_key_policy() {
        let k = parse_colons(LISTING).remove(0);
        let fprs = vec![k.fingerprint.to_lowercase()];
        assert_eq!(
            check_signing_key(&k, &fprs, "KEYS", 1_750_000_000, 1_760_000_000, 30).unwrap(),
            Some(1_900_000_000)
        );
        let e = check_signing_key(&k, &[], "KEYS", 1_750_000_000, 1_760_000_000, 30).unwrap_err();
        assert!(e.to_string().contains("not in the KEYS file"), "{e}");
        let e = check_signing_key(&k, &fprs, "KEYS", 1_950_000_000, 1_960_000_000, 30).unwrap_err();
        assert!(matches!(e, GpgError::Expired { .. }), "{e}");
        let e = check_signing_key(
            &k,
            &fprs,
            "KEYS",
            1_750_000_000,
            1_899_000_000 + 86_400 * 30,
            30,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("before the vote ends plus 30 days"),
            "{e}"
        );
        let mut weak = k.clone();
        weak.bits = 1024;
        let e =
            check_signing_key(&weak, &fprs, "KEYS", 1_750_000_000, 1_760_000_000, 30).unwrap_err();
        assert!(e.to_string().contains("RSA 1024"), "{e}");
        let mut dsa = k.clone();
        dsa.algorithm = 17;
        assert!(matches!(
            check_signing_key(&dsa, &fprs, "KEYS", 0, 1, 30),
            Err(GpgError::WeakKey { .. })
        ));
        // A certify-only primary signs with its subkey, whose expiry then counts.
        let mut c_only = k.clone();
        c_only.capabilities = "cSC".into();
        let e = check_signing_key(&c_only, &fprs, "KEYS", 1_750_000_000, 1_810_000_000, 30)
            .unwrap_err();
        assert!(matches!(e, GpgError::ExpiresTooSoon { .. }), "{e}");
    }
}
