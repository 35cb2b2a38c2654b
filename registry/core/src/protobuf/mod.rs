//! Protocol Buffers: parsing with protox (no `protoc`), references and
//! built-in imports, the canonical form, Confluent's message indexes, and
//! Confluent's compatibility diff.

pub mod buf;
pub mod confluent_diff;
#[cfg(test)]
mod confluent_diff_tests;
pub mod message_index;
#[cfg(test)]
mod parse_tests;
mod printer;
mod sources;
mod tags;

pub(crate) use tags::retag;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use prost::Message;
use prost_reflect::{DescriptorPool, DynamicMessage, FileDescriptor};
use protox::file::File;

use buf::SourceSpans;

use crate::{Direction, Finding, Location, ParseLimits, ReferencedSchema, SchemaError, SchemaType};

pub use sources::is_builtin;

/// The file name a schema's own text is compiled under.
pub const SCHEMA_FILE: &str = "schema.proto";

/// Where a file of the compiled set came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The schema itself.
    Schema,
    /// A reference, by its name (the import path).
    Reference(String),
    /// A built-in file (well-known types, `confluent/*.proto`).
    Builtin,
}

/// A parsed `.proto` schema with everything it imports linked in.
#[derive(Debug)]
pub struct ProtobufSchema {
    file: FileDescriptor,
    origins: HashMap<String, Origin>,
    canonical: String,
    formatted: String,
    spans: OnceLock<Arc<SourceSpans>>,
}

impl ProtobufSchema {
    /// Parses `text` (a `.proto` file, or base64 of a serialized
    /// `FileDescriptorProto`); `references` map import paths to the texts
    /// of every transitive dependency.
    pub fn parse(
        text: &str,
        references: &[ReferencedSchema],
        limits: ParseLimits,
    ) -> Result<Self, SchemaError> {
        for reference in references {
            reference.require_type(SchemaType::Protobuf)?;
            check_nesting(&reference.text, limits)?;
        }
        let serialized = decode_serialized(text);
        if serialized.is_none() {
            check_nesting(text, limits)?;
        }
        let attempt = |spans| {
            let (files, main_name) =
                compiler_files(text, serialized.as_deref(), references, spans)?;
            Ok::<_, SchemaError>((compile(files, &main_name), main_name))
        };
        // Compiled without source info, which would cost more memory than
        // the rest of the compiled file; a schema that does not compile is
        // compiled again with it, for an error that says where.
        let (pool, main_name) = match attempt(Spans::Left)? {
            (Ok(pool), main_name) => (pool, main_name),
            (Err(error), _) => {
                let located = attempt(Spans::Kept)?.0.err();
                return Err(invalid(located.unwrap_or(error)));
            }
        };
        let file = pool
            .get_file_by_name(&main_name)
            .ok_or_else(|| SchemaError::Invalid(format!("{main_name} did not compile")))?;
        check_depth(&file, limits)?;
        let mut origins: HashMap<String, Origin> = references
            .iter()
            .map(|r| (r.name.clone(), Origin::Reference(r.name.clone())))
            .collect();
        origins.insert(main_name, Origin::Schema);
        for dependency in pool.files() {
            origins
                .entry(dependency.name().to_owned())
                .or_insert(Origin::Builtin);
        }
        let canonical = printer::print(&file, true);
        let formatted = if serialized.is_some() {
            printer::print(&file, false)
        } else {
            text.to_owned()
        };
        Ok(ProtobufSchema {
            file,
            origins,
            canonical,
            formatted,
            spans: OnceLock::new(),
        })
    }

    /// Where each element of the schema is written: from the serialized
    /// descriptor's source info when it carried one, otherwise read from
    /// the text (as written, or as printed for a serialized descriptor) the
    /// first time a finding needs it.
    pub fn spans(&self) -> Arc<SourceSpans> {
        self.spans
            .get_or_init(|| {
                let spans = match &self.file.file_descriptor_proto().source_code_info {
                    Some(info) => SourceSpans::from_info(info),
                    None => SourceSpans::of_text(self.file.name(), &self.formatted),
                };
                Arc::new(spans)
            })
            .clone()
    }

    /// The canonical text (see [`crate::ParsedSchema::canonical`]).
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// The schema as written (or, for a serialized descriptor, printed).
    pub fn formatted(&self) -> &str {
        &self.formatted
    }

    /// The compiled file.
    pub fn file(&self) -> &FileDescriptor {
        &self.file
    }

    /// Base64 of the serialized `FileDescriptorProto` (Confluent's
    /// `format=serialized`): custom options kept, source info left out.
    pub fn serialized(&self) -> String {
        let encoded = self.file.encode_to_vec();
        let without_source_info = DescriptorPool::global()
            .get_message_by_name("google.protobuf.FileDescriptorProto")
            .and_then(|descriptor| DynamicMessage::decode(descriptor, encoded.as_slice()).ok())
            .map(|mut proto| {
                proto.clear_field_by_name("source_code_info");
                proto.encode_to_vec()
            });
        BASE64.encode(without_source_info.unwrap_or(encoded))
    }

    /// The text with extension declarations left out (Confluent's
    /// `format=ignore_extensions`).
    pub fn without_extensions(&self) -> String {
        printer::print_without_extensions(&self.file)
    }

    /// Findings that stop `self` (new) and `old` from reading each other's
    /// data in `direction`, by Confluent's diff.
    pub fn compatibility_findings(
        &self,
        old: &ProtobufSchema,
        direction: Direction,
    ) -> Vec<Finding> {
        let mut findings = match direction {
            Direction::Backward => confluent_diff::incompatibilities(old, self, ("old", "new")),
            Direction::Forward => confluent_diff::incompatibilities(self, old, ("new", "old")),
        };
        if !findings.is_empty() {
            let spans = self.spans();
            for finding in &mut findings {
                finding.location = locate(&self.file, &spans, &finding.path);
            }
        }
        findings
    }

    /// Findings of buf's rules of `category` when `self` (new) replaces
    /// `old` (BACKWARD), or the reverse (FORWARD); each located in the
    /// schema judged as current.
    pub fn buf_findings(
        &self,
        old: &ProtobufSchema,
        direction: Direction,
        category: buf::Category,
    ) -> Vec<Finding> {
        let (previous, current) = match direction {
            Direction::Backward => (old, self),
            Direction::Forward => (self, old),
        };
        let config = buf::BreakingConfig {
            use_: vec![category.as_str().to_owned()],
            ..Default::default()
        };
        let (previous, current) = (buf::Module::single(previous), buf::Module::single(current));
        buf::breaking(&previous, &current, &config.rules(), &config)
            .into_iter()
            .map(|annotation| {
                let file = annotation
                    .file
                    .or(annotation.against_file)
                    .unwrap_or_default();
                let location = annotation.span.map(|span| Location {
                    line: span.start_line,
                    column: span.start_col,
                });
                let at = match location {
                    Some(location) => format!("{file}:{}:{}", location.line, location.column),
                    None => file.clone(),
                };
                Finding {
                    rule: annotation.rule,
                    detail: format!("{} {at}", annotation.rule),
                    path: at,
                    message: annotation.message,
                    location,
                }
            })
            .collect()
    }

    pub(crate) fn origin(&self, file_name: &str) -> Origin {
        self.origins
            .get(file_name)
            .cloned()
            .unwrap_or(Origin::Builtin)
    }
}

/// Where the element a Confluent diff path (`#/Order/payment/5`) names
/// starts in `file`: the deepest message, enum, oneof, field or enum value
/// along the path that exists in `file` (none for a removed top-level type).
fn locate(file: &FileDescriptor, spans: &SourceSpans, diff_path: &str) -> Option<Location> {
    let mut segments = diff_path
        .trim_start_matches("#/")
        .split('/')
        .filter(|s| !s.is_empty());
    let first = segments.next()?;
    let mut found: Vec<i32> = Vec::new();
    if let Some(e) = file.enums().find(|e| e.name() == first) {
        found = e.path().to_vec();
        let value = segments
            .next()
            .and_then(|n| n.parse::<i32>().ok())
            .and_then(|n| e.get_value(n));
        if let Some(value) = value {
            found = value.path().to_vec();
        }
    } else if let Some(mut message) = file.messages().find(|m| m.name() == first) {
        found = message.path().to_vec();
        for segment in segments {
            if let Ok(number) = segment.parse::<u32>() {
                if let Some(field) = message.get_field(number) {
                    found = field.path().to_vec();
                }
                break;
            }
            let child = message.child_messages().find(|m| m.name() == segment);
            if let Some(child) = child {
                found = child.path().to_vec();
                message = child;
            } else if let Some(oneof) = message.oneofs().find(|o| o.name() == segment) {
                found = oneof.path().to_vec();
            } else if let Some(e) = message.child_enums().find(|e| e.name() == segment) {
                found = e.path().to_vec();
                break;
            } else {
                break;
            }
        }
    }
    if found.is_empty() {
        return None;
    }
    let span = spans.get(&found)?;
    Some(Location {
        line: span.start_line,
        column: span.start_col,
    })
}

/// Whether compiler files keep their source info.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Spans {
    /// Kept: compile errors say where.
    Kept,
    /// Left out, to save memory.
    Left,
}

/// The files to compile: the schema (`text`, or the `serialized`
/// descriptor it encodes) and its references, by name; and the schema's
/// name among them.
fn compiler_files(
    text: &str,
    serialized: Option<&[u8]>,
    references: &[ReferencedSchema],
    spans: Spans,
) -> Result<(HashMap<String, File>, String), SchemaError> {
    let mut files = HashMap::new();
    for reference in references {
        let file = match decode_serialized(&reference.text) {
            Some(bytes) => serialized_file(bytes, Some(&reference.name))?,
            None => text_file(&reference.name, &reference.text, spans)?,
        };
        files.insert(reference.name.clone(), file);
    }
    let main = match serialized {
        Some(bytes) => {
            let file = serialized_file(bytes.to_vec(), None)?;
            if file.name().is_empty() {
                serialized_file(bytes.to_vec(), Some(SCHEMA_FILE))?
            } else {
                file
            }
        }
        None => text_file(SCHEMA_FILE, text, spans)?,
    };
    let main_name = main.name().to_owned();
    files.insert(main_name.clone(), main);
    Ok((files, main_name))
}

/// `.proto` text as a compiler file named `name`.
fn text_file(name: &str, text: &str, spans: Spans) -> Result<File, SchemaError> {
    if spans == Spans::Kept {
        return File::from_source(name, text).map_err(invalid);
    }
    let mut descriptor =
        protox_parse::parse(name, text).map_err(|e| invalid(protox::Error::from(e)))?;
    descriptor.source_code_info = None;
    Ok(File::from_file_descriptor_proto(descriptor))
}

/// The compiled pool of `files`, from `main_name` and what it imports.
fn compile(files: HashMap<String, File>, main_name: &str) -> Result<DescriptorPool, protox::Error> {
    let mut compiler = protox::Compiler::with_file_resolver(sources::Sources::new(files));
    compiler.include_imports(true);
    compiler.open_file(main_name)?;
    Ok(compiler.descriptor_pool())
}

/// A compiler file from a serialized `FileDescriptorProto`, keeping its
/// custom options; `name` replaces the file's own name (a repeated
/// singular field takes its last value, so appending one is enough).
fn serialized_file(mut bytes: Vec<u8>, name: Option<&str>) -> Result<File, SchemaError> {
    // prost-reflect 0.16 panics (an index out of bounds while labelling the
    // error) on a syntax it does not know: refuse it first.
    let proto = prost_types::FileDescriptorProto::decode(bytes.as_slice())
        .map_err(|e| SchemaError::Invalid(format!("not a serialized FileDescriptorProto: {e}")))?;
    if let Some(syntax) = proto
        .syntax
        .as_deref()
        .filter(|s| !matches!(*s, "proto2" | "proto3"))
    {
        return Err(SchemaError::Invalid(format!(
            "unknown syntax '{syntax}' in the serialized FileDescriptorProto (expected proto2 or proto3)"
        )));
    }
    // It also panics looking up definitions whose names are not
    // identifiers (e.g. an empty service name): refuse them too.
    check_names(&proto)?;
    if let Some(name) = name {
        let renamed = prost_types::FileDescriptorProto {
            name: Some(name.to_owned()),
            ..Default::default()
        };
        bytes.extend(renamed.encode_to_vec());
    }
    File::decode_file_descriptor_proto(bytes.as_slice())
        .map_err(|e| SchemaError::Invalid(format!("not a serialized FileDescriptorProto: {e}")))
}

/// Refuses a serialized descriptor whose package is not dot-separated
/// identifiers, or one of whose definitions is not named by an identifier.
fn check_names(file: &prost_types::FileDescriptorProto) -> Result<(), SchemaError> {
    let identifier = |name: &str| {
        let mut chars = name.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let bad = |what: &str, name: &str| {
        SchemaError::Invalid(format!(
            "{what} name '{name}' in the serialized FileDescriptorProto is not an identifier"
        ))
    };
    let package = file.package();
    if !package.is_empty() && !package.split('.').all(identifier) {
        return Err(bad("package", package));
    }
    let mut names: Vec<(&str, &str)> = Vec::new();
    for service in &file.service {
        names.push(("service", service.name()));
        names.extend(service.method.iter().map(|m| ("method", m.name())));
    }
    let mut enums: Vec<&prost_types::EnumDescriptorProto> = file.enum_type.iter().collect();
    let mut fields: Vec<&prost_types::FieldDescriptorProto> = file.extension.iter().collect();
    let mut messages: Vec<&prost_types::DescriptorProto> = file.message_type.iter().collect();
    while let Some(message) = messages.pop() {
        names.push(("message", message.name()));
        names.extend(message.oneof_decl.iter().map(|o| ("oneof", o.name())));
        fields.extend(&message.field);
        fields.extend(&message.extension);
        enums.extend(&message.enum_type);
        messages.extend(&message.nested_type);
    }
    names.extend(fields.iter().map(|f| ("field", f.name())));
    for e in enums {
        names.push(("enum", e.name()));
        names.extend(e.value.iter().map(|v| ("enum value", v.name())));
    }
    match names.into_iter().find(|(_, name)| !identifier(name)) {
        Some((what, name)) => Err(bad(what, name)),
        None => Ok(()),
    }
}

/// The bytes of a base64 serialized `FileDescriptorProto`, if `text` is
/// one. `.proto` text always has whitespace or `;`, which base64 never has.
fn decode_serialized(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.is_empty() || text.contains(|c: char| c.is_whitespace() || c == ';' || c == '{') {
        return None;
    }
    let bytes = BASE64.decode(text).ok()?;
    prost_types::FileDescriptorProto::decode(bytes.as_slice())
        .ok()
        .map(|_| bytes)
}

fn invalid(error: protox::Error) -> SchemaError {
    SchemaError::Invalid(format!("{error:?}"))
}

/// Refuses messages nested deeper than the limit.
/// Refuses `.proto` text whose brackets (`{`, `[`, `(`, `<`) nest deeper
/// than the limit, before the parser (which recurses on them) sees it; an
/// aggregate option value nested thousands deep would overflow its stack.
/// Brackets inside strings and comments do not count.
fn check_nesting(text: &str, limits: ParseLimits) -> Result<(), SchemaError> {
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0);
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'"' | b'\'' => {
                i += 1;
                while let Some(&inner) = bytes.get(i) {
                    match inner {
                        b'\\' => i += 1,
                        _ if inner == byte => break,
                        b'\n' => break,
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|&b| b != b'\n') {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 1;
            }
            b'{' | b'[' | b'(' | b'<' => {
                depth += 1;
                if depth > limits.max_depth {
                    return Err(SchemaError::TooDeep {
                        limit: limits.max_depth,
                    });
                }
            }
            b'}' | b']' | b')' | b'>' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

fn check_depth(file: &FileDescriptor, limits: ParseLimits) -> Result<(), SchemaError> {
    let deepest = file
        .messages()
        .map(|message| {
            let mut depth = 0;
            let mut stack = vec![(message, 1)];
            while let Some((message, level)) = stack.pop() {
                depth = depth.max(level);
                stack.extend(message.child_messages().map(|child| (child, level + 1)));
            }
            depth
        })
        .max()
        .unwrap_or(0);
    if deepest > limits.max_depth {
        return Err(SchemaError::TooDeep {
            limit: limits.max_depth,
        });
    }
    Ok(())
}
