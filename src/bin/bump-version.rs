//! bump-version: read, check and rewrite the project's version sites.

use clap::builder::BoolishValueParser;
use clap::{Parser, Subcommand};
use release_kit::cli::{self, CommonArgs};
use release_kit::model::version::Version;
use release_kit::project::bump::Target;
use release_kit::tools::bump_version::{self, BumpRequest, CheckRequest};

/// Read, check and rewrite the version in the project's build files (configure.ac,
/// CMakeLists.txt, ...). Exit codes: 0 ok, 1 the sites disagree, 2 bad usage or input, 3 an
/// outside failure.
#[derive(Debug, Parser)]
#[command(name = "bump-version", version)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check that every version site agrees, and matches a tag or an expected version.
    Check {
        /// A tag that must exist: its commit's sites must carry its version.
        #[arg(long, env = "RELEASE_KIT_TAG", conflicts_with = "expect")]
        tag: Option<String>,
        /// The version the work tree's sites must carry.
        #[arg(long, env = "RELEASE_KIT_EXPECT", value_name = "X.Y.Z")]
        expect: Option<Version>,
    },
    /// Set every version site to VERSION (also makes disagreeing sites agree).
    Set {
        #[arg(value_name = "X.Y.Z")]
        version: Version,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// Move to the next major, minor or patch version.
    Next {
        #[arg(value_enum)]
        part: cli::PartArg,
        #[command(flatten)]
        write: WriteArgs,
    },
}

#[derive(Debug, clap::Args)]
struct WriteArgs {
    /// Commit the changed files (only those) with the configured message.
    #[arg(long, env = "RELEASE_KIT_COMMIT", value_parser = BoolishValueParser::new())]
    commit: bool,
    /// Print the plan and its diff; change nothing.
    #[arg(long, env = "RELEASE_KIT_DRY_RUN", value_parser = BoolishValueParser::new())]
    dry_run: bool,
}

fn main() -> std::process::ExitCode {
    let cli: Cli = cli::parse();
    cli::init_logging(&cli.common);
    let request = match cli.command {
        Command::Check { tag, expect } => BumpRequest::Check(CheckRequest { tag, expect }),
        Command::Set { version, write } => BumpRequest::Change {
            target: Target::Set(version),
            commit: write.commit,
            dry_run: write.dry_run,
        },
        Command::Next { part, write } => BumpRequest::Change {
            target: Target::Next(part.into()),
            commit: write.commit,
            dry_run: write.dry_run,
        },
    };
    cli::finish(bump_version::run(&cli.common, request))
}
