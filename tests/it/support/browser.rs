//! The harness of the browser journeys: headless Chromium driven through ChromeDriver
//! against the real server on a free port, with the demo data set and nothing else written
//! directly. Waits are explicit (for an element or a text), never sleeps. On failure the
//! page's screenshot and HTML are saved under `target/journeys/` and the HTML is printed.
//!
//! Every page a journey shows is checked with axe-core (vendored from npm under
//! `tests/vendor/axe-core/`, injected here, never served by the portal): once per address
//! and language, the pages a journey opens by address in both languages. A serious or
//! critical violation fails the journey, which prints the figures.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use fenfa::i18n::Lang;

use super::TestApp;
use super::server::free_port;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

pub type Step<T> = Result<T, String>;

/// axe-core, as npm ships it.
const AXE: &str = include_str!("../../vendor/axe-core/axe.min.js");

/// Runs axe on the page and answers its serious and critical violations, one line each.
const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'],
                    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
  .then(r => done(r.violations
      .filter(v => v.impact === 'serious' || v.impact === 'critical')
      .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))),
        e => done(['axe failed: ' + e]));
"#;

/// What axe found over a journey.
#[derive(Default)]
struct Audit {
    seen: std::collections::HashSet<String>,
    violations: Vec<String>,
}

pub struct Journey {
    base: String,
    browser: Client,
    driver: Child,
    name: &'static str,
    app: Arc<TestApp>,
    audit: std::sync::Mutex<Audit>,
}

impl Journey {
    /// Starts the portal (with the demo data) and a browser, or `None` when this machine
    /// has no ChromeDriver (CI installs it, so there it is an error).
    pub async fn start(app: TestApp, name: &'static str) -> Option<Journey> {
        if !browser_available(name) {
            return None;
        }
        fenfa::demo::load(&app.state.db, app.state.storage.as_ref())
            .expect("demo data")
            .expect("an empty database");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let router = app.router.clone();
        tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await;
        });
        Some(Journey::open(format!("http://{addr}"), Arc::new(app), name).await)
    }

    /// A browser on a portal already serving at `base` (e.g. nginx in front of instances
    /// of the binary) on `app`'s database, with the demo data loaded by whoever started
    /// it; `None` when this machine has no ChromeDriver.
    pub async fn at(base: &str, app: Arc<TestApp>, name: &'static str) -> Option<Journey> {
        if !browser_available(name) {
            return None;
        }
        Some(Journey::open(base.trim_end_matches('/').to_string(), app, name).await)
    }

    async fn open(base: String, app: Arc<TestApp>, name: &'static str) -> Journey {
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", "--window-size=1280,900",
                         "--lang=zh-CN"]
            }),
        );
        // ChromeDriver takes a moment to listen: retry the session for up to 20 s.
        let url = format!("http://127.0.0.1:{port}");
        let mut browser = None;
        for _ in 0..100 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => {
                    browser = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
        let browser = browser.expect("a browser session");
        Journey {
            base,
            browser,
            driver,
            name,
            app,
            audit: std::sync::Mutex::new(Audit::default()),
        }
    }

    /// The WebDriver session, for what the helpers here do not cover (dialogs, scripts).
    /// The server's address, for calls a program makes beside the browser (curl).
    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn browser(&self) -> &Client {
        &self.browser
    }

    /// The app under test, to read ids the person would read off the page.
    pub fn app(&self) -> &TestApp {
        &self.app
    }

    pub async fn goto(&self, path: &str) -> Step<()> {
        self.audit_here().await?;
        self.browser
            .goto(&format!("{}{path}", self.base))
            .await
            .map_err(|e| format!("goto {path}: {e}"))?;
        self.audit_in_both_languages().await
    }

    /// Checks the page shown with axe, once per address and language.
    async fn audit_here(&self) -> Step<()> {
        let url = self
            .browser
            .current_url()
            .await
            .map_err(|e| format!("current url: {e}"))?;
        if !url.as_str().starts_with(&self.base) {
            return Ok(());
        }
        let lang = self
            .script("return document.documentElement.lang;")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string();
        let key = format!("{lang} {}", &url.as_str()[self.base.len()..]);
        if !self.audit.lock().expect("audit").seen.insert(key.clone()) {
            return Ok(());
        }
        let loaded = self.script("return typeof axe !== 'undefined';").await?;
        if loaded != serde_json::Value::Bool(true) {
            self.script(AXE).await?;
        }
        let found = self
            .browser
            .execute_async(AXE_RUN, vec![])
            .await
            .map_err(|e| format!("axe on {key}: {e}"))?;
        let mut audit = self.audit.lock().expect("audit");
        for v in found.as_array().into_iter().flatten() {
            audit
                .violations
                .push(format!("{key}: {}", v.as_str().unwrap_or_default()));
        }
        Ok(())
    }

    /// The page just opened, audited in its language, then in the other one (the
    /// session's language switched and back, as the switch in the top bar does).
    async fn audit_in_both_languages(&self) -> Step<()> {
        self.audit_here().await?;
        let shown = self
            .script("return document.documentElement.lang;")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string();
        let (other, back) = if shown == "en" {
            ("zh-CN", "en")
        } else {
            ("en", "zh-CN")
        };
        let switch = |lang: &'static str| async move {
            self.browser
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     fetch('/lang', { method: 'POST', credentials: 'same-origin',
                                      body: new URLSearchParams({ lang: arguments[0], next: '/' }) })
                       .then(() => done(true), () => done(false));",
                    vec![serde_json::Value::from(lang)],
                )
                .await
                .map_err(|e| format!("switch to {lang}: {e}"))?;
            self.browser
                .refresh()
                .await
                .map_err(|e| format!("reload in {lang}: {e}"))
        };
        switch(other).await?;
        self.audit_here().await?;
        switch(back).await
    }

    pub async fn find(&self, xpath: &str) -> Step<fantoccini::elements::Element> {
        self.browser
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(xpath))
            .await
            .map_err(|e| format!("waiting for {xpath}: {e}"))
    }

    pub async fn click(&self, xpath: &str) -> Step<()> {
        self.audit_here().await?;
        self.find(xpath)
            .await?
            .click()
            .await
            .map_err(|e| format!("click {xpath}: {e}"))
    }

    /// Types into the input that follows the label with this text.
    pub async fn fill(&self, label: &str, value: &str) -> Step<()> {
        let xpath = format!(
            "//label[contains(normalize-space(.), '{label}')]/following::*[self::input or self::textarea or self::select][1]"
        );
        let el = self.find(&xpath).await?;
        el.clear()
            .await
            .map_err(|e| format!("clear {label}: {e}"))?;
        el.send_keys(value)
            .await
            .map_err(|e| format!("type into {label}: {e}"))
    }

    /// Types into the element at `xpath`, replacing what it held (for fields whose label
    /// is not unique on the page, or which have none but their `aria-label`).
    pub async fn type_into(&self, xpath: &str, value: &str) -> Step<()> {
        let el = self.find(xpath).await?;
        el.clear()
            .await
            .map_err(|e| format!("clear {xpath}: {e}"))?;
        el.send_keys(value)
            .await
            .map_err(|e| format!("type into {xpath}: {e}"))
    }

    /// Clicks the button or link at `xpath` and waits for the page it leads to (the page
    /// shown is marked first, so the wait sees the next one).
    pub async fn press(&self, xpath: &str) -> Step<()> {
        self.script("document.documentElement.setAttribute('data-old', '1');")
            .await?;
        self.click(xpath).await?;
        self.find("//html[not(@data-old)]//body").await.map(|_| ())
    }

    /// The value of the form field at `xpath`, as the browser holds it.
    pub async fn value_of(&self, xpath: &str) -> Step<String> {
        Ok(self
            .find(xpath)
            .await?
            .prop("value")
            .await
            .map_err(|e| format!("value of {xpath}: {e}"))?
            .unwrap_or_default())
    }

    /// Waits until the page shows `text`.
    pub async fn sees(&self, text: &str) -> Step<()> {
        let xpath = format!("//*[contains(normalize-space(.), '{text}')]");
        self.find(&xpath).await.map(|_| ())
    }

    pub async fn body_text(&self) -> Step<String> {
        self.find("//body")
            .await?
            .text()
            .await
            .map_err(|e| format!("body text: {e}"))
    }

    pub async fn login(&self, login: &str) -> Step<()> {
        self.goto("/login").await?;
        self.fill(&Lang::Zh.t("auth.login"), login).await?;
        self.fill(&Lang::Zh.t("auth.password"), fenfa::demo::PASSWORD)
            .await?;
        self.click("//form[@action='/login']//button").await?;
        self.find("//form[@action='/logout']").await.map(|_| ())
    }

    /// Signs out through the user menu (a `<details>` in the top bar).
    pub async fn logout(&self) -> Step<()> {
        self.click("//details[contains(@class,'user-menu')]/summary")
            .await?;
        self.click("//form[@action='/logout']//button").await?;
        self.find("//form[@action='/login']").await.map(|_| ())
    }

    /// Resizes the window so that the page's viewport is `width` × `height` CSS pixels
    /// (the window's own frame, if any, is added).
    pub async fn viewport(&self, width: u32, height: u32) -> Step<()> {
        let e = |e: fantoccini::error::CmdError| format!("resize to {width}x{height}: {e}");
        self.browser
            .set_window_size(width, height)
            .await
            .map_err(e)?;
        let inner = self
            .script("return [window.innerWidth, window.innerHeight];")
            .await?;
        let got = |i: usize, asked: u32| {
            inner[i]
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .unwrap_or(asked)
        };
        let (w, h) = (got(0, width), got(1, height));
        if (w, h) != (width, height) {
            self.browser
                .set_window_size(
                    width + width.saturating_sub(w),
                    height + height.saturating_sub(h),
                )
                .await
                .map_err(e)?;
        }
        Ok(())
    }

    /// Runs `js` in the page and returns what it returns.
    pub async fn script(&self, js: &str) -> Step<serde_json::Value> {
        self.browser
            .execute(js, vec![])
            .await
            .map_err(|e| format!("script: {e}"))
    }

    /// Saves a screenshot of the viewport as `target/journeys/NAME.png`.
    pub async fn screenshot(&self, name: &str) -> Step<()> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/journeys");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let png = self
            .browser
            .screenshot()
            .await
            .map_err(|e| format!("screenshot {name}: {e}"))?;
        std::fs::write(dir.join(format!("{name}.png")), png)
            .map_err(|e| format!("write {name}.png: {e}"))
    }

    /// Saves what the browser shows, for the CI log and artifacts.
    async fn dump(&self, why: &str) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/journeys");
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(png) = self.browser.screenshot().await {
            let _ = std::fs::write(dir.join(format!("{}.png", self.name)), png);
        }
        let html = self.browser.source().await.unwrap_or_default();
        let _ = std::fs::write(dir.join(format!("{}.html", self.name)), &html);
        eprintln!(
            "journey {} failed: {why}\nscreenshot and HTML in {}\n--- page HTML ---\n{html}",
            self.name,
            dir.display()
        );
    }

    pub async fn finish(mut self, result: Step<()>) {
        // The last page, then the verdict on every page.
        let result = match result {
            Ok(()) => self.audit_here().await.and_then(|()| {
                let audit = self.audit.lock().expect("audit");
                crate::figures::figure(
                    &format!("axe: {} ({})", self.name, self.app.backend),
                    format!(
                        "{} pages audited (address × language), {} serious or critical violations (goal 0)",
                        audit.seen.len(),
                        audit.violations.len()
                    ),
                );
                if audit.violations.is_empty() {
                    Ok(())
                } else {
                    Err(format!("axe found:\n{}", audit.violations.join("\n")))
                }
            }),
            err => err,
        };
        if let Err(why) = &result {
            self.dump(why).await;
        }
        let _ = self.browser.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        if let Err(why) = result {
            panic!("journey {} failed: {why}", self.name);
        }
    }
}

/// Whether ChromeDriver is here (CI installs it, so there its absence is an error).
pub fn browser_available(name: &str) -> bool {
    if std::path::Path::new(CHROMEDRIVER).exists() {
        return true;
    }
    assert!(
        std::env::var("CI").is_err(),
        "browser journeys need {CHROMEDRIVER} in CI (apt-get install chromium-driver)"
    );
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "NOTE: {CHROMEDRIVER} missing; browser journey {name} SKIPPED"
    );
    false
}

/// Visible i18n keys (an untranslated string shows as its key).
pub fn raw_keys(text: &str) -> Vec<String> {
    const AREAS: &[&str] = &[
        "nav.",
        "common.",
        "forms.",
        "approval.",
        "apps.",
        "auth.",
        "error.",
        "org.",
        "operator.",
        "page.",
        "field.",
        "role.",
        "notifications.",
        "distribution.",
        "appcentre.",
    ];
    text.split_whitespace()
        .filter(|w| {
            AREAS
                .iter()
                .any(|a| w.starts_with(a) && w.len() > a.len() && !w.ends_with('.'))
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_')
        })
        .map(str::to_string)
        .collect()
}
