//! Valid time: whether a partnership is in force on a day, certainly or possibly, given
//! dates known only to their precision, and under which of its program's phases. Pure rules
//! over the records; `service::listing::activity` gathers a partnership's program and phases
//! from the catalog and asks these.

use super::{PartialDate, Partnership, Phase, Status};
use time::Date;

crate::string_enum! {
    /// How sure a statement about a day is, given dates known only to a month or a year.
    Certainty {
        Certain => "certain",
        Possible => "possible",
    }
}

impl Certainty {
    fn and(self, other: Certainty) -> Certainty {
        if self == Certainty::Certain && other == Certainty::Certain {
            Certainty::Certain
        } else {
            Certainty::Possible
        }
    }
}

/// Whether a period from `start` to `end` (inclusive, open when `None`) covers `day`:
/// `None` when it cannot, `Certain` when it must whatever the imprecise dates mean.
pub fn covers(
    start: Option<PartialDate>,
    end: Option<PartialDate>,
    day: Date,
) -> Option<Certainty> {
    let start_ok = match start {
        Some(s) if s.earliest() > day => return None,
        Some(s) if s.latest() <= day => Certainty::Certain,
        // An unknown start, or one whose period holds the day.
        _ => Certainty::Possible,
    };
    let end_ok = match end {
        Some(e) if e.latest() < day => return None,
        Some(e) if e.earliest() >= day => Certainty::Certain,
        Some(_) => Certainty::Possible,
        None => Certainty::Certain,
    };
    Some(start_ok.and(end_ok))
}

/// What a partnership was on a day (valid time).
#[derive(Clone, Debug)]
pub struct Activity<'c> {
    pub certainty: Certainty,
    /// The program phase in force that day: the latest-starting one that applies.
    pub phase: Option<&'c Phase>,
    /// Whether the agency could ask residents for footage through the program that day, and
    /// how surely; `None` when no phase in force allowed it.
    pub footage: Option<Certainty>,
}

/// Whether a partnership was active on `day`, and what its program allowed then, given its
/// program's end (`program_end`) and the program's phases in the order they start.
///
/// Active: not `announced` or `cancelled`, started by the day (`start.earliest <= day`) and
/// not ended before it (`day <= end.latest`, an open end counts as active); the program's own
/// end ends the enrolment too. `Certain` when the imprecise dates cannot mean otherwise and
/// the evidence reaches the day (`domain::evidence`: after `last_confirmed`, with no end
/// recorded, it is possible only), else `Possible`; an `ended` partnership without an end
/// date is at best possible.
///
/// Phases apply to every enrolment: a phase that is not `announced` or `cancelled` is in force
/// on the days it covers. A phase with a `footage_condition` (Axon Evidence accounts only)
/// makes footage requests `possible`, never certain: we do not know which agencies meet it.
pub fn activity<'c>(
    p: &Partnership,
    program_end: Option<PartialDate>,
    phases: impl IntoIterator<Item = &'c Phase>,
    day: Date,
) -> Option<Activity<'c>> {
    if matches!(p.status, Status::Announced | Status::Cancelled) {
        return None;
    }
    let mut certainty = covers(p.start, p.end, day)?;
    if p.status == Status::Ended && p.end.is_none() {
        certainty = Certainty::Possible;
    }
    // After the newest evidence, with no end recorded, it may have ended unseen.
    if !super::evidence::confirmed_on(p.last_confirmed, p.end, day) {
        certainty = Certainty::Possible;
    }
    // The program's end ends every enrolment in it.
    if let Some(end) = program_end {
        if end.latest() < day {
            return None;
        }
        if end.earliest() < day {
            certainty = Certainty::Possible;
        }
    }
    let mut phase: Option<&Phase> = None;
    let mut footage: Option<Certainty> = None;
    for ph in phases {
        if matches!(ph.status, Status::Announced | Status::Cancelled) {
            continue;
        }
        let Some(in_force) = covers(ph.start, ph.end, day) else {
            continue;
        };
        phase = Some(ph);
        if ph.footage_requests {
            let mut c = certainty.and(in_force);
            if ph.footage_condition.is_some() {
                c = Certainty::Possible;
            }
            footage = Some(match footage {
                Some(Certainty::Certain) => Certainty::Certain,
                _ => c,
            });
        }
    }
    Some(Activity {
        certainty,
        phase,
        footage,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imprecise_dates_make_a_day_possible_not_certain() {
        let d = |t: &str| Some(t.parse::<PartialDate>().unwrap());
        let day = |t: &str| crate::domain::dates::parse_day(t).unwrap();
        // Started "2019-03": certain from April, possible during March, not before.
        assert_eq!(
            covers(d("2019-03"), None, day("2019-04-01")),
            Some(Certainty::Certain)
        );
        assert_eq!(
            covers(d("2019-03"), None, day("2019-03-15")),
            Some(Certainty::Possible)
        );
        assert_eq!(covers(d("2019-03"), None, day("2019-02-28")), None);
        // Ended "2024": possible through the year, gone after it.
        assert_eq!(
            covers(d("2019"), d("2024"), day("2024-06-01")),
            Some(Certainty::Possible)
        );
        assert_eq!(
            covers(d("2019"), d("2024"), day("2023-12-31")),
            Some(Certainty::Certain)
        );
        assert_eq!(covers(d("2019"), d("2024"), day("2025-01-01")), None);
        // Inclusive end day.
        assert_eq!(
            covers(d("2019-01-01"), d("2019-01-31"), day("2019-01-31")),
            Some(Certainty::Certain)
        );
    }

    #[test]
    fn an_end_between_two_snapshots_is_possible_only_between_them() {
        let d = |t: &str| Some(t.parse::<PartialDate>().unwrap());
        let day = |t: &str| crate::domain::dates::parse_day(t).unwrap();
        let end = d("2020-10-08/2021-03-01");
        // Last seen on 2020-10-07. The end is the last day it applied (inclusive), so the
        // range's first day counts as certain, and every later day of it as possible.
        assert_eq!(
            covers(d("2018-03-22"), end, day("2020-10-08")),
            Some(Certainty::Certain)
        );
        assert_eq!(
            covers(d("2018-03-22"), end, day("2020-10-09")),
            Some(Certainty::Possible)
        );
        assert_eq!(
            covers(d("2018-03-22"), end, day("2021-03-01")),
            Some(Certainty::Possible)
        );
        assert_eq!(covers(d("2018-03-22"), end, day("2021-03-02")), None);
    }
}
