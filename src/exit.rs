//! The exit codes every release-kit tool shares.

use serde::Serialize;

/// How a tool ended. The numbers are part of the public contract and identical in every tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExitCode {
    /// 0: everything passed or was done.
    Ok = 0,
    /// 1: the check ran and found problems.
    Problems = 1,
    /// 2: bad usage, configuration or input.
    Usage = 2,
    /// 3: an outside failure (network, a service, a tool that crashed or is missing).
    Outside = 3,
}

impl ExitCode {
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        std::process::ExitCode::from(code.code())
    }
}
