//! Secrets never reach a child's argv (issue 19): PATH shims named after the tools release-kit
//! runs (git, gpg, svn, svnmucc, rpmsign...) log every command line they are started with, then
//! exec the real tool; the tests that hold secrets (tests/all/stage_rc.rs,
//! tests/all/publish_dist.rs, tests/all/build_rpms.rs) assert no secret, nor any form a server
//! or a log would carry (base64, Basic auth, each line of an armored key), is in the log.
#![allow(clippy::unwrap_used)]

use std::ffi::OsString;
use std::path::PathBuf;

use release_kit::outside::secrets::{basic_forms, forms};

/// A directory of logging shims, put first on a child's PATH.
pub struct ArgvLog {
    dir: tempfile::TempDir,
    pub log: PathBuf,
}

impl ArgvLog {
    /// Shims for every tool in `tools` found on PATH (a missing one gets none).
    pub fn new(tools: &[&str]) -> ArgvLog {
        let dir = tempfile::Builder::new()
            .prefix("rk-argv.")
            .tempdir()
            .unwrap();
        let log = dir.path().join("argv.log");
        std::fs::write(&log, "").unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        for name in tools {
            let Some(real) = release_kit::outside::process::find_on_path(name) else {
                continue;
            };
            let shim = bin.join(name);
            // One line per start: the program name and each argument, space-separated (an
            // argument's own newlines are kept as `\n`, so a line is one command).
            std::fs::write(
                &shim,
                format!(
                    "#!/bin/sh\n\
                     {{ printf '%s' '{name}'; for a in \"$@\"; do printf ' %s' \"$a\" | sed ':a;N;$!ba;s/\\n/\\\\n/g'; done; printf '\\n'; }} >> '{log}'\n\
                     exec '{real}' \"$@\"\n",
                    log = log.display(),
                    real = real.display(),
                ),
            )
            .unwrap();
            std::fs::set_permissions(&shim, std::os::unix::fs::PermissionsExt::from_mode(0o755))
                .unwrap();
        }
        ArgvLog { dir, log }
    }

    /// The PATH for a child: the shims first, then the test's own PATH.
    pub fn path(&self) -> OsString {
        let mut p = self.dir.path().join("bin").into_os_string();
        if let Some(rest) = std::env::var_os("PATH") {
            p.push(":");
            p.push(rest);
        }
        p
    }

    /// Every logged command line.
    pub fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Asserts that every tool in `expected` was started at least once (so the shims were on
    /// the path and the check below saw real work), and that no logged command line carries a
    /// secret in `secrets` (each with its forms) nor the Basic-auth forms of `logins`
    /// (user, password). Returns how many command lines were checked.
    pub fn assert_no_secret(
        &self,
        expected: &[&str],
        secrets: &[&str],
        logins: &[(&str, &str)],
    ) -> usize {
        let lines = self.lines();
        for tool in expected {
            assert!(
                lines.iter().any(|l| l.split(' ').next() == Some(*tool)),
                "{tool} was never started through the shims:\n{}",
                lines.join("\n")
            );
        }
        let mut watched: Vec<String> = secrets.iter().flat_map(|s| forms(s)).collect();
        for (user, password) in logins {
            watched.extend(basic_forms(user, password));
        }
        watched.retain(|w| w.len() >= 6);
        for line in &lines {
            for w in &watched {
                assert!(
                    !line.contains(w.as_str()),
                    "a secret ({}...) is in a child's argv: {line}",
                    &w[..4]
                );
            }
        }
        lines.len()
    }
}

#[test]
fn the_argv_log_catches_a_secret_in_argv() {
    let log = ArgvLog::new(&["echo"]);
    let out = std::process::Command::new("echo")
        .env("PATH", log.path())
        .args(["--password", "hunter2-secret"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(log.lines(), ["echo --password hunter2-secret"]);
    let caught =
        std::panic::catch_unwind(|| log.assert_no_secret(&["echo"], &["hunter2-secret"], &[]));
    assert!(caught.is_err(), "a secret in argv must be caught");
    let log = ArgvLog::new(&["echo"]);
    std::process::Command::new("echo")
        .env("PATH", log.path())
        .arg(release_kit::outside::secrets::base64(b"rm:hunter2-secret"))
        .output()
        .unwrap();
    let caught = std::panic::catch_unwind(|| {
        log.assert_no_secret(&["echo"], &[], &[("rm", "hunter2-secret")])
    });
    assert!(caught.is_err(), "a Basic-auth form in argv must be caught");
}
