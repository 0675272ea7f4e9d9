//! The app centre's pipeline up to pre-listing (seed 002, step 4.1): invitation, seller
//! onboarding, the product and its code, acceptance with its checklist.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::db::schema::{ac_products, ac_sellers, app_errors};

use crate::support::appcentre::{
    PNG, accept_all, apply_form, draft, onboarded, open_review, pairs, product_form, submitted,
};
use crate::support::distribution::world;
use crate::support::each_backend;

fn stage(app: &crate::support::TestApp, id: i64) -> String {
    ac_products::table
        .find(id)
        .select(ac_products::stage)
        .first(&mut *app.conn())
        .expect("stage")
}

#[tokio::test]
async fn the_app_centre_takes_providers_by_invitation_and_an_approved_seller_application() {
    each_backend(async |app| {
        let w = world(&app);
        let padmin = app.signed_in("padmin").await;
        let op = app.signed_in("op").await;
        // Not invited: the page says so and points at quick deploy; applying is refused.
        padmin
            .get("/provider/app-centre")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("邀请入驻")
            .assert_contains("线下快速部署");
        padmin
            .post("/provider/app-centre/seller", &apply_form())
            .await
            .assert_status(StatusCode::FORBIDDEN);
        op.post_ok(
            &format!("/operator/app-centre/providers/{}/invite", w.provider),
            &[("note", "欢迎")],
        )
        .await;
        // The invitation is among the admin's notifications, in words.
        padmin
            .get("/notifications")
            .await
            .assert_contains("应用中心邀请你入驻")
            .assert_lacks("appcentre.notify.invited");
        // Invited: the application is checked beside each field, the form kept.
        let r = padmin
            .post(
                "/provider/app-centre/seller",
                &[
                    ("contact_name", "李经理"),
                    ("contact_phone", "打电话"),
                    ("intro", "短"),
                ],
            )
            .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("请填写有效的联系电话")
            .assert_contains("服务商介绍须为 10–500 个字符")
            .assert_contains("value=\"李经理\"");
        padmin
            .post_ok("/provider/app-centre/seller", &apply_form())
            .await;
        // Products wait for the operator's approval.
        padmin
            .get("/provider/app-centre/products/new")
            .await
            .assert_status(StatusCode::FORBIDDEN);
        // Approval records the agreement and the deposit, each required.
        op.post(
            &format!("/operator/app-centre/sellers/{}", w.provider),
            &[
                ("decision", "approve"),
                ("agreement_no", ""),
                ("deposit", "0"),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请填写商务合作协议编号")
        .assert_contains("请填写已缴纳的保证金金额");
        op.post_ok(
            &format!("/operator/app-centre/sellers/{}", w.provider),
            &[
                ("decision", "approve"),
                ("agreement_no", "HZ-2026-001"),
                ("deposit", "10000.50"),
            ],
        )
        .await;
        let (status, deposit): (String, i64) = ac_sellers::table
            .find(w.provider)
            .select((ac_sellers::status, ac_sellers::deposit_fen))
            .first(&mut *app.conn())
            .expect("seller");
        assert_eq!((status.as_str(), deposit), ("approved", 1_000_050));
        padmin
            .get("/provider/app-centre")
            .await
            .assert_contains("新建商品");
        padmin
            .get("/provider/app-centre/products/new")
            .await
            .assert_status(StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn a_rejected_seller_sees_the_reason_and_may_apply_again() {
    each_backend(async |app| {
        let w = world(&app);
        let padmin = app.signed_in("padmin").await;
        let op = app.signed_in("op").await;
        op.post_ok(
            &format!("/operator/app-centre/providers/{}/invite", w.provider),
            &[("note", "")],
        )
        .await;
        padmin
            .post_ok("/provider/app-centre/seller", &apply_form())
            .await;
        op.post(
            &format!("/operator/app-centre/sellers/{}", w.provider),
            &[("decision", "reject"), ("reason", "")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("驳回须写明原因");
        op.post_ok(
            &format!("/operator/app-centre/sellers/{}", w.provider),
            &[("decision", "reject"), ("reason", "保证金未到账")],
        )
        .await;
        padmin
            .get("/provider/app-centre")
            .await
            .assert_contains("保证金未到账")
            .assert_contains("提交入驻申请");
        padmin
            .post_ok("/provider/app-centre/seller", &apply_form())
            .await;
        padmin
            .post("/provider/app-centre/seller", &apply_form())
            .await
            .assert_status(StatusCode::CONFLICT);
    })
    .await;
}

#[tokio::test]
async fn only_a_certified_provider_can_be_invited() {
    each_backend(async |app| {
        let w = world(&app);
        let op = app.signed_in("op").await;
        op.post(
            &format!("/operator/app-centre/providers/{}/invite", w.other),
            &[("note", "")],
        )
        .await
        .assert_status(StatusCode::CONFLICT);
    })
    .await;
}

#[tokio::test]
async fn premium_apps_copies_and_other_organisations_apps_cannot_become_products() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        for (app_id, message) in [
            (s.w.premium, "精品应用不支持上架应用中心"),
            (s.w.copy, "分发或安装得到的应用不能上架"),
            (999_999, "请选择本服务商自己的应用"),
        ] {
            let form = product_form(&app_id.to_string());
            s.padmin
                .post("/provider/app-centre/products", &pairs(&form))
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains(message)
                .assert_contains("value=\"设备巡检助手\"");
        }
        let n: i64 = ac_products::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 0);
    })
    .await;
}

#[tokio::test]
async fn a_product_form_names_each_bad_field_and_keeps_what_was_typed() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let mut form = product_form(&s.w.app.to_string());
        form.retain(|(k, _)| *k != "permissions");
        for (k, v) in form.iter_mut() {
            match *k {
                "name" => *v = "免费抽奖".into(),
                "homepage_url" => *v = "isv.example.com".into(),
                "edition_price_1" => *v = "19.999".into(),
                _ => {}
            }
        }
        s.padmin
            .post("/provider/app-centre/products", &pairs(&form))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("含有违禁词")
            .assert_contains("请填写以 http:// 或 https:// 开头的服务商主页地址")
            .assert_contains("请至少选择一项应用需要的权限")
            .assert_contains("价格须为不小于 0 的金额")
            .assert_contains("value=\"19.999\"");
    })
    .await;
}

#[tokio::test]
async fn the_first_submission_assigns_a_unique_product_code_of_cmd_and_seven_digits() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        // Without a screenshot the product cannot be submitted.
        let form = product_form(&s.w.app2.to_string());
        let r = s
            .padmin
            .post_ok("/provider/app-centre/products", &pairs(&form))
            .await;
        let bare: i64 = r
            .location()
            .rsplit('/')
            .next()
            .and_then(|x| x.parse().ok())
            .expect("product id");
        s.padmin
            .post(&format!("/provider/app-centre/products/{bare}/submit"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        let a = submitted(&app, &s).await;
        let b = draft(&app, &s).await;
        s.padmin
            .post_ok(&format!("/provider/app-centre/products/{b}/submit"), &[])
            .await;
        let codes: Vec<Option<String>> = ac_products::table
            .filter(ac_products::id.eq_any([a, b, bare]))
            .order(ac_products::id.asc())
            .select(ac_products::code)
            .load(&mut *app.conn())
            .expect("codes");
        let assigned: Vec<&String> = codes.iter().flatten().collect();
        assert_eq!(assigned.len(), 2, "the unsubmitted draft has no code");
        for c in &assigned {
            assert_eq!(c.len(), 10);
            assert!(
                c.starts_with("cmd") && c[3..].bytes().all(|b| b.is_ascii_digit()),
                "{c}"
            );
        }
        assert_ne!(assigned[0], assigned[1]);
        assert_eq!(stage(&app, a), "acceptance");
        s.padmin
            .get(&format!("/provider/app-centre/products/{a}"))
            .await
            .assert_contains(assigned[0].as_str())
            .assert_contains("验收中");
    })
    .await;
}

#[tokio::test]
async fn acceptance_fails_with_the_items_failed_and_the_resubmission_shows_what_changed() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = submitted(&app, &s).await;
        let review = open_review(&app, id);
        let path = format!("/operator/app-centre/reviews/{review}");
        s.op.get(&path)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("验收清单")
            .assert_contains("首次提交");
        // Approving needs every item ticked; the refusal keeps the ticks.
        s.op.post(
            &path,
            &[
                ("item", "opens"),
                ("item", "no_errors"),
                ("decision", "approve"),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("验收清单的每一项都通过才能验收通过");
        // Failing names the changes required; the items not ticked are the ones failed.
        s.op.post(
            &path,
            &[
                ("item", "opens"),
                ("item", "no_errors"),
                ("item", "no_banned_words"),
                ("item", "homepage_answers"),
                ("decision", "reject"),
                ("reason", "截图与应用不一致，请补充权限说明"),
            ],
        )
        .await
        .assert_redirect("/operator/app-centre/reviews");
        assert_eq!(stage(&app, id), "acceptance_failed");
        s.padmin
            .get(&format!("/provider/app-centre/products/{id}"))
            .await
            .assert_contains("验收不通过")
            .assert_contains("截图与应用不一致")
            .assert_contains("申请的权限与应用实际使用的一致")
            .assert_contains("截图与应用一致");
        // The provider edits and resubmits; the review shows what changed.
        let mut form = product_form("");
        for (k, v) in form.iter_mut() {
            if *k == "description" {
                *v = "设备巡检、报修、保养计划与备件管理。".into();
            }
        }
        s.padmin
            .post_ok(
                &format!("/provider/app-centre/products/{id}/edit"),
                &pairs(&form),
            )
            .await;
        s.padmin
            .post_ok(&format!("/provider/app-centre/products/{id}/submit"), &[])
            .await;
        let again = open_review(&app, id);
        s.op.get(&format!("/operator/app-centre/reviews/{again}"))
            .await
            .assert_contains("与上次提交相比的修改")
            .assert_contains("商品描述")
            .assert_lacks("首次提交");
        s.op.post_ok(
            &format!("/operator/app-centre/reviews/{again}"),
            &accept_all(),
        )
        .await;
        assert_eq!(stage(&app, id), "prelisted");
        // Pre-listed: nothing left for the provider to edit.
        s.padmin
            .get(&format!("/provider/app-centre/products/{id}/edit"))
            .await
            .assert_status(StatusCode::CONFLICT);
    })
    .await;
}

#[tokio::test]
async fn acceptance_is_refused_while_the_apps_pages_answered_server_errors_this_week() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = submitted(&app, &s).await;
        let day = fenfa::tools::wait::cst_day(fenfa::db::now());
        diesel::insert_into(app_errors::table)
            .values((
                app_errors::app_id.eq(s.w.app),
                app_errors::day.eq(day - 2),
                app_errors::count.eq(3i64),
            ))
            .execute(&mut *app.conn())
            .expect("errors");
        let review = open_review(&app, id);
        let path = format!("/operator/app-centre/reviews/{review}");
        s.op.get(&path)
            .await
            .assert_contains("近 7 天应用页面服务端错误：3 次");
        s.op.post(&path, &accept_all())
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("不能验收通过");
        assert_eq!(stage(&app, id), "acceptance");
    })
    .await;
}

#[tokio::test]
async fn screenshots_are_images_and_pre_listed_products_stay_invisible_to_other_organisations() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = draft(&app, &s).await;
        s.padmin
            .post_multipart(
                &format!("/provider/app-centre/products/{id}/screenshots"),
                &[],
                &[("screenshot", "x.txt", "text/plain", b"not an image")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("截图须为 PNG、JPEG 或 WebP 图片");
        let shot: i64 = {
            use fenfa::db::schema::ac_screenshots as sc;
            sc::table
                .filter(sc::product_id.eq(id))
                .select(sc::id)
                .first(&mut *app.conn())
                .expect("shot")
        };
        let url = format!("/app-centre/screenshots/{shot}");
        let got = s.padmin.get(&url).await;
        got.assert_status(StatusCode::OK);
        assert_eq!(
            got.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("image/png")
        );
        assert!(got.body.contains("PNG\r\n") && got.body.len() >= PNG.len());
        s.op.get(&url).await.assert_status(StatusCode::OK);
        let outsider = app.signed_in("oadmin").await;
        outsider
            .get(&url)
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // Another organisation's people cannot open or change the product either.
        outsider
            .get(&format!("/provider/app-centre/products/{id}"))
            .await
            .assert_status(StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn only_provider_admins_create_and_submit_products() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = draft(&app, &s).await;
        let dev = app.signed_in("pdev").await;
        dev.get(&format!("/provider/app-centre/products/{id}"))
            .await
            .assert_status(StatusCode::OK);
        dev.get("/provider/app-centre/products/new")
            .await
            .assert_status(StatusCode::FORBIDDEN);
        dev.post(&format!("/provider/app-centre/products/{id}/submit"), &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        assert_eq!(stage(&app, id), "draft");
    })
    .await;
}
