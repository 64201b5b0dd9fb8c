//! changelog-check: the CHANGELOG gate for pull requests and release candidates.

use clap::builder::BoolishValueParser;
use clap::Parser;
use release_kit::cli::{self, CommonArgs};
use release_kit::model::version::Version;
use release_kit::tools::changelog_check::{self, ChangelogRequest};

/// Check the CHANGELOG: a section for the version (without "(WIP)" at a tag), version sites that
/// agree, the blocks a release needs, issue keys, and optionally JIRA, the other branch and a
/// pull request's change. Exit codes: 0 all checks pass, 1 a check failed, 2 bad usage or input,
/// 3 JIRA could not be reached.
#[derive(Debug, Parser)]
#[command(name = "changelog-check", version, disable_version_flag = true)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,

    /// The version whose section is checked [default: the version the version sites agree on].
    /// Without a value, print the tool's version (as -V does).
    #[arg(
        long,
        env = "RELEASE_KIT_VERSION",
        value_name = "X.Y.Z",
        conflicts_with = "tag",
        num_args = 0..=1,
        default_missing_value = "",
        value_parser = version_arg
    )]
    version: Option<VersionArg>,

    /// Print the tool's version.
    #[arg(short = 'V', action = clap::ArgAction::Version)]
    tool_version: Option<bool>,

    /// A release candidate or release tag (e.g. 1.11.0-rc1): check its version at the tag's
    /// commit (or the work tree when the tag is not made yet), with no "(WIP)" allowed.
    #[arg(long, env = "RELEASE_KIT_TAG")]
    tag: Option<String>,

    /// Cross-check JIRA at this URL (e.g. https://issues.apache.org/jira); credentials come
    /// from JIRA_TOKEN, or JIRA_USER and JIRA_PASSWORD.
    #[arg(long, env = "RELEASE_KIT_JIRA_URL", value_name = "URL")]
    jira_url: Option<String>,

    /// Cross-check JIRA at the configured `jira.url`.
    #[arg(long, env = "RELEASE_KIT_JIRA", value_parser = BoolishValueParser::new())]
    jira: bool,

    /// Compare the version's section with the CHANGELOG at REF (e.g. origin/master when on the
    /// release branch, or the release branch when on master).
    #[arg(long, env = "RELEASE_KIT_AGAINST", value_name = "REF")]
    against: Option<String>,

    /// Pull-request mode: the base REF the change is compared with.
    #[arg(long, env = "RELEASE_KIT_BASE", value_name = "REF")]
    base: Option<String>,

    /// The pull request's title (a skip marker here means no CHANGELOG entry is needed).
    #[arg(
        long,
        env = "RELEASE_KIT_PR_TITLE",
        default_value = "",
        hide_default_value = true
    )]
    pr_title: String,

    /// The pull request's body (searched for the skip marker).
    #[arg(
        long,
        env = "RELEASE_KIT_PR_BODY",
        default_value = "",
        hide_default_value = true
    )]
    pr_body: String,

    /// The pull request's labels, comma- or newline-separated (the skip label skips).
    #[arg(
        long,
        env = "RELEASE_KIT_PR_LABELS",
        default_value = "",
        hide_default_value = true
    )]
    pr_labels: String,
}

#[derive(Debug, Clone)]
enum VersionArg {
    /// `--version` alone: print the tool's version.
    Show,
    Check(Version),
}

fn version_arg(s: &str) -> Result<VersionArg, String> {
    if s.is_empty() {
        return Ok(VersionArg::Show);
    }
    s.parse()
        .map(VersionArg::Check)
        .map_err(|e: release_kit::model::version::VersionError| e.to_string())
}

fn main() -> std::process::ExitCode {
    let cli: Cli = cli::parse();
    let version = match cli.version {
        Some(VersionArg::Show) => {
            cli::print_stdout(&format!("changelog-check {}\n", env!("CARGO_PKG_VERSION")));
            return std::process::ExitCode::SUCCESS;
        }
        Some(VersionArg::Check(v)) => Some(v),
        None => None,
    };
    cli::init_logging(&cli.common);
    let request = ChangelogRequest {
        version,
        tag: cli.tag,
        jira_url: cli.jira_url,
        jira: cli.jira,
        against: cli.against,
        base: cli.base,
        pr_title: cli.pr_title,
        pr_body: cli.pr_body,
        pr_labels: cli
            .pr_labels
            .split([',', '\n'])
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect(),
    };
    cli::finish(changelog_check::run(&cli.common, request))
}
