//! Parsing, canonical form, serialized descriptors and message indexes.

use super::{ProtobufSchema, message_index};
use crate::{ParseLimits, ReferencedSchema, SchemaError, SchemaType};

fn parse(text: &str) -> ProtobufSchema {
    parse_with(text, &[])
}

fn parse_with(text: &str, references: &[ReferencedSchema]) -> ProtobufSchema {
    ProtobufSchema::parse(text, references, ParseLimits::default())
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

const WRITTEN_ONE_WAY: &str = r#"
syntax = "proto3";
package shop.v1;
import "google/protobuf/timestamp.proto";
import "confluent/meta.proto";
option java_package = "com.acme.shop";
option go_package = "acme/shop";

// An order.
message Order {
  string id = 1;
  google.protobuf.Timestamp placed_at = 3;
  Line lines = 2 [deprecated = true];
  message Line { int64 cents = 1; }
  oneof payment { string card = 5; string iban = 4; }
  map<string, string> tags = 6;
  optional int32 priority = 7;
}
enum Status { STATUS_UNSPECIFIED = 0; DONE = 2; OPEN = 1; }
"#;

const WRITTEN_ANOTHER_WAY: &str = r#"syntax="proto3";
package shop.v1;
import "confluent/meta.proto";
import "google/protobuf/timestamp.proto";
option go_package="acme/shop";
option java_package="com.acme.shop";
message Order {
  oneof payment { string iban = 4; string card = 5; }
  .shop.v1.Order.Line lines = 2 [deprecated=true];
  string id = 1;
  .google.protobuf.Timestamp placed_at = 3;
  map<string,string> tags = 6;
  optional int32 priority = 7;
  message Line { int64 cents = 1; }
}
enum Status { STATUS_UNSPECIFIED = 0; OPEN = 1; DONE = 2; }
"#;

#[test]
fn the_same_schema_written_differently_has_one_canonical_form() {
    assert_eq!(
        parse(WRITTEN_ONE_WAY).canonical(),
        parse(WRITTEN_ANOTHER_WAY).canonical()
    );
}

#[test]
fn the_canonical_form_is_stable_and_reads_back_the_same() {
    let canonical = parse(WRITTEN_ONE_WAY).canonical().to_owned();
    assert_eq!(parse(&canonical).canonical(), canonical);
    for expected in [
        "import \"confluent/meta.proto\";\nimport \"google/protobuf/timestamp.proto\";",
        "option go_package = \"acme/shop\";\noption java_package = \"com.acme.shop\";",
        "  .shop.v1.Order.Line lines = 2 [deprecated = true];\n  .google.protobuf.Timestamp placed_at = 3;",
        "  oneof payment {\n    string iban = 4;\n    string card = 5;\n  }",
        "  map<string, string> tags = 6;",
        "  optional int32 priority = 7;",
        "  OPEN = 1;\n  DONE = 2;",
    ] {
        assert!(
            canonical.contains(expected),
            "missing {expected:?} in\n{canonical}"
        );
    }
}

#[test]
fn semantic_differences_change_the_canonical_form() {
    let base = parse("syntax = \"proto3\"; message M { int32 a = 1; }")
        .canonical()
        .to_owned();
    for variant in [
        "syntax = \"proto3\"; message M { int32 a = 2; }",
        "syntax = \"proto3\"; message M { int64 a = 1; }",
        "syntax = \"proto3\"; message M { int32 b = 1; }",
        "syntax = \"proto3\"; message M { repeated int32 a = 1; }",
        "syntax = \"proto3\"; message M { int32 a = 1 [deprecated = true]; }",
        "syntax = \"proto3\"; message M { int32 a = 1; reserved 2; }",
        "syntax = \"proto3\"; package p; message M { int32 a = 1; }",
        "syntax = \"proto2\"; message M { optional int32 a = 1; }",
    ] {
        assert_ne!(parse(variant).canonical(), base, "{variant}");
    }
}

#[test]
fn syntax_errors_name_file_line_and_column() {
    let error = ProtobufSchema::parse(
        "syntax = \"proto3\";\nmessage M {\n  int32 a = ;\n}\n",
        &[],
        ParseLimits::default(),
    )
    .err();
    let Some(SchemaError::Invalid(message)) = error else {
        panic!("expected an invalid schema, got {error:?}")
    };
    assert!(message.contains("schema.proto:3:"), "{message}");
}

#[test]
fn unknown_imports_and_types_are_invalid_and_say_where() {
    for (text, at) in [
        (
            "syntax = \"proto3\";\nimport \"nowhere.proto\";\nmessage M {}",
            "schema.proto:2:1:",
        ),
        (
            "syntax = \"proto3\";\nmessage M {\n  Missing m = 1;\n}",
            "schema.proto:3:3:",
        ),
    ] {
        let error = ProtobufSchema::parse(text, &[], ParseLimits::default()).err();
        let Some(SchemaError::Invalid(message)) = error else {
            panic!("expected an invalid schema, got {error:?}")
        };
        assert!(message.contains(at), "{text}: {message}");
    }
}

#[test]
fn a_compiled_schema_holds_no_source_info_but_knows_where_things_are() {
    let schema = parse(WRITTEN_ONE_WAY);
    assert!(
        schema
            .file()
            .file_descriptor_proto()
            .source_code_info
            .is_none()
    );
    let order = schema
        .spans()
        .get(&[4, 0])
        .expect("message Order has a span");
    assert_eq!((order.start_line, order.start_col), (10, 1));
}

#[test]
fn serialized_descriptors_are_accepted_and_served() {
    let text = parse(WRITTEN_ONE_WAY);
    let serialized = text.serialized();
    let from_descriptor = parse(&serialized);
    assert_eq!(from_descriptor.canonical(), text.canonical());
    // The text kept for a serialized schema is printed from the descriptor.
    assert!(
        from_descriptor
            .formatted()
            .starts_with("syntax = \"proto3\";\npackage shop.v1;")
    );
    assert_eq!(from_descriptor.serialized(), serialized);
}

#[test]
fn references_may_be_serialized_too() {
    let dependency = "syntax = \"proto3\"; package dep; message Money { int64 cents = 1; }";
    let serialized = parse(dependency).serialized();
    let main = "syntax = \"proto3\"; import \"dep.proto\"; message Order { dep.Money total = 1; }";
    let reference = ReferencedSchema {
        name: "dep.proto".into(),
        schema_type: SchemaType::Protobuf,
        text: serialized,
    };
    assert!(
        parse_with(main, &[reference])
            .canonical()
            .contains(".dep.Money total = 1;")
    );
}

#[test]
fn extensions_can_be_left_out() {
    let text = "syntax = \"proto3\";\nimport \"google/protobuf/descriptor.proto\";\n\
                extend google.protobuf.FieldOptions { string note = 50000; }\n\
                message M { int32 a = 1 [(note) = \"x\", deprecated = true]; }";
    let schema = parse(text);
    assert!(schema.canonical().contains("(note) = \"x\""));
    let stripped = schema.without_extensions();
    assert!(!stripped.contains("extend"), "{stripped}");
    assert!(!stripped.contains("(note)"), "{stripped}");
    assert!(
        stripped.contains("int32 a = 1 [deprecated = true];"),
        "{stripped}"
    );
}

#[test]
fn message_index_paths_skip_map_entries() {
    let schema = parse(
        "syntax = \"proto3\"; message A { map<string, int32> m = 1; message B {} message C {} } message D {}",
    );
    assert_eq!(message_index::path_of(schema.file(), "A"), Some(vec![0]));
    assert_eq!(
        message_index::path_of(schema.file(), "A.C"),
        Some(vec![0, 1])
    );
    assert_eq!(message_index::path_of(schema.file(), "D"), Some(vec![1]));
    assert_eq!(message_index::path_of(schema.file(), "Nope"), None);
}

#[test]
fn deep_nesting_is_limited() {
    let mut text = String::from("syntax = \"proto3\";");
    for level in 0..10 {
        text.push_str(&format!(" message M{level} {{"));
    }
    text.push_str(&" }".repeat(10));
    let limits = ParseLimits { max_depth: 5 };
    assert_eq!(
        ProtobufSchema::parse(&text, &[], limits).err(),
        Some(SchemaError::TooDeep { limit: 5 })
    );
}

#[test]
fn deeply_nested_option_values_are_refused_before_the_parser() {
    let option = |depth: usize| {
        format!(
            "syntax = \"proto3\"; import \"google/protobuf/descriptor.proto\"; \
             message X {{ X a = 1; int32 b = 2; }} \
             extend google.protobuf.FileOptions {{ X x = 50001; }} \
             option (x) = {}b: 1{}; message M {{ int32 f = 1; }}",
            "{ a: ".repeat(depth),
            " }".repeat(depth)
        )
    };
    // Far beyond the limit (the parser alone would overflow its stack).
    assert_eq!(
        ProtobufSchema::parse(&option(100_000), &[], ParseLimits::default()).err(),
        Some(SchemaError::TooDeep { limit: 64 })
    );
    // Brackets in strings and comments do not count.
    let quoted = format!(
        "syntax = \"proto3\"; // {}\n message M {{ string f = 1 [json_name = \"{}\"]; }}",
        "{".repeat(100),
        "(".repeat(100)
    );
    assert!(ProtobufSchema::parse(&quoted, &[], ParseLimits::default()).is_ok());
}
