//! `Location` and `Link` headers as absolute URLs. Handlers write the path they link to
//! (`/agencies?cursor=...`); on the way out each path becomes an absolute URL under the
//! public base URL (`web::base_url`: the configured one, a trusted proxy's, or the `Host`),
//! so a client behind any proxy follows a link to the address it knows the API by.

use super::base_url::PublicUrl;
use poem::http::{HeaderValue, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};
use std::sync::Arc;

pub struct AbsoluteLinks(pub Arc<PublicUrl>);

impl<E: Endpoint> Middleware<E> for AbsoluteLinks {
    type Output = AbsoluteLinksEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        AbsoluteLinksEndpoint {
            inner: ep,
            public_url: self.0.clone(),
        }
    }
}

pub struct AbsoluteLinksEndpoint<E> {
    inner: E,
    public_url: Arc<PublicUrl>,
}

impl<E: Endpoint> Endpoint for AbsoluteLinksEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let base = self.public_url.base_url(&req);
        let mut resp = self.inner.call(req).await?.into_response();
        let headers = resp.headers_mut();
        if let Some(loc) = headers.get(header::LOCATION).and_then(|v| v.to_str().ok())
            && loc.starts_with('/')
            && !loc.starts_with("//")
            && let Ok(v) = HeaderValue::from_str(&format!("{base}{loc}"))
        {
            headers.insert(header::LOCATION, v);
        }
        let links: Vec<HeaderValue> = headers
            .get_all(header::LINK)
            .iter()
            .map(|v| match v.to_str() {
                Ok(text) => HeaderValue::from_str(&absolute_link_header(text, &base))
                    .unwrap_or_else(|_| v.clone()),
                Err(_) => v.clone(),
            })
            .collect();
        if !links.is_empty() {
            headers.remove(header::LINK);
            for v in links {
                headers.append(header::LINK, v);
            }
        }
        Ok(resp)
    }
}

/// A `Link` header (RFC 8288) with each target written as a path (`</x>`) made absolute.
/// A target cannot hold `<` or `>`, so each `<` opens one.
pub fn absolute_link_header(value: &str, base: &str) -> String {
    let mut out = String::with_capacity(value.len() + base.len() * 2);
    let mut rest = value;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        if rest.starts_with('/') && !rest.starts_with("//") {
            out.push_str(base);
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::absolute_link_header;

    #[test]
    fn each_link_target_given_as_a_path_becomes_absolute() {
        let base = "https://api.example.org/ring";
        assert_eq!(
            absolute_link_header(r#"</agencies?cursor=a>; rel="next""#, base),
            r#"<https://api.example.org/ring/agencies?cursor=a>; rel="next""#
        );
        assert_eq!(
            absolute_link_header(
                r#"</a>; rel="first", <https://other.example/x>; rel="related", <//cdn/x>; rel="x""#,
                base
            ),
            r#"<https://api.example.org/ring/a>; rel="first", <https://other.example/x>; rel="related", <//cdn/x>; rel="x""#
        );
        assert_eq!(absolute_link_header("", base), "");
    }
}
