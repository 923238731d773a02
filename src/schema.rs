//! Table definitions shared by both backends: only types diesel's `MultiConnection` carries
//! (ids as `Text`, instants as `Timestamp` holding UTC, booleans as `Integer` 0/1).

diesel::table! {
    units (code) {
        code -> Text,
        name -> Text,
        kind -> Text,
        parent_code -> Nullable<Text>,
        official_name -> Text,
        search_text -> Text,
        active -> Integer,
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
        active -> Integer,
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

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(users -> units (unit_code));
diesel::allow_tables_to_appear_in_same_query!(units, users, refresh_tokens);
