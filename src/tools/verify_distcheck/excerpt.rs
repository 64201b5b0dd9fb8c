//! The lines of a failed build's tail that explain the failure, for the report's finding: from
//! the first error-looking line among the last ones, reaching back over the diagnostics that
//! caused it (`cp: cannot stat '../doc/html'` from a dist-hook, before make's `***` lines) and
//! keeping automake's explanation blocks whole (`ERROR: files left in build directory after
//! distclean:` and the list of files). Pure: text in, text out.

/// How far from the end the first error-looking line is looked for.
const WINDOW: usize = 25;
/// How many lines before that line are searched for the diagnostics that explain it.
const REACH_BACK: usize = 12;

/// The lines of `tail` worth showing, joined with newlines.
pub(crate) fn relevant_lines(tail: &str) -> String {
    let lines: Vec<&str> = tail.lines().collect();
    let window_start = lines.len().saturating_sub(WINDOW);
    let anchor = lines[window_start..]
        .iter()
        .position(|l| is_error(l))
        .map(|i| window_start + i);
    let mut start = match anchor {
        Some(a) => reach_back(&lines, a),
        None => lines.len().saturating_sub(15),
    };
    // An explanation block (its header and the list after it) is kept whole, wherever it
    // starts in the tail.
    if let Some(h) = lines.iter().position(|l| is_block_header(l)) {
        start = start.min(h);
    }
    lines[start..].join("\n")
}

/// The earliest line before `anchor` that belongs to its explanation: diagnostics, skipping
/// make's directory chatter and blank lines, stopping at the first line of ordinary output.
fn reach_back(lines: &[&str], anchor: usize) -> usize {
    let mut start = anchor;
    let floor = anchor.saturating_sub(REACH_BACK);
    let mut i = anchor;
    while i > floor {
        i -= 1;
        let l = lines[i];
        if is_diagnostic(l) {
            start = i;
        } else if !is_chatter(l) {
            break;
        }
    }
    start
}

fn is_error(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    l.contains("error") || l.contains("fail") || l.contains("***")
}

/// automake's own explanations, followed by the files they list.
fn is_block_header(line: &str) -> bool {
    let l = line.trim_start();
    l.starts_with("ERROR: files left")
        || l.contains("files left in build directory after distclean")
        || l.contains("files left after uninstall")
        || l.starts_with("ERROR: distcheck failed")
}

/// A line a tool prints about what went wrong: `cp: cannot stat ...`, `foo.c:3: error: ...`,
/// `/bin/sh: 1: missing-tool: not found`.
fn is_diagnostic(line: &str) -> bool {
    if is_chatter(line) {
        return false;
    }
    let l = line.to_ascii_lowercase();
    const WORDS: [&str; 12] = [
        "cannot ",
        "can't ",
        "no such file",
        "not found",
        "permission denied",
        "undefined reference",
        "no rule to make target",
        "missing",
        "fatal",
        "error",
        "failed",
        "not a directory",
    ];
    if WORDS.iter().any(|w| l.contains(w)) {
        return true;
    }
    // `program: message`, the usual shape of a command's complaint.
    match line.split_once(": ") {
        Some((prog, _)) => {
            !prog.is_empty()
                && !prog.contains(char::is_whitespace)
                && prog
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._/+-[]:".contains(c))
        }
        None => false,
    }
}

/// What make and the shell print around every failure without explaining it.
fn is_chatter(line: &str) -> bool {
    let t = line.trim();
    t.is_empty()
        || (t.starts_with("make")
            && (t.contains("Entering directory") || t.contains("Leaving directory")))
}

#[cfg(test)]
mod tests {
    use super::relevant_lines;

    #[test]
    fn the_relevant_lines_start_at_the_first_error() {
        let tail = "a\nb\nmake[2]: *** [Makefile:10: x] Error 1\nc";
        assert_eq!(
            relevant_lines(tail),
            "make[2]: *** [Makefile:10: x] Error 1\nc"
        );
        assert_eq!(relevant_lines("x\ny"), "x\ny");
    }

    #[test]
    fn a_dist_hook_failure_keeps_the_line_that_explains_it() {
        let tail = "test -d \"hello-1.0.0\" || mkdir \"hello-1.0.0\"\ncp -pR ../doc/html hello-1.0.0/doc\ncp: cannot stat '../doc/html': No such file or directory\nmake[2]: *** [Makefile:500: dist-hook] Error 1\nmake[2]: Leaving directory '/b'\nmake[1]: *** [Makefile:460: distdir-am] Error 2\nmake: *** [Makefile:470: distdir] Error 2";
        let got = relevant_lines(tail);
        assert!(
            got.starts_with("cp: cannot stat '../doc/html': No such file or directory\n"),
            "{got}"
        );
        assert!(got.ends_with("make: *** [Makefile:470: distdir] Error 2"));
    }

    #[test]
    fn files_left_after_distclean_are_listed() {
        let mut tail = String::new();
        for i in 0..10 {
            tail.push_str(&format!("making clean in dir{i}\n"));
        }
        tail.push_str(
            "ERROR: files left in build directory after distclean:\n./leftover.txt\n./src/stamp\n",
        );
        for i in 0..30 {
            tail.push_str(&format!(
                "make[{i}]: *** [Makefile:1: distcleancheck] Error 1\n"
            ));
        }
        let got = relevant_lines(&tail);
        assert!(
            got.starts_with(
                "ERROR: files left in build directory after distclean:\n./leftover.txt\n./src/stamp\n"
            ),
            "{got}"
        );
    }
}
