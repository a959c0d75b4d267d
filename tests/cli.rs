//! The real binary over `examples/` and bad inputs: exit statuses and output
//! snapshots (human and JSON). Paths are given relative to the package root, so
//! output is the same on every machine.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_avscheck"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn avs_files(dir: &str) -> Vec<String> {
    let mut files: Vec<String> =
        std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "avs"))
            .map(|p| format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()))
            .collect();
    files.sort();
    files
}

/// The check titles a broken example's `# Fails:` header names.
fn failing_titles(text: &str) -> Vec<String> {
    let header: String = text
        .lines()
        .skip_while(|l| !l.starts_with("# Fails:"))
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim())
        .collect::<Vec<_>>()
        .join(" ");
    header
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn examples_pass_every_check() {
    let files = avs_files("examples");
    assert!(files.len() >= 3);
    for f in &files {
        let (code, out, err) = run(&["check", f, "--format", "json"]);
        assert_eq!(code, 0, "{f} must pass every check:\n{out}\n{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["format_version"], 2);
        // LANGUAGE.md §4: one design's `file`, `checks`, `diagnostics` at the top level,
        // the same as its element of `files`.
        assert_eq!(v["file"], f.as_str());
        assert_eq!(v["checks"], v["files"][0]["checks"]);
        assert_eq!(v["diagnostics"], v["files"][0]["diagnostics"]);
        let v = &v["files"][0];
        assert_eq!(v["file"], f.as_str());
        let checks = v["checks"].as_array().unwrap();
        assert!(!checks.is_empty());
        for c in checks {
            assert_eq!(c["status"], "pass", "{f}: {c}");
            assert!(c["counterexample"].is_null());
        }
        let (code, human, _) = run(&["check", f]);
        assert_eq!(code, 0);
        insta::assert_snapshot!(format!("check_human__{}", f.replace('/', "__")), human);
    }
}

/// Every broken example fails exactly the checks its header names (`Fails:` and
/// `Also fails`), with a counterexample that points into the design; its human and
/// JSON reports are snapshotted.
#[test]
fn broken_examples_fail_what_they_say() {
    let files = avs_files("examples/broken");
    assert!(files.len() >= 6);
    for f in &files {
        let text =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(f))
                .unwrap();
        let titles = failing_titles(&text);
        assert!(!titles.is_empty(), "{f}: no `# Fails: \"...\"` header");
        let (code, out, err) = run(&["check", f, "--format", "json"]);
        assert_eq!(code, 1, "{f}: {out}{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let v = &v["files"][0];
        for title in &titles {
            let c = v["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["title"] == title.as_str())
                .unwrap_or_else(|| panic!("{f}: no check `{title}`"));
            assert_eq!(c["status"], "fail", "{f}: `{title}` must fail");
            let cx = &c["counterexample"];
            assert!(cx.is_object(), "{f}: `{title}` has no counterexample");
            assert!(
                !cx["paths"].as_array().unwrap().is_empty()
                    || !cx["routes"].as_array().unwrap().is_empty(),
                "{f}: `{title}`: the counterexample shows neither a path nor a route"
            );
            // Labels point at lines of the design itself.
            let labels = c["labels"].as_array().unwrap();
            assert!(labels
                .iter()
                .any(|l| l["span"]["file"].is_null() && l["primary"] == true));
            // Beyond the property line: a label on a line responsible for the failure.
            assert!(
                labels.iter().any(|l| l["primary"] == false),
                "{f}: `{title}` names no responsible line: {c}"
            );
        }
        // Exactly the named checks fail; the others still hold.
        for c in v["checks"].as_array().unwrap() {
            let named = titles.iter().any(|t| c["title"] == t.as_str());
            assert_eq!(c["status"] == "fail", named, "{f}: {}", c["title"]);
            if !named {
                assert_eq!(c["status"], "pass", "{f}: {}", c["title"]);
            }
        }
        let name = f.replace('/', "__");
        insta::assert_snapshot!(format!("check_json__{name}"), out);
        let (_, human, _) = run(&["check", f]);
        insta::assert_snapshot!(format!("check_human__{name}"), human);
    }
}

#[test]
fn default_command_is_check() {
    let (a, out_a, _) = run(&["examples/hairpin.avs"]);
    let (b, out_b, _) = run(&["check", "examples/hairpin.avs"]);
    assert_eq!(a, b);
    assert_eq!(out_a, out_b);
}

#[test]
fn routes_on_examples() {
    for f in avs_files("examples") {
        let (code, human, err) = run(&["routes", &f]);
        assert_eq!(code, 0, "{err}");
        let name = f.replace('/', "__");
        insta::assert_snapshot!(format!("routes_human__{name}"), human);
        let (code, json, _) = run(&["routes", &f, "--format", "json"]);
        assert_eq!(code, 0);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(v["nodes"].is_array() && v["subnets"].is_array());
        insta::assert_snapshot!(format!("routes_json__{name}"), json);
    }
}

/// The paths the seed document describes.
#[test]
fn traces_on_examples() {
    let cases = [
        (
            "examples/default-route.avs",
            "avs1",
            "8.8.8.8",
            "avs1 er_avs ergw fw internet",
        ),
        (
            "examples/default-route.avs",
            "dc1",
            "10.1.0.5",
            "dc1 er_dc er_avs avs1",
        ),
        (
            "examples/hairpin.avs",
            "dc1",
            "10.1.0.5",
            "dc1 er_dc ergw fw ergw er_avs avs1",
        ),
        (
            "examples/hairpin.avs",
            "avs1",
            "10.2.0.5",
            "avs1 er_avs ergw fw ergw er_dc dc1",
        ),
        (
            "examples/two-regions.avs",
            "dc1",
            "10.1.0.5",
            "dc1 er_dc ergw_n fw_n fw_w ergw_w er_avs avs_w",
        ),
        (
            "examples/two-regions.avs",
            "avs_w",
            "10.2.0.5",
            "avs_w er_avs ergw_w fw_w fw_n ergw_n er_dc dc1",
        ),
    ];
    for (file, from, to, hops) in cases {
        let (code, json, err) = run(&[
            "trace", file, "--from", from, "--to", to, "--format", "json",
        ]);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let paths = v["paths"].as_array().unwrap();
        assert_eq!(paths.len(), 1, "{file} {from} -> {to}: {json}");
        assert_eq!(
            paths[0]["disposition"], "delivered",
            "{file} {from} -> {to}"
        );
        let got: Vec<&str> = paths[0]["hops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap())
            .collect();
        assert_eq!(got.join(" "), hops, "{file} {from} -> {to}");
        let (code, human, _) = run(&["trace", file, "--from", from, "--to", to]);
        assert_eq!(code, 0);
        let name = format!("trace__{}__{from}__{to}", file.replace('/', "__"));
        insta::assert_snapshot!(name, human);
    }
}

#[test]
fn bad_inputs_exit_2_with_located_diagnostics() {
    let cases = [
        ("tests/cli_inputs/missing-brace.avs", "missing-brace.avs:"),
        ("tests/cli_inputs/peer-typo.avs", "peer-typo.avs:16:8"),
        ("tests/cli_inputs/host-bits.avs", "host-bits.avs:3:13"),
    ];
    for (file, location) in cases {
        let (code, human, _) = run(&["check", file]);
        assert_eq!(code, 2, "{file}: {human}");
        assert!(
            human.contains(location),
            "{file}: expected `{location}` in:\n{human}"
        );
        assert!(
            human.contains("help:"),
            "{file}: expected a hint in:\n{human}"
        );
        let name = file.rsplit('/').next().unwrap();
        insta::assert_snapshot!(format!("bad_input_human__{name}"), human);
        let (code, json, _) = run(&["check", file, "--format", "json"]);
        assert_eq!(code, 2);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let diags = v["files"][0]["diagnostics"].as_array().unwrap();
        assert!(diags.iter().any(|d| d["severity"] == "error"), "{json}");
        let first = &diags[0]["labels"][0]["span"];
        assert!(first["line"].as_u64().unwrap() >= 1 && first["column"].as_u64().unwrap() >= 1);
        insta::assert_snapshot!(format!("bad_input_json__{name}"), json);
    }
}

#[test]
fn bad_requests_exit_2() {
    let cases: [&[&str]; 6] = [
        &["routes", "examples/hairpin.avs", "--node", "erg"],
        &[
            "trace",
            "examples/hairpin.avs",
            "--from",
            "dc1",
            "--to",
            "10.1.0",
        ],
        &[
            "trace",
            "examples/hairpin.avs",
            "--from",
            "dcx",
            "--to",
            "10.1.0.5",
        ],
        &["routes", "tests/cli_inputs/peer-typo.avs"],
        &["check", "examples/hairpin.avs", "--check", "no such check"],
        &["check", "examples/does-not-exist.avs"],
    ];
    for args in cases {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(!(out.clone() + &err).contains("panicked"), "{args:?}");
        assert!(
            (out.clone() + &err).contains("error"),
            "{args:?}: {out}{err}"
        );
    }
    let (_, _, err) = run(&["routes", "examples/hairpin.avs", "--node", "erg"]);
    assert!(err.contains("did you mean `ergw`?"), "{err}");
}

#[test]
fn output_is_deterministic() {
    for f in avs_files("examples") {
        let a = run(&["check", &f, "--format", "json"]);
        let b = run(&["check", &f, "--format", "json"]);
        assert_eq!(a, b);
        let a = run(&["routes", &f, "--format", "json"]);
        let b = run(&["routes", &f, "--format", "json"]);
        assert_eq!(a, b);
    }
}

#[test]
fn sarif_report() {
    let (code, out, _) = run(&[
        "check",
        "examples/hairpin.avs",
        "examples/broken/hairpin-no-blackhole.avs",
        "--format",
        "sarif",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().unwrap();
    // No result for a check that holds: code scanning shows every result as an alert.
    assert!(results.iter().all(|r| r["kind"].is_null()), "{out}");
    assert_eq!(results.len(), 1, "{out}");
    let fail = results.iter().find(|r| r["ruleId"] == "AVS0700").unwrap();
    assert_eq!(fail["level"], "error");
    let loc = &fail["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "examples/broken/hairpin-no-blackhole.avs"
    );
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert!(loc["region"]["startLine"].as_u64().unwrap() > 1);
    // Every related location is linked from the message; the stdlib has its own base.
    let text = fail["message"]["text"].as_str().unwrap();
    for r in fail["relatedLocations"].as_array().unwrap() {
        assert!(text.contains(&format!("]({})", r["id"])), "{text}");
        let base = &r["physicalLocation"]["artifactLocation"]["uriBaseId"];
        assert!(base == "%SRCROOT%" || base == "AVSCHECK_STDLIB", "{r}");
    }
    // The loop's packet path as a code flow, hop by hop.
    let steps = fail["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .unwrap();
    assert!(steps.len() >= 2, "{fail}");
    assert!(fail["partialFingerprints"]["avscheck/v1"].is_string());
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 1);
    let rule = &rules[0];
    assert_eq!(rule["id"], "AVS0700");
    assert_eq!(rule["shortDescription"]["text"], "check T fails");
    assert!(rule["fullDescription"]["text"].is_string());
    assert!(rule["help"]["markdown"].is_string() && rule["help"]["text"].is_string());
    assert_eq!(
        rule["helpUri"],
        "https://github.com/avscheck/avscheck/blob/main/docs/diagnostics.md#avs0700"
    );
    assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], true);
}

/// A solver out of time is `unknown`, exits 1, and is never shown as a pass.
#[test]
fn timeout_is_unknown_never_pass() {
    let (code, out, _) = run(&[
        "check",
        "examples/hairpin.avs",
        "--timeout",
        "0",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for c in v["files"][0]["checks"].as_array().unwrap() {
        assert_eq!(c["status"], "unknown", "{c}");
        assert!(c["reason"].as_str().unwrap().contains("time"));
    }
    let (code, human, _) = run(&["check", "examples/hairpin.avs", "--timeout", "0"]);
    assert_eq!(code, 1);
    assert!(!human.contains(": pass"), "{human}");
    assert!(human.contains("UNKNOWN"));
}

#[test]
fn graph_draws_topology_and_counterexample() {
    let (code, dot, _) = run(&["graph", "examples/two-regions.avs"]);
    assert_eq!(code, 0);
    assert!(dot.starts_with("digraph avscheck {"));
    assert!(
        dot.contains("\"fw_w\" -> \"fw_n\" [color=\"#333333\", label=\"BGP over vx\"]"),
        "{dot}"
    );
    let (code, dot, _) = run(&[
        "graph",
        "examples/broken/two-regions-no-tunnel.avs",
        "--check",
        "no loop between the regional NVAs",
    ]);
    assert_eq!(code, 0);
    assert!(dot.contains("color=\"#d62728\""), "{dot}");
    assert!(dot.contains(": loop\""), "{dot}");
    insta::assert_snapshot!("graph__two-regions-no-tunnel", dot);
}

/// A path that ends `no_route` is explained at the line where the route stopped.
#[test]
fn no_route_counterexamples_point_where_the_route_stops() {
    let title = "AVS and on-premises reach each other without Global Reach";
    let cases = [
        (
            "examples/broken/two-regions-no-as-path-cleanup.avs",
            "holds AS65515 (loop prevention)",
        ),
        (
            "examples/broken/hairpin-no-branch-to-branch.avs",
            "`ars` holds `10.0.0.0/8`, but no established session",
        ),
        (
            "examples/broken/hairpin-exact-prefixes.avs",
            "this rule of `gateway_to_circuit` stops",
        ),
    ];
    for (file, expected) in cases {
        let (code, out, _) = run(&["check", file, "--check", title, "--format", "json"]);
        assert_eq!(code, 1);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let labels = v["files"][0]["checks"][0]["labels"].as_array().unwrap();
        assert!(
            labels
                .iter()
                .any(|l| l["message"].as_str().unwrap().contains(expected)),
            "{file}: no label saying `{expected}`: {labels:#?}"
        );
    }
}

/// A loop at an NVA whose NIC holds the route the NVA advertised itself (Route Server
/// programs it there too) points at the NVA's subnet, where the UDR that would
/// override it belongs — not only at the origination and the sessions.
#[test]
fn loops_at_an_nva_point_at_its_subnet() {
    let (code, out, _) = run(&[
        "check",
        "examples/broken/default-route-no-nva-udr.avs",
        "--check",
        "no forwarding loops",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let labels = v["files"][0]["checks"][0]["labels"].as_array().unwrap();
    let at_subnet: Vec<&serde_json::Value> =
        labels.iter().filter(|l| l["span"]["line"] == 18).collect();
    assert_eq!(at_subnet.len(), 1, "{labels:#?}");
    let message = at_subnet[0]["message"].as_str().unwrap();
    assert!(
        message.contains("`fw`'s own NIC") && message.contains("no UDR on `fw_subnet`"),
        "{message}"
    );
}

/// Counterexamples with an environment (`assume ... advertises any`): the
/// announcements, a session the environment drops over its route limit, and a table
/// that grows past `routes <= K` — snapshotted in human and JSON form, byte-stable.
#[test]
fn environment_counterexamples_are_snapshotted() {
    let f = "tests/cli_inputs/environment.avs";
    let (code, json, _) = run(&["check", f, "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let status = |t: &str| {
        v["files"][0]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["title"] == t)
            .unwrap_or_else(|| panic!("no check `{t}`"))
            .clone()
    };
    let hijack = status("on-premises cannot take AVS's traffic");
    assert_eq!(hijack["status"], "fail");
    let env = hijack["counterexample"]["environment"].as_array().unwrap();
    assert!(env.iter().all(|a| a["node"] == "dc1"), "{env:?}");
    let cut = status("on-premises cannot cut itself off");
    assert_eq!(cut["status"], "fail");
    assert_eq!(cut["counterexample"]["dropped"][0]["session"][1], "er_dc");
    assert_eq!(cut["counterexample"]["dropped"][0]["announced"], 4001);
    assert_eq!(status("AVS's table stays small")["status"], "fail");
    assert_eq!(
        status("on-premises' own space does not pull AVS traffic through the firewall")["status"],
        "pass"
    );
    let (_, again, _) = run(&["check", f, "--format", "json"]);
    assert_eq!(json, again, "JSON output differs between runs");
    insta::assert_snapshot!("check_json__environment", json);
    let (_, human, _) = run(&["check", f]);
    insta::assert_snapshot!("check_human__environment", human);
}

fn run_stdin(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_avscheck"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `--format github`: one workflow command per failed check, located in the design.
#[test]
fn github_annotations() {
    let (code, out, _) = run(&[
        "check",
        "examples/broken/hairpin-no-blackhole.avs",
        "examples/hairpin.avs",
        "--format",
        "github",
    ]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].starts_with(
            "::error file=examples/broken/hairpin-no-blackhole.avs,line=82,col=3,endLine=82,endColumn=12,title=avscheck AVS0700%3A no forwarding loops::check `no forwarding loops` fails%0A"
        ),
        "{out}"
    );
    // A warning-level finding and an error in one file.
    let (code, out, _) = run(&[
        "check",
        "tests/cli_inputs/peer-typo.avs",
        "--format",
        "github",
    ]);
    assert_eq!(code, 2);
    assert!(
        out.starts_with("::error file=tests/cli_inputs/peer-typo.avs,line=16,col=8,"),
        "{out}"
    );
    let (code, out, _) = run(&["check", "nope.avs", "--format", "github"]);
    assert_eq!(code, 2);
    assert!(
        out.starts_with("::error file=nope.avs,title=avscheck AVS0801::cannot read"),
        "{out}"
    );
}

/// `-` reads the design from standard input; a directory means every `.avs` under it.
#[test]
fn stdin_and_directories() {
    let text = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/hairpin.avs"),
    )
    .unwrap();
    let (code, out, err) = run_stdin(&["check", "-", "--format", "json"], &text);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["files"][0]["file"], "<stdin>");
    assert_eq!(v["files"][0]["summary"]["pass"], 4);
    // `avscheck -` is `avscheck check -`.
    let (code, out, _) = run_stdin(&["-"], &text);
    assert_eq!(code, 0);
    assert!(out.contains("<stdin>: 4 checks: 4 pass"), "{out}");
    let (code, _, err) = run_stdin(&["check", "-"], b"\xff\xfe");
    assert_eq!(code, 2);
    assert!(
        err.contains("error[AVS0800]: `<stdin>` is not valid UTF-8: invalid byte 0xFF at 1:1"),
        "{err}"
    );
    // A Latin-1 `é` on line 2: located by line and column, with the fix.
    let (code, _, err) = run_stdin(&["check", "-"], b"use azure\nnva fw\xe9 {\n}\n");
    assert_eq!(code, 2);
    assert!(
        err.contains("invalid byte 0xE9 at 2:7 (byte offset 16); save the file as UTF-8"),
        "{err}"
    );

    let (code, out, _) = run(&["check", "examples", "--format", "json"]);
    assert_eq!(code, 1, "the broken examples fail");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    let mut expected: Vec<String> = avs_files("examples/broken");
    expected.extend(avs_files("examples"));
    expected.extend(avs_files("examples/two-regions-frr"));
    expected.sort();
    assert_eq!(names, expected);
    // Several designs: each is an element of `files`; the one-design fields of
    // LANGUAGE.md §4 are not at the top level (they would name one file of many).
    for key in ["file", "checks", "diagnostics", "summary", "exit_status"] {
        assert!(v.get(key).is_none(), "top-level `{key}` with several files");
    }
    let empty = tempfile::tempdir().unwrap();
    let (code, out, _) = run(&["check", empty.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 2);
    assert!(out.contains("AVS0803"), "{out}");
}

/// A design without checks is not a green run.
#[test]
fn nothing_verified_is_a_warning_and_exit_1() {
    let (code, out, _) = run_stdin(
        &["check", "-"],
        b"use azure\nvnet hub { address 10.0.0.0/16 }\n",
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("warning[AVS0704]: nothing was verified"),
        "{out}"
    );
    assert!(out.contains("<stdin>: 0 checks"), "{out}");
}

/// `--timeout` is validated by clap: exit 2, no panic, for huge and negative values.
#[test]
fn timeout_values_are_validated() {
    for bad in ["18446744073709551615", "604801", "-1", "1.5", "soon"] {
        let (code, out, err) = run(&["check", "examples/hairpin.avs", "--timeout", bad]);
        assert_eq!(code, 2, "{bad}: {out}{err}");
        // (`-1` reads as an option: clap rejects it as an unexpected argument.)
        // A negative number is the option's value, refused by its range, not a
        // stray argument (clap's tip `use '-- -1'` would mislead).
        assert!(err.contains("--timeout"), "{bad}: {err}");
        assert!(!err.contains("tip: to pass"), "{bad}: {err}");
        assert!(!err.contains("panicked"), "{bad}: {err}");
    }
    let (code, _, _) = run(&["check", "examples/hairpin.avs", "--timeout", "604800"]);
    assert_eq!(code, 0);
}

/// `routes` and `trace` with `--without NAME` look at a failure scenario.
#[test]
fn routes_and_trace_without_components() {
    let (code, all, _) = run(&[
        "routes",
        "examples/hairpin.avs",
        "--node",
        "avs1",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let (code, cut, err) = run(&[
        "routes",
        "examples/hairpin.avs",
        "--node",
        "avs1",
        "--without",
        "er_avs",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_ne!(all, cut);
    let v: serde_json::Value = serde_json::from_str(&cut).unwrap();
    let routes = v["nodes"][0]["routes"].as_array().unwrap();
    assert!(
        routes.iter().all(|r| r["from"] != "er_avs"),
        "nothing is learned over a failed circuit: {cut}"
    );
    let (code, out, err) = run(&[
        "trace",
        "examples/hairpin.avs",
        "--from",
        "avs1",
        "--to",
        "10.2.0.5",
        "--without",
        "er_avs",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_ne!(v["paths"][0]["disposition"], "delivered", "{out}");
    let (code, _, err) = run(&["routes", "examples/hairpin.avs", "--without", "er_av"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `er_avs`?"), "{err}");
}

/// SARIF for input that was not analysed says so (never "0 alerts").
#[test]
fn sarif_reports_unanalysed_input() {
    let (code, out, _) = run(&["check", "nope.avs", "--format", "sarif"]);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let n = &inv["toolExecutionNotifications"][0];
    assert_eq!(n["level"], "error");
    assert_eq!(
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "nope.avs"
    );
}

/// `graph --check` on a check that holds has nothing to highlight: the picture is the
/// topology, not titled as a counterexample, and stderr says why.
#[test]
fn graph_of_a_holding_check_says_there_is_no_counterexample() {
    let (code, dot, err) = run(&[
        "graph",
        "examples/broken/default-route-no-nva-udr.avs",
        "--check",
        "on-premises never installs the default route",
    ]);
    assert_eq!(code, 0);
    assert!(dot.starts_with("digraph avscheck {"), "{dot}");
    assert!(!dot.contains("counterexample of"), "{dot}");
    assert!(
        err.contains("is pass: it has no counterexample to draw"),
        "{err}"
    );
}

/// The shorthand `avscheck FILE` takes `check`'s options too.
#[test]
fn the_shorthand_takes_check_options() {
    let (code, out, err) = run(&["--timeout", "30", "examples/hairpin.avs"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("4 pass"), "{out}");
    let (code, out, _) = run(&["--", "examples/hairpin.avs"]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("Usage"), "{out}");
}

/// Inputs are read bounded (16 MiB) and only from regular files or pipes: a device
/// as the design, a never-ending standard input and a configuration path that
/// reaches a device are refused with exit status 2, without reading them whole.
#[test]
fn reads_are_bounded_and_devices_refused() {
    let (code, _, err) = run(&["check", "/dev/zero"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("AVS0801") && err.contains("resolves into `/dev`"),
        "{err}"
    );
    // Kernel files report themselves regular and may block on read (`/proc/kmsg`
    // waits for kernel messages) or fail (`pagemap`): refused by where they resolve.
    for path in [
        "/proc/kmsg",
        "/proc/self/pagemap",
        "/proc/self/../self/status",
    ] {
        if std::path::Path::new(path).exists() {
            let (code, _, err) = run(&["check", path]);
            assert_eq!(code, 2, "{path}");
            assert!(
                err.contains("AVS0801") && err.contains("resolves into `/proc`"),
                "{path}: {err}"
            );
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_avscheck"))
        .args(["check", "-"])
        .env("NO_COLOR", "1")
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("AVS0801") && err.contains("larger than 16 MiB"),
        "{err}"
    );
    let (code, out, _) = run(&["check", "tests/cli_inputs/frr-device.avs"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("AVS0904") && out.contains("resolves into `/dev`"),
        "{out}"
    );
    assert!(!out.contains("pass"), "{out}");
    // A regular file over the limit (sparse: no disk used).
    let dir = std::env::temp_dir().join(format!("avscheck-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("big.avs");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(avscheck::api::MAX_INPUT_BYTES + 1)
        .unwrap();
    let (code, _, err) = run(&["check", big.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 2);
    assert!(err.contains("larger than 16 MiB"), "{err}");
}

/// FRR-configuration hardening: a reserved ASN in `router bgp` is a finding (exit 1,
/// like an `asn` line); a statement that is not modelled stops the analysis (exit 2,
/// no `pass` printed, docs/frr.md).
#[test]
fn frr_config_hardening() {
    let (code, out, _) = run(&["check", "tests/cli_inputs/frr-reserved-asn.avs"]);
    assert_eq!(code, 1, "{out}");
    insta::assert_snapshot!("check_human__frr_reserved_asn", out);
    let (code, out, _) = run(&["check", "tests/cli_inputs/frr-unmodelled.avs"]);
    assert_eq!(code, 2, "{out}");
    assert!(!out.contains("pass"), "{out}");
    insta::assert_snapshot!("check_human__frr_unmodelled", out);
}

/// Control characters from a design or configuration (an ESC in a check title, a BEL
/// and an OSC sequence in a configuration line) are escaped in human and GitHub
/// output; JSON locates labels in a configuration file by line and column, and cuts
/// an over-long configuration line (AVS0910) instead of copying it.
#[test]
fn hostile_text_is_escaped_and_cut() {
    let f = "tests/cli_inputs/frr-hostile.avs";
    for format in ["human", "github"] {
        let (code, out, err) = run(&["check", f, "--format", format]);
        assert_eq!(code, 0, "{out}{err}");
        let bad: Vec<char> = out
            .chars()
            .chain(err.chars())
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(bad.is_empty(), "{format}: {bad:?} in {out}{err}");
        assert!(out.contains("\\u{1b}"), "{format}: {out}");
    }
    let (_, out, _) = run(&["check", f]);
    assert!(out.contains("AVS0901"), "{out}");
    assert!(
        out.contains(
            "avscheck reads no `unknown\\u{7}\\u{1b}]0;owned\\u{7} …` statement of this form"
        ),
        "{out}"
    );
    // JSON keeps the text (JSON escapes it) and numbers the configuration's spans.
    let (_, out, _) = run(&["check", f, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "AVS0901")
        .unwrap();
    let span = &d["labels"][0]["span"];
    assert_eq!(span["file"], "tests/cli_inputs/frr-hostile.conf", "{d}");
    assert_eq!(span["line"], 2, "{d}");
    assert_eq!(span["column"], 1, "{d}");
    assert!(span["start"].is_u64() && span["end_line"] == 2, "{d}");
    // AVS0910: human output says the line is too long to show; JSON cuts it too.
    let f = "tests/cli_inputs/frr-long-line.avs";
    let (code, human, _) = run(&["check", f]);
    assert_eq!(code, 2, "{human}");
    assert!(
        human.contains("AVS0910") && human.contains("too long to show"),
        "{human}"
    );
    let (_, out, _) = run(&["check", f, "--format", "json"]);
    assert!(out.len() < 8_000, "{} bytes of JSON", out.len());
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "AVS0910")
        .unwrap();
    assert_eq!(d["labels"][0]["span"]["line"], 2, "{d}");
    assert!(d["labels"][0]["span"]["text"]
        .as_str()
        .unwrap()
        .ends_with("(5009 characters)"));
}
