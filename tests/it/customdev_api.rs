//! Custom apps' permissions with the enterprise's consent, and the provider API they
//! unlock: basic permissions with the authorisation, custom ones after consent, decline,
//! replacement, removal and revocation; the API's token, allow-list, cross-app and rate
//! checks. Both backends.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use diesel::prelude::*;
use fenfa::db::schema::{cd_access_tokens, notifications, pages, users};

use crate::support::customdev::*;
use crate::support::{Client, Resp, TestApp, each_backend};

/// The app id and secret, issued on the provider's page (shown once).
async fn credentials(padmin: &Client, cid: i64) -> (String, String) {
    let r = padmin
        .post(
            &format!("/provider/custom-dev/custom-apps/{cid}/secret"),
            &[],
        )
        .await;
    r.assert_status(StatusCode::OK)
        .assert_contains("密钥只显示这一次");
    let id = value_of(&r.body, "client-id").expect("client id");
    let secret = value_of(&r.body, "client-secret").expect("secret");
    (id, secret)
}

/// The value of the input with this id.
fn value_of(html: &str, id: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(&format!("input#{id}")).ok()?;
    doc.select(&sel)
        .next()?
        .value()
        .attr("value")
        .map(str::to_string)
}

async fn api(
    c: &Client,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
    forwarded: Option<&str>,
) -> Resp {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    c.send(req.body(Body::from(body)).expect("request")).await
}

async fn access_token(c: &Client, id: &str, secret: &str) -> String {
    let r = api(
        c,
        "POST",
        "/api/v1/token",
        None,
        Some(serde_json::json!({ "client_id": id, "client_secret": secret })),
        None,
    )
    .await;
    r.assert_status(StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["expires_in"], 7200);
    v["access_token"].as_str().expect("token").to_string()
}

fn code(r: &Resp) -> String {
    serde_json::from_str::<serde_json::Value>(&r.body).expect("json")["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// An authorised, configured, live custom app with an access token: (authorisation,
/// app, token, the provider's admin).
async fn live_app(app: &TestApp, w: &World) -> (i64, i64, String, Client) {
    let (_, cid, app_id) = live_custom_app(app, w).await;
    let padmin = app.signed_in("cd.padmin").await;
    let (id, secret) = credentials(&padmin, cid).await;
    let token = access_token(&app.client(), &id, &secret).await;
    (cid, app_id, token, padmin)
}

async fn request(padmin: &Client, cid: i64, perms: &[&str]) {
    let form: Vec<(&str, &str)> = perms.iter().map(|p| ("perm", *p)).collect();
    padmin
        .post_ok(
            &format!("/provider/custom-dev/custom-apps/{cid}/permissions"),
            &form,
        )
        .await;
}

#[tokio::test]
async fn basic_permissions_come_with_the_authorisation_and_custom_ones_only_after_consent() {
    each_backend(async |app| {
        let w = world(&app);
        let (cid, _, token, padmin) = live_app(&app, &w).await;
        let c = app.client();
        let r = api(&c, "GET", "/api/v1/enterprise", Some(&token), None, None).await;
        r.assert_status(StatusCode::OK)
            .assert_contains("星河制造")
            .assert_contains("dingcdenterprise");
        let dir = api(&c, "GET", "/api/v1/directory", Some(&token), None, None).await;
        dir.assert_status(StatusCode::FORBIDDEN);
        assert_eq!(code(&dir), "permission_not_granted");
        // The provider asks; until the enterprise confirms, nothing changes.
        request(&padmin, cid, &["directory"]).await;
        padmin
            .get(&format!("/provider/custom-dev/custom-apps/{cid}"))
            .await
            .assert_contains("待企业客户确认");
        assert_eq!(
            code(&api(&c, "GET", "/api/v1/directory", Some(&token), None, None).await),
            "permission_not_granted"
        );
        let eadmin = app.signed_in("cd.eadmin").await;
        let page = format!("/org/custom-apps/{cid}/permissions");
        // In words, with counts: its 4 people in 2 departments.
        eadmin
            .get(&page)
            .await
            .assert_contains("读取全部通讯录：4 人、2 个部门");
        eadmin.post_ok(&format!("{page}/agree"), &[]).await;
        let dir = api(&c, "GET", "/api/v1/directory", Some(&token), None, None).await;
        dir.assert_status(StatusCode::OK)
            .assert_contains("cd.member");
        eadmin
            .get(&page)
            .await
            .assert_contains("同意")
            .assert_contains("cd.eadmin");
        padmin
            .get(&format!(
                "/provider/custom-dev/custom-apps/{cid}/permissions"
            ))
            .await
            .assert_contains("读取全部通讯录（部门和成员）");
    })
    .await;
}

#[tokio::test]
async fn declining_keeps_the_previous_set_and_a_new_request_replaces_a_pending_one() {
    each_backend(async |app| {
        let w = world(&app);
        let (cid, _, token, padmin) = live_app(&app, &w).await;
        let c = app.client();
        let eadmin = app.signed_in("cd.eadmin").await;
        let page = format!("/org/custom-apps/{cid}/permissions");
        request(&padmin, cid, &["messages"]).await;
        eadmin.post_ok(&format!("{page}/agree"), &[]).await;
        request(&padmin, cid, &["messages", "directory"]).await;
        request(&padmin, cid, &["messages", "partners"]).await;
        // The second request replaced the first: the enterprise sees partners only.
        eadmin
            .get(&page)
            .await
            .assert_contains("读取企业互联空间的伙伴通讯录")
            .assert_lacks("读取全部通讯录：");
        eadmin.post_ok(&format!("{page}/decline"), &[]).await;
        let msg = serde_json::json!({ "user_ids": [], "text": "x" });
        let r = api(
            &c,
            "POST",
            "/api/v1/messages",
            Some(&token),
            Some(msg),
            None,
        )
        .await;
        assert_ne!(
            code(&r),
            "permission_not_granted",
            "messages stay confirmed"
        );
        assert_eq!(
            code(&api(&c, "GET", "/api/v1/partners", Some(&token), None, None).await),
            "permission_not_granted"
        );
        eadmin
            .post(&format!("{page}/agree"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
    })
    .await;
}

#[tokio::test]
async fn removing_a_permission_is_immediate_and_the_enterprise_can_revoke_one() {
    each_backend(async |app| {
        let w = world(&app);
        let (cid, _, token, padmin) = live_app(&app, &w).await;
        let c = app.client();
        let eadmin = app.signed_in("cd.eadmin").await;
        let page = format!("/org/custom-apps/{cid}/permissions");
        request(&padmin, cid, &["messages", "directory"]).await;
        eadmin.post_ok(&format!("{page}/agree"), &[]).await;
        // The provider drops directory: gone at once, no consent needed.
        request(&padmin, cid, &["messages"]).await;
        assert_eq!(
            code(&api(&c, "GET", "/api/v1/directory", Some(&token), None, None).await),
            "permission_not_granted"
        );
        // The enterprise takes messages back.
        eadmin
            .post_ok(&format!("{page}/revoke"), &[("perm", "messages")])
            .await;
        let msg = serde_json::json!({ "user_ids": [1], "text": "你好" });
        assert_eq!(
            code(
                &api(
                    &c,
                    "POST",
                    "/api/v1/messages",
                    Some(&token),
                    Some(msg),
                    None
                )
                .await
            ),
            "permission_not_granted"
        );
        eadmin
            .get(&page)
            .await
            .assert_contains("收回")
            .assert_contains("服务商取消");
    })
    .await;
}

#[tokio::test]
async fn the_api_refuses_missing_expired_foreign_and_cancelled_tokens_and_callers_outside_the_allow_list()
 {
    each_backend(async |app| {
        let w = world(&app);
        let (cid, _, token, padmin) = live_app(&app, &w).await;
        let c = app.client();
        let r = api(&c, "GET", "/api/v1/enterprise", None, None, None).await;
        r.assert_status(StatusCode::UNAUTHORIZED);
        assert_eq!(code(&r), "invalid_token");
        let fake = "A".repeat(43);
        assert_eq!(
            code(&api(&c, "GET", "/api/v1/enterprise", Some(&fake), None, None).await),
            "invalid_token"
        );
        // A wrong secret gets no token.
        let r = api(
            &c,
            "POST",
            "/api/v1/token",
            None,
            Some(serde_json::json!({ "client_id": "cdnope", "client_secret": "x" })),
            None,
        )
        .await;
        assert_eq!(code(&r), "invalid_client");
        // Another provider's app cannot read this enterprise's forms.
        let form: i64 = pages::table
            .filter(pages::name.eq("客户登记"))
            .order(pages::id.desc())
            .select(pages::id)
            .first(&mut *app.conn())
            .expect("form");
        let ok = api(
            &c,
            "GET",
            &format!("/api/v1/forms/{form}/submissions"),
            Some(&token),
            None,
            None,
        )
        .await;
        ok.assert_status(StatusCode::OK);
        let source_form: i64 = pages::table
            .filter(pages::name.eq("客户登记"))
            .order(pages::id.asc())
            .select(pages::id)
            .first(&mut *app.conn())
            .expect("provider's form");
        api(
            &c,
            "GET",
            &format!("/api/v1/forms/{source_form}/submissions"),
            Some(&token),
            None,
            None,
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        // An allow-list the caller is not on.
        padmin
            .post_multipart(
                &format!("/provider/custom-dev/custom-apps/{cid}"),
                &[
                    ("name", "星河CRM"),
                    ("intro", "星河制造的客户跟进与回款管理"),
                    ("ip_allow_list", "203.0.113.0/24"),
                ],
                &[],
            )
            .await;
        let behind = c.on(app.configured(|c| c.trust_proxy = true));
        let r = api(
            &behind,
            "GET",
            "/api/v1/enterprise",
            Some(&token),
            None,
            Some("198.51.100.9"),
        )
        .await;
        r.assert_status(StatusCode::FORBIDDEN);
        assert_eq!(code(&r), "ip_not_allowed");
        api(
            &behind,
            "GET",
            "/api/v1/enterprise",
            Some(&token),
            None,
            Some("203.0.113.7"),
        )
        .await
        .assert_status(StatusCode::OK);
        // Two hours later the token is dead (an old expiry the product cannot make: set).
        diesel::update(cd_access_tokens::table)
            .set(cd_access_tokens::expires_at.eq(fenfa::db::now() - 1))
            .execute(&mut *app.conn())
            .expect("expire");
        let r = api(
            &behind,
            "GET",
            "/api/v1/enterprise",
            Some(&token),
            None,
            Some("203.0.113.7"),
        )
        .await;
        assert_eq!(code(&r), "invalid_token");
        // A cancelled authorisation ends the API at once.
        let (id, secret) = credentials(&padmin, cid).await;
        let fresh = access_token(&c, &id, &secret).await;
        app.signed_in("cd.eadmin")
            .await
            .post_ok(
                &format!("/org/custom-apps/{cid}/cancel"),
                &[("outcome", "keep")],
            )
            .await;
        let r = api(
            &behind,
            "GET",
            "/api/v1/enterprise",
            Some(&fresh),
            None,
            Some("203.0.113.7"),
        )
        .await;
        r.assert_status(StatusCode::FORBIDDEN);
        assert_eq!(code(&r), "authorisation_cancelled");
    })
    .await;
}

#[tokio::test]
async fn calls_beyond_an_apps_rate_are_refused_with_retry_after() {
    each_backend(async |app| {
        let w = world(&app);
        let (_, _, token, _) = live_app(&app, &w).await;
        let c = app.client();
        let mut limited = None;
        for _ in 0..200 {
            let r = api(&c, "GET", "/api/v1/enterprise", Some(&token), None, None).await;
            if r.status == StatusCode::TOO_MANY_REQUESTS {
                limited = Some(r);
                break;
            }
        }
        let r = limited.expect("the bucket ran dry within 200 calls");
        assert_eq!(code(&r), "rate_limited");
        assert!(r.headers.contains_key(header::RETRY_AFTER));
    })
    .await;
}

#[tokio::test]
async fn with_consent_the_provider_messages_members_and_files_submissions_in_their_name() {
    each_backend(async |app| {
        let w = world(&app);
        let (cid, app_id, token, padmin) = live_app(&app, &w).await;
        let c = app.client();
        request(&padmin, cid, &["messages", "submit_on_behalf"]).await;
        app.signed_in("cd.eadmin")
            .await
            .post_ok(&format!("/org/custom-apps/{cid}/permissions/agree"), &[])
            .await;
        let member: i64 = users::table
            .filter(users::login.eq("cd.member"))
            .select(users::id)
            .first(&mut *app.conn())
            .expect("member");
        let msg = serde_json::json!({ "user_ids": [member, 987654], "text": "您有新的客户待跟进" });
        let r = api(
            &c,
            "POST",
            "/api/v1/messages",
            Some(&token),
            Some(msg),
            None,
        )
        .await;
        r.assert_status(StatusCode::OK)
            .assert_contains("\"sent\":1");
        let got: i64 = notifications::table
            .filter(notifications::user_id.eq(member))
            .filter(notifications::title.like("%您有新的客户待跟进"))
            .count()
            .get_result(&mut *app.conn())
            .expect("notes");
        assert_eq!(got, 1);
        // Submissions go through the form's rules, for members in the app's scope only.
        let form: i64 = pages::table
            .filter(pages::app_id.eq(app_id))
            .select(pages::id)
            .first(&mut *app.conn())
            .expect("form");
        let path = format!("/api/v1/forms/{form}/submissions");
        let body = serde_json::json!({ "user_id": member, "values": {} });
        api(&c, "POST", &path, Some(&token), Some(body.clone()), None)
            .await
            .assert_status(StatusCode::NOT_FOUND);
        app.signed_in("cd.eadmin")
            .await
            .post_ok(
                &format!("/apps/{app_id}/scope"),
                &[
                    ("scope_kind", "departments"),
                    ("department", &w.sales.to_string()),
                ],
            )
            .await;
        let r = api(&c, "POST", &path, Some(&token), Some(body), None).await;
        r.assert_status(StatusCode::CREATED);
        let people = api(&c, "GET", "/api/v1/scope/people", Some(&token), None, None).await;
        people.assert_contains("cd.member").assert_lacks("cd.other");
        let list = api(&c, "GET", &path, Some(&token), None, None).await;
        list.assert_status(StatusCode::OK)
            .assert_contains(&format!("\"submitter_id\":{member}"));
    })
    .await;
}

/// Consent to every custom permission: the provider asks, the enterprise's admin agrees.
async fn consent_to_all(padmin: &Client, admin: &Client, cid: i64) {
    request(
        padmin,
        cid,
        &["directory", "messages", "partners", "submit_on_behalf"],
    )
    .await;
    admin
        .post_ok(&format!("/org/custom-apps/{cid}/permissions/agree"), &[])
        .await;
}

fn user_id(app: &TestApp, login: &str) -> i64 {
    users::table
        .filter(users::login.eq(login))
        .select(users::id)
        .first(&mut *app.conn())
        .expect("user")
}

#[tokio::test]
async fn every_api_route_answers_each_token_as_its_checks_say_and_never_with_another_enterprises_data()
 {
    each_backend(async |app| {
        let w = world(&app);
        let (cid, app_id, _, padmin) = live_app(&app, &w).await;
        app.signed_in("cd.eadmin")
            .await
            .post_ok(&format!("/apps/{app_id}/scope"), &[("scope_kind", "all")])
            .await;
        let tid: i64 = fenfa::db::schema::cd_custom_apps::table
            .find(cid)
            .select(fenfa::db::schema::cd_custom_apps::template_id)
            .first(&mut *app.conn())
            .expect("template");
        // A second enterprise authorises the same template: its own app and token.
        let other = app.org("云帆物流", "dingcdenterprise3", "professional");
        app.person(other, "cd.e3admin", fenfa::auth::Role::MainAdmin);
        app.person(other, "cd.e3member", fenfa::auth::Role::Member);
        let e3admin = app.signed_in("cd.e3admin").await;
        e3admin
            .post_ok(
                &format!("/custom-dev/authorise/{}", token_of(&app, tid)),
                &[],
            )
            .await;
        let (cid_b, _) = custom_app(&app, tid, other).expect("second authorisation");
        consent_to_all(&padmin, &e3admin, cid_b).await;
        let (id_b, secret_b) = credentials(&padmin, cid_b).await;
        let c = app.client();
        let token_b = access_token(&c, &id_b, &secret_b).await;
        // This enterprise's tokens: one expired, one live with the basic set.
        let (id_a, secret_a) = credentials(&padmin, cid).await;
        let expired = access_token(&c, &id_a, &secret_a).await;
        diesel::update(cd_access_tokens::table)
            .set(cd_access_tokens::expires_at.eq(fenfa::db::now() - 1))
            .execute(&mut *app.conn())
            .expect("expire");
        let token_a = access_token(&c, &id_a, &secret_a).await;
        let form: i64 = pages::table
            .filter(pages::app_id.eq(app_id))
            .select(pages::id)
            .first(&mut *app.conn())
            .expect("form");
        let member_a = user_id(&app, "cd.member");
        let member_b = user_id(&app, "cd.e3member");
        let body = |path: &str, member: i64| -> Option<serde_json::Value> {
            if path == "/api/v1/messages" {
                Some(serde_json::json!({ "user_ids": [member], "text": "新版本已上线" }))
            } else if path.ends_with("/submissions") {
                Some(serde_json::json!({ "user_id": member, "values": {} }))
            } else {
                None
            }
        };
        let routes: Vec<_> = fenfa::app::route_table()
            .table()
            .into_iter()
            // The custom apps' API; quick deploy's provider-key route has its own tests.
            .filter(|r| {
                r.path.starts_with("/api/v1/")
                    && r.path != "/api/v1/token"
                    && !r.path.starts_with("/api/v1/quick-deploy/")
            })
            .collect();
        assert_eq!(routes.len(), 8, "the API's routes");
        let custom = [
            "GET /api/v1/directory",
            "GET /api/v1/partners",
            "POST /api/v1/messages",
            "POST /api/v1/forms/{id}/submissions",
        ];
        let mut checked = 0;
        let mut bad = vec![];
        for full in [false, true] {
            if full {
                consent_to_all(&padmin, &app.signed_in("cd.eadmin").await, cid).await;
            }
            for r in &routes {
                let path = r.path.replace("{id}", &form.to_string());
                let route = format!("{} {}", r.method, r.path);
                // Without a token, with a forged or an expired one: 401 invalid_token.
                for t in [None, Some("A".repeat(43)), Some(expired.clone())] {
                    let got = api(
                        &c,
                        r.method,
                        &path,
                        t.as_deref(),
                        body(r.path, member_a),
                        None,
                    )
                    .await;
                    checked += 1;
                    if got.status != StatusCode::UNAUTHORIZED || code(&got) != "invalid_token" {
                        bad.push(format!("{route} with {t:?}: {} {}", got.status, got.body));
                    }
                }
                // This enterprise's own token: the permission decides.
                let got = api(
                    &c,
                    r.method,
                    &path,
                    Some(&token_a),
                    body(r.path, member_a),
                    None,
                )
                .await;
                checked += 1;
                let refused =
                    got.status == StatusCode::FORBIDDEN && code(&got) == "permission_not_granted";
                let expect_refused = !full && custom.contains(&route.as_str());
                let allowed = !matches!(got.status.as_u16(), 401 | 403 | 404 | 500..);
                if (expect_refused && !refused) || (!expect_refused && !allowed) {
                    bad.push(format!(
                        "{route} (consent {full}): {} {}",
                        got.status, got.body
                    ));
                }
                // The other enterprise's token: this enterprise's ids answer as missing
                // ones, and nothing of this enterprise shows.
                let got = api(
                    &c,
                    r.method,
                    &path,
                    Some(&token_b),
                    body(r.path, member_b),
                    None,
                )
                .await;
                checked += 1;
                if r.path.contains("{id}") {
                    let missing = r.path.replace("{id}", "999999999");
                    let m = api(
                        &c,
                        r.method,
                        &missing,
                        Some(&token_b),
                        body(r.path, member_b),
                        None,
                    )
                    .await;
                    if got.status != m.status || code(&got) != code(&m) {
                        bad.push(format!(
                            "{route} foreign: {} vs missing {}",
                            got.status, m.status
                        ));
                    }
                }
                if got.body.contains("星河制造") || got.body.contains("cd.member") {
                    bad.push(format!(
                        "{route}: the other enterprise's token saw this one's data"
                    ));
                }
            }
        }
        crate::figures::figure(
            &format!("provider API matrix checks ({})", app.backend),
            format!(
                "{} routes, {checked} calls, {} unexpected (goal 0)",
                routes.len(),
                bad.len()
            ),
        );
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    })
    .await;
}
