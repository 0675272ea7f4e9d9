//! The console layout in a real browser: at 1280 × 900 and 1024 × 768, in Chinese and in
//! English, the top bar stays one line and no navigation label is cut off or pushes the
//! page sideways; at 390 × 844 the navigation folds into a `<details>` menu that opens
//! without JavaScript. Screenshots of the workbench go to `target/journeys/`.

use fenfa::i18n::Lang;

use crate::figures::figure;
use crate::support::TestApp;
use crate::support::browser::{Journey, Step};

/// One line of the top bar: its items are 40 px high at most, with the bar's padding.
const ONE_LINE: f64 = 64.0;

/// What the page measures of its own layout (see [`MEASURE`]).
struct Measured {
    bar: f64,
    viewport: u64,
    page: u64,
    bar_overflow: bool,
    clipped: Vec<String>,
}

/// The top bar's height (a wrapped item makes it taller), the viewport's and the page's
/// widths, whether the bar's content is wider than the bar, and the visible navigation
/// links (and organisation name) whose text is cut off or runs onto a second line.
const MEASURE: &str = r#"
const bar = document.querySelector('header.topbar');
const nav = bar.querySelector('nav');
const clipped = [];
for (const el of document.querySelectorAll('#sidebar a, header.topbar .org-name')) {
  if (!el.getClientRects().length) continue;
  if (el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().height > 40)
    clipped.push(el.textContent.trim());
}
return [bar.getBoundingClientRect().height, window.innerWidth,
        document.documentElement.scrollWidth, nav.scrollWidth > nav.clientWidth + 1, clipped];
"#;

async fn measure(j: &Journey) -> Step<Measured> {
    let v = j.script(MEASURE).await?;
    Ok(Measured {
        bar: v[0].as_f64().unwrap_or(f64::MAX),
        viewport: v[1].as_u64().unwrap_or(0),
        page: v[2].as_u64().unwrap_or(u64::MAX),
        bar_overflow: v[3].as_bool().unwrap_or(true),
        clipped: v[4]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

async fn displayed(j: &Journey, xpath: &str) -> Step<bool> {
    j.find(xpath)
        .await?
        .is_displayed()
        .await
        .map_err(|e| format!("is {xpath} displayed: {e}"))
}

async fn switch_to(j: &Journey, lang: Lang) -> Step<()> {
    if j.find("//html").await?.attr("lang").await.ok().flatten() != Some(lang.code().into()) {
        j.click(&format!(
            "//form[@action='/lang']//button[@value='{}']",
            lang.code()
        ))
        .await?;
        j.find(&format!("//html[@lang='{}']", lang.code())).await?;
    }
    Ok(())
}

/// The wide sizes: one line, nothing cut off, nothing wider than the window.
async fn wide(j: &Journey, who: &str, lang: Lang, shots: bool) -> Step<()> {
    for (w, h) in [(1280, 900), (1024, 768)] {
        j.viewport(w, h).await?;
        j.goto("/").await?;
        j.find("//header[@class='topbar']").await?;
        let m = measure(j).await?;
        let at = format!("{who} {}x{} {}", w, h, lang.code());
        figure(
            &format!("layout top bar height px ({at})"),
            format!("{:.0} (goal <= {ONE_LINE})", m.bar),
        );
        if m.viewport != u64::from(w) {
            return Err(format!("{at}: the viewport is {} px wide", m.viewport));
        }
        if m.bar > ONE_LINE || m.bar_overflow {
            return Err(format!(
                "{at}: the top bar is {} px high (overflowing: {})",
                m.bar, m.bar_overflow
            ));
        }
        if !m.clipped.is_empty() {
            return Err(format!("{at}: cut off: {:?}", m.clipped));
        }
        if m.page > m.viewport {
            return Err(format!(
                "{at}: the page is {} px wide in a {} px window",
                m.page, m.viewport
            ));
        }
        if shots && w == 1280 {
            j.screenshot(&format!("layout-workbench-{w}x{h}-{}", lang.code()))
                .await?;
        }
    }
    Ok(())
}

/// The phone size: the navigation is folded behind the menu, which opens and leads on.
async fn phone(j: &Journey, who: &str, lang: Lang, shots: bool) -> Step<()> {
    j.viewport(390, 844).await?;
    j.goto("/workbench").await?;
    let toggle = "//li[contains(@class,'nav-toggle')]/details/summary";
    if !displayed(j, toggle).await? {
        return Err("390 px: no menu button".into());
    }
    if displayed(j, "//aside[@id='sidebar']").await? {
        return Err("390 px: the navigation is not folded".into());
    }
    let m = measure(j).await?;
    figure(
        &format!("layout top bar height px ({who} 390x844 {})", lang.code()),
        format!("{:.0}", m.bar),
    );
    if m.page > m.viewport {
        return Err(format!("390 px: the page is {} px wide", m.page));
    }
    if shots {
        j.screenshot(&format!("layout-workbench-390x844-{}", lang.code()))
            .await?;
    }
    j.click(toggle).await?;
    j.find("//li[contains(@class,'nav-toggle')]/details[@open]")
        .await?;
    let link = "//aside[@id='sidebar']//a[@href='/approvals']";
    if !displayed(j, link).await? {
        return Err("390 px: the opened menu shows no navigation".into());
    }
    if shots {
        j.screenshot(&format!("layout-workbench-390x844-{}-menu", lang.code()))
            .await?;
    }
    j.click(link).await?;
    j.find("//aside[@id='sidebar']//a[@href='/approvals' and @aria-current='page']")
        .await?;
    // A new page starts with the menu folded again.
    if displayed(j, "//aside[@id='sidebar']").await? {
        return Err("390 px: the menu stays open on the next page".into());
    }
    Ok(())
}

async fn journey(j: &Journey) -> Step<()> {
    // The provider's admin sees the most areas, the downstream admin has the organisation
    // switcher (two organisations), the operator the console.
    for (who, shots) in [
        ("provider.admin", true),
        ("downstream.admin", false),
        ("operator", false),
    ] {
        j.login(who).await?;
        for lang in [Lang::Zh, Lang::En] {
            switch_to(j, lang).await?;
            wide(j, who, lang, shots).await?;
            if who != "operator" {
                phone(j, who, lang, shots).await?;
            }
        }
        switch_to(j, Lang::Zh).await?;
        j.viewport(1280, 900).await?;
        j.logout().await?;
    }
    Ok(())
}

#[tokio::test]
async fn the_console_layout_stays_on_one_line_and_folds_on_a_phone_in_a_browser() {
    let Some(j) = Journey::start(TestApp::sqlite(), "console_layout").await else {
        return;
    };
    let result = journey(&j).await;
    j.finish(result).await;
}
