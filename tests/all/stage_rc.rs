//! stage-rc end to end: the real binary on the sample project with real git, svn and gpg in
//! temporary directories; GitHub and Nexus through wiremock on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::release::{cut_rc1, export, git_at, gpg, keyring, svn, svn_dist, Keyring};
use crate::support::{self, git, run, tool, Run};

const START: &str = "2026-03-06T18:00:00Z";

/// The sample project with branch 1.1.x and tag 1.1.0-rc1, a signing key listed in KEYS, and a
/// local dist dev directory.
struct Fx {
    _sample: tempfile::TempDir,
    base: tempfile::TempDir,
    repo: PathBuf,
    origin: PathBuf,
    key: Keyring,
    keys: PathBuf,
    dist: String,
    out: PathBuf,
    env: Vec<(String, String)>,
}

fn have_tools() -> bool {
    ["git", "gpg", "svn", "svnadmin"]
        .iter()
        .all(|t| support::require_tool(t))
}

impl Fx {
    fn new() -> Fx {
        Fx::with_key(keyring(
            "Alice Andersen <alice@example.org>",
            "ed25519",
            "2y",
            None,
        ))
    }

    fn with_key(key: Keyring) -> Fx {
        let (sample, repo) = support::sample_repo();
        let origin = repo.parent().unwrap().join("origin.git");
        cut_rc1(&repo);
        let base = tempfile::tempdir().unwrap();
        let keys = base.path().join("KEYS");
        std::fs::write(&keys, export(&key)).unwrap();
        let dist = base.path().join("dist/dev/hello");
        std::fs::create_dir_all(&dist).unwrap();
        let out = base.path().join("out");
        Fx {
            _sample: sample,
            repo,
            origin,
            keys,
            dist: dist.display().to_string(),
            out,
            key,
            base,
            env: vec![("RELEASE_KIT_DIST_SOURCE".into(), "git-archive".into())],
        }
    }

    fn svn_dist(&mut self) -> String {
        let url = svn_dist(
            &self.base.path().join("svnrepo"),
            &["dev/hello", "release/hello"],
        );
        self.dist = format!("{url}/dev/hello");
        url
    }

    fn stage(&self, args: &[&str]) -> Run {
        self.stage_env(args, &[])
    }

    fn stage_env(&self, args: &[&str], extra: &[(&str, &str)]) -> Run {
        let mut c = tool("stage-rc", &self.repo);
        c.env("GNUPGHOME", self.key.dir.path())
            .env("RELEASE_KIT_DIST_DEV", &self.dist)
            .env("RELEASE_KIT_SIGNING_KEYS", &self.keys)
            .env("RELEASE_KIT_TAG", "1.1.0-rc1")
            .env("RELEASE_KIT_VOTE_START", START)
            .env("RELEASE_KIT_OUT", &self.out);
        for (k, v) in &self.env {
            c.env(k, v);
        }
        for (k, v) in extra {
            c.env(k, v);
        }
        c.args(args);
        run(c)
    }

    fn commit(&self) -> String {
        git(&self.repo, &["rev-parse", "1.1.0-rc1^{commit}"])
            .trim()
            .to_string()
    }

    /// The ledger as pushed to the remote.
    fn remote_ledger(&self) -> serde_json::Value {
        let out = Command::new("git")
            .args(["--git-dir"])
            .arg(&self.origin)
            .args([
                "notes",
                "--ref=refs/notes/release-kit",
                "show",
                &self.commit(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "no ledger on the remote: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn candidate_dir(&self) -> PathBuf {
        PathBuf::from(&self.dist).join("1.1.0-rc1")
    }
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn stages_the_sample_rc_into_a_local_directory_and_a_rerun_redoes_nothing() {
    if !have_tools() {
        return;
    }
    let fx = Fx::new();
    let r = fx.stage(&[]);
    r.assert_code(0);
    assert!(r.stdout.contains("[to do] source-tarball"), "{}", r.stdout);
    let dir = fx.candidate_dir();
    assert_eq!(
        files_in(&dir),
        [
            "hello-1.1.0.tar.gz",
            "hello-1.1.0.tar.gz.asc",
            "hello-1.1.0.tar.gz.sha512"
        ]
    );
    // The checksum is in sha512sum format and matches.
    let out = Command::new("sha512sum")
        .arg("-c")
        .arg("hello-1.1.0.tar.gz.sha512")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The signature verifies with nothing but KEYS.
    let verifier = tempfile::Builder::new().prefix("rk-v.").tempdir().unwrap();
    assert!(
        gpg(verifier.path(), &["--import", fx.keys.to_str().unwrap()])
            .status
            .success()
    );
    let v = gpg(
        verifier.path(),
        &[
            "--verify",
            dir.join("hello-1.1.0.tar.gz.asc").to_str().unwrap(),
            dir.join("hello-1.1.0.tar.gz").to_str().unwrap(),
        ],
    );
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    let _ = Command::new("gpgconf")
        .args(["--kill", "all"])
        .env("GNUPGHOME", verifier.path())
        .output();
    // The tag was pushed; the ledger lives on the remote.
    let remote_tags = git(&fx.origin, &["tag", "--list"]);
    assert!(remote_tags.contains("1.1.0-rc1"));
    let ledger = fx.remote_ledger();
    let steps: Vec<&str> = ledger["1.1.0-rc1"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "preflight",
            "source-tarball",
            "signing-key",
            "sign",
            "checksum",
            "verify",
            "dist-upload",
            "push-tag",
            "vote-email"
        ]
    );
    // The email is in --out with the computed deadline (Friday 18:00 → Wednesday 18:00 UTC).
    let eml = std::fs::read_to_string(fx.out.join("vote-email.eml")).unwrap();
    assert!(
        eml.contains("Subject: [VOTE] Release Apache Hello 1.1.0 (rc1)\r\n"),
        "{eml}"
    );
    assert!(eml.contains("Wednesday, 11 March 2026, 18:00 UTC"), "{eml}");
    assert!(
        eml.contains("From: Alice Andersen <alice@example.org>"),
        "{eml}"
    );
    // A re-run skips everything and changes nothing.
    let before = support::snapshot_tree(&dir);
    let eml_before = std::fs::read(fx.out.join("vote-email.eml")).unwrap();
    let r = fx.stage(&[]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("0 steps done, 9 already done"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("[to do]"), "{}", r.stdout);
    assert_eq!(support::snapshot_tree(&dir), before);
    assert_eq!(
        std::fs::read(fx.out.join("vote-email.eml")).unwrap(),
        eml_before
    );
}

#[test]
fn vote_email_snapshot() {
    if !have_tools() {
        return;
    }
    let fx = Fx::new();
    fx.stage(&[]).assert_code(0);
    let eml = std::fs::read_to_string(fx.out.join("vote-email.eml"))
        .unwrap()
        .replace("\r\n", "\n");
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&regex::escape(&fx.dist), "[DIST]");
    settings.add_filter(&regex::escape(&fx.keys.display().to_string()), "[KEYS]");
    settings.add_filter(r"\b[0-9a-f]{40}\b", "[COMMIT]");
    settings.add_filter(r"\.[0-9a-f]{12}@", ".[COMMIT12]@");
    settings.bind(|| insta::assert_snapshot!("vote_email", eml));
}

#[test]
fn dry_run_prints_the_plan_and_changes_nothing_anywhere() {
    if !have_tools() {
        return;
    }
    let mut fx = Fx::new();
    let url = fx.svn_dist();
    let head = svn(&["info", "--show-item", "revision", &url]);
    let origin_refs = git(&fx.origin, &["for-each-ref"]);
    let repo_tree = support::snapshot_tree(&fx.repo);
    let repo_refs = git(&fx.repo, &["for-each-ref"]);
    let r = fx.stage(&["--dry-run"]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("plan: stage-rc hello 1.1.0-rc1"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("[to do] dist-upload"), "{}", r.stdout);
    assert!(r.stdout.contains("Adding hello-1.1.0-rc1."), "{}", r.stdout);
    assert_eq!(
        svn(&["info", "--show-item", "revision", &url]),
        head,
        "no dist commit"
    );
    assert_eq!(
        git(&fx.origin, &["for-each-ref"]),
        origin_refs,
        "no tag or ledger push"
    );
    assert_eq!(
        git(&fx.repo, &["for-each-ref"]),
        repo_refs,
        "no local ref changes"
    );
    assert_eq!(support::snapshot_tree(&fx.repo), repo_tree);
    assert!(!fx.out.exists(), "--out is not even created");
    // JSON plan.
    let r = fx.stage(&["--dry-run", "--format", "json"]);
    r.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["steps"][0]["id"], "preflight");
    assert_eq!(v["steps"][0]["state"], "to-do");
    assert_eq!(v["steps"][1]["inputs"]["method"], "git-archive");
    assert_eq!(v["steps"][1]["digest"].as_str().unwrap().len(), 64);
}

#[test]
fn the_source_tarball_is_reproducible_across_machines() {
    if !have_tools() || !support::require_tool("autoreconf") || !support::require_tool("make") {
        return;
    }
    // Two independent "machines": separate clones, keyrings and times.
    let mut hashes = Vec::new();
    for _ in 0..2 {
        let mut fx = Fx::new();
        fx.env = vec![("RELEASE_KIT_DIST_SOURCE".into(), "make-dist".into())];
        let started = std::time::Instant::now();
        fx.stage(&[]).assert_code(0);
        eprintln!("staged with make dist in {:?}", started.elapsed());
        let bytes = std::fs::read(fx.candidate_dir().join("hello-1.1.0.tar.gz")).unwrap();
        // The tarball holds generated files (configure), root-owned, sorted.
        let list = Command::new("tar")
            .args(["-tvzf"])
            .arg(fx.candidate_dir().join("hello-1.1.0.tar.gz"))
            .output()
            .unwrap();
        let list = String::from_utf8_lossy(&list.stdout).into_owned();
        assert!(list.contains("hello-1.1.0/configure\n"), "{list}");
        assert!(list.lines().all(|l| l.contains(" root/root ")), "{list}");
        assert!(
            list.lines().all(|l| l.contains(" 2026-03-05 12:00")),
            "{list}"
        );
        hashes.push((
            bytes,
            std::fs::read_to_string(fx.candidate_dir().join("hello-1.1.0.tar.gz.sha512")).unwrap(),
        ));
    }
    assert_eq!(hashes[0].1, hashes[1].1);
    assert!(hashes[0].0 == hashes[1].0, "byte-identical tarballs");
}

#[test]
fn svn_backend_commits_once_per_candidate_and_marks_older_candidates_superseded() {
    if !have_tools() {
        return;
    }
    let mut fx = Fx::new();
    let url = fx.svn_dist();
    fx.stage(&[]).assert_code(0);
    let log = svn(&["log", &fx.dist]);
    assert!(log.contains("Adding hello-1.1.0-rc1."), "{log}");
    assert_eq!(
        svn(&["list", &format!("{}/1.1.0-rc1", fx.dist)]),
        "hello-1.1.0.tar.gz\nhello-1.1.0.tar.gz.asc\nhello-1.1.0.tar.gz.sha512\n"
    );
    // rc2: a fix on 1.1.x, a new tag; rc1 is marked superseded in the same commit.
    std::fs::write(
        fx.repo.join("NOTICE"),
        "Hello\nCopyright 2026 The Hello Authors.\n",
    )
    .unwrap();
    git_at(&fx.repo, &["commit", "-qam", "Fixed NOTICE."]);
    git_at(
        &fx.repo,
        &["tag", "-a", "1.1.0-rc2", "-m", "Tagging Hello 1.1.0-rc2."],
    );
    fx.stage_env(&["--tag", "1.1.0-rc2"], &[("RELEASE_KIT_TAG", "1.1.0-rc2")])
        .assert_code(0);
    let log = svn(&["log", "-v", "-l", "1", &url]);
    assert!(log.contains("Adding hello-1.1.0-rc2."), "{log}");
    assert!(
        log.contains("A /dev/hello/1.1.0-rc2/hello-1.1.0.tar.gz"),
        "{log}"
    );
    assert!(log.contains("A /dev/hello/1.1.0-rc1/SUPERSEDED"), "{log}");
    let revs = svn(&["log", "-q", &url])
        .lines()
        .filter(|l| l.starts_with('r'))
        .count();
    assert_eq!(revs, 3, "layout + one commit per candidate");
    // With remove_superseded, older candidates leave dev.
    let mut fx3 = fx;
    git_at(
        &fx3.repo,
        &["commit", "-q", "--allow-empty", "-m", "Empty."],
    );
    git_at(
        &fx3.repo,
        &["tag", "-a", "1.1.0-rc3", "-m", "Tagging Hello 1.1.0-rc3."],
    );
    fx3.env
        .push(("RELEASE_KIT_DIST_REMOVE_SUPERSEDED".into(), "true".into()));
    fx3.stage_env(&[], &[("RELEASE_KIT_TAG", "1.1.0-rc3")])
        .assert_code(0);
    let list = svn(&["list", &fx3.dist]);
    assert_eq!(list, "1.1.0-rc3/\n", "{list}");
}

/// Runs svnserve on 127.0.0.1 on a free port; killed on drop.
struct Svnserve {
    child: std::process::Child,
    port: u16,
}

impl Drop for Svnserve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn svnserve(root: &Path) -> Svnserve {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("svnserve")
        .args([
            "--foreground",
            "-d",
            "--listen-host",
            "127.0.0.1",
            "--listen-port",
            &port.to_string(),
            "-r",
        ])
        .arg(root)
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Svnserve { child, port }
}

#[test]
fn svnserve_with_wrong_credentials_is_refused_and_the_right_ones_commit() {
    if !have_tools() || !support::require_tool("svnserve") {
        return;
    }
    let mut fx = Fx::new();
    fx.svn_dist();
    let repo = fx.base.path().join("svnrepo");
    std::fs::write(
        repo.join("conf/svnserve.conf"),
        "[general]\nanon-access = read\nauth-access = write\npassword-db = passwd\nrealm = dist\n",
    )
    .unwrap();
    std::fs::write(repo.join("conf/passwd"), "[users]\nalice = s3cret-pw\n").unwrap();
    let server = svnserve(&repo);
    fx.dist = format!("svn://127.0.0.1:{}/dev/hello", server.port);
    let r = fx.stage_env(
        &[],
        &[
            ("RELEASE_KIT_SVN_USERNAME", "alice"),
            ("RELEASE_KIT_SVN_PASSWORD", "wrong"),
        ],
    );
    r.assert_code(2);
    assert!(r.stderr.contains("refused the credentials"), "{}", r.stderr);
    assert!(
        r.stderr.contains("RELEASE_KIT_SVN_PASSWORD"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("wrong") || !r.stderr.contains("--password wrong"),
        "password never in argv"
    );
    assert!(svn(&["list", &fx.dist]).is_empty(), "nothing committed");
    let r = fx.stage_env(
        &[],
        &[
            ("RELEASE_KIT_SVN_USERNAME", "alice"),
            ("RELEASE_KIT_SVN_PASSWORD", "s3cret-pw"),
        ],
    );
    r.assert_code(0);
    assert!(
        r.stdout.contains("7 steps done, 2 already done") || r.stdout.contains("steps done"),
        "{}",
        r.stdout
    );
    assert_eq!(svn(&["list", &fx.dist]), "1.1.0-rc1/\n");
    assert!(!r.stderr.contains("s3cret-pw"));
}

#[test]
fn an_svn_hook_rejection_commits_nothing_and_the_next_run_completes() {
    if !have_tools() {
        return;
    }
    let mut fx = Fx::new();
    let url = fx.svn_dist();
    let hook = fx.base.path().join("svnrepo/hooks/pre-commit");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho 'dist is frozen for maintenance' >&2\nexit 1\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let r = fx.stage(&[]);
    r.assert_code(1);
    assert!(
        r.stderr.contains("rejected by a hook") && r.stderr.contains("dist is frozen"),
        "{}",
        r.stderr
    );
    assert_eq!(svn(&["list", &format!("{url}/dev/hello")]), "");
    std::fs::remove_file(&hook).unwrap();
    let r = fx.stage(&[]);
    r.assert_code(0);
    assert!(r.stdout.contains("[done] sign"), "{}", r.stdout);
    assert!(
        r.stdout.contains("3 steps done, 6 already done"),
        "{}",
        r.stdout
    );
}

#[test]
fn unreachable_dist_and_unwritable_out_are_explained() {
    if !have_tools() {
        return;
    }
    let mut fx = Fx::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    fx.dist = format!("svn://127.0.0.1:{port}/dev/hello");
    let r = fx.stage(&[]);
    r.assert_code(3);
    assert!(r.stderr.contains("cannot be reached"), "{}", r.stderr);
    let fx = Fx::new();
    let ro = fx.base.path().join("ro");
    std::fs::write(&ro, "a file, not a directory").unwrap();
    let r = fx.stage(&["--out", ro.join("out").to_str().unwrap()]);
    r.assert_code(2);
    assert!(r.stderr.contains("is not writable"), "{}", r.stderr);
}

#[test]
fn a_tarball_name_stage_rc_cannot_write_is_refused_before_anything_is_made() {
    if !have_tools() {
        return;
    }
    let fx = Fx::new();
    let r = fx.stage_env(
        &[],
        &[("RELEASE_KIT_PROJECT_TARBALL", "{name}-{version}.zip")],
    );
    r.assert_code(2);
    assert!(
        r.stderr.contains("hello-1.1.0.zip") && r.stderr.contains("change project.tarball"),
        "{}",
        r.stderr
    );
    assert!(!fx.out.exists());
}

#[test]
fn a_neutral_project_with_an_apache_default_left_is_refused_before_anything_is_made() {
    if !have_tools() {
        return;
    }
    let fx = Fx::new();
    // Not an Apache project, but its vote would still go to an apache.org list.
    let r = fx.stage_env(
        &[
            "--set",
            "wording.preset=neutral",
            "--set",
            "mail.dev=dev@{name}.apache.org",
        ],
        &[],
    );
    r.assert_code(2);
    assert!(
        r.stderr.contains("mail.dev = \"dev@hello.apache.org\"")
            && r.stderr.contains("set them in release.toml"),
        "{}",
        r.stderr
    );
    assert!(!fx.out.exists());
    assert!(!git(&fx.origin, &["tag", "--list"]).contains("1.1.0-rc1"));
}

#[test]
fn bad_tags_are_refused_with_the_fix() {
    if !have_tools() {
        return;
    }
    let fx = Fx::new();
    // Lightweight tag.
    git_at(&fx.repo, &["tag", "1.1.0-rc2"]);
    let r = fx.stage_env(&[], &[("RELEASE_KIT_TAG", "1.1.0-rc2")]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("lightweight") && r.stderr.contains("git tag -a 1.1.0-rc2"),
        "{}",
        r.stderr
    );
    git_at(&fx.repo, &["tag", "-d", "1.1.0-rc2"]);
    // Skipped number.
    git_at(&fx.repo, &["tag", "-a", "1.1.0-rc3", "-m", "x"]);
    let r = fx.stage_env(&[], &[("RELEASE_KIT_TAG", "1.1.0-rc3")]);
    r.assert_code(2);
    assert!(r.stderr.contains("skips candidate rc2"), "{}", r.stderr);
    git_at(&fx.repo, &["tag", "-d", "1.1.0-rc3"]);
    // Not on the release branch.
    git_at(&fx.repo, &["checkout", "-q", "master"]);
    git_at(
        &fx.repo,
        &["commit", "-q", "--allow-empty", "-m", "On master."],
    );
    git_at(&fx.repo, &["tag", "-a", "1.1.0-rc2", "-m", "x"]);
    let r = fx.stage_env(&[], &[("RELEASE_KIT_TAG", "1.1.0-rc2")]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("not on the release branch 1.1.x"),
        "{}",
        r.stderr
    );
    // WIP heading (master's CHANGELOG still says WIP), tagged on 1.1.x.
    git_at(&fx.repo, &["checkout", "-q", "1.1.x"]);
    git_at(&fx.repo, &["tag", "-d", "1.1.0-rc2"]);
    let cl = fx.repo.join("CHANGELOG");
    let t = std::fs::read_to_string(&cl).unwrap();
    std::fs::write(&cl, t.replace("Version 1.1.0\n", "Version 1.1.0 (WIP)\n")).unwrap();
    git_at(&fx.repo, &["commit", "-qam", "WIP again."]);
    git_at(&fx.repo, &["tag", "-a", "1.1.0-rc2", "-m", "x"]);
    let r = fx.stage_env(&[], &[("RELEASE_KIT_TAG", "1.1.0-rc2")]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("(WIP)") && r.stderr.contains("remove"),
        "{}",
        r.stderr
    );
    // Version mismatch.
    git_at(&fx.repo, &["tag", "-d", "1.1.0-rc2"]);
    std::fs::write(&cl, t).unwrap();
    let ac = fx.repo.join("configure.ac");
    let a = std::fs::read_to_string(&ac).unwrap();
    std::fs::write(&ac, a.replace("[1.1.0]", "[1.1.1]")).unwrap();
    git_at(&fx.repo, &["commit", "-qam", "Oops."]);
    git_at(&fx.repo, &["tag", "-a", "1.1.0-rc2", "-m", "x"]);
    let r = fx.stage_env(&[], &[("RELEASE_KIT_TAG", "1.1.0-rc2")]);
    r.assert_code(1);
    assert!(r.stderr.contains("configure.ac says 1.1.1"), "{}", r.stderr);
    // Not a candidate tag at all.
    let r = fx.stage_env(&[], &[("RELEASE_KIT_TAG", "1.1.0")]);
    r.assert_code(2);
}

#[test]
fn a_reused_rc_number_with_different_content_is_refused() {
    if !have_tools() {
        return;
    }
    let fx = Fx::new();
    fx.stage(&[]).assert_code(0);
    // Someone moves the tag to a new commit after staging.
    git_at(
        &fx.repo,
        &["commit", "-q", "--allow-empty", "-m", "Late fix."],
    );
    git_at(
        &fx.repo,
        &["tag", "-f", "-a", "1.1.0-rc1", "-m", "Re-tagged."],
    );
    let before = support::snapshot_tree(&fx.candidate_dir());
    let r = fx.stage(&[]);
    r.assert_code(1);
    // Refused before anything runs: the remote holds the first tag object.
    assert!(
        r.stderr.contains("reused with different content") && r.stderr.contains("1.1.0-rc2"),
        "{}",
        r.stderr
    );
    assert_eq!(
        support::snapshot_tree(&fx.candidate_dir()),
        before,
        "dist untouched"
    );
}

#[test]
fn a_changed_vote_start_is_refused_naming_the_difference() {
    if !have_tools() {
        return;
    }
    let fx = Fx::new();
    fx.stage(&[]).assert_code(0);
    let r = fx.stage(&["--vote-start", "2026-03-09T09:00:00Z"]);
    r.assert_code(1);
    assert!(r.stderr.contains("step `vote-email`"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("vote_start: was \"2026-03-06T18:00:00Z\", now \"2026-03-09T09:00:00Z\""),
        "{}",
        r.stderr
    );
    // Without --vote-start the recorded one is used.
    let mut c = tool("stage-rc", &fx.repo);
    c.env("GNUPGHOME", fx.key.dir.path())
        .env("RELEASE_KIT_DIST_DEV", &fx.dist)
        .env("RELEASE_KIT_SIGNING_KEYS", &fx.keys)
        .env("RELEASE_KIT_DIST_SOURCE", "git-archive")
        .args(["--tag", "1.1.0-rc1", "--out"])
        .arg(&fx.out);
    run(c).assert_code(0);
}

#[test]
fn signing_keys_missing_from_keys_expired_or_expiring_during_the_vote_are_refused() {
    if !have_tools() {
        return;
    }
    let now = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    // Not in KEYS.
    let fx = Fx::new();
    let other = keyring("Mallory <m@example.org>", "ed25519", "2y", None);
    std::fs::write(&fx.keys, export(&other)).unwrap();
    let r = fx.stage(&[]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("is not in the KEYS file") && r.stderr.contains("gpg --armor --export"),
        "{}",
        r.stderr
    );
    // Expired (made in 2020, valid one year).
    let fx = Fx::with_key(keyring(
        "Old <old@example.org>",
        "ed25519",
        "1y",
        Some("20200101T000000"),
    ));
    let r = fx.stage(&[]);
    r.assert_code(2);
    assert!(r.stderr.contains("expired on 202"), "{}", r.stderr);
    // Expires in 10 days: before a vote starting now ends + 30 days.
    let fx = Fx::with_key(keyring("Soon <soon@example.org>", "ed25519", "10d", None));
    let r = fx.stage(&["--vote-start", &now]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("before the vote ends plus 30 days")
            && r.stderr.contains("--quick-set-expire"),
        "{}",
        r.stderr
    );
    assert!(!fx.out.exists());
}

/// The release manager's key, protected by `passphrase`, as a CI secret holds it: the armoured
/// secret key and the public key, from a throwaway keyring that is then stopped.
fn ci_secret_key(passphrase: &str) -> (String, Vec<u8>) {
    let home = tempfile::Builder::new().prefix("rk-t.").tempdir().unwrap();
    let made = gpg(
        home.path(),
        &[
            "--passphrase",
            passphrase,
            "--pinentry-mode",
            "loopback",
            "--quick-gen-key",
            "CI Signer <ci@example.org>",
            "ed25519",
            "sign",
            "2y",
        ],
    );
    assert!(made.status.success());
    let secret = gpg(
        home.path(),
        &[
            "--passphrase",
            passphrase,
            "--pinentry-mode",
            "loopback",
            "--armor",
            "--export-secret-keys",
        ],
    )
    .stdout;
    let public = gpg(home.path(), &["--armor", "--export"]).stdout;
    let _ = Command::new("gpgconf")
        .args(["--kill", "all"])
        .env("GNUPGHOME", home.path())
        .output();
    (String::from_utf8(secret).unwrap(), public)
}

#[test]
fn signing_in_ci_uses_a_key_from_a_secret_with_a_passphrase_through_stdin() {
    if !have_tools() {
        return;
    }
    // The release manager's key, protected by a passphrase, exported as a CI secret would hold it.
    let (secret, public) = ci_secret_key("correct horse");
    let fx = Fx::new();
    std::fs::write(&fx.keys, public).unwrap();
    let empty = tempfile::Builder::new().prefix("rk-e.").tempdir().unwrap();
    let out_file = fx.base.path().join("github_output");
    std::fs::write(&out_file, "").unwrap();
    let summary = fx.base.path().join("summary.md");
    std::fs::write(&summary, "").unwrap();
    let r = fx.stage_env(
        &[],
        &[
            ("GNUPGHOME", empty.path().to_str().unwrap()),
            ("RELEASE_KIT_SIGNING_SECRET_KEY", &secret),
            ("RELEASE_KIT_SIGNING_PASSPHRASE", "correct horse"),
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_OUTPUT", out_file.to_str().unwrap()),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
    );
    r.assert_code(0);
    assert!(
        r.stdout.contains("::add-mask::correct horse")
            || r.stderr.contains("::add-mask::correct horse")
            || r.stdout.contains("add-mask"),
        "masked\n{}\n{}",
        r.stdout,
        r.stderr
    );
    assert!(
        !r.stderr.contains("correct horse")
            || r.stderr.matches("correct horse").count()
                == r.stderr.matches("::add-mask::correct horse").count()
    );
    let outputs = std::fs::read_to_string(&out_file).unwrap();
    for name in [
        "tarball",
        "sha512",
        "dist-url",
        "nexus-repository",
        "vote-deadline",
        "email",
    ] {
        assert!(
            outputs.contains(&format!("{name}<<")),
            "{name} missing in {outputs}"
        );
    }
    assert!(outputs.contains("2026-03-11T18:00:00Z"), "{outputs}");
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.contains("[VOTE] Release Apache Hello 1.1.0 (rc1)"),
        "{summary}"
    );
    // The user's own keyring was never touched.
    assert_eq!(
        std::fs::read_dir(empty.path())
            .unwrap()
            .filter(|e| e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".kbx"))
            .count(),
        0
    );
}

#[test]
fn vote_email_is_sent_through_smtp() {
    if !have_tools() {
        return;
    }
    let has_aiosmtpd = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !has_aiosmtpd {
        if std::env::var_os("CI").is_some() {
            panic!("aiosmtpd is required in CI (pip install aiosmtpd)");
        }
        eprintln!("skipping: python3 -m pip install aiosmtpd");
        return;
    }
    let fx = Fx::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let maildir = fx.base.path().join("Maildir");
    let mut server = Command::new("python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(&maildir)
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let p = port.to_string();
    let r = fx.stage_env(
        &["--send"],
        &[
            ("RELEASE_KIT_MAIL_SMTP_HOST", "127.0.0.1"),
            ("RELEASE_KIT_MAIL_SMTP_PORT", &p),
            ("RELEASE_KIT_MAIL_SMTP_SECURITY", "none"),
        ],
    );
    let _ = server.kill();
    let _ = server.wait();
    r.assert_code(0);
    let new = maildir.join("new");
    let msgs: Vec<_> = std::fs::read_dir(&new).unwrap().collect();
    assert_eq!(msgs.len(), 1);
    let text = std::fs::read_to_string(msgs[0].as_ref().unwrap().path()).unwrap();
    assert!(
        text.contains("Subject: [VOTE] Release Apache Hello 1.1.0 (rc1)"),
        "{text}"
    );
    assert!(text.contains("To: dev@hello.example.org"), "{text}");
}

/// Crash after each step (before and after it is recorded), re-run, and compare with an
/// uninterrupted run: same files, same ledger, one svn commit.
#[cfg(feature = "fault-injection")]
#[test]
fn crash_after_any_step_resumes_to_the_same_end_state() {
    if !have_tools() {
        return;
    }
    fn end_state(fx: &Fx, url: &str) -> (Vec<String>, Vec<u8>, String, Vec<String>, usize) {
        let dir = format!("{}/1.1.0-rc1", fx.dist);
        let files = svn(&["list", &dir]).lines().map(str::to_string).collect();
        let tarball = Command::new("svn")
            .args(["cat", &format!("{dir}/hello-1.1.0.tar.gz")])
            .output()
            .unwrap()
            .stdout;
        let sha = svn(&["cat", &format!("{dir}/hello-1.1.0.tar.gz.sha512")]);
        let ledger = fx.remote_ledger();
        let steps = ledger["1.1.0-rc1"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect();
        let commits = svn(&["log", "-q", url])
            .lines()
            .filter(|l| l.starts_with('r'))
            .count();
        (files, tarball, sha, steps, commits)
    }
    let mut reference = Fx::new();
    let url = reference.svn_dist();
    reference.stage(&[]).assert_code(0);
    let want = end_state(&reference, &url);
    assert_eq!(want.4, 2);
    let steps = [
        "preflight",
        "source-tarball",
        "signing-key",
        "sign",
        "checksum",
        "verify",
        "dist-upload",
        "push-tag",
        "vote-email",
    ];
    for step in steps {
        for point in ["", ":recorded"] {
            let mut fx = Fx::new();
            let url = fx.svn_dist();
            let spec = format!("{step}{point}");
            let r = fx.stage_env(&[], &[("RELEASE_KIT_FAULT_AFTER_STEP", &spec)]);
            r.assert_code(86);
            // Resume on a "new runner": --out is gone.
            let _ = std::fs::remove_dir_all(&fx.out);
            fx.stage(&[]).assert_code(0);
            let got = end_state(&fx, &url);
            assert_eq!(got.0, want.0, "files after a crash at {spec}");
            assert_eq!(got.1, want.1, "tarball after a crash at {spec}");
            assert_eq!(got.2, want.2, "checksum after a crash at {spec}");
            assert_eq!(got.3, want.3, "ledger after a crash at {spec}");
            assert_eq!(got.4, 2, "one dist commit after a crash at {spec}");
            assert!(fx.out.join("vote-email.eml").exists());
            assert!(fx.out.join("hello-1.1.0.tar.gz.asc").exists());
        }
    }
}

#[cfg(not(feature = "fault-injection"))]
#[test]
fn crash_resume_tests_need_the_fault_injection_feature() {
    if std::env::var_os("CI").is_some() {
        panic!("run the tests with --features fault-injection (scripts/test does)");
    }
    eprintln!("skipping the crash-resume tests: run cargo test --features fault-injection");
}

mod services {
    use super::*;
    use serde_json::json;
    use wiremock::matchers::{header, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn github_env(server: &MockServer) -> Vec<(String, String)> {
        vec![
            ("RELEASE_KIT_DIST_SOURCE".into(), "git-archive".into()),
            (
                "RELEASE_KIT_GITHUB_API_URL".into(),
                format!("{}/", server.uri()),
            ),
            (
                "RELEASE_KIT_GITHUB_UPLOADS_URL".into(),
                format!("{}/", server.uri()),
            ),
            ("RELEASE_KIT_GITHUB_TOKEN".into(), "ghs_test-token".into()),
        ]
    }

    fn release(server: &MockServer) -> serde_json::Value {
        json!({
            "id": 42, "tag_name": "1.1.0-rc1", "name": "Hello 1.1.0-rc1", "draft": true, "prerelease": true,
            "html_url": "https://github.com/apache/hello/releases/tag/untagged-1",
            "upload_url": format!("{}/repos/apache/hello/releases/42/assets{{?name,label}}", server.uri()),
            "assets": []
        })
    }

    #[tokio::test]
    async fn github_draft_prerelease_is_created_and_assets_uploaded_through_a_502() {
        if !have_tools() {
            return;
        }
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/repos/apache/hello/releases"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/repos/apache/hello/releases"))
            .and(header("authorization", "Bearer ghs_test-token"))
            .respond_with(ResponseTemplate::new(201).set_body_json(release(&server)))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/repos/apache/hello/releases/42/assets"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .mount(&server)
            .await;
        // The first tarball upload meets a 502; the retry goes through.
        Mock::given(method("POST"))
            .and(path("/repos/apache/hello/releases/42/assets"))
            .and(query_param("name", "hello-1.1.0.tar.gz"))
            .respond_with(
                ResponseTemplate::new(502).set_body_string("<html>502 Bad Gateway</html>"),
            )
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/repos/apache/hello/releases/42/assets"))
            .respond_with(
                ResponseTemplate::new(201)
                    .set_body_json(json!({"id": 7, "name": "x", "size": 1, "state": "uploaded"})),
            )
            .expect(3)
            .mount(&server)
            .await;
        let mut fx = Fx::new();
        fx.dist = "https://github.com/apache/hello".into();
        fx.env = github_env(&server);
        let r = fx.stage(&[]);
        r.assert_code(0);
        let ledger = fx.remote_ledger();
        let upload = ledger["1.1.0-rc1"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "dist-upload")
            .unwrap()
            .clone();
        assert_eq!(upload["outputs"]["release_id"], 42);
        let eml = std::fs::read_to_string(fx.out.join("vote-email.eml")).unwrap();
        assert!(
            eml.contains(
                "https://github.com/apache/hello/releases/download/1.1.0-rc1/hello-1.1.0.tar.gz"
            ),
            "{eml}"
        );
        let requests = server.received_requests().await.unwrap();
        let create = requests
            .iter()
            .find(|r| r.method.as_str() == "POST" && r.url.path() == "/repos/apache/hello/releases")
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&create.body).unwrap();
        assert_eq!(body["draft"], true);
        assert_eq!(body["prerelease"], true);
        assert_eq!(body["tag_name"], "1.1.0-rc1");
    }

    #[tokio::test]
    async fn dry_run_makes_no_http_write() {
        if !have_tools() {
            return;
        }
        let server = MockServer::start().await;
        for m in ["POST", "PUT", "PATCH", "DELETE"] {
            Mock::given(method(m))
                .respond_with(ResponseTemplate::new(500))
                .expect(0)
                .mount(&server)
                .await;
        }
        let mut fx = Fx::new();
        fx.dist = "https://github.com/apache/hello".into();
        fx.env = github_env(&server);
        let r = fx.stage(&["--dry-run"]);
        r.assert_code(0);
        assert!(
            r.stdout
                .contains("stage the candidate in dist dev (GitHub release)"),
            "{}",
            r.stdout
        );
    }

    #[tokio::test]
    async fn an_asset_already_uploaded_by_a_crashed_run_is_accepted_on_422() {
        let server = MockServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hello-1.1.0.tar.gz.sha512");
        std::fs::write(&file, "abc  hello-1.1.0.tar.gz\n").unwrap();
        // The asset list is stale on the first look; the upload says it already exists.
        Mock::given(method("GET"))
            .and(path("/repos/apache/hello/releases/42/assets"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/repos/apache/hello/releases/42/assets"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 9, "name": "hello-1.1.0.tar.gz.sha512", "size": 24, "state": "uploaded"}])))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/repos/apache/hello/releases/42/assets"))
            .respond_with(ResponseTemplate::new(422).set_body_json(json!({
                "message": "Validation Failed",
                "errors": [{"resource": "ReleaseAsset", "code": "already_exists", "field": "name"}],
                "documentation_url": "https://docs.github.com/rest/releases/assets#upload-a-release-asset"
            })))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/repos/apache/hello/releases"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!([{"id": 41, "tag_name": "1.1.0-rc1", "draft": true, "html_url": "u"}]),
            ))
            .mount(&server)
            .await;
        Mock::given(method("PATCH"))
            .and(path("/repos/apache/hello/releases/41"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"id": 41, "tag_name": "1.1.0-rc1"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let gh = release_kit::outside::github::GitHub::new(
            &format!("{}/", server.uri()),
            &format!("{}/", server.uri()),
            "apache",
            "hello",
            None,
        )
        .unwrap();
        gh.upload(42, &file).await.unwrap();
        let old = gh.find_release("1.1.0-rc1").await.unwrap().unwrap();
        gh.mark_superseded(&old, "1.1.0-rc2").await.unwrap();
        let patch = server
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.method.as_str() == "PATCH")
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&patch.body).unwrap();
        assert_eq!(body["name"], "1.1.0-rc1 (superseded by 1.1.0-rc2)");
        // A different asset of the same name is not silently accepted.
        std::fs::write(
            &file,
            "a different, longer checksum line  hello-1.1.0.tar.gz\n",
        )
        .unwrap();
        server.reset().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(422).set_body_json(
                json!({"message": "Validation Failed", "errors": [{"code": "already_exists"}]}),
            ))
            .mount(&server)
            .await;
        let e = gh.upload(42, &file).await.unwrap_err();
        assert!(e.to_string().contains("422"), "{e}");
    }

    async fn nexus(close_fails: bool) -> MockServer {
        nexus_with(close_fails, 8).await
    }

    /// A Nexus 2 staging API; `puts` is how many uploads stage-rc itself must make.
    async fn nexus_with(close_fails: bool, puts: u64) -> MockServer {
        let server = MockServer::start().await;
        let base = "/service/local/staging";
        Mock::given(method("GET"))
            .and(path(format!("{base}/profiles")))
            .and(header("accept", "application/json"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
                {"id": "3f1e2c4a5b6d", "name": "org.other", "mode": "BOTH", "repositoryTargetId": "x"},
                {"id": "12a3b4c5d6e7f", "name": "org.example", "mode": "BOTH", "repositoryTargetId": "y"}
            ]})))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("{base}/profiles/12a3b4c5d6e7f/start")))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"data": {"stagedRepositoryId": "orgexample-1001", "description": "Hello 1.1.0-rc1"}})))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(201))
            .expect(puts)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("{base}/bulk/close")))
            .respond_with(ResponseTemplate::new(201))
            .expect(1)
            .mount(&server)
            .await;
        let repo = format!("{base}/repository/orgexample-1001");
        for (kind, transitioning) in [("open", false), ("open", true)] {
            Mock::given(method("GET"))
                .and(path(repo.clone()))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({"repositoryId": "orgexample-1001", "type": kind, "transitioning": transitioning, "profileName": "org.example"})))
                .up_to_n_times(1)
                .mount(&server)
                .await;
        }
        let last = if close_fails { "open" } else { "closed" };
        Mock::given(method("GET"))
            .and(path(repo.clone()))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"repositoryId": "orgexample-1001", "type": last, "transitioning": false}),
            ))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("{repo}/activity")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"name": "close", "events": [
                {"name": "rulesEvaluate", "properties": [{"name": "id", "value": "5e9e8e6f8d1b"}]},
                {"name": "ruleFailed", "properties": [
                    {"name": "typeId", "value": "signature-staging"},
                    {"name": "failureMessage", "value": "No public key: Key with id: (2081780f458be45d) was not able to be located on http://keyserver.ubuntu.com:11371/. Upload your public key and try the operation again."}
                ]},
                {"name": "repositoryCloseFailed", "properties": [{"name": "cause", "value": "com.sonatype.nexus.staging.StagingRulesFailedException"}]}
            ]}])))
            .mount(&server)
            .await;
        server
    }

    fn maven_fixture(server: &MockServer) -> (Fx, PathBuf) {
        let fx = Fx::new();
        let cfg = fx.base.path().join("release.toml");
        let text = std::fs::read_to_string(fx.repo.join("release.toml")).unwrap();
        std::fs::write(
            &cfg,
            format!(
                "{text}\n[maven]\nurl = \"{}/service/local/\"\ngroup_id = \"org.example.hello\"\nartifact_id = \"hello\"\ncontent_url = \"{}/content/repositories/\"\npoll_seconds = 0\nartifacts = [\"build/hello-{{version}}.jar\", \"build/hello-{{version}}.pom\"]\n",
                server.uri(),
                server.uri()
            ),
        )
        .unwrap();
        std::fs::create_dir_all(fx.repo.join("build")).unwrap();
        std::fs::write(
            fx.repo.join("build/hello-1.1.0.jar"),
            b"PK\x03\x04 not really a jar",
        )
        .unwrap();
        std::fs::write(
            fx.repo.join("build/hello-1.1.0.pom"),
            "<project><groupId>org.example.hello</groupId></project>\n",
        )
        .unwrap();
        (fx, cfg)
    }

    #[tokio::test]
    async fn maven_artifacts_are_staged_closed_and_the_repository_id_recorded() {
        if !have_tools() {
            return;
        }
        let server = nexus(false).await;
        let (fx, cfg) = maven_fixture(&server);
        let r = fx.stage(&["--config", cfg.to_str().unwrap()]);
        r.assert_code(0);
        let ledger = fx.remote_ledger();
        let open = ledger["1.1.0-rc1"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "maven-open")
            .unwrap()
            .clone();
        assert_eq!(open["outputs"]["repository"], "orgexample-1001");
        let eml = std::fs::read_to_string(fx.out.join("vote-email.eml")).unwrap();
        assert!(
            eml.contains("/content/repositories/orgexample-1001"),
            "{eml}"
        );
        let puts: Vec<String> = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.method.as_str() == "PUT")
            .map(|r| r.url.path().to_string())
            .collect();
        assert!(puts.contains(&"/service/local/staging/deployByRepositoryId/orgexample-1001/org/example/hello/hello/1.1.0/hello-1.1.0.jar.asc".to_string()), "{puts:?}");
        assert!(
            puts.iter().any(|p| p.ends_with("hello-1.1.0.pom.sha1")),
            "{puts:?}"
        );
        assert!(
            puts.iter().any(|p| p.ends_with("hello-1.1.0.pom.md5")),
            "{puts:?}"
        );
        assert!(
            r.stdout.contains("nexus-repository: orgexample-1001"),
            "{}",
            r.stdout
        );
    }

    #[tokio::test]
    async fn the_projects_deploy_command_deploys_into_the_opened_staging_repository() {
        if !have_tools() {
            return;
        }
        let server = nexus_with(false, 0).await;
        let fx = Fx::new();
        let cfg = fx.base.path().join("release.toml");
        let text = std::fs::read_to_string(fx.repo.join("release.toml")).unwrap();
        std::fs::write(
            &cfg,
            format!(
                "{text}\n[maven]\nurl = \"{}/service/local/\"\ngroup_id = \"org.example.hello\"\ncontent_url = \"{}/content/repositories/\"\npoll_seconds = 0\ndeploy_command = [\"sh\", \"-c\", \"echo $RELEASE_KIT_STAGING_REPOSITORY_ID $RELEASE_KIT_STAGING_URL > deployed-to.txt\"]\n",
                server.uri(),
                server.uri()
            ),
        )
        .unwrap();
        let r = fx.stage(&["--config", cfg.to_str().unwrap()]);
        r.assert_code(0);
        let deployed = std::fs::read_to_string(fx.repo.join("deployed-to.txt")).unwrap();
        assert_eq!(
            deployed.trim(),
            format!(
                "orgexample-1001 {}/service/local/staging/deployByRepositoryId/orgexample-1001",
                server.uri()
            )
        );
        assert!(
            r.stdout.contains("nexus-repository: orgexample-1001"),
            "{}",
            r.stdout
        );
        // Both ways at once is a configuration error, named before anything runs.
        std::fs::write(
            &cfg,
            format!("{text}\n[maven]\nartifacts = [\"a.jar\"]\ndeploy_command = [\"true\"]\n"),
        )
        .unwrap();
        let r = fx.stage(&["--config", cfg.to_str().unwrap()]);
        r.assert_code(2);
        assert!(r.stderr.contains("choose one"), "{}", r.stderr);
    }

    #[tokio::test]
    async fn a_nexus_close_that_fails_a_rule_reports_the_rule() {
        if !have_tools() {
            return;
        }
        let server = nexus(true).await;
        let (fx, cfg) = maven_fixture(&server);
        let r = fx.stage(&["--config", cfg.to_str().unwrap()]);
        r.assert_code(1);
        assert!(
            r.stderr
                .contains("did not close staging repository orgexample-1001"),
            "{}",
            r.stderr
        );
        assert!(
            r.stderr
                .contains("No public key: Key with id: (2081780f458be45d)"),
            "{}",
            r.stderr
        );
        // The repository id is recorded, so a re-run or publish-dist finds it.
        let ledger = fx.remote_ledger();
        let ids: Vec<&str> = ledger["1.1.0-rc1"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        assert!(
            ids.contains(&"maven-open") && !ids.contains(&"maven-close"),
            "{ids:?}"
        );
    }
}

#[test]
fn a_required_tag_signature_must_come_from_a_key_in_keys() {
    if !have_tools() {
        return;
    }
    let fx = Fx::new();
    let required = [("RELEASE_KIT_SIGNING_REQUIRE_SIGNED_TAG", "true")];
    let r = fx.stage_env(&["--dry-run"], &required);
    r.assert_code(2);
    assert!(
        r.stderr.contains("is not signed by a key in KEYS") && r.stderr.contains("git tag -s"),
        "{}",
        r.stderr
    );
    let out = Command::new("git")
        .args([
            "-c",
            &format!("user.signingkey={}", fx.key.fingerprint),
            "tag",
            "-s",
            "-f",
            "1.1.0-rc1",
            "-m",
            "Tagging Hello 1.1.0-rc1.",
        ])
        .current_dir(&fx.repo)
        .env("GNUPGHOME", fx.key.dir.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    fx.stage_env(&["--dry-run"], &required).assert_code(0);
}

// ---------------------------------------------------------------- the SBOM (licence.sbom)

#[test]
fn with_licence_sbom_the_sbom_is_staged_signed_checksummed_and_checked_by_candidate() {
    if !have_tools() || !support::require_tool("sha512sum") {
        return;
    }
    let fx = Fx::new();
    let r = fx.stage_env(&[], &[("RELEASE_KIT_LICENCE_SBOM", "true")]);
    r.assert_code(0);
    let dir = fx.candidate_dir();
    assert_eq!(
        files_in(&dir),
        [
            "hello-1.1.0.tar.gz",
            "hello-1.1.0.tar.gz.asc",
            "hello-1.1.0.tar.gz.cdx.json",
            "hello-1.1.0.tar.gz.cdx.json.asc",
            "hello-1.1.0.tar.gz.cdx.json.sha512",
            "hello-1.1.0.tar.gz.sha512"
        ]
    );
    let out = Command::new("sha512sum")
        .args(["-c", "hello-1.1.0.tar.gz.cdx.json.sha512"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let sbom: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("hello-1.1.0.tar.gz.cdx.json")).unwrap())
            .unwrap();
    assert_eq!(sbom["specVersion"], "1.6");
    assert_eq!(sbom["metadata"]["component"]["version"], "1.1.0");
    let verifier = tempfile::Builder::new().prefix("rk-v.").tempdir().unwrap();
    assert!(
        gpg(verifier.path(), &["--import", fx.keys.to_str().unwrap()])
            .status
            .success()
    );
    let v = gpg(
        verifier.path(),
        &[
            "--verify",
            dir.join("hello-1.1.0.tar.gz.cdx.json.asc")
                .to_str()
                .unwrap(),
            dir.join("hello-1.1.0.tar.gz.cdx.json").to_str().unwrap(),
        ],
    );
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    let _ = Command::new("gpgconf")
        .args(["--kill", "all"])
        .env("GNUPGHOME", verifier.path())
        .output();
    let steps: Vec<String> = fx.remote_ledger()["1.1.0-rc1"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert!(steps.contains(&"sbom".to_string()), "{steps:?}");
    // A voter's candidate check reads the SBOM beside the tarball.
    let tarball = dir.join("hello-1.1.0.tar.gz");
    let mut c = tool("verify-distcheck", &fx.repo);
    c.args([
        "candidate",
        "--artifact",
        tarball.to_str().unwrap(),
        "--keys",
        fx.keys.to_str().unwrap(),
    ]);
    let r = run(c);
    assert!(
        r.stdout.contains(
            "[pass] sbom: hello-1.1.0.tar.gz.cdx.json: the tarball and 0 bundled component(s)"
        ),
        "{}",
        r.stdout
    );
    // A re-run redoes nothing and leaves the same SBOM.
    let before = std::fs::read(dir.join("hello-1.1.0.tar.gz.cdx.json")).unwrap();
    fx.stage_env(&[], &[("RELEASE_KIT_LICENCE_SBOM", "true")])
        .assert_code(0);
    assert_eq!(
        before,
        std::fs::read(dir.join("hello-1.1.0.tar.gz.cdx.json")).unwrap()
    );
}

/// Issue 19: the signing key and its passphrase (from CI secrets) and the svn password reach
/// gpg and svn through stdin only: every command stage-rc starts, logged by PATH shims, carries
/// none of them, nor their base64, nor the key's armored lines.
#[test]
fn no_secret_reaches_a_childs_argv_when_staging() {
    if !have_tools() || !support::require_tool("svnserve") {
        return;
    }
    let passphrase = "argv-watch Pa55phrase";
    let (secret, public) = ci_secret_key(passphrase);
    assert!(secret.contains("PRIVATE KEY BLOCK"));
    let mut fx = Fx::new();
    std::fs::write(&fx.keys, public).unwrap();
    fx.svn_dist();
    let repo = fx.base.path().join("svnrepo");
    std::fs::write(
        repo.join("conf/svnserve.conf"),
        "[general]\nanon-access = read\nauth-access = write\npassword-db = passwd\nrealm = dist\n",
    )
    .unwrap();
    let password = "svn-argv-watch-pw";
    std::fs::write(
        repo.join("conf/passwd"),
        format!("[users]\nalice = {password}\n"),
    )
    .unwrap();
    let server = svnserve(&repo);
    fx.dist = format!("svn://127.0.0.1:{}/dev/hello", server.port);
    let empty = tempfile::Builder::new().prefix("rk-e.").tempdir().unwrap();
    let log = crate::hostile::argv::ArgvLog::new(&["git", "gpg", "gpgconf", "svn", "svnmucc"]);
    let path = log.path();
    let r = fx.stage_env(
        &[],
        &[
            ("PATH", path.to_str().unwrap()),
            ("GNUPGHOME", empty.path().to_str().unwrap()),
            ("RELEASE_KIT_SIGNING_SECRET_KEY", &secret),
            ("RELEASE_KIT_SIGNING_PASSPHRASE", passphrase),
            ("RELEASE_KIT_SVN_USERNAME", "alice"),
            ("RELEASE_KIT_SVN_PASSWORD", password),
        ],
    );
    r.assert_code(0);
    assert_eq!(svn(&["list", &fx.dist]), "1.1.0-rc1/\n");
    let n = log.assert_no_secret(
        &["git", "gpg", "svn"],
        &[&secret, passphrase, password],
        &[("alice", password)],
    );
    eprintln!("stage-rc: {n} child command lines, no secret in any");
}
