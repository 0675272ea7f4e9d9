//! The app centre's rules as plain functions: a product's stage and what it allows, the
//! product code, and who may see a product.

/// Where a product stands in the pipeline (seed 002, step 4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Being written; not yet submitted (no code yet).
    Draft,
    /// 验收中: submitted, waiting for the operator's acceptance.
    Acceptance,
    /// 验收不通过: the provider edits and resubmits.
    AcceptanceFailed,
    /// 预上架: accepted, invisible in the app centre; co-creation runs here.
    Prelisted,
    /// 商品接入审核中.
    AccessReview,
    /// 接入审核驳回: everything may be edited again.
    AccessRejected,
    /// 售卖信息审核中.
    SalesReview,
    /// 售卖信息审核驳回: only the sales information may be edited.
    SalesRejected,
    /// 已上架 (灰度): visible to the grey cohort only.
    Grey,
    /// 开放审核中: the provider applied for the final review after the grey release.
    FinalReview,
    /// 已开放: visible to every organisation.
    Open,
}

impl Stage {
    pub(crate) const ALL: [Stage; 11] = [
        Stage::Draft,
        Stage::Acceptance,
        Stage::AcceptanceFailed,
        Stage::Prelisted,
        Stage::AccessReview,
        Stage::AccessRejected,
        Stage::SalesReview,
        Stage::SalesRejected,
        Stage::Grey,
        Stage::FinalReview,
        Stage::Open,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::Acceptance => "acceptance",
            Stage::AcceptanceFailed => "acceptance_failed",
            Stage::Prelisted => "prelisted",
            Stage::AccessReview => "access_review",
            Stage::AccessRejected => "access_rejected",
            Stage::SalesReview => "sales_review",
            Stage::SalesRejected => "sales_rejected",
            Stage::Grey => "grey",
            Stage::FinalReview => "final_review",
            Stage::Open => "open",
        }
    }

    pub(crate) fn parse(s: &str) -> Stage {
        Stage::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .unwrap_or(Stage::Draft)
    }

    pub(crate) fn label_key(self) -> &'static str {
        match self {
            Stage::Draft => "appcentre.stage.draft",
            Stage::Acceptance => "appcentre.stage.acceptance",
            Stage::AcceptanceFailed => "appcentre.stage.acceptance_failed",
            Stage::Prelisted => "appcentre.stage.prelisted",
            Stage::AccessReview => "appcentre.stage.access_review",
            Stage::AccessRejected => "appcentre.stage.access_rejected",
            Stage::SalesReview => "appcentre.stage.sales_review",
            Stage::SalesRejected => "appcentre.stage.sales_rejected",
            Stage::Grey => "appcentre.stage.grey",
            Stage::FinalReview => "appcentre.stage.final_review",
            Stage::Open => "appcentre.stage.open",
        }
    }

    /// The badge colour family of the stage.
    pub(crate) fn tone(self) -> &'static str {
        match self {
            Stage::Draft => "",
            Stage::Acceptance | Stage::AccessReview | Stage::SalesReview | Stage::FinalReview => {
                "warn"
            }
            Stage::AcceptanceFailed | Stage::AccessRejected | Stage::SalesRejected => "bad",
            Stage::Prelisted | Stage::Grey => "info",
            Stage::Open => "ok",
        }
    }

    /// What the provider may edit now: (access information, sales information). After a
    /// sales rejection the access information is locked (seed: 此时不能修改商品接入信息).
    pub(crate) fn editable(self) -> (bool, bool) {
        match self {
            Stage::Draft | Stage::AcceptanceFailed | Stage::AccessRejected => (true, true),
            Stage::SalesRejected => (false, true),
            _ => (false, false),
        }
    }

    /// The review a submission from this stage starts, if the provider may submit now.
    pub(crate) fn submits_to(self) -> Option<Stage> {
        match self {
            Stage::Draft | Stage::AcceptanceFailed => Some(Stage::Acceptance),
            Stage::AccessRejected => Some(Stage::AccessReview),
            Stage::SalesRejected => Some(Stage::SalesReview),
            _ => None,
        }
    }

    /// The review stage's name as stored with a review ("acceptance", "access", ...).
    pub(crate) fn review_kind(self) -> Option<&'static str> {
        match self {
            Stage::Acceptance => Some("acceptance"),
            Stage::AccessReview => Some("access"),
            Stage::SalesReview => Some("sales"),
            Stage::FinalReview => Some("final"),
            _ => None,
        }
    }

    /// Where a review's decision leads: (passed, rejected).
    pub(crate) fn after_review(self) -> Option<(Stage, Stage)> {
        match self {
            Stage::Acceptance => Some((Stage::Prelisted, Stage::AcceptanceFailed)),
            Stage::AccessReview => Some((Stage::SalesReview, Stage::AccessRejected)),
            // Sales approval lists the product at once (seed: 审核通过，商品会自动上架).
            Stage::SalesReview => Some((Stage::Grey, Stage::SalesRejected)),
            // A refused final review leaves the grey release running.
            Stage::FinalReview => Some((Stage::Open, Stage::Grey)),
            _ => None,
        }
    }
}

/// The product code: `cmd` and 7 digits, 10 characters (the seed's example cmd0000000).
pub(crate) fn product_code(n: u32) -> String {
    format!("cmd{:07}", n % 10_000_000)
}

#[cfg(test)]
pub(crate) fn is_product_code(s: &str) -> bool {
    s.len() == 10 && s.starts_with("cmd") && s[3..].bytes().all(|b| b.is_ascii_digit())
}

/// Why a product may or may not be seen by an organisation.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Audience {
    /// The organisation is one of the product's active co-creators.
    pub cocreator: bool,
    /// The organisation is in the product's grey cohort.
    pub in_cohort: bool,
}

/// Whether an organisation sees a product in the app centre and may install it.
/// Pre-listed products are seen by their co-creators only, grey ones by the cohort only,
/// paused ones by nobody new.
pub(crate) fn visible(stage: Stage, paused: bool, audience: Audience) -> bool {
    if paused {
        return false;
    }
    match stage {
        Stage::Prelisted => audience.cocreator,
        Stage::Grey | Stage::FinalReview => audience.in_cohort,
        Stage::Open => true,
        _ => false,
    }
}

/// A product's grade from its quality score (A ≥ 90, B ≥ 80, C below); it ranks the
/// listing.
pub(crate) fn grade(quality: i32) -> &'static str {
    if quality >= 90 {
        "A"
    } else if quality >= 80 {
        "B"
    } else {
        "C"
    }
}

/// The phase an install belongs to, from the product's stage when it was made.
pub(crate) fn phase_of(stage: Stage) -> &'static str {
    match stage {
        Stage::Prelisted
        | Stage::AccessReview
        | Stage::AccessRejected
        | Stage::SalesReview
        | Stage::SalesRejected => "cocreation",
        Stage::Grey | Stage::FinalReview => "grey",
        _ => "open",
    }
}

/// How many co-creators a product has at once (seed: 10家企业共创), of which at least 2
/// are established (钉钉老用户).
pub(crate) const COCREATORS: usize = 10;
pub(crate) const ESTABLISHED_MIN: usize = 2;
/// An established organisation has been on the platform this long and has active members
/// (the seed leaves the definition open).
pub(crate) const ESTABLISHED_DAYS: i64 = 90;
/// The grey release's cohort: up to 1000 organisations (seed: 1000家企业灰度).
pub(crate) const COHORT_MAX: usize = 1000;
/// Co-creation and grey release each last a week.
pub(crate) const PERIOD_DAYS: i64 = 7;
/// The app centre lists this many products per page.
pub(crate) const LISTING_PAGE: i64 = 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_product_code_is_cmd_and_seven_digits() {
        assert_eq!(product_code(42), "cmd0000042");
        assert_eq!(product_code(12_345_678), "cmd2345678");
        assert!(is_product_code("cmd0000000"));
        assert!(!is_product_code("cmd000000"));
        assert!(!is_product_code("cmx0000000"));
        assert!(!is_product_code("cmd00000a0"));
    }

    #[test]
    fn after_a_sales_rejection_only_the_sales_information_is_editable() {
        assert_eq!(Stage::SalesRejected.editable(), (false, true));
        assert_eq!(Stage::AccessRejected.editable(), (true, true));
        assert_eq!(Stage::Prelisted.editable(), (false, false));
        assert_eq!(Stage::Open.editable(), (false, false));
    }

    #[test]
    fn sales_approval_lists_the_product_in_grey() {
        assert_eq!(
            Stage::SalesReview.after_review(),
            Some((Stage::Grey, Stage::SalesRejected))
        );
        assert_eq!(
            Stage::AccessReview.after_review(),
            Some((Stage::SalesReview, Stage::AccessRejected))
        );
    }

    #[test]
    fn pre_listed_and_grey_products_are_seen_only_by_their_audience() {
        let none = Audience::default();
        let co = Audience {
            cocreator: true,
            in_cohort: false,
        };
        let cohort = Audience {
            cocreator: false,
            in_cohort: true,
        };
        assert!(!visible(Stage::Prelisted, false, none));
        assert!(visible(Stage::Prelisted, false, co));
        assert!(!visible(Stage::Grey, false, co));
        assert!(visible(Stage::Grey, false, cohort));
        assert!(!visible(Stage::Grey, true, cohort), "paused");
        assert!(visible(Stage::Open, false, none));
        assert!(!visible(Stage::Open, true, none), "paused");
        assert!(!visible(Stage::Acceptance, false, co));
    }

    #[test]
    fn grades_are_a_from_90_and_b_from_80() {
        assert_eq!(grade(90), "A");
        assert_eq!(grade(89), "B");
        assert_eq!(grade(80), "B");
        assert_eq!(grade(79), "C");
    }
}
