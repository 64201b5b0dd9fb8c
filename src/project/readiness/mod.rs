//! The pre-tag readiness checks of `[readiness]` (the guide's "Preparing" steps), shared by the
//! rc gate's two tools (`changelog-check --tag`, `verify-distcheck source`): generated files are
//! current, a document has a section for the release, documented flags, mirrored definitions
//! agree. This module reads the tree (a commit, or the work tree about to be tagged) and runs
//! the commands; the judging is pure, in [`proto`] and [`text`].

pub mod proto;
pub mod text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use globset::GlobBuilder;

use crate::config::readiness::{Flags, Generated, Mirror, Readiness, Section};
use crate::error::{Error, Result};
use crate::model::version::Version;
use crate::outside::git::{Git, Worktree};
use crate::outside::process::Cmd;
use crate::project::Project;
use crate::report::{Check, Finding, Location};

pub const GENERATED: &str = "generated-files-current";
pub const SECTION: &str = "document-has-release-section";
pub const FLAGS: &str = "flags-documented";
pub const MIRRORS: &str = "mirrored-definitions-agree";

/// The tree the checks read.
#[derive(Debug, Clone)]
pub enum Tree {
    /// A commit (a tag's): files read from git, commands run in a temporary worktree of it.
    Commit { commit: String, label: String },
    /// The work tree, about to be tagged: files read from disk, commands run in a temporary
    /// worktree of HEAD (never in the user's work tree).
    WorkTree,
}

/// Reads files of the project at a tree.
struct Reader<'a> {
    project: &'a Project,
    git: &'a Git,
    tree: &'a Tree,
    /// The project's directory relative to the repository's top.
    prefix: PathBuf,
}

impl Reader<'_> {
    fn repo_path(&self, file: &str) -> String {
        self.prefix.join(file).to_string_lossy().into_owned()
    }

    fn read(&self, file: &str) -> Result<Option<Vec<u8>>> {
        match self.tree {
            Tree::Commit { commit, .. } => Ok(self.git.show(commit, &self.repo_path(file))?),
            Tree::WorkTree => match std::fs::read(self.project.root.join(file)) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(Error::io("read", self.project.root.join(file), e)),
            },
        }
    }

    /// The project's tracked files (relative to the project root).
    fn files(&self) -> Result<Vec<String>> {
        let rev = match self.tree {
            Tree::Commit { commit, .. } => commit.as_str(),
            Tree::WorkTree => "HEAD",
        };
        let prefix = self.prefix.to_string_lossy().into_owned();
        let mut files: Vec<String> = self
            .git
            .ls_tree(rev)?
            .into_iter()
            .filter_map(|e| {
                if prefix.is_empty() {
                    Some(e.path)
                } else {
                    e.path
                        .strip_prefix(&format!("{prefix}/"))
                        .map(str::to_string)
                }
            })
            .collect();
        if matches!(self.tree, Tree::WorkTree) {
            files.retain(|f| self.project.root.join(f).exists());
        }
        Ok(files)
    }

    fn place(&self) -> String {
        match self.tree {
            Tree::Commit { label, .. } => label.clone(),
            Tree::WorkTree => "the work tree".into(),
        }
    }

    /// A temporary worktree of the tree's commit, and the project's directory in it.
    fn checkout(&self) -> Result<(Worktree, PathBuf)> {
        let rev = match self.tree {
            Tree::Commit { commit, .. } => commit.clone(),
            Tree::WorkTree => self.git.head()?,
        };
        let wt = Worktree::temporary(self.git, &rev, "readiness")?;
        let dir = wt.path().join(&self.prefix);
        Ok((wt, dir))
    }
}

/// Runs every configured readiness check on `tree`; empty when `[readiness]` does not apply.
pub fn checks(project: &Project, git: &Git, tree: &Tree, version: Version) -> Result<Vec<Check>> {
    let config: &Readiness = &project.config.readiness;
    let reader = Reader {
        project,
        git,
        tree,
        prefix: git.prefix_of(&project.root),
    };
    let mut marker = false;
    if config.enabled == "auto" && !config.marker.is_empty() {
        marker = reader.read(&config.marker)?.is_some();
    }
    if !config.applies(&project.config.project.name, |_| marker) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    if !config.sections.is_empty() {
        out.push(section_check(&reader, &config.sections, version)?);
    }
    if !config.mirrors.is_empty() {
        out.push(mirror_check(&reader, &config.mirrors)?);
    }
    if !config.flags.is_empty() || !config.generated.is_empty() {
        let (_wt, dir) = reader.checkout()?;
        if !config.flags.is_empty() {
            out.push(flags_check(&reader, &dir, &config.flags)?);
        }
        if !config.generated.is_empty() {
            out.push(generated_check(&reader, &dir, &config.generated)?);
        }
    }
    Ok(out)
}

fn text_of(file: &str, bytes: Vec<u8>) -> std::result::Result<String, Finding> {
    String::from_utf8(bytes).map_err(|_| {
        Finding::error(
            format!("{file} is not UTF-8 text; save it as UTF-8"),
            Some(Location::new(file, None)),
        )
    })
}

fn section_check(reader: &Reader, sections: &[Section], version: Version) -> Result<Check> {
    let mut c = Check::new(SECTION, "the documents have a section for this release");
    let mut found = Vec::new();
    for s in sections {
        if s.releases == "regular" && version.patch != 0 {
            found.push(format!("{} not needed for a patch release", s.file));
            continue;
        }
        let display = reader.repo_path(&s.file);
        let Some(bytes) = reader.read(&s.file)? else {
            c.push(Finding::error(
                format!(
                    "{display} does not exist in {}; create it with a `{}` heading, or change [[readiness.sections]] in release.toml",
                    reader.place(),
                    s.heading
                ),
                Some(Location::new(display.clone(), None)),
            ));
            continue;
        };
        let doc = match text_of(&display, bytes) {
            Ok(d) => d,
            Err(f) => {
                c.push(f);
                continue;
            }
        };
        match text::find_heading(&doc, &s.heading, version) {
            Ok(line) => found.push(format!("{display}:{line}")),
            Err(near) => {
                let wanted = s
                    .heading
                    .replace("{major}", &version.major.to_string())
                    .replace("{minor}", &version.minor.to_string())
                    .replace("{patch}", &version.patch.to_string())
                    .replace("{version}", &version.to_string());
                let newest = if near.is_empty() {
                    String::new()
                } else {
                    format!("; the newest such sections are {}", near.join(", "))
                };
                c.push(Finding::error(
                    format!(
                        "{display} has no section for {version}: add a heading `{wanted}` (`*` stands for anything){newest}"
                    ),
                    Some(Location::new(display.clone(), Some(1))),
                ));
            }
        }
    }
    if c.findings.is_empty() {
        c.summary = found.join("; ");
    } else {
        c.summary = format!(
            "{} document(s) lack a section for {version}",
            c.findings.len()
        );
    }
    Ok(c)
}

fn glob(pattern: &str) -> Result<globset::GlobMatcher> {
    Ok(GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| {
            Error::Usage(format!(
                "[readiness]: the glob `{pattern}` is not valid: {e}"
            ))
        })?
        .compile_matcher())
}

fn mirror_check(reader: &Reader, mirrors: &[Mirror]) -> Result<Check> {
    let mut c = Check::new(
        MIRRORS,
        "mirrored definitions agree (messages, fields, enums and values)",
    );
    let files = reader.files()?;
    let mut pairs = 0;
    let mut compared = 0;
    for m in mirrors {
        let matcher = glob(&m.files)?;
        let below = |dir: &str| -> BTreeMap<String, String> {
            let dir = format!("{}/", dir.trim_end_matches('/'));
            files
                .iter()
                .filter_map(|f| f.strip_prefix(&dir).map(|rel| (rel.to_string(), f.clone())))
                .filter(|(rel, _)| matcher.is_match(rel))
                .collect()
        };
        let left = below(&m.left);
        let right = below(&m.right);
        for (rel, right_file) in &right {
            let Some(left_file) = left.get(rel) else {
                continue;
            };
            pairs += 1;
            let (l, r) = (reader.repo_path(left_file), reader.repo_path(right_file));
            let mut parsed = Vec::new();
            for (file, shown) in [(left_file, &l), (right_file, &r)] {
                let bytes = reader.read(file)?.unwrap_or_default();
                match proto::declarations(shown, &String::from_utf8_lossy(&bytes), &m.renames) {
                    Ok(d) => parsed.push(d),
                    Err(e) => c.push(Finding::error(
                        format!(
                            "{shown} does not parse as protobuf: {}; fix the file (protoc would refuse it too)",
                            e.message
                        ),
                        Some(Location::new(shown.clone(), Some(e.line))),
                    )),
                }
            }
            let [ld, rd] = match <[_; 2]>::try_from(parsed) {
                Ok(both) => both,
                Err(_) => continue,
            };
            compared += 1;
            for d in proto::compare(&ld, &rd) {
                c.push(match d {
                    proto::Difference::LeftOnly(d) => Finding::error(
                        format!("{} {} is in {l} but not in {r}; add it to {r} (or list the rename in [[readiness.mirrors]] renames)", d.kind, d.name),
                        Some(Location::new(l.clone(), Some(d.line))),
                    ),
                    proto::Difference::RightOnly(d) => Finding::error(
                        format!("{} {} is in {r} but not in {l}; add it to {l} (or list the rename in [[readiness.mirrors]] renames)", d.kind, d.name),
                        Some(Location::new(r.clone(), Some(d.line))),
                    ),
                    proto::Difference::Differs { left, right } => Finding::error(
                        format!(
                            "{} {} is `{}` in {r} but `{}` in {l}:{}; make them agree",
                            right.kind, right.name, right.shape, left.shape, left.line
                        ),
                        Some(Location::new(r.clone(), Some(right.line))),
                    ),
                });
            }
        }
    }
    c.summary = if c.findings.is_empty() {
        format!("{compared} pair(s) of files agree")
    } else {
        format!(
            "{} difference(s) in {pairs} pair(s) of files",
            c.findings.len()
        )
    };
    Ok(c)
}

fn shell(command: &str, why: String, dir: &Path, timeout: u64) -> Cmd {
    Cmd::new("sh", why)
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .timeout(Duration::from_secs(timeout.max(1)))
}

fn flags_check(reader: &Reader, dir: &Path, rules: &[Flags]) -> Result<Check> {
    let mut c = Check::new(FLAGS, "every flag the program has is documented");
    let files = reader.files()?;
    let mut counted = Vec::new();
    for rule in rules {
        let out = shell(
            &rule.command,
            format!("list the {}", rule.name),
            dir,
            rule.timeout_secs,
        )
        .run();
        let out = match out {
            Ok(o) => o,
            Err(e) => {
                c.push(Finding::error(
                    format!("the command listing the {} failed: {e}; fix it or `command` in [[readiness.flags]]", rule.name),
                    None,
                ));
                continue;
            }
        };
        let flags = text::parse_flags(&String::from_utf8_lossy(&out.stdout));
        if flags.is_empty() {
            c.push(Finding::error(
                format!(
                    "the command listing the {} printed no flags (`{}`); an empty list is not \"all documented\": fix the command in [[readiness.flags]]",
                    rule.name, rule.command
                ),
                None,
            ));
            continue;
        }
        let mut docs = Vec::new();
        for pattern in &rule.documents {
            let matcher = glob(pattern)?;
            for f in files.iter().filter(|f| matcher.is_match(f.as_str())) {
                if let Some(b) = reader.read(f)? {
                    docs.push((
                        reader.repo_path(f),
                        String::from_utf8_lossy(&b).into_owned(),
                    ));
                }
            }
        }
        if docs.is_empty() {
            c.push(Finding::error(
                format!(
                    "no document matches {} in {}; fix `documents` in [[readiness.flags]]",
                    rule.documents.join(", "),
                    reader.place()
                ),
                None,
            ));
            continue;
        }
        let missing = text::undocumented(&flags, &docs, &rule.mentions, &rule.ignore);
        let first = docs.first().map(|(f, _)| f.clone()).unwrap_or_default();
        for f in &missing {
            c.push(Finding::error(
                format!(
                    "--{f} (one of the {}) is not mentioned in {}; document it (as `{}`), or list it in `ignore`",
                    rule.name,
                    rule.documents.join(" or "),
                    rule.mentions[0].replace("{flag}", f)
                ),
                Some(Location::new(first.clone(), None)),
            ));
        }
        counted.push(format!(
            "{} of {} {} documented",
            flags.len() - missing.len(),
            flags.len(),
            rule.name
        ));
    }
    c.summary = counted.join("; ");
    Ok(c)
}

/// How many lines of a diff a finding shows.
const DIFF_LINES: usize = 200;

fn generated_check(reader: &Reader, dir: &Path, rules: &[Generated]) -> Result<Check> {
    let mut c = Check::new(
        GENERATED,
        "generated files are current (regenerating changes nothing)",
    );
    let root = reader.project.root.to_string_lossy().into_owned();
    let mut done = Vec::new();
    for rule in rules {
        let needs = rule.needs.replace("{root}", &root);
        if !needs.is_empty() && !Path::new(&needs).exists() {
            c.push(Finding::warning(
                format!(
                    "the {} generator needs {needs}, which does not exist; build the project there first, or change `needs` in [[readiness.generated]] (not checked)",
                    rule.name
                ),
                None,
            ));
            continue;
        }
        let command = rule.command.replace("{root}", &root);
        let run = shell(
            &command,
            format!("regenerate the {}", rule.name),
            dir,
            rule.timeout_secs,
        )
        .run();
        if let Err(e) = run {
            c.push(Finding::error(
                format!("the {} generator failed: {e}", rule.name),
                None,
            ));
            continue;
        }
        let git = |args: &[&str], why: &str| -> Result<String> {
            let out = Cmd::new("git", why)
                .args(args)
                .current_dir(dir)
                .run()
                .map_err(Error::from)?;
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        };
        let status = git(
            &["status", "--porcelain", "--untracked-files=all", "--", "."],
            "list what the generator changed",
        )?;
        if status.trim().is_empty() {
            done.push(format!("{}: current", rule.name));
            continue;
        }
        let diff = git(
            &["diff", "--no-color", "--", "."],
            "show what the generator changed",
        )?;
        let shown: Vec<&str> = diff.lines().take(DIFF_LINES).collect();
        let more = diff.lines().count().saturating_sub(DIFF_LINES);
        let changed: Vec<String> = status
            .lines()
            .filter_map(|l| l.get(3..))
            .map(str::to_string)
            .collect();
        for f in &changed {
            c.push(Finding::error(
                format!(
                    "{f} is stale: the {} generator (`{}`) changes it; run the generator and commit the result",
                    rule.name, rule.command
                ),
                Some(Location::new(f.clone(), None)),
            ));
        }
        if !shown.is_empty() {
            let tail = if more > 0 {
                format!("\n... {more} more line(s)")
            } else {
                String::new()
            };
            c.push(Finding::notice(
                format!("the diff:\n{}{tail}", shown.join("\n")),
                None,
            ));
        }
    }
    c.summary = if c.status == crate::report::Status::Fail {
        format!(
            "{} stale or failing generated item(s)",
            c.findings
                .iter()
                .filter(|f| f.severity == crate::report::Severity::Error)
                .count()
        )
    } else {
        done.join("; ")
    };
    Ok(c)
}
