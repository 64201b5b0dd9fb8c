//! The documentation keeps up with the code: every configuration key is documented.
#![allow(clippy::unwrap_used)]

#[test]
fn every_configuration_key_is_documented() {
    let docs = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/configuration.md"
    ))
    .unwrap();
    for (section, key) in release_kit::config::scalar_keys() {
        assert!(
            docs.contains(&format!("## `[{section}]`")),
            "docs/configuration.md has no section for [{section}]"
        );
        assert!(
            docs.contains(&format!("| `{key}` |")),
            "docs/configuration.md does not document {section}.{key}"
        );
    }
}

#[test]
fn the_sample_configuration_loads() {
    let root = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/hello-release"
    ));
    let loaded = release_kit::config::Config::load(root, None, &[], &[]).unwrap();
    assert_eq!(loaded.config.project.name, "hello");
}
