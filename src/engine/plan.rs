//! Plan, then act: a tool that changes the world first computes a [`Plan`] (ordered steps with
//! their inputs, serialisable as JSON), then [`execute`]s it against a [`Ledger`] that records
//! every finished step. A re-run skips what is done, redoes what was interrupted, and refuses
//! to redo a step whose inputs changed. `--dry-run` prints the plan with each step's state and
//! stops: nothing in this module writes unless [`execute`] is called.
//!
//! Used by stage-rc (and later publish-dist and build-rpms).

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Stable identifier, e.g. `source-tarball`.
    pub id: String,
    /// What the step does, for people.
    pub description: String,
    /// Everything that determines what the step produces.
    pub inputs: Value,
    /// SHA-256 of the canonical JSON of `inputs`.
    pub digest: String,
}

impl Step {
    pub fn new(id: impl Into<String>, description: impl Into<String>, inputs: Value) -> Step {
        let digest = digest(&inputs);
        Step {
            id: id.into(),
            description: description.into(),
            inputs,
            digest,
        }
    }
}

/// The SHA-256 (hex) of a JSON value's canonical form (object keys sorted, no whitespace).
pub fn digest(value: &Value) -> String {
    // serde_json's Map is ordered by key (no `preserve_order`), so to_string is canonical.
    hex(&Sha256::digest(value.to_string().as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// An ordered list of steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub tool: String,
    /// What the plan releases, e.g. `hello 1.1.0-rc1`.
    pub subject: String,
    pub steps: Vec<Step>,
}

/// A finished step, as the ledger keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    pub digest: String,
    pub inputs: Value,
    /// What the step produced (ids, URLs, checksums, revisions).
    pub outputs: Value,
}

/// The record of one release's finished steps.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    pub steps: Vec<Record>,
}

impl Ledger {
    pub fn get(&self, id: &str) -> Option<&Record> {
        self.steps.iter().find(|r| r.id == id)
    }

    /// An output of a finished step, e.g. `ledger.output("dist-upload", "url")`.
    pub fn output(&self, id: &str, key: &str) -> Option<&Value> {
        self.get(id).and_then(|r| r.outputs.get(key))
    }

    pub fn output_str(&self, id: &str, key: &str) -> Option<&str> {
        self.output(id, key).and_then(Value::as_str)
    }

    fn record(&mut self, record: Record) {
        self.steps.retain(|r| r.id != record.id);
        self.steps.push(record);
    }
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
pub fn states(plan: &Plan, ledger: &Ledger) -> Vec<State> {
    plan.steps
        .iter()
        .map(|step| match ledger.get(&step.id) {
            None => State::ToDo,
            Some(r) if r.digest == step.digest => State::Done,
            Some(r) => State::Changed {
                differences: differences(&r.inputs, &step.inputs),
            },
        })
        .collect()
}

/// The plan as text: one line per step with its state, then its inputs.
pub fn render(plan: &Plan, ledger: &Ledger) -> String {
    let mut out = format!("plan: {} {}\n", plan.tool, plan.subject);
    for (i, (step, state)) in plan.steps.iter().zip(states(plan, ledger)).enumerate() {
        out.push_str(&format!(
            "{:>2}. [{state}] {}: {}\n",
            i + 1,
            step.id,
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
pub fn to_json(plan: &Plan, ledger: &Ledger) -> Value {
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

/// Where a release's ledger lives.
pub trait LedgerStore {
    fn load(&mut self) -> Result<Ledger>;
    fn save(&mut self, ledger: &Ledger) -> Result<()>;
    /// Where the ledger lives, for messages.
    fn describe(&self) -> String;
}

/// What carries out the steps of a plan.
pub trait Act {
    /// Does one step (idempotently: an earlier run may have done it without recording it)
    /// and returns its outputs. `ledger` holds the steps finished before it.
    fn run(&mut self, step: &Step, ledger: &Ledger) -> Result<Value>;

    /// Called for a step that is already done, so later steps find what it left on this
    /// machine (e.g. a file the ledger holds). `later_work` says whether any step after it is
    /// still to do (expensive restores can be skipped when not). The default does nothing.
    fn restore(&mut self, _step: &Step, _record: &Record, _later_work: bool) -> Result<()> {
        Ok(())
    }
}

/// What [`execute`] did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    pub done: Vec<String>,
    pub skipped: Vec<String>,
}

/// The error of a plan that would redo a finished step with other inputs.
pub fn changed_error(plan: &Plan, ledger: &Ledger, where_: &str) -> Option<Error> {
    let mut lines = Vec::new();
    for (step, state) in plan.steps.iter().zip(states(plan, ledger)) {
        if let State::Changed { differences } = state {
            lines.push(format!(
                "step `{}` was done with other inputs ({}):\n    {}",
                step.id,
                where_,
                differences.join("\n    ")
            ));
        }
    }
    if lines.is_empty() {
        return None;
    }
    Some(Error::Problem(format!(
        "refusing to redo finished steps with different inputs for {}:\n  {}\nIf the change is intended, stage a new candidate (the next rc number) instead of reusing this one.",
        plan.subject,
        lines.join("\n  ")
    )))
}

/// Walks the plan: skips done steps (restoring what they left), refuses changed ones (before
/// doing anything), runs the rest in order and records each in the ledger as it finishes.
pub fn execute(
    plan: &Plan,
    store: &mut dyn LedgerStore,
    act: &mut dyn Act,
) -> Result<(Ledger, Outcome)> {
    let mut ledger = store.load()?;
    if let Some(e) = changed_error(plan, &ledger, &store.describe()) {
        return Err(e);
    }
    let mut outcome = Outcome::default();
    let last_todo = plan.steps.iter().rposition(|s| ledger.get(&s.id).is_none());
    for (i, step) in plan.steps.iter().enumerate() {
        if let Some(record) = ledger.get(&step.id).cloned() {
            tracing::info!("step {}: already done, skipping", step.id);
            act.restore(step, &record, last_todo.is_some_and(|l| l > i))?;
            outcome.skipped.push(step.id.clone());
            continue;
        }
        tracing::info!("step {}: {}", step.id, step.description);
        let outputs = act.run(step, &ledger)?;
        fault::after_step(&step.id, fault::Point::BeforeRecord);
        ledger.record(Record {
            id: step.id.clone(),
            digest: step.digest.clone(),
            inputs: step.inputs.clone(),
            outputs,
        });
        store.save(&ledger)?;
        fault::after_step(&step.id, fault::Point::AfterRecord);
        outcome.done.push(step.id.clone());
    }
    Ok((ledger, outcome))
}

/// An in-memory or file ledger (tests, and tools whose ledger is a local file).
#[derive(Debug)]
pub struct FileStore {
    pub path: std::path::PathBuf,
}

impl LedgerStore for FileStore {
    fn load(&mut self) -> Result<Ledger> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::Usage(format!(
                    "ledger {} is not valid JSON ({e}); restore it from the release's record or remove it to start over",
                    self.path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Ledger::default()),
            Err(e) => Err(Error::io("read the ledger", &self.path, e)),
        }
    }

    fn save(&mut self, ledger: &Ledger) -> Result<()> {
        let text = serde_json::to_string_pretty(ledger).expect("a ledger serialises");
        crate::outside::fs::write_atomic(&self.path, format!("{text}\n").as_bytes())
            .map_err(|e| Error::io("write the ledger", &self.path, e))
    }

    fn describe(&self) -> String {
        format!("ledger {}", self.path.display())
    }
}

/// Fault injection for the crash-resume tests: with the `fault-injection` feature (never in
/// release builds) and `RELEASE_KIT_FAULT_AFTER_STEP=<step id>[:recorded]`, the process exits
/// hard (status 86) right after that step, before (default) or after the ledger records it.
pub mod fault {
    /// When the fault fires.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Point {
        BeforeRecord,
        AfterRecord,
    }

    /// The exit status of an injected crash.
    pub const EXIT: i32 = 86;

    #[cfg(feature = "fault-injection")]
    pub fn after_step(id: &str, point: Point) {
        let Ok(spec) = std::env::var("RELEASE_KIT_FAULT_AFTER_STEP") else {
            return;
        };
        let (target, when) = match spec.split_once(':') {
            Some((t, "recorded")) => (t, Point::AfterRecord),
            _ => (spec.as_str(), Point::BeforeRecord),
        };
        if target == id && when == point {
            eprintln!("fault injection: crashing after step {id} ({point:?})");
            std::process::exit(EXIT);
        }
    }

    #[cfg(not(feature = "fault-injection"))]
    #[inline]
    pub fn after_step(_id: &str, _point: Point) {}

    /// Whether this build can inject faults.
    pub const ENABLED: bool = cfg!(feature = "fault-injection");
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::error::ExitCode;
    use serde_json::json;

    fn plan(tarball_commit: &str) -> Plan {
        Plan {
            tool: "test".into(),
            subject: "x 1.0.0-rc1".into(),
            steps: vec![
                Step::new("a", "first", json!({"commit": tarball_commit})),
                Step::new("b", "second", json!({"n": 1})),
                Step::new("c", "third", json!({})),
            ],
        }
    }

    #[derive(Default)]
    struct Recorder {
        ran: Vec<String>,
        restored: Vec<String>,
        fail_on: Option<String>,
    }

    impl Act for Recorder {
        fn run(&mut self, step: &Step, ledger: &Ledger) -> Result<Value> {
            if self.fail_on.as_deref() == Some(&step.id) {
                return Err(Error::Problem(format!("{} failed", step.id)));
            }
            self.ran.push(step.id.clone());
            Ok(json!({"seen": ledger.steps.len()}))
        }
        fn restore(&mut self, step: &Step, _r: &Record, _later: bool) -> Result<()> {
            self.restored.push(step.id.clone());
            Ok(())
        }
    }

    #[test]
    fn digest_is_independent_of_key_order() {
        let a: Value = serde_json::from_str(r#"{"x":1,"y":[1,2]}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"y":[1,2],"x":1}"#).unwrap();
        assert_eq!(digest(&a), digest(&b));
        assert_ne!(digest(&a), digest(&json!({"x":2,"y":[1,2]})));
    }

    #[test]
    fn rerun_skips_done_steps_and_resumes_after_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = FileStore {
            path: dir.path().join("ledger.json"),
        };
        let mut act = Recorder {
            fail_on: Some("b".into()),
            ..Default::default()
        };
        assert!(execute(&plan("abc"), &mut store, &mut act).is_err());
        assert_eq!(act.ran, ["a"]);
        let mut act = Recorder::default();
        let (ledger, outcome) = execute(&plan("abc"), &mut store, &mut act).unwrap();
        assert_eq!(act.ran, ["b", "c"]);
        assert_eq!(act.restored, ["a"]);
        assert_eq!(outcome.skipped, ["a"]);
        assert_eq!(ledger.output("c", "seen"), Some(&json!(2)));
        let mut act = Recorder::default();
        execute(&plan("abc"), &mut store, &mut act).unwrap();
        assert!(act.ran.is_empty(), "nothing is redone");
    }

    #[test]
    fn changed_inputs_are_refused_before_anything_runs_naming_the_difference() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = FileStore {
            path: dir.path().join("ledger.json"),
        };
        let mut p = plan("abc");
        p.steps.truncate(1);
        execute(&p, &mut store, &mut Recorder::default()).unwrap();
        let mut act = Recorder::default();
        let e = execute(&plan("def"), &mut store, &mut act).unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::Problems);
        let m = e.to_string();
        assert!(
            m.contains("step `a`") && m.contains("commit: was \"abc\", now \"def\""),
            "{m}"
        );
        assert!(act.ran.is_empty());
        let ledger = store.load().unwrap();
        let s = states(&plan("def"), &ledger);
        assert!(matches!(s[0], State::Changed { .. }));
        assert_eq!(s[1], State::ToDo);
        assert!(render(&plan("def"), &ledger).contains("[CHANGED] a"));
    }
}
