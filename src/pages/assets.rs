//! The pages' stylesheet and script, compiled into the binary and served under names that
//! carry a hash of their content (`/assets/site.3f2a9c1b.css`), so they can be cached for
//! good (`immutable`): a new build with new content has new names. `/docs`'s Swagger UI is
//! served the same way.

use poem::http::header;
use poem::{Request, Response, handler, web::Path};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

pub struct Asset {
    /// The fingerprinted name, e.g. `site.3f2a9c1b.css`.
    pub name: String,
    pub content_type: &'static str,
    pub body: &'static [u8],
}

fn asset(stem: &str, ext: &str, content_type: &'static str, body: &'static [u8]) -> Asset {
    let hash = hex::encode(&Sha256::digest(body)[..4]);
    Asset {
        name: format!("{stem}.{hash}.{ext}"),
        content_type,
        body,
    }
}

pub static CSS: LazyLock<Asset> = LazyLock::new(|| {
    asset(
        "site",
        "css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/site.css"),
    )
});

pub static JS: LazyLock<Asset> = LazyLock::new(|| {
    asset(
        "site",
        "js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/site.js"),
    )
});

/// Swagger UI for `/docs` (swagger-ui-dist, Apache-2.0, vendored in `assets/swagger-ui/` by
/// `scripts/vendor-swagger-ui.sh`) and the script that starts it.
pub static SWAGGER_JS: LazyLock<Asset> = LazyLock::new(|| {
    asset(
        "swagger-ui-bundle",
        "js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/swagger-ui/swagger-ui-bundle.js"),
    )
});

pub static SWAGGER_CSS: LazyLock<Asset> = LazyLock::new(|| {
    asset(
        "swagger-ui",
        "css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/swagger-ui/swagger-ui.css"),
    )
});

pub static DOCS_JS: LazyLock<Asset> = LazyLock::new(|| {
    asset(
        "docs",
        "js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/docs.js"),
    )
});

/// The path a page links to.
pub fn href(a: &Asset) -> String {
    format!("/assets/{}", a.name)
}

/// `GET /assets/{name}`: only the current fingerprinted names exist.
#[handler]
pub fn serve(Path(name): Path<String>, _req: &Request) -> Response {
    match [&*CSS, &*JS, &*SWAGGER_JS, &*SWAGGER_CSS, &*DOCS_JS]
        .into_iter()
        .find(|a| a.name == name)
    {
        Some(a) => Response::builder()
            .content_type(a.content_type)
            .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
            .body(a.body),
        None => crate::error::Problem::new(
            crate::error::ErrorCode::RouteNotFound,
            format!("no asset is named `{name}`"),
        )
        .response(),
    }
}
