//! Records and catalogs for the crate's unit tests: agencies at given points, a catalog of
//! them with one partnership each, and a revision carrying a record.

use super::catalog::Catalog;
use crate::domain::{
    Agency, AgencyType, ChangeKind, JurisdictionType, Meta, Partnership, Record, Status,
};
use crate::store::StoredRevision;
use time::macros::datetime;

pub(crate) fn agency(i: usize, lat: f64, lon: f64, state: &str) -> Agency {
    Agency {
        id: format!("a{i:04}"),
        // Names and cities that repeat, and some cities missing: sorts by them have ties and
        // missing values.
        name: format!("Agency {}", i % 7),
        agency_type: if i.is_multiple_of(3) {
            AgencyType::Sheriff
        } else {
            AgencyType::Police
        },
        jurisdiction_type: JurisdictionType::Municipal,
        ori: None,
        city: (!i.is_multiple_of(4)).then(|| format!("City {}", i % 3)),
        county: None,
        state: state.parse().unwrap(),
        country: "US".into(),
        latitude: Some(lat),
        longitude: Some(lon),
        location_precision: None,
        location_basis: None,
        location_source: None,
        quality_flags: Vec::new(),
        external_ids: Default::default(),
        notes: None,
        meta: Meta::new(datetime!(2026-01-01 0:00 UTC)),
    }
}

/// An active partnership of `agency_id` in `program_id`, undated, with nothing else known.
pub(crate) fn partnership(id: i64, agency_id: &str, program_id: &str) -> Partnership {
    Partnership {
        id,
        agency_id: agency_id.into(),
        program_id: program_id.into(),
        status: Status::Active,
        start: None,
        end: None,
        video_requests: vec![],
        external_ids: Default::default(),
        notes: None,
        last_confirmed: None,
        last_confirmed_source: None,
        meta: Meta::new(datetime!(2026-01-01 0:00 UTC)),
    }
}

pub(crate) fn catalog(points: &[(f64, f64)]) -> Catalog {
    let mut records: Vec<Record> = vec![];
    for (i, (lat, lon)) in points.iter().enumerate() {
        records.push(Record::Agency(agency(i, *lat, *lon, "WI")));
        // Every other agency has two partnerships, so expansion is exercised.
        for k in 0..(1 + i % 2) {
            records.push(Record::Partnership(Partnership {
                start: match i % 3 {
                    0 => None,
                    1 => Some("2019-05".parse().unwrap()),
                    _ => Some(format!("20{:02}", 10 + i % 9).parse().unwrap()),
                },
                ..partnership((i * 2 + k + 1) as i64, &format!("a{i:04}"), "p")
            }));
        }
    }
    // One agency with no position: it must never match a geographic filter.
    let mut nowhere = agency(9999, 0.0, 0.0, "WI");
    nowhere.latitude = None;
    nowhere.longitude = None;
    records.push(Record::Agency(nowhere));
    Catalog::from_revisions(
        records
            .into_iter()
            .enumerate()
            .map(|(i, r)| revision(i as i64 + 1, r, ChangeKind::Created)),
    )
    .unwrap()
}

/// A revision of the log holding `record`.
pub(crate) fn revision(seq: i64, record: Record, change_kind: ChangeKind) -> StoredRevision {
    StoredRevision {
        seq,
        entity_kind: record.kind(),
        entity_id: record.entity_id(),
        version: 1,
        change_kind,
        actor: "test".into(),
        note: None,
        recorded_at: datetime!(2026-01-01 0:00 UTC),
        data: record.to_json(),
    }
}
