//! Confluent's `POST /subjects/{s}/versions/{v}/tags`: a new version of a
//! subject whose schema text has tags added or removed on its records and
//! fields, with the given (or the version's) metadata and rules.

use herald_core::tags::{EntityTags, retag};

use super::register::{NewSchema, Registered};
use super::{Registry, ServiceError, ServiceResult};
use crate::model::{Metadata, RuleSet};

/// What a tag request asks (Confluent's `TagSchemaRequest`).
#[derive(Clone, Debug, Default)]
pub struct TagRequest {
    /// The version to register (`None`: the next one).
    pub new_version: Option<i32>,
    /// Tags to add, by entity.
    pub add: Vec<EntityTags>,
    /// Tags to remove, by entity.
    pub remove: Vec<EntityTags>,
    /// The new version's metadata (`None`: the tagged version's).
    pub metadata: Option<Metadata>,
    /// The new version's rules (`None`: the latest version's, as any
    /// registration inherits them).
    pub rule_set: Option<RuleSet>,
    /// Rules merged onto the previous version's (not with `rule_set`).
    pub rules_to_merge: Option<RuleSet>,
    /// Names of rules dropped from the previous version's.
    pub rules_to_remove: Option<Vec<String>>,
}

impl Registry {
    /// Registers `version` of `subject` again with `request`'s tags, as
    /// Confluent's `modifySchemaTags`: the metadata carries
    /// `confluent:version`, the registration is judged as any other.
    #[tracing::instrument(level = "debug", name = "herald.modify_tags", skip_all, fields(subject = %subject))]
    pub async fn modify_tags(
        &self,
        subject: &str,
        version: &str,
        request: TagRequest,
    ) -> ServiceResult<Registered> {
        let tagged = self.version(subject, version, false).await?;
        let changes_rules = request.rules_to_merge.is_some() || request.rules_to_remove.is_some();
        if changes_rules && request.rule_set.is_some() {
            return Err(ServiceError::InvalidRuleSet(
                "ruleSet should be omitted if specifying rulesToMerge or rulesToRemove".to_owned(),
            ));
        }
        let new_version = request.new_version.unwrap_or(0);
        let rule_set = if changes_rules {
            self.rules_changed(&tagged.subject, new_version, &request)
                .await?
        } else {
            request.rule_set
        };
        let schema = &tagged.schema;
        let mut metadata = request
            .metadata
            .or_else(|| schema.metadata.clone())
            .unwrap_or_default();
        metadata
            .properties
            .insert("confluent:version".to_owned(), new_version.to_string());
        let mut conn = self.store.read().await?;
        let resolved = self
            .resolve_references(&mut conn, &schema.context, &schema.references)
            .await?;
        drop(conn);
        let (schema_type, original, limits) =
            (schema.schema_type, schema.text.clone(), self.parse_limits());
        let (add, remove) = (request.add, request.remove);
        let text = self
            .work
            .run("tagging the schema", move |_| {
                let dependencies = &resolved.dependencies;
                Ok(retag(
                    schema_type,
                    &original,
                    dependencies,
                    &add,
                    &remove,
                    limits,
                )?)
            })
            .await?;
        let new = NewSchema {
            schema: text,
            schema_type: schema.schema_type,
            references: schema.references.clone(),
            id: None,
            version: Some(new_version).filter(|version| *version > 0),
            metadata: Some(metadata),
            rule_set,
        };
        self.register(&tagged.subject, new, Some(false)).await
    }

    /// The previous version's rules (the one before `new_version`, or the
    /// latest) with `request`'s merged in and removed.
    async fn rules_changed(
        &self,
        subject: &str,
        new_version: i32,
        request: &TagRequest,
    ) -> ServiceResult<Option<RuleSet>> {
        let previous = match new_version {
            version if version > 1 => (version - 1).to_string(),
            _ => "latest".to_owned(),
        };
        let previous = self.version(subject, &previous, false).await?;
        let mut rules = RuleSet::merged(
            previous.schema.rule_set.clone(),
            request.rules_to_merge.clone(),
        );
        if let (Some(rules), Some(names)) = (&mut rules, &request.rules_to_remove) {
            for list in [
                &mut rules.domain_rules,
                &mut rules.migration_rules,
                &mut rules.encoding_rules,
            ] {
                list.retain(|rule| !names.contains(&rule.name));
            }
        }
        Ok(rules)
    }
}
