//! Process forms: the approval flow through its steps, reject, hand over (转交), add
//! approver (加签), exactly-once actions and who may act.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::apps::app::{FieldKind, PageKind};
use fenfa::apps::store;
use fenfa::auth::Role;
use fenfa::db::schema::{approval_tasks, notifications, submissions};

use crate::support::apps::{Fixture, app_with_page, submission_id};
use crate::support::{Client, TestApp, each_backend};

struct Flow {
    fx: Fixture,
    manager: i64,
    finance: i64,
    alice: i64,
    org: i64,
}

/// A process form "采购申请" with two steps: 部门审批 (manager), 财务审批 (finance).
fn flow(app: &TestApp) -> Flow {
    let org = app.org("Acme", "ding001", "professional");
    let admin = app.person(org, "boss", Role::MainAdmin);
    let alice = app.person(org, "alice", Role::Member);
    let manager = app.person(org, "manager", Role::Member);
    let finance = app.person(org, "finance", Role::Member);
    let fx = app_with_page(
        app,
        org,
        admin,
        PageKind::Process,
        &[("事由", FieldKind::Text, true, "")],
    );
    {
        let mut conn = app.conn();
        store::add_step(&mut conn, &fx.page, "部门审批", manager).expect("step 1");
        store::add_step(&mut conn, &fx.page, "财务审批", finance).expect("step 2");
    }
    Flow {
        fx,
        manager,
        finance,
        alice,
        org,
    }
}

/// Alice submits; returns the submission id.
async fn submit(app: &TestApp, f: &Flow) -> (Client, i64) {
    let a = app.signed_in("alice").await;
    let r = a
        .post_multipart(&f.fx.url(), &[(&f.fx.f(0), "买电脑")], &[])
        .await;
    r.assert_redirect("/submissions/");
    (a, submission_id(r.location()))
}

/// The pending task of a submission: (task id, step position, assignee, kind).
fn pending(app: &TestApp, sid: i64) -> Vec<(i64, i32, i64, String)> {
    approval_tasks::table
        .filter(approval_tasks::submission_id.eq(sid))
        .filter(approval_tasks::status.eq("pending"))
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

fn notes_for(app: &TestApp, user: i64) -> Vec<String> {
    notifications::table
        .filter(notifications::user_id.eq(user))
        .order(notifications::id.asc())
        .select(notifications::title)
        .load(&mut *app.conn())
        .expect("notifications")
}

async fn act(c: &Client, sid: i64, task: i64, form: &[(&str, &str)]) -> crate::support::Resp {
    c.post(&format!("/submissions/{sid}/tasks/{task}"), form)
        .await
}

#[tokio::test]
async fn a_process_submission_goes_through_two_steps_and_the_submitter_is_told() {
    each_backend(async |app| {
        let f = flow(&app);
        let (alice, sid) = submit(&app, &f).await;
        assert_eq!(status(&app, sid), "in_approval");
        let first = pending(&app, sid);
        assert_eq!(first.len(), 1);
        assert_eq!((first[0].2, first[0].3.as_str()), (f.manager, "step"));
        assert_eq!(notes_for(&app, f.manager), vec!["approval.notify.task"]);
        alice
            .get("/submissions")
            .await
            .assert_contains("审批中")
            .assert_contains("部门审批 · manager");

        let m = app.signed_in("manager").await;
        m.get("/approvals")
            .await
            .assert_contains(&format!("/submissions/{sid}"));
        m.get(&format!("/submissions/{sid}"))
            .await
            .assert_contains("待你审批")
            .assert_contains("买电脑");
        act(
            &m,
            sid,
            first[0].0,
            &[("action", "approve"), ("comment", "同意")],
        )
        .await
        .assert_redirect(&format!("/submissions/{sid}"));
        let second = pending(&app, sid);
        assert_eq!(second.len(), 1);
        assert_eq!((second[0].1, second[0].2), (1, f.finance));
        assert_eq!(status(&app, sid), "in_approval");
        m.get("/approvals")
            .await
            .assert_contains("没有待你审批的事项");

        let fin = app.signed_in("finance").await;
        act(&fin, sid, second[0].0, &[("action", "approve")])
            .await
            .assert_redirect(&format!("/submissions/{sid}"));
        assert_eq!(status(&app, sid), "approved");
        assert!(pending(&app, sid).is_empty());
        assert_eq!(notes_for(&app, f.alice), vec!["approval.notify.approved"]);
        alice
            .get(&format!("/submissions/{sid}"))
            .await
            .assert_contains("已通过")
            .assert_contains("部门审批")
            .assert_contains("财务审批")
            .assert_contains("同意");
        alice
            .get("/notifications")
            .await
            .assert_contains("你的申请已通过");
    })
    .await;
}

#[tokio::test]
async fn a_reject_needs_a_comment_and_ends_the_flow() {
    each_backend(async |app| {
        let f = flow(&app);
        let (_, sid) = submit(&app, &f).await;
        let task = pending(&app, sid)[0].0;
        let m = app.signed_in("manager").await;
        act(&m, sid, task, &[("action", "reject"), ("comment", " ")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("拒绝时请填写意见");
        assert_eq!(status(&app, sid), "in_approval");
        act(
            &m,
            sid,
            task,
            &[("action", "reject"), ("comment", "预算不足")],
        )
        .await
        .assert_redirect(&format!("/submissions/{sid}"));
        assert_eq!(status(&app, sid), "rejected");
        assert!(pending(&app, sid).is_empty(), "the flow ends");
        assert_eq!(notes_for(&app, f.alice), vec!["approval.notify.rejected"]);
        m.get(&format!("/submissions/{sid}"))
            .await
            .assert_contains("预算不足")
            .assert_contains("已拒绝");
    })
    .await;
}

#[tokio::test]
async fn hand_over_gives_the_same_step_to_another_member() {
    each_backend(async |app| {
        let f = flow(&app);
        let deputy = app.person(f.org, "deputy", Role::Member);
        let (_, sid) = submit(&app, &f).await;
        let task = pending(&app, sid)[0].0;
        let m = app.signed_in("manager").await;
        let to = deputy.to_string();
        act(&m, sid, task, &[("action", "hand_over"), ("target", &to)])
            .await
            .assert_redirect(&format!("/submissions/{sid}"));
        let now = pending(&app, sid);
        assert_eq!(now.len(), 1);
        assert_eq!((now[0].1, now[0].2), (0, deputy));
        let old: String = approval_tasks::table
            .find(task)
            .select(approval_tasks::status)
            .first(&mut *app.conn())
            .expect("old task");
        assert_eq!(old, "handed_over");
        // The deputy approves step 1; the flow moves on to finance.
        let d = app.signed_in("deputy").await;
        act(&d, sid, now[0].0, &[("action", "approve")]).await;
        let next = pending(&app, sid);
        assert_eq!((next[0].1, next[0].2), (1, f.finance));
        // The manager, who had a task on it, may still see it.
        m.get(&format!("/submissions/{sid}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("已转交");
    })
    .await;
}

#[tokio::test]
async fn add_approver_puts_a_person_after_me_before_the_next_step() {
    each_backend(async |app| {
        let f = flow(&app);
        let expert = app.person(f.org, "expert", Role::Member);
        let (_, sid) = submit(&app, &f).await;
        let task = pending(&app, sid)[0].0;
        let m = app.signed_in("manager").await;
        let to = expert.to_string();
        act(
            &m,
            sid,
            task,
            &[("action", "add_approver"), ("target", &to)],
        )
        .await
        .assert_redirect(&format!("/submissions/{sid}"));
        let added = pending(&app, sid);
        assert_eq!(added.len(), 1);
        assert_eq!(
            (added[0].1, added[0].2, added[0].3.as_str()),
            (0, expert, "added")
        );
        assert_eq!(notes_for(&app, expert), vec!["approval.notify.task"]);
        let e = app.signed_in("expert").await;
        e.get(&format!("/submissions/{sid}"))
            .await
            .assert_contains("加签");
        act(&e, sid, added[0].0, &[("action", "approve")]).await;
        let next = pending(&app, sid);
        assert_eq!(
            (next[0].1, next[0].2, next[0].3.as_str()),
            (1, f.finance, "step")
        );
    })
    .await;
}

#[tokio::test]
async fn hand_over_to_someone_outside_the_initiators_organisation_is_refused() {
    each_backend(async |app| {
        let f = flow(&app);
        let other = app.org("Other", "ding002", "professional");
        let outsider = app.person(other, "olga", Role::Member);
        let (_, sid) = submit(&app, &f).await;
        let task = pending(&app, sid)[0].0;
        let m = app.signed_in("manager").await;
        let to = outsider.to_string();
        for action in ["hand_over", "add_approver"] {
            act(&m, sid, task, &[("action", action), ("target", &to)])
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains("仅限发起人所在组织的成员");
        }
        let still = pending(&app, sid);
        assert_eq!(
            (still[0].0, still[0].2),
            (task, f.manager),
            "nothing changed"
        );
        assert!(notes_for(&app, outsider).is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_second_approve_of_the_same_task_does_not_advance_twice() {
    each_backend(async |app| {
        let f = flow(&app);
        let (_, sid) = submit(&app, &f).await;
        let task = pending(&app, sid)[0].0;
        let m = app.signed_in("manager").await;
        act(&m, sid, task, &[("action", "approve")])
            .await
            .assert_redirect(&format!("/submissions/{sid}"));
        act(&m, sid, task, &[("action", "approve")])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("此审批已被处理");
        let tasks: i64 = approval_tasks::table
            .filter(approval_tasks::submission_id.eq(sid))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(tasks, 2, "one task per step, no extra");
        assert_eq!(status(&app, sid), "in_approval");
        assert_eq!(pending(&app, sid)[0].2, f.finance);
    })
    .await;
}

#[tokio::test]
async fn only_the_current_assignee_can_act() {
    each_backend(async |app| {
        let f = flow(&app);
        let (alice, sid) = submit(&app, &f).await;
        let task = pending(&app, sid)[0].0;
        // The submitter and the next step's approver cannot approve step 1.
        act(&alice, sid, task, &[("action", "approve")])
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("只有当前审批人");
        alice
            .get(&format!("/submissions/{sid}"))
            .await
            .assert_lacks("待你审批");
        let fin = app.signed_in("finance").await;
        act(&fin, sid, task, &[("action", "approve")])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        assert_eq!(pending(&app, sid)[0].0, task);
        // Someone of another organisation gets "not found".
        let other = app.org("Other", "ding002", "professional");
        app.person(other, "olga", Role::MainAdmin);
        let o = app.signed_in("olga").await;
        act(&o, sid, task, &[("action", "approve")])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        o.get(&format!("/submissions/{sid}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        assert_eq!(status(&app, sid), "in_approval");
        let _ = f.manager;
    })
    .await;
}
