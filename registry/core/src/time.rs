//! RFC 3339 timestamps without a date-time dependency: the civil-date
//! algorithms of Howard Hinnant, for the registry's UI and the client's
//! event envelope.

/// Seconds (and nanoseconds) since the Unix epoch as RFC 3339 in UTC, e.g.
/// `2026-11-22T18:40:05.123456789Z`.
pub fn rfc3339(seconds: i64, nanos: u32) -> String {
    let days = seconds.div_euclid(86_400);
    let seconds = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    // Written digit by digit: a producer stamps every event with this.
    let mut text = String::with_capacity(30);
    match u64::try_from(year) {
        Ok(year) if year <= 9999 => push_digits(&mut text, year, 4),
        _ => text.push_str(&format!("{year:04}")),
    }
    for (separator, value) in [
        ('-', month),
        ('-', day),
        ('T', seconds / 3600),
        (':', seconds % 3600 / 60),
        (':', seconds % 60),
    ] {
        text.push(separator);
        push_digits(&mut text, value.unsigned_abs(), 2);
    }
    if nanos != 0 {
        text.push('.');
        push_digits(&mut text, u64::from(nanos), 9);
    }
    text.push('Z');
    text
}

/// Appends the last `width` decimal digits of `value`, zero-padded.
fn push_digits(text: &mut String, value: u64, width: u32) {
    for place in (0..width).rev() {
        let digit = value / 10u64.pow(place) % 10;
        text.push(char::from(b'0' + u8::try_from(digit).unwrap_or_default()));
    }
}

/// Parses RFC 3339 (`Z` or a `±hh:mm` offset, optional fraction) into
/// seconds and nanoseconds since the Unix epoch.
pub fn parse_rfc3339(text: &str) -> Option<(i64, u32)> {
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let rest = text.get(19..)?;
    let (fraction, zone) = match rest.strip_prefix('.') {
        Some(after) => {
            let digits = after
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(after.len());
            (&after[..digits], &after[digits..])
        }
        None => ("", rest),
    };
    let nanos = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<9}").get(..9)?.parse::<u32>().ok()?
    };
    let offset = match zone {
        "Z" | "z" => 0,
        _ => {
            let sign = match zone.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let hours: i64 = zone.get(1..3)?.parse().ok()?;
            let minutes: i64 = zone.get(4..6)?.parse().ok()?;
            sign * (hours * 3600 + minutes * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    Some((
        days * 86_400 + hour * 3600 + minute * 60 + second - offset,
        nanos,
    ))
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a date.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The inverse of [`civil_from_days`].
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_format_and_parse() {
        assert_eq!(
            rfc3339(1_795_372_805, 123_000_000),
            "2026-11-22T18:40:05.123000000Z"
        );
        assert_eq!(
            parse_rfc3339("2026-11-22T18:40:05.123Z"),
            Some((1_795_372_805, 123_000_000))
        );
        assert_eq!(
            parse_rfc3339("2026-11-22T19:40:05.123+01:00"),
            Some((1_795_372_805, 123_000_000))
        );
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(-1, 0), "1969-12-31T23:59:59Z");
        assert_eq!(rfc3339(951_782_400, 5), "2000-02-29T00:00:00.000000005Z");
        assert_eq!(rfc3339(253_402_300_799, 0), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339(253_402_300_800, 0), "10000-01-01T00:00:00Z");
        assert_eq!(rfc3339(-62_135_596_801, 0), "0000-12-31T23:59:59Z");
        assert_eq!(
            parse_rfc3339("1999-12-31T23:59:60Z").map(|t| t.0),
            Some(946_684_800)
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
