//! Projects (项目, seed 000 step 1): the contract frame under which a certified provider
//! distributes apps to one customer organisation. This file holds the domain values a
//! project form becomes and the rules about projects, free of the web and the database.

mod closing;
pub(crate) mod gate;
pub(crate) mod pages;
pub(crate) mod review;
pub(crate) mod review_store;
pub(crate) mod routes;
pub(crate) mod store;

use std::collections::HashMap;

use crate::auth::{MembershipView, OrgScope, Perm};
use crate::org::CorpId;
use crate::storage::{FileKind, image_decodes, pdf_looks_whole};
use crate::web::Errors;

pub(crate) use closing::{
    ACCEPTANCE_RESULTS, Closing, ClosingForm, acceptance_label, parse_closing,
};

/// Where a project stands. There is no "edit": a submitted project is changed by creating
/// a new one (seed 000 FAQ).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProjectStatus {
    Pending,
    Approved,
    Rejected,
    Withdrawn,
    Closed,
}

impl ProjectStatus {
    pub(crate) const ALL: [ProjectStatus; 5] = [
        ProjectStatus::Pending,
        ProjectStatus::Approved,
        ProjectStatus::Rejected,
        ProjectStatus::Withdrawn,
        ProjectStatus::Closed,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ProjectStatus::Pending => "pending",
            ProjectStatus::Approved => "approved",
            ProjectStatus::Rejected => "rejected",
            ProjectStatus::Withdrawn => "withdrawn",
            ProjectStatus::Closed => "closed",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<ProjectStatus> {
        ProjectStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub(crate) fn label_key(self) -> &'static str {
        match self {
            ProjectStatus::Pending => "distribution.status.pending",
            ProjectStatus::Approved => "distribution.status.approved",
            ProjectStatus::Rejected => "distribution.status.rejected",
            ProjectStatus::Withdrawn => "distribution.status.withdrawn",
            ProjectStatus::Closed => "distribution.status.closed",
        }
    }

    /// Only approved projects that are not closed issue distribution links (and only
    /// their links can be used to purchase).
    pub(crate) fn issues_links(self) -> bool {
        self == ProjectStatus::Approved
    }
}

/// Label key of a stored status string.
pub(crate) fn status_label(s: &str) -> &'static str {
    ProjectStatus::parse(s)
        .unwrap_or(ProjectStatus::Pending)
        .label_key()
}

/// What the caller is on the provider side: an admin (main/platform admin, or sub-admin
/// with the provider point) creates projects; a developer (app-building rights) sees the
/// list and gets links.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProviderRole {
    Admin,
    Developer,
}

pub(crate) fn provider_role(scope: &OrgScope) -> Option<ProviderRole> {
    if scope.has_perm(Perm::Provider) {
        Some(ProviderRole::Admin)
    } else if scope.can_build_apps() {
        Some(ProviderRole::Developer)
    } else {
        None
    }
}

/// Only organisations the operator certified as intermediate or advanced providers may
/// distribute (seed 001: 仅针对宜搭中级认证服务商开放).
pub(crate) fn is_certified_provider(certified: bool, provider_level: &str) -> bool {
    certified && matches!(provider_level, "intermediate" | "advanced")
}

pub(crate) fn membership_is_certified_provider(m: &MembershipView) -> bool {
    is_certified_provider(m.certified, &m.provider_level)
}

/// A contract amount in cents: positive, at most two decimals, at most 10^12 yuan.
pub(crate) fn parse_amount(raw: &str) -> Result<i64, &'static str> {
    let s = raw.trim().replace([',', '，'], "");
    if s.is_empty() {
        return Err("distribution.project.error.amount_required");
    }
    let bad = "distribution.project.error.amount";
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s.as_str(), ""),
    };
    if int.is_empty()
        || int.len() > 12
        || frac.len() > 2
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || (s.contains('.') && frac.is_empty())
    {
        return Err(bad);
    }
    let yuan: i64 = int.parse().map_err(|_| bad)?;
    let cents: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| bad)? * 10,
        _ => frac.parse().map_err(|_| bad)?,
    };
    let total = yuan
        .checked_mul(100)
        .and_then(|y| y.checked_add(cents))
        .ok_or(bad)?;
    if total <= 0 {
        return Err("distribution.project.error.amount_positive");
    }
    Ok(total)
}

/// Cents shown as yuan with two decimals.
pub(crate) fn format_cents(cents: i64) -> String {
    // Without `format!`: the project list formats one per row.
    let frac = (cents % 100).unsigned_abs() as u8;
    let mut s = (cents / 100).to_string();
    s.push('.');
    s.push(char::from(b'0' + frac / 10));
    s.push(char::from(b'0' + frac % 10));
    s
}

fn text_between(raw: &str, min: usize, max: usize) -> Option<String> {
    let s = raw.trim();
    let n = s.chars().count();
    (min..=max).contains(&n).then(|| s.to_string())
}

/// The contract file (or a quotation in its place): a PDF, PNG or JPEG judged by its
/// content, never by its name; images must decode; at most `max` bytes.
pub(crate) fn check_contract_file(bytes: &[u8], max: usize) -> Result<FileKind, &'static str> {
    if bytes.is_empty() {
        return Err("distribution.project.error.file_required");
    }
    if bytes.len() > max {
        return Err("distribution.project.error.file_too_large");
    }
    let kind = FileKind::sniff(bytes);
    let ok = match kind {
        FileKind::Pdf => pdf_looks_whole(bytes),
        FileKind::Png | FileKind::Jpeg => image_decodes(bytes),
        _ => false,
    };
    if ok {
        Ok(kind)
    } else {
        Err("distribution.project.error.file_type")
    }
}

/// The typed values of the "new project" form, kept for a re-render.
#[derive(Clone, Debug, Default)]
pub(crate) struct ProjectForm {
    pub name: String,
    pub description: String,
    pub amount: String,
    pub customer_name: String,
    pub customer_corp_id: String,
}

impl ProjectForm {
    pub(crate) fn from_texts(texts: &HashMap<String, String>) -> ProjectForm {
        let get = |k: &str| texts.get(k).cloned().unwrap_or_default();
        ProjectForm {
            name: get("name"),
            description: get("description"),
            amount: get("amount"),
            customer_name: get("customer_name"),
            customer_corp_id: get("customer_corp_id"),
        }
    }
}

/// An uploaded file as received.
#[derive(Clone, Debug)]
pub(crate) struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// A valid new project, ready to be stored.
#[derive(Clone, Debug)]
pub(crate) struct NewProject {
    pub name: String,
    pub description: String,
    pub amount_cents: i64,
    pub customer_name: String,
    pub customer_corp_id: String,
    pub file_name: String,
    pub file_kind: FileKind,
    pub file_bytes: Vec<u8>,
}

/// Parses the form; every field's problem is reported beside it at once.
pub(crate) fn parse_project(
    form: &ProjectForm,
    file: Option<&Upload>,
    max_bytes: usize,
) -> Result<NewProject, Errors> {
    let mut errors = Errors::default();
    let name = text_between(&form.name, 1, 50);
    if name.is_none() {
        errors.add("name", "distribution.project.error.name");
    }
    let description = text_between(&form.description, 0, 1000);
    if description.is_none() {
        errors.add("description", "distribution.project.error.description");
    }
    let amount = parse_amount(&form.amount)
        .map_err(|e| errors.add("amount", e))
        .ok();
    let customer_name = text_between(&form.customer_name, 1, 50);
    if customer_name.is_none() {
        errors.add("customer_name", "distribution.project.error.customer_name");
    }
    let corp = form.customer_corp_id.trim();
    let corp_id = if corp.is_empty() {
        errors.add(
            "customer_corp_id",
            "distribution.project.error.corp_id_required",
        );
        None
    } else {
        CorpId::parse(corp)
            .map_err(|e| errors.add("customer_corp_id", e))
            .ok()
    };
    let file_kind = match file {
        None => {
            errors.add("contract", "distribution.project.error.file_required");
            None
        }
        Some(f) => check_contract_file(&f.bytes, max_bytes)
            .map_err(|e| errors.add("contract", e))
            .ok(),
    };
    match (
        name,
        description,
        amount,
        customer_name,
        corp_id,
        file_kind,
        file,
    ) {
        (
            Some(name),
            Some(description),
            Some(amount_cents),
            Some(cn),
            Some(_),
            Some(kind),
            Some(f),
        ) if errors.is_empty() => Ok(NewProject {
            name,
            description,
            amount_cents,
            customer_name: cn,
            customer_corp_id: corp.to_string(),
            file_name: safe_file_name(&f.filename, kind),
            file_kind: kind,
            file_bytes: f.bytes.clone(),
        }),
        _ => Err(errors),
    }
}

/// The name kept for download: the uploaded name without path parts, or a generic one.
fn safe_file_name(raw: &str, kind: FileKind) -> String {
    crate::storage::clean_file_name(raw, "contract", kind)
}

/// A rejection needs a reason (1–500 characters).
pub(crate) fn parse_reject_reason(raw: &str) -> Result<String, &'static str> {
    text_between(raw, 1, 500).ok_or("distribution.review.error.reason")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    #[test]
    fn amounts_are_positive_with_at_most_two_decimals() {
        assert_eq!(parse_amount("1"), Ok(100));
        assert_eq!(parse_amount("12.5"), Ok(1250));
        assert_eq!(parse_amount(" 12,000.05 "), Ok(1_200_005));
        assert_eq!(parse_amount("0.01"), Ok(1));
        assert_eq!(
            parse_amount("0"),
            Err("distribution.project.error.amount_positive")
        );
        assert_eq!(
            parse_amount("0.00"),
            Err("distribution.project.error.amount_positive")
        );
        for bad in ["-1", "1.234", "abc", "1.", ".5", "1e3", "+3", "1 000"] {
            assert_eq!(
                parse_amount(bad),
                Err("distribution.project.error.amount"),
                "{bad}"
            );
        }
        assert_eq!(
            parse_amount(""),
            Err("distribution.project.error.amount_required")
        );
        assert_eq!(format_cents(1_200_005), "12000.05");
        for cents in [0, 7, 99, 100, 1_234, -7, -150, i64::MAX, i64::MIN] {
            assert_eq!(
                format_cents(cents),
                format!("{}.{:02}", cents / 100, (cents % 100).abs()),
                "{cents}"
            );
        }
    }

    #[test]
    fn only_intermediate_or_advanced_certified_orgs_are_providers() {
        assert!(is_certified_provider(true, "intermediate"));
        assert!(is_certified_provider(true, "advanced"));
        assert!(!is_certified_provider(true, "none"));
        assert!(!is_certified_provider(false, "advanced"));
    }

    #[test]
    fn provider_admins_and_developers() {
        let admin = OrgScope::system(1, 1, Role::PlatformAdmin);
        assert_eq!(provider_role(&admin), Some(ProviderRole::Admin));
        // OrgScope::system grants building rights: a member with them is a developer.
        let dev = OrgScope::system(1, 2, Role::Member);
        assert_eq!(provider_role(&dev), Some(ProviderRole::Developer));
    }

    #[test]
    fn a_contract_file_is_judged_by_content() {
        let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
        assert_eq!(check_contract_file(pdf, 1000), Ok(FileKind::Pdf));
        assert_eq!(
            check_contract_file(b"just text, named contract.pdf", 1000),
            Err("distribution.project.error.file_type")
        );
        assert_eq!(
            check_contract_file(b"\x89PNG\r\n\x1a\n garbage", 1000),
            Err("distribution.project.error.file_type")
        );
        assert_eq!(
            check_contract_file(pdf, 10),
            Err("distribution.project.error.file_too_large")
        );
    }

    #[test]
    fn rejections_need_a_reason() {
        assert!(parse_reject_reason("  ").is_err());
        assert_eq!(
            parse_reject_reason(" amount differs "),
            Ok("amount differs".into())
        );
    }
}
