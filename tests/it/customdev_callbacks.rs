//! Signed callbacks of custom development (seed 003's 回调 URL): verification of a
//! callback URL when it is saved, and the events a provider hears (authorised,
//! cancelled, live, permission answers, usage scope, a member opening the app or writing
//! to it), signed and delivered with a stable id, over plain HTTP through the outbound
//! override and over real TLS trusted through the extra-CA setting. Both backends. The
//! runner's retries, leases and crashes are in `customdev_delivery`.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::db::schema::{cd_templates, jobs};

use crate::support::customdev::*;
use crate::support::receiver::{Receiver, runner, with_verification};
use crate::support::{TestApp, each_backend};

// ---- verification ----

#[tokio::test]
async fn a_callback_url_is_verified_by_answering_the_signed_echo_string() {
    each_backend(async |app| {
        let w = world(&app);
        let receiver = Receiver::new(true);
        let base = receiver.start().await;
        let padmin = app.signed_in("cd.padmin").await;
        let verifying = padmin.on(with_verification(&app, Some(&base)));
        // A new template: the receiver answers the echo string, the template is saved.
        let tid = id_after(
            &post_template(&verifying, "回调CRM", "https://isv.example.com/cb").await,
            "/provider/custom-dev/",
        );
        assert_eq!(receiver.verifications().len(), 1);
        // Its token is on its callback page; a changed URL is verified signed with it.
        let token: String = cd_templates::table
            .find(tid)
            .select(cd_templates::callback_token)
            .first(&mut *app.conn())
            .expect("token");
        padmin
            .get(&format!("/provider/custom-dev/{tid}/callback"))
            .await
            .assert_contains(&token);
        receiver.trust(&token);
        verifying
            .post_multipart(
                &format!("/provider/custom-dev/{tid}"),
                &template_fields(
                    "回调CRM",
                    "客户跟进管理",
                    "",
                    "https://isv.example.com/cb?v=2",
                ),
                &[],
            )
            .await
            .assert_redirect(&format!("/provider/custom-dev/{tid}"));
        assert_eq!(receiver.verifications(), [false, true]);
        // Saving again without changing the URL calls nobody.
        verifying
            .post_multipart(
                &format!("/provider/custom-dev/{tid}"),
                &template_fields(
                    "回调CRM",
                    "客户跟进管理",
                    "",
                    "https://isv.example.com/cb?v=2",
                ),
                &[],
            )
            .await
            .assert_redirect(&format!("/provider/custom-dev/{tid}"));
        assert_eq!(receiver.verifications().len(), 2);
        // The custom app starts with the template's token; its own changed URL is
        // verified with it.
        padmin
            .post_ok(
                "/provider/custom-dev/golive/templates",
                &[("template", &tid.to_string())],
            )
            .await;
        approve_and_go_live(&app, &padmin).await;
        let cid = authorise(&app, tid, w.enterprise).await;
        assert_eq!(callback_token(&app, cid), token);
        verifying
            .post_multipart(
                &format!("/provider/custom-dev/custom-apps/{cid}"),
                &[
                    ("name", "回调应用"),
                    ("intro", "回调企业的客户管理"),
                    ("callback_url", "https://crm.example.com/cb"),
                ],
                &[],
            )
            .await
            .assert_redirect(&format!("/provider/custom-dev/custom-apps/{cid}"));
        assert_eq!(receiver.verifications(), [false, true, true]);
    })
    .await;
}

#[tokio::test]
async fn a_callback_url_answering_the_wrong_echo_is_refused_beside_the_field() {
    each_backend(async |app| {
        world(&app);
        let receiver = Receiver::new(false);
        let base = receiver.start().await;
        let padmin = app
            .signed_in("cd.padmin")
            .await
            .on(with_verification(&app, Some(&base)));
        post_template(&padmin, "回调CRM", "https://isv.example.com/cb")
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("id=\"e-callback_url\"")
            .assert_contains("没有原样返回 echostr")
            .assert_contains("https://isv.example.com/cb");
        assert_eq!(receiver.verifications().len(), 1);
        let n: i64 = cd_templates::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 0, "nothing saved");
    })
    .await;
}

#[tokio::test]
async fn a_callback_url_that_is_not_https_is_refused_beside_the_field() {
    each_backend(async |app| {
        world(&app);
        let receiver = Receiver::new(true);
        let base = receiver.start().await;
        let padmin = app
            .signed_in("cd.padmin")
            .await
            .on(with_verification(&app, Some(&base)));
        post_template(&padmin, "回调CRM", "http://isv.example.com/cb")
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("id=\"e-callback_url\"");
        assert!(receiver.verifications().is_empty(), "never called");
    })
    .await;
}

#[tokio::test]
async fn a_callback_url_on_an_internal_address_is_refused_before_any_request() {
    each_backend(async |app| {
        world(&app);
        // Without the override, private addresses are refused on the resolved address.
        let padmin = app
            .signed_in("cd.padmin")
            .await
            .on(with_verification(&app, None));
        for url in [
            "https://127.0.0.1/cb",
            "https://10.0.0.8/cb",
            "https://[::1]:8443/cb",
            "https://localhost/cb",
        ] {
            post_template(&padmin, "回调CRM", url)
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains("id=\"e-callback_url\"")
                .assert_contains("指向内部网络地址");
        }
    })
    .await;
}

// ---- events ----

#[tokio::test]
async fn events_are_signed_with_the_apps_token_and_delivered_with_a_stable_id() {
    each_backend(async |app| {
        let w = world(&app);
        let padmin = app.signed_in("cd.padmin").await;
        let tid = live_template(&app, &padmin, "回调CRM").await;
        let cid = authorise(&app, tid, w.enterprise).await;
        // The event is in the outbox with the change, before any runner ran.
        let queued = deliveries(&app, cid);
        assert_eq!(queued.len(), 1);
        assert_eq!(
            (queued[0].1.as_str(), queued[0].3.as_str()),
            ("authorised", "pending")
        );
        let receiver = Receiver::new(true);
        receiver.trust(&callback_token(&app, cid));
        let base = receiver.start().await;
        let ctx = runner(&app, &base, None);
        assert_eq!(fenfa::jobs::run_due(&ctx).await.expect("run"), 1);
        assert_eq!(fenfa::jobs::run_due(&ctx).await.expect("run"), 0, "done");
        // The enterprise cancels: the second event.
        app.signed_in("cd.eadmin")
            .await
            .post_ok(
                &format!("/org/custom-apps/{cid}/cancel"),
                &[("outcome", "keep")],
            )
            .await;
        fenfa::jobs::run_due(&ctx).await.expect("run");
        let seen = receiver.events();
        let kinds: Vec<&str> = seen.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["authorised", "cancelled"]);
        assert!(seen.iter().all(|e| e.signed), "every signature verifies");
        let stored = deliveries(&app, cid);
        assert_eq!(
            stored
                .iter()
                .map(|d| (d.0.clone(), d.2, d.3.as_str()))
                .collect::<Vec<_>>(),
            seen.iter()
                .map(|e| (e.id.clone(), 1, "done"))
                .collect::<Vec<_>>()
        );
        // The delivery log shows them to the provider.
        padmin
            .get(&format!("/provider/custom-dev/custom-apps/{cid}/callbacks"))
            .await
            .assert_contains(&seen[0].id)
            .assert_contains("已送达")
            .assert_contains("200");
    })
    .await;
}

#[tokio::test]
async fn going_live_sends_the_app_live_event() {
    each_backend(async |app| {
        let w = world(&app);
        let (_, cid, _) = live_custom_app(&app, &w).await;
        let kinds: Vec<String> = deliveries(&app, cid).into_iter().map(|d| d.1).collect();
        assert_eq!(kinds, ["authorised", "app_live"]);
    })
    .await;
}

#[tokio::test]
async fn a_change_of_the_apps_usage_scope_is_sent_as_an_event() {
    each_backend(async |app| {
        let w = world(&app);
        let padmin = app.signed_in("cd.padmin").await;
        let tid = live_template(&app, &padmin, "回调CRM").await;
        let cid = authorise(&app, tid, w.enterprise).await;
        let app_id: i64 = fenfa::db::schema::cd_custom_apps::table
            .find(cid)
            .select(fenfa::db::schema::cd_custom_apps::app_id.assume_not_null())
            .first(&mut *app.conn())
            .expect("app");
        app.signed_in("cd.eadmin")
            .await
            .post_ok(&format!("/apps/{app_id}/scope"), &[("scope_kind", "all")])
            .await;
        let kinds: Vec<String> = deliveries(&app, cid).into_iter().map(|d| d.1).collect();
        assert_eq!(kinds, ["authorised", "usage_scope_changed"]);
    })
    .await;
}

#[tokio::test]
async fn the_enterprises_answer_to_a_permission_request_is_sent_as_an_event() {
    each_backend(async |app| {
        let w = world(&app);
        let padmin = app.signed_in("cd.padmin").await;
        let tid = live_template(&app, &padmin, "回调CRM").await;
        let cid = authorise(&app, tid, w.enterprise).await;
        let eadmin = app.signed_in("cd.eadmin").await;
        let page = format!("/org/custom-apps/{cid}/permissions");
        let ask = |perm: &'static str| {
            let c = padmin.clone();
            async move {
                c.post_ok(
                    &format!("/provider/custom-dev/custom-apps/{cid}/permissions"),
                    &[("perm", perm)],
                )
                .await;
            }
        };
        ask("directory").await;
        eadmin.post_ok(&format!("{page}/agree"), &[]).await;
        ask("messages").await;
        eadmin.post_ok(&format!("{page}/decline"), &[]).await;
        let kinds: Vec<String> = deliveries(&app, cid).into_iter().map(|d| d.1).collect();
        assert_eq!(
            kinds,
            ["authorised", "permission_agreed", "permission_declined"]
        );
        // Delivered and signed like every event.
        let receiver = Receiver::new(true);
        receiver.trust(&callback_token(&app, cid));
        let base = receiver.start().await;
        let ctx = runner(&app, &base, None);
        assert_eq!(fenfa::jobs::run_due(&ctx).await.expect("run"), 3);
        let seen = receiver.events();
        assert!(seen.iter().all(|e| e.signed), "every signature verifies");
        assert_eq!(seen.len(), 3);
    })
    .await;
}

#[tokio::test]
async fn a_callback_url_that_cannot_be_reached_or_speaks_no_tls_is_refused_with_the_reason() {
    each_backend(async |app| {
        world(&app);
        let padmin = app.signed_in("cd.padmin").await;
        // Nothing listens on the port.
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let c = padmin.on(with_verification(
            &app,
            Some(&format!("http://127.0.0.1:{closed}")),
        ));
        post_template(&c, "回调CRM", "https://isv.example.com/cb")
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("id=\"e-callback_url\"")
            .assert_contains("无法连接回调 URL");
        // A server that answers plain HTTP where TLS is expected.
        let receiver = Receiver::new(true);
        let plain = receiver.start().await.replace("http://", "https://");
        let c = padmin.on(with_verification(&app, Some(&plain)));
        post_template(&c, "回调CRM", "https://isv.example.com/cb")
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("无法与回调 URL 建立安全连接");
    })
    .await;
}

/// The enterprise's admin opens a live custom app to the whole organisation.
async fn everyone_may_use(app: &TestApp, app_id: i64) {
    app.signed_in("cd.eadmin")
        .await
        .post_ok(&format!("/apps/{app_id}/scope"), &[("scope_kind", "all")])
        .await;
}

/// The event types queued for a custom app, once the off-path use records have landed.
async fn kinds_eventually(app: &TestApp, cid: i64, n: usize) -> Vec<String> {
    for _ in 0..100 {
        let kinds: Vec<String> = deliveries(app, cid).into_iter().map(|d| d.1).collect();
        if kinds.len() >= n {
            return kinds;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    deliveries(app, cid).into_iter().map(|d| d.1).collect()
}

#[tokio::test]
async fn a_member_opening_the_app_is_sent_to_the_provider_once_per_person_and_day() {
    each_backend(async |app| {
        let w = world(&app);
        let (_, cid, app_id) = live_custom_app(&app, &w).await;
        everyone_may_use(&app, app_id).await;
        let before = deliveries(&app, cid).len();
        let member = app.signed_in("cd.member").await;
        member
            .get(&format!("/a/{app_id}"))
            .await
            .assert_status(StatusCode::OK);
        let opened = kinds_eventually(&app, cid, before + 1).await;
        assert_eq!(opened.last().map(String::as_str), Some("member_opened"));
        // An app that is not theirs (missing, or the provider's own) records nothing.
        for other in [999_999_999, w.source] {
            member
                .get(&format!("/a/{other}"))
                .await
                .assert_status(StatusCode::NOT_FOUND);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let uses: i64 = fenfa::db::schema::app_uses::table
            .count()
            .get_result(&mut *app.conn())
            .expect("uses");
        assert_eq!(uses, 1, "only the member's own open");
        // Opening it again, or its form, the same day: nothing new.
        member
            .get(&format!("/a/{app_id}"))
            .await
            .assert_status(StatusCode::OK);
        let form: i64 = fenfa::db::schema::pages::table
            .filter(fenfa::db::schema::pages::app_id.eq(app_id))
            .select(fenfa::db::schema::pages::id)
            .first(&mut *app.conn())
            .expect("form");
        member
            .get(&format!("/f/{form}"))
            .await
            .assert_status(StatusCode::OK);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(deliveries(&app, cid).len(), before + 1, "once a day");
        // Another member is another event.
        app.signed_in("cd.other")
            .await
            .get(&format!("/a/{app_id}"))
            .await
            .assert_status(StatusCode::OK);
        assert_eq!(
            kinds_eventually(&app, cid, before + 2).await.len(),
            before + 2
        );
        // The next day (yesterday's records stand for time passing) the first member
        // is heard of again.
        diesel::update(fenfa::db::schema::app_uses::table)
            .set(fenfa::db::schema::app_uses::day.eq(fenfa::db::schema::app_uses::day - 1))
            .execute(&mut *app.conn())
            .expect("a day passes");
        member
            .get(&format!("/a/{app_id}"))
            .await
            .assert_status(StatusCode::OK);
        assert_eq!(
            kinds_eventually(&app, cid, before + 3).await.len(),
            before + 3
        );
        // The event names the member and the day, as the API names people.
        let receiver = Receiver::new(true);
        receiver.trust(&callback_token(&app, cid));
        let ctx = runner(&app, &receiver.start().await, None);
        while fenfa::jobs::run_due(&ctx).await.expect("run") > 0 {}
        let opened: Vec<_> = receiver
            .events()
            .into_iter()
            .filter(|e| e.kind == "member_opened")
            .collect();
        assert_eq!(opened.len(), 3);
        // Delivered concurrently: in any order.
        let mut names: Vec<&str> = opened
            .iter()
            .map(|e| {
                e.body["data"]["member"]["name"]
                    .as_str()
                    .unwrap_or_default()
            })
            .collect();
        names.sort();
        assert_eq!(names, ["cd.member", "cd.member", "cd.other"]);
        let date = opened[0].body["data"]["date"].as_str().unwrap_or_default();
        assert_eq!(date.len(), 10, "{date}");
    })
    .await;
}

#[tokio::test]
async fn a_members_message_to_the_app_reaches_its_provider_as_a_signed_event() {
    each_backend(async |app| {
        let w = world(&app);
        let (_, cid, app_id) = live_custom_app(&app, &w).await;
        everyone_may_use(&app, app_id).await;
        let member = app.signed_in("cd.member").await;
        let home = format!("/a/{app_id}");
        member
            .get(&home)
            .await
            .assert_contains("给应用发消息")
            .assert_contains(&format!("action=\"/a/{app_id}/message\""));
        let send = format!("/a/{app_id}/message");
        member
            .post(&send, &[("text", "  ")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("id=\"e-text\"")
            .assert_contains("请填写消息内容");
        let long = "慢".repeat(501);
        member
            .post(&send, &[("text", &long)])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("消息最多 500 个字")
            .assert_contains(&long);
        member
            .post(&send, &[("text", "报表导出很慢，能否优化？")])
            .await
            .assert_redirect(&home);
        let receiver = Receiver::new(true);
        receiver.trust(&callback_token(&app, cid));
        let ctx = runner(&app, &receiver.start().await, None);
        while fenfa::jobs::run_due(&ctx).await.expect("run") > 0 {}
        let message = receiver
            .events()
            .into_iter()
            .find(|e| e.kind == "member_message")
            .expect("the message arrived");
        assert!(message.signed);
        assert_eq!(message.body["data"]["text"], "报表导出很慢，能否优化？");
        assert_eq!(message.body["data"]["member"]["name"], "cd.member");
        // An app of the enterprise's own reaches no provider: no box, and a post is
        // answered as for a missing app.
        let eadmin_id: i64 = fenfa::db::schema::users::table
            .filter(fenfa::db::schema::users::login.eq("cd.eadmin"))
            .select(fenfa::db::schema::users::id)
            .first(&mut *app.conn())
            .expect("admin");
        let scope =
            fenfa::auth::OrgScope::system(w.enterprise, eadmin_id, fenfa::auth::Role::MainAdmin);
        let own = fenfa::apps::store::create_app(
            &mut app.conn(),
            &scope,
            fenfa::apps::NewApp {
                name: "内部台账",
                glyph: "file-text",
                color: "green",
                image: "",
                description: "",
                premium: false,
            },
        )
        .expect("own app");
        let eadmin = app.signed_in("cd.eadmin").await;
        let page = eadmin.get(&format!("/a/{own}")).await;
        page.assert_status(StatusCode::OK);
        assert!(!page.body.contains("给应用发消息"));
        eadmin
            .post(&format!("/a/{own}/message"), &[("text", "你好")])
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn events_reach_a_receiver_over_tls_trusted_only_through_the_extra_ca() {
    each_backend(async |app| {
        let w = world(&app);
        let (_, cid, _) = authorised(&app, &w).await;
        let receiver = Receiver::new(true);
        receiver.trust(&callback_token(&app, cid));
        let (base, ca) = receiver.start_tls().await;
        // Without the CA the receiver's certificate is not trusted.
        let untrusting = runner(&app, &base, None);
        assert_eq!(fenfa::jobs::run_due(&untrusting).await.expect("run"), 1);
        let (state, error): (String, String) = jobs::table
            .select((jobs::state, jobs::last_error))
            .first(&mut *app.conn())
            .expect("job");
        assert_eq!((state.as_str(), error.as_str()), ("pending", "TLS error"));
        assert!(receiver.events().is_empty());
        // Trusted through the extra CA: delivered (due again now rather than in 30 s).
        diesel::update(jobs::table)
            .set(jobs::run_at.eq(fenfa::db::now()))
            .execute(&mut *app.conn())
            .expect("due");
        let trusting = runner(&app, &base, Some(&ca));
        assert_eq!(fenfa::jobs::run_due(&trusting).await.expect("run"), 1);
        assert_eq!(receiver.kinds(), ["authorised"]);
        assert!(receiver.events()[0].signed);
        assert_eq!(deliveries(&app, cid)[0].3, "done");
    })
    .await;
}
