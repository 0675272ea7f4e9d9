//! Filling in forms, what a member sees, data management, CSV export, reports, custom
//! pages, files and automations.

use axum::http::{StatusCode, header};
use diesel::prelude::*;
use fenfa::apps::app::{FieldKind, PageKind};
use fenfa::apps::store;
use fenfa::auth::Role;
use fenfa::db::schema::{apps, notifications, pages, submissions};

use crate::support::apps::{app_with_page, automation, png, scope, submission_id, template};
use crate::support::each_backend;

fn every_kind() -> Vec<(&'static str, FieldKind, bool, &'static str)> {
    vec![
        ("事由", FieldKind::Text, true, ""),
        ("说明", FieldKind::Textarea, false, ""),
        ("金额", FieldKind::Number, true, ""),
        ("日期", FieldKind::Date, true, ""),
        ("类别", FieldKind::Select, true, "办公用品\n电脑设备"),
        ("负责人", FieldKind::Member, true, ""),
        ("附件", FieldKind::Attachment, false, ""),
        ("照片", FieldKind::Image, false, ""),
    ]
}

#[tokio::test]
async fn every_field_kind_is_checked_and_the_errors_sit_beside_the_fields() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let other = app.org("Other", "ding002", "professional");
        let admin = app.person(org, "boss", Role::MainAdmin);
        let alice = app.person(org, "alice", Role::Member);
        let outsider = app.person(other, "olga", Role::Member);
        let fx = app_with_page(&app, org, admin, PageKind::Form, &every_kind());
        let c = app.signed_in("alice").await;
        c.get(&fx.url())
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("事由")
            .assert_contains("电脑设备")
            .assert_contains(">alice (alice)</option>");

        let outsider_id = outsider.to_string();
        let r = c
            .post_multipart(
                &fx.url(),
                &[
                    (&fx.f(0), "  "),
                    (&fx.f(2), "12元"),
                    (&fx.f(3), "2026-02-30"),
                    (&fx.f(4), "零食"),
                    (&fx.f(5), &outsider_id),
                ],
                &[(&fx.f(7), "cat.png", "image/png", b"not an image at all")],
            )
            .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("此项为必填项")
            .assert_contains("请输入数字")
            .assert_contains("请输入有效日期")
            .assert_contains("请从选项中选择")
            .assert_contains("请选择本组织的成员")
            .assert_contains("请上传有效的图片")
            .assert_contains("需要重新选择")
            // What was typed is kept.
            .assert_contains("value=\"12元\"")
            .assert_contains("value=\"2026-02-30\"")
            .assert_contains(&format!("id=\"e-{}\"", fx.f(2)));

        // A PNG header glued to garbage is not an image; a file over the limit is refused.
        let mut fake = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        fake.extend_from_slice(&[7u8; 200]);
        let big = vec![b'a'; app.state.config.max_upload_bytes() + 1];
        let long = "字".repeat(201);
        let alice_id = alice.to_string();
        let r = c
            .post_multipart(
                &fx.url(),
                &[
                    (&fx.f(0), &long),
                    (&fx.f(2), "12.5"),
                    (&fx.f(3), "2026-02-28"),
                    (&fx.f(4), "电脑设备"),
                    (&fx.f(5), &alice_id),
                ],
                &[
                    (&fx.f(6), "big.bin", "application/octet-stream", &big),
                    (&fx.f(7), "fake.png", "image/png", &fake),
                ],
            )
            .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("单行文本最多 200 个字")
            .assert_contains("文件过大")
            .assert_contains("请上传有效的图片")
            .assert_contains("value=\"12.5\"")
            .assert_contains("<option value=\"电脑设备\" selected>");
        let n: i64 = submissions::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 0, "nothing is stored when the form is refused");
    })
    .await;
}

#[tokio::test]
async fn a_valid_form_is_stored_with_its_files_and_shown_with_names_and_links() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let admin = app.person(org, "boss", Role::MainAdmin);
        let alice = app.person(org, "alice", Role::Member);
        let fx = app_with_page(&app, org, admin, PageKind::Form, &every_kind());
        let c = app.signed_in("alice").await;
        let admin_id = admin.to_string();
        let r = c
            .post_multipart(
                &fx.url(),
                &[
                    (&fx.f(0), "买电脑"),
                    (&fx.f(1), "第二行"),
                    (&fx.f(2), "4999.5"),
                    (&fx.f(3), "2026-03-01"),
                    (&fx.f(4), "电脑设备"),
                    (&fx.f(5), &admin_id),
                ],
                &[
                    (&fx.f(6), "报价单.txt", "text/plain", b"price list"),
                    (&fx.f(7), "photo.png", "image/png", &png()),
                ],
            )
            .await;
        r.assert_redirect("/submissions/");
        let id = submission_id(r.location());
        let (status, data, submitter): (String, String, i64) = submissions::table
            .find(id)
            .select((
                submissions::status,
                submissions::data,
                submissions::submitter_id,
            ))
            .first(&mut *app.conn())
            .expect("row");
        assert_eq!(status, "submitted");
        assert_eq!(submitter, alice);
        let values: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&data).expect("json");
        assert_eq!(values[&fx.fields[5].to_string()], admin_id);

        let page = c.get(&format!("/submissions/{id}")).await;
        page.assert_status(StatusCode::OK)
            .assert_contains("提交成功")
            .assert_contains("买电脑")
            .assert_contains("电脑设备")
            .assert_contains("<td>boss</td>")
            .assert_contains("报价单.txt");
        let file_id = &values[&fx.fields[6].to_string()];
        let image_id = &values[&fx.fields[7].to_string()];
        let f = c.get(&format!("/files/{file_id}")).await;
        f.assert_status(StatusCode::OK);
        assert_eq!(f.body, "price list");
        let disposition = f.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("header");
        assert!(disposition.starts_with("attachment"), "{disposition}");
        assert_eq!(f.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let img = c.get(&format!("/files/{image_id}")).await;
        img.assert_status(StatusCode::OK);
        assert_eq!(img.headers[header::CONTENT_TYPE], "image/png");

        // The file is also open to the app admin, but not to another member.
        app.person(org, "carol", Role::Member);
        let carol = app.signed_in("carol").await;
        carol
            .get(&format!("/files/{file_id}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        carol
            .get(&format!("/submissions/{id}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let boss = app.signed_in("boss").await;
        boss.get(&format!("/files/{file_id}"))
            .await
            .assert_status(StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn a_member_sees_only_their_own_submissions() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let admin = app.person(org, "boss", Role::MainAdmin);
        app.person(org, "alice", Role::Member);
        app.person(org, "bob", Role::Member);
        let fx = app_with_page(
            &app,
            org,
            admin,
            PageKind::Form,
            &[("事由", FieldKind::Text, true, "")],
        );
        let alice = app.signed_in("alice").await;
        let bob = app.signed_in("bob").await;
        let r = alice
            .post_multipart(&fx.url(), &[(&fx.f(0), "alice 的申请")], &[])
            .await;
        let id = submission_id(r.location());
        bob.post_multipart(&fx.url(), &[(&fx.f(0), "bob 的申请")], &[])
            .await;
        alice
            .get("/submissions")
            .await
            .assert_contains(&format!("/submissions/{id}"))
            .assert_contains("采购申请")
            .assert_contains("已提交");
        let bobs = bob.get("/submissions").await;
        bobs.assert_lacks(&format!("href=\"/submissions/{id}\""));
        bob.get(&format!("/submissions/{id}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn data_management_needs_app_admin_rights() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let admin = app.person(org, "boss", Role::MainAdmin);
        app.person(org, "alice", Role::Member);
        let fx = app_with_page(
            &app,
            org,
            admin,
            PageKind::Form,
            &[("事由", FieldKind::Text, true, "")],
        );
        let alice = app.signed_in("alice").await;
        alice
            .post_multipart(&fx.url(), &[(&fx.f(0), "买纸")], &[])
            .await;
        let url = format!("/f/{}/data", fx.page.id);
        alice
            .get(&url)
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("只有应用管理员");
        alice
            .get(&format!("{url}.csv"))
            .await
            .assert_status(StatusCode::FORBIDDEN);
        let boss = app.signed_in("boss").await;
        boss.get(&url)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("买纸")
            .assert_contains("<td>alice</td>");
    })
    .await;
}

#[tokio::test]
async fn data_filters_narrow_the_rows_by_status_submitter_date_and_keyword() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let admin = app.person(org, "boss", Role::MainAdmin);
        let alice = app.person(org, "alice", Role::Member);
        app.person(org, "bob", Role::Member);
        let fx = app_with_page(
            &app,
            org,
            admin,
            PageKind::Form,
            &[("事由", FieldKind::Text, true, "")],
        );
        let a = app.signed_in("alice").await;
        let b = app.signed_in("bob").await;
        a.post_multipart(&fx.url(), &[(&fx.f(0), "采购-苹果")], &[])
            .await;
        let old = b
            .post_multipart(&fx.url(), &[(&fx.f(0), "采购-香蕉")], &[])
            .await;
        // One submission dated long ago, and one rejected.
        let old_id = submission_id(old.location());
        diesel::update(submissions::table.find(old_id))
            .set((
                submissions::created_at.eq(1_735_689_600),
                submissions::status.eq("rejected"),
            ))
            .execute(&mut *app.conn())
            .expect("backdate");
        let boss = app.signed_in("boss").await;
        let url = format!("/f/{}/data", fx.page.id);
        boss.get(&format!("{url}?q=%E8%8B%B9%E6%9E%9C"))
            .await
            .assert_contains("采购-苹果")
            .assert_lacks("采购-香蕉");
        boss.get(&format!("{url}?submitter={alice}"))
            .await
            .assert_contains("采购-苹果")
            .assert_lacks("采购-香蕉");
        boss.get(&format!("{url}?status=rejected"))
            .await
            .assert_contains("采购-香蕉")
            .assert_lacks("采购-苹果");
        boss.get(&format!("{url}?from=2025-01-01&to=2025-01-01"))
            .await
            .assert_contains("采购-香蕉")
            .assert_lacks("采购-苹果");
        boss.get(&format!("{url}?from=2026-01-01&status=&q="))
            .await
            .assert_contains("采购-苹果")
            .assert_lacks("采购-香蕉");
        // A keyword with LIKE wildcards is literal.
        boss.get(&format!("{url}?q=%25"))
            .await
            .assert_lacks("采购-苹果");
    })
    .await;
}

#[tokio::test]
async fn csv_export_has_a_bom_the_labels_and_escaped_formula_cells() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let admin = app.person(org, "boss", Role::MainAdmin);
        app.person(org, "alice", Role::Member);
        let fx = app_with_page(
            &app,
            org,
            admin,
            PageKind::Form,
            &[
                ("事由", FieldKind::Text, true, ""),
                ("金额", FieldKind::Number, false, ""),
            ],
        );
        let a = app.signed_in("alice").await;
        a.post_multipart(
            &fx.url(),
            &[(&fx.f(0), "=HYPERLINK(\"http://x\")"), (&fx.f(1), "-5")],
            &[],
        )
        .await;
        a.post_multipart(&fx.url(), &[(&fx.f(0), "@cmd"), (&fx.f(1), "3")], &[])
            .await;
        let boss = app.signed_in("boss").await;
        let r = boss.get(&format!("/f/{}/data.csv", fx.page.id)).await;
        r.assert_status(StatusCode::OK);
        assert!(
            r.headers[header::CONTENT_TYPE]
                .to_str()
                .expect("ct")
                .starts_with("text/csv")
        );
        assert!(r.body.starts_with('\u{feff}'), "starts with a BOM");
        let mut lines = r.body.trim_start_matches('\u{feff}').lines();
        assert_eq!(
            lines.next(),
            Some("编号,提交人,所在组织,提交时间,状态,事由,金额")
        );
        let body = r.body.clone();
        assert!(body.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{body}");
        assert!(body.contains(",'-5"), "{body}");
        assert!(body.contains(",'@cmd,3"), "{body}");
        assert!(body.contains("alice"), "{body}");
        // The same filters apply.
        let filtered = boss.get(&format!("/f/{}/data.csv?q=cmd", fx.page.id)).await;
        assert!(!filtered.body.contains("HYPERLINK"));
        assert!(filtered.body.contains("'@cmd"));
    })
    .await;
}

#[tokio::test]
async fn another_orgs_page_submission_and_file_ids_are_not_found() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let other = app.org("Other", "ding002", "professional");
        let admin = app.person(org, "boss", Role::MainAdmin);
        app.person(org, "alice", Role::Member);
        app.person(other, "olga", Role::MainAdmin);
        let fx = app_with_page(
            &app,
            org,
            admin,
            PageKind::Form,
            &[("附件", FieldKind::Attachment, true, "")],
        );
        let a = app.signed_in("alice").await;
        let r = a
            .post_multipart(&fx.url(), &[], &[(&fx.f(0), "a.txt", "text/plain", b"hi")])
            .await;
        let id = submission_id(r.location());
        let data: String = submissions::table
            .find(id)
            .select(submissions::data)
            .first(&mut *app.conn())
            .expect("data");
        let values: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&data).expect("json");
        let file_id = &values[&fx.fields[0].to_string()];
        let olga = app.signed_in("olga").await;
        for path in [
            fx.url(),
            format!("/f/{}/data", fx.page.id),
            format!("/a/{}", fx.app_id),
            format!("/submissions/{id}"),
            format!("/files/{file_id}"),
        ] {
            olga.get(&path).await.assert_status(StatusCode::NOT_FOUND);
        }
        olga.post_multipart(&fx.url(), &[], &[(&fx.f(0), "b.txt", "text/plain", b"x")])
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn an_automation_notifies_the_submitter_with_placeholders_filled() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let admin = app.person(org, "boss", Role::MainAdmin);
        let alice = app.person(org, "alice", Role::Member);
        let fx = app_with_page(
            &app,
            org,
            admin,
            PageKind::Form,
            &[
                ("事由", FieldKind::Text, true, ""),
                ("负责人", FieldKind::Member, true, ""),
            ],
        );
        let boss = app.signed_in("boss").await;
        let tpl = template(
            &app,
            &boss,
            fx.app_id,
            "收到",
            "已收到：{事由}",
            "负责人 {负责人} 会处理",
        )
        .await;
        automation(&boss, fx.app_id, "回执", fx.page.id, tpl).await;
        let a = app.signed_in("alice").await;
        let admin_id = admin.to_string();
        a.post_multipart(&fx.url(), &[(&fx.f(0), "买纸"), (&fx.f(1), &admin_id)], &[])
            .await
            .assert_redirect("/submissions/");
        let (title, body): (String, String) = notifications::table
            .filter(notifications::user_id.eq(alice))
            .select((notifications::title, notifications::body))
            .first(&mut *app.conn())
            .expect("notification");
        assert_eq!(title, "已收到：买纸");
        assert_eq!(body, "负责人 boss 会处理");
        let list = a.get("/notifications").await;
        list.assert_contains("已收到：买纸")
            .assert_contains("未读 1 条");
        a.post("/notifications/read-all", &[])
            .await
            .assert_redirect("/notifications");
        a.get("/notifications").await.assert_contains("未读 0 条");
    })
    .await;
}

#[tokio::test]
async fn a_report_counts_and_sums_by_group_from_finished_submissions_only() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let admin = app.person(org, "boss", Role::MainAdmin);
        app.person(org, "alice", Role::Member);
        let fx = app_with_page(
            &app,
            org,
            admin,
            PageKind::Form,
            &[
                ("城市", FieldKind::Select, true, "北京\n上海"),
                ("金额", FieldKind::Number, true, ""),
            ],
        );
        let a = app.signed_in("alice").await;
        for (city, amount) in [
            ("北京", "10"),
            ("北京", "2.5"),
            ("上海", "7"),
            ("上海", "100"),
        ] {
            a.post_multipart(&fx.url(), &[(&fx.f(0), city), (&fx.f(1), amount)], &[])
                .await
                .assert_redirect("/submissions/");
        }
        // A rejected submission does not count.
        diesel::update(submissions::table.filter(submissions::data.like("%100%")))
            .set(submissions::status.eq("rejected"))
            .execute(&mut *app.conn())
            .expect("reject");
        let report = |agg: &'static str, group: Option<i64>| {
            let mut conn = app.conn();
            let s = scope(org, admin);
            let a = store::find_app(&mut conn, &s, fx.app_id).expect("app");
            let id = store::add_page(&mut conn, &a, PageKind::Report, "统计", "").expect("page");
            diesel::update(pages::table.find(id))
                .set((
                    pages::report_form_id.eq(Some(fx.page.id)),
                    pages::report_group_field_id.eq(group),
                    pages::report_value_field_id.eq(Some(fx.fields[1])),
                    pages::report_agg.eq(agg),
                ))
                .execute(&mut *conn)
                .expect("configure");
            format!("/r/{id}")
        };
        let count = report("count", Some(fx.fields[0]));
        let sum = report("sum", Some(fx.fields[0]));
        let total = report("sum", None);
        a.get(&count)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("<td>北京</td><td>2</td>")
            .assert_contains("<td>上海</td><td>1</td>")
            .assert_contains("审批中和已拒绝的不计入");
        a.get(&sum)
            .await
            .assert_contains("<td>北京</td><td>12.5</td>")
            .assert_contains("<td>上海</td><td>7</td>");
        a.get(&total)
            .await
            .assert_contains("<td>合计</td><td>19.5</td>");
    })
    .await;
}

#[tokio::test]
async fn a_custom_page_strips_scripts() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let admin = app.person(org, "boss", Role::MainAdmin);
        app.person(org, "alice", Role::Member);
        let fx = app_with_page(&app, org, admin, PageKind::Form, &[]);
        let id = {
            let mut conn = app.conn();
            let s = scope(org, admin);
            let a = store::find_app(&mut conn, &s, fx.app_id).expect("app");
            store::add_page(
                &mut conn,
                &a,
                PageKind::Custom,
                "公告",
                "<p onclick=\"x()\">欢迎<b>使用</b></p><script>alert(1)</script><img src=x onerror=alert(2)>",
            )
            .expect("page")
        };
        let a = app.signed_in("alice").await;
        a.get(&format!("/p/{id}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("欢迎<b>使用</b>")
            .assert_lacks("<script>alert")
            .assert_lacks("onerror")
            .assert_lacks("onclick");
        // The app home lists the pages with their links.
        a.get(&format!("/a/{}", fx.app_id))
            .await
            .assert_contains(&format!("/p/{id}"))
            .assert_contains(&fx.url());
    })
    .await;
}

#[tokio::test]
async fn an_app_under_maintenance_is_hidden_from_ordinary_members() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let admin = app.person(org, "boss", Role::MainAdmin);
        app.person(org, "alice", Role::Member);
        let fx = app_with_page(
            &app,
            org,
            admin,
            PageKind::Form,
            &[("事由", FieldKind::Text, true, "")],
        );
        diesel::update(apps::table.find(fx.app_id))
            .set(apps::state.eq("maintenance"))
            .execute(&mut *app.conn())
            .expect("maintenance");
        let a = app.signed_in("alice").await;
        a.get("/workbench").await.assert_lacks("采购管理");
        a.get(&format!("/a/{}", fx.app_id))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        a.get(&fx.url()).await.assert_status(StatusCode::NOT_FOUND);
        a.post_multipart(&fx.url(), &[(&fx.f(0), "x")], &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let boss = app.signed_in("boss").await;
        boss.get(&fx.url()).await.assert_status(StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn a_process_form_without_approval_steps_refuses_submissions() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let admin = app.person(org, "boss", Role::MainAdmin);
        app.person(org, "alice", Role::Member);
        let fx = app_with_page(
            &app,
            org,
            admin,
            PageKind::Process,
            &[("事由", FieldKind::Text, true, "")],
        );
        let a = app.signed_in("alice").await;
        a.get(&fx.url()).await.assert_contains("尚未设置审批节点");
        a.post_multipart(&fx.url(), &[(&fx.f(0), "x")], &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("尚未设置审批节点");
        let n: i64 = submissions::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 0);
    })
    .await;
}

#[tokio::test]
async fn marking_someone_elses_notification_read_is_not_found() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let alice = app.person(org, "alice", Role::Member);
        app.person(org, "bob", Role::Member);
        let id: i64 = {
            let mut conn = app.conn();
            fenfa::notifications::store::notify(&mut conn, org, alice, "你好", "正文", "")
                .expect("notify");
            notifications::table
                .select(notifications::id)
                .first(&mut *conn)
                .expect("id")
        };
        let bob = app.signed_in("bob").await;
        bob.get("/notifications").await.assert_lacks("你好");
        bob.post(&format!("/notifications/{id}/read"), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let a = app.signed_in("alice").await;
        a.get("/notifications").await.assert_contains("你好");
        a.post(&format!("/notifications/{id}/read"), &[])
            .await
            .assert_redirect("/notifications");
        let read: bool = notifications::table
            .find(id)
            .select(notifications::read)
            .first(&mut *app.conn())
            .expect("read");
        assert!(read);
    })
    .await;
}
