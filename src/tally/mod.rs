//! The vote tally: a [VOTE] thread (mbox or Pony Mail JSON) read strictly, each voter's last
//! vote counted against the PMC roster and the configured policy, and the [RESULT][VOTE] email.
//!
//! CONTRACT (publish-dist relies on it): [`Request`], [`evaluate`], [`Outcome`], [`run`].

use std::path::PathBuf;

use serde::Serialize;

use crate::cli::CommonArgs;
use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::project::Project;

/// What the user asked for (shared by `publish-dist tally` and `publish-dist`).
#[derive(Debug, Clone)]
pub struct Request {
    pub tag: String,
    /// An mbox file, a Pony Mail thread JSON file, or an https URL of either.
    pub thread: String,
    /// The roster file; `None`: `vote.roster`.
    pub roster: Option<PathBuf>,
    /// Where tally.{txt,md,json} and result-email.eml are written.
    pub out: PathBuf,
}

/// One counted voter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Voter {
    /// The name for the [RESULT] email (the roster's name when binding, else the sender's).
    pub name: String,
    pub email: String,
    pub binding: bool,
    /// `+1`, `+0`, `0`, `-0` or `-1`.
    pub vote: String,
}

/// The counted vote, as publish-dist needs it.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The vote closed and passed under the policy.
    pub passed: bool,
    /// Why it did not pass, or what a human must look at; empty when it passed cleanly.
    pub reasons: Vec<String>,
    /// Every counted voter (last vote each), in order of their message dates.
    pub voters: Vec<Voter>,
    /// The [RESULT][VOTE] email (a reply to the [VOTE] thread).
    pub result_email: crate::vote::Email,
    /// The whole tally as JSON (what `--format json` prints); recorded in the publish ledger.
    pub json: serde_json::Value,
}

/// Reads the thread and the roster and counts the votes. Errors: a bad thread, roster or
/// configuration (exit 2), a URL that cannot be fetched (exit 3). A failed or unclosed vote is
/// an `Ok` outcome with `passed: false`.
pub fn evaluate(project: &Project, request: &Request, env: &[(String, String)]) -> Result<Outcome> {
    let _ = (project, request, env);
    Err(Error::Usage(
        "publish-dist tally is not implemented yet".into(),
    ))
}

/// `publish-dist tally`: evaluate, print the table in `--format`, write the files, set the CI
/// outputs (`passed`, `binding-plus`, `binding-minus`, `result-email`) and the job summary.
/// Exit 0 passed, 1 failed or not yet closed, 2 bad thread.
pub fn run(common: &CommonArgs, request: &Request) -> Result<ExitCode> {
    let project = common.project()?;
    let env: Vec<(String, String)> = std::env::vars().collect();
    let outcome = evaluate(&project, request, &env)?;
    Ok(if outcome.passed {
        ExitCode::Ok
    } else {
        ExitCode::Problems
    })
}
