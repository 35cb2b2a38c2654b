//! When a remembered answer is still true. Every change the registry
//! learns of — committed here, or read from the shared change feed when
//! another replica committed it — moves an epoch on: the subject's (one of
//! [`STRIPES`] counters its name hashes to) for a registration or a
//! deletion, the global one for a configuration or mode change, and the
//! counter of every change (for answers that read schemas by reference,
//! whose subjects are not all known beforehand). An answer
//! is remembered with the epochs read *before* it was computed, and is
//! fresh while they have not moved; so an answer computed from data a
//! concurrent change replaced is never served, and after a change is
//! acknowledged here nothing older than it is served here.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::model::ChangeKind;

/// Counters the subjects share (a change to one subject also forgets the
/// answers about the others hashing to the same counter).
pub(super) const STRIPES: usize = 4096;

/// The epochs.
#[derive(Debug)]
pub(in crate::service) struct Epochs {
    global: AtomicU64,
    every: AtomicU64,
    stripes: Box<[AtomicU64]>,
    hasher: std::hash::RandomState,
}

/// The epochs an answer was computed under: the global one and those of
/// the subjects it read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(in crate::service) struct Stamp {
    global: u64,
    every: Option<u64>,
    subjects: Vec<(usize, u64)>,
}

impl Default for Epochs {
    fn default() -> Self {
        Epochs {
            global: AtomicU64::new(0),
            every: AtomicU64::new(0),
            stripes: (0..STRIPES).map(|_| AtomicU64::new(0)).collect(),
            hasher: std::hash::RandomState::new(),
        }
    }
}

impl Stamp {
    /// How many counters it holds.
    pub(super) fn len(&self) -> usize {
        self.subjects.len() + 2
    }
}

impl Epochs {
    /// The counter of `subject` (qualified).
    fn stripe(&self, subject: &str) -> usize {
        (self.hasher.hash_one(subject) % STRIPES as u64) as usize
    }

    /// The epochs now, for an answer that reads `subjects` (qualified)
    /// and, when `by_reference`, schemas of subjects it does not name.
    pub(in crate::service) fn stamp<'a>(
        &self,
        subjects: impl IntoIterator<Item = &'a str>,
        by_reference: bool,
    ) -> Stamp {
        let global = self.global.load(Ordering::Acquire);
        let every = by_reference.then(|| self.every.load(Ordering::Acquire));
        let subjects = subjects
            .into_iter()
            .map(|subject| {
                let stripe = self.stripe(subject);
                (stripe, self.stripes[stripe].load(Ordering::Acquire))
            })
            .collect();
        Stamp {
            global,
            every,
            subjects,
        }
    }

    /// Whether nothing an answer stamped `stamp` read has changed since.
    pub(in crate::service) fn is_fresh(&self, stamp: &Stamp) -> bool {
        self.global.load(Ordering::Acquire) == stamp.global
            && stamp
                .every
                .is_none_or(|every| self.every.load(Ordering::Acquire) == every)
            && stamp
                .subjects
                .iter()
                .all(|(stripe, epoch)| self.stripes[*stripe].load(Ordering::Acquire) == *epoch)
    }

    /// A change of `kind` to `scope` (a qualified subject, or a config or
    /// mode scope) was committed.
    pub(in crate::service) fn changed(&self, kind: Option<ChangeKind>, scope: &str) {
        self.every.fetch_add(1, Ordering::AcqRel);
        match kind {
            Some(
                ChangeKind::Registered
                | ChangeKind::VersionDeleted
                | ChangeKind::VersionDeletedPermanently
                | ChangeKind::SubjectDeleted
                | ChangeKind::SubjectDeletedPermanently,
            ) => {
                self.stripes[self.stripe(scope)].fetch_add(1, Ordering::AcqRel);
            }
            // Settings, and any change this build does not know.
            Some(ChangeKind::ConfigChanged | ChangeKind::ModeChanged) | None => {
                self.global.fetch_add(1, Ordering::AcqRel);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_stales_the_answers_that_read_its_subject_or_any_setting() {
        let epochs = Epochs::default();
        let orders = epochs.stamp(["orders"], false);
        let both = epochs.stamp(["orders", "payments"], false);
        let payments = epochs.stamp(["payments"], false);
        let referring = epochs.stamp(["payments"], true);
        assert!(epochs.is_fresh(&orders) && epochs.is_fresh(&both));
        epochs.changed(Some(ChangeKind::Registered), "orders");
        assert!(!epochs.is_fresh(&orders));
        assert!(!epochs.is_fresh(&both));
        // An answer read by reference is stale after any change.
        assert!(!epochs.is_fresh(&referring));
        // Unless the two subjects share a counter, the other stays fresh.
        if epochs.stripe("orders") != epochs.stripe("payments") {
            assert!(epochs.is_fresh(&payments));
        }
        let payments = epochs.stamp(["payments"], false);
        epochs.changed(Some(ChangeKind::ModeChanged), "");
        assert!(!epochs.is_fresh(&payments));
        let fresh = epochs.stamp(["orders"], false);
        epochs.changed(None, "anything");
        assert!(!epochs.is_fresh(&fresh));
    }
}
