//! Names as the gazetteer compares them: normalised words, municipal and agency words
//! stripped, and the lookup keys of a county name.

/// The words before "County"/"Parish"/"Borough" in an agency name, if any.
pub(super) fn county_in_agency_name(agency: &str) -> Option<String> {
    let n = normalize(agency);
    let tokens: Vec<&str> = n.split(' ').collect();
    let pos = tokens
        .iter()
        .position(|t| matches!(*t, "county" | "parish" | "borough"))?;
    (pos > 0).then(|| tokens[..pos].join(" "))
}

/// [`crate::domain::text::fold_words`] with `&` as "and" and common abbreviations expanded,
/// so that "St. Mary's", "Saint Marys" and "ST MARYS" compare equal.
pub fn normalize(s: &str) -> String {
    let flat = crate::domain::text::fold_words(&s.replace('&', " and "));
    let words: Vec<&str> = flat
        .split_whitespace()
        .map(|w| match w {
            "st" => "saint",
            "ste" => "sainte",
            "ft" => "fort",
            "mt" => "mount",
            "twp" | "twsp" | "twnshp" => "township",
            "vlg" => "village",
            "boro" => "borough",
            other => other,
        })
        .collect();
    words.join(" ")
}

pub(super) fn compact(key: &str) -> String {
    key.replace(' ', "")
}

fn strip_prefix_words<'a>(s: &'a str, prefixes: &[&str]) -> &'a str {
    for p in prefixes {
        if let Some(rest) = s.strip_prefix(p).and_then(|r| r.strip_prefix(' ')) {
            return rest;
        }
    }
    s
}

fn strip_suffix_words<'a>(s: &'a str, suffixes: &[&str]) -> &'a str {
    for suf in suffixes {
        if let Some(rest) = s.strip_suffix(suf).and_then(|r| r.strip_suffix(' ')) {
            return rest;
        }
    }
    s
}

/// Removes the municipal-form words that agency lists add and GeoNames
/// leaves out: "Township of Ocean" and "Ocean Township" both give "ocean".
pub(super) fn strip_place_words(key: &str) -> String {
    const PREFIXES: &[&str] = &[
        "charter township of",
        "township of",
        "city of",
        "town of",
        "village of",
        "borough of",
        "the",
    ];
    // "Center" covers New England CDPs such as "Simsbury Center", which
    // GeoNames lists where agency lists say "Simsbury".
    const SUFFIXES: &[&str] = &[
        "charter township",
        "township",
        "city",
        "village",
        "town",
        "borough",
        "center",
    ];
    let s = strip_prefix_words(key, PREFIXES);
    let s = strip_suffix_words(s, SUFFIXES);
    if s.is_empty() { key } else { s }.to_string()
}

/// Reduces a normalised agency name to the place it serves:
/// "greenfield police department" -> "greenfield".
pub(super) fn strip_agency_words(key: &str) -> String {
    const SUFFIXES: &[&str] = &[
        "department of public safety",
        "dept of public safety",
        "public safety department",
        "division of police",
        "police department",
        "police dept",
        "police division",
        "police services",
        "police service",
        "police bureau",
        "police force",
        "sheriffs office",
        "sheriffs department",
        "sheriff office",
        "sheriff department",
        "marshals office",
        "marshal office",
        "constables office",
        "public safety",
        "police",
        "sheriffs",
        "sheriff",
        "marshal",
        "pd",
        "dps",
        "department",
        "regional",
    ];
    let mut s = key;
    loop {
        let next = strip_suffix_words(s, SUFFIXES);
        if next == s {
            break;
        }
        s = next;
    }
    if s == key {
        String::new()
    } else {
        s.to_string()
    }
}

/// Lookup keys for a county name, most specific first. The designation
/// ("County", "Parish", "Borough", "Census Area", "Municipality") is dropped,
/// but Virginia-style independent cities keep a trailing "city" so that
/// "Richmond city" and "City of Richmond" never match Richmond County.
pub(super) fn county_keys(name: &str) -> Vec<String> {
    const PREFIXES: &[&str] = &[
        "city and borough of",
        "municipality of",
        "borough of",
        "parish of",
        "county of",
    ];
    const SUFFIXES: &[&str] = &[
        "city and borough",
        "census area",
        "county",
        "parish",
        "borough",
        "municipality",
        "municipio",
    ];
    let n = normalize(name);
    let (is_city, rest) = match n.strip_prefix("city of ") {
        Some(rest) => (true, rest),
        None => (false, n.as_str()),
    };
    let rest = strip_prefix_words(rest, PREFIXES);
    let rest = strip_suffix_words(rest, SUFFIXES);
    if rest.is_empty() {
        return Vec::new();
    }
    let key = if is_city {
        format!("{rest} city")
    } else {
        rest.to_string()
    };
    let mut keys = vec![key.clone()];
    match key.strip_suffix(" city") {
        Some(base) => keys.push(base.to_string()),
        None => keys.push(format!("{key} city")),
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_edge_cases() {
        let cases = [
            ("st_abbreviation", "St. Mary's", "saint marys"),
            ("ste_abbreviation", "Ste. Genevieve", "sainte genevieve"),
            ("ft_abbreviation", "Ft. Lauderdale", "fort lauderdale"),
            ("mt_abbreviation", "Mt. Pleasant", "mount pleasant"),
            ("twp_abbreviation", "Hamilton Twp.", "hamilton township"),
            ("diacritics", "Cañon City", "canon city"),
            ("hyphen", "Winston-Salem", "winston salem"),
            ("curly_apostrophe", "Sheriff\u{2019}s", "sheriffs"),
            ("case_and_spaces", "  NEW   york ", "new york"),
            ("parentheses", "Manassas (city)", "manassas city"),
        ];
        for (case, input, want) in cases {
            assert_eq!(normalize(input), want, "{case}");
        }
    }

    #[test]
    fn county_key_edge_cases() {
        let cases = [
            ("plain_county", "Milwaukee County", "milwaukee"),
            ("parish", "East Baton Rouge Parish", "east baton rouge"),
            (
                "ak_borough",
                "Matanuska-Susitna Borough",
                "matanuska susitna",
            ),
            ("ak_census_area", "Bethel Census Area", "bethel"),
            (
                "ak_municipality_of",
                "Municipality of Anchorage",
                "anchorage",
            ),
            ("ak_city_and_borough", "Juneau City and Borough", "juneau"),
            ("va_city_lower", "Richmond city", "richmond city"),
            ("va_city_of", "City of Richmond", "richmond city"),
            ("va_city_paren", "Manassas (city) County", "manassas city"),
            ("james_city", "James City County", "james city"),
            ("apostrophe", "Prince George's County", "prince georges"),
        ];
        for (case, input, want) in cases {
            assert_eq!(county_keys(input)[0], want, "{case}");
        }
    }
}
