//! `herald check`, `register`, `fetch` and `diff` against a real registry,
//! and `herald compat --against-git` in a temporary git repository.

use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::support::{Registry, Run, free_port, run_in, write_files};

const MONEY: &str = r#"{"type":"record","name":"Money","namespace":"com.acme","fields":[{"name":"cents","type":"long"}]}"#;
const ORDER: &str = "{\n  \"type\": \"record\",\n  \"name\": \"Order\",\n  \"namespace\": \"com.acme\",\n  \"fields\": [\n    {\"name\": \"id\", \"type\": \"long\"},\n    {\"name\": \"total\", \"type\": \"com.acme.Money\"}\n  ]\n}\n";
const EVENT: &str = r#"{"type":"object","properties":{"id":{"type":"string"}}}"#;
const PROTO: &str = "syntax = \"proto3\";\npackage shop;\nmessage Shipped {\n  string id = 1;\n  int64 at = 2;\n}\n";

fn project(registry: &str) -> String {
    format!(
        r#"registry = "{registry}"
[[subject]]
name = "money"
file = "schemas/money.avsc"
[[subject]]
name = "orders-value"
file = "schemas/order.avsc"
references = [{{ name = "com.acme.Money", subject = "money", version = "latest" }}]
[[subject]]
name = "events-value"
file = "schemas/event.json"
[[subject]]
dir = "proto"
"#
    )
}

fn write_project(dir: &Path, registry: &str) {
    write_files(
        dir,
        &[
            ("herald.toml", &project(registry)),
            ("schemas/money.avsc", MONEY),
            ("schemas/order.avsc", ORDER),
            ("schemas/event.json", EVENT),
            ("proto/shop/shipped.proto", PROTO),
        ],
    );
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("file read");
    assert!(text.contains(from), "{file} holds {from}");
    std::fs::write(&path, text.replace(from, to)).expect("file written");
}

fn subject<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["results"]
        .as_array()
        .and_then(|results| results.iter().find(|r| r["subject"] == name))
        .unwrap_or_else(|| panic!("{name} in {report}"))
}

#[tokio::test]
async fn check_register_fetch_and_diff_against_a_real_registry() {
    let registry = Registry::start().await;
    let (http, url) = (registry.http.clone(), registry.url.clone());
    let work = tempfile::tempdir().expect("temporary directory");
    let dir = work.path();
    write_project(dir, &url);

    // Nothing registered yet: money, events and shipped are new; orders
    // cannot resolve its reference to money yet.
    let first = run_in(
        dir,
        &["check", "--subject", "money", "--subject", "events-value"],
    );
    assert_eq!(first.code, 0, "{first:?}");
    assert!(
        first
            .stdout
            .contains("money: compatible (subject money not found on http://"),
        "{first:?}"
    );

    let registered = run_in(dir, &["register"]);
    assert_eq!(registered.code, 0, "{registered:?}");
    let lines: Vec<&str> = registered.stdout.lines().collect();
    assert_eq!(
        lines[0], "money: id 1, version 1",
        "references first: {registered:?}"
    );
    assert!(
        lines.contains(&"orders-value: id 2, version 1"),
        "{registered:?}"
    );
    assert!(
        lines.contains(&"shop.Shipped-value: id 4, version 1"),
        "{registered:?}"
    );
    let again = run_in(dir, &["register"]);
    assert_eq!(
        again.stdout, registered.stdout,
        "registering again changes nothing"
    );

    // All compatible now.
    let clean = run_in(dir, &["check", "--format", "json"]);
    assert_eq!(
        (clean.code, clean.json()["compatible"].clone()),
        (0, json!(true)),
        "{clean:?}"
    );

    // A breaking Avro change, located in the file.
    edit(
        dir,
        "schemas/order.avsc",
        "{\"name\": \"id\", \"type\": \"long\"},",
        "{\"name\": \"id\", \"type\": \"long\"},\n    {\"name\": \"email\", \"type\": \"string\"},",
    );
    let broken = run_in(dir, &["check"]);
    assert_eq!(broken.code, 1, "{broken:?}");
    assert!(
        broken
            .stdout
            .contains("schemas/order.avsc:7:5: READER_FIELD_MISSING_DEFAULT_VALUE:"),
        "{broken:?}"
    );
    let github = run_in(
        dir,
        &["check", "--subject", "orders-value", "--format", "github"],
    );
    assert!(
        github
            .stdout
            .starts_with("::error file=schemas/order.avsc,line=7,col=5,"),
        "{github:?}"
    );
    edit(
        dir,
        "schemas/order.avsc",
        "\"type\": \"string\"}",
        "\"type\": \"string\", \"default\": \"\"}",
    );
    assert_eq!(run_in(dir, &["check", "--subject", "orders-value"]).code, 0);

    // JSON Schema: STRICT refuses an optional property on an open object,
    // --policy LENIENT (or the subject's config) admits it.
    edit(
        dir,
        "schemas/event.json",
        r#""id":{"type":"string"}"#,
        r#""id":{"type":"string"},"note":{"type":"string"}"#,
    );
    let strict = run_in(
        dir,
        &["check", "--subject", "events-value", "--format", "json"],
    );
    assert_eq!(strict.code, 1, "{strict:?}");
    let report = strict.json();
    let finding = &subject(&report, "events-value")["findings"][0];
    assert_eq!(
        finding["rule"],
        "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
    );
    assert_eq!(finding["file"], "schemas/event.json");
    assert_eq!(
        run_in(
            dir,
            &["check", "--subject", "events-value", "--policy", "LENIENT"]
        )
        .code,
        0
    );

    // Protobuf: Confluent's diff by default; --rules picks a buf category.
    edit(
        dir,
        "proto/shop/shipped.proto",
        "int64 at = 2;",
        "string at = 2;",
    );
    let confluent = run_in(
        dir,
        &[
            "check",
            "--subject",
            "shop.Shipped-value",
            "--format",
            "json",
        ],
    );
    assert_eq!(confluent.code, 1, "{confluent:?}");
    let wire = run_in(
        dir,
        &[
            "check",
            "--subject",
            "shop.Shipped-value",
            "--rules",
            "WIRE",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        subject(&wire.json(), "shop.Shipped-value")["findings"][0]["rule"],
        "FIELD_WIRE_COMPATIBLE_TYPE",
        "{wire:?}"
    );
    let listed = run_in(
        dir,
        &["check", "--rules", "FIELD_SAME_TYPE,FIELD_NO_DELETE"],
    );
    assert_eq!(listed.code, 2, "rule lists are offline only: {listed:?}");
    edit(
        dir,
        "proto/shop/shipped.proto",
        "string at = 2;",
        "int64 at = 2;",
    );

    // Transitive levels judge against every version.
    http.put(format!("{url}/config/money"))
        .json(&json!({"compatibility": "BACKWARD_TRANSITIVE"}))
        .send()
        .await
        .expect("config set");
    edit(
        dir,
        "schemas/money.avsc",
        r#"{"name":"cents","type":"long"}"#,
        r#"{"name":"cents","type":"long"},{"name":"currency","type":"string","default":"EUR"}"#,
    );
    assert_eq!(run_in(dir, &["register", "--subject", "money"]).code, 0);
    // Reads version 2 (currency has a default there) but not version 1.
    edit(
        dir,
        "schemas/money.avsc",
        r#""default":"EUR""#,
        r#""doc":"ISO 4217""#,
    );
    let transitive = run_in(dir, &["check", "--subject", "money"]);
    assert_eq!(transitive.code, 1, "{transitive:?}");

    // fetch writes the schema and what it references.
    let out = dir.join("fetched");
    let fetched = run_in(
        dir,
        &[
            "fetch",
            "--subject",
            "orders-*",
            "--out",
            &out.to_string_lossy(),
        ],
    );
    assert_eq!(fetched.code, 0, "{fetched:?}");
    assert_eq!(
        std::fs::read_to_string(out.join("orders-value.avsc"))
            .ok()
            .map(|t| t.contains("\"Order\"")),
        Some(true)
    );
    assert!(out.join("money.avsc").is_file(), "{fetched:?}");
    let none = run_in(
        dir,
        &[
            "fetch",
            "--subject",
            "nothing-*",
            "--out",
            &out.to_string_lossy(),
        ],
    );
    assert_eq!(none.code, 2, "{none:?}");

    // diff: a unified diff, then the verdict between the versions.
    let diff = run_in(dir, &["diff", "money", "1", "2"]);
    assert_eq!(diff.code, 0, "{diff:?}");
    assert!(
        diff.stdout.contains("--- money version 1 (id 1)"),
        "{diff:?}"
    );
    assert!(
        diff.stdout.contains("+      \"name\": \"currency\","),
        "{diff:?}"
    );
    assert!(diff.stdout.contains("money 1 -> 2: compatible"), "{diff:?}");

    // An invalid schema is exit 1 with its reason.
    std::fs::write(dir.join("schemas/event.json"), r#"{"type": 5}"#).expect("written");
    let invalid = run_in(dir, &["check", "--subject", "events-value"]);
    assert_eq!(invalid.code, 1, "{invalid:?}");
    assert!(invalid.stdout.contains("INVALID_SCHEMA"), "{invalid:?}");

    registry.stop().await;
}

#[tokio::test]
async fn check_passes_on_what_the_registry_only_warns_about() {
    let registry = Registry::start().await;
    let (http, url) = (registry.http.clone(), registry.url.clone());
    // A schema imported from a registry that did not validate defaults.
    let legacy = r#"{"type":"record","name":"Legacy","fields":[{"name":"n","type":"int","default":"zero"}]}"#;
    let send = |method: reqwest::Method, path: &str, body: serde_json::Value| {
        http.request(method, format!("{url}{path}"))
            .json(&body)
            .send()
    };
    let mode = |mode: &str| json!({"mode": mode});
    assert!(
        send(reqwest::Method::PUT, "/mode", mode("IMPORT"))
            .await
            .is_ok()
    );
    let imported = send(
        reqwest::Method::POST,
        "/subjects/legacy/versions",
        json!({"schema": legacy, "id": 40}),
    )
    .await
    .expect("imported");
    assert_eq!(imported.status(), 200);
    assert!(
        send(reqwest::Method::PUT, "/mode", mode("READWRITE"))
            .await
            .is_ok()
    );
    let work = tempfile::tempdir().expect("temporary directory");
    let fixed = legacy.replace(r#""default":"zero""#, r#""default":0"#);
    write_files(
        work.path(),
        &[
            (
                "herald.toml",
                &format!(
                    "registry = \"{url}\"\n[[subject]]\nname = \"legacy\"\nfile = \"legacy.avsc\"\n"
                ),
            ),
            ("legacy.avsc", &fixed),
        ],
    );
    let text = run_in(work.path(), &["check"]);
    assert_eq!(text.code, 0, "{text:?}");
    assert!(
        text.stdout.contains(
            "legacy: warning: version 1: the default \"zero\" of field 'n' in record 'Legacy' does not match its type"
        ),
        "{text:?}"
    );
    let github = run_in(work.path(), &["check", "--format", "github"]);
    assert!(
        github
            .stdout
            .contains("::warning title=herald::legacy: version 1: the default"),
        "{github:?}"
    );
    let report = run_in(work.path(), &["check", "--format", "json"]).json();
    assert_eq!(subject(&report, "legacy")["compatible"], json!(true));
    assert_eq!(
        subject(&report, "legacy")["warnings"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "{report}"
    );
    let junit = run_in(work.path(), &["check", "--format", "junit"]);
    assert!(
        junit.stdout.contains("<system-out>warning: version 1:"),
        "{junit:?}"
    );
    registry.stop().await;
}

#[test]
fn an_unreachable_registry_is_exit_2_with_advice() {
    let work = tempfile::tempdir().expect("temporary directory");
    write_project(work.path(), &format!("http://127.0.0.1:{}", free_port()));
    let run: Run = run_in(work.path(), &["check"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("cannot reach the registry at http://127.0.0.1:"),
        "{run:?}"
    );
    assert!(run.stderr.contains("herald serve"), "{run:?}");
    let no_project = run_in(&work.path().join("schemas"), &["check"]);
    assert_eq!(no_project.code, 2, "{no_project:?}");
    assert!(no_project.stderr.contains("herald.toml"), "{no_project:?}");
}

/// A registry stand-in on a free port that answers `GET /subjects` with
/// `[]` once and returns the request's `authorization` header.
fn one_request_registry() -> (String, std::thread::JoinHandle<Option<String>>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let seen = std::thread::spawn(move || {
        let (stream, _) = listener.accept().expect("the CLI connects");
        let mut reader = BufReader::new(stream.try_clone().expect("stream"));
        let mut authorization = None;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("a header line");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(": ")
                && name.eq_ignore_ascii_case("authorization")
            {
                authorization = Some(value.to_owned());
            }
        }
        let mut stream = stream;
        stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n[]")
            .expect("answer");
        authorization
    });
    (url, seen)
}

#[test]
fn credentials_from_herald_registry_auth_are_sent() {
    let work = tempfile::tempdir().expect("temporary directory");
    let cases = [
        ("reader:s3cret", "Basic cmVhZGVyOnMzY3JldA=="),
        ("a-bearer-token", "Bearer a-bearer-token"),
    ];
    for (auth, header) in cases {
        let (url, seen) = one_request_registry();
        let run = crate::support::herald()
            .current_dir(work.path())
            .env("HERALD_REGISTRY_AUTH", auth)
            .args(["fetch", "--subject", "orders-value", "--out", "out"])
            .args(["--registry", &url])
            .output()
            .expect("herald runs");
        // The stand-in knows no subject: nothing to fetch.
        assert_eq!(run.status.code(), Some(2), "{run:?}");
        assert_eq!(seen.join().expect("served").as_deref(), Some(header));
    }
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.email=ci@herald.test",
            "-c",
            "user.name=Herald CI",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(status.status.success(), "git {args:?}: {status:?}");
}

#[test]
fn against_git_compares_the_working_tree_with_a_revision() {
    let work = tempfile::tempdir().expect("temporary directory");
    let dir = work.path();
    write_project(dir, "http://unused.invalid");
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "schemas"]);
    assert_eq!(run_in(dir, &["compat", "--against-git", "main"]).code, 0);
    // Money's cents narrowed: money and the order that embeds it break.
    edit(
        dir,
        "schemas/money.avsc",
        r#""type":"long""#,
        r#""type":"int""#,
    );
    let run = run_in(
        dir,
        &["compat", "--against-git", "main", "--format", "json"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let report = run.json();
    assert_eq!(
        subject(&report, "money")["findings"][0]["rule"],
        "TYPE_MISMATCH"
    );
    assert_eq!(
        subject(&report, "orders-value")["findings"][0]["path"],
        "/fields/1/type/fields/0/type"
    );
    assert_eq!(subject(&report, "events-value")["compatible"], true);
    // A file added since the revision is new, not broken.
    write_files(
        dir,
        &[(
            "proto/shop/returned.proto",
            "syntax = \"proto3\";\npackage shop;\nmessage Returned { string id = 1; }\n",
        )],
    );
    let added = run_in(
        dir,
        &[
            "compat",
            "--against-git",
            "main",
            "--subject",
            "shop.Returned-value",
        ],
    );
    assert_eq!(added.code, 0, "{added:?}");
    assert!(added.stdout.contains("is new since main"), "{added:?}");
    let bad_revision = run_in(dir, &["compat", "--against-git", "no-such-branch"]);
    assert_eq!(bad_revision.code, 2, "{bad_revision:?}");
}

#[test]
fn every_command_has_help_with_examples() {
    let here = std::env::temp_dir();
    for command in [
        &["--help"][..],
        &["serve", "--help"],
        &["check", "--help"],
        &["compat", "--help"],
        &["register", "--help"],
        &["fetch", "--help"],
        &["diff", "--help"],
        &["import", "--help"],
        &["export", "--help"],
        &["restore", "--help"],
        &["mirror", "--help"],
    ] {
        let run = run_in(&here, command);
        assert_eq!(run.code, 0, "{command:?}: {run:?}");
        assert!(
            run.stdout.contains("Examples:"),
            "{command:?}: {}",
            run.stdout
        );
        assert!(run.stdout.contains("Usage: herald"), "{command:?}");
    }
}
