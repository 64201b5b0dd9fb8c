//! One CHANGELOG heading matcher for changelog-check, stage-rc and verify-distcheck source.
#![allow(clippy::unwrap_used)]

use crate::support::*;

/// A project whose CHANGELOG uses `heading`, tagged 1.2.0-rc1 with `section` as its release
/// notes, and a distcheck recipe that does nothing (only the CHANGELOG check matters here).
fn project(file: &str, changelog_keys: &str, changelog: &str) -> tempfile::TempDir {
    let config = format!(
        r#"[project]
name = "hello"
display_name = "Hello"

[[version_sites]]
file = "VERSION"
version = "{{version}}"

[changelog]
file = "{file}"
{changelog_keys}

[distcheck]
recipe = ["true"]
"#
    );
    let d = repo_with(&[
        ("release.toml", &config),
        ("VERSION", "1.2.0\n"),
        (file, changelog),
    ]);
    git(
        d.path(),
        &["tag", "-a", "1.2.0-rc1", "-m", "Tagging Hello 1.2.0-rc1."],
    );
    d
}

fn assert_all_tools_agree(d: &tempfile::TempDir, expected_summary: &str) {
    let r = run_tool("changelog-check", d.path(), &["--tag", "1.2.0-rc1"]);
    r.assert_code(0);
    let out = tempfile::tempdir().unwrap();
    let r = run_tool(
        "verify-distcheck",
        d.path(),
        &[
            "-q",
            "source",
            "--tag",
            "1.2.0-rc1",
            "--out-dir",
            out.path().to_str().unwrap(),
        ],
    );
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("changelog-section"))
        .unwrap_or_else(|| panic!("no changelog-section line:\n{}", r.stdout));
    assert!(
        line.contains("[pass]") && line.contains(expected_summary),
        "{line}\n{}",
        r.stdout
    );
}

#[test]
fn distcheck_source_reads_a_version_date_heading_as_changelog_check_does() {
    let d = project(
        "NEWS",
        "heading = \"{version} {date}\"\nregular_release = \"\"\npatch_release = \"\"",
        "1.2.0 2026-01-02\n\n  * Faster greetings.\n\n1.1.0 2025-06-01\n\n  * First.\n",
    );
    assert_all_tools_agree(&d, "\"1.2.0 2026-01-02\" at NEWS:1");
}

#[test]
fn distcheck_source_reads_the_keep_a_changelog_example_of_the_docs() {
    // The example of docs/configuration.md, as written there.
    let docs = std::fs::read_to_string(root().join("docs/configuration.md")).unwrap();
    let start = docs.find("heading = \"## [{version}] - {date}\"").unwrap();
    let block = &docs[start..start + docs[start..].find("```").unwrap()];
    let keys: String = block
        .lines()
        .filter(|l| !l.starts_with("file ="))
        .collect::<Vec<_>>()
        .join("\n");
    let d = project(
        "CHANGELOG.md",
        &keys,
        "# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2026-01-02\n\n### Added\n\n- Greetings in French (#12).\n\n## [1.1.0] - 2025-06-01\n\n### Fixed\n\n- A crash (#3).\n",
    );
    assert_all_tools_agree(&d, "\"## [1.2.0] - 2026-01-02\" at CHANGELOG.md:5");
}

#[test]
fn distcheck_source_still_refuses_a_wip_section_under_a_dated_heading() {
    let d = project(
        "NEWS",
        "heading = \"{version} {date}\"\nregular_release = \"\"\npatch_release = \"\"",
        "1.2.0 2026-01-02 (WIP)\n\n  * Faster greetings.\n",
    );
    let out = tempfile::tempdir().unwrap();
    let r = run_tool(
        "verify-distcheck",
        d.path(),
        &[
            "-q",
            "source",
            "--tag",
            "1.2.0-rc1",
            "--out-dir",
            out.path().to_str().unwrap(),
        ],
    );
    r.assert_code(1);
    assert!(
        r.stdout.contains(
            "NEWS:1: error: the section \"1.2.0 2026-01-02 (WIP)\" is still marked (WIP)"
        ),
        "{}",
        r.stdout
    );
}
