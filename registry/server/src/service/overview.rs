//! What the web UI reads beyond the REST API: a page of subject summaries
//! with their effective levels, a subject's dated versions, and who
//! references a version.

use std::collections::HashMap;

use herald_core::CompatibilityLevel;

use super::names::{DEFAULT_CONTEXT, Scope, SubjectName};
use super::settings::Effective;
use super::{Registry, ServiceError, ServiceResult};
use crate::model::{DatedVersion, Schema, SubjectSummary, SummaryFilter};
use crate::store::overview;
use crate::store::schemas;

/// A subject on the subjects page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectOverview {
    /// Its summary.
    pub summary: SubjectSummary,
    /// The level in force.
    pub level: CompatibilityLevel,
    /// Whether that level is inherited (not set on the subject).
    pub inherited: bool,
}

/// A subject and version that use a schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referrer {
    /// The referring schema's id.
    pub id: i64,
    /// Subjects and versions holding it.
    pub usages: Vec<(String, i32)>,
}

impl Registry {
    /// One page of subjects (`filter.limit` rows), and whether more follow.
    #[tracing::instrument(level = "debug", name = "herald.subject_page", skip_all)]
    pub async fn subject_page(
        &self,
        filter: &SummaryFilter<'_>,
    ) -> ServiceResult<(Vec<SubjectOverview>, bool)> {
        // No subject name holds a NUL (and PostgreSQL cannot compare one).
        let filters = [Some(filter.search), filter.schema_type, filter.context];
        if filters.iter().flatten().any(|text| text.contains('\0')) {
            return Ok((Vec::new(), false));
        }
        let mut conn = self.store.read().await?;
        let asked = SummaryFilter {
            limit: filter.limit + 1,
            ..filter.clone()
        };
        let mut rows = overview::subject_page(&mut conn, &asked).await?;
        let more = rows.len() > usize::try_from(filter.limit).unwrap_or(0);
        rows.truncate(usize::try_from(filter.limit).unwrap_or(0));
        // Inherited levels: one lookup per context on the page, not per subject.
        let mut inherited: HashMap<String, CompatibilityLevel> = HashMap::new();
        let mut page = Vec::with_capacity(rows.len());
        for summary in rows {
            let (level, is_inherited) = match summary.own_level.as_deref().map(str::parse) {
                Some(Ok(level)) => (level, false),
                _ => {
                    let level = match inherited.get(&summary.context) {
                        Some(level) => *level,
                        None => {
                            let scope = if summary.context == DEFAULT_CONTEXT {
                                Scope::Global
                            } else {
                                Scope::Context(summary.context.clone())
                            };
                            let level = Effective::read(&mut conn, &scope).await?.level;
                            inherited.insert(summary.context.clone(), level);
                            level
                        }
                    };
                    (level, true)
                }
            };
            page.push(SubjectOverview {
                summary,
                level,
                inherited: is_inherited,
            });
        }
        Ok((page, more))
    }

    /// Every version of `subject` with its date, soft-deleted ones included.
    #[tracing::instrument(level = "debug", name = "herald.dated_versions", skip_all, fields(subject = %subject))]
    pub async fn dated_versions(&self, subject: &str) -> ServiceResult<Vec<DatedVersion>> {
        let subject = SubjectName::parse(subject)?;
        let mut conn = self.store.read().await?;
        let versions = overview::dated_versions(&mut conn, &subject.qualified()).await?;
        if versions.is_empty() {
            return Err(ServiceError::SubjectNotFound(subject.qualified()));
        }
        Ok(versions)
    }

    /// What `schema` references, transitively, as (reference name, text),
    /// dependencies first.
    #[tracing::instrument(level = "debug", name = "herald.referenced_texts", skip_all)]
    pub async fn referenced_texts(&self, schema: &Schema) -> ServiceResult<Vec<(String, String)>> {
        let mut conn = self.store.read().await?;
        let resolved = self
            .resolve_references(&mut conn, &schema.context, &schema.references)
            .await?;
        Ok(resolved
            .dependencies
            .into_iter()
            .map(|dependency| (dependency.name, dependency.text))
            .collect())
    }

    /// The schemas whose versions reference `subject` `version`, with
    /// where they are used.
    #[tracing::instrument(level = "debug", name = "herald.referrers", skip_all, fields(subject = %subject))]
    pub async fn referrers(&self, subject: &str, version: i32) -> ServiceResult<Vec<Referrer>> {
        let subject = SubjectName::parse(subject)?;
        let mut conn = self.store.read().await?;
        let ids = schemas::referencing_ids(&mut conn, &subject.qualified(), version, false).await?;
        let mut referrers = Vec::with_capacity(ids.len());
        for id in ids {
            let usages = schemas::usages(&mut conn, subject.context(), id).await?;
            referrers.push(Referrer {
                id,
                usages: usages
                    .into_iter()
                    .filter(|usage| !usage.deleted)
                    .map(|usage| (usage.subject, usage.version))
                    .collect(),
            });
        }
        Ok(referrers)
    }
}
