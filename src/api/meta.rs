//! Service metadata: the landing page, health, and the descriptions of error types.

use super::geojson::Link;
use super::{ATTRIBUTION, ApiTags, LICENSE_NAME, LICENSE_URL, TITLE};
use crate::error::{ApiError, ErrorCode, Problem};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

super::resource::api_struct!(MetaApi);

/// What the service is and where to go from here.
#[derive(Object, Clone, Debug)]
pub struct Landing {
    pub title: String,
    pub description: String,
    pub version: String,
    /// The sequence number of the newest revision: changes with every change to the data.
    pub dataset_version: i64,
    pub license: String,
    pub license_url: String,
    pub attribution: String,
    pub links: Vec<Link>,
}

#[derive(ApiResponse)]
pub enum LandingResponse {
    /// The landing page.
    #[oai(status = 200)]
    Ok(Json<Landing>),
}

/// Whether the service can answer.
#[derive(Object, Clone, Debug)]
pub struct Health {
    /// `ok` when the database answers.
    pub status: String,
    pub database: String,
    pub dataset_version: i64,
}

#[derive(ApiResponse)]
pub enum HealthResponse {
    /// The service and its database are up.
    #[oai(status = 200)]
    Ok(Json<Health>),
}

/// What an error code means.
#[derive(Object, Clone, Debug)]
pub struct ProblemType {
    pub code: ErrorCode,
    pub title: String,
    pub status: u16,
}

#[derive(ApiResponse)]
pub enum ProblemTypeResponse {
    /// The problem type.
    #[oai(status = 200)]
    Ok(Json<ProblemType>),
}

#[derive(ApiResponse)]
pub enum ProblemTypesResponse {
    /// Every problem type.
    #[oai(status = 200)]
    Ok(Json<Vec<ProblemType>>),
}

fn problem_type(code: ErrorCode) -> ProblemType {
    ProblemType {
        code,
        title: code.title().to_string(),
        status: code.status().as_u16(),
    }
}

fn link(href: &str, rel: &str, title: &str) -> Link {
    Link::new(href, rel, None, Some(title))
}

#[OpenApi(tag = "ApiTags::Meta")]
impl MetaApi {
    /// Landing page
    ///
    /// What this API is, its licence, and links to every collection and to the docs.
    #[oai(path = "/", method = "get", operation_id = "get_landing")]
    async fn landing(
        &self,
        req: &poem::Request,
        /// Output format, for OGC API clients: only `json` is offered.
        #[oai(name = "f")]
        _f: Query<Option<super::ogc::OgcFormat>>,
    ) -> Result<LandingResponse, ApiError> {
        let seq = self.state.dataset.read().seq();
        let mut landing = Landing {
            title: TITLE.into(),
            description: "Which US police and other public safety agencies partner with Amazon Ring, through which programs, from when to when, and on what evidence.".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            dataset_version: seq,
            license: LICENSE_NAME.into(),
            license_url: LICENSE_URL.into(),
            attribution: ATTRIBUTION.into(),
            // OGC API - Features clients read this page too: `data` must lead to
            // `/collections`, `conformance` to the conformance classes.
            links: vec![
                Link::new("/", "self", Some("application/json"), Some("This page")),
                Link::new(
                    "/openapi.json",
                    "service-desc",
                    Some("application/vnd.oai.openapi+json;version=3.0"),
                    Some("OpenAPI definition"),
                ),
                Link::new("/docs", "service-doc", Some("text/html"), Some("Interactive documentation")),
                Link::new("/conformance", "conformance", Some("application/json"), Some("OGC API conformance classes")),
                Link::new("/collections", "data", Some("application/json"), Some("OGC API feature collections")),
                link("/agencies", "related", "Agencies"),
                link("/partnerships", "related", "Partnerships"),
                link("/programs", "related", "Programs and their phases"),
                link("/sources", "related", "Sources"),
                link("/health", "status", "Health"),
            ],
        };
        Link::absolute_all(&mut landing.links, &self.state.public_url.base_url(req));
        Ok(LandingResponse::Ok(Json(landing)))
    }

    /// Health
    ///
    /// 200 when the database answers, 503 when it does not.
    #[oai(path = "/health", method = "get", operation_id = "get_health")]
    async fn health(&self) -> Result<HealthResponse, ApiError> {
        let dataset = &self.state.dataset;
        match dataset.ping().await {
            Ok(()) => Ok(HealthResponse::Ok(Json(Health {
                status: "ok".into(),
                database: dataset.backend_name(),
                dataset_version: dataset.read().seq(),
            }))),
            Err(e) => {
                tracing::warn!(error = %e, "health check: database unreachable");
                Err(ApiError::from_problem(Problem::new(
                    ErrorCode::DatabaseUnavailable,
                    "the database does not answer; reads still answer from memory",
                )))
            }
        }
    }

    /// List problem types
    ///
    /// Every error code the API uses, with its title and HTTP status.
    #[oai(
        path = "/problems",
        method = "get",
        operation_id = "list_problem_types"
    )]
    async fn problems(&self) -> ProblemTypesResponse {
        ProblemTypesResponse::Ok(Json(
            ErrorCode::ALL.iter().copied().map(problem_type).collect(),
        ))
    }

    /// Get a problem type
    ///
    /// What an error's `type` (`/problems/{code}`) means.
    #[oai(
        path = "/problems/:code",
        method = "get",
        operation_id = "get_problem_type"
    )]
    async fn problem(
        &self,
        /// An error code, e.g. `invalid_parameter`.
        code: Path<String>,
    ) -> Result<ProblemTypeResponse, ApiError> {
        ErrorCode::parse(&code.0)
            .map(|c| ProblemTypeResponse::Ok(Json(problem_type(c))))
            .ok_or_else(|| ApiError::not_found("problem type", &code.0))
    }
}
