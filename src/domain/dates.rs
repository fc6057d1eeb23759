//! Dates known only to a day, a month or a year, or only to lie between two days. A date known
//! to the month is stored and shown as the month (`2019-02`), never invented to the day; one
//! known to lie between two days (a partnership that vanished from Ring's map between two
//! snapshots) is the ISO 8601 interval `2020-10-08/2021-03-01`, never a guessed day.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use time::{Date, Month};

crate::string_enum! {
    /// How much of a date is known (`range`: some day from `earliest()` to `latest()`).
    DatePrecision {
        Day => "day",
        Month => "month",
        Year => "year",
        Range => "range",
    }
}

/// A date at a precision. Serialises as `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or, for a range,
/// `YYYY-MM-DD/YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PartialDate {
    /// The first day of the period the date names.
    first: Date,
    /// The last day of the period (for a range, the only one not derived from `first`).
    last: Date,
    precision: DatePrecision,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a date: use YYYY, YYYY-MM, YYYY-MM-DD or a range of days YYYY-MM-DD/YYYY-MM-DD"
)]
pub struct DateParseError(pub String);

impl PartialDate {
    pub fn day(date: Date) -> Self {
        Self {
            first: date,
            last: date,
            precision: DatePrecision::Day,
        }
    }

    pub fn month(year: i32, month: Month) -> Option<Self> {
        let first = Date::from_calendar_date(year, month, 1).ok()?;
        let last = first.replace_day(month.length(year)).ok()?;
        Some(Self {
            first,
            last,
            precision: DatePrecision::Month,
        })
    }

    pub fn year(year: i32) -> Option<Self> {
        Some(Self {
            first: Date::from_calendar_date(year, Month::January, 1).ok()?,
            last: Date::from_calendar_date(year, Month::December, 31).ok()?,
            precision: DatePrecision::Year,
        })
    }

    /// Some day from `earliest` to `latest`, both included. One day is that day; `None`
    /// when `latest` comes before `earliest`.
    pub fn range(earliest: Date, latest: Date) -> Option<Self> {
        match earliest.cmp(&latest) {
            std::cmp::Ordering::Greater => None,
            std::cmp::Ordering::Equal => Some(Self::day(earliest)),
            std::cmp::Ordering::Less => Some(Self {
                first: earliest,
                last: latest,
                precision: DatePrecision::Range,
            }),
        }
    }

    /// Rebuilds a date from its stored form: the first and last day of the period and the
    /// precision. The day and month below the precision are ignored rather than trusted;
    /// `last` matters only to a range.
    pub fn from_parts(date: Date, last: Date, precision: DatePrecision) -> Self {
        match precision {
            DatePrecision::Day => Self::day(date),
            DatePrecision::Month => {
                Self::month(date.year(), date.month()).unwrap_or(Self::day(date))
            }
            DatePrecision::Year => Self::year(date.year()).unwrap_or(Self::day(date)),
            DatePrecision::Range => Self::range(date, last).unwrap_or(Self::day(date)),
        }
    }

    pub fn precision(&self) -> DatePrecision {
        self.precision
    }

    /// The earliest day the date can mean.
    pub fn earliest(&self) -> Date {
        self.first
    }

    /// The latest day the date can mean.
    pub fn latest(&self) -> Date {
        self.last
    }
}

fn write_day(f: &mut fmt::Formatter<'_>, d: Date) -> fmt::Result {
    write!(f, "{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.first;
        match self.precision {
            DatePrecision::Day => write_day(f, d),
            DatePrecision::Month => write!(f, "{:04}-{:02}", d.year(), d.month() as u8),
            DatePrecision::Year => write!(f, "{:04}", d.year()),
            DatePrecision::Range => {
                write_day(f, d)?;
                f.write_str("/")?;
                write_day(f, self.last)
            }
        }
    }
}

impl FromStr for PartialDate {
    type Err = DateParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || DateParseError(s.to_string());
        if let Some((a, b)) = s.split_once('/') {
            // An interval of two days, in order and distinct (one day is written as a day).
            let day = |t: &str| match t.parse::<PartialDate>() {
                Ok(d) if d.precision == DatePrecision::Day => Ok(d.first),
                _ => Err(err()),
            };
            let (a, b) = (day(a)?, day(b)?);
            if a >= b {
                return Err(err());
            }
            return Self::range(a, b).ok_or_else(err);
        }
        let parts: Vec<&str> = s.split('-').collect();
        let num = |p: &str, len: usize| -> Result<u32, DateParseError> {
            if p.len() == len && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().map_err(|_| err())
            } else {
                Err(err())
            }
        };
        let year = num(parts[0], 4)? as i32;
        match parts.len() {
            1 => Self::year(year).ok_or_else(err),
            2 | 3 => {
                let month = u8::try_from(num(parts[1], 2)?)
                    .ok()
                    .and_then(|m| Month::try_from(m).ok())
                    .ok_or_else(err)?;
                if parts.len() == 2 {
                    return Self::month(year, month).ok_or_else(err);
                }
                let day = u8::try_from(num(parts[2], 2)?).map_err(|_| err())?;
                Date::from_calendar_date(year, month, day)
                    .map(Self::day)
                    .map_err(|_| err())
            }
            _ => Err(err()),
        }
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Parses a full calendar day (`YYYY-MM-DD`), as used by filters.
pub fn parse_day(s: &str) -> Result<Date, DateParseError> {
    match s.parse::<PartialDate>() {
        Ok(d) if d.precision() == DatePrecision::Day => Ok(d.earliest()),
        _ => Err(DateParseError(s.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn each_precision_round_trips_through_its_text_form() {
        for text in ["2018-03-22", "2019-02", "2020"] {
            let d: PartialDate = text.parse().unwrap();
            assert_eq!(d.to_string(), text);
        }
    }

    #[test]
    fn a_month_spans_its_whole_month_including_leap_february() {
        let d: PartialDate = "2020-02".parse().unwrap();
        assert_eq!(d.earliest(), date!(2020 - 02 - 01));
        assert_eq!(d.latest(), date!(2020 - 02 - 29));
        assert_eq!(d.precision(), DatePrecision::Month);
    }

    #[test]
    fn a_year_spans_january_first_to_december_thirty_first() {
        let d: PartialDate = "2019".parse().unwrap();
        assert_eq!(d.earliest(), date!(2019 - 01 - 01));
        assert_eq!(d.latest(), date!(2019 - 12 - 31));
    }

    #[test]
    fn malformed_dates_are_rejected() {
        for bad in [
            "",
            "19",
            "2019-2",
            "2019-13",
            "2019-02-30",
            "2019-02-1",
            "2019/02/01",
            "abcd",
            "2019-02-01-01",
            "+2019",
            "2019-00",
        ] {
            assert!(bad.parse::<PartialDate>().is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn from_parts_drops_digits_below_the_precision() {
        let d = PartialDate::from_parts(
            date!(2019 - 09 - 17),
            date!(2019 - 09 - 17),
            DatePrecision::Month,
        );
        assert_eq!(d.to_string(), "2019-09");
    }

    #[test]
    fn parse_day_accepts_only_full_days() {
        assert_eq!(parse_day("2024-01-29").unwrap(), date!(2024 - 01 - 29));
        assert!(parse_day("2024-01").is_err());
        assert!(parse_day("2024-01-01/2024-01-29").is_err());
    }

    #[test]
    fn a_range_spans_its_two_days_and_round_trips() {
        let d: PartialDate = "2020-10-08/2021-03-01".parse().unwrap();
        assert_eq!(d.precision(), DatePrecision::Range);
        assert_eq!(d.earliest(), date!(2020 - 10 - 08));
        assert_eq!(d.latest(), date!(2021 - 03 - 01));
        assert_eq!(d.to_string(), "2020-10-08/2021-03-01");
        let json = serde_json::to_value(d).unwrap();
        assert_eq!(serde_json::from_value::<PartialDate>(json).unwrap(), d);
        let stored = PartialDate::from_parts(d.earliest(), d.latest(), d.precision());
        assert_eq!(stored, d);
    }

    #[test]
    fn a_range_must_be_two_distinct_days_in_order() {
        for bad in [
            "2021-03-01/2020-10-08",
            "2021-03-01/2021-03-01",
            "2020-10/2021-03",
            "2020-10-08/",
            "/2020-10-08",
            "2020-10-08/2021-03-01/2021-04-01",
        ] {
            assert!(bad.parse::<PartialDate>().is_err(), "{bad} should fail");
        }
        assert_eq!(
            PartialDate::range(date!(2021 - 03 - 01), date!(2021 - 03 - 01)),
            Some(PartialDate::day(date!(2021 - 03 - 01)))
        );
    }
}
