//! The app model and its rules, free of the web and the database.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::icon::AppIcon;
use crate::db::schema::{approval_steps, apps, fields, pages};

mod report;
pub use report::{ReportAgg, ReportSpec, can_group_by, check_report};

/// 应用状态: a delivered app starts "under maintenance" (开发维护中) until the customer
/// enables it; an app built in place is enabled from the start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppStatus {
    Enabled,
    Maintenance,
    /// 开发中: a custom app (seed 003) its provider is still building; members cannot use it.
    Developing,
    /// Removed by its organisation (a cancelled custom app the enterprise chose not to
    /// keep). The row stays for the audit trail that names it; nobody can open it.
    Deleted,
}

impl AppStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AppStatus::Enabled => "enabled",
            AppStatus::Maintenance => "maintenance",
            AppStatus::Developing => "developing",
            AppStatus::Deleted => "deleted",
        }
    }
    pub fn parse(s: &str) -> AppStatus {
        match s {
            "maintenance" => AppStatus::Maintenance,
            "developing" => AppStatus::Developing,
            "deleted" => AppStatus::Deleted,
            _ => AppStatus::Enabled,
        }
    }
    pub fn label_key(self) -> &'static str {
        match self {
            AppStatus::Enabled => "apps.state.enabled",
            AppStatus::Maintenance => "apps.state.maintenance",
            AppStatus::Developing => "apps.state.developing",
            AppStatus::Deleted => "apps.state.deleted",
        }
    }
    /// The badge colour of the state's family.
    pub fn badge(self) -> &'static str {
        match self {
            AppStatus::Enabled => "ok",
            _ => "warn",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PageKind {
    /// 表单页面
    Form,
    /// 流程表单: a form whose submissions go through ordered approval steps.
    Process,
    /// 自定义页面: rich text.
    Custom,
    /// 报表: a table or aggregate over one form's submissions.
    Report,
}

impl PageKind {
    pub const ALL: [PageKind; 4] = [
        PageKind::Form,
        PageKind::Process,
        PageKind::Custom,
        PageKind::Report,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            PageKind::Form => "form",
            PageKind::Process => "process",
            PageKind::Custom => "custom",
            PageKind::Report => "report",
        }
    }
    pub fn parse(s: &str) -> Option<PageKind> {
        PageKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_key(self) -> &'static str {
        match self {
            PageKind::Form => "page.kind.form",
            PageKind::Process => "page.kind.process",
            PageKind::Custom => "page.kind.custom",
            PageKind::Report => "page.kind.report",
        }
    }
    /// Form pages and process forms take submissions.
    pub fn takes_submissions(self) -> bool {
        matches!(self, PageKind::Form | PageKind::Process)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldKind {
    /// 单行文本
    Text,
    /// 多行文本
    Textarea,
    Number,
    Date,
    /// 下拉单选, options one per line.
    Select,
    /// 成员选择: a member of the current organisation.
    Member,
    /// 附件
    Attachment,
    /// 图片上传: must decode as an image.
    Image,
}

impl FieldKind {
    pub const ALL: [FieldKind; 8] = [
        FieldKind::Text,
        FieldKind::Textarea,
        FieldKind::Number,
        FieldKind::Date,
        FieldKind::Select,
        FieldKind::Member,
        FieldKind::Attachment,
        FieldKind::Image,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Textarea => "textarea",
            FieldKind::Number => "number",
            FieldKind::Date => "date",
            FieldKind::Select => "select",
            FieldKind::Member => "member",
            FieldKind::Attachment => "attachment",
            FieldKind::Image => "image",
        }
    }
    pub fn parse(s: &str) -> Option<FieldKind> {
        FieldKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_key(self) -> &'static str {
        match self {
            FieldKind::Text => "field.kind.text",
            FieldKind::Textarea => "field.kind.textarea",
            FieldKind::Number => "field.kind.number",
            FieldKind::Date => "field.kind.date",
            FieldKind::Select => "field.kind.select",
            FieldKind::Member => "field.kind.member",
            FieldKind::Attachment => "field.kind.attachment",
            FieldKind::Image => "field.kind.image",
        }
    }
    pub fn is_file(self) -> bool {
        matches!(self, FieldKind::Attachment | FieldKind::Image)
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = apps)]
pub struct App {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub icon_glyph: String,
    pub description: String,
    pub premium: bool,
    pub state: String,
    pub source_app_id: Option<i64>,
    pub created_by: i64,
    pub created_at: i64,
    /// 应用主页: where the workbench tile also links (a custom app's homepage, seed 003).
    pub homepage_url: String,
    pub icon_color: String,
    /// The uploaded icon's storage key; empty when the glyph and colour are drawn.
    pub icon_image: String,
}

impl App {
    pub fn icon(&self) -> AppIcon {
        AppIcon::new(
            self.id,
            &self.icon_glyph,
            &self.icon_color,
            &self.icon_image,
        )
    }
    pub fn status(&self) -> AppStatus {
        AppStatus::parse(&self.state)
    }
    /// A copy delivered by distribution (it may not be distributed again).
    pub fn is_distributed_copy(&self) -> bool {
        self.source_app_id.is_some()
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = pages)]
pub struct Page {
    pub id: i64,
    pub org_id: i64,
    pub app_id: i64,
    pub kind: String,
    pub name: String,
    pub position: i32,
    pub body: String,
    pub report_form_id: Option<i64>,
    pub report_group_field_id: Option<i64>,
    pub report_value_field_id: Option<i64>,
    pub report_agg: String,
    pub created_at: i64,
}

impl Page {
    pub fn kind(&self) -> PageKind {
        PageKind::parse(&self.kind).unwrap_or(PageKind::Custom)
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = fields)]
pub struct Field {
    pub id: i64,
    pub page_id: i64,
    pub label: String,
    pub kind: String,
    pub required: bool,
    pub options: String,
    pub position: i32,
}

impl Field {
    pub fn kind(&self) -> FieldKind {
        FieldKind::parse(&self.kind).unwrap_or(FieldKind::Text)
    }
    /// The choices of a select field, one per line.
    pub fn choices(&self) -> Vec<String> {
        self.options
            .lines()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = approval_steps)]
pub struct Step {
    pub id: i64,
    pub page_id: i64,
    pub position: i32,
    pub name: String,
    pub approver_id: i64,
}

/// Parses a display name: trimmed, 1 to `max` characters (counted as characters, not bytes).
pub fn parse_name(raw: &str, max: usize) -> Result<String, &'static str> {
    let s = raw.trim();
    let n = s.chars().count();
    if n == 0 {
        Err("apps.error.name_required")
    } else if n > max {
        Err("apps.error.name_too_long")
    } else {
        Ok(s.to_string())
    }
}

/// A description: trimmed, at most 200 characters (may be empty).
pub fn parse_description(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim();
    if s.chars().count() > 200 {
        Err("apps.error.description_too_long")
    } else {
        Ok(s.to_string())
    }
}

/// The choices of a select field: one per line, trimmed, duplicates dropped; a select needs
/// at least two distinct non-empty choices. Returns them joined one per line.
pub fn parse_choices(raw: &str) -> Result<String, &'static str> {
    let mut out: Vec<&str> = Vec::new();
    for c in raw.lines().map(str::trim).filter(|c| !c.is_empty()) {
        if c.chars().count() > 50 {
            return Err("apps.error.choice_too_long");
        }
        if !out.contains(&c) {
            out.push(c);
        }
    }
    if out.len() < 2 {
        Err("apps.error.two_choices")
    } else {
        Ok(out.join("\n"))
    }
}

/// Builder-written HTML (custom page bodies, component markup) is cleaned before it is
/// stored: no scripts, no event handlers, no `javascript:` links.
pub fn sanitize_html(raw: &str) -> String {
    ammonia::clean(raw)
}

/// A process form takes submissions only once it has at least one approval step.
pub fn process_ready(kind: PageKind, steps: usize) -> bool {
    kind != PageKind::Process || steps > 0
}

/// Only organisation admins (main or platform) may mark an app premium (精品).
pub fn may_mark_premium(scope: &crate::auth::OrgScope) -> bool {
    scope.is_admin()
}

/// Why a page may not be deleted, given what refers to it.
pub fn page_deletion_blocker(
    submissions: i64,
    reports: i64,
    automations: i64,
) -> Option<&'static str> {
    if submissions > 0 {
        Some("apps.error.page_has_submissions")
    } else if reports > 0 {
        Some("apps.error.page_used_by_report")
    } else if automations > 0 {
        Some("apps.error.page_used_by_automation")
    } else {
        None
    }
}

/// Moving an item of an ordered list one place up or down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
}

impl Move {
    pub fn parse(s: &str) -> Option<Move> {
        match s {
            "up" => Some(Move::Up),
            "down" => Some(Move::Down),
            _ => None,
        }
    }
}

/// The new order of `ids` after moving `id`; `None` when `id` is not in the list. Moving
/// the first item up (or the last down) leaves the order as it is.
pub fn reorder(ids: &[i64], id: i64, mv: Move) -> Option<Vec<i64>> {
    let i = ids.iter().position(|x| *x == id)?;
    let mut out = ids.to_vec();
    match mv {
        Move::Up if i > 0 => out.swap(i, i - 1),
        Move::Down if i + 1 < out.len() => out.swap(i, i + 1),
        _ => {}
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn page(id: i64, kind: &str) -> Page {
        Page {
            id,
            org_id: 1,
            app_id: 1,
            kind: kind.into(),
            name: "p".into(),
            position: 0,
            body: String::new(),
            report_form_id: None,
            report_group_field_id: None,
            report_value_field_id: None,
            report_agg: "count".into(),
            created_at: 0,
        }
    }

    pub(super) fn field(id: i64, page_id: i64, kind: &str) -> Field {
        Field {
            id,
            page_id,
            label: format!("f{id}"),
            kind: kind.into(),
            required: false,
            options: String::new(),
            position: 0,
        }
    }

    #[test]
    fn a_select_needs_two_distinct_choices() {
        assert_eq!(parse_choices("A\n\nB\n"), Ok("A\nB".into()));
        assert_eq!(parse_choices("A\n A \n"), Err("apps.error.two_choices"));
        assert_eq!(parse_choices("  \n"), Err("apps.error.two_choices"));
    }

    #[test]
    fn descriptions_are_bounded() {
        assert!(parse_description(&"字".repeat(200)).is_ok());
        assert_eq!(
            parse_description(&"字".repeat(201)),
            Err("apps.error.description_too_long")
        );
    }

    #[test]
    fn sanitising_drops_scripts_and_event_handlers() {
        let out = sanitize_html("<p onclick=\"x()\">hi<script>alert(1)</script></p>");
        assert_eq!(out, "<p>hi</p>");
    }

    #[test]
    fn reordering_swaps_with_the_neighbour() {
        assert_eq!(reorder(&[1, 2, 3], 2, Move::Up), Some(vec![2, 1, 3]));
        assert_eq!(reorder(&[1, 2, 3], 2, Move::Down), Some(vec![1, 3, 2]));
        assert_eq!(reorder(&[1, 2, 3], 1, Move::Up), Some(vec![1, 2, 3]));
        assert_eq!(reorder(&[1, 2, 3], 3, Move::Down), Some(vec![1, 2, 3]));
        assert_eq!(reorder(&[1, 2, 3], 9, Move::Up), None);
    }

    #[test]
    fn a_page_in_use_cannot_be_deleted() {
        assert_eq!(page_deletion_blocker(0, 0, 0), None);
        assert_eq!(
            page_deletion_blocker(1, 1, 1),
            Some("apps.error.page_has_submissions")
        );
        assert_eq!(
            page_deletion_blocker(0, 0, 2),
            Some("apps.error.page_used_by_automation")
        );
    }

    #[test]
    fn a_process_form_needs_a_step() {
        assert!(!process_ready(PageKind::Process, 0));
        assert!(process_ready(PageKind::Process, 1));
        assert!(process_ready(PageKind::Form, 0));
    }

    #[test]
    fn names_are_trimmed_and_bounded_in_characters() {
        assert_eq!(parse_name("  采购申请 ", 10), Ok("采购申请".into()));
        assert_eq!(parse_name("   ", 10), Err("apps.error.name_required"));
        assert_eq!(
            parse_name("一二三四五六七八九十一", 10),
            Err("apps.error.name_too_long")
        );
    }

    #[test]
    fn select_choices_skip_blank_lines() {
        let f = Field {
            id: 1,
            page_id: 1,
            label: "x".into(),
            kind: "select".into(),
            required: false,
            options: "A\n\n B \n".into(),
            position: 0,
        };
        assert_eq!(f.choices(), vec!["A", "B"]);
    }
}
