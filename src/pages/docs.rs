//! `/docs`: the interactive API documentation, Swagger UI over `/openapi.json`. The page is
//! ours and small; Swagger UI's script and stylesheet are assets in the binary (see
//! `assets`), and it reads the spec the server serves, so the page shows exactly the
//! committed document and loads nothing from elsewhere.

use super::assets::{DOCS_JS, SWAGGER_CSS, SWAGGER_JS, href};
use maud::{DOCTYPE, html};

/// The page's HTML: the same for every request.
pub fn html() -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "ring-partnerships API: documentation" }
                // No favicon request, as on every page.
                link rel="icon" href="data:,";
                link rel="stylesheet" href=(href(&SWAGGER_CSS));
            }
            body {
                noscript {
                    p {
                        "The interactive documentation needs JavaScript. The API is described by its "
                        a href="/openapi.json" { "OpenAPI document" } "."
                    }
                }
                div id="ui" data-spec="/openapi.json" {}
                script src=(href(&SWAGGER_JS)) {}
                script src=(href(&DOCS_JS)) {}
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_links_its_scripts_and_embeds_no_spec() {
        let page = super::html();
        assert!(page.contains("/assets/swagger-ui-bundle."), "{page}");
        assert!(page.contains("/assets/docs."), "{page}");
        assert!(page.contains("data-spec=\"/openapi.json\""), "{page}");
        assert!(!page.contains("<script>"), "no inline script: {page}");
        assert!(
            !page.contains("\"openapi\""),
            "the spec is fetched, not embedded"
        );
    }
}
