//! Counting: each message read for votes, each voter's last vote kept, binding status from the
//! roster, and the policy applied under every reading of the ambiguous messages. Pure: the
//! thread, roster, deadline and `now` in, the tally out.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use super::roster::Roster;
use super::text::{self, Value};
use super::thread::{self, Mail, Thread};

/// How a vote passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    /// At least `min_binding` binding +1 and no binding -1 (the Mesos release guide).
    Mesos,
    /// At least `min_binding` binding +1 and more binding +1 than binding -1 (the ASF rule).
    Majority,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub rule: Rule,
    pub min_binding: usize,
}

impl Policy {
    pub fn passes(&self, plus: usize, minus: usize) -> bool {
        plus >= self.min_binding
            && match self.rule {
                Rule::Mesos => minus == 0,
                Rule::Majority => plus > minus,
            }
    }

    pub(crate) fn describe(&self) -> String {
        match self.rule {
            Rule::Mesos => format!(
                "mesos: at least {} binding +1 and no binding -1",
                self.min_binding
            ),
            Rule::Majority => format!(
                "majority: at least {} binding +1 and more binding +1 than binding -1",
                self.min_binding
            ),
        }
    }
}

/// What became of one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Its vote is the sender's counted vote.
    Counted,
    /// A later message of the same sender replaced its vote.
    Superseded,
    /// It holds no vote.
    NoVote,
    /// It can be read more than one way; a human decides.
    Ambiguous,
    /// Sent after the deadline: reported, not counted.
    Late,
    /// Sent after the [RESULT] or [CANCEL] message: reported, not counted.
    AfterClose,
    /// The [RESULT] message.
    Result,
    /// The [CANCEL] message.
    Cancel,
}

/// One message of the thread, as read.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub message_id: String,
    pub from_name: String,
    pub from: String,
    #[serde(serialize_with = "rfc3339")]
    pub date: Timestamp,
    pub subject: String,
    pub binding: bool,
    /// The vote lines' values (strict form).
    pub votes: Vec<Value>,
    /// Every way the message can be read (`null`: no vote); one entry when it is clear.
    pub readings: Vec<Option<Value>>,
    pub status: Status,
    /// Why it is ambiguous, late, or what else a reader should know.
    pub note: String,
    /// The [VOTE] message itself.
    pub vote_message: bool,
    /// An HTML-only message, read from its HTML.
    pub html: bool,
}

/// One voter with their counted vote.
#[derive(Debug, Clone, Serialize)]
pub struct Voter {
    pub name: String,
    pub email: String,
    pub binding: bool,
    /// The counted vote; `None` while an ambiguous message leaves it open.
    pub vote: Option<Value>,
    /// Every vote the voter may be counted with (one when clear).
    pub readings: Vec<Option<Value>>,
    #[serde(serialize_with = "rfc3339")]
    pub date: Timestamp,
    pub message_id: String,
    /// Earlier clear votes that differ from a later one, in order (a changed vote).
    pub changed_from: Vec<Value>,
    /// `(binding)` or `(non-binding)` as the voter wrote it; never trusted.
    pub claimed_binding: Option<bool>,
}

/// The counted vote.
#[derive(Debug, Clone, Serialize)]
pub struct Tally {
    pub policy: Policy,
    #[serde(serialize_with = "rfc3339")]
    pub deadline: Timestamp,
    #[serde(serialize_with = "rfc3339")]
    pub now: Timestamp,
    /// The deadline has passed.
    pub closed: bool,
    pub cancelled: bool,
    /// Passed under every reading of the ambiguous messages (and closed, not cancelled).
    pub passed: bool,
    /// Would pass if every ambiguous message were read in its favour.
    pub passes_at_best: bool,
    pub passes_at_worst: bool,
    /// Clear binding and non-binding votes (ambiguous voters left out).
    pub binding_plus: usize,
    pub binding_minus: usize,
    pub binding_zero: usize,
    pub non_binding_plus: usize,
    pub non_binding_minus: usize,
    pub non_binding_zero: usize,
    /// Binding voters whose vote is still open between readings.
    pub undecided: usize,
    pub voters: Vec<Voter>,
    pub messages: Vec<Message>,
    /// Why it did not pass, or what a human must look at.
    pub reasons: Vec<String>,
    /// Messages whose reading decides the outcome (their ids).
    pub blocking: Vec<String>,
}

fn rfc3339<S: serde::Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

pub(crate) fn utc(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// How favourable a vote is to passing: -1 < no vote, 0, ±0 < +1. Both rules are monotone in
/// it, so the least favourable reading of each voter is the least favourable reading overall.
fn rank(v: Option<Value>) -> u8 {
    match v {
        Some(Value::PlusOne) => 2,
        Some(Value::MinusOne) => 0,
        _ => 1,
    }
}

fn show(v: Option<Value>) -> &'static str {
    v.map(Value::as_str).unwrap_or("no vote")
}

/// How a message reads.
fn readings(
    mail: &Mail,
    vote_message: bool,
) -> (Vec<Value>, Vec<Option<Value>>, String, Option<bool>) {
    let a = text::analyse(&mail.body, !vote_message);
    let mut strict: Vec<Value> = a.strict.iter().map(|v| v.value).collect();
    strict.sort();
    strict.dedup();
    let mut loose: Vec<&text::VoteLine> = a
        .loose
        .iter()
        .filter(|l| !strict.contains(&l.value))
        .collect();
    loose.dedup_by_key(|l| l.value);
    let mut why = Vec::new();
    let mut reads: Vec<Option<Value>> = strict.iter().copied().map(Some).collect();
    if strict.len() > 1 {
        why.push(format!(
            "votes {} in one message",
            strict
                .iter()
                .map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(" and ")
        ));
    }
    if let Some(line) = &a.condition {
        why.push(format!("a vote with a condition: `{line}`"));
        reads.push(None);
    }
    for l in &loose {
        why.push(format!(
            "{} not at the start of a line: `{}`",
            l.value, l.line
        ));
        reads.push(Some(l.value));
        if strict.is_empty() {
            reads.push(None);
        }
    }
    reads.sort_by_key(|r| std::cmp::Reverse(rank(*r)));
    reads.dedup();
    (strict, reads, why.join("; "), a.claimed_binding)
}

struct Sequence {
    name: String,
    email: String,
    binding: bool,
    /// (message id, readings), in date order.
    messages: Vec<(String, Vec<Option<Value>>)>,
    claimed: Option<bool>,
}

/// The possible final votes after a sequence of messages (each a set of readings; `None`
/// keeps what came before).
fn finals(messages: &[(String, Vec<Option<Value>>)]) -> Vec<Option<Value>> {
    let mut possible: Vec<Option<Value>> = vec![None];
    for (_, reads) in messages {
        let mut next = Vec::new();
        for r in reads {
            match r {
                None => next.extend(possible.iter().copied()),
                Some(v) => next.push(Some(*v)),
            }
        }
        next.sort_by_key(|r| std::cmp::Reverse(rank(*r)));
        next.dedup();
        possible = next;
    }
    possible
}

/// Counts the thread against the roster and policy; `now` is the caller's clock.
pub fn count(
    thread: &Thread,
    roster: &Roster,
    policy: Policy,
    deadline: Timestamp,
    now: Timestamp,
) -> Tally {
    let mut reasons = Vec::new();
    let close = thread.closers.first();
    let cancelled = close.is_some_and(thread::is_cancel);
    let mut all: Vec<(&Mail, bool)> = std::iter::once((&thread.root, true))
        .chain(thread.replies.iter().map(|m| (m, false)))
        .collect();
    all.sort_by_key(|(m, _)| (m.date, m.index));

    let mut messages = Vec::new();
    let mut voters: BTreeMap<String, Sequence> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (mail, vote_message) in all {
        let member = roster.member(&mail.from_addr);
        let binding = member.is_some();
        let (votes, reads, why, claimed) = readings(mail, vote_message);
        let has_vote = !reads.is_empty();
        let ambiguous = reads.len() > 1;
        let after_close = close.is_some_and(|c| mail.date > c.date);
        let late = mail.date > deadline;
        let (status, note) = if !has_vote {
            (Status::NoVote, String::new())
        } else if after_close {
            let c = close.expect("checked");
            (
                Status::AfterClose,
                format!(
                    "sent after the {} message <{}>; not counted",
                    if cancelled { "[CANCEL]" } else { "[RESULT]" },
                    c.message_id
                ),
            )
        } else if late {
            (
                Status::Late,
                format!("sent after the deadline {}; not counted", utc(deadline)),
            )
        } else if ambiguous {
            (Status::Ambiguous, why.clone())
        } else {
            (Status::Counted, why.clone())
        };
        if matches!(status, Status::Late | Status::AfterClose) {
            reasons.push(format!(
                "the {} vote of {} <{}> (message <{}>, {}) {}",
                reads.iter().map(|r| show(*r)).collect::<Vec<_>>().join("/"),
                display_name(mail),
                mail.from_addr,
                mail.message_id,
                utc(mail.date),
                note
            ));
        }
        if matches!(status, Status::Counted | Status::Ambiguous) {
            let key = match member {
                Some((i, _)) => format!("m:{i}"),
                None => format!("a:{}", mail.from_addr.to_lowercase()),
            };
            let name = match member {
                Some((_, m)) => m.name.clone(),
                None => display_name(mail),
            };
            let seq = voters.entry(key.clone()).or_insert_with(|| Sequence {
                name,
                email: mail.from_addr.clone(),
                binding,
                messages: Vec::new(),
                claimed: None,
            });
            seq.email = mail.from_addr.clone();
            if claimed.is_some() {
                seq.claimed = claimed;
            }
            seq.messages.push((mail.message_id.clone(), reads.clone()));
            order.retain(|k| k != &key);
            order.push(key);
        }
        messages.push(Message {
            message_id: mail.message_id.clone(),
            from_name: display_name(mail),
            from: mail.from_addr.clone(),
            date: mail.date,
            subject: mail.subject.clone(),
            binding,
            votes,
            readings: reads,
            status,
            note,
            vote_message,
            html: mail.body_kind == thread::BodyKind::Html,
        });
    }
    for c in &thread.closers {
        messages.push(Message {
            message_id: c.message_id.clone(),
            from_name: display_name(c),
            from: c.from_addr.clone(),
            date: c.date,
            subject: c.subject.clone(),
            binding: roster.member(&c.from_addr).is_some(),
            votes: Vec::new(),
            readings: Vec::new(),
            status: if thread::is_cancel(c) {
                Status::Cancel
            } else {
                Status::Result
            },
            note: "closes the vote; votes after it are not counted".into(),
            vote_message: false,
            html: c.body_kind == thread::BodyKind::Html,
        });
    }
    messages.sort_by_key(|m| m.date);
    let find = |id: &str| messages.iter().find(|m| m.message_id == id);

    // Each voter's counted vote.
    let mut keyed: Vec<(String, Voter)> = Vec::new();
    let mut best_plus = 0;
    let mut best_minus = 0;
    let mut worst_plus = 0;
    let mut worst_minus = 0;
    let mut ambiguous_binding: Vec<(String, Option<Value>, Option<Value>)> = Vec::new();
    let mut counts = [[0usize; 3]; 2]; // [binding?][plus, zero, minus]
    let mut undecided = 0;
    for key in &order {
        let seq = &voters[key];
        let possible = finals(&seq.messages);
        let best = possible.iter().copied().max_by_key(|r| rank(*r)).flatten();
        let worst = possible.iter().copied().min_by_key(|r| rank(*r)).flatten();
        let clear: Vec<Value> = seq
            .messages
            .iter()
            .filter(|(_, r)| r.len() == 1)
            .filter_map(|(_, r)| r[0])
            .collect();
        let mut changed_from = Vec::new();
        for w in clear.windows(2) {
            if w[0] != w[1] {
                changed_from.push(w[0]);
            }
        }
        let (last_id, _) = seq.messages.last().expect("a voter has a message");
        let last = find(last_id).expect("the message is listed");
        let vote = if possible.len() == 1 {
            possible[0]
        } else {
            None
        };
        if seq.binding {
            if rank(best) == 2 {
                best_plus += 1;
            }
            if best == Some(Value::MinusOne) {
                best_minus += 1;
            }
            if rank(worst) == 2 {
                worst_plus += 1;
            }
            if worst == Some(Value::MinusOne) {
                worst_minus += 1;
            }
            if rank(best) != rank(worst) {
                ambiguous_binding.push((key.clone(), best, worst));
            }
        }
        if possible.len() == 1 {
            if let Some(v) = vote {
                let slot = match v {
                    Value::PlusOne => 0,
                    Value::MinusOne => 2,
                    _ => 1,
                };
                counts[usize::from(seq.binding)][slot] += 1;
            }
        } else if seq.binding {
            undecided += 1;
        }
        keyed.push((
            key.clone(),
            Voter {
                name: seq.name.clone(),
                email: seq.email.clone(),
                binding: seq.binding,
                vote,
                readings: possible.clone(),
                date: last.date,
                message_id: last.message_id.clone(),
                changed_from,
                claimed_binding: seq.claimed,
            },
        ));
    }
    let voter_of = |key: &str| -> Voter {
        keyed
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .expect("every sequence is a voter")
    };
    let mut out_voters: Vec<Voter> = keyed.iter().map(|(_, v)| v.clone()).collect();
    // Superseded: votes replaced by a later clear vote of the same voter.
    let mut replaced: Vec<String> = Vec::new();
    for seq in voters.values() {
        if let Some(last_clear) = seq
            .messages
            .iter()
            .rposition(|(_, r)| r.len() == 1 && r[0].is_some())
        {
            replaced.extend(seq.messages[..last_clear].iter().map(|(id, _)| id.clone()));
        }
    }
    for m in messages.iter_mut() {
        if replaced.contains(&m.message_id) {
            m.status = Status::Superseded;
            m.note = if m.note.is_empty() {
                "replaced by the sender's later vote".into()
            } else {
                format!("{}; replaced by the sender's later vote", m.note)
            };
        }
    }
    out_voters.sort_by_key(|v| v.date);

    let closed = now >= deadline;
    let passes_at_best = policy.passes(best_plus, best_minus);
    let passes_at_worst = policy.passes(worst_plus, worst_minus);
    let mut blocking = Vec::new();
    if passes_at_best && !passes_at_worst {
        // Which ambiguous message alone turns the vote: each voter at their worst, the rest at best.
        for (key, best, worst) in &ambiguous_binding {
            let plus = best_plus - usize::from(rank(*best) == 2) + usize::from(rank(*worst) == 2);
            let minus = best_minus - usize::from(*best == Some(Value::MinusOne))
                + usize::from(*worst == Some(Value::MinusOne));
            if !policy.passes(plus, minus) {
                blocking.push(key.clone());
            }
        }
        if blocking.is_empty() {
            blocking = ambiguous_binding
                .iter()
                .map(|(k, _, _)| k.clone())
                .collect();
        }
    }
    // The ambiguous messages that still matter: those after the voter's last clear vote.
    let ambiguous_messages = |key: &str| -> Vec<&Message> {
        let seq = &voters[key].messages;
        let from = seq
            .iter()
            .rposition(|(_, r)| r.len() == 1 && r[0].is_some())
            .map(|i| i + 1)
            .unwrap_or(0);
        seq[from..]
            .iter()
            .filter(|(_, r)| r.len() > 1)
            .filter_map(|(id, _)| messages.iter().find(|m| &m.message_id == id))
            .collect()
    };
    let blocking_ids: Vec<String> = blocking
        .iter()
        .flat_map(|k| ambiguous_messages(k))
        .map(|m| m.message_id.clone())
        .collect();

    let passed = closed && !cancelled && passes_at_worst;
    if cancelled {
        let c = close.expect("cancelled has a message");
        reasons.insert(
            0,
            format!(
                "the vote was cancelled: `{}` from {} <{}> (message <{}>, {})",
                c.subject,
                display_name(c),
                c.from_addr,
                c.message_id,
                utc(c.date)
            ),
        );
    } else if !closed {
        reasons.insert(
            0,
            format!(
                "the vote is still open: it closes at {} (now {}); tally again after the deadline",
                utc(deadline),
                utc(now)
            ),
        );
    }
    if let Some(c) = close.filter(|c| !cancelled && c.date < deadline) {
        reasons.push(format!(
            "the [RESULT] message <{}> was sent at {}, before the deadline {}: votes after it are not counted",
            c.message_id,
            utc(c.date),
            utc(deadline)
        ));
    }
    if !cancelled {
        if passes_at_best && !passes_at_worst {
            for key in &blocking {
                for m in ambiguous_messages(key) {
                    reasons.push(format!(
                        "message <{}> from {} <{}> ({}) blocks the vote: it can be read as {} ({}); the vote passes only if it passes under every reading, so a human must decide (ask the voter to restate the vote, or publish with --override-vote)",
                        m.message_id,
                        voters[key].name,
                        m.from,
                        utc(m.date),
                        m.readings.iter().map(|r| show(*r)).collect::<Vec<_>>().join(" or "),
                        m.note
                    ));
                }
            }
        } else if !passes_at_best {
            if best_plus < policy.min_binding {
                reasons.push(format!(
                    "only {best_plus} binding +1 vote(s); {} needs at least {}",
                    policy.describe(),
                    policy.min_binding
                ));
            }
            let minus_voters: Vec<&Voter> = out_voters
                .iter()
                .filter(|v| v.binding && v.vote == Some(Value::MinusOne))
                .collect();
            match policy.rule {
                Rule::Mesos => {
                    for v in &minus_voters {
                        reasons.push(format!(
                            "binding -1 from {} <{}> (message <{}>, {}): a binding -1 fails the vote under the mesos policy",
                            v.name, v.email, v.message_id, utc(v.date)
                        ));
                    }
                }
                Rule::Majority if best_plus <= best_minus && best_plus >= policy.min_binding => {
                    reasons.push(format!(
                        "{best_plus} binding +1 against {best_minus} binding -1: the majority policy needs more +1 than -1"
                    ));
                }
                Rule::Majority => {}
            }
        }
    }
    // What a human should look at even when the vote passed.
    for key in &order {
        let seq = &voters[key];
        let voter = voter_of(key);
        if !seq.binding && voter.readings.contains(&Some(Value::MinusOne)) {
            reasons.push(format!(
                "non-binding -1 from {} <{}> (message <{}>): it does not fail the vote under either policy (only binding votes decide, as ASF practice), but read the concern before publishing",
                voter.name, voter.email, voter.message_id
            ));
        }
        if !seq.binding && seq.claimed == Some(true) {
            reasons.push(format!(
                "{} <{}> wrote \"binding\" but is not on the roster {}: counted as non-binding; add them to the roster if they are on the PMC",
                voter.name, voter.email, roster.path.display()
            ));
        }
        if !seq.binding {
            if let Some(m) = roster
                .members
                .iter()
                .find(|m| m.name.eq_ignore_ascii_case(&voter.name))
            {
                reasons.push(format!(
                    "{} <{}> has the name of roster member {} but writes from an address the roster does not list: counted as non-binding; add the address to their `emails` in {} if it is theirs",
                    voter.name, voter.email, m.name, roster.path.display()
                ));
            }
        }
        if !blocking.contains(key) {
            for m in ambiguous_messages(key) {
                reasons.push(format!(
                    "message <{}> from {} <{}> can be read as {} ({}); it does not change the outcome",
                    m.message_id,
                    seq.name,
                    m.from,
                    m.readings.iter().map(|r| show(*r)).collect::<Vec<_>>().join(" or "),
                    m.note
                ));
            }
        }
    }
    Tally {
        policy,
        deadline,
        now,
        closed,
        cancelled,
        passed,
        passes_at_best,
        passes_at_worst,
        binding_plus: counts[1][0],
        binding_zero: counts[1][1],
        binding_minus: counts[1][2],
        non_binding_plus: counts[0][0],
        non_binding_zero: counts[0][1],
        non_binding_minus: counts[0][2],
        undecided,
        voters: out_voters,
        messages,
        reasons,
        blocking: blocking_ids,
    }
}

fn display_name(m: &Mail) -> String {
    let n = m.from_name.trim();
    if n.is_empty() || n.contains('\u{FFFD}') {
        m.from_addr.clone()
    } else {
        n.to_string()
    }
}
