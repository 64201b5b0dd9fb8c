//! Adapters to the world outside the process: every external command goes through
//! [`process::Cmd`], every HTTP call through [`http::Client`]. Each adapter returns typed
//! errors with their exit class; nothing here decides what a release is.

pub mod clock;
pub mod dist_area;
pub mod fs;
pub mod git;
pub mod github;
pub mod gpg;
pub mod http;
pub mod jira;
pub mod nexus;
pub mod process;
pub mod secrets;
pub mod smtp;
pub mod source_tarball;
pub mod svn;
pub mod timed;
