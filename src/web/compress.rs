//! Response compression: Brotli or gzip, as the client accepts. A response is compressed on
//! the way out at the fastest level (a streamed export chunk by chunk), unless it already
//! carries a `Content-Encoding`: a cached page keeps its compressed forms, made once per
//! dataset version with [`encode_once`], and is sent as it is.

use bytes::Bytes;
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::{Compress, CompressionAlgo, CompressionLevel};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

/// A content coding this server sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    Identity,
    Gzip,
    Br,
}

impl Encoding {
    fn algo(self) -> Option<CompressionAlgo> {
        match self {
            Encoding::Identity => None,
            Encoding::Gzip => Some(CompressionAlgo::GZIP),
            Encoding::Br => Some(CompressionAlgo::BR),
        }
    }

    /// The `Content-Encoding` value, if any.
    pub fn header(self) -> Option<&'static str> {
        match self {
            Encoding::Identity => None,
            Encoding::Gzip => Some("gzip"),
            Encoding::Br => Some("br"),
        }
    }
}

/// The coding to send for an `Accept-Encoding` header (RFC 9110 §12.5.3): the accepted one
/// with the highest weight, Brotli before gzip on a tie, `*` standing for either; nothing
/// (identity) when neither is accepted.
pub fn negotiate(accept_encoding: Option<&str>) -> Encoding {
    let Some(value) = accept_encoding else {
        return Encoding::Identity;
    };
    let (mut br, mut gzip, mut star): (Option<f32>, Option<f32>, Option<f32>) = (None, None, None);
    for item in value.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.trim().eq_ignore_ascii_case("q").then(|| v.trim())
            })
            .find_map(|v| v.parse::<f32>().ok())
            .unwrap_or(1.0);
        match coding.as_str() {
            "br" => br = Some(q),
            "gzip" | "x-gzip" => gzip = Some(q),
            "*" => star = Some(q),
            _ => {}
        }
    }
    let br = br.or(star).unwrap_or(0.0);
    let gzip = gzip.or(star).unwrap_or(0.0);
    if br > 0.0 && br >= gzip {
        Encoding::Br
    } else if gzip > 0.0 {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// `body` in `encoding`, compressed well: for bytes that are made once and sent many times.
pub async fn encode_once(body: Bytes, encoding: Encoding) -> Bytes {
    let Some(algo) = encoding.algo() else {
        return body;
    };
    // Level 9: gzip's best, and for Brotli near its best at a fraction of level 11's time.
    Compress::new(body.clone(), algo)
        .with_quality(CompressionLevel::Precise(9))
        .into_response()
        .into_body()
        .into_bytes()
        .await
        // Compressing bytes in memory cannot fail; should it, the plain bytes are still right.
        .unwrap_or(body)
}

/// Marks a response as sent in `encoding` (`Content-Encoding`, and no stale length).
pub fn set_encoding(resp: &mut Response, encoding: Encoding) {
    if let Some(v) = encoding.header() {
        resp.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(v));
    }
}

/// Media types that are compressed in themselves: compressing them again costs time and
/// saves nothing.
const COMPRESSED_TYPES: &[&str] = &["image/png", "application/zip", "application/gzip"];

/// The middleware: compresses what is not compressed yet.
pub struct Compression;

impl<E: Endpoint> Middleware<E> for Compression {
    type Output = CompressionEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        CompressionEndpoint { ep }
    }
}

pub struct CompressionEndpoint<E> {
    ep: E,
}

impl<E: Endpoint> Endpoint for CompressionEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let encoding = negotiate(req.header(header::ACCEPT_ENCODING));
        let resp = self.ep.call(req).await?.into_response();
        let bodiless = matches!(
            resp.status(),
            StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED
        );
        let compressed = resp.headers().contains_key(header::CONTENT_ENCODING)
            || resp
                .content_type()
                .is_some_and(|t| COMPRESSED_TYPES.iter().any(|c| t.starts_with(c)));
        match encoding.algo() {
            Some(algo) if !bodiless && !compressed => Ok(Compress::new(resp, algo).into_response()),
            _ => Ok(resp),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Encoding, negotiate};

    #[test]
    fn the_accepted_coding_with_the_highest_weight_wins() {
        assert_eq!(negotiate(None), Encoding::Identity);
        assert_eq!(negotiate(Some("gzip, deflate, br")), Encoding::Br);
        assert_eq!(negotiate(Some("gzip")), Encoding::Gzip);
        assert_eq!(negotiate(Some("br;q=0.5, gzip")), Encoding::Gzip);
        assert_eq!(negotiate(Some("br;q=0, gzip;q=0")), Encoding::Identity);
        assert_eq!(negotiate(Some("identity")), Encoding::Identity);
        assert_eq!(negotiate(Some("*")), Encoding::Br);
        assert_eq!(negotiate(Some("*;q=0.2, br;q=0")), Encoding::Gzip);
        assert_eq!(negotiate(Some("GZIP; Q=1")), Encoding::Gzip);
        assert_eq!(negotiate(Some("deflate")), Encoding::Identity);
    }
}
