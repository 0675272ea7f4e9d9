//! The benchmark's reference server (`fenfa reference`, or the `fenfa-reference` binary): the same crates, runtime, pool code and database
//! file as the portal, with nothing of the portal on top. Its figures are the denominator
//! of the benchmark ("what this stack does on this machine right now").
//!
//! - `/plaintext`: a static text answer (the HTTP stack alone).
//! - `/fortunes`: a fixed-size list (50 rows, like a portal page) read from the database
//!   in one blocking hop, one row added, sorted and rendered with askama.
//! - `/fortunes-two-hops`: the same with a second blocking hop before it, as a portal page
//!   whose session is loaded in its own hop would pay.

use crate::config::Config;
use crate::db::Db;
use crate::db::schema::orders;
use crate::error::AppResult;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use diesel::prelude::*;

/// Rows per page, as the portal's lists.
const ROWS: i64 = 50;

#[derive(Template)]
#[template(path = "bench/fortunes.html")]
struct Fortunes {
    fortunes: Vec<(i64, String)>,
}

/// Serves the reference routes on `config.bind` until Ctrl-C.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let db = Db::connect(&config.database_url(), config.sqlite_sync, config.db_pool)?;
    let app = Router::new()
        .route("/plaintext", get(plaintext))
        .route("/fortunes", get(fortunes))
        .route("/fortunes-two-hops", get(fortunes_two_hops))
        .with_state(db);
    let listener = tokio::net::TcpListener::bind(config.bind).await?;
    println!("reference listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn plaintext() -> &'static str {
    "Hello, World!"
}

fn load(conn: &mut crate::db::Conn) -> AppResult<Vec<(i64, String)>> {
    Ok(orders::table
        .select((orders::id, orders::order_no))
        .order(orders::id.desc())
        .limit(ROWS)
        .load(conn)?)
}

fn render(mut rows: Vec<(i64, String)>) -> Response {
    rows.push((0, "Additional fortune added at request time.".into()));
    rows.sort_by(|a, b| a.1.cmp(&b.1));
    match (Fortunes { fortunes: rows }).render() {
        Ok(body) => Html(body).into_response(),
        Err(_) => axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn fortunes(State(db): State<Db>) -> AppResult<Response> {
    // Diesel is synchronous: one hop to the blocking pool, as a portal page's queries.
    let rows = db.run(load).await?;
    Ok(render(rows))
}

async fn fortunes_two_hops(State(db): State<Db>) -> AppResult<Response> {
    let _ = db
        .run(|conn| {
            Ok(orders::table
                .select(orders::id)
                .order(orders::id.desc())
                .first::<i64>(conn)
                .optional()?)
        })
        .await?;
    let rows = db.run(load).await?;
    Ok(render(rows))
}
