//! Collaboration groups (合作群, seed 004): started with people of several organisations,
//! members shown with their real identity, a thread, membership that follows the
//! organisation and the space, and groups visible to their members only.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{
    collab_groups, collab_members, collab_messages, memberships, space_orgs, space_visibility,
};

use crate::support::{Client, TestApp, each_backend};

struct World {
    up: i64,
    down: i64,
    other: i64,
    space: i64,
    /// A person of `down` in its sales department.
    seller: i64,
    /// A person of `other`.
    buyer: i64,
}

/// An upstream organisation (upadmin, upmember) owning a space that two member
/// organisations joined whole: 下游伙伴 (downadmin; seller in 销售部) and 另一伙伴
/// (otheradmin; buyer). An outsider organisation (outadmin) is in no space.
fn world(app: &TestApp) -> World {
    let up = app.org("主干集团", "dingupstream01", "exclusive");
    let upadmin = app.person(up, "upadmin", Role::MainAdmin);
    app.person(up, "upmember", Role::Member);
    let down = app.org("下游伙伴", "dingdownstream01", "professional");
    app.person(down, "downadmin", Role::MainAdmin);
    let sales = app.department(down, None, "销售部");
    let seller = app.person(down, "seller", Role::Member);
    app.place(down, seller, Some(sales));
    let other = app.org("另一伙伴", "dingpartner02", "professional");
    app.person(other, "otheradmin", Role::MainAdmin);
    let buyer = app.person(other, "buyer", Role::Member);
    let outsider = app.org("局外公司", "dingoutsider01", "exclusive");
    app.person(outsider, "outadmin", Role::MainAdmin);
    let space = app.joined_space(up, upadmin, &[(down, "all", &[]), (other, "all", &[])]);
    World {
        up,
        down,
        other,
        space,
        seller,
        buyer,
    }
}

/// upadmin starts a group with the seller and the buyer; returns its id.
async fn started(w: &World, a: &Client) -> i64 {
    let r = a
        .post(
            &format!("/interconnect/spaces/{}/collab", w.space),
            &[
                ("name", "供应协同"),
                ("person", &format!("{}:{}", w.seller, w.down)),
                ("person", &format!("{}:{}", w.buyer, w.other)),
            ],
        )
        .await;
    r.assert_redirect("/interconnect/collab/");
    r.location()
        .trim_start_matches("/interconnect/collab/")
        .parse()
        .expect("group id")
}

fn is_member(app: &TestApp, gid: i64, user: i64) -> bool {
    collab_members::table
        .filter(collab_members::group_id.eq(gid))
        .filter(collab_members::user_id.eq(user))
        .count()
        .get_result::<i64>(&mut *app.conn())
        .expect("members")
        > 0
}

#[tokio::test]
async fn a_group_shows_members_with_their_real_organisation_and_department_and_a_thread() {
    each_backend(async |app| {
        let w = world(&app);
        let a = app.signed_in("upadmin").await;
        let gid = started(&w, &a).await;
        a.get(&format!("/interconnect/spaces/{}/collab", w.space))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("供应协同");
        let s = app.signed_in("seller").await;
        s.post(
            &format!("/interconnect/collab/{gid}/messages"),
            &[("body", "样品已寄出")],
        )
        .await
        .assert_redirect(&format!("/interconnect/collab/{gid}"));
        let b = app.signed_in("buyer").await;
        b.get(&format!("/interconnect/collab/{gid}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("seller")
            .assert_contains("下游伙伴")
            .assert_contains("销售部")
            .assert_contains("另一伙伴")
            .assert_contains("主干集团")
            .assert_contains("样品已寄出");
        // An empty message is shown again with its error, not posted.
        b.post(
            &format!("/interconnect/collab/{gid}/messages"),
            &[("body", "  ")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请输入消息内容");
        // The thread pages newest first by keyset.
        {
            let mut conn = app.conn();
            for i in 0..60 {
                // Written directly: 60 messages with distinct past times, for the keyset order.
                diesel::insert_into(collab_messages::table)
                    .values((
                        collab_messages::group_id.eq(gid),
                        collab_messages::user_id.eq(w.buyer),
                        collab_messages::org_id.eq(w.other),
                        collab_messages::body.eq(format!("msg-{i:02}")),
                        collab_messages::created_at.eq(fenfa::db::now()),
                    ))
                    .execute(&mut *conn)
                    .expect("message");
            }
        }
        let first = b.get(&format!("/interconnect/collab/{gid}")).await;
        first
            .assert_contains("msg-59")
            .assert_lacks("msg-09")
            .assert_contains("?after=");
        let oldest_shown: i64 = collab_messages::table
            .filter(collab_messages::body.eq("msg-10"))
            .select(collab_messages::id)
            .first(&mut *app.conn())
            .expect("id");
        b.get(&format!("/interconnect/collab/{gid}?after={oldest_shown}"))
            .await
            .assert_contains("msg-09")
            .assert_contains("样品已寄出")
            .assert_lacks("msg-59");
    })
    .await;
}

#[tokio::test]
async fn group_membership_follows_organisation_and_space_membership() {
    each_backend(async |app| {
        let w = world(&app);
        let a = app.signed_in("upadmin").await;
        let gid = started(&w, &a).await;
        assert!(is_member(&app, gid, w.seller) && is_member(&app, gid, w.buyer));

        // The seller leaves their organisation: out of the group at once.
        let mid: i64 = memberships::table
            .filter(memberships::org_id.eq(w.down))
            .filter(memberships::user_id.eq(w.seller))
            .select(memberships::id)
            .first(&mut *app.conn())
            .expect("member");
        app.signed_in("downadmin")
            .await
            .post(&format!("/org/members/{mid}/remove"), &[])
            .await
            .assert_redirect("/org/members");
        assert!(!is_member(&app, gid, w.seller));
        a.get(&format!("/interconnect/collab/{gid}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_lacks("销售部");

        // The buyer's organisation narrows what it links: the buyer leaves the space and
        // the group (the spaces part reconciles on every scope change).
        diesel::update(space_orgs::table.filter(space_orgs::org_id.eq(w.other)))
            .set(space_orgs::scope_kind.eq("people"))
            .execute(&mut *app.conn())
            .expect("narrow");
        fenfa::interconnect::people::reconcile_org(&mut app.conn(), w.other).expect("reconcile");
        assert!(!is_member(&app, gid, w.buyer));
        app.signed_in("buyer")
            .await
            .get(&format!("/interconnect/collab/{gid}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        assert!(is_member(&app, gid, app_user(&app, "upadmin")));
        let _ = w.up;
    })
    .await;
}

fn app_user(app: &TestApp, login: &str) -> i64 {
    use fenfa::db::schema::users;
    users::table
        .filter(users::login.eq(login))
        .select(users::id)
        .first(&mut *app.conn())
        .expect("user")
}

#[tokio::test]
async fn someone_who_is_not_a_member_gets_404_for_a_group() {
    each_backend(async |app| {
        let w = world(&app);
        let a = app.signed_in("upadmin").await;
        let gid = started(&w, &a).await;
        // upmember is a person of the space, but not of the group.
        let m = app.signed_in("upmember").await;
        m.get(&format!("/interconnect/collab/{gid}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        m.post(
            &format!("/interconnect/collab/{gid}/messages"),
            &[("body", "hi")],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        m.post(&format!("/interconnect/collab/{gid}/leave"), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        m.get(&format!("/interconnect/spaces/{}/collab", w.space))
            .await
            .assert_status(StatusCode::OK)
            .assert_lacks("供应协同");
        let n: i64 = collab_messages::table
            .count()
            .get_result(&mut *app.conn())
            .expect("messages");
        assert_eq!(n, 0);
    })
    .await;
}

#[tokio::test]
async fn another_tenants_space_and_group_ids_answer_404() {
    each_backend(async |app| {
        let w = world(&app);
        let a = app.signed_in("upadmin").await;
        let gid = started(&w, &a).await;
        let o = app.signed_in("outadmin").await;
        o.get(&format!("/interconnect/spaces/{}/collab", w.space))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        o.post(
            &format!("/interconnect/spaces/{}/collab", w.space),
            &[
                ("name", "混入"),
                ("person", &format!("{}:{}", w.buyer, w.other)),
            ],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        o.get(&format!("/interconnect/collab/{gid}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        o.post(
            &format!("/interconnect/collab/{gid}/members"),
            &[("person", &format!("{}:{}", w.buyer, w.other))],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        let groups: i64 = collab_groups::table
            .count()
            .get_result(&mut *app.conn())
            .expect("groups");
        assert_eq!(groups, 1);
    })
    .await;
}

#[tokio::test]
async fn a_member_organisation_picks_only_people_it_may_see() {
    each_backend(async |app| {
        let w = world(&app);
        // By default 下游伙伴 sees only itself (默认的可见范围仅本组织).
        let s = app.signed_in("seller").await;
        s.get(&format!("/interconnect/spaces/{}/collab", w.space))
            .await
            .assert_status(StatusCode::OK)
            .assert_lacks("upadmin")
            .assert_lacks("buyer");
        // The space admin lets it see the creating organisation, not 另一伙伴.
        // Written directly: the portal has no page to set visibility yet.
        diesel::insert_into(space_visibility::table)
            .values((
                space_visibility::space_id.eq(w.space),
                space_visibility::viewer_org_id.eq(w.down),
                space_visibility::visible_org_id.eq(w.up),
            ))
            .execute(&mut *app.conn())
            .expect("visibility");
        s.get(&format!("/interconnect/spaces/{}/collab", w.space))
            .await
            .assert_contains("upadmin")
            .assert_lacks("buyer");
        s.post(
            &format!("/interconnect/spaces/{}/collab", w.space),
            &[
                ("name", "越界"),
                ("person", &format!("{}:{}", w.buyer, w.other)),
            ],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        // A group without a name or without people is shown again with what was typed.
        let up = app_user(&app, "upadmin");
        s.post(
            &format!("/interconnect/spaces/{}/collab", w.space),
            &[("name", ""), ("person", &format!("{up}:{}", w.up))],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请填写群名称")
        .assert_contains("checked");
        let groups: i64 = collab_groups::table
            .count()
            .get_result(&mut *app.conn())
            .expect("groups");
        assert_eq!(groups, 0);
    })
    .await;
}

#[tokio::test]
async fn only_the_creator_adds_and_removes_members_and_a_leaving_creator_hands_over() {
    each_backend(async |app| {
        let w = world(&app);
        let a = app.signed_in("upadmin").await;
        let gid = started(&w, &a).await;
        let upmember = app_user(&app, "upmember");
        let s = app.signed_in("seller").await;
        s.post(
            &format!("/interconnect/collab/{gid}/members"),
            &[("person", &format!("{upmember}:{}", w.up))],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
        a.post(
            &format!("/interconnect/collab/{gid}/members"),
            &[("person", &format!("{upmember}:{}", w.up))],
        )
        .await
        .assert_redirect(&format!("/interconnect/collab/{gid}"));
        assert!(is_member(&app, gid, upmember));
        a.post(
            &format!("/interconnect/collab/{gid}/members/{}/remove", w.buyer),
            &[],
        )
        .await
        .assert_redirect(&format!("/interconnect/collab/{gid}"));
        assert!(!is_member(&app, gid, w.buyer));
        a.post(&format!("/interconnect/collab/{gid}/leave"), &[])
            .await
            .assert_redirect(&format!("/interconnect/spaces/{}/collab", w.space));
        let creator: i64 = collab_groups::table
            .find(gid)
            .select(collab_groups::created_by)
            .first(&mut *app.conn())
            .expect("group");
        assert_ne!(creator, app_user(&app, "upadmin"));
        assert!(
            is_member(&app, gid, creator),
            "a remaining member takes over"
        );
    })
    .await;
}
