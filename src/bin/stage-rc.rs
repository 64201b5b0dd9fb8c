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
#[command(name = "stage-rc", version, subcommand_negates_reqs = true)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    /// The release-candidate tag, e.g. 1.11.0-rc1.
    #[arg(
        long,
        env = "RELEASE_KIT_TAG",
        value_name = "X.Y.Z-rcN",
        required = true
    )]
    tag: Option<String>,
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
    /// CI holds no signing key (docs/signing.md): build the tarball and stop, waiting for the
    /// release manager's `stage-rc sign`; once it is recorded, verify it against KEYS and stage.
    #[arg(long, env = "RELEASE_KIT_EXTERNAL_SIGNATURE", value_parser = BoolishValueParser::new())]
    external_signature: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Release-manager onboarding: check a signing key as the vote needs it, or add it to KEYS.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// The release guide as a checklist for one version: each step done (with evidence), to
    /// do, or manual (with the exact command); also in the GitHub job summary. Read-only.
    /// The split: sign, on your machine, the tarball CI built with --external-signature.
    Sign(SignArgs),
    Checklist {
        /// The version, e.g. 1.11.0.
        #[arg(value_name = "X.Y.Z")]
        version: String,
    },
}

/// On the release manager's machine: sign the tarball CI built with --external-signature.
/// Rebuilds it from the tag (or takes --tarball, CI's download), refuses it unless its SHA-512
/// equals the one CI recorded, signs it with the local gpg key, verifies the signature against
/// KEYS and records the .asc in the ledger for CI's next run. Prints the plan first.
#[derive(Debug, clap::Args)]
struct SignArgs {
    /// The release-candidate tag, e.g. 1.11.0-rc1.
    #[arg(long, env = "RELEASE_KIT_TAG", value_name = "X.Y.Z-rcN")]
    tag: String,
    /// Where the tarball, .asc and .sha512 are written.
    #[arg(
        long,
        env = "RELEASE_KIT_OUT",
        value_name = "DIR",
        default_value = "stage-rc-out"
    )]
    out: PathBuf,
    /// CI's tarball, downloaded [default: rebuild it from the tag].
    #[arg(long, env = "RELEASE_KIT_TARBALL", value_name = "FILE")]
    tarball: Option<PathBuf>,
    /// Print the plan and stop; change nothing.
    #[arg(long, env = "RELEASE_KIT_DRY_RUN", value_parser = BoolishValueParser::new())]
    dry_run: bool,
}

#[derive(Debug, clap::Subcommand)]
enum KeysCommand {
    /// Check the key (strength, expiry against the next vote, revocation, a user id at
    /// --domain, in KEYS) and print the steps only you can do. Exit 1 when it is not fit.
    Check(KeysArgs),
    /// Append the key to KEYS in the dist release area (dist.release) in one svn commit, in the
    /// guide's format; does nothing when it is already there. Prints the plan first.
    Add(KeysArgs),
}

#[derive(Debug, clap::Args)]
struct KeysArgs {
    /// The key's fingerprint [default: signing.key, else the keyring's only secret key].
    #[arg(long, env = "RELEASE_KIT_KEY", value_name = "FINGERPRINT")]
    key: Option<String>,
    /// The domain one of the key's user ids must have.
    #[arg(long, env = "RELEASE_KIT_KEYS_DOMAIN", default_value = "apache.org")]
    domain: String,
    /// Print the plan and stop; change nothing.
    #[arg(long, env = "RELEASE_KIT_DRY_RUN", value_parser = BoolishValueParser::new())]
    dry_run: bool,
}

fn main() -> std::process::ExitCode {
    let cli: Cli = cli::parse();
    cli::init_logging(&cli.common);
    if let Some(Command::Checklist { version }) = &cli.command {
        return cli::finish(stage_rc::checklist::run(&cli.common, version));
    }
    if let Some(Command::Sign(a)) = cli.command {
        let request = stage_rc::sign::SignRequest {
            tag: a.tag,
            out: a.out,
            tarball: a.tarball,
            dry_run: a.dry_run,
        };
        return cli::finish(stage_rc::sign::run(&cli.common, &request));
    }
    if let Some(Command::Keys(keys)) = cli.command {
        let (add, args) = match keys {
            KeysCommand::Check(a) => (false, a),
            KeysCommand::Add(a) => (true, a),
        };
        let request = stage_rc::keys::KeysRequest {
            add,
            key: args.key,
            domain: args.domain,
            dry_run: args.dry_run,
        };
        return cli::finish(stage_rc::keys::run(&cli.common, &request));
    }
    let request = StageRequest {
        tag: cli.tag.unwrap_or_default(),
        out: cli.out,
        dry_run: cli.dry_run,
        vote_start: cli.vote_start,
        send: cli.send,
        external_signature: cli.external_signature,
    };
    cli::finish(stage_rc::run(&cli.common, &request))
}
