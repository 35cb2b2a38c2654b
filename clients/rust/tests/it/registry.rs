//! The registry client against a scripted registry: retries on 5xx and
//! refused connections, no retry on 4xx, the id cache, the latest cache,
//! and both kinds of authentication.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use herald_client::registry::{Auth, RegistryClient, RegistryError};
use serde_json::json;

#[derive(Clone, Default)]
struct Script {
    /// Calls so far, per route.
    calls: Arc<Mutex<Vec<String>>>,
    /// How many calls to answer 503 first.
    failures: Arc<AtomicUsize>,
    /// The Authorization header of the last call.
    authorization: Arc<Mutex<Option<String>>>,
}

async fn schema(State(script): State<Script>, headers: HeaderMap) -> (StatusCode, String) {
    script.calls.lock().expect("lock").push("schema".to_owned());
    *script.authorization.lock().expect("lock") = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if script.failures.load(Ordering::SeqCst) > 0 {
        script.failures.fetch_sub(1, Ordering::SeqCst);
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"error_code": 50301, "message": "busy"}).to_string(),
        );
    }
    (StatusCode::OK, json!({"schema": "\"string\""}).to_string())
}

async fn missing(State(script): State<Script>) -> (StatusCode, String) {
    script
        .calls
        .lock()
        .expect("lock")
        .push("missing".to_owned());
    (
        StatusCode::NOT_FOUND,
        json!({"error_code": 40403, "message": "Schema 9 not found"}).to_string(),
    )
}

async fn latest(State(script): State<Script>) -> String {
    script.calls.lock().expect("lock").push("latest".to_owned());
    json!({"subject": "s", "version": 3, "id": 7, "schema": "\"long\"", "schemaType": "AVRO"})
        .to_string()
}

async fn serve(script: Script) -> String {
    let app = Router::new()
        .route("/schemas/ids/1", get(schema))
        .route("/schemas/ids/9", get(missing))
        .route("/subjects/s/versions/latest", get(latest))
        .with_state(script);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bound");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn count(script: &Script, route: &str) -> usize {
    script
        .calls
        .lock()
        .expect("lock")
        .iter()
        .filter(|c| *c == route)
        .count()
}

#[tokio::test]
async fn server_errors_are_retried_and_ids_cached() {
    let script = Script::default();
    script.failures.store(2, Ordering::SeqCst);
    let client = RegistryClient::new(&serve(script.clone()).await);
    let found = client
        .schema_by_id(1)
        .await
        .expect("third attempt succeeds");
    assert_eq!(
        (found.schema.as_str(), found.schema_type.as_str()),
        ("\"string\"", "AVRO")
    );
    assert_eq!(count(&script, "schema"), 3);
    // Ids never change: the second read is served from the cache.
    client.schema_by_id(1).await.expect("cached");
    assert_eq!(count(&script, "schema"), 3);
    // Giving up after the retries, with the registry's error.
    script.failures.store(10, Ordering::SeqCst);
    let impatient = RegistryClient::new(client.base()).with_retries(1);
    let error = impatient.schema_by_id(1).await;
    assert!(
        matches!(
            error,
            Err(RegistryError::Api {
                status: 503,
                error_code: 50301,
                ..
            })
        ),
        "{error:?}"
    );
    assert_eq!(count(&script, "schema"), 5);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let script = Script::default();
    let client = RegistryClient::new(&serve(script.clone()).await);
    let error = client.schema_by_id(9).await;
    assert!(
        matches!(
            error,
            Err(RegistryError::Api {
                status: 404,
                error_code: 40403,
                ..
            })
        ),
        "{error:?}"
    );
    assert_eq!(count(&script, "missing"), 1);
}

#[tokio::test]
async fn latest_is_cached_briefly() {
    let script = Script::default();
    let client = RegistryClient::new(&serve(script.clone()).await);
    let first = client.latest("s").await.expect("latest");
    assert_eq!((first.version, first.id), (3, 7));
    client.latest("s").await.expect("cached");
    assert_eq!(count(&script, "latest"), 1);
    // The version's schema is now known by id too.
    client.schema_by_id(7).await.expect("from the cache");
}

#[tokio::test]
async fn unreachable_registries_are_retried_then_reported() {
    let client = RegistryClient::new("http://127.0.0.1:1").with_retries(1);
    let error = client.schema_by_id(1).await;
    assert!(
        matches!(error, Err(RegistryError::Unreachable(_))),
        "{error:?}"
    );
}

#[tokio::test]
async fn basic_and_bearer_authentication() {
    let script = Script::default();
    let url = serve(script.clone()).await;
    RegistryClient::new(&url)
        .with_auth(Auth::Basic {
            user: "ci".to_owned(),
            password: "secret".to_owned(),
        })
        .schema_by_id(1)
        .await
        .expect("answered");
    assert_eq!(
        script.authorization.lock().expect("lock").as_deref(),
        Some("Basic Y2k6c2VjcmV0")
    );
    RegistryClient::new(&url)
        .with_auth(Auth::Bearer("t0ken".to_owned()))
        .schema_by_id(1)
        .await
        .expect("answered");
    assert_eq!(
        script.authorization.lock().expect("lock").as_deref(),
        Some("Bearer t0ken")
    );
}
