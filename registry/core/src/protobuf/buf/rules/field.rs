//! Rules on fields that exist in both versions (matched by number, and
//! extensions by extendee and number).

use std::collections::BTreeMap;

use prost_reflect::{ExtensionDescriptor, FieldDescriptor, FileDescriptor, Kind};

use super::{Finding, Pair, message_pairs, nested_extensions};
use crate::protobuf::buf::Module;

/// `FieldDescriptorProto` field numbers of `name`, `type`, `type_name`,
/// `options` and `json_name`; `FieldOptions` numbers of `ctype`, `jstype`.
const NAME: i32 = 1;
const TYPE: i32 = 5;
const TYPE_NAME: i32 = 6;
const OPTIONS: i32 = 8;
const JSON_NAME: i32 = 10;
const CTYPE: i32 = 1;
const JSTYPE: i32 = 6;
/// `DescriptorProto.options`, `EnumValueDescriptorProto.number`,
/// `MessageOptions.no_standard_descriptor_accessor`.
const MESSAGE_OPTIONS: i32 = 7;
const ENUM_VALUE_NUMBER: i32 = 2;
const NO_STANDARD_DESCRIPTOR_ACCESSOR: i32 = 2;

/// A field's cardinality as buf distinguishes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cardinality {
    OptionalExplicitPresence,
    OptionalImplicitPresence,
    Required,
    Repeated,
    Map,
}

impl Cardinality {
    fn of(
        is_map: bool,
        cardinality: prost_reflect::Cardinality,
        has_presence: bool,
    ) -> Cardinality {
        match (is_map, cardinality) {
            (true, _) => Cardinality::Map,
            (_, prost_reflect::Cardinality::Repeated) => Cardinality::Repeated,
            (_, prost_reflect::Cardinality::Required) => Cardinality::Required,
            _ if has_presence => Cardinality::OptionalExplicitPresence,
            _ => Cardinality::OptionalImplicitPresence,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Cardinality::OptionalExplicitPresence => "optional with explicit presence",
            Cardinality::OptionalImplicitPresence => "optional with implicit presence",
            Cardinality::Required => "required",
            Cardinality::Repeated => "repeated",
            Cardinality::Map => "map",
        }
    }

    /// Cardinalities that read each other's wire data share a group.
    fn wire_group(self) -> u8 {
        match self {
            Cardinality::OptionalExplicitPresence | Cardinality::OptionalImplicitPresence => 1,
            Cardinality::Required => 2,
            Cardinality::Repeated | Cardinality::Map => 3,
        }
    }

    /// As [`Self::wire_group`], but maps and lists differ in JSON.
    fn wire_json_group(self) -> u8 {
        match self {
            Cardinality::Map => 4,
            other => other.wire_group(),
        }
    }
}

/// What the field rules need of a message field or an extension.
pub(super) struct FieldView {
    cardinality: Cardinality,
    options: prost_types::FieldOptions,
    json_name: String,
    /// The enclosing oneof, synthetic ones (proto3 `optional`) excluded.
    oneof: Option<String>,
    in_map_entry: bool,
    is_extension: bool,
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
            cardinality: Cardinality::of(
                field.is_map(),
                field.cardinality(),
                field.supports_presence(),
            ),
            options: field
                .field_descriptor_proto()
                .options
                .clone()
                .unwrap_or_default(),
            json_name: field.json_name().to_owned(),
            oneof: field
                .containing_oneof()
                .filter(|o| !o.is_synthetic())
                .map(|o| o.name().to_owned()),
            in_map_entry: field.parent_message().is_map_entry(),
            is_extension: false,
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
            cardinality: Cardinality::of(
                false,
                extension.cardinality(),
                extension.supports_presence(),
            ),
            options: extension
                .field_descriptor_proto()
                .options
                .clone()
                .unwrap_or_default(),
            json_name: extension.json_name().to_owned(),
            oneof: None,
            in_map_entry: false,
            is_extension: true,
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
        self.at_option(&[element], message)
    }

    /// On the element at `suffix` below the field, else on the field.
    fn at_option(&self, suffix: &[i32], message: String) -> Finding {
        let mut path = self.path.clone();
        path.extend_from_slice(suffix);
        Finding::at_first(&self.file, vec![path, self.path.clone()], message)
    }

    fn on_field(&self, message: String) -> Finding {
        Finding::at(&self.file, &self.path, message)
    }

    fn options(&self) -> &prost_types::FieldOptions {
        &self.options
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
fn field_pairs<'p>(pair: &'p Pair<'_>) -> &'p [(FieldView, FieldView)] {
    pair.fields.get_or_init(|| match_fields(pair))
}

fn match_fields(pair: &Pair<'_>) -> Vec<(FieldView, FieldView)> {
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
    module
        .files()
        .values()
        .flat_map(|file| nested_extensions(file).into_values())
        .map(|extension| {
            (
                (
                    extension.containing_message().full_name().to_owned(),
                    extension.number(),
                ),
                extension,
            )
        })
        .collect()
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

/// FIELD_SAME_JSON_NAME (extensions have no JSON name of their own).
pub(super) fn same_json_name(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in field_pairs(pair).iter().filter(|(p, _)| !p.is_extension) {
        if previous.json_name != current.json_name {
            let message = format!(
                "{} changed option \"json_name\" from \"{}\" to \"{}\".",
                current.description(),
                previous.json_name,
                current.json_name
            );
            let mut finding = current.at_option(&[JSON_NAME], message);
            finding.widen_to = Some("json_name");
            out.push(finding);
        }
    }
}

/// FIELD_SAME_ONEOF: in the same oneof, or out of oneofs, in both versions.
pub(super) fn same_oneof(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in field_pairs(pair).iter().filter(|(p, _)| !p.is_extension) {
        let message = match (&previous.oneof, &current.oneof) {
            (Some(before), Some(after)) if before != after => {
                format!(
                    "{} moved from oneof \"{before}\" to oneof \"{after}\".",
                    current.description()
                )
            }
            (Some(_), None) => format!(
                "{} moved from inside to outside a oneof.",
                current.description()
            ),
            (None, Some(_)) => format!(
                "{} moved from outside to inside a oneof.",
                current.description()
            ),
            _ => continue,
        };
        out.push(current.on_field(message));
    }
}

fn is_64_bit_integer(kind: &Kind) -> bool {
    matches!(
        kind,
        Kind::Int64 | Kind::Sint64 | Kind::Uint64 | Kind::Fixed64 | Kind::Sfixed64
    )
}

/// FIELD_SAME_JSTYPE (64-bit integer fields only).
pub(super) fn same_jstype(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in field_pairs(pair) {
        if !is_64_bit_integer(&previous.kind) || !is_64_bit_integer(&current.kind) {
            continue;
        }
        let (before, after) = (previous.options().jstype(), current.options().jstype());
        if before != after {
            let message = format!(
                "{} changed option \"jstype\" from \"{}\" to \"{}\".",
                current.description(),
                before.as_str_name(),
                after.as_str_name()
            );
            out.push(current.at_option(&[OPTIONS, JSTYPE], message));
        }
    }
}

/// FIELD_SAME_CPP_STRING_TYPE (string and bytes fields, map entries
/// excepted); moving from STRING_PIECE to STRING is allowed.
pub(super) fn same_cpp_string_type(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    use prost_types::field_options::CType;
    let stringy = |view: &FieldView| matches!(view.kind, Kind::String | Kind::Bytes);
    for (previous, current) in field_pairs(pair) {
        if (previous.in_map_entry && current.in_map_entry)
            || !stringy(previous)
            || !stringy(current)
        {
            continue;
        }
        let (before, after) = (previous.options().ctype(), current.options().ctype());
        if before != after && !(before == CType::StringPiece && after == CType::String) {
            let message = format!(
                "{} changed C++ string type from \"{}\" to \"{}\".",
                current.description(),
                before.as_str_name(),
                after.as_str_name()
            );
            out.push(current.at_option(&[OPTIONS, CTYPE], message));
        }
    }
}

/// ENUM_VALUE_SAME_NAME: every current name of a number was a name of it before.
pub(super) fn enum_value_same_name(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in super::enum_pairs(pair) {
        let mut before: BTreeMap<i32, Vec<String>> = BTreeMap::new();
        for value in previous.values() {
            before
                .entry(value.number())
                .or_default()
                .push(value.name().to_owned());
        }
        for value in current.values() {
            let Some(names) = before.get(&value.number()) else {
                continue;
            };
            let now: Vec<String> = current
                .values()
                .filter(|v| v.number() == value.number())
                .map(|v| v.name().to_owned())
                .collect();
            // Aliases may be added; every earlier name must remain.
            if !names.iter().all(|name| now.contains(name)) {
                let mut path = value.path().to_vec();
                path.push(ENUM_VALUE_NUMBER);
                let message = format!(
                    "Enum value \"{}\" on enum \"{}\" changed name from {:?} to {:?}.",
                    value.number(),
                    current.name(),
                    names,
                    now
                );
                out.push(Finding::at(&current.parent_file(), &path, message));
            }
        }
    }
}

/// MESSAGE_SAME_REQUIRED_FIELDS: a removed required field is reported on
/// the message, an added one on the field.
pub(super) fn message_same_required_fields(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    use prost_reflect::Cardinality;
    for (previous, current) in message_pairs(pair) {
        let required = |m: &prost_reflect::MessageDescriptor| -> BTreeMap<u32, FieldDescriptor> {
            m.fields()
                .filter(|f| f.cardinality() == Cardinality::Required)
                .map(|f| (f.number(), f))
                .collect()
        };
        let (before, after) = (required(previous), required(current));
        for number in before.keys().filter(|n| !after.contains_key(n)) {
            let message = format!(
                "Message \"{}\" had required field \"{number}\" deleted.",
                previous.name()
            );
            out.push(Finding::at(&current.parent_file(), current.path(), message));
        }
        for (number, field) in after.iter().filter(|(n, _)| !before.contains_key(n)) {
            let message = format!(
                "Message \"{}\" had required field \"{number}\" added.",
                current.name()
            );
            out.push(Finding::at(&current.parent_file(), field.path(), message));
        }
    }
}

/// MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR: the option may not turn on.
pub(super) fn no_remove_standard_descriptor_accessor(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    let accessor_off = |m: &prost_reflect::MessageDescriptor| {
        m.descriptor_proto()
            .options
            .clone()
            .unwrap_or_default()
            .no_standard_descriptor_accessor()
    };
    for (previous, current) in message_pairs(pair) {
        if !accessor_off(previous) && accessor_off(current) {
            let mut path = current.path().to_vec();
            path.extend_from_slice(&[MESSAGE_OPTIONS, NO_STANDARD_DESCRIPTOR_ACCESSOR]);
            let message = "Message option \"no_standard_descriptor_accessor\" changed from \"false\" to \"true\".".to_owned();
            out.push(Finding::at_first(
                &current.parent_file(),
                vec![path, current.path().to_vec()],
                message,
            ));
        }
    }
}

fn cardinality_rule(pair: &Pair<'_>, out: &mut Vec<Finding>, group: fn(Cardinality) -> u8) {
    for (previous, current) in field_pairs(pair) {
        if previous.in_map_entry && current.in_map_entry {
            continue;
        }
        if group(previous.cardinality) != group(current.cardinality) {
            let message = format!(
                "{} changed cardinality from \"{}\" to \"{}\".",
                current.description(),
                previous.cardinality.as_str(),
                current.cardinality.as_str()
            );
            out.push(current.on_field(message));
        }
    }
}

/// FIELD_SAME_CARDINALITY.
pub(super) fn same_cardinality(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    cardinality_rule(pair, out, |c| c as u8);
}

/// FIELD_WIRE_COMPATIBLE_CARDINALITY.
pub(super) fn wire_compatible_cardinality(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    cardinality_rule(pair, out, Cardinality::wire_group);
}

/// FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY.
pub(super) fn wire_json_compatible_cardinality(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    cardinality_rule(pair, out, Cardinality::wire_json_group);
}

/// Kinds that read each other's wire data share a group (buf's table;
/// string and bytes differ, see [`wire_compatible_type`]).
fn wire_group(view: &FieldView) -> u8 {
    match view.kind_name() {
        "int32" | "int64" | "uint32" | "uint64" | "bool" => 1,
        "sint32" | "sint64" => 2,
        "string" => 3,
        "bytes" => 4,
        "fixed32" | "sfixed32" => 5,
        "fixed64" | "sfixed64" => 6,
        "double" => 7,
        "float" => 8,
        "group" => 9,
        "message" => 10,
        _ => 11,
    }
}

/// Kinds that read each other's wire and JSON data share a group.
fn wire_json_group(view: &FieldView) -> u8 {
    match view.kind_name() {
        "int32" | "uint32" => 1,
        "int64" | "uint64" => 2,
        "fixed32" | "sfixed32" => 3,
        "fixed64" | "sfixed64" => 4,
        "bool" => 5,
        "sint32" => 6,
        "sint64" => 7,
        "string" => 8,
        "bytes" => 9,
        "double" => 10,
        "float" => 11,
        "group" => 12,
        "message" => 13,
        _ => 14,
    }
}

/// Within a compatible kind group: a different message type breaks; a
/// different enum only when its short name differs or it lost values.
fn type_name_changed(previous: &FieldView, current: &FieldView) -> bool {
    match (&previous.kind, &current.kind) {
        (Kind::Enum(before), Kind::Enum(after)) if before.full_name() != after.full_name() => {
            before.name() != after.name()
                || !before.values().all(|v| {
                    after
                        .get_value(v.number())
                        .is_some_and(|now| now.name() == v.name())
                })
        }
        (Kind::Message(before), Kind::Message(after)) => before.full_name() != after.full_name(),
        _ => false,
    }
}

fn changed_type(out: &mut Vec<Finding>, previous: &FieldView, current: &FieldView) {
    let element = if current.type_name().is_some() {
        TYPE_NAME
    } else {
        TYPE
    };
    let message = format!(
        "{} changed type from \"{}\" to \"{}\".",
        current.description(),
        previous
            .type_name()
            .unwrap_or_else(|| previous.kind_name().to_owned()),
        current
            .type_name()
            .unwrap_or_else(|| current.kind_name().to_owned())
    );
    out.push(current.at(element, message));
}

/// FIELD_WIRE_COMPATIBLE_TYPE (string may become bytes, not the reverse).
pub(super) fn wire_compatible_type(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in field_pairs(pair) {
        if wire_group(previous) != wire_group(current) {
            if (previous.kind_name(), current.kind_name()) != ("string", "bytes") {
                changed_type(out, previous, current);
            }
        } else if type_name_changed(previous, current) {
            changed_type(out, previous, current);
        }
    }
}

/// FIELD_WIRE_JSON_COMPATIBLE_TYPE.
pub(super) fn wire_json_compatible_type(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in field_pairs(pair) {
        if wire_json_group(previous) != wire_json_group(current)
            || type_name_changed(previous, current)
        {
            changed_type(out, previous, current);
        }
    }
}
