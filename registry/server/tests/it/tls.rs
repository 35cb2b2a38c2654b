//! HTTPS with a CA made here (rcgen): REST, the UI and gRPC over TLS, and
//! client certificates whose common name names a user.

use herald_server::access::{Grant, UsersFile};
use herald_server::config::{AccessConfig, TlsConfig};
use herald_server::grpc::pb;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use serde_json::json;
use tonic::transport::{Certificate, Channel, ClientTlsConfig};

use crate::support::{MEDIA_TYPE, TestServer, record};

/// A certificate and its key, PEM.
struct Pem {
    cert: String,
    key: String,
}

/// A CA, and certificates it signs.
struct Authority {
    issuer: Issuer<'static, KeyPair>,
    cert: String,
}

impl Authority {
    fn new(name: &str) -> Authority {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let key = KeyPair::generate().expect("a key");
        let cert = params.self_signed(&key).expect("self-signed").pem();
        Authority {
            issuer: Issuer::new(params, key),
            cert,
        }
    }

    /// A certificate for `names` (DNS names or IPs), with `common_name`.
    fn sign(&self, common_name: &str, names: &[&str]) -> Pem {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = CertificateParams::new(names).expect("params");
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        let key = KeyPair::generate().expect("a key");
        let cert = params.signed_by(&key, &self.issuer).expect("signed").pem();
        Pem {
            cert,
            key: key.serialize_pem(),
        }
    }
}

/// A registry serving HTTPS with a certificate of `ca`, client
/// certificates of `ca` accepted, and the user `writer` (password
/// `writer-pw`).
async fn https(ca: &Authority, dir: &std::path::Path) -> TestServer {
    let server_cert = ca.sign("herald", &["localhost", "127.0.0.1"]);
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("written");
        path
    };
    let tls = TlsConfig {
        cert: write("server.pem", &server_cert.cert),
        key: write("server.key", &server_cert.key),
        client_ca: Some(write("ca.pem", &ca.cert)),
    };
    let mut users = UsersFile::default();
    let writer: Grant = "writer".parse().expect("a grant");
    users
        .set_user("writer", "writer-pw", &[writer])
        .expect("added");
    let users_path = dir.join("users.toml");
    users.save(&users_path).expect("saved");
    TestServer::start_configured(|config| {
        config.tls = Some(tls);
        config.access = AccessConfig {
            enabled: true,
            users: Some(users_path),
            ..AccessConfig::default()
        };
    })
    .await
}

fn client(ca: &Authority, identity: Option<&Pem>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.cert.as_bytes()).expect("a CA"));
    if let Some(identity) = identity {
        let pem = format!("{}{}", identity.cert, identity.key);
        builder =
            builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).expect("an identity"));
    }
    builder.build().expect("a client")
}

#[tokio::test]
async fn rest_ui_and_grpc_are_served_over_https_with_client_certificates() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("temporary directory");
    let ca = Authority::new("Herald test CA");
    let server = https(&ca, dir.path()).await;
    let base = server.base.replace("http://", "https://");
    let schema = json!({"schema": record("Order", r#"{"name":"id","type":"long"}"#)}).to_string();

    // Basic credentials over HTTPS.
    let plain = client(&ca, None);
    let answer = plain
        .post(format!("{base}/subjects/orders-value/versions"))
        .basic_auth("writer", Some("writer-pw"))
        .header("Content-Type", MEDIA_TYPE)
        .body(schema.clone())
        .send()
        .await
        .expect("answered over TLS");
    assert_eq!(answer.status().as_u16(), 200);
    let page = plain
        .get(format!("{base}/ui/"))
        .basic_auth("writer", Some("writer-pw"))
        .send()
        .await
        .expect("the UI over TLS");
    assert!(page.text().await.expect("HTML").contains("orders-value"));
    let anonymous = plain
        .get(format!("{base}/subjects"))
        .send()
        .await
        .expect("answered");
    assert_eq!(anonymous.status().as_u16(), 401);
    // Plain HTTP to the TLS port gets no answer.
    assert!(
        reqwest::Client::new()
            .get(format!("{}/healthz", server.base))
            .send()
            .await
            .is_err()
    );

    // A client certificate the CA signed, naming the user `writer`.
    let certified = client(&ca, Some(&ca.sign("writer", &[])));
    let answer = certified
        .post(format!("{base}/subjects/payments-value/versions"))
        .header("Content-Type", MEDIA_TYPE)
        .body(schema.clone())
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.status().as_u16(), 200, "signed in by certificate");
    // A name that is no user, and a certificate of another CA.
    let stranger = client(&ca, Some(&ca.sign("mallory", &[])));
    let answer = stranger
        .get(format!("{base}/subjects"))
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.status().as_u16(), 401);
    let other = Authority::new("Another CA");
    let forged = client(&ca, Some(&other.sign("writer", &[])));
    assert!(
        forged.get(format!("{base}/subjects")).send().await.is_err(),
        "the handshake refuses a certificate of another CA"
    );

    // gRPC over TLS (HTTP/2 by ALPN), signed in by certificate.
    let identity = ca.sign("writer", &[]);
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&ca.cert))
        .identity(tonic::transport::Identity::from_pem(
            &identity.cert,
            &identity.key,
        ))
        .domain_name("localhost");
    let channel = Channel::from_shared(server.grpc_base.replace("http://", "https://"))
        .expect("a URI")
        .tls_config(tls)
        .expect("TLS")
        .connect()
        .await
        .expect("connected over TLS");
    let mut grpc = pb::registry_client::RegistryClient::new(channel);
    let listed = grpc
        .list_subjects(pb::ListSubjectsRequest::default())
        .await
        .expect("listed")
        .into_inner();
    assert_eq!(listed.subjects, ["orders-value", "payments-value"]);

    server.stop().await;
}
