//! Quick deploy, the team after it deployed (issue 20, 开始使用 → 团队邀请链接): the team
//! invitation link (expiry, revocation, approval), join requests, the directory import
//! (all or nothing, with a report) and complaints about a deployed app.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{
    departments, memberships, qd_complaints, qd_member_invites, qd_team_joins, qd_team_links, users,
};

use crate::support::quickdeploy_team::{Offer, deployment, offer, team_link};
use crate::support::{Client, TestApp, each_backend};

struct Team {
    offer: Offer,
    org: i64,
    admin: Client,
    deployment: i64,
}

/// A provider's approved offer and the team "团队甲" that deployed it (admin team.admin).
async fn team(app: &TestApp) -> Team {
    let op = app.operator("op");
    let offer = offer(app, "a", op);
    let org = app.org("团队甲", "qdteam0000a", "free");
    let admin_id = app.person(org, "team.admin", Role::MainAdmin);
    let deployment = deployment(app, &offer, org, admin_id);
    Team {
        offer,
        org,
        admin: app.signed_in("team.admin").await,
        deployment,
    }
}

/// The admin creates a link; its token.
async fn new_link(t: &Team, app: &TestApp, days: &str) -> (i64, String) {
    t.admin
        .post_ok("/org/quick-deploy/team-link", &[("expiry_days", days)])
        .await
        .assert_redirect("/org/quick-deploy");
    team_link(app, t.org).expect("a link")
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

fn join_status(app: &TestApp, org: i64, user: i64) -> Option<(i64, String)> {
    qd_team_joins::table
        .filter(qd_team_joins::org_id.eq(org))
        .filter(qd_team_joins::user_id.eq(user))
        .select((qd_team_joins::id, qd_team_joins::status))
        .first(&mut *app.conn())
        .optional()
        .expect("join")
}

/// Someone with an account and no organisation, signed in.
async fn outsider(app: &TestApp, login: &str) -> (i64, Client) {
    let id = app.user(login, "新同事");
    (id, app.signed_in(login).await)
}

#[tokio::test]
async fn the_org_page_lists_the_deployed_apps_with_one_status_and_the_link_with_its_qr_code() {
    each_backend(async |app| {
        let t = team(&app).await;
        let page = t.admin.get("/org/quick-deploy").await;
        page.assert_status(StatusCode::OK)
            .assert_contains("巡检助手a")
            .assert_contains("服务商a")
            .assert_contains("使用中")
            .assert_contains("还没有有效的团队邀请链接");
        let (_, token) = new_link(&t, &app, "").await;
        let page = t.admin.get("/org/quick-deploy").await;
        page.assert_contains(&format!("/qd/team/{token}"))
            .assert_contains(crate::support::QR_CODE)
            .assert_contains("data-copy=\"#team-link-url\"");
        let expires: i64 = qd_team_links::table
            .filter(qd_team_links::token.eq(&token))
            .select(qd_team_links::expires_at - qd_team_links::created_at)
            .first(&mut *app.conn())
            .expect("expiry");
        assert_eq!(expires, 7 * 86_400, "7 days by default");
        t.admin
            .post("/org/quick-deploy/team-link", &[("expiry_days", "31")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("1 到 30");
        // A member of the team does not manage it.
        app.person(t.org, "team.member", Role::Member);
        let member = app.signed_in("team.member").await;
        member
            .get("/org/quick-deploy")
            .await
            .assert_status(StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn a_team_link_refuses_joins_once_it_has_expired() {
    each_backend(async |app| {
        let t = team(&app).await;
        let (id, token) = new_link(&t, &app, "1").await;
        let (who, c) = outsider(&app, "new.colleague").await;
        // The link's day is over.
        diesel::update(qd_team_links::table.find(id))
            .set(qd_team_links::expires_at.eq(fenfa::db::now() - 1))
            .execute(&mut *app.conn())
            .expect("shift");
        app.client()
            .get(&format!("/qd/team/{token}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("已过期");
        c.post(&format!("/qd/team/{token}/join"), &[])
            .await
            .assert_status(StatusCode::GONE)
            .assert_contains("该团队邀请链接已过期");
        assert!(!is_member(&app, t.org, who));
        assert_eq!(join_status(&app, t.org, who), None);
        t.admin
            .get("/org/quick-deploy")
            .await
            .assert_contains("已过期")
            .assert_lacks(crate::support::QR_CODE);
    })
    .await;
}

#[tokio::test]
async fn a_revoked_team_link_refuses_joins_and_a_new_link_replaces_the_old_one() {
    each_backend(async |app| {
        let t = team(&app).await;
        let (first, old) = new_link(&t, &app, "").await;
        let (_, new) = new_link(&t, &app, "3").await;
        assert_ne!(old, new);
        let (who, c) = outsider(&app, "new.colleague").await;
        c.post(&format!("/qd/team/{old}/join"), &[])
            .await
            .assert_status(StatusCode::GONE)
            .assert_contains("已被管理员撤销");
        let (current, _) = team_link(&app, t.org).expect("link");
        t.admin
            .post_ok(
                &format!("/org/quick-deploy/team-link/{current}/revoke"),
                &[],
            )
            .await;
        c.post(&format!("/qd/team/{new}/join"), &[])
            .await
            .assert_status(StatusCode::GONE)
            .assert_contains("已被管理员撤销");
        assert!(!is_member(&app, t.org, who));
        assert_eq!(join_status(&app, t.org, who), None);
        assert_ne!(first, current);
        // The public page says why, and offers no sign-in to join.
        app.client()
            .get(&format!("/qd/team/{new}"))
            .await
            .assert_contains("已被管理员撤销")
            .assert_lacks("/login?next=");
    })
    .await;
}

#[tokio::test]
async fn with_approval_on_a_join_waits_until_an_admin_approves_it() {
    each_backend(async |app| {
        let t = team(&app).await;
        let (_, token) = new_link(&t, &app, "").await;
        // Not signed in: the page asks to sign in and come back.
        let anon = app.client();
        anon.get(&format!("/qd/team/{token}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("团队甲")
            .assert_contains("/login?next=");
        anon.post(&format!("/qd/team/{token}/join"), &[])
            .await
            .assert_redirect("/login?next=");
        let (who, c) = outsider(&app, "new.colleague").await;
        c.post(&format!("/qd/team/{token}/join"), &[])
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("已提交加入申请");
        assert!(!is_member(&app, t.org, who), "pending until approved");
        let (join, status) = join_status(&app, t.org, who).expect("a request");
        assert_eq!(status, "pending");
        // Asking again adds nothing.
        c.post(&format!("/qd/team/{token}/join"), &[])
            .await
            .assert_contains("正在等待管理员审批");
        let n: i64 = qd_team_joins::table
            .filter(qd_team_joins::org_id.eq(t.org))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 1);
        let admin_id = crate::support::permissions::id_of_user(&app, "team.admin");
        assert_eq!(
            crate::support::distribution::notified(
                &app,
                admin_id,
                "quickdeploy.team.notify.join_requested"
            ),
            1,
            "the admins are told"
        );
        t.admin
            .get("/org/quick-deploy")
            .await
            .assert_contains("new.colleague");
        t.admin
            .post_ok(&format!("/org/quick-deploy/joins/{join}/approve"), &[])
            .await
            .assert_redirect("/org/quick-deploy");
        assert!(is_member(&app, t.org, who));
        assert_eq!(
            join_status(&app, t.org, who).map(|x| x.1).as_deref(),
            Some("approved")
        );
        // Once a member, the link says so.
        c.post(&format!("/qd/team/{token}/join"), &[])
            .await
            .assert_contains("你已经是该团队的成员");
        // A rejected request makes no member.
        let (who2, c2) = outsider(&app, "second.colleague").await;
        c2.post(&format!("/qd/team/{token}/join"), &[]).await;
        let (join2, _) = join_status(&app, t.org, who2).expect("a request");
        t.admin
            .post_ok(&format!("/org/quick-deploy/joins/{join2}/reject"), &[])
            .await;
        assert!(!is_member(&app, t.org, who2));
        assert_eq!(
            join_status(&app, t.org, who2).map(|x| x.1).as_deref(),
            Some("rejected")
        );
    })
    .await;
}

#[tokio::test]
async fn with_approval_off_a_person_joins_at_once() {
    each_backend(async |app| {
        let t = team(&app).await;
        let (_, token) = new_link(&t, &app, "").await;
        t.admin
            .post_ok(
                "/org/quick-deploy/team-link/approval",
                &[("approval", "off")],
            )
            .await;
        let (who, c) = outsider(&app, "new.colleague").await;
        c.post(&format!("/qd/team/{token}/join"), &[])
            .await
            .assert_redirect(&format!("/qd/team/{token}"));
        assert!(is_member(&app, t.org, who), "a member at once");
        c.get(&format!("/qd/team/{token}"))
            .await
            .assert_contains("你已经是该团队的成员");
        // A new link keeps the setting.
        let (_, token2) = new_link(&t, &app, "").await;
        let (who2, c2) = outsider(&app, "second.colleague").await;
        c2.post(&format!("/qd/team/{token2}/join"), &[]).await;
        assert!(is_member(&app, t.org, who2));
    })
    .await;
}

#[tokio::test]
async fn another_organisations_admin_cannot_revoke_the_link_or_decide_its_joins() {
    each_backend(async |app| {
        let t = team(&app).await;
        let (link, token) = new_link(&t, &app, "").await;
        let (who, c) = outsider(&app, "new.colleague").await;
        c.post(&format!("/qd/team/{token}/join"), &[]).await;
        let (join, _) = join_status(&app, t.org, who).expect("a request");
        let other = app.org("团队乙", "qdteam0000b", "free");
        app.person(other, "other.admin", Role::MainAdmin);
        let oa = app.signed_in("other.admin").await;
        for path in [
            format!("/org/quick-deploy/team-link/{link}/revoke"),
            format!("/org/quick-deploy/joins/{join}/approve"),
            format!("/org/quick-deploy/joins/{join}/reject"),
        ] {
            oa.post(&path, &[])
                .await
                .assert_status(StatusCode::NOT_FOUND);
        }
        // Its own approval switch touches its own (missing) link only.
        oa.post(
            "/org/quick-deploy/team-link/approval",
            &[("approval", "off")],
        )
        .await
        .assert_status(StatusCode::CONFLICT);
        let (revoked, approval): (Option<i64>, bool) = qd_team_links::table
            .find(link)
            .select((qd_team_links::revoked_at, qd_team_links::join_approval))
            .first(&mut *app.conn())
            .expect("link");
        assert_eq!((revoked, approval), (None, true));
        assert_eq!(
            join_status(&app, t.org, who).map(|x| x.1).as_deref(),
            Some("pending")
        );
        assert!(!is_member(&app, other, who) && !is_member(&app, t.org, who));
        // Nor file a complaint against another team's deployment.
        oa.post(
            &format!("/org/quick-deploy/deployments/{}/complaint", t.deployment),
            &[("body", "这个应用经常打不开，影响工作。")],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

fn csv(rows: &str) -> Vec<u8> {
    format!("\u{feff}name,login,department\n{rows}").into_bytes()
}

async fn import(t: &Team, file: &[u8]) -> crate::support::Resp {
    t.admin
        .post_multipart(
            "/org/quick-deploy/import",
            &[],
            &[("file", "people.csv", "text/csv", file)],
        )
        .await
}

fn people(app: &TestApp) -> i64 {
    users::table
        .count()
        .get_result(&mut *app.conn())
        .expect("users")
}

#[tokio::test]
async fn a_directory_import_with_one_bad_row_imports_nobody_and_names_the_refused_lines() {
    each_backend(async |app| {
        let t = team(&app).await;
        app.user("taken.login", "别人");
        let before = people(&app);
        let file = csv(
            "张三,zhang.san,生产部\n李四,li.si,质检部\n王五,zhang.san,\n赵六,taken.login,生产部\n,no.name,\n",
        );
        let r = import(&t, &file).await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("有 3 行不符合要求，本次没有导入任何人")
            .assert_contains("<td>4</td>")
            .assert_contains("账号在文件中重复")
            .assert_contains("<td>5</td>")
            .assert_contains("账号已被其他账户使用")
            .assert_contains("<td>6</td>")
            .assert_lacks("<td>2</td>");
        assert_eq!(people(&app), before, "nothing imported");
        let depts: i64 = departments::table
            .filter(departments::org_id.eq(t.org))
            .count()
            .get_result(&mut *app.conn())
            .expect("departments");
        assert_eq!(depts, 0);
        let invites: i64 = qd_member_invites::table
            .count()
            .get_result(&mut *app.conn())
            .expect("invites");
        assert_eq!(invites, 0);
        // A file without the columns is refused whole.
        import(&t, "who,what\na,b\n".as_bytes())
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("至少包含 name（姓名）和 login（账号）两列");
    })
    .await;
}

#[tokio::test]
async fn a_good_directory_file_imports_people_into_departments_with_invitations() {
    each_backend(async |app| {
        let t = team(&app).await;
        let existing = app.department(t.org, None, "生产部");
        let file = "\u{feff}姓名;账号;部门\r\n张三;zhang.san;生产部\r\n李四;li.si;质检部\r\n王五;wang.wu;\r\n";
        let r = import(&t, file.as_bytes()).await;
        r.assert_status(StatusCode::OK)
            .assert_contains("已导入 3 人")
            .assert_contains("/qd/welcome/");
        let placed: Vec<(String, Option<String>)> = memberships::table
            .inner_join(users::table)
            .left_join(departments::table)
            .filter(memberships::org_id.eq(t.org))
            .filter(memberships::role.eq("member"))
            .order(users::login.asc())
            .select((users::login, departments::name.nullable()))
            .load(&mut *app.conn())
            .expect("members");
        assert_eq!(
            placed,
            vec![
                ("li.si".to_string(), Some("质检部".to_string())),
                ("wang.wu".to_string(), None),
                ("zhang.san".to_string(), Some("生产部".to_string())),
            ]
        );
        let zhang_dept: Option<i64> = memberships::table
            .inner_join(users::table)
            .filter(users::login.eq("zhang.san"))
            .select(memberships::department_id)
            .first(&mut *app.conn())
            .expect("dept");
        assert_eq!(zhang_dept, Some(existing), "an existing department is reused");
        // Each has an invitation for 7 days and no usable password.
        let invites: Vec<(i64, i64, Option<i64>)> = qd_member_invites::table
            .filter(qd_member_invites::org_id.eq(t.org))
            .select((
                qd_member_invites::created_at,
                qd_member_invites::expires_at,
                qd_member_invites::used_at,
            ))
            .load(&mut *app.conn())
            .expect("invites");
        assert_eq!(invites.len(), 3);
        assert!(
            invites
                .iter()
                .all(|(c, e, u)| e - c == 7 * 86_400 && u.is_none())
        );
        let c = app.client();
        let r = c
            .post(
                "/login",
                &[("login", "zhang.san"), ("password", "anything-at-all")],
            )
            .await;
        assert!(!r.status.is_redirection(), "no password works yet");
        // The admin hands the links on as a CSV.
        let export = t.admin.get("/org/quick-deploy/invitations/export").await;
        export.assert_status(StatusCode::OK);
        assert!(export.body.starts_with('\u{feff}'));
        assert_eq!(export.body.lines().count(), 4);
        export
            .assert_contains("zhang.san")
            .assert_contains("/qd/welcome/");
        // The same file again: everyone is already a member, nobody is added twice.
        import(&t, file.as_bytes())
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("该账号已是本组织成员");
    })
    .await;
}

#[tokio::test]
async fn a_complaint_is_stored_for_the_organisations_own_deployment_only() {
    each_backend(async |app| {
        let t = team(&app).await;
        app.person(t.org, "team.member", Role::Member);
        let member = app.signed_in("team.member").await;
        let path = format!("/org/quick-deploy/deployments/{}/complaint", t.deployment);
        member
            .get(&path)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("巡检助手a");
        member
            .post(&path, &[("body", "太短")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("至少 10 个字")
            .assert_contains("太短");
        member
            .post_ok(
                &path,
                &[("body", "应用经常打不开，影响我们每天的巡检工作。")],
            )
            .await
            .assert_redirect(&path);
        t.admin
            .post_ok(&path, &[("body", "数据导出的格式和说明不一致，无法使用。")])
            .await;
        let stored: Vec<(i64, i64)> = qd_complaints::table
            .select((qd_complaints::application_id, qd_complaints::org_id))
            .load(&mut *app.conn())
            .expect("complaints");
        assert_eq!(stored, vec![(t.offer.application, t.org); 2]);
        t.admin
            .get("/org/quick-deploy")
            .await
            .assert_contains("应用经常打不开")
            .assert_contains("数据导出的格式");
        // Another organisation's deployment of the same offer is not this team's.
        let other = app.org("团队乙", "qdteam0000b", "free");
        let oadmin = app.person(other, "other.admin", Role::MainAdmin);
        let theirs = deployment(&app, &t.offer, other, oadmin);
        member
            .post(
                &format!("/org/quick-deploy/deployments/{theirs}/complaint"),
                &[("body", "应用经常打不开，影响我们每天的巡检工作。")],
            )
            .await
            .assert_status(StatusCode::NOT_FOUND);
        member
            .get(&format!("/org/quick-deploy/deployments/{theirs}/complaint"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let n: i64 = qd_complaints::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 2);
    })
    .await;
}

#[tokio::test]
async fn a_person_without_an_account_registers_on_the_team_link_and_waits_for_the_admins_approval()
{
    each_backend(async |app| {
        let t = team(&app).await;
        let (_, token) = new_link(&t, &app, "").await;
        let register = format!("/qd/team/{token}/register");
        let anon = app.client();
        anon.get(&format!("/qd/team/{token}"))
            .await
            .assert_contains(&format!("href=\"{register}\""));
        anon.get(&register)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("注册并加入「团队甲」");
        // A taken login is refused beside the field; the name typed is kept.
        let form = |login: &'static str| {
            [
                ("name", "钱同事"),
                ("login", login),
                ("password", "qian-secret-1"),
                ("password_confirm", "qian-secret-1"),
            ]
        };
        anon.post(&register, &form("team.admin"))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("该账号已被使用")
            .assert_contains("value=\"钱同事\"");
        anon.post(&register, &form("qian.colleague"))
            .await
            .assert_redirect(&format!("/qd/team/{token}"));
        let who = crate::support::permissions::id_of_user(&app, "qian.colleague");
        assert!(!is_member(&app, t.org, who), "pending until approved");
        // Back on the link's page, signed in: it says the request waits, no button again.
        anon.get(&format!("/qd/team/{token}"))
            .await
            .assert_contains("正在等待团队管理员审批")
            .assert_lacks(&format!("action=\"/qd/team/{token}/join\""));
        let (join, _) = join_status(&app, t.org, who).expect("a request");
        t.admin
            .post_ok(&format!("/org/quick-deploy/joins/{join}/approve"), &[])
            .await;
        assert!(is_member(&app, t.org, who));
        // Signed in already, the registration page sends one back to the link's page.
        anon.get(&register)
            .await
            .assert_redirect(&format!("/qd/team/{token}"));
    })
    .await;
}

#[tokio::test]
async fn an_expired_or_revoked_team_link_registers_nobody() {
    each_backend(async |app| {
        let t = team(&app).await;
        let (id, token) = new_link(&t, &app, "").await;
        t.admin
            .post_ok(&format!("/org/quick-deploy/team-link/{id}/revoke"), &[])
            .await;
        let register = format!("/qd/team/{token}/register");
        let anon = app.client();
        anon.get(&register)
            .await
            .assert_redirect(&format!("/qd/team/{token}"));
        anon.post(
            &register,
            &[
                ("name", "孙同事"),
                ("login", "sun.colleague"),
                ("password", "sun-secret-12"),
                ("password_confirm", "sun-secret-12"),
            ],
        )
        .await
        .assert_redirect(&format!("/qd/team/{token}"));
        let made: i64 = users::table
            .filter(users::login.eq("sun.colleague"))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(made, 0, "no account from a revoked link");
    })
    .await;
}
