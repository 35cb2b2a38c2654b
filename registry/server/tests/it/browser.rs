//! The web UI in a real browser: `ui/tests/browser.mjs` drives Debian's
//! chromium through playwright-core against a registry seeded here
//! (`scripts/test` installs both). Screenshots go to
//! `HERALD_TEST_SCREENSHOTS` (`HERALD_UPDATE_SCREENSHOTS=1 scripts/test`:
//! docs/screenshots), else a temporary directory.

use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::support::TestServer;

#[tokio::test(flavor = "multi_thread")]
async fn the_ui_works_in_chromium() {
    let server = TestServer::start().await;
    let order = |fields: &str| {
        format!(
            r#"{{"type":"record","name":"Order","fields":[{{"name":"id","type":"long"}}{fields}]}}"#
        )
    };
    server.register_ok("orders-value", &order("")).await;
    server
        .put("/config/orders-value", json!({"compatibility": "NONE"}))
        .await;
    server
        .register_ok(
            "orders-value",
            &order(r#",{"name":"email","type":"string"}"#),
        )
        .await;
    server
        .put("/config/orders-value", json!({"compatibility": "BACKWARD"}))
        .await;
    server
        .register_typed(
            "shipments-value",
            "PROTOBUF",
            "syntax = \"proto3\";\npackage shop;\n// A parcel left.\nmessage Shipment { string order_id = 1; }\n",
            json!([]),
        )
        .await;
    server
        .register_typed(
            "payments-value",
            "JSON",
            r#"{"title":"Payment","type":"object","properties":{"cents":{"type":"integer"}}}"#,
            json!([]),
        )
        .await;

    let scratch = tempfile::tempdir().expect("temporary directory");
    let shots = std::env::var_os("HERALD_TEST_SCREENSHOTS")
        .map_or_else(|| scratch.path().to_path_buf(), std::path::PathBuf::from);
    let shots = shots.to_string_lossy().into_owned();
    let report = run_in_chromium("browser.mjs", vec![server.base.clone(), shots]).await;
    assert!(report.contains("browser test passed"), "{report}");
    server.stop().await;
}

/// Runs `ui/tests/{script}` with `args` under node; asserts it exited
/// cleanly and returns what it printed.
async fn run_in_chromium(script: &str, args: Vec<String>) -> String {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/tests");
    assert!(
        ui.join("node_modules/playwright-core").is_dir(),
        "playwright-core is missing: run scripts/test (it runs npm install in ui/tests)"
    );
    let script = script.to_owned();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .current_dir(&ui)
            .arg(script)
            .args(args)
            .output()
            .expect("node runs")
    })
    .await
    .expect("joined");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{report}");
    report
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_in_users_see_only_the_forms_they_may_use() {
    let (server, _dir) = crate::access::secured(None).await;
    let admin = herald_client::registry::RegistryClient::new(&server.base).with_auth(
        herald_client::registry::Auth::Basic {
            user: "admin".to_owned(),
            password: "admin-pw".to_owned(),
        },
    );
    for fields in ["", r#",{"name":"n","type":"int","default":0}"#] {
        let schema = herald_client::registry::RegisteredSchema {
            schema: format!(
                r#"{{"type":"record","name":"Order","fields":[{{"name":"id","type":"long"}}{fields}]}}"#
            ),
            schema_type: "AVRO".to_owned(),
            references: Vec::new(),
        };
        admin
            .register("orders-value", &schema)
            .await
            .expect("registered");
    }
    let report = run_in_chromium("signed-in.mjs", vec![server.base.clone()]).await;
    assert!(report.contains("signed-in browser test passed"), "{report}");
    server.stop().await;
}
