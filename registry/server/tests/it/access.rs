//! Access control on a real server: every write endpoint for every kind of
//! caller, refusals that change nothing, listings filtered by grants, every
//! route and RPC covered by a rule, and herald-client signing in over REST
//! and gRPC.

use herald_client::registry::{Auth, RegisteredSchema, RegistryClient, RegistryError};
use herald_server::access::{GRPC_METHODS, Grant, HTTP_ROUTES, Need, Role, UsersFile};
use herald_server::config::{AccessConfig, JwtConfig};
use prost::Message as _;
use serde_json::{Value, json};

use crate::support::{MEDIA_TYPE, TestServer, record};

/// The users of every test here, each with password `NAME-pw`.
const USERS: &[(&str, &str)] = &[
    ("admin", "admin"),
    ("writer", "writer"),
    ("payments", "writer:payments."),
    ("reader", "reader"),
];

/// A registry with access control on, the users above, and callers
/// without credentials given `anonymous` (none: refused).
pub(crate) async fn secured(anonymous: Option<&str>) -> (TestServer, tempfile::TempDir) {
    secured_with(anonymous, None).await
}

/// [`secured`], also accepting bearer tokens as `jwt` says.
async fn secured_with(
    anonymous: Option<&str>,
    jwt: Option<JwtConfig>,
) -> (TestServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("users.toml");
    let mut users = UsersFile::default();
    for (name, grant) in USERS {
        let grant: Grant = grant.parse().expect("a grant");
        users
            .set_user(name, &format!("{name}-pw"), &[grant])
            .expect("added");
    }
    users.save(&path).expect("saved");
    let server = TestServer::start_configured(|config| {
        config.access = AccessConfig {
            enabled: true,
            users: Some(path),
            anonymous: anonymous.map(str::to_owned),
            jwt,
        };
    })
    .await;
    (server, dir)
}

/// A request as `user` (`None`: without credentials): status and body.
async fn call(
    server: &TestServer,
    user: Option<&str>,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value, reqwest::header::HeaderMap) {
    // Redirects are answers too (`/ui` redirects to `/ui/`).
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let mut request = client.request(method, format!("{}{path}", server.base));
    if let Some(user) = user {
        request = request.basic_auth(user, Some(format!("{user}-pw")));
    }
    if let Some(body) = body {
        request = request
            .header("Content-Type", MEDIA_TYPE)
            .body(body.to_string());
    }
    let response = request.send().await.expect("answered");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        headers,
    )
}

/// What the registry holds about `subject`, read as admin.
async fn state_of(server: &TestServer, subject: &str) -> Vec<(u16, Value)> {
    let mut state = Vec::new();
    for path in [
        format!("/subjects/{subject}/versions?deleted=true"),
        format!("/config/{subject}"),
        format!("/mode/{subject}"),
        "/config".to_owned(),
        "/mode".to_owned(),
    ] {
        let (status, body, _) =
            call(server, Some("admin"), reqwest::Method::GET, &path, None).await;
        state.push((status, body));
    }
    state
}

#[tokio::test]
async fn every_write_needs_its_role_and_a_refusal_changes_nothing() {
    let (server, _dir) = secured(None).await;
    let subject = "orders-value";
    let v1 = record("Order", r#"{"name":"id","type":"long"}"#);
    let v2 = record(
        "Order",
        r#"{"name":"id","type":"long"},{"name":"note","type":"string","default":""}"#,
    );
    let v3 = record(
        "Order",
        r#"{"name":"id","type":"long"},{"name":"tag","type":"string","default":""}"#,
    );
    for schema in [&v1, &v2] {
        let (status, _, _) = call(
            &server,
            Some("admin"),
            reqwest::Method::POST,
            &format!("/subjects/{subject}/versions"),
            Some(json!({ "schema": schema })),
        )
        .await;
        assert_eq!(status, 200);
    }
    use reqwest::Method;
    // (method, path, body, role needed); deletes last, as the admin's succeed.
    let writes: Vec<(Method, String, Option<Value>, Role)> = vec![
        (
            Method::POST,
            format!("/subjects/{subject}/versions"),
            Some(json!({"schema": v3})),
            Role::Writer,
        ),
        (
            Method::POST,
            format!("/subjects/{subject}"),
            Some(json!({"schema": v1})),
            Role::Writer,
        ),
        (
            Method::POST,
            format!("/compatibility/subjects/{subject}/versions"),
            Some(json!({"schema": v2})),
            Role::Writer,
        ),
        (
            Method::POST,
            format!("/compatibility/subjects/{subject}/versions/1"),
            Some(json!({"schema": v2})),
            Role::Writer,
        ),
        (
            Method::PUT,
            format!("/config/{subject}"),
            Some(json!({"compatibility": "FULL"})),
            Role::Admin,
        ),
        (
            Method::DELETE,
            format!("/config/{subject}"),
            None,
            Role::Admin,
        ),
        (
            Method::PUT,
            format!("/mode/{subject}"),
            Some(json!({"mode": "READONLY"})),
            Role::Admin,
        ),
        (
            Method::DELETE,
            format!("/mode/{subject}"),
            None,
            Role::Admin,
        ),
        (
            Method::PUT,
            "/config".to_owned(),
            Some(json!({"compatibility": "NONE"})),
            Role::Admin,
        ),
        (
            Method::PUT,
            "/mode".to_owned(),
            Some(json!({"mode": "READWRITE"})),
            Role::Admin,
        ),
        (
            Method::DELETE,
            format!("/subjects/{subject}/versions/1"),
            None,
            Role::Admin,
        ),
        (
            Method::DELETE,
            format!("/subjects/{subject}"),
            None,
            Role::Admin,
        ),
    ];
    for (method, path, body, needed) in writes {
        let callers: [(Option<&str>, Option<Role>); 5] = [
            (None, None),
            (Some("reader"), Some(Role::Reader)),
            (Some("payments"), None),
            (Some("writer"), Some(Role::Writer)),
            (Some("admin"), Some(Role::Admin)),
        ];
        for (user, role) in callers {
            let before = state_of(&server, subject).await;
            let (status, answer, headers) =
                call(&server, user, method.clone(), &path, body.clone()).await;
            let what = format!("{method} {path} as {user:?}: {answer}");
            match (user, role) {
                (None, _) => {
                    assert_eq!(
                        (status, answer["error_code"].as_i64()),
                        (401, Some(40101)),
                        "{what}"
                    );
                    let challenge = headers
                        .get("www-authenticate")
                        .and_then(|v| v.to_str().ok());
                    assert!(challenge.is_some_and(|c| c.starts_with("Basic")), "{what}");
                }
                (Some(_), Some(role)) if role >= needed => {
                    assert_eq!(status, 200, "{what}");
                    continue;
                }
                (Some(_), _) => {
                    assert_eq!(
                        (status, answer["error_code"].as_i64()),
                        (403, Some(40301)),
                        "{what}"
                    );
                }
            }
            assert_eq!(
                state_of(&server, subject).await,
                before,
                "refused, yet changed: {what}"
            );
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn wrong_or_unknown_credentials_are_refused() {
    let (server, _dir) = secured(Some("reader")).await;
    let client = reqwest::Client::new();
    let attempts = [
        client
            .get(format!("{}/subjects", server.base))
            .basic_auth("admin", Some("wrong")),
        client
            .get(format!("{}/subjects", server.base))
            .basic_auth("nobody", Some("admin-pw")),
        client
            .get(format!("{}/subjects", server.base))
            .header("Authorization", "Basic !!!"),
        client
            .get(format!("{}/subjects", server.base))
            .bearer_auth("not-configured"),
        client
            .get(format!("{}/subjects", server.base))
            .header("Authorization", "Digest x"),
    ];
    for attempt in attempts {
        let response = attempt.send().await.expect("answered");
        assert_eq!(response.status().as_u16(), 401);
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["error_code"], 40101, "{body}");
    }
    // Without credentials: the anonymous role (reader) reads, and no more.
    let (status, _, _) = call(&server, None, reqwest::Method::GET, "/subjects", None).await;
    assert_eq!(status, 200);
    let (status, _, _) = call(
        &server,
        None,
        reqwest::Method::POST,
        "/subjects/x/versions",
        Some(json!({"schema": record("X", r#"{"name":"a","type":"int"}"#)})),
    )
    .await;
    assert_eq!(status, 401);
    server.stop().await;
}

#[tokio::test]
async fn listings_show_only_what_the_caller_may_read() {
    let (server, _dir) = secured(None).await;
    for subject in [
        "payments.invoices",
        "orders-value",
        ":.staging:payments.refunds",
    ] {
        let (status, _, _) = call(
            &server,
            Some("admin"),
            reqwest::Method::POST,
            &format!("/subjects/{subject}/versions"),
            Some(json!({"schema": record("R", r#"{"name":"a","type":"int"}"#)})),
        )
        .await;
        assert_eq!(status, 200, "{subject}");
    }
    let list = |user: &'static str, path: &'static str| {
        let server = &server;
        async move {
            call(server, Some(user), reqwest::Method::GET, path, None)
                .await
                .1
        }
    };
    assert_eq!(
        list("payments", "/subjects").await,
        json!([":.staging:payments.refunds", "payments.invoices"])
    );
    assert_eq!(
        list("reader", "/subjects").await.as_array().map(Vec::len),
        Some(3)
    );
    let schemas = list("payments", "/schemas").await;
    let subjects: Vec<&str> = schemas
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|s| s["subject"].as_str())
        .collect();
    assert_eq!(
        subjects,
        [":.staging:payments.refunds", "payments.invoices"]
    );
    assert_eq!(
        list("payments", "/subjects?offset=1&limit=1").await,
        json!(["payments.invoices"]),
        "paged after filtering"
    );
    let used_by = list("payments", "/schemas/ids/1/subjects").await;
    assert_eq!(used_by, json!(["payments.invoices"]));
    // The UI's list, too.
    let client = reqwest::Client::new();
    let page = client
        .get(format!("{}/ui/", server.base))
        .basic_auth("payments", Some("payments-pw"))
        .send()
        .await
        .expect("answered")
        .text()
        .await
        .expect("HTML");
    assert!(page.contains("payments.invoices"));
    assert!(!page.contains("orders-value"), "{page}");
    server.stop().await;
}

/// `template` with sample values for its parameters.
fn sample(template: &str) -> String {
    template
        .replace("{subject}", "s")
        .replace("{version}", "1")
        .replace("{id}", "1")
        .replace("{guid}", "g")
        .replace("{*path}", "x")
}

#[tokio::test]
async fn every_route_and_rpc_has_a_rule_and_callers_without_credentials_meet_it() {
    let (server, _dir) = secured(None).await;
    let mut walked = 0;
    for (template, methods) in HTTP_ROUTES {
        for (method, rule) in *methods {
            let (status, body, _) =
                call(&server, None, method.clone(), &sample(template), None).await;
            let what = format!("{method} {template}: {status} {body}");
            if rule.need == Need::Public {
                assert_ne!(status, 401, "{what}");
            } else {
                assert_eq!(status, 401, "{what}");
            }
            walked += 1;
        }
    }
    assert!(walked >= 50, "{walked} routes");
    // A path or method no rule names is refused even to an admin.
    let (status, _, _) = call(
        &server,
        Some("admin"),
        reqwest::Method::GET,
        "/no/such/route",
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _, _) = call(
        &server,
        Some("admin"),
        reqwest::Method::PATCH,
        "/config",
        None,
    )
    .await;
    assert_eq!(status, 405);

    // Every method of every gRPC service the server describes has a rule.
    let descriptors = prost_types::FileDescriptorSet::decode(herald_server::grpc::DESCRIPTORS)
        .expect("descriptors");
    let mut methods = Vec::new();
    for file in descriptors.file {
        for service in &file.service {
            for method in &service.method {
                methods.push(format!(
                    "/{}.{}/{}",
                    file.package(),
                    service.name(),
                    method.name()
                ));
            }
        }
    }
    methods.extend([
        "/grpc.health.v1.Health/Check".to_owned(),
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo".to_owned(),
    ]);
    assert!(methods.len() >= 16, "{methods:?}");
    for method in methods {
        assert!(
            GRPC_METHODS.iter().any(|(name, _)| *name == method),
            "{method} has no rule"
        );
    }
    server.stop().await;
}

fn avro(text: &str) -> RegisteredSchema {
    RegisteredSchema {
        schema: text.to_owned(),
        schema_type: "AVRO".to_owned(),
        references: Vec::new(),
    }
}

fn as_user(client: RegistryClient, user: &str) -> RegistryClient {
    client.with_auth(Auth::Basic {
        user: user.to_owned(),
        password: format!("{user}-pw"),
    })
}

fn code_of(error: &RegistryError) -> Option<i64> {
    match error {
        RegistryError::Api { error_code, .. } => Some(*error_code),
        _ => None,
    }
}

#[tokio::test]
async fn herald_client_signs_in_over_rest_and_grpc() {
    let (server, _dir) = secured(None).await;
    let transports = [
        ("rest", RegistryClient::new(&server.base)),
        (
            "grpc",
            RegistryClient::grpc(&server.grpc_base).expect("a URI"),
        ),
    ];
    for (name, client) in transports {
        let subject = format!("{name}-orders");
        let schema = avro(&record("Order", r#"{"name":"id","type":"long"}"#));
        let anonymous = client
            .register(&subject, &schema)
            .await
            .expect_err("no credentials");
        assert_eq!(code_of(&anonymous), Some(40101), "{name}: {anonymous:?}");
        let reader = as_user(client.clone(), "reader");
        let refused = reader
            .register(&subject, &schema)
            .await
            .expect_err("a reader");
        assert_eq!(code_of(&refused), Some(40301), "{name}: {refused:?}");
        let outsider = as_user(client.clone(), "payments");
        let refused = outsider
            .register(&subject, &schema)
            .await
            .expect_err("outside its prefix");
        assert_eq!(code_of(&refused), Some(40301), "{name}: {refused:?}");
        let writer = as_user(client.clone(), "writer");
        let id = writer
            .register(&subject, &schema)
            .await
            .expect("a writer registers");
        assert_eq!(
            reader
                .schema_by_id(id)
                .await
                .expect("a reader reads")
                .schema,
            schema.schema
        );
        let refused = writer
            .set_compatibility_level(&subject, "FULL")
            .await
            .expect_err("a writer sets no level");
        assert_eq!(code_of(&refused), Some(40301), "{name}: {refused:?}");
        let admin = as_user(client.clone(), "admin");
        admin
            .set_compatibility_level(&subject, "FULL")
            .await
            .expect("an admin does");
        assert_eq!(
            outsider.subjects().await.expect("listed"),
            Vec::<String>::new(),
            "{name}: the outsider sees no subject"
        );
        assert!(reader.subjects().await.expect("listed").contains(&subject));
    }
    server.stop().await;
}

/// The JWT test keys (`tests/data/jwt`).
fn key_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/jwt")
        .join(name)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// A token signed with `key` (`tests/data/jwt/{key}.key`) as `algorithm`,
/// with `kid` and `claims`.
fn token(
    key: &str,
    algorithm: jsonwebtoken::Algorithm,
    kid: Option<&str>,
    claims: Value,
) -> String {
    use jsonwebtoken::{EncodingKey, Header, encode};
    let pem = std::fs::read(key_path(&format!("{key}.key"))).expect("a test key");
    let signing = match algorithm {
        jsonwebtoken::Algorithm::RS256 => EncodingKey::from_rsa_pem(&pem),
        jsonwebtoken::Algorithm::ES256 => EncodingKey::from_ec_pem(&pem),
        _ => EncodingKey::from_ed_pem(&pem),
    }
    .expect("a private key");
    let mut header = Header::new(algorithm);
    header.kid = kid.map(str::to_owned);
    encode(&header, &claims, &signing).expect("signed")
}

#[tokio::test]
async fn bearer_tokens_are_verified_offline_and_carry_grants() {
    use jsonwebtoken::Algorithm::{ES256, EdDSA, RS256};
    let jwt = JwtConfig {
        jwks: Some(key_path("jwks.json")),
        public_keys: vec![key_path("eddsa.pub")],
        issuer: Some("https://idp.example".to_owned()),
        audience: Some("herald".to_owned()),
        grants_claim: "access.herald".to_owned(),
        name_claim: "sub".to_owned(),
        leeway_seconds: 60,
    };
    let (server, _dir) = secured_with(None, Some(jwt)).await;
    let claims = |exp: i64, iss: &str, aud: &str| {
        json!({
            "sub": "payments-service", "iss": iss, "aud": aud, "exp": exp,
            "access": {"herald": ["writer:payments.", "not-a-grant"]},
        })
    };
    let good = claims(now() + 600, "https://idp.example", "herald");
    let register = |token: String, subject: &'static str| {
        let server = &server;
        async move {
            let response = reqwest::Client::new()
                .post(format!("{}/subjects/{subject}/versions", server.base))
                .bearer_auth(token)
                .header("Content-Type", MEDIA_TYPE)
                .body(json!({"schema": record("P", r#"{"name":"a","type":"int"}"#)}).to_string())
                .send()
                .await
                .expect("answered");
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            (status, body["error_code"].as_i64())
        }
    };
    // Each algorithm, by kid from the JWKS or by trying the PEM keys.
    for (key, algorithm, kid) in [
        ("rs256", RS256, Some("rsa-1")),
        ("es256", ES256, Some("ec-1")),
        ("eddsa", EdDSA, Some("ed-1")),
        ("eddsa", EdDSA, None),
    ] {
        let signed = token(key, algorithm, kid, good.clone());
        assert_eq!(
            register(signed, "payments.invoices").await.0,
            200,
            "{key} {kid:?}"
        );
    }
    let signed = token("es256", ES256, Some("ec-1"), good.clone());
    assert_eq!(
        register(signed, "orders-value").await,
        (403, Some(40301)),
        "outside its grant"
    );
    let refused = [
        (
            "a key the registry does not trust",
            token("stranger", EdDSA, None, good.clone()),
        ),
        (
            "another key's kid",
            token("stranger", EdDSA, Some("ed-1"), good.clone()),
        ),
        (
            "the wrong issuer",
            token(
                "rs256",
                RS256,
                Some("rsa-1"),
                claims(now() + 600, "https://evil.example", "herald"),
            ),
        ),
        (
            "the wrong audience",
            token(
                "rs256",
                RS256,
                Some("rsa-1"),
                claims(now() + 600, "https://idp.example", "other"),
            ),
        ),
        (
            "expired",
            token(
                "rs256",
                RS256,
                Some("rsa-1"),
                claims(now() - 3600, "https://idp.example", "herald"),
            ),
        ),
        ("not a JWT", "abc.def".to_owned()),
    ];
    for (why, signed) in refused {
        assert_eq!(
            register(signed, "payments.invoices").await,
            (401, Some(40101)),
            "{why}"
        );
    }
    let skewed = token(
        "rs256",
        RS256,
        Some("rsa-1"),
        claims(now() - 10, "https://idp.example", "herald"),
    );
    assert_eq!(
        register(skewed, "payments.invoices").await.0,
        200,
        "within the clock skew"
    );

    // herald-client over REST and gRPC, too.
    let rest = RegistryClient::new(&server.base).with_auth(Auth::Bearer(token(
        "es256",
        ES256,
        Some("ec-1"),
        good.clone(),
    )));
    let schema = avro(&record("R", r#"{"name":"a","type":"int"}"#));
    rest.register("payments.rest", &schema)
        .await
        .expect("a bearer over REST");
    let grpc = RegistryClient::grpc(&server.grpc_base)
        .expect("a URI")
        .with_auth(Auth::Bearer(token("eddsa", EdDSA, None, good.clone())));
    grpc.register("payments.grpc", &schema)
        .await
        .expect("a bearer over gRPC");
    let refused = grpc
        .register("orders-grpc", &schema)
        .await
        .expect_err("outside its grant");
    assert_eq!(code_of(&refused), Some(40301));
    server.stop().await;
}

/// The UI page at `path` as `user`: status and HTML.
async fn page(server: &TestServer, user: &str, path: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", server.base))
        .basic_auth(user, Some(format!("{user}-pw")))
        .send()
        .await
        .expect("answered");
    let status = response.status().as_u16();
    (status, response.text().await.expect("HTML"))
}

#[tokio::test]
async fn the_ui_shows_who_is_signed_in_and_offers_admin_forms_only_to_admins() {
    let (server, _dir) = secured(None).await;
    for schema in [
        record("Order", r#"{"name":"id","type":"long"}"#),
        record(
            "Order",
            r#"{"name":"id","type":"long"},{"name":"n","type":"int","default":0}"#,
        ),
    ] {
        let (status, _, _) = call(
            &server,
            Some("admin"),
            reqwest::Method::POST,
            "/subjects/orders-value/versions",
            Some(json!({ "schema": schema })),
        )
        .await;
        assert_eq!(status, 200);
    }
    let (status, admin) = page(&server, "admin", "/ui/subjects/orders-value").await;
    assert_eq!(status, 200);
    assert!(
        admin.contains("Signed in as <strong>admin</strong>"),
        "{admin}"
    );
    assert!(admin.contains("Change compatibility") && admin.contains("Soft-delete"));
    let (status, reader) = page(&server, "reader", "/ui/subjects/orders-value").await;
    assert_eq!(status, 200);
    assert!(
        reader.contains("Signed in as <strong>reader</strong>"),
        "{reader}"
    );
    assert!(
        !reader.contains("Change compatibility") && !reader.contains("Soft-delete"),
        "{reader}"
    );
    let (_, list) = page(&server, "reader", "/ui/").await;
    assert!(list.contains("Signed in as <strong>reader</strong>"));
    assert!(
        !list.contains("/ui/audit"),
        "only admins are offered the audit log"
    );
    let (_, list) = page(&server, "admin", "/ui/").await;
    assert!(list.contains(r#"<a href="/ui/audit">Audit log</a>"#));
    let (status, audit) = page(&server, "admin", "/ui/audit?principal=admin").await;
    assert_eq!(status, 200);
    assert!(
        audit.contains("<code>REGISTERED</code>") && audit.contains("orders-value"),
        "{audit}"
    );
    assert_eq!(page(&server, "reader", "/ui/audit").await.0, 403);
    // The forms' targets refuse a reader anyway (before any CSRF check).
    for action in [
        "/ui/subjects/orders-value/config",
        "/ui/subjects/orders-value/versions/1/delete",
    ] {
        let response = reqwest::Client::new()
            .post(format!("{}{action}", server.base))
            .basic_auth("reader", Some("reader-pw"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("compatibility=NONE&csrf=x")
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status().as_u16(), 403, "{action}");
    }
    let (_, versions, _) = call(
        &server,
        Some("admin"),
        reqwest::Method::GET,
        "/subjects/orders-value/versions",
        None,
    )
    .await;
    assert_eq!(versions, json!([1, 2]));
    server.stop().await;
}

#[tokio::test]
async fn the_audit_log_holds_every_write_kept_or_refused() {
    let (server, _dir) = secured(None).await;
    let v1 = record("Order", r#"{"name":"id","type":"long"}"#);
    let breaking = record("Order", r#"{"name":"id","type":"string"}"#);
    let post = |user: Option<&'static str>, schema: &str| {
        let server = &server;
        let body = json!({ "schema": schema });
        async move {
            call(
                server,
                user,
                reqwest::Method::POST,
                "/subjects/orders-value/versions",
                Some(body),
            )
            .await
            .0
        }
    };
    assert_eq!(post(Some("writer"), &v1).await, 200);
    assert_eq!(post(Some("writer"), &breaking).await, 409);
    assert_eq!(post(Some("reader"), &v1).await, 403);
    assert_eq!(post(None, &v1).await, 401);
    let (status, _, _) = call(
        &server,
        Some("admin"),
        reqwest::Method::PUT,
        "/config/orders-value",
        Some(json!({"compatibility": "NONE"})),
    )
    .await;
    assert_eq!(status, 200);
    // Over gRPC too: a refused registration.
    let grpc = as_user(
        RegistryClient::grpc(&server.grpc_base).expect("a URI"),
        "payments",
    );
    grpc.register("orders-value", &avro(&v1))
        .await
        .expect_err("outside its prefix");
    // Reads are not recorded.
    let _ = call(
        &server,
        Some("reader"),
        reqwest::Method::GET,
        "/subjects",
        None,
    )
    .await;

    let (status, log, _) = call(
        &server,
        Some("admin"),
        reqwest::Method::GET,
        "/v1/audit",
        None,
    )
    .await;
    assert_eq!(status, 200, "{log}");
    let lines: Vec<(String, String, String, i64, Option<i64>)> = log
        .as_array()
        .expect("a list")
        .iter()
        .rev()
        .map(|e| {
            (
                e["principal"].as_str().unwrap_or_default().to_owned(),
                e["action"].as_str().unwrap_or_default().to_owned(),
                e["subject"].as_str().unwrap_or_default().to_owned(),
                e["status"].as_i64().unwrap_or_default(),
                e["errorCode"].as_i64(),
            )
        })
        .collect();
    let line = |principal: &str, action: &str, status: i64, code: Option<i64>| {
        (
            principal.to_owned(),
            action.to_owned(),
            "orders-value".to_owned(),
            status,
            code,
        )
    };
    assert_eq!(
        lines,
        [
            line("writer", "REGISTERED", 200, None),
            line(
                "writer",
                "POST /subjects/{subject}/versions",
                409,
                Some(40901)
            ),
            line(
                "reader",
                "POST /subjects/{subject}/versions",
                403,
                Some(40301)
            ),
            line(
                "anonymous",
                "POST /subjects/{subject}/versions",
                401,
                Some(40101)
            ),
            line("admin", "CONFIG_CHANGED", 200, None),
            line(
                "payments",
                "/herald.registry.v1.Registry/Register",
                403,
                Some(40301)
            ),
        ]
    );
    let first = &log.as_array().expect("a list")[5];
    assert_eq!(first["version"], 1);
    assert_eq!(first["schemaId"], 1);
    assert_eq!(first["address"], "127.0.0.1");

    // Filters, paging, and admins only.
    let (_, refused, _) = call(
        &server,
        Some("admin"),
        reqwest::Method::GET,
        "/v1/audit?principal=reader",
        None,
    )
    .await;
    assert_eq!(refused.as_array().map(Vec::len), Some(1), "{refused}");
    let (_, kept, _) = call(
        &server,
        Some("admin"),
        reqwest::Method::GET,
        "/v1/audit?action=REGISTERED&limit=5",
        None,
    )
    .await;
    assert_eq!(kept.as_array().map(Vec::len), Some(1), "{kept}");
    let (_, none, _) = call(
        &server,
        Some("admin"),
        reqwest::Method::GET,
        "/v1/audit?subjectPrefix=payments&to=1",
        None,
    )
    .await;
    assert_eq!(none, json!([]));
    let (_, page, _) = call(
        &server,
        Some("admin"),
        reqwest::Method::GET,
        "/v1/audit?offset=1&limit=2",
        None,
    )
    .await;
    assert_eq!(page.as_array().map(Vec::len), Some(2));
    let (status, _, _) = call(
        &server,
        Some("writer"),
        reqwest::Method::GET,
        "/v1/audit",
        None,
    )
    .await;
    assert_eq!(status, 403);
    server.stop().await;
}

/// `message` carrying `user`'s Basic credentials (none: anonymous).
fn signed<T>(user: Option<&str>, message: T) -> tonic::Request<T> {
    use base64::Engine as _;
    let mut request = tonic::Request::new(message);
    if let Some(user) = user {
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{user}-pw"));
        let value = format!("Basic {encoded}").parse().expect("a header value");
        request.metadata_mut().insert("authorization", value);
    }
    request
}

#[tokio::test]
async fn every_grpc_write_needs_its_role() {
    use herald_server::grpc::pb::{self, registry_client::RegistryClient as Stub};
    let (server, _dir) = secured(None).await;
    let admin = as_user(RegistryClient::new(&server.base), "admin");
    let v1 = avro(&record("Order", r#"{"name":"id","type":"long"}"#));
    let v2 = avro(&record(
        "Order",
        r#"{"name":"id","type":"long"},{"name":"n","type":"int","default":0}"#,
    ));
    admin.register("orders-value", &v1).await.expect("v1");
    admin.register("orders-value", &v2).await.expect("v2");
    let mut stub = Stub::connect(server.grpc_base.clone())
        .await
        .expect("connects");
    let register = || pb::RegisterRequest {
        subject: "orders-value".to_owned(),
        schema_type: pb::SchemaType::Avro.into(),
        schema: record(
            "Order",
            r#"{"name":"id","type":"long"},{"name":"m","type":"int","default":0}"#,
        ),
        ..pb::RegisterRequest::default()
    };
    let level = |subject: &str| pb::SetConfigRequest {
        subject: subject.to_owned(),
        config: Some(pb::Config {
            compatibility: "FULL".to_owned(),
            ..pb::Config::default()
        }),
    };
    let mode = |subject: &str| pb::SetModeRequest {
        subject: subject.to_owned(),
        mode: "READWRITE".to_owned(),
        force: false,
    };
    // Callers in order of rights: each refused one changes nothing, the
    // first allowed one succeeds.
    let callers = [
        None,
        Some("reader"),
        Some("payments"),
        Some("writer"),
        Some("admin"),
    ];
    let needs = [
        ("Register", Role::Writer),
        ("SetConfig orders-value", Role::Admin),
        ("SetConfig (global)", Role::Admin),
        ("SetMode orders-value", Role::Admin),
        ("SetMode (global)", Role::Admin),
        ("DeleteVersion", Role::Admin),
        ("DeleteSubject", Role::Admin),
    ];
    for (call, needed) in needs {
        for user in callers {
            let before = state_of(&server, "orders-value").await;
            let outcome = match call {
                "Register" => stub.register(signed(user, register())).await.map(|_| ()),
                "SetConfig orders-value" => stub
                    .set_config(signed(user, level("orders-value")))
                    .await
                    .map(|_| ()),
                "SetConfig (global)" => stub.set_config(signed(user, level(""))).await.map(|_| ()),
                "SetMode orders-value" => stub
                    .set_mode(signed(user, mode("orders-value")))
                    .await
                    .map(|_| ()),
                "SetMode (global)" => stub.set_mode(signed(user, mode(""))).await.map(|_| ()),
                "DeleteVersion" => stub
                    .delete_version(signed(
                        user,
                        pb::DeleteVersionRequest {
                            subject: "orders-value".to_owned(),
                            version: 1,
                            permanent: false,
                        },
                    ))
                    .await
                    .map(|_| ()),
                _ => stub
                    .delete_subject(signed(
                        user,
                        pb::DeleteSubjectRequest {
                            subject: "orders-value".to_owned(),
                            permanent: false,
                        },
                    ))
                    .await
                    .map(|_| ()),
            };
            let role = match user {
                Some("reader") => Some(Role::Reader),
                Some("writer") => Some(Role::Writer),
                Some("admin") => Some(Role::Admin),
                _ => None,
            };
            match (user, role) {
                (None, _) => {
                    let status = outcome.expect_err("anonymous");
                    assert_eq!(status.code(), tonic::Code::Unauthenticated, "{call}");
                    assert!(status.message().starts_with("40101"), "{call}: {status:?}");
                }
                (Some(_), Some(role)) if role >= needed => {
                    outcome.unwrap_or_else(|e| panic!("{call} as {user:?}: {e:?}"));
                    continue;
                }
                (Some(_), _) => {
                    let status = outcome.expect_err("without the right");
                    assert_eq!(
                        status.code(),
                        tonic::Code::PermissionDenied,
                        "{call} as {user:?}"
                    );
                    assert!(status.message().starts_with("40301"), "{call}: {status:?}");
                }
            }
            assert_eq!(
                state_of(&server, "orders-value").await,
                before,
                "{call} as {user:?} changed something"
            );
        }
    }
    server.stop().await;
}
