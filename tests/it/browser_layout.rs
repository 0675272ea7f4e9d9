//! The console layout in a real browser: at 1280 × 900 and 1024 × 768, in Chinese and in
//! English, the top bar stays one line and no navigation label is cut off or pushes the
//! page sideways; at 390 × 844 the navigation folds into a `<details>` menu that opens
//! without JavaScript. Screenshots of the workbench go to `target/journeys/`. And the
//! keyboard alone signs in, reaches the navigation and follows it.

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

/// The provider admin's main pages, screenshot at both sizes in one language; at phone
/// width no page may be wider than the window (wide tables scroll inside themselves).
const MAIN_PAGES: &[(&str, &str)] = &[
    ("workbench", "/workbench"),
    ("projects", "/provider/projects"),
    ("orders", "/provider/orders"),
    ("custom-dev", "/provider/custom-dev"),
    ("interconnect", "/interconnect"),
    ("org", "/org"),
    ("my-apps", "/my-apps"),
];

async fn main_pages(j: &Journey, lang: Lang) -> Step<()> {
    for (w, h) in [(1280, 900), (390, 844)] {
        j.viewport(w, h).await?;
        for (name, path) in MAIN_PAGES {
            j.goto(path).await?;
            j.find("//main").await?;
            let m = measure(j).await?;
            if m.page > m.viewport {
                return Err(format!(
                    "{path} at {w} px ({}): the page is {} px wide",
                    lang.code(),
                    m.page
                ));
            }
            j.screenshot(&format!("page-{name}-{w}x{h}-{}", lang.code()))
                .await?;
        }
    }
    figure(
        &format!(
            "main pages screenshot and no wider than the window ({})",
            lang.code()
        ),
        format!("{} pages x 2 sizes", MAIN_PAGES.len()),
    );
    j.viewport(1280, 900).await
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
            if shots {
                main_pages(j, lang).await?;
            }
        }
        switch_to(j, Lang::Zh).await?;
        j.viewport(1280, 900).await?;
        j.logout().await?;
    }
    Ok(())
}

/// Presses `key` on whatever has the focus.
async fn press(j: &Journey, key: fantoccini::key::Key) -> Step<()> {
    j.browser()
        .active_element()
        .await
        .map_err(|e| format!("focus: {e}"))?
        .send_keys(&key.to_string())
        .await
        .map_err(|e| format!("key: {e}"))
}

/// What has the focus: its tag, name or link address, and text.
async fn focused(j: &Journey) -> Step<String> {
    let v = j
        .script(
            "const e = document.activeElement;
             return e.tagName + ' ' + (e.getAttribute('name') || e.getAttribute('href') || '') + ' ' + e.textContent.trim();",
        )
        .await?;
    Ok(v.as_str().unwrap_or_default().to_string())
}

/// Tabs until `what` (a prefix of [`focused`]) has the focus: how many presses it took.
async fn tab_to(j: &Journey, what: &str) -> Step<usize> {
    for n in 1..=40 {
        press(j, fantoccini::key::Key::Tab).await?;
        if focused(j).await?.starts_with(what) {
            return Ok(n);
        }
    }
    Err(format!("the keyboard never reached {what}"))
}

async fn keyboard(j: &Journey) -> Step<()> {
    j.goto("/login").await?;
    let to_login = tab_to(j, "INPUT login").await?;
    j.browser()
        .active_element()
        .await
        .map_err(|e| format!("focus: {e}"))?
        .send_keys("provider.admin")
        .await
        .map_err(|e| format!("type: {e}"))?;
    press(j, fantoccini::key::Key::Tab).await?;
    if !focused(j).await?.starts_with("INPUT password") {
        return Err(format!("after the login: {}", focused(j).await?));
    }
    j.browser()
        .active_element()
        .await
        .map_err(|e| format!("focus: {e}"))?
        .send_keys(fenfa::demo::PASSWORD)
        .await
        .map_err(|e| format!("type: {e}"))?;
    press(j, fantoccini::key::Key::Enter).await?;
    j.find("//form[@action='/logout']").await?;
    // From the top of the workbench to the order centre in the navigation, and in.
    let to_orders = tab_to(j, "A /provider/orders").await?;
    press(j, fantoccini::key::Key::Enter).await?;
    j.find("//a[@href='/provider/orders' and @aria-current='page']")
        .await?;
    figure(
        "keyboard alone (sqlite)",
        format!(
            "signed in ({to_login} Tabs to the login field), reached the order centre in the navigation ({to_orders} Tabs) and opened it"
        ),
    );
    j.logout().await
}

#[tokio::test]
async fn the_keyboard_alone_signs_in_and_follows_the_navigation_in_a_browser() {
    let Some(j) = Journey::start(TestApp::sqlite(), "keyboard").await else {
        return;
    };
    let result = keyboard(&j).await;
    j.finish(result).await;
}

#[tokio::test]
async fn the_console_layout_stays_on_one_line_and_folds_on_a_phone_in_a_browser() {
    let Some(j) = Journey::start(TestApp::sqlite(), "console_layout").await else {
        return;
    };
    let result = journey(&j).await;
    j.finish(result).await;
}
