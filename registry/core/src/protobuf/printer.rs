//! Prints a file descriptor back to `.proto` text: with `normalize`, the
//! canonical form (imports and options sorted, fields and enum values by
//! number); without, in declaration order. Type names are always fully
//! qualified, so the text resolves the same wherever it is compiled.

use std::collections::HashMap;
use std::fmt::Write;

use prost_reflect::{
    Cardinality, DynamicMessage, EnumDescriptor, ExtensionDescriptor, FieldDescriptor,
    FileDescriptor, Kind, MessageDescriptor, ServiceDescriptor, Syntax, Value,
};

/// The `.proto` text of `file`.
pub(super) fn print(file: &FileDescriptor, normalize: bool) -> String {
    print_with_options(file, normalize, HashMap::new())
}

/// The `.proto` text of `file` with the options of the messages and fields
/// named in `replaced` (by full name) printed as given there.
pub(super) fn print_with_options(
    file: &FileDescriptor,
    normalize: bool,
    replaced: HashMap<String, DynamicMessage>,
) -> String {
    let mut printer = Printer {
        out: String::new(),
        normalize,
        extensions: true,
        depth: 0,
        replaced,
    };
    printer.file(file);
    printer.out
}

/// The `.proto` text of `file` in declaration order, without `extend`
/// blocks and without custom (extension) options.
pub(super) fn print_without_extensions(file: &FileDescriptor) -> String {
    let mut printer = Printer {
        out: String::new(),
        normalize: false,
        extensions: false,
        depth: 0,
        replaced: HashMap::new(),
    };
    printer.file(file);
    printer.out
}

struct Printer {
    out: String,
    normalize: bool,
    /// Whether to print `extend` blocks and custom options.
    extensions: bool,
    depth: usize,
    /// Options printed instead of a message's or field's own, by full name.
    replaced: HashMap<String, DynamicMessage>,
}

impl Printer {
    fn line(&mut self, text: &str) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn open(&mut self, header: &str) {
        self.line(&format!("{header} {{"));
        self.depth += 1;
    }

    fn close(&mut self) {
        self.depth -= 1;
        self.line("}");
    }

    fn file(&mut self, file: &FileDescriptor) {
        let proto = file.file_descriptor_proto();
        let syntax = match file.syntax() {
            Syntax::Proto2 => "proto2",
            Syntax::Proto3 => "proto3",
        };
        self.line(&format!("syntax = \"{syntax}\";"));
        if !file.package_name().is_empty() {
            self.line(&format!("package {};", file.package_name()));
        }
        let mut imports: Vec<String> = proto
            .dependency
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let index = i32::try_from(index).unwrap_or(i32::MAX);
                let modifier = if proto.public_dependency.contains(&index) {
                    "public "
                } else if proto.weak_dependency.contains(&index) {
                    "weak "
                } else {
                    ""
                };
                format!("import {modifier}{};", quote(name.as_bytes()))
            })
            .collect();
        if self.normalize {
            imports.sort();
        }
        for import in imports {
            self.line(&import);
        }
        self.options(&file.options());
        for message in file.messages() {
            self.message(&message);
        }
        for e in file.enums() {
            self.enumeration(&e);
        }
        self.extensions(file.extensions());
        for service in file.services() {
            self.service(&service);
        }
    }

    /// `option name = value;` for each option set.
    fn options(&mut self, options: &DynamicMessage) {
        for (name, value) in self.option_entries(options) {
            self.line(&format!("option {name} = {value};"));
        }
    }

    fn message(&mut self, message: &MessageDescriptor) {
        self.open(&format!("message {}", message.name()));
        let options = self.options_of(message.full_name(), message.options());
        self.options(&options);
        let mut fields: Vec<FieldDescriptor> = message.fields().collect();
        if self.normalize {
            fields.sort_by_key(FieldDescriptor::number);
        }
        let mut printed_oneofs = Vec::new();
        for field in &fields {
            match field
                .containing_oneof()
                .filter(|oneof| !oneof.is_synthetic())
            {
                Some(oneof) if printed_oneofs.contains(&oneof.name().to_owned()) => {}
                Some(oneof) => {
                    printed_oneofs.push(oneof.name().to_owned());
                    self.open(&format!("oneof {}", oneof.name()));
                    self.options(&oneof.options());
                    for member in fields
                        .iter()
                        .filter(|f| f.containing_oneof().as_ref() == Some(&oneof))
                    {
                        let line = self.field_line(member, false);
                        self.line(&line);
                    }
                    self.close();
                }
                None => {
                    let line = self.field_line(field, true);
                    self.line(&line);
                }
            }
        }
        let ranges = |ranges: Vec<(u32, u32)>| {
            ranges
                .into_iter()
                .map(|(start, end)| match end {
                    // A serialized descriptor may hold any numbers here.
                    _ if Some(end) == start.checked_add(1) => start.to_string(),
                    536_870_912 => format!("{start} to max"),
                    _ => format!("{start} to {}", end.saturating_sub(1)),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let reserved: Vec<(u32, u32)> = message
            .reserved_ranges()
            .map(|r| (r.start, r.end))
            .collect();
        if !reserved.is_empty() {
            self.line(&format!("reserved {};", ranges(reserved)));
        }
        let names: Vec<String> = message
            .reserved_names()
            .map(|n| quote(n.as_bytes()))
            .collect();
        if !names.is_empty() {
            self.line(&format!("reserved {};", names.join(", ")));
        }
        let extension_ranges: Vec<(u32, u32)> = message
            .extension_ranges()
            .map(|r| (r.start, r.end))
            .collect();
        if !extension_ranges.is_empty() {
            self.line(&format!("extensions {};", ranges(extension_ranges)));
        }
        for nested in message.child_messages().filter(|m| !m.is_map_entry()) {
            self.message(&nested);
        }
        for e in message.child_enums() {
            self.enumeration(&e);
        }
        self.extensions(message.child_extensions());
        self.close();
    }

    fn enumeration(&mut self, e: &EnumDescriptor) {
        self.open(&format!("enum {}", e.name()));
        self.options(&e.options());
        let mut values: Vec<_> = e.values().collect();
        if self.normalize {
            values.sort_by_key(|v| v.number());
        }
        for value in values {
            let options = bracketed(self.option_entries(&value.options()));
            self.line(&format!("{} = {}{options};", value.name(), value.number()));
        }
        let reserved: Vec<String> = e
            .reserved_ranges()
            .map(|r| match (*r.start(), *r.end()) {
                (start, end) if start == end => start.to_string(),
                (start, i32::MAX) => format!("{start} to max"),
                (start, end) => format!("{start} to {end}"),
            })
            .collect();
        if !reserved.is_empty() {
            self.line(&format!("reserved {};", reserved.join(", ")));
        }
        let names: Vec<String> = e.reserved_names().map(|n| quote(n.as_bytes())).collect();
        if !names.is_empty() {
            self.line(&format!("reserved {};", names.join(", ")));
        }
        self.close();
    }

    /// The options to print: all, or without custom ones.
    fn option_entries(&self, options: &DynamicMessage) -> Vec<(String, String)> {
        let mut entries = option_entries(options, self.normalize);
        if !self.extensions {
            entries.retain(|(name, _)| !name.starts_with('('));
        }
        entries
    }

    /// `extend` blocks, one per extended message, in first-seen order.
    fn extensions(&mut self, extensions: impl Iterator<Item = ExtensionDescriptor>) {
        if !self.extensions {
            return;
        }
        let mut by_extendee: Vec<(String, Vec<ExtensionDescriptor>)> = Vec::new();
        for extension in extensions {
            let extendee = extension.containing_message().full_name().to_owned();
            match by_extendee.iter_mut().find(|(name, _)| *name == extendee) {
                Some((_, list)) => list.push(extension),
                None => by_extendee.push((extendee, vec![extension])),
            }
        }
        for (extendee, list) in by_extendee {
            self.open(&format!("extend .{extendee}"));
            for extension in list {
                let label = match extension.cardinality() {
                    Cardinality::Repeated => "repeated ",
                    Cardinality::Required => "required ",
                    Cardinality::Optional if extension.parent_file().syntax() == Syntax::Proto2 => {
                        "optional "
                    }
                    Cardinality::Optional => "",
                };
                let options = bracketed(self.option_entries(&extension.options()));
                let kind = type_name(&extension.kind());
                self.line(&format!(
                    "{label}{kind} {} = {}{options};",
                    extension.name(),
                    extension.number()
                ));
            }
            self.close();
        }
    }

    fn field_line(&self, field: &FieldDescriptor, labelled: bool) -> String {
        let options = self.options_of(field.full_name(), field.options());
        field_line(field, labelled, self.option_entries(&options))
    }

    /// The options to print for the element called `full_name`.
    fn options_of(&self, full_name: &str, own: DynamicMessage) -> DynamicMessage {
        self.replaced.get(full_name).cloned().unwrap_or(own)
    }

    fn service(&mut self, service: &ServiceDescriptor) {
        self.open(&format!("service {}", service.name()));
        self.options(&service.options());
        for method in service.methods() {
            let stream = |yes: bool| if yes { "stream " } else { "" };
            let signature = format!(
                "rpc {}({}.{}) returns ({}.{})",
                method.name(),
                stream(method.is_client_streaming()),
                method.input().full_name(),
                stream(method.is_server_streaming()),
                method.output().full_name()
            );
            let options = self.option_entries(&method.options());
            if options.is_empty() {
                self.line(&format!("{signature};"));
            } else {
                self.open(&signature);
                for (name, value) in options {
                    self.line(&format!("option {name} = {value};"));
                }
                self.close();
            }
        }
        self.close();
    }
}

/// One field declaration. `labelled` is false inside a oneof.
fn field_line(field: &FieldDescriptor, labelled: bool, options: Vec<(String, String)>) -> String {
    let proto = field.field_descriptor_proto();
    let label = if !labelled || field.is_map() {
        ""
    } else {
        match field.cardinality() {
            Cardinality::Repeated => "repeated ",
            Cardinality::Required => "required ",
            Cardinality::Optional if proto.proto3_optional() => "optional ",
            Cardinality::Optional if field.parent_file().syntax() == Syntax::Proto2 => "optional ",
            Cardinality::Optional => "",
        }
    };
    let type_name = match field.kind() {
        Kind::Message(entry) if field.is_map() => {
            let key = entry.map_entry_key_field().kind();
            let value = entry.map_entry_value_field().kind();
            format!("map<{}, {}>", type_name(&key), type_name(&value))
        }
        kind => type_name(&kind),
    };
    let mut entries = Vec::new();
    if let Some(default) = &proto.default_value {
        let literal = match field.kind() {
            Kind::String => quote(default.as_bytes()),
            Kind::Bytes => format!("\"{default}\""),
            _ => default.clone(),
        };
        entries.push(("default".to_owned(), literal));
    }
    if proto
        .json_name
        .as_deref()
        .is_some_and(|json| json != default_json_name(field.name()))
    {
        entries.push(("json_name".to_owned(), quote(field.json_name().as_bytes())));
    }
    entries.extend(options);
    format!(
        "{label}{type_name} {} = {}{};",
        field.name(),
        field.number(),
        bracketed(entries)
    )
}

/// ` [a = b, c = d]`, or nothing.
fn bracketed(entries: Vec<(String, String)>) -> String {
    if entries.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = entries
        .into_iter()
        .map(|(name, value)| format!("{name} = {value}"))
        .collect();
    format!(" [{}]", inner.join(", "))
}

fn type_name(kind: &Kind) -> String {
    match kind {
        Kind::Message(message) => format!(".{}", message.full_name()),
        Kind::Enum(e) => format!(".{}", e.full_name()),
        Kind::Double => "double".into(),
        Kind::Float => "float".into(),
        Kind::Int32 => "int32".into(),
        Kind::Int64 => "int64".into(),
        Kind::Uint32 => "uint32".into(),
        Kind::Uint64 => "uint64".into(),
        Kind::Sint32 => "sint32".into(),
        Kind::Sint64 => "sint64".into(),
        Kind::Fixed32 => "fixed32".into(),
        Kind::Fixed64 => "fixed64".into(),
        Kind::Sfixed32 => "sfixed32".into(),
        Kind::Sfixed64 => "sfixed64".into(),
        Kind::Bool => "bool".into(),
        Kind::String => "string".into(),
        Kind::Bytes => "bytes".into(),
    }
}

/// protoc's default JSON name: underscores dropped, the next letter upper-cased.
fn default_json_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The options set in `options` as `(name, literal)`: fields by name,
/// extensions as `(full.name)`; repeated options give one entry per value.
fn option_entries(options: &DynamicMessage, normalize: bool) -> Vec<(String, String)> {
    let mut entries = Vec::new();
    let mut push = |name: String, kind: Kind, value: &Value| match value {
        Value::List(values) => {
            for value in values {
                entries.push((name.clone(), literal(&kind, value)));
            }
        }
        value => entries.push((name, literal(&kind, value))),
    };
    for (field, value) in options.fields() {
        push(field.name().to_owned(), field.kind(), value);
    }
    for (extension, value) in options.extensions() {
        push(
            format!("({})", extension.full_name()),
            extension.kind(),
            value,
        );
    }
    if normalize {
        entries.sort();
    }
    entries
}

/// A value as an option literal.
fn literal(kind: &Kind, value: &Value) -> String {
    match (kind, value) {
        (_, Value::String(s)) => quote(s.as_bytes()),
        (_, Value::Bytes(b)) => quote(b),
        (Kind::Enum(e), Value::EnumNumber(number)) => e
            .get_value(*number)
            .map_or_else(|| number.to_string(), |v| v.name().to_owned()),
        (_, Value::Message(message)) => format!("{{ {} }}", message.to_text_format()),
        (_, other) => other.to_string(),
    }
}

/// A double-quoted string literal with C-style escapes.
fn quote(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for &byte in bytes {
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(char::from(byte)),
            _ => {
                let _ = write!(out, "\\{byte:03o}");
            }
        }
    }
    out.push('"');
    out
}
