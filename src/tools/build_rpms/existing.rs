//! Packages already in the repository: the file names a spec builds (asked of `rpmspec`, with
//! the build's defines) looked up where the repository layout puts them, so that a re-run or a
//! second CI job does not rebuild what is published.

use std::path::{Path, PathBuf};

use super::build::BuildSpec;
use crate::outside::process::Cmd;

/// One package the spec builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Expected {
    pub file: String,
    pub arch: String,
    pub source: bool,
}

/// The packages `spec` builds, as rpmbuild names them; `None` when rpmspec cannot tell (not
/// installed, or the spec needs the build to parse), and then the build simply runs.
pub(crate) fn expected(spec: &BuildSpec, topdir: &Path) -> Option<Vec<Expected>> {
    let query = |srpm: bool| -> Option<Vec<Expected>> {
        let mut cmd = Cmd::new(
            "rpmspec",
            format!(
                "list the packages {} builds, to skip those already in the repository",
                spec.spec.display()
            ),
        )
        .arg("-q")
        .arg("--define")
        .arg(format!("_topdir {}", topdir.display()));
        for (k, v) in &spec.defines {
            cmd = cmd.arg("--define").arg(format!("{k} {v}"));
        }
        if srpm {
            cmd = cmd.arg("--srpm");
        }
        let out = cmd
            .args(["--qf", "%{NAME}-%{VERSION}-%{RELEASE}\\t%{ARCH}\\n"])
            .arg(&spec.spec)
            .run()
            .map_err(|e| tracing::debug!("rpmspec could not list the packages: {e}"))
            .ok()?;
        parse(&out.stdout_str(), srpm)
    };
    let mut all = query(true)?;
    all.extend(query(false)?);
    Some(all)
}

/// `NAME-VERSION-RELEASE<TAB>ARCH` lines into file names (`.src.rpm` for the source package).
fn parse(text: &str, srpm: bool) -> Option<Vec<Expected>> {
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (nvr, arch) = line.split_once('\t')?;
        let arch = arch.trim();
        if nvr.is_empty() || arch.is_empty() || nvr.contains('/') {
            return None;
        }
        out.push(if srpm {
            Expected {
                file: format!("{nvr}.src.rpm"),
                arch: "src".into(),
                source: true,
            }
        } else {
            Expected {
                file: format!("{nvr}.{arch}.rpm"),
                arch: arch.to_string(),
                source: false,
            }
        });
    }
    (!out.is_empty()).then_some(out)
}

/// The repository's copies of every expected package when all of them are there; `dir` gives
/// a package's directory (relative to `root`).
pub(crate) fn all_present(
    root: &Path,
    expected: &[Expected],
    dir: impl Fn(&Expected) -> String,
) -> Option<Vec<PathBuf>> {
    expected
        .iter()
        .map(|e| {
            let p = root.join(dir(e)).join(&e.file);
            p.is_file().then_some(p)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpmspec_lines_become_rpmbuild_file_names() {
        let bin = parse(
            "hello-1.1.0-1.el7\tx86_64\nhello-devel-1.1.0-1.el7\tx86_64\n",
            false,
        )
        .unwrap();
        assert_eq!(bin[1].file, "hello-devel-1.1.0-1.el7.x86_64.rpm");
        let src = parse("hello-1.1.0-1.el7\tx86_64\n", true).unwrap();
        assert_eq!(src[0].file, "hello-1.1.0-1.el7.src.rpm");
        assert!(src[0].source);
        assert!(parse("garbage", false).is_none());
    }
}
