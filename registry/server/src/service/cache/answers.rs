//! The answers of the reads every serializer makes, remembered while they
//! are fresh ([`super::epochs`]): the latest version of a subject, lookups
//! of a schema in a subject, registrations that found their schema already
//! there (and so changed nothing), and alias targets. Keys are the
//! requests themselves (the subject, the flags, the schema text), compared
//! whole: two requests share an answer only when they are the same request.

use std::sync::Arc;

use super::epochs::{Epochs, Stamp};
use super::{Bounded, Weighed, bounded};
use crate::service::{Registered, SubjectVersion};

/// An answer and the epochs it was computed under.
#[derive(Clone, Debug)]
pub(in crate::service) struct Fresh<V> {
    value: V,
    stamp: Arc<Stamp>,
}

impl Weighed for SubjectVersion {
    fn weight(&self) -> u64 {
        (self.subject.len() + 16) as u64 + self.schema.weight()
    }
}

impl Weighed for Registered {
    fn weight(&self) -> u64 {
        8 + self.schema.weight()
    }
}

impl Weighed for Option<String> {
    fn weight(&self) -> u64 {
        self.as_ref().map_or(0, |text| text.len() as u64)
    }
}

impl<V: Weighed> Weighed for Fresh<V> {
    fn weight(&self) -> u64 {
        self.value.weight() + 16 * self.stamp.len() as u64
    }
}

/// A typical answer's size, for sizing the tables.
const TYPICAL_ANSWER: u64 = 4096;

/// Remembered answers, by request.
#[derive(Debug)]
pub(in crate::service) struct Answers {
    /// What moves on with every change.
    pub(in crate::service) epochs: Epochs,
    latest: Bounded<String, Fresh<SubjectVersion>>,
    lookups: Bounded<String, Fresh<SubjectVersion>>,
    registrations: Bounded<String, Fresh<Registered>>,
    aliases: Bounded<String, Fresh<Option<String>>>,
}

impl Answers {
    /// Answers holding at most `bytes` in all.
    pub(in crate::service) fn new(bytes: u64) -> Answers {
        let quarter = bytes / 4;
        Answers {
            epochs: Epochs::default(),
            latest: bounded(quarter, TYPICAL_ANSWER),
            lookups: bounded(quarter, TYPICAL_ANSWER),
            registrations: bounded(quarter, TYPICAL_ANSWER),
            aliases: bounded(quarter, 64),
        }
    }

    /// The remembered answer to `key`, if still fresh.
    pub(in crate::service) fn latest(&self, key: &str) -> Option<SubjectVersion> {
        fresh(&self.epochs, &self.latest, key)
    }

    /// The remembered lookup `key`, if still fresh.
    pub(in crate::service) fn lookup(&self, key: &str) -> Option<SubjectVersion> {
        fresh(&self.epochs, &self.lookups, key)
    }

    /// The remembered registration `key`, if still fresh.
    pub(in crate::service) fn registration(&self, key: &str) -> Option<Registered> {
        fresh(&self.epochs, &self.registrations, key)
    }

    /// The remembered alias target of `key`, if still fresh.
    pub(in crate::service) fn alias(&self, key: &str) -> Option<Option<String>> {
        fresh(&self.epochs, &self.aliases, key)
    }

    /// Remembers the latest version `value` for `key`, computed under `stamp`.
    pub(in crate::service) fn remember_latest(
        &self,
        key: String,
        value: SubjectVersion,
        stamp: Stamp,
    ) {
        self.latest.insert(
            key,
            Fresh {
                value,
                stamp: Arc::new(stamp),
            },
        );
    }

    /// Remembers the lookup `value` for `key`, computed under `stamp`.
    pub(in crate::service) fn remember_lookup(
        &self,
        key: String,
        value: SubjectVersion,
        stamp: Stamp,
    ) {
        self.lookups.insert(
            key,
            Fresh {
                value,
                stamp: Arc::new(stamp),
            },
        );
    }

    /// Remembers the registration `value` for `key`, computed under `stamp`.
    pub(in crate::service) fn remember_registration(
        &self,
        key: String,
        value: Registered,
        stamp: Stamp,
    ) {
        self.registrations.insert(
            key,
            Fresh {
                value,
                stamp: Arc::new(stamp),
            },
        );
    }

    /// Remembers the alias target `value` for `key`, computed under `stamp`.
    pub(in crate::service) fn remember_alias(
        &self,
        key: String,
        value: Option<String>,
        stamp: Stamp,
    ) {
        self.aliases.insert(
            key,
            Fresh {
                value,
                stamp: Arc::new(stamp),
            },
        );
    }
}

/// `key`'s answer in `cache` when its stamp is still fresh; a stale one is
/// dropped.
fn fresh<V: Clone + Weighed>(
    epochs: &Epochs,
    cache: &Bounded<String, Fresh<V>>,
    key: &str,
) -> Option<V> {
    let entry = cache.get(key)?;
    if epochs.is_fresh(&entry.stamp) {
        Some(entry.value)
    } else {
        cache.remove(key);
        None
    }
}
