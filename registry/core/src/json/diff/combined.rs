//! `allOf`, `anyOf` and `oneOf` (`CombinedSchemaDiff`): the criterion, the
//! number of members, and a one-to-one matching of compatible members.

use super::{At, Differ, DifferenceType, Diffs};
use crate::json::diff::DifferenceType::*;
use crate::json::model::{Criterion, Kind};

impl Differ<'_> {
    pub(super) fn combined(&mut self, original: At, update: At) -> Diffs {
        let (Kind::Combined(was, before), Kind::Combined(is, after)) =
            (&self.node(original).kind, &self.node(update).kind)
        else {
            return Diffs::default();
        };
        let mut diffs = Diffs::default();
        if let Some(change) = criterion_change((*was, before.len()), (*is, after.len())) {
            diffs.add(change);
            if change == COMBINED_TYPE_CHANGED {
                return diffs;
            }
        }
        // Extending is judged by the new criterion, narrowing by the old
        // one, as Confluent does: `allOf` [A, B] → `oneOf` [A] narrows a
        // product (compatible), `anyOf` [A, B] → `anyOf` [A] a sum.
        if before.len() < after.len() {
            diffs.add(if *is == Criterion::All {
                PRODUCT_TYPE_EXTENDED
            } else {
                SUM_TYPE_EXTENDED
            });
        } else if before.len() > after.len() {
            diffs.add(if *was == Criterion::All {
                PRODUCT_TYPE_NARROWED
            } else {
                SUM_TYPE_NARROWED
            });
        }
        // Every compatible (original member, update member) pair is an edge.
        let mut edges: Vec<Vec<(usize, Diffs)>> = Vec::with_capacity(before.len());
        for old in before {
            let mut compatible = Vec::new();
            for (index, new) in after.iter().enumerate() {
                let nested = self.compare(Some(original.to(*old)), Some(update.to(*new)));
                if self.compatible(&nested) {
                    compatible.push((index, nested));
                }
            }
            edges.push(compatible);
        }
        let owners = maximum_matching(&edges, after.len());
        let mut matched = 0;
        for (new_index, owner) in owners.iter().enumerate() {
            let Some(old_index) = owner else { continue };
            matched += 1;
            if let Some((_, nested)) = edges[*old_index].iter().find(|(i, _)| *i == new_index) {
                diffs.extend_under(&format!("{}/{old_index}", was.keyword()), nested);
            }
        }
        if matched < before.len().min(after.len()) {
            diffs.add(COMBINED_TYPE_SUBSCHEMAS_CHANGED);
        }
        diffs
    }
}

/// The change of criterion, given each side's criterion and member count,
/// as Confluent's `compareCriteria`: anything may become `anyOf`; a
/// singleton may become `oneOf`; singletons may become singletons; an
/// `allOf` may become a singleton of any criterion.
fn criterion_change(
    (was, before): (Criterion, usize),
    (is, after): (Criterion, usize),
) -> Option<DifferenceType> {
    if was == is {
        return None;
    }
    let widened = is == Criterion::Any
        || (before == 1 && after == 1)
        || (before == 1 && is == Criterion::One)
        || (after == 1 && was == Criterion::All);
    Some(if widened {
        COMBINED_TYPE_EXTENDED
    } else {
        COMBINED_TYPE_CHANGED
    })
}

/// A maximum bipartite matching (augmenting paths): for each right-hand
/// member, the left-hand member matched to it.
fn maximum_matching<T>(edges: &[Vec<(usize, T)>], right: usize) -> Vec<Option<usize>> {
    fn augment<T>(
        left: usize,
        edges: &[Vec<(usize, T)>],
        seen: &mut [bool],
        owners: &mut [Option<usize>],
    ) -> bool {
        for (candidate, _) in &edges[left] {
            if seen[*candidate] {
                continue;
            }
            seen[*candidate] = true;
            let free = match owners[*candidate] {
                None => true,
                Some(owner) => augment(owner, edges, seen, owners),
            };
            if free {
                owners[*candidate] = Some(left);
                return true;
            }
        }
        false
    }
    let mut owners = vec![None; right];
    for left in 0..edges.len() {
        let mut seen = vec![false; right];
        augment(left, edges, &mut seen, &mut owners);
    }
    owners
}
