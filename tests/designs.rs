//! Every design in `examples/`, the way a user's `tests/designs.rs` does it
//! (docs/ci.md): the report is snapshotted with insta (its `json` feature) and every
//! check must hold, so an accepted snapshot of a broken design cannot stay green.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn every_design_holds() {
    let mut designs: Vec<_> = std::fs::read_dir("examples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "avs"))
        .collect();
    designs.sort();
    assert!(!designs.is_empty(), "no designs in examples/");
    for path in designs {
        let report = avscheck::check_file(&path, &avscheck::Options::default());
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        insta::assert_json_snapshot!(name, report);
        assert!(report.all_hold(), "{report}");
    }
}
