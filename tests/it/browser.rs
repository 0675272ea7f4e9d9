//! Journeys in a real browser: headless Chromium driven through ChromeDriver against the
//! real server on a free port, with the demo data set and nothing else written directly.
//! Waits are explicit (for an element or a text), never sleeps. On failure the page's
//! screenshot and HTML are saved under `target/journeys/` and the HTML is printed.

use fenfa::i18n::Lang;

use crate::support::browser::{Journey, Step, raw_keys};
use crate::support::each_backend;

/// A member files a purchase request; a bad amount is refused beside the field; the admin
/// approves both steps; the member sees it approved, and the pages read in English too.
async fn purchase_request_journey(j: &Journey) -> Step<()> {
    let zh = Lang::Zh;
    j.login("provider.dev").await?;
    j.click("//article[.//strong[text()='采购管理']]//a")
        .await?;
    j.click("//tr[.//a[text()='采购申请']]//a[text()='填写']")
        .await?;
    j.fill("事由", "采购两台服务器").await?;
    j.fill("金额", "一万二").await?;
    j.click("//form[contains(@action,'/f/')]//button[@type='submit']")
        .await?;
    j.sees(&zh.t("forms.error.number")).await?;
    // What was typed is kept.
    let kept = j
        .find("//label[contains(., '事由')]/following::input[1]")
        .await?
        .prop("value")
        .await
        .map_err(|e| e.to_string())?;
    if kept.as_deref() != Some("采购两台服务器") {
        return Err(format!("typed value lost: {kept:?}"));
    }
    j.fill("金额", "12000.50").await?;
    j.click("//form[contains(@action,'/f/')]//button[@type='submit']")
        .await?;
    j.sees(&zh.t("forms.status.in_approval")).await?;
    j.logout().await?;

    j.login("provider.admin").await?;
    for _ in 0..2 {
        j.goto("/approvals").await?;
        j.click(&format!("//a[text()='{}']", zh.t("approval.handle")))
            .await?;
        j.fill(&zh.t("approval.comment"), "同意").await?;
        j.click("//button[@value='approve']").await?;
        j.find("//body").await?;
    }
    j.logout().await?;

    j.login("provider.dev").await?;
    j.click(&format!("//a[text()='{}']", zh.t("nav.submissions")))
        .await?;
    j.sees(&zh.t("forms.status.approved")).await?;

    // The same pages in English, with no key left untranslated.
    j.click("//form[@action='/lang']//button").await?;
    j.sees("My submissions").await?;
    for path in ["/workbench", "/submissions", "/approvals", "/notifications"] {
        j.goto(path).await?;
        j.find("//form[@action='/logout']").await?;
        let text = j.body_text().await?;
        let keys = raw_keys(&text);
        if !keys.is_empty() {
            return Err(format!("untranslated keys on {path}: {keys:?}"));
        }
        if text.contains(&*zh.t("nav.workbench")) {
            return Err(format!("Chinese navigation left on {path}"));
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_member_files_a_purchase_request_and_the_admin_approves_it_in_a_browser() {
    each_backend(async |app| {
        let Some(j) = Journey::start(app, "purchase_request").await else {
            return;
        };
        let result = purchase_request_journey(&j).await;
        j.finish(result).await;
    })
    .await;
}

/// An app builder creates an app with a form page and a field, and a member fills it in.
async fn build_an_app_journey(j: &Journey) -> Step<()> {
    let zh = Lang::Zh;
    j.login("provider.admin").await?;
    j.goto("/apps/new").await?;
    j.fill(&zh.t("apps.field.name"), "设备报修").await?;
    // The icon: a glyph and a colour, each a radio button with its name.
    j.click("//input[@name='icon'][@value='wrench']").await?;
    j.click("//input[@name='color'][@value='teal']").await?;
    j.click("//form[@action='/apps/new']//button[@type='submit']")
        .await?;
    j.sees("设备报修").await?;
    j.fill(&zh.t("apps.page.name"), "报修单").await?;
    j.click("//form[contains(@action,'/pages')]//button[@type='submit']")
        .await?;
    j.sees("报修单").await?;
    j.fill(&zh.t("apps.field.label"), "故障描述").await?;
    j.click("//form[contains(@action,'/fields')]//button[@type='submit']")
        .await?;
    j.sees("故障描述").await?;
    j.logout().await?;

    j.login("provider.dev").await?;
    j.click("//article[.//strong[text()='设备报修']]//a")
        .await?;
    j.click("//tr[.//a[text()='报修单']]//a[text()='填写']")
        .await?;
    j.fill("故障描述", "打印机卡纸").await?;
    j.click("//form[contains(@action,'/f/')]//button[@type='submit']")
        .await?;
    j.sees("打印机卡纸").await?;
    Ok(())
}

#[tokio::test]
async fn a_builder_creates_an_app_and_a_member_fills_it_in_a_browser() {
    each_backend(async |app| {
        let Some(j) = Journey::start(app, "build_an_app").await else {
            return;
        };
        let result = build_an_app_journey(&j).await;
        j.finish(result).await;
    })
    .await;
}
