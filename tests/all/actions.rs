//! The release-kit GitHub Actions (`action.yml`, `actions/<tool>/action.yml`, `actions/*.sh`):
//! their inputs against each tool's real `--help`, inputs that reach the tool only through the
//! environment, the install script's download, checksum and cache logic against a local HTTP
//! server, and hostile inputs through the composite actions under `act`.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::support::*;
use yaml_rust2::Yaml;

fn str_of(y: &Yaml) -> &str {
    y.as_str().unwrap_or("")
}

fn tool_action(tool: &str) -> PathBuf {
    root().join("actions").join(tool).join("action.yml")
}

fn action_files() -> Vec<PathBuf> {
    let mut files = vec![root().join("action.yml")];
    files.extend(TOOLS.iter().map(|t| tool_action(t)));
    files
}

/// The action's step that installs and runs the tool (`id: run`).
fn step(action: &Yaml) -> &Yaml {
    let steps = action["runs"]["steps"].as_vec().unwrap();
    steps
        .iter()
        .find(|s| str_of(&s["id"]) == "run")
        .expect("a step with id: run installs and runs the tool in one bash")
}

/// Input name -> the environment variable the action maps it to.
fn input_env(action: &Yaml) -> BTreeMap<String, String> {
    let re = regex::Regex::new(r"^\$\{\{ inputs\.([a-z0-9-]+) \}\}$").unwrap();
    let mut map = BTreeMap::new();
    for (k, v) in step(action)["env"].as_hash().unwrap() {
        if let Some(c) = re.captures(str_of(v)) {
            let previous = map.insert(c[1].to_string(), str_of(k).to_string());
            assert!(previous.is_none(), "input {} mapped twice", &c[1]);
        }
    }
    map
}

fn declared_inputs(action: &Yaml) -> BTreeSet<String> {
    action["inputs"]
        .as_hash()
        .unwrap()
        .keys()
        .map(|k| str_of(k).to_string())
        .collect()
}

/// A constant of the action's step environment (RK_TOOL, RK_COMMANDS, ...).
fn step_const(action: &Yaml, key: &str) -> String {
    str_of(&step(action)["env"][key]).to_string()
}

// ---- Inputs against the tools' flags ----------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
struct Flag {
    name: String,
    env: Option<String>,
}

fn help(tool: &str, sub: Option<&str>) -> String {
    let mut args: Vec<&str> = sub.into_iter().collect();
    args.push("--help");
    let r = run_tool(tool, root(), &args);
    r.assert_code(0);
    r.stdout
}

/// The long flags of a `--help` text with their `[env: NAME=]` twins, and its subcommands.
fn parse_help(text: &str) -> (Vec<Flag>, Vec<String>) {
    let flag = regex::Regex::new(r"^\s{2,}(?:-[A-Za-z], )?--([a-z0-9-]+)").unwrap();
    let env = regex::Regex::new(r"\[env: ([A-Z0-9_]+)=").unwrap();
    let command = regex::Regex::new(r"^  ([a-z][a-z-]*)\s{2,}").unwrap();
    let mut flags: Vec<Flag> = Vec::new();
    let mut commands = Vec::new();
    let mut in_commands = false;
    for line in text.lines() {
        if line.starts_with("Commands:") {
            in_commands = true;
            continue;
        }
        if in_commands {
            match command.captures(line) {
                Some(c) if &c[1] != "help" => commands.push(c[1].to_string()),
                Some(_) => {}
                None if line.trim().is_empty() => in_commands = false,
                None => {}
            }
            continue;
        }
        if let Some(c) = flag.captures(line) {
            flags.push(Flag {
                name: c[1].to_string(),
                env: None,
            });
        } else if let (Some(c), Some(last)) = (env.captures(line), flags.last_mut()) {
            last.env = Some(c[1].to_string());
        }
    }
    (flags, commands)
}

/// publish-dist's CLI contract (flags, env twins, subcommands) while the binary in this tree is
/// the not-implemented stub; once its `--help` lists flags, those are used instead.
fn publish_dist_contract() -> (Vec<Flag>, Vec<String>) {
    let mut flags: Vec<Flag> = [
        "repo", "config", "set", "format", "junit", "verbose", "quiet",
    ]
    .iter()
    .map(|n| Flag {
        name: n.to_string(),
        env: None,
    })
    .collect();
    for name in [
        "tag",
        "thread",
        "roster",
        "override-vote",
        "out",
        "send",
        "dry-run",
        "reason",
    ] {
        flags.push(Flag {
            name: name.into(),
            env: Some(format!(
                "RELEASE_KIT_{}",
                name.to_uppercase().replace('-', "_")
            )),
        });
    }
    for f in flags.iter_mut() {
        f.env = match f.name.as_str() {
            "repo" => Some("RELEASE_KIT_REPO".into()),
            "config" => Some("RELEASE_KIT_CONFIG".into()),
            "format" => Some("RELEASE_KIT_FORMAT".into()),
            "junit" => Some("RELEASE_KIT_JUNIT".into()),
            _ => f.env.take(),
        };
    }
    (flags, vec!["tally".into(), "abandon".into()])
}

/// Every flag of a tool (its own and its subcommands'), and its subcommands.
fn tool_flags(tool: &str) -> (Vec<Flag>, Vec<String>) {
    let top = help(tool, None);
    if tool == "publish-dist" && top.contains("Not implemented yet") {
        return publish_dist_contract();
    }
    let (mut flags, commands) = parse_help(&top);
    for sub in &commands {
        let (sub_flags, _) = parse_help(&help(tool, Some(sub)));
        for f in sub_flags {
            match flags.iter().find(|g| g.name == f.name) {
                Some(g) => assert_eq!(
                    g.env, f.env,
                    "{tool}: --{} has two environment twins",
                    f.name
                ),
                None => flags.push(f),
            }
        }
    }
    (flags, commands)
}

/// Inputs of every per-tool action that are the action's own, not a flag of the tool.
const ACTION_KNOBS: [&str; 4] = ["command", "args", "binary-dir", "build-from-source"];

#[test]
fn every_tool_has_its_action() {
    for tool in TOOLS {
        let path = tool_action(tool);
        assert!(path.is_file(), "{tool} has no action at {}", path.display());
        let action = yaml(&path);
        assert_eq!(str_of(&action["runs"]["using"]), "composite", "{tool}");
        assert_eq!(step_const(&action, "RK_TOOL"), tool);
        assert_eq!(str_of(&step(&action)["shell"]), "bash", "{tool}");
    }
    let umbrella = yaml(&root().join("action.yml"));
    assert_eq!(
        str_of(&step(&umbrella)["env"]["RK_TOOL"]),
        "${{ inputs.tool }}"
    );
}

#[test]
fn action_inputs_are_the_tools_flags_with_their_environment_twins() {
    for tool in TOOLS {
        let action = yaml(&tool_action(tool));
        let mapped = input_env(&action);
        let (flags, _) = tool_flags(tool);
        assert!(!flags.is_empty(), "{tool}: no flags parsed from --help");
        let mut names = BTreeSet::new();
        for f in &flags {
            let want = match f.name.as_str() {
                // Printing help or the version is not an action's business.
                "help" => continue,
                "version" if f.env.is_none() => continue,
                "set" => "RK_SET".to_string(),
                "verbose" => "RK_VERBOSE".to_string(),
                "quiet" => "RK_QUIET".to_string(),
                _ => f
                    .env
                    .clone()
                    .unwrap_or_else(|| panic!("{tool}: --{} has no environment twin", f.name)),
            };
            names.insert(f.name.clone());
            assert_eq!(
                mapped.get(&f.name),
                Some(&want),
                "{tool}: the flag --{} needs an input `{}` passed as {want}",
                f.name,
                f.name
            );
        }
        for input in declared_inputs(&action) {
            assert!(
                names.contains(&input) || ACTION_KNOBS.contains(&input.as_str()),
                "{tool}: input `{input}` is neither a flag of the tool nor one of the action's own"
            );
        }
    }
}

#[test]
fn action_commands_are_the_tools_subcommands() {
    for tool in TOOLS {
        let action = yaml(&tool_action(tool));
        let (_, commands) = tool_flags(tool);
        let mut listed: Vec<String> = step_const(&action, "RK_COMMANDS")
            .split_whitespace()
            .map(String::from)
            .collect();
        let implicit = step_const(&action, "RK_IMPLICIT_COMMAND");
        listed.retain(|c| *c != implicit);
        listed.sort();
        let mut want = commands.clone();
        want.sort();
        assert_eq!(listed, want, "{tool}: RK_COMMANDS");
        assert_eq!(
            declared_inputs(&action).contains("command"),
            !commands.is_empty(),
            "{tool}: a `command` input exactly when the tool has subcommands"
        );
    }
}

#[test]
fn every_declared_input_reaches_the_tool_through_one_environment_variable() {
    for path in action_files() {
        let action = yaml(&path);
        let declared = declared_inputs(&action);
        let mapped = input_env(&action);
        let mapped_names: BTreeSet<String> = mapped.keys().cloned().collect();
        assert_eq!(
            declared,
            mapped_names,
            "{}: every input, and only those, is mapped to an env var",
            path.display()
        );
        let vars: BTreeSet<&String> = mapped.values().collect();
        assert_eq!(vars.len(), mapped.len(), "{}", path.display());
        // The rest of the step's environment is constants, and the script is fixed text.
        for (k, v) in step(&action)["env"].as_hash().unwrap() {
            let v = str_of(v);
            assert!(
                !v.contains("${{") || v.starts_with("${{ inputs."),
                "{}: {} = {v}",
                path.display(),
                str_of(k)
            );
        }
        let run = str_of(&step(&action)["run"]);
        assert!(
            run == r#"bash "$GITHUB_ACTION_PATH/../run.sh""#
                || run == r#"bash "$GITHUB_ACTION_PATH/actions/run.sh""#,
            "{}: run: {run}",
            path.display()
        );
    }
}

/// `set_output("name"` calls in the tool's modules, and stage-rc's table of outputs.
fn outputs_written_by(tool: &str) -> BTreeSet<String> {
    let files: &[&str] = match tool {
        "changelog-check" => &["src/tools/changelog_check/mod.rs"],
        "bump-version" => &["src/tools/bump_version/mod.rs"],
        "verify-distcheck" => &[
            "src/tools/verify_distcheck/source.rs",
            "src/tools/verify_distcheck/candidate.rs",
        ],
        "bench-compare" => &["src/tools/bench_compare/runner.rs"],
        "stage-rc" => &["src/tools/stage_rc/mod.rs"],
        "build-rpms" => &["src/tools/build_rpms/mod.rs"],
        "publish-dist" => {
            // The contract's outputs while the tool is a stub in this tree.
            return [
                "passed",
                "binding-plus",
                "binding-minus",
                "result-email",
                "final-tag",
                "release-url",
                "announce-email",
                "website-branch",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
        }
        other => panic!("{other}"),
    };
    let call = regex::Regex::new(r#"set_output\(\s*"([a-z0-9-]+)""#).unwrap();
    let table = regex::Regex::new(r#"(?s)let outputs = \[(.*?)\];"#).unwrap();
    let entry = regex::Regex::new(r#"\(\s*"([a-z0-9-]+)",\s*"#).unwrap();
    let mut names = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(root().join(f)).unwrap();
        names.extend(call.captures_iter(&text).map(|c| c[1].to_string()));
        for t in table.captures_iter(&text) {
            names.extend(entry.captures_iter(&t[1]).map(|c| c[1].to_string()));
        }
    }
    assert!(!names.is_empty(), "{tool}: no outputs found in {files:?}");
    names
}

#[test]
fn action_outputs_are_what_the_tool_writes_and_come_from_its_step() {
    let umbrella = yaml(&root().join("action.yml"));
    let umbrella_outputs: BTreeSet<String> = umbrella["outputs"]
        .as_hash()
        .unwrap()
        .keys()
        .map(|k| str_of(k).to_string())
        .collect();
    for path in action_files() {
        let action = yaml(&path);
        for (k, v) in action["outputs"].as_hash().unwrap() {
            assert_eq!(
                str_of(&v["value"]),
                format!("${{{{ steps.run.outputs.{} }}}}", str_of(k)),
                "{}",
                path.display()
            );
            assert!(!str_of(&v["description"]).is_empty());
        }
    }
    for tool in TOOLS {
        let action = yaml(&tool_action(tool));
        let declared: BTreeSet<String> = action["outputs"]
            .as_hash()
            .unwrap()
            .keys()
            .map(|k| str_of(k).to_string())
            .collect();
        let mut written = outputs_written_by(tool);
        written.insert("exit-code".into());
        assert_eq!(declared, written, "{tool}: outputs");
        assert!(
            written.is_subset(&umbrella_outputs),
            "the umbrella action declares {tool}'s outputs"
        );
    }
}

// ---- run.sh and install.sh, driven directly ---------------------------------------------------

/// A stand-in for a tool: records its arguments (NUL-separated), its RELEASE_KIT_ environment and
/// its working directory, writes one output, and exits with $PROBE_EXIT.
fn probe_script(record: &Path) -> String {
    format!(
        r#"#!/usr/bin/env bash
rec='{rec}'
mkdir -p "$rec"
: >"$rec/argv"
for a in "$@"; do printf '%s\0' "$a" >>"$rec/argv"; done
env -0 | grep -z '^RELEASE_KIT_' >"$rec/env" || true
echo "version=9.9.9" >>"${{GITHUB_OUTPUT:-/dev/null}}"
echo "probe ran"
exit "${{PROBE_EXIT:-0}}"
"#,
        rec = record.display()
    )
}

fn write_exe(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn nul_list(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap();
    bytes
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8(s.to_vec()).unwrap())
        .collect()
}

/// `bash actions/run.sh` (or a copy's) with only the given environment plus PATH and HOME;
/// install.sh gets the tool to install as its argument.
fn action_script(script: &Path, cwd: &Path, home: &Path, env: &[(&str, &str)]) -> Run {
    let mut c = Command::new("bash");
    c.arg(script).current_dir(cwd).env_clear();
    if script.ends_with("install.sh") {
        c.arg("changelog-check");
    }
    c.env("PATH", std::env::var_os("PATH").unwrap())
        .env("HOME", home);
    for (k, v) in env {
        c.env(k, v);
    }
    run(c)
}

const HOSTILE_TAG: &str = r#""; rm -rf ~; echo ""#;

#[test]
fn run_sh_passes_hostile_inputs_verbatim_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("canary"), "still here").unwrap();
    let record = dir.path().join("record");
    write_exe(
        &dir.path().join("bin/changelog-check"),
        &probe_script(&record),
    );
    let pwned = dir.path().join("PWNED");
    let title = format!("$(touch {p}) `touch {p}` ; touch {p}", p = pwned.display());
    let output = dir.path().join("github-output");
    let args = format!(
        "--against\n{HOSTILE_TAG}\n$(id)\n::set-output name=x::y\n\n  spaced  \r\n--pr-body=a\\nb"
    );
    let r = action_script(
        &root().join("actions/run.sh"),
        dir.path(),
        &home,
        &[
            ("RK_TOOL", "changelog-check"),
            ("RK_BINARY_DIR", dir.path().join("bin").to_str().unwrap()),
            ("RK_ARGS", &args),
            ("RK_SET", "changelog.file=$(id)\nmail.dev=a;touch PWNED"),
            ("RK_VERBOSE", "2"),
            ("RELEASE_KIT_TAG", HOSTILE_TAG),
            ("RELEASE_KIT_PR_TITLE", &title),
            ("RELEASE_KIT_PR_BODY", "line\n::set-output name=x::y\n%0A"),
            ("GITHUB_OUTPUT", output.to_str().unwrap()),
        ],
    );
    r.assert_code(0);
    assert_eq!(
        nul_list(&record.join("argv")),
        [
            "--set",
            "changelog.file=$(id)",
            "--set",
            "mail.dev=a;touch PWNED",
            "-v",
            "-v",
            "--against",
            HOSTILE_TAG,
            "$(id)",
            "::set-output name=x::y",
            "  spaced  ",
            "--pr-body=a\\nb",
        ]
    );
    let env = nul_list(&record.join("env"));
    assert!(
        env.contains(&format!("RELEASE_KIT_TAG={HOSTILE_TAG}")),
        "{env:?}"
    );
    assert!(
        env.contains(&format!("RELEASE_KIT_PR_TITLE={title}")),
        "{env:?}"
    );
    assert!(
        env.contains(&"RELEASE_KIT_PR_BODY=line\n::set-output name=x::y\n%0A".to_string()),
        "{env:?}"
    );
    assert!(!pwned.exists() && !dir.path().join("PWNED").exists());
    assert!(home.join("canary").exists(), "HOME was touched");
    // The values are not echoed (a secret in args must stay whole for the runner's masking).
    assert!(!r.stderr.contains("rm -rf"), "{}", r.stderr);
    let outputs = std::fs::read_to_string(&output).unwrap();
    assert!(outputs.contains("version=9.9.9\n"), "{outputs}");
    assert!(outputs.ends_with("exit-code=0\n"), "{outputs}");
}

#[test]
fn run_sh_refuses_bad_inputs_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("record");
    for tool in TOOLS {
        write_exe(&dir.path().join("bin").join(tool), &probe_script(&record));
    }
    let bin = dir.path().join("bin");
    let bin = bin.to_str().unwrap();
    let out = dir.path().join("out");
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![], "the `tool` input is required"),
        (
            vec![("RK_TOOL", "no-such-tool\n::set-output name=x::y")],
            "::error title=release-kit action::unknown tool `no-such-tool%0A::set-output name=x::y`; release-kit's tools are: changelog-check bump-version",
        ),
        (
            vec![("RK_TOOL", "stage-rc"), ("RK_REQUIRED", "tag")],
            "stage-rc needs the `tag` input (its --tag flag); set it under `with:`",
        ),
        (
            vec![
                ("RK_TOOL", "verify-distcheck"),
                ("RK_COMMANDS", "source candidate"),
                ("RK_REQUIRED", "command tag@source artifact@candidate"),
            ],
            "verify-distcheck needs the `command` input: one of source candidate",
        ),
        (
            vec![
                ("RK_TOOL", "verify-distcheck"),
                ("RK_COMMAND", "candidate"),
                ("RK_COMMANDS", "source candidate"),
                ("RK_REQUIRED", "command tag@source artifact@candidate"),
                ("RELEASE_KIT_TAG", "1.0.0-rc1"),
            ],
            "verify-distcheck candidate needs the `artifact` input (its --artifact flag)",
        ),
        (
            vec![
                ("RK_TOOL", "publish-dist"),
                ("RK_COMMAND", "publish"),
                ("RK_COMMANDS", "publish tally abandon"),
                ("RK_IMPLICIT_COMMAND", "publish"),
                ("RK_REQUIRED", "tag thread@publish,tally"),
                ("RELEASE_KIT_TAG", "1.0.0-rc1"),
            ],
            "publish-dist publish needs the `thread` input",
        ),
        (
            vec![
                ("RK_TOOL", "bench-compare"),
                ("RK_COMMAND", "rnu"),
                ("RK_COMMANDS", "compare run calibrate merge"),
            ],
            "bench-compare has no command `rnu`; use one of: compare run calibrate merge",
        ),
        (
            vec![("RK_TOOL", "changelog-check"), ("RK_VERBOSE", "$(id)")],
            "verbose is `$(id)`; use true, false or a count from 0 to 3",
        ),
        (
            vec![("RK_TOOL", "changelog-check"), ("RK_BUILD_FROM_SOURCE", "yes")],
            "build-from-source is `yes`; use true or false",
        ),
    ];
    for (env, message) in cases {
        let output = dir.path().join("github-output");
        let _ = std::fs::remove_file(&output);
        let mut env = env.clone();
        if !env.iter().any(|(k, _)| *k == "RK_BUILD_FROM_SOURCE") {
            env.push(("RK_BINARY_DIR", bin));
        }
        env.push(("GITHUB_ACTIONS", "true"));
        env.push(("GITHUB_OUTPUT", output.to_str().unwrap()));
        let r = action_script(&root().join("actions/run.sh"), dir.path(), &out, &env);
        assert_eq!(r.code, 2, "{env:?}: {}", r.stderr);
        assert!(r.stderr.contains(message), "{env:?}:\n{}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
        assert_eq!(
            std::fs::read_to_string(&output).unwrap(),
            "exit-code=2\n",
            "{env:?}"
        );
        assert!(!record.exists(), "{env:?}: the tool ran");
    }
    // A required input given through args instead is fine; publish-dist's implicit command is
    // not passed, the others are.
    let r = action_script(
        &root().join("actions/run.sh"),
        dir.path(),
        &out,
        &[
            ("RK_TOOL", "publish-dist"),
            ("RK_COMMAND", "publish"),
            ("RK_IMPLICIT_COMMAND", "publish"),
            ("RK_COMMANDS", "publish tally abandon"),
            ("RK_REQUIRED", "tag thread@publish,tally"),
            ("RK_ARGS", "--tag=1.0.0-rc1\n--thread\nvote.mbox"),
            ("RK_BINARY_DIR", bin),
        ],
    );
    r.assert_code(0);
    assert_eq!(
        nul_list(&record.join("argv")),
        ["--tag=1.0.0-rc1", "--thread", "vote.mbox"]
    );
    let r = action_script(
        &root().join("actions/run.sh"),
        dir.path(),
        &out,
        &[
            ("RK_TOOL", "publish-dist"),
            ("RK_COMMAND", "tally"),
            ("RK_IMPLICIT_COMMAND", "publish"),
            ("RELEASE_KIT_TAG", "1.0.0-rc1"),
            ("RELEASE_KIT_THREAD", "vote.mbox"),
            ("RK_REQUIRED", "tag thread@publish,tally"),
            ("RK_QUIET", "true"),
            ("RK_BINARY_DIR", bin),
            ("PROBE_EXIT", "1"),
        ],
    );
    assert_eq!(r.code, 1, "the tool's exit code is the step's");
    assert_eq!(nul_list(&record.join("argv")), ["tally", "-q"]);
}

/// `python3 -m http.server` on 127.0.0.1 serving `dir`; stopped on drop.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let mut child = Command::new("python3")
            .args(["-u", "-m", "http.server", "0", "--bind", "127.0.0.1"])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
        let port = line
            .split_whitespace()
            .skip_while(|w| *w != "port")
            .nth(1)
            .unwrap_or_else(|| panic!("http.server said: {line}"))
            .to_string();
        Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A copy of the actions' scripts pinned to release 9.9.9 of example/release-kit, with the given
/// SHA-256 for changelog-check on x86_64 Linux.
struct Pinned {
    dir: tempfile::TempDir,
}

impl Pinned {
    fn new(sha256: &str) -> Pinned {
        let dir = tempfile::tempdir().unwrap();
        let actions = dir.path().join("actions");
        std::fs::create_dir_all(&actions).unwrap();
        for f in ["install.sh", "run.sh"] {
            std::fs::copy(root().join("actions").join(f), actions.join(f)).unwrap();
        }
        std::fs::write(
            actions.join("release.pin"),
            "# test pin\nversion=9.9.9\nrepository=example/release-kit\n",
        )
        .unwrap();
        std::fs::write(
            actions.join("checksums.sha256"),
            format!("# test\n{sha256}  changelog-check-x86_64-unknown-linux-musl\n"),
        )
        .unwrap();
        for d in ["home", "cache", "work", "release"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        Pinned { dir }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn env(&self, os: &str, arch: &str, url: &str) -> Vec<(String, String)> {
        vec![
            ("RUNNER_OS".into(), os.into()),
            ("RUNNER_ARCH".into(), arch.into()),
            (
                "RUNNER_TOOL_CACHE".into(),
                self.path("cache").display().to_string(),
            ),
            (
                "RUNNER_TEMP".into(),
                self.path("work").display().to_string(),
            ),
            ("RELEASE_KIT_DOWNLOAD_URL".into(), url.into()),
            ("GITHUB_ACTIONS".into(), "true".into()),
        ]
    }

    fn script(&self, name: &str, env: &[(String, String)], extra: &[(&str, &str)]) -> Run {
        let mut all: Vec<(&str, &str)> =
            env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        all.extend_from_slice(extra);
        let script = self.path("actions").join(name);
        action_script(&script, &self.path("work"), &self.path("home"), &all)
    }

    fn cached(&self) -> PathBuf {
        self.path("cache/release-kit/9.9.9/x64/changelog-check")
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn install_downloads_verifies_and_caches_a_good_binary_then_runs_it_from_the_cache() {
    if !require_tool("python3") || !require_tool("curl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("record");
    let binary = probe_script(&record);
    let pinned = Pinned::new(&sha256_hex(binary.as_bytes()));
    write_exe(
        &pinned.path("release/changelog-check-x86_64-unknown-linux-musl"),
        &binary,
    );
    let server = Server::start(&pinned.path("release"));
    let env = pinned.env("Linux", "X64", &server.url);

    let r = pinned.script("install.sh", &env, &[]);
    r.assert_code(0);
    assert_eq!(r.stdout.trim(), pinned.cached().display().to_string());
    assert!(
        r.stderr.contains("downloaded, SHA-256 verified, cached in"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read_to_string(pinned.cached()).unwrap(), binary);
    assert!(pinned.path("cache/release-kit/9.9.9/x64.complete").exists());
    assert_eq!(
        leftovers(&pinned.path("cache/release-kit/9.9.9/x64")),
        ["changelog-check"]
    );

    // Warm: the cache serves it (the server is gone) and the action runs it.
    drop(server);
    let r = pinned.script("run.sh", &env, &[("RK_TOOL", "changelog-check")]);
    r.assert_code(0);
    assert!(
        r.stderr.contains("from the tool cache, SHA-256 verified"),
        "{}",
        r.stderr
    );
    assert!(record.join("argv").exists(), "the verified binary ran");

    // A cached binary changed behind our back is not run: it is fetched again.
    std::fs::write(pinned.cached(), "#!/bin/sh\ntouch PWNED\n").unwrap();
    let server = Server::start(&pinned.path("release"));
    let env = pinned.env("Linux", "X64", &server.url);
    let r = pinned.script("install.sh", &env, &[]);
    r.assert_code(0);
    assert!(
        r.stderr
            .contains("does not match the pinned SHA-256; removing it"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read_to_string(pinned.cached()).unwrap(), binary);
}

#[test]
fn install_refuses_a_tampered_download_deletes_it_and_never_runs_it() {
    if !require_tool("python3") || !require_tool("curl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let good = probe_script(&dir.path().join("record"));
    let pinned = Pinned::new(&sha256_hex(good.as_bytes()));
    let pwned = dir.path().join("PWNED");
    write_exe(
        &pinned.path("release/changelog-check-x86_64-unknown-linux-musl"),
        &format!("#!/bin/sh\ntouch '{}'\n", pwned.display()),
    );
    let server = Server::start(&pinned.path("release"));
    let env = pinned.env("Linux", "X64", &server.url);
    let output = dir.path().join("github-output");
    let r = pinned.script(
        "run.sh",
        &env,
        &[
            ("RK_TOOL", "changelog-check"),
            ("GITHUB_OUTPUT", output.to_str().unwrap()),
        ],
    );
    r.assert_code(1);
    assert!(
        r.stderr.contains("::error title=release-kit action::checksum mismatch for changelog-check-x86_64-unknown-linux-musl downloaded from http://127.0.0.1:"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("the download was deleted and not run"),
        "{}",
        r.stderr
    );
    assert!(!pwned.exists(), "the tampered binary ran");
    assert!(!pinned.cached().exists());
    assert!(
        leftovers(&pinned.path("cache/release-kit/9.9.9/x64")).is_empty(),
        "nothing left in the cache"
    );
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "exit-code=1\n");
    // A download that fails outright is an outside failure.
    drop(server);
    let r = pinned.script("install.sh", &env, &[]);
    r.assert_code(3);
    assert!(
        r.stderr.contains("downloading http://127.0.0.1:"),
        "{}",
        r.stderr
    );
}

/// A PATH holding only the commands install.sh needs (no cargo), as symlinks.
fn path_without_cargo(dir: &Path) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for cmd in [
        "bash",
        "dirname",
        "uname",
        "awk",
        "cut",
        "tr",
        "sha256sum",
        "mktemp",
        "mkdir",
        "rm",
        "chmod",
        "mv",
        "touch",
        "curl",
        "cat",
        "env",
        "grep",
        "find",
        "sort",
        "xargs",
        "date",
        "cp",
    ] {
        if let Ok(found) = which(cmd) {
            let _ = std::os::unix::fs::symlink(found, bin.join(cmd));
        }
    }
    bin.display().to_string()
}

fn which(cmd: &str) -> Result<PathBuf, ()> {
    std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join(cmd))
        .find(|p| p.is_file())
        .ok_or(())
}

#[test]
fn install_without_a_prebuilt_binary_or_cargo_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let pinned = Pinned::new(&"0".repeat(64));
    let path = path_without_cargo(dir.path());
    for (os, arch, why) in [
        ("Linux", "ARM", "release-kit publishes no prebuilt binary for Linux/ARM"),
        ("Windows", "X64", "release-kit publishes no prebuilt binary for Windows/X64"),
        (
            "macOS",
            "ARM64",
            "no prebuilt changelog-check-aarch64-apple-darwin is pinned for release-kit 9.9.9 (actions/checksums.sha256)",
        ),
    ] {
        let mut env = pinned.env(os, arch, "http://127.0.0.1:9");
        env.push(("PATH".into(), path.clone()));
        let r = pinned.script("run.sh", &env, &[("RK_TOOL", "changelog-check")]);
        assert_eq!(r.code, 3, "{os}/{arch}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("::error title=release-kit action::{why}, and cargo is not on PATH to build release-kit from source; install a Rust toolchain in an earlier step (`curl --proto '=https' -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal`, then add ~/.cargo/bin to GITHUB_PATH), or pass binary-dir with prebuilt binaries")),
            "{os}/{arch}: {}",
            r.stderr
        );
    }
}

/// A stand-in cargo: records its command line in DIR/cargo-args (appending) and "builds" the
/// one `--bin` it is asked for; a real release build takes minutes (scripts/bench-action and
/// release.yml run that).
fn stand_in_cargo(dir: &Path) {
    write_exe(
        &dir.join("bin/cargo"),
        &format!(
            "#!/bin/bash\nprintf '%s\\n' \"$@\" >> '{log}'\nwhile [ $# -gt 0 ]; do case $1 in --target-dir) t=$2 ;; --bin) b=$2 ;; esac; shift; done\nmkdir -p \"$t/release\"\nprintf '#!/bin/sh\\necho built\\n' > \"$t/release/$b\"\nchmod +x \"$t/release/$b\"\n",
            log = dir.join("cargo-args").display()
        ),
    );
}

#[test]
fn install_falls_back_to_building_only_its_tool_from_the_actions_own_checkout() {
    let dir = tempfile::tempdir().unwrap();
    let pinned = Pinned::new(&"0".repeat(64));
    std::fs::write(pinned.path("Cargo.toml"), "[package]\n").unwrap();
    let path = path_without_cargo(dir.path());
    stand_in_cargo(dir.path());
    let mut env = pinned.env("Linux", "ARM", "http://127.0.0.1:9");
    env.push(("PATH".into(), path.clone()));
    let r = pinned.script("run.sh", &env, &[("RK_TOOL", "changelog-check")]);
    r.assert_code(0);
    assert_eq!(r.stdout, "built\n");
    assert!(
        r.stderr.contains("the first build takes several minutes"),
        "says how long the first build takes: {}",
        r.stderr
    );
    let args = std::fs::read_to_string(dir.path().join("cargo-args")).unwrap();
    let checkout = std::fs::canonicalize(pinned.path("")).unwrap();
    assert_eq!(
        args,
        format!(
            "build\n--release\n--locked\n--bin\nchangelog-check\n--manifest-path\n{}/Cargo.toml\n--target-dir\n{}/release-kit-build\n",
            checkout.display(),
            pinned.path("work").display()
        )
    );
    // build-from-source builds even where a prebuilt binary is pinned.
    let mut env = pinned.env("Linux", "X64", "http://127.0.0.1:9");
    env.push(("PATH".into(), path));
    let r = pinned.script(
        "install.sh",
        &env,
        &[("RK_BUILD_FROM_SOURCE", "true"), ("RK_BUILD_DIR", "")],
    );
    r.assert_code(0);
    assert!(
        r.stderr.contains("build-from-source is set: "),
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stdout.trim(),
        pinned
            .path("work/release-kit-build/bin/changelog-check")
            .display()
            .to_string()
    );
}

#[test]
fn a_source_build_is_reused_for_the_same_source_and_redone_after_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let pinned = Pinned::new(&"0".repeat(64));
    std::fs::write(pinned.path("Cargo.toml"), "[package]\n").unwrap();
    std::fs::create_dir_all(pinned.path("src")).unwrap();
    std::fs::write(pinned.path("src/lib.rs"), "// one\n").unwrap();
    let path = path_without_cargo(dir.path());
    stand_in_cargo(dir.path());
    let mut env = pinned.env("Linux", "ARM", "http://127.0.0.1:9");
    env.push(("PATH".into(), path.clone()));
    // The plan the action's cache steps read: a key on the platform, the tool and the source.
    let mut c = Command::new("bash");
    c.arg(pinned.path("actions/install.sh"))
        .args(["--plan", "changelog-check"])
        .env_clear();
    for (k, v) in &env {
        c.env(k, v);
    }
    let plan = run(c);
    plan.assert_code(0);
    let lines: Vec<&str> = plan.stdout.lines().collect();
    assert_eq!(lines[0], "build=true", "{}", plan.stdout);
    let key = lines[1].strip_prefix("key=").unwrap();
    assert!(
        regex::Regex::new("^release-kit-Linux-ARM-changelog-check-[0-9a-f]{64}$")
            .unwrap()
            .is_match(key),
        "{key}"
    );
    assert_eq!(
        lines[2],
        "restore-key=release-kit-Linux-ARM-changelog-check-"
    );
    assert_eq!(
        lines[3],
        format!("path={}", pinned.path("work/release-kit-build").display())
    );
    let r = pinned.script("install.sh", &env, &[]);
    r.assert_code(0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("cargo-args"))
            .unwrap()
            .lines()
            .filter(|l| *l == "build")
            .count(),
        1
    );
    // The same source again: the cached binary, no cargo (it is not even on PATH).
    std::fs::remove_file(dir.path().join("bin/cargo")).unwrap();
    let r = pinned.script("install.sh", &env, &[]);
    r.assert_code(0);
    assert!(
        r.stderr.contains("built from this source earlier"),
        "{}",
        r.stderr
    );
    // A source change: built again.
    std::fs::write(pinned.path("src/lib.rs"), "// two\n").unwrap();
    let r = pinned.script("install.sh", &env, &[]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("cargo is not on PATH"), "{}", r.stderr);
    stand_in_cargo(dir.path());
    let r = pinned.script("install.sh", &env, &[]);
    r.assert_code(0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("cargo-args"))
            .unwrap()
            .lines()
            .filter(|l| *l == "build")
            .count(),
        2
    );
    // A pinned binary for the runner: nothing to build, nothing to cache.
    let mut c = Command::new("bash");
    c.arg(pinned.path("actions/install.sh"))
        .args(["--plan", "changelog-check"])
        .env_clear();
    for (k, v) in pinned.env("Linux", "X64", "http://127.0.0.1:9") {
        c.env(k, v);
    }
    c.env("PATH", &path);
    let plan = run(c);
    plan.assert_code(0);
    assert_eq!(plan.stdout, "build=false\n");
}

#[test]
fn before_the_first_release_no_advice_names_a_release() {
    let dir = tempfile::tempdir().unwrap();
    let pinned = Pinned::new(&"0".repeat(64));
    // The committed state before the first release.
    std::fs::copy(
        root().join("actions/release.pin"),
        pinned.path("actions/release.pin"),
    )
    .unwrap();
    std::fs::copy(
        root().join("actions/checksums.sha256"),
        pinned.path("actions/checksums.sha256"),
    )
    .unwrap();
    let mut env = pinned.env("Linux", "X64", "http://127.0.0.1:9");
    env.push(("PATH".into(), path_without_cargo(dir.path())));
    let r = pinned.script("run.sh", &env, &[("RK_TOOL", "changelog-check")]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("cargo is not on PATH"), "{}", r.stderr);
    assert!(
        r.stderr.contains("sh.rustup.rs"),
        "says what to install: {}",
        r.stderr
    );
    assert!(!r.stderr.contains("@v"), "names a release: {}", r.stderr);
    assert!(!r.stderr.contains("prebuilt binary for"), "{}", r.stderr);
    // With cargo but no source in the action: a commit of release-kit, not a release.
    stand_in_cargo(dir.path());
    let r = pinned.script("run.sh", &env, &[("RK_TOOL", "changelog-check")]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("release-kit has no release yet"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("@v"), "names a release: {}", r.stderr);
}

#[test]
fn every_action_caches_a_source_build_around_its_run_step() {
    for path in action_files() {
        let action = yaml(&path);
        let steps = action["runs"]["steps"].as_vec().unwrap();
        let ids: Vec<&str> = steps.iter().map(|s| str_of(&s["id"])).collect();
        assert_eq!(
            ids,
            ["source", "restore", "run", "save"],
            "{}",
            path.display()
        );
        assert!(str_of(&steps[0]["run"]).contains("install.sh\" --plan"));
        assert!(str_of(&steps[1]["uses"]).starts_with("actions/cache/restore@"));
        assert_eq!(
            str_of(&steps[1]["if"]),
            "steps.source.outputs.build == 'true'"
        );
        assert!(str_of(&steps[3]["uses"]).starts_with("actions/cache/save@"));
        assert_eq!(
            str_of(&steps[3]["if"]),
            "always() && steps.run.outputs.built == 'true'"
        );
        for s in [&steps[1], &steps[3]] {
            assert_eq!(
                str_of(&s["with"]["key"]),
                "${{ steps.source.outputs.key }}",
                "{}",
                path.display()
            );
        }
    }
}

#[test]
fn install_checks_binary_dir_and_the_tool_name() {
    let dir = tempfile::tempdir().unwrap();
    let pinned = Pinned::new(&"0".repeat(64));
    let env = pinned.env("Linux", "X64", "http://127.0.0.1:9");
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    for (extra, code, message) in [
        (
            vec![("RK_BINARY_DIR", empty.to_str().unwrap())],
            2,
            "holds no executable `changelog-check`",
        ),
        (
            vec![("RK_BINARY_DIR", "/nonexistent/bin")],
            2,
            "binary-dir `/nonexistent/bin` is not a directory",
        ),
    ] {
        let r = pinned.script("install.sh", &env, &extra);
        assert_eq!(r.code, code, "{}", r.stderr);
        assert!(r.stderr.contains(message), "{}", r.stderr);
    }
    let mut c = Command::new("bash");
    c.arg(pinned.path("actions/install.sh")).arg("rm -rf /");
    let r = run(c);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown tool `rm -rf /`"), "{}", r.stderr);
    // A broken pin is named.
    std::fs::write(pinned.path("actions/release.pin"), "version=latest\n").unwrap();
    let r = pinned.script("install.sh", &env, &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("actions/release.pin has no valid version (`latest`)"),
        "{}",
        r.stderr
    );
}

#[test]
fn pin_release_pins_what_install_then_accepts() {
    if !require_tool("python3") || !require_tool("curl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("record");
    let dist = dir.path().join("dist");
    for tool in TOOLS {
        write_exe(
            &dist.join(format!("{tool}-x86_64-unknown-linux-musl")),
            &format!("{}# {tool}\n", probe_script(&record)),
        );
    }
    std::fs::write(dist.join("SHA256SUMS"), "ignored\n").unwrap();
    let pinned = Pinned::new(&"0".repeat(64));
    let pin = |args: &[&str]| {
        let mut c = Command::new("bash");
        c.arg(root().join("scripts/pin-release"))
            .args(["--actions-dir", pinned.path("actions").to_str().unwrap()])
            .args(args)
            .env_remove("GITHUB_REPOSITORY");
        run(c)
    };
    let r = pin(&[
        "--version",
        "9.9.9",
        "--repository",
        "example/release-kit",
        dist.to_str().unwrap(),
    ]);
    r.assert_code(0);
    let sums = std::fs::read_to_string(pinned.path("actions/checksums.sha256")).unwrap();
    assert_eq!(
        sums.lines().filter(|l| !l.starts_with('#')).count(),
        7,
        "{sums}"
    );
    let want = sha256_hex(&std::fs::read(dist.join("stage-rc-x86_64-unknown-linux-musl")).unwrap());
    assert!(
        sums.contains(&format!("{want}  stage-rc-x86_64-unknown-linux-musl\n")),
        "{sums}"
    );
    let pin_file = std::fs::read_to_string(pinned.path("actions/release.pin")).unwrap();
    assert!(
        pin_file.contains("\nversion=9.9.9\nrepository=example/release-kit\n"),
        "{pin_file}"
    );

    let server = Server::start(&dist);
    let env = pinned.env("Linux", "X64", &server.url);
    let r = pinned.script(
        "run.sh",
        &env,
        &[("RK_TOOL", "stage-rc"), ("RELEASE_KIT_TAG", "1.0.0-rc1")],
    );
    r.assert_code(0);
    assert!(record.join("argv").exists());

    // Refusals: a stray file, a target without every tool, no repository.
    std::fs::write(dist.join("notes.txt"), "x").unwrap();
    let r = pin(&[
        "--version",
        "9.9.9",
        "--repository",
        "example/release-kit",
        dist.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("notes.txt is not named TOOL-TARGET"),
        "{}",
        r.stderr
    );
    std::fs::remove_file(dist.join("notes.txt")).unwrap();
    std::fs::remove_file(dist.join("build-rpms-x86_64-unknown-linux-musl")).unwrap();
    let r = pin(&[
        "--version",
        "9.9.9",
        "--repository",
        "example/release-kit",
        dist.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("build-rpms-x86_64-unknown-linux-musl is missing"),
        "{}",
        r.stderr
    );
    let r = pin(&["--version", "9.9.9", dist.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("repository `` is not OWNER/NAME"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_committed_pin_is_well_formed() {
    let pin = std::fs::read_to_string(root().join("actions/release.pin")).unwrap();
    let version = pin
        .lines()
        .find_map(|l| l.strip_prefix("version="))
        .expect("a version");
    assert!(
        regex::Regex::new(r"^\d+\.\d+\.\d+$")
            .unwrap()
            .is_match(version),
        "{version}"
    );
    let sums = std::fs::read_to_string(root().join("actions/checksums.sha256")).unwrap();
    let line = regex::Regex::new(r"^[0-9a-f]{64}  [a-z-]+-[a-z0-9_]+(-[a-z0-9_]+){2,3}$").unwrap();
    for l in sums.lines().filter(|l| !l.starts_with('#')) {
        assert!(line.is_match(l), "actions/checksums.sha256: `{l}`");
    }
}

// ---- The composite actions under act ----------------------------------------------------------

const CHECKOUT: &str = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1";

/// The workflow: hostile inputs through the changelog-check action and the umbrella action, an
/// unknown tool and a missing required input; every outcome recorded in $RESULTS.
fn hostile_workflow() -> String {
    format!(
        r#"name: hostile inputs
on: push
permissions: {{}}
jobs:
  inputs:
    runs-on: ubuntu-latest
    env:
      RESULTS: ${{{{ vars.RESULTS }}}}
    steps:
      - uses: {CHECKOUT}
      - id: probe
        uses: ./actions/changelog-check
        with:
          tag: '"; rm -rf ~; echo "'
          pr-title: "$(touch PWNED) `touch PWNED`"
          pr-body: |
            line one
            ::set-output name=x::y
          set: |
            changelog.file=$(id)
          args: |
            --against
            "; rm -rf ~; echo "
            $(id)
            ::set-output name=x::y
          binary-dir: ${{{{ vars.PROBE_DIR }}}}
      - name: record the probe step's outputs
        env:
          X: ${{{{ steps.probe.outputs.x }}}}
          CODE: ${{{{ steps.probe.outputs.exit-code }}}}
          VERSION: ${{{{ steps.probe.outputs.version }}}}
        run: printf 'x=[%s] exit-code=[%s] version=[%s]\n' "$X" "$CODE" "$VERSION" >> "$RESULTS/outputs"
      - id: umbrella
        uses: ./
        with:
          tool: bump-version
          command: check
          args: |
            $(id)
          binary-dir: ${{{{ vars.PROBE_DIR }}}}
      - id: unknown
        continue-on-error: true
        uses: ./
        with:
          tool: "no-such-tool; touch PWNED"
          binary-dir: ${{{{ vars.PROBE_DIR }}}}
      - id: missing
        continue-on-error: true
        uses: ./actions/stage-rc
        with:
          binary-dir: ${{{{ vars.PROBE_DIR }}}}
      - name: record the outcomes
        env:
          UMBRELLA: ${{{{ steps.umbrella.outputs.exit-code }}}}
          UNKNOWN: ${{{{ steps.unknown.outcome }}}}/${{{{ steps.unknown.outputs.exit-code }}}}
          MISSING: ${{{{ steps.missing.outcome }}}}/${{{{ steps.missing.outputs.exit-code }}}}
        run: printf 'umbrella=[%s] unknown=[%s] missing=[%s]\n' "$UMBRELLA" "$UNKNOWN" "$MISSING" >> "$RESULTS/outputs"
"#
    )
}

#[test]
fn act_hostile_inputs_reach_the_tool_as_inert_strings() {
    if !require_tool("act") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().join("repo");
    std::fs::create_dir_all(top.join(".github/workflows")).unwrap();
    std::fs::write(
        top.join(".github/workflows/hostile.yml"),
        hostile_workflow(),
    )
    .unwrap();
    std::fs::copy(root().join("action.yml"), top.join("action.yml")).unwrap();
    let status = Command::new("cp")
        .arg("-R")
        .arg(root().join("actions"))
        .arg(top.join("actions"))
        .status()
        .unwrap();
    assert!(status.success());
    git(&top, &["init", "-q", "-b", "master"]);
    git(&top, &["add", "-A"]);
    git(&top, &["commit", "-qm", "The actions."]);
    let stand_in = dir.path().join("checkout");
    std::fs::create_dir_all(&stand_in).unwrap();
    std::fs::write(stand_in.join("action.yml"), CHECKOUT_STAND_IN).unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("canary"), "still here").unwrap();
    let results = dir.path().join("results");
    std::fs::create_dir_all(&results).unwrap();
    let probes = dir.path().join("probes");
    for (tool, record) in [
        ("changelog-check", results.join("changelog-check")),
        ("bump-version", results.join("bump-version")),
        ("stage-rc", results.join("stage-rc")),
    ] {
        write_exe(&probes.join(tool), &probe_script(&record));
    }
    let mut c = Command::new("act");
    c.current_dir(&top)
        .args(["push", "-P", "ubuntu-latest=-self-hosted"])
        .arg("--local-repository")
        .arg(format!("{CHECKOUT}={}", stand_in.display()))
        .args(act_cache_stand_in(&dir.path().join("cache-stand-in")))
        .arg("--var")
        .arg(format!("PROBE_DIR={}", probes.display()))
        .arg("--var")
        .arg(format!("RESULTS={}", results.display()))
        .env("HOME", &home)
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("NO_COLOR", "1");
    for (k, _) in std::env::vars() {
        if k.starts_with("GITHUB_") || k.starts_with("RELEASE_KIT_") || k.starts_with("ACT") {
            c.env_remove(k);
        }
    }
    let r = run(c);
    let out = format!("{}{}", r.stdout, r.stderr);
    r.assert_code(0);

    // The tool received every hostile value verbatim, as one argument or variable each.
    let argv = nul_list(&results.join("changelog-check/argv"));
    assert_eq!(
        argv,
        [
            "--set",
            "changelog.file=$(id)",
            "--against",
            HOSTILE_TAG,
            "$(id)",
            "::set-output name=x::y"
        ],
        "{out}"
    );
    let env = nul_list(&results.join("changelog-check/env"));
    for want in [
        format!("RELEASE_KIT_TAG={HOSTILE_TAG}"),
        "RELEASE_KIT_PR_TITLE=$(touch PWNED) `touch PWNED`".to_string(),
        "RELEASE_KIT_PR_BODY=line one\n::set-output name=x::y\n".to_string(),
    ] {
        assert!(env.contains(&want), "{want:?} not in {env:?}");
    }
    // Unset inputs arrive empty (the tools treat an empty RELEASE_KIT_ variable as unset).
    assert!(
        env.contains(&"RELEASE_KIT_JIRA_URL=".to_string()),
        "{env:?}"
    );
    assert_eq!(
        nul_list(&results.join("bump-version/argv")),
        ["check", "$(id)"]
    );
    // Nothing ran: no file made, HOME intact, no output injected.
    let outputs = std::fs::read_to_string(results.join("outputs")).unwrap();
    assert!(
        outputs.contains("x=[] exit-code=[0] version=[9.9.9]\n"),
        "{outputs}\n{out}"
    );
    assert!(
        outputs.contains("umbrella=[0] unknown=[failure/2] missing=[failure/2]\n"),
        "{outputs}\n{out}"
    );
    assert!(
        !results.join("stage-rc/argv").exists(),
        "stage-rc ran without its tag"
    );
    assert!(home.join("canary").exists(), "HOME was touched");
    let mut made = Vec::new();
    for d in [&top, &home, dir.path()] {
        made.extend(leftovers(d).into_iter().filter(|f| f.contains("PWNED")));
    }
    assert!(made.is_empty(), "{made:?}");
    // act relays the step's stderr when it can (see tests/all/pr_changelog_workflow.rs).
    if out.contains("unknown tool") {
        assert!(
            out.contains(
                "::error title=release-kit action::unknown tool `no-such-tool; touch PWNED`"
            ),
            "{out}"
        );
    }
}
