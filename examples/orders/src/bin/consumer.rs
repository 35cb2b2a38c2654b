//! The billing service: handles events until HERALD_EXAMPLE_EXPECT of them
//! (default 5) were handled or 30 seconds passed, printing one line each.

use std::time::Duration;

use herald_example_orders::services::{Settings, consume};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let settings = Settings::from_env();
    let expected = std::env::var("HERALD_EXAMPLE_EXPECT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    let transport = settings.connect().await?;
    println!("ready");
    for line in consume(&transport, &settings, expected, Duration::from_secs(30)).await? {
        println!("{line}");
    }
    Ok(())
}
