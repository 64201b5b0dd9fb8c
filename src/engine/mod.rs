//! Plan, then act: a tool that changes the world computes a typed plan, prints it with
//! `--dry-run`, then executes it against the release's ledger, which records every finished
//! step so that a re-run resumes after a crash and refuses to redo a step with other inputs.

pub mod git_notes;
pub mod plan;
