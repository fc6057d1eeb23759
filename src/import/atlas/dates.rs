//! The Atlas's dates: the forms its date columns use, and the month or year a `Summary`
//! names.

use crate::domain::PartialDate;
use time::{Date, Month};

/// Parses the date forms the Atlas and the sample use: `3/22/18`, `11/16/2018` (days),
/// and `YYYY`, `YYYY-MM`, `YYYY-MM-DD` at their own precision.
pub fn parse_date(text: &str) -> Result<PartialDate, String> {
    let bad =
        || format!("`{text}` is not a date (use M/D/YY, M/D/YYYY, YYYY, YYYY-MM or YYYY-MM-DD)");
    if !text.contains('/') {
        return text.parse::<PartialDate>().map_err(|_| bad());
    }
    let parts: Vec<&str> = text.split('/').collect();
    let [m, d, y] = parts.as_slice() else {
        return Err(bad());
    };
    let digits = |s: &str, max_len: usize| -> Option<u32> {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let month = digits(m, 2)
        .and_then(|m| u8::try_from(m).ok())
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(bad)?;
    let day = digits(d, 2)
        .and_then(|d| u8::try_from(d).ok())
        .ok_or_else(bad)?;
    let year = match y.len() {
        2 => digits(y, 2).map(|y| 2000 + y as i32),
        4 => digits(y, 4).map(|y| y as i32),
        _ => None,
    }
    .ok_or_else(bad)?;
    Date::from_calendar_date(year, month, day)
        .map(PartialDate::day)
        .map_err(|_| bad())
}

const MONTHS: [(&str, Month); 12] = [
    ("january", Month::January),
    ("february", Month::February),
    ("march", Month::March),
    ("april", Month::April),
    ("may", Month::May),
    ("june", Month::June),
    ("july", Month::July),
    ("august", Month::August),
    ("september", Month::September),
    ("october", Month::October),
    ("november", Month::November),
    ("december", Month::December),
];

/// The first "Month YYYY" in a text, at month precision, else the first year (1990–2099) at
/// year precision. Never a day: a summary that says "in September 2020" gives `2020-09`.
pub fn date_in_text(text: &str) -> Option<PartialDate> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let year_of = |w: &str| -> Option<i32> {
        (w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()))
            .then(|| w.parse::<i32>().ok())
            .flatten()
            .filter(|y| (1990..2100).contains(y))
    };
    for pair in words.windows(2) {
        if let Some((_, month)) = MONTHS.iter().find(|(name, _)| *name == pair[0])
            && let Some(year) = year_of(&pair[1])
        {
            return PartialDate::month(year, *month);
        }
    }
    words
        .iter()
        .find_map(|w| year_of(w))
        .and_then(PartialDate::year)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DatePrecision;

    #[test]
    fn slash_dates_are_days_with_two_or_four_digit_years() {
        assert_eq!(parse_date("3/22/18").unwrap().to_string(), "2018-03-22");
        assert_eq!(parse_date("11/16/2018").unwrap().to_string(), "2018-11-16");
        assert_eq!(parse_date("2020").unwrap().precision(), DatePrecision::Year);
        assert_eq!(
            parse_date("2019-02").unwrap().precision(),
            DatePrecision::Month
        );
        for bad in [
            "2/30/19", "13/1/19", "1/1/190", "1/1", "x/1/19", "1//19", "3-22-18",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_summary_gives_a_month_when_it_names_one_and_else_a_year() {
        let d = date_in_text("The X signed an agreement with Ring, in September 2020 to gain");
        assert_eq!(d.unwrap().to_string(), "2020-09");
        let d = date_in_text("The X signed an agreement with Ring, in 2018 to gain access");
        assert_eq!(d.unwrap().to_string(), "2018");
        assert_eq!(date_in_text("no date here, May we?"), None);
    }
}
