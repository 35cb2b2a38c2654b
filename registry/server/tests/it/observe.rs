//! Request ids, and the Prometheus metrics moving after a workload.

use std::collections::HashMap;

use crate::support::{TestServer, evolving};

/// The samples of a Prometheus text exposition, by series (name and
/// labels as written), after checking that each family is declared once.
fn samples(text: &str) -> HashMap<String, f64> {
    let mut declared = std::collections::HashSet::new();
    let mut samples = HashMap::new();
    for line in text.lines() {
        if let Some(family) = line.strip_prefix("# TYPE ") {
            let name = family.split_whitespace().next().unwrap_or("").to_owned();
            assert!(declared.insert(name.clone()), "{name} declared twice");
            continue;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("a sample line");
        samples.insert(series.to_owned(), value.parse::<f64>().expect("a number"));
    }
    samples
}

async fn metrics(server: &TestServer) -> HashMap<String, f64> {
    let reply = server.get("/metrics").await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.content_type.starts_with("text/plain; version=0.0.4"),
        "{}",
        reply.content_type
    );
    samples(&reply.text)
}

#[tokio::test]
async fn requests_carry_an_id_and_move_the_metrics() {
    let server = TestServer::start().await;
    let before = metrics(&server).await;
    let registered = r#"herald_http_requests_total{route="/subjects/{subject}/versions",method="POST",status="200"}"#;
    let missing = r#"herald_http_requests_total{route="/subjects/{subject}/versions/{version}",method="GET",status="404"}"#;
    for step in 0..3 {
        server.register_ok("orders", &evolving("Order", step)).await;
    }
    server.get("/subjects/nobody/versions/1").await;
    let after = metrics(&server).await;
    let moved = |series: &str| {
        after.get(series).copied().unwrap_or(0.0) - before.get(series).copied().unwrap_or(0.0)
    };
    assert_eq!(moved(registered), 3.0, "{after:?}");
    assert_eq!(moved(missing), 1.0);
    let count = r#"herald_http_request_duration_seconds_count{route="/subjects/{subject}/versions",method="POST"}"#;
    assert_eq!(moved(count), 3.0);
    let slowest = r#"herald_http_request_duration_seconds_bucket{le="+Inf",route="/subjects/{subject}/versions",method="POST"}"#;
    assert_eq!(moved(slowest), 3.0);
    // No subject name ever becomes a label value.
    assert!(
        after
            .keys()
            .all(|series| !series.contains("orders") && !series.contains("nobody"))
    );
    assert!(after["process_resident_memory_bytes"] > 1_000_000.0);
    assert!(after["process_open_fds"] >= 3.0);
    assert!(after.contains_key("process_cpu_seconds_total"));
    assert!(
        after.contains_key(r#"herald_db_connections{pool="read",state="idle"}"#),
        "{after:?}"
    );
    assert!(after.contains_key(r#"herald_db_connections{pool="write",state="in_use"}"#));
    server.stop().await;
}

#[tokio::test]
async fn registrations_checks_caches_batches_and_watchers_are_counted() {
    let server = TestServer::start().await;
    let before = metrics(&server).await;
    server.register_ok("orders", &evolving("Order", 0)).await;
    server.register_ok("orders", &evolving("Order", 1)).await;
    let breaking = crate::support::record("Order", r#"{"name":"id","type":"string"}"#);
    server
        .register("orders", &breaking)
        .await
        .assert_error(40901);
    server
        .register("orders", "{not json")
        .await
        .assert_error(42201);
    for _ in 0..3 {
        server.get("/subjects/orders/versions/1").await;
    }
    let after = metrics(&server).await;
    let moved = |series: &str| {
        after.get(series).copied().unwrap_or(0.0) - before.get(series).copied().unwrap_or(0.0)
    };
    let registrations = |outcome: &str| {
        moved(&format!(
            r#"herald_registrations_total{{format="AVRO",outcome="{outcome}"}}"#
        ))
    };
    assert_eq!(
        (
            registrations("ok"),
            registrations("incompatible"),
            registrations("invalid")
        ),
        (2.0, 1.0, 1.0),
        "{after:?}"
    );
    let checks = |verdict: &str| {
        moved(&format!(
            r#"herald_compatibility_checks_total{{format="AVRO",level="BACKWARD",verdict="{verdict}"}}"#
        ))
    };
    assert!(checks("compatible") >= 1.0, "{after:?}");
    assert_eq!(checks("incompatible"), 1.0);
    let lookups: f64 = ["hit", "miss"]
        .iter()
        .flat_map(|result| ["row", "parsed"].map(|cache| (cache, *result)))
        .map(|(cache, result)| {
            moved(&format!(
                r#"herald_schema_cache_lookups_total{{cache="{cache}",result="{result}"}}"#
            ))
        })
        .sum();
    assert!(lookups >= 3.0, "{after:?}");
    assert!(moved("herald_write_batch_writes_count") >= 1.0, "{after:?}");
    assert!(moved("herald_write_batch_writes_sum") >= 2.0);
    assert!(moved("herald_write_commit_duration_seconds_count") >= 1.0);
    assert!(
        moved("herald_db_acquire_duration_seconds_count") >= 3.0,
        "{after:?}"
    );
    assert!(after.contains_key("herald_replica_lag_seconds"));

    // A change-feed watcher is counted while it watches.
    let mut grpc =
        herald_server::grpc::pb::registry_client::RegistryClient::connect(server.base.clone())
            .await
            .expect("gRPC connects");
    let request = herald_server::grpc::pb::WatchSubjectsRequest {
        after_sequence: 0,
        subject_prefix: String::new(),
    };
    let stream = grpc.watch_subjects(request).await.expect("watching");
    let watching = metrics(&server).await;
    assert_eq!(watching["herald_change_feed_watchers"], 1.0);
    // gRPC calls are counted by method and status code.
    let found = grpc
        .get_schema(herald_server::grpc::pb::GetSchemaRequest { id: 1 })
        .await;
    assert!(found.is_ok(), "{found:?}");
    let missing = grpc
        .get_schema(herald_server::grpc::pb::GetSchemaRequest { id: 999 })
        .await;
    assert_eq!(
        missing.expect_err("no such id").code(),
        tonic::Code::NotFound
    );
    let called = metrics(&server).await;
    let calls = |code: &str| {
        let series = format!(
            r#"herald_grpc_requests_total{{method="/herald.registry.v1.Registry/GetSchema",code="{code}"}}"#
        );
        called.get(&series).copied().unwrap_or(0.0) - watching.get(&series).copied().unwrap_or(0.0)
    };
    assert_eq!((calls("OK"), calls("NOT_FOUND")), (1.0, 1.0), "{called:?}");
    let latency = r#"herald_grpc_request_duration_seconds_count{method="/herald.registry.v1.Registry/GetSchema"}"#;
    assert!(called[latency] >= 2.0);
    drop(stream);
    let mut gone = false;
    for _ in 0..100 {
        if metrics(&server).await["herald_change_feed_watchers"] == 0.0 {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(gone, "the watcher is no longer counted once it left");
    server.stop().await;
}

#[tokio::test]
async fn a_client_request_id_is_echoed_and_a_bad_one_replaced() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();
    let send = |id: &'static str| {
        client
            .get(format!("{}/subjects", server.base))
            .header("x-request-id", id)
            .send()
    };
    let kept = send("trace-7f3a").await.expect("answered");
    assert_eq!(kept.headers()["x-request-id"], "trace-7f3a");
    // Too long, or none: a new UUID per request.
    let long: &'static str = Box::leak("x".repeat(200).into_boxed_str());
    let replaced = send(long).await.expect("answered");
    let id = |response: &reqwest::Response| {
        response.headers()["x-request-id"]
            .to_str()
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(id(&replaced).len(), 36, "{}", id(&replaced));
    let url = format!("{}/subjects", server.base);
    let first = client.get(&url).send().await.expect("answered");
    let second = client.get(&url).send().await.expect("answered");
    assert_eq!(id(&first).len(), 36);
    assert_ne!(id(&first), id(&second));
    // gRPC calls on the shared port get one too.
    let grpc = client
        .post(format!(
            "{}/herald.registry.v1.Registry/ListSubjects",
            server.base
        ))
        .header("content-type", "application/grpc")
        .send()
        .await
        .expect("answered");
    assert_eq!(id(&grpc).len(), 36);
    server.stop().await;
}

/// The metric names an expression file refers to.
fn referenced(text: &str) -> std::collections::BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_lowercase() || c == '_'))
        .filter(|word| word.starts_with("herald_") || word.starts_with("process_"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_dashboard_and_alerts_use_metrics_the_server_exposes() {
    let server = TestServer::start().await;
    server.register_ok("orders", &evolving("Order", 0)).await;
    let breaking = crate::support::record("Order", r#"{"name":"id","type":"string"}"#);
    server
        .register("orders", &breaking)
        .await
        .assert_error(40901);
    server.get("/subjects/orders/versions/1").await;
    let mut grpc =
        herald_server::grpc::pb::registry_client::RegistryClient::connect(server.base.clone())
            .await
            .expect("gRPC connects");
    let found = grpc
        .get_schema(herald_server::grpc::pb::GetSchemaRequest { id: 1 })
        .await;
    assert!(found.is_ok(), "{found:?}");
    let exposed: std::collections::BTreeSet<String> = metrics(&server)
        .await
        .keys()
        .map(|series| series.split('{').next().unwrap_or("").to_owned())
        .collect();
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/monitoring");
    let dashboard =
        std::fs::read_to_string(docs.join("grafana-dashboard.json")).expect("dashboard");
    let parsed: serde_json::Value =
        serde_json::from_str(&dashboard).expect("the dashboard is JSON");
    let panels = parsed["panels"].as_array().map_or(0, Vec::len);
    assert!(panels >= 8, "{panels} panels");
    let alerts = std::fs::read_to_string(docs.join("alerts.yml")).expect("alerts");
    for name in [
        "HeraldServerErrors",
        "HeraldRefusalsRising",
        "HeraldSlowCommits",
        "HeraldReplicaLagging",
    ] {
        assert!(alerts.contains(&format!("alert: {name}")), "{name}");
    }
    for (file, text) in [
        ("grafana-dashboard.json", &dashboard),
        ("alerts.yml", &alerts),
    ] {
        let names = referenced(text);
        assert!(names.len() >= 4, "{file}: {names:?}");
        for name in names {
            assert!(
                exposed.contains(&name),
                "{file} uses {name}, which /metrics does not expose: {exposed:?}"
            );
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn a_check_repeating_a_text_is_not_parsed_again() {
    let server = TestServer::start().await;
    server.register_ok("orders", &evolving("Order", 0)).await;
    let next = serde_json::json!({ "schema": evolving("Order", 1) });
    let path = "/compatibility/subjects/orders/versions/latest";
    let text = |result: &str| {
        format!(r#"herald_schema_cache_lookups_total{{cache="text",result="{result}"}}"#)
    };
    let before = metrics(&server).await;
    let first = server.post(path, next.clone()).await;
    assert_eq!(first.body["is_compatible"], true, "{first:?}");
    let between = metrics(&server).await;
    let second = server.post(path, next).await;
    assert_eq!(second.body, first.body);
    let after = metrics(&server).await;
    let moved = |from: &HashMap<String, f64>, to: &HashMap<String, f64>, series: &str| {
        to.get(series).copied().unwrap_or(0.0) - from.get(series).copied().unwrap_or(0.0)
    };
    // The first check parsed the text; the second found it parsed.
    assert_eq!(moved(&before, &between, &text("miss")), 1.0, "{between:?}");
    assert_eq!(moved(&between, &after, &text("hit")), 1.0, "{after:?}");
    assert_eq!(moved(&between, &after, &text("miss")), 0.0);
    server.stop().await;
}
