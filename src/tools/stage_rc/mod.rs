//! stage-rc: a release candidate staged from its tag — the steps of Mesos's `support/vote.sh`
//! as a plan: preflight, a reproducible source tarball, the signing-key check, signature and
//! checksum (verified before anything is published), the dist dev upload, optional Maven
//! staging, the tag push and the [VOTE] email with a computed deadline. Every finished step is
//! recorded in the release ledger (a git note on the tag, see [`crate::engine::git_notes`]), so a re-run
//! resumes where a crash stopped and refuses to redo a step with other inputs.

pub mod checklist;
pub mod keys;
pub mod preflight;
pub mod sign;
pub mod verify;

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use secrecy::SecretString;
use serde_json::{json, Value};

use crate::ci::Ci;
use crate::cli::{self, CommonArgs};
use crate::engine::candidate::{self, StageStep, StagedCandidate};
use crate::engine::execute::{self, outputs, Act};
use crate::engine::ledger::{Ledger, LedgerStore, Record};
use crate::engine::plan::{Plan, Step};
use crate::error::{Error, ExitCode, Result};
use crate::model::vote;
use crate::outside::dist_area::{self, Target, Upload};
use crate::outside::git::Git;
use crate::outside::gpg::{self, Gpg, Key};
use crate::outside::process::Cmd;
use crate::outside::source_tarball;
use crate::project::Project;

use preflight::Facts;

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct StageRequest {
    pub tag: String,
    /// Where the tarball, signature, checksum, email and ledger copy are written.
    pub out: PathBuf,
    pub dry_run: bool,
    /// RFC 3339; default: the recorded start, else now.
    pub vote_start: Option<String>,
    /// Send the vote email through SMTP.
    pub send: bool,
    /// The split (docs/signing.md): CI holds no signing key; it builds the tarball and waits
    /// for the release manager's `stage-rc sign`, then verifies that signature and stages.
    pub external_signature: bool,
}

/// The environment variables stage-rc reads besides configuration twins.
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    pub signing_key: Option<SecretString>,
    pub passphrase: Option<SecretString>,
    pub env: Vec<(String, String)>,
}

impl Secrets {
    pub(crate) fn from_env(env: Vec<(String, String)>) -> Self {
        let get = |k: &str| crate::config::env_value(&env, k).map(SecretString::from);
        Secrets {
            signing_key: get("RELEASE_KIT_SIGNING_SECRET_KEY"),
            passphrase: get("RELEASE_KIT_SIGNING_PASSPHRASE"),
            env,
        }
    }
}

/// Everything the steps need, computed while planning.
#[derive(Debug)]
pub struct Context {
    pub project: Project,
    pub git: Git,
    pub facts: Facts,
    pub out: PathBuf,
    pub target: Target,
    pub tarball: String,
    pub signer: Gpg,
    pub key: Key,
    pub keys: crate::verify::openpgp::Keyring,
    pub keys_source: String,
    pub keys_url: String,
    pub passphrase: Option<SecretString>,
    pub vote_start: Timestamp,
    pub deadline: Timestamp,
    pub template: (String, String),
    pub send: bool,
    pub env: Vec<(String, String)>,
}

impl Context {
    fn file(&self, suffix: &str) -> PathBuf {
        self.out.join(format!("{}{suffix}", self.tarball))
    }
}

fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `--external-signature` before the release manager's signature is recorded: stage-rc builds
/// and records up to the signature, then waits.
fn waiting_for_signature(request: &StageRequest, ledger: &Ledger) -> bool {
    request.external_signature && !ledger.is_done(StageStep::ExternalSignature)
}

/// Plans the candidate: runs the read-only checks and lists the steps with their inputs.
pub fn plan(
    common: &CommonArgs,
    request: &StageRequest,
    secrets: Secrets,
    ci: &Ci,
    ledger: &Ledger,
) -> Result<(Plan<StageStep>, Context)> {
    let project = common.project()?;
    let git = project.git()?;
    let cfg = project.config.clone();
    if let Some(m) = cfg.asf_defaults_in_neutral() {
        return Err(Error::Usage(m));
    }
    let facts = preflight::run(&project, &git, &request.tag)?;
    // `--send` is checked now, before anything is uploaded or pushed (and so in --dry-run).
    if request.send {
        crate::outside::smtp::check(
            &crate::outside::smtp::Server::from_config(&cfg.mail, &secrets.env),
            &cfg.mail.sender(&facts.tagger),
            &[cfg.expand(&cfg.mail.dev)],
        )?;
    }
    // An rc number reused with different content: the remote already has another tag object.
    if !cfg.tags.remote.is_empty() {
        if let Ok(Some(theirs)) = git.remote_tag(&cfg.tags.remote, &facts.tag) {
            if theirs != facts.tag_object {
                return Err(Error::Problem(format!(
                    "tag {} on remote `{}` is {theirs}, but here it is {}: the candidate number was reused with different content; candidates are immutable once pushed, so tag the change as the next candidate ({}) instead",
                    facts.tag,
                    cfg.tags.remote,
                    facts.tag_object,
                    project.scheme.candidate_tag(facts.version, facts.rc + 1)
                )));
            }
        }
    }
    let target = Target::parse(&cfg.expand(&cfg.dist.dev))?;
    let tarball = cfg.tarball_name(facts.version);
    if crate::outside::source_tarball::Compression::of(Path::new(&tarball)).is_none() {
        return Err(Error::Usage(format!(
            "project.tarball makes `{tarball}`, and stage-rc writes only .tar.gz, .tar.xz, .tar.bz2 or .tar tarballs; change project.tarball"
        )));
    }

    // The vote window: an explicit start, else the one recorded, else now.
    let recorded_start = ledger
        .inputs::<_, VoteWindow>(StageStep::VoteEmail)?
        .map(|w| w.vote_start);
    let vote_start = match (&request.vote_start, &recorded_start) {
        (Some(s), _) => vote::parse_start(s)?,
        (None, Some(s)) => vote::parse_start(s)?,
        (None, None) => crate::outside::clock::now_from(&secrets.env)?,
    };
    // A vote starts around when its candidate is made: a start years before the tagged commit
    // (1970 is a typo or an attack on the deadline) is refused. A year of slack keeps
    // rehearsals that replay an old vote's threads on a fresh commit working.
    const SLACK_SECS: i64 = 366 * 24 * 3600;
    let committed = i64::try_from(facts.source_date_epoch).unwrap_or(i64::MAX);
    if request.vote_start.is_some() && vote_start.as_second() < committed.saturating_sub(SLACK_SECS)
    {
        return Err(Error::Usage(format!(
            "--vote-start {vote_start} is more than a year before {} was committed ({}); a vote starts when the candidate is staged: pass a later time, or leave --vote-start out to start now",
            facts.tag,
            Timestamp::from_second(committed)
                .map(|t| t.to_string())
                .unwrap_or_default()
        )));
    }
    let calendar = vote::Calendar::new(
        &cfg.vote.time_zone,
        &cfg.vote.holidays,
        cfg.vote.min_hours,
        cfg.vote.business_days,
    )?;
    let deadline = vote::deadline(vote_start, &calendar)?;
    let zones = vote::in_zones(deadline, &cfg.vote.time_zones)?;

    // The signing key: imported from a CI secret into a temporary keyring, or the release
    // manager's own keyring.
    let external = request
        .external_signature
        .then(|| ledger.outputs::<_, candidate::ExternalSignature>(StageStep::ExternalSignature))
        .transpose()?;
    let signer = match &secrets.signing_key {
        _ if external.is_some() => Gpg::ambient(),
        Some(secret) => {
            use secrecy::ExposeSecret;
            ci.mask(secret.expose_secret());
            if let Some(p) = &secrets.passphrase {
                ci.mask(p.expose_secret());
            }
            let g = Gpg::temporary()?;
            g.import(
                secret.expose_secret().as_bytes(),
                "the signing key from RELEASE_KIT_SIGNING_SECRET_KEY",
            )?;
            g
        }
        None => Gpg::ambient(),
    };
    let wanted = Some(cfg.signing.key.as_str()).filter(|k| !k.is_empty());
    let key = match &external {
        // No key in CI: the signer is whoever `stage-rc sign` recorded (checked by `verify`).
        Some(recorded) => sign::recorded_key(recorded.as_ref()),
        None => signer.signing_key(wanted)?,
    };
    let keys_source = cfg.expand(&cfg.signing.keys);
    let loaded = crate::verify::keys::load(&project.root, &keys_source)?;
    let (keys_bytes, keys) = (loaded.bytes, loaded.keyring);
    let fprs: Vec<String> = keys.keys.iter().map(|k| k.fingerprint.clone()).collect();
    let margin = cfg.signing.margin_days;
    let needed_until = deadline.as_second() + margin * 86_400;
    if external.is_none() {
        gpg::check_signing_key(
            &key,
            &fprs,
            &keys_source,
            crate::outside::clock::now_from(&secrets.env)?.as_second(),
            needed_until,
            margin,
        )?;
    }
    if cfg.signing.require_signed_tag {
        // git verify-tag needs a gpg keyring: a temporary one holding KEYS.
        let keyring = Gpg::temporary()?;
        keyring.import(&keys_bytes, "the KEYS file")?;
        verify::signed_tag(&git, &keyring, &request.tag)?;
    }
    let keys_url = loaded.url;

    let template = if cfg.vote.template.is_empty() {
        (
            "the built-in template".to_string(),
            crate::emails::vote::DEFAULT_TEMPLATE.to_string(),
        )
    } else {
        let p = project.root.join(&cfg.vote.template);
        let text = std::fs::read_to_string(&p).map_err(|e| {
            Error::Usage(format!(
                "cannot read the vote template {} ({e}); fix vote.template",
                p.display()
            ))
        })?;
        (p.display().to_string(), text)
    };

    let candidate_url = target.candidate_url(&facts.tag);
    let subject = format!("{} {}", cfg.project.name, facts.tag);
    let with_sbom = cfg.licence.enabled && cfg.licence.sbom;
    if external.is_some() {
        sign::refuse_ci_signing_needs(&cfg, with_sbom)?;
    }
    let mut steps = vec![
        Step::new(
            StageStep::Preflight,
            "check the tag, release branch, version sites, CHANGELOG and candidate number",
            json!({"tag": facts.tag, "commit": facts.commit, "tag_object": facts.tag_object, "version": facts.version.to_string(), "rc": facts.rc, "branch": facts.branch}),
        ),
        Step::new(
            StageStep::SourceTarball,
            "make the reproducible source tarball",
            json!({"commit": facts.commit, "method": cfg.dist.source, "command": if cfg.dist.source == "make-dist" { Value::from(cfg.dist.make_dist.clone()) } else { Value::Null }, "source_date_epoch": facts.source_date_epoch, "file": tarball}),
        ),
        Step::new(
            StageStep::SigningKey,
            "check the signing key against KEYS, its strength and its expiry",
            json!({"fingerprint": key.fingerprint, "keys": keys_source, "valid_until_at_least": rfc3339(Timestamp::from_second(needed_until).unwrap_or(deadline))}),
        ),
        Step::new(
            StageStep::Sign,
            "sign the tarball (detached, ASCII-armoured)",
            json!({"file": tarball, "fingerprint": key.fingerprint}),
        ),
        Step::new(
            StageStep::Checksum,
            "write the SHA-512 checksum (sha512sum format)",
            json!({"file": format!("{tarball}.sha512")}),
        ),
    ];
    if external.is_some() {
        // The split: no signing-key or sign step here; the release manager's signature is
        // recorded by `stage-rc sign` and checked against KEYS by `verify`.
        steps.retain(|s| !matches!(s.kind, StageStep::SigningKey | StageStep::Sign));
        steps.push(sign::external_step(&tarball, &facts.commit, &keys_source));
    }
    if with_sbom {
        let sbom = crate::verify::licence::sbom::file_name(&tarball);
        steps.push(Step::new(
            StageStep::Sbom,
            "write the CycloneDX SBOM (bundled components, hashes), signed and checksummed",
            json!({"file": sbom, "fingerprint": key.fingerprint}),
        ));
    }
    steps.extend([
        Step::new(
            StageStep::Verify,
            "verify the signature and checksum before publishing",
            json!({"files": [tarball, format!("{tarball}.asc"), format!("{tarball}.sha512")], "keys": keys_source}),
        ),
        Step::new(
            StageStep::DistUpload,
            format!("stage the candidate in dist dev ({})", target.kind()),
            json!({"target": cfg.expand(&cfg.dist.dev), "url": candidate_url, "files": staged_files(&tarball, with_sbom), "message": format!("Adding {}-{}.", cfg.project.name, facts.tag), "superseded": facts.older, "remove_superseded": cfg.dist.remove_superseded}),
        ),
    ]);
    if cfg.maven.enabled() {
        let m = &cfg.maven;
        let artifacts: Vec<String> = m
            .artifacts
            .iter()
            .map(|a| {
                cfg.expand(a)
                    .replace("{version}", &facts.version.to_string())
            })
            .collect();
        let base = json!({"url": m.url, "group_id": cfg.expand(&m.group_id), "artifact_id": cfg.expand(&m.artifact_id), "version": facts.version.to_string()});
        steps.push(Step::new(
            StageStep::MavenOpen,
            "start a Nexus staging repository",
            base.clone(),
        ));
        let mut deploy = base.clone();
        let description = if m.deploy_command.is_empty() {
            deploy["artifacts"] = json!(artifacts);
            "deploy the Maven artifacts with .asc, .md5 and .sha1".to_string()
        } else {
            deploy["command"] = json!(m.deploy_command);
            format!(
                "run the project's deploy command into the staging repository: {}",
                m.deploy_command.join(" ")
            )
        };
        steps.push(Step::new(StageStep::MavenDeploy, description, deploy));
        steps.push(Step::new(
            StageStep::MavenClose,
            "close the staging repository",
            base,
        ));
    }
    steps.push(Step::new(
        StageStep::PushTag,
        "push the rc tag",
        json!({"remote": cfg.tags.remote, "tag": facts.tag, "object": facts.tag_object}),
    ));
    let email_inputs = json!({
        "vote_start": rfc3339(vote_start),
        "deadline": rfc3339(deadline),
        "deadline_zones": zones.iter().map(|z| z.text.clone()).collect::<Vec<_>>(),
        "template": crate::engine::plan::digest(&Value::from(template.1.clone())),
        "to": cfg.expand(&cfg.mail.dev),
        "candidate_url": candidate_url,
    });
    steps.push(Step::new(
        StageStep::VoteEmail,
        "write the [VOTE] email",
        email_inputs,
    ));
    if request.send {
        steps.push(Step::new(
            StageStep::VoteSend,
            "send the [VOTE] email through SMTP",
            json!({"server": format!("{}:{}", cfg.mail.smtp_host, cfg.mail.smtp_port), "to": cfg.expand(&cfg.mail.dev)}),
        ));
    }
    // The split, before the release manager signed: the plan goes up to the signature, so
    // what is shown (and --dry-run) is what runs.
    if waiting_for_signature(request, ledger) {
        steps.retain(|s| {
            matches!(
                s.kind,
                StageStep::Preflight | StageStep::SourceTarball | StageStep::Checksum
            )
        });
    }
    let plan = Plan {
        tool: "stage-rc".into(),
        subject,
        steps,
    };
    let ctx = Context {
        out: request.out.clone(),
        target,
        tarball,
        signer,
        key,
        keys,
        keys_source,
        keys_url,
        passphrase: secrets.passphrase,
        vote_start,
        deadline,
        template,
        send: request.send,
        env: secrets.env,
        project,
        git,
        facts,
    };
    // Catch an unfillable template now, before anything is published.
    render_email(&ctx, &Ledger::default(), true)?;
    Ok((plan, ctx))
}

/// Renders the vote email; `probe` fills values only known after staging with stand-ins.
fn render_email(ctx: &Context, ledger: &Ledger, probe: bool) -> Result<crate::emails::Email> {
    let cfg = &ctx.project.config;
    let f = &ctx.facts;
    let name = &cfg.project.name;
    let fill = |t: &str| cfg.expand(t).replace("{tag}", &f.tag);
    let url = ledger
        .outputs::<_, candidate::DistUpload>(StageStep::DistUpload)?
        .map(|d| d.url)
        .unwrap_or_else(|| ctx.target.candidate_url(&f.tag));
    let sha512 = ledger
        .outputs::<_, candidate::SourceTarball>(StageStep::SourceTarball)?
        .map(|s| s.sha512)
        .unwrap_or_else(|| "0".repeat(128));
    let staging = if !cfg.maven.enabled() {
        None
    } else {
        match ledger.outputs::<_, candidate::MavenRepository>(StageStep::MavenOpen)? {
            Some(m) => Some(format!("{}{}", cfg.maven.content_url, m.repository)),
            None if probe => Some(format!("{}probe", cfg.maven.content_url)),
            None => None,
        }
    };
    let from = cfg.mail.sender(&f.tagger);
    let ctx_v = crate::emails::vote::EmailContext {
        from,
        to: cfg.expand(&cfg.mail.dev),
        project: name.clone(),
        display_name: cfg.project.display_name.clone(),
        version: f.version.to_string(),
        rc: f.rc,
        tag: f.tag.clone(),
        commit: f.commit.clone(),
        tarball_url: format!("{url}/{}", ctx.tarball),
        signature_url: format!("{url}/{}.asc", ctx.tarball),
        checksum_url: format!("{url}/{}.sha512", ctx.tarball),
        sha512,
        keys_url: ctx.keys_url.clone(),
        tag_url: fill(&cfg.vote.tag_url),
        changelog_url: fill(&cfg.vote.changelog_url),
        changelog: f.changelog.clone(),
        staging_repository: staging,
        vote_start_utc: vote::in_zones(ctx.vote_start, &[])?[0].text.clone(),
        deadline_utc: vote::in_zones(ctx.deadline, &[])?[0].text.clone(),
        deadline_zones: vote::in_zones(ctx.deadline, &cfg.vote.time_zones)?,
        sender_name: f.tagger_name.clone(),
        message_id: format!(
            "<stage-rc.{}.{}@{}>",
            f.tag,
            &f.commit[..12.min(f.commit.len())],
            name
        ),
        date: vote::rfc5322_date(ctx.vote_start),
        wording: cfg.wording(),
    };
    Ok(crate::emails::vote::render(
        &ctx.template.1,
        &ctx.template.0,
        &ctx_v,
    )?)
}

/// Carries out stage-rc's steps.
#[derive(Debug)]
pub struct Stager<'a> {
    pub ctx: &'a Context,
    pub work: tempfile::TempDir,
}

impl Stager<'_> {
    fn make_tarball(&self) -> Result<source_tarball::Written> {
        let ctx = self.ctx;
        let cfg = &ctx.project.config;
        let f = &ctx.facts;
        let work = self.work.path();
        let raw = work.join("source.tar");
        let prefix = format!("{}-{}/", cfg.project.name, f.version);
        if cfg.dist.source == "git-archive" {
            ctx.git.archive(&f.commit, Some(&prefix), &raw)?;
        } else {
            let export = work.join("export.tar");
            ctx.git.archive(&f.commit, None, &export)?;
            let src = work.join("src");
            let _ = std::fs::remove_dir_all(&src);
            std::fs::create_dir_all(&src).map_err(|e| Error::io("create", &src, e))?;
            let file = std::fs::File::open(&export).map_err(|e| Error::io("read", &export, e))?;
            tar::Archive::new(file)
                .unpack(&src)
                .map_err(|e| Error::io("unpack the tagged tree into", &src, e))?;
            Cmd::new(
                "sh",
                "make the source tarball with the project's build (dist.make_dist)",
            )
            .args(["-c", &cfg.dist.make_dist])
            .current_dir(&src)
            .env("SOURCE_DATE_EPOCH", f.source_date_epoch.to_string())
            .env("TZ", "UTC")
            .env("LC_ALL", "C")
            .run()
            .map_err(|e| match e {
                // The project's own build failing is the project not being releasable at this
                // tag (exit 1), not an outside failure.
                crate::outside::process::CmdError::Failed { .. } => Error::Problem(format!(
                    "the project's `{}` (dist.make_dist) failed at tag {}, so this candidate cannot be staged: {e}; fix the build on {}, commit, and tag a new candidate",
                    cfg.dist.make_dist, f.tag, f.branch
                )),
                other => other.into(),
            })?;
            let made = src.join(&ctx.tarball);
            if !made.is_file() {
                return Err(Error::Usage(format!(
                    "`{}` did not produce {}; fix dist.make_dist or project.tarball",
                    cfg.dist.make_dist, ctx.tarball
                )));
            }
            // The build's tarball is opened (uncompressed and repacked) only once it is safe.
            crate::verify::safe_archive::require_safe(
                &made,
                crate::verify::pipeline::limits(cfg),
                "refusing to stage it",
            )?;
            source_tarball::uncompress(&made, &raw)
                .map_err(|e| Error::io("uncompress", &made, e))?;
        }
        let out = ctx.file("");
        let written = source_tarball::normalise(&raw, &out, f.source_date_epoch)
            .map_err(|e| Error::io("write the tarball", &out, e))?;
        let _ = std::fs::remove_file(&raw);
        Ok(written)
    }

    fn files(&self) -> Vec<PathBuf> {
        let l = &self.ctx.project.config.licence;
        staged_files(&self.ctx.tarball, l.enabled && l.sbom)
            .iter()
            .map(|f| self.ctx.out.join(f))
            .collect()
    }

    fn maven_coordinates(&self) -> (String, Vec<PathBuf>) {
        let cfg = &self.ctx.project.config;
        let v = self.ctx.facts.version.to_string();
        let dir = format!(
            "{}/{}/{v}",
            cfg.expand(&cfg.maven.group_id).replace('.', "/"),
            cfg.expand(&cfg.maven.artifact_id)
        );
        let files = cfg
            .maven
            .artifacts
            .iter()
            .map(|a| {
                self.ctx
                    .project
                    .root
                    .join(cfg.expand(a).replace("{version}", &v))
            })
            .collect();
        (dir, files)
    }

    fn nexus(&self) -> Result<crate::outside::nexus::Nexus> {
        let cfg = &self.ctx.project.config;
        Ok(crate::outside::nexus::Nexus::from_config(
            &cfg.maven,
            &self.ctx.env,
        )?)
    }
}

/// The files staged in dist dev: the tarball, its signature and checksum, and (with
/// `licence.sbom`) the SBOM with its own.
/// The files stage-rc stages: the tarball and, with `licence.sbom`, its SBOM.
fn staged_files(tarball: &str, sbom: bool) -> Vec<String> {
    let sbom = sbom.then(|| crate::verify::licence::sbom::file_name(tarball));
    candidate::staged_files(tarball, sbom.as_deref())
}

fn write(path: &Path, text: &str) -> Result<()> {
    crate::outside::fs::write_atomic(path, text.as_bytes()).map_err(|e| Error::io("write", path, e))
}

impl Act<StageStep> for Stager<'_> {
    fn run(&mut self, step: &Step<StageStep>, ledger: &Ledger) -> Result<Value> {
        let ctx = self.ctx;
        let cfg = &ctx.project.config;
        let f = &ctx.facts;
        Ok(match step.kind {
            StageStep::Preflight => outputs(&candidate::Preflight {
                commit: f.commit.clone(),
                branch: f.branch.clone(),
                source_date_epoch: f.source_date_epoch,
            })?,
            StageStep::SourceTarball => {
                let w = self.make_tarball()?;
                outputs(&candidate::SourceTarball {
                    file: ctx.tarball.clone(),
                    sha512: w.sha512,
                    size: w.size,
                    entries: w.entries,
                })?
            }
            StageStep::SigningKey => outputs(&candidate::SigningKey {
                fingerprint: ctx.key.fingerprint.clone(),
                algorithm: ctx.key.algorithm_name().to_string(),
                expires: ctx
                    .key
                    .expires
                    .and_then(|e| Timestamp::from_second(e).ok())
                    .map(rfc3339),
            })?,
            StageStep::Sign => {
                let asc = ctx.signer.sign(
                    &ctx.file(""),
                    &ctx.key.fingerprint,
                    ctx.passphrase.as_ref(),
                )?;
                let text = std::fs::read_to_string(&asc).map_err(|e| Error::io("read", &asc, e))?;
                outputs(&candidate::Signature {
                    file: format!("{}.asc", ctx.tarball),
                    asc: text,
                })?
            }
            StageStep::ExternalSignature => return Err(sign::waiting(&f.tag)),
            StageStep::Checksum => {
                let recorded: Option<candidate::SourceTarball> =
                    ledger.outputs(StageStep::SourceTarball)?;
                let sha = match recorded {
                    Some(s) => s.sha512,
                    None => crate::verify::checksum::hash_file(
                        crate::verify::checksum::Algorithm::Sha512,
                        &ctx.file(""),
                    )
                    .map_err(|e| Error::io("hash", ctx.file(""), e))?,
                };
                let line = crate::verify::checksum::coreutils_line(&sha, &ctx.tarball);
                write(&ctx.file(".sha512"), &line)?;
                outputs(&candidate::Checksum {
                    file: format!("{}.sha512", ctx.tarball),
                    line,
                })?
            }
            StageStep::Sbom => {
                let json = crate::verify::licence::sbom_of(&ctx.file(""), cfg)?;
                let file = crate::verify::licence::sbom::file_name(&ctx.tarball);
                let path = ctx.out.join(&file);
                write(&path, &json)?;
                let asc = ctx
                    .signer
                    .sign(&path, &ctx.key.fingerprint, ctx.passphrase.as_ref())?;
                let asc = std::fs::read_to_string(&asc).map_err(|e| Error::io("read", &asc, e))?;
                let sha = crate::verify::checksum::hash_file(
                    crate::verify::checksum::Algorithm::Sha512,
                    &path,
                )
                .map_err(|e| Error::io("hash", &path, e))?;
                let checksum = crate::verify::checksum::coreutils_line(&sha, &file);
                write(&ctx.out.join(format!("{file}.sha512")), &checksum)?;
                outputs(&candidate::Sbom {
                    file,
                    json,
                    asc,
                    checksum,
                })?
            }
            StageStep::Verify => {
                let now = crate::verify::pipeline::now();
                let files = crate::verify::pipeline::Files {
                    artifact: &ctx.file(""),
                    signature: &ctx.file(".asc"),
                    checksum: &ctx.file(".sha512"),
                };
                let ev = crate::verify::pipeline::require_trusted(
                    files,
                    &ctx.keys,
                    &ctx.keys_source,
                    now,
                    None,
                    "refusing to stage it",
                )?;
                if !ev
                    .signer_fingerprint
                    .eq_ignore_ascii_case(&ctx.key.fingerprint)
                {
                    return Err(Error::Problem(format!(
                        "the signature was made by {}, not the signing key {}",
                        ev.signer_fingerprint, ctx.key.fingerprint
                    )));
                }
                outputs(&candidate::Verified {
                    signed_by: ev.signer_fingerprint,
                    subkey: ev.signer_subkey,
                    sha512: ev.sha512,
                })?
            }
            StageStep::DistUpload => {
                let files = self.files();
                let up = Upload {
                    tag: &f.tag,
                    files: &files,
                    message: format!("Adding {}-{}.", cfg.project.name, f.tag),
                    older: f.older.clone(),
                    remove_superseded: cfg.dist.remove_superseded,
                };
                let staged = match &ctx.target {
                    Target::Local { dir } => {
                        dist_area::upload_local(&ctx.project.root.join(dir), &up)?
                    }
                    Target::Svn { url } => crate::outside::svn::Svn {
                        url: url.clone(),
                        creds: crate::outside::svn::Credentials::from_env(&ctx.env),
                    }
                    .upload(&up, self.work.path())?,
                    Target::GitHub { owner, repo } => {
                        let gh = crate::outside::github::GitHub::from_config(
                            &cfg.github,
                            owner,
                            repo,
                            &ctx.env,
                        )?;
                        crate::outside::http::block_on(async {
                            let release = match gh.find_release(&f.tag).await? {
                                Some(r) => r,
                                None => {
                                    gh.create_draft(
                                        &f.tag,
                                        &format!("{} {}", cfg.project.display_name, f.tag),
                                        &format!(
                                            "Release candidate {} of {} {}.",
                                            f.rc, cfg.project.display_name, f.version
                                        ),
                                    )
                                    .await?
                                }
                            };
                            for file in &files {
                                gh.upload(release.id, file).await?;
                            }
                            let mut superseded = Vec::new();
                            for old in &f.older {
                                if let Some(r) = gh.find_release(old).await? {
                                    gh.mark_superseded(&r, &f.tag).await?;
                                    superseded.push(old.clone());
                                }
                            }
                            Ok::<_, Error>(dist_area::Staged {
                                url: ctx.target.candidate_url(&f.tag),
                                release_id: Some(release.id),
                                superseded,
                                ..Default::default()
                            })
                        })?
                    }
                };
                serde_json::to_value(staged).unwrap_or(Value::Null)
            }
            StageStep::MavenOpen => {
                let n = self.nexus()?;
                let group = cfg.expand(&cfg.maven.group_id);
                let id = crate::outside::http::block_on(async {
                    let p = n.profile(&group).await?;
                    n.start(&p.id, &format!("{} {}", cfg.project.display_name, f.tag))
                        .await
                })?;
                outputs(&candidate::MavenRepository {
                    url: Some(format!("{}{id}", cfg.maven.content_url)),
                    repository: id,
                })?
            }
            StageStep::MavenDeploy if !cfg.maven.deploy_command.is_empty() => {
                let id = ledger
                    .require::<_, candidate::MavenRepository>(StageStep::MavenOpen)?
                    .repository;
                let url = format!(
                    "{}/staging/deployByRepositoryId/{id}",
                    cfg.maven.url.trim_end_matches('/')
                );
                let command = &cfg.maven.deploy_command;
                crate::outside::process::Cmd::new(
                    &command[0],
                    "deploy the Maven artifacts with the project's deploy command",
                )
                .args(&command[1..])
                .current_dir(&ctx.project.root)
                .env("RELEASE_KIT_STAGING_REPOSITORY_ID", &id)
                .env("RELEASE_KIT_STAGING_URL", &url)
                .run()?;
                json!({"repository": id, "command": command, "url": url})
            }
            StageStep::MavenDeploy => {
                let n = self.nexus()?;
                let id = ledger
                    .require::<_, candidate::MavenRepository>(StageStep::MavenOpen)?
                    .repository;
                let (dir, files) = self.maven_coordinates();
                let mut names = Vec::new();
                for file in &files {
                    let bytes = std::fs::read(file).map_err(|e| {
                        Error::Usage(format!("cannot read the Maven artifact {} ({e}); build it first or fix maven.artifacts", file.display()))
                    })?;
                    let asc_path =
                        ctx.signer
                            .sign(file, &ctx.key.fingerprint, ctx.passphrase.as_ref())?;
                    let asc =
                        std::fs::read(&asc_path).map_err(|e| Error::io("read", &asc_path, e))?;
                    let _ = std::fs::remove_file(&asc_path);
                    let name = file
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    crate::outside::http::block_on(
                        n.deploy_artifact(&id, &dir, &name, &bytes, &asc),
                    )?;
                    names.push(name);
                }
                json!({"repository": id, "deployed": names})
            }
            StageStep::MavenClose => {
                let n = self.nexus()?;
                let id = ledger
                    .require::<_, candidate::MavenRepository>(StageStep::MavenOpen)?
                    .repository;
                crate::outside::http::block_on(
                    n.close(&id, &format!("{} {}", cfg.project.display_name, f.tag)),
                )?;
                json!({"repository": id, "state": "closed"})
            }
            StageStep::PushTag => {
                let remote = &cfg.tags.remote;
                match ctx.git.remote_tag(remote, &f.tag)? {
                    Some(o) if o == f.tag_object => json!({"remote": remote, "pushed": false}),
                    Some(o) => {
                        return Err(Error::Problem(format!(
                            "remote `{remote}` already has a different tag {} ({o}, here {}); someone re-tagged: compare them and stage the next candidate number instead",
                            f.tag, f.tag_object
                        )))
                    }
                    None => {
                        ctx.git.push_tag(remote, &f.tag)?;
                        json!({"remote": remote, "pushed": true})
                    }
                }
            }
            StageStep::VoteEmail => {
                let email = render_email(ctx, ledger, false)?;
                let path = ctx.out.join("vote-email.eml");
                write(&path, &email.eml)?;
                outputs(&candidate::VoteEmail {
                    file: "vote-email.eml".into(),
                    subject: email.subject,
                    vote_start: rfc3339(ctx.vote_start),
                    deadline: rfc3339(ctx.deadline),
                    eml: email.eml,
                })?
            }
            StageStep::VoteSend => {
                let email = render_email(ctx, ledger, false)?;
                let server = crate::outside::smtp::Server::from_config(&cfg.mail, &ctx.env);
                let from = cfg.mail.sender(&f.tagger);
                crate::outside::smtp::send(
                    &server,
                    &from,
                    &[cfg.expand(&cfg.mail.dev)],
                    email.eml.as_bytes(),
                )?;
                json!({"sent_to": cfg.expand(&cfg.mail.dev)})
            }
        })
    }

    /// Puts back on this machine what finished steps left in --out (the ledger holds the
    /// signature and checksum; the tarball is reproducible and is rebuilt and compared).
    fn restore(&mut self, step: &Step<StageStep>, record: &Record, later_work: bool) -> Result<()> {
        let ctx = self.ctx;
        match step.kind {
            StageStep::SourceTarball if later_work => {
                let recorded: candidate::SourceTarball = record.outputs_as()?;
                let want = recorded.sha512.as_str();
                let have = crate::verify::checksum::hash_file(
                    crate::verify::checksum::Algorithm::Sha512,
                    &ctx.file(""),
                )
                .ok();
                if have.as_deref() != Some(want) {
                    let w = self.make_tarball()?;
                    if w.sha512 != want {
                        return Err(Error::Problem(format!(
                            "the rebuilt {} has SHA-512 {}, but the staged one has {want}: the source tarball is not reproducible here (different tools?); stage from the machine or image that made it",
                            ctx.tarball, w.sha512
                        )));
                    }
                }
            }
            StageStep::Sign => {
                let recorded: candidate::Signature = record.outputs_as()?;
                write(&ctx.file(".asc"), &recorded.asc)?;
            }
            StageStep::ExternalSignature => {
                let recorded: candidate::ExternalSignature = record.outputs_as()?;
                write(&ctx.file(".asc"), &recorded.asc)?;
            }
            StageStep::Checksum => {
                let recorded: candidate::Checksum = record.outputs_as()?;
                write(&ctx.file(".sha512"), &recorded.line)?;
            }
            StageStep::Sbom => {
                let recorded: candidate::Sbom = record.outputs_as()?;
                let path = ctx.out.join(&recorded.file);
                write(&path, &recorded.json)?;
                write(
                    &ctx.out.join(format!("{}.asc", recorded.file)),
                    &recorded.asc,
                )?;
                write(
                    &ctx.out.join(format!("{}.sha512", recorded.file)),
                    &recorded.checksum,
                )?;
            }
            StageStep::VoteEmail => {
                let recorded: candidate::VoteEmail = record.outputs_as()?;
                write(&ctx.out.join("vote-email.eml"), &recorded.eml)?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// The vote window recorded in the `vote-email` step's inputs.
#[derive(serde::Deserialize)]
struct VoteWindow {
    vote_start: String,
}

/// `stage-rc`: plan, print, and (unless `--dry-run`) execute.
pub fn run(common: &CommonArgs, request: &StageRequest) -> Result<ExitCode> {
    let ci = Ci::detect();
    let env: Vec<(String, String)> = std::env::vars().collect();
    let secrets = Secrets::from_env(env);
    // The ledger decides defaults (the vote start), so it is read first.
    let project = common.project()?;
    let git = project.git()?;
    let info = git.require_tag(&request.tag, false)?;
    let remote = Some(project.config.tags.remote.clone()).filter(|r| !r.is_empty());
    let mut store =
        crate::engine::git_notes::GitNotesStore::new(git, remote, &request.tag, &info.commit);
    let ledger = store.load()?;
    let (plan, ctx) = plan(common, request, secrets, &ci, &ledger)?;
    if cli::show_plan(
        common.format,
        &plan,
        &ledger,
        &store.describe(),
        request.dry_run,
    )? {
        return Ok(ExitCode::Ok);
    }
    std::fs::create_dir_all(&request.out)
        .and_then(|_| {
            let probe = request.out.join(".stage-rc-write-test");
            std::fs::write(&probe, b"")?;
            std::fs::remove_file(&probe)
        })
        .map_err(|e| {
            Error::Usage(format!(
                "--out {} is not writable ({e}); pass a directory you can write to",
                request.out.display()
            ))
        })?;
    let mut stager = Stager {
        ctx: &ctx,
        work: tempfile::Builder::new()
            .prefix("stage-rc.")
            .tempdir()
            .map_err(|e| Error::io("create a work directory in", std::env::temp_dir(), e))?,
    };
    // The split, before the release manager signed: the plan stops at the signature.
    let waiting = waiting_for_signature(request, &ledger);
    let (ledger, outcome) = execute::execute(&plan, &mut store, &mut stager)?;
    let ledger_copy = request.out.join("ledger.json");
    write(
        &ledger_copy,
        &format!(
            "{}\n",
            serde_json::to_string_pretty(&ledger).unwrap_or_default()
        ),
    )?;
    if waiting {
        return sign::report_waiting(&ci, &ctx, &plan, &outcome, &ledger, &store.describe());
    }
    let email_path = request.out.join("vote-email.eml");
    let staged = StagedCandidate::from_ledger(&ledger, &ctx.facts.tag, &store.describe())?;
    let sha = staged.tarball.sha512.clone();
    let url = staged.dist.url.clone();
    let nexus = staged.maven.map(|m| m.repository).unwrap_or_default();
    let deadline = rfc3339(ctx.deadline);
    let outputs = [
        (
            "tarball",
            if ctx.file("").is_file() {
                ctx.file("").display().to_string()
            } else {
                format!("{url}/{}", ctx.tarball)
            },
        ),
        ("sha512", sha.clone()),
        ("dist-url", url.clone()),
        ("nexus-repository", nexus.clone()),
        ("vote-deadline", deadline.clone()),
        ("email", email_path.display().to_string()),
    ];
    for (k, v) in &outputs {
        ci.set_output(k, v)?;
    }
    let email = std::fs::read_to_string(&email_path).unwrap_or_default();
    ci.summary(&format!(
        "## stage-rc {}\n\n| | |\n|---|---|\n| tarball | `{}` |\n| SHA-512 | `{sha}` |\n| dist | {url} |\n| vote ends | {deadline} |\n\n### Vote email\n\n```\n{}\n```\n",
        ctx.facts.tag,
        ctx.tarball,
        email.replace("\r\n", "\n")
    ))?;
    cli::print_outcome("staged", &plan, &outcome, &outputs);
    Ok(ExitCode::Ok)
}
