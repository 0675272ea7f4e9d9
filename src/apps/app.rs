//! The app model and its rules, free of the web and the database.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{approval_steps, apps, fields, pages};

/// 应用状态: a delivered app starts "under maintenance" (开发维护中) until the customer
/// enables it; an app built in place is enabled from the start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppStatus {
    Enabled,
    Maintenance,
}

impl AppStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AppStatus::Enabled => "enabled",
            AppStatus::Maintenance => "maintenance",
        }
    }
    pub fn parse(s: &str) -> AppStatus {
        if s == "maintenance" {
            AppStatus::Maintenance
        } else {
            AppStatus::Enabled
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
    pub icon: String,
    pub description: String,
    pub premium: bool,
    pub state: String,
    pub source_app_id: Option<i64>,
    pub created_by: i64,
    pub created_at: i64,
}

impl App {
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

/// Icons are chosen from a fixed set so that pages need no uploaded images.
pub const ICONS: [&str; 12] = [
    "📋", "📦", "🧾", "📊", "🛠️", "🏷️", "📅", "🚚", "💼", "🏥", "🎓", "🏭",
];

pub fn parse_icon(raw: &str) -> Result<String, &'static str> {
    ICONS
        .iter()
        .find(|i| **i == raw)
        .map(|i| i.to_string())
        .ok_or("apps.error.icon")
}

#[cfg(test)]
mod tests {
    use super::*;

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
