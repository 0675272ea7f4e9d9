//! The order centre's trends (订单趋势): orders per week over the last 12 weeks and the
//! send status of their apps, counted for the provider's own orders only, shown to whoever
//! may see the order list and to nobody else.

use axum::http::StatusCode;
use fenfa::tools::wait::{DAY, WEEK, cst_month_day, cst_week, cst_week_start};

use crate::support::distribution::{Provider, placed_at, second_provider_with_an_order, world};
use crate::support::{TestApp, each_backend};

fn week_row(start: i64, orders: i64, sent: i64, unsent: i64) -> String {
    format!(
        r#"<tr id="week-{}">
      <th scope="row">{}</th>
      <td class="orders">{orders}</td>
      <td class="sent">{sent}</td>
      <td class="unsent">{unsent}</td>"#,
        cst_month_day(start),
        cst_month_day(start)
    )
}

#[tokio::test]
async fn the_order_centres_chart_counts_the_providers_orders_and_sent_apps_per_week() {
    each_backend(async |app: TestApp| {
        let w = world(&app);
        let operator = app.signed_in("op").await;
        let buyer = app.signed_in("cadmin").await;
        let project = Provider::new(&app, app.signed_in("padmin").await)
            .project("星河设备项目", "dingcustomer01")
            .await
            .approved(&operator)
            .await;
        // This week: one order of two apps, one of them sent.
        let this_week = project.link(&[w.app, w.app2]).await.order(&buyer).await;
        this_week.sent(&[]).await;
        // Last week: one order of one app, not sent yet.
        let last_week = project.link(&[w.app]).await.order(&buyer).await;
        // Twenty weeks ago: outside the chart.
        let old = project.link(&[w.app2]).await.order(&buyer).await;
        let now = fenfa::db::now();
        let monday = cst_week_start(cst_week(now));
        placed_at(&app, this_week.id, monday);
        placed_at(&app, last_week.id, monday - 2 * DAY);
        placed_at(&app, old.id, now - 20 * WEEK);
        // Another provider sold to the same customer this week.
        second_provider_with_an_order(&app, "p2admin").await;

        let page = project.admin.get("/provider/orders/trends").await;
        page.assert_status(StatusCode::OK)
            .assert_contains(r#"role="img""#)
            .assert_contains("12 周内共 2 个订单，已发送 1 个应用，2 个应用未发送")
            .assert_contains(&week_row(monday, 1, 1, 1))
            .assert_contains(&week_row(monday - WEEK, 1, 0, 1))
            .assert_contains(&week_row(monday - 11 * WEEK, 0, 0, 0))
            .assert_lacks(&cst_month_day(monday - 12 * WEEK));
        // The list links to the chart, and the chart back to the list.
        project
            .admin
            .get("/provider/orders")
            .await
            .assert_contains(r#"href="/provider/orders/trends""#);
        // The other provider sees its own order only.
        app.signed_in("p2admin")
            .await
            .get("/provider/orders/trends")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("12 周内共 1 个订单，已发送 0 个应用，1 个应用未发送")
            .assert_contains(&week_row(monday, 1, 0, 1));
    })
    .await;
}

#[tokio::test]
async fn a_provider_without_orders_sees_an_empty_chart_not_an_error() {
    each_backend(async |app: TestApp| {
        world(&app);
        app.signed_in("padmin")
            .await
            .get("/provider/orders/trends")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("近 12 周暂无订单")
            .assert_contains("12 周内共 0 个订单")
            .assert_lacks("NaN");
    })
    .await;
}

#[tokio::test]
async fn whoever_may_not_see_the_order_list_gets_no_chart_either() {
    each_backend(async |app: TestApp| {
        world(&app);
        // A developer of the provider sees both; the provider's plain member, the
        // customer's admin and another organisation's admin are refused both alike.
        for login in ["pdev", "pmember", "cadmin", "oadmin"] {
            let c = app.signed_in(login).await;
            let list = c.get("/provider/orders").await;
            let chart = c.get("/provider/orders/trends").await;
            assert_eq!(list.status, chart.status, "{login}");
            if login == "pdev" {
                chart.assert_status(StatusCode::OK);
            } else {
                assert_ne!(chart.status, StatusCode::OK, "{login}");
                chart.assert_lacks("orders-chart");
            }
        }
        let anonymous = app.client().get("/provider/orders/trends").await;
        assert_eq!(
            anonymous.status,
            app.client().get("/provider/orders").await.status
        );
        anonymous.assert_lacks("orders-chart");
    })
    .await;
}
