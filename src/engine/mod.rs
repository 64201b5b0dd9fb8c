//! Plan, then act: a tool that changes the world computes a typed [`plan::Plan`] (its
//! [`plan::StepKind`]s with their inputs), prints it with `--dry-run`, then [`execute::execute`]s
//! it against the release's [`ledger::Ledger`], which records every finished step (in git notes
//! on the tagged commit, [`git_notes`], or a file) so that a re-run resumes after a crash and
//! refuses to redo a step with other inputs. [`candidate`] is stage-rc's ledger as the other
//! tools read it.

pub mod candidate;
pub mod execute;
pub mod git_notes;
pub mod ledger;
pub(crate) mod ledger_lock;
pub mod plan;
pub mod status;
