//! The billing service: handles events until HERALD_EXAMPLE_EXPECT of them
//! (default 5) were handled or 30 seconds passed, printing one line each.

use std::time::Duration;

use herald_client::transport::{Transport, TransportError};
use herald_example_orders::services::{Settings, Work, consume, declare};

/// Billing, on whichever broker.
struct Bill {
    settings: Settings,
    expected: usize,
}

impl Work for Bill {
    type Output = Vec<String>;

    async fn run<Tr: Transport>(self, transport: Tr) -> Result<Vec<String>, TransportError> {
        declare(&transport, &self.settings).await?;
        println!("ready");
        consume(
            &transport,
            &self.settings,
            self.expected,
            Duration::from_secs(30),
        )
        .await
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let settings = Settings::from_env()?;
    let expected = std::env::var("HERALD_EXAMPLE_EXPECT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    let bill = Bill {
        settings: settings.clone(),
        expected,
    };
    for line in settings.with_transport(bill).await? {
        println!("{line}");
    }
    Ok(())
}
