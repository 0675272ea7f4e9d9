//! Diesel table definitions, written to match `migrations/*/up.sql` (both backends).
// @generated-style file kept by hand: update it with every migration.

diesel::table! {
    orgs (id) {
        id -> BigInt,
        name -> Text,
        corp_id -> Text,
        edition -> Text,
        certified -> Bool,
        provider_level -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        login -> Text,
        name -> Text,
        password_hash -> Text,
        is_operator -> Bool,
        disabled -> Bool,
        failed_logins -> Integer,
        failed_window_start -> BigInt,
        locked_until -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    ip_login_failures (ip) {
        ip -> Text,
        failures -> Integer,
        window_start -> BigInt,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        data -> Text,
        user_id -> Nullable<BigInt>,
        expires_at -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    departments (id) {
        id -> BigInt,
        org_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        name -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    memberships (id) {
        id -> BigInt,
        org_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        permissions -> Text,
        can_build_apps -> Bool,
        department_id -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    apps (id) {
        id -> BigInt,
        org_id -> BigInt,
        name -> Text,
        icon -> Text,
        description -> Text,
        premium -> Bool,
        state -> Text,
        source_app_id -> Nullable<BigInt>,
        created_by -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    app_admins (app_id,user_id) {
        app_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    pages (id) {
        id -> BigInt,
        org_id -> BigInt,
        app_id -> BigInt,
        kind -> Text,
        name -> Text,
        position -> Integer,
        body -> Text,
        report_form_id -> Nullable<BigInt>,
        report_group_field_id -> Nullable<BigInt>,
        report_value_field_id -> Nullable<BigInt>,
        report_agg -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    fields (id) {
        id -> BigInt,
        page_id -> BigInt,
        label -> Text,
        kind -> Text,
        required -> Bool,
        options -> Text,
        position -> Integer,
    }
}

diesel::table! {
    approval_steps (id) {
        id -> BigInt,
        page_id -> BigInt,
        position -> Integer,
        name -> Text,
        approver_id -> BigInt,
    }
}

diesel::table! {
    connectors (id) {
        id -> BigInt,
        org_id -> BigInt,
        app_id -> BigInt,
        name -> Text,
        endpoint_url -> Text,
        auth_kind -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    notification_templates (id) {
        id -> BigInt,
        org_id -> BigInt,
        app_id -> BigInt,
        name -> Text,
        title -> Text,
        body -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    automations (id) {
        id -> BigInt,
        org_id -> BigInt,
        app_id -> BigInt,
        name -> Text,
        form_id -> BigInt,
        action -> Text,
        template_id -> Nullable<BigInt>,
        connector_id -> Nullable<BigInt>,
        recipient_id -> Nullable<BigInt>,
        enabled -> Bool,
        created_at -> BigInt,
    }
}

diesel::table! {
    components (id) {
        id -> BigInt,
        org_id -> BigInt,
        app_id -> BigInt,
        name -> Text,
        description -> Text,
        markup -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    attachments (id) {
        id -> BigInt,
        org_id -> BigInt,
        uploader_id -> BigInt,
        storage_key -> Text,
        filename -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    submissions (id) {
        id -> BigInt,
        org_id -> BigInt,
        app_id -> BigInt,
        page_id -> BigInt,
        submitter_id -> BigInt,
        data -> Text,
        status -> Text,
        current_step -> Integer,
        sample -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    approval_tasks (id) {
        id -> BigInt,
        org_id -> BigInt,
        submission_id -> BigInt,
        step_position -> Integer,
        assignee_id -> BigInt,
        kind -> Text,
        status -> Text,
        comment -> Text,
        created_at -> BigInt,
        acted_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        org_id -> BigInt,
        user_id -> BigInt,
        title -> Text,
        body -> Text,
        link -> Text,
        read -> Bool,
        created_at -> BigInt,
    }
}

diesel::joinable!(departments -> orgs (org_id));
diesel::joinable!(memberships -> orgs (org_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> departments (department_id));
diesel::joinable!(apps -> orgs (org_id));
diesel::joinable!(apps -> users (created_by));
diesel::joinable!(app_admins -> apps (app_id));
diesel::joinable!(app_admins -> users (user_id));
diesel::joinable!(pages -> orgs (org_id));
diesel::joinable!(pages -> apps (app_id));
diesel::joinable!(fields -> pages (page_id));
diesel::joinable!(approval_steps -> pages (page_id));
diesel::joinable!(approval_steps -> users (approver_id));
diesel::joinable!(connectors -> orgs (org_id));
diesel::joinable!(connectors -> apps (app_id));
diesel::joinable!(notification_templates -> orgs (org_id));
diesel::joinable!(notification_templates -> apps (app_id));
diesel::joinable!(automations -> orgs (org_id));
diesel::joinable!(automations -> apps (app_id));
diesel::joinable!(automations -> pages (form_id));
diesel::joinable!(automations -> notification_templates (template_id));
diesel::joinable!(automations -> connectors (connector_id));
diesel::joinable!(automations -> users (recipient_id));
diesel::joinable!(components -> orgs (org_id));
diesel::joinable!(components -> apps (app_id));
diesel::joinable!(attachments -> orgs (org_id));
diesel::joinable!(attachments -> users (uploader_id));
diesel::joinable!(submissions -> orgs (org_id));
diesel::joinable!(submissions -> apps (app_id));
diesel::joinable!(submissions -> pages (page_id));
diesel::joinable!(submissions -> users (submitter_id));
diesel::joinable!(approval_tasks -> orgs (org_id));
diesel::joinable!(approval_tasks -> submissions (submission_id));
diesel::joinable!(approval_tasks -> users (assignee_id));
diesel::joinable!(notifications -> orgs (org_id));
diesel::joinable!(notifications -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    orgs,
    users,
    ip_login_failures,
    sessions,
    departments,
    memberships,
    apps,
    app_admins,
    pages,
    fields,
    approval_steps,
    connectors,
    notification_templates,
    automations,
    components,
    attachments,
    submissions,
    approval_tasks,
    notifications,
);
