//! Fixture suites: every `tests/fixtures/<phase>/{ok,err}/*.avs` is analysed and its
//! rendered diagnostics snapshotted (one snapshot per fixture, named after it).
//! `ok` fixtures must produce no error; `err` fixtures must produce at least one.
//! Every span is checked to lie inside its file and on character boundaries.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use avscheck::report::human::render_diagnostics;
use std::path::Path;

fn check_spans(a: &avscheck::Analysis) {
    for d in &a.diagnostics {
        for l in &d.labels {
            let text = a.sources.text(l.span.file);
            assert!(l.span.start <= l.span.end, "{d:?}: reversed span");
            assert!(
                (l.span.end as usize) <= text.len(),
                "{d:?}: span past end of file"
            );
            assert!(
                text.is_char_boundary(l.span.start as usize),
                "{d:?}: span start not on a char boundary"
            );
            assert!(
                text.is_char_boundary(l.span.end as usize),
                "{d:?}: span end not on a char boundary"
            );
        }
    }
}

fn run(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let a = avscheck::analyse(&name, &text);
    check_spans(&a);
    let is_err = path.parent().unwrap().ends_with("err");
    if is_err {
        assert!(
            a.has_errors(),
            "{name}: an err fixture must produce an error"
        );
    } else {
        assert!(
            !a.has_errors(),
            "{name}: an ok fixture must produce no error:\n{}",
            render_diagnostics(&a.sources, &a.diagnostics, false)
        );
    }
    render_diagnostics(&a.sources, &a.diagnostics, false)
}

#[test]
fn parse_fixtures() {
    insta::glob!("fixtures/parse/*/*.avs", |path| {
        insta::assert_snapshot!(run(path));
    });
}

#[test]
fn resolve_fixtures() {
    insta::glob!("fixtures/resolve/*/*.avs", |path| {
        insta::assert_snapshot!(run(path));
    });
}
