use poem::listener::{Acceptor, Listener, TcpListener};
use ring_partnerships::api::AppState;
use ring_partnerships::config::Config;
use ring_partnerships::domain::{
    Agency, AgencyType, ChangeKind, Citation, EntityKind, JurisdictionType, Meta, PartialDate,
    Partnership, Record, Source, SourceKind, Status,
};
use ring_partnerships::service::Dataset;
use ring_partnerships::service::writer::{Reason, now};
use ring_partnerships::startup;
use sea_orm::{ConnectionTrait, Database};
use std::time::Duration;

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body against each backend: `sqlite` always, `postgres` when configured. With
/// `limits = …`, each app is started with those limits.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, limits = $limits:expr, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let app = $crate::helpers::TestApp::try_spawn_with_limits(
                    $crate::helpers::Backend::Sqlite,
                    $limits,
                )
                .await
                .expect("sqlite");
                ($body)(app).await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(app) = $crate::helpers::TestApp::try_spawn_with_limits(
                    $crate::helpers::Backend::Postgres,
                    $limits,
                )
                .await
                else {
                    return;
                };
                ($body)(app).await;
            }
        }
    };
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite).await;
                ($body)(app).await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(app) =
                    $crate::helpers::TestApp::try_spawn($crate::helpers::Backend::Postgres).await
                else {
                    return;
                };
                ($body)(app).await;
            }
        }
    };
}

/// A fresh database of the backend, dropped (PostgreSQL) or deleted (SQLite) afterwards.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

impl TestDb {
    pub async fn create(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                Some(Self {
                    url,
                    _dir: Some(dir),
                    pg_drop: None,
                })
            }
            Backend::Postgres => {
                let Ok(admin) = std::env::var("TEST_DATABASE_URL") else {
                    assert!(
                        std::env::var_os("CI").is_none(),
                        "CI is set but TEST_DATABASE_URL is not: PostgreSQL tests must run"
                    );
                    eprintln!("TEST_DATABASE_URL not set: skipping the PostgreSQL case");
                    return None;
                };
                let name = format!(
                    "rp_test_{}_{}",
                    std::process::id(),
                    NEXT_DB.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                );
                let conn = Database::connect(&admin)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL at TEST_DATABASE_URL unreachable: {e}"));
                conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
                    .await
                    .expect("drop old test database");
                conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                let mut url = url::Url::parse(&admin).expect("TEST_DATABASE_URL is a URL");
                url.set_path(&name);
                Some(Self {
                    url: url.to_string(),
                    _dir: None,
                    pg_drop: Some((admin, name)),
                })
            }
        }
    }
}

static NEXT_DB: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg_drop.take() {
            // Dropping needs async I/O; do it on a runtime of its own so it works from any
            // context, including a test that is unwinding.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async {
                    if let Ok(conn) = Database::connect(&admin).await {
                        let _ = conn
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// The defaults, without rate limits: tests send bursts from one address. Every request
/// costs one share (a debug build's timings would make costs vary).
pub fn test_limits() -> ring_partnerships::config::Limits {
    ring_partnerships::config::Limits {
        reads_per_minute: 0,
        writes_per_minute: 0,
        reports_per_hour: 0,
        cost_unit: Duration::ZERO,
        max_in_flight_per_address: 0,
        ..Default::default()
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub dataset: Dataset,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    // Last: the database outlives the server using it.
    #[allow(dead_code)]
    pub db: TestDb,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::try_spawn(backend).await.expect("backend available")
    }

    pub async fn try_spawn(backend: Backend) -> Option<Self> {
        let db = TestDb::create(backend).await?;
        Some(Self::start(db).await)
    }

    /// A second server on the database of `other`, as a second `serve` process would be:
    /// its own catalog, kept in step by following the shared revision log.
    pub async fn spawn_sharing(other: &TestApp) -> Self {
        let db = TestDb {
            url: other.db.url.clone(),
            _dir: None,
            pg_drop: None,
        };
        Self::start(db).await
    }

    /// A server on the database at `url`, which the caller owns (nothing is dropped).
    pub async fn spawn_on(url: &str) -> Self {
        let db = TestDb {
            url: url.to_string(),
            _dir: None,
            pg_drop: None,
        };
        Self::start(db).await
    }

    /// A fresh SQLite app with these limits.
    pub async fn spawn_with_limits(limits: ring_partnerships::config::Limits) -> Self {
        Self::try_spawn_with_limits(Backend::Sqlite, limits)
            .await
            .expect("sqlite")
    }

    /// A fresh app of the backend with these limits; `None` when the backend is not
    /// configured.
    pub async fn try_spawn_with_limits(
        backend: Backend,
        limits: ring_partnerships::config::Limits,
    ) -> Option<Self> {
        let db = TestDb::create(backend).await?;
        Some(Self::start_with(db, Some(limits)).await)
    }

    async fn start(db: TestDb) -> Self {
        Self::start_with(db, None).await
    }

    async fn start_with(db: TestDb, limits: Option<ring_partnerships::config::Limits>) -> Self {
        let dataset = startup::open_dataset(&db.url).await.expect("open dataset");
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .expect("bind port 0");
        let addr = acceptor.local_addr()[0]
            .as_socket_addr()
            .copied()
            .expect("tcp address");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let config = Config {
            follow_interval: Duration::from_millis(100),
            limits: limits.unwrap_or_else(test_limits),
            ..Config::default()
        };
        let state = AppState::new(dataset.clone(), &config.limits);
        let server = tokio::spawn(async move {
            startup::run(acceptor, state, &config, async {
                let _ = rx.await;
            })
            .await
            .expect("server runs");
        });
        Self {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            dataset,
            shutdown: Some(tx),
            server: Some(server),
            db,
        }
    }

    /// GET a path of this app, or an absolute URL (a link it gave).
    pub async fn get(&self, path: &str) -> reqwest::Response {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{}", self.base, path)
        };
        self.client.get(url).send().await.expect("request")
    }

    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let resp = self.get(path).await;
        assert_eq!(resp.status(), 200, "GET {path}");
        resp.json().await.expect("json body")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// Writes records through the service, as an editor or importer would.
pub struct Fixture<'a> {
    pub dataset: &'a Dataset,
}

fn placeholder() -> Meta {
    Meta::new(now())
}

pub const PROGRAM: &str = "ring-neighbors-public-safety-service";

impl Fixture<'_> {
    pub async fn source(&self, url: &str, title: &str) -> i64 {
        let mut w = self.dataset.begin("test").await.unwrap();
        let record = Record::Source(Source {
            id: 0,
            url: url.into(),
            title: title.into(),
            publisher: Some("Test publisher".into()),
            published: Some("2019-08".parse().unwrap()),
            accessed: None,
            archived_url: None,
            kind: SourceKind::News,
            meta: placeholder(),
        });
        let why = Reason {
            kind: ChangeKind::Created,
            note: Some("test"),
            sources: &[],
        };
        let Record::Source(s) = w.create(record, why).await.unwrap() else {
            unreachable!()
        };
        self.dataset.commit(w).await.unwrap();
        s.id
    }

    /// An agency with one partnership starting at `start`, cited by `source`.
    pub async fn agency_with_partnership(
        &self,
        state: &str,
        name: &str,
        agency_type: AgencyType,
        start: &str,
        source: i64,
    ) -> (String, i64) {
        let state = state.parse().unwrap();
        let id = ring_partnerships::domain::ids::agency_slug(state, name);
        let mut w = self.dataset.begin("test").await.unwrap();
        let why = Reason {
            kind: ChangeKind::Created,
            note: Some("test fixture"),
            sources: &[source],
        };
        w.create(
            Record::Agency(Agency {
                id: id.clone(),
                name: name.into(),
                agency_type,
                jurisdiction_type: JurisdictionType::Municipal,
                ori: None,
                city: Some(name.split(' ').next().unwrap_or(name).into()),
                county: None,
                state,
                country: "US".into(),
                latitude: Some(43.0),
                longitude: Some(-88.0),
                location_precision: None,
                location_basis: None,
                location_source: None,
                quality_flags: Vec::new(),
                external_ids: Default::default(),
                notes: None,
                meta: placeholder(),
            }),
            why,
        )
        .await
        .unwrap();
        let Record::Partnership(p) = w
            .create(
                Record::Partnership(Partnership {
                    id: 0,
                    agency_id: id.clone(),
                    program_id: PROGRAM.into(),
                    status: Status::Active,
                    start: Some(start.parse::<PartialDate>().unwrap()),
                    end: None,
                    video_requests: vec![],
                    external_ids: Default::default(),
                    notes: None,
                    last_confirmed: None,
                    last_confirmed_source: None,
                    meta: placeholder(),
                }),
                why,
            )
            .await
            .unwrap()
        else {
            unreachable!()
        };
        for (kind, eid) in [
            (EntityKind::Agency, id.clone()),
            (EntityKind::Partnership, p.id.to_string()),
        ] {
            w.create(
                Record::Citation(Citation {
                    id: 0,
                    source_id: source,
                    entity_kind: kind,
                    entity_id: eid,
                    field: None,
                    quote: Some("a quote".into()),
                    meta: placeholder(),
                }),
                why,
            )
            .await
            .unwrap();
        }
        self.dataset.commit(w).await.unwrap();
        (id, p.id)
    }
}

impl TestApp {
    /// Makes a token with this role and name, as `ring-partnerships token create` would.
    pub async fn token(&self, role: &str, name: &str) -> String {
        ring_partnerships::service::tokens::create(
            self.dataset.store(),
            name,
            role.parse().unwrap(),
        )
        .await
        .unwrap()
    }

    /// Sends a write (or any request) with an optional token, `If-Match` and JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        if_match: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(m) = if_match {
            req = req.header("If-Match", m);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("request")
    }
}
