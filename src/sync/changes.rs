//! The delta pull's cursor: where a phone is in the stream of changes to its records.
//!
//! Why it cannot miss a change. Every change to a record after its create (review, duplicate
//! flag, void, edit) sets the record's `change_stamp` inside the changing transaction
//! (`db::change_stamp`), and the phone pages by `(change_stamp, id)`. A timestamp would not
//! do: it is taken when the statement runs, and a transaction stamped earlier can commit
//! after a reader has paged past it. The stamps avoid that on each database:
//! - PostgreSQL stamps with the transaction id. A page only reads stamps below the `xmin` of
//!   a snapshot taken first (`db::settled_stamp`): every transaction with a smaller id has
//!   ended, so the set of changes below that horizon is final. A change still in flight has
//!   an id at or above it and waits for a later page; one that commits later has an id above
//!   every id the phone has passed, since those were below an earlier horizon.
//! - SQLite has one writer at a time and takes the stamp from a counter inside the write
//!   transaction, so stamps commit in order, and a reader sees a prefix of the commits.
//!
//! A record changed again gets a new, larger stamp and moves forward in the stream, so the
//! phone may receive it twice, never not at all; each change carries the record as it is.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::db::{DbError, DbPool};
use crate::records::model::RecordRow;
use crate::records::queries;

/// Most changes in one page; `has_more` says whether to call again.
pub const PAGE_MAX: usize = 500;

/// How long an empty page waits for a committed change held back by an older transaction
/// still open (PostgreSQL), and how often it looks again; after that it answers
/// `has_more: true`, so the phone asks again.
const UNSETTLED_WAIT: Duration = Duration::from_secs(2);
const UNSETTLED_POLL: Duration = Duration::from_millis(20);

/// One page of an author's changes.
#[derive(Debug)]
pub struct Page {
    /// The changed records as they are now, in change order.
    pub rows: Vec<RecordRow>,
    /// Where the next page starts.
    pub next: Cursor,
    /// Whether more changes wait (a full page, or one held back by an open transaction).
    pub has_more: bool,
}

/// The page of `author`'s changes after `since`. A page that would be empty only because a
/// committed change waits for an older transaction to end is retried for a moment instead of
/// answering "nothing more", holding no connection while it waits.
pub async fn next_page(pool: &DbPool, author: &str, since: Cursor) -> Result<Page, DbError> {
    let started = Instant::now();
    loop {
        let (cursor, author) = (since.clone(), author.to_owned());
        let (mut rows, unsettled) = crate::db::run(pool, move |conn| {
            // The horizon first, then the changes below it.
            let settled = crate::db::settled_stamp(conn)?;
            let after = (cursor.stamp, cursor.id);
            let rows = queries::changes_after(
                conn,
                &author,
                Some(after.clone()),
                settled,
                PAGE_MAX as i64 + 1,
            )?;
            let unsettled = match settled {
                Some(settled) if rows.len() <= PAGE_MAX => {
                    let last = rows.last().map_or(after, |(r, s)| (*s, r.id.clone()));
                    queries::has_unsettled_change(conn, &author, last, settled)?
                }
                _ => false,
            };
            Ok::<_, DbError>((rows, unsettled))
        })
        .await?;
        let has_more = rows.len() > PAGE_MAX || unsettled;
        if rows.is_empty() && unsettled && started.elapsed() < UNSETTLED_WAIT {
            tokio::time::sleep(UNSETTLED_POLL).await;
            continue;
        }
        rows.truncate(PAGE_MAX);
        let next = match rows.last() {
            Some((row, stamp)) => Cursor {
                stamp: *stamp,
                id: row.id.clone(),
            },
            None => since,
        };
        return Ok(Page {
            rows: rows.into_iter().map(|(row, _)| row).collect(),
            next,
            has_more,
        });
    }
}

/// A position in the change stream: after the change of record `id` stamped `stamp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The last delivered change's stamp (0 before the first).
    pub stamp: i64,
    /// The last delivered record's id (empty before the first).
    pub id: String,
}

/// What `since` said.
#[derive(Debug, PartialEq, Eq)]
pub enum Since {
    /// A cursor of this server.
    At(Cursor),
    /// A cursor of the server before the change stamps (a time): the phone starts over and
    /// may receive changes it already had, which it applies idempotently.
    Legacy,
}

const PREFIX: &str = "c1:";

impl Cursor {
    /// The beginning of the stream.
    pub fn start() -> Self {
        Self {
            stamp: 0,
            id: String::new(),
        }
    }

    /// The opaque text handed to the phone.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{PREFIX}{}:{}", self.stamp, self.id))
    }

    /// Reads a cursor this server issued; `None` for anything else.
    pub fn decode(raw: &str) -> Option<Since> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(raw).ok()?).ok()?;
        if let Some(rest) = text.strip_prefix(PREFIX) {
            let (stamp, id) = rest.split_once(':')?;
            let stamp = stamp.parse::<i64>().ok().filter(|s| *s >= 0)?;
            let sane = id.len() <= 64 && id.chars().all(|c| c.is_ascii_graphic());
            return sane.then(|| {
                Since::At(Cursor {
                    stamp,
                    id: id.to_owned(),
                })
            });
        }
        chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.6f")
            .ok()
            .map(|_| Since::Legacy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let c = Cursor {
            stamp: 912_345,
            id: "0192f0e4-4a9e-7c1b-9d55-3a2f1b6c7d8e".into(),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(Since::At(c)));
        assert_eq!(
            Cursor::decode(&Cursor::start().encode()),
            Some(Since::At(Cursor::start()))
        );
    }

    #[test]
    fn time_cursors_of_the_old_server_start_over() {
        let old = URL_SAFE_NO_PAD.encode("2026-11-30T10:00:00.123456");
        assert_eq!(Cursor::decode(&old), Some(Since::Legacy));
    }

    #[test]
    fn anything_else_is_refused() {
        for raw in [
            "",
            "!!",
            &URL_SAFE_NO_PAD.encode("c1:-1:x"),
            &URL_SAFE_NO_PAD.encode("c1:abc:x"),
            &URL_SAFE_NO_PAD.encode("c1:5"),
            &URL_SAFE_NO_PAD.encode("c1:5:a b"),
            &URL_SAFE_NO_PAD.encode("yesterday"),
        ] {
            assert_eq!(Cursor::decode(raw), None, "{raw}");
        }
    }
}
