//! stage-rc: stage a signed, verifiable release candidate from its rc tag and draft the vote.

use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::Parser;
use release_kit::cli::{self, CommonArgs};
use release_kit::tools::stage_rc::{self, StageRequest};

/// Stage release candidate X.Y.Z-rcN: check it, make the reproducible source tarball, sign and
/// checksum it, upload it to dist dev, stage Maven artifacts, push the tag and write the [VOTE]
/// email. Prints the plan first; a re-run skips finished steps. Exit codes: 0 staged (or
/// planned), 1 a check failed or a finished step would change, 2 bad usage, configuration or
/// input, 3 an outside failure (network, svn, gpg, Nexus, GitHub).
#[derive(Debug, Parser)]
#[command(name = "stage-rc", version)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    /// The release-candidate tag, e.g. 1.11.0-rc1.
    #[arg(long, env = "RELEASE_KIT_TAG", value_name = "X.Y.Z-rcN")]
    tag: String,
    /// Print the plan and stop; change nothing anywhere.
    #[arg(long, env = "RELEASE_KIT_DRY_RUN", value_parser = BoolishValueParser::new())]
    dry_run: bool,
    /// Where the tarball, .asc, .sha512, vote email and a copy of the ledger are written.
    #[arg(
        long,
        env = "RELEASE_KIT_OUT",
        value_name = "DIR",
        default_value = "stage-rc-out"
    )]
    out: PathBuf,
    /// When the vote starts (RFC 3339) [default: the recorded start, else now].
    #[arg(long, env = "RELEASE_KIT_VOTE_START", value_name = "RFC3339")]
    vote_start: Option<String>,
    /// Also send the vote email through the configured SMTP server.
    #[arg(long, env = "RELEASE_KIT_SEND", value_parser = BoolishValueParser::new())]
    send: bool,
}

fn main() -> std::process::ExitCode {
    let cli: Cli = cli::parse();
    cli::init_logging(&cli.common);
    let request = StageRequest {
        tag: cli.tag,
        out: cli.out,
        dry_run: cli.dry_run,
        vote_start: cli.vote_start,
        send: cli.send,
    };
    cli::finish(stage_rc::run(&cli.common, &request))
}
