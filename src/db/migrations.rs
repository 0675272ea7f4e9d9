//! The embedded migrations of both backends: applying them (under the start-up lock, see
//! [`super::Db::at_startup`]) and telling whether the schema is this binary's.

use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{AnyConnection, Conn};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Applies the embedded migrations of `conn`'s backend; returns how many ran. Call it
/// inside [`Db::at_startup`].
pub fn migrate_on(conn: &mut Conn) -> anyhow::Result<usize> {
    let ran = match conn {
        AnyConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .len(),
        AnyConnection::Postgresql(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .len(),
    };
    Ok(ran)
}

/// Whether the database answers and its schema is this binary's: a trivial query runs,
/// and no embedded migration of the backend is still pending (a newer binary started on
/// an older schema, or a migration rolled back). The error is a short reason.
pub fn check_ready(conn: &mut Conn) -> Result<(), String> {
    conn.batch_execute("SELECT 1")
        .map_err(|e| format!("database: {e}"))?;
    let pending = match conn {
        AnyConnection::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
        AnyConnection::Postgresql(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| format!("migrations: {e}"))?;
    if pending {
        return Err("migrations: pending".into());
    }
    Ok(())
}
