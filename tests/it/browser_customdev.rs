//! The custom-development journey in a real browser, with the demo data: the enterprise
//! authorises the provider's live template by its link, the provider configures and
//! builds the custom app inside the enterprise, the platform reviews its go-live, the
//! enterprise's admin sets who may use it, and a member in scope uses it. The refusals
//! on the way: a member cannot authorise, and nobody outside the scope sees the app. Then
//! the provider asks for a custom permission, the enterprise agrees, the provider's
//! program calls the API with curl, and the delivery log shows the events that reached
//! the provider's receiver.

use diesel::prelude::*;
use fenfa::db::schema::{cd_custom_apps, cd_reviews};

use crate::support::browser::{Journey, Step};
use crate::support::each_backend;
use crate::support::receiver::{Receiver, runner};

fn e<T: std::fmt::Display>(what: &str) -> impl FnOnce(T) -> String + '_ {
    move |err| format!("{what}: {err}")
}

/// Presses the submit button of the form posting to `action` (the one with `value`
/// when given) and waits for the next page.
async fn press(j: &Journey, action: &str, value: Option<&str>) -> Step<()> {
    j.browser()
        .execute(
            "document.documentElement.setAttribute('data-old', '1');",
            vec![],
        )
        .await
        .map_err(e("mark"))?;
    let button = match value {
        Some(v) => format!("//form[@action='{action}']//button[@value='{v}']"),
        None => format!("//form[@action='{action}']//button[@type='submit' or not(@type)]"),
    };
    j.click(&button).await?;
    j.find("//html[not(@data-old)]//body").await.map(|_| ())
}

fn read<T>(j: &Journey, f: impl FnOnce(&mut fenfa::db::Conn) -> QueryResult<T>) -> Step<T> {
    f(&mut j.app().conn()).map_err(e("read"))
}

async fn journey(j: &Journey) -> Step<()> {
    // The provider's admin finds the live template's authorisation link on its page.
    j.login("provider.admin").await?;
    j.goto("/provider/custom-dev").await?;
    j.click("//a[normalize-space(.)='云帆CRM']").await?;
    j.find("//figure[contains(@class,'qr')]//*[local-name()='svg']")
        .await?;
    let link = j
        .find("//input[@id='auth-url']")
        .await?
        .prop("value")
        .await
        .map_err(e("link"))?
        .ok_or("no link")?;
    let path = url::Url::parse(&link).map_err(e("url"))?.path().to_string();
    j.logout().await?;

    // A member of the enterprise is told who can authorise.
    j.login("enterprise.member").await?;
    j.goto(&path).await?;
    j.sees("只有企业的主管理员或平台管理员可以授权").await?;
    j.sees("钱总（企业主管理员）").await?;
    j.logout().await?;

    // The main admin sees the provider, the template and the basic permissions.
    j.login("enterprise.admin").await?;
    j.goto(&path).await?;
    j.sees("云帆软件服务商").await?;
    j.sees("读取企业名称和 CorpID").await?;
    press(j, &path, None).await?;
    j.sees("授权完成").await?;
    let (cid, app_id): (i64, i64) = read(j, |c| {
        cd_custom_apps::table
            .select((cd_custom_apps::id, cd_custom_apps::app_id.assume_not_null()))
            .first(c)
    })?;
    j.goto("/org/custom-apps").await?;
    j.sees("开发中").await?;
    j.logout().await?;

    // The provider configures the enterprise's app (开始代开发应用).
    j.login("provider.admin").await?;
    j.goto("/provider/custom-dev").await?;
    j.click("//a[normalize-space(.)='云帆CRM']").await?;
    j.click("//a[normalize-space(.)='开始代开发应用']").await?;
    let config = format!("/provider/custom-dev/custom-apps/{cid}");
    j.fill("代开发应用名称", "远航CRM").await?;
    j.fill("代开发应用介绍", "远航物流的客户跟进与回款").await?;
    j.fill("应用主页", "https://crm.yuanhang.example.com")
        .await?;
    press(j, &config, None).await?;
    j.sees("配置已保存").await?;
    j.logout().await?;

    // The developer builds it inside the enterprise, under the authorisation.
    j.login("provider.dev").await?;
    j.goto(&config).await?;
    press(j, &format!("{config}/enter"), None).await?;
    j.sees(&format!("授权 #{cid}")).await?;
    j.sees("远航CRM").await?;
    press(j, "/custom-dev/leave", None).await?;
    j.sees("已退出代开发").await?;
    j.logout().await?;

    // The provider submits the app for go-live (the template needs no new review).
    j.login("provider.admin").await?;
    j.goto("/provider/custom-dev/golive").await?;
    j.click("//nav//a[normalize-space(.)='云帆CRM']").await?;
    j.click(&format!("//input[@name='app' and @value='{cid}']"))
        .await?;
    press(j, "/provider/custom-dev/golive/apps", None).await?;
    j.sees("已提交上线审核").await?;
    j.logout().await?;

    // The platform approves it.
    let ticket: i64 = read(j, |c| {
        cd_reviews::table
            .filter(cd_reviews::custom_app_id.eq(Some(cid)))
            .select(cd_reviews::id)
            .first(c)
    })?;
    j.login("operator").await?;
    j.goto("/operator/custom-dev").await?;
    j.sees("远航CRM").await?;
    press(
        j,
        &format!("/operator/custom-dev/tickets/{ticket}"),
        Some("approve"),
    )
    .await?;
    j.sees("已通过").await?;
    j.logout().await?;

    // The provider puts it live.
    j.login("provider.admin").await?;
    j.goto(&format!("/provider/custom-dev/tickets/{ticket}"))
        .await?;
    j.sees("待上线").await?;
    press(
        j,
        &format!("/provider/custom-dev/tickets/{ticket}/live"),
        None,
    )
    .await?;
    j.sees("已正式上线").await?;
    j.logout().await?;

    // Live, but nobody is in its scope yet: the member does not see it.
    j.login("enterprise.member").await?;
    j.goto(&format!("/a/{app_id}")).await?;
    j.sees("404").await?;
    j.logout().await?;

    // The enterprise's admin got the seed's message and starts small: one person.
    j.login("enterprise.admin").await?;
    j.goto("/notifications").await?;
    j.sees("代开发应用已完成").await?;
    j.goto(&format!("/apps/{app_id}/scope")).await?;
    j.click("//input[@name='scope_kind' and @value='people']")
        .await?;
    // The people list folds open by itself when the scope is already "people".
    let folded = j
        .find("//details[.//input[@name='person']]")
        .await?
        .attr("open")
        .await
        .map_err(e("details"))?
        .is_none();
    if folded {
        j.click("//details[.//input[@name='person']]/summary")
            .await?;
    }
    j.click("//label[contains(normalize-space(.),'冯销售')]/input[@name='person']")
        .await?;
    press(j, &format!("/apps/{app_id}/scope"), None).await?;
    j.logout().await?;

    // The member now has it on the workbench, with its homepage, and uses it.
    j.login("enterprise.member").await?;
    j.goto("/workbench").await?;
    j.sees("远航CRM").await?;
    j.find("//a[@href='https://crm.yuanhang.example.com']")
        .await?;
    j.click(&format!("//a[@href='/a/{app_id}']")).await?;
    j.find("//h1[contains(normalize-space(.),'远航CRM')]")
        .await?;
    j.logout().await?;
    permissions_and_api(j, cid).await
}

/// Runs curl against the server (off the test's one runtime thread, which serves it);
/// returns its output.
async fn curl(args: &[&str]) -> Step<String> {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("curl")
            .args(["-s", "--max-time", "20"])
            .args(&args)
            .output()
    })
    .await
    .map_err(e("curl task"))?
    .map_err(e("curl"))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

async fn permissions_and_api(j: &Journey, cid: i64) -> Step<()> {
    let config = format!("/provider/custom-dev/custom-apps/{cid}");
    // The provider asks for the directory and issues the app's API secret.
    j.login("provider.admin").await?;
    j.goto(&config).await?;
    j.click("//input[@name='perm' and @value='directory']")
        .await?;
    press(j, &format!("{config}/permissions"), None).await?;
    j.sees("待企业客户确认").await?;
    j.browser()
        .execute(
            "document.documentElement.setAttribute('data-old', '1');",
            vec![],
        )
        .await
        .map_err(e("mark"))?;
    j.click(&format!("//form[@action='{config}/secret']//button"))
        .await?;
    j.browser().accept_alert().await.map_err(e("confirm"))?;
    j.find("//html[not(@data-old)]//body").await?;
    j.sees("密钥只显示这一次").await?;
    let value = |id: &'static str| async move {
        j.find(&format!("//input[@id='{id}']"))
            .await?
            .prop("value")
            .await
            .map_err(e("value"))?
            .ok_or_else(|| format!("no {id}"))
    };
    let (client_id, secret) = (value("client-id").await?, value("client-secret").await?);
    j.logout().await?;
    let base = j.base().to_string();
    let token_body = format!("{{\"client_id\":\"{client_id}\",\"client_secret\":\"{secret}\"}}");
    let answer = curl(&[
        "-X",
        "POST",
        "-H",
        "content-type: application/json",
        "-d",
        &token_body,
        &format!("{base}/api/v1/token"),
    ])
    .await?;
    let token = serde_json::from_str::<serde_json::Value>(&answer).map_err(e("token json"))?
        ["access_token"]
        .as_str()
        .ok_or(format!("no token in {answer}"))?
        .to_string();
    let auth = format!("authorization: Bearer {token}");
    let directory = format!("{base}/api/v1/directory");
    let refused = curl(&["-H", &auth, &directory]).await?;
    if !refused.contains("permission_not_granted") {
        return Err(format!("directory before consent: {refused}"));
    }

    // The enterprise reads what the provider could newly do, and agrees.
    j.login("enterprise.admin").await?;
    j.goto("/org/custom-apps").await?;
    j.click(&format!("//a[@href='/org/custom-apps/{cid}/permissions']"))
        .await?;
    j.sees("读取全部通讯录：2 人、1 个部门").await?;
    press(
        j,
        &format!("/org/custom-apps/{cid}/permissions/agree"),
        None,
    )
    .await?;
    j.sees("已同意，新权限立即生效").await?;
    j.logout().await?;

    let people = curl(&["-H", &auth, &directory]).await?;
    if !people.contains("冯销售") {
        return Err(format!("directory after consent: {people}"));
    }
    let who = curl(&["-H", &auth, &format!("{base}/api/v1/enterprise")]).await?;
    if !who.contains("dingenterprise01") {
        return Err(format!("enterprise: {who}"));
    }
    delivery_log(j, cid).await
}

/// The provider's receiver (a test server standing in for the provider's system) gets
/// the events, signed with the app's token; the delivery log shows them delivered.
async fn delivery_log(j: &Journey, cid: i64) -> Step<()> {
    let token: String = read(j, |c| {
        cd_custom_apps::table
            .find(cid)
            .select(cd_custom_apps::callback_token)
            .first(c)
    })?;
    let receiver = Receiver::new(true);
    receiver.trust(&token);
    let ctx = runner(j.app(), &receiver.start().await, None);
    while fenfa::jobs::run_due(&ctx).await.map_err(e("jobs"))? > 0 {}
    let kinds = receiver.kinds();
    if !kinds.contains(&"permission_agreed".to_string())
        || !receiver.events().iter().all(|ev| ev.signed)
    {
        return Err(format!("events at the receiver: {kinds:?}"));
    }
    j.login("provider.admin").await?;
    j.goto(&format!("/provider/custom-dev/custom-apps/{cid}/callbacks"))
        .await?;
    j.sees("已送达").await?;
    j.sees("permission_agreed").await?;
    j.logout().await
}

#[tokio::test]
async fn an_enterprise_gets_a_custom_app_from_a_template_to_a_member_using_it_in_a_browser() {
    each_backend(async |app| {
        let Some(j) = Journey::start(app, "custom_development").await else {
            return;
        };
        let result = journey(&j).await;
        j.finish(result).await;
    })
    .await;
}
