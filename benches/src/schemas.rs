//! Realistic schemas of a chosen size for the benchmarks: an Avro record
//! mixing every kind of field, a `.proto` file of related messages, a JSON
//! Schema object; and next versions of each that stay compatible.

/// An Avro record `Event` with `fields` fields cycling through strings,
/// numbers, logical types, optional unions, arrays, maps and enums; plus,
/// with `extra`, one more optional field of that name (a compatible next
/// version).
pub fn avro_record(fields: usize, extra: Option<&str>) -> String {
    let mut parts = Vec::with_capacity(fields + 1);
    for i in 0..fields {
        let kind = match i % 10 {
            0 => r#""string""#.to_owned(),
            1 => r#""long""#.to_owned(),
            2 => r#""int""#.to_owned(),
            3 => r#""double""#.to_owned(),
            4 => r#""boolean""#.to_owned(),
            5 => r#"{"type":"long","logicalType":"timestamp-millis"}"#.to_owned(),
            6 => r#"["null","string"],"default":null"#.to_owned(),
            7 => r#"{"type":"array","items":"string"}"#.to_owned(),
            8 => r#"{"type":"map","values":"long"}"#.to_owned(),
            _ => format!(r#"{{"type":"enum","name":"Kind{i}","symbols":["A","B","C"]}}"#),
        };
        parts.push(format!(r#"{{"name":"field_{i}","type":{kind}}}"#));
    }
    if let Some(extra) = extra {
        parts.push(format!(
            r#"{{"name":"{extra}","type":["null","string"],"default":null}}"#
        ));
    }
    format!(
        r#"{{"type":"record","name":"Event","namespace":"bench.v1","fields":[{}]}}"#,
        parts.join(",")
    )
}

/// A proto3 file with `messages` messages of six fields each (scalars, a
/// well-known type, an enum, a repeated message, a map) and an enum per ten
/// messages; `revision` > 0 changes some fields compatibly (renamed map
/// fields, new optional fields), so a check has work to do.
pub fn proto_file(messages: usize, revision: usize) -> String {
    let mut text = String::from(
        "syntax = \"proto3\";\npackage bench.v1;\n\nimport \"google/protobuf/timestamp.proto\";\n\n",
    );
    for m in 0..messages {
        if m % 10 == 0 {
            text.push_str(&format!(
                "enum Kind{m} {{\n  KIND{m}_UNSPECIFIED = 0;\n  KIND{m}_A = 1;\n  KIND{m}_B = 2;\n}}\n\n"
            ));
        }
        text.push_str(&format!("message Message{m} {{\n"));
        text.push_str(
            "  string id = 1;\n  int64 count = 2;\n  google.protobuf.Timestamp at = 3;\n",
        );
        text.push_str(&format!("  Kind{} kind = 4;\n", m - m % 10));
        text.push_str(&format!(
            "  repeated Message{} children = 5;\n",
            m.saturating_sub(1)
        ));
        let map = if revision > 0 && m % 7 == 0 {
            "tags_renamed"
        } else {
            "tags"
        };
        text.push_str(&format!("  map<string, string> {map} = 6;\n"));
        if revision > 0 && m % 5 == 0 {
            text.push_str("  optional string note = 7;\n");
        }
        text.push_str("}\n\n");
    }
    text
}

/// A JSON Schema object with `properties` typed properties, half required;
/// with `extra`, one more optional property (a compatible next version
/// under an open content model).
pub fn json_object(properties: usize, extra: Option<&str>) -> String {
    let mut parts = Vec::with_capacity(properties + 1);
    let mut required = Vec::new();
    for i in 0..properties {
        let kind = match i % 5 {
            0 => r#"{"type":"string","maxLength":64}"#,
            1 => r#"{"type":"integer","minimum":0}"#,
            2 => r#"{"type":"number"}"#,
            3 => r#"{"type":"boolean"}"#,
            _ => r#"{"type":"array","items":{"type":"string"}}"#,
        };
        parts.push(format!(r#""p{i}":{kind}"#));
        if i % 2 == 0 {
            required.push(format!(r#""p{i}""#));
        }
    }
    if let Some(extra) = extra {
        parts.push(format!(r#""{extra}":{{"type":"string"}}"#));
    }
    format!(
        r#"{{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{{{}}},"required":[{}]}}"#,
        parts.join(","),
        required.join(",")
    )
}
