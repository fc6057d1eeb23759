//! One HTTP error type for the whole API: RFC 9457 `application/problem+json` with a stable,
//! machine-readable `code`, and for bad input the offending parameter. Every failure — ours,
//! poem-openapi's request parsing, unknown routes — ends up in this shape, and a 5xx never
//! carries internal details.

use poem::Response;
use poem::http::StatusCode;

use poem_openapi::error::{
    ContentTypeError, ParseParamError, ParsePathError, ParseRequestPayloadError,
};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The `WWW-Authenticate` challenge of a 401.
pub const BEARER_CHALLENGE: &str = "Bearer realm=\"ring-partnerships\"";

/// Stable error codes. Clients may switch on these; they never change meaning.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A query or path parameter is malformed or out of range.
    InvalidParameter,
    /// A query parameter the route does not document: the detail names it and the closest
    /// known name.
    UnknownParameter,
    /// A pagination cursor was altered, made up, or belongs to another query.
    InvalidCursor,
    /// The request body is not what the operation accepts.
    InvalidBody,
    /// The body's media type is not one the operation accepts.
    UnsupportedMediaType,
    /// No record has this id.
    NotFound,
    /// The record existed and was deleted; its history remains.
    Gone,
    /// No route matches the path.
    RouteNotFound,
    /// The route exists but not with this method.
    MethodNotAllowed,
    /// The server failed; nothing about the request was wrong.
    InternalError,
    /// The database cannot be reached.
    ServiceUnavailable,
    /// A write needs a valid bearer token (`Authorization: Bearer rp_…`).
    Unauthorized,
    /// The token's role may not do this (deletes need `admin`).
    Forbidden,
    /// The write clashes with existing records (a taken id, records that depend on it).
    Conflict,
    /// `If-Match` names a version that is no longer current: read the record again.
    PreconditionFailed,
    /// The body is well-formed but breaks a rule of the data (dates out of order, a missing
    /// source, agency or program, a required field cleared).
    InvalidRecord,
    /// Changing a record needs `If-Match` with the version read (its `ETag`).
    PreconditionRequired,
    /// The request body is larger than the server accepts (`MAX_BODY_BYTES`).
    PayloadTooLarge,
    /// The path and query are longer than the server accepts (`MAX_URI_BYTES`).
    UriTooLong,
    /// The request headers are larger than the server accepts (`MAX_HEADER_BYTES`).
    HeadersTooLarge,
    /// Too many requests from this address or token: wait `Retry-After` seconds.
    RateLimited,
    /// The request took longer than the server allows (`REQUEST_TIMEOUT_SECS`).
    RequestTimeout,
    /// As many exports as the server streams at once (`EXPORT_CONCURRENCY`) are streaming:
    /// retry after `Retry-After` seconds.
    TooManyExports,
}

/// Seconds a client refused with `too_many_exports` is asked to wait (`Retry-After`): short,
/// since an export read at once by its client ends within seconds.
pub const EXPORT_RETRY_AFTER_SECS: u64 = 2;

impl ErrorCode {
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::InvalidParameter,
        ErrorCode::UnknownParameter,
        ErrorCode::InvalidCursor,
        ErrorCode::InvalidBody,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::NotFound,
        ErrorCode::Gone,
        ErrorCode::RouteNotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::InternalError,
        ErrorCode::ServiceUnavailable,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::Conflict,
        ErrorCode::PreconditionFailed,
        ErrorCode::InvalidRecord,
        ErrorCode::PreconditionRequired,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UriTooLong,
        ErrorCode::HeadersTooLarge,
        ErrorCode::RateLimited,
        ErrorCode::RequestTimeout,
        ErrorCode::TooManyExports,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidParameter => "invalid_parameter",
            ErrorCode::UnknownParameter => "unknown_parameter",
            ErrorCode::InvalidCursor => "invalid_cursor",
            ErrorCode::InvalidBody => "invalid_body",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Gone => "gone",
            ErrorCode::RouteNotFound => "route_not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::InternalError => "internal_error",
            ErrorCode::ServiceUnavailable => "service_unavailable",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::Conflict => "conflict",
            ErrorCode::PreconditionFailed => "precondition_failed",
            ErrorCode::InvalidRecord => "invalid_record",
            ErrorCode::PreconditionRequired => "precondition_required",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UriTooLong => "uri_too_long",
            ErrorCode::HeadersTooLarge => "headers_too_large",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::TooManyExports => "too_many_exports",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::InvalidParameter
            | ErrorCode::UnknownParameter
            | ErrorCode::InvalidCursor
            | ErrorCode::InvalidBody => StatusCode::BAD_REQUEST,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::NotFound | ErrorCode::RouteNotFound => StatusCode::NOT_FOUND,
            ErrorCode::Gone => StatusCode::GONE,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ErrorCode::InvalidRecord => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UriTooLong => StatusCode::URI_TOO_LONG,
            ErrorCode::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            // 503, not 408: the client sent its request; the server did not answer in time.
            ErrorCode::RequestTimeout => StatusCode::SERVICE_UNAVAILABLE,
            // 503, not 429: the server is busy, whoever asks; this client did nothing wrong.
            ErrorCode::TooManyExports => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ErrorCode::InvalidParameter => "Invalid parameter",
            ErrorCode::UnknownParameter => "Unknown parameter",
            ErrorCode::InvalidCursor => "Invalid cursor",
            ErrorCode::InvalidBody => "Invalid request body",
            ErrorCode::UnsupportedMediaType => "Unsupported media type",
            ErrorCode::NotFound => "Not found",
            ErrorCode::Gone => "Gone",
            ErrorCode::RouteNotFound => "No such route",
            ErrorCode::MethodNotAllowed => "Method not allowed",
            ErrorCode::InternalError => "Internal error",
            ErrorCode::ServiceUnavailable => "Service unavailable",
            ErrorCode::Unauthorized => "Unauthorized",
            ErrorCode::Forbidden => "Forbidden",
            ErrorCode::Conflict => "Conflict",
            ErrorCode::PreconditionFailed => "Precondition failed",
            ErrorCode::InvalidRecord => "Invalid record",
            ErrorCode::PreconditionRequired => "Precondition required",
            ErrorCode::PayloadTooLarge => "Payload too large",
            ErrorCode::UriTooLong => "URI too long",
            ErrorCode::HeadersTooLarge => "Request headers too large",
            ErrorCode::RateLimited => "Rate limited",
            ErrorCode::RequestTimeout => "Request timed out",
            ErrorCode::TooManyExports => "Too many exports",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

/// An RFC 9457 problem details object.
#[derive(Object, Clone, Debug)]
#[oai(example)]
pub struct Problem {
    /// A URI reference naming the problem type; `GET` it for a description.
    #[oai(rename = "type")]
    pub type_: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, for a person to read.
    pub detail: String,
    /// The stable machine-readable error code.
    pub code: ErrorCode,
    /// The query or path parameter at fault, if one is.
    #[oai(skip_serializing_if_is_none)]
    pub parameter: Option<String>,
    /// Links a client can follow, e.g. the history of a deleted record.
    #[oai(skip_serializing_if_is_none)]
    pub history: Option<String>,
}

impl poem_openapi::types::Example for Problem {
    fn example() -> Self {
        Problem::new(
            ErrorCode::InvalidParameter,
            "`ZZ` is not a USPS state or territory code (e.g. WI, PR)",
        )
        .with_parameter("state")
    }
}

impl Problem {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            type_: format!("/problems/{}", code.as_str()),
            title: code.title().to_string(),
            status: code.status().as_u16(),
            detail: detail.into(),
            code,
            parameter: None,
            history: None,
        }
    }

    pub fn with_parameter(mut self, name: impl Into<String>) -> Self {
        self.parameter = Some(name.into());
        self
    }

    pub fn response(self) -> Response {
        let status = self.code.status();
        let body =
            serde_json::to_vec(&poem_openapi::types::ToJSON::to_json(&self)).unwrap_or_default();
        let mut builder = Response::builder()
            .status(status)
            .content_type(PROBLEM_JSON);
        if self.code == ErrorCode::Unauthorized {
            builder = builder.header("WWW-Authenticate", BEARER_CHALLENGE);
        }
        builder.body(body)
    }
}

/// Every error an operation can answer with. Each variant is a status in the spec.
#[derive(ApiResponse, Debug)]
#[oai(bad_request_handler = "from_request_error")]
pub enum ApiError {
    /// A parameter, cursor or body is invalid (`invalid_parameter`, `unknown_parameter`,
    /// `invalid_cursor`, `invalid_body`).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// A write without a valid bearer token (`unauthorized`).
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>, #[oai(header = "WWW-Authenticate")] String),
    /// The token's role may not do this (`forbidden`).
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// No record has this id (`not_found`).
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The write clashes with existing records (`conflict`).
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// The route does not answer this method (`method_not_allowed`); `Allow` lists those it
    /// answers.
    #[oai(status = 405, content_type = "application/problem+json")]
    MethodNotAllowed(Json<Problem>),
    /// The record was deleted (`gone`); `history` links to its history.
    #[oai(status = 410, content_type = "application/problem+json")]
    Gone(Json<Problem>),
    /// `If-Match` names a version that is no longer current (`precondition_failed`).
    #[oai(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Json<Problem>),
    /// The body's media type is not accepted (`unsupported_media_type`).
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// The request body is too large (`payload_too_large`; see the limits in the README).
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// The path and query are too long (`uri_too_long`).
    #[oai(status = 414, content_type = "application/problem+json")]
    UriTooLong(Json<Problem>),
    /// The body breaks a rule of the data (`invalid_record`).
    #[oai(status = 422, content_type = "application/problem+json")]
    InvalidRecord(Json<Problem>),
    /// A change without `If-Match` (`precondition_required`).
    #[oai(status = 428, content_type = "application/problem+json")]
    PreconditionRequired(Json<Problem>),
    /// Too many requests from this address or token (`rate_limited`): retry after
    /// `Retry-After` seconds.
    #[oai(status = 429, content_type = "application/problem+json")]
    RateLimited(Json<Problem>, #[oai(header = "Retry-After")] u64),
    /// The request headers are too large (`headers_too_large`).
    #[oai(status = 431, content_type = "application/problem+json")]
    HeadersTooLarge(Json<Problem>),
    /// The server failed (`internal_error`); the detail never carries internals.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The database is unreachable (`service_unavailable`), the request took too long
    /// (`request_timeout`), or as many exports as the server streams at once are streaming
    /// (`too_many_exports`, with `Retry-After` in seconds).
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>, #[oai(header = "Retry-After")] Option<u64>),
}

impl ApiError {
    pub fn from_problem(p: Problem) -> Self {
        match p.code {
            ErrorCode::InvalidParameter
            | ErrorCode::UnknownParameter
            | ErrorCode::InvalidCursor
            | ErrorCode::InvalidBody => ApiError::BadRequest(Json(p)),
            ErrorCode::NotFound | ErrorCode::RouteNotFound => ApiError::NotFound(Json(p)),
            ErrorCode::Gone => ApiError::Gone(Json(p)),
            ErrorCode::UnsupportedMediaType => ApiError::UnsupportedMediaType(Json(p)),
            ErrorCode::ServiceUnavailable | ErrorCode::RequestTimeout => {
                ApiError::Unavailable(Json(p), None)
            }
            ErrorCode::TooManyExports => {
                ApiError::Unavailable(Json(p), Some(EXPORT_RETRY_AFTER_SECS))
            }
            ErrorCode::PayloadTooLarge => ApiError::PayloadTooLarge(Json(p)),
            ErrorCode::UriTooLong => ApiError::UriTooLong(Json(p)),
            ErrorCode::HeadersTooLarge => ApiError::HeadersTooLarge(Json(p)),
            ErrorCode::RateLimited => ApiError::RateLimited(Json(p), 1),
            ErrorCode::MethodNotAllowed => ApiError::MethodNotAllowed(Json(p)),
            ErrorCode::InternalError => ApiError::Internal(Json(p)),
            ErrorCode::Unauthorized => ApiError::Unauthorized(Json(p), BEARER_CHALLENGE.into()),
            ErrorCode::Forbidden => ApiError::Forbidden(Json(p)),
            ErrorCode::Conflict => ApiError::Conflict(Json(p)),
            ErrorCode::PreconditionFailed => ApiError::PreconditionFailed(Json(p)),
            ErrorCode::InvalidRecord => ApiError::InvalidRecord(Json(p)),
            ErrorCode::PreconditionRequired => ApiError::PreconditionRequired(Json(p)),
        }
    }

    pub fn invalid(parameter: &str, detail: impl Into<String>) -> Self {
        Self::from_problem(
            Problem::new(ErrorCode::InvalidParameter, detail).with_parameter(parameter),
        )
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        Self::from_problem(
            Problem::new(ErrorCode::NotFound, format!("no {what} has the id `{id}`"))
                .with_parameter("id"),
        )
    }

    /// Logs the cause and answers without it.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        Self::from_problem(Problem::new(
            ErrorCode::InternalError,
            "the server failed to answer; the failure was logged",
        ))
    }
}

/// poem-openapi's request parsing failures, in the API's own shape.
pub fn from_request_error(err: poem::Error) -> ApiError {
    ApiError::from_problem(problem_from_poem(&err))
}

fn problem_from_poem(err: &poem::Error) -> Problem {
    if let Some(e) = err.downcast_ref::<ParseParamError>() {
        return Problem::new(
            ErrorCode::InvalidParameter,
            format!("parameter `{}`: {}", e.name, e.reason),
        )
        .with_parameter(e.name);
    }
    if let Some(e) = err.downcast_ref::<ParsePathError>() {
        return Problem::new(
            ErrorCode::InvalidParameter,
            format!("path parameter `{}`: {}", e.name, e.reason),
        )
        .with_parameter(e.name);
    }
    if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
        return body_problem(&e.reason);
    }
    if err.is::<poem_openapi::error::AuthorizationError>()
        || err.status() == StatusCode::UNAUTHORIZED
    {
        // Never echo the header: it may hold a token.
        return Problem::new(
            ErrorCode::Unauthorized,
            "writes need `Authorization: Bearer <token>`",
        );
    }
    if err.is::<ContentTypeError>() {
        return Problem::new(ErrorCode::UnsupportedMediaType, err.to_string());
    }
    match err.status() {
        StatusCode::NOT_FOUND => Problem::new(
            ErrorCode::RouteNotFound,
            "no route matches this path; see /openapi.json",
        ),
        StatusCode::METHOD_NOT_ALLOWED => Problem::new(
            ErrorCode::MethodNotAllowed,
            "this route does not accept this method",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => Problem::new(
            ErrorCode::PayloadTooLarge,
            "the request body is larger than the server accepts",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            Problem::new(ErrorCode::UnsupportedMediaType, err.to_string())
        }
        s if s.is_client_error() => Problem::new(ErrorCode::InvalidParameter, err.to_string()),
        _ => {
            tracing::error!(error = %err, "request failed");
            Problem::new(
                ErrorCode::InternalError,
                "the server failed to answer; the failure was logged",
            )
        }
    }
}

/// A body poem-openapi could not parse, naming the field at fault. Every request body
/// refuses unknown fields (`deny_unknown_fields`); a search sent a bare GeoJSON geometry
/// (whose `type` and `coordinates` are no search fields) is told to wrap it in `within`.
fn body_problem(reason: &str) -> Problem {
    let unknown = reason
        .split_once("unknown field `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(field, _)| field.to_string());
    let Some(field) = unknown else {
        return Problem::new(ErrorCode::InvalidBody, reason.to_string());
    };
    let is_search = reason.contains("Search\"");
    let detail = if is_search
        && matches!(
            field.as_str(),
            "type" | "coordinates" | "geometry" | "features"
        ) {
        format!(
            "the body has no field `{field}`: it looks like a bare GeoJSON object; a search takes the polygon wrapped in `within`, beside the other filters: {{\"within\": {{\"type\": \"Polygon\", \"coordinates\": [...]}}}}"
        )
    } else {
        format!("the body has no field `{field}` ({reason})")
    };
    Problem::new(ErrorCode::InvalidBody, detail).with_parameter(field)
}

/// The last line of defence, wrapped around the whole app: responses that handlers built
/// pass through; every other error becomes a problem+json response.
pub async fn render_error(err: poem::Error) -> Response {
    // The matched route travels with the error; keep it for the metrics.
    let pattern = err.data::<poem::PathPattern>().cloned();
    let mut resp = if err.is_from_response() {
        err.into_response()
    } else {
        problem_from_poem(&err).response()
    };
    if let Some(p) = pattern {
        resp.set_data(p);
    }
    resp
}
