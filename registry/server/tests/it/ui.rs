//! The web UI over HTTP: every page renders, everything a schema holds is
//! escaped, security headers, filters and paging, CSRF-protected forms,
//! diff and playground verdicts, code previews.

use reqwest::redirect::Policy;
use serde_json::json;

use crate::support::TestServer;

/// A browser-like client that shows redirects instead of following them.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
}

async fn page(server: &TestServer, path: &str) -> (u16, String) {
    let response = browser()
        .get(format!("{}{path}", server.base))
        .send()
        .await
        .expect("answered");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

const EVIL: &str = "<script>alert(1)</script>";

#[tokio::test]
async fn pages_escape_everything_a_schema_holds() {
    let server = TestServer::start().await;
    let avro = json!({"type": "record", "name": "Evil", "doc": EVIL,
        "fields": [{"name": "f", "type": "string", "doc": EVIL, "default": EVIL}]});
    let subject = "evil%3Cscript%3Ealert(1)%3C%2Fscript%3E";
    let registered = server
        .post(
            &format!("/subjects/{subject}/versions"),
            json!({"schema": avro.to_string()}),
        )
        .await;
    assert_eq!(registered.status, 200, "{registered:?}");
    let json_schema = json!({"title": EVIL, "description": EVIL, "type": "object",
        "properties": {EVIL: {"type": "string", "default": EVIL}}});
    server
        .register_typed("json-evil", "JSON", &json_schema.to_string(), json!([]))
        .await;
    for path in [
        "/ui/".to_owned(),
        format!("/ui/subjects/{subject}"),
        format!("/ui/subjects/{subject}/versions/1"),
        format!("/ui/subjects/{subject}/versions/1/code"),
        "/ui/subjects/json-evil/versions/1".to_owned(),
        "/ui/schemas/1".to_owned(),
        "/ui/playground".to_owned(),
    ] {
        let (status, html) = page(&server, &path).await;
        assert_eq!(status, 200, "{path}: {html}");
        assert!(!html.contains(EVIL), "{path} holds the raw script:\n{html}");
        assert!(
            !html.contains("<script>"),
            "{path}: only the app.js script tag may appear"
        );
        assert!(
            html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"),
            "{path} shows it escaped"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn every_ui_response_carries_the_security_headers() {
    let server = TestServer::start().await;
    for path in [
        "/ui/",
        "/ui/playground",
        "/ui/static/style.css",
        "/ui/subjects/missing",
    ] {
        let response = browser()
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .expect("answered");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let csp = header("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(
            header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            header("referrer-policy").as_deref(),
            Some("same-origin"),
            "{path}"
        );
    }
    let (status, html) = page(&server, "/ui/subjects/missing").await;
    assert_eq!(status, 404);
    assert!(
        html.contains("Subject &#39;missing&#39; not found") || html.contains("missing"),
        "{html}"
    );
    server.stop().await;
}

#[tokio::test]
async fn subjects_page_searches_filters_and_pages() {
    let server = TestServer::start().await;
    for i in 0..55 {
        server
            .register_ok(
                &format!("orders-{i:02}"),
                &format!(r#"{{"type":"record","name":"R{i}","fields":[]}}"#),
            )
            .await;
    }
    server
        .register_typed("payments-value", "JSON", r#"{"type":"object"}"#, json!([]))
        .await;
    server.register_ok("gone", r#""string""#).await;
    server.delete("/subjects/gone").await;

    let (_, first) = page(&server, "/ui/").await;
    assert_eq!(
        first.matches("<tr>").count() + first.matches("<tr class").count(),
        51,
        "header + 50 rows"
    );
    assert!(
        first.contains("rel=\"next\" href=\"/ui/?page=2\""),
        "{first}"
    );
    let (_, second) = page(&server, "/ui/?page=2").await;
    assert!(second.contains(">payments-value</a>") && second.contains(">orders-54</a>"));
    assert!(
        !second.contains(">gone</a>"),
        "soft-deleted subjects are hidden by default"
    );
    let (_, found) = page(&server, "/ui/?q=ORDERS-1").await;
    assert_eq!(
        found.matches(">orders-1").count(),
        10,
        "case-insensitive substring"
    );
    let (_, json_only) = page(&server, "/ui/?type=JSON").await;
    assert!(json_only.contains(">payments-value</a>") && !json_only.contains(">orders-00</a>"));
    let (_, with_deleted) = page(&server, "/ui/?q=gone&deleted=on").await;
    assert!(with_deleted.contains(">gone</a>") && with_deleted.contains("deleted</span>"));
    assert!(first.contains("BACKWARD <span class=\"muted\">(inherited)</span>"));
    server.stop().await;
}

/// The CSRF session cookie a page set, and its forms' token (the cookie's
/// id signed by the server: never the id itself).
fn token(set_cookie: Option<&str>, html: &str) -> (String, String) {
    let cookie = set_cookie
        .and_then(|c| c.strip_prefix("herald_csrf="))
        .and_then(|c| c.split(';').next())
        .unwrap_or_default()
        .to_owned();
    let form = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(cookie.len(), 32, "{set_cookie:?}");
    assert_eq!(form.len(), 64, "the form carries a signed token");
    assert_ne!(form, cookie);
    (cookie, form)
}

#[tokio::test]
async fn admin_forms_need_the_csrf_token() {
    let server = TestServer::start().await;
    server
        .register_ok("orders", r#"{"type":"record","name":"R","fields":[]}"#)
        .await;
    server
        .register_ok(
            "orders",
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":0}]}"#,
        )
        .await;
    let response = browser()
        .get(format!("{}/ui/subjects/orders", server.base))
        .send()
        .await
        .expect("answered");
    let set_cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert!(
        set_cookie
            .as_deref()
            .is_some_and(|c| c.contains("SameSite=Strict") && c.contains("HttpOnly"))
    );
    let html = response.text().await.expect("body");
    let (cookie, token) = token(set_cookie.as_deref(), &html);
    let post = |path: &str, form: Vec<(&str, &str)>, cookie: Option<&str>| {
        let mut request = browser()
            .post(format!("{}{path}", server.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(&form).expect("form encodes"));
        if let Some(cookie) = cookie {
            request = request.header("cookie", format!("herald_csrf={cookie}"));
        }
        request.send()
    };
    // Without the cookie, or with a token that does not match: refused.
    let refused = post(
        "/ui/subjects/orders/config",
        vec![("csrf", token.as_str()), ("compatibility", "NONE")],
        None,
    )
    .await
    .expect("answered");
    assert_eq!(refused.status().as_u16(), 403);
    let forged = post(
        "/ui/subjects/orders/config",
        vec![
            ("csrf", "0123456789abcdef0123456789abcdef"),
            ("compatibility", "NONE"),
        ],
        Some(&cookie),
    )
    .await
    .expect("answered");
    assert_eq!(forged.status().as_u16(), 403);
    // An attacker who can set a cookie picks a pair: the old double-submit
    // check accepted a cookie repeated as the token.
    let chosen = "00112233445566778899aabbccddeeff";
    let pair = post(
        "/ui/subjects/orders/config",
        vec![("csrf", chosen), ("compatibility", "NONE")],
        Some(chosen),
    )
    .await
    .expect("answered");
    assert_eq!(pair.status().as_u16(), 403);
    // A form without the token field at all: refused the same way (not the
    // form extractor's 422).
    let missing = post(
        "/ui/subjects/orders/config",
        vec![("compatibility", "NONE")],
        Some(&cookie),
    )
    .await
    .expect("answered");
    assert_eq!(missing.status().as_u16(), 403);
    server.get("/config/orders").await.assert_error(40408);
    // With it: applied, and back to the subject.
    let done = post(
        "/ui/subjects/orders/config",
        vec![("csrf", token.as_str()), ("compatibility", "FULL")],
        Some(&cookie),
    )
    .await
    .expect("answered");
    assert_eq!(done.status().as_u16(), 303);
    assert_eq!(
        done.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/ui/subjects/orders")
    );
    assert_eq!(
        server.get("/config/orders").await.body["compatibilityLevel"],
        "FULL"
    );
    let deleted = post(
        "/ui/subjects/orders/versions/1/delete",
        vec![("csrf", token.as_str())],
        Some(&cookie),
    )
    .await
    .expect("answered");
    assert_eq!(deleted.status().as_u16(), 303);
    assert_eq!(
        server.get("/subjects/orders/versions").await.body,
        json!([2])
    );
    let (_, html) = page(&server, "/ui/subjects/orders").await;
    assert!(
        html.contains("soft-deleted") && html.contains("FULL"),
        "{html}"
    );
    server.stop().await;
}

#[tokio::test]
async fn diff_links_findings_to_lines_and_the_playground_judges() {
    let server = TestServer::start().await;
    server
        .register_ok(
            "orders",
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
        )
        .await;
    server
        .put("/config/orders", json!({"compatibility": "NONE"}))
        .await;
    server.register_ok("orders", r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}"#).await;
    server
        .put("/config/orders", json!({"compatibility": "BACKWARD"}))
        .await;
    let (status, html) = page(&server, "/ui/subjects/orders/diff?from=1&to=2").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Incompatible under BACKWARD"), "{html}");
    assert!(html.contains("READER_FIELD_MISSING_DEFAULT_VALUE"));
    // The finding links to the line of the new field, which carries that id.
    let anchor = html
        .split("href=\"#new-")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a finding links into the diff");
    let row = html
        .split(&format!("<tr class=\"change\" id=\"new-{anchor}\">"))
        .nth(1)
        .expect("the linked row carries the anchor");
    assert!(
        row.split("</tr>")
            .next()
            .is_some_and(|cells| cells.contains("class=\"insert\"")),
        "{row}"
    );
    assert!(html.contains("&#34;b&#34;") || html.contains("&quot;b&quot;"));

    let playground = Playground::open(&server, "orders").await;
    assert!(playground.html.contains("value=\"orders\""));
    let check = |schema: &'static str| {
        let playground = &playground;
        async move {
            playground
                .submit(&[
                    ("subject", "orders"),
                    ("schema_type", "AVRO"),
                    ("schema", schema),
                ])
                .await
        }
    };
    let breaking = check(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"},{"name":"c","type":"long"}]}"#)
        .await;
    assert!(
        breaking.contains("Incompatible")
            && breaking.contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{breaking}"
    );
    let fine = check(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}"#)
        .await;
    assert!(fine.contains("<h2>Compatible</h2>"), "{fine}");
    let invalid = check("{not a schema").await;
    assert!(invalid.contains("Not a valid schema"), "{invalid}");
    assert_eq!(
        server.get("/subjects/orders/versions").await.body,
        json!([1, 2]),
        "nothing stored"
    );
    server.stop().await;
}

/// The playground as a browser uses it: the page for a subject, and its
/// form submitted with the session's CSRF cookie and token.
struct Playground {
    base: String,
    /// The page first shown.
    html: String,
    cookie: String,
    token: String,
}

impl Playground {
    async fn open(server: &TestServer, subject: &str) -> Playground {
        let response = browser()
            .get(format!("{}/ui/playground?subject={subject}", server.base))
            .send()
            .await
            .expect("answered");
        let set_cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let html = response.text().await.expect("body");
        let (cookie, token) = token(set_cookie.as_deref(), &html);
        Playground {
            base: server.base.clone(),
            html,
            cookie,
            token,
        }
    }

    /// Submits the form with `fields` (the token added); the answer page.
    async fn submit(&self, fields: &[(&str, &str)]) -> String {
        let mut form = vec![("csrf", self.token.as_str())];
        form.extend_from_slice(fields);
        browser()
            .post(format!("{}/ui/playground", self.base))
            .header("cookie", format!("herald_csrf={}", self.cookie))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(&form).expect("form encodes"))
            .send()
            .await
            .expect("answered")
            .text()
            .await
            .expect("body")
    }
}

#[tokio::test]
async fn code_preview_for_each_format() {
    let server = TestServer::start().await;
    server
        .register_ok(
            "orders",
            r#"{"type":"record","name":"Order","fields":[{"name":"customerId","type":"long"}]}"#,
        )
        .await;
    server
        .register_typed(
            "shipments",
            "PROTOBUF",
            "syntax = \"proto3\";\npackage shop;\nmessage Shipment { string order_id = 1; }\n",
            json!([]),
        )
        .await;
    server
        .register_typed(
            "payments",
            "JSON",
            r#"{"title":"Payment","type":"object","properties":{"cents":{"type":"integer"}}}"#,
            json!([]),
        )
        .await;
    for (path, expected) in [
        (
            "/ui/subjects/orders/versions/1/code",
            "pub customer_id: i64",
        ),
        (
            "/ui/subjects/shipments/versions/1/code",
            "pub struct Shipment",
        ),
        (
            "/ui/subjects/payments/versions/1/code",
            "pub struct Payment",
        ),
    ] {
        let (status, html) = page(&server, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains(expected), "{path}:\n{html}");
    }
    server.stop().await;
}

/// Previews of Protobuf subjects used to share a scratch directory, and
/// failed at random when several ran at once.
#[tokio::test(flavor = "multi_thread")]
async fn protobuf_code_previews_run_side_by_side() {
    let server = TestServer::start().await;
    server
        .register_typed(
            "shipments",
            "PROTOBUF",
            "syntax = \"proto3\";\npackage shop.v1;\nmessage Shipment { string order_id = 1; }\n",
            json!([]),
        )
        .await;
    for _ in 0..5 {
        let previews = (0..8).map(|_| page(&server, "/ui/subjects/shipments/versions/1/code"));
        for (status, html) in futures_util::future::join_all(previews).await {
            assert_eq!(status, 200, "{html}");
            assert!(html.contains("pub struct Shipment"), "{html}");
            assert!(html.contains("pub mod v1"), "{html}");
        }
    }
    server.stop().await;
}

/// Paths the UI does not have and parameters it cannot read are answered
/// with a page, like every other UI error, not the REST API's JSON or
/// plain text.
#[tokio::test]
async fn odd_requests_get_pages() {
    let server = TestServer::start().await;
    for (path, status, says) in [
        ("/ui/nowhere", 404, "There is no page at /ui/nowhere."),
        ("/ui/subjects/a/versions/1/more", 404, "There is no page at"),
        ("/ui/?page=many", 400, "page"),
    ] {
        let response = browser()
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status().as_u16(), status, "{path}");
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            content_type.starts_with("text/html"),
            "{path}: {content_type}"
        );
        let html = response.text().await.expect("body");
        assert!(
            html.contains("<!doctype html>") && html.contains(says),
            "{path}: {html}"
        );
    }
    server.stop().await;
}

/// A subject in a context links to its own schema, not to the default
/// context's schema with the same id.
#[tokio::test]
async fn context_subjects_link_within_their_context() {
    let server = TestServer::start().await;
    server
        .register_ok(
            "orders-value",
            r#"{"type":"record","name":"DefaultOrder","fields":[]}"#,
        )
        .await;
    server
        .register_ok(
            ":.staging:payments-value",
            r#"{"type":"record","name":"StagingPayment","fields":[]}"#,
        )
        .await;
    let (status, subject) = page(&server, "/ui/subjects/:.staging:payments-value").await;
    assert_eq!(status, 200, "{subject}");
    let link = "/ui/schemas/1?subject=%3A.staging%3Apayments-value";
    assert!(subject.contains(&format!("href=\"{link}\"")), "{subject}");
    let (status, schema) = page(&server, link).await;
    assert_eq!(status, 200, "{schema}");
    assert!(
        schema.contains("StagingPayment") && !schema.contains("DefaultOrder"),
        "{schema}"
    );
    assert!(
        schema.contains(":.staging:payments-value version 1"),
        "used by: {schema}"
    );
    let raw = "/ui/schemas/1/raw?subject=%3A.staging%3Apayments-value";
    assert!(schema.contains(&format!("href=\"{raw}\"")), "{schema}");
    let (_, version) = page(&server, "/ui/subjects/:.staging:payments-value/versions/1").await;
    assert!(version.contains(&format!("href=\"{raw}\"")), "{version}");
    let (status, downloaded) = page(&server, raw).await;
    assert_eq!(status, 200);
    assert!(downloaded.contains("StagingPayment"), "{downloaded}");
    // The default context's schema 1 is still reached without the subject.
    let (_, default) = page(&server, "/ui/schemas/1/raw").await;
    assert!(default.contains("DefaultOrder"), "{default}");
    server.stop().await;
}

/// A version's page leads back to its subject and to the versions around
/// it (soft-deleted ones too, as the subject page lists them).
#[tokio::test]
async fn version_pages_link_their_subject_and_neighbours() {
    let server = TestServer::start().await;
    server
        .put("/config/orders", json!({"compatibility": "NONE"}))
        .await;
    for name in ["A", "B", "C"] {
        server
            .register_ok(
                "orders",
                &format!(r#"{{"type":"record","name":"{name}","fields":[]}}"#),
            )
            .await;
    }
    let (_, middle) = page(&server, "/ui/subjects/orders/versions/2").await;
    assert!(
        middle.contains(r#"<a href="/ui/subjects/orders">orders</a>"#),
        "{middle}"
    );
    assert!(
        middle.contains(r#"href="/ui/subjects/orders/versions/1" rel="prev""#),
        "{middle}"
    );
    assert!(
        middle.contains(r#"href="/ui/subjects/orders/versions/3" rel="next""#),
        "{middle}"
    );
    let (_, first) = page(&server, "/ui/subjects/orders/versions/1").await;
    assert!(!first.contains(r#"rel="prev""#), "{first}");
    assert!(
        first.contains(r#"href="/ui/subjects/orders/versions/2" rel="next""#),
        "{first}"
    );
    let (_, last) = page(&server, "/ui/subjects/orders/versions/latest").await;
    assert!(
        last.contains(r#"href="/ui/subjects/orders/versions/2" rel="prev""#),
        "{last}"
    );
    assert!(!last.contains(r#"rel="next""#), "{last}");
    server.stop().await;
}

/// The subject page offers only what the server would do: no soft-delete
/// of a referenced version or in a read-only subject, no diff among
/// soft-deleted versions.
#[tokio::test]
async fn the_subject_page_offers_only_what_the_server_allows() {
    let server = TestServer::start().await;
    server
        .register_ok(
            "money",
            r#"{"type":"record","name":"Money","fields":[{"name":"cents","type":"long"}]}"#,
        )
        .await;
    server
        .register_typed(
            "orders",
            "AVRO",
            r#"{"type":"record","name":"Order","fields":[{"name":"total","type":"Money"}]}"#,
            json!([{"name": "Money", "subject": "money", "version": 1}]),
        )
        .await;
    let (_, money) = page(&server, "/ui/subjects/money").await;
    assert!(money.contains("referenced: cannot be deleted"), "{money}");
    assert!(!money.contains("Soft-delete"), "{money}");
    let (_, orders) = page(&server, "/ui/subjects/orders").await;
    assert!(orders.contains("Soft-delete"), "{orders}");
    server
        .put("/mode/orders", json!({"mode": "READONLY"}))
        .await;
    let (_, read_only) = page(&server, "/ui/subjects/orders").await;
    assert!(read_only.contains("read-only subject"), "{read_only}");
    assert!(!read_only.contains("Soft-delete"), "{read_only}");
    server.delete("/mode/orders").await;

    server
        .put("/config/history", json!({"compatibility": "NONE"}))
        .await;
    for name in ["A", "B"] {
        server
            .register_ok(
                "history",
                &format!(r#"{{"type":"record","name":"{name}","fields":[]}}"#),
            )
            .await;
    }
    let (_, live) = page(&server, "/ui/subjects/history").await;
    assert!(live.contains(r#"name="from""#), "{live}");
    server.delete("/subjects/history").await;
    let (status, deleted) = page(&server, "/ui/subjects/history").await;
    assert_eq!(status, 200, "{deleted}");
    assert!(deleted.contains("soft-deleted"), "{deleted}");
    assert!(
        !deleted.contains(r#"name="from""#),
        "no diff to offer: {deleted}"
    );
    server.stop().await;
}

/// The playground starts from the subject's latest schema (type, text and
/// references), judges a schema that imports another subject, and says
/// what it judged against.
#[tokio::test]
async fn the_playground_judges_schemas_with_references() {
    let server = TestServer::start().await;
    server
        .register_typed(
            "money",
            "PROTOBUF",
            "syntax = \"proto3\";\npackage shop;\nmessage Money { int64 cents = 1; }\n",
            json!([]),
        )
        .await;
    let order = "syntax = \"proto3\";\npackage shop;\nimport \"shop/money.proto\";\nmessage Order { Money total = 1; }\n";
    server
        .register_typed(
            "orders",
            "PROTOBUF",
            order,
            json!([{"name": "shop/money.proto", "subject": "money", "version": 1}]),
        )
        .await;
    let playground = Playground::open(&server, "orders").await;
    let html = &playground.html;
    assert!(
        html.contains(r#"<option value="PROTOBUF" selected>"#),
        "{html}"
    );
    assert!(
        html.contains("message Order { Money total = 1; }"),
        "{html}"
    );
    assert!(
        html.contains("shop/money.proto") && html.contains("money"),
        "{html}"
    );
    let check = |references: &'static str| {
        let playground = &playground;
        async move {
            playground
                .submit(&[
                    ("subject", "orders"),
                    ("schema_type", "PROTOBUF"),
                    (
                        "schema",
                        "syntax = \"proto3\";\npackage shop;\nimport \"shop/money.proto\";\nmessage Order { Money total = 1; string note = 2; }\n",
                    ),
                    ("references", references),
                ])
                .await
        }
    };
    let judged = check(r#"[{"name": "shop/money.proto", "subject": "money", "version": 1}]"#).await;
    assert!(judged.contains("<h2>Compatible</h2>"), "{judged}");
    assert!(
        judged.contains("Judged under BACKWARD against version 1."),
        "{judged}"
    );
    let without = check("").await;
    assert!(without.contains("Not a valid schema"), "{without}");
    assert!(
        without.contains("the schema refers to shop/money.proto, which the references do not give"),
        "{without}"
    );
    let garbled = check("[{\"name\": 1}]").await;
    assert!(garbled.contains("Not valid references"), "{garbled}");
    server.stop().await;
}
