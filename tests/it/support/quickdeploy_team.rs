//! Quick-deploy fixtures for the team after it deployed, written directly in the
//! database (the provider's and the customer's flows are tested in their own files): an
//! onboarded seller with an accepted product, an invitation code, an approved application
//! with its deploy link, and an organisation that deployed through it.

use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::now;
use fenfa::db::schema::{
    ac_products, ac_sellers, qd_applications, qd_deployments, qd_invite_codes, qd_team_links,
};

use super::TestApp;

/// A provider's approved application (its product and deploy link).
pub struct Offer {
    pub provider: i64,
    pub padmin: i64,
    pub product: i64,
    pub application: i64,
}

/// An onboarded seller `tag` with an accepted product and an approved application.
pub fn offer(app: &TestApp, tag: &str, op: i64) -> Offer {
    let provider = app.org(
        &format!("服务商{tag}"),
        &format!("dingqdp{tag}"),
        "exclusive",
    );
    let padmin = app.person(provider, &format!("qdp.{tag}"), Role::MainAdmin);
    let source = super::distribution::new_app(app, provider, padmin, "设备巡检", false);
    offer_of(app, tag, op, provider, padmin, source)
}

/// The same for an existing organisation (the permission matrix's sides).
pub fn offer_of(
    app: &TestApp,
    tag: &str,
    op: i64,
    provider: i64,
    padmin: i64,
    source: i64,
) -> Offer {
    let t = now();
    let mut c = app.conn();
    let onboarded: i64 = ac_sellers::table
        .filter(ac_sellers::provider_org_id.eq(provider))
        .count()
        .get_result(&mut *c)
        .expect("seller");
    if onboarded == 0 {
        diesel::insert_into(ac_sellers::table)
            .values((
                ac_sellers::provider_org_id.eq(provider),
                ac_sellers::contact_name.eq("李经理"),
                ac_sellers::contact_phone.eq("0571-88886666"),
                ac_sellers::intro.eq("专注制造业设备管理的低代码服务商。"),
                ac_sellers::status.eq("approved"),
                ac_sellers::agreement_no.eq("HZ-2026-001"),
                ac_sellers::deposit_fen.eq(1_000_000),
                ac_sellers::reason.eq(""),
                ac_sellers::applied_by.eq(padmin),
                ac_sellers::applied_at.eq(t),
                ac_sellers::decided_by.eq(Some(op)),
                ac_sellers::decided_at.eq(Some(t)),
            ))
            .execute(&mut *c)
            .expect("seller");
    }
    let product: i64 = diesel::insert_into(ac_products::table)
        .values((
            ac_products::provider_org_id.eq(provider),
            ac_products::app_id.eq(source),
            ac_products::code.eq(Some(format!("qdt{:07}", provider))),
            ac_products::stage.eq("open"),
            ac_products::name.eq(format!("巡检助手{tag}")),
            ac_products::description.eq("设备巡检、报修与保养计划。"),
            ac_products::category.eq("industry"),
            ac_products::homepage_url.eq("https://isv.example.com/"),
            ac_products::permissions.eq("app_data"),
            ac_products::data_stored.eq("巡检记录"),
            ac_products::version.eq(1),
            ac_products::created_by.eq(padmin),
            ac_products::created_at.eq(t),
            ac_products::updated_at.eq(t),
        ))
        .returning(ac_products::id)
        .get_result(&mut *c)
        .expect("product");
    let code: i64 = diesel::insert_into(qd_invite_codes::table)
        .values((
            qd_invite_codes::code.eq(format!("QDT{tag:0>9}").to_uppercase()),
            qd_invite_codes::provider_org_id.eq(provider),
            qd_invite_codes::issued_by.eq(op),
            qd_invite_codes::issued_at.eq(t),
            qd_invite_codes::expires_at.eq(t + 30 * 86_400),
            qd_invite_codes::used_at.eq(Some(t)),
        ))
        .returning(qd_invite_codes::id)
        .get_result(&mut *c)
        .expect("invitation code");
    let application: i64 = diesel::insert_into(qd_applications::table)
        .values((
            qd_applications::provider_org_id.eq(provider),
            qd_applications::product_id.eq(product),
            qd_applications::invite_code_id.eq(code),
            qd_applications::provider_name.eq(format!("服务商{tag}")),
            qd_applications::product_code.eq(format!("qdt{:07}", provider)),
            qd_applications::reason.eq("线下推广"),
            qd_applications::scenario.eq("工厂设备巡检"),
            qd_applications::onsite_staff.eq(true),
            qd_applications::directory_method.eq("admin_file"),
            qd_applications::verify_serials.eq(false),
            qd_applications::icon_key.eq("qd-icon.png"),
            qd_applications::status.eq("approved"),
            qd_applications::submitted_by.eq(padmin),
            qd_applications::submitted_at.eq(t),
            qd_applications::decided_by.eq(Some(op)),
            qd_applications::decided_at.eq(Some(t)),
            qd_applications::link_token.eq(Some(format!("qdlink-{tag}-{provider}"))),
        ))
        .returning(qd_applications::id)
        .get_result(&mut *c)
        .expect("application");
    Offer {
        provider,
        padmin,
        product,
        application,
    }
}

/// Organisation `org` deployed the offer (created by `admin`, authorised, started);
/// the deployment's id.
pub fn deployment(app: &TestApp, o: &Offer, org: i64, admin: i64) -> i64 {
    let t = now();
    diesel::insert_into(qd_deployments::table)
        .values((
            qd_deployments::application_id.eq(o.application),
            qd_deployments::org_id.eq(org),
            qd_deployments::product_id.eq(o.product),
            qd_deployments::team_kind.eq("single"),
            qd_deployments::created_by.eq(admin),
            qd_deployments::created_at.eq(t),
            qd_deployments::authorised_by.eq(Some(admin)),
            qd_deployments::authorised_at.eq(Some(t)),
            qd_deployments::scoped_at.eq(Some(t)),
            qd_deployments::started_at.eq(Some(t)),
        ))
        .returning(qd_deployments::id)
        .get_result(&mut *app.conn())
        .expect("deployment")
}

/// The organisation's newest team link: (id, token).
pub fn team_link(app: &TestApp, org: i64) -> Option<(i64, String)> {
    qd_team_links::table
        .filter(qd_team_links::org_id.eq(org))
        .order(qd_team_links::id.desc())
        .select((qd_team_links::id, qd_team_links::token))
        .first(&mut *app.conn())
        .optional()
        .expect("team link")
}

/// A live team link of `org` with a pending join of `user` (for the permission matrix):
/// (link id, token, join id).
pub fn link_with_join(app: &TestApp, org: i64, by: i64, user: i64) -> (i64, String, i64) {
    use fenfa::db::schema::qd_team_joins;
    let t = now();
    let token = fenfa::tools::new_token();
    let mut c = app.conn();
    let link: i64 = diesel::insert_into(qd_team_links::table)
        .values((
            qd_team_links::org_id.eq(org),
            qd_team_links::token.eq(&token),
            qd_team_links::join_approval.eq(true),
            qd_team_links::created_by.eq(by),
            qd_team_links::created_at.eq(t),
            qd_team_links::expires_at.eq(t + 7 * 86_400),
        ))
        .returning(qd_team_links::id)
        .get_result(&mut *c)
        .expect("team link");
    let join: i64 = diesel::insert_into(qd_team_joins::table)
        .values((
            qd_team_joins::link_id.eq(link),
            qd_team_joins::org_id.eq(org),
            qd_team_joins::user_id.eq(user),
            qd_team_joins::status.eq("pending"),
            qd_team_joins::requested_at.eq(t),
        ))
        .returning(qd_team_joins::id)
        .get_result(&mut *c)
        .expect("team join");
    (link, token, join)
}

/// The permission matrix's records of one side: its organisation as a provider with an
/// approved application that the same organisation deployed (impossible through the
/// product, but it gives the organisation's routes ids of this tenant), a complaint, a
/// live team link and a pending join of an outsider.
pub fn matrix_side(
    app: &TestApp,
    f: &mut std::collections::HashMap<String, String>,
    org: i64,
    admin: i64,
    source: i64,
) {
    use fenfa::db::schema::qd_complaints;
    let op = super::permissions::id_of_user(app, "operator");
    let o = offer_of(app, &org.to_string(), op, org, admin, source);
    let dep = deployment(app, &o, org, admin);
    diesel::insert_into(qd_complaints::table)
        .values((
            qd_complaints::application_id.eq(o.application),
            qd_complaints::org_id.eq(org),
            qd_complaints::user_id.eq(admin),
            qd_complaints::body.eq("矩阵测试：应用经常打不开。"),
            qd_complaints::created_at.eq(now()),
        ))
        .execute(&mut *app.conn())
        .expect("complaint");
    let joiner = app.user(&format!("qd.joiner{org}"), "申请人");
    let (link, token, join) = link_with_join(app, org, admin, joiner);
    f.insert("deployments/{id}".into(), dep.to_string());
    f.insert("team-link/{id}".into(), link.to_string());
    f.insert("joins/{id}".into(), join.to_string());
    f.insert("team/{token}".into(), token);
}
