//! Request and response bodies of the Confluent REST API. Null fields and
//! empty lists are left out of responses; `false` is kept.

use herald_core::tags::{EntityKind, EntityTags};
use herald_core::{SchemaReference, SchemaType};
use serde::{Deserialize, Serialize};

use crate::model::Config;
use crate::model::{Metadata, RuleSet, Schema};
use crate::service::{NewSchema, Registered, SubjectVersion, TagRequest, VersionFinding};

use super::error::ApiError;
use super::lenient;

/// Body of register, lookup and compatibility requests.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "schema": "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}"
}))]
pub struct SchemaRequest {
    #[serde(default, deserialize_with = "lenient::text")]
    schema: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    schema_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    references: Vec<SchemaReference>,
    #[serde(default, deserialize_with = "lenient::integer")]
    id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::integer")]
    version: Option<i32>,
    metadata: Option<Metadata>,
    rule_set: Option<RuleSet>,
}

impl SchemaRequest {
    /// The request as the service takes it; the type defaults to AVRO.
    pub fn into_new_schema(self) -> Result<NewSchema, ApiError> {
        // As Confluent matches it: the exact upper-case name, AVRO when
        // absent or null; `avro` or an empty text is an unknown type.
        let schema_type = match self.schema_type.as_deref() {
            None => SchemaType::Avro,
            Some(raw) => [SchemaType::Avro, SchemaType::Protobuf, SchemaType::Json]
                .into_iter()
                .find(|known| known.as_str() == raw)
                .ok_or_else(|| {
                    crate::service::ServiceError::from(herald_core::SchemaError::UnknownType(
                        raw.to_owned(),
                    ))
                })?,
        };
        Ok(NewSchema {
            schema: self.schema.unwrap_or_default(),
            schema_type,
            references: self.references,
            // As Confluent reads them: a negative id and a version of 0 or
            // below mean none (id 0 is an id).
            id: self.id.filter(|id| *id >= 0),
            version: self.version.filter(|version| *version > 0),
            metadata: self.metadata,
            rule_set: self.rule_set,
        })
    }
}

/// `schemaType` is left out for AVRO, as Confluent does.
fn type_field(row: &Schema) -> Option<String> {
    (row.schema_type != SchemaType::Avro).then(|| row.schema_type.as_str().to_owned())
}

/// `GET /schemas/ids/{id}` and `/schemas/guids/{guid}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchemaById {
    #[serde(skip_serializing_if = "Option::is_none")]
    schema_type: Option<String>,
    schema: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<SchemaReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_set: Option<RuleSet>,
    guid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_id: Option<i64>,
}

impl SchemaById {
    /// The response for `row` with its text in the requested format, and
    /// `maxId` when asked.
    pub fn new(row: &Schema, schema: String, max_id: Option<i64>) -> SchemaById {
        SchemaById {
            schema_type: type_field(row),
            schema,
            references: row.references.clone(),
            metadata: row.metadata.clone(),
            rule_set: row.rule_set.clone(),
            guid: row.guid.clone(),
            max_id,
        }
    }
}

/// A subject-version with its schema (`GET /subjects/{s}/versions/{v}`,
/// lookup, `GET /schemas`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionBody {
    subject: String,
    version: i32,
    id: i64,
    guid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    schema_type: Option<String>,
    schema: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<SchemaReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_set: Option<RuleSet>,
}

impl From<&SubjectVersion> for VersionBody {
    fn from(found: &SubjectVersion) -> Self {
        VersionBody::new(found, found.schema.text.clone())
    }
}

impl VersionBody {
    /// The response for `found` with its text in the requested format.
    pub fn new(found: &SubjectVersion, schema: String) -> Self {
        VersionBody {
            subject: found.subject.clone(),
            version: found.version,
            id: found.schema.id,
            guid: found.schema.guid.clone(),
            schema_type: type_field(&found.schema),
            schema,
            references: found.schema.references.clone(),
            metadata: found.schema.metadata.clone(),
            rule_set: found.schema.rule_set.clone(),
        }
    }
}

/// `POST /subjects/{s}/versions/{v}/tags` body (Confluent's
/// `TagSchemaRequest`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "newVersion": 2,
    "tagsToAdd": [{"schemaEntity": {"entityPath": "Order.id", "entityType": "sr_field"}, "tags": ["PII"]}]
}))]
pub struct TagSchemaRequest {
    #[serde(default, deserialize_with = "lenient::integer")]
    new_version: Option<i32>,
    #[serde(default, deserialize_with = "lenient::list")]
    tags_to_add: Vec<SchemaTags>,
    #[serde(default, deserialize_with = "lenient::list")]
    tags_to_remove: Vec<SchemaTags>,
    metadata: Option<Metadata>,
    rule_set: Option<RuleSet>,
    rules_to_merge: Option<RuleSet>,
    rules_to_remove: Option<Vec<String>>,
}

/// Tags for one entity of a schema.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct SchemaTags {
    schema_entity: SchemaEntity,
    #[serde(default)]
    tags: Vec<String>,
}

/// A record or field of a schema, by its dotted path.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct SchemaEntity {
    entity_path: String,
    entity_type: EntityType,
}

/// Confluent's entity types.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
enum EntityType {
    #[serde(rename = "sr_record")]
    Record,
    #[serde(rename = "sr_field")]
    Field,
}

impl From<SchemaTags> for EntityTags {
    fn from(tags: SchemaTags) -> Self {
        EntityTags {
            path: tags.schema_entity.entity_path,
            kind: match tags.schema_entity.entity_type {
                EntityType::Record => EntityKind::Record,
                EntityType::Field => EntityKind::Field,
            },
            tags: tags.tags,
        }
    }
}

impl From<TagSchemaRequest> for TagRequest {
    fn from(request: TagSchemaRequest) -> Self {
        TagRequest {
            new_version: request.new_version.filter(|version| *version > 0),
            add: request
                .tags_to_add
                .into_iter()
                .map(EntityTags::from)
                .collect(),
            remove: request
                .tags_to_remove
                .into_iter()
                .map(EntityTags::from)
                .collect(),
            metadata: request.metadata,
            rule_set: request.rule_set,
            rules_to_merge: request.rules_to_merge,
            rules_to_remove: request.rules_to_remove,
        }
    }
}

/// `POST /subjects/{s}/versions`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegisterResponse {
    id: i64,
    version: i32,
    guid: String,
    schema_type: String,
    schema: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<SchemaReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_set: Option<RuleSet>,
}

impl From<Registered> for RegisterResponse {
    fn from(registered: Registered) -> Self {
        let schema = &registered.schema;
        RegisterResponse {
            id: schema.id,
            version: registered.version,
            guid: schema.guid.clone(),
            schema_type: schema.schema_type.as_str().to_owned(),
            schema: schema.text.clone(),
            references: schema.references.clone(),
            metadata: schema.metadata.clone(),
            rule_set: schema.rule_set.clone(),
        }
    }
}

/// `{"subject": ..., "version": ...}` in `GET /schemas/ids/{id}/versions`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubjectVersionRef {
    /// Qualified subject name.
    pub subject: String,
    /// Version number.
    pub version: i32,
}

/// `POST /compatibility/...`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CompatibilityResponse {
    /// The verdict.
    pub is_compatible: bool,
    /// Findings (with `verbose=true`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<String>,
    /// The findings, structured (with `verbose=true`; a Herald extension).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<VersionFinding>,
    /// What is risky but accepted (with `verbose=true`; a Herald extension).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// `PUT /config` body. `compatibilityLevel` is accepted as a synonym.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"compatibility": "BACKWARD"}))]
pub struct ConfigRequest {
    /// New level.
    #[serde(
        alias = "compatibilityLevel",
        default,
        deserialize_with = "lenient::text"
    )]
    pub compatibility: Option<String>,
    /// New default for `normalize`.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub normalize: Option<bool>,
    /// New compatibility group.
    #[serde(default, deserialize_with = "lenient::text")]
    pub compatibility_group: Option<String>,
    /// New Protobuf rule set.
    #[serde(default, deserialize_with = "lenient::text")]
    pub protobuf_rules: Option<String>,
    /// New JSON Schema policy.
    #[serde(default, deserialize_with = "lenient::text")]
    pub compatibility_policy: Option<String>,
    /// New alias target.
    #[serde(default, deserialize_with = "lenient::text")]
    pub alias: Option<String>,
    /// New strictness of field-name checks.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub validate_fields: Option<bool>,
    /// Metadata merged under each registration's own.
    pub default_metadata: Option<Metadata>,
    /// Metadata merged over each registration's own.
    pub override_metadata: Option<Metadata>,
    /// Rules merged under each registration's own.
    pub default_rule_set: Option<RuleSet>,
    /// Rules merged over each registration's own.
    pub override_rule_set: Option<RuleSet>,
}

/// The fields of a config response besides its level.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    normalize: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compatibility_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    protobuf_rules: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compatibility_policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alias: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    validate_fields: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_metadata: Option<Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    override_metadata: Option<Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_rule_set: Option<RuleSet>,
    #[serde(skip_serializing_if = "Option::is_none")]
    override_rule_set: Option<RuleSet>,
}

impl ConfigSettings {
    /// `row`'s level, and the rest of it.
    fn split(row: Config) -> (Option<String>, ConfigSettings) {
        let settings = ConfigSettings {
            normalize: row.normalize,
            compatibility_group: row.compatibility_group,
            protobuf_rules: row.protobuf_rules,
            compatibility_policy: row.compatibility_policy,
            alias: row.alias,
            validate_fields: row.validate_fields,
            default_metadata: row.default_metadata,
            override_metadata: row.override_metadata,
            default_rule_set: row.default_rule_set,
            override_rule_set: row.override_rule_set,
        };
        (row.compatibility, settings)
    }
}

/// `GET /config` response: the level under `compatibilityLevel`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    compatibility_level: Option<String>,
    #[serde(flatten)]
    settings: ConfigSettings,
}

impl From<Config> for ConfigResponse {
    fn from(row: Config) -> Self {
        let (compatibility_level, settings) = ConfigSettings::split(row);
        ConfigResponse {
            compatibility_level,
            settings,
        }
    }
}

/// `PUT /config` response: the update echoed under `compatibility`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigUpdateResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    compatibility: Option<String>,
    #[serde(flatten)]
    settings: ConfigSettings,
}

impl From<Config> for ConfigUpdateResponse {
    fn from(row: Config) -> Self {
        let (compatibility, settings) = ConfigSettings::split(row);
        ConfigUpdateResponse {
            compatibility,
            settings,
        }
    }
}

/// `{"mode": "READWRITE"}`, in both directions.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ModeBody {
    /// The mode.
    #[schema(example = "READWRITE")]
    pub mode: String,
}
