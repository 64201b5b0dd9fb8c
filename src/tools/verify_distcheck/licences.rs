//! `verify-distcheck licences`: the ASF checks alone, on a tree (before tagging) or a release
//! archive: every file's licence class with its evidence (JSON with `--files`), compiled code,
//! bundled archives against LICENSE, NOTICE; with `--sbom`, the archive's CycloneDX SBOM.

use std::path::PathBuf;

use crate::ci::Ci;
use crate::cli::{self, CommonArgs};
use crate::error::{Error, ExitCode, Result};
use crate::report::Report;
use crate::verify::archive::Kind;
use crate::verify::licence::{self, Audit};

/// What `verify-distcheck licences` was asked.
#[derive(Debug, Clone)]
pub struct LicencesRequest {
    /// A directory or a release archive.
    pub path: PathBuf,
    /// Where the per-file verdicts go as JSON.
    pub files: Option<PathBuf>,
    /// Where the archive's CycloneDX SBOM goes.
    pub sbom: Option<PathBuf>,
    /// The release year NOTICE must cover; this year when unset.
    pub year: Option<i16>,
}

/// The library side of `verify-distcheck licences`.
pub fn run(common: &CommonArgs, req: &LicencesRequest) -> Result<ExitCode> {
    let ci = Ci::detect();
    let project = common.project()?;
    let config = &project.config;
    let excl = &config.licence.exclusions_file;
    let name = req.path.display().to_string();
    let year = req
        .year
        .unwrap_or_else(|| licence::year_of(crate::verify::pipeline::now()));
    let (mut audit, root) = if req.path.is_dir() {
        if req.sbom.is_some() {
            return Err(Error::Usage(format!(
                "--sbom describes a release archive and {name} is a directory; pass the tarball"
            )));
        }
        let mut audit = Audit::new(false, excl);
        audit
            .walk(&req.path)
            .map_err(|e| Error::io("read the tree", &req.path, e))?;
        (audit, req.path.clone())
    } else {
        let file_name = req
            .path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if Kind::from_name(&file_name).is_none() {
            return Err(Error::Usage(format!(
                "{name} is neither a directory nor an archive I can read (.tar.gz, .tar.bz2, .tar.xz, .tar or .zip)"
            )));
        }
        let mut audit = Audit::new(true, excl);
        let limits = crate::verify::pipeline::limits(config);
        let scan = crate::tools::verify_distcheck::source::scan_file_inspected(
            &req.path,
            limits,
            None,
            Some(&mut audit),
        )?;
        if let Some(v) = scan.violations.first() {
            return Err(Error::Problem(format!("{name}: {}", v.message())));
        }
        (audit, project.root.clone())
    };
    let mut report = Report::new("verify-distcheck", format!("licences of {name}"));
    for c in licence::finish(&mut audit, config, Some(&root), &name, year)? {
        report.push(c);
    }
    if let Some(out) = &req.files {
        let json = serde_json::to_string_pretty(&serde_json::json!({
            "files": audit.files,
            "bundled": audit.bundled,
        }))
        .map_err(|e| Error::Problem(format!("cannot serialise the verdicts: {e}")))?;
        crate::outside::fs::write_atomic(out, (json + "\n").as_bytes())
            .map_err(|e| Error::io("write", out, e))?;
    }
    if let Some(out) = &req.sbom {
        let text = licence::sbom_of(&req.path, config)?;
        crate::outside::fs::write_atomic(out, text.as_bytes())
            .map_err(|e| Error::io("write", out, e))?;
    }
    cli::emit_report(&report, common, &ci)
}
