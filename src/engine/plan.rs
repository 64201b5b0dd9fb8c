//! The plan of a tool that changes the world: an ordered list of typed steps, each with the
//! inputs that determine what it produces (digested, so a re-run can tell a finished step from
//! one whose inputs changed), printable as text and as JSON. Pure: nothing here writes.

use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::ledger::Ledger;

/// A tool's closed set of steps. Each kind has a stable id, the key of its record in the
/// release's ledger; a tool matches on kinds, never on strings.
pub trait StepKind: Copy + Eq + fmt::Debug + 'static {
    /// The stable id, e.g. `source-tarball`.
    fn id(self) -> &'static str;

    /// What to do when a finished step's inputs changed (the engine refuses to redo it): the
    /// last line of that refusal.
    fn changed_advice() -> &'static str {
        "If the change is intended, stage a new candidate (the next rc number) instead of reusing this one."
    }
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Step<K> {
    pub kind: K,
    /// What the step does, for people.
    pub description: String,
    /// Everything that determines what the step produces.
    pub inputs: Value,
    /// SHA-256 of the canonical JSON of `inputs`.
    pub digest: String,
}

impl<K: StepKind> Step<K> {
    pub fn new(kind: K, description: impl Into<String>, inputs: Value) -> Step<K> {
        let digest = digest(&inputs);
        Step {
            kind,
            description: description.into(),
            inputs,
            digest,
        }
    }

    pub fn id(&self) -> &'static str {
        self.kind.id()
    }
}

impl<K: StepKind> Serialize for Step<K> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            id: &'static str,
            description: &'a str,
            inputs: &'a Value,
            digest: &'a str,
        }
        Shown {
            id: self.kind.id(),
            description: &self.description,
            inputs: &self.inputs,
            digest: &self.digest,
        }
        .serialize(s)
    }
}

/// The SHA-256 (hex) of a JSON value's canonical form (object keys sorted, no whitespace).
pub fn digest(value: &Value) -> String {
    // serde_json's Map is ordered by key (no `preserve_order`), so to_string is canonical.
    hex::encode(Sha256::digest(value.to_string().as_bytes()))
}

/// An ordered list of steps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan<K: StepKind> {
    pub tool: String,
    /// What the plan releases, e.g. `hello 1.1.0-rc1`.
    pub subject: String,
    pub steps: Vec<Step<K>>,
}

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
pub fn differences(old: &Value, new: &Value) -> Vec<String> {
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
pub fn render<K: StepKind>(plan: &Plan<K>, ledger: &Ledger) -> String {
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
pub fn to_json<K: StepKind>(plan: &Plan<K>, ledger: &Ledger) -> Value {
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
