//! Diesel table definitions, written to match `migrations/*/up.sql` (both backends).
// Kept by hand (no diesel CLI on the build machines): update it with every migration.

diesel::table! {
    orgs (id) {
        id -> BigInt,
        name -> Text,
        corp_id -> Text,
        edition -> Text,
        certified -> Bool,
        provider_level -> Text,
        created_at -> BigInt,
        ic_max_spaces -> Nullable<Integer>,
        ic_max_joined -> Nullable<Integer>,
        ic_max_people -> Nullable<Integer>,
        ic_max_orgs -> Nullable<Integer>,
        seat_pool -> Nullable<Integer>,
        test_of_provider -> Nullable<BigInt>,
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
        created_at -> BigInt,
        last_login_at -> Nullable<BigInt>,
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
    login_throttle (kind, subject) {
        kind -> Text,
        subject -> Text,
        failures -> Integer,
        window_start -> BigInt,
    }
}

diesel::table! {
    server_secrets (name) {
        name -> Text,
        secret -> Text,
        created_at -> BigInt,
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
        icon_glyph -> Text,
        description -> Text,
        premium -> Bool,
        state -> Text,
        source_app_id -> Nullable<BigInt>,
        created_by -> BigInt,
        created_at -> BigInt,
        provider_org_id -> Nullable<BigInt>,
        maintenance_open -> Bool,
        auto_approve_grants -> Bool,
        full_edit -> Bool,
        acceptance -> Text,
        acceptance_comment -> Text,
        reconfigure -> Text,
        usage_scope -> Text,
        homepage_url -> Text,
        icon_color -> Text,
        icon_image -> Text,
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
        submitter_org_id -> Nullable<BigInt>,
        idem -> Nullable<Text>,
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

// Kept by triggers (migration `kept_counts`): never written by the portal's code.
diesel::table! {
    unread_counts (user_id, org_id) {
        user_id -> BigInt,
        org_id -> BigInt,
        n -> BigInt,
    }
}

diesel::table! {
    project_status_counts (provider_org_id, status) {
        provider_org_id -> BigInt,
        status -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    projects (id) {
        id -> BigInt,
        provider_org_id -> BigInt,
        creator_id -> BigInt,
        name -> Text,
        description -> Text,
        contract_amount_cents -> BigInt,
        contract_file_id -> BigInt,
        customer_name -> Text,
        customer_corp_id -> Text,
        status -> Text,
        review_reason -> Text,
        reviewed_by -> Nullable<BigInt>,
        reviewed_at -> Nullable<BigInt>,
        closed_at -> Nullable<BigInt>,
        closing_delivery_date -> Text,
        closing_summary -> Text,
        closing_acceptance -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    project_events (id) {
        id -> BigInt,
        project_id -> BigInt,
        actor_id -> Nullable<BigInt>,
        kind -> Text,
        detail -> Text,
        customer_visible -> Bool,
        created_at -> BigInt,
        order_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    distribution_links (id) {
        id -> BigInt,
        project_id -> BigInt,
        provider_org_id -> BigInt,
        token -> Text,
        expires_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
        created_by -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    link_apps (link_id,app_id) {
        link_id -> BigInt,
        app_id -> BigInt,
    }
}

diesel::table! {
    link_events (id) {
        id -> BigInt,
        link_id -> BigInt,
        user_id -> Nullable<BigInt>,
        org_id -> Nullable<BigInt>,
        kind -> Text,
        reason -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    orders (id) {
        id -> BigInt,
        order_no -> Text,
        project_id -> BigInt,
        link_id -> BigInt,
        provider_org_id -> BigInt,
        customer_org_id -> BigInt,
        purchaser_id -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    order_apps (id) {
        id -> BigInt,
        order_id -> BigInt,
        source_app_id -> BigInt,
        copy_app_id -> Nullable<BigInt>,
        send_status -> Text,
        failure_reason -> Text,
        with_sample -> Bool,
        with_connectors -> Bool,
        full_edit -> Bool,
        sent_by -> Nullable<BigInt>,
        sent_at -> Nullable<BigInt>,
        provider_org_id -> BigInt,
    }
}

diesel::table! {
    part_sends (id) {
        id -> BigInt,
        order_app_id -> BigInt,
        kind -> Text,
        source_id -> BigInt,
        copy_id -> Nullable<BigInt>,
        status -> Text,
        failure_reason -> Text,
        created_by -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    maintenance_grants (id) {
        id -> BigInt,
        app_id -> BigInt,
        customer_org_id -> BigInt,
        provider_org_id -> BigInt,
        developer_id -> BigInt,
        reason -> Text,
        duration_secs -> BigInt,
        status -> Text,
        requested_at -> BigInt,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<BigInt>,
        expires_at -> Nullable<BigInt>,
        ended_at -> Nullable<BigInt>,
        ended_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    audit_records (id) {
        id -> BigInt,
        customer_org_id -> BigInt,
        provider_org_id -> BigInt,
        app_id -> BigInt,
        grant_id -> Nullable<BigInt>,
        actor_id -> BigInt,
        action -> Text,
        detail -> Text,
        prev_hash -> Text,
        hash -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    spaces (id) {
        id -> BigInt,
        owner_org_id -> BigInt,
        kind -> Text,
        name -> Text,
        description -> Text,
        invite_token -> Text,
        api_key_hash -> Nullable<Text>,
        created_by -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    space_orgs (id) {
        id -> BigInt,
        space_id -> BigInt,
        org_id -> BigInt,
        role -> Text,
        status -> Text,
        scope_kind -> Text,
        group_id -> Nullable<BigInt>,
        applied_by -> Nullable<BigInt>,
        applied_at -> Nullable<BigInt>,
        reviewed_by -> Nullable<BigInt>,
        reviewed_at -> Nullable<BigInt>,
        reason -> Text,
        joined_at -> Nullable<BigInt>,
        created_at -> BigInt,
        contact_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    contact_departures (id) {
        id -> BigInt,
        org_id -> BigInt,
        user_id -> BigInt,
        reason -> Text,
        left_at -> BigInt,
        successor_id -> Nullable<BigInt>,
        resolved_by -> Nullable<BigInt>,
        resolved_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    departure_items (departure_id, kind, ref_id) {
        departure_id -> BigInt,
        kind -> Text,
        ref_id -> BigInt,
    }
}

diesel::table! {
    seat_orders (id) {
        id -> BigInt,
        order_no -> Text,
        org_id -> BigInt,
        quantity -> BigInt,
        term_months -> Integer,
        starts_at -> BigInt,
        ends_at -> BigInt,
        buyer_id -> BigInt,
        idem -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    app_usage_refs (app_id, kind, ref_id) {
        app_id -> BigInt,
        kind -> Text,
        ref_id -> BigInt,
    }
}

diesel::table! {
    app_uses (app_id, day, org_id, user_id) {
        app_id -> BigInt,
        org_id -> BigInt,
        user_id -> BigInt,
        day -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    space_org_exits (id) {
        id -> BigInt,
        space_org_id -> BigInt,
        how -> Text,
        by_user_id -> BigInt,
        at -> BigInt,
    }
}

diesel::table! {
    space_scope (space_org_id, kind, ref_id) {
        space_org_id -> BigInt,
        kind -> Text,
        ref_id -> BigInt,
    }
}

diesel::table! {
    space_visibility (space_id, viewer_org_id, visible_org_id) {
        space_id -> BigInt,
        viewer_org_id -> BigInt,
        visible_org_id -> BigInt,
    }
}

diesel::table! {
    space_groups (id) {
        id -> BigInt,
        space_id -> BigInt,
        name -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    collab_groups (id) {
        id -> BigInt,
        space_id -> BigInt,
        name -> Text,
        created_by -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    collab_members (group_id, user_id) {
        group_id -> BigInt,
        user_id -> BigInt,
        org_id -> BigInt,
        added_at -> BigInt,
    }
}

diesel::table! {
    collab_messages (id) {
        id -> BigInt,
        group_id -> BigInt,
        user_id -> BigInt,
        org_id -> BigInt,
        body -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    space_apps (id) {
        id -> BigInt,
        space_id -> BigInt,
        app_id -> BigInt,
        all_orgs -> Bool,
        published_by -> BigInt,
        published_at -> BigInt,
    }
}

diesel::table! {
    space_app_targets (space_app_id, org_id) {
        space_app_id -> BigInt,
        org_id -> BigInt,
    }
}

diesel::table! {
    seats (id) {
        id -> BigInt,
        pool_org_id -> BigInt,
        org_id -> BigInt,
        user_id -> BigInt,
        automatic -> Bool,
        granted_by -> Nullable<BigInt>,
        granted_at -> BigInt,
    }
}

diesel::table! {
    seat_auto_departments (pool_org_id, department_id) {
        pool_org_id -> BigInt,
        department_id -> BigInt,
    }
}

diesel::table! {
    seat_alerts (pool_org_id, threshold) {
        pool_org_id -> BigInt,
        threshold -> Integer,
        sent_at -> BigInt,
    }
}

diesel::table! {
    seat_releases (pool_org_id, org_id, user_id) {
        pool_org_id -> BigInt,
        org_id -> BigInt,
        user_id -> BigInt,
        released_by -> Nullable<BigInt>,
        released_at -> BigInt,
    }
}

diesel::table! {
    /// Seats held per member organisation and China Standard Time day, after the day's
    /// last change (no row: unchanged since the previous one).
    seat_usage_days (pool_org_id, org_id, day) {
        pool_org_id -> BigInt,
        org_id -> BigInt,
        day -> BigInt,
        used -> BigInt,
    }
}

diesel::joinable!(departments -> orgs (org_id));
diesel::joinable!(memberships -> orgs (org_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> departments (department_id));
diesel::joinable!(apps -> users (created_by));
diesel::joinable!(apps -> orgs (org_id));
diesel::joinable!(app_usage_refs -> apps (app_id));
diesel::joinable!(app_uses -> apps (app_id));
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
diesel::joinable!(projects -> orgs (provider_org_id));
diesel::joinable!(projects -> attachments (contract_file_id));
diesel::joinable!(project_events -> projects (project_id));
diesel::joinable!(project_events -> users (actor_id));
diesel::joinable!(distribution_links -> projects (project_id));
diesel::joinable!(distribution_links -> orgs (provider_org_id));
diesel::joinable!(distribution_links -> users (created_by));
diesel::joinable!(link_apps -> distribution_links (link_id));
diesel::joinable!(link_apps -> apps (app_id));
diesel::joinable!(link_events -> distribution_links (link_id));
diesel::joinable!(link_events -> users (user_id));
diesel::joinable!(link_events -> orgs (org_id));
diesel::joinable!(orders -> projects (project_id));
diesel::joinable!(orders -> distribution_links (link_id));
diesel::joinable!(orders -> users (purchaser_id));
diesel::joinable!(order_apps -> orders (order_id));
diesel::joinable!(order_apps -> users (sent_by));
diesel::joinable!(part_sends -> order_apps (order_app_id));
diesel::joinable!(part_sends -> users (created_by));
diesel::joinable!(maintenance_grants -> apps (app_id));
diesel::joinable!(audit_records -> apps (app_id));
diesel::joinable!(audit_records -> maintenance_grants (grant_id));
diesel::joinable!(audit_records -> users (actor_id));

diesel::joinable!(space_orgs -> spaces (space_id));
diesel::joinable!(space_orgs -> orgs (org_id));
diesel::joinable!(space_org_exits -> space_orgs (space_org_id));
diesel::joinable!(space_org_exits -> users (by_user_id));
diesel::joinable!(space_scope -> space_orgs (space_org_id));
diesel::joinable!(space_groups -> spaces (space_id));
diesel::joinable!(collab_groups -> spaces (space_id));
diesel::joinable!(collab_members -> collab_groups (group_id));
diesel::joinable!(collab_members -> users (user_id));
diesel::joinable!(collab_messages -> collab_groups (group_id));
diesel::joinable!(collab_messages -> users (user_id));
diesel::joinable!(space_apps -> spaces (space_id));
diesel::joinable!(space_apps -> apps (app_id));
diesel::joinable!(space_app_targets -> space_apps (space_app_id));
diesel::joinable!(space_app_targets -> orgs (org_id));
diesel::joinable!(seats -> users (user_id));
diesel::joinable!(seat_orders -> orgs (org_id));
diesel::joinable!(seat_orders -> users (buyer_id));
diesel::joinable!(departure_items -> contact_departures (departure_id));
diesel::joinable!(seat_auto_departments -> departments (department_id));

diesel::table! {
    cd_catalogue (id) {
        id -> BigInt,
        kind -> Text,
        name -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    cd_templates (id) {
        id -> BigInt,
        provider_org_id -> BigInt,
        source_app_id -> Nullable<BigInt>,
        token -> Text,
        live_version_id -> Nullable<BigInt>,
        created_by -> BigInt,
        created_at -> BigInt,
        callback_token -> Text,
    }
}

diesel::table! {
    cd_template_versions (id) {
        id -> BigInt,
        template_id -> BigInt,
        version -> Integer,
        name -> Text,
        intro -> Text,
        logo_key -> Text,
        category -> Text,
        industry -> Text,
        callback_url -> Text,
        saved_by -> BigInt,
        saved_at -> BigInt,
    }
}

diesel::table! {
    cd_custom_apps (id) {
        id -> BigInt,
        template_id -> BigInt,
        provider_org_id -> BigInt,
        enterprise_org_id -> BigInt,
        app_id -> Nullable<BigInt>,
        status -> Text,
        name -> Text,
        intro -> Text,
        logo_key -> Text,
        homepage_url -> Text,
        trusted_domain -> Text,
        domain_token -> Text,
        domain_verified_at -> Nullable<BigInt>,
        ip_allow_list -> Text,
        callback_url -> Text,
        configured_at -> Nullable<BigInt>,
        live_at -> Nullable<BigInt>,
        authorised_by -> BigInt,
        authorised_at -> BigInt,
        cancelled_by -> Nullable<BigInt>,
        cancelled_at -> Nullable<BigInt>,
        cancel_outcome -> Text,
        callback_token -> Text,
    }
}

diesel::table! {
    cd_reviews (id) {
        id -> BigInt,
        provider_org_id -> BigInt,
        subject -> Text,
        template_id -> BigInt,
        version_id -> Nullable<BigInt>,
        custom_app_id -> Nullable<BigInt>,
        state -> Text,
        reason -> Text,
        submitted_by -> BigInt,
        submitted_at -> BigInt,
        reviewed_by -> Nullable<BigInt>,
        reviewed_at -> Nullable<BigInt>,
        live_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    cd_batches (id) {
        id -> BigInt,
        provider_org_id -> BigInt,
        token -> Text,
        expires_at -> BigInt,
        created_by -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    cd_batch_templates (batch_id, template_id) {
        batch_id -> BigInt,
        template_id -> BigInt,
    }
}

diesel::joinable!(cd_template_versions -> cd_templates (template_id));
diesel::joinable!(cd_custom_apps -> cd_templates (template_id));
diesel::joinable!(cd_reviews -> cd_templates (template_id));
diesel::joinable!(cd_batch_templates -> cd_templates (template_id));
diesel::joinable!(cd_batch_templates -> cd_batches (batch_id));
diesel::table! {
    jobs (id) {
        id -> BigInt,
        kind -> Text,
        payload -> Text,
        state -> Text,
        run_at -> BigInt,
        attempts -> Integer,
        leased_until -> Nullable<BigInt>,
        last_error -> Text,
        created_at -> BigInt,
        finished_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    cd_deliveries (id) {
        id -> BigInt,
        custom_app_id -> BigInt,
        event_id -> Text,
        event_type -> Text,
        body -> Text,
        job_id -> BigInt,
        attempts -> Integer,
        status_code -> Nullable<Integer>,
        latency_ms -> Nullable<BigInt>,
        error -> Text,
        delivered_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::joinable!(cd_deliveries -> cd_custom_apps (custom_app_id));
diesel::joinable!(cd_deliveries -> jobs (job_id));

diesel::table! {
    cd_app_permissions (custom_app_id, perm) {
        custom_app_id -> BigInt,
        perm -> Text,
    }
}

diesel::table! {
    cd_permission_requests (id) {
        id -> BigInt,
        custom_app_id -> BigInt,
        perms -> Text,
        state -> Text,
        requested_by -> BigInt,
        requested_at -> BigInt,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    cd_permission_log (id) {
        id -> BigInt,
        custom_app_id -> BigInt,
        action -> Text,
        perms -> Text,
        user_id -> BigInt,
        at -> BigInt,
    }
}

diesel::table! {
    cd_credentials (custom_app_id) {
        custom_app_id -> BigInt,
        client_id -> Text,
        secret_hash -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    cd_access_tokens (token_hash) {
        token_hash -> Text,
        custom_app_id -> BigInt,
        expires_at -> BigInt,
        created_at -> BigInt,
    }
}

diesel::joinable!(cd_permission_log -> users (user_id));

diesel::table! {
    ac_invitations (provider_org_id) {
        provider_org_id -> BigInt,
        note -> Text,
        invited_by -> BigInt,
        invited_at -> BigInt,
    }
}

diesel::table! {
    ac_sellers (provider_org_id) {
        provider_org_id -> BigInt,
        contact_name -> Text,
        contact_phone -> Text,
        intro -> Text,
        status -> Text,
        agreement_no -> Text,
        deposit_fen -> BigInt,
        reason -> Text,
        applied_by -> BigInt,
        applied_at -> BigInt,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    ac_products (id) {
        id -> BigInt,
        provider_org_id -> BigInt,
        app_id -> BigInt,
        code -> Nullable<Text>,
        stage -> Text,
        name -> Text,
        description -> Text,
        category -> Text,
        homepage_url -> Text,
        permissions -> Text,
        data_stored -> Text,
        reason -> Text,
        paused -> Bool,
        version -> Integer,
        cocreation_started_at -> Nullable<BigInt>,
        grey_started_at -> Nullable<BigInt>,
        quality -> Integer,
        created_by -> BigInt,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    ac_editions (id) {
        id -> BigInt,
        product_id -> BigInt,
        name -> Text,
        price_fen -> BigInt,
        seats -> Integer,
        position -> Integer,
    }
}

diesel::table! {
    ac_screenshots (id) {
        id -> BigInt,
        product_id -> BigInt,
        file_key -> Text,
        content_type -> Text,
        position -> Integer,
    }
}

diesel::table! {
    ac_reviews (id) {
        id -> BigInt,
        product_id -> BigInt,
        stage -> Text,
        version -> Integer,
        snapshot -> Text,
        submitted_by -> BigInt,
        submitted_at -> BigInt,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<BigInt>,
        passed -> Nullable<Bool>,
        failed_items -> Text,
        reason -> Text,
    }
}

diesel::table! {
    ac_cocreators (product_id, org_id) {
        product_id -> BigInt,
        org_id -> BigInt,
        active -> Bool,
        invited_at -> BigInt,
    }
}

diesel::table! {
    ac_cohort (product_id, org_id) {
        product_id -> BigInt,
        org_id -> BigInt,
    }
}

diesel::table! {
    ac_thresholds (product_id) {
        product_id -> BigInt,
        active_permille -> Integer,
        dau_wau_permille -> Integer,
        satisfaction -> Integer,
        quality -> Integer,
        reason -> Text,
        set_by -> BigInt,
        set_at -> BigInt,
    }
}

diesel::table! {
    ac_events (id) {
        id -> BigInt,
        product_id -> BigInt,
        kind -> Text,
        detail -> Text,
        by_user -> BigInt,
        at -> BigInt,
    }
}

diesel::table! {
    ac_installs (id) {
        id -> BigInt,
        product_id -> BigInt,
        org_id -> BigInt,
        app_id -> Nullable<BigInt>,
        phase -> Text,
        edition_id -> Nullable<BigInt>,
        version -> Integer,
        order_id -> Nullable<BigInt>,
        installed_by -> BigInt,
        installed_at -> BigInt,
        uninstalled_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    ac_orders (id) {
        id -> BigInt,
        order_no -> Text,
        product_id -> BigInt,
        edition_id -> BigInt,
        provider_org_id -> BigInt,
        customer_org_id -> BigInt,
        round -> Integer,
        price_fen -> BigInt,
        purchaser_id -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    ac_surveys (id) {
        id -> BigInt,
        product_id -> BigInt,
        phase -> Text,
        sent_by -> BigInt,
        sent_at -> BigInt,
    }
}

diesel::table! {
    ac_answers (survey_id, user_id) {
        survey_id -> BigInt,
        user_id -> BigInt,
        org_id -> BigInt,
        score -> Integer,
        comment -> Text,
        answered_at -> BigInt,
    }
}

diesel::table! {
    ac_bugs (id) {
        id -> BigInt,
        product_id -> BigInt,
        phase -> Text,
        severity -> Text,
        title -> Text,
        recorded_by -> BigInt,
        recorded_at -> BigInt,
    }
}

diesel::table! {
    app_errors (app_id, day) {
        app_id -> BigInt,
        day -> BigInt,
        count -> BigInt,
    }
}

diesel::table! {
    qd_invite_codes (id) {
        id -> BigInt,
        code -> Text,
        provider_org_id -> BigInt,
        note -> Text,
        issued_by -> BigInt,
        issued_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    qd_applications (id) {
        id -> BigInt,
        provider_org_id -> BigInt,
        product_id -> BigInt,
        invite_code_id -> BigInt,
        provider_name -> Text,
        product_code -> Text,
        reason -> Text,
        scenario -> Text,
        onsite_staff -> Bool,
        qr_sharing -> Text,
        directory_method -> Text,
        verify_serials -> Bool,
        serial_source -> Text,
        verify_url -> Text,
        verify_secret -> Text,
        callback_url -> Text,
        icon_key -> Text,
        status -> Text,
        decision_reason -> Text,
        submitted_by -> BigInt,
        submitted_at -> BigInt,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<BigInt>,
        link_token -> Nullable<Text>,
        link_product_id -> Nullable<BigInt>,
        link_paused -> Bool,
        link_suspended -> Bool,
        link_note -> Text,
    }
}

diesel::table! {
    qd_defects (id) {
        id -> BigInt,
        application_id -> BigInt,
        severity -> Text,
        description -> Text,
        recorded_by -> BigInt,
        recorded_at -> BigInt,
        plan_due_at -> BigInt,
        fix_due_at -> BigInt,
        plan -> Text,
        plan_at -> Nullable<BigInt>,
        fix_note -> Text,
        fixed_at -> Nullable<BigInt>,
        closed_by -> Nullable<BigInt>,
        closed_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    qd_complaints (id) {
        id -> BigInt,
        application_id -> BigInt,
        org_id -> BigInt,
        user_id -> BigInt,
        body -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    qd_serials (id) {
        id -> BigInt,
        application_id -> BigInt,
        serial -> Text,
        source -> Text,
        created_at -> BigInt,
        redeemed_org_id -> Nullable<BigInt>,
        redeemed_by -> Nullable<BigInt>,
        redeemed_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    qd_serial_tries (id) {
        id -> BigInt,
        application_id -> BigInt,
        serial -> Text,
        org_id -> BigInt,
        user_id -> BigInt,
        accepted -> Bool,
        at -> BigInt,
    }
}

diesel::table! {
    qd_deployments (id) {
        id -> BigInt,
        application_id -> BigInt,
        org_id -> BigInt,
        product_id -> BigInt,
        team_kind -> Text,
        created_by -> BigInt,
        created_at -> BigInt,
        serial -> Nullable<Text>,
        serial_at -> Nullable<BigInt>,
        app_id -> Nullable<BigInt>,
        authorised_by -> Nullable<BigInt>,
        authorised_at -> Nullable<BigInt>,
        scoped_at -> Nullable<BigInt>,
        started_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    qd_team_links (id) {
        id -> BigInt,
        org_id -> BigInt,
        token -> Text,
        join_approval -> Bool,
        created_by -> BigInt,
        created_at -> BigInt,
        expires_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    qd_team_joins (id) {
        id -> BigInt,
        link_id -> BigInt,
        org_id -> BigInt,
        user_id -> BigInt,
        status -> Text,
        requested_at -> BigInt,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    qd_member_invites (id) {
        id -> BigInt,
        org_id -> BigInt,
        user_id -> BigInt,
        token -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    qd_signups (id) {
        id -> BigInt,
        ip -> Text,
        at -> BigInt,
        user_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    qd_funnel (application_id, step, visitor) {
        application_id -> BigInt,
        step -> Text,
        visitor -> Text,
        at -> BigInt,
    }
}

diesel::table! {
    qd_api_keys (provider_org_id) {
        provider_org_id -> BigInt,
        key_hash -> Text,
        key_prefix -> Text,
        created_by -> BigInt,
        created_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    orgs,
    app_usage_refs,
    app_uses,
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
    projects,
    project_events,
    distribution_links,
    link_apps,
    link_events,
    orders,
    order_apps,
    part_sends,
    maintenance_grants,
    audit_records,
    spaces,
    seat_orders,
    contact_departures,
    departure_items,
    space_orgs,
    space_org_exits,
    space_scope,
    space_visibility,
    space_groups,
    collab_groups,
    collab_members,
    collab_messages,
    space_apps,
    space_app_targets,
    seats,
    seat_auto_departments,
    seat_alerts,
    seat_releases,
    seat_usage_days,
    cd_catalogue,
    cd_templates,
    cd_template_versions,
    cd_custom_apps,
    cd_reviews,
    cd_batches,
    cd_batch_templates,
    cd_app_permissions,
    cd_permission_requests,
    cd_permission_log,
    cd_credentials,
    cd_access_tokens,
    jobs,
    cd_deliveries,
    ac_invitations,
    ac_sellers,
    ac_products,
    ac_editions,
    ac_screenshots,
    ac_reviews,
    ac_cocreators,
    ac_cohort,
    ac_thresholds,
    ac_events,
    ac_installs,
    ac_orders,
    ac_surveys,
    ac_answers,
    ac_bugs,
    app_errors,
    qd_invite_codes,
    qd_applications,
    qd_defects,
    qd_complaints,
    qd_serials,
    qd_serial_tries,
    qd_deployments,
    qd_team_links,
    qd_team_joins,
    qd_member_invites,
    qd_signups,
    qd_funnel,
    qd_api_keys,
    unread_counts,
    project_status_counts,
);
