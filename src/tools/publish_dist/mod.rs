//! publish-dist: a passed vote to a published release — the steps of Mesos's
//! `support/release.sh` and the guide's manual steps after it — as a plan recorded in the
//! release ledger (a git note on the tagged commit, key `publish:<rc tag>`), so a re-run resumes
//! where a crash stopped and refuses to redo a step with other inputs.
//!
//! Steps: the tally (the gate), re-verifying the staged files against stage-rc's ledger,
//! promoting them from dist dev to dist release in one commit, the final tag, releasing the
//! Nexus staging repository, releasing the JIRA version, the website change, bumping the release
//! branch, archiving old releases, and the [RESULT] and [ANNOUNCE] emails.

pub mod archiving;
mod steps;
pub mod tally;

use std::path::PathBuf;

use serde_json::json;

use crate::ci::Ci;
use crate::cli::{self, CommonArgs};
use crate::engine::candidate::{StageStep, StagedCandidate};
use crate::engine::execute;
use crate::engine::git_notes::GitNotesStore;
use crate::engine::ledger::{Ledger, LedgerStore};
use crate::engine::plan::{Plan, Step, StepKind};
use crate::error::{Error, ExitCode, Result};
use crate::model::version::{Part, Version};
use crate::outside::dist_area::Target;
use crate::outside::git::Git;
use crate::project::Project;

pub use steps::Publisher;

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct PublishRequest {
    pub tally: tally::TallyRequest,
    /// Publish although the tally does not pass; logged and recorded in the ledger.
    pub override_vote: Option<String>,
    pub dry_run: bool,
    pub send: bool,
    /// YYYY-MM-DD; default: the recorded date, else today (UTC).
    pub release_date: Option<String>,
}

/// `publish-dist abandon`.
#[derive(Debug, Clone)]
pub struct AbandonRequest {
    pub tag: String,
    pub reason: String,
    pub dry_run: bool,
}

/// Everything the steps need, computed while planning.
#[derive(Debug)]
pub struct Context {
    pub project: Project,
    pub git: Git,
    pub tag: String,
    pub final_tag: String,
    pub version: Version,
    pub rc: u32,
    pub commit: String,
    pub tagger_name: String,
    pub tagger: String,
    pub dev: Target,
    pub release: Target,
    /// The staged files: tarball, `.asc`, `.sha512` (then the SBOM and its own, if staged).
    pub files: Vec<String>,
    /// The candidate as stage-rc recorded it.
    pub staged: StagedCandidate,
    pub date: String,
    pub managers: Vec<String>,
    pub remote: Option<String>,
    pub out: PathBuf,
    pub env: Vec<(String, String)>,
    /// The tally, when the `tally` step is still to do.
    pub tally: Option<tally::Outcome>,
    pub override_vote: Option<String>,
}

/// The steps of publish-dist, in the order a plan may hold them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishStep {
    Tally,
    Verify,
    Promote,
    Tag,
    MavenRelease,
    JiraRelease,
    Website,
    BumpBranch,
    Archive,
    Emails,
    Send,
}

impl StepKind for PublishStep {
    fn id(self) -> &'static str {
        match self {
            PublishStep::Tally => "tally",
            PublishStep::Verify => "verify",
            PublishStep::Promote => "promote",
            PublishStep::Tag => "tag",
            PublishStep::MavenRelease => "maven-release",
            PublishStep::JiraRelease => "jira-release",
            PublishStep::Website => "website",
            PublishStep::BumpBranch => "bump-branch",
            PublishStep::Archive => "archive",
            PublishStep::Emails => "emails",
            PublishStep::Send => "send",
        }
    }

    fn changed_advice() -> &'static str {
        crate::engine::candidate::NEW_CANDIDATE
    }
}

/// The steps of `publish-dist abandon`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbandonStep {
    MavenDrop,
    MarkAbandoned,
}

impl StepKind for AbandonStep {
    fn id(self) -> &'static str {
        match self {
            AbandonStep::MavenDrop => "maven-drop",
            AbandonStep::MarkAbandoned => "mark-abandoned",
        }
    }

    fn changed_advice() -> &'static str {
        crate::engine::candidate::NEW_CANDIDATE
    }
}

/// What later steps and runs read of the `tally` step.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TallyRecord {
    pub passed: bool,
    pub date: String,
    pub result_subject: String,
    pub result_eml: String,
}

/// What later steps read of the `verify` step: each staged file's SHA-512 and size.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct VerifyRecord {
    pub sha512: std::collections::BTreeMap<String, String>,
    pub sizes: std::collections::BTreeMap<String, u64>,
    pub signed_by: String,
}

/// The `promote` step: where the release is.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PromoteRecord {
    pub url: String,
}

/// The `website` step: the branch holding the website change, and the change as a diff.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct WebsiteRecord {
    pub branch: String,
    pub diff: String,
}

/// The `jira-release` step: JIRA's id of the released version.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct JiraRecord {
    pub id: String,
}

/// The `emails` step: the [ANNOUNCE] email.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct EmailsRecord {
    pub announce_eml: String,
}

/// The ledger key of publish-dist's steps for an rc tag (stage-rc's key is the tag itself).
pub(crate) fn ledger_key(tag: &str) -> String {
    format!("publish:{tag}")
}

fn abandon_key(tag: &str) -> String {
    format!("abandon:{tag}")
}

/// Today (UTC) by the one clock, so `RELEASE_KIT_NOW` fixes the release date too.
fn today() -> Result<String> {
    Ok(crate::outside::clock::today_utc()?)
}

fn check_date(value: &str) -> Result<String> {
    jiff::civil::Date::strptime("%Y-%m-%d", value)
        .map(|d| d.to_string())
        .map_err(|_| {
            Error::Usage(format!(
                "--release-date `{value}` is not a date; write YYYY-MM-DD, e.g. 2026-11-24"
            ))
        })
}

/// What `open` finds for a candidate: the project, its tag and stage-rc's ledger.
struct Opened {
    project: Project,
    git: Git,
    tag: String,
    version: Version,
    rc: u32,
    commit: String,
    tagger_name: String,
    tagger: String,
    remote: Option<String>,
    staged: StagedCandidate,
}

fn open(common: &CommonArgs, tag: &str) -> Result<Opened> {
    let project = common.project()?;
    let git = project.git()?;
    let (version, rc) = project.scheme.parse_candidate(tag)?;
    let info = git.require_tag(tag, project.config.tags.require_annotated)?;
    let remote = Some(project.config.tags.remote.clone()).filter(|r| !r.is_empty());
    let mut stage_store = GitNotesStore::new(git.clone(), remote.clone(), tag, &info.commit);
    let staged = stage_store.load()?;
    if !staged.is_done(StageStep::DistUpload) || !staged.is_done(StageStep::SourceTarball) {
        return Err(Error::Usage(format!(
            "{tag} has no record of being staged (no stage-rc ledger in {} on {}); stage it with `stage-rc --tag {tag}` and hold the vote first",
            crate::engine::git_notes::NOTES_REF,
            &info.commit[..12.min(info.commit.len())]
        )));
    }
    let staged = StagedCandidate::from_ledger(&staged, tag, &stage_store.describe())?;
    let (tagger_name, tagger) = match &info.tagger {
        Some(p) => (p.name.clone(), format!("{} <{}>", p.name, p.email)),
        None => (String::new(), String::new()),
    };
    Ok(Opened {
        project,
        tag: tag.to_string(),
        version,
        rc,
        commit: info.commit,
        tagger_name,
        tagger,
        remote,
        staged,
        git,
    })
}

/// Plans the release: the tally gate first (unless already recorded), then the steps.
fn plan(
    o: Opened,
    request: &PublishRequest,
    ledger: &Ledger,
) -> Result<(Plan<PublishStep>, Context)> {
    let cfg = o.project.config.clone();
    if let Some(m) = cfg.asf_defaults_in_neutral() {
        return Err(Error::Usage(m));
    }
    let env: Vec<(String, String)> = std::env::vars().collect();
    // `--send` is checked now, before anything is promoted or tagged (and so in --dry-run).
    if request.send {
        crate::outside::smtp::check(
            &crate::outside::smtp::Server::from_config(&cfg.mail, &env),
            &cfg.mail.sender(&o.tagger),
            &[
                cfg.expand(&cfg.mail.dev),
                cfg.expand(&cfg.mail.user),
                cfg.publish.announce_to.clone(),
            ],
        )?;
    }
    let dev = Target::parse(&cfg.expand(&cfg.dist.dev))?;
    let release = Target::parse_setting(&cfg.expand(&cfg.dist.release), "dist.release")?;
    if dev.kind() != release.kind() {
        return Err(Error::Usage(format!(
            "dist.dev is a {} and dist.release a {}: publish-dist promotes within one kind of dist area (svn dev and release in one repository, two directories, or one GitHub repository); fix dist.dev or dist.release",
            dev.kind(),
            release.kind()
        )));
    }
    let github = matches!(release, Target::GitHub { .. });
    let tarball = cfg.tarball_name(o.version);
    // The SBOM stage-rc staged beside the tarball is promoted with it.
    let files = crate::engine::candidate::staged_files(
        &tarball,
        o.staged.sbom.as_ref().map(|s| s.file.as_str()),
    );
    let final_tag = o.project.scheme.release_tag(o.version);
    let recorded: Option<TallyRecord> = ledger.outputs(PublishStep::Tally)?;
    let date = match (&request.release_date, recorded) {
        (Some(d), _) => check_date(d)?,
        (None, Some(r)) => r.date,
        (None, None) => today()?,
    };
    let managers: Vec<String> = if cfg.publish.release_managers.trim().is_empty() {
        vec![o.tagger_name.clone()]
            .into_iter()
            .filter(|n| !n.is_empty())
            .collect()
    } else {
        cfg.publish
            .release_managers
            .split(',')
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty())
            .collect()
    };

    // The gate: the tally must pass (or be overridden), unless it already did.
    let tally = if ledger.is_done(PublishStep::Tally) {
        None
    } else {
        let outcome = tally::evaluate(&o.project, &request.tally, &env)?;
        if !outcome.passed {
            match &request.override_vote {
                Some(reason) if !reason.trim().is_empty() => {
                    tracing::warn!(
                        "the vote did not pass ({}); publishing anyway: --override-vote {reason}",
                        outcome.reasons.join("; ")
                    );
                }
                _ => {
                    return Err(Error::Problem(format!(
                        "the vote on {} did not pass, so nothing was published:\n  {}\nRun `publish-dist tally` for the table; if the release must go out anyway, pass --override-vote REASON (it is recorded in the ledger)",
                        o.tag,
                        outcome.reasons.join("\n  ")
                    )));
                }
            }
        }
        Some(outcome)
    };

    // The verify step's inputs carry the checksum stage-rc recorded when the vote started.
    let staged_sha = o.staged.tarball.sha512.clone();
    // Bad input that a later step would meet is found now, before anything is promoted (both
    // checks only read).
    if cfg.publish.jira_release
        && !cfg.jira.url.is_empty()
        && !ledger.is_done(PublishStep::JiraRelease)
    {
        let jira = crate::outside::jira::Jira::from_config(&cfg.jira, &env)?;
        crate::outside::http::block_on(jira.require_version(&o.version.to_string()))?;
    }
    if !ledger.is_done(PublishStep::Tag) {
        if let Some(t) = o.git.tag(&final_tag)? {
            if t.commit != o.commit {
                return Err(tag_elsewhere(&final_tag, &t.commit, &o.commit, &o.tag));
            }
        }
    }
    if !cfg.website.releases_file.is_empty() && !ledger.is_done(PublishStep::Website) {
        check_releases_file(&o, &date)?;
    }
    let dev_url = dev.candidate_url(&o.tag);
    let release_url = release_url(&release, o.version, &final_tag);
    let name = &cfg.project.name;
    let display = &cfg.project.display_name;
    let tag_step = Step::new(
        PublishStep::Tag,
        format!(
            "create the {} tag {final_tag} on the rc tag's commit and push it",
            if cfg.publish.sign_tag {
                "signed"
            } else {
                "annotated"
            }
        ),
        json!({"tag": final_tag, "commit": o.commit, "from": o.tag, "signed": cfg.publish.sign_tag, "remote": o.remote, "message": format!("Tagging {display} {}.", o.version)}),
    );
    let promote_step = Step::new(
        PublishStep::Promote,
        if github {
            format!("publish the final GitHub release {final_tag}: a draft, the voted files uploaded, then published")
        } else {
            format!(
                "promote the files from dist dev to dist release in one {} change",
                release.kind()
            )
        },
        json!({"from": dev_url, "to": release_url, "files": files, "message": format!("Releasing {name} {}.", o.version)}),
    );
    let mut steps = vec![
        Step::new(
            PublishStep::Tally,
            "count the [VOTE] thread; the release goes ahead only if the vote passed",
            json!({"tag": o.tag, "policy": cfg.vote.policy, "min_binding": cfg.vote.min_binding, "override_vote": request.override_vote}),
        ),
        Step::new(
            PublishStep::Verify,
            "re-verify the staged files in dist dev (SHA-512 against the stage-rc ledger, signature against KEYS)",
            json!({"url": dev_url, "files": files, "sha512": {tarball.as_str(): staged_sha}, "keys": cfg.expand(&cfg.signing.keys)}),
        ),
    ];
    // GitHub creates a missing tag when a release is published (a lightweight one), so there the
    // annotated tag is pushed first; elsewhere the files are promoted first.
    if github {
        steps.extend([tag_step, promote_step]);
    } else {
        steps.extend([promote_step, tag_step]);
    }
    if let Some(repo) = o.staged.maven.as_ref().map(|m| m.repository.clone()) {
        steps.push(Step::new(
            PublishStep::MavenRelease,
            "release the Nexus staging repository stage-rc closed",
            json!({"url": cfg.maven.url, "repository": repo}),
        ));
    }
    if cfg.publish.jira_release && !cfg.jira.url.is_empty() {
        steps.push(Step::new(
            PublishStep::JiraRelease,
            format!(
                "release JIRA version {} of {} ({}) and create {}",
                o.version,
                cfg.jira.project,
                date,
                o.version.next(Part::Patch)
            ),
            json!({"url": cfg.jira.url, "project": cfg.jira.project, "version": o.version.to_string(), "date": date, "managers": managers, "next": o.version.next(Part::Patch).to_string()}),
        ));
    }
    if !cfg.website.releases_file.is_empty() {
        let branch = cfg
            .website
            .branch
            .replace("{version}", &o.version.to_string());
        steps.push(Step::new(
            PublishStep::Website,
            format!(
                "add {} to {} and write the blog post, on branch {branch}{}",
                o.version,
                cfg.website.releases_file,
                if cfg.website.github_repo.is_empty() { String::new() } else { format!(" with a pull request in {}", cfg.website.github_repo) }
            ),
            json!({"file": cfg.website.releases_file, "blog_dir": cfg.website.blog_dir, "version": o.version.to_string(), "date": date, "branch": branch, "base": cfg.website.base, "remote": o.remote, "github_repo": cfg.website.github_repo}),
        ));
    }
    // A per-release branch ends with its release: there is no next patch on it to bump to.
    if cfg.publish.bump_branch && cfg.release_model().branch_continues() {
        let branch = o.project.scheme.branch(o.version);
        steps.push(Step::new(
            PublishStep::BumpBranch,
            format!(
                "bump {} to {} and push it",
                cfg.release_model().describe(&branch),
                o.version.next(Part::Patch)
            ),
            json!({"branch": branch, "to": o.version.next(Part::Patch).to_string(), "remote": o.remote}),
        ));
    }
    if !github {
        steps.push(Step::new(
        PublishStep::Archive,
        "remove releases no longer under development from dist release",
        json!({"release": cfg.expand(&cfg.dist.release), "active_lines": cfg.publish.active_lines, "keep_lines": cfg.publish.keep_lines, "version": o.version.to_string()}),
    ));
    }
    steps.push(Step::new(
        PublishStep::Emails,
        "write the [RESULT][VOTE] and [ANNOUNCE] emails",
        json!({"to": cfg.expand(&cfg.mail.dev), "announce": [cfg.publish.announce_to, cfg.expand(&cfg.mail.dev), cfg.expand(&cfg.mail.user)], "date": date}),
    ));
    if request.send {
        steps.push(Step::new(
            PublishStep::Send,
            "send the [RESULT][VOTE] and [ANNOUNCE] emails through SMTP",
            json!({"server": format!("{}:{}", cfg.mail.smtp_host, cfg.mail.smtp_port)}),
        ));
    }
    let plan = Plan {
        tool: "publish-dist".into(),
        subject: format!("{name} {} from {}", o.version, o.tag),
        steps,
    };
    let ctx = Context {
        project: o.project,
        git: o.git,
        tag: o.tag,
        final_tag,
        version: o.version,
        rc: o.rc,
        commit: o.commit,
        tagger_name: o.tagger_name,
        tagger: o.tagger,
        dev,
        release,
        files,
        staged: o.staged,
        date,
        managers,
        remote: o.remote,
        out: request.tally.out.clone(),
        env,
        tally,
        override_vote: request.override_vote.clone(),
    };
    Ok((plan, ctx))
}

/// The final tag already exists on a commit other than the voted one.
fn tag_elsewhere(name: &str, theirs: &str, voted: &str, rc: &str) -> Error {
    Error::Problem(format!(
        "tag {name} already exists on commit {theirs}, not on {voted} ({rc}): someone tagged another commit. Check which one was voted on; delete the wrong tag (`git tag -d {name}`, and on the remote) and re-run"
    ))
}

/// A configured template with the release's `{name}`, `{display_name}`, `{version}` and
/// `{date}` filled in.
fn fill(cfg: &crate::config::Config, version: Version, date: &str, template: &str) -> String {
    cfg.expand(template)
        .replace("{version}", &version.to_string())
        .replace("{date}", date)
}

/// The website step's file, read from the base branch as this clone knows it, must exist and
/// have the shape the step edits (a conflict with an entry already there is the step's to
/// judge, with JIRA's real version id).
fn check_releases_file(o: &Opened, date: &str) -> Result<()> {
    let cfg = &o.project.config;
    let w = &cfg.website;
    let path = o
        .git
        .prefix_of(&o.project.root)
        .join(&w.releases_file)
        .to_string_lossy()
        .into_owned();
    let bases = o
        .remote
        .iter()
        .map(|r| format!("refs/remotes/{r}/{}", w.base))
        .chain([format!("refs/heads/{}", w.base)]);
    for base in bases {
        if o.git.resolve(&base)?.is_none() {
            continue;
        }
        let Some(bytes) = o.git.show(&base, &path)? else {
            return Err(Error::Usage(format!(
                "{} does not exist on {}; add the releases data file there, or set website.releases_file = \"\" to skip the website step",
                w.releases_file, w.base
            )));
        };
        let release = crate::website::Release {
            version: o.version,
            jira_version: "1".into(),
            date: date.to_string(),
            title: fill(cfg, o.version, date, &w.news_title),
            blog_slug: fill(cfg, o.version, date, &w.blog_slug),
        };
        return match crate::website::update_releases(
            &String::from_utf8_lossy(&bytes),
            &w.releases_file,
            &release,
        ) {
            Err(crate::website::WebsiteError::Conflict(_)) | Ok(_) => Ok(()),
            Err(e) => Err(e.into()),
        };
    }
    Ok(())
}

/// Where a version's files live in dist release (on GitHub: the release of `final_tag`).
pub(crate) fn release_url(release: &Target, version: Version, final_tag: &str) -> String {
    match release {
        Target::Local { dir } => {
            let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.clone());
            format!("file://{}/{version}", abs.display())
        }
        Target::Svn { url } => format!("{url}/{version}"),
        Target::GitHub { owner, repo } => {
            format!("https://github.com/{owner}/{repo}/releases/tag/{final_tag}")
        }
    }
}

fn writable(out: &std::path::Path) -> Result<()> {
    std::fs::create_dir_all(out)
        .and_then(|_| {
            let probe = out.join(".publish-dist-write-test");
            std::fs::write(&probe, b"")?;
            std::fs::remove_file(&probe)
        })
        .map_err(|e| {
            Error::Usage(format!(
                "--out {} is not writable ({e}); pass a directory you can write to",
                out.display()
            ))
        })
}

/// `publish-dist`: plan, print, and (unless `--dry-run`) execute.
pub fn run(common: &CommonArgs, request: &PublishRequest) -> Result<ExitCode> {
    let ci = Ci::detect();
    // Opened once: the tag (a malformed one is named with the expected form before anything
    // looks for it) and stage-rc's ledger.
    let o = open(common, &request.tally.tag)?;
    // An abandoned candidate is never published.
    let mut abandoned = GitNotesStore::new(
        o.git.clone(),
        o.remote.clone(),
        &abandon_key(&o.tag),
        &o.commit,
    );
    if !abandoned.load()?.steps.is_empty() {
        return Err(Error::Problem(format!(
            "{} was abandoned (`publish-dist abandon`); it cannot be published. Stage the next candidate instead",
            o.tag
        )));
    }
    let mut store = GitNotesStore::new(
        o.git.clone(),
        o.remote.clone(),
        &ledger_key(&o.tag),
        &o.commit,
    );
    let ledger = store.load()?;
    let (plan, ctx) = plan(o, request, &ledger)?;
    if cli::show_plan(
        common.format,
        &plan,
        &ledger,
        &store.describe(),
        request.dry_run,
    )? {
        return Ok(ExitCode::Ok);
    }
    writable(&ctx.out)?;
    let mut publisher = Publisher::new(&ctx)?;
    let (ledger, outcome) = execute::execute(&plan, &mut store, &mut publisher)?;
    let copy = ctx.out.join("ledger.json");
    crate::outside::fs::write_atomic(
        &copy,
        format!(
            "{}\n",
            serde_json::to_string_pretty(&ledger).unwrap_or_default()
        )
        .as_bytes(),
    )
    .map_err(|e| Error::io("write", &copy, e))?;

    let release_url = ledger
        .outputs::<_, PromoteRecord>(PublishStep::Promote)?
        .map(|r| r.url)
        .unwrap_or_default();
    let result = ctx.out.join("result-email.eml");
    let announce = ctx.out.join("announce-email.eml");
    let website = ledger
        .outputs::<_, WebsiteRecord>(PublishStep::Website)?
        .map(|r| r.branch)
        .unwrap_or_default();
    let outputs = [
        ("final-tag", ctx.final_tag.clone()),
        ("release-url", release_url.clone()),
        ("result-email", result.display().to_string()),
        ("announce-email", announce.display().to_string()),
        ("website-branch", website),
    ];
    for (k, v) in &outputs {
        ci.set_output(k, v)?;
    }
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p)
            .unwrap_or_default()
            .replace("\r\n", "\n")
    };
    let mut rows = String::new();
    for r in &ledger.steps {
        let short = r
            .outputs
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, v)| {
                        !matches!(k.as_str(), "eml" | "result_eml" | "announce_eml" | "tally")
                            && (v.is_string() || v.is_number() || v.is_boolean())
                    })
                    .map(|(k, v)| format!("{k}: {}", v.to_string().trim_matches('"')))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        rows.push_str(&format!("| {} | {} |\n", r.id, short.replace('|', "\\|")));
    }
    ci.summary(&format!(
        "## publish-dist {} → {}\n\n| step | result |\n|---|---|\n{rows}\n### [RESULT][VOTE] email\n\n```\n{}\n```\n\n### [ANNOUNCE] email\n\n```\n{}\n```\n",
        ctx.tag,
        ctx.final_tag,
        read(&result),
        read(&announce)
    ))?;
    cli::print_outcome("published", &plan, &outcome, &outputs);
    Ok(ExitCode::Ok)
}

/// `publish-dist abandon`: drop the Nexus staging repository and mark the candidate abandoned in
/// dist dev, as a plan in the ledger (key `abandon:<tag>`).
pub fn abandon(common: &CommonArgs, request: &AbandonRequest) -> Result<ExitCode> {
    let o = open(common, &request.tag)?;
    let mut published = GitNotesStore::new(
        o.git.clone(),
        o.remote.clone(),
        &ledger_key(&o.tag),
        &o.commit,
    );
    if published.load()?.is_done(PublishStep::Promote) {
        return Err(Error::Problem(format!(
            "{} was already promoted to dist release by publish-dist; it cannot be abandoned. Withdraw a published release by hand, following the ASF release policy",
            o.tag
        )));
    }
    let cfg = o.project.config.clone();
    let dev = Target::parse(&cfg.expand(&cfg.dist.dev))?;
    let mut steps = Vec::new();
    if let Some(repo) = o.staged.maven.as_ref().map(|m| m.repository.clone()) {
        steps.push(Step::new(
            AbandonStep::MavenDrop,
            "drop the Nexus staging repository",
            json!({"url": cfg.maven.url, "repository": repo}),
        ));
    }
    steps.push(Step::new(
        AbandonStep::MarkAbandoned,
        "mark the candidate abandoned in dist dev (an ABANDONED note beside its files)",
        json!({"url": dev.candidate_url(&o.tag), "reason": request.reason}),
    ));
    let plan = Plan {
        tool: "publish-dist abandon".into(),
        subject: format!("{} {}", cfg.project.name, o.tag),
        steps,
    };
    let mut store = GitNotesStore::new(
        o.git.clone(),
        o.remote.clone(),
        &abandon_key(&o.tag),
        &o.commit,
    );
    let ledger = store.load()?;
    if cli::show_plan(
        common.format,
        &plan,
        &ledger,
        &store.describe(),
        request.dry_run,
    )? {
        return Ok(ExitCode::Ok);
    }
    let env: Vec<(String, String)> = std::env::vars().collect();
    let mut act = steps::Abandoner {
        project: &o.project,
        dev,
        tag: o.tag.clone(),
        env,
    };
    let (_, outcome) = execute::execute(&plan, &mut store, &mut act)?;
    cli::print_outcome("abandoned", &plan, &outcome, &[]);
    Ok(ExitCode::Ok)
}
