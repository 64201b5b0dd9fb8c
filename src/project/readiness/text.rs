//! The document checks, pure: a Markdown heading for the release (from a template), and which
//! listed flags no document mentions.

use std::collections::BTreeSet;

use crate::model::version::Version;

/// The heading template with the version filled in, as a pattern (`*` matches anything).
pub fn heading_pattern(template: &str, version: Version) -> regex::Regex {
    let filled = template
        .replace("{major}", &version.major.to_string())
        .replace("{minor}", &version.minor.to_string())
        .replace("{patch}", &version.patch.to_string())
        .replace("{version}", &version.to_string());
    let body = filled
        .trim()
        .split('*')
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join(".*");
    regex::Regex::new(&format!("^{body}$")).expect("an escaped template is a valid pattern")
}

/// The Markdown (ATX) headings of a document: line, level and text without the `#` marks.
pub fn headings(doc: &str) -> Vec<(usize, usize, String)> {
    let mut fenced = false;
    doc.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
            }
            let level = line.bytes().take_while(|b| *b == b'#').count();
            if fenced || level == 0 || level > 6 || !line[level..].starts_with(' ') {
                return None;
            }
            let text = line[level..].trim().trim_end_matches('#').trim();
            Some((i + 1, level, text.to_string()))
        })
        .collect()
}

/// The line of the heading matching the template, or the headings at the level the template
/// is usually at (for the message).
pub fn find_heading(doc: &str, template: &str, version: Version) -> Result<usize, Vec<String>> {
    let pattern = heading_pattern(template, version);
    let all = headings(doc);
    if let Some((line, _, _)) = all.iter().find(|(_, _, t)| pattern.is_match(t)) {
        return Ok(*line);
    }
    // Headings of the same shape for other versions: the template with any version.
    let any = regex::Regex::new(&format!(
        "^{}$",
        template
            .trim()
            .split('*')
            .map(|part| {
                regex::escape(part)
                    .replace(r"\{major\}", r"\d+")
                    .replace(r"\{minor\}", r"\d+")
                    .replace(r"\{patch\}", r"\d+")
                    .replace(r"\{version\}", r"\d+\.\d+\.\d+")
            })
            .collect::<Vec<_>>()
            .join(".*")
    ))
    .expect("an escaped template is a valid pattern");
    Err(all
        .into_iter()
        .filter(|(_, _, t)| any.is_match(t))
        .take(2)
        .map(|(line, _, t)| format!("`{t}` (line {line})"))
        .collect())
}

/// The flags a command printed, one a line: trimmed, leading dashes dropped, deduplicated in
/// order.
pub fn parse_flags(output: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    output
        .lines()
        .map(|l| l.trim().trim_start_matches('-').to_string())
        .filter(|l| !l.is_empty() && seen.insert(l.clone()))
        .collect()
}

/// Whether `text` mentions the flag in one of the `mentions` forms, not as the start of a
/// longer name (`--foo` is not mentioned by `--foo_bar`).
pub fn mentions(text: &str, flag: &str, forms: &[String]) -> bool {
    forms.iter().any(|form| {
        let needle = form.replace("{flag}", flag);
        text.match_indices(&needle).any(|(at, _)| {
            text[at + needle.len()..]
                .chars()
                .next()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '-'))
        })
    })
}

/// The flags no document mentions.
pub fn undocumented(
    flags: &[String],
    documents: &[(String, String)],
    forms: &[String],
    ignore: &[String],
) -> Vec<String> {
    flags
        .iter()
        .filter(|f| !ignore.contains(f))
        .filter(|f| !documents.iter().any(|(_, text)| mentions(text, f, forms)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    const UPGRADES: &str = "# Upgrading Mesos\n\n## Overview\n\n```\n## Upgrading from 9.9.x to 1.11.x\n```\n\n## Upgrading from 1.9.x to 1.10.x ##\n\ntext\n\n## Upgrading from 1.8.x to 1.9.x ##\n";

    #[test]
    fn the_release_heading_is_found_by_template_and_code_blocks_are_ignored() {
        let t = "Upgrading from * to {major}.{minor}.x";
        assert_eq!(find_heading(UPGRADES, t, v("1.10.0")), Ok(9));
        assert_eq!(
            find_heading(UPGRADES, t, v("1.11.0")),
            Err(vec![
                "`Upgrading from 1.9.x to 1.10.x` (line 9)".to_string(),
                "`Upgrading from 1.8.x to 1.9.x` (line 13)".to_string()
            ])
        );
    }

    #[test]
    fn a_flag_is_mentioned_only_as_a_whole_name() {
        let forms = vec!["--{flag}".to_string(), "--[no-]{flag}".to_string()];
        let docs = vec![(
            "c.md".to_string(),
            "--work_dir=VALUE\n--[no-]hostname_lookup\n--zk_session_timeout=VALUE".to_string(),
        )];
        let flags = parse_flags("work_dir\nhostname_lookup\n\nzk\n--work_dir\nquiet\n");
        assert_eq!(flags, ["work_dir", "hostname_lookup", "zk", "quiet"]);
        assert_eq!(
            undocumented(&flags, &docs, &forms, &["quiet".to_string()]),
            ["zk"]
        );
    }
}
