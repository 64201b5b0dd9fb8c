//! Preflight of a release candidate, read-only: the rc tag exists, is annotated (and signed
//! when configured), sits on the release branch; the version sites and the CHANGELOG section
//! agree with it; its number is the next one.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::version::Version;
use crate::model::version_sites::check_sites;
use crate::outside::git::Git;
use crate::project::Project;
use crate::report::Severity;

/// What preflight established.
#[derive(Debug, Clone, Serialize)]
pub struct Facts {
    pub tag: String,
    pub version: Version,
    pub rc: u32,
    pub commit: String,
    pub tag_object: String,
    pub branch: String,
    pub source_date_epoch: u64,
    /// "Name <email>" of the tagger.
    pub tagger: String,
    pub tagger_name: String,
    /// The version's CHANGELOG section.
    pub changelog: String,
    /// Older candidate tags of the same version.
    pub older: Vec<String>,
}

/// Runs every preflight check; the first failure is returned with its fix.
pub fn run(project: &Project, git: &Git, tag: &str) -> Result<Facts> {
    let cfg = &project.config;
    let (version, rc) = project.scheme.parse_candidate(tag)?;
    let info = git.require_tag(tag, cfg.tags.require_annotated)?;
    let branch = project.scheme.branch(version);
    let remote_branch = format!("refs/remotes/{}/{branch}", cfg.tags.remote);
    let local_branch = format!("refs/heads/{branch}");
    let on_branch = [&local_branch, &remote_branch]
        .iter()
        .filter(|r| git.ref_exists(r).unwrap_or(false))
        .map(|r| git.is_ancestor(&info.commit, r))
        .collect::<std::result::Result<Vec<bool>, _>>()?;
    // The rc gate follows the release model (tags.model): a maintenance branch, the release's
    // own branch, or the trunk.
    let model = cfg.release_model();
    if on_branch.is_empty() {
        return Err(Error::Usage(format!(
            "{} does not exist (neither {local_branch} nor {remote_branch}); {}",
            model.describe(&branch),
            model.create_hint(&branch)
        )));
    }
    if !on_branch.iter().any(|b| *b) {
        return Err(Error::Usage(format!(
            "tag {tag} points at {} which is not on {}; candidates are tagged on {branch} (tags.model = \"{}\"): delete the tag (`git tag -d {tag}`) and tag the tip of {branch}",
            short(&info.commit),
            model.describe(&branch),
            cfg.tags.model
        )));
    }
    // Version sites.
    let values = project.read_sites_at(git, &info.commit)?;
    let report = check_sites(
        "stage-rc",
        tag.to_string(),
        &values,
        Some((version, format!("tag {tag}"))),
    );
    let problems: Vec<String> = report
        .findings()
        .filter(|(_, f)| f.severity == Severity::Error)
        .map(|(_, f)| f.message.clone())
        .collect();
    if !problems.is_empty() {
        return Err(Error::Problem(format!(
            "the version sites at {tag} do not say {version}:\n  {}\nfix them on {branch}, commit, and move the tag (it was never staged)",
            problems.join("\n  ")
        )));
    }
    let changelog = crate::project::changelog::released_section(
        project,
        git,
        &info.commit,
        version,
        tag,
        &branch,
    )?;
    // Candidate numbering: rc1 first, rcN only after rcN-1, nothing newer already.
    let mut numbers: Vec<u32> = git
        .tag_names()?
        .iter()
        .filter_map(|t| project.scheme.parse_candidate(t).ok())
        .filter(|(v, _)| *v == version)
        .map(|(_, n)| n)
        .collect();
    numbers.sort_unstable();
    if let Some(missing) = (1..rc).find(|n| !numbers.contains(n)) {
        return Err(Error::Usage(format!(
            "{tag} skips candidate rc{missing}: candidates are numbered without gaps; tag {} instead (`git tag -d {tag}`)",
            project.scheme.candidate_tag(version, missing)
        )));
    }
    if let Some(newer) = numbers.iter().find(|n| **n > rc) {
        return Err(Error::Usage(format!(
            "{} already exists, so {tag} is not the next candidate; stage the newest candidate, or the next number",
            project.scheme.candidate_tag(version, *newer)
        )));
    }
    let older = (1..rc)
        .map(|n| project.scheme.candidate_tag(version, n))
        .collect();
    let tagger = info
        .tagger
        .clone()
        .map(|p| (p.name.clone(), format!("{} <{}>", p.name, p.email)))
        .unwrap_or_else(|| ("Release Manager".into(), String::new()));
    Ok(Facts {
        tag: tag.to_string(),
        version,
        rc,
        tag_object: git.tag_object(tag)?,
        source_date_epoch: git.commit_time(&info.commit)?,
        commit: info.commit,
        branch,
        tagger: tagger.1,
        tagger_name: tagger.0,
        changelog,
        older,
    })
}

fn short(c: &str) -> &str {
    &c[..c.len().min(12)]
}
