//! The shared cases of `verdicts.json`, through [`Rule::mismatch`]. The
//! page's script (`theme/yourrun.js`) must give the same verdict for each
//! one, which `ci/browser/score.mjs` checks: the two comparisons
//! cannot drift apart without one of the tests failing.

use recording::Rule;
use serde_json::Value;

/// The verdict category of a run, from `Rule::mismatch` alone: the rule's
/// own answer, then the lines as a multiset (`any-order`'s answer, which
/// lists what is `missing` and what is `unexpected`).
fn verdict(rule: &str, recorded: &str, actual: &str) -> &'static str {
    let Some(rule) = Rule::parse(rule) else {
        return "undecided";
    };
    if rule.mismatch(recorded, actual).is_none() {
        return "match";
    }
    let Some(diff) = Rule::AnyOrder.mismatch(recorded, actual) else {
        return "reordered";
    };
    match (diff.contains("  missing "), diff.contains("  unexpected ")) {
        (true, false) => "missing",
        (false, true) => "extra",
        _ => "different",
    }
}

#[test]
fn every_shared_case_gets_its_verdict() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/verdicts.json");
    let text = std::fs::read_to_string(file).expect("the shared cases");
    let cases: Value = serde_json::from_str(&text).expect("valid JSON");
    let cases = cases["cases"].as_array().expect("a list of cases");
    assert!(cases.len() >= 30, "{file}: too few cases");
    let mut wrong = Vec::new();
    for case in cases {
        let field = |key: &str| case[key].as_str().expect(key);
        let got = verdict(field("rule"), field("recorded"), field("actual"));
        if got != field("verdict") {
            wrong.push(format!(
                "{file}: `{}`: expected {}, Rule::mismatch gives {got}",
                field("name"),
                field("verdict")
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
