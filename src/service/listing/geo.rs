//! Where records must be (`GeoFilter`) and the nearest-first walk of the spatial index (the
//! `NearestFirst` strategy).

use super::Hit;
use crate::geo::{BBox, LatLon, Near, Region, SpatialIndex};
use crate::service::catalog::Placed;
use crate::service::paging::{
    AsKey, ListError, PageRequest, SortKey, decode_after, order_by, page_size,
};
use std::cmp::Ordering;

/// Where records must be. All parts that are set must hold; a record without a position
/// matches no geographic filter.
#[derive(Clone, Debug, Default)]
pub struct GeoFilter {
    pub near: Option<Near>,
    pub bbox: Option<BBox>,
    pub within: Option<Region>,
}

impl GeoFilter {
    pub fn is_empty(&self) -> bool {
        self.near.is_none() && self.bbox.is_none() && self.within.is_none()
    }

    /// Whether `at` passes, and its distance from the `near` centre when there is one.
    pub(super) fn check(&self, at: Option<LatLon>) -> (bool, Option<f64>) {
        if self.is_empty() {
            return (true, None);
        }
        let Some(at) = at else {
            return (false, None);
        };
        self.check_at(at, self.near.map_or(0.0, |n| n.center.distance_m(&at)))
    }

    /// `check` for a position whose distance from the `near` centre (if any) is known.
    pub(super) fn check_at(&self, at: LatLon, distance_from_near: f64) -> (bool, Option<f64>) {
        let distance = self.near.map(|_| distance_from_near);
        let ok = self
            .near
            .and_then(|n| n.radius_m)
            .is_none_or(|r| distance.is_some_and(|d| d <= r))
            && self.bbox.is_none_or(|b| b.contains(&at))
            && self.within.as_ref().is_none_or(|w| w.contains(&at));
        (ok, distance)
    }
}

/// The nearest-first path: walks the index outwards from the centre and stops as soon as the
/// page (and every record tied with its last one) is complete, so a `near` query costs about
/// as much as the walk to its page's last row rather than the whole dataset, and holds only
/// the page's rows.
/// `expand` gets each agency (with its partnerships) with its position and distance, and
/// adds its rows.
/// The rows are those of the page `req` asks for (after its cursor) and the ties of its last.
pub(super) fn nearest_first<'c, T, I: AsKey>(
    index: &'c SpatialIndex<Placed>,
    near: Near,
    req: &PageRequest,
    query: &str,
    mut expand: impl FnMut(&'c Placed, LatLon, f64, &mut Vec<(SortKey, I, Hit<T>)>),
) -> Result<Vec<(SortKey, I, Hit<T>)>, ListError> {
    let Near { center, radius_m } = near;
    let after = decode_after(req, query)?;
    let after = after.as_ref();
    let want = page_size(req) + 1;
    let mut rows = Vec::new();
    let mut last_distance = f64::NEG_INFINITY;
    // Positions come from the index entries: the walk reads no record it does not keep.
    for (agency, at) in index.nearest(center) {
        let d = center.distance_m(&at);
        // Chord order and haversine agree up to rounding; the margin keeps exact ties and
        // points on the radius from being cut off.
        if radius_m.is_some_and(|r| d > r + 1e-6)
            || (rows.len() >= want && d > last_distance + 1e-6)
        {
            break;
        }
        let before = rows.len();
        expand(agency, at, d, &mut rows);
        // Rows at or before the cursor were on earlier pages: drop them, so a deep page
        // holds only what it may return.
        if let Some(c) = after {
            let mut i = before;
            while i < rows.len() {
                let r = &rows[i];
                if order_by(&r.0, &r.1, &c.0, &c.1, false) == Ordering::Greater {
                    i += 1;
                } else {
                    rows.swap_remove(i);
                }
            }
        }
        if rows.len() > before {
            last_distance = last_distance.max(d);
        }
    }
    Ok(rows)
}
