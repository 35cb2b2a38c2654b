//! Registering a schema under a subject, and looking one up.

use std::borrow::Cow;
use std::sync::Arc;

use herald_core::parsed::{fingerprint, guid};
use herald_core::{ParsedSchema, SchemaReference, SchemaType};

use super::names::{Scope, SubjectName};
use super::read::SubjectVersion;
use super::settings::{Mode, effective_mode, effective_normalize};
use super::{Registry, ServiceError, ServiceResult};
use crate::store::changes::ChangeKind;
use crate::store::schemas::{self, Metadata, SchemaRow};
use crate::store::{Conn, subjects};

/// A schema as a client sends it to register, look up or check.
#[derive(Clone, Debug)]
pub struct NewSchema {
    /// The schema text.
    pub schema: String,
    /// Its format.
    pub schema_type: SchemaType,
    /// The subjects it references.
    pub references: Vec<SchemaReference>,
    /// An explicit id (IMPORT mode only).
    pub id: Option<i64>,
    /// An explicit version (IMPORT mode only).
    pub version: Option<i32>,
    /// Confluent schema metadata; part of the schema's identity.
    pub metadata: Option<Metadata>,
}

/// The outcome of a registration.
#[derive(Clone, Debug)]
pub struct Registered {
    /// The subject's version that holds the schema.
    pub version: i32,
    /// The schema, with its id.
    pub schema: Arc<SchemaRow>,
}

/// A request's schema, parsed and fingerprinted, ready to store.
pub(super) struct Candidate {
    pub parsed: Arc<ParsedSchema>,
    pub row: SchemaRow,
}

impl Registry {
    /// Parses `request` as a schema for `subject`: references resolved,
    /// text normalized when asked, fingerprint computed. The id is left 0.
    pub(super) async fn candidate(
        &self,
        conn: &mut Conn,
        subject: &SubjectName,
        request: &NewSchema,
        normalize: bool,
    ) -> ServiceResult<Candidate> {
        if request.schema.trim().is_empty() {
            return Err(ServiceError::InvalidSchema(
                "Invalid schema: empty schema".to_owned(),
            ));
        }
        let resolved = self
            .resolve_references(conn, subject.context(), &request.references)
            .await?;
        let metadata = request.metadata.clone().filter(|m| !m.is_empty());
        let parsed = ParsedSchema::parse(
            request.schema_type,
            &request.schema,
            &resolved.dependencies,
            self.parse_limits(),
        )?
        .with_reserved_properties(Metadata::reserved_properties(metadata.as_ref()));
        let normalized = parsed.normalized();
        let (compared, text) = if normalize {
            (normalized.as_ref(), normalized.as_ref())
        } else {
            (parsed.canonical(), parsed.formatted())
        };
        let identity = match &metadata {
            Some(metadata) => Cow::Owned(format!("{compared}\u{0}{}", metadata.to_json())),
            None => Cow::Borrowed(compared),
        };
        let fingerprint = fingerprint(request.schema_type, &identity, &resolved.references);
        let row = SchemaRow {
            context: subject.context().to_owned(),
            id: 0,
            schema_type: request.schema_type.as_str().to_owned(),
            text: text.to_owned(),
            guid: guid(&fingerprint),
            fingerprint,
            references: resolved.references,
            metadata,
        };
        Ok(Candidate {
            parsed: Arc::new(parsed),
            row,
        })
    }

    /// Parses `request` before taking the write lock, so writers queue for
    /// the statements only. Only schemas without references (whose
    /// resolution must happen under the lock) and only when all goes well;
    /// returns the `normalize` it assumed, which the caller checks again
    /// under the lock. Any error is left for the locked path to report, in
    /// its order (mode first).
    async fn prepare(
        &self,
        subject: &SubjectName,
        scope: &Scope,
        request: &NewSchema,
        normalize: Option<bool>,
    ) -> Option<(bool, Candidate)> {
        if !request.references.is_empty() {
            return None;
        }
        let mut conn = self.store.read().await.ok()?;
        let normalize = match normalize {
            Some(normalize) => normalize,
            None => effective_normalize(&mut conn, scope).await.ok()?,
        };
        let candidate = self
            .candidate(&mut conn, subject, request, normalize)
            .await
            .ok()?;
        Some((normalize, candidate))
    }

    /// Registers `request` under `subject` (Confluent's `POST
    /// /subjects/{s}/versions`): idempotent for content already live in the
    /// subject, refused when incompatible under the subject's level.
    pub async fn register(
        &self,
        subject: &str,
        request: NewSchema,
        normalize: Option<bool>,
    ) -> ServiceResult<Registered> {
        let subject = SubjectName::parse(subject)?;
        let qualified = subject.qualified();
        let scope = Scope::Subject(subject.clone());
        let prepared = self.prepare(&subject, &scope, &request, normalize).await;
        let mut write = self.begin_write().await?;
        let tx = write.tx();
        let mode = effective_mode(tx, &scope).await?;
        check_mode_allows(mode, &qualified, request.id)?;
        let normalize = match normalize {
            Some(normalize) => normalize,
            None => effective_normalize(tx, &scope).await?,
        };
        let candidate = match prepared {
            Some((prepared_with, candidate)) if prepared_with == normalize => candidate,
            _ => self.candidate(tx, &subject, &request, normalize).await?,
        };
        let subject_id = subjects::id(tx, &qualified).await?;
        let versions = match subject_id {
            Some(id) => subjects::versions(tx, id).await?,
            None => Vec::new(),
        };
        for live in versions.iter().rev().filter(|v| !v.deleted) {
            let row = self
                .schema_row(tx, subject.context(), live.schema_id)
                .await?;
            if let Some(row) = row.filter(|row| row.fingerprint == candidate.row.fingerprint) {
                if let Some(asked) = request.id.filter(|asked| *asked != row.id) {
                    return Err(ServiceError::IdConflict(format!(
                        "Overwrite new schema with id {asked} is not permitted: subject {qualified} already holds this schema with id {}",
                        row.id
                    )));
                }
                return Ok(Registered {
                    version: live.version,
                    schema: row,
                });
            }
        }
        if mode != Mode::Import {
            self.ensure_compatible(tx, &scope, &qualified, &candidate, &versions)
                .await?;
        }
        let existing =
            schemas::id_by_fingerprint(tx, subject.context(), &candidate.row.fingerprint).await?;
        let id = match (existing, request.id) {
            (Some(existing), Some(asked)) if existing != asked => {
                return Err(ServiceError::IdConflict(format!(
                    "Overwrite new schema with id {asked} is not permitted: the same schema already has id {existing}"
                )));
            }
            (Some(existing), _) => existing,
            (None, Some(asked)) if asked < 1 => {
                return Err(ServiceError::NotPermitted(format!(
                    "Schema id {asked} is not valid: ids start at 1"
                )));
            }
            (None, Some(asked)) => {
                if schemas::by_id(tx, subject.context(), asked)
                    .await?
                    .is_some()
                {
                    return Err(ServiceError::IdConflict(format!(
                        "Overwrite new schema with id {asked} is not permitted."
                    )));
                }
                schemas::claim_id(tx, subject.context(), asked).await?;
                asked
            }
            (None, None) => schemas::next_id(tx, subject.context()).await?,
        };
        let version = next_version(&qualified, &versions, request.version)?;
        let is_new = existing.is_none();
        let mut row = candidate.row;
        row.id = id;
        if is_new {
            schemas::insert(tx, &row, candidate.parsed.canonical()).await?;
        }
        let subject_id = match subject_id {
            Some(id) => id,
            None => subjects::create(tx, subject.context(), subject.local(), &qualified).await?,
        };
        subjects::insert_version(tx, subject_id, version, id).await?;
        let stored = if is_new {
            None
        } else {
            self.schema_row(tx, subject.context(), id).await?
        };
        self.commit_change(
            write,
            ChangeKind::Registered,
            &qualified,
            Some(version),
            Some(id),
        )
        .await?;
        let schema = match stored {
            Some(stored) => stored,
            None => {
                self.cache.insert_parsed(&row.context, id, candidate.parsed);
                self.cache.insert_row(row)
            }
        };
        Ok(Registered { version, schema })
    }

    /// Finds `request` among the versions of `subject` (Confluent's `POST
    /// /subjects/{s}`), soft-deleted ones too with `include_deleted`.
    pub async fn lookup(
        &self,
        subject: &str,
        request: NewSchema,
        normalize: Option<bool>,
        include_deleted: bool,
    ) -> ServiceResult<SubjectVersion> {
        let subject = SubjectName::parse(subject)?;
        let qualified = subject.qualified();
        let mut conn = self.store.read().await?;
        let subject_id = subjects::id(&mut conn, &qualified)
            .await?
            .ok_or_else(|| ServiceError::SubjectNotFound(qualified.clone()))?;
        let versions = subjects::versions(&mut conn, subject_id).await?;
        if !include_deleted && versions.iter().all(|v| v.deleted) {
            return Err(ServiceError::SubjectNotFound(qualified));
        }
        let normalize = match normalize {
            Some(normalize) => normalize,
            None => effective_normalize(&mut conn, &Scope::Subject(subject.clone())).await?,
        };
        let candidate = self
            .candidate(&mut conn, &subject, &request, normalize)
            .await?;
        for version in versions
            .iter()
            .rev()
            .filter(|v| include_deleted || !v.deleted)
        {
            let row = self
                .schema_row(&mut conn, subject.context(), version.schema_id)
                .await?;
            if let Some(row) = row.filter(|row| row.fingerprint == candidate.row.fingerprint) {
                return Ok(SubjectVersion {
                    subject: qualified,
                    version: version.version,
                    deleted: version.deleted,
                    schema: row,
                });
            }
        }
        Err(ServiceError::SchemaNotFound)
    }
}

/// Refuses writes in read-only modes, and explicit ids outside IMPORT
/// (or their absence inside it).
fn check_mode_allows(mode: Mode, subject: &str, explicit_id: Option<i64>) -> ServiceResult<()> {
    match (mode, explicit_id) {
        (mode, _) if mode.is_read_only() => Err(ServiceError::NotPermitted(format!(
            "Subject {subject} is in read-only mode"
        ))),
        (Mode::Import, None) => Err(ServiceError::NotPermitted(format!(
            "Subject {subject} is in import mode: a registration must give the schema id"
        ))),
        (Mode::ReadWrite, Some(_)) => Err(ServiceError::NotPermitted(format!(
            "Subject {subject} is not in import mode: a schema id can only be given in IMPORT mode"
        ))),
        _ => Ok(()),
    }
}

/// The version a registration gets: the one asked for (IMPORT), or one
/// past the highest ever used, soft-deleted versions included.
fn next_version(
    subject: &str,
    versions: &[subjects::VersionRow],
    asked: Option<i32>,
) -> ServiceResult<i32> {
    match asked {
        Some(asked) if asked < 1 => Err(ServiceError::InvalidVersion(asked.to_string())),
        Some(asked) if versions.iter().any(|v| v.version == asked) => {
            Err(ServiceError::IdConflict(format!(
                "Version {asked} already exists in subject {subject} with another schema"
            )))
        }
        Some(asked) => Ok(asked),
        None => match versions.iter().map(|v| v.version).max() {
            Some(i32::MAX) => Err(ServiceError::NotPermitted(format!(
                "Subject {subject} has no version numbers left"
            ))),
            Some(highest) => Ok(highest + 1),
            None => Ok(1),
        },
    }
}
