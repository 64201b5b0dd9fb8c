//! What every binary shares: the common flags (each with an environment twin), logging to
//! stderr, printing a report in the chosen format, and mapping the outcome to an exit code.

use std::io::Write;
use std::path::PathBuf;

use crate::ci::{self, Ci};
use crate::error::ExitCode;
use crate::error::{Error, Result};
use crate::project::Project;
use crate::report::Report;

/// How results are printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable text (colour only on a terminal).
    Text,
    /// Stable machine-readable JSON.
    Json,
    /// Markdown, as written to the GitHub job summary.
    Markdown,
}

/// Flags every tool takes.
#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// The project's directory (its git repository).
    #[arg(
        long,
        global = true,
        env = "RELEASE_KIT_REPO",
        default_value = ".",
        value_name = "DIR"
    )]
    pub repo: PathBuf,

    /// Configuration file [default: DIR/release.toml when present, else the built-in Mesos defaults].
    #[arg(long, global = true, env = "RELEASE_KIT_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Override one configuration key, e.g. --set tags.candidate='v{version}-rc{rc}'
    /// (repeatable; each key also has an environment twin RELEASE_KIT_<SECTION>_<KEY>).
    #[arg(long = "set", global = true, value_name = "KEY=VALUE")]
    pub sets: Vec<String>,

    /// Output format on stdout.
    #[arg(
        long,
        global = true,
        env = "RELEASE_KIT_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub format: Format,

    /// Also write a JUnit XML report (one testcase per check), for Jenkins's `junit` step.
    #[arg(long, global = true, env = "RELEASE_KIT_JUNIT", value_name = "PATH")]
    pub junit: Option<PathBuf>,

    /// More logging on stderr (-v debug, -vv trace); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

impl CommonArgs {
    /// Opens the project with this configuration, reading the process environment.
    pub fn project(&self) -> Result<Project> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        Project::open(&self.repo, self.config.as_deref(), &env, &self.sets)
    }
}

/// Parses a binary's arguments. GitHub Actions passes an unset input as an empty string, so
/// empty `RELEASE_KIT_*` variables are removed first: an empty value means unset.
pub fn parse<P: clap::Parser>() -> P {
    for (key, value) in std::env::vars_os() {
        if value.is_empty() && key.to_string_lossy().starts_with("RELEASE_KIT_") {
            // Single-threaded at this point: nothing else reads the environment concurrently.
            std::env::remove_var(&key);
        }
    }
    P::parse()
}

/// Starts logging to stderr, one line per event.
pub fn init_logging(common: &CommonArgs) {
    use tracing_subscriber::EnvFilter;
    let level = if common.quiet {
        "error"
    } else {
        match common.verbose {
            0 => "info",
            1 => "debug",
            _ => "trace",
        }
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none();
    let github = Ci::detect().is_github();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(crate::ci::SafeStderr { github })
        .with_ansi(ansi)
        .without_time()
        .with_target(false)
        .try_init();
}

/// Writes annotations, the job summary and JUnit, then prints the report in the chosen format.
/// Annotations go first (errors first): they are what a CI log reader acts on, and a log
/// collector that stops reading when the process exits must not lose them.
pub fn emit_report(report: &Report, common: &CommonArgs, ci: &Ci) -> Result<ExitCode> {
    ci.annotate_report(report);
    ci.summary(&report.to_markdown())?;
    if let Some(path) = &common.junit {
        ci::write_junit(path, report)?;
    }
    let text = match common.format {
        Format::Text => report.to_text(ci.color()),
        Format::Json => report.to_json(),
        Format::Markdown => report.to_markdown(),
    };
    print_stdout(&text);
    Ok(report.exit_code())
}

/// Writes results to stdout (ignoring a closed pipe, e.g. `| head`); in GitHub Actions,
/// command-like lines from data are neutralized.
pub fn print_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = crate::ci::write_data(&mut out, Ci::detect().is_github(), text);
    let _ = out.flush();
}

/// Prints a plan with each step's state: the text table, or JSON with `--format json`.
pub fn print_plan<K: crate::engine::plan::StepKind>(
    format: Format,
    plan: &crate::engine::plan::Plan<K>,
    ledger: &crate::engine::ledger::Ledger,
) {
    match format {
        Format::Json => print_stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(&crate::engine::status::to_json(plan, ledger))
                .unwrap_or_default()
        )),
        _ => print_stdout(&crate::engine::status::render(plan, ledger)),
    }
}

/// Prints what executing a plan did (`staged hello 1.1.0-rc1 (9 steps done, 0 already done)`)
/// and the non-empty outputs, one `key: value` line each.
pub fn print_outcome<K: crate::engine::plan::StepKind>(
    verb: &str,
    plan: &crate::engine::plan::Plan<K>,
    outcome: &crate::engine::execute::Outcome,
    outputs: &[(&str, String)],
) {
    let mut text = format!(
        "\n{verb} {} ({} steps done, {} already done)\n",
        plan.subject,
        outcome.done.len(),
        outcome.skipped.len()
    );
    for (k, v) in outputs {
        if !v.is_empty() {
            text.push_str(&format!("  {k}: {v}\n"));
        }
    }
    print_stdout(&text);
}

/// Maps a tool's outcome to the process exit code, printing an error to stderr.
pub fn finish(outcome: Result<ExitCode>) -> std::process::ExitCode {
    match outcome {
        Ok(code) => code.into(),
        Err(e) => {
            report_error(&e);
            e.exit_code().into()
        }
    }
}

fn report_error(e: &Error) {
    let mut msg = format!("error: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let s_text = s.to_string();
        if !msg.contains(&s_text) {
            msg.push_str(&format!("\n  caused by: {s_text}"));
        }
        source = s.source();
    }
    let github = Ci::detect().is_github();
    let _ = crate::ci::write_data(std::io::stderr().lock(), github, &format!("{msg}\n"));
    if github {
        let first = msg.lines().next().unwrap_or_default();
        eprintln!(
            "{}",
            crate::ci::github::annotation(
                crate::report::Severity::Error,
                None,
                None,
                "release-kit",
                first.trim_start_matches("error: ")
            )
        );
    }
}
