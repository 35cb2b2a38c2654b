//! Schemas kept in memory: ids are immutable, so a schema read once is
//! served from here afterwards, and a parsed schema is parsed once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use herald_core::ParsedSchema;

use crate::model::Schema;

type ByContext<T> = RwLock<HashMap<String, HashMap<i64, Arc<T>>>>;

/// Stored and parsed schemas by context and id, and one rendering of each
/// (the front end's answer for it, kept so it is built once).
#[derive(Debug, Default)]
pub(super) struct SchemaCache {
    rows: ByContext<Schema>,
    parsed: ByContext<ParsedSchema>,
    rendered: ByContext<Bytes>,
}

fn get<T>(map: &ByContext<T>, context: &str, id: i64) -> Option<Arc<T>> {
    let map = map
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    map.get(context).and_then(|ids| ids.get(&id)).cloned()
}

fn put<T>(map: &ByContext<T>, context: &str, id: i64, value: Arc<T>) {
    let mut map = map
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    map.entry(context.to_owned()).or_default().insert(id, value);
}

fn remove<T>(map: &ByContext<T>, context: &str, id: i64) {
    let mut map = map
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(ids) = map.get_mut(context) {
        ids.remove(&id);
    }
}

impl SchemaCache {
    pub(super) fn row(&self, context: &str, id: i64) -> Option<Arc<Schema>> {
        get(&self.rows, context, id)
    }

    pub(super) fn insert_row(&self, row: Schema) -> Arc<Schema> {
        let row = Arc::new(row);
        put(&self.rows, &row.context, row.id, row.clone());
        row
    }

    pub(super) fn parsed(&self, context: &str, id: i64) -> Option<Arc<ParsedSchema>> {
        get(&self.parsed, context, id)
    }

    pub(super) fn insert_parsed(&self, context: &str, id: i64, parsed: Arc<ParsedSchema>) {
        put(&self.parsed, context, id, parsed);
    }

    pub(super) fn rendered(&self, context: &str, id: i64) -> Option<Bytes> {
        get(&self.rendered, context, id).map(|bytes| Bytes::clone(&bytes))
    }

    pub(super) fn insert_rendered(&self, context: &str, id: i64, bytes: Bytes) {
        put(&self.rendered, context, id, Arc::new(bytes));
    }

    /// Forgets a schema that was deleted for good.
    pub(super) fn evict(&self, context: &str, id: i64) {
        remove(&self.rows, context, id);
        remove(&self.parsed, context, id);
        remove(&self.rendered, context, id);
    }

    /// Forgets everything (another replica deleted schemas for good).
    pub(super) fn clear(&self) {
        self.rows
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
        self.parsed
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
        self.rendered
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }
}
