//! Nobody approves their own submission (issue 14, item 2), on every process form: the
//! 转交/加签 pickers leave the submitter out, the server refuses them as a target with
//! the error on the form, the submitter cannot approve a task of their own submission,
//! and a step whose approver is the submitter goes to a stand-in (or is refused).

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::apps::app::{FieldKind, PageKind};
use fenfa::apps::store;
use fenfa::auth::Role;
use fenfa::db::schema::{approval_tasks, submissions};

use crate::support::apps::{app_with_page, submission_id};
use crate::support::{Client, TestApp, each_backend};

/// The pending tasks of a submission: (task id, step, assignee, kind).
fn pending(app: &TestApp, sid: i64) -> Vec<(i64, i32, i64, String)> {
    approval_tasks::table
        .filter(approval_tasks::submission_id.eq(sid))
        .filter(approval_tasks::status.eq("pending"))
        .order(approval_tasks::id.asc())
        .select((
            approval_tasks::id,
            approval_tasks::step_position,
            approval_tasks::assignee_id,
            approval_tasks::kind,
        ))
        .load(&mut *app.conn())
        .expect("tasks")
}

fn status(app: &TestApp, sid: i64) -> String {
    submissions::table
        .find(sid)
        .select(submissions::status)
        .first(&mut *app.conn())
        .expect("status")
}

fn offers(html: &str, id: i64) -> bool {
    html.contains(&format!("<option value=\"{id}\""))
}

async fn submit(c: &Client, url: &str, field: &str, reason: &str) -> i64 {
    let r = c.post_multipart(url, &[(field, reason)], &[]).await;
    r.assert_redirect("/submissions/");
    submission_id(r.location())
}

async fn act(c: &Client, sid: i64, task: i64, form: &[(&str, &str)]) -> crate::support::Resp {
    c.post(&format!("/submissions/{sid}/tasks/{task}"), form)
        .await
}

#[tokio::test]
async fn the_upstream_approver_cannot_hand_over_or_add_the_downstream_submitter() {
    each_backend(async |app| {
        let up = app.org("上游公司", "dingup01", "exclusive");
        let down = app.org("下游经销商", "dingdn01", "professional");
        let up_admin = app.person(up, "upadmin", Role::MainAdmin);
        let down_admin = app.person(down, "dnadmin", Role::MainAdmin);
        let submitter = app.person(down, "dnmember", Role::Member);
        let form = app_with_page(
            &app,
            up,
            up_admin,
            PageKind::Process,
            &[("事由", FieldKind::Text, true, "")],
        );
        store::add_step(&mut app.conn(), &form.page, "上游审批", up_admin).expect("step");
        let space = app.joined_space(up, up_admin, &[(down, "all", &[])]);
        app.seat(up, down, down_admin);
        app.seat(up, down, submitter);
        let upc = app.signed_in("upadmin").await;
        upc.post(
            &format!("/interconnect/spaces/{space}/apps"),
            &[("app_id", &form.app_id.to_string()), ("mode", "all")],
        )
        .await
        .assert_redirect("/interconnect/spaces/");
        let dm = app.signed_in("dnmember").await;
        let sid = submit(&dm, &form.url(), &form.f(0), "订货").await;
        let task = pending(&app, sid)[0].0;

        // The picker offers the downstream admin, never the submitter.
        let page = upc.get(&format!("/submissions/{sid}")).await;
        assert!(offers(&page.body, down_admin), "{}", page.body);
        assert!(!offers(&page.body, submitter), "{}", page.body);
        // Posting the submitter anyway: refused on the form, with the choice kept.
        for action in ["add_approver", "hand_over"] {
            act(
                &upc,
                sid,
                task,
                &[
                    ("action", action),
                    ("target", &submitter.to_string()),
                    ("comment", "请本人确认"),
                ],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("不能转交或加签给提交人")
            .assert_contains("id=\"e-target\"")
            .assert_contains("请本人确认");
        }
        let still = pending(&app, sid);
        assert_eq!((still.len(), still[0].0, still[0].2), (1, task, up_admin));
        assert_eq!(status(&app, sid), "in_approval");
        // The submitter holds no task and cannot approve the upstream one.
        act(&dm, sid, task, &[("action", "approve")])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        assert_eq!(status(&app, sid), "in_approval");
        // Handed over to the downstream admin, whose picker lacks the submitter too.
        act(
            &upc,
            sid,
            task,
            &[("action", "hand_over"), ("target", &down_admin.to_string())],
        )
        .await
        .assert_redirect(&format!("/submissions/{sid}"));
        let da = app.signed_in("dnadmin").await;
        let page = da.get(&format!("/submissions/{sid}")).await;
        assert!(page.body.contains("待你审批"), "{}", page.body);
        assert!(!offers(&page.body, submitter), "{}", page.body);
        let t2 = pending(&app, sid)[0].0;
        act(
            &da,
            sid,
            t2,
            &[
                ("action", "add_approver"),
                ("target", &submitter.to_string()),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(pending(&app, sid)[0].2, down_admin);
    })
    .await;
}

/// A process form of one organisation: 部门审批 by the manager.
struct Plain {
    url: String,
    field: String,
    page: fenfa::apps::app::Page,
    boss: i64,
    manager: i64,
    alice: i64,
}

fn plain(app: &TestApp) -> Plain {
    let org = app.org("Acme", "ding001", "professional");
    let boss = app.person(org, "boss", Role::MainAdmin);
    let alice = app.person(org, "alice", Role::Member);
    let manager = app.person(org, "manager", Role::Member);
    app.person(org, "deputy", Role::Member);
    let fx = app_with_page(
        app,
        org,
        boss,
        PageKind::Process,
        &[("事由", FieldKind::Text, true, "")],
    );
    store::add_step(&mut app.conn(), &fx.page, "部门审批", manager).expect("step");
    Plain {
        url: fx.url(),
        field: fx.f(0),
        page: fx.page,
        boss,
        manager,
        alice,
    }
}

#[tokio::test]
async fn on_an_ordinary_process_form_the_submitter_is_neither_offered_nor_accepted_as_approver() {
    each_backend(async |app| {
        let p = plain(&app);
        let a = app.signed_in("alice").await;
        let sid = submit(&a, &p.url, &p.field, "买电脑").await;
        let task = pending(&app, sid)[0].0;
        let m = app.signed_in("manager").await;
        let page = m.get(&format!("/submissions/{sid}")).await;
        assert!(offers(&page.body, p.boss), "{}", page.body);
        assert!(!offers(&page.body, p.alice), "{}", page.body);
        act(
            &m,
            sid,
            task,
            &[("action", "add_approver"), ("target", &p.alice.to_string())],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("不能转交或加签给提交人");
        // The other refusals show on the form too (422, the error beside the field).
        act(&m, sid, task, &[("action", "reject"), ("comment", " ")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("id=\"e-comment\"")
            .assert_contains("拒绝时请填写意见");
        assert_eq!(pending(&app, sid)[0].2, p.manager);
        let _ = &p.page;
    })
    .await;
}

#[tokio::test]
async fn a_submitter_holding_a_task_of_their_own_submission_cannot_approve_it() {
    each_backend(async |app| {
        let p = plain(&app);
        let a = app.signed_in("alice").await;
        let sid = submit(&a, &p.url, &p.field, "买电脑").await;
        // A task of the submission in the submitter's hands (as data written before the
        // rule existed could hold): the approve action itself refuses.
        let task = pending(&app, sid)[0].0;
        diesel::update(approval_tasks::table.find(task))
            .set(approval_tasks::assignee_id.eq(p.alice))
            .execute(&mut *app.conn())
            .expect("reassign");
        let page = a.get(&format!("/submissions/{sid}")).await;
        page.assert_contains("这是你本人的提交")
            .assert_lacks("value=\"approve\"")
            .assert_lacks("value=\"add_approver\"");
        act(&a, sid, task, &[("action", "approve")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("不能审批自己的提交");
        let deputy: i64 = fenfa::db::schema::users::table
            .filter(fenfa::db::schema::users::login.eq("deputy"))
            .select(fenfa::db::schema::users::id)
            .first(&mut *app.conn())
            .expect("deputy");
        act(
            &a,
            sid,
            task,
            &[("action", "add_approver"), ("target", &deputy.to_string())],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(status(&app, sid), "in_approval");
        assert_eq!(pending(&app, sid)[0].2, p.alice);
        // They may pass it on to someone else, who approves it.
        act(
            &a,
            sid,
            task,
            &[("action", "hand_over"), ("target", &deputy.to_string())],
        )
        .await
        .assert_redirect(&format!("/submissions/{sid}"));
        let d = app.signed_in("deputy").await;
        let t = pending(&app, sid)[0].0;
        act(&d, sid, t, &[("action", "approve")])
            .await
            .assert_redirect(&format!("/submissions/{sid}"));
        assert_eq!(status(&app, sid), "approved");
    })
    .await;
}

#[tokio::test]
async fn a_step_whose_approver_is_the_submitter_goes_to_a_stand_in() {
    each_backend(async |app| {
        let p = plain(&app);
        store::add_step(&mut app.conn(), &p.page, "财务审批", p.alice).expect("step 2");
        // The manager submits: their own step goes to the app admin (the boss).
        let m = app.signed_in("manager").await;
        let sid = submit(&m, &p.url, &p.field, "经理自己的申请").await;
        let first = pending(&app, sid);
        assert_eq!((first[0].2, first[0].3.as_str()), (p.boss, "stand_in"));
        m.get("/approvals")
            .await
            .assert_lacks(&format!("/submissions/{sid}"));
        let b = app.signed_in("boss").await;
        b.get(&format!("/submissions/{sid}"))
            .await
            .assert_contains("代审");
        act(&b, sid, first[0].0, &[("action", "approve")])
            .await
            .assert_redirect(&format!("/submissions/{sid}"));
        let second = pending(&app, sid);
        assert_eq!((second[0].1, second[0].2), (1, p.alice));
        // Alice submits: step 1 is the manager's; step 2, hers, goes to the boss.
        let a = app.signed_in("alice").await;
        let sid2 = submit(&a, &p.url, &p.field, "爱丽丝的申请").await;
        let t = pending(&app, sid2)[0].0;
        act(&m, sid2, t, &[("action", "approve")]).await;
        let next = pending(&app, sid2);
        assert_eq!(
            (next[0].1, next[0].2, next[0].3.as_str()),
            (1, p.boss, "stand_in")
        );
    })
    .await;
}

#[tokio::test]
async fn a_submission_that_only_its_submitter_could_approve_is_refused() {
    each_backend(async |app| {
        let org = app.org("Solo", "ding009", "professional");
        let solo = app.person(org, "solo", Role::MainAdmin);
        let fx = app_with_page(
            &app,
            org,
            solo,
            PageKind::Process,
            &[("事由", FieldKind::Text, true, "")],
        );
        store::add_step(&mut app.conn(), &fx.page, "审批", solo).expect("step");
        let c = app.signed_in("solo").await;
        c.post_multipart(&fx.url(), &[(&fx.f(0), "自批")], &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("没有其他应用管理员或主管理员可以代为审批");
        let n: i64 = submissions::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 0, "nothing half-written");
    })
    .await;
}
