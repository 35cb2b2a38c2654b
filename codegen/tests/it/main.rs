//! herald-codegen against a real registry: the lock file pins versions and
//! content, offline builds use it, a changed schema behind a pin fails the
//! build, updating moves the pin, and the generated code has the shapes
//! the schema asks for.

use std::path::{Path, PathBuf};

use herald_client::registry::{RegisteredSchema, RegistryClient};
use herald_codegen::{Builder, Version};
use herald_server::Server;
use herald_server::config::{ServerConfig, Storage};

const ORDER_V1: &str = r#"{"type":"record","name":"Order","doc":"An order.","fields":[{"name":"id","type":"string","doc":"Its id."},{"name":"customerId","type":"long"},{"name":"kind","type":["null","bytes"],"default":null},{"name":"next","type":["null","Order"],"default":null}]}"#;
const ORDER_V2: &str = r#"{"type":"record","name":"Order","doc":"An order.","fields":[{"name":"id","type":"string","doc":"Its id."},{"name":"customerId","type":"long"},{"name":"kind","type":["null","bytes"],"default":null},{"name":"next","type":["null","Order"],"default":null},{"name":"note","type":"string","default":""}]}"#;
const OTHER: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}"#;

/// A registry on a free port with its data in `dir`; returns its URL.
async fn registry(dir: &Path) -> String {
    let config = ServerConfig {
        listen: "127.0.0.1:0".parse().expect("address"),
        storage: Storage::DataDir(dir.to_path_buf()),
        ..ServerConfig::default()
    };
    let server = Server::bind(&config).await.expect("registry binds");
    let url = format!("http://{}", server.local_addr().expect("address"));
    tokio::spawn(server.run(std::future::pending()));
    url
}

async fn register(url: &str, subject: &str, schema: &str) -> u32 {
    let schema = RegisteredSchema {
        schema: schema.to_owned(),
        schema_type: "AVRO".to_owned(),
        references: Vec::new(),
    };
    RegistryClient::new(url)
        .register(subject, &schema)
        .await
        .expect("registered")
}

struct Paths {
    lock: PathBuf,
    out: PathBuf,
}

fn builder(paths: &Paths) -> Builder {
    Builder::new()
        .subject("orders-value")
        .version(Version::Latest)
        .produce()
        .consume()
        .lock_file(&paths.lock)
        .out_dir(&paths.out)
        .update(false)
}

/// Runs a build on a blocking thread (the builder runs its own runtime).
async fn compile(builder: Builder) -> Result<(), String> {
    tokio::task::spawn_blocking(move || builder.compile().map_err(|e| e.to_string()))
        .await
        .expect("build thread")
}

fn generated(paths: &Paths) -> String {
    std::fs::read_to_string(paths.out.join("herald/orders_value.rs")).expect("module written")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lock_pins_versions_and_content() {
    let (data, work) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let url = registry(data.path()).await;
    assert_eq!(register(&url, "orders-value", ORDER_V1).await, 1);
    let paths = Paths {
        lock: work.path().join("herald.lock"),
        out: work.path().join("out"),
    };

    // Not pinned and no registry: a clear error.
    let offline_first = compile(builder(&paths)).await;
    assert!(
        offline_first
            .as_ref()
            .is_err_and(|e| e.contains("HERALD_REGISTRY_URL")),
        "{offline_first:?}"
    );

    // With the registry: pinned to version 1, cached, generated.
    compile(builder(&paths).registry(&url))
        .await
        .expect("generated");
    let lock = std::fs::read_to_string(&paths.lock).expect("lock written");
    assert!(
        lock.contains("name = \"orders-value\"\nversion = 1\nid = 1\n"),
        "{lock}"
    );
    assert!(
        work.path()
            .join("herald.lock.d/orders-value@1.json")
            .is_file()
    );
    let module = generated(&paths);
    for expected in [
        "/// An order.\n",
        "pub struct Order {",
        "    /// Its id.\n    pub id: ::std::string::String,",
        "    #[serde(rename = \"customerId\")]\n    pub customer_id: i64,",
        "    #[serde(with = \"::herald_client::avro::serde::bytes_opt\")]\n    pub kind: ::std::option::Option<::std::vec::Vec<u8>>,",
        "    pub next: ::std::option::Option<::std::boxed::Box<Order>>,",
        "pub const SCHEMA_ID: u32 = 1;",
        "pub struct OrdersValueProducer<Tr>",
        "pub struct OrdersValueConsumer<Tr>",
    ] {
        assert!(
            module.contains(expected),
            "missing {expected:?} in\n{module}"
        );
    }
    let top = std::fs::read_to_string(paths.out.join("herald.rs")).expect("herald.rs");
    assert!(top.contains("pub mod orders_value {"), "{top}");

    // Offline (and with an unreachable registry): the same code from the lock.
    std::fs::remove_dir_all(&paths.out).expect("out removed");
    compile(builder(&paths)).await.expect("offline build");
    assert_eq!(generated(&paths), module);
    compile(builder(&paths).registry("http://127.0.0.1:1"))
        .await
        .expect("fallback build");
    assert_eq!(generated(&paths), module);

    // A new version does not move the pin; updating does.
    assert_eq!(register(&url, "orders-value", ORDER_V2).await, 2);
    compile(builder(&paths).registry(&url))
        .await
        .expect("pinned build");
    assert!(generated(&paths).contains("pub const VERSION: i32 = 1;"));
    compile(builder(&paths).registry(&url).update(true))
        .await
        .expect("updated build");
    assert!(generated(&paths).contains("pub const VERSION: i32 = 2;"));
    assert!(
        std::fs::read_to_string(&paths.lock)
            .expect("lock")
            .contains("version = 2")
    );
    // An explicit version is honoured too.
    compile(builder(&paths).registry(&url).version(1))
        .await
        .expect("version 1");
    assert!(generated(&paths).contains("pub const SCHEMA_ID: u32 = 1;"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_schema_behind_a_pin_fails_the_build() {
    let (first, second, work) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let paths = Paths {
        lock: work.path().join("herald.lock"),
        out: work.path().join("out"),
    };
    let url = registry(first.path()).await;
    register(&url, "orders-value", ORDER_V1).await;
    compile(builder(&paths).registry(&url))
        .await
        .expect("pinned");
    // Another registry where version 1 of the subject is something else.
    let other = registry(second.path()).await;
    register(&other, "orders-value", OTHER).await;
    let changed = compile(builder(&paths).registry(&other)).await;
    assert!(
        changed
            .as_ref()
            .is_err_and(|e| e.contains("changed since herald.lock pinned it")
                && e.contains("HERALD_CODEGEN_UPDATE=1")),
        "{changed:?}"
    );
    // A tampered cache is caught offline the same way.
    let cached = work.path().join("herald.lock.d/orders-value@1.json");
    let text = std::fs::read_to_string(&cached).expect("cache");
    std::fs::write(&cached, text.replace("customerId", "clientId")).expect("tampered");
    let tampered = compile(builder(&paths)).await;
    assert!(
        tampered
            .as_ref()
            .is_err_and(|e| e.contains("changed since herald.lock pinned it")),
        "{tampered:?}"
    );
}
