//! What every binary shares: the common flags (each with an environment twin), logging to
//! stderr, printing a report in the chosen format, and mapping the outcome to an exit code.

use std::io::Write;
use std::path::PathBuf;

use crate::ci::{self, Ci};
use crate::error::{Error, ExitCode, Result};
use crate::project::Project;
use crate::report::Report;

pub mod docs;

/// How results are printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable text (colour only on a terminal).
    Text,
    /// Stable machine-readable JSON.
    Json,
    /// Markdown, as written to the GitHub job summary.
    Markdown,
    /// CSV, one row per (benchmark, metric).
    Csv,
}

impl Format {
    /// What `--format` takes unless a tool asks for more ([`with_csv`]): every result renders as
    /// text, JSON and Markdown; only tables of rows (bench-compare's) render as CSV.
    const EVERY_TOOL: [Format; 3] = [Format::Text, Format::Json, Format::Markdown];

    /// A `--format` parser taking only `formats`, each shown with its help.
    fn parser(formats: &[Format]) -> clap::builder::ValueParser {
        use clap::builder::TypedValueParser as _;
        use clap::ValueEnum as _;
        let values = formats.iter().filter_map(Format::to_possible_value);
        clap::builder::ValueParser::new(
            clap::builder::PossibleValuesParser::new(values).map(|name| {
                Format::from_str(&name, false).expect("a possible value names a format")
            }),
        )
    }
}

/// Lets `--format` also take `csv`, for a tool whose result is a table of rows:
/// `#[command(mut_arg("format", cli::with_csv))]` on the tool's parser.
pub fn with_csv(format: clap::Arg) -> clap::Arg {
    use clap::ValueEnum as _;
    format.value_parser(Format::parser(Format::value_variants()))
}

/// Flags every tool takes: how results are printed and written, and how much is logged.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// Output format on stdout.
    #[arg(
        long,
        global = true,
        env = "RELEASE_KIT_FORMAT",
        default_value = "text",
        value_parser = Format::parser(&Format::EVERY_TOOL)
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

/// Flags every tool that works on a project takes: where the project is and its configuration,
/// then the [`OutputArgs`].
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

    /// Override one configuration key, e.g. --set tags.candidate='v{version}-rc{rc}'; lists and
    /// tables in TOML value syntax, e.g. --set 'distcheck.extra_generated=["doc/html/**"]'
    /// (repeatable; each key also has an environment twin RELEASE_KIT_<SECTION>_<KEY>).
    #[arg(long = "set", global = true, value_name = "KEY=VALUE")]
    pub sets: Vec<String>,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// The output flags read through, as every flag of one set: `common.format`,
/// `cli::init_logging(&cli.common)`.
impl std::ops::Deref for CommonArgs {
    type Target = OutputArgs;

    fn deref(&self) -> &OutputArgs {
        &self.output
    }
}

impl CommonArgs {
    /// Opens the project with this configuration, reading the process environment.
    pub fn project(&self) -> Result<Project> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        Project::open(&self.repo, self.config.as_deref(), &env, &self.sets)
    }

    /// Opens the project as it is at `tag` when one is given: `release.toml` and the build
    /// files are read from the tag's tree, not the work tree (a voter's clone of master may
    /// hold another configuration, or none). Without `--config`, a tag that does not exist, or
    /// no repository, this is [`CommonArgs::project`].
    pub fn project_at_tag(&self, tag: Option<&str>) -> Result<Project> {
        let (Some(tag), None) = (tag, self.config.as_deref()) else {
            return self.project();
        };
        let Ok(git) = crate::outside::git::Git::open(&self.repo) else {
            return self.project();
        };
        if !matches!(git.resolve(tag), Ok(Some(_))) {
            return self.project();
        }
        let env: Vec<(String, String)> = std::env::vars().collect();
        // The project may sit below the repository's top: its files at the tag are there.
        let prefix = git.prefix_of(&self.repo);
        let read = |f: &str| {
            git.show(tag, &prefix.join(f).to_string_lossy())
                .ok()
                .flatten()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        };
        Project::open_in(
            &self.repo,
            &env,
            &self.sets,
            &crate::config::infer::Tree {
                label: tag.to_string(),
                read: &read,
            },
        )
    }
}

/// Parses a binary's arguments. GitHub Actions passes an unset input as an empty string, so
/// empty `RELEASE_KIT_*` variables are removed first: an empty value means unset.
pub fn parse<P: clap::Parser>() -> P {
    docs::generate_if_asked::<P>();
    for (key, value) in std::env::vars_os() {
        if value.is_empty() && key.to_string_lossy().starts_with("RELEASE_KIT_") {
            // Single-threaded at this point: nothing else reads the environment concurrently.
            std::env::remove_var(&key);
        }
    }
    P::parse()
}

/// Starts logging to stderr, one line per event.
pub fn init_logging(output: &OutputArgs) {
    use tracing_subscriber::EnvFilter;
    let level = if output.quiet {
        "error"
    } else {
        match output.verbose {
            0 => "info",
            1 => "debug",
            _ => "trace",
        }
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none();
    let ci = Ci::detect();
    let github = ci.is_github();
    let _ = GITHUB.set(github);
    let env: Vec<(String, String)> = std::env::vars().collect();
    let secrets = crate::outside::secrets::from_env(&env);
    for secret in &secrets {
        ci.mask(secret);
    }
    crate::outside::secrets::register(secrets);
    crate::outside::process::set_echo(echo_line);
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(crate::ci::SafeStderr { github })
        .with_ansi(ansi)
        .without_time()
        .with_target(false)
        .try_init();
}

/// Whether this process runs under GitHub Actions, as [`init_logging`] found it.
static GITHUB: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// Where a child's live output goes (`Cmd::stream` with echo): stderr, through the same
/// redaction and neutralization as our own logs.
fn echo_line(line: &[u8]) {
    let github = *GITHUB.get_or_init(|| Ci::detect().is_github());
    let _ = crate::ci::write_data(
        std::io::stderr().lock(),
        github,
        &String::from_utf8_lossy(line),
    );
}

/// Writes annotations, the job summary and JUnit, then prints the report in the chosen format.
/// Annotations go first (errors first): they are what a CI log reader acts on, and a log
/// collector that stops reading when the process exits must not lose them.
pub(crate) fn emit_report(report: &Report, output: &OutputArgs, ci: &Ci) -> Result<ExitCode> {
    ci.annotate_report(report);
    ci.summary(&report.to_markdown())?;
    if let Some(path) = &output.junit {
        ci::write_junit(path, &report.into())?;
    }
    let text = match output.format {
        // A check report is not a table of rows: `--format` never offers it csv.
        Format::Text | Format::Csv => report.to_text(ci.color()),
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
pub(crate) fn print_plan<K: crate::engine::plan::StepKind>(
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

/// Prints the plan against the ledger. With `--dry-run`, a plan that would redo a finished
/// step with other inputs is refused, and `true` says the caller stops here: nothing changed.
pub(crate) fn show_plan<K: crate::engine::plan::StepKind>(
    format: Format,
    plan: &crate::engine::plan::Plan<K>,
    ledger: &crate::engine::ledger::Ledger,
    ledger_place: &str,
    dry_run: bool,
) -> Result<bool> {
    print_plan(format, plan, ledger);
    if !dry_run {
        return Ok(false);
    }
    if let Some(e) = crate::engine::execute::changed_error(plan, ledger, ledger_place) {
        return Err(e);
    }
    tracing::info!("dry run: nothing was changed");
    Ok(true)
}

/// Prints what executing a plan did (`staged hello 1.1.0-rc1 (9 steps done, 0 already done)`)
/// and the non-empty outputs, one `key: value` line each.
pub(crate) fn print_outcome<K: crate::engine::plan::StepKind>(
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
        crate::ci::emit(&crate::ci::github::annotation(
            crate::report::Severity::Error,
            None,
            None,
            "release-kit",
            first.trim_start_matches("error: "),
        ));
    }
}

/// Which part of the version moves (`bump-version next PART`), as the command line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PartArg {
    Major,
    Minor,
    Patch,
}

/// Where build-rpms takes the source tarball from (`--source`), as the command line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SourceArg {
    /// Download from dist (dev for candidates, release for releases) and verify it.
    Dist,
    /// Run the project's `make dist` on the tagged (or HEAD) tree.
    MakeDist,
}

impl From<SourceArg> for crate::model::rpm::SourceKind {
    fn from(s: SourceArg) -> Self {
        match s {
            SourceArg::Dist => crate::model::rpm::SourceKind::Dist,
            SourceArg::MakeDist => crate::model::rpm::SourceKind::MakeDist,
        }
    }
}

impl From<PartArg> for crate::model::version::Part {
    fn from(p: PartArg) -> Self {
        match p {
            PartArg::Major => crate::model::version::Part::Major,
            PartArg::Minor => crate::model::version::Part::Minor,
            PartArg::Patch => crate::model::version::Part::Patch,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory as _, Parser as _};

    /// A tool whose result is a check report.
    #[derive(Debug, clap::Parser)]
    struct Checks {
        #[command(flatten)]
        output: OutputArgs,
    }

    /// A tool whose result is a table of rows.
    #[derive(Debug, clap::Parser)]
    #[command(mut_arg("format", with_csv))]
    struct Rows {
        #[command(flatten)]
        output: OutputArgs,
    }

    #[test]
    fn csv_is_only_offered_to_a_tool_that_asks_for_it() {
        Checks::command().debug_assert();
        Rows::command().debug_assert();
        let refused = Checks::try_parse_from(["t", "--format", "csv"]).unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("[possible values: text, json, markdown]"),
            "{refused}"
        );
        let checks = Checks::try_parse_from(["t", "--format", "markdown"]).unwrap();
        assert_eq!(checks.output.format, Format::Markdown);
        let rows = Rows::try_parse_from(["t", "--format", "csv"]).unwrap();
        assert_eq!(rows.output.format, Format::Csv);
        let rows = Rows::try_parse_from(["t", "--format", "json"]).unwrap();
        assert_eq!(rows.output.format, Format::Json);
    }
}
