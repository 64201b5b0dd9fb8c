//! distcheck from a clean tag: check the tag out into a temporary worktree, check that its
//! version sites and CHANGELOG agree with it, run the project's recipe (`make distcheck` for
//! Mesos) with the output streamed and logged, and compare the tarball it makes with the tag's
//! tree (the classic "forgot EXTRA_DIST"). The recipe runner and the tree comparison are shared
//! with `candidate` (`--rebuild`, `--build`, content against the tag).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Serialize;

use crate::ci::Ci;
use crate::cli::{self, CommonArgs};
use crate::config::Config;
use crate::error::{Error, ExitCode, Result};
use crate::model::version::Version;
use crate::model::version_sites::check_sites;
use crate::outside::git::{self, Git, TagInfo, TreeEntry};
use crate::outside::process::{human_duration, Cmd, CmdError};
use crate::project::{readiness, Project};
use crate::report::{Check, Finding, Location, Report};
use crate::verify::archive::{self, Entry, EntryKind, Kind, Limits};
use crate::verify::licence;

/// Which files may be on one side only: generated files (in the tarball, not in git) and
/// undistributed files (in git, not in the tarball).
#[derive(Debug, Clone)]
pub struct Allowlist {
    generated: GlobSet,
    undistributed: GlobSet,
}

fn globset(globs: &[String]) -> std::result::Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(
            GlobBuilder::new(g)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("`{g}`: {e}"))?,
        );
    }
    b.build().map_err(|e| e.to_string())
}

impl Allowlist {
    pub fn new(
        generated: &[String],
        undistributed: &[String],
    ) -> std::result::Result<Self, String> {
        Ok(Allowlist {
            generated: globset(generated)?,
            undistributed: globset(undistributed)?,
        })
    }

    /// The configured lists: the built-in (or replaced) `generated` and `undistributed`, plus
    /// `extra_generated` and `extra_undistributed`.
    pub(crate) fn from_config(config: &Config) -> Result<Self> {
        Allowlist::with_generated(config, &[])
    }

    /// [`Allowlist::from_config`] plus what the project's `configure.ac` (or `configure.in`)
    /// at `rev` says autoconf generates: its `AC_CONFIG_AUX_DIR` and m4 macro directories.
    /// `prefix` is the project's directory below the repository's top.
    pub(crate) fn at(config: &Config, git: &Git, rev: &str, prefix: &Path) -> Result<Self> {
        let mut more = Vec::new();
        for file in ["configure.ac", "configure.in"] {
            if let Some(bytes) = git.show(rev, &prefix.join(file).to_string_lossy())? {
                more = super::aux_dir::generated_globs(&String::from_utf8_lossy(&bytes));
                break;
            }
        }
        Allowlist::with_generated(config, &more)
    }

    fn with_generated(config: &Config, more: &[String]) -> Result<Self> {
        let d = &config.distcheck;
        let generated: Vec<String> = d
            .generated
            .iter()
            .chain(&d.extra_generated)
            .chain(more)
            .cloned()
            .collect();
        let undistributed: Vec<String> = d
            .undistributed
            .iter()
            .chain(&d.extra_undistributed)
            .cloned()
            .collect();
        Allowlist::new(&generated, &undistributed)
            .map_err(|e| Error::Usage(format!("distcheck globs: {e}")))
    }

    pub(crate) fn is_generated(&self, path: &str) -> bool {
        self.generated.is_match(path)
    }

    pub(crate) fn is_undistributed(&self, path: &str) -> bool {
        self.undistributed.is_match(path)
    }
}

/// How a tarball's files compare with a git tree.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TreeDiff {
    /// Files in both with the same bytes.
    pub identical: usize,
    /// Files in both whose bytes differ.
    pub differ: Vec<String>,
    /// In git, not in the tarball, not allowlisted ("forgot EXTRA_DIST").
    pub missing: Vec<String>,
    /// In git, not in the tarball, allowlisted as undistributed.
    pub undistributed: Vec<String>,
    /// In the tarball, not in git, not allowlisted as generated.
    pub unexpected: Vec<String>,
    /// In the tarball, not in git, allowlisted as generated.
    pub generated: Vec<String>,
    /// In git and in the tarball but different, allowlisted as generated: a generated file the
    /// project commits (an imported tarball, a committed `configure`) that the build made again.
    pub regenerated: Vec<String>,
}

impl TreeDiff {
    pub(crate) fn is_clean(&self) -> bool {
        self.differ.is_empty() && self.missing.is_empty() && self.unexpected.is_empty()
    }
}

/// Strips the top directory from an archive path.
fn below_top(path: &str) -> Option<&str> {
    path.split_once('/')
        .map(|(_, rest)| rest)
        .filter(|r| !r.is_empty())
}

/// Compares a tarball's entries (with blob ids) with a git tree. Pure.
pub(crate) fn compare_trees(tree: &[TreeEntry], entries: &[Entry], allow: &Allowlist) -> TreeDiff {
    // Contents of the tarball by path below the top directory; hard links take their target's id.
    let mut by_path: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    let ids: BTreeMap<&str, Option<&str>> = entries
        .iter()
        .map(|e| (e.path.as_str(), e.id.as_deref()))
        .collect();
    for e in entries {
        let Some(rel) = below_top(&e.path) else {
            continue;
        };
        let id = match &e.kind {
            EntryKind::Dir => continue,
            EntryKind::File { .. } | EntryKind::Symlink { .. } => e.id.as_deref(),
            EntryKind::Hardlink { target } => archive::normalise(target)
                .ok()
                .and_then(|t| ids.get(t.as_str()).copied().flatten()),
        };
        by_path.insert(rel, id);
    }
    let mut diff = TreeDiff::default();
    let mut in_git = std::collections::HashSet::new();
    for t in tree {
        if t.kind == git::EntryKind::Submodule {
            continue;
        }
        in_git.insert(t.path.as_str());
        match by_path.get(t.path.as_str()) {
            Some(id) => {
                if *id == Some(t.id.as_str()) {
                    diff.identical += 1;
                } else if allow.is_generated(&t.path) {
                    diff.regenerated.push(t.path.clone());
                } else {
                    diff.differ.push(t.path.clone());
                }
            }
            None if allow.is_undistributed(&t.path) => diff.undistributed.push(t.path.clone()),
            None => diff.missing.push(t.path.clone()),
        }
    }
    for path in by_path.keys().filter(|p| !in_git.contains(*p)) {
        if allow.is_generated(path) {
            diff.generated.push(path.to_string());
        } else {
            diff.unexpected.push(path.to_string());
        }
    }
    diff
}

/// The report check of a tree comparison.
pub(crate) fn tree_check(diff: &TreeDiff, tarball: &str, tag: &str) -> Check {
    let mut c = Check::new(
        "contents-match-tag",
        "every file of the tarball is the tag's, byte for byte",
    );
    for p in &diff.differ {
        c.push(Finding::error(
            format!("{p} differs from the file at tag {tag}"),
            Some(Location::new(p.clone(), None)),
        ));
    }
    for p in &diff.missing {
        c.push(Finding::error(
            format!("{p} is in git at {tag} but not in {tarball}; add it to the distribution (EXTRA_DIST in Makefile.am), or list it in distcheck.extra_undistributed"),
            Some(Location::new(p.clone(), None)),
        ));
    }
    for p in &diff.unexpected {
        c.push(Finding::error(
            format!("{p} is in {tarball} but not in git at {tag} and is not a known generated file; remove it from the distribution, or list it in distcheck.extra_generated"),
            Some(Location::new(p.clone(), None)),
        ));
    }
    if !diff.regenerated.is_empty() {
        c.push(Finding::warning(
            format!(
                "{} generated file(s) committed in git were made again by the build and differ from git at {tag}: {}; check them by hand, or stop committing generated files",
                diff.regenerated.len(),
                abbreviate(&diff.regenerated)
            ),
            None,
        ));
    }
    if !diff.generated.is_empty() {
        c.push(Finding::notice(
            format!(
                "{} generated file(s) only in the tarball: {}",
                diff.generated.len(),
                abbreviate(&diff.generated)
            ),
            None,
        ));
    }
    if !diff.undistributed.is_empty() {
        c.push(Finding::notice(
            format!(
                "{} file(s) in git deliberately not distributed: {}",
                diff.undistributed.len(),
                abbreviate(&diff.undistributed)
            ),
            None,
        ));
    }
    c.summary = if diff.is_clean() {
        format!(
            "{} files identical to tag {tag}; {} generated, {} not distributed",
            diff.identical,
            diff.generated.len(),
            diff.undistributed.len()
        )
    } else {
        format!(
            "{} differ, {} missing from the tarball, {} unexpected in it ({} identical)",
            diff.differ.len(),
            diff.missing.len(),
            diff.unexpected.len(),
            diff.identical
        )
    };
    c
}

fn abbreviate(paths: &[String]) -> String {
    let shown: Vec<&str> = paths.iter().take(8).map(String::as_str).collect();
    if paths.len() > shown.len() {
        format!(
            "{}, ... ({} more)",
            shown.join(", "),
            paths.len() - shown.len()
        )
    } else {
        shown.join(", ")
    }
}

/// The safety and layout checks of a scanned archive: `archive-safety` and `layout`.
pub(crate) fn archive_checks(
    scan: &archive::Scan,
    top_dir: &str,
    required: &[String],
) -> Vec<Check> {
    archive_checks_with(
        scan,
        &archive::Layout {
            expected: top_dir.to_string(),
            required: required.to_vec(),
            inferred_version: None,
        },
    )
}

/// [`archive_checks`] with the layout rule given whole (see [`archive::Layout`]).
pub(crate) fn archive_checks_with(scan: &archive::Scan, rule: &archive::Layout) -> Vec<Check> {
    let top_dir = rule.expected.as_str();
    let mut safety = Check::new(
        "archive-safety",
        "no absolute paths, `..`, escaping links, device files, duplicates or decompression bombs",
    );
    for v in &scan.violations {
        safety.push(Finding::error(
            v.message(),
            v.path().map(|p| Location::new(p, None)),
        ));
    }
    safety.summary = if scan.violations.is_empty() {
        format!(
            "{} entries, {} bytes unpacked from {}",
            scan.entries.len(),
            scan.unpacked,
            scan.packed
        )
    } else {
        format!("{} problem(s)", scan.violations.len())
    };
    let mut layout = Check::new(
        "layout",
        "one top-level directory name-version/, holding the required files",
    );
    let problems = scan.check_layout_with(rule);
    for v in &problems {
        layout.push(Finding::error(
            v.message(),
            v.path().map(|p| Location::new(p, None)),
        ));
    }
    layout.summary = if problems.is_empty() {
        let tops = scan.top_dirs();
        let top = tops.iter().next().map(String::as_str).unwrap_or(top_dir);
        let required = &rule.required;
        if rule.inferred_version.is_some() {
            if top != top_dir {
                layout.push(Finding::notice(
                    format!("the file name suggests `{top_dir}/`; the archive's one top directory `{top}/` carries the same version"),
                    None,
                ));
            }
            format!(
                "everything under {top}/, with a license file (inferred from the file name, no configuration; NOTICE not required)"
            )
        } else {
            format!("everything under {top_dir}/, with {}", required.join(", "))
        }
    } else {
        format!("{} problem(s)", problems.len())
    };
    vec![safety, layout]
}

/// How a recipe runs.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub jobs: usize,
    pub timeout: Duration,
    /// The full log (appended).
    pub log: PathBuf,
    /// Copy the output live to stderr.
    pub echo: bool,
}

/// Runs shell command lines in `dir` one after the other, one check per command, stopping at
/// the first failure (the rest are skipped). `what` names the checks, e.g. `recipe`.
pub(crate) fn run_commands(
    what: &str,
    commands: &[String],
    dir: &Path,
    config: &Config,
    opts: &RunOptions,
    ci: &Ci,
) -> (Vec<Check>, bool) {
    let mut checks = Vec::new();
    let mut ok = true;
    for (i, raw) in commands.iter().filter(|c| !c.trim().is_empty()).enumerate() {
        let line = raw.replace("{jobs}", &opts.jobs.to_string());
        let mut check = Check::new(format!("{what}-{}", i + 1), line.clone());
        if !ok {
            checks.push(check.skipped("an earlier step failed"));
            continue;
        }
        let mut cmd = Cmd::new("sh", format!("{what} step {}: {line}", i + 1))
            .args(["-c", &line])
            .current_dir(dir);
        if !config.distcheck.configure_flags.is_empty() {
            cmd = cmd.env(
                "DISTCHECK_CONFIGURE_FLAGS",
                &config.distcheck.configure_flags,
            );
        }
        for e in &config.distcheck.env {
            if let Some((k, v)) = e.split_once('=') {
                cmd = cmd.env(k, v);
            }
        }
        ci.group_start(&format!("{what}: {line}"));
        let result = cmd.timeout(opts.timeout).stream(&opts.log, opts.echo);
        ci.group_end();
        let log = opts.log.display();
        match result {
            Ok(done) => {
                check.summary = format!("`{line}` ok in {}", human_duration(done.elapsed));
            }
            Err(e) => {
                ok = false;
                let (summary, tail) = match &e {
                    CmdError::TimedOut { after, stderr, .. } => (
                        format!("stopped after {after} (distcheck.timeout / --timeout)"),
                        stderr.clone(),
                    ),
                    CmdError::Failed { status, stderr, .. } => {
                        (format!("failed with {status}"), stderr.clone())
                    }
                    other => (other.to_string(), String::new()),
                };
                let relevant = relevant_lines(&tail);
                check.push(Finding::error(
                    format!("`{line}` {summary}; the full log is {log}\n{relevant}"),
                    None,
                ));
                tracing::error!("`{line}` {summary}; last lines:\n{relevant}");
                check.summary = format!("`{line}` {summary}");
            }
        }
        checks.push(check);
    }
    (checks, ok)
}

pub(crate) use super::excerpt::relevant_lines;

/// The CHANGELOG check at a tag: the version's section exists and is no longer marked WIP.
///
/// This is the hook for changelog-check: once its library is on main, this calls it instead.
pub(crate) fn changelog_section_check(
    config: &Config,
    git: &Git,
    rev: &str,
    version: Version,
) -> Check {
    let file = &config.changelog.file;
    let heading = config.changelog_heading(version);
    let mut c = Check::new(
        "changelog-section",
        "the CHANGELOG has a finished section for the version",
    );
    let text = match git.show(rev, file) {
        Ok(Some(bytes)) => {
            let decoded = crate::model::changelog::decode(&bytes);
            if let (Some(line), Some(note)) = (decoded.latin1_line, decoded.note(file)) {
                c.push(Finding::notice(
                    note,
                    Some(Location::new(file.clone(), Some(line))),
                ));
            }
            decoded.text
        }
        Ok(None) => {
            c.push(Finding::error(
                format!("{file} does not exist at {rev}; add the release notes before tagging"),
                None,
            ));
            c.summary = format!("no {file}");
            return c;
        }
        Err(e) => {
            c.push(Finding::error(e.to_string(), None));
            return c;
        }
    };
    // The one heading matcher (model::changelog), as changelog-check and stage-rc read it: a
    // heading template with `{date}`, `{*}` or Markdown around the version matches here too.
    let format = match config.changelog_format() {
        Ok(f) => f,
        Err(e) => {
            c.push(Finding::error(e, None));
            c.summary = "the [changelog] configuration does not compile".into();
            return c;
        }
    };
    let changelog = crate::model::changelog::parse(&text, &format);
    match changelog.section(version) {
        None => {
            c.push(Finding::error(
                format!("{file} has no section \"{heading}\"; add the release notes for {version}"),
                Some(Location::new(file.clone(), None)),
            ));
            c.summary = format!("no section for {version}");
        }
        Some(s) if s.wip => {
            c.push(Finding::error(
                format!(
                    "the section \"{}\" is still marked {}; remove the marker before tagging",
                    s.title.trim(),
                    config.changelog.wip_marker
                ),
                Some(Location::new(file.clone(), Some(s.line))),
            ));
            c.summary = format!(
                "section for {version} is still {}",
                config.changelog.wip_marker
            );
        }
        Some(s) => {
            c.summary = format!("\"{}\" at {file}:{}", s.title.trim(), s.line);
        }
    }
    c
}

/// What building a tarball from a tag gave.
#[derive(Debug)]
pub struct Built {
    pub checks: Vec<Check>,
    /// The tarball, copied out of the temporary worktree into `out_dir`.
    pub tarball: Option<PathBuf>,
}

/// Checks `tag` out into a temporary worktree, runs the recipe and copies the tarball it makes
/// into `out_dir`.
pub(crate) fn build_from_tag(
    project: &Project,
    git: &Git,
    info: &TagInfo,
    version: Version,
    out_dir: &Path,
    opts: &RunOptions,
    ci: &Ci,
) -> Result<Built> {
    let config = &project.config;
    let name = config.top_dir(&version.to_string());
    let checkout = git::Worktree::temporary(git, &info.commit, &name)?;
    tracing::info!(
        "checked {} out into {}",
        info.name,
        checkout.path().display()
    );
    let (mut checks, ok) = run_commands(
        "recipe",
        &config.distcheck.recipe,
        checkout.path(),
        config,
        opts,
        ci,
    );
    let mut found = Check::new("tarball", "the recipe made the release tarball");
    if !ok {
        checks.push(found.skipped("the recipe failed"));
        return Ok(Built {
            checks,
            tarball: None,
        });
    }
    let file_name = config.tarball_name(version);
    let expected = if config.distcheck.output.is_empty() {
        checkout.path().join(&file_name)
    } else {
        checkout.path().join(
            config
                .expand(&config.distcheck.output)
                .replace("{version}", &version.to_string()),
        )
    };
    if !expected.is_file() {
        found.push(Finding::error(
            format!(
                "the recipe succeeded but left no {} (looked for {}); set distcheck.output to where it puts the tarball",
                file_name,
                expected.display()
            ),
            None,
        ));
        found.summary = format!("no {file_name}");
        checks.push(found);
        return Ok(Built {
            checks,
            tarball: None,
        });
    }
    std::fs::create_dir_all(out_dir).map_err(|e| Error::io("create", out_dir, e))?;
    let dest = out_dir.join(expected.file_name().unwrap_or_default());
    std::fs::copy(&expected, &dest).map_err(|e| Error::io("copy the tarball to", &dest, e))?;
    found.summary = dest.display().to_string();
    checks.push(found);
    Ok(Built {
        checks,
        tarball: Some(dest),
    })
}

/// Scans a local archive file.
pub(crate) fn scan_file(
    path: &Path,
    limits: Limits,
    hash: Option<git::ObjectFormat>,
) -> Result<archive::Scan> {
    scan_file_inspected(path, limits, hash, None)
}

/// [`scan_file`], with each file's content also passed to `inspect` (the licence audit).
pub(crate) fn scan_file_inspected(
    path: &Path,
    limits: Limits,
    hash: Option<git::ObjectFormat>,
    inspect: Option<&mut (dyn archive::Inspector + Send)>,
) -> Result<archive::Scan> {
    let kind = kind_of(path)?;
    let file = std::fs::File::open(path).map_err(|e| Error::io("open", path, e))?;
    Ok(match kind {
        Kind::Zip => archive::scan_zip_inspected(file, limits, hash, inspect),
        k => archive::scan_tar_inspected(
            k,
            std::io::BufReader::with_capacity(1 << 20, file),
            limits,
            hash,
            inspect,
        ),
    })
}

/// The kind of archive `path`'s name says it is.
fn kind_of(path: &Path) -> Result<Kind> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    Kind::from_name(&name).ok_or_else(|| {
        Error::Usage(format!(
            "{} is not an archive I can read; expected .tar.gz, .tar.bz2, .tar.xz, .tar or .zip",
            path.display()
        ))
    })
}

/// What `verify-distcheck source` was asked.
#[derive(Debug, Clone)]
pub struct SourceRequest {
    pub tag: String,
    pub jobs: Option<usize>,
    pub timeout: Option<Duration>,
    pub out_dir: PathBuf,
    pub log: Option<PathBuf>,
}

/// The jobs to use: asked, else the machine's cores.
pub fn jobs(asked: Option<usize>) -> usize {
    asked.filter(|j| *j > 0).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    })
}

/// `verify-distcheck source`: the library side of the binary.
pub fn run_source(common: &CommonArgs, req: &SourceRequest) -> Result<ExitCode> {
    let ci = Ci::detect();
    let project = common.project_at_tag(Some(&req.tag))?;
    let config = &project.config;
    let parsed = project.scheme.parse(&req.tag)?;
    let version = parsed.version();
    let git = project.git()?;
    let info = git.require_tag(&req.tag, config.tags.require_annotated)?;
    let short = &info.commit[..info.commit.len().min(12)];
    let name = &config.project.name;
    let mut report = Report::new(
        "verify-distcheck",
        format!("{name} {} ({short}) in {}", req.tag, project.root.display()),
    );
    let mut tag_check = Check::new("tag", "the tag exists and is annotated");
    tag_check.summary = match &info.tagger {
        Some(t) => format!("annotated by {} <{}>, commit {short}", t.name, t.email),
        None => format!("commit {short}"),
    };
    report.push(tag_check);
    let values = project.read_sites_at(&git, &info.commit)?;
    let sites = check_sites(
        "verify-distcheck",
        String::new(),
        &values,
        Some((version, format!("tag {}", req.tag))),
    );
    for c in sites.checks {
        report.push(c);
    }
    report.push(changelog_section_check(config, &git, &info.commit, version));
    let tree = readiness::Tree::Commit {
        commit: info.commit.clone(),
        label: format!("tag {}", req.tag),
    };
    for c in readiness::checks(&project, &git, &tree, version)? {
        report.push(c);
    }

    std::fs::create_dir_all(&req.out_dir).map_err(|e| Error::io("create", &req.out_dir, e))?;
    let out_dir = req
        .out_dir
        .canonicalize()
        .map_err(|e| Error::io("open", &req.out_dir, e))?;
    let log = req
        .log
        .clone()
        .unwrap_or_else(|| out_dir.join(format!("{name}-{}-distcheck.log", req.tag)));
    let _ = std::fs::remove_file(&log);
    let opts = RunOptions {
        jobs: jobs(req.jobs),
        timeout: req
            .timeout
            .unwrap_or(Duration::from_secs(config.distcheck.timeout.max(1) as u64)),
        log: log.clone(),
        echo: !common.quiet,
    };
    let built = build_from_tag(&project, &git, &info, version, &out_dir, &opts, &ci)?;
    for c in built.checks {
        report.push(c);
    }
    ci.set_output("log", &log.display().to_string())?;
    let top = config.top_dir(&version.to_string());
    match &built.tarball {
        Some(tarball) => {
            let format = git.object_format()?;
            let mut audit = licence::Audit::new(true, &config.licence.exclusions_file);
            // One read of the tarball: its SHA-512, the archive scan and the licence audit.
            let (digests, scan) = crate::verify::pipeline::one_pass_inspected(
                tarball,
                Vec::new(),
                None,
                crate::verify::pipeline::ScanSpec {
                    kind: kind_of(tarball)?,
                    limits: crate::verify::pipeline::limits(config),
                    blobs: Some(format),
                },
                config.licence.enabled.then_some(&mut audit as _),
            )?;
            let sha512 = digests.sha512;
            for c in archive_checks(&scan, &top, &config.distcheck.required_files) {
                report.push(c);
            }
            let name = tarball.file_name().unwrap_or_default().to_string_lossy();
            // NOTICE must cover the year of the tag's commit (the release's date), not today's.
            let now = crate::verify::pipeline::now();
            let cut = git
                .commit_time(&info.commit)
                .ok()
                .and_then(|t| u32::try_from(t).ok())
                .map_or(now, |t| t.min(now));
            for c in licence::source_checks(&mut audit, config, &project.root, &name, cut)? {
                report.push(c);
            }
            // The project's own files: it may sit below the repository's top.
            let prefix = git.prefix_of(&project.root);
            let tree = git.ls_tree_under(&info.commit, &prefix)?;
            let allow = Allowlist::at(config, &git, &info.commit, &prefix)?;
            let diff = compare_trees(&tree, &scan.entries, &allow);
            let file_name = tarball.file_name().unwrap_or_default().to_string_lossy();
            report.push(tree_check(&diff, &file_name, &req.tag));
            let mut sum = Check::new("sha512", "the tarball's SHA-512");
            sum.summary = format!("{sha512}  {file_name}");
            report.push(sum);
            ci.set_output("tarball", &tarball.display().to_string())?;
            ci.set_output("sha512", &sha512)?;
            tracing::info!("tarball {} sha512 {sha512}", tarball.display());
        }
        None => {
            for id in ["archive-safety", "layout", "contents-match-tag"] {
                report.push(Check::new(id, id).skipped("no tarball was made"));
            }
        }
    }
    cli::emit_report(&report, common, &ci)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, id: &str) -> Entry {
        Entry {
            path: path.into(),
            kind: EntryKind::File { executable: false },
            size: 1,
            id: Some(id.into()),
        }
    }

    fn tree(path: &str, id: &str) -> TreeEntry {
        TreeEntry {
            path: path.into(),
            kind: git::EntryKind::File,
            id: id.into(),
        }
    }

    #[test]
    fn files_are_classified_with_the_allowlists() {
        let c = Config::default();
        let allow = Allowlist::from_config(&c).unwrap();
        let git = vec![
            tree("configure.ac", "a"),
            tree("src/x.c", "b"),
            tree("src/y.c", "c"),
            tree(".gitignore", "d"),
            tree("src/.gitignore", "e"),
            tree("docs/forgotten.md", "f"),
        ];
        let tar = vec![
            Entry {
                path: "p-1".into(),
                kind: EntryKind::Dir,
                size: 0,
                id: None,
            },
            entry("p-1/configure.ac", "a"),
            entry("p-1/src/x.c", "b"),
            entry("p-1/src/y.c", "CHANGED"),
            entry("p-1/configure", "g"),
            entry("p-1/src/Makefile.in", "h"),
            entry("p-1/build-aux/depcomp", "i"),
            entry("p-1/stray.o", "j"),
        ];
        let d = compare_trees(&git, &tar, &allow);
        assert_eq!(d.identical, 2);
        assert_eq!(d.differ, vec!["src/y.c"]);
        assert_eq!(d.missing, vec!["docs/forgotten.md"]);
        assert_eq!(d.undistributed, vec![".gitignore", "src/.gitignore"]);
        assert_eq!(
            d.generated,
            vec!["build-aux/depcomp", "configure", "src/Makefile.in"]
        );
        assert_eq!(d.unexpected, vec!["stray.o"]);
        let check = tree_check(&d, "p-1.tar.gz", "1.0.0-rc1");
        assert_eq!(check.status, crate::report::Status::Fail);
        assert!(
            check.findings[1].message.contains("EXTRA_DIST"),
            "{check:?}"
        );
    }

    #[test]
    fn the_default_recipe_is_the_mesos_one() {
        let c = Config::default();
        assert_eq!(
            c.distcheck.recipe.last().unwrap(),
            "make -j{jobs} distcheck"
        );
        assert_eq!(c.top_dir("1.11.0"), "mesos-1.11.0");
        assert_eq!(c.distcheck.required_files, vec!["LICENSE", "NOTICE"]);
    }
}
