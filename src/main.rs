//! The `ring-partnerships` command: thin; parses the command line and calls into the library.

use clap::{Parser, Subcommand};
use ring_partnerships::config::{self, Config, Limits};
use ring_partnerships::startup::{self, anyhow_like::Result};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

// The API allocates many small strings per response; glibc's allocator contends across
// threads under load, mimalloc does not (see benches/geo.sh). Built without asking for
// transparent huge pages (`no_thp`): with them, folding a large log zeroed 2 MiB pages again
// and again as memory was freed and reused (a third of the start-up's time at 1,000,000
// partnerships; benches/startup.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    version,
    about = "Open-data API of US public safety agencies' partnerships with Amazon Ring"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct DatabaseArg {
    /// Database URL (`postgres://…`, `sqlite://…`) or path to a SQLite file.
    #[arg(long = "database", env = "DATABASE_URL", default_value = config::DEFAULT_DATABASE_URL)]
    database: String,
}

/// The limits of `serve` (see `config::Limits` and the README's limits table).
#[derive(clap::Args, Clone)]
struct LimitArgs {
    /// Largest request body, in bytes (413 above).
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = Limits::default().max_body_bytes)]
    max_body_bytes: usize,
    /// Longest path and query, in bytes (414 above).
    #[arg(long, env = "MAX_URI_BYTES", default_value_t = Limits::default().max_uri_bytes)]
    max_uri_bytes: usize,
    /// Largest header section, in bytes (431 above).
    #[arg(long, env = "MAX_HEADER_BYTES", default_value_t = Limits::default().max_header_bytes)]
    max_header_bytes: usize,
    /// How many exports (CSV, NDJSON, GeoJSON) stream at once (503 `too_many_exports` above).
    #[arg(long, env = "EXPORT_CONCURRENCY", default_value_t = Limits::default().export_concurrency)]
    export_concurrency: usize,
    /// Most vertices of a search polygon (`within`), over all its rings (400 above; at
    /// least 4, the smallest ring).
    #[arg(long, env = "MAX_POLYGON_VERTICES", default_value_t = Limits::default().max_polygon_vertices)]
    max_polygon_vertices: usize,
    /// Seconds a request may take (503 `request_timeout` after).
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", default_value_t = Limits::default().request_timeout.as_secs())]
    request_timeout_secs: u64,
    /// Seconds a connection may stay silent before it is closed.
    #[arg(long, env = "IDLE_TIMEOUT_SECS", default_value_t = Limits::default().idle_timeout.as_secs())]
    idle_timeout_secs: u64,
    /// Reads a minute per client address (0: unlimited).
    #[arg(long, env = "RATE_LIMIT_READS", default_value_t = Limits::default().reads_per_minute)]
    rate_limit_reads: u32,
    /// Writes a minute per token (0: unlimited).
    #[arg(long, env = "RATE_LIMIT_WRITES", default_value_t = Limits::default().writes_per_minute)]
    rate_limit_writes: u32,
    /// Milliseconds of work one request's share of a rate-limit bucket pays for; slower
    /// requests spend more shares (0: every request costs one).
    #[arg(long, env = "RATE_LIMIT_COST_MS", default_value_t = Limits::default().cost_unit.as_millis() as u64)]
    rate_limit_cost_ms: u64,
    /// Largest body of a correction report (`POST /reports`), in bytes (413 above).
    #[arg(long, env = "MAX_REPORT_BYTES", default_value_t = Limits::default().max_report_bytes)]
    max_report_bytes: usize,
    /// Correction reports an hour per client address (0: unlimited).
    #[arg(long, env = "RATE_LIMIT_REPORTS", default_value_t = Limits::default().reports_per_hour)]
    rate_limit_reports: u32,
    /// Requests one client address may have in progress at once; more wait their turn (0:
    /// no cap).
    #[arg(long, env = "MAX_IN_FLIGHT_PER_ADDRESS", default_value_t = Limits::default().max_in_flight_per_address)]
    max_in_flight_per_address: usize,
    /// Milliseconds a client refused twice in a row waits for its second 429 (0: none).
    #[arg(long, env = "RATE_LIMIT_TARPIT_MS", default_value_t = Limits::default().tarpit.as_millis() as u64)]
    rate_limit_tarpit_ms: u64,
}

impl From<LimitArgs> for Limits {
    fn from(a: LimitArgs) -> Self {
        Self {
            max_body_bytes: a.max_body_bytes,
            max_uri_bytes: a.max_uri_bytes,
            max_header_bytes: a.max_header_bytes,
            export_concurrency: a.export_concurrency.max(1),
            max_polygon_vertices: a.max_polygon_vertices.max(4),
            request_timeout: Duration::from_secs(a.request_timeout_secs.max(1)),
            idle_timeout: Duration::from_secs(a.idle_timeout_secs.max(1)),
            reads_per_minute: a.rate_limit_reads,
            writes_per_minute: a.rate_limit_writes,
            cost_unit: Duration::from_millis(a.rate_limit_cost_ms),
            max_report_bytes: a.max_report_bytes,
            reports_per_hour: a.rate_limit_reports,
            max_in_flight_per_address: a.max_in_flight_per_address,
            tarpit: Duration::from_millis(a.rate_limit_tarpit_ms),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (migrates and seeds the database first).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "BIND", default_value = config::DEFAULT_BIND)]
        bind: String,
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        limits: LimitArgs,
        /// The public base URL absolute links use (Atom, `Location`, `Link`, OGC links),
        /// e.g. `https://api.example.org`; else the proxy's headers with `--trust-proxy`,
        /// else the `Host` header.
        #[arg(long, env = "PUBLIC_URL")]
        public_url: Option<String>,
        /// Believe `Forwarded` / `X-Forwarded-Proto` / `X-Forwarded-Host`: only behind a
        /// proxy that sets them (a client could forge them otherwise).
        #[arg(long, env = "TRUST_PROXY")]
        trust_proxy: bool,
        /// What an empty database is filled with.
        #[arg(long, env = "SEED_DATA", value_enum, default_value_t = config::SeedData::Shipped)]
        seed: config::SeedData,
    },
    /// Copy a live SQLite database to FILE, consistently (`VACUUM INTO`); serve the copy to
    /// restore it.
    Backup {
        /// The file to write; it must not exist.
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Run the database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Import partnerships from a public data file into the database `serve` uses.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Add synthetic agencies (each with one partnership) for benchmarks and load tests.
    Generate {
        /// How many agencies.
        #[arg(long, default_value_t = 100_000)]
        agencies: usize,
        /// Seed: the same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Manage the bearer tokens that writes need (reads need none).
    Token {
        #[command(subcommand)]
        what: TokenCommand,
    },
    /// Print the OpenAPI definition, or check or rewrite the committed copy.
    Openapi {
        /// Write the definition to this file instead of printing it.
        #[arg(long)]
        write: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// The EFF Atlas of Surveillance CSV export: its `Ring/Neighbors Partnership` rows.
    Atlas {
        /// The export, e.g. `Atlas of Surveillance-20201007.csv`.
        path: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
        /// The FBI agency list (`agencies.csv`) to fill in ORI codes.
        #[arg(long)]
        ori: Option<PathBuf>,
        /// Report what would change and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the shipped dataset's files into this folder (e.g. `data/atlas-2020-10-07`)
        /// instead of importing: no database is opened.
        #[arg(long, conflicts_with = "dry_run")]
        write_seed: Option<PathBuf>,
    },
    /// Cited changes from a spreadsheet, one a row, in one transaction (format:
    /// docs/examples/changes.md).
    Changes {
        /// The CSV file, e.g. `docs/examples/changes.csv`.
        path: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
        /// Show the diff and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// A snapshot of Ring's Active Agency Map (its KML export): new agencies and
    /// partnerships, confirmations, and ends since the previous snapshot, in one transaction.
    RingMap {
        /// The KML file, e.g. `tests/fixtures/ring-map/2020-q1.kml`.
        path: PathBuf,
        /// The day the snapshot was taken (YYYY-MM-DD).
        #[arg(long)]
        observed: String,
        #[command(flatten)]
        db: DatabaseArg,
        /// Show the diff and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Make a token and print it once; only its SHA-256 is stored.
    Create {
        /// `editor` (create, update) or `admin` (also delete).
        #[arg(long)]
        role: String,
        /// A unique name; revisions record it as the actor.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// List tokens: name, role, created, revoked (never the tokens themselves).
    List {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Revoke a token by name.
    Revoke {
        name: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

async fn token_store(db: &DatabaseArg) -> Result<ring_partnerships::store::Store> {
    let url = config::database_url(&db.database);
    let store = ring_partnerships::store::Store::connect(&url).await?;
    store.migrate().await?;
    Ok(store)
}

/// The dataset an import works on. A dry run writes nothing, not even migrations or the seed.
async fn open_for_import(url: &str, dry_run: bool) -> Result<ring_partnerships::service::Dataset> {
    Ok(if dry_run {
        let store = ring_partnerships::store::Store::connect(url).await?;
        ring_partnerships::service::Dataset::open(store)
            .await
            .map_err(|e| {
                format!(
                    "{e}: a dry run reads an existing database and writes nothing, not even its \
                     tables; create this one first (`ring-partnerships migrate --database ...`)"
                )
            })?
    } else {
        startup::open_dataset(url).await?
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    // Every line logged while answering a request carries its `request_id` (the guard's
    // span). `LOG_FORMAT=json` logs one JSON object a line, for log collectors.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into());
    // Lines go to stderr from a thread of their own, a buffer at a time (flushed whenever no
    // line waits), so a request formats its line but never waits for the write. None is
    // dropped: a full queue holds the logging request back instead.
    let (writer, flush) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("log-writer")
        .finish(std::io::BufWriter::with_capacity(
            1 << 16,
            std::io::stderr(),
        ));
    // Colours only for a terminal: a log file or collector gets plain text.
    use std::io::IsTerminal;
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer);
    if std::env::var("LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        logs.json().init();
    } else {
        logs.init();
    }
    let result = run(Cli::parse()).await;
    // Every line logged is written before the error (if any) and the exit.
    drop(flush);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve {
            bind,
            db,
            limits,
            public_url,
            trust_proxy,
            seed,
        } => {
            let public_url = match public_url.filter(|u| !u.trim().is_empty()) {
                Some(u) => ring_partnerships::web::base_url::PublicUrl::parse(&u, trust_proxy)?,
                None => ring_partnerships::web::base_url::PublicUrl {
                    base: None,
                    trust_proxy,
                },
            };
            let config = Config {
                bind,
                database_url: config::database_url(&db.database),
                limits: limits.into(),
                public_url,
                seed,
                ..Config::default()
            };
            startup::serve(config).await
        }
        Command::Backup { file, db } => {
            if file.exists() {
                return Err(format!("{} exists; backup writes a new file", file.display()).into());
            }
            let url = config::database_url(&db.database);
            let store = ring_partnerships::store::Store::connect(&url).await?;
            let path = file.to_str().ok_or("the backup path is not UTF-8")?;
            store.backup_sqlite(path).await?;
            eprintln!("copied {} to {}", config::redacted(&url), file.display());
            Ok(())
        }
        Command::Migrate { db } => {
            let url = config::database_url(&db.database);
            let store = ring_partnerships::store::Store::connect(&url).await?;
            store.migrate().await?;
            eprintln!("migrated {}", config::redacted(&url));
            Ok(())
        }
        Command::Import {
            what:
                ImportCommand::Atlas {
                    path,
                    db,
                    ori,
                    dry_run,
                    write_seed,
                },
        } => {
            use ring_partnerships::import::ori::OriIndex;
            use ring_partnerships::service::import::{self, ImportOptions};
            let url = config::database_url(&db.database);
            let ori = ori.as_deref().map(OriIndex::from_path).transpose()?;
            if let Some(dir) = write_seed {
                let file = import::read_atlas_path(&path)?;
                let text = ring_partnerships::service::shipped::shipped_csv(&file, ori.as_ref())?;
                std::fs::create_dir_all(&dir)?;
                let out = dir.join("partnerships.csv");
                std::fs::write(&out, text)?;
                eprintln!("wrote {} rows to {}", file.rows.len(), out.display());
                return Ok(());
            }
            let dataset = if dry_run {
                // A dry run writes nothing, not even migrations or the seed.
                let store = ring_partnerships::store::Store::connect(&url).await?;
                ring_partnerships::service::Dataset::open(store).await?
            } else {
                startup::open_dataset(&url).await?
            };
            let options = ImportOptions {
                dry_run,
                ori: ori.as_ref(),
            };
            let report = import::import_atlas_path(&dataset, &path, options).await?;
            println!("{report}");
            Ok(())
        }
        Command::Import {
            what: ImportCommand::Changes { path, db, dry_run },
        } => {
            use ring_partnerships::import::changes;
            use ring_partnerships::service::changes::apply;
            let file = std::fs::File::open(&path)
                .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
            let rows = changes::read(std::io::BufReader::new(file))
                .map_err(|e| format!("{}: {e}", path.display()))?;
            let url = config::database_url(&db.database);
            let dataset = open_for_import(&url, dry_run).await?;
            let report = apply(&dataset, &rows, dry_run)
                .await
                .map_err(|e| format!("{}: {e}; nothing was written", path.display()))?;
            println!("{report}");
            Ok(())
        }
        Command::Import {
            what:
                ImportCommand::RingMap {
                    path,
                    observed,
                    db,
                    dry_run,
                },
        } => {
            use ring_partnerships::import::ringmap;
            use ring_partnerships::service::ringmap::apply;
            let observed = ringmap::parse_day(&observed)
                .filter(|_| observed.contains('-'))
                .ok_or_else(|| format!("--observed `{observed}` is not a day: use YYYY-MM-DD"))?;
            let bytes =
                std::fs::read(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
            let file = ringmap::read(&bytes)
                .map_err(|e| format!("{}: {e}; nothing was written", path.display()))?;
            let url = config::database_url(&db.database);
            let dataset = open_for_import(&url, dry_run).await?;
            let report = apply(&dataset, &file, observed, dry_run)
                .await
                .map_err(|e| format!("{}: {e}; nothing was written", path.display()))?;
            println!("{report}");
            Ok(())
        }
        Command::Generate { agencies, seed, db } => {
            let url = config::database_url(&db.database);
            let dataset = startup::open_dataset(&url).await?;
            let started = std::time::Instant::now();
            let n =
                ring_partnerships::service::synthetic::generate(&dataset, agencies, seed).await?;
            eprintln!(
                "generated {n} synthetic agencies with partnerships in {:.1?}",
                started.elapsed()
            );
            Ok(())
        }
        Command::Token { what } => {
            use ring_partnerships::service::tokens::{self, Role};
            match what {
                TokenCommand::Create { role, name, db } => {
                    let role: Role = role.parse()?;
                    let store = token_store(&db).await?;
                    let token = tokens::create(&store, &name, role).await?;
                    eprintln!("token `{name}` ({role}) made; it is shown once, store it now:");
                    println!("{token}");
                }
                TokenCommand::List { db } => {
                    let store = token_store(&db).await?;
                    for t in tokens::list(&store).await? {
                        let revoked = t.revoked_at.map_or("-".to_string(), |r| r.to_string());
                        println!(
                            "{}\t{}\tcreated {}\trevoked {}",
                            t.name, t.role, t.created_at, revoked
                        );
                    }
                }
                TokenCommand::Revoke { name, db } => {
                    let store = token_store(&db).await?;
                    if tokens::revoke(&store, &name).await? {
                        eprintln!("revoked `{name}`");
                    } else {
                        return Err(format!("no live token is named `{name}`").into());
                    }
                }
            }
            Ok(())
        }
        Command::Openapi { write } => {
            let spec = ring_partnerships::api::offline_spec().await?;
            match write {
                Some(path) => std::fs::write(path, spec)?,
                None => println!("{spec}"),
            }
            Ok(())
        }
    }
}
