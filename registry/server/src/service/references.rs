//! Resolving a schema's references: every subject-version it depends on,
//! directly or not, fetched in dependency order, with cycles and excessive
//! depth refused.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;

use herald_core::{ParsedSchema, ReferencedSchema, SchemaReference, Validation};

use super::compatibility::reserved_properties;
use super::names::{SubjectName, VersionSpec};
use super::{Registry, ServiceError, ServiceResult};
use crate::model::Schema;
use crate::store::schemas;
use crate::store::{Conn, subjects};

/// Where references are looked up.
pub(super) trait SchemaSource {
    /// The schema at `subject` (qualified) `version` and the concrete version
    /// number, or `None` when there is no such version.
    fn load(
        &mut self,
        subject: &str,
        version: VersionSpec,
    ) -> impl Future<Output = ServiceResult<Option<(i32, Arc<Schema>)>>> + Send;
}

/// A schema's references made concrete, and the texts they lead to.
#[derive(Debug, Default)]
pub(super) struct Resolved {
    /// The references as stored: qualified subjects, concrete versions.
    pub references: Vec<SchemaReference>,
    /// Every dependency, each after its own dependencies.
    pub dependencies: Vec<ReferencedSchema>,
}

struct Frame {
    key: (String, i32),
    name: String,
    row: Arc<Schema>,
    next: usize,
}

/// Resolves `references` of a schema in `context`, at most `max_depth` deep.
pub(super) async fn resolve(
    source: &mut impl SchemaSource,
    context: &str,
    references: &[SchemaReference],
    max_depth: usize,
) -> ServiceResult<Resolved> {
    let mut resolved = Resolved::default();
    let mut done = HashSet::new();
    if let Some(bad) = references
        .iter()
        .find(|r| r.name.is_empty() || r.name.chars().any(char::is_control))
    {
        return Err(invalid(&format!(
            "reference name {:?} is empty or holds control characters",
            bad.name
        )));
    }
    for reference in references {
        let (key, row) = load(source, context, reference).await?;
        resolved.references.push(SchemaReference {
            name: reference.name.clone(),
            subject: key.0.clone(),
            version: key.1,
        });
        let mut stack = vec![Frame {
            key,
            name: reference.name.clone(),
            row,
            next: 0,
        }];
        while let Some(top) = stack.last_mut() {
            let Some(child) = top.row.references.get(top.next).cloned() else {
                let frame = stack
                    .pop()
                    .ok_or_else(|| invalid("reference stack underflow"))?;
                if done.insert(frame.key) {
                    resolved.dependencies.push(ReferencedSchema {
                        name: frame.name,
                        schema_type: frame.row.schema_type,
                        text: frame.row.text.clone(),
                    });
                }
                continue;
            };
            top.next += 1;
            let child_context = top.row.context.clone();
            let (key, row) = load(source, &child_context, &child).await?;
            if stack.iter().any(|frame| frame.key == key) {
                return Err(invalid(&format!(
                    "reference cycle through subject '{}' version {}",
                    key.0, key.1
                )));
            }
            if done.contains(&key) {
                continue;
            }
            if stack.len() >= max_depth {
                return Err(invalid(&format!(
                    "references nest deeper than the limit of {max_depth}"
                )));
            }
            stack.push(Frame {
                key,
                name: child.name,
                row,
                next: 0,
            });
        }
    }
    Ok(resolved)
}

async fn load(
    source: &mut impl SchemaSource,
    context: &str,
    reference: &SchemaReference,
) -> ServiceResult<((String, i32), Arc<Schema>)> {
    let subject = SubjectName::parse_in(&reference.subject, context)?.qualified();
    let version = if reference.version == -1 {
        VersionSpec::Latest
    } else {
        VersionSpec::parse(&reference.version.to_string())?
    };
    match source.load(&subject, version).await? {
        Some((number, row)) => Ok(((subject, number), row)),
        None => Err(invalid(&format!(
            "reference '{}' names subject '{}' version {}, which does not exist",
            reference.name, reference.subject, reference.version
        ))),
    }
}

fn invalid(message: &str) -> ServiceError {
    ServiceError::InvalidSchema(format!("Invalid schema: {message}"))
}

/// Looks references up through the registry's cache and a store connection.
pub(super) struct StoreSource<'a> {
    pub registry: &'a Registry,
    pub conn: &'a mut Conn,
}

impl SchemaSource for StoreSource<'_> {
    async fn load(
        &mut self,
        subject: &str,
        version: VersionSpec,
    ) -> ServiceResult<Option<(i32, Arc<Schema>)>> {
        let Some(subject_id) = subjects::id(self.conn, subject).await? else {
            return Ok(None);
        };
        let versions = subjects::versions(self.conn, subject_id).await?;
        let found = match version {
            VersionSpec::Latest => versions.iter().rev().find(|v| !v.deleted),
            VersionSpec::Number(number) => versions.iter().find(|v| v.version == number),
        };
        let Some(found) = found.copied() else {
            return Ok(None);
        };
        let context = SubjectName::parse(subject)?.context().to_owned();
        let row = self
            .registry
            .schema_row(self.conn, &context, found.schema_id)
            .await?;
        Ok(row.map(|row| (found.version, row)))
    }
}

impl Registry {
    /// The stored schema `id` of `context`, from memory when seen before.
    pub(super) async fn schema_row(
        &self,
        conn: &mut Conn,
        context: &str,
        id: i64,
    ) -> ServiceResult<Option<Arc<Schema>>> {
        let cached = self.cache.row(context, id);
        self.metrics.cache_lookup("row", cached.is_some());
        if let Some(row) = cached {
            return Ok(Some(row));
        }
        Ok(schemas::by_id(conn, context, id)
            .await?
            .map(|row| self.cache.insert_row(row)))
    }

    /// `row` parsed with its references, from memory when parsed before.
    pub(super) async fn parsed_schema(
        &self,
        conn: &mut Conn,
        row: &Schema,
    ) -> ServiceResult<Arc<ParsedSchema>> {
        let cached = self.cache.parsed(&row.context, row.id);
        self.metrics.cache_lookup("parsed", cached.is_some());
        if let Some(parsed) = cached {
            return Ok(parsed);
        }
        let resolved = self
            .resolve_references(conn, &row.context, &row.references)
            .await?;
        let schema_type = row.schema_type;
        let limits = self.parse_limits();
        let (text, reserved) = (
            row.text.clone(),
            reserved_properties(row.metadata.as_ref()).to_owned(),
        );
        let parsed = self
            .work
            .run("parsing a stored schema", move |_| {
                let parsed = ParsedSchema::parse_as(
                    schema_type,
                    &text,
                    &resolved.dependencies,
                    limits,
                    Validation::Stored,
                )?;
                Ok(Arc::new(parsed.with_reserved_properties(&reserved)))
            })
            .await?;
        self.cache
            .insert_parsed(&row.context, row.id, parsed.clone());
        Ok(parsed)
    }

    /// Resolves `references` of a schema in `context` (see [`resolve`]).
    pub(super) async fn resolve_references(
        &self,
        conn: &mut Conn,
        context: &str,
        references: &[SchemaReference],
    ) -> ServiceResult<Resolved> {
        let mut source = StoreSource {
            registry: self,
            conn,
        };
        resolve(
            &mut source,
            context,
            references,
            self.limits.max_reference_depth,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// An in-memory source: (subject, version) -> (text, references).
    struct Fixed(HashMap<(String, i32), Arc<Schema>>);

    /// `(subject, version, text, [(name, subject, version)])`.
    type Entry<'a> = (&'a str, i32, &'a str, &'a [(&'a str, &'a str, i32)]);

    impl Fixed {
        fn new(entries: &[Entry<'_>]) -> Fixed {
            let rows = entries
                .iter()
                .enumerate()
                .map(|(id, (subject, version, text, refs))| {
                    let references = refs
                        .iter()
                        .map(|(name, subject, version)| SchemaReference {
                            name: (*name).to_owned(),
                            subject: (*subject).to_owned(),
                            version: *version,
                        })
                        .collect();
                    let row = Schema {
                        context: ".".into(),
                        id: i64::try_from(id).unwrap_or_default() + 1,
                        schema_type: herald_core::SchemaType::Avro,
                        text: (*text).to_owned(),
                        fingerprint: String::new(),
                        guid: String::new(),
                        references,
                        metadata: None,
                        rule_set: None,
                    };
                    (((*subject).to_owned(), *version), Arc::new(row))
                });
            Fixed(rows.collect())
        }
    }

    impl SchemaSource for Fixed {
        async fn load(
            &mut self,
            subject: &str,
            version: VersionSpec,
        ) -> ServiceResult<Option<(i32, Arc<Schema>)>> {
            let number = match version {
                VersionSpec::Latest => 1,
                VersionSpec::Number(number) => number,
            };
            Ok(self
                .0
                .get(&(subject.to_owned(), number))
                .map(|row| (number, row.clone())))
        }
    }

    fn reference(subject: &str) -> SchemaReference {
        SchemaReference {
            name: subject.to_uppercase(),
            subject: subject.to_owned(),
            version: 1,
        }
    }

    async fn run(
        source: &mut Fixed,
        refs: &[SchemaReference],
        depth: usize,
    ) -> ServiceResult<Resolved> {
        resolve(source, ".", refs, depth).await
    }

    #[tokio::test]
    async fn dependencies_come_before_their_dependents_once_each() {
        let mut source = Fixed::new(&[
            ("a", 1, "A", &[("B", "b", 1), ("C", "c", 1)]),
            ("b", 1, "B", &[("C", "c", 1)]),
            ("c", 1, "C", &[]),
        ]);
        let resolved = run(&mut source, &[reference("a")], 8).await;
        let texts: Vec<String> = resolved
            .map(|r| r.dependencies.into_iter().map(|d| d.text).collect())
            .unwrap_or_default();
        assert_eq!(texts, vec!["C", "B", "A"]);
    }

    #[tokio::test]
    async fn cycles_are_invalid_schemas() {
        let mut source = Fixed::new(&[
            ("a", 1, "A", &[("B", "b", 1)]),
            ("b", 1, "B", &[("A", "a", 1)]),
        ]);
        let error = run(&mut source, &[reference("a")], 8).await.err();
        assert!(
            matches!(&error, Some(ServiceError::InvalidSchema(m)) if m.contains("cycle")),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn depth_is_limited() {
        let mut source = Fixed::new(&[
            ("a", 1, "A", &[("B", "b", 1)]),
            ("b", 1, "B", &[("C", "c", 1)]),
            ("c", 1, "C", &[]),
        ]);
        assert!(run(&mut source, &[reference("a")], 3).await.is_ok());
        let error = run(&mut source, &[reference("a")], 2).await.err();
        assert!(
            matches!(&error, Some(ServiceError::InvalidSchema(m)) if m.contains("deeper")),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn missing_references_are_invalid_schemas() {
        let mut source = Fixed::new(&[]);
        let error = run(&mut source, &[reference("nowhere")], 8).await.err();
        assert!(
            matches!(&error, Some(ServiceError::InvalidSchema(m)) if m.contains("does not exist")),
            "{error:?}"
        );
    }
}
