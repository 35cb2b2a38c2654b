//! The shared compatibility corpus (`testdata/compatibility-cases.json`):
//! every case's BACKWARD and FORWARD verdict, through the public API the
//! registry and `herald compat` both use.

use herald_core::{CheckRules, CompatibilityLevel, ParseLimits, ParsedSchema, SchemaType};
use serde::Deserialize;

#[derive(Deserialize)]
struct Corpus {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    #[serde(rename = "type")]
    schema_type: String,
    old: String,
    new: String,
    backward: bool,
    forward: bool,
}

fn parse(schema_type: SchemaType, text: &str) -> ParsedSchema {
    ParsedSchema::parse(schema_type, text, &[], ParseLimits::default())
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn every_case_keeps_its_verdicts() {
    let corpus: Corpus =
        serde_json::from_str(include_str!("../../testdata/compatibility-cases.json"))
            .unwrap_or_else(|e| panic!("corpus: {e}"));
    let mut per_type = std::collections::BTreeMap::new();
    for case in &corpus.cases {
        let schema_type: SchemaType = case.schema_type.parse().unwrap_or_else(|e| panic!("{e}"));
        let (old, new) = (parse(schema_type, &case.old), parse(schema_type, &case.new));
        let verdict = |level: CompatibilityLevel| {
            level
                .check_pair(&new, &old, CheckRules::default())
                .is_empty()
        };
        assert_eq!(
            (
                verdict(CompatibilityLevel::Backward),
                verdict(CompatibilityLevel::Forward)
            ),
            (case.backward, case.forward),
            "{} -> {}",
            case.old,
            case.new
        );
        *per_type.entry(schema_type.as_str()).or_insert(0) += 1;
    }
    assert!(per_type.values().all(|count| *count > 40), "{per_type:?}");
}
