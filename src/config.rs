//! Configuration, from flags or the environment (flags win).

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::auth::store::SessionPolicy;
use crate::db::SqliteSync;

#[derive(clap::Args, Clone, Debug)]
pub struct Config {
    /// Database URL: `postgres://…` for PostgreSQL, otherwise a SQLite file path.
    /// Default: `<data-dir>/fenfa.db`.
    #[arg(long, global = true, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Directory for the SQLite file and uploaded files.
    #[arg(long, global = true, env = "FENFA_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Address to listen on.
    #[arg(
        long,
        global = true,
        env = "FENFA_BIND",
        default_value = "127.0.0.1:3000"
    )]
    pub bind: SocketAddr,

    /// Served over https: the session and device cookies are `Secure` with the `__Host-`
    /// prefix, and HSTS is sent. Turn off for plain-http local use.
    #[arg(long, global = true, env = "FENFA_SECURE_COOKIES", default_value_t = true, action = clap::ArgAction::Set)]
    pub secure_cookies: bool,

    /// SQLite durability: `full` (acknowledged writes survive power loss) or `normal`.
    #[arg(
        long,
        global = true,
        env = "FENFA_SQLITE_SYNC",
        value_enum,
        default_value = "full"
    )]
    pub sqlite_sync: SqliteSync,

    /// Database connections per instance.
    #[arg(long, global = true, env = "FENFA_DB_POOL", default_value_t = 8)]
    pub db_pool: u32,

    /// Minutes without activity before a session ends.
    #[arg(
        long,
        global = true,
        env = "FENFA_SESSION_IDLE_MINUTES",
        default_value_t = 120
    )]
    pub session_idle_minutes: i64,

    /// Hours after login when a session ends regardless of activity.
    #[arg(
        long,
        global = true,
        env = "FENFA_SESSION_MAX_HOURS",
        default_value_t = 12
    )]
    pub session_max_hours: i64,

    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    #[arg(long, global = true, env = "FENFA_TRUST_PROXY", default_value_t = false, action = clap::ArgAction::Set)]
    pub trust_proxy: bool,

    /// Largest accepted upload, in megabytes.
    #[arg(long, global = true, env = "FENFA_MAX_UPLOAD_MB", default_value_t = 10)]
    pub max_upload_mb: usize,

    /// The address customers reach the portal at; distribution links are built on it.
    #[arg(
        long,
        global = true,
        env = "FENFA_PUBLIC_URL",
        default_value = "http://127.0.0.1:3000"
    )]
    pub public_url: String,

    /// Log filter, e.g. `info` or `fenfa=debug,tower_http=info`.
    #[arg(long, global = true, env = "FENFA_LOG", default_value = "info")]
    pub log: String,
}

impl Config {
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            self.data_dir
                .join("fenfa.db")
                .to_string_lossy()
                .into_owned()
        })
    }

    pub fn upload_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }

    pub fn session_policy(&self) -> SessionPolicy {
        SessionPolicy {
            idle: self.session_idle_minutes * 60,
            absolute: self.session_max_hours * 3600,
        }
    }

    /// The public base URL without a trailing slash.
    pub fn public_base(&self) -> &str {
        self.public_url.trim_end_matches('/')
    }

    pub fn max_upload_bytes(&self) -> usize {
        self.max_upload_mb * 1024 * 1024
    }

    /// A configuration for tests: everything local, nothing secure-only.
    pub fn for_tests(database_url: String, data_dir: PathBuf) -> Config {
        Config {
            database_url: Some(database_url),
            data_dir,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            secure_cookies: false,
            sqlite_sync: SqliteSync::Normal,
            db_pool: 4,
            session_idle_minutes: 120,
            session_max_hours: 12,
            trust_proxy: false,
            max_upload_mb: 2,
            public_url: "http://127.0.0.1:3000".into(),
            log: "warn".into(),
        }
    }
}
