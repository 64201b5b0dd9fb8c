//! publish-dist's `tally`: reads the [VOTE] thread (a file or an https URL), the roster and the
//! stage-rc ledger (for the recorded deadline), counts with `model::tally`, and writes the
//! tally files, the [RESULT][VOTE] email and CI outputs.
//!
//! CONTRACT (publish-dist relies on it): [`TallyRequest`], [`evaluate`], [`Outcome`], [`run`].

use std::path::PathBuf;

use jiff::Timestamp;
use serde::Serialize;

use crate::ci::Ci;
use crate::cli::{self, CommonArgs, Format};
use crate::engine::candidate::{StageStep, VoteEmail};
use crate::error::{Error, ExitCode, Result};
use crate::model::tally::{count, render, roster, text, thread, TallyError};
use crate::model::vote;
use crate::project::Project;
use crate::report::Severity;

/// What the user asked for (shared by `publish-dist tally` and `publish-dist`).
#[derive(Debug, Clone)]
pub struct TallyRequest {
    pub tag: String,
    /// An mbox file, a Pony Mail thread JSON file, or an https URL of either.
    pub thread: String,
    /// The roster file; `None`: `vote.roster`.
    pub roster: Option<PathBuf>,
    /// Where tally.{txt,md,json} and result-email.eml are written.
    pub out: PathBuf,
}

/// One counted voter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Voter {
    /// The name for the [RESULT] email (the roster's name when binding, else the sender's).
    pub name: String,
    pub email: String,
    pub binding: bool,
    /// `+1`, `+0`, `0`, `-0` or `-1`; for a voter left open by an ambiguous message, every
    /// reading joined with ` or ` (e.g. `+1 or -1`).
    pub vote: String,
    /// The date of the message holding the counted vote (RFC 3339).
    pub date: String,
    /// That message's Message-ID (without angle brackets).
    pub message_id: String,
    /// Earlier different votes of the same voter, oldest first (a changed vote).
    pub changed_from: Vec<String>,
}

/// The counted vote, as publish-dist needs it.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The vote closed and passed under the policy.
    pub passed: bool,
    /// Why it did not pass, or what a human must look at; empty when it passed cleanly.
    pub reasons: Vec<String>,
    /// Every counted voter (last vote each), in order of their message dates.
    pub voters: Vec<Voter>,
    /// The [RESULT][VOTE] email (a reply to the [VOTE] thread).
    pub result_email: crate::emails::Email,
    /// The whole tally as JSON (what `--format json` prints); recorded in the publish ledger.
    pub json: serde_json::Value,
    /// The deadline has passed (a vote that is still open never passes).
    pub closed: bool,
    /// Clear binding +1 and -1 votes.
    pub binding_plus: usize,
    pub binding_minus: usize,
    /// The deadline (RFC 3339).
    pub deadline: String,
    /// The [VOTE] message: its subject and Message-ID (without angle brackets).
    pub vote_subject: String,
    pub vote_message_id: String,
    /// The tally as text and as Markdown (for a job summary).
    pub text: String,
    pub markdown: String,
}

fn is_loopback(url: &str) -> bool {
    let rest = url.strip_prefix("http://").unwrap_or_default();
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host);
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// The thread's bytes: a file, or an https URL (plain http only on this machine, for tests).
fn read_thread(source: &str) -> Result<Vec<u8>> {
    if source.starts_with("http://") && !is_loopback(source) {
        return Err(TallyError::InsecureUrl {
            url: source.to_string(),
        }
        .into());
    }
    let location = crate::verify::location::Location::parse(source);
    if let crate::verify::location::Location::Path(path) = &location {
        return std::fs::read(path).map_err(|e| {
            Error::Usage(format!(
                "cannot read the [VOTE] thread {} ({e}); pass the thread as an mbox file, a Pony Mail thread JSON file or an https URL",
                path.display()
            ))
        });
    }
    location.read("[VOTE] thread archive")
}

/// What stage-rc recorded for the tag: the [VOTE] subject, the vote start and the deadline;
/// and the tag's tagger. Nothing when the tag or its ledger is not here.
struct Recorded {
    subject: Option<String>,
    vote_start: Option<Timestamp>,
    deadline: Option<Timestamp>,
    tagger: Option<String>,
    why_not: Option<String>,
}

fn read_ledger(project: &Project, tag: &str) -> Result<Recorded> {
    let mut rec = Recorded {
        subject: None,
        vote_start: None,
        deadline: None,
        tagger: None,
        why_not: None,
    };
    let git = match project.git() {
        Ok(g) => g,
        Err(e) => {
            rec.why_not = Some(format!(
                "{} is not a git repository ({e})",
                project.root.display()
            ));
            return Ok(rec);
        }
    };
    let Some(info) = git.tag(tag)? else {
        rec.why_not = Some(format!("tag {tag} is not in {}", project.root.display()));
        return Ok(rec);
    };
    rec.tagger = info
        .tagger
        .as_ref()
        .map(|p| format!("{} <{}>", p.name, p.email));
    let remotes = git
        .command("list the remotes")
        .arg("remote")
        .run()
        .map_err(crate::outside::git::GitError::from)?
        .stdout_str();
    let remote = Some(project.config.tags.remote.clone())
        .filter(|r| !r.is_empty() && remotes.lines().any(|l| l.trim() == r));
    let mut store = crate::engine::git_notes::GitNotesStore::new(git, remote, tag, &info.commit);
    let ledger = crate::engine::ledger::LedgerStore::load(&mut store)?;
    let vote: Option<VoteEmail> = ledger.outputs(StageStep::VoteEmail)?;
    let Some(vote) = vote else {
        rec.why_not = Some(format!(
            "the ledger of {tag} has no finished vote-email step"
        ));
        return Ok(rec);
    };
    let time = |v: &str| -> Result<Timestamp, TallyError> {
        v.parse::<Timestamp>().map_err(|_| TallyError::BadLedger {
            tag: tag.to_string(),
            value: v.to_string(),
        })
    };
    rec.deadline = Some(time(&vote.deadline)?);
    rec.vote_start = Some(time(&vote.vote_start)?);
    rec.subject = Some(vote.subject);
    Ok(rec)
}

#[derive(Debug, Serialize)]
struct ResultContext {
    vote_subject: String,
    display_name: String,
    version: String,
    rc: u32,
    state: &'static str,
    deadline: String,
    groups: Vec<render::Group>,
    no_zero_or_minus: bool,
    release_url: String,
    changelog_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    maven_url: Option<String>,
    maven_artifact: String,
    sender_name: String,
    wording: crate::config::Wording,
}

/// Reads the thread and the roster and counts the votes. Errors: a bad thread, roster or
/// configuration (exit 2), a URL that cannot be fetched (exit 3). A failed or unclosed vote is
/// an `Ok` outcome with `passed: false`.
pub(crate) fn evaluate(
    project: &Project,
    request: &TallyRequest,
    env: &[(String, String)],
) -> Result<Outcome> {
    let cfg = &project.config;
    let (version, rc) = project.scheme.parse_candidate(&request.tag)?;
    let now = crate::outside::clock::now_from(env)?;
    let policy = count::Policy {
        rule: if cfg.vote.policy == "majority" {
            count::Rule::Majority
        } else {
            count::Rule::Mesos
        },
        min_binding: usize::try_from(cfg.vote.min_binding).unwrap_or(usize::MAX),
    };
    let roster_path = match &request.roster {
        Some(p) => p.clone(),
        None if !cfg.vote.roster.trim().is_empty() => project.root.join(&cfg.vote.roster),
        None => return Err(TallyError::NoRoster.into()),
    };
    let roster = roster::Roster::load(&roster_path)?;
    let recorded = read_ledger(project, &request.tag)?;
    let bytes = read_thread(&request.thread)?;
    let mails = thread::parse(&bytes, &request.thread)?;
    let default_subject = format!(
        "[VOTE] Release {} {version} (rc{rc})",
        cfg.wording().product
    );
    let wanted = thread::Wanted {
        display_name: cfg.project.display_name.clone(),
        version: version.to_string(),
        rc,
        subject: recorded.subject.clone().unwrap_or(default_subject),
    };
    let th = thread::select(mails, &wanted, &request.thread)?;
    let mut notes = th.notes.clone();
    let (deadline, source) = match recorded.deadline {
        Some(d) => {
            if let Some(start) = recorded.vote_start {
                if th.root.date.as_second() > start.as_second() + 3600 {
                    notes.push(format!(
                        "the [VOTE] message was sent at {}, after the vote start stage-rc recorded ({}); the recorded deadline is used",
                        count::utc(th.root.date),
                        count::utc(start)
                    ));
                }
            }
            (d, "ledger")
        }
        None => {
            let cal = vote::Calendar::new(
                &cfg.vote.time_zone,
                &cfg.vote.holidays,
                cfg.vote.min_hours,
                cfg.vote.business_days,
            )?;
            notes.push(format!(
                "no stage-rc ledger ({}): the deadline is computed from the [VOTE] message's date {} with the vote calendar ({} business days, at least {} hours, {})",
                recorded.why_not.as_deref().unwrap_or("none recorded"),
                count::utc(th.root.date),
                cfg.vote.business_days,
                cfg.vote.min_hours,
                cfg.vote.time_zone
            ));
            (vote::deadline(th.root.date, &cal)?, "vote-message-date")
        }
    };
    let tally = count::count(&th, &roster, policy, deadline, now);
    let header = render::Header {
        tag: request.tag.clone(),
        display_name: cfg.project.display_name.clone(),
        version: version.to_string(),
        rc,
        vote_subject: th.root.subject.clone(),
        vote_message_id: th.root.message_id.clone(),
        thread: request.thread.clone(),
        roster: roster_path.display().to_string(),
        deadline_source: source.to_string(),
        notes,
    };
    let mut json = render::json(&header, &tally);

    // The [RESULT] email.
    let from = if !cfg.mail.from.trim().is_empty() {
        cfg.mail.from.clone()
    } else if let Some(t) = &recorded.tagger {
        t.clone()
    } else if th.root.from_name.is_empty() {
        th.root.from_addr.clone()
    } else {
        format!("{} <{}>", th.root.from_name, th.root.from_addr)
    };
    let sender_name = thread::split_address(&from).0;
    let sender_name = if sender_name.is_empty() {
        thread::split_address(&from).1
    } else {
        sender_name
    };
    let (groups, mut no_zero_or_minus) = render::result_groups(&tally);
    no_zero_or_minus &= !tally.messages.iter().any(|m| {
        matches!(m.status, count::Status::Late | count::Status::AfterClose)
            && m.readings.iter().any(|r| *r != Some(text::Value::PlusOne))
    });
    let release_tag = project.scheme.release_tag(version);
    let maven_url = cfg.maven.enabled().then(|| {
        let u = cfg.maven.url.trim_end_matches('/');
        u.strip_suffix("/service/local").unwrap_or(u).to_string()
    });
    let ctx = ResultContext {
        vote_subject: th.root.subject.clone(),
        display_name: cfg.project.display_name.clone(),
        version: version.to_string(),
        rc,
        state: if tally.passed {
            "passed"
        } else if !tally.closed && !tally.cancelled {
            "open"
        } else {
            "failed"
        },
        deadline: count::utc(deadline),
        groups,
        no_zero_or_minus,
        release_url: format!(
            "{}/{version}",
            cfg.expand(&cfg.dist.release).trim_end_matches('/')
        ),
        changelog_url: cfg
            .expand(&cfg.vote.changelog_url)
            .replace("{tag}", &release_tag),
        maven_url,
        maven_artifact: format!(
            "{}:{}",
            cfg.expand(&cfg.maven.group_id),
            cfg.expand(&cfg.maven.artifact_id)
        ),
        sender_name,
        wording: cfg.wording(),
    };
    let digest = crate::engine::plan::digest(&serde_json::Value::from(th.root.message_id.clone()));
    let headers = crate::emails::Headers {
        from,
        to: cfg.expand(&cfg.mail.dev),
        cc: String::new(),
        date: vote::rfc5322_date(now),
        message_id: format!(
            "<publish-dist.result.{}.{}@{}>",
            request.tag,
            &digest[..12],
            cfg.project.name
        ),
        in_reply_to: format!("<{}>", th.root.message_id),
    };
    let (origin, template) = match cfg
        .template_file(
            &project.root,
            &cfg.wording.result_template,
            "wording.result_template",
        )
        .map_err(Error::Usage)?
    {
        Some(file) => file,
        None => (
            "the built-in [RESULT] template".to_string(),
            crate::emails::result::TEMPLATE.to_string(),
        ),
    };
    let result_email = crate::emails::render_email(&template, &origin, &ctx, &headers)?;
    json["result_email"] = serde_json::json!({
        "file": "result-email.eml",
        "subject": result_email.subject,
        "message_id": headers.message_id,
        "in_reply_to": headers.in_reply_to,
    });
    let voters = tally
        .voters
        .iter()
        .map(|v| Voter {
            name: v.name.clone(),
            email: v.email.clone(),
            binding: v.binding,
            vote: match v.vote {
                Some(x) => x.to_string(),
                None => v
                    .readings
                    .iter()
                    .map(|r| r.map(text::Value::as_str).unwrap_or("none"))
                    .collect::<Vec<_>>()
                    .join(" or "),
            },
            date: v.date.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            message_id: v.message_id.clone(),
            changed_from: v.changed_from.iter().map(|x| x.to_string()).collect(),
        })
        .collect();
    Ok(Outcome {
        passed: tally.passed,
        reasons: tally.reasons.clone(),
        voters,
        result_email,
        json,
        closed: tally.closed,
        binding_plus: tally.binding_plus,
        binding_minus: tally.binding_minus,
        deadline: deadline.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        vote_subject: th.root.subject.clone(),
        vote_message_id: th.root.message_id.clone(),
        text: render::text(&header, &tally),
        markdown: render::markdown(&header, &tally),
    })
}

fn write(path: &std::path::Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| Error::io("write", path, e))
}

/// `publish-dist tally`: evaluate, print the table in `--format`, write the files, set the CI
/// outputs (`passed`, `binding-plus`, `binding-minus`, `result-email`) and the job summary.
/// Exit 0 passed, 1 failed or not yet closed, 2 bad thread.
pub fn run(common: &CommonArgs, request: &TallyRequest) -> Result<ExitCode> {
    let ci = Ci::detect();
    let project = common.project()?;
    let env: Vec<(String, String)> = std::env::vars().collect();
    let outcome = evaluate(&project, request, &env)?;
    std::fs::create_dir_all(&request.out).map_err(|e| {
        Error::Usage(format!(
            "--out {} cannot be created ({e}); pass a directory you can write to",
            request.out.display()
        ))
    })?;
    let json_text = format!(
        "{}\n",
        serde_json::to_string_pretty(&outcome.json).unwrap_or_default()
    );
    let email_path = request.out.join("result-email.eml");
    write(&request.out.join("tally.json"), &json_text)?;
    write(&request.out.join("tally.txt"), &outcome.text)?;
    write(&request.out.join("tally.md"), &outcome.markdown)?;
    write(&email_path, &outcome.result_email.eml)?;
    // Errors first: what a CI log reader acts on.
    for (i, r) in outcome.reasons.iter().enumerate() {
        let severity = if !outcome.passed && i == 0 {
            Severity::Error
        } else {
            Severity::Warning
        };
        ci.annotate(severity, None, None, "vote tally", r);
    }
    for (k, v) in [
        ("passed", outcome.passed.to_string()),
        ("binding-plus", outcome.binding_plus.to_string()),
        ("binding-minus", outcome.binding_minus.to_string()),
        ("result-email", email_path.display().to_string()),
    ] {
        ci.set_output(k, &v)?;
    }
    ci.summary(&format!(
        "{}\n### [RESULT] email\n\n```\n{}\n```\n",
        outcome.markdown,
        outcome.result_email.eml.replace("\r\n", "\n").trim_end()
    ))?;
    let printed = match common.format {
        // `--format` offers csv only to bench-compare.
        Format::Text | Format::Csv => outcome.text.clone(),
        Format::Markdown => outcome.markdown.clone(),
        Format::Json => json_text,
    };
    cli::print_stdout(&printed);
    tracing::info!(
        "wrote {} and the tally (tally.json, tally.txt, tally.md) to {}",
        email_path.display(),
        request.out.display()
    );
    Ok(if outcome.passed {
        ExitCode::Ok
    } else {
        ExitCode::Problems
    })
}
