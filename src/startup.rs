//! Building and running the app. `run(listener, state, shutdown)` is the seam tests use: they
//! bind port 0 and start the real app against a fresh database.

use crate::api::caching::Caching;
use crate::api::geojson::SuffixFormats;
use crate::api::{self, AppState};
use crate::config::{Config, Limits, redacted};
use crate::error::{ErrorCode, Problem, render_error};
use crate::service::{Dataset, ServiceError, seed};
use crate::store::Store;
use crate::web::idle::IdleTimeout;
use crate::web::params::{ParamTable, Params};
use crate::web::{Guard, GuardState};
use poem::endpoint::make_sync;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::middleware::{CatchPanic, Cors};
use poem::web::Html;
use poem::{Endpoint, EndpointExt, IntoEndpoint, Route, Server};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Connects, migrates, seeds the programs, and loads the catalog.
pub async fn open_dataset(database_url: &str) -> Result<Dataset, ServiceError> {
    tracing::info!(database = %redacted(database_url), "opening database");
    let store = Store::connect(database_url).await?;
    store.migrate().await?;
    let started = std::time::Instant::now();
    let dataset = Dataset::open(store).await?;
    tracing::info!(
        version = dataset.read().seq(),
        ms = started.elapsed().as_millis() as u64,
        "folded the revision log"
    );
    seed::ensure_programs(&dataset).await?;
    Ok(dataset)
}

/// The request headers a browser may send cross-origin: each one the API reads or documents.
pub const CORS_REQUEST_HEADERS: [&str; 9] = [
    "Accept",
    "Accept-Language",
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "If-Modified-Since",
    "X-Request-Id",
    "Cache-Control",
];

/// The whole HTTP app: the API, its spec and docs, metrics, CORS for reads from any origin,
/// the problem+json rendering of every error, and the guard (limits, rate limits, request
/// ids, security headers) around it all.
pub fn app(state: AppState, limits: &Limits) -> impl Endpoint + use<> {
    let dataset = state.dataset.clone();
    let public_url = state.public_url.clone();
    let pages_state = state.clone();
    let service = api::service(state);
    let spec = api::spec::minify(&api::spec_text(&service));
    let docs = crate::pages::docs::html();
    let spec_value = serde_json::from_str::<serde_json::Value>(&spec).unwrap_or_default();
    let templates: Vec<String> = spec_value
        .get("paths")
        .and_then(|p| p.as_object())
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    // What each route accepts, from the spec itself: code and spec cannot disagree.
    let mut params = ParamTable::from_spec(&spec_value);
    for route in ["/openapi.json", "/docs", "/metrics"] {
        params.add(route, "GET", Vec::new());
    }
    let guard = Arc::new(GuardState::new(
        limits,
        templates
            .iter()
            .map(String::as_str)
            .chain(["/openapi.json", "/docs", "/metrics"]),
    ));
    let metrics_guard = guard.clone();
    let metrics_dataset = dataset.clone();
    let page_cache = Arc::new(crate::pages::PageCache::default());
    crate::pages::mount(Route::new(), pages_state.clone(), page_cache.clone())
        .at(
            "/metrics",
            poem::get(make_sync(move |_| {
                let dataset = &metrics_dataset;
                let (size, idle) = dataset.store().pool_stats();
                let text = metrics_guard.metrics.render(&[
                    (
                        "dataset_version",
                        "Sequence number of the newest revision the catalog reflects.",
                        dataset.read().seq() as f64,
                    ),
                    (
                        "db_pool_connections",
                        "Open database connections.",
                        f64::from(size),
                    ),
                    (
                        "db_pool_idle_connections",
                        "Idle database connections.",
                        idle as f64,
                    ),
                ]);
                poem::Response::builder()
                    .content_type("text/plain; version=0.0.4; charset=utf-8")
                    .body(text)
            })),
        )
        .at(
            "/openapi.json",
            make_sync(move |_| {
                poem::Response::builder()
                    .content_type("application/json")
                    .body(spec.clone())
            }),
        )
        .at("/docs", make_sync(move |_| Html(docs.clone())))
        .nest("/", service)
        // Only documented query parameters reach the API (pages check their own, so this
        // sits inside `Pages`: a browser's mistake is answered with a page).
        .with(Params(Arc::new(params)))
        // HTML for browsers on the same URLs (and the HTML form of errors); inside the
        // compression and caching layers, so pages are compressed and revalidated like JSON.
        .with(crate::pages::Pages {
            state: pages_state,
            cache: page_cache,
        })
        // Compression streams: a streamed export is compressed chunk by chunk; a cached page
        // comes compressed already and passes through.
        .with(crate::web::compress::Compression)
        .with(Caching { dataset })
        // `Location` and `Link` as absolute URLs under the public base URL.
        .with(crate::web::absolute::AbsoluteLinks(public_url))
        .with(SuffixFormats)
        .catch_all_error(render_error)
        .with(
            Cors::new()
                .allow_methods(["GET", "HEAD", "OPTIONS", "POST", "PATCH", "DELETE"])
                // Every request header the API reads or documents.
                .allow_headers(CORS_REQUEST_HEADERS)
                .expose_headers([
                    "X-Request-Id",
                    "Link",
                    "ETag",
                    "Location",
                    "Last-Modified",
                    "Content-Disposition",
                    // So browser clients can back off from a 429 or a 503.
                    "Retry-After",
                    "RateLimit-Limit",
                    "RateLimit-Remaining",
                    "RateLimit-Reset",
                ]),
        )
        .with(crate::web::access_log::AccessLog)
        // A panic is a bug; it answers 500 like any other failure instead of dropping the
        // connection, and is logged.
        .with(CatchPanic::new().with_handler(|_| {
            tracing::error!("a request handler panicked");
            Problem::new(
                ErrorCode::InternalError,
                "the server failed to answer; the failure was logged",
            )
            .response()
        }))
        .with(Guard(guard))
        .into_endpoint()
}

/// Serves until `shutdown` resolves, then finishes in-flight requests (up to 10 s).
pub async fn run<A: Acceptor + 'static>(
    acceptor: A,
    state: AppState,
    config: &Config,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let follower = state.dataset.spawn_follower(config.follow_interval);
    let state = AppState {
        public_url: Arc::new(config.public_url.clone()),
        ..state
    };
    let app = app(state, &config.limits);
    let acceptor = IdleTimeout::new(acceptor, config.limits.idle_timeout);
    let result = Server::new_with_acceptor(acceptor)
        .run_with_graceful_shutdown(app, shutdown, Some(Duration::from_secs(10)))
        .await;
    follower.abort();
    result
}

/// `serve`: open the database and answer on `config.bind` until SIGTERM or Ctrl-C.
pub async fn serve(config: Config) -> anyhow_like::Result<()> {
    let dataset = open_dataset(&config.database_url).await?;
    // A new user sees real data at once: the shipped dataset fills an empty database.
    use crate::config::SeedData;
    let loaded = match config.seed {
        SeedData::Shipped => crate::service::shipped::load_shipped_if_empty(&dataset).await?,
        SeedData::Sample => crate::service::import::load_sample_if_empty(&dataset).await?,
        SeedData::None => false,
    };
    if loaded {
        tracing::info!(seed = ?config.seed, "empty database: loaded the seed data");
    }
    let state = AppState::new(dataset, &config.limits);
    let acceptor = TcpListener::bind(config.bind.clone())
        .into_acceptor()
        .await?;
    for addr in acceptor.local_addr() {
        tracing::info!(address = %addr, "listening");
    }
    run(acceptor, state, &config, shutdown_signal()).await?;
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

/// A boxed error for the command line, where any failure ends the process with a message.
pub mod anyhow_like {
    pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;
}
