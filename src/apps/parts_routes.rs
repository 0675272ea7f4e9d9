//! Handlers for an app's connectors, notification templates, automations and custom
//! components: a form page for new and existing ones, save, delete. One module per kind.

mod automations;
mod components;
mod connectors;
mod templates;

use crate::web::policy::Routes;

pub fn router() -> Routes {
    Routes::new()
        .merge(connectors::router())
        .merge(templates::router())
        .merge(automations::router())
        .merge(components::router())
}
