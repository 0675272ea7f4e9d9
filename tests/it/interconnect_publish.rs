//! Apps published downstream (seed 004, 应用一键发布至下游工作台 and 下游使用应用): who sees
//! them, who may use and never edit them, submissions recorded with the submitter's
//! organisation, approval pickers limited to the initiator's organisation (the seed's two
//! scenarios), the upstream data view across organisations, the downstream reach, and
//! losing everything on leaving the space.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::apps::app::{FieldKind, PageKind, ReportAgg, ReportSpec};
use fenfa::apps::store;
use fenfa::auth::Role;
use fenfa::db::schema::{
    approval_tasks, attachments, notifications, space_orgs, space_visibility, submissions,
};

use crate::support::apps::{Fixture, app_with_page, automation, png, submission_id, template};
use crate::support::{Client, Resp, TestApp, each_backend};

/// An exclusive-edition upstream organisation with a process form (one step approved
/// by its main admin) in app 采购管理, and a space it owns with two joined member
/// organisations: 下游经销商 (linking only its 销售部) and 另一经销商 (whole organisation).
struct World {
    up: i64,
    down: i64,
    other: i64,
    up_admin: i64,
    down_admin: i64,
    down_member: i64,
    /// The membership id of down_member in `down` (for directory changes).
    down_member_ms: i64,
    other_member: i64,
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
    let down_admin = app.person(down, "dnadmin", Role::MainAdmin);
    app.place(down, down_admin, Some(sales));
    let down_member = app.user("dnmember", "dnmember");
    let down_member_ms = app.member(down, down_member, Role::Member);
    app.place(down, down_member, Some(sales));
    app.person(down, "dnoutside", Role::Member);
    let other_admin = app.person(other, "otadmin", Role::MainAdmin);
    let other_member = app.person(other, "otmember", Role::Member);
    let form = app_with_page(
        app,
        up,
        up_admin,
        PageKind::Process,
        &[
            ("事由", FieldKind::Text, true, ""),
            ("照片", FieldKind::Image, false, ""),
            ("数量", FieldKind::Number, false, ""),
        ],
    );
    store::add_step(&mut app.conn(), &form.page, "上游审批", up_admin).expect("step");
    let space = app.joined_space(
        up,
        up_admin,
        &[(down, "departments", &[sales]), (other, "all", &[])],
    );
    // The linked people hold seats of the upstream pool (only they use shared apps).
    for (org, user) in [
        (down, down_admin),
        (down, down_member),
        (other, other_admin),
        (other, other_member),
    ] {
        app.seat(up, org, user);
    }
    World {
        up,
        down,
        other,
        up_admin,
        down_admin,
        down_member,
        down_member_ms,
        other_member,
        space,
        form,
    }
}

/// The upstream main admin publishes the form's app to `targets` (empty = all).
async fn publish(app: &TestApp, w: &World, targets: &[i64]) -> Resp {
    let up = app.signed_in("upadmin").await;
    let app_id = w.form.app_id.to_string();
    let ids: Vec<String> = targets.iter().map(i64::to_string).collect();
    let mut form: Vec<(&str, &str)> = vec![("app_id", &app_id)];
    if targets.is_empty() {
        form.push(("mode", "all"));
    } else {
        form.push(("mode", "chosen"));
        form.extend(ids.iter().map(|i| ("org", i.as_str())));
    }
    up.post(&format!("/interconnect/spaces/{}/apps", w.space), &form)
        .await
}

/// Submits the form as `c` (in its current organisation); returns the submission id.
async fn submit(c: &Client, w: &World, reason: &str) -> i64 {
    let r = c
        .post_multipart(
            &w.form.url(),
            &[(&w.form.f(0), reason), (&w.form.f(2), "3")],
            &[(&w.form.f(1), "shop.png", "image/png", &png())],
        )
        .await;
    r.assert_redirect("/submissions/");
    submission_id(r.location())
}

async fn switch(c: &Client, org: i64) {
    c.post("/switch-org", &[("org_id", &org.to_string())])
        .await
        .assert_redirect("/workbench");
}

fn pending_task(app: &TestApp, sid: i64) -> (i64, i64, i64) {
    approval_tasks::table
        .filter(approval_tasks::submission_id.eq(sid))
        .filter(approval_tasks::status.eq("pending"))
        .select((
            approval_tasks::id,
            approval_tasks::assignee_id,
            approval_tasks::org_id,
        ))
        .first(&mut *app.conn())
        .expect("pending task")
}

fn notified(app: &TestApp, user: i64, title: &str) -> Vec<i64> {
    notifications::table
        .filter(notifications::user_id.eq(user))
        .filter(notifications::title.eq(title))
        .select(notifications::org_id)
        .load(&mut *app.conn())
        .expect("notifications")
}

#[tokio::test]
async fn an_app_is_published_to_the_chosen_member_organisations_only() {
    each_backend(async |app| {
        let w = world(&app);
        publish(&app, &w, &[w.down])
            .await
            .assert_redirect(&format!("/interconnect/spaces/{}/apps", w.space));
        let key = "interconnect.publish.notify.published";
        assert_eq!(notified(&app, w.down_admin, key), vec![w.down]);
        let other_admin: i64 = fenfa::db::schema::users::table
            .filter(fenfa::db::schema::users::login.eq("otadmin"))
            .select(fenfa::db::schema::users::id)
            .first(&mut *app.conn())
            .expect("otadmin");
        assert!(notified(&app, other_admin, key).is_empty());
        let dm = app.signed_in("dnmember").await;
        dm.get("/workbench")
            .await
            .assert_contains("上游组织发布的应用")
            .assert_contains("采购管理")
            .assert_contains("来自 上游公司");
        dm.get(&format!("/a/{}", w.form.app_id))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("采购申请");
        let om = app.signed_in("otmember").await;
        om.get("/workbench").await.assert_lacks("采购管理");
        // The space's apps page: controls for the upstream manager, the app for the
        // target organisation's people, nothing for the other organisation.
        let apps_page = format!("/interconnect/spaces/{}/apps", w.space);
        let up = app.signed_in("upadmin").await;
        up.get(&apps_page)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("一键发布")
            .assert_contains("取消发布")
            .assert_contains("下游经销商");
        dm.get(&apps_page)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(&format!("/a/{}", w.form.app_id))
            .assert_lacks("取消发布");
        om.get(&apps_page)
            .await
            .assert_status(StatusCode::OK)
            .assert_lacks(&format!("/a/{}", w.form.app_id));
        // Choosing "chosen organisations" without any is shown beside the field.
        up.post(
            &apps_page,
            &[("app_id", &w.form.app_id.to_string()), ("mode", "chosen")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请至少选择一个成员组织");
        // Someone of the target organisation outside the linked department sees nothing.
        let outside = app.signed_in("dnoutside").await;
        outside.get("/workbench").await.assert_lacks("采购管理");
        outside
            .get(&format!("/a/{}", w.form.app_id))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // Widening to all member organisations reaches 另一经销商 (and notifies it once).
        publish(&app, &w, &[])
            .await
            .assert_redirect("/interconnect");
        assert_eq!(notified(&app, other_admin, key), vec![w.other]);
        assert_eq!(notified(&app, w.down_admin, key).len(), 1);
        om.get("/workbench").await.assert_contains("采购管理");
        // Unpublishing removes it from every workbench.
        let sa: i64 = fenfa::db::schema::space_apps::table
            .select(fenfa::db::schema::space_apps::id)
            .first(&mut *app.conn())
            .expect("publication");
        // Changing the targets to 另一经销商 only takes it off 下游经销商's workbench.
        up.post(
            &format!("/interconnect/spaces/{}/apps/{sa}/targets", w.space),
            &[("mode", "chosen"), ("org", &w.other.to_string())],
        )
        .await
        .assert_redirect("/interconnect");
        dm.get("/workbench").await.assert_lacks("采购管理");
        dm.get(&format!("/a/{}", w.form.app_id))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        om.get("/workbench").await.assert_contains("采购管理");
        up.post(
            &format!("/interconnect/spaces/{}/apps/{sa}/unpublish", w.space),
            &[],
        )
        .await
        .assert_redirect("/interconnect");
        dm.get("/workbench").await.assert_lacks("采购管理");
        om.get(&format!("/f/{}", w.form.page.id))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn a_member_of_an_organisation_the_app_was_not_published_to_gets_not_found() {
    each_backend(async |app| {
        let w = world(&app);
        publish(&app, &w, &[w.down]).await;
        let om = app.signed_in("otmember").await;
        for path in [
            format!("/a/{}", w.form.app_id),
            format!("/f/{}", w.form.page.id),
            format!("/f/{}/data", w.form.page.id),
            format!("/f/{}/data.csv", w.form.page.id),
        ] {
            om.get(&path).await.assert_status(StatusCode::NOT_FOUND);
        }
        let r = om
            .post_multipart(&w.form.url(), &[(&w.form.f(0), "偷偷提交")], &[])
            .await;
        r.assert_status(StatusCode::NOT_FOUND);
        let n: i64 = submissions::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 0);
        let _ = w.other_member;
    })
    .await;
}

#[tokio::test]
async fn publishing_gives_downstream_admins_no_edit_rights_over_the_upstream_app() {
    each_backend(async |app| {
        let w = world(&app);
        publish(&app, &w, &[w.down]).await;
        let da = app.signed_in("dnadmin").await;
        // They may use it...
        da.get(&format!("/f/{}", w.form.page.id))
            .await
            .assert_status(StatusCode::OK);
        // ...but the builder, permission rules, approval flow and app admins stay upstream.
        let id = w.form.app_id;
        let pid = w.form.page.id;
        let dm = w.down_member.to_string();
        let da_id = w.down_admin.to_string();
        let attempts: Vec<(String, Vec<(&str, &str)>)> = vec![
            (
                format!("/apps/{id}/edit"),
                vec![("name", "改名"), ("icon", "x")],
            ),
            (format!("/apps/{id}/admins"), vec![("user_id", &da_id)]),
            (
                format!("/apps/{id}/pages/{pid}/steps"),
                vec![("name", "下游审批"), ("approver_id", &dm)],
            ),
            (
                format!("/apps/{id}/pages/{pid}/fields"),
                vec![("label", "新字段"), ("kind", "text")],
            ),
            (format!("/apps/{id}/pages/{pid}/delete"), vec![]),
            (format!("/apps/{id}/premium"), vec![("on", "on")]),
        ];
        for (path, form) in &attempts {
            let r = da.post(path, form).await;
            assert!(
                r.status == StatusCode::NOT_FOUND || r.status == StatusCode::FORBIDDEN,
                "{path}: {}",
                r.status
            );
        }
        for path in [
            format!("/apps/{id}"),
            format!("/apps/{id}/pages/{pid}"),
            format!("/apps/{id}/automations/new"),
        ] {
            let r = da.get(&path).await;
            assert!(
                r.status == StatusCode::NOT_FOUND || r.status == StatusCode::FORBIDDEN,
                "{path}: {}",
                r.status
            );
        }
        // Nothing changed: one step, approved upstream; no admin added; page still there.
        let steps = store::steps_of(&mut app.conn(), &w.form.page).expect("steps");
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].approver_id, w.up_admin);
        let admins: i64 = fenfa::db::schema::app_admins::table
            .filter(fenfa::db::schema::app_admins::app_id.eq(id))
            .count()
            .get_result(&mut *app.conn())
            .expect("admins");
        assert_eq!(admins, 1);
        // The app home offers no builder link and the space's publish page no controls.
        da.get(&format!("/a/{id}"))
            .await
            .assert_lacks(&format!("/apps/{id}"));
        da.post(
            &format!("/interconnect/spaces/{}/apps", w.space),
            &[("app_id", &id.to_string()), ("mode", "all")],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn a_downstream_submission_belongs_to_the_upstream_app_and_records_the_submitters_organisation()
 {
    each_backend(async |app| {
        let w = world(&app);
        // An automation of the upstream app: a receipt to the submitter.
        let up = app.signed_in("upadmin").await;
        let tpl = template(&app, &up, w.form.app_id, "回执", "已收到：{事由}", "回执").await;
        automation(&up, w.form.app_id, "回执", w.form.page.id, tpl).await;
        publish(&app, &w, &[w.down]).await;
        let dm = app.signed_in("dnmember").await;
        let sid = submit(&dm, &w, "补货").await;
        let (org, sub_org, submitter): (i64, Option<i64>, i64) = submissions::table
            .find(sid)
            .select((
                submissions::org_id,
                submissions::submitter_org_id,
                submissions::submitter_id,
            ))
            .first(&mut *app.conn())
            .expect("submission");
        assert_eq!(
            (org, sub_org, submitter),
            (w.up, Some(w.down), w.down_member)
        );
        // The image is stored with the upstream app's data and opens for the submitter.
        let file: i64 = attachments::table
            .filter(attachments::uploader_id.eq(w.down_member))
            .select(attachments::id)
            .first(&mut *app.conn())
            .expect("attachment");
        let page = dm.get(&format!("/submissions/{sid}")).await;
        page.assert_status(StatusCode::OK)
            .assert_contains("补货")
            .assert_contains(&format!("/files/{file}"));
        dm.get(&format!("/files/{file}"))
            .await
            .assert_status(StatusCode::OK);
        dm.get("/submissions").await.assert_contains("采购申请");
        // The automation ran (receipt to the submitter, in the organisation they are in)
        // and the upstream approver got the task in the upstream organisation.
        assert_eq!(notified(&app, w.down_member, "已收到：补货"), vec![w.down]);
        let (task, assignee, task_org) = pending_task(&app, sid);
        assert_eq!((assignee, task_org), (w.up_admin, w.up));
        assert_eq!(
            notified(&app, w.up_admin, "approval.notify.task"),
            vec![w.up]
        );
        let up = app.signed_in("upadmin").await;
        up.get("/approvals").await.assert_contains("采购申请");
        up.post(
            &format!("/submissions/{sid}/tasks/{task}"),
            &[("action", "approve")],
        )
        .await
        .assert_redirect(&format!("/submissions/{sid}"));
        assert_eq!(
            notified(&app, w.down_member, "approval.notify.approved"),
            vec![w.down]
        );
        dm.get(&format!("/submissions/{sid}"))
            .await
            .assert_contains("已通过");
    })
    .await;
}

/// The picker's options on a submission page (user ids offered).
fn picker_offers(html: &str, id: i64) -> bool {
    html.contains(&format!("<option value=\"{id}\""))
}

#[tokio::test]
async fn hand_over_and_add_approver_pick_only_people_of_the_organisation_the_approval_started_in() {
    each_backend(async |app| {
        // Scenario 1: user a is in downstream B only; a flow they start there can only
        // be passed to people of B.
        let w = world(&app);
        let up_clerk: i64 = fenfa::db::schema::users::table
            .filter(fenfa::db::schema::users::login.eq("upclerk"))
            .select(fenfa::db::schema::users::id)
            .first(&mut *app.conn())
            .expect("upclerk");
        publish(&app, &w, &[w.down]).await;
        let dm = app.signed_in("dnmember").await;
        let sid = submit(&dm, &w, "订货").await;
        let (task, _, _) = pending_task(&app, sid);
        let up = app.signed_in("upadmin").await;
        let page = up.get(&format!("/submissions/{sid}")).await;
        page.assert_status(StatusCode::OK);
        assert!(picker_offers(&page.body, w.down_admin), "{}", page.body);
        assert!(!picker_offers(&page.body, up_clerk), "{}", page.body);
        // The server refuses people of A (and of other member organisations) too.
        for (action, target) in [
            ("hand_over", up_clerk),
            ("add_approver", up_clerk),
            ("hand_over", w.other_member),
        ] {
            up.post(
                &format!("/submissions/{sid}/tasks/{task}"),
                &[("action", action), ("target", &target.to_string())],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        }
        assert_eq!(pending_task(&app, sid).0, task);
        // Handing over to a person of B works; they act from B.
        up.post(
            &format!("/submissions/{sid}/tasks/{task}"),
            &[
                ("action", "hand_over"),
                ("target", &w.down_admin.to_string()),
            ],
        )
        .await
        .assert_redirect(&format!("/submissions/{sid}"));
        let (task2, assignee, task_org) = pending_task(&app, sid);
        assert_eq!((assignee, task_org), (w.down_admin, w.down));
        let da = app.signed_in("dnadmin").await;
        da.get("/approvals").await.assert_contains("采购申请");
        let page = da.get(&format!("/submissions/{sid}")).await;
        // Never the submitter (issue 14: nobody approves their own submission).
        assert!(!picker_offers(&page.body, w.down_member));
        assert!(!picker_offers(&page.body, w.up_admin));
        da.post(
            &format!("/submissions/{sid}/tasks/{task2}"),
            &[
                ("action", "add_approver"),
                ("target", &w.up_admin.to_string()),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        da.post(
            &format!("/submissions/{sid}/tasks/{task2}"),
            &[("action", "approve")],
        )
        .await
        .assert_redirect(&format!("/submissions/{sid}"));
    })
    .await;
}

#[tokio::test]
async fn a_person_in_both_organisations_picks_from_the_organisation_they_started_the_approval_in() {
    each_backend(async |app| {
        // Scenario 2: user b belongs to upstream A and downstream B.
        let w = world(&app);
        let b = app.person(w.up, "both", Role::Member);
        app.member(w.down, b, Role::Member);
        let sales: i64 = fenfa::db::schema::departments::table
            .filter(fenfa::db::schema::departments::org_id.eq(w.down))
            .select(fenfa::db::schema::departments::id)
            .first(&mut *app.conn())
            .expect("sales");
        app.place(w.down, b, Some(sales));
        app.seat(w.up, w.down, b);
        let up_clerk: i64 = fenfa::db::schema::users::table
            .filter(fenfa::db::schema::users::login.eq("upclerk"))
            .select(fenfa::db::schema::users::id)
            .first(&mut *app.conn())
            .expect("upclerk");
        publish(&app, &w, &[w.down]).await;
        let bc = app.signed_in("both").await;
        let up = app.signed_in("upadmin").await;

        // In A: the flow stays within A.
        switch(&bc, w.up).await;
        let in_a = submit(&bc, &w, "在上游发起").await;
        let (task_a, _, _) = pending_task(&app, in_a);
        let page = up.get(&format!("/submissions/{in_a}")).await;
        assert!(picker_offers(&page.body, up_clerk), "{}", page.body);
        assert!(!picker_offers(&page.body, w.down_member), "{}", page.body);
        up.post(
            &format!("/submissions/{in_a}/tasks/{task_a}"),
            &[
                ("action", "hand_over"),
                ("target", &w.down_member.to_string()),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        up.post(
            &format!("/submissions/{in_a}/tasks/{task_a}"),
            &[("action", "hand_over"), ("target", &up_clerk.to_string())],
        )
        .await
        .assert_redirect(&format!("/submissions/{in_a}"));

        // In B: the flow stays within B, and b is offered as a person of B.
        switch(&bc, w.down).await;
        let in_b = submit(&bc, &w, "在下游发起").await;
        let sub_org: Option<i64> = submissions::table
            .find(in_b)
            .select(submissions::submitter_org_id)
            .first(&mut *app.conn())
            .expect("org");
        assert_eq!(sub_org, Some(w.down));
        let (task_b, _, _) = pending_task(&app, in_b);
        let page = up.get(&format!("/submissions/{in_b}")).await;
        assert!(picker_offers(&page.body, w.down_member), "{}", page.body);
        assert!(!picker_offers(&page.body, up_clerk), "{}", page.body);
        up.post(
            &format!("/submissions/{in_b}/tasks/{task_b}"),
            &[
                ("action", "add_approver"),
                ("target", &up_clerk.to_string()),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        // b submitted it: they are not offered nor accepted (nobody approves their own).
        assert!(!picker_offers(&page.body, b), "{}", page.body);
        up.post(
            &format!("/submissions/{in_b}/tasks/{task_b}"),
            &[("action", "hand_over"), ("target", &b.to_string())],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        up.post(
            &format!("/submissions/{in_b}/tasks/{task_b}"),
            &[
                ("action", "hand_over"),
                ("target", &w.down_member.to_string()),
            ],
        )
        .await
        .assert_redirect(&format!("/submissions/{in_b}"));
        let (task_b2, _, task_org) = pending_task(&app, in_b);
        assert_eq!(task_org, w.down);
        // The task is held in B: its holder acts from B.
        let dm = app.signed_in("dnmember").await;
        dm.get("/approvals").await.assert_contains("采购申请");
        dm.post(
            &format!("/submissions/{in_b}/tasks/{task_b2}"),
            &[("action", "approve")],
        )
        .await
        .assert_redirect(&format!("/submissions/{in_b}"));
    })
    .await;
}

#[tokio::test]
async fn the_upstream_data_view_shows_every_organisations_submissions_with_an_organisation_column_and_filter()
 {
    each_backend(async |app| {
        let w = world(&app);
        // A report over the form, grouped by 事由, counting.
        let report_id = {
            let mut conn = app.conn();
            let scope = crate::support::apps::scope(w.up, w.up_admin);
            let a = store::find_app(&mut conn, &scope, w.form.app_id).expect("app");
            let rid =
                store::add_page(&mut conn, &a, PageKind::Report, "订货汇总", "").expect("report");
            let (_, rp) = store::find_page(&mut conn, &scope, rid).expect("page");
            fenfa::apps::design_store::save_report(
                &mut conn,
                &rp,
                &ReportSpec {
                    form_id: w.form.page.id,
                    group_field_id: None,
                    value_field_id: Some(w.form.fields[2]),
                    agg: ReportAgg::Sum,
                },
            )
            .expect("save report");
            rid
        };
        publish(&app, &w, &[]).await;
        let up = app.signed_in("upadmin").await;
        // By a clerk: the main admin approves the flow, and nobody approves their own.
        let own = submit(&app.signed_in("upclerk").await, &w, "上游自己").await;
        let dm = app.signed_in("dnmember").await;
        let from_down = submit(&dm, &w, "下游订货").await;
        let om = app.signed_in("otmember").await;
        let from_other = submit(&om, &w, "另一家订货").await;
        for sid in [own, from_down, from_other] {
            let (t, _, _) = pending_task(&app, sid);
            up.post(
                &format!("/submissions/{sid}/tasks/{t}"),
                &[("action", "approve")],
            )
            .await
            .assert_redirect("/submissions/");
        }
        let data = format!("/f/{}/data", w.form.page.id);
        up.get(&data)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("所在组织")
            .assert_contains("上游自己")
            .assert_contains("下游订货")
            .assert_contains("另一家订货")
            .assert_contains("<td>下游经销商</td>")
            .assert_contains("<td>另一经销商</td>")
            // The submitter filter offers people of every organisation, with it named.
            .assert_contains("dnmember · 下游经销商")
            .assert_contains("name=\"org\"");
        up.get(&format!("{data}?org={}", w.down))
            .await
            .assert_contains("下游订货")
            .assert_lacks("上游自己")
            .assert_lacks("另一家订货");
        let csv = up
            .get(&format!("/f/{}/data.csv?org={}", w.form.page.id, w.other))
            .await;
        let mut lines = csv.body.trim_start_matches('\u{feff}').lines();
        assert_eq!(
            lines.next(),
            Some("编号,提交人,所在组织,提交时间,状态,事由,照片,数量")
        );
        let row = lines.next().expect("one row");
        assert!(row.contains(",otmember,另一经销商,"), "{row}");
        assert!(lines.next().is_none());
        // The report sums across organisations, and splits by organisation on request.
        up.get(&format!("/r/{report_id}"))
            .await
            .assert_contains("<td>9</td>");
        up.get(&format!("/r/{report_id}?by=org"))
            .await
            .assert_contains("<td>下游经销商</td>")
            .assert_contains("<td>上游公司</td>")
            .assert_contains("<td>3</td>")
            .assert_lacks("<td>9</td>");
        // Downstream, the same report counts only the organisation's own submissions.
        dm.get(&format!("/r/{report_id}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("<td>3</td>")
            .assert_lacks("<td>9</td>");
    })
    .await;
}

#[tokio::test]
async fn a_downstream_organisation_sees_no_other_member_organisations_data_unless_visibility_allows()
 {
    each_backend(async |app| {
        let w = world(&app);
        publish(&app, &w, &[]).await;
        // By a clerk: the main admin approves the flow, and nobody approves their own.
        let own = submit(&app.signed_in("upclerk").await, &w, "上游自己").await;
        let dm = app.signed_in("dnmember").await;
        let mine = submit(&dm, &w, "下游订货").await;
        let om = app.signed_in("otmember").await;
        let theirs = submit(&om, &w, "另一家订货").await;
        let data = format!("/f/{}/data", w.form.page.id);
        // The downstream admin: their organisation's submissions, nothing else.
        let da = app.signed_in("dnadmin").await;
        da.get(&data)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("下游订货")
            .assert_lacks("另一家订货")
            .assert_lacks("上游自己");
        da.get(&format!("{data}?org={}", w.other))
            .await
            .assert_lacks("另一家订货");
        da.get(&format!("/f/{}/data.csv", w.form.page.id))
            .await
            .assert_contains("下游订货")
            .assert_lacks("另一家订货")
            .assert_lacks("上游自己");
        da.get(&format!("/submissions/{mine}"))
            .await
            .assert_status(StatusCode::OK);
        for sid in [theirs, own] {
            da.get(&format!("/submissions/{sid}"))
                .await
                .assert_status(StatusCode::NOT_FOUND);
        }
        // An ordinary downstream member: their own submissions only.
        let outsider_sub = {
            // Another linked member of 下游经销商 submits too.
            let b = app.person(w.down, "dnsecond", Role::Member);
            let sales: i64 = fenfa::db::schema::departments::table
                .filter(fenfa::db::schema::departments::org_id.eq(w.down))
                .select(fenfa::db::schema::departments::id)
                .first(&mut *app.conn())
                .expect("sales");
            app.place(w.down, b, Some(sales));
            app.seat(w.up, w.down, b);
            let c = app.signed_in("dnsecond").await;
            submit(&c, &w, "同事订货").await
        };
        dm.get(&data)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("下游订货")
            .assert_lacks("同事订货")
            .assert_lacks("另一家订货");
        dm.get(&format!("/submissions/{outsider_sub}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // The space admin lets 下游经销商 see 另一经销商: its data shows, never upstream's.
        // Written directly: the portal has no page to set visibility yet.
        diesel::insert_into(space_visibility::table)
            .values((
                space_visibility::space_id.eq(w.space),
                space_visibility::viewer_org_id.eq(w.down),
                space_visibility::visible_org_id.eq(w.other),
            ))
            .execute(&mut *app.conn())
            .expect("visibility");
        da.get(&data)
            .await
            .assert_contains("下游订货")
            .assert_contains("另一家订货")
            .assert_lacks("上游自己");
        da.get(&format!("/submissions/{theirs}"))
            .await
            .assert_status(StatusCode::OK);
        da.get(&format!("/submissions/{own}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // 另一经销商 was not given the reverse view.
        let oa = app.signed_in("otadmin").await;
        oa.get(&data)
            .await
            .assert_contains("另一家订货")
            .assert_lacks("下游订货");
    })
    .await;
}

#[tokio::test]
async fn a_person_who_leaves_the_space_loses_the_published_apps_but_keeps_their_own_submissions_read_only()
 {
    each_backend(async |app| {
        let w = world(&app);
        publish(&app, &w, &[]).await;
        let dm = app.signed_in("dnmember").await;
        let sid = submit(&dm, &w, "离开前提交").await;
        let file: i64 = attachments::table
            .filter(attachments::uploader_id.eq(w.down_member))
            .select(attachments::id)
            .first(&mut *app.conn())
            .expect("attachment");
        dm.get(&format!("/submissions/{sid}"))
            .await
            .assert_status(StatusCode::OK);
        // The downstream admin transfers them out of the linked department (the directory
        // change reconciles the space at once).
        let da = app.signed_in("dnadmin").await;
        da.post(
            &format!("/org/members/{}/department", w.down_member_ms),
            &[("department_id", "")],
        )
        .await
        .assert_redirect("/org/members/");
        dm.get("/workbench").await.assert_lacks("采购管理");
        for path in [
            format!("/a/{}", w.form.app_id),
            format!("/f/{}", w.form.page.id),
            format!("/f/{}/data", w.form.page.id),
        ] {
            dm.get(&path).await.assert_status(StatusCode::NOT_FOUND);
        }
        // Their own submission stays readable, read only (issue 14).
        dm.get(&format!("/submissions/{sid}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("离开前提交")
            .assert_contains("id=\"read-only\"");
        dm.get(&format!("/files/{file}"))
            .await
            .assert_status(StatusCode::OK);
        dm.get("/submissions")
            .await
            .assert_contains("采购申请")
            .assert_contains("仅供查看");
        // The submission itself stays with the upstream app.
        let up = app.signed_in("upadmin").await;
        up.get(&format!("/submissions/{sid}"))
            .await
            .assert_status(StatusCode::OK);
        // A whole organisation removed from the space loses the app too.
        let om = app.signed_in("otmember").await;
        om.get("/workbench").await.assert_contains("采购管理");
        diesel::update(
            space_orgs::table
                .filter(space_orgs::space_id.eq(w.space))
                .filter(space_orgs::org_id.eq(w.other)),
        )
        .set(space_orgs::status.eq("left"))
        .execute(&mut *app.conn())
        .expect("leave");
        om.get("/workbench").await.assert_lacks("采购管理");
        om.get(&format!("/f/{}", w.form.page.id))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn ids_of_published_apps_answer_not_found_to_other_tenants() {
    each_backend(async |app| {
        let w = world(&app);
        publish(&app, &w, &[w.down]).await;
        let dm = app.signed_in("dnmember").await;
        let sid = submit(&dm, &w, "跨租户").await;
        let file: i64 = attachments::table
            .filter(attachments::uploader_id.eq(w.down_member))
            .select(attachments::id)
            .first(&mut *app.conn())
            .expect("attachment");
        let sa: i64 = fenfa::db::schema::space_apps::table
            .select(fenfa::db::schema::space_apps::id)
            .first(&mut *app.conn())
            .expect("publication");
        // A stranger organisation outside the space, and 另一经销商 (in the space, not a
        // target): every id answers like a missing one.
        let stranger = app.org("陌生公司", "dingzz01", "exclusive");
        app.person(stranger, "stranger", Role::MainAdmin);
        for login in ["stranger", "otadmin"] {
            let c = app.signed_in(login).await;
            for path in [
                format!("/a/{}", w.form.app_id),
                format!("/f/{}", w.form.page.id),
                format!("/f/{}/data", w.form.page.id),
                format!("/submissions/{sid}"),
                format!("/files/{file}"),
            ] {
                c.get(&path).await.assert_status(StatusCode::NOT_FOUND);
            }
            let (task, _, _) = pending_task(&app, sid);
            c.post(
                &format!("/submissions/{sid}/tasks/{task}"),
                &[("action", "approve")],
            )
            .await
            .assert_status(StatusCode::NOT_FOUND);
        }
        let s = app.signed_in("stranger").await;
        s.get(&format!("/interconnect/spaces/{}/apps", w.space))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        s.post(
            &format!("/interconnect/spaces/{}/apps/{sa}/unpublish", w.space),
            &[],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        // The upstream manager cannot publish another tenant's app into their space.
        let foreign = app_with_page(
            &app,
            stranger,
            fenfa::db::schema::users::table
                .filter(fenfa::db::schema::users::login.eq("stranger"))
                .select(fenfa::db::schema::users::id)
                .first(&mut *app.conn())
                .expect("stranger id"),
            PageKind::Form,
            &[("x", FieldKind::Text, false, "")],
        );
        let up = app.signed_in("upadmin").await;
        up.post(
            &format!("/interconnect/spaces/{}/apps", w.space),
            &[("app_id", &foreign.app_id.to_string()), ("mode", "all")],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        let _ = (w.down_admin, w.other_member);
    })
    .await;
}
