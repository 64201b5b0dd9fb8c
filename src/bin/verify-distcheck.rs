//! verify-distcheck: distcheck from a clean tag (`source`), and a PMC voter's complete
//! verification of a release candidate (`candidate`).

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::BoolishValueParser;
use clap::{Parser, Subcommand};
use release_kit::cli::{self, CommonArgs};
use release_kit::tools::verify_distcheck::candidate::{self, CandidateRequest};
use release_kit::tools::verify_distcheck::licences::{self, LicencesRequest};
use release_kit::tools::verify_distcheck::source::{self, SourceRequest};

/// Run distcheck from a clean checkout of a tag, and verify a release candidate as a PMC voter
/// would (checksum, signature against KEYS, archive safety and layout, content against the tag).
/// Exit codes: 0 all checks passed, 1 a check failed, 2 bad usage or input (missing file,
/// unparseable KEYS or checksum file), 3 an outside failure (a download failed after retries).
#[derive(Debug, Parser)]
#[command(name = "verify-distcheck", version)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Args)]
struct BuildArgs {
    /// Parallel make jobs ({jobs} in the recipe) [default: the number of cores].
    #[arg(long, short = 'j', env = "RELEASE_KIT_JOBS", value_name = "N")]
    jobs: Option<usize>,
    /// Seconds a recipe or build command may run before it is stopped [default: distcheck.timeout].
    #[arg(long, env = "RELEASE_KIT_TIMEOUT", value_name = "SECONDS")]
    timeout: Option<u64>,
    /// Where the full build log goes [default: NAME-TAG-distcheck.log in the output directory].
    #[arg(long, env = "RELEASE_KIT_LOG", value_name = "FILE")]
    log: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the tag out into a temporary worktree, check its version sites and CHANGELOG, run
    /// the distcheck recipe and compare the tarball with the tag's tree.
    Source {
        /// The candidate tag, e.g. 1.11.0-rc1 (must be annotated).
        #[arg(long, env = "RELEASE_KIT_TAG")]
        tag: String,
        /// Where the tarball is copied.
        #[arg(
            long,
            env = "RELEASE_KIT_OUT_DIR",
            value_name = "DIR",
            default_value = "."
        )]
        out_dir: PathBuf,
        #[command(flatten)]
        build: BuildArgs,
    },
    /// Verify a release candidate: checksum, signature against KEYS, archive safety and layout,
    /// and (with --tag) its content against the tag.
    Candidate {
        /// The artifact: a path, file:// or https:// URL (e.g. from the vote email).
        #[arg(long, env = "RELEASE_KIT_ARTIFACT", value_name = "PATH_OR_URL")]
        artifact: String,
        /// The project's KEYS file: a path or URL [default: signing.keys from the configuration].
        #[arg(long, env = "RELEASE_KIT_KEYS", value_name = "PATH_OR_URL")]
        keys: Option<String>,
        /// The checksum file [default: ARTIFACT.sha512].
        #[arg(long, env = "RELEASE_KIT_CHECKSUM", value_name = "PATH_OR_URL")]
        checksum: Option<String>,
        /// The detached ASCII-armoured signature [default: ARTIFACT.asc].
        #[arg(long, env = "RELEASE_KIT_SIGNATURE", value_name = "PATH_OR_URL")]
        signature: Option<String>,
        /// The tag the candidate was made from (in --repo): compare the content with it.
        #[arg(long, env = "RELEASE_KIT_TAG")]
        tag: Option<String>,
        /// Re-make the tarball from the tag with the recipe and compare (needs --tag).
        #[arg(long, env = "RELEASE_KIT_REBUILD", value_parser = BoolishValueParser::new())]
        rebuild: bool,
        /// Unpack the tarball and configure, build and test it (distcheck.build).
        #[arg(long, env = "RELEASE_KIT_BUILD", value_parser = BoolishValueParser::new())]
        build: bool,
        /// Judge key and signature expiry at this time (RFC 3339 or seconds since the epoch)
        /// instead of now.
        #[arg(
            long,
            env = "RELEASE_KIT_NOW",
            value_name = "TIME",
            value_parser = parse_now,
            hide = true
        )]
        now: Option<u32>,
        /// When the signing key must be valid: `now` (a candidate under vote: the key must still
        /// be valid) or `signing-time` (a release already published: a key that expired after it
        /// signed is reported as "valid at signing time, key since expired" and accepted).
        #[arg(
            long,
            env = "RELEASE_KIT_KEY_VALIDITY",
            value_name = "POLICY",
            default_value = "now",
            value_parser = ["now", "signing-time"]
        )]
        key_validity: String,
        #[command(flatten)]
        build_args: BuildArgs,
    },
    /// The ASF checks alone, on a tree or a release archive: each file's licence header
    /// (approved, generated, binary, excluded, unknown or unapproved), compiled code, bundled
    /// archives named in LICENSE, NOTICE's year and ASF line. Exit 1 on a problem.
    Licences {
        /// A directory (e.g. a checkout before tagging) or a release archive.
        #[arg(env = "RELEASE_KIT_LICENCES_PATH", value_name = "PATH")]
        path: PathBuf,
        /// Write every file's verdict and evidence line, and the bundled archives, as JSON.
        #[arg(long, env = "RELEASE_KIT_LICENCES_FILES", value_name = "FILE")]
        files: Option<PathBuf>,
        /// Write the archive's CycloneDX 1.6 SBOM (project, hashes, bundled components).
        #[arg(long, env = "RELEASE_KIT_SBOM", value_name = "FILE")]
        sbom: Option<PathBuf>,
        /// The release year NOTICE must cover [default: this year].
        #[arg(long, env = "RELEASE_KIT_RELEASE_YEAR", value_name = "YYYY")]
        year: Option<i16>,
    },
}

/// `--now`: RFC 3339 or seconds since the epoch, as `RELEASE_KIT_NOW` is read everywhere.
fn parse_now(value: &str) -> Result<u32, String> {
    let env = [("RELEASE_KIT_NOW".to_string(), value.to_string())];
    let t = release_kit::outside::clock::now_from(&env).map_err(|e| e.to_string())?;
    u32::try_from(t.as_second()).map_err(|_| format!("`{value}` is outside 1970-2106"))
}

fn main() -> std::process::ExitCode {
    let cli: Cli = cli::parse();
    cli::init_logging(&cli.common);
    let outcome = match cli.command {
        Command::Source {
            tag,
            out_dir,
            build,
        } => source::run_source(
            &cli.common,
            &SourceRequest {
                tag,
                jobs: build.jobs,
                timeout: build.timeout.map(Duration::from_secs),
                out_dir,
                log: build.log,
            },
        ),
        Command::Candidate {
            artifact,
            keys,
            checksum,
            signature,
            tag,
            rebuild,
            build,
            now,
            key_validity,
            build_args,
        } => candidate::run(
            &cli.common,
            &CandidateRequest {
                artifact,
                keys,
                checksum,
                signature,
                tag,
                rebuild,
                build,
                jobs: build_args.jobs,
                timeout: build_args.timeout.map(Duration::from_secs),
                log: build_args.log,
                now,
                key_validity: key_validity.parse().ok(),
            },
        ),
        Command::Licences {
            path,
            files,
            sbom,
            year,
        } => licences::run(
            &cli.common,
            &LicencesRequest {
                path,
                files,
                sbom,
                year,
            },
        ),
    };
    cli::finish(outcome)
}
