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
        .arg(root().join(".github/dependabot.yml"))
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

/// `# vX.Y.Z` after every pinned SHA, so a reader (and Dependabot) knows the release.
#[test]
fn every_pinned_action_names_its_release_and_dependabot_keeps_them_current() {
    let pinned = regex::Regex::new(r"uses: [\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$").unwrap();
    for f in workflow_files().into_iter().chain(action_files()) {
        let text = std::fs::read_to_string(&f).unwrap();
        for line in text.lines().filter(|l| {
            let l = l.trim_start().trim_start_matches("- ");
            l.starts_with("uses:") && !l.starts_with("uses: ./")
        }) {
            assert!(
                pinned.is_match(line.trim_start().trim_start_matches("- ")),
                "{}: `{}` has no `# vX.Y.Z` comment",
                f.display(),
                line.trim()
            );
        }
    }
    let d = yaml(&root().join(".github/dependabot.yml"));
    let ecosystems: Vec<&str> = d["updates"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|u| u["package-ecosystem"].as_str().unwrap())
        .collect();
    assert_eq!(ecosystems, ["github-actions", "cargo"]);
    let dirs: Vec<&str> = d["updates"][0]["directories"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(
        dirs.contains(&"/actions/*"),
        "the composite actions' pins too: {dirs:?}"
    );
}

#[test]
fn ci_checks_advisories_and_the_msrv_and_ci_run_checks_licenses_offline() {
    let ci = std::fs::read_to_string(root().join(".github/workflows/ci.yml")).unwrap();
    assert!(
        ci.contains("cargo deny --locked check advisories licenses bans sources"),
        "{ci}"
    );
    assert!(
        ci.contains(r#"cargo "+$msrv" check --locked --all-targets"#),
        "{ci}"
    );
    let cargo = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    assert!(
        cargo.contains("\nrust-version = \""),
        "Cargo.toml states the MSRV"
    );
    let run = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(run.contains("scripts/deny\n"), "{run}");
    let deny = std::fs::read_to_string(root().join("scripts/deny")).unwrap();
    assert!(
        deny.contains("cargo deny --offline --locked check licenses bans sources"),
        "{deny}"
    );
}

#[test]
fn the_rpm_workflow_runs_no_javascript_in_a_container_pins_images_and_signs_in_an_environment() {
    let w = yaml(&root().join(".github/workflows/rpms.yml"));
    for (job, j) in w["jobs"].as_hash().unwrap() {
        let job = job.as_str().unwrap();
        let uses_js = j["steps"]
            .as_vec()
            .unwrap()
            .iter()
            .any(|s| s["uses"].as_str().is_some());
        assert!(
            j["container"].is_badvalue() || !uses_js,
            "job {job}: a JavaScript action inside a container (old glibc cannot run it)"
        );
        let text = format!("{:?}", j["steps"]);
        if text.contains("secrets.") {
            assert!(
                j["environment"].as_str().is_some(),
                "job {job} holds secrets outside an environment"
            );
        }
        for s in j["steps"].as_vec().unwrap() {
            let run = s["run"].as_str().unwrap_or("");
            if let Some(at) = run.find("apt-get install") {
                assert!(
                    run[..at].contains("apt-get update"),
                    "job {job}: apt-get install without apt-get update first"
                );
            }
        }
    }
    let digest = regex::Regex::new(r"^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$").unwrap();
    let legs = w["jobs"]["rpms"]["strategy"]["matrix"]["include"]
        .as_vec()
        .unwrap();
    assert_eq!(legs.len(), 3);
    for leg in legs {
        let image = leg["image"].as_str().unwrap();
        assert!(digest.is_match(image), "{image} is not pinned by digest");
    }
    let script = std::fs::read_to_string(root().join(".github/rpms-in-container.sh")).unwrap();
    assert!(
        script.contains("exec bash actions/run.sh"),
        "the action's contract"
    );
}

/// release.yml in snapshot mode under act (host mode, offline): the release path on this machine
/// (assets, the release archive, SHA256SUMS, the pin commit's content, install.sh installing and
/// verifying every tool from it) without publishing anything. The workflow runs on a copy of this
/// checkout's files; `actions/checkout` is a stand-in (act brings the repository itself), and
/// the test's own binaries stand in for `cargo build --release`.
#[test]
fn the_release_workflow_rehearses_the_release_path_under_act() {
    if !require_tool("act") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("release-kit");
    let files = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(files.status.success());
    for f in files.stdout.split(|b| *b == 0).filter(|f| !f.is_empty()) {
        let f = std::str::from_utf8(f).unwrap();
        let from = root().join(f);
        if !from.is_file() {
            continue;
        }
        let to = repo.join(f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@invalid"])
            .args(args)
            .current_dir(&repo)
            .output()
            .unwrap();
        assert!(ok.status.success(), "{ok:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "snapshot"]);
    let checkout = dir.path().join("stand-ins/checkout");
    std::fs::create_dir_all(&checkout).unwrap();
    std::fs::write(
        checkout.join("action.yml"),
        "name: checkout (offline stand-in)\ndescription: act brings the repository\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: \"true\"\n",
    )
    .unwrap();
    let workflow = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    let uses_of = |action: &str| {
        workflow
            .lines()
            .find_map(|l| {
                l.trim()
                    .trim_start_matches("- ")
                    .strip_prefix(&format!("uses: {action}@"))
            })
            .map(|rest| format!("{action}@{}", rest.split_whitespace().next().unwrap()))
            .unwrap()
    };
    // act fetches every action of a job, even one a skipped step uses (the upload, the build
    // jobs' actions): stand-ins for them all.
    let mut stand_ins = vec![(uses_of("actions/checkout"), checkout.clone())];
    for action in [
        "actions/upload-artifact",
        "actions/download-artifact",
        "actions/attest-build-provenance",
    ] {
        let d = dir.path().join("stand-ins").join(action.replace('/', "-"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("action.yml"),
            "name: stand-in\ndescription: never runs in snapshot mode\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: exit 1\n",
        )
        .unwrap();
        stand_ins.push((uses_of(action), d));
    }
    let version = std::fs::read_to_string(root().join("Cargo.toml"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .unwrap()
        .trim_end_matches('"')
        .to_string();
    // The test's own binaries stand in for the release build, stripped as the release profile
    // strips (the debug ones are ~200 MB each: checksumming and archiving them is slow).
    let bins = dir.path().join("bins");
    std::fs::create_dir_all(&bins).unwrap();
    for t in TOOLS {
        std::fs::copy(bin(t), bins.join(t)).unwrap();
        let strip = Command::new("strip").arg(bins.join(t)).status().unwrap();
        assert!(strip.success(), "strip {t}");
    }
    let out = dir.path().join("out");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut c = Command::new("act");
    c.current_dir(&repo)
        .args([
            "workflow_dispatch",
            "-W",
            ".github/workflows/release.yml",
            "-P",
            "ubuntu-latest=-self-hosted",
            "--input",
        ])
        .arg(format!("version={version}"))
        .args(["--input", "snapshot=true", "--input"])
        .arg(format!("snapshot-binaries={}", bins.display()))
        .arg("--input")
        .arg(format!("snapshot-out={}", out.display()))
        .args(stand_ins.iter().flat_map(|(uses, d)| {
            [
                "--local-repository".to_string(),
                format!("{uses}={}", d.display()),
            ]
        }))
        .env("HOME", &home)
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("NO_COLOR", "1");
    for (k, _) in std::env::vars() {
        if k.starts_with("GITHUB_") || k.starts_with("RELEASE_KIT_") || k.starts_with("RUNNER_") {
            c.env_remove(k);
        }
    }
    let r = run(c);
    let log = format!("{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.code, 0, "act failed:\n{log}");
    // Only the snapshot path ran: nothing was built for other targets, attested or published.
    assert!(log.contains("Job succeeded"), "{log}");
    for job in [
        "build x86_64",
        "checksums and provenance",
        "pin, release and publish",
    ] {
        assert!(
            !log.lines()
                .any(|l| l.contains(job) && l.contains("Job succeeded")),
            "{job} ran in snapshot mode"
        );
    }
    // What the publish job would commit: the pin and the checksums of all seven tools.
    let pin = std::fs::read_to_string(out.join("actions/release.pin")).unwrap();
    assert!(pin.contains(&format!("\nversion={version}\n")), "{pin}");
    assert!(pin.contains("\nrepository=snapshot/release-kit\n"), "{pin}");
    let sums = std::fs::read_to_string(out.join("actions/checksums.sha256")).unwrap();
    let target = match std::env::consts::ARCH {
        "aarch64" => "aarch64-unknown-linux-musl",
        _ => "x86_64-unknown-linux-musl",
    };
    for t in TOOLS {
        let asset = format!("{t}-{target}");
        let line = sums
            .lines()
            .find(|l| l.ends_with(&format!("  {asset}")))
            .unwrap_or_else(|| panic!("{asset} is not pinned:\n{sums}"));
        let bytes = std::fs::read(out.join("dist").join(&asset)).unwrap();
        assert_eq!(&line[..64], hex_sha256(&bytes), "{asset}");
        assert!(
            log.contains(&format!("verified and ran {t} (")),
            "install.sh did not install {t}:\n{log}"
        );
    }
    // SHA256SUMS covers the assets and the release archive, and verifies.
    let all = std::fs::read_to_string(out.join("dist/SHA256SUMS")).unwrap();
    assert!(
        all.contains(&format!("  release-kit-{version}-{target}.tar.gz")),
        "{all}"
    );
    assert_eq!(all.lines().count(), TOOLS.len() + 1, "{all}");
    let check = Command::new("sha256sum")
        .args(["--check", "--strict", "SHA256SUMS"])
        .current_dir(out.join("dist"))
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");
    assert!(log.contains("refused a tampered"), "{log}");
    // The archive holds every tool with its man page and completions.
    let listing = Command::new("tar")
        .arg("-tzf")
        .arg(out.join(format!("dist/release-kit-{version}-{target}.tar.gz")))
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout);
    for t in TOOLS {
        for f in [
            format!("bin/{t}"),
            format!("share/man/man1/{t}.1"),
            format!("share/bash-completion/completions/{t}"),
            format!("share/zsh/site-functions/_{t}"),
            format!("share/fish/vendor_completions.d/{t}.fish"),
        ] {
            assert!(
                listing.contains(&format!("release-kit-{version}-{target}/{f}\n")),
                "{f} missing:\n{listing}"
            );
        }
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}
