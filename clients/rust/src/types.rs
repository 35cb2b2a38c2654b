//! Value types that generated code uses for Avro logical types, and the
//! crates generated code needs, re-exported so that a service depends on
//! `herald-client` alone.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

pub use uuid::Uuid;

/// Avro `timestamp-millis`: milliseconds since the Unix epoch.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct TimestampMillis(pub i64);

/// Avro `timestamp-micros`: microseconds since the Unix epoch.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct TimestampMicros(pub i64);

macro_rules! timestamp {
    ($type:ident, $per_second:expr) => {
        impl $type {
            /// The current time.
            pub fn now() -> Self {
                Self::from(SystemTime::now())
            }

            /// As a [`SystemTime`].
            pub fn to_system_time(self) -> SystemTime {
                let units = u64::try_from(self.0.unsigned_abs()).unwrap_or(u64::MAX);
                let offset = Duration::from_secs(units / $per_second)
                    + Duration::from_nanos(units % $per_second * (1_000_000_000 / $per_second));
                if self.0 >= 0 {
                    UNIX_EPOCH + offset
                } else {
                    UNIX_EPOCH - offset
                }
            }
        }

        impl From<SystemTime> for $type {
            fn from(time: SystemTime) -> Self {
                let units = |d: Duration| {
                    i64::try_from(d.as_nanos() / (1_000_000_000 / $per_second)).unwrap_or(i64::MAX)
                };
                match time.duration_since(UNIX_EPOCH) {
                    Ok(after) => $type(units(after)),
                    Err(before) => $type(-units(before.duration())),
                }
            }
        }
    };
}

timestamp!(TimestampMillis, 1_000);
timestamp!(TimestampMicros, 1_000_000);

/// Serde for an Avro `uuid` over `string`: the UUID as its text (uuid's
/// own serde writes bytes to non-human-readable formats such as Avro).
pub mod uuid_string {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Uuid;

    /// Writes the UUID as text.
    pub fn serialize<S: Serializer>(uuid: &Uuid, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(uuid)
    }

    /// Reads the UUID from text.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Uuid, D::Error> {
        let text = String::deserialize(deserializer)?;
        Uuid::parse_str(&text).map_err(serde::de::Error::custom)
    }
}

/// [`uuid_string`] for an optional UUID.
pub mod uuid_string_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Uuid;

    /// Writes the UUID as text, or null.
    pub fn serialize<S: Serializer>(uuid: &Option<Uuid>, serializer: S) -> Result<S::Ok, S::Error> {
        match uuid {
            Some(uuid) => serializer.serialize_some(&uuid.to_string()),
            None => serializer.serialize_none(),
        }
    }

    /// Reads an optional UUID from text.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Uuid>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|text| Uuid::parse_str(&text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_convert_both_ways() {
        let time = UNIX_EPOCH + Duration::from_millis(1_795_372_805_123);
        assert_eq!(
            TimestampMillis::from(time),
            TimestampMillis(1_795_372_805_123)
        );
        assert_eq!(TimestampMillis(1_795_372_805_123).to_system_time(), time);
        assert_eq!(TimestampMicros::from(time).0, 1_795_372_805_123_000);
        let before = UNIX_EPOCH - Duration::from_millis(1_500);
        assert_eq!(TimestampMillis::from(before), TimestampMillis(-1_500));
        assert_eq!(TimestampMillis(-1_500).to_system_time(), before);
    }
}
