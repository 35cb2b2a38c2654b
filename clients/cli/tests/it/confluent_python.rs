//! Interoperability with Confluent's own Python client (confluent-kafka):
//! `interop/confluent-python/check_registry.py` drives a real `herald serve`.
//! `scripts/test` installs the client and sets `HERALD_TEST_PYTHON`.

use std::process::Stdio;

use crate::support::{free_port, serve_on, terminate, wait_until_up};

#[tokio::test]
async fn confluent_python_client_works_unchanged() {
    let python = std::env::var("HERALD_TEST_PYTHON").unwrap_or_else(|_| {
        panic!("HERALD_TEST_PYTHON is not set: run the tests with scripts/test, which installs confluent-kafka")
    });
    let dir = tempfile::tempdir().expect("temporary directory");
    let port = free_port();
    let mut child = serve_on(port)
        .arg("--data-dir")
        .arg(dir.path())
        .spawn()
        .expect("herald starts");
    wait_until_up(&mut child, port).await;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../interop/confluent-python/check_registry.py"
    );
    let url = format!("http://127.0.0.1:{port}");
    let output = tokio::process::Command::new(python)
        .arg(script)
        .arg(&url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .await
        .expect("python runs");
    let status = terminate(child).await;
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{report}");
    assert!(
        output.status.success(),
        "the Confluent client checks failed:\n{report}"
    );
    assert!(report.contains(" passed, 0 failed"), "{report}");
    assert!(status.success());
}
