//! Using apps (表单与流程): members fill in form pages and process forms, approvers act on
//! their tasks, app admins manage the data, and reports and custom pages are read.
pub mod approval;
pub mod approval_store;
pub mod data;
pub mod lookups;
pub mod mine;
pub mod pages;
pub mod report;
pub mod routes;
pub mod self_approval;
pub mod store;
pub mod submission;

// The face: what other domains may use of this one.
pub use submission::{Attachment, Submission, parse_data};
