//! Executing a plan against the release's ledger: finished steps are skipped (what they left on
//! this machine restored), a step whose inputs changed is refused before anything runs, the
//! rest run in order, each recorded as soon as it finishes.

use serde::Serialize;
use serde_json::Value;

use super::ledger::{Ledger, LedgerStore, Record};
use super::plan::{Plan, Step, StepKind};
use super::status::{states, State};
use crate::error::{Error, Result};

/// What carries out the steps of a plan.
pub trait Act<K: StepKind> {
    /// Does one step (idempotently: an earlier run may have done it without recording it)
    /// and returns its outputs, serialised from the step's typed output. `ledger` holds the
    /// steps finished before it.
    fn run(&mut self, step: &Step<K>, ledger: &Ledger) -> Result<Value>;

    /// Called for a step that is already done, so later steps find what it left on this
    /// machine (e.g. a file the ledger holds). `later_work` says whether any step after it is
    /// still to do (expensive restores can be skipped when not). The default does nothing.
    fn restore(&mut self, _step: &Step<K>, _record: &Record, _later_work: bool) -> Result<()> {
        Ok(())
    }
}

/// The outputs of a step, serialised for its ledger record.
pub fn outputs<T: Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value)
        .map_err(|e| Error::Problem(format!("a step's outputs do not serialise: {e}")))
}

/// What [`execute`] did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    pub done: Vec<String>,
    pub skipped: Vec<String>,
}

/// The error of a plan that would redo a finished step with other inputs.
pub(crate) fn changed_error<K: StepKind>(
    plan: &Plan<K>,
    ledger: &Ledger,
    where_: &str,
) -> Option<Error> {
    let mut lines = Vec::new();
    for (step, state) in plan.steps.iter().zip(states(plan, ledger)) {
        if let State::Changed { differences } = state {
            lines.push(format!(
                "step `{}` was done with other inputs ({}):\n    {}",
                step.id(),
                where_,
                differences.join("\n    ")
            ));
        }
    }
    if lines.is_empty() {
        return None;
    }
    Some(Error::Problem(format!(
        "refusing to redo finished steps with different inputs for {}:\n  {}\n{}",
        plan.subject,
        lines.join("\n  "),
        K::changed_advice()
    )))
}

/// Walks the plan: skips done steps (restoring what they left), refuses changed ones (before
/// doing anything), runs the rest in order and records each in the ledger as it finishes.
pub(crate) fn execute<K: StepKind>(
    plan: &Plan<K>,
    store: &mut dyn LedgerStore,
    act: &mut dyn Act<K>,
) -> Result<(Ledger, Outcome)> {
    let mut ledger = store.load()?;
    if let Some(e) = changed_error(plan, &ledger, &store.describe()) {
        return Err(e);
    }
    let mut outcome = Outcome::default();
    let last_todo = plan.steps.iter().rposition(|s| !ledger.is_done(s.kind));
    for (i, step) in plan.steps.iter().enumerate() {
        if let Some(record) = ledger.record(step.kind).cloned() {
            tracing::info!("step {}: already done, skipping", step.id());
            act.restore(step, &record, last_todo.is_some_and(|l| l > i))?;
            outcome.skipped.push(step.id().to_string());
            continue;
        }
        tracing::info!("step {}: {}", step.id(), step.description);
        let outputs = match act.run(step, &ledger) {
            Ok(outputs) => outputs,
            Err(e) => return Err(store.overtaken().unwrap_or(e)),
        };
        fault::after_step(step.id(), fault::Point::BeforeRecord);
        ledger.put(Record {
            id: step.id().to_string(),
            digest: step.digest.clone(),
            inputs: step.inputs.clone(),
            outputs,
        });
        store.save(&ledger)?;
        fault::after_step(step.id(), fault::Point::AfterRecord);
        outcome.done.push(step.id().to_string());
    }
    Ok((ledger, outcome))
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
    pub(crate) fn after_step(id: &str, point: Point) {
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
    pub(crate) fn after_step(_id: &str, _point: Point) {}

    /// Whether this build can inject faults.
    pub const ENABLED: bool = cfg!(feature = "fault-injection");
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::engine::ledger::FileStore;
    use crate::engine::plan::digest;
    use crate::engine::status::render;
    use crate::error::ExitCode;
    use serde_json::json;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Test {
        A,
        B,
        C,
    }

    impl StepKind for Test {
        fn id(self) -> &'static str {
            match self {
                Test::A => "a",
                Test::B => "b",
                Test::C => "c",
            }
        }

        fn changed_advice() -> &'static str {
            "Start over."
        }
    }

    fn plan(tarball_commit: &str) -> Plan<Test> {
        Plan {
            tool: "test".into(),
            subject: "x 1.0.0-rc1".into(),
            steps: vec![
                Step::new(Test::A, "first", json!({"commit": tarball_commit})),
                Step::new(Test::B, "second", json!({"n": 1})),
                Step::new(Test::C, "third", json!({})),
            ],
        }
    }

    #[derive(Default)]
    struct Recorder {
        ran: Vec<String>,
        restored: Vec<String>,
        fail_on: Option<Test>,
    }

    #[derive(Debug, Serialize, serde::Deserialize, PartialEq)]
    struct Seen {
        seen: usize,
    }

    impl Act<Test> for Recorder {
        fn run(&mut self, step: &Step<Test>, ledger: &Ledger) -> Result<Value> {
            if self.fail_on == Some(step.kind) {
                return Err(Error::Problem(format!("{} failed", step.id())));
            }
            self.ran.push(step.id().to_string());
            outputs(&Seen {
                seen: ledger.steps.len(),
            })
        }
        fn restore(&mut self, step: &Step<Test>, _r: &Record, _later: bool) -> Result<()> {
            self.restored.push(step.id().to_string());
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
            fail_on: Some(Test::B),
            ..Default::default()
        };
        assert!(execute(&plan("abc"), &mut store, &mut act).is_err());
        assert_eq!(act.ran, ["a"]);
        let mut act = Recorder::default();
        let (ledger, outcome) = execute(&plan("abc"), &mut store, &mut act).unwrap();
        assert_eq!(act.ran, ["b", "c"]);
        assert_eq!(act.restored, ["a"]);
        assert_eq!(outcome.skipped, ["a"]);
        let seen: Option<Seen> = ledger.outputs(Test::C).unwrap();
        assert_eq!(seen, Some(Seen { seen: 2 }));
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

    #[test]
    fn typed_outputs_that_do_not_fit_are_an_error_naming_the_step_not_an_empty_value() {
        let mut ledger = Ledger::default();
        ledger.put(Record {
            id: "b".into(),
            digest: String::new(),
            inputs: json!({}),
            outputs: json!({"renamed": 1}),
        });
        let e = ledger.outputs::<_, Seen>(Test::B).unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::Usage);
        assert!(e.to_string().contains("step `b`"), "{e}");
        assert!(e.to_string().contains("seen"), "{e}");
        assert!(ledger.outputs::<_, Seen>(Test::A).unwrap().is_none());
        let e = ledger.require::<_, Seen>(Test::A).unwrap_err();
        assert!(e.to_string().contains("no finished step `a`"), "{e}");
    }

    #[test]
    fn the_json_plan_names_each_step_by_its_id_with_its_state() {
        let v = crate::engine::status::to_json(&plan("abc"), &Ledger::default());
        assert_eq!(v["steps"][0]["id"], "a");
        assert_eq!(v["steps"][0]["state"], "to-do");
        assert_eq!(v["steps"][2]["id"], "c");
    }
}
