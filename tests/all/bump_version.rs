//! bump-version end to end: the real binary on real git repositories.
#![allow(clippy::unwrap_used)]

use crate::support::*;

fn mesos_repo() -> tempfile::TempDir {
    let dir = repo_with(&[
        ("configure.ac", &fixture("mesos/configure.ac")),
        ("CMakeLists.txt", &fixture("mesos/CMakeLists.txt")),
    ]);
    git(
        dir.path(),
        &["tag", "-a", "1.12.0-rc1", "-m", "Tagging Mesos 1.12.0-rc1."],
    );
    git(dir.path(), &["tag", "1.12.0-rc2"]);
    dir
}

#[test]
fn check_reports_each_mesos_site_with_file_and_line() {
    let d = mesos_repo();
    let r = run_tool("bump-version", d.path(), &["check"]);
    r.assert_code(0);
    assert!(
        r.stdout
            .contains("configure.ac:11: note: configure.ac says 1.12.0"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("CMakeLists.txt:8-10: note: CMakeLists.txt says 1.12.0"),
        "{}",
        r.stdout
    );
}

#[test]
fn check_at_an_annotated_tag_reads_the_tagged_commit() {
    let d = mesos_repo();
    // The work tree moves on; the tag still says 1.12.0.
    run_tool("bump-version", d.path(), &["next", "minor", "--commit"]).assert_code(0);
    let r = run_tool("bump-version", d.path(), &["check", "--tag", "1.12.0-rc1"]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("as tag 1.12.0-rc1 expects"),
        "{}",
        r.stdout
    );
    // ...while the work tree no longer matches the old version.
    let r = run_tool("bump-version", d.path(), &["check", "--expect", "1.12.0"]);
    r.assert_code(1);
    assert!(
        r.stdout.contains(
            "configure.ac:11: error: configure.ac says 1.13.0, not 1.12.0 (from --expect 1.12.0)"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn bad_tags_exit_2_with_the_expected_form() {
    let d = mesos_repo();
    for (tag, needle) in [
        ("1.2-rc1", "2 dot-separated numbers instead of 3"),
        ("1.2.0-rc0", "candidate numbers start at 1"),
        ("1.2.0-RC1", "did you mean `1.2.0-rc1`"),
        ("v1.2.0-rc1", "no `v` prefix"),
        ("", "no tag was given"),
        ("1.99.0-rc1", "does not exist"),
        ("1.12.0-rc2", "lightweight tag"),
    ] {
        let r = run_tool("bump-version", d.path(), &["check", "--tag", tag]);
        r.assert_code(2);
        assert!(r.stderr.contains(needle), "{tag}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{tag}: nothing on stdout for an error");
    }
    let r = run_tool("bump-version", d.path(), &["check", "--tag", "1.2.0-RC1"]);
    assert!(
        r.stderr
            .contains("expected a candidate tag like `X.Y.Z-rcN` (e.g. `1.12.0-rc1`)"),
        "{}",
        r.stderr
    );
}

#[test]
fn disagreeing_sites_exit_1_naming_every_site() {
    let d = mesos_repo();
    let cm = fixture("mesos/CMakeLists.txt").replace("MINOR_VERSION 12", "MINOR_VERSION 11");
    std::fs::write(d.path().join("CMakeLists.txt"), cm).unwrap();
    let r = run_tool("bump-version", d.path(), &["check"]);
    r.assert_code(1);
    assert!(
        r.stdout.contains(
            "configure.ac:11: error: configure.ac says 1.12.0; the sites disagree (1.11.0, 1.12.0)"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("CMakeLists.txt:8-10: error: CMakeLists.txt says 1.11.0"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("bump-version set X.Y.Z"), "{}", r.stdout);
    // `next` refuses to guess; `set` repairs.
    let r = run_tool("bump-version", d.path(), &["next", "patch"]);
    r.assert_code(1);
    assert!(r.stderr.contains("disagree"), "{}", r.stderr);
    run_tool("bump-version", d.path(), &["set", "1.12.0"]).assert_code(0);
    run_tool("bump-version", d.path(), &["check"]).assert_code(0);
}

#[test]
fn version_site_problems_exit_2_with_file_and_fix() {
    // A file missing.
    let d = repo_with(&[("configure.ac", "AC_INIT([mesos], [1.0.0])\n")]);
    let r = run_tool("bump-version", d.path(), &["check"]);
    r.assert_code(2);
    assert!(
        r.stderr
            .contains("version site CMakeLists.txt does not exist"),
        "{}",
        r.stderr
    );
    // A pattern that matches nothing (the name comes from AC_INIT, the version from a script).
    let d = repo_with(&[
        (
            "configure.ac",
            "AC_INIT([other], m4_esyscmd([./get-version]))\n",
        ),
        ("CMakeLists.txt", ""),
    ]);
    let r = run_tool("bump-version", d.path(), &["check"]);
    r.assert_code(2);
    assert!(r.stderr.contains("configure.ac: no line matches the version pattern `AC_INIT([{name}], [{version}])` (expected a line like `AC_INIT([other], [1.12.0])`)"), "{}", r.stderr);
    // A pattern that matches twice.
    let d = repo_with(&[
        (
            "configure.ac",
            "AC_INIT([mesos], [1.0.0])\ndnl old: AC_INIT([mesos], [0.9.0])\n",
        ),
        ("CMakeLists.txt", &fixture("mesos/CMakeLists.txt")),
    ]);
    let r = run_tool("bump-version", d.path(), &["check"]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("matches 2 places (lines 1, 2)"),
        "{}",
        r.stderr
    );
}

#[test]
fn config_problems_exit_2_naming_the_file_and_key() {
    let d = mesos_repo();
    let cfg = d.path().join("release.toml");
    std::fs::write(&cfg, "[tags]\ncandidat = \"{version}-rc{rc}\"\n").unwrap();
    let r = run_tool("bump-version", d.path(), &["check"]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("candidat") && r.stderr.contains("release.toml"),
        "{}",
        r.stderr
    );

    std::fs::write(&cfg, "[tags]\nrequire_annotated = 1\n").unwrap();
    let r = run_tool("bump-version", d.path(), &["check"]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("invalid type") && r.stderr.contains("require_annotated"),
        "{}",
        r.stderr
    );

    std::fs::write(&cfg, "").unwrap();
    let r = run_tool("bump-version", d.path(), &["check"]);
    r.assert_code(2);
    assert!(r.stderr.contains("is empty"), "{}", r.stderr);

    std::fs::remove_file(&cfg).unwrap();
    let r = run_tool(
        "bump-version",
        d.path(),
        &["check", "--config", "/nonexistent/release.toml"],
    );
    r.assert_code(2);
    assert!(
        r.stderr
            .contains("/nonexistent/release.toml does not exist"),
        "{}",
        r.stderr
    );
}

#[test]
fn next_minor_then_check_round_trips_and_commits_only_the_sites() {
    let d = mesos_repo();
    std::fs::write(d.path().join("unrelated.txt"), "work in progress").unwrap();
    let r = run_tool("bump-version", d.path(), &["next", "minor", "--commit"]);
    r.assert_code(0);
    assert!(
        r.stdout
            .contains("version 1.12.0 -> 1.13.0: changed 2 file(s)"),
        "{}",
        r.stdout
    );
    assert_eq!(
        git(d.path(), &["log", "-1", "--format=%s"]).trim(),
        "Updated version to 1.13.0."
    );
    assert_eq!(
        git(d.path(), &["show", "--name-only", "--format=", "HEAD"]).trim(),
        "CMakeLists.txt\nconfigure.ac"
    );
    assert_eq!(
        git(d.path(), &["status", "--porcelain"]).trim(),
        "?? unrelated.txt"
    );
    let r = run_tool("bump-version", d.path(), &["check", "--expect", "1.13.0"]);
    r.assert_code(0);
    // Everything else in the files is byte for byte the same.
    let cm = std::fs::read_to_string(d.path().join("CMakeLists.txt")).unwrap();
    assert_eq!(
        cm,
        fixture("mesos/CMakeLists.txt").replace("MINOR_VERSION 12", "MINOR_VERSION 13")
    );
}

#[test]
fn dry_run_prints_the_diff_and_changes_nothing_on_disk() {
    let d = mesos_repo();
    let before = snapshot_tree(d.path());
    let head = git(d.path(), &["rev-parse", "HEAD"]);
    let r = run_tool(
        "bump-version",
        d.path(),
        &["next", "major", "--commit", "--dry-run"],
    );
    r.assert_code(0);
    assert!(
        r.stdout
            .contains("-AC_INIT([mesos], [1.12.0])\n+AC_INIT([mesos], [2.0.0])"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("would commit: Updated version to 2.0.0."),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("dry run: nothing was changed"));
    assert_eq!(snapshot_tree(d.path()), before);
    assert_eq!(git(d.path(), &["rev-parse", "HEAD"]), head);
    // The environment twin does the same; an empty value means unset.
    let mut c = tool("bump-version", d.path());
    c.args(["next", "patch"]).env("RELEASE_KIT_DRY_RUN", "true");
    run(c).assert_code(0);
    assert_eq!(snapshot_tree(d.path()), before);
    let mut c = tool("bump-version", d.path());
    c.args(["check"])
        .env("RELEASE_KIT_DRY_RUN", "")
        .env("RELEASE_KIT_CONFIG", "");
    run(c).assert_code(0);
}

#[test]
fn commit_rerun_after_a_crash_finishes_the_same_bump() {
    let d = mesos_repo();
    // An earlier run wrote the files and died before committing.
    let ac = fixture("mesos/configure.ac").replace("[1.12.0]", "[1.13.0]");
    std::fs::write(d.path().join("configure.ac"), ac).unwrap();
    let r = run_tool("bump-version", d.path(), &["next", "minor", "--commit"]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("1.12.0 -> 1.13.0"),
        "not bumped twice: {}",
        r.stdout
    );
    assert!(git(d.path(), &["status", "--porcelain"]).trim().is_empty());
    run_tool("bump-version", d.path(), &["check", "--expect", "1.13.0"]).assert_code(0);
    // Running it again moves on from the new HEAD, as asked.
    let r = run_tool("bump-version", d.path(), &["set", "1.13.0", "--commit"]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("already says 1.13.0; nothing to change"),
        "{}",
        r.stdout
    );
}

#[test]
fn commit_refuses_unrelated_uncommitted_edits_in_a_site() {
    let d = mesos_repo();
    let ac = fixture("mesos/configure.ac").replace("AC_LANG([C++])", "AC_LANG([C])");
    std::fs::write(d.path().join("configure.ac"), &ac).unwrap();
    let r = run_tool("bump-version", d.path(), &["next", "minor", "--commit"]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("configure.ac has uncommitted changes"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(d.path().join("configure.ac")).unwrap(),
        ac,
        "nothing written"
    );
    assert_eq!(
        std::fs::read_to_string(d.path().join("CMakeLists.txt")).unwrap(),
        fixture("mesos/CMakeLists.txt")
    );
}

#[test]
fn libyaml_style_sites_read_and_rewrite() {
    let d = repo_with(&[
        ("configure.ac", &fixture("libyaml/configure.ac")),
        ("CMakeLists.txt", &fixture("libyaml/CMakeLists.txt")),
        ("release.toml", &fixture("libyaml/release.toml")),
    ]);
    let r = run_tool("bump-version", d.path(), &["check", "--expect", "0.2.5"]);
    r.assert_code(0);
    assert!(r.stdout.contains("configure.ac:4-6"), "{}", r.stdout);
    run_tool("bump-version", d.path(), &["next", "minor"]).assert_code(0);
    let ac = std::fs::read_to_string(d.path().join("configure.ac")).unwrap();
    assert_eq!(
        ac,
        fixture("libyaml/configure.ac")
            .replace("YAML_MINOR], 2", "YAML_MINOR], 3")
            .replace("YAML_PATCH], 5", "YAML_PATCH], 0")
    );
    run_tool("bump-version", d.path(), &["check", "--expect", "0.3.0"]).assert_code(0);
}

#[test]
fn github_actions_outputs_summary_and_annotations() {
    let d = mesos_repo();
    let out = d.path().join("gh-output");
    let summary = d.path().join("gh-summary.md");
    let cm = fixture("mesos/CMakeLists.txt").replace("PATCH_VERSION 0", "PATCH_VERSION 1");
    std::fs::write(d.path().join("CMakeLists.txt"), cm).unwrap();
    let mut c = tool("bump-version", d.path());
    c.args(["check"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &out)
        .env("GITHUB_STEP_SUMMARY", &summary);
    let r = run(c);
    r.assert_code(1);
    assert!(r.stderr.contains("::error file=CMakeLists.txt,line=8,title=bump-version%3A version-sites-agree::CMakeLists.txt says 1.12.1"), "{}", r.stderr);
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("| `version-sites-agree` | ❌ fail |"), "{md}");

    run_tool("bump-version", d.path(), &["set", "1.12.0"]).assert_code(0);
    let mut c = tool("bump-version", d.path());
    c.args(["next", "minor"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &out);
    run(c).assert_code(0);
    let parsed =
        release_kit::ci::github::parse_output_file(&std::fs::read_to_string(&out).unwrap())
            .unwrap();
    assert!(
        parsed.contains(&("version".into(), "1.13.0".into())),
        "{parsed:?}"
    );
    assert!(parsed.contains(&("previous-version".into(), "1.12.0".into())));
    assert!(
        parsed.contains(&(
            "changed-files".into(),
            "configure.ac\nCMakeLists.txt".into()
        )),
        "{parsed:?}"
    );
}

#[test]
fn github_output_unset_or_unwritable_is_exit_2() {
    let d = mesos_repo();
    let mut c = tool("bump-version", d.path());
    c.args(["check"]).env("GITHUB_ACTIONS", "true");
    let r = run(c);
    r.assert_code(2);
    assert!(
        r.stderr.contains("GITHUB_OUTPUT is not set"),
        "{}",
        r.stderr
    );
    let mut c = tool("bump-version", d.path());
    c.args(["check"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", d.path().join("no/such/dir"));
    let r = run(c);
    r.assert_code(2);
    assert!(
        r.stderr.contains("cannot write the step outputs"),
        "{}",
        r.stderr
    );
}

#[test]
fn junit_and_json_reports() {
    let d = mesos_repo();
    let junit = d.path().join("report.xml");
    let r = run_tool(
        "bump-version",
        d.path(),
        &[
            "check",
            "--tag",
            "1.12.0-rc1",
            "--format",
            "json",
            "--junit",
            junit.to_str().unwrap(),
        ],
    );
    r.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["schema"], "release-kit/report/v1");
    assert_eq!(v["checks"][1]["id"], "version-sites-match");
    assert_eq!(v["checks"][1]["status"], "pass");
    let x = std::fs::read_to_string(&junit).unwrap();
    assert!(
        x.contains(r#"<testsuite name="bump-version" tests="2" failures="0""#),
        "{x}"
    );
    let r = run_tool(
        "bump-version",
        d.path(),
        &["check", "--junit", "/nonexistent/dir/r.xml"],
    );
    r.assert_code(2);
    assert!(
        r.stderr
            .contains("cannot write the JUnit report to /nonexistent/dir/r.xml"),
        "{}",
        r.stderr
    );
}

#[test]
fn custom_tag_scheme_from_the_environment() {
    let d = mesos_repo();
    git(d.path(), &["tag", "-a", "v1.12.0-rc1", "-m", "v-style tag"]);
    let mut c = tool("bump-version", d.path());
    c.args(["check", "--tag", "v1.12.0-rc1"])
        .env("RELEASE_KIT_TAGS_CANDIDATE", "v{version}-rc{rc}");
    run(c).assert_code(0);
    let r = run_tool(
        "bump-version",
        d.path(),
        &[
            "check",
            "--tag",
            "1.12.0-rc1",
            "--set",
            "tags.candidate=v{version}-rc{rc}",
            "--set",
            "tags.release=v{version}",
        ],
    );
    r.assert_code(2);
    assert!(
        r.stderr.contains("`v1.12.0-rc1`") || r.stderr.contains("vX.Y.Z-rcN"),
        "{}",
        r.stderr
    );
}

#[test]
fn every_tool_answers_help_and_version_and_stubs_say_so() {
    let d = tempfile::tempdir().unwrap();
    for t in TOOLS {
        run_tool(t, d.path(), &["--help"]).assert_code(0);
        let r = run_tool(t, d.path(), &["--version"]);
        r.assert_code(0);
        assert!(r.stdout.starts_with(t), "{}", r.stdout);
    }
    let r = run_tool("bump-version", d.path(), &["frobnicate"]);
    r.assert_code(2);
    let r = run_tool("bump-version", d.path(), &["check"]);
    r.assert_code(2);
    assert!(
        r.stderr
            .contains("version site configure.ac does not exist"),
        "{}",
        r.stderr
    );
}

#[test]
fn file_names_cannot_inject_workflow_commands() {
    let evil = "odd,name:x\n::warning::injected.ac";
    let d = repo_with(&[(evil, "V=1.0.0\n"), ("plain.ac", "V=1.0.1\n")]);
    std::fs::write(
        d.path().join("release.toml"),
        "[[version_sites]]\nfile = \"odd,name:x\\n::warning::injected.ac\"\nversion = \"V={version}\"\n\n[[version_sites]]\nfile = \"plain.ac\"\nversion = \"V={version}\"\n",
    )
    .unwrap();
    let out = d.path().join("out");
    let mut c = tool("bump-version", d.path());
    c.args(["check"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &out)
        .env("GITHUB_STEP_SUMMARY", d.path().join("summary"));
    let r = run(c);
    r.assert_code(1);
    assert!(
        r.stderr
            .contains("::error file=odd%2Cname%3Ax%0A%3A%3Awarning%3A%3Ainjected.ac,line=1,"),
        "{}",
        r.stderr
    );
    // Neither the results on stdout nor the logs on stderr carry a line the runner would run.
    for line in r.stdout.lines().chain(r.stderr.lines()) {
        let t = line.trim_start();
        assert!(
            !t.starts_with("::") || t.starts_with("::error file="),
            "an injected command reached the log: {line}"
        );
    }
    assert!(
        r.stdout.contains("| ::warning::injected.ac"),
        "{}",
        r.stdout
    );
}
