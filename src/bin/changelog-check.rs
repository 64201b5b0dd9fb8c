//! changelog-check: not implemented yet (see the README for the tools that work today).

use clap::Parser;

/// Check the CHANGELOG against the version, JIRA and the other branch. Not implemented yet: this binary exits with code 2.
#[derive(Debug, Parser)]
#[command(name = "changelog-check", version)]
struct Cli {
    /// Arguments for the future tool (ignored).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    args: Vec<String>,
}

fn main() -> std::process::ExitCode {
    let _: Cli = release_kit::cli::parse();
    release_kit::cli::not_implemented("changelog-check")
}
