//! JSON written straight from the data with serde, for the hot list endpoints.
//!
//! poem-openapi's `Json` first builds a `serde_json::Value` tree (a map per object) and then
//! writes it out; for a page of 50 agencies that cost as much as the query. `Fast<T>` carries
//! bytes already written, with `T` (an `Object` DTO) only naming the schema in the spec. The
//! bytes come either from the DTO itself or, for agency pages, from the JSON each agency's
//! catalog entry keeps (see `agency_page`); tests check that each way writes exactly what
//! poem-openapi would.

use super::dto::ListMeta;
use crate::domain::{self, StateCode};
use crate::service::catalog::AgencyEntry;
use poem::{IntoResponse, Response};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde::{Serialize, Serializer};
use std::marker::PhantomData;
use time::OffsetDateTime;

const JSON: &str = "application/json; charset=utf-8";

pub struct Fast<T> {
    body: Result<Vec<u8>, String>,
    schema: PhantomData<fn() -> T>,
}

impl<T: Serialize> Fast<T> {
    pub fn of(value: T) -> Self {
        Self {
            body: serde_json::to_vec(&value).map_err(|e| e.to_string()),
            schema: PhantomData,
        }
    }
}

#[cfg(test)]
impl<T> Fast<T> {
    /// The bytes written, or why they could not be.
    pub fn into_body(self) -> Result<Vec<u8>, String> {
        self.body
    }
}

impl<T: Type> Payload for Fast<T> {
    const CONTENT_TYPE: &'static str = JSON;

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Send> IntoResponse for Fast<T> {
    fn into_response(self) -> Response {
        match self.body {
            Ok(body) => Response::builder().content_type(JSON).body(body),
            // Serialising plain data cannot fail (no non-string map keys); answer as every
            // other failure does if it ever did.
            Err(e) => crate::error::ApiError::internal(e).into_response(),
        }
    }
}

pub(super) fn rfc3339<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    time::serde::rfc3339::serialize(t, s)
}

fn state<S: Serializer>(c: &StateCode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.as_str())
}

/// An agency as `dto::Agency` writes it (without `distance_m`), borrowed from the domain
/// record: what an agency's catalog entry keeps.
#[derive(Serialize)]
struct AgencyView<'a> {
    id: &'a str,
    name: &'a str,
    agency_type: &'static str,
    jurisdiction_type: &'static str,
    ori: Option<&'a str>,
    city: Option<&'a str>,
    county: Option<&'a str>,
    #[serde(serialize_with = "state")]
    state: StateCode,
    country: &'a str,
    latitude: Option<f64>,
    longitude: Option<f64>,
    location_precision: Option<&'static str>,
    location_basis: Option<&'static str>,
    location_source: Option<&'a str>,
    quality_flags: &'a [domain::QualityFlag],
    external_ids: &'a domain::ExternalIds,
    notes: Option<&'a str>,
    version: i32,
    #[serde(serialize_with = "rfc3339")]
    created_at: OffsetDateTime,
    #[serde(serialize_with = "rfc3339")]
    updated_at: OffsetDateTime,
}

impl<'a> AgencyView<'a> {
    fn new(a: &'a domain::Agency) -> Self {
        Self {
            id: &a.id,
            name: &a.name,
            agency_type: a.agency_type.as_str(),
            jurisdiction_type: a.jurisdiction_type.as_str(),
            ori: a.ori.as_deref(),
            city: a.city.as_deref(),
            county: a.county.as_deref(),
            state: a.state,
            country: &a.country,
            latitude: a.latitude,
            longitude: a.longitude,
            location_precision: a.location_precision.map(|p| p.as_str()),
            location_basis: a.location_basis.map(|b| b.as_str()),
            location_source: a.location_source.as_deref(),
            quality_flags: &a.quality_flags,
            external_ids: &a.external_ids,
            notes: a.notes.as_deref(),
            version: a.meta.version,
            created_at: a.meta.created_at,
            updated_at: a.meta.updated_at,
        }
    }
}

/// A page of agencies as `dto::AgencyList` writes it, each agency's JSON taken from its
/// catalog entry (written once per record version) with only `distance_m` written per
/// request: the hot path of `near` queries.
pub fn agency_page(
    hits: &[(&AgencyEntry, Option<f64>)],
    next: Option<&str>,
    total: Option<u64>,
    meta: &ListMeta,
) -> Fast<super::dto::AgencyList> {
    let mut body = Vec::with_capacity(64 + hits.len() * 512);
    body.extend_from_slice(b"{\"data\":[");
    let mut result = Ok(());
    // Every entry's JSON first, then the copying: the first loop's reads (each likely a
    // cache miss) do not depend on each other, so the processor overlaps them.
    let objects: Vec<&[u8]> = hits.iter().map(|(a, _)| agency_object(a)).collect();
    for (i, (object, (_, distance))) in objects.into_iter().zip(hits).enumerate() {
        if i > 0 {
            body.push(b',');
        }
        if object.is_empty() {
            result = Err(serde::ser::Error::custom("an agency did not serialise"));
        }
        body.extend_from_slice(object);
        if let Some(d) = distance {
            body.extend_from_slice(b",\"distance_m\":");
            result = result.and(serde_json::to_writer(&mut body, d));
        }
        body.push(b'}');
    }
    close_page(body, result, next, total, meta)
}

/// Ends a page whose `data` items `body` holds (after `{"data":[`): the rest of the page,
/// written by serde as the list DTO would.
pub(super) fn close_page<T>(
    mut body: Vec<u8>,
    items: serde_json::Result<()>,
    next: Option<&str>,
    total: Option<u64>,
    meta: &ListMeta,
) -> Fast<T> {
    body.extend_from_slice(b"],");
    // Written by serde as the DTO would: drop its opening brace.
    let tail = serde_json::to_vec(&PageTail { next, total, meta });
    match (items, tail) {
        (Ok(()), Ok(tail)) => {
            body.extend_from_slice(&tail[1..]);
            Fast {
                body: Ok(body),
                schema: PhantomData,
            }
        }
        (Err(e), _) | (_, Err(e)) => Fast {
            body: Err(e.to_string()),
            schema: PhantomData,
        },
    }
}

/// An agency's JSON object without its closing brace (so `distance_m` can follow), written
/// once per record version and kept in its catalog entry; empty if it could not be written
/// (plain data: never seen).
fn agency_object(entry: &AgencyEntry) -> &[u8] {
    entry.json(|a| {
        let mut json = serde_json::to_vec(&AgencyView::new(a)).unwrap_or_default();
        match json.pop() {
            Some(b'}') => json,
            _ => Vec::new(),
        }
    })
}

#[derive(Serialize)]
struct PageTail<'a> {
    next: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<u64>,
    meta: &'a ListMeta,
}

#[cfg(test)]
mod tests {
    use super::super::dto::{Agency, AgencyList, Partnership, PartnershipList};
    use super::super::features::AgencyProperties;
    use super::super::geojson::{AgencyFeature, AgencyFeatureCollection, FeatureCollectionType};
    use super::*;
    use crate::domain::{AgencyType, JurisdictionType, LocationPrecision, Meta};
    use poem_openapi::types::{Example, ToJSON};

    fn same<T: ToJSON + serde::Serialize>(value: &T) {
        assert_eq!(
            serde_json::to_value(value).unwrap(),
            value.to_json().unwrap()
        );
    }

    #[test]
    fn serde_and_poem_openapi_write_the_same_json() {
        same(&AgencyList::example());
        same(&PartnershipList::example());
        let mut p = Partnership::example();
        p.distance_m = Some(12.5);
        p.active_on_certainty = Some(crate::domain::valid_time::Certainty::Possible);
        same(&p);
        let mut a = Agency::example();
        a.distance_m = Some(0.0);
        a.latitude = None;
        same(&a);
        same(&super::super::ogc::AnyFeatureCollection::Agencies(
            AgencyFeatureCollection {
                type_: FeatureCollectionType::FeatureCollection,
                features: vec![AgencyFeature::from(AgencyProperties::of(
                    &domain_agency(true),
                    None,
                ))],
                next: Some("n".into()),
                number_matched: None,
                number_returned: 1,
                links: vec![],
                meta: AgencyList::example().meta,
            },
        ));
        same(&AgencyFeatureCollection {
            type_: FeatureCollectionType::FeatureCollection,
            features: vec![
                AgencyFeature::from(AgencyProperties::of(&domain_agency(true), Some(1.5))),
                AgencyFeature::from(AgencyProperties::of(&domain_agency(false), None)),
            ],
            next: None,
            number_matched: Some(1),
            number_returned: 2,
            links: vec![],
            meta: AgencyList::example().meta,
        });
    }

    fn domain_agency(located: bool) -> domain::Agency {
        domain::Agency {
            id: "us-wi-greenfield-police-department".into(),
            name: "Greenfield \"PD\" \u{e9}".into(),
            agency_type: AgencyType::Police,
            jurisdiction_type: JurisdictionType::Municipal,
            ori: Some("WI0404700".into()),
            city: Some("Greenfield".into()),
            county: None,
            state: "WI".parse().unwrap(),
            country: "US".into(),
            latitude: located.then_some(42.9614),
            longitude: located.then_some(-88.01259),
            location_precision: located.then_some(LocationPrecision::Place),
            location_basis: None,
            location_source: None,
            quality_flags: Vec::new(),
            external_ids: [("aos".to_string(), "AOS3711".to_string())].into(),
            notes: Some("line\nbreak".into()),
            meta: Meta::new(time::macros::datetime!(2026-11-29 12:00:00.123456 UTC)),
        }
    }

    /// Pages with distances, cursors and totals: `memoised_agency_pages_write_what_the_dtos_write`.
    #[test]
    fn borrowed_views_write_what_the_dtos_write() {
        for located in [true, false] {
            let a = domain_agency(located);
            let view = serde_json::to_value(AgencyView::new(&a)).unwrap();
            assert_eq!(view, Agency::from(&a).to_json().unwrap());
        }
    }

    #[test]
    fn memoised_agency_pages_write_what_the_dtos_write() {
        let meta = AgencyList::example().meta;
        let (a, b) = (
            AgencyEntry::new(domain_agency(true)),
            AgencyEntry::new(domain_agency(false)),
        );
        for (hits, next, total) in [
            (vec![], None, None),
            (vec![(&a, Some(0.5)), (&b, None)], Some("c"), Some(2)),
            // The same entry twice: the second use reads the JSON the first wrote.
            (
                vec![(&a, Some(1e-7)), (&a, Some(20_015_086.8))],
                None,
                Some(9),
            ),
        ] {
            let want = AgencyList {
                data: hits
                    .iter()
                    .map(|(r, d)| Agency {
                        distance_m: *d,
                        ..Agency::from(r.record().as_ref())
                    })
                    .collect(),
                next: next.map(str::to_string),
                total,
                meta: meta.clone(),
            };
            let page = agency_page(&hits, next, total, &meta).body.unwrap();
            let got: serde_json::Value = serde_json::from_slice(&page).unwrap();
            assert_eq!(got, want.to_json().unwrap());
            // Byte for byte what serde writes for the DTO, too.
            assert_eq!(page, serde_json::to_vec(&want).unwrap());
        }
    }
}
