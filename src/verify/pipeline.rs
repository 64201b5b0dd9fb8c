//! The one pipeline that trusts an artifact. The artifact is read once: the bytes feed the
//! checksum file's digest and the detached signature's hash while another thread scans the
//! archive (safety, layout, each entry hashed as a git blob) as it streams by. Every tool
//! that reads a candidate goes through here: verify-distcheck reports each verdict; stage-rc
//! (before publishing to dist), publish-dist (before promoting) and build-rpms (before
//! building) require all of them to be good.

use std::io::{self, Read};
use std::path::Path;
use std::sync::mpsc;

use serde::Serialize;

use super::archive::{self, Kind, Limits, Scan};
use super::checksum::{self, Algorithm, Expected, Hasher};
use super::openpgp::{self, KeyValidity, Keyring, SignatureHasher, Verdict};
use crate::error::{Error, Result};
use crate::outside::git::ObjectFormat;

/// The digests and the signature's hash of the one pass over the artifact's bytes.
#[derive(Debug, Default)]
pub struct Digests {
    pub sha512: String,
    /// The digest in the checksum file's algorithm, when it is not SHA-512.
    pub other: Option<(Algorithm, String)>,
    /// Each signature of the signature file and the hash it signs, computed over the artifact.
    pub signatures: Vec<(pgp::packet::Signature, Vec<u8>)>,
    pub bytes: u64,
}

impl Digests {
    /// The digest in `algorithm`, when this pass computed it.
    pub(crate) fn in_algorithm(&self, algorithm: Algorithm) -> Option<&str> {
        match (algorithm, &self.other) {
            (Algorithm::Sha512, _) => Some(self.sha512.as_str()),
            (a, Some((b, hex))) if a == *b => Some(hex.as_str()),
            _ => None,
        }
    }
}

/// How the archive is scanned during the pass.
#[derive(Debug, Clone, Copy)]
pub struct ScanSpec {
    pub kind: Kind,
    pub limits: Limits,
    /// Hash each entry as a git blob of this format (to compare with a tag's tree).
    pub blobs: Option<ObjectFormat>,
}

/// Reads the artifact once: SHA-512 (and the checksum file's algorithm), each signature's hash,
/// and each chunk passed on to `scan` running concurrently. A signature's SHA-512 state is
/// shared with the checksum when both use SHA-512.
pub(crate) fn one_pass<T: Send>(
    path: &Path,
    sig_hashers: Vec<SignatureHasher>,
    extra: Option<Algorithm>,
    scan: impl FnOnce(&mut dyn Read) -> T + Send,
) -> Result<(Digests, T)> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io("open", path, e))?;
    let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(16);
    std::thread::scope(|s| {
        let hashing = s.spawn(move || -> io::Result<Digests> {
            let mut sigs = sig_hashers;
            let shared = sigs.iter().position(SignatureHasher::is_sha512);
            let mut sha512 = shared.is_none().then(|| Hasher::new(Algorithm::Sha512));
            let mut other = extra
                .filter(|a| *a != Algorithm::Sha512)
                .map(|a| (a, Hasher::new(a)));
            let mut bytes = 0u64;
            let mut send = true;
            loop {
                let mut buf = vec![0u8; 1 << 20];
                let n = read_full(&mut file, &mut buf)?;
                if n == 0 {
                    break;
                }
                buf.truncate(n);
                bytes += n as u64;
                for h in sigs.iter_mut() {
                    h.update(&buf);
                }
                if let Some(h) = sha512.as_mut() {
                    h.update(&buf);
                }
                if let Some((_, h)) = other.as_mut() {
                    h.update(&buf);
                }
                // The scanner may stop early (an unsafe archive); hashing goes on.
                if send && tx.send(buf).is_err() {
                    send = false;
                }
            }
            drop(tx);
            let sha512 = match (sha512, shared) {
                (Some(h), _) => h.finish_hex(),
                (None, Some(i)) => sigs[i].data_digest(),
                (None, None) => String::new(),
            };
            Ok(Digests {
                sha512,
                other: other.map(|(a, h)| (a, h.finish_hex())),
                signatures: sigs.into_iter().map(SignatureHasher::finish).collect(),
                bytes,
            })
        });
        let mut reader = ChannelReader {
            rx,
            chunk: Vec::new(),
            pos: 0,
        };
        let scanned = scan(&mut reader);
        // Let the hashing thread finish even if the scanner stopped reading.
        drop(reader);
        let digests = hashing
            .join()
            .map_err(|_| Error::Problem("the hashing thread panicked".into()))?
            .map_err(|e| Error::io("read", path, e))?;
        Ok((digests, scanned))
    })
}

/// [`one_pass`] with the archive scanned as it streams by (a zip is read from its central
/// directory after the pass, as zip needs).
pub(crate) fn one_pass_scanned(
    path: &Path,
    sig_hashers: Vec<SignatureHasher>,
    extra: Option<Algorithm>,
    spec: ScanSpec,
) -> Result<(Digests, Scan)> {
    one_pass_inspected(path, sig_hashers, extra, spec, None)
}

/// [`one_pass_scanned`] with each file's content also passed to `inspect` (the licence audit)
/// in the same pass.
pub(crate) fn one_pass_inspected(
    path: &Path,
    sig_hashers: Vec<SignatureHasher>,
    extra: Option<Algorithm>,
    spec: ScanSpec,
    inspect: Option<&mut (dyn archive::Inspector + Send)>,
) -> Result<(Digests, Scan)> {
    if spec.kind == Kind::Zip {
        let file = std::fs::File::open(path).map_err(|e| Error::io("open", path, e))?;
        one_pass(path, sig_hashers, extra, move |r: &mut dyn Read| {
            let _ = io::copy(r, &mut io::sink());
            archive::scan_zip_inspected(file, spec.limits, spec.blobs, inspect)
        })
    } else {
        one_pass(path, sig_hashers, extra, move |r: &mut dyn Read| {
            archive::scan_tar_inspected(spec.kind, r, spec.limits, spec.blobs, inspect)
        })
    }
}

/// Reads chunks sent by the hashing thread.
struct ChannelReader {
    rx: mpsc::Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.chunk.len() {
            match self.rx.recv() {
                Ok(c) => {
                    self.chunk = c;
                    self.pos = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.pos);
        buf[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The files of one release artifact, all local.
#[derive(Debug, Clone, Copy)]
pub struct Files<'a> {
    pub artifact: &'a Path,
    pub checksum: &'a Path,
    pub signature: &'a Path,
}

/// What requiring a candidate to be trusted established.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The artifact's digest, in the checksum file's algorithm.
    pub digest: String,
    pub algorithm: &'static str,
    pub sha512: String,
    /// Fingerprint of the primary key that made the signature.
    pub signer_fingerprint: String,
    /// The signing subkey, when a subkey signed.
    pub signer_subkey: Option<String>,
    pub signer: String,
    pub bytes: u64,
}

/// Requires the artifact to match its checksum file and to carry a good signature by a key of
/// `keys` at time `now`, reading it once; with `safety`, its archive must also be safe (no
/// absolute paths, `..`, escaping links, devices, duplicates or bombs). Anything else is a
/// found problem (exit 1) naming the file; `refusing` says what is not done because of it
/// (e.g. "refusing to build").
pub(crate) fn require_trusted(
    files: Files<'_>,
    keys: &Keyring,
    keys_name: &str,
    now: u32,
    safety: Option<(Kind, Limits)>,
    refusing: &str,
) -> Result<Evidence> {
    let name = file_name(files.artifact);
    let sum_name = files.checksum.display().to_string();
    let text = std::fs::read_to_string(files.checksum)
        .map_err(|e| Error::io("read checksum file", files.checksum, e))?;
    let entries = checksum::parse(&text, &sum_name, &name)?;
    let expected: &Expected = checksum::select(&entries, &name).map_err(|names| {
        Error::Usage(format!(
            "checksum file {sum_name} is not for {name}: it names {}; download the checksum published beside {name}",
            names.join(", ")
        ))
    })?;
    let sig_name = files.signature.display().to_string();
    let sig_bytes = std::fs::read(files.signature)
        .map_err(|e| Error::io("read signature", files.signature, e))?;
    let sigs = openpgp::parse_signatures(&sig_bytes, &sig_name)?;
    let (hashers, unsupported) = hashers(&sigs, &sig_name);
    if hashers.is_empty() {
        return Err(Error::Problem(format!(
            "the signature {sig_name} of {name} cannot be checked: {}; {refusing}",
            unsupported
                .iter()
                .map(|v| openpgp::explain(v, keys_name))
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    let extra = Some(expected.algorithm);
    let (digests, scan) = match safety {
        Some((kind, limits)) => {
            let spec = ScanSpec {
                kind,
                limits,
                blobs: None,
            };
            let (d, s) = one_pass_scanned(files.artifact, hashers, extra, spec)?;
            (d, Some(s))
        }
        None => (one_pass(files.artifact, hashers, extra, |_| ())?.0, None),
    };
    let actual = digests.in_algorithm(expected.algorithm).unwrap_or_default();
    if actual != expected.hex {
        return Err(Error::Problem(format!(
            "{name} does not match its checksum: {} is {actual}, {sum_name} says {}; the file is corrupt or was changed after it was checksummed, {refusing}",
            expected.algorithm.name(),
            expected.hex
        )));
    }
    let verdicts = signature_verdicts(&digests, keys, now);
    let signer = openpgp::accepted(&verdicts, KeyValidity::Now).and_then(|v| v.signer.clone());
    let Some(signer) = signer else {
        let why = verdicts
            .iter()
            .filter(|v| !KeyValidity::Now.accepts(v))
            .map(|v| openpgp::explain(v, keys_name))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(Error::Problem(format!(
            "the signature {sig_name} of {name} does not verify: {why}; {refusing}"
        )));
    };
    if let Some(scan) = scan {
        require_no_unsafe_entries(&scan, &name, refusing)?;
    }
    Ok(Evidence {
        digest: actual.to_string(),
        algorithm: expected.algorithm.name(),
        sha512: digests.sha512.clone(),
        signer_fingerprint: signer.fingerprint,
        signer_subkey: signer.subkey,
        signer: signer.user_id,
        bytes: digests.bytes,
    })
}

/// The verdict on each signature hashed during the pass.
pub(crate) fn signature_verdicts(digests: &Digests, keys: &Keyring, now: u32) -> Vec<Verdict> {
    digests
        .signatures
        .iter()
        .map(|(sig, digest)| openpgp::verify(sig, digest, keys, now))
        .collect()
}

/// A hasher for each signature this tool can check, and a verdict for each it cannot.
pub(crate) fn hashers(
    sigs: &[pgp::packet::Signature],
    sig_name: &str,
) -> (Vec<SignatureHasher>, Vec<Verdict>) {
    let mut ok = Vec::new();
    let mut unsupported = Vec::new();
    for sig in sigs {
        match SignatureHasher::new(sig, sig_name) {
            Ok(h) => ok.push(h),
            Err(e) => unsupported.push(openpgp::unsupported(sig, &e)),
        }
    }
    (ok, unsupported)
}

/// Refuses an archive whose scan found unsafe entries (layout findings aside), naming each one;
/// `refusing` says what is not done ("refusing to build").
pub(crate) fn require_no_unsafe_entries(
    scan: &archive::Scan,
    name: &str,
    refusing: &str,
) -> Result<()> {
    let unsafe_entries: Vec<String> = scan
        .violations
        .iter()
        .filter(|v| !is_layout(v))
        .map(archive::Violation::message)
        .collect();
    if unsafe_entries.is_empty() {
        return Ok(());
    }
    Err(Error::Problem(format!(
        "{name} is not a safe archive: {}; {refusing}",
        unsafe_entries.join("; ")
    )))
}

/// A violation about the archive's layout (its top directory), not its safety.
pub(crate) fn is_layout(v: &archive::Violation) -> bool {
    matches!(
        v,
        archive::Violation::TopDir { .. } | archive::Violation::Missing { .. }
    )
}

/// The archive limits configured (`distcheck.max_unpacked_size`, `distcheck.max_ratio`).
pub(crate) fn limits(config: &crate::config::Config) -> Limits {
    Limits {
        max_unpacked: config.distcheck.max_unpacked_size.max(1) as u64,
        max_ratio: config.distcheck.max_ratio.max(1) as u64,
    }
}

/// Seconds since the epoch now by the one clock (`RELEASE_KIT_NOW` when set), for judging
/// expiry. A `RELEASE_KIT_NOW` that is not a time was refused where the tool read its flags;
/// here it falls back to the system clock.
pub fn now() -> u32 {
    let secs = match crate::outside::clock::now() {
        Ok(t) => t.as_second(),
        Err(_) => jiff::Timestamp::now().as_second(),
    };
    u32::try_from(secs.max(0)).unwrap_or(u32::MAX)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
