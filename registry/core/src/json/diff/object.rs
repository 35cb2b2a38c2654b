//! Objects (`ObjectSchemaDiff`): required, properties against the content
//! model, dependencies, additional and unevaluated properties, counts.

use super::content::ContentKeyword;
use super::{At, Differ, Diffs, bound};
use crate::json::diff::DifferenceType::*;
use crate::json::model::{Kind, NodeId, ObjectRules, lookup};

impl Differ<'_> {
    pub(super) fn objects(
        &mut self,
        original: At,
        before: &ObjectRules,
        update: At,
        after: &ObjectRules,
    ) -> Diffs {
        let mut diffs = Diffs::default();
        self.required(&mut diffs, update, before, after);
        self.properties(&mut diffs, original, before, update, after);
        self.dependencies(&mut diffs, original, before, update, after);
        let additional = self.additional(
            original,
            before.additional,
            update,
            after.additional,
            ADDITIONAL_PROPERTIES,
        );
        diffs.extend_under("additionalProperties", &additional);
        let unevaluated = self.unevaluated(
            original,
            before.unevaluated,
            update,
            after.unevaluated,
            UNEVALUATED_PROPERTIES,
        );
        diffs.extend_under("unevaluatedProperties", &unevaluated);
        bound(
            &mut diffs,
            "maxProperties",
            before.max_properties,
            after.max_properties,
            [
                MAX_PROPERTIES_ADDED,
                MAX_PROPERTIES_REMOVED,
                MAX_PROPERTIES_INCREASED,
                MAX_PROPERTIES_DECREASED,
            ],
        );
        bound(
            &mut diffs,
            "minProperties",
            before.min_properties,
            after.min_properties,
            [
                MIN_PROPERTIES_ADDED,
                MIN_PROPERTIES_REMOVED,
                MIN_PROPERTIES_INCREASED,
                MIN_PROPERTIES_DECREASED,
            ],
        );
        diffs
    }

    /// Properties on both sides that became required or optional.
    fn required(&self, diffs: &mut Diffs, update: At, before: &ObjectRules, after: &ObjectRules) {
        for (name, _) in &before.properties {
            let Some(property) = after.property(name) else {
                continue;
            };
            let was = before.is_required(name);
            let is = after.is_required(name);
            let kind = match (was, is) {
                (true, false) => REQUIRED_ATTRIBUTE_REMOVED,
                (false, true) if self.node(update.to(property)).default.is_some() => {
                    REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED
                }
                (false, true) => REQUIRED_ATTRIBUTE_ADDED,
                _ => continue,
            };
            diffs.add_at(&format!("required/{name}"), kind);
        }
    }

    fn properties(
        &mut self,
        diffs: &mut Diffs,
        original: At,
        before: &ObjectRules,
        update: At,
        after: &ObjectRules,
    ) {
        let added = after
            .properties
            .iter()
            .filter(|(name, _)| before.property(name).is_none());
        let names: Vec<&String> = before
            .properties
            .iter()
            .chain(added)
            .map(|(n, _)| n)
            .collect();
        for name in names {
            let segment = format!("properties/{name}");
            match (before.property(name), after.property(name)) {
                (Some(old), Some(new)) => {
                    let nested = self.compare(Some(original.to(old)), Some(update.to(new)));
                    diffs.extend_under(&segment, &nested);
                }
                (Some(old), None) => {
                    self.property_removed(diffs, &segment, original.to(old), update, after, name)
                }
                (None, Some(new)) => self.property_added(
                    diffs,
                    &segment,
                    original,
                    before,
                    update.to(new),
                    after,
                    name,
                ),
                (None, None) => {}
            }
        }
    }

    /// The update dropped a property: fine where its content model still
    /// admits the old values.
    fn property_removed(
        &mut self,
        diffs: &mut Diffs,
        segment: &str,
        old: At,
        update: At,
        after: &ObjectRules,
        name: &str,
    ) {
        if is_open(self, update, after) {
            diffs.add_at(segment, PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL);
        } else if let Some(cover) = self.partial_model(update, after, name) {
            let verdicts = (
                PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
            );
            self.covered(diffs, segment, old, update.to(cover), verdicts);
        } else if matches!(self.node(old).kind, Kind::False) {
            diffs.add_at(
                segment,
                PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
            );
        } else {
            diffs.add_at(segment, PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL);
        }
    }

    /// The update declared a new property: old data may already carry it
    /// with any value if the original's content model was open.
    #[allow(clippy::too_many_arguments)]
    fn property_added(
        &mut self,
        diffs: &mut Diffs,
        segment: &str,
        original: At,
        before: &ObjectRules,
        new: At,
        after: &ObjectRules,
        name: &str,
    ) {
        let required = after.is_required(name);
        let defaulted = self.node(new).default.is_some();
        if is_open(self, original, before) {
            let kind = match (&self.node(new).kind, required, defaulted) {
                (Kind::Empty, _, _) => PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL,
                (_, true, true) => REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL,
                (_, true, false) => REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL,
                (_, false, _) => OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL,
            };
            diffs.add_at(segment, kind);
            return;
        }
        if let Some(cover) = self.partial_model(original, before, name) {
            let verdicts = (
                PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
            );
            self.covered(diffs, segment, original.to(cover), new, verdicts);
        }
        let kind = match (required, defaulted) {
            (true, true) => REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL,
            (true, false) => REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL,
            (false, _) => OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL,
        };
        diffs.add_at(segment, kind);
    }

    fn dependencies(
        &mut self,
        diffs: &mut Diffs,
        original: At,
        before: &ObjectRules,
        update: At,
        after: &ObjectRules,
    ) {
        for name in union(&before.property_dependencies, &after.property_dependencies) {
            let old = before
                .property_dependencies
                .iter()
                .find(|(n, _)| *n == name);
            let new = after.property_dependencies.iter().find(|(n, _)| *n == name);
            let kind = match (old, new) {
                (_, None) => DEPENDENCY_ARRAY_REMOVED,
                (None, Some(_)) => DEPENDENCY_ARRAY_ADDED,
                (Some((_, old)), Some((_, new))) => {
                    let covers =
                        |all: &[String], some: &[String]| some.iter().all(|s| all.contains(s));
                    match (covers(new, old), covers(old, new)) {
                        (true, true) => continue,
                        (true, false) => DEPENDENCY_ARRAY_EXTENDED,
                        (false, true) => DEPENDENCY_ARRAY_NARROWED,
                        (false, false) => DEPENDENCY_ARRAY_CHANGED,
                    }
                }
            };
            diffs.add_at(&format!("dependencies/{name}"), kind);
        }
        for name in union(&before.schema_dependencies, &after.schema_dependencies) {
            let segment = format!("dependencies/{name}");
            match (
                lookup(&before.schema_dependencies, &name),
                lookup(&after.schema_dependencies, &name),
            ) {
                (_, None) => diffs.add_at(&segment, DEPENDENCY_SCHEMA_REMOVED),
                (None, Some(_)) => diffs.add_at(&segment, DEPENDENCY_SCHEMA_ADDED),
                (Some(old), Some(new)) => {
                    let nested = self.compare(Some(original.to(old)), Some(update.to(new)));
                    diffs.extend_under(&segment, &nested);
                }
            }
        }
    }

    /// The schema a partially open object applies to an undeclared
    /// property `name`: a matching `patternProperties` entry, else the
    /// `additionalProperties` schema, else the `unevaluatedProperties` schema.
    fn partial_model(&self, at: At, rules: &ObjectRules, name: &str) -> Option<NodeId> {
        let matching = rules.pattern_properties.iter().find(|(pattern, _)| {
            fancy_regex::Regex::new(pattern)
                .ok()
                .and_then(|regex| regex.is_match(name).ok())
                .unwrap_or(false)
        });
        if let Some((_, schema)) = matching {
            return Some(*schema);
        }
        let (permits, schema) = rules.additional;
        schema.or_else(|| self.unevaluated_cover(at, permits, rules.unevaluated))
    }
}

/// Open: additional members absent or `true`, no pattern properties, and
/// unevaluated members absent or `true`.
fn is_open(differ: &Differ<'_>, at: At, rules: &ObjectRules) -> bool {
    rules.pattern_properties.is_empty()
        && differ.open_content(at, rules.additional, rules.unevaluated)
}

/// Names of either list, the original's first.
fn union<T>(before: &[(String, T)], after: &[(String, T)]) -> Vec<String> {
    let mut names: Vec<String> = before.iter().map(|(n, _)| n.clone()).collect();
    for (name, _) in after {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names
}

const ADDITIONAL_PROPERTIES: ContentKeyword = ContentKeyword {
    added: ADDITIONAL_PROPERTIES_ADDED,
    removed: ADDITIONAL_PROPERTIES_REMOVED,
    extended: ADDITIONAL_PROPERTIES_EXTENDED,
    narrowed: ADDITIONAL_PROPERTIES_NARROWED,
};

const UNEVALUATED_PROPERTIES: ContentKeyword = ContentKeyword {
    added: UNEVALUATED_PROPERTIES_ADDED,
    removed: UNEVALUATED_PROPERTIES_REMOVED,
    extended: UNEVALUATED_PROPERTIES_EXTENDED,
    narrowed: UNEVALUATED_PROPERTIES_NARROWED,
};
