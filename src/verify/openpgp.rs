//! Release signatures: a project's KEYS file (many armoured key blocks with `pub`/`uid` text
//! between them, old DSA and RSA keys, expired keys, subkeys) and the detached ASCII-armoured
//! OpenPGP signature (`.asc`) of a release artifact, verified in pure Rust with rPGP.
//!
//! The signed data is hashed as it streams past ([`SignatureHasher`]), so a voter's tool reads a
//! large tarball once for its checksum, its signature and its contents. Which keys count is
//! decided here, with the clock passed in: a revoked or expired key, an expired signature, a
//! subkey without a valid binding all fail, naming the key.

use std::io::Cursor;

use digest::DynDigest;
use pgp::composed::{Deserializable, DetachedSignature, SignedPublicKey, SignedPublicSubKey};
use pgp::packet::{Signature, SignatureType};
use pgp::types::{KeyDetails, Tag, VerifyingKey};
use serde::Serialize;

use crate::error::ExitCode;

const BEGIN_KEY: &str = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
const END_KEY: &str = "-----END PGP PUBLIC KEY BLOCK-----";

#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("KEYS file {file} holds no public key block (`{BEGIN_KEY}`); pass the project's KEYS file, e.g. https://downloads.apache.org/<project>/KEYS")]
    NoKeys { file: String },
    #[error("KEYS file {file}: none of its {blocks} key block(s) could be read ({first}); pass an intact KEYS file")]
    NoGoodKeys {
        file: String,
        blocks: usize,
        first: String,
    },
    #[error("signature file {file} is a binary OpenPGP signature; Apache releases publish ASCII-armoured signatures (`.asc`): make one with `gpg --armor --detach-sign ARTIFACT`, or convert it with `gpg --enarmor`")]
    Binary { file: String },
    #[error("signature file {file} is not an ASCII-armoured detached OpenPGP signature ({reason}); it should start with `-----BEGIN PGP SIGNATURE-----`")]
    BadSignatureFile { file: String, reason: String },
    #[error("signature file {file} uses a signature form this tool cannot check ({reason})")]
    Unsupported { file: String, reason: String },
}

impl crate::error::Classify for SigningError {
    fn exit_code(&self) -> ExitCode {
        match self {
            // The signature exists but is not what a release must publish: the check fails.
            SigningError::Binary { .. } => ExitCode::Problems,
            _ => ExitCode::Usage,
        }
    }
}

/// One public key loaded from a KEYS file.
#[derive(Debug, Clone)]
pub struct KeyEntry {
    pub key: SignedPublicKey,
    /// The primary key's fingerprint, upper-case hex.
    pub fingerprint: String,
    pub user_ids: Vec<String>,
    /// 1-based number of the armoured block it came from.
    pub block: usize,
}

/// A key block of a KEYS file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockProblem {
    pub block: usize,
    /// 1-based line where the block starts.
    pub line: usize,
    pub message: String,
}

/// Every key a KEYS file holds, and the blocks that could not be read.
#[derive(Debug, Clone)]
pub struct Keyring {
    pub keys: Vec<KeyEntry>,
    pub blocks: usize,
    pub problems: Vec<BlockProblem>,
}

/// Splits a KEYS file into its armoured public key blocks: `(first line, block text)`. Text
/// between blocks (`pub`, `uid`, `sig` listings) is ignored. An unterminated block runs to the
/// end of the file.
pub(crate) fn split_blocks(text: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed == BEGIN_KEY {
            if let Some(b) = current.take() {
                blocks.push(b);
            }
            current = Some((i + 1, String::new()));
        }
        if let Some((_, body)) = current.as_mut() {
            body.push_str(trimmed);
            body.push('\n');
            if trimmed == END_KEY {
                blocks.push(current.take().expect("inside a block"));
            }
        }
    }
    blocks.extend(current);
    blocks
}

fn user_ids(key: &SignedPublicKey) -> Vec<String> {
    key.details
        .users
        .iter()
        .map(|u| String::from_utf8_lossy(u.id.id()).into_owned())
        .collect()
}

fn fingerprint_of(key: &impl KeyDetails) -> String {
    format!("{:X}", key.fingerprint())
}

/// Loads every key of a KEYS file. Blocks that cannot be read are reported, and the others still
/// load; a file with no readable key is an error.
pub(crate) fn parse_keys(text: &str, file: &str) -> Result<Keyring, SigningError> {
    let blocks = split_blocks(text);
    if blocks.is_empty() {
        return Err(SigningError::NoKeys { file: file.into() });
    }
    let mut keys = Vec::new();
    let mut problems = Vec::new();
    for (n, (line, body)) in blocks.iter().enumerate() {
        let block = n + 1;
        let mut problem = |message: String| {
            problems.push(BlockProblem {
                block,
                line: *line,
                message,
            })
        };
        if !body.trim_end().ends_with(END_KEY) {
            problem(format!(
                "key block {block} (line {line}) has no `{END_KEY}` line"
            ));
            continue;
        }
        match SignedPublicKey::from_armor_many(Cursor::new(body.as_bytes())) {
            Err(e) => problem(format!(
                "key block {block} (line {line}) cannot be read: {e}"
            )),
            Ok((iter, _headers)) => {
                let mut loaded = 0;
                for item in iter {
                    match item {
                        Ok(key) => {
                            loaded += 1;
                            keys.push(KeyEntry {
                                fingerprint: fingerprint_of(&key.primary_key),
                                user_ids: user_ids(&key),
                                key,
                                block,
                            });
                        }
                        Err(e) => problem(format!(
                            "key block {block} (line {line}): a key cannot be read: {e}"
                        )),
                    }
                }
                if loaded == 0 && !problems.iter().any(|p| p.block == block) {
                    problems.push(BlockProblem {
                        block,
                        line: *line,
                        message: format!("key block {block} (line {line}) holds no key"),
                    });
                }
            }
        }
    }
    if keys.is_empty() {
        return Err(SigningError::NoGoodKeys {
            file: file.into(),
            blocks: blocks.len(),
            first: problems
                .first()
                .map(|p| p.message.clone())
                .unwrap_or_default(),
        });
    }
    Ok(Keyring {
        keys,
        blocks: blocks.len(),
        problems,
    })
}

/// Reads a detached signature file: armoured, one or several signatures (several release
/// managers often sign the same artifact: their signature packets follow each other in one
/// armoured block, or whole armoured blocks are concatenated). A binary signature is refused.
pub(crate) fn parse_signatures(bytes: &[u8], file: &str) -> Result<Vec<Signature>, SigningError> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    if bytes.get(start).is_some_and(|b| b & 0x80 != 0) {
        return Err(SigningError::Binary { file: file.into() });
    }
    let bad = |reason: String| SigningError::BadSignatureFile {
        file: file.into(),
        reason,
    };
    let text = std::str::from_utf8(bytes).map_err(|_| bad("it is not text".into()))?;
    const BEGIN: &str = "-----BEGIN PGP SIGNATURE-----";
    if !text.contains(BEGIN) {
        return Err(bad(format!("no `{BEGIN}` line")));
    }
    let mut sigs = Vec::new();
    for (i, _) in text.match_indices(BEGIN) {
        let block = &text[i..];
        let (iter, _) = DetachedSignature::from_armor_many(Cursor::new(block.as_bytes()))
            .map_err(|e| bad(e.to_string()))?;
        for sig in iter {
            sigs.push(sig.map_err(|e| bad(e.to_string()))?.signature);
        }
    }
    if sigs.is_empty() {
        return Err(bad("the armoured block holds no signature".into()));
    }
    Ok(sigs)
}

/// When the signing key must have been valid: [`KeyValidity::Now`] for a candidate under vote
/// (the key must still be valid, so the release can be verified through the vote), or
/// [`KeyValidity::SigningTime`] for a release already published (a key that expired after it
/// signed does not make the signature bad; this is what `gpg --verify` reports as a good
/// signature with "This key has expired").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyValidity {
    Now,
    SigningTime,
}

impl std::str::FromStr for KeyValidity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "now" => Ok(KeyValidity::Now),
            "signing-time" => Ok(KeyValidity::SigningTime),
            other => Err(format!(
                "`{other}` is not a key validity policy; use `now` (a candidate under vote) or `signing-time` (a published release)"
            )),
        }
    }
}

impl KeyValidity {
    pub fn name(self) -> &'static str {
        match self {
            KeyValidity::Now => "now",
            KeyValidity::SigningTime => "signing-time",
        }
    }

    /// Whether this verdict is an acceptable signature under the policy.
    pub fn accepts(self, v: &Verdict) -> bool {
        match &v.outcome {
            Outcome::Good => true,
            Outcome::KeyExpired {
                before_signing: false,
                ..
            } => self == KeyValidity::SigningTime,
            _ => false,
        }
    }
}

/// The verdict on a whole signature file: the signature that makes it acceptable (the first
/// accepted one), unless one of its signatures is BAD (made by a key in KEYS over other data:
/// the artifact or that signature was modified), which fails the file whatever the others say.
pub fn accepted(verdicts: &[Verdict], policy: KeyValidity) -> Option<&Verdict> {
    if verdicts
        .iter()
        .any(|v| matches!(v.outcome, Outcome::Bad { .. }))
    {
        return None;
    }
    verdicts.iter().find(|v| policy.accepts(v))
}

/// A short label of a verdict under a policy, for tables and summaries.
pub fn label(v: &Verdict, policy: KeyValidity) -> &'static str {
    match &v.outcome {
        Outcome::Good => "good",
        Outcome::KeyExpired {
            before_signing: false,
            ..
        } if policy == KeyValidity::SigningTime => "valid at signing time, key since expired",
        Outcome::KeyExpired {
            before_signing: false,
            ..
        } => "key expired after signing",
        Outcome::KeyExpired { .. } => "key expired before signing",
        Outcome::Bad { .. } => "BAD",
        Outcome::UnknownKey => "key not in KEYS",
        Outcome::KeyRevoked { .. } => "key revoked",
        Outcome::SignatureExpired { .. } => "signature expired",
        Outcome::SubkeyUnbound { .. } => "subkey not bound",
        Outcome::KeyUncertified { .. } => "key not self-certified",
        Outcome::Unsupported { .. } => "unsupported",
    }
}

/// Hashes signed data as it streams past, for one signature.
pub struct SignatureHasher {
    hasher: Box<dyn DynDigest + Send>,
    sig: Signature,
}

impl std::fmt::Debug for SignatureHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureHasher")
            .field("hash", &self.sig.hash_alg())
            .finish_non_exhaustive()
    }
}

impl SignatureHasher {
    /// A hasher for a binary (type 0x00) v4 signature, the kind `gpg --detach-sign` makes, or
    /// an old v3 (or v2) one, which older releases still carry (gpg verifies them too).
    pub fn new(sig: &Signature, file: &str) -> Result<Self, SigningError> {
        use pgp::packet::SignatureVersion as V;
        let config = sig.config().ok_or_else(|| SigningError::Unsupported {
            file: file.into(),
            reason: format!("signature version {:?}", sig.version()),
        })?;
        if config.typ() != SignatureType::Binary
            || !matches!(config.version(), V::V2 | V::V3 | V::V4)
        {
            return Err(SigningError::Unsupported {
                file: file.into(),
                reason: format!(
                    "a {:?} signature of version {:?}; release signatures are binary v3 or v4 signatures",
                    config.typ(),
                    config.version()
                ),
            });
        }
        let hasher = config
            .hash_alg
            .new_hasher()
            .map_err(|e| SigningError::Unsupported {
                file: file.into(),
                reason: e.to_string(),
            })?;
        Ok(SignatureHasher {
            hasher,
            sig: sig.clone(),
        })
    }

    pub fn update(&mut self, data: &[u8]) {
        self.hasher.update(data);
    }

    /// Whether the signature hashes with SHA-512 (then [`SignatureHasher::data_digest`] gives the
    /// artifact's SHA-512 without a second pass).
    pub(crate) fn is_sha512(&self) -> bool {
        self.sig.hash_alg() == Some(pgp::crypto::hash::HashAlgorithm::Sha512)
    }

    /// The digest of the data alone (without the signature trailer), lower-case hex.
    pub(crate) fn data_digest(&self) -> String {
        hex::encode(self.hasher.box_clone().finalize())
    }

    /// Finishes the hash with the signature's trailer: the digest the signature signs.
    pub fn finish(mut self) -> (Signature, Vec<u8>) {
        let config = self.sig.config().expect("checked in new");
        // Hashing into memory cannot fail.
        if let Ok(len) = config.hash_signature_data(&mut self.hasher) {
            if let Ok(trailer) = config.trailer(len) {
                self.hasher.update(&trailer);
            }
        }
        let digest = self.hasher.finalize().to_vec();
        (self.sig, digest)
    }
}

/// The key that made a signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signer {
    /// The primary key's fingerprint.
    pub fingerprint: String,
    /// The subkey's fingerprint when a subkey signed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subkey: Option<String>,
    pub user_id: String,
    pub algorithm: String,
    pub block: usize,
}

/// What verifying a signature found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    Good,
    /// The data or the signature was modified, or it was made by another key with the same id.
    Bad {
        reason: String,
    },
    /// No key in KEYS matches the signature's issuer.
    UnknownKey,
    KeyRevoked {
        reason: String,
    },
    KeyExpired {
        at: u32,
        before_signing: bool,
    },
    SignatureExpired {
        at: u32,
    },
    /// The signing subkey has no valid binding to its primary key.
    SubkeyUnbound {
        reason: String,
    },
    /// The key has no valid self-signature.
    KeyUncertified {
        reason: String,
    },
    /// A signature of a form this tool cannot check (another signature of the file may still
    /// verify).
    Unsupported {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The issuer the signature names (fingerprint when it carries one, else the key id).
    pub issuer: String,
    pub signer: Option<Signer>,
    /// Creation time of the signature (seconds since the epoch).
    pub created: Option<u32>,
    pub hash: String,
}

impl Verdict {
    pub(crate) fn is_good(&self) -> bool {
        self.outcome == Outcome::Good
    }
}

fn issuer_of(sig: &Signature) -> String {
    if let Some(fp) = sig.issuer_fingerprint().first() {
        return format!("{fp:X}");
    }
    sig.issuer_key_id()
        .first()
        .map(|id| hex::encode_upper(id.as_ref()))
        .unwrap_or_else(|| "(no issuer in the signature)".into())
}

fn matches_issuer(sig: &Signature, key: &impl KeyDetails) -> bool {
    let ids = sig.issuer_key_id();
    let fps = sig.issuer_fingerprint();
    if ids.is_empty() && fps.is_empty() {
        return true;
    }
    ids.iter().any(|id| **id == key.legacy_key_id())
        || fps.iter().any(|fp| **fp == key.fingerprint())
}

fn created(sig: &Signature) -> u32 {
    sig.created().map(|t| t.as_secs()).unwrap_or(0)
}

/// The newest signature of `sigs` that `valid` accepts.
fn newest<'a>(sigs: impl Iterator<Item = &'a Signature>) -> Option<&'a Signature> {
    sigs.max_by_key(|s| created(s))
}

/// Expiry time of a key created at `created_at` whose newest self-signature is `sig`.
fn expiry(created_at: u32, sig: &Signature) -> Option<u32> {
    sig.key_expiration_time()
        .map(|d| d.as_secs())
        .filter(|d| *d > 0)
        .map(|d| created_at.saturating_add(d))
}

/// The primary key's state: `Err` when it has no valid self-certification, else its
/// (user id, expiry, revocation reason).
type KeyState = (String, Option<u32>, Option<String>);

fn primary_state(key: &SignedPublicKey) -> Result<KeyState, String> {
    let primary = &key.primary_key;
    let mut best: Option<(&Signature, String)> = None;
    let mut last_err = String::from("it has no user ID");
    for user in &key.details.users {
        for sig in user.signatures.iter().filter(|s| s.is_certification()) {
            if sig.typ() == Some(SignatureType::CertRevocation) || !matches_issuer(sig, primary) {
                continue;
            }
            match sig.verify_certification(primary, Tag::UserId, &user.id) {
                Ok(()) => {
                    let uid = String::from_utf8_lossy(user.id.id()).into_owned();
                    let better = match &best {
                        None => true,
                        Some((b, _)) => {
                            (sig.is_primary(), created(sig)) > (b.is_primary(), created(b))
                        }
                    };
                    if better {
                        best = Some((sig, uid));
                    }
                }
                Err(e) => last_err = format!("its self-signature does not verify: {e}"),
            }
        }
    }
    let direct = newest(
        key.details
            .direct_signatures
            .iter()
            .filter(|s| s.verify_key(primary).is_ok()),
    );
    let (uid, expires) = match (&best, direct) {
        (Some((sig, uid)), _) => {
            // The newest of the user ID self-signature and a direct key signature rules.
            let rule = match direct {
                Some(d) if created(d) > created(sig) => d,
                _ => sig,
            };
            (uid.clone(), expiry(primary.created_at().as_secs(), rule))
        }
        (None, Some(d)) => (String::new(), expiry(primary.created_at().as_secs(), d)),
        (None, None) => return Err(last_err),
    };
    let revoked = key
        .details
        .revocation_signatures
        .iter()
        .find(|s| s.verify_key(primary).is_ok())
        .map(revocation_reason);
    Ok((uid, expires, revoked))
}

fn revocation_reason(sig: &Signature) -> String {
    let text = sig
        .revocation_reason_string()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .filter(|s| !s.is_empty());
    let code = sig.revocation_reason_code().map(|c| format!("{c:?}"));
    match (code, text) {
        (Some(c), Some(t)) => format!("{c}: {t}"),
        (Some(c), None) => c,
        (None, Some(t)) => t,
        (None, None) => "no reason given".into(),
    }
}

/// A subkey's state: `Err` when it is not validly bound, else (expiry, revocation reason).
fn subkey_state(
    key: &SignedPublicKey,
    sub: &SignedPublicSubKey,
) -> Result<(Option<u32>, Option<String>), String> {
    let primary = &key.primary_key;
    let mut last_err = String::from("it has no binding signature");
    let bindings = sub
        .signatures
        .iter()
        .filter(|s| s.typ() == Some(SignatureType::SubkeyBinding))
        .filter(|s| match s.verify_subkey_binding(primary, &sub.key) {
            Ok(()) => {
                if s.key_flags().sign() {
                    match s.embedded_signature() {
                        Some(back) => match back.verify_primary_key_binding(&sub.key, primary) {
                            Ok(()) => true,
                            Err(e) => {
                                last_err = format!("its back-signature does not verify: {e}");
                                false
                            }
                        },
                        None => {
                            last_err = "it signs but has no back-signature".into();
                            false
                        }
                    }
                } else {
                    last_err = "its binding does not allow signing".into();
                    false
                }
            }
            Err(e) => {
                last_err = format!("its binding signature does not verify: {e}");
                false
            }
        })
        .collect::<Vec<_>>();
    let binding = newest(bindings.into_iter()).ok_or(last_err)?;
    let revoked = sub
        .signatures
        .iter()
        .filter(|s| s.typ() == Some(SignatureType::SubkeyRevocation))
        .find(|s| s.verify_subkey_binding(primary, &sub.key).is_ok())
        .map(revocation_reason);
    Ok((expiry(sub.key.created_at().as_secs(), binding), revoked))
}

/// Verifies a signature whose signed digest is `digest` (from [`SignatureHasher::finish`])
/// against every key of `keys`, at time `now` (seconds since the epoch).
pub fn verify(sig: &Signature, digest: &[u8], keys: &Keyring, now: u32) -> Verdict {
    let issuer = issuer_of(sig);
    let hash = sig.hash_alg().map(|h| format!("{h:?}")).unwrap_or_default();
    let sig_created = sig.created().map(|t| t.as_secs());
    let verdict = |outcome, signer| Verdict {
        outcome,
        issuer: issuer.clone(),
        signer,
        created: sig_created,
        hash: hash.clone(),
    };
    let (Some(config), Some(bytes), Some(left16)) =
        (sig.config(), sig.signature(), sig.signed_hash_value())
    else {
        return verdict(
            Outcome::Bad {
                reason: "the signature's version is not supported".into(),
            },
            None,
        );
    };
    let hash_alg = config.hash_alg;
    let mut bad_reason = None;
    let mut found: Option<Verdict> = None;
    for entry in &keys.keys {
        let key = &entry.key;
        // The primary key, then each subkey.
        let mut candidates: Vec<(Option<&SignedPublicSubKey>, String)> = Vec::new();
        if matches_issuer(sig, &key.primary_key) {
            candidates.push((None, fingerprint_of(&key.primary_key)));
        }
        for sub in &key.public_subkeys {
            if matches_issuer(sig, &sub.key) {
                candidates.push((Some(sub), fingerprint_of(&sub.key)));
            }
        }
        for (sub, fp) in candidates {
            if digest.get(0..2) != Some(&left16[..]) {
                bad_reason = Some(
                    "the data does not match the signature: the artifact or the signature was modified".to_string(),
                );
                continue;
            }
            let checked = match sub {
                None => key.primary_key.verify(hash_alg, digest, bytes),
                Some(s) => s.key.verify(hash_alg, digest, bytes),
            };
            if let Err(e) = checked {
                bad_reason = Some(format!(
                    "the signature does not verify with key {fp}: the artifact or the signature was modified ({e})"
                ));
                continue;
            }
            // Cryptographically good: now whether the key may be trusted for it. A KEYS file
            // may hold the same key twice (an old copy and one with a later expiry): every
            // copy is judged and the best verdict wins.
            let judged = 'judge: {
                let algorithm = match sub {
                    None => format!("{:?}", key.primary_key.algorithm()),
                    Some(s) => format!("{:?}", s.key.algorithm()),
                };
                let mut signer = Signer {
                    fingerprint: entry.fingerprint.clone(),
                    subkey: sub.map(|_| fp.clone()),
                    user_id: entry.user_ids.first().cloned().unwrap_or_default(),
                    algorithm,
                    block: entry.block,
                };
                let (uid, key_expires, key_revoked) = match primary_state(key) {
                    Ok(s) => s,
                    Err(reason) => {
                        break 'judge verdict(Outcome::KeyUncertified { reason }, Some(signer));
                    }
                };
                if !uid.is_empty() {
                    signer.user_id = uid;
                }
                if let Some(reason) = key_revoked {
                    break 'judge verdict(Outcome::KeyRevoked { reason }, Some(signer));
                }
                let mut expires = key_expires;
                if let Some(s) = sub {
                    match subkey_state(key, s) {
                        Err(reason) => {
                            break 'judge verdict(Outcome::SubkeyUnbound { reason }, Some(signer))
                        }
                        Ok((_, Some(reason))) => {
                            break 'judge verdict(
                                Outcome::KeyRevoked {
                                    reason: format!("subkey {fp} revoked: {reason}"),
                                },
                                Some(signer),
                            )
                        }
                        Ok((sub_expires, None)) => {
                            expires = match (expires, sub_expires) {
                                (Some(a), Some(b)) => Some(a.min(b)),
                                (a, b) => a.or(b),
                            };
                        }
                    }
                }
                let made = sig_created.unwrap_or(0);
                if let Some(at) = expires {
                    if at <= now || at <= made {
                        break 'judge verdict(
                            Outcome::KeyExpired {
                                at,
                                before_signing: at <= made,
                            },
                            Some(signer),
                        );
                    }
                }
                if let Some(d) = sig.signature_expiration_time().map(|d| d.as_secs()) {
                    if d > 0 && made.saturating_add(d) <= now {
                        break 'judge verdict(
                            Outcome::SignatureExpired {
                                at: made.saturating_add(d),
                            },
                            Some(signer),
                        );
                    }
                }
                verdict(Outcome::Good, Some(signer))
            };
            if judged.is_good() {
                return judged;
            }
            let rank = |v: &Verdict| {
                matches!(
                    v.outcome,
                    Outcome::KeyExpired {
                        before_signing: false,
                        ..
                    }
                )
            };
            if found.as_ref().is_none_or(|f| rank(&judged) && !rank(f)) {
                found = Some(judged);
            }
        }
    }
    if let Some(v) = found {
        return v;
    }
    match bad_reason {
        Some(reason) => verdict(Outcome::Bad { reason }, None),
        None => verdict(Outcome::UnknownKey, None),
    }
}

/// Verifies a whole artifact in memory (tests, small files).
pub fn verify_bytes(sig: &Signature, data: &[u8], keys: &Keyring, now: u32) -> Verdict {
    match SignatureHasher::new(sig, "signature") {
        Ok(mut h) => {
            h.update(data);
            let (sig, digest) = h.finish();
            verify(&sig, &digest, keys, now)
        }
        Err(e) => unsupported(sig, &e),
    }
}

/// The verdict on a signature [`SignatureHasher::new`] refused.
pub fn unsupported(sig: &Signature, e: &SigningError) -> Verdict {
    Verdict {
        outcome: Outcome::Unsupported {
            reason: e.to_string(),
        },
        issuer: issuer_of(sig),
        signer: None,
        created: sig.created().map(|t| t.as_secs()),
        hash: sig.hash_alg().map(|h| format!("{h:?}")).unwrap_or_default(),
    }
}

/// A key id (the last 16 hex digits of a v4 fingerprint) for messages.
pub fn short_id(fingerprint: &str) -> &str {
    &fingerprint[fingerprint.len().saturating_sub(16)..]
}

/// Formats seconds since the epoch as a UTC date, e.g. `2024-05-01 12:00:00 UTC`.
pub(crate) fn utc(secs: u32) -> String {
    let days = secs as i64 / 86400;
    let rem = secs as i64 % 86400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Describes a non-good verdict as one sentence with the next step.
pub(crate) fn explain(v: &Verdict, keys_file: &str) -> String {
    let who = v
        .signer
        .as_ref()
        .map(|s| {
            let sub = s
                .subkey
                .as_ref()
                .map(|k| format!(" (subkey {k})"))
                .unwrap_or_default();
            format!("key {}{sub} <{}>", s.fingerprint, s.user_id)
        })
        .unwrap_or_default();
    match &v.outcome {
        Outcome::Good => format!("good signature by {who}"),
        Outcome::Bad { reason } => format!("BAD signature: {reason}; download the artifact and its .asc again from the dist area"),
        Outcome::UnknownKey => format!(
            "the signing key {} is not in {keys_file}; the release manager must add it (`(gpg --list-sigs KEY && gpg --armor --export KEY) >> KEYS`) before the vote",
            v.issuer
        ),
        Outcome::KeyRevoked { reason } => format!("{who} is revoked ({reason}); the release must be signed again with a valid key"),
        Outcome::KeyExpired { at, before_signing } => {
            if *before_signing {
                format!("{who} had expired on {} when it signed; re-sign with a valid key", utc(*at))
            } else {
                format!("{who} expired on {}; the release manager must extend it (`gpg --quick-set-expire`), update KEYS and re-sign", utc(*at))
            }
        }
        Outcome::SignatureExpired { at } => format!("the signature by {who} expired on {}; the release must be signed again", utc(*at)),
        Outcome::SubkeyUnbound { reason } => format!("the signing subkey of {who} is not validly bound to its primary key ({reason})"),
        Outcome::KeyUncertified { reason } => format!("{who} has no valid self-signature ({reason})"),
        Outcome::Unsupported { reason } => format!("the signature by {} cannot be checked: {reason}", v.issuer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Classify as _;

    #[test]
    fn keys_files_are_split_into_their_armoured_blocks() {
        let text = "This file contains the PGP keys of various developers.\n\npub   rsa4096 2019-01-01 [SC]\nuid   A <a@example.org>\n\n-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\npub   dsa1024 2003-01-01\n   -----BEGIN PGP PUBLIC KEY BLOCK-----   \nBBBB\n-----END PGP PUBLIC KEY BLOCK-----\n-----BEGIN PGP PUBLIC KEY BLOCK-----\nCCCC\n";
        let blocks = split_blocks(text);
        assert_eq!(blocks.len(), 3);
        assert_eq!(blocks[0].0, 6);
        assert!(blocks[0].1.contains("AAAA") && !blocks[0].1.contains("pub"));
        assert!(
            blocks[1].1.starts_with(BEGIN_KEY),
            "leading blanks are trimmed"
        );
        assert!(!blocks[2].1.contains(END_KEY));
    }

    #[test]
    fn an_empty_keys_file_is_bad_input() {
        let e = parse_keys("", "KEYS").unwrap_err();
        assert!(matches!(e, SigningError::NoKeys { .. }));
        assert_eq!(e.exit_code(), ExitCode::Usage);
        let e = parse_keys(
            "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot base64 at all!\n-----END PGP PUBLIC KEY BLOCK-----\n",
            "KEYS",
        )
        .unwrap_err();
        assert!(
            matches!(e, SigningError::NoGoodKeys { blocks: 1, .. }),
            "{e}"
        );
    }

    #[test]
    fn binary_signatures_are_refused_clearly() {
        let e = parse_signatures(&[0x89, 0x02, 0x33], "a.tar.gz.sig").unwrap_err();
        assert!(e.to_string().contains("binary OpenPGP signature"), "{e}");
        assert_eq!(e.exit_code(), ExitCode::Problems);
        let e = parse_signatures(b"hello", "a.tar.gz.asc").unwrap_err();
        assert!(matches!(e, SigningError::BadSignatureFile { .. }));
    }

    #[test]
    fn dates_are_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(
            short_id("0123456789ABCDEF0123456789ABCDEF01234567"),
            "89ABCDEF01234567"
        );
    }
}
