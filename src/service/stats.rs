//! Statistics over partnerships: counts by state, program, status and agency type, and a
//! timeline of how many were active per month or year, honouring date precision.
//!
//! Per period, a partnership is `certain` when it was active every day of the period
//! whatever its imprecise dates mean (started by the period's first day at the latest, ended
//! on its last day at the earliest), and `possible` when it may have been active some day of
//! it. This is `listing::activity` over a period instead of a day: `announced` and
//! `cancelled` partnerships never count, an `ended` one without an end date is never certain,
//! and the program's end ends every enrolment.

use super::catalog::Catalog;
use crate::domain::{Partnership, Status};
use std::collections::BTreeMap;
use time::{Date, Month};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interval {
    Month,
    Year,
}

/// One period of the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub first: Date,
    pub last: Date,
    /// Active the whole period, however the imprecise dates are read.
    pub certain: u64,
    /// Possibly active at least one day of the period.
    pub possible: u64,
    /// Partnerships (not announced or cancelled) whose start's earliest day falls in the period.
    pub starts: u64,
    /// Partnerships (not announced or cancelled) whose end's earliest day falls in the period.
    pub ends: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub total: u64,
    pub by_state: BTreeMap<String, u64>,
    pub by_program: BTreeMap<String, u64>,
    pub by_status: BTreeMap<String, u64>,
    pub by_agency_type: BTreeMap<String, u64>,
    pub timeline: Vec<Period>,
}

/// The days a partnership may and must have been active: `(possible, certain)`, each an
/// inclusive range with `None` for an open bound; `None` when never (possibly) active.
pub type Range = (Option<Date>, Option<Date>);

fn ranges(catalog: &Catalog, p: &Partnership) -> Option<(Range, Option<Range>)> {
    if matches!(p.status, Status::Announced | Status::Cancelled) {
        return None;
    }
    let program_end = catalog.programs.get(&p.program_id).and_then(|pr| pr.end);
    let min = |a: Option<Date>, b: Option<Date>| match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let possible = (
        p.start.map(|s| s.earliest()),
        min(p.end.map(|e| e.latest()), program_end.map(|e| e.latest())),
    );
    // An unknown start, or an `ended` partnership without an end date, is never certain.
    let certain = match p.start {
        Some(s) if !(p.status == Status::Ended && p.end.is_none()) => Some((
            Some(s.latest()),
            // Never past the newest evidence when no end is recorded.
            crate::domain::evidence::certain_until(
                p.last_confirmed,
                p.end,
                min(
                    p.end.map(|e| e.earliest()),
                    program_end.map(|e| e.earliest()),
                ),
            ),
        )),
        _ => None,
    };
    Some((possible, certain))
}

/// The days a partnership may have been active (`active_on` holds it on exactly these),
/// inclusive, `None` for an open bound; `None` when never. The map's date slider shows a
/// marker on a day inside it, so it agrees with the API's `active_on`.
pub fn active_span(catalog: &Catalog, p: &Partnership) -> Option<Range> {
    ranges(catalog, p).map(|(possible, _)| possible)
}

fn period_of(day: Date, interval: Interval) -> Date {
    match interval {
        Interval::Year => Date::from_calendar_date(day.year(), Month::January, 1).unwrap_or(day),
        Interval::Month => day.replace_day(1).unwrap_or(day),
    }
}

fn next_period(first: Date, interval: Interval) -> Option<Date> {
    match interval {
        Interval::Year => Date::from_calendar_date(first.year() + 1, Month::January, 1).ok(),
        Interval::Month => {
            let (y, m) = match first.month() {
                Month::December => (first.year() + 1, Month::January),
                m => (first.year(), m.next()),
            };
            Date::from_calendar_date(y, m, 1).ok()
        }
    }
}

/// Counts and the timeline of `partnerships`, up to the period holding `today` (or the last
/// end, when later).
pub fn stats<'a>(
    catalog: &Catalog,
    partnerships: impl IntoIterator<Item = &'a Partnership>,
    interval: Interval,
    today: Date,
) -> Stats {
    let mut s = Stats::default();
    let mut spans = Vec::new();
    let mut starts: BTreeMap<Date, u64> = BTreeMap::new();
    let mut ends: BTreeMap<Date, u64> = BTreeMap::new();
    for p in partnerships {
        s.total += 1;
        let agency = catalog.agencies.get(&p.agency_id);
        if let Some(a) = agency {
            *s.by_state.entry(a.state.as_str().to_string()).or_default() += 1;
            *s.by_agency_type
                .entry(a.agency_type.as_str().to_string())
                .or_default() += 1;
        }
        *s.by_program.entry(p.program_id.clone()).or_default() += 1;
        *s.by_status
            .entry(p.status.as_str().to_string())
            .or_default() += 1;
        // Announced and cancelled partnerships neither start nor end.
        let Some(r) = ranges(catalog, p) else {
            continue;
        };
        spans.push(r);
        if let Some(start) = p.start {
            *starts
                .entry(period_of(start.earliest(), interval))
                .or_default() += 1;
        }
        if let Some(end) = p.end {
            *ends.entry(period_of(end.earliest(), interval)).or_default() += 1;
        }
    }
    let first = spans
        .iter()
        .filter_map(|((from, _), _)| *from)
        .chain(starts.keys().copied())
        .min();
    let Some(first) = first else {
        return s;
    };
    let last = spans
        .iter()
        .filter_map(|((_, to), _)| *to)
        .chain(ends.keys().copied())
        .chain([today])
        .max()
        .unwrap_or(today);
    let mut at = period_of(first, interval);
    while at <= last {
        let Some(next) = next_period(at, interval) else {
            break;
        };
        let period_last = next.previous_day().unwrap_or(at);
        let mut period = Period {
            first: at,
            last: period_last,
            certain: 0,
            possible: 0,
            starts: starts.get(&at).copied().unwrap_or(0),
            ends: ends.get(&at).copied().unwrap_or(0),
        };
        for ((from, to), certain) in &spans {
            if from.is_none_or(|f| f <= period_last) && to.is_none_or(|t| t >= at) {
                period.possible += 1;
            }
            if let Some((Some(from), to)) = certain
                && *from <= at
                && to.is_none_or(|t| t >= period_last)
            {
                period.certain += 1;
            }
        }
        s.timeline.push(period);
        at = next;
    }
    s
}
