//! The ASF checks a voter is asked to make, over a release's files as they stream by (the
//! archive's one pass, or a walk of a tree): every file classified for its licence
//! ([`crate::model::licence`]), compiled code found by content, bundled third-party archives
//! listed with their hashes, and LICENSE and NOTICE checked against what is bundled and the
//! release year. The results become report checks; the per-file verdicts serialise as JSON.

pub mod asf;
pub mod exclusions;
pub mod sbom;

use std::path::Path;

use serde::Serialize;
use sha2::Digest as _;

use crate::model::artifact::satisfies;
use crate::model::licence::{self, Class, Verdict};
use crate::verify::archive::Inspector;

pub use exclusions::{Exclusions, ExclusionsError};

/// Largest bundled archive kept in memory to read its own licence from.
const NESTED_MAX: u64 = 64 << 20;

/// One file's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileVerdict {
    /// The path in the archive (or below the tree's root).
    pub path: String,
    pub size: u64,
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// A bundled third-party archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bundled {
    pub path: String,
    pub name: String,
    pub version: String,
    pub size: u64,
    pub sha256: String,
    pub sha512: String,
    /// The SPDX id of the archive's own top-level LICENSE or COPYING, when it could be told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
}

/// The file being read.
struct Current {
    path: String,
    size: u64,
    head: Vec<u8>,
    /// The whole content, for LICENSE, NOTICE, the exclusions file and bundled archives.
    all: Option<Vec<u8>>,
    hashes: Option<(sha2::Sha256, sha2::Sha512)>,
}

/// Collects the verdicts as files stream by; an [`Inspector`] for the archive's one pass.
#[derive(Default)]
pub struct Audit {
    /// Paths start with the archive's top directory, stripped when matching.
    strip_top: bool,
    exclusions_file: String,
    current: Option<Current>,
    pub files: Vec<FileVerdict>,
    pub bundled: Vec<Bundled>,
    /// The content of LICENSE, NOTICE and the exclusions file at the top.
    pub license: Option<Vec<u8>>,
    pub notice: Option<Vec<u8>>,
    pub exclusions: Option<Vec<u8>>,
}

impl std::fmt::Debug for Audit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Audit")
            .field("files", &self.files.len())
            .field("bundled", &self.bundled)
            .finish()
    }
}

impl Audit {
    /// An audit of an archive (`strip_top`: its paths start with one top directory) or a tree.
    pub fn new(strip_top: bool, exclusions_file: &str) -> Self {
        Audit {
            strip_top,
            exclusions_file: exclusions_file.trim_start_matches("./").to_string(),
            ..Audit::default()
        }
    }

    /// The path below the top directory.
    pub fn relative<'p>(&self, path: &'p str) -> &'p str {
        if self.strip_top {
            path.split_once('/').map(|(_, r)| r).unwrap_or("")
        } else {
            path
        }
    }

    /// Applies the exclusions: an excluded file that is not compiled code becomes excluded.
    pub fn apply(&mut self, exclusions: &Exclusions) {
        let strip = self.strip_top;
        for f in &mut self.files {
            let rel = if strip {
                f.path.split_once('/').map(|(_, r)| r).unwrap_or("")
            } else {
                f.path.as_str()
            };
            if matches!(f.verdict.class, Class::Compiled { .. } | Class::Empty) {
                continue;
            }
            if let Some(by) = exclusions.matches(rel) {
                f.verdict = Verdict {
                    class: Class::Excluded { by },
                    evidence: None,
                };
            }
        }
    }

    /// Audits the files of a tree (skipping `.git`, `.svn` and `.hg`).
    pub fn walk(&mut self, root: &Path) -> std::io::Result<()> {
        let mut stack = vec![root.to_path_buf()];
        let mut buf = vec![0u8; 64 * 1024];
        while let Some(dir) = stack.pop() {
            let mut entries: Vec<_> = std::fs::read_dir(&dir)?.collect::<Result<_, _>>()?;
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let t = e.file_type()?;
                let p = e.path();
                if t.is_dir() {
                    if ![".git", ".svn", ".hg"].contains(&e.file_name().to_string_lossy().as_ref())
                    {
                        stack.push(p);
                    }
                    continue;
                }
                if !t.is_file() {
                    continue;
                }
                let rel = p
                    .strip_prefix(root)
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .replace('\\', "/");
                let mut file = std::fs::File::open(&p)?;
                let size = file.metadata()?.len();
                self.begin(&rel, size, false);
                use std::io::Read as _;
                loop {
                    let n = file.read(&mut buf)?;
                    if n == 0 {
                        break;
                    }
                    self.chunk(&buf[..n]);
                    let enough = self.current.as_ref().is_some_and(|c| {
                        c.all.is_none() && c.hashes.is_none() && c.head.len() >= licence::HEAD
                    });
                    if enough {
                        break;
                    }
                }
                self.end();
            }
        }
        Ok(())
    }
}

fn is_archive_name(name: &str) -> bool {
    crate::verify::archive::Kind::from_name(name).is_some()
}

impl Inspector for Audit {
    fn begin(&mut self, path: &str, size: u64, _executable: bool) -> bool {
        let rel = self.relative(path).to_string();
        let top_level_text = !rel.contains('/')
            && (satisfies(&rel, "LICENSE") || satisfies(&rel, "NOTICE"))
            || (!self.exclusions_file.is_empty() && rel == self.exclusions_file);
        let name = rel.rsplit('/').next().unwrap_or("");
        let archive = is_archive_name(name);
        self.current = Some(Current {
            path: path.to_string(),
            size,
            head: Vec::with_capacity(size.min(licence::HEAD as u64) as usize),
            all: (top_level_text || (archive && size <= NESTED_MAX))
                .then(|| Vec::with_capacity(size.min(NESTED_MAX) as usize)),
            hashes: archive.then(|| (sha2::Sha256::new(), sha2::Sha512::new())),
        });
        true
    }

    fn chunk(&mut self, data: &[u8]) {
        let Some(c) = self.current.as_mut() else {
            return;
        };
        if c.head.len() < licence::HEAD {
            let take = (licence::HEAD - c.head.len()).min(data.len());
            c.head.extend_from_slice(&data[..take]);
        }
        if let Some(all) = c.all.as_mut() {
            all.extend_from_slice(data);
        }
        if let Some((a, b)) = c.hashes.as_mut() {
            a.update(data);
            b.update(data);
        }
    }

    fn end(&mut self) {
        let Some(c) = self.current.take() else {
            return;
        };
        let rel = self.relative(&c.path).to_string();
        let mut verdict = licence::classify(&c.head, c.size);
        if exclusions::is_note(&rel) && !matches!(verdict.class, Class::Compiled { .. }) {
            verdict = Verdict {
                class: Class::Excluded {
                    by: "a notes file (RAT does not expect a header in it)".into(),
                },
                evidence: None,
            };
        }
        if let Some((a, b)) = c.hashes {
            let name = rel.rsplit('/').next().unwrap_or("");
            if let Some((cname, version)) = licence::component_of(name) {
                let nested = c
                    .all
                    .as_deref()
                    .and_then(|bytes| nested_licence(name, bytes));
                self.bundled.push(Bundled {
                    path: c.path.clone(),
                    name: cname,
                    version,
                    size: c.size,
                    sha256: hex::encode(a.finalize()),
                    sha512: hex::encode(b.finalize()),
                    licence: nested,
                });
            }
        } else if let Some(all) = c.all {
            // The same names the layout check accepts (LICENSE, LICENSE.txt, LICENSE.md).
            if satisfies(&rel, "LICENSE") {
                self.license = Some(all);
            } else if satisfies(&rel, "NOTICE") {
                self.notice = Some(all);
            } else {
                self.exclusions = Some(all);
            }
        }
        self.files.push(FileVerdict {
            path: c.path,
            size: c.size,
            verdict,
        });
    }
}

/// Reads a bundled archive's own top-level LICENSE or COPYING and tells its licence.
fn nested_licence(name: &str, bytes: &[u8]) -> Option<String> {
    use crate::verify::archive::{self, Kind, Limits};
    let kind = Kind::from_name(name)?;
    if kind == Kind::Zip {
        return None;
    }
    #[derive(Default)]
    struct Find {
        want: bool,
        head: Vec<u8>,
        found: Option<String>,
    }
    impl Inspector for Find {
        fn begin(&mut self, path: &str, _size: u64, _x: bool) -> bool {
            let depth = path.matches('/').count();
            let file = path.rsplit('/').next().unwrap_or("").to_ascii_uppercase();
            self.want = self.found.is_none()
                && depth <= 1
                && (file.starts_with("LICENSE")
                    || file.starts_with("COPYING")
                    || file.starts_with("LICENCE"));
            self.head.clear();
            self.want
        }
        fn chunk(&mut self, data: &[u8]) {
            if self.head.len() < licence::HEAD {
                let take = (licence::HEAD - self.head.len()).min(data.len());
                self.head.extend_from_slice(&data[..take]);
            }
        }
        fn end(&mut self) {
            if self.want {
                if let Class::Approved { spdx } | Class::Unapproved { licence: spdx } =
                    licence::classify_licence_file(&self.head)
                {
                    self.found = Some(spdx);
                }
            }
        }
    }
    let mut find = Find::default();
    let limits = Limits {
        max_unpacked: 1 << 30,
        max_ratio: 1000,
    };
    archive::scan_tar_inspected(kind, bytes, limits, None, Some(&mut find));
    find.found
}

/// The year of `epoch` seconds, in UTC.
pub fn year_of(epoch: u32) -> i16 {
    jiff::Timestamp::from_second(i64::from(epoch))
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).year())
        .unwrap_or(1970)
}

/// Finishes an audit with the configuration: the exclusions (the file from the release
/// itself, else from `root`), then the four checks. `place` names where the release is.
pub fn finish(
    audit: &mut Audit,
    config: &crate::config::Config,
    root: Option<&Path>,
    place: &str,
    release_year: i16,
) -> Result<Vec<crate::report::Check>, ExclusionsError> {
    let lc = &config.licence;
    let file_name = lc.exclusions_file.trim();
    let from_root;
    let file: Option<(&str, &[u8])> = if file_name.is_empty() {
        None
    } else if let Some(bytes) = audit.exclusions.as_deref() {
        Some((file_name, bytes))
    } else {
        let path = root.map(|r| r.join(file_name));
        match path.filter(|p| p.exists()) {
            Some(p) => {
                from_root =
                    crate::outside::fs::read_regular(&p, crate::outside::fs::PROJECT_FILE_CAP)
                        .map_err(|e| ExclusionsError::Unreadable {
                            file: p.display().to_string(),
                            reason: e.to_string(),
                        })?;
                Some((file_name, &from_root[..]))
            }
            None => {
                return Err(ExclusionsError::Missing {
                    file: file_name.to_string(),
                    place: place.to_string(),
                })
            }
        }
    };
    // What the build system makes (distcheck.generated) is no more expected to carry a header
    // than what the exclusions list.
    let exclusions = Exclusions::parse(file, &lc.exclude, &config.distcheck.generated)?;
    audit.apply(&exclusions);
    let judge = asf::Judge {
        release_year,
        asf: lc.asf,
        approved: &lc.approved,
    };
    Ok(asf::checks(audit, &judge))
}

/// The ASF checks of `verify-distcheck candidate`, after the one pass fed `audit`: the four
/// audit checks, and the SBOM published beside the artifact checked against it.
pub fn candidate_checks(
    audit: &mut Audit,
    config: &crate::config::Config,
    root: &Path,
    artifact: &crate::verify::location::Location,
    digests: &crate::verify::pipeline::Digests,
    cut: u32,
    tmp: &Path,
) -> crate::error::Result<Vec<crate::report::Check>> {
    use crate::report::Check;
    if !config.licence.enabled {
        return Ok([
            "licence-headers",
            "no-compiled-code",
            "bundled-archives",
            "license-notice",
            "sbom",
        ]
        .iter()
        .map(|id| Check::new(*id, *id).skipped("licence.enabled is false"))
        .collect());
    }
    let name = artifact.file_name();
    let mut checks = finish(audit, config, Some(root), &name, year_of(cut))?;
    let sbom_in = artifact.with_suffix(".cdx.json");
    let sbom_name = sbom::file_name(&name);
    match sbom_in.fetch_if_there("SBOM", tmp) {
        // An SBOM is not published by every project yet: one that cannot be fetched is noted.
        Err(e) => checks.push(
            Check::new(
                "sbom",
                "the CycloneDX SBOM describes this tarball and every bundled archive",
            )
            .skipped(format!("{sbom_name} could not be fetched: {e}")),
        ),
        Ok(Some(path)) => {
            let text =
                std::fs::read(&path).map_err(|e| crate::error::Error::io("read", &path, e))?;
            checks.push(sbom::check(
                &sbom_name,
                &text,
                &digests.sha512,
                &audit.bundled,
            ));
        }
        Ok(None) => checks.push(
            Check::new(
                "sbom",
                "the CycloneDX SBOM describes this tarball and every bundled archive",
            )
            .skipped(format!("no {sbom_name} beside the artifact")),
        ),
    }
    Ok(checks)
}

/// The ASF checks of `verify-distcheck source`, on the tarball the recipe made (what ships),
/// judged in the year of `cut`, the tag's commit time (seconds since the epoch).
pub fn source_checks(
    audit: &mut Audit,
    config: &crate::config::Config,
    root: &Path,
    tarball: &str,
    cut: u32,
) -> crate::error::Result<Vec<crate::report::Check>> {
    if !config.licence.enabled {
        return Ok(Vec::new());
    }
    let year = year_of(cut);
    Ok(finish(audit, config, Some(root), tarball, year)?)
}

/// The CycloneDX SBOM of a release tarball: its hashes and its bundled archives, read in one
/// pass.
pub fn sbom_of(tarball: &Path, config: &crate::config::Config) -> crate::error::Result<String> {
    use crate::error::Error;
    use crate::verify::archive::{self, Kind};
    let name = tarball
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let kind = Kind::from_name(&name)
        .ok_or_else(|| Error::Usage(format!("{name} is not an archive I can read")))?;
    let mut audit = Audit::new(true, &config.licence.exclusions_file);
    let bytes = std::fs::read(tarball).map_err(|e| Error::io("read", tarball, e))?;
    let limits = crate::verify::pipeline::limits(config);
    let scan = if kind == Kind::Zip {
        let f = std::fs::File::open(tarball).map_err(|e| Error::io("open", tarball, e))?;
        archive::scan_zip_inspected(f, limits, None, Some(&mut audit))
    } else {
        archive::scan_tar_inspected(kind, &bytes[..], limits, None, Some(&mut audit))
    };
    if let Some(v) = scan.violations.first() {
        return Err(Error::Problem(format!("{name}: {}", v.message())));
    }
    let sha256 = hex::encode(sha2::Sha256::digest(&bytes));
    let sha512 = hex::encode(sha2::Sha512::digest(&bytes));
    let version = config_version(&config.project.tarball, &name);
    Ok(sbom::render(
        &sbom::Subject {
            name: &config.project.name,
            version: &version,
            tarball: &name,
            sha256: &sha256,
            sha512: &sha512,
            licence: "Apache-2.0",
        },
        &audit.bundled,
    ))
}

/// The version in a tarball's name by the `project.tarball` template, else the first `X.Y.Z`.
fn config_version(template: &str, name: &str) -> String {
    let pattern = regex::escape(template)
        .replace(r"\{version\}", r"(?P<v>\d+\.\d+\.\d+[^/]*?)")
        .replace(r"\{name\}", r"[^/]+?");
    regex::Regex::new(&format!("^{pattern}$"))
        .ok()
        .and_then(|re| re.captures(name).map(|c| c["v"].to_string()))
        .or_else(|| {
            regex::Regex::new(r"\d+\.\d+\.\d+")
                .ok()?
                .find(name)
                .map(|m| m.as_str().to_string())
        })
        .unwrap_or_default()
}
