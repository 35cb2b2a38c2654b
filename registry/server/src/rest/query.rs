//! Query parameters as Confluent (Jersey) reads them: a boolean is true
//! when it says `true` in any case (`True` from Python clients), else false.

use serde::{Deserialize, Deserializer};

/// A boolean flag: `true` in any case is true, anything else false.
pub fn flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Ok(String::deserialize(deserializer)?.eq_ignore_ascii_case("true"))
}

/// An optional boolean flag: absent is `None`, otherwise as [`flag`].
pub fn optional_flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    flag(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct Flags {
        #[serde(deserialize_with = "super::flag")]
        a: bool,
        #[serde(deserialize_with = "super::optional_flag")]
        b: Option<bool>,
    }

    fn parse(query: &str) -> (bool, Option<bool>) {
        let flags: Flags = serde_urlencoded::from_str(query).unwrap_or_default();
        (flags.a, flags.b)
    }

    #[test]
    fn flags_read_like_jersey() {
        assert_eq!(parse("a=true&b=True"), (true, Some(true)));
        assert_eq!(parse("a=TRUE&b=False"), (true, Some(false)));
        assert_eq!(parse("a=yes&b=1"), (false, Some(false)));
        assert_eq!(parse(""), (false, None));
    }
}
