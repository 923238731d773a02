//! `GET /api/v1/follow-ups?team=`: what a team must come back to, oldest first. Each kind
//! has its own "still open" rule, answered by one indexed query per kind.

use chrono::NaiveDateTime;
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{Kind, RecordRow};
use super::views::RecordView;
use crate::db::DbConn;
use crate::schema::records;

/// Why a record needs coming back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpReason {
    /// A visit with outcome `follow_up`, no later visit to the same household yet.
    VisitFollowUp,
    /// A VNeID assist still `pending`, no later record of the same citizen and action.
    AssistPending,
    /// A signature registration still `submitted`, not yet `issued` or `failed`.
    SignatureSubmitted,
}

/// One thing to come back to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowUp {
    /// Which rule keeps it open.
    pub reason: FollowUpReason,
    /// `visit`, `vneid_assist` or `signature_registration`.
    pub kind: Kind,
    /// The record, in its kind's shape.
    pub record: RecordView,
}

diesel::alias!(records as later: LaterRecords);

fn open_base(
    team_id: &str,
    after: Option<&(NaiveDateTime, String)>,
) -> records::BoxedQuery<'static, crate::db::MultiBackend> {
    let mut query = records::table
        .filter(records::team_id.eq(team_id.to_owned()))
        .filter(records::voided.eq(false))
        .filter(records::review_status.ne("rejected"))
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            records::occurred_at
                .gt(*at)
                .or(records::occurred_at.eq(*at).and(records::id.gt(id.clone()))),
        );
    }
    query
}

/// Open follow-ups of a team, oldest first after the keyset, at most `limit` of them.
pub fn open(
    conn: &mut DbConn,
    team_id: &str,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<FollowUp>> {
    let order = (records::occurred_at.asc(), records::id.asc());
    let visits: Vec<RecordRow> = open_base(team_id, after.as_ref())
        .filter(records::kind.eq("visit"))
        .filter(records::outcome.eq("follow_up"))
        .filter(not(exists(
            later
                .filter(later.field(records::team_id).eq(records::team_id))
                .filter(later.field(records::kind).eq("visit"))
                .filter(
                    later
                        .field(records::household_ref)
                        .eq(records::household_ref)
                        .or(later.field(records::household_id).eq(records::household_id)),
                )
                .filter(later.field(records::occurred_at).gt(records::occurred_at))
                .filter(later.field(records::voided).eq(false)),
        )))
        .select(RecordRow::as_select())
        .order(order)
        .limit(limit)
        .load(conn)?;
    let assists: Vec<RecordRow> = open_base(team_id, after.as_ref())
        .filter(records::kind.eq("vneid_assist"))
        .filter(records::result.eq("pending"))
        .filter(not(exists(
            later
                .filter(later.field(records::citizen_ref).eq(records::citizen_ref))
                .filter(later.field(records::kind).eq("vneid_assist"))
                .filter(later.field(records::action).eq(records::action))
                .filter(later.field(records::occurred_at).gt(records::occurred_at))
                .filter(later.field(records::voided).eq(false)),
        )))
        .select(RecordRow::as_select())
        .order(order)
        .limit(limit)
        .load(conn)?;
    let signatures: Vec<RecordRow> = open_base(team_id, after.as_ref())
        .filter(records::kind.eq("signature_registration"))
        .filter(records::status.eq("submitted"))
        .filter(not(exists(
            later
                .filter(later.field(records::citizen_ref).eq(records::citizen_ref))
                .filter(later.field(records::kind).eq("signature_registration"))
                .filter(later.field(records::status).ne("submitted"))
                .filter(later.field(records::occurred_at).gt(records::occurred_at))
                .filter(later.field(records::voided).eq(false)),
        )))
        .select(RecordRow::as_select())
        .order(order)
        .limit(limit)
        .load(conn)?;
    let mut items: Vec<(RecordRow, FollowUpReason)> = visits
        .into_iter()
        .map(|r| (r, FollowUpReason::VisitFollowUp))
        .chain(
            assists
                .into_iter()
                .map(|r| (r, FollowUpReason::AssistPending)),
        )
        .chain(
            signatures
                .into_iter()
                .map(|r| (r, FollowUpReason::SignatureSubmitted)),
        )
        .collect();
    items.sort_by(|(a, _), (b, _)| (a.occurred_at, &a.id).cmp(&(b.occurred_at, &b.id)));
    items.truncate(limit as usize);
    Ok(items
        .into_iter()
        .map(|(row, reason)| FollowUp {
            reason,
            kind: row.kind,
            record: RecordView::from(&row),
        })
        .collect())
}
