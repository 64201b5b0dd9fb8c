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
use crate::error::{ExitCode, Result};
use crate::model::version::Version;
use crate::model::version_sites::{agreement, SiteValue};
use crate::project::bump::{apply, plan, Applied, BumpPlan, Target};
use crate::project::Project;
use crate::report::Report;

/// What `bump-version check` compares the sites with.
#[derive(Debug, Clone, Default)]
pub struct CheckRequest {
    /// A tag that must exist: the sites are read at its commit and must carry its version.
    pub tag: Option<String>,
    /// A version the work tree's sites must carry.
    pub expect: Option<Version>,
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
        crate::model::version_sites::check_sites("bump-version", subject, &values, expected),
        current,
    ))
}

/// The request `bump-version` was given.
#[derive(Debug, Clone)]
pub enum BumpRequest {
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
pub fn run(common: &CommonArgs, request: BumpRequest) -> Result<ExitCode> {
    let ci = Ci::detect();
    let project = common.project()?;
    match request {
        BumpRequest::Check(req) => {
            let (report, current) = check(&project, &req)?;
            if let Some(v) = current {
                ci.set_output("version", &v.to_string())?;
            }
            cli::emit_report(&report, common, &ci)
        }
        BumpRequest::Change {
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
    let sites: usize = plan.changes.iter().map(|c| c.edits.len()).sum();
    out.push_str(&format!(
        "version {from} -> {}: {verb} {} file(s), {sites} edit(s)\n",
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
