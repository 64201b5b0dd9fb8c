//! A PMC voter's complete verification of a release candidate: the checksum, the signature
//! against the project's KEYS, the archive's safety and layout, its content against the tag
//! (one streaming pass: the artifact is read once for its digests while another thread
//! decompresses it and hashes each entry as a git blob), and optionally a rebuild from the tag
//! and a build from the tarball.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::ci::Ci;
use crate::cli::{self, CommonArgs};
use crate::config::Source;
use crate::error::{Error, ExitCode, Result};
use crate::model::artifact;
use crate::outside::git::{self, Git};
use crate::report::{Check, Finding, Location, Report};
use crate::tools::verify_distcheck::source::{self, Allowlist, RunOptions};
use crate::verify::archive::{self, Kind, Layout};
use crate::verify::checksum::{self, Algorithm};
use crate::verify::licence;
use crate::verify::location;
use crate::verify::openpgp::{self, KeyValidity, Keyring, Outcome, SigningError, Verdict};
use crate::verify::pipeline::{self, Digests, ScanSpec};

/// What `verify-distcheck candidate` was asked.
#[derive(Debug, Clone)]
pub struct CandidateRequest {
    pub artifact: String,
    /// The KEYS file; `None` for the configured `signing.keys`.
    pub keys: Option<String>,
    pub checksum: Option<String>,
    pub signature: Option<String>,
    pub tag: Option<String>,
    pub rebuild: bool,
    pub build: bool,
    pub jobs: Option<usize>,
    pub timeout: Option<Duration>,
    pub log: Option<PathBuf>,
    /// The time to judge key and signature expiry at (seconds since the epoch); now when unset.
    pub now: Option<u32>,
    /// When the signing key must be valid; `None`: [`KeyValidity::Now`], as a candidate under
    /// vote needs (a published release is checked with [`KeyValidity::SigningTime`]).
    pub key_validity: Option<KeyValidity>,
}

/// The layout a candidate must have. With `--tag`, the configured top directory of the tag's
/// version; else, with a configuration file whose tarball template matches the file name, the
/// configured top directory of the version it names (any version string); else `NAME-VERSION`
/// inferred from the file name, checked by the relaxed rule of [`Layout::inferred_version`]
/// when there is no configuration at all.
pub(crate) fn layout_rule(
    config: &crate::config::Config,
    configured: bool,
    artifact_name: &str,
    tag_version: Option<&str>,
) -> Option<Layout> {
    let required = config.distcheck.required_files.clone();
    let strict = |v: &str| Layout {
        expected: config.top_dir(v),
        required: required.clone(),
        inferred_version: None,
    };
    if let Some(v) = tag_version {
        return Some(strict(v));
    }
    if configured {
        if let Some(v) =
            artifact::version_by_template(&config.expand(&config.project.tarball), artifact_name)
        {
            return Some(strict(&v));
        }
    }
    let (name, version) = artifact::name_version(artifact_name)?;
    Some(Layout {
        expected: format!("{name}-{version}"),
        required: required.clone(),
        inferred_version: (!configured).then_some(version),
    })
}

#[derive(Serialize)]
struct Evidence<'a> {
    sha512: &'a str,
    bytes: u64,
}

/// `verify-distcheck candidate`: the library side of the binary.
pub fn run(common: &CommonArgs, req: &CandidateRequest) -> Result<ExitCode> {
    let ci = Ci::detect();
    let project = common.project_at_tag(req.tag.as_deref())?;
    let config = &project.config;
    let tmp = tempfile::Builder::new()
        .prefix("verify-candidate-")
        .tempdir()
        .map_err(|e| Error::io("create a temporary directory in", std::env::temp_dir(), e))?;

    // Inputs.
    let artifact_in = location::Location::parse(&req.artifact);
    let artifact_name = artifact_in.file_name();
    let kind = Kind::from_name(&artifact_name).ok_or_else(|| {
        Error::Usage(format!(
            "{artifact_name} is not an archive I can read; expected .tar.gz, .tar.bz2, .tar.xz, .tar or .zip"
        ))
    })?;
    let checksum_in = req
        .checksum
        .as_deref()
        .map(location::Location::parse)
        .unwrap_or_else(|| artifact_in.with_suffix(".sha512"));
    let signature_in = req
        .signature
        .as_deref()
        .map(location::Location::parse)
        .unwrap_or_else(|| artifact_in.with_suffix(".asc"));
    let keys_in = location::Location::parse(
        &config.expand(req.keys.as_deref().unwrap_or(&config.signing.keys)),
    );
    let artifact = artifact_in.fetch("artifact", tmp.path())?;
    let checksum_path = checksum_in.fetch("checksum file", tmp.path())?;
    let signature_path = signature_in.fetch("signature", tmp.path())?;

    // Version and tag.
    let (version, tag_info, git) = match &req.tag {
        Some(tag) => {
            let v = project.scheme.parse(tag)?.version();
            let git = project.git()?;
            let info = git.require_tag(tag, config.tags.require_annotated)?;
            (Some(v), Some(info), Some(git))
        }
        None => (None, None, None),
    };
    let configured = matches!(project.source, Source::File(_));
    let tag_version = version.map(|v| v.to_string());
    let Some(layout) = layout_rule(config, configured, &artifact_name, tag_version.as_deref())
    else {
        return Err(Error::Usage(format!(
            "cannot tell the version of {artifact_name}: its name is not NAME-VERSION.tar.gz; pass --tag (with --repo), or set project.tarball to the file's name template"
        )));
    };
    let top_dir = layout.expected.clone();
    let subject = match &req.tag {
        Some(t) => format!("{artifact_name} against tag {t}"),
        None => artifact_name.clone(),
    };
    let mut report = Report::new("verify-distcheck", subject);

    // KEYS.
    let keyring = crate::verify::keys::load_from(&keys_in, &keys_in.display())?.keyring;
    report.push(keys_check(&keyring, &keys_in.display()));

    // Checksum file.
    let checksum_name = checksum_in.file_name();
    let checksum_text =
        std::fs::read(&checksum_path).map_err(|e| Error::io("read", &checksum_path, e))?;
    let stated = checksum::parse(
        &String::from_utf8_lossy(&checksum_text),
        &checksum_name,
        &artifact_name,
    )?;
    let selected = checksum::select(&stated, &artifact_name);

    // Signature file.
    let sig_bytes =
        std::fs::read(&signature_path).map_err(|e| Error::io("read", &signature_path, e))?;
    let sig_name = signature_in.display();
    let (sigs, sig_problem) = match openpgp::parse_signatures(&sig_bytes, &sig_name) {
        Ok(s) => (s, None),
        Err(e @ SigningError::Binary { .. }) => (Vec::new(), Some(e.to_string())),
        Err(e) => return Err(e.into()),
    };
    let (sig_hashers, unsupported) = pipeline::hashers(&sigs, &sig_name);

    // The one pass.
    let format = match &git {
        Some(g) => Some(g.object_format()?),
        None => None,
    };
    let tree = match (&git, &tag_info) {
        // The project's own files: it may sit below the repository's top.
        (Some(g), Some(info)) => Some(g.ls_tree_under(&info.commit, &g.prefix_of(&project.root))?),
        _ => None,
    };
    let limits = pipeline::limits(config);
    let extra = selected.as_ref().ok().map(|e| e.algorithm);
    let spec = ScanSpec {
        kind,
        limits,
        blobs: format,
    };
    let mut audit = licence::Audit::new(true, &config.licence.exclusions_file);
    let inspect = config.licence.enabled.then_some(&mut audit as _);
    let (digests, scan) =
        pipeline::one_pass_inspected(&artifact, sig_hashers, extra, spec, inspect)?;

    // Checksum.
    report.push(checksum_check(
        &selected,
        &digests,
        &checksum_in.display(),
        &artifact_name,
    ));

    // Signature.
    let now = req.now.unwrap_or_else(pipeline::now);
    let policy = req.key_validity.unwrap_or(KeyValidity::Now);
    let mut verdicts = pipeline::signature_verdicts(&digests, &keyring, now);
    verdicts.extend(unsupported);
    let (sig_check, signer_fp) = signature_check(
        sig_problem,
        &verdicts,
        policy,
        &sig_name,
        &keys_in.display(),
    );
    report.push(sig_check);

    // Archive.
    let safety: Vec<_> = scan
        .violations
        .iter()
        .filter(|v| !pipeline::is_layout(v))
        .cloned()
        .collect();
    let safe_scan = archive::Scan {
        violations: safety,
        ..scan.clone()
    };
    for c in source::archive_checks_with(&safe_scan, &layout) {
        report.push(c);
    }
    let readable = scan.violations.is_empty();

    // The ASF checks: licences, compiled code, LICENSE and NOTICE, the SBOM.
    // NOTICE must cover the year the release was cut: the newest file time in the tarball
    // (stage-rc sets every time to the tag's commit), never later than now.
    let cut = match scan.newest_mtime {
        0 => now,
        t => u32::try_from(t.min(u64::from(now))).unwrap_or(now),
    };
    // With no release.toml, a candidate is not assumed to be an ASF release unless it is the
    // built-in defaults' own project (Mesos): the ASF checks are reported as not run.
    let defaults_project = crate::config::Config::default().project.name;
    let asf_release = configured
        || artifact::name_version(&artifact_name).is_some_and(|(name, _)| {
            name == config.project.name && config.project.name == defaults_project
        });
    if asf_release {
        for c in licence::candidate_checks(
            &mut audit,
            config,
            &project.root,
            &artifact_in,
            &digests,
            cut,
            tmp.path(),
        )? {
            report.push(c);
        }
    } else {
        report.push(
            Check::new(
                "licence-headers",
                "the ASF checks: licence headers, compiled code, LICENSE/NOTICE, the SBOM",
            )
            .skipped(
                "no release.toml: the candidate is not assumed to be an ASF release; to run the ASF checks, verify with the project's release.toml (`--config FILE`, or `--tag` with `--repo`)",
            ),
        );
    }

    // Content against the tag.
    match (&tree, &req.tag) {
        (Some(tree), Some(tag)) => {
            if readable {
                let allow = match (&git, &tag_info) {
                    (Some(g), Some(info)) => {
                        Allowlist::at(config, g, &info.commit, &g.prefix_of(&project.root))?
                    }
                    _ => Allowlist::from_config(config)?,
                };
                let diff = source::compare_trees(tree, &scan.entries, &allow);
                report.push(source::tree_check(&diff, &artifact_name, tag));
            } else {
                report.push(
                    Check::new("contents-match-tag", "contents against the tag")
                        .skipped("the archive is unsafe or unreadable"),
                );
            }
        }
        _ => report.push(
            Check::new("contents-match-tag", "contents against the tag").skipped("no --tag given"),
        ),
    }

    // Rebuild and build.
    let log = req.log.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "{}-verify.log",
            artifact_name.trim_end_matches(kind.extension())
        ))
    });
    let opts = RunOptions {
        jobs: source::jobs(req.jobs),
        timeout: req
            .timeout
            .unwrap_or(Duration::from_secs(config.distcheck.timeout.max(1) as u64)),
        log: log.clone(),
        echo: !common.quiet,
    };
    if req.rebuild {
        match (&git, &tag_info, version) {
            (Some(git), Some(info), Some(v)) => {
                let out = tmp.path().join("rebuild");
                let built = source::build_from_tag(&project, git, info, v, &out, &opts, &ci)?;
                let mut rebuild = Check::new(
                    "rebuild",
                    "the tarball re-made from the tag is the candidate",
                );
                match &built.tarball {
                    None => {
                        let why = built
                            .checks
                            .iter()
                            .flat_map(|c| c.findings.iter())
                            .map(|f| f.message.clone())
                            .next()
                            .unwrap_or_else(|| "the recipe failed".into());
                        rebuild.push(Finding::error(format!("could not rebuild: {why}"), None));
                        rebuild.summary = "the recipe failed".into();
                    }
                    Some(path) => {
                        let verdict =
                            compare_rebuild(path, &digests.sha512, &scan, limits, format)?;
                        match &verdict {
                            Rebuild::Identical => rebuild.summary = "identical".into(),
                            Rebuild::ContentIdentical => {
                                rebuild.summary = "content-identical (same files and bytes, different archive metadata)".into()
                            }
                            Rebuild::Differs(entries) => {
                                for e in entries {
                                    rebuild.push(Finding::error(e.clone(), None));
                                }
                                rebuild.summary = format!("differs in {} entries", entries.len());
                            }
                        }
                    }
                }
                report.push(rebuild);
            }
            _ => {
                return Err(Error::Usage(
                    "--rebuild needs --tag (and --repo): the tarball is re-made from the tag"
                        .into(),
                ))
            }
        }
    } else {
        report.push(Check::new("rebuild", "rebuild from the tag").skipped("no --rebuild"));
    }
    if req.build {
        report.push(build_check(
            &artifact,
            kind,
            &top_dir,
            readable,
            config,
            &opts,
            &ci,
            tmp.path(),
        )?);
    } else {
        report.push(Check::new("build", "build and test from the tarball").skipped("no --build"));
    }

    ci.set_output("sha512", &digests.sha512)?;
    if let Some(fp) = &signer_fp {
        ci.set_output("signer", fp)?;
    }
    tracing::debug!(
        "{}",
        serde_json::to_string(&Evidence {
            sha512: &digests.sha512,
            bytes: digests.bytes
        })
        .unwrap_or_default()
    );
    cli::emit_report(&report, common, &ci)
}

/// The signature check: every signature of the file with its verdict under `policy`; it passes
/// when one is accepted and none is BAD. Returns the accepting signer's fingerprint.
fn signature_check(
    problem: Option<String>,
    verdicts: &[Verdict],
    policy: KeyValidity,
    sig_name: &str,
    keys_name: &str,
) -> (Check, Option<String>) {
    let mut check = Check::new(
        "signature",
        "the detached signature verifies with a valid key from KEYS",
    );
    let at = || Some(Location::new(sig_name, None));
    if let Some(problem) = problem {
        check.push(Finding::error(problem, at()));
        check.summary = "binary signature".into();
        return (check, None);
    }
    if verdicts.is_empty() {
        return (check.skipped("no signature"), None);
    }
    let accepted = openpgp::accepted(verdicts, policy);
    let several = verdicts.len() > 1;
    for (i, v) in verdicts.iter().enumerate() {
        let which = if several {
            format!("signature {} of {}: ", i + 1, verdicts.len())
        } else {
            String::new()
        };
        if policy.accepts(v) {
            if several {
                check.push(Finding::notice(
                    format!("{which}{}", describe_accepted(v, policy)),
                    at(),
                ));
            }
            continue;
        }
        let mut why = format!("{which}{}", openpgp::explain(v, keys_name));
        if matches!(
            v.outcome,
            Outcome::KeyExpired {
                before_signing: false,
                ..
            }
        ) {
            why.push_str(&format!(
                " (the key was valid when it signed: a release already published is checked with --key-validity {})",
                KeyValidity::SigningTime.name()
            ));
        }
        if accepted.is_some() {
            check.push(Finding::notice(why, at()));
        } else {
            check.push(Finding::error(why, at()));
        }
    }
    let count = if several {
        format!(
            "{} signatures, {} accepted; ",
            verdicts.len(),
            verdicts.iter().filter(|v| policy.accepts(v)).count()
        )
    } else {
        String::new()
    };
    match accepted {
        Some(v) => {
            check.summary = format!("{count}{}", describe_accepted(v, policy));
            let fp = v.signer.as_ref().map(|s| s.fingerprint.clone());
            (check, fp)
        }
        None => {
            let worst = verdicts
                .iter()
                .find(|v| matches!(v.outcome, Outcome::Bad { .. }))
                .unwrap_or(&verdicts[0]);
            let what = match &worst.outcome {
                Outcome::UnknownKey => format!("signing key {} is not in KEYS", worst.issuer),
                Outcome::Bad { .. } => "BAD signature".into(),
                Outcome::KeyExpired {
                    before_signing: false,
                    ..
                } => "the signing key has expired since it signed".into(),
                Outcome::KeyExpired { .. } => "the signing key had expired when it signed".into(),
                Outcome::KeyRevoked { .. } => "the signing key is revoked".into(),
                Outcome::SignatureExpired { .. } => "the signature has expired".into(),
                Outcome::SubkeyUnbound { .. } => "the signing subkey is not bound".into(),
                Outcome::KeyUncertified { .. } => {
                    "the signing key has no valid self-signature".into()
                }
                Outcome::Unsupported { .. } => "the signature cannot be checked".into(),
                Outcome::Good => "no signature accepted".into(),
            };
            check.summary = format!("{count}{what}");
            (check, None)
        }
    }
}

/// One accepted signature: its signer, key and date; for a key expired since, says so.
fn describe_accepted(v: &Verdict, policy: KeyValidity) -> String {
    let Some(s) = v.signer.as_ref() else {
        return openpgp::label(v, policy).into();
    };
    let sub = s
        .subkey
        .as_ref()
        .map(|k| format!(", subkey {k}"))
        .unwrap_or_default();
    let made = v.created.map(openpgp::utc).unwrap_or_default();
    let what = match v.outcome {
        Outcome::KeyExpired { at, .. } => format!(
            "valid at signing time, key since expired ({}): signature",
            openpgp::utc(at)
        ),
        _ => "good signature".into(),
    };
    format!(
        "{what} by {} <{}> ({} {}{sub}), made {made}",
        s.fingerprint, s.user_id, s.algorithm, v.hash
    )
}

fn keys_check(keyring: &Keyring, file: &str) -> Check {
    let mut c = Check::new("keys", "the KEYS file loads");
    for p in &keyring.problems {
        c.push(Finding::warning(
            format!("{}; the other keys still load", p.message),
            Some(Location::new(file, Some(p.line))),
        ));
    }
    c.summary = format!(
        "{} key(s) from {} block(s){}",
        keyring.keys.len(),
        keyring.blocks,
        if keyring.problems.is_empty() {
            String::new()
        } else {
            format!(", {} unreadable", keyring.problems.len())
        }
    );
    c
}

fn checksum_check(
    selected: &std::result::Result<&checksum::Expected, Vec<String>>,
    digests: &Digests,
    file: &str,
    artifact: &str,
) -> Check {
    let mut c = Check::new("checksum", "the published checksum matches the artifact");
    match selected {
        Err(names) => {
            c.push(Finding::error(
                format!(
                    "{file} is for {} instead of {artifact}; publish the checksum of {artifact} (`sha512sum {artifact} > {artifact}.sha512`)",
                    names.join(", ")
                ),
                Some(Location::new(file, None)),
            ));
            c.summary = "checksum file names another file".into();
        }
        Ok(e) => {
            let actual = digests
                .in_algorithm(e.algorithm)
                .unwrap_or_default()
                .to_string();
            if actual == e.hex {
                c.summary = format!("{} {actual}", e.algorithm.name());
            } else {
                c.push(Finding::error(
                    format!(
                        "{} of {artifact} is {actual} but {file} says {}; the artifact was modified or truncated: download it again",
                        e.algorithm.name(),
                        e.hex
                    ),
                    Some(Location::new(file, None)),
                ));
                c.summary = format!("{} mismatch", e.algorithm.name());
            }
        }
    }
    c
}

/// How a rebuilt tarball compares with the candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Rebuild {
    Identical,
    ContentIdentical,
    Differs(Vec<String>),
}

/// Compares two scans' entries: same paths, kinds and contents. Pure.
pub(crate) fn compare_entries(
    candidate: &[archive::Entry],
    rebuilt: &[archive::Entry],
) -> Vec<String> {
    use std::collections::BTreeMap;
    let a: BTreeMap<&str, &archive::Entry> =
        candidate.iter().map(|e| (e.path.as_str(), e)).collect();
    let b: BTreeMap<&str, &archive::Entry> = rebuilt.iter().map(|e| (e.path.as_str(), e)).collect();
    let mut out = Vec::new();
    for (p, e) in &a {
        match b.get(p) {
            None => out.push(format!("{p} is only in the candidate")),
            Some(r) if r.kind != e.kind || r.id != e.id => {
                out.push(format!("{p} differs between the candidate and the rebuild"))
            }
            _ => {}
        }
    }
    for p in b.keys().filter(|p| !a.contains_key(*p)) {
        out.push(format!("{p} is only in the rebuilt tarball"));
    }
    out
}

fn compare_rebuild(
    rebuilt: &Path,
    candidate_sha512: &str,
    candidate: &archive::Scan,
    limits: archive::Limits,
    format: Option<git::ObjectFormat>,
) -> Result<Rebuild> {
    let file = std::fs::File::open(rebuilt).map_err(|e| Error::io("open", rebuilt, e))?;
    let sha512 = checksum::hash_reader(Algorithm::Sha512, io::BufReader::new(file))
        .map_err(|e| Error::io("read", rebuilt, e))?;
    if sha512 == candidate_sha512 {
        return Ok(Rebuild::Identical);
    }
    let format = format.unwrap_or(git::ObjectFormat::Sha1);
    let scan = source::scan_file(rebuilt, limits, Some(format))?;
    let diff = compare_entries(&candidate.entries, &scan.entries);
    Ok(if diff.is_empty() {
        Rebuild::ContentIdentical
    } else {
        Rebuild::Differs(diff)
    })
}

#[allow(clippy::too_many_arguments)]
fn build_check(
    artifact: &Path,
    kind: Kind,
    top_dir: &str,
    safe: bool,
    config: &crate::config::Config,
    opts: &RunOptions,
    ci: &Ci,
    tmp: &Path,
) -> Result<Check> {
    let mut check = Check::new(
        "build",
        "the tarball configures, builds and passes its tests",
    );
    if !safe {
        return Ok(check.skipped("the archive is unsafe or unreadable: not unpacked"));
    }
    if kind == Kind::Zip {
        return Ok(check.skipped("building from a zip is not supported; verify the tar.gz"));
    }
    let dest = tmp.join("build");
    std::fs::create_dir_all(&dest).map_err(|e| Error::io("create", &dest, e))?;
    let file = std::fs::File::open(artifact).map_err(|e| Error::io("open", artifact, e))?;
    archive::unpack_tar(kind, io::BufReader::new(file), &dest)
        .map_err(|e| Error::io("unpack", artifact, e))?;
    let (steps, ok) = source::run_commands(
        "build",
        &config.distcheck.build,
        &dest.join(top_dir),
        config,
        opts,
        ci,
    );
    for s in &steps {
        for f in &s.findings {
            check.push(f.clone());
        }
    }
    check.summary = if ok {
        format!(
            "{} step(s) passed: {}",
            steps.len(),
            steps
                .iter()
                .map(|s| s.title.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        steps
            .iter()
            .find(|s| s.status == crate::report::Status::Fail)
            .map(|s| format!("`{}` {}", s.title, s.summary))
            .unwrap_or_default()
    };
    Ok(check)
}

/// The repository to compare with, opened only when a tag is given.
pub fn open_git(dir: &Path) -> Result<Git> {
    Ok(Git::open(dir)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_comes_from_the_file_name_for_any_version() {
        let config = crate::config::Config::default();
        let rule = layout_rule(&config, false, "openssh-9.2p1.tar.gz", None).unwrap();
        assert_eq!(rule.expected, "openssh-9.2p1");
        assert_eq!(rule.inferred_version.as_deref(), Some("9.2p1"));
        let rule = layout_rule(&config, false, "apr-util_1.6.3.orig.tar.bz2", None).unwrap();
        assert_eq!(rule.expected, "apr-util-1.6.3");
        // A configuration file whose template matches: its top directory, strictly.
        let rule = layout_rule(&config, true, "mesos-1.0.0-beta2.tar.gz", None).unwrap();
        assert_eq!(rule.expected, "mesos-1.0.0-beta2");
        assert_eq!(rule.inferred_version, None);
        let rule = layout_rule(&config, true, "mesos-2024.1.tar.gz", None).unwrap();
        assert_eq!(rule.expected, "mesos-2024.1");
        assert!(layout_rule(&config, false, "x.tar.gz", None).is_none());
    }

    #[test]
    fn rebuilt_entries_are_compared_by_content() {
        let e = |p: &str, id: &str| archive::Entry {
            path: p.into(),
            kind: archive::EntryKind::File { executable: false },
            size: 1,
            id: Some(id.into()),
        };
        assert!(compare_entries(&[e("a", "1")], &[e("a", "1")]).is_empty());
        let d = compare_entries(&[e("a", "1"), e("b", "2")], &[e("a", "9"), e("c", "3")]);
        assert_eq!(d.len(), 3, "{d:?}");
    }
}
