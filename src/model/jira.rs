//! JIRA's nouns as the release checks see them: an issue, a version of the project, and what
//! JIRA says about one release version. The JIRA adapter (`outside::jira`) fills them.

use serde::{Deserialize, Serialize};

use crate::model::version::Version;

/// One issue, with the fields the CHANGELOG checks read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub key: String,
    pub summary: String,
    pub status: String,
    /// `None` while unresolved.
    pub resolution: Option<String>,
    pub issue_type: String,
    pub fix_versions: Vec<String>,
    /// The "Target Version/s" custom field.
    pub target_versions: Vec<String>,
}

/// A version of the project as JIRA knows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectVersion {
    /// JIRA's id of the version (a number as a string, e.g. "12340001").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, rename = "projectId", skip_serializing_if = "Option::is_none")]
    pub project_id: Option<u64>,
    #[serde(default)]
    pub released: bool,
    #[serde(default)]
    pub archived: bool,
    #[serde(
        default,
        rename = "releaseDate",
        skip_serializing_if = "Option::is_none"
    )]
    pub release_date: Option<String>,
}

/// What JIRA says about one version, for the cross-check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Facts {
    pub project: String,
    pub version: Version,
    /// The version as JIRA has it; `None` when the project has no such version.
    pub jira_version: Option<ProjectVersion>,
    /// Every issue with `fixVersion = X.Y.Z`, resolved or not.
    pub fixed: Vec<Issue>,
    /// The issues the CHANGELOG section lists, as JIRA has them (missing keys are absent).
    pub listed: Vec<Issue>,
    /// Resolved issues whose Target Version/s is X.Y.Z but that have no fix version.
    pub targeted_unfixed: Vec<Issue>,
}
