//! changelog-check: the CHANGELOG gate for pull requests and release candidates. Reads the
//! CHANGELOG and the version sites (from the work tree or a tag), asks git and JIRA what they
//! know, runs the pure checks of [`crate::model::changelog::checks`] and reports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::ci::Ci;
use crate::cli::{self, CommonArgs};
use crate::error::{Error, ExitCode, Result};
use crate::model::changelog::checks::{self, File, Released};
use crate::model::changelog::{parse, Changelog, Format, HeadingKind};
use crate::model::version::Version;
use crate::model::version_sites::{agreement, check_sites, SiteValue};
use crate::outside::git::Git;
use crate::outside::jira::{self, Jira};
use crate::project::{readiness, Project};
use crate::report::{Check, Finding, Report};

/// What `changelog-check` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct ChangelogRequest {
    /// The version whose section is checked.
    pub version: Option<Version>,
    /// A release candidate or release tag: its version is checked, at the tag's commit when the
    /// tag exists (else in the work tree, about to be tagged), and no WIP marker is allowed.
    pub tag: Option<String>,
    /// Cross-check JIRA at this URL.
    pub jira_url: Option<String>,
    /// Cross-check JIRA at the configured `jira.url`.
    pub jira: bool,
    /// Compare the section with the CHANGELOG at this revision (the other branch).
    pub against: Option<String>,
    /// PR mode: the pull request's base revision.
    pub base: Option<String>,
    pub pr_title: String,
    pub pr_body: String,
    pub pr_labels: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ChangelogError {
    #[error("{path} does not exist in {place}; create it, or point `changelog.file` in release.toml at the project's CHANGELOG")]
    Missing { path: String, place: String },
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not text (a NUL byte on line {line}); point `changelog.file` in release.toml at the project's release notes")]
    NotText { path: String, line: usize },
    #[error("{0}")]
    MalformedHeading(Box<HeadingProblem>),
    #[error("`{rev}` (given to {flag}) is not a commit, branch or tag in {}; fetch it first (e.g. `git fetch origin`) or fix the name", repo.display())]
    BadRevision {
        rev: String,
        flag: &'static str,
        repo: PathBuf,
    },
    #[error("{what} needs a git repository, and {} is not in one; pass the project's repository with --repo", dir.display())]
    NeedsGit { what: &'static str, dir: PathBuf },
}

/// The version's section heading that does not parse.
#[derive(Debug)]
pub struct HeadingProblem {
    pub path: String,
    pub line: usize,
    pub version: Version,
    pub title: String,
    pub reason: String,
    pub expected: String,
}

impl std::fmt::Display for HeadingProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: the section heading for {} does not parse: `{}` ({}); write it as `{}`",
            self.path, self.line, self.version, self.title, self.reason, self.expected
        )
    }
}

impl crate::error::Classify for ChangelogError {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Usage
    }
}

/// Where the CHANGELOG and version sites are read.
enum Source {
    WorkTree,
    Commit { rev: String, commit: String },
}

struct Ctx<'a> {
    project: &'a Project,
    format: Format,
    git: Option<Git>,
    /// The project's directory relative to the repository's top.
    prefix: PathBuf,
    /// The CHANGELOG's path relative to the repository's top, as annotations need it.
    display: String,
    /// Where a CHANGELOG read was not all UTF-8 (line, note), for the report.
    decode_notes: std::cell::RefCell<Vec<(usize, String)>>,
}

impl Ctx<'_> {
    fn git(&self, what: &'static str) -> Result<&Git> {
        self.git.as_ref().ok_or_else(|| {
            ChangelogError::NeedsGit {
                what,
                dir: self.project.root.clone(),
            }
            .into()
        })
    }

    fn resolve(&self, rev: &str, flag: &'static str) -> Result<String> {
        let git = self.git(flag)?;
        let bad = || ChangelogError::BadRevision {
            rev: rev.to_string(),
            flag,
            repo: git.root().to_path_buf(),
        };
        if rev.starts_with('-') {
            return Err(bad().into());
        }
        git.resolve(rev)?.ok_or_else(|| bad().into())
    }

    fn repo_path(&self, file: &str) -> String {
        self.prefix.join(file).to_string_lossy().into_owned()
    }

    /// The CHANGELOG at a commit; `None` when it has none.
    fn changelog_at(&self, commit: &str) -> Result<Option<Changelog>> {
        let git = self.git("reading a revision")?;
        let path = self.repo_path(&self.format.file);
        match git.show(commit, &path)? {
            None => Ok(None),
            Some(bytes) => Ok(Some(parse(&text(self, &bytes)?, &self.format))),
        }
    }

    fn read(&self, source: &Source) -> Result<Changelog> {
        match source {
            Source::WorkTree => {
                let path = self.project.root.join(&self.format.file);
                let cap = crate::outside::fs::PROJECT_FILE_CAP;
                let bytes =
                    crate::outside::fs::read_regular(&path, cap).map_err(|e| match e.kind() {
                        std::io::ErrorKind::NotFound => ChangelogError::Missing {
                            path: self.format.file.clone(),
                            place: self.project.root.display().to_string(),
                        },
                        _ => ChangelogError::Unreadable { path, source: e },
                    })?;
                Ok(parse(&text(self, &bytes)?, &self.format))
            }
            Source::Commit { rev, commit } => self.changelog_at(commit)?.ok_or_else(|| {
                ChangelogError::Missing {
                    path: self.display.clone(),
                    place: format!("{rev} ({})", short(commit)),
                }
                .into()
            }),
        }
    }
}

/// The CHANGELOG's text (the one decoder, `model::changelog::decode`); a part read as Latin-1
/// is remembered for the report. A file with a NUL byte is not release notes at all.
fn text(ctx: &Ctx<'_>, bytes: &[u8]) -> Result<String> {
    if let Some(at) = bytes.iter().position(|b| *b == 0) {
        return Err(ChangelogError::NotText {
            path: ctx.display.clone(),
            line: bytes[..at].iter().filter(|b| **b == b'\n').count() + 1,
        }
        .into());
    }
    let decoded = crate::model::changelog::decode(bytes);
    if let (Some(line), Some(note)) = (decoded.latin1_line, decoded.note(&ctx.display)) {
        let mut notes = ctx.decode_notes.borrow_mut();
        if !notes.iter().any(|(_, n)| *n == note) {
            notes.push((line, note));
        }
    }
    Ok(decoded.text)
}

/// A full commit id shortened for messages; other revisions as given.
fn short_rev(rev: &str) -> &str {
    if rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()) {
        short(rev)
    } else {
        rev
    }
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}

/// The outcome: the report, and an outside failure (JIRA) that decides the exit code.
#[derive(Debug)]
pub struct Outcome {
    pub report: Report,
    pub version: Option<Version>,
    pub section_line: Option<usize>,
    pub failure: Option<Error>,
}

/// Runs every check; the report is complete even when JIRA fails (its check says so).
pub fn check(
    project: &Project,
    request: &ChangelogRequest,
    env: &[(String, String)],
) -> Result<Outcome> {
    let format = project
        .config
        .changelog_format()
        .map_err(|m| Error::Usage(format!("{}: {m}", project.source)))?;
    let git = Git::open(&project.root).ok();
    let prefix = git
        .as_ref()
        .map(|g| g.prefix_of(&project.root))
        .unwrap_or_default();
    let display = prefix.join(&format.file).to_string_lossy().into_owned();
    let ctx = Ctx {
        project,
        format,
        git,
        prefix,
        display,
        decode_notes: Default::default(),
    };
    let name = &project.config.project.name;

    // What is checked, and where.
    let tag = match &request.tag {
        Some(t) => Some((t.clone(), project.scheme.parse(t)?)),
        None => None,
    };
    let mut notes = Vec::new();
    let source = match &tag {
        Some((t, _)) => match ctx.git.as_ref().map(|g| g.tag(t)).transpose()?.flatten() {
            Some(_) => {
                let git = ctx.git("--tag")?;
                let info = git.require_tag(t, project.config.tags.require_annotated)?;
                Source::Commit {
                    rev: format!("tag {t}"),
                    commit: info.commit,
                }
            }
            None => {
                notes.push(format!(
                    "tag {t} does not exist yet: checking the work tree, which is about to be tagged"
                ));
                Source::WorkTree
            }
        },
        None => Source::WorkTree,
    };
    let where_ = match &source {
        Source::WorkTree => format!("the work tree of {}", project.root.display()),
        Source::Commit { rev, commit } => format!("{rev} ({})", short(commit)),
    };
    let cl = ctx.read(&source)?;
    let sites: Vec<SiteValue> = match &source {
        Source::WorkTree => project
            .read_sites()?
            .into_iter()
            .map(|(_, _, v)| v)
            .collect(),
        Source::Commit { commit, .. } => project.read_sites_at(ctx.git("--tag")?, commit)?,
    };
    let (version, from) = match (request.version, &tag) {
        (Some(v), _) => (Some(v), Some(format!("--version {v}"))),
        (None, Some((t, parsed))) => (Some(parsed.version()), Some(format!("tag {t}"))),
        (None, None) => (agreement(&sites).ok(), None),
    };
    let at_tag = tag.as_ref().map(|(t, _)| t.as_str());
    let subject = match (version, at_tag) {
        (Some(v), Some(t)) => format!("{name} {v} ({t}), {} in {where_}", ctx.format.file),
        (Some(v), None) => format!("{name} {v}, {} in {where_}", ctx.format.file),
        (None, _) => format!("{name}, {} in {where_}", ctx.format.file),
    };
    let mut sites_report = check_sites(
        "changelog-check",
        subject.clone(),
        &sites,
        version.zip(from),
    );
    // Site paths are the project's; annotations need the repository's.
    if !ctx.prefix.as_os_str().is_empty() {
        for c in &mut sites_report.checks {
            for f in &mut c.findings {
                if let Some(l) = &mut f.location {
                    l.file = ctx.repo_path(&l.file);
                }
            }
        }
    }
    let mut report = Report::new("changelog-check", subject);
    let file = File(&ctx.display);
    let expected = |v: Version| {
        ctx.format
            .render_heading(v, &project.config.project.display_name, name)
    };

    let Some(version) = version else {
        report.push(
            Check::new(checks::SECTION, "the CHANGELOG has a section for the version")
                .skipped("no version to check: the version sites disagree; make them agree, or pass --version or --tag"),
        );
        for c in sites_report.checks {
            report.push(c);
        }
        return Ok(Outcome {
            report,
            version: None,
            section_line: None,
            failure: None,
        });
    };

    // A heading meant for this version that does not parse is bad input, not a finding.
    if cl.section(version).is_none() {
        let v = version.to_string();
        let two = format!("{}.{}", version.major, version.minor);
        if let Some(s) = cl.sections.iter().find(|s| {
            matches!(s.kind, HeadingKind::Malformed { .. })
                && (s.version_text.contains(&v) || s.version_text == two)
        }) {
            let HeadingKind::Malformed { reason } = &s.kind else {
                unreachable!("filtered above")
            };
            return Err(ChangelogError::MalformedHeading(Box::new(HeadingProblem {
                path: ctx.display.clone(),
                line: s.line,
                version,
                title: s.title.clone(),
                reason: reason.clone(),
                expected: expected(version),
            }))
            .into());
        }
    }

    let mut section_check =
        checks::section(&cl, file, version, at_tag, &ctx.format, &expected(version));
    for n in notes {
        section_check.push(Finding::notice(n, file.at(1)));
    }
    for (line, n) in ctx.decode_notes.borrow().iter() {
        section_check.push(Finding::notice(n.clone(), file.at(*line)));
    }
    report.push(section_check);
    report.push(checks::headings(
        &cl,
        file,
        &project.config.changelog.heading,
    ));
    for c in sites_report.checks {
        report.push(c);
    }
    let section = cl.section(version);
    let section_line = section.map(|s| s.line);
    match section {
        Some(s) => {
            report.push(checks::structure(
                s,
                file,
                &ctx.format,
                at_tag.is_some() || !s.wip,
            ));
            report.push(checks::issue_keys(
                s,
                file,
                &ctx.format,
                &project.config.jira.project,
            ));
        }
        None => {
            let why = format!("no section for {version}");
            report.push(
                Check::new(
                    checks::STRUCTURE,
                    "the section has the blocks its kind of release needs",
                )
                .skipped(&why),
            );
            report.push(
                Check::new(
                    checks::ISSUE_KEYS,
                    "issue keys in the section are well-formed and listed once",
                )
                .skipped(&why),
            );
        }
    }

    // The pre-tag readiness checks of [readiness] (the rc gate only).
    if let (Some(_), Some(git)) = (at_tag, ctx.git.as_ref()) {
        let tree = match &source {
            Source::WorkTree => readiness::Tree::WorkTree,
            Source::Commit { rev, commit } => readiness::Tree::Commit {
                commit: commit.clone(),
                label: rev.clone(),
            },
        };
        for c in readiness::checks(project, git, &tree, version)? {
            report.push(c);
        }
    }

    // JIRA.
    let mut failure = None;
    let jira_url = request
        .jira_url
        .clone()
        .or_else(|| request.jira.then(|| project.config.jira.url.clone()));
    let jira_title = "the section lists what JIRA says was fixed in the version";
    match (jira_url, section) {
        (None, _) => report.push(
            Check::new(checks::JIRA, jira_title)
                .skipped("not asked (pass --jira-url URL or --jira)"),
        ),
        (Some(_), None) => report.push(
            Check::new(checks::JIRA, jira_title)
                .skipped(format!("no section for {version} to compare")),
        ),
        (Some(url), Some(s)) => {
            let listed: Vec<String> = s.resolved_keys().map(|k| k.key.clone()).collect();
            match jira_facts(project, &url, version, &listed, env) {
                Ok(facts) => {
                    let invalid: Vec<String> = project
                        .config
                        .jira
                        .invalid_resolutions
                        .split(',')
                        .map(|r| r.trim().to_string())
                        .filter(|r| !r.is_empty())
                        .collect();
                    report.push(checks::jira(s, file, &facts, &invalid));
                }
                Err(e) => {
                    let mut c = Check::new(checks::JIRA, jira_title);
                    c.push(Finding::error(
                        format!("the cross-check could not run: {e}"),
                        file.at(s.line),
                    ));
                    report.push(c.with_summary(format!("JIRA at {url} failed")));
                    failure = Some(Error::from(e));
                }
            }
        }
    }

    // The other branch.
    if let Some(against) = &request.against {
        let commit = ctx.resolve(against, "--against")?;
        let there = ctx.changelog_at(&commit)?;
        report.push(checks::branch_sync(
            &cl,
            there.as_ref(),
            file,
            version,
            against,
        ));
    }

    // PR mode.
    if let Some(base) = &request.base {
        let commit = ctx.resolve(base, "--base")?;
        let git = ctx.git("--base")?;
        let prefix = ctx.prefix.to_string_lossy().into_owned();
        let changed: Vec<String> = git
            .changed_since(&commit)?
            .into_iter()
            .filter_map(|p| {
                if prefix.is_empty() {
                    Some(p)
                } else {
                    p.strip_prefix(&format!("{prefix}/")).map(str::to_string)
                }
            })
            .collect();
        let skip = checks::skip_reason(
            &ctx.format,
            &request.pr_title,
            &request.pr_body,
            &request.pr_labels,
        );
        report.push(checks::pr_updated(
            &changed,
            &ctx.format.file,
            file,
            section_line
                .or(cl.sections.first().map(|s| s.line))
                .unwrap_or(1),
            &ctx.format,
            skip,
        ));
        let before = ctx.changelog_at(&commit)?;
        let released = released_sections(&ctx, before.as_ref(), &cl, git)?;
        report.push(checks::pr_released(
            before.as_ref(),
            &cl,
            file,
            &released,
            short_rev(base),
        ));
    }

    Ok(Outcome {
        report,
        version: Some(version),
        section_line,
        failure,
    })
}

/// The released versions (those with a release tag) whose sections differ between `before` and
/// `after`, each with its section as tagged.
fn released_sections(
    ctx: &Ctx,
    before: Option<&Changelog>,
    after: &Changelog,
    git: &Git,
) -> Result<BTreeMap<Version, Released>> {
    let tags: BTreeSet<String> = git.tag_names()?.into_iter().collect();
    let versions: BTreeSet<Version> = before
        .iter()
        .flat_map(|b| b.sections.iter())
        .chain(after.sections.iter())
        .filter_map(|s| s.version())
        .collect();
    let text = |cl: Option<&Changelog>, v: Version| {
        cl.and_then(|c| c.section(v).map(|s| checks::section_text(c, s)))
            .map(|l| l.into_iter().map(|(_, t)| t).collect::<Vec<_>>())
    };
    let mut out = BTreeMap::new();
    for v in versions {
        let tag = ctx.project.scheme.release_tag(v);
        if !tags.contains(&tag) || text(before, v) == text(Some(after), v) {
            continue;
        }
        let at_tag = ctx
            .changelog_at(&format!("refs/tags/{tag}"))?
            .and_then(|c| c.section(v).map(|s| checks::section_text(&c, s)));
        out.insert(v, Released { tag, at_tag });
    }
    Ok(out)
}

fn jira_facts(
    project: &Project,
    url: &str,
    version: Version,
    listed: &[String],
    env: &[(String, String)],
) -> std::result::Result<crate::model::jira::Facts, jira::JiraError> {
    let auth = jira::auth_from_env(env);
    if let Some(a) = &auth {
        use secrecy::ExposeSecret;
        let ci = Ci::detect();
        match a {
            crate::outside::http::Auth::Basic { password, .. } => ci.mask(password.expose_secret()),
            crate::outside::http::Auth::Bearer(token) => ci.mask(token.expose_secret()),
        }
    }
    let c = &project.config.jira;
    let client = Jira::new(url, &c.project, &c.target_version_field, c.page_size, auth)?;
    tracing::info!("asking JIRA at {url} about {} {version}", c.project);
    crate::outside::http::block_on(client.facts(version, listed))
}

/// Runs `changelog-check` end to end: the library side of the binary.
pub fn run(common: &CommonArgs, request: ChangelogRequest) -> Result<ExitCode> {
    let ci = Ci::detect();
    let project = common.project()?;
    let env: Vec<(String, String)> = std::env::vars().collect();
    let outcome = check(&project, &request, &env)?;
    if let Some(v) = outcome.version {
        ci.set_output("version", &v.to_string())?;
    }
    if let Some(line) = outcome.section_line {
        ci.set_output("section-line", &line.to_string())?;
    }
    let code = cli::emit_report(&outcome.report, common, &ci)?;
    match outcome.failure {
        Some(e) => Err(e),
        None => Ok(code),
    }
}
