//! The probes of a load balancer or orchestrator, outside the session layer, CSRF and
//! login: `/healthz` answers while the process serves at all; `/readyz` only while the
//! database answers a query, its schema has every migration this binary embeds, and the
//! file storage takes a file. Neither reads or writes a session, nor sets a cookie.

use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::AppState;

/// How long the readiness probe waits for a database connection and its answer.
const DB_WAIT: Duration = Duration::from_secs(2);

/// The two probes, with their state; every other path falls through to the portal.
pub(super) fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route_layer(middleware::from_fn(|req: Request, next: Next| async move {
            super::metrics::note_route(req.extensions());
            next.run(req).await
        }))
        .with_state(state)
}

fn plain(status: StatusCode, text: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

async fn healthz() -> Response {
    plain(StatusCode::OK, "ok".into())
}

async fn readyz(State(state): State<AppState>) -> Response {
    match readiness(&state).await {
        Ok(()) => plain(StatusCode::OK, "ready".into()),
        Err(reason) => plain(StatusCode::SERVICE_UNAVAILABLE, reason),
    }
}

/// `Ok` when this instance can serve: the database answers within [`DB_WAIT`] and its
/// migrations are current, and the storage takes a file. Otherwise a short reason.
pub async fn readiness(state: &AppState) -> Result<(), String> {
    let checked = tokio::time::timeout(
        DB_WAIT,
        state.db.run(|conn| Ok(crate::db::check_ready(conn))),
    )
    .await;
    match checked {
        Err(_) => return Err(format!("database: no answer within {}s", DB_WAIT.as_secs())),
        // A connection could not be had (pool timeout, server gone): its error text may
        // name hosts, so the reason stays generic.
        Ok(Err(_)) => return Err("database: no connection".into()),
        Ok(Ok(result)) => result?,
    }
    let storage = state.storage.clone();
    tokio::task::spawn_blocking(move || storage.check())
        .await
        .map_err(|_| "storage: check failed".to_string())?
}
