//! Generates the event types and producers/consumers of the three subjects
//! this example uses. With HERALD_REGISTRY_URL set it asks the registry;
//! without, it builds from herald.lock and herald.lock.d/ (as CI does).

use herald_codegen::{Builder, Version};

fn main() {
    Builder::new()
        .registry_from_env()
        .subject("orders-value")
        .version(Version::Latest)
        .produce()
        .consume()
        .subject("shipments-value")
        .produce()
        .consume()
        .subject("payments-value")
        .produce()
        .consume()
        .lock_file("herald.lock")
        .compile()
        .unwrap_or_else(|error| panic!("{error}"));
}
