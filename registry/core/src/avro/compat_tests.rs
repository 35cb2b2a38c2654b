//! Every Avro resolution rule, in both directions.

use super::AvroSchema;
use crate::{Direction, ParseLimits};

fn parse(text: &str) -> AvroSchema {
    AvroSchema::parse(text, &[], ParseLimits::default()).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// `(rule, path)` of each finding when `new` replaces `old`.
fn findings(direction: Direction, old: &str, new: &str) -> Vec<(&'static str, String)> {
    parse(new)
        .compatibility_findings(&parse(old), direction)
        .into_iter()
        .map(|f| (f.rule, f.path))
        .collect()
}

fn backward(old: &str, new: &str) -> Vec<(&'static str, String)> {
    findings(Direction::Backward, old, new)
}

fn forward(old: &str, new: &str) -> Vec<(&'static str, String)> {
    findings(Direction::Forward, old, new)
}

fn one(rule: &'static str, path: &str) -> Vec<(&'static str, String)> {
    vec![(rule, path.to_owned())]
}

/// A record `R` with the given fields.
fn record(fields: &str) -> String {
    format!(r#"{{"type":"record","name":"R","namespace":"test","fields":[{fields}]}}"#)
}

/// A record with one field `f` of the given type.
fn field(field_type: &str) -> String {
    record(&format!(r#"{{"name":"f","type":{field_type}}}"#))
}

#[test]
fn field_added_without_default_breaks_backward_only() {
    let old = record(r#"{"name":"a","type":"int"}"#);
    let new = record(r#"{"name":"a","type":"int"},{"name":"email","type":"string"}"#);
    assert_eq!(
        backward(&old, &new),
        one("READER_FIELD_MISSING_DEFAULT_VALUE", "/fields/1")
    );
    assert_eq!(forward(&old, &new), vec![]);
}

#[test]
fn field_added_with_default_is_compatible_both_ways() {
    let old = record(r#"{"name":"a","type":"int"}"#);
    let new = record(
        r#"{"name":"a","type":"int"},{"name":"email","type":["null","string"],"default":null}"#,
    );
    assert_eq!(backward(&old, &new), vec![]);
    assert_eq!(forward(&old, &new), vec![]);
}

#[test]
fn field_removed_breaks_forward_unless_it_had_a_default() {
    let old = record(r#"{"name":"a","type":"int"},{"name":"b","type":"int"}"#);
    let new = record(r#"{"name":"a","type":"int"}"#);
    assert_eq!(backward(&old, &new), vec![]);
    assert_eq!(
        forward(&old, &new),
        one("READER_FIELD_MISSING_DEFAULT_VALUE", "/fields/1")
    );
    let old_with_default =
        record(r#"{"name":"a","type":"int"},{"name":"b","type":"int","default":0}"#);
    assert_eq!(forward(&old_with_default, &new), vec![]);
}

#[test]
fn field_renamed_with_alias_is_found_by_the_reader() {
    let old = record(r#"{"name":"mail","type":"string"}"#);
    let new = record(r#"{"name":"email","type":"string","aliases":["mail"]}"#);
    assert_eq!(backward(&old, &new), vec![]);
    assert_eq!(
        forward(&old, &new),
        one("READER_FIELD_MISSING_DEFAULT_VALUE", "/fields/0")
    );
}

#[test]
fn promotions_are_allowed_from_writer_to_reader_only() {
    let allowed = [
        ("int", "long"),
        ("int", "float"),
        ("int", "double"),
        ("long", "float"),
        ("long", "double"),
        ("float", "double"),
        ("string", "bytes"),
        ("bytes", "string"),
    ];
    for (writer, reader) in allowed {
        let (old, new) = (
            field(&format!("\"{writer}\"")),
            field(&format!("\"{reader}\"")),
        );
        assert_eq!(backward(&old, &new), vec![], "{writer} -> {reader}");
        let reverse = forward(&old, &new);
        if (writer, reader) == ("string", "bytes") || (writer, reader) == ("bytes", "string") {
            assert_eq!(reverse, vec![], "{reader} -> {writer}");
        } else {
            assert_eq!(
                reverse,
                one("TYPE_MISMATCH", "/fields/0/type"),
                "{reader} -> {writer}"
            );
        }
    }
}

#[test]
fn unrelated_types_mismatch_both_ways() {
    let (old, new) = (field(r#""boolean""#), field(r#""string""#));
    assert_eq!(backward(&old, &new), one("TYPE_MISMATCH", "/fields/0/type"));
    assert_eq!(forward(&old, &new), one("TYPE_MISMATCH", "/fields/0/type"));
}

#[test]
fn enum_symbol_added_breaks_forward_unless_old_has_a_default() {
    let old = field(r#"{"type":"enum","name":"E","symbols":["A","B"]}"#);
    let new = field(r#"{"type":"enum","name":"E","symbols":["A","B","C"]}"#);
    assert_eq!(backward(&old, &new), vec![]);
    assert_eq!(
        forward(&old, &new),
        one("MISSING_ENUM_SYMBOLS", "/fields/0/type/symbols")
    );
    let old_with_default = field(r#"{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}"#);
    assert_eq!(forward(&old_with_default, &new), vec![]);
}

#[test]
fn enum_symbol_removed_breaks_backward_unless_new_has_a_default() {
    let old = field(r#"{"type":"enum","name":"E","symbols":["A","B","C"]}"#);
    let new = field(r#"{"type":"enum","name":"E","symbols":["A","B"]}"#);
    assert_eq!(
        backward(&old, &new),
        one("MISSING_ENUM_SYMBOLS", "/fields/0/type/symbols")
    );
    assert_eq!(forward(&old, &new), vec![]);
    let new_with_default = field(r#"{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}"#);
    assert_eq!(backward(&old, &new_with_default), vec![]);
}

#[test]
fn missing_enum_symbols_are_named_in_the_finding() {
    let old = parse(&field(
        r#"{"type":"enum","name":"E","symbols":["A","B","C"]}"#,
    ));
    let new = parse(&field(r#"{"type":"enum","name":"E","symbols":["A"]}"#));
    let found = new.compatibility_findings(&old, Direction::Backward);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].detail, "[B, C]");
    assert_eq!(
        found[0].message,
        "The new schema is missing enum symbols '[B, C]' at path '/fields/0/type/symbols' in the old schema"
    );
}

#[test]
fn union_branch_added_breaks_forward() {
    let old = field(r#"["null","string"]"#);
    let new = field(r#"["null","string","int"]"#);
    assert_eq!(backward(&old, &new), vec![]);
    assert_eq!(
        forward(&old, &new),
        one("MISSING_UNION_BRANCH", "/fields/0/type/2")
    );
}

#[test]
fn union_branch_removed_breaks_backward() {
    let old = field(r#"["null","string","int"]"#);
    let new = field(r#"["null","string"]"#);
    assert_eq!(
        backward(&old, &new),
        one("MISSING_UNION_BRANCH", "/fields/0/type/2")
    );
    assert_eq!(forward(&old, &new), vec![]);
}

#[test]
fn single_type_to_union_and_back() {
    let plain = field(r#""string""#);
    let nullable = field(r#"["null","string"]"#);
    // The union reader reads the single type; the single-type reader cannot read null.
    assert_eq!(backward(&plain, &nullable), vec![]);
    assert_eq!(
        forward(&plain, &nullable),
        one("TYPE_MISMATCH", "/fields/0/type")
    );
    assert_eq!(
        backward(&nullable, &plain),
        one("TYPE_MISMATCH", "/fields/0/type")
    );
    assert_eq!(forward(&nullable, &plain), vec![]);
    // A union reader with no branch for the writer's single type.
    let numbers = field(r#"["null","int"]"#);
    assert_eq!(
        backward(&plain, &numbers),
        one("MISSING_UNION_BRANCH", "/fields/0/type")
    );
}

#[test]
fn union_branches_promote() {
    let old = field(r#"["null","int"]"#);
    let new = field(r#"["null","long"]"#);
    assert_eq!(backward(&old, &new), vec![]);
    assert_eq!(
        forward(&old, &new),
        one("MISSING_UNION_BRANCH", "/fields/0/type/1")
    );
}

#[test]
fn fixed_size_change_breaks_both_ways() {
    let old = field(r#"{"type":"fixed","name":"Hash","size":16}"#);
    let new = field(r#"{"type":"fixed","name":"Hash","size":32}"#);
    assert_eq!(
        backward(&old, &new),
        one("FIXED_SIZE_MISMATCH", "/fields/0/type/size")
    );
    assert_eq!(
        forward(&old, &new),
        one("FIXED_SIZE_MISMATCH", "/fields/0/type/size")
    );
}

#[test]
fn renamed_named_types_need_an_alias_on_the_reader() {
    for kind in [
        r#"{"type":"fixed","name":"NAME","size":4ALIAS}"#,
        r#"{"type":"enum","name":"NAME","symbols":["A"]ALIAS}"#,
        r#"{"type":"record","name":"NAME","fields":[]ALIAS}"#,
    ] {
        let old = field(&kind.replace("NAME", "Before").replace("ALIAS", ""));
        let new = field(&kind.replace("NAME", "After").replace("ALIAS", ""));
        assert_eq!(
            backward(&old, &new),
            one("NAME_MISMATCH", "/fields/0/type/name"),
            "{kind}"
        );
        assert_eq!(
            forward(&old, &new),
            one("NAME_MISMATCH", "/fields/0/type/name"),
            "{kind}"
        );
        let aliased = field(
            &kind
                .replace("NAME", "After")
                .replace("ALIAS", r#","aliases":["test.Before"]"#),
        );
        assert_eq!(backward(&old, &aliased), vec![], "{kind}");
        assert_eq!(
            forward(&old, &aliased),
            one("NAME_MISMATCH", "/fields/0/type/name"),
            "{kind}"
        );
    }
}

#[test]
fn top_level_record_rename_is_found_at_the_root() {
    let old = r#"{"type":"record","name":"A","fields":[]}"#;
    let new = r#"{"type":"record","name":"B","fields":[]}"#;
    assert_eq!(backward(old, new), one("NAME_MISMATCH", "/name"));
    // A namespace change keeps the simple name, which Avro accepts.
    let moved = r#"{"type":"record","name":"A","namespace":"elsewhere","fields":[]}"#;
    assert_eq!(backward(old, moved), vec![]);
}

#[test]
fn nested_records_report_the_full_path() {
    let inner = |t: &str| {
        format!(
            r#"{{"type":"record","name":"Inner","fields":[{{"name":"x","type":"int"}},{{"name":"y","type":"{t}"}}]}}"#
        )
    };
    let (old, new) = (field(&inner("int")), field(&inner("boolean")));
    assert_eq!(
        backward(&old, &new),
        one("TYPE_MISMATCH", "/fields/0/type/fields/1/type")
    );
    assert_eq!(
        forward(&old, &new),
        one("TYPE_MISMATCH", "/fields/0/type/fields/1/type")
    );
}

#[test]
fn array_items_and_map_values_are_checked() {
    let old = field(r#"{"type":"array","items":"long"}"#);
    let new = field(r#"{"type":"array","items":"int"}"#);
    assert_eq!(
        backward(&old, &new),
        one("TYPE_MISMATCH", "/fields/0/type/items")
    );
    assert_eq!(forward(&old, &new), vec![]);
    let old = field(r#"{"type":"map","values":"int"}"#);
    let new = field(r#"{"type":"map","values":"string"}"#);
    assert_eq!(
        backward(&old, &new),
        one("TYPE_MISMATCH", "/fields/0/type/values")
    );
    assert_eq!(
        forward(&old, &new),
        one("TYPE_MISMATCH", "/fields/0/type/values")
    );
    let (array, map) = (
        field(r#"{"type":"array","items":"int"}"#),
        field(r#"{"type":"map","values":"int"}"#),
    );
    assert_eq!(
        backward(&array, &map),
        one("TYPE_MISMATCH", "/fields/0/type")
    );
}

#[test]
fn logical_types_resolve_as_their_underlying_type() {
    let date = field(r#"{"type":"int","logicalType":"date"}"#);
    let timestamp = field(r#"{"type":"long","logicalType":"timestamp-millis"}"#);
    let decimal = field(r#"{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}"#);
    assert_eq!(backward(&date, &field(r#""int""#)), vec![]);
    // int (date) promotes to long (timestamp-millis), not the other way.
    assert_eq!(backward(&date, &timestamp), vec![]);
    assert_eq!(
        forward(&date, &timestamp),
        one("TYPE_MISMATCH", "/fields/0/type")
    );
    assert_eq!(backward(&decimal, &field(r#""string""#)), vec![]);
    assert_eq!(
        backward(&date, &field(r#""string""#)),
        one("TYPE_MISMATCH", "/fields/0/type")
    );
}

#[test]
fn recursive_types_terminate() {
    let list = r#"{"type":"record","name":"Node","fields":[{"name":"value","type":"int"},{"name":"next","type":["null","Node"]}]}"#;
    let wider = r#"{"type":"record","name":"Node","fields":[{"name":"value","type":"long"},{"name":"next","type":["null","Node"]}]}"#;
    assert_eq!(backward(list, list), vec![]);
    assert_eq!(backward(list, wider), vec![]);
    assert_eq!(forward(list, wider), one("TYPE_MISMATCH", "/fields/0/type"));
}

#[test]
fn messages_name_the_new_and_old_roles() {
    let old = parse(&record(r#"{"name":"a","type":"int"}"#));
    let new = parse(&record(
        r#"{"name":"a","type":"int"},{"name":"email","type":"string"}"#,
    ));
    let found = new.compatibility_findings(&old, Direction::Backward);
    assert_eq!(
        found[0].to_string(),
        "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'email' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'email'}"
    );
    let found = old.compatibility_findings(&new, Direction::Forward);
    assert!(
        found[0]
            .message
            .contains("in the old schema has no default value and is missing in the new schema")
    );
}

#[test]
fn defaults_that_do_not_match_their_type_are_invalid() {
    for text in [
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":null}]}"#,
        r#"{"type":"enum","name":"E","symbols":["A"],"default":"B"}"#,
    ] {
        let error = AvroSchema::parse(text, &[], ParseLimits::default()).err();
        assert!(
            matches!(error, Some(crate::SchemaError::Invalid(_))),
            "{text}: {error:?}"
        );
    }
}

fn stored(text: &str, references: &[crate::ReferencedSchema]) -> AvroSchema {
    AvroSchema::parse_as(
        text,
        references,
        ParseLimits::default(),
        crate::Validation::Stored,
    )
    .unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn a_stored_schema_keeps_defaults_that_do_not_match_and_warns() {
    let text = r#"{"type":"record","name":"R","namespace":"n","fields":[
        {"name":"a","type":"int","default":"x"},
        {"name":"b","type":["null","string"],"default":5},
        {"name":"c","type":{"type":"record","name":"In","fields":[{"name":"d","type":"long","default":1.5}]},"default":{"d":1}},
        {"name":"e","type":"string","default":"fine"}]}"#;
    let schema = stored(text, &[]);
    let warnings = schema.warnings();
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    for (field, record) in [("a", "n.R"), ("b", "n.R"), ("d", "n.In")] {
        let expected = format!("of field '{field}' in record '{record}' does not match");
        assert!(
            warnings.iter().any(|w| w.contains(&expected)),
            "{expected}: {warnings:?}"
        );
    }
    // The default stays part of the schema: in its canonical text, and as a
    // default for the compatibility rules (Java reads it so).
    assert!(
        schema.canonical().contains(r#""default":"x""#),
        "{}",
        schema.canonical()
    );
    let old = stored(
        r#"{"type":"record","name":"R","namespace":"n","fields":[]}"#,
        &[],
    );
    assert!(
        schema
            .compatibility_findings(&old, Direction::Backward)
            .is_empty()
    );
    // A valid schema parsed as stored has nothing to say.
    assert!(
        stored(
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":1}]}"#,
            &[]
        )
        .warnings()
        .is_empty()
    );
    // What is invalid for another reason stays refused.
    let broken =
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"nope","default":"x"}]}"#;
    let refused = AvroSchema::parse_as(
        broken,
        &[],
        ParseLimits::default(),
        crate::Validation::Stored,
    );
    assert!(refused.is_err());
}

#[test]
fn a_stored_reference_may_carry_a_default_that_does_not_match() {
    let referenced = crate::ReferencedSchema {
        name: "n.Dep".to_owned(),
        schema_type: crate::SchemaType::Avro,
        text: r#"{"type":"record","name":"Dep","namespace":"n","fields":[{"name":"z","type":"int","default":"no"}]}"#.to_owned(),
    };
    let text =
        r#"{"type":"record","name":"R","namespace":"n","fields":[{"name":"dep","type":"Dep"}]}"#;
    let refused = AvroSchema::parse(
        text,
        std::slice::from_ref(&referenced),
        ParseLimits::default(),
    );
    assert!(refused.is_err());
    let schema = stored(text, std::slice::from_ref(&referenced));
    assert_eq!(schema.warnings().len(), 1, "{:?}", schema.warnings());
    assert!(schema.warnings()[0].contains("'z' in record 'n.Dep'"));
}

#[test]
fn backward_findings_point_into_the_new_schema_text() {
    let old = parse(&record(r#"{"name":"a","type":"int"}"#));
    let new_text = "{\n  \"type\": \"record\", \"name\": \"R\", \"namespace\": \"test\",\n  \"fields\": [\n    {\"name\": \"a\", \"type\": \"boolean\"},\n    {\"name\": \"email\", \"type\": \"string\"}\n  ]\n}";
    let new = parse(new_text);
    let located: Vec<(&str, Option<(u32, u32)>)> = new
        .compatibility_findings(&old, Direction::Backward)
        .into_iter()
        .map(|f| (f.rule, f.location.map(|l| (l.line, l.column))))
        .collect();
    assert_eq!(
        located,
        vec![
            ("TYPE_MISMATCH", Some((4, 27))),
            ("READER_FIELD_MISSING_DEFAULT_VALUE", Some((5, 5)))
        ]
    );
    // FORWARD reads with the old schema: its paths do not point into the new text.
    assert!(
        new.compatibility_findings(&old, Direction::Forward)
            .iter()
            .all(|f| f.location.is_none())
    );
}

#[test]
fn a_named_type_defined_twice_is_invalid_not_a_panic() {
    let twice = r#"["null","int",{"type":"record","name":"P","fields":[{"name":"x","type":"double","default":1.5}]},{"type":"record","name":"P","fields":[{"name":"x","type":{"type":"record","name":"P","fields":[{"name":"x","type":"double","default":1.5}]},"default":1.5}]}]"#;
    let refused = AvroSchema::parse(twice, &[], ParseLimits::default()).err();
    assert!(
        matches!(&refused, Some(crate::SchemaError::Invalid(m)) if m.contains("'P' is defined more than once")),
        "{refused:?}"
    );
    // The same name in two namespaces is two types.
    let two = r#"{"type":"record","name":"a.P","fields":[{"name":"x","type":{"type":"record","name":"b.P","fields":[]}}]}"#;
    assert!(AvroSchema::parse(two, &[], ParseLimits::default()).is_ok());
}

#[test]
fn names_are_judged_by_java_rules_when_new_and_not_at_all_when_stored() {
    let record = |name: &str, namespace: &str, field: &str| {
        format!(
            r#"{{"type":"record","name":"{name}","namespace":"{namespace}","fields":[{{"name":"{field}","type":{{"type":"enum","name":"E","symbols":["A"]}}}}]}}"#
        )
    };
    // Java's strict validator takes Unicode letters; apache-avro's pattern does not.
    let unicode = record("Prüfung", "de.bücher", "größe");
    assert!(AvroSchema::parse(&unicode, &[], ParseLimits::default()).is_ok());
    let refused = [
        (
            record("my-record", "n", "f"),
            "Illegal character in: my-record",
        ),
        (
            record("R", "com.acme-x", "f"),
            "Illegal character in: acme-x",
        ),
        (record("R", "n", "1st"), "Illegal initial character: 1st"),
        (
            r#"{"type":"enum","name":"E","symbols":["ok","not-ok"]}"#.to_owned(),
            "Illegal character in: not-ok",
        ),
        (
            r#"{"type":"fixed","name":"F","size":2,"aliases":["bad alias"]}"#.to_owned(),
            "Illegal character in: bad alias",
        ),
    ];
    for (text, message) in refused {
        let error = AvroSchema::parse(&text, &[], ParseLimits::default()).err();
        assert!(
            matches!(&error, Some(crate::SchemaError::Invalid(m)) if m == message),
            "{text}: {error:?}"
        );
        // Stored (imported from a registry that did not validate), it parses.
        let schema = stored(&text, &[]);
        assert!(!schema.canonical().is_empty());
    }
}

#[test]
fn any_name_in_a_stored_schema_is_kept_as_written() {
    let names = [
        "", ".", "a.", "..", ".a.", "a..b", "-", "😀", "a b", "1", ".1.2",
    ];
    for name in names {
        for text in [
            format!(
                r#"{{"type":"record","name":"{name}","fields":[{{"name":"{name}","type":"int"}}]}}"#
            ),
            format!(r#"{{"type":"enum","name":"E","namespace":"{name}","symbols":["{name}"]}}"#),
            format!(r#"{{"type":"fixed","name":"F","size":1,"aliases":["{name}"]}}"#),
        ] {
            let schema = stored(&text, &[]);
            let quoted = serde_json::Value::from(name).to_string();
            assert!(
                schema.canonical().contains(&quoted),
                "{text}: {}",
                schema.canonical()
            );
            // New, Java's strict rule refuses every one of them.
            assert!(
                AvroSchema::parse(&text, &[], ParseLimits::default()).is_err(),
                "{text}"
            );
        }
    }
}
