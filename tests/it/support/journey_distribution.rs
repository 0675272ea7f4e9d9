//! The journey of `browser_distribution.rs` (see its description there), shared with
//! `load_balanced.rs`, which runs it through nginx in front of two instances.

use diesel::prelude::*;
use fenfa::db::schema::{apps, distribution_links, maintenance_grants, order_apps, orders, pages};
use fenfa::i18n::Lang;

use super::browser::{Journey, Step, raw_keys};

fn e<T: std::fmt::Display>(what: &str) -> impl FnOnce(T) -> String + '_ {
    move |err| format!("{what}: {err}")
}

/// Types into the named field of the form posting to `action`.
async fn type_in(j: &Journey, action: &str, name: &str, value: &str) -> Step<()> {
    let el = j
        .find(&format!("//form[@action='{action}']//*[@name='{name}']"))
        .await?;
    el.clear().await.map_err(e("clear"))?;
    el.send_keys(value).await.map_err(e("type"))
}

/// Presses the submit button of the form posting to `action` and waits for the next page.
async fn press(j: &Journey, action: &str) -> Step<()> {
    submit(j, action, false).await
}

/// Presses a button whose form asks for confirmation, confirms, and waits.
async fn press_confirmed(j: &Journey, action: &str) -> Step<()> {
    submit(j, action, true).await
}

async fn submit(j: &Journey, action: &str, confirm: bool) -> Step<()> {
    // Marks the page, so that the wait below sees the next one, not this one.
    j.browser()
        .execute(
            "document.documentElement.setAttribute('data-old', '1');",
            vec![],
        )
        .await
        .map_err(e("mark"))?;
    j.click(&format!(
        "//form[@action='{action}']//button[@type='submit' or not(@type)]"
    ))
    .await?;
    if confirm {
        j.browser().accept_alert().await.map_err(e("confirm"))?;
    }
    j.find("//html[not(@data-old)]//body").await.map(|_| ())
}

/// Waits until the address bar shows a path starting with `prefix`; returns the path.
async fn lands_on(j: &Journey, prefix: &str) -> Step<String> {
    for _ in 0..100 {
        let url = j.browser().current_url().await.map_err(e("url"))?;
        if url.path().starts_with(prefix) {
            return Ok(url.path().to_string());
        }
        j.browser()
            .wait()
            .at_most(std::time::Duration::from_millis(100))
            .for_element(fantoccini::Locator::XPath("//nonexistent"))
            .await
            .ok();
    }
    Err(format!("did not reach {prefix}"))
}

fn read<T>(j: &Journey, f: impl FnOnce(&mut fenfa::db::Conn) -> QueryResult<T>) -> Step<T> {
    f(&mut j.app().conn()).map_err(e("read"))
}

fn order_count(j: &Journey) -> Step<i64> {
    read(j, |c| orders::table.count().get_result(c))
}

pub async fn journey(j: &Journey) -> Step<()> {
    let zh = Lang::Zh;
    let mut provider_pages: Vec<String> = vec![];
    let mut customer_pages: Vec<String> = vec![];

    // The provider admin creates a project.
    let pdf = std::env::temp_dir().join(format!("fenfa-contract-{}.pdf", std::process::id()));
    std::fs::write(&pdf, crate::support::distribution::PDF).map_err(e("pdf"))?;
    j.login("provider.admin").await?;
    j.goto("/provider/projects/new").await?;
    provider_pages.push("/provider/projects/new".into());
    type_in(j, "/provider/projects", "name", "星河浏览器项目").await?;
    type_in(j, "/provider/projects", "amount", "8800.00").await?;
    type_in(j, "/provider/projects", "customer_name", "星河制造有限公司").await?;
    type_in(
        j,
        "/provider/projects",
        "customer_corp_id",
        "dingcustomer01",
    )
    .await?;
    type_in(j, "/provider/projects", "contract", &pdf.to_string_lossy()).await?;
    press(j, "/provider/projects").await?;
    let project_path = lands_on(j, "/provider/projects/").await?;
    let project: i64 = project_path
        .trim_start_matches("/provider/projects/")
        .parse()
        .map_err(e("project id"))?;
    j.sees("星河浏览器项目").await?;
    provider_pages.push(project_path.clone());
    j.logout().await?;

    // The operator approves it.
    j.login("operator").await?;
    j.goto(&format!("/operator/reviews/{project}")).await?;
    press(j, &format!("/operator/reviews/{project}/approve")).await?;
    lands_on(j, "/operator/reviews").await?;
    j.logout().await?;

    // The provider gets a link for 采购管理; a premium app is refused.
    let source: i64 = read(j, |c| {
        apps::table
            .filter(apps::name.eq("采购管理"))
            .select(apps::id)
            .first(c)
    })?;
    let premium: i64 = read(j, |c| {
        apps::table
            .filter(apps::premium.eq(true))
            .select(apps::id)
            .first(c)
    })?;
    j.login("provider.admin").await?;
    j.goto("/provider/links/new").await?;
    provider_pages.push("/provider/links/new".into());
    j.click(&format!(
        "//select[@name='project_id']/option[@value='{project}']"
    ))
    .await?;
    let premium_box = j
        .browser()
        .find_all(fantoccini::Locator::XPath(&format!(
            "//input[@name='app_id' and @value='{premium}']"
        )))
        .await
        .map_err(e("premium"))?;
    if let Some(b) = premium_box.first() {
        b.click().await.map_err(e("premium click"))?;
        press(j, "/provider/links").await?;
        j.find(
            "//*[contains(@class,'field-error') or contains(@class,'form-error') or @role='alert']",
        )
        .await?;
        let links: i64 = read(j, |c| distribution_links::table.count().get_result(c))?;
        if links != 0 {
            return Err("a link for a premium app was issued".into());
        }
        j.goto("/provider/links/new").await?;
        j.click(&format!(
            "//select[@name='project_id']/option[@value='{project}']"
        ))
        .await?;
    }
    j.click(&format!("//input[@name='app_id' and @value='{source}']"))
        .await?;
    press(j, "/provider/links").await?;
    let link_path = lands_on(j, "/provider/links/").await?;
    provider_pages.push(link_path);
    let token: String = read(j, |c| {
        distribution_links::table
            .order(distribution_links::id.desc())
            .select(distribution_links::token)
            .first(c)
    })?;
    j.logout().await?;

    // A member cannot purchase, nor can another organisation.
    for who in ["customer.member", "downstream.admin"] {
        j.login(who).await?;
        j.goto(&format!("/d/{token}")).await?;
        if let Ok(buttons) = j
            .browser()
            .find_all(fantoccini::Locator::XPath(&format!(
                "//form[@action='/d/{token}']//button"
            )))
            .await
            && let Some(b) = buttons.first()
        {
            b.click().await.map_err(e("purchase click"))?;
            j.find("//body").await?;
        }
        if order_count(j)? != 0 {
            return Err(format!("{who} could purchase"));
        }
        j.logout().await?;
    }

    // The customer admin purchases.
    j.login("customer.admin").await?;
    j.goto(&format!("/d/{token}")).await?;
    press(j, &format!("/d/{token}")).await?;
    lands_on(j, &format!("/d/{token}/done")).await?;
    if order_count(j)? != 1 {
        return Err("the purchase made no order".into());
    }
    j.logout().await?;
    let (order, oa): (i64, i64) = read(j, |c| {
        order_apps::table
            .inner_join(orders::table)
            .select((orders::id, order_apps::id))
            .first(c)
    })?;

    // The provider sends the app with options.
    j.login("provider.admin").await?;
    let order_path = format!("/provider/orders/{order}");
    j.goto(&order_path).await?;
    provider_pages.push(order_path.clone());
    let send = format!("/provider/orders/{order}/apps/{oa}/send");
    j.click(&format!("//a[contains(@href, 'send={oa}')]"))
        .await?;
    for option in ["with_sample", "full_edit", "agree"] {
        j.click(&format!(
            "//form[@action='{send}']//input[@name='{option}']"
        ))
        .await?;
    }
    press(j, &send).await?;
    lands_on(j, &order_path).await?;
    let copy: i64 = read(j, |c| {
        order_apps::table
            .find(oa)
            .select(order_apps::copy_app_id)
            .first::<Option<i64>>(c)
    })?
    .ok_or("the app was not sent")?;
    j.logout().await?;

    // The developer requests a maintenance grant; the customer approves it.
    j.login("provider.dev").await?;
    j.goto(&format!("/maintenance/request?app={copy}")).await?;
    type_in(j, "/maintenance/request", "reason", "修复采购报表").await?;
    type_in(j, "/maintenance/request", "amount", "2").await?;
    press(j, "/maintenance/request").await?;
    lands_on(j, "/maintenance").await?;
    j.logout().await?;
    let grant: i64 = read(j, |c| {
        maintenance_grants::table
            .select(maintenance_grants::id)
            .first(c)
    })?;
    j.login("customer.admin").await?;
    j.goto("/maintenance").await?;
    customer_pages.push("/maintenance".into());
    press(j, &format!("/maintenance/grants/{grant}/approve")).await?;
    lands_on(j, "/maintenance").await?;
    j.logout().await?;

    // The developer edits the app inside the customer organisation.
    j.login("provider.dev").await?;
    j.goto("/maintenance").await?;
    press(j, &format!("/maintenance/grants/{grant}/enter")).await?;
    lands_on(j, &format!("/apps/{copy}")).await?;
    type_in(j, &format!("/apps/{copy}/edit"), "name", "采购管理维护版").await?;
    press(j, &format!("/apps/{copy}/edit")).await?;
    j.sees("采购管理维护版").await?;
    j.logout().await?;

    // The customer closes maintenance: the developer is locked out.
    j.login("customer.admin").await?;
    let my_app = format!("/my-apps/{copy}");
    j.goto(&my_app).await?;
    customer_pages.push("/my-apps".into());
    customer_pages.push(my_app.clone());
    press_confirmed(j, &format!("/my-apps/{copy}/close-maintenance")).await?;
    lands_on(j, &my_app).await?;
    j.logout().await?;
    j.login("provider.dev").await?;
    j.goto("/maintenance").await?;
    let enter = j
        .browser()
        .find_all(fantoccini::Locator::XPath(&format!(
            "//form[@action='/maintenance/grants/{grant}/enter']"
        )))
        .await
        .map_err(e("enter"))?;
    if !enter.is_empty() {
        return Err("the developer can still enter after the close".into());
    }
    j.goto(&format!("/apps/{copy}")).await?;
    let text = j.body_text().await?;
    if text.contains("采购管理维护版") {
        return Err("the developer still sees the customer's app".into());
    }
    j.logout().await?;

    // The customer accepts and enables the app.
    j.login("customer.admin").await?;
    j.goto(&my_app).await?;
    j.click(&format!(
        "//form[@action='/my-apps/{copy}/accept']//input[@value='passed']"
    ))
    .await?;
    press(j, &format!("/my-apps/{copy}/accept")).await?;
    lands_on(j, &my_app).await?;
    press(j, &format!("/my-apps/{copy}/enable")).await?;
    j.sees(&zh.t("distribution.enable.done")).await?;
    j.logout().await?;

    // A member submits a form in the delivered app.
    let page: i64 = read(j, |c| {
        pages::table
            .filter(pages::app_id.eq(copy))
            .filter(pages::name.eq("供应商登记"))
            .select(pages::id)
            .first(c)
    })?;
    j.login("customer.member").await?;
    let fill = format!("/f/{page}");
    j.goto(&fill).await?;
    let inputs = j
        .browser()
        .find_all(fantoccini::Locator::XPath(&format!(
            "//form[@action='{fill}']//input[not(@type='hidden') and not(@type='file')]"
        )))
        .await
        .map_err(e("inputs"))?;
    for input in inputs {
        let decimal = input.attr("inputmode").await.map_err(e("attr"))?.is_some();
        input
            .send_keys(if decimal { "12" } else { "星河供应商" })
            .await
            .map_err(e("type"))?;
    }
    let selects = j
        .browser()
        .find_all(fantoccini::Locator::XPath(&format!(
            "//form[@action='{fill}']//select/option[@value!=''][1]"
        )))
        .await
        .map_err(e("selects"))?;
    for option in selects {
        option.click().await.map_err(e("choose"))?;
    }
    press(j, &fill).await?;
    lands_on(j, "/submissions/").await?;
    j.sees("星河供应商").await?;
    j.logout().await?;

    // The provider closes the project; its link is refused from then on.
    j.login("provider.admin").await?;
    j.goto(&project_path).await?;
    let close = format!("/provider/projects/{project}/close");
    let date = j
        .find(&format!(
            "//form[@action='{close}']//input[@name='delivery_date']"
        ))
        .await?;
    j.browser()
        .execute(
            "arguments[0].value = '2026-12-01';",
            vec![serde_json::to_value(&date).map_err(e("date"))?],
        )
        .await
        .map_err(e("date"))?;
    type_in(j, &close, "summary", "交付完成").await?;
    press_confirmed(j, &close).await?;
    j.sees("交付完成").await?;
    j.logout().await?;
    j.login("customer.admin").await?;
    j.goto(&format!("/d/{token}")).await?;
    let buttons = j
        .browser()
        .find_all(fantoccini::Locator::XPath(&format!(
            "//form[@action='/d/{token}']//button"
        )))
        .await
        .map_err(e("buttons"))?;
    if let Some(b) = buttons.first() {
        b.click().await.map_err(e("click"))?;
        j.find("//body").await?;
    }
    if order_count(j)? != 1 {
        return Err("a closed project's link still sells".into());
    }

    // Every page of the journey in English, with no key left untranslated.
    customer_pages.push(format!("/d/{token}"));
    customer_pages.push("/submissions".to_string());
    english(j, &customer_pages).await?;
    j.logout().await?;
    j.login("provider.admin").await?;
    english(j, &provider_pages).await?;
    Ok(())
}

/// Switches to English on the current page and reads every page of `paths`.
async fn english(j: &Journey, paths: &[String]) -> Step<()> {
    j.click("//form[@action='/lang']//button[@value='en']")
        .await?;
    j.find("//html[@lang='en']").await?;
    for path in paths {
        j.goto(path).await?;
        j.find("//form[@action='/logout']").await?;
        let text = j.body_text().await?;
        let keys = raw_keys(&text);
        if !keys.is_empty() {
            return Err(format!("untranslated keys on {path}: {keys:?}"));
        }
        if text.contains(&*Lang::Zh.t("nav.workbench")) {
            return Err(format!("Chinese navigation left on {path}"));
        }
    }
    // And back to Chinese from a page (never a 405).
    j.click("//form[@action='/lang']//button[@value='zh-CN']")
        .await?;
    j.find("//html[@lang='zh-CN']").await.map(|_| ())
}
