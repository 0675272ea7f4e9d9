//! Fenfa (分发): a portal through which low-code app providers deliver apps to their
//! customers' organisations, and upstream organisations share apps with downstream ones.

rust_i18n::i18n!("src/locales");

pub mod apps;
pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod distribution;
pub mod error;
pub mod forms;
pub mod i18n;
pub mod interconnect;
pub mod notifications;
pub mod operator;
pub mod org;
pub mod reference;
pub mod scale;
pub mod storage;
pub mod web;

use std::sync::Arc;

use crate::auth::password::Hasher;
use crate::config::Config;
use crate::db::Db;
use crate::web::AppState;

/// Connects, migrates and assembles the state shared by every request.
pub fn build_state(config: Config) -> anyhow::Result<AppState> {
    let db = Db::connect(&config.database_url(), config.sqlite_sync, config.db_pool)?;
    db.migrate()?;
    let device_key = crate::auth::device::DeviceKey::load_or_create(&mut *db.get()?)
        .map_err(|_| anyhow::anyhow!("could not read or create the device-cookie secret"))?;
    let storage = storage::LocalDir::new(config.upload_dir())?;
    Ok(AppState {
        db,
        config: Arc::new(config),
        hasher: Hasher::for_this_machine(),
        device_key,
        storage: Arc::new(storage),
    })
}

/// The tokio runtime of the portal and of the benchmark's reference server: one worker
/// per core, and a blocking pool bounded near the database pool (diesel and argon2 run
/// there; more threads than connections only queue on the pool).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(64)
        .build()
}
