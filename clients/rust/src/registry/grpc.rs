//! The registry's gRPC API (`herald.registry.v1.Registry`, Herald only):
//! the same calls as [`super::rest`], typed, over one HTTP/2 connection.
//! One attempt per call; [`super::RegistryClient`] retries.

use base64::Engine as _;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Status};

use super::{
    Auth, CompatibilityFinding, CompatibilityOptions, CompatibilityVerdict, FindingLocation,
    Reference, RegisteredSchema, RegistryError, SubjectVersion,
};

/// The generated messages and client of `herald.registry.v1`.
#[allow(missing_docs, clippy::all)]
pub mod pb {
    tonic::include_proto!("herald.registry.v1");
}

use pb::registry_client::RegistryClient as Stub;

/// Calls over gRPC with tonic.
#[derive(Clone)]
pub(super) struct Grpc {
    stub: Stub<Channel>,
}

impl Grpc {
    /// A gRPC backend for the registry at `base` (`http://host:port`); the
    /// connection is made on the first call.
    pub(super) fn new(base: &str) -> Result<Grpc, RegistryError> {
        let endpoint = Endpoint::from_shared(base.to_owned())
            .map_err(|e| RegistryError::Unreachable(format!("{base}: {e}")))?;
        Ok(Grpc {
            stub: Stub::new(endpoint.connect_lazy()),
        })
    }

    pub(super) async fn register(
        &self,
        auth: Option<&Auth>,
        subject: &str,
        schema: &RegisteredSchema,
    ) -> Result<(u32, Option<i32>), RegistryError> {
        let message = pb::RegisterRequest {
            subject: subject.to_owned(),
            schema_type: schema_type(&schema.schema_type).into(),
            schema: schema.schema.clone(),
            references: references(&schema.references),
            normalize: false,
        };
        let answer = self.stub.clone().register(request(auth, message)).await;
        let answer = answer.map_err(error)?.into_inner();
        Ok((answer.id, Some(answer.version)))
    }

    pub(super) async fn schema_by_id(
        &self,
        auth: Option<&Auth>,
        id: u32,
    ) -> Result<RegisteredSchema, RegistryError> {
        let message = pb::GetSchemaRequest { id };
        let answer = self.stub.clone().get_schema(request(auth, message)).await;
        Ok(registered(answer.map_err(error)?.into_inner()))
    }

    /// `version` `None` is the latest.
    pub(super) async fn version(
        &self,
        auth: Option<&Auth>,
        subject: &str,
        version: Option<i32>,
    ) -> Result<SubjectVersion, RegistryError> {
        let message = pb::GetVersionRequest {
            subject: subject.to_owned(),
            version: version.unwrap_or(0),
            include_deleted: false,
        };
        let answer = self.stub.clone().get_version(request(auth, message)).await;
        subject_version(answer.map_err(error)?.into_inner())
    }

    pub(super) async fn lookup(
        &self,
        auth: Option<&Auth>,
        subject: &str,
        schema: &RegisteredSchema,
    ) -> Result<SubjectVersion, RegistryError> {
        let message = pb::LookupRequest {
            subject: subject.to_owned(),
            schema_type: schema_type(&schema.schema_type).into(),
            schema: schema.schema.clone(),
            references: references(&schema.references),
        };
        let answer = self.stub.clone().lookup(request(auth, message)).await;
        subject_version(answer.map_err(error)?.into_inner())
    }

    /// The messages are the findings, one `RULE at PATH: message` each.
    pub(super) async fn compatibility(
        &self,
        auth: Option<&Auth>,
        subject: &str,
        schema: &RegisteredSchema,
        options: &CompatibilityOptions,
    ) -> Result<CompatibilityVerdict, RegistryError> {
        let message = pb::CheckCompatibilityRequest {
            subject: subject.to_owned(),
            schema_type: schema_type(&schema.schema_type).into(),
            schema: schema.schema.clone(),
            references: references(&schema.references),
            version: options.version.unwrap_or(0),
            protobuf_rules: options.protobuf_rules.clone().unwrap_or_default(),
            compatibility_policy: options.compatibility_policy.clone().unwrap_or_default(),
        };
        let answer = self
            .stub
            .clone()
            .check_compatibility(request(auth, message))
            .await
            .map_err(error)?
            .into_inner();
        let messages = answer
            .findings
            .iter()
            .map(|f| format!("{} at {}: {}", f.rule, f.path, f.message))
            .collect();
        Ok(CompatibilityVerdict {
            compatible: answer.compatible,
            findings: answer.findings.into_iter().map(finding).collect(),
            messages,
            warnings: answer.warnings,
        })
    }

    pub(super) async fn subjects(&self, auth: Option<&Auth>) -> Result<Vec<String>, RegistryError> {
        let mut subjects = Vec::new();
        let mut page_token = String::new();
        loop {
            let message = pb::ListSubjectsRequest {
                page_token,
                ..pb::ListSubjectsRequest::default()
            };
            let answer = self
                .stub
                .clone()
                .list_subjects(request(auth, message))
                .await;
            let page = answer.map_err(error)?.into_inner();
            subjects.extend(page.subjects);
            if page.next_page_token.is_empty() {
                return Ok(subjects);
            }
            page_token = page.next_page_token;
        }
    }

    pub(super) async fn versions(
        &self,
        auth: Option<&Auth>,
        subject: &str,
    ) -> Result<Vec<i32>, RegistryError> {
        let message = pb::ListVersionsRequest {
            subject: subject.to_owned(),
            include_deleted: false,
        };
        let answer = self
            .stub
            .clone()
            .list_versions(request(auth, message))
            .await;
        Ok(answer.map_err(error)?.into_inner().versions)
    }

    pub(super) async fn compatibility_level(
        &self,
        auth: Option<&Auth>,
        subject: Option<&str>,
    ) -> Result<String, RegistryError> {
        let message = pb::GetConfigRequest {
            subject: subject.unwrap_or_default().to_owned(),
            default_to_global: true,
        };
        let answer = self.stub.clone().get_config(request(auth, message)).await;
        Ok(answer.map_err(error)?.into_inner().compatibility)
    }

    pub(super) async fn set_compatibility_level(
        &self,
        auth: Option<&Auth>,
        subject: &str,
        level: &str,
    ) -> Result<(), RegistryError> {
        let message = pb::SetConfigRequest {
            subject: subject.to_owned(),
            config: Some(pb::Config {
                compatibility: level.to_owned(),
                ..pb::Config::default()
            }),
        };
        let answer = self.stub.clone().set_config(request(auth, message)).await;
        answer.map_err(error)?;
        Ok(())
    }
}

impl Grpc {
    /// Every change after `after_sequence`, then each as it happens.
    pub(super) async fn watch(
        &self,
        auth: Option<&Auth>,
        after_sequence: i64,
    ) -> Result<tonic::Streaming<pb::Change>, RegistryError> {
        let message = pb::WatchSubjectsRequest {
            after_sequence,
            subject_prefix: String::new(),
        };
        let answer = self
            .stub
            .clone()
            .watch_subjects(request(auth, message))
            .await;
        Ok(answer.map_err(error)?.into_inner())
    }
}

/// `message` with the credentials in its `authorization` metadata.
fn request<T>(auth: Option<&Auth>, message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    let header = match auth {
        Some(Auth::Basic { user, password }) => Some(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        )),
        Some(Auth::Bearer(token)) => Some(format!("Bearer {token}")),
        None => None,
    };
    if let Some(value) = header.and_then(|h| h.parse().ok()) {
        request.metadata_mut().insert("authorization", value);
    }
    request
}

/// A status as the REST client would report it: the registry puts the
/// Confluent error code first in the message (`40401: Subject ...`).
fn error(status: Status) -> RegistryError {
    let coded = status
        .message()
        .split_once(": ")
        .and_then(|(code, message)| Some((code.parse::<i64>().ok()?, message)));
    match coded {
        Some((error_code, message)) => RegistryError::Api {
            status: u16::try_from(error_code / 100).unwrap_or(500),
            error_code,
            message: message.to_owned(),
        },
        None if matches!(status.code(), Code::Unavailable | Code::Unknown) => {
            RegistryError::Unreachable(format!("{:?}: {}", status.code(), status.message()))
        }
        None => {
            let http = http_status(status.code());
            RegistryError::Api {
                status: http,
                error_code: i64::from(http),
                message: status.message().to_owned(),
            }
        }
    }
}

/// The HTTP status that means what `code` means.
fn http_status(code: Code) -> u16 {
    match code {
        Code::NotFound => 404,
        Code::InvalidArgument | Code::OutOfRange => 422,
        Code::FailedPrecondition | Code::AlreadyExists | Code::Aborted => 409,
        Code::Unauthenticated => 401,
        Code::PermissionDenied => 403,
        Code::Unimplemented => 501,
        Code::DeadlineExceeded => 504,
        _ => 500,
    }
}

fn schema_type(text: &str) -> pb::SchemaType {
    match text {
        "PROTOBUF" => pb::SchemaType::Protobuf,
        "JSON" => pb::SchemaType::Json,
        _ => pb::SchemaType::Avro,
    }
}

fn schema_type_name(value: i32) -> String {
    match pb::SchemaType::try_from(value) {
        Ok(pb::SchemaType::Protobuf) => "PROTOBUF",
        Ok(pb::SchemaType::Json) => "JSON",
        _ => "AVRO",
    }
    .to_owned()
}

fn references(references: &[Reference]) -> Vec<pb::SchemaReference> {
    references
        .iter()
        .map(|r| pb::SchemaReference {
            name: r.name.clone(),
            subject: r.subject.clone(),
            version: r.version,
        })
        .collect()
}

fn registered(schema: pb::Schema) -> RegisteredSchema {
    RegisteredSchema {
        schema: schema.schema,
        schema_type: schema_type_name(schema.schema_type),
        references: schema
            .references
            .into_iter()
            .map(|r| Reference {
                name: r.name,
                subject: r.subject,
                version: r.version,
            })
            .collect(),
    }
}

fn finding(finding: pb::Finding) -> CompatibilityFinding {
    CompatibilityFinding {
        rule: finding.rule,
        path: finding.path,
        message: finding.message,
        location: finding.location.map(|l| FindingLocation {
            line: l.line,
            column: l.column,
        }),
        old_schema_version: (finding.old_version > 0).then_some(finding.old_version),
    }
}

fn subject_version(found: pb::SubjectVersion) -> Result<SubjectVersion, RegistryError> {
    let schema = found
        .schema
        .ok_or_else(|| RegistryError::Unexpected(format!("{}: no schema", found.subject)))?;
    Ok(SubjectVersion {
        subject: found.subject,
        version: found.version,
        id: schema.id,
        schema: registered(schema),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_travel_in_the_authorization_metadata() {
        let basic = Auth::Basic {
            user: "key".to_owned(),
            password: "secret".to_owned(),
        };
        let sent = request(Some(&basic), ());
        assert_eq!(
            sent.metadata()
                .get("authorization")
                .map(|v| v.to_str().ok()),
            Some(Some("Basic a2V5OnNlY3JldA=="))
        );
        let bearer = Auth::Bearer("token".to_owned());
        let sent = request(Some(&bearer), ());
        assert_eq!(
            sent.metadata()
                .get("authorization")
                .map(|v| v.to_str().ok()),
            Some(Some("Bearer token"))
        );
        assert!(request(None, ()).metadata().get("authorization").is_none());
    }

    #[test]
    fn statuses_become_the_errors_rest_would_give() {
        let coded = error(Status::not_found("40401: Subject 'x' not found."));
        assert_eq!(
            coded,
            RegistryError::Api {
                status: 404,
                error_code: 40401,
                message: "Subject 'x' not found.".to_owned()
            }
        );
        let store = error(Status::unavailable("50001: database is locked"));
        assert!(matches!(
            store,
            RegistryError::Api {
                status: 500,
                error_code: 50001,
                ..
            }
        ));
        let transport = error(Status::unavailable("tcp connect error"));
        assert!(matches!(transport, RegistryError::Unreachable(_)));
        let uncoded = error(Status::permission_denied("no"));
        assert!(matches!(
            uncoded,
            RegistryError::Api {
                status: 403,
                error_code: 403,
                ..
            }
        ));
    }
}
