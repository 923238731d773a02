//! Table definitions shared by both backends: only types diesel's `MultiConnection` carries
//! (ids as `Text`, instants as `Timestamp` holding UTC, booleans as `Integer` 0/1).

diesel::table! {
    unit_population (unit_code, year) {
        unit_code -> Text,
        year -> Integer,
        residents -> BigInt,
        adults -> BigInt,
        aged_15_plus -> BigInt,
        households -> BigInt,
        updated_at -> Timestamp,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    hamlets (code) {
        code -> Text,
        commune_code -> Text,
        seq -> Integer,
        name -> Text,
        kind -> Text,
        search_text -> Text,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    rearrangements (id) {
        id -> Text,
        commune_code -> Text,
        effective_on -> Date,
        note -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    hamlet_lineage (from_code, to_code) {
        from_code -> Text,
        to_code -> Text,
        rearrangement_id -> Text,
    }
}

diesel::table! {
    team_hamlets (team_id, hamlet_code) {
        team_id -> Text,
        hamlet_code -> Text,
    }
}

diesel::table! {
    units (code) {
        code -> Text,
        name -> Text,
        kind -> Text,
        parent_code -> Nullable<Text>,
        official_name -> Text,
        search_text -> Text,
        active -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        phone -> Text,
        full_name -> Text,
        role -> Text,
        unit_code -> Nullable<Text>,
        search_text -> Text,
        password_hash -> Text,
        active -> Bool,
        token_generation -> Integer,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        family_id -> Text,
        user_id -> Text,
        token_hash -> Text,
        token_generation -> Integer,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(unit_population -> units (unit_code));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(users -> units (unit_code));

diesel::table! {
    teams (id) {
        id -> Text,
        commune_code -> Text,
        name -> Text,
        area -> Nullable<Text>,
        active -> Bool,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    team_members (team_id, user_id) {
        team_id -> Text,
        user_id -> Text,
        role -> Text,
        added_by -> Nullable<Text>,
        added_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        action -> Text,
        object_kind -> Text,
        object_id -> Text,
        unit_code -> Nullable<Text>,
        summary -> Text,
    }
}

diesel::table! {
    campaigns (id) {
        id -> Text,
        name -> Text,
        unit_code -> Text,
        starts_on -> Date,
        ends_on -> Date,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    campaign_targets (campaign_id, unit_code, metric) {
        campaign_id -> Text,
        unit_code -> Text,
        metric -> Text,
        target -> BigInt,
        percent -> Nullable<Double>,
        of_base -> Nullable<Text>,
    }
}

diesel::table! {
    daily_rollups (commune_code, day, team_id, volunteer_id, hamlet_code) {
        commune_code -> Text,
        day -> Date,
        team_id -> Text,
        volunteer_id -> Text,
        hamlet_code -> Text,
        records -> Integer,
        visits -> Integer,
        households_guided -> Integer,
        people_guided -> Integer,
        vneid_installs -> Integer,
        vneid_level2_activations -> Integer,
        signatures_submitted -> Integer,
        signatures_issued -> Integer,
        records_approved -> Integer,
        visits_approved -> Integer,
        households_guided_approved -> Integer,
        people_guided_approved -> Integer,
        vneid_installs_approved -> Integer,
        vneid_level2_activations_approved -> Integer,
        signatures_submitted_approved -> Integer,
        signatures_issued_approved -> Integer,
        digital_skills_certified -> Integer,
        digital_skills_certified_approved -> Integer,
        training_sessions -> Integer,
        training_sessions_approved -> Integer,
        training_attendees -> Integer,
        training_attendees_approved -> Integer,
    }
}

diesel::table! {
    certifications (id) {
        id -> Text,
        unit_code -> Text,
        period -> Text,
        from_day -> Date,
        to_day -> Date,
        status -> Text,
        metrics -> Text,
        note -> Nullable<Text>,
        submitted_by -> Text,
        submitted_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
        reopened_by -> Nullable<Text>,
        reopened_at -> Nullable<Timestamp>,
        reopen_reason -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    commune_rollups (commune_code, day) {
        commune_code -> Text,
        day -> Date,
        records -> Integer,
        visits -> Integer,
        households_guided -> Integer,
        people_guided -> Integer,
        vneid_installs -> Integer,
        vneid_level2_activations -> Integer,
        signatures_submitted -> Integer,
        signatures_issued -> Integer,
        records_approved -> Integer,
        visits_approved -> Integer,
        households_guided_approved -> Integer,
        people_guided_approved -> Integer,
        vneid_installs_approved -> Integer,
        vneid_level2_activations_approved -> Integer,
        signatures_submitted_approved -> Integer,
        signatures_issued_approved -> Integer,
        digital_skills_certified -> Integer,
        digital_skills_certified_approved -> Integer,
        training_sessions -> Integer,
        training_sessions_approved -> Integer,
        training_attendees -> Integer,
        training_attendees_approved -> Integer,
    }
}

diesel::table! {
    distinct_spans (kind, unit_code, day, prev_day) {
        kind -> Text,
        unit_code -> Text,
        day -> Date,
        prev_day -> Date,
        counted -> Integer,
        approved -> Integer,
    }
}

diesel::table! {
    citizen_rollups (commune_code, citizen_id, day, team_id, volunteer_id, hamlet_code) {
        province_code -> Text,
        commune_code -> Text,
        day -> Date,
        team_id -> Text,
        volunteer_id -> Text,
        citizen_id -> BigInt,
        hamlet_code -> Text,
        counted -> Integer,
        approved -> Integer,
    }
}

diesel::table! {
    citizens (id) {
        id -> BigInt,
        citizen_ref -> Text,
    }
}

diesel::joinable!(citizen_rollups -> citizens (citizen_id));

diesel::table! {
    api_keys (id) {
        id -> Text,
        name -> Text,
        unit_code -> Text,
        key_hash -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(team_members -> teams (team_id));
diesel::allow_tables_to_appear_in_same_query!(
    hamlets,
    rearrangements,
    hamlet_lineage,
    team_hamlets,
    households,
    household_versions,
    household_exits,
    digital_family_definitions,
    household_counts,
    household_count_days,
    login_failures,
    unit_population,
    units,
    users,
    refresh_tokens,
    teams,
    team_members,
    audit_log,
    records,
    campaigns,
    campaign_targets,
    daily_rollups,
    commune_rollups,
    distinct_spans,
    citizen_rollups,
    citizens,
    api_keys,
    certifications,
    webhooks,
    webhook_deliveries
);
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(certifications -> units (unit_code));

diesel::table! {
    records (id) {
        id -> Text,
        kind -> Text,
        team_id -> Text,
        volunteer_id -> Text,
        commune_code -> Text,
        occurred_at -> Timestamp,
        occurred_on -> Date,
        lat -> Nullable<Double>,
        lon -> Nullable<Double>,
        accuracy_m -> Nullable<Double>,
        hamlet -> Nullable<Text>,
        note -> Nullable<Text>,
        household_ref -> Nullable<Text>,
        outcome -> Nullable<Text>,
        people_guided -> Nullable<Integer>,
        topics -> Nullable<Text>,
        visit_id -> Nullable<Text>,
        citizen_ref -> Nullable<Text>,
        birth_year -> Nullable<Integer>,
        sex -> Nullable<Text>,
        action -> Nullable<Text>,
        result -> Nullable<Text>,
        failure_reason -> Nullable<Text>,
        provider -> Nullable<Text>,
        status -> Nullable<Text>,
        content_hash -> Text,
        received_at -> Timestamp,
        updated_at -> Timestamp,
        review_status -> Text,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
        review_note -> Nullable<Text>,
        duplicate_of -> Nullable<Text>,
        voided -> Bool,
        void_reason -> Nullable<Text>,
        voided_by -> Nullable<Text>,
        voided_at -> Nullable<Timestamp>,
        change_stamp -> Nullable<BigInt>,
        format -> Nullable<Text>,
        audience -> Nullable<Text>,
        attendees -> Nullable<Integer>,
        people_helped -> Nullable<Integer>,
        duration_minutes -> Nullable<Integer>,
        venue -> Nullable<Text>,
        hamlet_code -> Nullable<Text>,
        household_id -> Nullable<Text>,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Text,
        key -> Text,
        failed_at -> Timestamp,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        url -> Text,
        unit_code -> Text,
        events -> Text,
        description -> Nullable<Text>,
        secret -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
        daily_through -> Nullable<Date>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        event_id -> Text,
        event_type -> Text,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        next_attempt_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        lease_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    households (id) {
        id -> Text,
        commune_code -> Text,
        hamlet_code -> Text,
        label -> Text,
        label_key -> Text,
        address -> Nullable<Text>,
        members -> Integer,
        adults -> Integer,
        criteria_true -> Integer,
        criteria_known -> Integer,
        needs_placement -> Bool,
        closed_reason -> Nullable<Text>,
        duplicate_of -> Nullable<Text>,
        closed_at -> Nullable<Timestamp>,
        version -> Integer,
        observed_at -> Timestamp,
        content_hash -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        change_stamp -> BigInt,
    }
}

diesel::table! {
    household_versions (household_id, version) {
        household_id -> Text,
        version -> Integer,
        changed_at -> Timestamp,
        changed_by -> Text,
        observed_at -> Timestamp,
        changes -> Text,
        hamlet_code -> Text,
        is_open -> Bool,
        criteria_true -> Integer,
    }
}

diesel::table! {
    household_exits (team_id, change_stamp, household_id) {
        team_id -> Text,
        household_id -> Text,
        change_stamp -> BigInt,
    }
}

diesel::table! {
    digital_family_definitions (province_code) {
        province_code -> Text,
        criteria -> Text,
        residential_area_share -> Integer,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    household_counts (hamlet_code) {
        hamlet_code -> Text,
        commune_code -> Text,
        households -> Integer,
        digital_families -> Integer,
        smart_device -> Integer,
        internet -> Integer,
        vneid_all_adults -> Integer,
        online_public_services -> Integer,
        cashless_payment -> Integer,
        digital_skills -> Integer,
        digital_signature -> Integer,
        online_safety -> Integer,
    }
}

diesel::table! {
    household_count_days (commune_code, day, hamlet_code) {
        hamlet_code -> Text,
        day -> Date,
        commune_code -> Text,
        households -> Integer,
        digital_families -> Integer,
        smart_device -> Integer,
        internet -> Integer,
        vneid_all_adults -> Integer,
        online_public_services -> Integer,
        cashless_payment -> Integer,
        digital_skills -> Integer,
        digital_signature -> Integer,
        online_safety -> Integer,
    }
}
