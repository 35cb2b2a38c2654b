//! Confluent's protobuf schema diff (its `SchemaDiff`), the default
//! compatibility check for PROTOBUF. The original schema is compared with
//! the update; every difference is a typed change at a path such as
//! `#/Order/2`, and a change breaks compatibility unless its type is in
//! the compatible set. Nested message types are matched by name and
//! compared structurally when they come from references or built-ins.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use prost_reflect::{
    Cardinality, EnumDescriptor, FieldDescriptor, Kind, MessageDescriptor, OneofDescriptor, Syntax,
};

use super::{Origin, ProtobufSchema};
use crate::Finding;

/// One of Confluent's change types: its ID, whether it is compatible, and
/// the sentence its finding prints (`{path}`, `{update}`, `{original}`).
#[derive(Debug, PartialEq, Eq)]
pub struct Change {
    /// Confluent's name for the change.
    pub id: &'static str,
    /// Whether readers and writers still understand each other.
    pub compatible: bool,
    /// Template of the finding's message.
    pub message: &'static str,
}

macro_rules! changes {
    ($($name:ident, $compatible:expr, $message:expr;)*) => {
        $(
            #[doc = concat!("`", stringify!($name), "`.")]
            pub const $name: Change = Change { id: stringify!($name), compatible: $compatible, message: $message };
        )*
        /// Every change type, in Confluent's order.
        pub const ALL: &[&Change] = &[$(&$name),*];
    };
}

changes! {
    PACKAGE_CHANGED, false, "The package at '{path}' in the {update} schema does not match the package in the {original} schema";
    MESSAGE_ADDED, true, "A message at '{path}' was added in the {update} schema";
    MESSAGE_REMOVED, false, "The {update} schema is missing a MESSAGE type at path '{path}' in the {original} schema";
    MESSAGE_MOVED, true, "The message at '{path}' moved within the {update} schema";
    ENUM_ADDED, true, "An enum at '{path}' was added in the {update} schema";
    ENUM_REMOVED, true, "The {update} schema is missing an enum at '{path}' in the {original} schema";
    ENUM_CONST_ADDED, true, "An enum constant at '{path}' was added in the {update} schema";
    ENUM_CONST_CHANGED, true, "The enum constant at '{path}' was renamed in the {update} schema";
    ENUM_CONST_REMOVED, true, "The {update} schema is missing an enum constant at '{path}' in the {original} schema";
    FIELD_ADDED, true, "A field at '{path}' was added in the {update} schema";
    FIELD_REMOVED, true, "The {update} schema is missing a field at '{path}' in the {original} schema";
    FIELD_NAME_CHANGED, true, "The field at '{path}' was renamed in the {update} schema";
    FIELD_KIND_CHANGED, false, "The type of a field at path '{path}' in the {update} schema does not match the {original} schema";
    FIELD_SCALAR_KIND_CHANGED, false, "The kind of a SCALAR field at path '{path}' in the {update} schema does not match its kind in the {original} schema";
    FIELD_NAMED_TYPE_CHANGED, false, "The type of a MESSAGE field at path '{path}' in the {update} schema does not match its type in the {original} schema";
    FIELD_NUMERIC_LABEL_CHANGED, false, "The label for a NUMERIC field at path '{path}' in the {update} schema does not match its label in the {original} schema";
    FIELD_STRING_OR_BYTES_LABEL_CHANGED, true, "The label for a STRING or BYTES field at path '{path}' in the {update} schema does not match its label in the {original} schema";
    REQUIRED_FIELD_ADDED, false, "A required field at path '{path}' in the {update} schema is missing in the {original} schema";
    REQUIRED_FIELD_REMOVED, false, "The {update} schema is missing a required field at path '{path}' in the {original} schema";
    ONEOF_ADDED, true, "A oneof at '{path}' was added in the {update} schema";
    ONEOF_REMOVED, true, "The {update} schema is missing a oneof at '{path}' in the {original} schema";
    ONEOF_FIELD_ADDED, true, "A oneof field at '{path}' was added in the {update} schema";
    ONEOF_FIELD_REMOVED, false, "The {update} schema is missing a oneof field at path '{path}' in the {original} schema";
    ONEOF_FIELD_MOVED_TO_TOP_LEVEL, true, "The oneof field at '{path}' in the {original} schema is a top-level field in the {update} schema";
    MULTIPLE_FIELDS_MOVED_TO_ONEOF, false, "Multiple fields in the oneof at path '{path}' in the {update} schema are outside a oneof in the {original} schema";
    FIELD_MOVED_TO_EXISTING_ONEOF, false, "A field in the oneof at path '{path}' in the {update} schema is outside an existing oneof in the {original} schema";
}

/// A change found at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The change type.
    pub change: &'static Change,
    /// Where, e.g. `#/Order/2`.
    pub path: String,
}

/// The incompatible differences between `original` and `update`, as
/// findings; `roles` name the two sides in messages (original, update).
pub(super) fn incompatibilities(
    original: &ProtobufSchema,
    update: &ProtobufSchema,
    roles: (&str, &str),
) -> Vec<Finding> {
    differences(original, update)
        .into_iter()
        .filter(|difference| !difference.change.compatible)
        .map(|difference| {
            let message = difference
                .change
                .message
                .replace("{path}", &difference.path)
                .replace("{original}", roles.0)
                .replace("{update}", roles.1);
            Finding {
                rule: difference.change.id,
                detail: format!("{} {}", difference.change.id, difference.path),
                path: difference.path,
                message,
                location: None,
            }
        })
        .collect()
}

/// Every difference between `original` and `update`, compatible or not.
pub fn differences(original: &ProtobufSchema, update: &ProtobufSchema) -> Vec<Difference> {
    let mut diff = Diff {
        original,
        update,
        path: Vec::new(),
        in_progress: HashSet::new(),
        found: Vec::new(),
        met_guard: false,
        compared: Rc::default(),
    };
    if original.file.package_name() != update.file.package_name() {
        diff.add(&PACKAGE_CHANGED);
    }
    diff.types(
        original.file.messages().collect(),
        original.file.enums().collect(),
        update.file.messages().collect(),
        update.file.enums().collect(),
    );
    diff.found
}

/// A field's declared label, as Confluent's parser sees it: none for
/// proto3 fields without `optional`, map fields and oneof members.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Label {
    Optional,
    Required,
    Repeated,
}

fn label(field: &FieldDescriptor) -> Option<Label> {
    if field.is_map() || real_oneof(field).is_some() {
        return None;
    }
    match field.cardinality() {
        Cardinality::Repeated => Some(Label::Repeated),
        Cardinality::Required => Some(Label::Required),
        Cardinality::Optional
            if field.parent_file().syntax() == Syntax::Proto2
                || field.field_descriptor_proto().proto3_optional() =>
        {
            Some(Label::Optional)
        }
        Cardinality::Optional => None,
    }
}

fn real_oneof(field: &FieldDescriptor) -> Option<OneofDescriptor> {
    field
        .containing_oneof()
        .filter(|oneof| !oneof.is_synthetic())
}

/// A message's fields by number, the oneof holding each (real oneofs
/// only), the oneofs' member numbers in declaration order, and the
/// numbers of top-level `required` fields.
struct Members {
    by_number: BTreeMap<u32, FieldDescriptor>,
    oneof_of: BTreeMap<u32, String>,
    oneofs: BTreeMap<String, Vec<u32>>,
    required: BTreeSet<u32>,
}

impl Members {
    fn of(message: &MessageDescriptor) -> Members {
        let mut members = Members {
            by_number: BTreeMap::new(),
            oneof_of: BTreeMap::new(),
            oneofs: BTreeMap::new(),
            required: BTreeSet::new(),
        };
        for oneof in message.oneofs().filter(|o| !o.is_synthetic()) {
            members.oneofs.insert(
                oneof.name().to_owned(),
                oneof.fields().map(|f| f.number()).collect(),
            );
        }
        for field in message.fields() {
            if let Some(oneof) = real_oneof(&field) {
                members
                    .oneof_of
                    .insert(field.number(), oneof.name().to_owned());
            } else if label(&field) == Some(Label::Required) {
                members.required.insert(field.number());
            }
            members.by_number.insert(field.number(), field);
        }
        members
    }
}

/// A field's type: map, message, or scalar (enums count as scalars).
#[derive(Clone)]
enum FieldType {
    Scalar(Kind),
    Message(MessageDescriptor),
    Map(Box<FieldType>, Box<FieldType>),
}

impl FieldType {
    fn of(field: &FieldDescriptor) -> FieldType {
        match field.kind() {
            Kind::Message(entry) if field.is_map() => FieldType::Map(
                Box::new(FieldType::of(&entry.map_entry_key_field())),
                Box::new(FieldType::of(&entry.map_entry_value_field())),
            ),
            Kind::Message(message) => FieldType::Message(message),
            kind => FieldType::Scalar(kind),
        }
    }

    fn group(&self) -> u8 {
        match self {
            FieldType::Scalar(_) => 0,
            FieldType::Message(_) => 1,
            FieldType::Map(..) => 2,
        }
    }
}

/// Scalars that share a wire encoding and so read each other's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ScalarGroup {
    GeneralNumber,
    SignedNumber,
    StringOrBytes,
    Fixed32,
    Fixed64,
    Float,
    Double,
}

fn scalar_group(kind: &Kind) -> ScalarGroup {
    match kind {
        Kind::Int32 | Kind::Int64 | Kind::Uint32 | Kind::Uint64 | Kind::Bool | Kind::Enum(_) => {
            ScalarGroup::GeneralNumber
        }
        Kind::Sint32 | Kind::Sint64 => ScalarGroup::SignedNumber,
        Kind::String | Kind::Bytes => ScalarGroup::StringOrBytes,
        Kind::Fixed32 | Kind::Sfixed32 => ScalarGroup::Fixed32,
        Kind::Fixed64 | Kind::Sfixed64 => ScalarGroup::Fixed64,
        Kind::Float => ScalarGroup::Float,
        Kind::Double | Kind::Message(_) => ScalarGroup::Double,
    }
}

/// The name of `message` within its package.
fn local_name(message: &MessageDescriptor) -> &str {
    let full = message.full_name();
    let package = message.parent_file_descriptor_proto().package();
    match full
        .strip_prefix(package)
        .and_then(|rest| rest.strip_prefix('.'))
    {
        Some(local) if !package.is_empty() => local,
        _ => full,
    }
}

struct Diff<'a> {
    original: &'a ProtobufSchema,
    update: &'a ProtobufSchema,
    path: Vec<String>,
    /// Original messages whose fields are being compared (recursion guard).
    in_progress: HashSet<String>,
    found: Vec<Difference>,
    /// The recursion guard stopped a comparison: what was found depends on
    /// where the comparison started, so it is not remembered.
    met_guard: bool,
    /// Message types from references or built-ins (e.g. a well-known type
    /// used by hundreds of fields), compared once: their findings, by
    /// (original, update) full name.
    compared: Rc<RefCell<NestedFindings>>,
}

/// What comparing two message types found, by their full names.
type NestedFindings = HashMap<(String, String), Rc<Vec<Difference>>>;

impl Diff<'_> {
    fn add(&mut self, change: &'static Change) {
        self.found.push(Difference {
            change,
            path: format!("#/{}", self.path.join("/")),
        });
    }

    fn within(&mut self, segment: impl ToString, compare: impl FnOnce(&mut Self)) {
        self.path.push(segment.to_string());
        compare(self);
        self.path.pop();
    }

    /// Messages and enums declared side by side, matched by name.
    fn types(
        &mut self,
        original_messages: Vec<MessageDescriptor>,
        original_enums: Vec<EnumDescriptor>,
        update_messages: Vec<MessageDescriptor>,
        update_enums: Vec<EnumDescriptor>,
    ) {
        let index =
            |messages: Vec<MessageDescriptor>| -> BTreeMap<String, (usize, MessageDescriptor)> {
                messages
                    .into_iter()
                    .filter(|m| !m.is_map_entry())
                    .enumerate()
                    .map(|(i, m)| (m.name().to_owned(), (i, m)))
                    .collect()
            };
        let (original, update) = (index(original_messages), index(update_messages));
        let names: BTreeSet<String> = original.keys().chain(update.keys()).cloned().collect();
        for name in names {
            self.within(&name, |diff| {
                match (original.get(&name), update.get(&name)) {
                    (Some(_), None) => diff.add(&MESSAGE_REMOVED),
                    (None, Some(_)) => diff.add(&MESSAGE_ADDED),
                    (Some((before, o)), Some((after, u))) => {
                        diff.message(o, u);
                        if before != after {
                            diff.add(&MESSAGE_MOVED);
                        }
                    }
                    (None, None) => {}
                }
            });
        }
        let by_name = |enums: Vec<EnumDescriptor>| -> BTreeMap<String, EnumDescriptor> {
            enums
                .into_iter()
                .map(|e| (e.name().to_owned(), e))
                .collect()
        };
        let (original, update) = (by_name(original_enums), by_name(update_enums));
        let names: BTreeSet<String> = original.keys().chain(update.keys()).cloned().collect();
        for name in names {
            self.within(&name, |diff| {
                match (original.get(&name), update.get(&name)) {
                    (Some(_), None) => diff.add(&ENUM_REMOVED),
                    (None, Some(_)) => diff.add(&ENUM_ADDED),
                    (Some(o), Some(u)) => diff.enumeration(o, u),
                    (None, None) => {}
                }
            });
        }
    }

    fn enumeration(&mut self, original: &EnumDescriptor, update: &EnumDescriptor) {
        let by_number = |e: &EnumDescriptor| -> BTreeMap<i32, String> {
            e.values()
                .map(|v| (v.number(), v.name().to_owned()))
                .collect()
        };
        let (original, update) = (by_number(original), by_number(update));
        let numbers: BTreeSet<i32> = original.keys().chain(update.keys()).copied().collect();
        for number in numbers {
            self.within(number, |diff| {
                match (original.get(&number), update.get(&number)) {
                    (Some(_), None) => diff.add(&ENUM_CONST_REMOVED),
                    (None, Some(_)) => diff.add(&ENUM_CONST_ADDED),
                    (Some(o), Some(u)) if o != u => diff.add(&ENUM_CONST_CHANGED),
                    _ => {}
                }
            });
        }
    }

    fn message(&mut self, original: &MessageDescriptor, update: &MessageDescriptor) {
        let key = original.full_name().to_owned();
        let entered = self.in_progress.insert(key.clone());
        if entered {
            self.message_fields(original, update);
        } else {
            self.met_guard = true;
        }
        self.types(
            original.child_messages().collect(),
            original.child_enums().collect(),
            update.child_messages().collect(),
            update.child_enums().collect(),
        );
        if entered {
            self.in_progress.remove(&key);
        }
    }

    /// The fields of a message, by number across the whole message whatever
    /// oneof holds them, as Confluent's `MessageSchemaDiff` (2026) compares
    /// them: so that a oneof renamed, merged or left cannot hide a field's
    /// own change or removal.
    fn message_fields(&mut self, original: &MessageDescriptor, update: &MessageDescriptor) {
        let (original, update) = (Members::of(original), Members::of(update));

        // A oneof removed by name none of whose members survive anywhere is
        // a whole deletion, compatible; otherwise its dropped members are
        // removals.
        let completely_deleted: BTreeSet<&String> = original
            .oneofs
            .iter()
            .filter(|(name, _)| !update.oneofs.contains_key(*name))
            .filter(|(_, members)| members.iter().all(|n| !update.by_number.contains_key(n)))
            .map(|(name, _)| name)
            .collect();

        // Newly mutually exclusive fields: a oneof whose earlier fields come
        // from more than one earlier group (a oneof, or a top-level field).
        for (name, members) in &update.oneofs {
            let mut groups = BTreeSet::new();
            let mut moved_in = 0;
            for number in members {
                if let Some(oneof) = original.oneof_of.get(number) {
                    groups.insert(format!("oneof:{oneof}"));
                } else if original.by_number.contains_key(number) {
                    groups.insert(format!("field:{number}"));
                    moved_in += 1;
                }
            }
            if groups.len() > 1 {
                self.within(name, |diff| {
                    diff.add(if moved_in > 1 {
                        &MULTIPLE_FIELDS_MOVED_TO_ONEOF
                    } else {
                        &FIELD_MOVED_TO_EXISTING_ONEOF
                    })
                });
            }
        }

        let names: BTreeSet<&String> = original.oneofs.keys().chain(update.oneofs.keys()).collect();
        for name in names {
            match (
                original.oneofs.contains_key(name),
                update.oneofs.contains_key(name),
            ) {
                (true, false) => self.within(name, |diff| diff.add(&ONEOF_REMOVED)),
                (false, true) => self.within(name, |diff| diff.add(&ONEOF_ADDED)),
                _ => {}
            }
        }

        let numbers: BTreeSet<u32> = original
            .by_number
            .keys()
            .chain(update.by_number.keys())
            .copied()
            .collect();
        for number in numbers {
            let (was_in, is_in) = (original.oneof_of.get(&number), update.oneof_of.get(&number));
            match (
                original.by_number.get(&number),
                update.by_number.get(&number),
            ) {
                (Some(_), None) => match was_in {
                    Some(oneof) if completely_deleted.contains(oneof) => {}
                    Some(oneof) => self.within(oneof, |diff| {
                        diff.within(number, |diff| diff.add(&ONEOF_FIELD_REMOVED))
                    }),
                    None => self.within(number, |diff| {
                        let required = original.required.contains(&number);
                        diff.add(if required {
                            &REQUIRED_FIELD_REMOVED
                        } else {
                            &FIELD_REMOVED
                        })
                    }),
                },
                (None, Some(_)) => match is_in {
                    Some(oneof) => self.within(oneof, |diff| {
                        diff.within(number, |diff| diff.add(&ONEOF_FIELD_ADDED))
                    }),
                    None => self.within(number, |diff| {
                        let required = update.required.contains(&number);
                        diff.add(if required {
                            &REQUIRED_FIELD_ADDED
                        } else {
                            &FIELD_ADDED
                        })
                    }),
                },
                (Some(o), Some(u)) => {
                    if was_in.is_some() && is_in.is_none() {
                        self.within(number, |diff| diff.add(&ONEOF_FIELD_MOVED_TO_TOP_LEVEL));
                    }
                    match is_in {
                        Some(oneof) => {
                            self.within(oneof, |diff| diff.within(number, |diff| diff.field(o, u)))
                        }
                        None => self.within(number, |diff| diff.field(o, u)),
                    }
                }
                (None, None) => {}
            }
        }
    }

    fn field(&mut self, original: &FieldDescriptor, update: &FieldDescriptor) {
        if original.name() != update.name() {
            self.add(&FIELD_NAME_CHANGED);
        }
        self.labels_and_types(
            label(original),
            label(update),
            FieldType::of(original),
            FieldType::of(update),
        );
    }

    fn labels_and_types(
        &mut self,
        original_label: Option<Label>,
        update_label: Option<Label>,
        original: FieldType,
        update: FieldType,
    ) {
        if original.group() != update.group() {
            self.add(&FIELD_KIND_CHANGED);
            return;
        }
        match (original, update) {
            (FieldType::Scalar(o), FieldType::Scalar(u)) => {
                let group = scalar_group(&o);
                if group != scalar_group(&u) {
                    self.add(&FIELD_SCALAR_KIND_CHANGED);
                } else if let (Some(before), Some(after)) = (original_label, update_label)
                    && before != after
                {
                    if group == ScalarGroup::StringOrBytes {
                        self.add(&FIELD_STRING_OR_BYTES_LABEL_CHANGED);
                    } else {
                        self.add(&FIELD_NUMERIC_LABEL_CHANGED);
                    }
                }
            }
            (FieldType::Message(o), FieldType::Message(u)) => self.message_types(&o, &u),
            (FieldType::Map(ok, ov), FieldType::Map(uk, uv)) => {
                self.labels_and_types(None, None, *ok, *uk);
                self.labels_and_types(None, None, *ov, *uv);
            }
            _ => {}
        }
    }

    /// Message-typed fields: the same name within the package, and, for
    /// types from references or built-ins, the same structure.
    fn message_types(&mut self, original: &MessageDescriptor, update: &MessageDescriptor) {
        let (original_local, update_local) = (local_name(original), local_name(update));
        if original_local != update_local {
            self.add(&FIELD_NAMED_TYPE_CHANGED);
            return;
        }
        let original_origin = self.original.origin(original.parent_file().name());
        let update_origin = self.update.origin(update.parent_file().name());
        if original_origin == Origin::Schema && update_origin == Origin::Schema {
            // Both local: compared where they are declared.
            return;
        }
        let key = (
            original.full_name().to_owned(),
            update.full_name().to_owned(),
        );
        let known = self.compared.borrow().get(&key).cloned();
        let found = match known {
            Some(found) => found,
            None => {
                let mut nested = Diff {
                    original: self.original,
                    update: self.update,
                    path: original_local.split('.').map(str::to_owned).collect(),
                    in_progress: self.in_progress.clone(),
                    found: Vec::new(),
                    met_guard: false,
                    compared: self.compared.clone(),
                };
                nested.message(original, update);
                let found = Rc::new(nested.found);
                if nested.met_guard {
                    self.met_guard = true;
                } else {
                    self.compared.borrow_mut().insert(key, found.clone());
                }
                found
            }
        };
        let incompatible = found.iter().any(|d| !d.change.compatible);
        self.found.extend(found.iter().cloned());
        if incompatible {
            self.add(&FIELD_NAMED_TYPE_CHANGED);
        }
    }
}
