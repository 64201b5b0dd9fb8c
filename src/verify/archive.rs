//! Release archives (tar.gz, tar.bz2, tar.xz, zip) read as a stream, never unpacked to disk
//! first: every entry is checked for safety (absolute paths, `..`, links leaving the top
//! directory, device files, duplicates, a decompressed-size cap) and, when asked, hashed as a
//! git blob so the archive can be compared with a tag's tree in the same pass.

use std::collections::{BTreeSet, HashSet};
use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::Serialize;
use sha1::Digest as _;

use crate::outside::git::ObjectFormat;

/// How an archive is packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    TarGz,
    TarBz2,
    TarXz,
    Tar,
    Zip,
}

impl Kind {
    /// The kind a file name announces.
    pub(crate) fn from_name(name: &str) -> Option<Kind> {
        let n = name.to_ascii_lowercase();
        let ends = |s: &[&str]| s.iter().any(|e| n.ends_with(e));
        Some(if ends(&[".tar.gz", ".tgz"]) {
            Kind::TarGz
        } else if ends(&[".tar.bz2", ".tbz2", ".tbz"]) {
            Kind::TarBz2
        } else if ends(&[".tar.xz", ".txz"]) {
            Kind::TarXz
        } else if ends(&[".tar"]) {
            Kind::Tar
        } else if ends(&[".zip"]) {
            Kind::Zip
        } else {
            return None;
        })
    }

    /// The extension, e.g. `.tar.gz`.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::TarGz => ".tar.gz",
            Kind::TarBz2 => ".tar.bz2",
            Kind::TarXz => ".tar.xz",
            Kind::Tar => ".tar",
            Kind::Zip => ".zip",
        }
    }
}

/// Zip-bomb guards.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest total unpacked size, in bytes.
    pub max_unpacked: u64,
    /// Largest unpacked/packed ratio, checked once [`RATIO_FLOOR`] bytes are unpacked.
    pub max_ratio: u64,
}

/// Below this many unpacked bytes the ratio is not checked: tar's padding makes tiny archives
/// compress extremely well.
pub(crate) const RATIO_FLOOR: u64 = 16 * 1024 * 1024;

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum EntryKind {
    Dir,
    File { executable: bool },
    Symlink { target: String },
    Hardlink { target: String },
}

/// One entry of an archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Normalised path in the archive (no `./`, no trailing `/`).
    pub path: String,
    #[serde(flatten)]
    pub kind: EntryKind,
    pub size: u64,
    /// The git blob id of its content (files) or link target (symlinks), when hashing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// Something unsafe or wrong about an archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "problem")]
pub enum Violation {
    AbsolutePath {
        path: String,
    },
    ParentComponent {
        path: String,
    },
    LinkEscapes {
        path: String,
        target: String,
    },
    Device {
        path: String,
        what: String,
    },
    Duplicate {
        path: String,
    },
    TooLarge {
        unpacked: u64,
        limit: u64,
    },
    Ratio {
        unpacked: u64,
        packed: u64,
        limit: u64,
    },
    Unreadable {
        reason: String,
    },
    TopDir {
        found: Vec<String>,
        expected: String,
    },
    Missing {
        path: String,
    },
}

impl Violation {
    /// The entry it is about, if any.
    pub fn path(&self) -> Option<&str> {
        match self {
            Violation::AbsolutePath { path }
            | Violation::ParentComponent { path }
            | Violation::LinkEscapes { path, .. }
            | Violation::Device { path, .. }
            | Violation::Duplicate { path }
            | Violation::Missing { path } => Some(path),
            _ => None,
        }
    }

    /// One sentence: what is wrong and what to do.
    pub fn message(&self) -> String {
        match self {
            Violation::AbsolutePath { path } => format!("`{path}` is an absolute path; unpacking would write outside the directory: rebuild the archive with relative paths"),
            Violation::ParentComponent { path } => format!("`{path}` has a `..` component; unpacking could write outside the directory: rebuild the archive"),
            Violation::LinkEscapes { path, target } => format!("link `{path}` points at `{target}`, outside the top directory; remove the link from the distribution"),
            Violation::Device { path, what } => format!("`{path}` is a {what}; release archives hold only files, directories and links"),
            Violation::Duplicate { path } => format!("`{path}` appears more than once; the later entry would silently replace the earlier one"),
            Violation::TooLarge { unpacked, limit } => format!("the archive unpacks to more than {limit} bytes (stopped at {unpacked}); raise distcheck.max_unpacked_size if this is genuine"),
            Violation::Ratio { unpacked, packed, limit } => format!("the archive unpacks {unpacked} bytes from {packed} (more than {limit}x): a decompression bomb? raise distcheck.max_ratio if this is genuine"),
            Violation::Unreadable { reason } => format!("the archive cannot be read to the end ({reason}): it is truncated or corrupt; download it again"),
            Violation::TopDir { found, expected } if found.is_empty() => format!("the archive is empty; expected everything under `{expected}/`"),
            Violation::TopDir { found, expected } => format!("everything must be under one top-level directory `{expected}/`, found {}", found.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")),
            Violation::Missing { path } => format!("`{path}` is missing; every release must ship it (distcheck.required_files)"),
        }
    }
}

/// What reading an archive found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scan {
    pub entries: Vec<Entry>,
    pub violations: Vec<Violation>,
    pub unpacked: u64,
    pub packed: u64,
    /// The newest modification time of a tar entry, in seconds since the epoch (0: unknown).
    /// stage-rc sets every time to the tag's commit, so this is when the release was cut.
    pub newest_mtime: u64,
}

impl Scan {
    /// The top-level names of the entries.
    pub(crate) fn top_dirs(&self) -> BTreeSet<String> {
        self.entries
            .iter()
            .map(|e| e.path.split('/').next().unwrap_or("").to_string())
            .collect()
    }

    /// Checks the layout: one top directory `expected`, holding `required` files.
    #[cfg(test)]
    pub(crate) fn check_layout(&self, expected: &str, required: &[String]) -> Vec<Violation> {
        self.check_layout_with(&Layout {
            expected: expected.to_string(),
            required: required.to_vec(),
            inferred_version: None,
        })
    }

    /// Checks the layout by `rule`. The required files are looked for under the top directory
    /// the archive really has when it has exactly one, so a wrong expectation of its name is
    /// one finding, not one more per required file. `LICENSE` is satisfied by `LICENSE`,
    /// `LICENSE.txt` or `LICENSE.md` (and likewise every required name).
    pub(crate) fn check_layout_with(&self, rule: &Layout) -> Vec<Violation> {
        let expected = rule.expected.as_str();
        let mut out = Vec::new();
        let tops = self.top_dirs();
        let is_dir = |top: &str| {
            self.entries
                .iter()
                .all(|e| e.path != top || e.kind == EntryKind::Dir)
        };
        let single = (tops.len() == 1)
            .then(|| tops.iter().next().cloned())
            .flatten()
            .filter(|t| is_dir(t));
        let accepted = single.as_deref().is_some_and(|top| {
            top == expected
                || rule.inferred_version.as_deref().is_some_and(|v| {
                    top.eq_ignore_ascii_case(expected) || top.ends_with(&format!("-{v}"))
                })
        });
        if !accepted {
            out.push(Violation::TopDir {
                found: tops.into_iter().collect(),
                expected: expected.to_string(),
            });
        }
        let top = single.as_deref().unwrap_or(expected);
        for r in &rule.required {
            if rule.inferred_version.is_some() && r == "NOTICE" {
                // NOTICE is the ASF's rule; a project without configuration may not be one.
                continue;
            }
            let mut names: Vec<String> = crate::model::artifact::REQUIRED_FILE_EXTENSIONS
                .iter()
                .map(|e| format!("{r}{e}"))
                .collect();
            if rule.inferred_version.is_some() && r == "LICENSE" {
                // GNU-style projects: COPYING, at the top or in doc/.
                let base = ["LICENSE", "LICENSE.txt", "LICENSE.md", "LICENCE", "COPYING"];
                names = base
                    .iter()
                    .flat_map(|n| [n.to_string(), format!("doc/{n}")])
                    .collect();
            }
            let present = names.iter().any(|n| {
                let path = format!("{top}/{n}");
                self.entries
                    .iter()
                    .any(|e| e.path == path && matches!(e.kind, EntryKind::File { .. }))
            });
            if !present {
                out.push(Violation::Missing {
                    path: format!("{top}/{r}"),
                });
            }
        }
        out
    }
}

/// What an archive's layout must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The top directory, e.g. `mesos-1.11.0`.
    pub expected: String,
    /// Files the top directory must hold (`distcheck.required_files`).
    pub required: Vec<String>,
    /// Set when the expectation was inferred from the artifact's file name with no
    /// configuration: then a single top directory ending in `-VERSION` is accepted (a
    /// distribution may rename the file, as Debian's `NAME_VERSION.orig.tar.gz` does), `COPYING`
    /// satisfies `LICENSE`, and `NOTICE` (an ASF rule) is not required.
    pub inferred_version: Option<String>,
}

/// Splits a raw archive path into normalised components, or says why it is unsafe.
pub fn normalise(raw: &str) -> Result<String, Violation> {
    if raw.starts_with('/') || raw.starts_with('\\') || raw.as_bytes().get(1) == Some(&b':') {
        return Err(Violation::AbsolutePath { path: raw.into() });
    }
    let mut parts = Vec::new();
    for c in raw.split(['/', '\\']) {
        match c {
            "" | "." => {}
            ".." => return Err(Violation::ParentComponent { path: raw.into() }),
            c => parts.push(c),
        }
    }
    Ok(parts.join("/"))
}

/// Whether a symlink at `path` (normalised) with `target` stays inside `path`'s top directory.
pub(crate) fn symlink_stays_inside(path: &str, target: &str) -> bool {
    if target.starts_with('/') || target.starts_with('\\') {
        return false;
    }
    let mut stack: Vec<&str> = path.split('/').collect();
    stack.pop(); // the link itself
    for c in target.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                stack.pop();
                if stack.is_empty() {
                    return false;
                }
            }
            c => stack.push(c),
        }
    }
    !stack.is_empty()
}

/// Counts bytes through a reader and stops reading past the limits.
struct Guard<R> {
    inner: R,
    count: Arc<AtomicU64>,
    packed: Arc<AtomicU64>,
    limits: Limits,
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.count.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        let packed = self.packed.load(Ordering::Relaxed).max(1);
        if total > self.limits.max_unpacked
            || (total > RATIO_FLOOR && total / packed > self.limits.max_ratio)
        {
            return Err(io::Error::other(LIMIT_HIT));
        }
        Ok(n)
    }
}

const LIMIT_HIT: &str = "release-kit: unpack limit reached";

struct Counter<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A streaming git blob hasher.
enum BlobHasher {
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
}

impl BlobHasher {
    fn new(format: ObjectFormat, size: u64) -> Self {
        let header = format!("blob {size}\0");
        match format {
            ObjectFormat::Sha1 => {
                let mut h = sha1::Sha1::new();
                h.update(header.as_bytes());
                BlobHasher::Sha1(h)
            }
            ObjectFormat::Sha256 => {
                let mut h = sha2::Sha256::new();
                sha2::Digest::update(&mut h, header.as_bytes());
                BlobHasher::Sha256(h)
            }
        }
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            BlobHasher::Sha1(h) => h.update(data),
            BlobHasher::Sha256(h) => sha2::Digest::update(h, data),
        }
    }

    fn finish(self) -> String {
        match self {
            BlobHasher::Sha1(h) => hex::encode(h.finalize()),
            BlobHasher::Sha256(h) => hex::encode(sha2::Digest::finalize(h)),
        }
    }
}

/// The git blob id of `data`.
pub(crate) fn blob_id(format: ObjectFormat, data: &[u8]) -> String {
    let mut h = BlobHasher::new(format, data.len() as u64);
    h.update(data);
    h.finish()
}

/// Reads each file's content as the scan streams by, in the same pass (the licence audit).
pub trait Inspector {
    /// A file (normalised `path`) begins; returns whether it wants the content.
    fn begin(&mut self, path: &str, size: u64, executable: bool) -> bool;
    /// The next bytes of the file begun last.
    fn chunk(&mut self, data: &[u8]);
    /// The file begun last has been read to its end.
    fn end(&mut self);
}

/// Collects entries and violations.
struct Collector<'a> {
    scan: Scan,
    seen: HashSet<String>,
    hash: Option<ObjectFormat>,
    inspect: Option<&'a mut (dyn Inspector + Send)>,
    buf: Vec<u8>,
}

impl<'a> Collector<'a> {
    fn new(hash: Option<ObjectFormat>, inspect: Option<&'a mut (dyn Inspector + Send)>) -> Self {
        Collector {
            scan: Scan::default(),
            seen: HashSet::new(),
            hash,
            inspect,
            buf: vec![0u8; 256 * 1024],
        }
    }

    /// Records an entry whose content is read from `content`.
    fn add(
        &mut self,
        raw: &str,
        kind: EntryKind,
        size: u64,
        content: &mut dyn Read,
    ) -> io::Result<()> {
        let path = match normalise(raw) {
            Ok(p) if !p.is_empty() => p,
            Ok(_) => return Ok(()), // "./" itself
            Err(v) => {
                self.scan.violations.push(v);
                return Ok(());
            }
        };
        if !self.seen.insert(path.clone()) {
            // A directory listed twice is harmless; anything else replaces an earlier entry.
            if kind != EntryKind::Dir {
                self.scan.violations.push(Violation::Duplicate { path });
            }
            return Ok(());
        }
        let mut id = None;
        let kind = match kind {
            EntryKind::Symlink { target } => {
                if !symlink_stays_inside(&path, &target) {
                    self.scan.violations.push(Violation::LinkEscapes {
                        path: path.clone(),
                        target: target.clone(),
                    });
                }
                id = self.hash.map(|f| blob_id(f, target.as_bytes()));
                EntryKind::Symlink { target }
            }
            EntryKind::Hardlink { target } => {
                let top = path.split('/').next().unwrap_or("");
                match normalise(&target) {
                    Ok(t) if t.split('/').next() == Some(top) && t != top => {}
                    _ => self.scan.violations.push(Violation::LinkEscapes {
                        path: path.clone(),
                        target: target.clone(),
                    }),
                }
                EntryKind::Hardlink { target }
            }
            EntryKind::File { executable } => {
                let wants = self
                    .inspect
                    .as_mut()
                    .is_some_and(|i| i.begin(&path, size, executable));
                if self.hash.is_some() || wants {
                    let mut h = self.hash.map(|format| BlobHasher::new(format, size));
                    let mut read = 0u64;
                    loop {
                        let n = content.read(&mut self.buf)?;
                        if n == 0 {
                            break;
                        }
                        read += n as u64;
                        if let Some(h) = h.as_mut() {
                            h.update(&self.buf[..n]);
                        }
                        if let Some(i) = self.inspect.as_mut().filter(|_| wants) {
                            i.chunk(&self.buf[..n]);
                        }
                    }
                    if read != size {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            format!("entry {path} ends after {read} of {size} bytes"),
                        ));
                    }
                    if let Some(i) = self.inspect.as_mut().filter(|_| wants) {
                        i.end();
                    }
                    id = h.map(BlobHasher::finish);
                }
                EntryKind::File { executable }
            }
            EntryKind::Dir => EntryKind::Dir,
        };
        self.scan.entries.push(Entry {
            path,
            kind,
            size,
            id,
        });
        Ok(())
    }

    fn device(&mut self, raw: &str, what: &str) {
        let path = normalise(raw).unwrap_or_else(|_| raw.to_string());
        self.scan.violations.push(Violation::Device {
            path,
            what: what.into(),
        });
    }
}

fn fail_reason(e: &io::Error, guard_count: u64, limits: Limits, packed: u64) -> Violation {
    let limit_hit = e.to_string().contains(LIMIT_HIT)
        || e.get_ref()
            .is_some_and(|inner| inner.to_string().contains(LIMIT_HIT));
    if limit_hit {
        if guard_count > limits.max_unpacked {
            Violation::TooLarge {
                unpacked: guard_count,
                limit: limits.max_unpacked,
            }
        } else {
            Violation::Ratio {
                unpacked: guard_count,
                packed,
                limit: limits.max_ratio,
            }
        }
    } else {
        Violation::Unreadable {
            reason: e.to_string(),
        }
    }
}

/// Reads a tar archive (compressed as `kind` says) from `input`, checking every entry and, with
/// `hash`, hashing file contents as git blobs. Problems are in the result, never errors.
pub(crate) fn scan_tar(
    kind: Kind,
    input: impl Read,
    limits: Limits,
    hash: Option<ObjectFormat>,
) -> Scan {
    scan_tar_inspected(kind, input, limits, hash, None)
}

/// [`scan_tar`], with each file's content also passed to `inspect` as it streams by.
pub(crate) fn scan_tar_inspected(
    kind: Kind,
    input: impl Read,
    limits: Limits,
    hash: Option<ObjectFormat>,
    inspect: Option<&mut (dyn Inspector + Send)>,
) -> Scan {
    let packed = Arc::new(AtomicU64::new(0));
    let unpacked = Arc::new(AtomicU64::new(0));
    let counted = Counter {
        inner: input,
        count: packed.clone(),
    };
    let decoded: Box<dyn Read> = match kind {
        Kind::TarGz => Box::new(flate2::read::MultiGzDecoder::new(
            io::BufReader::with_capacity(256 * 1024, counted),
        )),
        Kind::TarBz2 => Box::new(bzip2::read::MultiBzDecoder::new(counted)),
        Kind::TarXz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(counted)),
        Kind::Tar | Kind::Zip => Box::new(counted),
    };
    let guard = Guard {
        inner: decoded,
        count: unpacked.clone(),
        packed: packed.clone(),
        limits,
    };
    let mut collector = Collector::new(hash, inspect);
    let mut archive = tar::Archive::new(io::BufReader::with_capacity(256 * 1024, guard));
    // What the entries unpack to: a sparse entry counts by its apparent size, not the few
    // bytes it stores (a 1 TiB sparse file is 1 TiB on the disk rpmbuild unpacks it to).
    let mut apparent_total = 0u64;
    let result = (|| -> io::Result<()> {
        for entry in archive.entries()? {
            let mut entry = entry?;
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let apparent = apparent_size(&mut entry);
            apparent_total = apparent_total.saturating_add(apparent);
            if apparent_total > limits.max_unpacked {
                collector.scan.violations.push(Violation::TooLarge {
                    unpacked: apparent_total,
                    limit: limits.max_unpacked,
                });
                return Ok(());
            }
            let header = entry.header();
            let size = entry.size();
            let mode = header.mode().unwrap_or(0o644);
            collector.scan.newest_mtime =
                collector.scan.newest_mtime.max(header.mtime().unwrap_or(0));
            let link = || {
                String::from_utf8_lossy(&entry.link_name_bytes().unwrap_or_default()).into_owned()
            };
            use tar::EntryType as T;
            let kind = match header.entry_type() {
                T::Regular | T::Continuous | T::GNUSparse => EntryKind::File {
                    executable: mode & 0o111 != 0,
                },
                T::Directory => EntryKind::Dir,
                T::Symlink => EntryKind::Symlink { target: link() },
                T::Link => EntryKind::Hardlink { target: link() },
                T::Char => {
                    collector.device(&raw, "character device");
                    continue;
                }
                T::Block => {
                    collector.device(&raw, "block device");
                    continue;
                }
                T::Fifo => {
                    collector.device(&raw, "named pipe (FIFO)");
                    continue;
                }
                // pax and GNU extension headers describe the next entry; the tar reader applies
                // them. A global header (git archive's commit id) is not a file.
                T::XGlobalHeader | T::XHeader | T::GNULongName | T::GNULongLink => continue,
                other => {
                    collector.device(&raw, &format!("tar entry of type {other:?}"));
                    continue;
                }
            };
            collector.add(&raw, kind, size, &mut entry)?;
        }
        // Read to the end so the compressed stream's own checks (gzip CRC, xz check) run.
        let mut rest = archive.into_inner();
        io::copy(&mut rest, &mut io::sink())?;
        Ok(())
    })();
    if let Err(e) = result {
        let v = fail_reason(
            &e,
            unpacked.load(Ordering::Relaxed),
            limits,
            packed.load(Ordering::Relaxed),
        );
        collector.scan.violations.push(v);
    }
    collector.scan.unpacked = unpacked.load(Ordering::Relaxed);
    collector.scan.packed = packed.load(Ordering::Relaxed);
    collector.scan
}

/// The size an entry unpacks to: the tar reader's size (the real size of an old-style GNU sparse
/// entry), or a PAX GNU sparse entry's `GNU.sparse.realsize` (`GNU.sparse.size` in format 0.x),
/// whichever is larger.
fn apparent_size<R: Read>(entry: &mut tar::Entry<'_, R>) -> u64 {
    let mut apparent = entry.size();
    if let Ok(Some(extensions)) = entry.pax_extensions() {
        for ext in extensions.flatten() {
            if matches!(ext.key(), Ok("GNU.sparse.realsize" | "GNU.sparse.size")) {
                if let Some(n) = ext.value().ok().and_then(|v| v.trim().parse::<u64>().ok()) {
                    apparent = apparent.max(n);
                }
            }
        }
    }
    apparent
}

/// Reads a zip archive (it needs its central directory, so a seekable file).
pub(crate) fn scan_zip(file: std::fs::File, limits: Limits, hash: Option<ObjectFormat>) -> Scan {
    scan_zip_inspected(file, limits, hash, None)
}

/// [`scan_zip`], with each file's content also passed to `inspect`.
pub(crate) fn scan_zip_inspected(
    file: std::fs::File,
    limits: Limits,
    hash: Option<ObjectFormat>,
    inspect: Option<&mut (dyn Inspector + Send)>,
) -> Scan {
    let packed = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut collector = Collector::new(hash, inspect);
    let mut total = 0u64;
    let result = (|| -> Result<(), Violation> {
        let unreadable = |e: &dyn std::fmt::Display| Violation::Unreadable {
            reason: e.to_string(),
        };
        let mut zip = zip::ZipArchive::new(file).map_err(|e| unreadable(&e))?;
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).map_err(|e| unreadable(&e))?;
            let raw = String::from_utf8_lossy(f.name_raw()).into_owned();
            let mode = f.unix_mode().unwrap_or(0);
            let size = f.size();
            let file_type = mode & 0o170000;
            let kind = if f.is_dir() || file_type == 0o040000 {
                EntryKind::Dir
            } else if file_type == 0o120000 {
                let mut target = String::new();
                (&mut f)
                    .take(4096)
                    .read_to_string(&mut target)
                    .map_err(|e| unreadable(&e))?;
                EntryKind::Symlink { target }
            } else if matches!(file_type, 0o020000 | 0o060000 | 0o010000 | 0o140000) {
                collector.device(&raw, "device, pipe or socket");
                continue;
            } else {
                EntryKind::File {
                    executable: mode & 0o111 != 0,
                }
            };
            total += size;
            if total > limits.max_unpacked {
                return Err(Violation::TooLarge {
                    unpacked: total,
                    limit: limits.max_unpacked,
                });
            }
            if total > RATIO_FLOOR && total / packed.max(1) > limits.max_ratio {
                return Err(Violation::Ratio {
                    unpacked: total,
                    packed,
                    limit: limits.max_ratio,
                });
            }
            // The declared size may lie: read one byte past it at most.
            let mut limited = (&mut f).take(size + 1);
            collector
                .add(&raw, kind, size, &mut limited)
                .map_err(|e| unreadable(&e))?;
        }
        Ok(())
    })();
    if let Err(v) = result {
        collector.scan.violations.push(v);
    }
    collector.scan.unpacked = total;
    collector.scan.packed = packed;
    collector.scan
}

/// Unpacks a tar archive that [`scan_tar`] found safe into `dest`.
pub(crate) fn unpack_tar(kind: Kind, input: impl Read, dest: &std::path::Path) -> io::Result<()> {
    let decoded: Box<dyn Read> = match kind {
        Kind::TarGz => Box::new(flate2::read::MultiGzDecoder::new(io::BufReader::new(input))),
        Kind::TarBz2 => Box::new(bzip2::read::MultiBzDecoder::new(input)),
        Kind::TarXz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(input)),
        Kind::Tar | Kind::Zip => Box::new(input),
    };
    let mut archive = tar::Archive::new(decoded);
    archive.set_preserve_permissions(true);
    archive.unpack(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_unpacked: 1 << 30,
        max_ratio: 200,
    };

    /// A tar.gz holding `entries` (path, type, content or link target), written raw so that
    /// unsafe names survive.
    fn tar_gz(entries: &[(&str, tar::EntryType, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, typ, data) in entries {
            let mut h = tar::Header::new_gnu();
            {
                let name = &mut h.as_old_mut().name;
                name[..path.len()].copy_from_slice(path.as_bytes());
            }
            h.set_entry_type(*typ);
            h.set_mode(0o644);
            if matches!(typ, tar::EntryType::Symlink | tar::EntryType::Link) {
                h.set_link_name(std::str::from_utf8(data).unwrap()).unwrap();
                h.set_size(0);
                h.set_cksum();
                b.append(&h, &[][..]).unwrap();
            } else {
                h.set_size(data.len() as u64);
                h.set_cksum();
                b.append(&h, *data).unwrap();
            }
        }
        let tar = b.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    }

    use tar::EntryType as T;

    #[test]
    fn a_good_archive_has_one_top_dir_and_the_required_files() {
        let data = tar_gz(&[
            ("hello-1.0.0/", T::Directory, b""),
            ("hello-1.0.0/LICENSE", T::Regular, b"Apache"),
            ("hello-1.0.0/NOTICE", T::Regular, b"Hello"),
            ("hello-1.0.0/docs", T::Symlink, b"NOTICE"),
        ]);
        let s = scan_tar(Kind::TarGz, &data[..], LIMITS, Some(ObjectFormat::Sha1));
        assert!(s.violations.is_empty(), "{:?}", s.violations);
        let req = vec!["LICENSE".to_string(), "NOTICE".to_string()];
        assert!(s.check_layout("hello-1.0.0", &req).is_empty());
        let lic = s
            .entries
            .iter()
            .find(|e| e.path == "hello-1.0.0/LICENSE")
            .unwrap();
        assert_eq!(
            lic.id.as_deref(),
            Some(blob_id(ObjectFormat::Sha1, b"Apache").as_str())
        );
        // git hash-object of empty content
        assert_eq!(
            blob_id(ObjectFormat::Sha1, b""),
            "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
        );
        let v = s.check_layout("hello-1.0.1", &req);
        assert!(
            v[0].message()
                .contains("`hello-1.0.1/`, found `hello-1.0.0`"),
            "{v:?}"
        );
    }

    #[test]
    fn license_txt_license_md_and_notice_txt_satisfy_the_rule() {
        let data = tar_gz(&[
            ("foo-9.2p1/", T::Directory, b""),
            ("foo-9.2p1/LICENSE.txt", T::Regular, b"Apache"),
            ("foo-9.2p1/NOTICE.txt", T::Regular, b"Foo"),
        ]);
        let s = scan_tar(Kind::TarGz, &data[..], LIMITS, None);
        let req = vec!["LICENSE".to_string(), "NOTICE".to_string()];
        assert!(s.check_layout("foo-9.2p1", &req).is_empty());
        let md = tar_gz(&[
            ("foo-1/", T::Directory, b""),
            ("foo-1/LICENSE.md", T::Regular, b"MIT"),
            ("foo-1/NOTICE", T::Regular, b"Foo"),
        ]);
        let s = scan_tar(Kind::TarGz, &md[..], LIMITS, None);
        assert!(s.check_layout("foo-1", &req).is_empty());
    }

    #[test]
    fn a_wrong_top_dir_expectation_does_not_cascade_into_license_missing() {
        let data = tar_gz(&[
            ("hello-1.0.0/", T::Directory, b""),
            ("hello-1.0.0/LICENSE", T::Regular, b"Apache"),
            ("hello-1.0.0/NOTICE", T::Regular, b"Hello"),
        ]);
        let s = scan_tar(Kind::TarGz, &data[..], LIMITS, None);
        let req = vec!["LICENSE".to_string(), "NOTICE".to_string()];
        let v = s.check_layout("mesos-0.2.6", &req);
        assert_eq!(v.len(), 1, "only the top directory is wrong: {v:?}");
        assert!(matches!(v[0], Violation::TopDir { .. }));
        // A file that is really missing is still reported, under the real top directory.
        let v = s.check_layout("mesos-0.2.6", &["LICENSE".into(), "DISCLAIMER".into()]);
        assert_eq!(v.len(), 2, "{v:?}");
        assert_eq!(v[1].path(), Some("hello-1.0.0/DISCLAIMER"));
    }

    #[test]
    fn an_inferred_layout_accepts_a_renamed_file_and_gnu_copying() {
        let data = tar_gz(&[
            ("libtasn1-4.19.0/", T::Directory, b""),
            ("libtasn1-4.19.0/doc/COPYING", T::Regular, b"GPL"),
        ]);
        let s = scan_tar(Kind::TarGz, &data[..], LIMITS, None);
        let rule = |expected: &str, v: &str| Layout {
            expected: expected.into(),
            required: vec!["LICENSE".into(), "NOTICE".into()],
            inferred_version: Some(v.into()),
        };
        // Debian's libtasn1-6_4.19.0.orig.tar.gz holds libtasn1-4.19.0/.
        assert!(s
            .check_layout_with(&rule("libtasn1-6-4.19.0", "4.19.0"))
            .is_empty());
        // The version must still match.
        let v = s.check_layout_with(&rule("libtasn1-6-4.20.0", "4.20.0"));
        assert!(matches!(v[..], [Violation::TopDir { .. }]), "{v:?}");
        // Configured (not inferred): COPYING does not satisfy LICENSE, NOTICE is required.
        let v = s.check_layout("libtasn1-4.19.0", &["LICENSE".into(), "NOTICE".into()]);
        assert_eq!(v.len(), 2, "{v:?}");
    }

    #[test]
    fn unsafe_entries_are_reported_each() {
        let data = tar_gz(&[
            ("hello-1.0.0/../evil", T::Regular, b"x"),
            ("/etc/cron.d/evil", T::Regular, b"x"),
            ("hello-1.0.0/passwd", T::Symlink, b"/etc/passwd"),
            ("hello-1.0.0/up", T::Symlink, b"../../x"),
            ("hello-1.0.0/ok", T::Symlink, b"sub/../LICENSE"),
            ("hello-1.0.0/hard", T::Link, b"other-1.0/x"),
            ("hello-1.0.0/dev", T::Char, b""),
            ("hello-1.0.0/LICENSE", T::Regular, b"a"),
            ("hello-1.0.0/LICENSE", T::Regular, b"b"),
        ]);
        let s = scan_tar(Kind::TarGz, &data[..], LIMITS, None);
        let kinds: Vec<String> = s.violations.iter().map(|v| format!("{v:?}")).collect();
        assert!(
            matches!(&s.violations[0], Violation::ParentComponent { path } if path == "hello-1.0.0/../evil"),
            "{kinds:?}"
        );
        assert!(
            matches!(&s.violations[1], Violation::AbsolutePath { .. }),
            "{kinds:?}"
        );
        assert!(
            matches!(&s.violations[2], Violation::LinkEscapes { target, .. } if target == "/etc/passwd"),
            "{kinds:?}"
        );
        assert!(
            matches!(&s.violations[3], Violation::LinkEscapes { .. }),
            "{kinds:?}"
        );
        assert!(
            matches!(&s.violations[4], Violation::LinkEscapes { target, .. } if target == "other-1.0/x"),
            "{kinds:?}"
        );
        assert!(
            matches!(&s.violations[5], Violation::Device { .. }),
            "{kinds:?}"
        );
        assert!(
            matches!(&s.violations[6], Violation::Duplicate { .. }),
            "{kinds:?}"
        );
        assert_eq!(s.violations.len(), 7, "{kinds:?}");
    }

    #[test]
    fn symlink_targets_are_resolved_against_the_top_dir() {
        assert!(symlink_stays_inside("p-1/a/b", "../c"));
        assert!(symlink_stays_inside("p-1/a", "b/c"));
        assert!(!symlink_stays_inside("p-1/a", "../../etc"));
        assert!(!symlink_stays_inside("p-1/a", ".."));
        assert!(!symlink_stays_inside("p-1/a", "/etc/passwd"));
        assert_eq!(normalise("./p-1//a/./b/").unwrap(), "p-1/a/b");
        assert!(normalise("C:/x").is_err());
    }

    #[test]
    fn truncated_and_tampered_archives_are_unreadable() {
        let data = tar_gz(&[("p-1/LICENSE", T::Regular, &[b'x'; 100_000])]);
        let s = scan_tar(Kind::TarGz, &data[..data.len() / 2], LIMITS, None);
        assert!(
            matches!(s.violations.last(), Some(Violation::Unreadable { .. })),
            "{:?}",
            s.violations
        );
        let mut bad = data.clone();
        let at = bad.len() - 6; // inside the CRC-32 / size trailer
        bad[at] ^= 0x55;
        let s = scan_tar(Kind::TarGz, &bad[..], LIMITS, None);
        assert!(
            matches!(s.violations.last(), Some(Violation::Unreadable { .. })),
            "{:?}",
            s.violations
        );
    }

    #[test]
    fn a_decompression_bomb_is_stopped_at_the_cap() {
        let zeros = vec![0u8; 4 << 20];
        let data = tar_gz(&[("p-1/zeros", T::Regular, &zeros)]);
        let limits = Limits {
            max_unpacked: 1 << 20,
            max_ratio: 200,
        };
        let s = scan_tar(Kind::TarGz, &data[..], limits, None);
        assert!(
            matches!(s.violations.last(), Some(Violation::TooLarge { .. })),
            "{:?}",
            s.violations
        );
        assert!(s.unpacked < 2 << 20, "stopped early: {}", s.unpacked);
        let big = vec![0u8; 40 << 20];
        let data = tar_gz(&[("p-1/zeros", T::Regular, &big)]);
        let s = scan_tar(Kind::TarGz, &data[..], LIMITS, None);
        assert!(
            matches!(s.violations.last(), Some(Violation::Ratio { .. })),
            "{:?}",
            s.violations
        );
    }

    /// A field of a tar header in base-256 (GNU's form for numbers over 8 GiB).
    fn base256(field: &mut [u8], n: u64) {
        field.fill(0);
        field[0] = 0x80;
        let len = field.len();
        field[len - 8..].copy_from_slice(&n.to_be_bytes());
    }

    /// An old-style GNU sparse entry of `apparent` bytes storing one 512-byte block at its end.
    fn gnu_sparse_tar(apparent: u64) -> Vec<u8> {
        let mut h = tar::Header::new_gnu();
        h.set_path("x-1.0/hole").unwrap();
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::GNUSparse);
        h.set_size(512);
        {
            let gnu = h.as_gnu_mut().unwrap();
            base256(&mut gnu.realsize, apparent);
            base256(&mut gnu.sparse[0].offset, apparent - 512);
            base256(&mut gnu.sparse[0].numbytes, 512);
        }
        h.set_cksum();
        let mut out = h.as_bytes().to_vec();
        out.extend_from_slice(&[b'z'; 512]);
        out.extend_from_slice(&[0u8; 1024]);
        out
    }

    #[test]
    fn a_gnu_sparse_entry_counts_by_its_apparent_size() {
        let one_tib = 1u64 << 40;
        let data = gnu_sparse_tar(one_tib);
        let start = std::time::Instant::now();
        // Hashing would read 1 TiB of zeros: the cap must stop it before.
        let s = scan_tar(Kind::Tar, &data[..], LIMITS, Some(ObjectFormat::Sha1));
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        assert!(
            s.violations
                .iter()
                .any(|v| matches!(v, Violation::TooLarge { unpacked, .. } if *unpacked == one_tib)),
            "{:?}",
            s.violations
        );
        // A small sparse file is fine.
        let s = scan_tar(Kind::Tar, &gnu_sparse_tar(4096)[..], LIMITS, None);
        assert!(s.violations.is_empty(), "{:?}", s.violations);
        assert_eq!(s.entries[0].size, 4096);
    }

    #[test]
    fn a_pax_sparse_entry_counts_by_its_real_size() {
        let mut records = Vec::new();
        for (k, v) in [
            ("GNU.sparse.major", "1"),
            ("GNU.sparse.minor", "0"),
            ("GNU.sparse.name", "x-1.0/hole"),
            ("GNU.sparse.realsize", "1099511627776"),
        ] {
            // "LEN key=value\n", LEN counting itself.
            let body = format!(" {k}={v}\n");
            let mut len = body.len() + 1;
            while len.to_string().len() + body.len() != len {
                len += 1;
            }
            records.extend_from_slice(format!("{len}{body}").as_bytes());
        }
        let mut b = tar::Builder::new(Vec::new());
        let mut x = tar::Header::new_ustar();
        x.set_entry_type(tar::EntryType::XHeader);
        x.set_path("PaxHeaders/hole").unwrap();
        x.set_size(records.len() as u64);
        x.set_cksum();
        b.append(&x, &records[..]).unwrap();
        let mut h = tar::Header::new_ustar();
        h.set_size(3);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, "x-1.0/GNUSparseFile.0/hole", &b"0\n\n"[..])
            .unwrap();
        let data = b.into_inner().unwrap();
        let s = scan_tar(Kind::Tar, &data[..], LIMITS, None);
        assert!(
            s.violations
                .iter()
                .any(|v| matches!(v, Violation::TooLarge { .. })),
            "{:?}",
            s.violations
        );
    }

    #[test]
    fn kinds_come_from_the_name() {
        assert_eq!(Kind::from_name("mesos-1.11.0.tar.gz"), Some(Kind::TarGz));
        assert_eq!(
            Kind::from_name("apr-util_1.6.3.orig.tar.bz2"),
            Some(Kind::TarBz2)
        );
        assert_eq!(Kind::from_name("x.tar.xz"), Some(Kind::TarXz));
        assert_eq!(Kind::from_name("x.ZIP"), Some(Kind::Zip));
        assert_eq!(Kind::from_name("x.rar"), None);
    }
}
