//! Quick deploy's provider side after approval (issue 20): the serial-number list
//! (generated, uploaded all or nothing, the leaked-QR flag), the deployed organisations,
//! the funnel, the provider's API key and get_auth_info, and the signed "deployed"
//! callback. Both backends. Deployments and tries are written directly here; the
//! customer's flow that writes them is tested in `quickdeploy_deploy`.

use axum::body::Body;
use axum::http::{StatusCode, header};
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::qd_funnel;

use crate::support::quickdeploy_serials::*;
use crate::support::receiver::{Receiver, runner};
use crate::support::{TestApp, each_backend};

fn serials_of(id: i64) -> String {
    format!("/provider/quick-deploy/applications/{id}/serials")
}

/// get_auth_info with `key` (none: no header): status and JSON.
async fn auth_info(
    app: &TestApp,
    key: Option<&str>,
    query: &str,
) -> (StatusCode, serde_json::Value) {
    let c = app.client();
    let mut req = c.request("GET", &format!("/api/v1/quick-deploy/auth-info{query}"));
    if let Some(k) = key {
        req = req.header(header::AUTHORIZATION, format!("Bearer {k}"));
    }
    let r = c.send(req.body(Body::empty()).expect("req")).await;
    let v = serde_json::from_str(&r.body).unwrap_or(serde_json::Value::Null);
    (r.status, v)
}

fn corp_ids(v: &serde_json::Value) -> Vec<String> {
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            i["organisation"]["corp_id"]
                .as_str()
                .expect("corp")
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn generated_numbers_are_unique_and_listed() {
    each_backend(async |app| {
        let w = qd_world(&app);
        let padmin = app.signed_in("qs.padmin").await;
        let path = serials_of(w.application);
        padmin
            .post(&format!("{path}/generate"), &[("count", "60")])
            .await
            .assert_redirect(&path);
        let numbers = listed(&app, w.application);
        assert_eq!(numbers.len(), 60);
        let mut unique = numbers.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 60, "no number twice");
        let shape = |n: &str| {
            n.len() == 19
                && n.split('-').count() == 4
                && n.chars()
                    .all(|c| c == '-' || "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".contains(c))
        };
        assert!(numbers.iter().all(|n| shape(n)), "{numbers:?}");
        // Newest first, 50 a page; the rest on the next.
        let page = padmin.get(&path).await;
        page.assert_contains(&numbers[59])
            .assert_contains("rel=\"next\"");
        assert!(!page.body.contains(&numbers[0]));
        // Out of range: the form again, with the count kept and its error.
        let r = padmin
            .post(&format!("{path}/generate"), &[("count", "1001")])
            .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("1001")
            .assert_contains("field-error");
        assert_eq!(listed(&app, w.application).len(), 60);
        // A developer reads the list but does not change it.
        let dev = app.signed_in("qs.pdev").await;
        dev.get(&path).await.assert_status(StatusCode::OK);
        dev.post(&format!("{path}/generate"), &[("count", "5")])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        // Another provider's application is missing, to read and to change.
        padmin
            .get(&serials_of(w.application2))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        padmin
            .post(
                &format!("{}/generate", serials_of(w.application2)),
                &[("count", "5")],
            )
            .await
            .assert_status(StatusCode::NOT_FOUND);
        assert!(listed(&app, w.application2).is_empty());
    })
    .await;
}

#[tokio::test]
async fn an_upload_with_a_bad_line_refuses_the_whole_file_and_reports_the_line() {
    each_backend(async |app| {
        let w = qd_world(&app);
        let padmin = app.signed_in("qs.padmin").await;
        let path = serials_of(w.application);
        let upload = async |text: &str| {
            padmin
                .post_multipart(
                    &format!("{path}/upload"),
                    &[],
                    &[("file", "serials.csv", "text/csv", text.as_bytes())],
                )
                .await
        };
        upload("SN-000001\nSN-000002\n")
            .await
            .assert_redirect(&path);
        assert_eq!(listed(&app, w.application), ["SN-000001", "SN-000002"]);
        // Line 2 malformed, line 3 repeats line 1, line 4 is already listed.
        let r = upload("SN-000003\nbad one\nSN-000003\nSN-000002\nSN-000004\n").await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("upload-report");
        let report = scraper::Html::parse_document(&r.body);
        let sel = scraper::Selector::parse("tr.refused-line td:first-child").expect("sel");
        let lines: Vec<String> = report
            .select(&sel)
            .map(|e| e.text().collect::<String>())
            .collect();
        assert_eq!(lines, ["2", "3", "4"]);
        r.assert_contains("格式不对")
            .assert_contains("与文件中前面的行重复")
            .assert_contains("已在序列号列表中");
        // Nothing of it was added, not even its good lines.
        assert_eq!(listed(&app, w.application), ["SN-000001", "SN-000002"]);
        // An empty file is refused too.
        upload("\n\n")
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("文件里没有序列号");
    })
    .await;
}

#[tokio::test]
async fn a_number_tried_by_two_organisations_is_flagged() {
    each_backend(async |app| {
        let w = qd_world(&app);
        let padmin = app.signed_in("qs.padmin").await;
        let path = serials_of(w.application);
        padmin
            .post_multipart(
                &format!("{path}/upload"),
                &[],
                &[(
                    "file",
                    "s.txt",
                    "text/plain",
                    b"PAID-BY-A1\nONLY-A-TRIED\nNOBODY-YET\n",
                )],
            )
            .await
            .assert_redirect(&path);
        // A paid and redeemed; B scanned A's code and typed the same number.
        tried(&app, w.application, "PAID-BY-A1", w.cust_a, w.user_a, true);
        redeemed(&app, w.application, "PAID-BY-A1", w.cust_a, w.user_a);
        tried(&app, w.application, "PAID-BY-A1", w.cust_b, w.user_b, false);
        tried(&app, w.application, "PAID-BY-A1", w.cust_b, w.user_b, false);
        // A typed another number twice: one organisation, not flagged.
        tried(
            &app,
            w.application,
            "ONLY-A-TRIED",
            w.cust_a,
            w.user_a,
            false,
        );
        tried(
            &app,
            w.application,
            "ONLY-A-TRIED",
            w.cust_a,
            w.user_a,
            false,
        );
        let page = padmin.get(&path).await;
        let doc = scraper::Html::parse_document(&page.body);
        let flagged = scraper::Selector::parse("#serials tr:has(.flagged) code").expect("sel");
        let numbers: Vec<String> = doc
            .select(&flagged)
            .map(|e| e.text().collect::<String>())
            .collect();
        assert_eq!(numbers, ["PAID-BY-A1"]);
        // Who redeemed it, with its CorpID.
        page.assert_contains("甲工厂")
            .assert_contains("qdaaaaaaaaaa");
        // The filter shows the flagged numbers only.
        let only = padmin.get(&format!("{path}?flagged=1")).await;
        only.assert_contains("PAID-BY-A1")
            .assert_lacks("ONLY-A-TRIED")
            .assert_lacks("NOBODY-YET");
        // The export has every number with its tries.
        let csv = padmin.get(&format!("{path}/export")).await;
        csv.assert_status(StatusCode::OK)
            .assert_contains("NOBODY-YET");
        assert!(csv.body.lines().any(|l| l.starts_with("PAID-BY-A1")
            && l.contains("qdaaaaaaaaaa")
            && l.ends_with(",2")));
    })
    .await;
}

#[tokio::test]
async fn the_serial_page_says_when_the_numbers_are_verified_by_the_providers_endpoint() {
    each_backend(async |app| {
        let w = qd_world(&app);
        let endpoint = application(&app, w.provider, w.padmin, w.product, true, "endpoint", "");
        let off = application(&app, w.provider, w.padmin, w.product, false, "list", "");
        let padmin = app.signed_in("qs.padmin").await;
        let page = padmin.get(&serials_of(endpoint)).await;
        page.assert_contains("序列号由你的验证接口校验")
            .assert_lacks("/serials/generate");
        padmin
            .post(
                &format!("{}/generate", serials_of(endpoint)),
                &[("count", "3")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(listed(&app, endpoint).is_empty());
        padmin
            .get(&serials_of(off))
            .await
            .assert_contains("此应用不验证序列号");
    })
    .await;
}

#[tokio::test]
async fn the_provider_sees_each_deployed_organisation_and_the_step_it_reached() {
    each_backend(async |app| {
        let w = qd_world(&app);
        let a_copy = copy_in(&app, w.cust_a, w.user_a);
        deployment(
            &app,
            w.application,
            w.cust_a,
            w.product,
            w.user_a,
            Some("SN-A"),
            Some(a_copy),
        );
        deployment(
            &app,
            w.application,
            w.cust_b,
            w.product,
            w.user_b,
            None,
            None,
        );
        let padmin = app.signed_in("qs.padmin").await;
        let path = format!(
            "/provider/quick-deploy/applications/{}/deployments",
            w.application
        );
        let page = padmin.get(&path).await;
        page.assert_contains("甲工厂")
            .assert_contains("qdaaaaaaaaaa")
            .assert_contains("SN-A")
            .assert_contains("使用中")
            .assert_contains("乙工厂")
            .assert_contains("团队已创建，待授权");
        // Another provider sees none of it.
        app.signed_in("qs.p2admin")
            .await
            .get(&path)
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn the_funnel_counts_each_step_and_skips_the_serial_when_none_is_asked_for() {
    each_backend(async |app| {
        let w = qd_world(&app);
        let off = application(&app, w.provider, w.padmin, w.product, false, "list", "");
        for (step, n) in [
            ("opened", 8),
            ("signed_in", 4),
            ("team", 2),
            ("authorised", 1),
        ] {
            for i in 0..n {
                diesel::insert_into(qd_funnel::table)
                    .values((
                        qd_funnel::application_id.eq(off),
                        qd_funnel::step.eq(step),
                        qd_funnel::visitor.eq(format!("v{i}")),
                        qd_funnel::at.eq(fenfa::db::now()),
                    ))
                    .execute(&mut *app.conn())
                    .expect("funnel");
            }
        }
        let padmin = app.signed_in("qs.padmin").await;
        let page = padmin
            .get(&format!("/provider/quick-deploy/applications/{off}/funnel"))
            .await;
        page.assert_status(StatusCode::OK)
            .assert_contains("<svg")
            .assert_contains("打开链接 8 人，开始使用 0 人")
            .assert_contains("50.0 %")
            .assert_contains("不适用");
        let doc = scraper::Html::parse_document(&page.body);
        let cell = scraper::Selector::parse("#step-authorised td").expect("sel");
        let cells: Vec<String> = doc.select(&cell).map(|e| e.text().collect()).collect();
        // Authorised counts against the team step, over the skipped serial step.
        assert_eq!(cells, ["1", "50.0 %"]);
    })
    .await;
}

/// An app of `org` (its copy of the provider's app, as authorising makes it).
fn copy_in(app: &TestApp, org: i64, user: i64) -> i64 {
    let scope = fenfa::auth::OrgScope::system(org, user, Role::MainAdmin);
    fenfa::apps::store::create_app(
        &mut app.conn(),
        &scope,
        fenfa::apps::NewApp {
            name: "巡检助手",
            glyph: "file-text",
            color: "green",
            image: "",
            description: "",
            premium: false,
        },
    )
    .expect("copy")
}

#[tokio::test]
async fn get_auth_info_refuses_a_missing_wrong_or_rotated_key() {
    each_backend(async |app| {
        let w = qd_world(&app);
        deployment(
            &app,
            w.application,
            w.cust_a,
            w.product,
            w.user_a,
            None,
            None,
        );
        let (s, v) = auth_info(&app, None, "").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(v["error"]["code"], "invalid_key");
        let (s, v) = auth_info(&app, Some(&fenfa::tools::new_token()), "").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(v["error"]["code"], "invalid_key");
        let padmin = app.signed_in("qs.padmin").await;
        // The developer may not issue one.
        app.signed_in("qs.pdev")
            .await
            .post("/provider/quick-deploy/api-key", &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        let old = issue_key(&padmin).await;
        let (s, v) = auth_info(&app, Some(&old), "").await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(corp_ids(&v), ["qdaaaaaaaaaa"]);
        // Shown once: the page afterwards shows its prefix only.
        let page = padmin.get("/provider/quick-deploy/api-key").await;
        page.assert_contains(&old[..8]).assert_lacks(&old);
        let new = issue_key(&padmin).await;
        assert_ne!(old, new);
        let (s, v) = auth_info(&app, Some(&old), "").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "the rotated key stops at once");
        assert_eq!(v["error"]["code"], "invalid_key");
        assert_eq!(auth_info(&app, Some(&new), "").await.0, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn get_auth_info_pages_with_the_cursor() {
    each_backend(async |app| {
        let w = qd_world(&app);
        let mut corps = vec![];
        for i in 0..5 {
            let corp = format!("qdpage{i:06}");
            let org = app.org(&format!("客户{i}"), &corp, "professional");
            let u = app.person(org, &format!("qs.page{i}"), Role::MainAdmin);
            deployment(&app, w.application, org, w.product, u, None, None);
            corps.push(corp);
        }
        let key = issue_key(&app.signed_in("qs.padmin").await).await;
        let (s, first) = auth_info(&app, Some(&key), "?limit=2").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(corp_ids(&first), corps[..2]);
        let next = first["next"].as_i64().expect("next");
        let (_, second) = auth_info(&app, Some(&key), &format!("?limit=2&after={next}")).await;
        assert_eq!(corp_ids(&second), corps[2..4]);
        let next = second["next"].as_i64().expect("next");
        let (_, last) = auth_info(&app, Some(&key), &format!("?limit=2&after={next}")).await;
        assert_eq!(corp_ids(&last), corps[4..]);
        assert!(last["next"].is_null());
        // The default page holds them all; a limit past 200 is refused.
        assert_eq!(corp_ids(&auth_info(&app, Some(&key), "").await.1), corps);
        let (s, v) = auth_info(&app, Some(&key), "?limit=500").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(v["error"]["code"], "bad_request");
    })
    .await;
}

#[tokio::test]
async fn get_auth_info_finds_one_organisation_by_its_corp_id() {
    each_backend(async |app| {
        let w = qd_world(&app);
        let copy = copy_in(&app, w.cust_a, w.user_a);
        let d = deployment(
            &app,
            w.application,
            w.cust_a,
            w.product,
            w.user_a,
            Some("SN-A-1"),
            Some(copy),
        );
        deployment(
            &app,
            w.application,
            w.cust_b,
            w.product,
            w.user_b,
            None,
            None,
        );
        // A's links: a revoked one, an expired one, the live one.
        team_link(&app, w.cust_a, w.user_a, 86_400, true);
        let live = team_link(&app, w.cust_a, w.user_a, 86_400, false);
        team_link(&app, w.cust_a, w.user_a, -10, false);
        let key = issue_key(&app.signed_in("qs.padmin").await).await;
        let (s, v) = auth_info(&app, Some(&key), "?corp_id=qdaaaaaaaaaa").await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let items = v["items"].as_array().expect("items");
        assert_eq!(items.len(), 1);
        let i = &items[0];
        assert_eq!(i["deployment_id"], d);
        assert_eq!(i["application_id"], w.application);
        assert_eq!(i["product_code"], "QS00000001");
        assert_eq!(i["organisation"]["id"], w.cust_a);
        assert_eq!(i["organisation"]["name"], "甲工厂");
        assert_eq!(i["serial"], "SN-A-1");
        assert_eq!(i["authorised"], true);
        assert!(i["authorised_at"].is_i64() && i["started_at"].is_i64());
        assert_eq!(i["usage_scope"]["kind"], "all");
        let link = i["team_invitation_link"].as_str().expect("link");
        assert!(link.ends_with(&format!("/qd/team/{live}")), "{link}");
        assert!(link.starts_with("http"), "{link}");
        // B has not authorised: no scope, no link.
        let (_, v) = auth_info(&app, Some(&key), "?corp_id=qdbbbbbbbbbb").await;
        let b = &v["items"][0];
        assert_eq!(b["authorised"], false);
        assert!(b["usage_scope"].is_null() && b["team_invitation_link"].is_null());
        // Unknown CorpID: not found.
        let (s, v) = auth_info(&app, Some(&key), "?corp_id=qdnobody0000").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(v["error"]["code"], "not_found");
    })
    .await;
}

#[tokio::test]
async fn get_auth_info_never_returns_another_providers_organisations() {
    each_backend(async |app| {
        let w = qd_world(&app);
        deployment(
            &app,
            w.application,
            w.cust_a,
            w.product,
            w.user_a,
            None,
            None,
        );
        // B deployed the second provider's app only.
        deployment(
            &app,
            w.application2,
            w.cust_b,
            w.product2,
            w.user_b,
            Some("P2-SERIAL"),
            None,
        );
        let key = issue_key(&app.signed_in("qs.padmin").await).await;
        let key2 = issue_key(&app.signed_in("qs.p2admin").await).await;
        let (_, v) = auth_info(&app, Some(&key), "").await;
        assert_eq!(corp_ids(&v), ["qdaaaaaaaaaa"]);
        assert!(!v.to_string().contains("P2-SERIAL"));
        let (_, v2) = auth_info(&app, Some(&key2), "").await;
        assert_eq!(corp_ids(&v2), ["qdbbbbbbbbbb"]);
        // Another provider's organisation by CorpID answers exactly like an unknown one.
        let foreign = auth_info(&app, Some(&key), "?corp_id=qdbbbbbbbbbb").await;
        let unknown = auth_info(&app, Some(&key), "?corp_id=qdnobody0000").await;
        assert_eq!(foreign.0, StatusCode::NOT_FOUND);
        assert_eq!(foreign, unknown);
    })
    .await;
}

#[tokio::test]
async fn the_deployed_callback_is_delivered_signed_to_the_providers_receiver() {
    each_backend(async |app| {
        let w = qd_world(&app);
        let with_cb = application(
            &app,
            w.provider,
            w.padmin,
            w.product,
            true,
            "list",
            "https://isv.example.com/callback",
        );
        let copy = copy_in(&app, w.cust_a, w.user_a);
        let d = deployment(
            &app,
            with_cb,
            w.cust_a,
            w.product,
            w.user_a,
            Some("SN-CB-1"),
            Some(copy),
        );
        // The job as the authorising transaction writes it (events::deployed).
        fenfa::jobs::enqueue(
            &mut app.conn(),
            "quickdeploy.deployed",
            &serde_json::json!({ "deployment_id": d }),
        )
        .expect("job");
        let receiver = Receiver::new(true);
        receiver.trust("qs-secret-of-the-application");
        // Refused first: the runner keeps the job to retry.
        receiver.answer(StatusCode::SERVICE_UNAVAILABLE);
        let ctx = runner(&app, &receiver.start().await, None);
        assert_eq!(fenfa::jobs::run_due(&ctx).await.expect("run"), 1);
        assert_eq!(receiver.events().len(), 1);
        let state: String = fenfa::db::schema::jobs::table
            .filter(fenfa::db::schema::jobs::kind.eq("quickdeploy.deployed"))
            .select(fenfa::db::schema::jobs::state)
            .first(&mut *app.conn())
            .expect("job");
        assert_eq!(state, "pending", "retried later");
        // Due again now: delivered.
        diesel::update(fenfa::db::schema::jobs::table)
            .set(fenfa::db::schema::jobs::run_at.eq(0))
            .execute(&mut *app.conn())
            .expect("due");
        receiver.answer(StatusCode::OK);
        assert_eq!(fenfa::jobs::run_due(&ctx).await.expect("run"), 1);
        let seen = receiver.events();
        assert_eq!(seen.len(), 2);
        assert!(
            seen.iter().all(|e| e.signed),
            "signed with the application's secret"
        );
        assert_eq!(seen[0].id, seen[1].id, "the same event id on every attempt");
        let e = &seen[1].body;
        assert_eq!(e["type"], "deployed");
        assert_eq!(e["application_id"], with_cb);
        assert_eq!(e["product_code"], "QS00000001");
        assert_eq!(e["enterprise"]["corp_id"], "qdaaaaaaaaaa");
        assert_eq!(e["enterprise"]["name"], "甲工厂");
        assert_eq!(e["data"]["serial"], "SN-CB-1");
        assert!(e["data"]["authorised_at"].is_i64() && e["created_at"].is_i64());
        assert_eq!(fenfa::jobs::run_due(&ctx).await.expect("run"), 0, "done");
    })
    .await;
}
