//! The counts the catalog keeps in step with every write (a program's partnerships, a
//! source's citations, the partnerships each source confirms and the newest day it does, an
//! agency's partnerships) and the totals `ListCache` keeps per version, against a recount of
//! the records after random writes; and the same log folded at start-up keeps the same ones.

use super::catalog::Catalog;
use super::fixtures::{agency, revision};
use super::list_cache::ListCache;
use super::listing::{
    AgencyFilter, AgencySortField, PageRequest, PartnershipFilter, PartnershipSortField, Sort,
};
use crate::domain::{Agency, ChangeKind, Citation, EntityKind, Meta, Partnership, Record};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use time::macros::{date, datetime};

/// A write to a small dataset: records (re)written or deleted, with ids from small ranges so
/// that writes often replace or delete an earlier record.
#[derive(Clone, Debug)]
enum Write {
    Agency {
        i: usize,
        state: usize,
    },
    DeleteAgency {
        i: usize,
    },
    Partnership {
        id: i64,
        agency: usize,
        program: usize,
        confirmed: Option<(usize, usize)>,
    },
    DeletePartnership {
        id: i64,
    },
    Citation {
        id: i64,
        source: i64,
        partnership: i64,
    },
    DeleteCitation {
        id: i64,
    },
}

const STATES: [&str; 3] = ["WI", "MN", "CA"];
const PROGRAMS: [&str; 3] = ["p0", "p1", "p2"];
const DAYS: [time::Date; 3] = [
    date!(2019 - 01 - 01),
    date!(2020 - 10 - 07),
    date!(2024 - 05 - 31),
];

fn write() -> impl Strategy<Value = Write> {
    prop_oneof![
        (0usize..6, 0usize..3).prop_map(|(i, state)| Write::Agency { i, state }),
        (0usize..6).prop_map(|i| Write::DeleteAgency { i }),
        (
            1i64..14,
            0usize..6,
            0usize..3,
            proptest::option::of((1usize..4, 0usize..3))
        )
            .prop_map(|(id, agency, program, confirmed)| Write::Partnership {
                id,
                agency,
                program,
                confirmed
            }),
        (1i64..14).prop_map(|id| Write::DeletePartnership { id }),
        (1i64..12, 1i64..4, 1i64..14).prop_map(|(id, source, partnership)| Write::Citation {
            id,
            source,
            partnership
        }),
        (1i64..12).prop_map(|id| Write::DeleteCitation { id }),
    ]
}

fn partnership(
    id: i64,
    agency: usize,
    program: usize,
    confirmed: Option<(usize, usize)>,
) -> Partnership {
    Partnership {
        last_confirmed: confirmed.map(|(_, day)| DAYS[day]),
        last_confirmed_source: confirmed.map(|(source, _)| source as i64),
        ..super::fixtures::partnership(id, &format!("a{agency:04}"), PROGRAMS[program])
    }
}

/// The revision a write makes of `c`, or none (a delete of what is not there).
fn revision_of(c: &Catalog, seq: i64, w: &Write) -> Option<crate::store::StoredRevision> {
    let (record, kind) = match w {
        Write::Agency { i, state } => (
            // The state moves the agency too, and CA's are unplaced: the spatial index
            // follows moves and agencies that lose or gain their position.
            Record::Agency(Agency {
                latitude: (*state < 2).then_some(40.0 + *i as f64 + *state as f64 / 10.0),
                ..agency(*i, 40.0 + *i as f64, -90.0, STATES[*state])
            }),
            ChangeKind::Amended,
        ),
        Write::DeleteAgency { i } => (
            Record::Agency((**c.agencies.get(&format!("a{i:04}"))?).clone()),
            ChangeKind::Deleted,
        ),
        Write::Partnership {
            id,
            agency,
            program,
            confirmed,
        } => (
            Record::Partnership(partnership(*id, *agency, *program, *confirmed)),
            ChangeKind::Amended,
        ),
        Write::DeletePartnership { id } => (
            Record::Partnership((**c.partnerships.get(id)?).clone()),
            ChangeKind::Deleted,
        ),
        Write::Citation {
            id,
            source,
            partnership,
        } => (
            Record::Citation(Citation {
                id: *id,
                source_id: *source,
                entity_kind: EntityKind::Partnership,
                entity_id: partnership.to_string(),
                field: None,
                quote: None,
                meta: Meta::new(datetime!(2026-01-01 0:00 UTC)),
            }),
            ChangeKind::Amended,
        ),
        Write::DeleteCitation { id } => (
            Record::Citation((**c.citations.get(id)?).clone()),
            ChangeKind::Deleted,
        ),
    };
    Some(revision(seq, record, kind))
}

/// Every kept count of `c` equals a recount of its records.
fn counts_equal_a_recount(c: &Catalog, lists: &ListCache) -> Result<(), TestCaseError> {
    for program in PROGRAMS {
        let n = c
            .partnerships
            .values()
            .filter(|p| p.program_id == program)
            .count();
        prop_assert_eq!(
            c.partnership_count(program),
            n as u64,
            "partnerships of {}",
            program
        );
    }
    for source in 0..5 {
        let cites: Vec<i64> = c
            .citations
            .values()
            .filter(|x| x.source_id == source)
            .map(|x| x.id)
            .collect();
        let (n, first) = c.cited_by(source, 2);
        prop_assert_eq!(n, cites.len() as u64, "citations of source {}", source);
        let first: Vec<i64> = first.iter().map(|x| x.id).collect();
        prop_assert_eq!(
            &first[..],
            &cites[..cites.len().min(2)],
            "first citations of source {}",
            source
        );
    }
    // Coverage: for each source of newest evidence (none: no date recorded), how many
    // partnerships and the newest day.
    let mut want: BTreeMap<Option<i64>, (u64, Option<time::Date>)> = BTreeMap::new();
    for p in c.partnerships.values() {
        let e = want.entry(p.last_confirmed_source).or_default();
        e.0 += 1;
        e.1 = e.1.max(p.last_confirmed);
    }
    let got: BTreeMap<Option<i64>, (u64, Option<time::Date>)> = c
        .coverage()
        .iter()
        .map(|v| (v.source_id, (v.partnerships, v.last_confirmed)))
        .collect();
    prop_assert_eq!(got, want, "coverage");
    for i in 0..6 {
        let id = format!("a{i:04}");
        let want: Vec<i64> = c
            .partnerships
            .values()
            .filter(|p| p.agency_id == id)
            .map(|p| p.id)
            .collect();
        let got: Vec<i64> = c.partnerships_of(&id).iter().map(|p| p.id).collect();
        prop_assert_eq!(got, want, "partnerships of {}", id);
    }
    // The spatial index holds every placed agency once, as the catalog has it now, with its
    // partnerships as they are now (the very entries, so their kept JSON is shared).
    if let Some(index) = c.agency_index() {
        let mut placed: Vec<&str> = index.keys().map(|p| p.agency.id.as_str()).collect();
        placed.sort_unstable();
        let want: Vec<&str> = c
            .agencies
            .values()
            .filter(|a| crate::service::catalog::position(a).is_some())
            .map(|a| a.id.as_str())
            .collect();
        prop_assert_eq!(placed, want, "agencies in the index");
        for p in index.keys() {
            let a = &c.agencies[&p.agency.id];
            prop_assert!(Arc::ptr_eq(p.agency.record(), a.record()), "{}", a.id);
            let got: Vec<&Arc<crate::domain::Partnership>> =
                p.partnerships.iter().map(|(_, e)| e.record()).collect();
            let ids: Vec<i64> = p.partnerships.iter().map(|(id, _)| *id).collect();
            let want_ids: Vec<i64> = p.partnerships.iter().map(|(_, e)| e.id).collect();
            prop_assert_eq!(ids, want_ids, "ids beside the partnerships of {}", a.id);
            let of = c.partnerships_of(&a.id);
            let want: Vec<&Arc<crate::domain::Partnership>> =
                of.iter().map(|e| e.record()).collect();
            prop_assert_eq!(
                got.len(),
                want.len(),
                "partnerships of {} in the index",
                a.id
            );
            for (g, w) in got.iter().zip(&want) {
                prop_assert!(
                    Arc::ptr_eq(g, w),
                    "partnership {} of {} in the index",
                    w.id,
                    a.id
                );
            }
        }
    }
    // Totals, kept per version: unfiltered and by state.
    let counted = PageRequest {
        limit: 1,
        cursor: None,
        count: true,
        unbounded: false,
    };
    for state in std::iter::once(None).chain(STATES.iter().map(|s| Some(s.parse().unwrap()))) {
        let states: Vec<crate::domain::StateCode> = state.into_iter().collect();
        let in_state = |a: Option<&crate::domain::Agency>| {
            states.is_empty() || a.is_some_and(|a| states.contains(&a.state))
        };
        let filter = AgencyFilter {
            states: states.clone(),
            ..Default::default()
        };
        let page = lists
            .agencies(
                c,
                &filter,
                Sort {
                    field: AgencySortField::Id,
                    descending: false,
                },
                &counted,
            )
            .unwrap();
        let want = c.agencies.values().filter(|a| in_state(Some(a))).count();
        prop_assert_eq!(page.total, Some(want), "agencies in {:?}", states);
        let filter = PartnershipFilter {
            states: states.clone(),
            ..Default::default()
        };
        let page = lists
            .partnerships(
                c,
                &filter,
                Sort {
                    field: PartnershipSortField::Id,
                    descending: false,
                },
                &counted,
            )
            .unwrap();
        let want = c
            .partnerships
            .values()
            .filter(|p| in_state(c.agencies.get(&p.agency_id).map(|a| &**a)))
            .count();
        prop_assert_eq!(page.total, Some(want), "partnerships in {:?}", states);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// After every write of a random sequence, each kept count equals a recount (the totals
    /// asked at every version, so a stale one would show); at the end the log folded at
    /// start-up keeps the same counts.
    #[test]
    fn kept_counts_equal_a_recount_after_random_writes(
        writes in proptest::collection::vec(write(), 1..50),
    ) {
        let mut c = Catalog::default();
        let lists = ListCache::default();
        let mut log = Vec::new();
        for w in &writes {
            let Some(rev) = revision_of(&c, log.len() as i64 + 1, w) else {
                continue;
            };
            c.apply(&rev).unwrap();
            log.push(rev);
            counts_equal_a_recount(&c, &lists)?;
        }
        let folded = Catalog::from_revisions(log).unwrap();
        counts_equal_a_recount(&folded, &ListCache::default())?;
    }
}
