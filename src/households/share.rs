//! A team's share of the register on its phones: the open households of the hamlets it
//! holds. `GET /sync/households` sends them all on a first call, then only what changed,
//! and names in `removed` those that left the share.
//!
//! Two streams, paged together by one cursor, each by `(change_stamp, id)` below the
//! settled horizon exactly as the record changes (`sync::changes` gives the argument):
//! - the households: every change stamps the row, and a team given a hamlet has the
//!   hamlet's households stamped anew, so its phones receive them;
//! - the exits (`household_exits`): a household moved or closed, or a hamlet taken from
//!   the team, writes one row per team it left, stamped in the same transaction.
//!
//! A page's items are the households open in the team's hamlets now, and its `removed` the
//! exits whose household is not: a household that left and came back is sent, not removed.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::model::{Household, VersionRow};
use super::queries;
use super::service::{HouseholdError, views};
use crate::access::AuthUser;
use crate::access::roles::{Role, Scope};
use crate::db::{DbConn, DbPool};

/// Most households (and most removals) in one page.
pub const PAGE_MAX: usize = 500;

const UNSETTLED_WAIT: Duration = Duration::from_secs(2);
const UNSETTLED_POLL: Duration = Duration::from_millis(20);

/// Notes that a household left `from` (for `to`, or closed): every team holding `from` but
/// not `to` gets an exit. Call it inside the changing transaction with its stamp.
pub fn left_hamlet(
    conn: &mut DbConn,
    household: &str,
    from: &str,
    to: Option<&str>,
    stamp: i64,
) -> diesel::QueryResult<()> {
    let staying = match to {
        Some(to) => queries::teams_holding(conn, to)?,
        None => Vec::new(),
    };
    let rows: Vec<(String, String)> = queries::teams_holding(conn, from)?
        .into_iter()
        .filter(|t| !staying.contains(t))
        .map(|t| (t, household.to_owned()))
        .collect();
    queries::insert_exits(conn, &rows, stamp)
}

/// A team's hamlets changed from `before` to `after`: the households of hamlets taken away
/// leave its phones, those of hamlets given are stamped so that they are sent.
pub fn team_hamlets_changed(
    conn: &mut DbConn,
    team_id: &str,
    before: &[String],
    after: &[String],
) -> diesel::QueryResult<()> {
    let dropped: Vec<String> = before
        .iter()
        .filter(|h| !after.contains(h))
        .cloned()
        .collect();
    let added: Vec<String> = after
        .iter()
        .filter(|h| !before.contains(h))
        .cloned()
        .collect();
    if dropped.is_empty() && added.is_empty() {
        return Ok(());
    }
    let stamp = crate::db::change_stamp(conn)?;
    if !dropped.is_empty() {
        let rows: Vec<(String, String)> = queries::open_ids_in(conn, &dropped)?
            .into_iter()
            .map(|h| (team_id.to_owned(), h))
            .collect();
        queries::insert_exits(conn, &rows, stamp)?;
    }
    if !added.is_empty() {
        queries::touch_open_in(conn, &added, stamp)?;
    }
    Ok(())
}

/// Households follow a rearrangement (`(closed hamlet, its successors in order)`): to the
/// merged hamlet, or after a split to the first new hamlet, marked for placement until a
/// volunteer says which one. Each move is a version of its own, by `actor`. Teams holding a
/// closed hamlet were given its successors, so no team loses them.
pub fn follow_rearrangement(
    conn: &mut DbConn,
    actor: &str,
    moves: &[(String, Vec<String>)],
) -> diesel::QueryResult<()> {
    if moves.is_empty() {
        return Ok(());
    }
    let stamp = crate::db::change_stamp(conn)?;
    let now = crate::clock::now();
    for (from, to) in moves {
        let Some(first) = to.first() else { continue };
        let split = to.len() > 1;
        for row in queries::open_in(conn, from)? {
            let mut next = row.clone();
            next.hamlet_code = first.clone();
            next.needs_placement = split;
            next.version = row.version + 1;
            next.updated_at = now;
            next.change_stamp = stamp;
            queries::update_if_version(conn, &next, row.version)?;
            super::tally::apply(conn, &[(row.placed(), next.placed())], now)?;
            let mut changes = serde_json::Map::new();
            changes.insert("hamlet_code".into(), serde_json::json!([from, first]));
            if split && !row.needs_placement {
                changes.insert("needs_placement".into(), serde_json::json!([false, true]));
            }
            queries::insert_version(
                conn,
                &VersionRow {
                    household_id: row.id.clone(),
                    version: next.version,
                    changed_at: now,
                    changed_by: actor.to_owned(),
                    observed_at: now,
                    changes: serde_json::Value::Object(changes).to_string(),
                    hamlet_code: next.hamlet_code.clone(),
                    is_open: true,
                    criteria_true: next.criteria_true,
                },
            )?;
        }
    }
    Ok(())
}

/// Where a phone is in its team's share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The last household sent: `(stamp, id)`.
    pub item: (i64, String),
    /// The last exit sent.
    pub exit: (i64, String),
}

const PREFIX: &str = "s1:";

impl Cursor {
    /// The start: everything.
    pub fn start() -> Self {
        Self {
            item: (0, String::new()),
            exit: (0, String::new()),
        }
    }

    /// The opaque text handed to the phone.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!(
            "{PREFIX}{}:{}:{}:{}",
            self.item.0, self.item.1, self.exit.0, self.exit.1
        ))
    }

    /// A cursor this server issued; `None` for anything else.
    pub fn decode(raw: &str) -> Option<Self> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(raw).ok()?).ok()?;
        let rest = text.strip_prefix(PREFIX)?;
        let parts: Vec<&str> = rest.split(':').collect();
        let [a, b, c, d] = parts.as_slice() else {
            return None;
        };
        let stamp = |s: &str| s.parse::<i64>().ok().filter(|n| *n >= 0);
        let id = |s: &str| {
            (s.len() <= 64 && s.chars().all(|c| c.is_ascii_graphic())).then(|| s.to_owned())
        };
        Some(Self {
            item: (stamp(a)?, id(b)?),
            exit: (stamp(c)?, id(d)?),
        })
    }
}

/// One page of a team's share.
#[derive(Debug)]
pub struct Page {
    /// Households to keep (new or changed), in change order.
    pub items: Vec<Household>,
    /// Households to drop.
    pub removed: Vec<String>,
    /// Where the next page starts.
    pub next: Cursor,
    /// More waits: call again at once.
    pub has_more: bool,
}

/// The team whose share the caller may pull: its members, supervisors in scope, admins.
pub fn team_for_pull(
    conn: &mut DbConn,
    caller: &AuthUser,
    team_id: &str,
) -> Result<Vec<String>, HouseholdError> {
    let (commune, _, member) =
        queries::team_for(conn, team_id, &caller.id)?.ok_or(HouseholdError::NotFound)?;
    let visible = member
        || match (&caller.role, &caller.scope) {
            (Role::Volunteer, _) => false,
            (_, Scope::National) => true,
            (_, Scope::Commune(c)) => *c == commune,
            (_, Scope::Province(p)) => {
                queries::unit_parent(conn, &commune)?.flatten().as_deref() == Some(p)
            }
        };
    if !visible {
        return Err(HouseholdError::NotFound);
    }
    Ok(queries::hamlets_of_team(conn, team_id)?)
}

/// The next page of a team's share after `since`. A page empty only because a committed
/// change waits behind an older open transaction is retried for a moment, holding no
/// connection while it waits.
pub async fn next_page(
    pool: &DbPool,
    caller: AuthUser,
    team_id: String,
    since: Cursor,
) -> Result<Page, HouseholdError> {
    let started = Instant::now();
    loop {
        let (caller, team, cursor) = (caller.clone(), team_id.clone(), since.clone());
        let (page, unsettled) = crate::db::run(pool, move |conn| {
            let hamlets = team_for_pull(conn, &caller, &team)?;
            let settled = crate::db::settled_stamp(conn)?;
            let mut rows = queries::share_changes(
                conn,
                &hamlets,
                cursor.item.clone(),
                settled,
                PAGE_MAX as i64 + 1,
            )?;
            let mut exits = queries::exits_after(
                conn,
                &team,
                cursor.exit.clone(),
                settled,
                PAGE_MAX as i64 + 1,
            )?;
            let full = rows.len() > PAGE_MAX || exits.len() > PAGE_MAX;
            rows.truncate(PAGE_MAX);
            exits.truncate(PAGE_MAX);
            let unsettled = match settled {
                Some(s) if !full => queries::has_unsettled(conn, &team, &hamlets, s)?,
                _ => false,
            };
            let next = Cursor {
                item: rows
                    .last()
                    .map_or(cursor.item.clone(), |r| (r.change_stamp, r.id.clone())),
                exit: exits.last().cloned().unwrap_or(cursor.exit.clone()),
            };
            let mut gone: Vec<String> = exits.into_iter().map(|(_, id)| id).collect();
            gone.sort();
            gone.dedup();
            let still = queries::open_among(conn, &gone, &hamlets)?;
            gone.retain(|id| !still.contains(id));
            let items = views(conn, rows)?;
            Ok::<_, HouseholdError>((
                Page {
                    items,
                    removed: gone,
                    next,
                    has_more: full,
                },
                unsettled,
            ))
        })
        .await?;
        let empty = page.items.is_empty() && page.removed.is_empty();
        if empty && unsettled && started.elapsed() < UNSETTLED_WAIT {
            tokio::time::sleep(UNSETTLED_POLL).await;
            continue;
        }
        return Ok(Page {
            has_more: page.has_more || unsettled,
            ..page
        });
    }
}

#[cfg(test)]
mod tests {
    use super::Cursor;

    #[test]
    fn cursors_round_trip_and_strangers_are_refused() {
        let c = Cursor {
            item: (42, "0192f0e4-4a9e-7c1b-9d55-3a2f1b6c7d8e".into()),
            exit: (7, "x".into()),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(
            Cursor::decode(&Cursor::start().encode()),
            Some(Cursor::start())
        );
        for bad in ["", "!!", "czE6MTox"] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }
}
