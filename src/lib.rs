//! release-kit: the shared model of an Apache-style release (versions, tags, version sites,
//! configuration) and the CI-native plumbing every release-kit tool is built on.

pub mod archive;
pub mod bench;
pub mod bump;
pub mod candidate;
pub mod changelog;
pub mod changelog_check;
pub mod checksum;
pub mod ci;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod dist;
pub mod distcheck;
pub mod error;
pub mod exit;
pub mod fs;
pub mod git;
pub mod github;
pub mod gpg;
pub mod http;
pub mod jira;
pub mod mail;
pub mod nexus;
pub mod notes;
pub mod plan;
pub mod project;
pub mod publish;
pub mod report;
pub mod rpm;
pub mod signing;
pub mod stage;
pub mod tag;
pub mod tally;
pub mod version;
pub mod version_sites;
pub mod vote;
pub mod website;

pub use error::{Error, Result};
pub use exit::ExitCode;
