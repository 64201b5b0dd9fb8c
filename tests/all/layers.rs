//! The house rules of src/, checked on the source itself: each layer imports only the layers
//! below it (so there is no import cycle between layers), a tool never imports another tool,
//! `error.rs` imports nothing, and no two modules inside a layer import each other in a cycle.
//! Test modules (`#[cfg(test)]`) are left out: they may use anything.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support::root;

/// The layers, lowest first, as README's Layout section lists them.
const LAYERS: [&str; 13] = [
    "error", "report", "model", "config", "outside", "project", "verify", "engine", "website",
    "emails", "ci", "cli", "tools",
];

fn rank(layer: &str) -> Option<usize> {
    LAYERS.iter().position(|l| *l == layer)
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().unwrap() != "bin" {
                sources(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text of a file without its `#[cfg(test)]` modules and comments.
fn production_code(text: &str) -> String {
    let mut out = text.to_string();
    while let Some(start) = out.find("#[cfg(test)]") {
        let rest = &out[start..];
        let end = match (rest.find('{'), rest.find(';')) {
            (Some(b), Some(s)) if s < b => start + s + 1,
            (Some(b), _) => {
                let mut depth = 0;
                let mut end = out.len();
                for (i, c) in rest[b..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = start + b + i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            _ => out.len(),
        };
        out.replace_range(start..end, "");
    }
    out.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A module as the rules see it: `layer` or `layer::module` (`tools::stage_rc`).
fn unit_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.truncate(2);
    parts.join("::")
}

/// Every `crate::a::b` path a file names, as (`a`, `b`), including `use crate::{a::b, c}`.
fn references(code: &str) -> Vec<(String, Option<String>)> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find("};").unwrap_or(group.len());
            for item in group[..end].split(',') {
                let mut segs = item.trim().trim_start_matches('{').split("::");
                let a = ident(segs.next().unwrap_or(""));
                let b = segs.next().map(ident).filter(|b| !b.is_empty());
                if !a.is_empty() {
                    out.push((a, b));
                }
            }
            continue;
        }
        let a = ident(rest);
        let b = rest[a.len()..].strip_prefix("::").map(ident);
        out.push((a, b.filter(|b| !b.is_empty())));
    }
    out
}

/// Which module each module of src/ imports.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = root().join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let unit = unit_of(&src, &file);
        if unit == "lib" {
            continue;
        }
        let code = production_code(&std::fs::read_to_string(&file).unwrap());
        for (a, b) in references(&code) {
            // `crate::Error`, `crate::Result`, `crate::ExitCode`: lib.rs's re-exports of error.rs.
            let (a, b) = if a.starts_with(|c: char| c.is_ascii_uppercase()) {
                ("error".to_string(), None)
            } else {
                (a, b)
            };
            let target = match b {
                Some(b)
                    if src.join(&a).join(format!("{b}.rs")).is_file()
                        || src.join(&a).join(&b).is_dir() =>
                {
                    format!("{a}::{b}")
                }
                _ => a,
            };
            let own = unit == target || unit.starts_with(&format!("{target}::"));
            if !own {
                edges.entry(unit.clone()).or_default().insert(target);
            }
        }
    }
    edges
}

fn layer(unit: &str) -> &str {
    unit.split("::").next().unwrap_or(unit)
}

#[test]
fn every_layer_imports_only_layers_below_it_and_tools_never_import_each_other() {
    let mut broken = Vec::new();
    for (from, targets) in graph() {
        let Some(own) = rank(layer(&from)) else {
            broken.push(format!(
                "{from} is in no layer of README's Layout; add it there and here"
            ));
            continue;
        };
        for to in targets {
            match rank(layer(&to)) {
                None => broken.push(format!("{from} imports {to}, which is in no layer")),
                Some(_) if layer(&to) == "tools" && layer(&from) == "tools" => {
                    broken.push(format!("{from} imports {to}: a tool never imports another tool; move what both need down a layer"));
                }
                Some(r) if r > own => broken.push(format!(
                    "{from} (layer {}) imports {to} (layer {}, above it); move the shared piece down",
                    layer(&from),
                    layer(&to)
                )),
                Some(_) => {}
            }
        }
    }
    assert!(
        broken.is_empty(),
        "layering broken:\n  {}",
        broken.join("\n  ")
    );
}

#[test]
fn error_rs_imports_no_other_module() {
    let code = production_code(&std::fs::read_to_string(root().join("src/error.rs")).unwrap());
    assert!(
        !code.contains("crate::") && !code.contains("super::"),
        "src/error.rs must import nothing of the crate"
    );
}

#[test]
fn no_two_modules_import_each_other_in_a_cycle() {
    let g = graph();
    let mut cycles = BTreeSet::new();
    fn walk(
        g: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        path: &mut Vec<String>,
        cycles: &mut BTreeSet<String>,
    ) {
        let last = path.last().unwrap().clone();
        for next in g.get(&last).into_iter().flatten() {
            if next == start {
                cycles.insert(path.join(" -> "));
            } else if !path.contains(next) && path.len() < 8 {
                path.push(next.clone());
                walk(g, start, path, cycles);
                path.pop();
            }
        }
    }
    for start in g.keys() {
        walk(&g, start, &mut vec![start.clone()], &mut cycles);
    }
    assert!(
        cycles.is_empty(),
        "import cycles:\n  {}",
        cycles.into_iter().collect::<Vec<_>>().join("\n  ")
    );
}

#[test]
fn the_rules_see_a_tool_importing_another_tool() {
    let refs = references("use crate::{tools::stage_rc::plan, model::version};\nlet x = crate::tools::bump_version::plan();");
    assert!(refs.contains(&("tools".into(), Some("stage_rc".into()))));
    assert!(refs.contains(&("tools".into(), Some("bump_version".into()))));
    assert!(refs.contains(&("model".into(), Some("version".into()))));
    let code = production_code(
        "use crate::a;\n#[cfg(test)]\nmod tests {\n use crate::b;\n}\n// crate::c\n",
    );
    assert!(code.contains("crate::a") && !code.contains("crate::b") && !code.contains("crate::c"));
}
