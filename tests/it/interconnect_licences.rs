//! The licence pool (seed 004, "licence统一管理"): the seed's worked example, the pool and
//! three-organisation limits, grants under concurrency, automatic grant and release,
//! the 80 % alert, the true-up report and tenancy.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{memberships, notifications, seats, space_orgs, users};

use crate::support::interconnect::{many, post_ids, upstream};
use crate::support::{TestApp, each_backend};

fn seat_count(app: &TestApp, pool: i64, org: Option<i64>) -> i64 {
    let mut q = seats::table
        .filter(seats::pool_org_id.eq(pool))
        .into_boxed();
    if let Some(o) = org {
        q = q.filter(seats::org_id.eq(o));
    }
    q.count().get_result(&mut *app.conn()).expect("seats")
}

fn holds_seat(app: &TestApp, pool: i64, user: i64) -> bool {
    seats::table
        .filter(seats::pool_org_id.eq(pool))
        .filter(seats::user_id.eq(user))
        .count()
        .get_result::<i64>(&mut *app.conn())
        .expect("seat")
        > 0
}

fn alerts(app: &TestApp, user: i64) -> Vec<String> {
    notifications::table
        .filter(notifications::user_id.eq(user))
        .filter(notifications::title.eq("interconnect.notify.seat_alert"))
        .order(notifications::id.asc())
        .select(notifications::body)
        .load(&mut *app.conn())
        .expect("alerts")
}

#[tokio::test]
async fn the_seeds_worked_example_3000_bought_2000_used_in_the_main_org_and_200_granted_downstream_leaves_800()
 {
    each_backend(async |app| {
        // The exclusive edition brings 3000 seats when the operator set no figure.
        let p = upstream(&app, None);
        many(&app, p.up, "main", 1999);
        let down = app.org("下游伙伴", "dingdownstream01", "professional");
        let partners = many(&app, down, "partner", 250);
        app.joined_space(p.up, p.admin, &[(down, "all", &[])]);
        let a = app.signed_in("upadmin").await;
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
            .assert_contains(&format!(r#"id="seats-org-{down}">200<"#))
            .assert_contains(r#"id="seats-downstream">200<"#)
            .assert_contains(r#"id="seats-used">2200<"#)
            .assert_contains(r#"id="seats-remaining"><strong>800<"#)
            .assert_contains("73%");
        assert_eq!(seat_count(&app, p.up, Some(down)), 200);
    })
    .await;
}

#[tokio::test]
async fn granting_past_the_pool_is_refused_for_the_whole_batch() {
    each_backend(async |app| {
        // 4 bought, the main admin uses one: three remain.
        let p = upstream(&app, Some(4));
        let down = app.org("下游伙伴", "dingdownstream01", "professional");
        let people = many(&app, down, "partner", 5);
        app.joined_space(p.up, p.admin, &[(down, "all", &[])]);
        let a = app.signed_in("upadmin").await;
        let path = format!("/interconnect/licences/orgs/{down}/grant");
        post_ids(&a, &path, "user_id", &people[..4])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("账户数（Licence）已用完");
        assert_eq!(seat_count(&app, p.up, None), 0, "all or nothing");
        post_ids(&a, &path, "user_id", &people[..3])
            .await
            .assert_redirect("/interconnect/licences/orgs/");
        post_ids(&a, &path, "user_id", &people[4..5])
            .await
            .assert_status(StatusCode::CONFLICT);
        assert_eq!(seat_count(&app, p.up, None), 3);
    })
    .await;
}

#[tokio::test]
async fn seats_go_only_to_linked_people_of_member_organisations() {
    each_backend(async |app| {
        let p = upstream(&app, None);
        let own = many(&app, p.up, "main", 1);
        let down = app.org("下游伙伴", "dingdownstream01", "professional");
        let people = many(&app, down, "partner", 2);
        app.joined_space(p.up, p.admin, &[(down, "people", &people[..1])]);
        let a = app.signed_in("upadmin").await;
        post_ids(
            &a,
            &format!("/interconnect/licences/orgs/{}/grant", p.up),
            "user_id",
            &own,
        )
        .await
        .assert_status(StatusCode::BAD_REQUEST);
        post_ids(
            &a,
            &format!("/interconnect/licences/orgs/{down}/grant"),
            "user_id",
            &people[1..],
        )
        .await
        .assert_status(StatusCode::CONFLICT);
        post_ids(
            &a,
            &format!("/interconnect/licences/orgs/{down}/grant"),
            "user_id",
            &people[..1],
        )
        .await
        .assert_redirect("/interconnect/licences/orgs/");
        assert_eq!(seat_count(&app, p.up, None), 1);
        // The grant page lists only the linked person.
        a.get(&format!("/interconnect/licences/orgs/{down}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("partner0")
            .assert_lacks("partner1");
    })
    .await;
}

#[tokio::test]
async fn at_most_three_downstream_organisations_share_the_pool() {
    each_backend(async |app| {
        let p = upstream(&app, None);
        let mut members = vec![];
        let mut people = vec![];
        for i in 0..4 {
            let o = app.org(
                &format!("伙伴{i}"),
                &format!("dingpartner0{i}"),
                "professional",
            );
            people.push(many(&app, o, &format!("org{i}p"), 1)[0]);
            members.push(o);
        }
        let rows: Vec<(i64, &str, &[i64])> = members.iter().map(|o| (*o, "all", &[][..])).collect();
        app.joined_space(p.up, p.admin, &rows);
        let a = app.signed_in("upadmin").await;
        for i in 0..3 {
            post_ids(
                &a,
                &format!("/interconnect/licences/orgs/{}/grant", members[i]),
                "user_id",
                &[people[i]],
            )
            .await
            .assert_redirect("/interconnect/licences/orgs/");
        }
        let fourth = format!("/interconnect/licences/orgs/{}/grant", members[3]);
        post_ids(&a, &fourth, "user_id", &[people[3]])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("最多支持 3 个下游组织");
        // Once an organisation holds no seat any more, another may take its place.
        let seat: i64 = seats::table
            .filter(seats::org_id.eq(members[0]))
            .select(seats::id)
            .first(&mut *app.conn())
            .expect("seat");
        post_ids(
            &a,
            &format!("/interconnect/licences/orgs/{}/release", members[0]),
            "seat_id",
            &[seat],
        )
        .await
        .assert_redirect("/interconnect/licences/orgs/");
        post_ids(&a, &fourth, "user_id", &[people[3]])
            .await
            .assert_redirect("/interconnect/licences/orgs/");
        assert_eq!(seat_count(&app, p.up, None), 3);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_grants_on_a_pool_of_ten_sell_exactly_ten_seats() {
    each_backend(async |app| {
        // 11 bought, one used by the main admin: a pool of ten seats to grant.
        let p = upstream(&app, Some(11));
        let down = app.org("下游伙伴", "dingdownstream01", "professional");
        let people = many(&app, down, "partner", 50);
        app.joined_space(p.up, p.admin, &[(down, "all", &[])]);
        let a = app.signed_in("upadmin").await;
        let mut tasks = tokio::task::JoinSet::new();
        for u in people {
            let c = a.clone();
            let path = format!("/interconnect/licences/orgs/{down}/grant");
            tasks.spawn(async move { post_ids(&c, &path, "user_id", &[u]).await });
        }
        let (mut granted, mut refused) = (0, 0);
        while let Some(r) = tasks.join_next().await {
            let r = r.expect("task");
            match r.status {
                StatusCode::SEE_OTHER => granted += 1,
                StatusCode::CONFLICT => refused += 1,
                s => panic!("unexpected {s}: {}", r.body),
            }
        }
        crate::figures::figure(
            &format!(
                "50 concurrent seat grants on a pool of 10 ({})",
                app.backend
            ),
            format!(
                "{granted} granted, {refused} refused, {} seats held (goal 10 / 40 / 10)",
                seat_count(&app, p.up, None)
            ),
        );
        assert_eq!((granted, refused), (10, 40));
        assert_eq!(seat_count(&app, p.up, None), 10);
    })
    .await;
}

/// The member id of `user` in `org`.
fn member_id(app: &TestApp, org: i64, user: i64) -> i64 {
    memberships::table
        .filter(memberships::org_id.eq(org))
        .filter(memberships::user_id.eq(user))
        .select(memberships::id)
        .first(&mut *app.conn())
        .expect("member")
}

#[tokio::test]
async fn people_of_an_auto_grant_department_get_a_seat_when_they_join_and_lose_it_when_they_leave()
{
    each_backend(async |app| {
        let p = upstream(&app, None);
        let down = app.org("下游伙伴", "dingdownstream01", "professional");
        app.person(down, "downadmin", Role::MainAdmin);
        let sales = app.department(down, None, "销售部");
        let east = app.department(down, Some(sales), "华东区");
        let support = app.department(down, None, "客服部");
        app.joined_space(p.up, p.admin, &[(down, "all", &[])]);
        let a = app.signed_in("upadmin").await;
        a.post(
            &format!("/interconnect/licences/orgs/{down}/auto"),
            &[("department_id", &sales.to_string())],
        )
        .await
        .assert_redirect("/interconnect/licences/orgs/");

        // A new member placed into a sub-department of the chosen one: a seat at once.
        let newbie = app.person(down, "newbie", Role::Member);
        assert!(!holds_seat(&app, p.up, newbie));
        let mid = member_id(&app, down, newbie);
        let d = app.signed_in("downadmin").await;
        let mv = format!("/org/members/{mid}/department");
        d.post(&mv, &[("department_id", &east.to_string())])
            .await
            .assert_redirect("/org/members/");
        assert!(holds_seat(&app, p.up, newbie), "automatic grant on joining");
        let automatic: bool = seats::table
            .filter(seats::user_id.eq(newbie))
            .select(seats::automatic)
            .first(&mut *app.conn())
            .expect("seat");
        assert!(automatic);

        // Transferred out of the department: released; back in: granted again.
        d.post(&mv, &[("department_id", &support.to_string())])
            .await
            .assert_redirect("/org/members/");
        assert!(!holds_seat(&app, p.up, newbie), "released on transfer");
        d.post(&mv, &[("department_id", &sales.to_string())])
            .await
            .assert_redirect("/org/members/");
        assert!(holds_seat(&app, p.up, newbie));

        // The organisation leaves the space: released (the spaces part reconciles).
        diesel::update(space_orgs::table.filter(space_orgs::org_id.eq(down)))
            .set(space_orgs::status.eq("left"))
            .execute(&mut *app.conn())
            .expect("leave");
        fenfa::interconnect::people::reconcile_org(&mut app.conn(), down).expect("reconcile");
        assert!(
            !holds_seat(&app, p.up, newbie),
            "released on leaving the space"
        );
        diesel::update(space_orgs::table.filter(space_orgs::org_id.eq(down)))
            .set(space_orgs::status.eq("joined"))
            .execute(&mut *app.conn())
            .expect("rejoin");
        fenfa::interconnect::people::reconcile_org(&mut app.conn(), down).expect("reconcile");
        assert!(holds_seat(&app, p.up, newbie));

        // Leaving the organisation releases the seat.
        d.post(&format!("/org/members/{mid}/remove"), &[])
            .await
            .assert_redirect("/org/members");
        assert!(
            !holds_seat(&app, p.up, newbie),
            "released on leaving the org"
        );
    })
    .await;
}

#[tokio::test]
async fn the_main_admin_is_alerted_once_at_80_percent_and_again_after_use_falls_and_rises() {
    each_backend(async |app| {
        // 10 bought, one used by the main admin.
        let p = upstream(&app, Some(10));
        let down = app.org("下游伙伴", "dingdownstream01", "professional");
        let people = many(&app, down, "partner", 9);
        app.joined_space(p.up, p.admin, &[(down, "all", &[])]);
        let a = app.signed_in("upadmin").await;
        let grant = format!("/interconnect/licences/orgs/{down}/grant");
        post_ids(&a, &grant, "user_id", &people[..6]).await; // 70 %
        assert!(alerts(&app, p.admin).is_empty());
        post_ids(&a, &grant, "user_id", &people[6..7]).await; // 80 %
        assert_eq!(alerts(&app, p.admin).len(), 1);
        assert!(alerts(&app, p.admin)[0].contains("percent=80"));
        // Still at 80 %: no second alert.
        post_ids(&a, &grant, "user_id", &people[6..7])
            .await
            .assert_redirect("/interconnect/licences/orgs/");
        assert_eq!(alerts(&app, p.admin).len(), 1);
        // Falls below, rises again: alerted again.
        let seat: i64 = seats::table
            .filter(seats::user_id.eq(people[6]))
            .select(seats::id)
            .first(&mut *app.conn())
            .expect("seat");
        post_ids(
            &a,
            &format!("/interconnect/licences/orgs/{down}/release"),
            "seat_id",
            &[seat],
        )
        .await
        .assert_redirect("/interconnect/licences/orgs/");
        assert_eq!(alerts(&app, p.admin).len(), 1);
        post_ids(&a, &grant, "user_id", &people[6..7]).await;
        assert_eq!(alerts(&app, p.admin).len(), 2);
        // From 80 % to 100 % in one change: one alert, in words, at 100 %.
        post_ids(&a, &grant, "user_id", &people[7..9]).await;
        let all = alerts(&app, p.admin);
        assert_eq!(all.len(), 3, "{all:?}");
        assert!(all[2].contains("percent=100"), "{all:?}");
    })
    .await;
}

fn set_last_login(app: &TestApp, user: i64, days_ago: Option<i64>) {
    diesel::update(users::table.find(user))
        .set(users::last_login_at.eq(days_ago.map(|d| fenfa::db::now() - d * 86_400)))
        .execute(&mut *app.conn())
        .expect("last login");
}

#[tokio::test]
async fn the_true_up_report_lists_seat_holders_who_have_not_signed_in_for_n_days() {
    each_backend(async |app| {
        let p = upstream(&app, None);
        let idle = app.person(p.up, "idle-main", Role::Member);
        set_last_login(&app, idle, Some(100));
        let down = app.org("下游伙伴", "dingdownstream01", "professional");
        let sales = app.department(down, None, "销售部");
        let away = app.person(down, "away-forty", Role::Member);
        let fresh = app.person(down, "fresh-one", Role::Member);
        let never = app.person(down, "never-seen", Role::Member);
        app.place(down, away, Some(sales));
        set_last_login(&app, away, Some(40));
        set_last_login(&app, fresh, Some(1));
        set_last_login(&app, never, None);
        app.joined_space(p.up, p.admin, &[(down, "all", &[])]);
        let a = app.signed_in("upadmin").await;
        post_ids(
            &a,
            &format!("/interconnect/licences/orgs/{down}/grant"),
            "user_id",
            &[away, fresh, never],
        )
        .await
        .assert_redirect("/interconnect/licences/orgs/");
        let r = a.get("/interconnect/licences/report").await;
        r.assert_status(StatusCode::OK)
            .assert_contains("away-forty")
            .assert_contains("never-seen")
            .assert_contains("idle-main")
            .assert_lacks("fresh-one")
            .assert_contains("下游伙伴 / 销售部")
            .assert_contains(r#"value="30""#);
        a.get("/interconnect/licences/report?days=50")
            .await
            .assert_status(StatusCode::OK)
            .assert_lacks("away-forty")
            .assert_contains("idle-main")
            .assert_contains("never-seen");
        a.get("/interconnect/licences/report?days=0")
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("1 到 3650");
        let csv = a.get("/interconnect/licences/report/export?days=30").await;
        csv.assert_status(StatusCode::OK)
            .assert_contains("fresh-one")
            .assert_contains("away-forty")
            .assert_contains("销售部");
        assert!(
            csv.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/csv"))
        );
    })
    .await;
}

#[tokio::test]
async fn another_organisations_pool_and_seat_ids_answer_404() {
    each_backend(async |app| {
        let p = upstream(&app, None);
        let down = app.org("下游伙伴", "dingdownstream01", "professional");
        let people = many(&app, down, "partner", 1);
        app.joined_space(p.up, p.admin, &[(down, "all", &[])]);
        app.person(p.up, "upmember", Role::Member);
        let other = app.org("别家集团", "dingother01", "exclusive");
        app.person(other, "otheradmin", Role::MainAdmin);
        let a = app.signed_in("upadmin").await;
        post_ids(
            &a,
            &format!("/interconnect/licences/orgs/{down}/grant"),
            "user_id",
            &people,
        )
        .await
        .assert_redirect("/interconnect/licences/orgs/");
        let seat: i64 = seats::table
            .select(seats::id)
            .first(&mut *app.conn())
            .expect("seat");

        let o = app.signed_in("otheradmin").await;
        o.get(&format!("/interconnect/licences/orgs/{down}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        post_ids(
            &o,
            &format!("/interconnect/licences/orgs/{down}/release"),
            "seat_id",
            &[seat],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        post_ids(
            &o,
            &format!("/interconnect/licences/orgs/{down}/grant"),
            "user_id",
            &people,
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        assert_eq!(seat_count(&app, p.up, None), 1);
        o.get("/interconnect/licences")
            .await
            .assert_status(StatusCode::OK)
            .assert_lacks("下游伙伴");

        // An ordinary member of the pool owner does not manage seats.
        let m = app.signed_in("upmember").await;
        m.get("/interconnect/licences")
            .await
            .assert_status(StatusCode::FORBIDDEN);
    })
    .await;
}
