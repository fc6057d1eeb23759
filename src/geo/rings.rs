//! Validity and point location for request polygons, in O(n log n) in the vertices.
//!
//! A client may send the largest polygon the server accepts on every request, so neither the
//! check nor the per-record containment test may compare every edge with every other (geo's
//! `Validation` does, and took 363 ms for 10,000 vertices). Here:
//! - edges go into an R-tree (bulk-loaded, O(n log n)); each edge is tested only against the
//!   edges whose boxes meet its own;
//! - containment walks an interval tree over the edges' latitude spans, so a point costs the
//!   edges crossing its parallel, not the whole shape;
//! - all orientation tests are exact (`robust`), so collinear runs and touching rings are
//!   judged the same way however they are rounded.
//!
//! Both the pair tests and the containment queries spend a shared budget of work
//! ([`WORK_PER_VERTEX`] per vertex): a shape built so that its edges' boxes all overlap (a
//! star of long spikes, thousands of holes meeting at one point) is refused as too complex
//! instead of buying seconds of CPU. Ordinary shapes, even of 10,000 vertices, use a small
//! fraction of it.
//!
//! The rules, as in OGC Simple Features: repeated consecutive positions are dropped; each ring
//! then has at least 3 distinct vertices and is simple (no edge meets a non-adjacent edge,
//! adjacent edges share only their vertex, so no spike folds back); two rings may touch at
//! points but not cross there or share a segment; each hole lies inside its shell and outside
//! the other holes; the polygons of a multipolygon have disjoint interiors.

use geo::Coord;
use rstar::primitives::{GeomWithData, Line as RLine};
use rstar::{AABB, RTree};
use sif_itree::ITree;
use std::cmp::Ordering;
use std::ops::ControlFlow;

/// Work (pair tests and edges visited by containment queries) allowed per vertex.
pub const WORK_PER_VERTEX: usize = 200;
/// Work every shape may spend whatever its size.
const WORK_FLOOR: usize = 20_000;

/// One ring's vertices, without the closing repeat; edge `i` runs from `v[i]` to `v[i + 1]`.
pub type Ring = Vec<Coord<f64>>;
/// Polygons, each a shell followed by its holes.
pub type Shape = Vec<Vec<Ring>>;

/// Why a shape is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    TooFewVertices { ring: RingId },
    SelfIntersection { ring: RingId },
    RingsCross { a: RingId, b: RingId },
    HoleOutsideShell { ring: RingId },
    NestedHoles { ring: RingId },
    PolygonsOverlap { polygon: usize },
    TooComplex,
}

/// A ring: polygon `polygon`, ring `ring` (0 is the shell).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RingId {
    pub polygon: usize,
    pub ring: usize,
}

impl std::fmt::Display for RingId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.ring == 0 {
            write!(f, "the shell of polygon {}", self.polygon)
        } else {
            write!(f, "hole {} of polygon {}", self.ring, self.polygon)
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::TooFewVertices { ring } => {
                write!(f, "{ring} has fewer than 3 distinct positions")
            }
            Invalid::SelfIntersection { ring } => {
                write!(f, "{ring} intersects or touches itself")
            }
            Invalid::RingsCross { a, b } => {
                write!(f, "{a} and {b} cross or share a segment")
            }
            Invalid::HoleOutsideShell { ring } => write!(f, "{ring} is not inside its shell"),
            Invalid::NestedHoles { ring } => write!(f, "{ring} lies inside another hole"),
            Invalid::PolygonsOverlap { polygon } => {
                write!(f, "polygon {polygon} overlaps another polygon")
            }
            Invalid::TooComplex => write!(
                f,
                "the shape is too complex to check (too many edges lie close together); \
                 simplify it"
            ),
        }
    }
}

/// Drops repeated consecutive positions and the closing repeat.
pub fn ring_from_closed(positions: &[Coord<f64>]) -> Ring {
    let mut v: Ring = Vec::with_capacity(positions.len());
    for &p in positions {
        if v.last() != Some(&p) {
            v.push(p);
        }
    }
    while v.len() > 1 && v.first() == v.last() {
        v.pop();
    }
    v
}

fn orient(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> i8 {
    let o = robust::orient2d(
        robust::Coord { x: a.x, y: a.y },
        robust::Coord { x: b.x, y: b.y },
        robust::Coord { x: c.x, y: c.y },
    );
    if o > 0.0 {
        1
    } else if o < 0.0 {
        -1
    } else {
        0
    }
}

/// `c` with each negative zero made positive: the orders below are total (`total_cmp`), in
/// which -0 sorts before 0, while every comparison of coordinates treats them as one.
fn unsigned_zero(c: Coord<f64>) -> Coord<f64> {
    let z = |v: f64| if v == 0.0 { 0.0 } else { v };
    Coord {
        x: z(c.x),
        y: z(c.y),
    }
}

fn lex(a: &Coord<f64>, b: &Coord<f64>) -> Ordering {
    a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y))
}

/// How two segments meet.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Meet {
    Apart,
    /// At exactly one point, which is an endpoint of at least one of them.
    Touch(Coord<f64>),
    /// Along a segment of positive length.
    Overlap,
    /// At one point inside both.
    Cross,
}

fn meet(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>, d: Coord<f64>) -> Meet {
    let (o1, o2) = (orient(a, b, c), orient(a, b, d));
    if o1 == 0 && o2 == 0 {
        // Collinear: compare along the line in lexicographic order, which is exact.
        let (lo1, hi1) = if lex(&a, &b).is_le() { (a, b) } else { (b, a) };
        let (lo2, hi2) = if lex(&c, &d).is_le() { (c, d) } else { (d, c) };
        let lo = if lex(&lo1, &lo2).is_ge() { lo1 } else { lo2 };
        let hi = if lex(&hi1, &hi2).is_le() { hi1 } else { hi2 };
        return match lex(&lo, &hi) {
            Ordering::Less => Meet::Overlap,
            Ordering::Equal => Meet::Touch(lo),
            Ordering::Greater => Meet::Apart,
        };
    }
    let (o3, o4) = (orient(c, d, a), orient(c, d, b));
    if o1 * o2 > 0 || o3 * o4 > 0 {
        return Meet::Apart;
    }
    if o1 * o2 < 0 && o3 * o4 < 0 {
        return Meet::Cross;
    }
    Meet::Touch(if o1 == 0 {
        c
    } else if o2 == 0 {
        d
    } else if o3 == 0 {
        a
    } else {
        b
    })
}

/// An edge of the shape: ring `ring` (an index into the flat ring list), edge `index` of a
/// ring of `len` edges.
#[derive(Debug, Clone, Copy)]
struct Edge {
    a: Coord<f64>,
    b: Coord<f64>,
    ring: u32,
    index: u32,
    len: u32,
}

impl Edge {
    fn adjacent(&self, other: &Edge) -> bool {
        self.ring == other.ring
            && ((self.index + 1) % self.len == other.index
                || (other.index + 1) % other.len == self.index)
    }

    fn contains(&self, p: Coord<f64>) -> bool {
        orient(self.a, self.b, p) == 0
            && p.x >= self.a.x.min(self.b.x)
            && p.x <= self.a.x.max(self.b.x)
            && p.y >= self.a.y.min(self.b.y)
            && p.y <= self.a.y.max(self.b.y)
    }
}

/// What a pair of edges means for validity: fine, a touch between rings at a point, or a
/// defect.
enum PairVerdict {
    Fine,
    Touch(Coord<f64>),
    Bad(Invalid),
}

fn judge(e: &Edge, f: &Edge, ids: &[RingId]) -> PairVerdict {
    let m = meet(e.a, e.b, f.a, f.b);
    if e.ring == f.ring {
        let bad = if e.adjacent(f) {
            m == Meet::Overlap
        } else {
            m != Meet::Apart
        };
        return if bad {
            PairVerdict::Bad(Invalid::SelfIntersection {
                ring: ids[e.ring as usize],
            })
        } else {
            PairVerdict::Fine
        };
    }
    match m {
        Meet::Apart => PairVerdict::Fine,
        Meet::Touch(p) => PairVerdict::Touch(p),
        Meet::Overlap | Meet::Cross => {
            let (a, b) = (ids[e.ring as usize], ids[f.ring as usize]);
            PairVerdict::Bad(Invalid::RingsCross {
                a: a.min(b),
                b: a.max(b),
            })
        }
    }
}

/// Whether the rings meeting at `p` (each through `p` once, by the checks before) only touch
/// there: around `p`, each ring's two directions must not interleave with another's.
/// `incident` are the edges through `p`.
fn touches_without_crossing(p: Coord<f64>, incident: &[Edge]) -> Result<(), (u32, u32)> {
    // (far end of a direction out of p, ring)
    let mut dirs: Vec<(Coord<f64>, u32)> = Vec::new();
    for e in incident {
        if e.a != p {
            dirs.push((e.a, e.ring));
        }
        if e.b != p {
            dirs.push((e.b, e.ring));
        }
    }
    let upper = |d: &Coord<f64>| d.y > p.y || (d.y == p.y && d.x > p.x);
    dirs.sort_by(|(u, _), (v, _)| match (upper(u), upper(v)) {
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => 0.cmp(&orient(p, *u, *v)),
    });
    // Each ring appears twice; non-interleaved pairs nest like brackets.
    let mut stack: Vec<u32> = Vec::new();
    for (_, ring) in &dirs {
        if stack.last() == Some(ring) {
            stack.pop();
        } else {
            stack.push(*ring);
        }
    }
    match stack.as_slice() {
        [] => Ok(()),
        [a, b, ..] => Err((*a, *b)),
        [a] => Err((*a, *a)),
    }
}

/// Where a point lies relative to a set of rings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loc {
    Inside,
    Boundary,
    Outside,
}

/// `f64` ordered totally, for the interval tree's keys.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Y(f64);
impl Eq for Y {}
impl PartialOrd for Y {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Y {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Point location over a set of edges: an interval tree of their latitude spans, so a query
/// visits only the edges crossing the point's parallel.
pub struct Locator {
    tree: ITree<Y, Edge>,
}

impl std::fmt::Debug for Locator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Locator")
            .field("edges", &self.tree.len())
            .finish()
    }
}

impl Locator {
    fn new(edges: &[Edge]) -> Self {
        Self {
            tree: ITree::new(edges.iter().map(|e| {
                let (lo, hi) = if e.a.y <= e.b.y {
                    (e.a.y, e.b.y)
                } else {
                    (e.b.y, e.a.y)
                };
                (Y(lo)..Y(hi), *e)
            })),
        }
    }

    /// Where `p` lies relative to the rings `keep` accepts, by the parity of the edges a ray
    /// towards +x crosses; each visited edge costs one unit of `work`.
    fn locate_among(&self, p: Coord<f64>, keep: impl Fn(u32) -> bool, work: &mut usize) -> Loc {
        let p = unsigned_zero(p);
        let mut inside = false;
        let q = Y(p.y);
        let flow = self.tree.query(q..=q, |(_, e)| {
            *work = work.saturating_add(1);
            if !keep(e.ring) {
                return ControlFlow::Continue(());
            }
            if e.contains(p) {
                return ControlFlow::Break(());
            }
            // Half-open rule: an edge counts when exactly one end is above the parallel.
            if (e.a.y > p.y) != (e.b.y > p.y) {
                let (lo, hi) = if e.a.y < e.b.y {
                    (e.a, e.b)
                } else {
                    (e.b, e.a)
                };
                // p is left of the upward edge: the ray towards +x crosses it.
                if orient(lo, hi, p) > 0 {
                    inside = !inside;
                }
            }
            ControlFlow::Continue(())
        });
        match (flow, inside) {
            (ControlFlow::Break(()), _) => Loc::Boundary,
            (_, true) => Loc::Inside,
            (_, false) => Loc::Outside,
        }
    }

    /// Where `p` lies relative to the whole shape (boundary included).
    pub fn locate(&self, p: Coord<f64>) -> Loc {
        let mut work = 0;
        self.locate_among(p, |_| true, &mut work)
    }
}

/// Checks a shape and, when it is valid, returns its point locator.
pub fn validate(shape: &Shape, max_work: Option<usize>) -> Result<Locator, Invalid> {
    let (edges, ids) = flatten(shape)?;
    let budget = max_work.unwrap_or_else(|| WORK_FLOOR + WORK_PER_VERTEX * edges.len());
    let mut work = 0usize;

    let tree = RTree::bulk_load(
        edges
            .iter()
            .enumerate()
            .map(|(i, e)| GeomWithData::new(RLine::new([e.a.x, e.a.y], [e.b.x, e.b.y]), i))
            .collect(),
    );
    let mut touches: Vec<Coord<f64>> = Vec::new();
    for (i, e) in edges.iter().enumerate() {
        let envelope = AABB::from_corners([e.a.x, e.a.y], [e.b.x, e.b.y]);
        for other in tree.locate_in_envelope_intersecting(&envelope) {
            work += 1;
            if work > budget {
                return Err(Invalid::TooComplex);
            }
            let j = other.data;
            if j <= i {
                continue;
            }
            match judge(e, &edges[j], &ids) {
                PairVerdict::Fine => {}
                PairVerdict::Touch(p) => touches.push(p),
                PairVerdict::Bad(why) => return Err(why),
            }
        }
    }
    touches.sort_by(lex);
    touches.dedup();
    for p in touches {
        let incident: Vec<Edge> = tree
            .locate_in_envelope_intersecting(&AABB::from_point([p.x, p.y]))
            .map(|g| edges[g.data])
            .filter(|e| e.contains(p))
            .collect();
        work += incident.len();
        if work > budget {
            return Err(Invalid::TooComplex);
        }
        if let Err((a, b)) = touches_without_crossing(p, &incident) {
            let (a, b) = (ids[a as usize], ids[b as usize]);
            return Err(Invalid::RingsCross {
                a: a.min(b),
                b: a.max(b),
            });
        }
    }

    let locator = Locator::new(&edges);
    nesting(shape, &ids, &mut work, budget, &|p, keep, work| {
        locator.locate_among(p, keep, work)
    })?;
    Ok(locator)
}

/// The rings' edges, and which ring each flat ring index is.
fn flatten(shape: &Shape) -> Result<(Vec<Edge>, Vec<RingId>), Invalid> {
    let mut edges = Vec::new();
    let mut ids = Vec::new();
    for (pi, polygon) in shape.iter().enumerate() {
        for (ri, ring) in polygon.iter().enumerate() {
            let id = RingId {
                polygon: pi,
                ring: ri,
            };
            if ring.len() < 3 {
                return Err(Invalid::TooFewVertices { ring: id });
            }
            let r = ids.len() as u32;
            ids.push(id);
            let len = ring.len() as u32;
            for (i, &a) in ring.iter().enumerate() {
                edges.push(Edge {
                    a: unsigned_zero(a),
                    b: unsigned_zero(ring[(i + 1) % ring.len()]),
                    ring: r,
                    index: i as u32,
                    len,
                });
            }
        }
    }
    Ok((edges, ids))
}

type LocateFn<'a> = dyn Fn(Coord<f64>, &dyn Fn(u32) -> bool, &mut usize) -> Loc + 'a;

/// A point of `ring` off the boundary of the rings `keep` accepts, and where it lies: the
/// first such vertex, else the first such edge midpoint.
fn sample(
    ring: &Ring,
    keep: &dyn Fn(u32) -> bool,
    locate: &LocateFn,
    work: &mut usize,
    budget: usize,
) -> Result<Loc, Invalid> {
    let midpoints = (0..ring.len()).map(|i| {
        let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
        Coord {
            x: a.x / 2.0 + b.x / 2.0,
            y: a.y / 2.0 + b.y / 2.0,
        }
    });
    for p in ring.iter().copied().chain(midpoints) {
        let loc = locate(p, keep, work);
        if *work > budget {
            return Err(Invalid::TooComplex);
        }
        if loc != Loc::Boundary {
            return Ok(loc);
        }
    }
    Ok(Loc::Boundary)
}

/// Containment between rings known not to cross: holes inside their shell and outside each
/// other; polygons outside each other's areas.
fn nesting(
    shape: &Shape,
    ids: &[RingId],
    work: &mut usize,
    budget: usize,
    locate: &LocateFn,
) -> Result<(), Invalid> {
    let mut first = 0u32;
    let firsts: Vec<u32> = shape
        .iter()
        .map(|p| {
            let f = first;
            first += p.len() as u32;
            f
        })
        .collect();
    for (pi, polygon) in shape.iter().enumerate() {
        let shell = firsts[pi];
        for (ri, hole) in polygon.iter().enumerate().skip(1) {
            let me = shell + ri as u32;
            let id = ids[me as usize];
            if sample(hole, &|r| r == shell, locate, work, budget)? != Loc::Inside {
                return Err(Invalid::HoleOutsideShell { ring: id });
            }
            let end = shell + polygon.len() as u32;
            let other_holes = |r: u32| r > shell && r < end && r != me;
            if sample(hole, &other_holes, locate, work, budget)? != Loc::Outside {
                return Err(Invalid::NestedHoles { ring: id });
            }
        }
        if shape.len() > 1 {
            let end = shell + polygon.len() as u32;
            let others = |r: u32| r < shell || r >= end;
            if sample(&polygon[0], &others, locate, work, budget)? != Loc::Outside {
                return Err(Invalid::PolygonsOverlap { polygon: pi });
            }
        }
    }
    Ok(())
}

/// The same rules checked the simple way, every pair of edges and every edge per point: the
/// reference the fast check is tested against.
pub fn validate_simple(shape: &Shape) -> Result<(), Invalid> {
    let (edges, ids) = flatten(shape)?;
    let mut touches = Vec::new();
    for (i, e) in edges.iter().enumerate() {
        for f in &edges[i + 1..] {
            match judge(e, f, &ids) {
                PairVerdict::Fine => {}
                PairVerdict::Touch(p) => touches.push(p),
                PairVerdict::Bad(why) => return Err(why),
            }
        }
    }
    touches.sort_by(lex);
    touches.dedup();
    for p in touches {
        let incident: Vec<Edge> = edges.iter().filter(|e| e.contains(p)).copied().collect();
        if let Err((a, b)) = touches_without_crossing(p, &incident) {
            let (a, b) = (ids[a as usize], ids[b as usize]);
            return Err(Invalid::RingsCross {
                a: a.min(b),
                b: a.max(b),
            });
        }
    }
    let mut work = 0;
    nesting(shape, &ids, &mut work, usize::MAX, &|p, keep, _| {
        locate_simple(&edges, p, keep)
    })
}

fn locate_simple(edges: &[Edge], p: Coord<f64>, keep: &dyn Fn(u32) -> bool) -> Loc {
    let mut inside = false;
    for e in edges.iter().filter(|e| keep(e.ring)) {
        if e.contains(p) {
            return Loc::Boundary;
        }
        if (e.a.y > p.y) != (e.b.y > p.y) {
            let (lo, hi) = if e.a.y < e.b.y {
                (e.a, e.b)
            } else {
                (e.b, e.a)
            };
            if orient(lo, hi, p) > 0 {
                inside = !inside;
            }
        }
    }
    if inside { Loc::Inside } else { Loc::Outside }
}

/// Where `p` lies relative to a shape, every edge tested.
pub fn locate_shape_simple(shape: &Shape, p: Coord<f64>) -> Loc {
    match flatten(shape) {
        Ok((edges, _)) => locate_simple(&edges, p, &|_| true),
        Err(_) => Loc::Outside,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    fn ring(points: &[(f64, f64)]) -> Ring {
        points.iter().map(|&(x, y)| c(x, y)).collect()
    }

    fn square(x: f64, y: f64, side: f64) -> Ring {
        ring(&[(x, y), (x + side, y), (x + side, y + side), (x, y + side)])
    }

    /// Both checks, which must agree; the fast one's verdict.
    fn check(shape: &Shape) -> Result<(), Invalid> {
        let fast = validate(shape, Some(usize::MAX)).map(|_| ());
        let simple = validate_simple(shape);
        assert_eq!(
            fast.is_ok(),
            simple.is_ok(),
            "{shape:?}: {fast:?} vs {simple:?}"
        );
        fast
    }

    #[test]
    fn named_shapes_are_judged_as_simple_features_says() {
        let outer = square(0.0, 0.0, 10.0);
        let cases: Vec<(&str, Shape, bool)> = vec![
            ("square", vec![vec![outer.clone()]], true),
            (
                "bowtie",
                vec![vec![ring(&[(0., 0.), (10., 10.), (10., 0.), (0., 10.)])]],
                false,
            ),
            (
                "spike",
                vec![vec![ring(&[
                    (0., 0.),
                    (10., 0.),
                    (15., 0.),
                    (10., 0.),
                    (10., 10.),
                ])]],
                false,
            ),
            (
                "collinear_run",
                vec![vec![ring(&[
                    (0., 0.),
                    (5., 0.),
                    (10., 0.),
                    (10., 10.),
                    (0., 10.),
                ])]],
                true,
            ),
            (
                "all_collinear",
                vec![vec![ring(&[(0., 0.), (5., 0.), (10., 0.)])]],
                false,
            ),
            (
                "figure_eight_at_a_vertex",
                vec![vec![ring(&[
                    (0., 0.),
                    (5., 5.),
                    (10., 0.),
                    (10., 10.),
                    (5., 5.),
                    (0., 10.),
                ])]],
                false,
            ),
            (
                "hole_inside",
                vec![vec![outer.clone(), square(2., 2., 2.)]],
                true,
            ),
            (
                "hole_touching_shell_at_a_point",
                vec![vec![outer.clone(), ring(&[(0., 5.), (3., 4.), (3., 6.)])]],
                true,
            ),
            (
                "hole_touching_shell_along_a_line",
                vec![vec![
                    outer.clone(),
                    ring(&[(0., 2.), (3., 2.), (3., 6.), (0., 6.)]),
                ]],
                false,
            ),
            (
                "holes_touching_at_a_point",
                vec![vec![outer.clone(), square(2., 2., 2.), square(4., 4., 2.)]],
                true,
            ),
            (
                "holes_sharing_an_edge",
                vec![vec![outer.clone(), square(2., 2., 2.), square(4., 2., 2.)]],
                false,
            ),
            (
                "hole_crossing_the_shell_at_a_vertex",
                vec![vec![
                    ring(&[(0., 0.), (10., 0.), (5., 5.), (10., 10.), (0., 10.)]),
                    ring(&[(5., 5.), (8., 3.), (12., 5.), (8., 7.)]),
                ]],
                false,
            ),
            (
                "hole_outside_shell",
                vec![vec![outer.clone(), square(20., 20., 2.)]],
                false,
            ),
            (
                "nested_holes",
                vec![vec![outer.clone(), square(1., 1., 8.), square(3., 3., 2.)]],
                false,
            ),
            (
                "hole_equal_to_shell",
                vec![vec![outer.clone(), outer.clone()]],
                false,
            ),
            (
                "overlapping_polygons",
                vec![vec![outer.clone()], vec![square(5., 5., 10.)]],
                false,
            ),
            (
                "polygon_inside_another",
                vec![vec![outer.clone()], vec![square(2., 2., 2.)]],
                false,
            ),
            (
                "polygon_inside_another_polygons_hole",
                vec![
                    vec![outer.clone(), square(2., 2., 6.)],
                    vec![square(3., 3., 2.)],
                ],
                true,
            ),
            (
                "polygons_touching_at_a_corner",
                vec![vec![outer.clone()], vec![square(10., 10., 5.)]],
                true,
            ),
            (
                "antimeridian_pair_touching_the_date_line",
                vec![
                    vec![ring(&[(170., 50.), (180., 50.), (180., 60.), (170., 60.)])],
                    vec![ring(&[
                        (-180., 50.),
                        (-170., 50.),
                        (-170., 60.),
                        (-180., 60.),
                    ])],
                ],
                true,
            ),
            (
                "pole_to_pole_across_the_date_line_edge",
                vec![vec![ring(&[
                    (-180., -90.),
                    (180., -90.),
                    (180., 90.),
                    (-180., 90.),
                ])]],
                true,
            ),
        ];
        for (name, shape, valid) in cases {
            assert_eq!(check(&shape).is_ok(), valid, "{name}: {:?}", check(&shape));
        }
    }

    #[test]
    fn containment_counts_the_boundary_and_excludes_holes() {
        let shape = vec![vec![square(0., 0., 10.), square(2., 2., 2.)]];
        let loc = validate(&shape, None).unwrap();
        assert_eq!(loc.locate(c(5., 5.)), Loc::Inside);
        assert_eq!(loc.locate(c(3., 3.)), Loc::Outside, "in the hole");
        assert_eq!(loc.locate(c(2., 3.)), Loc::Boundary, "on the hole's edge");
        assert_eq!(loc.locate(c(10., 10.)), Loc::Boundary, "a corner");
        assert_eq!(loc.locate(c(0., 7.)), Loc::Boundary);
        assert_eq!(loc.locate(c(11., 5.)), Loc::Outside);
        assert_eq!(loc.locate(c(5., 10.000001)), Loc::Outside);
    }

    /// Found by the property test below in CI: an edge from y = 0 to y = -0 spanned an empty
    /// interval in the tree's total order, so a point on it was judged inside.
    #[test]
    fn negative_zero_is_zero() {
        let shape = vec![vec![ring(&[(11., 1.), (11., 0.), (16., -0.0)])]];
        let loc = validate(&shape, None).unwrap();
        assert_eq!(loc.locate(c(11.5, 0.0)), Loc::Boundary);
        assert_eq!(loc.locate(c(11.5, -0.0)), Loc::Boundary);
        assert_eq!(
            loc.locate(c(11.5, 0.0)),
            locate_shape_simple(&shape, c(11.5, 0.0))
        );
        check(&vec![vec![ring(&[
            (0., 0.),
            (4., -0.0),
            (4., 4.),
            (0., 4.),
        ])]])
        .ok();
    }

    /// A star of `spikes` long spikes: every edge's box overlaps most others'.
    fn star(spikes: usize, inner: f64) -> Ring {
        (0..spikes * 2)
            .map(|i| {
                let a = i as f64 / (spikes * 2) as f64 * std::f64::consts::TAU;
                let r = if i % 2 == 0 { 10.0 } else { inner };
                c(r * a.cos(), r * a.sin())
            })
            .collect()
    }

    #[test]
    fn ten_thousand_vertices_stay_within_the_budget_or_are_refused() {
        let circle: Ring = (0..10_000)
            .map(|i| {
                let a = i as f64 / 10_000.0 * std::f64::consts::TAU;
                c(a.cos(), a.sin())
            })
            .collect();
        let loc = validate(&vec![vec![circle]], None).expect("a fine circle is valid");
        assert_eq!(loc.locate(c(0., 0.)), Loc::Inside);
        // A star of 5,000 spikes: valid, but its edges' boxes all overlap near the centre.
        let spiky = vec![vec![star(5_000, 0.01)]];
        let verdict = validate(&spiky, None);
        assert!(
            matches!(verdict, Ok(_) | Err(Invalid::TooComplex)),
            "{verdict:?}"
        );
        // With a small star the budget is not reached and it is valid.
        assert!(validate(&vec![vec![star(50, 1.0)]], None).is_ok());
    }

    // ---- property tests: the fast check against the simple one ----

    /// Coordinates on a coarse grid, so that collinear runs, shared vertices, touching rings
    /// and spikes are common; the grid's ends are the antimeridian and the poles.
    fn grid_point() -> impl Strategy<Value = Coord<f64>> {
        (0..=8i32, 0..=8i32).prop_map(|(x, y)| c(-180.0 + x as f64 * 45.0, -90.0 + y as f64 * 22.5))
    }

    fn grid_ring() -> impl Strategy<Value = Ring> {
        prop::collection::vec(grid_point(), 3..8).prop_map(|v| ring_from_closed(&v))
    }

    fn grid_shape() -> impl Strategy<Value = Shape> {
        prop::collection::vec(prop::collection::vec(grid_ring(), 1..4), 1..3)
    }

    /// A star-shaped (always simple) ring around a grid point, with vertices snapped to a
    /// fine grid: valid shells and holes that often touch.
    fn star_ring(max_r: u32) -> impl Strategy<Value = Ring> {
        (
            0..=16i32,
            0..=16i32,
            prop::collection::vec((0u32..360, 1..=max_r), 3..12),
        )
            .prop_map(|(cx, cy, mut spokes)| {
                spokes.sort_by_key(|s| s.0);
                spokes.dedup_by_key(|s| s.0);
                let v: Vec<Coord<f64>> = spokes
                    .iter()
                    .map(|&(deg, r)| {
                        let a = (deg as f64).to_radians();
                        c(
                            (cx as f64 + r as f64 * a.cos()).round(),
                            (cy as f64 + r as f64 * a.sin()).round(),
                        )
                    })
                    .collect();
                ring_from_closed(&v)
            })
    }

    fn star_shape() -> impl Strategy<Value = Shape> {
        prop::collection::vec(
            (star_ring(8), prop::collection::vec(star_ring(3), 0..4)).prop_map(|(s, holes)| {
                let mut p = vec![s];
                p.extend(holes);
                p
            }),
            1..3,
        )
    }

    /// A ring with a spike: one vertex repeated with an excursion out and straight back.
    fn spiked_ring() -> impl Strategy<Value = Ring> {
        (
            star_ring(8),
            any::<prop::sample::Index>(),
            (-3i32..=3, -3i32..=3),
        )
            .prop_map(|(mut r, at, (dx, dy))| {
                if r.len() >= 3 {
                    let i = at.index(r.len());
                    let p = r[i];
                    r.insert(i + 1, c(p.x + dx as f64, p.y + dy as f64));
                    r.insert(i + 2, p);
                }
                ring_from_closed(&r)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn fast_check_agrees_with_the_simple_one_on_grid_shapes(shape in grid_shape()) {
            check(&shape).ok();
        }

        #[test]
        fn fast_check_agrees_with_the_simple_one_on_star_shapes(shape in star_shape()) {
            check(&shape).ok();
        }

        #[test]
        fn spikes_are_refused(r in spiked_ring()) {
            let shape = vec![vec![r]];
            check(&shape).ok();
        }

        #[test]
        fn containment_agrees_with_every_edge_tested(
            shape in star_shape(),
            points in prop::collection::vec((-20i32..=40, -20i32..=40), 1..40),
        ) {
            if let Ok(locator) = validate(&shape, Some(usize::MAX)) {
                for (x, y) in points {
                    // Half-steps land on edges' midpoints as well as on vertices.
                    let p = c(x as f64 / 2.0, y as f64 / 2.0);
                    prop_assert_eq!(locator.locate(p), locate_shape_simple(&shape, p), "{:?}", p);
                }
            }
        }

        /// In general position (no touching, no collinear runs) the rules are geo's own.
        #[test]
        fn agrees_with_geo_in_general_position(
            spokes in prop::collection::vec((0.0f64..360.0, 0.5f64..10.0), 3..12),
            hole in prop::collection::vec((0.0f64..360.0, 0.1f64..3.0), 3..8),
            offset in (-8.0f64..8.0, -8.0f64..8.0),
            shuffle in any::<bool>(),
        ) {
            use geo::{LineString, Polygon, Validation};
            let to_ring = |mut s: Vec<(f64, f64)>, (ox, oy): (f64, f64)| {
                s.sort_by(|a, b| a.0.total_cmp(&b.0));
                if shuffle && s.len() > 3 { s.swap(0, 2); }
                s.iter().map(|&(d, r): &(f64, f64)| {
                    let a = d.to_radians();
                    c(ox + r * a.cos(), oy + r * a.sin())
                }).collect::<Ring>()
            };
            let shell = to_ring(spokes, (0.0, 0.0));
            let hole = to_ring(hole, offset);
            let shape = vec![vec![shell.clone(), hole.clone()]];
            let close = |r: &Ring| {
                let mut v = r.clone();
                v.push(r[0]);
                LineString::new(v)
            };
            let theirs = Polygon::new(close(&shell), vec![close(&hole)]).is_valid();
            prop_assert_eq!(check(&shape).is_ok(), theirs);
        }
    }
}
