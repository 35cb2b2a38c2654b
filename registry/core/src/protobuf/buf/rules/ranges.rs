//! Rules on number ranges: reserved ranges and names, extension ranges.

use std::collections::BTreeSet;

use prost_reflect::{EnumDescriptor, MessageDescriptor};

use super::{Finding, Pair, enum_pairs, message_pairs};

/// Largest field number of a message; largest enum value.
const MESSAGE_MAX: i64 = 536_870_911;
const ENUM_MAX: i64 = i32::MAX as i64;

/// Inclusive ranges, sorted and merged where they touch.
fn collapse(mut ranges: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    ranges.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (start, end) in ranges {
        match out.last_mut() {
            Some(last) if start <= last.1 + 1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// The parts of `start..=end` not covered by `covered` (collapsed).
fn missing(start: i64, end: i64, covered: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut next = start;
    for &(from, to) in covered
        .iter()
        .filter(|(from, to)| *to >= start && *from <= end)
    {
        if from > next {
            out.push((next, from - 1));
        }
        next = next.max(to + 1);
    }
    if next <= end {
        out.push((next, end));
    }
    out
}

fn describe(ranges: &[(i64, i64)], max: i64) -> String {
    let parts: Vec<String> = ranges
        .iter()
        .map(|&(start, end)| match end {
            _ if start == end => format!("[{start}]"),
            _ if end == max => format!("[{start},max]"),
            _ => format!("[{start},{end}]"),
        })
        .collect();
    parts.join(", ")
}

/// One finding per previous range that lost numbers, on the element.
fn check_ranges(
    out: &mut Vec<Finding>,
    kind: &str,
    element: (&str, &str, &prost_reflect::FileDescriptor, &[i32]),
    previous: Vec<(i64, i64)>,
    current: Vec<(i64, i64)>,
    max: i64,
) {
    let (element_kind, name, file, path) = element;
    let covered = collapse(current);
    for (start, end) in previous {
        let gone = missing(start, end, &covered);
        if !gone.is_empty() {
            let message = format!(
                "Previously present {kind} range \"{}\" on {element_kind} \"{name}\" is missing values: {} were removed.",
                describe(&[(start, end)], max),
                describe(&gone, max)
            );
            out.push(Finding::at(file, path, message));
        }
    }
}

fn message_ranges(ranges: impl Iterator<Item = std::ops::Range<u32>>) -> Vec<(i64, i64)> {
    ranges
        .map(|r| (i64::from(r.start), i64::from(r.end) - 1))
        .collect()
}

fn on_message(
    message: &MessageDescriptor,
) -> (&'static str, &str, prost_reflect::FileDescriptor, Vec<i32>) {
    (
        "message",
        message.name(),
        message.parent_file(),
        message.path().to_vec(),
    )
}

/// RESERVED_MESSAGE_NO_DELETE: reserved ranges keep their numbers and
/// reserved names stay reserved.
pub(super) fn reserved_message_no_delete(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in message_pairs(pair) {
        let (kind, name, file, path) = on_message(current);
        check_ranges(
            out,
            "reserved",
            (kind, name, &file, &path),
            message_ranges(previous.reserved_ranges()),
            message_ranges(current.reserved_ranges()),
            MESSAGE_MAX,
        );
        let names: BTreeSet<&str> = current.reserved_names().collect();
        for gone in previous.reserved_names().filter(|n| !names.contains(n)) {
            let message = format!(
                "Previously present reserved name \"{gone}\" on message \"{name}\" was deleted."
            );
            out.push(Finding::at(&file, &path, message));
        }
    }
}

/// EXTENSION_MESSAGE_NO_DELETE: extension ranges keep their numbers.
pub(super) fn extension_message_no_delete(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in message_pairs(pair) {
        let (kind, name, file, path) = on_message(current);
        check_ranges(
            out,
            "extension",
            (kind, name, &file, &path),
            message_ranges(previous.extension_ranges()),
            message_ranges(current.extension_ranges()),
            MESSAGE_MAX,
        );
    }
}

fn enum_ranges(e: &EnumDescriptor) -> Vec<(i64, i64)> {
    e.reserved_ranges()
        .map(|r| (i64::from(*r.start()), i64::from(*r.end())))
        .collect()
}

/// RESERVED_ENUM_NO_DELETE.
pub(super) fn reserved_enum_no_delete(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in enum_pairs(pair) {
        let file = current.parent_file();
        let path = current.path().to_vec();
        check_ranges(
            out,
            "reserved",
            ("enum", current.name(), &file, &path),
            enum_ranges(previous),
            enum_ranges(current),
            ENUM_MAX,
        );
        let names: BTreeSet<&str> = current.reserved_names().collect();
        for gone in previous.reserved_names().filter(|n| !names.contains(n)) {
            let message = format!(
                "Previously present reserved name \"{gone}\" on enum \"{}\" was deleted.",
                current.name()
            );
            out.push(Finding::at(&file, &path, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_parts_of_a_range() {
        // 4 is not covered, so (1..=3) and (5..=6) stay apart.
        let covered = collapse(vec![(5, 6), (1, 2), (3, 3), (10, 20)]);
        assert_eq!(covered, vec![(1, 3), (5, 6), (10, 20)]);
        assert_eq!(missing(1, 3, &covered), vec![]);
        assert_eq!(missing(1, 12, &covered), vec![(4, 4), (7, 9)]);
        assert_eq!(
            missing(0, 25, &covered),
            vec![(0, 0), (4, 4), (7, 9), (21, 25)]
        );
        assert_eq!(missing(30, 40, &covered), vec![(30, 40)]);
        assert_eq!(collapse(vec![(1, 2), (3, 4)]), vec![(1, 4)]);
        assert_eq!(
            describe(&[(7, 9), (100, MESSAGE_MAX), (4, 4)], MESSAGE_MAX),
            "[7,9], [100,max], [4]"
        );
    }
}
