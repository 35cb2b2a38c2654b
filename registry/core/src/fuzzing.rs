//! What the fuzz targets (`fuzz/`) run, and their regression test: each
//! function takes arbitrary bytes and must return (an error is fine) without
//! panicking, overflowing its stack or running without bound.

use base64::Engine;

use crate::project;
use crate::protobuf::buf::Category;
use crate::protobuf::message_index;
use crate::{
    CheckRules, CompatibilityLevel, CompatibilityPolicy, ParseLimits, ParsedSchema, ProtobufRules,
    SchemaType,
};

/// Separates the old schema from the new one in a fuzz input.
pub const SEPARATOR: &str = "\n----\n";

/// Parses `data` (`old SEPARATOR new`, or one schema) as `schema_type`;
/// when both parse, judges them under FULL with every rule set, and
/// renders each parsed schema in every form it has.
pub fn schemas(schema_type: SchemaType, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (old, new) = text.split_once(SEPARATOR).unwrap_or((&text, &text));
    let limits = ParseLimits::default();
    let (Ok(old), Ok(new)) = (
        ParsedSchema::parse(schema_type, old, &[], limits),
        ParsedSchema::parse(schema_type, new, &[], limits),
    ) else {
        return;
    };
    for parsed in [&old, &new] {
        let _ = (parsed.canonical(), parsed.normalized(), parsed.formatted());
        let _ = (
            parsed.render("serialized"),
            parsed.render("ignore_extensions"),
        );
    }
    let protobuf_rules = [
        ProtobufRules::Confluent,
        ProtobufRules::Buf(Category::File),
        ProtobufRules::Buf(Category::Wire),
    ];
    for protobuf in protobuf_rules {
        for json in [CompatibilityPolicy::Strict, CompatibilityPolicy::Lenient] {
            let rules = CheckRules { protobuf, json };
            let _ = CompatibilityLevel::Full.check_pair(&new, &old, rules);
        }
    }
}

/// Parses `data` as a serialized `FileDescriptorProto` (as registered in
/// base64 by Confluent's serializers).
pub fn serialized_descriptor(data: &[u8]) {
    let text = base64::engine::general_purpose::STANDARD.encode(data);
    if let Ok(parsed) =
        ParsedSchema::parse(SchemaType::Protobuf, &text, &[], ParseLimits::default())
    {
        let _ = (parsed.canonical(), parsed.render("serialized"));
    }
}

/// Reads `data` as the Protobuf message indexes of Confluent's wire format
/// (what follows the 5-byte header), and writes back what it read.
pub fn message_indexes(data: &[u8]) {
    if let Ok((indexes, used)) = message_index::decode(data) {
        assert!(used <= data.len());
        let encoded = message_index::encode(&indexes);
        assert_eq!(
            message_index::decode(&encoded).ok().map(|(again, _)| again),
            Some(indexes)
        );
    }
}

/// Reads `data` as a `herald.toml`; names the subjects of its `dir`
/// entries as if `data` were also each directory's `.proto` file, and reads
/// that file's imports.
pub fn project_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = project::imports(&text);
    let Ok(parsed) = project::parse(&text) else {
        return;
    };
    for entry in &parsed.entries {
        if let project::ProjectEntry::Directory { dir, naming } = entry {
            let relative = dir.join("file.proto");
            let _ = project::subject_name(naming, &relative.to_string_lossy(), &text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fuzz target: its folder name and what it runs.
    type Target = (&'static str, fn(&[u8]));

    /// Every input a fuzzer once broke Herald with stays harmless.
    #[test]
    fn regression_inputs_are_harmless() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
        let targets: [Target; 6] = [
            ("avro", |data| schemas(SchemaType::Avro, data)),
            ("json_schema", |data| schemas(SchemaType::Json, data)),
            ("proto_text", |data| schemas(SchemaType::Protobuf, data)),
            ("proto_serialized", serialized_descriptor),
            ("wire_format", message_indexes),
            ("herald_toml", project_file),
        ];
        let mut ran = 0;
        for (target, run) in targets {
            let Ok(entries) = std::fs::read_dir(root.join(target)) else {
                continue;
            };
            for entry in entries.flatten() {
                let data = std::fs::read(entry.path()).unwrap_or_default();
                run(&data);
                ran += 1;
            }
        }
        assert!(ran > 0, "no regression inputs under {}", root.display());
    }
}
