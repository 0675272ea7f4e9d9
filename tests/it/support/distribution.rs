//! Distribution fixtures made through the product, one step per person's action: a
//! certified provider with its people and apps, then the chain a deal goes through —
//! project → approved → link → order → sent app → maintenance grant — each step the post
//! that person would make, its answer checked.

use diesel::prelude::*;
use fenfa::apps::store::{NewApp, create_app};
use fenfa::auth::{OrgScope, Role};
use fenfa::db::schema::{
    apps, distribution_links, maintenance_grants, memberships, notifications, order_apps, orders,
    orgs, project_events, projects, users,
};

use super::{Client, Resp, TestApp};

/// The id of the last project event so far: a test compares the events after it.
pub fn last_event(app: &TestApp) -> i64 {
    project_events::table
        .select(diesel::dsl::max(project_events::id))
        .first::<Option<i64>>(&mut *app.conn())
        .expect("events")
        .unwrap_or(0)
}

/// The kinds of the project events recorded after `after` (of `project`, when given).
pub fn events_since(app: &TestApp, project: Option<i64>, after: i64) -> Vec<String> {
    let mut q = project_events::table
        .filter(project_events::id.gt(after))
        .order(project_events::id.asc())
        .select(project_events::kind)
        .into_boxed();
    if let Some(p) = project {
        q = q.filter(project_events::project_id.eq(p));
    }
    q.load(&mut *app.conn()).expect("events")
}

pub fn notified(app: &TestApp, user: i64, title: &str) -> i64 {
    notifications::table
        .filter(notifications::user_id.eq(user))
        .filter(notifications::title.eq(title))
        .count()
        .get_result(&mut *app.conn())
        .expect("count")
}

pub async fn demo_login(app: &TestApp, login: &str) -> Client {
    let c = app.client();
    c.login(login, fenfa::demo::PASSWORD).await;
    c
}

fn id_of_user(app: &TestApp, login: &str) -> i64 {
    users::table
        .filter(users::login.eq(login))
        .select(users::id)
        .first(&mut *app.conn())
        .expect("user")
}

fn id_of_org(app: &TestApp, corp_id: &str) -> i64 {
    orgs::table
        .filter(orgs::corp_id.eq(corp_id))
        .select(orgs::id)
        .first(&mut *app.conn())
        .expect("org")
}

/// The demo world with one purchased order of the provider's "采购管理".
pub struct Deal {
    pub provider: i64,
    pub customer: i64,
    pub p_admin: i64,
    pub c_admin: i64,
    pub source: i64,
    pub project: i64,
    pub order: i64,
    pub order_app: i64,
    pub order_no: String,
    /// The last project event of the deal's making.
    pub last_event: i64,
}

/// Loads the demo data; the provider's admin adds a custom component to "采购管理",
/// submits a project for the demo customer, the operator approves it, the admin issues a
/// link for the app and the customer's admin purchases through it.
pub async fn deal(app: &TestApp) -> Deal {
    fenfa::demo::load(&app.state.db, app.state.storage.as_ref())
        .expect("demo")
        .expect("empty database");
    let provider = id_of_org(app, "dingprovider01");
    let customer = id_of_org(app, "dingcustomer01");
    let p_admin = id_of_user(app, "provider.admin");
    let c_admin = id_of_user(app, "customer.admin");
    let source: i64 = apps::table
        .filter(apps::name.eq("采购管理"))
        .filter(apps::org_id.eq(provider))
        .select(apps::id)
        .first(&mut *app.conn())
        .expect("source app");
    let admin = demo_login(app, "provider.admin").await;
    admin
        .post_ok(
            &format!("/apps/{source}/components/new"),
            &[
                ("name", "供应商卡片"),
                ("description", ""),
                ("markup", "<p>供应商</p>"),
            ],
        )
        .await;
    let operator = demo_login(app, "operator").await;
    let project = Provider::new(app, admin)
        .project("星河采购数字化", "dingcustomer01")
        .await
        .approved(&operator)
        .await;
    let buyer = demo_login(app, "customer.admin").await;
    let order = project.link(&[source]).await.order(&buyer).await;
    Deal {
        provider,
        customer,
        p_admin,
        c_admin,
        source,
        project: project.id,
        order: order.id,
        order_app: order.order_app(),
        order_no: order.order_no(),
        last_event: last_event(app),
    }
}

impl Deal {
    /// Another link of the deal's project for its app, and the customer's second purchase
    /// through it: (order id, order app id).
    pub async fn another_order(&self, app: &TestApp) -> (i64, i64) {
        let admin = demo_login(app, "provider.admin").await;
        let project = Project {
            app,
            admin,
            id: self.project,
        };
        let buyer = demo_login(app, "customer.admin").await;
        let order = project.link(&[self.source]).await.order(&buyer).await;
        (order.id, order.order_app())
    }
}

/// Sends the deal's app as the provider admin; returns the copy's id.
pub async fn sent(app: &TestApp, d: &Deal, options: &[&str]) -> i64 {
    let c = demo_login(app, "provider.admin").await;
    send(&c, d.order, d.order_app, options)
        .await
        .assert_redirect(&format!("/provider/orders/{}", d.order));
    copy_of(app, d.order_app).expect("sent")
}

/// A provider, a customer and one app delivered into the customer as a copy under
/// maintenance (without full edit rights), through project, approval, link, purchase and
/// send.
pub struct MaintenanceDeal {
    pub provider: i64,
    pub customer: i64,
    pub dev: i64,
    pub copy: i64,
    /// The last project event of the deal's making.
    pub last_event: i64,
}

/// Provider "服务商" (padmin, developer dev), customer "客户公司" (cadmin), the operator
/// (op); padmin's "采购管理" sold and sent to the customer.
pub async fn maintenance_deal(app: &TestApp) -> MaintenanceDeal {
    let provider = app.org("服务商", "dingprov", "professional");
    set_level(app, provider, true, "advanced");
    let customer = app.org("客户公司", "dingcust", "professional");
    let padmin = app.person(provider, "padmin", Role::MainAdmin);
    let dev = developer(app, provider, "dev");
    app.person(customer, "cadmin", Role::PlatformAdmin);
    app.operator("op");
    let source = new_app(app, provider, padmin, "采购管理", false);
    let operator = app.signed_in("op").await;
    let order = Provider::new(app, app.signed_in("padmin").await)
        .project("客户公司采购", "dingcust")
        .await
        .approved(&operator)
        .await
        .link(&[source])
        .await
        .order(&app.signed_in("cadmin").await)
        .await;
    let copy = order.sent(&[]).await;
    MaintenanceDeal {
        provider,
        customer,
        dev,
        copy,
        last_event: last_event(app),
    }
}

/// A minimal PDF: header, one object, end-of-file marker.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// The people and apps of a distribution test.
pub struct World {
    pub provider: i64,
    pub other: i64,
    /// The provider's main admin, who creates the projects.
    pub padmin: i64,
    pub app: i64,
    pub app2: i64,
    pub premium: i64,
    pub copy: i64,
}

/// The operator's certification of an organisation as a provider (set from the console;
/// here directly, the console's form is tested in `operator`).
pub fn set_level(app: &TestApp, org: i64, certified: bool, level: &str) {
    diesel::update(orgs::table.find(org))
        .set((
            orgs::certified.eq(certified),
            orgs::provider_level.eq(level),
        ))
        .execute(&mut *app.conn())
        .expect("level");
}

/// A member with app-building rights (a provider developer).
pub fn developer(app: &TestApp, org: i64, login: &str) -> i64 {
    let id = app.user(login, login);
    let m = app.member(org, id, Role::Member);
    diesel::update(memberships::table.find(m))
        .set(memberships::can_build_apps.eq(true))
        .execute(&mut *app.conn())
        .expect("builder");
    id
}

/// A new app of `org`, made by `admin` with the app builder's store function.
pub fn new_app(app: &TestApp, org: i64, admin: i64, name: &str, premium: bool) -> i64 {
    let scope = OrgScope::system(org, admin, Role::MainAdmin);
    create_app(
        &mut app.conn(),
        &scope,
        NewApp {
            name,
            glyph: "package",
            color: "orange",
            image: "",
            description: "",
            premium,
        },
    )
    .expect("app")
}

/// A certified provider (padmin, padmin2, pdev, pmember), its apps (ordinary ×2,
/// premium, a distributed copy), a customer org (cadmin "王采购", cmember), another org
/// (oadmin) and the operator (op).
pub fn world(app: &TestApp) -> World {
    let provider = app.org("云帆服务商", "dingprovider01", "exclusive");
    set_level(app, provider, true, "advanced");
    let padmin = app.person(provider, "padmin", Role::MainAdmin);
    app.person(provider, "padmin2", Role::PlatformAdmin);
    developer(app, provider, "pdev");
    app.person(provider, "pmember", Role::Member);
    let customer = app.org("星河制造", "dingcustomer01", "professional");
    let cadmin = app.user("cadmin", "王采购");
    app.member(customer, cadmin, Role::PlatformAdmin);
    app.person(customer, "cmember", Role::Member);
    let other = app.org("别家公司", "dingother01", "professional");
    app.person(other, "oadmin", Role::MainAdmin);
    app.operator("op");
    let a = new_app(app, provider, padmin, "设备巡检", false);
    let a2 = new_app(app, provider, padmin, "采购审批", false);
    let premium = new_app(app, provider, padmin, "精品CRM", true);
    let copy = new_app(app, provider, padmin, "分发来的应用", false);
    // A copy received from another provider: only a send makes one, and this provider
    // never bought anything.
    diesel::update(apps::table.find(copy))
        .set(apps::source_app_id.eq(Some(a)))
        .execute(&mut *app.conn())
        .expect("copy");
    World {
        provider,
        other,
        padmin,
        app: a,
        app2: a2,
        premium,
        copy,
    }
}

pub fn project_form<'a>(name: &'a str, amount: &'a str, corp: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("description", "宜搭交付部分"),
        ("amount", amount),
        ("customer_name", "星河制造"),
        ("customer_corp_id", corp),
    ]
}

/// Submits a project as `c` and returns its id.
pub async fn create_project(c: &Client, name: &str, corp: &str) -> i64 {
    let r = c
        .post_multipart(
            "/provider/projects",
            &project_form(name, "12000.50", corp),
            &[("contract", "contract.pdf", "application/pdf", PDF)],
        )
        .await;
    r.assert_redirect("/provider/projects/");
    r.location()
        .trim_start_matches("/provider/projects/")
        .parse()
        .expect("project id")
}

/// The operator "op" approves a project.
pub async fn approve(app: &TestApp, id: i64) {
    let op = app.signed_in("op").await;
    op.post(&format!("/operator/reviews/{id}/approve"), &[])
        .await
        .assert_redirect("/operator/reviews");
}

/// An approved project of `padmin` for the customer's CorpID.
pub async fn approved_project(app: &TestApp, c: &Client) -> i64 {
    let id = create_project(c, "星河设备项目", "dingcustomer01").await;
    approve(app, id).await;
    id
}

pub fn status_of(app: &TestApp, id: i64) -> String {
    projects::table
        .find(id)
        .select(projects::status)
        .first(&mut *app.conn())
        .expect("project")
}

/// Issues a link on `project` for `apps` as `c`; returns (link id, token).
pub async fn issue(app: &TestApp, c: &Client, project: i64, apps: &[i64]) -> (i64, String) {
    let pid = project.to_string();
    let ids: Vec<String> = apps.iter().map(i64::to_string).collect();
    let mut form = vec![("project_id", pid.as_str())];
    form.extend(ids.iter().map(|i| ("app_id", i.as_str())));
    let r = c.post("/provider/links", &form).await;
    r.assert_redirect("/provider/links/");
    let id: i64 = r
        .location()
        .trim_start_matches("/provider/links/")
        .parse()
        .expect("link id");
    let token = distribution_links::table
        .find(id)
        .select(distribution_links::token)
        .first(&mut *app.conn())
        .expect("token");
    (id, token)
}

/// A provider's admin, signed in, at the start of a deal.
pub struct Provider<'a> {
    pub app: &'a TestApp,
    pub admin: Client,
}

/// A project of the deal, submitted (and after `approved()`, approved by "op").
pub struct Project<'a> {
    pub app: &'a TestApp,
    pub admin: Client,
    pub id: i64,
}

/// A distribution link issued on a project.
pub struct Link<'a> {
    pub app: &'a TestApp,
    pub admin: Client,
    pub project: i64,
    pub id: i64,
    pub token: String,
}

/// An order made through a link, with its order apps (one per app of the link).
pub struct Order<'a> {
    pub app: &'a TestApp,
    pub admin: Client,
    pub id: i64,
    pub order_apps: Vec<i64>,
}

impl<'a> Provider<'a> {
    pub fn new(app: &'a TestApp, admin: Client) -> Provider<'a> {
        Provider { app, admin }
    }

    /// Submits a project for the customer with CorpID `corp`.
    pub async fn project(&self, name: &str, corp: &str) -> Project<'a> {
        Project {
            app: self.app,
            admin: self.admin.clone(),
            id: create_project(&self.admin, name, corp).await,
        }
    }
}

impl<'a> Project<'a> {
    /// The platform operator (signed in as `operator`) approves it.
    pub async fn approved(self, operator: &Client) -> Project<'a> {
        operator
            .post(&format!("/operator/reviews/{}/approve", self.id), &[])
            .await
            .assert_redirect("/operator/reviews");
        self
    }

    /// A link for `apps`.
    pub async fn link(&self, apps: &[i64]) -> Link<'a> {
        let (id, token) = issue(self.app, &self.admin, self.id, apps).await;
        Link {
            app: self.app,
            admin: self.admin.clone(),
            project: self.id,
            id,
            token,
        }
    }
}

impl<'a> Link<'a> {
    /// `buyer` (an admin of the customer organisation) purchases through the link.
    pub async fn order(&self, buyer: &Client) -> Order<'a> {
        buyer
            .post(&format!("/d/{}", self.token), &[])
            .await
            .assert_redirect(&format!("/d/{}/done", self.token));
        let mut conn = self.app.conn();
        let id: i64 = orders::table
            .filter(orders::link_id.eq(self.id))
            .order(orders::id.desc())
            .select(orders::id)
            .first(&mut *conn)
            .expect("order");
        let order_apps = order_apps::table
            .filter(order_apps::order_id.eq(id))
            .order(order_apps::id.asc())
            .select(order_apps::id)
            .load(&mut *conn)
            .expect("order apps");
        Order {
            app: self.app,
            admin: self.admin.clone(),
            id,
            order_apps,
        }
    }
}

impl Order<'_> {
    /// The order's first (or only) app.
    pub fn order_app(&self) -> i64 {
        self.order_apps[0]
    }

    pub fn order_no(&self) -> String {
        orders::table
            .find(self.id)
            .select(orders::order_no)
            .first(&mut *self.app.conn())
            .expect("order no")
    }

    /// The provider sends the order's first app with `options`; returns the copy's id.
    pub async fn sent(&self, options: &[&str]) -> i64 {
        send(&self.admin, self.id, self.order_app(), options)
            .await
            .assert_redirect(&format!("/provider/orders/{}", self.id));
        copy_of(self.app, self.order_app()).expect("sent")
    }
}

/// Posts the send dialog with the agreement accepted and the given options.
pub async fn send(c: &Client, order: i64, oa: i64, options: &[&str]) -> Resp {
    let mut form: Vec<(&str, &str)> = options.iter().map(|o| (*o, "on")).collect();
    form.push(("agree", "on"));
    c.post(&format!("/provider/orders/{order}/apps/{oa}/send"), &form)
        .await
}

pub fn copy_of(app: &TestApp, oa: i64) -> Option<i64> {
    order_apps::table
        .find(oa)
        .select(order_apps::copy_app_id)
        .first(&mut *app.conn())
        .expect("order app")
}

/// A maintenance grant on a copy, as its developer asked for it.
pub struct Grant<'a> {
    pub app: &'a TestApp,
    pub developer: Client,
    pub copy: i64,
    pub id: i64,
}

impl<'a> Grant<'a> {
    /// The developer signed in as `dev` asks for a one-day grant on `copy`.
    pub async fn requested(app: &'a TestApp, dev: Client, copy: i64) -> Grant<'a> {
        dev.post_ok(
            "/maintenance/request",
            &[
                ("app", &copy.to_string()),
                ("reason", "修复采购报表"),
                ("amount", "1"),
                ("unit", "days"),
            ],
        )
        .await
        .assert_redirect("/maintenance");
        let id = maintenance_grants::table
            .filter(maintenance_grants::app_id.eq(copy))
            .order(maintenance_grants::id.desc())
            .select(maintenance_grants::id)
            .first(&mut *app.conn())
            .expect("grant");
        Grant {
            app,
            developer: dev,
            copy,
            id,
        }
    }

    /// A customer admin approves it: it is live.
    pub async fn approved(self, admin: &Client) -> Grant<'a> {
        self.decided(admin, "approve").await
    }

    /// A customer admin declines it.
    pub async fn declined(self, admin: &Client) -> Grant<'a> {
        self.decided(admin, "decline").await
    }

    async fn decided(self, admin: &Client, how: &str) -> Grant<'a> {
        admin
            .post(&format!("/maintenance/grants/{}/{how}", self.id), &[])
            .await
            .assert_redirect("/maintenance");
        self
    }

    /// The developer enters the customer's organisation under it.
    pub async fn entered(self) -> Grant<'a> {
        self.developer
            .post(&format!("/maintenance/grants/{}/enter", self.id), &[])
            .await
            .assert_redirect(&format!("/apps/{}", self.copy));
        self
    }
}

/// Requests a one-day grant as "dev", has "cadmin" approve it and enters it.
pub async fn live_grant(app: &TestApp, d: &MaintenanceDeal) -> (Client, i64) {
    let admin = app.signed_in("cadmin").await;
    let g = Grant::requested(app, app.signed_in("dev").await, d.copy)
        .await
        .approved(&admin)
        .await
        .entered()
        .await;
    (g.developer, g.id)
}

pub fn app_name(app: &TestApp, id: i64) -> String {
    apps::table
        .find(id)
        .select(apps::name)
        .first(&mut *app.conn())
        .expect("name")
}

pub async fn rename(c: &Client, id: i64, name: &str) -> Resp {
    c.post(
        &format!("/apps/{id}/edit"),
        &[
            ("name", name),
            ("icon", "clipboard-list"),
            ("color", "blue"),
            ("description", ""),
        ],
    )
    .await
}

/// Moves an order's purchase time to `at` (the order centre's weekly chart counts orders
/// by when they were placed; a test cannot wait for weeks to pass).
pub fn placed_at(app: &TestApp, order: i64, at: i64) {
    diesel::update(orders::table.find(order))
        .set(orders::created_at.eq(at))
        .execute(&mut *app.conn())
        .expect("placed at");
}

/// A second certified provider "别家服务商" (its main admin `login`) with one app, sold
/// once to the world's customer (cadmin purchases): returns the provider's id.
pub async fn second_provider_with_an_order(app: &TestApp, login: &str) -> i64 {
    let provider = app.org("别家服务商", "dingprovider02", "exclusive");
    set_level(app, provider, true, "advanced");
    let admin = app.person(provider, login, Role::MainAdmin);
    let source = new_app(app, provider, admin, "别家应用", false);
    let operator = app.signed_in("op").await;
    Provider::new(app, app.signed_in(login).await)
        .project("别家项目", "dingcustomer01")
        .await
        .approved(&operator)
        .await
        .link(&[source])
        .await
        .order(&app.signed_in("cadmin").await)
        .await;
    provider
}
