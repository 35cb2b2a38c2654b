//! `herald import` from a second Herald: ids and versions (gaps included),
//! soft-deleted versions, references across subjects, contexts, metadata
//! and rules, configs and modes; resuming; conflicts; a dry run.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Registry, Run, run_in};

async fn call(registry: &Registry, method: Method, path: &str, body: Option<Value>) -> Value {
    let mut request = registry
        .http
        .request(method, format!("{}{path}", registry.url));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("answered");
    let status = response.status();
    let value: Value = response.json().await.unwrap_or(Value::Null);
    assert!(
        status.is_success() || status == 404,
        "{path}: {status} {value}"
    );
    value
}

fn record(name: &str, fields: &str) -> String {
    format!(r#"{{"type":"record","name":"{name}","namespace":"shop","fields":[{fields}]}}"#)
}

/// A source with a little of everything.
async fn fill(source: &Registry) {
    let post = |path: &'static str, body: Value| call(source, Method::POST, path, Some(body));
    post(
        "/subjects/money/versions",
        json!({"schema": record("Money", r#"{"name":"cents","type":"long"}"#)}),
    )
    .await;
    // orders: 1, (2 deleted for good: a gap), 3 soft-deleted, 4 with metadata and rules.
    let field = |n: usize| format!(r#"{{"name":"f{n}","type":"string","default":""}}"#);
    let order = |extra: usize| {
        let fields: Vec<String> = (0..extra).map(field).collect();
        let mut all = vec![r#"{"name":"total","type":"shop.Money"}"#.to_owned()];
        all.extend(fields);
        record("Order", &all.join(","))
    };
    let money_ref = json!([{"name": "shop.Money", "subject": "money", "version": 1}]);
    for extra in 0..3 {
        post(
            "/subjects/orders/versions",
            json!({"schema": order(extra), "references": money_ref}),
        )
        .await;
    }
    post(
        "/subjects/orders/versions",
        json!({"schema": order(3), "references": money_ref,
            "metadata": {"properties": {"owner": "shop"}},
            "ruleSet": {"domainRules": [{"name": "r", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "true"}]}}),
    )
    .await;
    call(source, Method::DELETE, "/subjects/orders/versions/2", None).await;
    call(
        source,
        Method::DELETE,
        "/subjects/orders/versions/2?permanent=true",
        None,
    )
    .await;
    call(source, Method::DELETE, "/subjects/orders/versions/3", None).await;
    // A context, and a JSON Schema there.
    post(
        "/subjects/:.tenant:events/versions",
        json!({"schemaType": "JSON", "schema": r#"{"type":"object","properties":{"id":{"type":"string"}}}"#}),
    )
    .await;
    call(
        source,
        Method::PUT,
        "/config/orders",
        Some(json!({"compatibility": "FULL"})),
    )
    .await;
    call(
        source,
        Method::PUT,
        "/mode/money",
        Some(json!({"mode": "READONLY"})),
    )
    .await;
}

fn import(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut all = vec!["import"];
    all.extend(args);
    run_in(dir.path(), &all)
}

#[tokio::test]
async fn import_copies_a_registry_keeping_ids_versions_and_settings() {
    let source = Registry::start().await;
    let target = Registry::start().await;
    fill(&source).await;
    // The target's own settings, put back afterwards.
    call(
        &target,
        Method::PUT,
        "/mode",
        Some(json!({"mode": "READWRITE"})),
    )
    .await;

    let dry = import(&["--from", &source.url, "--to", &target.url, "--dry-run"]);
    assert_eq!(dry.code, 0, "{dry:?}");
    assert!(
        dry.stdout
            .contains("orders: 3 to register, 0 already there, 0 conflict(s), 1 soft-deleted"),
        "{dry:?}"
    );
    assert_eq!(
        call(&target, Method::GET, "/subjects", None).await,
        json!([]),
        "a dry run writes nothing"
    );

    let run = import(&["--from", &source.url, "--to", &target.url, "--verify"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("verified"), "{run:?}");
    for path in [
        "/subjects/orders/versions?deleted=true",
        "/subjects/orders/versions",
        "/subjects/orders/versions/4",
        "/subjects/orders/versions/3?deleted=true",
        "/subjects/:.tenant:events/versions/1",
        "/schemas/ids/1",
        "/config/orders",
        "/mode/money",
    ] {
        let there = call(&target, Method::GET, path, None).await;
        let here = call(&source, Method::GET, path, None).await;
        assert_eq!(there, here, "{path}");
    }
    assert_eq!(
        call(
            &target,
            Method::GET,
            "/subjects/orders/versions?deleted=true",
            None
        )
        .await,
        json!([1, 3, 4])
    );
    // The target's mode is READWRITE again, and new ids continue above
    // the imported ones.
    assert_eq!(
        call(&target, Method::GET, "/mode", None).await["mode"],
        "READWRITE"
    );
    let own = json!({"schema": record("Own", r#"{"name":"x","type":"int"}"#)});
    let registered = call(&target, Method::POST, "/subjects/own/versions", Some(own)).await;
    let latest = "/subjects/orders/versions/4";
    let highest = call(&source, Method::GET, latest, None).await["id"].as_i64();
    assert!(
        registered["id"].as_i64() > highest,
        "{registered} after {highest:?}"
    );

    // Again: everything is there, nothing is written.
    let again = import(&["--from", &source.url, "--to", &target.url]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(
        again.stdout.contains(": 0 registered, 5 already there"),
        "{again:?}"
    );
    source.stop().await;
    target.stop().await;
}

#[tokio::test]
async fn a_conflict_stops_the_import_before_anything_is_written() {
    let source = Registry::start().await;
    let target = Registry::start().await;
    fill(&source).await;
    // Id 1 on the target holds another schema.
    let other = record("Other", r#"{"name":"y","type":"int"}"#);
    call(
        &target,
        Method::POST,
        "/subjects/other/versions",
        Some(json!({"schema": other})),
    )
    .await;
    let run = import(&["--from", &source.url, "--to", &target.url]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("conflict: id 1 of money version 1 holds another schema on the target"),
        "{run:?}"
    );
    assert!(run.stdout.contains("nothing was written"), "{run:?}");
    assert_eq!(
        call(&target, Method::GET, "/subjects", None).await,
        json!(["other"])
    );
    assert_eq!(
        call(&target, Method::GET, "/mode", None).await["mode"],
        "READWRITE"
    );
    // A selection without the conflicting subject goes through.
    let some = import(&[
        "--from",
        &source.url,
        "--to",
        &target.url,
        "--context",
        ".tenant",
        "--verify",
    ]);
    assert_eq!(some.code, 0, "{some:?}");
    assert_eq!(
        call(&target, Method::GET, "/subjects", None).await,
        json!([":.tenant:events", "other"])
    );
    source.stop().await;
    target.stop().await;
}
