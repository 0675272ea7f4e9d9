//! Seats are enforced (issue 14 item 1; seed 004, licence统一管理: only the people granted
//! a seat use the shared apps): every route of a published app refuses a downstream person
//! without a seat of the upstream pool with a 403 page naming the admins who can grant
//! one; with a seat it works; the workbench shows the seat state; a seat released by hand
//! is not handed back by automatic grants after a directory change, while automatic
//! grants by department keep working.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::apps::app::{FieldKind, PageKind, ReportAgg, ReportSpec};
use fenfa::apps::store;
use fenfa::auth::Role;
use fenfa::db::schema::{approval_tasks, attachments, memberships, pages, seats, submissions};

use crate::figures::figure;
use crate::support::apps::{Fixture, app_with_page, png, scope, submission_id};
use crate::support::interconnect::post_ids;
use crate::support::{Client, Resp, TestApp, each_backend};

/// An exclusive-edition upstream organisation (main admin `upadmin`, interconnection
/// sub-admin `upsub`, member `upclerk`) with app 采购管理: a process form approved by
/// `upadmin`, a report over it and a custom page; a space it owns which 下游经销商 joined
/// with its 销售部 (`dnadmin`, `dnmember`; `dnoutside` is outside it). The app is published
/// to 下游经销商 and nobody there holds a seat yet.
struct World {
    up: i64,
    down: i64,
    up_admin: i64,
    down_admin: i64,
    down_member: i64,
    sales: i64,
    form: Fixture,
    report: i64,
    custom: i64,
}

fn world(app: &TestApp) -> World {
    let up = app.org("上游公司", "dingup01", "exclusive");
    let down = app.org("下游经销商", "dingdn01", "professional");
    let up_admin = app.person(up, "upadmin", Role::MainAdmin);
    let up_sub = app.person(up, "upsub", Role::SubAdmin);
    diesel::update(
        memberships::table
            .filter(memberships::org_id.eq(up))
            .filter(memberships::user_id.eq(up_sub)),
    )
    .set(memberships::permissions.eq("interconnect"))
    .execute(&mut *app.conn())
    .expect("interconnect point");
    app.person(up, "upclerk", Role::Member);
    let sales = app.department(down, None, "销售部");
    let down_admin = app.person(down, "dnadmin", Role::MainAdmin);
    app.place(down, down_admin, Some(sales));
    let down_member = app.person(down, "dnmember", Role::Member);
    app.place(down, down_member, Some(sales));
    app.person(down, "dnoutside", Role::Member);
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
    let (report, custom) = {
        let mut conn = app.conn();
        let s = scope(up, up_admin);
        let a = store::find_app(&mut conn, &s, form.app_id).expect("app");
        let report = store::add_page(&mut conn, &a, PageKind::Report, "订货汇总", "").expect("r");
        let (_, rp) = store::find_page(&mut conn, &s, report).expect("report page");
        fenfa::apps::design_store::save_report(
            &mut conn,
            &rp,
            &ReportSpec {
                form_id: form.page.id,
                group_field_id: None,
                value_field_id: Some(form.fields[2]),
                agg: ReportAgg::Sum,
            },
        )
        .expect("save report");
        let custom = store::add_page(&mut conn, &a, PageKind::Custom, "订货须知", "").expect("c");
        diesel::update(pages::table.find(custom))
            .set(pages::body.eq("<p>每周一截单</p>"))
            .execute(&mut *conn)
            .expect("custom body");
        (report, custom)
    };
    app.joined_space(up, up_admin, &[(down, "departments", &[sales])]);
    World {
        up,
        down,
        up_admin,
        down_admin,
        down_member,
        sales,
        form,
        report,
        custom,
    }
}

/// The upstream main admin publishes the app to every member organisation of its space.
async fn publish(app: &TestApp, w: &World) {
    let up = app.signed_in("upadmin").await;
    let space: i64 = fenfa::db::schema::spaces::table
        .filter(fenfa::db::schema::spaces::owner_org_id.eq(w.up))
        .select(fenfa::db::schema::spaces::id)
        .first(&mut *app.conn())
        .expect("space");
    up.post(
        &format!("/interconnect/spaces/{space}/apps"),
        &[("app_id", &w.form.app_id.to_string()), ("mode", "all")],
    )
    .await
    .assert_redirect(&format!("/interconnect/spaces/{space}/apps"));
}

/// The upstream main admin grants seats by hand to people of 下游经销商.
async fn grant(app: &TestApp, w: &World, users: &[i64]) {
    let up = app.signed_in("upadmin").await;
    post_ids(
        &up,
        &format!("/interconnect/licences/orgs/{}/grant", w.down),
        "user_id",
        users,
    )
    .await
    .assert_redirect(&format!("/interconnect/licences/orgs/{}", w.down));
}

fn seat_of(app: &TestApp, w: &World, user: i64) -> Option<i64> {
    seats::table
        .filter(seats::pool_org_id.eq(w.up))
        .filter(seats::org_id.eq(w.down))
        .filter(seats::user_id.eq(user))
        .select(seats::id)
        .first(&mut *app.conn())
        .optional()
        .expect("seat")
}

/// The upstream main admin releases the seats of these people by hand.
async fn release(app: &TestApp, w: &World, users: &[i64]) {
    let ids: Vec<i64> = users
        .iter()
        .map(|u| seat_of(app, w, *u).expect("a seat to release"))
        .collect();
    let up = app.signed_in("upadmin").await;
    post_ids(
        &up,
        &format!("/interconnect/licences/orgs/{}/release", w.down),
        "seat_id",
        &ids,
    )
    .await
    .assert_redirect(&format!("/interconnect/licences/orgs/{}", w.down));
}

async fn submit(c: &Client, w: &World, reason: &str) -> Resp {
    c.post_multipart(
        &w.form.url(),
        &[(&w.form.f(0), reason), (&w.form.f(2), "3")],
        &[(&w.form.f(1), "shop.png", "image/png", &png())],
    )
    .await
}

fn submission_count(app: &TestApp) -> i64 {
    submissions::table
        .count()
        .get_result(&mut *app.conn())
        .expect("count")
}

fn pending_task(app: &TestApp, sid: i64) -> (i64, i64) {
    approval_tasks::table
        .filter(approval_tasks::submission_id.eq(sid))
        .filter(approval_tasks::status.eq("pending"))
        .select((approval_tasks::id, approval_tasks::assignee_id))
        .first(&mut *app.conn())
        .expect("pending task")
}

/// The no-seat page: 403, the app, the upstream organisation and the admins who can grant
/// a seat (the main admin and the interconnection sub-admin, not a plain member).
fn assert_no_seat_page(r: &Resp, what: &str) {
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}: {}", r.body);
    r.assert_contains("没有「采购管理」的使用名额")
        .assert_contains("「上游公司」的管理员分配")
        .assert_contains("<li>upadmin</li>")
        .assert_contains("<li>upsub</li>")
        .assert_lacks("<li>upclerk</li>");
}

#[tokio::test]
async fn a_member_without_a_seat_cannot_open_submit_or_see_data_of_a_published_app() {
    each_backend(async |app| {
        let w = world(&app);
        publish(&app, &w).await;
        // While they held a seat, both made a submission with a photo, and the upstream
        // approver handed its approval to the downstream admin.
        grant(&app, &w, &[w.down_admin, w.down_member]).await;
        let dm = app.signed_in("dnmember").await;
        let da = app.signed_in("dnadmin").await;
        let r = submit(&dm, &w, "有名额时提交").await;
        r.assert_redirect("/submissions/");
        let sid = submission_id(r.location());
        let file: i64 = attachments::table
            .filter(attachments::uploader_id.eq(w.down_member))
            .select(attachments::id)
            .first(&mut *app.conn())
            .expect("attachment");
        let (task, _) = pending_task(&app, sid);
        let up = app.signed_in("upadmin").await;
        up.post(
            &format!("/submissions/{sid}/tasks/{task}"),
            &[
                ("action", "hand_over"),
                ("target", &w.down_admin.to_string()),
            ],
        )
        .await
        .assert_redirect(&format!("/submissions/{sid}"));
        let (task, assignee) = pending_task(&app, sid);
        assert_eq!(assignee, w.down_admin);

        // The seats are released: every route of the app now refuses both of them.
        release(&app, &w, &[w.down_admin, w.down_member]).await;
        let gets = [
            format!("/a/{}", w.form.app_id),
            format!("/f/{}", w.form.page.id),
            format!("/f/{}/data", w.form.page.id),
            format!("/f/{}/data.csv", w.form.page.id),
            format!("/r/{}", w.report),
            format!("/p/{}", w.custom),
            format!("/submissions/{sid}"),
            format!("/files/{file}"),
        ];
        let before = submission_count(&app);
        let mut tried = 0;
        let mut refused = 0;
        for (who, c) in [("dnmember", &dm), ("dnadmin", &da)] {
            for path in &gets {
                let r = c.get(path).await;
                // One's own submission and its files stay readable, read-only: reading
                // one's history is not using the app.
                let own = who == "dnmember"
                    && (path.starts_with("/submissions/") || path.starts_with("/files/"));
                if own {
                    assert_eq!(r.status, StatusCode::OK, "{who} GET {path}");
                    r.assert_lacks("/tasks/");
                    continue;
                }
                tried += 1;
                if r.status == StatusCode::FORBIDDEN {
                    refused += 1;
                }
                assert_no_seat_page(&r, &format!("{who} GET {path}"));
            }
            let r = submit(c, &w, "无名额提交").await;
            tried += 1;
            if r.status == StatusCode::FORBIDDEN {
                refused += 1;
            }
            assert_no_seat_page(&r, &format!("{who} POST {}", w.form.url()));
            let r = c
                .post(
                    &format!("/submissions/{sid}/tasks/{task}"),
                    &[("action", "approve")],
                )
                .await;
            tried += 1;
            if r.status == StatusCode::FORBIDDEN {
                refused += 1;
            }
            assert_no_seat_page(&r, &format!("{who} POST task"));
        }
        figure(
            &format!(
                "seats refused without a grant: routes of a published app × downstream people ({})",
                app.backend
            ),
            format!(
                "{refused} of {tried} ({} routes × 2, goal all)",
                gets.len() + 2
            ),
        );
        assert_eq!(refused, tried);
        // Nothing was written: no submission, the task still waits.
        assert_eq!(submission_count(&app), before);
        assert_eq!(pending_task(&app, sid), (task, w.down_admin));
        // The page reads in English too.
        dm.set_cookie("lang", "en");
        let r = dm.get(&format!("/a/{}", w.form.app_id)).await;
        r.assert_status(StatusCode::FORBIDDEN)
            .assert_contains("You hold no seat for “采购管理”")
            .assert_contains("<li>upadmin</li>");
        // Someone outside the linked department still gets the plain 404 (the app does
        // not reach them at all).
        let outside = app.signed_in("dnoutside").await;
        outside
            .get(&format!("/a/{}", w.form.app_id))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn a_member_with_a_seat_opens_submits_and_sees_their_data_and_upstream_people_need_none() {
    each_backend(async |app| {
        let w = world(&app);
        publish(&app, &w).await;
        grant(&app, &w, &[w.down_member]).await;
        let dm = app.signed_in("dnmember").await;
        dm.get(&format!("/a/{}", w.form.app_id))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("采购申请");
        let r = submit(&dm, &w, "有名额订货").await;
        r.assert_redirect("/submissions/");
        let sid = submission_id(r.location());
        dm.get(&format!("/submissions/{sid}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("有名额订货");
        dm.get(&format!("/f/{}/data", w.form.page.id))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("有名额订货");
        dm.get(&format!("/r/{}", w.report))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("求和 · 数量");
        dm.get(&format!("/p/{}", w.custom))
            .await
            .assert_contains("每周一截单");
        // The approver's hand-over list offers only downstream people holding a seat, and
        // never the submitter.
        let up = app.signed_in("upadmin").await;
        let page = up.get(&format!("/submissions/{sid}")).await;
        let offers = |body: &str, who: i64| body.contains(&format!("<option value=\"{who}\""));
        assert!(!offers(&page.body, w.down_member), "the submitter");
        assert!(!offers(&page.body, w.down_admin), "no seat");
        grant(&app, &w, &[w.down_admin]).await;
        let page = up.get(&format!("/submissions/{sid}")).await;
        assert!(offers(&page.body, w.down_admin), "a seat now");
        release(&app, &w, &[w.down_admin]).await;
        let (task, _) = pending_task(&app, sid);
        up.post(
            &format!("/submissions/{sid}/tasks/{task}"),
            &[
                ("action", "hand_over"),
                ("target", &w.down_admin.to_string()),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        // The upstream organisation's own people use the app as main-organisation use.
        app.signed_in("upclerk")
            .await
            .get(&w.form.url())
            .await
            .assert_status(StatusCode::OK);
        let _ = (w.up_admin, w.sales);
    })
    .await;
}

#[tokio::test]
async fn the_workbench_shows_the_seat_state_of_each_published_app() {
    each_backend(async |app| {
        let w = world(&app);
        publish(&app, &w).await;
        let dm = app.signed_in("dnmember").await;
        dm.get("/workbench")
            .await
            .assert_contains("采购管理")
            .assert_contains("无名额，请联系管理员 upadmin、upsub")
            .assert_lacks("有名额<");
        dm.set_cookie("lang", "en");
        dm.get("/workbench")
            .await
            .assert_contains("No seat: ask an administrator, upadmin, upsub");
        grant(&app, &w, &[w.down_member]).await;
        dm.get("/workbench")
            .await
            .assert_contains("Seat granted")
            .assert_lacks("No seat");
        dm.set_cookie("lang", "zh-CN");
        dm.get("/workbench")
            .await
            .assert_contains("有名额")
            .assert_lacks("无名额");
    })
    .await;
}

#[tokio::test]
async fn a_seat_released_by_hand_is_not_granted_back_by_the_next_directory_change() {
    each_backend(async |app| {
        let w = world(&app);
        publish(&app, &w).await;
        let east = app.department(w.down, Some(w.sales), "华东区");
        let up = app.signed_in("upadmin").await;
        let org_page = format!("/interconnect/licences/orgs/{}", w.down);
        up.post(
            &format!("{org_page}/auto"),
            &[("department_id", &w.sales.to_string())],
        )
        .await
        .assert_redirect(&org_page);
        // Automatic grants by department: everyone linked in 销售部 holds a seat.
        assert!(seat_of(&app, &w, w.down_member).is_some(), "auto-granted");
        assert!(seat_of(&app, &w, w.down_admin).is_some(), "auto-granted");
        // The admin releases the member's seat by hand.
        release(&app, &w, &[w.down_member]).await;
        assert!(seat_of(&app, &w, w.down_member).is_none());
        // Directory changes: the member moves to a sub-department of 销售部, a newcomer
        // joins 销售部. The newcomer gets a seat automatically; the member does not.
        let da = app.signed_in("dnadmin").await;
        let ms: i64 = memberships::table
            .filter(memberships::org_id.eq(w.down))
            .filter(memberships::user_id.eq(w.down_member))
            .select(memberships::id)
            .first(&mut *app.conn())
            .expect("membership");
        da.post(
            &format!("/org/members/{ms}/department"),
            &[("department_id", &east.to_string())],
        )
        .await
        .assert_redirect("/org/members/");
        let newcomer = app.person(w.down, "dnnew", Role::Member);
        let new_ms: i64 = memberships::table
            .filter(memberships::org_id.eq(w.down))
            .filter(memberships::user_id.eq(newcomer))
            .select(memberships::id)
            .first(&mut *app.conn())
            .expect("membership");
        da.post(
            &format!("/org/members/{new_ms}/department"),
            &[("department_id", &w.sales.to_string())],
        )
        .await
        .assert_redirect("/org/members/");
        assert!(
            seat_of(&app, &w, newcomer).is_some(),
            "automatic grants by department still grant"
        );
        assert!(
            seat_of(&app, &w, w.down_member).is_none(),
            "a seat released by hand came back with a directory change"
        );
        // The pool's page says why the member is skipped.
        up.get(&org_page)
            .await
            .assert_contains("已手动释放，不会自动授予");
        // Saving the automatic departments again does not hand it back either.
        up.post(
            &format!("{org_page}/auto"),
            &[("department_id", &w.sales.to_string())],
        )
        .await
        .assert_redirect(&org_page);
        assert!(seat_of(&app, &w, w.down_member).is_none());
        let dm = app.signed_in("dnmember").await;
        dm.get(&w.form.url())
            .await
            .assert_status(StatusCode::FORBIDDEN);
        app.signed_in("dnnew")
            .await
            .get(&w.form.url())
            .await
            .assert_status(StatusCode::OK);
        // A grant by hand gives the seat back and forgets the release.
        grant(&app, &w, &[w.down_member]).await;
        dm.get(&w.form.url()).await.assert_status(StatusCode::OK);
        up.get(&org_page)
            .await
            .assert_lacks("已手动释放，不会自动授予");
    })
    .await;
}
