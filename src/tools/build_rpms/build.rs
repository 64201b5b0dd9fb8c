//! Building with the real `rpmbuild` in its own `_topdir`, and reading back what it built.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::outside::process::{Cmd, CmdError};

/// One rpmbuild invocation.
#[derive(Debug, Clone, Serialize)]
pub struct BuildSpec {
    pub spec: PathBuf,
    pub tarball: PathBuf,
    /// Files copied into SOURCES beside the tarball (init scripts, systemd units).
    pub extra_sources: Vec<PathBuf>,
    /// `--define "NAME VALUE"` pairs.
    pub defines: Vec<(String, String)>,
    pub nodeps: bool,
    /// How long rpmbuild may run before it (and everything it started) is stopped.
    pub timeout: std::time::Duration,
}

/// A built package, as its header says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub file: String,
    pub name: String,
    pub version: String,
    pub release: String,
    pub arch: String,
    pub source: bool,
    pub sha256: String,
    #[serde(skip)]
    pub path: PathBuf,
}

/// The files next to the spec that the spec's Source lines may use.
pub(crate) fn extra_sources(spec: &Path) -> Result<Vec<PathBuf>> {
    let dir = spec.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))? {
        let p = entry.map_err(|e| Error::io("list", dir, e))?.path();
        if p.is_file() && p != spec {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// Macros that make this host's rpmbuild behave as the target distribution's. Debian's rpm
/// ships `brp-compress` with `#!/bin/sh` but bash's `read -r -d ''`; run by dash it fails without
/// failing the build, so man pages stay uncompressed and a spec listing `%{name}.1.gz` (pv's)
/// fails with "File not found". There it is run with bash, as on CentOS.
fn host_defines() -> Vec<(String, String)> {
    let Ok(out) = Cmd::new("rpm", "read this host's brp-compress macro")
        .args(["--eval", "%{?__brp_compress}"])
        .timeout(std::time::Duration::from_secs(30))
        .run()
    else {
        return Vec::new();
    };
    let value = out.stdout_str().trim().to_string();
    let Some(script) = value.split_whitespace().next() else {
        return Vec::new();
    };
    let text = crate::outside::fs::read_regular(Path::new(script), 1 << 20).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let sh_is_bash = std::fs::canonicalize("/bin/sh")
        .map(|p| p.file_name().is_some_and(|n| n == "bash"))
        .unwrap_or(true);
    let bash_read = text
        .lines()
        .any(|l| l.contains("read ") && l.contains(" -d "));
    if text.starts_with("#!/bin/sh") && bash_read && !sh_is_bash {
        tracing::info!(
            "{script} needs bash but /bin/sh is not bash on this host: running it with bash, as the target distribution does"
        );
        vec![("__brp_compress".into(), format!("/bin/bash {value}"))]
    } else {
        Vec::new()
    }
}

/// Runs `rpmbuild -ba` in `topdir`, writing its whole output to `log`.
pub fn rpmbuild(build: &BuildSpec, topdir: &Path, log: &Path) -> Result<Vec<PathBuf>> {
    for d in ["BUILD", "BUILDROOT", "RPMS", "SOURCES", "SPECS", "SRPMS"] {
        std::fs::create_dir_all(topdir.join(d))
            .map_err(|e| Error::io("create", topdir.join(d), e))?;
    }
    for src in std::iter::once(&build.tarball).chain(&build.extra_sources) {
        let dest = topdir
            .join("SOURCES")
            .join(src.file_name().unwrap_or_default());
        std::fs::copy(src, &dest).map_err(|e| Error::io("copy into SOURCES", src, e))?;
    }
    let mut cmd = Cmd::new(
        "rpmbuild",
        format!("build the RPMs from {}", build.spec.display()),
    )
    .arg("-ba")
    .arg("--define")
    .arg(format!("_topdir {}", topdir.display()));
    for (k, v) in build.defines.iter().cloned().chain(host_defines()) {
        cmd = cmd.arg("--define").arg(format!("{k} {v}"));
    }
    if build.nodeps {
        cmd = cmd.arg("--nodeps");
    }
    // Live on stderr (inside the caller's log group), whole in the log file, stopped at the limit.
    // The log starts fresh for each build.
    let _ = std::fs::remove_file(log);
    let streamed = cmd
        .arg(&build.spec)
        .timeout(build.timeout)
        .stream(log, true);
    match streamed {
        Ok(_) => {}
        Err(CmdError::Failed { stderr, .. }) | Err(CmdError::TimedOut { stderr, .. }) => {
            let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
            let tail = lines[lines.len().saturating_sub(15)..].join("\n  ");
            let advice = if !build.nodeps && stderr.contains("Failed build dependencies") {
                "\nthe spec's BuildRequires are not in this host's RPM database; install them, or, on a host whose RPM database does not know them (Debian, Ubuntu), set `rpm.nodeps = true` in release.toml (or --set rpm.nodeps=true, RELEASE_KIT_RPM_NODEPS=true)"
            } else {
                ""
            };
            return Err(Error::Problem(format!(
                "rpmbuild failed for {}; the last lines:\n  {tail}{advice}\nthe full log is {}",
                build.spec.display(),
                log.display()
            )));
        }
        Err(e) => return Err(e.into()),
    }
    let mut rpms = Vec::new();
    for d in ["RPMS", "SRPMS"] {
        collect_rpms(&topdir.join(d), &mut rpms)?;
    }
    rpms.sort();
    if rpms.is_empty() {
        return Err(Error::Problem(format!(
            "rpmbuild succeeded but produced no RPMs; see {}",
            log.display()
        )));
    }
    Ok(rpms)
}

fn collect_rpms(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))? {
        let p = entry.map_err(|e| Error::io("list", dir, e))?.path();
        if p.is_dir() {
            collect_rpms(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "rpm") {
            out.push(p);
        }
    }
    Ok(())
}

/// Reads an RPM's header with `rpm -qp` and checks that its digests verify.
pub fn inspect(path: &Path) -> Result<Package> {
    let file = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let out = Cmd::new("rpm", format!("read the header of {file}"))
        .args([
            "-qp",
            "--nosignature",
            "--queryformat",
            "%{NAME}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCEPACKAGE}\\n",
        ])
        .arg(path)
        .run()
        .map_err(|e| Error::Problem(format!("{file} is not a readable RPM: {e}")))?;
    let text = out.stdout_str();
    let fields: Vec<&str> = text.trim_end().split('\t').collect();
    let [name, version, release, arch, source] = fields.as_slice() else {
        return Err(Error::Problem(format!(
            "{file}: unexpected rpm query output `{}`",
            text.trim()
        )));
    };
    let check = Cmd::new("rpm", format!("verify the digests of {file}"))
        .args(["--checksig", "--nosignature"])
        .arg(path)
        .output()?;
    let verdict = check.stdout_str();
    if !check.success() || !verdict.contains("digests OK") {
        return Err(Error::Problem(format!(
            "{file}: its payload digests do not verify ({}); the package is corrupt",
            verdict.trim()
        )));
    }
    let source = *source == "1";
    Ok(Package {
        file,
        name: name.to_string(),
        version: version.to_string(),
        release: release.to_string(),
        // A source package's header carries the build host's arch; `src` is what it is.
        arch: if source {
            "src".to_string()
        } else {
            arch.to_string()
        },
        source,
        sha256: crate::verify::checksum::hash_file(
            crate::verify::checksum::Algorithm::Sha256,
            path,
        )
        .map_err(|e| Error::io("read", path, e))?,
        path: path.to_path_buf(),
    })
}
