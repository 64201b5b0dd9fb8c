//! The crash matrix: stage-rc killed with SIGKILL at moments spread over a real run (not only
//! between steps, as the fault-injection tests do), then re-run; the end state (the candidate in
//! dist, the tag and the ledger on the remote, the files in --out) must equal an uninterrupted
//! run's. A kill may land inside a git write and leave its ref lock behind: the re-run must
//! break it, not fail.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::release::{cut_rc1, export, keyring, Keyring};
use crate::support::{self, run, tool, Run};

struct Stage {
    _sample: tempfile::TempDir,
    repo: PathBuf,
    origin: PathBuf,
    keys: PathBuf,
    dist: PathBuf,
    out: PathBuf,
    key: Keyring,
}

impl Stage {
    fn new() -> Stage {
        let key = keyring("Alice Andersen <alice@example.org>", "ed25519", "2y", None);
        let (sample, repo) = support::sample_repo();
        let origin = repo.parent().unwrap().join("origin.git");
        cut_rc1(&repo);
        let keys = sample.path().join("KEYS");
        std::fs::write(&keys, export(&key)).unwrap();
        let dist = sample.path().join("dist/dev/hello");
        std::fs::create_dir_all(&dist).unwrap();
        let out = sample.path().join("out");
        Stage {
            _sample: sample,
            repo,
            origin,
            keys,
            dist,
            out,
            key,
        }
    }

    fn cmd(&self) -> Command {
        let mut c = tool("stage-rc", &self.repo);
        c.env("GNUPGHOME", self.key.dir.path())
            .env("RELEASE_KIT_DIST_DEV", &self.dist)
            .env("RELEASE_KIT_DIST_SOURCE", "git-archive")
            .env("RELEASE_KIT_SIGNING_KEYS", &self.keys)
            .env("RELEASE_KIT_VOTE_START", "2026-11-02T17:00:00Z")
            .args(["--tag", "1.1.0-rc1", "--out"])
            .arg(&self.out);
        c
    }

    fn stage(&self) -> Run {
        run(self.cmd())
    }

    /// Starts a run and kills it (SIGKILL) after `after`; whether it was still running.
    fn kill_after(&self, after: Duration) -> bool {
        let mut child = self
            .cmd()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while start.elapsed() < after {
            if child.try_wait().unwrap().is_some() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = child.kill();
        let _ = child.wait();
        true
    }

    /// What a finished staging leaves: the candidate's files (the tarball and checksum by
    /// content; the signature by name, as it carries its time), the tag and the ledger's
    /// finished steps on the remote, and the files in --out.
    fn end_state(&self) -> Vec<String> {
        let mut state = Vec::new();
        let cand = self.dist.join("1.1.0-rc1");
        for name in sorted(&cand) {
            let path = cand.join(&name);
            if name.ends_with(".asc") {
                state.push(format!("dist {name}"));
            } else {
                state.push(format!("dist {name} {}", sha(&path)));
            }
        }
        state.push(format!("out {:?}", sorted(&self.out)));
        let git = |args: &[&str]| {
            let o = Command::new("git")
                .arg("--git-dir")
                .arg(&self.origin)
                .args(args)
                .output()
                .unwrap();
            String::from_utf8_lossy(&o.stdout).trim().to_string()
        };
        state.push(format!(
            "tag {}",
            git(&["rev-parse", "refs/tags/1.1.0-rc1"])
        ));
        let commit = git(&["rev-parse", "1.1.0-rc1^{commit}"]);
        let notes = git(&["notes", "--ref=refs/notes/release-kit", "show", &commit]);
        let ledger: serde_json::Value = serde_json::from_str(&notes).unwrap_or_default();
        let steps: Vec<String> = ledger
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .flat_map(|l| l["steps"].as_array().cloned().unwrap_or_default())
            .map(|s| s["id"].as_str().unwrap_or_default().to_string())
            .collect();
        state.push(format!("ledger {steps:?}"));
        state
    }
}

fn sorted(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.ends_with(".log") && !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn sha(path: &Path) -> String {
    release_kit::verify::checksum::hash_file(release_kit::verify::checksum::Algorithm::Sha512, path)
        .unwrap()
}

#[test]
fn stage_rc_killed_at_any_moment_resumes_to_the_same_end_state() {
    if !["git", "gpg"].iter().all(|t| support::require_tool(t)) {
        return;
    }
    let reference = Stage::new();
    let start = Instant::now();
    reference.stage().assert_code(0);
    let took = start.elapsed();
    let want = reference.end_state();
    assert!(want.iter().any(|l| l.starts_with("dist ")), "{want:?}");
    drop(reference);
    // Kills spread over the run, not only between steps.
    let (mut cases, mut killed_mid_run, mut divergences) = (0, 0, Vec::new());
    for k in 1..=6u32 {
        let fx = Stage::new();
        let at = took * k / 7;
        let killed = fx.kill_after(at);
        killed_mid_run += usize::from(killed);
        let rerun = fx.stage();
        cases += 1;
        if rerun.code != 0 {
            divergences.push(format!(
                "killed at {at:?} (killed: {killed}): re-run exit {}\n{}",
                rerun.code, rerun.stderr
            ));
            continue;
        }
        let got = fx.end_state();
        if got != want {
            divergences.push(format!("killed at {at:?}: {got:#?}\nwanted {want:#?}"));
        }
    }
    eprintln!(
        "crash matrix (stage-rc): {cases} cases, {killed_mid_run} killed mid-run, {} divergences",
        divergences.len()
    );
    assert!(
        killed_mid_run > 0,
        "no kill landed while stage-rc ran (it took {took:?})"
    );
    assert!(
        divergences.is_empty(),
        "{} of {cases} crash cases diverged:\n{}",
        divergences.len(),
        divergences.join("\n")
    );
}
