//! The steps of publish-dist and abandon, each idempotent: an earlier run may have done a step
//! and crashed before recording it, so every step first looks at the world and only then acts.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::Context;
use super::{
    AbandonStep, EmailsRecord, JiraRecord, PublishStep, TallyRecord, VerifyRecord, WebsiteRecord,
};
use crate::engine::execute::Act;
use crate::engine::ledger::{Ledger, Record};
use crate::engine::plan::Step;
use crate::error::{Error, Result};
use crate::model::version::Part;
use crate::outside::dist_area::Target;
use crate::outside::git::{Git, Worktree};
use crate::outside::svn::{Credentials, Svn};
use crate::project::Project;
use crate::verify::pipeline;

/// Carries out publish-dist's steps.
#[derive(Debug)]
pub struct Publisher<'a> {
    ctx: &'a Context,
    work: tempfile::TempDir,
}

fn write(path: &Path, text: &str) -> Result<()> {
    crate::outside::fs::write_atomic(path, text.as_bytes()).map_err(|e| Error::io("write", path, e))
}

fn sha512(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha512::digest(bytes))
}

fn svn(url: &str, env: &[(String, String)]) -> Svn {
    Svn {
        url: url.to_string(),
        creds: Credentials::from_env(env),
    }
}

/// A directory dist area's path (relative to the project).
fn local_dir(project: &Project, dir: &Path) -> PathBuf {
    project.root.join(dir)
}

impl<'a> Publisher<'a> {
    pub fn new(ctx: &'a Context) -> Result<Self> {
        Ok(Publisher {
            ctx,
            work: tempfile::Builder::new()
                .prefix("publish-dist.")
                .tempdir()
                .map_err(|e| Error::io("create a work directory in", std::env::temp_dir(), e))?,
        })
    }

    fn cfg(&self) -> &crate::config::Config {
        &self.ctx.project.config
    }

    /// A configured template with the release's `{name}`, `{display_name}`, `{version}` and
    /// `{date}` filled in.
    fn fill(&self, template: &str) -> String {
        super::fill(self.cfg(), self.ctx.version, &self.ctx.date, template)
    }

    /// The release's CHANGELOG section at the voted commit (for the blog post and [ANNOUNCE]).
    fn changelog(&self) -> Result<String> {
        let ctx = self.ctx;
        crate::project::changelog::released_section(
            &ctx.project,
            &ctx.git,
            &ctx.commit,
            ctx.version,
            &ctx.tag,
            &ctx.project.scheme.branch(ctx.version),
        )
    }

    fn github(&self, owner: &str, repo: &str) -> Result<crate::outside::github::GitHub> {
        let cfg = self.cfg();
        Ok(crate::outside::github::GitHub::from_config(
            &cfg.github,
            owner,
            repo,
            &self.ctx.env,
        )?)
    }

    /// An asset of the candidate's draft pre-release on GitHub.
    fn read_github_candidate(
        &self,
        owner: &str,
        repo: &str,
        name: &str,
    ) -> Result<Option<Vec<u8>>> {
        let gh = self.github(owner, repo)?;
        let tag = &self.ctx.tag;
        crate::outside::http::block_on(async {
            let Some(release) = gh.find_release(tag).await? else {
                return Ok(None);
            };
            let Some(asset) = gh
                .assets(release.id)
                .await?
                .into_iter()
                .find(|a| a.name == name)
            else {
                return Ok(None);
            };
            Ok::<_, Error>(Some(gh.download_asset(asset.id).await?))
        })
    }

    /// A verified file of the candidate on this machine: from the verify step's download, or
    /// fetched again (a resumed run on another machine) and checked against the recorded hash.
    fn candidate_file(&self, ledger: &Ledger, name: &str) -> Result<PathBuf> {
        let path = self.work.path().join("candidate").join(name);
        if path.is_file() {
            return Ok(path);
        }
        let bytes = self.read_dev(name)?.ok_or_else(|| {
            Error::Problem(format!(
                "{name} of {} is no longer in dist dev ({}), and the release is not complete; find out who removed it, put the voted file back and re-run",
                self.ctx.tag,
                self.ctx.dev.candidate_url(&self.ctx.tag)
            ))
        })?;
        let want = self.recorded_sha(ledger, name)?.unwrap_or_default();
        if sha512(&bytes) != want {
            return Err(Error::Problem(format!(
                "{name} in dist dev changed since it was verified (SHA-512 {}, verified {want}); do not publish it — stage a new candidate",
                sha512(&bytes)
            )));
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
        }
        write_bytes(&path, &bytes)?;
        Ok(path)
    }

    fn promote_github(&self, ledger: &Ledger, owner: &str, repo: &str) -> Result<Value> {
        let ctx = self.ctx;
        let cfg = self.cfg();
        let gh = self.github(owner, repo)?;
        let url = super::release_url(&ctx.release, ctx.version, &ctx.final_tag);
        let verified: Option<VerifyRecord> = ledger.outputs(PublishStep::Verify)?;
        let sizes: Vec<(String, u64)> = ctx
            .files
            .iter()
            .map(|n| {
                let size = verified
                    .as_ref()
                    .and_then(|v| v.sizes.get(n).copied())
                    .unwrap_or_default();
                (n.clone(), size)
            })
            .collect();
        crate::outside::http::block_on(async {
            let release = match gh.find_release(&ctx.final_tag).await? {
                Some(r) if !r.draft => {
                    // Published by an earlier run (immutable now): it must hold exactly our files.
                    let assets = gh.assets(r.id).await?;
                    for (name, size) in &sizes {
                        if !assets.iter().any(|a| &a.name == name && a.size == *size) {
                            return Err(Error::Problem(format!(
                                "the GitHub release {} is already published but its {name} is missing or has another size; compare it with the voted candidate by hand",
                                ctx.final_tag
                            )));
                        }
                    }
                    return Ok(json!({"url": url, "release_id": r.id, "already_there": true}));
                }
                Some(r) => r,
                None => {
                    gh.create_final_draft(
                        &ctx.final_tag,
                        &ctx.commit,
                        &format!("{} {}", cfg.project.display_name, ctx.version),
                        &format!(
                            "{} {} — the release voted on as {}.",
                            cfg.project.display_name, ctx.version, ctx.tag
                        ),
                    )
                    .await?
                }
            };
            for name in &ctx.files {
                let file = self.candidate_file(ledger, name)?;
                gh.upload(release.id, &file).await?;
            }
            let published = gh.publish(release.id).await?;
            Ok::<_, Error>(json!({"url": url, "release_id": published.id, "already_there": false}))
        })
    }

    /// Reads one staged file of the candidate from dist dev.
    fn read_dev(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let ctx = self.ctx;
        Ok(match &ctx.dev {
            Target::Local { dir } => {
                let p = local_dir(&ctx.project, dir).join(&ctx.tag).join(name);
                match std::fs::read(&p) {
                    Ok(b) => Some(b),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                    Err(e) => return Err(Error::io("read", p, e)),
                }
            }
            Target::Svn { url } => svn(url, &ctx.env).read_file(&format!("{}/{name}", ctx.tag))?,
            Target::GitHub { owner, repo } => self.read_github_candidate(owner, repo, name)?,
        })
    }

    /// The bytes of a released file, if the release directory has it.
    fn read_release(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let ctx = self.ctx;
        let v = ctx.version.to_string();
        Ok(match &ctx.release {
            Target::Local { dir } => {
                let p = local_dir(&ctx.project, dir).join(&v).join(name);
                std::fs::read(&p).ok()
            }
            Target::Svn { url } => svn(url, &ctx.env).read_file(&format!("{v}/{name}"))?,
            Target::GitHub { .. } => None,
        })
    }

    /// The entries of dist release (directories end with `/`).
    fn list_release(&self) -> Result<Vec<String>> {
        let ctx = self.ctx;
        match &ctx.release {
            Target::Local { dir } => {
                let d = local_dir(&ctx.project, dir);
                let rd = std::fs::read_dir(&d).map_err(|e| {
                    Error::Usage(format!(
                        "cannot list the dist release directory {} ({e}); create it or fix dist.release (RELEASE_KIT_DIST_RELEASE)",
                        d.display()
                    ))
                })?;
                let mut out = Vec::new();
                for e in rd.flatten() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    if name.starts_with('.') {
                        continue;
                    }
                    out.push(if e.path().is_dir() {
                        format!("{name}/")
                    } else {
                        name
                    });
                }
                out.sort();
                Ok(out)
            }
            Target::Svn { url } => Ok(svn(url, &ctx.env).list()?),
            Target::GitHub { .. } => Ok(Vec::new()),
        }
    }

    fn recorded_sha(&self, ledger: &Ledger, name: &str) -> Result<Option<String>> {
        let verified: Option<VerifyRecord> = ledger.outputs(PublishStep::Verify)?;
        Ok(verified.and_then(|v| v.sha512.get(name).cloned()))
    }

    fn verify(&self) -> Result<Value> {
        let ctx = self.ctx;
        let dir = self.work.path().join("candidate");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
        let mut hashes = serde_json::Map::new();
        let mut sizes = serde_json::Map::new();
        for name in &ctx.files {
            let bytes = self.read_dev(name)?.ok_or_else(|| {
                Error::Problem(format!(
                    "{} has no {name} in dist dev ({}); the candidate was removed or never fully staged: re-run `stage-rc --tag {}` or find out who removed it",
                    ctx.tag,
                    ctx.dev.candidate_url(&ctx.tag),
                    ctx.tag
                ))
            })?;
            hashes.insert(name.clone(), Value::from(sha512(&bytes)));
            sizes.insert(name.clone(), Value::from(bytes.len() as u64));
            write_bytes(&dir.join(name), &bytes)?;
        }
        let tarball = &ctx.files[0];
        let staged = ctx.staged.tarball.sha512.as_str();
        let have = hashes
            .get(tarball)
            .and_then(Value::as_str)
            .unwrap_or_default();
        if have != staged {
            return Err(Error::Problem(format!(
                "{tarball} in dist dev ({}) has SHA-512 {have}, but stage-rc recorded {staged} when the vote started: the file changed after the vote; do not publish it — stage and vote on a new candidate",
                ctx.dev.candidate_url(&ctx.tag)
            )));
        }
        let cfg = self.cfg();
        let keys_source = cfg.expand(&cfg.signing.keys);
        let keys = crate::verify::keys::load(&ctx.project.root, &keys_source)?;
        let now = pipeline::now();
        let files = pipeline::Files {
            artifact: &dir.join(tarball),
            signature: &dir.join(&ctx.files[1]),
            checksum: &dir.join(&ctx.files[2]),
        };
        let ev = pipeline::require_trusted(
            files,
            &keys.keyring,
            &keys_source,
            now,
            None,
            "refusing to publish it; stage and vote on a new candidate",
        )?;
        let fpr = &ctx.staged.signing_key.fingerprint;
        {
            if !ev.signer_fingerprint.eq_ignore_ascii_case(fpr) {
                return Err(Error::Problem(format!(
                    "{}.asc in dist dev was made by {}, but stage-rc signed with {fpr}: the signature was replaced after the vote; do not publish — stage a new candidate",
                    tarball, ev.signer_fingerprint
                )));
            }
        }
        Ok(json!({"sha512": hashes, "sizes": sizes, "signed_by": ev.signer_fingerprint}))
    }

    fn promote(&self, ledger: &Ledger) -> Result<Value> {
        let ctx = self.ctx;
        if let Target::GitHub { owner, repo } = &ctx.release {
            return self.promote_github(ledger, owner, repo);
        }
        let v = ctx.version.to_string();
        let url = super::release_url(&ctx.release, ctx.version, &ctx.final_tag);
        let existing = self.list_release()?;
        if existing.iter().any(|e| e.trim_end_matches('/') == v) {
            // Already there: identical (an earlier run promoted it) or a conflict.
            for name in &ctx.files {
                let want = self.recorded_sha(ledger, name)?.unwrap_or_default();
                match self.read_release(name)? {
                    Some(b) if sha512(&b) == want => {}
                    Some(_) => {
                        return Err(Error::Problem(format!(
                            "the release directory {url} already exists with a different {name}; nothing was promoted. Find out where it came from; if it is wrong, remove it from dist release and re-run"
                        )))
                    }
                    None => {
                        return Err(Error::Problem(format!(
                            "the release directory {url} already exists but lacks {name}; nothing was promoted. Remove the incomplete directory from dist release and re-run"
                        )))
                    }
                }
            }
            self.remove_dev_leftover()?;
            return Ok(json!({"url": url, "already_there": true}));
        }
        let message = format!("Releasing {} {}.", self.cfg().project.name, ctx.version);
        match (&ctx.dev, &ctx.release) {
            (Target::Svn { url: dev }, Target::Svn { url: rel }) => {
                // One server-side commit: copy exactly the voted files, remove the candidate.
                let from = format!("{dev}/{}", ctx.tag);
                let to = format!("{rel}/{v}");
                let mut ops = vec!["mkdir".to_string(), to.clone()];
                for name in &ctx.files {
                    ops.extend([
                        "cp".into(),
                        "HEAD".into(),
                        format!("{from}/{name}"),
                        format!("{to}/{name}"),
                    ]);
                }
                ops.extend(["rm".into(), from]);
                svn(rel, &ctx.env).commit_ops(&message, &ops)?;
            }
            (Target::Local { dir: dev }, Target::Local { dir: rel }) => {
                let from = local_dir(&ctx.project, dev).join(&ctx.tag);
                let rel = local_dir(&ctx.project, rel);
                let partial = rel.join(format!(".{v}.partial"));
                let _ = std::fs::remove_dir_all(&partial);
                std::fs::create_dir_all(&partial).map_err(|e| Error::io("create", &partial, e))?;
                for name in &ctx.files {
                    std::fs::copy(from.join(name), partial.join(name))
                        .map_err(|e| Error::io("copy into dist release", from.join(name), e))?;
                }
                let dest = rel.join(&v);
                std::fs::rename(&partial, &dest).map_err(|e| Error::io("publish", &dest, e))?;
                self.remove_dev_leftover()?;
            }
            (d, r) => {
                return Err(Error::Usage(format!(
                    "dist dev is a {} and dist release a {}: publish-dist promotes within one kind of dist area (both svn in one repository, or both directories); fix dist.dev or dist.release",
                    d.kind(),
                    r.kind()
                )))
            }
        }
        Ok(json!({"url": url, "already_there": false, "message": message}))
    }

    /// After a local promotion, the candidate directory in dev goes (svn moves it atomically).
    fn remove_dev_leftover(&self) -> Result<()> {
        if let Target::Local { dir } = &self.ctx.dev {
            let from = local_dir(&self.ctx.project, dir).join(&self.ctx.tag);
            if from.is_dir() {
                std::fs::remove_dir_all(&from)
                    .map_err(|e| Error::io("remove the promoted candidate", &from, e))?;
            }
        }
        Ok(())
    }

    fn tag(&self) -> Result<Value> {
        let ctx = self.ctx;
        let cfg = self.cfg();
        let name = &ctx.final_tag;
        match ctx.git.tag(name)? {
            Some(t) if t.commit == ctx.commit => {}
            Some(t) => return Err(super::tag_elsewhere(name, &t.commit, &ctx.commit, &ctx.tag)),
            None => {
                let message = format!("Tagging {} {}.", cfg.project.display_name, ctx.version);
                let mut c = ctx.git.command(&format!("create the release tag {name}"));
                // A signing key from a CI secret goes into a temporary keyring for git's gpg.
                let _keyring =
                    match crate::config::env_value(&ctx.env, "RELEASE_KIT_SIGNING_SECRET_KEY") {
                        Some(secret) if cfg.publish.sign_tag => {
                            let g = crate::outside::gpg::Gpg::temporary()?;
                            g.import(
                                secret.as_bytes(),
                                "the signing key from RELEASE_KIT_SIGNING_SECRET_KEY",
                            )?;
                            if let Some(home) = g.home() {
                                c = c.env("GNUPGHOME", home.display().to_string());
                            }
                            Some(g)
                        }
                        _ => None,
                    };
                c = if cfg.publish.sign_tag {
                    let mut c = c.args(["tag", "-s"]);
                    if !cfg.signing.key.is_empty() {
                        c = c.args(["-u", &cfg.signing.key]);
                    }
                    c
                } else {
                    c.args(["tag", "-a"])
                };
                c.args(["-m", &message, name, &ctx.commit])
                    .run()
                    .map_err(crate::outside::git::GitError::from)?;
            }
        }
        let object = ctx.git.tag_object(name)?;
        let mut pushed = false;
        if let Some(remote) = &ctx.remote {
            match ctx.git.remote_tag(remote, name)? {
                Some(o) if o == object => {}
                Some(o) => {
                    return Err(Error::Problem(format!(
                        "remote `{remote}` already has a different tag {name} ({o}, here {object}); compare them (`git fetch {remote} tag {name}`), keep the one on commit {}, and re-run",
                        ctx.commit
                    )))
                }
                None => {
                    ctx.git.push_tag(remote, name)?;
                    pushed = true;
                }
            }
        }
        Ok(json!({"tag": name, "object": object, "commit": ctx.commit, "pushed": pushed}))
    }

    fn nexus(&self) -> Result<crate::outside::nexus::Nexus> {
        let cfg = self.cfg();
        Ok(crate::outside::nexus::Nexus::from_config(
            &cfg.maven,
            &self.ctx.env,
        )?)
    }

    fn jira_release(&self) -> Result<Value> {
        let ctx = self.ctx;
        let cfg = self.cfg();
        let jira = crate::outside::jira::Jira::from_config(&cfg.jira, &ctx.env)?;
        let name = ctx.version.to_string();
        let next = ctx.version.next(Part::Patch).to_string();
        let managers = ctx.managers.join(", ");
        crate::outside::http::block_on(async {
            let v = jira.require_version(&name).await?;
            let line = format!("Release managers: {managers}");
            let description = match v.description.as_deref().map(str::trim) {
                Some(d) if d.contains(&line) => d.to_string(),
                Some(d) if !d.is_empty() => format!("{d}\n{line}"),
                _ => line,
            };
            let already = v.released && v.release_date.as_deref() == Some(ctx.date.as_str());
            if !already {
                if v.released {
                    tracing::warn!(
                        "JIRA version {name} was already released (date {}); setting the release date to {}",
                        v.release_date.as_deref().unwrap_or("none"),
                        ctx.date
                    );
                }
                jira.release_version(&v.id, &ctx.date, &description).await?;
            }
            let next_id = match jira.version(&next).await? {
                Some(n) => n.id,
                None => jira.create_version(&next, v.project_id).await?.id,
            };
            Ok::<_, Error>(
                json!({"id": v.id, "version": name, "released": true, "date": ctx.date, "next": next, "next_id": next_id}),
            )
        })
    }

    /// A detached worktree of `rev` in the work directory, removed when dropped.
    fn worktree(&self, name: &str, rev: &str) -> Result<Worktree> {
        Ok(Worktree::at(
            &self.ctx.git,
            &self.work.path().join(name),
            rev,
        )?)
    }

    /// The tip of `branch`: the remote's when there is a remote, else the local branch.
    fn branch_tip(&self, branch: &str) -> Result<Option<String>> {
        let ctx = self.ctx;
        if let Some(remote) = &ctx.remote {
            let out = ctx
                .git
                .command(&format!("read {branch} on {remote}"))
                .args(["ls-remote", "--heads", remote, branch])
                .run()
                .map_err(crate::outside::git::GitError::from)?;
            let tip = out
                .stdout_str()
                .lines()
                .find(|l| l.ends_with(&format!("refs/heads/{branch}")))
                .and_then(|l| l.split_whitespace().next())
                .map(str::to_string);
            if let Some(t) = &tip {
                ctx.git
                    .command(&format!("fetch {branch} from {remote}"))
                    .args(["fetch", "--quiet", remote, t])
                    .run()
                    .map_err(crate::outside::git::GitError::from)?;
            }
            return Ok(tip);
        }
        Ok(ctx.git.resolve(&format!("refs/heads/{branch}"))?)
    }

    /// Publishes `commit` as `branch`: pushed to the remote (fast-forward only) and the local
    /// branch moved when it was at `old` or absent.
    fn publish_branch(&self, branch: &str, commit: &str, old: Option<&str>) -> Result<()> {
        let ctx = self.ctx;
        if let Some(remote) = &ctx.remote {
            ctx.git
                .command(&format!("push {branch} to {remote}"))
                .args([
                    "push",
                    "--quiet",
                    remote,
                    &format!("{commit}:refs/heads/{branch}"),
                ])
                .run()
                .map_err(crate::outside::git::GitError::from)?;
        }
        let local = ctx.git.resolve(&format!("refs/heads/{branch}"))?;
        let checked_out = ctx.git.current_branch()?.as_deref() == Some(branch);
        if checked_out && local.as_deref() != Some(commit) {
            tracing::warn!(
                "{branch} is checked out here, so it is left alone; `git pull` it to get {commit}"
            );
        } else if local.is_none() || local.as_deref() == old {
            let mut c = ctx
                .git
                .command(&format!("move the local branch {branch}"))
                .args(["update-ref", &format!("refs/heads/{branch}"), commit]);
            if let Some(o) = local {
                c = c.arg(o);
            }
            c.run().map_err(crate::outside::git::GitError::from)?;
        } else if local.as_deref() != Some(commit) {
            tracing::warn!("the local branch {branch} has moved on; leaving it alone (the remote has {commit})");
        }
        Ok(())
    }

    fn website(&self, ledger: &Ledger) -> Result<Value> {
        let ctx = self.ctx;
        let cfg = self.cfg();
        let w = &cfg.website;
        let branch = w.branch.replace("{version}", &ctx.version.to_string());
        // Resume on the branch if an earlier run pushed it, else start from the base.
        let (start, old) = match self.branch_tip(&branch)? {
            Some(tip) => (tip.clone(), Some(tip)),
            None => {
                let base = self.branch_tip(&w.base)?.ok_or_else(|| {
                    Error::Usage(format!(
                        "the website base branch `{}` does not exist{}; fix website.base",
                        w.base,
                        ctx.remote
                            .as_deref()
                            .map(|r| format!(" on `{r}`"))
                            .unwrap_or_default()
                    ))
                })?;
                (base, None)
            }
        };
        let wt = self.worktree("website", &start)?;
        let prefix = ctx.git.prefix_of(&ctx.project.root);
        let root = wt.path().join(&prefix);
        let file = root.join(&w.releases_file);
        let text = std::fs::read_to_string(&file).map_err(|e| {
            Error::Usage(format!(
                "cannot read {} on {} ({e}); add the releases data file or set website.releases_file = \"\" to skip the website step",
                w.releases_file, w.base
            ))
        })?;
        let jira: Option<JiraRecord> = ledger.outputs(PublishStep::JiraRelease)?;
        let jira_version = match jira {
            Some(r) => r.id,
            None => {
                tracing::warn!(
                    "no JIRA step (publish.jira_release is off), so {}'s jira_version is the version name; put JIRA's version id there before merging the website change",
                    w.releases_file
                );
                ctx.version.to_string()
            }
        };
        let release = crate::website::Release {
            version: ctx.version,
            jira_version,
            date: ctx.date.clone(),
            title: self.fill(&w.news_title),
            blog_slug: self.fill(&w.blog_slug),
        };
        let edited = crate::website::update_releases(&text, &w.releases_file, &release)?;
        let mut changed = Vec::new();
        if edited != text {
            write(&file, &edited)?;
            changed.push(w.releases_file.clone());
        }
        let previous = crate::website::previous_release_tag(
            &ctx.git.tag_names()?,
            &ctx.project.scheme,
            ctx.version,
        );
        let contributors = crate::website::contributors(
            &ctx.git,
            previous.as_deref().unwrap_or_default(),
            &ctx.commit,
        )?;
        let changelog = self.changelog()?;
        let blog_template = cfg
            .template_file(
                &ctx.project.root,
                &cfg.wording.blog_template,
                "wording.blog_template",
            )
            .map_err(Error::Usage)?;
        let post = crate::website::blog_post_worded(
            &crate::website::BlogPost {
                display_name: cfg.project.display_name.clone(),
                version: ctx.version,
                date: ctx.date.clone(),
                changelog,
                contributors: contributors.clone(),
                release_managers: ctx.managers.clone(),
                download_url: self.fill(&w.download_url),
                changelog_url: cfg
                    .expand(&cfg.vote.changelog_url)
                    .replace("{tag}", &ctx.final_tag),
                blog_slug: self.fill(&w.blog_slug),
            },
            &cfg.wording(),
            blog_template
                .as_ref()
                .map(|(o, t)| (o.as_str(), t.as_str())),
        )
        .map_err(Error::Usage)?;
        let blog_rel = format!("{}/{}", w.blog_dir, self.fill(&w.blog_file));
        let blog = root.join(&blog_rel);
        if std::fs::read_to_string(&blog).ok().as_deref() != Some(post.as_str()) {
            if let Some(dir) = blog.parent() {
                std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
            }
            write(&blog, &post)?;
            changed.push(blog_rel.clone());
        }
        let commit = if changed.is_empty() {
            start.clone()
        } else {
            let g = Git::open(&root)?;
            let refs: Vec<&str> = changed.iter().map(String::as_str).collect();
            g.commit_paths(
                &format!(
                    "Added {} {} to the website.",
                    cfg.project.display_name, ctx.version
                ),
                &refs,
            )?
        };
        // What the step did is judged against the base, not the start: a re-run after a crash
        // resumes on the pushed branch, which already carries the edits, and must record the
        // same `changed` and diff as the run that made them.
        let (before, changed) = match &old {
            None => (text.clone(), changed),
            Some(_) => self.website_changes_since_base(
                &prefix,
                &[
                    (w.releases_file.as_str(), edited.as_str()),
                    (blog_rel.as_str(), post.as_str()),
                ],
            )?,
        };
        let diff = similar::TextDiff::from_lines(&before, &edited)
            .unified_diff()
            .context_radius(2)
            .header(
                &format!("a/{}", w.releases_file),
                &format!("b/{}", w.releases_file),
            )
            .to_string();
        drop(wt);
        self.publish_branch(&branch, &commit, old.as_deref())?;
        let mut pull = Value::Null;
        if !w.github_repo.is_empty() {
            let (owner, repo) = w.github_repo.split_once('/').ok_or_else(|| {
                Error::Usage(format!(
                    "website.github_repo `{}` is not OWNER/REPO",
                    w.github_repo
                ))
            })?;
            let gh = self.github(owner, repo)?;
            let url = crate::outside::http::block_on(gh.pull_request(
                &branch,
                &w.base,
                &format!("Website: {} {} is released", cfg.project.display_name, ctx.version),
                &format!(
                    "Adds {} {} to `{}` and the blog post `{blog_rel}` (written by publish-dist). Please review the blog post's prose before merging.",
                    cfg.project.display_name, ctx.version, w.releases_file
                ),
            ))?;
            pull = Value::from(url);
        }
        write(&ctx.out.join("releases.diff"), &diff)?;
        Ok(
            json!({"branch": branch, "commit": commit, "changed": changed, "contributors": contributors.len(), "previous": previous, "pull_request": pull, "diff": diff}),
        )
    }

    /// For a resumed website step: the releases file as the base branch has it, and which of
    /// `files` (path, content now) differ from the base: what the step changed, from the world.
    fn website_changes_since_base(
        &self,
        prefix: &std::path::Path,
        files: &[(&str, &str)],
    ) -> Result<(String, Vec<String>)> {
        let w = &self.cfg().website;
        let base = self.branch_tip(&w.base)?;
        let at_base = |rel: &str| -> Result<Option<String>> {
            let Some(base) = &base else { return Ok(None) };
            let path = prefix.join(rel).to_string_lossy().replace('\\', "/");
            Ok(self
                .ctx
                .git
                .show(base, &path)?
                .map(|b| String::from_utf8_lossy(&b).into_owned()))
        };
        let mut before = String::new();
        let mut changed = Vec::new();
        for (i, (rel, now)) in files.iter().enumerate() {
            let then = at_base(rel)?;
            if i == 0 {
                before = then.clone().unwrap_or_default();
            }
            if then.as_deref() != Some(*now) {
                changed.push(rel.to_string());
            }
        }
        Ok((before, changed))
    }

    fn bump_branch(&self) -> Result<Value> {
        let ctx = self.ctx;
        let branch = ctx.project.scheme.branch(ctx.version);
        let next = ctx.version.next(Part::Patch);
        let tip = self.branch_tip(&branch)?.ok_or_else(|| {
            Error::Usage(format!(
                "{} does not exist{}; create it from {} or set publish.bump_branch = false",
                ctx.project.config.release_model().describe(&branch),
                ctx.remote
                    .as_deref()
                    .map(|r| format!(" on `{r}`"))
                    .unwrap_or_default(),
                ctx.tag
            ))
        })?;
        let wt = self.worktree("bump", &tip)?;
        let prefix = ctx.git.prefix_of(&ctx.project.root);
        let root = wt.path().join(&prefix);
        // The same configuration (file, environment and --set), rooted in the worktree.
        let project = Project {
            root: root
                .canonicalize()
                .map_err(|e| Error::io("open the worktree", &root, e))?,
            ..ctx.project.clone()
        };
        let values: Vec<_> = project
            .read_sites()?
            .into_iter()
            .map(|(_, _, v)| v)
            .collect();
        if let Ok(current) = crate::model::version_sites::agreement(&values) {
            if current >= next {
                drop(wt);
                self.publish_branch(&branch, &tip, Some(&tip))?;
                return Ok(
                    json!({"branch": branch, "version": current.to_string(), "commit": tip, "already": true}),
                );
            }
        }
        let plan =
            crate::project::bump::plan(&project, crate::project::bump::Target::Set(next), true)?;
        let applied = crate::project::bump::apply(&project, &plan)?;
        let commit = applied.commit.unwrap_or(tip.clone());
        drop(wt);
        self.publish_branch(&branch, &commit, Some(&tip))?;
        Ok(
            json!({"branch": branch, "version": next.to_string(), "commit": commit, "already": false}),
        )
    }

    fn archive(&self) -> Result<Value> {
        let ctx = self.ctx;
        let cfg = self.cfg();
        let existing = self.list_release()?;
        let remove = super::archiving::to_archive(
            &existing,
            ctx.version,
            &cfg.publish.active_lines,
            usize::try_from(cfg.publish.keep_lines).unwrap_or(1),
        );
        if remove.is_empty() {
            return Ok(json!({"removed": remove}));
        }
        let archive = cfg.wording().archive;
        let message = if archive.is_empty() {
            format!(
                "Archiving {} {} (superseded by {}).",
                cfg.project.name,
                remove.join(", "),
                ctx.version
            )
        } else {
            format!(
                "Archiving {} {} (superseded by {}; they remain on {archive}).",
                cfg.project.name,
                remove.join(", "),
                ctx.version
            )
        };
        match &ctx.release {
            Target::Svn { url } => {
                let ops: Vec<String> = remove
                    .iter()
                    .flat_map(|r| ["rm".to_string(), format!("{url}/{r}")])
                    .collect();
                svn(url, &ctx.env).commit_ops(&message, &ops)?;
            }
            Target::Local { dir } => {
                let d = local_dir(&ctx.project, dir);
                // Out of the listing first (one rename each), then deleted.
                let trash = d.join(".archived");
                std::fs::create_dir_all(&trash).map_err(|e| Error::io("create", &trash, e))?;
                for r in &remove {
                    let _ = std::fs::remove_dir_all(trash.join(r));
                    std::fs::rename(d.join(r), trash.join(r))
                        .map_err(|e| Error::io("archive", d.join(r), e))?;
                }
                std::fs::remove_dir_all(&trash).map_err(|e| Error::io("remove", &trash, e))?;
            }
            Target::GitHub { .. } => {}
        }
        Ok(json!({"removed": remove, "message": message}))
    }

    fn headers(&self, to: String, cc: String, id: &str, reply_to: &str) -> crate::emails::Headers {
        let ctx = self.ctx;
        let cfg = self.cfg();
        crate::emails::Headers {
            from: cfg.mail.sender(&ctx.tagger),
            to,
            cc,
            date: date_header(&ctx.date),
            message_id: format!("<publish-dist.{id}.{}@{}>", ctx.final_tag, cfg.project.name),
            in_reply_to: reply_to.to_string(),
        }
    }

    fn emails(&self, ledger: &Ledger) -> Result<Value> {
        let ctx = self.ctx;
        let cfg = self.cfg();
        let result = ledger
            .require::<_, TallyRecord>(PublishStep::Tally)?
            .result_eml;
        write(&ctx.out.join("result-email.eml"), &result)?;
        let changelog = self.changelog()?;
        let w = &cfg.website;
        let announcement = crate::emails::announce::Announcement {
            display_name: cfg.project.display_name.clone(),
            project: cfg.project.name.clone(),
            version: ctx.version,
            changelog,
            download_url: self.fill(&w.download_url),
            changelog_url: cfg
                .expand(&cfg.vote.changelog_url)
                .replace("{tag}", &ctx.final_tag),
            // No website step, no blog post to link.
            blog_url: if w.releases_file.trim().is_empty() {
                String::new()
            } else {
                self.fill(&w.blog_url)
                    .replace("{slug}", &self.fill(&w.blog_slug))
            },
            release_managers: ctx.managers.clone(),
            keys_url: crate::verify::keys::url(&ctx.project.root, &cfg.expand(&cfg.signing.keys)),
            description: cfg.expand(&w.description),
        };
        let (to, cc) = crate::emails::distinct_recipients(
            &cfg.publish.announce_to,
            &[cfg.expand(&cfg.mail.dev), cfg.expand(&cfg.mail.user)],
        );
        let template = cfg
            .template_file(
                &ctx.project.root,
                &cfg.wording.announce_template,
                "wording.announce_template",
            )
            .map_err(Error::Usage)?;
        let announce = crate::emails::announce::announce_email_worded(
            &announcement,
            &self.headers(to, cc, "announce", ""),
            &cfg.wording(),
            template.as_ref().map(|(o, t)| (o.as_str(), t.as_str())),
        )?;
        write(&ctx.out.join("announce-email.eml"), &announce.eml)?;
        Ok(
            json!({"result": "result-email.eml", "announce": "announce-email.eml", "announce_subject": announce.subject, "announce_eml": announce.eml}),
        )
    }

    fn send(&self, ledger: &Ledger) -> Result<Value> {
        let ctx = self.ctx;
        let cfg = self.cfg();
        let server = crate::outside::smtp::Server::from_config(&cfg.mail, &ctx.env);
        let from = cfg.mail.sender(&ctx.tagger);
        let result = ledger
            .require::<_, TallyRecord>(PublishStep::Tally)?
            .result_eml;
        crate::outside::smtp::send(
            &server,
            &from,
            &[cfg.expand(&cfg.mail.dev)],
            result.as_bytes(),
        )?;
        let announce = ledger
            .require::<_, EmailsRecord>(PublishStep::Emails)?
            .announce_eml;
        let (first, rest) = crate::emails::distinct_recipients(
            &cfg.publish.announce_to,
            &[cfg.expand(&cfg.mail.dev), cfg.expand(&cfg.mail.user)],
        );
        let to: Vec<String> = std::iter::once(first)
            .chain(
                rest.split(", ")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            )
            .collect();
        crate::outside::smtp::send(&server, &from, &to, announce.as_bytes())?;
        Ok(json!({"result_to": cfg.expand(&cfg.mail.dev), "announce_to": to}))
    }
}

fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::outside::fs::write_atomic(path, bytes).map_err(|e| Error::io("write", path, e))
}

/// An RFC 5322 date for the emails: the release date at noon UTC (deterministic on re-runs).
fn date_header(date: &str) -> String {
    jiff::civil::Date::strptime("%Y-%m-%d", date)
        .ok()
        .and_then(|d| d.at(12, 0, 0, 0).to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|z| crate::model::vote::rfc5322_date(z.timestamp()))
        .unwrap_or_default()
}

impl Act<PublishStep> for Publisher<'_> {
    fn run(&mut self, step: &Step<PublishStep>, ledger: &Ledger) -> Result<Value> {
        let ctx = self.ctx;
        match step.kind {
            PublishStep::Tally => {
                let t = ctx.tally.as_ref().ok_or_else(|| {
                    Error::Problem("the tally was not evaluated before publishing; re-run".into())
                })?;
                if let Some(reason) = &ctx.override_vote {
                    if !t.passed {
                        tracing::warn!("vote override recorded in the ledger: {reason}");
                    }
                }
                std::fs::create_dir_all(&ctx.out).map_err(|e| Error::io("create", &ctx.out, e))?;
                write(&ctx.out.join("result-email.eml"), &t.result_email.eml)?;
                Ok(json!({
                    "passed": t.passed,
                    "override_vote": if t.passed { Value::Null } else { Value::from(ctx.override_vote.clone()) },
                    "reasons": t.reasons,
                    "voters": t.voters,
                    "date": ctx.date,
                    "result_subject": t.result_email.subject,
                    "result_eml": t.result_email.eml,
                    "tally": t.json,
                }))
            }
            PublishStep::Verify => self.verify(),
            PublishStep::Promote => self.promote(ledger),
            PublishStep::Tag => self.tag(),
            PublishStep::MavenRelease => {
                let n = self.nexus()?;
                let id = ctx
                    .staged
                    .maven
                    .as_ref()
                    .map(|m| m.repository.clone())
                    .ok_or_else(|| {
                        Error::Problem(format!(
                            "stage-rc's ledger of {} has no Nexus staging repository to release; stage the Maven artifacts with stage-rc, or turn Maven off in release.toml",
                            ctx.tag
                        ))
                    })?;
                let cfg = self.cfg();
                crate::outside::http::block_on(n.release(
                    &id,
                    &format!("{} {}", cfg.project.display_name, ctx.version),
                ))?;
                Ok(json!({"repository": id, "state": "released"}))
            }
            PublishStep::JiraRelease => self.jira_release(),
            PublishStep::Website => self.website(ledger),
            PublishStep::BumpBranch => self.bump_branch(),
            PublishStep::Archive => self.archive(),
            PublishStep::Emails => self.emails(ledger),
            PublishStep::Send => self.send(ledger),
        }
    }

    fn restore(
        &mut self,
        step: &Step<PublishStep>,
        record: &Record,
        _later_work: bool,
    ) -> Result<()> {
        let ctx = self.ctx;
        let put = |name: &str, text: &str| -> Result<()> {
            std::fs::create_dir_all(&ctx.out).map_err(|e| Error::io("create", &ctx.out, e))?;
            write(&ctx.out.join(name), text)
        };
        match step.kind {
            PublishStep::Tally => put(
                "result-email.eml",
                &record.outputs_as::<TallyRecord>()?.result_eml,
            ),
            PublishStep::Emails => put(
                "announce-email.eml",
                &record.outputs_as::<EmailsRecord>()?.announce_eml,
            ),
            PublishStep::Website => {
                put("releases.diff", &record.outputs_as::<WebsiteRecord>()?.diff)
            }
            PublishStep::Verify
            | PublishStep::Promote
            | PublishStep::Tag
            | PublishStep::MavenRelease
            | PublishStep::JiraRelease
            | PublishStep::BumpBranch
            | PublishStep::Archive
            | PublishStep::Send => Ok(()),
        }
    }
}

/// Carries out `publish-dist abandon`.
#[derive(Debug)]
pub struct Abandoner<'a> {
    pub project: &'a Project,
    pub dev: Target,
    pub tag: String,
    pub env: Vec<(String, String)>,
}

impl Act<AbandonStep> for Abandoner<'_> {
    fn run(&mut self, step: &Step<AbandonStep>, _ledger: &Ledger) -> Result<Value> {
        let cfg = &self.project.config;
        let reason = step
            .inputs
            .get("reason")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match step.kind {
            AbandonStep::MavenDrop => {
                let repo = step
                    .inputs
                    .get("repository")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let n = crate::outside::nexus::Nexus::from_config(&cfg.maven, &self.env)?;
                crate::outside::http::block_on(n.drop_repository(
                    repo,
                    &format!("{} {} abandoned", cfg.project.display_name, self.tag),
                ))?;
                Ok(json!({"repository": repo, "state": "dropped"}))
            }
            AbandonStep::MarkAbandoned => {
                let note = format!(
                    "{} was abandoned: {reason}.\nDo not vote on or use this candidate.\n",
                    self.tag
                );
                match &self.dev {
                    Target::Local { dir } => {
                        let d = local_dir(self.project, dir).join(&self.tag);
                        if !d.is_dir() {
                            return Err(Error::Problem(format!(
                                "the candidate directory {} does not exist; nothing to mark",
                                d.display()
                            )));
                        }
                        write(&d.join("ABANDONED"), &note)?;
                    }
                    Target::Svn { url } => {
                        let s = svn(url, &self.env);
                        let path = format!("{}/ABANDONED", self.tag);
                        if s.read_file(&path)?.as_deref() != Some(note.as_bytes()) {
                            let tmp = tempfile::NamedTempFile::new()
                                .map_err(|e| Error::io("create", std::env::temp_dir(), e))?;
                            write(tmp.path(), &note)?;
                            s.commit_ops(
                                &format!("Abandoning {}-{}.", cfg.project.name, self.tag),
                                &[
                                    "put".into(),
                                    tmp.path().display().to_string(),
                                    format!("{url}/{path}"),
                                ],
                            )?;
                        }
                    }
                    Target::GitHub { owner, repo } => {
                        let gh = crate::outside::github::GitHub::from_config(
                            &cfg.github,
                            owner,
                            repo,
                            &self.env,
                        )?;
                        crate::outside::http::block_on(async {
                            let r = gh.find_release(&self.tag).await?.ok_or_else(|| {
                                Error::Problem(format!(
                                    "GitHub has no draft release for {}; nothing to mark",
                                    self.tag
                                ))
                            })?;
                            gh.annotate(r.id, &format!("{} (abandoned)", self.tag), &note)
                                .await?;
                            Ok::<_, Error>(())
                        })?;
                    }
                }
                Ok(json!({"note": "ABANDONED", "reason": reason}))
            }
        }
    }
}
