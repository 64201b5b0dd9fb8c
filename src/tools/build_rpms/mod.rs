//! build-rpms: a verified source tarball becomes RPMs in a signed yum repository — the
//! replacement for Mesos's CentOS packaging job (`build_rpm.sh` + `bintray.sh`).
//!
//! The build is planned first ([`plan`]); `--dry-run` prints the plan. Executing verifies the
//! source before anything is built, builds with the real `rpmbuild`, checks every package's
//! header and digests, adds the packages to the repository (never replacing a published file),
//! regenerates and signs the metadata and swaps it in last, and publishes packages before metadata.
//! Re-running after a crash completes the repository without duplicating anything.

pub mod build;
pub mod publish;
pub mod repo;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::ci::Ci;
use crate::cli::{self, CommonArgs, Format};
use crate::error::ExitCode;
use crate::error::{Error, Result};
use crate::model::rpm::{Layout, Snapshot, SourceKind, Target};
use crate::outside::git::Worktree;
use crate::outside::process::Cmd;
use crate::project::Project;
use crate::report::{Check, Finding, Location, Report};
use crate::verify::archive::Kind;
use crate::verify::location;
use crate::verify::{openpgp, pipeline};

/// What `build-rpms` was asked to do.
#[derive(Debug, Clone)]
pub struct Request {
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
    /// Where logs and the downloaded tarball go.
    pub work_dir: PathBuf,
    pub dry_run: bool,
}

/// One planned step.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub id: &'static str,
    pub description: String,
}

/// The plan of a build.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub target: Target,
    pub source: SourceKind,
    pub spec: PathBuf,
    pub tarball: String,
    /// The download location (dist builds).
    pub tarball_url: Option<String>,
    pub keys: Option<String>,
    pub defines: Vec<(String, String)>,
    pub repository: PathBuf,
    pub sign_key: Option<String>,
    pub publish: Option<String>,
    pub steps: Vec<Step>,
}

fn join_url(base: &str, rel: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), rel)
}

/// Computes the plan from the request and the project, touching nothing.
pub fn plan(project: &Project, req: &Request) -> Result<Plan> {
    let cfg = &project.config;
    let snapshot;
    let target = match &req.tag {
        Some(tag) => {
            let parsed = project.scheme.parse(tag)?;
            crate::model::rpm::resolve(Some((tag, parsed)), None, &req.release)
        }
        None => {
            snapshot = snapshot_of_head(project)?;
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
    let mut steps = vec![match source {
        SourceKind::Dist => Step {
            id: "fetch-and-verify",
            description: format!(
                "download {} with .sha512 and .asc; verify the SHA-512 and the signature against {}",
                tarball_url.as_deref().unwrap_or_default(),
                keys.as_deref().unwrap_or_default()
            ),
        },
        SourceKind::MakeDist => Step {
            id: "make-dist",
            description: format!(
                "run make dist on {} in a temporary worktree",
                target.tag.as_deref().unwrap_or("HEAD")
            ),
        },
    }];
    steps.push(Step {
        id: "rpmbuild",
        description: format!(
            "rpmbuild -ba {} with {}",
            spec.display(),
            defines
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    });
    steps.push(Step {
        id: "inspect",
        description: "read every RPM header and verify its digests".into(),
    });
    if let Some(k) = &sign_key {
        steps.push(Step {
            id: "sign-packages",
            description: format!("rpmsign --addsign with key {k}"),
        });
    }
    steps.push(Step {
        id: "repository",
        description: format!(
            "add the packages to {} ({} channel) and regenerate the metadata{}",
            req.repo_dir.display(),
            target.channel.name(),
            if sign_key.is_some() {
                ", signing repomd.xml"
            } else {
                ""
            }
        ),
    });
    if let Some(p) = &req.publish {
        steps.push(Step {
            id: "publish",
            description: format!("publish packages, then metadata, to {p}"),
        });
    }
    Ok(Plan {
        target,
        source,
        spec,
        tarball,
        tarball_url,
        keys,
        defines,
        repository: req.repo_dir.clone(),
        sign_key,
        publish: req.publish.clone(),
        steps,
    })
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

/// What a build produced.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub evidence: Option<pipeline::Evidence>,
    pub packages: Vec<build::Package>,
    pub added: Vec<String>,
    pub already_present: Vec<String>,
    pub repositories: Vec<PathBuf>,
    pub published: Option<publish::Published>,
    pub build_log: PathBuf,
}

/// Walks the plan.
pub fn execute(
    project: &Project,
    plan: &Plan,
    req: &Request,
    env: &[(String, String)],
    ci: &Ci,
) -> Result<Outcome> {
    std::fs::create_dir_all(&req.work_dir).map_err(|e| Error::io("create", &req.work_dir, e))?;
    let signer = plan.sign_key.clone().map(|key| repo::Signer {
        key,
        gnupghome: env
            .iter()
            .find(|(k, v)| k == "GNUPGHOME" && !v.is_empty())
            .map(|(_, v)| PathBuf::from(v)),
    });
    if let Some(s) = &signer {
        s.preflight()?;
    }
    let repo_root = &plan.repository;
    std::fs::create_dir_all(repo_root).map_err(|e| {
        Error::Usage(format!(
            "repository directory {} cannot be created ({e}); pass a writable --repo-dir",
            repo_root.display()
        ))
    })?;
    probe_writable(repo_root)?;

    // 1. The source, verified before anything is built from it.
    ci.group_start("source");
    let src_dir = req.work_dir.join("source");
    std::fs::create_dir_all(&src_dir).map_err(|e| Error::io("create", &src_dir, e))?;
    let (tarball, evidence) = match plan.source {
        SourceKind::Dist => {
            let url = plan.tarball_url.clone().unwrap_or_default();
            let t = fetch(&url, "tarball", &src_dir)?;
            let sha = fetch(&format!("{url}.sha512"), "checksum", &src_dir)?;
            let asc = fetch(&format!("{url}.asc"), "signature", &src_dir)?;
            let keys = fetch(
                plan.keys.as_deref().unwrap_or_default(),
                "KEYS file",
                &src_dir,
            )?;
            let keys_name = keys.display().to_string();
            let keyring = openpgp::parse_keys(
                &std::fs::read_to_string(&keys)
                    .map_err(|e| Error::io("read KEYS file", &keys, e))?,
                &keys_name,
            )?;
            // The same safety checks as a voter's verification, before rpmbuild unpacks it.
            let safety = Kind::from_name(&plan.tarball)
                .map(|kind| (kind, pipeline::limits(&project.config)));
            let files = pipeline::Files {
                artifact: &t,
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
                plan.tarball,
                ev.algorithm,
                &ev.digest[..16],
                ev.signer,
                ev.signer_fingerprint
            );
            (t, Some(ev))
        }
        SourceKind::MakeDist => {
            let rev = plan.target.tag.clone().unwrap_or_else(|| "HEAD".into());
            (
                make_dist(
                    project,
                    &rev,
                    &plan.tarball,
                    &src_dir,
                    &req.work_dir.join("make-dist.log"),
                )?,
                None,
            )
        }
    };
    ci.group_end();

    // 2. Build.
    ci.group_start("rpmbuild");
    let topdir = tempfile::tempdir()
        .map_err(|e| Error::io("create a temporary directory in", std::env::temp_dir(), e))?;
    let log = req.work_dir.join("rpmbuild.log");
    let spec = build::BuildSpec {
        spec: plan.spec.clone(),
        tarball,
        extra_sources: build::extra_sources(&plan.spec)?,
        defines: plan.defines.clone(),
        nodeps: project.config.rpm.nodeps,
        timeout: std::time::Duration::from_secs(project.config.rpm.timeout_secs),
    };
    let built = build::rpmbuild(&spec, topdir.path(), &log)?;
    ci.group_end();

    // 3. Inspect, 4. sign.
    let mut packages = built
        .iter()
        .map(|p| build::inspect(p))
        .collect::<Result<Vec<_>>>()?;
    for p in &packages {
        if p.version != plan.target.version.to_string() {
            return Err(Error::Problem(format!(
                "{} has version {} but the build was for {}; check the spec's Version: line uses %{{{}}}",
                p.file, p.version, plan.target.version, plan.defines[0].0
            )));
        }
    }
    if let Some(s) = &signer {
        let paths: Vec<&Path> = packages.iter().map(|p| p.path.as_path()).collect();
        s.sign_rpms(&paths)?;
        s.verify_rpms(&paths)?;
        packages = built
            .iter()
            .map(|p| build::inspect(p))
            .collect::<Result<Vec<_>>>()?;
    }

    // 5. Repository: packages in (never replacing a published file), then metadata.
    let layout = Layout {
        stable: project.config.rpm.layout_stable.clone(),
        testing: project.config.rpm.layout_testing.clone(),
        unstable: project.config.rpm.layout_unstable.clone(),
    };
    let mut added = Vec::new();
    let mut already = Vec::new();
    let mut dirs: Vec<PathBuf> = Vec::new();
    for p in &packages {
        let dir = repo_root.join(layout.dir(
            &project.config.rpm.distro,
            plan.target.channel,
            crate::model::rpm::arch_dir(&p.arch, p.source),
        ));
        let dest = dir.join(&p.file);
        if dest.exists() {
            tracing::warn!(
                "{} is already in {}; keeping the published file (raise --release to rebuild)",
                p.file,
                dir.display()
            );
            already.push(p.file.clone());
        } else {
            repo::copy_atomic(&p.path, &dest)?;
            added.push(p.file.clone());
        }
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    for d in &dirs {
        repo::update_metadata(d, signer.as_ref())?;
    }

    // 6. Publish.
    let published = match &plan.publish {
        None => None,
        Some(target) if publish::svn_url(target).is_some() => Some(publish::to_svn(
            repo_root,
            &publish::svn_url(target).unwrap_or_default(),
            env,
        )?),
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            let client = publish::client(url, env)?;
            Some(crate::outside::http::block_on(publish::to_http(
                repo_root, &client,
            ))?)
        }
        Some(dir) => Some(publish::to_directory(
            repo_root,
            Path::new(dir.strip_prefix("file://").unwrap_or(dir)),
        )?),
    };
    Ok(Outcome {
        evidence,
        packages,
        added,
        already_present: already,
        repositories: dirs,
        published,
        build_log: log,
    })
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

/// The report of a finished build: one check per step and one per package.
pub fn report(project: &Project, plan: &Plan, out: &Outcome) -> Report {
    let subject = format!(
        "{} {}-{} ({} channel)",
        project.config.project.name,
        plan.target.version,
        plan.target.release,
        plan.target.channel.name()
    );
    let mut r = Report::new("build-rpms", subject);
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
                plan.target.tag.as_deref().unwrap_or("HEAD")
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
    for f in &out.already_present {
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
        if plan.sign_key.is_some() {
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
    r
}

/// `build-rpms` end to end: the library side of the binary.
pub fn run(common: &CommonArgs, req: Request) -> Result<ExitCode> {
    let ci = Ci::detect();
    let project = common.project()?;
    let env: Vec<(String, String)> = std::env::vars().collect();
    let plan = plan(&project, &req)?;
    if req.dry_run {
        let text = match common.format {
            Format::Json => serde_json::to_string_pretty(&plan).expect("plan serialises") + "\n",
            _ => {
                let mut t = format!(
                    "build-rpms plan for {} {}-{} ({} channel):\n",
                    project.config.project.name,
                    plan.target.version,
                    plan.target.release,
                    plan.target.channel.name()
                );
                for (i, s) in plan.steps.iter().enumerate() {
                    t.push_str(&format!("  {}. [{}] {}\n", i + 1, s.id, s.description));
                }
                t.push_str("dry run: nothing was downloaded, built or written\n");
                t
            }
        };
        cli::print_stdout(&text);
        return Ok(ExitCode::Ok);
    }
    let outcome = execute(&project, &plan, &req, &env, &ci)?;
    let report = report(&project, &plan, &outcome);
    ci.set_output("version", &plan.target.version.to_string())?;
    ci.set_output("release", &plan.target.release)?;
    ci.set_output("channel", plan.target.channel.name())?;
    ci.set_output(
        "rpms",
        &outcome
            .packages
            .iter()
            .map(|p| format!("{}  {}", p.sha256, p.file))
            .collect::<Vec<_>>()
            .join("\n"),
    )?;
    ci.set_output("repo-dir", &plan.repository.display().to_string())?;
    cli::emit_report(&report, common, &ci)
}
