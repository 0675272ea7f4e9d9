//! Contacts who leave (seed 004 核心效果: 对接人离职第一时间知道，第一时间有交接): the other side
//! is told at once, the organisation's admin names a successor among its members, and the
//! successor inherits the pending approvals, join reviews, collaboration groups and the
//! rights in the space.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::apps::app::{FieldKind, PageKind};
use fenfa::auth::Role;
use fenfa::db::now;
use fenfa::db::schema::{
    approval_tasks, collab_groups, collab_members, contact_departures, memberships, notifications,
    space_orgs, submissions,
};

use crate::support::apps::app_with_page;
use crate::support::interconnect::published;
use crate::support::{TestApp, each_backend};

fn notified(app: &TestApp, user: i64, title: &str) -> Vec<(i64, String)> {
    notifications::table
        .filter(notifications::user_id.eq(user))
        .filter(notifications::title.eq(title))
        .order(notifications::id.asc())
        .select((notifications::org_id, notifications::link))
        .load(&mut *app.conn())
        .expect("notifications")
}

fn membership_of(app: &TestApp, org: i64, user: i64) -> i64 {
    memberships::table
        .filter(memberships::org_id.eq(org))
        .filter(memberships::user_id.eq(user))
        .select(memberships::id)
        .first(&mut *app.conn())
        .expect("membership")
}

fn departure_of(app: &TestApp, org: i64, user: i64) -> i64 {
    contact_departures::table
        .filter(contact_departures::org_id.eq(org))
        .filter(contact_departures::user_id.eq(user))
        .select(contact_departures::id)
        .first(&mut *app.conn())
        .expect("departure")
}

fn space_org(app: &TestApp, space: i64, org: i64) -> i64 {
    space_orgs::table
        .filter(space_orgs::space_id.eq(space))
        .filter(space_orgs::org_id.eq(org))
        .select(space_orgs::id)
        .first(&mut *app.conn())
        .expect("space org")
}

#[tokio::test]
async fn when_a_member_organisations_contact_is_removed_the_space_admin_is_told_and_the_successor_inherits_their_tasks_and_groups()
 {
    each_backend(async |app| {
        let up = app.org("上游公司", "dingup01", "exclusive");
        let up_admin = app.person(up, "upadmin", Role::MainAdmin);
        let down = app.org("下游经销商", "dingdn01", "professional");
        let dn_admin = app.person(down, "dnadmin", Role::MainAdmin);
        let contact = app.person(down, "dncontact", Role::Member);
        let early = app.person(down, "dnearly", Role::Member);
        let heir = app.person(down, "dnheir", Role::Member);
        let form = app_with_page(
            &app,
            up,
            up_admin,
            PageKind::Process,
            &[("事由", FieldKind::Text, true, "")],
        );
        let space = app.joined_space(up, up_admin, &[(down, "all", &[])]);
        let so = space_org(&app, space, down);
        published(&app.signed_in("upadmin").await, space, form.app_id).await;
        let t = now();
        {
            let mut c = app.conn();
            // The contact applied for the organisation (the default contact).
            diesel::update(space_orgs::table.find(so))
                .set(space_orgs::applied_by.eq(Some(contact)))
                .execute(&mut *c)
                .expect("applicant");
            // A downstream approval handed to the contact (added approver, in `down`).
            // Written directly: what a contact holds (made by approvals, interconnect_collab).
            let sid: i64 = diesel::insert_into(submissions::table)
                .values((
                    submissions::org_id.eq(up),
                    submissions::app_id.eq(form.app_id),
                    submissions::page_id.eq(form.page.id),
                    submissions::submitter_id.eq(dn_admin),
                    submissions::submitter_org_id.eq(Some(down)),
                    submissions::data.eq("{}"),
                    submissions::status.eq("in_approval"),
                    submissions::current_step.eq(1),
                    submissions::sample.eq(false),
                    submissions::created_at.eq(t),
                    submissions::updated_at.eq(t),
                ))
                .returning(submissions::id)
                .get_result(&mut *c)
                .expect("submission");
            diesel::insert_into(approval_tasks::table)
                .values((
                    approval_tasks::org_id.eq(down),
                    approval_tasks::submission_id.eq(sid),
                    approval_tasks::step_position.eq(1),
                    approval_tasks::assignee_id.eq(contact),
                    approval_tasks::kind.eq("added"),
                    approval_tasks::status.eq("pending"),
                    approval_tasks::comment.eq(""),
                    approval_tasks::created_at.eq(t),
                ))
                .execute(&mut *c)
                .expect("task");
            // A collaboration group the contact created; dnearly joined before dnheir.
            let g: i64 = diesel::insert_into(collab_groups::table)
                .values((
                    collab_groups::space_id.eq(space),
                    collab_groups::name.eq("订货群"),
                    collab_groups::created_by.eq(contact),
                    collab_groups::created_at.eq(t),
                ))
                .returning(collab_groups::id)
                .get_result(&mut *c)
                .expect("group");
            for (i, u) in [contact, early, heir].into_iter().enumerate() {
                diesel::insert_into(collab_members::table)
                    .values((
                        collab_members::group_id.eq(g),
                        collab_members::user_id.eq(u),
                        collab_members::org_id.eq(down),
                        collab_members::added_at.eq(t + i as i64),
                    ))
                    .execute(&mut *c)
                    .expect("member");
            }
        }
        let admin = app.signed_in("dnadmin").await;
        admin
            .post(
                &format!("/org/members/{}/remove", membership_of(&app, down, contact)),
                &[],
            )
            .await
            .assert_redirect("/org/members");
        // The other side knows at once, in words.
        assert_eq!(
            notified(&app, up_admin, "interconnect.contacts.notify.left").len(),
            1
        );
        app.signed_in("upadmin")
            .await
            .get("/notifications")
            .await
            .assert_contains("下游经销商 的对接人 dncontact 已离开组织（空间：space of");
        // The organisation's admin is asked to name a successor.
        let dep = departure_of(&app, down, contact);
        let asked = notified(
            &app,
            dn_admin,
            "interconnect.contacts.notify.name_successor",
        );
        assert_eq!(
            asked,
            vec![(down, format!("/interconnect/departures/{dep}"))]
        );
        admin
            .get("/interconnect/departures")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("dncontact")
            .assert_contains("待指定");
        admin
            .get(&format!("/interconnect/departures/{dep}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(&format!(
                r#"<tr id="held-space-{space}">
    <td>space of"#
            ))
            .assert_contains("成员组织对接人");
        let path = format!("/interconnect/departures/{dep}/successor");
        admin
            .post(&path, &[("successor", "")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("请选择一位交接人");
        admin
            .post(&path, &[("successor", &contact.to_string())])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("交接人须是本组织在职的其他成员")
            .assert_contains(r#"id="e-successor""#);
        admin
            .post(&path, &[("successor", &heir.to_string())])
            .await
            .assert_redirect(&format!("/interconnect/departures/{dep}"));
        // The successor holds the task, the group and the contact's place.
        let assignee: i64 = approval_tasks::table
            .filter(approval_tasks::kind.eq("added"))
            .select(approval_tasks::assignee_id)
            .first(&mut *app.conn())
            .expect("task");
        assert_eq!(assignee, heir);
        let creator: i64 = collab_groups::table
            .select(collab_groups::created_by)
            .first(&mut *app.conn())
            .expect("group");
        assert_eq!(creator, heir, "not the interim heir dnearly");
        let named: Option<i64> = space_orgs::table
            .find(so)
            .select(space_orgs::contact_id)
            .first(&mut *app.conn())
            .expect("contact");
        assert_eq!(named, Some(heir));
        assert_eq!(
            notified(&app, up_admin, "interconnect.contacts.notify.succeeded").len(),
            1
        );
        assert_eq!(
            notified(&app, heir, "interconnect.contacts.notify.you_succeed"),
            vec![(down, "/interconnect".to_string())]
        );
        // Exactly once.
        admin
            .post(&path, &[("successor", &early.to_string())])
            .await
            .assert_status(StatusCode::CONFLICT);
        // Another organisation's departure is a missing one; members cannot name.
        app.signed_in("upadmin")
            .await
            .get(&format!("/interconnect/departures/{dep}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        app.signed_in("dnearly")
            .await
            .get(&format!("/interconnect/departures/{dep}"))
            .await
            .assert_status(StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn when_the_space_admin_is_disabled_member_organisations_are_told_and_the_successor_manages_the_space()
 {
    each_backend(async |app| {
        let up = app.org("上游公司", "dingup01", "exclusive");
        let creator = app.person(up, "upadmin", Role::MainAdmin);
        let second = app.person(up, "upadmin2", Role::MainAdmin);
        let clerk = app.person(up, "upclerk", Role::Member);
        let down = app.org("下游经销商", "dingdn01", "professional");
        let dn_admin = app.person(down, "dnadmin", Role::MainAdmin);
        let space = app.joined_space(up, creator, &[(down, "all", &[])]);
        // A join request waiting for the space admin's review.
        let applicant = app.org("申请组织", "dingap01", "professional");
        let ap_admin = app.person(applicant, "apadmin", Role::MainAdmin);
        // Written directly: a pending application (the join pages: interconnect_spaces).
        let pending: i64 = diesel::insert_into(space_orgs::table)
            .values((
                space_orgs::space_id.eq(space),
                space_orgs::org_id.eq(applicant),
                space_orgs::role.eq("member"),
                space_orgs::status.eq("pending"),
                space_orgs::scope_kind.eq("all"),
                space_orgs::applied_by.eq(Some(ap_admin)),
                space_orgs::applied_at.eq(Some(now())),
                space_orgs::created_at.eq(now()),
            ))
            .returning(space_orgs::id)
            .get_result(&mut *app.conn())
            .expect("pending request");
        let c = app.signed_in("upclerk").await;
        let orgs_page = format!("/interconnect/spaces/{space}/orgs");
        assert_ne!(c.get(&orgs_page).await.status, StatusCode::OK);
        app.operator("op");
        app.signed_in("op")
            .await
            .post(&format!("/operator/users/{creator}/disable"), &[])
            .await
            .assert_redirect("/operator/users/");
        assert_eq!(
            notified(&app, dn_admin, "interconnect.contacts.notify.left"),
            vec![(down, "/interconnect".to_string())]
        );
        let dep = departure_of(&app, up, creator);
        assert_eq!(
            notified(&app, second, "interconnect.contacts.notify.name_successor").len(),
            1
        );
        let admin = app.signed_in("upadmin2").await;
        admin
            .get(&format!("/interconnect/departures/{dep}"))
            .await
            .assert_contains("账号已停用")
            .assert_contains("空间管理员（主干组织）");
        admin
            .post(
                &format!("/interconnect/departures/{dep}/successor"),
                &[("successor", &clerk.to_string())],
            )
            .await
            .assert_redirect(&format!("/interconnect/departures/{dep}"));
        // The successor, a plain member, now manages the space and has the pending review.
        assert_eq!(
            notified(&app, clerk, "interconnect.spaces.notify.join_request"),
            vec![(up, orgs_page.clone())]
        );
        c.get(&orgs_page).await.assert_status(StatusCode::OK);
        c.post(
            &format!("/interconnect/spaces/{space}/orgs/{pending}/approve"),
            &[],
        )
        .await
        .assert_redirect(&orgs_page);
        let status: String = space_orgs::table
            .find(pending)
            .select(space_orgs::status)
            .first(&mut *app.conn())
            .expect("status");
        assert_eq!(status, "joined");
        assert_eq!(
            notified(&app, dn_admin, "interconnect.contacts.notify.succeeded").len(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn a_member_who_is_neither_a_contact_nor_a_space_admin_leaves_without_a_hand_over() {
    each_backend(async |app| {
        let up = app.org("上游公司", "dingup01", "exclusive");
        let up_admin = app.person(up, "upadmin", Role::MainAdmin);
        let down = app.org("下游经销商", "dingdn01", "professional");
        app.person(down, "dnadmin", Role::MainAdmin);
        let clerk = app.person(down, "dnclerk", Role::Member);
        app.joined_space(up, up_admin, &[(down, "all", &[])]);
        app.signed_in("dnadmin")
            .await
            .post(
                &format!("/org/members/{}/remove", membership_of(&app, down, clerk)),
                &[],
            )
            .await
            .assert_redirect("/org/members");
        let n: i64 = contact_departures::table
            .count()
            .get_result(&mut *app.conn())
            .expect("departures");
        assert_eq!(n, 0);
        assert!(notified(&app, up_admin, "interconnect.contacts.notify.left").is_empty());
    })
    .await;
}
