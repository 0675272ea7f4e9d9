//! In-portal notifications (通知): approval tasks, results and automation messages for one
//! user in one organisation. Other modules create them through [`store::notify`].
#![warn(unreachable_pub)]
pub(crate) mod routes;
pub mod store;

// The face: what other domains may use of this one.
pub use store::{keyed_body, notify, notify_admins};
