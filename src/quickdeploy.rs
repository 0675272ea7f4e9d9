//! Offline quick deploy (线下快速部署, seed 002 step 4.2 and 钉钉快速部署产品主体流程): the
//! operator issues a provider an invitation code; the provider applies with an accepted
//! product of the app centre; approval gives a stable deploy link and a printable QR code.
//! A customer opens it on a phone, signs in or registers, creates a team (a new
//! organisation) or picks one it administers, redeems a serial number when the provider
//! asks for one, authorises the app (an all-or-nothing copy), sets who may use it and
//! starts. The provider sees each deployment in its console and through its API.
#![warn(unreachable_pub)]

pub(crate) mod deploy;
pub(crate) mod deploy_routes;
pub(crate) mod deploy_store;
pub(crate) mod events;
pub(crate) mod flow_routes;
// Shared with the provider's and operator's sides, whose pages read the rest of them.
#[allow(dead_code)]
pub(crate) mod funnel_steps;
#[allow(dead_code)]
pub(crate) mod model;
pub(crate) mod redeem;

// The face: serial numbers are redeemed by one plain function (its race has a test).
pub use redeem::{Redeemed, redeem_listed};

/// Quick deploy's pages and API, for the route table.
pub fn router() -> crate::web::policy::Routes {
    crate::web::policy::Routes::new()
        .merge(deploy_routes::router())
        .merge(flow_routes::router())
}
