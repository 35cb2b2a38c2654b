//! Rules against deleting elements from a package (types may move between
//! the package's files, but not leave it).

use std::collections::{BTreeMap, BTreeSet};

use prost_reflect::FileDescriptor;

use super::deletion::deleted_from;
use super::{Finding, Pair, nested_enums, nested_extensions, nested_messages};
use crate::protobuf::buf::Module;

/// The files of each package.
fn packages(module: &Module) -> BTreeMap<String, Vec<&FileDescriptor>> {
    let mut out: BTreeMap<String, Vec<&FileDescriptor>> = BTreeMap::new();
    for file in module.files().values() {
        out.entry(file.package_name().to_owned())
            .or_default()
            .push(file);
    }
    out
}

/// PACKAGE_NO_DELETE: reported against the first (by path) previous file.
pub(super) fn package_no_delete(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    let current = packages(pair.current);
    for (package, files) in packages(pair.previous) {
        if !current.contains_key(&package) {
            let first = files.iter().map(|f| f.name()).min().unwrap_or_default();
            out.push(Finding::gone_with(
                first,
                format!("Previously present package \"{package}\" was deleted."),
            ));
        }
    }
}

/// Where a deleted element is reported when its previous file still exists.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// On the closest enclosing message still in that file.
    ParentInFile,
    /// On the closest enclosing message still anywhere in the package.
    ParentInPackage,
    /// On the file as a whole.
    File,
}

/// Elements (by name within the package, with the file that declared them)
/// deleted from packages that still exist; each reported per `place` when
/// its previous file still exists, else against that file.
fn deleted_in_packages(
    pair: &Pair<'_>,
    out: &mut Vec<Finding>,
    kind: &str,
    elements: impl Fn(&FileDescriptor) -> BTreeSet<String>,
    place: Place,
) {
    let current = packages(pair.current);
    for (package, previous_files) in packages(pair.previous) {
        let Some(current_files) = current.get(&package) else {
            continue;
        };
        let remaining: BTreeSet<String> = current_files.iter().flat_map(|f| elements(f)).collect();
        for file in previous_files {
            for name in elements(file)
                .into_iter()
                .filter(|name| !remaining.contains(name))
            {
                let message = format!(
                    "Previously present {kind} \"{name}\" was deleted from package \"{package}\"."
                );
                out.push(match (pair.current.files().get(file.name()), place) {
                    (Some(still_there), Place::ParentInFile) => {
                        deleted_from(still_there, &name, message)
                    }
                    (Some(still_there), Place::ParentInPackage) => {
                        let parent = enclosing_message(current_files, &name);
                        match parent {
                            Some(parent) => {
                                Finding::at(&parent.parent_file(), parent.path(), message)
                            }
                            None => Finding::in_file(still_there, message),
                        }
                    }
                    (Some(still_there), Place::File) => Finding::in_file(still_there, message),
                    (None, _) => Finding::gone_with(file.name(), message),
                });
            }
        }
    }
}

/// The closest message enclosing `nested_name` that exists in `files`.
fn enclosing_message(
    files: &[&FileDescriptor],
    nested_name: &str,
) -> Option<prost_reflect::MessageDescriptor> {
    let messages: BTreeMap<String, prost_reflect::MessageDescriptor> = files
        .iter()
        .flat_map(|file| nested_messages(file))
        .collect();
    let parts: Vec<&str> = nested_name.split('.').collect();
    (1..parts.len())
        .rev()
        .find_map(|end| messages.get(&parts[..end].join(".")).cloned())
}

/// PACKAGE_ENUM_NO_DELETE.
pub(super) fn enum_no_delete(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    deleted_in_packages(
        pair,
        out,
        "enum",
        |f| nested_enums(f).into_keys().collect(),
        Place::ParentInFile,
    );
}

/// PACKAGE_MESSAGE_NO_DELETE.
pub(super) fn message_no_delete(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    deleted_in_packages(
        pair,
        out,
        "message",
        |f| nested_messages(f).into_keys().collect(),
        Place::ParentInPackage,
    );
}

/// PACKAGE_EXTENSION_NO_DELETE.
pub(super) fn extension_no_delete(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    deleted_in_packages(
        pair,
        out,
        "extension",
        |f| nested_extensions(f).into_keys().collect(),
        Place::ParentInFile,
    );
}

/// PACKAGE_SERVICE_NO_DELETE: reported on the previous file as a whole.
pub(super) fn service_no_delete(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    deleted_in_packages(
        pair,
        out,
        "service",
        |f| f.services().map(|s| s.name().to_owned()).collect(),
        Place::File,
    );
}
