//! Fuzz target: any bytes → `avscheck::syntax::parse` (spans must stay inside the
//! input, on character boundaries; children inside their item) → `avscheck::analyse`.
//!
//! RUSTC_BOOTSTRAP=1 cargo fuzz run parse -- -dict=fuzz/avs.dict -max_total_time=600
#![no_main]

use avscheck::syntax::ast::Item;
use avscheck::{FileId, Span};
use libfuzzer_sys::fuzz_target;

fn check(text: &str, s: Span) {
    assert!(s.start <= s.end, "reversed span {s:?}");
    assert!((s.end as usize) <= text.len(), "span {s:?} past the end");
    assert!(
        text.is_char_boundary(s.start as usize),
        "span {s:?} not on a char boundary"
    );
    assert!(
        text.is_char_boundary(s.end as usize),
        "span {s:?} not on a char boundary"
    );
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (file, errors) = avscheck::syntax::parse(FileId(0), &text);
    assert!(errors.len() <= 101, "error cap exceeded");
    for e in &errors {
        check(&text, e.span);
        for (s, _) in &e.context {
            check(&text, *s);
        }
    }
    let mut last = 0;
    for item in &file.items {
        let s = item.span();
        check(&text, s);
        assert!(s.start >= last, "items out of order");
        last = s.end;
        if let Item::Component(c) = item {
            for l in &c.lines {
                assert!(s.contains(l.span), "line outside its component");
                for a in &l.args {
                    assert!(l.span.contains(a.span), "argument outside its line");
                }
            }
        }
    }
    // The whole front end (parse + stdlib + resolve + lower) must not panic either.
    let a = avscheck::analyse("fuzz.avs", &text);
    for d in &a.diagnostics {
        for l in &d.labels {
            check(a.sources.text(l.span.file), l.span);
        }
    }
});
