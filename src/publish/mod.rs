//! publish-dist: a passed vote to a published release (the steps of Mesos's
//! `support/release.sh` and the guide's manual steps after it), as a plan recorded in the
//! release ledger.

use crate::cli::CommonArgs;
use crate::error::{Error, Result};
use crate::exit::ExitCode;

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct Request {
    pub tally: crate::tally::Request,
    pub override_vote: Option<String>,
    pub dry_run: bool,
    pub send: bool,
    pub release_date: Option<String>,
}

/// `publish-dist abandon`.
#[derive(Debug, Clone)]
pub struct AbandonRequest {
    pub tag: String,
    pub reason: String,
    pub dry_run: bool,
}

pub fn run(common: &CommonArgs, request: &Request) -> Result<ExitCode> {
    let _ = (common, request);
    Err(Error::Usage("publish-dist is not implemented yet".into()))
}

pub fn abandon(common: &CommonArgs, request: &AbandonRequest) -> Result<ExitCode> {
    let _ = (common, request);
    Err(Error::Usage(
        "publish-dist abandon is not implemented yet".into(),
    ))
}
