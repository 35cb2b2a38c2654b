//! Arrays (`ArraySchemaDiff`): the items schema, tuples against the
//! content model, additional and unevaluated items, counts, uniqueness.

use super::content::ContentKeyword;
use super::{At, Differ, Diffs, bound};
use crate::json::diff::DifferenceType::*;
use crate::json::model::{ArrayRules, Kind, NodeId};

const ADDITIONAL_ITEMS: ContentKeyword = ContentKeyword {
    added: ADDITIONAL_ITEMS_ADDED,
    removed: ADDITIONAL_ITEMS_REMOVED,
    extended: ADDITIONAL_ITEMS_EXTENDED,
    narrowed: ADDITIONAL_ITEMS_NARROWED,
};

const UNEVALUATED_ITEMS: ContentKeyword = ContentKeyword {
    added: UNEVALUATED_ITEMS_ADDED,
    removed: UNEVALUATED_ITEMS_REMOVED,
    extended: UNEVALUATED_ITEMS_EXTENDED,
    narrowed: UNEVALUATED_ITEMS_NARROWED,
};

impl Differ<'_> {
    pub(super) fn arrays(
        &mut self,
        original: At,
        before: &ArrayRules,
        update: At,
        after: &ArrayRules,
    ) -> Diffs {
        let mut diffs = Diffs::default();
        let items = self.compare(
            before.all_items.map(|id| original.to(id)),
            after.all_items.map(|id| update.to(id)),
        );
        diffs.extend_under("items", &items);
        self.tuples(&mut diffs, original, before, update, after);
        let additional = self.additional(
            original,
            before.additional,
            update,
            after.additional,
            ADDITIONAL_ITEMS,
        );
        diffs.extend_under("additionalItems", &additional);
        let unevaluated = self.unevaluated(
            original,
            before.unevaluated,
            update,
            after.unevaluated,
            UNEVALUATED_ITEMS,
        );
        diffs.extend_under("unevaluatedItems", &unevaluated);
        bound(
            &mut diffs,
            "maxItems",
            before.max_items,
            after.max_items,
            [
                MAX_ITEMS_ADDED,
                MAX_ITEMS_REMOVED,
                MAX_ITEMS_INCREASED,
                MAX_ITEMS_DECREASED,
            ],
        );
        bound(
            &mut diffs,
            "minItems",
            before.min_items,
            after.min_items,
            [
                MIN_ITEMS_ADDED,
                MIN_ITEMS_REMOVED,
                MIN_ITEMS_INCREASED,
                MIN_ITEMS_DECREASED,
            ],
        );
        match (before.unique_items, after.unique_items) {
            (true, false) => diffs.add_at("uniqueItems", UNIQUE_ITEMS_REMOVED),
            (false, true) => diffs.add_at("uniqueItems", UNIQUE_ITEMS_ADDED),
            _ => {}
        }
        bound(
            &mut diffs,
            "maxContains",
            before.max_contains,
            after.max_contains,
            [
                MAX_CONTAINS_ADDED,
                MAX_CONTAINS_REMOVED,
                MAX_CONTAINS_INCREASED,
                MAX_CONTAINS_DECREASED,
            ],
        );
        bound(
            &mut diffs,
            "minContains",
            before.min_contains,
            after.min_contains,
            [
                MIN_CONTAINS_ADDED,
                MIN_CONTAINS_REMOVED,
                MIN_CONTAINS_INCREASED,
                MIN_CONTAINS_DECREASED,
            ],
        );
        diffs
    }

    /// Tuple positions (`items` as an array, `prefixItems`): shared ones are
    /// compared; extra ones are judged against the other side's content model.
    fn tuples(
        &mut self,
        diffs: &mut Diffs,
        original: At,
        before: &ArrayRules,
        update: At,
        after: &ArrayRules,
    ) {
        let positions = before.item_schemas.len().max(after.item_schemas.len());
        for index in 0..positions {
            let segment = format!("items/{index}");
            match (
                before.item_schemas.get(index),
                after.item_schemas.get(index),
            ) {
                (Some(old), Some(new)) => {
                    let nested = self.compare(Some(original.to(*old)), Some(update.to(*new)));
                    diffs.extend_under(&segment, &nested);
                }
                (Some(old), None) => {
                    self.item_removed(diffs, &segment, original.to(*old), update, after)
                }
                (None, Some(new)) => {
                    self.item_added(diffs, &segment, original, before, update.to(*new))
                }
                (None, None) => {}
            }
        }
    }

    fn item_removed(
        &mut self,
        diffs: &mut Diffs,
        segment: &str,
        old: At,
        update: At,
        after: &ArrayRules,
    ) {
        if self.open_content(update, after.additional, after.unevaluated) {
            diffs.add_at(segment, ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL);
        } else if let Some(cover) = self.item_cover(update, after) {
            let verdicts = (
                ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
            );
            self.covered(diffs, segment, old, update.to(cover), verdicts);
        } else if matches!(self.node(old).kind, Kind::False) {
            diffs.add_at(segment, ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL);
        } else {
            diffs.add_at(segment, ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL);
        }
    }

    fn item_added(
        &mut self,
        diffs: &mut Diffs,
        segment: &str,
        original: At,
        before: &ArrayRules,
        new: At,
    ) {
        if self.open_content(original, before.additional, before.unevaluated) {
            let kind = if matches!(self.node(new).kind, Kind::Empty) {
                ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
            } else {
                ITEM_ADDED_TO_OPEN_CONTENT_MODEL
            };
            diffs.add_at(segment, kind);
        } else if let Some(cover) = self.item_cover(original, before) {
            let verdicts = (
                ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
            );
            self.covered(diffs, segment, original.to(cover), new, verdicts);
        } else {
            diffs.add_at(segment, ITEM_ADDED_TO_CLOSED_CONTENT_MODEL);
        }
    }

    /// The schema a partially open tuple applies past its positions.
    fn item_cover(&self, at: At, rules: &ArrayRules) -> Option<NodeId> {
        let (permits, schema) = rules.additional;
        schema.or_else(|| self.unevaluated_cover(at, permits, rules.unevaluated))
    }
}
