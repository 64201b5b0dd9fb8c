//! The releases data file (Mesos's `site/data/releases.yml`), edited as text.
//!
//! The file is never re-serialised: it is read line by line into just enough structure
//! (top-level keys, the `latest_stable` mapping, the `news` and `versions` lists and their items'
//! one-line values) to decide what to change, and the change is a few replaced values and
//! inserted lines. Comments, blank lines, indentation, quoting, key order and line ends of
//! everything else stay byte for byte. What this reader does not understand (tabs, flow
//! collections, block scalars, anchors, several documents) is refused with the line and the fix
//! rather than guessed at.
//!
//! The layout it expects, as Mesos writes it:
//!
//! ```yaml
//! latest_stable:
//!   version: 1.11.0
//!   jira_version: 12348332
//! news:
//!   - title: Mesos 1.11.0 is released!
//!     date: November 24, 2020
//!     target_version: 1.11.0
//!     blog: mesos-1-11-0-released
//! versions:
//!   - version: 1.11.0
//!     jira_version: 12348332
//! ```

use std::sync::LazyLock;

use jiff::civil::Date;
use regex::Regex;
use serde::Serialize;

use super::WebsiteError;
use crate::model::version::Version;

/// What the releases data file records about a release.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Release {
    pub version: Version,
    /// The JIRA version id (Mesos's `jira_version`).
    pub jira_version: String,
    /// YYYY-MM-DD. The `news` entry writes it the way the file's other entries do
    /// ("November 24, 2020" in Mesos's file, or YYYY-MM-DD).
    pub date: String,
    /// The `news` entry's title, e.g. "Mesos 1.11.0 is released!".
    pub title: String,
    /// The `news` entry's blog slug; empty: the entry has no `blog` (Mesos allows news of a
    /// release without a blog post).
    pub blog_slug: String,
}

/// Adds `release` to the releases data file `text` (named `origin` in messages), editing lines
/// rather than re-serialising: comments, order and formatting of everything else are kept.
///
/// - `latest_stable` (version and `jira_version`) moves to the release only when it is newer
///   than the current one: a patch of an older line (1.10.5 after 1.11.0) leaves it.
/// - The `versions` item goes where the list's order puts it: in a list that is mostly newest
///   first (Mesos's), before the first item older than the release; in one that is mostly
///   oldest first, before the first newer item. It copies the indentation, spacing and quoting
///   of the item it is inserted next to.
/// - The `news` item goes at the top of the list (at the bottom of a list whose dates run
///   oldest first), shaped like the nearest news item of a release (key order, date style).
///
/// Already listed identically: returns `text` unchanged, so a re-run is a no-op. Listed with
/// other data (another `jira_version`, a news item of the release with another date, title or
/// blog): [`WebsiteError::Conflict`] naming the line. A file of an unexpected shape:
/// [`WebsiteError::Shape`] naming the line and what was expected. A release date that is not
/// YYYY-MM-DD or an empty JIRA version id: [`WebsiteError::Input`].
pub fn update_releases(
    text: &str,
    origin: &str,
    release: &Release,
) -> Result<String, WebsiteError> {
    let date = check_release(release)?;
    let doc = Doc::new(text, origin);
    let top = doc.top_level()?;
    let key = |name: &str, hint: &str| {
        top.iter().find(|k| k.name == name).ok_or_else(|| {
            WebsiteError::Shape(format!(
                "{origin}: there is no top-level `{name}:` key; the releases data file needs `latest_stable:` (with `version:` and `jira_version:`) and the `news:` and `versions:` lists, as Mesos's site/data/releases.yml has them: add `{name}:`{hint}"
            ))
        })
    };
    let latest_key = key(
        "latest_stable",
        " with `version:` and `jira_version:` under it",
    )?;
    let latest_line = latest_key.line;
    let latest = doc.mapping(latest_key)?;
    let news = doc.list(key("news", " (an empty list is fine)")?)?;
    let versions = doc.list(key("versions", " (an empty list is fine)")?)?;
    let fallback_dash = news
        .items
        .first()
        .or(versions.items.first())
        .map(|i| i.dash)
        .unwrap_or(2);

    let mut edits = Vec::new();
    doc.add_version(&versions, release, fallback_dash, &mut edits)?;
    doc.move_latest(latest_line, &latest, release, &mut edits)?;
    doc.add_news(&news, release, date, fallback_dash, &mut edits)?;
    Ok(doc.apply(&edits))
}

fn check_release(r: &Release) -> Result<Date, WebsiteError> {
    let v = r.version;
    let date = parse_iso_date(&r.date).ok_or_else(|| {
        WebsiteError::Input(format!(
            "the release date `{}` of {v} is not a date; write it as YYYY-MM-DD, e.g. 2026-02-09",
            r.date
        ))
    })?;
    if r.jira_version.trim().is_empty() || r.jira_version.contains(char::is_whitespace) {
        return Err(WebsiteError::Input(format!(
            "the JIRA version id of {v} is `{}`; pass the number at the end of the version's release notes link (ReleaseNote.jspa?projectId=...&version=NNNNN)",
            r.jira_version
        )));
    }
    if r.title.trim().is_empty() || r.title.contains(['\n', '\r']) {
        return Err(WebsiteError::Input(format!(
            "the news title of {v} is `{}`; set website.news_title to one line, e.g. \"{{display_name}} {{version}} is released!\"",
            r.title
        )));
    }
    if r.blog_slug
        .contains(|c: char| c.is_whitespace() || c == '/')
    {
        return Err(WebsiteError::Input(format!(
            "the blog slug `{}` of {v} has spaces or slashes; set website.blog_slug to a slug such as {{name}}-{{version}}-released, or pass an empty slug for news without a blog post",
            r.blog_slug
        )));
    }
    Ok(date)
}

// ------------------------------------------------------------------------------- the reader

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Blank,
    Comment,
    DocStart,
    DocEnd,
    Directive,
    Content,
}

fn kind(line: &str) -> Kind {
    let t = line.trim();
    if t.is_empty() {
        Kind::Blank
    } else if t.starts_with('#') {
        Kind::Comment
    } else if line == "---"
        || line.starts_with("--- #")
        || (line.starts_with("---") && line[3..].trim().is_empty())
    {
        Kind::DocStart
    } else if line == "..." || (line.starts_with("...") && line[3..].trim().is_empty()) {
        Kind::DocEnd
    } else if line.starts_with('%') {
        Kind::Directive
    } else {
        Kind::Content
    }
}

/// Leading spaces.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// A block sequence entry: `-` then a blank or the end of the line.
fn is_item(line: &str) -> bool {
    let t = line.trim_start();
    t == "-" || t.starts_with("- ") || t.starts_with("-\t")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    Plain,
    Single,
    Double,
}

/// A one-line scalar value and where it sits in its line (quotes included).
#[derive(Debug, Clone)]
struct Scalar {
    value: String,
    quote: Quote,
    start: usize,
    end: usize,
}

/// Splits `key:` off `line[from..]`; returns the key and the byte offset just after the colon.
fn split_key(line: &str, from: usize) -> Option<(String, usize)> {
    let s = &line[from..];
    let (key, colon) = match s.chars().next()? {
        q @ ('"' | '\'') => {
            let close = s[1..].find(q)? + 1;
            if !s[close + 1..].starts_with(':') {
                return None;
            }
            (s[1..close].to_string(), close + 1)
        }
        '#' | '{' | '[' | '&' | '*' | '!' | '|' | '>' | '%' | '@' | '`' => return None,
        _ => {
            let mut found = None;
            for (j, c) in s.char_indices() {
                if c == '#' && s[..j].ends_with([' ', '\t']) {
                    return None;
                }
                if c == ':' && matches!(s[j + 1..].chars().next(), None | Some(' ' | '\t')) {
                    found = Some(j);
                    break;
                }
            }
            let j = found?;
            let key = s[..j].trim_end();
            if key.is_empty() {
                return None;
            }
            (key.to_string(), j)
        }
    };
    Some((key, from + colon + 1))
}

/// The value after a key's colon: `Ok(None)` when there is none on the line (a comment at
/// most), `Err` naming what it is when it is not a one-line scalar.
fn scalar_at(line: &str, after: usize) -> Result<Option<Scalar>, &'static str> {
    let rest = &line[after..];
    let start = after + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
    let v = &line[start..];
    if v.is_empty() || v.starts_with('#') {
        return Ok(None);
    }
    let (value, quote, len) = match v.as_bytes()[0] {
        b'"' => {
            let (value, len) =
                double_quoted(v).ok_or("a double-quoted string that does not end on its line")?;
            (value, Quote::Double, len)
        }
        b'\'' => {
            let (value, len) =
                single_quoted(v).ok_or("a single-quoted string that does not end on its line")?;
            (value, Quote::Single, len)
        }
        b'[' | b'{' => return Err("a flow collection (`[...]` or `{...}`)"),
        b'|' | b'>' => return Err("a block scalar (`|` or `>`)"),
        b'&' | b'*' => return Err("an anchor or alias (`&` or `*`)"),
        b'!' => return Err("a tagged value (`!`)"),
        _ => {
            let end = comment_start(v).unwrap_or(v.len());
            let value = v[..end].trim_end();
            (value.to_string(), Quote::Plain, value.len())
        }
    };
    if quote != Quote::Plain {
        let tail = v[len..].trim_start();
        if !tail.is_empty() && !tail.starts_with('#') {
            return Err("a quoted string followed by more text");
        }
    }
    Ok(Some(Scalar {
        value,
        quote,
        start,
        end: start + len,
    }))
}

/// Where a ` #` comment starts in a plain value.
fn comment_start(v: &str) -> Option<usize> {
    v.char_indices()
        .find(|&(j, c)| c == '#' && v[..j].ends_with([' ', '\t']))
        .map(|(j, _)| j)
}

fn double_quoted(v: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = v.char_indices().skip(1);
    while let Some((j, c)) = chars.next() {
        match c {
            '"' => return Some((out, j + 1)),
            '\\' => {
                let (_, e) = chars.next()?;
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    '0' => out.push('\0'),
                    'u' => {
                        let hex: String = (0..4)
                            .filter_map(|_| chars.next().map(|(_, h)| h))
                            .collect();
                        out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                    }
                    other => out.push(other),
                }
            }
            c => out.push(c),
        }
    }
    None
}

fn single_quoted(v: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut j = 1;
    loop {
        let k = v[j..].find('\'')?;
        out.push_str(&v[j..j + k]);
        j += k + 1;
        if v[j..].starts_with('\'') {
            out.push('\'');
            j += 1;
        } else {
            return Some((out, j));
        }
    }
}

/// A `key: value` line of a mapping or list item.
#[derive(Debug, Clone)]
struct Field {
    key: String,
    line: usize,
    /// Where the key starts in its line.
    key_col: usize,
    /// Just after the colon.
    after: usize,
    /// More-indented lines follow (a nested value or a multi-line scalar).
    multiline: bool,
}

/// One `- key: value` item of a block list, with its following `key: value` lines.
#[derive(Debug, Clone)]
struct Item {
    /// The dash line.
    start: usize,
    /// The item's last content line.
    end: usize,
    /// Column of the dash.
    dash: usize,
    /// Blanks between the dash and the first key.
    gap: usize,
    /// Column of the keys.
    key_col: usize,
    fields: Vec<Field>,
}

impl Item {
    fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }
}

#[derive(Debug)]
struct List {
    line: usize,
    items: Vec<Item>,
}

/// A top-level `key:` and the content lines of its block.
#[derive(Debug)]
struct TopKey {
    name: String,
    line: usize,
    after: usize,
    body: Vec<usize>,
}

/// The indentation, spacing and quoting of one key of an item, for writing a new item like it.
#[derive(Debug, Clone)]
struct FieldStyle {
    key: String,
    /// The key as written (quotes included).
    written: String,
    /// Blanks between the colon and the value.
    sep: String,
    quote: Quote,
}

#[derive(Debug, Clone)]
struct Style {
    dash: usize,
    gap: usize,
    key_col: usize,
    fields: Vec<FieldStyle>,
}

impl Style {
    fn default_at(dash: usize) -> Style {
        Style {
            dash,
            gap: 1,
            key_col: dash + 2,
            fields: Vec::new(),
        }
    }
}

#[derive(Debug)]
enum Edit {
    /// Replace `line[start..end]`.
    Replace {
        line: usize,
        start: usize,
        end: usize,
        text: String,
    },
    /// Insert whole lines before line `before` (`before` = the number of lines: at the end).
    Insert { before: usize, lines: Vec<String> },
}

struct Doc<'a> {
    text: &'a str,
    origin: &'a str,
    /// Each line with its terminator.
    raw: Vec<&'a str>,
    /// Each line without its terminator.
    lines: Vec<&'a str>,
    eol: &'static str,
}

impl<'a> Doc<'a> {
    fn new(text: &'a str, origin: &'a str) -> Doc<'a> {
        let raw: Vec<&str> = text.split_inclusive('\n').collect();
        let lines = raw
            .iter()
            .map(|l| {
                l.strip_suffix('\n')
                    .map(|l| l.strip_suffix('\r').unwrap_or(l))
                    .unwrap_or(l)
            })
            .collect();
        let eol = if raw.first().is_some_and(|l| l.ends_with("\r\n")) {
            "\r\n"
        } else {
            "\n"
        };
        Doc {
            text,
            origin,
            raw,
            lines,
            eol,
        }
    }

    fn shape(&self, line: usize, what: impl std::fmt::Display) -> WebsiteError {
        WebsiteError::Shape(format!("{}:{}: {what}", self.origin, line + 1))
    }

    fn top_level(&self) -> Result<Vec<TopKey>, WebsiteError> {
        let mut keys: Vec<TopKey> = Vec::new();
        let mut content = false;
        let mut ended: Option<usize> = None;
        for (i, line) in self.lines.iter().enumerate() {
            match kind(line) {
                Kind::Blank | Kind::Comment => {}
                Kind::DocStart if !content && ended.is_none() => {}
                Kind::DocStart => {
                    return Err(self.shape(
                        i,
                        "a second YAML document starts here; the releases data must be one document: remove this `---` line (and any `...` above it)",
                    ))
                }
                Kind::DocEnd => ended = Some(i),
                Kind::Directive if !content => {}
                Kind::Directive => {
                    return Err(self.shape(
                        i,
                        "a YAML directive (`%...`) after the content; remove it",
                    ))
                }
                Kind::Content => {
                    if let Some(e) = ended {
                        return Err(self.shape(
                            i,
                            format!(
                                "content after the end-of-document marker `...` on line {}; remove the marker",
                                e + 1
                            ),
                        ));
                    }
                    let lead = &line[..line.len() - line.trim_start().len()];
                    if lead.contains('\t') {
                        return Err(self.shape(
                            i,
                            "the line is indented with a tab; YAML indents with spaces only: replace the tab with spaces",
                        ));
                    }
                    content = true;
                    if indent(line) == 0 && !is_item(line) {
                        let Some((name, after)) = split_key(line, 0) else {
                            return Err(self.shape(
                                i,
                                format!(
                                    "expected a top-level `key:` (`latest_stable:`, `news:` or `versions:`), found `{}`",
                                    line.trim()
                                ),
                            ));
                        };
                        if let Some(prev) = keys.iter().find(|k| k.name == name) {
                            return Err(self.shape(
                                i,
                                format!(
                                    "`{name}` is defined a second time (first on line {}); keep one of them",
                                    prev.line + 1
                                ),
                            ));
                        }
                        keys.push(TopKey {
                            name,
                            line: i,
                            after,
                            body: Vec::new(),
                        });
                    } else {
                        match keys.last_mut() {
                            Some(k) => k.body.push(i),
                            None => {
                                return Err(self.shape(
                                    i,
                                    format!(
                                        "expected the file to be a mapping of top-level keys (`latest_stable:`, `news:`, `versions:`), found `{}`",
                                        line.trim()
                                    ),
                                ))
                            }
                        }
                    }
                }
            }
        }
        Ok(keys)
    }

    /// The `key: value` lines of a block mapping such as `latest_stable`.
    fn mapping(&self, k: &TopKey) -> Result<Vec<Field>, WebsiteError> {
        let name = &k.name;
        let expected =
            format!("expected\n  {name}:\n    version: 1.11.0\n    jira_version: 12348332");
        let line = self.lines[k.line];
        match scalar_at(line, k.after) {
            Ok(None) => {}
            Ok(Some(s)) => {
                return Err(self.shape(
                    k.line,
                    format!("`{name}` is `{}`, not a mapping; {expected}", s.value),
                ))
            }
            Err(what) => {
                return Err(self.shape(
                    k.line,
                    format!("`{name}` is {what}, not a block mapping; {expected}"),
                ))
            }
        }
        let Some(&first) = k.body.first() else {
            return Err(self.shape(k.line, format!("`{name}` is empty; {expected}")));
        };
        let col = indent(self.lines[first]);
        let mut fields: Vec<Field> = Vec::new();
        for &i in &k.body {
            let l = self.lines[i];
            let ind = indent(l);
            if ind > col {
                if let Some(f) = fields.last_mut() {
                    f.multiline = true;
                }
                continue;
            }
            if ind < col {
                return Err(self.shape(
                    i,
                    format!(
                        "the keys of `{name}` are indented by {col} spaces (line {}), this line by {ind}; indent it like them",
                        first + 1
                    ),
                ));
            }
            if is_item(l) {
                return Err(self.shape(
                    i,
                    format!("`{name}` holds a list item, not a mapping; {expected}"),
                ));
            }
            let (key, after) = split_key(l, col).ok_or_else(|| {
                self.shape(
                    i,
                    format!("expected `key: value` in `{name}`, found `{}`", l.trim()),
                )
            })?;
            fields.push(Field {
                key,
                line: i,
                key_col: col,
                after,
                multiline: false,
            });
        }
        Ok(fields)
    }

    /// The items of a block list such as `news` or `versions`.
    fn list(&self, k: &TopKey) -> Result<List, WebsiteError> {
        let name = &k.name;
        let example = if name == "news" {
            "  - title: Mesos 1.11.0 is released!\n    date: November 24, 2020\n    target_version: 1.11.0"
        } else {
            "  - version: 1.11.0\n    jira_version: 12348332"
        };
        let line = self.lines[k.line];
        match scalar_at(line, k.after) {
            Ok(None) => {}
            Ok(Some(s)) => {
                return Err(self.shape(
                    k.line,
                    format!("`{name}` is `{}`, not a list; expected `{name}:` followed by items such as\n{example}", s.value),
                ))
            }
            Err(_) if line[k.after..].trim_start().starts_with('[') => {
                return Err(self.shape(
                    k.line,
                    format!("`{name}` is a flow-style list (`[...]`); write it as a block list, one `- ` item per entry, e.g.\n{name}:\n{example}"),
                ))
            }
            Err(what) => {
                return Err(self.shape(
                    k.line,
                    format!("`{name}` is {what}, not a block list; expected `{name}:` followed by items such as\n{example}"),
                ))
            }
        }
        let mut items: Vec<Item> = Vec::new();
        let Some(&first) = k.body.first() else {
            return Ok(List {
                line: k.line,
                items,
            });
        };
        if !is_item(self.lines[first]) {
            return Err(self.shape(
                first,
                format!(
                    "expected a list item (`- ...`) under `{name}:`, found `{}`; `{name}` must be a list of items such as\n{example}",
                    self.lines[first].trim()
                ),
            ));
        }
        let dash = indent(self.lines[first]);
        for &i in &k.body {
            let l = self.lines[i];
            let ind = indent(l);
            if ind < dash {
                return Err(self.shape(
                    i,
                    format!(
                        "the items of `{name}` start at column {} (line {}), this line at column {}; indent it like them",
                        dash + 1,
                        first + 1,
                        ind + 1
                    ),
                ));
            }
            if ind == dash {
                if !is_item(l) {
                    return Err(self.shape(
                        i,
                        format!(
                            "expected a list item (`- ...`) of `{name}` at column {}, found `{}`",
                            dash + 1,
                            l.trim()
                        ),
                    ));
                }
                let rest = &l[dash + 1..];
                let gap = rest.len() - rest.trim_start_matches(' ').len();
                let key_col = dash + 1 + gap;
                let content = l[key_col..].trim();
                if content.is_empty() {
                    return Err(self.shape(
                        i,
                        format!("the item's first key must be on the dash line, as in\n{example}"),
                    ));
                }
                if content.starts_with('{') {
                    return Err(self.shape(
                        i,
                        format!("this `{name}` item is a flow mapping (`{{...}}`); write it as a block mapping, one key per line, as in\n{example}"),
                    ));
                }
                let (key, after) = split_key(l, key_col).ok_or_else(|| {
                    self.shape(
                        i,
                        format!("the items of `{name}` must be mappings, found `{}`; write them as in\n{example}", l.trim()),
                    )
                })?;
                items.push(Item {
                    start: i,
                    end: i,
                    dash,
                    gap,
                    key_col,
                    fields: vec![Field {
                        key,
                        line: i,
                        key_col,
                        after,
                        multiline: false,
                    }],
                });
                continue;
            }
            let item = items.last_mut().expect("the first body line is an item");
            item.end = i;
            if ind > item.key_col {
                if let Some(f) = item.fields.last_mut() {
                    f.multiline = true;
                }
                continue;
            }
            if ind < item.key_col {
                return Err(self.shape(
                    i,
                    format!(
                        "the keys of this `{name}` item are at column {} (line {}), this line at column {}; indent it like them",
                        item.key_col + 1,
                        item.start + 1,
                        ind + 1
                    ),
                ));
            }
            let (key, after) = split_key(l, ind).ok_or_else(|| {
                self.shape(
                    i,
                    format!(
                        "expected `key: value` in a `{name}` item, found `{}`",
                        l.trim()
                    ),
                )
            })?;
            item.fields.push(Field {
                key,
                line: i,
                key_col: ind,
                after,
                multiline: false,
            });
        }
        Ok(List {
            line: k.line,
            items,
        })
    }

    /// A field's one-line value.
    fn value(&self, f: &Field) -> Result<Scalar, WebsiteError> {
        let key = &f.key;
        let fix = format!("write it on one line, as in `{key}: value`");
        if f.multiline {
            return Err(self.shape(
                f.line,
                format!("`{key}` continues on the lines below; {fix}"),
            ));
        }
        match scalar_at(self.lines[f.line], f.after) {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(self.shape(f.line, format!("`{key}` has no value; {fix}"))),
            Err(what) => Err(self.shape(
                f.line,
                format!("`{key}` is {what}; {fix} (plain or quoted)"),
            )),
        }
    }

    /// A field's value, `None` when the field is missing or not a one-line scalar.
    fn lenient(&self, item: &Item, key: &str) -> Option<String> {
        item.field(key)
            .and_then(|f| self.value(f).ok())
            .map(|s| s.value)
    }

    fn version_of(&self, f: &Field) -> Result<(Version, Scalar), WebsiteError> {
        let s = self.value(f)?;
        let v = s
            .value
            .parse::<Version>()
            .map_err(|e| self.shape(f.line, format!("`{}: {}`: {e}", f.key, s.value)))?;
        Ok((v, s))
    }

    fn style(&self, item: &Item) -> Style {
        let fields = item
            .fields
            .iter()
            .map(|f| {
                let line = self.lines[f.line];
                let (sep, quote) = match scalar_at(line, f.after) {
                    Ok(Some(s)) => (line[f.after..s.start].to_string(), s.quote),
                    _ => (" ".to_string(), Quote::Plain),
                };
                FieldStyle {
                    key: f.key.clone(),
                    written: line[f.key_col..f.after - 1].to_string(),
                    sep,
                    quote,
                }
            })
            .collect();
        Style {
            dash: item.dash,
            gap: item.gap,
            key_col: item.key_col,
            fields,
        }
    }

    /// Where lines go to become the first lines of an empty list: after its key and the
    /// comments right below it.
    fn list_start(&self, list: &List) -> usize {
        let mut at = list.line + 1;
        while at < self.lines.len() && kind(self.lines[at]) == Kind::Comment {
            at += 1;
        }
        at
    }

    /// Where lines go to come before `items[k]`: above the comments right above it that are not
    /// indented deeper than its dash (they introduce it), except for the first item, whose
    /// comments introduce the whole list.
    fn before_item(&self, items: &[Item], k: usize) -> usize {
        let item = &items[k];
        let mut at = item.start;
        if k > 0 {
            while at > items[k - 1].end + 1
                && kind(self.lines[at - 1]) == Kind::Comment
                && indent(self.lines[at - 1]) <= item.dash
            {
                at -= 1;
            }
        }
        at
    }

    fn add_version(
        &self,
        versions: &List,
        release: &Release,
        fallback_dash: usize,
        edits: &mut Vec<Edit>,
    ) -> Result<(), WebsiteError> {
        let v = release.version;
        let mut listed = Vec::with_capacity(versions.items.len());
        let mut present = false;
        for item in &versions.items {
            let f = item.field("version").ok_or_else(|| {
                self.shape(
                    item.start,
                    "this `versions` item has no `version:`; every item needs `version:` and `jira_version:`",
                )
            })?;
            let (iv, _) = self.version_of(f)?;
            listed.push(iv);
            if iv != v {
                continue;
            }
            let jf = item.field("jira_version").ok_or_else(|| {
                self.shape(
                    item.start,
                    format!(
                        "the `versions` item of {v} has no `jira_version:`; add `jira_version: {}` to it",
                        release.jira_version
                    ),
                )
            })?;
            let js = self.value(jf)?;
            if js.value != release.jira_version {
                return Err(WebsiteError::Conflict(format!(
                    "{}:{}: {v} is already listed in `versions` with jira_version {}, but the release's JIRA version id is {}; correct that line (or remove the item to have it added again), or pass the right JIRA version id",
                    self.origin,
                    jf.line + 1,
                    js.value,
                    release.jira_version
                )));
            }
            present = true;
        }
        if present {
            return Ok(());
        }
        let at = insert_index(&listed, v);
        let items = &versions.items;
        let (before, style) = if at < items.len() {
            (self.before_item(items, at), self.style(&items[at]))
        } else if let Some(last) = items.last() {
            (last.end + 1, self.style(last))
        } else {
            (self.list_start(versions), Style::default_at(fallback_dash))
        };
        let lines = render_item(
            &style,
            &[
                ("version", v.to_string()),
                ("jira_version", release.jira_version.clone()),
            ],
        );
        edits.push(Edit::Insert { before, lines });
        Ok(())
    }

    fn move_latest(
        &self,
        key_line: usize,
        latest: &[Field],
        release: &Release,
        edits: &mut Vec<Edit>,
    ) -> Result<(), WebsiteError> {
        let v = release.version;
        let need = |key: &str| {
            latest.iter().find(|f| f.key == key).ok_or_else(|| {
                self.shape(
                    key_line,
                    format!(
                        "`latest_stable` has no `{key}:`; it needs `version:` and `jira_version:`"
                    ),
                )
            })
        };
        let vf = need("version")?;
        let jf = need("jira_version")?;
        let (lv, vs) = self.version_of(vf)?;
        let js = self.value(jf)?;
        if v > lv {
            edits.push(Edit::Replace {
                line: vf.line,
                start: vs.start,
                end: vs.end,
                text: render_scalar(&v.to_string(), vs.quote),
            });
            edits.push(Edit::Replace {
                line: jf.line,
                start: js.start,
                end: js.end,
                text: render_scalar(&release.jira_version, js.quote),
            });
        } else if v == lv && js.value != release.jira_version {
            return Err(WebsiteError::Conflict(format!(
                "{}:{}: latest_stable is {v} with jira_version {}, but the release's JIRA version id is {}; correct that line, or pass the right JIRA version id",
                self.origin,
                jf.line + 1,
                js.value,
                release.jira_version
            )));
        }
        Ok(())
    }

    fn add_news(
        &self,
        news: &List,
        release: &Release,
        date: Date,
        fallback_dash: usize,
        edits: &mut Vec<Edit>,
    ) -> Result<(), WebsiteError> {
        let v = release.version.to_string();
        let blog = (!release.blog_slug.is_empty()).then_some(release.blog_slug.as_str());
        let mut conflict: Option<(usize, Vec<String>)> = None;
        for item in &news.items {
            if self.lenient(item, "target_version").as_deref() != Some(v.as_str()) {
                continue;
            }
            let title = self.lenient(item, "title");
            let their_date = self.lenient(item, "date");
            let their_blog = self.lenient(item, "blog");
            let mut diffs = Vec::new();
            if title.as_deref() != Some(release.title.as_str()) {
                diffs.push(format!(
                    "the title is {} here but `{}` for the release",
                    shown(&title),
                    release.title
                ));
            }
            if their_date.as_deref().and_then(parse_news_date) != Some(date) {
                diffs.push(format!(
                    "the date is {} here but {} for the release",
                    shown(&their_date),
                    release.date
                ));
            }
            if their_blog.as_deref() != blog {
                diffs.push(format!(
                    "the blog is {} here but {} for the release",
                    shown(&their_blog),
                    blog.map(|b| format!("`{b}`"))
                        .unwrap_or_else(|| "none".into())
                ));
            }
            if diffs.is_empty() {
                return Ok(());
            }
            // News that merely mentions the version (an event "targeting" it) is not the
            // release's entry; one whose title names the version is.
            if conflict.is_none() && title.as_deref().is_some_and(|t| t.contains(&v)) {
                conflict = Some((item.start, diffs));
            }
        }
        if let Some((line, diffs)) = conflict {
            return Err(WebsiteError::Conflict(format!(
                "{}:{}: {} already has a news item that differs from this release's: {}; correct that item (or remove it to have it added again), or pass the release's data",
                self.origin,
                line + 1,
                v,
                diffs.join("; ")
            )));
        }

        let items = &news.items;
        let dates: Vec<Date> = items
            .iter()
            .filter_map(|i| self.lenient(i, "date"))
            .filter_map(|d| parse_news_date(&d))
            .collect();
        let ascending = dates.windows(2).filter(|w| w[0] < w[1]).count()
            > dates.windows(2).filter(|w| w[0] > w[1]).count();
        // The nearest news item of a release shows how a new one is written.
        let releases: Vec<&Item> = items
            .iter()
            .filter(|i| i.field("target_version").is_some())
            .collect();
        let model: Option<&Item> = if ascending {
            releases.last().copied().or(items.last())
        } else {
            releases.first().copied().or(items.first())
        };
        let style = model
            .map(|i| self.style(i))
            .unwrap_or_else(|| Style::default_at(fallback_dash));
        let iso = model
            .and_then(|i| self.lenient(i, "date"))
            .is_some_and(|d| parse_iso_date(&d).is_some());
        let before = match (ascending, items.first(), items.last()) {
            (_, None, _) | (_, _, None) => self.list_start(news),
            (false, Some(first), _) => first.start,
            (true, _, Some(last)) => last.end + 1,
        };
        let mut values = vec![
            ("title", release.title.clone()),
            ("date", format_news_date(date, iso)),
            ("target_version", v),
        ];
        if let Some(b) = blog {
            values.push(("blog", b.to_string()));
        }
        edits.push(Edit::Insert {
            before,
            lines: render_item(&style, &values),
        });
        Ok(())
    }

    fn apply(&self, edits: &[Edit]) -> String {
        if edits.is_empty() {
            return self.text.to_string();
        }
        let n = self.raw.len();
        let mut out = String::with_capacity(self.text.len() + 256);
        for i in 0..=n {
            for e in edits {
                if let Edit::Insert { before, lines } = e {
                    if *before != i {
                        continue;
                    }
                    if i == n && !out.is_empty() && !out.ends_with('\n') {
                        out.push_str(self.eol);
                    }
                    for l in lines {
                        out.push_str(l);
                        out.push_str(self.eol);
                    }
                }
            }
            if i == n {
                break;
            }
            let mut line = self.lines[i].to_string();
            let mut replacements: Vec<(usize, usize, &str)> = edits
                .iter()
                .filter_map(|e| match e {
                    Edit::Replace {
                        line: l,
                        start,
                        end,
                        text,
                    } if *l == i => Some((*start, *end, text.as_str())),
                    _ => None,
                })
                .collect();
            replacements.sort_by_key(|r| std::cmp::Reverse(r.0));
            for (start, end, text) in replacements {
                line.replace_range(start..end, text);
            }
            out.push_str(&line);
            out.push_str(&self.raw[i][self.lines[i].len()..]);
        }
        out
    }
}

fn shown(value: &Option<String>) -> String {
    value
        .as_ref()
        .map(|v| format!("`{v}`"))
        .unwrap_or_else(|| "missing".into())
}

/// Where `new` goes among `listed` (in file order): a list that is mostly newest first gets it
/// before the first older version; a mostly oldest-first list before the first newer one.
fn insert_index(listed: &[Version], new: Version) -> usize {
    let ascending = listed.windows(2).filter(|w| w[0] < w[1]).count()
        > listed.windows(2).filter(|w| w[0] > w[1]).count();
    listed
        .iter()
        .position(|&x| if ascending { x > new } else { x < new })
        .unwrap_or(listed.len())
}

/// The lines of a new list item written like `style`: its keys in the style's order (keys the
/// style lacks after them, in the order given), each with the style's spacing and quoting.
fn render_item(style: &Style, values: &[(&str, String)]) -> Vec<String> {
    let mut order: Vec<&str> = style
        .fields
        .iter()
        .map(|f| f.key.as_str())
        .filter(|k| values.iter().any(|(v, _)| v == k))
        .collect();
    for (k, _) in values {
        if !order.contains(k) {
            order.push(k);
        }
    }
    let default_sep = style
        .fields
        .first()
        .map(|f| f.sep.clone())
        .unwrap_or_else(|| " ".into());
    order
        .iter()
        .enumerate()
        .map(|(n, key)| {
            let value = values
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
                .unwrap_or_default();
            let fs = style.fields.iter().find(|f| f.key == *key);
            let written = fs.map(|f| f.written.as_str()).unwrap_or(key);
            let sep = fs.map(|f| f.sep.as_str()).unwrap_or(&default_sep);
            let quote = fs.map(|f| f.quote).unwrap_or(Quote::Plain);
            let prefix = if n == 0 {
                format!("{}-{}", " ".repeat(style.dash), " ".repeat(style.gap))
            } else {
                " ".repeat(style.key_col)
            };
            format!("{prefix}{written}:{sep}{}", render_scalar(value, quote))
        })
        .collect()
}

/// A value written in `quote` style, or double-quoted when a plain value would not read back
/// as the same string.
fn render_scalar(value: &str, quote: Quote) -> String {
    match quote {
        Quote::Plain if plain_safe(value) => value.to_string(),
        Quote::Single if !value.chars().any(char::is_control) => {
            format!("'{}'", value.replace('\'', "''"))
        }
        _ => {
            let mut out = String::from("\"");
            for c in value.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
    }
}

/// Whether `value` written plain reads back as the same string.
fn plain_safe(value: &str) -> bool {
    !value.is_empty()
        && value == value.trim()
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with(':')
        && !value.chars().any(char::is_control)
        && !value.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`',
        ])
        && !matches!(
            value.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
        )
}

fn parse_iso_date(s: &str) -> Option<Date> {
    static ISO: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\d{4}-\d{2}-\d{2}$").expect("a valid regular expression"));
    ISO.is_match(s.trim())
        .then(|| s.trim().parse::<Date>().ok())
        .flatten()
}

/// A news date as people write it: `2020-11-24`, `November 24, 2020`, `Nov 24, 2020`,
/// `May 2nd, 2019`.
fn parse_news_date(s: &str) -> Option<Date> {
    static LONG: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
            .expect("a valid regular expression")
    });
    if let Some(d) = parse_iso_date(s) {
        return Some(d);
    }
    let c = LONG.captures(s.trim())?;
    let month = c[1].to_ascii_lowercase();
    let m = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
    .iter()
    .position(|name| *name == month || (month.len() >= 3 && name.starts_with(&month)))?;
    Date::new(c[3].parse().ok()?, (m + 1) as i8, c[2].parse().ok()?).ok()
}

fn format_news_date(date: Date, iso: bool) -> String {
    if iso {
        date.to_string()
    } else {
        date.strftime("%B %-d, %Y").to_string()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const MESOS: &str = include_str!("../../tests/fixtures/website/releases.yml");
    const ORIGIN: &str = "site/data/releases.yml";

    fn release(version: &str, jira: &str, date: &str) -> Release {
        let v: Version = version.parse().unwrap();
        Release {
            version: v,
            jira_version: jira.into(),
            date: date.into(),
            title: format!("Mesos {v} is released!"),
            blog_slug: format!("mesos-{}-released", version.replace('.', "-")),
        }
    }

    fn update(text: &str, r: &Release) -> String {
        update_releases(text, ORIGIN, r).unwrap()
    }

    fn diff(before: &str, after: &str) -> String {
        similar::TextDiff::from_lines(before, after)
            .unified_diff()
            .context_radius(2)
            .header("releases.yml", "releases.yml (edited)")
            .to_string()
    }

    fn shape(text: &str) -> String {
        match update_releases(text, ORIGIN, &release("1.12.0", "12349999", "2026-03-10")) {
            Err(WebsiteError::Shape(m)) => m,
            other => panic!("expected a shape error, got {other:?}"),
        }
    }

    fn conflict(text: &str, r: &Release) -> String {
        match update_releases(text, ORIGIN, r) {
            Err(WebsiteError::Conflict(m)) => m,
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    /// Everything but the added lines and the replaced values is kept byte for byte.
    fn only_additions(before: &str, after: &str) {
        let d = similar::TextDiff::from_lines(before, after);
        for op in d.iter_all_changes() {
            if op.tag() == similar::ChangeTag::Delete {
                assert!(
                    op.value().trim_start().starts_with("version:")
                        || op.value().trim_start().starts_with("jira_version:"),
                    "unexpected removal of {:?}",
                    op.value()
                );
            }
        }
    }

    #[test]
    fn a_new_minor_release_moves_latest_stable_and_goes_on_top() {
        let r = release("1.12.0", "12349999", "2026-03-10");
        let after = update(MESOS, &r);
        only_additions(MESOS, &after);
        insta::assert_snapshot!(diff(MESOS, &after));
    }

    #[test]
    fn a_patch_of_an_older_line_keeps_latest_stable_and_sorts_into_versions() {
        let r = release("1.10.1", "12348270", "2026-03-12");
        let after = update(MESOS, &r);
        assert!(after.contains("latest_stable:\n  version: 1.11.0\n  jira_version: 12348332\n"));
        assert!(after.contains(
            "  - version: 1.11.0\n    jira_version: 12348332\n  - version: 1.10.1\n    jira_version: 12348270\n  - version: 1.10.0\n"
        ));
        // News is chronological: the newest news goes on top whatever the version.
        assert!(after.contains("##     date: (required)\n##     target_version: (required)\n##     blog: (optional)\n## * Other news has a title, a date and a blog (all required).\n  - title: Mesos 1.10.1 is released!\n    date: March 12, 2026\n    target_version: 1.10.1\n    blog: mesos-1-10-1-released\n  - title: Mesos 1.11.0 is released!\n"));
        insta::assert_snapshot!(diff(MESOS, &after));
    }

    #[test]
    fn a_patch_of_the_latest_line_moves_latest_stable() {
        let after = update(MESOS, &release("1.11.1", "12349001", "2026-03-12"));
        assert!(after.contains("latest_stable:\n  version: 1.11.1\n  jira_version: 12349001\n"));
        assert!(after.contains("versions:\n## `versions` lists"));
        assert!(after.contains("##                 release notes link (ReleaseNote.jspa?...&version=NNNNN).\n  - version: 1.11.1\n    jira_version: 12349001\n  - version: 1.11.0\n"));
    }

    #[test]
    fn an_old_line_takes_the_spacing_of_its_neighbours() {
        let after = update(MESOS, &release("0.28.2", "12335646", "2026-03-12"));
        assert!(
            after.contains("  - version: 1.8.0\n    jira_version: 12343862\n  - version:  0.28.2\n    jira_version: 12335646\n  - version:  0.28.1\n"),
            "{after}"
        );
        // Older than anything listed: at the end.
        let after = update(MESOS, &release("0.26.0", "12333528", "2026-03-12"));
        assert!(after.ends_with("  - version:  0.27.0\n    jira_version: 12334043\n  - version:  0.26.0\n    jira_version: 12333528\n"), "{after}");
    }

    #[test]
    fn a_rerun_changes_nothing() {
        for r in [
            release("1.12.0", "12349999", "2026-03-10"),
            release("1.10.1", "12348270", "2026-03-12"),
            release("0.26.0", "12333528", "2026-03-12"),
        ] {
            let once = update(MESOS, &r);
            assert_ne!(once, MESOS);
            assert_eq!(update(&once, &r), once, "{} twice", r.version);
        }
        // The fixture's own latest release, as it is listed, is already there.
        let mut r = release("1.11.0", "12348332", "2020-11-24");
        assert_eq!(update(MESOS, &r), MESOS);
        // A news date written "November 24, 2020" is the same date as 2020-11-24.
        r.date = "2020-11-24".into();
        assert_eq!(update(MESOS, &r), MESOS);
    }

    #[test]
    fn a_half_done_update_is_completed() {
        // The versions item is there (added by hand), the news item is not.
        let r = release("1.10.1", "12348270", "2026-03-12");
        let partial = MESOS.replace(
            "  - version: 1.10.0\n",
            "  - version: 1.10.1\n    jira_version: 12348270\n  - version: 1.10.0\n",
        );
        let after = update(&partial, &r);
        assert_eq!(after.matches("  - version: 1.10.1\n").count(), 1);
        assert!(after.contains("  - title: Mesos 1.10.1 is released!\n"));
        assert_eq!(update(&after, &r), after);
    }

    #[test]
    fn a_version_listed_with_another_jira_version_is_a_conflict() {
        let m = conflict(MESOS, &release("1.10.0", "12340000", "2020-10-20"));
        assert_eq!(m, "site/data/releases.yml:48: 1.10.0 is already listed in `versions` with jira_version 12346271, but the release's JIRA version id is 12340000; correct that line (or remove the item to have it added again), or pass the right JIRA version id");
        let m = conflict(MESOS, &release("1.11.0", "12340000", "2020-11-24"));
        assert!(
            m.starts_with("site/data/releases.yml:46: 1.11.0 is already listed"),
            "{m}"
        );
        // latest_stable alone disagreeing.
        let text = MESOS.replace(
            "  jira_version: 12348332\nnews:",
            "  jira_version: 12340000\nnews:",
        );
        let m = conflict(&text, &release("1.11.0", "12348332", "2020-11-24"));
        assert_eq!(m, "site/data/releases.yml:10: latest_stable is 1.11.0 with jira_version 12340000, but the release's JIRA version id is 12348332; correct that line, or pass the right JIRA version id");
    }

    #[test]
    fn a_news_item_of_the_release_with_other_data_is_a_conflict() {
        let m = conflict(MESOS, &release("1.11.0", "12348332", "2020-11-25"));
        assert_eq!(m, "site/data/releases.yml:18: 1.11.0 already has a news item that differs from this release's: the date is `November 24, 2020` here but 2020-11-25 for the release; correct that item (or remove it to have it added again), or pass the release's data");
        let mut r = release("0.28.1", "12335359", "2016-04-13");
        // Listed without a blog; this run has one.
        let m = conflict(MESOS, &r);
        assert!(
            m.contains(":33: 0.28.1 already has a news item")
                && m.contains(
                    "the blog is missing here but `mesos-0-28-1-released` for the release"
                ),
            "{m}"
        );
        // Without a blog slug it matches.
        r.blog_slug.clear();
        assert_eq!(update(MESOS, &r), MESOS);
    }

    #[test]
    fn news_that_only_targets_the_version_is_not_the_release_announcement() {
        // Mesos once gave a hackathon announcement a target_version.
        let text = MESOS.replace(
            "  - title: MesosCon 2018 CFP is now open!\n",
            "  - title: Announcing the hackathon!\n    date: June 1, 2026\n    target_version: 1.12.0\n  - title: MesosCon 2018 CFP is now open!\n",
        );
        let after = update(&text, &release("1.12.0", "12349999", "2026-03-10"));
        assert_eq!(after.matches("target_version: 1.12.0").count(), 2);
    }

    #[test]
    fn the_order_of_an_unsorted_list_is_followed() {
        // Mesos's real list has 1.8.1 above 1.9.0 (added late): mostly newest first.
        let text = MESOS.replace(
            "  - version: 1.9.0\n    jira_version: 12345244\n  - version: 1.8.1\n    jira_version: 12345342\n",
            "  - version: 1.8.1\n    jira_version: 12345342\n  - version: 1.9.0\n    jira_version: 12345244\n",
        );
        let after = update(&text, &release("1.9.1", "12345999", "2026-03-12"));
        assert!(after.contains("  - version: 1.10.0\n    jira_version: 12346271\n  - version: 1.9.1\n    jira_version: 12345999\n  - version: 1.8.1\n"), "{after}");
    }

    #[test]
    fn an_oldest_first_file_gets_the_release_in_its_order() {
        let text = "\
latest_stable:
  version: \"1.1.0\"   # bump on every release of the newest line
  jira_version: '12340002'
news:
  - title: \"Hello 1.0.0: the first release\"
    date: 2026-02-09
    target_version: \"1.0.0\"
  - title: \"Hello 1.1.0: shouting\"
    date: 2026-03-09
    target_version: \"1.1.0\"
versions:
- version: \"1.0.0\"
  jira_version: '12340001'
# 1.0.1 was never released.
- version: \"1.1.0\"
  jira_version: '12340002'
";
        let mut r = release("1.2.0", "12340003", "2026-04-01");
        r.title = "Hello 1.2.0: it's here".into();
        r.blog_slug.clear();
        let after = update(text, &r);
        insta::assert_snapshot!(diff(text, &after));
        assert_eq!(update(&after, &r), after);
        let mut r = release("1.0.1", "12340004", "2026-04-02");
        r.title = "Hello 1.0.1".into();
        r.blog_slug.clear();
        let after = update(text, &r);
        // Before 1.1.0 and above the comment that introduces it.
        assert!(after.contains("  jira_version: '12340001'\n- version: \"1.0.1\"\n  jira_version: '12340004'\n# 1.0.1 was never released.\n"), "{after}");
    }

    #[test]
    fn crlf_line_ends_and_a_missing_final_newline_are_kept() {
        let text = "latest_stable:\r\n  version: 1.0.0\r\n  jira_version: 1\r\nnews:\r\nversions:\r\n  - version: 1.0.0\r\n    jira_version: 1";
        let after = update(text, &release("1.1.0", "2", "2026-03-10"));
        assert_eq!(after, "latest_stable:\r\n  version: 1.1.0\r\n  jira_version: 2\r\nnews:\r\n  - title: Mesos 1.1.0 is released!\r\n    date: March 10, 2026\r\n    target_version: 1.1.0\r\n    blog: mesos-1-1-0-released\r\nversions:\r\n  - version: 1.1.0\r\n    jira_version: 2\r\n  - version: 1.0.0\r\n    jira_version: 1");
        let after = update(text, &release("0.9.0", "0", "2026-03-10"));
        assert!(
            after.ends_with("    jira_version: 1\r\n  - version: 0.9.0\r\n    jira_version: 0\r\n"),
            "{after:?}"
        );
    }

    #[test]
    fn empty_lists_get_their_first_item_after_their_comments() {
        let text = "\
latest_stable:
  version: 0.0.0
  jira_version: 0
news:
# Newest first.
versions:
# Newest first.

# (nothing released yet)
";
        let after = update(text, &release("1.0.0", "12340001", "2026-02-09"));
        assert_eq!(
            after,
            "\
latest_stable:
  version: 1.0.0
  jira_version: 12340001
news:
# Newest first.
  - title: Mesos 1.0.0 is released!
    date: February 9, 2026
    target_version: 1.0.0
    blog: mesos-1-0-0-released
versions:
# Newest first.
  - version: 1.0.0
    jira_version: 12340001

# (nothing released yet)
"
        );
    }

    #[test]
    fn values_that_need_quotes_get_them() {
        let mut r = release("1.12.0", "12349999", "2026-03-10");
        r.title = "Mesos 1.12.0: #1 in clusters".into();
        let after = update(MESOS, &r);
        assert!(
            after.contains("  - title: \"Mesos 1.12.0: #1 in clusters\"\n"),
            "{after}"
        );
        assert_eq!(update(&after, &r), after);
        assert_eq!(render_scalar("yes", Quote::Plain), "\"yes\"");
        assert_eq!(render_scalar("it's", Quote::Single), "'it''s'");
        assert_eq!(
            render_scalar("a \"b\"\\", Quote::Double),
            "\"a \\\"b\\\"\\\\\""
        );
        assert_eq!(render_scalar("- x", Quote::Plain), "\"- x\"");
    }

    #[test]
    fn news_dates_are_read_in_the_ways_people_write_them() {
        let d = |s: &str| parse_news_date(s).map(|d| d.to_string());
        assert_eq!(d("November 24, 2020").as_deref(), Some("2020-11-24"));
        assert_eq!(d("May 2nd, 2019").as_deref(), Some("2019-05-02"));
        assert_eq!(d("Sep 5, 2019").as_deref(), Some("2019-09-05"));
        assert_eq!(d("2019-09-05").as_deref(), Some("2019-09-05"));
        assert_eq!(d("Smarch 5, 2019"), None);
        assert_eq!(d("February 30, 2019"), None);
        assert_eq!(
            format_news_date(Date::new(2026, 2, 9).unwrap(), false),
            "February 9, 2026"
        );
    }

    #[test]
    fn bad_release_data_is_refused() {
        let bad = |r: Release| match update_releases(MESOS, ORIGIN, &r) {
            Err(WebsiteError::Input(m)) => m,
            other => panic!("expected an input error, got {other:?}"),
        };
        let m = bad(release("1.12.0", "12349999", "10/03/2026"));
        assert_eq!(m, "the release date `10/03/2026` of 1.12.0 is not a date; write it as YYYY-MM-DD, e.g. 2026-02-09");
        assert!(
            bad(release("1.12.0", "", "2026-03-10")).contains("JIRA version id of 1.12.0 is ``")
        );
        let mut r = release("1.12.0", "1", "2026-03-10");
        r.title = " ".into();
        assert!(bad(r).contains("website.news_title"));
        let mut r = release("1.12.0", "1", "2026-03-10");
        r.blog_slug = "blog/mesos 1.12".into();
        assert!(bad(r).contains("website.blog_slug"));
    }

    #[test]
    fn shape_errors_name_the_line_and_what_was_expected() {
        let cases: &[(&str, &str)] = &[
            (
                "latest_stable:\n  version: 1.0.0\n  jira_version: 1\nnews:\n",
                "site/data/releases.yml: there is no top-level `versions:` key; the releases data file needs `latest_stable:` (with `version:` and `jira_version:`) and the `news:` and `versions:` lists, as Mesos's site/data/releases.yml has them: add `versions:` (an empty list is fine)",
            ),
            (
                "news:\nversions:\n",
                "site/data/releases.yml: there is no top-level `latest_stable:` key",
            ),
            (
                "latest_stable:\n  version: 1.0.0\n  jira_version: 1\nnews:\nversions: [1.0.0]\n",
                "site/data/releases.yml:5: `versions` is a flow-style list (`[...]`); write it as a block list, one `- ` item per entry, e.g.\nversions:\n  - version: 1.11.0\n    jira_version: 12348332",
            ),
            (
                "latest_stable:\n\tversion: 1.0.0\n",
                "site/data/releases.yml:2: the line is indented with a tab; YAML indents with spaces only: replace the tab with spaces",
            ),
            (
                "latest_stable: 1.0.0\nnews:\nversions:\n",
                "site/data/releases.yml:1: `latest_stable` is `1.0.0`, not a mapping; expected\n  latest_stable:\n    version: 1.11.0\n    jira_version: 12348332",
            ),
            (
                "latest_stable:\n  - version: 1.0.0\nnews:\nversions:\n",
                "site/data/releases.yml:2: `latest_stable` holds a list item, not a mapping",
            ),
            (
                "latest_stable: {version: 1.0.0, jira_version: 1}\nnews:\nversions:\n",
                "site/data/releases.yml:1: `latest_stable` is a flow collection (`[...]` or `{...}`), not a block mapping",
            ),
            (
                "# Releases.\nlatest_stable:\n  # The newest release.\n  jira_version: 1\nnews:\nversions:\n",
                "site/data/releases.yml:2: `latest_stable` has no `version:`; it needs `version:` and `jira_version:`",
            ),
            (
                "latest_stable:\n  version: 1.0.0\n  jira_version: 1\nnews:\nversions:\n  - jira_version: 1\n",
                "site/data/releases.yml:6: this `versions` item has no `version:`",
            ),
            (
                "latest_stable:\n  version: 1.0.0\n  jira_version: 1\nnews:\nversions:\n  - version: 1.0\n    jira_version: 1\n",
                "site/data/releases.yml:6: `version: 1.0`: `1.0` is not a version: it has 2 dot-separated numbers instead of 3",
            ),
            (
                "latest_stable:\n  version: 1.0.0\n  jira_version: 1\nnews:\nversions:\n  - 1.0.0\n",
                "site/data/releases.yml:6: the items of `versions` must be mappings, found `- 1.0.0`",
            ),
            (
                "latest_stable:\n  version: 1.0.0\n  jira_version: 1\nnews:\nversions:\n  - {version: 1.0.0}\n",
                "site/data/releases.yml:6: this `versions` item is a flow mapping (`{...}`)",
            ),
            (
                "latest_stable:\n  version: 1.0.0\n  jira_version: 1\nnews:\nversions:\n  -\n    version: 1.0.0\n",
                "site/data/releases.yml:6: the item's first key must be on the dash line",
            ),
            (
                "latest_stable:\n  version: 1.0.0\n  jira_version: 1\nnews:\nversions:\n  version: 1.0.0\n",
                "site/data/releases.yml:6: expected a list item (`- ...`) under `versions:`, found `version: 1.0.0`",
            ),
            (
                "latest_stable:\n  version: 1.0.0\n  jira_version: 1\nnews:\nversions:\n    - version: 1.0.0\n      jira_version: 1\n  - version: 0.9.0\n",
                "site/data/releases.yml:8: the items of `versions` start at column 5 (line 6), this line at column 3; indent it like them",
            ),
            (
                "latest_stable:\n  version: >\n    1.0.0\n  jira_version: 1\nnews:\nversions:\n",
                "site/data/releases.yml:2: `version` continues on the lines below; write it on one line, as in `version: value`",
            ),
            (
                "latest_stable:\n  version: &v 1.0.0\n  jira_version: 1\nnews:\nversions:\n",
                "site/data/releases.yml:2: `version` is an anchor or alias (`&` or `*`); write it on one line, as in `version: value` (plain or quoted)",
            ),
            (
                "---\nlatest_stable:\n  version: 1.0.0\n  jira_version: 1\n---\nnews:\nversions:\n",
                "site/data/releases.yml:5: a second YAML document starts here",
            ),
            (
                "latest_stable:\n  version: 1.0.0\n  jira_version: 1\nnews:\nversions:\nnews:\n",
                "site/data/releases.yml:6: `news` is defined a second time (first on line 4); keep one of them",
            ),
            (
                "- version: 1.0.0\n",
                "site/data/releases.yml:1: expected the file to be a mapping of top-level keys",
            ),
            (
                "latest_stable:\n  version: 1.0.0\n  jira_version: 1\nnews:\n  - title: x\n    date: y\n   blog: z\nversions:\n",
                "site/data/releases.yml:7: the keys of this `news` item are at column 5 (line 5), this line at column 4; indent it like them",
            ),
        ];
        for (text, expected) in cases {
            let m = shape(text);
            assert!(
                m.starts_with(expected),
                "for {text:?}\n got: {m}\nwant: {expected}"
            );
        }
    }

    #[test]
    fn what_the_reader_does_not_need_may_be_any_yaml() {
        // Unknown keys, nested values and block scalars outside what is read are left alone.
        let text = "\
# The site's data.
---
latest_stable:
  version: 1.0.0  # the newest release
  jira_version: 1
  notes: |
    Anything here.
news:
  - title: Welcome
    date: January 1, 2026
    blog: welcome
    extra:
      nested: [1, 2]
versions:
  - version: 1.0.0
    jira_version: 1
    artifacts: {rpm: true}
other: [1, 2, 3]
...
";
        let after = update(text, &release("1.1.0", "2", "2026-03-10"));
        assert!(after.contains("  version: 1.1.0  # the newest release\n  jira_version: 2\n  notes: |\n    Anything here.\n"), "{after}");
        // The model of the news item is the first item (there is no release news yet).
        assert!(after.contains("news:\n  - title: Mesos 1.1.0 is released!\n    date: March 10, 2026\n    blog: mesos-1-1-0-released\n    target_version: 1.1.0\n  - title: Welcome\n"), "{after}");
        assert!(
            after.contains(
                "versions:\n  - version: 1.1.0\n    jira_version: 2\n  - version: 1.0.0\n"
            ),
            "{after}"
        );
        assert!(after.ends_with("other: [1, 2, 3]\n...\n"));
    }
}
