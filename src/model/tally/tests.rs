//! The tally's rules on the fixture corpus (tests/fixtures/threads) and the sample threads
//! (examples/hello-release/threads), read and counted without I/O besides loading the files.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use jiff::Timestamp;

use super::count::{self, Policy, Rule, Status, Tally};
use super::render;
use super::roster::Roster;
use super::text::Value;
use super::thread::{self, BodyKind, Mail, Thread, Wanted};
use super::TallyError;

const DEADLINE: &str = "2026-11-05T17:00:00Z";
const AFTER: &str = "2026-11-10T12:00:00Z";

fn root_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn roster() -> Roster {
    Roster::load(&root_dir().join("examples/hello-release/roster.toml")).unwrap()
}

fn wanted() -> Wanted {
    Wanted {
        display_name: "Hello".into(),
        version: "1.1.0".into(),
        rc: 1,
        subject: "[VOTE] Release Apache Hello 1.1.0 (rc1)".into(),
    }
}

fn read(path: &str) -> Result<Thread, TallyError> {
    let bytes = std::fs::read(root_dir().join(path)).unwrap();
    let mails = thread::parse(&bytes, path)?;
    thread::select(mails, &wanted(), path)
}

fn mesos() -> Policy {
    Policy {
        rule: Rule::Mesos,
        min_binding: 3,
    }
}

fn tally_at(path: &str, policy: Policy, now: &str) -> Tally {
    let th = read(path).unwrap();
    count::count(
        &th,
        &roster(),
        policy,
        DEADLINE.parse().unwrap(),
        now.parse().unwrap(),
    )
}

fn tally(path: &str) -> Tally {
    tally_at(path, mesos(), AFTER)
}

/// (name, binding, vote) of each counted voter.
fn votes(t: &Tally) -> Vec<(String, bool, String)> {
    t.voters
        .iter()
        .map(|v| {
            (
                v.name.clone(),
                v.binding,
                v.vote.map(|x| x.to_string()).unwrap_or("?".into()),
            )
        })
        .collect()
}

fn v(name: &str, binding: bool, vote: &str) -> (String, bool, String) {
    (name.into(), binding, vote.into())
}

fn header(t: &Tally) -> render::Header {
    let _ = t;
    render::Header {
        tag: "1.1.0-rc1".into(),
        display_name: "Hello".into(),
        version: "1.1.0".into(),
        rc: 1,
        vote_subject: "[VOTE] Release Apache Hello 1.1.0 (rc1)".into(),
        vote_message_id: "stage-rc.1.1.0-rc1.3f1c2a9b7d4e@hello".into(),
        thread: "passing.mbox".into(),
        roster: "roster.toml".into(),
        deadline_source: "vote-message-date".into(),
        notes: vec![],
    }
}

#[test]
fn sample_passing_thread_passes_with_binding_and_non_binding_voters_by_name() {
    let t = tally("examples/hello-release/threads/passing.mbox");
    assert!(t.passed, "{:#?}", t.reasons);
    assert_eq!(
        votes(&t),
        [
            v("Bilal Chaudhry", true, "+1"),
            v("Eve Contributor", false, "+1"),
            v("Chen Wei", true, "+1"),
            v("李雷", false, "+1"),
            v("Alice Andersen", true, "+1"),
            v("Zoë Müller", true, "+1"),
        ]
    );
    assert_eq!(
        (t.binding_plus, t.binding_minus, t.non_binding_plus),
        (4, 0, 2)
    );
    assert!(t.reasons.is_empty(), "{:#?}", t.reasons);
    // Zoë's reply is HTML only; its quoted template is in a <blockquote>.
    assert!(t
        .messages
        .iter()
        .any(|m| m.html && m.from == "zoe@example.org"));
}

#[test]
fn sample_failing_thread_fails_on_the_binding_minus_one() {
    let t = tally("examples/hello-release/threads/failing.mbox");
    assert!(!t.passed);
    assert_eq!(t.binding_plus, 3);
    assert_eq!(t.binding_minus, 1);
    assert!(
        t.reasons[0].contains("binding -1 from Dana Okafor <dana@example.org>"),
        "{:#?}",
        t.reasons
    );
}

#[test]
fn sample_quoted_template_thread_passes_only_because_quoted_template_lines_are_not_votes() {
    let t = tally("examples/hello-release/threads/quoted-template.mbox");
    assert!(t.passed, "{:#?}", t.reasons);
    assert_eq!(
        votes(&t),
        [
            v("Alice Andersen", true, "+1"),
            v("Bilal Chaudhry", true, "+1"),
            v("Chen Wei", true, "+1"),
        ]
    );
    // Dana's reply holds only the quoted template: no vote. Frank's HTML reply neither.
    let dana = t
        .messages
        .iter()
        .find(|m| m.from == "dana@example.org")
        .unwrap();
    assert_eq!(dana.status, Status::NoVote);
    let frank = t
        .messages
        .iter()
        .find(|m| m.from == "frank@example.net")
        .unwrap();
    assert_eq!(frank.status, Status::NoVote);
    // Read as votes, the quoted "[ ] -1 Do not release" under Chen's +1 would fail the vote.
    let chen = t
        .messages
        .iter()
        .find(|m| m.from == "chen.wei@example.org")
        .unwrap();
    assert_eq!(chen.readings, [Some(Value::PlusOne)]);
}

#[test]
fn asf_trusted_releases_bug_a_plus_one_inside_the_quoted_template_does_not_count() {
    // A reply that is nothing but the quoted [VOTE] email with its "[ ] +1 Release ..." line.
    let quoted = "On Mon, Nov 2, 2026 at 5:00 PM Alice Andersen <alice@example.org> wrote:\n> Please vote.\n>\n> [ ] +1 Release this package as Apache Hello 1.1.0\n> [ ] -1 Do not release this package because ...\n";
    let mut th = read("examples/hello-release/threads/passing.mbox").unwrap();
    th.replies = vec![mail("dana@example.org", "2026-11-03T10:00:00Z", quoted)];
    let t = count::count(
        &th,
        &roster(),
        mesos(),
        DEADLINE.parse().unwrap(),
        AFTER.parse().unwrap(),
    );
    assert!(t.voters.is_empty(), "{:#?}", t.voters);
    assert!(!t.passed);
    assert_eq!(t.messages[1].status, Status::NoVote);
}

#[test]
fn sample_changed_votes_count_the_last_vote_and_are_reported_as_changed() {
    let t = tally("examples/hello-release/threads/changed-vote.mbox");
    assert!(t.passed, "{:#?}", t.reasons);
    let dana = t.voters.iter().find(|v| v.name == "Dana Okafor").unwrap();
    assert_eq!(dana.vote, Some(Value::PlusOne));
    assert_eq!(dana.changed_from, [Value::MinusOne]);
    let chen = t.voters.iter().find(|v| v.name == "Chen Wei").unwrap();
    assert_eq!(chen.vote, Some(Value::Zero));
    assert_eq!(chen.changed_from, [Value::PlusOne]);
    assert_eq!((t.binding_plus, t.binding_zero, t.binding_minus), (3, 1, 0));
    let superseded = t
        .messages
        .iter()
        .filter(|m| m.status == Status::Superseded)
        .count();
    assert_eq!(superseded, 2);
}

#[test]
fn a_monthly_mbox_yields_the_candidates_thread_with_every_mime_form() {
    let th = read("tests/fixtures/threads/monthly.mbox").unwrap();
    assert_eq!(th.root.subject, "[VOTE] Release Apache Hello 1.1.0 (rc1)");
    // The [DISCUSS] thread and the 1.0.1 vote are not part of it; the reply without
    // References is, by its subject; the duplicated message is read once.
    assert!(th.replies.iter().all(|m| !m.subject.contains("1.0.1")));
    assert!(th
        .replies
        .iter()
        .any(|m| m.message_id == "frank.norefs@example.net"));
    assert_eq!(
        th.replies
            .iter()
            .filter(|m| m.message_id == "dana.one@example.org")
            .count(),
        1
    );
    assert!(th.notes[0].contains("more than once"), "{:?}", th.notes);
    // RFC 2047 names, base64 and quoted-printable bodies, HTML only.
    let li = th
        .replies
        .iter()
        .find(|m| m.from_addr == "li.lei@example.cn")
        .unwrap();
    assert_eq!(li.from_name, "李雷");
    assert!(li.body.contains("编译和测试通过"), "{}", li.body);
    let zoe = th
        .replies
        .iter()
        .find(|m| m.from_addr == "zoe@example.org")
        .unwrap();
    assert_eq!(zoe.from_name, "Zoë Müller");
    assert_eq!(zoe.body_kind, BodyKind::Html);
    let chen = th
        .replies
        .iter()
        .find(|m| m.from_addr == "chen.wei@example.org")
        .unwrap();
    assert!(chen.body.contains("\n+1\n"), "{}", chen.body);

    let t = tally("tests/fixtures/threads/monthly.mbox");
    assert!(t.passed, "{:#?}", t.reasons);
    assert_eq!(
        votes(&t),
        [
            v("Bilal Chaudhry", true, "+1"),
            v("Chen Wei", true, "+1"),
            v("Zoë Müller", true, "+1"),
            v("Dana Okafor", true, "+1"),
            v("李雷", false, "+1"),
            v("Frank Ng", false, "+1"),
        ]
    );
    // Bilal wrote from an alias the roster lists; Dana's vote sent twice is not a change.
    let bilal = t
        .voters
        .iter()
        .find(|v| v.name == "Bilal Chaudhry")
        .unwrap();
    assert_eq!(bilal.email, "bilal.chaudhry@example.com");
    let dana = t.voters.iter().find(|v| v.name == "Dana Okafor").unwrap();
    assert!(dana.changed_from.is_empty());
    assert_eq!(dana.message_id, "dana.two@example.org");
    // Eve only quoted Bilal's +1.
    let eve = t
        .messages
        .iter()
        .find(|m| m.from == "eve@example.net")
        .unwrap();
    assert_eq!(eve.status, Status::NoVote);
}

#[test]
fn pony_mail_thread_json_is_read_like_an_mbox() {
    let t = tally("tests/fixtures/threads/pony-thread.json");
    assert!(t.passed, "{:#?}", t.reasons);
    assert_eq!(
        votes(&t),
        [
            v("Bilal Chaudhry", true, "+1"),
            v("Chen Wei", true, "+1"),
            v("Zoë Müller", true, "+1"),
            v("Eve Contributor", false, "+1"),
        ]
    );
}

#[test]
fn pony_mail_summaries_without_text_and_hidden_addresses_are_refused() {
    let e = read("tests/fixtures/threads/pony-summaries.json")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no text for 4 message(s)") && e.contains("mbox"),
        "{e}"
    );
    let e = read("tests/fixtures/threads/pony-anonymized.json")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("hides the senders' addresses") && e.contains("al...@example.org"),
        "{e}"
    );
}

#[test]
fn late_votes_and_votes_after_the_result_are_reported_not_counted() {
    let t = tally("tests/fixtures/threads/late.mbox");
    assert!(t.passed, "{:#?}", t.reasons);
    assert_eq!(t.binding_plus, 3);
    assert_eq!(t.binding_minus, 0);
    let status = |from: &str| t.messages.iter().find(|m| m.from == from).unwrap().status;
    assert_eq!(status("dana@example.org"), Status::Late);
    assert_eq!(status("zoe@example.org"), Status::AfterClose);
    // The [RESULT] message's "+1 (Binding)" lines are not votes.
    assert!(t.messages.iter().any(|m| m.status == Status::Result));
    assert!(t
        .reasons
        .iter()
        .any(|r| r.contains("dana.late@example.org") && r.contains("after the deadline")));
    assert!(t
        .reasons
        .iter()
        .any(|r| r.contains("zoe.after@example.org") && r.contains("[RESULT]")));
}

#[test]
fn a_cancelled_vote_fails_and_later_votes_do_not_count() {
    let t = tally("tests/fixtures/threads/cancelled.mbox");
    assert!(!t.passed && t.cancelled);
    assert!(t.reasons[0].contains("cancelled"), "{:?}", t.reasons);
    let chen = t
        .messages
        .iter()
        .find(|m| m.from == "chen.wei@example.org")
        .unwrap();
    assert_eq!(chen.status, Status::AfterClose);
    assert_eq!(render::verdict(&t), "CANCELLED");
}

#[test]
fn a_conditional_vote_that_decides_the_outcome_blocks_it_and_is_named() {
    let t = tally("tests/fixtures/threads/condition.mbox");
    assert!(!t.passed);
    assert!(t.passes_at_best && !t.passes_at_worst);
    assert_eq!(t.blocking, ["chen.cond@example.org"]);
    assert!(
        t.reasons[0].contains("<chen.cond@example.org>")
            && t.reasons[0].contains("blocks the vote"),
        "{:#?}",
        t.reasons
    );
    assert_eq!(render::verdict(&t), "UNDECIDED");
    // Eve's "+1 (non-binding) ... but -1 on ..." is listed, and does not decide.
    let eve = t
        .messages
        .iter()
        .find(|m| m.from == "eve@example.net")
        .unwrap();
    assert_eq!(eve.status, Status::Ambiguous);
    assert_eq!(eve.readings, [Some(Value::PlusOne), Some(Value::MinusOne)]);
    assert!(t
        .reasons
        .iter()
        .any(|r| r.contains("non-binding -1 from Eve Contributor")));
    assert!(t
        .reasons
        .iter()
        .any(|r| r.contains("<eve.but@example.net>") && r.contains("does not change the outcome")));
}

#[test]
fn ambiguous_messages_that_do_not_decide_leave_the_vote_passed() {
    let mut th = read("examples/hello-release/threads/passing.mbox").unwrap();
    th.replies
        .push(mail("dana@example.org", "2026-11-04T12:00:00Z", "+1\n-1\n"));
    let t = count::count(
        &th,
        &roster(),
        mesos(),
        DEADLINE.parse().unwrap(),
        AFTER.parse().unwrap(),
    );
    // Dana's "+1" and "-1" in one reply: under the mesos rule the -1 reading fails the vote.
    assert!(!t.passed);
    assert!(
        t.reasons[0].contains("votes -1 and +1 in one message"),
        "{:#?}",
        t.reasons
    );
    // Under the majority rule both readings pass (4 or 5 binding +1 against at most 1 -1).
    let t = count::count(
        &th,
        &roster(),
        Policy {
            rule: Rule::Majority,
            min_binding: 3,
        },
        DEADLINE.parse().unwrap(),
        AFTER.parse().unwrap(),
    );
    assert!(t.passed, "{:#?}", t.reasons);
    assert!(t
        .reasons
        .iter()
        .any(|r| r.contains("does not change the outcome")));
}

#[test]
fn a_later_clear_vote_settles_an_earlier_ambiguous_message() {
    let mut th = read("tests/fixtures/threads/condition.mbox").unwrap();
    th.replies.push(mail(
        "chen.wei@example.org",
        "2026-11-04T09:00:00Z",
        "+1\n\nHELLO-30 is in the notes now.\n",
    ));
    let t = count::count(
        &th,
        &roster(),
        mesos(),
        DEADLINE.parse().unwrap(),
        AFTER.parse().unwrap(),
    );
    assert!(t.passed, "{:#?}", t.reasons);
    let cond = t
        .messages
        .iter()
        .find(|m| m.message_id == "chen.cond@example.org")
        .unwrap();
    assert_eq!(cond.status, Status::Superseded);
    assert!(
        !t.reasons.iter().any(|r| r.contains("chen.cond")),
        "{:#?}",
        t.reasons
    );
    // A clear vote followed by a conditional one of the same value changes nothing.
    let mut th = read("tests/fixtures/threads/condition.mbox").unwrap();
    th.replies[2] = mail("chen.wei@example.org", "2026-11-03T11:00:00Z", "+1\n");
    th.replies.push(mail(
        "chen.wei@example.org",
        "2026-11-03T12:30:00Z",
        "+1 as long as nobody finds a blocker\n",
    ));
    let t = count::count(
        &th,
        &roster(),
        mesos(),
        DEADLINE.parse().unwrap(),
        AFTER.parse().unwrap(),
    );
    assert!(t.passed, "{:#?}", t.reasons);
}

#[test]
fn the_majority_rule_counts_binding_minus_ones_against_plus_ones() {
    let policy = Policy {
        rule: Rule::Majority,
        min_binding: 3,
    };
    let t = tally_at("examples/hello-release/threads/failing.mbox", policy, AFTER);
    assert!(
        t.passed,
        "3 binding +1 against 1 binding -1 passes: {:#?}",
        t.reasons
    );
    assert!(policy.passes(3, 2));
    assert!(!policy.passes(3, 3));
    assert!(!policy.passes(2, 0));
    assert!(mesos().passes(3, 0));
    assert!(!mesos().passes(5, 1));
}

#[test]
fn too_few_binding_votes_fail_and_say_how_many_are_needed() {
    let t = tally_at(
        "examples/hello-release/threads/passing.mbox",
        Policy {
            rule: Rule::Mesos,
            min_binding: 5,
        },
        AFTER,
    );
    assert!(!t.passed);
    assert!(
        t.reasons[0].contains("only 4 binding +1"),
        "{:#?}",
        t.reasons
    );
}

#[test]
fn an_open_vote_never_passes() {
    let t = tally_at(
        "examples/hello-release/threads/passing.mbox",
        mesos(),
        "2026-11-05T16:59:59Z",
    );
    assert!(!t.passed && !t.closed && t.passes_at_worst);
    assert!(t.reasons[0].contains("still open"), "{:#?}", t.reasons);
    assert_eq!(render::verdict(&t), "NOT CLOSED");
}

#[test]
fn binding_comes_from_the_roster_never_from_what_the_voter_wrote() {
    let mut th = read("examples/hello-release/threads/passing.mbox").unwrap();
    th.replies = vec![
        mail(
            "mallory@example.net",
            "2026-11-03T10:00:00Z",
            "+1 (binding)\n",
        ),
        mail(
            "ALICE@APACHE.ORG",
            "2026-11-03T11:00:00Z",
            "+1 (non-binding)\n",
        ),
        mail("dana@elsewhere.example", "2026-11-03T12:00:00Z", "+1\n"),
    ];
    th.replies[2].from_name = "Dana Okafor".into();
    let t = count::count(
        &th,
        &roster(),
        mesos(),
        DEADLINE.parse().unwrap(),
        AFTER.parse().unwrap(),
    );
    let b: Vec<(String, bool)> = t
        .voters
        .iter()
        .map(|v| (v.email.clone(), v.binding))
        .collect();
    assert_eq!(
        b,
        [
            ("mallory@example.net".to_string(), false),
            ("ALICE@APACHE.ORG".to_string(), true),
            ("dana@elsewhere.example".to_string(), false),
        ]
    );
    assert_eq!(t.voters[1].name, "Alice Andersen");
    assert!(t
        .reasons
        .iter()
        .any(|r| r.contains("mallory@example.net") && r.contains("not on the roster")));
    assert!(t
        .reasons
        .iter()
        .any(|r| r.contains("dana@elsewhere.example") && r.contains("add the address")));
}

#[test]
fn the_release_managers_own_vote_line_in_the_vote_message_counts() {
    let mut th = read("examples/hello-release/threads/failing.mbox").unwrap();
    th.replies.clear();
    let t = count::count(
        &th,
        &roster(),
        mesos(),
        DEADLINE.parse().unwrap(),
        AFTER.parse().unwrap(),
    );
    // The template's "[ ] +1" and "at least 3 +1 PMC votes" are not the RM's vote.
    assert!(t.voters.is_empty());
    th.root.body.push_str("\n+1 (binding) from me.\n");
    let t = count::count(
        &th,
        &roster(),
        mesos(),
        DEADLINE.parse().unwrap(),
        AFTER.parse().unwrap(),
    );
    assert_eq!(votes(&t), [v("Alice Andersen", true, "+1")]);
    assert!(t.messages[0].vote_message);
}

#[test]
fn threads_for_another_candidate_and_bad_input_are_refused_by_name() {
    let e = read("tests/fixtures/threads/other-version.mbox")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("[VOTE] Release Apache Hello 1.1.0 (rc1)")
            && e.contains("[VOTE] Release Apache Hello 1.0.1 (rc2)"),
        "{e}"
    );
    let e = read("tests/fixtures/threads/partial.mbox")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("not the [VOTE] message") && e.contains("whole thread"),
        "{e}"
    );
    let e = read("tests/fixtures/threads/empty.mbox")
        .unwrap_err()
        .to_string();
    assert!(e.contains("is empty"), "{e}");
    let e = read("tests/fixtures/threads/garbage.txt")
        .unwrap_err()
        .to_string();
    assert!(e.contains("neither an mbox"), "{e}");
    let e = thread::parse(b"{\"emails\": 3}", "x.json")
        .unwrap_err()
        .to_string();
    assert!(e.contains("not a Pony Mail thread"), "{e}");
}

#[test]
fn unreadable_messages_are_skipped_outside_the_vote_and_refused_inside_it() {
    let base =
        std::fs::read_to_string(root_dir().join("examples/hello-release/threads/passing.mbox"))
            .unwrap();
    let unrelated = "From x@example.org Sun Nov  1 10:00:00 2026\nFrom: X <x@example.org>\nSubject: Build report\n\nall green\n\n";
    let mails = thread::parse(format!("{unrelated}{base}").as_bytes(), "m.mbox").unwrap();
    let th = thread::select(mails, &wanted(), "m.mbox").unwrap();
    assert!(
        th.notes
            .iter()
            .any(|n| n.contains("1 message(s) of m.mbox outside the vote")),
        "{:?}",
        th.notes
    );
    let dateless = "From y@example.org Sun Nov  1 10:00:00 2026\nFrom: Y <y@example.org>\nSubject: Re: [VOTE] Release Apache Hello 1.1.0 (rc1)\nMessage-ID: <y@example.org>\n\n+1\n\n";
    let mails = thread::parse(
        format!(
            "{base}{}",
            dateless.replace(
                "From y@example.org Sun Nov  1 10:00:00 2026",
                "From y@example.org"
            )
        )
        .as_bytes(),
        "m.mbox",
    )
    .unwrap();
    let e = thread::select(mails, &wanted(), "m.mbox")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("belongs to the vote") && e.contains("no valid Date"),
        "{e}"
    );
}

#[test]
fn tally_text_snapshot() {
    let t = tally("tests/fixtures/threads/condition.mbox");
    insta::assert_snapshot!("condition_text", render::text(&header(&t), &t));
    let t = tally("examples/hello-release/threads/changed-vote.mbox");
    insta::assert_snapshot!("changed_text", render::text(&header(&t), &t));
}

#[test]
fn tally_markdown_snapshot() {
    let t = tally("tests/fixtures/threads/late.mbox");
    insta::assert_snapshot!("late_markdown", render::markdown(&header(&t), &t));
}

#[test]
fn tally_json_shape() {
    let t = tally("examples/hello-release/threads/changed-vote.mbox");
    let j = render::json(&header(&t), &t);
    assert_eq!(j["passed"], true);
    assert_eq!(j["counts"]["binding"]["+1"], 3);
    assert_eq!(j["counts"]["binding"]["0"], 1);
    assert_eq!(j["policy"]["rule"], "mesos");
    assert_eq!(j["deadline"], DEADLINE);
    let dana = j["voters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "Dana Okafor")
        .unwrap();
    assert_eq!(dana["vote"], "+1");
    assert_eq!(dana["changed_from"][0], "-1");
    assert_eq!(dana["binding"], true);
    assert!(j["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["status"] == "superseded"));
}

/// A reply to the sample thread's [VOTE] message.
fn mail(from: &str, date: &str, body: &str) -> Mail {
    Mail {
        message_id: format!("{}.{}", from, date),
        in_reply_to: vec!["stage-rc.1.1.0-rc1.3f1c2a9b7d4e@hello".into()],
        references: vec![],
        from_name: String::new(),
        from_addr: from.into(),
        subject: "Re: [VOTE] Release Apache Hello 1.1.0 (rc1)".into(),
        date: date.parse::<Timestamp>().unwrap(),
        body: body.into(),
        body_kind: BodyKind::Plain,
        index: 100,
        problem: None,
    }
}

#[test]
fn a_deep_reply_chain_in_reverse_order_is_read_in_linear_time() {
    // 100k replies, each to the one before, dated newest first: the worst order for a
    // fixed-point search (one member more per pass).
    let n = 100_000;
    let root_date: Timestamp = "2026-11-02T17:00:00Z".parse().unwrap();
    let mut mails = vec![Mail {
        message_id: "root@hello".into(),
        in_reply_to: vec![],
        references: vec![],
        from_name: "Alice".into(),
        from_addr: "alice@example.org".into(),
        subject: "[VOTE] Release Apache Hello 1.1.0 (rc1)".into(),
        date: root_date,
        body: "vote".into(),
        body_kind: BodyKind::Plain,
        index: 0,
        problem: None,
    }];
    for i in 1..=n {
        let mut m = mail(&format!("r{i}@example.org"), "2026-11-03T00:00:00Z", "+1");
        m.message_id = format!("r{i}@hello");
        m.in_reply_to = vec![if i == 1 {
            "root@hello".into()
        } else {
            format!("r{}@hello", i - 1)
        }];
        // A subject of its own, so only the chain links it to the thread.
        m.subject = format!("chain {i}");
        m.date = root_date + jiff::SignedDuration::from_secs((n - i + 1) as i64);
        m.index = i;
        mails.push(m);
    }
    let start = std::time::Instant::now();
    let t = thread::select(mails, &wanted(), "deep.mbox").unwrap();
    assert!(
        start.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(t.replies.len(), n);
}
