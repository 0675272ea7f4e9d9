//! The composition root: the one place that knows every domain. It assembles the state
//! (with the delegation sources and policy guards the domains provide), joins the
//! domains' routes into the route table and wraps them in `web`'s shared layers. The
//! plumbing below (`db`, `auth`, `web`) names no domain; domains plug in here.

use std::sync::Arc;

use axum::Router;

use crate::auth::Delegations;
use crate::auth::password::Hasher;
use crate::config::Config;
use crate::db::Db;
use crate::web::AppState;
use crate::web::policy::{Guards, Policy, Routes};

/// Connects, migrates and assembles the state shared by every request.
pub fn build_state(config: Config) -> anyhow::Result<AppState> {
    let db = Db::connect(&config.database_url(), config.sqlite_sync, config.db_pool)?;
    db.migrate()?;
    let device_key = crate::auth::device::DeviceKey::load_or_create(&mut *db.get()?)
        .map_err(|_| anyhow::anyhow!("could not read or create the device-cookie secret"))?;
    let storage = crate::storage::LocalDir::new(config.upload_dir())?;
    crate::apps::register_listeners(vec![crate::customdev::app_listener()]);
    crate::org::events::register(vec![
        crate::interconnect::directory_listener(),
        crate::apps::directory_listener(),
    ]);
    crate::jobs::register(vec![crate::customdev::callback_deliverer()]);
    Ok(AppState {
        db,
        config: Arc::new(config),
        hasher: Hasher::for_this_machine(),
        device_key,
        storage: Arc::new(storage),
        delegations: Delegations::new(vec![
            crate::distribution::maintenance_delegation(),
            crate::customdev::authorisation_delegation(),
        ]),
        guards: Guards::new(vec![(
            Policy::Provider,
            crate::distribution::provider_guard,
        )]),
        metrics: Arc::new(crate::web::metrics::Metrics::new()),
    })
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
