//! Calendar arithmetic for certificate validity, without a date crate.
//!
//! Times are whole seconds since the Unix epoch, UTC. The civil-date
//! conversion is Howard Hinnant's `days_from_civil` / `civil_from_days`
//! (proleptic Gregorian calendar), exact for every year this crate accepts
//! (1950-9999, the range X.509 can express).

use core::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use pfxgen_asn1::{tag, writer};

/// Seconds in a day.
pub const SECONDS_PER_DAY: i64 = 86_400;

/// First second of 1950-01-01 (the earliest UTCTime).
const MIN_UNIX: i64 = -631_152_000;
/// Last second of 9999-12-31 (the latest GeneralizedTime X.509 uses).
const MAX_UNIX: i64 = 253_402_300_799;

/// A UTC instant with one-second resolution, within 1950-01-01 ..= 9999-12-31.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcTime {
    unix: i64,
}

/// Broken-down calendar fields of a [`UtcTime`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CivilTime {
    /// Year, 1950..=9999.
    pub year: i64,
    /// Month, 1..=12.
    pub month: u32,
    /// Day of month, 1..=31.
    pub day: u32,
    /// Hour, 0..=23.
    pub hour: u32,
    /// Minute, 0..=59.
    pub minute: u32,
    /// Second, 0..=59.
    pub second: u32,
}

impl UtcTime {
    /// The instant `unix` seconds after 1970-01-01T00:00:00Z, if it lies in the
    /// range X.509 can express (1950 ..= 9999).
    #[must_use]
    pub fn from_unix(unix: i64) -> Option<Self> {
        (MIN_UNIX..=MAX_UNIX)
            .contains(&unix)
            .then_some(Self { unix })
    }

    /// The current time from the system clock, truncated to whole seconds.
    /// A clock before 1970 or after 9999 gives `None`.
    #[must_use]
    pub fn now() -> Option<Self> {
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
        Self::from_unix(i64::try_from(secs).ok()?)
    }

    /// Seconds since the Unix epoch.
    #[must_use]
    pub const fn unix(self) -> i64 {
        self.unix
    }

    /// This instant plus `days` whole days, if still in range.
    #[must_use]
    pub fn plus_days(self, days: i64) -> Option<Self> {
        let delta = days.checked_mul(SECONDS_PER_DAY)?;
        Self::from_unix(self.unix.checked_add(delta)?)
    }

    /// The calendar fields.
    #[must_use]
    pub fn civil(self) -> CivilTime {
        let days = self.unix.div_euclid(SECONDS_PER_DAY);
        let secs = self.unix.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        // 0 <= secs < 86400, so these fit in u32.
        let secs = u32::try_from(secs).unwrap_or(0);
        CivilTime {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs % 3600 / 60,
            second: secs % 60,
        }
    }

    /// The instant for calendar fields, if they name a real second in range.
    #[must_use]
    pub fn from_civil(c: CivilTime) -> Option<Self> {
        if !(1..=12).contains(&c.month)
            || c.day < 1
            || c.day > days_in_month(c.year, c.month)
            || c.hour > 23
            || c.minute > 59
            || c.second > 59
        {
            return None;
        }
        let days = days_from_civil(c.year, c.month, c.day);
        let secs = i64::from(c.hour * 3600 + c.minute * 60 + c.second);
        Self::from_unix(days.checked_mul(SECONDS_PER_DAY)?.checked_add(secs)?)
    }

    /// The X.509 `Time` encoding RFC 5280 Section 4.1.2.5 requires: UTCTime
    /// (`YYMMDDHHMMSSZ`) through 2049, GeneralizedTime (`YYYYMMDDHHMMSSZ`)
    /// from 2050.
    #[must_use]
    pub fn to_x509_der(self) -> Vec<u8> {
        let c = self.civil();
        if c.year < 2050 {
            let text = format!(
                "{:02}{:02}{:02}{:02}{:02}{:02}Z",
                c.year.rem_euclid(100),
                c.month,
                c.day,
                c.hour,
                c.minute,
                c.second
            );
            writer::tlv(tag::UTC_TIME, text.as_bytes())
        } else {
            let text = format!(
                "{:04}{:02}{:02}{:02}{:02}{:02}Z",
                c.year, c.month, c.day, c.hour, c.minute, c.second
            );
            writer::tlv(tag::GENERALIZED_TIME, text.as_bytes())
        }
    }

    /// A compact UTC timestamp for file names: `20261129T190651Z`.
    #[must_use]
    pub fn to_compact_string(self) -> String {
        let c = self.civil();
        format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            c.year, c.month, c.day, c.hour, c.minute, c.second
        )
    }

    /// Whole days from `self` until `later` (negative when `later` is
    /// earlier), rounded towards negative infinity.
    #[must_use]
    pub fn days_until(self, later: Self) -> i64 {
        (later.unix - self.unix).div_euclid(SECONDS_PER_DAY)
    }
}

impl fmt::Display for UtcTime {
    /// RFC 3339, e.g. `2026-11-29T19:06:51Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.civil();
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            c.year, c.month, c.day, c.hour, c.minute, c.second
        )
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // 1 <= day <= 31 and 1 <= month <= 12 by construction.
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        let t = UtcTime::from_unix(0).unwrap();
        assert_eq!(t.to_string(), "1970-01-01T00:00:00Z");
        let t = UtcTime::from_unix(951_782_400).unwrap(); // leap day 2000
        assert_eq!(t.to_string(), "2000-02-29T00:00:00Z");
        let t = UtcTime::from_unix(2_524_607_999).unwrap();
        assert_eq!(t.to_string(), "2049-12-31T23:59:59Z");
        assert_eq!(t.to_x509_der(), b"\x17\x0d491231235959Z");
        let t = UtcTime::from_unix(2_524_608_000).unwrap();
        assert_eq!(t.to_string(), "2050-01-01T00:00:00Z");
        assert_eq!(t.to_x509_der(), b"\x18\x0f20500101000000Z");
        assert_eq!(
            UtcTime::from_unix(MAX_UNIX).unwrap().to_string(),
            "9999-12-31T23:59:59Z"
        );
        assert_eq!(
            UtcTime::from_unix(MIN_UNIX).unwrap().to_string(),
            "1950-01-01T00:00:00Z"
        );
        assert!(UtcTime::from_unix(MAX_UNIX + 1).is_none());
        assert!(UtcTime::from_unix(MIN_UNIX - 1).is_none());
    }

    #[test]
    fn civil_round_trip_every_day_1950_to_2150() {
        let mut t = UtcTime::from_unix(MIN_UNIX).unwrap();
        let end = UtcTime::from_civil(CivilTime {
            year: 2150,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
        })
        .unwrap();
        let mut previous = t.civil();
        while t < end {
            t = t.plus_days(1).unwrap();
            let c = t.civil();
            assert_eq!(UtcTime::from_civil(c), Some(t));
            assert!((c.year, c.month, c.day) > (previous.year, previous.month, previous.day));
            previous = c;
        }
    }

    #[test]
    fn rejects_impossible_dates() {
        let c = |year, month, day| CivilTime {
            year,
            month,
            day,
            hour: 0,
            minute: 0,
            second: 0,
        };
        assert!(UtcTime::from_civil(c(2023, 2, 29)).is_none());
        assert!(UtcTime::from_civil(c(2024, 2, 29)).is_some());
        assert!(UtcTime::from_civil(c(1900, 2, 29)).is_none());
        assert!(UtcTime::from_civil(c(2024, 13, 1)).is_none());
        assert!(UtcTime::from_civil(c(2024, 4, 31)).is_none());
    }

    #[test]
    fn days_until_rounds_down() {
        let a = UtcTime::from_unix(0).unwrap();
        assert_eq!(a.days_until(UtcTime::from_unix(86_399).unwrap()), 0);
        assert_eq!(a.days_until(UtcTime::from_unix(86_400).unwrap()), 1);
        assert_eq!(a.days_until(UtcTime::from_unix(-1).unwrap()), -1);
    }
}
