//! What the registry holds, as the service hands it to the front ends: the
//! store reads its rows into these types (and writes them from them), so
//! no front end sees a database row.

use std::collections::{BTreeMap, BTreeSet};

use herald_core::{SchemaReference, SchemaType};
use serde::{Deserialize, Serialize};

/// A stored schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schema {
    /// Its context.
    pub context: String,
    /// Its id within the context.
    pub id: i64,
    /// Its format.
    pub schema_type: SchemaType,
    /// The text served to clients.
    pub text: String,
    /// Content fingerprint (type, canonical text, references).
    pub fingerprint: String,
    /// Stable content-derived identifier.
    pub guid: String,
    /// References, in the order given at registration.
    pub references: Vec<SchemaReference>,
    /// Confluent schema metadata, when given.
    pub metadata: Option<Metadata>,
    /// Confluent data-contract rules, when given.
    pub rule_set: Option<RuleSet>,
}

/// Confluent's schema metadata: tags per path, free-form properties, and
/// the names of sensitive fields. Sorted, so equal metadata serializes alike.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Metadata {
    /// Tags by JSON path, e.g. `{"$.ssn": ["PII"]}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, BTreeSet<String>>,
    /// Free-form properties, e.g. `{"owner": "payments"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
    /// Names of sensitive fields.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub sensitive: BTreeSet<String>,
}

impl Metadata {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.properties.is_empty() && self.sensitive.is_empty()
    }

    /// The stored form: compact JSON, keys sorted.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// `over` merged onto `under`, as Confluent's `mergeMetadata`: tags and
    /// properties of `over` win, sensitive names are joined.
    pub fn merged(under: Option<Metadata>, over: Option<Metadata>) -> Option<Metadata> {
        match (under, over) {
            (None, over) => over,
            (under, None) => under,
            (Some(mut under), Some(over)) => {
                under.tags.extend(over.tags);
                under.properties.extend(over.properties);
                under.sensitive.extend(over.sensitive);
                Some(under)
            }
        }
    }
}

/// Confluent's data-contract rules: domain rules (checked or applied to
/// the data), migration rules (between versions), encoding rules. Kept as
/// sent (rule order matters to executors), compared as a whole.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuleSet {
    /// Rules about the data of one version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domain_rules: Vec<Rule>,
    /// Rules that move data between versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub migration_rules: Vec<Rule>,
    /// Rules applied to the encoded payload.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub encoding_rules: Vec<Rule>,
    /// Where the rules run (Confluent's `enableAt`), kept as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_at: Option<String>,
}

impl RuleSet {
    /// Whether it holds no rule.
    pub fn is_empty(&self) -> bool {
        self.domain_rules.is_empty()
            && self.migration_rules.is_empty()
            && self.encoding_rules.is_empty()
    }

    /// The stored form: compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// `over` merged onto `under`, as Confluent's `mergeRuleSets`: in each
    /// list, `under`'s rules not named in `over`'s, then `over`'s.
    pub fn merged(under: Option<RuleSet>, over: Option<RuleSet>) -> Option<RuleSet> {
        fn rules(under: Vec<Rule>, over: Vec<Rule>) -> Vec<Rule> {
            let mut kept: Vec<Rule> = under
                .into_iter()
                .filter(|rule| over.iter().all(|newer| newer.name != rule.name))
                .collect();
            kept.extend(over);
            kept
        }
        match (under, over) {
            (None, over) => over,
            (under, None) => under,
            (Some(under), Some(over)) => Some(RuleSet {
                domain_rules: rules(under.domain_rules, over.domain_rules),
                migration_rules: rules(under.migration_rules, over.migration_rules),
                encoding_rules: rules(under.encoding_rules, over.encoding_rules),
                enable_at: over.enable_at.or(under.enable_at),
            }),
        }
    }

    /// Whether any rule is of `rule_type` (e.g. `CEL`; Confluent's
    /// `ruleType` filter).
    pub fn has_type(&self, rule_type: &str) -> bool {
        [
            &self.domain_rules,
            &self.migration_rules,
            &self.encoding_rules,
        ]
        .into_iter()
        .flatten()
        .any(|rule| rule.rule_type.as_deref() == Some(rule_type))
    }
}

/// One data-contract rule, with Confluent's fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// Unique name within the rule set.
    pub name: String,
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// `CONDITION` or `TRANSFORM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// When it runs: `WRITE`, `READ`, `WRITEREAD`, `UPGRADE`, `DOWNGRADE`, `UPDOWN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// The executor, e.g. `CEL`, `CEL_FIELD`, `ENCRYPT`, `JSONATA`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub rule_type: Option<String>,
    /// Tags of the fields it applies to.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub tags: BTreeSet<String>,
    /// Executor parameters.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    /// The expression the executor runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expr: Option<String>,
    /// Action on success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_success: Option<String>,
    /// Action on failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<String>,
    /// Whether it is switched off.
    #[serde(default)]
    pub disabled: bool,
}

/// What a change did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// A version was registered.
    Registered,
    /// A version was soft-deleted.
    VersionDeleted,
    /// A soft-deleted version was removed.
    VersionDeletedPermanently,
    /// Every version of a subject was soft-deleted.
    SubjectDeleted,
    /// A soft-deleted subject was removed.
    SubjectDeletedPermanently,
    /// A compatibility configuration was set or removed.
    ConfigChanged,
    /// A mode was set or removed.
    ModeChanged,
}

impl ChangeKind {
    const ALL: [ChangeKind; 7] = [
        ChangeKind::Registered,
        ChangeKind::VersionDeleted,
        ChangeKind::VersionDeletedPermanently,
        ChangeKind::SubjectDeleted,
        ChangeKind::SubjectDeletedPermanently,
        ChangeKind::ConfigChanged,
        ChangeKind::ModeChanged,
    ];

    /// The stored spelling, e.g. `REGISTERED`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Registered => "REGISTERED",
            ChangeKind::VersionDeleted => "VERSION_DELETED",
            ChangeKind::VersionDeletedPermanently => "VERSION_DELETED_PERMANENTLY",
            ChangeKind::SubjectDeleted => "SUBJECT_DELETED",
            ChangeKind::SubjectDeletedPermanently => "SUBJECT_DELETED_PERMANENTLY",
            ChangeKind::ConfigChanged => "CONFIG_CHANGED",
            ChangeKind::ModeChanged => "MODE_CHANGED",
        }
    }

    /// The kind a stored spelling names.
    pub fn parse(stored: &str) -> Option<ChangeKind> {
        ChangeKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == stored)
    }
}

/// One recorded change of the change feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Its position in the feed, increasing.
    pub sequence: i64,
    /// What happened; `None` for a kind this version does not know (written
    /// by a newer replica).
    pub kind: Option<ChangeKind>,
    /// The subject, or the scope of a config or mode change.
    pub scope: String,
    /// The version concerned, if one.
    pub version: Option<i32>,
    /// The schema id concerned, if one.
    pub schema_id: Option<i64>,
    /// When (Unix millis).
    pub at: i64,
}

/// A compatibility configuration as set on one scope; unset fields inherit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Compatibility level, as spelled in the API.
    pub compatibility: Option<String>,
    /// Whether registrations normalize by default.
    pub normalize: Option<bool>,
    /// Metadata property that groups versions for checks.
    pub compatibility_group: Option<String>,
    /// Rule set for Protobuf checks (`CONFLUENT` or a buf category).
    pub protobuf_rules: Option<String>,
    /// Policy for JSON Schema checks (`STRICT` or `LENIENT`).
    pub compatibility_policy: Option<String>,
    /// The subject this one is an alias of (Confluent's `alias`).
    pub alias: Option<String>,
    /// Whether field names are validated strictly (Confluent's `validateFields`).
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

/// A subject as the subjects page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectSummary {
    /// Qualified name.
    pub name: String,
    /// Its context.
    pub context: String,
    /// The type of its latest version (live first).
    pub schema_type: Option<SchemaType>,
    /// Its latest live version.
    pub latest: Option<i32>,
    /// Live versions.
    pub live_versions: i64,
    /// All versions, soft-deleted ones included.
    pub versions: i64,
    /// When its last version was registered (Unix millis).
    pub changed_at: i64,
    /// The level set on the subject itself, if any.
    pub own_level: Option<String>,
}

/// A version with its registration time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DatedVersion {
    /// Version number.
    pub version: i32,
    /// Schema id.
    pub schema_id: i64,
    /// Soft-deleted.
    pub deleted: bool,
    /// When it was registered (Unix millis).
    pub created_at: i64,
}

/// Which subjects a page shows.
#[derive(Clone, Debug, Default)]
pub struct SummaryFilter<'a> {
    /// A case-insensitive substring of the name (empty: all).
    pub search: &'a str,
    /// Only this schema type.
    pub schema_type: Option<&'a str>,
    /// Only this context.
    pub context: Option<&'a str>,
    /// Also subjects whose versions are all soft-deleted.
    pub include_deleted: bool,
    /// Rows to skip.
    pub offset: i64,
    /// Rows to return at most.
    pub limit: i64,
}

/// One line of the audit log: a kept change or a refused write.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Its position, increasing.
    pub id: i64,
    /// When (Unix millis).
    pub at: i64,
    /// Who: the user, the token's subject, or `anonymous`.
    pub principal: String,
    /// The client's address, when known.
    pub address: Option<String>,
    /// The change (`REGISTERED`, `CONFIG_CHANGED`, ...) or, refused, the
    /// request (`POST /subjects/{subject}/versions`, a gRPC method).
    pub action: String,
    /// The subject, or the scope of a config or mode change (empty: none).
    pub subject: String,
    /// The version concerned, if one.
    pub version: Option<i32>,
    /// The schema id concerned, if one.
    pub schema_id: Option<i64>,
    /// The HTTP status answered (200 for a kept change).
    pub status: u16,
    /// The error code answered, when refused.
    pub error_code: Option<i64>,
}

/// Which audit entries to list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditFilter {
    /// Subjects starting with this (empty: all).
    pub subject_prefix: String,
    /// Only this principal.
    pub principal: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// From this time (Unix millis, inclusive).
    pub from: i64,
    /// Until this time (Unix millis, inclusive).
    pub to: i64,
    /// Entries to skip.
    pub offset: i64,
    /// Entries to return at most.
    pub limit: i64,
}
