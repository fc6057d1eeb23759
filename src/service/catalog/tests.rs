//! The catalog's own tests: entries, maintained counts.
use super::*;
use crate::domain::Meta;
use crate::service::fixtures::revision;
use proptest::prelude::*;
use time::macros::datetime;

/// One write of the random log: a partnership or a citation, created, updated or deleted.
#[derive(Clone, Debug)]
enum Write {
    Partnership { id: i64, program: u8, delete: bool },
    Citation { id: i64, source: i64, delete: bool },
}

fn write() -> impl Strategy<Value = Write> {
    prop_oneof![
        (1i64..15, 0u8..3, proptest::bool::weighted(0.3)).prop_map(|(id, program, delete)| {
            Write::Partnership {
                id,
                program,
                delete,
            }
        }),
        (1i64..25, 1i64..5, proptest::bool::weighted(0.3))
            .prop_map(|(id, source, delete)| Write::Citation { id, source, delete }),
    ]
}

fn record(w: &Write) -> (Record, bool) {
    let meta = Meta::new(datetime!(2026-01-01 0:00 UTC));
    match *w {
        Write::Partnership {
            id,
            program,
            delete,
        } => (
            Record::Partnership(Partnership {
                meta,
                ..crate::service::fixtures::partnership(id, "a0000", &format!("p{program}"))
            }),
            delete,
        ),
        Write::Citation { id, source, delete } => (
            Record::Citation(Citation {
                id,
                source_id: source,
                entity_kind: EntityKind::Partnership,
                entity_id: (id % 7).to_string(),
                field: None,
                quote: None,
                meta,
            }),
            delete,
        ),
    }
}

/// The JSON an entry keeps is written once, shared with the spatial index's handle on
/// the same entry, and never outlives its record version: a change brings a new entry.
#[test]
fn an_agency_entry_keeps_its_json_for_its_version_only() {
    use crate::service::fixtures::agency;
    let mut catalog = Catalog::default();
    let a = agency(1, 40.0, -90.0, "WI");
    let id = a.id.clone();
    let created = revision(1, Record::Agency(a.clone()), ChangeKind::Created);
    catalog.apply(&created).unwrap();
    let name = |a: &Agency| a.name.clone().into_bytes();
    assert_eq!(catalog.agencies[&id].json(name), a.name.as_bytes());
    assert_eq!(
        catalog.agencies[&id].json(|_| b"again".to_vec()),
        a.name.as_bytes()
    );
    let in_index = catalog.agency_index().unwrap().keys().next().unwrap();
    assert_eq!(
        in_index.agency.json(|_| b"again".to_vec()),
        a.name.as_bytes()
    );
    let mut renamed = a;
    renamed.name = "Renamed".into();
    let updated = revision(2, Record::Agency(renamed), ChangeKind::Updated);
    catalog.apply(&updated).unwrap();
    assert_eq!(catalog.agencies[&id].json(name), b"Renamed");
    let in_index = catalog.agency_index().unwrap().keys().next().unwrap();
    assert_eq!(in_index.agency.json(|_| b"again".to_vec()), b"Renamed");
}

proptest! {
    /// The counts kept in step with every change equal a recount of the records, after
    /// any sequence of creations, moves between programs and sources, and deletions.
    #[test]
    fn maintained_counts_equal_a_recount(writes in proptest::collection::vec(write(), 0..80)) {
        let mut catalog = Catalog::default();
        for (seq, w) in writes.iter().enumerate() {
            let (r, delete) = record(w);
            let kind = if delete { ChangeKind::Deleted } else { ChangeKind::Updated };
            catalog.apply(&revision(seq as i64 + 1, r, kind)).unwrap();
            // Every version, not only the last: the counts are what a reader sees.
            for program in ["p0", "p1", "p2", "p9"] {
                let recount = catalog.partnerships.values().filter(|p| p.program_id == program).count();
                prop_assert_eq!(catalog.partnership_count(program), recount as u64);
            }
            for source in 0..6 {
                let scan: Vec<i64> = catalog.citations.values().filter(|c| c.source_id == source).map(|c| c.id).collect();
                let (count, first) = catalog.cited_by(source, 3);
                prop_assert_eq!(count, scan.len() as u64);
                prop_assert_eq!(first.iter().map(|c| c.id).collect::<Vec<_>>(), scan.iter().copied().take(3).collect::<Vec<_>>());
            }
        }
    }
}
