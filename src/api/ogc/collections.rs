//! A collection's description (extent and links), its queryables and the JSON Schemas of
//! its features.

use super::{Collection, Extent, Kind, SpatialExtent, TemporalExtent};
use crate::api::features::{AgencyProperties, PartnershipProperties};
use crate::api::geojson::{GEOJSON, Link};
use crate::service::catalog::{self, Catalog};
use crate::service::per_version::PerVersion;

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

const GREGORIAN: &str = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian";

pub(super) fn json_link(href: String, rel: &str, title: &str) -> Link {
    Link::new(href, rel, Some("application/json"), Some(title))
}

/// `extents`: the catalog's extent, found once per dataset version.
pub(super) fn collection(
    kind: Kind,
    catalog: &Catalog,
    extents: &PerVersion<catalog::Extent>,
) -> Collection {
    let (id, title, description) = match kind {
        Kind::Agencies => (
            "agencies",
            "Agencies",
            "Police, sheriff and other public safety agencies that partner or partnered with Ring, at their located position.",
        ),
        Kind::Partnerships => (
            "partnerships",
            "Partnerships",
            "Agencies' enrolments in Ring's programs, at their agency's position. `datetime` selects partnerships whose period (start to end, at their known precision) meets the given instant or interval.",
        ),
    };
    let extent = extents.get_or(catalog.seq(), String::new(), || catalog.extent());
    let bbox = extent.bbox.unwrap_or([-180.0, -90.0, 180.0, 90.0]);
    let first_start = extent.first_start.map(|d| format!("{d}T00:00:00Z"));
    Collection {
        id: id.into(),
        title: title.into(),
        description: description.into(),
        extent: Extent {
            spatial: SpatialExtent {
                bbox: vec![bbox.to_vec()],
                crs: CRS84.into(),
            },
            temporal: TemporalExtent {
                interval: vec![vec![first_start, None]],
                trs: GREGORIAN.into(),
            },
        },
        item_type: "feature".into(),
        crs: vec![CRS84.into()],
        links: vec![
            json_link(format!("/collections/{id}"), "self", title),
            Link::new(
                format!("/collections/{id}/items"),
                "items",
                Some(GEOJSON),
                Some(title),
            ),
            // `describedby` as RFC 8288 spells it; `describedBy` as GDAL's OAPIF driver looks
            // for it (relation types are case-insensitive, so both name the same relation).
            Link::new(
                format!("/collections/{id}/schema"),
                "describedby",
                Some(SCHEMA_JSON),
                Some("JSON Schema of the features"),
            ),
            Link::new(
                format!("/collections/{id}/schema"),
                "describedBy",
                Some(SCHEMA_JSON),
                Some("JSON Schema of the features"),
            ),
            Link::new(
                format!("/collections/{id}/queryables"),
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                Some(SCHEMA_JSON),
                Some("The properties the items can be filtered by"),
            ),
        ],
    }
}

pub const SCHEMA_JSON: &str = "application/schema+json";

/// The properties of a collection's items can be filtered by (`property=value`).
pub(super) const AGENCY_QUERYABLES: &[&str] = &["state", "agency_type", "jurisdiction_type"];

pub(super) const PARTNERSHIP_QUERYABLES: &[&str] =
    &["state", "agency_type", "program_id", "status"];

/// The JSON Schema of a collection's features (`schema`) or of its queryables.
pub(super) fn schema_document(kind: Kind, base: &str, queryables: bool) -> serde_json::Value {
    use crate::export::Table;
    use crate::export::schema;
    use crate::export::tables::{AgencyRow, PartnershipRow};
    let (id, title, columns, required, names, id_type) = match kind {
        Kind::Agencies => (
            "agencies",
            "Agencies",
            AgencyRow::COLUMNS,
            AgencyProperties::REQUIRED,
            AGENCY_QUERYABLES,
            "string",
        ),
        Kind::Partnerships => (
            "partnerships",
            "Partnerships",
            PartnershipRow::COLUMNS,
            PartnershipProperties::REQUIRED,
            PARTNERSHIP_QUERYABLES,
            "integer",
        ),
    };
    if queryables {
        schema::queryables(
            &format!("{base}/collections/{id}/queryables"),
            title,
            columns,
            names,
        )
    } else {
        schema::feature(
            &format!("{base}/collections/{id}/schema"),
            title,
            columns,
            required,
            id_type,
        )
    }
}
