//! `herald migrate-store`: a SQLite registry copied into PostgreSQL answers
//! every read the same way, ids and versions included, and numbering
//! continues after the copied data.

use std::process::Stdio;

use herald_testing::TestDatabase;
use serde_json::{Value, json};

use crate::support::{Registry, free_port, herald, serve_on, terminate, wait_until_up};

const V1: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}"#;
const V2: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"note","type":"string","default":""}]}"#;

/// The reads compared before and after the copy.
const READS: &[&str] = &[
    "/subjects",
    "/subjects?deleted=true",
    "/subjects/orders/versions",
    "/subjects/orders/versions?deleted=true",
    "/subjects/orders/versions/1?deleted=true",
    "/subjects/orders/versions/latest",
    "/subjects/payments/versions/1",
    "/subjects/:.audit:events/versions/1",
    "/schemas/ids/1",
    "/schemas/ids/2",
    "/schemas/ids/3",
    "/schemas/ids/1?subject=:.audit:events",
    "/config/orders",
    "/config/order",
    "/subjects/order/versions",
    "/mode/payments",
    "/contexts",
];

async fn snapshot(http: &reqwest::Client, url: &str) -> Vec<(u16, Value)> {
    let mut answers = Vec::new();
    for path in READS {
        let response = http
            .get(format!("{url}{path}"))
            .send()
            .await
            .expect("answered");
        answers.push((
            response.status().as_u16(),
            response.json().await.unwrap_or(Value::Null),
        ));
    }
    answers
}

async fn post(http: &reqwest::Client, url: String, body: Value) -> Value {
    http.post(url)
        .json(&body)
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON")
}

#[tokio::test]
async fn a_sqlite_registry_moves_to_postgres_with_its_ids() {
    let source = Registry::start().await;
    let (http, url) = (source.http.clone(), source.url.clone());
    for (subject, schema) in [
        ("orders", V1),
        ("orders", V2),
        ("payments", r#""string""#),
        (":.audit:events", r#""long""#),
        ("scratch", r#""bytes""#),
    ] {
        let body = post(
            &http,
            format!("{url}/subjects/{subject}/versions"),
            json!({ "schema": schema }),
        )
        .await;
        assert!(body["id"].is_number(), "{body}");
    }
    http.delete(format!("{url}/subjects/orders/versions/1"))
        .send()
        .await
        .expect("soft-deleted");
    http.delete(format!("{url}/subjects/scratch"))
        .send()
        .await
        .expect("soft-deleted");
    http.delete(format!("{url}/subjects/scratch?permanent=true"))
        .send()
        .await
        .expect("deleted for good");
    http.put(format!("{url}/config/orders"))
        .json(&json!({"compatibility": "FULL", "validateFields": true,
            "defaultRuleSet": {"domainRules": [{"name": "r", "type": "CEL", "expr": "true"}]}}))
        .send()
        .await
        .expect("config set");
    http.put(format!("{url}/config/order"))
        .json(&json!({"alias": "orders"}))
        .send()
        .await
        .expect("alias set");
    http.put(format!("{url}/mode/payments"))
        .json(&json!({"mode": "READONLY"}))
        .send()
        .await
        .expect("mode set");
    let before = snapshot(&http, &url).await;
    assert!(
        before.iter().all(|(status, _)| *status == 200),
        "{before:?}"
    );
    let data = source.stop_keeping_data().await;
    let sqlite = format!("sqlite://{}/herald.db", data.path().display());

    let target = TestDatabase::postgres().await;
    let copy = herald()
        .args(["migrate-store", "--from", &sqlite, "--to", &target.url()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("herald runs");
    assert!(copy.status.success(), "{copy:?}");
    let report = String::from_utf8_lossy(&copy.stdout);
    assert!(report.contains("subjects: 3 rows"), "{report}");
    assert!(report.contains("schemas: 4 rows"), "{report}");

    let port = free_port();
    let mut served = serve_on(port)
        .args(["--database-url", &target.url()])
        .spawn()
        .expect("herald serve starts");
    let http = wait_until_up(&mut served, port).await;
    let url = format!("http://127.0.0.1:{port}");
    assert_eq!(snapshot(&http, &url).await, before);
    // The scratch schema's id (4) was used once: the next one is 5.
    let next = post(
        &http,
        format!("{url}/subjects/fresh/versions"),
        json!({ "schema": r#""int""# }),
    )
    .await;
    assert_eq!(next["id"], 5, "{next}");
    assert!(terminate(served).await.success());

    // A target that holds data is refused, and keeps its data.
    let again = herald()
        .args(["migrate-store", "--from", &sqlite, "--to", &target.url()])
        .stderr(Stdio::piped())
        .output()
        .expect("herald runs");
    assert_eq!(again.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("already holds registry data"), "{stderr}");
}
