//! Release models (`tags.model`): stage-rc's rc gate follows the configured model, with real
//! git: a maintenance branch (the default, tested by stage_rc), a branch per release, the trunk.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use crate::support::release::{cut_rc1, export, git_at, keyring, Keyring};
use crate::support::{self, run, Run};

struct Sample {
    _sample: tempfile::TempDir,
    base: tempfile::TempDir,
    repo: PathBuf,
    key: Keyring,
}

fn sample() -> Option<Sample> {
    if !["git", "gpg"].iter().all(|t| support::require_tool(t)) {
        return None;
    }
    let key = keyring("Alice Andersen <alice@example.org>", "ed25519", "2y", None);
    let (sample, repo) = support::sample_repo();
    cut_rc1(&repo);
    let base = tempfile::tempdir().unwrap();
    std::fs::write(base.path().join("KEYS"), export(&key)).unwrap();
    std::fs::create_dir_all(base.path().join("dist/dev/hello")).unwrap();
    Some(Sample {
        _sample: sample,
        base,
        repo,
        key,
    })
}

impl Sample {
    /// `stage-rc --dry-run` of 1.1.0-rc1 under `model` (and `branch` when given): the rc gate
    /// runs while planning.
    fn plan(&self, model: &str, branch: Option<&str>) -> Run {
        let mut c = support::tool("stage-rc", &self.repo);
        c.env("GNUPGHOME", self.key.dir.path())
            .env("RELEASE_KIT_DIST_SOURCE", "git-archive")
            .env(
                "RELEASE_KIT_DIST_DEV",
                self.base.path().join("dist/dev/hello"),
            )
            .env("RELEASE_KIT_SIGNING_KEYS", self.base.path().join("KEYS"))
            .env("RELEASE_KIT_TAG", "1.1.0-rc1")
            .env("RELEASE_KIT_VOTE_START", "2026-03-06T18:00:00Z")
            .env("RELEASE_KIT_OUT", self.base.path().join("out"))
            .env("RELEASE_KIT_TAGS_MODEL", model);
        if let Some(b) = branch {
            c.env("RELEASE_KIT_TAGS_BRANCH", b);
        }
        c.arg("--dry-run");
        run(c)
    }
}

#[test]
fn release_model_per_release_gates_on_the_release_own_branch() {
    let Some(s) = sample() else {
        return;
    };
    // The candidate is on 1.1.x, but this model wants release/1.1.0.
    let r = s.plan("per-release", None);
    r.assert_code(2);
    assert!(
        r.stderr
            .contains("the release's own branch release/1.1.0 does not exist")
            && r.stderr.contains("git checkout -b release/1.1.0"),
        "{}",
        r.stderr
    );
    git_at(&s.repo, &["branch", "release/1.1.0", "1.1.0-rc1"]);
    let r = s.plan("per-release", None);
    r.assert_code(0);
    assert!(
        r.stdout.contains("release/1.1.0") || r.stdout.contains("1.1.0-rc1"),
        "{}",
        r.stdout
    );
}

#[test]
fn release_model_trunk_gates_on_the_trunk() {
    let Some(s) = sample() else {
        return;
    };
    // The sample's trunk is master; the candidate was tagged on 1.1.x, not on it.
    let r = s.plan("trunk", Some("master"));
    r.assert_code(2);
    assert!(
        r.stderr.contains("is not on the trunk master")
            && r.stderr.contains("tags.model = \"trunk\""),
        "{}",
        r.stderr
    );
    // A trunk named main (the model's default) holding the candidate passes.
    let r = s.plan("trunk", None);
    r.assert_code(2);
    assert!(
        r.stderr.contains("the trunk main does not exist"),
        "{}",
        r.stderr
    );
    git_at(&s.repo, &["branch", "main", "1.1.0-rc1"]);
    s.plan("trunk", None).assert_code(0);
    // The maintenance model (the default) still gates on 1.1.x.
    s.plan("maintenance", None).assert_code(0);
    let r = s.plan("gitflow", None);
    r.assert_code(2);
    assert!(r.stderr.contains("tags.model"), "{}", r.stderr);
}

#[test]
fn stage_rc_failing_make_dist_is_exit_1() {
    let Some(s) = sample() else {
        return;
    };
    let mut c = support::tool("stage-rc", &s.repo);
    c.env("GNUPGHOME", s.key.dir.path())
        .env("RELEASE_KIT_DIST_SOURCE", "make-dist")
        .env(
            "RELEASE_KIT_DIST_MAKE_DIST",
            "echo \"make: *** No rule to make target 'dist'.  Stop.\" >&2; exit 2",
        )
        .env("RELEASE_KIT_DIST_DEV", s.base.path().join("dist/dev/hello"))
        .env("RELEASE_KIT_SIGNING_KEYS", s.base.path().join("KEYS"))
        .env("RELEASE_KIT_TAG", "1.1.0-rc1")
        .env("RELEASE_KIT_VOTE_START", "2026-03-06T18:00:00Z")
        .env("RELEASE_KIT_OUT", s.base.path().join("out"));
    let r = run(c);
    // The project is not releasable at this tag: a found problem, not an outside failure.
    r.assert_code(1);
    assert!(
        r.stderr
            .contains("(dist.make_dist) failed at tag 1.1.0-rc1")
            && r.stderr.contains("No rule to make target")
            && r.stderr.contains("tag a new candidate"),
        "{}",
        r.stderr
    );
    let staged: Vec<_> = std::fs::read_dir(s.base.path().join("dist/dev/hello"))
        .unwrap()
        .collect();
    assert!(staged.is_empty(), "nothing is staged: {staged:?}");
}

#[test]
fn release_kit_now_is_the_vote_start_when_none_is_given() {
    let Some(s) = sample() else {
        return;
    };
    let mut c = support::tool("stage-rc", &s.repo);
    c.env("GNUPGHOME", s.key.dir.path())
        .env("RELEASE_KIT_DIST_SOURCE", "git-archive")
        .env("RELEASE_KIT_DIST_DEV", s.base.path().join("dist/dev/hello"))
        .env("RELEASE_KIT_SIGNING_KEYS", s.base.path().join("KEYS"))
        .env("RELEASE_KIT_TAG", "1.1.0-rc1")
        .env("RELEASE_KIT_NOW", "2026-04-01T09:30:00Z")
        .env("RELEASE_KIT_OUT", s.base.path().join("out"))
        .args(["--dry-run", "--format", "json"]);
    let r = run(c);
    r.assert_code(0);
    assert!(
        r.stdout.contains("2026-04-01T09:30:00Z"),
        "the vote starts at RELEASE_KIT_NOW:\n{}",
        r.stdout
    );
    let mut c = support::tool("stage-rc", &s.repo);
    c.env("GNUPGHOME", s.key.dir.path())
        .env("RELEASE_KIT_DIST_DEV", s.base.path().join("dist/dev/hello"))
        .env("RELEASE_KIT_SIGNING_KEYS", s.base.path().join("KEYS"))
        .env("RELEASE_KIT_TAG", "1.1.0-rc1")
        .env("RELEASE_KIT_NOW", "yesterday")
        .arg("--dry-run");
    let r = run(c);
    r.assert_code(2);
    assert!(
        r.stderr.contains("RELEASE_KIT_NOW `yesterday`"),
        "{}",
        r.stderr
    );
}
