//! Sending an app (发送应用) from the order detail: the agreement, the all-or-nothing copy
//! into the customer organisation, options, reconfiguration, retry, exactly-once, the
//! entitlement check, single page sends and tenancy.
//!
//! Orders are set up directly in the database (the purchase flow is tested on its own).

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::db::now;
use fenfa::db::schema::{
    app_admins, approval_steps, apps, automations, components, connectors, fields, order_apps,
    orgs, pages, part_sends, project_events, submissions,
};

use crate::support::distribution::{copy_of, deal, demo_login, events_since, notified, send, sent};
use crate::support::{TestApp, each_backend};

fn status_of(app: &TestApp, oa: i64) -> (String, String) {
    order_apps::table
        .find(oa)
        .select((order_apps::send_status, order_apps::failure_reason))
        .first(&mut *app.conn())
        .expect("order app")
}

fn count_apps(app: &TestApp, org: i64) -> i64 {
    apps::table
        .filter(apps::org_id.eq(org))
        .count()
        .get_result(&mut *app.conn())
        .expect("count")
}

fn count_pages(app: &TestApp, org: i64) -> i64 {
    pages::table
        .filter(pages::org_id.eq(org))
        .count()
        .get_result(&mut *app.conn())
        .expect("count")
}

fn page_named(app: &TestApp, app_id: i64, name: &str) -> i64 {
    pages::table
        .filter(pages::app_id.eq(app_id))
        .filter(pages::name.eq(name))
        .select(pages::id)
        .first(&mut *app.conn())
        .expect("page")
}

#[tokio::test]
async fn the_agreement_must_be_accepted_before_sending() {
    each_backend(async |app| {
        let d = deal(&app).await;
        let c = demo_login(&app, "provider.admin").await;
        let order_page = format!("/provider/orders/{}", d.order);
        // The dialog opens without JavaScript and links to the agreement.
        c.get(&format!("{order_page}?send={}", d.order_app))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("<dialog open")
            .assert_contains("name=\"agree\"")
            .assert_contains("href=\"/distribution/agreement\"");
        c.get("/distribution/agreement")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("《服务商分发协议》")
            .assert_contains("客户数据归属")
            .assert_contains("远程维护行为规范")
            .assert_contains("审计");
        let r = c
            .post(
                &format!("{order_page}/apps/{}/send", d.order_app),
                &[("with_sample", "on")],
            )
            .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("请阅读并勾选同意《服务商分发协议》后再发送")
            .assert_contains("id=\"e-agree\"")
            .assert_contains("<dialog open");
        assert_eq!(status_of(&app, d.order_app).0, "pending");
        assert_eq!(count_apps(&app, d.customer), 0);
        send(&c, d.order, d.order_app, &[])
            .await
            .assert_redirect(&order_page);
        assert_eq!(status_of(&app, d.order_app).0, "succeeded");
    })
    .await;
}

#[tokio::test]
async fn sending_copies_every_part_into_the_customer_org_under_maintenance() {
    each_backend(async |app| {
        let d = deal(&app).await;
        let copy = sent(&app, &d, &["with_sample", "with_connectors", "full_edit"]).await;
        let mut c = app.conn();
        let row: (i64, String, Option<i64>, Option<i64>, bool, bool, i64) = apps::table
            .find(copy)
            .select((
                apps::org_id,
                apps::state,
                apps::source_app_id,
                apps::provider_org_id,
                apps::maintenance_open,
                apps::full_edit,
                apps::created_by,
            ))
            .first(&mut *c)
            .expect("copy");
        assert_eq!(
            row,
            (
                d.customer,
                "maintenance".into(),
                Some(d.source),
                Some(d.provider),
                true,
                true,
                d.c_admin
            )
        );
        let admins: i64 = app_admins::table
            .filter(app_admins::app_id.eq(copy))
            .count()
            .get_result(&mut *c)
            .expect("admins");
        assert_eq!(admins, 1);
        // Pages and fields, same kinds and names, in the customer organisation.
        let kinds = |c: &mut fenfa::db::Conn, a: i64| -> Vec<(String, String)> {
            pages::table
                .filter(pages::app_id.eq(a))
                .order((pages::position.asc(), pages::id.asc()))
                .select((pages::kind, pages::name))
                .load(c)
                .expect("pages")
        };
        assert_eq!(kinds(&mut c, copy), kinds(&mut c, d.source));
        let field_count = |c: &mut fenfa::db::Conn, a: i64| -> i64 {
            fields::table
                .inner_join(pages::table)
                .filter(pages::app_id.eq(a))
                .count()
                .get_result(c)
                .expect("fields")
        };
        assert_eq!(field_count(&mut c, copy), field_count(&mut c, d.source));
        drop(c);
        assert_eq!(
            count_pages(&app, d.customer),
            4,
            "pages belong to the customer"
        );
        // Approval steps are not copied: the approvers are provider people.
        let steps: i64 = approval_steps::table
            .inner_join(pages::table)
            .filter(pages::app_id.eq(copy))
            .count()
            .get_result(&mut *app.conn())
            .expect("steps");
        assert_eq!(steps, 0);
        // The report points at the copies of its form and fields.
        let report = page_named(&app, copy, "按类别统计采购额");
        let form = page_named(&app, copy, "供应商登记");
        let (rf, rg, rv): (Option<i64>, Option<i64>, Option<i64>) = pages::table
            .find(report)
            .select((
                pages::report_form_id,
                pages::report_group_field_id,
                pages::report_value_field_id,
            ))
            .first(&mut *app.conn())
            .expect("report");
        assert_eq!(rf, Some(form));
        for f in [rg, rv] {
            let owner: i64 = fields::table
                .find(f.expect("field"))
                .select(fields::page_id)
                .first(&mut *app.conn())
                .expect("field");
            assert_eq!(owner, form);
        }
        // Custom components, connectors (chosen), templates, automations (off, no recipient).
        let mut c = app.conn();
        let n_comp: i64 = components::table
            .filter(components::app_id.eq(copy))
            .filter(components::org_id.eq(d.customer))
            .count()
            .get_result(&mut *c)
            .expect("components");
        assert_eq!(n_comp, 1);
        let n_conn: i64 = connectors::table
            .filter(connectors::app_id.eq(copy))
            .count()
            .get_result(&mut *c)
            .expect("connectors");
        assert_eq!(n_conn, 1);
        let autos: Vec<(i64, Option<i64>, bool)> = automations::table
            .filter(automations::app_id.eq(copy))
            .select((
                automations::form_id,
                automations::recipient_id,
                automations::enabled,
            ))
            .load(&mut *c)
            .expect("automations");
        assert_eq!(autos, vec![(form, None, false)]);
        let samples: i64 = submissions::table
            .filter(submissions::app_id.eq(copy))
            .filter(submissions::sample.eq(true))
            .count()
            .get_result(&mut *c)
            .expect("samples");
        assert_eq!(samples, 4);
        let (sent_by, with_sample): (Option<i64>, bool) = order_apps::table
            .find(d.order_app)
            .select((order_apps::sent_by, order_apps::with_sample))
            .first(&mut *c)
            .expect("order app");
        assert_eq!((sent_by, with_sample), (Some(d.p_admin), true));
        let sent_events: i64 = project_events::table
            .filter(project_events::project_id.eq(d.project))
            .filter(project_events::kind.eq("sent"))
            .count()
            .get_result(&mut *c)
            .expect("events");
        assert_eq!(sent_events, 1);
        drop(c);
        assert_eq!(notified(&app, d.c_admin, "distribution.notify.app_sent"), 1);
        // The provider sees the result; the customer sees the app under maintenance.
        let p = demo_login(&app, "provider.admin").await;
        p.get(&format!("/provider/orders/{}", d.order))
            .await
            .assert_contains("发送成功")
            .assert_contains(&format!("/maintenance/request?app={copy}"));
        let cu = demo_login(&app, "customer.admin").await;
        cu.get("/my-apps")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("采购管理")
            .assert_contains("待验收")
            .assert_contains("云帆软件服务商");
        cu.get("/notifications")
            .await
            .assert_contains("服务商已发送应用到本组织");
    })
    .await;
}

#[tokio::test]
async fn sample_data_and_connectors_are_sent_only_when_chosen() {
    each_backend(async |app| {
        let d = deal(&app).await;
        let bare = sent(&app, &d, &[]).await;
        let (order2, oa2) = d.another_order(&app).await;
        let c = demo_login(&app, "provider.admin").await;
        send(&c, order2, oa2, &["with_sample", "with_connectors"])
            .await
            .assert_redirect(&format!("/provider/orders/{order2}"));
        let full = copy_of(&app, oa2).expect("sent");
        let mut conn = app.conn();
        let count_samples = |c: &mut fenfa::db::Conn, a: i64| -> i64 {
            submissions::table
                .filter(submissions::app_id.eq(a))
                .count()
                .get_result(c)
                .expect("count")
        };
        let count_connectors = |c: &mut fenfa::db::Conn, a: i64| -> i64 {
            connectors::table
                .filter(connectors::app_id.eq(a))
                .count()
                .get_result(c)
                .expect("count")
        };
        assert_eq!(count_samples(&mut conn, bare), 0);
        assert_eq!(count_connectors(&mut conn, bare), 0);
        assert_eq!(count_samples(&mut conn, full), 4);
        assert_eq!(count_connectors(&mut conn, full), 1);
        // Samples are submitted by the purchaser, keyed by the copy's own fields.
        let rows: Vec<(i64, i64, String)> = submissions::table
            .filter(submissions::app_id.eq(full))
            .select((
                submissions::submitter_id,
                submissions::page_id,
                submissions::data,
            ))
            .load(&mut *conn)
            .expect("samples");
        let form_fields: Vec<i64> = fields::table
            .filter(fields::page_id.eq(rows[0].1))
            .select(fields::id)
            .load(&mut *conn)
            .expect("fields");
        for (submitter, _, data) in &rows {
            assert_eq!(*submitter, d.c_admin);
            let v: std::collections::BTreeMap<String, String> =
                serde_json::from_str(data).expect("json");
            assert!(!v.is_empty());
            for k in v.keys() {
                assert!(form_fields.contains(&k.parse().expect("id")), "{k}");
            }
        }
        let reconf = |c: &mut fenfa::db::Conn, a: i64| -> String {
            apps::table
                .find(a)
                .select(apps::reconfigure)
                .first(c)
                .expect("app")
        };
        assert!(!reconf(&mut conn, bare).contains("third_party"));
        assert!(reconf(&mut conn, full).contains("third_party"));
    })
    .await;
}

#[tokio::test]
async fn process_flows_and_templates_are_listed_for_reconfiguration() {
    each_backend(async |app| {
        let d = deal(&app).await;
        let copy = sent(&app, &d, &["full_edit"]).await;
        let list: String = apps::table
            .find(copy)
            .select(apps::reconfigure)
            .first(&mut *app.conn())
            .expect("copy");
        assert_eq!(list, "process,notification,automation");
        let process = page_named(&app, copy, "采购申请");
        let cu = demo_login(&app, "customer.admin").await;
        cu.get(&format!("/my-apps/{copy}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("需要重新配置")
            .assert_contains("流程表单的审批流程")
            .assert_contains("通知模板")
            .assert_contains("集成自动化")
            .assert_lacks("三方服务（连接器）")
            .assert_contains(&format!("href=\"/apps/{copy}/pages/{process}\""))
            .assert_contains(&format!("href=\"/apps/{copy}#templates\""))
            .assert_contains(&format!("href=\"/apps/{copy}#automations\""));
        // With full edit rights the designer link works for the customer admin.
        cu.get(&format!("/apps/{copy}/pages/{process}"))
            .await
            .assert_status(StatusCode::OK);
        // Without them the checklist stays, but the work is the provider's under a grant.
        let pa = demo_login(&app, "provider.admin").await;
        pa.post(
            &format!(
                "/provider/orders/{}/apps/{}/edit-rights",
                d.order, d.order_app
            ),
            &[],
        )
        .await
        .assert_redirect(&format!("/provider/orders/{}", d.order));
        let locked = copy;
        cu.get(&format!("/my-apps/{locked}"))
            .await
            .assert_contains("需要重新配置")
            .assert_contains("服务商未开放该应用的全部编辑权限")
            .assert_lacks(&format!("href=\"/apps/{locked}\""));
        cu.get(&format!("/apps/{locked}"))
            .await
            .assert_status(StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn a_failed_send_leaves_no_half_copied_app_and_can_be_retried() {
    each_backend(async |app| {
        let d = deal(&app).await;
        // Break the source: its report now reads a form of another app, which cannot be
        // copied along. Pages are copied before reports, so a partial copy would show.
        let report = page_named(&app, d.source, "按类别统计采购额");
        let good_form: Option<i64> = pages::table
            .find(report)
            .select(pages::report_form_id)
            .first(&mut *app.conn())
            .expect("report");
        let foreign: i64 = pages::table
            .filter(pages::name.eq("拜访记录"))
            .select(pages::id)
            .first(&mut *app.conn())
            .expect("other app's page");
        diesel::update(pages::table.find(report))
            .set(pages::report_form_id.eq(Some(foreign)))
            .execute(&mut *app.conn())
            .expect("break");
        let c = demo_login(&app, "provider.admin").await;
        let order_page = format!("/provider/orders/{}", d.order);
        send(
            &c,
            d.order,
            d.order_app,
            &["with_sample", "with_connectors"],
        )
        .await
        .assert_redirect(&order_page);
        assert_eq!(
            status_of(&app, d.order_app),
            ("failed".into(), "distribution.failure.reports".into())
        );
        assert_eq!(copy_of(&app, d.order_app), None);
        assert_eq!(count_apps(&app, d.customer), 0, "no half-copied app");
        assert_eq!(count_pages(&app, d.customer), 0);
        let n_samples: i64 = submissions::table
            .filter(submissions::org_id.eq(d.customer))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n_samples, 0);
        assert_eq!(
            notified(&app, d.p_admin, "distribution.notify.send_failed"),
            1
        );
        c.get(&order_page)
            .await
            .assert_contains("发送失败")
            .assert_contains("报表引用了应用之外的表单或字段")
            .assert_contains("重新发送");
        // Fixed, the retry goes through.
        diesel::update(pages::table.find(report))
            .set(pages::report_form_id.eq(good_form))
            .execute(&mut *app.conn())
            .expect("fix");
        send(&c, d.order, d.order_app, &[])
            .await
            .assert_redirect(&order_page);
        assert_eq!(
            status_of(&app, d.order_app),
            ("succeeded".into(), String::new())
        );
        assert_eq!(count_apps(&app, d.customer), 1);
        let kinds = events_since(&app, Some(d.project), d.last_event);
        assert_eq!(kinds, vec!["send_failed", "sent"]);
    })
    .await;
}

#[tokio::test]
async fn an_app_is_sent_exactly_once() {
    each_backend(async |app| {
        let d = deal(&app).await;
        let c = demo_login(&app, "provider.admin").await;
        let (a, b) = tokio::join!(
            send(&c, d.order, d.order_app, &[]),
            send(&c, d.order, d.order_app, &[])
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT]);
        send(&c, d.order, d.order_app, &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("该应用已发送，不能重复发送");
        // In the customer's organisation (the demo's app centre installs its own copies
        // of the same app elsewhere).
        let copies: i64 = apps::table
            .filter(apps::source_app_id.eq(d.source))
            .filter(apps::org_id.eq(d.customer))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(copies, 1);
    })
    .await;
}

#[tokio::test]
async fn the_entitlement_check_lists_what_the_customers_edition_lacks() {
    each_backend(async |app| {
        let d = deal(&app).await;
        diesel::update(orgs::table.find(d.customer))
            .set(orgs::edition.eq("light"))
            .execute(&mut *app.conn())
            .expect("edition");
        let c = demo_login(&app, "provider.admin").await;
        let page = c
            .get(&format!(
                "/provider/orders/{}?send={}",
                d.order, d.order_app
            ))
            .await;
        page.assert_status(StatusCode::OK)
            .assert_contains("在客户组织中将无法使用");
        let doc = scraper::Html::parse_document(&page.body);
        let sel = scraper::Selector::parse(&format!("#lacking-{} li", d.order_app)).expect("sel");
        let items: Vec<String> = doc
            .select(&sel)
            .map(|e| e.text().collect::<String>())
            .collect();
        assert_eq!(items.len(), 4, "{items:?}");
        for (i, what) in ["报表", "连接器", "集成自动化", "自定义组件"]
            .iter()
            .enumerate()
        {
            assert!(items[i].starts_with(what), "{items:?}");
        }
        // Sending is still allowed.
        send(&c, d.order, d.order_app, &[])
            .await
            .assert_redirect("/provider/orders/");
        // On the exclusive edition nothing is missing.
        diesel::update(orgs::table.find(d.customer))
            .set(orgs::edition.eq("exclusive"))
            .execute(&mut *app.conn())
            .expect("edition");
        c.get(&format!("/provider/orders/{}", d.order))
            .await
            .assert_lacks("在客户组织中将无法使用");
    })
    .await;
}

#[tokio::test]
async fn a_single_page_can_be_sent_into_the_customers_copy() {
    each_backend(async |app| {
        let d = deal(&app).await;
        // Before the app is sent there is nothing to send into.
        let c = demo_login(&app, "provider.admin").await;
        let parts = format!("/provider/orders/{}/apps/{}/parts", d.order, d.order_app);
        let custom = page_named(&app, d.source, "使用说明");
        c.post(&parts, &[("part", &format!("page:{custom}"))])
            .await
            .assert_status(StatusCode::CONFLICT);
        let copy = sent(&app, &d, &[]).await;
        c.post(&parts, &[("part", &format!("page:{custom}"))])
            .await
            .assert_redirect(&format!("/provider/orders/{}", d.order));
        let named: i64 = pages::table
            .filter(pages::app_id.eq(copy))
            .filter(pages::name.eq("使用说明"))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(named, 2);
        // A report finds its source form in the copy; a component goes too.
        let report = page_named(&app, d.source, "按类别统计采购额");
        c.post(&parts, &[("part", &format!("page:{report}"))])
            .await
            .assert_redirect("/provider/orders/");
        let comp: i64 = components::table
            .filter(components::app_id.eq(d.source))
            .select(components::id)
            .first(&mut *app.conn())
            .expect("component");
        c.post(&parts, &[("part", &format!("component:{comp}"))])
            .await
            .assert_redirect("/provider/orders/");
        let statuses: Vec<(String, String)> = part_sends::table
            .filter(part_sends::order_app_id.eq(d.order_app))
            .order(part_sends::id.asc())
            .select((part_sends::kind, part_sends::status))
            .load(&mut *app.conn())
            .expect("sends");
        assert_eq!(
            statuses,
            vec![
                ("page".into(), "succeeded".into()),
                ("page".into(), "succeeded".into()),
                ("component".into(), "succeeded".into())
            ]
        );
        // A report whose source form is missing in the copy fails, with its reason.
        diesel::update(
            pages::table
                .filter(pages::app_id.eq(copy))
                .filter(pages::name.eq("供应商登记")),
        )
        .set(pages::name.eq("改名的表单"))
        .execute(&mut *app.conn())
        .expect("rename");
        c.post(&parts, &[("part", &format!("page:{report}"))])
            .await
            .assert_redirect("/provider/orders/");
        c.get(&format!("/provider/orders/{}", d.order))
            .await
            .assert_contains("使用说明")
            .assert_contains("供应商卡片")
            .assert_contains("请先发送来源表单");
        // Another app's page is not found.
        let foreign: i64 = pages::table
            .filter(pages::name.eq("拜访记录"))
            .select(pages::id)
            .first(&mut *app.conn())
            .expect("page");
        c.post(&parts, &[("part", &format!("page:{foreign}"))])
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn another_orgs_order_is_not_found() {
    each_backend(async |app| {
        let d = deal(&app).await;
        let order_page = format!("/provider/orders/{}", d.order);
        for login in ["upstream.admin", "customer.admin"] {
            let c = demo_login(&app, login).await;
            c.get(&order_page)
                .await
                .assert_status(StatusCode::NOT_FOUND);
            send(&c, d.order, d.order_app, &[])
                .await
                .assert_status(StatusCode::NOT_FOUND);
        }
        assert_eq!(status_of(&app, d.order_app).0, "pending");
        // The provider's developer works on orders; the order app must belong to the order.
        let dev = demo_login(&app, "provider.dev").await;
        dev.get(&order_page).await.assert_status(StatusCode::OK);
        let (order2, _) = d.another_order(&app).await;
        send(&dev, order2, d.order_app, &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // And the provider cannot open the customer's copy on the customer side.
        let copy = sent(&app, &d, &[]).await;
        let p = demo_login(&app, "provider.admin").await;
        p.get(&format!("/my-apps/{copy}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn a_send_that_died_midway_can_be_retried_but_a_live_one_cannot() {
    each_backend(async |app| {
        let d = deal(&app).await;
        let c = demo_login(&app, "provider.admin").await;
        let mark_sending = |started: i64| {
            diesel::update(order_apps::table.find(d.order_app))
                .set((
                    order_apps::send_status.eq("sending"),
                    order_apps::sent_at.eq(Some(started)),
                ))
                .execute(&mut *app.conn())
                .expect("mark");
        };
        // Another attempt started a moment ago: this one is refused.
        mark_sending(now());
        send(&c, d.order, d.order_app, &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        assert_eq!(copy_of(&app, d.order_app), None);
        // An attempt whose process died long ago (its copy rolled back) may be claimed.
        mark_sending(now() - fenfa::distribution::copy::STALE_SEND - 1);
        send(&c, d.order, d.order_app, &[])
            .await
            .assert_redirect(&format!("/provider/orders/{}", d.order));
        assert!(copy_of(&app, d.order_app).is_some());
    })
    .await;
}
