//! The page shell every HTML page shares, and small formatting helpers. Templates are maud:
//! checked at compile time, and every interpolated value is escaped unless wrapped in
//! `PreEscaped` (used only for markup this crate made, and for JSON-LD escaped here).

use super::assets::{CSS, JS, href};
use crate::api::{ATTRIBUTION, LICENSE_NAME, LICENSE_URL};
use crate::domain::{DatePrecision, PartialDate};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use poem::Request;
use time::OffsetDateTime;

/// A link to another form of the same resource.
pub struct Alternate {
    pub type_: &'static str,
    pub href: String,
    pub title: &'static str,
}

pub fn alt(type_: &'static str, href: impl Into<String>, title: &'static str) -> Alternate {
    Alternate {
        type_,
        href: href.into(),
        title,
    }
}

pub struct Page {
    pub title: String,
    pub description: String,
    /// The path of this page (for `og:url`, oEmbed discovery).
    pub path: String,
    pub alternates: Vec<Alternate>,
    /// schema.org JSON-LD, already serialised.
    pub json_ld: Option<serde_json::Value>,
    pub body: Markup,
    /// An embed: no site header or footer, framing allowed.
    pub embed: bool,
}

/// The site's origin as the client addressed it (`Host`, `X-Forwarded-Proto`), for the
/// absolute URLs that oEmbed, `og:` tags and embed snippets need. A `Host` that is not a
/// plain host name and port is replaced, so it can never inject markup or another origin's
/// path.
pub fn origin(req: &Request) -> String {
    let host = req
        .header("host")
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let scheme = match req.header("x-forwarded-proto") {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

/// A JSON value safe inside `<script type="application/ld+json">`: `<` escaped, so no
/// string in it can close the element.
fn json_ld(v: &serde_json::Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

pub fn render(req: &Request, page: Page) -> String {
    let origin = origin(req);
    let url = format!("{origin}{}", page.path);
    let og_image = format!("{origin}/embed/map.png");
    let oembed = format!(
        "{origin}/oembed?format=json&url={}",
        url::form_urlencoded::byte_serialize(url.as_bytes()).collect::<String>()
    );
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (page.title) " · Ring police partnerships" }
                meta name="description" content=(page.description);
                link rel="stylesheet" href=(href(&CSS));
                // No favicon request: the page loads its stylesheet and script only.
                link rel="icon" href="data:,";
                script src=(href(&JS)) defer {}
                @for a in &page.alternates {
                    link rel="alternate" type=(a.type_) href=(a.href) title=(a.title);
                }
                // oEmbed discovery where `/oembed` has an embed for the page.
                @if page.path == "/" || page.path.starts_with("/agencies/") || page.path.starts_with("/embed/") {
                    link rel="alternate" type="application/json+oembed" href=(oembed) title=(page.title);
                }
                meta property="og:title" content=(page.title);
                meta property="og:description" content=(page.description);
                meta property="og:type" content="website";
                meta property="og:url" content=(url);
                meta property="og:image" content=(og_image);
                meta name="twitter:card" content="summary_large_image";
                @if let Some(ld) = &page.json_ld {
                    script type="application/ld+json" { (PreEscaped(json_ld(ld))) }
                }
            }
            body class=[page.embed.then_some("embed")] {
                @if !page.embed {
                    a class="skip" href="#main" { "Skip to content" }
                    header class="site" {
                        a class="home" href="/" { "Ring police partnerships" }
                        nav aria-label="Site" {
                            a href="/agencies.html" { "Agencies" }
                            a href="/programs/ring-neighbors-public-safety-service" { "Program" }
                            a href="/changes" { "Recent changes" }
                            a href="/downloads" { "Downloads" }
                            a href="/docs" { "API" }
                        }
                    }
                }
                main id="main" { (page.body) }
                @if !page.embed {
                    footer class="site" {
                        p {
                            "Data licence: " a href=(LICENSE_URL) { (LICENSE_NAME) } ". " (ATTRIBUTION)
                        }
                        p { "Every page here is also JSON: ask with " code { "Accept: application/json" } ", or see the " a href="/docs" { "API documentation" } "." }
                    }
                }
            }
        }
    };
    markup.into_string()
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub fn day_text(d: time::Date) -> String {
    let month = MONTHS[usize::from(u8::from(d.month())) - 1];
    format!("{} {month} {}", d.day(), d.year())
}

/// A date at its precision, never more: "22 March 2018", "March 2019", "2019",
/// "between 8 October 2020 and 1 March 2021".
pub fn date_text(d: PartialDate) -> String {
    let first = d.earliest();
    let month = MONTHS[usize::from(u8::from(first.month())) - 1];
    match d.precision() {
        DatePrecision::Day => day_text(first),
        DatePrecision::Month => format!("{month} {}", first.year()),
        DatePrecision::Year => format!("{}", first.year()),
        DatePrecision::Range => format!("between {} and {}", day_text(first), day_text(d.latest())),
    }
}

pub fn date(d: Option<PartialDate>) -> Markup {
    match d {
        // `datetime` takes a day, not an interval: each end gets its own element.
        Some(d) if d.precision() == DatePrecision::Range => html! {
            "between "
            time datetime=(PartialDate::day(d.earliest()).to_string()) { (day_text(d.earliest())) }
            " and "
            time datetime=(PartialDate::day(d.latest()).to_string()) { (day_text(d.latest())) }
        },
        Some(d) => html! {
            time datetime=(d.to_string()) { (date_text(d)) }
            @if d.precision() != DatePrecision::Day {
                @if d.precision() != DatePrecision::Range {
                    " " small { "(known to the " (d.precision().as_str()) ")" }
                }
            }
        },
        None => html! { span class="muted" { "unknown" } },
    }
}

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub fn timestamp(t: OffsetDateTime) -> Markup {
    let text = rfc3339(t);
    html! { time datetime=(text) { (text.get(..10).unwrap_or(&text)) " " (text.get(11..16).unwrap_or("")) " UTC" } }
}

/// How long ago, in words, from `now`.
pub fn age(t: OffsetDateTime, now: OffsetDateTime) -> String {
    let secs = (now - t).whole_seconds().max(0);
    match secs {
        0..=119 => "just now".into(),
        120..=7199 => format!("{} minutes ago", secs / 60),
        7200..=172_799 => format!("{} hours ago", secs / 3600),
        _ => format!("{} days ago", secs / 86_400),
    }
}

/// How long ago `day` was, in the largest whole unit: "today", "12 days ago", "3 months ago",
/// "6 years ago".
pub fn days_ago(day: time::Date, today: time::Date) -> String {
    let days = (today - day).whole_days();
    let plural = |n: i64, unit: &str| format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" });
    match days {
        i64::MIN..=-1 => "in the future".into(),
        0 => "today".into(),
        1..=60 => plural(days, "day"),
        61..=729 => plural(days / 30, "month"),
        _ => plural(days / 365, "year"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_told_in_the_largest_whole_unit() {
        use time::macros::date;
        let today = date!(2026 - 12 - 01);
        assert_eq!(days_ago(date!(2026 - 12 - 01), today), "today");
        assert_eq!(days_ago(date!(2026 - 11 - 30), today), "1 day ago");
        assert_eq!(days_ago(date!(2026 - 09 - 01), today), "3 months ago");
        assert_eq!(days_ago(date!(2020 - 10 - 07), today), "6 years ago");
        assert_eq!(days_ago(date!(2027 - 01 - 01), today), "in the future");
    }

    #[test]
    fn dates_are_shown_at_their_precision_and_no_finer() {
        assert_eq!(date_text("2018-03-22".parse().unwrap()), "22 March 2018");
        assert_eq!(date_text("2019-02".parse().unwrap()), "February 2019");
        assert_eq!(date_text("2019".parse().unwrap()), "2019");
    }

    #[test]
    fn json_ld_cannot_close_its_script_element() {
        let v = serde_json::json!({"name": "</script><script>alert(1)</script>"});
        assert!(!json_ld(&v).contains("</script>"));
        let back: serde_json::Value = serde_json::from_str(&json_ld(&v)).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn a_hostile_host_header_falls_back_to_localhost() {
        let req = Request::builder()
            .header("host", "evil.example/\"><script>")
            .finish();
        assert_eq!(origin(&req), "http://localhost");
        let req = Request::builder().header("host", "127.0.0.1:8080").finish();
        assert_eq!(origin(&req), "http://127.0.0.1:8080");
    }
}
