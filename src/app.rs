//! The composition root: the one place that knows every domain. It assembles the state
//! (with the delegation sources and policy guards the domains provide), joins the
//! domains' routes into the route table and wraps them in `web`'s shared layers. The
//! plumbing below (`db`, `auth`, `web`) names no domain; domains plug in here.

use std::sync::Arc;

use axum::Router;

use crate::auth::Delegations;
use crate::auth::password::Hasher;
use crate::config::{Config, StorageTarget};
use crate::db::{Conn, Db};
use crate::storage::Storage;
use crate::web::AppState;
use crate::web::policy::{Guards, Policy, Routes};

/// Connects, migrates and assembles the state shared by every request.
pub fn build_state(config: Config) -> anyhow::Result<AppState> {
    build_state_then(config, |_, _| Ok(())).map(|(state, ())| state)
}

/// [`build_state`], running `first` (the demo load) on the start-up connection after the
/// migrations, while the start-up lock is still held ([`Db::at_startup`]): of several
/// instances started at once, one migrates and runs `first` on an empty database, and the
/// others wait and then find its work done.
pub fn build_state_then<T>(
    config: Config,
    first: impl FnOnce(&mut Conn, &dyn Storage) -> anyhow::Result<T>,
) -> anyhow::Result<(AppState, T)> {
    let db = Db::connect(&config.database_url(), config.sqlite_sync, config.db_pool)?;
    // Uploads in the local directory (one machine, or a shared mount) or in one object
    // store that every instance reads and writes.
    let storage: Arc<dyn Storage> = match &config.storage {
        StorageTarget::Local => Arc::new(crate::storage::LocalDir::new(config.upload_dir())?),
        StorageTarget::S3 { bucket, prefix } => {
            Arc::new(crate::storage::ObjectStorage::new(bucket, prefix)?)
        }
    };
    // Before `first`: the demo load's writes reach the listeners like any other.
    crate::apps::register_listeners(vec![crate::customdev::app_listener()]);
    crate::org::events::register(vec![
        crate::interconnect::directory_listener(),
        crate::apps::directory_listener(),
    ]);
    crate::jobs::register(vec![
        crate::customdev::callback_deliverer(),
        crate::quickdeploy::deployed_deliverer(),
    ]);
    let (device_key, out) = db.at_startup(|conn| {
        let ran = crate::db::migrate_on(conn)?;
        if ran > 0 {
            tracing::info!(migrations = ran, "migrations applied");
        }
        let key = crate::auth::device::DeviceKey::load_or_create(conn)
            .map_err(|_| anyhow::anyhow!("could not read or create the device-cookie secret"))?;
        Ok((key, first(conn, storage.as_ref())?))
    })?;
    let state = AppState {
        db,
        config: Arc::new(config),
        hasher: Hasher::for_this_machine(),
        device_key,
        storage,
        delegations: Delegations::new(vec![
            crate::distribution::maintenance_delegation(),
            crate::customdev::authorisation_delegation(),
        ]),
        guards: Guards::new(vec![(
            Policy::Provider,
            crate::distribution::provider_guard,
        )]),
        metrics: Arc::new(crate::web::metrics::Metrics::new()),
    };
    Ok((state, out))
}

/// The durable job runner over this state's database (started by `fenfa serve`).
pub fn job_context(state: &AppState) -> crate::jobs::JobContext {
    crate::jobs::JobContext {
        db: state.db.clone(),
        config: state.config.clone(),
    }
}

/// Every route of the portal with its policy (see `web::policy`).
pub fn route_table() -> Routes {
    Routes::new()
        .merge(crate::web::routes())
        .merge(crate::account::routes::router())
        .merge(crate::org::routes::router())
        .merge(crate::operator::routes::router())
        .merge(crate::apps::routes::router())
        .merge(crate::forms::routes::router())
        .merge(crate::notifications::routes::router())
        .merge(crate::distribution::routes::router())
        .merge(crate::interconnect::routes::router())
        .merge(crate::customdev::router())
        .merge(crate::appcentre::router())
        .merge(crate::quickdeploy::router())
}

/// The whole application: the route table inside the shared layers.
pub fn router(state: AppState) -> Router {
    // Outside everything, so that it sees the status the visitor got (error pages
    // included): the app centre counts server errors on apps' pages.
    crate::web::router(state.clone(), route_table()).layer(axum::middleware::from_fn_with_state(
        state,
        crate::appcentre::count_server_errors,
    ))
}
