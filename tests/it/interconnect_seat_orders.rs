//! Seats the upstream buys itself (seed 004: licence统一由主干组织购买与分配): an order per
//! click, the seed's worked example reached by purchase, the operator's list, the pool
//! lowered below its use (warned, confirmed, alerted at once) and alerts in words.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{notifications, orgs, seat_orders};

use crate::support::interconnect::{many, post_ids, upstream};
use crate::support::{Client, TestApp, each_backend, input_value};

fn orders(app: &TestApp, org: i64) -> Vec<(String, i64, i32)> {
    seat_orders::table
        .filter(seat_orders::org_id.eq(org))
        .order(seat_orders::id.asc())
        .select((
            seat_orders::order_no,
            seat_orders::quantity,
            seat_orders::term_months,
        ))
        .load(&mut *app.conn())
        .expect("orders")
}

fn alert_count(app: &TestApp, user: i64) -> usize {
    notifications::table
        .filter(notifications::user_id.eq(user))
        .filter(notifications::title.eq("interconnect.notify.seat_alert"))
        .count()
        .get_result::<i64>(&mut *app.conn())
        .expect("alerts") as usize
}

/// The purchase form's one-time key, as the page hands it out.
async fn form_key(c: &Client) -> String {
    let page = c.get("/interconnect/licences/purchase").await;
    page.assert_status(StatusCode::OK);
    input_value(&page.body, "idem").expect("the purchase form carries its one-time key")
}

#[tokio::test]
async fn the_upstream_buys_3000_seats_and_with_2000_used_and_200_granted_800_remain() {
    each_backend(async |app| {
        // No seats from the edition: everything in the pool is bought through orders.
        let p = upstream(&app, Some(0));
        many(&app, p.up, "main", 1999);
        let down = app.org("下游伙伴", "dingdownstream01", "professional");
        let partners = many(&app, down, "partner", 250);
        app.joined_space(p.up, p.admin, &[(down, "all", &[])]);
        let a = app.signed_in("upadmin").await;
        let key = form_key(&a).await;
        a.post(
            "/interconnect/licences/purchase",
            &[("quantity", "3000"), ("term", "12"), ("idem", &key)],
        )
        .await
        .assert_redirect("/interconnect/licences");
        let placed = orders(&app, p.up);
        assert_eq!(placed.len(), 1);
        assert_eq!((placed[0].1, placed[0].2), (3000, 12));
        assert!(placed[0].0.starts_with("LS"), "{}", placed[0].0);
        post_ids(
            &a,
            &format!("/interconnect/licences/orgs/{down}/grant"),
            "user_id",
            &partners[..200],
        )
        .await
        .assert_redirect(&format!("/interconnect/licences/orgs/{down}"));
        a.get("/interconnect/licences")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(r#"id="seats-bought">3000<"#)
            .assert_contains(r#"id="seats-main">2000<"#)
            .assert_contains(r#"id="seats-downstream">200<"#)
            .assert_contains(r#"id="seats-remaining"><strong>800<"#)
            .assert_contains("已使用 2200/3000 个名额（73%），另有 800 人待分配")
            // The buyer's order history on the licence page.
            .assert_contains(&placed[0].0);
        // The operator sees the order with its buyer organisation.
        app.operator("op");
        let op = app.signed_in("op").await;
        op.get("/operator/seat-orders")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(&placed[0].0)
            .assert_contains("主干集团")
            .assert_contains("dingupstream01");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_purchase_posted_twice_or_concurrently_with_its_form_key_files_one_order() {
    each_backend(async |app| {
        let p = upstream(&app, Some(0));
        let a = app.signed_in("upadmin").await;
        let key = form_key(&a).await;
        let form = [("quantity", "50"), ("term", "24"), ("idem", key.as_str())];
        a.post("/interconnect/licences/purchase", &form)
            .await
            .assert_redirect("/interconnect/licences");
        a.post("/interconnect/licences/purchase", &form)
            .await
            .assert_redirect("/interconnect/licences");
        let key2 = form_key(&a).await;
        let mut posts = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let (c, k) = (a.clone(), key2.clone());
            posts.spawn(async move {
                c.post(
                    "/interconnect/licences/purchase",
                    &[("quantity", "7"), ("term", "36"), ("idem", k.as_str())],
                )
                .await
            });
        }
        while let Some(r) = posts.join_next().await {
            r.expect("task").assert_redirect("/interconnect/licences");
        }
        let placed = orders(&app, p.up);
        assert_eq!(
            placed.iter().map(|o| (o.1, o.2)).collect::<Vec<_>>(),
            vec![(50, 24), (7, 36)],
            "one order per form, however often it was posted"
        );
        a.get("/interconnect/licences")
            .await
            .assert_contains(r#"id="seats-bought">57<"#);
    })
    .await;
}

#[tokio::test]
async fn a_purchase_with_a_bad_quantity_or_term_shows_each_error_beside_its_field() {
    each_backend(async |app| {
        let p = upstream(&app, Some(0));
        let a = app.signed_in("upadmin").await;
        let key = form_key(&a).await;
        let r = a
            .post(
                "/interconnect/licences/purchase",
                &[("quantity", "0"), ("term", "7"), ("idem", &key)],
            )
            .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains(r#"id="e-quantity""#)
            .assert_contains("请填写 1 到 100000 之间的整数名额数")
            .assert_contains(r#"id="e-term""#)
            .assert_contains("请选择 1 年、2 年或 3 年")
            .assert_contains(r#"name="quantity" min="1" max="100000" step="1" value="0""#);
        assert_eq!(input_value(&r.body, "idem"), Some(key));
        assert!(orders(&app, p.up).is_empty(), "nothing written");
    })
    .await;
}

#[tokio::test]
async fn only_the_pools_managers_buy_seats() {
    each_backend(async |app| {
        let p = upstream(&app, Some(0));
        app.person(p.up, "platform", Role::PlatformAdmin);
        app.person(p.up, "clerk", Role::Member);
        for login in ["platform", "clerk"] {
            let c = app.signed_in(login).await;
            c.get("/interconnect/licences/purchase")
                .await
                .assert_status(StatusCode::FORBIDDEN);
            c.post(
                "/interconnect/licences/purchase",
                &[
                    ("quantity", "5"),
                    ("term", "12"),
                    ("idem", "abcdef0123456789"),
                ],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);
        }
        assert!(orders(&app, p.up).is_empty());
    })
    .await;
}

#[tokio::test]
async fn lowering_the_pool_below_its_use_warns_on_the_form_and_once_confirmed_raises_the_100_percent_alert_at_once()
 {
    each_backend(async |app| {
        // 10 seats, 8 used in the main organisation (the admin and 7 members): 80 %.
        let p = upstream(&app, Some(10));
        many(&app, p.up, "main", 7);
        app.operator("op");
        let op = app.signed_in("op").await;
        let path = format!("/operator/orgs/{}/interconnect", p.up);
        op.post(&path, &[("seat_pool", "5")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("该组织已使用 8 个名额，改后账户数为 5，低于使用量")
            .assert_contains(r#"name="confirm_below""#)
            .assert_contains(r#"name="seat_pool" value="5""#);
        let pool: Option<i32> = orgs::table
            .find(p.up)
            .select(orgs::seat_pool)
            .first(&mut *app.conn())
            .expect("pool");
        assert_eq!(pool, Some(10), "nothing changed before the confirmation");
        assert_eq!(alert_count(&app, p.admin), 0);
        op.post(&path, &[("seat_pool", "5"), ("confirm_below", "yes")])
            .await
            .assert_redirect(&format!("/operator/orgs/{}", p.up));
        assert_eq!(alert_count(&app, p.admin), 1, "the alert is raised at once");
        let a = app.signed_in("upadmin").await;
        a.get("/notifications")
            .await
            .assert_contains("已使用 8/5 个名额（160%），超出 3 个名额");
        // Raising it again above the use needs no confirmation.
        op.post(&path, &[("seat_pool", "20")])
            .await
            .assert_redirect(&format!("/operator/orgs/{}", p.up));
    })
    .await;
}

#[tokio::test]
async fn seat_alerts_read_in_words_in_the_readers_language() {
    each_backend(async |app| {
        // 5 seats, the admin uses one; three granted downstream: 4/5 = 80 %.
        let p = upstream(&app, Some(5));
        let down = app.org("下游伙伴", "dingdownstream01", "professional");
        let people = many(&app, down, "partner", 3);
        app.joined_space(p.up, p.admin, &[(down, "all", &[])]);
        let a = app.signed_in("upadmin").await;
        post_ids(
            &a,
            &format!("/interconnect/licences/orgs/{down}/grant"),
            "user_id",
            &people,
        )
        .await
        .assert_redirect("/interconnect/licences/orgs/");
        a.get("/notifications")
            .await
            .assert_contains("已使用 4/5 个名额（80%），另有 1 人待分配")
            .assert_lacks("80% · 4/5 · 1");
        a.get("/interconnect/licences")
            .await
            .assert_contains("已使用 4/5 个名额（80%），另有 1 人待分配");
        a.set_cookie("lang", "en");
        a.get("/notifications")
            .await
            .assert_contains("4 of 5 seats used (80%); 1 more can be assigned");
    })
    .await;
}
