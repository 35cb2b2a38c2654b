//! The one place every HTTP request passes through on its way in — REST,
//! the by-id fast path, the UI and gRPC alike: who is calling
//! ([`super::Authenticator`]), what the route needs ([`super::rules`]), and
//! whether the caller holds it. The caller's [`Principal`] travels on in
//! the request's extensions, for listings to filter by.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::HeaderMap;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::future::{BoxFuture, Either, Ready, ready};
use prost::Message as _;
use tower::Service;

use super::grants::{Principal, Role};
use super::rules::{Action, Need, Route, RouteTable};
use super::{AccessControl, Refusal};
use crate::connections::ClientCertificate;
use crate::model::AuditEntry;
use crate::rest::error::ApiError;
use crate::service::{Actor, Registry, Visibility, acting_as};

/// The caller of a request, as the access layer established it.
#[derive(Clone, Debug)]
pub struct Caller(pub Arc<Principal>);

impl Caller {
    /// The caller a request carries; one without any grant when none does
    /// (never more than the access layer allowed).
    pub fn of(extensions: &axum::http::Extensions) -> Caller {
        extensions.get::<Caller>().cloned().unwrap_or_else(|| {
            Caller(Arc::new(Principal {
                name: super::ANONYMOUS.to_owned(),
                grants: Vec::new(),
            }))
        })
    }
}

impl Caller {
    /// The signed-in user's name; `None` for anonymous callers (and when
    /// access control is off).
    pub fn signed_in(&self) -> Option<&str> {
        (!self.0.is_anonymous()).then_some(self.0.name.as_str())
    }

    /// Whether the caller may read the audit log (an unscoped admin).
    pub fn audits(&self) -> bool {
        self.0.may_everywhere(Role::Admin)
    }

    /// Whether the caller may administer `subject` (its config, mode and
    /// deletes).
    pub fn administers(&self, subject: &str) -> bool {
        self.0.may(Role::Admin, subject)
    }
}

impl Visibility for Caller {
    fn shows(&self, subject: &str) -> bool {
        self.0.may(Role::Reader, subject)
    }

    fn shows_all(&self) -> bool {
        self.0.may_everywhere(Role::Reader)
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Caller {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Caller, Infallible> {
        Ok(Caller::of(&parts.extensions))
    }
}

/// Field 1 of a gRPC request message: the subject, in every registry
/// request that names one (other fields are skipped).
#[derive(Clone, PartialEq, prost::Message)]
struct SubjectField {
    #[prost(string, tag = "1")]
    subject: String,
}

/// The access layer around `S`.
#[derive(Clone)]
pub struct Access<S> {
    inner: S,
    control: Arc<AccessControl>,
    table: Arc<RouteTable>,
    /// Where refused writes are recorded.
    registry: Arc<Registry>,
}

impl<S> Access<S> {
    /// `inner`, behind `control`; refused writes recorded in `registry`'s
    /// audit log.
    pub fn new(inner: S, control: Arc<AccessControl>, registry: Arc<Registry>) -> Access<S> {
        Access {
            inner,
            control,
            table: Arc::new(RouteTable::new()),
            registry,
        }
    }
}

/// What the layer learnt of a request before passing it on.
struct Classified {
    need: Need,
    subject: Option<String>,
    grpc: bool,
    action: Action,
    write: bool,
}

impl<S> Service<Request> for Access<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<
        Ready<Result<Response, Infallible>>,
        Either<S::Future, BoxFuture<'static, Result<Response, Infallible>>>,
    >;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let grpc = is_grpc(request.headers());
        let classified = match self.table.classify(request.method(), request.uri().path()) {
            Route::Known {
                need,
                subject,
                action,
                write,
                ..
            } => Classified {
                need,
                subject,
                grpc,
                action,
                write,
            },
            Route::NoSuchPath => return Either::Left(ready(Ok(no_such_path(grpc)))),
            Route::NoSuchMethod => return Either::Left(ready(Ok(no_such_method(grpc)))),
        };
        let authenticator = self.control.authenticator.clone();
        if authenticator.is_none() && !classified.write {
            // Access control off, and nothing to record: straight on.
            request
                .extensions_mut()
                .insert(Caller(self.control.unrestricted.clone()));
            return Either::Right(Either::Left(self.inner.call(request)));
        }
        // The ready service answers this request; a clone waits for the next.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let control = self.control.clone();
        let registry = self.registry.clone();
        Either::Right(Either::Right(Box::pin(async move {
            let peer = peer_of(&request);
            let answer = guarded(
                inner,
                &control,
                authenticator.as_deref(),
                request,
                &classified,
            )
            .await;
            if classified.write && !answer.response.is_success(grpc) {
                let subject = answer.subject.or(classified.subject.clone());
                let (response, entry) = answer
                    .response
                    .refusal(&classified, answer.principal, subject, peer)
                    .await;
                if let Err(error) = registry.record_refusal(entry).await {
                    tracing::warn!(%error, "recording a refused write in the audit log failed");
                }
                return Ok(response);
            }
            Ok(answer.response.0)
        })))
    }
}

/// A response, who it answered, and the subject the request named (from
/// its path or its gRPC message), once known.
struct Answer {
    response: Answered,
    principal: String,
    subject: Option<String>,
}

/// A response on its way out.
struct Answered(Response);

impl Answered {
    /// Whether it reports success (gRPC: no `grpc-status` other than 0 in
    /// its headers, where errors of unary calls are).
    fn is_success(&self, grpc: bool) -> bool {
        let response = &self.0;
        if grpc {
            return response
                .headers()
                .get("grpc-status")
                .is_none_or(|status| status == "0");
        }
        response.status().is_success() || response.status().is_redirection()
    }

    /// The response back (its body read, when it is a REST error), and the
    /// audit entry of the refused write it answers.
    async fn refusal(
        self,
        classified: &Classified,
        principal: String,
        subject: Option<String>,
        peer: Option<std::net::IpAddr>,
    ) -> (Response, AuditEntry) {
        let (parts, body) = self.0.into_parts();
        let (status, error_code, body) = if classified.grpc {
            let message = parts
                .headers
                .get("grpc-message")
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default();
            let code =
                leading_code(&percent_encoding::percent_decode_str(message).decode_utf8_lossy());
            let status = code.map_or(500, |code| u16::try_from(code / 100).unwrap_or(500));
            (status, code, body)
        } else {
            let bytes = axum::body::to_bytes(body, 64 * 1024)
                .await
                .unwrap_or_default();
            let code = serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|value| value["error_code"].as_i64());
            (parts.status.as_u16(), code, Body::from(bytes))
        };
        let entry = AuditEntry {
            principal,
            address: peer.map(|ip| ip.to_string()),
            action: classified.action.to_string(),
            subject: subject.unwrap_or_default(),
            status,
            error_code,
            ..AuditEntry::default()
        };
        (Response::from_parts(parts, body), entry)
    }
}

/// The error code a gRPC message starts with (`40901: ...`).
fn leading_code(message: &str) -> Option<i64> {
    message
        .split_once(':')
        .and_then(|(code, _)| code.trim().parse().ok())
}

/// Authenticates and authorizes `request` (when access control is on),
/// then lets `inner` answer it on behalf of its caller.
async fn guarded<S>(
    mut inner: S,
    control: &AccessControl,
    authenticator: Option<&super::Authenticator>,
    request: Request,
    classified: &Classified,
) -> Answer
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    let grpc = classified.grpc;
    let peer = peer_of(&request);
    let principal = match authenticator {
        None => control.unrestricted.clone(),
        Some(authenticator) => match authenticator
            .authenticate(request.headers(), peer, certified(&request))
            .await
        {
            Ok(principal) => principal,
            Err(refusal) => {
                return Answer {
                    response: Answered(refused(control, refusal, grpc)),
                    principal: super::ANONYMOUS.to_owned(),
                    subject: None,
                };
            }
        },
    };
    let name = principal.name.clone();
    let (mut request, subject) = match (classified.need, &classified.subject, grpc) {
        (Need::Subject(_), None, true) => match subject_of_grpc(request, control.max_body).await {
            Ok(found) => found,
            Err(response) => {
                return Answer {
                    response: Answered(response),
                    principal: name,
                    subject: None,
                };
            }
        },
        (_, subject, _) => (request, subject.clone()),
    };
    if let Some(refusal) = decide(&principal, classified.need, subject.as_deref()) {
        return Answer {
            response: Answered(refused(control, refusal, grpc)),
            principal: name,
            subject,
        };
    }
    request.extensions_mut().insert(Caller(principal));
    let response = if classified.write {
        let actor = Actor {
            principal: name.clone(),
            address: peer.map(|ip| ip.to_string()),
        };
        acting_as(actor, inner.call(request)).await
    } else {
        inner.call(request).await
    };
    let response = match response {
        Ok(response) => response,
        Err(never) => match never {},
    };
    Answer {
        response: Answered(response),
        principal: name,
        subject,
    }
}

/// Whether `principal` may make a request that needs `need` on `subject`;
/// `None` when it may.
fn decide(principal: &Arc<Principal>, need: Need, subject: Option<&str>) -> Option<Refusal> {
    let allowed = match (need, subject.filter(|s| !s.is_empty())) {
        (Need::Public, _) => true,
        (Need::Somewhere(role), _) | (Need::Subject(role @ Role::Reader), None) => {
            principal.may_somewhere(role)
        }
        (Need::Subject(role), Some(subject)) => principal.may(role, subject),
        (Need::Everywhere(role), _) | (Need::Subject(role), None) => principal.may_everywhere(role),
    };
    if allowed {
        return None;
    }
    let what = match (need, subject) {
        (Need::Subject(role) | Need::Somewhere(role) | Need::Everywhere(role), Some(subject)) => {
            format!("{role} rights on subject '{subject}'")
        }
        (Need::Everywhere(role) | Need::Subject(role), None) => {
            format!("{role} rights on every subject")
        }
        (Need::Somewhere(role), None) => format!("{role} rights"),
        (Need::Public, _) => String::new(),
    };
    Some(if principal.is_anonymous() {
        Refusal::Unauthenticated(format!("This needs {what}: sign in"))
    } else {
        Refusal::Forbidden(format!("User '{}' lacks {what}", principal.name))
    })
}

/// The request back (its body read into memory) and the subject its gRPC
/// message names, or the answer when the body cannot be read.
async fn subject_of_grpc(
    request: Request,
    limit: usize,
) -> Result<(Request, Option<String>), Response> {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        tonic::Status::resource_exhausted("the request message is too large").into_http()
    })?;
    // A gRPC frame: a compression flag, a 4-byte length, the message.
    let subject = match bytes.get(5..) {
        Some(message) if bytes[0] == 0 => SubjectField::decode(message)
            .map(|field| field.subject)
            .map_err(|_| {
                tonic::Status::invalid_argument("the request message does not decode").into_http()
            })?,
        _ => {
            return Err(tonic::Status::invalid_argument(
                "an uncompressed gRPC message is expected",
            )
            .into_http());
        }
    };
    Ok((Request::from_parts(parts, Body::from(bytes)), Some(subject)))
}

/// The client's address, as the connection gave it.
fn peer_of(request: &Request) -> Option<std::net::IpAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
}

/// The name of the client certificate the request's connection presented.
fn certified(request: &Request) -> Option<&str> {
    request
        .extensions()
        .get::<ClientCertificate>()
        .map(|certificate| certificate.0.as_str())
}

fn is_grpc(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/grpc"))
}

/// A refusal as REST (Confluent's error body) or gRPC (a status whose
/// message starts with the error code) answers it.
fn refused(control: &AccessControl, refusal: Refusal, grpc: bool) -> Response {
    match (refusal, grpc) {
        (Refusal::Unauthenticated(message), true) => {
            tonic::Status::unauthenticated(format!("40101: {message}")).into_http()
        }
        (Refusal::Forbidden(message), true) => {
            tonic::Status::permission_denied(format!("40301: {message}")).into_http()
        }
        (Refusal::Unauthenticated(message), false) => {
            let mut response = ApiError {
                code: 40101,
                message,
            }
            .into_response();
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, control.challenge.clone());
            response
        }
        (Refusal::Forbidden(message), false) => ApiError {
            code: 40301,
            message,
        }
        .into_response(),
    }
}

fn no_such_path(grpc: bool) -> Response {
    if grpc {
        return tonic::Status::unimplemented("no such method").into_http();
    }
    crate::rest::not_found().into_response()
}

fn no_such_method(grpc: bool) -> Response {
    if grpc {
        return tonic::Status::unimplemented("no such method").into_http();
    }
    crate::rest::method_not_allowed().into_response()
}
