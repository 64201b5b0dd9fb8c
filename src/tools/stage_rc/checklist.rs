//! `stage-rc checklist X.Y.Z`: the release guide as a checklist for one version, each
//! step with its state: done (with the evidence found in git), to do (with what to do), or
//! manual (with the exact command). Read-only; Markdown in the GitHub job summary too.

use serde::Serialize;

use crate::ci::Ci;
use crate::cli::{self, CommonArgs, Format};
use crate::error::{ExitCode, Result};
use crate::model::changelog::parse;
use crate::model::version::Version;
use crate::model::version_sites::agreement;
use crate::outside::git::Git;
use crate::project::readiness::{self, Tree};
use crate::project::Project;
use crate::report::Status;

/// A step's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "detail", rename_all = "kebab-case")]
pub enum State {
    /// Done, with the evidence.
    Done(String),
    /// Not done yet, with what to do.
    Todo(String),
    /// Only a person can do or confirm it: the exact command or place.
    Manual(String),
}

/// One step of the guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub section: &'static str,
    pub step: String,
    #[serde(flatten)]
    pub state: State,
}

fn item(section: &'static str, step: impl Into<String>, state: State) -> Item {
    Item {
        section,
        step: step.into(),
        state,
    }
}

/// The checklist as Markdown (the terminal shows the same text). Pure.
pub fn markdown(title: &str, items: &[Item]) -> String {
    let mut out = format!("## {title}\n");
    let mut section = "";
    for i in items {
        if i.section != section {
            section = i.section;
            out.push_str(&format!("\n### {section}\n\n"));
        }
        let (mark, label, detail) = match &i.state {
            State::Done(d) => ("x", "done", d),
            State::Todo(d) => (" ", "to do", d),
            State::Manual(d) => (" ", "manual", d),
        };
        out.push_str(&format!("- [{mark}] {} — **{label}**: {detail}\n", i.step));
    }
    let done = items
        .iter()
        .filter(|i| matches!(i.state, State::Done(_)))
        .count();
    let todo = items
        .iter()
        .filter(|i| matches!(i.state, State::Todo(_)))
        .count();
    out.push_str(&format!(
        "\n{done} done, {todo} to do, {} manual\n",
        items.len() - done - todo
    ));
    out
}

fn short(c: &str) -> &str {
    &c[..c.len().min(12)]
}

/// Gathers the state of every step from git (read-only).
pub fn gather(project: &Project, git: &Git, version: Version) -> Result<Vec<Item>> {
    let cfg = &project.config;
    let scheme = &project.scheme;
    let regular = version.patch == 0;
    let model = cfg.release_model();
    // A branch cut from the development branch, which then moves on: the maintenance model.
    // Per-release branches end with their release; a trunk project has no branch to cut.
    let cut_from_master = regular && model == crate::config::ReleaseModel::Maintenance;
    let branch = scheme.branch(version);
    let remote = &cfg.tags.remote;
    let tip = [
        format!("refs/heads/{branch}"),
        format!("refs/remotes/{remote}/{branch}"),
    ]
    .iter()
    .find_map(|r| git.resolve(r).ok().flatten());
    let release_tag = scheme.release_tag(version);
    let tags = git.tag_names()?;
    let mut rcs: Vec<(u32, String)> = tags
        .iter()
        .filter_map(|t| {
            scheme
                .parse_candidate(t)
                .ok()
                .filter(|(v, _)| *v == version)
                .map(|(_, n)| (n, t.clone()))
        })
        .collect();
    rcs.sort();
    let next_rc = scheme.candidate_tag(version, rcs.last().map_or(1, |(n, _)| n + 1));
    let last_rc = rcs
        .last()
        .map(|(_, t)| t.clone())
        .unwrap_or(next_rc.clone());
    let released = tags.contains(&release_tag);
    // What the later steps read: the release tag once it exists, else the branch's tip.
    let at = if released {
        git.resolve(&format!("refs/tags/{release_tag}^{{commit}}"))?
    } else {
        tip.clone()
    };

    let mut items = Vec::new();
    const ONBOARD: &str = "Before the first release";
    items.push(item(
        ONBOARD,
        "a strong GPG key, valid through the vote, in KEYS",
        State::Manual("`stage-rc keys check`, then `stage-rc keys add`".into()),
    ));
    items.push(item(
        ONBOARD,
        "the key on a keyserver, its fingerprint in your Apache account, Maven credentials, a gpg agent",
        State::Manual("`stage-rc keys check` prints each command".into()),
    ));

    const PREP: &str = "Preparing";
    items.push(item(
        PREP,
        format!("the release branch {branch}"),
        match &tip {
            Some(c) => State::Done(format!("{branch} at {}", short(c))),
            None if cut_from_master => State::Todo(format!(
                "`git checkout {remote}/master -b {branch}` and push it"
            )),
            None if regular => State::Todo(model.create_hint(&branch)),
            None => State::Todo(format!(
                "patch releases use the existing {branch}: fetch it"
            )),
        },
    ));
    if cut_from_master {
        let master = [
            format!("refs/remotes/{remote}/master"),
            "refs/heads/master".to_string(),
        ]
        .iter()
        .find_map(|r| git.resolve(r).ok().flatten());
        let state = match master {
            None => State::Manual(
                "no master branch here: check that master says the next minor version".into(),
            ),
            Some(m) => match project
                .read_sites_at(git, &m)
                .ok()
                .and_then(|v| agreement(&v).ok())
            {
                Some(v) if v > version => State::Done(format!("master ({}) says {v}", short(&m))),
                Some(v) => State::Todo(format!(
                    "master says {v}: `bump-version next minor --commit` on master"
                )),
                None => State::Todo(
                    "the version sites on master disagree: `bump-version check` there, then `bump-version next minor --commit`".into(),
                ),
            },
        };
        items.push(item(PREP, "master moved to the next minor version", state));
    }
    items.push(item(
        PREP,
        "JIRA: the CHANGELOG lists what was fixed, no unresolved issues target the version",
        State::Manual(format!("`changelog-check --tag {last_rc} --jira`")),
    ));
    let (cl_state, sites_state) = match &at {
        None => (
            State::Todo(format!("no {branch} yet")),
            State::Todo(format!("no {branch} yet")),
        ),
        Some(c) => {
            let format = cfg.changelog_format().map_err(crate::error::Error::Usage)?;
            let prefix = git.prefix_of(&project.root).join(&format.file);
            let cl = git
                .show(c, &prefix.to_string_lossy())?
                .map(|b| parse(&crate::model::changelog::decode(&b).text, &format));
            let cl_state = match cl.as_ref().and_then(|cl| cl.section(version)) {
                Some(s) if !s.wip => State::Done(format!(
                    "{}:{}: `{}` at {}",
                    format.file,
                    s.line,
                    s.title,
                    short(c)
                )),
                Some(s) => State::Todo(format!("remove `(WIP)` from {}:{}", format.file, s.line)),
                None => State::Todo(format!(
                    "add the {version} section to {} on master and cherry-pick it",
                    format.file
                )),
            };
            let sites_state = match project.read_sites_at(git, c).ok().map(|v| agreement(&v)) {
                Some(Ok(v)) if v == version => {
                    State::Done(format!("all sites say {v} at {}", short(c)))
                }
                Some(Ok(v)) => State::Todo(format!(
                    "the sites say {v}: `bump-version set {version} --commit` on {branch}"
                )),
                _ => State::Todo(format!(
                    "the version sites disagree at {}: `bump-version set {version} --commit`",
                    short(c)
                )),
            };
            (cl_state, sites_state)
        }
    };
    items.push(item(
        PREP,
        format!("the CHANGELOG has the {version} section, without (WIP)"),
        cl_state,
    ));
    items.push(item(
        PREP,
        format!("configure.ac and CMakeLists.txt say {version}"),
        sites_state,
    ));
    // The readiness checks (steps 5-9).
    match &at {
        Some(c) => {
            let tree = Tree::Commit {
                commit: c.clone(),
                label: format!(
                    "{} ({})",
                    if released { &release_tag } else { &branch },
                    short(c)
                ),
            };
            let checks = readiness::checks(project, git, &tree, version)?;
            if checks.is_empty() {
                items.push(item(
                    PREP,
                    "readiness checks",
                    State::Manual("none configured ([readiness] in release.toml)".into()),
                ));
            }
            for check in checks {
                let first = check.findings.first().map(|f| match &f.location {
                    Some(l) => format!("{l}: {}", f.message),
                    None => f.message.clone(),
                });
                let more = check.findings.len().saturating_sub(1);
                let detail = |d: String| {
                    if more > 0 {
                        format!("{d} (and {more} more: `changelog-check --tag {last_rc}`)")
                    } else {
                        d
                    }
                };
                let state = match check.status {
                    Status::Pass => State::Done(check.summary.clone()),
                    Status::Fail => State::Todo(detail(first.unwrap_or(check.summary.clone()))),
                    Status::Warn | Status::Skip => {
                        State::Manual(first.unwrap_or(check.summary.clone()))
                    }
                };
                items.push(item(PREP, check.title.clone(), state));
            }
        }
        None => items.push(item(
            PREP,
            "readiness checks",
            State::Todo(format!("no {branch} yet")),
        )),
    }
    if regular {
        items.push(item(
            PREP,
            "user documentation for new features",
            State::Manual("review the CHANGELOG's highlights against docs/".into()),
        ));
    }

    const TAG: &str = "Tagging and voting";
    items.push(item(
        TAG,
        "distcheck passes from the tag",
        State::Manual(format!("`verify-distcheck source --tag {last_rc}`")),
    ));
    items.push(item(
        TAG,
        "no benchmark regressions against the previous release",
        State::Manual("`bench-compare` (see docs/bench-compare.md)".into()),
    ));
    items.push(item(
        TAG,
        "the release candidate is tagged",
        if rcs.is_empty() {
            State::Todo(format!(
                "`git tag -a {next_rc} -m \"Tagging {} {next_rc}.\"`",
                cfg.project.display_name
            ))
        } else {
            State::Done(
                rcs.iter()
                    .map(|(_, t)| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        },
    ));
    items.push(item(
        TAG,
        "staged (tarball, signature, checksum, Maven), tag pushed, [VOTE] sent",
        State::Manual(format!("`stage-rc --tag {last_rc} --send`")),
    ));

    const RELEASE: &str = "Releasing";
    items.push(item(
        RELEASE,
        format!("the vote passed, {release_tag} tagged and published"),
        if released {
            let c = at.clone().unwrap_or_default();
            State::Done(format!("tag {release_tag} at {}", short(&c)))
        } else {
            State::Todo(format!(
                "`publish-dist --tag {last_rc}` once the vote passes"
            ))
        },
    ));
    items.push(item(
        RELEASE,
        "website, old releases archived, JIRA version released, announcement",
        State::Manual(format!(
            "`publish-dist --tag {last_rc}` does each; see docs/publish-dist.md"
        )),
    ));
    items.push(item(
        RELEASE,
        "external tooling (PyPI mesos.interface, Homebrew, RPMs, Wikipedia)",
        State::Manual("`build-rpms`; the others by hand (the guide's last section)".into()),
    ));
    Ok(items)
}

/// `stage-rc checklist`: the library side.
pub fn run(common: &CommonArgs, version: &str) -> Result<ExitCode> {
    let ci = Ci::detect();
    let project = common.project()?;
    let version: Version = version.parse()?;
    let git = project.git()?;
    let items = gather(&project, &git, version)?;
    let title = format!(
        "Release checklist: {} {version}",
        project.config.project.display_name
    );
    let md = markdown(&title, &items);
    match common.format {
        Format::Json => cli::print_stdout(
            &(serde_json::to_string_pretty(&serde_json::json!({
                "version": version.to_string(),
                "items": items,
            }))
            .unwrap_or_default()
                + "\n"),
        ),
        _ => cli::print_stdout(&md),
    }
    ci.summary(&md)?;
    Ok(ExitCode::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checklist_marks_done_steps_and_counts_the_rest() {
        let items = vec![
            item("A", "one", State::Done("branch at abc".into())),
            item("A", "two", State::Todo("do it".into())),
            item("B", "three", State::Manual("`cmd`".into())),
        ];
        assert_eq!(
            markdown("Release checklist: X 1.0.0", &items),
            "## Release checklist: X 1.0.0\n\n### A\n\n- [x] one — **done**: branch at abc\n- [ ] two — **to do**: do it\n\n### B\n\n- [ ] three — **manual**: `cmd`\n\n1 done, 1 to do, 1 manual\n"
        );
    }
}
