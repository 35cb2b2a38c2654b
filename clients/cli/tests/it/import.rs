//! `herald import` from a second Herald: ids and versions (gaps included),
//! soft-deleted versions, references across subjects, contexts, metadata
//! and rules, configs and modes; resuming; conflicts; a dry run.

use reqwest::Method;
use serde_json::{Value, json};

use crate::scripted;
use crate::support::{Registry, Run, free_port, run_in, serve_on, terminate, wait_until_up};

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
    // A context's own config and mode.
    let tenant_config = json!({"compatibility": "NONE"});
    call(
        source,
        Method::PUT,
        "/config/:.tenant:",
        Some(tenant_config),
    )
    .await;
    let tenant_mode = json!({"mode": "READONLY"});
    call(source, Method::PUT, "/mode/:.tenant:", Some(tenant_mode)).await;
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
        "/config/:.tenant:",
        "/mode/:.tenant:",
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
    // So does a pattern that leaves it out: orders references money, which
    // the target lacks, so its registration is refused and reported.
    let pattern = [
        "import",
        "--from",
        &source.url,
        "--to",
        &target.url,
        "--subjects",
        "ord*",
    ];
    let orders = import(&pattern[1..]);
    assert_eq!(orders.code, 2, "{orders:?}");
    assert!(orders.stderr.contains("money"), "{orders:?}");
    let planned = import(&[&pattern[1..], &["--dry-run"]].concat());
    assert!(
        planned.stdout.starts_with("orders: 3 to register"),
        "{planned:?}"
    );
    assert!(!planned.stdout.contains("money:"), "{planned:?}");
    source.stop().await;
    target.stop().await;
}

/// A Confluent registry's content, answered with the shapes of Confluent
/// 7.x (no contexts, no paging) or 8.x (contexts; `offset`/`limit`, with a
/// maximum page of 1 so that a larger `limit` gets the default page, as
/// Confluent's `normalizeLimit` does; metadata and rules).
fn confluent(major: u8) -> impl Fn(&scripted::Request) -> (u16, Value) + Send + 'static {
    let payment = |extra: &str| {
        format!(
            r#"{{"type":"record","name":"Payment","namespace":"shop","fields":[{{"name":"cents","type":"long"}}{extra}]}}"#
        )
    };
    let refer = r#"{"type":"record","name":"Refund","namespace":"shop","fields":[{"name":"of","type":"shop.Payment"}]}"#;
    let mut versions = vec![
        ("pay-value", 1, 10, payment(""), json!(null), false),
        (
            "pay-value",
            2,
            11,
            payment(r#",{"name":"a","type":"string","default":""}"#),
            json!(null),
            true,
        ),
        (
            "pay-value",
            4,
            12,
            payment(r#",{"name":"b","type":"string","default":""}"#),
            json!(null),
            false,
        ),
        (
            "ref-value",
            1,
            13,
            refer.to_owned(),
            json!([{"name": "shop.Payment", "subject": "pay-value", "version": 1}]),
            false,
        ),
    ];
    if major >= 8 {
        versions.push((
            ":.prod:audit-value",
            1,
            10,
            r#"{"type":"object"}"#.to_owned(),
            json!(null),
            false,
        ));
    }
    move |request| {
        let segments: Vec<&str> = request.path.trim_matches('/').split('/').collect();
        let deleted = request.param("deleted") == Some("true");
        let page = |items: Vec<Value>| -> Value {
            if major < 8 {
                return Value::Array(items);
            }
            let offset: usize = request
                .param("offset")
                .and_then(|o| o.parse().ok())
                .unwrap_or(0);
            Value::Array(items.into_iter().skip(offset).take(1).collect())
        };
        let live = |v: &&(&str, i64, i64, String, Value, bool)| deleted || !v.5;
        match (request.method.as_str(), segments.as_slice()) {
            ("GET", ["contexts"]) if major >= 8 => (200, json!([".", ".prod"])),
            ("GET", ["subjects"]) => {
                let prefix = request.param("subjectPrefix").unwrap_or("");
                let mut names: Vec<Value> = Vec::new();
                for v in versions.iter().filter(live) {
                    let in_prefix = if prefix.is_empty() {
                        !v.0.starts_with(":.")
                    } else {
                        v.0.starts_with(prefix)
                    };
                    if in_prefix && !names.contains(&json!(v.0)) {
                        names.push(json!(v.0));
                    }
                }
                (200, page(names))
            }
            ("GET", ["subjects", subject, "versions"]) => {
                let numbers: Vec<Value> = versions
                    .iter()
                    .filter(|v| v.0 == *subject)
                    .filter(live)
                    .map(|v| json!(v.1))
                    .collect();
                if numbers.is_empty() {
                    return (
                        404,
                        json!({"error_code": 40401, "message": format!("Subject '{subject}' not found.")}),
                    );
                }
                (200, page(numbers))
            }
            ("GET", ["subjects", subject, "versions", number]) => {
                let found = versions
                    .iter()
                    .filter(live)
                    .find(|v| v.0 == *subject && v.1.to_string() == *number);
                let Some(v) = found else {
                    return (
                        404,
                        json!({"error_code": 40402, "message": format!("Version {number} not found.")}),
                    );
                };
                let mut body = json!({"subject": v.0, "version": v.1, "id": v.2, "schema": v.3});
                if !v.4.is_null() {
                    body["references"] = v.4.clone();
                }
                if v.0.starts_with(":.prod:") {
                    body["schemaType"] = json!("JSON");
                }
                if major >= 8 {
                    body["guid"] = json!(format!("00000000-0000-0000-0000-0000000000{}", v.2));
                    if v.1 == 4 {
                        body["metadata"] = json!({"properties": {"owner": "payments"}});
                        body["ruleSet"] = json!({"domainRules": [{"name": "positive", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "message.cents > 0"}]});
                    }
                }
                (200, body)
            }
            ("GET", ["config"]) => (200, json!({"compatibilityLevel": "BACKWARD"})),
            ("GET", ["config", "pay-value"]) => (200, json!({"compatibilityLevel": "FULL"})),
            ("GET", ["config", subject]) => (
                404,
                json!({"error_code": 40408, "message": format!("Subject '{subject}' does not have subject-level compatibility configured")}),
            ),
            ("GET", ["mode", "ref-value"]) => (200, json!({"mode": "READONLY"})),
            ("GET", ["mode", subject]) => (
                404,
                json!({"error_code": 40409, "message": format!("Subject '{subject}' does not have subject-level mode configured")}),
            ),
            _ => scripted::not_found(),
        }
    }
}

#[tokio::test]
async fn import_reads_confluent_7_and_8_answers() {
    for major in [7, 8] {
        let source = scripted::serve(confluent(major));
        let target = Registry::start().await;
        let run = import(&["--from", &source, "--to", &target.url, "--verify"]);
        assert_eq!(run.code, 0, "Confluent {major}: {run:?}");
        let get = |path: &'static str| call(&target, Method::GET, path, None);
        assert_eq!(
            get("/subjects/pay-value/versions?deleted=true").await,
            json!([1, 2, 4])
        );
        assert_eq!(get("/subjects/pay-value/versions").await, json!([1, 4]));
        assert_eq!(get("/subjects/pay-value/versions/4").await["id"], json!(12));
        assert_eq!(get("/subjects/ref-value/versions/1").await["id"], json!(13));
        assert_eq!(
            get("/config/pay-value").await["compatibilityLevel"],
            json!("FULL")
        );
        assert_eq!(get("/mode/ref-value").await["mode"], json!("READONLY"));
        if major >= 8 {
            assert_eq!(
                get("/subjects/:.prod:audit-value/versions/1").await["id"],
                json!(10)
            );
            let rules = get("/subjects/pay-value/versions/4").await["ruleSet"].clone();
            assert_eq!(
                rules["domainRules"][0]["name"],
                json!("positive"),
                "{rules}"
            );
        } else {
            assert_eq!(get("/contexts").await, json!(["."]));
        }
        target.stop().await;
    }
}

/// Every file below `dir`, by relative path, with its bytes.
fn tree(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            pending.extend(
                std::fs::read_dir(&path)
                    .expect("listed")
                    .map(|e| e.expect("entry").path()),
            );
        } else {
            let relative = path
                .strip_prefix(dir)
                .expect("inside")
                .display()
                .to_string();
            files.push((relative, std::fs::read(&path).expect("read")));
        }
    }
    files.sort();
    files
}

#[tokio::test]
async fn export_and_restore_go_from_sqlite_through_files_to_postgresql_and_back() {
    let source = Registry::start().await;
    fill(&source).await;
    let work = tempfile::tempdir().expect("temporary directory");
    let (first, second) = (work.path().join("first"), work.path().join("second"));
    let first_arg = first.display().to_string();
    let exported = run_in(work.path(), &["export", &first_arg, "--from", &source.url]);
    assert_eq!(exported.code, 0, "{exported:?}");
    assert!(
        exported
            .stdout
            .contains("exported 5 version(s) of 3 subject(s)"),
        "{exported:?}"
    );
    let file = first.join("subjects/orders/3.json");
    let three: Value =
        serde_json::from_slice(&std::fs::read(&file).expect("version file")).expect("JSON");
    assert_eq!(
        (three["version"].clone(), three["deleted"].clone()),
        (json!(3), json!(true))
    );
    assert!(first.join("subjects/%3A.tenant%3Aevents/1.json").is_file());
    // A directory that holds something is refused.
    let again = run_in(work.path(), &["export", &first_arg, "--from", &source.url]);
    assert_eq!(again.code, 2, "{again:?}");

    // Into PostgreSQL.
    let database = herald_testing::TestDatabase::postgres().await;
    let port = free_port();
    let mut served = serve_on(port)
        .args(["--database-url", &database.url()])
        .spawn()
        .expect("herald serve starts");
    let http = wait_until_up(&mut served, port).await;
    let postgres = format!("http://127.0.0.1:{port}");
    let restored = run_in(
        work.path(),
        &["restore", &first_arg, "--to", &postgres, "--verify"],
    );
    assert_eq!(restored.code, 0, "{restored:?}");
    let id = http
        .get(format!("{postgres}/subjects/orders/versions/4"))
        .send()
        .await
        .expect("answered");
    let id: Value = id.json().await.expect("JSON");
    let expected = call(&source, Method::GET, "/subjects/orders/versions/4", None).await;
    assert_eq!(id["id"], expected["id"]);
    // Exported again from PostgreSQL: the same files, byte for byte.
    let second_arg = second.display().to_string();
    let exported = run_in(work.path(), &["export", &second_arg, "--from", &postgres]);
    assert_eq!(exported.code, 0, "{exported:?}");
    assert_eq!(tree(&first), tree(&second));
    assert!(terminate(served).await.success());

    // And back into SQLite.
    let back = Registry::start().await;
    let restored = run_in(
        work.path(),
        &["restore", &second_arg, "--to", &back.url, "--verify"],
    );
    assert_eq!(restored.code, 0, "{restored:?}");
    for path in [
        "/subjects/orders/versions?deleted=true",
        "/schemas/ids/1",
        "/mode/money",
    ] {
        assert_eq!(
            call(&back, Method::GET, path, None).await,
            call(&source, Method::GET, path, None).await,
            "{path}"
        );
    }
    source.stop().await;
    back.stop().await;
}

/// The subjects and configs of an export, by file (modes are the
/// mirror's own on its target).
fn content(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    tree(dir)
        .into_iter()
        .filter(|(path, _)| path != "modes.json")
        .collect()
}

async fn exported(registry: &Registry, dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let arg = dir.display().to_string();
    let run = run_in(
        dir.parent().expect("parent"),
        &["export", &arg, "--from", &registry.url],
    );
    assert_eq!(run.code, 0, "{run:?}");
    content(dir)
}

#[tokio::test]
async fn mirror_follows_the_change_feed_and_resumes_where_it_stopped() {
    let source = Registry::start().await;
    let target = Registry::start().await;
    fill(&source).await;
    let work = tempfile::tempdir().expect("temporary directory");
    let state = work.path().join("mirror.state").display().to_string();
    let mirror = |follow: bool| {
        let mut args = vec![
            "mirror",
            "--from",
            &source.url,
            "--to",
            &target.url,
            "--state",
            &state,
        ];
        if follow {
            args.push("--follow");
        }
        args.into_iter().map(str::to_owned).collect::<Vec<String>>()
    };
    let first = run_in(
        work.path(),
        &mirror(false).iter().map(String::as_str).collect::<Vec<_>>(),
    );
    // Each change applied is logged with its lag behind the source.
    assert!(
        first.stderr.contains("mirrored") && first.stderr.contains("lag_ms="),
        "{first:?}"
    );
    assert_eq!(first.code, 0, "{first:?}");
    assert_eq!(
        exported(&source, &work.path().join("a1")).await,
        exported(&target, &work.path().join("b1")).await
    );
    assert_eq!(
        call(&target, Method::GET, "/mode", None).await["mode"],
        "IMPORT"
    );

    // Three more changes: only they are applied.
    let next = json!({"schema": record("Order", r#"{"name":"total","type":"shop.Money"},{"name":"z","type":"string","default":""}"#),
        "references": [{"name": "shop.Money", "subject": "money", "version": 1}]});
    call(
        &source,
        Method::POST,
        "/subjects/orders/versions",
        Some(next),
    )
    .await;
    call(&source, Method::DELETE, "/subjects/orders/versions/4", None).await;
    call(
        &source,
        Method::PUT,
        "/config/orders",
        Some(json!({"compatibility": "NONE"})),
    )
    .await;
    let second = run_in(
        work.path(),
        &mirror(false).iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(second.code, 0, "{second:?}");
    assert!(
        second.stdout.starts_with("mirrored 3 change(s)"),
        "{second:?}"
    );
    assert_eq!(
        exported(&source, &work.path().join("a2")).await,
        exported(&target, &work.path().join("b2")).await
    );

    // Following: a change reaches the target while the mirror runs; the
    // mirror is killed, more changes happen, and a restart catches up.
    let mut following = crate::support::herald()
        .current_dir(work.path())
        .args(mirror(true))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("mirror runs");
    let late = json!({"schema": record("Late", r#"{"name":"x","type":"int"}"#)});
    call(&source, Method::POST, "/subjects/late/versions", Some(late)).await;
    // Arrived, and recorded as applied (one change after the last run's).
    let recorded = |path: &str| {
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .trim()
            .parse::<i64>()
            .ok()
    };
    let before = recorded(&state).expect("a sequence after two runs");
    let mut arrived = false;
    for _ in 0..300 {
        let there = call(&target, Method::GET, "/subjects/late/versions", None).await;
        if there == json!([1]) && recorded(&state) == Some(before + 1) {
            arrived = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(arrived, "the change reached the target while following");
    following.kill().expect("killed");
    let _ = following.wait();
    let later = json!({"schema": record("Later", r#"{"name":"y","type":"int"}"#)});
    call(
        &source,
        Method::POST,
        "/subjects/later/versions",
        Some(later),
    )
    .await;
    call(&source, Method::DELETE, "/subjects/late", None).await;
    let resumed = run_in(
        work.path(),
        &mirror(false).iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert!(
        resumed.stdout.starts_with("mirrored 2 change(s)"),
        "{resumed:?}"
    );
    assert_eq!(
        exported(&source, &work.path().join("a3")).await,
        exported(&target, &work.path().join("b3")).await
    );
    source.stop().await;
    target.stop().await;
}

#[tokio::test]
async fn mirror_polls_a_source_without_a_change_feed() {
    let source = scripted::serve(confluent(8));
    let target = Registry::start().await;
    let work = tempfile::tempdir().expect("temporary directory");
    let args = ["mirror", "--from", &source, "--to", &target.url];
    let run = run_in(work.path(), &args);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("mirrored 5 version(s)"), "{run:?}");
    let get = |path: &'static str| call(&target, Method::GET, path, None);
    assert_eq!(
        get("/subjects/pay-value/versions?deleted=true").await,
        json!([1, 2, 4])
    );
    assert_eq!(get("/subjects/ref-value/versions/1").await["id"], json!(13));
    // The target stays in IMPORT mode; the source's modes are not copied.
    assert_eq!(get("/mode").await["mode"], json!("IMPORT"));
    assert_eq!(get("/mode/ref-value").await["error_code"], json!(40409));
    // Polling again copies nothing new.
    let again = run_in(work.path(), &args);
    assert!(again.stdout.contains(": 0 registered"), "{again:?}");
    target.stop().await;
}

#[tokio::test]
async fn import_signs_in_to_both_sides() {
    // A source that wants a bearer token, a target that wants a user.
    let answer = confluent(8);
    let source = scripted::serve(move |request| match request.authorization.as_deref() {
        Some("Bearer t0ken") => answer(request),
        _ => (401, json!({"error_code": 401, "message": "Unauthorized"})),
    });
    let work = tempfile::tempdir().expect("temporary directory");
    let dir = work.path();
    let mut child = crate::support::herald()
        .current_dir(dir)
        .args(["users", "add", "ops", "--role", "admin"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("herald runs");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), b"ops-pw\n")
        .expect("written");
    assert!(child.wait().expect("exits").success());
    crate::support::write_files(dir, &[("auth.toml", "users = \"users.toml\"\n")]);
    let port = free_port();
    let mut server = serve_on(port)
        .args(["--data-dir", &dir.join("data").to_string_lossy()])
        .args(["--auth", &dir.join("auth.toml").to_string_lossy()])
        .spawn()
        .expect("herald serve starts");
    let http = wait_until_up(&mut server, port).await;
    let target = format!("http://127.0.0.1:{port}");
    let base = ["import", "--from", &source, "--to", &target];
    let anonymous = run_in(dir, &[&base[..], &["--from-auth", "t0ken"]].concat());
    assert_eq!(anonymous.code, 2, "{anonymous:?}");
    assert!(anonymous.stderr.contains("40101"), "{anonymous:?}");
    let no_token = run_in(dir, &[&base[..], &["--auth", "ops:ops-pw"]].concat());
    assert_eq!(no_token.code, 2, "{no_token:?}");
    assert!(no_token.stderr.contains("401"), "{no_token:?}");
    let both = [
        &base[..],
        &["--from-auth", "t0ken", "--auth", "ops:ops-pw", "--verify"],
    ]
    .concat();
    let signed_in = run_in(dir, &both);
    assert_eq!(signed_in.code, 0, "{signed_in:?}");
    let read = http
        .get(format!("{target}/subjects/pay-value/versions/4"))
        .basic_auth("ops", Some("ops-pw"))
        .send()
        .await
        .expect("answered");
    let read: Value = read.json().await.expect("JSON");
    assert_eq!(read["id"], json!(12));
    assert!(terminate(server).await.success());
}
