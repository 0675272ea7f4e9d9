//! Signing in and out, sessions, lock-out, CSRF, organisation switching.

use axum::body::Body;
use axum::http::{StatusCode, header};
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{login_throttle, notifications, sessions, unread_counts, users};

use crate::support::{PASSWORD, TestApp, each_backend};

#[tokio::test]
async fn a_wrong_password_and_an_unknown_account_get_the_same_refusal() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        let c = app.client();
        let wrong = c
            .post("/login", &[("login", "alice"), ("password", "nope")])
            .await;
        let unknown = c
            .post("/login", &[("login", "nobody"), ("password", "nope")])
            .await;
        wrong
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("账号或密码错误");
        unknown
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("账号或密码错误");
        // The form keeps what was typed.
        wrong.assert_contains("value=\"alice\"");
    })
    .await;
}

#[tokio::test]
async fn signing_in_issues_a_new_session_id_and_signing_out_ends_it() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        let c = app.client();
        c.get("/login").await;
        // Plant a session before login (fixation attempt): it must not survive login.
        c.set_cookie("fenfa_session", "AAAAAAAAAAAAAAAAAAAAAA");
        c.login("alice", PASSWORD).await.assert_redirect("/");
        let sid = c.cookie("fenfa_session").expect("session cookie");
        assert_ne!(sid, "AAAAAAAAAAAAAAAAAAAAAA");
        c.get("/workbench").await.assert_status(StatusCode::OK);

        c.post("/logout", &[]).await.assert_redirect("/login");
        let left: i64 = sessions::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(left, 0, "logout deletes the session row");
        // Replaying the old cookie gets the login page, not the workbench.
        let replay = app.client();
        replay.set_cookie("fenfa_session", &sid);
        replay.get("/workbench").await.assert_redirect("/login");
    })
    .await;
}

#[tokio::test]
async fn the_login_redirect_never_leaves_the_site() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        for evil in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
        ] {
            let c = app.client();
            let r = c
                .post(
                    "/login",
                    &[("login", "alice"), ("password", PASSWORD), ("next", evil)],
                )
                .await;
            assert_eq!(r.location(), "/", "next={evil}");
        }
        let c = app.client();
        let r = c
            .post(
                "/login",
                &[
                    ("login", "alice"),
                    ("password", PASSWORD),
                    ("next", "/submissions"),
                ],
            )
            .await;
        assert_eq!(r.location(), "/submissions");
    })
    .await;
}

#[tokio::test]
async fn a_page_view_writes_nothing_but_a_session_idle_past_its_timeout_ends() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        let c = app.signed_in("alice").await;
        let before: i64 = sessions::table
            .select(sessions::expires_at)
            .first(&mut *app.conn())
            .expect("row");
        c.get("/workbench").await.assert_status(StatusCode::OK);
        let after: i64 = sessions::table
            .select(sessions::expires_at)
            .first(&mut *app.conn())
            .expect("row");
        assert_eq!(
            before, after,
            "an ordinary page view does not write the session"
        );

        diesel::update(sessions::table)
            .set(sessions::expires_at.eq(fenfa::db::now() - 1))
            .execute(&mut *app.conn())
            .expect("expire");
        c.get("/workbench").await.assert_redirect("/login");
    })
    .await;
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_lifetime_even_when_active() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        let c = app.signed_in("alice").await;
        diesel::update(sessions::table)
            .set(sessions::created_at.eq(fenfa::db::now() - 13 * 3600))
            .execute(&mut *app.conn())
            .expect("age");
        c.get("/workbench").await.assert_redirect("/login");
    })
    .await;
}

#[tokio::test]
async fn a_browser_that_never_signed_in_is_refused_for_a_while_after_100_attempts_per_hour() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        // 99 attempts from unknown browsers already this hour.
        // Written directly: a window already under way (99 real attempts would cost argon2 time).
        diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::kind.eq("login"),
                login_throttle::subject.eq("alice"),
                login_throttle::failures.eq(99),
                login_throttle::window_start.eq(fenfa::db::now() - 60),
            ))
            .execute(&mut *app.conn())
            .expect("set");
        let c = app.client();
        c.post("/login", &[("login", "alice"), ("password", "bad")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("账号或密码错误");
        // Now even the right password is refused from a browser that never signed in.
        c.post("/login", &[("login", "alice"), ("password", PASSWORD)])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("登录尝试次数过多");
        // The refusal is timed, not permanent.
        diesel::update(login_throttle::table)
            .set(login_throttle::window_start.eq(fenfa::db::now() - 3601))
            .execute(&mut *app.conn())
            .expect("an hour later");
        c.login("alice", PASSWORD).await;
    })
    .await;
}

#[tokio::test]
async fn cross_site_form_posts_are_refused() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        let c = app.signed_in("alice").await;
        let attempts = [
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
            ("origin", "null"),
        ];
        for (h, v) in attempts {
            let req = c
                .request("POST", "/logout")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(h, v)
                .body(Body::empty())
                .expect("req");
            c.send(req)
                .await
                .assert_status(StatusCode::FORBIDDEN)
                .assert_contains("请求来源不可信");
        }
        // Still signed in: none of them logged the user out.
        c.get("/workbench").await.assert_status(StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn a_disabled_users_sessions_end_at_once() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let alice = app.person(org, "alice", Role::Member);
        let c = app.signed_in("alice").await;
        diesel::update(users::table.find(alice))
            .set(users::disabled.eq(true))
            .execute(&mut *app.conn())
            .expect("disable");
        c.get("/workbench").await.assert_redirect("/login");
        // And a disabled account cannot sign in again.
        app.client()
            .post("/login", &[("login", "alice"), ("password", PASSWORD)])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn a_person_in_two_organisations_switches_between_them() {
    each_backend(async |app| {
        let up = app.org("Upstream Co", "ding-up", "exclusive");
        let down = app.org("Downstream Co", "ding-down", "professional");
        let other = app.org("Other Co", "ding-other", "free");
        let bob = app.person(up, "bob", Role::Member);
        app.member(down, bob, Role::PlatformAdmin);
        let c = app.signed_in("bob").await;
        c.post("/switch-org", &[("org_id", &down.to_string())])
            .await
            .assert_redirect("/workbench");
        c.get("/workbench")
            .await
            .assert_contains(&format!("value=\"{down}\" selected"));
        c.post_ok("/switch-org", &[("org_id", &up.to_string())])
            .await;
        c.get("/workbench")
            .await
            .assert_contains(&format!("value=\"{up}\" selected"));
        // An organisation one does not belong to looks like a missing one.
        c.post("/switch-org", &[("org_id", &other.to_string())])
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn pages_need_a_signed_in_user() {
    each_backend(async |app| {
        let c = app.client();
        c.get("/workbench")
            .await
            .assert_redirect("/login?next=%2Fworkbench");
        c.get("/").await.assert_redirect("/login");
    })
    .await;
}

#[tokio::test]
async fn the_navigation_shows_how_many_notifications_are_unread() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let alice = app.person(org, "alice", Role::Member);
        let c = app.signed_in("alice").await;
        c.get("/workbench").await.assert_lacks("条未读");
        for _ in 0..3 {
            fenfa::notifications::store::notify(
                &mut app.conn(),
                org,
                alice,
                "notifications.test",
                "",
                "/workbench",
            )
            .expect("notify");
        }
        c.get("/workbench").await.assert_contains("3 条未读");
        // Counted up to 99, then "99+" (the count reads no further than the cap).
        let notify = |n: usize| {
            for _ in 0..n {
                fenfa::notifications::store::notify(
                    &mut app.conn(),
                    org,
                    alice,
                    "notifications.test",
                    "",
                    "/workbench",
                )
                .expect("notify");
            }
        };
        notify(96);
        c.get("/workbench").await.assert_contains("99 条未读");
        notify(1);
        c.get("/workbench").await.assert_contains("99+ 条未读");
        // The count follows reading: one notification, then all of them.
        notify(2);
        let one: i64 = notifications::table
            .filter(notifications::user_id.eq(alice))
            .select(notifications::id)
            .first(&mut *app.conn())
            .expect("id");
        c.post(&format!("/notifications/{one}/read"), &[])
            .await
            .assert_redirect("/notifications");
        c.post(&format!("/notifications/{one}/read"), &[]).await;
        let unread = |app: &TestApp| -> i64 {
            unread_counts::table
                .find((alice, org))
                .select(unread_counts::n)
                .first(&mut *app.conn())
                .expect("kept count")
        };
        assert_eq!(unread(&app), 101, "read once, counted once");
        c.post("/notifications/read-all", &[]).await;
        assert_eq!(unread(&app), 0);
        c.get("/workbench").await.assert_lacks("条未读");
        // Another organisation's notification is not this organisation's badge.
        let other = app.org("Other", "ding002", "professional");
        fenfa::notifications::store::notify(&mut app.conn(), other, alice, "x", "", "")
            .expect("notify");
        c.get("/workbench").await.assert_lacks("条未读");
        notify(1);
        c.get("/workbench").await.assert_contains("1 条未读");
    })
    .await;
}
