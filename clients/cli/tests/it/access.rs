//! `herald users add` writes the credentials file `herald serve --auth`
//! reads, and the gate commands sign in with `HERALD_REGISTRY_AUTH`.

use std::io::Write;
use std::process::Stdio;

use crate::support::{free_port, herald, serve_on, terminate, wait_until_up, write_files};

/// `herald users add NAME ARGS...` with `password` on standard input.
fn add_user(dir: &std::path::Path, name: &str, password: &str, args: &[&str]) -> String {
    let mut child = herald()
        .current_dir(dir)
        .args(["users", "add", name])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("herald runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("password written");
    let output = child.wait_with_output().expect("herald exits");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn users_added_on_the_command_line_sign_in_from_the_gate() {
    let work = tempfile::tempdir().expect("temporary directory");
    let dir = work.path();
    let printed = add_user(
        dir,
        "ci",
        "ci-s3cret",
        &["--grant", "writer:orders-", "--grant", "reader"],
    );
    assert!(
        printed.contains("ci: writer:orders-, reader in users.toml"),
        "{printed}"
    );
    add_user(dir, "viewer", "viewer-pw", &["--role", "reader"]);
    let stored = std::fs::read_to_string(dir.join("users.toml")).expect("written");
    assert!(stored.contains("$argon2id$"), "{stored}");
    assert!(
        !stored.contains("ci-s3cret"),
        "the password itself is never stored"
    );
    let refused = herald()
        .current_dir(dir)
        .args(["users", "add", "nobody", "--role", "owner"])
        .output()
        .expect("herald runs");
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");

    write_files(
        dir,
        &[
            ("auth.toml", "users = \"users.toml\"\n"),
            (
                "herald.toml",
                "[[subject]]\nname = \"orders-value\"\nfile = \"order.avsc\"\n",
            ),
            (
                "order.avsc",
                r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}"#,
            ),
        ],
    );
    let port = free_port();
    let mut server = serve_on(port)
        .args(["--data-dir", &dir.join("data").to_string_lossy()])
        .args(["--auth", &dir.join("auth.toml").to_string_lossy()])
        .spawn()
        .expect("herald serve starts");
    wait_until_up(&mut server, port).await;
    let url = format!("http://127.0.0.1:{port}");

    let register = |auth: Option<&str>| {
        let mut command = herald();
        command
            .current_dir(dir)
            .args(["register", "--registry", &url])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(auth) = auth {
            command.env("HERALD_REGISTRY_AUTH", auth);
        }
        command.output().expect("herald runs")
    };
    let anonymous = register(None);
    assert_eq!(anonymous.status.code(), Some(2), "{anonymous:?}");
    assert!(
        String::from_utf8_lossy(&anonymous.stderr).contains("40101"),
        "{anonymous:?}"
    );
    let viewer = register(Some("viewer:viewer-pw"));
    assert!(
        String::from_utf8_lossy(&viewer.stderr).contains("40301"),
        "{viewer:?}"
    );
    let ci = register(Some("ci:ci-s3cret"));
    assert!(ci.status.success(), "{ci:?}");
    assert!(
        String::from_utf8_lossy(&ci.stdout).contains("orders-value: id 1, version 1"),
        "{ci:?}"
    );
    assert!(terminate(server).await.success());
}
