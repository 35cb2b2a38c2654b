//! Repeated authentication failures from one client address are slowed
//! down: after a few, each answer waits longer (up to a few seconds).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before answers slow down.
const FREE: u32 = 3;
/// The longest wait.
const LONGEST: Duration = Duration::from_secs(4);
/// A client forgotten after this long without failing.
const MEMORY: Duration = Duration::from_secs(300);
/// Addresses tracked at most (then the oldest are forgotten all at once).
const TRACKED: usize = 10_000;

/// Recent failures by client address.
#[derive(Default)]
pub struct Failures {
    recent: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

impl Failures {
    /// Counts a failure from `peer`; returns how long its answer waits.
    pub fn record(&self, peer: Option<IpAddr>) -> Duration {
        let Some(peer) = peer else {
            return Duration::ZERO;
        };
        let mut recent = self.lock();
        let now = Instant::now();
        if recent.len() >= TRACKED {
            recent.retain(|_, (_, at)| now.duration_since(*at) < MEMORY);
            if recent.len() >= TRACKED {
                recent.clear();
            }
        }
        let entry = recent.entry(peer).or_insert((0, now));
        if now.duration_since(entry.1) >= MEMORY {
            entry.0 = 0;
        }
        entry.0 = entry.0.saturating_add(1);
        entry.1 = now;
        delay(entry.0)
    }

    /// Forgets `peer`'s failures (it authenticated).
    pub fn forget(&self, peer: Option<IpAddr>) {
        if let Some(peer) = peer {
            let mut recent = self.lock();
            if !recent.is_empty() {
                recent.remove(&peer);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, (u32, Instant)>> {
        self.recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The wait after the `count`th failure in a row.
fn delay(count: u32) -> Duration {
    if count <= FREE {
        return Duration::ZERO;
    }
    let doublings = (count - FREE - 1).min(6);
    (Duration::from_millis(125) * (1 << doublings)).min(LONGEST)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_slow_down_after_a_few_failures_and_recover() {
        let failures = Failures::default();
        let peer = Some(IpAddr::from([10, 0, 0, 1]));
        let other = Some(IpAddr::from([10, 0, 0, 2]));
        let waits: Vec<Duration> = (0..10).map(|_| failures.record(peer)).collect();
        assert_eq!(waits[..3], [Duration::ZERO; 3]);
        assert_eq!(waits[3], Duration::from_millis(125));
        assert_eq!(waits[4], Duration::from_millis(250));
        assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{waits:?}");
        assert_eq!(waits[9], LONGEST);
        assert_eq!(failures.record(other), Duration::ZERO, "per address");
        failures.forget(peer);
        assert_eq!(failures.record(peer), Duration::ZERO);
    }
}
