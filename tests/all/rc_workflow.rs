//! .github/workflows/rc.yml, run by `act` in host mode on the push of an rc tag, the way GitHub
//! would run it: the sample project's 1.1.0-rc1 goes through changelog-check, distcheck, the
//! sharded benchmark comparison with 1.0.0 and its merged gate, and stage-rc into a local svn
//! dist with a throwaway signing key passed as the workflow's secret.
//!
//! Offline: `actions/checkout` and the artifact actions are replaced (`--local-repository`) by
//! local stand-ins (act copies the repository into the workspace; artifacts go to a directory);
//! the release-kit actions run the test build's binaries through their `binary-dir` input.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::release::{gpg, svn, svn_dist};
use crate::support::*;

const WORKFLOW: &str = ".github/workflows/rc.yml";
const TAG: &str = "1.1.0-rc1";

/// upload-artifact: copies `path` (a file or a directory's contents) to STORE/NAME.
fn upload_stand_in(store: &Path) -> String {
    format!(
        r#"name: upload-artifact (offline stand-in)
description: keeps the artifact in a local directory
inputs:
  name:
    default: artifact
  path:
    required: true
  if-no-files-found:
    default: warn
runs:
  using: composite
  steps:
    - shell: bash
      env:
        NAME: ${{{{ inputs.name }}}}
        FROM: ${{{{ inputs.path }}}}
        MODE: ${{{{ inputs.if-no-files-found }}}}
      run: |
        store='{store}'
        mkdir -p "$store/$NAME"
        if [ -d "$FROM" ]; then cp -R "$FROM"/. "$store/$NAME/"
        elif [ -f "$FROM" ]; then cp "$FROM" "$store/$NAME/"
        elif [ "$MODE" = error ]; then echo "no files at $FROM"; exit 1
        fi
"#,
        store = store.display()
    )
}

/// download-artifact: STORE/NAME, or every STORE/PATTERN (merged or one directory each).
fn download_stand_in(store: &Path) -> String {
    format!(
        r#"name: download-artifact (offline stand-in)
description: takes artifacts from a local directory
inputs:
  name:
    default: ''
  pattern:
    default: ''
  path:
    default: '.'
  merge-multiple:
    default: 'false'
runs:
  using: composite
  steps:
    - shell: bash
      env:
        NAME: ${{{{ inputs.name }}}}
        PATTERN: ${{{{ inputs.pattern }}}}
        DEST: ${{{{ inputs.path }}}}
        MERGE: ${{{{ inputs.merge-multiple }}}}
      run: |
        store='{store}'
        mkdir -p "$DEST"
        for d in "$store"/*; do
          n=$(basename "$d")
          if [ -n "$NAME" ]; then
            if [ "$n" = "$NAME" ]; then cp -R "$d"/. "$DEST/"; fi
            continue
          fi
          # shellcheck disable=SC2254
          case "$n" in $PATTERN) ;; *) continue ;; esac
          if [ "$MERGE" = true ]; then cp -R "$d"/. "$DEST/"; else mkdir -p "$DEST/$n"; cp -R "$d"/. "$DEST/$n/"; fi
        done
"#,
        store = store.display()
    )
}

/// The `uses:` of an action in the workflow, e.g. `actions/checkout@<sha>`.
fn uses_of(workflow: &str, action: &str) -> String {
    workflow
        .lines()
        .find_map(|l| {
            l.trim()
                .trim_start_matches("- ")
                .strip_prefix(&format!("uses: {action}@"))
        })
        .map(|rest| format!("{action}@{}", rest.split_whitespace().next().unwrap()))
        .unwrap_or_else(|| panic!("the workflow uses {action}"))
}

/// The sample project on 1.1.x with 1.1.0-rc1 tagged, configured for a local svn dist and a
/// KEYS file; the rc workflow committed, the actions beside it (as `uses: owner/release-kit`
/// would fetch them); a throwaway signing key exported as the secret's value.
struct Project {
    _sample: tempfile::TempDir,
    dir: tempfile::TempDir,
    gnupg: tempfile::TempDir,
    repo: PathBuf,
    origin: PathBuf,
    svn: String,
    secret_key: String,
    fingerprint: String,
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .args(["--kill", "all"])
            .env("GNUPGHOME", self.gnupg.path())
            .output();
    }
}

impl Project {
    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }
}

/// The project; with `regress`, the candidate's benchmarks do twice the work (a regression that
/// slipped in before the tag).
fn project(regress: bool) -> Project {
    let (sample, repo) = sample_repo();
    let origin = repo.parent().unwrap().join("origin.git");
    let dir = tempfile::tempdir().unwrap();

    let gnupg = tempfile::Builder::new().prefix("rk-g.").tempdir().unwrap();
    let out = gpg(
        gnupg.path(),
        &[
            "--passphrase",
            "",
            "--pinentry-mode",
            "loopback",
            "--quick-gen-key",
            "Alice Andersen <alice@example.org>",
            "ed25519",
            "sign",
            "2y",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keys = dir.path().join("KEYS");
    std::fs::write(&keys, gpg(gnupg.path(), &["--armor", "--export"]).stdout).unwrap();
    let secret_key = String::from_utf8(
        gpg(
            gnupg.path(),
            &[
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
                "--armor",
                "--export-secret-keys",
            ],
        )
        .stdout,
    )
    .unwrap();
    assert!(secret_key.contains("PRIVATE KEY BLOCK"));
    let fingerprint = String::from_utf8_lossy(
        &gpg(gnupg.path(), &["--with-colons", "--list-secret-keys"]).stdout,
    )
    .lines()
    .find_map(|l| l.strip_prefix("fpr:"))
    .unwrap()
    .split(':')
    .nth(8)
    .unwrap()
    .to_string();

    let svn_url = svn_dist(&dir.path().join("svn"), &["dev/hello", "release/hello"]);

    git(&repo, &["checkout", "-q", "-b", "1.1.x"]);
    let cl = repo.join("CHANGELOG");
    let text = std::fs::read_to_string(&cl).unwrap();
    std::fs::write(&cl, text.replace("Version 1.1.0 (WIP)", "Version 1.1.0")).unwrap();
    let toml = repo.join("release.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let text = text.replace(
        "dev = \"https://dist.example.org/repos/dist/dev/{name}\"",
        &format!("dev = \"{svn_url}/dev/{{name}}\""),
    );
    std::fs::write(
        &toml,
        format!("{text}\n[signing]\nkeys = \"{}\"\n", keys.display()),
    )
    .unwrap();
    if regress {
        let bench = repo.join("bench/greet_bench.c");
        let text = std::fs::read_to_string(&bench).unwrap();
        let slower = text.replacen(
            "  if (value == NULL || value[0] == '\\0') {\n    return 1.0;",
            "  if (value == NULL || value[0] == '\\0') {\n    return 2.0;",
            1,
        );
        assert_ne!(slower, text);
        std::fs::write(&bench, slower).unwrap();
    }
    std::fs::create_dir_all(repo.join(".github/workflows")).unwrap();
    std::fs::copy(root().join(WORKFLOW), repo.join(WORKFLOW)).unwrap();
    git(&repo, &["add", "-A"]);
    git(
        &repo,
        &[
            "commit",
            "-qm",
            "Updated CHANGELOG for 1.1.0 release; local dist; the rc workflow.",
        ],
    );
    git(&repo, &["tag", "-a", TAG, "-m", "Tagging Hello 1.1.0-rc1."]);
    git(&repo, &["push", "-q", "origin", "1.1.x"]);
    // The actions, untracked: in a project they come from `uses: OWNER/release-kit/...@v1`.
    copy_dir(&root().join("actions"), &repo.join("actions"));

    std::fs::create_dir_all(dir.path().join("home")).unwrap();
    std::fs::create_dir_all(dir.path().join("artifacts")).unwrap();
    for (name, text) in [
        ("checkout", CHECKOUT_STAND_IN.to_string()),
        ("upload", upload_stand_in(&dir.path().join("artifacts"))),
        ("download", download_stand_in(&dir.path().join("artifacts"))),
    ] {
        let d = dir.path().join("stand-ins").join(name);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("action.yml"), text).unwrap();
    }
    Project {
        _sample: sample,
        dir,
        gnupg,
        repo,
        origin,
        svn: svn_url,
        secret_key,
        fingerprint,
    }
}

/// The lines act printed for one job (`[rc/<job name>   ] ...`).
fn job(out: &str, name: &str) -> String {
    let prefix = format!("[rc/{name}");
    out.lines()
        .filter(|l| l.starts_with(&prefix))
        .collect::<Vec<_>>()
        .join("\n")
}

fn act(p: &Project, event: &str, payload: &serde_json::Value, extra: &[&str]) -> Run {
    let workflow = std::fs::read_to_string(p.repo.join(WORKFLOW)).unwrap();
    let event_file = p.path("event.json");
    std::fs::write(&event_file, payload.to_string()).unwrap();
    let stand_in = |name: &str| p.path("stand-ins").join(name).display().to_string();
    let mut c = Command::new("act");
    c.current_dir(&p.repo)
        .args([
            event,
            "-W",
            WORKFLOW,
            "-P",
            "ubuntu-latest=-self-hosted",
            "-P",
            "ubuntu-24.04=-self-hosted",
            "--matrix",
            "platform:linux-x64",
            "-e",
        ])
        .arg(&event_file)
        .arg("--local-repository")
        .arg(format!("{}={}", uses_of(&workflow, "actions/checkout"), stand_in("checkout")))
        .args(act_cache_stand_in(&p.path("stand-ins").join("cache")))
        .arg("--local-repository")
        .arg(format!(
            "{}={}",
            uses_of(&workflow, "actions/upload-artifact"),
            stand_in("upload")
        ))
        .arg("--local-repository")
        .arg(format!(
            "{}={}",
            uses_of(&workflow, "actions/download-artifact"),
            stand_in("download")
        ))
        .arg("--var")
        .arg(format!(
            "RELEASE_KIT_BINARY_DIR={}",
            bin("stage-rc").parent().unwrap().display()
        ))
        .args([
            "--var",
            "BENCH_BUILD=autoreconf -fi >/dev/null 2>&1 && ./configure --quiet && make --quiet hello-bench",
            "--var",
            "BENCH_PROGRAM=hello-bench",
            "--var",
            "BENCH_ROUNDS=8",
            "--var",
            "BENCH_FILTER=*BENCHMARK*",
            "-s",
            "RELEASE_SIGNING_KEY",
        ])
        .args(extra)
        .env("RELEASE_SIGNING_KEY", &p.secret_key)
        .env("HOME", p.path("home"))
        .env("XDG_CACHE_HOME", p.path("home/.cache"))
        .env("NO_COLOR", "1");
    for (k, _) in std::env::vars() {
        if k.starts_with("GITHUB_")
            || k.starts_with("RELEASE_KIT_")
            || k.starts_with("ACT")
            || k == "GNUPGHOME"
        {
            c.env_remove(k);
        }
    }
    run(c)
}

fn have_tools() -> bool {
    [
        "act",
        "git",
        "gpg",
        "svn",
        "svnadmin",
        "autoreconf",
        "make",
        "cc",
    ]
    .iter()
    .all(|t| require_tool(t))
}

#[test]
fn act_an_rc_tag_push_checks_benchmarks_and_stages_the_candidate() {
    if !have_tools() {
        return;
    }
    let p = project(false);
    let event = serde_json::json!({
        "ref": format!("refs/tags/{TAG}"),
        "ref_name": TAG,
        "repository": {"full_name": "example/hello", "name": "hello", "owner": {"login": "example"}},
    });
    let r = act(&p, "push", &event, &[]);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 0, "the rc workflow failed:\n{out}");

    // Every job ran, the stage-rc job last.
    for job in [
        "rc tag",
        "CHANGELOG",
        "distcheck (linux-x64)",
        "bench-compare (shard 1 of 2)",
        "bench-compare (shard 2 of 2)",
        "bench-compare (all shards)",
        "stage-rc",
    ] {
        assert!(
            out.contains(&format!("[rc/{job}")),
            "job {job} did not run:\n{out}"
        );
    }
    assert!(!out.contains("Job failed"), "{out}");

    // The candidate is in dist dev, signed and checksummed; the tag and the ledger were pushed.
    let listing = svn(&["list", &format!("{}/dev/hello/{TAG}", p.svn)]);
    for f in [
        "hello-1.1.0.tar.gz",
        "hello-1.1.0.tar.gz.asc",
        "hello-1.1.0.tar.gz.sha512",
    ] {
        assert!(listing.contains(f), "{listing}");
    }
    assert!(git(&p.origin, &["tag", "--list"]).contains(TAG));
    assert!(git(&p.origin, &["for-each-ref", "refs/notes/"]).contains("refs/notes/release-kit"));

    // The artifacts: each benchmark shard's result file, the staged candidate and the email.
    let artifacts = p.path("artifacts");
    for shard in [1, 2] {
        let f = artifacts.join(format!("bench-shard-{shard}/bench-shard-{shard}.json"));
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        assert_eq!(json["shards"][0]["index"], shard, "{json}");
    }
    let email =
        std::fs::read_to_string(artifacts.join(format!("rc-{TAG}/vote-email.eml"))).unwrap();
    assert!(
        email.contains("Subject: [VOTE] Release Apache Hello 1.1.0 (rc1)"),
        "{email}"
    );
    assert!(
        email.contains(&format!("{}/dev/hello/{TAG}", p.svn)),
        "{email}"
    );

    // Outputs: from the tools' own $GITHUB_OUTPUT writes, through the actions, per job.
    let expect = |name: &str, wants: &[&str]| {
        let lines = job(&out, name);
        for want in wants {
            assert!(
                lines.contains(&format!("::set-output:: {want}")),
                "job {name} lacks the output `{want}`:\n{lines}"
            );
        }
    };
    expect("rc tag", &["tag=1.1.0-rc1", "base=1.0.0"]);
    expect(
        "CHANGELOG",
        &["version=1.1.0", "section-line=1", "exit-code=0"],
    );
    expect(
        "distcheck (linux-x64)",
        &["sha512=", "tarball=", "exit-code=0"],
    );
    // Each shard measured part of the benchmarks (2 + 1 of the sample's 3); the gate saw all 3.
    let shard_rows: Vec<String> = [1, 2]
        .iter()
        .map(|i| {
            let lines = job(&out, &format!("bench-compare (shard {i} of 2)"));
            lines
                .lines()
                .find_map(|l| l.split("::set-output:: inconclusive=").nth(1))
                .unwrap_or_else(|| panic!("shard {i}: no rows:\n{lines}"))
                .to_string()
        })
        .collect();
    let mut rows = shard_rows.clone();
    rows.sort();
    assert_eq!(rows, ["1", "2"], "{shard_rows:?}");
    expect(
        "bench-compare (all shards)",
        &[
            "passed=true",
            "regressions=0",
            "inconclusive=3",
            "missing=0",
        ],
    );
    expect(
        "stage-rc",
        &[
            &format!("dist-url={}/dev/hello/{TAG}", p.svn),
            "vote-deadline=20",
            "sha512=",
            "email=",
            "exit-code=0",
        ],
    );
    // The signing key came from the workflow's secret (the job's HOME has no keyring): the
    // ledger pushed with the tag names it. The runner masked it: no line of it is in the log.
    let ledger = git(
        &p.origin,
        &[
            "notes",
            "--ref=refs/notes/release-kit",
            "show",
            &format!("{TAG}^{{commit}}"),
        ],
    );
    assert!(ledger.contains(&p.fingerprint), "{ledger}");
    let key_line = p.secret_key.lines().nth(5).unwrap();
    assert!(
        key_line.len() > 20 && !out.contains(key_line),
        "the secret key leaked"
    );

    // The job summaries: the table of checks, the benchmark table, the vote email.
    for want in [
        "| `changelog-section` | ✅ pass |",
        "Summary - ## Benchmark comparison",
        "Summary - ## stage-rc 1.1.0-rc1",
        "### Vote email",
        "Subject: [VOTE] Release Apache Hello 1.1.0 (rc1)",
    ] {
        assert!(
            out.contains(want),
            "missing `{want}` in the summaries:\n{out}"
        );
    }
    // Annotations land on the files' lines (when act relays the step's output: see
    // tests/all/pr_changelog_workflow.rs).
    let changelog = job(&out, "CHANGELOG");
    if changelog.contains("[pass] changelog-section") {
        assert!(
            changelog.contains("::notice file=configure.ac,line=18,title=changelog-check%3A version-sites-agree::configure.ac says 1.1.0"),
            "{changelog}"
        );
    }
}

#[test]
fn act_a_dispatched_tag_that_is_not_an_rc_tag_stops_with_a_clear_error() {
    if !require_tool("act") {
        return;
    }
    let p = project(false);
    let hostile = "1.1.0\n::set-output name=tag::1.1.0-rc1";
    let event = serde_json::json!({"inputs": {"tag": hostile}});
    let r = act(&p, "workflow_dispatch", &event, &[]);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_ne!(r.code, 0, "{out}");
    assert!(
        out.contains("::error title=rc tag::`1.1.0%0A::set-output name=tag::1.1.0-rc1` is not a release-candidate tag: rc.yml stages tags of the form X.Y.Z-rcN (e.g. 1.11.0-rc1); run it again with such a tag"),
        "{out}"
    );
    // Nothing after the tag check ran, and nothing was staged.
    for job in [
        "[rc/CHANGELOG",
        "[rc/distcheck",
        "[rc/bench",
        "[rc/stage-rc",
    ] {
        assert!(!out.contains(job), "{job} ran:\n{out}");
    }
    assert!(!out.contains("::set-output:: tag="), "{out}");
    assert!(svn(&["list", &format!("{}/dev/hello", p.svn)])
        .trim()
        .is_empty());
}

#[test]
fn act_a_benchmark_regression_found_across_shards_stops_the_candidate_before_staging() {
    if !have_tools() {
        return;
    }
    let p = project(true);
    let event = serde_json::json!({
        "ref": format!("refs/tags/{TAG}"),
        "repository": {"full_name": "example/hello", "name": "hello", "owner": {"login": "example"}},
    });
    let r = act(&p, "push", &event, &[]);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_ne!(r.code, 0, "{out}");
    // A shard's regression does not fail the shard (exit code 1 is judged after the merge) ...
    for i in [1, 2] {
        let shard = job(&out, &format!("bench-compare (shard {i} of 2)"));
        assert!(
            shard.contains("::set-output:: exit-code=1"),
            "shard {i}:\n{shard}"
        );
        assert!(shard.contains("Job succeeded"), "shard {i}:\n{shard}");
    }
    // ... the gate on all shards does, and stage-rc does not run: nothing is staged or pushed.
    let gate = job(&out, "bench-compare (all shards)");
    assert!(gate.contains("::set-output:: passed=false"), "{gate}");
    // The candidate is twice as slow on every benchmark, but a loaded runner makes some rows
    // inconclusive (a wide interval), so at least one regression is required, not all three.
    // (The merge step before the gate sets the output empty.)
    let regressions: u32 = gate
        .lines()
        .filter_map(|l| l.split("::set-output:: regressions=").nth(1))
        .filter_map(|n| n.trim().parse().ok())
        .max()
        .unwrap_or(0);
    assert!(regressions >= 1, "{gate}");
    assert!(gate.contains("Job failed"), "{gate}");
    assert!(job(&out, "stage-rc").is_empty(), "{out}");
    assert!(svn(&["list", &format!("{}/dev/hello", p.svn)])
        .trim()
        .is_empty());
    assert!(!git(&p.origin, &["tag", "--list"]).contains(TAG));
}
