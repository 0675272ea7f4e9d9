//! The product form (应用中心商品): access information (what the app is, what it needs and
//! stores) and sales information (editions with prices and seats, or free), checked on
//! the server field by field.

use serde::{Deserialize, Serialize};

use crate::tools::money::{parse_yuan, yuan};
use crate::web::Errors;

/// The categories the app centre lists by.
pub(crate) const CATEGORIES: [&str; 7] = [
    "office",
    "crm",
    "hr",
    "finance",
    "inventory",
    "project",
    "industry",
];

/// The permissions a product may ask for (access information).
pub(crate) const PERMISSIONS: [&str; 6] = [
    "contacts_read",
    "profile",
    "app_data",
    "messages",
    "approvals",
    "files",
];

pub(crate) fn category_key(c: &str) -> &'static str {
    match c {
        "office" => "appcentre.category.office",
        "crm" => "appcentre.category.crm",
        "hr" => "appcentre.category.hr",
        "finance" => "appcentre.category.finance",
        "inventory" => "appcentre.category.inventory",
        "project" => "appcentre.category.project",
        _ => "appcentre.category.industry",
    }
}

pub(crate) fn permission_key(p: &str) -> &'static str {
    match p {
        "contacts_read" => "appcentre.perm.contacts_read",
        "profile" => "appcentre.perm.profile",
        "app_data" => "appcentre.perm.app_data",
        "messages" => "appcentre.perm.messages",
        "approvals" => "appcentre.perm.approvals",
        _ => "appcentre.perm.files",
    }
}

/// At most this many editions; one free edition makes the product free.
pub(crate) const EDITIONS_MAX: usize = 4;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct EditionInput {
    pub name: String,
    /// As typed, in 元.
    pub price: String,
    pub seats: String,
}

/// The form as typed (kept when refused) and, once checked, as stored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ProductForm {
    pub app_id: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub homepage_url: String,
    pub permissions: Vec<String>,
    pub data_stored: String,
    pub editions: Vec<EditionInput>,
}

/// A checked edition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Edition {
    pub name: String,
    pub price_fen: i64,
    pub seats: i32,
}

impl ProductForm {
    /// Reads the posted pairs: repeated `permissions`, and `edition_name_N`,
    /// `edition_price_N`, `edition_seats_N` rows (blank rows ignored).
    pub(crate) fn from_pairs(pairs: &[(String, String)]) -> ProductForm {
        let mut f = ProductForm::default();
        let mut rows = vec![EditionInput::default(); EDITIONS_MAX];
        for (k, v) in pairs {
            match k.as_str() {
                "app_id" => f.app_id = v.clone(),
                "name" => f.name = v.clone(),
                "description" => f.description = v.clone(),
                "category" => f.category = v.clone(),
                "homepage_url" => f.homepage_url = v.clone(),
                "permissions" => f.permissions.push(v.clone()),
                "data_stored" => f.data_stored = v.clone(),
                _ => {
                    let Some((field, n)) = k.rsplit_once('_') else {
                        continue;
                    };
                    let Some(row) = n.parse::<usize>().ok().and_then(|n| rows.get_mut(n)) else {
                        continue;
                    };
                    match field {
                        "edition_name" => row.name = v.clone(),
                        "edition_price" => row.price = v.clone(),
                        "edition_seats" => row.seats = v.clone(),
                        _ => {}
                    }
                }
            }
        }
        f.editions = rows;
        f
    }

    /// The edition rows shown by the form: those typed, then blank ones up to the limit.
    pub(crate) fn edition_rows(&self) -> Vec<(usize, EditionInput)> {
        let mut rows: Vec<EditionInput> = self
            .editions
            .iter()
            .filter(|e| !e.is_blank())
            .cloned()
            .collect();
        rows.resize(EDITIONS_MAX, EditionInput::default());
        rows.into_iter().enumerate().collect()
    }

    pub(crate) fn has_permission(&self, p: &str) -> bool {
        self.permissions.iter().any(|x| x == p)
    }

    /// Checks the access information; the errors are keyed by field.
    pub(crate) fn check_access(&self, e: &mut Errors, banned: &[&str]) {
        let name = self.name.trim();
        let n = name.chars().count();
        if !(2..=20).contains(&n) {
            e.add("name", "appcentre.error.name");
        } else if banned_word(name, banned).is_some() {
            e.add("name", "appcentre.error.banned");
        }
        let d = self.description.trim();
        if !(10..=500).contains(&d.chars().count()) {
            e.add("description", "appcentre.error.description");
        } else if banned_word(d, banned).is_some() {
            e.add("description", "appcentre.error.banned");
        }
        if !CATEGORIES.contains(&self.category.as_str()) {
            e.add("category", "appcentre.error.category");
        }
        if !is_web_url(self.homepage_url.trim()) {
            e.add("homepage_url", "appcentre.error.homepage_url");
        }
        if self.permissions.is_empty()
            || self
                .permissions
                .iter()
                .any(|p| !PERMISSIONS.contains(&p.as_str()))
        {
            e.add("permissions", "appcentre.error.permissions");
        }
        if !(4..=300).contains(&self.data_stored.trim().chars().count()) {
            e.add("data_stored", "appcentre.error.data_stored");
        }
    }

    /// Checks the sales information and returns the editions.
    pub(crate) fn check_sales(&self, e: &mut Errors) -> Vec<Edition> {
        let mut out = Vec::new();
        for (i, row) in self.editions.iter().enumerate() {
            if row.is_blank() {
                continue;
            }
            let name = row.name.trim();
            if !(1..=20).contains(&name.chars().count()) {
                e.add(&format!("edition_name_{i}"), "appcentre.error.edition_name");
            }
            let price = parse_yuan(&row.price);
            if price.is_none() {
                e.add(
                    &format!("edition_price_{i}"),
                    "appcentre.error.edition_price",
                );
            }
            let seats = row
                .seats
                .trim()
                .parse::<i32>()
                .ok()
                .filter(|s| (1..=100_000).contains(s));
            if seats.is_none() {
                e.add(
                    &format!("edition_seats_{i}"),
                    "appcentre.error.edition_seats",
                );
            }
            if let (Some(price_fen), Some(seats)) = (price, seats) {
                out.push(Edition {
                    name: name.to_string(),
                    price_fen,
                    seats,
                });
            }
        }
        if self.editions.iter().all(EditionInput::is_blank) {
            e.add("editions", "appcentre.error.editions");
        }
        let mut names: Vec<&str> = out.iter().map(|x| x.name.as_str()).collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            e.add("editions", "appcentre.error.edition_twice");
        }
        out
    }

    /// The form of a stored product, as the edit page shows it.
    pub(crate) fn of_editions(mut self, editions: &[Edition]) -> ProductForm {
        self.editions = editions
            .iter()
            .map(|x| EditionInput {
                name: x.name.clone(),
                price: yuan(x.price_fen),
                seats: x.seats.to_string(),
            })
            .collect();
        self
    }
}

impl EditionInput {
    fn is_blank(&self) -> bool {
        self.name.trim().is_empty() && self.price.trim().is_empty() && self.seats.trim().is_empty()
    }
}

/// The first banned word `text` holds (case-insensitive).
pub(crate) fn banned_word(text: &str, banned: &[&str]) -> Option<String> {
    let lower = text.to_lowercase();
    banned
        .iter()
        .find(|w| !w.is_empty() && lower.contains(&w.to_lowercase()))
        .map(|w| w.to_string())
}

fn is_web_url(s: &str) -> bool {
    s.len() <= 300
        && url::Url::parse(s)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn good() -> Vec<(String, String)> {
        pairs(&[
            ("name", "巡店助手"),
            ("description", "门店巡检、整改与复查，一个应用完成。"),
            ("category", "industry"),
            ("homepage_url", "https://isv.example.com"),
            ("permissions", "contacts_read"),
            ("permissions", "app_data"),
            ("data_stored", "巡检记录与照片"),
            ("edition_name_0", "基础版"),
            ("edition_price_0", "0"),
            ("edition_seats_0", "50"),
            ("edition_name_2", "专业版"),
            ("edition_price_2", "1999.5"),
            ("edition_seats_2", "500"),
        ])
    }

    #[test]
    fn a_complete_form_passes_with_its_editions() {
        let f = ProductForm::from_pairs(&good());
        let mut e = Errors::default();
        f.check_access(&mut e, &["抽奖"]);
        let editions = f.check_sales(&mut e);
        assert!(e.is_empty(), "{:?}", e.pairs());
        assert_eq!(f.permissions, ["contacts_read", "app_data"]);
        assert_eq!(
            editions,
            [
                Edition {
                    name: "基础版".into(),
                    price_fen: 0,
                    seats: 50
                },
                Edition {
                    name: "专业版".into(),
                    price_fen: 199_950,
                    seats: 500
                }
            ]
        );
    }

    #[test]
    fn each_bad_field_is_named() {
        let mut p = pairs(&[
            ("name", "抽奖大师"),
            ("description", "短"),
            ("category", "games"),
            ("homepage_url", "ftp://x"),
            ("permissions", "root"),
            ("data_stored", ""),
            ("edition_name_1", "标准版"),
            ("edition_price_1", "-3"),
            ("edition_seats_1", "0"),
        ]);
        p.push(("unknown_9".into(), "x".into()));
        let f = ProductForm::from_pairs(&p);
        let mut e = Errors::default();
        f.check_access(&mut e, &["抽奖"]);
        f.check_sales(&mut e);
        assert_eq!(e.get("name"), Some("appcentre.error.banned"));
        assert_eq!(e.get("description"), Some("appcentre.error.description"));
        assert_eq!(e.get("category"), Some("appcentre.error.category"));
        assert_eq!(e.get("homepage_url"), Some("appcentre.error.homepage_url"));
        assert_eq!(e.get("permissions"), Some("appcentre.error.permissions"));
        assert_eq!(e.get("data_stored"), Some("appcentre.error.data_stored"));
        assert_eq!(
            e.get("edition_price_1"),
            Some("appcentre.error.edition_price")
        );
        assert_eq!(
            e.get("edition_seats_1"),
            Some("appcentre.error.edition_seats")
        );
    }

    #[test]
    fn a_product_needs_an_edition_and_edition_names_differ() {
        let f = ProductForm::from_pairs(&pairs(&[("name", "x")]));
        let mut e = Errors::default();
        f.check_sales(&mut e);
        assert_eq!(e.get("editions"), Some("appcentre.error.editions"));
        let f = ProductForm::from_pairs(&pairs(&[
            ("edition_name_0", "版"),
            ("edition_price_0", "1"),
            ("edition_seats_0", "1"),
            ("edition_name_1", "版"),
            ("edition_price_1", "2"),
            ("edition_seats_1", "1"),
        ]));
        let mut e = Errors::default();
        f.check_sales(&mut e);
        assert_eq!(e.get("editions"), Some("appcentre.error.edition_twice"));
    }
}
