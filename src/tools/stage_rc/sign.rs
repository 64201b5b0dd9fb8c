//! The split between CI and the release manager (docs/signing.md): `stage-rc
//! --external-signature` in CI builds the reproducible tarball, records its SHA-512 and waits;
//! `stage-rc sign` on the release manager's machine rebuilds the tarball from the tag (or takes
//! CI's download), refuses it unless its SHA-512 equals CI's, signs it with the local key,
//! verifies the signature against KEYS and records it in the ledger as the
//! `external-signature` step; the next CI run restores that `.asc`, verifies it again and stages.

use std::path::PathBuf;

use serde_json::json;

use super::{write, Context, Secrets, StageRequest, Stager};
use crate::ci::Ci;
use crate::cli::{self, CommonArgs};
use crate::engine::candidate::{self, StageStep};
use crate::engine::execute::Outcome;
use crate::engine::ledger::{Ledger, LedgerStore, Record};
use crate::engine::plan::{Plan, Step};
use crate::error::{Error, ExitCode, Result};
use crate::outside::gpg::Key;
use crate::verify::checksum::{self, Algorithm};

/// What the release manager asked `stage-rc sign` for.
#[derive(Debug, Clone)]
pub struct SignRequest {
    pub tag: String,
    /// Where the tarball, `.asc` and `.sha512` are written.
    pub out: PathBuf,
    /// CI's tarball, downloaded; without it the tarball is rebuilt from the tag.
    pub tarball: Option<PathBuf>,
    pub dry_run: bool,
}

/// The `external-signature` step: the same inputs on the release manager's machine and in CI,
/// so the record one writes is the step the other finds done.
pub(crate) fn external_step(tarball: &str, commit: &str, keys: &str) -> Step<StageStep> {
    Step::new(
        StageStep::ExternalSignature,
        "take the release manager's signature (made with `stage-rc sign`, recorded in the ledger)",
        json!({"file": tarball, "commit": commit, "keys": keys}),
    )
}

/// The signing key as CI knows it in the split: only the fingerprint the release manager's
/// signature was made with (empty before it exists).
pub(crate) fn recorded_key(recorded: Option<&candidate::ExternalSignature>) -> Key {
    Key {
        fingerprint: recorded.map(|r| r.fingerprint.clone()).unwrap_or_default(),
        algorithm: 0,
        bits: 0,
        curve: None,
        created: 0,
        expires: None,
        capabilities: String::new(),
        validity: String::new(),
        uids: Vec::new(),
        subkeys: Vec::new(),
    }
}

/// What else stage-rc would sign in CI; in the split CI has no key, so these are refused now.
pub(crate) fn refuse_ci_signing_needs(cfg: &crate::config::Config, sbom: bool) -> Result<()> {
    if sbom {
        return Err(Error::Usage(
            "--external-signature cannot stage the SBOM (licence.sbom), which stage-rc signs in CI; set licence.sbom = false or sign in CI (docs/signing.md)".into(),
        ));
    }
    if cfg.maven.enabled() && cfg.maven.deploy_command.is_empty() {
        return Err(Error::Usage(
            "--external-signature cannot deploy Maven artifacts, which stage-rc signs in CI; use maven.deploy_command (the project's own signing deploy) or sign in CI (docs/signing.md)".into(),
        ));
    }
    Ok(())
}

/// The error when CI reaches the signature before the release manager recorded it.
pub(crate) fn waiting(tag: &str) -> Error {
    Error::Problem(format!(
        "{tag} is waiting for a signature: run `stage-rc sign --tag {tag}` on the release manager's machine, then re-run stage-rc"
    ))
}

/// CI's first run in the split stops here: the tarball and checksum are recorded; it says so
/// (exit 0) and names the next command.
pub(crate) fn report_waiting(
    ci: &Ci,
    ctx: &Context,
    plan: &Plan<StageStep>,
    outcome: &Outcome,
    ledger: &Ledger,
    where_: &str,
) -> Result<ExitCode> {
    let tag = &ctx.facts.tag;
    let sha = ledger
        .require::<_, candidate::SourceTarball>(StageStep::SourceTarball)?
        .sha512;
    let outputs = [
        ("state", "waiting for a signature".to_string()),
        ("tarball", ctx.file("").display().to_string()),
        ("sha512", sha.clone()),
        ("ledger", where_.to_string()),
        (
            "next",
            format!("stage-rc sign --tag {tag} (on the release manager's machine), then re-run this job"),
        ),
    ];
    ci.set_output("state", "waiting-for-signature")?;
    ci.set_output("tarball", &outputs[1].1)?;
    ci.set_output("sha512", &sha)?;
    ci.summary(&format!(
        "## stage-rc {tag}: waiting for a signature\n\nThe tarball `{}` is built (SHA-512 `{sha}`) and recorded in {where_}.\nNext: the release manager runs `stage-rc sign --tag {tag}`, then re-run this job.\n",
        ctx.tarball
    ))?;
    cli::print_outcome("built (waiting for a signature)", plan, outcome, &outputs);
    Ok(ExitCode::Ok)
}

/// `stage-rc sign`: on the release manager's machine, sign the tarball CI built.
pub fn run(common: &CommonArgs, request: &SignRequest) -> Result<ExitCode> {
    let ci = Ci::detect();
    let secrets = Secrets::from_env(std::env::vars().collect());
    let project = common.project()?;
    let git = project.git()?;
    let info = git.require_tag(&request.tag, false)?;
    let remote = Some(project.config.tags.remote.clone()).filter(|r| !r.is_empty());
    let mut store =
        crate::engine::git_notes::GitNotesStore::new(git, remote, &request.tag, &info.commit);
    let mut ledger = store.load()?;
    let where_ = store.describe();
    let tag = &request.tag;
    let ci_built: candidate::SourceTarball = ledger
        .outputs(StageStep::SourceTarball)?
        .ok_or_else(|| {
            Error::Usage(format!(
                "{tag} has no CI-built tarball in {where_}: run `stage-rc --tag {tag} --external-signature` in CI first (it builds the tarball and records its SHA-512), then sign"
            ))
        })?;
    // The checks of a normal stage-rc plan: the tag, the local key against KEYS, its strength
    // and expiry until the vote ends.
    let stage = StageRequest {
        tag: tag.clone(),
        out: request.out.clone(),
        dry_run: true,
        vote_start: None,
        send: false,
        external_signature: false,
    };
    let (_, ctx) = super::plan(common, &stage, secrets, &ci, &ledger)?;
    let step = external_step(&ctx.tarball, &ctx.facts.commit, &ctx.keys_source);
    if let Some(done) = ledger.record(StageStep::ExternalSignature) {
        if done.digest == step.digest {
            let by: candidate::ExternalSignature = done.outputs_as()?;
            println!(
                "{tag} is already signed by {} (recorded in {where_}); nothing to do",
                by.fingerprint
            );
            return Ok(ExitCode::Ok);
        }
        return Err(Error::Problem(format!(
            "{tag} was signed with other inputs ({where_} has {}, now {}); {}",
            done.inputs,
            step.inputs,
            candidate::NEW_CANDIDATE
        )));
    }
    let source = match &request.tarball {
        Some(p) => format!("CI's tarball {}", p.display()),
        None => format!("the tarball rebuilt from {tag}"),
    };
    println!(
        "plan for signing {tag}:\n  1. take {source}\n  2. compare its SHA-512 with CI's ({})\n  3. sign it with {} (detached, ASCII-armoured)\n  4. verify the signature against KEYS ({})\n  5. record the .asc in {where_}",
        ci_built.sha512, ctx.key.fingerprint, ctx.keys_source
    );
    if request.dry_run {
        tracing::info!("dry run: nothing was changed");
        return Ok(ExitCode::Ok);
    }
    std::fs::create_dir_all(&request.out).map_err(|e| {
        Error::Usage(format!(
            "--out {} is not writable ({e}); pass a directory you can write to",
            request.out.display()
        ))
    })?;
    let stager = Stager {
        ctx: &ctx,
        work: tempfile::Builder::new()
            .prefix("stage-rc-sign.")
            .tempdir()
            .map_err(|e| Error::io("create a work directory in", std::env::temp_dir(), e))?,
    };
    let file = ctx.file("");
    let sha = match &request.tarball {
        Some(p) => {
            let sha = checksum::hash_file(Algorithm::Sha512, p).map_err(|e| {
                Error::Usage(format!(
                    "cannot read {} ({e}); pass CI's tarball",
                    p.display()
                ))
            })?;
            if sha == ci_built.sha512 && p != &file {
                std::fs::copy(p, &file).map_err(|e| Error::io("copy the tarball to", &file, e))?;
            }
            sha
        }
        None => stager.make_tarball()?.sha512,
    };
    if sha != ci_built.sha512 {
        return Err(Error::Problem(format!(
            "{source} ({}) has SHA-512\n  {sha}\nbut CI built and recorded\n  {}\nin {where_}: it is not the tarball CI built, so it is not signed. Find out why (another commit, other tools, a tampered download) before signing",
            ctx.tarball, ci_built.sha512
        )));
    }
    let asc = ctx
        .signer
        .sign(&file, &ctx.key.fingerprint, ctx.passphrase.as_ref())?;
    let asc = std::fs::read_to_string(&asc).map_err(|e| Error::io("read", &asc, e))?;
    write(&ctx.file(".asc"), &asc)?;
    write(
        &ctx.file(".sha512"),
        &checksum::coreutils_line(&sha, &ctx.tarball),
    )?;
    let files = crate::verify::pipeline::Files {
        artifact: &file,
        signature: &ctx.file(".asc"),
        checksum: &ctx.file(".sha512"),
    };
    let ev = crate::verify::pipeline::require_trusted(
        files,
        &ctx.keys,
        &ctx.keys_source,
        crate::verify::pipeline::now(),
        None,
        "refusing to record it",
    )?;
    let outputs = candidate::ExternalSignature {
        file: format!("{}.asc", ctx.tarball),
        asc,
        sha512: sha,
        fingerprint: ev.signer_fingerprint,
        algorithm: ctx.key.algorithm_name().to_string(),
        expires: ctx
            .key
            .expires
            .and_then(|e| jiff::Timestamp::from_second(e).ok())
            .map(super::rfc3339),
    };
    ledger.put(Record {
        id: step.id().to_string(),
        digest: step.digest.clone(),
        inputs: step.inputs.clone(),
        outputs: crate::engine::execute::outputs(&outputs)?,
    });
    store.save(&ledger)?;
    println!(
        "\nsigned {tag}: {} by {}, verified against KEYS and recorded in {where_}\n  next: re-run `stage-rc --tag {tag} --external-signature` in CI to verify and stage",
        outputs.file, outputs.fingerprint
    );
    Ok(ExitCode::Ok)
}
