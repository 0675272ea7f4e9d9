//! Distribution links and the customer's purchase (seed 000 steps 1–2, seed 001 §2.1–2.2):
//! which projects and apps issue links, who may purchase through them, exactly one order,
//! refusals, the link log, closing, and the order centre's CSV.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{
    distribution_links, link_events, notifications, order_apps, orders, projects,
};

use crate::support::distribution::{
    World, approved_project, create_project, issue, set_level, status_of, world,
};
use crate::support::{Client, QR_CODE, TestApp, each_backend};

/// A world with an approved project and a link for two apps.
async fn linked(app: &TestApp) -> (World, Client, i64, i64, String) {
    let w = world(app);
    let c = app.signed_in("padmin").await;
    let project = approved_project(app, &c).await;
    let (link, token) = issue(app, &c, project, &[w.app, w.app2]).await;
    (w, c, project, link, token)
}

fn order_count(app: &TestApp) -> i64 {
    orders::table
        .count()
        .get_result(&mut *app.conn())
        .expect("count")
}

fn link_count(app: &TestApp) -> i64 {
    distribution_links::table
        .count()
        .get_result(&mut *app.conn())
        .expect("count")
}

#[tokio::test]
async fn only_approved_open_projects_issue_links() {
    each_backend(async |app| {
        let w = world(&app);
        let c = app.signed_in("padmin").await;
        let pending = create_project(&c, "待审核项目", "dingcustomer01").await;
        let aid = w.app.to_string();
        let pid = pending.to_string();
        c.post(
            "/provider/links",
            &[("project_id", pid.as_str()), ("app_id", aid.as_str())],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("只有审核通过且未结项的项目可以获取分发链接");
        let rejected = create_project(&c, "被驳回项目", "dingcustomer01").await;
        app.signed_in("op")
            .await
            .post(
                &format!("/operator/reviews/{rejected}/reject"),
                &[("reason", "no")],
            )
            .await
            .assert_redirect("/operator/reviews");
        let rid = rejected.to_string();
        c.post(
            "/provider/links",
            &[("project_id", rid.as_str()), ("app_id", aid.as_str())],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(link_count(&app), 0);
        // The dialog offers approved projects only.
        let approved = approved_project(&app, &c).await;
        c.get("/provider/links/new")
            .await
            .assert_contains(&format!("<option value=\"{approved}\""))
            .assert_lacks(&format!("<option value=\"{pending}\""));
        // Many links per project while it is open; developers may get them too.
        issue(&app, &c, approved, &[w.app]).await;
        issue(&app, &c, approved, &[w.app, w.app2]).await;
        let dev = app.signed_in("pdev").await;
        issue(&app, &dev, approved, &[w.app2]).await;
        assert_eq!(link_count(&app), 3);
        // Closed: no more links.
        c.post(
            &format!("/provider/projects/{approved}/close"),
            &[
                ("delivery_date", "2026-12-01"),
                ("summary", "交付完成"),
                ("acceptance", "passed"),
            ],
        )
        .await
        .assert_redirect(&format!("/provider/projects/{approved}"));
        let apid = approved.to_string();
        c.post(
            "/provider/links",
            &[("project_id", apid.as_str()), ("app_id", aid.as_str())],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(link_count(&app), 3);
    })
    .await;
}

#[tokio::test]
async fn premium_and_distributed_copy_apps_are_refused_with_the_seed_message() {
    each_backend(async |app| {
        let w = world(&app);
        let c = app.signed_in("padmin").await;
        let project = approved_project(&app, &c).await;
        let pid = project.to_string();
        for bad in [w.premium, w.copy] {
            let b = bad.to_string();
            let ok = w.app.to_string();
            c.post(
                "/provider/links",
                &[
                    ("project_id", pid.as_str()),
                    ("app_id", ok.as_str()),
                    ("app_id", b.as_str()),
                ],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("当前选择的应用不支持获取分发链接");
        }
        c.set_cookie("lang", "en");
        let b = w.premium.to_string();
        c.post(
            "/provider/links",
            &[("project_id", pid.as_str()), ("app_id", b.as_str())],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("The selected app does not support distribution links");
        c.set_cookie("lang", "zh-CN");
        // Nothing chosen.
        c.post("/provider/links", &[("project_id", pid.as_str())])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("请至少选择一个应用");
        // Another organisation's app is simply not found.
        let foreign = {
            use fenfa::apps::store::{NewApp, create_app};
            use fenfa::auth::{OrgScope, Role};
            let scope = OrgScope::system(w.other, w.padmin, Role::MainAdmin);
            create_app(
                &mut app.conn(),
                &scope,
                NewApp {
                    name: "别家应用",
                    glyph: "package",
                    color: "orange",
                    image: "",
                    description: "",
                    premium: false,
                },
            )
            .expect("app")
        };
        let f = foreign.to_string();
        c.post(
            "/provider/links",
            &[("project_id", pid.as_str()), ("app_id", f.as_str())],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        assert_eq!(link_count(&app), 0);
        // Seed 001's entry point: "Distribute this app" preselects the app and asks for
        // the approved project.
        c.get(&format!("/provider/links/new?app={}", w.app))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(&format!("value=\"{}\" checked", w.app))
            .assert_contains("所属项目");
    })
    .await;
}

#[tokio::test]
async fn the_link_page_shows_the_url_copy_button_and_qr_code() {
    each_backend(async |app| {
        let (_w, c, _project, link, token) = linked(&app).await;
        c.get(&format!("/provider/links/{link}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(&format!(
                "http://127.0.0.1:3000/d/{token}?corpName=%E6%98%9F%E6%B2%B3"
            ))
            .assert_contains("data-copy=\"#link-url\"")
            .assert_contains(QR_CODE)
            .assert_contains("设备巡检");
        assert_eq!(token.len(), 43);
    })
    .await;
}

#[tokio::test]
async fn corp_id_mismatch_cannot_purchase() {
    each_backend(async |app| {
        let (_w, _c, _p, _l, token) = linked(&app).await;
        let o = app.signed_in("oadmin").await;
        o.get(&format!("/d/{token}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("别家公司")
            .assert_contains("当前组织不是项目登记的客户组织");
        o.post(&format!("/d/{token}"), &[])
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("当前组织无法购买，请联系服务商");
        assert_eq!(order_count(&app), 0);
    })
    .await;
}

#[tokio::test]
async fn only_platform_admins_purchase() {
    each_backend(async |app| {
        let (w, _c, _p, _l, token) = linked(&app).await;
        // Not signed in: log in first, then come back.
        app.client()
            .get(&format!("/d/{token}?corpName=x"))
            .await
            .assert_redirect(&format!("/login?next=%2Fd%2F{token}"));
        let m = app.signed_in("cmember").await;
        m.get(&format!("/d/{token}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("组织 CorpID 与项目一致")
            .assert_contains("你不是本组织的平台管理员")
            .assert_contains("王采购")
            .assert_lacks("<button type=\"submit\">购买应用");
        m.post(&format!("/d/{token}"), &[])
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("没有权限")
            .assert_contains("请将链接转发给本组织的平台管理员")
            .assert_contains("王采购");
        assert_eq!(order_count(&app), 0);
        let a = app.signed_in("cadmin").await;
        a.get(&format!("/d/{token}"))
            .await
            .assert_contains("云帆服务商")
            .assert_contains("星河设备项目")
            .assert_contains("采购审批")
            .assert_contains("<button type=\"submit\">购买应用");
        a.post(&format!("/d/{token}"), &[])
            .await
            .assert_redirect(&format!("/d/{token}/done"));
        let no: String = orders::table
            .select(orders::order_no)
            .first(&mut *app.conn())
            .expect("order");
        assert!(no.starts_with("FF") && no.len() == 16, "{no}");
        a.get(&format!("/d/{token}/done"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(&no);
        let note: i64 = notifications::table
            .filter(notifications::user_id.eq(w.padmin))
            .filter(notifications::title.eq("distribution.notify.purchased"))
            .count()
            .get_result(&mut *app.conn())
            .expect("notes");
        assert_eq!(note, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exactly_one_order_per_purchase_even_when_submitted_concurrently() {
    each_backend(async |app| {
        let (w, _c, project, _l, token) = linked(&app).await;
        let a = app.signed_in("cadmin").await;
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let c = a.clone();
            let path = format!("/d/{token}");
            tasks.spawn(async move { c.post(&path, &[]).await });
        }
        while let Some(r) = tasks.join_next().await {
            let r = r.expect("task");
            assert!(!r.status.is_server_error(), "{}: {}", r.status, r.body);
            r.assert_redirect(&format!("/d/{token}/done"));
        }
        assert_eq!(order_count(&app), 1);
        let lines: i64 = order_apps::table
            .count()
            .get_result(&mut *app.conn())
            .expect("lines");
        assert_eq!(lines, 2);
        let statuses: Vec<String> = order_apps::table
            .select(order_apps::send_status)
            .load(&mut *app.conn())
            .expect("lines");
        assert!(statuses.iter().all(|s| s == "pending"));
        let notes: i64 = notifications::table
            .filter(notifications::user_id.eq(w.padmin))
            .filter(notifications::title.eq("distribution.notify.purchased"))
            .count()
            .get_result(&mut *app.conn())
            .expect("notes");
        assert_eq!(notes, 1);
        // A later click is a success that shows the same order.
        a.post(&format!("/d/{token}"), &[])
            .await
            .assert_redirect(&format!("/d/{token}/done"));
        a.get(&format!("/d/{token}"))
            .await
            .assert_contains("本组织已通过此链接购买");
        assert_eq!(order_count(&app), 1);
        assert_eq!(status_of(&app, project), "approved");
    })
    .await;
}

#[tokio::test]
async fn a_closed_projects_links_are_refused_and_its_link_page_offers_no_copy_qr_or_revoke() {
    each_backend(async |app| {
        let (w, c, project, link, token) = linked(&app).await;
        let page = format!("/provider/links/{link}");
        c.get(&page)
            .await
            .assert_contains("id=\"link-url\"")
            .assert_contains("data-copied=\"已复制\"")
            .assert_contains(QR_CODE)
            .assert_contains(&format!("/provider/links/{link}/revoke"));
        // Closing needs its information.
        c.post(
            &format!("/provider/projects/{project}/close"),
            &[
                ("delivery_date", "soon"),
                ("summary", ""),
                ("acceptance", "passed"),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请填写有效的交付日期");
        // Only the creator closes.
        app.signed_in("padmin2")
            .await
            .post(
                &format!("/provider/projects/{project}/close"),
                &[
                    ("delivery_date", "2026-12-01"),
                    ("summary", "交付完成"),
                    ("acceptance", "passed"),
                ],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);
        c.post(
            &format!("/provider/projects/{project}/close"),
            &[
                ("delivery_date", "2026-12-01"),
                ("summary", "交付完成"),
                ("acceptance", "passed"),
            ],
        )
        .await
        .assert_redirect(&format!("/provider/projects/{project}"));
        assert_eq!(status_of(&app, project), "closed");
        c.get(&format!("/provider/projects/{project}"))
            .await
            .assert_contains("交付完成")
            .assert_contains("项目结项");
        // The closed project's link page says why and keeps its history, nothing more.
        c.get(&page)
            .await
            .assert_contains("项目已结项")
            .assert_lacks("id=\"link-url\"")
            .assert_lacks(QR_CODE)
            .assert_lacks(&format!("/provider/links/{link}/revoke"));
        let a = app.signed_in("cadmin").await;
        a.get(&format!("/d/{token}"))
            .await
            .assert_contains("该分发链接已失效：项目已结项")
            .assert_lacks("<button type=\"submit\">购买应用");
        a.post(&format!("/d/{token}"), &[])
            .await
            .assert_status(StatusCode::GONE)
            .assert_contains("该分发链接已失效");
        assert_eq!(order_count(&app), 0);
        let n: i64 = notifications::table
            .filter(notifications::user_id.eq(w.padmin))
            .filter(notifications::title.eq("distribution.notify.closed"))
            .count()
            .get_result(&mut *app.conn())
            .expect("notes");
        assert_eq!(n, 1);
    })
    .await;
}

#[tokio::test]
async fn a_revoked_or_expired_link_is_refused() {
    each_backend(async |app| {
        let (w, c, project, link, token) = linked(&app).await;
        let a = app.signed_in("cadmin").await;
        // A developer who did not issue the link cannot revoke it.
        app.signed_in("pdev")
            .await
            .post(&format!("/provider/links/{link}/revoke"), &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        c.post(&format!("/provider/links/{link}/revoke"), &[])
            .await
            .assert_redirect(&format!("/provider/links/{link}"));
        a.get(&format!("/d/{token}"))
            .await
            .assert_contains("该分发链接已失效：服务商已作废此链接");
        a.post(&format!("/d/{token}"), &[])
            .await
            .assert_status(StatusCode::GONE);
        // An expiring link works until it expires.
        let pid = project.to_string();
        let aid = w.app.to_string();
        let r = c
            .post(
                "/provider/links",
                &[
                    ("project_id", pid.as_str()),
                    ("app_id", aid.as_str()),
                    ("expiry_days", "1"),
                ],
            )
            .await;
        r.assert_redirect("/provider/links/");
        let id: i64 = r
            .location()
            .trim_start_matches("/provider/links/")
            .parse()
            .expect("id");
        let (token2, expires): (String, Option<i64>) = distribution_links::table
            .find(id)
            .select((distribution_links::token, distribution_links::expires_at))
            .first(&mut *app.conn())
            .expect("link");
        assert!(expires.is_some_and(|e| e > fenfa::db::now()));
        diesel::update(distribution_links::table.find(id))
            .set(distribution_links::expires_at.eq(Some(fenfa::db::now() - 1)))
            .execute(&mut *app.conn())
            .expect("expire");
        a.get(&format!("/d/{token2}"))
            .await
            .assert_contains("该分发链接已失效：链接已过期");
        a.post(&format!("/d/{token2}"), &[])
            .await
            .assert_status(StatusCode::GONE);
        assert_eq!(order_count(&app), 0);
        // A made-up token is simply not found.
        a.get(&format!("/d/{}", "A".repeat(43)))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn link_opens_and_refusals_are_logged() {
    each_backend(async |app| {
        let (_w, c, _p, link, token) = linked(&app).await;
        let m = app.signed_in("cmember").await;
        m.get(&format!("/d/{token}")).await;
        m.post(&format!("/d/{token}"), &[]).await;
        let o = app.signed_in("oadmin").await;
        o.post(&format!("/d/{token}"), &[]).await;
        let a = app.signed_in("cadmin").await;
        a.get(&format!("/d/{token}")).await;
        a.post(&format!("/d/{token}"), &[]).await;
        let kinds: Vec<(String, String)> = link_events::table
            .filter(link_events::link_id.eq(link))
            .order(link_events::id.asc())
            .select((link_events::kind, link_events::reason))
            .load(&mut *app.conn())
            .expect("events");
        let kinds: Vec<(&str, &str)> = kinds
            .iter()
            .map(|(k, r)| (k.as_str(), r.as_str()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("opened", ""),
                ("refused", "distribution.purchase.not_admin"),
                ("refused", "distribution.purchase.corp_mismatch"),
                ("opened", ""),
                ("purchased", ""),
            ]
        );
        c.get(&format!("/provider/links/{link}"))
            .await
            .assert_contains("访问与拒绝记录")
            .assert_contains("cmember")
            .assert_contains("别家公司")
            .assert_contains("当前组织无法购买，请联系服务商")
            .assert_contains("没有权限")
            .assert_contains("王采购");
    })
    .await;
}

#[tokio::test]
async fn each_project_with_orders_links_to_them_and_the_order_centre_names_the_project() {
    each_backend(async |app| {
        let (_w, c, project, _l, token) = linked(&app).await;
        let pending = create_project(&c, "待审核项目", "dingcustomer01").await;
        app.signed_in("cadmin")
            .await
            .post(&format!("/d/{token}"), &[])
            .await
            .assert_redirect(&format!("/d/{token}/done"));
        let no: String = orders::table
            .select(orders::order_no)
            .first(&mut *app.conn())
            .expect("order");
        let name: String = projects::table
            .find(project)
            .select(projects::name)
            .first(&mut *app.conn())
            .expect("project");
        // 项目管理 → 查看订单, for approved projects only.
        c.get("/provider/projects")
            .await
            .assert_contains(&format!("/provider/orders?project={project}\""))
            .assert_lacks(&format!("/provider/orders?project={pending}\""));
        c.get(&format!("/provider/orders?project={project}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(&format!("项目：{name}"))
            .assert_contains(&no);
        c.get(&format!("/provider/orders?project={pending}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_lacks(&no);
        // A project that is not the organisation's answers as a missing one.
        let rival = app.org("别家服务商", "dingrival01", "exclusive");
        set_level(&app, rival, true, "advanced");
        app.person(rival, "radmin", Role::MainAdmin);
        app.signed_in("radmin")
            .await
            .get(&format!("/provider/orders?project={project}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        app.signed_in("radmin")
            .await
            .get(&format!("/provider/orders.csv?project={project}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn orders_export_as_csv() {
    each_backend(async |app| {
        let (_w, c, project, _l, token) = linked(&app).await;
        let a = app.signed_in("cadmin").await;
        a.post(&format!("/d/{token}"), &[])
            .await
            .assert_redirect(&format!("/d/{token}/done"));
        let (id, no): (i64, String) = orders::table
            .select((orders::id, orders::order_no))
            .first(&mut *app.conn())
            .expect("order");
        c.get("/provider/orders")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(&no)
            .assert_contains(&format!("/provider/orders/{id}"))
            .assert_contains("星河制造")
            .assert_contains("待发送");
        c.get(&format!("/provider/orders?project={project}&send=failed"))
            .await
            .assert_lacks(&no);
        c.get(&format!("/provider/projects/{project}"))
            .await
            .assert_contains(&no)
            .assert_contains("客户购买应用");
        let csv = c.get("/provider/orders.csv").await;
        csv.assert_status(StatusCode::OK);
        assert!(csv.body.starts_with('\u{feff}'), "UTF-8 BOM");
        assert!(
            csv.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/csv"))
        );
        let mut lines = csv.body.trim_start_matches('\u{feff}').lines();
        let header = lines.next().expect("header");
        assert!(header.starts_with("订单号,"), "{header}");
        let row = lines.next().expect("row");
        for part in [
            no.as_str(),
            "星河制造",
            "dingcustomer01",
            "设备巡检",
            "采购审批",
            "待发送",
        ] {
            assert!(row.contains(part), "{part} in {row}");
        }
        assert!(lines.next().is_none());
        // Another provider's export does not contain it.
        let rival = app.org("竞对服务商", "dingrival01", "exclusive");
        set_level(&app, rival, true, "advanced");
        app.person(rival, "rival", fenfa::auth::Role::MainAdmin);
        let r = app.signed_in("rival").await;
        r.get("/provider/orders.csv").await.assert_lacks(&no);
        r.get("/provider/orders").await.assert_lacks(&no);
    })
    .await;
}
