//! `avscheck::check_source` / `check_file`: exactly what `avscheck check` reports.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use avscheck::{check_file, check_source, Options};
use std::process::Command;

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// The report equals the CLI's `--format json`, for passing, failing, broken and
/// unreadable inputs.
#[test]
fn the_report_is_what_the_cli_prints() {
    for f in [
        "examples/hairpin.avs",
        "examples/broken/hairpin-no-blackhole.avs",
        "tests/cli_inputs/peer-typo.avs",
        "tests/azure/route-server-total-limit.avs",
        "tests/cli_inputs/does-not-exist.avs",
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_avscheck"))
            .args(["check", f, "--format", "json"])
            .output()
            .unwrap();
        let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let report = check_file(f, &Options::default());
        assert_eq!(serde_json::to_value(&report).unwrap(), cli, "{f}");
        assert_eq!(
            i32::from(report.exit_status()),
            out.status.code().unwrap(),
            "{f}"
        );
    }
}

/// Error-level findings (a Route Server over its total prefix limit, AVS0502) are in
/// the report and make it fail, as in the CLI.
#[test]
fn error_level_findings_are_reported() {
    let f = "tests/azure/route-server-total-limit.avs";
    let report = check_source(f, &read(f), &Options::default());
    let file = &report.files[0];
    assert!(
        file.diagnostics
            .iter()
            .any(|d| d.code == "AVS0502"
                && d.severity == avscheck::report::json::SeverityReport::Error),
        "{report}"
    );
    assert!(!report.all_hold());
    assert_eq!(report.exit_status(), 1);
}

/// A title that is not a check of the design is an error, not a silent pass.
#[test]
fn a_check_title_typo_is_an_error() {
    let f = "examples/hairpin.avs";
    let opts = Options {
        only: Some("no forwarding lops".to_string()),
        ..Options::default()
    };
    let report = check_source(f, &read(f), &opts);
    assert_eq!(report.exit_status(), 2, "{report}");
    let d = &report.files[0].diagnostics[0];
    assert_eq!(d.code, "AVS0802");
    assert!(
        d.notes
            .iter()
            .any(|n| n.contains("did you mean `no forwarding loops`")),
        "{d:?}"
    );
    let ok = Options {
        only: Some("no forwarding loops".to_string()),
        ..Options::default()
    };
    let report = check_source(f, &read(f), &ok);
    assert!(report.all_hold(), "{report}");
    assert_eq!(report.files[0].checks.len(), 1);
}

/// A design without checks verifies nothing: a warning and exit status 1.
#[test]
fn a_design_without_checks_is_not_green() {
    let report = check_source(
        "empty.avs",
        "use azure\nvnet hub { address 10.0.0.0/16 }\n",
        &Options::default(),
    );
    let file = &report.files[0];
    assert_eq!(file.diagnostics[0].code, "AVS0704");
    assert_eq!(file.diagnostics[0].message, "nothing was verified");
    assert_eq!(report.exit_status(), 1);
    assert!(!report.all_hold());
}

/// Snapshots survive avscheck upgrades: no location in the standard library carries a
/// number (offset, line, column), only its file, item and text; the Display form has no
/// colour and no byte offsets.
#[test]
fn stdlib_locations_are_named_not_numbered() {
    let f = "examples/broken/hairpin-no-blackhole.avs";
    let report = check_source(f, &read(f), &Options::default());
    let json = serde_json::to_value(&report).unwrap();
    let mut stdlib = 0;
    fn walk(v: &serde_json::Value, stdlib: &mut usize) {
        match v {
            serde_json::Value::Object(o) => {
                if o.get("file")
                    .and_then(|f| f.as_str())
                    .is_some_and(|f| f.starts_with("<stdlib>"))
                {
                    *stdlib += 1;
                    for k in ["start", "end", "line", "column", "end_line", "end_column"] {
                        assert!(!o.contains_key(k), "{v}");
                    }
                    assert!(o["item"].is_string() && o["text"].is_string(), "{v}");
                }
                o.values().for_each(|x| walk(x, stdlib));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, stdlib)),
            _ => {}
        }
    }
    walk(&json, &mut stdlib);
    assert!(
        stdlib > 0,
        "the example's counterexample names a stdlib policy rule"
    );
    let text = report.to_string();
    assert!(!text.contains('\x1b'));
    assert!(
        text.contains("<stdlib>/azure.avs in `policy azure_to_gateway`"),
        "{text}"
    );
    assert!(
        text.contains("check \"no forwarding loops\" (81:1): fail"),
        "{text}"
    );
    assert!(text.contains("property 82:3: fail"), "{text}");
    assert_eq!(
        text,
        check_source(f, &read(f), &Options::default()).to_string()
    );
}

/// A UTF-8 byte-order mark does not shift columns (editors do not count it).
#[test]
fn a_byte_order_mark_does_not_shift_columns() {
    let text = "use azure\nvnet hub { address 10.0.0.0/16 }\nrouter r1 { asn 65001; peer r2 }\n";
    let plain = check_source("bom.avs", text, &Options::default());
    let bom = check_source("bom.avs", &format!("\u{feff}{text}"), &Options::default());
    let cols = |r: &avscheck::Report| -> Vec<(Option<usize>, Option<usize>)> {
        r.files[0]
            .diagnostics
            .iter()
            .flat_map(|d| d.labels.iter().map(|l| (l.span.line, l.span.column)))
            .collect()
    };
    assert!(!cols(&plain).is_empty());
    assert_eq!(cols(&plain), cols(&bom));
    // An error on line 1, where the mark is.
    let line1 = "router r1 { asn 65001; peer r2 }\n";
    let one = check_source("bom.avs", &format!("\u{feff}{line1}"), &Options::default());
    let first = &one.files[0].diagnostics[0].labels[0].span;
    let plain = check_source("bom.avs", line1, &Options::default());
    let expected = &plain.files[0].diagnostics[0].labels[0].span;
    assert_eq!(first.line, Some(1), "{one}");
    assert_eq!(first.column, expected.column, "{one}");
    assert!(first.column > Some(1));
}

/// The README's "language in ten lines" resolves as written.
#[test]
fn the_readme_example_resolves() {
    let readme = read("README.md");
    let start = readme.find("## The language in ten lines").unwrap();
    let block = readme[start..].split("```").nth(1).unwrap();
    let design = block.trim_start_matches(|c| c != '\n');
    assert_eq!(design.trim().lines().count(), 10, "{design}");
    let a = avscheck::analyse("readme.avs", design);
    assert!(
        !a.is_unusable() && !a.has_errors(),
        "{}",
        avscheck::report::human::render_diagnostics(&a.sources, &a.diagnostics, false)
    );
    let report = check_source("readme.avs", design, &Options::default());
    assert!(report.all_hold(), "{report}");
}

/// A 1 MB misspelt identifier: answered at once (no did-you-mean search over it), and
/// its diagnostic quotes at most a few dozen characters of it.
#[test]
fn a_huge_misspelt_identifier_is_bounded() {
    let name = "x".repeat(1_000_000);
    let text = format!(
        "use azure\nvnet hub {{ address 10.0.0.0/16 }}\nrouter r1 {{ asn 65001; peer {name} }}\n"
    );
    let started = std::time::Instant::now();
    let report = check_source("huge.avs", &text, &Options::default());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(report.exit_status(), 2);
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.len() < 10_000, "{} bytes", json.len());
    assert!(json.contains("(1000000 characters)"), "{json}");
}

/// Notes cite what a user has: docs/semantics.md sections and the Microsoft page, never
/// the project's internal AZURE.md / LANGUAGE.md.
#[test]
fn notes_cite_the_users_documentation() {
    let text = "use azure\nrouter r1 { asn 65515 }\ncheck \"c\" { loop_free }\n";
    let report = check_source("asn.avs", text, &Options::default());
    let notes: Vec<&String> = report.files[0]
        .diagnostics
        .iter()
        .flat_map(|d| d.notes.iter())
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("docs/semantics.md §2.2")
            && n.contains("https://learn.microsoft.com/azure/route-server/route-server-faq")),
        "{report}"
    );
    // Every snapshotted diagnostic, too.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let l = line.trim_start();
            if l.starts_with("= note:")
                || l.starts_with("= help:")
                || l.starts_with("\"note:")
                || l.starts_with("\"help:")
            {
                assert!(
                    !l.contains("AZURE.md") && !l.contains("LANGUAGE.md"),
                    "{}: {l}",
                    path.display()
                );
            }
        }
    }
}

/// A one-sided session to a component whose kind has no such key: the help does not
/// tell the user to add a line the kind would reject.
#[test]
fn lone_session_help_fits_the_other_kind() {
    let text = "use azure\nvnet hub { address 10.100.0.0/16 }\ner_gateway ergw { vnet hub }\n\
                site dc1 { asn 65200; originate 10.2.0.0/16; peer ergw }\ncheck \"c\" { loop_free }\n";
    let report = check_source("lone.avs", text, &Options::default());
    let d = report.files[0]
        .diagnostics
        .iter()
        .find(|d| d.code == "AVS0300")
        .unwrap_or_else(|| panic!("{report}"));
    let help = d.notes.iter().find(|n| n.starts_with("help:")).unwrap();
    assert!(!help.contains("add `peer dc1` to `ergw`"), "{help}");
    assert!(
        help.contains("`ergw` (kind `er_gateway`) has no `peer` key"),
        "{help}"
    );
    assert!(
        help.contains("`er_circuit` components whose `connect` names it"),
        "{help}"
    );
}

/// A VNet peered with itself is that, not "address spaces overlap".
#[test]
fn a_vnet_peering_itself_is_not_an_overlap() {
    let text =
        "use azure\nvnet hub { address 10.100.0.0/16; peer hub }\ncheck \"c\" { loop_free }\n";
    let report = check_source("self.avs", text, &Options::default());
    let d = &report.files[0].diagnostics;
    assert!(d.iter().all(|d| !d.message.contains("overlap")), "{report}");
    assert!(
        d.iter()
            .any(|d| d.code == "AVS0302" && d.message == "vnet `hub` cannot peer with itself"),
        "{report}"
    );
}

/// The subnet paths docs/language.md shows as examples resolve.
#[test]
fn documented_subnet_paths_resolve() {
    let doc = read("docs/language.md");
    let row = doc
        .lines()
        .find(|l| l.starts_with("| subnet path |"))
        .unwrap();
    let examples = row.rsplit('|').nth(1).unwrap();
    let paths: Vec<&str> = examples.split('`').skip(1).step_by(2).collect();
    assert!(!paths.is_empty(), "{row}");
    for path in paths {
        let vnet = path.split('/').next().unwrap();
        let text = format!(
            "use azure\nvnet {vnet} {{ address 10.100.0.0/16 }}\ncheck \"c\" {{ reachable {path} -> 10.100.0.5 }}\n"
        );
        let a = avscheck::analyse("paths.avs", &text);
        assert!(
            !a.has_errors(),
            "{path}: {}",
            avscheck::report::human::render_diagnostics(&a.sources, &a.diagnostics, false)
        );
    }
}

/// A huge `Options::timeout` does not overflow a deadline.
#[test]
fn a_huge_timeout_does_not_panic() {
    let f = "examples/hairpin.avs";
    let opts = Options {
        timeout: std::time::Duration::MAX,
        ..Options::default()
    };
    assert!(check_source(f, &read(f), &opts).all_hold());
}

/// One error about a 1 MB identifier does not print megabytes in human form either.
#[test]
fn human_output_of_a_huge_line_is_bounded() {
    let name = "x".repeat(1_000_000);
    let text = format!("use azure\nrouter r1 {{ asn 65001; peer {name} }}\n");
    let a = avscheck::analyse("huge.avs", &text);
    let human = avscheck::report::human::render_diagnostics(&a.sources, &a.diagnostics, false);
    assert!(human.len() < 5_000, "{} bytes", human.len());
    assert!(human.contains("huge.avs:2:"), "{human}");
}
