//! The gazetteer shipped in `data/gazetteer/`: its places, counties and state points,
//! their name indexes, and the lookups that turn a query into a hit.

use super::names::{
    compact, county_in_agency_name, county_keys, normalize, strip_agency_words, strip_place_words,
};
use super::{Basis, GeocodeHit, GeocodeQuery, Precision, fallback_flags};
use crate::domain::QualityFlag;
use std::collections::HashMap;
use std::sync::OnceLock;

const PLACES_TSV: &str = include_str!("../../../data/gazetteer/us_places.tsv");

const COUNTIES_TSV: &str = include_str!("../../../data/gazetteer/us_counties.tsv");

const STATES_TSV: &str = include_str!("../../../data/gazetteer/us_states.tsv");

struct Place {
    state: Box<str>,
    name: Box<str>,
    lat: f64,
    lon: f64,
    population: u64,
    county_fips: Box<str>,
}

struct County {
    state: Box<str>,
    fips: Box<str>,
    name: Box<str>,
    lat: f64,
    lon: f64,
    /// `basis` of `us_counties.tsv`: `place <geonameid> <name>`, `centroid` or `pole`.
    basis: Box<str>,
}

struct StatePoint {
    usps: Box<str>,
    name: Box<str>,
    lat: f64,
    lon: f64,
}

/// Names indexed as `"{USPS}\t{key}"` so a lookup never crosses a state line.
type Index = HashMap<String, Vec<usize>>;

pub struct Gazetteer {
    places: Vec<Place>,
    counties: Vec<County>,
    states: Vec<StatePoint>,
    /// Normalised official place names.
    place_primary: Index,
    /// Names with "Township"/"City of"-style words removed, and GeoNames
    /// alternate names: a weaker signal than the official name.
    place_secondary: Index,
    /// All place keys with spaces removed ("La Plata" = "LaPlata").
    place_compact: Index,
    county_keys: Index,
    county_compact: Index,
    state_by_code: HashMap<String, usize>,
}

fn index_key(state: &str, key: &str) -> String {
    format!("{state}\t{key}")
}

fn push_unique(index: &mut Index, state: &str, key: &str, i: usize) {
    if key.is_empty() {
        return;
    }
    let v = index.entry(index_key(state, key)).or_default();
    if !v.contains(&i) {
        v.push(i);
    }
}

fn parse_f64(s: &str, what: &str) -> f64 {
    s.parse()
        .unwrap_or_else(|_| panic!("gazetteer: bad {what} {s:?}"))
}

/// Data rows of a shipped TSV (header skipped), split into `n` fields.
fn tsv_rows(text: &str, n: usize) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(move |l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert!(f.len() >= n, "gazetteer: short row {l:?}");
            f
        })
}

impl Gazetteer {
    /// The gazetteer compiled into the binary, parsed on first use.
    pub fn embedded() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(|| Gazetteer::from_tsv(PLACES_TSV, COUNTIES_TSV, STATES_TSV))
    }

    /// Builds a gazetteer from TSVs in the format written by
    /// `tools/gazetteer/build.py`. Panics on malformed input, which can only
    /// come from a broken build of the shipped files.
    pub fn from_tsv(places_tsv: &str, counties_tsv: &str, states_tsv: &str) -> Gazetteer {
        let mut g = Gazetteer {
            places: Vec::new(),
            counties: Vec::new(),
            states: Vec::new(),
            place_primary: HashMap::new(),
            place_secondary: HashMap::new(),
            place_compact: HashMap::new(),
            county_keys: HashMap::new(),
            county_compact: HashMap::new(),
            state_by_code: HashMap::new(),
        };

        for f in tsv_rows(states_tsv, 5) {
            let i = g.states.len();
            g.state_by_code.insert(f[0].to_ascii_uppercase(), i);
            g.state_by_code.insert(normalize(f[2]), i);
            g.states.push(StatePoint {
                usps: f[0].into(),
                name: f[2].into(),
                lat: parse_f64(f[3], "lat"),
                lon: parse_f64(f[4], "lon"),
            });
        }

        for f in tsv_rows(counties_tsv, 5) {
            let i = g.counties.len();
            let state = f[0];
            // Only the canonical key: the looser variants are for queries,
            // and indexing them would let "Richmond" find Richmond city.
            if let Some(key) = county_keys(f[2]).first() {
                push_unique(&mut g.county_keys, state, key, i);
                push_unique(&mut g.county_compact, state, &compact(key), i);
            }
            g.counties.push(County {
                state: state.into(),
                fips: f[1].into(),
                name: f[2].into(),
                lat: parse_f64(f[3], "lat"),
                lon: parse_f64(f[4], "lon"),
                basis: f.get(5).copied().unwrap_or("").into(),
            });
        }

        for f in tsv_rows(places_tsv, 6) {
            let i = g.places.len();
            let state = f[0];
            let full = normalize(f[1]);
            push_unique(&mut g.place_primary, state, &full, i);
            push_unique(&mut g.place_compact, state, &compact(&full), i);
            let stripped = strip_place_words(&full);
            if stripped != full {
                push_unique(&mut g.place_secondary, state, &stripped, i);
            }
            let alternates = f.get(7).copied().unwrap_or("");
            for alt in alternates.split('|').filter(|a| !a.is_empty()) {
                let alt = normalize(alt);
                push_unique(&mut g.place_secondary, state, &alt, i);
                push_unique(&mut g.place_secondary, state, &strip_place_words(&alt), i);
                push_unique(&mut g.place_compact, state, &compact(&alt), i);
            }
            g.places.push(Place {
                state: state.into(),
                name: f[1].into(),
                lat: parse_f64(f[2], "lat"),
                lon: parse_f64(f[3], "lon"),
                population: f[4].parse().unwrap_or(0),
                county_fips: f[5].into(),
            });
        }
        g
    }

    /// Locates an agency; `None` only when the state itself is unknown.
    pub fn geocode(&self, q: &GeocodeQuery) -> Option<GeocodeHit> {
        let state_idx = *self
            .state_by_code
            .get(&q.state.trim().to_ascii_uppercase())
            .or_else(|| self.state_by_code.get(&normalize(q.state)))?;
        let state = &*self.states[state_idx].usps;

        let listed_counties = q
            .county
            .map(|c| self.find_counties(state, c))
            .unwrap_or_default();
        let agency_county = county_in_agency_name(q.agency_name)
            .and_then(|name| self.find_county_words(state, &name));
        let county_fips: Vec<&str> = listed_counties
            .iter()
            .map(|&c| &*self.counties[c].fips)
            .collect();
        let city = q.city.filter(|c| !c.trim().is_empty());
        let city_place = city.and_then(|c| self.find_place(state, c, &county_fips));

        let mut flags = q
            .county
            .map(|c| self.county_flags(state, c))
            .unwrap_or_default();
        match (city, city_place) {
            (Some(_), None) => flags.push(QualityFlag::PlaceNotFoundInState),
            (Some(_), Some(p)) => {
                let fips = &*self.places[p].county_fips;
                if !county_fips.is_empty() && !fips.is_empty() && !county_fips.contains(&fips) {
                    flags.push(QualityFlag::PlaceOutsideListedCounties);
                }
            }
            (None, _) => {}
        }

        let mut hit = self.locate(q, state_idx, &listed_counties, agency_county, city_place);
        flags.extend(fallback_flags(hit.precision, q.county_level));
        flags.sort();
        flags.dedup();
        hit.flags = flags;
        Some(hit)
    }

    /// The point, by the resolution order of the module documentation.
    fn locate(
        &self,
        q: &GeocodeQuery,
        state_idx: usize,
        listed_counties: &[usize],
        agency_county: Option<usize>,
        city_place: Option<usize>,
    ) -> GeocodeHit {
        let state = &*self.states[state_idx].usps;
        if q.county_level
            && let Some(c) = agency_county.or_else(|| listed_counties.first().copied())
        {
            return self.county_hit(c);
        }
        if let Some(p) = city_place {
            return self.place_hit(p);
        }
        let county_fips: Vec<&str> = listed_counties
            .iter()
            .map(|&c| &*self.counties[c].fips)
            .collect();
        let bare = strip_agency_words(&normalize(q.agency_name));
        if !bare.is_empty()
            && let Some(p) = self.find_place(state, &bare, &county_fips)
        {
            return self.place_hit(p);
        }
        if let Some(c) = listed_counties.first().copied().or(agency_county) {
            return self.county_hit(c);
        }
        let s = &self.states[state_idx];
        GeocodeHit {
            latitude: s.lat,
            longitude: s.lon,
            precision: Precision::State,
            matched: format!("{} (state point)", s.name),
            basis: Basis::StateInterior,
            county_fips: None,
            flags: Vec::new(),
        }
    }

    /// `county_not_in_state` / `county_not_found` for a county field: each county it names
    /// (the whole text first, then its parts, as [`Self::find_counties`] reads it) that is
    /// not one of `state`'s.
    fn county_flags(&self, state: &str, text: &str) -> Vec<QualityFlag> {
        if text.trim().is_empty() || self.find_county(state, text).is_some() {
            return Vec::new();
        }
        let mut flags = Vec::new();
        let parts = text
            .split([',', ';', '/', '&'])
            .flat_map(|p| p.split(" and "))
            .filter(|p| !county_keys(p).is_empty());
        for part in parts {
            if self.find_county(state, part).is_some() {
                continue;
            }
            let elsewhere = self
                .states
                .iter()
                .any(|s| *s.usps != *state && self.find_county(&s.usps, part).is_some());
            flags.push(if elsewhere {
                QualityFlag::CountyNotInState
            } else {
                QualityFlag::CountyNotFound
            });
        }
        flags
    }

    fn place_hit(&self, i: usize) -> GeocodeHit {
        let p = &self.places[i];
        GeocodeHit {
            latitude: p.lat,
            longitude: p.lon,
            precision: Precision::Place,
            matched: format!("{}, {} (GeoNames place)", p.name, p.state),
            basis: Basis::Place,
            county_fips: (!p.county_fips.is_empty()).then(|| p.county_fips.to_string()),
            flags: Vec::new(),
        }
    }

    fn county_hit(&self, i: usize) -> GeocodeHit {
        let c = &self.counties[i];
        GeocodeHit {
            latitude: c.lat,
            longitude: c.lon,
            precision: Precision::County,
            matched: format!("{}, {} (county point)", c.name, c.state),
            basis: county_basis(&c.basis),
            county_fips: Some(c.fips.to_string()),
            flags: Vec::new(),
        }
    }

    /// Best place for a name: exact official names beat stripped or alternate
    /// names, which beat space-insensitive matches; within a tier, places in
    /// one of `counties` win, then the most populous.
    ///
    /// Only official names may land outside the listed counties (agency lists
    /// often name the wrong county, and cities straddle county lines). The
    /// looser tiers must agree with a listed county when there is one,
    /// because GeoNames alternates hold historic names: Paterson, NJ was
    /// once "Manchester", which is not where Manchester Township is.
    fn find_place(&self, state: &str, name: &str, counties: &[&str]) -> Option<usize> {
        let full = normalize(name);
        if full.is_empty() {
            return None;
        }
        let mut variants = vec![full.clone()];
        let stripped = strip_place_words(&full);
        if !stripped.is_empty() && stripped != full {
            variants.push(stripped);
        }
        let tiers = [
            (&self.place_primary, false, false),
            (&self.place_secondary, false, true),
            (&self.place_compact, true, true),
        ];
        for (index, squeeze, strict) in tiers {
            for v in &variants {
                let key = if squeeze { compact(v) } else { v.clone() };
                if let Some(found) = index
                    .get(&index_key(state, &key))
                    .and_then(|c| self.pick_place(c, counties, strict))
                {
                    return Some(found);
                }
            }
        }
        None
    }

    fn pick_place(&self, candidates: &[usize], counties: &[&str], strict: bool) -> Option<usize> {
        let in_county: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&i| counties.contains(&&*self.places[i].county_fips))
            .collect();
        let pool = if !in_county.is_empty() {
            &in_county
        } else if strict && !counties.is_empty() {
            return None;
        } else {
            candidates
        };
        // max_by_key keeps the last maximum; reverse so that ties go to the
        // first row of the sorted file, keeping results stable.
        pool.iter()
            .rev()
            .max_by_key(|&&i| self.places[i].population)
            .copied()
    }

    /// Counties named in a free-text field, in order, without duplicates.
    fn find_counties(&self, state: &str, text: &str) -> Vec<usize> {
        if let Some(c) = self.find_county(state, text) {
            return vec![c];
        }
        let mut out = Vec::new();
        let parts = text
            .split([',', ';', '/', '&'])
            .flat_map(|p| p.split(" and "));
        for part in parts {
            if let Some(c) = self.find_county(state, part)
                && !out.contains(&c)
            {
                out.push(c);
            }
        }
        out
    }

    fn find_county(&self, state: &str, name: &str) -> Option<usize> {
        let keys = county_keys(name);
        let first = |index: &Index, k: &str| index.get(&index_key(state, k)).map(|v| v[0]);
        keys.iter()
            .find_map(|k| first(&self.county_keys, k))
            .or_else(|| {
                keys.iter()
                    .find_map(|k| first(&self.county_compact, &compact(k)))
            })
    }

    /// Looks up the county for words taken from an agency name, dropping
    /// leading words until one matches: "Northern York County Regional
    /// Police" and "Athens-Clarke County Police" name York and Clarke.
    fn find_county_words(&self, state: &str, words: &str) -> Option<usize> {
        let tokens: Vec<&str> = words.split(' ').collect();
        (0..tokens.len()).find_map(|skip| {
            let name = format!("{} county", tokens[skip..].join(" "));
            self.find_county(state, &name)
        })
    }
}

/// A county point's basis as `us_counties.tsv` records it: `place <geonameid> <name>`,
/// `centroid` or `pole` (a file without the column has only geometric points).
fn county_basis(text: &str) -> Basis {
    let mut words = text.splitn(3, ' ');
    match (words.next(), words.next(), words.next()) {
        (Some("place"), Some(_id), Some(name)) => Basis::CountyPlace(name.to_string()),
        (Some("centroid"), None, None) => Basis::CountyCentroid,
        (Some("pole"), None, None) => Basis::CountyPole,
        _ => Basis::CountyInterior,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q<'a>(
        agency: &'a str,
        city: &'a str,
        county: &'a str,
        state: &'a str,
        county_level: bool,
    ) -> GeocodeQuery<'a> {
        GeocodeQuery {
            agency_name: agency,
            city: (!city.is_empty()).then_some(city),
            county: (!county.is_empty()).then_some(county),
            state,
            county_level,
        }
    }

    #[test]
    fn geocode_edge_cases() {
        let g = Gazetteer::embedded();
        // (case, query, precision, expected `matched` prefix)
        let cases = [
            (
                "plain_city",
                q(
                    "Greenfield Police Department",
                    "Greenfield",
                    "Milwaukee County",
                    "WI",
                    false,
                ),
                Precision::Place,
                "Greenfield, WI",
            ),
            (
                "same_name_disambiguated_by_county",
                q(
                    "Greenfield Police Department",
                    "Greenfield",
                    "Hancock County",
                    "IN",
                    false,
                ),
                Precision::Place,
                "Greenfield, IN",
            ),
            (
                "sheriff_uses_county_point",
                q(
                    "Ventura County Sheriff's Office",
                    "Simi Valley",
                    "Ventura County",
                    "CA",
                    true,
                ),
                Precision::County,
                "Ventura County, CA",
            ),
            (
                "sheriff_county_from_agency_name_beats_field",
                q(
                    "Henry County Sheriff's Office",
                    "Martinsville",
                    "Martinsville (city) County",
                    "VA",
                    true,
                ),
                Precision::County,
                "Henry County, VA",
            ),
            (
                "misspelt_county_field_agency_name_wins",
                q(
                    "Onondaga County Sheriff's Office",
                    "Syracuse",
                    "Onandaga County",
                    "NY",
                    true,
                ),
                Precision::County,
                "Onondaga County, NY",
            ),
            (
                "regional_agency_drops_leading_words",
                q(
                    "Northern York County Regional Police Department",
                    "Dover",
                    "York County",
                    "PA",
                    true,
                ),
                Precision::County,
                "York County, PA",
            ),
            (
                "consolidated_government_name",
                q(
                    "Athens-Clarke County Police Department",
                    "Athens",
                    "Clarke County",
                    "GA",
                    true,
                ),
                Precision::County,
                "Clarke County, GA",
            ),
            (
                "james_city_county_without_county_field",
                q(
                    "James City County Police Department",
                    "Williamsburg",
                    "",
                    "VA",
                    true,
                ),
                Precision::County,
                "James City County, VA",
            ),
            (
                "parish",
                q(
                    "Calcasieu Parish Sheriff's Office",
                    "Lake Charles",
                    "Calcasieu Parish",
                    "LA",
                    true,
                ),
                Precision::County,
                "Calcasieu Parish, LA",
            ),
            (
                "de_kalb_spacing",
                q(
                    "De Kalb County Police Department",
                    "Tucker",
                    "DeKalb County",
                    "GA",
                    true,
                ),
                Precision::County,
                "DeKalb County, GA",
            ),
            (
                "ak_municipality",
                q(
                    "Anchorage Police",
                    "",
                    "Municipality of Anchorage",
                    "AK",
                    true,
                ),
                Precision::County,
                "Anchorage Municipality, AK",
            ),
            (
                "va_independent_city_not_county",
                q(
                    "Richmond Sheriff's Office",
                    "",
                    "City of Richmond",
                    "VA",
                    true,
                ),
                Precision::County,
                "Richmond city, VA",
            ),
            (
                "va_county_not_independent_city",
                q("Richmond County Sheriff", "", "Richmond County", "VA", true),
                Precision::County,
                "Richmond County, VA",
            ),
            (
                "saint_abbreviation",
                q(
                    "St. Charles Police Department",
                    "St. Charles",
                    "Kane County",
                    "IL",
                    false,
                ),
                Precision::Place,
                "St. Charles, IL",
            ),
            (
                "township_of_prefix",
                q(
                    "Township of Kalamazoo Police",
                    "Township of Kalamazoo",
                    "Kalamazoo County",
                    "MI",
                    false,
                ),
                Precision::Place,
                "Kalamazoo, MI",
            ),
            (
                "twp_suffix",
                q("Kalamazoo Twp Police", "Kalamazoo Twp", "", "MI", false),
                Precision::Place,
                "Kalamazoo, MI",
            ),
            (
                "city_of_prefix",
                q("Police", "City of Cape Coral", "", "FL", false),
                Precision::Place,
                "Cape Coral, FL",
            ),
            (
                "fort_abbreviation",
                q("Police", "Ft. Myers", "", "FL", false),
                Precision::Place,
                "Fort Myers, FL",
            ),
            (
                "mount_abbreviation",
                q("Police", "Mt. Prospect", "", "IL", false),
                Precision::Place,
                "Mount Prospect, IL",
            ),
            (
                "compact_spacing",
                q("Police", "LaPlata", "", "MD", false),
                Precision::Place,
                "La Plata, MD",
            ),
            (
                "agency_name_when_city_unknown",
                q(
                    "Greenfield Police Department",
                    "Nowhereville",
                    "",
                    "WI",
                    false,
                ),
                Precision::Place,
                "Greenfield, WI",
            ),
            (
                "unknown_city_falls_back_to_county",
                q("Nowhere PD", "Nowhereville", "Dane County", "WI", false),
                Precision::County,
                "Dane County, WI",
            ),
            (
                "several_counties_first_that_resolves",
                q(
                    "Nowhere PD",
                    "Nowhereville",
                    "Atlantis County, Fulton County",
                    "GA",
                    false,
                ),
                Precision::County,
                "Fulton County, GA",
            ),
            (
                "nothing_known_state_point",
                q("Nowhere PD", "Nowhereville", "", "WI", false),
                Precision::State,
                "Wisconsin",
            ),
            (
                "state_full_name",
                q("Nowhere PD", "", "", "wisconsin", false),
                Precision::State,
                "Wisconsin",
            ),
        ];
        for (case, query, precision, matched) in cases {
            let hit = g
                .geocode(&query)
                .unwrap_or_else(|| panic!("{case}: no hit"));
            assert_eq!(hit.precision, precision, "{case}: {hit:?}");
            assert!(hit.matched.starts_with(matched), "{case}: {hit:?}");
        }
    }

    #[test]
    fn a_county_point_says_it_is_the_town_it_was_snapped_to() {
        let g = Gazetteer::embedded();
        // (case, query, basis)
        let cases = [
            (
                "snapped_to_a_place",
                q("Ventura County Sheriff", "", "Ventura County", "CA", true),
                Basis::CountyPlace("Santa Paula".into()),
            ),
            (
                "centroid_kept",
                q("Nome Police", "", "Nome Census Area", "AK", true),
                Basis::CountyCentroid,
            ),
            (
                "pole_of_inaccessibility",
                q(
                    "Ketchikan Police",
                    "",
                    "Ketchikan Gateway Borough",
                    "AK",
                    true,
                ),
                Basis::CountyPole,
            ),
            (
                "a_place_is_itself",
                q(
                    "Greenfield PD",
                    "Greenfield",
                    "Milwaukee County",
                    "WI",
                    false,
                ),
                Basis::Place,
            ),
            (
                "state_point",
                q("Nowhere PD", "Nowhereville", "", "WI", false),
                Basis::StateInterior,
            ),
        ];
        for (case, query, basis) in cases {
            let hit = g.geocode(&query).unwrap();
            assert_eq!(hit.basis, basis, "{case}: {hit:?}");
        }
        // The basis names a place whose coordinates the county point is.
        let hit = g.geocode(&cases_ventura()).unwrap();
        let santa_paula = g
            .geocode(&q("Police", "Santa Paula", "", "CA", false))
            .unwrap();
        assert_eq!(
            (hit.latitude, hit.longitude),
            (santa_paula.latitude, santa_paula.longitude)
        );
    }

    fn cases_ventura() -> GeocodeQuery<'static> {
        q("Ventura County Sheriff", "", "Ventura County", "CA", true)
    }

    #[test]
    fn quality_flags_edge_cases() {
        use QualityFlag::*;
        let g = Gazetteer::embedded();
        let cases = [
            (
                "all_consistent",
                q(
                    "Greenfield PD",
                    "Greenfield",
                    "Milwaukee County",
                    "WI",
                    false,
                ),
                vec![],
            ),
            (
                "wall_township_filed_under_nh",
                q(
                    "Wall Township Police Department",
                    "Wall",
                    "Monmouth County",
                    "NH",
                    false,
                ),
                vec![
                    CountyNotInState,
                    PlaceNotFoundInState,
                    LocationStateFallback,
                ],
            ),
            (
                "misspelt_county",
                q(
                    "Onondaga County Sheriff's Office",
                    "Syracuse",
                    "Onandaga County",
                    "NY",
                    true,
                ),
                vec![CountyNotFound],
            ),
            (
                "one_bad_county_in_a_list",
                q(
                    "Houston PD",
                    "Houston",
                    "Harris County, Monmouth County",
                    "TX",
                    false,
                ),
                vec![CountyNotInState],
            ),
            (
                "unknown_city_county_fallback",
                q("Nowhere PD", "Nowhereville", "Dane County", "WI", false),
                vec![PlaceNotFoundInState, LocationCountyFallback],
            ),
            (
                "sheriff_at_county_point_is_no_fallback",
                q("Dane County Sheriff", "", "Dane County", "WI", true),
                vec![],
            ),
            (
                "place_in_another_county",
                q("Greenfield PD", "Greenfield", "Dane County", "WI", false),
                vec![PlaceOutsideListedCounties],
            ),
            (
                "no_city_no_county_state_point",
                q("Nowhere PD", "", "", "WI", false),
                vec![LocationStateFallback],
            ),
        ];
        for (case, query, flags) in cases {
            let hit = g.geocode(&query).unwrap();
            assert_eq!(hit.flags, flags, "{case}: {hit:?}");
        }
    }

    #[test]
    fn unknown_state_gives_none() {
        let hit = Gazetteer::embedded().geocode(&q("X PD", "Springfield", "", "ZZ", false));
        assert_eq!(hit, None);
    }

    #[test]
    fn county_hits_carry_fips() {
        let hit = Gazetteer::embedded()
            .geocode(&q("Dane County Sheriff", "", "", "WI", true))
            .unwrap();
        assert_eq!(hit.county_fips.as_deref(), Some("55025"));
    }

    mod atlas {
        //! Runs the geocoder over the real EFF Atlas of Surveillance Ring rows
        //! and checks every point against Census state outlines.

        use super::super::*;
        use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};
        use std::collections::BTreeMap;
        use std::path::{Path, PathBuf};

        const ATLAS_CSV: &str =
            "eff_atlas_of_surveillance_20201007/Atlas of Surveillance-20201007.csv";
        const STATES_GEOJSON: &str = "census_cb_2010_geojson/gz_2010_us_040_00_500k.json";

        /// A file of the project's read-only reference data, wherever this
        /// checkout sits: `$SHARED_DATA_DIR`, a `shared/data` beside the
        /// repository (as CI lays it out), or the workstation path.
        fn shared_data(rel: &str) -> Option<PathBuf> {
            let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
            std::env::var_os("SHARED_DATA_DIR")
                .map(PathBuf::from)
                .into_iter()
                .chain([
                    manifest.join("../shared/data"),
                    PathBuf::from("/work/shared/data"),
                ])
                .map(|dir| dir.join(rel))
                .find(|p| p.exists())
        }

        // Independent of the gazetteer's own table on purpose.
        #[rustfmt::skip]
        const USPS_FIPS: &[(&str, &str)] = &[
            ("AL", "01"), ("AK", "02"), ("AZ", "04"), ("AR", "05"), ("CA", "06"),
            ("CO", "08"), ("CT", "09"), ("DE", "10"), ("DC", "11"), ("FL", "12"),
            ("GA", "13"), ("HI", "15"), ("ID", "16"), ("IL", "17"), ("IN", "18"),
            ("IA", "19"), ("KS", "20"), ("KY", "21"), ("LA", "22"), ("ME", "23"),
            ("MD", "24"), ("MA", "25"), ("MI", "26"), ("MN", "27"), ("MS", "28"),
            ("MO", "29"), ("MT", "30"), ("NE", "31"), ("NV", "32"), ("NH", "33"),
            ("NJ", "34"), ("NM", "35"), ("NY", "36"), ("NC", "37"), ("ND", "38"),
            ("OH", "39"), ("OK", "40"), ("OR", "41"), ("PA", "42"), ("RI", "44"),
            ("SC", "45"), ("SD", "46"), ("TN", "47"), ("TX", "48"), ("UT", "49"),
            ("VT", "50"), ("VA", "51"), ("WA", "53"), ("WV", "54"), ("WI", "55"),
            ("WY", "56"), ("PR", "72"),
        ];

        fn ring(v: &serde_json::Value) -> LineString<f64> {
            v.as_array()
                .expect("ring")
                .iter()
                .map(|p| Coord {
                    x: p[0].as_f64().expect("x"),
                    y: p[1].as_f64().expect("y"),
                })
                .collect()
        }

        fn polygon(v: &serde_json::Value) -> Polygon<f64> {
            let rings = v.as_array().expect("polygon");
            Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect())
        }

        fn state_shapes(path: &Path) -> BTreeMap<String, MultiPolygon<f64>> {
            let text = std::fs::read_to_string(path).expect("states GeoJSON");
            let fc: serde_json::Value = serde_json::from_str(&text).expect("GeoJSON");
            let mut out = BTreeMap::new();
            for f in fc["features"].as_array().expect("features") {
                let fips = f["properties"]["STATE"]
                    .as_str()
                    .expect("STATE")
                    .to_string();
                let geom = &f["geometry"];
                let coords = &geom["coordinates"];
                let mp = match geom["type"].as_str() {
                    Some("Polygon") => MultiPolygon(vec![polygon(coords)]),
                    Some("MultiPolygon") => MultiPolygon(
                        coords
                            .as_array()
                            .expect("parts")
                            .iter()
                            .map(polygon)
                            .collect(),
                    ),
                    other => panic!("unexpected geometry {other:?}"),
                };
                out.insert(fips, mp);
            }
            out
        }

        fn usps_fips(usps: &str) -> Option<&'static str> {
            USPS_FIPS.iter().find(|(u, _)| *u == usps).map(|(_, f)| *f)
        }

        #[test]
        fn every_county_and_state_point_is_inside_its_state() {
            let Some(states) = shared_data(STATES_GEOJSON) else {
                eprintln!("skipping: shared reference data not present");
                return;
            };
            let shapes = state_shapes(&states);
            let g = Gazetteer::embedded();
            let points = g
                .counties
                .iter()
                .map(|c| (&c.state, format!("{} {}", c.fips, c.name), c.lat, c.lon))
                .chain(
                    g.states
                        .iter()
                        .map(|s| (&s.usps, s.name.to_string(), s.lat, s.lon)),
                );
            let mut checked = 0;
            let mut outside = Vec::new();
            for (usps, what, lat, lon) in points {
                // Territories other than PR have no outline in the 2010 file.
                let Some(shape) = usps_fips(usps).and_then(|f| shapes.get(f)) else {
                    continue;
                };
                checked += 1;
                if !shape.contains(&Point::new(lon, lat)) {
                    outside.push(format!("{usps} {what} ({lat}, {lon})"));
                }
            }
            assert!(checked > 3200, "only {checked} points checked");
            assert!(
                outside.is_empty(),
                "outside own state:\n{}",
                outside.join("\n")
            );
        }

        #[test]
        fn ring_rows_geocode_inside_their_state() {
            let (Some(atlas), Some(states)) = (shared_data(ATLAS_CSV), shared_data(STATES_GEOJSON))
            else {
                eprintln!("skipping: shared reference data not present");
                return;
            };
            let shapes = state_shapes(&states);
            let g = Gazetteer::embedded();
            let mut rdr = csv::Reader::from_path(atlas).expect("atlas csv");
            let headers = rdr.headers().expect("headers").clone();
            let col = |name: &str| {
                headers
                    .iter()
                    .position(|h| h == name)
                    .unwrap_or_else(|| panic!("column {name}"))
            };
            let (c_id, c_city, c_county, c_state, c_agency, c_lea, c_juris, c_tech) = (
                col("AOSNUMBER"),
                col("City"),
                col("County"),
                col("State"),
                col("Agency"),
                col("Type of LEA"),
                col("Type of Juris"),
                col("Technology"),
            );

            let mut total = 0;
            let mut by_precision: BTreeMap<Precision, usize> = BTreeMap::new();
            let mut not_fine = Vec::new();
            let mut outside = Vec::new();
            for rec in rdr.records() {
                let rec = rec.expect("record");
                if &rec[c_tech] != "Ring/Neighbors Partnership" {
                    continue;
                }
                total += 1;
                let juris = &rec[c_juris];
                let lea = &rec[c_lea];
                let query = GeocodeQuery {
                    agency_name: &rec[c_agency],
                    city: Some(&rec[c_city]),
                    county: Some(&rec[c_county]),
                    state: &rec[c_state],
                    county_level: matches!(juris, "County" | "Parish") || lea == "Sheriff",
                };
                let row = format!(
                    "{} | {} | {} | {} | {} | {lea}/{juris}",
                    &rec[c_id], &rec[c_agency], &rec[c_city], &rec[c_county], &rec[c_state]
                );
                let Some(hit) = g.geocode(&query) else {
                    not_fine.push(format!("{row} -> no hit"));
                    continue;
                };
                *by_precision.entry(hit.precision).or_default() += 1;
                if hit.precision == Precision::State {
                    not_fine.push(format!("{row} -> {}", hit.matched));
                }
                let fips = usps_fips(&rec[c_state]).unwrap_or_else(|| panic!("no FIPS for {row}"));
                let pt = Point::new(hit.longitude, hit.latitude);
                if !shapes[fips].contains(&pt) {
                    outside.push(format!("{row} -> {} ({pt:?})", hit.matched));
                }
            }
            eprintln!("atlas ring rows: {total}, by precision: {by_precision:?}");
            for r in &not_fine {
                eprintln!("  not place/county: {r}");
            }
            assert_eq!(total, 1501);
            let fine = total - not_fine.len();
            assert!(
                fine >= 1455,
                "only {fine} of {total} at place/county precision"
            );
            assert!(
                outside.is_empty(),
                "outside own state:\n{}",
                outside.join("\n")
            );
        }
    }
}
