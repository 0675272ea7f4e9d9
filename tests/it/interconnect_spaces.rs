//! Interconnection spaces (seed 004): edition gates, who may create and manage, the four
//! numeric limits at their boundaries, invitations (link, batch, API key), joining only via
//! review, visibility, live member sync, leaving, the space's own groups and tenancy.

use axum::body::Body;
use axum::http::{StatusCode, header};
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{
    memberships, notifications, orgs, seats, space_orgs, space_visibility, spaces,
};

use crate::support::interconnect::{published, seat_granted};
use crate::support::{Client, QR_CODE, TestApp, each_backend, input_value};

/// An exclusive upstream org (uadmin main admin, usub interconnect sub-admin, uplat platform
/// admin, umember), a downstream org on the professional edition with 销售部 > 门店
/// (dadmin in 销售部, dmember in 门店, dother without department) and another org
/// (oadmin, omember), plus the operator.
struct W {
    up: i64,
    uadmin: i64,
    down: i64,
    dadmin: i64,
    dmember: i64,
    d_sales: i64,
    d_store: i64,
    other: i64,
}

fn set_perms(app: &TestApp, org: i64, user: i64, perms: &str) {
    diesel::update(
        memberships::table
            .filter(memberships::org_id.eq(org))
            .filter(memberships::user_id.eq(user)),
    )
    .set(memberships::permissions.eq(perms))
    .execute(&mut *app.conn())
    .expect("perms");
}

fn world(app: &TestApp) -> W {
    let up = app.org("华东集团", "dingupstream01", "exclusive");
    let uadmin = app.person(up, "uadmin", Role::MainAdmin);
    let usub = app.person(up, "usub", Role::SubAdmin);
    set_perms(app, up, usub, "interconnect");
    let umembers = app.person(up, "usubm", Role::SubAdmin);
    set_perms(app, up, umembers, "members");
    app.person(up, "uplat", Role::PlatformAdmin);
    app.person(up, "umember", Role::Member);
    let down = app.org("江南经销", "dingdownstream01", "professional");
    let d_sales = app.department(down, None, "销售部");
    let d_store = app.department(down, Some(d_sales), "门店");
    let dadmin = app.person(down, "dadmin", Role::MainAdmin);
    let dmember = app.person(down, "dmember", Role::Member);
    app.person(down, "dother", Role::Member);
    app.place(down, dadmin, Some(d_sales));
    app.place(down, dmember, Some(d_store));
    let other = app.org("别家公司", "dingother01", "free");
    app.person(other, "oadmin", Role::MainAdmin);
    app.person(other, "omember", Role::Member);
    app.operator("op");
    W {
        up,
        uadmin,
        down,
        dadmin,
        dmember,
        d_sales,
        d_store,
        other,
    }
}

/// Creates a space through the form (whole organisation joins) and returns its id.
async fn create_space(c: &Client, name: &str, kind: &str) -> i64 {
    let r = c
        .post(
            "/interconnect/spaces",
            &[("name", name), ("kind", kind), ("scope_kind", "all")],
        )
        .await;
    r.assert_redirect("/interconnect/spaces/");
    r.location()
        .trim_start_matches("/interconnect/spaces/")
        .parse()
        .expect("space id")
}

fn token(app: &TestApp, space: i64) -> String {
    spaces::table
        .find(space)
        .select(spaces::invite_token)
        .first(&mut *app.conn())
        .expect("token")
}

fn row(app: &TestApp, space: i64, org: i64) -> (i64, String) {
    space_orgs::table
        .filter(space_orgs::space_id.eq(space))
        .filter(space_orgs::org_id.eq(org))
        .select((space_orgs::id, space_orgs::status))
        .first(&mut *app.conn())
        .expect("space org")
}

fn notified(app: &TestApp, user: i64, title: &str) -> Vec<String> {
    notifications::table
        .filter(notifications::user_id.eq(user))
        .filter(notifications::title.eq(title))
        .select(notifications::body)
        .load(&mut *app.conn())
        .expect("notifications")
}

/// A bare space of `owner` (no member rows), inserted directly to reach limits cheaply
/// (the form makes one space per request and adds the owner's row).
fn bare_space(app: &TestApp, owner: i64, creator: i64) -> i64 {
    diesel::insert_into(spaces::table)
        .values((
            spaces::owner_org_id.eq(owner),
            spaces::kind.eq("partner"),
            spaces::name.eq("预置空间"),
            spaces::invite_token.eq(format!("{}-bare-space", uuid::Uuid::new_v4().simple())),
            spaces::created_by.eq(creator),
            spaces::created_at.eq(fenfa::db::now()),
        ))
        .returning(spaces::id)
        .get_result(&mut *app.conn())
        .expect("space")
}

fn add_row(app: &TestApp, space: i64, org: i64, status: &str) {
    diesel::insert_into(space_orgs::table)
        .values((
            space_orgs::space_id.eq(space),
            space_orgs::org_id.eq(org),
            space_orgs::role.eq("member"),
            space_orgs::status.eq(status),
            space_orgs::scope_kind.eq("all"),
            space_orgs::created_at.eq(fenfa::db::now()),
        ))
        .execute(&mut *app.conn())
        .expect("row");
}

async fn operator_sets(app: &TestApp, org: i64, field: &str, value: &str) {
    let op = app.signed_in("op").await;
    op.post(
        &format!("/operator/orgs/{org}/interconnect"),
        &[(field, value)],
    )
    .await
    .assert_redirect(&format!("/operator/orgs/{org}"));
}

/// dadmin applies with the whole organisation through the link.
async fn apply_all(c: &Client, tok: &str) -> crate::support::Resp {
    c.post(
        &format!("/interconnect/join/{tok}"),
        &[("scope_kind", "all")],
    )
    .await
}

#[tokio::test]
async fn partner_spaces_need_the_exclusive_edition_and_parent_child_spaces_professional() {
    each_backend(async |app| {
        let w = world(&app);
        // The professional downstream org: no 上下游, but 上下级.
        let d = app.signed_in("dadmin").await;
        d.get("/interconnect")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("专属版专享")
            .assert_lacks("专业版或专属版");
        d.post(
            "/interconnect/spaces",
            &[
                ("name", "经销网络"),
                ("kind", "partner"),
                ("scope_kind", "all"),
            ],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN)
        .assert_contains("专属版专享");
        create_space(&d, "区域门店", "hierarchy").await;
        // The free org sees both explanations and cannot open the form.
        let o = app.signed_in("oadmin").await;
        o.get("/interconnect")
            .await
            .assert_contains("专属版专享")
            .assert_contains("专业版或专属版");
        o.get("/interconnect/spaces/new")
            .await
            .assert_status(StatusCode::FORBIDDEN);
        // The exclusive org may create both kinds.
        let u = app.signed_in("uadmin").await;
        create_space(&u, "供应链", "partner").await;
        create_space(&u, "子公司", "hierarchy").await;
        let _ = (w.other, w.up);
    })
    .await;
}

#[tokio::test]
async fn main_admins_and_interconnect_sub_admins_manage_spaces_but_not_members_or_platform_admins()
{
    each_backend(async |app| {
        let w = world(&app);
        let sub = app.signed_in("usub").await;
        let space = create_space(&sub, "供应链", "partner").await;
        sub.get(&format!("/interconnect/spaces/{space}/invite"))
            .await
            .assert_status(StatusCode::OK);
        for login in ["uplat", "umember", "usubm"] {
            let c = app.signed_in(login).await;
            c.get("/interconnect")
                .await
                .assert_contains("需要访问整个组织通讯录的权限")
                .assert_lacks("/interconnect/spaces/new");
            c.post(
                "/interconnect/spaces",
                &[
                    ("name", "私建空间"),
                    ("kind", "partner"),
                    ("scope_kind", "all"),
                ],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("官方的连接渠道");
            // A person of the space who does not manage it cannot open its admin pages.
            let r = c.get(&format!("/interconnect/spaces/{space}/orgs")).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{login}");
        }
        let _ = w.uadmin;
    })
    .await;
}

#[tokio::test]
async fn a_certified_organisation_creates_10_spaces_then_is_asked_to_contact_us() {
    each_backend(async |app| {
        let w = world(&app);
        for _ in 0..9 {
            bare_space(&app, w.up, w.uadmin);
        }
        let u = app.signed_in("uadmin").await;
        create_space(&u, "第十个空间", "partner").await;
        u.post(
            "/interconnect/spaces",
            &[
                ("name", "第十一个"),
                ("kind", "partner"),
                ("scope_kind", "all"),
            ],
        )
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("联系我们");
        // The operator expands the quota on request.
        operator_sets(&app, w.up, "ic_max_spaces", "11").await;
        create_space(&u, "第十一个", "partner").await;
    })
    .await;
}

#[tokio::test]
async fn an_organisation_joins_at_most_5_spaces_checked_at_apply_and_at_approval() {
    each_backend(async |app| {
        let w = world(&app);
        let u = app.signed_in("uadmin").await;
        let space = create_space(&u, "供应链", "partner").await;
        let elsewhere = app.org("第三方", "dingthird01", "exclusive");
        let third_admin = app.person(elsewhere, "tadmin", Role::MainAdmin);
        for _ in 0..4 {
            let s = bare_space(&app, elsewhere, third_admin);
            add_row(&app, s, w.down, "joined");
        }
        let d = app.signed_in("dadmin").await;
        // The fifth is allowed …
        apply_all(&d, &token(&app, space))
            .await
            .assert_redirect("/interconnect");
        // … a sixth is refused at once.
        let sixth = bare_space(&app, elsewhere, third_admin);
        apply_all(&d, &token(&app, sixth))
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("最多加入 5 个");
        // Checked again at approval: lowered meanwhile, the approval is refused.
        operator_sets(&app, w.down, "ic_max_joined", "4").await;
        let (so, _) = row(&app, space, w.down);
        u.post(
            &format!("/interconnect/spaces/{space}/orgs/{so}/approve"),
            &[],
        )
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("最多加入 5 个");
        assert_eq!(row(&app, space, w.down).1, "pending");
    })
    .await;
}

#[tokio::test]
async fn a_space_admits_at_most_800_organisations() {
    each_backend(async |app| {
        let w = world(&app);
        let u = app.signed_in("uadmin").await;
        let space = create_space(&u, "供应链", "partner").await;
        {
            let mut conn = app.conn();
            conn.transaction::<_, diesel::result::Error, _>(|conn| {
                for i in 0..799 {
                    // Written directly: 799 organisations to reach the space limit cheaply.
                    let o: i64 = diesel::insert_into(orgs::table)
                        .values((
                            orgs::name.eq(format!("伙伴{i}")),
                            orgs::corp_id.eq(format!("dingbulk{i:04}")),
                            orgs::edition.eq("free"),
                            orgs::certified.eq(true),
                            orgs::provider_level.eq("none"),
                            orgs::created_at.eq(0),
                        ))
                        .returning(orgs::id)
                        .get_result(conn)?;
                    diesel::insert_into(space_orgs::table)
                        .values((
                            space_orgs::space_id.eq(space),
                            space_orgs::org_id.eq(o),
                            space_orgs::role.eq("member"),
                            space_orgs::status.eq("joined"),
                            space_orgs::scope_kind.eq("all"),
                            space_orgs::created_at.eq(0),
                        ))
                        .execute(conn)?;
                }
                Ok(())
            })
            .expect("bulk");
        }
        let tok = token(&app, space);
        // The 800th organisation may apply and be approved …
        let d = app.signed_in("dadmin").await;
        apply_all(&d, &tok).await.assert_redirect("/interconnect");
        // … the 801st is refused.
        let o = app.signed_in("oadmin").await;
        apply_all(&o, &tok)
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("800");
        let (so, _) = row(&app, space, w.down);
        u.post(
            &format!("/interconnect/spaces/{space}/orgs/{so}/approve"),
            &[],
        )
        .await
        .assert_redirect(&format!("/interconnect/spaces/{space}/orgs"));
        assert_eq!(row(&app, space, w.down).1, "joined");
        u.get(&format!("/interconnect/spaces/{space}"))
            .await
            .assert_contains("800 / 800");
    })
    .await;
}

#[tokio::test]
async fn a_space_holds_at_most_3000_people_checked_at_apply_and_at_approval() {
    each_backend(async |app| {
        let w = world(&app);
        let u = app.signed_in("uadmin").await;
        let space = create_space(&u, "供应链", "partner").await;
        // The seed's default, shown on the space home.
        u.get(&format!("/interconnect/spaces/{space}"))
            .await
            .assert_contains("5 / 3000");
        // The boundary, made cheap with the operator's override: 5 upstream people + 3.
        operator_sets(&app, w.up, "ic_max_people", "7").await;
        let tok = token(&app, space);
        let d = app.signed_in("dadmin").await;
        apply_all(&d, &tok)
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("人数已达上限");
        let dsales = w.d_sales.to_string();
        d.post(
            &format!("/interconnect/join/{tok}"),
            &[("scope_kind", "departments"), ("department", &dsales)],
        )
        .await
        .assert_redirect("/interconnect");
        // At approval: the upstream org grew meanwhile, so the space would pass 7.
        app.person(w.up, "unew", Role::Member);
        let (so, _) = row(&app, space, w.down);
        u.post(
            &format!("/interconnect/spaces/{space}/orgs/{so}/approve"),
            &[],
        )
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("人数已达上限");
        operator_sets(&app, w.up, "ic_max_people", "8").await;
        u.post(
            &format!("/interconnect/spaces/{space}/orgs/{so}/approve"),
            &[],
        )
        .await
        .assert_redirect(&format!("/interconnect/spaces/{space}/orgs"));
        u.get(&format!("/interconnect/spaces/{space}"))
            .await
            .assert_contains("8 / 8");
    })
    .await;
}

#[tokio::test]
async fn an_organisation_joins_only_through_the_space_admins_review_and_both_sides_are_told() {
    each_backend(async |app| {
        let w = world(&app);
        let u = app.signed_in("uadmin").await;
        let space = create_space(&u, "供应链", "partner").await;
        let tok = token(&app, space);
        // A plain member of the downstream org cannot apply for it.
        let dm = app.signed_in("dmember").await;
        dm.get(&format!("/interconnect/join/{tok}"))
            .await
            .assert_contains("只有本组织的主管理员");
        apply_all(&dm, &tok)
            .await
            .assert_status(StatusCode::FORBIDDEN);
        // The main admin applies: pending, nobody of the org is in the space yet.
        let d = app.signed_in("dadmin").await;
        apply_all(&d, &tok).await.assert_redirect("/interconnect");
        assert_eq!(row(&app, space, w.down).1, "pending");
        dm.get(&format!("/interconnect/spaces/{space}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        assert_eq!(
            notified(&app, w.uadmin, "interconnect.spaces.notify.join_request").len(),
            1
        );
        // Approval lets them in and tells the applicant.
        let (so, _) = row(&app, space, w.down);
        u.post(
            &format!("/interconnect/spaces/{space}/orgs/{so}/approve"),
            &[],
        )
        .await
        .assert_redirect(&format!("/interconnect/spaces/{space}/orgs"));
        dm.get(&format!("/interconnect/spaces/{space}"))
            .await
            .assert_status(StatusCode::OK);
        assert_eq!(
            notified(&app, w.dadmin, "interconnect.spaces.notify.approved").len(),
            1
        );
        // Rejection needs a reason, which the applicant receives.
        let o = app.signed_in("oadmin").await;
        apply_all(&o, &tok).await.assert_redirect("/interconnect");
        let (oso, _) = row(&app, space, w.other);
        let reject = format!("/interconnect/spaces/{space}/orgs/{oso}/reject");
        u.post(&reject, &[("reason", " ")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("请填写拒绝理由");
        u.post(&reject, &[("reason", "资质不全")])
            .await
            .assert_redirect(&format!("/interconnect/spaces/{space}/orgs"));
        assert_eq!(row(&app, space, w.other).1, "rejected");
        let oadmin: i64 = fenfa::db::schema::users::table
            .filter(fenfa::db::schema::users::login.eq("oadmin"))
            .select(fenfa::db::schema::users::id)
            .first(&mut *app.conn())
            .expect("oadmin");
        let bodies = notified(&app, oadmin, "interconnect.spaces.notify.rejected");
        assert!(bodies.iter().any(|b| b.contains("资质不全")), "{bodies:?}");
        // A decided request cannot be decided again.
        u.post(
            &format!("/interconnect/spaces/{space}/orgs/{so}/approve"),
            &[],
        )
        .await
        .assert_status(StatusCode::CONFLICT);
    })
    .await;
}

#[tokio::test]
async fn a_member_organisation_sees_only_itself_until_the_space_admin_allows_more() {
    each_backend(async |app| {
        let w = world(&app);
        let space = app.joined_space(
            w.up,
            w.uadmin,
            &[(w.down, "all", &[]), (w.other, "all", &[])],
        );
        let people = format!("/interconnect/spaces/{space}/people");
        // The creating organisation sees every member organisation.
        let u = app.signed_in("uadmin").await;
        u.get(&people)
            .await
            .assert_contains("dmember")
            .assert_contains("omember")
            .assert_contains("门店");
        // A member organisation sees only itself by default (默认的可见范围仅本组织),
        // not even the creating organisation's people.
        let dm = app.signed_in("dmember").await;
        dm.get(&people)
            .await
            .assert_contains("dmember")
            .assert_contains("江南经销")
            .assert_lacks("omember")
            .assert_lacks("umember");
        // The space admin lets 江南经销 see 别家公司.
        let (so, _) = row(&app, space, w.down);
        let other = w.other.to_string();
        u.post(
            &format!("/interconnect/spaces/{space}/orgs/{so}/visibility"),
            &[("org", &other)],
        )
        .await
        .assert_redirect(&format!(
            "/interconnect/spaces/{space}/orgs/{so}/visibility"
        ));
        dm.get(&people).await.assert_contains("omember");
        // … but not the other way round.
        let om = app.signed_in("omember").await;
        om.get(&people).await.assert_lacks("dmember");
        let n: i64 = space_visibility::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 1);
    })
    .await;
}

#[tokio::test]
async fn people_follow_their_organisation_when_they_join_a_department_transfer_or_leave() {
    each_backend(async |app| {
        let w = world(&app);
        let space = app.joined_space(w.up, w.uadmin, &[(w.down, "departments", &[w.d_sales])]);
        let people = format!("/interconnect/spaces/{space}/people");
        let u = app.signed_in("uadmin").await;
        // dmember is in 门店 (under 销售部); dother has no department.
        u.get(&people)
            .await
            .assert_contains("dmember")
            .assert_lacks("dother");
        // Someone placed into a chosen department appears at once.
        let d = app.signed_in("dadmin").await;
        let dother_m: i64 = memberships::table
            .inner_join(fenfa::db::schema::users::table)
            .filter(fenfa::db::schema::users::login.eq("dother"))
            .select(memberships::id)
            .first(&mut *app.conn())
            .expect("m");
        let store = w.d_store.to_string();
        d.post_ok(
            &format!("/org/members/{dother_m}/department"),
            &[("department_id", &store)],
        )
        .await;
        u.get(&people).await.assert_contains("dother");
        // A seat held by dmember (granted by the upstream pool).
        seat_granted(&u, w.down, w.dmember).await;
        // Transferred out of the linked departments: gone, and the seat released.
        let dmember_m: i64 = memberships::table
            .filter(memberships::user_id.eq(w.dmember))
            .select(memberships::id)
            .first(&mut *app.conn())
            .expect("m");
        d.post_ok(
            &format!("/org/members/{dmember_m}/department"),
            &[("department_id", "")],
        )
        .await;
        u.get(&people).await.assert_lacks("dmember");
        let held: i64 = seats::table
            .count()
            .get_result(&mut *app.conn())
            .expect("seats");
        assert_eq!(held, 0);
        let dm = app.signed_in("dmember").await;
        dm.get(&format!("/interconnect/spaces/{space}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // Removed from the organisation: gone from the space.
        d.post_ok(&format!("/org/members/{dother_m}/remove"), &[])
            .await;
        u.get(&people).await.assert_lacks("dother");
    })
    .await;
}

#[tokio::test]
async fn the_creating_organisation_chooses_which_of_its_own_people_join() {
    each_backend(async |app| {
        let w = world(&app);
        let u = app.signed_in("uadmin").await;
        let me = w.uadmin.to_string();
        let r = u
            .post(
                "/interconnect/spaces",
                &[
                    ("name", "精简空间"),
                    ("kind", "partner"),
                    ("scope_kind", "people"),
                    ("person", &me),
                ],
            )
            .await;
        r.assert_redirect("/interconnect/spaces/");
        let space: i64 = r
            .location()
            .trim_start_matches("/interconnect/spaces/")
            .parse()
            .expect("id");
        u.get(&format!("/interconnect/spaces/{space}/people"))
            .await
            .assert_contains("uadmin")
            .assert_lacks("umember");
        let m = app.signed_in("umember").await;
        m.get(&format!("/interconnect/spaces/{space}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // Choosing another organisation's people is refused beside the field.
        let foreign = w.dmember.to_string();
        u.post(
            "/interconnect/spaces",
            &[
                ("name", "越界空间"),
                ("kind", "partner"),
                ("scope_kind", "people"),
                ("person", &foreign),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("只能选择本组织")
        .assert_contains("越界空间");
    })
    .await;
}

#[tokio::test]
async fn batch_invitation_by_corp_id_reports_each_line_and_notifies_the_invited() {
    each_backend(async |app| {
        let w = world(&app);
        let u = app.signed_in("uadmin").await;
        let space = create_space(&u, "供应链", "partner").await;
        let r = u
            .post_multipart(
                &format!("/interconnect/spaces/{space}/invite/batch"),
                &[("corp_ids", "dingdownstream01\ndingnobody99\n")],
                &[(
                    "file",
                    "ids.txt",
                    "text/plain",
                    b"dingupstream01\r\ndingother01\r\n",
                )],
            )
            .await;
        r.assert_status(StatusCode::OK)
            .assert_contains("batch-results")
            .assert_contains("未知的 CorpID")
            .assert_contains("已是成员");
        assert_eq!(r.body.matches("class=\"invited\"").count(), 2);
        assert_eq!(row(&app, space, w.down).1, "invited");
        let links = notified(&app, w.dadmin, "interconnect.spaces.notify.invited");
        assert_eq!(links.len(), 1);
        // The invited org sees the space on its landing page with the way to apply.
        let d = app.signed_in("dadmin").await;
        d.get("/interconnect")
            .await
            .assert_contains("供应链")
            .assert_contains(&format!("/interconnect/join/{}", token(&app, space)));
    })
    .await;
}

#[tokio::test]
async fn the_invitation_link_shows_a_qr_code_and_regenerating_it_retires_the_old_one() {
    each_backend(async |app| {
        let w = world(&app);
        let u = app.signed_in("uadmin").await;
        let space = create_space(&u, "供应链", "partner").await;
        let old = token(&app, space);
        u.get(&format!("/interconnect/spaces/{space}/invite"))
            .await
            .assert_contains(QR_CODE)
            .assert_contains(&format!("/interconnect/join/{old}"));
        u.post(
            &format!("/interconnect/spaces/{space}/invite/regenerate"),
            &[],
        )
        .await
        .assert_redirect(&format!("/interconnect/spaces/{space}/invite"));
        let new = token(&app, space);
        assert_ne!(old, new);
        let d = app.signed_in("dadmin").await;
        d.get(&format!("/interconnect/join/{old}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        d.get(&format!("/interconnect/join/{new}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("供应链");
        let _ = w.up;
    })
    .await;
}

async fn api(app: &TestApp, space: i64, key: Option<&str>, body: &str) -> crate::support::Resp {
    let c = app.client();
    let mut req = c
        .request(
            "POST",
            &format!("/api/interconnect/spaces/{space}/invitations"),
        )
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(k) = key {
        req = req.header(header::AUTHORIZATION, format!("Bearer {k}"));
    }
    c.send(req.body(Body::from(body.to_string())).expect("req"))
        .await
}

#[tokio::test]
async fn the_invitation_api_answers_per_corp_id_and_a_wrong_key_gets_401() {
    each_backend(async |app| {
        let w = world(&app);
        let u = app.signed_in("uadmin").await;
        let space = create_space(&u, "供应链", "partner").await;
        let body = r#"{"corp_ids": ["dingdownstream01", "dingnobody99", "dingupstream01"]}"#;
        // No key yet: nothing opens the API.
        api(&app, space, None, body)
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        api(&app, space, Some("guess"), body)
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        let page = u
            .post(&format!("/interconnect/spaces/{space}/invite/api-key"), &[])
            .await;
        page.assert_status(StatusCode::OK);
        let key = input_value(&page.body, "api_key").expect("key shown once");
        // Only a digest is stored.
        let stored: Option<String> = spaces::table
            .find(space)
            .select(spaces::api_key_hash)
            .first(&mut *app.conn())
            .expect("hash");
        assert_ne!(stored.as_deref(), Some(key.as_str()));
        let r = api(&app, space, Some(&key), body).await;
        r.assert_status(StatusCode::OK);
        let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
        let results: Vec<(String, String)> = v["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|x| {
                (
                    x["corp_id"].as_str().unwrap_or("").to_string(),
                    x["result"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        assert_eq!(
            results,
            vec![
                ("dingdownstream01".into(), "invited".into()),
                ("dingnobody99".into(), "unknown_corp_id".into()),
                ("dingupstream01".into(), "already_member".into()),
            ]
        );
        assert_eq!(row(&app, space, w.down).1, "invited");
        // The key opens only its own space, and a new key retires the old one.
        let second = create_space(&u, "第二空间", "partner").await;
        api(&app, second, Some(&key), body)
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        u.post_ok(&format!("/interconnect/spaces/{space}/invite/api-key"), &[])
            .await;
        api(&app, space, Some(&key), body)
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn a_member_organisation_narrows_widens_or_leaves_after_being_told_what_happens_to_its_data()
{
    each_backend(async |app| {
        let w = world(&app);
        let space = app.joined_space(w.up, w.uadmin, &[(w.down, "all", &[])]);
        let home = format!("/interconnect/spaces/{space}");
        let d = app.signed_in("dadmin").await;
        let dm = app.signed_in("dmember").await;
        let page = format!("{home}/membership");
        d.get(&page)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("仍保留在上游组织的应用中")
            .assert_contains("导出本组织提交的数据")
            .assert_contains("还没有共享应用");
        // Only the main admin manages the membership.
        dm.get(&page).await.assert_status(StatusCode::NOT_FOUND);
        // Narrow to dadmin alone: dmember loses the space.
        let me = w.dadmin.to_string();
        d.post(
            &format!("{page}/scope"),
            &[("scope_kind", "people"), ("person", &me)],
        )
        .await
        .assert_redirect(&page);
        dm.get(&home).await.assert_status(StatusCode::NOT_FOUND);
        // Widen again.
        d.post(&format!("{page}/scope"), &[("scope_kind", "all")])
            .await
            .assert_redirect(&page);
        dm.get(&home).await.assert_status(StatusCode::OK);
        // Leave: everyone goes, the upstream is told.
        d.post(&format!("{page}/leave"), &[])
            .await
            .assert_redirect("/interconnect");
        dm.get(&home).await.assert_status(StatusCode::NOT_FOUND);
        assert_eq!(row(&app, space, w.down).1, "left");
        assert_eq!(
            notified(&app, w.uadmin, "interconnect.spaces.notify.left").len(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn the_space_admin_removes_a_member_organisation_after_reading_what_happens_to_its_data() {
    each_backend(async |app| {
        let w = world(&app);
        let space = app.joined_space(w.up, w.uadmin, &[(w.down, "all", &[])]);
        let u = app.signed_in("uadmin").await;
        seat_granted(&u, w.down, w.dmember).await;
        // An app published in the space: its form's data page is where to export first.
        let scope = fenfa::auth::OrgScope::system(w.up, w.uadmin, Role::MainAdmin);
        let (app_id, page_id) = {
            let mut conn = app.conn();
            let app_id = fenfa::apps::store::create_app(
                &mut conn,
                &scope,
                fenfa::apps::store::NewApp {
                    name: "供应商报价",
                    glyph: "package",
                    color: "orange",
                    image: "",
                    description: "",
                    premium: false,
                },
            )
            .expect("app");
            let a = fenfa::apps::store::find_app(&mut conn, &scope, app_id).expect("find");
            let page = fenfa::apps::store::add_page(
                &mut conn,
                &a,
                fenfa::apps::app::PageKind::Form,
                "报价单",
                "",
            )
            .expect("page");
            (app_id, page)
        };
        published(&u, space, app_id).await;
        let (so, _) = row(&app, space, w.down);
        let remove = format!("/interconnect/spaces/{space}/orgs/{so}/remove");
        u.get(&remove)
            .await
            .assert_contains("仍保留在上游组织的应用中")
            .assert_contains("所有人员将立即离开空间")
            .assert_contains(&format!("/f/{page_id}/data"))
            .assert_contains("供应商报价 · 报价单");
        u.post(&remove, &[])
            .await
            .assert_redirect(&format!("/interconnect/spaces/{space}/orgs"));
        let dm = app.signed_in("dmember").await;
        dm.get(&format!("/interconnect/spaces/{space}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let held: i64 = seats::table
            .count()
            .get_result(&mut *app.conn())
            .expect("seats");
        assert_eq!(held, 0);
        assert_eq!(
            notified(&app, w.dadmin, "interconnect.spaces.notify.removed").len(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn the_space_admin_groups_member_organisations_without_touching_their_departments() {
    each_backend(async |app| {
        let w = world(&app);
        let space = app.joined_space(w.up, w.uadmin, &[(w.down, "all", &[])]);
        let u = app.signed_in("uadmin").await;
        let groups = format!("/interconnect/spaces/{space}/org-groups");
        u.post(&groups, &[("name", "华东经销商")])
            .await
            .assert_redirect(&groups);
        u.post(&groups, &[("name", "华东经销商")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("已有同名目录");
        let gid: i64 = fenfa::db::schema::space_groups::table
            .select(fenfa::db::schema::space_groups::id)
            .first(&mut *app.conn())
            .expect("group");
        let (so, _) = row(&app, space, w.down);
        u.post(
            &format!("{groups}/assign"),
            &[
                ("space_org_id", &so.to_string()),
                ("group_id", &gid.to_string()),
            ],
        )
        .await
        .assert_redirect(&groups);
        u.post(&format!("{groups}/{gid}/rename"), &[("name", "华南经销商")])
            .await
            .assert_redirect(&groups);
        u.get(&groups)
            .await
            .assert_contains("华南经销商")
            .assert_contains("江南经销");
        u.post(&format!("{groups}/{gid}/delete"), &[])
            .await
            .assert_redirect(&groups);
        let (_, status) = row(&app, space, w.down);
        assert_eq!(status, "joined");
        // The member organisation's own departments are as they were.
        let depts: i64 = fenfa::db::schema::departments::table
            .filter(fenfa::db::schema::departments::org_id.eq(w.down))
            .count()
            .get_result(&mut *app.conn())
            .expect("depts");
        assert_eq!(depts, 2);
        // A member organisation's admin cannot arrange the space.
        let d = app.signed_in("dadmin").await;
        d.post(&groups, &[("name", "自建目录")])
            .await
            .assert_status(StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn another_organisations_space_and_rows_answer_404() {
    each_backend(async |app| {
        let w = world(&app);
        let space = app.joined_space(w.up, w.uadmin, &[(w.down, "all", &[])]);
        let o = app.signed_in("oadmin").await;
        for path in [
            "",
            "/people",
            "/orgs",
            "/invite",
            "/org-groups",
            "/membership",
        ] {
            let r = o.get(&format!("/interconnect/spaces/{space}{path}")).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        }
        o.post(
            &format!("/interconnect/spaces/{space}/invite/regenerate"),
            &[],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        // A row of another space, addressed through one's own space, is missing too.
        let elsewhere = app.joined_space(w.down, w.dadmin, &[]);
        let (foreign, _) = row(&app, elsewhere, w.down);
        let u = app.signed_in("uadmin").await;
        u.post(
            &format!("/interconnect/spaces/{space}/orgs/{foreign}/approve"),
            &[],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        u.get(&format!(
            "/interconnect/spaces/{space}/orgs/{foreign}/visibility"
        ))
        .await
        .assert_status(StatusCode::NOT_FOUND);
        u.get("/interconnect/spaces/999999")
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn only_the_operator_adjusts_an_organisations_interconnection_limits() {
    each_backend(async |app| {
        let w = world(&app);
        let u = app.signed_in("uadmin").await;
        u.post(
            &format!("/operator/orgs/{}/interconnect", w.up),
            &[("ic_max_spaces", "99")],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
        let op = app.signed_in("op").await;
        op.get(&format!("/operator/orgs/{}", w.up))
            .await
            .assert_contains("interconnect-limits");
        operator_sets(&app, w.up, "seat_pool", "3000").await;
        let (spaces_max, pool): (Option<i32>, Option<i32>) = orgs::table
            .find(w.up)
            .select((orgs::ic_max_spaces, orgs::seat_pool))
            .first(&mut *app.conn())
            .expect("org");
        assert_eq!((spaces_max, pool), (None, Some(3000)));
        op.post(
            &format!("/operator/orgs/{}/interconnect", w.up),
            &[("ic_max_spaces", "-3")],
        )
        .await
        .assert_status(StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn concurrent_approvals_cannot_pass_the_organisation_limit() {
    each_backend(async |app| {
        let w = world(&app);
        let u = app.signed_in("uadmin").await;
        let space = create_space(&u, "供应链", "partner").await;
        // Two requests already waiting, room for one more organisation only.
        add_row(&app, space, w.down, "pending");
        add_row(&app, space, w.other, "pending");
        operator_sets(&app, w.up, "ic_max_orgs", "1").await;
        let (a, _) = row(&app, space, w.down);
        let (b, _) = row(&app, space, w.other);
        let u2 = app.signed_in("usub").await;
        let pa = format!("/interconnect/spaces/{space}/orgs/{a}/approve");
        let pb = format!("/interconnect/spaces/{space}/orgs/{b}/approve");
        let (ra, rb) = tokio::join!(u.post(&pa, &[]), u2.post(&pb, &[]));
        let ok = [&ra, &rb]
            .iter()
            .filter(|r| r.status.is_redirection())
            .count();
        assert_eq!(ok, 1, "{} {}", ra.status, rb.status);
        let joined: i64 = space_orgs::table
            .filter(space_orgs::space_id.eq(space))
            .filter(space_orgs::role.eq("member"))
            .filter(space_orgs::status.eq("joined"))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(joined, 1);
    })
    .await;
}

#[tokio::test]
async fn every_space_page_renders_in_both_languages() {
    each_backend(async |app| {
        let w = world(&app);
        let space = app.joined_space(w.up, w.uadmin, &[(w.down, "departments", &[w.d_sales])]);
        add_row(&app, space, w.other, "pending");
        let (so, _) = row(&app, space, w.down);
        let (pending, _) = row(&app, space, w.other);
        let u = app.signed_in("uadmin").await;
        let d = app.signed_in("dadmin").await;
        // The fixture's token is not of the issued shape: issue a real one.
        u.post_ok(
            &format!("/interconnect/spaces/{space}/invite/regenerate"),
            &[],
        )
        .await;
        let tok = token(&app, space);
        let base = format!("/interconnect/spaces/{space}");
        for lang in ["zh-CN", "en"] {
            for c in [&u, &d] {
                c.post_ok("/lang", &[("lang", lang), ("next", "/")]).await;
            }
            for path in [
                "/interconnect".to_string(),
                "/interconnect/spaces/new".to_string(),
                base.clone(),
                format!("{base}/people"),
                format!("{base}/orgs"),
                format!("{base}/orgs?status=pending"),
                format!("{base}/orgs/{pending}/reject"),
                format!("{base}/orgs/{so}/visibility"),
                format!("{base}/orgs/{so}/remove"),
                format!("{base}/invite"),
                format!("{base}/org-groups"),
                format!("{base}/membership"),
            ] {
                let r = u.get(&path).await;
                assert_eq!(r.status, StatusCode::OK, "{lang} {path}: {}", r.body);
            }
            for path in [
                "/interconnect".to_string(),
                base.clone(),
                format!("{base}/people"),
                format!("{base}/membership"),
                format!("/interconnect/join/{tok}"),
            ] {
                let r = d.get(&path).await;
                assert_eq!(r.status, StatusCode::OK, "{lang} {path}: {}", r.body);
            }
        }
        d.get(&base).await.assert_contains("Space directory");
    })
    .await;
}
