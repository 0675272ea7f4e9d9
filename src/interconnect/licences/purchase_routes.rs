//! Handlers of the seat purchase (/interconnect/licences/purchase): the pool's managers
//! buy seats for their own organisation; each field's error is shown beside it.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::purchase::{self, MAX_QUANTITY, SeatPurchase, TERMS};
use super::require_manager;
use crate::auth::InOrg;
use crate::error::AppResult;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/interconnect/licences/purchase", Policy::InOrg, form)
        .post("/interconnect/licences/purchase", Policy::InOrg, buy)
}

#[derive(Deserialize, Default, Clone)]
pub(crate) struct BuyForm {
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    term: String,
    #[serde(default)]
    idem: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "interconnect/licences/purchase.html")]
pub(crate) struct BuyPage {
    l: Layout,
    form: BuyForm,
    errors: Errors,
    /// The pool's figure now, in words.
    summary: String,
}

impl BuyPage {
    fn terms(&self) -> [i32; 3] {
        TERMS
    }
    fn term_label(&self, months: &i32) -> String {
        self.l
            .tf("interconnect.licences.buy.years", "n", &(months / 12))
    }
    fn term_chosen(&self, months: &i32) -> bool {
        self.form.term == months.to_string()
    }
    fn max_quantity(&self) -> i64 {
        MAX_QUANTITY
    }
    fn quantity_help(&self) -> String {
        self.l.tf(
            "interconnect.licences.buy.quantity_help",
            "max",
            &MAX_QUANTITY,
        )
    }
}

async fn page(state: &AppState, g: &InOrg, form: BuyForm, errors: Errors) -> AppResult<BuyPage> {
    let org = g.scope.org_id();
    let usage = state
        .db
        .run(move |conn| crate::interconnect::people::seat_use(conn, org))
        .await?;
    Ok(BuyPage {
        l: Layout::new(&g.ctx),
        summary: super::alert::text(g.ctx.lang, &usage),
        form,
        errors,
    })
}

async fn form(State(state): State<AppState>, g: InOrg) -> AppResult<BuyPage> {
    require_manager(&g.scope)?;
    let form = BuyForm {
        term: TERMS[0].to_string(),
        // The one-time key of this form: every post of it files one order.
        idem: uuid::Uuid::new_v4().simple().to_string(),
        ..BuyForm::default()
    };
    page(&state, &g, form, Errors::default()).await
}

async fn buy(
    State(state): State<AppState>,
    g: InOrg,
    Form(f): Form<BuyForm>,
) -> AppResult<Response> {
    require_manager(&g.scope)?;
    let key = purchase::parse_idem(&f.idem)?;
    let p = match SeatPurchase::parse(&f.quantity, &f.term) {
        Ok(p) => p,
        Err(errors) => {
            let page = page(&state, &g, f, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let scope = g.scope.clone();
    state
        .db
        .run(move |conn| purchase::purchase(conn, &scope, p, &key))
        .await?;
    Ok(flash_redirect(
        "/interconnect/licences",
        "interconnect.licences.buy.flash",
    ))
}
