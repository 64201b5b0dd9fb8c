//! publish-dist end to end: the sample project's 1.1.0-rc1 staged by the real stage-rc into a
//! real svn dist (svnadmin create, file://), its vote thread tallied, then published with real
//! git and svn; JIRA through wiremock on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::release::{cut_rc1, export, git_at, keyring, svn, svn_dist, Keyring};
use crate::support::{self, git, run, sample_thread, tool, Run};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The vote the sample threads belong to (examples/hello-release/threads/).
const VOTE_START: &str = "2026-11-02T17:00:00Z";
const RELEASE_DATE: &str = "2026-11-09";

fn have_tools() -> bool {
    ["git", "gpg", "svn", "svnadmin", "svnmucc"]
        .iter()
        .all(|t| support::require_tool(t))
}

/// The sample with 1.1.0-rc1 staged into an svn dist that already holds releases 0.9.0 and 1.0.0.
struct Fx {
    _sample: tempfile::TempDir,
    base: tempfile::TempDir,
    repo: PathBuf,
    origin: PathBuf,
    key: Keyring,
    keys: PathBuf,
    svn: String,
    /// Directory dist areas instead of svn: (dev, release).
    local: Option<(PathBuf, PathBuf)>,
    /// A GitHub dist (the fake GitHub's base URL) instead of svn.
    github: Option<String>,
    out: PathBuf,
    jira: Option<String>,
}

impl Fx {
    fn staged() -> Fx {
        Fx::staged_in(false, None)
    }

    fn staged_in(local_dist: bool, github: Option<String>) -> Fx {
        Fx::staged_with(local_dist, github, false)
    }

    /// Staged by stage-rc, with the SBOM when `sbom` (licence.sbom).
    fn staged_with(local_dist: bool, github: Option<String>, sbom: bool) -> Fx {
        let key = keyring("Alice Andersen <alice@example.org>", "ed25519", "2y", None);
        let (sample, repo) = support::sample_repo();
        let origin = repo.parent().unwrap().join("origin.git");
        cut_rc1(&repo);
        git_at(&repo, &["checkout", "-q", "master"]);
        let base = tempfile::tempdir().unwrap();
        let keys = base.path().join("KEYS");
        std::fs::write(&keys, export(&key)).unwrap();
        let url = svn_dist(
            &base.path().join("svnrepo"),
            &["dev/hello", "release/hello/0.9.0", "release/hello/1.0.0"],
        );
        let local = local_dist.then(|| {
            let dev = base.path().join("dist/dev/hello");
            let release = base.path().join("dist/release/hello");
            for d in [&dev, &release.join("0.9.0"), &release.join("1.0.0")] {
                std::fs::create_dir_all(d).unwrap();
            }
            std::fs::write(release.join("KEYS"), export(&key)).unwrap();
            (dev, release)
        });
        let fx = Fx {
            _sample: sample,
            local,
            github,
            out: base.path().join("out"),
            repo,
            origin,
            key,
            keys,
            svn: url,
            base,
            jira: None,
        };
        let mut c = fx.cmd("stage-rc");
        c.args(["--vote-start", VOTE_START])
            .env("RELEASE_KIT_OUT", fx.base.path().join("stage-out"));
        if sbom {
            c.env("RELEASE_KIT_LICENCE_SBOM", "true");
        }
        run(c).assert_code(0);
        fx
    }

    fn cmd(&self, name: &str) -> Command {
        let mut c = tool(name, &self.repo);
        c.env("GNUPGHOME", self.key.dir.path())
            .env("RELEASE_KIT_DIST_SOURCE", "git-archive")
            .env("RELEASE_KIT_DIST_DEV", format!("{}/dev/hello", self.svn))
            .env(
                "RELEASE_KIT_DIST_RELEASE",
                format!("{}/release/hello", self.svn),
            )
            .env("RELEASE_KIT_SIGNING_KEYS", &self.keys)
            .env("RELEASE_KIT_TAG", "1.1.0-rc1")
            .env("RELEASE_KIT_OUT", &self.out)
            .env("RELEASE_KIT_RELEASE_DATE", RELEASE_DATE)
            .env("RELEASE_KIT_PUBLISH_KEEP_LINES", "2");
        if let Some(api) = &self.github {
            c.env("RELEASE_KIT_DIST_DEV", "https://github.com/apache/hello")
                .env(
                    "RELEASE_KIT_DIST_RELEASE",
                    "https://github.com/apache/hello",
                )
                .env("RELEASE_KIT_GITHUB_API_URL", format!("{api}/"))
                .env("RELEASE_KIT_GITHUB_UPLOADS_URL", format!("{api}/"))
                .env("RELEASE_KIT_GITHUB_TOKEN", "ghs_fake-token");
        }
        if let Some((dev, release)) = &self.local {
            c.env("RELEASE_KIT_DIST_DEV", dev)
                .env("RELEASE_KIT_DIST_RELEASE", release);
        }
        match &self.jira {
            Some(url) => c.env("RELEASE_KIT_JIRA_URL", url),
            None => c.env("RELEASE_KIT_PUBLISH_JIRA_RELEASE", "false"),
        };
        c
    }

    fn publish(&self, thread_file: &str, args: &[&str], extra: &[(&str, &str)]) -> Run {
        let mut c = self.cmd("publish-dist");
        c.env("RELEASE_KIT_THREAD", sample_thread(thread_file))
            .args(args);
        for (k, v) in extra {
            c.env(k, v);
        }
        run(c)
    }

    fn commit(&self) -> String {
        git(&self.repo, &["rev-parse", "1.1.0-rc1^{commit}"])
            .trim()
            .to_string()
    }

    fn list(&self, dir: &str) -> Vec<String> {
        let out = Command::new("svn")
            .args(["list", "--non-interactive"])
            .arg(format!("{}/{dir}", self.svn))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn revision(&self) -> String {
        svn(&["info", "--show-item", "revision", &self.svn])
            .trim()
            .to_string()
    }

    fn origin_refs(&self) -> String {
        git(
            &self.origin,
            &["for-each-ref", "--format=%(refname) %(objectname)"],
        )
    }

    /// What a finished release leaves: dist trees, the remote's refs and files, the ledger.
    fn end_state(&self) -> Vec<String> {
        let mut state = vec![
            format!("release: {:?}", self.list("release/hello")),
            format!("release/1.1.0: {:?}", self.list("release/hello/1.1.0")),
            format!("dev: {:?}", self.list("dev/hello")),
        ];
        let refs: Vec<String> = self
            .origin_refs()
            .lines()
            .filter(|l| !l.starts_with("refs/notes/"))
            .map(|l| l.split(' ').next().unwrap().to_string())
            .collect();
        state.push(format!("refs: {refs:?}"));
        state.push(format!(
            "tag 1.1.0 -> {}",
            git(&self.origin, &["rev-parse", "1.1.0^{commit}"]).trim() == self.commit()
        ));
        state.push(
            git(&self.origin, &["show", "1.1.x:configure.ac"])
                .lines()
                .find(|l| l.starts_with("AC_INIT"))
                .unwrap()
                .to_string(),
        );
        state.push(git(
            &self.origin,
            &["show", "release-kit/website-1.1.0:site/data/releases.yml"],
        ));
        let notes = git(
            &self.origin,
            &[
                "notes",
                "--ref=refs/notes/release-kit",
                "show",
                &self.commit(),
            ],
        );
        let ledger: serde_json::Value = serde_json::from_str(&notes).unwrap();
        let ids: Vec<String> = ledger["publish:1.1.0-rc1"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect();
        state.push(format!("ledger: {ids:?}"));
        // What the website step recorded: a crash inside it must not lose it (issue 19).
        let website = ledger["publish:1.1.0-rc1"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "website")
            .map(|s| {
                (
                    s["outputs"]["changed"].clone(),
                    s["outputs"]["diff"].clone(),
                )
            });
        state.push(format!("website record: {website:?}"));
        state
    }
}

#[test]
fn publishes_the_sample_rc_from_svn_dev_to_release_and_a_rerun_changes_nothing() {
    if !have_tools() {
        return;
    }
    let fx = Fx::staged();
    let r = fx.publish("passing.mbox", &[], &[]);
    r.assert_code(0);
    // Promoted in one server-side commit: exactly the voted files, the candidate gone from dev.
    assert_eq!(
        fx.list("release/hello/1.1.0"),
        [
            "hello-1.1.0.tar.gz",
            "hello-1.1.0.tar.gz.asc",
            "hello-1.1.0.tar.gz.sha512"
        ]
    );
    assert!(
        fx.list("dev/hello").is_empty(),
        "{:?}",
        fx.list("dev/hello")
    );
    // keep_lines = 2: lines 1.1 and 1.0 stay, 0.9 is archived.
    assert_eq!(fx.list("release/hello"), ["1.0.0/", "1.1.0/"]);
    let log = svn(&["log", "-q", "-v", &fx.svn]);
    assert!(
        log.contains("R /dev/hello/1.1.0-rc1") || log.contains("D /dev/hello/1.1.0-rc1"),
        "{log}"
    );
    // The final tag on the rc tag's commit, on the remote.
    assert_eq!(
        git(&fx.origin, &["rev-parse", "1.1.0^{commit}"]).trim(),
        fx.commit()
    );
    assert_eq!(
        git(&fx.origin, &["cat-file", "-t", "1.1.0"]).trim(),
        "tag",
        "the release tag is annotated"
    );
    // The release branch moved on to the next patch version.
    let configure = git(&fx.origin, &["show", "1.1.x:configure.ac"]);
    assert!(
        configure.contains("AC_INIT([hello], [1.1.1])"),
        "{configure}"
    );
    // The website change is on its branch, based on master.
    let releases = git(
        &fx.origin,
        &["show", "release-kit/website-1.1.0:site/data/releases.yml"],
    );
    assert!(releases.contains("1.1.0"), "{releases}");
    let files = git(
        &fx.origin,
        &[
            "ls-tree",
            "-r",
            "--name-only",
            "release-kit/website-1.1.0",
            "site/source/blog",
        ],
    );
    assert!(files.contains("1.1.0"), "{files}");
    // The emails.
    let result = std::fs::read_to_string(fx.out.join("result-email.eml")).unwrap();
    assert!(result.contains("[RESULT]"), "{result}");
    let announce = std::fs::read_to_string(fx.out.join("announce-email.eml")).unwrap();
    assert!(announce.contains("[ANNOUNCE]"), "{announce}");
    assert!(fx.out.join("ledger.json").exists());
    assert!(fx.out.join("releases.diff").exists());

    // A re-run: nothing left to do, nothing changes.
    let rev = fx.revision();
    let refs = fx.origin_refs();
    let state = fx.end_state();
    let again = fx.publish("passing.mbox", &[], &[]);
    again.assert_code(0);
    assert!(again.stdout.contains("0 steps done"), "{}", again.stdout);
    assert_eq!(fx.revision(), rev);
    assert_eq!(fx.origin_refs(), refs);
    assert_eq!(fx.end_state(), state);
}

#[test]
fn directory_dist_areas_are_promoted_by_rename_and_archived() {
    if !have_tools() {
        return;
    }
    let fx = Fx::staged_in(true, None);
    let (dev, release) = fx.local.clone().unwrap();
    fx.publish("passing.mbox", &[], &[]).assert_code(0);
    let names = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names(&release.join("1.1.0")),
        [
            "hello-1.1.0.tar.gz",
            "hello-1.1.0.tar.gz.asc",
            "hello-1.1.0.tar.gz.sha512"
        ]
    );
    // keep_lines = 2: 0.9.0 is archived, KEYS is never touched, no partial directory is left.
    assert_eq!(names(&release), ["1.0.0", "1.1.0", "KEYS"]);
    assert!(names(&dev).is_empty(), "{:?}", names(&dev));
    let before = support::snapshot_tree(fx.base.path());
    fx.publish("passing.mbox", &[], &[]).assert_code(0);
    assert_eq!(support::snapshot_tree(fx.base.path()), before);
}

#[test]
fn the_final_tag_is_signed_when_configured() {
    if !have_tools() {
        return;
    }
    let fx = Fx::staged();
    let fpr = fx.key.fingerprint.clone();
    fx.publish(
        "passing.mbox",
        &[],
        &[
            ("RELEASE_KIT_PUBLISH_SIGN_TAG", "true"),
            ("RELEASE_KIT_SIGNING_KEY", &fpr),
        ],
    )
    .assert_code(0);
    let tag = git(&fx.origin, &["cat-file", "-p", "1.1.0"]);
    assert!(tag.contains("-----BEGIN PGP SIGNATURE-----"), "{tag}");
    assert!(tag.contains("Tagging Hello 1.1.0."), "{tag}");
}

#[test]
fn dry_run_prints_the_plan_and_changes_nothing() {
    if !have_tools() {
        return;
    }
    let fx = Fx::staged();
    let rev = fx.revision();
    let refs = fx.origin_refs();
    let tree = support::snapshot_tree(&fx.repo);
    let r = fx.publish("passing.mbox", &["--dry-run"], &[]);
    r.assert_code(0);
    for step in [
        "tally",
        "verify",
        "promote",
        "tag",
        "website",
        "bump-branch",
        "archive",
        "emails",
    ] {
        assert!(r.stdout.contains(step), "{step} missing:\n{}", r.stdout);
    }
    assert_eq!(fx.revision(), rev);
    assert_eq!(fx.origin_refs(), refs);
    assert_eq!(support::snapshot_tree(&fx.repo), tree);
    assert!(!fx.out.exists());
}

#[test]
fn a_failed_vote_publishes_nothing_and_abandon_drops_the_candidate() {
    if !have_tools() {
        return;
    }
    let fx = Fx::staged();
    let rev = fx.revision();
    let r = fx.publish("failing.mbox", &[], &[]);
    r.assert_code(1);
    assert!(r.stderr.contains("did not pass"), "{}", r.stderr);
    assert!(r.stderr.contains("--override-vote"), "{}", r.stderr);
    assert_eq!(fx.revision(), rev, "nothing committed to dist");
    assert!(!fx.origin_refs().contains("refs/tags/1.1.0 "));

    let mut c = fx.cmd("publish-dist");
    c.args([
        "abandon",
        "--reason",
        "a binding -1 (broken build on macOS)",
    ]);
    run(c).assert_code(0);
    let note = svn(&["cat", &format!("{}/dev/hello/1.1.0-rc1/ABANDONED", fx.svn)]);
    assert!(note.contains("broken build on macOS"), "{note}");
    // Abandoning twice changes nothing; publishing an abandoned candidate is refused.
    let rev = fx.revision();
    let mut c = fx.cmd("publish-dist");
    c.args([
        "abandon",
        "--reason",
        "a binding -1 (broken build on macOS)",
    ]);
    run(c).assert_code(0);
    assert_eq!(fx.revision(), rev);
    let r = fx.publish("passing.mbox", &[], &[]);
    r.assert_code(1);
    assert!(r.stderr.contains("abandoned"), "{}", r.stderr);
}

#[test]
fn a_dist_file_changed_after_the_vote_is_refused_before_anything_is_promoted() {
    if !have_tools() {
        return;
    }
    let fx = Fx::staged();
    let tmp = fx.base.path().join("evil.tar.gz");
    std::fs::write(&tmp, b"not the voted tarball").unwrap();
    let out = Command::new("svnmucc")
        .args(["-m", "tamper", "put"])
        .arg(&tmp)
        .arg(format!("{}/dev/hello/1.1.0-rc1/hello-1.1.0.tar.gz", fx.svn))
        .output()
        .unwrap();
    assert!(out.status.success());
    let rev = fx.revision();
    let r = fx.publish("passing.mbox", &[], &[]);
    r.assert_code(1);
    assert!(r.stderr.contains("SHA-512"), "{}", r.stderr);
    assert!(r.stderr.contains("changed after the vote"), "{}", r.stderr);
    assert_eq!(fx.revision(), rev);
    assert!(!fx.list("release/hello").contains(&"1.1.0/".to_string()));
}

#[test]
fn a_release_directory_with_other_content_or_a_tag_on_another_commit_is_refused() {
    if !have_tools() {
        return;
    }
    let fx = Fx::staged();
    // A stale 1.1.0 in dist release.
    let tmp = fx.base.path().join("old.tar.gz");
    std::fs::write(&tmp, b"someone else's tarball").unwrap();
    let out = Command::new("svnmucc")
        .args(["-m", "stale", "mkdir"])
        .arg(format!("{}/release/hello/1.1.0", fx.svn))
        .arg("put")
        .arg(&tmp)
        .arg(format!("{}/release/hello/1.1.0/hello-1.1.0.tar.gz", fx.svn))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = fx.publish("passing.mbox", &[], &[]);
    r.assert_code(1);
    assert!(
        r.stderr
            .contains("already exists with a different hello-1.1.0.tar.gz"),
        "{}",
        r.stderr
    );
    assert_eq!(
        fx.list("dev/hello"),
        ["1.1.0-rc1/"],
        "the candidate stays in dev"
    );

    // Clear it; now a 1.1.0 tag on another commit.
    svn(&[
        "rm",
        "-m",
        "clear",
        &format!("{}/release/hello/1.1.0", fx.svn),
    ]);
    git_at(
        &fx.repo,
        &["tag", "-a", "1.1.0", "-m", "wrong", "1.0.0^{commit}"],
    );
    let r = fx.publish("passing.mbox", &[], &[]);
    r.assert_code(1);
    assert!(
        r.stderr.contains("tag 1.1.0 already exists on commit"),
        "{}",
        r.stderr
    );
    // Found while planning: the candidate was not promoted; with the tag fixed, it publishes.
    assert_eq!(fx.list("dev/hello"), ["1.1.0-rc1/"]);
    git_at(&fx.repo, &["tag", "-d", "1.1.0"]);
    fx.publish("passing.mbox", &[], &[]).assert_code(0);
    assert_eq!(
        git(&fx.origin, &["rev-parse", "1.1.0^{commit}"]).trim(),
        fx.commit()
    );
}

async fn jira_mocks(server: &MockServer, versions: serde_json::Value) {
    Mock::given(method("GET"))
        .and(path("/rest/api/2/project/HELLO/versions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(versions))
        .mount(server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/rest/api/2/version/12340002"))
        .and(body_partial_json(
            serde_json::json!({"released": true, "releaseDate": RELEASE_DATE}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "self": "https://issues.example.org/jira/rest/api/2/version/12340002",
            "id": "12340002", "name": "1.1.0", "archived": false, "released": true,
            "releaseDate": RELEASE_DATE, "projectId": 12310001,
            "description": "Release managers: Alice Andersen"
        })))
        .expect(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/2/version"))
        .and(body_partial_json(
            serde_json::json!({"name": "1.1.1", "projectId": 12310001}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({
            "self": "https://issues.example.org/jira/rest/api/2/version/12340003",
            "id": "12340003", "name": "1.1.1", "archived": false, "released": false,
            "projectId": 12310001
        })))
        .expect(1)
        .mount(server)
        .await;
}

#[test]
fn jira_version_is_released_with_date_and_managers_and_the_next_one_created() {
    if !have_tools() {
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start());
    rt.block_on(jira_mocks(
        &server,
        serde_json::json!([
            {"self": "x", "id": "12340001", "name": "1.0.0", "archived": false, "released": true, "releaseDate": "2026-03-10", "projectId": 12310001},
            {"self": "x", "id": "12340002", "name": "1.1.0", "archived": false, "released": false, "projectId": 12310001}
        ]),
    ));
    let mut fx = Fx::staged();
    fx.jira = Some(server.uri());
    fx.publish("passing.mbox", &[], &[]).assert_code(0);
    let received = rt.block_on(server.received_requests()).unwrap();
    let put = received
        .iter()
        .find(|r| r.method.as_str() == "PUT")
        .expect("the version was released");
    let body: serde_json::Value = serde_json::from_slice(&put.body).unwrap();
    assert_eq!(body["released"], true);
    assert!(
        body["description"]
            .as_str()
            .unwrap()
            .contains("Alice Andersen"),
        "{body}"
    );
    // releases.yml carries JIRA's version id.
    let releases = git(
        &fx.origin,
        &["show", "release-kit/website-1.1.0:site/data/releases.yml"],
    );
    assert!(releases.contains("12340002"), "{releases}");
    rt.block_on(server.verify());
}

#[test]
fn a_missing_jira_version_is_explained_and_nothing_after_it_happens() {
    if !have_tools() {
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(method("GET"))
            .and(path("/rest/api/2/project/HELLO/versions"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
            .mount(&server),
    );
    let mut fx = Fx::staged();
    fx.jira = Some(server.uri());
    let rev = fx.revision();
    let refs = fx.origin_refs();
    let r = fx.publish("passing.mbox", &[], &[]);
    r.assert_code(2);
    assert!(r.stderr.contains("has no version 1.1.0"), "{}", r.stderr);
    assert!(
        !fx.origin_refs().contains("release-kit/website-1.1.0"),
        "no website change after the failed JIRA step"
    );
    // Found while planning: nothing was promoted, tagged or pushed.
    assert_eq!(fx.revision(), rev);
    assert_eq!(fx.origin_refs(), refs);
}

#[test]
fn a_releases_file_of_an_unexpected_shape_is_refused_before_anything_is_promoted() {
    if !have_tools() {
        return;
    }
    let fx = Fx::staged();
    let file = fx.repo.join("site/data/releases.yml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("versions:\n", "versions: [1.0.0]\n")).unwrap();
    git_at(&fx.repo, &["commit", "-qam", "A flow list."]);
    git_at(&fx.repo, &["push", "-q", "origin", "master"]);
    let rev = fx.revision();
    let refs = fx.origin_refs();
    let r = fx.publish("passing.mbox", &[], &[]);
    r.assert_code(2);
    assert!(
        r.stderr
            .contains("site/data/releases.yml:19: `versions` is a flow-style list"),
        "{}",
        r.stderr
    );
    assert_eq!(fx.revision(), rev, "nothing promoted");
    assert_eq!(fx.origin_refs(), refs, "nothing tagged or pushed");
}

#[cfg(feature = "fault-injection")]
#[test]
fn a_crash_after_any_step_resumes_to_the_same_end_state() {
    if !have_tools() {
        return;
    }
    let reference = Fx::staged();
    reference.publish("passing.mbox", &[], &[]).assert_code(0);
    let want = reference.end_state();
    drop(reference);
    for (step, point) in [
        ("tally", ""),
        ("verify", ""),
        ("promote", ""),
        ("tag", ""),
        ("website", ""),
        ("bump-branch", ""),
        ("archive", ""),
        ("emails", ""),
        ("promote", ":recorded"),
    ] {
        let fx = Fx::staged();
        let spec = format!("{step}{point}");
        fx.publish(
            "passing.mbox",
            &[],
            &[("RELEASE_KIT_FAULT_AFTER_STEP", &spec)],
        )
        .assert_code(86);
        // Resume on a "new runner": --out is gone.
        let _ = std::fs::remove_dir_all(&fx.out);
        fx.publish("passing.mbox", &[], &[]).assert_code(0);
        assert_eq!(fx.end_state(), want, "end state after a crash at {spec}");
        assert!(fx.out.join("result-email.eml").exists(), "after {spec}");
        assert!(fx.out.join("announce-email.eml").exists(), "after {spec}");
    }
}

#[test]
fn bad_usage_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let r = support::run_tool("publish-dist", dir.path(), &[]);
    r.assert_code(2);
    assert!(r.stderr.contains("--tag"), "{}", r.stderr);
    if !have_tools() {
        return;
    }
    let fx = Fx::staged();
    // Not staged: 1.0.0-rc1 has no stage-rc ledger.
    let r = fx.publish("passing.mbox", &["--tag", "1.0.0-rc1"], &[]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("stage-rc --tag 1.0.0-rc1"),
        "{}",
        r.stderr
    );
    for bad in ["1.1-rc1", "v1.1.0-rc1", "1.1.0-RC1"] {
        let r = fx.publish("passing.mbox", &["--tag", bad], &[]);
        r.assert_code(2);
        assert!(r.stderr.contains("X.Y.Z-rcN"), "{bad}: {}", r.stderr);
        assert!(!r.stderr.contains("git tag -a"), "{bad}: {}", r.stderr);
    }
    let r = fx.publish("passing.mbox", &["--release-date", "9 Nov"], &[]);
    r.assert_code(2);
    assert!(r.stderr.contains("YYYY-MM-DD"), "{}", r.stderr);
}

/// A stateful stand-in for GitHub's releases API (releases, drafts, assets, immutable releases
/// that refuse uploads once published), served by wiremock on 127.0.0.1.
mod fake_github {
    use std::sync::{Arc, Mutex};

    use serde_json::{json, Value};
    use wiremock::{Request, Respond, ResponseTemplate};

    #[derive(Debug, Default)]
    pub struct State {
        next: u64,
        pub releases: Vec<Value>,
        /// (release id, asset id, name, bytes)
        pub assets: Vec<(u64, u64, String, Vec<u8>)>,
        pub writes: usize,
    }

    #[derive(Debug, Clone, Default)]
    pub struct FakeGitHub(pub Arc<Mutex<State>>);

    fn asset_json(a: &(u64, u64, String, Vec<u8>)) -> Value {
        json!({"id": a.1, "name": a.2, "size": a.3.len(), "state": "uploaded", "content_type": "application/octet-stream"})
    }

    impl Respond for FakeGitHub {
        fn respond(&self, req: &Request) -> ResponseTemplate {
            let mut st = self.0.lock().unwrap();
            let parts: Vec<&str> = req.url.path().trim_matches('/').split('/').collect();
            let m = req.method.as_str();
            if m != "GET" {
                st.writes += 1;
            }
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            match (m, &parts[..]) {
                ("GET", ["repos", _, _, "releases"]) => {
                    ResponseTemplate::new(200).set_body_json(Value::from(st.releases.clone()))
                }
                ("POST", ["repos", o, r, "releases"]) => {
                    st.next += 1;
                    let id = st.next;
                    let tag = body["tag_name"].as_str().unwrap_or_default().to_string();
                    let release = json!({
                        "id": id, "tag_name": tag, "name": body["name"], "body": body["body"],
                        "draft": body["draft"], "prerelease": body["prerelease"],
                        "target_commitish": body.get("target_commitish").cloned().unwrap_or(json!("main")),
                        "html_url": format!("https://github.com/{o}/{r}/releases/tag/untagged-{id}"),
                    });
                    st.releases.push(release.clone());
                    ResponseTemplate::new(201).set_body_json(release)
                }
                ("PATCH", ["repos", _, _, "releases", id]) => {
                    let id: u64 = id.parse().unwrap();
                    let Some(rel) = st.releases.iter_mut().find(|r| r["id"] == id) else {
                        return ResponseTemplate::new(404)
                            .set_body_json(json!({"message": "Not Found"}));
                    };
                    for (k, v) in body.as_object().unwrap() {
                        if k != "make_latest" {
                            rel[k] = v.clone();
                        }
                    }
                    ResponseTemplate::new(200).set_body_json(rel.clone())
                }
                ("GET", ["repos", _, _, "releases", "assets", id]) => {
                    let id: u64 = id.parse().unwrap();
                    match st.assets.iter().find(|a| a.1 == id) {
                        Some(a) => ResponseTemplate::new(200).set_body_bytes(a.3.clone()),
                        None => ResponseTemplate::new(404)
                            .set_body_json(json!({"message": "Not Found"})),
                    }
                }
                ("DELETE", ["repos", _, _, "releases", "assets", id]) => {
                    let id: u64 = id.parse().unwrap();
                    st.assets.retain(|a| a.1 != id);
                    ResponseTemplate::new(204)
                }
                ("GET", ["repos", _, _, "releases", id, "assets"]) => {
                    let id: u64 = id.parse().unwrap();
                    let list: Vec<Value> = st
                        .assets
                        .iter()
                        .filter(|a| a.0 == id)
                        .map(asset_json)
                        .collect();
                    ResponseTemplate::new(200).set_body_json(Value::from(list))
                }
                ("POST", ["repos", _, _, "releases", id, "assets"]) => {
                    let id: u64 = id.parse().unwrap();
                    let name = req
                        .url
                        .query_pairs()
                        .find(|(k, _)| k == "name")
                        .map(|(_, v)| v.into_owned())
                        .unwrap_or_default();
                    let published = st
                        .releases
                        .iter()
                        .any(|r| r["id"] == id && r["draft"] == false);
                    if published {
                        return ResponseTemplate::new(422).set_body_json(
                            json!({"message": "Cannot upload assets to an immutable release."}),
                        );
                    }
                    if st.assets.iter().any(|a| a.0 == id && a.2 == name) {
                        return ResponseTemplate::new(422).set_body_json(json!({"message": "Validation Failed", "errors": [{"resource": "ReleaseAsset", "code": "already_exists", "field": "name"}]}));
                    }
                    st.next += 1;
                    let asset = (id, st.next, name, req.body.clone());
                    let j = asset_json(&asset);
                    st.assets.push(asset);
                    ResponseTemplate::new(201).set_body_json(j)
                }
                _ => ResponseTemplate::new(404)
                    .set_body_json(json!({"message": "Not Found", "path": req.url.path()})),
            }
        }
    }
}

fn github_server() -> (tokio::runtime::Runtime, MockServer, fake_github::FakeGitHub) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start());
    let fake = fake_github::FakeGitHub::default();
    rt.block_on(
        Mock::given(wiremock::matchers::any())
            .respond_with(fake.clone())
            .mount(&server),
    );
    (rt, server, fake)
}

#[test]
fn a_github_candidate_becomes_the_published_final_release_and_a_rerun_changes_nothing() {
    if !have_tools() {
        return;
    }
    let (_rt, server, fake) = github_server();
    let fx = Fx::staged_in(false, Some(server.uri()));
    {
        let st = fake.0.lock().unwrap();
        assert_eq!(st.releases.len(), 1, "stage-rc made the draft pre-release");
        assert_eq!(st.assets.len(), 3);
    }
    let r = fx.publish("passing.mbox", &["--dry-run"], &[]);
    r.assert_code(0);
    // On GitHub the annotated tag goes first, so publishing finds it; nothing to archive.
    let tag_at = r.stdout.find("] tag:").unwrap();
    let promote_at = r.stdout.find("] promote:").unwrap();
    assert!(tag_at < promote_at, "{}", r.stdout);
    assert!(!r.stdout.contains("] archive:"), "{}", r.stdout);

    fx.publish("passing.mbox", &[], &[]).assert_code(0);
    let writes = {
        let st = fake.0.lock().unwrap();
        let fin = st
            .releases
            .iter()
            .find(|r| r["tag_name"] == "1.1.0")
            .expect("the final release");
        assert_eq!(fin["draft"], false);
        assert_eq!(fin["prerelease"], false);
        assert_eq!(fin["target_commitish"], fx.commit().as_str());
        let rc = st
            .releases
            .iter()
            .find(|r| r["tag_name"] == "1.1.0-rc1")
            .unwrap();
        let files = |id: &serde_json::Value| {
            let mut v: Vec<(String, Vec<u8>)> = st
                .assets
                .iter()
                .filter(|a| *id == a.0)
                .map(|a| (a.2.clone(), a.3.clone()))
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            files(&fin["id"]),
            files(&rc["id"]),
            "the voted bytes, all three"
        );
        st.writes
    };
    assert_eq!(git(&fx.origin, &["cat-file", "-t", "1.1.0"]).trim(), "tag");
    fx.publish("passing.mbox", &[], &[]).assert_code(0);
    assert_eq!(
        fake.0.lock().unwrap().writes,
        writes,
        "a re-run writes nothing to GitHub"
    );
}

#[cfg(feature = "fault-injection")]
#[test]
fn a_crash_while_publishing_on_github_resumes_without_a_second_release() {
    if !have_tools() {
        return;
    }
    let (_rt, server, fake) = github_server();
    let fx = Fx::staged_in(false, Some(server.uri()));
    fx.publish(
        "passing.mbox",
        &[],
        &[("RELEASE_KIT_FAULT_AFTER_STEP", "promote")],
    )
    .assert_code(86);
    let _ = std::fs::remove_dir_all(&fx.out);
    fx.publish("passing.mbox", &[], &[]).assert_code(0);
    let st = fake.0.lock().unwrap();
    let finals: Vec<_> = st
        .releases
        .iter()
        .filter(|r| r["tag_name"] == "1.1.0")
        .collect();
    assert_eq!(finals.len(), 1);
    assert_eq!(finals[0]["draft"], false);
    assert_eq!(
        st.assets.iter().filter(|a| finals[0]["id"] == a.0).count(),
        3
    );
}

// ---------------------------------------------------------------- release models (issue 15)

#[test]
fn release_model_decides_the_bump_branch_step() {
    if !have_tools() {
        return;
    }
    let fx = Fx::staged();
    git_at(&fx.repo, &["branch", "release/1.1.0", "1.1.0-rc1"]);
    // Maintenance (the default): the X.Y.x branch moves to the next patch.
    let r = fx.publish("passing.mbox", &["--dry-run"], &[]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("bump the release branch 1.1.x to 1.1.1"),
        "{}",
        r.stdout
    );
    // Per-release: the release's branch ends with it; nothing is bumped.
    let r = fx.publish(
        "passing.mbox",
        &["--dry-run"],
        &[("RELEASE_KIT_TAGS_MODEL", "per-release")],
    );
    r.assert_code(0);
    assert!(!r.stdout.contains("bump-branch"), "{}", r.stdout);
    // Trunk: the trunk moves on.
    let r = fx.publish(
        "passing.mbox",
        &["--dry-run"],
        &[
            ("RELEASE_KIT_TAGS_MODEL", "trunk"),
            ("RELEASE_KIT_TAGS_BRANCH", "master"),
        ],
    );
    r.assert_code(0);
    assert!(
        r.stdout.contains("bump the trunk master to 1.1.1"),
        "{}",
        r.stdout
    );
}

#[test]
fn release_kit_now_governs_the_release_date() {
    if !have_tools() {
        return;
    }
    let fx = Fx::staged();
    // No --release-date (an empty variable is unset): the date is today by RELEASE_KIT_NOW.
    let r = fx.publish(
        "passing.mbox",
        &["--dry-run", "--format", "json"],
        &[
            ("RELEASE_KIT_RELEASE_DATE", ""),
            ("RELEASE_KIT_NOW", "2031-02-03T23:30:00Z"),
        ],
    );
    r.assert_code(0);
    let plan: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let emails = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "emails")
        .unwrap_or_else(|| panic!("no emails step: {}", r.stdout));
    assert_eq!(emails["inputs"]["date"], "2031-02-03", "{}", r.stdout);
}

/// Issue 19's crash matrix: publish-dist killed with SIGKILL at moments spread over a real run
/// (inside steps, not only between them), then re-run on a "new runner", ends as an
/// uninterrupted run does.
#[test]
fn killed_at_any_moment_resumes_to_the_same_end_state() {
    if !have_tools() {
        return;
    }
    let reference = Fx::staged();
    let start = std::time::Instant::now();
    reference.publish("passing.mbox", &[], &[]).assert_code(0);
    let took = start.elapsed();
    let want = reference.end_state();
    drop(reference);
    let mut killed_mid_run = 0;
    for k in 1..=5u32 {
        let fx = Fx::staged();
        let mut c = fx.cmd("publish-dist");
        c.env("RELEASE_KIT_THREAD", sample_thread("passing.mbox"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut child = c.spawn().unwrap();
        let at = took * k / 6;
        let begun = std::time::Instant::now();
        while begun.elapsed() < at && child.try_wait().unwrap().is_none() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        if child.try_wait().unwrap().is_none() {
            killed_mid_run += 1;
            let _ = child.kill();
        }
        let _ = child.wait();
        let _ = std::fs::remove_dir_all(&fx.out);
        let r = fx.publish("passing.mbox", &[], &[]);
        r.assert_code(0);
        assert_eq!(fx.end_state(), want, "end state after a kill at {at:?}");
    }
    eprintln!("crash matrix (publish-dist): 5 cases, {killed_mid_run} killed mid-run");
    assert!(
        killed_mid_run > 0,
        "no kill landed while publish-dist ran ({took:?})"
    );
}

#[test]
fn a_staged_sbom_is_promoted_with_the_tarball() {
    if !have_tools() {
        return;
    }
    let fx = Fx::staged_with(false, None, true);
    let r = fx.publish("passing.mbox", &[], &[]);
    r.assert_code(0);
    assert_eq!(
        fx.list("release/hello/1.1.0"),
        [
            "hello-1.1.0.tar.gz",
            "hello-1.1.0.tar.gz.asc",
            "hello-1.1.0.tar.gz.cdx.json",
            "hello-1.1.0.tar.gz.cdx.json.asc",
            "hello-1.1.0.tar.gz.cdx.json.sha512",
            "hello-1.1.0.tar.gz.sha512"
        ]
    );
}

/// Issue 19: the svn password, the JIRA and Nexus credentials and the GitHub token never reach a
/// child's argv: every command publish-dist starts (git, gpg, svn, svnmucc), logged by PATH
/// shims, carries none of them nor their base64 or Basic-auth forms; the svn password goes
/// through stdin, the others only to HTTP clients.
#[test]
fn no_secret_reaches_a_childs_argv_when_publishing() {
    if !have_tools() {
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start());
    rt.block_on(jira_mocks(
        &server,
        serde_json::json!([
            {"self": "x", "id": "12340002", "name": "1.1.0", "archived": false, "released": false, "projectId": 12310001}
        ]),
    ));
    let shims = ["git", "gpg", "gpgconf", "svn", "svnmucc"];
    let (svn_pw, jira_pw, nexus_pw) = (
        "svn-argv-watch-pw",
        "jira-argv-watch-pw",
        "nexus-argv-watch-pw",
    );
    let mut fx = Fx::staged();
    fx.jira = Some(server.uri());
    let log = crate::hostile::argv::ArgvLog::new(&shims);
    let path = log.path();
    let r = fx.publish(
        "passing.mbox",
        &[],
        &[
            ("PATH", path.to_str().unwrap()),
            ("RELEASE_KIT_SVN_USERNAME", "alice"),
            ("RELEASE_KIT_SVN_PASSWORD", svn_pw),
            ("JIRA_USER", "alice"),
            ("JIRA_PASSWORD", jira_pw),
            ("RELEASE_KIT_NEXUS_USER", "alice"),
            ("RELEASE_KIT_NEXUS_PASSWORD", nexus_pw),
        ],
    );
    r.assert_code(0);
    let put = rt
        .block_on(server.received_requests())
        .unwrap()
        .into_iter()
        .find(|r| r.method.as_str() == "PUT")
        .expect("the JIRA version was released");
    assert!(
        put.headers.get("authorization").is_some(),
        "JIRA got the credentials"
    );
    let n = log.assert_no_secret(
        &["git", "svn"],
        &[svn_pw, jira_pw, nexus_pw],
        &[("alice", svn_pw), ("alice", jira_pw), ("alice", nexus_pw)],
    );
    // A GitHub dist: the token goes to the API, never to git.
    let (_rt, gh, _fake) = github_server();
    let fx = Fx::staged_in(false, Some(gh.uri()));
    let log = crate::hostile::argv::ArgvLog::new(&shims);
    let path = log.path();
    let token = "ghs_argv-watch-token";
    fx.publish(
        "passing.mbox",
        &[],
        &[
            ("PATH", path.to_str().unwrap()),
            ("RELEASE_KIT_GITHUB_TOKEN", token),
        ],
    )
    .assert_code(0);
    let m = log.assert_no_secret(&["git"], &[token], &[]);
    eprintln!(
        "publish-dist: {} child command lines, no secret in any",
        n + m
    );
}

/// Issue 19: six publish-dist runs started at once on the same staged candidate. One publishes;
/// every other one either finds the release already published (exit 0, no step done) or refuses
/// cleanly: exit 1, a message saying another run is publishing this release and to re-run once
/// it has finished, no raw tool error and no advice about staging. The end state is one
/// uninterrupted run's, and a later run has nothing left to do.
#[test]
fn concurrent_runs_publish_once_and_the_others_refuse_cleanly() {
    if !have_tools() {
        return;
    }
    let reference = Fx::staged();
    reference.publish("passing.mbox", &[], &[]).assert_code(0);
    let want = reference.end_state();
    drop(reference);
    let fx = Fx::staged();
    let children: Vec<_> = (0..6)
        .map(|i| {
            let mut c = fx.cmd("publish-dist");
            c.env("RELEASE_KIT_THREAD", sample_thread("passing.mbox"))
                .env("RELEASE_KIT_OUT", fx.base.path().join(format!("out-{i}")))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            c.spawn().unwrap()
        })
        .collect();
    let runs: Vec<Run> = children
        .into_iter()
        .map(|c| {
            let o = c.wait_with_output().unwrap();
            Run {
                code: o.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            }
        })
        .collect();
    let did_steps = |r: &Run| r.code == 0 && !r.stdout.contains("0 steps done");
    let mut problems = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        // The error (the log lines before it describe the steps, staged files included).
        let error = r.stderr.split_once("error: ").map_or("", |(_, e)| e);
        let clean_refusal = r.code == 1
            && (error.contains("another run is carrying out the publication of 1.1.0-rc1")
                || error.contains("is being written by another run right now"))
            && error.contains("re-run")
            && !error.to_lowercase().contains("stag")
            && !error.contains("failed with exit status")
            && !error.contains("fatal:")
            && !error.contains("rejected")
            && !error.contains("svn: E");
        if !(r.code == 0 || clean_refusal) {
            problems.push(format!(
                "run {i}: exit {}\n--- stdout\n{}\n--- stderr\n{}",
                r.code, r.stdout, r.stderr
            ));
        }
    }
    let publishers = runs.iter().filter(|r| did_steps(r)).count();
    eprintln!(
        "concurrent publish-dist: 6 runs, {publishers} published, {} refused, {} unclean",
        runs.iter().filter(|r| r.code == 1).count(),
        problems.len()
    );
    assert!(
        problems.is_empty(),
        "{} of 6 concurrent runs did not refuse cleanly:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert_eq!(publishers, 1, "exactly one run publishes: {runs:#?}");
    assert_eq!(fx.end_state(), want, "the end state is one run's");
    let again = fx.publish("passing.mbox", &[], &[]);
    again.assert_code(0);
    assert!(again.stdout.contains("0 steps done"), "{}", again.stdout);
}
