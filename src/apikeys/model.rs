//! A dashboard key as stored: its digest, never the key.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::api_keys;

/// A key row (digest only).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_keys)]
pub struct ApiKeyRow {
    /// UUID.
    pub id: String,
    /// What it is for.
    pub name: String,
    /// The unit it reads.
    pub unit_code: String,
    /// SHA-256 of the key, hex.
    pub key_hash: String,
    /// Creator.
    pub created_by: Option<String>,
    /// Creation instant.
    pub created_at: NaiveDateTime,
    /// Last request made with it (to the minute).
    pub last_used_at: Option<NaiveDateTime>,
    /// When it was revoked.
    pub revoked_at: Option<NaiveDateTime>,
}
