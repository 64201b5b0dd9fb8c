//! The release's ledger: the record of every finished step with its inputs and outputs, and
//! where it is kept ([`LedgerStore`]: git notes on the tagged commit, or a file). Outputs are
//! written from typed structs and read back into them: a missing or renamed field is an error
//! naming the step and the ledger, never a silent empty value.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::plan::StepKind;
use crate::error::{Error, Result};

/// A finished step, as the ledger keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    pub digest: String,
    pub inputs: Value,
    /// What the step produced (ids, URLs, checksums, revisions).
    pub outputs: Value,
}

impl Record {
    /// This record's outputs read into the step's typed output; an output of another shape is
    /// an error naming the step.
    pub fn outputs_as<T: DeserializeOwned>(&self) -> Result<T> {
        decode(&self.id, "outputs", &self.outputs)
    }
}

/// The record of one release's finished steps.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    pub steps: Vec<Record>,
}

impl Ledger {
    /// The record of a finished step.
    pub fn record<K: StepKind>(&self, kind: K) -> Option<&Record> {
        self.steps.iter().find(|r| r.id == kind.id())
    }

    pub(crate) fn is_done<K: StepKind>(&self, kind: K) -> bool {
        self.record(kind).is_some()
    }

    /// The typed outputs of a finished step; `None` when the step is not done. Outputs that do
    /// not fit `T` (a field missing or of another type) are an error naming the step.
    pub fn outputs<K: StepKind, T: DeserializeOwned>(&self, kind: K) -> Result<Option<T>> {
        self.record(kind).map(Record::outputs_as).transpose()
    }

    /// The typed inputs of a finished step; `None` when the step is not done.
    pub fn inputs<K: StepKind, T: DeserializeOwned>(&self, kind: K) -> Result<Option<T>> {
        self.record(kind)
            .map(|r| decode(kind.id(), "inputs", &r.inputs))
            .transpose()
    }

    /// The typed outputs of a step that must be done.
    pub(crate) fn require<K: StepKind, T: DeserializeOwned>(&self, kind: K) -> Result<T> {
        self.outputs(kind)?.ok_or_else(|| {
            Error::Problem(format!(
                "the release ledger has no finished step `{}`; run the tool that does it first (or re-run this one to finish it)",
                kind.id()
            ))
        })
    }

    pub(crate) fn put(&mut self, record: Record) {
        self.steps.retain(|r| r.id != record.id);
        self.steps.push(record);
    }
}

fn decode<T: DeserializeOwned>(id: &str, what: &str, value: &Value) -> Result<T> {
    serde_json::from_value(value.clone()).map_err(|e| {
        Error::Usage(format!(
            "the release ledger's record of step `{id}` has {what} this release-kit cannot read ({e}); it was written by another version of release-kit or edited by hand: restore it from the release's record, or run with the version that wrote it"
        ))
    })
}

/// Where a release's ledger lives.
pub trait LedgerStore {
    fn load(&mut self) -> Result<Ledger>;
    fn save(&mut self, ledger: &Ledger) -> Result<()>;
    /// Where the ledger lives, for messages.
    fn describe(&self) -> String;
    /// After a step failed: when another run has recorded steps of this same ledger since
    /// this run read it (the failure being a race with that run), the error that says so.
    fn overtaken(&mut self) -> Option<Error> {
        None
    }
}

/// A ledger in a local file (build-rpms, tests), written atomically.
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
