//! `q` searches read from an index of the folded names' and cities' three-letter runs
//! (trigrams), made once per dataset version (`service::list_cache::ListCache` keeps it):
//! a search reads the records filed under the query's rarest trigram (or, for a two-letter
//! query, under the trigrams it begins), not every record, and checks each with the filter
//! itself. In id order the walk starts at the cursor and stops once the page is full; any
//! other order, a count or a geographic filter reads every candidate, which the caller only
//! does when there are few ([`GATHER_MAX`]).
//!
//! Folded text ([`super::fold`]) is lowercase ASCII letters, digits and single spaces, so a
//! trigram is a number below [`GRAMS`]; each text is followed by two padding symbols, so that
//! every occurrence of a two-letter query begins a trigram.

use super::agencies::agency_row;
use super::partnerships::{WithAgency, partnership_row};
use super::strategy::merge_sorted;
use super::{AgencyFilter, AgencySortField, Hit, PartnershipFilter, PartnershipSortField, fold};
use crate::domain::Agency;
use crate::service::catalog::{AgencyEntry, Catalog};
use crate::service::paging::{
    AsKey, ListError, Page, PageRequest, Sort, SortKey, decode_after, fingerprint, page_size,
    paginate,
};

/// Symbols: padding, `a`–`z`, `0`–`9` and the space.
const SYMBOLS: usize = 38;
/// How many trigrams there can be.
pub const GRAMS: usize = SYMBOLS * SYMBOLS * SYMBOLS;

fn symbol(b: u8) -> Option<usize> {
    match b {
        b'a'..=b'z' => Some(1 + (b - b'a') as usize),
        b'0'..=b'9' => Some(27 + (b - b'0') as usize),
        b' ' => Some(37),
        _ => None,
    }
}

/// The trigrams of a folded text and its padding, pushed onto `out`.
fn grams_of(folded: &str, out: &mut Vec<u16>) {
    let s: Vec<usize> = folded.bytes().filter_map(symbol).collect();
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    for i in 0..s.len() {
        out.push((at(i) * SYMBOLS * SYMBOLS + at(i + 1) * SYMBOLS + at(i + 2)) as u16);
    }
}

/// An agency's trigrams (name and city), sorted, each once.
fn agency_grams(a: &Agency) -> Vec<u16> {
    let mut grams = Vec::new();
    grams_of(&fold(&a.name), &mut grams);
    if let Some(city) = &a.city {
        grams_of(&fold(city), &mut grams);
    }
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// The records of a list in id order, and for each trigram the positions (in that order)
/// of the records whose text has it.
struct Postings<I> {
    ids: Vec<I>,
    grams: Vec<Vec<u32>>,
}

impl<I> Postings<I> {
    fn new(len: usize) -> Self {
        Self {
            ids: Vec::with_capacity(len),
            grams: vec![Vec::new(); GRAMS],
        }
    }

    fn push(&mut self, id: I, grams: &[u16]) {
        let at = self.ids.len() as u32;
        self.ids.push(id);
        for g in grams {
            self.grams[*g as usize].push(at);
        }
    }

    /// Lists whose union holds every record whose text contains `q` (folded), or `None`
    /// when the index cannot tell (a query of one letter).
    fn candidates(&self, q: &str) -> Option<Vec<&[u32]>> {
        let s: Option<Vec<usize>> = q.bytes().map(symbol).collect();
        let s = s?;
        match s.len() {
            0 | 1 => None,
            2 => Some(
                (0..SYMBOLS)
                    .map(|x| &*self.grams[s[0] * SYMBOLS * SYMBOLS + s[1] * SYMBOLS + x])
                    .filter(|l| !l.is_empty())
                    .collect(),
            ),
            _ => {
                let rarest = s
                    .windows(3)
                    .map(|w| &*self.grams[w[0] * SYMBOLS * SYMBOLS + w[1] * SYMBOLS + w[2]])
                    .min_by_key(|l| l.len())?;
                Some(vec![rarest])
            }
        }
    }

    /// The candidates' positions within `range` of the id order, in the list's direction,
    /// each once.
    fn walk<'p>(
        lists: &[&'p [u32]],
        range: std::ops::Range<u32>,
        descending: bool,
    ) -> impl Iterator<Item = u32> + 'p {
        let walks = lists
            .iter()
            .map(|l| -> Box<dyn Iterator<Item = u32> + 'p> {
                let lo = l.partition_point(|p| *p < range.start);
                let hi = l.partition_point(|p| *p < range.end);
                let part = l[lo..hi].iter().copied();
                if descending {
                    Box::new(part.rev())
                } else {
                    Box::new(part)
                }
            })
            .collect();
        merge_sorted(walks, descending)
    }
}

/// The trigram index of one catalog version: agencies, and partnerships under their
/// agency's text.
pub struct TextIndex {
    agencies: Postings<String>,
    partnerships: Postings<i64>,
}

/// How many candidates a read of every candidate may cost: past it, a request that is not
/// an id-ordered page goes the other ways (which stop early when matches are many).
pub const GATHER_MAX: usize = 20_000;

impl TextIndex {
    pub fn build(catalog: &Catalog) -> Self {
        let mut agencies = Postings::new(catalog.agencies.len());
        let mut grams = Vec::with_capacity(catalog.agencies.len());
        for (id, a) in catalog.agencies.iter() {
            let g = agency_grams(a);
            agencies.push(id.clone(), &g);
            grams.push(g);
        }
        let mut partnerships = Postings::new(catalog.partnerships.len());
        for (id, p) in catalog.partnerships.iter() {
            // A partnership whose agency is missing has no text: `q` never matches it.
            let g = agencies
                .ids
                .binary_search(&p.agency_id)
                .map_or(&[][..], |at| &grams[at]);
            partnerships.push(*id, g);
        }
        Self {
            agencies,
            partnerships,
        }
    }
}

/// The positions of `ids` a page walks: after the cursor's id, in the list's direction.
fn after_cursor<I: Ord>(ids: &[I], after: Option<&I>, descending: bool) -> std::ops::Range<u32> {
    let len = ids.len() as u32;
    match (after, descending) {
        (None, _) => 0..len,
        (Some(id), false) => ids.partition_point(|x| x <= id) as u32..len,
        (Some(id), true) => 0..ids.partition_point(|x| x < id) as u32,
    }
}

/// Whether the page can be a walk in id order that stops when it is full.
fn walks(req: &PageRequest, id_order: bool) -> bool {
    id_order && !req.count && !req.unbounded
}

/// Whether the index answers a request: always for a page in id order that no other filter
/// narrows (`alone`: the walk stops when the page is full), else when the candidates are
/// few enough to read them all.
fn answers(lists: &[&[u32]], req: &PageRequest, id_order: bool, alone: bool) -> bool {
    (id_order && !req.count && alone) || lists.iter().map(|l| l.len()).sum::<usize>() <= GATHER_MAX
}

/// A page of the rows `found` makes of the candidates in `lists`: walked in id order from
/// the cursor (its id read by `cursor_id`) when `walk`, else every candidate read.
#[allow(clippy::too_many_arguments)]
fn page<I: Ord, K: AsKey, T>(
    ids: &[I],
    lists: &[&[u32]],
    walk: bool,
    descending: bool,
    query: &str,
    req: &PageRequest,
    cursor_id: impl Fn(SortKey) -> Option<I>,
    found: impl Fn(u32) -> Option<(SortKey, K, T)>,
) -> Result<Page<T>, ListError> {
    if !walk {
        let all = 0..ids.len() as u32;
        let rows = Postings::<I>::walk(lists, all, false).filter_map(found);
        return paginate(rows, descending, query, req);
    }
    let after = decode_after(req, query)?.and_then(|a| cursor_id(a.1));
    let range = after_cursor(ids, after.as_ref(), descending);
    let rows = Postings::<I>::walk(lists, range, descending)
        .filter_map(found)
        .take(page_size(req) + 1);
    paginate(rows, descending, query, req)
}

/// `listing::agencies` for a filter with a `q` the index can narrow, when it [`answers`]
/// (`None` otherwise): the same rows, order and cursors.
pub fn agencies<'c>(
    catalog: &'c Catalog,
    filter: &AgencyFilter,
    sort: Sort<AgencySortField>,
    req: &PageRequest,
    index: &TextIndex,
) -> Option<Result<Page<Hit<&'c AgencyEntry>>, ListError>> {
    let lists = index.agencies.candidates(filter.q.as_deref()?)?;
    let id_order = sort.field == AgencySortField::Id;
    let alone =
        filter.geo.is_empty() && filter.states.is_empty() && filter.quality_flags.is_empty();
    if !answers(&lists, req, id_order, alone) {
        return None;
    }
    let query = fingerprint(&("agencies", filter, sort));
    let row = agency_row(catalog, filter, sort.field);
    let ids = &index.agencies.ids;
    let walk = walks(req, id_order);
    Some(page(
        ids,
        &lists,
        walk,
        sort.descending,
        &query,
        req,
        |key| match key {
            SortKey::Text(id) => Some(id),
            _ => None,
        },
        |at| catalog.agencies.get(&ids[at as usize]).and_then(&row),
    ))
}

/// `listing::partnerships` for a filter with a `q` the index can narrow, when it [`answers`]
/// (`None` otherwise).
pub fn partnerships<'c>(
    catalog: &'c Catalog,
    filter: &PartnershipFilter,
    sort: Sort<PartnershipSortField>,
    req: &PageRequest,
    index: &TextIndex,
) -> Option<Result<Page<Hit<WithAgency<'c>>>, ListError>> {
    let lists = index.partnerships.candidates(filter.q.as_deref()?)?;
    let id_order = sort.field == PartnershipSortField::Id;
    let alone =
        filter.geo.is_empty() && filter.states.is_empty() && filter.agency_quality_flags.is_empty();
    if !answers(&lists, req, id_order, alone) {
        return None;
    }
    let query = fingerprint(&("partnerships", filter, sort));
    let row = partnership_row(catalog, filter, sort.field);
    let ids = &index.partnerships.ids;
    let walk = walks(req, id_order);
    Some(page(
        ids,
        &lists,
        walk,
        sort.descending,
        &query,
        req,
        |key| match key {
            SortKey::Num(id) => Some(id as i64),
            _ => None,
        },
        |at| {
            let p = catalog.partnerships.get(&ids[at as usize])?;
            row(p, catalog.agencies.get(&p.agency_id))
        },
    ))
}
