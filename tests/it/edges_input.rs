//! Input edges: ids in paths that are not numbers, text that PostgreSQL cannot store
//! (NUL) or that is not text at all (broken UTF-8), and uploaded file names that would
//! read backwards on screen. Each is answered the same way on both backends, with a
//! localised page, and nothing is written.

use axum::body::Body;
use axum::http::{StatusCode, header};
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{attachments, departments};

use crate::support::distribution::{PDF, project_form, world};
use crate::support::{Client, Resp, TestApp, each_backend};

fn department_count(app: &TestApp) -> i64 {
    departments::table
        .count()
        .get_result(&mut *app.conn())
        .expect("count")
}

/// An admin of an organisation with nothing in it yet.
async fn admin(app: &TestApp) -> Client {
    let org = app.org("星河制造", "dingcustomer01", "professional");
    app.person(org, "cadmin", Role::MainAdmin);
    app.signed_in("cadmin").await
}

/// A URL-encoded POST with exactly these bytes as its body.
async fn post_raw(c: &Client, path: &str, body: &'static [u8]) -> Resp {
    c.send(
        c.request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .header(header::ORIGIN, "http://localhost")
            .body(Body::from(body))
            .expect("req"),
    )
    .await
}

#[track_caller]
fn is_a_page(r: &Resp) {
    let ctype = r
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(ctype.starts_with("text/html"), "{ctype}: {}", r.body);
}

#[tokio::test]
async fn a_path_id_that_is_not_a_number_answers_the_localised_not_found_page() {
    each_backend(async |app| {
        let c = admin(&app).await;
        for path in [
            "/apps/abc",
            "/org/members/1x",
            "/apps/99999999999999999999999",
        ] {
            let r = c.get(path).await;
            r.assert_status(StatusCode::NOT_FOUND)
                .assert_contains("页面不存在，或你无权访问。")
                .assert_lacks("Invalid URL");
            is_a_page(&r);
        }
    })
    .await;
}

#[tokio::test]
async fn text_with_a_nul_character_is_refused_with_a_localised_page_and_nothing_is_written() {
    each_backend(async |app| {
        let c = admin(&app).await;
        let before = department_count(&app);
        let r = c.post("/org/departments", &[("name", "研发\0部")]).await;
        r.assert_status(StatusCode::BAD_REQUEST)
            .assert_contains("提交的文字中含有空字符（NUL），已拒绝。");
        is_a_page(&r);
        // In a query string too (a search box), and in a multipart form's text.
        c.get("/org/members?q=%00")
            .await
            .assert_status(StatusCode::BAD_REQUEST)
            .assert_contains("空字符");
        assert_eq!(department_count(&app), before);
        c.post("/org/departments", &[("name", "研发部")])
            .await
            .assert_redirect("/org/departments");
        assert_eq!(department_count(&app), before + 1);
    })
    .await;
}

#[tokio::test]
async fn a_multipart_text_field_with_a_nul_character_is_refused() {
    each_backend(async |app| {
        world(&app);
        let c = app.signed_in("padmin").await;
        c.post_multipart(
            "/provider/projects",
            &project_form("星河\0项目", "12000.50", "dingcustomer01"),
            &[("contract", "contract.pdf", "application/pdf", PDF)],
        )
        .await
        .assert_status(StatusCode::BAD_REQUEST)
        .assert_contains("空字符");
        let files: i64 = attachments::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(files, 0);
    })
    .await;
}

#[tokio::test]
async fn a_form_body_that_is_not_utf8_answers_a_clear_localised_bad_request() {
    each_backend(async |app| {
        let c = admin(&app).await;
        let before = department_count(&app);
        for body in [&b"name=%FF%FE%FD"[..], &b"name=\xE7\xA0\x94\xFF"[..]] {
            let r = post_raw(&c, "/org/departments", body).await;
            r.assert_status(StatusCode::BAD_REQUEST)
                .assert_contains("提交的内容不是有效的 UTF-8 文本");
            is_a_page(&r);
        }
        assert_eq!(department_count(&app), before);
    })
    .await;
}

#[tokio::test]
async fn uploaded_file_names_lose_bidirectional_and_control_characters() {
    each_backend(async |app| {
        world(&app);
        let c = app.signed_in("padmin").await;
        let spoofed = "合同\u{202E}fdp\u{2066}.exe\u{2069}\u{202A}\u{202B}\u{202C}\u{202D}\u{2067}\u{2068}.pdf";
        let r = c
            .post_multipart(
                "/provider/projects",
                &project_form("星河设备项目", "12000.50", "dingcustomer01"),
                &[("contract", spoofed, "application/pdf", PDF)],
            )
            .await;
        r.assert_redirect("/provider/projects/");
        let name: String = attachments::table
            .select(attachments::filename)
            .first(&mut *app.conn())
            .expect("the contract");
        assert_eq!(name, "合同fdp.exe.pdf");
        assert!(
            !name.chars().any(|ch| ch.is_control()
                || ('\u{202A}'..='\u{202E}').contains(&ch)
                || ('\u{2066}'..='\u{2069}').contains(&ch))
        );
    })
    .await;
}
