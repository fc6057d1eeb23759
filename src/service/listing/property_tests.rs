//! Property tests of the agency and partnership lists, whichever walk (`Strategy`) a request
//! takes: geographic queries against a brute-force filter over every record (random
//! centres, radii, boxes and polygons), pages of any size over the live catalog and a
//! shared copy against one sorted request, and named geographic edge cases.

use crate::domain::EntityKind;
use crate::geo::{BBox, LatLon, Near, Region, parse_polygon};
use crate::service::catalog::{Catalog, position};
use crate::service::fixtures::catalog;
use crate::service::listing::{
    self, AGENCY_SORTS, AgencyFilter, AgencySortField, GeoFilter, PARTNERSHIP_SORTS, PageRequest,
    PartnershipFilter, PartnershipSortField, Sort,
};
use proptest::prelude::*;

/// Every id (with distance) the API would return, walking all pages.
fn walk_agencies(
    c: &Catalog,
    geo: &GeoFilter,
    sort: Sort<AgencySortField>,
    limit: usize,
) -> Vec<(String, Option<f64>)> {
    let filter = AgencyFilter {
        geo: geo.clone(),
        ..Default::default()
    };
    let mut out = vec![];
    let mut cursor = None;
    loop {
        let req = PageRequest {
            limit,
            cursor: cursor.clone(),
            count: false,
            unbounded: false,
        };
        let page = listing::agencies(c, &filter, sort, &req).unwrap();
        out.extend(page.items.iter().map(|h| (h.item.id.clone(), h.distance_m)));
        assert!(
            out.len() <= c.agencies.len(),
            "paging repeats itself: {out:?}"
        );
        match page.next {
            Some(n) => cursor = Some(n),
            None => return out,
        }
    }
}

fn brute_force(c: &Catalog, geo: &GeoFilter) -> Vec<(String, Option<f64>)> {
    let mut hits: Vec<(String, Option<f64>)> = c
        .agencies
        .values()
        .filter_map(|a| {
            let at = position(a)?;
            let d = geo.near.map(|n| n.center.distance_m(&at));
            let ok = geo
                .near
                .and_then(|n| n.radius_m)
                .is_none_or(|r| d.unwrap() <= r)
                && geo.bbox.is_none_or(|b| b.contains(&at))
                && geo.within.as_ref().is_none_or(|w| w.contains(&at));
            ok.then(|| (a.id.clone(), d))
        })
        .collect();
    hits.sort_by(|x, y| {
        x.1.unwrap_or(0.0)
            .total_cmp(&y.1.unwrap_or(0.0))
            .then_with(|| x.0.cmp(&y.0))
    });
    hits
}

fn by_distance() -> Sort<AgencySortField> {
    Sort {
        field: AgencySortField::Distance,
        descending: false,
    }
}

fn by_id() -> Sort<AgencySortField> {
    Sort {
        field: AgencySortField::Id,
        descending: false,
    }
}

fn ids(v: &[(String, Option<f64>)]) -> Vec<String> {
    v.iter().map(|x| x.0.clone()).collect()
}

pub(super) fn point() -> impl Strategy<Value = (f64, f64)> {
    // Snap some coordinates to a coarse grid so exact ties in distance happen, as they do
    // with agencies placed at the same county point.
    (-90.0f64..=90.0, -180.0f64..=180.0, any::<bool>()).prop_map(|(lat, lon, snap)| {
        if snap {
            ((lat / 10.0).round() * 10.0, (lon / 10.0).round() * 10.0)
        } else {
            (lat, lon)
        }
    })
}

fn convex_polygon(lat: f64, lon: f64, r: f64, n: usize) -> Region {
    let mut ring: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let a = i as f64 / n as f64 * std::f64::consts::TAU;
            let x = (lon + r * a.cos()).clamp(-180.0, 180.0);
            let y = (lat + r * a.sin()).clamp(-90.0, 90.0);
            serde_json::json!([x, y])
        })
        .collect();
    ring.push(ring[0].clone());
    // n points and the closing one: exactly at the limit.
    parse_polygon(
        &serde_json::json!({"type": "Polygon", "coordinates": [ring]}),
        n + 1,
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn near_with_radius_equals_brute_force(
        points in proptest::collection::vec(point(), 1..120),
        center in point(),
        radius_km in 0.0f64..6000.0,
        limit in 1usize..40,
    ) {
        let c = catalog(&points);
        let geo = GeoFilter {
            near: Some(Near { center: LatLon::new(center.0, center.1).unwrap(), radius_m: Some(radius_km * 1000.0) }),
            ..Default::default()
        };
        let want = brute_force(&c, &geo);
        prop_assert_eq!(ids(&walk_agencies(&c, &geo, by_distance(), limit)), ids(&want));
        let mut by_id_got = ids(&walk_agencies(&c, &geo, by_id(), limit));
        let mut want_ids = ids(&want);
        want_ids.sort();
        by_id_got.sort();
        prop_assert_eq!(by_id_got, want_ids);
    }

    #[test]
    fn k_nearest_equals_the_first_k_by_brute_force(
        points in proptest::collection::vec(point(), 1..120),
        center in point(),
        k in 1usize..30,
    ) {
        let c = catalog(&points);
        let geo = GeoFilter {
            near: Some(Near { center: LatLon::new(center.0, center.1).unwrap(), radius_m: None }),
            ..Default::default()
        };
        let req = PageRequest { limit: k, cursor: None, count: false, unbounded: false };
        let page = listing::agencies(&c, &AgencyFilter { geo: geo.clone(), ..Default::default() }, by_distance(), &req).unwrap();
        let got: Vec<String> = page.items.iter().map(|h| h.item.id.clone()).collect();
        let want: Vec<String> = ids(&brute_force(&c, &geo)).into_iter().take(k).collect();
        prop_assert_eq!(got, want);
        for h in &page.items {
            let exact = LatLon::new(center.0, center.1).unwrap().distance_m(&position(h.item).unwrap());
            prop_assert_eq!(h.distance_m, Some(exact));
        }
    }

    #[test]
    fn bbox_equals_brute_force(
        points in proptest::collection::vec(point(), 1..120),
        a in point(),
        b in point(),
    ) {
        let c = catalog(&points);
        // Any two corners: min_lon > max_lon makes an antimeridian-crossing box.
        let bbox = BBox { min_lon: a.1, max_lon: b.1, min_lat: a.0.min(b.0), max_lat: a.0.max(b.0) };
        let geo = GeoFilter { bbox: Some(bbox), ..Default::default() };
        let mut want = ids(&brute_force(&c, &geo));
        want.sort();
        prop_assert_eq!(ids(&walk_agencies(&c, &geo, by_id(), 7)), want);
    }

    #[test]
    fn polygon_equals_brute_force(
        points in proptest::collection::vec(point(), 1..120),
        center in (-60.0f64..60.0, -150.0f64..150.0),
        r in 0.5f64..30.0,
        n in 3usize..40,
        near in point(),
    ) {
        let c = catalog(&points);
        let geo = GeoFilter {
            within: Some(convex_polygon(center.0, center.1, r, n)),
            near: Some(Near { center: LatLon::new(near.0, near.1).unwrap(), radius_m: None }),
            ..Default::default()
        };
        let want = brute_force(&c, &geo);
        prop_assert_eq!(ids(&walk_agencies(&c, &geo, by_distance(), 5)), ids(&want));
    }
}

/// Every (id, distance) of a list, page by page (`limit`), or in one unbounded request
/// (`None`) as an export asks for it.
pub(super) fn walk<T>(
    limit: Option<usize>,
    mut page: impl FnMut(&PageRequest) -> listing::Page<T>,
    id: impl Fn(&T) -> (String, Option<f64>),
) -> Vec<(String, Option<f64>)> {
    let mut out = vec![];
    let mut cursor = None;
    loop {
        let req = match limit {
            Some(limit) => PageRequest {
                limit,
                cursor: cursor.clone(),
                count: false,
                unbounded: false,
            },
            None => PageRequest::everything(),
        };
        let p = page(&req);
        out.extend(p.items.iter().map(&id));
        assert!(out.len() < 10_000, "paging repeats itself");
        match p.next {
            Some(n) => cursor = Some(n),
            None => return out,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Pages of any size, over the live catalog (with its spatial index) and over a shared
    /// copy (without one, as exports read it), give exactly the rows of one unbounded, fully
    /// sorted request, in its order: for every sort field, both directions, with and without
    /// `near` and a radius.
    #[test]
    fn pages_and_shared_copies_walk_the_same_rows_as_one_sorted_request(
        points in proptest::collection::vec(point(), 1..90),
        center in point(),
        radius_km in proptest::option::of(0.0f64..8000.0),
        use_near in any::<bool>(),
        limit in 1usize..25,
    ) {
        let live = catalog(&points);
        let copy = live.shared_copy();
        prop_assert!(copy.agency_index().is_none());
        let geo = if use_near {
            near(center.0, center.1, radius_km.map(|r| r * 1000.0))
        } else {
            GeoFilter::default()
        };
        for &(name, field) in AGENCY_SORTS {
            if field == AgencySortField::Distance && !use_near {
                continue;
            }
            for descending in [false, true] {
                let sort = Sort { field, descending };
                let filter = AgencyFilter { geo: geo.clone(), ..Default::default() };
                let list = |c: &Catalog, limit| walk(
                    limit,
                    |req| listing::agencies(c, &filter, sort, req).unwrap(),
                    |h| (h.item.id.clone(), h.distance_m),
                );
                let want = list(&live, None);
                prop_assert_eq!(&list(&live, Some(limit)), &want, "agencies by {} desc={}", name, descending);
                prop_assert_eq!(&list(&copy, Some(limit)), &want, "agencies by {} desc={} (shared copy)", name, descending);
                prop_assert_eq!(&list(&copy, None), &want, "agencies by {} desc={} (shared copy, unbounded)", name, descending);
            }
        }
        for &(name, field) in PARTNERSHIP_SORTS {
            if field == PartnershipSortField::Distance && !use_near {
                continue;
            }
            for descending in [false, true] {
                let sort = Sort { field, descending };
                let filter = PartnershipFilter { geo: geo.clone(), ..Default::default() };
                let list = |c: &Catalog, limit| walk(
                    limit,
                    |req| listing::partnerships(c, &filter, sort, req).unwrap(),
                    |h| (h.item.id.to_string(), h.distance_m),
                );
                let want = list(&live, None);
                prop_assert_eq!(&list(&live, Some(limit)), &want, "partnerships by {} desc={}", name, descending);
                prop_assert_eq!(&list(&copy, Some(limit)), &want, "partnerships by {} desc={} (shared copy)", name, descending);
            }
        }
    }
}

#[test]
fn unbounded_lists_are_fully_sorted() {
    // The reference of the property above, checked against a plain sort: agencies by name,
    // then id.
    let c = catalog(&[(43.0, -88.0); 30]);
    let sort = Sort {
        field: AgencySortField::Name,
        descending: false,
    };
    let got = walk(
        None,
        |req| listing::agencies(&c, &AgencyFilter::default(), sort, req).unwrap(),
        |h| (h.item.id.clone(), None),
    );
    let mut want: Vec<(String, String)> = c
        .agencies
        .values()
        .map(|a| (listing::fold(&a.name), a.id.clone()))
        .collect();
    want.sort();
    assert_eq!(
        ids(&got),
        want.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    );
}

fn near(lat: f64, lon: f64, radius_m: Option<f64>) -> GeoFilter {
    GeoFilter {
        near: Some(Near {
            center: LatLon::new(lat, lon).unwrap(),
            radius_m,
        }),
        ..Default::default()
    }
}

#[test]
fn near_query_across_the_antimeridian_finds_both_sides() {
    // Adak, AK (west of the antimeridian) and a point just east of it.
    let c = catalog(&[(51.88, -176.66), (51.9, 179.9), (40.0, -100.0)]);
    let got = ids(&walk_agencies(
        &c,
        &near(51.9, 179.99, Some(300_000.0)),
        by_distance(),
        10,
    ));
    assert_eq!(got, ["a0001", "a0000"]);
}

#[test]
fn near_the_poles_every_longitude_is_close() {
    let c = catalog(&[(89.9, 0.0), (89.9, 90.0), (89.9, -179.0), (60.0, 0.0)]);
    let got = ids(&walk_agencies(
        &c,
        &near(90.0, 0.0, Some(20_000.0)),
        by_distance(),
        10,
    ));
    assert_eq!(got.len(), 3);
}

#[test]
fn radius_zero_finds_only_points_exactly_at_the_centre() {
    let c = catalog(&[(43.0, -88.0), (43.0, -88.0), (43.0001, -88.0)]);
    let got = ids(&walk_agencies(
        &c,
        &near(43.0, -88.0, Some(0.0)),
        by_distance(),
        10,
    ));
    assert_eq!(got, ["a0000", "a0001"]);
}

#[test]
fn a_point_exactly_on_the_radius_is_included() {
    let c = catalog(&[(43.0, -88.0), (44.0, -88.0)]);
    let center = LatLon::new(43.0, -88.0).unwrap();
    let exactly = center.distance_m(&LatLon::new(44.0, -88.0).unwrap());
    let got = ids(&walk_agencies(
        &c,
        &near(43.0, -88.0, Some(exactly)),
        by_distance(),
        10,
    ));
    assert_eq!(got, ["a0000", "a0001"]);
    let got = ids(&walk_agencies(
        &c,
        &near(43.0, -88.0, Some(exactly - 0.001)),
        by_distance(),
        10,
    ));
    assert_eq!(got, ["a0000"]);
}

#[test]
fn agencies_in_alaska_hawaii_guam_and_puerto_rico_are_found_near_home() {
    let places = [
        (61.2181, -149.9003, "AK"), // Anchorage
        (21.3069, -157.8583, "HI"), // Honolulu
        (13.4443, 144.7937, "GU"),  // Hagåtña
        (18.4655, -66.1057, "PR"),  // San Juan
    ];
    let c = catalog(&places.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>());
    for (i, (lat, lon, _)) in places.iter().enumerate() {
        let got = ids(&walk_agencies(
            &c,
            &near(lat + 0.1, lon + 0.1, Some(50_000.0)),
            by_distance(),
            5,
        ));
        assert_eq!(got, [format!("a{i:04}")]);
    }
    // Guam sits west of the antimeridian: a box crossing it from the Aleutians finds it.
    let geo = GeoFilter {
        bbox: Some(BBox {
            min_lon: 140.0,
            min_lat: 10.0,
            max_lon: -60.0,
            max_lat: 70.0,
        }),
        ..Default::default()
    };
    assert_eq!(ids(&walk_agencies(&c, &geo, by_id(), 10)).len(), 4);
}

#[test]
fn partnerships_follow_their_agency_in_geographic_queries() {
    let c = catalog(&[(43.0, -88.0), (45.0, -93.0)]);
    let filter = PartnershipFilter {
        geo: near(43.0, -88.0, None).clone(),
        ..Default::default()
    };
    let sort = Sort {
        field: PartnershipSortField::Distance,
        descending: false,
    };
    let req = PageRequest {
        limit: 10,
        cursor: None,
        count: false,
        unbounded: false,
    };
    let page = listing::partnerships(&c, &filter, sort, &req).unwrap();
    let got: Vec<(String, i64)> = page
        .items
        .iter()
        .map(|h| (h.item.agency_id.clone(), h.item.id))
        .collect();
    // a0001 has two partnerships (ids 3 and 4); each row carries its agency's distance.
    assert_eq!(
        got,
        [
            ("a0000".into(), 1),
            ("a0001".into(), 3),
            ("a0001".into(), 4)
        ]
    );
    assert_eq!(page.items[0].distance_m, Some(0.0));
}

#[test]
fn records_without_a_position_match_no_geographic_filter() {
    let c = catalog(&[(43.0, -88.0)]);
    let everything = GeoFilter {
        bbox: Some(BBox {
            min_lon: -180.0,
            min_lat: -90.0,
            max_lon: 180.0,
            max_lat: 90.0,
        }),
        ..Default::default()
    };
    assert_eq!(ids(&walk_agencies(&c, &everything, by_id(), 10)), ["a0000"]);
    assert_eq!(
        walk_agencies(&c, &GeoFilter::default(), by_id(), 10).len(),
        2
    );
    let _ = (AGENCY_SORTS, EntityKind::Agency);
}
