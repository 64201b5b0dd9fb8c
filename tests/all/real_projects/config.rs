//! Configuration gaps: `--set` takes TOML lists and tables, the built-in `generated` and
//! `undistributed` lists are extendable, `AC_CONFIG_AUX_DIR` is honoured, and `--help` names
//! only keys that exist.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use crate::support::*;

#[test]
fn set_takes_toml_lists_and_tables() {
    let d = repo_with(&[("VERSION", "2.3.4\n")]);
    let r = run_tool(
        "bump-version",
        d.path(),
        &[
            "--set",
            "project.name=hello",
            "--set",
            r#"version_sites=[{ file = "VERSION", version = "{version}" }]"#,
            "check",
            "--expect",
            "2.3.4",
        ],
    );
    r.assert_code(0);
    assert!(r.stdout.contains("VERSION says 2.3.4"), "{}", r.stdout);
    // A list where a string is expected, and a string where a list is, name the key.
    let r = run_tool(
        "bump-version",
        d.path(),
        &["--set", "distcheck.extra_generated=doc/**", "check"],
    );
    r.assert_code(2);
    assert!(
        r.stderr.contains("distcheck.extra_generated") && r.stderr.contains("a TOML list"),
        "{}",
        r.stderr
    );
}

/// A project whose distcheck recipe makes a tarball without `ci/` and with `configure`,
/// `config/config.guess` (its `AC_CONFIG_AUX_DIR`) and `doc/html/index.html` added.
fn project_with_generated_docs() -> tempfile::TempDir {
    let recipe = "d=hello-1.2.0; git archive --prefix=$d/ HEAD | tar xf - && rm -rf $d/ci && mkdir -p $d/config $d/doc/html && touch $d/configure $d/config/config.guess $d/doc/html/index.html && tar czf $d.tar.gz $d";
    let config = format!(
        r#"[project]
name = "hello"

[[version_sites]]
file = "configure.ac"
version = "AC_INIT([hello], [{{version}}])"

[changelog]
file = "NEWS"
heading = "{{version}}"
regular_release = ""
patch_release = ""

[distcheck]
recipe = ['{recipe}']

[licence]
enabled = false
"#
    );
    let d = repo_with(&[
        ("release.toml", &config),
        (
            "configure.ac",
            "AC_INIT([hello], [1.2.0])\nAC_CONFIG_AUX_DIR([config])\nAC_OUTPUT\n",
        ),
        ("NEWS", "1.2.0\n\n  * Greetings.\n"),
        ("LICENSE", "license\n"),
        ("NOTICE", "notice\n"),
        ("ci/run.sh", "#!/bin/sh\n"),
        ("doc/hello.texi", "docs\n"),
    ]);
    git(
        d.path(),
        &["tag", "-a", "1.2.0-rc1", "-m", "Tagging Hello 1.2.0-rc1."],
    );
    d
}

fn source(d: &tempfile::TempDir, sets: &[&str]) -> Run {
    let out = d.path().join("..").join(format!(
        "out-{}",
        d.path().file_name().unwrap().to_string_lossy()
    ));
    let mut args: Vec<&str> = Vec::new();
    for s in sets {
        args.extend(["--set", s]);
    }
    let out = out.to_str().unwrap().to_string();
    args.extend(["source", "--tag", "1.2.0-rc1", "--out-dir", &out]);
    run_tool("verify-distcheck", d.path(), &args)
}

#[test]
fn extra_generated_and_undistributed_extend_the_builtin_lists() {
    if !require_tool("git") || !require_tool("tar") {
        return;
    }
    let d = project_with_generated_docs();
    // Without extras: the docs and ci/ are named; configure (built-in) and config/config.guess
    // (AC_CONFIG_AUX_DIR) are not.
    let r = source(&d, &[]);
    r.assert_code(1);
    assert!(
        r.stdout.contains("doc/html/index.html is in") && r.stdout.contains("ci/run.sh is in git"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("config/config.guess is in") && !r.stdout.contains("configure is in"),
        "{}",
        r.stdout
    );
    // With extras, given with --set as TOML lists: clean, and the built-in list still applies.
    let r = source(
        &d,
        &[
            r#"distcheck.extra_generated=["doc/html/**"]"#,
            r#"distcheck.extra_undistributed=["ci/**"]"#,
        ],
    );
    r.assert_code(0);
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("contents-match-tag"))
        .unwrap();
    assert!(line.contains("[pass]"), "{}", r.stdout);
    assert!(r.stdout.contains("3 generated"), "{}", r.stdout);
}

/// Every `section.key` a tool's `--help` names is a configuration key.
#[test]
fn help_names_no_phantom_configuration_keys() {
    let defaults = toml::Value::try_from(release_kit::config::Config::default()).unwrap();
    let sections: BTreeMap<String, Vec<String>> = defaults
        .as_table()
        .unwrap()
        .iter()
        .filter_map(|(s, v)| {
            v.as_table()
                .map(|t| (s.clone(), t.keys().cloned().collect::<Vec<_>>()))
        })
        .collect();
    // `section.key`, not part of a file name (`NAME-TAG-distcheck.log`) or a path.
    let token = regex::Regex::new(r"(?:^|[^\w./-])([a-z_]+)\.([a-z_]+)\b").unwrap();
    let mut checked = 0;
    for name in TOOLS {
        let top = run_tool(name, root(), &["--help"]);
        let mut pages = vec![top.stdout.clone()];
        let subcommands: Vec<String> = top
            .stdout
            .split("Commands:")
            .nth(1)
            .unwrap_or("")
            .split("\n\n")
            .next()
            .unwrap_or("")
            .lines()
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .filter(|c| c != "help")
            .collect();
        for sub in &subcommands {
            pages.push(run_tool(name, root(), &[sub, "--help"]).stdout);
        }
        for page in pages {
            for c in token.captures_iter(&page) {
                let (section, key) = (&c[1], &c[2]);
                let Some(keys) = sections.get(section) else {
                    continue;
                };
                checked += 1;
                assert!(
                    keys.iter().any(|k| k == key),
                    "{name} --help names `{section}.{key}`, which is not a configuration key:\n{page}"
                );
            }
        }
    }
    assert!(checked > 10, "only {checked} keys named in --help");
}
