//! What the registry keeps in memory, every part bounded by its share of
//! the configured size (`--cache-mb`) and weighed by the bytes it holds:
//! schemas by id (ids are immutable, so a schema read once is served from
//! here afterwards, parsed once and rendered once), schemas parsed from
//! request texts (a check or lookup that repeats a text is not parsed
//! again), and the answers of the hot reads ([`answers`]), which the
//! change feed invalidates ([`epochs`]).

pub(super) mod answers;
pub(super) mod epochs;

use std::sync::Arc;

use bytes::Bytes;
use herald_core::ParsedSchema;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

use crate::model::Schema;

/// A parsed schema holds about this many bytes per byte of its text (the
/// parsers' trees, names and indexes; measured in docs/benchmarks.md).
pub(super) const PARSED_BYTES_PER_TEXT_BYTE: u64 = 30;

/// Bookkeeping bytes of an entry besides what it holds.
const ENTRY_OVERHEAD: u64 = 160;

/// Something whose memory an entry stands for.
pub(super) trait Weighed {
    /// About how many bytes it holds.
    fn weight(&self) -> u64;
}

impl Weighed for Schema {
    fn weight(&self) -> u64 {
        let references: usize = self
            .references
            .iter()
            .map(|r| r.name.len() + r.subject.len() + 8)
            .sum();
        (self.text.len()
            + self.context.len()
            + self.guid.len()
            + self.fingerprint.len()
            + references) as u64
    }
}

impl Weighed for ParsedSchema {
    fn weight(&self) -> u64 {
        self.canonical().len() as u64 * PARSED_BYTES_PER_TEXT_BYTE
    }
}

impl Weighed for Bytes {
    fn weight(&self) -> u64 {
        self.len() as u64
    }
}

impl<T: Weighed + ?Sized> Weighed for Arc<T> {
    fn weight(&self) -> u64 {
        T::weight(self)
    }
}

/// Weighs entries by the bytes their key and value hold.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct ByBytes;

impl<K: KeyWeight, V: Weighed> Weighter<K, V> for ByBytes {
    fn weight(&self, key: &K, value: &V) -> u64 {
        ENTRY_OVERHEAD + key.key_weight() + value.weight()
    }
}

/// The bytes a key holds.
pub(super) trait KeyWeight {
    /// About how many bytes it holds besides itself.
    fn key_weight(&self) -> u64;
}

/// A schema's key: its context and id.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(super) struct IdKey {
    context: String,
    id: i64,
}

/// An [`IdKey`] looked up without building one (hashes alike).
#[derive(Hash)]
struct IdRef<'a> {
    context: &'a str,
    id: i64,
}

impl quick_cache::Equivalent<IdKey> for IdRef<'_> {
    fn equivalent(&self, key: &IdKey) -> bool {
        self.id == key.id && self.context == key.context
    }
}

impl KeyWeight for IdKey {
    fn key_weight(&self) -> u64 {
        self.context.len() as u64
    }
}

impl KeyWeight for String {
    fn key_weight(&self) -> u64 {
        self.len() as u64
    }
}

/// A bounded cache weighed in bytes.
pub(super) type Bounded<K, V> = Cache<K, V, ByBytes>;

/// A cache of at most `bytes`, for entries of about `typical` bytes.
pub(super) fn bounded<K: Eq + std::hash::Hash + KeyWeight, V: Clone + Weighed>(
    bytes: u64,
    typical: u64,
) -> Bounded<K, V> {
    let bytes = bytes.max(1);
    let items = usize::try_from(bytes / typical.max(1))
        .unwrap_or(usize::MAX)
        .max(16);
    Cache::with_weighter(items, bytes, ByBytes)
}

/// Stored and parsed schemas by context and id, and one rendering of each
/// (the front end's answer for it, kept so it is built once).
#[derive(Debug)]
pub(super) struct SchemaCache {
    rows: Bounded<IdKey, Arc<Schema>>,
    parsed: Bounded<IdKey, Arc<ParsedSchema>>,
    rendered: Bounded<IdKey, Bytes>,
}

/// How a cache's bytes are shared, in parts of [`SHARES`]: stored rows,
/// parsed schemas by id, renderings, parsed request texts, answers.
const SHARES: u64 = 16;
const ROWS_SHARE: u64 = 3;
const PARSED_SHARE: u64 = 6;
const RENDERED_SHARE: u64 = 2;
/// Parsed request texts' share.
pub(super) const TEXTS_SHARE: u64 = 3;
/// The answers' share.
pub(super) const ANSWERS_SHARE: u64 = 2;

/// `share` parts of `bytes`.
pub(super) fn share(bytes: u64, share: u64) -> u64 {
    bytes / SHARES * share
}

/// A schema's typical size, for sizing the caches' tables.
const TYPICAL_SCHEMA: u64 = 4096;

impl SchemaCache {
    /// Caches holding at most their shares of `bytes`.
    pub(super) fn new(bytes: u64) -> SchemaCache {
        SchemaCache {
            rows: bounded(share(bytes, ROWS_SHARE), TYPICAL_SCHEMA),
            parsed: bounded(
                share(bytes, PARSED_SHARE),
                TYPICAL_SCHEMA * PARSED_BYTES_PER_TEXT_BYTE,
            ),
            rendered: bounded(share(bytes, RENDERED_SHARE), TYPICAL_SCHEMA),
        }
    }

    pub(super) fn row(&self, context: &str, id: i64) -> Option<Arc<Schema>> {
        self.rows.get(&IdRef { context, id })
    }

    pub(super) fn insert_row(&self, row: Schema) -> Arc<Schema> {
        let row = Arc::new(row);
        let key = IdKey {
            context: row.context.clone(),
            id: row.id,
        };
        self.rows.insert(key, row.clone());
        row
    }

    pub(super) fn parsed(&self, context: &str, id: i64) -> Option<Arc<ParsedSchema>> {
        self.parsed.get(&IdRef { context, id })
    }

    pub(super) fn insert_parsed(&self, context: &str, id: i64, parsed: Arc<ParsedSchema>) {
        let key = IdKey {
            context: context.to_owned(),
            id,
        };
        self.parsed.insert(key, parsed);
    }

    pub(super) fn rendered(&self, context: &str, id: i64) -> Option<Bytes> {
        self.rendered.get(&IdRef { context, id })
    }

    pub(super) fn insert_rendered(&self, context: &str, id: i64, bytes: Bytes) {
        let key = IdKey {
            context: context.to_owned(),
            id,
        };
        self.rendered.insert(key, bytes);
    }

    /// Forgets a schema that was deleted for good.
    pub(super) fn evict(&self, context: &str, id: i64) {
        let key = IdRef { context, id };
        self.rows.remove(&key);
        self.parsed.remove(&key);
        self.rendered.remove(&key);
    }

    /// Forgets everything (another replica deleted schemas for good).
    pub(super) fn clear(&self) {
        self.rows.clear();
        self.parsed.clear();
        self.rendered.clear();
    }
}
