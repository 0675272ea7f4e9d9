//! A refused form keeps its own address: the browser is sent back to the page the form was
//! on, which shows the refusal and what was typed, and a refresh does not post again.

use axum::body::Body;
use axum::http::{StatusCode, header};
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::departments;

use crate::support::{Client, Resp, each_backend, input_value};

/// A post from a page of the portal, with the Referer a browser sends.
async fn post_from(c: &Client, page: &str, path: &str, form: &[(&str, &str)]) -> Resp {
    let body = serde_urlencoded::to_string(form).expect("form");
    c.send(
        c.request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .header(header::ORIGIN, "http://localhost")
            .header(header::REFERER, format!("http://localhost{page}"))
            .body(Body::from(body))
            .expect("req"),
    )
    .await
}

#[tokio::test]
async fn a_refused_form_is_shown_at_its_own_address_and_a_refresh_does_not_post_again() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "boss", Role::MainAdmin);
        let c = app.signed_in("boss").await;
        let long = "部".repeat(31);
        let r = post_from(
            &c,
            "/org/departments?view=tree",
            "/org/departments",
            &[("name", &long), ("parent_id", "")],
        )
        .await;
        r.assert_status(StatusCode::SEE_OTHER);
        let back = r.location().to_string();
        assert!(
            back.starts_with("/org/departments?view=tree&refused="),
            "back to the form's page, its query kept: {back}"
        );
        // The form's page shows the refusal and what was typed, as often as it is reloaded.
        for _ in 0..2 {
            let page = c.get(&back).await;
            page.assert_status(StatusCode::OK)
                .assert_contains("部门名称须为 1–30 个字符");
            assert_eq!(
                input_value(&page.body, "name").as_deref(),
                Some(long.as_str())
            );
        }
        // The page itself, visited afresh, is a blank form.
        c.get("/org/departments")
            .await
            .assert_status(StatusCode::OK)
            .assert_lacks("部门名称须为 1–30 个字符");
        // Nobody else sees the kept page: it lives in the refused person's session.
        app.person(org, "other", Role::MainAdmin);
        let other = app.signed_in("other").await;
        other
            .get(&back)
            .await
            .assert_lacks("部门名称须为 1–30 个字符");
        let n: i64 = departments::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 0, "nothing was written");
        // A form that passes is not kept: it redirects where its handler says.
        post_from(
            &c,
            "/org/departments",
            "/org/departments",
            &[("name", "市场部"), ("parent_id", "")],
        )
        .await
        .assert_redirect("/org/departments");
    })
    .await;
}
