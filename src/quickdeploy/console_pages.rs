//! The page structs of the provider's serial numbers, deployments, funnel and API key.

use askama::Template;
use askama_web::WebTemplate;

use super::api_keys::KeyInfo;
use super::deployment_list::Deployment;
use super::funnel_figures::FunnelRow;
use super::model::{Application, SerialSource};
use super::serial_list::{GENERATE_MAX, RefusedLine, SerialRow};
use crate::tools::chart::{BarSeries, Bars, bar_chart};
use crate::web::{Errors, Layout, Page};

/// The application a sub-page is about, with the name of the product its link serves.
#[derive(Clone, Debug)]
pub(crate) struct AppHead {
    pub a: Application,
    pub product_name: String,
}

impl AppHead {
    pub(crate) fn base(&self) -> String {
        format!("/provider/quick-deploy/applications/{}", self.a.id)
    }
    /// Which list the serial numbers are (the note above the list says it).
    pub(crate) fn serial_mode_key(&self) -> &'static str {
        match (self.a.verify_serials, self.a.serial_source()) {
            (false, _) => "quickdeploy.serials.mode_off",
            (true, SerialSource::List) => "quickdeploy.serials.mode_list",
            (true, SerialSource::Endpoint) => "quickdeploy.serials.mode_endpoint",
        }
    }
    /// Numbers are added in the console only when the list (not the endpoint) decides.
    pub(crate) fn takes_numbers(&self) -> bool {
        self.a.serial_source() == SerialSource::List
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/serials.html")]
pub(crate) struct SerialsPage {
    pub l: Layout,
    pub h: AppHead,
    pub is_admin: bool,
    pub flagged_only: bool,
    pub page: Page<SerialRow>,
    /// The generate form as typed.
    pub count: String,
    pub errors: Errors,
    /// The refused lines of the last upload (nothing was added).
    pub refused: Vec<RefusedLine>,
}

impl SerialsPage {
    pub(crate) fn list_base(&self) -> String {
        if self.flagged_only {
            format!("{}/serials?flagged=1", self.h.base())
        } else {
            format!("{}/serials", self.h.base())
        }
    }
    pub(crate) fn count_hint(&self) -> String {
        self.l
            .tf("quickdeploy.serials.count_hint", "max", &GENERATE_MAX)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/deployments.html")]
pub(crate) struct DeploymentsPage {
    pub l: Layout,
    pub h: AppHead,
    pub page: Page<Deployment>,
}

impl DeploymentsPage {
    pub(crate) fn list_base(&self) -> String {
        format!("{}/deployments", self.h.base())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/funnel.html")]
pub(crate) struct FunnelPage {
    pub l: Layout,
    pub h: AppHead,
    pub rows: Vec<FunnelRow>,
}

impl FunnelPage {
    /// The funnel in words: "打开 120 人，开始使用 30 人".
    fn summary(&self) -> String {
        let first = self.rows.first().and_then(|r| r.count).unwrap_or(0);
        let last = self.rows.last().and_then(|r| r.count).unwrap_or(0);
        self.l.lang.tf(
            "quickdeploy.funnel.summary",
            &[
                ("opened", &first.to_string()),
                ("started", &last.to_string()),
            ],
        )
    }
    /// One bar per applicable step (a skipped step has no bar).
    pub(crate) fn chart(&self) -> String {
        let shown: Vec<&FunnelRow> = self.rows.iter().filter(|r| !r.skipped()).collect();
        let periods: Vec<String> = shown
            .iter()
            .map(|r| self.l.t(r.step.label_key()).into_owned())
            .collect();
        let values: Vec<i64> = shown.iter().map(|r| r.count.unwrap_or(0)).collect();
        let label = self.l.t("quickdeploy.funnel.visitors");
        bar_chart(&Bars {
            summary: &self.summary(),
            periods: &periods,
            series: &[BarSeries {
                label: &label,
                bar: 0,
                values: &values,
            }],
            empty: &self.l.t("quickdeploy.funnel.empty"),
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "quickdeploy/api_key.html")]
pub(crate) struct ApiKeyPage {
    pub l: Layout,
    pub info: Option<KeyInfo>,
    /// The key just issued, shown this once.
    pub new_key: Option<String>,
    pub api_url: String,
}
