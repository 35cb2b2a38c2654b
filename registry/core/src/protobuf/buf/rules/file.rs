//! Rules on whole files: deletion, package, syntax and file options.

use prost_reflect::{FileDescriptor, Syntax};
use prost_types::FileOptions;

use super::{Finding, Pair, file_pairs};

/// `FileDescriptorProto` field numbers of `package`, `options` and `syntax`.
const PACKAGE: i32 = 2;
const OPTIONS: i32 = 8;
const SYNTAX: i32 = 12;

/// FILE_NO_DELETE: a file of the previous tree is gone.
pub(super) fn no_delete(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for path in pair
        .previous
        .files()
        .keys()
        .filter(|path| !pair.current.files().contains_key(*path))
    {
        out.push(Finding::gone_with(
            path,
            format!("Previously present file \"{path}\" was deleted."),
        ));
    }
}

/// Reports `file` when `value` differs between the versions, at `source_path`.
fn same_value(
    pair: &Pair<'_>,
    out: &mut Vec<Finding>,
    what: &str,
    source_path: &[i32],
    value: impl Fn(&FileDescriptor) -> String,
) {
    for (previous, current) in file_pairs(pair) {
        let (before, after) = (value(previous), value(current));
        if before != after {
            out.push(Finding::at(
                current,
                source_path,
                format!("File {what} changed from \"{before}\" to \"{after}\"."),
            ));
        }
    }
}

/// FILE_SAME_PACKAGE.
pub(super) fn same_package(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    same_value(pair, out, "package", &[PACKAGE], |file| {
        file.package_name().to_owned()
    });
}

/// FILE_SAME_SYNTAX (a file without `syntax` is proto2).
pub(super) fn same_syntax(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    same_value(pair, out, "syntax", &[SYNTAX], |file| match file.syntax() {
        Syntax::Proto2 => "proto2".to_owned(),
        Syntax::Proto3 => "proto3".to_owned(),
    });
}

fn options(file: &FileDescriptor) -> FileOptions {
    file.file_descriptor_proto()
        .options
        .clone()
        .unwrap_or_default()
}

/// One FILE_SAME_<OPTION> rule per file option: name, field number, value.
macro_rules! option_rules {
    ($($function:ident, $option:literal, $number:literal, $value:expr;)*) => {
        $(
            #[doc = concat!("FILE_SAME_", stringify!($function), ": option `", $option, "` is unchanged.")]
            pub(super) fn $function(pair: &Pair<'_>, out: &mut Vec<Finding>) {
                let value: fn(&FileOptions) -> String = $value;
                same_value(pair, out, concat!("option \"", $option, "\""), &[OPTIONS, $number], |file| value(&options(file)));
            }
        )*
    };
}

option_rules! {
    same_java_package, "java_package", 1, |o| o.java_package().to_owned();
    same_java_outer_classname, "java_outer_classname", 8, |o| o.java_outer_classname().to_owned();
    same_java_multiple_files, "java_multiple_files", 10, |o| o.java_multiple_files().to_string();
    same_go_package, "go_package", 11, |o| o.go_package().to_owned();
    same_objc_class_prefix, "objc_class_prefix", 36, |o| o.objc_class_prefix().to_owned();
    same_csharp_namespace, "csharp_namespace", 37, |o| o.csharp_namespace().to_owned();
    same_swift_prefix, "swift_prefix", 39, |o| o.swift_prefix().to_owned();
    same_php_class_prefix, "php_class_prefix", 40, |o| o.php_class_prefix().to_owned();
    same_php_namespace, "php_namespace", 41, |o| o.php_namespace().to_owned();
    same_php_metadata_namespace, "php_metadata_namespace", 44, |o| o.php_metadata_namespace().to_owned();
    same_ruby_package, "ruby_package", 45, |o| o.ruby_package().to_owned();
    same_optimize_for, "optimize_for", 9, |o| o.optimize_for().as_str_name().to_owned();
    same_cc_generic_services, "cc_generic_services", 16, |o| o.cc_generic_services().to_string();
    same_java_generic_services, "java_generic_services", 17, |o| o.java_generic_services().to_string();
    same_py_generic_services, "py_generic_services", 18, |o| o.py_generic_services().to_string();
    same_cc_enable_arenas, "cc_enable_arenas", 31, |o| o.cc_enable_arenas().to_string();
}
