//! The library's error type: every module's typed error, each mapped to the shared exit code.

use std::path::PathBuf;

use crate::changelog_check::ChangelogError;
use crate::checksum::ChecksumError;
use crate::ci::CiError;
use crate::cmd::CmdError;
use crate::config::ConfigError;
use crate::dist::svn::SvnError;
use crate::exit::ExitCode;
use crate::git::GitError;
use crate::gpg::GpgError;
use crate::http::HttpError;
use crate::jira::JiraError;
use crate::mail::MailError;
use crate::nexus::NexusError;
use crate::signing::SigningError;
use crate::tag::TagError;
use crate::tally::TallyError;
use crate::version::VersionError;
use crate::version_sites::SiteError;
use crate::vote::VoteError;
use crate::website::WebsiteError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Tag(#[from] TagError),
    #[error(transparent)]
    Version(#[from] VersionError),
    #[error(transparent)]
    Site(#[from] SiteError),
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Cmd(#[from] CmdError),
    #[error(transparent)]
    Ci(#[from] CiError),
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error(transparent)]
    Gpg(#[from] GpgError),
    #[error(transparent)]
    Svn(#[from] SvnError),
    #[error(transparent)]
    Nexus(#[from] NexusError),
    #[error(transparent)]
    Vote(#[from] VoteError),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Changelog(#[from] ChangelogError),
    #[error(transparent)]
    Jira(#[from] JiraError),
    #[error(transparent)]
    Checksum(#[from] ChecksumError),
    #[error(transparent)]
    Signing(#[from] SigningError),
    #[error(transparent)]
    Website(#[from] WebsiteError),
    #[error(transparent)]
    Tally(#[from] TallyError),
    /// Bad usage or input that no module owns; the message says what to do.
    #[error("{0}")]
    Usage(String),
    /// The check ran and found a problem that stops the tool; the message says what to do.
    #[error("{0}")]
    Problem(String),
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Error {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Config(e) => e.exit_code(),
            Error::Tag(_) | Error::Version(_) | Error::Usage(_) => ExitCode::Usage,
            Error::Site(e) => e.exit_code(),
            Error::Git(e) => e.exit_code(),
            Error::Cmd(e) => e.exit_code(),
            Error::Ci(e) => e.exit_code(),
            Error::Http(e) => e.exit_code(),
            Error::Gpg(e) => e.exit_code(),
            Error::Svn(e) => e.exit_code(),
            Error::Nexus(e) => e.exit_code(),
            Error::Vote(e) => e.exit_code(),
            Error::Mail(e) => e.exit_code(),
            Error::Changelog(e) => e.exit_code(),
            Error::Jira(e) => e.exit_code(),
            Error::Checksum(e) => e.exit_code(),
            Error::Signing(e) => e.exit_code(),
            Error::Website(e) => e.exit_code(),
            Error::Tally(e) => e.exit_code(),
            Error::Problem(_) => ExitCode::Problems,
            Error::Io { .. } => ExitCode::Usage,
        }
    }

    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
