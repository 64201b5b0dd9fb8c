//! The reproducible source tarball: whatever produced the tar (`make dist` or `git archive`),
//! it is re-normalised so that two runs on two machines give the same bytes: entries sorted by
//! name, owner and group 0/root, every mtime the tag commit's time (`SOURCE_DATE_EPOCH`),
//! permissions reduced to 0644/0755, GNU long names instead of PAX records (so no PAX
//! timestamps), and gzip with no file name and no mtime (or xz, or bzip2, as the tarball's name
//! says). Streams: the input tar is read twice
//! from disk (headers, then data in sorted order), never held in memory.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha512};
use tar::{EntryType, Header};

/// What a normalised tarball is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub sha512: String,
    pub size: u64,
    pub entries: usize,
}

#[derive(Debug)]
struct Item {
    path: Vec<u8>,
    kind: EntryType,
    mode: u32,
    size: u64,
    data_at: u64,
    link: Option<Vec<u8>>,
}

/// A writer that hashes what passes through it.
#[derive(Debug)]
pub struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha512,
    pub written: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha512::new(),
            written: 0,
        }
    }

    pub fn finish(self) -> (W, String, u64) {
        (
            self.inner,
            hex::encode(self.hasher.finalize()),
            self.written,
        )
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// How a tarball is compressed, from its file name (`make dist-xz` makes only `.tar.xz`:
/// libmd, attr, acl).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Xz,
    Bzip2,
    /// A plain `.tar`.
    None,
}

impl Compression {
    /// The compression a tarball's name says: `.tar.gz`/`.tgz`, `.tar.xz`/`.txz`,
    /// `.tar.bz2`/`.tbz2` or `.tar`; `None` for any other name (a zip, a `.tar.zst`), which
    /// release-kit does not write.
    pub fn of(path: &Path) -> Option<Compression> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let ends = |s: &[&str]| s.iter().any(|e| name.ends_with(e));
        if ends(&[".tar.gz", ".tgz"]) {
            Some(Compression::Gzip)
        } else if ends(&[".tar.xz", ".txz"]) {
            Some(Compression::Xz)
        } else if ends(&[".tar.bz2", ".tbz2"]) {
            Some(Compression::Bzip2)
        } else if ends(&[".tar"]) {
            Some(Compression::None)
        } else {
            None
        }
    }

    fn required(path: &Path) -> io::Result<Compression> {
        Compression::of(path).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{} is not a name release-kit makes a tarball under; name it .tar.gz, .tar.xz, .tar.bz2 or .tar (project.tarball)",
                    path.display()
                ),
            )
        })
    }
}

/// Uncompresses the build's tarball (gzip, xz or bzip2, from its name) into a plain tar file
/// at `dest`.
pub(crate) fn uncompress(src: &Path, dest: &Path) -> io::Result<()> {
    let file = BufReader::new(File::open(src)?);
    let mut input: Box<dyn Read> = match Compression::required(src)? {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(file)),
        Compression::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(file)),
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(file)),
        Compression::None => Box::new(file),
    };
    let mut out = BufWriter::new(File::create(dest)?);
    io::copy(&mut input, &mut out)?;
    out.flush()
}

/// A compressor that gives the same bytes for the same input on every machine: gzip with no
/// name and no time, xz at preset 6 on one thread (no timestamps in the format), bzip2 level 9.
enum Compressor<W: Write> {
    Gzip(flate2::write::GzEncoder<W>),
    Xz(liblzma::write::XzEncoder<W>),
    Bzip2(bzip2::write::BzEncoder<W>),
    None(W),
}

impl<W: Write> Compressor<W> {
    fn new(kind: Compression, out: W) -> Compressor<W> {
        match kind {
            Compression::Gzip => Compressor::Gzip(
                flate2::GzBuilder::new()
                    .mtime(0)
                    .operating_system(255)
                    .write(out, flate2::Compression::default()),
            ),
            Compression::Xz => Compressor::Xz(liblzma::write::XzEncoder::new(out, 6)),
            Compression::Bzip2 => Compressor::Bzip2(bzip2::write::BzEncoder::new(
                out,
                bzip2::Compression::best(),
            )),
            Compression::None => Compressor::None(out),
        }
    }

    fn finish(self) -> io::Result<W> {
        match self {
            Compressor::Gzip(e) => e.finish(),
            Compressor::Xz(e) => e.finish(),
            Compressor::Bzip2(e) => e.finish(),
            Compressor::None(w) => Ok(w),
        }
    }
}

impl<W: Write> Write for Compressor<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Compressor::Gzip(e) => e.write(buf),
            Compressor::Xz(e) => e.write(buf),
            Compressor::Bzip2(e) => e.write(buf),
            Compressor::None(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Compressor::Gzip(e) => e.flush(),
            Compressor::Xz(e) => e.flush(),
            Compressor::Bzip2(e) => e.flush(),
            Compressor::None(w) => w.flush(),
        }
    }
}

/// Re-normalises the tar at `input` into a reproducible tarball at `output`, compressed as its
/// name says ([`Compression::of`]).
/// Only entries under `prefix/` are kept when a prefix is given (git's pax global header and
/// anything outside the top directory are dropped).
pub fn normalise(input: &Path, output: &Path, epoch: u64) -> io::Result<Written> {
    // Refused before anything is written.
    let compression = Compression::required(output)?;
    let mut items = Vec::new();
    {
        let file = BufReader::with_capacity(1 << 16, File::open(input)?);
        let mut archive = tar::Archive::new(file);
        for entry in archive.entries_with_seek()? {
            let entry = entry?;
            let kind = entry.header().entry_type();
            if !matches!(
                kind,
                EntryType::Regular
                    | EntryType::Continuous
                    | EntryType::Directory
                    | EntryType::Symlink
                    | EntryType::Link
            ) {
                continue;
            }
            let mut path = entry.path_bytes().into_owned();
            if kind == EntryType::Directory && !path.ends_with(b"/") {
                path.push(b'/');
            }
            items.push(Item {
                path,
                kind: if kind == EntryType::Continuous {
                    EntryType::Regular
                } else {
                    kind
                },
                mode: entry.header().mode().unwrap_or(0o644),
                size: if kind.is_file() || kind == EntryType::Continuous {
                    entry.size()
                } else {
                    0
                },
                data_at: entry.raw_file_position(),
                link: entry.link_name_bytes().map(|l| l.into_owned()),
            });
        }
    }
    items.sort_by(|a, b| a.path.cmp(&b.path));
    items.dedup_by(|b, a| a.path == b.path);

    let mut src = File::open(input)?;
    let out = HashingWriter::new(BufWriter::with_capacity(1 << 20, File::create(output)?));
    let gz = Compressor::new(compression, out);
    let mut builder = tar::Builder::new(gz);
    builder.mode(tar::HeaderMode::Deterministic);
    for item in &items {
        let mut h = Header::new_gnu();
        h.set_entry_type(item.kind);
        h.set_uid(0);
        h.set_gid(0);
        h.set_username("root")?;
        h.set_groupname("root")?;
        h.set_mtime(epoch);
        let exec = item.mode & 0o111 != 0;
        h.set_mode(match item.kind {
            EntryType::Directory => 0o755,
            EntryType::Symlink => 0o777,
            _ if exec => 0o755,
            _ => 0o644,
        });
        let path = PathBuf::from(String::from_utf8_lossy(&item.path).into_owned());
        match item.kind {
            EntryType::Symlink | EntryType::Link => {
                h.set_size(0);
                let target = PathBuf::from(
                    String::from_utf8_lossy(item.link.as_deref().unwrap_or_default()).into_owned(),
                );
                builder.append_link(&mut h, &path, &target)?;
            }
            EntryType::Directory => {
                h.set_size(0);
                builder.append_data(&mut h, &path, io::empty())?;
            }
            _ => {
                h.set_size(item.size);
                src.seek(SeekFrom::Start(item.data_at))?;
                builder.append_data(&mut h, &path, (&mut src).take(item.size))?;
            }
        }
    }
    let gz = builder.into_inner()?;
    let out = gz.finish()?;
    let (buf, sha512, size) = out.finish();
    buf.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(Written {
        sha512,
        size,
        entries: items.len(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn make_tar(dir: &Path, name: &str, reverse: bool, mtime: u64, uid: u64) -> PathBuf {
        let p = dir.join(name);
        let mut b = tar::Builder::new(File::create(&p).unwrap());
        let long = format!("p/{}/file", "d".repeat(120));
        let mut files = vec![
            ("p/a.txt", "alpha\n", 0o664),
            ("p/bin/run", "#!/bin/sh\n", 0o775),
            (long.as_str(), "long\n", 0o600),
        ];
        if reverse {
            files.reverse();
        }
        for (path, content, mode) in files {
            let mut h = Header::new_ustar();
            h.set_size(content.len() as u64);
            h.set_mode(mode);
            h.set_mtime(mtime);
            h.set_uid(uid);
            h.set_cksum();
            b.append_data(&mut h, path, content.as_bytes()).unwrap();
        }
        b.finish().unwrap();
        p
    }

    #[test]
    fn an_xz_or_bzip2_tarball_is_read_and_written_in_its_own_compression_reproducibly() {
        // libmd's `make dist` makes only .tar.xz: stage-rc must not write gzip under that name.
        let d = tempfile::tempdir().unwrap();
        let a = make_tar(d.path(), "a.tar", false, 1, 1000);
        let b = make_tar(d.path(), "b.tar", true, 999_999, 0);
        for ext in ["tar.xz", "tar.bz2"] {
            let (oa, ob) = (
                d.path().join(format!("a.{ext}")),
                d.path().join(format!("b.{ext}")),
            );
            let wa = normalise(&a, &oa, 1_772_000_000).unwrap();
            let wb = normalise(&b, &ob, 1_772_000_000).unwrap();
            assert_eq!(wa, wb, "{ext}");
            let bytes = std::fs::read(&oa).unwrap();
            if ext == "tar.xz" {
                assert_eq!(&bytes[..6], b"\xfd7zXZ\0", "xz magic");
            } else {
                assert_eq!(&bytes[..3], b"BZh", "bzip2 magic");
            }
            // Read back through the same name-driven decompression.
            let plain = d.path().join(format!("plain-{ext}.tar"));
            uncompress(&oa, &plain).unwrap();
            let names: Vec<String> = tar::Archive::new(File::open(&plain).unwrap())
                .entries()
                .unwrap()
                .map(|e| e.unwrap().path().unwrap().display().to_string())
                .collect();
            assert_eq!(names.len(), 3, "{ext}: {names:?}");
            assert_eq!(names[0], "p/a.txt");
        }
        assert_eq!(
            Compression::of(Path::new("x-1.0.tar.gz")),
            Some(Compression::Gzip)
        );
        assert_eq!(
            Compression::of(Path::new("X-1.0.TAR.XZ")),
            Some(Compression::Xz)
        );
        assert_eq!(
            Compression::of(Path::new("x-1.0.tar")),
            Some(Compression::None)
        );
        // A name release-kit does not write is refused before anything is written, not
        // written as gzip under it.
        assert_eq!(Compression::of(Path::new("x-1.0.zip")), None);
        let zip = d.path().join("x-1.0.zip");
        let e = normalise(&a, &zip, 1).unwrap_err();
        assert!(e.to_string().contains("name it .tar.gz"), "{e}");
        assert!(!zip.exists());
    }

    #[test]
    fn two_differently_ordered_tars_normalise_to_the_same_bytes() {
        let d = tempfile::tempdir().unwrap();
        let a = make_tar(d.path(), "a.tar", false, 1, 1000);
        let b = make_tar(d.path(), "b.tar", true, 999_999, 0);
        let wa = normalise(&a, &d.path().join("a.tar.gz"), 1_772_000_000).unwrap();
        let wb = normalise(&b, &d.path().join("b.tar.gz"), 1_772_000_000).unwrap();
        assert_eq!(wa, wb);
        let bytes = std::fs::read(d.path().join("a.tar.gz")).unwrap();
        assert_eq!(bytes, std::fs::read(d.path().join("b.tar.gz")).unwrap());
        assert_eq!(
            crate::verify::checksum::hash_file(
                crate::verify::checksum::Algorithm::Sha512,
                &d.path().join("a.tar.gz")
            )
            .unwrap(),
            wa.sha512
        );
        // gzip header: no FNAME flag, mtime 0.
        assert_eq!(bytes[3] & 0x08, 0, "no file name");
        assert_eq!(&bytes[4..8], &[0, 0, 0, 0], "no mtime");
        // Entries: sorted, root-owned, fixed mtime, normalised modes, long name kept.
        let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
        let seen: Vec<(String, u32, u64, u64, String)> = ar
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let h = e.header();
                (
                    e.path().unwrap().display().to_string(),
                    h.mode().unwrap(),
                    h.mtime().unwrap(),
                    h.uid().unwrap(),
                    h.username().unwrap().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[0].0, "p/a.txt");
        assert_eq!(seen[0].1, 0o644);
        assert_eq!(seen[1].0, "p/bin/run");
        assert_eq!(seen[1].1, 0o755);
        assert!(seen[2].0.ends_with("/file") && seen[2].0.len() > 100);
        assert!(seen
            .iter()
            .all(|s| s.2 == 1_772_000_000 && s.3 == 0 && s.4 == "root"));
        // No PAX headers anywhere.
        let raw = {
            let mut v = Vec::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_end(&mut v)
                .unwrap();
            v
        };
        assert!(raw.chunks(512).all(|c| c[156] != b'x' && c[156] != b'g'));
    }
}
