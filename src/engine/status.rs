//! Where each step of a plan stands against the release's ledger (to do, done, or done with
//! other inputs), and the plan shown with those states as text or JSON (`--dry-run`). Pure.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::ledger::Ledger;
use super::plan::{Plan, StepKind};

/// Where a step stands against the ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum State {
    /// Not done yet.
    ToDo,
    /// Done with the same inputs: skipped.
    Done,
    /// Done with other inputs: refused.
    Changed { differences: Vec<String> },
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            State::ToDo => f.write_str("to do"),
            State::Done => f.write_str("done"),
            State::Changed { .. } => f.write_str("CHANGED"),
        }
    }
}

/// The differences between two JSON values, as `path: old → new` lines.
pub(crate) fn differences(old: &Value, new: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff_into("", old, new, &mut out);
    out
}

fn diff_into(path: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                diff_into(
                    &p,
                    a.get(k).unwrap_or(&Value::Null),
                    b.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (a, b) if a != b => out.push(format!("{path}: was {a}, now {b}")),
        _ => {}
    }
}

/// The state of every step of `plan` against `ledger`.
pub fn states<K: StepKind>(plan: &Plan<K>, ledger: &Ledger) -> Vec<State> {
    plan.steps
        .iter()
        .map(|step| match ledger.record(step.kind) {
            None => State::ToDo,
            Some(r) if r.digest == step.digest => State::Done,
            Some(r) => State::Changed {
                differences: differences(&r.inputs, &step.inputs),
            },
        })
        .collect()
}

/// The plan as text: one line per step with its state, then its inputs.
pub(crate) fn render<K: StepKind>(plan: &Plan<K>, ledger: &Ledger) -> String {
    let mut out = format!("plan: {} {}\n", plan.tool, plan.subject);
    for (i, (step, state)) in plan.steps.iter().zip(states(plan, ledger)).enumerate() {
        out.push_str(&format!(
            "{:>2}. [{state}] {}: {}\n",
            i + 1,
            step.id(),
            step.description
        ));
        if let Value::Object(map) = &step.inputs {
            for (k, v) in map {
                let v = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                out.push_str(&format!("      {k} = {v}\n"));
            }
        }
        if let State::Changed { differences } = state {
            for d in differences {
                out.push_str(&format!("      changed since it was done: {d}\n"));
            }
        }
    }
    out
}

/// The plan as JSON, each step with its state.
pub(crate) fn to_json<K: StepKind>(plan: &Plan<K>, ledger: &Ledger) -> Value {
    let steps: Vec<Value> = plan
        .steps
        .iter()
        .zip(states(plan, ledger))
        .map(|(step, state)| {
            let mut v = serde_json::to_value(step).unwrap_or(Value::Null);
            if let (Value::Object(m), Ok(Value::Object(s))) = (&mut v, serde_json::to_value(&state))
            {
                m.extend(s);
            }
            v
        })
        .collect();
    serde_json::json!({ "tool": plan.tool, "subject": plan.subject, "steps": steps })
}
