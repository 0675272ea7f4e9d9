//! The app centre (应用中心, seed 002 step 4.1): the platform's marketplace where
//! organisations' admins discover providers' apps and install them. Providers come by
//! invitation, onboard as sellers, and take a product from one of their apps through
//! acceptance, co-creation with ten organisations, a two-stage review and a grey release
//! before it opens to everyone; every gate is computed from recorded use.
#![warn(unreachable_pub)]

pub(crate) mod centre;
pub(crate) mod centre_pages;
pub(crate) mod centre_routes;
pub(crate) mod evidence;
pub(crate) mod evidence_routes;
pub(crate) mod feedback;
pub(crate) mod figures;
pub(crate) mod gate;
pub(crate) mod gate_pages;
pub(crate) mod gate_routes;
pub(crate) mod grey;
pub(crate) mod grey_routes;
pub(crate) mod installs;
pub(crate) mod operator_routes;
pub(crate) mod pages;
pub(crate) mod product_form;
pub(crate) mod products;
pub(crate) mod provider_routes;
pub(crate) mod refs;
pub(crate) mod reviews;
pub(crate) mod rules;
pub(crate) mod screenshots;
pub(crate) mod sellers;
pub(crate) mod server_errors;
pub(crate) mod thresholds;

// The face: what the composition root may use of this one.
pub use refs::{ProductRef, accepted_products, product_by_code, product_ref, seller_onboarded};
pub use server_errors::count_server_errors;

/// The app centre's pages, for the route table.
pub fn router() -> crate::web::policy::Routes {
    provider_routes::router()
        .merge(operator_routes::router())
        .merge(gate_routes::router())
        .merge(grey_routes::router())
        .merge(centre_routes::router())
        .merge(evidence_routes::router())
}
