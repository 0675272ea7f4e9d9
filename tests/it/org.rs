//! Administration of one's own organisation: members, roles, departments, and the walls
//! between organisations.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{departments, memberships, users};

use crate::support::{TestApp, each_backend, input_value};

fn membership(app: &TestApp, org: i64, user: i64) -> i64 {
    memberships::table
        .filter(memberships::org_id.eq(org))
        .filter(memberships::user_id.eq(user))
        .select(memberships::id)
        .first(&mut *app.conn())
        .expect("membership")
}

fn role_of(app: &TestApp, member: i64) -> (String, String) {
    memberships::table
        .find(member)
        .select((memberships::role, memberships::permissions))
        .first(&mut *app.conn())
        .expect("role")
}

fn is_member(app: &TestApp, org: i64, user: i64) -> bool {
    memberships::table
        .filter(memberships::org_id.eq(org))
        .filter(memberships::user_id.eq(user))
        .count()
        .get_result::<i64>(&mut *app.conn())
        .expect("count")
        > 0
}

fn dept_exists(app: &TestApp, id: i64) -> bool {
    departments::table
        .find(id)
        .count()
        .get_result::<i64>(&mut *app.conn())
        .expect("count")
        > 0
}

fn set_perms(app: &TestApp, member: i64, perms: &str) {
    diesel::update(memberships::table.find(member))
        .set(memberships::permissions.eq(perms))
        .execute(&mut *app.conn())
        .expect("perms");
}

#[tokio::test]
async fn an_ordinary_member_cannot_open_member_management() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "boss", Role::MainAdmin);
        app.person(org, "alice", Role::Member);
        let bob = app.user("bob", "Bob");
        let c = app.signed_in("alice").await;
        c.get("/org/members")
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("拥有通讯录管理权限的子管理员");
        c.get("/org").await.assert_status(StatusCode::FORBIDDEN);
        c.get("/workbench").await.assert_lacks("href=\"/org\"");
        c.post("/org/members/add", &[("login", "bob")])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        c.post("/org/departments", &[("name", "Sales")])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        assert!(!is_member(&app, org, bob));
        let n: i64 = departments::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 0);
    })
    .await;
}

#[tokio::test]
async fn a_sub_admin_with_the_members_point_manages_members_but_not_roles() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "boss", Role::MainAdmin);
        let sub = app.person(org, "sub", Role::SubAdmin);
        set_perms(&app, membership(&app, org, sub), "members");
        let alice = app.person(org, "alice", Role::Member);
        let alice_m = membership(&app, org, alice);
        let bob = app.user("bob", "Bob");
        let sales = app.department(org, None, "Sales");

        let c = app.signed_in("sub").await;
        c.get("/workbench").await.assert_contains("href=\"/org\"");
        c.get("/org/members").await.assert_status(StatusCode::OK);
        c.post("/org/members/add", &[("login", "bob")])
            .await
            .assert_redirect("/org/members/");
        assert!(is_member(&app, org, bob));
        c.post(
            &format!("/org/members/{alice_m}/department"),
            &[("department_id", &sales.to_string())],
        )
        .await
        .assert_redirect(&format!("/org/members/{alice_m}"));
        let d: Option<i64> = memberships::table
            .find(alice_m)
            .select(memberships::department_id)
            .first(&mut *app.conn())
            .expect("dept");
        assert_eq!(d, Some(sales));
        // The member page offers no role form to a sub-admin…
        c.get(&format!("/org/members/{alice_m}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_lacks(&format!("/org/members/{alice_m}/role"));
        // …and a forged post is refused with the reason, changing nothing.
        c.post(
            &format!("/org/members/{alice_m}/role"),
            &[("role", "platform_admin")],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN)
        .assert_contains("只有组织的主管理员或平台管理员可以执行此操作");
        assert_eq!(role_of(&app, alice_m).0, "member");
        let bob_m = membership(&app, org, bob);
        c.post(&format!("/org/members/{bob_m}/remove"), &[])
            .await
            .assert_redirect("/org/members");
        assert!(!is_member(&app, org, bob));
    })
    .await;
}

#[tokio::test]
async fn a_sub_admin_cannot_remove_an_admin() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "boss", Role::MainAdmin);
        let pa = app.person(org, "pa", Role::PlatformAdmin);
        let sub = app.person(org, "sub", Role::SubAdmin);
        set_perms(&app, membership(&app, org, sub), "members");
        let c = app.signed_in("sub").await;
        c.post(
            &format!("/org/members/{}/remove", membership(&app, org, pa)),
            &[],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN)
        .assert_contains("只有管理员可以移除管理员");
        assert!(is_member(&app, org, pa));
    })
    .await;
}

#[tokio::test]
async fn a_platform_admin_cannot_grant_the_main_admin_role() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let boss = app.person(org, "boss", Role::MainAdmin);
        app.person(org, "pa", Role::PlatformAdmin);
        let alice = app.person(org, "alice", Role::Member);
        let alice_m = membership(&app, org, alice);
        let c = app.signed_in("pa").await;
        c.post(
            &format!("/org/members/{alice_m}/role"),
            &[("role", "main_admin")],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN)
        .assert_contains("只有主管理员可以授予或取消主管理员角色");
        assert_eq!(role_of(&app, alice_m).0, "member");
        // Nor take it away.
        let boss_m = membership(&app, org, boss);
        c.post(
            &format!("/org/members/{boss_m}/role"),
            &[("role", "member")],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
        assert_eq!(role_of(&app, boss_m).0, "main_admin");
        // But platform admin, sub-admin and member are theirs to give.
        c.post(
            &format!("/org/members/{alice_m}/role"),
            &[("role", "platform_admin")],
        )
        .await
        .assert_redirect(&format!("/org/members/{alice_m}"));
        assert_eq!(role_of(&app, alice_m).0, "platform_admin");
    })
    .await;
}

#[tokio::test]
async fn the_main_admin_can_grant_the_main_admin_role_and_then_step_down() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let boss = app.person(org, "boss", Role::MainAdmin);
        let alice = app.person(org, "alice", Role::Member);
        let alice_m = membership(&app, org, alice);
        let boss_m = membership(&app, org, boss);
        let c = app.signed_in("boss").await;
        c.post(
            &format!("/org/members/{alice_m}/role"),
            &[("role", "main_admin")],
        )
        .await
        .assert_redirect(&format!("/org/members/{alice_m}"));
        assert_eq!(role_of(&app, alice_m).0, "main_admin");
        c.post(
            &format!("/org/members/{boss_m}/role"),
            &[("role", "platform_admin")],
        )
        .await
        .assert_redirect(&format!("/org/members/{boss_m}"));
        assert_eq!(role_of(&app, boss_m).0, "platform_admin");
    })
    .await;
}

#[tokio::test]
async fn the_last_main_admin_cannot_be_removed() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let boss = app.person(org, "boss", Role::MainAdmin);
        app.person(org, "pa", Role::PlatformAdmin);
        let c = app.signed_in("pa").await;
        c.post(
            &format!("/org/members/{}/remove", membership(&app, org, boss)),
            &[],
        )
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("不能移除或降级组织的最后一位主管理员");
        assert!(is_member(&app, org, boss));
    })
    .await;
}

#[tokio::test]
async fn the_last_main_admin_cannot_be_demoted() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let boss = app.person(org, "boss", Role::MainAdmin);
        let boss_m = membership(&app, org, boss);
        let c = app.signed_in("boss").await;
        c.post(
            &format!("/org/members/{boss_m}/role"),
            &[("role", "platform_admin")],
        )
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("最后一位主管理员");
        assert_eq!(role_of(&app, boss_m).0, "main_admin");
    })
    .await;
}

#[tokio::test]
async fn nobody_can_remove_themself() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "boss", Role::MainAdmin);
        let pa = app.person(org, "pa", Role::PlatformAdmin);
        let c = app.signed_in("pa").await;
        c.post(
            &format!("/org/members/{}/remove", membership(&app, org, pa)),
            &[],
        )
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("不能将自己移出组织");
        assert!(is_member(&app, org, pa));
    })
    .await;
}

#[tokio::test]
async fn permission_points_are_stored_only_for_sub_admins() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "boss", Role::MainAdmin);
        let alice = app.person(org, "alice", Role::Member);
        let alice_m = membership(&app, org, alice);
        let c = app.signed_in("boss").await;
        let path = format!("/org/members/{alice_m}/role");
        c.post(
            &path,
            &[
                ("role", "sub_admin"),
                ("perm", "interconnect"),
                ("perm", "members"),
                ("can_build_apps", "1"),
            ],
        )
        .await
        .assert_redirect(&format!("/org/members/{alice_m}"));
        assert_eq!(
            role_of(&app, alice_m),
            ("sub_admin".to_string(), "members,interconnect".to_string())
        );
        let build: bool = memberships::table
            .find(alice_m)
            .select(memberships::can_build_apps)
            .first(&mut *app.conn())
            .expect("flag");
        assert!(build);
        c.post(&path, &[("role", "member"), ("perm", "members")])
            .await
            .assert_redirect(&format!("/org/members/{alice_m}"));
        assert_eq!(
            role_of(&app, alice_m),
            ("member".to_string(), String::new())
        );
        // An unknown point is a tampered form.
        c.post(&path, &[("role", "sub_admin"), ("perm", "root")])
            .await
            .assert_status(StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn another_orgs_member_id_is_not_found_and_unchanged() {
    each_backend(async |app| {
        let acme = app.org("Acme", "ding001", "professional");
        let other = app.org("Other", "ding002", "professional");
        app.person(acme, "boss", Role::MainAdmin);
        app.person(other, "oboss", Role::MainAdmin);
        let victim = app.person(other, "victim", Role::Member);
        let victim_m = membership(&app, other, victim);
        let c = app.signed_in("boss").await;
        c.get(&format!("/org/members/{victim_m}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        c.post(
            &format!("/org/members/{victim_m}/role"),
            &[("role", "platform_admin")],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        c.post(&format!("/org/members/{victim_m}/remove"), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        c.post(
            &format!("/org/members/{victim_m}/department"),
            &[("department_id", "")],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        // The same answer as an id that does not exist at all.
        c.get("/org/members/999999")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        assert!(is_member(&app, other, victim));
        assert_eq!(role_of(&app, victim_m).0, "member");
    })
    .await;
}

#[tokio::test]
async fn another_orgs_department_is_not_found_and_unchanged() {
    each_backend(async |app| {
        let acme = app.org("Acme", "ding001", "professional");
        let other = app.org("Other", "ding002", "professional");
        app.person(acme, "boss", Role::MainAdmin);
        let alice = app.person(acme, "alice", Role::Member);
        let alice_m = membership(&app, acme, alice);
        let theirs = app.department(other, None, "Theirs");
        let c = app.signed_in("boss").await;
        c.post(
            "/org/departments",
            &[("name", "Spy"), ("parent_id", &theirs.to_string())],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        c.post(
            &format!("/org/members/{alice_m}/department"),
            &[("department_id", &theirs.to_string())],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        c.post(
            &format!("/org/departments/{theirs}/rename"),
            &[("name", "Mine")],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        c.post(&format!("/org/departments/{theirs}/delete"), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        c.get(&format!("/org/members?department={theirs}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let name: String = departments::table
            .find(theirs)
            .select(departments::name)
            .first(&mut *app.conn())
            .expect("dept");
        assert_eq!(name, "Theirs");
        let n: i64 = departments::table
            .filter(departments::org_id.eq(acme))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 0);
        let d: Option<i64> = memberships::table
            .find(alice_m)
            .select(memberships::department_id)
            .first(&mut *app.conn())
            .expect("dept");
        assert_eq!(d, None);
    })
    .await;
}

#[tokio::test]
async fn a_department_with_sub_departments_or_members_cannot_be_deleted() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "boss", Role::MainAdmin);
        let alice = app.person(org, "alice", Role::Member);
        let sales = app.department(org, None, "Sales");
        let north = app.department(org, Some(sales), "North");
        diesel::update(memberships::table.find(membership(&app, org, alice)))
            .set(memberships::department_id.eq(Some(north)))
            .execute(&mut *app.conn())
            .expect("move");
        let c = app.signed_in("boss").await;
        c.post(&format!("/org/departments/{sales}/delete"), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("该部门下还有子部门");
        c.post(&format!("/org/departments/{north}/delete"), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("该部门下还有成员");
        assert!(dept_exists(&app, sales) && dept_exists(&app, north));
        // Emptied, both can go, child first.
        c.post(
            &format!("/org/members/{}/department", membership(&app, org, alice)),
            &[("department_id", "")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
        c.post(&format!("/org/departments/{north}/delete"), &[])
            .await
            .assert_redirect("/org/departments");
        c.post(&format!("/org/departments/{sales}/delete"), &[])
            .await
            .assert_redirect("/org/departments");
        assert!(!dept_exists(&app, sales) && !dept_exists(&app, north));
    })
    .await;
}

#[tokio::test]
async fn departments_form_a_tree_with_member_counts() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "boss", Role::MainAdmin);
        let c = app.signed_in("boss").await;
        c.post("/org/departments", &[("name", "销售部"), ("parent_id", "")])
            .await
            .assert_redirect("/org/departments");
        let sales: i64 = departments::table
            .filter(departments::name.eq("销售部"))
            .select(departments::id)
            .first(&mut *app.conn())
            .expect("sales");
        c.post(
            "/org/departments",
            &[("name", "华北区"), ("parent_id", &sales.to_string())],
        )
        .await
        .assert_redirect("/org/departments");
        let north: (i64, Option<i64>) = departments::table
            .filter(departments::name.eq("华北区"))
            .select((departments::id, departments::parent_id))
            .first(&mut *app.conn())
            .expect("north");
        assert_eq!(north.1, Some(sales));
        let boss_m = membership(
            &app,
            org,
            users::table
                .filter(users::login.eq("boss"))
                .select(users::id)
                .first(&mut *app.conn())
                .expect("boss"),
        );
        c.post_ok(
            &format!("/org/members/{boss_m}/department"),
            &[("department_id", &north.0.to_string())],
        )
        .await;
        let page = c.get("/org/departments").await;
        page.assert_status(StatusCode::OK)
            .assert_contains("1 名成员")
            .assert_contains("0 名成员");
        let doc = scraper::Html::parse_document(&page.body);
        let nested = scraper::Selector::parse(&format!("li#dept-{sales} ul li#dept-{}", north.0))
            .expect("selector");
        assert_eq!(
            doc.select(&nested).count(),
            1,
            "the child is nested under its parent"
        );
        // Renaming with an empty name is refused beside the field; a good name is kept.
        c.post(
            &format!("/org/departments/{sales}/rename"),
            &[("name", " ")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("部门名称须为 1–30 个字符");
        c.post(
            &format!("/org/departments/{sales}/rename"),
            &[("name", "市场部")],
        )
        .await
        .assert_redirect("/org/departments");
        let name: String = departments::table
            .find(sales)
            .select(departments::name)
            .first(&mut *app.conn())
            .expect("name");
        assert_eq!(name, "市场部");
    })
    .await;
}

#[tokio::test]
async fn a_department_form_keeps_typed_values_on_error() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "boss", Role::MainAdmin);
        let c = app.signed_in("boss").await;
        let long = "部".repeat(31);
        let r = c
            .post("/org/departments", &[("name", &long), ("parent_id", "")])
            .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("部门名称须为 1–30 个字符");
        assert_eq!(input_value(&r.body, "name").as_deref(), Some(long.as_str()));
        let n: i64 = departments::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 0);
    })
    .await;
}

#[tokio::test]
async fn a_new_account_is_created_and_added_in_one_go() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "boss", Role::MainAdmin);
        app.user("taken", "Taken");
        let c = app.signed_in("boss").await;
        c.get("/org/members/new")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("action=\"/org/members/create\"");
        // A login already used is refused beside the field, with what was typed kept.
        let r = c
            .post(
                "/org/members/create",
                &[
                    ("login", "taken"),
                    ("name", "张三"),
                    ("password", "long enough pw"),
                ],
            )
            .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("该账号已被使用")
            .assert_contains("value=\"张三\"")
            .assert_lacks("long enough pw");
        let r = c
            .post(
                "/org/members/create",
                &[
                    ("login", "zhang.san"),
                    ("name", "张三"),
                    ("password", "short"),
                ],
            )
            .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("密码至少需要 8 个字符");
        let n: i64 = users::table
            .filter(users::login.eq("zhang.san"))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 0);
        c.post(
            "/org/members/create",
            &[
                ("login", "zhang.san"),
                ("name", "张三"),
                ("password", "long enough pw"),
            ],
        )
        .await
        .assert_redirect("/org/members/");
        let (uid, op): (i64, bool) = users::table
            .filter(users::login.eq("zhang.san"))
            .select((users::id, users::is_operator))
            .first(&mut *app.conn())
            .expect("user");
        assert!(!op);
        assert!(is_member(&app, org, uid));
        assert_eq!(role_of(&app, membership(&app, org, uid)).0, "member");
        app.client().login("zhang.san", "long enough pw").await;
    })
    .await;
}

#[tokio::test]
async fn adding_someone_already_a_member_is_refused_beside_the_field() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "boss", Role::MainAdmin);
        app.person(org, "alice", Role::Member);
        let c = app.signed_in("boss").await;
        c.post("/org/members/add", &[("login", "alice")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("此人已是该组织的成员")
            .assert_contains("value=\"alice\"");
        c.post("/org/members/add", &[("login", "ghost")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("没有这个账号");
        let n: i64 = memberships::table
            .filter(memberships::org_id.eq(org))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 2);
    })
    .await;
}

#[tokio::test]
async fn the_member_list_filters_by_department_and_pages_by_keyset() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "boss", Role::MainAdmin);
        let sales = app.department(org, None, "Sales");
        for i in 0..55 {
            let u = app.person(org, &format!("user{i:02}"), Role::Member);
            if i < 3 {
                diesel::update(memberships::table.find(membership(&app, org, u)))
                    .set(memberships::department_id.eq(Some(sales)))
                    .execute(&mut *app.conn())
                    .expect("move");
            }
        }
        let c = app.signed_in("boss").await;
        let first = c.get("/org/members").await;
        first
            .assert_status(StatusCode::OK)
            .assert_contains("user48")
            .assert_lacks("user49")
            .assert_contains("after=");
        let doc = scraper::Html::parse_document(&first.body);
        let sel = scraper::Selector::parse(".pager a").expect("selector");
        let next = doc
            .select(&sel)
            .next()
            .and_then(|a| a.value().attr("href"))
            .expect("next link")
            .to_string();
        c.get(&next)
            .await
            .assert_contains("user49")
            .assert_contains("user54")
            .assert_lacks("user48");
        c.get(&format!("/org/members?department={sales}"))
            .await
            .assert_contains("user02")
            .assert_lacks("user03")
            .assert_lacks(">boss</a>");
    })
    .await;
}

#[tokio::test]
async fn the_overview_shows_the_organisation_in_both_languages() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "boss", Role::MainAdmin);
        app.department(org, None, "Sales");
        let c = app.signed_in("boss").await;
        c.get("/org")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("ding001")
            .assert_contains("专业版")
            .assert_contains("未认证");
        c.post_ok("/lang", &[("lang", "en"), ("next", "/org")])
            .await;
        c.get("/org")
            .await
            .assert_contains("Professional")
            .assert_contains("Not certified")
            .assert_contains("Departments");
    })
    .await;
}

#[tokio::test]
async fn organisation_and_operator_pages_are_complete_in_english() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let boss = app.person(org, "boss", Role::MainAdmin);
        diesel::update(users::table.find(boss))
            .set(users::is_operator.eq(true))
            .execute(&mut *app.conn())
            .expect("operator");
        let sales = app.department(org, None, "Sales");
        app.department(org, Some(sales), "North");
        let boss_m = membership(&app, org, boss);
        let c = app.signed_in("boss").await;
        c.post_ok("/lang", &[("lang", "en")]).await;
        for path in [
            "/org".to_string(),
            "/org/members".to_string(),
            "/org/members/new".to_string(),
            format!("/org/members/{boss_m}"),
            "/org/departments".to_string(),
            "/operator/orgs".to_string(),
            "/operator/orgs/new".to_string(),
            format!("/operator/orgs/{org}"),
            "/operator/users".to_string(),
            "/operator/users/new".to_string(),
            format!("/operator/users/{boss}"),
        ] {
            let r = c.get(&path).await;
            r.assert_status(StatusCode::OK);
            let cjk = r
                .body
                .chars()
                .filter(|ch| ('\u{4e00}'..='\u{9fff}').contains(ch))
                .collect::<String>();
            // The language switch offers "中文" on every page; nothing else is Chinese.
            assert_eq!(cjk, "中文", "untranslated text on {path}");
        }
    })
    .await;
}
