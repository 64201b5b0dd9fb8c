//! The CHANGELOG of the project at a revision, as the release steps need it.

use crate::error::{Error, Result};
use crate::model::version::Version;
use crate::outside::git::Git;
use crate::project::Project;

/// The CHANGELOG section of `version` at `commit`, which must exist and not be marked WIP,
/// read with the one CHANGELOG parser.
pub(crate) fn released_section(
    project: &Project,
    git: &Git,
    commit: &str,
    version: Version,
    tag: &str,
    branch: &str,
) -> Result<String> {
    let cfg = &project.config;
    let file = &cfg.changelog.file;
    let heading = cfg.changelog_heading(version);
    let text = git
        .show(commit, file)?
        .map(|b| crate::model::changelog::decode(&b).text)
        .ok_or_else(|| {
            Error::Usage(format!(
                "{file} does not exist at {tag}; add it with a `{heading}` section"
            ))
        })?;
    let format = cfg.changelog_format().map_err(Error::Usage)?;
    let changelog = crate::model::changelog::parse(&text, &format);
    let section = changelog.section(version).ok_or_else(|| {
        Error::Usage(format!(
            "{file} at {tag} has no `{heading}` section; add the release notes on {branch}, commit, and re-tag"
        ))
    })?;
    if section.wip {
        return Err(Error::Usage(format!(
            "{file}:{} at {tag} still says `{}`; remove \"{}\" from the heading on {branch}, commit, and re-tag (the candidate was never staged)",
            section.line,
            section.title.trim_end(),
            cfg.changelog.wip_marker
        )));
    }
    Ok(changelog
        .section_lines(section)
        .map(|(_, l)| l)
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_string())
}
