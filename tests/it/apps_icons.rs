//! An app's icon (应用图标): a glyph of the vendored set on one of the palette's colours,
//! or an uploaded image served only to whoever may see the app — and copies keep it.

use axum::http::{StatusCode, header};
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{apps, distribution_links, orders};

use crate::support::apps::png;
use crate::support::distribution::{deal, demo_login, sent};
use crate::support::{Client, Resp, TestApp, each_backend};

/// (glyph, colour, image key)
fn icon_of(app: &TestApp, id: i64) -> (String, String, String) {
    apps::table
        .find(id)
        .select((apps::icon_glyph, apps::icon_color, apps::icon_image))
        .first(&mut *app.conn())
        .expect("app")
}

fn app_count(app: &TestApp) -> i64 {
    apps::table
        .count()
        .get_result(&mut *app.conn())
        .expect("count")
}

fn id_after(location: &str) -> i64 {
    location
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("app id")
}

/// Creates an app as the browser sends the form (multipart), with `image` if given.
async fn create(c: &Client, glyph: &str, color: &str, image: Option<&[u8]>) -> Resp {
    let fields = [
        ("name", "设备巡检"),
        ("icon", glyph),
        ("color", color),
        ("description", "每日巡检"),
    ];
    match image {
        Some(bytes) => {
            c.post_multipart(
                "/apps/new",
                &fields,
                &[("image", "icon.png", "image/png", bytes)],
            )
            .await
        }
        None => c.post_multipart("/apps/new", &fields, &[]).await,
    }
}

fn image_src(page: &str, app_id: i64) -> String {
    let start = page
        .find(&format!("src=\"/a/{app_id}/icon?v="))
        .expect("the app's image on the page")
        + 5;
    let end = start + page[start..].find('"').expect("end of src");
    page[start..end].to_string()
}

/// An organisation with its admin, a member and a second organisation's admin.
fn orgs(app: &TestApp) {
    let org = app.org("星河制造", "dingxinghe", "professional");
    app.person(org, "boss", Role::MainAdmin);
    app.person(org, "staff", Role::Member);
    let rival = app.org("别家公司", "dingrival", "professional");
    app.person(rival, "rival", Role::MainAdmin);
}

#[tokio::test]
async fn a_chosen_glyph_and_colour_are_kept_and_shown() {
    each_backend(async |app: TestApp| {
        orgs(&app);
        let boss = app.signed_in("boss").await;
        let r = create(&boss, "truck", "teal", None).await;
        r.assert_redirect("/apps/");
        let id = id_after(r.location());
        assert_eq!(icon_of(&app, id), ("truck".into(), "teal".into(), "".into()));
        let drawn = "<span class=\"app-icon bg-teal\" aria-hidden=\"true\"><svg focusable=\"false\"><use href=\"/static/icons.svg#truck\">";
        boss.get(&format!("/apps/{id}"))
            .await
            .assert_contains(drawn)
            // The edit form offers the same choice again.
            .assert_contains("value=\"truck\" checked")
            .assert_contains("value=\"teal\" checked");
        boss.get("/apps").await.assert_contains(drawn);
        let staff = app.signed_in("staff").await;
        staff.get("/workbench").await.assert_contains(drawn);
        staff.get(&format!("/a/{id}")).await.assert_contains(drawn);
        // A URL-encoded post (no file) changes it as well.
        boss.post(
            &format!("/apps/{id}/edit"),
            &[
                ("name", "设备巡检"),
                ("icon", "factory"),
                ("color", "slate"),
                ("description", ""),
            ],
        )
        .await
        .assert_redirect(&format!("/apps/{id}"));
        assert_eq!(
            icon_of(&app, id),
            ("factory".into(), "slate".into(), "".into())
        );
        // No emoji left anywhere the app is drawn.
        let page = boss.get(&format!("/apps/{id}")).await;
        assert!(!page.body.contains('📋'), "an emoji is still drawn");
    })
    .await;
}

#[tokio::test]
async fn an_unknown_glyph_or_colour_is_refused_beside_its_field() {
    each_backend(async |app: TestApp| {
        orgs(&app);
        let boss = app.signed_in("boss").await;
        let before = app_count(&app);
        create(&boss, "🦄", "gold", None)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("<small id=\"e-icon\" class=\"field-error\">请选择一个图标。</small>")
            .assert_contains("<small id=\"e-color\" class=\"field-error\">请选择一种底色。</small>")
            .assert_contains("设备巡检");
        assert_eq!(app_count(&app), before);
        // A bad colour alone keeps the glyph chosen.
        create(&boss, "wallet", "#ffffff", None)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("value=\"wallet\" checked")
            .assert_contains("请选择一种底色")
            .assert_lacks("请选择一个图标");
        let id = id_after(create(&boss, "wallet", "green", None).await.location());
        boss.post(
            &format!("/apps/{id}/edit"),
            &[("name", "改名"), ("icon", "../menu"), ("color", "green")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请选择一个图标")
        .assert_contains("value=\"改名\"");
        assert_eq!(icon_of(&app, id).0, "wallet");
    })
    .await;
}

#[tokio::test]
async fn an_uploaded_image_is_served_to_who_may_see_the_app_and_to_no_other_tenant() {
    each_backend(async |app: TestApp| {
        orgs(&app);
        let boss = app.signed_in("boss").await;
        let r = create(&boss, "truck", "teal", Some(&png())).await;
        r.assert_redirect("/apps/");
        let id = id_after(r.location());
        let (_, _, key) = icon_of(&app, id);
        assert!(key.ends_with(".png"), "{key}");
        let page = boss.get(&format!("/apps/{id}")).await;
        // Beside the name it is decoration: an empty alt.
        page.assert_contains(&format!("<img class=\"app-icon\" src=\"/a/{id}/icon?v="))
            .assert_contains("alt=\"\"")
            // And the form offers to go back to the glyph.
            .assert_contains("name=\"remove_image\"");
        let src = image_src(&page.body, id);
        let img = boss.get(&src).await;
        img.assert_status(StatusCode::OK);
        assert_eq!(img.headers[header::CONTENT_TYPE], "image/png");
        let staff = app.signed_in("staff").await;
        staff.get("/workbench").await.assert_contains(&src);
        staff.get(&src).await.assert_status(StatusCode::OK);
        let rival = app.signed_in("rival").await;
        rival.get(&src).await.assert_status(StatusCode::NOT_FOUND);
        rival
            .get(&format!("/a/{id}/icon"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let anonymous = app.client().get(&src).await;
        assert!(anonymous.status.is_redirection(), "{}", anonymous.status);

        // Removing the image draws the glyph again, and the image is no longer served.
        boss.post_multipart(
            &format!("/apps/{id}/edit"),
            &[
                ("name", "设备巡检"),
                ("icon", "truck"),
                ("color", "teal"),
                ("remove_image", "1"),
            ],
            &[],
        )
        .await
        .assert_redirect(&format!("/apps/{id}"));
        assert_eq!(icon_of(&app, id).2, "");
        boss.get(&format!("/apps/{id}"))
            .await
            .assert_contains("icons.svg#truck")
            .assert_lacks("<img class=\"app-icon\"");
        boss.get(&src).await.assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn a_bad_file_type_or_an_oversized_image_is_refused_beside_the_field() {
    each_backend(async |app: TestApp| {
        orgs(&app);
        let boss = app.signed_in("boss").await;
        let before = app_count(&app);
        let pdf = crate::support::distribution::PDF;
        create(&boss, "truck", "teal", Some(pdf))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("<small id=\"e-image\" class=\"field-error\">图标图片须为 PNG、JPEG 或 WebP 格式的完整图片。</small>")
            .assert_contains("value=\"truck\" checked")
            .assert_contains("value=\"teal\" checked");
        // A GIF is an image, but not one of the three.
        let mut gif = Vec::new();
        image::RgbImage::new(4, 4)
            .write_to(&mut std::io::Cursor::new(&mut gif), image::ImageFormat::Gif)
            .expect("gif");
        create(&boss, "truck", "teal", Some(&gif))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("PNG、JPEG 或 WebP");
        // Over 512 KB: noise does not compress.
        let mut noisy = image::RgbImage::new(600, 600);
        let mut x: u32 = 1;
        for p in noisy.pixels_mut() {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let [a, b, c, _] = x.to_le_bytes();
            *p = image::Rgb([a, b, c]);
        }
        let mut big = Vec::new();
        noisy
            .write_to(&mut std::io::Cursor::new(&mut big), image::ImageFormat::Png)
            .expect("png");
        assert!(big.len() > 512 * 1024, "{}", big.len());
        create(&boss, "truck", "teal", Some(&big))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("图标图片不能超过 512 KB");
        assert_eq!(app_count(&app), before);

        // Refused on the edit form too, and the app keeps its icon.
        let id = id_after(create(&boss, "truck", "teal", None).await.location());
        boss.post_multipart(
            &format!("/apps/{id}/edit"),
            &[("name", "设备巡检"), ("icon", "tag"), ("color", "rose")],
            &[("image", "x.pdf", "application/pdf", pdf)],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("id=\"e-image\"")
        .assert_contains("value=\"tag\" checked");
        assert_eq!(icon_of(&app, id), ("truck".into(), "teal".into(), "".into()));
    })
    .await;
}

#[tokio::test]
async fn a_copy_keeps_its_icon_and_the_buyer_sees_it_through_the_link() {
    each_backend(async |app: TestApp| {
        let d = deal(&app).await;
        let provider = demo_login(&app, "provider.admin").await;
        provider
            .post_multipart(
                &format!("/apps/{}/edit", d.source),
                &[("name", "采购管理"), ("icon", "receipt"), ("color", "teal")],
                &[("image", "logo.png", "image/png", &png())],
            )
            .await
            .assert_redirect(&format!("/apps/{}", d.source));
        let source = icon_of(&app, d.source);

        // The purchase page draws the image through the link, for the buyer only.
        let token: String = orders::table
            .inner_join(distribution_links::table)
            .filter(orders::id.eq(d.order))
            .select(distribution_links::token)
            .first(&mut *app.conn())
            .expect("token");
        let buyer = demo_login(&app, "customer.admin").await;
        let through_link = format!("/d/{token}/a/{}/icon", d.source);
        buyer
            .get(&format!("/d/{token}"))
            .await
            .assert_contains(&format!("src=\"{through_link}?v="));
        buyer.get(&through_link).await.assert_status(StatusCode::OK);
        buyer
            .get(&format!("/a/{}/icon", d.source))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let outsider = demo_login(&app, "upstream.admin").await;
        outsider
            .get(&through_link)
            .await
            .assert_status(StatusCode::NOT_FOUND);

        // The copy sent to the customer wears the same glyph, colour and image.
        let copy = sent(&app, &d, &[]).await;
        assert_eq!(icon_of(&app, copy), source);
        let page = buyer.get("/my-apps").await;
        let src = image_src(&page.body, copy);
        buyer.get(&src).await.assert_status(StatusCode::OK);
        provider
            .get(&format!("/a/{copy}/icon"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn existing_emoji_become_glyphs_on_a_colour() {
    each_backend(async |app: TestApp| {
        orgs(&app);
        let boss = app.signed_in("boss").await;
        let ids: Vec<i64> = {
            let mut ids = Vec::new();
            for _ in 0..4 {
                ids.push(id_after(
                    create(&boss, "wallet", "blue", None).await.location(),
                ));
            }
            ids
        };
        // As the apps stood before this version: an emoji in the renamed column.
        for (id, emoji) in ids.iter().zip(["📦", "🛠️", "🤝", "🦄"]) {
            diesel::update(apps::table.find(id))
                .set(apps::icon_glyph.eq(emoji))
                .execute(&mut *app.conn())
                .expect("emoji");
        }
        let up = include_str!("../../migrations/sqlite/2026-12-07-000010_app_icons/up.sql");
        let update = &up[up.find("UPDATE apps").expect("the mapping")..];
        assert_eq!(
            update,
            &include_str!("../../migrations/postgres/2026-12-07-000010_app_icons/up.sql")
                [up.find("UPDATE apps").expect("the mapping")..]
        );
        diesel::sql_query(update)
            .execute(&mut *app.conn())
            .expect("mapping");
        let got: Vec<(String, String)> = ids
            .iter()
            .map(|id| {
                let (g, c, _) = icon_of(&app, *id);
                (g, c)
            })
            .collect();
        let want = [
            ("package", "orange"),
            ("wrench", "slate"),
            ("handshake", "green"),
            ("clipboard-list", "slate"),
        ];
        assert_eq!(
            got,
            want.map(|(g, c)| (g.to_string(), c.to_string())).to_vec()
        );
    })
    .await;
}
