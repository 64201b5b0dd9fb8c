//! bump-version: read the version sites, check them against each other and against a tag, and
//! rewrite them to a new version (the guide's "update master to the next minor version" at a
//! branch cut, and "next patch version" on the release branch after a release).
//!
//! Changing the sites is planned first ([`plan`]): `--dry-run` prints the plan's diff and stops.
//! With `--commit` the plan starts from HEAD, so a re-run after a crash between writing the files
//! and committing them finishes the same change instead of bumping twice.

use serde::Serialize;

use crate::ci::Ci;
use crate::cli::{self, CommonArgs, Format};
use crate::error::ExitCode;
use crate::error::{Error, Result};
use crate::project::Project;
use crate::report::{Check, Finding, Report};
use crate::{model::version::Part, model::version::Version};
use crate::{
    model::version_sites::agreement, model::version_sites::Edit, model::version_sites::SiteValue,
};

/// What `bump-version check` compares the sites with.
#[derive(Debug, Clone, Default)]
pub struct CheckRequest {
    /// A tag that must exist: the sites are read at its commit and must carry its version.
    pub tag: Option<String>,
    /// A version the work tree's sites must carry.
    pub expect: Option<Version>,
}

/// Builds the consistency report for a set of site readings.
pub fn check_sites(
    tool: &str,
    subject: String,
    values: &[SiteValue],
    expected: Option<(Version, String)>,
) -> Report {
    let mut report = Report::new(tool, subject);
    let mut agree = Check::new(
        "version-sites-agree",
        "every version site carries the same version",
    );
    match agreement(values) {
        Ok(v) => {
            for s in values {
                agree.push(Finding::notice(
                    format!("{} says {}", s.file, s.version),
                    Some(s.location()),
                ));
            }
            agree = agree.with_summary(format!("{} sites say {v}", values.len()));
        }
        Err(distinct) => {
            let list = distinct
                .iter()
                .map(Version::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            for s in values {
                agree.push(Finding::error(
                    format!(
                        "{} says {}; the sites disagree ({list}): make them agree with `bump-version set X.Y.Z`",
                        s.file, s.version
                    ),
                    Some(s.location()),
                ));
            }
            agree.summary = format!(
                "sites disagree: {}",
                values
                    .iter()
                    .map(|s| format!("{} {}", s.at(), s.version))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    report.push(agree);
    let mut matches = Check::new(
        "version-sites-match",
        "the version sites carry the expected version",
    );
    match expected {
        None => matches = matches.skipped("nothing to compare with (pass --tag or --expect)"),
        Some((want, from)) => {
            for s in values.iter().filter(|s| s.version != want) {
                matches.push(Finding::error(
                    format!(
                        "{} says {}, not {want} (from {from}); run `bump-version set {want} --commit`",
                        s.file, s.version
                    ),
                    Some(s.location()),
                ));
            }
            if matches.findings.is_empty() {
                matches.summary = format!("all sites say {want}, as {from} expects");
            } else {
                matches.summary = format!(
                    "{} of {} sites differ from {want} ({from})",
                    matches.findings.len(),
                    values.len()
                );
            }
        }
    }
    report.push(matches);
    report
}

/// `bump-version check`.
pub fn check(project: &Project, request: &CheckRequest) -> Result<(Report, Option<Version>)> {
    let name = &project.config.project.name;
    let (values, expected, subject) = match &request.tag {
        Some(tag) => {
            let parsed = project.scheme.parse(tag)?;
            let git = project.git()?;
            let info = git.require_tag(tag, project.config.tags.require_annotated)?;
            let values = project.read_sites_at(&git, &info.commit)?;
            let short = &info.commit[..info.commit.len().min(12)];
            (
                values,
                Some((parsed.version(), format!("tag {tag}"))),
                format!("{name} at tag {tag} ({short})"),
            )
        }
        None => {
            let values: Vec<SiteValue> = project
                .read_sites()?
                .into_iter()
                .map(|(_, _, v)| v)
                .collect();
            let expected = request.expect.map(|v| (v, format!("--expect {v}")));
            (
                values,
                expected,
                format!("{name} in {}", project.root.display()),
            )
        }
    };
    let current = agreement(&values).ok();
    Ok((
        check_sites("bump-version", subject, &values, expected),
        current,
    ))
}

/// Where the version goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Set(Version),
    Next(Part),
}

/// One file's planned change.
#[derive(Debug, Clone, Serialize)]
pub struct FileChange {
    pub file: String,
    pub edits: Vec<Edit>,
    #[serde(skip)]
    pub before: Vec<u8>,
    #[serde(skip)]
    pub after: Vec<u8>,
}

/// The plan of a version change, printed by `--dry-run` and walked by [`apply`].
#[derive(Debug, Clone, Serialize)]
pub struct BumpPlan {
    /// The version the sites agree on before the change (`None` when they disagree).
    pub from: Option<Version>,
    pub to: Version,
    pub changes: Vec<FileChange>,
    /// The commit to make, when `--commit` was asked for.
    pub commit_message: Option<String>,
}

impl BumpPlan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The plan as a unified diff.
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for c in &self.changes {
            let before = String::from_utf8_lossy(&c.before);
            let after = String::from_utf8_lossy(&c.after);
            let diff = similar::TextDiff::from_lines(before.as_ref(), after.as_ref());
            out.push_str(
                &diff
                    .unified_diff()
                    .context_radius(2)
                    .header(&format!("a/{}", c.file), &format!("b/{}", c.file))
                    .to_string(),
            );
        }
        out
    }
}

/// Plans a version change. With `commit`, the change is computed from HEAD's files, and the
/// work tree may already hold exactly this change (an interrupted earlier run), but nothing else.
pub fn plan(project: &Project, target: Target, commit: bool) -> Result<BumpPlan> {
    let worktree = project.read_sites()?;
    let base: Vec<(crate::model::version_sites::Site, Vec<u8>, SiteValue)> = if commit {
        let git = project.git()?;
        let head = git.head()?;
        let prefix = project_prefix(project, &git);
        project
            .sites
            .iter()
            .map(|site| {
                let path = prefix.join(&site.file).to_string_lossy().into_owned();
                let content = git.show(&head, &path)?.ok_or_else(|| {
                    Error::Usage(format!(
                        "{} is not committed yet; commit it before using --commit",
                        site.file
                    ))
                })?;
                let value = site.read(&content)?;
                Ok((site.clone(), content, value))
            })
            .collect::<Result<_>>()?
    } else {
        worktree.clone()
    };
    let values: Vec<SiteValue> = base.iter().map(|(_, _, v)| v.clone()).collect();
    let from = agreement(&values).ok();
    let to = match target {
        Target::Set(v) => v,
        Target::Next(part) => match from {
            Some(v) => v.next(part),
            None => {
                let list = values
                    .iter()
                    .map(|s| format!("{} says {}", s.at(), s.version))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(Error::Problem(format!(
                    "the version sites disagree ({list}), so there is no current version to move from; make them agree with `bump-version set X.Y.Z` first"
                )));
            }
        },
    };
    if let Some(from) = from {
        if to < from {
            tracing::warn!("moving the version backwards, from {from} to {to}");
        }
    }
    let mut changes = Vec::new();
    for ((site, content, _), (_, current, _)) in base.iter().zip(&worktree) {
        let (after, edits) = site.rewrite(content, to)?;
        if commit && current != content && *current != after {
            return Err(Error::Usage(format!(
                "{} has uncommitted changes; commit or stash them first, or run without --commit",
                site.file
            )));
        }
        // A file changes when it differs from the target, or (with --commit) when the work
        // tree already holds this very change from an interrupted run and must be committed.
        if after != *current || (commit && current != content) {
            changes.push(FileChange {
                file: site.file.clone(),
                edits,
                before: current.clone(),
                after,
            });
        }
    }
    let commit_message = commit.then(|| {
        project
            .config
            .bump
            .commit_message
            .replace("{version}", &to.to_string())
            .replace(
                "{previous}",
                &from.map(|v| v.to_string()).unwrap_or_default(),
            )
    });
    Ok(BumpPlan {
        from,
        to,
        changes,
        commit_message,
    })
}

fn project_prefix(project: &Project, git: &crate::outside::git::Git) -> std::path::PathBuf {
    let root = project.root.canonicalize().ok();
    let top = git.root().canonicalize().ok();
    match (root, top) {
        (Some(r), Some(t)) => r
            .strip_prefix(&t)
            .map(|p| p.to_path_buf())
            .unwrap_or_default(),
        _ => Default::default(),
    }
}

/// What applying a plan did.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub files: Vec<String>,
    pub commit: Option<String>,
}

/// Walks a plan: writes every file atomically, then commits when planned.
pub fn apply(project: &Project, plan: &BumpPlan) -> Result<Applied> {
    for change in &plan.changes {
        if change.before != change.after {
            let path = project.root.join(&change.file);
            crate::outside::fs::write_atomic(&path, &change.after)
                .map_err(|e| Error::io("write version site", path, e))?;
            tracing::debug!(
                "{}: {} -> {}",
                change.file,
                plan.from
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "?".into()),
                plan.to
            );
        }
    }
    let files: Vec<String> = plan.changes.iter().map(|c| c.file.clone()).collect();
    let commit = match (&plan.commit_message, files.is_empty()) {
        (Some(message), false) => {
            let git = project.git()?;
            let refs: Vec<&str> = files.iter().map(String::as_str).collect();
            let id = git.commit_paths(message, &refs)?;
            tracing::debug!("committed {}: {message}", &id[..id.len().min(12)]);
            Some(id)
        }
        _ => None,
    };
    Ok(Applied { files, commit })
}

/// The request `bump-version` was given.
#[derive(Debug, Clone)]
pub enum Request {
    Check(CheckRequest),
    Change {
        target: Target,
        commit: bool,
        dry_run: bool,
    },
}

#[derive(Serialize)]
struct ChangeResult<'a> {
    schema: &'static str,
    dry_run: bool,
    plan: &'a BumpPlan,
    #[serde(skip_serializing_if = "Option::is_none")]
    applied: Option<&'a Applied>,
}

/// Runs `bump-version` end to end: the library side of the binary.
pub fn run(common: &CommonArgs, request: Request) -> Result<ExitCode> {
    let ci = Ci::detect();
    let project = common.project()?;
    match request {
        Request::Check(req) => {
            let (report, current) = check(&project, &req)?;
            if let Some(v) = current {
                ci.set_output("version", &v.to_string())?;
            }
            cli::emit_report(&report, common, &ci)
        }
        Request::Change {
            target,
            commit,
            dry_run,
        } => {
            let plan = plan(&project, target, commit)?;
            let applied = if dry_run {
                None
            } else {
                Some(apply(&project, &plan)?)
            };
            match common.format {
                Format::Json => cli::print_stdout(
                    &(serde_json::to_string_pretty(&ChangeResult {
                        schema: "release-kit/bump/v1",
                        dry_run,
                        plan: &plan,
                        applied: applied.as_ref(),
                    })
                    .expect("plan serialises")
                        + "\n"),
                ),
                Format::Text | Format::Markdown | Format::Csv => {
                    cli::print_stdout(&describe(&plan, applied.as_ref(), dry_run))
                }
            }
            ci.set_output("version", &plan.to.to_string())?;
            if let Some(from) = plan.from {
                ci.set_output("previous-version", &from.to_string())?;
            }
            if let Some(applied) = &applied {
                ci.set_output("changed-files", &applied.files.join("\n"))?;
                if let Some(c) = &applied.commit {
                    ci.set_output("commit", c)?;
                }
            }
            Ok(ExitCode::Ok)
        }
    }
}

fn describe(plan: &BumpPlan, applied: Option<&Applied>, dry_run: bool) -> String {
    let from = plan
        .from
        .map(|v| v.to_string())
        .unwrap_or_else(|| "(disagreeing sites)".into());
    let mut out = String::new();
    if plan.is_empty() {
        out.push_str(&format!(
            "every version site already says {}; nothing to change\n",
            plan.to
        ));
        return out;
    }
    let verb = if dry_run { "would change" } else { "changed" };
    out.push_str(&format!(
        "version {from} -> {}: {verb} {} file(s)\n",
        plan.to,
        plan.changes.len()
    ));
    for c in &plan.changes {
        for e in &c.edits {
            out.push_str(&format!(
                "  {}:{}: {} -> {}\n",
                e.file, e.line, e.old, e.new
            ));
        }
    }
    if dry_run {
        out.push('\n');
        out.push_str(&plan.diff());
        if let Some(m) = &plan.commit_message {
            out.push_str(&format!("\nwould commit: {m}\n"));
        }
        out.push_str("dry run: nothing was changed\n");
    } else if let Some(c) = applied.and_then(|a| a.commit.as_ref()) {
        out.push_str(&format!(
            "committed {}: {}\n",
            &c[..c.len().min(12)],
            plan.commit_message.as_deref().unwrap_or("")
        ));
    }
    out
}
