//! Group commit for SQLite: transactions commit without waiting for the
//! disk (`synchronous = NORMAL` in WAL mode), and a write is acknowledged
//! only after an fsync of the write-ahead log that covers its commit. One
//! fsync covers every commit made while the previous one ran, so writers
//! queue on the write lock for the statements only, not for the disk.
//! Acknowledged writes are as durable as with `synchronous = FULL`.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// Commits counted and fsyncs of the write-ahead log, shared by a store's
/// connections.
#[derive(Debug)]
pub struct GroupSync {
    /// The write-ahead log file (`<database>-wal`).
    wal: PathBuf,
    /// Commits made so far (a commit's ticket is the count after it).
    committed: AtomicU64,
    /// Commits known to be on disk.
    synced: AtomicU64,
    /// One fsync at a time; the others wait here and usually find their
    /// commit covered when they get their turn.
    syncer: tokio::sync::Mutex<()>,
}

impl GroupSync {
    /// Group commit for the database file at `database`.
    pub fn new(database: PathBuf) -> GroupSync {
        let mut wal = database.into_os_string();
        wal.push("-wal");
        GroupSync {
            wal: PathBuf::from(wal),
            committed: AtomicU64::new(0),
            synced: AtomicU64::new(0),
            syncer: tokio::sync::Mutex::new(()),
        }
    }

    /// Counts a commit just made (under the write lock, so tickets follow
    /// commit order); returns its ticket.
    pub fn committed(&self) -> u64 {
        self.committed.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Returns once the commit with `ticket` is on disk.
    pub async fn sync_through(&self, ticket: u64) -> io::Result<()> {
        if self.synced.load(Ordering::SeqCst) >= ticket {
            return Ok(());
        }
        let _turn = self.syncer.lock().await;
        if self.synced.load(Ordering::SeqCst) >= ticket {
            return Ok(());
        }
        // Everything committed until now is in the log's pages: one fsync
        // makes all of it durable.
        let target = self.committed.load(Ordering::SeqCst);
        let wal = self.wal.clone();
        tokio::task::spawn_blocking(move || match std::fs::File::open(&wal) {
            Ok(file) => file.sync_data(),
            // No log: a checkpoint moved it into the database file, and
            // checkpoints fsync.
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(error),
        })
        .await
        .map_err(io::Error::other)??;
        self.synced.fetch_max(target, Ordering::SeqCst);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_fsync_covers_every_commit_before_it() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let database = dir.path().join("herald.db");
        std::fs::write(dir.path().join("herald.db-wal"), b"frames").expect("log written");
        let sync = GroupSync::new(database);
        let (first, second) = (sync.committed(), sync.committed());
        assert_eq!((first, second), (1, 2));
        sync.sync_through(first).await.expect("synced");
        // The fsync for the first covered the second too.
        assert_eq!(sync.synced.load(Ordering::SeqCst), 2);
        sync.sync_through(second).await.expect("already synced");
        // No log (checkpointed away) is not an error.
        std::fs::remove_file(dir.path().join("herald.db-wal")).expect("removed");
        let third = sync.committed();
        sync.sync_through(third).await.expect("nothing to sync");
        assert_eq!(sync.synced.load(Ordering::SeqCst), 3);
    }
}
