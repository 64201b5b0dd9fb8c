//! Runs a command through [`Cmd`] and measures it as hyperfine does: wall-clock time, and the
//! user and system CPU time of the command and of every descendant it waited for (the change in
//! `getrusage(RUSAGE_CHILDREN)` across the run).
//!
//! The CPU times are exact only when no other child of this process ends during the run; the
//! tools that time commands run them one at a time.

use crate::outside::process::{Cmd, CmdError, Output};
use nix::sys::resource::{getrusage, UsageWho};
use nix::sys::time::TimeValLike;
use std::time::{Duration, Instant};

/// A finished command with its times.
#[derive(Debug, Clone)]
pub struct Timed {
    /// What it printed.
    pub output: Output,
    /// Wall-clock time from spawn to exit.
    pub wall: Duration,
    /// User CPU time of the command and its waited-for descendants.
    pub user: Duration,
    /// System CPU time of the command and its waited-for descendants.
    pub sys: Duration,
}

/// User and system CPU time of every child this process has waited for so far.
fn children_cpu() -> (Duration, Duration) {
    let to_duration = |tv: nix::sys::time::TimeVal| {
        Duration::from_micros(u64::try_from(tv.num_microseconds()).unwrap_or(0))
    };
    // getrusage(RUSAGE_CHILDREN) cannot fail with a valid `who`; zero keeps a run measurable.
    getrusage(UsageWho::RUSAGE_CHILDREN).map_or((Duration::ZERO, Duration::ZERO), |u| {
        (to_duration(u.user_time()), to_duration(u.system_time()))
    })
}

/// Runs `cmd`, requiring it to succeed, and measures it.
pub fn run(cmd: &Cmd) -> Result<Timed, CmdError> {
    let (user0, sys0) = children_cpu();
    let started = Instant::now();
    let output = cmd.run()?;
    let wall = started.elapsed();
    let (user1, sys1) = children_cpu();
    Ok(Timed {
        output,
        wall,
        user: user1.saturating_sub(user0),
        sys: sys1.saturating_sub(sys0),
    })
}
