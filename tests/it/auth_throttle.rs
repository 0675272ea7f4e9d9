//! Password guessing is throttled per browser (OWASP's device cookies), so that guessing
//! cannot lock an owner out: a browser that has signed in to an account keeps its own
//! allowance, every other browser shares the account's, and a refusal reads the same for
//! a known and an unknown login.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::auth::throttle::{DEVICE_LIMIT, IP_LIMIT, UNTRUSTED_LIMIT};
use fenfa::db::schema::{ip_login_failures, login_throttle};

use crate::figures::figure;
use crate::support::{Client, PASSWORD, Resp, TestApp, each_backend};

const WRONG: &str = "账号或密码错误";
const THROTTLED: &str = "登录尝试次数过多";

/// The device cookie's name in the tests (secure cookies off).
const DEVICE: &str = "fenfa_device";

/// The refusal shown on the sign-in form.
fn refusal(r: &Resp) -> String {
    let doc = scraper::Html::parse_document(&r.body);
    let sel = scraper::Selector::parse("p.form-error").expect("selector");
    doc.select(&sel)
        .next()
        .map(|e| e.text().collect::<String>())
        .unwrap_or_default()
}

/// `failures` attempts already counted this window in a bucket (`login` or `device`).
fn seed(app: &TestApp, kind: &str, subject: &str, failures: i32) {
    diesel::delete(login_throttle::table.find((kind, subject)))
        .execute(&mut *app.conn())
        .expect("clear the bucket");
    // Written directly: a window already under way (real attempts would cost argon2 time).
    diesel::insert_into(login_throttle::table)
        .values((
            login_throttle::kind.eq(kind),
            login_throttle::subject.eq(subject),
            login_throttle::failures.eq(failures),
            login_throttle::window_start.eq(fenfa::db::now()),
        ))
        .execute(&mut *app.conn())
        .expect("seed the throttle");
}

async fn attempt(c: &Client, login: &str, password: &str) -> Resp {
    c.post("/login", &[("login", login), ("password", password)])
        .await
}

/// A browser that has signed in to `login` (and signed out again): it keeps its device
/// cookie.
async fn owners_browser(app: &TestApp, login: &str) -> Client {
    let c = app.client();
    c.login(login, PASSWORD).await;
    c.post("/logout", &[]).await.assert_redirect("/login");
    assert!(
        c.cookie(DEVICE).is_some(),
        "a sign-in leaves a device cookie"
    );
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_from_unknown_browsers_stops_at_the_limit_while_the_owners_browser_still_signs_in()
{
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        let owner = owners_browser(&app, "alice").await;

        // The attacker guesses in bursts of 8 at once, each guess from a fresh browser.
        let sent = UNTRUSTED_LIMIT as usize + 20;
        let (mut verified, mut throttled) = (0, 0);
        for burst in (0..sent).collect::<Vec<_>>().chunks(8) {
            let mut set = tokio::task::JoinSet::new();
            for i in burst {
                let c = app.client();
                let guess = format!("guess-{i}");
                set.spawn(async move { attempt(&c, "alice", &guess).await });
            }
            while let Some(r) = set.join_next().await {
                let r = r.expect("request");
                r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
                if r.body.contains(WRONG) {
                    verified += 1;
                } else {
                    r.assert_contains(THROTTLED);
                    throttled += 1;
                }
            }
        }
        assert_eq!(
            (verified, throttled),
            (UNTRUSTED_LIMIT, 20),
            "exactly the limit of guesses is verified, whatever arrives at once"
        );
        figure(
            &format!(
                "guesses from unknown browsers before throttling ({})",
                app.backend
            ),
            format!("{verified} of {sent} sent in bursts of 8 (per account per hour)"),
        );

        // A browser that never signed in to the account is refused, right password or not.
        attempt(&app.client(), "alice", PASSWORD)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains(THROTTLED);

        // The owner's browser signs in as usual.
        let mut refused = 0;
        for _ in 0..3 {
            let r = attempt(&owner, "alice", PASSWORD).await;
            if r.status.is_redirection() {
                owner.get("/workbench").await.assert_status(StatusCode::OK);
                owner.post_ok("/logout", &[]).await;
            } else {
                refused += 1;
            }
        }
        figure(
            &format!(
                "owner sign-ins refused after {sent} attacker guesses ({})",
                app.backend
            ),
            format!("{refused} of 3 (goal 0)"),
        );
        assert_eq!(refused, 0);
    })
    .await;
}

#[tokio::test]
async fn a_refusal_reads_the_same_for_a_known_and_an_unknown_login() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        let c = app.client();
        let known = attempt(&c, "alice", "wrong").await;
        let unknown = attempt(&c, "nobody", "wrong").await;
        known.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        unknown.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refusal(&known), refusal(&unknown));
        assert!(refusal(&known).contains(WRONG));

        // At the limit an unknown login is throttled exactly like a known one.
        seed(&app, "login", "alice", UNTRUSTED_LIMIT);
        seed(&app, "login", "nobody", UNTRUSTED_LIMIT);
        let known = attempt(&c, "alice", "wrong").await;
        let unknown = attempt(&c, "nobody", "wrong").await;
        known.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        unknown.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refusal(&known), refusal(&unknown));
        assert!(refusal(&known).contains(THROTTLED), "{}", refusal(&known));
        figure(
            &format!("refusal text, known vs unknown login ({})", app.backend),
            "identical when wrong, identical when throttled",
        );
    })
    .await;
}

#[tokio::test]
async fn an_unknown_browser_is_refused_after_the_limit_even_with_the_right_password_until_the_window_ends()
 {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        seed(&app, "login", "alice", UNTRUSTED_LIMIT - 1);
        let c = app.client();
        attempt(&c, "alice", "wrong").await.assert_contains(WRONG);
        let r = attempt(&c, "alice", PASSWORD).await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains(THROTTLED)
            .assert_contains("60 分钟");
        assert!(c.cookie(DEVICE).is_none(), "no device cookie for a refusal");
        // Not for ever: once the window has passed the right password works again.
        diesel::update(login_throttle::table)
            .set(login_throttle::window_start.eq(fenfa::db::now() - 3601))
            .execute(&mut *app.conn())
            .expect("an hour later");
        c.login("alice", PASSWORD).await;
        c.get("/workbench").await.assert_status(StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn a_forged_or_tampered_device_cookie_counts_as_an_unknown_browser() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        app.person(org, "bob", Role::Member);
        let owner = owners_browser(&app, "alice").await;
        let genuine = owner.cookie(DEVICE).expect("device cookie");
        let bobs = owners_browser(&app, "bob")
            .await
            .cookie(DEVICE)
            .expect("bob's device cookie");
        seed(&app, "login", "alice", UNTRUSTED_LIMIT);

        let mut tampered = genuine.clone();
        let last = tampered.pop().expect("a signature");
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        let mut other_nonce: Vec<String> = genuine.split('.').map(str::to_string).collect();
        other_nonce[2] = "0123456789abcdef0123456789abcdef".into();
        let forged = fenfa::auth::device::DeviceKey::from_bytes(b"a guessed secret")
            .issue("alice", fenfa::db::now());
        let cases = [
            ("tampered signature", tampered),
            ("another nonce", other_nonce.join(".")),
            ("signed with another key", forged),
            ("another login's cookie", bobs),
            ("garbage", "x".into()),
        ];
        for (what, cookie) in &cases {
            let c = app.client();
            c.set_cookie(DEVICE, cookie);
            let r = attempt(&c, "alice", PASSWORD).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
            r.assert_contains(THROTTLED);
        }
        figure(
            &format!(
                "forged or tampered device cookies honoured ({})",
                app.backend
            ),
            format!("0 of {} (goal 0)", cases.len()),
        );
        // The genuine one still works.
        owner.login("alice", PASSWORD).await;
    })
    .await;
}

#[tokio::test]
async fn a_trusted_browser_has_its_own_allowance_and_is_refused_once_it_is_spent() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        let owner = owners_browser(&app, "alice").await;
        for _ in 0..DEVICE_LIMIT {
            attempt(&owner, "alice", "wrong")
                .await
                .assert_contains(WRONG);
        }
        // Its allowance spent, this browser is refused, the right password included.
        attempt(&owner, "alice", PASSWORD)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains(THROTTLED);
        figure(
            &format!("a trusted browser's own allowance ({})", app.backend),
            format!("{DEVICE_LIMIT} per hour, then refused"),
        );
        // Its failures did not touch the account's shared allowance.
        app.client().login("alice", PASSWORD).await;
    })
    .await;
}

#[tokio::test]
async fn an_address_past_its_limit_is_refused_but_a_trusted_browser_there_signs_in() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        let owner = owners_browser(&app, "alice").await;
        // In-process requests have no socket address: they all come from "local".
        // Written directly: an address past its limit (real attempts would cost argon2 time).
        diesel::insert_into(ip_login_failures::table)
            .values((
                ip_login_failures::ip.eq("local"),
                ip_login_failures::failures.eq(IP_LIMIT),
                ip_login_failures::window_start.eq(fenfa::db::now()),
            ))
            .execute(&mut *app.conn())
            .expect("seed the address");
        attempt(&app.client(), "alice", PASSWORD)
            .await
            .assert_contains(THROTTLED);
        owner.login("alice", PASSWORD).await;
    })
    .await;
}

#[tokio::test]
async fn a_device_cookie_is_honoured_after_a_restart_and_by_another_instance() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        let owner = owners_browser(&app, "alice").await;
        seed(&app, "login", "alice", UNTRUSTED_LIMIT);
        // A server started afresh on the same database knows the same secret.
        owner.on(app.restarted()).login("alice", PASSWORD).await;
    })
    .await;
}
