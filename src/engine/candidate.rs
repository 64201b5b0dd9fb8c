//! stage-rc's ledger as the other tools read it: its step kinds, the typed outputs of the steps
//! that publish-dist and the tally rely on, and [`StagedCandidate`], what a staged candidate
//! is. stage-rc writes these structs and the readers read them back, so a renamed or missing
//! field is an error naming the step, never an empty string.

use serde::{Deserialize, Serialize};

use super::ledger::Ledger;
use super::plan::StepKind;
use crate::error::{Error, Result};

/// The files of a staged candidate, as stage-rc stages them and publish-dist promotes them:
/// the tarball and, when there is one, its SBOM, each with its `.asc` and `.sha512`.
pub fn staged_files(tarball: &str, sbom: Option<&str>) -> Vec<String> {
    std::iter::once(tarball)
        .chain(sbom)
        .flat_map(|f| [f.to_string(), format!("{f}.asc"), format!("{f}.sha512")])
        .collect()
}

/// What to do when a step of a candidate's release would be redone with other inputs.
pub const NEW_CANDIDATE: &str =
    "If the change is intended, stage a new candidate (the next rc number) instead of reusing this one.";

/// The steps of stage-rc, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageStep {
    Preflight,
    SourceTarball,
    SigningKey,
    Sign,
    /// The release manager's signature, made on their machine by `stage-rc sign` (the split).
    ExternalSignature,
    Checksum,
    Sbom,
    Verify,
    DistUpload,
    MavenOpen,
    MavenDeploy,
    MavenClose,
    PushTag,
    VoteEmail,
    VoteSend,
}

impl StepKind for StageStep {
    fn id(self) -> &'static str {
        match self {
            StageStep::Preflight => "preflight",
            StageStep::SourceTarball => "source-tarball",
            StageStep::SigningKey => "signing-key",
            StageStep::Sign => "sign",
            StageStep::ExternalSignature => "external-signature",
            StageStep::Checksum => "checksum",
            StageStep::Sbom => "sbom",
            StageStep::Verify => "verify",
            StageStep::DistUpload => "dist-upload",
            StageStep::MavenOpen => "maven-open",
            StageStep::MavenDeploy => "maven-deploy",
            StageStep::MavenClose => "maven-close",
            StageStep::PushTag => "push-tag",
            StageStep::VoteEmail => "vote-email",
            StageStep::VoteSend => "vote-send",
        }
    }

    fn changed_advice() -> &'static str {
        crate::engine::candidate::NEW_CANDIDATE
    }
}

/// `preflight`: what the read-only checks established.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preflight {
    pub commit: String,
    pub branch: String,
    pub source_date_epoch: u64,
}

/// `source-tarball`: the reproducible tarball.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceTarball {
    pub file: String,
    pub sha512: String,
    pub size: u64,
    pub entries: usize,
}

/// `signing-key`: the key that signs the candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SigningKey {
    pub fingerprint: String,
    pub algorithm: String,
    pub expires: Option<String>,
}

/// `sign`: the detached signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    pub file: String,
    pub asc: String,
}

/// `external-signature`: the release manager's detached signature of the CI-built tarball,
/// recorded by `stage-rc sign` once the tarball matched CI's SHA-512 and the signature verified
/// against KEYS. It also names the signing key, as `signing-key` does when CI signs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalSignature {
    pub file: String,
    pub asc: String,
    /// The SHA-512 of the tarball that was signed (CI's, compared before signing).
    pub sha512: String,
    pub fingerprint: String,
    pub algorithm: String,
    pub expires: Option<String>,
}

/// `checksum`: the `.sha512` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checksum {
    pub file: String,
    pub line: String,
}

/// `verify`: the staged files verified before anything is published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verified {
    pub signed_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subkey: Option<String>,
    pub sha512: String,
}

/// `dist-upload`: where the candidate is staged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DistUpload {
    pub url: String,
    /// The svn revision of the commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
    /// The GitHub release id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_id: Option<u64>,
    /// Whether an earlier run had already put exactly these files there.
    pub already_there: bool,
    pub superseded: Vec<String>,
}

/// `maven-open`, `maven-deploy`, `maven-close`: the Nexus staging repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MavenRepository {
    pub repository: String,
    /// The repository's content URL (`maven-open`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// `vote-email`: the [VOTE] email and its window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoteEmail {
    pub file: String,
    pub subject: String,
    /// RFC 3339.
    pub vote_start: String,
    /// RFC 3339.
    pub deadline: String,
    pub eml: String,
}

/// `sbom`: the CycloneDX SBOM staged beside the tarball, its signature and checksum line (kept
/// whole so a re-run puts the same files back).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sbom {
    pub file: String,
    pub json: String,
    pub asc: String,
    pub checksum: String,
}

/// A staged candidate, as publish-dist reads stage-rc's ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct StagedCandidate {
    pub tarball: SourceTarball,
    pub signing_key: SigningKey,
    pub dist: DistUpload,
    /// The Nexus staging repository, when Maven artifacts were staged.
    pub maven: Option<MavenRepository>,
    pub vote: Option<VoteEmail>,
    /// The SBOM, when stage-rc staged one (`licence.enabled`).
    pub sbom: Option<Sbom>,
}

impl StagedCandidate {
    /// Reads a candidate from stage-rc's ledger. A candidate that was not staged to dist
    /// (stage-rc never finished) or a record of another shape is an error saying what to do.
    pub(crate) fn from_ledger(ledger: &Ledger, tag: &str, where_: &str) -> Result<StagedCandidate> {
        let not_staged = || {
            Error::Problem(format!(
                "{tag} was never staged: {where_} has no finished source-tarball and dist-upload steps; run stage-rc --tag {tag} first (or re-run it to finish)"
            ))
        };
        let tarball = ledger
            .outputs(StageStep::SourceTarball)?
            .ok_or_else(not_staged)?;
        let dist = ledger
            .outputs(StageStep::DistUpload)?
            .ok_or_else(not_staged)?;
        // Signed by the release manager (the split): the key is in `external-signature`.
        let signing_key = match ledger.outputs(StageStep::SigningKey)? {
            Some(k) => Some(k),
            None => ledger.outputs(StageStep::ExternalSignature)?,
        }
        .ok_or_else(not_staged)?;
        Ok(StagedCandidate {
            tarball,
            signing_key,
            dist,
            maven: ledger.outputs(StageStep::MavenOpen)?,
            vote: ledger.outputs(StageStep::VoteEmail)?,
            sbom: ledger.outputs(StageStep::Sbom)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ledger::Record;
    use serde_json::json;

    fn record(id: &str, outputs: serde_json::Value) -> Record {
        Record {
            id: id.into(),
            digest: String::new(),
            inputs: json!({}),
            outputs,
        }
    }

    #[test]
    fn a_staged_candidate_is_read_whole_or_refused_naming_the_step() {
        let mut ledger = Ledger::default();
        let e = StagedCandidate::from_ledger(&ledger, "1.0.0-rc1", "the ledger").unwrap_err();
        assert!(
            e.to_string().contains("run stage-rc --tag 1.0.0-rc1"),
            "{e}"
        );
        ledger.steps.push(record(
            "source-tarball",
            json!({"file": "a.tar.gz", "sha512": "00", "size": 1, "entries": 2}),
        ));
        ledger.steps.push(record(
            "signing-key",
            json!({"fingerprint": "AB", "algorithm": "RSA 4096", "expires": null}),
        ));
        ledger.steps.push(record(
            "dist-upload",
            json!({"url": "file:///d/1.0.0-rc1", "already_there": false, "superseded": []}),
        ));
        let c = StagedCandidate::from_ledger(&ledger, "1.0.0-rc1", "the ledger").unwrap();
        assert_eq!(c.tarball.sha512, "00");
        assert_eq!(c.dist.url, "file:///d/1.0.0-rc1");
        assert!(c.maven.is_none());
        // A renamed key is an error naming the step, not "".
        ledger
            .steps
            .push(record("maven-open", json!({"repo": "orgapache-1"})));
        let e = StagedCandidate::from_ledger(&ledger, "1.0.0-rc1", "the ledger").unwrap_err();
        assert!(e.to_string().contains("step `maven-open`"), "{e}");
    }

    #[test]
    fn a_candidate_signed_by_the_release_manager_names_the_key_from_external_signature() {
        let mut ledger = Ledger::default();
        ledger.steps.push(record(
            "source-tarball",
            json!({"file": "a.tar.gz", "sha512": "00", "size": 1, "entries": 2}),
        ));
        ledger.steps.push(record(
            "external-signature",
            json!({"file": "a.tar.gz.asc", "asc": "-----BEGIN PGP SIGNATURE-----", "sha512": "00", "fingerprint": "CD", "algorithm": "EdDSA", "expires": null}),
        ));
        ledger.steps.push(record(
            "dist-upload",
            json!({"url": "file:///d/1.0.0-rc1", "already_there": false, "superseded": []}),
        ));
        let c = StagedCandidate::from_ledger(&ledger, "1.0.0-rc1", "the ledger").unwrap();
        assert_eq!(c.signing_key.fingerprint, "CD");
        assert_eq!(c.signing_key.algorithm, "EdDSA");
    }
}
