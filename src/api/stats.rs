//! `/stats`: counts of partnerships by state, program, status and agency type, and a
//! timeline of how many were active per month or year (see `service::stats`).

use super::dto::ListMeta;
use super::partnerships::{PartnershipSearch, partnership_filter};
use super::vocab::{Values, texts};
use super::{ApiTags, list_error};
use crate::error::ApiError;
use crate::service::listing::PartnershipSortField;
use crate::service::stats::Interval;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use std::collections::BTreeMap;

/// The length of a timeline period.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum StatsInterval {
    Month,
    Year,
}

/// One period of the timeline.
#[derive(Object, Clone, Debug)]
pub struct StatsPeriod {
    /// `YYYY` or `YYYY-MM`.
    pub period: String,
    /// The period's first day.
    pub first_day: String,
    /// The period's last day.
    pub last_day: String,
    /// Partnerships active every day of the period, whatever their imprecise dates mean.
    pub certain: u64,
    /// Partnerships that may have been active at least one day of the period (includes the
    /// certain ones).
    pub possible: u64,
    /// Partnerships whose start (its earliest day) falls in the period.
    pub starts: u64,
    /// Partnerships whose end (its earliest day) falls in the period.
    pub ends: u64,
}

/// Counts and a timeline of the matching partnerships.
#[derive(Object, Clone, Debug)]
pub struct Stats {
    /// Matching partnerships.
    pub total: u64,
    /// By the agency's state (USPS code).
    pub by_state: BTreeMap<String, u64>,
    /// By program id.
    pub by_program: BTreeMap<String, u64>,
    /// By status.
    pub by_status: BTreeMap<String, u64>,
    /// By the agency's type.
    pub by_agency_type: BTreeMap<String, u64>,
    /// `month` or `year`.
    pub interval: StatsInterval,
    /// From the period of the earliest start to the current one (or the last end).
    pub timeline: Vec<StatsPeriod>,
    pub meta: ListMeta,
}

super::resource::api_struct!(StatsApi);

#[OpenApi(tag = "ApiTags::Statistics")]
impl StatsApi {
    /// Partnership statistics
    ///
    /// Counts of the partnerships matching the usual filters (those of `GET /partnerships`)
    /// by state, program, status and agency type, and a timeline per month or year: per
    /// period, how many were `certain`ly active all of it and how many `possible`ly active
    /// some day of it given dates known only to a month or a year (`announced` and
    /// `cancelled` never count; an `ended` one without an end date is never certain; a
    /// program's end ends its enrolments), and how many started and ended in it (by the
    /// earliest day of the date).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/stats", method = "get", operation_id = "get_stats")]
    async fn get_stats(
        &self,
        /// Only agencies in these states (USPS codes).
        state: Query<Option<Values<crate::domain::StateCode>>>,
        /// Only these agency types.
        agency_type: Query<Option<Values<crate::domain::AgencyType>>>,
        /// Only these programs (program ids).
        program: Query<Option<Values<String>>>,
        /// Only these statuses: active, ended, announced, cancelled.
        status: Query<Option<Values<crate::domain::Status>>>,
        /// Text search in the agency's name and city.
        q: Query<Option<String>>,
        /// A point, `lat,lon`; with `radius`, only agencies within it.
        near: Query<Option<String>>,
        /// With `near`: metres, or with a unit (`25km`, `10mi`).
        radius: Query<Option<String>>,
        /// `minLon,minLat,maxLon,maxLat`.
        bbox: Query<Option<String>>,
        /// Timeline periods: `year` (default) or `month`.
        interval: Query<Option<StatsInterval>>,
        /// What the dataset said at this time (RFC 3339, transaction time).
        as_of: Query<Option<String>>,
    ) -> Result<Json<Stats>, ApiError> {
        let search = PartnershipSearch {
            state: texts(state.0),
            agency_type: texts(agency_type.0),
            program: texts(program.0),
            status: texts(status.0),
            q: q.0,
            near: near.0,
            radius: radius.0,
            bbox: bbox.0,
            ..Default::default()
        };
        let filter = partnership_filter(&search, self.state.max_polygon_vertices)?;
        let interval = interval.0.unwrap_or(StatsInterval::Year);
        let catalog = super::view(&self.state, as_of.0.as_deref()).await?;
        super::partnerships::check_names(&catalog, &filter)?;
        let echo =
            super::query_echo::QueryEcho::partnerships::<PartnershipSortField>(&filter, None, None);
        let warnings = super::query_echo::geo_warnings(
            &catalog,
            filter.geo.near.as_ref(),
            search.radius.as_deref(),
        );
        let s = self
            .state
            .stats_cache
            .stats(
                &catalog,
                &filter,
                match interval {
                    StatsInterval::Month => Interval::Month,
                    StatsInterval::Year => Interval::Year,
                },
                crate::service::writer::now().date(),
            )
            .map_err(list_error)?;
        let timeline = s
            .timeline
            .iter()
            .map(|p| StatsPeriod {
                period: match interval {
                    StatsInterval::Year => format!("{:04}", p.first.year()),
                    StatsInterval::Month => {
                        format!("{:04}-{:02}", p.first.year(), u8::from(p.first.month()))
                    }
                },
                first_day: p.first.to_string(),
                last_day: p.last.to_string(),
                certain: p.certain,
                possible: p.possible,
                starts: p.starts,
                ends: p.ends,
            })
            .collect();
        Ok(Json(Stats {
            total: s.total,
            by_state: s.by_state.clone(),
            by_program: s.by_program.clone(),
            by_status: s.by_status.clone(),
            by_agency_type: s.by_agency_type.clone(),
            interval,
            timeline,
            meta: ListMeta::of(&catalog).with_query(echo, warnings),
        }))
    }
}
