//! Quick-deploy fixtures for the customer's flow: an onboarded seller with an accepted
//! product (made through the product), and an approved application with its deploy link
//! written straight into the database (the provider's and operator's screens that make
//! it are tested in quickdeploy_provider).

use diesel::prelude::*;
use fenfa::db::now;
use fenfa::db::schema::{qd_applications as a, qd_invite_codes as ic, users};

use super::appcentre::{PNG, Seller, onboarded, prelisted};
use super::{Client, Resp, TestApp};

/// How the application configured its link.
#[derive(Clone)]
pub struct Opts {
    pub directory: &'static str,
    pub verify_serials: bool,
    pub serial_source: &'static str,
    pub verify_url: String,
    pub verify_secret: String,
    pub callback_url: String,
}

impl Default for Opts {
    fn default() -> Opts {
        Opts {
            directory: "admin_file",
            verify_serials: false,
            serial_source: "list",
            verify_url: String::new(),
            verify_secret: String::new(),
            callback_url: String::new(),
        }
    }
}

/// A seller, its accepted product and an approved application's deploy link.
pub struct Link {
    pub provider: i64,
    pub padmin: i64,
    pub product: i64,
    /// The application's id.
    pub id: i64,
    pub token: String,
}

impl Link {
    pub fn path(&self, tail: &str) -> String {
        if tail.is_empty() {
            format!("/qd/{}", self.token)
        } else {
            format!("/qd/{}/{tail}", self.token)
        }
    }
}

/// An approved application of `product` by the seller's organisation, with `o`.
pub fn application(app: &TestApp, s: &Seller, product: i64, o: &Opts) -> (i64, String) {
    application_of(app, s.w.provider, s.w.padmin, product, o)
}

/// An approved application of `product` by `provider` (submitted by `padmin`), with `o`.
pub fn application_of(
    app: &TestApp,
    provider: i64,
    padmin: i64,
    product: i64,
    o: &Opts,
) -> (i64, String) {
    let t = now();
    let op = users::table
        .filter(users::is_operator.eq(true))
        .select(users::id)
        .first(&mut *app.conn())
        .unwrap_or(padmin);
    let mut c = app.conn();
    let code = format!("QD{}", &fenfa::tools::new_token()[..10]).to_uppercase();
    let code_id: i64 = diesel::insert_into(ic::table)
        .values((
            ic::code.eq(&code),
            ic::provider_org_id.eq(provider),
            ic::issued_by.eq(op),
            ic::issued_at.eq(t),
            ic::expires_at.eq(t + 30 * 86_400),
            ic::used_at.eq(Some(t)),
        ))
        .returning(ic::id)
        .get_result(&mut *c)
        .expect("invitation code");
    let icon = format!("qd-icon-{code_id}.png");
    app.state.storage.put(&icon, PNG).expect("icon");
    let token = fenfa::tools::new_token();
    let id: i64 = diesel::insert_into(a::table)
        .values((
            a::provider_org_id.eq(provider),
            a::product_id.eq(product),
            a::invite_code_id.eq(code_id),
            a::provider_name.eq("云帆服务商"),
            a::product_code.eq("P000000001"),
            a::reason.eq("线下推广"),
            a::scenario.eq("展会扫码部署"),
            a::onsite_staff.eq(true),
            a::directory_method.eq(o.directory),
            a::verify_serials.eq(o.verify_serials),
            a::serial_source.eq(o.serial_source),
            a::verify_url.eq(&o.verify_url),
            a::verify_secret.eq(&o.verify_secret),
            a::callback_url.eq(&o.callback_url),
            a::icon_key.eq(&icon),
            a::status.eq("approved"),
            a::submitted_by.eq(padmin),
            a::submitted_at.eq(t),
            a::decided_by.eq(Some(op)),
            a::decided_at.eq(Some(t)),
            a::link_token.eq(Some(&token)),
        ))
        .returning(a::id)
        .get_result(&mut *c)
        .expect("application");
    (id, token)
}

/// The whole world: seller, accepted product, approved link configured with `o`.
pub async fn link(app: &TestApp, o: Opts) -> Link {
    let seller = onboarded(app).await;
    let product = prelisted(app, &seller).await;
    let (id, token) = application(app, &seller, product, &o);
    Link {
        provider: seller.w.provider,
        padmin: seller.w.padmin,
        product,
        id,
        token,
    }
}

/// Pauses or suspends the link.
pub fn set_link(app: &TestApp, id: i64, paused: bool, suspended: bool) {
    diesel::update(a::table.find(id))
        .set((a::link_paused.eq(paused), a::link_suspended.eq(suspended)))
        .execute(&mut *app.conn())
        .expect("link state");
}

/// Adds serial numbers to the application's list.
pub fn serials(app: &TestApp, id: i64, numbers: &[&str]) {
    use fenfa::db::schema::qd_serials as s;
    for n in numbers {
        diesel::insert_into(s::table)
            .values((
                s::application_id.eq(id),
                s::serial.eq(*n),
                s::source.eq("list"),
                s::created_at.eq(now()),
            ))
            .execute(&mut *app.conn())
            .expect("serial");
    }
}

/// Registers on the link: (client, its answer).
pub async fn register(app: &TestApp, l: &Link, login: &str) -> (Client, Resp) {
    let c = app.client();
    let r = c
        .post(
            &l.path("register"),
            &[
                ("name", "赵老板"),
                ("login", login),
                ("password", "secret-pass-1"),
                ("password_confirm", "secret-pass-1"),
            ],
        )
        .await;
    (c, r)
}

/// A signed-in customer who created a one-person team on the link: the client. The team
/// of "zhaolaoban" is 赵记五金, anyone else's "{login}的团队".
pub async fn one_person_team(app: &TestApp, l: &Link, login: &str) -> Client {
    let (c, r) = register(app, l, login).await;
    r.assert_redirect(&l.path("team"));
    let team = if login == "zhaolaoban" {
        "赵记五金".to_string()
    } else {
        format!("{login}的团队")
    };
    let r = c
        .post(&l.path("team"), &[("kind", "one"), ("name", &team)])
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    c
}

/// The deployment of the link into the organisation named `team`: (id, org, app copy).
pub fn deployment(app: &TestApp, l: &Link, team: &str) -> (i64, i64, Option<i64>) {
    use fenfa::db::schema::{orgs, qd_deployments as d};
    d::table
        .inner_join(orgs::table.on(orgs::id.eq(d::org_id)))
        .filter(d::application_id.eq(l.id))
        .filter(orgs::name.eq(team))
        .select((d::id, d::org_id, d::app_id))
        .first(&mut *app.conn())
        .expect("deployment")
}

/// The permission matrix's fixtures of one tenant side: a live deploy link of the side's
/// app-centre product (the side's organisation as its provider) and an unused welcome
/// link of its victim member. No deployment: every principal's steps after the team
/// lead to the team step.
pub fn matrix(
    app: &TestApp,
    f: &mut std::collections::HashMap<String, String>,
    org: i64,
    user: i64,
) {
    use fenfa::db::schema::{ac_products as p, qd_member_invites as mi};
    let product: i64 = p::table
        .filter(p::provider_org_id.eq(org))
        .order(p::id.desc())
        .select(p::id)
        .first(&mut *app.conn())
        .expect("the side's product");
    let (_, token) = application_of(app, org, user, product, &Opts::default());
    let welcome = fenfa::tools::new_token();
    diesel::insert_into(mi::table)
        .values((
            mi::org_id.eq(org),
            mi::user_id.eq(user),
            mi::token.eq(&welcome),
            mi::created_at.eq(now()),
            mi::expires_at.eq(now() + 7 * 86_400),
        ))
        .execute(&mut *app.conn())
        .expect("welcome link");
    f.insert("qd/{token}".into(), token);
    f.insert("welcome/{token}".into(), welcome);
}
