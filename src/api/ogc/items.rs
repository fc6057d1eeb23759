//! A page of a collection's features (`/collections/{collection_id}/items`): the query
//! checked against the collection's queryables, then a page of agencies or partnerships as
//! a GeoJSON feature collection with its links.

use super::collections::{AGENCY_QUERYABLES, PARTNERSHIP_QUERYABLES, json_link};
use super::datetime::{echo_period, parse_datetime};
use super::{AnyFeatureCollection, Kind, OGC_DEFAULT_LIMIT, OGC_MAX_LIMIT};
use crate::api::dto::ListMeta;
use crate::api::features::{AgencyProperties, PartnershipProperties};
use crate::api::geojson::{
    AgencyFeature, AgencyFeatureCollection, FeatureCollectionType, GEOJSON, Link,
    PartnershipFeature, PartnershipFeatureCollection,
};
use crate::api::query_echo::QueryEcho;
use crate::api::{AppState, list_error, next_link};
use crate::domain::{AgencyType, JurisdictionType, StateCode, Status};
use crate::error::ApiError;
use crate::service::catalog::Catalog;
use crate::service::listing::{
    AgencyFilter, AgencySortField, GeoFilter, PageRequest, PartnershipFilter, PartnershipSortField,
    Period, Sort,
};
use poem::Request;

/// The query parameters of `items`, as poem-openapi parsed them.
pub(super) struct ItemsQuery {
    pub bbox: Option<String>,
    pub datetime: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    pub state: Option<StateCode>,
    pub agency_type: Option<AgencyType>,
    pub jurisdiction_type: Option<JurisdictionType>,
    pub program_id: Option<String>,
    pub status: Option<Status>,
}

/// A page of the collection's features that `q` selects.
pub(super) fn page(
    state: &AppState,
    req: &Request,
    kind: Kind,
    collection_id: String,
    q: ItemsQuery,
) -> Result<AnyFeatureCollection, ApiError> {
    check_queryables(kind, &collection_id, &q)?;
    let geo = crate::api::geo_filter(
        None,
        None,
        q.bbox.as_deref(),
        None,
        state.max_polygon_vertices,
    )?;
    let period = q
        .datetime
        .as_deref()
        .filter(|d| !d.is_empty())
        .map(parse_datetime)
        .transpose()
        .map_err(|e| ApiError::invalid("datetime", e))?;
    let page_req = PageRequest {
        // Up to 10,000 may be asked; a page holds at most `paging::MAX_LIMIT`.
        limit: (q.limit.unwrap_or(OGC_DEFAULT_LIMIT).min(OGC_MAX_LIMIT) as usize)
            .min(crate::service::paging::MAX_LIMIT),
        cursor: q.cursor.clone().filter(|c| !c.is_empty()),
        count: true,
        unbounded: false,
    };
    let catalog = state.dataset.read();
    let base = state.public_url.base_url(req);
    let links = |next: Option<&str>| {
        let mut links = vec![Link::new(
            req.uri().to_string(),
            "self",
            Some(GEOJSON),
            Some("This page"),
        )];
        if let Some(c) = next {
            links.push(Link::new(
                next_link(req, c),
                "next",
                Some(GEOJSON),
                Some("Next page"),
            ));
        }
        links.push(json_link(
            format!("/collections/{collection_id}"),
            "collection",
            "The collection",
        ));
        Link::absolute_all(&mut links, &base);
        links
    };
    match kind {
        Kind::Agencies => agencies(state, &catalog, geo, period, q, &page_req, &links),
        Kind::Partnerships => partnerships(state, &catalog, geo, period, q, &page_req, &links),
    }
}

/// Refuses a queryable the collection does not have.
fn check_queryables(kind: Kind, collection_id: &str, q: &ItemsQuery) -> Result<(), ApiError> {
    let queryables = match kind {
        Kind::Agencies => AGENCY_QUERYABLES,
        Kind::Partnerships => PARTNERSHIP_QUERYABLES,
    };
    let given = [
        ("state", q.state.is_some()),
        ("agency_type", q.agency_type.is_some()),
        ("jurisdiction_type", q.jurisdiction_type.is_some()),
        ("program_id", q.program_id.is_some()),
        ("status", q.status.is_some()),
    ];
    let foreign = given
        .iter()
        .find(|(name, given)| *given && !queryables.contains(name));
    if let Some((name, _)) = foreign {
        return Err(ApiError::invalid(
            name,
            format!(
                "`{name}` is not a queryable of `{collection_id}` (see /collections/{collection_id}/queryables)"
            ),
        ));
    }
    Ok(())
}

/// A page of agencies as features.
fn agencies(
    state: &AppState,
    catalog: &Catalog,
    geo: GeoFilter,
    period: Option<Period>,
    q: ItemsQuery,
    page_req: &PageRequest,
    links: &dyn Fn(Option<&str>) -> Vec<Link>,
) -> Result<AnyFeatureCollection, ApiError> {
    let filter = AgencyFilter {
        geo,
        period,
        states: q.state.into_iter().collect(),
        agency_types: q.agency_type.into_iter().collect(),
        jurisdiction_types: q.jurisdiction_type.into_iter().collect(),
        ..Default::default()
    };
    let sort = Sort {
        field: AgencySortField::Id,
        descending: false,
    };
    let page = state
        .lists
        .agencies(catalog, &filter, sort, page_req)
        .map_err(list_error)?;
    let mut echo = QueryEcho::agencies(&filter, sort, &[("id", AgencySortField::Id)], page_req);
    echo.active_during = echo_period(filter.period.as_ref());
    let features: Vec<AgencyFeature> = page
        .items
        .into_iter()
        .map(|h| AgencyFeature::from(AgencyProperties::of(h.item, None)))
        .collect();
    Ok(AnyFeatureCollection::Agencies(AgencyFeatureCollection {
        type_: FeatureCollectionType::FeatureCollection,
        number_returned: features.len() as u64,
        features,
        links: links(page.next.as_deref()),
        next: page.next,
        number_matched: page.total.map(|t| t as u64),
        meta: ListMeta::of(catalog).with_query(echo, Vec::new()),
    }))
}

/// A page of partnerships as features.
fn partnerships(
    state: &AppState,
    catalog: &Catalog,
    geo: GeoFilter,
    period: Option<Period>,
    q: ItemsQuery,
    page_req: &PageRequest,
    links: &dyn Fn(Option<&str>) -> Vec<Link>,
) -> Result<AnyFeatureCollection, ApiError> {
    let filter = PartnershipFilter {
        geo,
        period,
        states: q.state.into_iter().collect(),
        agency_types: q.agency_type.into_iter().collect(),
        programs: q.program_id.into_iter().collect(),
        statuses: q.status.into_iter().collect(),
        ..Default::default()
    };
    if let Some(p) = filter
        .programs
        .iter()
        .find(|p| !catalog.programs.contains_key(p.as_str()))
    {
        return Err(ApiError::invalid(
            "program_id",
            format!("`{p}` is not a program id (see /programs)"),
        ));
    }
    let sort = Sort {
        field: PartnershipSortField::Id,
        descending: false,
    };
    let page = state
        .lists
        .partnerships(catalog, &filter, sort, page_req)
        .map_err(list_error)?;
    let echo = QueryEcho::partnerships(
        &filter,
        Some((sort, &[("id", PartnershipSortField::Id)][..])),
        Some(page_req),
    );
    let features: Vec<PartnershipFeature> = page
        .items
        .into_iter()
        .map(|h| PartnershipFeature::from(PartnershipProperties::build(&h.item, catalog)))
        .collect();
    Ok(AnyFeatureCollection::Partnerships(
        PartnershipFeatureCollection {
            type_: FeatureCollectionType::FeatureCollection,
            number_returned: features.len() as u64,
            features,
            links: links(page.next.as_deref()),
            next: page.next,
            number_matched: page.total.map(|t| t as u64),
            meta: ListMeta::of(catalog).with_query(echo, Vec::new()),
        },
    ))
}
