//! Synthetic data for benchmarks and load tests: agencies spread over the US (with a share in
//! Alaska, Hawaii, Guam and Puerto Rico), each with one partnership. Deterministic for a seed,
//! written through the normal write path in one transaction, and plainly marked as synthetic
//! (`external_ids.synthetic`, a `synthetic` source) so it is never mistaken for real data.

use super::seed::RING_PROGRAM_ID;
use super::writer::Reason;
use super::{Dataset, ServiceError};
use crate::domain::{
    Agency, AgencyType, ChangeKind, JurisdictionType, LocationPrecision, Meta, PartialDate,
    Partnership, Record, Source, SourceKind, Status,
};
use time::{Date, Duration, Month};

/// SplitMix64: tiny, fast, and the same numbers on every machine for a seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * (hi - lo)
    }
}

/// Regions agencies are drawn from: (state, min lat, max lat, min lon, max lon, weight).
const REGIONS: &[(&str, f64, f64, f64, f64, u32)] = &[
    ("WI", 30.0, 48.5, -123.0, -70.0, 90),
    ("AK", 55.0, 65.0, -165.0, -140.0, 3),
    ("HI", 19.0, 22.0, -160.0, -155.0, 3),
    ("GU", 13.25, 13.65, 144.6, 145.0, 2),
    ("PR", 17.9, 18.5, -67.2, -65.6, 2),
];

/// Where synthetic agency `i` is, for a seed: also used by benchmarks to draw query centres
/// from the same distribution.
pub fn position(rng: &mut Rng) -> (&'static str, f64, f64) {
    let total: u32 = REGIONS.iter().map(|r| r.5).sum();
    let mut pick = (rng.next_u64() % total as u64) as u32;
    for (state, lat0, lat1, lon0, lon1, weight) in REGIONS {
        if pick < *weight {
            return (state, rng.range(*lat0, *lat1), rng.range(*lon0, *lon1));
        }
        pick -= weight;
    }
    unreachable!("the weights cover every pick")
}

/// Writes `count` synthetic agencies with one partnership each. Returns the number written.
pub async fn generate(dataset: &Dataset, count: usize, seed: u64) -> Result<usize, ServiceError> {
    let mut rng = Rng::new(seed);
    let mut w = dataset.begin("synthetic").await?;
    let meta = Meta::new(w.at());
    let source = Record::Source(Source {
        id: 0,
        url: format!("urn:ring-partnerships:synthetic:{seed}"),
        title: "Synthetic benchmark data (not real agencies)".into(),
        publisher: Some("ring-partnerships".into()),
        published: None,
        accessed: None,
        archived_url: None,
        kind: SourceKind::Other,
        meta: meta.clone(),
    });
    let none = Reason {
        kind: ChangeKind::Created,
        note: Some("synthetic data for benchmarks"),
        sources: &[],
    };
    let source_id = match w.create(source, none).await? {
        Record::Source(s) => s.id,
        _ => unreachable!("create returns the record it was given"),
    };
    let cited = [source_id];
    let why = Reason {
        sources: &cited,
        ..none
    };
    let first = Date::from_calendar_date(2018, Month::March, 1).unwrap_or(Date::MIN);
    for i in 0..count {
        let (state, lat, lon) = position(&mut rng);
        let id = format!("synthetic-{seed}-{i:07}");
        let agency = Record::Agency(Agency {
            id: id.clone(),
            name: format!("Synthetic Agency {i}"),
            agency_type: if i % 7 == 0 {
                AgencyType::Sheriff
            } else {
                AgencyType::Police
            },
            jurisdiction_type: if i % 7 == 0 {
                JurisdictionType::County
            } else {
                JurisdictionType::Municipal
            },
            ori: None,
            city: Some(format!("Synthetic City {i}")),
            county: None,
            state: state.parse().map_err(|_| {
                ServiceError::Store(crate::store::StoreError::Custom(format!(
                    "bad state {state}"
                )))
            })?,
            country: "US".into(),
            latitude: Some((lat * 1e5).round() / 1e5),
            longitude: Some((lon * 1e5).round() / 1e5),
            location_precision: Some(LocationPrecision::Place),
            location_basis: None,
            location_source: Some("synthetic".into()),
            quality_flags: Vec::new(),
            external_ids: [("synthetic".to_string(), i.to_string())].into(),
            notes: None,
            meta: meta.clone(),
        });
        w.create(agency, why).await?;
        let start = first + Duration::days((rng.next_u64() % 900) as i64);
        let partnership = Record::Partnership(Partnership {
            id: 0,
            agency_id: id,
            program_id: RING_PROGRAM_ID.into(),
            status: Status::Active,
            start: Some(PartialDate::day(start)),
            end: None,
            video_requests: vec![],
            external_ids: [("synthetic".to_string(), i.to_string())].into(),
            notes: None,
            last_confirmed: None,
            last_confirmed_source: None,
            meta: meta.clone(),
        });
        w.create(partnership, why).await?;
    }
    dataset.commit(w).await?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_positions() {
        let a: Vec<_> = (0..5)
            .map({
                let mut r = Rng::new(7);
                move |_| position(&mut r)
            })
            .collect();
        let b: Vec<_> = (0..5)
            .map({
                let mut r = Rng::new(7);
                move |_| position(&mut r)
            })
            .collect();
        assert_eq!(a, b);
    }

    #[test]
    fn positions_stay_in_range() {
        let mut r = Rng::new(1);
        for _ in 0..10_000 {
            let (_, lat, lon) = position(&mut r);
            assert!((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon));
        }
    }
}
