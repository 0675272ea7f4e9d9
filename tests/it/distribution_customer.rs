//! The customer's side of a delivered app: accept (验收), close maintenance (关闭开发维护),
//! request maintenance (申请维护), automatic grant approval and enable (启用) — in the
//! seed's order, by the customer's organisation admins only.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::db::schema::{apps, maintenance_grants};

use crate::support::distribution::{Grant, deal, demo_login, events_since, notified, sent};
use crate::support::{TestApp, each_backend};

fn app_row(app: &TestApp, id: i64) -> (String, bool, String, String) {
    apps::table
        .find(id)
        .select((
            apps::state,
            apps::maintenance_open,
            apps::acceptance,
            apps::acceptance_comment,
        ))
        .first(&mut *app.conn())
        .expect("app")
}

#[tokio::test]
async fn the_customer_accepts_closes_maintenance_and_enables_and_sees_one_status_at_each_step() {
    each_backend(async |app| {
        let d = deal(&app).await;
        let copy = sent(&app, &d, &[]).await;
        let member = demo_login(&app, "customer.member").await;
        member.get("/workbench").await.assert_lacks("采购管理");
        let c = demo_login(&app, "customer.admin").await;
        let base = format!("/my-apps/{copy}");
        c.get(&base)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("云帆软件服务商")
            .assert_contains(&d.order_no)
            .assert_contains("应用已发送")
            .assert_contains("badge warn\">待验收<")
            .assert_contains(&format!("action=\"{base}/accept\""));
        c.post(&format!("{base}/accept"), &[("result", "passed")])
            .await
            .assert_redirect(&base);
        // Accepted: the form is gone, its result stays, and the one status moves on.
        c.get(&base)
            .await
            .assert_contains("已验收，待关闭开发维护")
            .assert_lacks(&format!("action=\"{base}/accept\""))
            .assert_lacks("待验收");
        c.post(&format!("{base}/close-maintenance"), &[])
            .await
            .assert_redirect(&base);
        c.get(&base).await.assert_contains("badge warn\">待启用<");
        c.post(&format!("{base}/enable"), &[])
            .await
            .assert_redirect(&base);
        assert_eq!(
            app_row(&app, copy),
            ("enabled".into(), false, "passed".into(), String::new())
        );
        member.get("/workbench").await.assert_contains("采购管理");
        let kinds = events_since(&app, Some(d.project), d.last_event);
        assert_eq!(
            kinds,
            vec![
                "sent",
                "acceptance_passed",
                "maintenance_closed",
                "app_enabled"
            ]
        );
        c.get(&base)
            .await
            .assert_contains("验收通过")
            .assert_contains("关闭开发维护")
            .assert_contains("应用已启用");
        // The list shows the one status, not the switches it comes from.
        c.get("/my-apps")
            .await
            .assert_contains("badge ok\">已启用<")
            .assert_lacks("开发维护已关闭");
        assert_eq!(
            notified(&app, d.p_admin, "distribution.notify.acceptance_passed"),
            1
        );
        // Maintenance can be requested again; automatic approval is the customer's choice.
        c.post(&format!("{base}/request-maintenance"), &[])
            .await
            .assert_redirect(&base);
        c.post(&format!("{base}/auto-approve"), &[("on", "on")])
            .await
            .assert_redirect(&base);
        let (open, auto): (bool, bool) = apps::table
            .find(copy)
            .select((apps::maintenance_open, apps::auto_approve_grants))
            .first(&mut *app.conn())
            .expect("app");
        assert!(open && auto);
        c.get(&base)
            .await
            .assert_contains("已启用，开发维护中")
            .assert_contains("开放（服务商可申请维护）");
        c.post(&format!("{base}/auto-approve"), &[])
            .await
            .assert_redirect(&base);
        let auto: bool = apps::table
            .find(copy)
            .select(apps::auto_approve_grants)
            .first(&mut *app.conn())
            .expect("app");
        assert!(!auto);
    })
    .await;
}

#[tokio::test]
async fn enabling_needs_acceptance_and_closed_maintenance() {
    each_backend(async |app| {
        let d = deal(&app).await;
        let copy = sent(&app, &d, &[]).await;
        let c = demo_login(&app, "customer.admin").await;
        let base = format!("/my-apps/{copy}");
        c.get(&base)
            .await
            .assert_contains("请先验收通过，再关闭开发维护，然后启用");
        c.post(&format!("{base}/enable"), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("请先验收通过，再关闭开发维护，然后启用");
        c.post_ok(
            &format!("{base}/accept"),
            &[("result", "failed"), ("comment", "缺少审批人")],
        )
        .await;
        c.post_ok(&format!("{base}/close-maintenance"), &[]).await;
        c.post(&format!("{base}/enable"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        c.post_ok(&format!("{base}/request-maintenance"), &[]).await;
        c.post_ok(&format!("{base}/accept"), &[("result", "passed")])
            .await;
        c.post(&format!("{base}/enable"), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("请先关闭开发维护，再启用应用");
        assert_eq!(app_row(&app, copy).0, "maintenance");
        c.post_ok(&format!("{base}/close-maintenance"), &[]).await;
        c.post(&format!("{base}/enable"), &[])
            .await
            .assert_redirect(&base);
        assert_eq!(app_row(&app, copy).0, "enabled");
        c.post(&format!("{base}/enable"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
    })
    .await;
}

#[tokio::test]
async fn a_failed_acceptance_needs_comments_and_the_provider_sees_them() {
    each_backend(async |app| {
        let d = deal(&app).await;
        let copy = sent(&app, &d, &[]).await;
        let c = demo_login(&app, "customer.admin").await;
        let base = format!("/my-apps/{copy}");
        c.post(
            &format!("{base}/accept"),
            &[("result", "failed"), ("comment", "  ")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("验收不通过时请填写意见")
        .assert_contains("id=\"e-comment\"");
        assert_eq!(app_row(&app, copy).2, "");
        c.post(
            &format!("{base}/accept"),
            &[("result", "failed"), ("comment", "报表统计口径不对")],
        )
        .await
        .assert_redirect(&base);
        let (_, _, result, comment) = app_row(&app, copy);
        assert_eq!(
            (result.as_str(), comment.as_str()),
            ("failed", "报表统计口径不对")
        );
        let p = demo_login(&app, "provider.admin").await;
        p.get(&format!("/provider/orders/{}", d.order))
            .await
            .assert_contains("验收不通过")
            .assert_contains("报表统计口径不对");
        assert_eq!(
            notified(&app, d.p_admin, "distribution.notify.acceptance_failed"),
            1
        );
        p.get("/notifications")
            .await
            .assert_contains("客户验收不通过")
            .assert_contains("报表统计口径不对");
    })
    .await;
}

#[tokio::test]
async fn closing_maintenance_ends_all_grants() {
    each_backend(async |app| {
        let d = deal(&app).await;
        let copy = sent(&app, &d, &[]).await;
        let c = demo_login(&app, "customer.admin").await;
        let dev = || demo_login(&app, "provider.dev");
        let requested = Grant::requested(&app, dev().await, copy).await.id;
        let active = Grant::requested(&app, dev().await, copy)
            .await
            .approved(&c)
            .await
            .id;
        let declined = Grant::requested(&app, dev().await, copy)
            .await
            .declined(&c)
            .await
            .id;
        let base = format!("/my-apps/{copy}");
        c.post(&format!("{base}/close-maintenance"), &[])
            .await
            .assert_redirect(&base);
        let status = |id: i64| -> (String, Option<i64>, bool) {
            let (s, by, at): (String, Option<i64>, Option<i64>) = maintenance_grants::table
                .find(id)
                .select((
                    maintenance_grants::status,
                    maintenance_grants::ended_by,
                    maintenance_grants::ended_at,
                ))
                .first(&mut *app.conn())
                .expect("grant");
            (s, by, at.is_some())
        };
        assert_eq!(status(requested), ("ended".into(), Some(d.c_admin), true));
        assert_eq!(status(active), ("ended".into(), Some(d.c_admin), true));
        assert_eq!(status(declined), ("declined".into(), None, false));
        assert!(!app_row(&app, copy).1);
        // The provider can no longer send parts into the app.
        let p = demo_login(&app, "provider.admin").await;
        p.post(
            &format!("/provider/orders/{}/apps/{}/parts", d.order, d.order_app),
            &[("part", "component:1")],
        )
        .await
        .assert_status(StatusCode::CONFLICT);
        c.post(&format!("{base}/request-maintenance"), &[])
            .await
            .assert_redirect(&base);
        assert!(app_row(&app, copy).1);
    })
    .await;
}

#[tokio::test]
async fn only_customer_admins_manage_purchased_apps() {
    each_backend(async |app| {
        let d = deal(&app).await;
        let copy = sent(&app, &d, &[]).await;
        let m = demo_login(&app, "customer.member").await;
        m.get("/my-apps").await.assert_status(StatusCode::FORBIDDEN);
        m.get(&format!("/my-apps/{copy}"))
            .await
            .assert_status(StatusCode::FORBIDDEN);
        for action in [
            "accept",
            "close-maintenance",
            "request-maintenance",
            "auto-approve",
            "enable",
        ] {
            m.post(
                &format!("/my-apps/{copy}/{action}"),
                &[("result", "passed")],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);
        }
        assert_eq!(
            app_row(&app, copy),
            ("maintenance".into(), true, String::new(), String::new())
        );
        // Another organisation's admin does not find the app.
        let other = demo_login(&app, "upstream.admin").await;
        other
            .get(&format!("/my-apps/{copy}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        other
            .post(&format!("/my-apps/{copy}/enable"), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // An app the organisation built itself is not a purchased app.
        let own: i64 = apps::table
            .filter(apps::name.eq("采购管理"))
            .filter(apps::org_id.eq(d.provider))
            .select(apps::id)
            .first(&mut *app.conn())
            .expect("own app");
        let p = demo_login(&app, "provider.admin").await;
        p.get(&format!("/my-apps/{own}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn two_purchases_of_one_app_are_told_apart_by_order_number_with_a_timeline_each() {
    each_backend(async |app| {
        let d = deal(&app).await;
        let first = sent(&app, &d, &[]).await;
        let (order2, oa2) = d.another_order(&app).await;
        let p = demo_login(&app, "provider.admin").await;
        crate::support::distribution::send(&p, order2, oa2, &[])
            .await
            .assert_redirect(&format!("/provider/orders/{order2}"));
        let second = crate::support::distribution::copy_of(&app, oa2).expect("sent");
        let second_no: String = fenfa::db::schema::orders::table
            .find(order2)
            .select(fenfa::db::schema::orders::order_no)
            .first(&mut *app.conn())
            .expect("order");
        assert_ne!(second_no, d.order_no);
        let c = demo_login(&app, "customer.admin").await;
        // The list names each copy's order.
        let list = c.get("/my-apps").await;
        list.assert_contains(&format!("<code>{}</code>", d.order_no))
            .assert_contains(&format!("<code>{second_no}</code>"));
        // Each copy's page shows its own order and only its own steps.
        c.get(&format!("/my-apps/{first}"))
            .await
            .assert_contains(&d.order_no)
            .assert_lacks(&second_no);
        c.get(&format!("/my-apps/{second}"))
            .await
            .assert_contains(&second_no)
            .assert_lacks(&d.order_no);
    })
    .await;
}
