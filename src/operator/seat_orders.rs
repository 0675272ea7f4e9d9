//! The operator's list of seat orders: every licence seat purchase an upstream
//! organisation made (seed 004: licence由主干组织购买), newest first, by keyset.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};

use crate::auth::Operator;
use crate::error::AppResult;
use crate::interconnect::{SeatOrder, all_seat_orders};
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, CursorQuery, Layout, Page};

pub(crate) fn router() -> Routes {
    Routes::new().get("/operator/seat-orders", Policy::Operator, list)
}

#[derive(Template, WebTemplate)]
#[template(path = "operator/seat_orders.html")]
pub(crate) struct SeatOrdersPage {
    l: Layout,
    orders: Page<SeatOrder>,
}

impl SeatOrdersPage {
    fn term_label(&self, o: &SeatOrder) -> String {
        self.l.tf(
            "interconnect.licences.buy.years",
            "n",
            &(o.term_months / 12),
        )
    }
}

async fn list(
    State(state): State<AppState>,
    op: Operator,
    Query(q): Query<CursorQuery>,
) -> AppResult<SeatOrdersPage> {
    let orders = state
        .db
        .run(move |conn| all_seat_orders(conn, q.cursor()))
        .await?;
    Ok(SeatOrdersPage {
        l: Layout::new(&op.ctx),
        orders,
    })
}
