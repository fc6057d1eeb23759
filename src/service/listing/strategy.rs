//! How a list of agencies or partnerships finds its page: one [`Strategy`], chosen once
//! from the request by [`Strategy::choose`] and matched where the walk happens
//! (`agencies`, `partnerships`).

use super::geo::GeoFilter;
use crate::geo::{LatLon, Near, SpatialIndex};
use crate::service::catalog::{Catalog, Placed};
use crate::service::paging::PageRequest;
use crate::service::tags::Tag;

/// The walk that finds a page. Every one gives the same rows in the same order; they differ
/// in what they read.
#[derive(Debug)]
pub(super) enum Strategy<'c, One> {
    /// One agency's partnerships (`agency=`), whatever else is asked: no one else's need
    /// be read. `One` is what names the agency: `&str` for partnerships, and
    /// [`std::convert::Infallible`] for agencies, whose list has no such filter.
    OneAgency(One),
    /// Walk the spatial index outwards from the `near` centre and stop once the page (and
    /// every row tied with its last) is complete: costs the walk to the page's last row.
    NearestFirst {
        index: &'c SpatialIndex<Placed>,
        near: Near,
    },
    /// Only the agencies the spatial index finds within the `near` radius, filtered and
    /// sorted.
    Radius {
        index: &'c SpatialIndex<Placed>,
        center: LatLon,
        radius_m: f64,
    },
    /// Walk the records in id order from the cursor (either way) and stop once the page is
    /// full.
    IdRange,
    /// As `IdRange`, over only the records filed under the tags the filter names (its
    /// states, else its quality flags: the catalog's ids by tag, merged in id order): a
    /// state's page costs its own records, not the others' walked past.
    ByTag(Vec<Tag>),
    /// Every record, filtered and sorted.
    Scan,
}

/// The part of the sort the choice depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Order {
    /// By id, either way.
    Id,
    /// By distance from the `near` centre, nearest first.
    NearestFirst,
    /// Anything else.
    Other,
}

impl<'c, One> Strategy<'c, One> {
    /// The one place the walk is chosen. A count needs every match, so it never takes a
    /// walk that stops early; without a spatial index (a past version, or a shared copy for
    /// an export) `near` is a scan.
    pub(super) fn choose(
        catalog: &'c Catalog,
        geo: &GeoFilter,
        one_agency: Option<One>,
        tags: Vec<Tag>,
        order: Order,
        req: &PageRequest,
    ) -> Self {
        if let Some(one) = one_agency {
            return Strategy::OneAgency(one);
        }
        if let (Some(near), Some(index)) = (geo.near, catalog.agency_index()) {
            if order == Order::NearestFirst && !req.count {
                return Strategy::NearestFirst { index, near };
            }
            if let Some(radius_m) = near.radius_m {
                return Strategy::Radius {
                    index,
                    center: near.center,
                    radius_m,
                };
            }
        }
        match (order == Order::Id && !req.count, tags.is_empty()) {
            (true, false) => Strategy::ByTag(tags),
            (true, true) => Strategy::IdRange,
            (false, _) => Strategy::Scan,
        }
    }
}

/// The tags a filter's walk goes through: the states it names, else the quality flags (an
/// agency has one state and any flags, so states are the narrower walk). Each once.
pub(super) fn tags(
    states: &[crate::domain::StateCode],
    flags: &[crate::domain::QualityFlag],
) -> Vec<Tag> {
    let mut tags: Vec<Tag> = if states.is_empty() {
        flags.iter().map(|f| Tag::Flag(*f)).collect()
    } else {
        states.iter().map(|s| Tag::State(*s)).collect()
    };
    tags.sort_unstable();
    tags.dedup();
    tags
}

/// The ids in `sets` (each in id order) after the cursor `from`, merged in the list's
/// direction without repeats: the walk of `Strategy::ByTag`.
pub(super) fn tagged_from<'c, I, Q>(
    sets: impl Iterator<Item = &'c imbl::OrdSet<I>>,
    from: std::ops::Bound<&Q>,
    descending: bool,
) -> impl Iterator<Item = &'c I> + 'c
where
    I: Ord + Clone + std::borrow::Borrow<Q> + 'c,
    Q: Ord + ?Sized,
{
    use std::ops::Bound::{self, Unbounded};
    let walks = sets
        .map(|ids| -> Box<dyn Iterator<Item = &'c I> + 'c> {
            let (lower, upper): (Bound<&Q>, Bound<&Q>) = if descending {
                (Unbounded, from)
            } else {
                (from, Unbounded)
            };
            let walk = ids.range::<_, Q>((lower, upper));
            if descending {
                Box::new(walk.rev())
            } else {
                Box::new(walk)
            }
        })
        .collect();
    merge_sorted(walks, descending)
}

/// The items of `walks`, each already in order (descending or not) and without repeats,
/// merged in that order without repeats (an agency with two of the flags asked for is in
/// two walks): the next item is the least (or greatest) of the walks' next ones. Costs the
/// number of walks an item: the number of tags a filter names.
pub(super) fn merge_sorted<'a, T: Ord + 'a>(
    walks: Vec<Box<dyn Iterator<Item = T> + 'a>>,
    descending: bool,
) -> impl Iterator<Item = T> + 'a {
    let mut walks = walks;
    // Each walk's next item, taken ahead.
    let mut heads: Vec<Option<T>> = walks.iter_mut().map(|w| w.next()).collect();
    std::iter::from_fn(move || {
        let mut best: Option<usize> = None;
        for (i, head) in heads.iter().enumerate() {
            let Some(head) = head else {
                continue;
            };
            let better = match best.and_then(|b| heads[b].as_ref()) {
                None => true,
                Some(current) if descending => head > current,
                Some(current) => head < current,
            };
            if better {
                best = Some(i);
            }
        }
        let i = best?;
        let item = std::mem::replace(&mut heads[i], walks[i].next())?;
        // The same item at the head of another walk is a repeat: move that walk on.
        for (j, head) in heads.iter_mut().enumerate() {
            if head.as_ref() == Some(&item) {
                *head = walks[j].next();
            }
        }
        Some(item)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::fixtures::catalog;

    /// The choice, as a name, for each kind of request over `c`.
    fn chosen(
        c: &Catalog,
        one: Option<&str>,
        radius_m: Option<f64>,
        order: Order,
        count: bool,
    ) -> &'static str {
        let geo = GeoFilter {
            near: radius_m.map(|r| Near {
                center: LatLon::new(40.0, -90.0).unwrap(),
                radius_m: (r > 0.0).then_some(r),
            }),
            ..Default::default()
        };
        let req = PageRequest {
            limit: 10,
            cursor: None,
            count,
            unbounded: false,
        };
        match Strategy::choose(c, &geo, one, Vec::new(), order, &req) {
            Strategy::OneAgency(_) => "one agency",
            Strategy::NearestFirst { .. } => "nearest first",
            Strategy::Radius { .. } => "radius",
            Strategy::IdRange => "id range",
            Strategy::ByTag(_) => "by tag",
            Strategy::Scan => "scan",
        }
    }

    #[test]
    fn each_request_gets_the_walk_that_reads_least() {
        let live = catalog(&[(40.0, -90.0), (41.0, -91.0)]);
        let copy = live.shared_copy();
        use Order::{Id, NearestFirst, Other};
        // (one agency, near: none / no radius (0) / a radius, order, count) -> live, copy
        for (one, near, order, count, on_live, on_copy) in [
            (
                Some("a0001"),
                Some(1e4),
                NearestFirst,
                false,
                "one agency",
                "one agency",
            ),
            (
                None,
                Some(0.0),
                NearestFirst,
                false,
                "nearest first",
                "scan",
            ),
            (
                None,
                Some(1e4),
                NearestFirst,
                false,
                "nearest first",
                "scan",
            ),
            (None, Some(1e4), NearestFirst, true, "radius", "scan"),
            (None, Some(0.0), NearestFirst, true, "scan", "scan"),
            (None, Some(1e4), Id, false, "radius", "id range"),
            (None, Some(0.0), Id, false, "id range", "id range"),
            (None, None, Id, false, "id range", "id range"),
            (None, None, Id, true, "scan", "scan"),
            (None, Some(1e4), Other, false, "radius", "scan"),
            (None, None, Other, false, "scan", "scan"),
        ] {
            let case = format!("{one:?} {near:?} {order:?} count={count}");
            assert_eq!(chosen(&live, one, near, order, count), on_live, "{case}");
            assert_eq!(
                chosen(&copy, one, near, order, count),
                on_copy,
                "{case} (copy)"
            );
        }
    }

    #[test]
    fn a_tag_filter_in_id_order_walks_its_tags_and_a_count_still_scans() {
        let live = catalog(&[(40.0, -90.0)]);
        let req = |count| PageRequest {
            limit: 10,
            cursor: None,
            count,
            unbounded: false,
        };
        let geo = GeoFilter::default();
        let name = |s: Strategy<'_, &str>| match s {
            Strategy::ByTag(_) => "by tag",
            Strategy::IdRange => "id range",
            Strategy::Scan => "scan",
            _ => "other",
        };
        let wi = || vec![Tag::State("WI".parse().unwrap())];
        let choose = |tags, order, count| {
            name(Strategy::choose(
                &live,
                &geo,
                None,
                tags,
                order,
                &req(count),
            ))
        };
        assert_eq!(choose(wi(), Order::Id, false), "by tag");
        assert_eq!(choose(wi(), Order::Id, true), "scan");
        assert_eq!(choose(wi(), Order::Other, false), "scan");
        assert_eq!(choose(Vec::new(), Order::Id, false), "id range");
    }

    #[test]
    fn merged_walks_keep_their_order_either_way() {
        let up: Vec<Box<dyn Iterator<Item = i64>>> = vec![
            Box::new([1, 4, 9].into_iter()),
            Box::new([2, 3, 10].into_iter()),
            Box::new(std::iter::empty()),
        ];
        assert_eq!(
            merge_sorted(up, false).collect::<Vec<_>>(),
            [1, 2, 3, 4, 9, 10]
        );
        let down: Vec<Box<dyn Iterator<Item = i64>>> = vec![
            Box::new([9, 4, 1].into_iter()),
            Box::new([10, 4, 3, 2].into_iter()),
        ];
        assert_eq!(
            merge_sorted(down, true).collect::<Vec<_>>(),
            [10, 9, 4, 3, 2, 1],
            "an item in two walks comes once"
        );
    }
}
