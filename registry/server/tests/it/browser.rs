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

    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/tests");
    assert!(
        ui.join("node_modules/playwright-core").is_dir(),
        "playwright-core is missing: run scripts/test (it runs npm install in ui/tests)"
    );
    let scratch = tempfile::tempdir().expect("temporary directory");
    let shots = std::env::var_os("HERALD_TEST_SCREENSHOTS")
        .map_or_else(|| scratch.path().to_path_buf(), std::path::PathBuf::from);
    let base = server.base.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .current_dir(&ui)
            .arg("browser.mjs")
            .arg(&base)
            .arg(&shots)
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
    assert!(report.contains("browser test passed"), "{report}");
    server.stop().await;
}
