//! The quick-deploy application as stored (ISV线下快速部署申请表 and, once approved, its
//! deploy link), the choices its form offers, and the one function that says whether a
//! link takes deployments now. Shared by the provider's, the operator's and the
//! customer's sides.

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::qd_applications as a;
use crate::error::{AppError, AppResult};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = a)]
pub(crate) struct Application {
    pub id: i64,
    pub provider_org_id: i64,
    pub product_id: i64,
    pub invite_code_id: i64,
    pub provider_name: String,
    pub product_code: String,
    pub reason: String,
    pub scenario: String,
    pub onsite_staff: bool,
    pub qr_sharing: String,
    pub directory_method: String,
    pub verify_serials: bool,
    pub serial_source: String,
    pub verify_url: String,
    pub verify_secret: String,
    pub callback_url: String,
    pub icon_key: String,
    pub status: String,
    pub decision_reason: String,
    pub submitted_at: i64,
    pub decided_at: Option<i64>,
    pub link_token: Option<String>,
    pub link_product_id: Option<i64>,
    pub link_paused: bool,
    pub link_suspended: bool,
    pub link_note: String,
}

impl Application {
    pub(crate) fn status(&self) -> ApplicationStatus {
        ApplicationStatus::parse(&self.status)
    }
    pub(crate) fn directory(&self) -> DirectoryMethod {
        DirectoryMethod::parse(&self.directory_method).unwrap_or(DirectoryMethod::AdminFile)
    }
    pub(crate) fn serial_source(&self) -> SerialSource {
        SerialSource::parse(&self.serial_source).unwrap_or(SerialSource::List)
    }
    /// What the deploy link does now (one status, derived here only).
    pub(crate) fn link_state(&self) -> LinkState {
        match (self.status(), &self.link_token) {
            (ApplicationStatus::Approved, Some(_)) if self.link_suspended => LinkState::Suspended,
            (ApplicationStatus::Approved, Some(_)) if self.link_paused => LinkState::Paused,
            (ApplicationStatus::Approved, Some(_)) => LinkState::Live,
            _ => LinkState::None,
        }
    }
    /// The product the link points at now (re-targeted or the one applied for).
    pub(crate) fn target_product(&self) -> i64 {
        self.link_product_id.unwrap_or(self.product_id)
    }
}

/// An application's review status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ApplicationStatus {
    Pending,
    Approved,
    Rejected,
}

impl ApplicationStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Pending => "pending",
            ApplicationStatus::Approved => "approved",
            ApplicationStatus::Rejected => "rejected",
        }
    }
    pub(crate) fn parse(s: &str) -> ApplicationStatus {
        match s {
            "approved" => ApplicationStatus::Approved,
            "rejected" => ApplicationStatus::Rejected,
            _ => ApplicationStatus::Pending,
        }
    }
    pub(crate) fn label_key(self) -> &'static str {
        match self {
            ApplicationStatus::Pending => "quickdeploy.status.pending",
            ApplicationStatus::Approved => "quickdeploy.status.approved",
            ApplicationStatus::Rejected => "quickdeploy.status.rejected",
        }
    }
    /// The badge's colour family.
    pub(crate) fn tone(self) -> &'static str {
        match self {
            ApplicationStatus::Pending => "warn",
            ApplicationStatus::Approved => "ok",
            ApplicationStatus::Rejected => "bad",
        }
    }
}

/// 通讯录导入方式: how the customer's directory is kept; it decides the team the customer
/// is offered (seed: 1人团队 for a directory imported later, 多人团队 entered on the phone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DirectoryMethod {
    /// The team's admin imports a file (a one-person team that grows by import).
    AdminFile,
    /// The team is created on the phone with its people (a team of six or more).
    PhoneTeam,
    /// The provider's own system imports the people through the API (a one-person team).
    ProviderApi,
}

impl DirectoryMethod {
    pub(crate) const ALL: [DirectoryMethod; 3] = [
        DirectoryMethod::AdminFile,
        DirectoryMethod::PhoneTeam,
        DirectoryMethod::ProviderApi,
    ];
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            DirectoryMethod::AdminFile => "admin_file",
            DirectoryMethod::PhoneTeam => "phone_team",
            DirectoryMethod::ProviderApi => "provider_api",
        }
    }
    pub(crate) fn parse(s: &str) -> Option<DirectoryMethod> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
    pub(crate) fn label_key(self) -> &'static str {
        match self {
            DirectoryMethod::AdminFile => "quickdeploy.directory.admin_file",
            DirectoryMethod::PhoneTeam => "quickdeploy.directory.phone_team",
            DirectoryMethod::ProviderApi => "quickdeploy.directory.provider_api",
        }
    }
}

/// Where serial numbers are verified when verification is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SerialSource {
    /// A list the provider generated or uploaded in its console.
    List,
    /// The provider's verification endpoint, called synchronously and signed.
    Endpoint,
}

impl SerialSource {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SerialSource::List => "list",
            SerialSource::Endpoint => "endpoint",
        }
    }
    pub(crate) fn parse(s: &str) -> Option<SerialSource> {
        match s {
            "list" => Some(SerialSource::List),
            "endpoint" => Some(SerialSource::Endpoint),
            _ => None,
        }
    }
}

/// What a deploy link does now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LinkState {
    /// No link (the application is not approved).
    None,
    Live,
    /// Paused by the provider or the operator: the guide page says so, nothing deploys.
    Paused,
    /// New deployments suspended by the operator (a severe defect).
    Suspended,
}

impl LinkState {
    pub(crate) fn label_key(self) -> &'static str {
        match self {
            LinkState::None => "quickdeploy.link.none",
            LinkState::Live => "quickdeploy.link.live",
            LinkState::Paused => "quickdeploy.link.paused",
            LinkState::Suspended => "quickdeploy.link.suspended",
        }
    }
    pub(crate) fn tone(self) -> &'static str {
        match self {
            LinkState::None => "muted",
            LinkState::Live => "ok",
            LinkState::Paused => "warn",
            LinkState::Suspended => "bad",
        }
    }
}

/// How far a deployment went: its one status, from its timestamps, wherever it is shown
/// (the provider's deployments tab and the team's own page).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reached {
    /// The team exists; the app is not authorised yet.
    TeamCreated,
    /// The serial number was accepted; the app is not authorised yet.
    SerialAccepted,
    /// Copied into the team; who may use it is not set yet.
    Authorised,
    /// Usage scope set, not started yet.
    ScopeSet,
    /// 开始使用: on the workbench.
    Started,
}

impl Reached {
    pub(crate) fn of(
        serial_at: Option<i64>,
        authorised_at: Option<i64>,
        scoped_at: Option<i64>,
        started_at: Option<i64>,
    ) -> Reached {
        if started_at.is_some() {
            Reached::Started
        } else if scoped_at.is_some() {
            Reached::ScopeSet
        } else if authorised_at.is_some() {
            Reached::Authorised
        } else if serial_at.is_some() {
            Reached::SerialAccepted
        } else {
            Reached::TeamCreated
        }
    }
    pub(crate) fn label_key(self) -> &'static str {
        match self {
            Reached::TeamCreated => "quickdeploy.stage.team_created",
            Reached::SerialAccepted => "quickdeploy.stage.serial_accepted",
            Reached::Authorised => "quickdeploy.stage.authorised",
            Reached::ScopeSet => "quickdeploy.stage.scoped",
            Reached::Started => "quickdeploy.stage.started",
        }
    }
    pub(crate) fn tone(self) -> &'static str {
        match self {
            Reached::Started => "ok",
            Reached::Authorised | Reached::ScopeSet => "info",
            Reached::TeamCreated | Reached::SerialAccepted => "warn",
        }
    }
}

pub(crate) fn find(conn: &mut Conn, id: i64) -> AppResult<Application> {
    a::table
        .find(id)
        .select(Application::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// An application of `provider` (another provider's looks missing).
pub(crate) fn find_own(conn: &mut Conn, provider: i64, id: i64) -> AppResult<Application> {
    let x = find(conn, id)?;
    if x.provider_org_id != provider {
        return Err(AppError::NotFound);
    }
    Ok(x)
}

/// The approved application behind a deploy link's token (unknown: `NotFound`).
pub(crate) fn by_token(conn: &mut Conn, token: &str) -> AppResult<Application> {
    a::table
        .filter(a::link_token.eq(token))
        .select(Application::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The stable address printed in the QR code.
pub(crate) fn link_url(public_base: &str, token: &str) -> String {
    format!("{}/qd/{token}", public_base.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deployment_has_one_status_the_furthest_step_it_reached() {
        use Reached::*;
        assert_eq!(Reached::of(None, None, None, None), TeamCreated);
        assert_eq!(Reached::of(Some(1), None, None, None), SerialAccepted);
        assert_eq!(Reached::of(Some(1), Some(2), None, None), Authorised);
        // Without a serial step (not verified), authorising still counts.
        assert_eq!(Reached::of(None, Some(1), None, None), Authorised);
        assert_eq!(Reached::of(Some(1), Some(2), Some(3), None), ScopeSet);
        assert_eq!(Reached::of(None, Some(2), Some(3), Some(4)), Started);
    }
}
