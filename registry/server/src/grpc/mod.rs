//! The gRPC API (`proto/herald/registry/v1/registry.proto`), served by
//! tonic on the same port as HTTP (gRPC requests go to their service's
//! path), with gRPC reflection and the standard health service. Handlers
//! call the same service functions as the REST API.

mod convert;

use std::sync::Arc;

use axum::Router;
use tonic::{Request, Response, Status};
use tower::ServiceExt;

use tokio_stream::StreamExt;

use crate::access::layer::Caller;
use crate::model::{Change, ChangeKind, Config};
use crate::service::{
    ConfigUpdate, Registry, RuleOverrides, ServiceError, ServiceResult, SubjectListing, Visibility,
};
use convert::{finding, new_schema, schema, status, subject_version};

/// The generated messages and service of `herald.registry.v1`.
pub mod pb {
    #![allow(missing_docs, clippy::all)]
    tonic::include_proto!("herald.registry.v1");
}

/// The encoded descriptors of the API, for reflection.
pub const DESCRIPTORS: &[u8] = tonic::include_file_descriptor_set!("registry_descriptor");

/// Subjects per page when a request gives no page size.
const DEFAULT_PAGE: i32 = 100;

/// The gRPC service over the registry.
pub(crate) struct GrpcRegistry {
    registry: Arc<Registry>,
}

/// `router` with the gRPC services (the registry, reflection, health) added.
pub(crate) fn routes(router: Router, registry: Arc<Registry>) -> Router {
    // The same bound on a request as REST's body limit.
    let max_message = registry.limits().max_body_bytes;
    let registry_service = pb::registry_server::RegistryServer::new(GrpcRegistry { registry })
        .max_decoding_message_size(max_message);
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(DESCRIPTORS)
        .build_v1()
        .expect("the compiled-in descriptors are valid");
    let (health_reporter, health) = tonic_health::server::health_reporter();
    tokio::spawn(async move {
        health_reporter
            .set_serving::<pb::registry_server::RegistryServer<GrpcRegistry>>()
            .await;
    });
    router
        .route_service(
            &format!("/{}/{{*rest}}", service_name(&registry_service)),
            registry_service.map_request(|r: axum::extract::Request| r.map(tonic::body::Body::new)),
        )
        .route_service(
            &format!("/{}/{{*rest}}", service_name(&reflection)),
            reflection.map_request(|r: axum::extract::Request| r.map(tonic::body::Body::new)),
        )
        .route_service(
            &format!("/{}/{{*rest}}", service_name(&health)),
            health.map_request(|r: axum::extract::Request| r.map(tonic::body::Body::new)),
        )
}

fn service_name<S: tonic::server::NamedService>(_: &S) -> &'static str {
    S::NAME
}

fn version_spec(version: i32) -> String {
    if version <= 0 {
        "latest".to_owned()
    } else {
        version.to_string()
    }
}

fn scope(subject: &str) -> Option<&str> {
    (!subject.is_empty()).then_some(subject)
}

/// An optional string field: empty is unset.
fn non_empty(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

/// A stored configuration as a message (unset fields empty).
fn config_message(row: Config) -> pb::Config {
    pb::Config {
        compatibility: row.compatibility.unwrap_or_default(),
        normalize: row.normalize.unwrap_or(false),
        protobuf_rules: row.protobuf_rules.unwrap_or_default(),
        compatibility_policy: row.compatibility_policy.unwrap_or_default(),
    }
}

fn watched(change: ServiceResult<Change>) -> Result<pb::Change, Status> {
    change
        .map(|change| self::change(&change))
        .map_err(|e| status(&e))
}

fn change(row: &Change) -> pb::Change {
    let kind = match row.kind {
        Some(ChangeKind::Registered) => pb::ChangeKind::Registered,
        Some(ChangeKind::VersionDeleted) => pb::ChangeKind::VersionDeleted,
        Some(ChangeKind::VersionDeletedPermanently) => pb::ChangeKind::VersionDeletedPermanently,
        Some(ChangeKind::SubjectDeleted) => pb::ChangeKind::SubjectDeleted,
        Some(ChangeKind::SubjectDeletedPermanently) => pb::ChangeKind::SubjectDeletedPermanently,
        Some(ChangeKind::ConfigChanged) => pb::ChangeKind::ConfigChanged,
        Some(ChangeKind::ModeChanged) => pb::ChangeKind::ModeChanged,
        None => pb::ChangeKind::Unspecified,
    };
    pb::Change {
        sequence: row.sequence,
        kind: kind.into(),
        subject: row.scope.clone(),
        version: row.version.unwrap_or_default(),
        schema_id: row
            .schema_id
            .and_then(|id| u32::try_from(id).ok())
            .unwrap_or_default(),
        at_millis: row.at,
    }
}

#[tonic::async_trait]
impl pb::registry_server::Registry for GrpcRegistry {
    type WatchSubjectsStream =
        std::pin::Pin<Box<dyn tokio_stream::Stream<Item = Result<pb::Change, Status>> + Send>>;

    async fn watch_subjects(
        &self,
        request: Request<pb::WatchSubjectsRequest>,
    ) -> Result<Response<Self::WatchSubjectsStream>, Status> {
        let caller = Caller::of(request.extensions());
        let request = request.into_inner();
        let changes = self
            .registry
            .watch_changes(request.after_sequence, request.subject_prefix);
        // Only changes of subjects (and scopes) the caller may read.
        let visible = changes.filter(move |change| {
            change
                .as_ref()
                .map_or(true, |change| caller.shows(&change.scope))
        });
        Ok(Response::new(Box::pin(visible.map(watched))))
    }

    async fn register(
        &self,
        request: Request<pb::RegisterRequest>,
    ) -> Result<Response<pb::RegisterResponse>, Status> {
        let request = request.into_inner();
        let schema = new_schema(request.schema_type, request.schema, request.references)?;
        match self
            .registry
            .register(&request.subject, schema, Some(request.normalize))
            .await
        {
            Ok(registered) => Ok(Response::new(pb::RegisterResponse {
                id: u32::try_from(registered.schema.id).unwrap_or_default(),
                version: registered.version,
            })),
            Err(ServiceError::Incompatible(refusal)) => {
                // The findings travel in the status details.
                let details = pb::CheckCompatibilityResponse {
                    compatible: false,
                    findings: refusal.findings.iter().map(finding).collect(),
                    warnings: Vec::new(),
                };
                Err(Status::with_details(
                    tonic::Code::FailedPrecondition,
                    format!("40901: {}", refusal.message),
                    prost::Message::encode_to_vec(&details).into(),
                ))
            }
            Err(error) => Err(status(&error)),
        }
    }

    async fn check_compatibility(
        &self,
        request: Request<pb::CheckCompatibilityRequest>,
    ) -> Result<Response<pb::CheckCompatibilityResponse>, Status> {
        let request = request.into_inner();
        let schema = new_schema(request.schema_type, request.schema, request.references)?;
        let version = (request.version > 0).then(|| request.version.to_string());
        let verdict = self
            .registry
            .check_compatibility(
                &request.subject,
                version.as_deref(),
                schema,
                None,
                RuleOverrides {
                    protobuf_rules: non_empty(request.protobuf_rules),
                    compatibility_policy: non_empty(request.compatibility_policy),
                },
            )
            .await
            .map_err(|e| status(&e))?;
        Ok(Response::new(pb::CheckCompatibilityResponse {
            compatible: verdict.is_compatible,
            findings: verdict.findings.iter().map(finding).collect(),
            warnings: verdict.warnings,
        }))
    }

    async fn get_schema(
        &self,
        request: Request<pb::GetSchemaRequest>,
    ) -> Result<Response<pb::Schema>, Status> {
        let id = request.into_inner().id.to_string();
        let row = self
            .registry
            .schema_by_id(&id, None)
            .await
            .map_err(|e| status(&e))?;
        Ok(Response::new(schema(&row)))
    }

    async fn get_version(
        &self,
        request: Request<pb::GetVersionRequest>,
    ) -> Result<Response<pb::SubjectVersion>, Status> {
        let request = request.into_inner();
        let found = self
            .registry
            .version(
                &request.subject,
                &version_spec(request.version),
                request.include_deleted,
            )
            .await
            .map_err(|e| status(&e))?;
        Ok(Response::new(subject_version(&found)))
    }

    async fn lookup(
        &self,
        request: Request<pb::LookupRequest>,
    ) -> Result<Response<pb::SubjectVersion>, Status> {
        let request = request.into_inner();
        let schema = new_schema(request.schema_type, request.schema, request.references)?;
        let found = self
            .registry
            .lookup(&request.subject, schema, None, false)
            .await
            .map_err(|e| status(&e))?;
        Ok(Response::new(subject_version(&found)))
    }

    async fn list_subjects(
        &self,
        request: Request<pb::ListSubjectsRequest>,
    ) -> Result<Response<pb::ListSubjectsResponse>, Status> {
        let caller = Caller::of(request.extensions());
        let request = request.into_inner();
        let size = if request.page_size <= 0 {
            DEFAULT_PAGE
        } else {
            request.page_size.min(1_000)
        };
        let offset: i64 = if request.page_token.is_empty() {
            0
        } else {
            request
                .page_token
                .parse()
                .map_err(|_| Status::invalid_argument("page_token is not one this server gave"))?
        };
        let listing = SubjectListing {
            prefix: non_empty(request.prefix),
            deleted: request.include_deleted,
            offset,
            limit: i64::from(size) + 1,
            ..SubjectListing::default()
        };
        let mut subjects = self
            .registry
            .subjects(&listing, &caller)
            .await
            .map_err(|e| status(&e))?;
        let more = subjects.len() > usize::try_from(size).unwrap_or(0);
        subjects.truncate(usize::try_from(size).unwrap_or(0));
        Ok(Response::new(pb::ListSubjectsResponse {
            next_page_token: if more {
                (offset + i64::from(size)).to_string()
            } else {
                String::new()
            },
            subjects,
        }))
    }

    async fn list_versions(
        &self,
        request: Request<pb::ListVersionsRequest>,
    ) -> Result<Response<pb::ListVersionsResponse>, Status> {
        let request = request.into_inner();
        let versions = self
            .registry
            .versions(&request.subject, request.include_deleted)
            .await
            .map_err(|e| status(&e))?;
        Ok(Response::new(pb::ListVersionsResponse { versions }))
    }

    async fn delete_subject(
        &self,
        request: Request<pb::DeleteSubjectRequest>,
    ) -> Result<Response<pb::DeleteSubjectResponse>, Status> {
        let request = request.into_inner();
        let versions = self
            .registry
            .delete_subject(&request.subject, request.permanent)
            .await
            .map_err(|e| status(&e))?;
        Ok(Response::new(pb::DeleteSubjectResponse { versions }))
    }

    async fn delete_version(
        &self,
        request: Request<pb::DeleteVersionRequest>,
    ) -> Result<Response<pb::DeleteVersionResponse>, Status> {
        let request = request.into_inner();
        let version = self
            .registry
            .delete_version(
                &request.subject,
                &version_spec(request.version),
                request.permanent,
            )
            .await
            .map_err(|e| status(&e))?;
        Ok(Response::new(pb::DeleteVersionResponse { version }))
    }

    async fn get_config(
        &self,
        request: Request<pb::GetConfigRequest>,
    ) -> Result<Response<pb::Config>, Status> {
        let request = request.into_inner();
        let subject = scope(&request.subject);
        let row = self
            .registry
            .config(subject, request.default_to_global || subject.is_none())
            .await
            .map_err(|e| status(&e))?;
        Ok(Response::new(config_message(row)))
    }

    async fn set_config(
        &self,
        request: Request<pb::SetConfigRequest>,
    ) -> Result<Response<pb::Config>, Status> {
        let request = request.into_inner();
        let config = request.config.unwrap_or_default();
        let update = ConfigUpdate {
            compatibility: non_empty(config.compatibility),
            normalize: Some(config.normalize),
            compatibility_group: None,
            protobuf_rules: non_empty(config.protobuf_rules),
            compatibility_policy: non_empty(config.compatibility_policy),
            ..ConfigUpdate::default()
        };
        let row = self
            .registry
            .set_config(scope(&request.subject), update)
            .await
            .map_err(|e| status(&e))?;
        Ok(Response::new(config_message(row)))
    }

    async fn get_mode(
        &self,
        request: Request<pb::GetModeRequest>,
    ) -> Result<Response<pb::Mode>, Status> {
        let request = request.into_inner();
        let subject = scope(&request.subject);
        let mode = self
            .registry
            .mode(subject, request.default_to_global || subject.is_none())
            .await
            .map_err(|e| status(&e))?;
        Ok(Response::new(pb::Mode {
            mode: mode.as_str().to_owned(),
        }))
    }

    async fn set_mode(
        &self,
        request: Request<pb::SetModeRequest>,
    ) -> Result<Response<pb::Mode>, Status> {
        let request = request.into_inner();
        let mode = self
            .registry
            .set_mode(scope(&request.subject), &request.mode, request.force)
            .await
            .map_err(|e| status(&e))?;
        Ok(Response::new(pb::Mode {
            mode: mode.as_str().to_owned(),
        }))
    }
}
