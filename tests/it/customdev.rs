//! Custom-development templates (代开发, seed 003): templates and their go-live review,
//! authorisation codes, per-enterprise custom apps built under the authorisation, app
//! go-live and the enterprise's visibility scope. Every rule on both backends.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{
    apps, audit_records, cd_batches, cd_custom_apps, cd_templates, memberships, notifications,
    orgs, users,
};

use crate::support::customdev::*;
use crate::support::{QR_CODE, each_backend};

#[tokio::test]
async fn every_template_field_is_checked_beside_it_and_the_form_keeps_what_was_typed() {
    each_backend(async |app| {
        world(&app);
        let padmin = app.signed_in("cd.padmin").await;
        // (the form, the logo, the field whose error shows, the error's words)
        type Case<'a> = (Vec<(&'a str, &'a str)>, Vec<u8>, &'a str, &'a str);
        let cases: Vec<Case> = vec![
            (
                fields("云创免费CRM", "客户跟进管理", ""),
                png(750),
                "name",
                "不可使用特殊词汇",
            ),
            (
                fields("企微助手", "客户跟进管理", ""),
                png(750),
                "name",
                "不可使用特殊词汇",
            ),
            (
                fields("云", "客户跟进管理", ""),
                png(750),
                "name",
                "2–10 个字",
            ),
            (
                fields("云创 CRM", "客户跟进管理", ""),
                png(750),
                "name",
                "只能包含中文、字母和数字",
            ),
            (
                fields("云创CRM", "客户", ""),
                png(750),
                "intro",
                "4–20 个字",
            ),
            (
                fields("云创CRM", "客户跟进管理", ""),
                png(749),
                "logo",
                "750×750",
            ),
        ];
        for (form, logo, field, message) in cases {
            let r = padmin
                .post_multipart(
                    "/provider/custom-dev",
                    &form,
                    &[("logo", "logo.png", "image/png", &logo)],
                )
                .await;
            r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains(&format!("id=\"e-{field}\""))
                .assert_contains(message)
                .assert_contains(&format!("value=\"{}\"", form[0].1));
        }
        // A callback without https, a category not on the operator's list, a PNG
        // header glued to garbage, a logo over 1 MB, a file named .png that is a GIF.
        let mut bad = fields("云创CRM", "客户跟进管理", "");
        bad[4] = ("callback_url", "http://isv.example.com/cb");
        bad[2] = ("category", "不存在的分类");
        let mut broken = png(750);
        broken.truncate(40);
        let r = padmin
            .post_multipart(
                "/provider/custom-dev",
                &bad,
                &[("logo", "logo.png", "image/png", &broken)],
            )
            .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("https://")
            .assert_contains("id=\"e-category\"")
            .assert_contains("可以打开的 JPG 或 PNG");
        let big = vec![0u8; 1_048_577];
        padmin
            .post_multipart(
                "/provider/custom-dev",
                &fields("云创CRM", "客户跟进管理", ""),
                &[("logo", "logo.png", "image/png", &big)],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("1M 以内");
        let count: i64 = cd_templates::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(count, 0, "nothing was saved");
    })
    .await;
}

#[tokio::test]
async fn a_word_the_operator_bans_is_refused_in_names_from_then_on() {
    each_backend(async |app| {
        world(&app);
        let op = app.signed_in("cd.op").await;
        op.post_ok(
            "/operator/custom-dev/catalogue",
            &[("kind", "banned_word"), ("name", "秒杀")],
        )
        .await;
        let padmin = app.signed_in("cd.padmin").await;
        padmin
            .post_multipart(
                "/provider/custom-dev",
                &fields("秒杀助手", "客户跟进管理", ""),
                &[("logo", "l.png", "image/png", &png(750))],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("id=\"e-name\"");
    })
    .await;
}

#[tokio::test]
async fn a_template_gets_its_authorisation_code_only_after_review_and_go_live() {
    each_backend(async |app| {
        world(&app);
        let padmin = app.signed_in("cd.padmin").await;
        let tid = create_template(&padmin, "云创CRM", None).await;
        let page = format!("/provider/custom-dev/{tid}");
        padmin
            .get(&page)
            .await
            .assert_contains("模版正式上线后才会生成")
            .assert_lacks(QR_CODE);
        // Not live: its link is "not found" for an enterprise.
        let eadmin = app.signed_in("cd.eadmin").await;
        let link = format!("/custom-dev/authorise/{}", token_of(&app, tid));
        eadmin.get(&link).await.assert_status(StatusCode::NOT_FOUND);
        padmin
            .post_ok(
                "/provider/custom-dev/golive/templates",
                &[("template", &tid.to_string())],
            )
            .await;
        padmin
            .get("/provider/custom-dev/golive")
            .await
            .assert_contains("审核中");
        let ticket = last_ticket(&app);
        // The provider cannot go live before the platform approves.
        padmin
            .post(&format!("/provider/custom-dev/tickets/{ticket}/live"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        let op = app.signed_in("cd.op").await;
        op.get("/operator/custom-dev")
            .await
            .assert_contains("云创CRM");
        op.post_ok(
            &format!("/operator/custom-dev/tickets/{ticket}"),
            &[("decision", "approve"), ("reason", "")],
        )
        .await;
        padmin
            .get(&format!("/provider/custom-dev/tickets/{ticket}"))
            .await
            .assert_contains("待上线")
            .assert_contains("提交上线");
        padmin.get(&page).await.assert_lacks(QR_CODE);
        padmin
            .post_ok(&format!("/provider/custom-dev/tickets/{ticket}/live"), &[])
            .await;
        padmin
            .get(&page)
            .await
            .assert_contains(QR_CODE)
            .assert_contains(&link);
        eadmin
            .get(&link)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("云创CRM");
    })
    .await;
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_the_provider_sees_it() {
    each_backend(async |app| {
        world(&app);
        let padmin = app.signed_in("cd.padmin").await;
        let tid = create_template(&padmin, "云创CRM", None).await;
        padmin
            .post_ok(
                "/provider/custom-dev/golive/templates",
                &[("template", &tid.to_string())],
            )
            .await;
        let ticket = last_ticket(&app);
        let op = app.signed_in("cd.op").await;
        let path = format!("/operator/custom-dev/tickets/{ticket}");
        op.post(&path, &[("decision", "reject"), ("reason", " ")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("驳回须填写原因");
        op.post_ok(
            &path,
            &[("decision", "reject"), ("reason", "logo 使用了平台标识")],
        )
        .await;
        padmin
            .get("/provider/custom-dev/golive")
            .await
            .assert_contains("已驳回")
            .assert_contains("logo 使用了平台标识");
        let note: i64 = notifications::table
            .filter(notifications::title.eq("customdev.notify.rejected"))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(note, 1);
    })
    .await;
}

#[tokio::test]
async fn changing_a_live_template_makes_a_new_version_behind_the_same_code() {
    each_backend(async |app| {
        world(&app);
        let padmin = app.signed_in("cd.padmin").await;
        let tid = create_template(&padmin, "云创CRM", None).await;
        make_live(&app, &padmin, tid).await;
        let token = token_of(&app, tid);
        let save = |name: &'static str| {
            let c = padmin.clone();
            async move {
                c.post_multipart(
                    &format!("/provider/custom-dev/{tid}"),
                    &fields(name, "客户跟进管理", ""),
                    &[],
                )
                .await
            }
        };
        save("云创CRM2")
            .await
            .assert_redirect(&format!("/provider/custom-dev/{tid}"));
        let eadmin = app.signed_in("cd.eadmin").await;
        let link = format!("/custom-dev/authorise/{token}");
        // Enterprises still see the live version until the new one goes live.
        eadmin
            .get(&link)
            .await
            .assert_contains("云创CRM")
            .assert_lacks("云创CRM2");
        padmin
            .post_ok(
                "/provider/custom-dev/golive/templates",
                &[("template", &tid.to_string())],
            )
            .await;
        // A version under review cannot change.
        save("云创CRM3").await.assert_status(StatusCode::CONFLICT);
        let ticket = last_ticket(&app);
        app.signed_in("cd.op")
            .await
            .post_ok(
                &format!("/operator/custom-dev/tickets/{ticket}"),
                &[("decision", "approve")],
            )
            .await;
        padmin
            .post_ok(&format!("/provider/custom-dev/tickets/{ticket}/live"), &[])
            .await;
        assert_eq!(token_of(&app, tid), token, "the code stays the same");
        eadmin.get(&link).await.assert_contains("云创CRM2");
        padmin
            .get(&format!("/provider/custom-dev/{tid}"))
            .await
            .assert_contains("v2");
    })
    .await;
}

#[tokio::test]
async fn only_the_main_or_platform_admin_authorises_and_others_are_told_who_can() {
    each_backend(async |app| {
        let w = world(&app);
        let padmin = app.signed_in("cd.padmin").await;
        let tid = create_template(&padmin, "云创CRM", None).await;
        make_live(&app, &padmin, tid).await;
        let link = format!("/custom-dev/authorise/{}", token_of(&app, tid));
        let member = app.signed_in("cd.member").await;
        member
            .get(&link)
            .await
            .assert_contains("只有企业的主管理员或平台管理员可以授权")
            .assert_contains("cd.eadmin")
            .assert_contains("cd.eplat")
            .assert_lacks("确认授权");
        member
            .post(&link, &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        assert!(custom_app(&app, tid, w.enterprise).is_none());
        let plat = app.signed_in("cd.eplat").await;
        plat.get(&link)
            .await
            .assert_contains("读取企业名称和 CorpID")
            .assert_contains("确认授权");
        plat.post(&link, &[])
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("开发中");
        assert!(custom_app(&app, tid, w.enterprise).is_some());
    })
    .await;
}

#[tokio::test]
async fn authorising_creates_one_custom_app_in_development_per_template_and_enterprise() {
    each_backend(async |app| {
        let w = world(&app);
        let (tid, cid, app_id) = authorised(&app, &w).await;
        assert_eq!(app_state(&app, app_id), "developing");
        // A copy of the template's starting app, owned by the enterprise.
        let (org, pages): (i64, i64) = (
            apps::table
                .find(app_id)
                .select(apps::org_id)
                .first(&mut *app.conn())
                .expect("org"),
            fenfa::db::schema::pages::table
                .filter(fenfa::db::schema::pages::app_id.eq(app_id))
                .count()
                .get_result(&mut *app.conn())
                .expect("pages"),
        );
        assert_eq!((org, pages), (w.enterprise, 1));
        // Members cannot use it while it is in development.
        let member = app.signed_in("cd.member").await;
        member
            .get("/workbench")
            .await
            .assert_lacks(&format!("/a/{app_id}\""));
        member
            .get(&format!("/a/{app_id}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // A second attempt shows the existing app and creates nothing.
        let eadmin = app.signed_in("cd.eadmin").await;
        let link = format!("/custom-dev/authorise/{}", token_of(&app, tid));
        eadmin.get(&link).await.assert_contains("已授权");
        eadmin.post(&link, &[]).await.assert_contains("已跳过");
        let n: i64 = cd_custom_apps::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 1);
        // After a cancellation, authorising again creates a new custom app.
        eadmin
            .post_ok(
                &format!("/org/custom-apps/{cid}/cancel"),
                &[("outcome", "keep")],
            )
            .await;
        eadmin.post_ok(&link, &[]).await;
        let (cid2, app2) = custom_app(&app, tid, w.enterprise).expect("again");
        assert_ne!((cid2, app2), (cid, app_id));
    })
    .await;
}

#[tokio::test]
async fn a_batch_takes_two_to_nine_live_templates_skips_those_authorised_and_expires_after_ten_days()
 {
    each_backend(async |app| {
        let w = world(&app);
        let padmin = app.signed_in("cd.padmin").await;
        let a = create_template(&padmin, "云创CRM", None).await;
        let b = create_template(&padmin, "云创ERP", None).await;
        let c = create_template(&padmin, "云创OA", None).await;
        // Only live templates can be chosen; one is not enough.
        make_live(&app, &padmin, a).await;
        padmin
            .post(
                "/provider/custom-dev/batch",
                &[("template", &a.to_string())],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("请选择 2–9 个已上线的模版");
        padmin
            .post(
                "/provider/custom-dev/batch",
                &[("template", &a.to_string()), ("template", &c.to_string())],
            )
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        make_live(&app, &padmin, b).await;
        let r = padmin
            .post(
                "/provider/custom-dev/batch",
                &[("template", &a.to_string()), ("template", &b.to_string())],
            )
            .await;
        let batch = id_after(&r, "/provider/custom-dev/batch/");
        let token: String = cd_batches::table
            .find(batch)
            .select(cd_batches::token)
            .first(&mut *app.conn())
            .expect("token");
        padmin
            .get(&format!("/provider/custom-dev/batch/{batch}"))
            .await
            .assert_contains(QR_CODE)
            .assert_contains(&token);
        // The enterprise already has template a's app: the batch creates b's only.
        let eadmin = app.signed_in("cd.eadmin").await;
        eadmin
            .post_ok(&format!("/custom-dev/authorise/{}", token_of(&app, a)), &[])
            .await;
        eadmin
            .post(&format!("/custom-dev/batch/{token}"), &[])
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("已跳过")
            .assert_contains("云创ERP");
        assert!(custom_app(&app, b, w.enterprise).is_some());
        let n: i64 = cd_custom_apps::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 2);
        // Ten days later the code says it expired and to ask the provider (an old
        // timestamp the product cannot produce: set directly).
        diesel::update(cd_batches::table.find(batch))
            .set(cd_batches::expires_at.eq(fenfa::db::now() - 1))
            .execute(&mut *app.conn())
            .expect("age");
        app.signed_in("cd.eplat")
            .await
            .get(&format!("/custom-dev/batch/{token}"))
            .await
            .assert_status(StatusCode::GONE)
            .assert_contains("已超过 10 天有效期")
            .assert_contains("云创科技");
    })
    .await;
}

#[tokio::test]
async fn the_provider_builds_the_app_under_the_authorisation_and_every_action_is_audited() {
    each_backend(async |app| {
        let w = world(&app);
        let (_, cid, app_id) = authorised(&app, &w).await;
        let padmin = app.signed_in("cd.padmin").await;
        configure(&padmin, cid)
            .await
            .assert_redirect(&format!("/provider/custom-dev/custom-apps/{cid}"));
        let dev = app.signed_in("cd.pdev").await;
        dev.post_ok(
            &format!("/provider/custom-dev/custom-apps/{cid}/enter"),
            &[],
        )
        .await;
        dev.get(&format!("/apps/{app_id}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(&format!("授权 #{cid}"));
        let r = dev
            .post(
                &format!("/apps/{app_id}/edit"),
                &[
                    ("name", "星河CRM"),
                    ("icon", "clipboard-list"),
                    ("color", "blue"),
                    ("description", "改版"),
                ],
            )
            .await;
        assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
        // The audit record was written with the action.
        let detail: String = audit_records::table
            .filter(audit_records::customer_org_id.eq(w.enterprise))
            .filter(audit_records::app_id.eq(app_id))
            .order(audit_records::id.desc())
            .select(audit_records::detail)
            .first(&mut *app.conn())
            .expect("audit");
        assert!(
            detail.contains(&format!("under authorisation #{cid}")) && detail.contains("cd.pdev"),
            "{detail}"
        );
        // Only that app exists for the developer inside the enterprise.
        dev.get("/apps")
            .await
            .assert_lacks("客户登记表")
            .assert_contains("星河CRM");
        // The enterprise sees the app and its audit trail.
        let eadmin = app.signed_in("cd.eadmin").await;
        eadmin
            .get("/maintenance/audit")
            .await
            .assert_contains("星河CRM");
        eadmin
            .get("/org/custom-apps")
            .await
            .assert_contains("星河CRM")
            .assert_contains("开发中");
    })
    .await;
}

#[tokio::test]
async fn cancelling_ends_the_providers_access_at_once_and_the_provider_cannot_delete() {
    each_backend(async |app| {
        let w = world(&app);
        let (_, cid, app_id) = authorised(&app, &w).await;
        let padmin = app.signed_in("cd.padmin").await;
        configure(&padmin, cid).await;
        let dev = app.signed_in("cd.pdev").await;
        dev.post_ok(
            &format!("/provider/custom-dev/custom-apps/{cid}/enter"),
            &[],
        )
        .await;
        // The provider has no way to remove the enterprise's app or its authorisation:
        // the enterprise's page does not exist for it.
        padmin
            .post(
                &format!("/org/custom-apps/{cid}/cancel"),
                &[("outcome", "delete")],
            )
            .await
            .assert_status(StatusCode::NOT_FOUND);
        assert_eq!(app_state(&app, app_id), "developing");
        assert!(
            fenfa::app::route_table()
                .table()
                .iter()
                .filter(|s| s.path.starts_with("/provider/custom-dev"))
                .all(|s| !s.path.contains("delete") && !s.path.contains("cancel")),
            "no provider route deletes or cancels"
        );
        let eadmin = app.signed_in("cd.eadmin").await;
        eadmin
            .post(&format!("/org/custom-apps/{cid}/cancel"), &[])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("请选择取消授权后如何处理该应用");
        eadmin
            .post_ok(
                &format!("/org/custom-apps/{cid}/cancel"),
                &[("outcome", "delete")],
            )
            .await;
        // The developer's next action is refused and the app is gone for them.
        let r = dev
            .post(
                &format!("/apps/{app_id}/edit"),
                &[
                    ("name", "取消之后"),
                    ("icon", "clipboard-list"),
                    ("color", "blue"),
                    ("description", ""),
                ],
            )
            .await;
        assert!(r.status.is_client_error(), "{}", r.status);
        let name: String = apps::table
            .find(app_id)
            .select(apps::name)
            .first(&mut *app.conn())
            .expect("name");
        assert_ne!(name, "取消之后");
        padmin
            .get(&format!("/provider/custom-dev/custom-apps/{cid}"))
            .await
            .assert_contains("已取消授权（应用已删除）");
        let told: i64 = notifications::table
            .filter(notifications::title.eq("customdev.notify.cancelled_deleted"))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(told, 1, "the provider's admin sees the outcome");
        // Deleted for the enterprise too.
        assert_eq!(app_state(&app, app_id), "deleted");
        eadmin
            .get(&format!("/apps/{app_id}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_provider_action_lands_after_the_enterprise_cancels() {
    each_backend(async |app| {
        let w = world(&app);
        let (_, cid, app_id) = authorised(&app, &w).await;
        let dev = app.signed_in("cd.pdev").await;
        dev.post_ok(
            &format!("/provider/custom-dev/custom-apps/{cid}/enter"),
            &[],
        )
        .await;
        let eadmin = app.signed_in("cd.eadmin").await;
        let rename = |i: usize| {
            let c = dev.clone();
            async move {
                c.post(
                    &format!("/apps/{app_id}/edit"),
                    &[
                        ("name", &format!("改名{i}")),
                        ("icon", "clipboard-list"),
                        ("color", "blue"),
                        ("description", ""),
                    ],
                )
                .await
                .status
            }
        };
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..20 {
            tasks.spawn(rename(i));
        }
        let cancel = {
            let c = eadmin.clone();
            tokio::spawn(async move {
                c.post(
                    &format!("/org/custom-apps/{cid}/cancel"),
                    &[("outcome", "keep")],
                )
                .await
            })
        };
        for i in 20..40 {
            tasks.spawn(rename(i));
        }
        assert!(cancel.await.expect("cancel").status.is_redirection());
        let at_cancel: String = apps::table
            .find(app_id)
            .select(apps::name)
            .first(&mut *app.conn())
            .expect("name");
        let (mut errors, mut landed) = (0, 0);
        while let Some(s) = tasks.join_next().await {
            let s = s.expect("task");
            if s.is_server_error() {
                errors += 1;
            } else if s.is_redirection() {
                landed += 1;
            }
        }
        let after: String = apps::table
            .find(app_id)
            .select(apps::name)
            .first(&mut *app.conn())
            .expect("name");
        assert_eq!(at_cancel, after, "a rename landed after the cancellation");
        assert_eq!(errors, 0);
        // Every rename that landed has its audit record, and no refused one has.
        let renames: i64 = audit_records::table
            .filter(audit_records::app_id.eq(app_id))
            .filter(audit_records::action.eq(format!("POST /apps/{app_id}/edit")))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(renames, landed);
        let _ = w;
    })
    .await;
}

#[tokio::test]
async fn an_app_goes_live_without_a_new_template_review_and_reaches_only_its_scope() {
    each_backend(async |app| {
        let w = world(&app);
        let (tid, cid, app_id) = authorised(&app, &w).await;
        let padmin = app.signed_in("cd.padmin").await;
        // Not configured yet: cannot be submitted.
        padmin
            .post(
                "/provider/custom-dev/golive/apps",
                &[("template_id", &tid.to_string()), ("app", &cid.to_string())],
            )
            .await
            .assert_status(StatusCode::CONFLICT);
        configure(&padmin, cid).await;
        // The template has a new version under review: the app still goes live.
        padmin
            .post_multipart(
                &format!("/provider/custom-dev/{tid}"),
                &fields("云创CRM2", "客户跟进管理", ""),
                &[],
            )
            .await;
        padmin
            .post_ok(
                "/provider/custom-dev/golive/templates",
                &[("template", &tid.to_string())],
            )
            .await;
        padmin
            .get(&format!("/provider/custom-dev/golive?template={tid}"))
            .await
            .assert_contains("星河制造 · 星河CRM");
        padmin
            .post_ok(
                "/provider/custom-dev/golive/apps",
                &[("template_id", &tid.to_string()), ("app", &cid.to_string())],
            )
            .await;
        let ticket = last_ticket(&app);
        app.signed_in("cd.op")
            .await
            .post_ok(
                &format!("/operator/custom-dev/tickets/{ticket}"),
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(
            app_state(&app, app_id),
            "developing",
            "approved is not live yet"
        );
        padmin
            .post_ok(&format!("/provider/custom-dev/tickets/{ticket}/live"), &[])
            .await;
        assert_eq!(app_state(&app, app_id), "enabled");
        // The enterprise's admins got the seed's message, pointing at the scope.
        let done: Vec<String> = notifications::table
            .filter(notifications::title.eq("customdev.notify.app_done"))
            .select(notifications::link)
            .load(&mut *app.conn())
            .expect("notes");
        assert_eq!(done.len(), 2, "main and platform admin");
        assert!(done.iter().all(|l| l == &format!("/apps/{app_id}/scope")));
        // Nobody is in scope yet: members get 404.
        let member = app.signed_in("cd.member").await;
        member
            .get(&format!("/a/{app_id}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // Start small: 销售部 only.
        let eadmin = app.signed_in("cd.eadmin").await;
        eadmin
            .post_ok(
                &format!("/apps/{app_id}/scope"),
                &[
                    ("scope_kind", "departments"),
                    ("department", &w.sales.to_string()),
                ],
            )
            .await;
        member
            .get("/workbench")
            .await
            .assert_contains(&format!("href=\"/a/{app_id}\""))
            .assert_contains("https://crm.example.com/xinghe");
        member
            .get(&format!("/a/{app_id}"))
            .await
            .assert_status(StatusCode::OK);
        let other = app.signed_in("cd.other").await;
        other
            .get(&format!("/a/{app_id}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // Someone who moves out of 销售部 loses it at once.
        let membership: i64 = memberships::table
            .inner_join(users::table)
            .filter(users::login.eq("cd.member"))
            .select(memberships::id)
            .first(&mut *app.conn())
            .expect("membership");
        eadmin
            .post_ok(
                &format!("/org/members/{membership}/department"),
                &[("department_id", &w.finance.to_string())],
            )
            .await;
        member
            .get(&format!("/a/{app_id}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn a_provider_has_at_most_three_test_organisations_which_authorise_only_its_templates() {
    each_backend(async |app| {
        let w = world(&app);
        let padmin = app.signed_in("cd.padmin").await;
        for n in 1..=3 {
            padmin
                .post_ok(
                    "/provider/custom-dev/test-orgs",
                    &[("name", &format!("测试企业{n}"))],
                )
                .await;
        }
        padmin
            .post("/provider/custom-dev/test-orgs", &[("name", "测试企业4")])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("最多创建 3 个测试企业");
        let test_org: i64 = orgs::table
            .filter(orgs::test_of_provider.eq(w.provider))
            .order(orgs::id.asc())
            .select(orgs::id)
            .first(&mut *app.conn())
            .expect("test org");
        let tid = create_template(&padmin, "云创CRM", None).await;
        make_live(&app, &padmin, tid).await;
        // Another provider's live template.
        let p2 = app.signed_in("cd.p2admin").await;
        let other = create_template(&p2, "别家ERP", None).await;
        make_live(&app, &p2, other).await;
        // The provider admin is the test organisation's main admin: switch and authorise.
        padmin
            .post_ok("/switch-org", &[("org_id", &test_org.to_string())])
            .await;
        padmin
            .post(
                &format!("/custom-dev/authorise/{}", token_of(&app, other)),
                &[],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("测试企业只能授权创建它的服务商的模版");
        padmin
            .post_ok(
                &format!("/custom-dev/authorise/{}", token_of(&app, tid)),
                &[],
            )
            .await;
        assert!(custom_app(&app, tid, test_org).is_some());
    })
    .await;
}

#[tokio::test]
async fn another_provider_or_enterprise_sees_none_of_it() {
    each_backend(async |app| {
        let w = world(&app);
        let (tid, cid, _) = authorised(&app, &w).await;
        let p2 = app.signed_in("cd.p2admin").await;
        for path in [
            format!("/provider/custom-dev/{tid}"),
            format!("/provider/custom-dev/{tid}/edit"),
            format!("/provider/custom-dev/custom-apps/{cid}"),
        ] {
            p2.get(&path).await.assert_status(StatusCode::NOT_FOUND);
        }
        p2.post(
            &format!("/provider/custom-dev/custom-apps/{cid}/enter"),
            &[],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        // Another organisation's admin cannot cancel the enterprise's authorisation.
        let other = app.org("别家企业", "dingcdother", "professional");
        app.person(other, "cd.oadmin", Role::MainAdmin);
        let oadmin = app.signed_in("cd.oadmin").await;
        oadmin
            .post(
                &format!("/org/custom-apps/{cid}/cancel"),
                &[("outcome", "delete")],
            )
            .await
            .assert_status(StatusCode::NOT_FOUND);
        oadmin.get("/org/custom-apps").await.assert_lacks("云创CRM");
        assert!(custom_app(&app, tid, w.enterprise).is_some());
    })
    .await;
}

#[tokio::test]
async fn a_trusted_domain_is_verified_only_when_it_serves_the_apps_token() {
    each_backend(async |app| {
        let w = world(&app);
        let (_, cid, _) = authorised(&app, &w).await;
        let padmin = app.signed_in("cd.padmin").await;
        configure(&padmin, cid).await;
        let token: String = cd_custom_apps::table
            .find(cid)
            .select(cd_custom_apps::domain_token)
            .first(&mut *app.conn())
            .expect("token");
        let page = format!("/provider/custom-dev/custom-apps/{cid}");
        padmin
            .get(&page)
            .await
            .assert_contains("https://crm.example.com/.well-known/fenfa-domain-verification.txt")
            .assert_contains(&token)
            .assert_contains("未验证");
        let verify = format!("{page}/verify-domain");
        // A host that answers something else: refused beside the field.
        let wrong = serving("not-the-token").await;
        let c = padmin.on(app.configured(|c| c.outbound_override = Some(wrong)));
        c.post(&verify, &[])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("id=\"e-trusted_domain\"")
            .assert_contains("未能在该域名的验证地址读到");
        // Without the override a provider cannot make Fenfa fetch from an internal
        // address: a name for 127.0.0.1 is refused before any request.
        padmin
            .post_multipart(
                &page,
                &[
                    ("name", "星河CRM"),
                    ("intro", "星河制造的客户跟进与回款管理"),
                    ("trusted_domain", "localhost.localdomain"),
                ],
                &[],
            )
            .await;
        padmin
            .post(&verify, &[])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("无法解析该域名，或它指向内部网络地址");
        configure(&padmin, cid).await;
        // The host that serves the token: verified.
        let right: &'static str = Box::leak(token.into_boxed_str());
        let good = serving(right).await;
        let c = padmin.on(app.configured(|c| c.outbound_override = Some(good)));
        c.post(&verify, &[]).await.assert_redirect(&page);
        padmin.get(&page).await.assert_contains("已验证");
    })
    .await;
}
