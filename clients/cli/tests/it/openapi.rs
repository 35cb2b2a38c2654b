//! The REST API's OpenAPI description (`/openapi.json`) checked by tools
//! nobody on the team wrote: `openapi-spec-validator` validates it, and
//! schemathesis exercises every operation it describes with generated
//! inputs against a real `herald serve`, requiring no 5xx and every answer
//! (status, media type, body) to match the description. Both come from
//! PyPI into the interop virtual environment `scripts/test` builds
//! (`HERALD_TEST_PYTHON`).

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::support::Registry;

/// A program installed next to the interop environment's Python.
fn interop_tool(name: &str) -> PathBuf {
    let python = std::env::var("HERALD_TEST_PYTHON").unwrap_or_else(|_| {
        panic!("HERALD_TEST_PYTHON is not set: run the tests with scripts/test, which installs the Python tools")
    });
    Path::new(&python)
        .parent()
        .expect("the environment's bin directory")
        .join(name)
}

/// Runs `program` with `args` in `dir`; returns whether it succeeded and
/// what it printed.
async fn run(program: &Path, args: &[&str], dir: &Path) -> (bool, String) {
    let output = tokio::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .await
        .unwrap_or_else(|error| panic!("{} runs: {error}", program.display()));
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{printed}");
    (output.status.success(), printed)
}

#[tokio::test]
async fn the_openapi_description_validates_and_schemathesis_finds_nothing() {
    let registry = Registry::start().await;
    let work = tempfile::tempdir().expect("temporary directory");
    let description = registry
        .http
        .get(format!("{}/openapi.json", registry.url))
        .send()
        .await
        .expect("GET /openapi.json");
    assert_eq!(description.status(), 200);
    let document: serde_json::Value = description.json().await.expect("JSON");
    assert_eq!(document["openapi"], "3.1.0");
    let file = work.path().join("openapi.json");
    std::fs::write(&file, document.to_string()).expect("written");

    let python = PathBuf::from(std::env::var("HERALD_TEST_PYTHON").unwrap_or_default());
    let file_arg = file.to_string_lossy();
    let (valid, report) = run(
        &python,
        &["-m", "openapi_spec_validator", &file_arg],
        work.path(),
    )
    .await;
    assert!(valid && report.contains("OK"), "{report}");

    // The description's own examples name `orders-value` version 1 and
    // schema id 1: register them so the example phase reaches real data.
    let example = &document["components"]["schemas"]["SchemaRequest"]["example"];
    let registered = registry
        .http
        .post(format!("{}/subjects/orders-value/versions", registry.url))
        .header("content-type", "application/vnd.schemaregistry.v1+json")
        .body(example.to_string())
        .send()
        .await
        .expect("registered");
    assert_eq!(registered.status(), 200);

    let seed = std::env::var("HERALD_SCHEMATHESIS_SEED").unwrap_or_else(|_| "1".to_owned());
    let (passed, report) = run(
        &interop_tool("schemathesis"),
        &[
            "run",
            &format!("{}/openapi.json", registry.url),
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples",
            "20",
            // A budget for the fuzzer, so the suite's time stays bounded.
            "--max-time",
            "300",
            "--seed",
            &seed,
            "--workers",
            "2",
            "--no-color",
        ],
        work.path(),
    )
    .await;
    assert!(passed, "schemathesis found failures:\n{report}");
    // Every operation described was exercised.
    let operations: usize = document["paths"]
        .as_object()
        .expect("paths")
        .values()
        .map(|item| item.as_object().map_or(0, |methods| methods.len()))
        .sum();
    assert!(operations >= 40, "{operations}");
    let all = format!("{operations} selected / {operations} total");
    assert!(report.contains(&all), "{all}:\n{report}");
    assert!(!report.contains("❌"), "{report}");
    registry.stop().await;
}
