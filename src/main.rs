//! The `fenfa` command: serve the portal, apply migrations, load demo data, or back up
//! and restore a SQLite installation.

use std::time::Duration;

use clap::{Parser, Subcommand};
use fenfa::config::{Config, LogFormat, StorageTarget};
use tower_sessions::session_store::ExpiredDeletion;

#[derive(Parser)]
#[command(name = "fenfa", version, about = "Fenfa app distribution portal")]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web portal (the default).
    Serve {
        /// Load the demo data set first if the database is empty, and print its logins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo data set into an empty database and print its logins.
    Demo,
    /// Load the benchmark's scale data set into an empty database (see `fenfa::scale`).
    SeedScale {
        /// Number of orders (and of form submissions); the rest is in proportion.
        #[arg(long, default_value_t = 10_000)]
        orders: i64,
        /// Fresh purchase links for the buyer organisation (one purchase each).
        #[arg(long, default_value_t = 30_000)]
        buy_links: i64,
    },
    /// Serve the benchmark's bare-stack reference routes instead of the portal.
    Reference,
    /// Copy the SQLite database and the uploads into FILE, FILE.uploads/ and
    /// FILE.manifest while the portal runs (on PostgreSQL: use pg_dump).
    Backup {
        /// Where the database copy goes; it must not exist yet.
        file: std::path::PathBuf,
    },
    /// Check a backup made by `fenfa backup` and restore it into the configured data
    /// directory; nothing is replaced unless every check passes. Stop the portal first.
    Restore {
        /// The backup's database file (FILE, beside FILE.uploads/ and FILE.manifest).
        file: std::path::PathBuf,
    },
    /// Manage where uploaded files are kept.
    Storage {
        #[command(subcommand)]
        action: StorageAction,
    },
    /// Print how many argon2 verifications per second the login permits can do.
    Argon2Rate {
        /// Verifying threads; defaults to the login permits of this machine.
        #[arg(long)]
        permits: Option<usize>,
        #[arg(long, default_value_t = 3.0)]
        seconds: f64,
    },
}

#[derive(Subcommand)]
enum StorageAction {
    /// Copy every file of the local upload directory into the object store named by
    /// FENFA_STORAGE (s3://bucket[/prefix]); files already there with the same size are
    /// skipped, so it can be run again (a second run copies nothing).
    Migrate,
}

/// mimalloc: fewer cycles per allocation than glibc's malloc across many threads, and
/// freed memory goes back instead of staying in per-thread arenas.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    eager_allocator_purge();
    let runtime = fenfa::runtime()?;
    let result = runtime.block_on(run());
    // A blocking task still running (a query of a connection cut off after the grace
    // period) must not hold the exit up indefinitely.
    runtime.shutdown_timeout(Duration::from_secs(5));
    result
}

/// mimalloc keeps freed memory committed for a second (v3's default purge delay) and
/// commits arena memory eagerly; a login's 19 MiB of argon2 working memory and the
/// per-thread heaps then stayed resident: 73–89 MB of anonymous memory under a list-page
/// load, against 23–24 MB with memory returned at once (and no measurable change in
/// req/s). mimalloc reads these options from the environment only as the process starts,
/// so unless the operator set them, the binary starts itself again with them set.
fn eager_allocator_purge() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    // `exec` only returns on failure; the portal then runs with mimalloc's defaults.
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("MIMALLOC_PURGE_DELAY", "0")
        .env("MIMALLOC_ARENA_EAGER_COMMIT", "0")
        .exec();
    eprintln!("running with mimalloc's default memory options: {err}");
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let logs = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(&cli.config.log));
    match cli.config.log_format {
        // One JSON object a line; a request's lines carry its span (`request_id`).
        LogFormat::Json => logs.json().init(),
        LogFormat::Text => logs.init(),
    }
    let config = cli.config.clone();
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Migrate => {
            let state = fenfa::build_state(config)?;
            tracing::info!(backend = ?state.db.backend(), "migrations applied");
        }
        Command::Demo => {
            let state = fenfa::build_state(config)?;
            load_demo(&state)?;
        }
        Command::SeedScale { orders, buy_links } => {
            let state = fenfa::build_state(config)?;
            let started = std::time::Instant::now();
            let summary = fenfa::scale::seed(&state.db, orders, buy_links)?;
            print!("{}", summary.lines());
            println!("seconds={:.1}", started.elapsed().as_secs_f64());
        }
        Command::Reference => fenfa::reference::serve(config).await?,
        Command::Backup { file } => {
            let made = fenfa::backup::backup(&config, &file)?;
            println!("{}", made.summary());
        }
        Command::Restore { file } => {
            let restored = fenfa::backup::restore(&config, &file)?;
            println!("{}", restored.summary());
        }
        Command::Storage {
            action: StorageAction::Migrate,
        } => {
            let StorageTarget::S3 { bucket, prefix } = &config.storage else {
                anyhow::bail!(
                    "FENFA_STORAGE names no object store (s3://bucket[/prefix]): nothing to migrate into"
                );
            };
            let from = fenfa::storage::LocalDir::new(config.upload_dir())?;
            let into = fenfa::storage::ObjectStorage::new(bucket, prefix)?;
            let done = fenfa::storage::migrate(&from, &into)
                .map_err(|_| anyhow::anyhow!("the migration stopped; see the error above"))?;
            println!("{} into {}", done.summary(), config.storage);
        }
        Command::Argon2Rate { permits, seconds } => {
            let permits = permits.unwrap_or_else(fenfa::auth::password::login_permits);
            let rate = fenfa::scale::argon2_rate(permits, seconds)?;
            println!("permits={permits}\nverifies_per_second={rate:.1}");
        }
        Command::Serve { demo } => {
            let bind = config.bind;
            if let Some(warning) = config.public_url_warning() {
                tracing::warn!("{warning}");
            }
            // Installed before anything else, so that a SIGTERM during start-up is not
            // the default "terminate at once" either.
            let signal = shutdown_signal()?;
            // With `--demo`, the emptiness check and the load happen under the start-up
            // lock together with the migrations: of several instances started at once,
            // one loads the data and the others find it.
            let state = if demo {
                let (state, logins) = fenfa::app::build_state_then(config, |conn, storage| {
                    fenfa::demo::load_on(conn, storage)
                })?;
                print_demo(logins, &state.config.public_base());
                state
            } else {
                fenfa::build_state(config)?
            };
            fenfa::auth::password::Hasher::warm_up();
            let store = fenfa::auth::session_store::DieselStore::new(
                state.db.clone(),
                state.config.session_policy(),
            );
            let cleanup = tokio::spawn(store.continuously_delete_expired(Duration::from_secs(600)));
            let (stop_jobs, jobs_stopped) = tokio::sync::oneshot::channel::<()>();
            let jobs = tokio::spawn(fenfa::jobs::run_until(
                fenfa::app::job_context(&state),
                async move {
                    let _ = jobs_stopped.await;
                },
            ));
            let header_timeout = state.config.header_timeout();
            if let Some(metrics_bind) = state.config.metrics_bind {
                let listener = tokio::net::TcpListener::bind(metrics_bind).await?;
                println!(
                    "Metrics are served on http://{}/metrics",
                    listener.local_addr()?
                );
                let metrics = fenfa::web::metrics::router(state.clone());
                tokio::spawn(async move {
                    let ended = fenfa::serve::serve(
                        listener,
                        metrics,
                        header_timeout,
                        std::time::Duration::ZERO,
                        std::future::pending(),
                    )
                    .await;
                    if let Err(e) = ended {
                        tracing::error!(error = %e, "the metrics listener stopped");
                    }
                });
            }
            let grace = state.config.shutdown_grace();
            let public = state.config.public_base();
            let db = state.db.clone();
            let app = fenfa::app::router(state);
            let listener = tokio::net::TcpListener::bind(bind).await?;
            println!("Fenfa is listening on http://{}", listener.local_addr()?);
            println!("Links are built on {public}");
            let drained = fenfa::serve::serve(listener, app, header_timeout, grace, signal).await?;
            // Then the background work: the session sweep is stopped where it is (a
            // sweep is one DELETE, done again on the next start), the job runner after
            // its pass under way, for what is left of the grace period (at least a
            // second); a runner still busy then leaves leases that run out.
            cleanup.abort();
            let _ = cleanup.await;
            let _ = stop_jobs.send(());
            let left = grace
                .saturating_sub(drained.took)
                .max(Duration::from_secs(1));
            if tokio::time::timeout(left, jobs).await.is_err() {
                tracing::warn!("the job runner was still in a pass; its leases will run out");
            }
            db.close();
            tracing::info!(
                open_connections = drained.open,
                cut_off = drained.cut_off,
                drain_ms = drained.took.as_millis() as u64,
                "stopped"
            );
        }
    }
    Ok(())
}

/// Resolves on SIGTERM (what service managers and orchestrators send) or SIGINT
/// (Ctrl-C), whichever comes first.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        tracing::info!(signal = name, "shutdown requested");
    })
}

fn load_demo(state: &fenfa::web::AppState) -> anyhow::Result<()> {
    print_demo(
        fenfa::demo::load(&state.db, state.storage.as_ref())?,
        &state.config.public_base(),
    );
    Ok(())
}

fn print_demo(logins: Option<fenfa::demo::Logins>, public_base: &str) {
    match logins {
        Some(logins) => {
            println!(
                "Demo data loaded. Demo logins (password for all: {}):",
                fenfa::demo::PASSWORD
            );
            for (role, login) in logins {
                println!("  {role:<36} {login}");
            }
            println!(
                "Quick deploy link (open it on a phone, register and create a team): {}/qd/{}\n  serial numbers: {}",
                public_base.trim_end_matches('/'),
                fenfa::demo::QUICK_DEPLOY_TOKEN,
                fenfa::demo::QUICK_DEPLOY_SERIALS.join(", ")
            );
        }
        None => println!("The database already has data; demo data was not loaded."),
    }
}
