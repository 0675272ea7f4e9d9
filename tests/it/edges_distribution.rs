//! Distribution links opened by the wrong organisation (seed 000 FAQ): the refusal says
//! what the seed says, 「当前组织无法购买，请联系服务商」, with the provider's name, and
//! nothing about the project, its customer or its apps.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::db::schema::distribution_links;

use crate::support::distribution::{approved_project, world};
use crate::support::{Resp, TestApp, each_backend};

/// A link of the provider's approved project (customer 星河制造, CorpID dingcustomer01)
/// for two apps; returns its token.
async fn link_token(app: &TestApp) -> String {
    let w = world(app);
    let c = app.signed_in("padmin").await;
    let project = approved_project(app, &c).await;
    let (pid, a1, a2) = (project.to_string(), w.app.to_string(), w.app2.to_string());
    let r = c
        .post(
            "/provider/links",
            &[
                ("project_id", pid.as_str()),
                ("app_id", a1.as_str()),
                ("app_id", a2.as_str()),
            ],
        )
        .await;
    r.assert_redirect("/provider/links/");
    distribution_links::table
        .order(distribution_links::id.desc())
        .select(distribution_links::token)
        .first(&mut *app.conn())
        .expect("token")
}

/// The page tells nothing of whom the provider sells what.
#[track_caller]
fn reveals_nothing_of_the_project(r: &Resp) {
    r.assert_contains("当前组织无法购买，请联系服务商")
        .assert_contains("云帆服务商")
        .assert_lacks("dingcustomer01")
        .assert_lacks("星河设备项目")
        .assert_lacks("星河制造")
        .assert_lacks("设备巡检")
        .assert_lacks("采购审批");
}

#[tokio::test]
async fn another_organisations_admin_learns_only_the_provider_and_the_seed_message() {
    each_backend(async |app| {
        let token = link_token(&app).await;
        let other = app.signed_in("oadmin").await;
        let page = other.get(&format!("/d/{token}")).await;
        page.assert_status(StatusCode::OK);
        reveals_nothing_of_the_project(&page);
        let refused = other.post(&format!("/d/{token}"), &[]).await;
        refused.assert_status(StatusCode::FORBIDDEN);
        reveals_nothing_of_the_project(&refused);
        // A user outside any organisation learns no more.
        app.user("drifter", "路人");
        let drifter = app.signed_in("drifter").await;
        let page = drifter.get(&format!("/d/{token}")).await;
        page.assert_contains("云帆服务商")
            .assert_lacks("dingcustomer01")
            .assert_lacks("星河设备项目")
            .assert_lacks("设备巡检");
        // The customer the project names still sees what it buys.
        app.signed_in("cadmin")
            .await
            .get(&format!("/d/{token}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("星河设备项目")
            .assert_contains("设备巡检")
            .assert_contains("采购审批");
    })
    .await;
}
