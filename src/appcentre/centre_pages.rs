//! The pages organisations see of the app centre: the listing, a product, the purchase
//! confirmation, the installed products and uninstalling; and the provider's orders.

use askama::Template;
use askama_web::WebTemplate;

use super::centre::{Card, Detail, Listing, Query};
use super::installs::{Fate, InstallRow, OrderRow};
use super::product_form::{CATEGORIES, category_key, permission_key};
use super::products::{EditionRow, Product};
use crate::web::{Layout, Page};

/// 应用中心: the products shown to the organisation, by category, with search.
#[derive(Template, WebTemplate)]
#[template(path = "appcentre/centre.html")]
pub(crate) struct CentrePage {
    pub l: Layout,
    pub listing: Listing,
    pub query: Query,
}

impl CentrePage {
    pub(crate) fn categories(&self) -> &'static [&'static str] {
        &CATEGORIES
    }
    pub(crate) fn category_key(&self, c: &str) -> &'static str {
        category_key(c)
    }
    pub(crate) fn is_category(&self, c: &str) -> bool {
        self.query.category.as_deref() == Some(c)
    }
    fn href(&self, category: Option<&str>) -> String {
        let mut s = String::from("/app-centre?");
        if let Some(c) = category {
            s.push_str("category=");
            s.push_str(c);
            s.push('&');
        }
        s.push_str("q=");
        s.push_str(
            &url::form_urlencoded::byte_serialize(self.query.q.trim().as_bytes())
                .collect::<String>(),
        );
        s
    }
    /// A category tab keeps the search.
    pub(crate) fn tab_href(&self, c: &str) -> String {
        self.href(Some(c))
    }
    pub(crate) fn all_href(&self) -> String {
        self.href(None)
    }
    pub(crate) fn prev_href(&self) -> Option<String> {
        self.listing.prev.map(|n| {
            format!(
                "{}&before={}",
                self.href(self.query.category.as_deref()),
                n.encode()
            )
        })
    }
    pub(crate) fn next_href(&self) -> Option<String> {
        self.listing.next.map(|n| {
            format!(
                "{}&after={}",
                self.href(self.query.category.as_deref()),
                n.encode()
            )
        })
    }
    pub(crate) fn card_category(&self, c: &Card) -> &'static str {
        category_key(&c.p.category)
    }
}

/// A product as an organisation sees it, with the install buttons for its admins.
#[derive(Template, WebTemplate)]
#[template(path = "appcentre/centre_product.html")]
pub(crate) struct CentreProductPage {
    pub l: Layout,
    pub d: Detail,
}

impl CentreProductPage {
    pub(crate) fn category_key(&self) -> &'static str {
        category_key(&self.d.p.category)
    }
    pub(crate) fn permission_key(&self, p: &&str) -> &'static str {
        permission_key(p)
    }
    /// Whether the install buttons are offered (admins, not the provider itself, not
    /// installed yet, nothing lacking).
    pub(crate) fn may_install(&self) -> bool {
        self.l.is_admin()
            && self.d.installed.is_none()
            && self.d.lacking.is_empty()
            && !self.is_own()
    }
    pub(crate) fn is_own(&self) -> bool {
        self.l
            .org
            .as_ref()
            .is_some_and(|o| o.org_id == self.d.p.provider_org_id)
    }
}

/// 确认购买: a paid edition's purchase before the install.
#[derive(Template, WebTemplate)]
#[template(path = "appcentre/install_confirm.html")]
pub(crate) struct ConfirmPage {
    pub l: Layout,
    pub p: Product,
    pub provider: String,
    pub edition: EditionRow,
}

/// 已安装的应用: the organisation's live installs.
#[derive(Template, WebTemplate)]
#[template(path = "appcentre/installed.html")]
pub(crate) struct InstalledPage {
    pub l: Layout,
    pub page: Page<InstallRow>,
}

impl InstalledPage {
    pub(crate) fn phase_key(&self, r: &InstallRow) -> &'static str {
        phase_key(&r.phase)
    }
}

pub(crate) fn phase_key(phase: &str) -> &'static str {
    match phase {
        "cocreation" => "appcentre.phase.cocreation",
        "grey" => "appcentre.phase.grey",
        _ => "appcentre.phase.open",
    }
}

/// 卸载: what becomes of the data, then the confirmation.
#[derive(Template, WebTemplate)]
#[template(path = "appcentre/uninstall.html")]
pub(crate) struct UninstallPage {
    pub l: Layout,
    pub row: InstallRow,
    pub app_name: Option<String>,
    /// Chosen and waiting for the confirmation.
    pub fate: Option<Fate>,
    /// Form pages whose data can be exported (id, name).
    pub exports: Vec<(i64, String)>,
    pub error: Option<&'static str>,
}

impl UninstallPage {
    pub(crate) fn fates(&self) -> [Fate; 3] {
        Fate::ALL
    }
    pub(crate) fn is_export(&self) -> bool {
        self.fate == Some(Fate::Export)
    }
}

/// 应用中心订单: the provider's purchases through the app centre.
#[derive(Template, WebTemplate)]
#[template(path = "appcentre/provider_orders.html")]
pub(crate) struct ProviderOrdersPage {
    pub l: Layout,
    pub page: Page<OrderRow>,
}
