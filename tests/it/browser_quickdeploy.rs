//! The customer's quick deploy in a real browser on a phone-sized window (390×844), with
//! the demo data: from the deploy link's guide page, registering (a taken login refused
//! first), creating a one-person team, a wrong serial number refused and then the right
//! one, authorising, setting the usage scope and starting, until the app is on the new
//! team's workbench; then the admin shares the team invitation link, a colleague without
//! an account registers on it, the admin approves, and the colleague opens the app. The
//! provider's console and its get_auth_info API show the deployment. The approved
//! application and its serial numbers are written into the database (the provider's and
//! operator's screens that make them are tested in quickdeploy_provider).

use diesel::prelude::*;
use fenfa::db::schema::{ac_products, apps};
use fenfa::i18n::Lang;

use crate::support::browser::{Journey, Step};
use crate::support::each_backend;
use crate::support::quickdeploy_deploy::{Opts, application_of, serials};
use crate::support::quickdeploy_serials::issue_key;

fn link(text: &str) -> String {
    format!("//a[normalize-space(.)='{text}']")
}

fn button(text: &str) -> String {
    format!("//button[normalize-space(.)='{text}']")
}

/// Nothing is wider than the phone's screen.
async fn fits(j: &Journey, page: &str) -> Step<()> {
    let w = j
        .script("return document.documentElement.scrollWidth;")
        .await?
        .as_u64()
        .unwrap_or(0);
    if w > 390 {
        return Err(format!("{page} is {w} px wide at 390 px"));
    }
    j.screenshot(&format!("quickdeploy_{page}")).await
}

async fn journey(j: &Journey) -> Step<()> {
    // The demo provider's pre-listed product, applied for and approved.
    let (product, provider, owner, app_id): (i64, i64, i64, i64) = ac_products::table
        .filter(ac_products::name.eq("设备巡检助手"))
        .select((
            ac_products::id,
            ac_products::provider_org_id,
            ac_products::created_by,
            ac_products::app_id,
        ))
        .first(&mut *j.app().conn())
        .map_err(|e| format!("the demo product: {e}"))?;
    let app_name: String = apps::table
        .find(app_id)
        .select(apps::name)
        .first(&mut *j.app().conn())
        .map_err(|e| format!("the demo app: {e}"))?;
    let opts = Opts {
        verify_serials: true,
        ..Opts::default()
    };
    let (id, token) = application_of(j.app(), provider, owner, product, &opts);
    serials(j.app(), id, &["SN-2026-0001"]);

    j.viewport(390, 844).await?;
    j.goto(&format!("/qd/{token}")).await?;
    j.sees("设备巡检助手").await?;
    j.sees("输入序列号").await?;
    fits(j, "guide").await?;
    j.press(&link("登录或注册")).await?;

    // A login already taken is refused beside the field, the name kept.
    j.fill("姓名", "赵老板").await?;
    j.fill("登录名", "provider.admin").await?;
    j.fill("密码（至少 8 位）", "zhao-secret-1").await?;
    j.fill("确认密码", "zhao-secret-1").await?;
    j.press(&button("注册并继续")).await?;
    j.find("//small[@id='e-login'][contains(., '该账号已被使用')]")
        .await?;
    if j.value_of("//input[@id='f-name']").await? != "赵老板" {
        return Err("the name typed was lost".into());
    }
    fits(j, "register_refused").await?;
    j.fill("登录名", "zhao.laoban").await?;
    j.fill("密码（至少 8 位）", "zhao-secret-1").await?;
    j.fill("确认密码", "zhao-secret-1").await?;
    j.press(&button("注册并继续")).await?;

    j.sees("创建 1 人团队").await?;
    fits(j, "team").await?;
    j.fill("团队名称", "赵记五金").await?;
    j.press(&button("创建团队")).await?;

    // A wrong serial number, then the right one.
    j.sees("服务商要求输入应用序列号").await?;
    j.fill("序列号", "SN-WRONG").await?;
    j.press(&button("验证序列号")).await?;
    j.find("//small[@id='e-serial'][contains(., '序列号无效')]")
        .await?;
    fits(j, "serial_refused").await?;
    j.fill("序列号", "SN-2026-0001").await?;
    j.press(&button("验证序列号")).await?;

    j.sees("应用将获得以下权限").await?;
    fits(j, "authorise").await?;
    j.press(&button("立即授权")).await?;

    j.sees("选择团队中哪些人可以使用这个应用").await?;
    fits(j, "scope").await?;
    j.press(&button("保存使用范围")).await?;

    j.sees("一切就绪").await?;
    fits(j, "start").await?;
    j.press(&button("开始使用")).await?;

    // The app is on the new team's workbench.
    j.sees("赵记五金").await?;
    j.sees(&app_name).await?;
    fits(j, "workbench").await?;

    team_grows(j, &app_name).await?;
    provider_sees(j, id).await
}

/// Signs in with a password of one's own (the demo's password is not theirs).
async fn sign_in(j: &Journey, login: &str, password: &str) -> Step<()> {
    j.goto("/login").await?;
    j.fill(&Lang::Zh.t("auth.login"), login).await?;
    j.fill(&Lang::Zh.t("auth.password"), password).await?;
    j.click("//form[@action='/login']//button").await?;
    j.find("//form[@action='/logout']").await.map(|_| ())
}

/// The admin shares the team invitation link; a colleague without an account registers
/// on it and waits; the admin approves; the colleague opens the app.
async fn team_grows(j: &Journey, app_name: &str) -> Step<()> {
    j.goto("/org/quick-deploy").await?;
    j.sees("使用中").await?;
    j.press(&button("生成邀请链接")).await?;
    let url = j.value_of("//input[@id='team-link-url']").await?;
    let path = url
        .find("/qd/team/")
        .map(|i| url[i..].to_string())
        .ok_or(format!("no team link in {url}"))?;
    fits(j, "team_page").await?;
    j.logout().await?;

    j.goto(&path).await?;
    j.sees("加入团队「赵记五金」").await?;
    j.press(&link("注册并加入")).await?;
    j.fill("姓名", "钱会计").await?;
    j.fill("登录名", "qian.kuaiji").await?;
    j.fill("密码（至少 8 位）", "qian-secret-1").await?;
    j.fill("确认密码", "qian-secret-1").await?;
    j.press(&button("注册并加入")).await?;
    j.sees("正在等待团队管理员审批").await?;
    fits(j, "join_pending").await?;
    j.logout().await?;

    sign_in(j, "zhao.laoban", "zhao-secret-1").await?;
    j.goto("/org/quick-deploy#joins").await?;
    j.sees("qian.kuaiji").await?;
    j.press(&button("同意")).await?;
    j.logout().await?;

    // The colleague is a member now and uses the app (the scope was the whole team).
    sign_in(j, "qian.kuaiji", "qian-secret-1").await?;
    j.goto("/workbench").await?;
    j.sees("赵记五金").await?;
    j.press(&format!(
        "//article[contains(@class,'app-card')][.//strong[normalize-space(.)='{app_name}']]//a[@href][1]"
    ))
    .await?;
    j.find("//main//h1").await?;
    let here = j.script("return location.pathname;").await?;
    if !here.as_str().is_some_and(|p| p.starts_with("/a/")) {
        return Err(format!("the colleague did not open the app: {here}"));
    }
    fits(j, "member_app").await?;
    j.logout().await
}

/// The provider's console lists the team with the step it reached, and get_auth_info
/// returns it.
async fn provider_sees(j: &Journey, application: i64) -> Step<()> {
    j.login("provider.admin").await?;
    j.goto(&format!(
        "/provider/quick-deploy/applications/{application}/deployments"
    ))
    .await?;
    j.sees("赵记五金").await?;
    j.sees("使用中").await?;
    j.sees("SN-2026-0001").await?;
    let padmin = j.app().client();
    padmin.login("provider.admin", fenfa::demo::PASSWORD).await;
    let key = issue_key(&padmin).await;
    let c = j.app().client();
    let r = c
        .send(
            c.request("GET", "/api/v1/quick-deploy/auth-info")
                .header("authorization", format!("Bearer {key}"))
                .body(axum::body::Body::empty())
                .map_err(|e| e.to_string())?,
        )
        .await;
    let v: serde_json::Value =
        serde_json::from_str(&r.body).map_err(|e| format!("auth-info: {e}: {}", r.body))?;
    let items = v["items"].as_array().cloned().unwrap_or_default();
    let team = items
        .iter()
        .find(|i| i["organisation"]["name"] == "赵记五金")
        .ok_or(format!("赵记五金 not in get_auth_info: {v}"))?;
    let invite = team["team_invitation_link"].as_str().unwrap_or_default();
    if team["serial"] != "SN-2026-0001"
        || team["started_at"].is_null()
        || !invite.contains("/qd/team/")
    {
        return Err(format!("get_auth_info's entry: {team}"));
    }
    Ok(())
}

#[tokio::test]
async fn a_customer_deploys_from_the_link_to_the_workbench_on_a_phone() {
    each_backend(async |app| {
        let Some(j) = Journey::start(app, "quick_deploy").await else {
            return;
        };
        let result = journey(&j).await;
        j.finish(result).await;
    })
    .await;
}
