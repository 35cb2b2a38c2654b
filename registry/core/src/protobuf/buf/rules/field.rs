//! Rules on fields that exist in both versions (matched by number, and
//! extensions by extendee and number).

use std::collections::BTreeMap;

use prost_reflect::{ExtensionDescriptor, FieldDescriptor, FileDescriptor, Kind};

use super::{Finding, Pair, message_pairs, nested_messages};
use crate::protobuf::buf::Module;

/// `FieldDescriptorProto` field numbers of `name`, `type` and `type_name`.
const NAME: i32 = 1;
const TYPE: i32 = 5;
const TYPE_NAME: i32 = 6;

/// What the field rules need of a message field or an extension.
struct FieldView {
    name: String,
    number: u32,
    container: String,
    kind: Kind,
    is_group: bool,
    file: FileDescriptor,
    path: Vec<i32>,
}

impl FieldView {
    fn of_field(field: &FieldDescriptor) -> FieldView {
        FieldView {
            name: field.name().to_owned(),
            number: field.number(),
            container: field.parent_message().name().to_owned(),
            kind: field.kind(),
            is_group: field.is_group(),
            file: field.parent_file(),
            path: field.path().to_vec(),
        }
    }

    fn of_extension(extension: &ExtensionDescriptor) -> FieldView {
        FieldView {
            name: extension.full_name().to_owned(),
            number: extension.number(),
            container: extension.containing_message().full_name().to_owned(),
            kind: extension.kind(),
            is_group: extension.is_group(),
            file: extension.parent_file(),
            path: extension.path().to_vec(),
        }
    }

    fn at(&self, element: i32, message: String) -> Finding {
        let mut path = self.path.clone();
        path.push(element);
        Finding::at(&self.file, &path, message)
    }

    fn description(&self) -> String {
        format!(
            "Field \"{}\" with name \"{}\" on \"{}\"",
            self.number, self.name, self.container
        )
    }

    /// The kind's name, and the referenced type for enums and messages.
    fn type_name(&self) -> Option<String> {
        match &self.kind {
            Kind::Message(message) => Some(message.full_name().to_owned()),
            Kind::Enum(e) => Some(e.full_name().to_owned()),
            _ => None,
        }
    }

    fn kind_name(&self) -> &'static str {
        match &self.kind {
            Kind::Message(_) if self.is_group => "group",
            Kind::Message(_) => "message",
            Kind::Enum(_) => "enum",
            Kind::Double => "double",
            Kind::Float => "float",
            Kind::Int32 => "int32",
            Kind::Int64 => "int64",
            Kind::Uint32 => "uint32",
            Kind::Uint64 => "uint64",
            Kind::Sint32 => "sint32",
            Kind::Sint64 => "sint64",
            Kind::Fixed32 => "fixed32",
            Kind::Fixed64 => "fixed64",
            Kind::Sfixed32 => "sfixed32",
            Kind::Sfixed64 => "sfixed64",
            Kind::Bool => "bool",
            Kind::String => "string",
            Kind::Bytes => "bytes",
        }
    }
}

/// Fields present in both versions: message fields by number, extensions
/// by extendee and number. (previous, current).
fn field_pairs(pair: &Pair<'_>) -> Vec<(FieldView, FieldView)> {
    let mut out = Vec::new();
    for (previous, current) in message_pairs(pair) {
        let by_number: BTreeMap<u32, FieldDescriptor> =
            current.fields().map(|f| (f.number(), f)).collect();
        for field in previous.fields() {
            if let Some(now) = by_number.get(&field.number()) {
                out.push((FieldView::of_field(&field), FieldView::of_field(now)));
            }
        }
    }
    let current = extensions(pair.current);
    for (key, previous) in extensions(pair.previous) {
        if let Some(now) = current.get(&key) {
            out.push((
                FieldView::of_extension(&previous),
                FieldView::of_extension(now),
            ));
        }
    }
    out
}

/// Every extension declared in the module, by (extendee, number).
fn extensions(module: &Module) -> BTreeMap<(String, u32), ExtensionDescriptor> {
    let mut out = BTreeMap::new();
    for file in module.files().values() {
        let nested = nested_messages(file)
            .into_values()
            .flat_map(|m| m.child_extensions().collect::<Vec<_>>());
        for extension in file.extensions().chain(nested) {
            out.insert(
                (
                    extension.containing_message().full_name().to_owned(),
                    extension.number(),
                ),
                extension,
            );
        }
    }
    out
}

/// FIELD_SAME_NAME.
pub(super) fn same_name(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in field_pairs(pair) {
        if previous.name != current.name {
            let message = format!(
                "{} changed name from \"{}\" to \"{}\".",
                current.description(),
                previous.name,
                current.name
            );
            out.push(current.at(NAME, message));
        }
    }
}

/// FIELD_SAME_TYPE: the same kind, and for enums, messages and groups the
/// same type. Reported on `type_name` for those kinds, else on `type`.
pub(super) fn same_type(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in field_pairs(pair) {
        let element = if current.type_name().is_some() {
            TYPE_NAME
        } else {
            TYPE
        };
        if previous.kind_name() != current.kind_name() {
            let message = format!(
                "{} changed type from \"{}\" to \"{}\".",
                current.description(),
                previous.kind_name(),
                current.kind_name()
            );
            out.push(current.at(element, message));
        } else if previous.type_name() != current.type_name() {
            let message = format!(
                "{} changed type from \"{}\" to \"{}\".",
                current.description(),
                previous.type_name().unwrap_or_default(),
                current.type_name().unwrap_or_default()
            );
            out.push(current.at(TYPE_NAME, message));
        }
    }
}
