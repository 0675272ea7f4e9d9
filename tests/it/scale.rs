//! The benchmark's scale data set (`fenfa seed-scale`): it loads on both backends and every
//! page the benchmark drives answers on it, as the benchmark's logins see it. Timing is the
//! benchmark's business (benches/run), not this module's.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::db::schema::orders;
use fenfa::scale;

use crate::support::{Client, TestApp, each_backend};

async fn seeded(app: &TestApp) -> (Client, Client) {
    let summary = scale::seed(&app.state.db, 300, 5).expect("seed");
    assert_eq!(summary.orders, 300);
    let admin = app.client();
    admin.login(scale::ADMIN, scale::PASSWORD).await;
    let buyer = app.client();
    buyer.login(scale::BUYER, scale::PASSWORD).await;
    (admin, buyer)
}

fn next_link(html: &str) -> Option<String> {
    let pager = html.find("class=\"pager\"")?;
    let href = pager + html[pager..].find("href=\"")? + 6;
    let end = href + html[href..].find('"')?;
    Some(html[href..end].replace("&amp;", "&").replace("&#38;", "&"))
}

#[tokio::test]
async fn every_benchmarked_page_answers_on_the_scale_data_set() {
    each_backend(async |app| {
        let (admin, _) = seeded(&app).await;
        for path in [
            "/provider/projects",
            "/provider/orders",
            "/provider/orders?project=&send=failed",
            "/workbench",
            "/f/1/data",
        ] {
            admin
                .get(path)
                .await
                .assert_status(StatusCode::OK)
                .assert_lacks("error");
        }
        let first = admin.get("/provider/orders").await;
        first
            .assert_status(StatusCode::OK)
            .assert_contains("SC0000000300");
        let next = next_link(&first.body).expect("the order centre links to its next page");
        admin
            .get(&next)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("SC0000000250")
            .assert_lacks("SC0000000251");
    })
    .await;
}

#[tokio::test]
async fn a_scale_purchase_link_sells_once_to_the_buyer() {
    each_backend(async |app| {
        let (_, buyer) = seeded(&app).await;
        let count = |app: &TestApp| -> i64 {
            orders::table
                .filter(orders::customer_org_id.eq(scale::BUYER_ORG))
                .count()
                .get_result(&mut *app.conn())
                .expect("count")
        };
        assert_eq!(count(&app), 0);
        let link = format!("/d/{}", scale::buy_token(0));
        let done = format!("{link}/done");
        buyer.post(&link, &[]).await.assert_redirect(&done);
        buyer.post(&link, &[]).await.assert_redirect(&done);
        assert_eq!(count(&app), 1);
    })
    .await;
}

#[tokio::test]
async fn seed_scale_refuses_a_database_that_has_data() {
    each_backend(async |app| {
        app.user("someone", "Someone");
        assert!(scale::seed(&app.state.db, 10, 0).is_err());
    })
    .await;
}
