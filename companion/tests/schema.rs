//! The report's JSON Schema is generated from the types and published in the repository;
//! this keeps the published file in step (run with UPDATE_SCHEMA=1 to rewrite it).

use std::process::Command;

#[test]
fn the_published_schema_matches_the_report_type() {
    let out = Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/report.schema.json");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
    }
    let published = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        published == generated,
        "schema/report.schema.json is out of date; run UPDATE_SCHEMA=1 cargo test -p mtasts --test schema"
    );
    let schema: serde_json::Value = serde_json::from_str(&generated).unwrap();
    for field in [
        "domain",
        "verdict",
        "txt",
        "policy",
        "mx",
        "tlsrpt",
        "findings",
        "report_version",
    ] {
        assert!(
            schema["properties"].get(field).is_some(),
            "{field} missing from the schema"
        );
    }
}
