//! Request fields read as Confluent's Jackson reads them: a number or a
//! boolean where text is expected becomes its text, a number sent as text
//! (`"version": "1"`) or with a fraction becomes the number, and `null`
//! is the same as leaving the field out. Used with `deserialize_with`
//! (and `default`, so that a missing field is `None` too).

use serde::de::{Deserialize, Deserializer, Error};
use serde_json::Value;

/// Text, or the text of a number or boolean.
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text)),
        Value::Number(number) => Ok(Some(number.to_string())),
        Value::Bool(flag) => Ok(Some(flag.to_string())),
        other => Err(D::Error::custom(format!(
            "Cannot deserialize a String out of {}",
            kind(&other)
        ))),
    }
}

/// An integer: a JSON number (a fraction is dropped) or its decimal text.
pub fn integer<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    let number = match Value::deserialize(deserializer)? {
        Value::Null => return Ok(None),
        Value::Number(number) => number.as_i64().or_else(|| {
            number
                .as_f64()
                .filter(|f| f.is_finite() && f.abs() < 9.2e18)
                .map(|f| f.trunc() as i64)
        }),
        Value::String(text) => text.trim().parse::<i64>().ok(),
        _ => None,
    };
    number
        .and_then(|number| T::try_from(number).ok())
        .map(Some)
        .ok_or_else(|| D::Error::custom("Cannot deserialize value as an integer"))
}

/// A boolean: `true`/`false`, or that as text.
pub fn flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(None),
        Value::Bool(flag) => Ok(Some(flag)),
        Value::String(text) if text.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Value::String(text) if text.eq_ignore_ascii_case("false") => Ok(Some(false)),
        other => Err(D::Error::custom(format!(
            "Cannot deserialize a boolean out of {}",
            kind(&other)
        ))),
    }
}

/// A list, `null` being the empty one.
pub fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
        _ => "a scalar",
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Fields {
        #[serde(default, deserialize_with = "super::text")]
        text: Option<String>,
        #[serde(default, deserialize_with = "super::integer")]
        number: Option<i32>,
        #[serde(default, deserialize_with = "super::flag")]
        flag: Option<bool>,
        #[serde(default, deserialize_with = "super::list")]
        list: Vec<u8>,
    }

    fn read(json: &str) -> Result<Fields, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn scalars_are_coerced_as_jackson_coerces_them() {
        let read_ok = |json| read(json).expect(json);
        assert_eq!(
            read_ok(r#"{"text": 42, "number": "7", "flag": "TRUE", "list": null}"#),
            Fields {
                text: Some("42".to_owned()),
                number: Some(7),
                flag: Some(true),
                list: Vec::new(),
            }
        );
        assert_eq!(read_ok(r#"{"text": true, "number": 2.9}"#).number, Some(2));
        assert_eq!(read_ok(r#"{"text": true}"#).text.as_deref(), Some("true"));
        assert_eq!(
            read_ok(r#"{"text": null, "number": null, "flag": null}"#),
            Fields {
                text: None,
                number: None,
                flag: None,
                list: Vec::new(),
            }
        );
    }

    #[test]
    fn what_jackson_refuses_is_refused() {
        for json in [
            r#"{"text": [1]}"#,
            r#"{"text": {}}"#,
            r#"{"number": "one"}"#,
            r#"{"number": 3000000000}"#,
            r#"{"number": true}"#,
            r#"{"flag": 1}"#,
            r#"{"list": "x"}"#,
        ] {
            assert!(read(json).is_err(), "{json}");
        }
    }
}
