//! Interoperability with Confluent's own Python client (confluent-kafka):
//! `interop/confluent-python/check_registry.py` drives a real `herald serve`,
//! `check_contracts.py` its data contracts, and `check_auth.py` one with
//! access control on.
//! `scripts/test` installs the client and sets `HERALD_TEST_PYTHON`.

use std::path::Path;
use std::process::Stdio;

use herald_server::access::{Grant, UsersFile};

use crate::support::{free_port, serve_on, terminate, wait_until_up};

/// Runs `interop/confluent-python/{script}` with `args` against a `herald
/// serve` started with `serve_args`, and asserts that every check passed.
async fn run_checks(script: &str, serve_args: &[&std::ffi::OsStr], args: &[String]) {
    let python = std::env::var("HERALD_TEST_PYTHON").unwrap_or_else(|_| {
        panic!("HERALD_TEST_PYTHON is not set: run the tests with scripts/test, which installs confluent-kafka")
    });
    let dir = tempfile::tempdir().expect("temporary directory");
    let port = free_port();
    let mut child = serve_on(port)
        .arg("--data-dir")
        .arg(dir.path())
        .args(serve_args)
        .spawn()
        .expect("herald starts");
    wait_until_up(&mut child, port).await;
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../interop/confluent-python")
        .join(script);
    let url = format!("http://127.0.0.1:{port}");
    let output = tokio::process::Command::new(python)
        .arg(script)
        .arg(&url)
        .args(args)
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

#[tokio::test]
async fn confluent_python_client_works_unchanged() {
    run_checks("check_registry.py", &[], &[]).await;
}

/// Data contracts: `use.latest.with.metadata` picks the version by its
/// metadata, and the client's rule executors run that version's rules.
#[tokio::test]
async fn confluent_python_client_follows_data_contracts() {
    run_checks("check_contracts.py", &[], &[]).await;
}

#[tokio::test]
async fn confluent_python_client_signs_in_with_basic_auth_and_a_bearer_token() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut users = UsersFile::default();
    for (name, grant) in [("app", "writer:basic-"), ("viewer", "reader")] {
        let grant: Grant = grant.parse().expect("a grant");
        users
            .set_user(name, &format!("{name}-pw"), &[grant])
            .expect("added");
    }
    users.save(&dir.path().join("users.toml")).expect("saved");
    let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../registry/server/tests/data/jwt");
    let auth = dir.path().join("auth.toml");
    std::fs::write(
        &auth,
        format!(
            "users = \"users.toml\"\n[jwt]\npublic_keys = [{:?}]\naudience = \"herald\"\n",
            keys.join("eddsa.pub")
        ),
    )
    .expect("written");
    let pem = std::fs::read(keys.join("eddsa.key")).expect("the test key");
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() + 600);
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA),
        &serde_json::json!({
            "sub": "orders-service", "aud": "herald", "exp": expires,
            "herald_grants": ["writer:bearer-"],
        }),
        &jsonwebtoken::EncodingKey::from_ed_pem(&pem).expect("a private key"),
    )
    .expect("signed");
    run_checks(
        "check_auth.py",
        &["--auth".as_ref(), auth.as_os_str()],
        &[
            "app:app-pw".to_owned(),
            "viewer:viewer-pw".to_owned(),
            token,
        ],
    )
    .await;
}
