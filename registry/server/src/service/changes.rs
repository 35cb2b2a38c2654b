//! Reading the change feed: what changed after a sequence number, and
//! waiting for the next change; following the changes other replicas
//! commit (PostgreSQL).

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio_stream::wrappers::ReceiverStream;

use super::{Registry, ServiceResult};
use crate::model::{Change, ChangeKind};
use crate::store::changes;
use crate::store::{Backend, CHANGES_CHANNEL};

/// How long a watcher waits for a wake-up before looking again; also how
/// often a replica looks for other replicas' changes when it has missed
/// their notifications (e.g. while its listening connection was down).
pub const WATCH_POLL: Duration = Duration::from_secs(1);

/// Changes read at a time while catching up with other replicas.
const CATCH_UP_BATCH: i64 = 1_000;

/// Changes a watch reads at a time, and holds for a slow watcher.
const WATCH_BATCH: i64 = 100;

impl Registry {
    /// Every change after sequence `after` whose subject (or scope) starts
    /// with `prefix`, oldest first, then each new one as it is committed
    /// here or on another replica: the change feed, for any front end. The
    /// watch ends when the receiver is dropped, after an error (sent as the
    /// last item), or when the server stops.
    pub fn watch_changes(
        self: &Arc<Self>,
        after: i64,
        prefix: String,
    ) -> ReceiverStream<ServiceResult<Change>> {
        let registry = self.clone();
        let (sender, receiver) = tokio::sync::mpsc::channel(WATCH_BATCH as usize);
        let watching = self.metrics.watching();
        tokio::spawn(async move {
            let _watching = watching;
            let mut after = after;
            loop {
                let batch = match registry.changes_since(after, &prefix, WATCH_BATCH).await {
                    Ok(batch) => batch,
                    Err(error) => {
                        let _ = sender.send(Err(error)).await;
                        return;
                    }
                };
                if batch.is_empty() {
                    if sender.is_closed() || !registry.wait_for_change().await {
                        return; // The watcher went away, or the server is stopping.
                    }
                    continue;
                }
                for change in batch {
                    after = change.sequence;
                    if sender.send(Ok(change)).await.is_err() {
                        return; // The watcher went away.
                    }
                }
            }
        });
        ReceiverStream::new(receiver)
    }

    /// Up to `limit` changes after sequence `after` whose subject (or
    /// scope) starts with `prefix`, oldest first.
    async fn changes_since(
        &self,
        after: i64,
        prefix: &str,
        limit: i64,
    ) -> ServiceResult<Vec<Change>> {
        super::names::refuse_unstorable(prefix)?;
        let mut conn = self.store.read().await?;
        Ok(changes::since(&mut conn, after, prefix, limit).await?)
    }

    /// Waits until a change is committed here, or `WATCH_POLL` passes.
    /// Returns `false` once the server is stopping: watches should end.
    async fn wait_for_change(&self) -> bool {
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

    /// Starts following the changes other replicas commit (PostgreSQL
    /// only): `LISTEN`s on [`CHANGES_CHANNEL`], and on each notification,
    /// or every [`WATCH_POLL`] in case one was lost, reads the new changes,
    /// forgets cached schemas after a permanent deletion and wakes this
    /// process's watchers. Ends when the watches end or the registry goes.
    pub(super) fn follow_other_replicas(self: &Arc<Registry>) {
        if self.store.backend() != Backend::Postgres {
            return;
        }
        let registry = Arc::downgrade(self);
        let url = self.store.url().to_owned();
        tokio::spawn(async move {
            let mut seen = match registry.upgrade() {
                Some(registry) => registry.last_sequence().await,
                None => return,
            };
            let mut listener = None;
            loop {
                if listener.is_none() {
                    listener = listen(&url).await;
                }
                match &mut listener {
                    Some(open) => {
                        if let Ok(Err(_) | Ok(None)) =
                            tokio::time::timeout(WATCH_POLL, open.try_recv()).await
                        {
                            // Lost: reconnect; missed notifications are
                            // made up for by reading the feed below.
                            listener = None;
                        }
                    }
                    None => tokio::time::sleep(WATCH_POLL).await,
                }
                match Weak::upgrade(&registry) {
                    Some(registry) if !registry.watches_ended() => {
                        seen = registry.catch_up(seen).await;
                    }
                    _ => return,
                }
            }
        });
    }

    /// The newest sequence number in the feed (0 when unknown).
    async fn last_sequence(&self) -> i64 {
        match self.store.read().await {
            Ok(mut conn) => changes::last_sequence(&mut conn).await.unwrap_or(0),
            Err(_) => 0,
        }
    }

    /// Reads the changes after `seen`; returns the last one read.
    async fn catch_up(&self, mut seen: i64) -> i64 {
        loop {
            let Ok(batch) = self.changes_since(seen, "", CATCH_UP_BATCH).await else {
                return seen;
            };
            let Some(last) = batch.last() else {
                return seen;
            };
            seen = last.sequence;
            for change in &batch {
                self.answers.epochs.changed(change.kind, &change.scope);
            }
            let age_ms = crate::store::now_millis().saturating_sub(last.at);
            self.metrics.replica_lag(age_ms as f64 / 1000.0);
            if batch.iter().any(|change| {
                matches!(
                    change.kind,
                    Some(
                        ChangeKind::VersionDeletedPermanently
                            | ChangeKind::SubjectDeletedPermanently
                    )
                )
            }) {
                self.cache.clear();
            }
            self.changed.notify_waiters();
            if i64::try_from(batch.len()).unwrap_or(i64::MAX) < CATCH_UP_BATCH {
                return seen;
            }
        }
    }
}

/// A listener on [`CHANGES_CHANNEL`], or `None` while the database is away.
async fn listen(url: &str) -> Option<PgListener> {
    let mut listener = PgListener::connect(url).await.ok()?;
    listener.listen(CHANGES_CHANNEL).await.ok()?;
    Some(listener)
}
