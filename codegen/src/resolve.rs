//! Which schema each subject resolves to: the lock file's pin (from its
//! cache, verified against the registry when one is reachable), or, when
//! not pinned or when updating, the registry's answer, then pinned.

use herald_client::registry::{RegistryClient, RegistryError, SubjectVersion};
use tokio::runtime::Runtime;

use crate::lock::{CachedSchema, LockFile, LockedReference, fingerprint};
use crate::{CodegenError, Version};

/// Resolves subjects and their references against a lock and a registry.
pub struct Resolver<'a> {
    lock: &'a mut LockFile,
    registry: Option<RegistryClient>,
    update: bool,
    runtime: Runtime,
}

fn cached(found: SubjectVersion) -> CachedSchema {
    CachedSchema {
        subject: found.subject,
        version: found.version,
        id: found.id,
        schema_type: found.schema.schema_type,
        schema: found.schema.schema,
        references: found
            .schema
            .references
            .into_iter()
            .map(|r| LockedReference {
                name: r.name,
                subject: r.subject,
                version: r.version,
            })
            .collect(),
    }
}

impl<'a> Resolver<'a> {
    /// A resolver; `update` re-resolves pinned subjects from the registry.
    pub fn new(
        lock: &'a mut LockFile,
        registry: Option<RegistryClient>,
        update: bool,
    ) -> Result<Self, CodegenError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CodegenError::Registry(format!("cannot start a runtime: {e}")))?;
        Ok(Resolver {
            lock,
            registry,
            update,
            runtime,
        })
    }

    /// The schema `subject` resolves to under `version`, pinned in the lock.
    pub fn subject(
        &mut self,
        subject: &str,
        version: Version,
    ) -> Result<CachedSchema, CodegenError> {
        let pinned = self
            .lock
            .subject(subject)
            .cloned()
            .filter(|locked| match version {
                Version::Latest => true,
                Version::Number(n) => locked.version == n,
                Version::Id(id) => locked.id == id,
            });
        let schema = match pinned {
            Some(locked) if !self.update => {
                let fetch = self.fetch(subject, Version::Number(locked.version))?;
                let schema = match fetch {
                    Some(schema) => schema,
                    None => self.lock.cached(subject, locked.version).ok_or_else(|| {
                        CodegenError::Lock(format!(
                            "{subject} version {} is pinned in herald.lock but missing from {}; set HERALD_REGISTRY_URL to fetch it",
                            locked.version,
                            self.lock.cache_dir().display()
                        ))
                    })?,
                };
                if fingerprint(&schema) != locked.fingerprint {
                    return Err(CodegenError::Lock(format!(
                        "{subject} version {} changed since herald.lock pinned it (fingerprint {} is now {}); if that is intended, rebuild with HERALD_CODEGEN_UPDATE=1",
                        locked.version,
                        locked.fingerprint,
                        fingerprint(&schema)
                    )));
                }
                schema
            }
            _ => self.fetch(subject, version)?.ok_or_else(|| {
                CodegenError::Registry(format!(
                    "{subject} is not pinned in herald.lock and no registry is reachable: set HERALD_REGISTRY_URL"
                ))
            })?,
        };
        self.lock.store(&schema)?;
        self.lock.pin(&schema);
        Ok(schema)
    }

    /// Every schema `schema` references, transitively, dependencies first.
    pub fn references(&mut self, schema: &CachedSchema) -> Result<Vec<CachedSchema>, CodegenError> {
        let mut found: Vec<CachedSchema> = Vec::new();
        for reference in &schema.references {
            if found
                .iter()
                .any(|s| s.subject == reference.subject && s.version == reference.version)
            {
                continue;
            }
            let target = match self.lock.cached(&reference.subject, reference.version) {
                Some(target) => target,
                None => self
                    .fetch(&reference.subject, Version::Number(reference.version))?
                    .ok_or_else(|| {
                        CodegenError::Registry(format!(
                            "{} references {} version {}, which is neither cached nor fetchable: set HERALD_REGISTRY_URL",
                            schema.subject, reference.subject, reference.version
                        ))
                    })?,
            };
            self.lock.store(&target)?;
            for nested in self.references(&target)? {
                if !found
                    .iter()
                    .any(|s| s.subject == nested.subject && s.version == nested.version)
                {
                    found.push(nested);
                }
            }
            found.push(target);
        }
        Ok(found)
    }

    /// The version from the registry; `None` when there is no registry or
    /// it cannot be reached (offline builds fall back to the cache).
    fn fetch(&self, subject: &str, version: Version) -> Result<Option<CachedSchema>, CodegenError> {
        let Some(registry) = &self.registry else {
            return Ok(None);
        };
        let answer = self.runtime.block_on(async {
            match version {
                Version::Latest => registry.latest(subject).await.map(|v| (*v).clone()),
                Version::Number(n) => registry.version(subject, n).await,
                Version::Id(id) => {
                    let schema = registry.schema_by_id(id).await?;
                    registry.lookup(subject, &schema).await
                }
            }
        });
        match answer {
            Ok(found) => Ok(Some(cached(found))),
            Err(RegistryError::Unreachable(reason)) => {
                println!(
                    "cargo:warning=herald-codegen: registry unreachable ({reason}); using herald.lock"
                );
                Ok(None)
            }
            Err(other) => Err(CodegenError::Registry(format!("{subject}: {other}"))),
        }
    }
}
