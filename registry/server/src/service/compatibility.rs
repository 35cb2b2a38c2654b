//! The compatibility policy: which earlier versions a schema is judged
//! against, and how the verdict is reported.

use std::sync::Arc;

use herald_core::json::RESERVED_PROPERTIES;
use herald_core::{CheckRules, CompatibilityLevel, Finding, ParsedSchema, Validation};

use super::error::Incompatibility;
use super::names::{Scope, SubjectName, VersionSpec};
use super::register::{Candidate, NewSchema};
use super::settings::Effective;
use super::{Registry, ServiceError, ServiceResult};
use crate::model::{Metadata, Schema};
use crate::store::{Conn, subjects};

/// The answer of a compatibility check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompatibilityVerdict {
    /// Whether the schema may be registered.
    pub is_compatible: bool,
    /// Confluent-style messages: each finding, then the old version, the
    /// old schema and the level it was judged under.
    pub messages: Vec<String>,
    /// The same findings, structured, each with the version it was judged
    /// against (a Herald extension of the verbose response).
    pub findings: Vec<VersionFinding>,
    /// The level the schema was judged under.
    pub level: CompatibilityLevel,
    /// The versions it was judged against, in the subject's order (none:
    /// the subject had no live version to compare with).
    pub judged_against: Vec<i32>,
    /// What is risky but accepted, in the new schema or (prefixed with
    /// `version N:`) in the versions it was judged against.
    pub warnings: Vec<String>,
}

/// Rules a compatibility check uses instead of the subject's own (the
/// `protobufRules` and `compatibilityPolicy` query parameters).
#[derive(Clone, Debug, Default)]
pub struct RuleOverrides {
    /// A Protobuf rule set (`CONFLUENT` or a buf category).
    pub protobuf_rules: Option<String>,
    /// A JSON Schema policy (`STRICT` or `LENIENT`).
    pub compatibility_policy: Option<String>,
}

impl RuleOverrides {
    /// `rules` with these overrides applied.
    fn apply(&self, mut rules: CheckRules) -> ServiceResult<CheckRules> {
        if let Some(protobuf) = &self.protobuf_rules {
            rules.protobuf = protobuf.parse()?;
        }
        if let Some(policy) = &self.compatibility_policy {
            rules.json = policy.parse()?;
        }
        Ok(rules)
    }
}

/// A finding against one earlier version.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionFinding {
    /// The earlier version.
    pub old_schema_version: i32,
    /// What is wrong, and where.
    #[serde(flatten)]
    pub finding: Finding,
}

/// Everything a registration's compatibility verdict depends on besides
/// the schema itself: when these are the same, so is the verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct CheckInputs {
    level: CompatibilityLevel,
    rules: CheckRules,
    /// The compatibility group's property name.
    group: Option<String>,
    /// The subject's versions, soft-deleted ones included.
    versions: Vec<subjects::VersionRow>,
}

impl CheckInputs {
    /// The level and rules of `settings`, for a subject with `versions`.
    pub(super) fn new(settings: &Effective, versions: Vec<subjects::VersionRow>) -> CheckInputs {
        CheckInputs {
            level: settings.level,
            rules: settings.rules,
            group: settings.group.clone(),
            versions,
        }
    }
}

/// An earlier version a candidate is judged against.
struct Previous {
    version: i32,
    row: Arc<Schema>,
    parsed: Arc<ParsedSchema>,
}

impl Registry {
    /// Loads the given versions' schemas, parsed.
    async fn previous(
        &self,
        conn: &mut Conn,
        context: &str,
        versions: impl IntoIterator<Item = subjects::VersionRow>,
    ) -> ServiceResult<Vec<Previous>> {
        let mut previous = Vec::new();
        for version in versions {
            let Some(row) = self.schema_row(conn, context, version.schema_id).await? else {
                continue;
            };
            let parsed = self.parsed_schema(conn, &row).await?;
            previous.push(Previous {
                version: version.version,
                row,
                parsed,
            });
        }
        Ok(previous)
    }

    /// Refuses `candidate` when `inputs`' level finds it incompatible with
    /// the latest live version (or all of them, for transitive levels).
    pub(super) async fn ensure_compatible(
        &self,
        conn: &mut Conn,
        scope: &Scope,
        subject: &str,
        candidate: &Candidate,
        inputs: &CheckInputs,
    ) -> ServiceResult<()> {
        let verdict = self
            .judge(
                conn,
                (inputs.level, inputs.rules, inputs.group.as_deref()),
                candidate,
                scope,
                &inputs.versions,
            )
            .await?;
        if verdict.is_compatible {
            return Ok(());
        }
        Err(ServiceError::Incompatible(Box::new(Incompatibility {
            message: format!(
                "Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{}]",
                verdict.messages.join(", ")
            ),
            findings: verdict.findings,
        })))
    }

    /// Judges `candidate` under `level` and `rules` against the live
    /// `versions` it requires — with a compatibility `group`, only those
    /// whose metadata property of that name has the candidate's value
    /// (both may lack it), as Confluent does.
    async fn judge(
        &self,
        conn: &mut Conn,
        (level, rules, group): (CompatibilityLevel, CheckRules, Option<&str>),
        candidate: &Candidate,
        scope: &Scope,
        versions: &[subjects::VersionRow],
    ) -> ServiceResult<CompatibilityVerdict> {
        let context = scope.context().unwrap_or(super::names::DEFAULT_CONTEXT);
        let mut live: Vec<subjects::VersionRow> =
            versions.iter().filter(|v| !v.deleted).copied().collect();
        if let Some(group) = group {
            let wanted = group_value(candidate.row.metadata.as_ref(), group);
            let mut same_group = Vec::new();
            for version in live {
                let row = self.schema_row(conn, context, version.schema_id).await?;
                if row.is_some_and(|row| group_value(row.metadata.as_ref(), group) == wanted) {
                    same_group.push(version);
                }
            }
            live = same_group;
        }
        let needed = level.compared(&live);
        let previous = self.previous(conn, context, needed.iter().copied()).await?;
        let parsed = previous.iter().map(|p| p.parsed.clone()).collect();
        let failures = self
            .check(level, rules, candidate.parsed.clone(), parsed)
            .await?;
        Ok(self.counted(
            verdict(level, &candidate.parsed, &previous, &failures),
            candidate,
        ))
    }

    /// Judges `new` against every schema of `previous` under `level` on a
    /// schema thread, newest first, stopping between versions when the
    /// request has gone. Returns the findings by index of the incompatible.
    async fn check(
        &self,
        level: CompatibilityLevel,
        rules: CheckRules,
        new: Arc<ParsedSchema>,
        previous: Vec<Arc<ParsedSchema>>,
    ) -> ServiceResult<Vec<(usize, Vec<Finding>)>> {
        self.work
            .run("checking compatibility", move |wanted| {
                let mut failures = Vec::new();
                for (index, old) in previous.iter().enumerate().rev() {
                    if !wanted.get() {
                        return Err(ServiceError::Busy("the request has gone".to_owned()));
                    }
                    let findings = level.check_pair(&new, old, rules);
                    if !findings.is_empty() {
                        failures.push((index, findings));
                    }
                }
                Ok(failures)
            })
            .await
    }

    /// Confluent's `POST /compatibility/subjects/{s}/versions[/{v}]`: judges
    /// `request` against one version (`Some`), or as a registration would
    /// (`None`). Nothing is stored. `overrides` replace the subject's
    /// Protobuf rules and JSON policy for this check only.
    #[tracing::instrument(level = "debug", name = "herald.check_compatibility", skip_all, fields(subject = %subject))]
    pub async fn check_compatibility(
        &self,
        subject: &str,
        version: Option<&str>,
        request: NewSchema,
        normalize: Option<bool>,
        overrides: RuleOverrides,
    ) -> ServiceResult<CompatibilityVerdict> {
        let subject = SubjectName::parse(subject)?;
        let version = version.map(VersionSpec::parse).transpose()?;
        let qualified = subject.qualified();
        let scope = Scope::Subject(subject.clone());
        let mut conn = self.store.read().await?;
        let settings = Effective::read(&mut conn, &scope).await?;
        let normalize = normalize.unwrap_or(settings.normalize);
        let candidate = self
            .candidate(&mut conn, &subject, &request, normalize, Validation::New)
            .await?;
        let level = settings.level;
        let rules = overrides.apply(settings.rules)?;
        let versions = match subjects::id(&mut conn, &qualified).await? {
            Some(id) => subjects::versions(&mut conn, id).await?,
            None => Vec::new(),
        };
        let mut live = versions.iter().filter(|v| !v.deleted);
        let target = match version {
            None => {
                let group = settings.group.as_deref();
                return self
                    .judge(
                        &mut conn,
                        (level, rules, group),
                        &candidate,
                        &scope,
                        &versions,
                    )
                    .await;
            }
            Some(VersionSpec::Latest) => live.next_back(),
            Some(VersionSpec::Number(number)) => {
                if versions.is_empty() {
                    return Err(ServiceError::SubjectNotFound(qualified));
                }
                Some(
                    live.into_iter()
                        .find(|v| v.version == number)
                        .ok_or(ServiceError::VersionNotFound(number))?,
                )
            }
        };
        let previous = self
            .previous(&mut conn, subject.context(), target.copied())
            .await?;
        let parsed = previous.iter().map(|p| p.parsed.clone()).collect();
        let failures = self
            .check(level, rules, candidate.parsed.clone(), parsed)
            .await?;
        Ok(self.counted(
            verdict(level, &candidate.parsed, &previous, &failures),
            &candidate,
        ))
    }
}

impl Registry {
    /// `verdict` on `candidate`, counted in the metrics.
    fn counted(
        &self,
        verdict: CompatibilityVerdict,
        candidate: &Candidate,
    ) -> CompatibilityVerdict {
        let format = candidate.row.schema_type.as_str();
        self.metrics
            .check(format, verdict.level.as_str(), verdict.is_compatible);
        verdict
    }
}

/// Builds the verdict of a judgement of `new` against `previous` from the
/// versions that failed (by index) and their findings.
fn verdict(
    level: CompatibilityLevel,
    new: &ParsedSchema,
    previous: &[Previous],
    failures: &[(usize, Vec<Finding>)],
) -> CompatibilityVerdict {
    let mut messages = Vec::new();
    let mut structured = Vec::new();
    for (index, findings) in failures {
        let previous = &previous[*index];
        messages.extend(findings.iter().map(Finding::to_string));
        structured.extend(findings.iter().map(|finding| VersionFinding {
            old_schema_version: previous.version,
            finding: finding.clone(),
        }));
        messages.push(format!("{{oldSchemaVersion: {}}}", previous.version));
        messages.push(format!("{{oldSchema: '{}'}}", previous.row.text));
        messages.push(format!("{{compatibility: '{level}'}}"));
    }
    let judged_against = previous.iter().map(|p| p.version).collect();
    let mut warnings = new.warnings();
    for earlier in previous {
        let version = earlier.version;
        let theirs = earlier.parsed.warnings().into_iter();
        warnings.extend(theirs.map(|warning| format!("version {version}: {warning}")));
    }
    CompatibilityVerdict {
        is_compatible: messages.is_empty(),
        messages,
        findings: structured,
        level,
        judged_against,
        warnings,
    }
}

/// The value of metadata property `group` (a compatibility group).
fn group_value<'m>(metadata: Option<&'m Metadata>, group: &str) -> Option<&'m str> {
    metadata.and_then(|metadata| metadata.properties.get(group).map(String::as_str))
}

/// The `confluent:reserved` property of a schema's metadata: the property
/// names a JSON Schema's later versions may neither drop nor declare.
pub(super) fn reserved_properties(metadata: Option<&Metadata>) -> &str {
    metadata
        .and_then(|metadata| metadata.properties.get(RESERVED_PROPERTIES))
        .map_or("", String::as_str)
}
