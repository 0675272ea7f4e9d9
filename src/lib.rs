//! Fenfa (分发): a portal through which low-code app providers deliver apps to their
//! customers' organisations, and upstream organisations share apps with downstream ones.

rust_i18n::i18n!("src/locales");

pub mod account;
pub mod app;
pub mod appcentre;
pub mod apps;
pub mod auth;
pub mod backup;
pub mod config;
pub mod customdev;
pub mod db;
pub mod demo;
pub mod distribution;
pub mod error;
pub mod forms;
pub mod i18n;
pub mod interconnect;
pub mod jobs;
pub mod notifications;
pub mod operator;
pub mod org;
pub mod quickdeploy;
pub mod reference;
pub mod scale;
pub mod serve;
pub mod storage;
pub mod tools;
pub mod web;

pub use app::build_state;

/// The tokio runtime of the portal and of the benchmark's reference server: one worker
/// per core, and a blocking pool bounded near the database pool (diesel and argon2 run
/// there; more threads than connections only queue on the pool).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(64)
        .build()
}
