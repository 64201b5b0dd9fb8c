//! verify-distcheck: not implemented yet (see the README for the tools that work today).

use clap::Parser;

/// Run distcheck from a clean tag, and verify a release candidate as a PMC voter. Not implemented yet: this binary exits with code 2.
#[derive(Debug, Parser)]
#[command(name = "verify-distcheck", version)]
struct Cli {
    /// Arguments for the future tool (ignored).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    args: Vec<String>,
}

fn main() -> std::process::ExitCode {
    let _: Cli = release_kit::cli::parse();
    release_kit::cli::not_implemented("verify-distcheck")
}
