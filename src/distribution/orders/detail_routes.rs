//! The order detail (订单详情) at `/provider/orders/{id}`: send an app (the dialog opens
//! with `?send={order app}` so it works without JavaScript), change edit rights, send a
//! single page or component, and the distribution agreement page.

use crate::web::policy::{Policy, Routes};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::detail::{EditRightsForm, PartForm, SendForm};
use super::detail_store::{self, AppLine, OrderDetail};
use crate::auth::{Ctx, InOrg};
use crate::error::{AppError, AppResult};
use crate::web::{AppState, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/provider/orders/{id}", Policy::InOrg, show)
        .post("/provider/orders/{id}/apps/{oa}/send", Policy::InOrg, send)
        .post(
            "/provider/orders/{id}/apps/{oa}/edit-rights",
            Policy::InOrg,
            edit_rights,
        )
        .post(
            "/provider/orders/{id}/apps/{oa}/parts",
            Policy::InOrg,
            send_part,
        )
        .get("/distribution/agreement", Policy::Public, agreement)
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/orders/detail.html")]
pub(crate) struct OrderPage {
    pub l: Layout,
    pub d: OrderDetail,
    /// The order app whose send dialog is open.
    pub open_send: Option<i64>,
    pub form: SendForm,
    pub errors: Errors,
}

impl OrderPage {
    pub(crate) fn is_open(&self, line: &AppLine) -> bool {
        self.open_send == Some(line.oa.id) && line.oa.may_send()
    }
    pub(crate) fn edition_key(&self) -> &'static str {
        crate::org::edition_label(&self.d.customer_edition)
    }
    pub(crate) fn acceptance_key(&self, a: &str) -> &'static str {
        crate::distribution::customer::Acceptance::parse(a).label_key()
    }
    /// The copy's one status, as the customer sees it.
    pub(crate) fn stage(
        &self,
        c: &super::detail_store::CopyView,
    ) -> crate::distribution::customer::Stage {
        crate::distribution::customer::Stage::of(
            &c.state,
            crate::distribution::customer::Acceptance::parse(&c.acceptance),
            c.maintenance_open,
        )
    }
    pub(crate) fn is_key(&self, s: &str) -> bool {
        s.starts_with("distribution.") && crate::tools::http::is_flash_key(s)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ShowQuery {
    pub send: Option<i64>,
}

async fn show(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> AppResult<OrderPage> {
    let d = state
        .db
        .run(move |conn| detail_store::order_detail(conn, &scope, id))
        .await?;
    Ok(OrderPage {
        l: Layout::new(&ctx),
        d,
        open_send: q.send,
        form: SendForm::default(),
        errors: Errors::default(),
    })
}

async fn send(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path((id, oa)): Path<(i64, i64)>,
    Form(form): Form<SendForm>,
) -> AppResult<Response> {
    let back = format!("/provider/orders/{id}");
    let options = match form.parse() {
        Ok(o) => o,
        Err(errors) => {
            let d = state
                .db
                .run(move |conn| detail_store::order_detail(conn, &scope, id))
                .await?;
            if !d.apps.iter().any(|l| l.oa.id == oa) {
                return Err(AppError::NotFound);
            }
            let page = OrderPage {
                l: Layout::new(&ctx),
                d,
                open_send: Some(oa),
                form,
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let sent = state
        .db
        .run(move |conn| detail_store::send(conn, &scope, id, oa, options))
        .await;
    match sent {
        Ok(_) => Ok(flash_redirect(&back, "distribution.flash.sent")),
        // The failure is stored with its reason and shown on the order.
        Err(AppError::Conflict("distribution.error.send_failed")) => {
            Ok(flash_redirect(&back, "distribution.flash.send_failed"))
        }
        Err(e) => Err(e),
    }
}

async fn edit_rights(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, oa)): Path<(i64, i64)>,
    Form(form): Form<EditRightsForm>,
) -> AppResult<Response> {
    let full = form.full_edit();
    state
        .db
        .run(move |conn| detail_store::set_edit_rights(conn, &scope, id, oa, full))
        .await?;
    Ok(flash_redirect(
        &format!("/provider/orders/{id}"),
        "distribution.flash.edit_rights",
    ))
}

async fn send_part(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, oa)): Path<(i64, i64)>,
    Form(form): Form<PartForm>,
) -> AppResult<Response> {
    let (kind, source) = form
        .parse()
        .ok_or(AppError::BadRequest("distribution.error.part"))?;
    let r = state
        .db
        .run(move |conn| detail_store::send_part(conn, &scope, id, oa, kind, source))
        .await?;
    let key = if r.is_ok() {
        "distribution.flash.part_sent"
    } else {
        "distribution.flash.part_failed"
    };
    Ok(flash_redirect(
        &format!("/provider/orders/{id}#parts-{oa}"),
        key,
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/agreement.html")]
pub(crate) struct AgreementPage {
    pub l: Layout,
}

/// 《服务商分发协议》: readable by anyone, signed in or not.
async fn agreement(ctx: Ctx) -> AgreementPage {
    AgreementPage {
        l: Layout::new(&ctx),
    }
}
