//! The audit log: who a write runs for (set by the access layer around a
//! request's whole handling, read when its change is recorded), refusals
//! recorded on their own, the log's listing and its retention.

use std::future::Future;

use tokio::task::futures::TaskLocalFuture;

use super::{Registry, ServiceResult};
use crate::config::AuditRetention;
use crate::model::{AuditEntry, AuditFilter, ChangeKind};
use crate::store::{Conn, audit};

/// Who a request runs for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// The principal's name.
    pub principal: String,
    /// The client's address, when known.
    pub address: Option<String>,
}

tokio::task_local! {
    /// The actor of the request the current task handles.
    static ACTOR: Actor;
}

/// `handling` (a request's whole handling) on behalf of `actor`: the
/// changes it keeps are recorded as `actor`'s.
pub fn acting_as<F: Future>(actor: Actor, handling: F) -> TaskLocalFuture<Actor, F> {
    ACTOR.scope(actor, handling)
}

/// Records the kept change `kind` of `scope` for the current actor, in the
/// change's transaction.
pub(super) async fn record_change(
    conn: &mut Conn,
    kind: ChangeKind,
    scope: &str,
    version: Option<i32>,
    schema_id: Option<i64>,
) -> ServiceResult<()> {
    let actor = ACTOR.try_with(Actor::clone).unwrap_or_else(|_| Actor {
        principal: "internal".to_owned(),
        address: None,
    });
    let entry = AuditEntry {
        principal: actor.principal,
        address: actor.address,
        action: kind.as_str().to_owned(),
        subject: scope.to_owned(),
        version,
        schema_id,
        status: 200,
        ..AuditEntry::default()
    };
    Ok(audit::record(conn, &entry).await?)
}

impl Registry {
    /// Records a refused write (in a transaction of its own).
    #[tracing::instrument(level = "debug", name = "herald.record_refusal", skip_all)]
    pub async fn record_refusal(&self, entry: AuditEntry) -> ServiceResult<()> {
        let mut tx = self.store.write().await?;
        audit::record(&mut tx, &entry).await?;
        tx.commit().await.map_err(crate::store::StoreError::from)?;
        Ok(())
    }

    /// The audit entries `filter` selects, newest first.
    #[tracing::instrument(level = "debug", name = "herald.audit_log", skip_all)]
    pub async fn audit_log(&self, filter: &AuditFilter) -> ServiceResult<Vec<AuditEntry>> {
        let mut conn = self.store.read().await?;
        Ok(audit::list(&mut conn, filter).await?)
    }

    /// Applies `retention` now; returns how many entries went.
    #[tracing::instrument(level = "debug", name = "herald.prune_audit", skip_all)]
    pub async fn prune_audit(&self, retention: AuditRetention) -> ServiceResult<u64> {
        if retention == AuditRetention::default() {
            return Ok(0);
        }
        let before = retention.max_age.map(|age| {
            crate::store::now_millis() - i64::try_from(age.as_millis()).unwrap_or(i64::MAX)
        });
        let keep = retention
            .max_entries
            .map(|n| i64::try_from(n).unwrap_or(i64::MAX));
        let mut tx = self.store.write().await?;
        let removed = audit::prune(&mut tx, before, keep).await?;
        tx.commit().await.map_err(crate::store::StoreError::from)?;
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::config::Limits;
    use crate::store::Store;

    fn filter() -> AuditFilter {
        AuditFilter {
            subject_prefix: String::new(),
            principal: None,
            action: None,
            from: 0,
            to: i64::MAX,
            offset: 0,
            limit: 100,
        }
    }

    #[tokio::test]
    async fn retention_keeps_the_newest_entries_and_drops_old_ones() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = Store::open_file(&dir.path().join("herald.db"))
            .await
            .expect("store");
        let registry = Registry::new(store, Limits::default());
        for subject in ["a", "b", "c", "d"] {
            let entry = AuditEntry {
                principal: "ci".to_owned(),
                action: "POST /subjects/{subject}/versions".to_owned(),
                subject: subject.to_owned(),
                status: 409,
                error_code: Some(40901),
                ..AuditEntry::default()
            };
            registry.record_refusal(entry).await.expect("recorded");
        }
        let keep_two = AuditRetention {
            max_entries: Some(2),
            ..AuditRetention::default()
        };
        assert_eq!(registry.prune_audit(keep_two).await.expect("pruned"), 2);
        let left: Vec<String> = registry
            .audit_log(&filter())
            .await
            .expect("listed")
            .into_iter()
            .map(|entry| entry.subject)
            .collect();
        assert_eq!(left, ["d", "c"]);
        assert_eq!(
            registry.prune_audit(AuditRetention::default()).await.ok(),
            Some(0)
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
        let young = AuditRetention {
            max_age: Some(Duration::from_millis(1)),
            ..AuditRetention::default()
        };
        assert_eq!(registry.prune_audit(young).await.expect("pruned"), 2);
        assert!(
            registry
                .audit_log(&filter())
                .await
                .expect("listed")
                .is_empty()
        );
    }
}
