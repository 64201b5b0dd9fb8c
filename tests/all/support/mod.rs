//! Shared helpers for the CLI tests: running the real binaries in a clean environment, making
//! real git repositories, and requiring tools (skip locally, fail in CI).
#![allow(clippy::unwrap_used)]

pub mod release;

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn bin(name: &str) -> PathBuf {
    let path = match name {
        "bump-version" => env!("CARGO_BIN_EXE_bump-version"),
        "changelog-check" => env!("CARGO_BIN_EXE_changelog-check"),
        "verify-distcheck" => env!("CARGO_BIN_EXE_verify-distcheck"),
        "bench-compare" => env!("CARGO_BIN_EXE_bench-compare"),
        "stage-rc" => env!("CARGO_BIN_EXE_stage-rc"),
        "publish-dist" => env!("CARGO_BIN_EXE_publish-dist"),
        "build-rpms" => env!("CARGO_BIN_EXE_build-rpms"),
        other => panic!("unknown binary {other}"),
    };
    PathBuf::from(path)
}

pub const TOOLS: [&str; 7] = [
    "changelog-check",
    "bump-version",
    "verify-distcheck",
    "bench-compare",
    "stage-rc",
    "publish-dist",
    "build-rpms",
];

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// A command for a release-kit binary with the host's CI and release-kit variables removed.
pub fn tool(name: &str, dir: &Path) -> Command {
    let mut c = Command::new(bin(name));
    c.current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("GITHUB_")
            || k.starts_with("RELEASE_KIT_")
            || k.starts_with("JENKINS")
            || k == "RUST_LOG"
            || k == "BUILD_URL"
        {
            c.env_remove(k);
        }
    }
    c.env("NO_COLOR", "1");
    c
}

pub fn run(mut c: Command) -> Run {
    let out = c.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn run_tool(name: &str, dir: &Path, args: &[&str]) -> Run {
    let mut c = tool(name, dir);
    c.args(args);
    run(c)
}

/// Runs git with a fixed identity and no user or system configuration.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Release Manager")
        .env("GIT_AUTHOR_EMAIL", "rm@example.org")
        .env("GIT_COMMITTER_NAME", "Release Manager")
        .env("GIT_COMMITTER_EMAIL", "rm@example.org")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A git repository holding `files`, committed on master.
pub fn repo_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "master"]);
    git(dir.path(), &["config", "user.name", "Release Manager"]);
    git(dir.path(), &["config", "user.email", "rm@example.org"]);
    for (path, content) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "Initial import."]);
    dir
}

/// Whether a tool needed by a test is installed. Locally a missing tool skips the test with a
/// message; in CI (`CI` set) it fails it: a missing install must never pass as green.
pub fn require_tool(tool: &str) -> bool {
    if release_kit::outside::process::on_path(tool) {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{tool} is required in CI but is not installed; scripts/test installs it");
    }
    eprintln!(
        "skipping: {tool} is not installed ({})",
        release_kit::outside::process::install_hint(tool)
    );
    false
}

/// Every file under `dir` (outside .git) with its bytes, to prove nothing changed.
pub fn snapshot_tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The package root (`CARGO_MANIFEST_DIR`), where the actions, workflows and fixtures are.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(path: &str) -> String {
    std::fs::read_to_string(root().join("tests/fixtures").join(path)).unwrap()
}

/// The path of one of the sample project's [VOTE] threads (examples/hello-release/threads).
pub fn sample_thread(name: &str) -> String {
    root()
        .join("examples/hello-release/threads")
        .join(name)
        .display()
        .to_string()
}

/// Materialises the bundled sample project as a git repository (scripts/sample-repo); returns
/// the temp dir holding `hello/` (the work tree) and `origin.git`.
pub fn sample_repo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("sample");
    let script = root().join("scripts/sample-repo");
    let out = Command::new("bash")
        .arg(&script)
        .arg(&dest)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sample-repo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let work = dest.join("hello");
    (dir, work)
}

/// Copies the directory `from` to `to` (`cp -R`).
pub fn copy_dir(from: &Path, to: &Path) {
    let status = Command::new("cp")
        .arg("-R")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success());
}

/// The first YAML document of a workflow or action file.
pub fn yaml(path: &Path) -> yaml_rust2::Yaml {
    let text = std::fs::read_to_string(path).unwrap();
    yaml_rust2::YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .remove(0)
}

/// The offline stand-in for `actions/checkout` under act, which copies the repository with its
/// history into the job's workspace itself.
pub const CHECKOUT_STAND_IN: &str = "name: checkout (offline stand-in)
description: act copies the repository with its history into the workspace; nothing to fetch.
inputs:
  fetch-depth:
    default: '1'
  persist-credentials:
    default: 'true'
runs:
  using: composite
  steps:
    - shell: bash
      run: git rev-parse --verify HEAD >/dev/null
";

/// `--local-repository` arguments for act that replace `actions/cache` (every release-kit action
/// references its restore and save for the source-build cache) with an offline stand-in created
/// at `dir`: act fetches every action a composite action uses, even for steps it skips.
pub fn act_cache_stand_in(dir: &Path) -> [String; 2] {
    let action =
        std::fs::read_to_string(root().join("actions/changelog-check/action.yml")).unwrap();
    let uses = action
        .lines()
        .find_map(|l| l.trim().strip_prefix("uses: actions/cache/restore@"))
        .map(|rest| format!("actions/cache@{}", rest.split_whitespace().next().unwrap()))
        .expect("the actions use actions/cache/restore");
    for sub in ["restore", "save"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        std::fs::write(
            dir.join(sub).join("action.yml"),
            format!(
                "name: cache {sub} (offline stand-in)\ndescription: no cache\ninputs:\n  path: {{required: false}}\n  key: {{required: false}}\n  restore-keys: {{required: false}}\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: \"true\"\n"
            ),
        )
        .unwrap();
    }
    [
        "--local-repository".into(),
        format!("{uses}={}", dir.display()),
    ]
}
