//! Quick deploy's provider side after approval, as the serial, deployment, funnel and API
//! tests need it: an approved application of a certified provider, and deployments,
//! serial numbers and tries written directly (the customer's flow that writes them in
//! production is tested in `quickdeploy_deploy`).

use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::now;
use fenfa::db::schema::{
    ac_products, memberships, qd_applications, qd_deployments, qd_invite_codes, qd_serial_tries,
    qd_serials, qd_team_links,
};

use crate::support::customdev::certify;
use crate::support::{Client, TestApp};

/// A certified provider (qs.padmin, developer qs.pdev) with an approved quick-deploy
/// application, a second provider (qs.p2admin) with one of its own, and two customer
/// organisations (admins qs.a and qs.b).
pub struct Qd {
    pub provider: i64,
    pub padmin: i64,
    pub application: i64,
    pub provider2: i64,
    pub application2: i64,
    pub product: i64,
    pub product2: i64,
    pub cust_a: i64,
    pub user_a: i64,
    pub cust_b: i64,
    pub user_b: i64,
}

/// A product of `provider` (accepted, with a code), made from an app of its own.
pub fn product(app: &TestApp, provider: i64, by: i64, code: &str) -> i64 {
    let scope = fenfa::auth::OrgScope::system(provider, by, Role::MainAdmin);
    let source = fenfa::apps::store::create_app(
        &mut app.conn(),
        &scope,
        fenfa::apps::NewApp {
            name: "巡检助手",
            glyph: "file-text",
            color: "green",
            image: "",
            description: "",
            premium: false,
        },
    )
    .expect("source app");
    let t = now();
    diesel::insert_into(ac_products::table)
        .values((
            ac_products::provider_org_id.eq(provider),
            ac_products::app_id.eq(source),
            ac_products::code.eq(Some(code)),
            ac_products::stage.eq("open"),
            ac_products::name.eq(format!("巡检助手{code}")),
            ac_products::description.eq("设备巡检。"),
            ac_products::category.eq("office"),
            ac_products::homepage_url.eq("https://isv.example.com/"),
            ac_products::permissions.eq("app_data"),
            ac_products::data_stored.eq("巡检记录"),
            ac_products::version.eq(1),
            ac_products::created_by.eq(by),
            ac_products::created_at.eq(t),
            ac_products::updated_at.eq(t),
        ))
        .returning(ac_products::id)
        .get_result(&mut *app.conn())
        .expect("product")
}

/// An approved application of `provider` for `product` with a live link; `source` is
/// "list" or "endpoint".
pub fn application(
    app: &TestApp,
    provider: i64,
    by: i64,
    product: i64,
    verify: bool,
    source: &str,
    callback_url: &str,
) -> i64 {
    let t = now();
    let mut c = app.conn();
    let code: i64 = diesel::insert_into(qd_invite_codes::table)
        .values((
            qd_invite_codes::code.eq(format!("QS{}", fenfa::tools::new_token())),
            qd_invite_codes::provider_org_id.eq(provider),
            qd_invite_codes::issued_by.eq(by),
            qd_invite_codes::issued_at.eq(t),
            qd_invite_codes::expires_at.eq(t + 30 * 86_400),
            qd_invite_codes::used_at.eq(Some(t)),
        ))
        .returning(qd_invite_codes::id)
        .get_result(&mut *c)
        .expect("invite code");
    let code_of: Option<String> = ac_products::table
        .find(product)
        .select(ac_products::code)
        .first(&mut *c)
        .expect("product code");
    diesel::insert_into(qd_applications::table)
        .values((
            qd_applications::provider_org_id.eq(provider),
            qd_applications::product_id.eq(product),
            qd_applications::invite_code_id.eq(code),
            qd_applications::provider_name.eq("服务商"),
            qd_applications::product_code.eq(code_of.unwrap_or_default()),
            qd_applications::reason.eq("线下推广"),
            qd_applications::scenario.eq("工厂巡检"),
            qd_applications::onsite_staff.eq(true),
            qd_applications::directory_method.eq("admin_file"),
            qd_applications::verify_serials.eq(verify),
            qd_applications::serial_source.eq(source),
            qd_applications::verify_secret.eq("qs-secret-of-the-application"),
            qd_applications::callback_url.eq(callback_url),
            qd_applications::icon_key.eq("no-such-icon.png"),
            qd_applications::status.eq("approved"),
            qd_applications::submitted_by.eq(by),
            qd_applications::submitted_at.eq(t),
            qd_applications::decided_at.eq(Some(t)),
            qd_applications::link_token.eq(Some(fenfa::tools::new_token())),
        ))
        .returning(qd_applications::id)
        .get_result(&mut *c)
        .expect("application")
}

pub fn qd_world(app: &TestApp) -> Qd {
    let provider = app.org("巡检云", "dingqsprovider", "exclusive");
    certify(app, provider);
    let padmin = app.person(provider, "qs.padmin", Role::MainAdmin);
    let dev = app.person(provider, "qs.pdev", Role::Member);
    diesel::update(
        memberships::table
            .filter(memberships::user_id.eq(dev))
            .filter(memberships::org_id.eq(provider)),
    )
    .set(memberships::can_build_apps.eq(true))
    .execute(&mut *app.conn())
    .expect("developer");
    let provider2 = app.org("别家巡检", "dingqsprovider2", "exclusive");
    certify(app, provider2);
    let p2admin = app.person(provider2, "qs.p2admin", Role::MainAdmin);
    let product = product(app, provider, padmin, "QS00000001");
    let product2 = self::product(app, provider2, p2admin, "QS00000002");
    let application = application(app, provider, padmin, product, true, "list", "");
    let application2 = self::application(app, provider2, p2admin, product2, true, "list", "");
    let cust_a = app.org("甲工厂", "qdaaaaaaaaaa", "professional");
    let user_a = app.person(cust_a, "qs.a", Role::MainAdmin);
    let cust_b = app.org("乙工厂", "qdbbbbbbbbbb", "professional");
    let user_b = app.person(cust_b, "qs.b", Role::MainAdmin);
    Qd {
        provider,
        padmin,
        application,
        provider2,
        application2,
        product,
        product2,
        cust_a,
        user_a,
        cust_b,
        user_b,
    }
}

/// A deployment of `org` through `application`, authorised (with a copy `app_copy`) or not.
pub fn deployment(
    app: &TestApp,
    application: i64,
    org: i64,
    product: i64,
    by: i64,
    serial: Option<&str>,
    app_copy: Option<i64>,
) -> i64 {
    let t = now();
    diesel::insert_into(qd_deployments::table)
        .values((
            qd_deployments::application_id.eq(application),
            qd_deployments::org_id.eq(org),
            qd_deployments::product_id.eq(product),
            qd_deployments::team_kind.eq("one"),
            qd_deployments::created_by.eq(by),
            qd_deployments::created_at.eq(t),
            qd_deployments::serial.eq(serial),
            qd_deployments::serial_at.eq(serial.map(|_| t)),
            qd_deployments::app_id.eq(app_copy),
            qd_deployments::authorised_by.eq(app_copy.map(|_| by)),
            qd_deployments::authorised_at.eq(app_copy.map(|_| t)),
            qd_deployments::started_at.eq(app_copy.map(|_| t)),
        ))
        .returning(qd_deployments::id)
        .get_result(&mut *app.conn())
        .expect("deployment")
}

/// `org`'s person `user` typed `serial` on the application's link.
pub fn tried(app: &TestApp, application: i64, serial: &str, org: i64, user: i64, accepted: bool) {
    diesel::insert_into(qd_serial_tries::table)
        .values((
            qd_serial_tries::application_id.eq(application),
            qd_serial_tries::serial.eq(serial),
            qd_serial_tries::org_id.eq(org),
            qd_serial_tries::user_id.eq(user),
            qd_serial_tries::accepted.eq(accepted),
            qd_serial_tries::at.eq(now()),
        ))
        .execute(&mut *app.conn())
        .expect("try");
}

/// `org` redeemed `serial` of the application's list.
pub fn redeemed(app: &TestApp, application: i64, serial: &str, org: i64, user: i64) {
    let n = diesel::update(
        qd_serials::table
            .filter(qd_serials::application_id.eq(application))
            .filter(qd_serials::serial.eq(serial)),
    )
    .set((
        qd_serials::redeemed_org_id.eq(Some(org)),
        qd_serials::redeemed_by.eq(Some(user)),
        qd_serials::redeemed_at.eq(Some(now())),
    ))
    .execute(&mut *app.conn())
    .expect("redeem");
    assert_eq!(n, 1, "{serial} is listed");
}

/// A team invitation link of `org`, expiring in `secs` (negative: expired).
pub fn team_link(app: &TestApp, org: i64, by: i64, secs: i64, revoked: bool) -> String {
    let token = fenfa::tools::new_token();
    diesel::insert_into(qd_team_links::table)
        .values((
            qd_team_links::org_id.eq(org),
            qd_team_links::token.eq(&token),
            qd_team_links::created_by.eq(by),
            qd_team_links::created_at.eq(now()),
            qd_team_links::expires_at.eq(now() + secs),
            qd_team_links::revoked_at.eq(revoked.then(now)),
        ))
        .execute(&mut *app.conn())
        .expect("team link");
    token
}

/// The numbers of the application's list, oldest first.
pub fn listed(app: &TestApp, application: i64) -> Vec<String> {
    qd_serials::table
        .filter(qd_serials::application_id.eq(application))
        .order(qd_serials::id.asc())
        .select(qd_serials::serial)
        .load(&mut *app.conn())
        .expect("serials")
}

/// Issues (or rotates) the provider's API key in the console: the key shown once.
pub async fn issue_key(padmin: &Client) -> String {
    let r = padmin.post("/provider/quick-deploy/api-key", &[]).await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.body);
    crate::support::input_value(&r.body, "api_key").expect("the key is shown")
}

/// The permission matrix's fixtures for one tenant side: an approved application of the
/// side's organisation (as a provider) for its product, with a serial number, a deployment
/// of the organisation itself and a try.
pub fn matrix(app: &TestApp, f: &mut super::permissions::Fixtures, org: i64, user: i64) {
    let product: i64 = f
        .get("products/{id}")
        .and_then(|p| p.parse().ok())
        .expect("the app centre's product fixture");
    let id = match f.get("applications/{id}").and_then(|a| a.parse().ok()) {
        Some(id) => id,
        None => {
            let id = application(app, org, user, product, true, "list", "");
            f.insert("applications/{id}".into(), id.to_string());
            id
        }
    };
    diesel::insert_into(qd_serials::table)
        .values((
            qd_serials::application_id.eq(id),
            qd_serials::serial.eq(format!("MATRIX-{org}")),
            qd_serials::source.eq("generated"),
            qd_serials::created_at.eq(now()),
        ))
        .execute(&mut *app.conn())
        .expect("serial");
    deployment(
        app,
        id,
        org,
        product,
        user,
        Some(&format!("MATRIX-{org}")),
        None,
    );
    tried(app, id, &format!("MATRIX-{org}"), org, user, true);
}
