//! The customer's quick deploy as one person walks it (issue 20): the funnel counts the
//! person who opened the link as the same visitor at every later step, and 立即授权 tells
//! the team which features its edition lacks (功能权益, as a provider's send does).

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::db::now;
use fenfa::db::schema::{ac_products, orgs, pages, qd_funnel};

use crate::support::each_backend;
use crate::support::quickdeploy_deploy::{Opts, deployment, link, one_person_team};

#[tokio::test]
async fn one_person_is_one_visitor_in_the_funnel_from_opening_the_link_to_starting() {
    each_backend(async |app| {
        let l = link(&app, Opts::default()).await;
        let c = app.client();
        c.get(&l.path("")).await.assert_status(StatusCode::OK);
        let cookie = c.cookie("fenfa_qd_visitor").expect("the funnel id");
        c.post(
            &l.path("register"),
            &[
                ("name", "赵老板"),
                ("login", "zhaolaoban"),
                ("password", "secret-pass-1"),
                ("password_confirm", "secret-pass-1"),
            ],
        )
        .await
        .assert_redirect(&l.path("team"));
        c.get(&l.path("team")).await.assert_status(StatusCode::OK);
        c.post(&l.path("team"), &[("kind", "one"), ("name", "赵记五金")])
            .await
            .assert_redirect(&l.path("authorise"));
        // Signed in now, opening the guide again is the same visitor.
        c.get(&l.path("")).await;
        c.post(&l.path("authorise"), &[]).await;
        c.post(&l.path("scope"), &[("scope_kind", "all")]).await;
        c.post(&l.path("start"), &[])
            .await
            .assert_redirect("/workbench");
        let counted: Vec<(String, String)> = qd_funnel::table
            .filter(qd_funnel::application_id.eq(l.id))
            .select((qd_funnel::step, qd_funnel::visitor))
            .load(&mut *app.conn())
            .expect("funnel");
        let mut steps: Vec<&str> = counted.iter().map(|(s, _)| s.as_str()).collect();
        steps.sort_unstable();
        assert_eq!(
            steps,
            ["authorised", "opened", "signed_in", "started", "team"],
            "each step once"
        );
        assert!(
            counted.iter().all(|(_, v)| *v == cookie),
            "one visitor throughout: {counted:?}"
        );
        // The provider's funnel reads one person at every step.
        let padmin = app.signed_in("padmin").await;
        padmin
            .get(&format!(
                "/provider/quick-deploy/applications/{}/funnel",
                l.id
            ))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("<td>1</td>")
            .assert_lacks("<td>2</td>");
    })
    .await;
}

#[tokio::test]
async fn authorising_tells_the_team_which_features_its_edition_lacks_before_it_copies_the_app() {
    each_backend(async |app| {
        let l = link(&app, Opts::default()).await;
        let c = one_person_team(&app, &l, "zhaolaoban").await;
        // Nothing lacking: no warning.
        c.get(&l.path("authorise"))
            .await
            .assert_status(StatusCode::OK)
            .assert_lacks("不含该应用使用的以下功能");
        // The product's app gets a report page: the professional edition's feature.
        let (source, provider): (i64, i64) = ac_products::table
            .find(l.product)
            .select((ac_products::app_id, ac_products::provider_org_id))
            .first(&mut *app.conn())
            .expect("product");
        diesel::insert_into(pages::table)
            .values((
                pages::org_id.eq(provider),
                pages::app_id.eq(source),
                pages::kind.eq("report"),
                pages::name.eq("巡检报表"),
                pages::position.eq(99),
                pages::body.eq(""),
                pages::report_agg.eq("count"),
                pages::created_at.eq(now()),
            ))
            .execute(&mut *app.conn())
            .expect("report page");
        // A new team is on the free edition: told before authorising, as a send tells it.
        c.get(&l.path("authorise"))
            .await
            .assert_contains("团队当前的版本（免费版）不含该应用使用的以下功能：")
            .assert_contains("报表")
            .assert_contains(&format!("action=\"{}\"", l.path("authorise")));
        let (_, org, _) = deployment(&app, &l, "赵记五金");
        // Upgraded, nothing is lacking any more.
        diesel::update(orgs::table.find(org))
            .set(orgs::edition.eq("professional"))
            .execute(&mut *app.conn())
            .expect("edition");
        c.get(&l.path("authorise"))
            .await
            .assert_lacks("不含该应用使用的以下功能");
    })
    .await;
}
