//! Fuzz target: any bytes as an FRR configuration → `avscheck::frr::parse` (every
//! diagnostic's span inside the input, on character boundaries), then the same text as
//! the configuration of an NVA peering a Route Server through `avscheck::analyse_with`
//! (translation and lowering must not panic either), and its stable state (nor the
//! simulator).
//!
//! RUSTC_BOOTSTRAP=1 cargo fuzz run frr_config -- -dict=fuzz/frr.dict -max_total_time=600
#![no_main]

use avscheck::{FileId, Span};
use libfuzzer_sys::fuzz_target;

const DESIGN: &str = r#"use azure
vnet hub { address 10.100.0.0/16 }
subnet s { vnet hub; address 10.100.1.0/24 }
route_server ars { vnet hub; ip 10.100.0.4; ip 10.100.0.5; peer fw asn 65010 }
nva fw { subnet s; ip 10.100.1.4; config "fw.conf" }
nva fw2 { subnet s; ip 10.100.1.5; asn 65020; peer fw }
"#;

fn check(text: &str, s: Span) {
    assert!(s.start <= s.end, "reversed span {s:?}");
    assert!((s.end as usize) <= text.len(), "span {s:?} past the end");
    assert!(text.is_char_boundary(s.start as usize), "span {s:?} not on a char boundary");
    assert!(text.is_char_boundary(s.end as usize), "span {s:?} not on a char boundary");
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let (_, diags) = avscheck::frr::parse(FileId(0), &text);
    for d in &diags {
        for l in &d.labels {
            check(&text, l.span);
        }
    }
    let conf = text.clone();
    let a = avscheck::analyse_with("fuzz.avs", DESIGN, &move |_p: &str| {
        Ok(("fw.conf".to_string(), conf.clone()))
    });
    for d in &a.diagnostics {
        for l in &d.labels {
            check(a.sources.text(l.span.file), l.span);
        }
    }
    // What the configuration means (default-originate, aggregates, summary-only
    // included) must not panic the simulator either.
    if let (false, Some(net)) = (a.has_errors(), a.network.as_ref()) {
        let _ = avscheck::sim::stable_state(net, &avscheck::sim::Scenario::default());
    }
});
