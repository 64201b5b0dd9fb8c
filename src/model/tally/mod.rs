//! The vote tally, pure: a [VOTE] thread (mbox or Pony Mail JSON) read strictly ([`thread`],
//! [`text`]), each voter's last vote counted against the PMC roster ([`roster`]) and the
//! configured policy ([`count`]), and what a person reads of it ([`render`]). publish-dist's
//! `tally` command does the I/O around them.

pub mod count;
pub mod render;
pub mod roster;
pub mod text;
pub mod thread;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

use crate::error::ExitCode;

#[derive(Debug, thiserror::Error)]
pub enum TallyError {
    #[error("the [VOTE] thread {origin} is empty; export the thread again (lists.apache.org: open the thread, then its menu → Download mbox) and pass that file")]
    EmptyThread { origin: String },
    #[error("the [VOTE] thread {origin} cannot be read: {reason}")]
    NotAThread { origin: String, reason: String },
    #[error("{origin} holds replies to `{found}` but not the [VOTE] message that starts the thread (`{want}`): the export begins after it (a monthly mbox?); export the whole thread and pass that")]
    NoVoteMessage {
        origin: String,
        want: String,
        found: String,
    },
    #[error("{origin} is not the vote on this candidate: expected the thread `{want}`, but {}; pass the thread of this candidate, or the tag of that thread", describe_found(found))]
    WrongThread {
        origin: String,
        want: String,
        found: Vec<String>,
    },
    #[error("the Pony Mail thread JSON {origin} has no text for {count} message(s) (e.g. {example}): Pony Mail's thread API returns only the first message in full; download the thread as mbox instead (lists.apache.org: the thread's menu → Download mbox)")]
    PonyWithoutText {
        origin: String,
        count: usize,
        example: String,
    },
    #[error("{origin} hides the senders' addresses (e.g. `{example}`): Pony Mail shows full addresses only to logged-in users, and binding votes are matched by address; export the thread as mbox, or fetch the JSON while logged in")]
    HiddenAddresses { origin: String, example: String },
    #[error("roster {}{}: {message}; see docs/publish-dist.md (Roster) for the format", path.display(), line.map(|l| format!(" line {l}")).unwrap_or_default())]
    BadRoster {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("no roster: pass --roster FILE (RELEASE_KIT_ROSTER) or set vote.roster in release.toml; the roster lists the PMC members whose votes are binding (see docs/publish-dist.md)")]
    NoRoster,
    #[error("--thread {url} is plain http; fetch the thread over https (plain http is allowed only from this machine, 127.0.0.1 or localhost)")]
    InsecureUrl { url: String },
    #[error("the stage-rc ledger of {tag} records the deadline `{value}`, which is not a time; repair the ledger (git notes --ref=release-kit) or re-run stage-rc")]
    BadLedger { tag: String, value: String },
}

fn describe_found(found: &[String]) -> String {
    if found.is_empty() {
        return "it holds no [VOTE] message at all".into();
    }
    let shown: Vec<String> = found.iter().take(5).map(|s| format!("`{s}`")).collect();
    let more = if found.len() > 5 {
        format!(" and {} more", found.len() - 5)
    } else {
        String::new()
    };
    format!("it holds the vote {}{more}", shown.join(", "))
}

impl crate::error::Classify for TallyError {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Usage
    }
}
