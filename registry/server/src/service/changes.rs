//! Reading the change feed: what changed after a sequence number, and
//! waiting for the next change.

use std::sync::atomic::Ordering;
use std::time::Duration;

use super::{Registry, ServiceResult};
use crate::store::WriteTx;

use crate::store::changes::{self, ChangeKind, ChangeRow};

/// How long a watcher waits for a wake-up before looking again (changes
/// committed by another process sharing the database wake no one here).
pub const WATCH_POLL: Duration = Duration::from_secs(1);

impl Registry {
    /// Records `kind` of change to `scope` in `tx`, commits it, and wakes
    /// the change-feed watchers: every write ends here.
    pub(super) async fn commit_change(
        &self,
        mut tx: WriteTx,
        kind: ChangeKind,
        scope: &str,
        version: Option<i32>,
        schema_id: Option<i64>,
    ) -> ServiceResult<()> {
        changes::record(&mut tx, kind, scope, version, schema_id).await?;
        changes::announce(&mut tx, self.store.backend()).await?;
        tx.commit().await?;
        self.changed.notify_waiters();
        Ok(())
    }

    /// Up to `limit` changes after sequence `after` whose subject (or
    /// scope) starts with `prefix`, oldest first.
    pub async fn changes_since(
        &self,
        after: i64,
        prefix: &str,
        limit: i64,
    ) -> ServiceResult<Vec<ChangeRow>> {
        let mut conn = self.store.read().await?;
        Ok(changes::since(&mut conn, after, prefix, limit).await?)
    }

    /// Waits until a change is committed here, or `WATCH_POLL` passes.
    /// Returns `false` once the server is stopping: watches should end.
    pub async fn wait_for_change(&self) -> bool {
        if self.watches_ended() {
            return false;
        }
        let _ = tokio::time::timeout(WATCH_POLL, self.changed.notified()).await;
        !self.watches_ended()
    }

    /// Ends every change-feed watch (the server is stopping).
    pub fn end_watches(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.changed.notify_waiters();
    }

    fn watches_ended(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }
}
