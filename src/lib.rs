//! release-kit: the release of an Apache-style C/C++ project as small tools, built in layers.
//! Each layer imports only the ones listed before it:
//!
//! - [`error`]: the error and its exit class; imports nothing.
//! - [`report`]: a checking tool's result and its renderers (text, JSON, Markdown, JUnit).
//! - [`model`]: the release guide's nouns, pure: versions, tags, version sites, CHANGELOGs,
//!   votes and tallies, benchmark data, RPM targets.
//! - [`config`]: `release.toml`: schema, layering (file, environment, `--set`), validation.
//! - [`outside`]: adapters to the world: processes, git, gpg, svn, dist areas, HTTP, JIRA,
//!   Nexus, GitHub, SMTP, atomic files.
//! - [`project`]: the project being released: its configuration, repository and version sites.
//! - [`verify`]: the one pipeline that trusts an artifact: fetching a location, archive safety,
//!   KEYS and OpenPGP signatures, checksums.
//! - [`engine`]: plan, then act: typed steps, the executor, the release ledger and its stores.
//! - [`website`], [`emails`]: the project's site data and the emails written for people.
//! - [`ci`]: GitHub Actions, Jenkins and terminal input and output.
//! - [`cli`]: the only code that knows clap: shared flags, logging, printing, exit codes.
//! - [`tools`]: one folder per binary; tools never import each other.

pub mod error;

pub mod report;

pub mod model;

pub mod config;

pub mod outside;

pub mod project;

pub mod verify;

pub mod engine;

pub mod website;

pub mod emails;

pub mod ci;

pub mod cli;

pub mod tools;

pub use error::{Error, ExitCode, Result};
