//! Offline quick deploy (线下快速部署, seed 002 step 4.2 and 钉钉快速部署产品主体流程): the
//! operator issues a provider an invitation code; the provider applies with an accepted
//! product of the app centre; approval gives a stable deploy link and a printable QR code.
//! A customer opens it on a phone, signs in or registers, creates a team (a new
//! organisation) or picks one it administers, redeems a serial number when the provider
//! asks for one, authorises the app (an all-or-nothing copy), sets who may use it and
//! starts. The provider sees each deployment in its console and through its API.
#![warn(unreachable_pub)]

pub(crate) mod api_keys;
pub(crate) mod applications;
pub(crate) mod auth_info;
pub(crate) mod codes;
pub(crate) mod complaints;
pub(crate) mod console_pages;
pub(crate) mod console_routes;
pub(crate) mod defects;
pub(crate) mod deploy;
pub(crate) mod deploy_routes;
pub(crate) mod deploy_store;
pub(crate) mod deployed_delivery;
pub(crate) mod deployment_list;
pub(crate) mod events;
pub(crate) mod flow_routes;
pub(crate) mod flow_step;
pub(crate) mod flow_team;
pub(crate) mod form;
pub(crate) mod funnel_figures;
pub(crate) mod funnel_steps;
pub(crate) mod icon;
pub(crate) mod model;
pub(crate) mod operator_routes;
pub(crate) mod pages;
pub(crate) mod provider_link_routes;
pub(crate) mod provider_routes;
pub(crate) mod redeem;
pub(crate) mod serial_list;
pub(crate) mod signup;
pub(crate) mod team;
pub(crate) mod team_apps;
pub(crate) mod team_import;
pub(crate) mod team_join_routes;
pub(crate) mod team_joins;
pub(crate) mod team_pages;
pub(crate) mod team_routes;

// The face: serial numbers are redeemed by one plain function (its race has a test).
pub use redeem::{Redeemed, redeem_listed};

/// Quick deploy's pages and API, for the route table.
pub fn router() -> crate::web::policy::Routes {
    crate::web::policy::Routes::new()
        .merge(provider_routes::router())
        .merge(provider_link_routes::router())
        .merge(operator_routes::router())
        .merge(console_routes::router())
        .merge(auth_info::router())
        .merge(team_routes::router())
        .merge(team_join_routes::router())
        .merge(deploy_routes::router())
        .merge(flow_routes::router())
}

/// The delivery of the "deployed" event to the provider's callback URL, registered with
/// `jobs`.
pub fn deployed_deliverer() -> std::sync::Arc<dyn crate::jobs::JobHandler> {
    std::sync::Arc::new(deployed_delivery::Deliverer)
}
