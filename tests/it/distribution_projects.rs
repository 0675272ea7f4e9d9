//! Provider projects (seed 000 step 1): the certification gate, the project form, the
//! operator's review, withdrawal, and who sees a project's details.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{notifications, project_events, projects};

use crate::support::distribution::{
    PDF, approve, approved_project, create_project, project_form, set_level, status_of, world,
};
use crate::support::{TestApp, each_backend};

fn project_count(app: &TestApp) -> i64 {
    projects::table
        .count()
        .get_result(&mut *app.conn())
        .expect("count")
}

#[tokio::test]
async fn only_certified_providers_distribute() {
    each_backend(async |app| {
        let w = world(&app);
        // An organisation that is not a certified provider: its admin gets the explanation.
        let plain = app.org("普通企业", "dingplain01", "professional");
        app.person(plain, "plainadmin", Role::MainAdmin);
        let c = app.signed_in("plainadmin").await;
        for path in [
            "/provider/projects",
            "/provider/projects/new",
            "/provider/orders",
            "/provider/links/new",
        ] {
            c.get(path)
                .await
                .assert_status(StatusCode::FORBIDDEN)
                .assert_contains("成为认证服务商")
                .assert_contains("中级及以上认证服务商")
                .assert_lacks("新建项目</a>");
        }
        c.post_multipart(
            "/provider/projects",
            &project_form("越权项目", "100", "dingcustomer01"),
            &[("contract", "c.pdf", "application/pdf", PDF)],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
        assert_eq!(project_count(&app), 0);

        // Certified but without the level, or a level without certification: no access.
        set_level(&app, plain, true, "none");
        c.get("/provider/projects")
            .await
            .assert_status(StatusCode::FORBIDDEN);
        set_level(&app, plain, false, "advanced");
        c.get("/provider/projects")
            .await
            .assert_status(StatusCode::FORBIDDEN);
        set_level(&app, w.provider, true, "intermediate");

        // A member without building rights of a certified provider: not a provider user.
        app.signed_in("pmember")
            .await
            .get("/provider/projects")
            .await
            .assert_status(StatusCode::FORBIDDEN);

        // The provider admin works; the developer sees the list but cannot create.
        let admin = app.signed_in("padmin").await;
        admin
            .get("/provider/projects")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("/provider/projects/new");
        admin
            .get(&format!("/apps/{}", w.app))
            .await
            .assert_contains("分发此应用")
            .assert_contains(&format!("/provider/links/new?app={}", w.app));
        let dev = app.signed_in("pdev").await;
        dev.get("/provider/projects")
            .await
            .assert_status(StatusCode::OK)
            .assert_lacks("/provider/projects/new");
        dev.post_multipart(
            "/provider/projects",
            &project_form("开发者项目", "100", "dingcustomer01"),
            &[("contract", "c.pdf", "application/pdf", PDF)],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
        assert_eq!(project_count(&app), 0);
        create_project(&admin, "正常项目", "dingcustomer01").await;
        assert_eq!(project_count(&app), 1);
    })
    .await;
}

#[tokio::test]
async fn contract_amount_must_be_positive_with_two_decimals() {
    each_backend(async |app| {
        world(&app);
        let c = app.signed_in("padmin").await;
        for bad in ["0", "-1", "1.234", "abc"] {
            let r = c
                .post_multipart(
                    "/provider/projects",
                    &project_form("金额测试", bad, "dingcustomer01"),
                    &[("contract", "c.pdf", "application/pdf", PDF)],
                )
                .await;
            r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains("id=\"e-amount\"")
                .assert_contains("aria-invalid=\"true\" aria-describedby=\"e-amount\"")
                // What was typed is kept; the file must be chosen again, and we say so.
                .assert_contains("value=\"金额测试\"")
                .assert_contains(&format!("value=\"{bad}\""))
                .assert_contains("请重新选择合同文件");
        }
        c.post_multipart(
            "/provider/projects",
            &project_form("金额测试", "0", "dingcustomer01"),
            &[("contract", "c.pdf", "application/pdf", PDF)],
        )
        .await
        .assert_contains("金额须大于 0");
        c.post_multipart(
            "/provider/projects",
            &project_form("金额测试", "1.234", "dingcustomer01"),
            &[("contract", "c.pdf", "application/pdf", PDF)],
        )
        .await
        .assert_contains("最多两位小数");
        assert_eq!(project_count(&app), 0);
        // A malformed CorpID is refused beside its field too.
        c.post_multipart(
            "/provider/projects",
            &project_form("金额测试", "10", "企业 编号"),
            &[("contract", "c.pdf", "application/pdf", PDF)],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("id=\"e-customer_corp_id\"");
        let id = create_project(&c, "金额测试", "dingcustomer01").await;
        let cents: i64 = projects::table
            .find(id)
            .select(projects::contract_amount_cents)
            .first(&mut *app.conn())
            .expect("project");
        assert_eq!(cents, 1_200_050);
        assert_eq!(status_of(&app, id), "pending");
    })
    .await;
}

#[tokio::test]
async fn a_contract_file_is_judged_by_its_content() {
    each_backend(async |app| {
        world(&app);
        let c = app.signed_in("padmin").await;
        let form = project_form("合同测试", "100", "dingcustomer01");
        let fake_png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR garbage";
        let too_big = {
            let mut v = PDF.to_vec();
            v.splice(9..9, std::iter::repeat_n(b' ', 2 * 1024 * 1024));
            v
        };
        let cases: [(&str, &str, &[u8], &str); 4] = [
            (
                "contract.pdf",
                "application/pdf",
                b"this is a text file renamed to .pdf",
                "文件内容不是有效的 PDF、PNG 或 JPEG",
            ),
            (
                "scan.png",
                "image/png",
                fake_png,
                "文件内容不是有效的 PDF、PNG 或 JPEG",
            ),
            ("big.pdf", "application/pdf", &too_big, "文件超过大小上限"),
            ("", "application/octet-stream", b"", "请上传项目合同文件"),
        ];
        for (name, ctype, bytes, msg) in cases {
            c.post_multipart(
                "/provider/projects",
                &form,
                &[("contract", name, ctype, bytes)],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("id=\"e-contract\"")
            .assert_contains(msg);
        }
        assert_eq!(project_count(&app), 0);
        // A real PDF named .txt is accepted: the content decides, and it is stored as a PDF.
        let r = c
            .post_multipart(
                "/provider/projects",
                &form,
                &[("contract", "合同.txt", "text/plain", PDF)],
            )
            .await;
        r.assert_redirect("/provider/projects/");
        let file = c.get(&format!("{}/contract", r.location())).await;
        file.assert_status(StatusCode::OK);
        assert_eq!(
            file.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/pdf")
        );
    })
    .await;
}

#[tokio::test]
async fn a_submitted_project_cannot_be_edited_and_says_so_only_while_under_review() {
    each_backend(async |app| {
        world(&app);
        let c = app.signed_in("padmin").await;
        let id = create_project(&c, "不可修改", "dingcustomer01").await;
        c.get(&format!("/provider/projects/{id}"))
            .await
            .assert_contains("项目提交后不能修改")
            .assert_lacks(&format!("/provider/projects/{id}/edit"));
        for path in [
            format!("/provider/projects/{id}/edit"),
            format!("/provider/projects/{id}/update"),
        ] {
            let r = c.post(&path, &[("name", "改名"), ("amount", "1")]).await;
            assert!(
                matches!(
                    r.status,
                    StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
                ),
                "{path}: {}",
                r.status
            );
            assert_eq!(
                c.get(&path).await.status,
                StatusCode::NOT_FOUND,
                "{path} has no page"
            );
        }
        let r = c
            .post(&format!("/provider/projects/{id}"), &[("name", "改名")])
            .await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        let name: String = projects::table
            .find(id)
            .select(projects::name)
            .first(&mut *app.conn())
            .expect("project");
        assert_eq!(name, "不可修改");
        // Reviewed, the note has nothing left to warn about.
        approve(&app, id).await;
        c.get(&format!("/provider/projects/{id}"))
            .await
            .assert_lacks("项目提交后不能修改");
    })
    .await;
}

#[tokio::test]
async fn withdraw_only_while_pending() {
    each_backend(async |app| {
        world(&app);
        let c = app.signed_in("padmin").await;
        let id = create_project(&c, "撤销测试", "dingcustomer01").await;
        // Another admin of the organisation is not the creator.
        app.signed_in("padmin2")
            .await
            .post(&format!("/provider/projects/{id}/withdraw"), &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        assert_eq!(status_of(&app, id), "pending");
        c.post(&format!("/provider/projects/{id}/withdraw"), &[])
            .await
            .assert_redirect(&format!("/provider/projects/{id}"));
        assert_eq!(status_of(&app, id), "withdrawn");
        c.get(&format!("/provider/projects/{id}"))
            .await
            .assert_contains("已撤销")
            .assert_contains("撤销立项");
        c.post(&format!("/provider/projects/{id}/withdraw"), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("只有审核中的项目可以撤销");
        // Nor once decided; and the operator cannot approve a withdrawn project.
        let op = app.signed_in("op").await;
        op.post(&format!("/operator/reviews/{id}/approve"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        assert_eq!(status_of(&app, id), "withdrawn");
        let approved = approved_project(&app, &c).await;
        c.post(&format!("/provider/projects/{approved}/withdraw"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        assert_eq!(status_of(&app, approved), "approved");
        // Withdrawn projects stay in the list under their tab.
        c.get("/provider/projects?status=withdrawn")
            .await
            .assert_contains("撤销测试")
            .assert_lacks("星河设备项目");
    })
    .await;
}

#[tokio::test]
async fn only_the_creator_sees_project_details() {
    each_backend(async |app| {
        world(&app);
        let c = app.signed_in("padmin").await;
        let id = approved_project(&app, &c).await;
        c.get(&format!("/provider/projects/{id}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("交易时间线")
            .assert_contains("提交立项审批")
            .assert_contains("立项审批通过");
        for login in ["padmin2", "pdev"] {
            let other = app.signed_in(login).await;
            other
                .get(&format!("/provider/projects/{id}"))
                .await
                .assert_status(StatusCode::FORBIDDEN)
                .assert_contains("无法查看项目详情");
            other
                .get(&format!("/provider/projects/{id}/contract"))
                .await
                .assert_status(StatusCode::FORBIDDEN);
            // The list shows the project with the details action disabled and why, and
            // the distribution link action enabled.
            other
                .get("/provider/projects")
                .await
                .assert_contains("星河设备项目")
                .assert_contains("disabled title=\"平台管理员默认可以查看所有人创建的项目列表")
                .assert_lacks(&format!("href=\"/provider/projects/{id}\""))
                .assert_contains(&format!("/provider/links/new?project={id}"));
        }
        c.get("/provider/projects")
            .await
            .assert_contains(&format!("href=\"/provider/projects/{id}\""));
        c.get(&format!("/provider/projects/{id}/contract"))
            .await
            .assert_status(StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn the_operator_review_queue_is_oldest_first_and_approves_exactly_once() {
    each_backend(async |app| {
        let w = world(&app);
        let c = app.signed_in("padmin").await;
        let newer = create_project(&c, "后提交的项目", "dingcustomer01").await;
        let older = create_project(&c, "先提交的项目", "dingcustomer01").await;
        // The second one was in fact submitted three days earlier (overdue).
        diesel::update(projects::table.find(older))
            .set(projects::created_at.eq(fenfa::db::now() - 5 * 86_400))
            .execute(&mut *app.conn())
            .expect("age");
        c.get("/operator/reviews")
            .await
            .assert_status(StatusCode::FORBIDDEN);
        let op = app.signed_in("op").await;
        let q = op.get("/operator/reviews").await;
        q.assert_status(StatusCode::OK)
            .assert_contains("已超时")
            .assert_contains("一个工作日");
        let a = q.body.find("先提交的项目").expect("older listed");
        let b = q.body.find("后提交的项目").expect("newer listed");
        assert!(a < b, "oldest first");
        op.get(&format!("/operator/reviews/{older}"))
            .await
            .assert_contains(&format!("/operator/reviews/{older}/contract"))
            .assert_contains("12000.50");
        op.get(&format!("/operator/reviews/{older}/contract"))
            .await
            .assert_status(StatusCode::OK);
        op.post(&format!("/operator/reviews/{older}/approve"), &[])
            .await
            .assert_redirect("/operator/reviews");
        op.post(&format!("/operator/reviews/{older}/approve"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        op.post(
            &format!("/operator/reviews/{older}/reject"),
            &[("reason", "too late")],
        )
        .await
        .assert_status(StatusCode::CONFLICT);
        assert_eq!(status_of(&app, older), "approved");
        assert_eq!(status_of(&app, newer), "pending");
        let approvals: i64 = project_events::table
            .filter(project_events::project_id.eq(older))
            .filter(project_events::kind.eq("approved"))
            .count()
            .get_result(&mut *app.conn())
            .expect("events");
        assert_eq!(approvals, 1);
        let notes: Vec<String> = notifications::table
            .filter(notifications::user_id.eq(w.padmin))
            .filter(notifications::org_id.eq(w.provider))
            .select(notifications::title)
            .load(&mut *app.conn())
            .expect("notes");
        assert_eq!(notes, vec!["distribution.notify.approved".to_string()]);
        c.get("/notifications")
            .await
            .assert_contains("立项审批已通过");
        // The queue no longer shows it; unknown ids are 404.
        op.get("/operator/reviews")
            .await
            .assert_lacks("先提交的项目");
        op.post("/operator/reviews/999999/approve", &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn reject_needs_a_reason() {
    each_backend(async |app| {
        let w = world(&app);
        let c = app.signed_in("padmin").await;
        let id = create_project(&c, "驳回测试", "dingcustomer01").await;
        let op = app.signed_in("op").await;
        op.post(
            &format!("/operator/reviews/{id}/reject"),
            &[("reason", "  ")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("驳回时必须填写原因");
        assert_eq!(status_of(&app, id), "pending");
        op.post(
            &format!("/operator/reviews/{id}/reject"),
            &[("reason", "合同金额与合同文件不一致")],
        )
        .await
        .assert_redirect("/operator/reviews");
        assert_eq!(status_of(&app, id), "rejected");
        // The rejected project stays visible with its reason.
        c.get("/provider/projects?status=rejected")
            .await
            .assert_contains("驳回测试")
            .assert_contains("合同金额与合同文件不一致");
        c.get(&format!("/provider/projects/{id}"))
            .await
            .assert_contains("合同金额与合同文件不一致");
        let n: i64 = notifications::table
            .filter(notifications::user_id.eq(w.padmin))
            .filter(notifications::title.eq("distribution.notify.rejected"))
            .count()
            .get_result(&mut *app.conn())
            .expect("notes");
        assert_eq!(n, 1);
    })
    .await;
}

#[tokio::test]
async fn another_providers_project_is_not_found() {
    each_backend(async |app| {
        let w = world(&app);
        let c = app.signed_in("padmin").await;
        let id = approved_project(&app, &c).await;
        let rival = app.org("竞对服务商", "dingrival01", "exclusive");
        set_level(&app, rival, true, "advanced");
        app.person(rival, "rival", Role::MainAdmin);
        let r = app.signed_in("rival").await;
        r.get(&format!("/provider/projects/{id}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        r.get(&format!("/provider/projects/{id}/contract"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        r.post(&format!("/provider/projects/{id}/withdraw"), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        r.post(
            &format!("/provider/projects/{id}/close"),
            &[
                ("delivery_date", "2026-12-01"),
                ("summary", "x"),
                ("acceptance", "passed"),
            ],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        let pid = id.to_string();
        let aid = w.app.to_string();
        r.post(
            "/provider/links",
            &[("project_id", pid.as_str()), ("app_id", aid.as_str())],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        r.get("/provider/projects")
            .await
            .assert_status(StatusCode::OK)
            .assert_lacks("星河设备项目");
        assert_eq!(status_of(&app, id), "approved");
    })
    .await;
}

#[tokio::test]
async fn the_operator_lists_the_projects_already_reviewed_latest_decision_first() {
    each_backend(async |app| {
        world(&app);
        let c = app.signed_in("padmin").await;
        let approved = create_project(&c, "已通过项目", "dingcustomer01").await;
        let rejected = create_project(&c, "已驳回项目", "dingcustomer01").await;
        let waiting = create_project(&c, "待审项目", "dingcustomer01").await;
        let op = app.signed_in("op").await;
        op.get("/operator/reviews/done")
            .await
            .assert_contains("还没有审核过的项目");
        approve(&app, approved).await;
        op.post(
            &format!("/operator/reviews/{rejected}/reject"),
            &[("reason", "合同金额与合同文件不一致")],
        )
        .await
        .assert_redirect("/operator/reviews");
        // Decided in the same second: the later id comes first.
        let page = op.get("/operator/reviews/done").await;
        page.assert_status(StatusCode::OK)
            .assert_contains("合同金额与合同文件不一致")
            .assert_contains(">Operator<")
            .assert_lacks("待审项目");
        let (a, r) = (
            page.body.find("已通过项目").expect("approved listed"),
            page.body.find("已驳回项目").expect("rejected listed"),
        );
        assert!(r < a, "latest decision first");
        op.get("/operator/reviews")
            .await
            .assert_contains("待审项目")
            .assert_lacks("已通过项目")
            .assert_contains("href=\"/operator/reviews/done\"");
        assert_eq!(status_of(&app, waiting), "pending");
        // Nobody but the operator sees it.
        let refused = c.get("/operator/reviews/done").await;
        assert!(refused.status.is_client_error(), "{}", refused.status);
        assert!(!refused.body.contains("已通过项目"));
    })
    .await;
}

#[tokio::test]
async fn a_status_tab_counts_up_to_99_and_then_reads_99_plus() {
    each_backend(async |app| {
        world(&app);
        let c = app.signed_in("padmin").await;
        let first = create_project(&c, "甲项目", "dingcustomer01").await;
        // 99 more pending projects like the first (copied in the database: the form is
        // tested above), then one approved.
        for _ in 0..99 {
            diesel::sql_query(format!(
                "INSERT INTO projects (provider_org_id, creator_id, name, description, \
                 contract_amount_cents, contract_file_id, customer_name, customer_corp_id, \
                 status, review_reason, closing_delivery_date, closing_summary, \
                 closing_acceptance, created_at) SELECT provider_org_id, creator_id, name, \
                 description, contract_amount_cents, contract_file_id, customer_name, \
                 customer_corp_id, status, review_reason, closing_delivery_date, \
                 closing_summary, closing_acceptance, created_at FROM projects WHERE id = {first}"
            ))
            .execute(&mut *app.conn())
            .expect("copy");
        }
        let page = c.get("/provider/projects").await;
        page.assert_contains("审核中 <span class=\"count\">99+</span>")
            .assert_contains("全部 <span class=\"count\">99+</span>");
        approve(&app, first).await;
        c.get("/provider/projects")
            .await
            .assert_contains("审核中 <span class=\"count\">99</span>")
            .assert_contains("已通过 <span class=\"count\">1</span>")
            .assert_contains("全部 <span class=\"count\">99+</span>");
    })
    .await;
}

#[tokio::test]
async fn the_project_lists_status_tabs_show_their_counts_under_the_search_and_mark_the_active_one()
{
    each_backend(async |app| {
        world(&app);
        let c = app.signed_in("padmin").await;
        let a = create_project(&c, "甲项目", "dingcustomer01").await;
        let b = create_project(&c, "乙项目", "dingcustomer01").await;
        create_project(&c, "丙项目", "dingother99").await;
        approve(&app, a).await;
        let page = c.get("/provider/projects").await;
        page.assert_contains("全部 <span class=\"count\">3</span>")
            .assert_contains("已通过 <span class=\"count\">1</span>");
        let active = |r: &crate::support::Resp, label: &str| {
            r.body.contains(&format!(
                "aria-current=\"page\">{label} <span class=\"count\">"
            ))
        };
        assert!(active(&page, "全部"), "the all tab is marked");
        // The counts follow the search; the chosen tab is the one marked.
        let searched = c
            .get("/provider/projects?status=pending&q=dingcustomer01")
            .await;
        searched
            .assert_contains("全部 <span class=\"count\">2</span>")
            .assert_contains("已通过 <span class=\"count\">1</span>");
        assert!(!active(&searched, "全部"));
        let pending_label = fenfa::i18n::Lang::Zh.t("distribution.status.pending");
        assert!(
            active(&searched, &pending_label),
            "{pending_label} is marked"
        );
        // The plain list's counts follow every change of status.
        c.post(&format!("/provider/projects/{b}/withdraw"), &[])
            .await;
        assert_eq!(status_of(&app, b), "withdrawn");
        let withdrawn = fenfa::i18n::Lang::Zh.t("distribution.status.withdrawn");
        c.get("/provider/projects")
            .await
            .assert_contains("全部 <span class=\"count\">3</span>")
            .assert_contains(&format!("{pending_label} <span class=\"count\">1</span>"))
            .assert_contains(&format!("{withdrawn} <span class=\"count\">1</span>"));
    })
    .await;
}

#[tokio::test]
async fn a_project_submitted_a_moment_ago_reads_just_now_in_the_list_and_on_its_page() {
    each_backend(async |app| {
        world(&app);
        let c = app.signed_in("padmin").await;
        let id = create_project(&c, "刚提交的项目", "dingcustomer01").await;
        c.get("/provider/projects").await.assert_contains("刚刚");
        c.get(&format!("/provider/projects/{id}"))
            .await
            .assert_contains("刚刚");
        c.post_ok("/lang", &[("lang", "en"), ("next", "/")]).await;
        c.get("/provider/projects")
            .await
            .assert_contains("just now");
    })
    .await;
}

#[tokio::test]
async fn empty_project_and_order_lists_say_what_to_do_next_with_its_button() {
    each_backend(async |app| {
        world(&app);
        let c = app.signed_in("padmin").await;
        c.get("/provider/projects")
            .await
            .assert_contains("还没有项目")
            .assert_contains("<a role=\"button\" href=\"/provider/projects/new\">");
        c.get("/provider/orders")
            .await
            .assert_contains("还没有订单")
            .assert_contains("href=\"/provider/projects\">前往项目管理");
        // A search that finds nothing says so and leads back to all.
        create_project(&c, "有一个项目", "dingcustomer01").await;
        c.get("/provider/projects?q=nobody")
            .await
            .assert_contains("没有符合条件的项目")
            .assert_lacks("还没有项目");
    })
    .await;
}
