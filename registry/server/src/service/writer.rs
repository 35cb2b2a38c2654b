//! Group commit of writes. Writes run one at a time (the batch lock), each
//! inside a savepoint of a transaction that stays open while more writes
//! are queued; a committer, queued behind them, commits them all at once.
//! A write's caller hears back only when its batch has committed (and is
//! durable), so nothing is acknowledged that could still be rolled back.
//! A write that fails, changes nothing or is abandoned (its request
//! cancelled) is rolled back to its savepoint before anything else uses the
//! transaction; one that answers from what earlier, still uncommitted
//! writes of the batch wrote waits for their commit too ([`Write::settle`]).
//! Every write of the registry starts with [`Registry::begin_write`] and
//! ends with [`Registry::commit_change`] or [`Registry::end_write`].

use std::sync::Arc;

use tokio::sync::{Mutex, OwnedMutexGuard, watch};

use super::{Registry, ServiceResult};
use crate::metrics::Metrics;
use crate::model::ChangeKind;
use crate::store::changes;
use crate::store::{Store, StoreError, WriteTx};

/// The savepoint each write runs in.
const SAVEPOINT: &str = "herald_write";

/// How a batch's commit ended: committed (and on disk), or why it failed.
type Outcome = Option<Result<(), String>>;

/// The open transaction and who waits for it.
#[derive(Debug)]
pub(super) struct Batch {
    /// The open transaction, while no write holds it.
    open: Option<Open>,
    /// Tells the writes merged into the open transaction how its commit
    /// ended.
    outcome: watch::Sender<Outcome>,
    /// A committer is queued for the open transaction.
    committer_queued: bool,
    /// Writes merged into the open transaction.
    writes: usize,
    /// Where committed batches are counted.
    metrics: Option<Arc<Metrics>>,
}

/// An open transaction between writes.
#[derive(Debug)]
struct Open {
    tx: WriteTx,
    /// Its last write was abandoned inside its savepoint: roll that back
    /// before anything else. (Kept with the transaction: a new
    /// transaction never inherits it.)
    abandoned: bool,
    /// Writes were merged into it: it holds changes not yet committed.
    uncommitted: bool,
}

impl Default for Batch {
    fn default() -> Self {
        Batch {
            open: None,
            outcome: watch::channel(None).0,
            committer_queued: false,
            writes: 0,
            metrics: None,
        }
    }
}

/// A shared batch whose commits are counted in `metrics`.
pub(super) fn counted_batch(metrics: Arc<Metrics>) -> SharedBatch {
    Arc::new(Mutex::new(Batch {
        metrics: Some(metrics),
        ..Batch::default()
    }))
}

/// The shared batch of a registry.
pub(super) type SharedBatch = Arc<Mutex<Batch>>;

/// A write under way: the batch lock and the transaction, inside the
/// write's savepoint. Ends with [`Write::merge`] (its changes are kept) or
/// [`Write::settle`] (they are not); dropped without either, it is rolled
/// back to its savepoint.
pub(super) struct Write {
    /// The batch lock, held until the write ends.
    guard: Option<OwnedMutexGuard<Batch>>,
    /// The transaction, until the write ends.
    tx: Option<WriteTx>,
    batch: SharedBatch,
    /// The transaction already held other writes' uncommitted changes when
    /// this write joined it: what it read may yet be rolled back.
    read_uncommitted: bool,
}

/// Starts a write: waits its turn, joins the open transaction (or opens
/// one) and sets its savepoint.
pub(super) async fn begin(batch: &SharedBatch, store: &Store) -> Result<Write, StoreError> {
    let mut guard = batch.clone().lock_owned().await;
    let (mut tx, abandoned, uncommitted) = match guard.open.take() {
        Some(Open {
            tx,
            abandoned,
            uncommitted,
        }) => (tx, abandoned, uncommitted),
        None => (store.write().await?, false, false),
    };
    let ready = async {
        if abandoned {
            roll_back_savepoint(&mut tx).await?;
        }
        savepoint(&mut tx, "SAVEPOINT").await
    }
    .await;
    if let Err(error) = ready {
        // The transaction is unusable: it and the writes merged into it fail.
        drop(tx);
        publish(&mut guard, Err(error.to_string()));
        return Err(error);
    }
    Ok(Write {
        guard: Some(guard),
        tx: Some(tx),
        batch: batch.clone(),
        read_uncommitted: uncommitted,
    })
}

impl Write {
    /// The transaction, for the write's statements.
    pub(super) fn tx(&mut self) -> &mut WriteTx {
        self.tx
            .as_mut()
            .expect("a write holds the transaction until it ends")
    }

    /// Makes the write part of the batch, lets the next write in, and
    /// waits until the batch has committed.
    pub(super) async fn merge(&mut self) -> Result<(), StoreError> {
        savepoint(self.tx(), "RELEASE SAVEPOINT").await?;
        self.end(false, true).await
    }

    /// Ends a write whose changes are not kept (it failed, or found its
    /// answer already stored): rolls it back, lets the next write in and,
    /// when it read other writes' uncommitted changes, waits until they
    /// are committed, so that no answer depends on a write that could
    /// still be lost. Does nothing after [`Write::merge`].
    pub(super) async fn settle(mut self) -> Result<(), StoreError> {
        let wait = self.read_uncommitted;
        self.end(true, wait).await
    }

    /// Hands the transaction back to the batch (rolled back to the write's
    /// savepoint when `discard`), queues its committer and, with `wait`,
    /// waits for the commit.
    async fn end(&mut self, discard: bool, wait: bool) -> Result<(), StoreError> {
        let (Some(tx), Some(mut guard)) = (self.tx.take(), self.guard.take()) else {
            return Ok(());
        };
        let uncommitted = self.read_uncommitted || !discard;
        guard.writes += usize::from(!discard);
        let mut outcome = guard.outcome.subscribe();
        guard.open = Some(Open {
            tx,
            abandoned: discard,
            uncommitted,
        });
        queue_committer(&mut guard, &self.batch);
        drop(guard);
        if !wait {
            return Ok(());
        }
        let ended = outcome
            .wait_for(Option::is_some)
            .await
            .map_err(|_| StoreError::Batch("the committer went away".to_owned()))?
            .clone();
        match ended {
            Some(Ok(())) => Ok(()),
            Some(Err(error)) => Err(StoreError::Batch(error)),
            None => Err(StoreError::Batch("no outcome".to_owned())),
        }
    }
}

impl Drop for Write {
    fn drop(&mut self) {
        if let (Some(tx), Some(mut guard)) = (self.tx.take(), self.guard.take()) {
            // Cancelled before it ended: undone before the next use.
            guard.open = Some(Open {
                tx,
                abandoned: true,
                uncommitted: self.read_uncommitted,
            });
            queue_committer(&mut guard, &self.batch);
        }
    }
}

/// Queues a committer for the open transaction unless one is queued. It
/// takes the batch lock after the writes already waiting (the lock is
/// fair), so they join the batch first.
fn queue_committer(batch: &mut Batch, shared: &SharedBatch) {
    if batch.committer_queued {
        return;
    }
    batch.committer_queued = true;
    let shared = shared.clone();
    tokio::spawn(async move { commit(&shared).await });
}

/// Commits the open transaction (after rolling back an abandoned write)
/// and tells its writes how that went.
async fn commit(shared: &SharedBatch) {
    let mut guard = shared.lock().await;
    guard.committer_queued = false;
    let Some(Open {
        mut tx, abandoned, ..
    }) = guard.open.take()
    else {
        return;
    };
    let started = std::time::Instant::now();
    let committed = async {
        if abandoned {
            roll_back_savepoint(&mut tx).await?;
        }
        tx.commit().await?;
        Ok::<_, StoreError>(())
    }
    .await;
    let writes = std::mem::take(&mut guard.writes);
    if let (Some(metrics), Ok(())) = (&guard.metrics, &committed) {
        metrics.batch(writes, started.elapsed());
    }
    publish(&mut guard, committed.map_err(|error| error.to_string()));
}

/// Tells the writes of the transaction that just ended how it went, and
/// starts a fresh outcome for the next one.
fn publish(batch: &mut Batch, outcome: Result<(), String>) {
    let ended = std::mem::replace(&mut batch.outcome, watch::channel(None).0);
    ended.send_replace(Some(outcome));
}

async fn savepoint(tx: &mut WriteTx, verb: &str) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!("{verb} {SAVEPOINT}")))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn roll_back_savepoint(tx: &mut WriteTx) -> Result<(), StoreError> {
    savepoint(tx, "ROLLBACK TO SAVEPOINT").await?;
    savepoint(tx, "RELEASE SAVEPOINT").await
}

impl Registry {
    /// Starts a write (its turn, a transaction, a savepoint): every write
    /// starts here.
    pub(super) async fn begin_write(&self) -> ServiceResult<Write> {
        Ok(begin(&self.batch, &self.store).await?)
    }

    /// Ends `write`, whose work gave `result`: nothing more to do when it
    /// was kept by [`Registry::commit_change`]; otherwise (an error, or an
    /// answer found already stored) it is settled ([`Write::settle`]), so
    /// the answer waits for any uncommitted change it was read from. Every
    /// write ends here.
    pub(super) async fn end_write<T>(
        &self,
        write: Write,
        result: ServiceResult<T>,
    ) -> ServiceResult<T> {
        write.settle().await?;
        result
    }

    /// Records `kind` of change to `scope` in the write, merges it into the
    /// batch being committed, waits until that is committed and durable,
    /// and wakes the change-feed watchers: every kept write goes through here.
    pub(super) async fn commit_change(
        &self,
        write: &mut Write,
        kind: ChangeKind,
        scope: &str,
        version: Option<i32>,
        schema_id: Option<i64>,
    ) -> ServiceResult<()> {
        changes::record(write.tx(), kind, scope, version, schema_id).await?;
        super::audit::record_change(write.tx(), kind, scope, version, schema_id).await?;
        changes::announce(write.tx(), self.store.backend()).await?;
        write.merge().await?;
        // Committed: nothing remembered from before it is served again.
        self.answers.epochs.changed(Some(kind), scope);
        self.changed.notify_waiters();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::settings;

    async fn modes(store: &Store) -> Vec<String> {
        let mut conn = store.read().await.expect("a connection");
        let mut found = Vec::new();
        for scope in ["kept", "abandoned", "cancelled", "also-kept"] {
            if settings::mode(&mut conn, scope)
                .await
                .expect("read")
                .is_some()
            {
                found.push(scope.to_owned());
            }
        }
        found
    }

    #[tokio::test]
    async fn merged_writes_commit_together_and_abandoned_ones_leave_nothing() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = Store::open_file(&dir.path().join("herald.db"))
            .await
            .expect("store");
        let batch = SharedBatch::default();

        let mut first = begin(&batch, &store).await.expect("begun");
        settings::put_mode(first.tx(), "kept", "READONLY")
            .await
            .expect("written");
        let first = tokio::spawn(async move { first.merge().await });

        // Fails before merging (dropped): rolled back to its savepoint.
        let mut abandoned = begin(&batch, &store).await.expect("begun");
        settings::put_mode(abandoned.tx(), "abandoned", "READONLY")
            .await
            .expect("written");
        drop(abandoned);

        // Cancelled mid-write (its task aborted): the same.
        let (written, wait) = tokio::sync::oneshot::channel();
        let (batch_for_task, store_for_task) = (batch.clone(), store.clone());
        let cancelled = tokio::spawn(async move {
            let mut write = begin(&batch_for_task, &store_for_task)
                .await
                .expect("begun");
            settings::put_mode(write.tx(), "cancelled", "READONLY")
                .await
                .expect("written");
            let _ = written.send(());
            std::future::pending::<()>().await;
            drop(write);
        });
        wait.await.expect("the write ran");
        cancelled.abort();
        let _ = cancelled.await;

        let mut last = begin(&batch, &store).await.expect("begun");
        settings::put_mode(last.tx(), "also-kept", "READONLY")
            .await
            .expect("written");
        last.merge().await.expect("committed");
        first.await.expect("joined").expect("committed");

        assert_eq!(modes(&store).await, ["kept", "also-kept"]);
    }
}
