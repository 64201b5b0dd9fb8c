//! publish-dist: from a passed vote to a published, announced release.

use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand};
use release_kit::cli::{self, CommonArgs};
use release_kit::tools::publish_dist::{self, tally};

/// Publish release candidate X.Y.Z-rcN after its vote passed: tally the [VOTE] thread, re-verify
/// the staged files, promote them from dist dev to dist release, tag X.Y.Z, release the Nexus
/// staging repository and the JIRA version, update the website data, bump the release branch,
/// archive old releases and write the [RESULT] and [ANNOUNCE] emails. Prints the plan first; a
/// re-run resumes after the last finished step. Exit codes: 0 published (or planned), 1 the vote
/// did not pass or a finished step would change, 2 bad usage, configuration or input, 3 an
/// outside failure (svn, git, Nexus, JIRA, GitHub, SMTP).
#[derive(Debug, Parser)]
#[command(name = "publish-dist", version, subcommand_negates_reqs = true)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    publish: PublishArgs,
}

// The publish flags are checked by hand, not by clap's `required`: with an environment twin set
// (RELEASE_KIT_TAG), clap would apply the top level's requirements to a subcommand's run.

#[derive(Debug, Subcommand)]
enum Command {
    /// Count the votes of a [VOTE] thread. Exit 0 passed, 1 failed or not closed, 2 bad thread.
    Tally(TallyArgs),
    /// After a failed vote: drop the Nexus staging repository and mark the candidate abandoned
    /// in dist dev.
    Abandon(AbandonArgs),
}

#[derive(Debug, Args)]
struct VoteArgs {
    /// The release-candidate tag, e.g. 1.11.0-rc1.
    #[arg(long, env = "RELEASE_KIT_TAG", value_name = "X.Y.Z-rcN")]
    tag: String,
    /// The [VOTE] thread: an mbox file or a Pony Mail thread JSON (path or https URL).
    #[arg(long, env = "RELEASE_KIT_THREAD", value_name = "FILE_OR_URL")]
    thread: String,
    /// The PMC roster deciding who is binding [default: vote.roster].
    #[arg(long, env = "RELEASE_KIT_ROSTER", value_name = "FILE")]
    roster: Option<PathBuf>,
    /// Where the tally, emails and a copy of the ledger are written.
    #[arg(
        long,
        env = "RELEASE_KIT_OUT",
        value_name = "DIR",
        default_value = "publish-dist-out"
    )]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct TallyArgs {
    #[command(flatten)]
    vote: VoteArgs,
}

#[derive(Debug, Args)]
struct PublishArgs {
    /// The release-candidate tag to publish, e.g. 1.11.0-rc1.
    #[arg(long, env = "RELEASE_KIT_TAG", value_name = "X.Y.Z-rcN")]
    tag: Option<String>,
    /// The [VOTE] thread: an mbox file or a Pony Mail thread JSON (path or https URL).
    #[arg(long, env = "RELEASE_KIT_THREAD", value_name = "FILE_OR_URL")]
    thread: Option<String>,
    /// The PMC roster deciding who is binding [default: vote.roster].
    #[arg(long, env = "RELEASE_KIT_ROSTER", value_name = "FILE")]
    roster: Option<PathBuf>,
    /// Where the tally, emails and a copy of the ledger are written.
    #[arg(
        long,
        env = "RELEASE_KIT_OUT",
        value_name = "DIR",
        default_value = "publish-dist-out"
    )]
    out: PathBuf,
    /// Publish although the tally does not pass; the reason is logged and recorded in the ledger.
    #[arg(long, env = "RELEASE_KIT_OVERRIDE_VOTE", value_name = "REASON")]
    override_vote: Option<String>,
    /// Print the plan and stop; change nothing anywhere.
    #[arg(long, env = "RELEASE_KIT_DRY_RUN", value_parser = BoolishValueParser::new())]
    dry_run: bool,
    /// Also send the [RESULT] and [ANNOUNCE] emails through the configured SMTP server.
    #[arg(long, env = "RELEASE_KIT_SEND", value_parser = BoolishValueParser::new())]
    send: bool,
    /// The release date (YYYY-MM-DD, UTC) [default: the recorded date, else today].
    #[arg(long, env = "RELEASE_KIT_RELEASE_DATE", value_name = "YYYY-MM-DD")]
    release_date: Option<String>,
}

#[derive(Debug, Args)]
struct AbandonArgs {
    /// The release-candidate tag, e.g. 1.11.0-rc1.
    #[arg(long, env = "RELEASE_KIT_TAG", value_name = "X.Y.Z-rcN")]
    tag: String,
    /// Why the candidate is abandoned (recorded in dist dev and the ledger).
    #[arg(
        long,
        env = "RELEASE_KIT_REASON",
        default_value = "the vote did not pass"
    )]
    reason: String,
    /// Print the plan and stop; change nothing anywhere.
    #[arg(long, env = "RELEASE_KIT_DRY_RUN", value_parser = BoolishValueParser::new())]
    dry_run: bool,
}

fn tally_request(v: VoteArgs) -> tally::TallyRequest {
    tally::TallyRequest {
        tag: v.tag,
        thread: v.thread,
        roster: v.roster,
        out: v.out,
    }
}

fn main() -> std::process::ExitCode {
    let cli: Cli = cli::parse();
    cli::init_logging(&cli.common);
    let outcome = match cli.command {
        Some(Command::Tally(t)) => tally::run(&cli.common, &tally_request(t.vote)),
        Some(Command::Abandon(a)) => publish_dist::abandon(
            &cli.common,
            &publish_dist::AbandonRequest {
                tag: a.tag,
                reason: a.reason,
                dry_run: a.dry_run,
            },
        ),
        None => {
            let p = cli.publish;
            let (Some(tag), Some(thread)) = (p.tag, p.thread) else {
                eprintln!("error: publish-dist needs --tag X.Y.Z-rcN and --thread FILE_OR_URL (the [VOTE] thread as mbox or Pony Mail JSON); or run `publish-dist tally` or `publish-dist abandon` (see --help)");
                return release_kit::ExitCode::Usage.into();
            };
            publish_dist::run(
                &cli.common,
                &publish_dist::PublishRequest {
                    tally: tally::TallyRequest {
                        tag,
                        thread,
                        roster: p.roster,
                        out: p.out,
                    },
                    override_vote: p.override_vote,
                    dry_run: p.dry_run,
                    send: p.send,
                    release_date: p.release_date,
                },
            )
        }
    };
    cli::finish(outcome)
}
