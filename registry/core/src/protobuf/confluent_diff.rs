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

    fn message_fields(&mut self, original: &MessageDescriptor, update: &MessageDescriptor) {
        let top_level = |m: &MessageDescriptor| -> BTreeMap<u32, FieldDescriptor> {
            m.fields()
                .filter(|f| real_oneof(f).is_none())
                .map(|f| (f.number(), f))
                .collect()
        };
        let all = |m: &MessageDescriptor| -> BTreeMap<u32, FieldDescriptor> {
            m.fields().map(|f| (f.number(), f)).collect()
        };
        let oneof_of = |m: &MessageDescriptor| -> BTreeMap<u32, String> {
            m.fields()
                .filter_map(|f| real_oneof(&f).map(|o| (f.number(), o.name().to_owned())))
                .collect()
        };
        let oneofs = |m: &MessageDescriptor| -> BTreeMap<String, OneofDescriptor> {
            m.oneofs()
                .filter(|o| !o.is_synthetic())
                .map(|o| (o.name().to_owned(), o))
                .collect()
        };
        let mut original_top = top_level(original);
        let update_top = top_level(update);
        let (original_all, update_all) = (all(original), all(update));
        let (original_oneof_of, update_oneof_of) = (oneof_of(original), oneof_of(update));
        let (original_oneofs, update_oneofs) = (oneofs(original), oneofs(update));

        for oneof in update.oneofs().filter(|o| !o.is_synthetic()) {
            let (mut moved, mut existing) = (0, 0);
            for field in oneof.fields() {
                if original_top.remove(&field.number()).is_some() {
                    moved += 1;
                } else if original_oneof_of.contains_key(&field.number()) {
                    existing += 1;
                }
            }
            self.within(oneof.name(), |diff| {
                if moved > 1 {
                    diff.add(&MULTIPLE_FIELDS_MOVED_TO_ONEOF);
                } else if moved == 1 && existing > 0 {
                    diff.add(&FIELD_MOVED_TO_EXISTING_ONEOF);
                }
            });
        }

        let names: BTreeSet<&String> = original_oneofs.keys().chain(update_oneofs.keys()).collect();
        for name in names {
            self.within(name, |diff| {
                match (original_oneofs.get(name), update_oneofs.get(name)) {
                    (Some(_), None) => diff.add(&ONEOF_REMOVED),
                    (None, Some(_)) => diff.add(&ONEOF_ADDED),
                    (Some(o), Some(u)) => diff.oneof(o, u, &update_all, &update_oneof_of),
                    (None, None) => {}
                }
            });
        }

        let numbers: BTreeSet<u32> = original_top
            .keys()
            .chain(update_top.keys())
            .copied()
            .collect();
        for number in numbers {
            self.within(number, |diff| {
                match (original_top.get(&number), update_top.get(&number)) {
                    (Some(o), None) if label(o) == Some(Label::Required) => {
                        diff.add(&REQUIRED_FIELD_REMOVED)
                    }
                    (Some(_), None) => diff.add(&FIELD_REMOVED),
                    (None, Some(u)) if label(u) == Some(Label::Required) => {
                        diff.add(&REQUIRED_FIELD_ADDED)
                    }
                    (None, Some(_)) => diff.add(&FIELD_ADDED),
                    (Some(o), Some(u)) => diff.field(o, u),
                    (None, None) => {}
                }
            });
        }

        // Fields whose oneof membership changed are compared by number too.
        for (number, o) in &original_all {
            let Some(u) = update_all.get(number) else {
                continue;
            };
            let (before, after) = (original_oneof_of.get(number), update_oneof_of.get(number));
            let unchanged =
                (before.is_none() && after.is_none()) || (before.is_some() && before == after);
            if !unchanged {
                self.within(number, |diff| diff.field(o, u));
            }
        }
    }

    fn oneof(
        &mut self,
        original: &OneofDescriptor,
        update: &OneofDescriptor,
        update_all: &BTreeMap<u32, FieldDescriptor>,
        update_oneof_of: &BTreeMap<u32, String>,
    ) {
        let by_number = |o: &OneofDescriptor| -> BTreeMap<u32, FieldDescriptor> {
            o.fields().map(|f| (f.number(), f)).collect()
        };
        let (original, update) = (by_number(original), by_number(update));
        let numbers: BTreeSet<u32> = original.keys().chain(update.keys()).copied().collect();
        for number in numbers {
            self.within(number, |diff| {
                match (original.get(&number), update.get(&number)) {
                    (Some(_), None) if !update_all.contains_key(&number) => {
                        diff.add(&ONEOF_FIELD_REMOVED)
                    }
                    (Some(_), None) if !update_oneof_of.contains_key(&number) => {
                        diff.add(&ONEOF_FIELD_MOVED_TO_TOP_LEVEL);
                    }
                    (None, Some(_)) => diff.add(&ONEOF_FIELD_ADDED),
                    (Some(o), Some(u)) => diff.field(o, u),
                    _ => {}
                }
            });
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
