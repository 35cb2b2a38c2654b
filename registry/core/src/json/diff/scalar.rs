//! Strings, numbers and enums (`StringSchemaDiff`, `NumberSchemaDiff`,
//! `EnumSchemaDiff`).

use serde_json::Value;

use super::{Diffs, bound};
use crate::json::diff::DifferenceType::*;
use crate::json::model::{NumberRules, StringRules};

pub(super) fn strings(diffs: &mut Diffs, original: &StringRules, update: &StringRules) {
    bound(
        diffs,
        "maxLength",
        original.max_length,
        update.max_length,
        [
            MAX_LENGTH_ADDED,
            MAX_LENGTH_REMOVED,
            MAX_LENGTH_INCREASED,
            MAX_LENGTH_DECREASED,
        ],
    );
    bound(
        diffs,
        "minLength",
        original.min_length,
        update.min_length,
        [
            MIN_LENGTH_ADDED,
            MIN_LENGTH_REMOVED,
            MIN_LENGTH_INCREASED,
            MIN_LENGTH_DECREASED,
        ],
    );
    match (&original.pattern, &update.pattern) {
        (None, Some(_)) => diffs.add_at("pattern", PATTERN_ADDED),
        (Some(_), None) => diffs.add_at("pattern", PATTERN_REMOVED),
        (Some(before), Some(after)) if before != after => diffs.add_at("pattern", PATTERN_CHANGED),
        _ => {}
    }
}

pub(super) fn numbers(diffs: &mut Diffs, original: &NumberRules, update: &NumberRules) {
    bound(
        diffs,
        "maximum",
        original.maximum,
        update.maximum,
        [
            MAXIMUM_ADDED,
            MAXIMUM_REMOVED,
            MAXIMUM_INCREASED,
            MAXIMUM_DECREASED,
        ],
    );
    bound(
        diffs,
        "minimum",
        original.minimum,
        update.minimum,
        [
            MINIMUM_ADDED,
            MINIMUM_REMOVED,
            MINIMUM_INCREASED,
            MINIMUM_DECREASED,
        ],
    );
    bound(
        diffs,
        "exclusiveMaximum",
        original.exclusive_maximum,
        update.exclusive_maximum,
        [
            EXCLUSIVE_MAXIMUM_ADDED,
            EXCLUSIVE_MAXIMUM_REMOVED,
            EXCLUSIVE_MAXIMUM_INCREASED,
            EXCLUSIVE_MAXIMUM_DECREASED,
        ],
    );
    bound(
        diffs,
        "exclusiveMinimum",
        original.exclusive_minimum,
        update.exclusive_minimum,
        [
            EXCLUSIVE_MINIMUM_ADDED,
            EXCLUSIVE_MINIMUM_REMOVED,
            EXCLUSIVE_MINIMUM_INCREASED,
            EXCLUSIVE_MINIMUM_DECREASED,
        ],
    );
    match (original.multiple_of, update.multiple_of) {
        (None, Some(_)) => diffs.add_at("multipleOf", MULTIPLE_OF_ADDED),
        (Some(_), None) => diffs.add_at("multipleOf", MULTIPLE_OF_REMOVED),
        (Some(before), Some(after)) if before != after => {
            // A multiple of the old step accepts fewer values (expanded);
            // a divisor of it accepts more (reduced).
            let kind = if is_multiple(after, before) {
                MULTIPLE_OF_EXPANDED
            } else if is_multiple(before, after) {
                MULTIPLE_OF_REDUCED
            } else {
                MULTIPLE_OF_CHANGED
            };
            diffs.add_at("multipleOf", kind);
        }
        _ => {}
    }
    match (original.requires_integer, update.requires_integer) {
        (true, false) => diffs.add(TYPE_EXTENDED),
        (false, true) => diffs.add(TYPE_NARROWED),
        _ => {}
    }
}

/// Whether `value` is a whole multiple of `step`.
fn is_multiple(value: f64, step: f64) -> bool {
    let ratio = value / step;
    step != 0.0 && (ratio - ratio.round()).abs() < 1e-9
}

/// Enum values compare as sets: more values accept more documents.
pub(super) fn enums(diffs: &mut Diffs, original: &[Value], update: &[Value]) {
    let covers = |all: &[Value], some: &[Value]| some.iter().all(|value| all.contains(value));
    let kind = match (covers(update, original), covers(original, update)) {
        (true, true) => return,
        (true, false) => ENUM_ARRAY_EXTENDED,
        (false, true) => ENUM_ARRAY_NARROWED,
        (false, false) => ENUM_ARRAY_CHANGED,
    };
    diffs.add_at("enum", kind);
}
