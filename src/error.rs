//! The library's error: an exit class (the exit code every tool shares) and the typed error of
//! the module that failed as its source. This module imports no other module of the crate: a
//! module's error type implements [`Classify`] and converts into [`Error`] with `?`.

use std::path::PathBuf;

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

/// A module's typed error knows its exit class.
pub trait Classify {
    fn exit_code(&self) -> ExitCode;
}

/// The error of any library call: its exit class and what went wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A module's typed error (git, svn, gpg, HTTP, configuration, ...), with its exit class.
    #[error(transparent)]
    Module(ModuleError),
    /// Bad usage or input that no module owns; the message says what to do.
    #[error("{0}")]
    Usage(String),
    /// The check ran and found a problem that stops the tool; the message says what to do.
    #[error("{0}")]
    Problem(String),
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A module's error inside [`Error`]: shown as itself, with its exit class beside it.
#[derive(Debug)]
pub struct ModuleError {
    exit: ExitCode,
    inner: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl std::fmt::Display for ModuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl std::error::Error for ModuleError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}

impl<E> From<E> for Error
where
    E: Classify + std::error::Error + Send + Sync + 'static,
{
    fn from(e: E) -> Self {
        Error::Module(ModuleError {
            exit: e.exit_code(),
            inner: Box::new(e),
        })
    }
}

impl Error {
    pub(crate) fn exit_code(&self) -> ExitCode {
        match self {
            Error::Module(m) => m.exit,
            Error::Usage(_) | Error::Io { .. } => ExitCode::Usage,
            Error::Problem(_) => ExitCode::Problems,
        }
    }

    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// The module error behind this one, when it is of type `E` (e.g. an HTTP 404).
    pub(crate) fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        match self {
            Error::Module(m) => m.inner.downcast_ref::<E>(),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("the service is down")]
    struct Down;

    impl Classify for Down {
        fn exit_code(&self) -> ExitCode {
            ExitCode::Outside
        }
    }

    #[test]
    fn a_module_error_keeps_its_exit_class_message_and_type() {
        let e: Error = Down.into();
        assert_eq!(e.exit_code(), ExitCode::Outside);
        assert_eq!(e.to_string(), "the service is down");
        assert!(e.downcast_ref::<Down>().is_some());
        assert!(e.downcast_ref::<std::io::Error>().is_none());
    }
}
