//! `publish-dist tally` end to end: the real binary on the sample project with the sample
//! [VOTE] threads (examples/hello-release/threads) and the fixture corpus
//! (tests/fixtures/threads); a thread served over HTTP by wiremock on 127.0.0.1; one run on the
//! ledger of a real stage-rc with a throwaway GPG key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use crate::support::release::{cut_rc1, export, keyring};
use crate::support::{self, git, run, sample_thread, tool, Run};

/// A fixed clock well after the sample vote closed (2026-11-05 17:00 UTC).
const NOW: &str = "2026-11-24T12:00:00Z";

struct Fx {
    _sample: tempfile::TempDir,
    repo: PathBuf,
    out: PathBuf,
}

fn fx() -> Fx {
    let (sample, repo) = support::sample_repo();
    let out = sample.path().join("out");
    Fx {
        _sample: sample,
        repo,
        out,
    }
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/threads")
        .join(name)
        .display()
        .to_string()
}

impl Fx {
    fn tally(&self, thread: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut c = tool("publish-dist", &self.repo);
        c.env("RELEASE_KIT_NOW", NOW)
            .arg("tally")
            .args(["--tag", "1.1.0-rc1", "--thread", thread])
            .arg("--out")
            .arg(&self.out)
            .args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        run(c)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(self.out.join("tally.json")).unwrap())
            .unwrap()
    }

    fn email(&self) -> String {
        std::fs::read_to_string(self.out.join("result-email.eml"))
            .unwrap()
            .replace("\r\n", "\n")
    }
}

#[test]
fn passing_sample_exits_0_with_the_table_the_files_and_the_result_email() {
    let fx = fx();
    let r = fx.tally(&sample_thread("passing.mbox"), &[], &[]);
    r.assert_code(0);
    assert!(
        r.stdout.starts_with("Vote on Hello 1.1.0-rc1: PASSED\n"),
        "{}",
        r.stdout
    );
    let zoe = r
        .stdout
        .lines()
        .find(|l| l.starts_with("Zoë Müller <zoe@example.org> "))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert_eq!(
        zoe.split_whitespace().skip(3).take(2).collect::<Vec<_>>(),
        ["yes", "+1"],
        "{zoe}"
    );
    assert!(
        r.stdout.contains("李雷 <li.lei@example.cn>"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("computed from the [VOTE] message's date"),
        "no ledger: the output says where the deadline came from\n{}",
        r.stdout
    );
    for f in ["tally.json", "tally.txt", "tally.md", "result-email.eml"] {
        assert!(fx.out.join(f).is_file(), "{f} missing");
    }
    let j = fx.json();
    assert_eq!(j["passed"], true);
    assert_eq!(j["verdict"], "passed");
    assert_eq!(j["deadline"], "2026-11-05T17:00:00Z");
    assert_eq!(j["deadline_source"], "vote-message-date");
    assert_eq!(j["counts"]["binding"]["+1"], 4);
    assert_eq!(j["counts"]["non_binding"]["+1"], 2);
    assert_eq!(j["voters"].as_array().unwrap().len(), 6);
    assert_eq!(j["voters"][0]["name"], "Bilal Chaudhry");
    assert_eq!(j["voters"][0]["binding"], true);
    assert_eq!(j["voters"][0]["vote"], "+1");
    assert_eq!(j["voters"][0]["message_id"], "CAB1xq9vT2@mail.example.org");
    assert_eq!(
        j["thread"]["message_id"],
        "stage-rc.1.1.0-rc1.3f1c2a9b7d4e@hello"
    );
    assert_eq!(
        j["result_email"]["in_reply_to"],
        "<stage-rc.1.1.0-rc1.3f1c2a9b7d4e@hello>"
    );
    let eml = fx.email();
    assert!(
        eml.contains("In-Reply-To: <stage-rc.1.1.0-rc1.3f1c2a9b7d4e@hello>\n"),
        "{eml}"
    );
    assert!(eml.contains("To: dev@hello.example.org\n"), "{eml}");
    assert!(eml.contains("There were no 0 or -1 votes."), "{eml}");
    insta::assert_snapshot!("result_email_passed", eml);
}

#[test]
fn failing_sample_exits_1_naming_the_binding_minus_one_and_writes_the_failed_result() {
    let fx = fx();
    let r = fx.tally(&sample_thread("failing.mbox"), &[], &[]);
    r.assert_code(1);
    assert!(
        r.stdout.contains("Vote on Hello 1.1.0-rc1: FAILED"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("binding -1 from Dana Okafor <dana@example.org>"),
        "{}",
        r.stdout
    );
    let eml = fx.email();
    assert!(!eml.contains("There were no 0 or -1 votes."), "{eml}");
    assert!(!eml.contains("Please find the release at"), "{eml}");
    insta::assert_snapshot!("result_email_failed", eml);
}

#[test]
fn quoted_template_and_changed_vote_samples_pass() {
    let fx = fx();
    let r = fx.tally(&sample_thread("quoted-template.mbox"), &[], &[]);
    r.assert_code(0);
    assert_eq!(fx.json()["counts"]["binding"]["+1"], 3);
    assert_eq!(fx.json()["counts"]["binding"]["-1"], 0);
    let r = fx.tally(&sample_thread("changed-vote.mbox"), &[], &[]);
    r.assert_code(0);
    assert!(r.stdout.contains("+1 (was -1)"), "{}", r.stdout);
    assert!(r.stdout.contains("0 (was +1)"), "{}", r.stdout);
    let eml = fx.email();
    assert!(
        eml.contains("0 (Binding)\n------------------------------\nChen Wei\n"),
        "{eml}"
    );
}

#[test]
fn too_few_binding_votes_exit_1() {
    let fx = fx();
    let r = fx.tally(
        &sample_thread("passing.mbox"),
        &["--set", "vote.min_binding=5"],
        &[],
    );
    r.assert_code(1);
    assert!(
        r.stdout.contains("only 4 binding +1 vote(s)"),
        "{}",
        r.stdout
    );
    assert_eq!(fx.json()["passed"], false);
}

#[test]
fn a_vote_that_has_not_closed_exits_1() {
    let fx = fx();
    let r = fx.tally(
        &sample_thread("passing.mbox"),
        &[],
        &[("RELEASE_KIT_NOW", "2026-11-04T12:00:00Z")],
    );
    r.assert_code(1);
    assert!(r.stdout.contains("NOT CLOSED"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("the vote is still open: it closes at 2026-11-05 17:00 UTC"),
        "{}",
        r.stdout
    );
    assert_eq!(fx.json()["closed"], false);
    assert!(fx.email().contains("is still open until"));
    let r = fx.tally(
        &sample_thread("passing.mbox"),
        &[],
        &[("RELEASE_KIT_NOW", "soon")],
    );
    r.assert_code(2);
    assert!(
        r.stderr.contains("RELEASE_KIT_NOW `soon` is not a time"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_thread_for_another_version_exits_2_naming_both() {
    let fx = fx();
    let r = fx.tally(&fixture("other-version.mbox"), &[], &[]);
    r.assert_code(2);
    assert!(
        r.stderr
            .contains("expected the thread `[VOTE] Release Apache Hello 1.1.0 (rc1)`")
            && r.stderr
                .contains("`[VOTE] Release Apache Hello 1.0.1 (rc2)`"),
        "{}",
        r.stderr
    );
    assert!(!fx.out.join("tally.json").exists());
}

#[test]
fn empty_garbage_and_missing_threads_exit_2() {
    let fx = fx();
    let r = fx.tally(&fixture("empty.mbox"), &[], &[]);
    r.assert_code(2);
    assert!(r.stderr.contains("is empty"), "{}", r.stderr);
    let r = fx.tally(&fixture("garbage.txt"), &[], &[]);
    r.assert_code(2);
    assert!(r.stderr.contains("neither an mbox"), "{}", r.stderr);
    let r = fx.tally("/nonexistent/thread.mbox", &[], &[]);
    r.assert_code(2);
    assert!(
        r.stderr
            .contains("cannot read the [VOTE] thread /nonexistent/thread.mbox"),
        "{}",
        r.stderr
    );
    let r = fx.tally(&fixture("pony-summaries.json"), &[], &[]);
    r.assert_code(2);
    assert!(r.stderr.contains("Download mbox"), "{}", r.stderr);
}

#[test]
fn a_malformed_or_missing_roster_exits_2_naming_the_file_and_line() {
    let fx = fx();
    let roster = fx.out.parent().unwrap().join("bad-roster.toml");
    std::fs::write(
        &roster,
        "[[member]]\nname = \"Alice Andersen\"\nemails = [\"alice@example.org\"]\n\n[[member]]\nname = \"Bilal Chaudhry\"\nemail = [\"bilal@example.org\"]\n",
    )
    .unwrap();
    let r = fx.tally(
        &sample_thread("passing.mbox"),
        &["--roster", roster.to_str().unwrap()],
        &[],
    );
    r.assert_code(2);
    assert!(
        r.stderr
            .contains(&format!("roster {} line 7", roster.display()))
            && r.stderr.contains("email"),
        "{}",
        r.stderr
    );
    let r = fx.tally(
        &sample_thread("passing.mbox"),
        &["--roster", "/nonexistent/roster.toml"],
        &[],
    );
    r.assert_code(2);
    assert!(
        r.stderr
            .contains("roster /nonexistent/roster.toml: cannot be read"),
        "{}",
        r.stderr
    );
    let r = fx.tally(
        &sample_thread("passing.mbox"),
        &["--set", "vote.roster="],
        &[],
    );
    r.assert_code(2);
    assert!(
        r.stderr.contains("no roster: pass --roster FILE"),
        "{}",
        r.stderr
    );
}

#[test]
fn json_and_markdown_formats_print_the_tally() {
    let fx = fx();
    let r = fx.tally(&sample_thread("passing.mbox"), &["--format", "json"], &[]);
    r.assert_code(0);
    let j: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(j, fx.json());
    let r = fx.tally(
        &sample_thread("passing.mbox"),
        &["--format", "markdown"],
        &[],
    );
    r.assert_code(0);
    assert!(
        r.stdout.starts_with("## Vote on Hello 1.1.0-rc1: PASSED"),
        "{}",
        r.stdout
    );
    assert!(r
        .stdout
        .contains("| voter | binding | vote | date | message id |"));
}

#[test]
fn in_github_actions_outputs_and_the_job_summary_are_written() {
    let fx = fx();
    let dir = fx.out.parent().unwrap().to_path_buf();
    let output = dir.join("github-output");
    let summary = dir.join("github-summary");
    let r = fx.tally(
        &sample_thread("failing.mbox"),
        &[],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_OUTPUT", output.to_str().unwrap()),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
    );
    r.assert_code(1);
    let outputs = std::fs::read_to_string(&output).unwrap();
    for (k, v) in [
        ("passed", "false".to_string()),
        ("binding-plus", "3".into()),
        ("binding-minus", "1".into()),
        (
            "result-email",
            fx.out.join("result-email.eml").display().to_string(),
        ),
    ] {
        let block = outputs
            .split(&format!("{k}<<"))
            .nth(1)
            .unwrap_or_else(|| panic!("no {k} in {outputs}"));
        assert_eq!(block.lines().nth(1), Some(v.as_str()), "{outputs}");
    }
    let s = std::fs::read_to_string(&summary).unwrap();
    assert!(s.contains("## Vote on Hello 1.1.0-rc1: FAILED"), "{s}");
    assert!(
        s.contains("Subject: [RESULT][VOTE] Release Apache Hello 1.1.0 (rc1)"),
        "{s}"
    );
    assert!(
        r.stderr
            .contains("::error title=vote tally::binding -1 from Dana Okafor"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_thread_is_fetched_from_a_url_and_plain_http_elsewhere_is_refused() {
    use wiremock::matchers::{method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(method("GET"))
            .and(path("/api/thread.lua"))
            .and(query_param("id", "abc123"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_bytes(std::fs::read(fixture("pony-thread.json")).unwrap())
                    .insert_header("content-type", "application/json"),
            )
            .mount(&server),
    );
    rt.block_on(
        Mock::given(method("GET"))
            .and(path("/thread.mbox"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_bytes(std::fs::read(sample_thread("passing.mbox")).unwrap()),
            )
            .mount(&server),
    );
    let fx = fx();
    let r = fx.tally(
        &format!("{}/api/thread.lua?id=abc123", server.uri()),
        &[],
        &[],
    );
    r.assert_code(0);
    assert_eq!(fx.json()["counts"]["binding"]["+1"], 3);
    let r = fx.tally(&format!("{}/thread.mbox", server.uri()), &[], &[]);
    r.assert_code(0);
    assert_eq!(fx.json()["counts"]["binding"]["+1"], 4);
    let r = fx.tally(&format!("{}/missing.mbox", server.uri()), &[], &[]);
    r.assert_code(2);
    assert!(r.stderr.contains("404"), "{}", r.stderr);
    let r = fx.tally("http://lists.example.org/thread.mbox", &[], &[]);
    r.assert_code(2);
    assert!(
        r.stderr
            .contains("is plain http; fetch the thread over https"),
        "{}",
        r.stderr
    );
}

// A real stage-rc ledger: the deadline it recorded and the rc tag's tagger are used.

#[test]
fn the_deadline_and_sender_recorded_by_a_real_stage_rc_are_used() {
    if !["git", "gpg"].iter().all(|t| support::require_tool(t)) {
        return;
    }
    let fx = fx();
    let key = keyring("Alice Andersen <alice@example.org>", "ed25519", "2y", None);
    let repo = &fx.repo;
    cut_rc1(repo);
    let base = fx.out.parent().unwrap();
    let keys = base.join("KEYS");
    std::fs::write(&keys, export(&key)).unwrap();
    let dist = base.join("dist/dev/hello");
    std::fs::create_dir_all(&dist).unwrap();
    let mut c = tool("stage-rc", repo);
    c.env("GNUPGHOME", key.dir.path())
        .env("RELEASE_KIT_DIST_DEV", &dist)
        .env("RELEASE_KIT_DIST_SOURCE", "git-archive")
        .env("RELEASE_KIT_SIGNING_KEYS", &keys)
        .env("RELEASE_KIT_TAG", "1.1.0-rc1")
        .env("RELEASE_KIT_VOTE_START", "2026-11-02T17:00:00Z")
        .env("RELEASE_KIT_OUT", base.join("stage-out"));
    run(c).assert_code(0);
    // The ledger lives on the remote; a fresh clone reads it from there.
    let r = fx.tally(&sample_thread("passing.mbox"), &[], &[]);
    r.assert_code(0);
    let j = fx.json();
    assert_eq!(j["deadline_source"], "ledger");
    assert_eq!(j["deadline"], "2026-11-05T17:00:00Z");
    assert!(r.stdout.contains("recorded by stage-rc"), "{}", r.stdout);
    let eml = fx.email();
    assert!(
        eml.contains("From: Alice Andersen <alice@example.org>\n"),
        "{eml}"
    );
    assert!(
        eml.contains("Subject: [RESULT][VOTE] Release Apache Hello 1.1.0 (rc1)\n"),
        "{eml}"
    );
    // The deadline came from the note stage-rc wrote on the tagged commit.
    let notes = git(
        repo,
        &["notes", "--ref=release-kit", "show", "1.1.0-rc1^{commit}"],
    );
    assert!(notes.contains("2026-11-05T17:00:00Z"), "{notes}");
}
