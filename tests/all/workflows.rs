//! Every GitHub Actions workflow and action file is clean under actionlint and zizmor, pins what
//! it uses by commit SHA, expands no expression inside a script, and asks for least privilege.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;

use crate::support::*;
use yaml_rust2::Yaml;

fn workflow_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(root().join(".github/workflows")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            files.push(p);
        }
    }
    files.sort();
    assert!(!files.is_empty());
    files
}

/// `action.yml` and every `actions/<tool>/action.yml`.
fn action_files() -> Vec<PathBuf> {
    let mut files = vec![root().join("action.yml")];
    for e in std::fs::read_dir(root().join("actions")).unwrap() {
        let p = e.unwrap().path().join("action.yml");
        if p.is_file() {
            files.push(p);
        }
    }
    files.sort();
    assert!(files.len() >= 8, "{files:?}");
    files
}

fn output_text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn workflows_pass_actionlint() {
    if !require_tool("actionlint") {
        return;
    }
    // From the repository root, so actionlint reads the local actions the workflows use and
    // checks their `with:` against the actions' inputs.
    let out = Command::new("actionlint")
        .current_dir(root())
        .args(workflow_files())
        .output()
        .unwrap();
    assert!(out.status.success(), "actionlint:\n{}", output_text(&out));
}

/// A workflow using every action with its required inputs (and `extra` lines in each `with:`).
fn workflow_using_every_action(extra: &str) -> String {
    let mut text = String::from(
        "name: uses every action\non: push\npermissions: {}\njobs:\n  all:\n    runs-on: ubuntu-latest\n    steps:\n",
    );
    for path in action_files() {
        let dir = path.parent().unwrap().strip_prefix(root()).unwrap();
        let uses = if dir.as_os_str().is_empty() {
            "./".to_string()
        } else {
            format!("./{}", dir.display())
        };
        text.push_str(&format!(
            "      - uses: {uses}\n        with:\n          binary-dir: bin\n"
        ));
        let action = yaml(&path);
        for (k, v) in action["inputs"].as_hash().unwrap() {
            if v["required"].as_bool() == Some(true) {
                text.push_str(&format!("          {}: x\n", k.as_str().unwrap()));
            }
        }
        text.push_str(extra);
    }
    text
}

#[test]
fn actions_pass_actionlint() {
    if !require_tool("actionlint") {
        return;
    }
    // actionlint checks action metadata through the workflows that use the actions: a copy of
    // the actions, and a workflow using each of them.
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("cp")
        .arg("-R")
        .arg(root().join("actions"))
        .arg(root().join("action.yml"))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
    // actionlint reads local actions only inside a project (a git repository).
    git(dir.path(), &["init", "-q"]);
    let check = |extra: &str| {
        std::fs::write(
            dir.path().join(".github/workflows/uses.yml"),
            workflow_using_every_action(extra),
        )
        .unwrap();
        Command::new("actionlint")
            .current_dir(dir.path())
            .arg(".github/workflows/uses.yml")
            .output()
            .unwrap()
    };
    let out = check("");
    assert!(out.status.success(), "actionlint:\n{}", output_text(&out));
    // The check has teeth: an input no action declares is reported, for each action.
    let out = check("          no-such-input: x\n");
    let text = output_text(&out);
    assert!(!out.status.success(), "{text}");
    assert_eq!(
        text.matches("input \"no-such-input\" is not defined")
            .count(),
        action_files().len(),
        "{text}"
    );
}

#[test]
fn workflows_and_actions_pass_zizmor() {
    if !require_tool("zizmor") {
        return;
    }
    // From the repository root, so zizmor finds .github/zizmor.yml.
    let out = Command::new("zizmor")
        .current_dir(root())
        .arg("--offline")
        .args(workflow_files())
        .args(action_files())
        .output()
        .unwrap();
    let text = output_text(&out);
    assert!(out.status.success(), "zizmor:\n{text}");
    assert!(text.contains("No findings"), "{text}");
}

#[test]
fn every_action_is_pinned_by_commit_sha() {
    for f in workflow_files().into_iter().chain(action_files()) {
        let text = std::fs::read_to_string(&f).unwrap();
        for line in text.lines().filter(|l| {
            l.trim_start().starts_with("- uses:") || l.trim_start().starts_with("uses:")
        }) {
            let target = line.split("uses:").nth(1).unwrap().trim();
            if target.starts_with("./") {
                continue;
            }
            let rev = target
                .split('@')
                .nth(1)
                .unwrap_or("")
                .split_whitespace()
                .next()
                .unwrap_or("");
            assert!(
                rev.len() == 40 && rev.chars().all(|c| c.is_ascii_hexdigit()),
                "{}: `{}` is not pinned by a commit SHA",
                f.display(),
                line.trim()
            );
        }
    }
}

/// Every `run:` script in a document, with where it is.
fn run_blocks(y: &Yaml, at: &str, out: &mut Vec<(String, String)>) {
    match y {
        Yaml::Hash(h) => {
            for (k, v) in h {
                let key = k.as_str().unwrap_or("?");
                if key == "run" {
                    if let Some(s) = v.as_str() {
                        out.push((at.to_string(), s.to_string()));
                    }
                } else {
                    run_blocks(v, &format!("{at}.{key}"), out);
                }
            }
        }
        Yaml::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                run_blocks(v, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn no_script_expands_an_expression() {
    // `${{ }}` in a script is pasted into its text before bash reads it: an input, a branch name
    // or a pull request title could run as code. Values reach scripts through `env:` only.
    let mut checked = 0;
    for f in workflow_files().into_iter().chain(action_files()) {
        let mut blocks = Vec::new();
        run_blocks(&yaml(&f), "", &mut blocks);
        for (at, script) in blocks {
            checked += 1;
            for bad in ["${{", "${{ inputs.", "${{ github.event."] {
                assert!(
                    !script.contains(bad),
                    "{}{at}: the script expands `{bad}`; pass the value through env:\n{script}",
                    f.display()
                );
            }
        }
    }
    assert!(checked > 30, "only {checked} scripts found");
}

fn expressions_in(y: &Yaml) -> String {
    match y {
        Yaml::String(s) => s.clone(),
        Yaml::Hash(h) => h
            .iter()
            .map(|(k, v)| format!("{} {}", expressions_in(k), expressions_in(v)))
            .collect(),
        Yaml::Array(a) => a.iter().map(expressions_in).collect(),
        _ => String::new(),
    }
}

#[test]
fn workflows_ask_for_least_privilege_and_keep_secrets_in_the_steps_that_use_them() {
    for f in workflow_files() {
        let w = yaml(&f);
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            w["permissions"].as_hash().is_some_and(|h| h.is_empty()),
            "{name}: top-level `permissions: {{}}`"
        );
        assert!(
            !expressions_in(&w["env"]).contains("secrets."),
            "{name}: a secret in the workflow's env"
        );
        for (job, j) in w["jobs"].as_hash().unwrap() {
            let job = job.as_str().unwrap();
            assert!(
                j["permissions"].as_hash().is_some(),
                "{name}: job {job} states its permissions"
            );
            assert!(
                !expressions_in(&j["env"]).contains("secrets."),
                "{name}: job {job} puts a secret in the job's env; give it to the step that needs it"
            );
            for (i, s) in j["steps"].as_vec().unwrap().iter().enumerate() {
                assert!(
                    !expressions_in(&s["with"]).contains("secrets."),
                    "{name}: job {job} step {i} passes a secret as an input; use env:"
                );
            }
            if j["permissions"]["contents"].as_str() == Some("write") {
                assert!(
                    j["environment"].as_str().is_some(),
                    "{name}: job {job} writes: it runs in an environment"
                );
            }
        }
    }
}

#[test]
fn release_workflows_never_cancel_a_running_release() {
    for (file, group) in [
        ("rc.yml", "rc-${{ inputs.tag || github.ref_name }}"),
        ("publish.yml", "publish-${{ inputs.tag }}"),
        ("release.yml", "release-${{ inputs.version }}"),
        ("rpms.yml", "rpms-${{ inputs.tag || github.sha }}"),
    ] {
        let w = yaml(&root().join(".github/workflows").join(file));
        assert_eq!(w["concurrency"]["group"].as_str(), Some(group), "{file}");
        assert_eq!(
            w["concurrency"]["cancel-in-progress"].as_bool(),
            Some(false),
            "{file}"
        );
    }
}

#[test]
fn the_rc_workflow_triggers_on_rc_tags_and_validates_a_dispatched_tag() {
    let w = yaml(&root().join(".github/workflows/rc.yml"));
    assert_eq!(
        w["on"]["push"]["tags"][0].as_str(),
        Some("[0-9]+.[0-9]+.[0-9]+-rc[0-9]+")
    );
    assert_eq!(
        w["on"]["workflow_dispatch"]["inputs"]["tag"]["required"].as_bool(),
        Some(true)
    );
    let check = w["jobs"]["tag"]["steps"][0]["run"].as_str().unwrap();
    assert!(
        check.contains(r#"[[ ! "$TAG" =~ ^[0-9]+\.[0-9]+\.[0-9]+-rc[0-9]+$ ]]"#),
        "{check}"
    );
    for job in ["changelog-check", "verify-source", "bench"] {
        assert_eq!(w["jobs"][job]["needs"].as_str(), Some("tag"), "{job}");
    }
}
