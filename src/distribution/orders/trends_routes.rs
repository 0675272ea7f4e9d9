//! The order centre's trends page (/provider/orders/trends, behind the certification gate
//! like the list): the weekly chart of [`super::trends`] and its figures as a table.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use super::trends::{self, WEEKS, Week};
use crate::distribution::projects::gate::Provider;
use crate::error::AppResult;
use crate::tools::chart::{BarSeries, Bars, bar_chart};
use crate::tools::wait::cst_month_day;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Layout};

pub(crate) fn router() -> Routes {
    Routes::new().get("/provider/orders/trends", Policy::Provider, trends_page)
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/orders/trends.html")]
pub(crate) struct TrendsPage {
    l: Layout,
    weeks: Vec<Week>,
}

impl TrendsPage {
    /// The chart in words: "12 周内共 340 个订单，已发送 300 个应用，另有 12 个未发送".
    fn summary(&self) -> String {
        let (orders, apps, sent) = trends::totals(&self.weeks);
        self.l.lang.tf(
            "distribution.trends.summary",
            &[
                ("weeks", &WEEKS.to_string()),
                ("orders", &orders.to_string()),
                ("sent", &sent.to_string()),
                ("unsent", &(apps - sent).to_string()),
            ],
        )
    }
    /// The week's label: its Monday ("11-23").
    fn week_label(&self, w: &Week) -> String {
        cst_month_day(w.start)
    }
    fn chart(&self) -> String {
        let periods: Vec<String> = self.weeks.iter().map(|w| self.week_label(w)).collect();
        let orders: Vec<i64> = self.weeks.iter().map(|w| w.orders).collect();
        let sent: Vec<i64> = self.weeks.iter().map(|w| w.sent).collect();
        let unsent: Vec<i64> = self.weeks.iter().map(Week::unsent).collect();
        let (l_orders, l_sent, l_unsent) = (
            self.l.t("distribution.trends.orders"),
            self.l.t("distribution.trends.sent"),
            self.l.t("distribution.trends.unsent"),
        );
        bar_chart(&Bars {
            summary: &self.summary(),
            periods: &periods,
            series: &[
                BarSeries {
                    label: &l_orders,
                    bar: 0,
                    values: &orders,
                },
                BarSeries {
                    label: &l_sent,
                    bar: 1,
                    values: &sent,
                },
                BarSeries {
                    label: &l_unsent,
                    bar: 1,
                    values: &unsent,
                },
            ],
            empty: &self.l.t("distribution.trends.empty"),
        })
    }
}

async fn trends_page(State(state): State<AppState>, pv: Provider) -> AppResult<TrendsPage> {
    let scope = pv.scope.clone();
    let weeks = state
        .db
        .run(move |conn| trends::weekly(conn, &scope, crate::db::now()))
        .await?;
    Ok(TrendsPage {
        l: Layout::new(&pv.ctx),
        weeks,
    })
}
