//! Rules against deleting elements: types, fields, values, oneofs, RPCs.

use std::collections::{BTreeMap, BTreeSet};

use prost_reflect::{EnumDescriptor, FileDescriptor, MessageDescriptor};

use super::{
    Finding, Pair, enum_pairs, file_pairs, message_pairs, nested_enums, nested_extensions,
    nested_messages, service_pairs,
};

/// Where buf reports an element deleted from `file`: on the closest
/// enclosing message that still exists, else on the file as a whole.
pub(super) fn deleted_from(file: &FileDescriptor, nested_name: &str, message: String) -> Finding {
    let messages = nested_messages(file);
    let parts: Vec<&str> = nested_name.split('.').collect();
    (1..parts.len())
        .rev()
        .find_map(|end| messages.get(&parts[..end].join(".")))
        .map_or_else(
            || Finding::in_file(file, message.clone()),
            |parent| Finding::at(file, parent.path(), message.clone()),
        )
}

/// ENUM_NO_DELETE.
pub(super) fn enum_no_delete(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in file_pairs(pair) {
        let remaining = nested_enums(current);
        for name in nested_enums(previous)
            .keys()
            .filter(|name| !remaining.contains_key(*name))
        {
            out.push(deleted_from(
                current,
                name,
                format!("Previously present enum \"{name}\" was deleted from file."),
            ));
        }
    }
}

/// MESSAGE_NO_DELETE.
pub(super) fn message_no_delete(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in file_pairs(pair) {
        let remaining = nested_messages(current);
        for name in nested_messages(previous)
            .keys()
            .filter(|name| !remaining.contains_key(*name))
        {
            out.push(deleted_from(
                current,
                name,
                format!("Previously present message \"{name}\" was deleted from file."),
            ));
        }
    }
}

/// EXTENSION_NO_DELETE.
pub(super) fn extension_no_delete(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in file_pairs(pair) {
        let remaining = nested_extensions(current);
        for name in nested_extensions(previous)
            .keys()
            .filter(|name| !remaining.contains_key(*name))
        {
            out.push(deleted_from(
                current,
                name,
                format!("Previously present extension \"{name}\" was deleted from file."),
            ));
        }
    }
}

/// SERVICE_NO_DELETE.
pub(super) fn service_no_delete(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in file_pairs(pair) {
        let remaining: BTreeSet<String> = current.services().map(|s| s.name().to_owned()).collect();
        for service in previous
            .services()
            .filter(|s| !remaining.contains(s.name()))
        {
            out.push(Finding::in_file(
                current,
                format!(
                    "Previously present service \"{}\" was deleted from file.",
                    service.name()
                ),
            ));
        }
    }
}

/// What may excuse a deletion.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unless {
    Never,
    NumberReserved,
    NameReserved,
}

fn field_deletions(pair: &Pair<'_>, out: &mut Vec<Finding>, unless: Unless) {
    for (previous, current) in message_pairs(pair) {
        let remaining: BTreeSet<u32> = current.fields().map(|f| f.number()).collect();
        for field in previous
            .fields()
            .filter(|f| !remaining.contains(&f.number()))
        {
            let excused = match unless {
                Unless::Never => false,
                Unless::NumberReserved => current
                    .reserved_ranges()
                    .any(|r| r.contains(&field.number())),
                Unless::NameReserved => current.reserved_names().any(|n| n == field.name()),
            };
            if !excused {
                let message = format!(
                    "Previously present field \"{}\" with name \"{}\" on message \"{}\" was deleted.",
                    field.number(),
                    field.name(),
                    current.name()
                );
                out.push(Finding::at(&current.parent_file(), current.path(), message));
            }
        }
    }
}

/// FIELD_NO_DELETE.
pub(super) fn field_no_delete(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    field_deletions(pair, out, Unless::Never);
}

/// FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED.
pub(super) fn field_no_delete_unless_number_reserved(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    field_deletions(pair, out, Unless::NumberReserved);
}

/// FIELD_NO_DELETE_UNLESS_NAME_RESERVED.
pub(super) fn field_no_delete_unless_name_reserved(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    field_deletions(pair, out, Unless::NameReserved);
}

/// Names of an enum's values by number (aliases share a number).
fn values_by_number(e: &EnumDescriptor) -> BTreeMap<i32, Vec<String>> {
    let mut out: BTreeMap<i32, Vec<String>> = BTreeMap::new();
    for value in e.values() {
        out.entry(value.number())
            .or_default()
            .push(value.name().to_owned());
    }
    out
}

fn enum_value_deletions(pair: &Pair<'_>, out: &mut Vec<Finding>, unless: Unless) {
    for (previous, current) in enum_pairs(pair) {
        let remaining = values_by_number(current);
        for (number, names) in values_by_number(previous)
            .into_iter()
            .filter(|(n, _)| !remaining.contains_key(n))
        {
            let excused = match unless {
                Unless::Never => false,
                Unless::NumberReserved => current.reserved_ranges().any(|r| r.contains(&number)),
                Unless::NameReserved => names
                    .iter()
                    .all(|name| current.reserved_names().any(|n| n == name)),
            };
            if !excused {
                let message = format!(
                    "Previously present enum value \"{number}\" on enum \"{}\" was deleted.",
                    current.name()
                );
                out.push(Finding::at(&current.parent_file(), current.path(), message));
            }
        }
    }
}

/// ENUM_VALUE_NO_DELETE.
pub(super) fn enum_value_no_delete(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    enum_value_deletions(pair, out, Unless::Never);
}

/// ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED.
pub(super) fn enum_value_no_delete_unless_number_reserved(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    enum_value_deletions(pair, out, Unless::NumberReserved);
}

/// ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED.
pub(super) fn enum_value_no_delete_unless_name_reserved(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    enum_value_deletions(pair, out, Unless::NameReserved);
}

/// ONEOF_NO_DELETE (synthetic oneofs of proto3 `optional` do not count).
pub(super) fn oneof_no_delete(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in message_pairs(pair) {
        let remaining: BTreeSet<String> = current.oneofs().map(|o| o.name().to_owned()).collect();
        for oneof in previous
            .oneofs()
            .filter(|o| !o.is_synthetic() && !remaining.contains(o.name()))
        {
            let message = format!(
                "Previously present oneof \"{}\" on message \"{}\" was deleted.",
                oneof.name(),
                current.name()
            );
            out.push(located_on_message(current, message));
        }
    }
}

fn located_on_message(message: &MessageDescriptor, text: String) -> Finding {
    Finding::at(&message.parent_file(), message.path(), text)
}

/// RPC_NO_DELETE.
pub(super) fn rpc_no_delete(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in service_pairs(pair) {
        let remaining: BTreeSet<String> = current.methods().map(|m| m.name().to_owned()).collect();
        for method in previous.methods().filter(|m| !remaining.contains(m.name())) {
            let message = format!(
                "Previously present RPC \"{}\" on service \"{}\" was deleted.",
                method.name(),
                current.name()
            );
            out.push(Finding::at(&current.parent_file(), current.path(), message));
        }
    }
}
