//! What a person reads: the tally as text, Markdown and JSON, and the [RESULT][VOTE] email's
//! context. Pure.

use serde::Serialize;
use serde_json::{json, Value as Json};

use super::count::{utc, Tally, Voter};
use super::text::Value;
use crate::report::md_escape;

/// Facts about the vote that are not counts.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub tag: String,
    pub display_name: String,
    pub version: String,
    pub rc: u32,
    pub vote_subject: String,
    pub vote_message_id: String,
    pub thread: String,
    pub roster: String,
    /// `ledger` (stage-rc's recorded deadline) or `vote-message-date` (computed).
    pub deadline_source: String,
    /// Notes about how the thread was read.
    pub notes: Vec<String>,
}

const NON_BINDING_NOTE: &str = "only binding votes decide; a non-binding -1 is reported for the release manager to read but does not fail the vote under either policy (ASF practice)";

pub fn verdict(t: &Tally) -> &'static str {
    if t.passed {
        "PASSED"
    } else if t.cancelled {
        "CANCELLED"
    } else if !t.closed {
        "NOT CLOSED"
    } else if t.passes_at_best {
        "UNDECIDED"
    } else {
        "FAILED"
    }
}

fn vote_cell(v: &Voter) -> String {
    let mut s = match v.vote {
        Some(x) => x.to_string(),
        None => v
            .readings
            .iter()
            .map(|r| r.map(Value::as_str).unwrap_or("none"))
            .collect::<Vec<_>>()
            .join(" or "),
    };
    if !v.changed_from.is_empty() {
        let was: Vec<&str> = v.changed_from.iter().map(|x| x.as_str()).collect();
        s.push_str(&format!(" (was {})", was.join(", ")));
    }
    s
}

fn deadline_line(h: &Header, t: &Tally) -> String {
    let source = if h.deadline_source == "ledger" {
        "recorded by stage-rc".to_string()
    } else {
        "computed from the [VOTE] message's date with the vote calendar: no stage-rc ledger for this tag".to_string()
    };
    format!(
        "{} ({source}); {}",
        utc(t.deadline),
        if t.closed { "closed" } else { "still open" }
    )
}

fn counts_line(t: &Tally, binding: bool) -> String {
    let (p, z, m) = if binding {
        (t.binding_plus, t.binding_zero, t.binding_minus)
    } else {
        (t.non_binding_plus, t.non_binding_zero, t.non_binding_minus)
    };
    let mut s = format!("{p} × +1, {z} × 0, {m} × -1");
    if binding && t.undecided > 0 {
        s.push_str(&format!(", {} undecided", t.undecided));
    }
    s
}

/// Columns a string takes in a terminal: East Asian wide characters take two.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let c = c as u32;
            let wide = (0x1100..=0x115F).contains(&c)
                || (0x2E80..=0xA4CF).contains(&c)
                || (0xAC00..=0xD7A3).contains(&c)
                || (0xF900..=0xFAFF).contains(&c)
                || (0xFE30..=0xFE4F).contains(&c)
                || (0xFF00..=0xFF60).contains(&c)
                || (0xFFE0..=0xFFE6).contains(&c)
                || (0x20000..=0x3FFFD).contains(&c);
            if wide {
                2
            } else {
                1
            }
        })
        .sum()
}

fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.first().map(Vec::len).unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| rows.iter().map(|r| width(&r[c])).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < cols {
                line.push_str(&" ".repeat(widths[c] - width(cell) + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn voter_rows(t: &Tally) -> Vec<Vec<String>> {
    t.voters
        .iter()
        .map(|v| {
            vec![
                format!("{} <{}>", v.name, v.email),
                if v.binding { "yes" } else { "no" }.to_string(),
                vote_cell(v),
                utc(v.date),
                format!("<{}>", v.message_id),
            ]
        })
        .collect()
}

/// The tally as plain text.
pub fn text(h: &Header, t: &Tally) -> String {
    let mut out = format!("Vote on {} {}: {}\n", h.display_name, h.tag, verdict(t));
    let facts = [
        (
            "thread",
            format!("{} <{}>", h.vote_subject, h.vote_message_id),
        ),
        ("policy", t.policy.describe()),
        ("deadline", deadline_line(h, t)),
        ("binding", counts_line(t, true)),
        ("non-binding", counts_line(t, false)),
    ];
    for (k, v) in facts {
        out.push_str(&format!("  {:<12} {v}\n", format!("{k}:")));
    }
    out.push('\n');
    let mut rows = vec![vec![
        "VOTER".to_string(),
        "BINDING".into(),
        "VOTE".into(),
        "DATE".into(),
        "MESSAGE ID".into(),
    ]];
    rows.extend(voter_rows(t));
    if t.voters.is_empty() {
        out.push_str("No votes were cast.\n");
    } else {
        out.push_str(&table(&rows));
    }
    if !t.reasons.is_empty() {
        out.push_str("\nTo look at:\n");
        for r in &t.reasons {
            out.push_str(&format!("  - {r}\n"));
        }
    }
    out.push('\n');
    for n in &h.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    out.push_str(&format!("note: {NON_BINDING_NOTE}.\n"));
    out
}

/// The tally as Markdown (the job summary).
pub fn markdown(h: &Header, t: &Tally) -> String {
    let mut out = format!(
        "## Vote on {} {}: {}\n\n",
        h.display_name,
        h.tag,
        verdict(t)
    );
    out.push_str("| | |\n|---|---|\n");
    for (k, v) in [
        (
            "thread",
            format!("{} `<{}>`", md_escape(&h.vote_subject), h.vote_message_id),
        ),
        ("policy", md_escape(&t.policy.describe())),
        ("deadline", md_escape(&deadline_line(h, t))),
        ("binding", counts_line(t, true)),
        ("non-binding", counts_line(t, false)),
    ] {
        out.push_str(&format!("| {k} | {v} |\n"));
    }
    out.push('\n');
    if t.voters.is_empty() {
        out.push_str("No votes were cast.\n");
    } else {
        out.push_str("| voter | binding | vote | date | message id |\n|---|---|---|---|---|\n");
        for r in voter_rows(t) {
            out.push_str(&format!(
                "| {} | {} | {} | {} | `{}` |\n",
                md_escape(&r[0]),
                r[1],
                r[2],
                r[3],
                r[4]
            ));
        }
    }
    if !t.reasons.is_empty() {
        out.push_str("\n### To look at\n\n");
        for r in &t.reasons {
            out.push_str(&format!("- {}\n", md_escape(r)));
        }
    }
    out.push('\n');
    for n in &h.notes {
        out.push_str(&format!("_Note: {}_\n\n", md_escape(n)));
    }
    out.push_str(&format!("_Note: {NON_BINDING_NOTE}._\n"));
    out
}

/// The whole tally as JSON (`--format json`, `tally.json`).
pub fn json(h: &Header, t: &Tally) -> Json {
    json!({
        "tag": h.tag,
        "version": h.version,
        "rc": h.rc,
        "verdict": verdict(t).to_lowercase().replace(' ', "-"),
        "passed": t.passed,
        "closed": t.closed,
        "cancelled": t.cancelled,
        "passes_under_every_reading": t.passes_at_worst,
        "passes_at_best": t.passes_at_best,
        "policy": t.policy,
        "deadline": t.deadline.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "deadline_source": h.deadline_source,
        "now": t.now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "thread": {
            "source": h.thread,
            "subject": h.vote_subject,
            "message_id": h.vote_message_id,
            "messages": t.messages.len(),
        },
        "roster": h.roster,
        "counts": {
            "binding": {"+1": t.binding_plus, "0": t.binding_zero, "-1": t.binding_minus, "undecided": t.undecided},
            "non_binding": {"+1": t.non_binding_plus, "0": t.non_binding_zero, "-1": t.non_binding_minus},
        },
        "voters": t.voters,
        "messages": t.messages,
        "blocking": t.blocking,
        "reasons": t.reasons,
        "notes": h.notes,
    })
}

/// One group of the [RESULT] email (`+1 (Binding)` and its names).
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub title: String,
    pub names: Vec<String>,
}

/// The voters of the [RESULT] email, grouped as Mesos's release.sh does; `+1` groups always
/// appear, the others only when they have names.
pub(crate) fn result_groups(t: &Tally) -> (Vec<Group>, bool) {
    let mut groups = Vec::new();
    let pick = |binding: bool, f: &dyn Fn(&Voter) -> bool| -> Vec<String> {
        t.voters
            .iter()
            .filter(|v| v.binding == binding && f(v))
            .map(|v| match v.vote {
                Some(x) if !matches!(x, Value::PlusOne | Value::MinusOne | Value::Zero) => {
                    format!("{} ({x})", v.name)
                }
                _ => v.name.clone(),
            })
            .collect()
    };
    let plus = |v: &Voter| v.vote == Some(Value::PlusOne);
    let zero = |v: &Voter| {
        matches!(
            v.vote,
            Some(Value::Zero | Value::PlusZero | Value::MinusZero)
        )
    };
    let minus = |v: &Voter| v.vote == Some(Value::MinusOne);
    let unclear = |v: &Voter| v.vote.is_none();
    for (title, binding, f, always) in [
        ("+1 (Binding)", true, &plus as &dyn Fn(&Voter) -> bool, true),
        ("+1 (Non-binding)", false, &plus, true),
        ("0 (Binding)", true, &zero, false),
        ("0 (Non-binding)", false, &zero, false),
        ("-1 (Binding)", true, &minus, false),
        ("-1 (Non-binding)", false, &minus, false),
        ("Unclear (Binding), see the tally", true, &unclear, false),
        (
            "Unclear (Non-binding), see the tally",
            false,
            &unclear,
            false,
        ),
    ] {
        let names = pick(binding, f);
        if always || !names.is_empty() {
            groups.push(Group {
                title: title.to_string(),
                names,
            });
        }
    }
    let no_zero_or_minus = t.voters.iter().all(|v| v.vote == Some(Value::PlusOne));
    (groups, no_zero_or_minus)
}
