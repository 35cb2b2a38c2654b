//! Confluent's protobuf diff: every change type, compatible or breaking.

use super::ProtobufSchema;
use super::confluent_diff::{self, ALL};
use crate::{Direction, ParseLimits, ReferencedSchema, SchemaType};

fn parse_with(text: &str, references: &[ReferencedSchema]) -> ProtobufSchema {
    ProtobufSchema::parse(text, references, ParseLimits::default())
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn proto3(body: &str) -> String {
    format!("syntax = \"proto3\";\npackage test;\n{body}")
}

fn proto2(body: &str) -> String {
    format!("syntax = \"proto2\";\npackage test;\n{body}")
}

/// Every difference from `old` to `new`, as `(type, path)`.
fn diff(old: &str, new: &str) -> Vec<(&'static str, String)> {
    confluent_diff::differences(&parse_with(old, &[]), &parse_with(new, &[]))
        .into_iter()
        .map(|d| (d.change.id, d.path))
        .collect()
}

/// The breaking findings when `new` replaces `old` (BACKWARD).
fn breaking(old: &str, new: &str) -> Vec<(&'static str, String)> {
    parse_with(new, &[])
        .compatibility_findings(&parse_with(old, &[]), Direction::Backward)
        .into_iter()
        .map(|f| (f.rule, f.path))
        .collect()
}

fn at(change: &'static str, path: &str) -> (&'static str, String) {
    (change, path.to_owned())
}

#[test]
fn the_change_types_and_the_compatible_set() {
    assert_eq!(ALL.len(), 26);
    let compatible: Vec<&str> = ALL.iter().filter(|c| c.compatible).map(|c| c.id).collect();
    assert_eq!(
        compatible,
        [
            "MESSAGE_ADDED",
            "MESSAGE_MOVED",
            "ENUM_ADDED",
            "ENUM_REMOVED",
            "ENUM_CONST_ADDED",
            "ENUM_CONST_CHANGED",
            "ENUM_CONST_REMOVED",
            "FIELD_ADDED",
            "FIELD_REMOVED",
            "FIELD_NAME_CHANGED",
            "FIELD_STRING_OR_BYTES_LABEL_CHANGED",
            "ONEOF_ADDED",
            "ONEOF_REMOVED",
            "ONEOF_FIELD_ADDED",
            "ONEOF_FIELD_MOVED_TO_TOP_LEVEL",
        ]
    );
}

#[test]
fn identical_schemas_have_no_differences() {
    let text = proto3("message M { int32 a = 1; map<string, M> children = 2; }");
    assert_eq!(diff(&text, &text), vec![]);
}

#[test]
fn package_changed_breaks() {
    let old = "syntax = \"proto3\"; package a; message M {}";
    let new = "syntax = \"proto3\"; package b; message M {}";
    assert_eq!(breaking(old, new), vec![at("PACKAGE_CHANGED", "#/")]);
}

#[test]
fn messages_added_removed_and_moved() {
    let one = proto3("message A {}");
    let two = proto3("message A {}\nmessage B {}");
    let swapped = proto3("message B {}\nmessage A {}");
    assert_eq!(diff(&one, &two), vec![at("MESSAGE_ADDED", "#/B")]);
    assert_eq!(breaking(&one, &two), vec![]);
    assert_eq!(breaking(&two, &one), vec![at("MESSAGE_REMOVED", "#/B")]);
    assert_eq!(
        diff(&two, &swapped),
        vec![at("MESSAGE_MOVED", "#/A"), at("MESSAGE_MOVED", "#/B")]
    );
    assert_eq!(breaking(&two, &swapped), vec![]);
}

#[test]
fn fields_added_removed_and_renamed_are_compatible() {
    let old = proto3("message M { int32 a = 1; int32 b = 2; }");
    let new = proto3("message M { int32 renamed = 1; int32 c = 3; }");
    assert_eq!(
        diff(&old, &new),
        vec![
            at("FIELD_NAME_CHANGED", "#/M/1"),
            at("FIELD_REMOVED", "#/M/2"),
            at("FIELD_ADDED", "#/M/3")
        ]
    );
    assert_eq!(breaking(&old, &new), vec![]);
}

#[test]
fn scalar_kinds_change_only_across_wire_groups() {
    let field = |t: &str| proto3(&format!("message M {{ {t} f = 1; }}"));
    let same_group = [
        ("int32", "int64"),
        ("uint32", "bool"),
        ("int64", "uint64"),
        ("sint32", "sint64"),
        ("fixed32", "sfixed32"),
        ("fixed64", "sfixed64"),
        ("string", "bytes"),
    ];
    for (a, b) in same_group {
        assert_eq!(diff(&field(a), &field(b)), vec![], "{a} -> {b}");
    }
    let other_group = [
        ("int32", "sint32"),
        ("int32", "string"),
        ("fixed32", "fixed64"),
        ("float", "double"),
    ];
    for (a, b) in other_group {
        assert_eq!(
            breaking(&field(a), &field(b)),
            vec![at("FIELD_SCALAR_KIND_CHANGED", "#/M/1")],
            "{a} -> {b}"
        );
    }
    // An enum is a general number.
    let with_enum = proto3("enum E { Z = 0; }\nmessage M { E f = 1; }");
    assert_eq!(breaking(&field("int32"), &with_enum), vec![]);
    assert_eq!(
        breaking(&field("string"), &with_enum),
        vec![at("FIELD_SCALAR_KIND_CHANGED", "#/M/1")]
    );
}

#[test]
fn kind_and_named_type_changes_break() {
    let scalar = proto3("message N {}\nmessage O {}\nmessage M { int32 f = 1; }");
    let message = proto3("message N {}\nmessage O {}\nmessage M { N f = 1; }");
    let other = proto3("message N {}\nmessage O {}\nmessage M { O f = 1; }");
    let map = proto3("message N {}\nmessage O {}\nmessage M { map<string, N> f = 1; }");
    assert_eq!(
        breaking(&scalar, &message),
        vec![at("FIELD_KIND_CHANGED", "#/M/1")]
    );
    assert_eq!(
        breaking(&message, &other),
        vec![at("FIELD_NAMED_TYPE_CHANGED", "#/M/1")]
    );
    assert_eq!(
        breaking(&message, &map),
        vec![at("FIELD_KIND_CHANGED", "#/M/1")]
    );
}

#[test]
fn map_keys_and_values_are_compared() {
    let map = |k: &str, v: &str| proto3(&format!("message M {{ map<{k}, {v}> f = 1; }}"));
    assert_eq!(
        diff(&map("string", "int32"), &map("string", "int64")),
        vec![]
    );
    assert_eq!(
        breaking(&map("string", "int32"), &map("string", "string")),
        vec![at("FIELD_SCALAR_KIND_CHANGED", "#/M/1")]
    );
    assert_eq!(
        breaking(&map("int32", "int32"), &map("string", "int32")),
        vec![at("FIELD_SCALAR_KIND_CHANGED", "#/M/1")]
    );
}

#[test]
fn label_changes_of_explicitly_labelled_scalars() {
    let field = |label: &str, t: &str| proto2(&format!("message M {{ {label} {t} f = 1; }}"));
    assert_eq!(
        breaking(&field("optional", "int32"), &field("repeated", "int32")),
        vec![at("FIELD_NUMERIC_LABEL_CHANGED", "#/M/1")]
    );
    assert_eq!(
        diff(&field("optional", "string"), &field("repeated", "bytes")),
        vec![at("FIELD_STRING_OR_BYTES_LABEL_CHANGED", "#/M/1")]
    );
    assert_eq!(
        breaking(&field("optional", "string"), &field("repeated", "string")),
        vec![]
    );
    // A proto3 field without a label has none to compare, as in Confluent.
    let implicit = proto3("message M { int32 f = 1; }");
    let repeated = proto3("message M { repeated int32 f = 1; }");
    assert_eq!(diff(&implicit, &repeated), vec![]);
    let optional = proto3("message M { optional int32 f = 1; }");
    assert_eq!(
        breaking(&optional, &repeated),
        vec![at("FIELD_NUMERIC_LABEL_CHANGED", "#/M/1")]
    );
}

#[test]
fn required_fields_added_or_removed_break() {
    let without = proto2("message M { optional int32 a = 1; }");
    let with = proto2("message M { optional int32 a = 1; required int32 b = 2; }");
    assert_eq!(
        breaking(&without, &with),
        vec![at("REQUIRED_FIELD_ADDED", "#/M/2")]
    );
    assert_eq!(
        breaking(&with, &without),
        vec![at("REQUIRED_FIELD_REMOVED", "#/M/2")]
    );
}

#[test]
fn oneofs_added_removed_and_their_fields() {
    let none = proto3("message M { int32 a = 1; }");
    let with = proto3("message M { int32 a = 1; oneof o { int32 b = 2; } }");
    let wider = proto3("message M { int32 a = 1; oneof o { int32 b = 2; string c = 3; } }");
    assert_eq!(
        diff(&none, &with),
        vec![
            at("ONEOF_ADDED", "#/M/o"),
            at("ONEOF_FIELD_ADDED", "#/M/o/2")
        ]
    );
    // The whole oneof went away with its members: one removal, compatible.
    assert_eq!(diff(&with, &none), vec![at("ONEOF_REMOVED", "#/M/o")]);
    assert_eq!(
        diff(&with, &wider),
        vec![at("ONEOF_FIELD_ADDED", "#/M/o/3")]
    );
    assert_eq!(
        breaking(&wider, &with),
        vec![at("ONEOF_FIELD_REMOVED", "#/M/o/3")]
    );
    let retyped = proto3("message M { int32 a = 1; oneof o { string b = 2; } }");
    assert_eq!(
        breaking(&with, &retyped),
        vec![at("FIELD_SCALAR_KIND_CHANGED", "#/M/o/2")]
    );
}

#[test]
fn fields_moving_into_and_out_of_oneofs() {
    let flat = proto3("message M { int32 a = 1; int32 b = 2; int32 c = 3; }");
    let one_moved = proto3("message M { int32 a = 1; int32 b = 2; oneof o { int32 c = 3; } }");
    let two_moved = proto3("message M { int32 a = 1; oneof o { int32 b = 2; int32 c = 3; } }");
    assert_eq!(breaking(&flat, &one_moved), vec![]);
    assert_eq!(
        breaking(&flat, &two_moved),
        vec![at("MULTIPLE_FIELDS_MOVED_TO_ONEOF", "#/M/o")]
    );
    let existing = proto3("message M { int32 a = 1; int32 b = 2; oneof o { int32 c = 3; } }");
    let joined = proto3("message M { int32 a = 1; oneof o { int32 b = 2; int32 c = 3; } }");
    assert_eq!(
        breaking(&existing, &joined),
        vec![at("FIELD_MOVED_TO_EXISTING_ONEOF", "#/M/o")]
    );
    // Out of a oneof to the top level: compatible, reported at the field.
    assert_eq!(
        diff(&one_moved, &flat),
        vec![
            at("ONEOF_REMOVED", "#/M/o"),
            at("ONEOF_FIELD_MOVED_TO_TOP_LEVEL", "#/M/3")
        ]
    );
    let two_oneofs =
        proto3("message M { int32 a = 1; oneof o { int32 b = 2; } oneof p { int32 c = 3; } }");
    let merged_out = proto3("message M { int32 a = 1; oneof o { int32 b = 2; } int32 c = 3; }");
    assert_eq!(
        diff(&two_oneofs, &merged_out),
        vec![
            at("ONEOF_REMOVED", "#/M/p"),
            at("ONEOF_FIELD_MOVED_TO_TOP_LEVEL", "#/M/3")
        ]
    );
    let left_oneof =
        proto3("message M { int32 a = 1; int32 b = 2; oneof o { int32 c = 3; int32 d = 4; } }");
    let to_top =
        proto3("message M { int32 a = 1; int32 b = 2; int32 c = 3; oneof o { int32 d = 4; } }");
    assert_eq!(
        diff(&left_oneof, &to_top),
        vec![at("ONEOF_FIELD_MOVED_TO_TOP_LEVEL", "#/M/3")]
    );
    assert_eq!(breaking(&left_oneof, &to_top), vec![]);
    // A field whose type changes while it moves is still caught.
    let moved_retyped = proto3("message M { int32 a = 1; int32 b = 2; oneof o { string c = 3; } }");
    assert_eq!(
        breaking(&flat, &moved_retyped),
        vec![at("FIELD_SCALAR_KIND_CHANGED", "#/M/o/3")]
    );
}

/// Confluent's 2026 oneof rules: membership changes that make earlier
/// independent fields mutually exclusive are breaking, wherever they come
/// from; a member dropped while its oneof is renamed is a removal; and a
/// field's own change is reported under its new oneof.
#[test]
fn oneofs_renamed_merged_and_moved_between() {
    let two = proto3("message M { oneof x { int32 a = 1; } oneof y { int32 b = 2; } }");
    let moved_between = proto3("message M { oneof x { int32 a = 1; int32 b = 2; } }");
    assert_eq!(
        breaking(&two, &moved_between),
        vec![at("FIELD_MOVED_TO_EXISTING_ONEOF", "#/M/x")]
    );
    let merged = proto3("message M { oneof z { int32 a = 1; int32 b = 2; } }");
    assert_eq!(
        breaking(&two, &merged),
        vec![at("FIELD_MOVED_TO_EXISTING_ONEOF", "#/M/z")]
    );
    assert_eq!(
        diff(&two, &merged),
        vec![
            at("FIELD_MOVED_TO_EXISTING_ONEOF", "#/M/z"),
            at("ONEOF_REMOVED", "#/M/x"),
            at("ONEOF_REMOVED", "#/M/y"),
            at("ONEOF_ADDED", "#/M/z"),
        ]
    );
    let both = proto3("message M { oneof x { int32 a = 1; int32 b = 2; } }");
    let renamed_dropped = proto3("message M { oneof z { int32 a = 1; } }");
    assert_eq!(
        breaking(&both, &renamed_dropped),
        vec![at("ONEOF_FIELD_REMOVED", "#/M/x/2")]
    );
    let renamed_retyped = proto3("message M { oneof z { string a = 1; int32 b = 2; } }");
    assert_eq!(
        breaking(&both, &renamed_retyped),
        vec![at("FIELD_SCALAR_KIND_CHANGED", "#/M/z/1")]
    );
}

#[test]
fn enums_and_constants_change_compatibly() {
    let old = proto3("enum E { A = 0; B = 1; C = 2; }\nenum Gone { X = 0; }\nmessage M {}");
    let new = proto3("enum E { A = 0; BEE = 1; D = 3; }\nenum New { Y = 0; }\nmessage M {}");
    assert_eq!(
        diff(&old, &new),
        vec![
            at("ENUM_CONST_CHANGED", "#/E/1"),
            at("ENUM_CONST_REMOVED", "#/E/2"),
            at("ENUM_CONST_ADDED", "#/E/3"),
            at("ENUM_REMOVED", "#/Gone"),
            at("ENUM_ADDED", "#/New"),
        ]
    );
    assert_eq!(breaking(&old, &new), vec![]);
}

#[test]
fn nested_types_have_nested_paths() {
    let old = proto3("message M { message Inner { int32 x = 1; } Inner i = 1; }");
    let new = proto3("message M { message Inner { string x = 1; } Inner i = 1; }");
    assert_eq!(
        breaking(&old, &new),
        vec![at("FIELD_SCALAR_KIND_CHANGED", "#/M/Inner/1")]
    );
}

#[test]
fn forward_runs_the_diff_the_other_way() {
    let one = parse_with(&proto3("message A {}"), &[]);
    let two = parse_with(&proto3("message A {}\nmessage B {}"), &[]);
    assert!(
        two.compatibility_findings(&one, Direction::Forward)
            .iter()
            .any(|f| f.rule == "MESSAGE_REMOVED")
    );
    assert!(
        two.compatibility_findings(&one, Direction::Backward)
            .is_empty()
    );
}

#[test]
fn findings_render_type_and_path() {
    let old = parse_with(
        &proto3("message TestMessage { int32 a = 1; int32 b = 2; }"),
        &[],
    );
    let new = parse_with(
        &proto3("message TestMessage { int32 a = 1; string b = 2; }"),
        &[],
    );
    let findings = new.compatibility_findings(&old, Direction::Backward);
    assert_eq!(findings.len(), 1);
    assert_eq!(
        findings[0].detail,
        "FIELD_SCALAR_KIND_CHANGED #/TestMessage/2"
    );
    assert!(
        findings[0]
            .message
            .contains("'#/TestMessage/2' in the new schema"),
        "{}",
        findings[0].message
    );
}

fn reference(name: &str, text: &str) -> ReferencedSchema {
    ReferencedSchema {
        name: name.to_owned(),
        schema_type: SchemaType::Protobuf,
        text: text.to_owned(),
    }
}

#[test]
fn referenced_message_types_are_compared_structurally() {
    let dep_v1 = "syntax = \"proto3\"; package dep; message Money { int64 cents = 1; }";
    let dep_v2 = "syntax = \"proto3\"; package dep; message Money { string cents = 1; }";
    let main = "syntax = \"proto3\"; package shop; import \"dep/money.proto\"; message Order { dep.Money total = 1; }";
    let old = parse_with(main, &[reference("dep/money.proto", dep_v1)]);
    let same = parse_with(main, &[reference("dep/money.proto", dep_v1)]);
    let new = parse_with(main, &[reference("dep/money.proto", dep_v2)]);
    assert!(
        same.compatibility_findings(&old, Direction::Backward)
            .is_empty()
    );
    let found: Vec<(&str, String)> = new
        .compatibility_findings(&old, Direction::Backward)
        .into_iter()
        .map(|f| (f.rule, f.path))
        .collect();
    assert_eq!(
        found,
        vec![
            at("FIELD_SCALAR_KIND_CHANGED", "#/Money/1"),
            at("FIELD_NAMED_TYPE_CHANGED", "#/Order/1")
        ]
    );
}

#[test]
fn well_known_types_import_without_references() {
    let text = proto3(
        "import \"google/protobuf/timestamp.proto\";\nimport \"confluent/meta.proto\";\nimport \"confluent/type/decimal.proto\";\n\
         message M { google.protobuf.Timestamp at = 1 [(confluent.field_meta).doc = \"when\"]; confluent.type.Decimal amount = 2; }",
    );
    assert_eq!(diff(&text, &text), vec![]);
}

#[test]
fn findings_point_at_the_element_in_the_new_schema() {
    let old = parse_with(
        &proto3(
            "message TestMessage {\n  int32 a = 1;\n  int32 b = 2;\n  message Inner { int32 x = 1; }\n}",
        ),
        &[],
    );
    let new = parse_with(
        &proto3(
            "message TestMessage {\n  int32 a = 1;\n  string b = 2;\n  message Inner { string x = 1; }\n}",
        ),
        &[],
    );
    let located: Vec<(String, Option<(u32, u32)>)> = new
        .compatibility_findings(&old, Direction::Backward)
        .into_iter()
        .map(|f| (f.path, f.location.map(|l| (l.line, l.column))))
        .collect();
    // proto3() puts two lines (syntax, package) before the body.
    assert_eq!(
        located,
        vec![
            ("#/TestMessage/2".to_owned(), Some((5, 3))),
            ("#/TestMessage/Inner/1".to_owned(), Some((6, 19))),
        ]
    );
    // A removed message has nothing to point at in the new schema.
    let gone = parse_with(&proto3("message Other {}"), &[]);
    let removed = gone.compatibility_findings(&old, Direction::Backward);
    assert_eq!(
        removed.iter().map(|f| f.location).collect::<Vec<_>>(),
        vec![None]
    );
}
