//! Quick deploy on the provider's and the operator's side (seed 002 step 4.2): the
//! invitation code, the application form with every field checked, the suite icon,
//! review, the deploy link (pause, re-target, suspension) and the defects' deadlines.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{notifications, qd_applications, qd_defects, qd_invite_codes};

use crate::support::distribution::set_level;
use crate::support::quickdeploy_provider::{
    Qd, apply, approved, corners_transparent, form, icon, id_in, issue_code, jpeg_icon, link,
    post_form, ready, with,
};
use crate::support::{QR_CODE, TestApp, each_backend};

const NEW: &str = "/provider/quick-deploy/applications";

/// A second certified provider with its admin ("p2admin").
fn second_provider(app: &TestApp) -> i64 {
    let org = app.org("二号服务商", "dingprovider09", "exclusive");
    set_level(app, org, true, "advanced");
    app.person(org, "p2admin", Role::MainAdmin);
    org
}

/// Whether a page shows one of these countdowns.
fn left(body: &str, any: &[&str]) -> bool {
    any.iter().any(|x| body.contains(x))
}

fn applications(app: &TestApp) -> i64 {
    qd_applications::table
        .count()
        .get_result(&mut *app.conn())
        .expect("count")
}

#[tokio::test]
async fn an_invitation_code_is_single_use_expiring_and_bound_to_its_provider() {
    each_backend(async |app| {
        let qd = ready(&app).await;
        let other = second_provider(&app);
        let foreign = issue_code(&app, &qd.s.op, other).await;
        // Another provider's code is refused, beside the field.
        let r = post_form(
            &qd.s.padmin,
            NEW,
            &with(&form(&qd), &[("invite_code", &foreign)]),
            &icon(120, true),
        )
        .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("这个邀请码不是发给本服务商的");
        // An unknown one too.
        post_form(
            &qd.s.padmin,
            NEW,
            &with(&form(&qd), &[("invite_code", "ZZZZZZZZZZZZ")]),
            &icon(120, true),
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("邀请码不存在");
        // Its own code works once (typed in lower case with spaces: forgiven)...
        let typed = format!(" {} ", qd.code.to_lowercase());
        let r = post_form(
            &qd.s.padmin,
            NEW,
            &with(&form(&qd), &[("invite_code", &typed)]),
            &icon(120, true),
        )
        .await;
        r.assert_redirect(NEW);
        // ...and never twice.
        post_form(&qd.s.padmin, NEW, &form(&qd), &icon(120, true))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("邀请码已被使用");
        assert_eq!(applications(&app), 1);
        // A code past its 30 days is refused.
        let late = issue_code(&app, &qd.s.op, qd.s.w.provider).await;
        diesel::update(qd_invite_codes::table.filter(qd_invite_codes::code.eq(&late)))
            .set(qd_invite_codes::expires_at.eq(fenfa::db::now() - 1))
            .execute(&mut *app.conn())
            .expect("expire");
        post_form(
            &qd.s.padmin,
            NEW,
            &with(&form(&qd), &[("invite_code", &late)]),
            &icon(120, true),
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("邀请码已过期");
        // The operator's list shows each code's one status; a revoked code is refused.
        let revoked = issue_code(&app, &qd.s.op, qd.s.w.provider).await;
        let rid: i64 = qd_invite_codes::table
            .filter(qd_invite_codes::code.eq(&revoked))
            .select(qd_invite_codes::id)
            .first(&mut *app.conn())
            .expect("code");
        qd.s.op
            .post_ok(&format!("/operator/quick-deploy/codes/{rid}/revoke"), &[])
            .await;
        post_form(
            &qd.s.padmin,
            NEW,
            &with(&form(&qd), &[("invite_code", &revoked)]),
            &icon(120, true),
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("邀请码已作废");
        qd.s.op
            .get("/operator/quick-deploy")
            .await
            .assert_contains("已使用")
            .assert_contains("已过期")
            .assert_contains("已作废")
            .assert_contains("未使用");
        assert_eq!(applications(&app), 1);
    })
    .await;
}

#[tokio::test]
async fn every_field_of_the_application_form_is_refused_beside_it_with_the_typed_values_kept() {
    each_backend(async |app| {
        let qd = ready(&app).await;
        let cases: [(&'static str, &str, &str); 10] = [
            (
                "provider_name",
                "别的公司",
                "须与本服务商注册的组织名称一致",
            ),
            ("product_code", "cmd123", "商品代码为 10 位"),
            ("product_code", "cmd9999999", "本服务商没有这个商品代码"),
            ("invite_code", "", "请填写企业邀请码"),
            ("reason", "", "请填写此项"),
            ("scenario", "短", "请至少写 4 个字"),
            ("onsite_staff", "maybe", "请选择一项"),
            ("directory_method", "carrier_pigeon", "请选择一项"),
            ("verify_serials", "", "请选择一项"),
            (
                "callback_url",
                "http://isv.example.com/cb",
                "网址须以 https:// 开头",
            ),
        ];
        for (field, value, message) in cases {
            let r = post_form(
                &qd.s.padmin,
                NEW,
                &with(&form(&qd), &[(field, value)]),
                &icon(120, true),
            )
            .await;
            r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains(&format!("id=\"e-{field}\""))
                .assert_contains(message);
            // What was typed is kept, the refused text too.
            if !["onsite_staff", "directory_method", "verify_serials"].contains(&field) {
                r.assert_contains(value);
            }
            let kept = if field == "reason" {
                "制造业工厂的设备巡检"
            } else {
                "线下地推，客户在展会现场扫码开通"
            };
            r.assert_contains(kept);
            if field != "invite_code" {
                r.assert_contains(&format!("value=\"{}\"", qd.code));
            }
        }
        // No on-site staff: how the QR code is shared is required then.
        post_form(
            &qd.s.padmin,
            NEW,
            &with(&form(&qd), &[("onsite_staff", "no")]),
            &icon(120, true),
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("id=\"e-qr_sharing\"");
        // The provider's endpoint: its URL is required, https (or loopback http).
        let endpoint = with(&form(&qd), &[("serial_source", "endpoint")]);
        post_form(&qd.s.padmin, NEW, &endpoint, &icon(120, true))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("id=\"e-verify_url\"");
        // A product not yet accepted is refused.
        let draft = crate::support::appcentre::submitted(&app, &qd.s).await;
        let draft_code = crate::support::quickdeploy_provider::product_code(&app, draft);
        post_form(
            &qd.s.padmin,
            NEW,
            &with(&form(&qd), &[("product_code", &draft_code)]),
            &icon(120, true),
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("该商品尚未通过平台验收");
        assert_eq!(applications(&app), 0);
        // Everything right, with the endpoint on loopback: accepted.
        let ok = with(
            &form(&qd),
            &[
                ("onsite_staff", "no"),
                ("qr_sharing", "发到客户的微信群"),
                ("serial_source", "endpoint"),
                ("verify_url", "http://127.0.0.1:9/verify"),
            ],
        );
        let r = post_form(&qd.s.padmin, NEW, &ok, &icon(120, true)).await;
        r.assert_redirect(NEW);
        let id = id_in(&r);
        let page = qd.s.padmin.get(&format!("{NEW}/{id}")).await;
        page.assert_status(StatusCode::OK)
            .assert_contains("发到客户的微信群")
            .assert_contains("http://127.0.0.1:9/verify")
            .assert_contains("待审核");
        let secret: String = qd_applications::table
            .find(id)
            .select(qd_applications::verify_secret)
            .first(&mut *app.conn())
            .expect("secret");
        assert_eq!(secret.len(), 64);
        page.assert_contains(&secret);
    })
    .await;
}

#[tokio::test]
async fn the_suite_icon_is_a_120_pixel_png_with_transparent_rounded_corners_or_masked_on_request() {
    each_backend(async |app| {
        let qd = ready(&app).await;
        for (bytes, message) in [
            (icon(100, true), "图标尺寸必须是 120×120 像素"),
            (jpeg_icon(), "图标必须是 PNG 图片"),
            (icon(120, false), "图标四角须为透明的圆角"),
            (Vec::new(), "请上传套件图标"),
        ] {
            post_form(&qd.s.padmin, NEW, &form(&qd), &bytes)
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains("id=\"e-icon\"")
                .assert_contains(message);
        }
        assert_eq!(applications(&app), 0);
        // Square corners with the mask asked for: Fenfa applies it.
        let masked = with(&form(&qd), &[("apply_mask", "1")]);
        let r = post_form(&qd.s.padmin, NEW, &masked, &icon(120, false)).await;
        r.assert_redirect(NEW);
        let id = id_in(&r);
        let stored = qd.s.padmin.get(&format!("{NEW}/{id}/icon")).await;
        stored.assert_status(StatusCode::OK);
        let key: String = qd_applications::table
            .find(id)
            .select(qd_applications::icon_key)
            .first(&mut *app.conn())
            .expect("icon");
        let bytes = app.state.storage.get(&key).expect("stored icon");
        assert!(corners_transparent(&bytes), "the stored icon has its mask");
        // The application page shows it for the provider to check.
        qd.s.padmin
            .get(&format!("{NEW}/{id}"))
            .await
            .assert_contains(&format!("{NEW}/{id}/icon"))
            .assert_contains("请确认");
    })
    .await;
}

#[tokio::test]
async fn applying_for_quick_deploy_needs_the_seller_onboarding_first() {
    each_backend(async |app| {
        let w = crate::support::distribution::world(&app);
        let provider = w.provider;
        let padmin = app.signed_in("padmin").await;
        let op = app.signed_in("op").await;
        issue_code(&app, &op, provider).await;
        padmin
            .get("/provider/quick-deploy")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("请先完成云市场服务商入驻审核")
            .assert_lacks("href=\"/provider/quick-deploy/applications/new\"");
        padmin
            .get("/provider/quick-deploy/applications/new")
            .await
            .assert_status(StatusCode::FORBIDDEN);
        let qd = Qd {
            s: crate::support::appcentre::Seller {
                w,
                padmin: padmin.clone(),
                op: op.clone(),
            },
            product: 0,
            product_code: "cmd0000000".into(),
            code: crate::support::quickdeploy_provider::last_code(&app, provider),
        };
        post_form(&padmin, NEW, &form(&qd), &icon(120, true))
            .await
            .assert_status(StatusCode::FORBIDDEN);
        assert_eq!(applications(&app), 0);
    })
    .await;
}

#[tokio::test]
async fn the_deploy_link_exists_only_after_approval_and_the_provider_is_told() {
    each_backend(async |app| {
        let qd = ready(&app).await;
        let id = apply(&qd).await;
        assert_eq!(link(&app, id), (None, None));
        qd.s.padmin
            .get(&format!("{NEW}/{id}"))
            .await
            .assert_lacks(QR_CODE)
            .assert_lacks("id=\"link-url\"");
        qd.s.padmin
            .get(&format!("{NEW}/{id}/print"))
            .await
            .assert_status(StatusCode::CONFLICT);
        qd.s.padmin
            .post(&format!("{NEW}/{id}/link/pause"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        // The operator's list has it pending; the page shows every field and the icon.
        qd.s.op
            .get("/operator/quick-deploy")
            .await
            .assert_contains(&format!("/operator/quick-deploy/applications/{id}"))
            .assert_contains("待审核");
        qd.s.op
            .get(&format!("/operator/quick-deploy/applications/{id}"))
            .await
            .assert_contains("线下地推，客户在展会现场扫码开通")
            .assert_contains(&qd.product_code)
            .assert_contains(&qd.code);
        qd.s.op
            .get(&format!("/operator/quick-deploy/applications/{id}/icon"))
            .await
            .assert_status(StatusCode::OK);
        qd.s.op
            .post_ok(
                &format!("/operator/quick-deploy/applications/{id}/approve"),
                &[],
            )
            .await;
        let (token, target) = link(&app, id);
        let token = token.expect("a link token");
        assert_eq!(target, Some(qd.product));
        assert!(token.len() >= 32);
        let page = qd.s.padmin.get(&format!("{NEW}/{id}")).await;
        page.assert_contains(&format!("/qd/{token}"))
            .assert_contains(QR_CODE)
            .assert_contains("data-copy=\"#link-url\"")
            .assert_contains("href=\"/provider/quick-deploy/applications/");
        qd.s.padmin
            .get(&format!("{NEW}/{id}/print"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(QR_CODE)
            .assert_contains("data-print");
        let told: i64 = notifications::table
            .filter(notifications::org_id.eq(qd.s.w.provider))
            .filter(notifications::title.eq("quickdeploy.notify.approved"))
            .filter(notifications::link.eq(format!("{NEW}/{id}")))
            .count()
            .get_result(&mut *app.conn())
            .expect("notifications");
        assert!(told >= 1, "the provider's admins are told");
        // Approving twice changes nothing.
        qd.s.op
            .post(
                &format!("/operator/quick-deploy/applications/{id}/approve"),
                &[],
            )
            .await
            .assert_status(StatusCode::CONFLICT);
        assert_eq!(link(&app, id).0.as_deref(), Some(token.as_str()));
    })
    .await;
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_the_provider_resubmits_in_place() {
    each_backend(async |app| {
        let qd = ready(&app).await;
        let id = apply(&qd).await;
        let reject = format!("/operator/quick-deploy/applications/{id}/reject");
        qd.s.op
            .post(&reject, &[("reason", "  ")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("id=\"e-reason\"")
            .assert_contains("驳回时请填写原因");
        qd.s.op
            .post_ok(&reject, &[("reason", "使用场景写得不清楚")])
            .await;
        qd.s.padmin
            .get(&format!("{NEW}/{id}"))
            .await
            .assert_contains("已驳回")
            .assert_contains("使用场景写得不清楚")
            .assert_contains(&format!("{NEW}/{id}/edit"));
        let edit = qd.s.padmin.get(&format!("{NEW}/{id}/edit")).await;
        edit.assert_status(StatusCode::OK)
            .assert_contains(&qd.code)
            .assert_contains("制造业工厂的设备巡检");
        // Resubmitted in place, with the same code and without a new icon.
        let again = with(&form(&qd), &[("scenario", "制造业工厂的设备巡检与报修")]);
        post_form(&qd.s.padmin, &format!("{NEW}/{id}/edit"), &again, &[])
            .await
            .assert_redirect(&format!("{NEW}/{id}"));
        assert_eq!(applications(&app), 1);
        let (status, scenario): (String, String) = qd_applications::table
            .find(id)
            .select((qd_applications::status, qd_applications::scenario))
            .first(&mut *app.conn())
            .expect("application");
        assert_eq!(status, "pending");
        assert_eq!(scenario, "制造业工厂的设备巡检与报修");
        // Pending again: not editable.
        qd.s.padmin
            .get(&format!("{NEW}/{id}/edit"))
            .await
            .assert_status(StatusCode::CONFLICT);
    })
    .await;
}

#[tokio::test]
async fn the_provider_pauses_and_re_targets_its_link_and_the_token_stays() {
    each_backend(async |app| {
        let qd = ready(&app).await;
        let id = approved(&qd).await;
        let (token, _) = link(&app, id);
        qd.s.padmin
            .post_ok(&format!("{NEW}/{id}/link/pause"), &[])
            .await;
        qd.s.padmin
            .get(&format!("{NEW}/{id}"))
            .await
            .assert_contains("链接已暂停");
        let paused: bool = qd_applications::table
            .find(id)
            .select(qd_applications::link_paused)
            .first(&mut *app.conn())
            .expect("paused");
        assert!(paused);
        qd.s.padmin
            .post_ok(&format!("{NEW}/{id}/link/resume"), &[])
            .await;
        // A second accepted product: the link points at it, the token stays.
        let second = crate::support::appcentre::prelisted(&app, &qd.s).await;
        qd.s.padmin
            .post_ok(
                &format!("{NEW}/{id}/link/retarget"),
                &[("product", &second.to_string())],
            )
            .await;
        let (after, target) = link(&app, id);
        assert_eq!(after, token);
        assert_eq!(target, Some(second));
        // A product not accepted (or another provider's) is refused.
        let draft = crate::support::appcentre::draft(&app, &qd.s).await;
        qd.s.padmin
            .post(
                &format!("{NEW}/{id}/link/retarget"),
                &[("product", &draft.to_string())],
            )
            .await
            .assert_status(StatusCode::CONFLICT);
        assert_eq!(link(&app, id).1, Some(second));
        // A developer may look but not change the link.
        let dev = app.signed_in("pdev").await;
        dev.get(&format!("{NEW}/{id}"))
            .await
            .assert_status(StatusCode::OK);
        dev.post(&format!("{NEW}/{id}/link/pause"), &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn the_operator_suspends_new_deployments_and_only_the_operator_lifts_it() {
    each_backend(async |app| {
        let qd = ready(&app).await;
        let id = approved(&qd).await;
        let base = format!("/operator/quick-deploy/applications/{id}");
        qd.s.op
            .post(&format!("{base}/link/suspend"), &[("note", "")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("id=\"e-note\"");
        qd.s.op
            .post_ok(&format!("{base}/link/suspend"), &[("note", "严重安全缺陷")])
            .await;
        let (suspended, note): (bool, String) = qd_applications::table
            .find(id)
            .select((qd_applications::link_suspended, qd_applications::link_note))
            .first(&mut *app.conn())
            .expect("application");
        assert!(suspended);
        assert_eq!(note, "严重安全缺陷");
        // The provider sees it and cannot lift it (resuming is about pausing only).
        qd.s.padmin
            .get(&format!("{NEW}/{id}"))
            .await
            .assert_contains("平台已暂停新部署")
            .assert_contains("严重安全缺陷");
        qd.s.padmin
            .post_ok(&format!("{NEW}/{id}/link/resume"), &[])
            .await;
        qd.s.padmin
            .post(&format!("{NEW}/{id}/link/unsuspend"), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let still: bool = qd_applications::table
            .find(id)
            .select(qd_applications::link_suspended)
            .first(&mut *app.conn())
            .expect("application");
        assert!(still);
        qd.s.op
            .post_ok(&format!("{base}/link/unsuspend"), &[])
            .await;
        qd.s.op.post_ok(&format!("{base}/link/pause"), &[]).await;
        let (suspended, paused): (bool, bool) = qd_applications::table
            .find(id)
            .select((
                qd_applications::link_suspended,
                qd_applications::link_paused,
            ))
            .first(&mut *app.conn())
            .expect("application");
        assert!(!suspended && paused);
    })
    .await;
}

#[tokio::test]
async fn improvement_plan_deadlines_count_down_and_are_flagged_when_overdue() {
    each_backend(async |app| {
        let qd = ready(&app).await;
        let id = approved(&qd).await;
        let base = format!("/operator/quick-deploy/applications/{id}");
        qd.s.op
            .post(&format!("{base}/defects"), &[("description", "没有选择")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("id=\"e-severity\"")
            .assert_contains("没有选择");
        qd.s.op
            .post_ok(
                &format!("{base}/defects"),
                &[
                    ("severity", "minor"),
                    ("description", "列表页加载超过 5 秒"),
                ],
            )
            .await;
        let d: i64 = qd_defects::table
            .filter(qd_defects::application_id.eq(id))
            .select(qd_defects::id)
            .first(&mut *app.conn())
            .expect("defect");
        // Fresh: both countdowns run (2 and 7 days, less the seconds since).
        let page = qd.s.padmin.get(&format!("{NEW}/{id}")).await;
        page.assert_contains("列表页加载超过 5 秒")
            .assert_lacks("badge bad overdue");
        assert!(left(&page.body, &["剩余 2天", "剩余 1天"]), "{}", page.body);
        assert!(left(&page.body, &["剩余 7天", "剩余 6天"]), "{}", page.body);
        // Three days later: the plan is overdue and flagged.
        let back = 3 * 86_400;
        diesel::update(qd_defects::table.find(d))
            .set((
                qd_defects::recorded_at.eq(qd_defects::recorded_at - back),
                qd_defects::plan_due_at.eq(qd_defects::plan_due_at - back),
                qd_defects::fix_due_at.eq(qd_defects::fix_due_at - back),
            ))
            .execute(&mut *app.conn())
            .expect("shift");
        qd.s.padmin
            .get(&format!("{NEW}/{id}"))
            .await
            .assert_contains("已逾期 1天")
            .assert_contains("badge bad overdue");
        qd.s.op
            .get(&base)
            .await
            .assert_contains("badge bad overdue");
        // The plan: required, then recorded; done, and the fix still has days left.
        qd.s.padmin
            .post(&format!("{NEW}/{id}/defects/{d}/plan"), &[("text", "")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains(&format!("id=\"e-plan-{d}\""));
        qd.s.padmin
            .post_ok(
                &format!("{NEW}/{id}/defects/{d}/plan"),
                &[("text", "下周上线分页与缓存")],
            )
            .await;
        let page = qd.s.padmin.get(&format!("{NEW}/{id}")).await;
        page.assert_contains("下周上线分页与缓存")
            .assert_lacks("badge bad overdue");
        assert!(left(&page.body, &["剩余 4天", "剩余 3天"]), "{}", page.body);
        qd.s.padmin
            .post_ok(
                &format!("{NEW}/{id}/defects/{d}/fixed"),
                &[("text", "已上线分页")],
            )
            .await;
        qd.s.op
            .post_ok(&format!("{base}/defects/{d}/close"), &[])
            .await;
        let closed: Option<i64> = qd_defects::table
            .find(d)
            .select(qd_defects::closed_at)
            .first(&mut *app.conn())
            .expect("defect");
        assert!(closed.is_some());
        // Closed: the provider cannot answer it any more.
        qd.s.padmin
            .post(
                &format!("{NEW}/{id}/defects/{d}/plan"),
                &[("text", "再改一次")],
            )
            .await
            .assert_status(StatusCode::CONFLICT);
    })
    .await;
}

#[tokio::test]
async fn another_provider_can_neither_see_nor_change_the_application() {
    each_backend(async |app| {
        let qd = ready(&app).await;
        let id = approved(&qd).await;
        let d = {
            qd.s.op
                .post_ok(
                    &format!("/operator/quick-deploy/applications/{id}/defects"),
                    &[("severity", "severe"), ("description", "越权访问")],
                )
                .await;
            qd_defects::table
                .filter(qd_defects::application_id.eq(id))
                .select(qd_defects::id)
                .first::<i64>(&mut *app.conn())
                .expect("defect")
        };
        second_provider(&app);
        let p2 = app.signed_in("p2admin").await;
        for path in [
            format!("{NEW}/{id}"),
            format!("{NEW}/{id}/icon"),
            format!("{NEW}/{id}/print"),
            format!("{NEW}/{id}/edit"),
        ] {
            p2.get(&path).await.assert_status(StatusCode::NOT_FOUND);
        }
        for path in [
            format!("{NEW}/{id}/link/pause"),
            format!("{NEW}/{id}/link/resume"),
            format!("{NEW}/{id}/defects/{d}/plan"),
            format!("{NEW}/{id}/defects/{d}/fixed"),
        ] {
            p2.post(&path, &[("text", "偷看")])
                .await
                .assert_status(StatusCode::NOT_FOUND);
        }
        p2.post(
            &format!("{NEW}/{id}/link/retarget"),
            &[("product", &qd.product.to_string())],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        p2.get("/provider/quick-deploy")
            .await
            .assert_lacks(&format!("{NEW}/{id}"));
        let paused: bool = qd_applications::table
            .find(id)
            .select(qd_applications::link_paused)
            .first(&mut *app.conn())
            .expect("application");
        assert!(!paused);
    })
    .await;
}
