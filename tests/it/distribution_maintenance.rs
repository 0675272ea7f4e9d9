//! Remote maintenance (远程维护) done better than Yida's switch: time-bound grants the
//! customer approves, the developer acting as app admin of one app only while the grant is
//! live, and the hash-chained audit trail both sides see and export.

use axum::http::{StatusCode, header};
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{apps, audit_records, maintenance_grants, memberships, notifications};
use fenfa::distribution::audit::Verification;
use fenfa::distribution::audit::store::{NewRecord, append, verify_chain};

use crate::support::distribution::{
    MaintenanceDeal, app_name, events_since, live_grant, maintenance_deal, new_app, rename,
};
use crate::support::{Client, TestApp, each_backend};

async fn ask(
    c: &Client,
    copy: i64,
    reason: &str,
    amount: &str,
    unit: &str,
) -> crate::support::Resp {
    c.post(
        "/maintenance/request",
        &[
            ("app", &copy.to_string()),
            ("reason", reason),
            ("amount", amount),
            ("unit", unit),
        ],
    )
    .await
}

fn latest_grant(app: &TestApp) -> (i64, String, i64, Option<i64>) {
    maintenance_grants::table
        .order(maintenance_grants::id.desc())
        .select((
            maintenance_grants::id,
            maintenance_grants::status,
            maintenance_grants::duration_secs,
            maintenance_grants::expires_at,
        ))
        .first(&mut *app.conn())
        .expect("grant")
}

fn notified(app: &TestApp, user: i64, title: &str) -> i64 {
    notifications::table
        .filter(notifications::user_id.eq(user))
        .filter(notifications::title.eq(title))
        .count()
        .get_result(&mut *app.conn())
        .expect("count")
}

fn audit_actions(app: &TestApp, customer: i64) -> Vec<String> {
    audit_records::table
        .filter(audit_records::customer_org_id.eq(customer))
        .order(audit_records::id.asc())
        .select(audit_records::action)
        .load(&mut *app.conn())
        .expect("audit")
}

#[tokio::test]
async fn a_grant_needs_a_reason_and_a_duration_between_one_hour_and_thirty_days() {
    each_backend(async |app| {
        let d = maintenance_deal(&app).await;
        let dev = app.signed_in("dev").await;
        dev.get(&format!("/maintenance/request?app={}", d.copy))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("申请远程维护")
            .assert_contains("客户公司");
        ask(&dev, d.copy, "  ", "1", "days")
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("请填写维护原因");
        ask(&dev, d.copy, &"长".repeat(201), "1", "days")
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("不能超过 200 个字符");
        for (amount, unit) in [
            ("31", "days"),
            ("0", "hours"),
            ("721", "hours"),
            ("x", "days"),
        ] {
            ask(&dev, d.copy, "修复报表", amount, unit)
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains("授权时长须在 1 小时至 30 天之间")
                .assert_contains("修复报表");
        }
        let none: i64 = maintenance_grants::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(none, 0);
        ask(&dev, d.copy, "修复报表", "30", "days")
            .await
            .assert_redirect("/maintenance");
        let (_, status, secs, expires) = latest_grant(&app);
        assert_eq!(
            (status.as_str(), secs, expires),
            ("requested", 30 * 86_400, None)
        );
        ask(&dev, d.copy, "修复报表", "1", "hours")
            .await
            .assert_redirect("/maintenance");
        assert_eq!(latest_grant(&app).2, 3600);
    })
    .await;
}

#[tokio::test]
async fn the_customer_admin_approves_a_grant_and_the_developer_edits_the_app() {
    each_backend(async |app| {
        let d = maintenance_deal(&app).await;
        let dev = app.signed_in("dev").await;
        ask(&dev, d.copy, "修复采购报表", "2", "hours")
            .await
            .assert_redirect("/maintenance");
        let (g, status, ..) = latest_grant(&app);
        assert_eq!(status, "requested");
        let cadmin_id: i64 = memberships::table
            .filter(memberships::org_id.eq(d.customer))
            .select(memberships::user_id)
            .first(&mut *app.conn())
            .expect("cadmin");
        assert_eq!(
            notified(&app, cadmin_id, "distribution.maintenance.notify.requested"),
            1
        );
        let admin = app.signed_in("cadmin").await;
        admin
            .get("/maintenance")
            .await
            .assert_contains("修复采购报表")
            .assert_contains("待审批")
            .assert_contains(&format!("/maintenance/grants/{g}/approve"));
        admin
            .get("/notifications")
            .await
            .assert_contains("服务商申请远程维护");
        // Not yet approved: the developer cannot enter.
        dev.post(&format!("/maintenance/grants/{g}/enter"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        let before = fenfa::db::now();
        admin
            .post(&format!("/maintenance/grants/{g}/approve"), &[])
            .await
            .assert_redirect("/maintenance");
        let (_, status, _, expires) = latest_grant(&app);
        assert_eq!(status, "active");
        let expires = expires.expect("expiry");
        assert!(expires >= before + 7200 && expires <= fenfa::db::now() + 7200);
        // Exactly once.
        admin
            .post(&format!("/maintenance/grants/{g}/approve"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        assert_eq!(
            notified(&app, d.dev, "distribution.maintenance.notify.approved"),
            1
        );
        assert_eq!(
            events_since(&app, None, d.last_event),
            ["grant_requested", "grant_approved"]
        );

        dev.get("/maintenance")
            .await
            .assert_contains("生效中")
            .assert_contains(&format!("/maintenance/grants/{g}/enter"));
        dev.post(&format!("/maintenance/grants/{g}/enter"), &[])
            .await
            .assert_redirect(&format!("/apps/{}", d.copy));
        dev.get(&format!("/apps/{}", d.copy))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("你正以应用管理员身份在「客户公司」维护应用「采购管理」")
            .assert_contains(&format!("授权 #{g}"))
            .assert_contains("/maintenance/leave");
        rename(&dev, d.copy, "采购管理二")
            .await
            .assert_redirect(&format!("/apps/{}", d.copy));
        assert_eq!(app_name(&app, d.copy), "采购管理二");
        // The banner is on every page, in the reader's language.
        dev.get("/maintenance")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(&format!("授权 #{g}"));
        dev.set_cookie("lang", "en");
        dev.get("/workbench").await.assert_contains(&format!(
            "You are acting as app admin in 客户公司 for 采购管理二 under grant #{g}"
        ));
        dev.set_cookie("lang", "zh-CN");
        // Leaving returns the developer to the provider organisation.
        dev.post("/maintenance/leave", &[])
            .await
            .assert_redirect("/maintenance");
        dev.get(&format!("/apps/{}", d.copy))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        rename(&dev, d.copy, "采购管理三")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        assert_eq!(app_name(&app, d.copy), "采购管理二");
    })
    .await;
}

#[tokio::test]
async fn auto_approval_reproduces_yidas_switch() {
    each_backend(async |app| {
        let d = maintenance_deal(&app).await;
        diesel::update(apps::table.find(d.copy))
            .set(apps::auto_approve_grants.eq(true))
            .execute(&mut *app.conn())
            .expect("auto");
        let dev = app.signed_in("dev").await;
        dev.get(&format!("/maintenance/request?app={}", d.copy))
            .await
            .assert_contains("自动批准");
        ask(&dev, d.copy, "上线前调整", "3", "hours")
            .await
            .assert_redirect("/maintenance");
        let (g, status, _, expires) = latest_grant(&app);
        assert_eq!(status, "active");
        assert!(expires.is_some());
        assert_eq!(
            events_since(&app, None, d.last_event),
            ["grant_requested", "grant_approved"]
        );
        let cadmin: i64 = memberships::table
            .filter(memberships::org_id.eq(d.customer))
            .select(memberships::user_id)
            .first(&mut *app.conn())
            .expect("cadmin");
        assert_eq!(
            notified(
                &app,
                cadmin,
                "distribution.maintenance.notify.auto_approved"
            ),
            1
        );
        dev.post(&format!("/maintenance/grants/{g}/enter"), &[])
            .await
            .assert_redirect(&format!("/apps/{}", d.copy));
        rename(&dev, d.copy, "自动批准后修改")
            .await
            .assert_redirect(&format!("/apps/{}", d.copy));
        assert_eq!(app_name(&app, d.copy), "自动批准后修改");
    })
    .await;
}

#[tokio::test]
async fn no_remote_maintenance_without_a_live_grant() {
    each_backend(async |app| {
        let d = maintenance_deal(&app).await;
        let dev = app.signed_in("dev").await;
        // No grant at all: the customer's app does not exist for the developer.
        dev.get(&format!("/apps/{}", d.copy))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        rename(&dev, d.copy, "偷改")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // A requested grant, then a declined one, cannot be entered.
        ask(&dev, d.copy, "修复", "1", "days").await;
        let (g, ..) = latest_grant(&app);
        dev.post(&format!("/maintenance/grants/{g}/enter"), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("远程维护已关闭/授权已结束");
        let admin = app.signed_in("cadmin").await;
        admin
            .post(&format!("/maintenance/grants/{g}/decline"), &[])
            .await
            .assert_redirect("/maintenance");
        assert_eq!(latest_grant(&app).1, "declined");
        assert_eq!(
            notified(&app, d.dev, "distribution.maintenance.notify.declined"),
            1
        );
        dev.post(&format!("/maintenance/grants/{g}/enter"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        rename(&dev, d.copy, "偷改")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        assert_eq!(app_name(&app, d.copy), "采购管理");
        // Maintenance closed by the customer: no request at all, with a clear message.
        diesel::update(apps::table.find(d.copy))
            .set(apps::maintenance_open.eq(false))
            .execute(&mut *app.conn())
            .expect("close");
        dev.get(&format!("/maintenance/request?app={}", d.copy))
            .await
            .assert_contains("客户已关闭开发维护");
        ask(&dev, d.copy, "修复", "1", "days")
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("客户已关闭开发维护");
        // An app no longer under maintenance (enabled) refuses requests too.
        diesel::update(apps::table.find(d.copy))
            .set((apps::maintenance_open.eq(true), apps::state.eq("enabled")))
            .execute(&mut *app.conn())
            .expect("enable");
        ask(&dev, d.copy, "修复", "1", "days")
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("不在开发维护中");
        let n: i64 = maintenance_grants::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 1);
    })
    .await;
}

#[tokio::test]
async fn an_expired_grant_locks_the_developer_out() {
    each_backend(async |app| {
        let d = maintenance_deal(&app).await;
        let (dev, g) = live_grant(&app, &d).await;
        dev.get(&format!("/apps/{}", d.copy))
            .await
            .assert_status(StatusCode::OK);
        diesel::update(maintenance_grants::table.find(g))
            .set(maintenance_grants::expires_at.eq(fenfa::db::now() - 1))
            .execute(&mut *app.conn())
            .expect("expire");
        dev.get(&format!("/apps/{}", d.copy))
            .await
            .assert_status(StatusCode::NOT_FOUND)
            .assert_lacks("你正以应用管理员身份");
        rename(&dev, d.copy, "过期后修改")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        assert_eq!(app_name(&app, d.copy), "采购管理");
        dev.post(&format!("/maintenance/grants/{g}/enter"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        app.signed_in("cadmin")
            .await
            .get("/maintenance")
            .await
            .assert_contains("已过期");
    })
    .await;
}

#[tokio::test]
async fn closing_maintenance_locks_the_developer_out_even_mid_session() {
    each_backend(async |app| {
        let d = maintenance_deal(&app).await;
        let (dev, _) = live_grant(&app, &d).await;
        rename(&dev, d.copy, "维护中修改")
            .await
            .assert_redirect(&format!("/apps/{}", d.copy));
        // The customer closes maintenance (关闭开发维护) while the developer is inside.
        diesel::update(apps::table.find(d.copy))
            .set(apps::maintenance_open.eq(false))
            .execute(&mut *app.conn())
            .expect("close");
        let r = rename(&dev, d.copy, "关闭后修改").await;
        assert!(
            r.status == StatusCode::NOT_FOUND || r.status == StatusCode::FORBIDDEN,
            "refused, got {}",
            r.status
        );
        let r = dev
            .post(
                &format!("/apps/{}/pages", d.copy),
                &[("kind", "form"), ("name", "新页面")],
            )
            .await;
        assert!(r.status.is_client_error(), "refused, got {}", r.status);
        assert_eq!(app_name(&app, d.copy), "维护中修改");
        // A request already in flight cannot be approved once maintenance is closed.
        diesel::update(apps::table.find(d.copy))
            .set(apps::maintenance_open.eq(true))
            .execute(&mut *app.conn())
            .expect("open");
        let dev2 = app.signed_in("dev").await;
        ask(&dev2, d.copy, "再次修复", "1", "hours")
            .await
            .assert_redirect("/maintenance");
        let (g2, ..) = latest_grant(&app);
        diesel::update(apps::table.find(d.copy))
            .set(apps::maintenance_open.eq(false))
            .execute(&mut *app.conn())
            .expect("close");
        app.signed_in("cadmin")
            .await
            .post(&format!("/maintenance/grants/{g2}/approve"), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("客户已关闭开发维护");
        assert_eq!(latest_grant(&app).1, "requested");
        // The close action ends what is open, each step on the timeline and in the trail.
        let cadmin: i64 = memberships::table
            .filter(memberships::org_id.eq(d.customer))
            .select(memberships::user_id)
            .first(&mut *app.conn())
            .expect("cadmin");
        let scope = fenfa::auth::OrgScope::system(d.customer, cadmin, Role::PlatformAdmin);
        let closed =
            fenfa::distribution::grants::store::close_all_on_app(&mut app.conn(), &scope, d.copy)
                .expect("close all");
        assert_eq!(closed, 2);
        let statuses: Vec<String> = maintenance_grants::table
            .order(maintenance_grants::id.asc())
            .select(maintenance_grants::status)
            .load(&mut *app.conn())
            .expect("statuses");
        assert_eq!(statuses, ["ended", "declined"]);
        assert!(
            audit_actions(&app, d.customer)
                .ends_with(&["grant.end".to_string(), "grant.decline".to_string()])
        );
    })
    .await;
}

#[tokio::test]
async fn the_customer_ends_a_grant_at_once() {
    each_backend(async |app| {
        let d = maintenance_deal(&app).await;
        let (dev, g) = live_grant(&app, &d).await;
        let admin = app.signed_in("cadmin").await;
        admin
            .get("/maintenance")
            .await
            .assert_contains(&format!("/maintenance/grants/{g}/end"))
            .assert_contains("剩余");
        admin
            .post(&format!("/maintenance/grants/{g}/end"), &[])
            .await
            .assert_redirect("/maintenance");
        assert_eq!(latest_grant(&app).1, "ended");
        admin
            .post(&format!("/maintenance/grants/{g}/end"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        rename(&dev, d.copy, "结束后修改")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        assert_eq!(app_name(&app, d.copy), "采购管理");
        assert_eq!(
            notified(&app, d.dev, "distribution.maintenance.notify.ended"),
            1
        );
        assert_eq!(
            events_since(&app, None, d.last_event),
            ["grant_requested", "grant_approved", "grant_ended"]
        );
        admin.get("/maintenance").await.assert_contains("已结束");
    })
    .await;
}

#[tokio::test]
async fn every_provider_action_inside_a_customer_org_is_audited() {
    each_backend(async |app| {
        let d = maintenance_deal(&app).await;
        let (dev, g) = live_grant(&app, &d).await;
        rename(&dev, d.copy, "审计测试")
            .await
            .assert_redirect(&format!("/apps/{}", d.copy));
        dev.post(
            &format!("/apps/{}/pages", d.copy),
            &[("kind", "form"), ("name", "新页面")],
        )
        .await
        .assert_redirect(&format!("/apps/{}/pages/", d.copy));
        // A refused form (422) changed nothing and is not recorded.
        rename(&dev, d.copy, "")
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        dev.post_ok("/maintenance/leave", &[]).await;
        let copy = d.copy;
        assert_eq!(
            audit_actions(&app, d.customer),
            [
                "grant.request".to_string(),
                "grant.approve".to_string(),
                "grant.enter".to_string(),
                format!("POST /apps/{copy}/edit"),
                format!("POST /apps/{copy}/pages"),
                "grant.leave".to_string(),
            ]
        );
        let (detail, provider, grant, actor): (String, i64, Option<i64>, i64) =
            audit_records::table
                .filter(audit_records::action.eq(format!("POST /apps/{copy}/edit")))
                .select((
                    audit_records::detail,
                    audit_records::provider_org_id,
                    audit_records::grant_id,
                    audit_records::actor_id,
                ))
                .first(&mut *app.conn())
                .expect("record");
        assert_eq!(
            detail,
            format!(
                "developer dev of provider 服务商 acting as app admin in org 客户公司 under grant #{g}: POST /apps/{copy}/edit"
            )
        );
        assert_eq!((provider, grant, actor), (d.provider, Some(g), d.dev));
        for login in ["cadmin", "padmin"] {
            app.signed_in(login)
                .await
                .get("/maintenance/audit")
                .await
                .assert_status(StatusCode::OK)
                .assert_contains("校验通过（6 条记录）")
                .assert_contains(&format!("POST /apps/{copy}/pages"))
                .assert_contains("acting as app admin in org 客户公司");
        }
        // Developers do not read the trail; admins do.
        dev.get("/maintenance/audit")
            .await
            .assert_status(StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn the_audit_chain_shows_tampering() {
    each_backend(async |app| {
        let d = maintenance_deal(&app).await;
        let (dev, _) = live_grant(&app, &d).await;
        rename(&dev, d.copy, "篡改测试").await;
        assert_eq!(
            verify_chain(&mut app.conn(), d.customer).expect("verify"),
            Verification::Intact { records: 4 }
        );
        let victim: i64 = audit_records::table
            .filter(audit_records::action.eq("grant.enter"))
            .select(audit_records::id)
            .first(&mut *app.conn())
            .expect("record");
        diesel::update(audit_records::table.find(victim))
            .set(audit_records::detail.eq("nothing happened"))
            .execute(&mut *app.conn())
            .expect("tamper");
        assert_eq!(
            verify_chain(&mut app.conn(), d.customer).expect("verify"),
            Verification::Broken { record_id: victim }
        );
        app.signed_in("cadmin")
            .await
            .get("/maintenance/audit")
            .await
            .assert_contains(&format!("校验失败：记录 #{victim} 被篡改或链条断裂"));
        // Deleting a record breaks the link of the next one.
        diesel::update(audit_records::table.find(victim))
            .set(audit_records::detail.eq(""))
            .execute(&mut *app.conn())
            .expect("noop");
        let first: i64 = audit_records::table
            .order(audit_records::id.asc())
            .select(audit_records::id)
            .first(&mut *app.conn())
            .expect("first");
        diesel::delete(audit_records::table.find(first))
            .execute(&mut *app.conn())
            .expect("delete");
        assert!(matches!(
            verify_chain(&mut app.conn(), d.customer).expect("verify"),
            Verification::Broken { .. }
        ));
    })
    .await;
}

#[tokio::test]
async fn the_audit_trail_exports_as_csv_for_both_sides() {
    each_backend(async |app| {
        let d = maintenance_deal(&app).await;
        let (dev, _) = live_grant(&app, &d).await;
        rename(&dev, d.copy, "导出测试").await;
        for login in ["cadmin", "padmin"] {
            let r = app
                .signed_in(login)
                .await
                .get("/maintenance/audit.csv")
                .await;
            r.assert_status(StatusCode::OK);
            assert!(
                r.headers[header::CONTENT_TYPE]
                    .to_str()
                    .expect("ctype")
                    .starts_with("text/csv")
            );
            assert!(r.body.starts_with('\u{feff}'), "UTF-8 BOM");
            r.assert_contains(
                "id,time,customer_org,provider_org,app,grant,actor,action,detail,hash",
            )
            .assert_contains(&format!("POST /apps/{}/edit", d.copy))
            .assert_contains("客户公司");
            assert_eq!(r.body.lines().count(), 5, "{}", r.body);
        }
        // Another organisation's admin sees none of it.
        let other = app.org("别家", "dingother", "professional");
        app.person(other, "oadmin", Role::MainAdmin);
        let r = app
            .signed_in("oadmin")
            .await
            .get("/maintenance/audit.csv")
            .await;
        r.assert_status(StatusCode::OK);
        assert_eq!(r.body.lines().count(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_grant_covers_only_its_own_app() {
    each_backend(async |app| {
        let d = maintenance_deal(&app).await;
        let cadmin: i64 = memberships::table
            .filter(memberships::org_id.eq(d.customer))
            .select(memberships::user_id)
            .first(&mut *app.conn())
            .expect("cadmin");
        let own = new_app(&app, d.customer, cadmin, "客户自建应用", false);
        let (dev, _) = live_grant(&app, &d).await;
        dev.get(&format!("/apps/{own}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        rename(&dev, own, "越权修改")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        assert_eq!(app_name(&app, own), "客户自建应用");
        dev.get("/workbench")
            .await
            .assert_contains("采购管理")
            .assert_lacks("客户自建应用");
        // No app building beyond the grant: no new apps, no member administration.
        dev.post(
            "/apps/new",
            &[
                ("name", "新应用"),
                ("icon", "clipboard-list"),
                ("color", "blue"),
                ("description", ""),
            ],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
        dev.get("/org/members")
            .await
            .assert_status(StatusCode::FORBIDDEN);
        dev.get("/maintenance/audit")
            .await
            .assert_status(StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn a_copy_without_full_edit_rights_cannot_be_edited_by_the_customer() {
    each_backend(async |app| {
        let d = maintenance_deal(&app).await;
        let admin = app.signed_in("cadmin").await;
        rename(&admin, d.copy, "客户修改")
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("服务商未开放该应用的全部编辑权限");
        assert_eq!(app_name(&app, d.copy), "采购管理");
        diesel::update(apps::table.find(d.copy))
            .set(apps::full_edit.eq(true))
            .execute(&mut *app.conn())
            .expect("full edit");
        rename(&admin, d.copy, "客户修改")
            .await
            .assert_redirect(&format!("/apps/{}", d.copy));
        assert_eq!(app_name(&app, d.copy), "客户修改");
    })
    .await;
}

#[tokio::test]
async fn another_orgs_grant_is_not_found() {
    each_backend(async |app| {
        let d = maintenance_deal(&app).await;
        let dev = app.signed_in("dev").await;
        ask(&dev, d.copy, "修复", "1", "days").await;
        let (g, ..) = latest_grant(&app);
        // Another customer's admin cannot decide it.
        let other = app.org("别家", "dingother", "professional");
        app.person(other, "oadmin", Role::MainAdmin);
        let odev = app.person(other, "odev", Role::Member);
        diesel::update(memberships::table.filter(memberships::user_id.eq(odev)))
            .set(memberships::can_build_apps.eq(true))
            .execute(&mut *app.conn())
            .expect("builder");
        let oadmin = app.signed_in("oadmin").await;
        for action in ["approve", "decline", "end"] {
            oadmin
                .post(&format!("/maintenance/grants/{g}/{action}"), &[])
                .await
                .assert_status(StatusCode::NOT_FOUND);
        }
        oadmin.get("/maintenance").await.assert_lacks("修复");
        // The provider's own admin is not the customer: not found either.
        app.signed_in("padmin")
            .await
            .post(&format!("/maintenance/grants/{g}/approve"), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // Another developer cannot enter it nor request on a copy they did not deliver.
        let odev = app.signed_in("odev").await;
        app.signed_in("cadmin")
            .await
            .post(&format!("/maintenance/grants/{g}/approve"), &[])
            .await
            .assert_redirect("/maintenance");
        odev.post(&format!("/maintenance/grants/{g}/enter"), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        odev.get(&format!("/maintenance/request?app={}", d.copy))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        ask(&odev, d.copy, "修复", "1", "days")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        assert_eq!(latest_grant(&app).0, g);
    })
    .await;
}

#[tokio::test]
async fn a_32_way_concurrent_append_keeps_one_unbroken_chain() {
    each_backend(async |app| {
        let d = maintenance_deal(&app).await;
        let mut tasks = vec![];
        for i in 0..32 {
            let db = app.state.db.clone();
            let r = NewRecord {
                customer_org_id: d.customer,
                provider_org_id: d.provider,
                app_id: d.copy,
                grant_id: None,
                actor_id: d.dev,
                action: format!("POST /apps/{}/edit", d.copy),
                detail: format!("concurrent {i}"),
            };
            tasks.push(tokio::spawn(async move {
                db.run(move |conn| append(conn, &r)).await
            }));
        }
        for t in tasks {
            t.await.expect("join").expect("append");
        }
        assert_eq!(
            verify_chain(&mut app.conn(), d.customer).expect("verify"),
            Verification::Intact { records: 32 }
        );
        let prevs: Vec<String> = audit_records::table
            .select(audit_records::prev_hash)
            .load(&mut *app.conn())
            .expect("prevs");
        let distinct: std::collections::BTreeSet<_> = prevs.iter().collect();
        assert_eq!(distinct.len(), 32);
    })
    .await;
}

/// The delegation the developer acts under, as `auth` resolves it for a request.
fn resolved_delegation(
    app: &TestApp,
    d: &MaintenanceDeal,
    grant: i64,
) -> Option<fenfa::auth::Delegation> {
    let mut conn = app.conn();
    let memberships = fenfa::auth::store::memberships_of(&mut conn, d.dev).expect("memberships");
    app.state
        .delegations
        .resolve(&mut conn, "maintenance", grant, d.dev, &memberships)
        .expect("resolve")
        .and_then(|m| m.grant)
}

/// Runs one write transaction as an action of the developer under the grant: the write
/// renames the copy, then either commits or fails.
async fn act_under_grant(
    app: &TestApp,
    delegation: &fenfa::auth::Delegation,
    d: &MaintenanceDeal,
    action: &str,
    name: &'static str,
    fail: bool,
) -> fenfa::error::AppResult<()> {
    let hook = app
        .state
        .delegations
        .action_hook(d.dev, "dev", delegation, action.to_string())
        .expect("a hook for a registered delegation");
    let copy = d.copy;
    fenfa::db::with_tx_hook(
        hook,
        app.state.db.write(move |conn| {
            diesel::update(apps::table.find(copy))
                .set(apps::name.eq(name))
                .execute(conn)?;
            if fail {
                return Err(fenfa::error::AppError::Conflict("error.internal"));
            }
            Ok(())
        }),
    )
    .await
}

#[tokio::test]
async fn an_action_under_a_grant_commits_together_with_its_audit_record_or_not_at_all() {
    each_backend(async |app| {
        let d = maintenance_deal(&app).await;
        let (_dev, g) = live_grant(&app, &d).await;
        let delegation = resolved_delegation(&app, &d, g).expect("a live grant resolves");
        let before = audit_actions(&app, d.customer);

        // Aborted: neither the change nor an audit record.
        let aborted = act_under_grant(&app, &delegation, &d, "POST /aborted", "半途", true).await;
        assert!(aborted.is_err());
        assert_eq!(app_name(&app, d.copy), "采购管理");
        assert_eq!(audit_actions(&app, d.customer), before);

        // Committed: the change and its record, together.
        act_under_grant(&app, &delegation, &d, "POST /committed", "已改", false)
            .await
            .expect("a live grant lets the action through");
        assert_eq!(app_name(&app, d.copy), "已改");
        let after = audit_actions(&app, d.customer);
        assert_eq!(after.len(), before.len() + 1);
        assert_eq!(after.last().map(String::as_str), Some("POST /committed"));

        // Ended meanwhile: the action's own transaction sees it and refuses, unrecorded.
        app.signed_in("cadmin")
            .await
            .post(&format!("/maintenance/grants/{g}/end"), &[])
            .await
            .assert_redirect("/maintenance");
        let ended = audit_actions(&app, d.customer);
        let refused = act_under_grant(&app, &delegation, &d, "POST /late", "太迟", false).await;
        assert!(
            matches!(refused, Err(fenfa::error::AppError::Forbidden(_))),
            "{refused:?}"
        );
        assert_eq!(app_name(&app, d.copy), "已改");
        assert_eq!(audit_actions(&app, d.customer), ended);
        assert!(resolved_delegation(&app, &d, g).is_none());
    })
    .await;
}
