//! Using apps (表单与流程): members fill in form pages and process forms, approvers act on
//! their tasks, app admins manage the data, and reports and custom pages are read.
#![warn(unreachable_pub)]
pub(crate) mod approval;
pub(crate) mod approval_store;
pub(crate) mod data;
pub(crate) mod lookups;
pub(crate) mod mine;
pub(crate) mod pages;
pub(crate) mod report;
pub(crate) mod routes;
pub(crate) mod self_approval;
pub(crate) mod store;
pub(crate) mod submission;

// The face: what other domains may use of this one.
pub use submission::{Attachment, Submission, parse_data};
