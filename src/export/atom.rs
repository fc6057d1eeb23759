//! Atom 1.0 (RFC 4287) feeds, paged as RFC 5005 says: each page links the newest page
//! (`first`), the page of older entries (`next`) and the page of newer ones (`previous`),
//! so a reader that follows `next` sees every entry once. Pure: the caller says what each
//! entry is and where every link goes.

use time::OffsetDateTime;

/// One feed page.
#[derive(Clone, Debug)]
pub struct Feed {
    /// A permanent IRI naming the feed (the same on every page).
    pub id: String,
    pub title: String,
    /// When the newest entry of the whole feed changed.
    pub updated: OffsetDateTime,
    pub author: String,
    /// Absolute links: `self`, `first`, `next`, `previous`, …, as (`rel`, `href`).
    pub links: Vec<(&'static str, String)>,
    pub entries: Vec<Entry>,
}

/// One entry: a change, told as news.
#[derive(Clone, Debug)]
pub struct Entry {
    pub id: String,
    /// A headline: "Greenfield Police Department (WI): partnership ended".
    pub title: String,
    pub updated: OffsetDateTime,
    pub author: String,
    /// Where the entry's subject can be read (absolute).
    pub alternate: String,
    pub summary: String,
}

/// Escapes text for XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids are dropped rather than break the feed.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The feed page as an Atom document.
pub fn render(feed: &Feed) -> String {
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    x.push_str(&format!("  <id>{}</id>\n", xml_escape(&feed.id)));
    x.push_str(&format!("  <title>{}</title>\n", xml_escape(&feed.title)));
    x.push_str(&format!("  <updated>{}</updated>\n", rfc3339(feed.updated)));
    x.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        xml_escape(&feed.author)
    ));
    for (rel, href) in &feed.links {
        x.push_str(&format!(
            "  <link rel=\"{rel}\" type=\"application/atom+xml\" href=\"{}\"/>\n",
            xml_escape(href)
        ));
    }
    for e in &feed.entries {
        x.push_str("  <entry>\n");
        x.push_str(&format!("    <id>{}</id>\n", xml_escape(&e.id)));
        x.push_str(&format!("    <title>{}</title>\n", xml_escape(&e.title)));
        x.push_str(&format!("    <updated>{}</updated>\n", rfc3339(e.updated)));
        x.push_str(&format!(
            "    <author><name>{}</name></author>\n",
            xml_escape(&e.author)
        ));
        x.push_str(&format!(
            "    <link rel=\"alternate\" href=\"{}\"/>\n",
            xml_escape(&e.alternate)
        ));
        x.push_str(&format!(
            "    <summary>{}</summary>\n",
            xml_escape(&e.summary)
        ));
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

/// Which entries a page holds, in a log whose entries are numbered 1..=`head` without gaps,
/// newest first: those numbered below `before` (all when absent), at most `limit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// The newest entry on the page (0 when the page is empty).
    pub newest: i64,
    /// The oldest entry on the page (0 when the page is empty).
    pub oldest: i64,
    /// `before` of the page of older entries, when there are any.
    pub next_before: Option<i64>,
    /// `before` of the page of newer entries, when there are any: `None` for it is the
    /// newest page (`first`), which has no `before`.
    pub previous_before: Option<Option<i64>>,
}

/// The window of a page (see [`Window`]).
pub fn window(head: i64, before: Option<i64>, limit: i64) -> Window {
    let limit = limit.max(1);
    let newest = before.map_or(head, |b| (b - 1).min(head)).max(0);
    let oldest = if newest == 0 {
        0
    } else {
        (newest - limit + 1).max(1)
    };
    let next_before = (oldest > 1).then_some(oldest);
    let previous_before = (newest < head).then(|| {
        let b = newest + limit + 1;
        (b <= head).then_some(b)
    });
    Window {
        newest,
        oldest,
        next_before,
        previous_before,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn following_next_visits_every_entry_once() {
        for head in [0, 1, 5, 10, 11, 99] {
            for limit in [1, 3, 10] {
                let mut seen = Vec::new();
                let mut before = None;
                loop {
                    let w = window(head, before, limit);
                    if w.newest > 0 {
                        seen.extend((w.oldest..=w.newest).rev());
                    }
                    match w.next_before {
                        Some(b) => before = Some(b),
                        None => break,
                    }
                }
                let want: Vec<i64> = (1..=head).rev().collect();
                assert_eq!(seen, want, "head {head}, limit {limit}");
            }
        }
    }

    #[test]
    fn previous_leads_back_to_the_page_before() {
        let head = 10;
        let first = window(head, None, 3);
        assert_eq!((first.newest, first.oldest), (10, 8));
        assert_eq!(first.previous_before, None);
        let second = window(head, first.next_before, 3);
        assert_eq!((second.newest, second.oldest), (7, 5));
        // Its previous page is the first page, which has no `before`.
        assert_eq!(second.previous_before, Some(None));
        let third = window(head, second.next_before, 3);
        assert_eq!(third.previous_before, Some(Some(8)));
        assert_eq!(window(head, Some(8), 3).newest, 7);
        // A `before` past the head is the newest page.
        assert_eq!(window(head, Some(500), 3).newest, 10);
    }

    #[test]
    fn titles_and_links_are_escaped() {
        let t = OffsetDateTime::UNIX_EPOCH;
        let feed = Feed {
            id: "tag:x,2026:f".into(),
            title: "A & B".into(),
            updated: t,
            author: "me".into(),
            links: vec![("next", "http://h/changes.atom?before=3&limit=2".into())],
            entries: vec![Entry {
                id: "tag:x,2026:e/1".into(),
                title: "O'Brien <County> Sheriff (IA): partnership ended".into(),
                updated: t,
                author: "import".into(),
                alternate: "http://h/partnerships/1".into(),
                summary: "ended".into(),
            }],
        };
        let xml = render(&feed);
        assert!(xml.contains("before=3&amp;limit=2"));
        assert!(xml.contains("O&apos;Brien &lt;County&gt; Sheriff (IA): partnership ended"));
    }
}
