//! `avscheck graph` on the command line: the picture alone on stdout (so `| dot` and
//! `> file.svg` work), every error on stderr with exit status 2.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_avscheck"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn svg_is_a_standalone_document_on_stdout() {
    let (code, svg, err) = run(&["graph", "examples/hairpin.avs", "--format", "svg"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(err.is_empty(), "{err}");
}

#[test]
fn svg_with_a_check_draws_its_counterexample() {
    let title = "AVS and on-premises reach each other without Global Reach";
    let (code, svg, err) = run(&[
        "graph",
        "examples/broken/hairpin-no-gateway-udrs.avs",
        "--check",
        title,
        "--format",
        "svg",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(svg.contains(&format!("Counterexample of “{title}”")));
    assert!(
        svg.contains("path 1: avs1 → 10.2.0.0: avs1 → er_avs → ergw (dropped)"),
        "{svg}"
    );
    assert!(svg.contains("marker-end=\"url(#arrow0)\""));
}

#[test]
fn errors_go_to_stderr_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.avs");
    std::fs::write(&bad, "use azure\nvnet hub {\n  adress 10.0.0.0/16\n}\n").unwrap();
    let bad = bad.to_str().unwrap();
    for format in ["dot", "svg"] {
        let (code, out, err) = run(&["--color", "never", "graph", bad, "--format", format]);
        assert_eq!(code, 2, "{format}: {out}{err}");
        assert!(out.is_empty(), "{format}: stdout is not empty: {out}");
        assert!(err.contains("error["), "{format}: {err}");
        assert!(err.contains("bad.avs:3:3"), "{format}: {err}");
    }
    let (code, out, err) = run(&["graph", "examples/hairpin.avs", "--check", "no such check"]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("has no check titled `no such check`"), "{err}");
    let (code, out, err) = run(&["graph", "examples/does-not-exist.avs"]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("cannot read"), "{err}");
}
