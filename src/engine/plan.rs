//! The plan of a tool that changes the world: an ordered list of typed steps, each with the
//! inputs that determine what it produces (digested, so a re-run can tell a finished step from
//! one whose inputs changed), printable as text and as JSON. Pure: nothing here writes.

use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A tool's closed set of steps. Each kind has a stable id, the key of its record in the
/// release's ledger; a tool matches on kinds, never on strings.
pub trait StepKind: Copy + Eq + fmt::Debug + 'static {
    /// The stable id, e.g. `source-tarball`.
    fn id(self) -> &'static str;

    /// What to do when a finished step's inputs changed (the engine refuses to redo it): the
    /// last line of that refusal, in the tool's own terms.
    fn changed_advice() -> &'static str;
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
