//! `tags.model`: how the project branches for releases. `maintenance` (Mesos): candidates are
//! tagged on an `X.Y.x` branch that lives on and is bumped to the next patch after each release;
//! `per-release`: each release has its own branch (`release/X.Y.Z`), which ends with it;
//! `trunk`: there are no release branches, candidates are tagged on the trunk (`main`), which
//! moves on to the next patch after the release. `tags.branch` names the branch; left at its
//! default it follows the model.

use serde::Serialize;

use super::{Config, Tags};

/// The release model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReleaseModel {
    Maintenance,
    PerRelease,
    Trunk,
}

impl ReleaseModel {
    pub(crate) fn parse(s: &str) -> Result<ReleaseModel, String> {
        match s.trim() {
            "maintenance" => Ok(ReleaseModel::Maintenance),
            "per-release" => Ok(ReleaseModel::PerRelease),
            "trunk" => Ok(ReleaseModel::Trunk),
            other => Err(format!(
                "`tags.model` is `{other}`; use \"maintenance\" (X.Y.x branches), \"per-release\" (a release/X.Y.Z branch per release) or \"trunk\" (no release branches)"
            )),
        }
    }

    /// The branch template when `tags.branch` is left at its default.
    fn default_branch(self) -> &'static str {
        match self {
            ReleaseModel::Maintenance => "{major}.{minor}.x",
            ReleaseModel::PerRelease => "release/{version}",
            ReleaseModel::Trunk => "main",
        }
    }

    /// Whether the branch carries the next release after this one, so that it is bumped to
    /// the next patch version once a release is published. A per-release branch ends with its
    /// release.
    pub fn branch_continues(self) -> bool {
        !matches!(self, ReleaseModel::PerRelease)
    }

    /// What the branch is, for messages: "the release branch 1.11.x".
    pub fn describe(self, branch: &str) -> String {
        match self {
            ReleaseModel::Maintenance => format!("the release branch {branch}"),
            ReleaseModel::PerRelease => format!("the release's own branch {branch}"),
            ReleaseModel::Trunk => format!("the trunk {branch}"),
        }
    }

    /// How to make the branch when it is missing.
    pub fn create_hint(self, branch: &str) -> String {
        match self {
            ReleaseModel::Maintenance | ReleaseModel::PerRelease => format!(
                "cut it with `git checkout -b {branch}` and push it, or fetch it"
            ),
            ReleaseModel::Trunk => format!(
                "fetch it, or set tags.branch to the name of your trunk (tags.model = \"trunk\" tags candidates on it; `{branch}` is the default)"
            ),
        }
    }
}

impl Config {
    /// The configured release model (validated at load).
    pub fn release_model(&self) -> ReleaseModel {
        ReleaseModel::parse(&self.tags.model).unwrap_or(ReleaseModel::Maintenance)
    }

    /// The branch template the tag scheme uses: `tags.branch`, or the model's default when it
    /// is left at the built-in `{major}.{minor}.x`.
    pub(crate) fn branch_template(&self) -> String {
        let model = self.release_model();
        if self.tags.branch == Tags::default().branch {
            model.default_branch().to_string()
        } else {
            self.tags.branch.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_release_model_has_its_branch() {
        let mut c = Config::default();
        assert_eq!(c.branch_template(), "{major}.{minor}.x");
        c.tags.model = "per-release".into();
        assert_eq!(c.branch_template(), "release/{version}");
        assert!(!c.release_model().branch_continues());
        c.tags.model = "trunk".into();
        assert_eq!(c.branch_template(), "main");
        c.tags.branch = "develop".into();
        assert_eq!(c.branch_template(), "develop");
        assert!(ReleaseModel::parse("gitflow").is_err());
    }
}
