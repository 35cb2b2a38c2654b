//! Registering a schema under a subject, and looking one up.

use std::borrow::Cow;
use std::sync::Arc;

use herald_core::parsed::{fingerprint, guid};
use herald_core::{ParsedSchema, ReferencedSchema, SchemaReference, SchemaType, Validation};

use super::compatibility::{CheckInputs, reserved_properties};
use super::names::{Scope, SubjectName, qualify};
use super::read::SubjectVersion;
use super::settings::{Effective, Mode};
use super::writer::Write;
use super::{Registry, ServiceError, ServiceResult};
use crate::model::ChangeKind;
use crate::model::{Metadata, RuleSet, Schema};
use crate::store::schemas;
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
    /// Confluent data-contract rules; part of the schema's identity.
    pub rule_set: Option<RuleSet>,
}

impl NewSchema {
    /// How a registration judges it, as Confluent's `validateAsNew`: a
    /// schema arriving with its id (IMPORT) as stored, any other as new.
    fn validation(&self) -> Validation {
        match self.id {
            Some(_) => Validation::Stored,
            None => Validation::New,
        }
    }
}

/// The outcome of a registration.
#[derive(Clone, Debug)]
pub struct Registered {
    /// The subject's version that holds the schema.
    pub version: i32,
    /// The schema, with its id.
    pub schema: Arc<Schema>,
}

/// A request's schema, parsed and fingerprinted, ready to store.
pub(super) struct Candidate {
    pub parsed: Arc<ParsedSchema>,
    pub row: Schema,
    /// The texts its references led to (the parse depended on them).
    dependencies: Vec<ReferencedSchema>,
}

/// A request text parsed, and the row it makes, kept for the next request
/// that sends the same text with the same options (no references).
#[derive(Clone, Debug)]
pub(super) struct ParsedText {
    parsed: Arc<ParsedSchema>,
    row: Arc<Schema>,
}

impl super::cache::Weighed for ParsedText {
    fn weight(&self) -> u64 {
        self.parsed.weight() + self.row.weight()
    }
}

/// A request as a key: `head` (what else the answer depends on), then every
/// field of the request, the text last; built in one buffer.
fn request_key(head: std::fmt::Arguments<'_>, request: &NewSchema) -> String {
    use std::fmt::Write as _;
    let mut key = String::with_capacity(request.schema.len() + 128);
    let _ = write!(
        key,
        "{head}\0{}\0{:?}\0{:?}\0",
        request.schema_type.as_str(),
        request.id,
        request.version
    );
    for r in &request.references {
        let _ = write!(key, "{}\u{1}{}\u{1}{}\u{2}", r.name, r.subject, r.version);
    }
    if let Some(metadata) = &request.metadata {
        key.push_str(&metadata.to_json());
    }
    key.push('\0');
    if let Some(rules) = &request.rule_set {
        key.push_str(&rules.to_json());
    }
    key.push('\0');
    key.push_str(&request.schema);
    key
}

/// A registration judged from committed state before taking the write
/// lock: under the lock, the work is reused when what it depended on is
/// unchanged, so a slow parse or check never holds up other writes.
struct Prepared {
    /// The mode it was judged under.
    mode: Mode,
    /// The `normalize` it assumed.
    normalize: bool,
    candidate: Candidate,
    /// The subject's state it was judged against, and the verdict.
    judged: Option<(CheckInputs, ServiceResult<()>)>,
}

impl Registry {
    /// Parses `request` as a schema for `subject`, judged as `validation`
    /// says: references resolved, text normalized when asked, fingerprint
    /// computed. The id is left 0.
    pub(super) async fn candidate(
        &self,
        conn: &mut Conn,
        subject: &SubjectName,
        request: &NewSchema,
        normalize: bool,
        validation: Validation,
    ) -> ServiceResult<Candidate> {
        if request.schema.trim().is_empty() {
            return Err(ServiceError::InvalidSchema("Empty schema".to_owned()));
        }
        self.check_schema_text(&request.schema)?;
        // A text parsed before with the same options is not parsed again.
        let key = request.references.is_empty().then(|| {
            let head = format_args!("{validation:?}\0{normalize}\0{}", subject.context());
            request_key(head, request)
        });
        if let Some(key) = &key {
            let seen = self.texts.get(key.as_str());
            self.metrics.cache_lookup("text", seen.is_some());
            if let Some(seen) = seen {
                return Ok(Candidate {
                    parsed: seen.parsed,
                    row: Schema::clone(&seen.row),
                    dependencies: Vec::new(),
                });
            }
        }
        let resolved = self
            .resolve_references(conn, subject.context(), &request.references)
            .await?;
        let metadata = request.metadata.clone().filter(|m| !m.is_empty());
        let rule_set = request.rule_set.clone().filter(|r| !r.is_empty());
        let limits = self.parse_limits();
        let (schema_type, text) = (request.schema_type, request.schema.clone());
        let (dependencies, identity_metadata) = (resolved.dependencies, metadata.clone());
        let identity_rules = rule_set.as_ref().map(RuleSet::to_json);
        let references = resolved.references.clone();
        let (parsed, text, fingerprint, dependencies) = self
            .work
            .run("parsing the schema", move |_| {
                let parsed =
                    ParsedSchema::parse_as(schema_type, &text, &dependencies, limits, validation)?
                        .with_reserved_properties(reserved_properties(identity_metadata.as_ref()));
                let (text, fingerprint) = {
                    let normalized = parsed.normalized();
                    let (compared, text) = if normalize {
                        (normalized.as_ref(), normalized.as_ref())
                    } else {
                        (parsed.canonical(), parsed.formatted())
                    };
                    let identity = match (&identity_metadata, &identity_rules) {
                        (None, None) => Cow::Borrowed(compared),
                        (Some(metadata), None) => {
                            Cow::Owned(format!("{compared}\u{0}{}", metadata.to_json()))
                        }
                        (metadata, Some(rules)) => Cow::Owned(format!(
                            "{compared}\u{0}{}\u{1}{rules}",
                            metadata.as_ref().map(Metadata::to_json).unwrap_or_default()
                        )),
                    };
                    (
                        text.to_owned(),
                        fingerprint(schema_type, &identity, &references),
                    )
                };
                Ok((parsed, text, fingerprint, dependencies))
            })
            .await?;
        let row = Schema {
            context: subject.context().to_owned(),
            id: 0,
            schema_type: request.schema_type,
            text,
            guid: guid(&fingerprint),
            fingerprint,
            references: resolved.references,
            metadata,
            rule_set,
        };
        let parsed = Arc::new(parsed);
        if let Some(key) = key {
            let seen = ParsedText {
                parsed: parsed.clone(),
                row: Arc::new(row.clone()),
            };
            self.texts.insert(key, seen);
        }
        Ok(Candidate {
            parsed,
            row,
            dependencies,
        })
    }

    /// `prepared`'s candidate when it still stands in `conn` (normalize
    /// and resolved references unchanged), else the request parsed anew.
    async fn current_candidate(
        &self,
        conn: &mut Conn,
        subject: &SubjectName,
        request: &NewSchema,
        normalize: bool,
        prepared: Option<Candidate>,
    ) -> ServiceResult<Candidate> {
        if let Some(prepared) = prepared {
            let resolved = self
                .resolve_references(conn, subject.context(), &request.references)
                .await?;
            if resolved.references == prepared.row.references
                && resolved.dependencies == prepared.dependencies
            {
                return Ok(prepared);
            }
        }
        self.candidate(conn, subject, request, normalize, request.validation())
            .await
    }

    /// Judges `request` from committed state, without the write lock:
    /// mode, normalization, parse, an identical live version, and the
    /// compatibility verdict. `Err` is a final answer (an invalid schema,
    /// or the schema already registered); `Ok(None)` leaves everything to
    /// the locked path (e.g. a read-only mode, whose error comes first).
    async fn prepare(
        &self,
        subject: &SubjectName,
        scope: &Scope,
        request: &NewSchema,
        normalize: Option<bool>,
    ) -> Result<Option<Prepared>, ServiceResult<Registered>> {
        let Ok(mut conn) = self.store.read().await else {
            return Ok(None);
        };
        let Ok(settings) = Effective::read(&mut conn, scope).await else {
            return Ok(None);
        };
        let mode = settings.mode;
        if check_mode_allows(mode, &subject.qualified(), request.id).is_err() {
            return Ok(None);
        }
        let normalize = normalize.unwrap_or(settings.normalize);
        let candidate = match self
            .candidate(&mut conn, subject, request, normalize, request.validation())
            .await
        {
            Ok(candidate) => candidate,
            Err(error @ ServiceError::InvalidSchema(_)) if request.references.is_empty() => {
                return Err(Err(error));
            }
            Err(_) => return Ok(None),
        };
        let Ok(versions) = self.versions_of(&mut conn, &subject.qualified()).await else {
            return Ok(None);
        };
        if request.id.is_none()
            && request.version.is_none()
            && let Ok(Some(found)) = self
                .live_twin(&mut conn, subject, &versions, &candidate)
                .await
        {
            return Err(Ok(found));
        }
        let judged = if mode == Mode::Import {
            None
        } else {
            let inputs = CheckInputs::new(&settings, versions);
            let verdict = self
                .ensure_compatible(&mut conn, scope, &subject.qualified(), &candidate, &inputs)
                .await;
            Some((inputs, verdict))
        };
        Ok(Some(Prepared {
            mode,
            normalize,
            candidate,
            judged,
        }))
    }

    /// Every version of `subject` (qualified), soft-deleted ones included.
    async fn versions_of(
        &self,
        conn: &mut Conn,
        qualified: &str,
    ) -> ServiceResult<Vec<subjects::VersionRow>> {
        Ok(match subjects::id(conn, qualified).await? {
            Some(id) => subjects::versions(conn, id).await?,
            None => Vec::new(),
        })
    }

    /// The newest live version of the subject holding `candidate`'s content.
    async fn live_twin(
        &self,
        conn: &mut Conn,
        subject: &SubjectName,
        versions: &[subjects::VersionRow],
        candidate: &Candidate,
    ) -> ServiceResult<Option<Registered>> {
        let stamped = version_stamp(candidate.row.metadata.as_ref()).is_some();
        for live in versions.iter().rev().filter(|v| !v.deleted) {
            let Some(row) = self
                .schema_row(conn, subject.context(), live.schema_id)
                .await?
            else {
                continue;
            };
            let twin = row.fingerprint == candidate.row.fingerprint
                || (stamped && self.same_but_version(conn, &row, candidate).await?);
            if twin {
                return Ok(Some(Registered {
                    version: live.version,
                    schema: row,
                }));
            }
        }
        Ok(None)
    }

    /// Whether `row` is `candidate` but for the `confluent:version`
    /// property (Confluent's `canLookup`): the same type, references,
    /// rules, other metadata and canonical text.
    async fn same_but_version(
        &self,
        conn: &mut Conn,
        row: &Arc<Schema>,
        candidate: &Candidate,
    ) -> ServiceResult<bool> {
        let unstamped = |metadata: Option<&Metadata>| {
            metadata.cloned().map(|mut metadata| {
                metadata.properties.remove(CONFLUENT_VERSION);
                metadata
            })
        };
        let new = &candidate.row;
        if row.schema_type != new.schema_type
            || row.references != new.references
            || row.rule_set != new.rule_set
            || unstamped(row.metadata.as_ref()) != unstamped(new.metadata.as_ref())
        {
            return Ok(false);
        }
        let parsed = self.parsed_schema(conn, row).await?;
        Ok(parsed.canonical() == candidate.parsed.canonical())
    }

    /// Registers `request` under `subject` (Confluent's `POST
    /// /subjects/{s}/versions`): idempotent for content already live in the
    /// subject, refused when incompatible under the subject's level.
    #[tracing::instrument(level = "debug", name = "herald.register", skip_all, fields(subject = %subject))]
    pub async fn register(
        &self,
        subject: &str,
        request: NewSchema,
        normalize: Option<bool>,
    ) -> ServiceResult<Registered> {
        let format = request.schema_type.as_str();
        // A producer re-registers its schema at every start: a registration
        // that found its schema already there is remembered (and answered
        // without a write) until the subject, a setting, or with references
        // anything changes.
        let remembered = (request.id.is_none() && request.version.is_none())
            .then(|| request_key(format_args!("{subject}\0{normalize:?}"), &request));
        if let Some(found) = remembered
            .as_deref()
            .and_then(|key| self.answers.registration(key))
        {
            self.metrics.registration(format, "ok");
            return Ok(found);
        }
        let result = self
            .register_counted(subject, request, normalize, remembered)
            .await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(ServiceError::Incompatible(_)) => "incompatible",
            Err(ServiceError::InvalidSchema(_)) => "invalid",
            Err(_) => "refused",
        };
        self.metrics.registration(format, outcome);
        result
    }

    /// [`Registry::register`], before its outcome is counted.
    async fn register_counted(
        &self,
        subject: &str,
        request: NewSchema,
        normalize: Option<bool>,
        remembered: Option<String>,
    ) -> ServiceResult<Registered> {
        let subject = SubjectName::parse(subject)?;
        let scope = Scope::Subject(subject.clone());
        let stamp = self.answers.epochs.stamp(
            [subject.qualified().as_str()],
            !request.references.is_empty(),
        );
        let request = self
            .completed_from_latest(&subject, &scope, request)
            .await?;
        let prepared = match self.prepare(&subject, &scope, &request, normalize).await {
            Ok(prepared) => prepared,
            Err(Ok(already)) => {
                // Nothing to write: the schema is there.
                if let Some(key) = remembered {
                    self.answers
                        .remember_registration(key, already.clone(), stamp);
                }
                return Ok(already);
            }
            Err(answer) => return answer,
        };
        let mut write = self.begin_write().await?;
        let result = self
            .register_in(&mut write, &subject, &scope, &request, normalize, prepared)
            .await;
        self.end_write(write, result).await
    }

    /// The registration under the write lock.
    async fn register_in(
        &self,
        write: &mut Write,
        subject: &SubjectName,
        scope: &Scope,
        request: &NewSchema,
        normalize: Option<bool>,
        prepared: Option<Prepared>,
    ) -> ServiceResult<Registered> {
        let qualified = subject.qualified();
        let tx = write.tx();
        let settings = Effective::read(tx, scope).await?;
        let mode = settings.mode;
        check_mode_allows(mode, &qualified, request.id)?;
        let normalize = normalize.unwrap_or(settings.normalize);
        let (candidate, judged) = match prepared {
            Some(prepared) if prepared.normalize == normalize && prepared.mode == mode => {
                (Some(prepared.candidate), prepared.judged)
            }
            _ => (None, None),
        };
        let candidate = self
            .current_candidate(tx, subject, request, normalize, candidate)
            .await?;
        let subject_id = subjects::id(tx, &qualified).await?;
        let versions = match subject_id {
            Some(id) => subjects::versions(tx, id).await?,
            None => Vec::new(),
        };
        // An explicit version (the REST layer reads 0 or below as none, as
        // Confluent) is registered even when the content is already live.
        let asked_version = request.version;
        let twin = match asked_version {
            Some(_) => None,
            None => self.live_twin(tx, subject, &versions, &candidate).await?,
        };
        // A live twin answers, unless IMPORT asks for another id: Confluent
        // then registers the same content again under that id.
        if let Some(found) = twin.filter(|found| request.id.is_none_or(|id| id == found.schema.id))
        {
            return Ok(found);
        }
        if mode != Mode::Import {
            let inputs = CheckInputs::new(&settings, versions.clone());
            match judged {
                Some((judged_inputs, verdict)) if judged_inputs == inputs => verdict?,
                _ => {
                    self.ensure_compatible(tx, scope, &qualified, &candidate, &inputs)
                        .await?
                }
            }
        }
        let (id, is_new) = self.id_for(tx, subject, &candidate, request.id).await?;
        let version = next_version(&qualified, &versions, asked_version, mode)?;
        let replaced = versions.iter().find(|v| v.version == version).copied();
        let mut row = candidate.row;
        row.id = id;
        if is_new {
            schemas::insert(tx, &row, candidate.parsed.canonical()).await?;
        }
        let subject_id = match subject_id {
            Some(id) => id,
            None => subjects::create(tx, subject.context(), subject.local(), &qualified).await?,
        };
        match replaced {
            Some(_) => subjects::replace_version(tx, subject_id, version, id).await?,
            None => subjects::insert_version(tx, subject_id, version, id).await?,
        }
        let evicted = match replaced.filter(|old| old.schema_id != id) {
            Some(old) => schemas::delete_if_unused(tx, subject.context(), old.schema_id)
                .await?
                .then_some(old.schema_id),
            None => None,
        };
        remove_soft_deleted_twins(tx, subject_id, &qualified, &versions, id, version).await?;
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
        if let Some(evicted) = evicted {
            self.cache.evict(subject.context(), evicted);
        }
        let schema = match stored {
            Some(stored) => stored,
            None => {
                self.cache.insert_parsed(&row.context, id, candidate.parsed);
                self.cache.insert_row(row)
            }
        };
        Ok(Registered { version, schema })
    }

    /// The id `candidate` takes, and whether it is a new schema row: the
    /// id its content already has (the newest, when IMPORT gave it more
    /// than one) or the next one; in IMPORT the `asked` id, which may hold
    /// equal content already and nothing else (Confluent's
    /// `checkIfSchemaWithIdExist`, 42205).
    async fn id_for(
        &self,
        tx: &mut Conn,
        subject: &SubjectName,
        candidate: &Candidate,
        asked: Option<i64>,
    ) -> ServiceResult<(i64, bool)> {
        let context = subject.context();
        let existing = schemas::id_by_fingerprint(tx, context, &candidate.row.fingerprint).await?;
        let Some(asked) = asked else {
            return Ok(match existing {
                Some(id) => (id, false),
                None => (schemas::next_id(tx, context).await?, true),
            });
        };
        if asked < 0 {
            return Err(ServiceError::NotPermitted(format!(
                "Schema id {asked} is not valid: ids are 0 or more"
            )));
        }
        match schemas::by_id(tx, context, asked).await? {
            Some(row) if row.fingerprint == candidate.row.fingerprint => Ok((asked, false)),
            Some(_) => Err(ServiceError::IdConflict(format!(
                "Overwrite new schema with id {asked} in context {} is not permitted.",
                qualify(context, "")
            ))),
            None => {
                schemas::claim_id(tx, context, asked).await?;
                Ok((asked, true))
            }
        }
    }

    /// `request` completed as Confluent's `maybePopulateFromPrevious`
    /// completes it outside IMPORT: no `metadata` or no `ruleSet` takes the
    /// subject's latest live version's (`{}` is not none: it takes
    /// nothing), an empty schema takes its text, type and references (a
    /// new version that only changes the contract); then the scope's
    /// default metadata and rules go under, its overrides over.
    async fn completed_from_latest(
        &self,
        subject: &SubjectName,
        scope: &Scope,
        mut request: NewSchema,
    ) -> ServiceResult<NewSchema> {
        let mut conn = self.store.read().await?;
        let settings = Effective::read(&mut conn, scope).await?;
        if settings.mode == Mode::Import {
            return Ok(request);
        }
        let empty = request.schema.trim().is_empty();
        let versions = self.versions_of(&mut conn, &subject.qualified()).await?;
        if request.metadata.is_none() || request.rule_set.is_none() || empty {
            let latest = match versions.iter().rev().find(|v| !v.deleted) {
                Some(latest) => {
                    self.schema_row(&mut conn, subject.context(), latest.schema_id)
                        .await?
                }
                None => None,
            };
            if let Some(row) = latest {
                request.metadata = request.metadata.or_else(|| row.metadata.clone());
                request.rule_set = request.rule_set.or_else(|| row.rule_set.clone());
                if empty {
                    request.schema = row.text.clone();
                    request.schema_type = row.schema_type;
                    request.references = row.references.clone();
                }
            }
        }
        if settings.validate_fields {
            refuse_reserved_field_names(&request)?;
        }
        (request.metadata, request.rule_set) = settings
            .contract
            .apply(request.metadata.take(), request.rule_set.take());
        // An explicit version, or a `confluent:version` property, puts the
        // new version's number in that property, as Confluent does.
        let stamped = request
            .metadata
            .as_ref()
            .is_some_and(|m| m.properties.contains_key(CONFLUENT_VERSION));
        if request.version.is_some() || stamped {
            let next = versions.iter().map(|v| v.version).max().unwrap_or(0) + 1;
            request
                .metadata
                .get_or_insert_with(Metadata::default)
                .properties
                .insert(CONFLUENT_VERSION.to_owned(), next.to_string());
        }
        Ok(request)
    }

    /// Finds `request` among the versions of `subject` (Confluent's `POST
    /// /subjects/{s}`), soft-deleted ones too with `include_deleted`.
    #[tracing::instrument(level = "debug", name = "herald.lookup", skip_all, fields(subject = %subject))]
    pub async fn lookup(
        &self,
        subject: &str,
        request: NewSchema,
        normalize: Option<bool>,
        include_deleted: bool,
    ) -> ServiceResult<SubjectVersion> {
        let name = subject;
        let subject = SubjectName::parse(subject)?;
        let qualified = subject.qualified();
        // Serializers look their schema up at every start: the answer is
        // remembered until the subject (or a setting, or with references
        // anything) changes.
        let key = request_key(
            format_args!("{name}\0{normalize:?}\0{include_deleted}"),
            &request,
        );
        if let Some(found) = self.answers.lookup(&key) {
            return Ok(found);
        }
        let stamp = self
            .answers
            .epochs
            .stamp([qualified.as_str()], !request.references.is_empty());
        let found = self
            .lookup_in_store(&subject, request, normalize, include_deleted)
            .await?;
        self.answers.remember_lookup(key, found.clone(), stamp);
        Ok(found)
    }

    /// [`Registry::lookup`] from the store.
    async fn lookup_in_store(
        &self,
        subject: &SubjectName,
        request: NewSchema,
        normalize: Option<bool>,
        include_deleted: bool,
    ) -> ServiceResult<SubjectVersion> {
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
            None => {
                Effective::read(&mut conn, &Scope::Subject(subject.clone()))
                    .await?
                    .normalize
            }
        };
        // A lookup parses as Confluent's does: as a stored schema.
        let candidate = self
            .candidate(&mut conn, subject, &request, normalize, Validation::Stored)
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

/// With `validateFields`, as Confluent's `JsonSchema.validate(strict)`: a
/// JSON Schema's top-level property names may not start with `$$`.
fn refuse_reserved_field_names(request: &NewSchema) -> ServiceResult<()> {
    if request.schema_type != SchemaType::Json {
        return Ok(());
    }
    let Ok(serde_json::Value::Object(root)) = serde_json::from_str(&request.schema) else {
        return Ok(()); // The parser reports what is wrong with it.
    };
    let reserved = root
        .get("properties")
        .and_then(serde_json::Value::as_object)
        .and_then(|properties| properties.keys().find(|name| name.starts_with("$$")));
    match reserved {
        Some(name) => Err(ServiceError::InvalidSchema(format!(
            "Field names cannot start with $$ prefix: #/properties/{name}"
        ))),
        None => Ok(()),
    }
}

/// The metadata property that carries a version's own number.
const CONFLUENT_VERSION: &str = "confluent:version";

/// The `confluent:version` property of `metadata`, if set.
fn version_stamp(metadata: Option<&Metadata>) -> Option<&str> {
    metadata.and_then(|metadata| {
        metadata
            .properties
            .get(CONFLUENT_VERSION)
            .map(String::as_str)
    })
}

/// Removes for good the soft-deleted versions of the subject that held the
/// schema now registered again as `version` (same id, lower version), as
/// Confluent does — unless some schema, live or soft-deleted, references
/// one of them.
async fn remove_soft_deleted_twins(
    conn: &mut Conn,
    subject_id: i64,
    qualified: &str,
    versions: &[subjects::VersionRow],
    id: i64,
    version: i32,
) -> ServiceResult<()> {
    for twin in versions
        .iter()
        .filter(|v| v.deleted && v.schema_id == id && v.version < version)
    {
        if schemas::referencing_ids(conn, qualified, twin.version, true)
            .await?
            .is_empty()
        {
            subjects::remove_version(conn, subject_id, twin.version).await?;
        }
    }
    Ok(())
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
    mode: Mode,
) -> ServiceResult<i32> {
    let next = match versions.iter().map(|v| v.version).max() {
        Some(i32::MAX) => {
            return Err(ServiceError::NotPermitted(format!(
                "Subject {subject} has no version numbers left"
            )));
        }
        Some(highest) => highest + 1,
        None => 1,
    };
    match asked {
        None => Ok(next),
        // IMPORT takes the version asked for; one that exists is replaced.
        Some(asked) if mode == Mode::Import => Ok(asked),
        Some(asked) if asked == next => Ok(asked),
        Some(_) => Err(ServiceError::InvalidSchema(
            "Version is not one more than previous version".to_owned(),
        )),
    }
}
