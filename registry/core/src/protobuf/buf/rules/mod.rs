//! The rules: each an ID, a purpose, its categories and one function.

mod deletion;
mod field;
mod file;
mod package;
mod ranges;
mod rpc;

use std::cell::OnceCell;
use std::collections::BTreeMap;

use prost_reflect::{EnumDescriptor, FileDescriptor, MessageDescriptor, ServiceDescriptor};

use super::{Annotation, Module};

/// buf's rule categories, from strictest to loosest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    /// Nothing generated code relies on may change, file by file.
    File,
    /// Like FILE, but types may move between files of a package.
    Package,
    /// The wire encoding and the JSON encoding stay compatible.
    WireJson,
    /// The wire encoding stays compatible.
    Wire,
}

impl Category {
    /// Every category, strictest first.
    pub const ALL: [Category; 4] = [
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Wire,
    ];

    /// The name used in `buf.yaml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::File => "FILE",
            Category::Package => "PACKAGE",
            Category::WireJson => "WIRE_JSON",
            Category::Wire => "WIRE",
        }
    }
}

/// One breaking-change rule.
pub struct Rule {
    /// buf's rule ID.
    pub id: &'static str,
    /// What the rule protects, in one line.
    pub purpose: &'static str,
    /// The categories that include it.
    pub categories: &'static [Category],
    /// The check.
    pub(super) check: fn(&Pair<'_>, &mut Vec<Finding>),
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The two module versions a rule compares.
/// Elements are matched between the versions once per check and shared
/// by every rule.
pub(super) struct Pair<'a> {
    pub previous: &'a Module,
    pub current: &'a Module,
    messages: OnceCell<Vec<(MessageDescriptor, MessageDescriptor)>>,
    enums: OnceCell<Vec<(EnumDescriptor, EnumDescriptor)>>,
    services: OnceCell<Vec<(ServiceDescriptor, ServiceDescriptor)>>,
    fields: OnceCell<Vec<(field::FieldView, field::FieldView)>>,
}

impl<'a> Pair<'a> {
    pub(super) fn new(previous: &'a Module, current: &'a Module) -> Pair<'a> {
        Pair {
            previous,
            current,
            messages: OnceCell::new(),
            enums: OnceCell::new(),
            services: OnceCell::new(),
            fields: OnceCell::new(),
        }
    }
}

/// What a rule reports: the current file and the source paths of the
/// element (the first one with a recorded location is used, as buf's
/// "backup locations"), or only the previous file when the element is gone
/// with its file.
pub(super) struct Finding {
    pub file: Option<String>,
    pub source_paths: Vec<Vec<i32>>,
    pub against_file: Option<String>,
    pub message: String,
    /// A keyword the span should start at when it precedes the recorded
    /// location on its line (protox records `json_name`'s value only; buf
    /// reports `json_name = "..."`).
    pub widen_to: Option<&'static str>,
}

impl Finding {
    /// A finding on the element at `source_path` of `file`.
    fn at(file: &FileDescriptor, source_path: &[i32], message: String) -> Finding {
        Finding::at_first(file, vec![source_path.to_vec()], message)
    }

    /// A finding on the first of `source_paths` that `file` has a location for.
    fn at_first(file: &FileDescriptor, source_paths: Vec<Vec<i32>>, message: String) -> Finding {
        Finding {
            file: Some(file.name().to_owned()),
            source_paths,
            against_file: None,
            message,
            widen_to: None,
        }
    }

    /// A finding on `file` as a whole.
    fn in_file(file: &FileDescriptor, message: String) -> Finding {
        Finding::at_first(file, Vec::new(), message)
    }

    /// A finding with no current file: the element went away with its file.
    fn gone_with(against_file: &str, message: String) -> Finding {
        Finding {
            file: None,
            source_paths: Vec::new(),
            against_file: Some(against_file.to_owned()),
            message,
            widen_to: None,
        }
    }

    pub(super) fn into_annotation(self, rule: &'static str, current: &Module) -> Annotation {
        let span = self
            .file
            .as_deref()
            .and_then(|file| {
                self.source_paths
                    .iter()
                    .find_map(|path| current.span(file, path))
            })
            .map(|span| match (&self.file, self.widen_to) {
                (Some(file), Some(keyword)) => current.widen(file, span, keyword),
                _ => span,
            });
        Annotation {
            rule,
            file: self.file,
            span,
            against_file: self.against_file,
            message: self.message,
        }
    }
}

use Category::{File as F, Package as P, Wire as W, WireJson as WJ};

/// Every rule Herald implements, as data.
pub static RULES: &[Rule] = &[
    Rule {
        id: "FILE_NO_DELETE",
        purpose: "files are not deleted",
        categories: &[F],
        check: file::no_delete,
    },
    Rule {
        id: "FILE_SAME_PACKAGE",
        purpose: "a file keeps its package",
        categories: &[F],
        check: file::same_package,
    },
    Rule {
        id: "FILE_SAME_SYNTAX",
        purpose: "a file keeps its syntax",
        categories: &[F, P],
        check: file::same_syntax,
    },
    Rule {
        id: "FILE_SAME_JAVA_PACKAGE",
        purpose: "option java_package is unchanged",
        categories: &[F, P],
        check: file::same_java_package,
    },
    Rule {
        id: "FILE_SAME_JAVA_OUTER_CLASSNAME",
        purpose: "option java_outer_classname is unchanged",
        categories: &[F, P],
        check: file::same_java_outer_classname,
    },
    Rule {
        id: "FILE_SAME_JAVA_MULTIPLE_FILES",
        purpose: "option java_multiple_files is unchanged",
        categories: &[F, P],
        check: file::same_java_multiple_files,
    },
    Rule {
        id: "FILE_SAME_GO_PACKAGE",
        purpose: "option go_package is unchanged",
        categories: &[F, P],
        check: file::same_go_package,
    },
    Rule {
        id: "FILE_SAME_OBJC_CLASS_PREFIX",
        purpose: "option objc_class_prefix is unchanged",
        categories: &[F, P],
        check: file::same_objc_class_prefix,
    },
    Rule {
        id: "FILE_SAME_CSHARP_NAMESPACE",
        purpose: "option csharp_namespace is unchanged",
        categories: &[F, P],
        check: file::same_csharp_namespace,
    },
    Rule {
        id: "FILE_SAME_SWIFT_PREFIX",
        purpose: "option swift_prefix is unchanged",
        categories: &[F, P],
        check: file::same_swift_prefix,
    },
    Rule {
        id: "FILE_SAME_PHP_CLASS_PREFIX",
        purpose: "option php_class_prefix is unchanged",
        categories: &[F, P],
        check: file::same_php_class_prefix,
    },
    Rule {
        id: "FILE_SAME_PHP_NAMESPACE",
        purpose: "option php_namespace is unchanged",
        categories: &[F, P],
        check: file::same_php_namespace,
    },
    Rule {
        id: "FILE_SAME_PHP_METADATA_NAMESPACE",
        purpose: "option php_metadata_namespace is unchanged",
        categories: &[F, P],
        check: file::same_php_metadata_namespace,
    },
    Rule {
        id: "FILE_SAME_RUBY_PACKAGE",
        purpose: "option ruby_package is unchanged",
        categories: &[F, P],
        check: file::same_ruby_package,
    },
    Rule {
        id: "FILE_SAME_OPTIMIZE_FOR",
        purpose: "option optimize_for is unchanged",
        categories: &[F, P],
        check: file::same_optimize_for,
    },
    Rule {
        id: "FILE_SAME_CC_GENERIC_SERVICES",
        purpose: "option cc_generic_services is unchanged",
        categories: &[F, P],
        check: file::same_cc_generic_services,
    },
    Rule {
        id: "FILE_SAME_JAVA_GENERIC_SERVICES",
        purpose: "option java_generic_services is unchanged",
        categories: &[F, P],
        check: file::same_java_generic_services,
    },
    Rule {
        id: "FILE_SAME_PY_GENERIC_SERVICES",
        purpose: "option py_generic_services is unchanged",
        categories: &[F, P],
        check: file::same_py_generic_services,
    },
    Rule {
        id: "FILE_SAME_CC_ENABLE_ARENAS",
        purpose: "option cc_enable_arenas is unchanged",
        categories: &[F, P],
        check: file::same_cc_enable_arenas,
    },
    Rule {
        id: "ENUM_NO_DELETE",
        purpose: "enums are not deleted from a file",
        categories: &[F],
        check: deletion::enum_no_delete,
    },
    Rule {
        id: "MESSAGE_NO_DELETE",
        purpose: "messages are not deleted from a file",
        categories: &[F],
        check: deletion::message_no_delete,
    },
    Rule {
        id: "SERVICE_NO_DELETE",
        purpose: "services are not deleted from a file",
        categories: &[F],
        check: deletion::service_no_delete,
    },
    Rule {
        id: "FIELD_NO_DELETE",
        purpose: "message fields are not deleted",
        categories: &[F, P],
        check: deletion::field_no_delete,
    },
    Rule {
        id: "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED",
        purpose: "a deleted field's number is reserved",
        categories: &[WJ, W],
        check: deletion::field_no_delete_unless_number_reserved,
    },
    Rule {
        id: "FIELD_NO_DELETE_UNLESS_NAME_RESERVED",
        purpose: "a deleted field's name is reserved",
        categories: &[WJ],
        check: deletion::field_no_delete_unless_name_reserved,
    },
    Rule {
        id: "ENUM_VALUE_NO_DELETE",
        purpose: "enum values are not deleted",
        categories: &[F, P],
        check: deletion::enum_value_no_delete,
    },
    Rule {
        id: "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED",
        purpose: "a deleted enum value's number is reserved",
        categories: &[WJ, W],
        check: deletion::enum_value_no_delete_unless_number_reserved,
    },
    Rule {
        id: "ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED",
        purpose: "a deleted enum value's name is reserved",
        categories: &[WJ],
        check: deletion::enum_value_no_delete_unless_name_reserved,
    },
    Rule {
        id: "ONEOF_NO_DELETE",
        purpose: "oneofs are not deleted",
        categories: &[F, P],
        check: deletion::oneof_no_delete,
    },
    Rule {
        id: "RPC_NO_DELETE",
        purpose: "RPCs are not deleted",
        categories: &[F, P],
        check: deletion::rpc_no_delete,
    },
    Rule {
        id: "FIELD_SAME_NAME",
        purpose: "a field keeps its name",
        categories: &[F, P, WJ],
        check: field::same_name,
    },
    Rule {
        id: "FIELD_SAME_TYPE",
        purpose: "a field keeps its type",
        categories: &[F, P],
        check: field::same_type,
    },
    Rule {
        id: "FIELD_SAME_JSON_NAME",
        purpose: "a field keeps its JSON name",
        categories: &[F, P, WJ],
        check: field::same_json_name,
    },
    Rule {
        id: "FIELD_SAME_ONEOF",
        purpose: "a field stays in (or out of) the same oneof",
        categories: &[F, P, WJ, W],
        check: field::same_oneof,
    },
    Rule {
        id: "FIELD_SAME_JSTYPE",
        purpose: "a 64-bit field keeps its jstype",
        categories: &[F, P],
        check: field::same_jstype,
    },
    Rule {
        id: "FIELD_SAME_CPP_STRING_TYPE",
        purpose: "a string field keeps its C++ string type",
        categories: &[F, P],
        check: field::same_cpp_string_type,
    },
    Rule {
        id: "ENUM_VALUE_SAME_NAME",
        purpose: "an enum value number keeps its names",
        categories: &[F, P, WJ],
        check: field::enum_value_same_name,
    },
    Rule {
        id: "MESSAGE_SAME_REQUIRED_FIELDS",
        purpose: "required fields are neither added nor removed",
        categories: &[F, P, WJ, W],
        check: field::message_same_required_fields,
    },
    Rule {
        id: "MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR",
        purpose: "the standard descriptor accessor is kept",
        categories: &[F, P],
        check: field::no_remove_standard_descriptor_accessor,
    },
    Rule {
        id: "EXTENSION_NO_DELETE",
        purpose: "extensions are not deleted from a file",
        categories: &[F],
        check: deletion::extension_no_delete,
    },
    Rule {
        id: "RESERVED_MESSAGE_NO_DELETE",
        purpose: "reserved message numbers and names stay reserved",
        categories: &[F, P, WJ, W],
        check: ranges::reserved_message_no_delete,
    },
    Rule {
        id: "RESERVED_ENUM_NO_DELETE",
        purpose: "reserved enum numbers and names stay reserved",
        categories: &[F, P, WJ, W],
        check: ranges::reserved_enum_no_delete,
    },
    Rule {
        id: "EXTENSION_MESSAGE_NO_DELETE",
        purpose: "extension ranges keep their numbers",
        categories: &[F, P],
        check: ranges::extension_message_no_delete,
    },
    Rule {
        id: "RPC_SAME_CLIENT_STREAMING",
        purpose: "an RPC keeps client streaming",
        categories: &[F, P, WJ, W],
        check: rpc::same_client_streaming,
    },
    Rule {
        id: "RPC_SAME_SERVER_STREAMING",
        purpose: "an RPC keeps server streaming",
        categories: &[F, P, WJ, W],
        check: rpc::same_server_streaming,
    },
    Rule {
        id: "RPC_SAME_REQUEST_TYPE",
        purpose: "an RPC keeps its request type",
        categories: &[F, P, WJ, W],
        check: rpc::same_request_type,
    },
    Rule {
        id: "RPC_SAME_RESPONSE_TYPE",
        purpose: "an RPC keeps its response type",
        categories: &[F, P, WJ, W],
        check: rpc::same_response_type,
    },
    Rule {
        id: "RPC_SAME_IDEMPOTENCY_LEVEL",
        purpose: "an RPC keeps its idempotency level",
        categories: &[F, P],
        check: rpc::same_idempotency_level,
    },
    Rule {
        id: "PACKAGE_NO_DELETE",
        purpose: "packages are not deleted",
        categories: &[P],
        check: package::package_no_delete,
    },
    Rule {
        id: "PACKAGE_ENUM_NO_DELETE",
        purpose: "enums are not deleted from a package",
        categories: &[P],
        check: package::enum_no_delete,
    },
    Rule {
        id: "PACKAGE_MESSAGE_NO_DELETE",
        purpose: "messages are not deleted from a package",
        categories: &[P],
        check: package::message_no_delete,
    },
    Rule {
        id: "PACKAGE_SERVICE_NO_DELETE",
        purpose: "services are not deleted from a package",
        categories: &[P],
        check: package::service_no_delete,
    },
    Rule {
        id: "PACKAGE_EXTENSION_NO_DELETE",
        purpose: "extensions are not deleted from a package",
        categories: &[P],
        check: package::extension_no_delete,
    },
    Rule {
        id: "FIELD_SAME_CARDINALITY",
        purpose: "a field keeps its cardinality",
        categories: &[F, P],
        check: field::same_cardinality,
    },
    Rule {
        id: "FIELD_WIRE_COMPATIBLE_CARDINALITY",
        purpose: "a field's cardinality stays wire compatible",
        categories: &[W],
        check: field::wire_compatible_cardinality,
    },
    Rule {
        id: "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY",
        purpose: "a field's cardinality stays wire and JSON compatible",
        categories: &[WJ],
        check: field::wire_json_compatible_cardinality,
    },
    Rule {
        id: "FIELD_WIRE_COMPATIBLE_TYPE",
        purpose: "a field's type stays wire compatible",
        categories: &[W],
        check: field::wire_compatible_type,
    },
    Rule {
        id: "FIELD_WIRE_JSON_COMPATIBLE_TYPE",
        purpose: "a field's type stays wire and JSON compatible",
        categories: &[WJ],
        check: field::wire_json_compatible_type,
    },
];

/// Every extension of `file`, nested ones included, by name within the package.
fn nested_extensions(
    file: &FileDescriptor,
) -> BTreeMap<String, prost_reflect::ExtensionDescriptor> {
    let package = file.package_name();
    let nested = nested_messages(file)
        .into_values()
        .flat_map(|m| m.child_extensions().collect::<Vec<_>>());
    file.extensions()
        .chain(nested)
        .map(|e| (nested_name(e.full_name(), package), e))
        .collect()
}

/// Files present in both versions, by path: (previous, current).
fn file_pairs<'a>(
    pair: &'a Pair<'_>,
) -> impl Iterator<Item = (&'a FileDescriptor, &'a FileDescriptor)> {
    pair.previous.files().iter().filter_map(|(path, previous)| {
        pair.current
            .files()
            .get(path)
            .map(|current| (previous, current))
    })
}

/// Every message of `file`, nested ones included, by name within the package.
fn nested_messages(file: &FileDescriptor) -> BTreeMap<String, MessageDescriptor> {
    fn walk(message: MessageDescriptor, out: &mut BTreeMap<String, MessageDescriptor>) {
        for child in message.child_messages() {
            walk(child, out);
        }
        out.insert(
            nested_name(message.full_name(), message.parent_file().package_name()),
            message,
        );
    }
    let mut out = BTreeMap::new();
    for message in file.messages() {
        walk(message, &mut out);
    }
    out
}

/// Every enum of `file`, nested ones included, by name within the package.
fn nested_enums(file: &FileDescriptor) -> BTreeMap<String, EnumDescriptor> {
    let package = file.package_name();
    let mut out: BTreeMap<String, EnumDescriptor> = file
        .enums()
        .map(|e| (nested_name(e.full_name(), package), e))
        .collect();
    for message in nested_messages(file).into_values() {
        out.extend(
            message
                .child_enums()
                .map(|e| (nested_name(e.full_name(), package), e)),
        );
    }
    out
}

fn nested_name(full_name: &str, package: &str) -> String {
    if package.is_empty() {
        full_name.to_owned()
    } else {
        full_name
            .strip_prefix(&format!("{package}."))
            .unwrap_or(full_name)
            .to_owned()
    }
}

/// Elements present in both versions, matched by the key `elements` gives
/// each: (previous, current).
fn matched<T: Clone>(
    pair: &Pair<'_>,
    elements: impl Fn(&Module) -> BTreeMap<String, T>,
) -> Vec<(T, T)> {
    let current = elements(pair.current);
    elements(pair.previous)
        .into_iter()
        .filter_map(|(key, previous)| current.get(&key).map(|now| (previous, now.clone())))
        .collect()
}

/// What `of_file` yields in every file of `module`, by the element's full name.
fn by_full_name<T>(
    module: &Module,
    of_file: impl Fn(&FileDescriptor) -> Vec<T>,
    full_name: impl Fn(&T) -> &str,
) -> BTreeMap<String, T> {
    module
        .files()
        .values()
        .flat_map(of_file)
        .map(|element| (full_name(&element).to_owned(), element))
        .collect()
}

/// Messages present in both versions anywhere in the module, by full name.
fn message_pairs<'p>(pair: &'p Pair<'_>) -> &'p [(MessageDescriptor, MessageDescriptor)] {
    pair.messages.get_or_init(|| {
        matched(pair, |module| {
            by_full_name(
                module,
                |file| nested_messages(file).into_values().collect(),
                MessageDescriptor::full_name,
            )
        })
    })
}

/// Enums present in both versions anywhere in the module, by full name.
fn enum_pairs<'p>(pair: &'p Pair<'_>) -> &'p [(EnumDescriptor, EnumDescriptor)] {
    pair.enums.get_or_init(|| {
        matched(pair, |module| {
            by_full_name(
                module,
                |file| nested_enums(file).into_values().collect(),
                EnumDescriptor::full_name,
            )
        })
    })
}

/// Services present in both versions anywhere in the module, by full name.
fn service_pairs<'p>(pair: &'p Pair<'_>) -> &'p [(ServiceDescriptor, ServiceDescriptor)] {
    pair.services.get_or_init(|| {
        matched(pair, |module| {
            by_full_name(
                module,
                |file| file.services().collect(),
                ServiceDescriptor::full_name,
            )
        })
    })
}
