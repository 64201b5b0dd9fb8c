//! The source release's CycloneDX 1.6 JSON SBOM: the project, its version and hashes, and each
//! bundled third-party archive (name, version from its file name, hashes, licence when known);
//! and the check of a published SBOM against the tarball. Pure: reproducible (no timestamp,
//! a serial number derived from the tarball's digest) so a re-run writes the same bytes.

use serde_json::{json, Value};

use super::Bundled;
use crate::report::{Check, Finding, Location};

/// The SBOM's file name beside the tarball.
pub fn file_name(tarball: &str) -> String {
    format!("{tarball}.cdx.json")
}

/// What the SBOM describes.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub tarball: &'a str,
    pub sha256: &'a str,
    pub sha512: &'a str,
    /// The project's licence (SPDX id).
    pub licence: &'a str,
}

fn serial(sha512: &str) -> String {
    let h: String = sha512
        .chars()
        .chain(std::iter::repeat('0'))
        .take(32)
        .collect();
    // A version-8 (custom) UUID from the digest, variant bits 10.
    let variant = u8::from_str_radix(&h[16..17], 16).unwrap_or(0) & 0x3 | 0x8;
    format!(
        "urn:uuid:{}-{}-8{}-{:x}{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        variant,
        &h[17..20],
        &h[20..32]
    )
}

fn licences(id: &Option<String>) -> Value {
    match id {
        Some(id)
            if crate::model::licence::CATEGORY_A.contains(&id.as_str()) || !id.contains(' ') =>
        {
            json!([{"license": {"id": id}}])
        }
        Some(expr) => json!([{"expression": expr}]),
        None => json!([]),
    }
}

/// The SBOM as pretty JSON.
pub fn render(subject: &Subject<'_>, bundled: &[Bundled]) -> String {
    let hashes = |sha256: &str, sha512: &str| json!([{"alg": "SHA-256", "content": sha256}, {"alg": "SHA-512", "content": sha512}]);
    let root_ref = format!("{}@{}", subject.name, subject.version);
    let components: Vec<Value> = bundled
        .iter()
        .map(|b| {
            let mut c = json!({
                "type": "library",
                "bom-ref": b.path,
                "name": b.name,
                "hashes": hashes(&b.sha256, &b.sha512),
                "properties": [{"name": "release-kit:path", "value": b.path}],
            });
            if !b.version.is_empty() {
                c["version"] = json!(b.version);
            }
            let l = licences(&b.licence);
            if l.as_array().is_some_and(|a| !a.is_empty()) {
                c["licenses"] = l;
            }
            c
        })
        .collect();
    let doc = json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial(subject.sha512),
        "version": 1,
        "metadata": {
            "tools": {"components": [{"type": "application", "name": "release-kit", "version": env!("CARGO_PKG_VERSION")}]},
            "component": {
                "type": "application",
                "bom-ref": root_ref,
                "name": subject.name,
                "version": subject.version,
                "hashes": hashes(subject.sha256, subject.sha512),
                "licenses": licences(&Some(subject.licence.to_string())),
                "properties": [{"name": "release-kit:tarball", "value": subject.tarball}],
            }
        },
        "components": components,
        "dependencies": [{"ref": root_ref, "dependsOn": bundled.iter().map(|b| b.path.clone()).collect::<Vec<_>>()}],
    });
    serde_json::to_string_pretty(&doc).expect("an SBOM always serialises") + "\n"
}

/// Checks a published SBOM against the tarball's digest and bundled archives.
pub fn check(sbom_name: &str, text: &[u8], sha512: &str, bundled: &[Bundled]) -> Check {
    let mut c = Check::new(
        "sbom",
        "the CycloneDX SBOM describes this tarball and every bundled archive",
    );
    let at = || Some(Location::new(sbom_name, None));
    let doc: Value = match serde_json::from_slice(text) {
        Ok(v) => v,
        Err(e) => {
            c.push(Finding::error(
                format!("{sbom_name} is not JSON ({e}); regenerate it with stage-rc"),
                at(),
            ));
            return c;
        }
    };
    if doc["bomFormat"] != "CycloneDX" || doc["specVersion"] != "1.6" {
        c.push(Finding::error(
            format!("{sbom_name} is not a CycloneDX 1.6 SBOM (bomFormat {}, specVersion {}); regenerate it with stage-rc", doc["bomFormat"], doc["specVersion"]),
            at(),
        ));
    }
    let digest_of = |v: &Value| {
        v["hashes"]
            .as_array()
            .and_then(|hs| hs.iter().find(|h| h["alg"] == "SHA-512"))
            .and_then(|h| h["content"].as_str())
            .map(str::to_ascii_lowercase)
    };
    match digest_of(&doc["metadata"]["component"]) {
        Some(d) if d == sha512 => {}
        Some(d) => c.push(Finding::error(
            format!("{sbom_name} is for another tarball: its SHA-512 is {d}, the tarball's {sha512}; publish the SBOM made with this tarball"),
            at(),
        )),
        None => c.push(Finding::error(format!("{sbom_name} gives no SHA-512 of the release; regenerate it with stage-rc"), at())),
    }
    let listed: Vec<&Value> = doc["components"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    for b in bundled {
        let found = listed
            .iter()
            .find(|v| digest_of(v).as_deref() == Some(b.sha512.as_str()));
        match found {
            None => c.push(Finding::error(
                format!("`{}` ({}) is bundled in the tarball but not in {sbom_name} with its SHA-512; regenerate the SBOM", b.path, b.name),
                at(),
            )),
            Some(v) if v["name"] != b.name.as_str() => c.push(Finding::error(
                format!("{sbom_name} names `{}` {}, the tarball's file name says {}; regenerate the SBOM", b.path, v["name"], b.name),
                at(),
            )),
            Some(_) => {}
        }
    }
    let extra = listed.len().saturating_sub(bundled.len());
    if extra > 0 {
        c.push(Finding::error(format!("{sbom_name} lists {extra} component(s) the tarball does not bundle; regenerate the SBOM"), at()));
    }
    c.summary = if c.findings.is_empty() {
        format!(
            "{sbom_name}: the tarball and {} bundled component(s)",
            bundled.len()
        )
    } else {
        format!("{} problem(s)", c.findings.len())
    };
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> Vec<Bundled> {
        vec![Bundled {
            path: "p-1/3rdparty/zlib-1.2.11.tar.gz".into(),
            name: "zlib".into(),
            version: "1.2.11".into(),
            size: 3,
            sha256: "ab".repeat(32),
            sha512: "cd".repeat(64),
            licence: Some("Zlib".into()),
        }]
    }

    #[test]
    fn an_sbom_checks_against_its_own_tarball_and_not_another() {
        let s = Subject {
            name: "p",
            version: "1",
            tarball: "p-1.tar.gz",
            sha256: &"01".repeat(32),
            sha512: &"02".repeat(64),
            licence: "Apache-2.0",
        };
        let text = render(&s, &bundled());
        assert_eq!(text, render(&s, &bundled()), "reproducible");
        let c = check(
            "p-1.tar.gz.cdx.json",
            text.as_bytes(),
            &"02".repeat(64),
            &bundled(),
        );
        assert!(c.findings.is_empty(), "{c:?}");
        let c = check("x", text.as_bytes(), &"03".repeat(64), &[]);
        assert_eq!(c.findings.len(), 2, "{c:?}");
        assert!(serial(&"02".repeat(64)).starts_with("urn:uuid:02020202-0202-8"));
    }
}
