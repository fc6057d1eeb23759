//! Snapshots of Ring's Active Agency Map (`import ring-map`). Pure: this reads a KML export
//! and matches its placemarks to agencies; the service plans and writes the changes.
//!
//! Ring publishes its partner agencies as a Google My Maps map; its KML export is a
//! `Document` of `Placemark`s (possibly inside `Folder`s), each with the agency's `name`,
//! an `address` such as `Greenfield, WI`, a `Point` whose `coordinates` are
//! `lon,lat[,alt]`, and `ExtendedData` whose `Data name="..."` elements hold the activation
//! date and, in older exports, a quarterly video-request count. The count's quarter is read
//! from the field's name (`Video Requests Q1 2020`); a count whose period the file does not
//! state is reported and not recorded, never given a guessed period.

use crate::domain::{Agency, AgencyType, JurisdictionType, PartialDate, StateCode};
use crate::import::geocode::normalize;
use sha2::{Digest, Sha256};
use time::{Date, Month};

/// What is wrong with the file, and in which placemark (1-based, in file order).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", placemark_label(*.placemark, .name.as_deref()))]
pub struct KmlError {
    pub placemark: Option<usize>,
    pub name: Option<String>,
    pub message: String,
}

fn placemark_label(n: Option<usize>, name: Option<&str>) -> String {
    match (n, name) {
        (Some(n), Some(name)) => format!("placemark {n} (`{name}`): "),
        (Some(n), None) => format!("placemark {n}: "),
        _ => String::new(),
    }
}

/// A video-request count and the period it counts, as the file states them.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoCount {
    pub count: u32,
    /// The first and last month of the quarter; `None` when the file does not say.
    pub period: Option<(PartialDate, PartialDate)>,
}

/// One placemark, checked for form.
#[derive(Clone, Debug, PartialEq)]
pub struct Placemark {
    /// 1-based, in file order.
    pub index: usize,
    pub name: String,
    /// The address as written (`Greenfield, WI`), empty when absent.
    pub address: String,
    pub longitude: f64,
    pub latitude: f64,
    pub activated: Option<Date>,
    pub video_requests: Option<VideoCount>,
}

impl Placemark {
    /// The city and state of the address (`Greenfield, WI`): the last part is the state (a
    /// USPS code or a state's name), the one before it the city.
    pub fn place(&self) -> (Option<String>, Option<StateCode>) {
        let parts: Vec<&str> = self
            .address
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let Some(last) = parts.last() else {
            return (None, None);
        };
        // "WI 53220": a ZIP code after the state.
        let state_text = last
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '-' || c == ' ')
            .trim();
        let state = state_text.parse::<StateCode>().ok().or_else(|| {
            crate::domain::ids::STATE_CODES
                .iter()
                .find(|(_, name)| name.eq_ignore_ascii_case(state_text))
                .and_then(|(code, _)| code.parse().ok())
        });
        let city = (parts.len() >= 2).then(|| parts[parts.len() - 2].to_string());
        (city, state)
    }
}

/// A whole snapshot file.
#[derive(Clone, Debug)]
pub struct MapFile {
    pub placemarks: Vec<Placemark>,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
}

fn local<'a>(node: roxmltree::Node<'a, '_>) -> &'a str {
    node.tag_name().name()
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && local(*c) == name)
}

/// An element's text, cleaned as every imported field is (`import::text`: no invisible or
/// control characters, plain spaces, whitespace trimmed and collapsed, `#N/A` empty).
fn text_of(node: roxmltree::Node<'_, '_>) -> String {
    let raw = node
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<String>();
    super::text::clean(&raw, false).0.into_owned()
}

/// Reads a snapshot file; the first problem found is the error, naming the placemark.
pub fn read(bytes: &[u8]) -> Result<MapFile, KmlError> {
    let whole = |message: String| KmlError {
        placemark: None,
        name: None,
        message,
    };
    let text = std::str::from_utf8(bytes)
        .map_err(|e| whole(format!("the file is not UTF-8 text: {e}")))?;
    let doc = roxmltree::Document::parse(text).map_err(|e| whole(format!("not valid XML: {e}")))?;
    let root = doc.root_element();
    if local(root) != "kml" {
        return Err(whole(format!(
            "the root element is `{}`, not `kml`: is this a KML export?",
            local(root)
        )));
    }
    let Some(document) = child(root, "Document") else {
        return Err(whole("the `kml` element holds no `Document`".into()));
    };
    let mut placemarks = Vec::new();
    for (i, node) in document
        .descendants()
        .filter(|n| n.is_element() && local(*n) == "Placemark")
        .enumerate()
    {
        placemarks.push(read_placemark(node, i + 1)?);
    }
    if placemarks.is_empty() {
        return Err(whole("the document holds no placemarks".into()));
    }
    Ok(MapFile {
        placemarks,
        sha256: hex::encode(Sha256::digest(bytes)),
    })
}

fn read_placemark(node: roxmltree::Node<'_, '_>, index: usize) -> Result<Placemark, KmlError> {
    let name = child(node, "name").map(text_of).filter(|n| !n.is_empty());
    let err = |message: String| KmlError {
        placemark: Some(index),
        name: name.clone(),
        message,
    };
    let Some(name_text) = name.clone() else {
        return Err(err("it has no `name`".into()));
    };
    let address = child(node, "address").map(text_of).unwrap_or_default();
    let coordinates = child(node, "Point")
        .and_then(|p| child(p, "coordinates"))
        .map(text_of)
        .ok_or_else(|| err("it has no `Point/coordinates`".into()))?;
    let (longitude, latitude) = parse_coordinates(&coordinates).map_err(err)?;

    let mut activated = None;
    let mut video_requests = None;
    if let Some(extended) = child(node, "ExtendedData") {
        // `Data name=".."><value>` (My Maps) or `SchemaData/SimpleData name=".."`.
        let fields = extended.descendants().filter_map(|n| match local(n) {
            "Data" if n.is_element() => Some((
                n.attribute("name").unwrap_or_default().to_string(),
                child(n, "value").map(text_of).unwrap_or_default(),
            )),
            "SimpleData" if n.is_element() => Some((
                n.attribute("name").unwrap_or_default().to_string(),
                text_of(n),
            )),
            _ => None,
        });
        for (field, value) in fields {
            let key = field.to_ascii_lowercase();
            if value.is_empty() {
                continue;
            }
            if key.contains("video") || key.contains("request") {
                let count = value.replace(',', "").parse::<u32>().map_err(|_| {
                    err(format!(
                        "`{field}` is `{value}`, not a count of video requests"
                    ))
                })?;
                video_requests = Some(VideoCount {
                    count,
                    period: quarter_in(&key),
                });
            } else if key.contains("activ") || key.contains("date") {
                activated = Some(parse_day(&value).ok_or_else(|| {
                    err(format!(
                        "`{field}` is `{value}`, not a date (YYYY-MM-DD or M/D/YYYY)"
                    ))
                })?);
            }
        }
    }
    Ok(Placemark {
        index,
        name: name_text,
        address,
        longitude,
        latitude,
        activated,
        video_requests,
    })
}

fn parse_coordinates(text: &str) -> Result<(f64, f64), String> {
    let bad = || format!("`{text}` is not a point: use lon,lat[,alt]");
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if !(2..=3).contains(&parts.len()) {
        return Err(bad());
    }
    let lon: f64 = parts[0].parse().map_err(|_| bad())?;
    let lat: f64 = parts[1].parse().map_err(|_| bad())?;
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(format!(
            "`{text}` is off the globe: longitude -180..180, latitude -90..90"
        ));
    }
    Ok((lon, lat))
}

/// `2019-03-22`, or `3/22/2019` as US spreadsheets write it.
pub fn parse_day(text: &str) -> Option<Date> {
    let text = text.trim();
    let nums: Vec<&str> = text.split(['-', '/']).collect();
    if nums.len() != 3 || nums.iter().any(|n| n.is_empty() || n.len() > 4) {
        return None;
    }
    let n: Vec<u32> = nums.iter().map(|n| n.parse().ok()).collect::<Option<_>>()?;
    let (y, m, d) = if text.contains('-') && nums[0].len() == 4 {
        (n[0], n[1], n[2])
    } else if text.contains('/') && nums[2].len() == 4 {
        (n[2], n[0], n[1])
    } else {
        return None;
    };
    let month = Month::try_from(u8::try_from(m).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?).ok()
}

/// The quarter a field's name states: `q1 2020`, `2020 q1`, `2020-q1`.
fn quarter_in(name: &str) -> Option<(PartialDate, PartialDate)> {
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let quarter = |w: &str| -> Option<u8> {
        let q = w.strip_prefix('q')?.parse::<u8>().ok()?;
        (1..=4).contains(&q).then_some(q)
    };
    let year = |w: &str| -> Option<i32> {
        (w.len() == 4)
            .then(|| w.parse::<i32>().ok())
            .flatten()
            .filter(|y| (1990..=2999).contains(y))
    };
    for pair in words.windows(2) {
        let found = match (quarter(&pair[0]), year(&pair[1])) {
            (Some(q), Some(y)) => Some((q, y)),
            _ => match (year(&pair[0]), quarter(&pair[1])) {
                (Some(y), Some(q)) => Some((q, y)),
                _ => None,
            },
        };
        if let Some((q, y)) = found {
            let first = Month::try_from(3 * q - 2).ok()?;
            let last = Month::try_from(3 * q).ok()?;
            return Some((PartialDate::month(y, first)?, PartialDate::month(y, last)?));
        }
    }
    None
}

/// An agency's name as placemarks and records are compared by: lower-case words,
/// punctuation folded, common abbreviations written out.
pub fn normalise_name(name: &str) -> String {
    normalize(name)
        .split(' ')
        .flat_map(|w| match w {
            "dept" | "dep" => vec!["department"],
            "pd" => vec!["police", "department"],
            "so" => vec!["sheriffs", "office"],
            "sheriff" => vec!["sheriffs"],
            "co" | "cnty" => vec!["county"],
            "the" => vec![],
            other => vec![other],
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What kind of agency a name says it is (Ring's map gives nothing else).
pub fn kind_from_name(name: &str) -> (AgencyType, JurisdictionType) {
    let n = format!(" {} ", normalise_name(name));
    let has = |w: &str| n.contains(&format!(" {w} "));
    let agency = if has("sheriffs") {
        AgencyType::Sheriff
    } else if has("police") || has("public safety") || has("marshal") || has("patrol") {
        AgencyType::Police
    } else if has("fire") {
        AgencyType::Fire
    } else if has("constable") || has("constables") {
        AgencyType::Constable
    } else if has("district attorney") {
        AgencyType::DistrictAttorney
    } else {
        AgencyType::Other
    };
    let jurisdiction = if has("university") || has("college") {
        JurisdictionType::University
    } else if has("state police") || has("state patrol") || has("highway patrol") {
        JurisdictionType::State
    } else if has("parish") {
        JurisdictionType::Parish
    } else if has("county") || agency == AgencyType::Sheriff {
        JurisdictionType::County
    } else if matches!(agency, AgencyType::Police | AgencyType::Fire) {
        JurisdictionType::Municipal
    } else {
        JurisdictionType::Other
    };
    (agency, jurisdiction)
}

/// How a placemark matched the agencies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    /// This agency (its id).
    Agency(String),
    /// No agency of this name in the state: a new one.
    New(StateCode),
    /// Not matched; the reason says why.
    Unmatched(String),
}

/// Agencies by state and normalised name, as placemarks are matched to them.
#[derive(Default)]
pub struct NameIndex<'a> {
    by_name: std::collections::HashMap<(&'static str, String), Vec<&'a Agency>>,
}

impl<'a> NameIndex<'a> {
    pub fn new(agencies: impl IntoIterator<Item = &'a Agency>) -> Self {
        let mut by_name: std::collections::HashMap<_, Vec<&'a Agency>> = Default::default();
        for a in agencies {
            by_name
                .entry((a.state.as_str(), normalise_name(&a.name)))
                .or_default()
                .push(a);
        }
        Self { by_name }
    }
}

/// Matches a placemark to an agency: by normalised name and state, then, when several
/// agencies share the name, by the address's city.
pub fn match_placemark(p: &Placemark, index: &NameIndex<'_>) -> Match {
    let (city, state) = p.place();
    let Some(state) = state else {
        return Match::Unmatched(if p.address.is_empty() {
            "it has no address, so no state to match in".into()
        } else {
            format!("the address `{}` names no US state", p.address)
        });
    };
    let same: &[&Agency] = index
        .by_name
        .get(&(state.as_str(), normalise_name(&p.name)))
        .map_or(&[], Vec::as_slice);
    match same {
        [] => Match::New(state),
        [one] => Match::Agency(one.id.clone()),
        several => {
            let city = city.as_deref().map(normalize);
            let in_city: Vec<&&Agency> = several
                .iter()
                .filter(|a| city.is_some() && a.city.as_deref().map(normalize) == city)
                .collect();
            match in_city.as_slice() {
                [one] => Match::Agency(one.id.clone()),
                _ => Match::Unmatched(format!(
                    "{} agencies in {state} are named so ({}) and the address does not tell them apart",
                    several.len(),
                    several
                        .iter()
                        .map(|a| a.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kml(placemarks: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Active Agency Map</name>{placemarks}</Document></kml>"#
        )
    }

    fn placemark(name: &str, address: &str, coords: &str, data: &str) -> String {
        format!(
            "<Placemark><name>{name}</name><address>{address}</address>\
             <ExtendedData>{data}</ExtendedData><Point><coordinates>{coords}</coordinates></Point></Placemark>"
        )
    }

    #[test]
    fn a_placemark_reads_into_its_parts() {
        let text = kml(&placemark(
            "Greenfield Police Department",
            "Greenfield, WI",
            "-87.99,42.96,0",
            r#"<Data name="Activation Date"><value>3/22/2018</value></Data>
               <Data name="Video Requests Q4 2019"><value>1,204</value></Data>"#,
        ));
        let file = read(text.as_bytes()).unwrap();
        let p = &file.placemarks[0];
        assert_eq!(p.index, 1);
        assert_eq!(p.activated, Some(time::macros::date!(2018 - 03 - 22)));
        assert_eq!((p.longitude, p.latitude), (-87.99, 42.96));
        let v = p.video_requests.as_ref().unwrap();
        assert_eq!(v.count, 1204);
        let (from, to) = v.period.unwrap();
        assert_eq!(
            (from.to_string(), to.to_string()),
            ("2019-10".into(), "2019-12".into())
        );
        let (city, state) = p.place();
        assert_eq!(
            (city.as_deref(), state.map(|s| s.as_str())),
            (Some("Greenfield"), Some("WI"))
        );
        assert_eq!(file.sha256.len(), 64);
    }

    #[test]
    fn a_count_without_a_stated_quarter_has_no_period() {
        let text = kml(&placemark(
            "A PD",
            "A, Texas",
            "-97,31",
            r#"<Data name="Video Requests"><value>7</value></Data>"#,
        ));
        let p = &read(text.as_bytes()).unwrap().placemarks[0];
        assert_eq!(p.video_requests.as_ref().unwrap().period, None);
        assert_eq!(p.place().1.map(|s| s.as_str()), Some("TX"));
    }

    #[test]
    fn each_malformed_placemark_is_named() {
        let good = placemark("Good PD", "Good, WI", "-88,43", "");
        let cases = [
            (placemark("Bad PD", "Bad, WI", "-88", ""), Some("Bad PD")),
            (
                placemark("Bad PD", "Bad, WI", "west,43", ""),
                Some("Bad PD"),
            ),
            (
                placemark("Bad PD", "Bad, WI", "-88,143", ""),
                Some("Bad PD"),
            ),
            (
                placemark(
                    "Bad PD",
                    "Bad, WI",
                    "-88,43",
                    r#"<Data name="Activation Date"><value>soon</value></Data>"#,
                ),
                Some("Bad PD"),
            ),
            (
                placemark(
                    "Bad PD",
                    "Bad, WI",
                    "-88,43",
                    r#"<Data name="Video Requests Q1 2020"><value>many</value></Data>"#,
                ),
                Some("Bad PD"),
            ),
            (
                "<Placemark><address>X, WI</address></Placemark>".to_string(),
                None,
            ),
        ];
        for (bad, name) in cases {
            let text = kml(&format!("{good}{bad}"));
            let e = read(text.as_bytes()).expect_err(&bad);
            assert_eq!(e.placemark, Some(2), "{bad}: {e}");
            assert_eq!(e.name.as_deref(), name, "{bad}: {e}");
            assert!(e.to_string().starts_with("placemark 2"), "{e}");
        }
    }

    #[test]
    fn a_broken_or_foreign_file_is_refused_whole() {
        for text in ["<kml><Document>", "<gpx></gpx>", &kml(""), "\u{0}"] {
            let e = read(text.as_bytes()).expect_err(text);
            assert_eq!(e.placemark, None, "{e}");
        }
    }

    #[test]
    fn names_match_across_spellings() {
        assert_eq!(
            normalise_name("Greenfield Police Dept."),
            normalise_name("GREENFIELD POLICE DEPARTMENT")
        );
        assert_eq!(
            normalise_name("St. Mary's County Sheriff's Office"),
            normalise_name("Saint Marys County Sheriff Office")
        );
        assert_ne!(
            normalise_name("Greenfield PD"),
            normalise_name("Greenwood PD")
        );
    }

    #[test]
    fn a_name_says_what_kind_of_agency_it_is() {
        assert_eq!(
            kind_from_name("Cook County Sheriff's Office"),
            (AgencyType::Sheriff, JurisdictionType::County)
        );
        assert_eq!(
            kind_from_name("Greenfield Police Department"),
            (AgencyType::Police, JurisdictionType::Municipal)
        );
        assert_eq!(
            kind_from_name("Lakeview Fire Rescue"),
            (AgencyType::Fire, JurisdictionType::Municipal)
        );
        assert_eq!(
            kind_from_name("Office of Emergency Management"),
            (AgencyType::Other, JurisdictionType::Other)
        );
    }

    #[test]
    fn quarters_are_read_from_field_names() {
        assert!(quarter_in("video requests (q2 2020)").is_some());
        assert!(quarter_in("2020-q3 requests").is_some());
        assert!(quarter_in("video requests").is_none());
        assert!(quarter_in("q5 2020").is_none());
    }
}
