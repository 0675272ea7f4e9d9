//! The `fenfa` command: serve the portal, apply migrations, or load demo data.

use std::time::Duration;

use clap::{Parser, Subcommand};
use fenfa::config::Config;
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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(&cli.config.log))
        .init();
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
        Command::Serve { demo } => {
            let bind = config.bind;
            let state = fenfa::build_state(config)?;
            if demo {
                load_demo(&state)?;
            }
            fenfa::auth::password::Hasher::warm_up();
            let store = fenfa::auth::session_store::DieselStore::new(
                state.db.clone(),
                state.config.session_policy(),
            );
            tokio::spawn(store.continuously_delete_expired(Duration::from_secs(600)));
            let app = fenfa::web::router(state);
            let listener = tokio::net::TcpListener::bind(bind).await?;
            println!("Fenfa is listening on http://{}", listener.local_addr()?);
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        }
    }
    Ok(())
}

fn load_demo(state: &fenfa::web::AppState) -> anyhow::Result<()> {
    match fenfa::demo::load(&state.db)? {
        Some(logins) => {
            println!(
                "Demo data loaded. Demo logins (password for all: {}):",
                fenfa::demo::PASSWORD
            );
            for (role, login) in logins {
                println!("  {role:<34} {login}");
            }
        }
        None => println!("The database already has data; demo data was not loaded."),
    }
    Ok(())
}
