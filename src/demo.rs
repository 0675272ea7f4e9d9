//! The demo data set: one organisation per role of the product, so that every journey can
//! be tried in a browser right after the first start. Loaded only into an empty database.

mod appcentre;
mod customdev;
mod quickdeploy;

pub use quickdeploy::{LINK_TOKEN as QUICK_DEPLOY_TOKEN, SERIALS as QUICK_DEPLOY_SERIALS};

use diesel::prelude::*;
use serde_json::json;

use crate::apps::app::{FieldKind, PageKind};
use crate::apps::store::{self, NewApp};
use crate::auth::{OrgScope, Perm, Role};
use crate::db::schema::{
    automations, connectors, departments, memberships, notification_templates, orgs, pages,
    submissions, users,
};
use crate::db::{Conn, Db, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::storage::Storage;

/// The password of every demo account.
pub const PASSWORD: &str = "fenfa-demo";

/// (role description, login) of every demo account, in the order they are printed.
pub type Logins = Vec<(&'static str, &'static str)>;

/// Loads the demo data into an empty database (and its files into `storage`); `None`
/// when it already holds data. Under the start-up lock, so that of several instances
/// started at once with `--demo` exactly one loads it.
pub fn load(db: &Db, storage: &dyn Storage) -> anyhow::Result<Option<Logins>> {
    db.at_startup(|conn| load_on(conn, storage))
}

/// [`load`] on a connection that already holds the start-up lock
/// (`app::build_state_then`): the emptiness check and the load happen under one lock.
pub fn load_on(conn: &mut Conn, storage: &dyn Storage) -> anyhow::Result<Option<Logins>> {
    let existing: i64 = users::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(None);
    }
    let hash = crate::auth::password::hash_blocking(PASSWORD)
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
    let logins = write_tx(conn, |conn| build(conn, &hash, storage))
        .map_err(|e| anyhow::anyhow!("demo data failed: {e}"))?;
    Ok(Some(logins))
}

fn org(
    conn: &mut Conn,
    name: &str,
    corp_id: &str,
    edition: &str,
    provider_level: &str,
) -> AppResult<i64> {
    Ok(diesel::insert_into(orgs::table)
        .values((
            orgs::name.eq(name),
            orgs::corp_id.eq(corp_id),
            orgs::edition.eq(edition),
            orgs::certified.eq(true),
            orgs::provider_level.eq(provider_level),
            orgs::created_at.eq(now()),
        ))
        .returning(orgs::id)
        .get_result(conn)?)
}

fn user(conn: &mut Conn, hash: &str, login: &str, name: &str, operator: bool) -> AppResult<i64> {
    Ok(diesel::insert_into(users::table)
        .values((
            users::login.eq(login),
            users::name.eq(name),
            users::password_hash.eq(hash),
            users::is_operator.eq(operator),
            users::created_at.eq(now()),
        ))
        .returning(users::id)
        .get_result(conn)?)
}

fn department(conn: &mut Conn, org: i64, parent: Option<i64>, name: &str) -> AppResult<i64> {
    Ok(diesel::insert_into(departments::table)
        .values((
            departments::org_id.eq(org),
            departments::parent_id.eq(parent),
            departments::name.eq(name),
            departments::created_at.eq(now()),
        ))
        .returning(departments::id)
        .get_result(conn)?)
}

struct Join {
    org: i64,
    user: i64,
    role: Role,
    perms: &'static [Perm],
    build: bool,
    department: Option<i64>,
}

fn join(conn: &mut Conn, j: Join) -> AppResult<()> {
    diesel::insert_into(memberships::table)
        .values((
            memberships::org_id.eq(j.org),
            memberships::user_id.eq(j.user),
            memberships::role.eq(j.role.as_str()),
            memberships::permissions.eq(Perm::join(j.perms)),
            memberships::can_build_apps.eq(j.build),
            memberships::department_id.eq(j.department),
            memberships::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

fn member(conn: &mut Conn, org: i64, user: i64, role: Role, dept: Option<i64>) -> AppResult<()> {
    join(
        conn,
        Join {
            org,
            user,
            role,
            perms: &[],
            build: false,
            department: dept,
        },
    )
}

fn build(conn: &mut Conn, hash: &str, storage: &dyn Storage) -> AppResult<Logins> {
    // The platform operator.
    user(conn, hash, "operator", "平台运营 小二", true)?;

    // A certified provider with an admin and a developer.
    let provider = org(
        conn,
        "云帆软件服务商",
        "dingprovider01",
        "exclusive",
        "advanced",
    )?;
    let p_dev_dept = department(conn, provider, None, "交付部")?;
    let p_admin = user(
        conn,
        hash,
        "provider.admin",
        "林服务（服务商管理员）",
        false,
    )?;
    let p_dev = user(conn, hash, "provider.dev", "陈开发（服务商开发者）", false)?;
    member(conn, provider, p_admin, Role::MainAdmin, None)?;
    join(
        conn,
        Join {
            org: provider,
            user: p_dev,
            role: Role::Member,
            perms: &[],
            build: true,
            department: Some(p_dev_dept),
        },
    )?;
    let scope = OrgScope::system(provider, p_admin, Role::MainAdmin);
    provider_apps(conn, &scope, p_admin, p_dev)?;

    // A customer organisation with a platform admin and an ordinary member.
    let customer = org(
        conn,
        "星河制造有限公司",
        "dingcustomer01",
        "professional",
        "none",
    )?;
    let c_it = department(conn, customer, None, "信息部")?;
    let c_admin = user(
        conn,
        hash,
        "customer.admin",
        "王采购（客户平台管理员）",
        false,
    )?;
    let c_member = user(conn, hash, "customer.member", "赵员工（客户成员）", false)?;
    member(conn, customer, c_admin, Role::PlatformAdmin, Some(c_it))?;
    member(conn, customer, c_member, Role::Member, Some(c_it))?;

    // An upstream organisation on the exclusive edition and a downstream one.
    let upstream = org(conn, "华东集团", "dingupstream01", "exclusive", "none")?;
    let u_hq = department(conn, upstream, None, "集团总部")?;
    let u_buy = department(conn, upstream, Some(u_hq), "采购中心")?;
    let u_admin = user(
        conn,
        hash,
        "upstream.admin",
        "周集团（上游主管理员）",
        false,
    )?;
    let u_sub = user(conn, hash, "upstream.sub", "吴互联（互联子管理员）", false)?;
    member(conn, upstream, u_admin, Role::MainAdmin, Some(u_hq))?;
    join(
        conn,
        Join {
            org: upstream,
            user: u_sub,
            role: Role::SubAdmin,
            perms: &[Perm::Interconnect, Perm::Members],
            build: false,
            department: Some(u_buy),
        },
    )?;
    let downstream = org(
        conn,
        "苏州分公司",
        "dingdownstream01",
        "professional",
        "none",
    )?;
    let d_sales = department(conn, downstream, None, "销售部")?;
    let d_store = department(conn, downstream, Some(d_sales), "门店")?;
    let d_admin = user(
        conn,
        hash,
        "downstream.admin",
        "郑分公司（下游主管理员）",
        false,
    )?;
    let d_member = user(conn, hash, "downstream.member", "孙店员（下游成员）", false)?;
    member(conn, downstream, d_admin, Role::MainAdmin, Some(d_sales))?;
    member(conn, downstream, d_member, Role::Member, Some(d_store))?;
    // Someone in both organisations, to show the organisation switcher.
    member(conn, upstream, d_admin, Role::Member, Some(u_buy))?;
    upstream_app(
        conn,
        &OrgScope::system(upstream, u_admin, Role::MainAdmin),
        u_admin,
    )?;

    // An enterprise for custom development, and the provider's live template it can
    // authorise (代开发, seed 003).
    let enterprise = org(
        conn,
        "远航物流有限公司",
        "dingenterprise01",
        "professional",
        "none",
    )?;
    let e_sales = department(conn, enterprise, None, "销售部")?;
    let e_admin = user(
        conn,
        hash,
        "enterprise.admin",
        "钱总（企业主管理员）",
        false,
    )?;
    let e_member = user(conn, hash, "enterprise.member", "冯销售（企业成员）", false)?;
    member(conn, enterprise, e_admin, Role::MainAdmin, Some(e_sales))?;
    member(conn, enterprise, e_member, Role::Member, Some(e_sales))?;
    let operator: i64 = users::table
        .filter(users::login.eq("operator"))
        .select(users::id)
        .first(conn)?;
    customdev::custom_dev_template(conn, &scope, operator, storage)?;
    // The app centre: a product through a week of co-creation (seed 002), and a second
    // certified provider the operator has not invited yet.
    appcentre::app_centre(conn, hash, storage, provider, p_admin, operator)?;
    appcentre::second_provider(conn, hash)?;
    // Quick deploy: an approved application of that product, its link and serial numbers.
    quickdeploy::quick_deploy(conn, storage, provider, p_admin, operator)?;

    Ok(vec![
        ("platform operator", "operator"),
        ("provider admin (certified provider)", "provider.admin"),
        ("provider developer", "provider.dev"),
        ("customer platform admin", "customer.admin"),
        ("customer member", "customer.member"),
        ("upstream main admin (exclusive)", "upstream.admin"),
        ("upstream sub-admin (interconnect)", "upstream.sub"),
        ("downstream main admin (+ upstream)", "downstream.admin"),
        ("downstream member", "downstream.member"),
        ("enterprise main admin (custom dev)", "enterprise.admin"),
        ("enterprise member", "enterprise.member"),
        ("second provider admin (not invited)", "provider2.admin"),
    ])
}

/// The provider's two apps: a premium one, and an ordinary one with a form, a process
/// form, a report, a connector, a notification template, an automation and sample data.
fn provider_apps(conn: &mut Conn, scope: &OrgScope, admin: i64, dev: i64) -> AppResult<()> {
    let premium = store::create_app(
        conn,
        scope,
        NewApp {
            name: "客户拜访管理",
            glyph: "briefcase",
            color: "indigo",
            image: "",
            description: "精品应用：客户拜访计划、签到与总结。",
            premium: true,
        },
    )?;
    let premium = store::find_app(conn, scope, premium)?;
    let visit = store::add_page(conn, &premium, PageKind::Form, "拜访记录", "")?;
    let visit = page(conn, visit)?;
    store::add_field(conn, &visit, "客户名称", FieldKind::Text, true, "")?;
    store::add_field(conn, &visit, "拜访日期", FieldKind::Date, true, "")?;

    let app_id = store::create_app(
        conn,
        scope,
        NewApp {
            name: "采购管理",
            glyph: "receipt",
            color: "teal",
            image: "",
            description: "采购申请、审批与供应商登记。",
            premium: false,
        },
    )?;
    let app = store::find_app(conn, scope, app_id)?;

    let supplier = store::add_page(conn, &app, PageKind::Form, "供应商登记", "")?;
    let supplier = page(conn, supplier)?;
    let s_name = store::add_field(conn, &supplier, "供应商名称", FieldKind::Text, true, "")?;
    let s_kind = store::add_field(
        conn,
        &supplier,
        "类别",
        FieldKind::Select,
        true,
        "原材料\n设备\n服务",
    )?;
    let s_amount = store::add_field(conn, &supplier, "年采购额", FieldKind::Number, false, "")?;
    store::add_field(
        conn,
        &supplier,
        "资质文件",
        FieldKind::Attachment,
        false,
        "",
    )?;

    let request = store::add_page(conn, &app, PageKind::Process, "采购申请", "")?;
    let request = page(conn, request)?;
    store::add_field(conn, &request, "事由", FieldKind::Text, true, "")?;
    store::add_field(conn, &request, "金额", FieldKind::Number, true, "")?;
    store::add_field(conn, &request, "需要日期", FieldKind::Date, false, "")?;
    store::add_field(conn, &request, "说明", FieldKind::Textarea, false, "")?;
    store::add_step(conn, &request, "部门审批", admin)?;
    store::add_step(conn, &request, "财务审批", admin)?;

    store::add_page(
        conn,
        &app,
        PageKind::Custom,
        "使用说明",
        "<h3>采购管理</h3><p>先登记供应商，再发起<strong>采购申请</strong>；两级审批通过后执行采购。</p>",
    )?;
    let report = store::add_page(conn, &app, PageKind::Report, "按类别统计采购额", "")?;
    diesel::update(pages::table.find(report))
        .set((
            pages::report_form_id.eq(supplier.id),
            pages::report_group_field_id.eq(s_kind),
            pages::report_value_field_id.eq(s_amount),
            pages::report_agg.eq("sum"),
        ))
        .execute(conn)?;

    diesel::insert_into(connectors::table)
        .values((
            connectors::org_id.eq(scope.org_id()),
            connectors::app_id.eq(app.id),
            connectors::name.eq("ERP 采购接口"),
            connectors::endpoint_url.eq("https://erp.example.com/api/purchase"),
            connectors::auth_kind.eq("api_key"),
            connectors::created_at.eq(now()),
        ))
        .execute(conn)?;
    let template: i64 = diesel::insert_into(notification_templates::table)
        .values((
            notification_templates::org_id.eq(scope.org_id()),
            notification_templates::app_id.eq(app.id),
            notification_templates::name.eq("供应商登记回执"),
            notification_templates::title.eq("已收到供应商登记：{供应商名称}"),
            notification_templates::body.eq("类别：{类别}，年采购额：{年采购额}。"),
            notification_templates::created_at.eq(now()),
        ))
        .returning(notification_templates::id)
        .get_result(conn)?;
    diesel::insert_into(automations::table)
        .values((
            automations::org_id.eq(scope.org_id()),
            automations::app_id.eq(app.id),
            automations::name.eq("登记后通知提交人"),
            automations::form_id.eq(supplier.id),
            automations::action.eq("notify"),
            automations::template_id.eq(Some(template)),
            automations::enabled.eq(true),
            automations::created_at.eq(now()),
        ))
        .execute(conn)?;

    // Sample data (表单示例数据), shipped when the app is distributed with it.
    let samples = [
        ("华东钢材", "原材料", "1200000"),
        ("精工设备", "设备", "560000"),
        ("安信物业", "服务", "80000"),
        ("长江化工", "原材料", "430000"),
    ];
    for (name, kind, amount) in samples {
        let data = json!({
            s_name.to_string(): name,
            s_kind.to_string(): kind,
            s_amount.to_string(): amount,
        });
        diesel::insert_into(submissions::table)
            .values((
                submissions::org_id.eq(scope.org_id()),
                submissions::app_id.eq(app.id),
                submissions::page_id.eq(supplier.id),
                submissions::submitter_id.eq(dev),
                submissions::submitter_org_id.eq(Some(scope.org_id())),
                submissions::data.eq(data.to_string()),
                submissions::status.eq("submitted"),
                submissions::sample.eq(true),
                submissions::created_at.eq(now()),
                submissions::updated_at.eq(now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The upstream organisation's app to publish to its partners' workbenches: a process
/// form its partners submit for approval, a form with attachments and images, a report.
fn upstream_app(conn: &mut Conn, scope: &OrgScope, approver: i64) -> AppResult<()> {
    let app_id = store::create_app(
        conn,
        scope,
        NewApp {
            name: "经销商协同",
            glyph: "handshake",
            color: "green",
            image: "",
            description: "经销商订货申请、门店巡检与汇总报表。",
            premium: false,
        },
    )?;
    let app = store::find_app(conn, scope, app_id)?;
    let order = store::add_page(conn, &app, PageKind::Process, "订货申请", "")?;
    let order = page(conn, order)?;
    store::add_field(conn, &order, "商品", FieldKind::Text, true, "")?;
    let qty = store::add_field(conn, &order, "数量", FieldKind::Number, true, "")?;
    store::add_field(conn, &order, "期望到货日期", FieldKind::Date, false, "")?;
    store::add_field(conn, &order, "附件", FieldKind::Attachment, false, "")?;
    store::add_step(conn, &order, "区域经理审批", approver)?;
    let check = store::add_page(conn, &app, PageKind::Form, "门店巡检", "")?;
    let check = page(conn, check)?;
    store::add_field(conn, &check, "门店", FieldKind::Text, true, "")?;
    store::add_field(conn, &check, "现场照片", FieldKind::Image, false, "")?;
    let report = store::add_page(conn, &app, PageKind::Report, "订货数量汇总", "")?;
    diesel::update(pages::table.find(report))
        .set((
            pages::report_form_id.eq(order.id),
            pages::report_value_field_id.eq(qty),
            pages::report_agg.eq("sum"),
        ))
        .execute(conn)?;
    Ok(())
}

fn page(conn: &mut Conn, id: i64) -> AppResult<crate::apps::app::Page> {
    pages::table
        .find(id)
        .select(crate::apps::app::Page::as_select())
        .first(conn)
        .map_err(|_| AppError::NotFound)
}
