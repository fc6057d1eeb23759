//! Entity tags (RFC 9110 8.8.3): how ours are written, and how a client's `If-Match` and
//! `If-None-Match` lists are read and compared. One grammar for caching, edits and downloads.
//!
//! Ours are:
//! - a record version, `"v3"` (what `If-Match` on a write compares);
//! - a detail read, `"v3-ds1234"`: the record version, then the dataset version it was read
//!   at (a detail embeds other records that change without its own version changing);
//! - any other read, `W/"ds-<seq>-<hash of path, query and Accept>"`;
//! - a download, `"ds-<seq>-<file name>"`.

use crate::error::ApiError;
use crate::service::edit::Precondition;

/// A record version's tag: `"v3"`.
pub fn record(version: i32) -> String {
    format!("\"v{version}\"")
}

/// A record version's tag read at dataset version `seq`: `"v3"` becomes `"v3-ds12"`. Any
/// other tag is `None` (it is left as it is).
pub fn read_at(tag: &str, seq: i64) -> Option<String> {
    let version = tag.strip_prefix("\"v")?.strip_suffix('"')?;
    (!version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("\"v{version}-ds{seq}\""))
}

/// The weak tag of a read at dataset version `seq`, `hash` naming what was asked.
pub fn read(seq: i64, hash: &str) -> String {
    format!("W/\"ds-{seq}-{hash}\"")
}

/// A download's tag: the dataset version and the file.
pub fn download(seq: i64, name: &str) -> String {
    format!("\"ds-{seq}-{name}\"")
}

/// One entity-tag of a list: weak or not, and its opaque text (without the quotes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tag<'a> {
    pub weak: bool,
    pub opaque: &'a str,
}

/// The tags of an RFC 9110 `#entity-tag` list; `None` when the list is malformed (or empty).
/// A quoted tag may hold commas, so the list is scanned, not split.
pub fn parse_list(text: &str) -> Option<Vec<Tag<'_>>> {
    let bytes = text.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    let skip_ows = |i: &mut usize| {
        while *i < bytes.len() && matches!(bytes[*i], b' ' | b'\t') {
            *i += 1;
        }
    };
    loop {
        skip_ows(&mut i);
        if i == bytes.len() {
            break;
        }
        if bytes[i] == b',' {
            i += 1;
            continue;
        }
        let weak = bytes[i..].starts_with(b"W/");
        if weak {
            i += 2;
        }
        if bytes.get(i) != Some(&b'"') {
            return None;
        }
        let start = i + 1;
        let len = bytes[start..].iter().position(|&b| b == b'"')?;
        let opaque = &bytes[start..start + len];
        if !opaque
            .iter()
            .all(|&b| b == 0x21 || (0x23..=0x7e).contains(&b) || b >= 0x80)
        {
            return None;
        }
        tags.push(Tag {
            weak,
            opaque: &text[start..start + len],
        });
        i = start + len + 1;
        skip_ows(&mut i);
        match bytes.get(i) {
            None => break,
            Some(b',') => i += 1,
            Some(_) => return None,
        }
    }
    (!tags.is_empty()).then_some(tags)
}

/// Whether `If-None-Match` names `ours` (`*`, or a tag of the list by weak comparison, RFC
/// 9110 13.1.2). A malformed header matches nothing: the answer is sent whole.
pub fn none_match(header: Option<&str>, ours: &str) -> bool {
    let Some(text) = header.map(str::trim) else {
        return false;
    };
    if text == "*" {
        return true;
    }
    let Some(ours) = parse_list(ours).and_then(|t| t.first().copied()) else {
        return false;
    };
    parse_list(text).is_some_and(|tags| tags.iter().any(|t| t.opaque == ours.opaque))
}

/// `If-Match` on a write (RFC 9110 13.1.1): `*`, or a list of entity-tags. Any well-formed tag
/// is accepted; only ours can match, and only by strong comparison, so a weak tag (`W/"v3"`)
/// or a tag of another server (`"abc"`) is a 412, never a 400. A detail's `"v3-ds1234"`
/// compares its record version. Only a malformed header is a 400.
pub fn precondition(header: Option<&str>) -> Result<Precondition, ApiError> {
    let Some(text) = header.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(Precondition::Missing);
    };
    if text == "*" {
        return Ok(Precondition::Any);
    }
    let tags = parse_list(text).ok_or_else(|| {
        ApiError::invalid(
            "If-Match",
            format!(
                "`{text}` is not `*` or a list of entity-tags (RFC 9110: `\"v3\"`, `W/\"v3\"`, `\"v3\", \"v4\"`)"
            ),
        )
    })?;
    Ok(Precondition::Versions(
        tags.into_iter()
            .filter(|t| !t.weak)
            .filter_map(|t| {
                let v = t.opaque.strip_prefix('v')?;
                v.split_once("-ds")
                    .map_or(v, |(v, _)| v)
                    .parse::<i32>()
                    .ok()
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(h: &str) -> Vec<i32> {
        match precondition(Some(h)) {
            Ok(Precondition::Versions(v)) => v,
            other => panic!("{h}: {other:?}"),
        }
    }

    #[test]
    fn every_well_formed_tag_is_a_precondition_and_only_strong_ones_of_ours_match() {
        assert_eq!(versions("\"v3\""), vec![3]);
        assert_eq!(versions("\"v3-ds12\""), vec![3]);
        assert_eq!(versions("\"x\", \"v4\" ,,\"v5\""), vec![4, 5]);
        // Well-formed but never ours, or weak: nothing matches (412), not a 400.
        assert_eq!(versions("W/\"v3\""), Vec::<i32>::new());
        assert_eq!(versions("\"abc\""), Vec::<i32>::new());
        assert_eq!(versions("\"a,b\", \"\""), Vec::<i32>::new());
        assert!(matches!(precondition(Some("*")), Ok(Precondition::Any)));
        assert!(matches!(precondition(None), Ok(Precondition::Missing)));
        for bad in [
            "v3",
            "\"v3",
            "\"v3\" x",
            "W/v3",
            "\"v 3\"",
            "*, \"v3\"",
            ",",
        ] {
            assert!(precondition(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists_and_star() {
        assert!(none_match(Some("W/\"ds-1-ab\""), "W/\"ds-1-ab\""));
        assert!(none_match(Some("\"x\", W/\"ds-1-ab\""), "W/\"ds-1-ab\""));
        assert!(
            none_match(Some("\"ds-1-ab\""), "W/\"ds-1-ab\""),
            "weak comparison"
        );
        assert!(none_match(Some("\"v3-ds9\""), "\"v3-ds9\""));
        assert!(none_match(Some("*"), "\"a\""));
        assert!(!none_match(Some("W/\"ds-2-ab\""), "W/\"ds-1-ab\""));
        assert!(!none_match(None, "\"a\""));
        // A comma inside a tag is part of it, not a separator.
        assert!(!none_match(Some("\"a,b\""), "\"b\""));
        assert!(none_match(Some("\"a,b\""), "\"a,b\""));
        // Malformed: no 304.
        assert!(!none_match(Some("ds-1-ab"), "W/\"ds-1-ab\""));
    }

    #[test]
    fn our_tags_are_written_one_way() {
        assert_eq!(record(3), "\"v3\"");
        assert_eq!(read_at(&record(3), 12).as_deref(), Some("\"v3-ds12\""));
        assert_eq!(
            read_at("\"v3-ds12\"", 13),
            None,
            "already read at a version"
        );
        assert_eq!(read_at("W/\"ds-1-ab\"", 13), None);
        assert_eq!(read(7, "ab"), "W/\"ds-7-ab\"");
        assert_eq!(download(7, "agencies.csv"), "\"ds-7-agencies.csv\"");
        // Each of ours parses as one tag of its own kind.
        for (tag, weak) in [
            (record(3), false),
            (read(7, "ab"), true),
            (download(7, "x"), false),
        ] {
            let parsed = parse_list(&tag).unwrap();
            assert_eq!(parsed.len(), 1);
            assert_eq!(parsed[0].weak, weak);
        }
    }
}
