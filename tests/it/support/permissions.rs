//! The permission matrix's harness, shared by the permission and the CSRF suites: ten
//! principals on two complete tenants (`principals`), the answers their routes' policies
//! and the handlers' narrowings lead us to expect, path parameters filled from fixture maps,
//! forms harvested from the principals' pages, and a snapshot of the data to see what a
//! request changed.
//!
//! Path parameters are filled from fixture maps keyed by `segment/{param}` (the path
//! segment before the parameter and its name, e.g. `apps/{id}`, `pages/{pid}`); a route
//! added later with a parameter the map does not know fails with a message naming it:
//! add the fixture in [`side`].

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use fenfa::auth::Role;
use fenfa::db::now;
use fenfa::db::schema::{
    app_admins, approval_steps, approval_tasks, attachments, automations, components, connectors,
    departments, distribution_links, fields, link_apps, maintenance_grants, memberships,
    notification_templates, notifications, order_apps, orders, orgs, pages, projects, submissions,
    users,
};
use fenfa::db::schema::{
    collab_groups, collab_members, contact_departures, departure_items, space_apps, space_groups,
    space_orgs, spaces,
};
use fenfa::web::policy::{Policy, RouteSpec};

use super::{Client, Resp, TestApp};

/// Who calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Anonymous,
    Operator,
    ProviderAdmin,
    ProviderDev,
    CustomerAdmin,
    CustomerMember,
    SecondProvider,
    SecondCustomer,
    Downstream,
    Disabled,
}

use Kind::*;

/// What the route's policy lets this principal do.
pub fn policy_allows(p: Policy, k: Kind) -> bool {
    let in_org = matches!(
        k,
        ProviderAdmin
            | ProviderDev
            | CustomerAdmin
            | CustomerMember
            | SecondProvider
            | SecondCustomer
            | Downstream
    );
    let admin = matches!(
        k,
        ProviderAdmin | CustomerAdmin | SecondProvider | SecondCustomer
    );
    match p {
        Policy::Public | Policy::ApiKey => true,
        Policy::Signed => !matches!(k, Anonymous | Disabled),
        Policy::InOrg => in_org,
        Policy::OrgAdmin | Policy::MemberManager => admin,
        Policy::AppBuilder => admin || k == ProviderDev,
        Policy::Provider => matches!(k, ProviderAdmin | ProviderDev | SecondProvider),
        Policy::Operator => k == Operator,
    }
}

/// Handlers narrower than their policy, on purpose (each with the rule it enforces):
/// these (method, path, principal) are expected to be refused although the policy lets
/// the principal through.
pub fn narrowed(method: &str, path: &str, k: Kind) -> Option<&'static str> {
    let customer_side = matches!(k, CustomerMember | Downstream);
    if k == ProviderDev
        && (path.starts_with("/provider/projects/")
            || (method == "POST" && path == "/provider/projects")
            || path == "/provider/links/{id}/revoke"
            || path == "/apps/{id}/premium")
    {
        return Some("projects, links and premium marks are for provider admins (the creator)");
    }
    if method == "POST"
        && path == "/d/{token}"
        && matches!(
            k,
            Operator | ProviderAdmin | ProviderDev | CustomerMember | Downstream
        )
    {
        return Some(
            "a purchase is refused (403, with the seed's message) to all but the admins of the \
             organisation the project names; the link is a real one since the deal is made \
             through the product",
        );
    }
    if customer_side && path.starts_with("/provider/orders/{id}") {
        return Some("an order is for the provider's people and the customer's admins");
    }
    if path == "/org/members/{id}/role" && matches!(k, CustomerAdmin | SecondCustomer) {
        return Some("only the main admin changes roles (these are platform admins)");
    }
    let space_manager_only = SPACE_MANAGEMENT
        .iter()
        .any(|(m, p)| *m == method && *p == path);
    let never_manages = matches!(
        k,
        CustomerAdmin | CustomerMember | ProviderDev | SecondCustomer
    );
    let own_pool = path == "/interconnect/spaces/new"
        || path == "/interconnect/spaces"
        || path.starts_with("/interconnect/licences")
        || path.starts_with("/interconnect/departures");
    if space_manager_only && (never_manages || (k == Downstream && own_pool)) {
        return Some(
            "spaces and the licence pool are managed by the main admin or a sub-admin with the \
             interconnection permission point (seed 004); platform admins, members and developers \
             are refused",
        );
    }
    let provider_admin_only = path.starts_with("/provider/custom-dev")
        && (method == "POST" || path == "/provider/custom-dev/new" || path.ends_with("/edit"))
        && path != "/provider/custom-dev/custom-apps/{id}/enter";
    if k == ProviderDev && provider_admin_only {
        return Some(
            "templates, go-live, batches, configuration and test organisations are changed by the provider's admins (seed 003)",
        );
    }
    let authorises = method == "POST"
        && (path == "/custom-dev/authorise/{token}" || path == "/custom-dev/batch/{token}");
    if authorises && matches!(k, CustomerMember | Downstream | ProviderDev) {
        return Some("only the enterprise's main admin or platform admin authorises (seed 003)");
    }
    let centre_new = path == "/provider/app-centre/products/new"
        || (method == "POST" && path == "/provider/app-centre/products");
    if centre_new && matches!(k, ProviderDev | SecondProvider) {
        return Some(
            "app-centre products are made by the admins of onboarded sellers (invited and \
             approved): the demo's provider is one, the second provider is not (the \
             pipeline: appcentre)",
        );
    }
    let centre_admin_only = (method == "GET" && path == "/provider/app-centre/products/{id}/edit")
        || (method == "POST"
            && [
                "/provider/app-centre/seller",
                "/provider/app-centre/products/{id}/edit",
                "/provider/app-centre/products/{id}/submit",
                "/provider/app-centre/products/{id}/screenshots/{shot}/remove",
                "/provider/app-centre/products/{id}/cocreators",
                "/provider/app-centre/products/{id}/cocreators/{org}/withdraw",
                "/provider/app-centre/products/{id}/cocreation/start",
                "/provider/app-centre/products/{id}/review",
                "/provider/app-centre/products/{id}/final",
            ]
            .contains(&path));
    if k == ProviderDev && centre_admin_only {
        return Some("the seller application and products are changed by the provider's admins");
    }
    if k == ProviderDev && QD_PROVIDER_ADMIN_ONLY.contains(&(method, path)) {
        return Some(
            "quick-deploy applications, their links and answers to defects are changed by the \
             provider's admins",
        );
    }
    let qd_new = (method == "GET" && path == "/provider/quick-deploy/applications/new")
        || (method == "POST" && path == "/provider/quick-deploy/applications");
    if k == SecondProvider && qd_new {
        return Some(
            "quick deploy is for onboarded sellers (确保云市场服务商审核通过): the demo's provider \
             is one, the second provider is not",
        );
    }
    let qd_admin_only = path == "/provider/quick-deploy/api-key"
        || (method == "POST"
            && path.starts_with("/provider/quick-deploy/applications/{id}/serials/"));
    if k == ProviderDev && qd_admin_only {
        return Some(
            "quick-deploy serial numbers and the API key are changed (the key also read) by the \
             provider's admins",
        );
    }
    if k == Operator && path == "/d/{token}/done" {
        return Some("the operator belongs to no organisation that could have purchased");
    }
    None
}

/// The interconnection routes only a space manager may call (the others in the space get
/// its pages; people outside it get 404).
const SPACE_MANAGEMENT: &[(&str, &str)] = &[
    ("GET", "/interconnect/spaces/new"),
    ("GET", "/interconnect/spaces/{id}/invite"),
    ("GET", "/interconnect/spaces/{id}/orgs"),
    ("GET", "/interconnect/spaces/{id}/orgs/{so}/reject"),
    ("GET", "/interconnect/spaces/{id}/orgs/{so}/visibility"),
    ("GET", "/interconnect/spaces/{id}/org-groups"),
    ("GET", "/interconnect/licences"),
    ("GET", "/interconnect/licences/orgs/{org}"),
    ("GET", "/interconnect/licences/report"),
    ("GET", "/interconnect/licences/report/export"),
    ("GET", "/interconnect/spaces/{id}/orgs/{so}/remove"),
    ("POST", "/interconnect/spaces"),
    ("POST", "/interconnect/spaces/{id}/invite/regenerate"),
    ("POST", "/interconnect/spaces/{id}/invite/batch"),
    ("POST", "/interconnect/spaces/{id}/invite/api-key"),
    ("POST", "/interconnect/spaces/{id}/orgs/{so}/approve"),
    ("POST", "/interconnect/spaces/{id}/orgs/{so}/reject"),
    ("POST", "/interconnect/spaces/{id}/orgs/{so}/visibility"),
    ("POST", "/interconnect/spaces/{id}/org-groups"),
    ("POST", "/interconnect/spaces/{id}/org-groups/{gid}/rename"),
    ("POST", "/interconnect/spaces/{id}/org-groups/assign"),
    ("POST", "/interconnect/spaces/{id}/apps"),
    ("POST", "/interconnect/spaces/{id}/apps/{sa}/targets"),
    ("POST", "/interconnect/spaces/{id}/apps/{sa}/unpublish"),
    ("POST", "/interconnect/licences/orgs/{org}/grant"),
    ("POST", "/interconnect/licences/orgs/{org}/release"),
    ("POST", "/interconnect/licences/orgs/{org}/auto"),
    ("POST", "/interconnect/spaces/{id}/orgs/{so}/remove"),
    ("POST", "/interconnect/spaces/{id}/org-groups/{gid}/delete"),
    ("GET", "/interconnect/licences/purchase"),
    ("POST", "/interconnect/licences/purchase"),
    ("GET", "/interconnect/departures"),
    ("GET", "/interconnect/departures/{id}"),
    ("POST", "/interconnect/departures/{id}/successor"),
];

/// The provider's quick-deploy routes only its admins may call (its developers look).
const QD_PROVIDER_ADMIN_ONLY: &[(&str, &str)] = &[
    ("GET", "/provider/quick-deploy/applications/new"),
    ("POST", "/provider/quick-deploy/applications"),
    ("GET", "/provider/quick-deploy/applications/{id}/edit"),
    ("POST", "/provider/quick-deploy/applications/{id}/edit"),
    (
        "POST",
        "/provider/quick-deploy/applications/{id}/link/pause",
    ),
    (
        "POST",
        "/provider/quick-deploy/applications/{id}/link/resume",
    ),
    (
        "POST",
        "/provider/quick-deploy/applications/{id}/link/retarget",
    ),
    (
        "POST",
        "/provider/quick-deploy/applications/{id}/defects/{d}/plan",
    ),
    (
        "POST",
        "/provider/quick-deploy/applications/{id}/defects/{d}/fixed",
    ),
];

/// Routes the matrix cannot exercise, with the reason.
pub const IGNORED: &[(&str, &str, &str)] = &[];

/// Routes whose ids are capabilities or platform-wide, so the cross-tenant check does not
/// apply to them.
pub fn cross_tenant_exempt(path: &str) -> Option<&'static str> {
    if path.starts_with("/d/") {
        return Some(
            "the link token is the bearer capability; the CorpID check is tested in distribution_links",
        );
    }
    if path.starts_with("/operator/") {
        return Some("the operator acts platform-wide");
    }
    if path.starts_with("/qd/team/{token}") {
        return Some("the team invitation link's token is the bearer capability of its team");
    }
    if path == "/interconnect/join/{token}" {
        return Some("the invitation token is the bearer capability of its space");
    }
    if path.starts_with("/app-centre/") {
        return Some(
            "a listed product (and its screenshots) is shown to organisations beyond its \
             provider; who sees which product is tested in appcentre_install",
        );
    }
    if path.starts_with("/qd/") {
        return Some(
            "a deploy link's token (and a welcome link's) is the bearer capability; the \
             deployment a step acts on is the current organisation's, tested in \
             quickdeploy_deploy",
        );
    }
    if path.starts_with("/static/") {
        return Some("static files are public");
    }
    if path == "/custom-dev/authorise/{token}" || path == "/custom-dev/batch/{token}" {
        return Some("the authorisation code is the bearer capability of its template(s)");
    }
    if path == "/custom-dev/templates/{id}/logo" {
        return Some("a template's logo is shown to every enterprise it is offered to");
    }
    if path == "/maintenance/grants/{id}/enter" {
        return Some(
            "entered by the developer of the provider, checked in distribution_maintenance",
        );
    }
    None
}

pub type Fixtures = HashMap<String, String>;

/// (who, login, org, own fixtures, the other tenant's fixtures).
type PrincipalRow<'a> = (
    Kind,
    Option<&'static str>,
    i64,
    &'a Fixtures,
    Option<&'a Fixtures>,
);

pub struct Principal {
    pub kind: Kind,
    pub login: Option<&'static str>,
    pub client: Client,
    pub fx: Fixtures,
    /// The other tenant's fixtures, for the cross-tenant check.
    pub foreign: Option<Fixtures>,
}

fn one<T>(r: QueryResult<T>, what: &str) -> T {
    r.unwrap_or_else(|e| panic!("fixture {what}: {e}"))
}

fn id_of_org(app: &TestApp, corp: &str) -> i64 {
    one(
        orgs::table
            .filter(orgs::corp_id.eq(corp))
            .select(orgs::id)
            .first(&mut *app.conn()),
        corp,
    )
}

pub fn id_of_user(app: &TestApp, login: &str) -> i64 {
    one(
        users::table
            .filter(users::login.eq(login))
            .select(users::id)
            .first(&mut *app.conn()),
        login,
    )
}

fn page_of(app: &TestApp, app_id: i64, name: &str) -> i64 {
    one(
        pages::table
            .filter(pages::app_id.eq(app_id))
            .filter(pages::name.eq(name))
            .select(pages::id)
            .first(&mut *app.conn()),
        name,
    )
}

fn first_id(v: QueryResult<Vec<i64>>, what: &str) -> i64 {
    let v: Vec<i64> = one(v, what);
    *v.first()
        .unwrap_or_else(|| panic!("fixture {what}: none in the data"))
}

/// One tenant side's ids: an org with an app built like the demo's "采购管理", its parts,
/// a department, a victim member, a file, and the distribution records.
#[derive(Clone)]
struct SideIds {
    org: i64,
    app: i64,
    victim_user: i64,
    project: i64,
    link: i64,
    token: String,
    order: i64,
    order_app: i64,
    grant: i64,
}

fn side(app: &TestApp, s: &SideIds) -> Fixtures {
    let process = page_of(app, s.app, "采购申请");
    let report = page_of(app, s.app, "按类别统计采购额");
    let custom: i64 = first_id(
        pages::table
            .filter(pages::app_id.eq(s.app))
            .filter(pages::kind.eq("custom"))
            .select(pages::id)
            .load(&mut *app.conn()),
        "custom page",
    );
    let field = first_id(
        fields::table
            .filter(fields::page_id.eq(process))
            .select(fields::id)
            .load(&mut *app.conn()),
        "field",
    );
    let step = first_id(
        approval_steps::table
            .filter(approval_steps::page_id.eq(process))
            .select(approval_steps::id)
            .load(&mut *app.conn()),
        "step",
    );
    let connector = first_id(
        connectors::table
            .filter(connectors::app_id.eq(s.app))
            .select(connectors::id)
            .load(&mut *app.conn()),
        "connector",
    );
    let template = first_id(
        notification_templates::table
            .filter(notification_templates::app_id.eq(s.app))
            .select(notification_templates::id)
            .load(&mut *app.conn()),
        "notification template",
    );
    let automation = first_id(
        automations::table
            .filter(automations::app_id.eq(s.app))
            .select(automations::id)
            .load(&mut *app.conn()),
        "automation",
    );
    let component = first_id(
        components::table
            .filter(components::app_id.eq(s.app))
            .select(components::id)
            .load(&mut *app.conn()),
        "component",
    );
    let dept = first_id(
        departments::table
            .filter(departments::org_id.eq(s.org))
            .select(departments::id)
            .load(&mut *app.conn()),
        "department",
    );
    let victim_membership = first_id(
        memberships::table
            .filter(memberships::org_id.eq(s.org))
            .filter(memberships::user_id.eq(s.victim_user))
            .select(memberships::id)
            .load(&mut *app.conn()),
        "victim membership",
    );
    let file = first_id(
        attachments::table
            .filter(attachments::org_id.eq(s.org))
            .select(attachments::id)
            .load(&mut *app.conn()),
        "attachment",
    );
    let mut f = Fixtures::new();
    let mut put = |k: &str, v: String| {
        f.insert(k.to_string(), v);
    };
    put("static/{file}", "app.css".into());
    put("members/{id}", victim_membership.to_string());
    put("departments/{id}", dept.to_string());
    put("orgs/{id}", s.org.to_string());
    put("users/{id}", s.victim_user.to_string());
    put("apps/{id}", s.app.to_string());
    put("admins/{uid}", s.victim_user.to_string());
    put("pages/{pid}", process.to_string());
    put("fields/{fid}", field.to_string());
    put("steps/{sid}", step.to_string());
    put("connectors/{cid}", connector.to_string());
    put("templates/{tid}", template.to_string());
    put("automations/{aid}", automation.to_string());
    put("components/{kid}", component.to_string());
    put("a/{app_id}", s.app.to_string());
    put("f/{page_id}", process.to_string());
    put("r/{page_id}", report.to_string());
    put("p/{page_id}", custom.to_string());
    put("files/{id}", file.to_string());
    put("projects/{id}", s.project.to_string());
    put("reviews/{id}", s.project.to_string());
    put("links/{id}", s.link.to_string());
    put("d/{token}", s.token.clone());
    put("orders/{id}", s.order.to_string());
    put("apps/{oa}", s.order_app.to_string());
    put("my-apps/{id}", s.app.to_string());
    put("grants/{id}", s.grant.to_string());
    interconnect(app, &mut f, s);
    customdev(app, &mut f, s);
    appcentre(app, &mut f, s);
    crate::support::quickdeploy_provider::matrix(app, &mut f, s.org, s.victim_user);
    super::quickdeploy_serials::matrix(app, &mut f, s.org, s.victim_user);
    crate::support::quickdeploy_team::matrix_side(app, &mut f, s.org, s.victim_user, s.app);
    crate::support::quickdeploy_deploy::matrix(app, &mut f, s.org, s.victim_user);
    f
}

/// An open app-centre product of the side's organisation (as its provider) with a free
/// edition and a stored screenshot, and an install of it in the same organisation (an
/// impossible state through the product, where a provider does not install its own
/// product, but it gives the organisation's routes an id of this tenant).
fn appcentre(app: &TestApp, f: &mut Fixtures, s: &SideIds) {
    use fenfa::db::schema::{ac_editions, ac_installs, ac_products, ac_screenshots, ac_surveys};
    let t = now();
    let mut c = app.conn();
    let product: i64 = one(
        // Direct: the pipeline before opening is tested in appcentre.
        diesel::insert_into(ac_products::table)
            .values((
                ac_products::provider_org_id.eq(s.org),
                ac_products::app_id.eq(s.app),
                // 9 first: clear of the demo's own product code.
                ac_products::code.eq(Some(format!("cmd9{:06}", s.org))),
                ac_products::stage.eq("open"),
                ac_products::name.eq(format!("矩阵商品{}", s.org)),
                ac_products::description.eq("矩阵测试用的商品。"),
                ac_products::category.eq("office"),
                ac_products::homepage_url.eq("https://isv.example.com/"),
                ac_products::permissions.eq("app_data"),
                ac_products::data_stored.eq("表单数据"),
                ac_products::version.eq(1),
                ac_products::created_by.eq(s.victim_user),
                ac_products::created_at.eq(t),
                ac_products::updated_at.eq(t),
            ))
            .returning(ac_products::id)
            .get_result(&mut *c),
        "product",
    );
    let edition: i64 = one(
        diesel::insert_into(ac_editions::table)
            .values((
                ac_editions::product_id.eq(product),
                ac_editions::name.eq("免费版"),
                ac_editions::price_fen.eq(0),
                ac_editions::seats.eq(10),
                ac_editions::position.eq(0),
            ))
            .returning(ac_editions::id)
            .get_result(&mut *c),
        "edition",
    );
    let key = format!("ac-matrix-{}.png", s.org);
    app.state
        .storage
        .put(&key, crate::support::appcentre::PNG)
        .expect("screenshot file");
    let shot: i64 = one(
        diesel::insert_into(ac_screenshots::table)
            .values((
                ac_screenshots::product_id.eq(product),
                ac_screenshots::file_key.eq(&key),
                ac_screenshots::content_type.eq("image/png"),
                ac_screenshots::position.eq(0),
            ))
            .returning(ac_screenshots::id)
            .get_result(&mut *c),
        "screenshot",
    );
    let install: i64 = one(
        diesel::insert_into(ac_installs::table)
            .values((
                ac_installs::product_id.eq(product),
                ac_installs::org_id.eq(s.org),
                ac_installs::app_id.eq(Some(s.app)),
                ac_installs::phase.eq("open"),
                ac_installs::edition_id.eq(Some(edition)),
                ac_installs::version.eq(1),
                ac_installs::installed_by.eq(s.victim_user),
                ac_installs::installed_at.eq(t),
            ))
            .returning(ac_installs::id)
            .get_result(&mut *c),
        "install",
    );
    let survey: i64 = one(
        diesel::insert_into(ac_surveys::table)
            .values((
                ac_surveys::product_id.eq(product),
                ac_surveys::phase.eq("open"),
                ac_surveys::sent_by.eq(s.victim_user),
                ac_surveys::sent_at.eq(t),
            ))
            .returning(ac_surveys::id)
            .get_result(&mut *c),
        "survey",
    );
    f.insert("surveys/{id}".into(), survey.to_string());
    f.insert("cocreators/{org}".into(), s.org.to_string());
    f.insert("cohort/{org}".into(), s.org.to_string());
    f.insert("products/{id}".into(), product.to_string());
    f.insert("screenshots/{shot}".into(), shot.to_string());
    f.insert("installs/{id}".into(), install.to_string());
    f.insert("providers/{org}".into(), s.org.to_string());
    f.insert("sellers/{org}".into(), s.org.to_string());
}

/// A live template of the side's organisation (as a provider) with a ticket in review, a
/// batch, and a custom app it authorised to itself (the state is impossible through the
/// product, where a provider authorises its own templates only in a test organisation,
/// but it gives both the provider's and the enterprise's routes an id of this tenant).
/// The custom app has no app, so entering it changes no session.
fn customdev(app: &TestApp, f: &mut Fixtures, s: &SideIds) {
    use fenfa::db::schema::{
        cd_batch_templates, cd_batches, cd_catalogue, cd_custom_apps, cd_deliveries, cd_reviews,
        cd_template_versions, cd_templates,
    };
    let mut c = app.conn();
    let token = fenfa::tools::new_token();
    let tid: i64 = one(
        diesel::insert_into(cd_templates::table)
            .values((
                cd_templates::provider_org_id.eq(s.org),
                cd_templates::token.eq(&token),
                cd_templates::created_by.eq(s.victim_user),
                cd_templates::created_at.eq(now()),
            ))
            .returning(cd_templates::id)
            .get_result(&mut *c),
        "template",
    );
    let vid: i64 = one(
        diesel::insert_into(cd_template_versions::table)
            .values((
                cd_template_versions::template_id.eq(tid),
                cd_template_versions::version.eq(1),
                cd_template_versions::name.eq("矩阵模版"),
                cd_template_versions::intro.eq("矩阵测试模版"),
                cd_template_versions::logo_key.eq("no-such-logo.png"),
                cd_template_versions::category.eq("客户管理"),
                cd_template_versions::industry.eq("通用"),
                cd_template_versions::callback_url.eq("https://isv.example.com/cb"),
                cd_template_versions::saved_by.eq(s.victim_user),
                cd_template_versions::saved_at.eq(now()),
            ))
            .returning(cd_template_versions::id)
            .get_result(&mut *c),
        "version",
    );
    one(
        diesel::update(cd_templates::table.find(tid))
            .set(cd_templates::live_version_id.eq(Some(vid)))
            .execute(&mut *c),
        "live",
    );
    let ticket: i64 = one(
        diesel::insert_into(cd_reviews::table)
            .values((
                cd_reviews::provider_org_id.eq(s.org),
                cd_reviews::subject.eq("template"),
                cd_reviews::template_id.eq(tid),
                cd_reviews::version_id.eq(Some(vid)),
                cd_reviews::state.eq("in_review"),
                cd_reviews::submitted_by.eq(s.victim_user),
                cd_reviews::submitted_at.eq(now()),
            ))
            .returning(cd_reviews::id)
            .get_result(&mut *c),
        "ticket",
    );
    let batch_token = fenfa::tools::new_token();
    let batch: i64 = one(
        diesel::insert_into(cd_batches::table)
            .values((
                cd_batches::provider_org_id.eq(s.org),
                cd_batches::token.eq(&batch_token),
                cd_batches::expires_at.eq(now() + 86_400),
                cd_batches::created_by.eq(s.victim_user),
                cd_batches::created_at.eq(now()),
            ))
            .returning(cd_batches::id)
            .get_result(&mut *c),
        "batch",
    );
    one(
        diesel::insert_into(cd_batch_templates::table)
            .values((
                cd_batch_templates::batch_id.eq(batch),
                cd_batch_templates::template_id.eq(tid),
            ))
            .execute(&mut *c),
        "batch template",
    );
    let custom: i64 = one(
        diesel::insert_into(cd_custom_apps::table)
            .values((
                cd_custom_apps::template_id.eq(tid),
                cd_custom_apps::provider_org_id.eq(s.org),
                cd_custom_apps::enterprise_org_id.eq(s.org),
                cd_custom_apps::status.eq("active"),
                cd_custom_apps::name.eq("矩阵应用"),
                cd_custom_apps::intro.eq("矩阵测试应用"),
                cd_custom_apps::logo_key.eq("no-such-logo.png"),
                cd_custom_apps::domain_token.eq(fenfa::tools::new_token()),
                cd_custom_apps::authorised_by.eq(s.victim_user),
                cd_custom_apps::authorised_at.eq(now()),
            ))
            .returning(cd_custom_apps::id)
            .get_result(&mut *c),
        "custom app",
    );
    let entry: i64 = one(
        diesel::insert_into(cd_catalogue::table)
            .values((
                cd_catalogue::kind.eq("banned_word"),
                cd_catalogue::name.eq(format!("矩阵词{}", s.org)),
                cd_catalogue::created_at.eq(now()),
            ))
            .returning(cd_catalogue::id)
            .get_result(&mut *c),
        "catalogue",
    );
    // Direct: an event's delivery is written by the enterprise's actions (authorise,
    // cancel) and the go-live (the pages: customdev_callbacks).
    let job = one(
        fenfa::jobs::enqueue(
            &mut c,
            "customdev_callback_delivery",
            &serde_json::json!({ "event_id": format!("matrix-{custom}") }),
        )
        .map_err(|_| diesel::result::Error::NotFound),
        "job",
    );
    let delivery: i64 = one(
        diesel::insert_into(cd_deliveries::table)
            .values((
                cd_deliveries::custom_app_id.eq(custom),
                cd_deliveries::event_id.eq(format!("matrix-{custom}")),
                cd_deliveries::event_type.eq("authorised"),
                cd_deliveries::body.eq("{}"),
                cd_deliveries::job_id.eq(job),
                cd_deliveries::created_at.eq(now()),
            ))
            .returning(cd_deliveries::id)
            .get_result(&mut *c),
        "delivery",
    );
    let mut put = |k: &str, v: String| {
        f.insert(k.to_string(), v);
    };
    put("callbacks/{delivery}", delivery.to_string());
    put("custom-dev/{id}", tid.to_string());
    put("templates/{id}", tid.to_string());
    put("tickets/{id}", ticket.to_string());
    put("batch/{id}", batch.to_string());
    put("batch/{token}", batch_token);
    put("authorise/{token}", token);
    put("custom-apps/{id}", custom.to_string());
    put("catalogue/{id}", entry.to_string());
    // The provider API's form routes take a form page of the side's app.
    let form = f.get("f/{page_id}").cloned().unwrap_or_default();
    f.insert("forms/{id}".to_string(), form);
}

/// An interconnection space of the side's organisation with a joined member organisation,
/// a published app, one of the space's org groups and a collaboration group.
fn interconnect(app: &TestApp, f: &mut Fixtures, s: &SideIds) {
    let partner = app.org(
        &format!("伙伴{}", s.org),
        &format!("dingpartner{}", s.org),
        "professional",
    );
    let partner_user = app.person(partner, &format!("partner.{}", s.org), Role::Member);
    let space = app.joined_space(s.org, s.victim_user, &[(partner, "all", &[])]);
    let so: i64 = one(
        space_orgs::table
            .filter(space_orgs::space_id.eq(space))
            .filter(space_orgs::org_id.eq(partner))
            .select(space_orgs::id)
            .first(&mut *app.conn()),
        "space org",
    );
    let token: String = one(
        spaces::table
            .find(space)
            .select(spaces::invite_token)
            .first(&mut *app.conn()),
        "invite token",
    );
    let sa: i64 = one(
        // Direct: the matrix needs one per tenant (the pages: interconnect_publish).
        diesel::insert_into(space_apps::table)
            .values((
                space_apps::space_id.eq(space),
                space_apps::app_id.eq(s.app),
                space_apps::all_orgs.eq(true),
                space_apps::published_by.eq(s.victim_user),
                space_apps::published_at.eq(now()),
            ))
            .returning(space_apps::id)
            .get_result(&mut *app.conn()),
        "space app",
    );
    let group: i64 = one(
        // Direct: the matrix needs one per tenant (the pages: interconnect_spaces).
        diesel::insert_into(space_groups::table)
            .values((
                space_groups::space_id.eq(space),
                space_groups::name.eq("华东区"),
                space_groups::created_at.eq(now()),
            ))
            .returning(space_groups::id)
            .get_result(&mut *app.conn()),
        "space group",
    );
    let collab: i64 = one(
        // Direct: the matrix needs one per tenant (the pages: interconnect_collab).
        diesel::insert_into(collab_groups::table)
            .values((
                collab_groups::space_id.eq(space),
                collab_groups::name.eq("项目群"),
                collab_groups::created_by.eq(s.victim_user),
                collab_groups::created_at.eq(now()),
            ))
            .returning(collab_groups::id)
            .get_result(&mut *app.conn()),
        "collab group",
    );
    for (user, org) in [(s.victim_user, s.org), (partner_user, partner)] {
        one(
            // Direct: the matrix needs one per tenant (the pages: interconnect_collab).
            diesel::insert_into(collab_members::table)
                .values((
                    collab_members::group_id.eq(collab),
                    collab_members::user_id.eq(user),
                    collab_members::org_id.eq(org),
                    collab_members::added_at.eq(now()),
                ))
                .execute(&mut *app.conn()),
            "collab member",
        );
    }
    let mut put = |k: &str, v: String| {
        f.insert(k.to_string(), v);
    };
    put("spaces/{id}", space.to_string());
    put("orgs/{so}", so.to_string());
    put("apps/{sa}", sa.to_string());
    put("org-groups/{gid}", group.to_string());
    put("collab/{gid}", collab.to_string());
    put("members/{uid}", partner_user.to_string());
    put("join/{token}", token);
    put("orgs/{org}", partner.to_string());
    // A contact of the side's organisation who left, waiting for a successor.
    let departure: i64 = one(
        // Direct: the matrix needs one per tenant (the pages: interconnect_contacts).
        diesel::insert_into(contact_departures::table)
            .values((
                contact_departures::org_id.eq(s.org),
                contact_departures::user_id.eq(partner_user),
                contact_departures::reason.eq("removed"),
                contact_departures::left_at.eq(now()),
            ))
            .returning(contact_departures::id)
            .get_result(&mut *app.conn()),
        "departure",
    );
    one(
        // Direct: the matrix needs one per tenant (the pages: interconnect_contacts).
        diesel::insert_into(departure_items::table)
            .values((
                departure_items::departure_id.eq(departure),
                departure_items::kind.eq("space"),
                departure_items::ref_id.eq(space),
            ))
            .execute(&mut *app.conn()),
        "departure item",
    );
    put("departures/{id}", departure.to_string());
}

/// The principal's own submission, approval task and notification.
fn own_records(app: &TestApp, fx: &mut Fixtures, org: i64, user: i64) {
    let app_id: i64 = fx["apps/{id}"].parse().expect("app id");
    let page: i64 = fx["f/{page_id}"].parse().expect("page id");
    let mut c = app.conn();
    let sub: i64 = one(
        // Direct: the matrix needs one per tenant (the pages: forms).
        diesel::insert_into(submissions::table)
            .values((
                submissions::org_id.eq(org),
                submissions::app_id.eq(app_id),
                submissions::page_id.eq(page),
                submissions::submitter_id.eq(user),
                submissions::data.eq("{}"),
                submissions::status.eq("in_approval"),
                submissions::current_step.eq(1),
                submissions::sample.eq(false),
                submissions::created_at.eq(now()),
                submissions::updated_at.eq(now()),
            ))
            .returning(submissions::id)
            .get_result(&mut *c),
        "submission",
    );
    let task: i64 = one(
        // Direct: the matrix needs one per tenant (the pages: approvals).
        diesel::insert_into(approval_tasks::table)
            .values((
                approval_tasks::org_id.eq(org),
                approval_tasks::submission_id.eq(sub),
                approval_tasks::step_position.eq(1),
                approval_tasks::assignee_id.eq(user),
                approval_tasks::kind.eq("approve"),
                approval_tasks::status.eq("pending"),
                approval_tasks::comment.eq(""),
                approval_tasks::created_at.eq(now()),
            ))
            .returning(approval_tasks::id)
            .get_result(&mut *c),
        "task",
    );
    let note: i64 = one(
        // Direct: the matrix needs one per tenant (the pages: forms).
        diesel::insert_into(notifications::table)
            .values((
                notifications::org_id.eq(org),
                notifications::user_id.eq(user),
                notifications::title.eq("forms.notify.submitted"),
                notifications::body.eq(""),
                notifications::link.eq("/submissions"),
                notifications::read.eq(false),
                notifications::created_at.eq(now()),
            ))
            .returning(notifications::id)
            .get_result(&mut *c),
        "notification",
    );
    fx.insert("submissions/{id}".into(), sub.to_string());
    fx.insert("tasks/{task_id}".into(), task.to_string());
    fx.insert("notifications/{id}".into(), note.to_string());
}

fn attach(app: &TestApp, org: i64, by: i64) {
    one(
        // Direct: the matrix needs one per tenant (the pages: forms).
        diesel::insert_into(attachments::table)
            .values((
                attachments::org_id.eq(org),
                attachments::uploader_id.eq(by),
                attachments::storage_key.eq(format!("t/{org}.pdf")),
                attachments::filename.eq("合同.pdf"),
                attachments::content_type.eq("application/pdf"),
                attachments::size_bytes.eq(10),
                attachments::created_at.eq(now()),
            ))
            .execute(&mut *app.conn()),
        "attachment",
    );
}

fn grant(app: &TestApp, app_id: i64, customer: i64, provider: i64, dev: i64) -> i64 {
    one(
        // Direct: the matrix needs one per tenant (the pages: distribution_maintenance).
        diesel::insert_into(maintenance_grants::table)
            .values((
                maintenance_grants::app_id.eq(app_id),
                maintenance_grants::customer_org_id.eq(customer),
                maintenance_grants::provider_org_id.eq(provider),
                maintenance_grants::developer_id.eq(dev),
                maintenance_grants::reason.eq("修复报表"),
                maintenance_grants::duration_secs.eq(3600),
                maintenance_grants::status.eq("pending"),
                maintenance_grants::requested_at.eq(now()),
            ))
            .returning(maintenance_grants::id)
            .get_result(&mut *app.conn()),
        "grant",
    )
}

fn project_for(app: &TestApp, provider: i64, creator: i64, corp: &str) -> i64 {
    let file = first_id(
        attachments::table
            .filter(attachments::org_id.eq(provider))
            .select(attachments::id)
            .load(&mut *app.conn()),
        "contract",
    );
    one(
        // Direct: the matrix needs one per tenant (the pages: distribution_projects).
        diesel::insert_into(projects::table)
            .values((
                projects::provider_org_id.eq(provider),
                projects::creator_id.eq(creator),
                projects::name.eq("二号项目"),
                projects::contract_amount_cents.eq(100_000),
                projects::contract_file_id.eq(file),
                projects::customer_name.eq("二号客户"),
                projects::customer_corp_id.eq(corp),
                projects::status.eq("approved"),
                projects::created_at.eq(now()),
            ))
            .returning(projects::id)
            .get_result(&mut *app.conn()),
        "project",
    )
}

fn link_of_order(app: &TestApp, order: i64) -> (i64, String) {
    use fenfa::db::schema::orders;
    one(
        orders::table
            .inner_join(distribution_links::table)
            .filter(orders::id.eq(order))
            .select((distribution_links::id, distribution_links::token))
            .first(&mut *app.conn()),
        "link",
    )
}

/// Two complete tenants on the demo data: A (provider P with admin and developer, customer
/// C with admin and member) and B (a second provider and a second customer), each with
/// apps, parts, projects, links, orders, grants, submissions and files of their own; an
/// interconnection space with the downstream member; a disabled user.
pub async fn principals(app: &TestApp) -> Vec<Principal> {
    let d = crate::support::distribution::deal(app).await;
    let full = ["with_sample", "with_connectors", "full_edit"];
    let c_copy = crate::support::distribution::sent(app, &d, &full).await;
    // Copies every part of the demo app into the second provider and customer.
    let p2 = app.org("二号服务商", "dingprovider02", "exclusive");
    crate::support::distribution::set_level(app, p2, true, "advanced");
    let p2_admin = app.person(p2, "p2.admin", Role::MainAdmin);
    let c2 = app.org("二号客户", "dingcustomer02", "professional");
    let c2_admin = app.person(c2, "c2.admin", Role::PlatformAdmin);
    let pa = crate::support::distribution::demo_login(app, "provider.admin").await;
    let mut copies = vec![];
    for (n, (org, buyer)) in [("b1", (p2, p2_admin)), ("b2", (c2, c2_admin))] {
        let (order, oa) = order_for(app, d.project, d.provider, org, buyer, d.source, n);
        crate::support::distribution::send(&pa, order, oa, &full)
            .await
            .assert_redirect(&format!("/provider/orders/{order}"));
        copies.push(crate::support::distribution::copy_of(app, oa).expect("sent"));
    }
    let (p2_app, c2_copy) = (copies[0], copies[1]);
    // Components are not among the parts a send copies to every org: give each app one.
    for (org, app_id) in [(d.customer, c_copy), (p2, p2_app), (c2, c2_copy)] {
        let has: i64 = one(
            components::table
                .filter(components::app_id.eq(app_id))
                .count()
                .get_result(&mut *app.conn()),
            "components",
        );
        if has == 0 {
            one(
                // Direct: the matrix needs one per tenant (the pages: apps).
                diesel::insert_into(components::table)
                    .values((
                        components::org_id.eq(org),
                        components::app_id.eq(app_id),
                        components::name.eq("卡片"),
                        components::description.eq(""),
                        components::markup.eq("<p>卡片</p>"),
                        components::created_at.eq(now()),
                    ))
                    .execute(&mut *app.conn()),
                "component",
            );
        }
    }
    // Approval steps name people of the provider, so a copy may have none: give it one.
    for (app_id, approver) in [(c_copy, d.c_admin), (p2_app, p2_admin), (c2_copy, c2_admin)] {
        let process = page_of(app, app_id, "采购申请");
        let has: i64 = one(
            approval_steps::table
                .filter(approval_steps::page_id.eq(process))
                .count()
                .get_result(&mut *app.conn()),
            "steps",
        );
        if has == 0 {
            one(
                // Direct: the matrix needs one per tenant (the pages: apps).
                diesel::insert_into(approval_steps::table)
                    .values((
                        approval_steps::page_id.eq(process),
                        approval_steps::position.eq(1),
                        approval_steps::name.eq("审批"),
                        approval_steps::approver_id.eq(approver),
                    ))
                    .execute(&mut *app.conn()),
                "step",
            );
        }
    }
    let p2_dept = app.department(p2, None, "二号交付部");
    let c2_dept = app.department(c2, None, "二号信息部");
    let _ = (p2_dept, c2_dept);
    attach(app, d.customer, d.c_admin);
    attach(app, p2, p2_admin);
    attach(app, c2, c2_admin);
    // Victims: members whose membership the matrix may change or remove.
    let victims: Vec<i64> = [
        (d.provider, "victim.p"),
        (d.customer, "victim.c"),
        (p2, "victim.p2"),
        (c2, "victim.c2"),
    ]
    .iter()
    .map(|(o, l)| app.person(*o, l, Role::Member))
    .collect();
    for (app_id, user) in [
        (d.source, victims[0]),
        (c_copy, victims[1]),
        (p2_app, victims[2]),
        (c2_copy, victims[3]),
    ] {
        one(
            // Direct: the matrix needs one per tenant (the pages: apps).
            diesel::insert_into(app_admins::table)
                .values((app_admins::app_id.eq(app_id), app_admins::user_id.eq(user)))
                .execute(&mut *app.conn()),
            "app admin",
        );
    }
    let p_dev = id_of_user(app, "provider.dev");
    let a_grant = grant(app, c_copy, d.customer, d.provider, p_dev);
    let b_project = project_for(app, p2, p2_admin, "dingcustomer02");
    let (b_order, b_oa) = order_for(app, b_project, p2, c2, c2_admin, p2_app, "b3");
    let b_grant = grant(app, c2_copy, c2, p2, p2_admin);
    let (a_link, a_token) = link_of_order(app, d.order);
    let (b_link, b_token) = link_of_order(app, b_order);

    let pa_ids = SideIds {
        org: d.provider,
        app: d.source,
        victim_user: victims[0],
        project: d.project,
        link: a_link,
        token: a_token.clone(),
        order: d.order,
        order_app: d.order_app,
        grant: a_grant,
    };
    let ca_ids = SideIds {
        org: d.customer,
        app: c_copy,
        victim_user: victims[1],
        grant: a_grant,
        ..pa_ids.clone()
    };
    let pb_ids = SideIds {
        org: p2,
        app: p2_app,
        victim_user: victims[2],
        project: b_project,
        link: b_link,
        token: b_token.clone(),
        order: b_order,
        order_app: b_oa,
        grant: b_grant,
    };
    let cb_ids = SideIds {
        org: c2,
        app: c2_copy,
        victim_user: victims[3],
        token: b_token,
        ..pb_ids.clone()
    };
    let ca_ids = SideIds {
        token: a_token,
        ..ca_ids
    };
    let (fpa, fca, fpb, fcb) = (
        side(app, &pa_ids),
        side(app, &ca_ids),
        side(app, &pb_ids),
        side(app, &cb_ids),
    );

    // The downstream member of an interconnection space of the upstream organisation.
    let upstream = id_of_org(app, "dingupstream01");
    let downstream = id_of_org(app, "dingdownstream01");
    app.joined_space(
        upstream,
        id_of_user(app, "upstream.admin"),
        &[(downstream, "all", &[])],
    );
    // A member of C who will be disabled while signed in.
    let disabled = app.person(d.customer, "c.disabled", Role::Member);

    let table: [PrincipalRow; 10] = [
        (Anonymous, None, 0, &fca, None),
        (Operator, Some("operator"), 0, &fca, None),
        (
            ProviderAdmin,
            Some("provider.admin"),
            d.provider,
            &fpa,
            Some(&fpb),
        ),
        (
            ProviderDev,
            Some("provider.dev"),
            d.provider,
            &fpa,
            Some(&fpb),
        ),
        (
            CustomerAdmin,
            Some("customer.admin"),
            d.customer,
            &fca,
            Some(&fcb),
        ),
        (
            CustomerMember,
            Some("customer.member"),
            d.customer,
            &fca,
            Some(&fcb),
        ),
        (SecondProvider, Some("p2.admin"), p2, &fpb, Some(&fpa)),
        (SecondCustomer, Some("c2.admin"), c2, &fcb, Some(&fca)),
        (
            Downstream,
            Some("downstream.member"),
            downstream,
            &fca,
            None,
        ),
        (Disabled, Some("c.disabled"), d.customer, &fca, None),
    ];
    let mut out = vec![];
    for (kind, login, org, fx, foreign) in table {
        let mut fx = fx.clone();
        let mut foreign = foreign.cloned();
        if let Some(l) = login {
            let uid = id_of_user(app, l);
            if org != 0 {
                own_records(app, &mut fx, org, uid);
            }
            if let Some(f) = foreign.as_mut() {
                // The other tenant's records of the same kinds (its admin's).
                let other_org: i64 = f["orgs/{id}"].parse().expect("org");
                let other_admin = if other_org == p2 {
                    p2_admin
                } else if other_org == c2 {
                    c2_admin
                } else if other_org == d.provider {
                    d.p_admin
                } else {
                    d.c_admin
                };
                own_records(app, f, other_org, other_admin);
            }
        }
        for k in ["submissions/{id}", "tasks/{task_id}", "notifications/{id}"] {
            // No records of their own (anonymous, the operator): a missing id.
            fx.entry(k.to_string())
                .or_insert_with(|| "987654321".into());
        }
        let client = match login {
            Some(l) => login_as(app, l).await,
            None => app.client(),
        };
        out.push(Principal {
            kind,
            login,
            client,
            fx,
            foreign,
        });
    }
    // Disabled by the operator while signed in: the session must end at once.
    let op = &out[1].client;
    op.post_ok(&format!("/operator/users/{disabled}/disable"), &[])
        .await;
    let still: bool = one(
        users::table
            .find(disabled)
            .select(users::disabled)
            .first(&mut *app.conn()),
        "disabled",
    );
    assert!(still, "the operator disabled c.disabled");
    out
}

pub async fn login_as(app: &TestApp, login: &str) -> Client {
    const DEMO: &[&str] = &[
        "operator",
        "provider.admin",
        "provider.dev",
        "customer.admin",
        "customer.member",
        "downstream.member",
    ];
    let pw = if DEMO.contains(&login) {
        fenfa::demo::PASSWORD
    } else {
        crate::support::PASSWORD
    };
    let c = app.client();
    c.login(login, pw).await;
    c
}

/// The path with every `{param}` filled from `fx`; panics naming an unknown parameter.
pub fn fill(path: &str, fx: &Fixtures) -> String {
    let segs: Vec<&str> = path.split('/').collect();
    let mut out = Vec::with_capacity(segs.len());
    for (i, s) in segs.iter().enumerate() {
        if s.starts_with('{') {
            let prev = if i > 0 { segs[i - 1] } else { "" };
            let key = format!("{prev}/{s}");
            let v = fx.get(&key).unwrap_or_else(|| {
                panic!(
                    "the permission matrix has no fixture for `{key}` (route {path}): add it in \
                     tests/it/permissions.rs `side()` or `own_records()`"
                )
            });
            out.push(v.clone());
        } else {
            out.push((*s).to_string());
        }
    }
    out.join("/")
}

/// The same path with every parameter a missing id (or token).
pub fn missing(path: &str) -> String {
    path.split('/')
        .map(|s| {
            if s == "{token}" || s == "{file}" {
                "no-such-thing".to_string()
            } else if s.starts_with('{') {
                "987654321".to_string()
            } else {
                s.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A refusal by policy: the login redirect, a 403 page (the provider gate is one).
/// For public routes a redirect to the login page is their answer (the start page, the
/// sign-out), so only a 403 counts.
pub fn denied(r: &Resp, policy: Policy) -> bool {
    r.status == StatusCode::FORBIDDEN
        || (policy != Policy::Public
            && r.status.is_redirection()
            && r.location().starts_with("/login"))
}

/// Every form on a page: (action, fields with their first value).
pub fn forms_of(html: &str) -> Vec<(String, Form)> {
    let doc = scraper::Html::parse_document(html);
    let form_sel = scraper::Selector::parse("form[method=post]").expect("sel");
    let input_sel =
        scraper::Selector::parse("input[name], textarea[name], select[name]").expect("sel");
    let opt_sel = scraper::Selector::parse("option").expect("sel");
    let mut out = vec![];
    for f in doc.select(&form_sel) {
        let action = f.value().attr("action").unwrap_or("").to_string();
        let multipart = f.value().attr("enctype") == Some("multipart/form-data");
        let mut fields: Vec<(String, String)> = vec![];
        for i in f.select(&input_sel) {
            let name = i.value().attr("name").unwrap_or("").to_string();
            let tag = i.value().name();
            let ty = i.value().attr("type").unwrap_or("text");
            let value = match tag {
                "textarea" => i.text().collect::<String>(),
                "select" => i
                    .select(&opt_sel)
                    .find_map(|o| o.value().attr("value").filter(|v| !v.is_empty()))
                    .unwrap_or("")
                    .to_string(),
                _ => i.value().attr("value").unwrap_or("").to_string(),
            };
            if matches!(ty, "checkbox" | "radio") && fields.iter().any(|(n, _)| *n == name) {
                continue;
            }
            if ty == "file" || ty == "submit" && i.value().attr("name").is_none() {
                continue;
            }
            let numeric = ty == "number" || i.value().attr("inputmode") == Some("decimal");
            let value = if value.is_empty() && numeric {
                "1".into()
            } else if value.is_empty() && tag != "select" && ty != "hidden" {
                "矩阵测试".into()
            } else {
                value
            };
            fields.push((name, value));
        }
        let button_sel = scraper::Selector::parse("button[name]").expect("sel");
        if let Some(b) = f.select(&button_sel).next() {
            let name = b.value().attr("name").unwrap_or("").to_string();
            let value = b.value().attr("value").unwrap_or("").to_string();
            fields.push((name, value));
        }
        out.push((action, Form { multipart, fields }));
    }
    out
}

/// A form found on a page.
#[derive(Clone, Default)]
pub struct Form {
    pub multipart: bool,
    pub fields: Vec<(String, String)>,
}

#[derive(QueryableByName)]
struct Digest {
    #[diesel(sql_type = Text)]
    t: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = Text)]
    d: String,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// Tables a request may write without changing data (sessions, the login counters, the
/// link-open log, and members' use of apps, which lands off the request path whenever an
/// earlier page's task finishes; that a refused open records nothing is tested in
/// `customdev_callbacks`).
const VOLATILE: &[&str] = &[
    "app_uses",
    "sessions",
    "ip_login_failures",
    "login_throttle",
    "link_events",
    "__diesel_schema_migrations",
];

/// A digest of every row of every table: equal digests mean nothing changed.
pub fn snapshot(app: &TestApp) -> BTreeMap<String, (i64, String)> {
    let mut conn = app.conn();
    let sqlite = app.backend == "sqlite";
    let tables: Vec<Name> = one(
        diesel::sql_query(if sqlite {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        } else {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        })
        .load(&mut *conn),
        "tables",
    );
    let mut parts = vec![];
    for Name { name } in tables {
        if VOLATILE.contains(&name.as_str()) {
            continue;
        }
        if sqlite {
            let cols: Vec<Name> = one(
                diesel::sql_query(format!("SELECT name FROM pragma_table_info('{name}')"))
                    .load(&mut *conn),
                "columns",
            );
            let row = cols
                .iter()
                .map(|c| format!("quote(\"{}\")", c.name))
                .collect::<Vec<_>>()
                .join(" || ',' || ");
            parts.push(format!(
                "SELECT '{name}' AS t, count(*) AS n, coalesce(group_concat({row}, ';'), '') AS d \
                 FROM (SELECT * FROM \"{name}\" ORDER BY rowid)"
            ));
        } else {
            parts.push(format!(
                "SELECT '{name}'::text AS t, count(*) AS n, \
                 coalesce(md5(string_agg(x::text, ';' ORDER BY x::text)), '') AS d FROM \"{name}\" x"
            ));
        }
    }
    let rows: Vec<Digest> = one(
        diesel::sql_query(parts.join(" UNION ALL ")).load(&mut *conn),
        "digest",
    );
    rows.into_iter().map(|r| (r.t, (r.n, r.d))).collect()
}

/// What differs between two snapshots (table names).
pub fn changed(
    a: &BTreeMap<String, (i64, String)>,
    b: &BTreeMap<String, (i64, String)>,
) -> Vec<String> {
    a.iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect()
}

/// Routes that end or change the caller's session or current organisation: every
/// principal signs in again after them.
pub fn resets_sessions(path: &str) -> bool {
    matches!(
        path,
        "/logout"
            | "/login"
            | "/switch-org"
            | "/maintenance/grants/{id}/enter"
            | "/maintenance/leave"
            | "/provider/custom-dev/custom-apps/{id}/enter"
            | "/custom-dev/leave"
            // Creating a team makes the caller the main admin of a new organisation and
            // its current one.
            | "/qd/{token}/team"
    )
}

/// Changes after which the caller administers an organisation of its own (creating a
/// quick-deploy team): every principal would then pass the admin policies, so the matrix
/// makes them after everything else.
pub fn makes_an_admin(path: &str) -> bool {
    path == "/qd/{token}/team"
}

/// Changes that the matrix makes last (they remove what other routes use).
pub fn destructive(path: &str) -> bool {
    [
        "delete",
        "remove",
        "disable",
        "close",
        "end",
        "revoke",
        "withdraw",
        "decline",
        "logout",
        "close-maintenance",
        "cancel",
    ]
    .iter()
    .any(|w| path.ends_with(w))
}

/// Posts `fields` (ids in them swapped by `swap`) to `path`.
pub async fn post_fields(
    c: &Client,
    path: &str,
    multipart: bool,
    fields: &[(String, String)],
) -> Resp {
    let f: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if multipart {
        c.post_multipart(path, &f, &[]).await
    } else {
        c.post(path, &f).await
    }
}

/// The form fields with every value that is one of the own fixture ids replaced by the
/// same fixture of `to` (or by a missing id when `to` is `None`).
pub fn swap_ids(
    fields: &[(String, String)],
    own: &Fixtures,
    to: Option<&Fixtures>,
) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| {
            let is_id = k == "id" || k.ends_with("_id") || k.ends_with("_ids");
            let hit = own
                .iter()
                .find(|(_, ov)| *ov == v && v.parse::<i64>().is_ok());
            match (is_id, hit) {
                (true, Some((key, _))) => {
                    let nv = to
                        .and_then(|t| t.get(key).cloned())
                        .unwrap_or_else(|| "987654321".into());
                    (k.clone(), nv)
                }
                _ => (k.clone(), v.clone()),
            }
        })
        .collect()
}

pub fn normalise(body: &str, path: &str) -> String {
    body.replace(path, "<path>")
}

/// Every form each principal's pages show, keyed by action: GETs every page route with the
/// principal's own ids.
pub async fn harvest(ps: &[Principal]) -> Vec<HashMap<String, Form>> {
    let routes = fenfa::app::route_table().table();
    let mut out = vec![];
    for p in ps {
        let mut forms = HashMap::new();
        for r in routes.iter().filter(|r| r.method == "GET") {
            let resp = p.client.get(&fill(r.path, &p.fx)).await;
            if resp.status == StatusCode::OK {
                for (action, form) in forms_of(&resp.body) {
                    forms.entry(action).or_insert(form);
                }
            }
        }
        out.push(forms);
    }
    out
}

/// The first principal the route's policy lets through (skipping handler narrowings).
pub fn allowed_for(r: &RouteSpec, ps: &[Principal]) -> Option<usize> {
    ps.iter().position(|p| {
        p.kind != Anonymous
            && policy_allows(r.policy, p.kind)
            && narrowed(r.method, r.path, p.kind).is_none()
    })
}

/// Another link and order of a project for an app: (order id, order app id). Written
/// directly: every tenant must hold orders, including on projects for another CorpID,
/// which the purchase refuses.
fn order_for(
    app: &TestApp,
    project: i64,
    provider: i64,
    customer: i64,
    purchaser: i64,
    source: i64,
    n: &str,
) -> (i64, i64) {
    let mut c = app.conn();
    let creator: i64 = projects::table
        .find(project)
        .select(projects::creator_id)
        .first(&mut *c)
        .expect("creator");
    let link: i64 = diesel::insert_into(distribution_links::table)
        .values((
            distribution_links::project_id.eq(project),
            distribution_links::provider_org_id.eq(provider),
            distribution_links::token.eq(format!("token-{n}")),
            distribution_links::created_by.eq(creator),
            distribution_links::created_at.eq(now()),
        ))
        .returning(distribution_links::id)
        .get_result(&mut *c)
        .expect("link");
    diesel::insert_into(link_apps::table)
        .values((link_apps::link_id.eq(link), link_apps::app_id.eq(source)))
        .execute(&mut *c)
        .expect("link app");
    let order: i64 = diesel::insert_into(orders::table)
        .values((
            orders::order_no.eq(format!("DD2026{n:0>6}")),
            orders::project_id.eq(project),
            orders::link_id.eq(link),
            orders::provider_org_id.eq(provider),
            orders::customer_org_id.eq(customer),
            orders::purchaser_id.eq(purchaser),
            orders::created_at.eq(now()),
        ))
        .returning(orders::id)
        .get_result(&mut *c)
        .expect("order");
    let oa: i64 = diesel::insert_into(order_apps::table)
        .values((
            order_apps::order_id.eq(order),
            order_apps::provider_org_id.eq(provider),
            order_apps::source_app_id.eq(source),
        ))
        .returning(order_apps::id)
        .get_result(&mut *c)
        .expect("order app");
    (order, oa)
}
