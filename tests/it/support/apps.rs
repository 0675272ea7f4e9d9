//! App fixtures made with the app builder's store functions (an app with a page and its
//! fields) or through its pages (notification templates, automations), and the small
//! readers tests share.

use diesel::prelude::*;
use fenfa::apps::app::{FieldKind, Page, PageKind};
use fenfa::apps::store::{self, NewApp};
use fenfa::auth::{OrgScope, Role};
use fenfa::db::schema::notification_templates;

use super::{Client, TestApp};

/// An app with one page, made by the organisation's main admin.
pub struct Fixture {
    pub app_id: i64,
    pub page: Page,
    pub fields: Vec<i64>,
}

impl Fixture {
    /// The input name of the n-th field.
    pub fn f(&self, n: usize) -> String {
        format!("f{}", self.fields[n])
    }
    pub fn url(&self) -> String {
        format!("/f/{}", self.page.id)
    }
}

pub fn scope(org: i64, user: i64) -> OrgScope {
    OrgScope::system(org, user, Role::MainAdmin)
}

pub fn app_with_page(
    app: &TestApp,
    org: i64,
    admin: i64,
    kind: PageKind,
    fields: &[(&str, FieldKind, bool, &str)],
) -> Fixture {
    let mut conn = app.conn();
    let s = scope(org, admin);
    let app_id = store::create_app(
        &mut conn,
        &s,
        NewApp {
            name: "采购管理",
            glyph: "clipboard-list",
            color: "blue",
            image: "",
            description: "",
            premium: false,
        },
    )
    .expect("app");
    let a = store::find_app(&mut conn, &s, app_id).expect("find app");
    let pid = store::add_page(&mut conn, &a, kind, "采购申请", "").expect("page");
    let (_, page) = store::find_page(&mut conn, &s, pid).expect("find page");
    let fields = fields
        .iter()
        .map(|(label, kind, required, options)| {
            store::add_field(&mut conn, &page, label, *kind, *required, options).expect("field")
        })
        .collect();
    Fixture {
        app_id,
        page,
        fields,
    }
}

/// The id at the end of a redirect to `/submissions/{id}`.
pub fn submission_id(location: &str) -> i64 {
    location
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("submission id in the redirect")
}

pub fn png() -> Vec<u8> {
    let img = image::RgbImage::new(2, 2);
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

/// A notification template of the app, made on its form page by `c`, one of the app's
/// admins; returns its id.
pub async fn template(
    app: &TestApp,
    c: &Client,
    app_id: i64,
    name: &str,
    title: &str,
    body: &str,
) -> i64 {
    c.post_ok(
        &format!("/apps/{app_id}/templates/new"),
        &[("name", name), ("title", title), ("body", body)],
    )
    .await
    .assert_redirect(&format!("/apps/{app_id}"));
    notification_templates::table
        .filter(notification_templates::app_id.eq(app_id))
        .order(notification_templates::id.desc())
        .select(notification_templates::id)
        .first(&mut *app.conn())
        .expect("template")
}

/// An enabled automation of the app: when `form` is submitted, notify the submitter with
/// `template`. Made on its form page by `c`, one of the app's admins.
pub async fn automation(c: &Client, app_id: i64, name: &str, form: i64, template: i64) {
    c.post_ok(
        &format!("/apps/{app_id}/automations/new"),
        &[
            ("name", name),
            ("form_id", &form.to_string()),
            ("template_id", &template.to_string()),
            ("recipient_id", ""),
            ("enabled", "on"),
        ],
    )
    .await
    .assert_redirect(&format!("/apps/{app_id}"));
}
