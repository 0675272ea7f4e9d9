//! An app's usage scope (使用范围): the whole organisation by default, or chosen
//! departments (with their sub-departments) or chosen people. Outside it, a member finds
//! no tile on the workbench and the app's pages answer as a missing app does; the scope
//! follows the directory at once.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::memberships;

use crate::support::{Client, TestApp, each_backend};

struct Org {
    org: i64,
    sales: i64,
    east: i64,
    finance: i64,
    app: i64,
}

/// An organisation with 销售部 (and its sub-department 华东组) and 财务部, a member in each,
/// and one app "客户管理" made by the admin.
async fn org_with_an_app(app: &TestApp) -> (Org, Client) {
    let org = app.org("星河制造", "dingxinghe", "professional");
    app.person(org, "admin", Role::MainAdmin);
    let sales = app.department(org, None, "销售部");
    let east = app.department(org, Some(sales), "华东组");
    let finance = app.department(org, None, "财务部");
    for (login, dept) in [("seller", sales), ("eastern", east), ("clerk", finance)] {
        let u = app.person(org, login, Role::Member);
        app.place(org, u, Some(dept));
    }
    let admin = app.signed_in("admin").await;
    let r = admin
        .post(
            "/apps/new",
            &[
                ("name", "客户管理"),
                ("icon", "clipboard-list"),
                ("color", "blue"),
                ("description", ""),
            ],
        )
        .await;
    r.assert_redirect("/apps/");
    let id = r
        .location()
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("app id");
    (
        Org {
            org,
            sales,
            east,
            finance,
            app: id,
        },
        admin,
    )
}

async fn sees(app: &TestApp, login: &str, app_id: i64) -> bool {
    let c = app.signed_in(login).await;
    let tile = c
        .get("/workbench")
        .await
        .body
        .contains(&format!("href=\"/a/{app_id}\""));
    let page = c.get(&format!("/a/{app_id}")).await.status;
    assert_eq!(
        tile,
        page == StatusCode::OK,
        "{login}: the workbench and the app page disagree"
    );
    if !tile {
        assert_eq!(
            page,
            StatusCode::NOT_FOUND,
            "{login}: outside looks missing"
        );
    }
    tile
}

#[tokio::test]
async fn every_app_is_for_the_whole_organisation_until_an_admin_narrows_it() {
    each_backend(async |app| {
        let (o, admin) = org_with_an_app(&app).await;
        for login in ["seller", "eastern", "clerk"] {
            assert!(sees(&app, login, o.app).await, "{login}");
        }
        admin
            .get(&format!("/apps/{}/scope", o.app))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("使用范围")
            .assert_contains("整个组织");
    })
    .await;
}

#[tokio::test]
async fn an_app_for_a_department_reaches_its_sub_departments_and_nobody_else() {
    each_backend(async |app| {
        let (o, admin) = org_with_an_app(&app).await;
        admin
            .post(
                &format!("/apps/{}/scope", o.app),
                &[
                    ("scope_kind", "departments"),
                    ("department", &o.sales.to_string()),
                ],
            )
            .await
            .assert_redirect(&format!("/apps/{}", o.app));
        assert!(sees(&app, "seller", o.app).await);
        assert!(sees(&app, "eastern", o.app).await, "华东组 is under 销售部");
        assert!(!sees(&app, "clerk", o.app).await);
        // The admin manages the app whoever it is for.
        admin
            .get(&format!("/a/{}", o.app))
            .await
            .assert_status(StatusCode::OK);
        let _ = (o.east, o.org);
    })
    .await;
}

#[tokio::test]
async fn someone_who_moves_out_of_the_chosen_department_loses_the_app_at_once() {
    each_backend(async |app| {
        let (o, admin) = org_with_an_app(&app).await;
        admin
            .post(
                &format!("/apps/{}/scope", o.app),
                &[
                    ("scope_kind", "departments"),
                    ("department", &o.sales.to_string()),
                ],
            )
            .await
            .assert_redirect(&format!("/apps/{}", o.app));
        assert!(sees(&app, "seller", o.app).await);
        let membership: i64 = memberships::table
            .inner_join(fenfa::db::schema::users::table)
            .filter(fenfa::db::schema::users::login.eq("seller"))
            .select(memberships::id)
            .first(&mut *app.conn())
            .expect("membership");
        admin
            .post(
                &format!("/org/members/{membership}/department"),
                &[("department_id", &o.finance.to_string())],
            )
            .await;
        assert!(!sees(&app, "seller", o.app).await);
        assert!(!sees(&app, "clerk", o.app).await);
    })
    .await;
}

#[tokio::test]
async fn an_app_for_chosen_people_reaches_only_them() {
    each_backend(async |app| {
        let (o, admin) = org_with_an_app(&app).await;
        let clerk: i64 = fenfa::db::schema::users::table
            .filter(fenfa::db::schema::users::login.eq("clerk"))
            .select(fenfa::db::schema::users::id)
            .first(&mut *app.conn())
            .expect("clerk");
        admin
            .post(
                &format!("/apps/{}/scope", o.app),
                &[("scope_kind", "people"), ("person", &clerk.to_string())],
            )
            .await
            .assert_redirect(&format!("/apps/{}", o.app));
        assert!(sees(&app, "clerk", o.app).await);
        assert!(!sees(&app, "seller", o.app).await);
    })
    .await;
}

#[tokio::test]
async fn an_empty_or_foreign_choice_is_refused_beside_the_picker_and_keeps_what_was_typed() {
    each_backend(async |app| {
        let (o, admin) = org_with_an_app(&app).await;
        admin
            .post(
                &format!("/apps/{}/scope", o.app),
                &[("scope_kind", "departments")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("请至少选择一个部门或人员");
        let other = app.org("别家公司", "dingother", "professional");
        let theirs = app.department(other, None, "别家的部门");
        admin
            .post(
                &format!("/apps/{}/scope", o.app),
                &[
                    ("scope_kind", "departments"),
                    ("department", &o.finance.to_string()),
                    ("department", &theirs.to_string()),
                ],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("只能选择本组织的部门和人员")
            .assert_contains(&format!("value=\"{}\" checked", o.finance));
        // Nothing changed: still the whole organisation.
        assert!(sees(&app, "seller", o.app).await);
    })
    .await;
}

#[tokio::test]
async fn only_an_organisation_admin_sets_who_may_use_an_app() {
    each_backend(async |app| {
        let (o, _admin) = org_with_an_app(&app).await;
        let seller = app.signed_in("seller").await;
        seller
            .get(&format!("/apps/{}/scope", o.app))
            .await
            .assert_status(StatusCode::FORBIDDEN);
        seller
            .post(
                &format!("/apps/{}/scope", o.app),
                &[("scope_kind", "people")],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);
        let other = app.org("别家公司", "dingother", "professional");
        app.person(other, "stranger", Role::MainAdmin);
        app.signed_in("stranger")
            .await
            .get(&format!("/apps/{}/scope", o.app))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}
