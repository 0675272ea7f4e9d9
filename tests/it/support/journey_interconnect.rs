//! The journey of `browser_interconnect.rs` (see its description there), shared with
//! `load_balanced.rs`, which runs it through nginx in front of two instances.

use fantoccini::Locator;
use fenfa::i18n::Lang;

use super::browser::{Journey, Step, raw_keys};

const UPSTREAM: &str = "华东集团";
const DOWNSTREAM: &str = "苏州分公司";
const APP: &str = "经销商协同";
const MEMBER: &str = "孙店员（下游成员）";

fn zh(key: &str) -> String {
    Lang::Zh.t(key).to_string()
}

fn en(key: &str) -> String {
    Lang::En.t(key).to_string()
}

/// Keys left untranslated, including the interconnection areas `raw_keys` does not know.
fn untranslated(text: &str) -> Vec<String> {
    let mut keys = raw_keys(text);
    keys.extend(
        text.split_whitespace()
            .filter(|w| {
                w.starts_with("interconnect.")
                    && !w.ends_with('.')
                    && w.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_'
                    })
            })
            .map(str::to_string),
    );
    keys
}

/// Reads the current page in English (no key left, no Chinese navigation, `expect` shown),
/// then switches back to Chinese.
async fn in_english(j: &Journey, page: &str, expect: &str) -> Step<()> {
    j.click("//form[@action='/lang']//button[@value='en']")
        .await?;
    j.find("//form[@action='/lang']//button[@value='zh-CN']")
        .await?;
    j.sees(expect)
        .await
        .map_err(|e| format!("{page} in English: {e}"))?;
    let text = j.body_text().await?;
    let keys = untranslated(&text);
    if !keys.is_empty() {
        return Err(format!("untranslated keys on {page}: {keys:?}"));
    }
    for nav in [
        "nav.workbench",
        "nav.approvals",
        "nav.interconnect",
        "nav.logout",
    ] {
        if text.contains(&zh(nav)) {
            return Err(format!("Chinese navigation ({nav}) left on {page}"));
        }
    }
    j.click("//form[@action='/lang']//button[@value='zh-CN']")
        .await?;
    j.find("//form[@action='/lang']//button[@value='en']")
        .await
        .map(|_| ())
}

async fn attr(j: &Journey, xpath: &str, name: &str) -> Step<String> {
    j.find(xpath)
        .await?
        .attr(name)
        .await
        .map_err(|e| format!("{name} of {xpath}: {e}"))?
        .ok_or_else(|| format!("{xpath} has no {name}"))
}

async fn current_path(j: &Journey) -> Step<String> {
    let url = j
        .find("//body")
        .await?
        .client()
        .current_url()
        .await
        .map_err(|e| format!("current URL: {e}"))?;
    Ok(url.path().to_string())
}

/// Whether the page (already loaded) has an element at `xpath`, without waiting for one.
async fn present(j: &Journey, xpath: &str) -> Step<bool> {
    let client = j.find("//body").await?.client();
    client
        .find_all(Locator::XPath(xpath))
        .await
        .map(|found| !found.is_empty())
        .map_err(|e| format!("looking for {xpath}: {e}"))
}

/// A person in both organisations acts in the one chosen in the switcher.
async fn switch_to(j: &Journey, org: &str) -> Step<()> {
    let current = j
        .find("//form[@action='/switch-org']//option[@selected]")
        .await?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    if current.trim() == org {
        return Ok(());
    }
    j.click(&format!(
        "//form[@action='/switch-org']//option[normalize-space()='{org}']"
    ))
    .await?;
    j.click("//form[@action='/switch-org']//button").await?;
    j.find(&format!(
        "//form[@action='/switch-org']//option[@selected and normalize-space()='{org}']"
    ))
    .await
    .map(|_| ())
}

pub async fn interconnect_journey(j: &Journey) -> Step<()> {
    // 1. The upstream main admin creates a space and opens its invitation link.
    j.login("upstream.admin").await?;
    j.click("//a[@href='/interconnect']").await?;
    j.find("//a[@href='/interconnect/spaces/new']").await?;
    in_english(j, "/interconnect", &en("interconnect.spaces.new.title")).await?;
    j.click("//a[@href='/interconnect/spaces/new']").await?;
    in_english(j, "/interconnect/spaces/new", &en("org.scope.all")).await?;
    j.fill(&zh("interconnect.spaces.name"), "华东经销商互联")
        .await?;
    j.click("//select[@name='kind']/option[@value='partner']")
        .await?;
    j.click("//input[@name='scope_kind' and @value='all']")
        .await?;
    j.click("//form[@action='/interconnect/spaces']//button[@type='submit']")
        .await?;
    j.sees(&zh("interconnect.spaces.flash.created")).await?;
    let invite = attr(
        j,
        "//main//a[starts-with(@href,'/interconnect/spaces/') and contains(@href,'/invite')]",
        "href",
    )
    .await?;
    let space = invite.trim_end_matches("/invite").to_string();
    in_english(j, "space home", &en("interconnect.spaces.invite.title")).await?;
    j.click(&format!("//main//a[@href='{invite}']")).await?;
    let url = j
        .find("//input[@id='invite-url']")
        .await?
        .prop("value")
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let join = url
        .find("/interconnect/join/")
        .map(|at| url[at..].to_string())
        .ok_or_else(|| format!("no invitation link in {url:?}"))?;
    in_english(j, "invitation page", &en("interconnect.spaces.invite.link")).await?;
    j.logout().await?;

    // 2. The downstream main admin opens the link and applies with chosen departments.
    j.login("downstream.admin").await?;
    switch_to(j, DOWNSTREAM).await?;
    j.goto(&join).await?;
    j.find(&format!("//form[@action='{join}']")).await?;
    in_english(j, "join page", &en("interconnect.spaces.join.apply")).await?;
    j.click("//input[@name='scope_kind' and @value='departments']")
        .await?;
    j.click(&format!(
        "//summary[normalize-space()='{}']",
        zh("org.scope.departments")
    ))
    .await?;
    j.click("//label[contains(normalize-space(.), '销售部')]/input[@name='department']")
        .await?;
    j.click(&format!("//form[@action='{join}']//button[@type='submit']"))
        .await?;
    j.sees(&zh("interconnect.spaces.flash.applied")).await?;
    j.logout().await?;

    // 3. The upstream admin approves the join and publishes the app to the member org.
    j.login("upstream.admin").await?;
    j.goto(&space).await?;
    j.click(&format!("//a[@href='{space}/orgs?status=pending']"))
        .await?;
    in_english(
        j,
        "member organisations",
        &en("interconnect.spaces.orgs.title"),
    )
    .await?;
    j.click(&format!(
        "//tr[td[contains(., '{DOWNSTREAM}')]]//form[contains(@action,'/approve')]//button"
    ))
    .await?;
    j.sees(&zh("interconnect.spaces.flash.approved")).await?;
    j.goto(&space).await?;
    j.click(&format!("//main//a[@href='{space}/apps']")).await?;
    in_english(j, "shared apps", &en("interconnect.publish.publish")).await?;
    j.click(&format!(
        "//select[@name='app_id']/option[normalize-space()='{APP}']"
    ))
    .await?;
    j.click(&format!(
        "//form[@action='{space}/apps']//input[@name='mode' and @value='all']"
    ))
    .await?;
    j.click(&format!(
        "//form[@action='{space}/apps']//button[@type='submit']"
    ))
    .await?;
    j.sees(&zh("interconnect.publish.flash.published")).await?;
    j.find(&format!("//table//td[normalize-space()='{APP}']"))
        .await?;
    j.logout().await?;

    // 4. A downstream member sees the app marked with its origin and that they hold no
    //    seat; opening it names the upstream admins who can grant one.
    j.login("downstream.member").await?;
    j.click("//a[@href='/workbench']").await?;
    let card = format!(
        "//section[contains(@class,'published-apps')]//article[.//strong[normalize-space()='{APP}']]"
    );
    j.find(&format!("{card}//span[contains(., '{UPSTREAM}')]"))
        .await?;
    j.find(&format!(
        "{card}//span[contains(., '{}') and contains(., '周集团（上游主管理员）')]",
        zh("interconnect.seats.tile_missing").replace(" %{admins}", "")
    ))
    .await?;
    in_english(j, "/workbench", UPSTREAM).await?;
    let app = attr(j, &format!("{card}//a"), "href").await?;
    j.click(&format!("{card}//a")).await?;
    j.find(
        "//ul[contains(@class,'error-contacts')]/li[normalize-space()='周集团（上游主管理员）']",
    )
    .await?;
    in_english(j, "no seat page", "You hold no seat").await?;
    j.logout().await?;

    // 5. The upstream admin grants the member a seat from the licence pool.
    j.login("upstream.admin").await?;
    j.goto("/interconnect").await?;
    j.click("//main//a[@href='/interconnect/licences']").await?;
    in_english(
        j,
        "/interconnect/licences",
        &en("interconnect.licences.title"),
    )
    .await?;
    j.click(&format!(
        "//tr[td[contains(., '{DOWNSTREAM}')]]//a[text()='{}']",
        zh("interconnect.licences.manage")
    ))
    .await?;
    let pool_org = current_path(j).await?;
    j.click(&format!(
        "//input[@name='user_id' and @aria-label='{MEMBER}']"
    ))
    .await?;
    j.click("//form[contains(@action,'/grant')]//button[@type='submit']")
        .await?;
    j.find(&format!(
        "//form[contains(@action,'/release')]//label[normalize-space()='{MEMBER}']"
    ))
    .await?;
    in_english(j, "member org seats", &en("interconnect.licences.grant")).await?;
    j.goto("/interconnect/licences").await?;
    j.find("//td[@id='seats-downstream' and normalize-space()='1']")
        .await?;
    j.logout().await?;

    // 6. With a seat, the member submits an order.
    j.login("downstream.member").await?;
    j.click("//a[@href='/workbench']").await?;
    j.find(&format!(
        "{card}//span[normalize-space()='{}']",
        zh("interconnect.seats.tile_held")
    ))
    .await?;
    j.click(&format!("{card}//a")).await?;
    j.click(&format!(
        "//tr[.//a[text()='订货申请']]//a[text()='{}']",
        zh("forms.app.fill")
    ))
    .await?;
    in_english(j, "order form", "订货申请").await?;
    j.fill("商品", "净水器 A1").await?;
    j.fill("数量", "12").await?;
    j.click("//form[contains(@action,'/f/')]//button[@type='submit']")
        .await?;
    j.sees(&zh("forms.status.in_approval")).await?;
    in_english(j, "submission", "净水器 A1").await?;
    j.logout().await?;

    // 7. The approver approves it; upstream's data management shows the member's org.
    j.login("upstream.admin").await?;
    j.click("//a[@href='/approvals']").await?;
    in_english(j, "/approvals", "订货申请").await?;
    j.click(&format!(
        "//tr[td[normalize-space()='订货申请']]//a[text()='{}']",
        zh("approval.handle")
    ))
    .await?;
    j.fill(&zh("approval.comment"), "同意，按期发货").await?;
    j.click("//button[@value='approve']").await?;
    j.sees(&zh("forms.status.approved")).await?;
    j.goto(&app).await?;
    j.click(&format!(
        "//tr[.//a[text()='订货申请']]//a[text()='{}']",
        zh("forms.data.title")
    ))
    .await?;
    let row = format!(
        "//table//tr[td[contains(., '孙店员')] and td[normalize-space()='{DOWNSTREAM}'] and td[normalize-space()='净水器 A1']]"
    );
    j.find(&format!(
        "{row}[td[normalize-space()='{}']]",
        zh("forms.status.approved")
    ))
    .await?;
    j.find(&format!(
        "//select[@name='org']/option[normalize-space()='{DOWNSTREAM}']"
    ))
    .await?;
    in_english(j, "data management", &en("interconnect.publish.data.org")).await?;

    j.logout().await?;

    // 8. The downstream admin moves the member out of the joined department.
    j.login("downstream.admin").await?;
    switch_to(j, DOWNSTREAM).await?;
    j.goto("/org/members").await?;
    j.click(&format!("//a[normalize-space()='{MEMBER}']"))
        .await?;
    in_english(j, "member page", &en("org.member.move")).await?;
    j.click("//form[contains(@action,'/department')]//select/option[@value='']")
        .await?;
    j.click("//form[contains(@action,'/department')]//button[@type='submit']")
        .await?;
    j.sees(&zh("org.flash.member_moved")).await?;
    j.logout().await?;

    // 9. The member no longer sees the app, and cannot open it by its address.
    j.login("downstream.member").await?;
    j.click("//a[@href='/workbench']").await?;
    j.find("//main/header[@class='page-head']/h1").await?;
    if present(j, "//section[contains(@class,'published-apps')]").await?
        || j.body_text().await?.contains(APP)
    {
        return Err("the published app is still on the member's workbench".into());
    }
    j.goto(&app).await?;
    j.find("//main").await?;
    if present(j, "//a[text()='订货申请']").await? {
        return Err(format!("{app} still opens for the member"));
    }
    j.logout().await?;

    // 10. The seat went back to the pool.
    j.login("upstream.admin").await?;
    j.goto("/interconnect/licences").await?;
    j.find("//td[@id='seats-downstream' and normalize-space()='0']")
        .await?;
    j.goto(&pool_org).await?;
    j.find("//h1").await?;
    if present(
        j,
        &format!("//form[contains(@action,'/release')]//label[normalize-space()='{MEMBER}']"),
    )
    .await?
    {
        return Err("the member still holds a seat".into());
    }
    j.logout().await?;

    // 11. Moved back into the joined department, the member sees the app again at once
    //     (without a seat: the automatic release is not undone by hand); removed from the
    //     downstream organisation (after confirming), the member loses the app again.
    j.login("downstream.admin").await?;
    switch_to(j, DOWNSTREAM).await?;
    j.goto("/org/members").await?;
    j.click(&format!("//a[normalize-space()='{MEMBER}']"))
        .await?;
    j.click("//form[contains(@action,'/department')]//select/option[contains(normalize-space(.), '门店')]")
        .await?;
    j.click("//form[contains(@action,'/department')]//button[@type='submit']")
        .await?;
    j.sees(&zh("org.flash.member_moved")).await?;
    j.logout().await?;
    j.login("downstream.member").await?;
    j.click("//a[@href='/workbench']").await?;
    j.find(&format!("{card}//a[@href='{app}']")).await?;
    j.logout().await?;

    j.login("downstream.admin").await?;
    switch_to(j, DOWNSTREAM).await?;
    j.goto("/org/members").await?;
    j.click(&format!("//a[normalize-space()='{MEMBER}']"))
        .await?;
    let button = j
        .find("//form[contains(@action,'/remove')]//button[@type='submit']")
        .await?;
    let client = button.clone().client();
    button
        .click()
        .await
        .map_err(|e| format!("remove member: {e}"))?;
    client
        .accept_alert()
        .await
        .map_err(|e| format!("confirming the removal: {e}"))?;
    j.sees(&zh("org.flash.member_removed")).await?;
    if j.body_text().await?.contains(MEMBER) {
        return Err("the removed member is still listed".into());
    }
    j.logout().await?;
    j.login("downstream.member").await?;
    j.goto("/workbench").await?;
    j.find("//main").await?;
    if j.body_text().await?.contains(APP) {
        return Err("a member who left still sees the published app".into());
    }
    j.goto(&app).await?;
    j.find("//main").await?;
    if present(j, "//a[text()='订货申请']").await? {
        return Err(format!("{app} still opens for a member who left"));
    }
    Ok(())
}
