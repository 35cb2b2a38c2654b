//! The rules: each an ID, a purpose, its categories and one function.

mod deletion;
mod field;
mod file;

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
pub(super) struct Pair<'a> {
    pub previous: &'a Module,
    pub current: &'a Module,
}

/// What a rule reports: the current file and source path of the element,
/// or only the previous file when the element is gone with its file.
pub(super) struct Finding {
    pub file: Option<String>,
    pub source_path: Option<Vec<i32>>,
    pub against_file: Option<String>,
    pub message: String,
}

impl Finding {
    /// A finding on the element at `source_path` of `file`.
    fn at(file: &FileDescriptor, source_path: &[i32], message: String) -> Finding {
        Finding {
            file: Some(file.name().to_owned()),
            source_path: Some(source_path.to_vec()),
            against_file: None,
            message,
        }
    }

    /// A finding on `file` as a whole.
    fn in_file(file: &FileDescriptor, message: String) -> Finding {
        Finding {
            file: Some(file.name().to_owned()),
            source_path: None,
            against_file: None,
            message,
        }
    }

    pub(super) fn into_annotation(self, rule: &'static str, current: &Module) -> Annotation {
        let span = match (&self.file, &self.source_path) {
            (Some(file), Some(path)) => current.span(file, path),
            _ => None,
        };
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
];

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

/// Messages present in both versions anywhere in the module, by full name.
fn message_pairs(pair: &Pair<'_>) -> Vec<(MessageDescriptor, MessageDescriptor)> {
    let all = |module: &Module| -> BTreeMap<String, MessageDescriptor> {
        module
            .files()
            .values()
            .flat_map(|file| nested_messages(file).into_values())
            .map(|m| (m.full_name().to_owned(), m))
            .collect()
    };
    let current = all(pair.current);
    all(pair.previous)
        .into_iter()
        .filter_map(|(name, previous)| current.get(&name).map(|c| (previous, c.clone())))
        .collect()
}

/// Enums present in both versions anywhere in the module, by full name.
fn enum_pairs(pair: &Pair<'_>) -> Vec<(EnumDescriptor, EnumDescriptor)> {
    let all = |module: &Module| -> BTreeMap<String, EnumDescriptor> {
        module
            .files()
            .values()
            .flat_map(|file| nested_enums(file).into_values())
            .map(|e| (e.full_name().to_owned(), e))
            .collect()
    };
    let current = all(pair.current);
    all(pair.previous)
        .into_iter()
        .filter_map(|(name, previous)| current.get(&name).map(|c| (previous, c.clone())))
        .collect()
}

/// Services present in both versions anywhere in the module, by full name.
fn service_pairs(pair: &Pair<'_>) -> Vec<(ServiceDescriptor, ServiceDescriptor)> {
    let all = |module: &Module| -> BTreeMap<String, ServiceDescriptor> {
        module
            .files()
            .values()
            .flat_map(FileDescriptor::services)
            .map(|s| (s.full_name().to_owned(), s))
            .collect()
    };
    let current = all(pair.current);
    all(pair.previous)
        .into_iter()
        .filter_map(|(name, previous)| current.get(&name).map(|c| (previous, c.clone())))
        .collect()
}
