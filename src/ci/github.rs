//! GitHub Actions formats, as pure functions: workflow-command escaping, annotations, masks,
//! the `$GITHUB_OUTPUT` delimiter form, and the job-summary size cap.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use super::CiError;
use crate::report::Severity;

/// GitHub's limit for one step's job summary.
pub(crate) const SUMMARY_CAP: usize = 1024 * 1024;

const TRUNCATED: &str =
    "\n\n> **Note**: the summary was truncated at GitHub's 1 MiB limit; the full report is in the job log.\n";

/// Escapes the message part of a workflow command (after `::`).
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command (`file=`, `title=`, ...).
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `::error file=F,line=L,title=T::message`, with every part escaped.
pub fn annotation(
    severity: Severity,
    file: Option<&str>,
    line: Option<usize>,
    title: &str,
    message: &str,
) -> String {
    let command = match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Notice => "notice",
    };
    let mut props = Vec::new();
    if let Some(file) = file {
        props.push(format!("file={}", escape_property(&defuse_legacy(file))));
        if let Some(line) = line {
            props.push(format!("line={line}"));
        }
    }
    if !title.is_empty() {
        props.push(format!("title={}", escape_property(&defuse_legacy(title))));
    }
    let props = if props.is_empty() {
        String::new()
    } else {
        format!(" {}", props.join(","))
    };
    format!(
        "::{command}{props}::{}",
        escape_data(&defuse_legacy(message))
    )
}

/// What a neutralised bare carriage return becomes: visible, and not a line break.
const CR_SHOWN: &str = "\u{240D}";

/// Makes text safe to print in a GitHub Actions log, every byte of it. The runner reads its
/// logs line by line, where a line ends at LF, CRLF or a bare CR, and acts on two command
/// syntaxes: a line whose trimmed start is `::` (`::error::`, `::stop-commands::`), and the
/// legacy `##[command]` anywhere in a line. So: CRLF becomes LF, a bare CR is shown as `␍`
/// (no line break), a line starting with `::` after whitespace is prefixed with `| `, and `##[`
/// becomes `## [`. Text from data (a sender's name, a CHANGELOG line, a tag, an error echoed by
/// a server) can then no longer act; our own commands are emitted apart ([`super::Ci`]).
pub(crate) fn neutralize(text: &str) -> String {
    if !text.contains("::") && !text.contains("##[") && !text.contains('\r') {
        return text.to_string();
    }
    let text = text.replace("\r\n", "\n").replace('\r', CR_SHOWN);
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.trim_start().starts_with("::") {
            out.push_str("| ");
        }
        out.push_str(&defuse_legacy(line));
    }
    out
}

/// `##[` anywhere starts a legacy workflow command (`##[set-output name=x]v`); `## [` does not.
pub(crate) fn defuse_legacy(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains("##[") {
        std::borrow::Cow::Owned(text.replace("##[", "## ["))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Whether one line, as the runner splits them, would run as a workflow command.
pub fn is_command_line(line: &str) -> bool {
    line.trim_start().starts_with("::") || line.contains("##[")
}

/// Splits text into lines the way the runner reads a log: LF, CRLF and a bare CR end a line.
pub fn runner_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split("\r\n").flat_map(|l| l.split(['\r', '\n']))
}

/// `::add-mask::` commands for a secret: the runner masks line by line, so each line is
/// registered on its own.
pub(crate) fn mask_commands(secret: &str) -> Vec<String> {
    secret
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("::add-mask::{}", escape_data(l)))
        .collect()
}

/// A fresh random delimiter for the multi-line output form.
pub(crate) fn new_delimiter() -> String {
    let mut hex = String::from("ghadelimiter_");
    for i in 0..2u64 {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(i);
        hex.push_str(&format!("{:016x}", h.finish()));
    }
    hex
}

/// One entry of `$GITHUB_OUTPUT` in the delimiter form:
/// `name<<DELIMITER\nvalue\nDELIMITER\n`.
pub(crate) fn output_block(name: &str, value: &str, delimiter: &str) -> Result<String, CiError> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(CiError::BadOutputName {
            name: name.to_string(),
        });
    }
    if value.contains(delimiter) {
        return Err(CiError::DelimiterInValue {
            name: name.to_string(),
            delimiter: delimiter.to_string(),
        });
    }
    Ok(format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"))
}

/// Parses a `$GITHUB_OUTPUT` file as the runner does (both `name=value` and heredoc forms).
pub fn parse_output_file(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        if line.is_empty() && lines.peek().is_none() {
            break;
        }
        let eq = line.find('=');
        let heredoc = line.find("<<");
        match (eq, heredoc) {
            (Some(e), h) if h.is_none_or(|h| e < h) => {
                out.push((line[..e].to_string(), line[e + 1..].to_string()));
            }
            (_, Some(h)) => {
                let name = &line[..h];
                let delim = &line[h + 2..];
                let mut value = Vec::new();
                loop {
                    match lines.next() {
                        Some(l) if l == delim => break,
                        Some(l) => value.push(l),
                        None => return Err(format!("delimiter {delim} for {name} never closed")),
                    }
                }
                out.push((name.to_string(), value.join("\n")));
            }
            _ => return Err(format!("invalid line: {line}")),
        }
    }
    Ok(out)
}

/// What may be appended to a summary that already holds `existing` bytes: all of `markdown`,
/// a truncated part of it with a note, or nothing when the summary is full.
pub(crate) fn summary_chunk(existing: u64, markdown: &str) -> Option<String> {
    let room = SUMMARY_CAP.saturating_sub(usize::try_from(existing).unwrap_or(usize::MAX));
    if markdown.len() <= room {
        return Some(markdown.to_string());
    }
    if room <= TRUNCATED.len() {
        return None;
    }
    let mut cut = room - TRUNCATED.len();
    while !markdown.is_char_boundary(cut) {
        cut -= 1;
    }
    Some(format!("{}{TRUNCATED}", &markdown[..cut]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escaping_follows_the_toolkit() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn annotation_has_file_line_and_title() {
        assert_eq!(
            annotation(
                Severity::Error,
                Some("CHANGE,LOG:x"),
                Some(12),
                "changelog: wip",
                "has (WIP)\nfix it"
            ),
            "::error file=CHANGE%2CLOG%3Ax,line=12,title=changelog%3A wip::has (WIP)%0Afix it"
        );
        assert_eq!(
            annotation(Severity::Notice, None, Some(3), "", "m"),
            "::notice::m"
        );
        assert_eq!(
            annotation(Severity::Warning, Some("f"), None, "t", "m"),
            "::warning file=f,title=t::m"
        );
    }

    #[test]
    fn injected_workflow_commands_stay_inert() {
        let evil = "ok\n::set-output name=pwned::1\n::add-mask::x";
        let a = annotation(Severity::Error, Some("f"), Some(1), "t", evil);
        assert_eq!(a.lines().count(), 1, "{a}");
        assert!(a.contains("%0A::set-output"));
        // A title cannot close the property list early.
        let a = annotation(Severity::Error, None, None, "x::error::y", "m");
        assert!(a.starts_with("::error title=x%3A%3Aerror%3A%3Ay::"), "{a}");
    }

    #[test]
    fn multi_line_outputs_round_trip_through_the_runner_format() {
        let d = "ghadelimiter_0123";
        let mut file =
            output_block("email", "Subject: [VOTE]\n\nline=with=equals\nname<<EOF", d).unwrap();
        file.push_str(&output_block("sha512", "abc", d).unwrap());
        let parsed = parse_output_file(&file).unwrap();
        assert_eq!(
            parsed[0].1,
            "Subject: [VOTE]\n\nline=with=equals\nname<<EOF"
        );
        assert_eq!(parsed[1], ("sha512".into(), "abc".into()));
    }

    #[test]
    fn a_value_carrying_the_delimiter_is_refused() {
        let d = "ghadelimiter_0123";
        let e = output_block("x", &format!("a\n{d}\npwned=1"), d).unwrap_err();
        assert!(e.to_string().contains("contains the delimiter"), "{e}");
    }

    #[test]
    fn output_names_are_validated() {
        for bad in ["", "a=b", "a\nb", "a<<b", "a b"] {
            assert!(output_block(bad, "v", "D").is_err(), "{bad:?}");
        }
        assert!(output_block("tarball-sha512_2", "v", "D").is_ok());
    }

    #[test]
    fn delimiters_are_random() {
        let a = new_delimiter();
        assert!(a.starts_with("ghadelimiter_") && a.len() == 13 + 32);
        assert_ne!(a, new_delimiter());
    }

    #[test]
    fn data_lines_that_look_like_commands_are_neutralized() {
        let text = "name: x\n::warning::injected\n   ::set-output name=a::b\nfine :: here\n";
        assert_eq!(
            neutralize(text),
            "name: x\n| ::warning::injected\n|    ::set-output name=a::b\nfine :: here\n"
        );
        assert_eq!(neutralize("plain"), "plain");
    }

    #[test]
    fn carriage_returns_and_legacy_commands_are_neutralized() {
        let evil = "tag 1.0\r::error::INJECTED\rx ##[set-output name=a]b\r\n  ##[stop-commands]t\r\n::warning::w";
        let safe = neutralize(evil);
        for line in runner_lines(&safe) {
            assert!(!is_command_line(line), "{line:?} in {safe:?}");
        }
        assert_eq!(
            safe,
            "tag 1.0\u{240D}::error::INJECTED\u{240D}x ## [set-output name=a]b\n  ## [stop-commands]t\n| ::warning::w"
        );
        assert_eq!(neutralize("###[x"), "### [x");
        assert_eq!(neutralize("a\r\nb"), "a\nb");
    }

    #[test]
    fn annotations_carry_no_legacy_command() {
        let a = annotation(
            Severity::Error,
            Some("##[x]"),
            None,
            "##[t]",
            "##[set-output name=a]b",
        );
        assert_eq!(runner_lines(&a).count(), 1);
        assert!(!a.contains("##["), "{a}");
    }

    #[test]
    fn masks_are_per_line() {
        assert_eq!(
            mask_commands("line1\r\nline2\n\n"),
            vec!["::add-mask::line1", "::add-mask::line2"]
        );
        assert_eq!(mask_commands("50%"), vec!["::add-mask::50%25"]);
    }

    #[test]
    fn summary_chunks_respect_the_cap_and_char_boundaries() {
        assert_eq!(summary_chunk(0, "abc").unwrap(), "abc");
        let big = "é".repeat(SUMMARY_CAP);
        let c = summary_chunk(10, &big).unwrap();
        assert!(c.len() + 10 <= SUMMARY_CAP);
        assert!(c.ends_with(TRUNCATED));
        assert!(summary_chunk(SUMMARY_CAP as u64 - 5, "too long for the room").is_none());
    }
}
