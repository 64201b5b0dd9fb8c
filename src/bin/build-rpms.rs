//! build-rpms: a verified source tarball becomes RPMs in a signed yum repository.

use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::Parser;
use release_kit::cli::{self, CommonArgs};
use release_kit::tools::build_rpms::{self, RpmRequest};

/// Build RPMs from a verified source tarball (or `make dist` for a snapshot) and add them to a
/// signed yum repository per channel: stable (X.Y.Z), testing (X.Y.Z-rcN), unstable (no tag).
/// Exit codes: 0 built, 1 refused (checksum, signature, build failure), 2 bad usage or input,
/// 3 an outside failure.
#[derive(Debug, Parser)]
#[command(name = "build-rpms", version)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    /// The tag to package (X.Y.Z-rcN or X.Y.Z); without it, a snapshot of HEAD.
    #[arg(long, env = "RELEASE_KIT_TAG")]
    tag: Option<String>,
    /// The RPM spec [default: rpm.spec from release.toml].
    #[arg(long, env = "RELEASE_KIT_RPM_SPEC_PATH")]
    spec: Option<PathBuf>,
    /// The package release number (Mesos's MESOS_RELEASE).
    #[arg(long, env = "RELEASE_KIT_RELEASE", default_value = "1")]
    release: String,
    /// Where the source tarball comes from [default: dist for tags, make-dist for snapshots].
    #[arg(long, env = "RELEASE_KIT_SOURCE", value_enum)]
    source: Option<cli::SourceArg>,
    /// Where to download the tarball, .sha512 and .asc from [default: dist.dev/TAG or dist.release/VERSION].
    #[arg(long, env = "RELEASE_KIT_DIST_URL")]
    dist_url: Option<String>,
    /// The KEYS file that verifies the tarball (path or URL) [default: signing.keys].
    #[arg(long, env = "RELEASE_KIT_KEYS")]
    keys: Option<String>,
    /// The local yum repository root.
    #[arg(long, env = "RELEASE_KIT_REPO_DIR", default_value = "rpm-repo")]
    repo_dir: PathBuf,
    /// Publish the repository: a directory; an http(s) URL of a repository manager (PUT;
    /// credentials RELEASE_KIT_RPM_PUBLISH_USER/_PASSWORD or _TOKEN); or an svn URL (svn://,
    /// svn+ssh://, file://, or svn+https://; one commit; credentials RELEASE_KIT_SVN_USERNAME/_PASSWORD).
    #[arg(long, env = "RELEASE_KIT_PUBLISH")]
    publish: Option<String>,
    /// Where the build's ledger (ledger-NAME-VERSION-RELEASE-CHANNEL.json), logs, source tarball
    /// and packages are kept; a re-run with the same work dir resumes the build.
    #[arg(long, env = "RELEASE_KIT_WORK_DIR", default_value = "build-rpms-work")]
    work_dir: PathBuf,
    /// Print the plan with each step's state against the ledger; download, build and write nothing.
    #[arg(long, env = "RELEASE_KIT_DRY_RUN", value_parser = BoolishValueParser::new())]
    dry_run: bool,
}

fn main() -> std::process::ExitCode {
    let cli: Cli = cli::parse();
    cli::init_logging(&cli.common);
    let req = RpmRequest {
        tag: cli.tag,
        spec: cli.spec,
        release: cli.release,
        source: cli.source.map(Into::into),
        dist_url: cli.dist_url,
        keys: cli.keys,
        repo_dir: cli.repo_dir,
        publish: cli.publish,
        work_dir: cli.work_dir,
        dry_run: cli.dry_run,
    };
    cli::finish(build_rpms::run(&cli.common, req))
}
