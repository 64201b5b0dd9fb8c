//! build-rpms's steps ([`RpmStep`]), their typed outputs as the build's ledger keeps them, and
//! [`Builder`], which carries them out. Every step is idempotent (an earlier run may have done it
//! and crashed before recording it): it looks at the world before acting. What a later step needs
//! stays in the work dir (`source/`, `rpmbuild/`, `signed/`), its digest in the ledger, and is
//! checked when a re-run skips the step that made it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{build, publish, repo, Context};
use crate::ci::Ci;
use crate::engine::execute::{outputs, Act};
use crate::engine::ledger::{Ledger, Record};
use crate::engine::plan::{Step, StepKind};
use crate::error::{Error, Result};
use crate::model::rpm::{Layout, SourceKind};
use crate::verify::archive::Kind;
use crate::verify::checksum::{hash_file, Algorithm};
use crate::verify::{openpgp, pipeline};

/// The steps of a build, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RpmStep {
    /// Download the tarball, checksum and signature from dist and verify them against KEYS.
    FetchAndVerify,
    /// Make the tarball with the project's `make dist` (snapshots).
    MakeDist,
    Rpmbuild,
    /// Read every package's header and verify its digests.
    Inspect,
    SignPackages,
    /// Add the packages to the yum repository and regenerate (and sign) its metadata.
    Repository,
    Publish,
}

impl StepKind for RpmStep {
    fn id(self) -> &'static str {
        match self {
            RpmStep::FetchAndVerify => "fetch-and-verify",
            RpmStep::MakeDist => "make-dist",
            RpmStep::Rpmbuild => "rpmbuild",
            RpmStep::Inspect => "inspect",
            RpmStep::SignPackages => "sign-packages",
            RpmStep::Repository => "repository",
            RpmStep::Publish => "publish",
        }
    }

    fn changed_advice() -> &'static str {
        "If the change is intended, build it as a new package release (raise --release; for a snapshot, commit the change): published packages are never replaced. To build this release again from the start instead, remove the ledger named above."
    }
}

impl RpmStep {
    /// The step that makes the source tarball for `source`.
    pub fn source(source: SourceKind) -> RpmStep {
        match source {
            SourceKind::Dist => RpmStep::FetchAndVerify,
            SourceKind::MakeDist => RpmStep::MakeDist,
        }
    }
}

/// `fetch-and-verify` / `make-dist`: the source tarball, kept in the work dir.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// Relative to the work dir.
    pub path: String,
    pub sha512: String,
    /// For a tarball from dist: what its checksum and signature proved.
    pub verified: Option<Verified>,
}

/// The checksum and signature of a tarball from dist, verified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verified {
    /// The checksum file's algorithm, e.g. `SHA-512`.
    pub algorithm: String,
    pub digest: String,
    pub signer: String,
    pub signer_fingerprint: String,
}

/// A package file in the work dir.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageFile {
    pub file: String,
    /// Relative to the work dir.
    pub path: String,
    pub sha256: String,
}

/// `rpmbuild`: what it built, under `<work_dir>/rpmbuild`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Built {
    pub packages: Vec<PackageFile>,
    /// The build's log, relative to the work dir.
    pub log: String,
}

/// `inspect`: every package as its header says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inspected {
    pub packages: Vec<build::Package>,
}

/// `sign-packages`: signed copies of the built packages, under `<work_dir>/signed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signed {
    pub key: String,
    pub packages: Vec<PackageFile>,
}

/// `repository`: where the packages went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placed {
    pub added: Vec<String>,
    /// Files that were already in the repository (kept, never replaced).
    pub already_present: Vec<String>,
    /// Those of them whose bytes differ from this build's (another build of the same
    /// name-version-release was published before).
    pub differing: Vec<String>,
    /// The repository directories whose metadata was regenerated, relative to the repository.
    pub directories: Vec<String>,
}

/// A package as the repository gets it: its header and the file (signed when signing).
#[derive(Debug, Clone, PartialEq)]
pub struct Final {
    pub package: build::Package,
    /// Relative to the repository root.
    pub dir: String,
}

/// The packages the repository gets, with the final (signed) digests and paths, from the
/// ledger's `inspect` and `rpmbuild` or `sign-packages` records.
pub(crate) fn final_packages(ctx: &Context, ledger: &Ledger) -> Result<Vec<Final>> {
    let inspected: Inspected = ledger.require(RpmStep::Inspect)?;
    let files = if ctx.sign_key.is_some() {
        ledger.require::<_, Signed>(RpmStep::SignPackages)?.packages
    } else {
        ledger.require::<_, Built>(RpmStep::Rpmbuild)?.packages
    };
    let cfg = &ctx.project.config;
    let layout = layout(ctx);
    inspected
        .packages
        .into_iter()
        .map(|mut package| {
            let file = files.iter().find(|f| f.file == package.file).ok_or_else(|| {
                Error::Problem(format!(
                    "the ledger {} records no file for package {}; remove it to build again from the start",
                    ctx.ledger.display(),
                    package.file
                ))
            })?;
            package.sha256 = file.sha256.clone();
            package.path = ctx.work_dir.join(&file.path);
            let dir = layout.dir(
                &cfg.rpm.distro,
                ctx.target.channel,
                crate::model::rpm::arch_dir(&package.arch, package.source),
            );
            Ok(Final { package, dir })
        })
        .collect()
}

/// The configured repository layout.
fn layout(ctx: &Context) -> Layout {
    let cfg = &ctx.project.config;
    Layout {
        stable: cfg.rpm.layout_stable.clone(),
        testing: cfg.rpm.layout_testing.clone(),
        unstable: cfg.rpm.layout_unstable.clone(),
    }
}

/// Carries out build-rpms's steps.
#[derive(Debug)]
pub struct Builder<'a> {
    pub ctx: &'a Context,
    pub env: &'a [(String, String)],
    pub ci: &'a Ci,
    pub signer: Option<repo::Signer>,
    /// The steps still to do when this run started: what a skipped step's files are kept for.
    pub to_do: Vec<RpmStep>,
}

fn relative(ctx: &Context, path: &Path) -> String {
    path.strip_prefix(&ctx.work_dir)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn sha256(path: &Path) -> Result<String> {
    hash_file(Algorithm::Sha256, path).map_err(|e| Error::io("read", path, e))
}

/// An empty directory at `dir` (what a crashed run left there is discarded: it was not recorded).
fn fresh_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| Error::io("remove", dir, e))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))
}

impl Builder<'_> {
    fn needed_by(&self, later: &[RpmStep]) -> Option<RpmStep> {
        later.iter().copied().find(|k| self.to_do.contains(k))
    }

    /// A file a finished step left in the work dir, checked against its recorded digest.
    fn check_kept(
        &self,
        step: RpmStep,
        next: RpmStep,
        path: &Path,
        algorithm: Algorithm,
        want: &str,
    ) -> Result<()> {
        let ctx = self.ctx;
        let fix = format!(
            "step `{}` still needs it: put the work dir {} back as the earlier run left it, or remove the ledger {} to build {} again from the start",
            next.id(),
            ctx.work_dir.display(),
            ctx.ledger.display(),
            ctx.subject()
        );
        match hash_file(algorithm, path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::Problem(format!(
                "{}, made by the finished step `{}`, is missing; {fix}",
                path.display(),
                step.id()
            ))),
            Err(e) => Err(Error::io("read", path, e)),
            Ok(have) if have != want => Err(Error::Problem(format!(
                "{} has changed since the finished step `{}` made it ({} {have}, recorded {want}); {fix}",
                path.display(),
                step.id(),
                algorithm.name()
            ))),
            Ok(_) => Ok(()),
        }
    }

    fn fetch_and_verify(&self) -> Result<Source> {
        let ctx = self.ctx;
        let src_dir = ctx.work_dir.join("source");
        let download = src_dir.join("download");
        fresh_dir(&download)?;
        let url = ctx.tarball_url.clone().unwrap_or_default();
        let fetched = super::fetch(&url, "tarball", &download)?;
        let sha = super::fetch(&format!("{url}.sha512"), "checksum", &download)?;
        let asc = super::fetch(&format!("{url}.asc"), "signature", &download)?;
        let keys = super::fetch(
            ctx.keys.as_deref().unwrap_or_default(),
            "KEYS file",
            &download,
        )?;
        let keys_name = keys.display().to_string();
        let keyring = openpgp::parse_keys(
            &std::fs::read_to_string(&keys).map_err(|e| Error::io("read KEYS file", &keys, e))?,
            &keys_name,
        )?;
        // The copy in the work dir is what is verified and what rpmbuild gets.
        let tarball = src_dir.join(&ctx.tarball);
        repo::copy_atomic(&fetched, &tarball)?;
        // The same safety checks as a voter's verification, before rpmbuild unpacks it.
        // An archive of a kind the checks cannot read is refused, never built unchecked.
        let kind = Kind::from_name(&ctx.tarball).ok_or_else(|| {
            Error::Usage(format!(
                "{} is not an archive release-kit can check (.tar.gz, .tar.bz2, .tar.xz, .tar or .zip); refusing to build it unchecked: set project.tarball to the tarball's real name",
                ctx.tarball
            ))
        })?;
        let safety = Some((kind, pipeline::limits(&ctx.project.config)));
        let files = pipeline::Files {
            artifact: &tarball,
            checksum: &sha,
            signature: &asc,
        };
        let ev = pipeline::require_trusted(
            files,
            &keyring,
            &keys_name,
            pipeline::now(),
            safety,
            "refusing to build",
        )?;
        tracing::info!(
            "verified {}: {} {}…, signed by {} ({})",
            ctx.tarball,
            ev.algorithm,
            &ev.digest[..16.min(ev.digest.len())],
            ev.signer,
            ev.signer_fingerprint
        );
        let _ = std::fs::remove_dir_all(&download);
        Ok(Source {
            path: relative(ctx, &tarball),
            sha512: ev.sha512.clone(),
            verified: Some(Verified {
                algorithm: ev.algorithm.to_string(),
                digest: ev.digest,
                signer: ev.signer,
                signer_fingerprint: ev.signer_fingerprint,
            }),
        })
    }

    fn make_dist(&self) -> Result<Source> {
        let ctx = self.ctx;
        let src_dir = ctx.work_dir.join("source");
        std::fs::create_dir_all(&src_dir).map_err(|e| Error::io("create", &src_dir, e))?;
        let rev = ctx.commit.clone().unwrap_or_else(|| "HEAD".into());
        let tarball = super::make_dist(
            &ctx.project,
            &rev,
            &ctx.tarball,
            &src_dir,
            &ctx.work_dir.join("make-dist.log"),
        )?;
        // What the build made goes through the same safety checks before rpmbuild unpacks it.
        crate::verify::safe_archive::require_safe(
            &tarball,
            pipeline::limits(&ctx.project.config),
            "refusing to build",
        )?;
        Ok(Source {
            path: relative(ctx, &tarball),
            sha512: hash_file(Algorithm::Sha512, &tarball)
                .map_err(|e| Error::io("read", &tarball, e))?,
            verified: None,
        })
    }

    fn rpmbuild(&self, ledger: &Ledger) -> Result<Built> {
        let ctx = self.ctx;
        let source: Source = ledger.require(RpmStep::source(ctx.source))?;
        let topdir = ctx.work_dir.join("rpmbuild");
        // A fresh topdir: packages an unrecorded earlier attempt left are not this build's.
        fresh_dir(&topdir)?;
        let log = ctx.work_dir.join("rpmbuild.log");
        let spec = build::BuildSpec {
            spec: ctx.spec.clone(),
            tarball: ctx.work_dir.join(&source.path),
            extra_sources: ctx.extra_sources.clone(),
            defines: ctx.defines.clone(),
            nodeps: ctx.project.config.rpm.nodeps,
            timeout: std::time::Duration::from_secs(ctx.project.config.rpm.timeout_secs),
        };
        // Packages the repository already holds are not built again (raise --release to
        // build a new release of the same version).
        let cfg = &ctx.project.config;
        let present = super::existing::expected(&spec, &topdir).and_then(|expected| {
            let layout = layout(ctx);
            super::existing::all_present(&ctx.repository, &expected, |e| {
                layout.dir(
                    &cfg.rpm.distro,
                    ctx.target.channel,
                    crate::model::rpm::arch_dir(&e.arch, e.source),
                )
            })
        });
        let built = match present {
            Some(files) => {
                tracing::info!(
                    "all {} package(s) of {} are already in {}; not rebuilding them (raise --release to build a new release)",
                    files.len(),
                    ctx.subject(),
                    ctx.repository.display()
                );
                files
            }
            None => build::rpmbuild(&spec, &topdir, &log)?,
        };
        let packages = built
            .iter()
            .map(|p| {
                Ok(PackageFile {
                    file: p
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned(),
                    path: relative(ctx, p),
                    sha256: sha256(p)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Built {
            packages,
            log: relative(ctx, &log),
        })
    }

    fn inspect(&self, ledger: &Ledger) -> Result<Inspected> {
        let ctx = self.ctx;
        let built: Built = ledger.require(RpmStep::Rpmbuild)?;
        let packages = built
            .packages
            .iter()
            .map(|f| build::inspect(&ctx.work_dir.join(&f.path)))
            .collect::<Result<Vec<_>>>()?;
        for p in &packages {
            if p.version != ctx.target.version.to_string() {
                return Err(Error::Problem(format!(
                    "{} has version {} but the build was for {}; check the spec's Version: line uses %{{{}}}",
                    p.file, p.version, ctx.target.version, ctx.defines[0].0
                )));
            }
        }
        Ok(Inspected { packages })
    }

    fn sign_packages(&self, ledger: &Ledger) -> Result<Signed> {
        let ctx = self.ctx;
        let signer = self.signer.as_ref().ok_or_else(|| {
            Error::Usage("sign-packages is planned without a signing key (rpm.sign_key)".into())
        })?;
        let built: Built = ledger.require(RpmStep::Rpmbuild)?;
        // Signed copies: the built packages keep the digests the rpmbuild step recorded.
        let dir = ctx.work_dir.join("signed");
        fresh_dir(&dir)?;
        let mut paths = Vec::new();
        for f in &built.packages {
            let dest = dir.join(&f.file);
            repo::copy_atomic(&ctx.work_dir.join(&f.path), &dest)?;
            paths.push(dest);
        }
        let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
        signer.sign_rpms(&refs)?;
        signer.verify_rpms(&refs)?;
        let packages = paths
            .iter()
            .map(|p| {
                let inspected = build::inspect(p)?;
                Ok(PackageFile {
                    file: inspected.file,
                    path: relative(ctx, p),
                    sha256: inspected.sha256,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Signed {
            key: signer.key.clone(),
            packages,
        })
    }

    fn repository(&self, ledger: &Ledger) -> Result<Placed> {
        let ctx = self.ctx;
        let root = &ctx.repository;
        let mut placed = Placed {
            added: Vec::new(),
            already_present: Vec::new(),
            differing: Vec::new(),
            directories: Vec::new(),
        };
        for f in final_packages(ctx, ledger)? {
            let dir = root.join(&f.dir);
            let dest = dir.join(&f.package.file);
            if dest.exists() {
                if sha256(&dest)? != f.package.sha256 {
                    placed.differing.push(f.package.file.clone());
                    tracing::warn!(
                        "{} is already in {}; keeping the published file (raise --release to rebuild)",
                        f.package.file,
                        dir.display()
                    );
                }
                placed.already_present.push(f.package.file.clone());
            } else {
                repo::copy_atomic(&f.package.path, &dest)?;
                placed.added.push(f.package.file.clone());
            }
            if !placed.directories.contains(&f.dir) {
                placed.directories.push(f.dir);
            }
        }
        for d in &placed.directories {
            repo::update_metadata(&root.join(d), self.signer.as_ref())?;
        }
        Ok(placed)
    }

    fn publish(&self) -> Result<publish::Published> {
        let ctx = self.ctx;
        let root = &ctx.repository;
        let target = ctx.publish.as_deref().unwrap_or_default();
        if let Some(url) = publish::svn_url(target) {
            publish::to_svn(root, &url, self.env)
        } else if target.starts_with("http://") || target.starts_with("https://") {
            let client = publish::client(target, self.env)?;
            crate::outside::http::block_on(publish::to_http(root, &client))
        } else {
            publish::to_directory(
                root,
                Path::new(target.strip_prefix("file://").unwrap_or(target)),
            )
        }
    }
}

impl Act<RpmStep> for Builder<'_> {
    fn run(&mut self, step: &Step<RpmStep>, ledger: &Ledger) -> Result<Value> {
        match step.kind {
            RpmStep::FetchAndVerify | RpmStep::MakeDist => {
                self.ci.group_start("source");
                let source = if step.kind == RpmStep::MakeDist {
                    self.make_dist()
                } else {
                    self.fetch_and_verify()
                };
                self.ci.group_end();
                outputs(&source?)
            }
            RpmStep::Rpmbuild => {
                self.ci.group_start("rpmbuild");
                let built = self.rpmbuild(ledger);
                self.ci.group_end();
                outputs(&built?)
            }
            RpmStep::Inspect => outputs(&self.inspect(ledger)?),
            RpmStep::SignPackages => outputs(&self.sign_packages(ledger)?),
            RpmStep::Repository => outputs(&self.repository(ledger)?),
            RpmStep::Publish => outputs(&self.publish()?),
        }
    }

    /// Checks that what a finished step left in the work dir is still there, unchanged, when a
    /// step still to do needs it; and that the packages a finished `repository` step placed are
    /// still in the repository.
    fn restore(&mut self, step: &Step<RpmStep>, record: &Record, _later_work: bool) -> Result<()> {
        let ctx = self.ctx;
        let mut one = Ledger::default();
        one.steps.push(record.clone());
        match step.kind {
            RpmStep::FetchAndVerify | RpmStep::MakeDist => {
                if let Some(next) = self.needed_by(&[RpmStep::Rpmbuild]) {
                    let s: Source = one.require(step.kind)?;
                    let path = ctx.work_dir.join(&s.path);
                    self.check_kept(step.kind, next, &path, Algorithm::Sha512, &s.sha512)?;
                }
            }
            RpmStep::Rpmbuild => {
                let mut later = vec![RpmStep::Inspect, RpmStep::SignPackages];
                if ctx.sign_key.is_none() {
                    later.push(RpmStep::Repository);
                }
                if let Some(next) = self.needed_by(&later) {
                    let built: Built = one.require(step.kind)?;
                    for f in &built.packages {
                        let path = ctx.work_dir.join(&f.path);
                        self.check_kept(step.kind, next, &path, Algorithm::Sha256, &f.sha256)?;
                    }
                }
            }
            RpmStep::SignPackages => {
                if let Some(next) = self.needed_by(&[RpmStep::Repository]) {
                    let signed: Signed = one.require(step.kind)?;
                    for f in &signed.packages {
                        let path = ctx.work_dir.join(&f.path);
                        self.check_kept(step.kind, next, &path, Algorithm::Sha256, &f.sha256)?;
                    }
                }
            }
            RpmStep::Repository => {
                let placed: Placed = one.require(step.kind)?;
                for file in placed.added.iter().chain(&placed.already_present) {
                    let found = placed
                        .directories
                        .iter()
                        .any(|d| ctx.repository.join(d).join(file).is_file());
                    if !found {
                        return Err(Error::Problem(format!(
                            "{file} is no longer in the repository {}, though the finished step `repository` put it there; to put it back, remove the ledger {} and build {} again (published files are never replaced)",
                            ctx.repository.display(),
                            ctx.ledger.display(),
                            ctx.subject()
                        )));
                    }
                }
            }
            RpmStep::Inspect | RpmStep::Publish => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_ids_are_the_ledger_keys_of_earlier_releases() {
        let ids: Vec<_> = [
            RpmStep::FetchAndVerify,
            RpmStep::MakeDist,
            RpmStep::Rpmbuild,
            RpmStep::Inspect,
            RpmStep::SignPackages,
            RpmStep::Repository,
            RpmStep::Publish,
        ]
        .map(RpmStep::id)
        .to_vec();
        assert_eq!(
            ids,
            [
                "fetch-and-verify",
                "make-dist",
                "rpmbuild",
                "inspect",
                "sign-packages",
                "repository",
                "publish"
            ]
        );
        assert_eq!(RpmStep::source(SourceKind::Dist), RpmStep::FetchAndVerify);
        assert!(RpmStep::changed_advice().contains("raise --release"));
    }

    #[test]
    fn a_recorded_package_without_its_file_name_fields_is_an_error_naming_the_step() {
        let mut ledger = Ledger::default();
        ledger.steps.push(Record {
            id: "rpmbuild".into(),
            digest: String::new(),
            inputs: serde_json::json!({}),
            outputs: serde_json::json!({"packages": [{"file": "a.rpm"}], "log": "rpmbuild.log"}),
        });
        let e = ledger.require::<_, Built>(RpmStep::Rpmbuild).unwrap_err();
        assert!(e.to_string().contains("step `rpmbuild`"), "{e}");
    }
}
