//! Soft and permanent deletion of subjects and versions.

use super::writer::Write;

use super::names::{Scope, SubjectName, VersionSpec};
use super::read::{pick, visible_versions};
use super::settings::Effective;
use super::{Registry, ServiceError, ServiceResult};
use crate::model::ChangeKind;
use crate::store::subjects::VersionRow;
use crate::store::{Conn, schemas, settings, subjects};

/// A deletion under way: the mode checked, and the subject's versions read
/// in the write's transaction.
struct Deletion {
    qualified: String,
    subject_id: i64,
    /// Every version, soft-deleted ones included.
    versions: Vec<VersionRow>,
    /// The versions that are not soft-deleted.
    live: Vec<VersionRow>,
}

impl Registry {
    async fn begin_deletion(
        &self,
        write: &mut Write,
        subject: &SubjectName,
    ) -> ServiceResult<Deletion> {
        refuse_if_read_only(write.tx(), subject).await?;
        let (subject_id, versions) = visible_versions(write.tx(), subject, true).await?;
        let live = versions.iter().filter(|v| !v.deleted).copied().collect();
        Ok(Deletion {
            qualified: subject.qualified(),
            subject_id,
            versions,
            live,
        })
    }

    /// Deletes every version of `subject`: soft first, then with
    /// `permanent` for good. Returns the version numbers deleted.
    #[tracing::instrument(level = "debug", name = "herald.delete_subject", skip_all, fields(subject = %subject))]
    pub async fn delete_subject(&self, subject: &str, permanent: bool) -> ServiceResult<Vec<i32>> {
        let subject = SubjectName::parse(subject)?;
        let mut write = self.begin_write().await?;
        let result = self
            .delete_subject_in(&mut write, &subject, permanent)
            .await;
        self.end_write(write, result).await
    }

    async fn delete_subject_in(
        &self,
        write: &mut Write,
        subject: &SubjectName,
        permanent: bool,
    ) -> ServiceResult<Vec<i32>> {
        let Deletion {
            qualified,
            subject_id,
            versions,
            live,
        } = self.begin_deletion(write, subject).await?;
        if !permanent {
            if live.is_empty() {
                return Err(ServiceError::SubjectSoftDeleted(qualified));
            }
            for version in &live {
                refuse_if_referenced(write.tx(), &qualified, version.version, false).await?;
                subjects::mark_deleted(write.tx(), subject_id, version.version).await?;
            }
            self.commit_change(write, ChangeKind::SubjectDeleted, &qualified, None, None)
                .await?;
            return Ok(live.iter().map(|v| v.version).collect());
        }
        if !live.is_empty() {
            return Err(ServiceError::SubjectNotSoftDeleted(qualified));
        }
        for version in &versions {
            refuse_if_referenced(write.tx(), &qualified, version.version, true).await?;
        }
        let mut evicted = Vec::new();
        for version in &versions {
            subjects::remove_version(write.tx(), subject_id, version.version).await?;
            if schemas::delete_if_unused(write.tx(), subject.context(), version.schema_id).await? {
                evicted.push(version.schema_id);
            }
        }
        subjects::remove_if_empty(write.tx(), subject_id).await?;
        settings::delete_config(write.tx(), &qualified).await?;
        settings::delete_mode(write.tx(), &qualified).await?;
        self.commit_change(
            write,
            ChangeKind::SubjectDeletedPermanently,
            &qualified,
            None,
            None,
        )
        .await?;
        for id in evicted {
            self.cache.evict(subject.context(), id);
        }
        Ok(versions.iter().map(|v| v.version).collect())
    }

    /// Deletes one version of `subject`: soft first, then with `permanent`
    /// for good. Returns its number.
    #[tracing::instrument(level = "debug", name = "herald.delete_version", skip_all, fields(subject = %subject))]
    pub async fn delete_version(
        &self,
        subject: &str,
        version: &str,
        permanent: bool,
    ) -> ServiceResult<i32> {
        let subject = SubjectName::parse(subject)?;
        let spec = VersionSpec::parse(version)?;
        let mut write = self.begin_write().await?;
        let result = self
            .delete_version_in(&mut write, &subject, spec, permanent)
            .await;
        self.end_write(write, result).await
    }

    async fn delete_version_in(
        &self,
        write: &mut Write,
        subject: &SubjectName,
        spec: VersionSpec,
        permanent: bool,
    ) -> ServiceResult<i32> {
        let Deletion {
            qualified,
            subject_id,
            versions,
            live,
        } = self.begin_deletion(write, subject).await?;
        // A soft delete of `latest` means the newest live version.
        let candidates = if spec == VersionSpec::Latest && !permanent {
            &live
        } else {
            &versions
        };
        let found = pick(candidates, spec)?;
        if !permanent {
            if found.deleted {
                return Err(ServiceError::VersionSoftDeleted(qualified, found.version));
            }
            refuse_if_referenced(write.tx(), &qualified, found.version, false).await?;
            subjects::mark_deleted(write.tx(), subject_id, found.version).await?;
            self.commit_change(
                write,
                ChangeKind::VersionDeleted,
                &qualified,
                Some(found.version),
                Some(found.schema_id),
            )
            .await?;
            return Ok(found.version);
        }
        if !found.deleted {
            return Err(ServiceError::VersionNotSoftDeleted(
                qualified,
                found.version,
            ));
        }
        // Only live referrers keep a version, as in Confluent: a soft-deleted
        // referrer keeps its (now dangling) reference.
        refuse_if_referenced(write.tx(), &qualified, found.version, false).await?;
        subjects::remove_version(write.tx(), subject_id, found.version).await?;
        let evicted =
            schemas::delete_if_unused(write.tx(), subject.context(), found.schema_id).await?;
        subjects::remove_if_empty(write.tx(), subject_id).await?;
        self.commit_change(
            write,
            ChangeKind::VersionDeletedPermanently,
            &qualified,
            Some(found.version),
            Some(found.schema_id),
        )
        .await?;
        if evicted {
            self.cache.evict(subject.context(), found.schema_id);
        }
        Ok(found.version)
    }
}

async fn refuse_if_read_only(conn: &mut Conn, subject: &SubjectName) -> ServiceResult<()> {
    if Effective::read(conn, &Scope::Subject(subject.clone()))
        .await?
        .mode
        .is_read_only()
    {
        return Err(ServiceError::NotPermitted(format!(
            "Subject {} is in read-only mode",
            subject.qualified()
        )));
    }
    Ok(())
}

/// 42206 when a schema still references `subject` `version` (from a live
/// version, or from any version when `include_deleted`).
async fn refuse_if_referenced(
    conn: &mut Conn,
    subject: &str,
    version: i32,
    include_deleted: bool,
) -> ServiceResult<()> {
    if schemas::referencing_ids(conn, subject, version, include_deleted)
        .await?
        .is_empty()
    {
        Ok(())
    } else {
        Err(ServiceError::ReferenceExists(subject.to_owned(), version))
    }
}
