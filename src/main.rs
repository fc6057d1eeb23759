//! The `ring-partnerships` command: thin; parses the command line and calls into the library.

use clap::{Parser, Subcommand};
use ring_partnerships::config::{self, Config};
use ring_partnerships::startup::{self, anyhow_like::Result};
use std::path::PathBuf;
use std::process::ExitCode;

// The API allocates many small strings per response; glibc's allocator contends across
// threads under load, mimalloc does not (see benches/geo.sh).
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

#[derive(Subcommand)]
enum Command {
    /// Serve the API (migrates and seeds the database first).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "BIND", default_value = config::DEFAULT_BIND)]
        bind: String,
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

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve { bind, db } => {
            let config = Config {
                bind,
                database_url: config::database_url(&db.database),
                ..Config::default()
            };
            startup::serve(config).await
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
                },
        } => {
            use ring_partnerships::import::ori::OriIndex;
            use ring_partnerships::service::import::{self, ImportOptions};
            let url = config::database_url(&db.database);
            let ori = ori.as_deref().map(OriIndex::from_path).transpose()?;
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
