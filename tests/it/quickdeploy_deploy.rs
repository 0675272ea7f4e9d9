//! The customer's side of a quick-deploy link (issue 20, 钉钉快速部署产品主体流程): the guide
//! page, registration right there (capped per address), the team the link offers, the
//! serial number (list and the provider's endpoint), authorising (one copy of the app and
//! the callback event), usage scope and start.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{
    apps, jobs, memberships, orgs, qd_deployments, qd_funnel, qd_serial_tries,
};

use crate::support::quickdeploy_deploy::{
    Link, Opts, deployment, link, one_person_team, register, serials, set_link,
};
use crate::support::receiver::hmac_hex;
use crate::support::{TestApp, each_backend};

fn funnel(app: &TestApp, l: &Link, step: &str) -> i64 {
    qd_funnel::table
        .filter(qd_funnel::application_id.eq(l.id))
        .filter(qd_funnel::step.eq(step))
        .count()
        .get_result(&mut *app.conn())
        .expect("funnel")
}

fn tries(app: &TestApp, l: &Link) -> i64 {
    qd_serial_tries::table
        .filter(qd_serial_tries::application_id.eq(l.id))
        .count()
        .get_result(&mut *app.conn())
        .expect("tries")
}

#[tokio::test]
async fn the_guide_page_shows_the_provider_the_app_and_the_steps_ahead() {
    each_backend(async |app| {
        let l = link(&app, Opts::default()).await;
        let c = app.client();
        let r = c.get(&l.path("")).await;
        r.assert_status(StatusCode::OK)
            .assert_contains("云帆服务商")
            .assert_contains("设备巡检助手")
            .assert_contains("设备巡检、报修与保养计划")
            .assert_contains("登录或注册")
            .assert_contains("创建团队")
            .assert_contains("立即授权")
            .assert_contains("使用范围设置")
            .assert_contains("开始使用")
            .assert_contains(&format!("href=\"{}\"", l.path("register")))
            // No serial number asked for: the step is not listed.
            .assert_lacks("输入序列号");
        assert!(c.cookie("fenfa_qd_visitor").is_some());
        // The same visitor twice is counted once.
        c.get(&l.path("")).await;
        assert_eq!(funnel(&app, &l, "opened"), 1);
        let icon = c.get(&l.path("icon")).await;
        icon.assert_status(StatusCode::OK);
        assert_eq!(icon.headers["content-type"], "image/png");
        c.get("/qd/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // Signed in with a team: the guide says where the visitor is.
        let c = one_person_team(&app, &l, "zhaolaoban").await;
        c.get(&l.path(""))
            .await
            .assert_contains("aria-current=\"step\"")
            .assert_contains(&format!("href=\"{}\"", l.path("authorise")));
        assert_eq!(funnel(&app, &l, "signed_in"), 1);
        assert_eq!(funnel(&app, &l, "team"), 1);
    })
    .await;
}

#[tokio::test]
async fn a_paused_or_suspended_link_says_so_and_every_step_refuses() {
    each_backend(async |app| {
        let l = link(&app, Opts::default()).await;
        let c = one_person_team(&app, &l, "zhaolaoban").await;
        for (paused, suspended, words) in [
            (true, false, "此部署链接已暂停"),
            (false, true, "平台已暂停此应用的新部署"),
        ] {
            set_link(&app, l.id, paused, suspended);
            app.client()
                .get(&l.path(""))
                .await
                .assert_status(StatusCode::OK)
                .assert_contains(words)
                .assert_lacks(&format!("href=\"{}\"", l.path("register")));
            let (_, r) = register(&app, &l, "newcomer").await;
            r.assert_status(StatusCode::CONFLICT);
            for step in ["team", "authorise", "scope", "start"] {
                c.get(&l.path(step))
                    .await
                    .assert_status(StatusCode::CONFLICT);
                c.post(&l.path(step), &[])
                    .await
                    .assert_status(StatusCode::CONFLICT);
            }
        }
        let (_, _, copy) = deployment(&app, &l, "赵记五金");
        assert_eq!(copy, None, "nothing was authorised while the link was off");
    })
    .await;
}

async fn register_from(
    router: &axum::Router,
    app: &TestApp,
    l: &Link,
    ip: &str,
    login: &str,
    confirm: &str,
) -> StatusCode {
    let c = app.client().on(router.clone());
    let body = serde_urlencoded::to_string([
        ("name", "访客"),
        ("login", login),
        ("password", "secret-pass-1"),
        ("password_confirm", confirm),
    ])
    .expect("form");
    c.send(
        c.request("POST", &l.path("register"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-forwarded-for", ip)
            .body(Body::from(body))
            .expect("req"),
    )
    .await
    .status
}

#[tokio::test]
async fn registration_is_capped_per_address_and_a_taken_login_is_refused() {
    each_backend(async |app| {
        let l = link(&app, Opts::default()).await;
        // A taken login: the error beside the field, what was typed kept.
        let (_, r) = register(&app, &l, "cadmin").await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("该账号已被使用")
            .assert_contains("value=\"cadmin\"");
        let behind_proxy = app.configured(|c| c.trust_proxy = true);
        // Five accounts an hour from one address; the sixth is refused, another address
        // is not.
        for i in 0..5 {
            let s = register_from(
                &behind_proxy,
                &app,
                &l,
                "203.0.113.7",
                &format!("guest{i}"),
                "secret-pass-1",
            )
            .await;
            assert_eq!(s, StatusCode::SEE_OTHER, "account {i}");
        }
        let s = register_from(
            &behind_proxy,
            &app,
            &l,
            "203.0.113.7",
            "guest5",
            "secret-pass-1",
        )
        .await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
        let s = register_from(
            &behind_proxy,
            &app,
            &l,
            "198.51.100.9",
            "guest6",
            "secret-pass-1",
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        // Twenty attempts an hour from one address, whatever they come to.
        for i in 0..19 {
            let s = register_from(
                &behind_proxy,
                &app,
                &l,
                "192.0.2.1",
                &format!("typo{i}"),
                "mismatch",
            )
            .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "attempt {i}");
        }
        let s = register_from(
            &behind_proxy,
            &app,
            &l,
            "192.0.2.1",
            "right",
            "secret-pass-1",
        )
        .await;
        assert_eq!(
            s,
            StatusCode::SEE_OTHER,
            "the twentieth attempt still counts"
        );
        let s = register_from(
            &behind_proxy,
            &app,
            &l,
            "192.0.2.1",
            "right2",
            "secret-pass-1",
        )
        .await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
        let made: i64 = fenfa::db::schema::users::table
            .filter(fenfa::db::schema::users::login.like("right%"))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(made, 1);
    })
    .await;
}

fn rows(people: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut f = vec![
        ("kind".to_string(), "many".to_string()),
        ("name".to_string(), "东方维修队".to_string()),
    ];
    for (i, (n, lg)) in people.iter().enumerate() {
        f.push((format!("row_name_{i}"), n.to_string()));
        f.push((format!("row_login_{i}"), lg.to_string()));
    }
    f
}

fn as_pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[tokio::test]
async fn a_phone_team_link_refuses_five_people_and_accepts_six() {
    each_backend(async |app| {
        let l = link(
            &app,
            Opts {
                directory: "phone_team",
                ..Opts::default()
            },
        )
        .await;
        let (c, _) = register(&app, &l, "duizhang").await;
        let page = c.get(&l.path("team")).await;
        page.assert_status(StatusCode::OK)
            .assert_contains("创建多人团队")
            .assert_contains("row_login_5");
        // The one-person team is not what this link offers.
        c.post(&l.path("team"), &[("kind", "one"), ("name", "一人队")])
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        let four = [
            ("甲", "wk.jia"),
            ("乙", "wk.yi"),
            ("丙", "wk.bing"),
            ("丁", "wk.ding"),
        ];
        let r = c.post(&l.path("team"), &as_pairs(&rows(&four))).await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("至少需要 6 人")
            .assert_contains("value=\"wk.ding\"");
        let taken = [
            ("甲", "wk.jia"),
            ("乙", "wk.yi"),
            ("丙", "wk.bing"),
            ("丁", "wk.ding"),
            ("戊", "cmember"),
        ];
        let r = c.post(&l.path("team"), &as_pairs(&rows(&taken))).await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("该账号已被使用")
            .assert_contains("id=\"e-login_4\"");
        let twice = [
            ("甲", "wk.jia"),
            ("乙", "wk.yi"),
            ("丙", "wk.bing"),
            ("丁", "wk.ding"),
            ("戊", "wk.jia"),
        ];
        c.post(&l.path("team"), &as_pairs(&rows(&twice)))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("已在上面填写过");
        let no_team: i64 = orgs::table
            .filter(orgs::name.eq("东方维修队"))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(no_team, 0, "nothing half-made");
        let five = [
            ("甲", "wk.jia"),
            ("乙", "wk.yi"),
            ("丙", "wk.bing"),
            ("丁", "wk.ding"),
            ("戊", "wk.wu"),
        ];
        let r = c.post(&l.path("team"), &as_pairs(&rows(&five))).await;
        r.assert_redirect(&l.path(""));
        let (_, org, _) = deployment(&app, &l, "东方维修队");
        let people: i64 = memberships::table
            .filter(memberships::org_id.eq(org))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(people, 6);
        // The creator sees each person's welcome link, and a person sets a password with it.
        let guide = c.get(&l.path("")).await;
        guide.assert_contains("wk.wu");
        let at = guide.body.find("/qd/welcome/").expect("welcome link");
        let token: String = guide.body[at + 12..at + 12 + 43].to_string();
        let wu = app.client();
        wu.get(&format!("/qd/welcome/{token}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("东方维修队");
        wu.post(
            &format!("/qd/welcome/{token}"),
            &[
                ("password", "member-pass-1"),
                ("password_confirm", "member-pass-1"),
            ],
        )
        .await
        .assert_redirect("/workbench");
        wu.get("/workbench")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("东方维修队");
        // Once only.
        app.client()
            .get(&format!("/qd/welcome/{token}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn an_admin_file_link_offers_only_the_one_person_team_or_an_organisation_one_administers() {
    each_backend(async |app| {
        let l = link(&app, Opts::default()).await;
        let (c, _) = register(&app, &l, "zhaolaoban").await;
        c.get(&l.path("team"))
            .await
            .assert_contains("创建 1 人团队")
            .assert_lacks("row_login_0")
            .assert_lacks("部署到我管理的组织");
        c.post(&l.path("team"), &as_pairs(&rows(&[("甲", "wk.jia")])))
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        c.post(&l.path("team"), &[("kind", "one"), ("name", " ")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        // An existing organisation's admin deploys into it; a member of one cannot.
        let cadmin = app.signed_in("cadmin").await;
        cadmin
            .get(&l.path("team"))
            .await
            .assert_contains("部署到我管理的组织")
            .assert_contains("星河制造");
        let customer = crate::support::appcentre::org_id(&app, "dingcustomer01");
        let cmember = app.signed_in("cmember").await;
        cmember
            .post(
                &l.path("team"),
                &[("kind", "existing"), ("org_id", &customer.to_string())],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        cadmin
            .post(
                &l.path("team"),
                &[("kind", "existing"), ("org_id", &customer.to_string())],
            )
            .await
            .assert_redirect(&l.path("authorise"));
        let (_, org, _) = deployment(&app, &l, "星河制造");
        assert_eq!(org, customer);
    })
    .await;
}

#[tokio::test]
async fn a_serial_number_is_required_when_configured() {
    each_backend(async |app| {
        let l = link(
            &app,
            Opts {
                verify_serials: true,
                ..Opts::default()
            },
        )
        .await;
        serials(&app, l.id, &["SN-0001", "SN-0002"]);
        let other = one_person_team(&app, &l, "other-boss").await;
        other
            .post(&l.path("serial"), &[("serial", "SN-0002")])
            .await
            .assert_redirect(&l.path("authorise"));
        let c = one_person_team(&app, &l, "zhaolaoban").await;
        // The steps after it wait for the number.
        c.get(&l.path("authorise"))
            .await
            .assert_redirect(&l.path("serial"));
        c.post(&l.path("authorise"), &[])
            .await
            .assert_redirect(&l.path("serial"));
        c.post(&l.path("serial"), &[("serial", "SN-9999")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("序列号无效")
            .assert_contains("value=\"SN-9999\"");
        c.post(&l.path("serial"), &[("serial", "SN-0002")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("已被其他组织使用");
        c.post(&l.path("serial"), &[("serial", " SN-0001 ")])
            .await
            .assert_redirect(&l.path("authorise"));
        assert_eq!(tries(&app, &l), 4, "every try is recorded");
        let serial: Option<String> = qd_deployments::table
            .filter(qd_deployments::id.eq(deployment(&app, &l, "赵记五金").0))
            .select(qd_deployments::serial)
            .first(&mut *app.conn())
            .expect("serial");
        assert_eq!(serial.as_deref(), Some("SN-0001"));
        assert_eq!(funnel(&app, &l, "serial"), 2);
    })
    .await;
}

#[tokio::test]
async fn a_serial_number_is_redeemed_once_under_64_concurrent_redemptions() {
    each_backend(async |app| {
        let l = link(
            &app,
            Opts {
                verify_serials: true,
                ..Opts::default()
            },
        )
        .await;
        serials(&app, l.id, &["SN-RACE"]);
        let racers: Vec<(i64, i64)> = (0..64)
            .map(|i| {
                let org = app.org(&format!("队伍{i}"), &format!("qdrace{i:04}"), "free");
                let user = app.person(org, &format!("racer{i}"), Role::MainAdmin);
                (org, user)
            })
            .collect();
        let handles: Vec<_> = racers
            .into_iter()
            .map(|(org, user)| {
                let db = app.state.db.clone();
                let id = l.id;
                tokio::spawn(async move {
                    db.run(move |conn| {
                        fenfa::quickdeploy::redeem_listed(conn, id, "SN-RACE", org, user)
                    })
                    .await
                    .expect("redeem")
                })
            })
            .collect();
        let mut won = 0;
        for h in handles {
            match h.await.expect("task") {
                fenfa::quickdeploy::Redeemed::Accepted => won += 1,
                fenfa::quickdeploy::Redeemed::UsedElsewhere => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(won, 1);
        assert_eq!(tries(&app, &l), 64);
    })
    .await;
}

/// The provider's verification endpoint, answering as told.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    Valid,
    Invalid,
    Error,
    Never,
}

#[derive(Clone)]
struct Endpoint {
    answer: Arc<Mutex<Answer>>,
    signed: Arc<Mutex<Vec<bool>>>,
}

async fn verify(
    axum::extract::State(e): axum::extract::State<Endpoint>,
    headers: HeaderMap,
    body: String,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let h = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let ok = h("x-fenfa-signature")
        == hmac_hex(
            "isv-secret",
            &h("x-fenfa-timestamp"),
            &h("x-fenfa-nonce"),
            &body,
        );
    e.signed.lock().expect("lock").push(ok);
    let answer = *e.answer.lock().expect("lock");
    match answer {
        Answer::Valid => axum::Json(serde_json::json!({"valid": true})).into_response(),
        Answer::Invalid => axum::Json(serde_json::json!({"valid": false})).into_response(),
        Answer::Error => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Answer::Never => {
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            StatusCode::OK.into_response()
        }
    }
}

#[tokio::test]
async fn the_providers_endpoint_failing_redeems_nothing_and_says_so() {
    each_backend(async |app| {
        let e = Endpoint {
            answer: Arc::new(Mutex::new(Answer::Error)),
            signed: Arc::new(Mutex::new(Vec::new())),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let server = axum::Router::new()
            .route("/verify", axum::routing::post(verify))
            .with_state(e.clone());
        tokio::spawn(async move { axum::serve(listener, server).await });
        let l = link(
            &app,
            Opts {
                verify_serials: true,
                serial_source: "endpoint",
                verify_url: "https://isv.example.com/verify".into(),
                verify_secret: "isv-secret".into(),
                ..Opts::default()
            },
        )
        .await;
        let routed = app.configured(|c| c.outbound_override = Some(base.clone()));
        let c = one_person_team(&app, &l, "zhaolaoban")
            .await
            .on(routed.clone());
        let typed = [("serial", "EXT-42")];
        c.post(&l.path("serial"), &typed)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("验证服务没有响应");
        *e.answer.lock().expect("lock") = Answer::Never;
        let t = std::time::Instant::now();
        c.post(&l.path("serial"), &typed)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("验证服务没有响应");
        assert!(
            t.elapsed() < std::time::Duration::from_secs(9),
            "the 5 s timeout"
        );
        *e.answer.lock().expect("lock") = Answer::Invalid;
        c.post(&l.path("serial"), &typed)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("序列号无效");
        let redeemed: i64 = fenfa::db::schema::qd_serials::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(redeemed, 0, "nothing redeemed");
        *e.answer.lock().expect("lock") = Answer::Valid;
        c.post(&l.path("serial"), &typed)
            .await
            .assert_redirect(&l.path("authorise"));
        assert!(
            e.signed.lock().expect("lock").iter().all(|s| *s),
            "every request signed"
        );
        // Recorded once: another organisation is refused without asking again.
        let asked = e.signed.lock().expect("lock").len();
        let other = one_person_team(&app, &l, "other-boss").await.on(routed);
        other
            .post(&l.path("serial"), &typed)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("已被其他组织使用");
        assert_eq!(e.signed.lock().expect("lock").len(), asked);
        assert_eq!(tries(&app, &l), 5);
    })
    .await;
}

#[tokio::test]
async fn only_the_teams_admin_authorises_and_sets_scope() {
    each_backend(async |app| {
        let l = link(&app, Opts::default()).await;
        let boss = one_person_team(&app, &l, "zhaolaoban").await;
        let (_, org, _) = deployment(&app, &l, "赵记五金");
        app.person(org, "tmember", Role::Member);
        let member = app.signed_in("tmember").await;
        for step in ["authorise", "scope", "start"] {
            member
                .get(&l.path(step))
                .await
                .assert_status(StatusCode::FORBIDDEN);
            member
                .post(&l.path(step), &[])
                .await
                .assert_status(StatusCode::FORBIDDEN);
        }
        // Another organisation's admin reaches only their own (none yet): the team step.
        let other = app.signed_in("oadmin").await;
        other
            .post(&l.path("authorise"), &[])
            .await
            .assert_redirect(&l.path("team"));
        other
            .get(&l.path("scope"))
            .await
            .assert_redirect(&l.path("team"));
        assert_eq!(deployment(&app, &l, "赵记五金").2, None);
        boss.post(&l.path("authorise"), &[])
            .await
            .assert_redirect(&l.path("scope"));
        member
            .post(&l.path("scope"), &[("scope_kind", "all")])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        boss.post(&l.path("scope"), &[("scope_kind", "all")])
            .await
            .assert_redirect(&l.path("start"));
    })
    .await;
}

#[tokio::test]
async fn authorising_copies_the_app_once_and_enqueues_the_deployed_job_with_a_callback_url() {
    each_backend(async |app| {
        let l = link(
            &app,
            Opts {
                callback_url: "https://isv.example.com/fenfa/events".into(),
                ..Opts::default()
            },
        )
        .await;
        let c = one_person_team(&app, &l, "zhaolaoban").await;
        c.get(&l.path("authorise"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("读取通讯录")
            .assert_contains("赵记五金");
        // Scope and start wait for the authorisation.
        c.get(&l.path("scope"))
            .await
            .assert_redirect(&l.path("authorise"));
        c.post(&l.path("authorise"), &[])
            .await
            .assert_redirect(&l.path("scope"));
        c.post(&l.path("authorise"), &[])
            .await
            .assert_redirect(&l.path("scope"));
        let (dep, org, copy) = deployment(&app, &l, "赵记五金");
        let copies: Vec<i64> = apps::table
            .filter(apps::org_id.eq(org))
            .select(apps::id)
            .load(&mut *app.conn())
            .expect("apps");
        assert_eq!(copies.len(), 1, "one copy for two clicks");
        assert_eq!(copy, copies.first().copied());
        let queued: Vec<String> = jobs::table
            .filter(jobs::kind.eq("quickdeploy.deployed"))
            .select(jobs::payload)
            .load(&mut *app.conn())
            .expect("jobs");
        assert_eq!(queued.len(), 1);
        assert!(
            queued[0].contains(&format!("\"deployment_id\":{dep}")),
            "{}",
            queued[0]
        );
        c.post(&l.path("scope"), &[("scope_kind", "people")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        c.post(&l.path("scope"), &[("scope_kind", "all")])
            .await
            .assert_redirect(&l.path("start"));
        c.post(&l.path("start"), &[])
            .await
            .assert_redirect("/workbench");
        c.get("/workbench").await.assert_contains("设备巡检");
        assert_eq!(funnel(&app, &l, "authorised"), 1);
        assert_eq!(funnel(&app, &l, "started"), 1);
        // Without a callback URL, no event.
        link_without_callback(&app, &l).await;
    })
    .await;
}

/// A second link of the same product without a callback URL: authorising it queues no
/// event.
async fn link_without_callback(app: &TestApp, l: &Link) {
    let (id, token) = crate::support::quickdeploy_deploy::application_of(
        app,
        l.provider,
        l.padmin,
        l.product,
        &Opts::default(),
    );
    let l2 = Link {
        provider: l.provider,
        padmin: l.padmin,
        product: l.product,
        id,
        token,
    };
    let c = one_person_team(app, &l2, "quiet-boss").await;
    c.post(&l2.path("authorise"), &[])
        .await
        .assert_redirect(&l2.path("scope"));
    let queued: i64 = jobs::table
        .filter(jobs::kind.eq("quickdeploy.deployed"))
        .count()
        .get_result(&mut *app.conn())
        .expect("jobs");
    assert_eq!(queued, 1);
}
