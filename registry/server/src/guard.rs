//! What web pages may do with the registry, checked for every HTTP request
//! before routing. A page on another origin must
//! not be able to change it: requests naming a `Host` the registry does not
//! answer to are refused (DNS rebinding), a write whose `Origin` is neither
//! the registry's own nor an allowed one is refused, and CORS headers are
//! sent only to the configured origins (none by default). Together with the
//! REST API refusing bodies without a JSON content type (415) and the UI's
//! signed CSRF tokens, a page the user merely visits cannot write.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::future::{Either, Ready, ready};
use tower::Service;

use crate::config::BrowserPolicy;
use crate::rest::error::ApiError;

/// The checks, made once from the configuration and the bound address.
#[derive(Debug)]
pub struct Rules {
    /// Accepted `Host` values (`host` or `host:port`, any case); `None`
    /// accepts any.
    hosts: Option<Vec<String>>,
    /// Origins allowed to call the API from a browser.
    cors_origins: Vec<String>,
}

impl Rules {
    /// The rules of `policy` for a registry listening on `address`.
    pub fn new(policy: &BrowserPolicy, address: SocketAddr) -> Rules {
        let hosts = match &policy.allowed_hosts {
            Some(list) if list.iter().any(|host| host == "*") => None,
            Some(list) => Some(list.clone()),
            None if address.ip().is_loopback() => Some(
                ["localhost", "127.0.0.1", "[::1]"]
                    .iter()
                    .map(|host| (*host).to_owned())
                    .chain([address.ip().to_string()])
                    .collect(),
            ),
            // Bound to a routable address: any name that reaches it.
            None => None,
        };
        Rules {
            hosts,
            cors_origins: policy.cors_origins.clone(),
        }
    }

    /// Whether `host` (a `Host` header value) is one the registry answers to.
    fn host_allowed(&self, host: Option<&str>) -> bool {
        let Some(hosts) = &self.hosts else {
            return true;
        };
        let Some(host) = host else {
            return true; // HTTP/1.0 or h2 without :authority: not a browser
        };
        let name = match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        };
        // Compared without allocating: this runs for every request.
        hosts
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(host) || allowed.eq_ignore_ascii_case(name))
    }

    /// Whether a request from `origin` may write: the registry's own
    /// origin (its host is the request's `Host`) or an allowed one.
    fn origin_may_write(&self, origin: &str, host: Option<&str>) -> bool {
        self.cors_allowed(origin)
            || origin
                .split_once("://")
                .is_some_and(|(_, authority)| Some(authority) == host)
    }

    fn cors_allowed(&self, origin: &str) -> bool {
        self.cors_origins.iter().any(|allowed| allowed == origin)
    }
}

/// Wraps a service with the checks of [`Rules`].
#[derive(Clone)]
pub struct RequestGuard<S> {
    inner: S,
    rules: Arc<Rules>,
}

impl<S> RequestGuard<S> {
    /// `inner` behind `rules`.
    pub fn new(inner: S, rules: Rules) -> Self {
        RequestGuard {
            inner,
            rules: Arc::new(rules),
        }
    }
}

fn refused(message: String) -> Response {
    ApiError::status(StatusCode::FORBIDDEN, message).into_response()
}

impl<S> Service<Request> for RequestGuard<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Ready<Result<Response, Infallible>>, WithCors<S::Future>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        if let Err(message) = crate::paths::canonicalize(&mut request) {
            let answer = ApiError::status(StatusCode::BAD_REQUEST, message).into_response();
            return Either::Left(ready(Ok(answer)));
        }
        match self.check(&request) {
            Verdict::Pass(allow) => Either::Right(WithCors {
                inner: self.inner.call(request),
                allow,
            }),
            Verdict::Answer(answer) => Either::Left(ready(Ok(answer))),
        }
    }
}

/// What [`RequestGuard::check`] decided.
enum Verdict {
    /// On to the registry; the answer gets this `Access-Control-Allow-Origin`.
    Pass(Option<HeaderValue>),
    /// Answered here: a refusal, or a CORS preflight's answer.
    Answer(Response),
}

impl<S> RequestGuard<S> {
    /// Whether `request` passes (and with which CORS header), or its
    /// answer. Allocates nothing for a request that passes without an
    /// `Origin`.
    fn check(&self, request: &Request) -> Verdict {
        let headers = request.headers();
        let host = headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .or_else(|| request.uri().authority().map(|a| a.as_str()));
        if !self.rules.host_allowed(host) {
            return Verdict::Answer(refused(format!(
                "Host '{}' is not one this registry answers to (see --allowed-hosts)",
                host.unwrap_or_default()
            )));
        }
        let Some(value) = headers.get(header::ORIGIN) else {
            return Verdict::Pass(None);
        };
        let origin = value.to_str().unwrap_or_default();
        if request.method() == Method::OPTIONS
            && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
        {
            return Verdict::Answer(self.preflight(origin));
        }
        let writes = !matches!(*request.method(), Method::GET | Method::HEAD);
        if writes && !self.rules.origin_may_write(origin, host) {
            return Verdict::Answer(refused(format!(
                "Origin '{origin}' may not change this registry (see --cors-origins)"
            )));
        }
        Verdict::Pass(self.rules.cors_allowed(origin).then(|| value.clone()))
    }
}

pin_project_lite::pin_project! {
    /// An answer that gets CORS headers for an allowed origin.
    pub struct WithCors<F> {
        #[pin]
        inner: F,
        allow: Option<HeaderValue>,
    }
}

impl<F> Future for WithCors<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Poll::Ready(Ok(mut response)) = this.inner.poll(cx) else {
            return Poll::Pending;
        };
        if let Some(origin) = this.allow.take() {
            let headers = response.headers_mut();
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        }
        Poll::Ready(Ok(response))
    }
}

impl<S> RequestGuard<S> {
    /// The answer to a CORS preflight from `origin`.
    fn preflight(&self, origin: &str) -> Response {
        let Ok(value) = HeaderValue::from_str(origin) else {
            return refused("Origin is not valid".to_owned());
        };
        if !self.rules.cors_allowed(origin) {
            return refused(format!(
                "Origin '{origin}' may not call this registry (see --cors-origins)"
            ));
        }
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, PUT, DELETE"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Content-Type, Authorization, Accept"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(allowed: Option<&[&str]>, cors: &[&str], address: &str) -> Rules {
        let policy = BrowserPolicy {
            allowed_hosts: allowed.map(|list| list.iter().map(|h| (*h).to_owned()).collect()),
            cors_origins: cors.iter().map(|o| (*o).to_owned()).collect(),
        };
        Rules::new(&policy, address.parse().unwrap_or_else(|e| panic!("{e}")))
    }

    #[test]
    fn loopback_answers_to_its_own_names_only() {
        let rules = rules(None, &[], "127.0.0.1:8081");
        for host in [
            "localhost:8081",
            "127.0.0.1:8081",
            "LOCALHOST",
            "[::1]:8081",
        ] {
            assert!(rules.host_allowed(Some(host)), "{host}");
        }
        for host in ["evil.example:8081", "attacker.test", "localhost.evil.test"] {
            assert!(!rules.host_allowed(Some(host)), "{host}");
        }
    }

    #[test]
    fn configured_hosts_and_any_host() {
        let listed = rules(Some(&["registry.internal"]), &[], "0.0.0.0:8081");
        assert!(listed.host_allowed(Some("registry.internal:8081")));
        assert!(!listed.host_allowed(Some("localhost:8081")));
        let any = rules(Some(&["*"]), &[], "127.0.0.1:8081");
        assert!(any.host_allowed(Some("whatever.test")));
        let routable = rules(None, &[], "0.0.0.0:8081");
        assert!(routable.host_allowed(Some("10.0.0.5:8081")));
    }

    #[test]
    fn writes_only_from_the_own_origin_or_an_allowed_one() {
        let rules = rules(None, &["https://ui.example"], "127.0.0.1:8081");
        let host = Some("localhost:8081");
        assert!(rules.origin_may_write("http://localhost:8081", host));
        assert!(rules.origin_may_write("https://ui.example", host));
        assert!(!rules.origin_may_write("https://evil.example", host));
        assert!(!rules.origin_may_write("null", host));
    }
}
