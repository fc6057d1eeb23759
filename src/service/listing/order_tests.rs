//! Property tests of the walks that read the catalog's indexes and orders: the ids by tag
//! (state, quality flag) kept in step with random edits and built at start-up alike, state
//! and flag pages against a scan (`Strategy::ByTag`), and lists sorted by a field read from
//! its order (`listing::ordered`) against the sorted request, cursors shared.

use super::property_tests::{point, walk};
use crate::service::catalog::Catalog;
use crate::service::fixtures::catalog;
use crate::service::listing::{
    self, AGENCY_SORTS, AgencyFilter, AgencySortField, PARTNERSHIP_SORTS, PartnershipFilter,
    PartnershipSortField, Sort,
};
use proptest::prelude::*;

/// A change to a small dataset: an agency (re)written in a state with some quality flags, a
/// partnership (re)written for an agency, or a partnership deleted.
#[derive(Clone, Debug)]
enum TagEdit {
    Agency {
        i: usize,
        state: usize,
        flags: Vec<usize>,
    },
    Partnership {
        id: i64,
        agency: usize,
    },
    DeletePartnership {
        id: i64,
    },
}

const STATES: [&str; 3] = ["WI", "MN", "CA"];
const FLAGS: [crate::domain::QualityFlag; 3] = [
    crate::domain::QualityFlag::CountyNotFound,
    crate::domain::QualityFlag::LocationCountyFallback,
    crate::domain::QualityFlag::LocationStateFallback,
];

fn tag_edit() -> impl Strategy<Value = TagEdit> {
    prop_oneof![
        (
            0usize..8,
            0usize..3,
            proptest::collection::vec(0usize..3, 0..3)
        )
            .prop_map(|(i, state, flags)| TagEdit::Agency { i, state, flags }),
        (1i64..16, 0usize..8).prop_map(|(id, agency)| TagEdit::Partnership { id, agency }),
        (1i64..16).prop_map(|id| TagEdit::DeletePartnership { id }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// After any edits, the catalog's ids by tag (state, quality flag) are what a recount
    /// finds, and a state or flag filter read in id order (`Strategy::ByTag`), page by page
    /// either way, gives exactly the rows a scan gives.
    #[test]
    fn ids_by_tag_follow_every_edit_and_tag_pages_equal_a_scan(
        edits in proptest::collection::vec(tag_edit(), 1..60),
        wanted_states in proptest::collection::vec(0usize..3, 0..3),
        wanted_flags in proptest::collection::vec(0usize..3, 1..3),
        limit in 1usize..6,
    ) {
        use crate::domain::{Agency, ChangeKind, Partnership, Record};
        use crate::service::tags::Tag;
        use crate::service::fixtures::{agency, revision};
        let template = catalog(&[(40.0, -90.0)]).partnerships.get(&1).map(|p| (**p).clone()).unwrap();
        let partnership = |id: i64, agency: usize| Partnership {
            id,
            agency_id: format!("a{agency:04}"),
            ..template.clone()
        };
        let mut c = Catalog::default();
        let mut log = Vec::new();
        let mut seq = 0;
        for e in &edits {
            seq += 1;
            let rev = match e {
                TagEdit::Agency { i, state, flags } => {
                    let mut a = agency(*i, 40.0 + *i as f64, -90.0, STATES[*state]);
                    a.quality_flags = flags.iter().map(|&f| FLAGS[f]).collect();
                    a.quality_flags.sort_unstable();
                    a.quality_flags.dedup();
                    revision(seq, Record::Agency(a), ChangeKind::Amended)
                }
                TagEdit::Partnership { id, agency } => revision(
                    seq,
                    Record::Partnership(partnership(*id, *agency)),
                    ChangeKind::Amended,
                ),
                TagEdit::DeletePartnership { id } => {
                    let Some(p) = c.partnerships.get(id).map(|p| (**p).clone()) else {
                        continue;
                    };
                    revision(seq, Record::Partnership(p), ChangeKind::Deleted)
                }
            };
            c.apply(&rev).unwrap();
            log.push(rev);
        }
        // The same log folded at start-up (the ids by tag built once at the end).
        let folded = Catalog::from_revisions(log).unwrap();
        let tags = STATES
            .iter()
            .map(|s| Tag::State(s.parse().unwrap()))
            .chain(FLAGS.iter().map(|f| Tag::Flag(*f)));
        for tag in tags {
            let has = |a: &Agency| Tag::of(a).any(|t| t == tag);
            let agencies: Vec<String> =
                c.agencies.values().filter(|a| has(a)).map(|a| a.id.clone()).collect();
            let indexed: Vec<String> =
                c.agencies_tagged(tag).map(|s| s.iter().cloned().collect()).unwrap_or_default();
            prop_assert_eq!(indexed, agencies, "agencies under {:?}", tag);
            let partnerships: Vec<i64> = c
                .partnerships
                .values()
                .filter(|p| c.agencies.get(&p.agency_id).is_some_and(|a| has(a)))
                .map(|p| p.id)
                .collect();
            let indexed: Vec<i64> =
                c.partnerships_tagged(tag).map(|s| s.iter().copied().collect()).unwrap_or_default();
            prop_assert_eq!(&indexed, &partnerships, "partnerships under {:?}", tag);
            let at_start: Vec<i64> =
                folded.partnerships_tagged(tag).map(|s| s.iter().copied().collect()).unwrap_or_default();
            prop_assert_eq!(at_start, partnerships, "partnerships under {:?}, folded at start-up", tag);
            let at_start: Vec<String> =
                folded.agencies_tagged(tag).map(|s| s.iter().cloned().collect()).unwrap_or_default();
            let agencies: Vec<String> =
                c.agencies.values().filter(|a| has(a)).map(|a| a.id.clone()).collect();
            prop_assert_eq!(at_start, agencies, "agencies under {:?}, folded at start-up", tag);
        }
        let states: Vec<crate::domain::StateCode> =
            wanted_states.iter().map(|&i| STATES[i].parse().unwrap()).collect();
        let flags: Vec<crate::domain::QualityFlag> = wanted_flags.iter().map(|&i| FLAGS[i]).collect();
        let wanted = |a: &Agency| {
            (states.is_empty() || states.contains(&a.state))
                && flags.iter().any(|f| a.quality_flags.contains(f))
        };
        for descending in [false, true] {
            let filter = AgencyFilter {
                states: states.clone(),
                quality_flags: flags.clone(),
                ..Default::default()
            };
            let sort = Sort { field: AgencySortField::Id, descending };
            let pages = walk(Some(limit), |req| listing::agencies(&c, &filter, sort, req).unwrap(), |h| (h.item.id.clone(), None));
            let mut scan: Vec<(String, Option<f64>)> =
                c.agencies.values().filter(|a| wanted(a)).map(|a| (a.id.clone(), None)).collect();
            if descending {
                scan.reverse();
            }
            prop_assert_eq!(&pages, &scan, "agencies desc={}", descending);

            let filter = PartnershipFilter {
                states: states.clone(),
                agency_quality_flags: flags.clone(),
                ..Default::default()
            };
            let sort = Sort { field: PartnershipSortField::Id, descending };
            let pages = walk(Some(limit), |req| listing::partnerships(&c, &filter, sort, req).unwrap(), |h| (h.item.id.to_string(), None));
            let mut scan: Vec<(String, Option<f64>)> = c
                .partnerships
                .values()
                .filter(|p| c.agencies.get(&p.agency_id).is_some_and(|a| wanted(a)))
                .map(|p| (p.id.to_string(), None))
                .collect();
            if descending {
                scan.reverse();
            }
            prop_assert_eq!(&pages, &scan, "partnerships desc={}", descending);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// A list sorted by a field, read from that field's order (`listing::ordered`), gives
    /// the rows of one unbounded sorted request, page by page either way; its cursors and
    /// `listing`'s are the same, so pages may alternate between the two.
    #[test]
    fn ordered_pages_equal_the_sorted_request_and_share_its_cursors(
        points in proptest::collection::vec(point(), 1..60),
        limit in 1usize..9,
        flag_some in any::<bool>(),
    ) {
        use crate::service::listing::ordered;
        let mut c = catalog(&points);
        if flag_some {
            // Some agencies flagged, so a filter keeps part of the rows.
            let ids: Vec<String> = c.agencies.keys().step_by(3).cloned().collect();
            for (seq, id) in ids.iter().enumerate() {
                let mut a = (**c.agencies.get(id).unwrap()).clone();
                a.quality_flags = vec![crate::domain::QualityFlag::CountyNotFound];
                let rev = crate::service::fixtures::revision(
                    1_000 + seq as i64,
                    crate::domain::Record::Agency(a),
                    crate::domain::ChangeKind::Amended,
                );
                c.apply(&rev).unwrap();
            }
        }
        let flags = if flag_some { vec![crate::domain::QualityFlag::CountyNotFound] } else { vec![] };
        for &(name, field) in AGENCY_SORTS {
            if matches!(field, AgencySortField::Id | AgencySortField::Distance) {
                continue;
            }
            let order = ordered::agency_order(&c, field);
            for descending in [false, true] {
                let sort = Sort { field, descending };
                let filter = AgencyFilter { quality_flags: flags.clone(), ..Default::default() };
                prop_assert!(ordered::agencies_use_order(&filter, sort));
                let want = walk(None, |req| listing::agencies(&c, &filter, sort, req).unwrap(), |h| (h.item.id.clone(), None));
                let mut turn = 0;
                let got = walk(Some(limit), |req| {
                    turn += 1;
                    if turn % 2 == 0 {
                        listing::agencies(&c, &filter, sort, req).unwrap()
                    } else {
                        ordered::agencies(&c, &filter, sort, req, &order).unwrap()
                    }
                }, |h| (h.item.id.clone(), None));
                prop_assert_eq!(&got, &want, "agencies by {} desc={}", name, descending);
            }
        }
        for &(name, field) in PARTNERSHIP_SORTS {
            if matches!(field, PartnershipSortField::Id | PartnershipSortField::Distance) {
                continue;
            }
            let order = ordered::partnership_order(&c, field);
            for descending in [false, true] {
                let sort = Sort { field, descending };
                let filter = PartnershipFilter { agency_quality_flags: flags.clone(), ..Default::default() };
                let want = walk(None, |req| listing::partnerships(&c, &filter, sort, req).unwrap(), |h| (h.item.id.to_string(), None));
                let mut turn = 0;
                let got = walk(Some(limit), |req| {
                    turn += 1;
                    if turn % 2 == 0 {
                        listing::partnerships(&c, &filter, sort, req).unwrap()
                    } else {
                        ordered::partnerships(&c, &filter, sort, req, &order).unwrap()
                    }
                }, |h| (h.item.id.to_string(), None));
                prop_assert_eq!(&got, &want, "partnerships by {} desc={}", name, descending);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A `q` search read from the trigram index (`listing::text`) gives the rows of the
    /// request read without it, for every sort either way, page by page, with a count, and
    /// with cursors shared between the two: names and queries from a few letters, so that
    /// queries often match part of a name, a city, across a space, or nothing.
    #[test]
    fn text_index_pages_equal_the_unindexed_request(
        points in proptest::collection::vec(point(), 1..40),
        names in proptest::collection::vec("[abé ]{0,7}", 40),
        cities in proptest::collection::vec(proptest::option::of("[ab ]{0,5}"), 40),
        q in "[abé ]{1,4}",
        limit in 1usize..9,
    ) {
        use crate::service::listing::text::{self, TextIndex};
        use crate::service::paging::PageRequest;
        let mut c = catalog(&points);
        let ids: Vec<String> = c.agencies.keys().cloned().collect();
        for (seq, id) in ids.iter().enumerate() {
            let mut a = (**c.agencies.get(id).unwrap()).clone();
            a.name = names[seq].clone();
            a.city = cities[seq].clone();
            let rev = crate::service::fixtures::revision(
                1_000 + seq as i64,
                crate::domain::Record::Agency(a),
                crate::domain::ChangeKind::Amended,
            );
            c.apply(&rev).unwrap();
        }
        let index = TextIndex::build(&c);
        let q = Some(listing::fold(&q));
        let counted = PageRequest { limit: 1, cursor: None, count: true, unbounded: false };
        for &(name, field) in AGENCY_SORTS {
            for descending in [false, true] {
                let sort = Sort { field, descending };
                let filter = AgencyFilter { q: q.clone(), ..Default::default() };
                let want = walk(None, |req| listing::agencies(&c, &filter, sort, req).unwrap(), |h| (h.item.id.clone(), None));
                let mut turn = 0;
                let got = walk(Some(limit), |req| {
                    turn += 1;
                    match text::agencies(&c, &filter, sort, req, &index) {
                        Some(page) if turn % 2 == 1 => page.unwrap(),
                        _ => listing::agencies(&c, &filter, sort, req).unwrap(),
                    }
                }, |h| (h.item.id.clone(), None));
                prop_assert_eq!(&got, &want, "agencies q={:?} by {} desc={}", q, name, descending);
                if let Some(page) = text::agencies(&c, &filter, sort, &counted, &index) {
                    prop_assert_eq!(page.unwrap().total, Some(want.len()));
                }
            }
        }
        for &(name, field) in PARTNERSHIP_SORTS {
            for descending in [false, true] {
                let sort = Sort { field, descending };
                let filter = PartnershipFilter { q: q.clone(), ..Default::default() };
                let want = walk(None, |req| listing::partnerships(&c, &filter, sort, req).unwrap(), |h| (h.item.id.to_string(), None));
                let mut turn = 0;
                let got = walk(Some(limit), |req| {
                    turn += 1;
                    match text::partnerships(&c, &filter, sort, req, &index) {
                        Some(page) if turn % 2 == 1 => page.unwrap(),
                        _ => listing::partnerships(&c, &filter, sort, req).unwrap(),
                    }
                }, |h| (h.item.id.to_string(), None));
                prop_assert_eq!(&got, &want, "partnerships q={:?} by {} desc={}", q, name, descending);
                if let Some(page) = text::partnerships(&c, &filter, sort, &counted, &index) {
                    prop_assert_eq!(page.unwrap().total, Some(want.len()));
                }
            }
        }
    }
}
