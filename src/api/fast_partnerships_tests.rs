use super::*;
use crate::domain::{ChangeKind, Meta, Phase, Program, Record, Status, VideoRequestCount};
use crate::service::fixtures;
use poem_openapi::types::{Example, ToJSON};
use time::macros::{date, datetime};

/// Partnerships of every shape: dates at each precision and ranges, ended ones, video
/// requests, ids, notes that need escaping, one whose agency and one whose program the
/// catalog lacks; a program with phases, so `active_on` adds certainty, footage and phase.
fn catalog() -> Catalog {
    let meta = Meta::new(datetime!(2026-01-01 0:00:00.5 UTC));
    let mut records = vec![
        Record::Agency(fixtures::agency(1, 43.0, -88.0, "WI")),
        Record::Agency(fixtures::agency(2, 40.0, -95.0, "KS")),
        Record::Program(Program {
            id: "p".into(),
            vendor: "Ring \"Amazon\"".into(),
            name: "Neighbors".into(),
            description: None,
            start: Some("2018-03".parse().unwrap()),
            end: Some("2024-01-24".parse().unwrap()),
            meta: meta.clone(),
        }),
    ];
    for (i, (start, end, footage, condition)) in [
        ("2018-03", Some("2021-06"), true, None),
        ("2021-06", None, true, Some("Axon Evidence users")),
    ]
    .into_iter()
    .enumerate()
    {
        records.push(Record::Phase(Phase {
            id: format!("ph{i}"),
            program_id: "p".into(),
            name: format!("Phase {i}"),
            description: None,
            status: Status::Ended,
            start: Some(start.parse().unwrap()),
            end: end.map(|e| e.parse().unwrap()),
            footage_requests: footage,
            footage_condition: condition.map(str::to_string),
            meta: meta.clone(),
        }));
    }
    let dates = [
        (None, None),
        (Some("2019-05-02"), None),
        (Some("2019-05"), Some("2022")),
        (Some("2019"), Some("2020-10-08/2021-03-01")),
        (Some("2020-10-08/2021-03-01"), Some("2023-02-28")),
    ];
    for (i, (start, end)) in dates.into_iter().enumerate() {
        for (agency, program) in [
            ("a0001", "p"),
            ("a0002", "p"),
            ("gone", "p"),
            ("a0001", "x"),
        ] {
            let id = (records.len() + 1) as i64;
            records.push(Record::Partnership(domain::Partnership {
                id,
                agency_id: agency.into(),
                program_id: program.into(),
                status: if end.is_some() {
                    Status::Ended
                } else {
                    Status::Active
                },
                start: start.map(|d| d.parse().unwrap()),
                end: end.map(|d| d.parse().unwrap()),
                video_requests: (i % 2 == 1)
                    .then(|| VideoRequestCount {
                        from: "2019".parse().unwrap(),
                        to: (i == 3).then(|| "2020-06".parse().unwrap()),
                        count: 12,
                    })
                    .into_iter()
                    .collect(),
                external_ids: (i % 2 == 0)
                    .then(|| ("aos".to_string(), format!("AOS{id}")))
                    .into_iter()
                    .collect(),
                notes: (i == 2).then(|| "line\nbreak \"quoted\" \u{e9}".into()),
                last_confirmed: (i > 1).then_some(date!(2020 - 10 - 07)),
                last_confirmed_source: (i > 1).then_some(1),
                meta: meta.clone(),
            }));
        }
    }
    Catalog::from_revisions(
        records
            .into_iter()
            .enumerate()
            .map(|(i, r)| fixtures::revision(i as i64 + 1, r, ChangeKind::Created)),
    )
    .unwrap()
}

/// The page as the DTOs write it, the way the handler built it before the fast path.
fn by_dto(
    catalog: &Catalog,
    hits: &[Row<'_>],
    day: Option<Date>,
    next: Option<&str>,
    total: Option<u64>,
    meta: &ListMeta,
) -> PartnershipList {
    PartnershipList {
        data: hits
            .iter()
            .map(|(p, distance_m)| {
                let p = p.as_partnership();
                let row = dto::Partnership {
                    distance_m: *distance_m,
                    ..dto::Partnership::build(p, catalog)
                };
                match day {
                    Some(d) => row.on_day(p, catalog, d),
                    None => row,
                }
            })
            .collect(),
        next: next.map(str::to_string),
        total,
        meta: meta.clone(),
    }
}

#[test]
fn kept_partnership_pages_write_what_the_dtos_write() {
    let catalog = catalog();
    let meta = PartnershipList::example().meta;
    // Each with its agency, as the list's walks find it (none for the one the catalog lacks).
    let all: Vec<WithAgency> = catalog
        .partnerships
        .values()
        .map(|partnership| WithAgency {
            partnership,
            agency: catalog.agencies.get(&partnership.agency_id),
        })
        .collect();
    assert_eq!(all.len(), 20);
    let distances = [None, Some(0.0), Some(1e-7), Some(12_345.678)];
    let days = [
        None,
        Some(date!(2017 - 01 - 01)),
        Some(date!(2019 - 05 - 15)),
        Some(date!(2021 - 01 - 01)),
        Some(date!(2022 - 06 - 30)),
        Some(date!(2026 - 12 - 01)),
    ];
    // Twice over: the second time every partnership's kept JSON is read, not written.
    for round in 0..2 {
        for (k, day) in days.into_iter().enumerate() {
            let hits: Vec<Row> = all
                .iter()
                .enumerate()
                .map(|(i, p)| (*p, distances[(i + k) % distances.len()]))
                .collect();
            for (hits, next, total) in [
                (&hits[..], Some("c"), Some(20)),
                (&hits[..0], None, None),
                (&hits[3..4], None, Some(1)),
            ] {
                let want = by_dto(&catalog, hits, day, next, total, &meta);
                let page = partnership_page(&catalog, hits, day, next, total, &meta)
                    .into_body()
                    .unwrap();
                assert_eq!(
                    String::from_utf8(page.clone()).unwrap(),
                    String::from_utf8(serde_json::to_vec(&want).unwrap()).unwrap(),
                    "round {round}, day {day:?}"
                );
                // And what poem-openapi would write for the DTO.
                let got: serde_json::Value = serde_json::from_slice(&page).unwrap();
                assert_eq!(got, want.to_json().unwrap());
            }
        }
    }
    // The pages above carried each of the request's fields, present and absent.
    let rows: Vec<dto::Partnership> = days
        .into_iter()
        .flat_map(|d| {
            let hits: Vec<Row> = all.iter().map(|p| (*p, None)).collect();
            by_dto(&catalog, &hits, d, None, None, &meta).data
        })
        .collect();
    for (field, present) in [
        (
            "active_on_certainty",
            rows.iter()
                .filter(|r| r.active_on_certainty.is_some())
                .count(),
        ),
        (
            "footage_requests",
            rows.iter().filter(|r| r.footage_requests.is_some()).count(),
        ),
        ("phase", rows.iter().filter(|r| r.phase.is_some()).count()),
    ] {
        assert!(
            present > 0 && present < rows.len(),
            "{field}: {present} of {}",
            rows.len()
        );
    }
}
