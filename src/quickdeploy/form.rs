//! ISV线下快速部署申请表: the form as typed, and its rules. The rules that need nothing but
//! the text are plain functions here; the ones that look things up (the organisation's
//! name, the product code, the invitation code) are checked by `applications::check`.

use std::collections::HashMap;

use super::model::{Application, DirectoryMethod, SerialSource};
use crate::error::AppResult;
use crate::web::Errors;

/// The form as typed (every field kept to show again).
#[derive(Clone, Debug, Default)]
pub(crate) struct AppForm {
    pub provider_name: String,
    pub product_code: String,
    pub invite_code: String,
    pub reason: String,
    pub scenario: String,
    /// "yes" / "no" / "" (not chosen).
    pub onsite_staff: String,
    pub qr_sharing: String,
    pub directory_method: String,
    pub verify_serials: String,
    pub serial_source: String,
    pub verify_url: String,
    pub callback_url: String,
    /// Ticked: Fenfa applies the rounded mask to the icon.
    pub apply_mask: bool,
}

/// Reasons, scenarios and the QR-sharing note: long enough to say something, short enough
/// to read.
pub(crate) const TEXT_MIN: usize = 4;
pub(crate) const TEXT_MAX: usize = 1000;

impl AppForm {
    pub(crate) fn from_texts(t: &HashMap<String, String>) -> AppForm {
        let g = |k: &str| t.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
        AppForm {
            provider_name: g("provider_name"),
            product_code: g("product_code"),
            invite_code: g("invite_code"),
            reason: g("reason"),
            scenario: g("scenario"),
            onsite_staff: g("onsite_staff"),
            qr_sharing: g("qr_sharing"),
            directory_method: g("directory_method"),
            verify_serials: g("verify_serials"),
            serial_source: g("serial_source"),
            verify_url: g("verify_url"),
            callback_url: g("callback_url"),
            apply_mask: t.contains_key("apply_mask"),
        }
    }

    /// The stored application as a form (editing a rejected one).
    pub(crate) fn of(a: &Application, code: &str) -> AppForm {
        let yn = |b: bool| if b { "yes" } else { "no" }.to_string();
        AppForm {
            provider_name: a.provider_name.clone(),
            product_code: a.product_code.clone(),
            invite_code: code.to_string(),
            reason: a.reason.clone(),
            scenario: a.scenario.clone(),
            onsite_staff: yn(a.onsite_staff),
            qr_sharing: a.qr_sharing.clone(),
            directory_method: a.directory_method.clone(),
            verify_serials: yn(a.verify_serials),
            serial_source: a.serial_source.clone(),
            verify_url: a.verify_url.clone(),
            callback_url: a.callback_url.clone(),
            apply_mask: false,
        }
    }

    /// The rules on the text alone; the values to store when they pass.
    pub(crate) fn check_text(&self, e: &mut Errors) -> Option<Checked> {
        if self.provider_name.is_empty() {
            e.add("provider_name", "quickdeploy.error.provider_name_required");
        }
        let code_len = self.product_code.chars().count();
        if code_len == 0 {
            e.add("product_code", "quickdeploy.error.product_code_required");
        } else if code_len != 10 {
            e.add("product_code", "quickdeploy.error.product_code_length");
        }
        if let Err(k) = text(&self.reason) {
            e.add("reason", k);
        }
        if let Err(k) = text(&self.scenario) {
            e.add("scenario", k);
        }
        let onsite = yes_no(&self.onsite_staff);
        match onsite {
            None => e.add("onsite_staff", "quickdeploy.error.choose"),
            Some(false) => {
                if let Err(k) = text(&self.qr_sharing) {
                    e.add(
                        "qr_sharing",
                        if self.qr_sharing.is_empty() {
                            "quickdeploy.error.qr_sharing_required"
                        } else {
                            k
                        },
                    );
                }
            }
            Some(true) => {}
        }
        let method = DirectoryMethod::parse(&self.directory_method);
        if method.is_none() {
            e.add("directory_method", "quickdeploy.error.choose");
        }
        let verify = yes_no(&self.verify_serials);
        let mut source = SerialSource::List;
        match verify {
            None => e.add("verify_serials", "quickdeploy.error.choose"),
            Some(false) => {}
            Some(true) => match SerialSource::parse(&self.serial_source) {
                None => e.add("serial_source", "quickdeploy.error.choose"),
                Some(s) => {
                    source = s;
                    if s == SerialSource::Endpoint {
                        if self.verify_url.is_empty() {
                            e.add("verify_url", "quickdeploy.error.verify_url_required");
                        } else if let Err(k) = check_url(&self.verify_url) {
                            e.add("verify_url", k);
                        }
                    }
                }
            },
        }
        if !self.callback_url.is_empty()
            && let Err(k) = check_url(&self.callback_url)
        {
            e.add("callback_url", k);
        }
        let (Some(onsite), Some(method), Some(verify)) = (onsite, method, verify) else {
            return None;
        };
        Some(Checked {
            onsite_staff: onsite,
            qr_sharing: if onsite {
                String::new()
            } else {
                self.qr_sharing.clone()
            },
            directory_method: method,
            verify_serials: verify,
            serial_source: source,
            verify_url: if verify && source == SerialSource::Endpoint {
                self.verify_url.clone()
            } else {
                String::new()
            },
        })
    }
}

/// The typed values that became choices.
#[derive(Clone, Debug)]
pub(crate) struct Checked {
    pub onsite_staff: bool,
    pub qr_sharing: String,
    pub directory_method: DirectoryMethod,
    pub verify_serials: bool,
    pub serial_source: SerialSource,
    pub verify_url: String,
}

fn yes_no(s: &str) -> Option<bool> {
    match s {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

fn text(s: &str) -> Result<(), &'static str> {
    let n = s.chars().count();
    if n == 0 {
        Err("quickdeploy.error.text_required")
    } else if n < TEXT_MIN {
        Err("quickdeploy.error.text_short")
    } else if n > TEXT_MAX {
        Err("quickdeploy.error.text_long")
    } else {
        Ok(())
    }
}

/// The provider's endpoints (serial verification, deployment events): https, or plain
/// http to a loopback host only (a receiver on the same machine, as in tests); never
/// with credentials in the URL.
pub(crate) fn check_url(u: &str) -> Result<(), &'static str> {
    let Ok(p) = url::Url::parse(u) else {
        return Err("quickdeploy.error.url");
    };
    if !p.username().is_empty() || p.password().is_some() {
        return Err("quickdeploy.error.url");
    }
    let loopback = match p.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err("quickdeploy.error.url"),
    };
    match p.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err("quickdeploy.error.url_https"),
    }
}

/// The uploaded file's text (the multipart field `file`): the serial-number list and the
/// directory import read it the same way.
pub(crate) async fn uploaded_text(mp: axum::extract::Multipart) -> AppResult<String> {
    let texts = crate::web::input::multipart_texts(mp, &["file"]).await?;
    Ok(texts.into_iter().last().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> HashMap<String, String> {
        [
            ("provider_name", "云帆服务商"),
            ("product_code", "cmd0000001"),
            ("invite_code", "ABCDEFGHJKMN"),
            ("reason", "线下推广，客户现场扫码开通"),
            ("scenario", "制造业工厂的设备巡检"),
            ("onsite_staff", "yes"),
            ("directory_method", "phone_team"),
            ("verify_serials", "no"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn errors(t: &HashMap<String, String>) -> Vec<(String, &'static str)> {
        let mut e = Errors::default();
        AppForm::from_texts(t).check_text(&mut e);
        e.pairs()
    }

    #[test]
    fn a_complete_form_passes_the_text_rules() {
        assert!(errors(&full()).is_empty());
    }

    #[test]
    fn no_onsite_staff_needs_how_the_qr_code_is_shared() {
        let mut t = full();
        t.insert("onsite_staff".into(), "no".into());
        assert_eq!(
            errors(&t),
            vec![(
                "qr_sharing".to_string(),
                "quickdeploy.error.qr_sharing_required"
            )]
        );
        t.insert("qr_sharing".into(), "发到客户的微信群".into());
        assert!(errors(&t).is_empty());
    }

    #[test]
    fn verifying_through_the_endpoint_needs_its_url() {
        let mut t = full();
        t.insert("verify_serials".into(), "yes".into());
        t.insert("serial_source".into(), "endpoint".into());
        assert_eq!(errors(&t)[0].0, "verify_url");
        t.insert("verify_url".into(), "http://isv.example.com/verify".into());
        assert_eq!(errors(&t)[0].1, "quickdeploy.error.url_https");
        t.insert("verify_url".into(), "https://isv.example.com/verify".into());
        assert!(errors(&t).is_empty());
    }

    #[test]
    fn endpoints_are_https_or_loopback_http() {
        assert_eq!(check_url("https://isv.example.com/cb"), Ok(()));
        assert_eq!(check_url("http://127.0.0.1:8080/cb"), Ok(()));
        assert_eq!(check_url("http://localhost/cb"), Ok(()));
        assert_eq!(check_url("http://[::1]:9/cb"), Ok(()));
        assert!(check_url("http://10.0.0.1/cb").is_err());
        assert!(check_url("ftp://isv.example.com/").is_err());
        assert!(check_url("https://user:pw@isv.example.com/").is_err());
        assert!(check_url("not a url").is_err());
    }

    #[test]
    fn every_field_has_its_message() {
        let t: HashMap<String, String> = [("product_code", "cmd1")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let fields: Vec<String> = errors(&t).into_iter().map(|(k, _)| k).collect();
        for f in [
            "provider_name",
            "product_code",
            "reason",
            "scenario",
            "onsite_staff",
            "directory_method",
            "verify_serials",
        ] {
            assert!(fields.iter().any(|x| x == f), "{f} in {fields:?}");
        }
    }
}
