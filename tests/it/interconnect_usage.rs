//! The licence pool's chart of seats used over the last 30 days, one line per member
//! organisation: it follows every grant and release, carries a day's figure forward over
//! quiet days, escapes organisation names, and is shown only to the pool's managers.

use axum::http::StatusCode;
use fenfa::auth::Role;

use crate::support::interconnect::{many, post_ids, seat_ids, upstream, usage_moved_back};
use crate::support::{TestApp, each_backend};

/// The figure of `org` on the chart's `i`-th day (29 = today).
fn cell(org: i64, i: usize, n: i64) -> String {
    format!(r#"id="usage-{org}-{i}">{n}<"#)
}

#[tokio::test]
async fn the_licence_chart_follows_grants_and_releases_day_by_day() {
    each_backend(async |app: TestApp| {
        let p = upstream(&app, Some(20));
        let down = app.org("下游伙伴", "dingdownstream01", "professional");
        let evil = app.org("伙伴<script>x</script>", "dingdownstream02", "professional");
        let partners = many(&app, down, "partner", 5);
        let others = many(&app, evil, "other", 2);
        app.joined_space(p.up, p.admin, &[(down, "all", &[]), (evil, "all", &[])]);
        let a = app.signed_in("upadmin").await;
        a.get("/interconnect/licences")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("近 30 天没有下游组织使用席位");

        // Five days ago: three seats to 下游伙伴.
        post_ids(
            &a,
            &format!("/interconnect/licences/orgs/{down}/grant"),
            "user_id",
            &partners[..3],
        )
        .await
        .assert_redirect(&format!("/interconnect/licences/orgs/{down}"));
        usage_moved_back(&app, p.up, 5);
        // Today: one of them released, and a seat to the other organisation.
        let first = seat_ids(&app, p.up, down)[0];
        post_ids(
            &a,
            &format!("/interconnect/licences/orgs/{down}/release"),
            "seat_id",
            &[first],
        )
        .await
        .assert_redirect(&format!("/interconnect/licences/orgs/{down}"));
        post_ids(
            &a,
            &format!("/interconnect/licences/orgs/{evil}/grant"),
            "user_id",
            &others[..1],
        )
        .await
        .assert_redirect(&format!("/interconnect/licences/orgs/{evil}"));

        let page = a.get("/interconnect/licences").await;
        page.assert_status(StatusCode::OK)
            .assert_contains(r#"role="img""#)
            .assert_contains("近 30 天各下游组织已用席位，今天：下游伙伴 2 个，伙伴&lt;script&gt;x&lt;/script&gt; 1 个")
            .assert_lacks("<script>x</script>")
            // Nothing before the grant, three from its day on, carried over the quiet
            // days, two after today's release.
            .assert_contains(&cell(down, 23, 0))
            .assert_contains(&cell(down, 24, 3))
            .assert_contains(&cell(down, 28, 3))
            .assert_contains(&cell(down, 29, 2))
            .assert_contains(&cell(evil, 28, 0))
            .assert_contains(&cell(evil, 29, 1));

        // A month later the grant day has left the window, and its figure opens it.
        usage_moved_back(&app, p.up, 40);
        a.get("/interconnect/licences")
            .await
            .assert_contains(&cell(down, 0, 2))
            .assert_contains(&cell(down, 29, 2))
            .assert_contains("下游伙伴 2 个");
    })
    .await;
}

#[tokio::test]
async fn only_the_pools_managers_see_its_chart_and_a_member_organisation_sees_its_own_pool() {
    each_backend(async |app: TestApp| {
        let p = upstream(&app, Some(20));
        app.person(p.up, "upmember", Role::Member);
        let down = app.org("下游伙伴", "dingdownstream01", "professional");
        let partners = many(&app, down, "partner", 2);
        app.person(down, "downadmin", Role::MainAdmin);
        app.joined_space(p.up, p.admin, &[(down, "all", &[])]);
        let a = app.signed_in("upadmin").await;
        post_ids(
            &a,
            &format!("/interconnect/licences/orgs/{down}/grant"),
            "user_id",
            &partners,
        )
        .await
        .assert_redirect(&format!("/interconnect/licences/orgs/{down}"));
        a.get("/interconnect/licences")
            .await
            .assert_contains("usage-chart");
        // A member of the pool owner is refused the page, chart and all.
        let r = app
            .signed_in("upmember")
            .await
            .get("/interconnect/licences")
            .await;
        assert_ne!(r.status, StatusCode::OK);
        r.assert_lacks("usage-chart").assert_lacks("下游伙伴 2 个");
        // The member organisation's own admin sees only their own (empty) pool.
        app.signed_in("downadmin")
            .await
            .get("/interconnect/licences")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("近 30 天没有下游组织使用席位")
            .assert_lacks("下游伙伴 2 个");
    })
    .await;
}

#[tokio::test]
async fn automatic_grants_and_releases_reach_the_licence_chart_too() {
    each_backend(async |app: TestApp| {
        let p = upstream(&app, Some(20));
        let down = app.org("下游伙伴", "dingdownstream01", "professional");
        let sales = app.department(down, None, "销售部");
        let people = many(&app, down, "partner", 3);
        for u in &people[..2] {
            app.place(down, *u, Some(sales));
        }
        app.joined_space(p.up, p.admin, &[(down, "all", &[])]);
        let a = app.signed_in("upadmin").await;
        // Choosing the department grants its two people a seat automatically.
        a.post(
            &format!("/interconnect/licences/orgs/{down}/auto"),
            &[("department_id", &sales.to_string())],
        )
        .await
        .assert_redirect("/interconnect/licences/orgs/");
        a.get("/interconnect/licences")
            .await
            .assert_contains(&cell(down, 29, 2));
        usage_moved_back(&app, p.up, 1);
        // Choosing none the next day releases those automatic seats.
        a.post(&format!("/interconnect/licences/orgs/{down}/auto"), &[])
            .await
            .assert_redirect("/interconnect/licences/orgs/");
        a.get("/interconnect/licences")
            .await
            .assert_contains(&cell(down, 28, 2))
            .assert_contains(&cell(down, 29, 0))
            .assert_contains("下游伙伴 0 个");
    })
    .await;
}
