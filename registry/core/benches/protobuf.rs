//! Parse, canonicalise and check a ~2,000-line `.proto` (hundreds of
//! messages) against its previous version. Run with
//! `cargo bench -p herald-core --bench protobuf`; figures go to
//! docs/benchmarks.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use herald_core::protobuf::buf::Category;
use herald_core::{
    CheckRules, CompatibilityLevel, ParseLimits, ParsedSchema, ProtobufRules, SchemaType,
};

/// A proto3 file with `messages` messages of six fields each, an enum per
/// ten messages, and references between messages; `revision` changes a few
/// fields compatibly (new fields, renames) so the diff has work to do.
fn generate(messages: usize, revision: usize) -> String {
    let mut text = String::from(
        "syntax = \"proto3\";\npackage bench.v1;\n\nimport \"google/protobuf/timestamp.proto\";\n\n",
    );
    for m in 0..messages {
        if m % 10 == 0 {
            text.push_str(&format!("enum Kind{m} {{\n  KIND{m}_UNSPECIFIED = 0;\n  KIND{m}_A = 1;\n  KIND{m}_B = 2;\n}}\n\n"));
        }
        text.push_str(&format!("message Message{m} {{\n"));
        text.push_str(
            "  string id = 1;\n  int64 count = 2;\n  google.protobuf.Timestamp at = 3;\n",
        );
        text.push_str(&format!("  Kind{} kind = 4;\n", m - m % 10));
        let previous = if m == 0 { 0 } else { m - 1 };
        text.push_str(&format!("  repeated Message{previous} children = 5;\n"));
        let name = if revision > 0 && m % 7 == 0 {
            "tags_renamed"
        } else {
            "tags"
        };
        text.push_str(&format!("  map<string, string> {name} = 6;\n"));
        if revision > 0 && m % 5 == 0 {
            text.push_str("  optional string note = 7;\n");
        }
        text.push_str("}\n\n");
    }
    text
}

/// Serves the benchmark schema as `schema.proto`.
struct InMemory(String);

impl protox::file::FileResolver for InMemory {
    fn open_file(&self, name: &str) -> Result<protox::file::File, protox::Error> {
        match name {
            "schema.proto" => protox::file::File::from_source(name, &self.0),
            _ => Err(protox::Error::file_not_found(name)),
        }
    }
}

fn time<T>(label: &str, runs: u32, mut work: impl FnMut() -> T) -> Duration {
    work();
    let start = Instant::now();
    for _ in 0..runs {
        black_box(work());
    }
    let each = start.elapsed() / runs;
    println!("{label:<48} {:>10.3} ms", each.as_secs_f64() * 1000.0);
    each
}

fn main() {
    let parse = |text: &str| {
        ParsedSchema::parse(SchemaType::Protobuf, text, &[], ParseLimits::default())
            .unwrap_or_else(|e| panic!("benchmark schema must parse: {e}"))
    };
    let old_text = generate(300, 0);
    let new_text = generate(300, 1);
    println!(
        "schema: {} lines, {} bytes, 300 messages, 30 enums",
        new_text.lines().count(),
        new_text.len()
    );
    let ceiling = time("ceiling: protox compile alone (same file)", 20, || {
        let mut resolver = protox::file::ChainFileResolver::new();
        resolver.add(InMemory(new_text.clone()));
        resolver.add(protox::file::GoogleFileResolver::new());
        let mut compiler = protox::Compiler::with_file_resolver(resolver);
        compiler.include_imports(true).include_source_info(true);
        compiler
            .open_file("schema.proto")
            .map(|_| ())
            .unwrap_or_else(|e| panic!("{e:?}"));
        compiler.descriptor_pool()
    });
    let ours = time("parse + canonicalise (protox, printer)", 20, || {
        parse(&new_text)
    });
    println!(
        "{:<48} {:>10.2}x",
        "ratio to the ceiling",
        ours.as_secs_f64() / ceiling.as_secs_f64()
    );
    let old = parse(&old_text);
    let new = parse(&new_text);
    time("BACKWARD check against previous version", 50, || {
        CompatibilityLevel::Backward.check_pair(&new, &old, CheckRules::default())
    });
    time("FULL check against previous version", 50, || {
        CompatibilityLevel::Full.check_pair(&new, &old, CheckRules::default())
    });
    time("BACKWARD check with buf's FILE rules", 50, || {
        CompatibilityLevel::Backward.check_pair(
            &new,
            &old,
            CheckRules {
                protobuf: ProtobufRules::Buf(Category::File),
                ..CheckRules::default()
            },
        )
    });
    let findings = CompatibilityLevel::Full.check_pair(&new, &old, CheckRules::default());
    println!("findings (FULL): {}", findings.len());
}
