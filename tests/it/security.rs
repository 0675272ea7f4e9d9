//! Attacks as they meet the portal: cross-site posts on every state-changing route, stored
//! script in every text a user can fill shown to every role, redirects that leave the site,
//! sessions (fixation, logout, a slow request racing the logout, expiry, disabling), and
//! password guessing (the cap, its message, its end, and equal refusal times).

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{StatusCode, header};
use diesel::prelude::*;
use diesel::sql_types::Text;
use fenfa::auth::Role;
use fenfa::db::schema::{fields, login_throttle, sessions, submissions};

use crate::figures::{figure, size};
use crate::support::permissions::{allowed_for, fill, harvest, principals, snapshot};
use crate::support::{PASSWORD, TestApp, each_backend};

/// The three ways a cross-site form post arrives, and a sibling subdomain.
const FORGERIES: &[(&str, &str, &str)] = &[
    ("cross-site Fetch-Metadata", "sec-fetch-site", "cross-site"),
    ("foreign Origin", "origin", "https://evil.example"),
    ("Origin: null", "origin", "null"),
    (
        "same-site (sibling subdomain)",
        "sec-fetch-site",
        "same-site",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_state_changing_route_accepts_a_cross_site_post() {
    each_backend(async |app| {
        let ps = principals(&app).await;
        let forms = harvest(&ps).await;
        let before = snapshot(&app);
        let (mut tried, mut succeeded) = (0usize, vec![]);
        let routes = fenfa::app::route_table().table();
        for r in routes.iter().filter(|r| r.method == "POST") {
            let i = allowed_for(r, &ps).unwrap_or(0);
            let p = &ps[i];
            let path = fill(r.path, &p.fx);
            let form = forms[i].get(&path).cloned().unwrap_or_default();
            let body = serde_urlencoded::to_string(&form.fields).expect("form");
            for (what, h, v) in FORGERIES {
                let req = p
                    .client
                    .request("POST", &path)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(*h, *v)
                    .body(Body::from(body.clone()))
                    .expect("req");
                let resp = p.client.send(req).await;
                tried += 1;
                if resp.status != StatusCode::FORBIDDEN || !resp.body.contains("请求来源不可信")
                {
                    succeeded.push(format!("{} {path} with {what}: {}", r.method, resp.status));
                }
            }
        }
        let after = snapshot(&app);
        let changed = crate::support::permissions::changed(&before, &after);
        figure(
            &format!("CSRF forged posts tried ({})", app.backend),
            format!("{tried} (every POST route x {})", FORGERIES.len()),
        );
        figure(
            &format!("CSRF forged posts that succeeded ({})", app.backend),
            format!("{} (goal 0)", succeeded.len()),
        );
        assert!(succeeded.is_empty(), "{}", succeeded.join("\n"));
        assert!(changed.is_empty(), "forged posts changed {changed:?}");
        // The same posts from the site itself still work (the forgery was the only cause).
        ps[2]
            .client
            .get("/workbench")
            .await
            .assert_status(StatusCode::OK);
    })
    .await;
}

/// Script in the shapes that slip past careless escaping; each carries `xss` so a live
/// copy is easy to find.
pub fn payloads() -> Vec<String> {
    let shapes = [
        "<script>alert('xss{n}')</script>",
        "\"><script>alert('xss{n}')</script>",
        "'><img src=x onerror=alert('xss{n}')>",
        "<img src=x onerror=\"alert('xss{n}')\">",
        "<svg onload=alert('xss{n}')>",
        "<svg><script>alert('xss{n}')</script></svg>",
        "<iframe src=\"javascript:alert('xss{n}')\"></iframe>",
        "<a href=\"javascript:alert('xss{n}')\">xss{n}</a>",
        "javascript:alert('xss{n}')",
        "<body onload=alert('xss{n}')>",
        "<input autofocus onfocus=alert('xss{n}')>",
        "</textarea><script>alert('xss{n}')</script>",
        "</title><script>alert('xss{n}')</script>",
        "<details open ontoggle=alert('xss{n}')>",
        "<math><mtext></p><img src=x onerror=alert('xss{n}')>",
        "\" onmouseover=\"alert('xss{n}')",
        "' onmouseover='alert(`xss{n}`)",
        "<scr<script>ipt>alert('xss{n}')</script>",
        "{{7*7}}<b>xss{n}</b>",
        "<style>@import 'http://evil.example/xss{n}.css';</style>",
        "<meta http-equiv=\"refresh\" content=\"0;url=http://evil.example/xss{n}\">",
        "<object data=\"javascript:alert('xss{n}')\"></object>",
        "<form action=\"http://evil.example/xss{n}\"><button>x</button></form>",
        "<base href=\"http://evil.example/xss{n}/\">",
        "<!--<img src=\"--><img src=x onerror=alert('xss{n}')//\">",
    ];
    (0..50)
        .map(|i| shapes[i % shapes.len()].replace("{n}", &i.to_string()))
        .collect()
}

/// A live (unescaped) copy of a payload in a page: the raw payload text, or an element
/// the parser built from one (a script, an event handler, a javascript: URL).
fn live_payload(html: &str, payloads: &[String]) -> Option<String> {
    for payload in payloads {
        if payload.contains(['<', '"', '\'']) && html.contains(payload.as_str()) {
            return Some(format!("raw {payload:?}"));
        }
    }
    let doc = scraper::Html::parse_document(html);
    let all = scraper::Selector::parse("*").expect("sel");
    for el in doc.select(&all) {
        let v = el.value();
        if matches!(
            v.name(),
            "script" | "iframe" | "object" | "base" | "meta" | "svg"
        ) && el.html().contains("xss")
        {
            return Some(format!("<{}> built from a payload", v.name()));
        }
        for (name, value) in v.attrs() {
            let value_l = value.trim().to_ascii_lowercase();
            if name.starts_with("on") && value.contains("xss") {
                return Some(format!("handler {name}={value:?}"));
            }
            if matches!(name, "href" | "src" | "action" | "formaction" | "data")
                && value_l.starts_with("javascript:")
            {
                return Some(format!("{name}={value:?}"));
            }
        }
    }
    None
}

/// Puts `payload` into every text a user can fill.
fn store_everywhere(app: &TestApp, payload: &str) {
    let mut conn = app.conn();
    for sql in [
        "UPDATE apps SET name = $1, description = $1, acceptance_comment = $1",
        "UPDATE pages SET name = $1",
        "UPDATE fields SET label = $1",
        "UPDATE approval_steps SET name = $1",
        "UPDATE connectors SET name = $1",
        "UPDATE notification_templates SET name = $1, title = $1, body = $1",
        "UPDATE automations SET name = $1",
        "UPDATE components SET name = $1, description = $1",
        "UPDATE departments SET name = $1",
        "UPDATE users SET name = $1",
        "UPDATE orgs SET name = $1",
        "UPDATE attachments SET filename = $1",
        "UPDATE projects SET name = $1, description = $1, customer_name = $1, \
         review_reason = $1, closing_summary = $1",
        "UPDATE maintenance_grants SET reason = $1",
        "UPDATE approval_tasks SET comment = $1",
        "UPDATE order_apps SET failure_reason = $1",
        "UPDATE project_events SET detail = $1",
        "UPDATE qd_complaints SET body = $1",
    ] {
        diesel::sql_query(sql)
            .bind::<Text, _>(payload)
            .execute(&mut *conn)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    // Form values: every field of every submission.
    let subs: Vec<(i64, i64)> = submissions::table
        .select((submissions::id, submissions::page_id))
        .load(&mut *conn)
        .expect("submissions");
    for (id, page) in subs {
        let ids: Vec<i64> = fields::table
            .filter(fields::page_id.eq(page))
            .select(fields::id)
            .load(&mut *conn)
            .expect("fields");
        let data: serde_json::Map<String, serde_json::Value> = ids
            .iter()
            .map(|f| {
                (
                    f.to_string(),
                    serde_json::Value::String(payload.to_string()),
                )
            })
            .collect();
        diesel::update(submissions::table.find(id))
            .set(submissions::data.eq(serde_json::Value::Object(data).to_string()))
            .execute(&mut *conn)
            .expect("data");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_script_is_shown_as_text_on_every_page_for_every_role() {
    each_backend(async |app| {
        let ps = principals(&app).await;
        let all = payloads();
        // Five payloads side by side in every field per round; quick runs take two rounds
        // (ten shapes), the slow run all fifty payloads.
        let rounds = size(all.len() / 5, 2);
        let n = rounds * 5;
        let gets: Vec<_> = fenfa::app::route_table()
            .table()
            .into_iter()
            .filter(|r| {
                r.method == "GET" && !r.path.ends_with(".csv") && !r.path.starts_with("/static")
            })
            .collect();
        let (mut pages, mut live) = (0usize, vec![]);
        for round in all.chunks(5).take(rounds) {
            store_everywhere(&app, &round.join(" "));
            for p in &ps {
                for r in &gets {
                    let resp = p.client.get(&fill(r.path, &p.fx)).await;
                    // Only HTML is rendered by a browser; CSV exports are downloads.
                    let html = resp
                        .headers
                        .get(axum::http::header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|v| v.starts_with("text/html"));
                    if resp.status != StatusCode::OK || !html {
                        continue;
                    }
                    pages += 1;
                    if let Some(why) = live_payload(&resp.body, round) {
                        live.push(format!("{} as {:?}: {why}", r.path, p.kind));
                    }
                }
            }
        }
        figure(
            &format!("XSS payloads stored in every text field ({})", app.backend),
            format!("{n} of {} (all with FENFA_SLOW_TESTS=1)", all.len()),
        );
        figure(
            &format!("XSS pages rendered with payloads ({})", app.backend),
            pages,
        );
        figure(
            &format!("XSS unescaped payloads ({})", app.backend),
            format!("{} (goal 0)", live.len()),
        );
        assert!(pages > 100, "too few pages rendered: {pages}");
        assert!(live.is_empty(), "{}", live.join("\n"));
    })
    .await;
}

/// Return targets that try to leave the site.
const ESCAPES: &[&str] = &[
    "//evil.example",
    "https://evil.example",
    "http://evil.example/login",
    "/\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/ /evil.example",
    "javascript:alert(1)",
    "//evil.example/%2F..",
    "/%0d%0aLocation:%20http://evil.example",
    "@evil.example",
    "evil.example",
    "////evil.example",
    "/\r\n/evil.example",
];

/// A redirect target stays on the site: a path, never a scheme or a host.
fn stays_local(location: &str) -> bool {
    location.starts_with('/')
        && !location.starts_with("//")
        && !location.starts_with("/\\")
        && !location
            .bytes()
            .any(|b| b.is_ascii_control() || b == b' ' || b == b'\\')
}

#[tokio::test]
async fn no_return_parameter_redirects_off_the_site() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        let mut checked = 0;
        for next in ESCAPES {
            let c = app.client();
            // The login page carries `next` into its form; the form posts it back.
            let page = c
                .get(&format!("/login?next={}", fenfa::tools::encode_query(next)))
                .await;
            let kept = crate::support::input_value(&page.body, "next").unwrap_or_default();
            assert!(stays_local(&kept), "login page kept {kept:?} for {next:?}");
            let r = c
                .post(
                    "/login",
                    &[("login", "alice"), ("password", PASSWORD), ("next", next)],
                )
                .await;
            assert!(
                stays_local(r.location()),
                "login with next={next:?} redirects to {:?}",
                r.location()
            );
            let r = c.post("/lang", &[("lang", "en"), ("next", next)]).await;
            assert!(
                stays_local(r.location()),
                "language switch with next={next:?} redirects to {:?}",
                r.location()
            );
            // A login redirect from a page keeps a local return path.
            let r = app
                .client()
                .get(&format!(
                    "/workbench?next={}",
                    fenfa::tools::encode_query(next)
                ))
                .await;
            assert!(r.location().starts_with("/login"), "{:?}", r.location());
            checked += 3;
        }
        figure(
            &format!(
                "open-redirect attempts on next parameters ({})",
                app.backend
            ),
            format!("{checked}, off-site redirects 0 (goal 0)"),
        );
    })
    .await;
}

#[tokio::test]
async fn the_language_switch_after_a_post_returns_to_a_page_not_a_405() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::MainAdmin);
        let c = app.signed_in("alice").await;
        // A failed form shows its page at the POST-only URL; the switcher returns there.
        let r = c
            .post("/org/departments/987654/rename", &[("name", "")])
            .await;
        let next = crate::support::input_value(&r.body, "next").unwrap_or_default();
        let back = c.post("/lang", &[("lang", "en"), ("next", &next)]).await;
        let to = back.location().to_string();
        let page = c.get(&to).await;
        assert_ne!(
            page.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "switch returned to {to}"
        );
        for post_only in [
            "/org/members/add",
            "/logout",
            "/provider/links",
            "/notifications/read-all",
        ] {
            let back = c
                .post("/lang", &[("lang", "zh-CN"), ("next", post_only)])
                .await;
            let page = c.get(back.location()).await;
            assert!(
                page.status.is_success() || page.status.is_redirection(),
                "switch with next={post_only} landed on {} {}",
                back.location(),
                page.status
            );
        }
        // A page that exists for GET is returned to.
        let back = c
            .post("/lang", &[("lang", "en"), ("next", "/org/members?after=3")])
            .await;
        assert_eq!(back.location(), "/org/members?after=3");
    })
    .await;
}

#[tokio::test]
async fn the_session_id_changes_at_login_and_dies_at_logout_expiry_and_disabling() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let alice = app.person(org, "alice", Role::Member);
        // Fixation: a planted id does not survive the login.
        let c = app.client();
        c.set_cookie("fenfa_session", "plantedplantedplanted1");
        c.login("alice", PASSWORD).await;
        let sid = c.cookie("fenfa_session").expect("cookie");
        assert_ne!(sid, "plantedplantedplanted1");
        // The old id is refused after logout.
        c.post_ok("/logout", &[]).await;
        let replay = app.client();
        replay.set_cookie("fenfa_session", &sid);
        replay.get("/workbench").await.assert_redirect("/login");
        // Idle expiry.
        let c = app.signed_in("alice").await;
        diesel::update(sessions::table)
            .set(sessions::expires_at.eq(fenfa::db::now() - 1))
            .execute(&mut *app.conn())
            .expect("idle");
        c.get("/workbench").await.assert_redirect("/login");
        // Absolute expiry, however active.
        let c = app.signed_in("alice").await;
        diesel::update(sessions::table)
            .set(sessions::created_at.eq(fenfa::db::now() - 13 * 3600))
            .execute(&mut *app.conn())
            .expect("age");
        c.get("/workbench").await.assert_redirect("/login");
        // Disabling by the operator ends every session at once.
        app.operator("op");
        let a1 = app.signed_in("alice").await;
        let a2 = app.signed_in("alice").await;
        let op = app.signed_in("op").await;
        op.post_ok(&format!("/operator/users/{alice}/disable"), &[])
            .await;
        a1.get("/workbench").await.assert_redirect("/login");
        a2.get("/workbench").await.assert_redirect("/login");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_request_in_flight_at_logout_does_not_bring_the_session_back() {
    each_backend(async |app| {
        let a = app.org("Acme", "ding001", "professional");
        let b = app.org("Beta", "ding002", "professional");
        let alice = app.person(a, "alice", Role::Member);
        app.member(b, alice, Role::Member);
        let trials = size(200, 20);
        let mut resurrected = 0;
        for t in 0..trials {
            let c = app.signed_in("alice").await;
            let sid = c.cookie("fenfa_session").expect("cookie");
            // Switching the organisation writes the session; its body arrives slowly.
            let (mut tx, body) = http_body_util::channel::Channel::<axum::body::Bytes>::new(1);
            let req = c
                .request("POST", "/switch-org")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(Body::new(body))
                .expect("req");
            let slow = {
                let c = c.clone();
                tokio::spawn(async move { c.send(req).await })
            };
            // Let the slow request load the session (a varying head start), then log out.
            for _ in 0..(t % 7) {
                tokio::task::yield_now().await;
            }
            tokio::time::sleep(Duration::from_millis((t % 3) as u64)).await;
            let out = app.client();
            out.set_cookie("fenfa_session", &sid);
            out.post_ok("/logout", &[]).await;
            let _ = tx
                .send_data(axum::body::Bytes::from(format!("org_id={b}")))
                .await;
            drop(tx);
            let r = slow.await.expect("task");
            let _ = r;
            let rows: i64 = sessions::table
                .filter(sessions::user_id.eq(alice))
                .count()
                .get_result(&mut *app.conn())
                .expect("count");
            let replay = app.client();
            replay.set_cookie("fenfa_session", &sid);
            let back = replay.get("/workbench").await;
            if rows > 0 || back.status == StatusCode::OK {
                resurrected += 1;
            }
        }
        figure(
            &format!("logout races with a slow session write ({})", app.backend),
            format!("{trials} trials, sessions brought back {resurrected} (goal 0)"),
        );
        assert_eq!(resurrected, 0);
    })
    .await;
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_passwords_is_capped_for_a_while_and_takes_the_same_time_for_any_login() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        app.person(org, "bob", Role::Member);
        let c = app.client();
        // Equal refusal times: a known login with a wrong password and an unknown login.
        let n = size(30, 10);
        let (mut known, mut unknown) = (vec![], vec![]);
        for i in 0..n * 2 {
            let login = if i % 2 == 0 { "bob" } else { "nobody-at-all" };
            let t = Instant::now();
            c.post("/login", &[("login", login), ("password", "wrong")])
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
            if i % 2 == 0 {
                known.push(t.elapsed());
            } else {
                unknown.push(t.elapsed());
            }
        }
        let (mk, mu) = (median(known), median(unknown));
        figure(
            &format!(
                "refusal time median known vs unknown login ({})",
                app.backend
            ),
            format!("{mk:?} vs {mu:?} (goal: within a factor of 2)"),
        );
        assert!(
            mk < mu * 2 && mu < mk * 2,
            "a refusal reveals whether the login exists: {mk:?} vs {mu:?}"
        );

        // The cap: after 100 attempts in an hour, browsers that never signed in to the
        // account are refused, with the message (browsers that did: `auth_throttle.rs`).
        let limit = fenfa::auth::throttle::UNTRUSTED_LIMIT;
        // Written directly: a window already under way (real attempts would cost argon2 time).
        diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::kind.eq("login"),
                login_throttle::subject.eq("alice"),
                login_throttle::failures.eq(limit - 1),
                login_throttle::window_start.eq(fenfa::db::now()),
            ))
            .execute(&mut *app.conn())
            .expect("attempts so far");
        c.post("/login", &[("login", "alice"), ("password", "wrong")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let throttled = c
            .post("/login", &[("login", "alice"), ("password", PASSWORD)])
            .await;
        throttled
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("登录尝试次数过多");
        figure(
            &format!(
                "attempts from unknown browsers before throttling ({})",
                app.backend
            ),
            format!("{limit} per account per hour, throttling message shown"),
        );
        // Not permanent: once the window has passed the right password works again.
        diesel::update(login_throttle::table)
            .set(login_throttle::window_start.eq(fenfa::db::now() - 3601))
            .execute(&mut *app.conn())
            .expect("an hour later");
        c.login("alice", PASSWORD).await;
        c.get("/workbench").await.assert_status(StatusCode::OK);
    })
    .await;
}
