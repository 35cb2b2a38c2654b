//! `Server::app()`: exactly what `herald serve` serves (the request guard,
//! the by-id fast path, the router and its layers), driven in-process with
//! `tower::ServiceExt::oneshot`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::extract::Request;
use herald_server::config::ServerConfig;
use herald_server::{HttpApp, Server};
use herald_testing::TestDatabase;
use serde_json::{Value, json};
use tower::util::MapRequestLayer;
use tower::{Layer, Service, ServiceExt};

async fn send<S>(app: S, request: Request) -> (u16, Value)
where
    S: Service<Request, Response = axum::response::Response, Error = std::convert::Infallible>,
{
    let response = app.oneshot(request).await.expect("answered");
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn get(path: &str) -> Request {
    Request::get(path)
        .header("host", "localhost")
        .body(Body::empty())
        .expect("request")
}

async fn app() -> (HttpApp, TestDatabase) {
    let database = TestDatabase::create().await;
    let config = ServerConfig {
        listen: "127.0.0.1:0".parse().expect("address"),
        storage: database.storage(),
        ..ServerConfig::default()
    };
    let server = Server::bind(&config).await.expect("server starts");
    (server.app().expect("the app"), database)
}

#[tokio::test]
async fn the_app_answers_like_the_server_and_a_layer_around_it_sees_the_fast_path() {
    let (app, _database) = app().await;
    let register = Request::post("/subjects/orders/versions")
        .header("host", "localhost")
        .header("content-type", "application/vnd.schemaregistry.v1+json")
        .body(Body::from(json!({"schema": "\"string\""}).to_string()))
        .expect("request");
    let (status, body) = send(app.clone(), register).await;
    assert_eq!((status, &body["id"]), (200, &json!(1)), "{body}");
    // The guard is part of the app: a Host outside the allowed ones is refused.
    let foreign = Request::get("/schemas/ids/1")
        .header("host", "evil.example")
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(app.clone(), foreign).await.0, 403);

    let seen = Arc::new(AtomicUsize::new(0));
    let counted = {
        let seen = seen.clone();
        MapRequestLayer::new(move |request: Request| {
            seen.fetch_add(1, Ordering::SeqCst);
            request
        })
    };
    let layered = counted.layer(app.clone());
    // The first read renders and caches the answer through the router; the
    // second is answered by the fast path, in front of the router.
    for _ in 0..2 {
        let (status, body) = send(layered.clone(), get("/schemas/ids/1")).await;
        assert_eq!(
            (status, &body["schema"]),
            (200, &json!("\"string\"")),
            "{body}"
        );
    }
    assert_eq!(seen.load(Ordering::SeqCst), 2, "the layer saw both reads");
}
