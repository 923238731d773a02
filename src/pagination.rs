//! Cursor pagination shared by every list: `?limit=` (default 50, max 500) and an opaque
//! `?cursor=`, answered as `{"items": [...], "next_cursor": ...}`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::messages as msg;

/// Default page size.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest page a client may ask for.
pub const MAX_LIMIT: i64 = 500;

/// The `limit` and `cursor` query parameters, as each list's query type received them.
#[derive(Debug, Default)]
pub struct PageParams {
    /// Items per page, 1–500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
}

impl PageParams {
    /// The page size, or the error naming `limit`.
    pub fn limit(&self) -> Result<i64, FieldError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(FieldError::new(
                "limit",
                "out_of_range",
                msg::limit_range(MAX_LIMIT),
            )),
        }
    }

    /// The decoded cursor text, or the error naming `cursor` when it was not one of ours.
    pub fn cursor(&self) -> Result<Option<String>, FieldError> {
        let Some(raw) = &self.cursor else {
            return Ok(None);
        };
        URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(Some)
            .ok_or_else(|| FieldError::new("cursor", "invalid_cursor", msg::INVALID_CURSOR))
    }
}

const KEYSET_TIME: &str = "%Y-%m-%dT%H:%M:%S%.6f";

/// Cursor text for lists ordered newest first by `(created_at, id)`.
pub fn keyset_cursor(at: NaiveDateTime, id: &str) -> String {
    format!("{}|{id}", at.format(KEYSET_TIME))
}

impl PageParams {
    /// The `(created_at, id)` after which a newest-first page continues.
    pub fn keyset(&self) -> Result<Option<(NaiveDateTime, String)>, FieldError> {
        let Some(text) = self.cursor()? else {
            return Ok(None);
        };
        text.split_once('|')
            .and_then(|(at, id)| {
                NaiveDateTime::parse_from_str(at, KEYSET_TIME)
                    .ok()
                    .map(|at| Some((at, id.to_owned())))
            })
            .ok_or_else(|| FieldError::new("cursor", "invalid_cursor", msg::INVALID_CURSOR))
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` fetched rows: the extra row only tells that
    /// another page exists, and `key` of the last kept item becomes the cursor.
    pub fn from_rows(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> String) -> Self {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(|last| URL_SAFE_NO_PAD.encode(key(last)))
        } else {
            None
        };
        Self {
            items: rows,
            next_cursor,
        }
    }

    /// Converts the items, keeping the cursor.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}
