//! OGC `datetime`: an instant or an interval of days, and how it is echoed.

use crate::api::query_echo::EchoPeriod;
use crate::domain::dates::parse_day;
use crate::service::listing::Period;
use time::Date;

/// One end of an OGC `datetime`: a date or an RFC 3339 date-time (taken as its UTC day);
/// `..` or empty is open.
fn instant(text: &str) -> Result<Option<Date>, String> {
    let t = text.trim();
    if t.is_empty() || t == ".." {
        return Ok(None);
    }
    if let Ok(d) = parse_day(t) {
        return Ok(Some(d));
    }
    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .map(|dt| Some(dt.to_offset(time::UtcOffset::UTC).date()))
        .map_err(|_| format!("`{t}` is not a date (YYYY-MM-DD), an RFC 3339 date-time, or `..`"))
}

/// OGC `datetime`: an instant, or an interval `start/end` with `..` for an open end.
pub fn parse_datetime(text: &str) -> Result<Period, String> {
    match text.split_once('/') {
        None => {
            let day = instant(text)?.ok_or("an instant cannot be open (`..`)")?;
            Ok(Period {
                from: Some(day),
                to: Some(day),
            })
        }
        Some((a, b)) => {
            let period = Period {
                from: instant(a)?,
                to: instant(b)?,
            };
            if let (Some(from), Some(to)) = (period.from, period.to)
                && from > to
            {
                return Err("the interval ends before it starts".into());
            }
            Ok(period)
        }
    }
}

/// `datetime` as understood: the span of days it selects.
pub(super) fn echo_period(period: Option<&crate::service::listing::Period>) -> Option<EchoPeriod> {
    period.map(|p| EchoPeriod {
        from: p.from.map(|d| d.to_string()),
        to: p.to.map(|d| d.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn datetime_instants_and_intervals() {
        let p = parse_datetime("2019-06-01").unwrap();
        assert_eq!(
            (p.from, p.to),
            (Some(date!(2019 - 06 - 01)), Some(date!(2019 - 06 - 01)))
        );
        let p = parse_datetime("2019-06-01T23:30:00-05:00").unwrap();
        assert_eq!(p.from, Some(date!(2019 - 06 - 02)));
        let p = parse_datetime("../2020-01-01").unwrap();
        assert_eq!((p.from, p.to), (None, Some(date!(2020 - 01 - 01))));
        let p = parse_datetime("2020-01-01/..").unwrap();
        assert_eq!((p.from, p.to), (Some(date!(2020 - 01 - 01)), None));
        for bad in [
            "",
            "..",
            "2020-13-01",
            "2020-02-01/2020-01-01",
            "soon",
            "2020/",
        ] {
            assert!(parse_datetime(bad).is_err(), "{bad}");
        }
    }
}
