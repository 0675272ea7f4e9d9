//! The app centre opened to organisations (seed 002 step 4.1, 开放): who sees which
//! product, the listing ranked by grade and paged by keyset, search and categories, and
//! installing (授权) with its purchase, usage scope and uninstall.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::db::schema::{ac_installs, ac_orders, apps};

use crate::figures::figure;
use crate::support::appcentre::{
    Seller, at_stage, cocreator, editions, in_cohort, onboarded, open_product, org_id, set_paused,
    set_stage,
};
use crate::support::{TestApp, each_backend};

const NAME: &str = "设备巡检助手";

/// The live install of a product by an organisation: (phase, version, order, copy).
pub(crate) fn install_of(
    app: &TestApp,
    product: i64,
    org: i64,
) -> Option<(String, i32, Option<i64>, i64)> {
    ac_installs::table
        .filter(ac_installs::product_id.eq(product))
        .filter(ac_installs::org_id.eq(org))
        .filter(ac_installs::uninstalled_at.is_null())
        .select((
            ac_installs::phase,
            ac_installs::version,
            ac_installs::order_id,
            ac_installs::app_id,
        ))
        .first::<(String, i32, Option<i64>, Option<i64>)>(&mut *app.conn())
        .optional()
        .expect("install")
        .map(|(p, v, o, a)| (p, v, o, a.expect("copy")))
}

pub(crate) fn app_state(app: &TestApp, id: i64) -> String {
    apps::table
        .find(id)
        .select(apps::state)
        .first(&mut *app.conn())
        .expect("app")
}

/// The customer's admin installs the product's free edition; the copy's id.
pub(crate) async fn install_free(app: &TestApp, s: &Seller, product: i64) -> i64 {
    let (free, _) = editions(app, product);
    let cadmin = app.signed_in("cadmin").await;
    let r = cadmin
        .post(
            &format!("/app-centre/products/{product}/install"),
            &[("edition", &free.to_string())],
        )
        .await;
    r.assert_redirect("/apps/");
    let customer = org_id(app, "dingcustomer01");
    let _ = s;
    let (_, _, _, copy) = install_of(app, product, customer).expect("installed");
    assert_eq!(r.location(), format!("/apps/{copy}/scope"));
    copy
}

#[tokio::test]
async fn a_pre_listed_product_is_invisible_to_organisations_that_are_not_its_co_creators() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = at_stage(&app, &s, "prelisted").await;
        let cadmin = app.signed_in("cadmin").await;
        cadmin
            .get("/app-centre")
            .await
            .assert_status(StatusCode::OK)
            .assert_lacks(NAME);
        cadmin
            .get(&format!("/app-centre/products/{id}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // Invited to co-create: the organisation sees it; another still does not.
        cocreator(&app, id, org_id(&app, "dingcustomer01"));
        cadmin.get("/app-centre").await.assert_contains(NAME);
        cadmin
            .get(&format!("/app-centre/products/{id}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("isv.example.com");
        let oadmin = app.signed_in("oadmin").await;
        oadmin.get("/app-centre").await.assert_lacks(NAME);
        oadmin
            .get(&format!("/app-centre/products/{id}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn a_grey_product_is_seen_and_installed_only_by_its_cohort() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = at_stage(&app, &s, "grey").await;
        let customer = org_id(&app, "dingcustomer01");
        in_cohort(&app, id, customer);
        let oadmin = app.signed_in("oadmin").await;
        oadmin.get("/app-centre").await.assert_lacks(NAME);
        oadmin
            .get(&format!("/app-centre/products/{id}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let (free, _) = editions(&app, id);
        oadmin
            .post(
                &format!("/app-centre/products/{id}/install"),
                &[("edition", &free.to_string())],
            )
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let cadmin = app.signed_in("cadmin").await;
        cadmin.get("/app-centre").await.assert_contains(NAME);
        install_free(&app, &s, id).await;
        let (phase, version, order, _) = install_of(&app, id, customer).expect("install");
        assert_eq!((phase.as_str(), version, order), ("grey", 1, None));
    })
    .await;
}

#[tokio::test]
async fn a_paused_product_disappears_for_new_organisations_but_the_installed_copy_keeps_working() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = at_stage(&app, &s, "open").await;
        let copy = install_free(&app, &s, id).await;
        set_paused(&app, id, true);
        let oadmin = app.signed_in("oadmin").await;
        oadmin.get("/app-centre").await.assert_lacks(NAME);
        oadmin
            .get(&format!("/app-centre/products/{id}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let cadmin = app.signed_in("cadmin").await;
        cadmin
            .get(&format!("/a/{copy}"))
            .await
            .assert_status(StatusCode::OK);
        cadmin
            .get("/org/app-centre")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(NAME);
    })
    .await;
}

#[tokio::test]
async fn only_the_main_admin_or_a_platform_admin_installs() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = at_stage(&app, &s, "open").await;
        let (free, paid) = editions(&app, id);
        let cmember = app.signed_in("cmember").await;
        // A member browses and reads the product, without an install button.
        cmember
            .get(&format!("/app-centre/products/{id}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("只有组织的主管理员或平台管理员可以授权安装应用")
            .assert_lacks("/install\"");
        cmember
            .post(
                &format!("/app-centre/products/{id}/install"),
                &[("edition", &free.to_string())],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("只有组织的主管理员或平台管理员");
        cmember
            .get(&format!("/app-centre/products/{id}/install?edition={paid}"))
            .await
            .assert_status(StatusCode::FORBIDDEN);
        cmember
            .get("/org/app-centre")
            .await
            .assert_status(StatusCode::FORBIDDEN);
        let n: i64 = ac_installs::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 0);
    })
    .await;
}

#[tokio::test]
async fn a_free_edition_installs_at_once_copying_the_app_and_recording_phase_and_version() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = at_stage(&app, &s, "open").await;
        set_stage(&app, id, "open", 3);
        let copy = install_free(&app, &s, id).await;
        let customer = org_id(&app, "dingcustomer01");
        let (phase, version, order, _) = install_of(&app, id, customer).expect("install");
        assert_eq!((phase.as_str(), version, order), ("open", 3, None));
        let (org, name, source): (i64, String, Option<i64>) = apps::table
            .find(copy)
            .select((apps::org_id, apps::name, apps::source_app_id))
            .first(&mut *app.conn())
            .expect("copy");
        assert_eq!(
            (org, name.as_str(), source),
            (customer, "设备巡检", Some(s.w.app))
        );
        // No order for a free edition; a second install says it is installed.
        let orders: i64 = ac_orders::table
            .count()
            .get_result(&mut *app.conn())
            .expect("orders");
        assert_eq!(orders, 0);
        let (free, _) = editions(&app, id);
        let cadmin = app.signed_in("cadmin").await;
        cadmin
            .post(
                &format!("/app-centre/products/{id}/install"),
                &[("edition", &free.to_string())],
            )
            .await
            .assert_redirect(&format!("/app-centre/products/{id}"));
        cadmin
            .get(&format!("/app-centre/products/{id}"))
            .await
            .assert_contains("本组织已安装此应用");
        let n: i64 = apps::table
            .filter(apps::org_id.eq(customer))
            .count()
            .get_result(&mut *app.conn())
            .expect("apps");
        assert_eq!(n, 1);
    })
    .await;
}

#[tokio::test]
async fn the_edition_entitlement_check_refuses_an_app_the_organisation_cannot_run() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = at_stage(&app, &s, "open").await;
        let customer = org_id(&app, "dingcustomer01");
        {
            use fenfa::apps::app::PageKind;
            use fenfa::apps::store;
            let mut conn = app.conn();
            let scope = crate::support::apps::scope(s.w.provider, s.w.padmin);
            let a = store::find_app(&mut conn, &scope, s.w.app).expect("app");
            store::add_page(&mut conn, &a, PageKind::Process, "报修审批", "").expect("page");
            diesel::update(fenfa::db::schema::orgs::table.find(customer))
                .set(fenfa::db::schema::orgs::edition.eq("free"))
                .execute(&mut *conn)
                .expect("edition");
        }
        let cadmin = app.signed_in("cadmin").await;
        cadmin
            .get(&format!("/app-centre/products/{id}"))
            .await
            .assert_contains("本组织的版本不支持该应用使用的功能");
        let (free, _) = editions(&app, id);
        cadmin
            .post(
                &format!("/app-centre/products/{id}/install"),
                &[("edition", &free.to_string())],
            )
            .await
            .assert_status(StatusCode::CONFLICT);
        assert!(install_of(&app, id, customer).is_none());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_paid_edition_makes_exactly_one_order_under_64_concurrent_clicks_and_the_provider_sees_it()
 {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = at_stage(&app, &s, "open").await;
        let (_, paid) = editions(&app, id);
        let cadmin = app.signed_in("cadmin").await;
        // Without the confirmation, the purchase page comes first.
        let path = format!("/app-centre/products/{id}/install");
        cadmin
            .post(&path, &[("edition", &paid.to_string())])
            .await
            .assert_redirect(&format!("{path}?edition={paid}"));
        cadmin
            .get(&format!("{path}?edition={paid}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("确认购买")
            .assert_contains("1999");
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..64 {
            let (c, p, e) = (cadmin.clone(), path.clone(), paid.to_string());
            tasks.spawn(async move { c.post(&p, &[("edition", &e), ("confirm", "yes")]).await });
        }
        let mut server_errors = 0;
        while let Some(r) = tasks.join_next().await {
            if r.expect("task").status.is_server_error() {
                server_errors += 1;
            }
        }
        let orders: Vec<(String, i32, i64)> = ac_orders::table
            .select((ac_orders::order_no, ac_orders::round, ac_orders::price_fen))
            .load(&mut *app.conn())
            .expect("orders");
        let installs: i64 = ac_installs::table
            .count()
            .get_result(&mut *app.conn())
            .expect("installs");
        figure(
            &format!("64 concurrent app-centre purchases ({})", app.backend),
            format!(
                "{} order(s), {installs} install(s), {server_errors} 5xx (goal 1 / 1 / 0)",
                orders.len()
            ),
        );
        assert_eq!((orders.len(), installs, server_errors), (1, 1, 0));
        let (no, round, price) = &orders[0];
        assert_eq!((*round, *price), (0, 199_900));
        assert!(no.starts_with("AC") && no.len() == 16, "{no}");
        let customer = org_id(&app, "dingcustomer01");
        let (_, _, order, _) = install_of(&app, id, customer).expect("install");
        assert!(order.is_some());
        s.padmin
            .get("/provider/app-centre/orders")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(no)
            .assert_contains("星河制造")
            .assert_contains(NAME);
        // The order centre links to them.
        s.padmin
            .get("/provider/orders")
            .await
            .assert_contains("/provider/app-centre/orders");
        // Another provider does not see them.
        app.signed_in("oadmin")
            .await
            .get("/provider/app-centre/orders")
            .await
            .assert_lacks(no);
    })
    .await;
}

#[tokio::test]
async fn the_listing_ranks_by_grade_then_newest_and_pages_by_keyset() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        // 21 open products: qualities cycling 70..=99 so grades A, B and C all occur.
        let mut made: Vec<(i32, i64, String)> = vec![];
        for i in 0..21 {
            let q = 70 + (i * 7) % 30;
            let name = format!("应用{i:02}");
            let id = open_product(&app, &s, &name, "一个用于测试排序的应用。", "office", q);
            made.push((q, id, name));
        }
        made.sort_by_key(|m| std::cmp::Reverse((m.0, m.1)));
        let cmember = app.signed_in("cmember").await;
        let first = cmember.get("/app-centre").await;
        first.assert_status(StatusCode::OK);
        let pos = |body: &str, name: &str| body.find(&format!(">{name}<"));
        let shown: Vec<&str> = made
            .iter()
            .filter(|m| pos(&first.body, &m.2).is_some())
            .map(|m| m.2.as_str())
            .collect();
        assert_eq!(shown.len(), 20, "20 a page");
        let mut last = 0;
        for m in &made[..20] {
            let p = pos(&first.body, &m.2).expect("on the first page");
            assert!(p > last, "{} out of grade order", m.2);
            last = p;
        }
        let (q, _, ref tail) = made[20];
        let after = format!("after={}.{}", made[19].0, made[19].1);
        assert!(
            first.body.contains(&after),
            "the next link continues after the 20th"
        );
        let second = cmember.get(&format!("/app-centre?q=&{after}")).await;
        assert!(pos(&second.body, tail).is_some());
        for m in &made[..20] {
            assert!(pos(&second.body, &m.2).is_none(), "{} twice", m.2);
        }
        assert!(!second.body.contains("rel=\"next\""), "no third page");
        // "Previous" goes back before the second page's first card: the first page again.
        let before = format!("before={q}.{}", made[20].1);
        assert!(second.body.contains(&before), "the previous link");
        let back = cmember.get(&format!("/app-centre?q=&{before}")).await;
        for m in &made[..20] {
            assert!(
                pos(&back.body, &m.2).is_some(),
                "{} back on the first page",
                m.2
            );
        }
        assert!(
            !back.body.contains("rel=\"prev\""),
            "the first page has no previous"
        );
        // A's badge for the best, C's for the worst.
        assert!(first.body.contains("等级 A"));
        let grade = if q >= 90 {
            "A"
        } else if q >= 80 {
            "B"
        } else {
            "C"
        };
        assert!(second.body.contains(&format!("等级 {grade}")));
    })
    .await;
}

#[tokio::test]
async fn search_matches_name_or_description_in_any_case_and_tabs_filter_by_category() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        open_product(&app, &s, "CRM 客户助手", "客户跟进与商机管理。", "crm", 95);
        open_product(
            &app,
            &s,
            "请假审批",
            "人事请假流程，含 Leave 报表。",
            "hr",
            85,
        );
        open_product(&app, &s, "费用报销", "财务报销与预算控制。", "finance", 80);
        let c = app.signed_in("cmember").await;
        let r = c.get("/app-centre?q=crm").await;
        r.assert_contains("CRM 客户助手")
            .assert_lacks("请假审批")
            .assert_lacks("费用报销");
        // The description, in another case.
        c.get("/app-centre?q=LEAVE")
            .await
            .assert_contains("请假审批")
            .assert_lacks("CRM 客户助手");
        // Wildcards are literal.
        c.get("/app-centre?q=%25").await.assert_lacks("费用报销");
        let r = c.get("/app-centre?category=finance").await;
        r.assert_contains("费用报销")
            .assert_lacks("CRM 客户助手")
            .assert_contains("aria-current=\"page\">财务管理");
        c.get("/app-centre?category=finance&q=crm")
            .await
            .assert_contains("没有符合条件的应用");
        c.get("/app-centre?category=games")
            .await
            .assert_contains("CRM 客户助手")
            .assert_contains("费用报销");
    })
    .await;
}

#[tokio::test]
async fn after_install_a_member_outside_the_usage_scope_neither_sees_nor_opens_the_app() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = at_stage(&app, &s, "open").await;
        let copy = install_free(&app, &s, id).await;
        let cadmin = app.signed_in("cadmin").await;
        cadmin
            .get(&format!("/apps/{copy}/scope"))
            .await
            .assert_status(StatusCode::OK);
        let cmember = app.signed_in("cmember").await;
        cmember.get("/workbench").await.assert_lacks("设备巡检");
        cmember
            .get(&format!("/a/{copy}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // In scope once the admin chooses the whole organisation.
        cadmin
            .post_ok(&format!("/apps/{copy}/scope"), &[("scope_kind", "all")])
            .await;
        cmember.get("/workbench").await.assert_contains("设备巡检");
        cmember
            .get(&format!("/a/{copy}"))
            .await
            .assert_status(StatusCode::OK);
    })
    .await;
}
