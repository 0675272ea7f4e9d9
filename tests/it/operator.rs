//! The platform operator's console: organisations, accounts, and who may open it.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{memberships, orgs, sessions, users};

use crate::support::{PASSWORD, TestApp, each_backend, input_value};

fn org_count(app: &TestApp) -> i64 {
    orgs::table
        .count()
        .get_result(&mut *app.conn())
        .expect("count")
}

fn org_form<'a>(name: &'a str, corp_id: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("corp_id", corp_id),
        ("edition", "light"),
        ("certified", "yes"),
        ("provider_level", "intermediate"),
    ]
}

#[tokio::test]
async fn non_operators_cannot_open_the_operator_console() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "boss", Role::MainAdmin);
        let alice = app.person(org, "alice", Role::Member);
        let c = app.signed_in("boss").await;
        for path in ["/operator/orgs", "/operator/users", "/operator/orgs/new"] {
            c.get(path)
                .await
                .assert_status(StatusCode::FORBIDDEN)
                .assert_contains("仅平台运营人员可访问");
        }
        c.post("/operator/orgs/new", &org_form("Evil", "evil-corp"))
            .await
            .assert_status(StatusCode::FORBIDDEN);
        c.post(&format!("/operator/users/{alice}/disable"), &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        assert_eq!(org_count(&app), 1);
        let disabled: bool = users::table
            .find(alice)
            .select(users::disabled)
            .first(&mut *app.conn())
            .expect("user");
        assert!(!disabled);
        c.get("/workbench").await.assert_lacks("/operator/orgs");
        // Not signed in: off to the login page.
        app.client()
            .get("/operator/orgs")
            .await
            .assert_redirect("/login");
    })
    .await;
}

#[tokio::test]
async fn an_operator_creates_an_organisation() {
    each_backend(async |app| {
        app.operator("op");
        let c = app.signed_in("op").await;
        c.get("/operator/orgs/new")
            .await
            .assert_status(StatusCode::OK);
        let r = c
            .post("/operator/orgs/new", &org_form("宜搭科技", "ding-yida_01"))
            .await;
        r.assert_redirect("/operator/orgs/");
        let row: (i64, String, String, bool, String) = orgs::table
            .filter(orgs::corp_id.eq("ding-yida_01"))
            .select((
                orgs::id,
                orgs::name,
                orgs::edition,
                orgs::certified,
                orgs::provider_level,
            ))
            .first(&mut *app.conn())
            .expect("org");
        assert_eq!(
            (row.1.as_str(), row.2.as_str(), row.3, row.4.as_str()),
            ("宜搭科技", "light", true, "intermediate")
        );
        assert_eq!(r.location(), format!("/operator/orgs/{}", row.0));
        c.get(r.location())
            .await
            .assert_contains("宜搭科技")
            .assert_contains("轻享版")
            .assert_contains("中级认证服务商")
            .assert_contains("已创建组织");
    })
    .await;
}

#[tokio::test]
async fn a_corp_id_already_in_use_is_refused_beside_the_field() {
    each_backend(async |app| {
        app.org("Acme", "ding001", "professional");
        app.operator("op");
        let c = app.signed_in("op").await;
        let r = c
            .post("/operator/orgs/new", &org_form("Acme Two", "ding001"))
            .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("id=\"e-corp_id\"")
            .assert_contains("该 CorpID 已被其他组织使用");
        assert_eq!(input_value(&r.body, "name").as_deref(), Some("Acme Two"));
        assert_eq!(input_value(&r.body, "corp_id").as_deref(), Some("ding001"));
        assert_eq!(org_count(&app), 1);
    })
    .await;
}

#[tokio::test]
async fn a_malformed_organisation_form_keeps_what_was_typed() {
    each_backend(async |app| {
        app.operator("op");
        let c = app.signed_in("op").await;
        let r = c
            .post(
                "/operator/orgs/new",
                &[
                    ("name", ""),
                    ("corp_id", "bad id!"),
                    ("edition", "exclusive"),
                    ("certified", "no"),
                    ("provider_level", "advanced"),
                ],
            )
            .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("id=\"e-corp_id\"")
            .assert_contains("CorpID 须为 4–64 个英文字母")
            .assert_contains("id=\"e-name\"")
            .assert_contains("value=\"exclusive\" selected")
            .assert_contains("value=\"advanced\" selected");
        assert_eq!(input_value(&r.body, "corp_id").as_deref(), Some("bad id!"));
        assert_eq!(org_count(&app), 0);
        // English too.
        c.post_ok("/lang", &[("lang", "en")]).await;
        c.post("/operator/orgs/new", &org_form("Acme", "abc"))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("A CorpID is 4–64 ASCII letters");
    })
    .await;
}

#[tokio::test]
async fn organisations_are_searched_by_name_or_exact_corp_id_and_paged_by_keyset() {
    each_backend(async |app| {
        app.operator("op");
        for i in 0..52 {
            app.org(&format!("Org {i:02}"), &format!("corp{i:02}"), "free");
        }
        app.org("Special 100%", "special-1", "free");
        let c = app.signed_in("op").await;
        let first = c.get("/operator/orgs").await;
        first
            .assert_status(StatusCode::OK)
            .assert_contains("Special 100%")
            .assert_contains("Org 03")
            .assert_lacks("Org 02<");
        first.assert_contains("/operator/orgs?after=");
        let doc = scraper::Html::parse_document(&first.body);
        let sel = scraper::Selector::parse(".pager a").expect("sel");
        let next = doc
            .select(&sel)
            .next()
            .and_then(|a| a.value().attr("href"))
            .expect("next")
            .to_string();
        c.get(&next)
            .await
            .assert_contains("Org 02")
            .assert_contains("Org 00")
            .assert_lacks("Org 03<");
        c.get("/operator/orgs?q=corp07")
            .await
            .assert_contains("Org 07")
            .assert_lacks("Org 08");
        // Part of a CorpID is not a match; the wildcard is taken literally.
        c.get("/operator/orgs?q=corp0")
            .await
            .assert_contains("没有符合条件的记录");
        c.get("/operator/orgs?q=100%25")
            .await
            .assert_contains("Special 100%")
            .assert_lacks("Org 01");
        c.get("/operator/orgs?q=%25")
            .await
            .assert_contains("Special 100%")
            .assert_lacks("Org 01");
    })
    .await;
}

#[tokio::test]
async fn the_operator_edits_edition_certification_and_provider_level() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "free");
        app.operator("op");
        let c = app.signed_in("op").await;
        c.post(
            &format!("/operator/orgs/{org}/edit"),
            &[
                ("edition", "exclusive"),
                ("certified", "no"),
                ("provider_level", "advanced"),
            ],
        )
        .await
        .assert_redirect(&format!("/operator/orgs/{org}"));
        let row: (String, bool, String) = orgs::table
            .find(org)
            .select((orgs::edition, orgs::certified, orgs::provider_level))
            .first(&mut *app.conn())
            .expect("org");
        assert_eq!(row, ("exclusive".into(), false, "advanced".into()));
        c.post(
            &format!("/operator/orgs/{org}/edit"),
            &[
                ("edition", "gold"),
                ("certified", "no"),
                ("provider_level", "none"),
            ],
        )
        .await
        .assert_status(StatusCode::BAD_REQUEST);
        c.post(
            "/operator/orgs/999999/edit",
            &[
                ("edition", "free"),
                ("certified", "no"),
                ("provider_level", "none"),
            ],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn the_operator_adds_an_existing_user_to_an_organisation_with_a_role() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "free");
        app.operator("op");
        let li = app.user("li.lei", "李雷");
        let c = app.signed_in("op").await;
        c.post(
            &format!("/operator/orgs/{org}/members"),
            &[("login", "li.lei"), ("role", "main_admin")],
        )
        .await
        .assert_redirect(&format!("/operator/orgs/{org}"));
        let role: String = memberships::table
            .filter(memberships::org_id.eq(org))
            .filter(memberships::user_id.eq(li))
            .select(memberships::role)
            .first(&mut *app.conn())
            .expect("membership");
        assert_eq!(role, "main_admin");
        c.get(&format!("/operator/orgs/{org}"))
            .await
            .assert_contains("李雷")
            .assert_contains("主管理员");
        // Already a member: refused beside the field, nothing added.
        c.post(
            &format!("/operator/orgs/{org}/members"),
            &[("login", "li.lei"), ("role", "member")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("id=\"e-login\"")
        .assert_contains("此人已是该组织的成员");
        let n: i64 = memberships::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 1);
        // The new main admin can now administer it.
        app.signed_in("li.lei")
            .await
            .get("/org/members")
            .await
            .assert_status(StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn an_operator_creates_a_user_who_can_sign_in() {
    each_backend(async |app| {
        app.operator("op");
        app.user("taken", "Taken");
        let c = app.signed_in("op").await;
        c.get("/operator/users/new")
            .await
            .assert_status(StatusCode::OK);
        let r = c
            .post(
                "/operator/users/new",
                &[
                    ("login", "taken"),
                    ("name", "Han Meimei"),
                    ("password", "s3cret-pass"),
                ],
            )
            .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("id=\"e-login\"")
            .assert_contains("value=\"Han Meimei\"")
            .assert_lacks("s3cret-pass");
        c.post(
            "/operator/users/new",
            &[
                ("login", "a b"),
                ("name", "Han"),
                ("password", "s3cret-pass"),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("账号须为 3–40 个字母");
        c.post(
            "/operator/users/new",
            &[
                ("login", "han@meimei"),
                ("name", "Han Meimei"),
                ("password", "s3cret-pass"),
                ("is_operator", "1"),
            ],
        )
        .await
        .assert_redirect("/operator/users/");
        let (hash, op): (String, bool) = users::table
            .filter(users::login.eq("han@meimei"))
            .select((users::password_hash, users::is_operator))
            .first(&mut *app.conn())
            .expect("user");
        assert!(hash.starts_with("$argon2id$"), "stored hashed");
        assert!(op);
        let han = app.client();
        han.login("han@meimei", "s3cret-pass").await;
        han.get("/operator/users")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("han@meimei");
        han.get("/operator/users?q=Meimei")
            .await
            .assert_contains("han@meimei")
            .assert_lacks(">taken<");
    })
    .await;
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions_at_once() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let alice = app.person(org, "alice", Role::Member);
        app.operator("op");
        let phone = app.signed_in("alice").await;
        let laptop = app.signed_in("alice").await;
        phone.get("/workbench").await.assert_status(StatusCode::OK);
        let c = app.signed_in("op").await;
        c.post(&format!("/operator/users/{alice}/disable"), &[])
            .await
            .assert_redirect(&format!("/operator/users/{alice}"));
        let left: i64 = sessions::table
            .filter(sessions::user_id.eq(alice))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(left, 0);
        phone.get("/workbench").await.assert_redirect("/login");
        laptop.get("/workbench").await.assert_redirect("/login");
        app.client()
            .post("/login", &[("login", "alice"), ("password", PASSWORD)])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        // Enabled again, she can sign in.
        c.post(&format!("/operator/users/{alice}/enable"), &[])
            .await
            .assert_redirect(&format!("/operator/users/{alice}"));
        app.signed_in("alice").await;
    })
    .await;
}

#[tokio::test]
async fn an_operator_cannot_disable_themself() {
    each_backend(async |app| {
        let op = app.operator("op");
        let c = app.signed_in("op").await;
        c.get(&format!("/operator/users/{op}"))
            .await
            .assert_lacks("/disable");
        c.post(&format!("/operator/users/{op}/disable"), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("不能停用你自己的账号");
        let disabled: bool = users::table
            .find(op)
            .select(users::disabled)
            .first(&mut *app.conn())
            .expect("user");
        assert!(!disabled);
        c.get("/operator/orgs").await.assert_status(StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn resetting_a_password_lets_the_user_sign_in_with_the_new_one_only() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let alice = app.person(org, "alice", Role::Member);
        app.operator("op");
        let old = app.signed_in("alice").await;
        let c = app.signed_in("op").await;
        c.post(
            &format!("/operator/users/{alice}/password"),
            &[("password", "short")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("密码至少需要 8 个字符");
        c.post(
            &format!("/operator/users/{alice}/password"),
            &[("password", "brand new secret")],
        )
        .await
        .assert_redirect(&format!("/operator/users/{alice}"));
        old.get("/workbench").await.assert_redirect("/login");
        app.client()
            .post("/login", &[("login", "alice"), ("password", PASSWORD)])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        app.client().login("alice", "brand new secret").await;
        c.post(
            "/operator/users/999999/password",
            &[("password", "brand new secret")],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}
