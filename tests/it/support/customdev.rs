//! Custom development's fixtures: a certified provider with an app of its own, an
//! enterprise with departments and members, and the steps of the journey through the
//! product's own pages (template, go-live, authorisation, configuration).

use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{
    apps, cd_custom_apps, cd_deliveries, cd_reviews, cd_templates, jobs, memberships, orgs,
};

use crate::support::{Client, Resp, TestApp};

/// A certified provider (cd.padmin, developer cd.pdev) with an app of its own, an
/// enterprise (main admin cd.eadmin, platform admin cd.eplat, member cd.member in 销售部,
/// member cd.other in 财务部), a second provider (cd.p2admin) and the operator (cd.op).
pub struct World {
    pub provider: i64,
    pub enterprise: i64,
    pub source: i64,
    pub sales: i64,
    pub finance: i64,
}

pub fn certify(app: &TestApp, org: i64) {
    diesel::update(orgs::table.find(org))
        .set((
            orgs::certified.eq(true),
            orgs::provider_level.eq("advanced"),
        ))
        .execute(&mut *app.conn())
        .expect("certified");
}

pub fn world(app: &TestApp) -> World {
    let provider = app.org("云创科技", "dingcdprovider", "exclusive");
    certify(app, provider);
    let padmin = app.person(provider, "cd.padmin", Role::MainAdmin);
    let dev = app.person(provider, "cd.pdev", Role::Member);
    diesel::update(
        memberships::table
            .filter(memberships::user_id.eq(dev))
            .filter(memberships::org_id.eq(provider)),
    )
    .set(memberships::can_build_apps.eq(true))
    .execute(&mut *app.conn())
    .expect("developer");
    let p2 = app.org("别家服务商", "dingcdprovider2", "exclusive");
    certify(app, p2);
    app.person(p2, "cd.p2admin", Role::MainAdmin);
    let enterprise = app.org("星河制造", "dingcdenterprise", "professional");
    app.person(enterprise, "cd.eadmin", Role::MainAdmin);
    app.person(enterprise, "cd.eplat", Role::PlatformAdmin);
    let sales = app.department(enterprise, None, "销售部");
    let finance = app.department(enterprise, None, "财务部");
    let m = app.person(enterprise, "cd.member", Role::Member);
    app.place(enterprise, m, Some(sales));
    let o = app.person(enterprise, "cd.other", Role::Member);
    app.place(enterprise, o, Some(finance));
    app.operator("cd.op");
    let scope = fenfa::auth::OrgScope::system(provider, padmin, Role::MainAdmin);
    let source = fenfa::apps::store::create_app(
        &mut app.conn(),
        &scope,
        fenfa::apps::NewApp {
            name: "客户台账",
            glyph: "file-text",
            color: "green",
            image: "",
            description: "",
            premium: false,
        },
    )
    .expect("source app");
    fenfa::apps::store::add_page(
        &mut app.conn(),
        &fenfa::apps::find_app(&mut app.conn(), &scope, source).expect("app"),
        fenfa::apps::PageKind::Form,
        "客户登记",
        "",
    )
    .expect("page");
    World {
        provider,
        enterprise,
        source,
        sales,
        finance,
    }
}

/// A square PNG of `side` pixels.
pub fn png(side: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(side, side, image::Rgb([20, 120, 200]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

pub fn id_after(r: &Resp, prefix: &str) -> i64 {
    r.assert_redirect(prefix);
    r.location()[prefix.len()..]
        .split(['/', '?'])
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id in {}", r.location()))
}

pub fn fields<'a>(name: &'a str, intro: &'a str, source: &'a str) -> Vec<(&'a str, &'a str)> {
    template_fields(name, intro, source, "https://isv.example.com/callback")
}

/// A template form with its callback URL.
pub fn template_fields<'a>(
    name: &'a str,
    intro: &'a str,
    source: &'a str,
    callback: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("intro", intro),
        ("category", "客户管理"),
        ("industry", "制造"),
        ("callback_url", callback),
        ("source_app_id", source),
    ]
}

/// Posts a new template with a logo and this callback URL; the answer.
pub async fn post_template(c: &Client, name: &str, callback: &str) -> Resp {
    c.post_multipart(
        "/provider/custom-dev",
        &template_fields(name, "客户跟进管理", "", callback),
        &[("logo", "logo.png", "image/png", &png(750))],
    )
    .await
}

pub async fn create_template(c: &Client, name: &str, source: Option<i64>) -> i64 {
    let s = source.map(|s| s.to_string()).unwrap_or_default();
    let logo = png(750);
    let r = c
        .post_multipart(
            "/provider/custom-dev",
            &fields(name, "客户跟进管理", &s),
            &[("logo", "logo.png", "image/png", &logo)],
        )
        .await;
    id_after(&r, "/provider/custom-dev/")
}

pub fn last_ticket(app: &TestApp) -> i64 {
    cd_reviews::table
        .order(cd_reviews::id.desc())
        .select(cd_reviews::id)
        .first(&mut *app.conn())
        .expect("ticket")
}

/// Submits, approves and puts live the latest version of a template.
pub async fn make_live(app: &TestApp, padmin: &Client, tid: i64) {
    padmin
        .post_ok(
            "/provider/custom-dev/golive/templates",
            &[("template", &tid.to_string())],
        )
        .await;
    approve_and_go_live(app, padmin).await;
}

/// The operator approves the latest go-live ticket and the provider puts it live.
pub async fn approve_and_go_live(app: &TestApp, padmin: &Client) {
    let ticket = last_ticket(app);
    let op = app.signed_in("cd.op").await;
    op.post_ok(
        &format!("/operator/custom-dev/tickets/{ticket}"),
        &[("decision", "approve"), ("reason", "")],
    )
    .await;
    padmin
        .post_ok(&format!("/provider/custom-dev/tickets/{ticket}/live"), &[])
        .await;
}

pub fn token_of(app: &TestApp, tid: i64) -> String {
    cd_templates::table
        .find(tid)
        .select(cd_templates::token)
        .first(&mut *app.conn())
        .expect("token")
}

/// The enterprise's active custom app of a template: (authorisation, app).
pub fn custom_app(app: &TestApp, tid: i64, org: i64) -> Option<(i64, i64)> {
    cd_custom_apps::table
        .filter(cd_custom_apps::template_id.eq(tid))
        .filter(cd_custom_apps::enterprise_org_id.eq(org))
        .filter(cd_custom_apps::status.eq("active"))
        .select((cd_custom_apps::id, cd_custom_apps::app_id.assume_not_null()))
        .first(&mut *app.conn())
        .optional()
        .expect("custom app")
}

pub fn app_state(app: &TestApp, id: i64) -> String {
    apps::table
        .find(id)
        .select(apps::state)
        .first(&mut *app.conn())
        .expect("state")
}

/// A live template authorised by the enterprise: (template, authorisation, app).
pub async fn authorised(app: &TestApp, w: &World) -> (i64, i64, i64) {
    let padmin = app.signed_in("cd.padmin").await;
    let tid = create_template(&padmin, "云创CRM", Some(w.source)).await;
    make_live(app, &padmin, tid).await;
    let cid = authorise(app, tid, w.enterprise).await;
    let (_, app_id) = custom_app(app, tid, w.enterprise).expect("authorised");
    (tid, cid, app_id)
}

/// An authorised custom app, configured (with a callback URL) and put live through its
/// go-live review: (template, authorisation, app).
pub async fn live_custom_app(app: &TestApp, w: &World) -> (i64, i64, i64) {
    let (tid, cid, app_id) = authorised(app, w).await;
    let padmin = app.signed_in("cd.padmin").await;
    // No IP allow-list: in-process calls have no address.
    padmin
        .post_multipart(
            &format!("/provider/custom-dev/custom-apps/{cid}"),
            &[
                ("name", "星河CRM"),
                ("intro", "星河制造的客户跟进与回款管理"),
                ("callback_url", "https://isv.example.com/callback"),
            ],
            &[],
        )
        .await
        .assert_redirect(&format!("/provider/custom-dev/custom-apps/{cid}"));
    padmin
        .post_ok(
            "/provider/custom-dev/golive/apps",
            &[("template_id", &tid.to_string()), ("app", &cid.to_string())],
        )
        .await;
    approve_and_go_live(app, &padmin).await;
    (tid, cid, app_id)
}

/// A live template of cd.padmin's, with no source app: its id.
pub async fn live_template(app: &TestApp, padmin: &Client, name: &str) -> i64 {
    let tid = create_template(padmin, name, None).await;
    make_live(app, padmin, tid).await;
    tid
}

/// The token a custom app signs its callbacks with.
pub fn callback_token(app: &TestApp, cid: i64) -> String {
    cd_custom_apps::table
        .find(cid)
        .select(cd_custom_apps::callback_token)
        .first(&mut *app.conn())
        .expect("callback token")
}

/// The enterprise's admin (cd.eadmin) authorises a live template: the authorisation.
pub async fn authorise(app: &TestApp, tid: i64, enterprise: i64) -> i64 {
    app.signed_in("cd.eadmin")
        .await
        .post_ok(
            &format!("/custom-dev/authorise/{}", token_of(app, tid)),
            &[],
        )
        .await;
    custom_app(app, tid, enterprise).expect("authorised").0
}

pub async fn configure(c: &Client, cid: i64) -> Resp {
    c.post_multipart(
        &format!("/provider/custom-dev/custom-apps/{cid}"),
        &[
            ("name", "星河CRM"),
            ("intro", "星河制造的客户跟进与回款管理"),
            ("homepage_url", "https://crm.example.com/xinghe"),
            ("trusted_domain", "crm.example.com"),
            ("ip_allow_list", "10.0.0.0/8\n2001:db8::1"),
            ("callback_url", "https://crm.example.com/cb"),
        ],
        &[],
    )
    .await
}

/// A web server on a free local port answering the well-known path with `body`.
pub async fn serving(body: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = axum::Router::new().route(
        "/.well-known/fenfa-domain-verification.txt",
        axum::routing::get(move || async move { body }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

/// A custom app's deliveries in order: (event id, event type, attempts, job state).
pub fn deliveries(app: &TestApp, cid: i64) -> Vec<(String, String, i32, String)> {
    cd_deliveries::table
        .inner_join(jobs::table)
        .filter(cd_deliveries::custom_app_id.eq(cid))
        .order(cd_deliveries::id.asc())
        .select((
            cd_deliveries::event_id,
            cd_deliveries::event_type,
            cd_deliveries::attempts,
            jobs::state,
        ))
        .load(&mut *app.conn())
        .expect("deliveries")
}
