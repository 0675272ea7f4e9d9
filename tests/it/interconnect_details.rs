//! Smaller interconnection defects of issue 14 (item 5), each with its rule: the group
//! form's name, releasing seats without a choice, the join review naming the scope, the
//! member organisation's admins and the space directory, own history after leaving, how
//! a membership ended, and the submitter's organisation on the submission page.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::apps::app::{FieldKind, PageKind};
use fenfa::apps::store;
use fenfa::auth::Role;
use fenfa::db::schema::{approval_tasks, orgs, seats, space_orgs, space_scope};

use crate::support::apps::{Fixture, app_with_page, submission_id};
use crate::support::{Client, TestApp, each_backend, input_value};

/// An upstream organisation with a process form published in its space; 下游经销商
/// links only its 销售部 (its main admin is not in it), 另一经销商 links everything.
struct World {
    up: i64,
    down: i64,
    other: i64,
    down_member: i64,
    space: i64,
    form: Fixture,
}

fn world(app: &TestApp) -> World {
    let up = app.org("上游公司", "dingup01", "exclusive");
    let down = app.org("下游经销商", "dingdn01", "professional");
    let other = app.org("另一经销商", "dingot01", "professional");
    let up_admin = app.person(up, "upadmin", Role::MainAdmin);
    app.person(up, "upclerk", Role::Member);
    let sales = app.department(down, None, "销售部");
    app.person(down, "dnadmin", Role::MainAdmin);
    let down_member = app.person(down, "dnmember", Role::Member);
    app.place(down, down_member, Some(sales));
    let peer = app.person(down, "dnpeer", Role::Member);
    app.place(down, peer, Some(sales));
    app.person(down, "dnoutside", Role::Member);
    let other_admin = app.person(other, "otadmin", Role::MainAdmin);
    let form = app_with_page(
        app,
        up,
        up_admin,
        PageKind::Process,
        &[("事由", FieldKind::Text, true, "")],
    );
    store::add_step(&mut app.conn(), &form.page, "上游审批", up_admin).expect("step");
    let space = app.joined_space(
        up,
        up_admin,
        &[(down, "departments", &[sales]), (other, "all", &[])],
    );
    // The linked people hold seats of the upstream pool (only they use shared apps).
    for (org, user) in [(down, down_member), (down, peer), (other, other_admin)] {
        app.seat(up, org, user);
    }
    World {
        up,
        down,
        other,
        down_member,
        space,
        form,
    }
}

async fn publish(app: &TestApp, w: &World) {
    app.signed_in("upadmin")
        .await
        .post(
            &format!("/interconnect/spaces/{}/apps", w.space),
            &[("app_id", &w.form.app_id.to_string()), ("mode", "all")],
        )
        .await
        .assert_redirect("/interconnect/spaces/");
}

async fn submit(c: &Client, w: &World, reason: &str) -> i64 {
    let r = c
        .post_multipart(&w.form.url(), &[(&w.form.f(0), reason)], &[])
        .await;
    r.assert_redirect("/submissions/");
    submission_id(r.location())
}

fn row_of(app: &TestApp, space: i64, org: i64) -> i64 {
    space_orgs::table
        .filter(space_orgs::space_id.eq(space))
        .filter(space_orgs::org_id.eq(org))
        .select(space_orgs::id)
        .first(&mut *app.conn())
        .expect("space org")
}

#[tokio::test]
async fn the_new_collaboration_group_form_starts_with_an_empty_name_and_keeps_what_was_typed() {
    each_backend(async |app| {
        let w = world(&app);
        let dm = app.signed_in("dnmember").await;
        let page = dm
            .get(&format!("/interconnect/spaces/{}/collab", w.space))
            .await;
        page.assert_status(StatusCode::OK);
        assert_eq!(input_value(&page.body, "name").as_deref(), Some(""));
        // A refused form (nobody picked) shows the name as typed.
        let r = dm
            .post(
                &format!("/interconnect/spaces/{}/collab", w.space),
                &[("name", "华东协同")],
            )
            .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(input_value(&r.body, "name").as_deref(), Some("华东协同"));
    })
    .await;
}

#[tokio::test]
async fn releasing_seats_without_choosing_any_says_so_on_the_page() {
    each_backend(async |app| {
        let w = world(&app);
        diesel::update(orgs::table.find(w.up))
            .set(orgs::seat_pool.eq(10))
            .execute(&mut *app.conn())
            .expect("pool");
        let up = app.signed_in("upadmin").await;
        let page = format!("/interconnect/licences/orgs/{}", w.down);
        up.post(
            &format!("{page}/grant"),
            &[("user_id", &w.down_member.to_string())],
        )
        .await
        .assert_redirect(&page);
        up.post(&format!("{page}/release"), &[])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("id=\"e-seat_id\"")
            .assert_contains("请先勾选要释放的名额")
            .assert_contains("dnmember");
        let held: i64 = seats::table
            .filter(seats::user_id.eq(w.down_member))
            .count()
            .get_result(&mut *app.conn())
            .expect("seats");
        assert_eq!(held, 1, "nothing released");
    })
    .await;
}

#[tokio::test]
async fn the_review_of_a_join_request_names_the_departments_or_people_and_counts_them() {
    each_backend(async |app| {
        let w = world(&app);
        // Two applications waiting: one with two departments (three people, one of
        // them in a sub-department), one with two chosen people.
        let a = app.org("申请甲", "dingap01", "professional");
        let east = app.department(a, None, "华东区");
        let south = app.department(a, None, "华南区");
        let sub = app.department(a, Some(east), "上海组");
        for (login, d) in [("ap1", east), ("ap2", south), ("ap3", sub)] {
            let u = app.person(a, login, Role::Member);
            app.place(a, u, Some(d));
        }
        app.person(a, "ap4", Role::Member);
        let b = app.org("申请乙", "dingap02", "professional");
        let zhang = app.person(b, "zhangsan", Role::Member);
        let li = app.person(b, "lisi", Role::Member);
        app.person(b, "wangwu", Role::Member);
        let pending = |org: i64, kind: &str, refs: &[(&str, i64)]| -> i64 {
            let mut conn = app.conn();
            // Written directly: pending applications (the join pages: interconnect_spaces).
            let so: i64 = diesel::insert_into(space_orgs::table)
                .values((
                    space_orgs::space_id.eq(w.space),
                    space_orgs::org_id.eq(org),
                    space_orgs::role.eq("member"),
                    space_orgs::status.eq("pending"),
                    space_orgs::scope_kind.eq(kind),
                    space_orgs::created_at.eq(0),
                ))
                .returning(space_orgs::id)
                .get_result(&mut *conn)
                .expect("application");
            for (k, r) in refs {
                diesel::insert_into(space_scope::table)
                    .values((
                        space_scope::space_org_id.eq(so),
                        space_scope::kind.eq(*k),
                        space_scope::ref_id.eq(*r),
                    ))
                    .execute(&mut *conn)
                    .expect("scope");
            }
            so
        };
        let so_a = pending(
            a,
            "departments",
            &[("department", east), ("department", south)],
        );
        pending(b, "people", &[("user", zhang), ("user", li)]);
        let up = app.signed_in("upadmin").await;
        let list = up
            .get(&format!(
                "/interconnect/spaces/{}/orgs?status=pending",
                w.space
            ))
            .await;
        list.assert_status(StatusCode::OK)
            .assert_contains("2 个部门")
            .assert_contains("华东区")
            .assert_contains("华南区")
            .assert_contains("共关联 3 人")
            .assert_contains("2 人")
            .assert_contains("lisi")
            .assert_contains("zhangsan")
            .assert_contains("共关联 2 人")
            .assert_lacks("wangwu");
        up.get(&format!(
            "/interconnect/spaces/{}/orgs/{so_a}/reject",
            w.space
        ))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("华东区")
        .assert_contains("共关联 3 人");
        // A joined organisation linked whole shows its head count.
        up.get(&format!(
            "/interconnect/spaces/{}/orgs?status=joined",
            w.space
        ))
        .await
        .assert_contains("整个组织，共 1 人");
        let _ = w.other;
    })
    .await;
}

#[tokio::test]
async fn a_member_organisations_admin_outside_the_linked_scope_sees_the_space_directory() {
    each_backend(async |app| {
        let w = world(&app);
        let da = app.signed_in("dnadmin").await;
        da.get(&format!("/interconnect/spaces/{}/people", w.space))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("dnmember");
        da.get("/interconnect")
            .await
            .assert_contains(&format!("href=\"/interconnect/spaces/{}\"", w.space));
        da.get(&format!("/interconnect/spaces/{}", w.space))
            .await
            .assert_status(StatusCode::OK);
        // An ordinary member outside the scope still gets 404.
        app.signed_in("dnoutside")
            .await
            .get(&format!("/interconnect/spaces/{}/people", w.space))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // Once the organisation left, its admin gets 404 too.
        da.post(
            &format!("/interconnect/spaces/{}/membership/leave", w.space),
            &[],
        )
        .await
        .assert_redirect("/interconnect");
        da.get(&format!("/interconnect/spaces/{}/people", w.space))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn after_its_organisation_leaves_a_member_still_reads_their_own_submissions_read_only() {
    each_backend(async |app| {
        let w = world(&app);
        publish(&app, &w).await;
        let dm = app.signed_in("dnmember").await;
        let sid = submit(&dm, &w, "退出前的订货").await;
        // The upstream approver hands the task to the downstream admin.
        let (task, _): (i64, i64) = approval_tasks::table
            .filter(approval_tasks::submission_id.eq(sid))
            .select((approval_tasks::id, approval_tasks::assignee_id))
            .first(&mut *app.conn())
            .expect("task");
        let peer: i64 = fenfa::db::schema::users::table
            .filter(fenfa::db::schema::users::login.eq("dnpeer"))
            .select(fenfa::db::schema::users::id)
            .first(&mut *app.conn())
            .expect("dnpeer");
        let up = app.signed_in("upadmin").await;
        up.post(
            &format!("/submissions/{sid}/tasks/{task}"),
            &[("action", "hand_over"), ("target", &peer.to_string())],
        )
        .await
        .assert_redirect(&format!("/submissions/{sid}"));
        let da = app.signed_in("dnadmin").await;
        da.post(
            &format!("/interconnect/spaces/{}/membership/leave", w.space),
            &[],
        )
        .await
        .assert_redirect("/interconnect");
        // The submitter: their own history, readable, read only.
        dm.get(&format!("/submissions/{sid}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("退出前的订货")
            .assert_contains("id=\"read-only\"")
            .assert_lacks("/tasks/");
        dm.get("/submissions")
            .await
            .assert_contains(&format!("/submissions/{sid}"))
            .assert_contains("仅供查看")
            .assert_lacks("还没有提交过表单");
        dm.get(&w.form.url())
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // Nobody of the departed organisation acts on it any more.
        let t2: i64 = approval_tasks::table
            .filter(approval_tasks::submission_id.eq(sid))
            .filter(approval_tasks::status.eq("pending"))
            .select(approval_tasks::id)
            .first(&mut *app.conn())
            .expect("pending");
        let dp = app.signed_in("dnpeer").await;
        dp.post(
            &format!("/submissions/{sid}/tasks/{t2}"),
            &[("action", "approve")],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        dp.get(&format!("/submissions/{sid}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn the_space_admin_sees_whether_an_organisation_left_or_was_removed_and_when() {
    each_backend(async |app| {
        let w = world(&app);
        app.signed_in("dnadmin")
            .await
            .post(
                &format!("/interconnect/spaces/{}/membership/leave", w.space),
                &[],
            )
            .await
            .assert_redirect("/interconnect");
        let up = app.signed_in("upadmin").await;
        let so = row_of(&app, w.space, w.other);
        up.post(
            &format!("/interconnect/spaces/{}/orgs/{so}/remove", w.space),
            &[],
        )
        .await
        .assert_redirect(&format!("/interconnect/spaces/{}/orgs", w.space));
        let page = up
            .get(&format!(
                "/interconnect/spaces/{}/orgs?status=left",
                w.space
            ))
            .await;
        page.assert_status(StatusCode::OK)
            .assert_contains("该组织主动退出 · dnadmin")
            .assert_contains("被空间管理员移除 · upadmin");
        let left_row = format!("id=\"so-{}\"", row_of(&app, w.space, w.down));
        let at = page.body.find(&left_row).expect("the left row");
        assert!(
            page.body[at..].find("该组织主动退出") < page.body[at..].find("被空间管理员移除"),
            "each row says its own ending"
        );
        // When it ended shows, as every page says a recent time.
        assert!(page.body[at..].contains("刚刚"), "the ending's time");
    })
    .await;
}

#[tokio::test]
async fn the_submission_page_names_the_submitters_organisation() {
    each_backend(async |app| {
        let w = world(&app);
        publish(&app, &w).await;
        let dm = app.signed_in("dnmember").await;
        let sid = submit(&dm, &w, "下游提交").await;
        let up = app.signed_in("upadmin").await;
        up.get(&format!("/submissions/{sid}"))
            .await
            .assert_contains("id=\"submitter-org\">下游经销商<");
        let own = submit(&app.signed_in("upclerk").await, &w, "上游提交").await;
        up.get(&format!("/submissions/{own}"))
            .await
            .assert_contains("id=\"submitter-org\">上游公司<");
    })
    .await;
}
