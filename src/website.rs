//! The website after a release: the releases data file (Mesos's `site/data/releases.yml`)
//! edited in place, the blog post skeleton with the CHANGELOG highlights and the contributors
//! since the previous release, and the [ANNOUNCE] email.
//!
//! CONTRACT (publish-dist relies on it): [`Release`], [`update_releases`], [`BlogPost`],
//! [`blog_post`], [`contributors`], [`previous_release_tag`], [`Announcement`], [`announce_email`].

use serde::Serialize;
use thiserror::Error;

use crate::exit::ExitCode;
use crate::git::Git;
use crate::tag::TagScheme;
use crate::version::Version;

#[derive(Debug, Error)]
pub enum WebsiteError {
    /// The file does not have the shape expected; names the file, line and fix.
    #[error("{0}")]
    Shape(String),
    /// The release is already listed with other data.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Git(#[from] crate::git::GitError),
    #[error(transparent)]
    Email(#[from] crate::vote::VoteError),
}

impl WebsiteError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            WebsiteError::Shape(_) | WebsiteError::Conflict(_) => ExitCode::Usage,
            WebsiteError::Git(e) => e.exit_code(),
            WebsiteError::Email(e) => e.exit_code(),
        }
    }
}

/// What the releases data file records about a release.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Release {
    pub version: Version,
    /// The JIRA version id (Mesos's `jira_version`).
    pub jira_version: String,
    /// YYYY-MM-DD.
    pub date: String,
    /// The `news` entry's title, e.g. "Mesos 1.11.0 is released!".
    pub title: String,
    /// The `news` entry's blog slug.
    pub blog_slug: String,
}

/// Adds `release` to the releases data file `text` (named `origin` in messages), editing lines
/// rather than re-serialising: comments, order and formatting of everything else are kept.
/// Sets `latest_stable` when the release is newer than the current one, adds the `versions` and
/// `news` entries. Already listed identically: returns `text` unchanged. Listed with other data,
/// or a file of an unexpected shape: an error naming the line and the fix.
pub fn update_releases(
    text: &str,
    origin: &str,
    release: &Release,
) -> Result<String, WebsiteError> {
    let _ = (text, release);
    Err(WebsiteError::Shape(format!(
        "{origin}: not implemented yet"
    )))
}

/// What the blog post skeleton says.
#[derive(Debug, Clone, Serialize)]
pub struct BlogPost {
    pub display_name: String,
    pub version: Version,
    /// YYYY-MM-DD.
    pub date: String,
    /// The release's CHANGELOG section (its highlights are lifted out of it).
    pub changelog: String,
    /// Contributors between the previous release and this one.
    pub contributors: Vec<String>,
    pub release_managers: Vec<String>,
    pub download_url: String,
    pub changelog_url: String,
}

/// The blog post skeleton (Markdown with the front matter Mesos's blog uses).
pub fn blog_post(post: &BlogPost) -> String {
    let _ = post;
    String::new()
}

/// `git log --format=%an prev..this`, de-duplicated and sorted (case-insensitively).
pub fn contributors(git: &Git, previous: &str, this: &str) -> Result<Vec<String>, WebsiteError> {
    let _ = (git, previous, this);
    Ok(Vec::new())
}

/// The newest release tag (per `scheme`) older than `version` among `tags`, if any.
pub fn previous_release_tag(
    tags: &[String],
    scheme: &TagScheme,
    version: Version,
) -> Option<String> {
    let _ = (tags, scheme, version);
    None
}

/// What the [ANNOUNCE] email says.
#[derive(Debug, Clone, Serialize)]
pub struct Announcement {
    pub display_name: String,
    pub project: String,
    pub version: Version,
    pub changelog: String,
    pub download_url: String,
    pub changelog_url: String,
    pub blog_url: String,
    pub release_managers: Vec<String>,
}

/// The built-in [ANNOUNCE] email template.
pub const ANNOUNCE_TEMPLATE: &str =
    "Subject: [ANNOUNCE] Apache {{ display_name }} {{ version }} released\n\nnot implemented yet\n";

/// Renders the [ANNOUNCE] email with [`crate::vote::render_email`].
pub fn announce_email(
    a: &Announcement,
    headers: &crate::vote::Headers,
) -> Result<crate::vote::Email, WebsiteError> {
    Ok(crate::vote::render_email(
        ANNOUNCE_TEMPLATE,
        "the built-in [ANNOUNCE] template",
        a,
        headers,
    )?)
}
