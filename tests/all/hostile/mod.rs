//! The permanent adversarial suite (issue 19): hostile input reaching every tool's output under
//! GitHub Actions, credentials echoed by hostile servers, hostile HTTP servers on 127.0.0.1.
//! Everything hostile is generated at test time; nothing hostile is committed.
#![allow(clippy::unwrap_used)]

pub(crate) mod argv;
mod crash;
mod injection;
mod preflight;
mod secrets;
mod servers;

use crate::support::Run;
use release_kit::ci::github::{is_command_line, runner_lines};

/// A payload that, printed raw, would run workflow commands: a CR (a line break to the
/// runner), a `::warning::` command, and legacy `##[...]` commands anywhere in a line.
pub const PAYLOAD: &str =
    "x\r::warning::INJECTED\r\n::stop-commands::pwn ##[set-output name=pwned]1 ##[error]INJECTED";

/// The workflow commands release-kit itself emits.
fn ours(line: &str) -> bool {
    let l = line.trim_start();
    [
        "::error ",
        "::warning ",
        "::notice ",
        "::group::",
        "::endgroup::",
        "::add-mask::",
    ]
    .iter()
    .any(|p| l.starts_with(p))
        || l == "::error::"
        || l.starts_with("::error::") && !l.starts_with("::error::INJECTED")
}

/// Reads stdout and stderr as the Actions runner does (LF, CRLF and a bare CR end a line) and
/// asserts that no line would run a command other than release-kit's own, and that no legacy
/// `##[` command is anywhere. Returns how many lines were checked.
pub fn assert_inert(r: &Run) -> usize {
    let mut n = 0;
    for (stream, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        for line in runner_lines(text) {
            n += 1;
            assert!(
                !line.contains("##["),
                "{stream} carries a legacy command: {line:?}\n{text}"
            );
            if is_command_line(line) {
                assert!(
                    ours(line),
                    "{stream} carries an injected command: {line:?}\n{text}"
                );
                assert!(
                    !line.trim_start().starts_with("::warning::INJECTED")
                        && !line.trim_start().starts_with("::stop-commands"),
                    "{stream}: {line:?}"
                );
            }
        }
    }
    n
}

#[test]
fn the_checker_catches_what_the_runner_would_run() {
    let raw = Run {
        code: 0,
        stdout: format!("tag {PAYLOAD}\n"),
        stderr: String::new(),
    };
    let caught = std::panic::catch_unwind(|| assert_inert(&raw));
    assert!(caught.is_err(), "a raw payload must be caught");
}
