//! changelog-check end to end: the real binary on the sample project's git history, on real
//! git repositories for branch sync and PR mode, and against JIRA served by wiremock.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use crate::support::*;
use wiremock::matchers::{method, path, query_param, query_param_contains};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn check(dir: &Path, args: &[&str]) -> Run {
    run_tool("changelog-check", dir, args)
}

fn check_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = tool("changelog-check", dir);
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    run(c)
}

fn commit_all(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", message]);
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn the_sample_passes_at_its_release_candidate_tag() {
    let (_d, hello) = sample_repo();
    let r = check(&hello, &["--tag", "1.0.0-rc1"]);
    r.assert_code(0);
    assert!(
        r.stdout
            .contains("[pass] changelog-section: section for 1.0.0 at line 1\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("(1.0.0-rc1), CHANGELOG in tag 1.0.0-rc1 ("),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("[pass] version-sites-match: all sites say 1.0.0, as tag 1.0.0-rc1 expects"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "[pass] changelog-structure: regular release: highlights, unresolved, resolved present"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("all 7 checks passed"), "{}", r.stdout);
}

#[test]
fn a_wip_title_at_a_candidate_tag_is_caught() {
    let (_d, hello) = sample_repo();
    // Before tagging: the work tree is what would be tagged.
    let r = check(&hello, &["--tag", "1.1.0-rc1"]);
    r.assert_code(1);
    assert!(
        r.stdout.contains(
            "CHANGELOG:1: error: the title of the 1.1.0 section still carries `(WIP)` at 1.1.0-rc1"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("tag 1.1.0-rc1 does not exist yet"),
        "{}",
        r.stdout
    );
    // After tagging by mistake: the tag's commit is read.
    git(
        &hello,
        &["tag", "-a", "1.1.0-rc1", "-m", "Tagging Hello 1.1.0-rc1."],
    );
    let r = check(&hello, &["--tag", "1.1.0-rc1"]);
    r.assert_code(1);
    assert!(
        r.stdout.contains("[FAIL] changelog-section"),
        "{}",
        r.stdout
    );
    // Without a tag the marker is fine: the section is being written.
    let r = check(&hello, &[]);
    r.assert_code(0);
    assert!(
        r.stdout
            .contains("[pass] changelog-section: section for 1.1.0 at line 1, marked (WIP)"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_empty_wip_section_warns_while_written_and_fails_at_a_tag() {
    let (_d, hello) = sample_repo();
    // "Updated version to 1.1.0." left a 1.1.0 (WIP) section with only its title.
    let bump = git(
        &hello,
        &[
            "log",
            "--format=%H",
            "--grep=^Updated version to 1.1.0",
            "master",
        ],
    );
    git(&hello, &["checkout", "-q", bump.trim()]);
    let r = check(&hello, &[]);
    r.assert_code(0);
    assert!(
        r.stdout.contains(
            "[warn] changelog-structure: regular release: 3 of 3 required block(s) missing"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("needed before tagging"), "{}", r.stdout);
    let r = check(&hello, &["--tag", "1.1.0-rc1"]);
    r.assert_code(1);
    assert!(
        r.stdout.contains("[FAIL] changelog-structure"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("CHANGELOG:1: error: the 1.1.0 section (line 1) (regular release) has no highlights block"), "{}", r.stdout);
}

#[test]
fn text_report_snapshot() {
    let (_d, hello) = sample_repo();
    let r = check(&hello, &["--tag", "1.1.0-rc1"]);
    r.assert_code(1);
    let root = hello.canonicalize().unwrap().display().to_string();
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&regex::escape(&root), "[REPO]");
    settings.bind(|| insta::assert_snapshot!("wip_at_rc_text", r.stdout));
}

#[test]
fn json_output_is_stable_and_junit_has_one_testcase_per_check() {
    let (_d, hello) = sample_repo();
    let junit = hello.join("changelog.xml");
    let r = check(
        &hello,
        &[
            "--tag",
            "1.1.0-rc1",
            "--format",
            "json",
            "--junit",
            junit.to_str().unwrap(),
        ],
    );
    r.assert_code(1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["schema"], "release-kit/report/v1");
    assert_eq!(v["tool"], "changelog-check");
    assert_eq!(v["ok"], false);
    let ids: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "changelog-section",
            "changelog-headings",
            "version-sites-agree",
            "version-sites-match",
            "changelog-structure",
            "changelog-issue-keys",
            "jira-cross-check"
        ]
    );
    assert_eq!(v["checks"][0]["status"], "fail");
    assert_eq!(
        v["checks"][0]["findings"][0]["location"]["file"],
        "CHANGELOG"
    );
    assert_eq!(v["checks"][0]["findings"][0]["location"]["line"], 1);
    assert_eq!(v["checks"][6]["status"], "skip");
    let x = std::fs::read_to_string(&junit).unwrap();
    assert!(
        x.contains(
            r#"<testsuite name="changelog-check" tests="7" failures="1" errors="0" skipped="1""#
        ),
        "{x}"
    );
    assert!(x.contains(r#"<failure message="section for 1.1.0 at line 1, marked (WIP)" type="changelog-section">CHANGELOG:1: the title"#), "{x}");
}

#[test]
fn github_actions_annotations_outputs_and_summary() {
    let (_d, hello) = sample_repo();
    let out = hello.join("gh-output");
    let summary = hello.join("gh-summary.md");
    let r = check_env(
        &hello,
        &[],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_OUTPUT", out.to_str().unwrap()),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
            ("RELEASE_KIT_TAG", "1.1.0-rc1"),
        ],
    );
    r.assert_code(1);
    assert!(
        r.stderr.contains("::error file=CHANGELOG,line=1,title=changelog-check%3A changelog-section::the title of the 1.1.0 section still carries `(WIP)`"),
        "{}",
        r.stderr
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("| Check | Result | Details |"), "{md}");
    assert!(md.contains("| `changelog-section` | ❌ fail |"), "{md}");
    assert!(md.contains("| `jira-cross-check` | ⏭️ skip |"), "{md}");
    let parsed =
        release_kit::ci::github::parse_output_file(&std::fs::read_to_string(&out).unwrap())
            .unwrap();
    assert!(
        parsed.contains(&("version".into(), "1.1.0".into())),
        "{parsed:?}"
    );
    assert!(
        parsed.contains(&("section-line".into(), "1".into())),
        "{parsed:?}"
    );
}

#[test]
fn bad_input_exits_2() {
    let (_d, hello) = sample_repo();
    // A heading for the version that does not parse.
    let cl = hello.join("CHANGELOG");
    edit(&cl, "Version 1.1.0 (WIP)", "Version 1.1.0beta (WIP)");
    let r = check(&hello, &["--version", "1.1.0"]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("CHANGELOG:1: the section heading for 1.1.0 does not parse: `Release Notes - Hello - Version 1.1.0beta (WIP)`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("write it as `Release Notes - Hello - Version 1.1.0`"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
    // A CHANGELOG that is not all UTF-8 (older NEWS entries in Latin-1, as pv's) is read, its
    // non-UTF-8 bytes as Latin-1, and the report says where.
    std::fs::write(&cl, b"Release Notes - Hello - Version 1.1.0\n\xff\xfe\n").unwrap();
    let r = check(&hello, &[]);
    assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "CHANGELOG is not all UTF-8 (first at line 2): those bytes were read as Latin-1"
        ),
        "{}",
        r.stdout
    );
    // A binary file is not release notes: exit 2, naming the file and the key to fix.
    std::fs::write(&cl, b"Release Notes - Hello - Version 1.1.0\n\0\x01\n").unwrap();
    let r = check(&hello, &[]);
    r.assert_code(2);
    assert!(
        r.stderr
            .contains("CHANGELOG is not text (a NUL byte on line 2)")
            && r.stderr.contains("changelog.file"),
        "{}",
        r.stderr
    );
    std::fs::remove_file(&cl).unwrap();
    let r = check(&hello, &[]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("CHANGELOG does not exist in"),
        "{}",
        r.stderr
    );
    // Bad flags and revisions.
    git(&hello, &["checkout", "-q", "--", "CHANGELOG"]);
    let r = check(&hello, &["--version", "1.1"]);
    r.assert_code(2);
    let r = check(&hello, &["--against", "origin/no-such-branch"]);
    r.assert_code(2);
    assert!(
        r.stderr
            .contains("`origin/no-such-branch` (given to --against) is not a commit"),
        "{}",
        r.stderr
    );
    let r = check(&hello, &["--tag", "v1.0.0-rc1"]);
    r.assert_code(2);
    assert!(r.stderr.contains("no `v` prefix"), "{}", r.stderr);
    let r = check(&hello, &["--set", "changelog.heading=Release {name}"]);
    r.assert_code(2);
    assert!(r.stderr.contains("changelog.heading"), "{}", r.stderr);
}

#[test]
fn a_missing_section_fails_with_the_heading_to_add() {
    let (_d, hello) = sample_repo();
    let r = check(&hello, &["--version", "1.2.0"]);
    r.assert_code(1);
    assert!(
        r.stdout.contains("CHANGELOG:1: error: CHANGELOG has no section for 1.2.0; add one headed `Release Notes - Hello - Version 1.2.0` above the newest section"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("[skip] changelog-structure: no section for 1.2.0"),
        "{}",
        r.stdout
    );
}

#[test]
fn branch_sync_on_the_sample_branches() {
    let (_d, hello) = sample_repo();
    // master and the release branch carry the same 1.0.0 section.
    let r = check(&hello, &["--version", "1.0.0", "--against", "origin/1.0.x"]);
    assert!(
        r.stdout.contains("[pass] changelog-branch-sync: the 1.0.0 section is identical on origin/1.0.x (lines 34-"),
        "{}",
        r.stdout
    );
    // An entry added on master only is listed, line by line.
    edit(
        &hello.join("CHANGELOG"),
        "    * [HELLO-14] - greet_format() returns a wrong length when truncating.\n",
        "    * [HELLO-14] - greet_format() returns a wrong length when truncating.\n    * [HELLO-16] - Added on master only.\n",
    );
    let r = check(&hello, &["--version", "1.0.0", "--against", "origin/1.0.x"]);
    r.assert_code(1);
    let line = std::fs::read_to_string(hello.join("CHANGELOG"))
        .unwrap()
        .lines()
        .position(|l| l.contains("HELLO-16"))
        .unwrap()
        + 1;
    assert!(
        r.stdout.contains(&format!("CHANGELOG:{line}: error: only here: `    * [HELLO-16] - Added on master only.` (origin/1.0.x lacks this line)")),
        "{}",
        r.stdout
    );
    // The release branch, checked against master: master's 1.1.0 section is not there.
    git(&hello, &["checkout", "-q", "--", "CHANGELOG"]);
    git(&hello, &["checkout", "-q", "1.0.x"]);
    let r = check(&hello, &["--version", "1.0.0", "--against", "master"]);
    assert!(
        r.stdout.contains("[pass] changelog-branch-sync"),
        "{}",
        r.stdout
    );
}

#[test]
fn branch_sync_reports_a_wip_title_left_on_master() {
    // Mesos's master still says "1.10.1 (WIP)" after 1.10.1 shipped.
    let section =
        "** Bug\n  * [MESOS-9609] - Master check failure when marking agent unreachable.\n";
    let d = repo_with(&[
        ("configure.ac", "AC_INIT([mesos], [1.10.1])\n"),
        (
            "CMakeLists.txt",
            &fixture("mesos/CMakeLists.txt")
                .replace("MINOR_VERSION 12", "MINOR_VERSION 10")
                .replace("PATCH_VERSION 0", "PATCH_VERSION 1"),
        ),
        (
            "CHANGELOG",
            &format!("Release Notes - Mesos - Version 1.10.1 (WIP)\n---\n{section}"),
        ),
    ]);
    git(d.path(), &["checkout", "-q", "-b", "1.10.x"]);
    std::fs::write(
        d.path().join("CHANGELOG"),
        format!("Release Notes - Mesos - Version 1.10.1\n---\n{section}"),
    )
    .unwrap();
    commit_all(d.path(), "Updated CHANGELOG for 1.10.1 release.");
    let r = check(d.path(), &["--against", "master"]);
    r.assert_code(1);
    assert!(
        r.stdout.contains("CHANGELOG:1: error: differs from master:\n           here: `Release Notes - Mesos - Version 1.10.1`\n           master line 1: `Release Notes - Mesos - Version 1.10.1 (WIP)`"),
        "{}",
        r.stdout
    );
}

fn pr_repo() -> (tempfile::TempDir, std::path::PathBuf) {
    let (d, hello) = sample_repo();
    git(&hello, &["checkout", "-q", "-b", "feature", "master"]);
    (d, hello)
}

#[test]
fn pr_mode_code_without_changelog_warns_by_default() {
    let (_d, hello) = pr_repo();
    edit(
        &hello.join("src/greet.c"),
        "#include",
        "/* A comment. */\n#include",
    );
    commit_all(&hello, "Tweaked greet.c.");
    let r = check(&hello, &["--base", "master"]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("CHANGELOG:1: warning: this pull request changes code (src/greet.c) but not CHANGELOG; add an entry to the section being written, or, if it needs none, put `[skip changelog]` in the pull request's title or body or label it `skip-changelog`"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("[pass] pr-released-sections"),
        "{}",
        r.stdout
    );
    // Made an error by configuration.
    let r = check_env(
        &hello,
        &["--base", "master"],
        &[("RELEASE_KIT_CHANGELOG_UNTOUCHED", "error")],
    );
    r.assert_code(1);
    assert!(
        r.stdout.contains("[FAIL] pr-changelog-updated"),
        "{}",
        r.stdout
    );
    // Skipped by the marker in the title (from the environment), or by a label.
    let r = check_env(
        &hello,
        &["--base", "master", "--set", "changelog.untouched=error"],
        &[("RELEASE_KIT_PR_TITLE", "Tweak greet.c [skip changelog]")],
    );
    r.assert_code(0);
    assert!(
        r.stdout.contains(
            "[skip] pr-changelog-updated: the pull request's title carries `[skip changelog]`"
        ),
        "{}",
        r.stdout
    );
    let r = check(
        &hello,
        &[
            "--base",
            "master",
            "--set",
            "changelog.untouched=error",
            "--pr-labels",
            "bug,skip-changelog",
        ],
    );
    r.assert_code(0);
    // With an entry, it passes.
    edit(
        &hello.join("CHANGELOG"),
        "    * [HELLO-27] - CMake build does not install the manual page.\n",
        "    * [HELLO-27] - CMake build does not install the manual page.\n    * [HELLO-28] - A comment in greet.c.\n",
    );
    let r = check(
        &hello,
        &["--base", "master", "--set", "changelog.untouched=error"],
    );
    r.assert_code(0);
    assert!(
        r.stdout
            .contains("[pass] pr-changelog-updated: the pull request updates CHANGELOG"),
        "{}",
        r.stdout
    );
}

#[test]
fn pr_mode_editing_a_released_section_is_an_error() {
    let (_d, hello) = pr_repo();
    edit(
        &hello.join("CHANGELOG"),
        "    * [HELLO-14] - greet_format() returns a wrong length when truncating.\n",
        "    * [HELLO-14] - greet_format() returns a wrong length when truncating.\n    * [HELLO-16] - Sneaked into a released section.\n",
    );
    commit_all(&hello, "Edited the 1.0.0 notes.");
    let r = check(&hello, &["--base", "master"]);
    r.assert_code(1);
    let line = std::fs::read_to_string(hello.join("CHANGELOG"))
        .unwrap()
        .lines()
        .position(|l| l.contains("HELLO-16"))
        .unwrap()
        + 1;
    assert!(
        r.stdout.contains(&format!("CHANGELOG:{line}: error: 1.0.0 was released (tag 1.0.0): its section is history; put the change in the section being written. only here: `    * [HELLO-16] - Sneaked into a released section.` (master lacks this line)")),
        "{}",
        r.stdout
    );
}

#[test]
fn pr_mode_in_a_project_below_the_repository_top() {
    // The project lives in a subdirectory: paths and annotations are the repository's.
    let (_d, hello) = sample_repo();
    let top = tempfile::tempdir().unwrap();
    let proj = top.path().join("examples/hello");
    std::fs::create_dir_all(proj.parent().unwrap()).unwrap();
    git(top.path(), &["init", "-q", "-b", "master"]);
    git(
        &hello,
        &[
            "archive",
            "--format=tar",
            "-o",
            top.path().join("h.tar").to_str().unwrap(),
            "HEAD",
        ],
    );
    std::fs::create_dir_all(&proj).unwrap();
    std::process::Command::new("tar")
        .args([
            "-xf",
            top.path().join("h.tar").to_str().unwrap(),
            "-C",
            proj.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    std::fs::remove_file(top.path().join("h.tar")).unwrap();
    commit_all(top.path(), "Import.");
    git(top.path(), &["checkout", "-q", "-b", "feature"]);
    edit(&proj.join("src/hello.c"), "#include", "/* x */\n#include");
    std::fs::write(top.path().join("README"), "unrelated").unwrap();
    commit_all(top.path(), "Changed hello.c.");
    let r = check_env(
        top.path(),
        &["--repo", "examples/hello", "--base", "master"],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_OUTPUT", "/dev/null"),
            ("GITHUB_STEP_SUMMARY", "/dev/null"),
        ],
    );
    r.assert_code(0);
    assert!(
        r.stderr.contains("::warning file=examples/hello/CHANGELOG,line=1,title=changelog-check%3A pr-changelog-updated::this pull request changes code (src/hello.c) but not CHANGELOG"),
        "{}",
        r.stderr
    );
}

// JIRA, served by wiremock on 127.0.0.1 with bodies shaped like JIRA REST API v2's.

fn issue(
    key: &str,
    summary: &str,
    kind: &str,
    resolution: Option<&str>,
    fix: &[&str],
) -> serde_json::Value {
    serde_json::json!({
        "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
        "id": key.trim_start_matches("HELLO-"),
        "self": format!("http://127.0.0.1/jira/rest/api/2/issue/{key}"),
        "key": key,
        "fields": {
            "summary": summary,
            "issuetype": {"self": "x", "id": "1", "name": kind, "subtask": false},
            "status": {"self": "x", "name": if resolution.is_some() { "Resolved" } else { "Open" }, "id": "5"},
            "resolution": resolution.map(|r| serde_json::json!({"self": "x", "id": "1", "name": r})),
            "fixVersions": fix.iter().map(|v| serde_json::json!({"self": "x", "id": "1", "name": v, "archived": false, "released": false})).collect::<Vec<_>>(),
            "customfield_12310320": null
        }
    })
}

fn search_page(
    start: usize,
    max: usize,
    total: usize,
    issues: &[serde_json::Value],
) -> serde_json::Value {
    serde_json::json!({"expand": "names,schema", "startAt": start, "maxResults": max, "total": total, "issues": issues})
}

fn versions_body() -> serde_json::Value {
    serde_json::json!([
        {"self": "x", "id": "1", "name": "1.0.0", "archived": false, "released": true, "releaseDate": "2026-02-09", "projectId": 1},
        {"self": "x", "id": "2", "name": "1.1.0", "archived": false, "released": false, "projectId": 1}
    ])
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// JIRA's view of Hello 1.1.0: what the CHANGELOG lists, plus HELLO-28 (fixed, not listed),
/// HELLO-29 (unresolved with the fix version), HELLO-31 (a Duplicate with it), HELLO-30
/// (targeted, resolved, no fix version); HELLO-26 is listed but fixed in 1.0.0.
async fn hello_jira(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/jira/rest/api/2/project/HELLO/versions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(versions_body()))
        .mount(server)
        .await;
    let fixed = [
        issue(
            "HELLO-21",
            "Add a `--shout` option to hello.",
            "Improvement",
            Some("Fixed"),
            &["1.1.0"],
        ),
        issue(
            "HELLO-22",
            "Update the version to 1.1.0 on master.",
            "Task",
            Some("Fixed"),
            &["1.1.0"],
        ),
        issue(
            "HELLO-23",
            "Add a manual page for hello.",
            "Improvement",
            Some("Fixed"),
            &["1.1.0"],
        ),
        issue(
            "HELLO-24",
            "`hello --help` does not mention the NAME argument.",
            "Bug",
            Some("Fixed"),
            &["1.1.0"],
        ),
        issue(
            "HELLO-25",
            "Update the RPM spec for the manual page.",
            "Task",
            Some("Fixed"),
            &["1.1.0"],
        ),
        issue(
            "HELLO-27",
            "CMake build does not install the manual page.",
            "Bug",
            Some("Fixed"),
            &["1.1.0"],
        ),
        issue(
            "HELLO-28",
            "`hello` crashes on a NAME of 4096 bytes.",
            "Bug",
            Some("Fixed"),
            &["1.1.0"],
        ),
        issue(
            "HELLO-29",
            "Translate the greeting.",
            "New Feature",
            None,
            &["1.1.0"],
        ),
        issue(
            "HELLO-31",
            "Shout louder.",
            "Improvement",
            Some("Duplicate"),
            &["1.1.0"],
        ),
    ];
    // Three pages of at most 3 (page_size is set to 3).
    for (i, chunk) in fixed.chunks(3).enumerate() {
        Mock::given(method("GET"))
            .and(path("/jira/rest/api/2/search"))
            .and(query_param_contains("jql", "fixVersion = \"1.1.0\""))
            .and(query_param("startAt", (i * 3).to_string()))
            .and(query_param("maxResults", "3"))
            .respond_with(ResponseTemplate::new(200).set_body_json(search_page(
                i * 3,
                3,
                fixed.len(),
                chunk,
            )))
            .mount(server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/jira/rest/api/2/search"))
        .and(query_param_contains(
            "jql",
            "cf[12310320] = \"1.1.0\" AND fixVersion is EMPTY",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(search_page(
            0,
            3,
            1,
            &[issue(
                "HELLO-30",
                "Document --shout in the README.",
                "Task",
                Some("Fixed"),
                &[],
            )],
        )))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/jira/rest/api/2/search"))
        .and(query_param("jql", "key in (\"HELLO-26\") ORDER BY key ASC"))
        .respond_with(ResponseTemplate::new(200).set_body_json(search_page(
            0,
            3,
            1,
            &[issue(
                "HELLO-26",
                "Benchmarks honour GTEST_FILTER.",
                "Improvement",
                Some("Fixed"),
                &["1.0.0"],
            )],
        )))
        .mount(server)
        .await;
}

#[test]
fn jira_cross_check_pages_and_reports_each_disagreement_on_its_line() {
    let (_d, hello) = sample_repo();
    let rt = runtime();
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        hello_jira(&server).await;
        server
    });
    let url = format!("{}/jira", server.uri());
    let r = check(&hello, &["--jira-url", &url, "--set", "jira.page_size=3"]);
    r.assert_code(1);
    let out = &r.stdout;
    for needle in [
        "[FAIL] jira-cross-check: HELLO 1.1.0: 1 fixed issue(s) missing from the section, 1 listed issue(s) without fix version 1.1.0, 5 problem(s) in all",
        "CHANGELOG:20: error: HELLO-28 \"`hello` crashes on a NAME of 4096 bytes.\" (Bug) is resolved with fix version 1.1.0 but the section does not list it; add `* [HELLO-28] - `hello` crashes on a NAME of 4096 bytes.`",
        "CHANGELOG:18: error: HELLO-29 \"Translate the greeting.\" is unresolved (Open) but has fix version 1.1.0",
        "CHANGELOG:24: error: HELLO-31 \"Shout louder.\" was resolved as Duplicate but has fix version 1.1.0; clear its fix version",
        "CHANGELOG:27: error: HELLO-26 \"Benchmarks honour GTEST_FILTER.\" is listed but its fix versions are 1.0.0 (not 1.1.0)",
        "CHANGELOG:29: error: HELLO-30 \"Document --shout in the README.\" is resolved (Fixed) with Target Version/s 1.1.0 but has no fix version",
    ] {
        assert!(out.contains(needle), "{needle}\n{out}");
    }
    // Three pages of the fixVersion search, each asked for once.
    let requests = rt.block_on(server.received_requests()).unwrap();
    let pages: Vec<String> = requests
        .iter()
        .filter(|q| q.url.as_str().contains("fixVersion+%3D"))
        .map(|q| {
            q.url
                .query_pairs()
                .find(|(k, _)| k == "startAt")
                .unwrap()
                .1
                .into_owned()
        })
        .collect();
    assert_eq!(pages, ["0", "3", "6"]);
    // The environment twin turns it on too, and credentials never show.
    let r = check_env(
        &hello,
        &["--set", "jira.page_size=3", "--format", "json"],
        &[
            ("RELEASE_KIT_JIRA_URL", &url),
            ("JIRA_USER", "rm"),
            ("JIRA_PASSWORD", "hunter2-secret"),
        ],
    );
    r.assert_code(1);
    assert!(!r.stdout.contains("hunter2") && !r.stderr.contains("hunter2"));
    let requests = rt.block_on(server.received_requests()).unwrap();
    assert!(requests
        .iter()
        .any(|q| q.headers.get("authorization").is_some()));
}

#[test]
fn jira_429_then_success_is_retried() {
    let (_d, hello) = sample_repo();
    let rt = runtime();
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/jira/rest/api/2/project/HELLO/versions"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/jira/rest/api/2/project/HELLO/versions"))
            .respond_with(ResponseTemplate::new(200).set_body_json(versions_body()))
            .mount(&server)
            .await;
        // JIRA agrees with the CHANGELOG exactly.
        let listed: Vec<_> = [21, 22, 23, 24, 25, 26, 27]
            .iter()
            .map(|n| issue(&format!("HELLO-{n}"), "s", "Bug", Some("Fixed"), &["1.1.0"]))
            .collect();
        Mock::given(method("GET"))
            .and(path("/jira/rest/api/2/search"))
            .and(query_param_contains("jql", "fixVersion = \"1.1.0\""))
            .respond_with(ResponseTemplate::new(200).set_body_json(search_page(
                0,
                50,
                listed.len(),
                &listed,
            )))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/jira/rest/api/2/search"))
            .and(query_param_contains("jql", "fixVersion is EMPTY"))
            .respond_with(ResponseTemplate::new(200).set_body_json(search_page(0, 50, 0, &[])))
            .mount(&server)
            .await;
        server
    });
    let r = check(&hello, &["--jira-url", &format!("{}/jira", server.uri())]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("[pass] jira-cross-check: HELLO 1.1.0: all 7 issue(s) with fix version 1.1.0 are listed, and every listed issue has it"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("retrying"), "{}", r.stderr);
    rt.block_on(server.verify());
}

#[test]
fn jira_500_forever_or_unreachable_exits_3_with_the_report() {
    let (_d, hello) = sample_repo();
    let rt = runtime();
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(500).set_body_string("Internal Server Error"))
            .expect(4)
            .mount(&server)
            .await;
        server
    });
    let r = check(&hello, &["--jira-url", &format!("{}/jira", server.uri())]);
    r.assert_code(3);
    assert!(
        r.stdout.contains("[FAIL] jira-cross-check: JIRA at"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("[pass] changelog-section"),
        "the other checks still report: {}",
        r.stdout
    );
    assert!(
        r.stderr.contains("JIRA answered 500") && r.stderr.contains("after 4 attempt(s)"),
        "{}",
        r.stderr
    );
    rt.block_on(server.verify());

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = check(
        &hello,
        &["--jira-url", &format!("http://127.0.0.1:{port}/jira")],
    );
    r.assert_code(3);
    assert!(
        r.stderr.contains("JIRA could not be reached"),
        "{}",
        r.stderr
    );
}

#[test]
fn jira_malformed_json_exits_2() {
    let (_d, hello) = sample_repo();
    let rt = runtime();
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/jira/rest/api/2/project/HELLO/versions"))
            .respond_with(ResponseTemplate::new(200).set_body_json(versions_body()))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/jira/rest/api/2/search"))
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"startAt": 0, "maxResults": 50, "total": 3, "issues": [{"key": "HELLO-1", "fields": "#))
            .mount(&server)
            .await;
        server
    });
    let r = check(&hello, &["--jira-url", &format!("{}/jira", server.uri())]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("JIRA sent a response to") && r.stderr.contains("rest/api/2/search"),
        "{}",
        r.stderr
    );
}

#[test]
fn jira_without_the_version_says_to_create_it() {
    let (_d, hello) = sample_repo();
    let rt = runtime();
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/jira/rest/api/2/project/HELLO/versions"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!([{"name": "1.0.0", "released": true}])),
            )
            .mount(&server)
            .await;
        server
    });
    let r = check(&hello, &["--jira-url", &format!("{}/jira", server.uri())]);
    r.assert_code(1);
    assert!(
        r.stdout.contains(
            "CHANGELOG:1: error: JIRA project HELLO has no version 1.1.0; create it in JIRA"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn disagreeing_sites_without_a_version_fail_and_skip_the_section() {
    let (_d, hello) = sample_repo();
    edit(
        &hello.join("CMakeLists.txt"),
        "set(HELLO_MINOR_VERSION 1)",
        "set(HELLO_MINOR_VERSION 0)",
    );
    let r = check(&hello, &[]);
    r.assert_code(1);
    assert!(
        r.stdout.contains("[skip] changelog-section: no version to check: the version sites disagree; make them agree, or pass --version or --tag"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("[FAIL] version-sites-agree"),
        "{}",
        r.stdout
    );
    // Given the version, the rest runs and the mismatch is named.
    let r = check(&hello, &["--version", "1.1.0"]);
    r.assert_code(1);
    assert!(
        r.stdout
            .contains("CMakeLists.txt:20-22: error: CMakeLists.txt says 1.0.0, not 1.1.0 (from --version 1.1.0)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("[pass] changelog-section"),
        "{}",
        r.stdout
    );
}

#[test]
fn keep_a_changelog_project_by_configuration() {
    let d = repo_with(&[
        ("configure.ac", "AC_INIT([widget], [1.2.0])\n"),
        (
            "release.toml",
            "[project]\nname = \"widget\"\n\n[[version_sites]]\nfile = \"configure.ac\"\nversion = \"AC_INIT([{name}], [{version}])\"\n\n[changelog]\nfile = \"CHANGELOG.md\"\nheading = \"## [{version}] - {date}\"\nissue_key = \"#\\\\d+\"\nresolved = \"^### (Added|Changed|Fixed|Removed|Security)\"\nregular_release = \"resolved\"\npatch_release = \"resolved\"\n",
        ),
        (
            "CHANGELOG.md",
            "# Changelog\n\n## [Unreleased]\n### Added\n- #14 Something coming.\n\n## [1.2.0] - 2026-01-02\n### Added\n- #12 A feature.\n### Fixed\n- #11 A fix.\n- #11 The same fix.\n\n## [1.1.0] - 2025-12-01\n### Fixed\n- #9 Older.\n",
        ),
    ]);
    let r = check(d.path(), &[]);
    r.assert_code(1);
    assert!(
        r.stdout
            .contains("[pass] changelog-section: section for 1.2.0 at line 7"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("[pass] changelog-structure: regular release: resolved present"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("CHANGELOG.md:12: error: #11 is listed twice in the resolved issues (first at line 11); remove one"),
        "{}",
        r.stdout
    );
}
