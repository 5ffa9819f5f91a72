//! Calendar dates for price effective dates: parsed from text, never read from a clock.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A UTC calendar day. Prices change at the start of a day, so a request's
/// time of day never matters.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Days since 1970-01-01.
    days: i32,
}

impl Date {
    /// A date from its year, month (1 to 12) and day (1 to 31), or `None` when there is no such day.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        if !(1..=9999).contains(&year) {
            return None;
        }
        Some(Date {
            days: days_from_civil(year, month, day),
        })
    }

    /// The UTC day containing this many seconds since the Unix epoch, clamped to the days a
    /// date can be (0001-01-01 to 9999-12-31, as [`Date::from_ymd`] allows).
    ///
    /// The core never reads a clock: callers that mean "now" pass the time in.
    pub fn from_unix_seconds(seconds: i64) -> Date {
        let days = seconds.div_euclid(86_400);
        Date {
            days: days.clamp(i64::from(FIRST_DAY), i64::from(LAST_DAY)) as i32,
        }
    }

    /// Year, month, day.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.days)
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i32 {
        self.days
    }
}

/// 0001-01-01 and 9999-12-31, in days since 1970-01-01: the range of [`Date`].
const FIRST_DAY: i32 = -719_162;
const LAST_DAY: i32 = 2_932_896;

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days.
fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i32::from(month <= 2);
    (year, month, day)
}

impl FromStr for Date {
    type Err = String;

    /// Parses `2026-11-23` or an RFC 3339 timestamp (`2026-11-23T12:00:00Z`), keeping the UTC day.
    ///
    /// A timestamp with an offset is moved to UTC first, so `2026-11-23T23:30:00-02:00` is
    /// 2026-11-24.
    fn from_str(text: &str) -> Result<Date, String> {
        let bad =
            || format!("`{text}` is not a date (expected YYYY-MM-DD or an RFC 3339 timestamp)");
        let text = text.trim();
        if text.len() < 10 || !text.is_char_boundary(10) {
            return Err(bad());
        }
        let (day_part, rest) = text.split_at(10);
        let b = day_part.as_bytes();
        if b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let num = |s: &str| -> Result<u32, String> {
            if s.bytes().all(|c| c.is_ascii_digit()) {
                s.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        let year = num(&day_part[0..4])? as i32;
        let month = num(&day_part[5..7])?;
        let day = num(&day_part[8..10])?;
        let date = Date::from_ymd(year, month, day).ok_or_else(bad)?;
        if rest.is_empty() {
            return Ok(date);
        }
        // RFC 3339 time: [T ]HH:MM:SS[.frac](Z|±HH:MM)
        let rest = rest.strip_prefix(['T', 't', ' ']).ok_or_else(bad)?;
        if rest.len() < 8 || !rest.is_char_boundary(8) {
            return Err(bad());
        }
        let (clock, zone) = rest.split_at(8);
        let cb = clock.as_bytes();
        if cb[2] != b':' || cb[5] != b':' {
            return Err(bad());
        }
        let hour = num(&clock[0..2])?;
        let minute = num(&clock[3..5])?;
        let second = num(&clock[6..8])?;
        if hour > 23 || minute > 59 || second > 60 {
            return Err(bad());
        }
        let zone = match zone.strip_prefix('.') {
            Some(frac) => {
                let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
                if digits == 0 {
                    return Err(bad());
                }
                &frac[digits..]
            }
            None => zone,
        };
        let offset_minutes: i64 = match zone {
            "Z" | "z" => 0,
            _ if zone.len() == 6 && (zone.starts_with('+') || zone.starts_with('-')) => {
                let zb = zone.as_bytes();
                if zb[3] != b':' {
                    return Err(bad());
                }
                let h = i64::from(num(&zone[1..3])?);
                let m = i64::from(num(&zone[4..6])?);
                if h > 23 || m > 59 {
                    return Err(bad());
                }
                let sign = if zone.starts_with('-') { -1 } else { 1 };
                sign * (h * 60 + m)
            }
            _ => return Err(bad()),
        };
        let local_minutes = i64::from(hour) * 60 + i64::from(minute);
        let utc_minutes = local_minutes - offset_minutes;
        let day_shift = utc_minutes.div_euclid(24 * 60);
        let days = date.days + day_shift as i32;
        // The offset may move the first or last day out of the years 1 to 9999, where a date
        // would not print as it parses.
        if !(FIRST_DAY..=LAST_DAY).contains(&days) {
            return Err(format!(
                "`{text}` is outside the years 0001 to 9999 once moved to UTC"
            ));
        }
        Ok(Date { days })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date (YYYY-MM-DD) or an RFC 3339 timestamp")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Date, E> {
                v.parse().map_err(E::custom)
            }
            /// TOML's native dates arrive as a one-entry map holding their text.
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Date, A::Error> {
                let (_, text): (String, String) = map
                    .next_entry()?
                    .ok_or_else(|| serde::de::Error::custom("expected a date"))?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_days_and_timestamps() {
        let d: Date = "2026-11-23".parse().unwrap();
        assert_eq!(d.to_string(), "2026-11-23");
        assert_eq!("2026-11-23T12:00:00Z".parse::<Date>().unwrap(), d);
        assert_eq!("2026-11-23T12:00:00.123+01:00".parse::<Date>().unwrap(), d);
        assert_eq!(
            "2026-11-23T23:30:00-02:00"
                .parse::<Date>()
                .unwrap()
                .to_string(),
            "2026-11-24"
        );
        assert_eq!(
            "2026-11-23T00:30:00+02:00"
                .parse::<Date>()
                .unwrap()
                .to_string(),
            "2026-11-22"
        );
        for bad in [
            "",
            "2026-13-01",
            "2026-02-30",
            "20261123",
            "2026-11-23T",
            "tomorrow",
            "2026-11-23T25:00:00Z",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
    }

    #[test]
    fn unix_seconds_map_to_utc_days() {
        assert_eq!(Date::from_unix_seconds(0).to_string(), "1970-01-01");
        assert_eq!(
            Date::from_unix_seconds(1_791_763_200).to_string(),
            "2026-10-12"
        );
        assert_eq!(Date::from_unix_seconds(-1).to_string(), "1969-12-31");
    }

    /// Issue 7 (fuzz target `log_line`): a timestamp whose offset moves it out of the years
    /// 1 to 9999 made a date that printed as `0000-12-31`, which does not parse back, so a
    /// priced record did not read back.
    #[test]
    fn timestamps_moved_out_of_range_by_their_offset_are_errors() {
        for text in ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-02:00"] {
            let error = text.parse::<Date>().unwrap_err();
            assert!(error.contains("outside the years 0001 to 9999"), "{error}");
        }
        // The edges themselves, and offsets that stay inside, still parse and print back.
        for (text, day) in [
            ("0001-01-01T01:00:00+01:00", "0001-01-01"),
            ("9999-12-31T21:00:00-02:00", "9999-12-31"),
            ("0001-01-01", "0001-01-01"),
        ] {
            let date = text.parse::<Date>().unwrap();
            assert_eq!(date.to_string(), day);
            assert_eq!(day.parse::<Date>(), Ok(date));
        }
    }

    /// Issue 7 (fuzz target `money`): a time far outside the years 1 to 9999 made a date
    /// whose year, month and day overflowed `i32` when printed.
    #[test]
    fn unix_seconds_outside_the_calendar_clamp_to_its_ends() {
        assert_eq!(Date::from_unix_seconds(i64::MAX).to_string(), "9999-12-31");
        assert_eq!(Date::from_unix_seconds(i64::MIN).to_string(), "0001-01-01");
        assert_eq!(
            Date::from_ymd(1, 1, 1).unwrap().days_since_epoch(),
            FIRST_DAY
        );
        assert_eq!(
            Date::from_ymd(9999, 12, 31).unwrap().days_since_epoch(),
            LAST_DAY
        );
    }

    #[test]
    fn civil_round_trip_over_four_centuries() {
        let start = Date::from_ymd(1900, 1, 1).unwrap().days_since_epoch();
        for days in (start..start + 146_097 + 400).step_by(7) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
