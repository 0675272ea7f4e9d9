//! The app centre (应用中心, seed 002 step 4.1): the platform's marketplace where
//! organisations' admins discover providers' apps and install them. Providers come by
//! invitation, onboard as sellers, and take a product from one of their apps through
//! acceptance, co-creation with ten organisations, a two-stage review and a grey release
//! before it opens to everyone; every gate is computed from recorded use.
#![warn(unreachable_pub)]
// Co-creation, the grey release and the listing, which read the rest, come next.
#![allow(dead_code)]

pub(crate) mod centre;
pub(crate) mod centre_pages;
pub(crate) mod centre_routes;
pub(crate) mod figures;
pub(crate) mod installs;
pub(crate) mod operator_routes;
pub(crate) mod pages;
pub(crate) mod product_form;
pub(crate) mod products;
pub(crate) mod provider_routes;
pub(crate) mod reviews;
pub(crate) mod rules;
pub(crate) mod screenshots;
pub(crate) mod sellers;

// The face: what the composition root may use of this one.

/// The app centre's pages, for the route table.
pub fn router() -> crate::web::policy::Routes {
    provider_routes::router()
        .merge(operator_routes::router())
        .merge(centre_routes::router())
}
