//! The pre-tag readiness checks (`[readiness]`) in the rc gate: the real `changelog-check --tag`
//! on the sample project with the hand-written Mesos stand-ins of tests/fixtures/readiness (CI
//! coverage), and the same checks on the real Apache Mesos files at a release tag and at master
//! when the Mesos mirror is present ($RK_MESOS_MIRROR or /work/.mirror/apache+mesos/repo).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use crate::support::*;

/// The `[readiness]` of the fixture: the Mesos rules (the embedded default) switched on, with
/// the fixture's generator instead of the endpoint-help one (which needs a Mesos build).
const READINESS: &str = r#"
[readiness]
enabled = "on"

[[readiness.generated]]
name = "endpoint help"
command = "sh support/generate-help.sh"
timeout_secs = 30
"#;

/// The sample project (version 1.1.0 at master) with the fixture files, committed.
fn ready_repo(extra_toml: &str) -> (tempfile::TempDir, PathBuf) {
    let (d, hello) = sample_repo();
    let from = root().join("tests/fixtures/readiness");
    for dir in ["docs", "include", "src", "support"] {
        let status = std::process::Command::new("cp")
            .arg("-R")
            .arg(from.join(dir))
            .arg(&hello)
            .status()
            .unwrap();
        assert!(status.success());
    }
    // The sample's WIP title is not what these tests are about.
    let cl = hello.join("CHANGELOG");
    let text = std::fs::read_to_string(&cl).unwrap();
    std::fs::write(&cl, text.replacen(" (WIP)", "", 1)).unwrap();
    let toml = hello.join("release.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str(READINESS);
    text.push_str(extra_toml);
    std::fs::write(&toml, text).unwrap();
    commit(&hello, "Readiness fixture.");
    (d, hello)
}

fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", message]);
}

fn write(dir: &Path, file: &str, text: &str) {
    std::fs::write(dir.join(file), text).unwrap();
}

fn gate(dir: &Path) -> (Run, serde_json::Value) {
    let r = run_tool(
        "changelog-check",
        dir,
        &["--tag", "1.1.0-rc1", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}\n{}\n{}", r.stdout, r.stderr));
    (r, json)
}

fn check<'a>(json: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {json:#}"))
}

fn messages(check: &serde_json::Value) -> Vec<String> {
    check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let at = match (
                f["location"]["file"].as_str(),
                f["location"]["line"].as_u64(),
            ) {
                (Some(file), Some(line)) => format!("{file}:{line}: "),
                (Some(file), None) => format!("{file}: "),
                _ => String::new(),
            };
            format!(
                "{}: {at}{}",
                f["severity"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect()
}

const IDS: [&str; 4] = [
    "document-has-release-section",
    "mirrored-definitions-agree",
    "flags-documented",
    "generated-files-current",
];

#[test]
fn readiness_checks_pass_on_a_ready_tree_and_at_its_tag() {
    // The Mesos flags command of the embedded default is a perl one-liner.
    if !require_tool("perl") {
        return;
    }
    let (_d, hello) = ready_repo("");
    let (r, json) = gate(&hello);
    r.assert_code(0);
    for id in IDS {
        assert_eq!(check(&json, id)["status"], "pass", "{id}: {json:#}");
    }
    assert_eq!(
        check(&json, "document-has-release-section")["summary"],
        "docs/upgrades.md:12"
    );
    assert_eq!(
        check(&json, "flags-documented")["summary"],
        "3 of 3 master and agent flags documented"
    );
    assert_eq!(
        check(&json, "mirrored-definitions-agree")["summary"],
        "1 pair(s) of files agree"
    );
    // At the tag's commit, as the gate reads it once tagged.
    git(
        &hello,
        &["tag", "-a", "1.1.0-rc1", "-m", "Tagging Hello 1.1.0-rc1."],
    );
    let (r, json) = gate(&hello);
    r.assert_code(0);
    for id in IDS {
        assert_eq!(check(&json, id)["status"], "pass", "{id}: {json:#}");
    }
}

#[test]
fn readiness_checks_report_each_problem_with_file_and_line() {
    // The Mesos flags command of the embedded default is a perl one-liner.
    if !require_tool("perl") {
        return;
    }
    let (_d, hello) = ready_repo("");
    let upgrades = std::fs::read_to_string(hello.join("docs/upgrades.md")).unwrap();
    write(
        &hello,
        "docs/upgrades.md",
        &upgrades.replace("## Upgrading from 1.0.x to 1.1.x ##", "## Older notes"),
    );
    let flags = std::fs::read_to_string(hello.join("src/slave/flags.cpp")).unwrap();
    write(
        &hello,
        "src/slave/flags.cpp",
        &flags.replace(
            "}\n",
            "  add(&Flags::fetcher_cache_dir,\n      \"fetcher_cache_dir\",\n      \"Where the fetcher caches.\");\n}\n",
        ),
    );
    let v1 = std::fs::read_to_string(hello.join("include/mesos/v1/mesos.proto")).unwrap();
    write(
        &hello,
        "include/mesos/v1/mesos.proto",
        &v1.replace("optional int32 port = 8", "optional int64 port = 8")
            .replace(
                "    MULTI_ROLE = 1;\n",
                "    MULTI_ROLE = 1;\n    HIERARCHICAL_ROLE = 2;\n",
            ),
    );
    write(
        &hello,
        "docs/endpoints/health.md",
        "# /health\n\nOld text.\n",
    );
    commit(&hello, "Not ready.");
    let (r, json) = gate(&hello);
    r.assert_code(1);
    assert_eq!(
        messages(check(&json, "document-has-release-section")),
        ["error: docs/upgrades.md:1: docs/upgrades.md has no section for 1.1.0: add a heading `Upgrading from * to 1.1.x` (`*` stands for anything); the newest such sections are `Upgrading from 0.28.x to 1.0.x` (line 16)"]
    );
    assert_eq!(
        messages(check(&json, "flags-documented")),
        ["error: docs/configuration.md: --fetcher_cache_dir (one of the master and agent flags) is not mentioned in docs/configuration.md or docs/configuration/*.md; document it (as `--fetcher_cache_dir`), or list it in `ignore`"]
    );
    assert_eq!(
        messages(check(&json, "mirrored-definitions-agree")),
        [
            "error: include/mesos/v1/mesos.proto:13: field AgentInfo.port is `optional int64 = 8` in include/mesos/v1/mesos.proto but `optional int32 = 8` in include/mesos/mesos.proto:13; make them agree",
            "error: include/mesos/v1/mesos.proto:19: enum value AgentInfo.Capability.HIERARCHICAL_ROLE is in include/mesos/v1/mesos.proto but not in include/mesos/mesos.proto; add it to include/mesos/mesos.proto (or list the rename in [[readiness.mirrors]] renames)",
        ]
    );
    let generated = messages(check(&json, "generated-files-current"));
    assert_eq!(
        generated[0],
        "error: docs/endpoints/health.md: docs/endpoints/health.md is stale: the endpoint help generator (`sh support/generate-help.sh`) changes it; run the generator and commit the result"
    );
    assert!(
        generated[1].contains("-Old text.\n+Reports the health of the master."),
        "{generated:?}"
    );
    // The user's work tree is untouched: the generator ran in a temporary worktree.
    assert_eq!(
        std::fs::read_to_string(hello.join("docs/endpoints/health.md")).unwrap(),
        "# /health\n\nOld text.\n"
    );
    assert!(git(&hello, &["status", "--porcelain"]).is_empty());
    assert!(!git(&hello, &["worktree", "list"]).contains("readiness"));
}

#[test]
fn verify_distcheck_source_runs_the_readiness_checks_at_the_tag() {
    // The Mesos flags command of the embedded default is a perl one-liner.
    if !require_tool("perl") {
        return;
    }
    // A recipe that makes no tarball: the readiness checks run before the build regardless.
    let (_d, hello) = ready_repo("\n[distcheck]\nrecipe = [\"true\"]\n");
    git(
        &hello,
        &["tag", "-a", "1.1.0-rc1", "-m", "Tagging Hello 1.1.0-rc1."],
    );
    let r = run_tool(
        "verify-distcheck",
        &hello,
        &["source", "--tag", "1.1.0-rc1", "--format", "json"],
    );
    r.assert_code(1);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    for id in IDS {
        assert_eq!(check(&json, id)["status"], "pass", "{id}: {json:#}");
    }
    assert_eq!(
        check(&json, "generated-files-current")["summary"],
        "endpoint help: current"
    );
    assert_eq!(check(&json, "tarball")["status"], "fail");
}

#[test]
fn a_failing_or_hanging_generator_and_empty_flags_are_errors_not_passes() {
    // The Mesos flags command of the embedded default is a perl one-liner.
    if !require_tool("perl") {
        return;
    }
    let (_d, hello) = ready_repo(
        r#"
[[readiness.generated]]
name = "broken help"
command = "echo 'cannot find mesos-master' >&2; exit 1"

[[readiness.generated]]
name = "hanging help"
command = "sleep 30"
timeout_secs = 1

[[readiness.flags]]
name = "scheduler flags"
command = "true"
documents = ["docs/configuration.md"]
"#,
    );
    let started = std::time::Instant::now();
    let (r, json) = gate(&hello);
    assert!(
        started.elapsed().as_secs() < 25,
        "the timeout did not stop the generator"
    );
    r.assert_code(1);
    let generated = messages(check(&json, "generated-files-current"));
    assert_eq!(generated.len(), 2, "{generated:?}");
    assert!(
        generated[0].starts_with("error: the broken help generator failed: `sh -c")
            && generated[0].contains("failed with exit status 1")
            && generated[0].contains("cannot find mesos-master"),
        "{generated:?}"
    );
    assert!(
        generated[1].starts_with(
            "error: the hanging help generator failed: `sh -c 'sleep 30'` did not finish within 1s"
        ),
        "{generated:?}"
    );
    let flags = messages(check(&json, "flags-documented"));
    assert_eq!(
        flags,
        ["error: the command listing the scheduler flags printed no flags (`true`); an empty list is not \"all documented\": fix the command in [[readiness.flags]]"]
    );
}

#[test]
fn an_unparsable_proto_is_reported_with_file_and_line() {
    // The Mesos flags command of the embedded default is a perl one-liner.
    if !require_tool("perl") {
        return;
    }
    let (_d, hello) = ready_repo("");
    let v1 = std::fs::read_to_string(hello.join("include/mesos/v1/mesos.proto")).unwrap();
    write(
        &hello,
        "include/mesos/v1/mesos.proto",
        &v1.replace("required string hostname = 1;", "required string = 1;"),
    );
    commit(&hello, "Broken proto.");
    let (r, json) = gate(&hello);
    r.assert_code(1);
    let found = messages(check(&json, "mirrored-definitions-agree"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("error: include/mesos/v1/mesos.proto:12: include/mesos/v1/mesos.proto does not parse as protobuf: "),
        "{found:?}"
    );
}

#[test]
fn readiness_is_off_for_other_projects_and_bad_settings_are_usage_errors() {
    // The sample project ("hello") keeps the embedded Mesos rules: they do not run.
    let (_d, hello) = sample_repo();
    let r = run_tool(
        "changelog-check",
        &hello,
        &["--tag", "1.0.0-rc1", "--format", "json"],
    );
    r.assert_code(0);
    for id in IDS {
        assert!(!r.stdout.contains(id), "{id} ran for hello: {}", r.stdout);
    }
    let r = run_tool(
        "changelog-check",
        &hello,
        &["--tag", "1.0.0-rc1", "--set", "readiness.enabled=sometimes"],
    );
    r.assert_code(2);
    assert!(
        r.stderr
            .contains("`readiness.enabled` is `sometimes`; use \"on\", \"off\" or \"auto\""),
        "{}",
        r.stderr
    );
}

/// A clone of the Mesos mirror sharing its objects, or `None` (with the reason printed) when
/// the mirror is absent: GitHub is not reachable in CI, where the fixture tests above cover
/// the same logic.
fn mesos_clone() -> Option<(tempfile::TempDir, PathBuf)> {
    let mirror = std::env::var_os("RK_MESOS_MIRROR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/.mirror/apache+mesos/repo"));
    if !mirror.exists() {
        eprintln!(
            "not checked: the Apache Mesos mirror is not at {} (set RK_MESOS_MIRROR to a clone of https://github.com/apache/mesos)",
            mirror.display()
        );
        return None;
    }
    let d = tempfile::tempdir().unwrap();
    let clone = d.path().join("mesos");
    let out = std::process::Command::new("git")
        .args(["clone", "-q", "--shared", "--no-checkout"])
        .arg(&mirror)
        .arg(&clone)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some((d, clone))
}

/// A commit with `rev`'s tree minus the files whose blobs the mirror does not hold (it stores
/// the five `3rdparty/*.tar.gz` outside git), so that a worktree can be checked out; the
/// checks read none of them.
fn without_absent_blobs(clone: &Path, rev: &str) -> String {
    let index = clone.join(".git/readiness-test-index");
    let git_ix = |args: &[&str], stdin: Option<&str>| -> String {
        let mut c = std::process::Command::new("git");
        c.args(args)
            .current_dir(clone)
            .env("GIT_INDEX_FILE", &index)
            .env("GIT_AUTHOR_NAME", "Release Manager")
            .env("GIT_AUTHOR_EMAIL", "rm@example.org")
            .env("GIT_COMMITTER_NAME", "Release Manager")
            .env("GIT_COMMITTER_EMAIL", "rm@example.org")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        if let Some(input) = stdin {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        } else {
            drop(child.stdin.take());
        }
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    git_ix(&["read-tree", rev], None);
    let listing = git_ix(&["ls-files", "-s"], None);
    let ids: String = listing
        .lines()
        .map(|l| l.split_whitespace().nth(1).unwrap().to_string() + "\n")
        .collect();
    let checked = git_ix(&["cat-file", "--batch-check"], Some(&ids));
    let absent: Vec<&str> = checked
        .lines()
        .filter(|l| l.ends_with(" missing"))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    for line in listing.lines() {
        let (meta, path) = line.split_once('\t').unwrap();
        if absent.contains(&meta.split_whitespace().nth(1).unwrap()) {
            git_ix(&["rm", "-q", "--cached", "--", path], None);
        }
    }
    let tree = git_ix(&["write-tree"], None);
    let parent = format!("{rev}^{{commit}}");
    let commit = git_ix(
        &[
            "commit-tree",
            tree.trim(),
            "-p",
            &parent,
            "-m",
            "The tree without blobs absent from the mirror.",
        ],
        None,
    );
    std::fs::remove_file(&index).unwrap();
    commit.trim().to_string()
}

fn mesos_gate(dir: &Path, tag: &str) -> serde_json::Value {
    let r = run_tool("changelog-check", dir, &["--tag", tag, "--format", "json"]);
    r.assert_code(1);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}\n{}\n{}", r.stdout, r.stderr))
}

/// Every finding of the mirror check, shortened to `file:line kind name`.
fn mirror_findings(json: &serde_json::Value) -> Vec<String> {
    messages(check(json, "mirrored-definitions-agree"))
        .into_iter()
        .map(|m| {
            let (at, rest) = m.trim_start_matches("error: ").split_once(": ").unwrap();
            let what: Vec<&str> = rest.split(" is ").next().unwrap().split(' ').collect();
            format!("{at} {}", what.join(" "))
        })
        .collect()
}

fn undocumented_flags(json: &serde_json::Value) -> Vec<String> {
    messages(check(json, "flags-documented"))
        .into_iter()
        .map(|m| m.split_whitespace().nth(2).unwrap().to_string())
        .collect()
}

/// The mirror differences Mesos has had since 1.11.0 and still has on master.
const MESOS_MIRROR_DIFFERENCES: [&str; 6] = [
    "include/mesos/v1/master/master.proto:249 field Call.DrainAgent.max_grace_period",
    "include/mesos/mesos.proto:966 field SlaveInfo.checkpoint",
    "include/mesos/scheduler/scheduler.proto:527 field Call.Subscribe.force",
    "include/mesos/v1/scheduler/scheduler.proto:523 field Call.Subscribe.offer_constraints",
    "include/mesos/v1/scheduler/scheduler.proto:521 field Call.Subscribe.suppressed_roles",
    "include/mesos/v1/scheduler/scheduler.proto:801 message APIResult",
];

/// The flags undocumented at 1.11.0 (and still on master).
const MESOS_UNDOCUMENTED_AT_1_11: [&str; 8] = [
    "--registry_strict",
    "--allocator_agent_recovery_factor",
    "--allocator_recovery_timeout",
    "--memory_profiling",
    "--cgroups_enable_cfs",
    "--cgroups_limit_swap",
    "--cgroups_cpu_enable_pids_and_tids_count",
    "--xfs_kill_containers",
];

#[test]
fn real_mesos_at_the_1_11_0_tag() {
    let Some((_d, mesos)) = mesos_clone() else {
        return;
    };
    let commit = without_absent_blobs(&mesos, "1.11.0");
    git(
        &mesos,
        &[
            "tag",
            "-f",
            "-a",
            "1.11.0",
            "-m",
            "Tagging Mesos 1.11.0.",
            &commit,
        ],
    );
    // The embedded defaults are Mesos's: no release.toml needed.
    let json = mesos_gate(&mesos, "1.11.0");
    // 1.11.0 shipped without its section in docs/upgrades.md (the newest is 1.9.x to 1.10.x).
    assert_eq!(
        messages(check(&json, "document-has-release-section")),
        ["error: docs/upgrades.md:1: docs/upgrades.md has no section for 1.11.0: add a heading `Upgrading from * to 1.11.x` (`*` stands for anything); the newest such sections are `Upgrading from 1.9.x to 1.10.x` (line 558), `Upgrading from 1.8.x to 1.9.x` (line 600)"]
    );
    let mut expected: Vec<String> = MESOS_MIRROR_DIFFERENCES
        .iter()
        .map(|s| s.to_string())
        .collect();
    // QUOTA_V2 was added to v0's MasterInfo capabilities only; master has it in v1 too.
    expected.insert(
        1,
        "include/mesos/mesos.proto:930 enum value MasterInfo.Capability.Type.QUOTA_V2".into(),
    );
    assert_eq!(mirror_findings(&json), expected);
    assert_eq!(undocumented_flags(&json), MESOS_UNDOCUMENTED_AT_1_11);
    assert_eq!(
        check(&json, "flags-documented")["summary"],
        "184 of 192 master and agent flags documented"
    );
    // The endpoint-help generator needs a Mesos build: a warning, never a silent pass.
    assert_eq!(check(&json, "generated-files-current")["status"], "warn");
}

#[test]
fn real_mesos_at_master() {
    let Some((_d, mesos)) = mesos_clone() else {
        return;
    };
    // The work tree at master, about to be tagged 1.12.0-rc1 (configure.ac says 1.12.0).
    let commit = without_absent_blobs(&mesos, "master");
    git(&mesos, &["checkout", "-q", &commit]);
    let json = mesos_gate(&mesos, "1.12.0-rc1");
    assert_eq!(
        messages(check(&json, "document-has-release-section")),
        ["error: docs/upgrades.md:1: docs/upgrades.md has no section for 1.12.0: add a heading `Upgrading from * to 1.12.x` (`*` stands for anything); the newest such sections are `Upgrading from 1.9.x to 1.10.x` (line 558), `Upgrading from 1.8.x to 1.9.x` (line 600)"]
    );
    assert_eq!(mirror_findings(&json), MESOS_MIRROR_DIFFERENCES);
    let flags = undocumented_flags(&json);
    // The eight of 1.11.0, the agent's network rate-limiting flags added since, and
    // --xfs_quota_headroom.
    for f in MESOS_UNDOCUMENTED_AT_1_11 {
        assert!(flags.contains(&f.to_string()), "{f} in {flags:?}");
    }
    for f in [
        "--egress_rate_per_cpu",
        "--ingress_burst",
        "--network_link_speed",
        "--xfs_quota_headroom",
    ] {
        assert!(flags.contains(&f.to_string()), "{f} in {flags:?}");
    }
    assert_eq!(flags.len(), 25, "{flags:?}");
    assert_eq!(
        check(&json, "flags-documented")["summary"],
        "184 of 209 master and agent flags documented"
    );
    // The gate never touched the work tree.
    assert!(git(&mesos, &["status", "--porcelain", "--untracked-files=no"]).is_empty());
}

#[test]
fn the_checklist_of_a_trunk_project_asks_for_no_master_branch_or_minor_bump() {
    let (_d, hello) = sample_repo();
    let mut c = tool("stage-rc", &hello);
    c.args([
        "--set",
        "tags.model=\"trunk\"",
        "--set",
        "tags.branch=\"master\"",
        "checklist",
        "1.1.0",
    ]);
    let r = run(c);
    r.assert_code(0);
    assert!(
        !r.stdout.contains("master moved to the next minor version"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("-b master"), "{}", r.stdout);
}

#[test]
fn the_checklist_shows_each_step_done_to_do_or_manual_in_the_terminal_and_job_summary() {
    let (_d, hello) = sample_repo();
    crate::support::release::cut_rc1(&hello);
    let summary = hello.parent().unwrap().join("summary.md");
    let mut c = tool("stage-rc", &hello);
    c.args(["checklist", "1.1.0"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary);
    let r = run(c);
    r.assert_code(0);
    for line in [
        "## Release checklist: Hello 1.1.0",
        "- [x] the release branch 1.1.x — **done**: 1.1.x at ",
        "- [ ] master moved to the next minor version — **to do**: master says 1.1.0: `bump-version next minor --commit` on master",
        "- [x] the CHANGELOG has the 1.1.0 section, without (WIP) — **done**: CHANGELOG:1: `Release Notes - Hello - Version 1.1.0` at ",
        "- [x] the release candidate is tagged — **done**: 1.1.0-rc1",
        "- [ ] the vote passed, 1.1.0 tagged and published — **to do**: `publish-dist --tag 1.1.0-rc1` once the vote passes",
        "- [ ] distcheck passes from the tag — **manual**: `verify-distcheck source --tag 1.1.0-rc1`",
        "- [ ] a strong GPG key, valid through the vote, in KEYS — **manual**: `stage-rc keys check`, then `stage-rc keys add`",
    ] {
        assert!(r.stdout.contains(line), "{line}\n{}", r.stdout);
    }
    assert_eq!(
        std::fs::read_to_string(&summary).unwrap().trim(),
        r.stdout.trim()
    );
    let filtered = regex::Regex::new(r"\b[0-9a-f]{12}\b")
        .unwrap()
        .replace_all(&r.stdout, "[commit]")
        .into_owned();
    insta::assert_snapshot!("checklist_sample_1_1_0", filtered);
}

#[test]
fn real_mesos_checklist_at_the_1_11_0_tag() {
    let Some((_d, mesos)) = mesos_clone() else {
        return;
    };
    let commit = without_absent_blobs(&mesos, "1.11.0");
    git(
        &mesos,
        &[
            "tag",
            "-f",
            "-a",
            "1.11.0",
            "-m",
            "Tagging Mesos 1.11.0.",
            &commit,
        ],
    );
    let r = run_tool("stage-rc", &mesos, &["checklist", "1.11.0"]);
    r.assert_code(0);
    eprintln!("{}", r.stdout);
    for line in [
        "## Release checklist: Mesos 1.11.0",
        "- [x] the release branch 1.11.x — **done**: 1.11.x at ",
        "- [x] master moved to the next minor version — **done**: master (",
        ") says 1.12.0",
        "- [x] the CHANGELOG has the 1.11.0 section, without (WIP) — **done**: CHANGELOG:1: `Release Notes - Mesos - Version 1.11.0` at ",
        "- [x] configure.ac and CMakeLists.txt say 1.11.0 — **done**: all sites say 1.11.0 at ",
        "- [ ] the documents have a section for this release — **to do**: docs/upgrades.md:1: docs/upgrades.md has no section for 1.11.0",
        "- [ ] every flag the program has is documented — **to do**: docs/configuration.md: --registry_strict",
        "(and 7 more: `changelog-check --tag 1.11.0-rc1`)",
        "- [ ] generated files are current (regenerating changes nothing) — **manual**: the endpoint help generator needs ",
        "- [x] the release candidate is tagged — **done**: 1.11.0-rc1",
        "- [x] the vote passed, 1.11.0 tagged and published — **done**: tag 1.11.0 at ",
    ] {
        assert!(r.stdout.contains(line), "{line}\n{}", r.stdout);
    }
}
