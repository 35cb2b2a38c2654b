//! Compatibility configuration and modes, set per scope and inherited
//! subject -> context -> global -> server default (BACKWARD, READWRITE).

use std::str::FromStr;

use herald_core::{CheckRules, CompatibilityLevel, CompatibilityPolicy, ProtobufRules};

use super::names::{DEFAULT_CONTEXT, Scope, SubjectName};
use super::{Registry, ServiceError, ServiceResult};
use crate::model::ChangeKind;
use crate::model::{Config, Metadata, RuleSet};
use crate::store::settings;
use crate::store::{Conn, schemas, subjects};

/// What a scope accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Reads and writes.
    ReadWrite,
    /// Reads only; writes are 42205.
    ReadOnly,
    /// Read only, and no subject below may override it.
    ReadOnlyOverride,
    /// Registrations carry their own ids and skip compatibility checks.
    Import,
}

impl Mode {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::ReadWrite => "READWRITE",
            Mode::ReadOnly => "READONLY",
            Mode::ReadOnlyOverride => "READONLY_OVERRIDE",
            Mode::Import => "IMPORT",
        }
    }

    /// Whether writes are refused.
    pub fn is_read_only(self) -> bool {
        matches!(self, Mode::ReadOnly | Mode::ReadOnlyOverride)
    }
}

impl FromStr for Mode {
    type Err = ServiceError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.to_ascii_uppercase().as_str() {
            "READWRITE" => Ok(Mode::ReadWrite),
            "READONLY" => Ok(Mode::ReadOnly),
            "READONLY_OVERRIDE" => Ok(Mode::ReadOnlyOverride),
            "IMPORT" => Ok(Mode::Import),
            _ => Err(ServiceError::InvalidMode(raw.to_owned())),
        }
    }
}

/// A `PUT /config` body; absent fields keep their current value.
#[derive(Clone, Debug, Default)]
pub struct ConfigUpdate {
    /// New compatibility level.
    pub compatibility: Option<String>,
    /// New default for `normalize`.
    pub normalize: Option<bool>,
    /// New compatibility group.
    pub compatibility_group: Option<String>,
    /// New Protobuf rule set (`CONFLUENT`, `FILE`, `PACKAGE`, `WIRE_JSON`, `WIRE`).
    pub protobuf_rules: Option<String>,
    /// New JSON Schema policy (`STRICT`, `LENIENT`).
    pub compatibility_policy: Option<String>,
    /// New alias target (an empty text removes the alias).
    pub alias: Option<String>,
    /// New strictness of field-name checks.
    pub validate_fields: Option<bool>,
    /// New metadata merged under each registration's own.
    pub default_metadata: Option<Metadata>,
    /// New metadata merged over each registration's own.
    pub override_metadata: Option<Metadata>,
    /// New rules merged under each registration's own.
    pub default_rule_set: Option<RuleSet>,
    /// New rules merged over each registration's own.
    pub override_rule_set: Option<RuleSet>,
}

const DEFAULT_LEVEL: CompatibilityLevel = CompatibilityLevel::Backward;

/// The settings in force for a scope: what is set along its lineage
/// (subject, context, global), else the server's defaults. Read in one
/// query, once per request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Effective {
    /// The compatibility level.
    pub(super) level: CompatibilityLevel,
    /// Whether registrations normalize by default.
    pub(super) normalize: bool,
    /// The Protobuf rule set and JSON Schema policy, each inherited on its own.
    pub(super) rules: CheckRules,
    /// The mode: READONLY_OVERRIDE above wins, else the most specific set.
    pub(super) mode: Mode,
    /// The metadata property whose value groups versions for checks.
    pub(super) group: Option<String>,
    /// Whether field names are validated strictly.
    pub(super) validate_fields: bool,
    /// Contract defaults and overrides (each from the nearest scope
    /// setting it).
    pub(super) contract: Contract,
}

/// Metadata and rules a scope merges into its registrations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Contract {
    pub(super) default_metadata: Option<Metadata>,
    pub(super) override_metadata: Option<Metadata>,
    pub(super) default_rule_set: Option<RuleSet>,
    pub(super) override_rule_set: Option<RuleSet>,
}

impl Contract {
    /// Confluent's `maybeSetMetadataRuleSet`: the default under, the
    /// override over the given (or inherited) metadata and rule set.
    pub(super) fn apply(
        &self,
        metadata: Option<Metadata>,
        rule_set: Option<RuleSet>,
    ) -> (Option<Metadata>, Option<RuleSet>) {
        (
            Metadata::merged(
                Metadata::merged(self.default_metadata.clone(), metadata),
                self.override_metadata.clone(),
            ),
            RuleSet::merged(
                RuleSet::merged(self.default_rule_set.clone(), rule_set),
                self.override_rule_set.clone(),
            ),
        )
    }
}

impl Effective {
    /// Reads the settings in force for `scope`.
    pub(super) async fn read(conn: &mut Conn, scope: &Scope) -> ServiceResult<Effective> {
        let (configs, modes) = settings::settings_along(conn, &scope.lineage()).await?;
        let first = |pick: fn(&Config) -> Option<&String>| configs.iter().find_map(pick);
        let level = match first(|c| c.compatibility.as_ref()) {
            Some(level) => CompatibilityLevel::from_str(level)?,
            None => DEFAULT_LEVEL,
        };
        let protobuf = match first(|c| c.protobuf_rules.as_ref()) {
            Some(rules) => ProtobufRules::from_str(rules)?,
            None => ProtobufRules::Confluent,
        };
        let json = match first(|c| c.compatibility_policy.as_ref()) {
            Some(policy) => CompatibilityPolicy::from_str(policy)?,
            None => CompatibilityPolicy::Strict,
        };
        let mut mode = None;
        for (depth, set) in modes {
            let set = Mode::from_str(&set)?;
            if depth > 0 && set == Mode::ReadOnlyOverride {
                mode = Some(set);
                break;
            }
            mode = mode.or(Some(set));
        }
        Ok(Effective {
            level,
            normalize: configs.iter().find_map(|c| c.normalize).unwrap_or(false),
            rules: CheckRules { protobuf, json },
            mode: mode.unwrap_or(Mode::ReadWrite),
            group: first(|c| c.compatibility_group.as_ref()).cloned(),
            validate_fields: configs
                .iter()
                .find_map(|c| c.validate_fields)
                .unwrap_or(false),
            contract: Contract {
                default_metadata: configs.iter().find_map(|c| c.default_metadata.clone()),
                override_metadata: configs.iter().find_map(|c| c.override_metadata.clone()),
                default_rule_set: configs.iter().find_map(|c| c.default_rule_set.clone()),
                override_rule_set: configs.iter().find_map(|c| c.override_rule_set.clone()),
            },
        })
    }
}

/// The two settings a scope can have.
#[derive(Clone, Copy, Debug)]
enum Setting {
    Config,
    Mode,
}

impl Registry {
    /// The configuration of `scope`: what is set there, or with
    /// `default_to_global` (always for the global scope) what it inherits.
    #[tracing::instrument(level = "debug", name = "herald.config", skip_all)]
    pub async fn config(
        &self,
        scope: Option<&str>,
        default_to_global: bool,
    ) -> ServiceResult<Config> {
        let scope = Scope::of(scope)?;
        let mut conn = self.store.read().await?;
        let own = settings::config(&mut conn, &scope.key()).await?;
        if let Some(own) = own.filter(|row| row.compatibility.is_some() || !default_to_global) {
            return Ok(own);
        }
        if scope != Scope::Global && !default_to_global {
            return Err(ServiceError::SubjectConfigNotFound(scope.key()));
        }
        let Effective {
            level,
            normalize,
            rules,
            ..
        } = Effective::read(&mut conn, &scope).await?;
        Ok(Config {
            compatibility: Some(level.as_str().to_owned()),
            normalize: normalize.then_some(true),
            compatibility_group: None,
            protobuf_rules: (rules.protobuf != ProtobufRules::Confluent)
                .then(|| rules.protobuf.as_str().to_owned()),
            compatibility_policy: (rules.json != CompatibilityPolicy::Strict)
                .then(|| rules.json.as_str().to_owned()),
            ..Config::default()
        })
    }

    /// Updates the configuration of `scope`; returns the update as applied.
    #[tracing::instrument(level = "debug", name = "herald.set_config", skip_all)]
    pub async fn set_config(
        &self,
        scope: Option<&str>,
        update: ConfigUpdate,
    ) -> ServiceResult<Config> {
        let scope = Scope::of(scope)?;
        let compatibility = update
            .compatibility
            .as_deref()
            .map(CompatibilityLevel::from_str)
            .transpose()?
            .map(|level| level.as_str().to_owned());
        let protobuf_rules = update
            .protobuf_rules
            .as_deref()
            .map(ProtobufRules::from_str)
            .transpose()?
            .map(|rules| rules.as_str().to_owned());
        let compatibility_policy = update
            .compatibility_policy
            .as_deref()
            .map(CompatibilityPolicy::from_str)
            .transpose()?
            .map(|policy| policy.as_str().to_owned());
        let merged = |current: Config| Config {
            compatibility: compatibility.clone().or(current.compatibility),
            normalize: update.normalize.or(current.normalize),
            compatibility_group: update
                .compatibility_group
                .clone()
                .or(current.compatibility_group),
            protobuf_rules: protobuf_rules.clone().or(current.protobuf_rules),
            compatibility_policy: compatibility_policy
                .clone()
                .or(current.compatibility_policy),
            alias: match &update.alias {
                Some(alias) if alias.is_empty() => None,
                Some(alias) => Some(alias.clone()),
                None => current.alias,
            },
            validate_fields: update.validate_fields.or(current.validate_fields),
            default_metadata: update.default_metadata.clone().or(current.default_metadata),
            override_metadata: update
                .override_metadata
                .clone()
                .or(current.override_metadata),
            default_rule_set: update.default_rule_set.clone().or(current.default_rule_set),
            override_rule_set: update
                .override_rule_set
                .clone()
                .or(current.override_rule_set),
        };
        let mut write = self.begin_write().await?;
        let result = async {
            let tx = write.tx();
            refuse_in_read_only(tx, &scope).await?;
            let current = settings::config(tx, &scope.key())
                .await?
                .unwrap_or_default();
            settings::put_config(tx, &scope.key(), &merged(current)).await?;
            self.commit_change(
                &mut write,
                ChangeKind::ConfigChanged,
                &scope.key(),
                None,
                None,
            )
            .await
        }
        .await;
        self.end_write(write, result).await?;
        Ok(Config {
            compatibility,
            normalize: update.normalize,
            compatibility_group: update.compatibility_group,
            protobuf_rules,
            compatibility_policy,
            alias: update.alias,
            validate_fields: update.validate_fields,
            default_metadata: update.default_metadata,
            override_metadata: update.override_metadata,
            default_rule_set: update.default_rule_set,
            override_rule_set: update.override_rule_set,
        })
    }

    /// The subject `subject` is an alias of (its own configuration's
    /// `alias`; an unqualified alias lives in the subject's context),
    /// qualified when `subject` is or the target is in another context.
    #[tracing::instrument(level = "debug", name = "herald.alias_target", skip_all, fields(subject = %subject))]
    pub async fn alias_target(&self, subject: &str) -> ServiceResult<Option<String>> {
        let Ok(name) = SubjectName::parse(subject) else {
            return Ok(None);
        };
        // Asked on every request naming a subject: remembered until a
        // setting changes.
        if let Some(target) = self.answers.alias(subject) {
            return Ok(target);
        }
        let stamp = self.answers.epochs.stamp([], false);
        let mut conn = self.store.read().await?;
        let alias = settings::config(&mut conn, &name.qualified())
            .await?
            .and_then(|config| config.alias)
            .filter(|alias| !alias.is_empty());
        let target = match alias {
            None => None,
            Some(alias) => {
                let target = SubjectName::parse_in(&alias, name.context())?;
                Some(
                    if subject.starts_with(':') || target.context() != DEFAULT_CONTEXT {
                        target.qualified()
                    } else {
                        target.local().to_owned()
                    },
                )
            }
        };
        self.answers
            .remember_alias(subject.to_owned(), target.clone(), stamp);
        Ok(target)
    }

    /// Removes the configuration of `scope`; returns what was removed.
    #[tracing::instrument(level = "debug", name = "herald.delete_config", skip_all)]
    pub async fn delete_config(&self, scope: Option<&str>) -> ServiceResult<Config> {
        let parsed = Scope::of(scope)?;
        let previous = self.config(scope, parsed == Scope::Global).await?;
        self.remove_setting(Setting::Config, &parsed).await?;
        Ok(previous)
    }

    /// The mode of `scope`: set there; with `default_to_global` (always
    /// for the global scope) the mode in force there.
    #[tracing::instrument(level = "debug", name = "herald.mode", skip_all)]
    pub async fn mode(&self, scope: Option<&str>, default_to_global: bool) -> ServiceResult<Mode> {
        let scope = Scope::of(scope)?;
        let mut conn = self.store.read().await?;
        if default_to_global || scope == Scope::Global {
            // The mode in force: a READONLY_OVERRIDE above is reported.
            return Ok(Effective::read(&mut conn, &scope).await?.mode);
        }
        match settings::mode(&mut conn, &scope.key()).await? {
            Some(own) => Mode::from_str(&own),
            None => Err(ServiceError::SubjectModeNotFound(scope.key())),
        }
    }

    /// Sets the mode of `scope`. IMPORT is refused while the scope holds
    /// live subjects, unless `force`.
    #[tracing::instrument(level = "debug", name = "herald.set_mode", skip_all)]
    pub async fn set_mode(
        &self,
        scope: Option<&str>,
        mode: &str,
        force: bool,
    ) -> ServiceResult<Mode> {
        let scope = Scope::of(scope)?;
        let mode = Mode::from_str(mode)?;
        let mut evicted = Vec::new();
        let mut write = self.begin_write().await?;
        let result = async {
            let tx = write.tx();
            let entering_import =
                mode == Mode::Import && Effective::read(tx, &scope).await?.mode != Mode::Import;
            if entering_import && !force {
                let subject = match &scope {
                    Scope::Subject(subject) => Some(subject.qualified()),
                    _ => None,
                };
                if subjects::any_live(tx, scope.context(), subject.as_deref()).await? {
                    return Err(ServiceError::NotPermitted(
                        "Cannot import since found existing subjects; use force=true to import anyway"
                            .to_owned(),
                    ));
                }
                evicted = self
                    .clear_soft_deleted(tx, scope.context(), subject.as_deref())
                    .await?;
            }
            settings::put_mode(tx, &scope.key(), mode.as_str()).await?;
            self.commit_change(&mut write, ChangeKind::ModeChanged, &scope.key(), None, None)
                .await
        }
        .await;
        self.end_write(write, result).await?;
        for (context, id) in evicted {
            self.cache.evict(&context, id);
        }
        Ok(mode)
    }

    /// Removes for good the soft-deleted versions in a scope entering
    /// IMPORT, as Confluent does (so imported ids and versions cannot meet
    /// them); 42206 when a schema references one. Returns the schemas no
    /// version uses any more, which the caller evicts once committed.
    async fn clear_soft_deleted(
        &self,
        tx: &mut Conn,
        context: Option<&str>,
        subject: Option<&str>,
    ) -> ServiceResult<Vec<(String, i64)>> {
        let deleted = subjects::soft_deleted_versions(tx, context, subject).await?;
        for version in &deleted {
            if !schemas::referencing_ids(tx, &version.name, version.version, true)
                .await?
                .is_empty()
            {
                return Err(ServiceError::ReferenceExists(
                    version.name.clone(),
                    version.version,
                ));
            }
        }
        let mut evicted = Vec::new();
        for version in &deleted {
            subjects::remove_version(tx, version.subject_id, version.version).await?;
            if schemas::delete_if_unused(tx, &version.context, version.schema_id).await? {
                evicted.push((version.context.clone(), version.schema_id));
            }
            subjects::remove_if_empty(tx, version.subject_id).await?;
        }
        Ok(evicted)
    }

    /// Removes the mode of `scope`; returns the mode it had.
    #[tracing::instrument(level = "debug", name = "herald.delete_mode", skip_all)]
    pub async fn delete_mode(&self, scope: Option<&str>) -> ServiceResult<Mode> {
        let parsed = Scope::of(scope)?;
        let previous = self.mode(scope, parsed == Scope::Global).await?;
        self.remove_setting(Setting::Mode, &parsed).await?;
        Ok(previous)
    }

    /// Removes `setting` of `scope`, as one write.
    async fn remove_setting(&self, setting: Setting, scope: &Scope) -> ServiceResult<()> {
        let key = &scope.key();
        let mut write = self.begin_write().await?;
        let result = async {
            let kind = match setting {
                Setting::Config => {
                    refuse_in_read_only(write.tx(), scope).await?;
                    settings::delete_config(write.tx(), key).await?;
                    ChangeKind::ConfigChanged
                }
                Setting::Mode => {
                    settings::delete_mode(write.tx(), key).await?;
                    ChangeKind::ModeChanged
                }
            };
            self.commit_change(&mut write, kind, key, None, None).await
        }
        .await;
        self.end_write(write, result).await
    }
}

/// Refuses a configuration change where the mode in force is read-only,
/// as Confluent does (42205); modes themselves can always change, or a
/// read-only registry could never be opened again.
async fn refuse_in_read_only(conn: &mut Conn, scope: &Scope) -> ServiceResult<()> {
    if !Effective::read(conn, scope).await?.mode.is_read_only() {
        return Ok(());
    }
    Err(ServiceError::NotPermitted(match scope {
        Scope::Global => "The registry is in read-only mode".to_owned(),
        _ => format!(
            "Subject {} in context {} is in read-only mode",
            scope.key(),
            scope.context().unwrap_or_default()
        ),
    }))
}
