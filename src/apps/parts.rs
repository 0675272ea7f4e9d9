//! The parts of an app beside its pages: connectors (连接器), notification templates
//! (通知模板), automations (集成自动化) and custom components (自定义组件), with their rules.

use diesel::prelude::*;

use crate::db::schema::{automations, components, connectors, notification_templates};

/// How a connector authenticates at its endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AuthKind {
    None,
    Basic,
    ApiKey,
    OAuth2,
}

impl AuthKind {
    pub(crate) const ALL: [AuthKind; 4] = [
        AuthKind::None,
        AuthKind::Basic,
        AuthKind::ApiKey,
        AuthKind::OAuth2,
    ];
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            AuthKind::None => "none",
            AuthKind::Basic => "basic",
            AuthKind::ApiKey => "api_key",
            AuthKind::OAuth2 => "oauth2",
        }
    }
    pub(crate) fn parse(s: &str) -> Option<AuthKind> {
        AuthKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub(crate) fn label_key(self) -> &'static str {
        match self {
            AuthKind::None => "apps.connector.auth_none",
            AuthKind::Basic => "apps.connector.auth_basic",
            AuthKind::ApiKey => "apps.connector.auth_api_key",
            AuthKind::OAuth2 => "apps.connector.auth_oauth2",
        }
    }
}

/// A connector endpoint: an absolute URL, and https only (credentials travel with it).
pub(crate) fn parse_endpoint(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("apps.error.url_required");
    }
    let url = url::Url::parse(s).map_err(|_| "apps.error.url_invalid")?;
    if url.scheme() != "https" {
        return Err("apps.error.https_required");
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("apps.error.url_invalid");
    }
    Ok(url.to_string())
}

/// Text of a notification template's title (1–100 characters) or body (1–2000).
pub(crate) fn parse_text(raw: &str, max: usize) -> Result<String, &'static str> {
    let s = raw.trim();
    let n = s.chars().count();
    if n == 0 {
        Err("apps.error.text_required")
    } else if n > max {
        Err("apps.error.text_too_long")
    } else {
        Ok(s.to_string())
    }
}

/// The one automation action for now: send a notification built from a template.
pub(crate) const ACTION_NOTIFY: &str = "notify";

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = connectors)]
pub struct Connector {
    pub id: i64,
    pub org_id: i64,
    pub app_id: i64,
    pub name: String,
    pub endpoint_url: String,
    pub auth_kind: String,
    pub created_at: i64,
}

impl Connector {
    pub fn auth_label_key(&self) -> &'static str {
        AuthKind::parse(&self.auth_kind)
            .unwrap_or(AuthKind::None)
            .label_key()
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = notification_templates)]
pub struct NotificationTemplate {
    pub id: i64,
    pub org_id: i64,
    pub app_id: i64,
    pub name: String,
    pub title: String,
    pub body: String,
    pub created_at: i64,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = automations)]
pub struct Automation {
    pub id: i64,
    pub org_id: i64,
    pub app_id: i64,
    pub name: String,
    pub form_id: i64,
    pub action: String,
    pub template_id: Option<i64>,
    pub connector_id: Option<i64>,
    pub recipient_id: Option<i64>,
    pub enabled: bool,
    pub created_at: i64,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = components)]
pub struct Component {
    pub id: i64,
    pub org_id: i64,
    pub app_id: i64,
    pub name: String,
    pub description: String,
    pub markup: String,
    pub created_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connector_endpoint_must_be_an_https_url() {
        assert_eq!(
            parse_endpoint(" https://api.example.com/hook "),
            Ok("https://api.example.com/hook".into())
        );
        assert_eq!(
            parse_endpoint("http://api.example.com/"),
            Err("apps.error.https_required")
        );
        assert_eq!(parse_endpoint("not a url"), Err("apps.error.url_invalid"));
        assert_eq!(parse_endpoint(""), Err("apps.error.url_required"));
    }
}
