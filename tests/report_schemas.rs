//! The machine-readable reports against their schemas, on real output of the binary:
//!
//! - `--format json` of every example, broken example and bad input validates against
//!   `docs/report.schema.json`, which must equal the schema generated from the report
//!   types (`AVSCHECK_BLESS=1 cargo test --test report_schemas` rewrites it);
//! - `--format sarif` of the same files validates against the vendored OASIS SARIF
//!   2.1.0 schema (`tests/schemas/`), with format checks (URIs) on.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_avscheck"))
        .args(args)
        .current_dir(ROOT)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// Every example, broken example and bad input, plus a file that does not exist.
fn inputs() -> Vec<String> {
    let mut files = Vec::new();
    for dir in ["examples", "examples/broken", "tests/cli_inputs"] {
        let mut found: Vec<String> = std::fs::read_dir(Path::new(ROOT).join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "avs"))
            .map(|p| format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()))
            .collect();
        found.sort();
        files.extend(found);
    }
    assert!(files.len() >= 14, "{files:?}");
    files.push("tests/cli_inputs/does-not-exist.avs".to_string());
    files
}

fn validator(schema: &serde_json::Value) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap()
}

fn assert_valid(v: &jsonschema::Validator, instance: &serde_json::Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn committed_json_schema_is_the_generated_one() {
    let generated = avscheck::report::json::report_schema();
    let text = format!("{}\n", serde_json::to_string_pretty(&generated).unwrap());
    let path = Path::new(ROOT).join("docs/report.schema.json");
    if std::env::var_os("AVSCHECK_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "docs/report.schema.json is not the schema of the report types; \
         rerun with AVSCHECK_BLESS=1 and review the diff"
    );
}

#[test]
fn json_reports_validate_against_the_committed_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(ROOT).join("docs/report.schema.json")).unwrap(),
    )
    .unwrap();
    let v = validator(&schema);
    let mut statuses = std::collections::BTreeSet::new();
    for f in inputs() {
        let (code, out) = run(&["check", &f, "--format", "json"]);
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_valid(&v, &report, &f);
        assert_eq!(report["files"][0]["exit_status"], code, "{f}");
        statuses.insert(code);
    }
    // The files cover every exit status.
    assert_eq!(statuses.into_iter().collect::<Vec<_>>(), vec![0, 1, 2]);
    // Several files, a directory and an unreadable file: still one object.
    let (_, out) = run(&[
        "check",
        "examples",
        "tests/cli_inputs/does-not-exist.avs",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_valid(&v, &report, "several files");
    let files = report["files"].as_array().unwrap();
    assert!(files.len() >= 12, "{out}");
    let missing = files.last().unwrap();
    assert_eq!(missing["error"]["code"], "AVS0801");
    assert_eq!(missing["exit_status"], 2);
}

#[test]
fn sarif_logs_validate_against_the_sarif_2_1_0_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(ROOT).join("tests/schemas/sarif-2.1.0-rtm.5.json"))
            .unwrap(),
    )
    .unwrap();
    let mut schema = schema;
    // The schema's one malformed regex (the `language` patterns of `run` and
    // `toolComponent`: a stray `]`) fails the meta-schema's `regex` format check that
    // format validation turns on. avscheck writes no `language`, so the fix (the intended
    // pattern) changes nothing checked here.
    let mut fixed = 0;
    for pointer in [
        "/definitions/run/properties/language/pattern",
        "/definitions/toolComponent/properties/language/pattern",
    ] {
        let p = schema.pointer_mut(pointer).unwrap();
        assert_eq!(p, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *p = serde_json::json!("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
        fixed += 1;
    }
    assert_eq!(fixed, 2);
    let v = validator(&schema);
    for f in inputs() {
        let (_, out) = run(&["check", &f, "--format", "sarif"]);
        let log: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_valid(&v, &log, &f);
        let run = &log["runs"][0];
        // Nothing that holds is a result.
        for r in run["results"].as_array().unwrap() {
            assert_ne!(r["level"], "none", "{f}: {r}");
            assert!(r["kind"].is_null(), "{f}: {r}");
        }
        let analysed = !f.contains("does-not-exist")
            && !f.contains("missing-brace")
            && !f.contains("peer-typo")
            && !f.contains("host-bits")
            && !f.contains("frr-device")
            && !f.contains("frr-unmodelled")
            && !f.contains("frr-long-line");
        assert_eq!(
            run["invocations"][0]["executionSuccessful"], analysed,
            "{f}: {}",
            run["invocations"]
        );
    }
    // The sabotage check: the validator does reject what main used to print.
    let bad = serde_json::json!({
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{
            "message": {"text": "m"},
            "kind": "not-a-kind"
        }]}]
    });
    assert!(v.iter_errors(&bad).next().is_some());
}
