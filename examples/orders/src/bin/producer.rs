//! The order service: publishes the sample events and prints their ids.

use herald_example_orders::services::{Settings, publish_sample};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let settings = Settings::from_env();
    let transport = settings.connect().await?;
    for id in publish_sample(&transport, &settings).await? {
        println!("sent {id}");
    }
    Ok(())
}
