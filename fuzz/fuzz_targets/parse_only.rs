//! Fuzz target: the parser alone (no stdlib, no resolver), about a hundred times
//! faster per input than `parse`, for deep coverage of the grammar and recovery.
//! Invariants: no panic, spans inside the input on character boundaries, items in
//! order, the error cap holds.
//!
//! RUSTC_BOOTSTRAP=1 cargo fuzz run parse_only -- -dict=fuzz/avs.dict
#![no_main]

use avscheck::FileId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (file, errors) = avscheck::syntax::parse(FileId(0), &text);
    assert!(errors.len() <= 101, "error cap exceeded");
    let ok = |s: avscheck::Span| {
        s.start <= s.end
            && (s.end as usize) <= text.len()
            && text.is_char_boundary(s.start as usize)
            && text.is_char_boundary(s.end as usize)
    };
    for e in &errors {
        assert!(ok(e.span), "bad error span {:?}", e.span);
        assert!(e.context.iter().all(|(s, _)| ok(*s)), "bad context span");
        let _ = e.message();
    }
    let mut last = 0;
    for item in &file.items {
        let s = item.span();
        assert!(ok(s), "bad item span {s:?}");
        assert!(s.start >= last, "items out of order");
        last = s.end;
    }
});
