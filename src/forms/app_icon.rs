//! An app's uploaded icon image (`/a/{app_id}/icon`), served to whoever may see the app:
//! the people of its organisation it is visible to (builders and admins, its usage
//! scope), and the member organisations it is published to. Anyone else, another
//! tenant included, gets the 404 of a missing app. The purchase page serves the icons of
//! a link's apps through the link instead (`/d/{token}/a/{app_id}/icon`).

use axum::extract::{Path, State};
use axum::response::Response;

use crate::apps::find_app;
use crate::auth::{InOrg, OrgScope};
use crate::db::Conn;
use crate::error::{AppError, AppResult};
use crate::interconnect::workbench_apps;
use crate::web::AppState;
use crate::web::policy::{Policy, Routes};

pub(crate) fn router() -> Routes {
    Routes::new().get("/a/{app_id}/icon", Policy::InOrg, icon)
}

async fn icon(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path(app_id): Path<i64>,
) -> AppResult<Response> {
    let storage = state.storage.clone();
    let bytes = state
        .db
        .run(move |conn| storage.get(&image_key(conn, &scope, app_id)?))
        .await?;
    Ok(crate::web::image_response(bytes))
}

/// The app's image key, if the caller may see the app and it has an image.
fn image_key(conn: &mut Conn, scope: &OrgScope, app_id: i64) -> AppResult<String> {
    let key = match find_app(conn, scope, app_id) {
        Ok(app) => app.icon_image,
        // The workbench shows a published app's tile, seat or not.
        Err(AppError::NotFound) => workbench_apps(conn, scope)?
            .into_iter()
            .find(|p| p.app.id == app_id)
            .map(|p| p.app.icon_image)
            .ok_or(AppError::NotFound)?,
        Err(e) => return Err(e),
    };
    if key.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(key)
}
