//! The order service: publishes the sample events and prints their ids.

use herald_client::transport::{Transport, TransportError};
use herald_example_orders::services::{Settings, Work, publish_sample};

/// Publishing the sample, on whichever broker.
struct Publish(Settings);

impl Work for Publish {
    type Output = Vec<String>;

    async fn run<Tr: Transport>(self, transport: Tr) -> Result<Vec<String>, TransportError> {
        publish_sample(&transport, &self.0)
            .await
            .map_err(|e| TransportError(e.to_string()))
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let settings = Settings::from_env()?;
    for id in settings.with_transport(Publish(settings.clone())).await? {
        println!("sent {id}");
    }
    Ok(())
}
