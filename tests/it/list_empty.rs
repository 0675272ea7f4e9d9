//! An empty list says what to do next, with its action when the viewer can act (issue 18,
//! item 3), for each list page by the role that sees it.

use fenfa::auth::Role;

use crate::list_pages::pager;
use crate::support::distribution::world;
use crate::support::interconnect::upstream;
use crate::support::{Client, each_backend};

/// Each list, empty, says what to do next and offers its action.
async fn says(c: &Client, path: &str, sentence: &str, action: Option<&str>) {
    let r = c.get(path).await;
    r.assert_status(axum::http::StatusCode::OK);
    let doc = scraper::Html::parse_document(&r.body);
    let sel = scraper::Selector::parse(".empty-state").expect("sel");
    let empty: Vec<String> = doc.select(&sel).map(|e| e.html()).collect::<Vec<_>>();
    assert!(
        empty.iter().any(|e| e.contains(sentence)),
        "{path}: expected the empty state {sentence:?}, got {empty:?}"
    );
    if let Some(href) = action {
        assert!(
            empty
                .iter()
                .any(|e| e.contains(&format!("href=\"{href}\""))),
            "{path}: expected the action {href} in {empty:?}"
        );
    }
    assert_eq!(pager(&r), (None, None), "{path}: no pager on an empty list");
}

#[tokio::test]
async fn a_providers_empty_lists_say_what_to_do_next() {
    each_backend(async |app| {
        world(&app);
        let c = app.signed_in("padmin").await;
        says(
            &c,
            "/provider/projects",
            "还没有项目",
            Some("/provider/projects/new"),
        )
        .await;
        says(
            &c,
            "/provider/projects?status=closed",
            "没有符合条件的项目",
            Some("/provider/projects"),
        )
        .await;
        says(
            &c,
            "/provider/orders",
            "还没有订单",
            Some("/provider/projects"),
        )
        .await;
        says(
            &c,
            "/provider/custom-dev",
            "还没有模版",
            Some("/provider/custom-dev/new"),
        )
        .await;
        says(&c, "/provider/custom-dev/golive", "还没有上线审核单", None).await;
        says(&c, "/maintenance", "你还没有维护授权", None).await;
        says(&c, "/notifications", "暂无通知", None).await;
    })
    .await;
}

#[tokio::test]
async fn a_customers_empty_lists_say_what_to_do_next() {
    each_backend(async |app| {
        world(&app);
        let admin = app.signed_in("cadmin").await;
        says(&admin, "/apps", "还没有应用", Some("/apps/new")).await;
        says(&admin, "/my-apps", "打开服务商发来的分发链接", None).await;
        says(&admin, "/org/custom-apps", "还没有代开发应用", None).await;
        says(&admin, "/maintenance/audit", "暂无审计记录", None).await;
        says(
            &admin,
            "/maintenance",
            "还没有服务商申请维护你们的应用",
            None,
        )
        .await;
        let member = app.signed_in("cmember").await;
        says(&member, "/workbench", "还没有你可用的应用", None).await;
        says(
            &member,
            "/submissions",
            "还没有提交过表单",
            Some("/workbench"),
        )
        .await;
        says(&member, "/approvals", "没有待你审批的事项", None).await;
    })
    .await;
}

#[tokio::test]
async fn an_empty_department_offers_to_add_a_member() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "boss", Role::MainAdmin);
        let empty = app.department(org, None, "Empty");
        let c = app.signed_in("boss").await;
        says(
            &c,
            &format!("/org/members?department={empty}"),
            "这个部门还没有成员",
            Some("/org/members/new"),
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn the_operators_empty_lists_say_what_to_do_next() {
    each_backend(async |app| {
        app.operator("op");
        let bare = app.org("空组织", "dingempty01", "free");
        let c = app.signed_in("op").await;
        says(
            &c,
            "/operator/orgs?q=nothing",
            "没有符合条件的记录",
            Some("/operator/orgs"),
        )
        .await;
        says(
            &c,
            "/operator/users?q=nothing",
            "没有符合条件的记录",
            Some("/operator/users"),
        )
        .await;
        says(
            &c,
            &format!("/operator/orgs/{bare}"),
            "这个组织还没有成员",
            None,
        )
        .await;
        says(&c, "/operator/seat-orders", "还没有组织购买名额", None).await;
        says(&c, "/operator/reviews", "没有待审核的项目", None).await;
        says(&c, "/operator/reviews/done", "还没有审核过的项目", None).await;
        says(&c, "/operator/custom-dev", "没有待审核的上线申请", None).await;
    })
    .await;
}

#[tokio::test]
async fn an_upstream_admins_empty_lists_say_what_to_do_next() {
    each_backend(async |app| {
        let pool = upstream(&app, Some(100));
        let space = app.joined_space(pool.up, pool.admin, &[]);
        let c = app.signed_in("upadmin").await;
        says(
            &c,
            "/interconnect/licences",
            "还没有名额订单",
            Some("/interconnect/licences/purchase"),
        )
        .await;
        says(&c, "/interconnect/departures", "没有离开组织的对接人", None).await;
        says(
            &c,
            &format!("/interconnect/spaces/{space}/orgs?status=pending"),
            "没有符合条件的记录",
            Some(&format!("/interconnect/spaces/{space}/orgs")),
        )
        .await;
        says(
            &c,
            &format!("/interconnect/spaces/{space}/collab"),
            "你还没有加入本空间的合作群",
            None,
        )
        .await;
    })
    .await;
}
