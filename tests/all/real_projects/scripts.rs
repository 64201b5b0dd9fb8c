//! The scripts find what cargo builds where cargo puts it: `CARGO_TARGET_DIR` when it is set.
#![allow(clippy::unwrap_used)]

use crate::support::*;

#[test]
fn scripts_honour_cargo_target_dir() {
    let mut offenders = Vec::new();
    let mut scripts = 0;
    for entry in std::fs::read_dir(root().join("scripts")).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_file() {
            continue;
        }
        scripts += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with('#') {
                continue;
            }
            // A build output (target/release, target/debug, a work area under target/) named
            // by its fixed place instead of through CARGO_TARGET_DIR. The test-data cache is
            // not cargo's output and stays in the repository's target/.
            if (code.contains("$root/target/") || code.contains("\"target/"))
                && !code.contains("target/test-data")
            {
                offenders.push(format!("{}:{}: {line}", path.display(), i + 1));
            }
        }
    }
    assert!(scripts > 5, "only {scripts} scripts found");
    assert!(
        offenders.is_empty(),
        "use ${{CARGO_TARGET_DIR:-$root/target}}:\n{}",
        offenders.join("\n")
    );
}
