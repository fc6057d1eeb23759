//! How far the evidence for a partnership reaches (valid time).
//!
//! A partnership's `last_confirmed` is the day of the newest evidence that it was active (for
//! the Atlas rows, 2020-10-07, the day of Ring's map the Atlas recorded). A recorded end
//! settles when it stopped; without one, nothing says it went on after `last_confirmed`, so
//! any later day is at best *possible*, never *certain*. A partnership without a
//! `last_confirmed` (one written by hand with no evidence date) is judged by its dates alone.

use super::PartialDate;
use time::Date;

/// Whether the evidence covers `day`: false only for a day after `last_confirmed` when no end
/// is recorded.
pub fn confirmed_on(last_confirmed: Option<Date>, end: Option<PartialDate>, day: Date) -> bool {
    match (end, last_confirmed) {
        (None, Some(confirmed)) => day <= confirmed,
        _ => true,
    }
}

/// The last day the evidence makes the partnership certainly active, beside the one its end
/// gives (`None`: open): `last_confirmed` caps an open end.
pub fn certain_until(
    last_confirmed: Option<Date>,
    end: Option<PartialDate>,
    until: Option<Date>,
) -> Option<Date> {
    match (end, last_confirmed) {
        (None, Some(confirmed)) => Some(until.map_or(confirmed, |u| u.min(confirmed))),
        _ => until,
    }
}

/// The later of two confirmations (day and source); the current one wins a tie.
pub fn newer<S>(current: Option<(Date, S)>, candidate: Option<(Date, S)>) -> Option<(Date, S)> {
    match (current, candidate) {
        (Some(c), Some(n)) if n.0 > c.0 => Some(n),
        (Some(c), _) => Some(c),
        (None, n) => n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn after_last_confirmed_an_open_partnership_is_not_confirmed() {
        let seen = Some(date!(2020 - 10 - 07));
        assert!(confirmed_on(seen, None, date!(2020 - 10 - 07)));
        assert!(!confirmed_on(seen, None, date!(2020 - 10 - 08)));
        assert!(!confirmed_on(seen, None, date!(2026 - 11 - 30)));
        // A recorded end settles it; no evidence date leaves the dates alone.
        let end = "2022-03".parse().ok();
        assert!(confirmed_on(seen, end, date!(2022 - 03 - 15)));
        assert!(confirmed_on(None, None, date!(2026 - 11 - 30)));
    }

    #[test]
    fn last_confirmed_caps_an_open_certain_range() {
        let seen = Some(date!(2020 - 10 - 07));
        assert_eq!(certain_until(seen, None, None), seen);
        assert_eq!(
            certain_until(seen, None, Some(date!(2019 - 01 - 01))),
            Some(date!(2019 - 01 - 01))
        );
        let end = "2022".parse().ok();
        assert_eq!(certain_until(seen, end, None), None);
        assert_eq!(certain_until(None, None, None), None);
    }

    #[test]
    fn a_confirmation_only_moves_forward() {
        let old = Some((date!(2020 - 10 - 07), 1));
        assert_eq!(newer(old, Some((date!(2023 - 01 - 01), 2))).unwrap().1, 2);
        assert_eq!(newer(old, Some((date!(2019 - 01 - 01), 2))).unwrap().1, 1);
        assert_eq!(newer(old, Some((date!(2020 - 10 - 07), 2))).unwrap().1, 1);
        assert_eq!(newer(None, old), old);
    }
}
