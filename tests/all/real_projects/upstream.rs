//! Real autotools projects other than the sample, from the upstream tarballs of the corpus
//! (`scripts/fetch-corpus`): each is turned into a git repository with its small
//! `tests/fixtures/real/<name>/release.toml` and released through every tool, on local
//! stand-ins (a bare git remote, a local svn dist, a throwaway key): bump-version,
//! changelog-check, verify-distcheck source (the project's real `make distcheck` or recipe),
//! stage-rc, verify-distcheck candidate on what stage-rc staged, build-rpms where the project
//! has a spec, the tally of a [VOTE] thread that answers stage-rc's own email, and publish-dist.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::release::{export, git_at, keyring, svn, svn_dist};
use crate::support::*;

/// The upstream tarball of `package` in the corpus; locally the test skips when the corpus is
/// absent, in CI it fails.
fn upstream(package: &str) -> Option<PathBuf> {
    let dir = root().join("target/test-data/corpus").join(package);
    let found = std::fs::read_dir(&dir).ok().and_then(|d| {
        d.map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().contains(".orig.tar.") && p.extension().unwrap() != "asc")
    });
    if found.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!(
                "{} is missing: scripts/test runs scripts/fetch-corpus first",
                dir.display()
            );
        }
        eprintln!("skipping: run scripts/fetch-corpus to download {package}");
    }
    found
}

/// One real project and what its release needs.
struct Real<'a> {
    /// The Debian source package holding the upstream tarball.
    package: &'a str,
    name: &'a str,
    version: &'a str,
    /// The release manager's edit before tagging: the section the release notes need.
    release_notes: Option<(&'a str, &'a str)>,
    /// The version site file and the text it holds after publish-dist bumped the branch.
    bumped: (&'a str, &'a str),
    /// The project ships an RPM spec: build-rpms runs too.
    rpm: bool,
}

/// The vote thread: stage-rc's own [VOTE] email and three binding +1 replies.
fn vote_thread(vote_email: &str) -> String {
    let header = |name: &str| {
        vote_email
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} in the vote email:\n{vote_email}"))
            .to_string()
    };
    let (subject, id, to) = (header("Subject"), header("Message-ID"), header("To"));
    let mut mbox = format!("From alice@example.org Mon Nov  2 17:00:00 2026\n{vote_email}\n");
    for (i, (who, addr)) in [
        ("Alice Andersen", "alice@example.org"),
        ("Bilal Chaudhry", "bilal@example.org"),
        ("Chen Wei", "chen.wei@example.org"),
    ]
    .iter()
    .enumerate()
    {
        mbox.push_str(&format!(
            "From {addr} Tue Nov  3 1{i}:00:00 2026\nFrom: {who} <{addr}>\nTo: {to}\nSubject: Re: {subject}\nDate: Tue, 03 Nov 2026 1{i}:00:00 +0000\nMessage-ID: <vote-{i}@example.org>\nIn-Reply-To: {id}\nReferences: {id}\n\n+1\n\nChecked the signature and the checksum, built it and ran its tests.\n\n"
        ));
    }
    mbox
}

const ROSTER: &str = "[[member]]\nname = \"Alice Andersen\"\nemails = [\"alice@example.org\"]\n\n[[member]]\nname = \"Bilal Chaudhry\"\nemails = [\"bilal@example.org\"]\n\n[[member]]\nname = \"Chen Wei\"\nemails = [\"chen.wei@example.org\"]\n";

/// Runs an outside command that must succeed.
fn ok(c: &mut Command) {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{c:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs a tool with the stand-ins' environment.
fn step(name: &str, dir: &Path, env: &[(&str, String)], args: &[&str]) -> Run {
    let mut c = tool(name, dir);
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    run(c)
}

fn release(p: Real<'_>) {
    let mut tools = vec!["git", "gpg", "make", "gcc", "tar", "svn", "svnadmin"];
    if p.rpm {
        tools.extend(["rpmbuild", "createrepo_c", "rpm"]);
    }
    if !tools.iter().all(|t| require_tool(t)) {
        return;
    }
    let Some(tarball) = upstream(p.package) else {
        return;
    };
    let (name, version) = (p.name, p.version);
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let repo = work.join(name);
    std::fs::create_dir(&repo).unwrap();
    ok(Command::new("tar")
        .arg("-xf")
        .arg(&tarball)
        .args(["--strip-components=1", "-C"])
        .arg(&repo));
    std::fs::copy(
        root().join(format!("tests/fixtures/real/{name}/release.toml")),
        repo.join("release.toml"),
    )
    .unwrap();
    if let Some((file, section)) = p.release_notes {
        let path = repo.join(file);
        let old = std::fs::read(&path).unwrap();
        std::fs::write(&path, [section.as_bytes(), &old].concat()).unwrap();
    }
    let origin = work.join("origin.git");
    git_at(work, &["init", "-q", "--bare", origin.to_str().unwrap()]);
    git_at(&repo, &["init", "-q", "-b", "main"]);
    git_at(&repo, &["config", "user.name", "Alice Andersen"]);
    git_at(&repo, &["config", "user.email", "alice@example.org"]);
    git_at(
        &repo,
        &["remote", "add", "origin", origin.to_str().unwrap()],
    );
    git_at(&repo, &["add", "-A"]);
    git_at(
        &repo,
        &["commit", "-qm", &format!("Imported {name} {version}.")],
    );
    git_at(&repo, &["push", "-q", "origin", "main"]);
    let rc = format!("{version}-rc1");

    // The stand-ins: a throwaway key listed in KEYS, and an svn dist with dev and release.
    let key = keyring("Alice Andersen <alice@example.org>", "ed25519", "2y", None);
    let keys = work.join("KEYS");
    std::fs::write(&keys, export(&key)).unwrap();
    let dist = svn_dist(
        &work.join("svn"),
        &[&format!("dev/{name}"), &format!("release/{name}")],
    );
    let roster = work.join("roster.toml");
    std::fs::write(&roster, ROSTER).unwrap();
    let env = [
        ("GNUPGHOME", key.dir.path().display().to_string()),
        ("RELEASE_KIT_DIST_DEV", format!("{dist}/dev/{{name}}")),
        (
            "RELEASE_KIT_DIST_RELEASE",
            format!("{dist}/release/{{name}}"),
        ),
        ("RELEASE_KIT_SIGNING_KEYS", keys.display().to_string()),
        ("RELEASE_KIT_RPM_NODEPS", "true".into()),
        ("RELEASE_KIT_RPM_SIGN_KEY", key.fingerprint.clone()),
    ];
    let at = |p: &Path| p.to_str().unwrap().to_string();

    // bump-version: the version sites agree, in the work tree and at the tag.
    let r = step("bump-version", &repo, &env, &["check"]);
    r.assert_code(0);
    assert!(!r.stderr.contains("no release.toml"), "{}", r.stderr);
    // The next patch release, planned in every site and changing nothing.
    let r = step("bump-version", &repo, &env, &["next", "patch", "--dry-run"]);
    r.assert_code(0);
    assert!(r.stdout.contains(p.bumped.1), "{}", r.stdout);
    assert_eq!(git_at(&repo, &["status", "--porcelain"]), "");
    git_at(&repo, &["tag", "-a", &rc, "-m", &format!("{name} {rc}")]);
    let r = step("bump-version", &repo, &env, &["check", "--tag", &rc]);
    r.assert_code(0);
    assert!(r.stdout.contains(version), "{}", r.stdout);

    // changelog-check: the release notes have a finished section for the version.
    let r = step("changelog-check", &repo, &env, &["--tag", &rc]);
    r.assert_code(0);
    assert!(r.stdout.contains("changelog-section"), "{}", r.stdout);

    // verify-distcheck source: the project's own distcheck from a clean worktree of the tag.
    let distcheck = work.join("distcheck");
    let r = step(
        "verify-distcheck",
        &repo,
        &env,
        &[
            "source",
            "--tag",
            &rc,
            "--jobs",
            "2",
            "--out-dir",
            &at(&distcheck),
        ],
    );
    r.assert_code(0);

    // stage-rc: the candidate made, signed, summed and staged in the svn dev area, the tag
    // pushed, the [VOTE] email written in the project's own words; a re-run redoes nothing.
    let stage = work.join("stage");
    let vote_start = ["--vote-start", "2026-11-02T17:00:00Z"];
    let r = step(
        "stage-rc",
        &repo,
        &env,
        &[&["--tag", &rc, "--out", &at(&stage)][..], &vote_start].concat(),
    );
    r.assert_code(0);
    let email = std::fs::read_to_string(stage.join("vote-email.eml")).unwrap();
    assert!(
        email.contains(&format!("Subject: [VOTE] Release {name} {version} (rc1)")),
        "{email}"
    );
    for asf in ["Mesos", "Apache", "apache.org", "PMC"] {
        assert!(
            !email.contains(asf),
            "`{asf}` in a non-ASF project's vote email:\n{email}"
        );
    }
    let r = step(
        "stage-rc",
        &repo,
        &env,
        &[
            &["--tag", &rc, "--out", &at(&work.join("stage-again"))][..],
            &vote_start,
        ]
        .concat(),
    );
    r.assert_code(0);
    assert!(r.stdout.contains("0 steps done"), "{}", r.stdout);
    let staged = svn(&["list", &format!("{dist}/dev/{name}/{rc}")]);
    let artifact_name = staged
        .lines()
        .find(|l| l.contains(".tar.") && !l.ends_with(".asc") && !l.ends_with(".sha512"))
        .unwrap_or_else(|| panic!("no tarball staged: {staged}"))
        .to_string();
    assert!(staged.contains(&format!("{artifact_name}.asc")), "{staged}");
    assert!(
        staged.contains(&format!("{artifact_name}.sha512")),
        "{staged}"
    );
    assert!(
        git_at(
            work,
            &["--git-dir", origin.to_str().unwrap(), "tag", "-l", &rc]
        )
        .contains(&rc),
        "the rc tag was not pushed"
    );

    // verify-distcheck candidate: what a voter downloads from dev, checked against the tag.
    let voter = work.join("voter");
    svn(&[
        "export",
        "-q",
        &format!("{dist}/dev/{name}/{rc}"),
        &at(&voter),
    ]);
    let r = step(
        "verify-distcheck",
        &repo,
        &env,
        &[
            "candidate",
            "--artifact",
            &at(&voter.join(&artifact_name)),
            "--keys",
            &at(&keys),
            "--tag",
            &rc,
        ],
    );
    r.assert_code(0);
    assert!(
        r.stdout
            .contains(&format!("everything under {name}-{version}/")),
        "{}",
        r.stdout
    );

    // build-rpms: the staged candidate, verified, built with the project's spec into a signed
    // yum repository.
    if p.rpm {
        let yum = work.join("yum");
        let r = step(
            "build-rpms",
            &repo,
            &env,
            &[
                "--tag",
                &rc,
                "--repo-dir",
                &at(&yum),
                "--work-dir",
                &at(&work.join("rpm-work")),
            ],
        );
        r.assert_code(0);
        let arch = yum.join("el7-testing/x86_64");
        let rpms: Vec<String> = std::fs::read_dir(&arch)
            .unwrap_or_else(|e| panic!("{}: {e}\n{}{}", arch.display(), r.stdout, r.stderr))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".rpm"))
            .collect();
        assert!(
            rpms.iter()
                .any(|n| n.starts_with(&format!("{name}-{version}-"))),
            "{rpms:?}\n{}",
            r.stdout
        );
        assert!(arch.join("repodata/repomd.xml.asc").is_file());
    }

    // The vote: stage-rc's own email answered by three binding +1s, tallied.
    let thread = work.join("thread.mbox");
    std::fs::write(&thread, vote_thread(&email)).unwrap();
    let r = step(
        "publish-dist",
        &repo,
        &env,
        &[
            "tally",
            "--tag",
            &rc,
            "--thread",
            &at(&thread),
            "--roster",
            &at(&roster),
            "--out",
            &at(&work.join("tally")),
        ],
    );
    r.assert_code(0);
    assert!(
        r.stdout.contains("PASSED") || r.stdout.contains("passed"),
        "{}",
        r.stdout
    );

    // publish-dist: promoted to the release area, the final tag pushed, the branch bumped to
    // the next patch, [RESULT] and [ANNOUNCE] in the project's own words.
    let publish = |out: &Path, date: &[&str]| {
        let (thread, roster, out) = (at(&thread), at(&roster), at(out));
        let args = [
            &[
                "--tag", &rc, "--thread", &thread, "--roster", &roster, "--out", &out,
            ][..],
            date,
        ]
        .concat();
        step("publish-dist", &repo, &env, &args)
    };
    let published = work.join("publish");
    let r = publish(&published, &["--release-date", "2026-11-09"]);
    r.assert_code(0);
    let released = svn(&["list", &format!("{dist}/release/{name}/{version}")]);
    assert!(released.contains(&artifact_name), "{released}");
    assert!(
        released.contains(&format!("{artifact_name}.asc")),
        "{released}"
    );
    let remote = |args: &[&str]| {
        git_at(
            work,
            &[&["--git-dir", origin.to_str().unwrap()][..], args].concat(),
        )
    };
    assert!(
        remote(&["tag", "-l", version]).contains(version),
        "no final tag"
    );
    let (file, text) = p.bumped;
    let bumped = remote(&["show", &format!("main:{file}")]);
    assert!(
        bumped.contains(text),
        "main's {file} after the release:\n{bumped}"
    );
    let announce = std::fs::read_to_string(published.join("announce-email.eml")).unwrap();
    assert!(
        announce.contains(&format!("{name} {version}")),
        "{announce}"
    );
    for asf in ["Mesos", "Apache", "apache.org", "PMC", "mirrors"] {
        assert!(
            !announce.contains(asf),
            "`{asf}` in a non-ASF announcement:\n{announce}"
        );
    }
    let r = publish(&work.join("publish-again"), &[]);
    r.assert_code(0);
}

#[test]
fn libmd_is_released_through_every_tool() {
    release(Real {
        package: "libmd",
        name: "libmd",
        version: "1.0.4",
        release_notes: None,
        bumped: (".dist-version", "1.0.5"),
        rpm: false,
    });
}

#[test]
fn attr_is_released_through_every_tool_once_its_release_notes_have_a_section() {
    // attr's doc/CHANGES stops at 2.4.44 (its history moved to git): the release manager adds
    // the section before tagging, as the release guide asks.
    release(Real {
        package: "attr",
        name: "attr",
        version: "2.5.1",
        release_notes: Some((
            "doc/CHANGES",
            "attr-2.5.1 (9 February 2021)\n\t- Release notes.\n\n",
        )),
        bumped: ("configure.ac", "AC_INIT([attr], [2.5.2]"),
        rpm: false,
    });
}

#[test]
fn pv_is_released_through_every_tool_with_its_rpm() {
    // pv: autoconf without automake, three version sites, a NEWS file partly in Latin-1, a
    // separate build directory for `make dist`, and an RPM spec.
    release(Real {
        package: "pv",
        name: "pv",
        version: "1.6.20",
        release_notes: None,
        bumped: ("doc/VERSION", "1.6.21"),
        rpm: true,
    });
}
