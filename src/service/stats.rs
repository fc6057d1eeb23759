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
use super::listing::{self, ListError, PageRequest, PartnershipFilter, PartnershipSortField, Sort};
use super::per_version::PerVersion;
use crate::domain::{Partnership, Status};
use std::collections::BTreeMap;
use std::sync::Arc;
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

/// Periods between the period starting `origin` and the one holding `day` (negative before).
fn period_index(origin: Date, day: Date, interval: Interval) -> i64 {
    let years = i64::from(day.year()) - i64::from(origin.year());
    match interval {
        Interval::Year => years,
        Interval::Month => {
            years * 12 + i64::from(u8::from(day.month())) - i64::from(u8::from(origin.month()))
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
    let mut periods = Vec::new();
    let mut at = period_of(first, interval);
    while at <= last {
        let Some(next) = next_period(at, interval) else {
            break;
        };
        periods.push((at, next.previous_day().unwrap_or(at)));
        at = next;
    }
    // Each span adds one to a run of periods: a difference array per count, summed once, so
    // the timeline costs O(partnerships + periods), not their product.
    let n = periods.len() as i64;
    let origin = period_of(first, interval);
    let index = |day: Date| period_index(origin, day, interval);
    let mut possible = vec![0i64; periods.len() + 1];
    let mut certain = vec![0i64; periods.len() + 1];
    let add = |counts: &mut Vec<i64>, lo: i64, hi: i64| {
        let (lo, hi) = (lo.max(0), hi.min(n - 1));
        if lo <= hi {
            counts[lo as usize] += 1;
            counts[hi as usize + 1] -= 1;
        }
    };
    for ((from, to), sure) in &spans {
        // Possible in every period the span meets.
        add(
            &mut possible,
            from.map_or(0, index),
            to.map_or(n - 1, index),
        );
        // Certain in every period it covers whole: from the first period starting on or after
        // its first day to the last one ending on or before its last day.
        if let Some((Some(from), to)) = sure {
            let lo = index(*from) + i64::from(period_of(*from, interval) != *from);
            let hi = to.map_or(n - 1, |t| {
                let ends_period = t
                    .next_day()
                    .is_none_or(|d| period_of(d, interval) != period_of(t, interval));
                index(t) - i64::from(!ends_period)
            });
            add(&mut certain, lo, hi);
        }
    }
    let (mut p_run, mut c_run) = (0i64, 0i64);
    for (k, (first, last)) in periods.into_iter().enumerate() {
        p_run += possible[k];
        c_run += certain[k];
        s.timeline.push(Period {
            first,
            last,
            certain: c_run.max(0) as u64,
            possible: p_run.max(0) as u64,
            starts: starts.get(&first).copied().unwrap_or(0),
            ends: ends.get(&first).copied().unwrap_or(0),
        });
    }
    s
}

/// How many answers of `/stats` a process keeps (the newest asked).
pub const CACHED_STATS: usize = 64;

/// The statistics of the newest queries, each computed once per dataset version.
pub struct StatsCache(PerVersion<Stats>);

impl Default for StatsCache {
    fn default() -> Self {
        Self(PerVersion::new(CACHED_STATS))
    }
}

impl StatsCache {
    /// The statistics of the partnerships `filter` matches in `catalog`; the timeline runs to
    /// `today`.
    pub fn stats(
        &self,
        catalog: &Catalog,
        filter: &PartnershipFilter,
        interval: Interval,
        today: Date,
    ) -> Result<Arc<Stats>, ListError> {
        // The canonical text of a query, as cursors are fingerprinted by.
        let query = format!("{filter:?} {interval:?} {today}");
        self.0.get_or_try(catalog.seq(), query, || {
            let sort = Sort {
                field: PartnershipSortField::Id,
                descending: false,
            };
            let page = listing::partnerships(catalog, filter, sort, &PageRequest::everything())?;
            Ok(stats(
                catalog,
                page.items.into_iter().map(|hit| hit.item.as_partnership()),
                interval,
                today,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ChangeKind, Meta, Record};
    use crate::service::fixtures::{agency, revision};
    use proptest::prelude::*;
    use time::macros::{date, datetime};

    /// The timeline as the definition says it: every period against every span.
    fn naive_timeline(
        catalog: &Catalog,
        ps: &[&Partnership],
        interval: Interval,
        today: Date,
    ) -> Vec<(Date, Date, u64, u64)> {
        let spans: Vec<_> = ps.iter().filter_map(|p| ranges(catalog, p)).collect();
        let first = spans
            .iter()
            .filter_map(|((from, _), _)| *from)
            .chain(ps.iter().filter_map(|p| {
                (!matches!(p.status, Status::Announced | Status::Cancelled))
                    .then(|| p.start.map(|s| s.earliest()))
                    .flatten()
            }))
            .min();
        let Some(first) = first else {
            return vec![];
        };
        let last = spans
            .iter()
            .filter_map(|((_, to), _)| *to)
            .chain(ps.iter().filter_map(|p| {
                (!matches!(p.status, Status::Announced | Status::Cancelled))
                    .then(|| p.end.map(|e| period_of(e.earliest(), interval)))
                    .flatten()
            }))
            .chain([today])
            .max()
            .unwrap();
        let mut out = vec![];
        let mut at = period_of(first, interval);
        while at <= last {
            let next = next_period(at, interval).unwrap();
            let period_last = next.previous_day().unwrap();
            let (mut possible, mut certain) = (0, 0);
            for ((from, to), sure) in &spans {
                if from.is_none_or(|f| f <= period_last) && to.is_none_or(|t| t >= at) {
                    possible += 1;
                }
                if let Some((Some(from), to)) = sure
                    && *from <= at
                    && to.is_none_or(|t| t >= period_last)
                {
                    certain += 1;
                }
            }
            out.push((at, period_last, certain, possible));
            at = next;
        }
        out
    }

    fn fuzzy(kind: u8, year: i32, month: u8, day: u8) -> Option<crate::domain::PartialDate> {
        let text = match kind % 4 {
            0 => return None,
            1 => format!("{year}"),
            2 => format!("{year}-{month:02}"),
            _ => format!("{year}-{month:02}-{day:02}"),
        };
        Some(text.parse().unwrap())
    }

    type Spec = (
        u8,
        u8,
        (u8, i32, u8, u8),
        (u8, i32, u8, u8),
        Option<(i32, u8)>,
    );

    fn spec() -> impl Strategy<Value = Spec> {
        let date = || (0u8..4, 2014i32..2024, 1u8..=12, 1u8..=28);
        (
            0u8..4,
            0u8..2,
            date(),
            date(),
            proptest::option::of((2018i32..2027, 1u8..=12)),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// The difference-array timeline equals the definition, period by period, for any mix
        /// of precisions, statuses, missing and reversed dates, confirmations and programs
        /// that end.
        #[test]
        fn the_swept_timeline_equals_the_definition(specs in proptest::collection::vec(spec(), 0..40)) {
            let mut records = vec![Record::Agency(agency(0, 43.0, -88.0, "WI"))];
            records.push(Record::Program(crate::domain::Program {
                id: "ended".into(),
                vendor: "ring".into(),
                name: "Ended".into(),
                description: None,
                start: None,
                end: Some("2022-06".parse().unwrap()),
                meta: Meta::new(datetime!(2026-01-01 0:00 UTC)),
            }));
            for (i, (status, program, s, e, confirmed)) in specs.iter().enumerate() {
                records.push(Record::Partnership(Partnership {
                    id: i as i64 + 1,
                    agency_id: "a0000".into(),
                    program_id: if *program == 0 { "p".into() } else { "ended".into() },
                    status: [Status::Active, Status::Ended, Status::Announced, Status::Cancelled][*status as usize],
                    start: fuzzy(s.0, s.1, s.2, s.3),
                    end: fuzzy(e.0, e.1, e.2, e.3),
                    video_requests: vec![],
                    external_ids: Default::default(),
                    notes: None,
                    last_confirmed: confirmed.map(|(y, m)| Date::from_calendar_date(y, Month::try_from(m).unwrap(), 15).unwrap()),
                    last_confirmed_source: None,
                    meta: Meta::new(datetime!(2026-01-01 0:00 UTC)),
                }));
            }
            let catalog = Catalog::from_revisions(
                records.into_iter().enumerate().map(|(i, r)| revision(i as i64 + 1, r, ChangeKind::Created)),
            ).unwrap();
            let ps: Vec<&Partnership> = catalog.partnerships.values().map(|p| &**p).collect();
            for interval in [Interval::Year, Interval::Month] {
                let today = date!(2026 - 12 - 02);
                let swept: Vec<_> = stats(&catalog, ps.iter().copied(), interval, today)
                    .timeline
                    .into_iter()
                    .map(|p| (p.first, p.last, p.certain, p.possible))
                    .collect();
                prop_assert_eq!(swept, naive_timeline(&catalog, &ps, interval, today));
            }
        }
    }
}
