//! A member with an app: their use of it is recorded (off the request path), and where
//! the app takes messages (a custom app's provider listens) they can write to it from
//! its home page.

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::pages::{AppHome, AppHomePage};
use super::store;
use crate::auth::{InOrg, OrgScope};
use crate::error::AppResult;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new().post("/a/{app_id}/message", Policy::InOrg, send_message)
}

/// Who is using an app, taken before the scope moves into a query. A provider working
/// inside the enterprise under an authorisation is not a member using it.
pub(crate) struct Use(Option<(i64, i64)>);

impl Use {
    pub(crate) fn of(scope: &OrgScope) -> Use {
        Use(scope
            .grant_app()
            .is_none()
            .then(|| (scope.org_id(), scope.user_id())))
    }

    /// Records the use; the page does not wait for it.
    pub(crate) fn record(&self, state: &AppState, app_id: i64) {
        if let Some((org_id, user_id)) = self.0 {
            crate::apps::record_use(&state.db, org_id, app_id, user_id);
        }
    }
}

/// An app's home as the member sees it: its pages, whether they manage it, where it
/// comes from, and whether it takes messages.
pub(crate) async fn home(state: &AppState, scope: OrgScope, app_id: i64) -> AppResult<AppHome> {
    let org_id = scope.org_id();
    state
        .db
        .run(move |conn| {
            let (app, pages, admin) = store::app_home(conn, &scope, app_id)?;
            let origin = if app.org_id == org_id {
                None
            } else {
                crate::interconnect::org_names(conn, &[app.org_id].into())?.remove(&app.org_id)
            };
            let takes_messages = crate::apps::takes_messages(conn, app.id)?;
            Ok(AppHome {
                app,
                pages,
                admin,
                origin,
                takes_messages,
            })
        })
        .await
}

#[derive(Deserialize, Default)]
pub(crate) struct MessageForm {
    #[serde(default)]
    pub text: String,
}

/// A member writes to the app: the message reaches whoever listens (a custom app's
/// provider, as a signed event). Refused text stays in the box with the error beside it.
async fn send_message(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(app_id): Path<i64>,
    Form(form): Form<MessageForm>,
) -> AppResult<Response> {
    let text = match crate::apps::check_message(&form.text) {
        Ok(t) => t,
        Err(key) => {
            let page = home(&state, scope, app_id).await?;
            let mut page = AppHomePage::new(Layout::new(&ctx), page);
            page.errors.add("text", key);
            page.message = form.text;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let (org_id, user_id) = (scope.org_id(), scope.user_id());
    state
        .db
        .write(move |conn| {
            // The same check as the home page: an app this member may use.
            crate::interconnect::usable_app(conn, &scope, app_id)?;
            crate::apps::member_message(conn, org_id, app_id, user_id, text)
        })
        .await?;
    Ok(flash_redirect(
        &format!("/a/{app_id}"),
        "apps.message.flash.sent",
    ))
}
