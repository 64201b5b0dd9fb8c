//! build-rpms: a verified source tarball becomes RPMs in a signed yum repository — the
//! replacement for Mesos's CentOS packaging job (`build_rpm.sh` + `bintray.sh`).
//!
//! The build is planned first ([`plan`]): a [`Plan`] of [`RpmStep`]s (`fetch-and-verify` or
//! `make-dist`, `rpmbuild`, `inspect`, `sign-packages`, `repository`, `publish`), each with the
//! inputs that determine what it produces, and a [`Context`] with the build's target, spec and
//! defines; `--dry-run` prints the plan with each step's state and stops. Executing
//! ([`steps::Builder`] on the shared engine) verifies the source before anything is built, builds
//! with the real `rpmbuild` in `<work_dir>/rpmbuild`, checks every package's header and digests,
//! signs copies, adds the packages to the repository (never replacing a published file),
//! regenerates and signs the metadata and swaps it in last, and publishes packages before
//! metadata. Every finished step is recorded in the build's ledger,
//! `<work_dir>/ledger-<name>-<version>-<release>-<channel>.json`, so a re-run after a crash
//! skips what is done (checking the files it left against their recorded digests), refuses to
//! redo a step whose inputs changed, and completes the repository without duplicating anything.

pub mod build;
mod existing;
pub mod publish;
pub mod repo;
pub mod steps;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::ci::Ci;
use crate::cli::{self, CommonArgs};
use crate::engine::execute;
use crate::engine::ledger::{FileStore, Ledger, LedgerStore};
use crate::engine::plan::{Plan, Step, StepKind};
use crate::error::{Error, ExitCode, Result};
use crate::model::rpm::{Snapshot, SourceKind, Target};
use crate::outside::git::Worktree;
use crate::outside::process::Cmd;
use crate::project::Project;
use crate::report::{Check, Finding, Location, Report};
use crate::verify::checksum::{hash_file, Algorithm};
use crate::verify::location;

pub use steps::RpmStep;

/// What `build-rpms` was asked to do.
#[derive(Debug, Clone)]
pub struct RpmRequest {
    pub tag: Option<String>,
    pub spec: Option<PathBuf>,
    pub release: String,
    pub source: Option<SourceKind>,
    /// Where to download the tarball from (a directory path or URL); defaults to dist dev/release.
    pub dist_url: Option<String>,
    /// The KEYS file (path or URL); defaults to `signing.keys`.
    pub keys: Option<String>,
    pub repo_dir: PathBuf,
    pub publish: Option<String>,
    /// Where the ledger, the logs, the tarball and the built packages are kept.
    pub work_dir: PathBuf,
    pub dry_run: bool,
}

/// Everything the steps need, computed while planning: what is built, from what, and where it
/// goes.
#[derive(Debug)]
pub struct Context {
    pub project: Project,
    pub target: Target,
    pub source: SourceKind,
    /// The commit `make dist` runs on (make-dist builds).
    pub commit: Option<String>,
    pub spec: PathBuf,
    /// The files next to the spec, copied into SOURCES.
    pub extra_sources: Vec<PathBuf>,
    pub tarball: String,
    /// The download location (dist builds).
    pub tarball_url: Option<String>,
    pub keys: Option<String>,
    pub defines: Vec<(String, String)>,
    pub repository: PathBuf,
    pub sign_key: Option<String>,
    pub publish: Option<String>,
    pub work_dir: PathBuf,
    /// The build's ledger: `<work_dir>/ledger-<name>-<version>-<release>-<channel>.json`.
    pub ledger: PathBuf,
}

impl Context {
    /// What is built, e.g. `hello 1.1.0-1 (testing channel)`.
    pub fn subject(&self) -> String {
        format!(
            "{} {}-{} ({} channel)",
            self.project.config.project.name,
            self.target.version,
            self.target.release,
            self.target.channel.name()
        )
    }
}

fn join_url(base: &str, rel: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), rel)
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

fn file_sha256(path: &Path) -> Result<String> {
    hash_file(Algorithm::Sha256, path).map_err(|e| Error::io("read", path, e))
}

/// Computes the plan from the request and the project, writing nothing.
pub fn plan(project: Project, req: &RpmRequest) -> Result<(Plan<RpmStep>, Context)> {
    let cfg = &project.config;
    let snapshot;
    let target = match &req.tag {
        Some(tag) => {
            let parsed = project.scheme.parse(tag)?;
            crate::model::rpm::resolve(Some((tag, parsed)), None, &req.release)
        }
        None => {
            snapshot = snapshot_of_head(&project)?;
            crate::model::rpm::resolve(None, Some(&snapshot), &req.release)
        }
    }
    .map_err(|e| Error::Usage(e.to_string()))?;
    let source = req.source.unwrap_or(if target.tag.is_some() {
        SourceKind::Dist
    } else {
        SourceKind::MakeDist
    });
    if source == SourceKind::Dist && target.tag.is_none() {
        return Err(Error::Usage(
            "a snapshot build (no --tag) has no tarball in dist: use --source make-dist, or pass --tag".into(),
        ));
    }
    let spec = req
        .spec
        .clone()
        .unwrap_or_else(|| PathBuf::from(cfg.expand(&cfg.rpm.spec)));
    let spec = if spec.is_absolute() {
        spec
    } else {
        project.root.join(spec)
    };
    if !spec.is_file() {
        return Err(Error::Usage(format!(
            "RPM spec {} does not exist; pass --spec PATH or set rpm.spec in release.toml",
            spec.display()
        )));
    }
    let extra_sources = build::extra_sources(&spec)?;
    let tarball = cfg.tarball_name(target.version);
    let (tarball_url, keys) = if source == SourceKind::Dist {
        let tag = target.tag.clone().unwrap_or_default();
        let base = match &req.dist_url {
            Some(u) => u.clone(),
            None if target.channel == crate::model::rpm::Channel::Testing => {
                join_url(&cfg.expand(&cfg.dist.dev), &tag)
            }
            None => join_url(&cfg.expand(&cfg.dist.release), &target.version.to_string()),
        };
        let keys = req
            .keys
            .clone()
            .unwrap_or_else(|| cfg.expand(&cfg.signing.keys));
        (Some(join_url(&base, &tarball)), Some(keys))
    } else {
        (None, None)
    };
    let commit = match source {
        SourceKind::Dist => None,
        SourceKind::MakeDist => {
            let rev = target.tag.as_deref().unwrap_or("HEAD");
            Some(project.git()?.resolve(rev)?.ok_or_else(|| {
                Error::Usage(format!(
                    "{rev} names no commit in {}",
                    project.root.display()
                ))
            })?)
        }
    };
    let defines = {
        let mut d = vec![
            (
                cfg.expand(&cfg.rpm.version_define),
                target.version.to_string(),
            ),
            (cfg.expand(&cfg.rpm.release_define), target.release.clone()),
        ];
        if !cfg.rpm.dist_tag.is_empty() {
            d.push(("dist".into(), cfg.rpm.dist_tag.clone()));
        }
        d
    };
    let sign_key = Some(cfg.rpm.sign_key.clone()).filter(|k| !k.is_empty());
    let repository = absolute(&req.repo_dir);
    let work_dir = absolute(&req.work_dir);
    let ledger = work_dir.join(format!(
        "ledger-{}-{}-{}-{}.json",
        cfg.project.name,
        target.version,
        target.release,
        target.channel.name()
    ));

    let mut steps = vec![match source {
        SourceKind::Dist => Step::new(
            RpmStep::FetchAndVerify,
            format!(
                "download {} with .sha512 and .asc; verify the SHA-512 and the signature against {}",
                tarball_url.as_deref().unwrap_or_default(),
                keys.as_deref().unwrap_or_default()
            ),
            json!({
                "tarball": tarball_url,
                "checksum": tarball_url.as_ref().map(|u| format!("{u}.sha512")),
                "signature": tarball_url.as_ref().map(|u| format!("{u}.asc")),
                "keys": keys,
            }),
        ),
        SourceKind::MakeDist => Step::new(
            RpmStep::MakeDist,
            format!(
                "run make dist on {} in a temporary worktree",
                target.tag.as_deref().unwrap_or("HEAD")
            ),
            json!({
                "revision": target.tag.as_deref().unwrap_or("HEAD"),
                "commit": commit,
                "command": cfg.dist.make_dist,
                "file": tarball,
            }),
        ),
    }];
    let sources: serde_json::Map<String, Value> = extra_sources
        .iter()
        .map(|p| {
            Ok((
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                Value::from(file_sha256(p)?),
            ))
        })
        .collect::<Result<_>>()?;
    steps.push(Step::new(
        RpmStep::Rpmbuild,
        format!(
            "rpmbuild -ba {} with {}",
            spec.display(),
            defines
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        json!({
            "spec": spec.display().to_string(),
            "spec_sha256": file_sha256(&spec)?,
            "sources": sources,
            "tarball": tarball,
            "defines": defines
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.clone())))
                .collect::<serde_json::Map<_, _>>(),
        }),
    ));
    steps.push(Step::new(
        RpmStep::Inspect,
        "read every RPM header and verify its digests",
        json!({"version": target.version.to_string(), "release": target.release}),
    ));
    if let Some(k) = &sign_key {
        steps.push(Step::new(
            RpmStep::SignPackages,
            format!("rpmsign --addsign with key {k}"),
            json!({"key": k}),
        ));
    }
    let layout = match target.channel {
        crate::model::rpm::Channel::Stable => &cfg.rpm.layout_stable,
        crate::model::rpm::Channel::Testing => &cfg.rpm.layout_testing,
        crate::model::rpm::Channel::Unstable => &cfg.rpm.layout_unstable,
    };
    steps.push(Step::new(
        RpmStep::Repository,
        format!(
            "add the packages to {} ({} channel) and regenerate the metadata{}",
            req.repo_dir.display(),
            target.channel.name(),
            if sign_key.is_some() {
                ", signing repomd.xml"
            } else {
                ""
            }
        ),
        json!({
            "repo_dir": repository.display().to_string(),
            "channel": target.channel.name(),
            "distro": cfg.rpm.distro,
            "layout": layout,
            "sign_key": sign_key,
        }),
    ));
    if let Some(p) = &req.publish {
        steps.push(Step::new(
            RpmStep::Publish,
            format!("publish packages, then metadata, to {p}"),
            json!({"target": p, "from": repository.display().to_string()}),
        ));
    }
    let ctx = Context {
        target,
        source,
        commit,
        spec,
        extra_sources,
        tarball,
        tarball_url,
        keys,
        defines,
        repository,
        sign_key,
        publish: req.publish.clone(),
        work_dir,
        ledger,
        project,
    };
    let plan = Plan {
        tool: "build-rpms".into(),
        subject: ctx.subject(),
        steps,
    };
    Ok((plan, ctx))
}

fn snapshot_of_head(project: &Project) -> Result<Snapshot> {
    let git = project.git()?;
    let sites = project.read_sites()?;
    let values: Vec<_> = sites.into_iter().map(|(_, _, v)| v).collect();
    let version = crate::model::version_sites::agreement(&values).map_err(|d| {
        Error::Problem(format!(
            "the version sites disagree ({}); a snapshot needs one version: fix them with `bump-version set X.Y.Z`",
            d.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        ))
    })?;
    let date = Cmd::new("git", "read the commit date of HEAD")
        .args(["log", "-1", "--format=%cd", "--date=format-local:%Y%m%d"])
        .env("TZ", "UTC")
        .current_dir(git.root())
        .run()?
        .stdout_str()
        .trim()
        .to_string();
    let head = git.head()?;
    Ok(Snapshot {
        version,
        date,
        short_sha: head[..7.min(head.len())].to_string(),
    })
}

/// A local file for `location` (a path, a file in a local or remote svn dist area, an http(s)
/// URL), through the one location fetcher. A file that is not there is a found problem: there
/// is no such candidate in dist.
fn fetch(location: &str, what: &str, tmp: &Path) -> Result<PathBuf> {
    let loc = location::Location::parse(location);
    loc.fetch_if_there(what, tmp)?.ok_or_else(|| {
        Error::Problem(format!(
            "the {what} {} does not exist: there is no such candidate in dist (was it staged with stage-rc?)",
            loc.display()
        ))
    })
}

/// Runs the project's `dist.make_dist` command (as stage-rc does) in a temporary worktree of
/// `rev`, with its output in `log`, and returns the tarball's path in `out`.
fn make_dist(
    project: &Project,
    rev: &str,
    tarball: &str,
    out: &Path,
    log: &Path,
) -> Result<PathBuf> {
    let git = project.git()?;
    let checkout = Worktree::temporary(&git, rev, "src")?;
    let command = &project.config.dist.make_dist;
    let _ = std::fs::remove_file(log);
    Cmd::new("sh", "make the source tarball with the project's build (dist.make_dist)")
        .args(["-c", command])
        .current_dir(checkout.path())
        .stream(log, false)
        .map_err(|e| match e {
            crate::outside::process::CmdError::Failed { stderr, .. } => Error::Problem(format!(
                "`{command}` (dist.make_dist) failed in a clean checkout of {rev}:\n  {}\nthe full log is {}",
                stderr.lines().rev().take(10).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n  "),
                log.display()
            )),
            other => other.into(),
        })?;
    let made = checkout.path().join(tarball);
    if !made.is_file() {
        return Err(Error::Problem(format!(
            "`{command}` (dist.make_dist) did not produce {tarball}; fix dist.make_dist or project.tarball in release.toml"
        )));
    }
    let dest = out.join(tarball);
    std::fs::copy(&made, &dest).map_err(|e| Error::io("copy", &made, e))?;
    Ok(dest)
}

/// What a build produced, read back from its ledger: the report's and the CI outputs' source.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub evidence: Option<steps::Verified>,
    /// Every package as its header says, with the digest of the file the repository got.
    pub packages: Vec<build::Package>,
    pub added: Vec<String>,
    pub already_present: Vec<String>,
    /// Published files of the same name that differ from this build's (kept).
    pub differing: Vec<String>,
    pub repositories: Vec<PathBuf>,
    pub published: Option<publish::Published>,
    pub build_log: PathBuf,
    /// The steps this run did and skipped.
    pub steps: execute::Outcome,
}

impl Outcome {
    /// The outcome of a finished build from its ledger; what a step skipped in this run did
    /// was done before (so nothing was added or uploaded now).
    pub(crate) fn from_ledger(
        ctx: &Context,
        ledger: &Ledger,
        steps: execute::Outcome,
    ) -> Result<Outcome> {
        let source: steps::Source = ledger.require(RpmStep::source(ctx.source))?;
        let built: steps::Built = ledger.require(RpmStep::Rpmbuild)?;
        let packages: Vec<build::Package> = steps::final_packages(ctx, ledger)?
            .into_iter()
            .map(|f| f.package)
            .collect();
        let skipped = |k: RpmStep| steps.skipped.iter().any(|s| s == k.id());
        let mut placed: steps::Placed = ledger.require(RpmStep::Repository)?;
        if skipped(RpmStep::Repository) {
            placed.already_present = placed
                .added
                .drain(..)
                .chain(placed.already_present)
                .collect();
        }
        let published = match &ctx.publish {
            None => None,
            Some(_) => {
                let mut p: publish::Published = ledger.require(RpmStep::Publish)?;
                if skipped(RpmStep::Publish) {
                    p.unchanged = p.uploaded.drain(..).chain(p.unchanged).collect();
                }
                Some(p)
            }
        };
        Ok(Outcome {
            evidence: source.verified,
            packages,
            added: placed.added,
            already_present: placed.already_present,
            differing: placed.differing,
            repositories: placed
                .directories
                .iter()
                .map(|d| ctx.repository.join(d))
                .collect(),
            published,
            build_log: ctx.work_dir.join(built.log),
            steps,
        })
    }
}

fn probe_writable(dir: &Path) -> Result<()> {
    let probe = dir.join(".release-kit-write-probe");
    std::fs::write(&probe, b"").map_err(|e| {
        Error::Usage(format!(
            "repository directory {} is not writable ({e}); pass a writable --repo-dir",
            dir.display()
        ))
    })?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// Checks, before anything is built, what the steps still to do need: a signing key that can
/// sign and a writable repository directory.
fn preflight(ctx: &Context, to_do: &[RpmStep], signer: Option<&repo::Signer>) -> Result<()> {
    if let Some(s) = signer {
        if to_do.contains(&RpmStep::SignPackages) || to_do.contains(&RpmStep::Repository) {
            s.preflight()?;
        }
    }
    if to_do.contains(&RpmStep::Repository) {
        let root = &ctx.repository;
        std::fs::create_dir_all(root).map_err(|e| {
            Error::Usage(format!(
                "repository directory {} cannot be created ({e}); pass a writable --repo-dir",
                root.display()
            ))
        })?;
        probe_writable(root)?;
    }
    Ok(())
}

/// The report of a finished build: one check per step and one per package.
pub fn report(ctx: &Context, out: &Outcome) -> Report {
    let mut r = Report::new("build-rpms", ctx.subject());
    let mut src = Check::new(
        "source-verified",
        "the source tarball is what was signed and checksummed",
    );
    match &out.evidence {
        Some(ev) => {
            src.push(Finding::notice(
                format!("{} {}", ev.algorithm, ev.digest),
                None,
            ));
            src.push(Finding::notice(
                format!("signed by {} ({})", ev.signer, ev.signer_fingerprint),
                None,
            ));
            src.summary = format!(
                "checksum and signature verified (signer {})",
                ev.signer_fingerprint
            );
        }
        None => {
            src = src.with_summary(format!(
                "made by `make dist` from {}",
                ctx.target.tag.as_deref().unwrap_or("HEAD")
            ))
        }
    }
    r.push(src);
    r.push(
        Check::new("rpmbuild", "rpmbuild -ba succeeded").with_summary(format!(
            "{} package(s); log {}",
            out.packages.len(),
            out.build_log.display()
        )),
    );
    for p in &out.packages {
        let mut c = Check::new(
            format!("package:{}", p.file),
            "the package header and digests verify",
        );
        c.push(Finding::notice(
            format!("sha256 {}", p.sha256),
            Some(Location::new(p.file.clone(), None)),
        ));
        r.push(c.with_summary(format!(
            "{} {}-{} {}{}, digests OK",
            p.name,
            p.version,
            p.release,
            p.arch,
            if p.source { " (source)" } else { "" }
        )));
    }
    let mut repo_check = Check::new(
        "repository",
        "packages and signed metadata in the yum repository",
    );
    for f in &out.differing {
        repo_check.push(Finding::warning(
            format!("{f} was already published; the existing file was kept"),
            None,
        ));
    }
    repo_check.summary = format!(
        "{} added, {} already present, metadata in {}{}",
        out.added.len(),
        out.already_present.len(),
        out.repositories
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        if ctx.sign_key.is_some() {
            " (repomd.xml signed)"
        } else {
            " (unsigned)"
        }
    );
    r.push(repo_check);
    if let Some(p) = &out.published {
        r.push(
            Check::new("publish", "packages, then metadata, published").with_summary(format!(
                "{} uploaded, {} unchanged",
                p.uploaded.len(),
                p.unchanged.len()
            )),
        );
    }
    r.push(
        Check::new(
            "ledger",
            "every finished step is recorded in the build's ledger",
        )
        .with_summary(format!(
            "{} step(s) done, {} already done; ledger {}",
            out.steps.done.len(),
            out.steps.skipped.len(),
            ctx.ledger.display()
        )),
    );
    r
}

/// `build-rpms` end to end: the library side of the binary. Plans; with `--dry-run` prints the
/// plan and stops; else executes it against the build's ledger and reports.
pub fn run(common: &CommonArgs, req: RpmRequest) -> Result<ExitCode> {
    let ci = Ci::detect();
    let project = common.project()?;
    let env: Vec<(String, String)> = std::env::vars().collect();
    let (plan, ctx) = plan(project, &req)?;
    let mut store = FileStore {
        path: ctx.ledger.clone(),
    };
    let ledger = store.load()?;
    // A real run prints the report, not the plan, so its JSON stays one document.
    if req.dry_run && cli::show_plan(common.format, &plan, &ledger, &store.describe(), true)? {
        return Ok(ExitCode::Ok);
    }
    if let Some(e) = execute::changed_error(&plan, &ledger, &store.describe()) {
        return Err(e);
    }
    let to_do: Vec<RpmStep> = plan
        .steps
        .iter()
        .filter(|s| !ledger.is_done(s.kind))
        .map(|s| s.kind)
        .collect();
    let signer = ctx.sign_key.clone().map(|key| repo::Signer {
        key,
        gnupghome: env
            .iter()
            .find(|(k, v)| k == "GNUPGHOME" && !v.is_empty())
            .map(|(_, v)| PathBuf::from(v)),
    });
    preflight(&ctx, &to_do, signer.as_ref())?;
    std::fs::create_dir_all(&ctx.work_dir).map_err(|e| {
        Error::Usage(format!(
            "work directory {} cannot be created ({e}); pass a writable --work-dir",
            ctx.work_dir.display()
        ))
    })?;
    let mut builder = steps::Builder {
        ctx: &ctx,
        env: &env,
        ci: &ci,
        signer,
        to_do,
    };
    let (ledger, done) = execute::execute(&plan, &mut store, &mut builder)?;
    let outcome = Outcome::from_ledger(&ctx, &ledger, done)?;
    let report = report(&ctx, &outcome);
    ci.set_output("version", &ctx.target.version.to_string())?;
    ci.set_output("release", &ctx.target.release)?;
    ci.set_output("channel", ctx.target.channel.name())?;
    ci.set_output(
        "rpms",
        &outcome
            .packages
            .iter()
            .map(|p| format!("{}  {}", p.sha256, p.file))
            .collect::<Vec<_>>()
            .join("\n"),
    )?;
    ci.set_output("repo-dir", &req.repo_dir.display().to_string())?;
    cli::emit_report(&report, common, &ci)
}
