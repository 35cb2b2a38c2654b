//! Reading schemas, subjects and versions.

use std::sync::Arc;

use bytes::Bytes;

use super::java_order;
use super::names::{
    ALL_CONTEXTS, DEFAULT_CONTEXT, SubjectName, SubjectPrefix, VersionSpec, qualify, split_context,
};
use super::{Registry, ServiceError, ServiceResult};
use crate::model::Schema;
use crate::store::Conn;
use crate::store::schemas;
use crate::store::subjects::{self, SubjectFilter, VersionRow};

/// One version of a subject with its schema.
#[derive(Clone, Debug)]
pub struct SubjectVersion {
    /// Qualified subject name.
    pub subject: String,
    /// Version number.
    pub version: i32,
    /// Whether the version is soft-deleted.
    pub deleted: bool,
    /// The schema it holds.
    pub schema: Arc<Schema>,
}

/// Which subjects `GET /subjects` lists.
#[derive(Clone, Debug, Default)]
pub struct SubjectListing {
    /// `subjectPrefix` (default: every context).
    pub prefix: Option<String>,
    /// Include subjects whose versions are all soft-deleted.
    pub deleted: bool,
    /// Only subjects whose versions are all soft-deleted.
    pub deleted_only: bool,
    /// Rows to skip.
    pub offset: i64,
    /// Rows to return at most (negative: no limit).
    pub limit: i64,
}

/// Which versions `GET /schemas` lists.
#[derive(Clone, Debug, Default)]
pub struct SchemaListing {
    /// `subjectPrefix` (default: every context).
    pub prefix: Option<String>,
    /// Include soft-deleted versions.
    pub deleted: bool,
    /// Only the latest version of each subject.
    pub latest_only: bool,
    /// Rows to skip.
    pub offset: i64,
    /// Rows to return at most (negative: no limit).
    pub limit: i64,
    /// Only schemas with a rule of this type (`ruleType`, e.g. `CEL`).
    pub rule_type: Option<String>,
}

fn parse_id(raw: &str) -> ServiceResult<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id >= 0)
        .ok_or_else(|| ServiceError::SchemaIdNotFound(raw.to_owned()))
}

/// Whether subject `local` of `context` holds schema `id` (in any version).
async fn holds(conn: &mut Conn, context: &str, local: &str, id: i64) -> ServiceResult<bool> {
    let qualified = qualify(context, local);
    let usages = schemas::usages(conn, context, id).await?;
    Ok(usages.iter().any(|usage| usage.subject == qualified))
}

/// The context a `?subject=` parameter points at: a subject's, or a
/// context alone (`:.tenant:`); the default context without it.
fn context_of(subject: Option<&str>) -> ServiceResult<String> {
    match subject {
        Some(subject) if !subject.is_empty() => Ok(split_context(subject)?.0),
        _ => Ok(DEFAULT_CONTEXT.to_owned()),
    }
}

/// Which subjects a listing may show (the caller's read rights).
pub trait Visibility: Sync {
    /// Whether `subject` (a qualified name) may be listed.
    fn shows(&self, subject: &str) -> bool;
    /// Whether every subject may be listed (no filtering needed).
    fn shows_all(&self) -> bool;
}

/// `items` from `offset`, at most `limit` of them (not positive: all).
pub fn page<T>(items: Vec<T>, offset: i64, limit: i64) -> Vec<T> {
    let offset = usize::try_from(offset.max(0)).unwrap_or(usize::MAX);
    let limit = usize::try_from(limit)
        .ok()
        .filter(|l| *l > 0)
        .unwrap_or(usize::MAX);
    items.into_iter().skip(offset).take(limit).collect()
}

fn prefix_filter(prefix: &SubjectPrefix, offset: i64, limit: i64) -> SubjectFilter<'_> {
    SubjectFilter {
        context: prefix.context.as_deref(),
        local_prefix: &prefix.local,
        live: true,
        deleted: false,
        offset: offset.max(0),
        limit: if limit > 0 { limit } else { -1 },
    }
}

impl Registry {
    /// Schema `id` in the context `subject` selects (see `id_context`).
    #[tracing::instrument(level = "debug", name = "herald.schema_by_id", skip_all)]
    pub async fn schema_by_id(
        &self,
        id: &str,
        subject: Option<&str>,
    ) -> ServiceResult<Arc<Schema>> {
        let numeric = parse_id(id)?;
        let context = self.id_context(numeric, subject).await?;
        let cached = self.cache.row(&context, numeric);
        self.metrics.cache_lookup("row", cached.is_some());
        if let Some(row) = cached {
            return Ok(row);
        }
        let mut conn = self.store.read().await?;
        self.schema_row(&mut conn, &context, numeric)
            .await?
            .ok_or_else(|| ServiceError::SchemaIdNotFound(id.to_owned()))
    }

    /// What is risky but accepted in `schema`, as its parse reports it
    /// (see [`herald_core::ParsedSchema::warnings`]).
    #[tracing::instrument(level = "debug", name = "herald.schema_warnings", skip_all)]
    pub async fn schema_warnings(&self, schema: &Schema) -> ServiceResult<Vec<String>> {
        let mut conn = self.store.read().await?;
        Ok(self.parsed_schema(&mut conn, schema).await?.warnings())
    }

    /// Schema `id` (as [`Registry::schema_by_id`]) rendered by `render`,
    /// which runs once per schema: ids are immutable, so the rendering is
    /// kept with the cached schema (and forgotten with it).
    #[tracing::instrument(level = "debug", name = "herald.rendered_schema_by_id", skip_all)]
    pub async fn rendered_schema_by_id(
        &self,
        id: &str,
        subject: Option<&str>,
        render: impl FnOnce(&Schema) -> Bytes,
    ) -> ServiceResult<Bytes> {
        let numeric = parse_id(id)?;
        let context = self.id_context(numeric, subject).await?;
        if let Some(rendered) = self.cache.rendered(&context, numeric) {
            return Ok(rendered);
        }
        let row = self.schema_by_id(id, Some(&format!(":{context}:"))).await?;
        let rendered = render(&row);
        self.cache
            .insert_rendered(&row.context, row.id, rendered.clone());
        Ok(rendered)
    }

    /// The context whose schema `id` a by-id read with `?subject=` means,
    /// resolved as Confluent resolves it: none, or a context alone
    /// (`:.t:`), names that context (the default one without it); a
    /// subject of another context must hold the id there (else 40403); a
    /// subject of the default context means the default context if it
    /// holds the id there, else the first context (by name) where the
    /// same-named subject holds it, else the default context.
    async fn id_context(&self, id: i64, subject: Option<&str>) -> ServiceResult<String> {
        let Some((context, local)) = subject
            .filter(|s| !s.is_empty())
            .map(split_context)
            .transpose()?
            .filter(|(_, local)| !local.is_empty())
        else {
            return context_of(subject);
        };
        let mut conn = self.store.read().await?;
        if context != DEFAULT_CONTEXT {
            return match holds(&mut conn, &context, local, id).await? {
                true => Ok(context),
                false => Err(ServiceError::SchemaIdNotFound(id.to_string())),
            };
        }
        if holds(&mut conn, DEFAULT_CONTEXT, local, id).await? {
            return Ok(context);
        }
        let mut contexts = subjects::contexts(&mut conn).await?;
        contexts.retain(|c| c != DEFAULT_CONTEXT);
        for other in contexts {
            if holds(&mut conn, &other, local, id).await? {
                return Ok(other);
            }
        }
        Ok(context)
    }

    /// The rendering [`Registry::rendered_schema_by_id`] kept for schema
    /// `id` of the default context, if there is one.
    pub fn cached_rendering(&self, id: i64) -> Option<Bytes> {
        self.cache.rendered(DEFAULT_CONTEXT, id)
    }

    /// The text of `row` in `format` (Confluent's `format` parameter): the
    /// stored text unless the format applies to the schema's type.
    #[tracing::instrument(level = "debug", name = "herald.schema_text", skip_all)]
    pub async fn schema_text(&self, row: &Schema, format: Option<&str>) -> ServiceResult<String> {
        let Some(format) = format.filter(|f| !f.is_empty() && *f != "default") else {
            return Ok(row.text.clone());
        };
        let mut conn = self.store.read().await?;
        let parsed = self.parsed_schema(&mut conn, row).await?;
        Ok(parsed.render(format).unwrap_or_else(|| row.text.clone()))
    }

    /// The highest schema id of the context of `subject` (for `fetchMaxId`).
    #[tracing::instrument(level = "debug", name = "herald.max_schema_id", skip_all)]
    pub async fn max_schema_id(&self, subject: Option<&str>) -> ServiceResult<i64> {
        let context = context_of(subject)?;
        let mut conn = self.store.read().await?;
        Ok(schemas::max_id(&mut conn, &context).await?)
    }

    /// The schema with this guid.
    #[tracing::instrument(level = "debug", name = "herald.schema_by_guid", skip_all)]
    pub async fn schema_by_guid(&self, guid: &str) -> ServiceResult<Arc<Schema>> {
        // No guid holds a NUL, and PostgreSQL cannot even compare one.
        if guid.contains('\0') {
            return Err(ServiceError::SchemaIdNotFound(guid.to_owned()));
        }
        let mut conn = self.store.read().await?;
        let row = schemas::by_guid(&mut conn, guid)
            .await?
            .ok_or_else(|| ServiceError::SchemaIdNotFound(guid.to_owned()))?;
        Ok(self.cache.insert_row(row))
    }

    /// The subject-versions using schema `id` (soft-deleted ones too with
    /// `include_deleted`).
    #[tracing::instrument(level = "debug", name = "herald.schema_usages", skip_all)]
    pub async fn schema_usages(
        &self,
        id: &str,
        subject: Option<&str>,
        include_deleted: bool,
    ) -> ServiceResult<Vec<(String, i32)>> {
        let row = self.schema_by_id(id, subject).await?;
        let mut conn = self.store.read().await?;
        let usages = schemas::usages(&mut conn, &row.context, row.id).await?;
        // Confluent keeps one version per subject (the last registered) in
        // a Java map and lists them in that map's order.
        let mut subjects: Vec<String> = Vec::new();
        let mut latest: Vec<&schemas::Usage> = Vec::new();
        for usage in &usages {
            match subjects.iter().position(|s| *s == usage.subject) {
                Some(at) => latest[at] = usage,
                None => {
                    subjects.push(usage.subject.clone());
                    latest.push(usage);
                }
            }
        }
        Ok(java_order::concurrent_hash_map_order(&subjects)
            .into_iter()
            .map(|at| latest[at])
            .filter(|usage| include_deleted || !usage.deleted)
            .map(|usage| (usage.subject.clone(), usage.version))
            .collect())
    }

    /// Qualified subject names, per `GET /subjects`.
    /// Only those `visible` shows, paged after filtering.
    #[tracing::instrument(level = "debug", name = "herald.subjects", skip_all)]
    pub async fn subjects(
        &self,
        listing: &SubjectListing,
        visible: &dyn Visibility,
    ) -> ServiceResult<Vec<String>> {
        let prefix = SubjectPrefix::parse(listing.prefix.as_deref().unwrap_or(ALL_CONTEXTS))?;
        let filtered = !visible.shows_all();
        let (offset, limit) = if filtered {
            (0, -1)
        } else {
            (listing.offset, listing.limit)
        };
        let mut filter = prefix_filter(&prefix, offset, limit);
        filter.live = !listing.deleted_only;
        filter.deleted = listing.deleted || listing.deleted_only;
        let mut conn = self.store.read().await?;
        let mut names = subjects::list(&mut conn, &filter).await?;
        if filtered {
            names.retain(|name| visible.shows(name));
            names = page(names, listing.offset, listing.limit);
        }
        Ok(names)
    }

    /// Versions with their schemas, per `GET /schemas`: of subjects
    /// `visible` shows and with a rule of `rule_type` when asked, paged
    /// after filtering.
    #[tracing::instrument(level = "debug", name = "herald.schemas", skip_all)]
    pub async fn schemas(
        &self,
        listing: &SchemaListing,
        visible: &dyn Visibility,
    ) -> ServiceResult<Vec<SubjectVersion>> {
        let prefix = SubjectPrefix::parse(listing.prefix.as_deref().unwrap_or(ALL_CONTEXTS))?;
        // Paged here after filtering, or by the store when nothing is.
        let filtered = !visible.shows_all() || listing.rule_type.is_some();
        let (offset, limit) = if filtered {
            (0, -1)
        } else {
            (listing.offset, listing.limit)
        };
        let filter = prefix_filter(&prefix, offset, limit);
        let mut conn = self.store.read().await?;
        let mut listed =
            subjects::list_versions(&mut conn, &filter, listing.deleted, listing.latest_only)
                .await?;
        listed.retain(|version| visible.shows(&version.subject));
        let mut out = Vec::with_capacity(listed.len());
        for version in listed {
            let Some(schema) = self
                .schema_row(&mut conn, &version.context, version.schema_id)
                .await?
            else {
                continue;
            };
            let has_rule = |rule_type: &String| {
                schema
                    .rule_set
                    .as_ref()
                    .is_some_and(|rules| rules.has_type(rule_type))
            };
            if listing.rule_type.as_ref().is_none_or(has_rule) {
                out.push(SubjectVersion {
                    subject: version.subject,
                    version: version.version,
                    deleted: false,
                    schema,
                });
            }
        }
        Ok(match filtered {
            true => page(out, listing.offset, listing.limit),
            false => out,
        })
    }

    /// The version numbers of `subject`.
    #[tracing::instrument(level = "debug", name = "herald.versions", skip_all, fields(subject = %subject))]
    pub async fn versions(&self, subject: &str, include_deleted: bool) -> ServiceResult<Vec<i32>> {
        let filter = match include_deleted {
            true => VersionFilter::IncludeDeleted,
            false => VersionFilter::Live,
        };
        self.versions_where(subject, filter).await
    }

    /// The version numbers of `subject` that `filter` keeps, as Confluent's
    /// `GET /subjects/{s}/versions` lists them.
    #[tracing::instrument(level = "debug", name = "herald.versions_where", skip_all, fields(subject = %subject))]
    pub async fn versions_where(
        &self,
        subject: &str,
        filter: VersionFilter,
    ) -> ServiceResult<Vec<i32>> {
        let subject = SubjectName::parse(subject)?;
        let mut conn = self.store.read().await?;
        let include_deleted = filter != VersionFilter::Live;
        let (_, versions) = visible_versions(&mut conn, &subject, include_deleted).await?;
        Ok(versions
            .iter()
            .filter_map(|v| match filter {
                VersionFilter::Live | VersionFilter::IncludeDeleted => Some(v.version),
                VersionFilter::DeletedOnly => v.deleted.then_some(v.version),
                VersionFilter::DeletedAsNegative if v.deleted => Some(-v.version),
                VersionFilter::DeletedAsNegative => Some(v.version),
            })
            .collect())
    }

    /// One version of `subject`, with its schema. A subject of the default
    /// context that has no such version there is looked for in the other
    /// contexts (by name), as Confluent's `getUsingContexts` does.
    #[tracing::instrument(level = "debug", name = "herald.version", skip_all, fields(subject = %subject))]
    pub async fn version(
        &self,
        subject: &str,
        version: &str,
        include_deleted: bool,
    ) -> ServiceResult<SubjectVersion> {
        let name = SubjectName::parse(subject)?;
        let spec = VersionSpec::parse(version)?;
        // The latest version, asked for by every `use.latest.version`
        // client, is remembered until the subject changes.
        let key = (spec == VersionSpec::Latest).then(|| format!("{subject}\0{include_deleted}"));
        if let Some(key) = &key
            && let Some(latest) = self.answers.latest(key)
        {
            return Ok(latest);
        }
        let remembered = key.map(|key| {
            let stamp = self
                .answers
                .epochs
                .stamp([name.qualified().as_str()], false);
            (key, stamp)
        });
        let mut conn = self.store.read().await?;
        let found = self
            .version_of(&mut conn, &name, spec, include_deleted)
            .await;
        if let (Ok(latest), Some((key, stamp))) = (&found, remembered) {
            self.answers.remember_latest(key, latest.clone(), stamp);
        }
        let unqualified = !subject.starts_with(':');
        if found.is_ok() || !unqualified {
            return found;
        }
        for context in subjects::contexts(&mut conn).await? {
            if context == DEFAULT_CONTEXT {
                continue;
            }
            let there = SubjectName::parse(&qualify(&context, name.local()))?;
            if let Ok(version) = self
                .version_of(&mut conn, &there, spec, include_deleted)
                .await
            {
                return Ok(version);
            }
        }
        found
    }

    /// Version `spec` of `subject`, with its schema.
    async fn version_of(
        &self,
        conn: &mut Conn,
        subject: &SubjectName,
        spec: VersionSpec,
        include_deleted: bool,
    ) -> ServiceResult<SubjectVersion> {
        let (_, mut versions) = visible_versions(conn, subject, include_deleted).await?;
        if spec == VersionSpec::Latest {
            // `latest` is the newest live version, even with `deleted`.
            versions.retain(|v| !v.deleted);
        }
        let found = pick(&versions, spec)?;
        let schema = self
            .schema_row(conn, subject.context(), found.schema_id)
            .await?
            .ok_or_else(|| ServiceError::SchemaIdNotFound(found.schema_id.to_string()))?;
        Ok(SubjectVersion {
            subject: subject.qualified(),
            version: found.version,
            deleted: found.deleted,
            schema,
        })
    }

    /// Ids of the schemas whose live versions (or any, with
    /// `include_deleted`) reference `subject` `version`; the version itself
    /// may be soft-deleted, as in Confluent.
    #[tracing::instrument(level = "debug", name = "herald.referenced_by", skip_all, fields(subject = %subject))]
    pub async fn referenced_by(
        &self,
        subject: &str,
        version: &str,
        include_deleted: bool,
    ) -> ServiceResult<Vec<i64>> {
        let found = self.version(subject, version, true).await?;
        let mut conn = self.store.read().await?;
        Ok(
            schemas::referencing_ids(&mut conn, &found.subject, found.version, include_deleted)
                .await?,
        )
    }

    /// The newest version of `subject` (soft-deleted ones too with
    /// `include_deleted`) whose metadata properties hold every pair of
    /// `properties`, as Confluent's `GET /subjects/{s}/metadata` finds it.
    #[tracing::instrument(level = "debug", name = "herald.latest_with_metadata", skip_all, fields(subject = %subject))]
    pub async fn latest_with_metadata(
        &self,
        subject: &str,
        properties: &[(String, String)],
        include_deleted: bool,
    ) -> ServiceResult<SubjectVersion> {
        let name = SubjectName::parse(subject)?;
        let mut conn = self.store.read().await?;
        let (_, versions) = visible_versions(&mut conn, &name, include_deleted).await?;
        for version in versions.iter().rev() {
            let Some(schema) = self
                .schema_row(&mut conn, name.context(), version.schema_id)
                .await?
            else {
                continue;
            };
            let matches = schema.metadata.as_ref().is_some_and(|metadata| {
                properties
                    .iter()
                    .all(|(key, value)| metadata.properties.get(key) == Some(value))
            });
            if matches {
                return Ok(SubjectVersion {
                    subject: name.qualified(),
                    version: version.version,
                    deleted: version.deleted,
                    schema,
                });
            }
        }
        Err(ServiceError::SchemaNotFound)
    }

    /// The versions of `subject` that live schemas reference (which may
    /// therefore not be deleted).
    #[tracing::instrument(level = "debug", name = "herald.referenced_versions", skip_all, fields(subject = %subject))]
    pub async fn referenced_versions(&self, subject: &str) -> ServiceResult<Vec<i32>> {
        let qualified = SubjectName::parse(subject)?.qualified();
        let mut conn = self.store.read().await?;
        Ok(schemas::referenced_versions(&mut conn, &qualified).await?)
    }

    /// Every context.
    #[tracing::instrument(level = "debug", name = "herald.contexts", skip_all)]
    pub async fn contexts(&self) -> ServiceResult<Vec<String>> {
        let mut conn = self.store.read().await?;
        Ok(subjects::contexts(&mut conn).await?)
    }
}

/// Which versions `GET /subjects/{s}/versions` lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionFilter {
    /// Live versions (the default).
    Live,
    /// Live and soft-deleted versions (`deleted=true`).
    IncludeDeleted,
    /// Soft-deleted versions only (`deletedOnly=true`).
    DeletedOnly,
    /// All, soft-deleted ones as negative numbers (`deletedAsNegative=true`).
    DeletedAsNegative,
}

/// The subject's id and its versions a reader may see: live ones, or all
/// with `include_deleted`. A subject with none is not found.
pub(super) async fn visible_versions(
    conn: &mut Conn,
    subject: &SubjectName,
    include_deleted: bool,
) -> ServiceResult<(i64, Vec<VersionRow>)> {
    let qualified = subject.qualified();
    let not_found = || ServiceError::SubjectNotFound(qualified.clone());
    let subject_id = subjects::id(conn, &qualified)
        .await?
        .ok_or_else(not_found)?;
    let versions: Vec<VersionRow> = subjects::versions(conn, subject_id)
        .await?
        .into_iter()
        .filter(|v| include_deleted || !v.deleted)
        .collect();
    if versions.is_empty() {
        return Err(not_found());
    }
    Ok((subject_id, versions))
}

/// The version `spec` names among `versions` (the last one for `latest`).
pub(super) fn pick(versions: &[VersionRow], spec: VersionSpec) -> ServiceResult<VersionRow> {
    match spec {
        VersionSpec::Latest => versions
            .last()
            .copied()
            .ok_or(ServiceError::VersionNotFound(-1)),
        VersionSpec::Number(number) => versions
            .iter()
            .find(|v| v.version == number)
            .copied()
            .ok_or(ServiceError::VersionNotFound(number)),
    }
}
