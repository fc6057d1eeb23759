//! The one place absolute URLs get their scheme and host. In order: the operator's public
//! base URL (`--public-url` / `PUBLIC_URL`); else, only when the operator says a proxy in
//! front is trusted (`--trust-proxy` / `TRUST_PROXY`), the request's `Forwarded` (RFC 7239)
//! or `X-Forwarded-Proto` / `X-Forwarded-Host`; else the `Host` header, over http. A header
//! a client could forge is never believed without that word from the operator.

use poem::Request;

/// How the server learns its public address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublicUrl {
    /// `https://api.example.org` (no trailing slash), when configured.
    pub base: Option<String>,
    /// Believe `Forwarded` / `X-Forwarded-*` from the proxy in front.
    pub trust_proxy: bool,
}

impl PublicUrl {
    /// Checks a configured base URL: http(s), a host, no query or fragment. A path is kept
    /// (`https://example.org/ring`), without its trailing slash.
    pub fn parse(text: &str, trust_proxy: bool) -> Result<Self, String> {
        let url = url::Url::parse(text.trim())
            .map_err(|e| format!("PUBLIC_URL `{text}` is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https")
            || url.host_str().is_none()
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return Err(format!(
                "PUBLIC_URL `{text}` must be an http(s) URL with a host and no query, e.g. https://api.example.org"
            ));
        }
        Ok(Self {
            base: Some(url.as_str().trim_end_matches('/').to_string()),
            trust_proxy,
        })
    }

    /// The base URL for absolute links in the answer to `req`: scheme and host, and the
    /// configured path if any; no trailing slash.
    pub fn base_url(&self, req: &Request) -> String {
        if let Some(base) = &self.base {
            return base.clone();
        }
        if self.trust_proxy
            && let Some((proto, host)) = forwarded(req)
        {
            return format!("{proto}://{host}");
        }
        let host = req
            .headers()
            .get("host")
            .and_then(|h| h.to_str().ok())
            .filter(|h| sane_host(h))
            .unwrap_or("localhost");
        format!("http://{host}")
    }

    /// `path` (starting with `/`) made absolute for `req`.
    pub fn absolute(&self, req: &Request, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            return path.to_string();
        }
        format!("{}{path}", self.base_url(req))
    }
}

fn sane_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
}

fn sane_proto(p: &str) -> Option<&'static str> {
    match p.to_ascii_lowercase().as_str() {
        "http" => Some("http"),
        "https" => Some("https"),
        _ => None,
    }
}

/// The proto and host the proxy saw: RFC 7239 `Forwarded` (its first element, nearest the
/// client), else `X-Forwarded-Proto` and `X-Forwarded-Host` (their first values).
fn forwarded(req: &Request) -> Option<(&'static str, String)> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(f) = header("forwarded") {
        let first = f.split(',').next().unwrap_or("");
        let mut proto = None;
        let mut host = None;
        for pair in first.split(';') {
            let Some((k, v)) = pair.split_once('=') else {
                continue;
            };
            let v = v.trim().trim_matches('"');
            match k.trim().to_ascii_lowercase().as_str() {
                "proto" => proto = sane_proto(v),
                "host" if sane_host(v) => host = Some(v.to_string()),
                _ => {}
            }
        }
        if let Some(host) = host {
            return Some((proto.unwrap_or("http"), host));
        }
    }
    let host = header("x-forwarded-host")
        .and_then(|h| h.split(',').next())
        .map(str::trim)
        .filter(|h| sane_host(h))?;
    let proto = header("x-forwarded-proto")
        .and_then(|p| p.split(',').next())
        .and_then(|p| sane_proto(p.trim()))
        .unwrap_or("http");
    Some((proto, host.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(headers: &[(&str, &str)]) -> Request {
        let mut b = Request::builder().uri(poem::http::Uri::from_static("/changes.atom"));
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.finish()
    }

    #[test]
    fn configured_url_then_trusted_proxy_headers_then_host() {
        let proxied = req(&[
            ("host", "10.0.0.5:8080"),
            (
                "forwarded",
                "for=1.2.3.4;proto=https;host=api.example.org, for=5.6.7.8",
            ),
            ("x-forwarded-proto", "http"),
            ("x-forwarded-host", "other.example"),
        ]);
        let configured = PublicUrl::parse("https://data.example.org/ring/", true).unwrap();
        assert_eq!(
            configured.base_url(&proxied),
            "https://data.example.org/ring"
        );
        let trusting = PublicUrl {
            base: None,
            trust_proxy: true,
        };
        assert_eq!(trusting.base_url(&proxied), "https://api.example.org");
        let x = req(&[
            ("host", "10.0.0.5"),
            ("x-forwarded-proto", "https, http"),
            ("x-forwarded-host", "api.example.org"),
        ]);
        assert_eq!(trusting.base_url(&x), "https://api.example.org");
        // Untrusted: the headers are a client's word, and ignored.
        let plain = PublicUrl::default();
        assert_eq!(plain.base_url(&proxied), "http://10.0.0.5:8080");
        assert_eq!(
            plain.absolute(&proxied, "/a?b=1"),
            "http://10.0.0.5:8080/a?b=1"
        );
        let forged = req(&[("host", "evil.example/<script>")]);
        assert_eq!(plain.base_url(&forged), "http://localhost");
        for bad in ["ftp://x.org", "not a url", "https://x.org/?q=1"] {
            assert!(PublicUrl::parse(bad, false).is_err(), "{bad}");
        }
    }
}
