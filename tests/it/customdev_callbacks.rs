//! Signed callbacks of custom development (seed 003's 回调 URL) and the durable job runner
//! that delivers them: verification of a callback URL when it is saved, events signed
//! and delivered at least once with a stable id, retries with backoff until the job is
//! dead, redelivery, and two runners sharing one database. Every rule on both backends,
//! against a local receiver reached through the outbound override.

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{cd_custom_apps, cd_deliveries, cd_reviews, cd_templates, jobs, orgs};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::support::{Client, Resp, TestApp, each_backend};

// ---- the world (a smaller copy of tests/it/customdev.rs's) ----

/// A certified provider (cb.padmin), an enterprise (cb.eadmin) and the operator (cb.op).
fn world(app: &TestApp) -> i64 {
    let provider = app.org("回调服务商", "dingcbprovider", "exclusive");
    diesel::update(orgs::table.find(provider))
        .set((
            orgs::certified.eq(true),
            orgs::provider_level.eq("advanced"),
        ))
        .execute(&mut *app.conn())
        .expect("certified");
    app.person(provider, "cb.padmin", Role::MainAdmin);
    let enterprise = app.org("回调企业", "dingcbenterprise", "professional");
    app.person(enterprise, "cb.eadmin", Role::MainAdmin);
    app.operator("cb.op");
    enterprise
}

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(750, 750, image::Rgb([20, 120, 200]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

fn fields(callback: &str) -> Vec<(&str, &str)> {
    vec![
        ("name", "回调CRM"),
        ("intro", "客户跟进管理"),
        ("category", "客户管理"),
        ("industry", "制造"),
        ("callback_url", callback),
        ("source_app_id", ""),
    ]
}

async fn post_template(c: &Client, callback: &str) -> Resp {
    c.post_multipart(
        "/provider/custom-dev",
        &fields(callback),
        &[("logo", "logo.png", "image/png", &png())],
    )
    .await
}

fn id_after(r: &Resp, prefix: &str) -> i64 {
    r.assert_redirect(prefix);
    r.location()[prefix.len()..]
        .split(['/', '?'])
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id in {}", r.location()))
}

fn last_ticket(app: &TestApp) -> i64 {
    cd_reviews::table
        .order(cd_reviews::id.desc())
        .select(cd_reviews::id)
        .first(&mut *app.conn())
        .expect("ticket")
}

async fn approve_and_go_live(app: &TestApp, padmin: &Client) {
    let ticket = last_ticket(app);
    app.signed_in("cb.op")
        .await
        .post_ok(
            &format!("/operator/custom-dev/tickets/{ticket}"),
            &[("decision", "approve"), ("reason", "")],
        )
        .await;
    padmin
        .post_ok(&format!("/provider/custom-dev/tickets/{ticket}/live"), &[])
        .await;
}

/// A live template whose callback URL is `https://isv.example.com/cb` (verification off,
/// as in the other modules' tests): (template id, authorisation token).
async fn live_template(app: &TestApp, padmin: &Client) -> (i64, String) {
    let tid = id_after(
        &post_template(padmin, "https://isv.example.com/cb").await,
        "/provider/custom-dev/",
    );
    padmin
        .post_ok(
            "/provider/custom-dev/golive/templates",
            &[("template", &tid.to_string())],
        )
        .await;
    approve_and_go_live(app, padmin).await;
    let token = cd_templates::table
        .find(tid)
        .select(cd_templates::token)
        .first(&mut *app.conn())
        .expect("token");
    (tid, token)
}

/// The enterprise authorises the template: the active custom app's id.
async fn authorise(app: &TestApp, token: &str, enterprise: i64) -> i64 {
    app.signed_in("cb.eadmin")
        .await
        .post_ok(&format!("/custom-dev/authorise/{token}"), &[])
        .await;
    cd_custom_apps::table
        .filter(cd_custom_apps::enterprise_org_id.eq(enterprise))
        .filter(cd_custom_apps::status.eq("active"))
        .select(cd_custom_apps::id)
        .first(&mut *app.conn())
        .expect("custom app")
}

fn app_token(app: &TestApp, cid: i64) -> String {
    cd_custom_apps::table
        .find(cid)
        .select(cd_custom_apps::callback_token)
        .first(&mut *app.conn())
        .expect("callback token")
}

// ---- the receiver ----

fn hmac_hex(token: &str, timestamp: &str, nonce: &str, data: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(token.as_bytes()).expect("key");
    mac.update(format!("{timestamp}\n{nonce}\n{data}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// What a receiver saw: verifications (signature valid?) and events (event id, type,
/// signature valid?).
#[derive(Default)]
struct Seen {
    verifications: Vec<bool>,
    events: Vec<(String, String, bool)>,
}

#[derive(Clone)]
struct Receiver {
    /// The token it checks signatures with (`None`: it does not check).
    token: Arc<Mutex<Option<String>>>,
    /// Answer the echo string (or something else).
    echo: bool,
    /// The status events are answered with.
    status: Arc<Mutex<StatusCode>>,
    seen: Arc<Mutex<Seen>>,
    delay_ms: u64,
}

impl Receiver {
    fn new(echo: bool) -> Receiver {
        Receiver {
            token: Arc::new(Mutex::new(None)),
            echo,
            status: Arc::new(Mutex::new(StatusCode::OK)),
            seen: Arc::new(Mutex::new(Seen::default())),
            delay_ms: 0,
        }
    }
    fn trust(&self, token: &str) {
        *self.token.lock().expect("lock") = Some(token.to_string());
    }
    fn answer(&self, status: StatusCode) {
        *self.status.lock().expect("lock") = status;
    }
    fn events(&self) -> Vec<(String, String, bool)> {
        self.seen.lock().expect("lock").events.clone()
    }
    fn verifications(&self) -> Vec<bool> {
        self.seen.lock().expect("lock").verifications.clone()
    }

    /// Serves `/cb` on a free local port; the base URL.
    async fn start(&self) -> String {
        async fn verify(
            State(r): State<Receiver>,
            Query(q): Query<std::collections::HashMap<String, String>>,
        ) -> String {
            let get = |k: &str| q.get(k).cloned().unwrap_or_default();
            let token = r.token.lock().expect("lock").clone();
            let ok = token.is_some_and(|t| {
                hmac_hex(&t, &get("timestamp"), &get("nonce"), &get("echostr")) == get("signature")
            });
            r.seen.lock().expect("lock").verifications.push(ok);
            if r.echo {
                get("echostr")
            } else {
                "success".into()
            }
        }
        async fn event(State(r): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
            if r.delay_ms > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(r.delay_ms)).await;
            }
            let h = |k: &str| {
                headers
                    .get(k)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string()
            };
            let token = r.token.lock().expect("lock").clone();
            let ok = token.is_some_and(|t| {
                hmac_hex(&t, &h("x-fenfa-timestamp"), &h("x-fenfa-nonce"), &body)
                    == h("x-fenfa-signature")
            });
            let v: serde_json::Value = serde_json::from_str(&body).expect("json body");
            let id = v["id"].as_str().expect("event id").to_string();
            assert_eq!(id, h("x-fenfa-event-id"));
            let kind = v["type"].as_str().expect("type").to_string();
            r.seen.lock().expect("lock").events.push((id, kind, ok));
            *r.status.lock().expect("lock")
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let router = axum::Router::new()
            .route("/cb", axum::routing::get(verify).post(event))
            .with_state(self.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        format!("http://{addr}")
    }
}

/// The job runner's context with the outbound override set to `base`.
fn runner(app: &TestApp, base: &str) -> fenfa::jobs::JobContext {
    let mut config = (*app.state.config).clone();
    config.outbound_override = Some(base.to_string());
    fenfa::jobs::JobContext {
        db: app.state.db.clone(),
        config: Arc::new(config),
    }
}

fn with_verification(app: &TestApp, base: Option<&str>) -> axum::Router {
    app.configured(|c| {
        c.verify_callbacks = true;
        c.outbound_override = base.map(str::to_string);
    })
}

// ---- verification ----

#[tokio::test]
async fn a_callback_url_is_verified_by_answering_the_signed_echo_string() {
    each_backend(async |app| {
        let enterprise = world(&app);
        let receiver = Receiver::new(true);
        let base = receiver.start().await;
        let padmin = app.signed_in("cb.padmin").await;
        let verifying = padmin.on(with_verification(&app, Some(&base)));
        // A new template: the receiver answers the echo string, the template is saved.
        let tid = id_after(
            &post_template(&verifying, "https://isv.example.com/cb").await,
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
                &fields("https://isv.example.com/cb?v=2"),
                &[],
            )
            .await
            .assert_redirect(&format!("/provider/custom-dev/{tid}"));
        assert_eq!(receiver.verifications(), [false, true]);
        // Saving again without changing the URL calls nobody.
        verifying
            .post_multipart(
                &format!("/provider/custom-dev/{tid}"),
                &fields("https://isv.example.com/cb?v=2"),
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
        let auth: String = cd_templates::table
            .find(tid)
            .select(cd_templates::token)
            .first(&mut *app.conn())
            .expect("token");
        let cid = authorise(&app, &auth, enterprise).await;
        assert_eq!(app_token(&app, cid), token);
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
            .signed_in("cb.padmin")
            .await
            .on(with_verification(&app, Some(&base)));
        post_template(&padmin, "https://isv.example.com/cb")
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
            .signed_in("cb.padmin")
            .await
            .on(with_verification(&app, Some(&base)));
        post_template(&padmin, "http://isv.example.com/cb")
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
            .signed_in("cb.padmin")
            .await
            .on(with_verification(&app, None));
        for url in [
            "https://127.0.0.1/cb",
            "https://10.0.0.8/cb",
            "https://[::1]:8443/cb",
            "https://localhost/cb",
        ] {
            post_template(&padmin, url)
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains("id=\"e-callback_url\"")
                .assert_contains("指向内部网络地址");
        }
    })
    .await;
}

// ---- events ----

fn deliveries(app: &TestApp, cid: i64) -> Vec<(String, String, i32, String)> {
    cd_deliveries::table
        .inner_join(jobs::table)
        .filter(cd_deliveries::custom_app_id.eq(cid))
        .order(cd_deliveries::id.asc())
        .select((
            cd_deliveries::event_id,
            cd_deliveries::event_type,
            cd_deliveries::attempts,
            jobs::state,
        ))
        .load(&mut *app.conn())
        .expect("deliveries")
}

#[tokio::test]
async fn events_are_signed_with_the_apps_token_and_delivered_with_a_stable_id() {
    each_backend(async |app| {
        let enterprise = world(&app);
        let padmin = app.signed_in("cb.padmin").await;
        let (_, token) = live_template(&app, &padmin).await;
        let cid = authorise(&app, &token, enterprise).await;
        // The event is in the outbox with the change, before any runner ran.
        let queued = deliveries(&app, cid);
        assert_eq!(queued.len(), 1);
        assert_eq!(
            (queued[0].1.as_str(), queued[0].3.as_str()),
            ("authorised", "pending")
        );
        let receiver = Receiver::new(true);
        receiver.trust(&app_token(&app, cid));
        let base = receiver.start().await;
        let ctx = runner(&app, &base);
        assert_eq!(fenfa::jobs::run_due(&ctx).await.expect("run"), 1);
        assert_eq!(fenfa::jobs::run_due(&ctx).await.expect("run"), 0, "done");
        // The enterprise cancels: the second event.
        app.signed_in("cb.eadmin")
            .await
            .post_ok(
                &format!("/org/custom-apps/{cid}/cancel"),
                &[("outcome", "keep")],
            )
            .await;
        fenfa::jobs::run_due(&ctx).await.expect("run");
        let seen = receiver.events();
        let kinds: Vec<&str> = seen.iter().map(|e| e.1.as_str()).collect();
        assert_eq!(kinds, ["authorised", "cancelled"]);
        assert!(seen.iter().all(|e| e.2), "every signature verifies");
        let stored = deliveries(&app, cid);
        assert_eq!(
            stored
                .iter()
                .map(|d| (d.0.clone(), d.2, d.3.as_str()))
                .collect::<Vec<_>>(),
            seen.iter()
                .map(|e| (e.0.clone(), 1, "done"))
                .collect::<Vec<_>>()
        );
        // The delivery log shows them to the provider.
        padmin
            .get(&format!("/provider/custom-dev/custom-apps/{cid}/callbacks"))
            .await
            .assert_contains(&seen[0].0)
            .assert_contains("已送达")
            .assert_contains("200");
    })
    .await;
}

#[tokio::test]
async fn going_live_sends_the_app_live_event() {
    each_backend(async |app| {
        let enterprise = world(&app);
        let padmin = app.signed_in("cb.padmin").await;
        let (tid, token) = live_template(&app, &padmin).await;
        let cid = authorise(&app, &token, enterprise).await;
        padmin
            .post_multipart(
                &format!("/provider/custom-dev/custom-apps/{cid}"),
                &[
                    ("name", "回调应用"),
                    ("intro", "回调企业的客户管理"),
                    ("callback_url", "https://isv.example.com/cb"),
                ],
                &[],
            )
            .await
            .assert_redirect(&format!("/provider/custom-dev/custom-apps/{cid}"));
        padmin
            .post_ok(
                "/provider/custom-dev/golive/apps",
                &[("template_id", &tid.to_string()), ("app", &cid.to_string())],
            )
            .await;
        approve_and_go_live(&app, &padmin).await;
        let kinds: Vec<String> = deliveries(&app, cid).into_iter().map(|d| d.1).collect();
        assert_eq!(kinds, ["authorised", "app_live"]);
    })
    .await;
}

#[tokio::test]
async fn a_change_of_the_apps_usage_scope_is_sent_as_an_event() {
    each_backend(async |app| {
        let enterprise = world(&app);
        let padmin = app.signed_in("cb.padmin").await;
        let (_, token) = live_template(&app, &padmin).await;
        let cid = authorise(&app, &token, enterprise).await;
        let app_id: i64 = fenfa::db::schema::cd_custom_apps::table
            .find(cid)
            .select(fenfa::db::schema::cd_custom_apps::app_id.assume_not_null())
            .first(&mut *app.conn())
            .expect("app");
        app.signed_in("cb.eadmin")
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
        let enterprise = world(&app);
        let padmin = app.signed_in("cb.padmin").await;
        let (_, token) = live_template(&app, &padmin).await;
        let cid = authorise(&app, &token, enterprise).await;
        let eadmin = app.signed_in("cb.eadmin").await;
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
        receiver.trust(&app_token(&app, cid));
        let base = receiver.start().await;
        let ctx = runner(&app, &base);
        assert_eq!(fenfa::jobs::run_due(&ctx).await.expect("run"), 3);
        let seen = receiver.events();
        assert!(seen.iter().all(|e| e.2), "every signature verifies");
        assert_eq!(seen.len(), 3);
    })
    .await;
}

#[tokio::test]
async fn a_failing_receiver_is_retried_with_backoff_then_marked_dead_and_can_be_redelivered() {
    each_backend(async |app| {
        let enterprise = world(&app);
        let padmin = app.signed_in("cb.padmin").await;
        let (_, token) = live_template(&app, &padmin).await;
        let cid = authorise(&app, &token, enterprise).await;
        let receiver = Receiver::new(true);
        receiver.trust(&app_token(&app, cid));
        receiver.answer(StatusCode::INTERNAL_SERVER_ERROR);
        let ctx = runner(&app, &receiver.start().await);
        let before = fenfa::db::now();
        assert_eq!(fenfa::jobs::run_due(&ctx).await.expect("run"), 1);
        // Failed once: pending again, not before the first backoff.
        let (state, run_at, err): (String, i64, String) = jobs::table
            .select((jobs::state, jobs::run_at, jobs::last_error))
            .first(&mut *app.conn())
            .expect("job");
        assert_eq!(state, "pending");
        assert!(
            run_at >= before + fenfa::jobs::backoff(1),
            "{run_at} {before}"
        );
        assert_eq!(err, "HTTP 500");
        assert_eq!(
            fenfa::jobs::run_due(&ctx).await.expect("run"),
            0,
            "not due yet"
        );
        padmin
            .get(&format!("/provider/custom-dev/custom-apps/{cid}/callbacks"))
            .await
            .assert_contains("重试中")
            .assert_contains("500");
        // Due again, nearly a day after it was queued: this failure is the last.
        diesel::update(jobs::table)
            .set((
                jobs::run_at.eq(fenfa::db::now()),
                jobs::created_at.eq(fenfa::db::now() - fenfa::jobs::RETRY_FOR + 5),
            ))
            .execute(&mut *app.conn())
            .expect("age");
        assert_eq!(fenfa::jobs::run_due(&ctx).await.expect("run"), 1);
        let d = deliveries(&app, cid);
        assert_eq!((d[0].2, d[0].3.as_str()), (2, "dead"));
        let page = format!("/provider/custom-dev/custom-apps/{cid}/callbacks");
        padmin.get(&page).await.assert_contains("已放弃");
        // The provider's admin redelivers it once the receiver works: same event id.
        receiver.answer(StatusCode::OK);
        let did: i64 = cd_deliveries::table
            .select(cd_deliveries::id)
            .first(&mut *app.conn())
            .expect("delivery");
        padmin
            .post(&format!("{page}/{did}/redeliver"), &[])
            .await
            .assert_redirect(&page);
        assert_eq!(fenfa::jobs::run_due(&ctx).await.expect("run"), 1);
        let d = deliveries(&app, cid);
        assert_eq!((d[0].2, d[0].3.as_str()), (3, "done"));
        let ids: Vec<String> = receiver.events().into_iter().map(|e| e.0).collect();
        assert_eq!(ids, [d[0].0.clone(), d[0].0.clone(), d[0].0.clone()]);
    })
    .await;
}

#[tokio::test]
async fn a_job_whose_runner_died_is_claimed_again_when_its_lease_runs_out() {
    each_backend(async |app| {
        let enterprise = world(&app);
        let padmin = app.signed_in("cb.padmin").await;
        let (_, token) = live_template(&app, &padmin).await;
        let cid = authorise(&app, &token, enterprise).await;
        // As a runner leaves it when killed mid-delivery: claimed, leased, never finished.
        let now = fenfa::db::now();
        diesel::update(jobs::table)
            .set((
                jobs::attempts.eq(1),
                jobs::run_at.eq(now + fenfa::jobs::LEASE),
                jobs::leased_until.eq(Some(now + fenfa::jobs::LEASE)),
            ))
            .execute(&mut *app.conn())
            .expect("leased");
        let receiver = Receiver::new(true);
        receiver.trust(&app_token(&app, cid));
        let ctx = runner(&app, &receiver.start().await);
        assert_eq!(
            fenfa::jobs::run_due(&ctx).await.expect("run"),
            0,
            "still leased"
        );
        diesel::update(jobs::table)
            .set(jobs::run_at.eq(now - 1))
            .execute(&mut *app.conn())
            .expect("lease ran out");
        assert_eq!(fenfa::jobs::run_due(&ctx).await.expect("run"), 1);
        assert_eq!(deliveries(&app, cid)[0].3, "done");
        assert_eq!(receiver.events().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn two_runners_on_one_database_deliver_each_event_once() {
    each_backend(async |app| {
        let enterprise = world(&app);
        let padmin = app.signed_in("cb.padmin").await;
        let (_, token) = live_template(&app, &padmin).await;
        let eadmin = app.signed_in("cb.eadmin").await;
        // Eight events: four authorisations, each cancelled.
        for _ in 0..4 {
            let cid = authorise(&app, &token, enterprise).await;
            eadmin
                .post_ok(
                    &format!("/org/custom-apps/{cid}/cancel"),
                    &[("outcome", "delete")],
                )
                .await;
        }
        let mut receiver = Receiver::new(true);
        receiver.delay_ms = 30;
        let base = receiver.start().await;
        let one = runner(&app, &base);
        // The second runner has its own pool, as another instance would.
        let mut two = one.clone();
        two.db = fenfa::db::Db::connect(
            &app.state.config.database_url(),
            fenfa::db::SqliteSync::Normal,
            4,
        )
        .expect("second pool");
        async fn drain(ctx: fenfa::jobs::JobContext) -> usize {
            let mut ran = 0;
            loop {
                match fenfa::jobs::run_batch(&ctx, 2).await.expect("run") {
                    0 => return ran,
                    n => ran += n,
                }
            }
        }
        let (a, b) = tokio::join!(drain(one), drain(two));
        assert_eq!(a + b, 8, "{a} + {b}");
        assert!(a > 0 && b > 0, "both runners took a share: {a} + {b}");
        let mut ids: Vec<String> = receiver.events().into_iter().map(|e| e.0).collect();
        assert_eq!(ids.len(), 8);
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 8, "each event once");
        let pending: i64 = jobs::table
            .filter(jobs::state.ne("done"))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(pending, 0);
    })
    .await;
}

#[tokio::test]
async fn a_callback_url_that_cannot_be_reached_or_speaks_no_tls_is_refused_with_the_reason() {
    each_backend(async |app| {
        world(&app);
        let padmin = app.signed_in("cb.padmin").await;
        // Nothing listens on the port.
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let c = padmin.on(with_verification(
            &app,
            Some(&format!("http://127.0.0.1:{closed}")),
        ));
        post_template(&c, "https://isv.example.com/cb")
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("id=\"e-callback_url\"")
            .assert_contains("无法连接回调 URL");
        // A server that answers plain HTTP where TLS is expected.
        let receiver = Receiver::new(true);
        let plain = receiver.start().await.replace("http://", "https://");
        let c = padmin.on(with_verification(&app, Some(&plain)));
        post_template(&c, "https://isv.example.com/cb")
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("无法与回调 URL 建立安全连接");
    })
    .await;
}
