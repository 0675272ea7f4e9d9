//! Handlers of the customer's purchase pages (/d/{token}): any signed-in user may open a
//! link and sees, before any button, whether they may purchase and why not.

use crate::web::policy::{Policy, Routes};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::purchase::{self, Purchase, PurchaseView};
use crate::apps::{App, AppIcon};
use crate::auth::Signed;
use crate::error::AppResult;
use crate::web::{AppState, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/d/{token}", Policy::Signed, open)
        .post("/d/{token}", Policy::Signed, buy)
        .get("/d/{token}/done", Policy::Signed, done)
        .get("/d/{token}/a/{app_id}/icon", Policy::Signed, icon)
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/purchase.html")]
pub(crate) struct PurchasePage {
    l: Layout,
    view: PurchaseView,
    token: String,
    /// The refusal of a purchase just attempted.
    refused: Option<&'static str>,
}

impl PurchasePage {
    /// An app's icon, its image served through the link (the buyer is not in the app's
    /// organisation).
    fn icon_of(&self, app: &App) -> AppIcon {
        app.icon().under(&format!("/d/{}", self.token))
    }
    fn refusal(&self) -> Option<&'static str> {
        self.refused.or(self.view.refusal())
    }
    fn not_admin(&self) -> bool {
        self.refusal() == Some("distribution.purchase.not_admin")
    }
    fn may_buy(&self) -> bool {
        self.view.refusal().is_none() && self.view.existing.is_none()
    }
}

async fn open(
    State(state): State<AppState>,
    s: Signed,
    Path(token): Path<String>,
) -> AppResult<PurchasePage> {
    let scope = s.ctx.scope().ok();
    let uid = s.user.id;
    let t = token.clone();
    let view = state
        .db
        .run(move |conn| purchase::open(conn, &t, uid, scope.as_ref()))
        .await?;
    Ok(PurchasePage {
        l: Layout::new(&s.ctx),
        view,
        token,
        refused: None,
    })
}

async fn buy(
    State(state): State<AppState>,
    s: Signed,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let scope = s.ctx.scope().ok();
    let uid = s.user.id;
    let t = token.clone();
    let outcome = state
        .db
        .run(move |conn| purchase::purchase(conn, &t, uid, scope.as_ref()))
        .await?;
    match outcome {
        Purchase::Ordered(_) => Ok(flash_redirect(
            &format!("/d/{token}/done"),
            "distribution.flash.purchased",
        )),
        Purchase::Refused(view, key) => {
            // A dead link is gone for good; the others are about who is asking.
            let status = if view.link_refusal.is_some() {
                StatusCode::GONE
            } else {
                StatusCode::FORBIDDEN
            };
            let page = PurchasePage {
                l: Layout::new(&s.ctx),
                view: *view,
                token,
                refused: Some(key),
            };
            Ok((status, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/purchase_done.html")]
pub(crate) struct DonePage {
    l: Layout,
    view: PurchaseView,
    token: String,
}

impl DonePage {
    fn icon_of(&self, app: &App) -> AppIcon {
        app.icon().under(&format!("/d/{}", self.token))
    }
}

async fn done(
    State(state): State<AppState>,
    s: Signed,
    Path(token): Path<String>,
) -> AppResult<DonePage> {
    let scope = s.ctx.scope()?;
    let uid = s.user.id;
    let t = token.clone();
    let view = state
        .db
        .run(move |conn| purchase::confirmation(conn, &t, uid, &scope))
        .await?;
    Ok(DonePage {
        l: Layout::new(&s.ctx),
        view,
        token,
    })
}

/// An app's uploaded icon as the purchase page shows it.
async fn icon(
    State(state): State<AppState>,
    s: Signed,
    Path((token, app_id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let scope = s.ctx.scope().ok();
    let uid = s.user.id;
    let storage = state.storage.clone();
    let bytes = state
        .db
        .run(move |conn| {
            let key = purchase::icon_image(conn, &token, uid, scope.as_ref(), app_id)?;
            storage.get(&key)
        })
        .await?;
    Ok(crate::web::image_response(bytes))
}
