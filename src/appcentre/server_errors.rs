//! Server errors answered on an app's pages (`/a/{app_id}…`), counted per app and day in
//! China Standard Time: acceptance refuses an app that failed in the last week, and the
//! gates' quality score loses points for them. Counted off the request path.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use diesel::prelude::*;

use crate::db::now;
use crate::db::schema::app_errors;
use crate::tools::wait::cst_day;
use crate::web::AppState;

/// The app whose page a path is.
fn app_of(path: &str) -> Option<i64> {
    path.strip_prefix("/a/")?.split('/').next()?.parse().ok()
}

pub async fn count_server_errors(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let app = app_of(req.uri().path());
    let resp = next.run(req).await;
    if let Some(app_id) = app.filter(|_| resp.status().is_server_error()) {
        let db = state.db.clone();
        let day = cst_day(now());
        tokio::spawn(async move {
            let counted = db
                .run(move |conn| {
                    Ok(crate::native!(conn, |c| diesel::insert_into(
                        app_errors::table
                    )
                    .values((
                        app_errors::app_id.eq(app_id),
                        app_errors::day.eq(day),
                        app_errors::count.eq(1i64),
                    ))
                    .on_conflict((app_errors::app_id, app_errors::day))
                    .do_update()
                    .set(app_errors::count.eq(app_errors::count + 1i64))
                    .execute(c))?)
                })
                .await;
            if let Err(e) = counted {
                tracing::warn!(app.id = app_id, error = ?e, "could not count a server error");
            }
        });
    }
    resp
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_apps_pages_are_those_under_its_address() {
        assert_eq!(super::app_of("/a/42"), Some(42));
        assert_eq!(super::app_of("/a/42/pages/7"), Some(42));
        assert_eq!(super::app_of("/apps/42"), None);
        assert_eq!(super::app_of("/a/x"), None);
    }
}
