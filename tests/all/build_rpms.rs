//! build-rpms end to end: real git, gpg, rpmbuild, rpmkeys and createrepo_c; the HTTP publisher
//! against wiremock.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::support::*;

const TOOLS_NEEDED: [&str; 6] = [
    "git",
    "gpg",
    "rpmbuild",
    "rpmkeys",
    "createrepo_c",
    "autoreconf",
];

fn tools() -> bool {
    TOOLS_NEEDED.iter().all(|t| require_tool(t))
}

/// The sample project with a staged, signed candidate 1.1.0-rc1 in a local dist.
struct Staged {
    _tmp: tempfile::TempDir,
    repo: PathBuf,
    gnupg: PathBuf,
    fpr: String,
    dist: PathBuf,
}

fn sh(dir: &Path, script: &str, gnupg: &Path) -> String {
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("GNUPGHOME", gnupg)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn staged() -> &'static Staged {
    static S: OnceLock<Staged> = OnceLock::new();
    S.get_or_init(|| {
        let (tmp, repo) = sample_repo();
        let root = tmp.path().to_path_buf();
        let gnupg = root.join("gnupg");
        std::fs::create_dir(&gnupg).unwrap();
        std::fs::set_permissions(&gnupg, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
        git(&repo, &["config", "user.name", "Release Manager"]);
        git(&repo, &["config", "user.email", "rm@example.org"]);
        git(&repo, &["checkout", "-q", "-b", "1.1.x"]);
        let cl = std::fs::read_to_string(repo.join("CHANGELOG")).unwrap().replace("Version 1.1.0 (WIP)", "Version 1.1.0");
        std::fs::write(repo.join("CHANGELOG"), cl).unwrap();
        git(&repo, &["commit", "-qam", "Updated CHANGELOG for 1.1.0."]);
        git(&repo, &["tag", "-a", "1.1.0-rc1", "-m", "Tagging Hello 1.1.0-rc1."]);
        sh(&root, "gpg --batch --quiet --passphrase '' --quick-gen-key 'Hello RM <rm@hello.example.org>' rsa3072 sign never", &gnupg);
        let fpr = sh(&root, "gpg --batch --with-colons --list-keys | awk -F: '/^fpr/{print $10; exit}'", &gnupg).trim().to_string();
        let dist = root.join("dist");
        sh(
            &root,
            &format!(
                "mkdir -p dist/dev/hello/1.1.0-rc1 dist/release/hello
                 gpg --batch --armor --export > dist/release/hello/KEYS
                 git clone -q {repo} build && cd build && git checkout -q 1.1.0-rc1
                 autoreconf -fi >/dev/null 2>&1 && ./configure >/dev/null && make dist >/dev/null
                 cp hello-1.1.0.tar.gz ../dist/dev/hello/1.1.0-rc1/
                 cd ../dist/dev/hello/1.1.0-rc1
                 sha512sum hello-1.1.0.tar.gz > hello-1.1.0.tar.gz.sha512
                 gpg --batch --quiet --armor --detach-sig hello-1.1.0.tar.gz",
                repo = repo.display()
            ),
            &gnupg,
        );
        Staged { _tmp: tmp, repo, gnupg, fpr, dist }
    })
}

/// A private copy of the staged dist, to tamper with.
fn copy_dist(s: &Staged, to: &Path) -> PathBuf {
    let d = to.join("dist");
    sh(
        to,
        &format!("cp -r {} {}", s.dist.display(), d.display()),
        &s.gnupg,
    );
    d
}

fn build_rpms(s: &Staged, dist: &Path, work: &Path, extra: &[&str]) -> Run {
    let mut c = tool("build-rpms", &s.repo);
    c.env("GNUPGHOME", &s.gnupg)
        .args([
            "--set",
            &format!("dist.dev={}/dev/{{name}}", dist.display()),
        ])
        .args([
            "--set",
            &format!("dist.release={}/release/{{name}}", dist.display()),
        ])
        .args([
            "--set",
            &format!("signing.keys={}/release/hello/KEYS", dist.display()),
        ])
        .args(["--set", "rpm.nodeps=true"])
        .arg("--repo-dir")
        .arg(work.join("repo"))
        .arg("--work-dir")
        .arg(work.join("work"))
        .args(extra);
    run(c)
}

#[test]
fn candidate_becomes_signed_packages_in_the_testing_repository() {
    if !tools() {
        return;
    }
    let s = staged();
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("gh-output");
    let mut c = tool("build-rpms", &s.repo);
    c.env("GNUPGHOME", &s.gnupg)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &out)
        .env("GITHUB_STEP_SUMMARY", t.path().join("summary"))
        .env("RELEASE_KIT_RPM_SIGN_KEY", &s.fpr)
        .env("RELEASE_KIT_RPM_NODEPS", "true")
        .env(
            "RELEASE_KIT_DIST_DEV",
            format!("{}/dev/{{name}}", s.dist.display()),
        )
        .env(
            "RELEASE_KIT_DIST_RELEASE",
            format!("{}/release/{{name}}", s.dist.display()),
        )
        .env(
            "RELEASE_KIT_SIGNING_KEYS",
            format!("{}/release/hello/KEYS", s.dist.display()),
        )
        .args(["--tag", "1.1.0-rc1", "--junit"])
        .arg(t.path().join("junit.xml"))
        .arg("--repo-dir")
        .arg(t.path().join("repo"))
        .arg("--work-dir")
        .arg(t.path().join("work"));
    let r = run(c);
    r.assert_code(0);
    assert!(
        r.stdout.contains(&format!(
            "checksum and signature verified (signer {})",
            s.fpr
        )),
        "{}",
        r.stdout
    );
    let testing = t.path().join("repo/el7-testing");
    let bin = testing.join("x86_64/hello-1.1.0-1.x86_64.rpm");
    assert!(bin.is_file());
    assert!(testing.join("SRPMS/hello-1.1.0-1.src.rpm").is_file());
    for dir in ["x86_64", "SRPMS"] {
        let repomd = testing.join(dir).join("repodata/repomd.xml");
        // The detached metadata signature verifies with the same key.
        sh(
            t.path(),
            &format!("gpg --batch --verify {0}.asc {0}", repomd.display()),
            &s.gnupg,
        );
        let primary = sh(
            t.path(),
            &format!(
                "zcat {}/repodata/*-primary.xml.gz",
                testing.join(dir).display()
            ),
            &s.gnupg,
        );
        assert!(
            primary.contains("<location href=\"hello-1.1.0-1."),
            "{primary}"
        );
    }
    let q = sh(
        t.path(),
        &format!(
            "rpm -qp --nosignature --queryformat '%{{NAME}}-%{{VERSION}}-%{{RELEASE}}' {}",
            bin.display()
        ),
        &s.gnupg,
    );
    assert_eq!(q, "hello-1.1.0-1");
    let outputs =
        release_kit::ci::github::parse_output_file(&std::fs::read_to_string(&out).unwrap())
            .unwrap();
    let get = |k: &str| {
        outputs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(get("channel"), "testing");
    assert_eq!(get("version"), "1.1.0");
    assert!(
        get("rpms").contains("  hello-1.1.0-1.x86_64.rpm"),
        "{}",
        get("rpms")
    );
    let junit = std::fs::read_to_string(t.path().join("junit.xml")).unwrap();
    assert!(
        junit.contains(r#"name="package:hello-1.1.0-1.x86_64.rpm""#),
        "{junit}"
    );

    // Re-running with the same inputs changes nothing that was published.
    let before = std::fs::read(&bin).unwrap();
    let r = build_rpms(
        s,
        &s.dist,
        t.path(),
        &[
            "--tag",
            "1.1.0-rc1",
            "--set",
            &format!("rpm.sign_key={}", s.fpr),
        ],
    );
    r.assert_code(0);
    assert!(
        r.stdout.contains("0 added, 2 already present"),
        "{}",
        r.stdout
    );
    assert_eq!(std::fs::read(&bin).unwrap(), before);
}

#[test]
fn a_tampered_tarball_is_refused_before_building() {
    if !tools() {
        return;
    }
    let s = staged();
    let t = tempfile::tempdir().unwrap();
    let dist = copy_dist(s, t.path());
    let tarball = dist.join("dev/hello/1.1.0-rc1/hello-1.1.0.tar.gz");
    let mut bytes = std::fs::read(&tarball).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&tarball, bytes).unwrap();
    let r = build_rpms(s, &dist, t.path(), &["--tag", "1.1.0-rc1"]);
    r.assert_code(1);
    assert!(
        r.stderr.contains("does not match its checksum") && r.stderr.contains("refusing to build"),
        "{}",
        r.stderr
    );
    assert!(
        !t.path().join("repo/el7-testing").exists(),
        "nothing reached the repository"
    );
    // Re-signed checksum but the old signature: the signature catches it.
    sh(
        &dist.join("dev/hello/1.1.0-rc1"),
        "sha512sum hello-1.1.0.tar.gz > hello-1.1.0.tar.gz.sha512",
        &s.gnupg,
    );
    let r = build_rpms(s, &dist, t.path(), &["--tag", "1.1.0-rc1"]);
    r.assert_code(1);
    assert!(
        r.stderr.contains("does not verify") && r.stderr.contains("was modified"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_signature_by_a_key_not_in_keys_is_refused() {
    if !tools() {
        return;
    }
    let s = staged();
    let t = tempfile::tempdir().unwrap();
    let dist = copy_dist(s, t.path());
    let other = t.path().join("other-gnupg");
    std::fs::create_dir(&other).unwrap();
    std::fs::set_permissions(&other, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    sh(
        &dist.join("dev/hello/1.1.0-rc1"),
        "gpg --batch --quiet --passphrase '' --quick-gen-key 'Mallory <m@evil.example>' rsa2048 sign never
         gpg --batch --yes --quiet --armor --detach-sig hello-1.1.0.tar.gz",
        &other,
    );
    let r = build_rpms(s, &dist, t.path(), &["--tag", "1.1.0-rc1"]);
    r.assert_code(1);
    assert!(
        r.stderr.contains("is not in") && r.stderr.contains("KEYS"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_inputs_are_explained() {
    if !tools() {
        return;
    }
    let s = staged();
    let t = tempfile::tempdir().unwrap();
    // A tag with no tarball in dist.
    git(
        &s.repo,
        &[
            "tag",
            "-f",
            "-a",
            "1.1.0-rc7",
            "-m",
            "no such candidate",
            "1.1.0-rc1",
        ],
    );
    let r = build_rpms(s, &s.dist, t.path(), &["--tag", "1.1.0-rc7"]);
    r.assert_code(1);
    assert!(
        r.stderr.contains("does not exist") && r.stderr.contains("staged"),
        "{}",
        r.stderr
    );
    // A checksum file for another file.
    let dist = copy_dist(s, t.path());
    let sum = dist.join("dev/hello/1.1.0-rc1/hello-1.1.0.tar.gz.sha512");
    std::fs::write(
        &sum,
        std::fs::read_to_string(&sum)
            .unwrap()
            .replace("hello-1.1.0.tar.gz", "other.tar.gz"),
    )
    .unwrap();
    let r = build_rpms(s, &dist, t.path(), &["--tag", "1.1.0-rc1"]);
    r.assert_code(2);
    assert!(
        r.stderr
            .contains("is not for hello-1.1.0.tar.gz: it names other.tar.gz"),
        "{}",
        r.stderr
    );
    // A spec that does not exist.
    let r = build_rpms(
        s,
        &s.dist,
        t.path(),
        &["--tag", "1.1.0-rc1", "--spec", "nope.spec"],
    );
    r.assert_code(2);
    assert!(
        r.stderr.contains("nope.spec does not exist"),
        "{}",
        r.stderr
    );
    // A malformed tag and a bad release number.
    build_rpms(s, &s.dist, t.path(), &["--tag", "1.1-rc1"]).assert_code(2);
    let r = build_rpms(
        s,
        &s.dist,
        t.path(),
        &["--tag", "1.1.0-rc1", "--release", "1-beta"],
    );
    r.assert_code(2);
    assert!(r.stderr.contains("digits and dots"), "{}", r.stderr);
    // A repository directory that cannot be created.
    std::fs::write(t.path().join("a-file"), "").unwrap();
    let mut c = tool("build-rpms", &s.repo);
    c.env("GNUPGHOME", &s.gnupg)
        .args(["--tag", "1.1.0-rc1", "--repo-dir"])
        .arg(t.path().join("a-file/repo"));
    let r = run(c);
    r.assert_code(2);
    assert!(
        r.stderr.contains("pass a writable --repo-dir"),
        "{}",
        r.stderr
    );
}

/// The sample's spec, edited by `edit`, with the files beside it, in `t/spec`: the path to
/// give `--spec`.
fn edited_spec(s: &Staged, t: &Path, edit: impl Fn(String) -> String) -> String {
    let spec_dir = t.join("spec");
    std::fs::create_dir(&spec_dir).unwrap();
    let spec = std::fs::read_to_string(s.repo.join("support/packaging/centos/hello.spec")).unwrap();
    std::fs::write(spec_dir.join("hello.spec"), edit(spec)).unwrap();
    std::fs::copy(
        s.repo.join("support/packaging/centos/hello.service"),
        spec_dir.join("hello.service"),
    )
    .unwrap();
    spec_dir.join("hello.spec").to_str().unwrap().to_string()
}

#[test]
fn a_spec_that_fails_to_build_shows_the_failing_lines() {
    if !tools() {
        return;
    }
    let s = staged();
    let t = tempfile::tempdir().unwrap();
    let spec = edited_spec(s, t.path(), |spec| {
        spec.replace(
            "%build\n",
            "%build\necho 'compiler exploded: greet.c:42' >&2; exit 1\n",
        )
    });
    let r = build_rpms(
        s,
        &s.dist,
        t.path(),
        &["--tag", "1.1.0-rc1", "--spec", &spec],
    );
    r.assert_code(1);
    assert!(
        r.stderr.contains("rpmbuild failed") && r.stderr.contains("compiler exploded: greet.c:42"),
        "{}",
        r.stderr
    );
    assert!(t.path().join("work/rpmbuild.log").is_file());
    assert!(!t.path().join("repo/el7-testing").exists());
}

#[test]
fn rpmbuild_missing_says_how_to_install_it() {
    if !tools() {
        return;
    }
    let s = staged();
    let t = tempfile::tempdir().unwrap();
    let bin = t.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    for tool_name in ["gpg", "git", "gpg-agent"] {
        if let Some(p) = release_kit::outside::process::find_on_path(tool_name) {
            std::os::unix::fs::symlink(p, bin.join(tool_name)).unwrap();
        }
    }
    let mut c = tool("build-rpms", &s.repo);
    c.env("GNUPGHOME", &s.gnupg).env("PATH", &bin);
    c.args([
        "--tag",
        "1.1.0-rc1",
        "--set",
        &format!("dist.dev={}/dev/{{name}}", s.dist.display()),
    ])
    .args([
        "--set",
        &format!("dist.release={}/release/{{name}}", s.dist.display()),
    ])
    .args([
        "--set",
        &format!("signing.keys={}/release/hello/KEYS", s.dist.display()),
    ])
    .arg("--repo-dir")
    .arg(t.path().join("repo"))
    .arg("--work-dir")
    .arg(t.path().join("work"));
    let r = run(c);
    r.assert_code(3);
    assert!(
        r.stderr.contains("`rpmbuild` is not installed")
            && r.stderr.contains("apt-get install rpm"),
        "{}",
        r.stderr
    );
}

#[test]
fn dry_run_plans_and_touches_nothing() {
    if !tools() {
        return;
    }
    let s = staged();
    let t = tempfile::tempdir().unwrap();
    let r = build_rpms(
        s,
        &s.dist,
        t.path(),
        &["--tag", "1.1.0-rc1", "--dry-run", "--format", "json"],
    );
    r.assert_code(0);
    let plan: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(plan["steps"][3]["inputs"]["channel"], "testing");
    let ids: Vec<_> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        ["fetch-and-verify", "rpmbuild", "inspect", "repository"]
    );
    assert_eq!(
        std::fs::read_dir(t.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn a_snapshot_of_head_goes_to_unstable() {
    if !tools() {
        return;
    }
    let (_d, repo) = sample_repo();
    let t = tempfile::tempdir().unwrap();
    let mut c = tool("build-rpms", &repo);
    c.args(["--set", "rpm.nodeps=true", "--repo-dir"])
        .arg(t.path().join("repo"))
        .arg("--work-dir")
        .arg(t.path().join("work"));
    let r = run(c);
    r.assert_code(0);
    let sha = git(&repo, &["rev-parse", "--short=7", "HEAD"])
        .trim()
        .to_string();
    let date = String::from_utf8(
        Command::new("git")
            .args(["log", "-1", "--format=%cd", "--date=format-local:%Y%m%d"])
            .env("TZ", "UTC")
            .current_dir(&repo)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let name = format!("hello-1.1.0-0.1.pre.{}git{sha}.x86_64.rpm", date.trim());
    assert!(
        t.path()
            .join("repo/el7-unstable/x86_64")
            .join(&name)
            .is_file(),
        "{}",
        r.stdout
    );
    assert_eq!(
        git(&repo, &["worktree", "list"]).lines().count(),
        1,
        "the temporary worktree is gone"
    );
}

#[test]
fn a_candidate_staged_in_svn_is_read_from_svn() {
    if !tools() || !require_tool("svnadmin") || !require_tool("svn") {
        return;
    }
    let s = staged();
    let t = tempfile::tempdir().unwrap();
    sh(
        t.path(),
        &format!(
            "svnadmin create svn && svn import -q -m 'dist layout' {} file://{}/svn",
            s.dist.display(),
            t.path().display()
        ),
        &s.gnupg,
    );
    let url = format!("file://{}/svn", t.path().display());
    let mut c = tool("build-rpms", &s.repo);
    c.env("GNUPGHOME", &s.gnupg)
        .env("RELEASE_KIT_DIST_DEV", format!("{url}/dev/{{name}}"))
        .env(
            "RELEASE_KIT_SIGNING_KEYS",
            format!("{url}/release/hello/KEYS"),
        )
        .env("RELEASE_KIT_RPM_NODEPS", "true")
        .args(["--tag", "1.1.0-rc1", "--repo-dir"])
        .arg(t.path().join("repo"))
        .arg("--work-dir")
        .arg(t.path().join("work"));
    let r = run(c);
    r.assert_code(0);
    assert!(
        r.stdout.contains("checksum and signature verified"),
        "{}",
        r.stdout
    );
    assert!(t
        .path()
        .join("repo/el7-testing/x86_64/hello-1.1.0-1.x86_64.rpm")
        .is_file());
    // A candidate that was never staged in svn is refused with the reason.
    git(
        &s.repo,
        &[
            "tag",
            "-f",
            "-a",
            "1.1.0-rc9",
            "-m",
            "not staged",
            "1.1.0-rc1",
        ],
    );
    let mut c = tool("build-rpms", &s.repo);
    c.env("GNUPGHOME", &s.gnupg)
        .env("RELEASE_KIT_DIST_DEV", format!("{url}/dev/{{name}}"))
        .env(
            "RELEASE_KIT_SIGNING_KEYS",
            format!("{url}/release/hello/KEYS"),
        )
        .args(["--tag", "1.1.0-rc9", "--repo-dir"])
        .arg(t.path().join("repo2"));
    let r = run(c);
    r.assert_code(1);
    assert!(
        r.stderr.contains("does not exist") && r.stderr.contains("stage-rc"),
        "{}",
        r.stderr
    );
}

/// A build that runs every step: signed packages and metadata, published to a directory. The
/// work dir, repository and publish directory are `<at>/work`, `<at>/repo` and `<at>/published`.
fn full_build(s: &Staged, at: &Path, env: &[(&str, &str)], extra: &[&str]) -> Run {
    run(full_build_cmd(s, at, env, extra))
}

fn full_build_cmd(s: &Staged, at: &Path, env: &[(&str, &str)], extra: &[&str]) -> Command {
    let mut c = tool("build-rpms", &s.repo);
    c.env("GNUPGHOME", &s.gnupg)
        .envs(env.iter().copied())
        .args([
            "--set",
            &format!("dist.dev={}/dev/{{name}}", s.dist.display()),
        ])
        .args([
            "--set",
            &format!("signing.keys={}/release/hello/KEYS", s.dist.display()),
        ])
        .args(["--set", "rpm.nodeps=true"])
        .args(["--set", &format!("rpm.sign_key={}", s.fpr)])
        .args(["--tag", "1.1.0-rc1", "--repo-dir"])
        .arg(at.join("repo"))
        .arg("--work-dir")
        .arg(at.join("work"))
        .arg("--publish")
        .arg(at.join("published"))
        .args(extra);
    c
}

const ALL_STEPS: [&str; 6] = [
    "fetch-and-verify",
    "rpmbuild",
    "inspect",
    "sign-packages",
    "repository",
    "publish",
];

const LEDGER: &str = "work/ledger-hello-1.1.0-1-testing.json";

/// One finished full build, shared read-only: a re-run of it does nothing and writes nothing.
struct Finished {
    _tmp: tempfile::TempDir,
    at: PathBuf,
}

fn finished() -> &'static Finished {
    static F: OnceLock<Finished> = OnceLock::new();
    F.get_or_init(|| {
        let s = staged();
        let tmp = tempfile::tempdir().unwrap();
        let at = tmp.path().to_path_buf();
        full_build(s, &at, &[], &[]).assert_code(0);
        Finished { _tmp: tmp, at }
    })
}

fn ledger_of(at: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(at.join(LEDGER)).unwrap()).unwrap()
}

fn step_ids(v: &serde_json::Value) -> Vec<String> {
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn dry_run_prints_the_plan_with_each_steps_state_as_json_and_writes_nothing() {
    if !tools() {
        return;
    }
    let s = staged();
    let t = tempfile::tempdir().unwrap();
    let r = full_build(s, t.path(), &[], &["--dry-run", "--format", "json"]);
    r.assert_code(0);
    let plan: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(plan["tool"], "build-rpms");
    assert_eq!(plan["subject"], "hello 1.1.0-1 (testing channel)");
    assert_eq!(step_ids(&plan), ALL_STEPS);
    for step in plan["steps"].as_array().unwrap() {
        assert_eq!(step["state"], "to-do", "{step}");
        assert_eq!(step["digest"].as_str().unwrap().len(), 64, "{step}");
    }
    let inputs = |i: usize| &plan["steps"][i]["inputs"];
    assert!(
        inputs(0)["tarball"]
            .as_str()
            .unwrap()
            .ends_with("/dev/hello/1.1.0-rc1/hello-1.1.0.tar.gz"),
        "{plan}"
    );
    assert!(inputs(0)["keys"].as_str().unwrap().ends_with("KEYS"));
    assert_eq!(inputs(1)["defines"]["HELLO_RELEASE"], "1");
    assert_eq!(inputs(1)["spec_sha256"].as_str().unwrap().len(), 64);
    assert!(inputs(1)["sources"]["hello.service"].is_string(), "{plan}");
    assert_eq!(inputs(3)["key"], s.fpr.as_str());
    assert_eq!(inputs(4)["channel"], "testing");
    assert_eq!(
        inputs(4)["repo_dir"],
        t.path().join("repo").display().to_string()
    );
    assert!(inputs(5)["target"].as_str().unwrap().ends_with("published"));
    assert_eq!(
        std::fs::read_dir(t.path()).unwrap().count(),
        0,
        "no repository, work dir or ledger was written"
    );
}

#[test]
fn a_rerun_of_a_finished_build_does_no_step() {
    if !tools() {
        return;
    }
    let s = staged();
    let f = finished();
    let before = snapshot_tree(&f.at);
    let r = full_build(s, &f.at, &[], &[]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("0 step(s) done, 6 already done"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("0 added, 2 already present") && r.stdout.contains("0 uploaded"),
        "{}",
        r.stdout
    );
    assert!(!r.stderr.contains("already published"), "{}", r.stderr);
    assert_eq!(snapshot_tree(&f.at), before, "nothing was rewritten");
    // Its plan: every step done.
    let r = full_build(s, &f.at, &[], &["--dry-run", "--format", "json"]);
    r.assert_code(0);
    let plan: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let states: Vec<_> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(states, ["done"; 6]);
}

#[test]
fn a_changed_spec_after_a_finished_build_is_refused_naming_the_step() {
    if !tools() {
        return;
    }
    let s = staged();
    let f = finished();
    let before = snapshot_tree(&f.at);
    let t = tempfile::tempdir().unwrap();
    let centos = s.repo.join("support/packaging/centos");
    for name in ["hello.spec", "hello.service"] {
        std::fs::copy(centos.join(name), t.path().join(name)).unwrap();
    }
    let spec = t.path().join("hello.spec");
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(&spec, text.replace("Prints a friendly greeting", "Greets")).unwrap();
    let spec = spec.display().to_string();
    let r = full_build(s, &f.at, &[], &["--spec", &spec]);
    r.assert_code(1);
    assert!(
        r.stderr
            .contains("step `rpmbuild` was done with other inputs")
            && r.stderr.contains("spec_sha256: was")
            && r.stderr.contains("raise --release")
            && r.stderr.contains("ledger-hello-1.1.0-1-testing.json"),
        "{}",
        r.stderr
    );
    // The dry run shows the same, in the plan.
    let r = full_build(s, &f.at, &[], &["--spec", &spec, "--dry-run"]);
    r.assert_code(1);
    assert!(
        r.stdout.contains("[CHANGED] rpmbuild") && r.stdout.contains("[done] fetch-and-verify"),
        "{}",
        r.stdout
    );
    assert_eq!(snapshot_tree(&f.at), before, "nothing was touched");
    assert_eq!(step_ids(&ledger_of(&f.at)), ALL_STEPS);
}

/// What a build leaves, compared between a crashed-and-resumed build and a clean one: the
/// repository's files (repodata names without their content-hash prefix, hidden leftovers
/// included), the ledger's steps; checked within each build: every package in the repository
/// is the one the ledger recorded, listed with that digest in the metadata, the metadata
/// signature verifies, and the published copy is byte for byte the repository.
#[cfg(feature = "fault-injection")]
fn end_state(s: &Staged, at: &Path) -> (Vec<String>, Vec<String>) {
    let repo = at.join("repo");
    let tree = snapshot_tree(&repo);
    let mut files: Vec<String> = tree
        .iter()
        .map(|(p, _)| {
            let rel = p.strip_prefix(&repo).unwrap().display().to_string();
            match rel.rsplit_once("/repodata/") {
                Some((dir, name)) => {
                    let name = match name.split_once('-') {
                        Some((hash, rest)) if hash.len() == 64 => rest,
                        _ => name,
                    };
                    format!("{dir}/repodata/{name}")
                }
                None => rel,
            }
        })
        .collect();
    files.sort();
    let ledger = ledger_of(at);
    let signed = ledger["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "sign-packages")
        .unwrap()["outputs"]["packages"]
        .as_array()
        .unwrap()
        .clone();
    let rpms: Vec<_> = tree
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "rpm"))
        .collect();
    assert_eq!(rpms.len(), signed.len(), "{files:?}");
    for (path, bytes) in &rpms {
        use sha2::Digest;
        let sha = hex::encode(sha2::Sha256::digest(bytes));
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(
            signed
                .iter()
                .any(|p| p["file"] == name && p["sha256"] == sha.as_str()),
            "{name} in the repository is not the signed package the ledger recorded"
        );
        let dir = path.parent().unwrap();
        let primary = sh(
            dir,
            "zcat repodata/*-primary.xml.gz && gpg --batch --quiet --verify repodata/repomd.xml.asc repodata/repomd.xml 2>/dev/null",
            &s.gnupg,
        );
        assert!(
            primary.contains(&sha) && primary.contains(&format!("href=\"{name}\"")),
            "the metadata of {} does not list {name} with its digest",
            dir.display()
        );
    }
    let strip = |root: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        snapshot_tree(root)
            .into_iter()
            .map(|(p, b)| (p.strip_prefix(root).unwrap().to_path_buf(), b))
            .collect()
    };
    assert!(
        strip(&repo) == strip(&at.join("published")),
        "the published copy is the repository"
    );
    (files, step_ids(&ledger))
}

/// Crash after each step (before and after the ledger records it), re-run, and compare with a
/// clean build: the same repository files and metadata, every package the recorded one, the
/// same ledger, nothing duplicated. Steps after `rpmbuild` start from one build's work dir (as
/// the crash after `rpmbuild:recorded` left it), so the matrix runs rpmbuild six times, not
/// fourteen, and those cases must keep that build's packages.
#[cfg(feature = "fault-injection")]
#[test]
fn a_crash_after_any_step_resumes_to_the_same_end_state() {
    if !tools() {
        return;
    }
    let s = staged();
    let want = end_state(s, &finished().at);
    assert_eq!(want.1, ALL_STEPS);
    let t = tempfile::tempdir().unwrap();
    let at = t.path().join("build");
    let built_work = t.path().join("built-work");
    let reset = |from: Option<&Path>| {
        let _ = std::fs::remove_dir_all(&at);
        std::fs::create_dir_all(&at).unwrap();
        if let Some(w) = from {
            sh(
                t.path(),
                &format!("cp -a {} {}", w.display(), at.join("work").display()),
                &s.gnupg,
            );
        }
    };
    let rpmbuild_record = |at: &Path| {
        ledger_of(at)["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "rpmbuild")
            .unwrap()["outputs"]
            .clone()
    };
    let mut cases: Vec<String> = vec![
        "rpmbuild:recorded".into(),
        "fetch-and-verify".into(),
        "fetch-and-verify:recorded".into(),
        "rpmbuild".into(),
    ];
    for step in &ALL_STEPS[2..] {
        cases.push(step.to_string());
        cases.push(format!("{step}:recorded"));
    }
    let mut built = None;
    for spec in &cases {
        let from_built = ALL_STEPS[2..]
            .iter()
            .any(|s| spec.split(':').next() == Some(*s));
        reset(from_built.then_some(built_work.as_path()));
        let r = full_build(s, &at, &[("RELEASE_KIT_FAULT_AFTER_STEP", spec)], &[]);
        r.assert_code(86);
        if spec == "rpmbuild:recorded" {
            sh(
                t.path(),
                &format!(
                    "cp -a {} {}",
                    at.join("work").display(),
                    built_work.display()
                ),
                &s.gnupg,
            );
            built = Some(rpmbuild_record(&at));
        }
        let r = full_build(s, &at, &[], &[]);
        r.assert_code(0);
        let got = end_state(s, &at);
        assert_eq!(got.0, want.0, "repository files after a crash at {spec}");
        assert_eq!(got.1, want.1, "ledger after a crash at {spec}");
        if from_built {
            assert_eq!(
                Some(rpmbuild_record(&at)),
                built,
                "rpmbuild was not redone after a crash at {spec}"
            );
        }
    }
    // A package a finished step kept for a later one, gone: an error that says what to do.
    reset(Some(&built_work));
    let rpm = at.join("work/rpmbuild/RPMS/x86_64/hello-1.1.0-1.x86_64.rpm");
    std::fs::remove_file(&rpm).unwrap();
    let r = full_build(s, &at, &[], &[]);
    r.assert_code(1);
    assert!(
        r.stderr.contains(&format!(
            "{}, made by the finished step `rpmbuild`, is missing",
            rpm.display()
        )) && r.stderr.contains("step `inspect` still needs it")
            && r.stderr.contains("remove the ledger"),
        "{}",
        r.stderr
    );
    assert!(!at.join("repo/el7-testing").exists());
}

/// When a crash-matrix kill lands: a time after the start, or a time after the ledger (at
/// `<at>/work`) records a step, so kills land inside every step however fast the machine is.
#[cfg(feature = "fault-injection")]
#[derive(Debug, Clone, Copy)]
enum Moment {
    After(std::time::Duration),
    AfterStep(&'static str, std::time::Duration),
}

/// Starts `c` in its own process group and kills the whole group (the tool, rpmbuild,
/// createrepo_c, gpg: what a lost runner loses) with SIGKILL at `moment`; whether it was still
/// running then.
#[cfg(feature = "fault-injection")]
fn kill_group_at(mut c: Command, at: &Path, moment: Moment) -> bool {
    use std::os::unix::process::CommandExt;
    use std::time::{Duration, Instant};
    let mut child = c
        .process_group(0)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let begun = Instant::now();
    let recorded = |step: &str| {
        std::fs::read_to_string(at.join(LEDGER))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .is_some_and(|v| step_ids(&v).iter().any(|s| s == step))
    };
    let mut since: Option<Instant> = None;
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        let due = match moment {
            Moment::After(d) => begun.elapsed() >= d,
            Moment::AfterStep(step, d) => {
                if since.is_none() && recorded(step) {
                    since = Some(Instant::now());
                }
                since.is_some_and(|t| t.elapsed() >= d)
            }
        };
        if due {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let running = child.try_wait().unwrap().is_none();
    // The shell's own kill (no procps needed): a negative id is the process group.
    let _ = Command::new("sh")
        .args(["-c", &format!("kill -KILL -{}", child.id())])
        .status();
    let _ = child.wait();
    // Let the group's other members (rpmbuild's children) be reaped before the re-run.
    std::thread::sleep(Duration::from_millis(100));
    running
}

/// The crash matrix (issue 19): build-rpms, with real rpmbuild, rpmsign and createrepo_c,
/// killed with SIGKILL (its whole process group) at moments spread over a real run, inside
/// steps and not only between them, then re-run: the same repository files and metadata,
/// every package the one the ledger recorded and listed with its digest, the metadata signed,
/// the published copy equal to the repository, the same ledger.
#[cfg(feature = "fault-injection")]
#[test]
fn build_rpms_killed_at_any_moment_resumes_to_the_same_end_state() {
    if !tools() {
        return;
    }
    let s = staged();
    let reference = tempfile::tempdir().unwrap();
    let begun = std::time::Instant::now();
    full_build(s, reference.path(), &[], &[]).assert_code(0);
    let took = begun.elapsed();
    let want = end_state(s, reference.path());
    assert_eq!(want.1, ALL_STEPS);
    drop(reference);
    let (mut cases, mut killed_mid_run, mut divergences) = (0, 0, Vec::new());
    // Inside fetch-and-verify and rpmbuild by time; inside every later step (they take a
    // fraction of a second) right after, and a moment after, the ledger records the one before.
    let mut moments = vec![Moment::After(took / 20), Moment::After(took / 3)];
    for step in &ALL_STEPS[..5] {
        for ms in [0, 15, 60] {
            moments.push(Moment::AfterStep(
                step,
                std::time::Duration::from_millis(ms),
            ));
        }
    }
    for at in moments {
        let t = tempfile::tempdir().unwrap();
        let killed = kill_group_at(full_build_cmd(s, t.path(), &[], &[]), t.path(), at);
        killed_mid_run += usize::from(killed);
        cases += 1;
        // Where the kill landed: the steps the ledger had recorded by then.
        let recorded = std::fs::read_to_string(t.path().join(LEDGER))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .map(|v| step_ids(&v))
            .unwrap_or_default();
        eprintln!("killed at {at:?} (killed: {killed}) after {recorded:?}");
        let r = full_build(s, t.path(), &[], &[]);
        if r.code != 0 {
            divergences.push(format!(
                "killed at {at:?} (killed: {killed}): re-run exit {}\n{}",
                r.code, r.stderr
            ));
            continue;
        }
        let got = std::panic::catch_unwind(|| end_state(s, t.path()));
        match got {
            Ok(got) if got == want => {}
            Ok(got) => divergences.push(format!("killed at {at:?}: {got:#?}\nwanted {want:#?}")),
            Err(_) => divergences.push(format!("killed at {at:?}: the end state is inconsistent")),
        }
    }
    eprintln!(
        "crash matrix (build-rpms): {cases} cases, {killed_mid_run} killed mid-run, {} divergences",
        divergences.len()
    );
    assert!(
        killed_mid_run > 0,
        "no kill landed while build-rpms ran (it took {took:?})"
    );
    assert!(
        divergences.is_empty(),
        "{} of {cases} crash cases diverged:\n{}",
        divergences.len(),
        divergences.join("\n")
    );
}

#[cfg(not(feature = "fault-injection"))]
#[test]
fn crash_resume_tests_need_the_fault_injection_feature() {
    if std::env::var_os("CI").is_some() {
        panic!("run the tests with --features fault-injection (scripts/test does)");
    }
    eprintln!("skipping the crash-resume tests: run cargo test --features fault-injection");
}

// ---------------------------------------------------------------- real projects (issue 15)

#[test]
fn build_rpms_suggests_nodeps_on_failed_build_dependencies() {
    if !tools() {
        return;
    }
    let s = staged();
    let t = tempfile::tempdir().unwrap();
    // A build dependency no RPM database has, whatever the host.
    let spec = edited_spec(s, t.path(), |spec| {
        spec.replacen(
            "%description",
            "BuildRequires: release-kit-no-such-build-dependency\n\n%description",
            1,
        )
    });
    let r = build_rpms(
        s,
        &s.dist,
        t.path(),
        &[
            "--set",
            "rpm.nodeps=false",
            "--tag",
            "1.1.0-rc1",
            "--spec",
            &spec,
        ],
    );
    r.assert_code(1);
    assert!(
        r.stderr.contains("Failed build dependencies")
            && r.stderr.contains("release-kit-no-such-build-dependency")
            && r.stderr.contains("set `rpm.nodeps = true`"),
        "{}",
        r.stderr
    );
}

#[test]
fn build_rpms_does_not_rebuild_packages_already_in_the_repository() {
    if !tools() || !require_tool("rpmspec") {
        return;
    }
    let s = staged();
    let t = tempfile::tempdir().unwrap();
    let r = build_rpms(s, &s.dist, t.path(), &["--tag", "1.1.0-rc1"]);
    r.assert_code(0);
    assert!(t.path().join("work/rpmbuild.log").is_file());
    let rpms = |root: &Path| {
        snapshot_tree(root)
            .into_iter()
            .filter(|(p, _)| p.extension().is_some_and(|e| e == "rpm"))
            .collect::<Vec<_>>()
    };
    let published = rpms(&t.path().join("repo"));
    assert_eq!(published.len(), 2, "{published:?}");
    // Another job (a fresh work directory, no ledger) for the same release: nothing is built.
    std::fs::rename(t.path().join("work"), t.path().join("first-work")).unwrap();
    let r = build_rpms(s, &s.dist, t.path(), &["--tag", "1.1.0-rc1"]);
    r.assert_code(0);
    assert!(
        r.stderr.contains("are already in") && r.stderr.contains("not rebuilding"),
        "{}",
        r.stderr
    );
    assert!(
        !t.path().join("work/rpmbuild.log").exists(),
        "rpmbuild ran again"
    );
    assert!(
        r.stdout.contains("0 added, 2 already present"),
        "{}",
        r.stdout
    );
    assert_eq!(rpms(&t.path().join("repo")), published);
}

/// Issue 19: signing packages and metadata and publishing them to svn with credentials start
/// rpmbuild, rpmsign, gpg, createrepo_c and svnmucc; logged by PATH shims, no command line
/// carries the svn password, the HTTP publish password, their base64 or Basic-auth forms, or
/// any line of the signing key's secret part.
#[test]
fn no_secret_reaches_a_childs_argv_when_signing_and_publishing_packages() {
    if !tools() || !require_tool("svnadmin") || !require_tool("svnmucc") {
        return;
    }
    let s = staged();
    let t = tempfile::tempdir().unwrap();
    let svnrepo = t.path().join("svnrepo");
    sh(
        t.path(),
        &format!("svnadmin create {}", svnrepo.display()),
        &s.gnupg,
    );
    let url = format!("file://{}", svnrepo.display());
    let secret_key = sh(
        t.path(),
        &format!("gpg --batch --armor --export-secret-keys {}", s.fpr),
        &s.gnupg,
    );
    assert!(secret_key.contains("PRIVATE KEY BLOCK"));
    let (svn_pw, http_pw) = ("svn-argv-watch-pw", "rpm-publish-argv-watch-pw");
    let log = crate::hostile::argv::ArgvLog::new(&[
        "git",
        "gpg",
        "gpgconf",
        "rpm",
        "rpmbuild",
        "rpmsign",
        "rpmkeys",
        "createrepo_c",
        "svn",
        "svnmucc",
    ]);
    let mut c = tool("build-rpms", &s.repo);
    c.env("GNUPGHOME", &s.gnupg)
        .env("PATH", log.path())
        .env("RELEASE_KIT_SVN_USERNAME", "alice")
        .env("RELEASE_KIT_SVN_PASSWORD", svn_pw)
        .env("RELEASE_KIT_RPM_PUBLISH_USER", "alice")
        .env("RELEASE_KIT_RPM_PUBLISH_PASSWORD", http_pw)
        .args([
            "--set",
            &format!("dist.dev={}/dev/{{name}}", s.dist.display()),
        ])
        .args([
            "--set",
            &format!("signing.keys={}/release/hello/KEYS", s.dist.display()),
        ])
        .args(["--set", "rpm.nodeps=true"])
        .args(["--set", &format!("rpm.sign_key={}", s.fpr)])
        .args(["--tag", "1.1.0-rc1", "--repo-dir"])
        .arg(t.path().join("repo"))
        .arg("--work-dir")
        .arg(t.path().join("work"))
        .args(["--publish", &url]);
    run(c).assert_code(0);
    let listed = sh(t.path(), &format!("svn list --recursive {url}"), &s.gnupg);
    assert!(
        listed.contains("el7-testing/x86_64/hello-1.1.0-1.x86_64.rpm"),
        "{listed}"
    );
    let n = log.assert_no_secret(
        &["rpmbuild", "rpmsign", "gpg", "createrepo_c", "svnmucc"],
        &[&secret_key, svn_pw, http_pw],
        &[("alice", svn_pw), ("alice", http_pw)],
    );
    eprintln!("build-rpms: {n} child command lines, no secret in any");
}
