//! One binary, two backends: the connection enum, the r2d2 pool, migrations and the
//! blocking-pool bridge every query goes through.

pub mod in_ids;
mod migrations;
pub mod schema;

pub use migrations::{check_ready, migrate_on};

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};

use crate::error::{AppError, AppResult};

/// The first half of the PostgreSQL advisory lock taken while an instance starts up
/// ("fenf" in ASCII); the second half is the hash of the schema ([`SCHEMA_KEY`]).
pub const STARTUP_LOCK: i32 = 0x6665_6e66;
/// The lock's second half: the installation's schema, so that two installations in one
/// database are two locks. `coalesce` because `pg_advisory_lock` is strict: a NULL key
/// would return without locking.
const SCHEMA_KEY: &str = "hashtext(coalesce(current_schema(), ''))";

#[derive(diesel::QueryableByName)]
struct LockTaken {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    held: bool,
}

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite's `synchronous` pragma. FULL survives power loss after an acknowledged write;
/// NORMAL is faster and only risks the last transactions on power loss (never corruption).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SqliteSync {
    Full,
    Normal,
    Off,
}

impl SqliteSync {
    fn pragma(self) -> &'static str {
        match self {
            SqliteSync::Full => "FULL",
            SqliteSync::Normal => "NORMAL",
            SqliteSync::Off => "OFF",
        }
    }
}

impl Backend {
    /// The backend is chosen from the URL scheme, never by trial: diesel's derived
    /// `establish` would hide the real PostgreSQL error behind a SQLite success.
    pub fn from_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
    backend: Backend,
    sync: SqliteSync,
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        match self.backend {
            Backend::Postgres => PgConnection::establish(&self.url)
                .map(AnyConnection::Postgresql)
                .map_err(r2d2::Error::ConnectionError),
            Backend::Sqlite => {
                let path = self.url.strip_prefix("sqlite://").unwrap_or(&self.url);
                let mut conn =
                    SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                // Pragmas are per connection; busy_timeout must precede the WAL switch.
                // Reads go through a shared memory map of the file instead of a private
                // page cache per connection (less copying, less anonymous memory).
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = {}; PRAGMA foreign_keys = ON; \
                     PRAGMA mmap_size = 1073741824;",
                    self.sync.pragma()
                ))
                .map_err(r2d2::Error::QueryError)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut AnyConnection) -> bool {
        false
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type Conn = AnyConnection;

/// The database handle kept in the application state.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    /// For connections of their own, outside the pool (the start-up lock's).
    manager: Manager,
    backend: Backend,
    /// One permit per pooled connection: requests beyond the pool wait here, on the
    /// runtime, instead of each parking a blocking thread on the pool's condition variable.
    permits: std::sync::Arc<tokio::sync::Semaphore>,
}

impl Db {
    pub fn connect(url: &str, sync: SqliteSync, max_size: u32) -> anyhow::Result<Db> {
        let backend = Backend::from_url(url);
        if backend == Backend::Sqlite {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            if let Some(dir) = std::path::Path::new(path).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir)?;
            }
        }
        let manager = Manager {
            url: url.to_string(),
            backend,
            sync,
        };
        if backend == Backend::Sqlite {
            // The pool opens its connections in parallel; on a new file each would switch
            // it to WAL and all but one would fail once with "database is locked" (retried,
            // but logged as an error on the first start). WAL is stored in the file, so
            // switching it once here first makes the others' switch a no-op.
            manager.connect()?;
        }
        let pool = r2d2::Pool::builder()
            .max_size(max_size)
            // r2d2 runs `SELECT 1` on every checkout by default. A SQLite file does not go
            // away under an open connection; a PostgreSQL server can, so it keeps the test.
            .test_on_check_out(backend == Backend::Postgres)
            .connection_timeout(Duration::from_secs(5))
            .build(manager.clone())?;
        Ok(Db {
            pool,
            manager,
            backend,
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(max_size as usize)),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies the embedded migrations of this backend under the start-up lock; returns
    /// how many ran.
    pub fn migrate(&self) -> anyhow::Result<usize> {
        self.at_startup(migrate_on)
    }

    /// Runs `f` on one connection while this installation's start-up lock is held: what
    /// several instances started at once must do exactly once (migrations, the demo load,
    /// the first secrets) happens in one of them, and the others then find it done.
    ///
    /// On PostgreSQL the lock is a session-level advisory lock on a connection of its own,
    /// opened outside the pool and closed at the end, so the lock goes with it whatever
    /// happens (an error, a panic, a killed process: the server ends the session). Its key
    /// is [`STARTUP_LOCK`] and the schema, so installations in other schemas of the same
    /// database (the test suite's) do not wait on each other. SQLite is one file on one
    /// machine: its own write lock is enough, and `f` gets a pooled connection.
    pub fn at_startup<T>(
        &self,
        f: impl FnOnce(&mut Conn) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        if self.backend == Backend::Sqlite {
            return f(&mut *self.pool.get()?);
        }
        let mut conn = self.manager.connect()?;
        let AnyConnection::Postgresql(pg) = &mut conn else {
            unreachable!("a PostgreSQL URL opens a PostgreSQL connection");
        };
        let held: bool = diesel::sql_query(format!(
            "SELECT pg_try_advisory_lock({STARTUP_LOCK}, {SCHEMA_KEY}) AS held"
        ))
        .get_result::<LockTaken>(pg)?
        .held;
        if !held {
            tracing::info!("another instance is starting up; waiting for its migrations");
            let waited = std::time::Instant::now();
            diesel::sql_query(format!(
                "SELECT pg_advisory_lock({STARTUP_LOCK}, {SCHEMA_KEY})"
            ))
            .execute(pg)?;
            tracing::info!(
                waited_ms = waited.elapsed().as_millis() as u64,
                "start-up lock taken"
            );
        }
        let out = f(&mut conn);
        if let AnyConnection::Postgresql(pg) = &mut conn {
            // Closing the connection below releases the lock too; unlocking first only
            // lets a waiting instance go on without waiting for the session to end.
            let _ = diesel::sql_query(format!(
                "SELECT pg_advisory_unlock({STARTUP_LOCK}, {SCHEMA_KEY})"
            ))
            .execute(pg);
        }
        drop(conn);
        out
    }

    /// The pool's connections: (in use, idle), for the metrics.
    pub fn pool_use(&self) -> (u32, u32) {
        let state = self.pool.state();
        (
            state.connections.saturating_sub(state.idle_connections),
            state.idle_connections,
        )
    }

    /// Runs `f` with a pooled connection on the blocking pool: diesel is synchronous and
    /// must not stall the async runtime.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> AppResult<T> + Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(AppError::internal)?;
        let pool = self.pool.clone();
        let hook = task_hook();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(AppError::internal)?;
            let out = run_with_hook(hook, || f(&mut conn));
            drop(conn);
            drop(permit);
            out
        })
        .await
        .map_err(AppError::internal)?
    }

    /// [`Db::run`] inside one write transaction ([`write_tx`]). For actions whose
    /// permission can be withdrawn concurrently (a maintenance grant ended by the
    /// customer): the check and the write then commit together or not at all.
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> AppResult<T> + Send + 'static,
    {
        self.run(move |conn| write_tx(conn, f)).await
    }

    /// Runs a short read (indexed point lookups, no writes) on the calling thread when
    /// the database is SQLite: an in-process read takes microseconds, less than the
    /// thread hand-over of [`Db::run`], which on this kind of machine costs about as much
    /// as a whole small page. On PostgreSQL a query waits on the network, so this is
    /// `run`. The permit is taken first, so the pool always has a connection ready and
    /// `pool.get` does not wait.
    pub async fn read_inline<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> AppResult<T> + Send + 'static,
    {
        if self.backend == Backend::Postgres {
            return self.run(f).await;
        }
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let mut conn = self.pool.get().map_err(AppError::internal)?;
        run_with_hook(task_hook(), || f(&mut conn))
    }

    /// Closes this handle's pool at shutdown: its connections close (PostgreSQL sessions
    /// end cleanly) once the last clone of the handle is dropped, which at a graceful
    /// shutdown is this one.
    pub fn close(self) {
        let state = self.pool.state();
        tracing::info!(
            connections = state.connections,
            idle = state.idle_connections,
            "closing the database pool"
        );
        drop(self);
    }

    /// Synchronous access for the CLI and tests.
    pub fn get(&self) -> anyhow::Result<r2d2::PooledConnection<Manager>> {
        Ok(self.pool.get()?)
    }
}

/// Work that must commit together with every write of a request, whatever the handler:
/// `before` runs first inside each top-level write transaction, `after` last before the
/// commit, and an error from either rolls the whole transaction back. Installed for one
/// request with [`with_tx_hook`] (auth installs one while a user acts under a delegation:
/// it re-checks the delegation and appends the action to the audit trail, so an action
/// and its audit record commit or vanish together). The database layer knows no domain;
/// it only runs the hook.
pub trait TxHook: Send + Sync {
    fn before(&self, conn: &mut Conn) -> AppResult<()>;
    fn after(&self, conn: &mut Conn) -> AppResult<()>;
}

tokio::task_local! {
    static TASK_HOOK: Arc<dyn TxHook>;
}

thread_local! {
    /// The hook of the request whose closure runs on this thread right now.
    static THREAD_HOOK: RefCell<Option<Arc<dyn TxHook>>> = const { RefCell::new(None) };
}

/// Runs `fut` (a request's handler) with `hook` around each of its write transactions.
pub async fn with_tx_hook<F: std::future::Future>(hook: Arc<dyn TxHook>, fut: F) -> F::Output {
    TASK_HOOK.scope(hook, fut).await
}

fn task_hook() -> Option<Arc<dyn TxHook>> {
    TASK_HOOK.try_with(Arc::clone).ok()
}

/// Makes the request's hook visible to [`write_tx`] on the thread that runs `f`.
fn run_with_hook<T>(hook: Option<Arc<dyn TxHook>>, f: impl FnOnce() -> T) -> T {
    let Some(hook) = hook else {
        return f();
    };
    // Restored on drop, so a panicking closure cannot leave its hook to the next
    // request that this pooled thread serves.
    struct Restore(Option<Arc<dyn TxHook>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            THREAD_HOOK.with(|h| *h.borrow_mut() = previous);
        }
    }
    let _restore = Restore(THREAD_HOOK.with(|h| h.replace(Some(hook))));
    f()
}

/// Runs `$body` with `$c` bound to the backend's own connection (`&mut SqliteConnection`
/// or `&mut PgConnection`); the body is compiled once per backend. The derived
/// `AnyConnection` renders a query's SQL text again on every execution (even when the
/// prepared statement is cached) and decodes rows through a generic layer; the hot read
/// paths (the session load on every page, the list pages) go through this instead.
#[macro_export]
macro_rules! native {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::AnyConnection::Sqlite($c) => $body,
            $crate::db::AnyConnection::Postgresql($c) => $body,
        }
    };
}

/// A write transaction. On SQLite it starts IMMEDIATE so that two writers queue on the
/// lock up front instead of failing with SQLITE_BUSY when a reader upgrades.
pub fn write_tx<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error> + From<AppError>,
{
    // Inside an outer transaction this becomes a savepoint.
    let depth = match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()?
        }
        AnyConnection::Postgresql(c) => {
            AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()?
        }
    };
    if depth.is_some() {
        return conn.transaction(f);
    }
    match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
        }
        AnyConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    let hook = THREAD_HOOK.with(|h| h.borrow().clone());
    let result = match &hook {
        None => f(conn),
        Some(hook) => hook
            .before(conn)
            .map_err(E::from)
            .and_then(|()| f(conn))
            .and_then(|v| hook.after(conn).map(|()| v).map_err(E::from)),
    };
    let end = match (&result, &mut *conn) {
        (Ok(_), AnyConnection::Sqlite(c)) => AnsiTransactionManager::commit_transaction(c),
        (Ok(_), AnyConnection::Postgresql(c)) => AnsiTransactionManager::commit_transaction(c),
        (Err(_), AnyConnection::Sqlite(c)) => AnsiTransactionManager::rollback_transaction(c),
        (Err(_), AnyConnection::Postgresql(c)) => AnsiTransactionManager::rollback_transaction(c),
    };
    match result {
        Ok(v) => {
            end?;
            Ok(v)
        }
        Err(e) => Err(e),
    }
}

/// Current time as Unix seconds, the one time representation stored in the database.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The error of a transaction guarded by a unique key (exactly-once effects): a unique
/// violation, meaning a concurrent twin of the same request won, kept apart from real
/// errors so the caller can return the twin's result.
#[derive(Debug)]
pub enum TxError {
    Duplicate,
    App(AppError),
}

impl From<diesel::result::Error> for TxError {
    fn from(e: diesel::result::Error) -> Self {
        if is_unique_violation(&e) {
            TxError::Duplicate
        } else {
            TxError::App(e.into())
        }
    }
}

impl From<AppError> for TxError {
    fn from(e: AppError) -> Self {
        TxError::App(e)
    }
}

/// True when a diesel error is a unique-constraint violation (an exactly-once guard fired).
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
