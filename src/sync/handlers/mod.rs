//! `POST /api/v1/sync` and `GET /api/v1/sync/state`. A batch goes through exactly the code
//! of the single-record endpoints (`records::service::batch`, over `prepare` and
//! `store_all`): the same checks, the same hashing of citizen ids, the same duplicate flags
//! and audit.

pub mod meta;

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::changes::{Cursor, Since};
use crate::access::AuthUser;
use crate::campaigns::model::Campaign;
use crate::error::{ApiError, ApiResult, FieldError, FieldErrorView};
use crate::extract::{ApiJson, ApiQuery, from_value};
use crate::messages as msg;
use crate::messages::Lang;
use crate::records::input::{
    AssistInput, SignatureInput, Submission, TrainingSessionInput, VisitInput,
};
use crate::records::model::{Kind, ReviewStatus};
use crate::records::service::batch::{Item, Outcome};
use crate::records::service::{self, Settings};
use crate::records::views::RecordView;
use crate::state::AppState;
use crate::teams::model::TeamDetail;
use crate::units::model::Unit;
use meta::SYNC_BATCH_MAX;

/// A batch of records logged offline, at most 1,000 in all.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    /// Households registered or changed (a change carries `base_version`), applied before
    /// the records, so a visit may name one registered in the same batch.
    #[schema(value_type = Vec<crate::households::input::SyncHousehold>)]
    #[serde(default)]
    pub households: Vec<Value>,
    /// Household visits (stored first, so the other kinds may point at them).
    #[schema(value_type = Vec<VisitInput>)]
    #[serde(default)]
    pub visits: Vec<Value>,
    /// VNeID assists.
    #[schema(value_type = Vec<AssistInput>)]
    #[serde(default)]
    pub vneid_assists: Vec<Value>,
    /// Digital-signature registrations.
    #[schema(value_type = Vec<SignatureInput>)]
    #[serde(default)]
    pub signature_registrations: Vec<Value>,
    /// Classes, support points and online sessions.
    #[schema(value_type = Vec<TrainingSessionInput>)]
    #[serde(default)]
    pub training_sessions: Vec<Value>,
}

/// What happened to one record or household of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncStatus {
    /// Stored now, durably.
    Created,
    /// A household changed on its current version.
    Updated,
    /// A household changed on an older version, merged field by field (see `conflicts`).
    Merged,
    /// Already stored with the same content (a retry).
    Unchanged,
    /// A household whose label an open household of the hamlet has: `duplicate_of` names
    /// it; use that id from now on.
    Duplicate,
    /// The id is stored with other content; nothing was changed.
    Conflict,
    /// Not stored; see `errors`.
    Invalid,
}

/// What a result is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncKind {
    /// A household.
    Household,
    /// A household visit.
    Visit,
    /// A VNeID assist.
    VneidAssist,
    /// A digital-signature registration.
    SignatureRegistration,
    /// A class or support point.
    TrainingSession,
}

impl From<Kind> for SyncKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Visit => Self::Visit,
            Kind::VneidAssist => Self::VneidAssist,
            Kind::SignatureRegistration => Self::SignatureRegistration,
            Kind::TrainingSession => Self::TrainingSession,
        }
    }
}

/// The answer for one record or household.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncResult {
    /// `household`, `visit`, `vneid_assist`, `signature_registration` or `training_session`.
    pub kind: SyncKind,
    /// The record's id (as sent, or made by the server); `null` if it had none and was invalid.
    pub id: Option<String>,
    /// What happened.
    pub status: SyncStatus,
    /// Why it is invalid (empty otherwise), in the caller's language.
    pub errors: Vec<FieldErrorView>,
    /// `merged`: the fields both this change and others since its `base_version` changed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<String>,
    /// `duplicate`: the household that has the label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
}

/// One result per household and record, in request order (households, then visits, then
/// assists, then registrations, then training sessions).
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncResponse {
    /// Results.
    pub results: Vec<SyncResult>,
}

/// A batch's households (applied first) and its records in storing order.
pub type BatchItems = (Vec<Value>, Vec<(Kind, Value)>);

impl SyncRequest {
    /// The batch's records in storing order, or the whole batch refused when it is too big
    /// (public so that the fuzz targets decode exactly as the handler does).
    pub fn into_items(self) -> ApiResult<BatchItems> {
        let total = self.households.len()
            + self.visits.len()
            + self.vneid_assists.len()
            + self.signature_registrations.len()
            + self.training_sessions.len();
        if total > SYNC_BATCH_MAX {
            return Err(ApiError::field(
                "batch",
                "too_many_records",
                msg::too_many_records(SYNC_BATCH_MAX, total),
            ));
        }
        let kinds = [
            (Kind::Visit, self.visits),
            (Kind::VneidAssist, self.vneid_assists),
            (Kind::SignatureRegistration, self.signature_registrations),
            (Kind::TrainingSession, self.training_sessions),
        ];
        Ok((
            self.households,
            kinds
                .into_iter()
                .flat_map(|(kind, values)| values.into_iter().map(move |v| (kind, v)))
                .collect(),
        ))
    }
}

/// Decodes one record of a batch as its kind's create body. A shape error or a control
/// character belongs to that record alone, so it is a field error rather than a refused batch.
pub fn parse_record(kind: Kind, value: Value) -> Result<Submission, Vec<FieldError>> {
    Ok(match kind {
        Kind::Visit => from_value::<VisitInput>(value)?.into(),
        Kind::VneidAssist => from_value::<AssistInput>(value)?.into(),
        Kind::SignatureRegistration => from_value::<SignatureInput>(value)?.into(),
        Kind::TrainingSession => from_value::<TrainingSessionInput>(value)?.into(),
    })
}

/// Upload records logged offline. Each record stands alone: one bad record never rejects
/// the others, and a retried batch creates nothing twice. The answer comes only after every
/// record it reports `created` is durably committed; with no answer, retry the whole batch.
#[utoipa::path(
    tag = "sync",
    request_body = SyncRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One result per record, in request order", body = SyncResponse),
        (status = 422, description = "Not a batch, or more than 1,000 records (nothing stored)")
    )
)]
#[post("/sync")]
pub async fn sync(
    caller: AuthUser,
    lang: Lang,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<SyncRequest, false>,
) -> ApiResult<HttpResponse> {
    let (households, items) = body.into_items()?;
    let mut results: Vec<SyncResult> = Vec::new();
    if !households.is_empty() {
        let (ids, parsed): (Vec<_>, Vec<_>) = households
            .into_iter()
            .map(crate::households::input::parse_sync_item)
            .unzip();
        let who = caller.clone();
        let outcomes = state
            .write_records(move |conn| crate::households::batch::apply_all(conn, &who, parsed))
            .await?;
        results.extend(
            ids.into_iter()
                .zip(outcomes)
                .map(|(id, o)| household_result(id, o, lang)),
        );
    }
    let st = state.clone();
    let checked = state
        .primary(move |conn| {
            let items = items
                .into_iter()
                .map(|(kind, value)| Item {
                    kind,
                    sent_id: value.get("id").and_then(Value::as_str).map(str::to_owned),
                    submission: parse_record(kind, value),
                })
                .collect();
            service::check_batch(
                conn,
                Settings::new(&st.config, &st.memberships),
                &caller,
                items,
            )
        })
        .await?;
    let answers = state
        .write_records(move |conn| service::store_batch(conn, checked))
        .await?;
    results.extend(answers.into_iter().map(|answer| {
        let (status, errors) = match answer.outcome {
            Outcome::Created => (SyncStatus::Created, Vec::new()),
            Outcome::Unchanged => (SyncStatus::Unchanged, Vec::new()),
            Outcome::Conflict => (SyncStatus::Conflict, Vec::new()),
            Outcome::Invalid(errors) => (
                SyncStatus::Invalid,
                errors.iter().map(|e| e.view(lang)).collect(),
            ),
        };
        if status == SyncStatus::Created {
            crate::metrics::record_created(answer.kind.as_str());
        }
        SyncResult {
            kind: answer.kind.into(),
            id: answer.id,
            status,
            errors,
            conflicts: Vec::new(),
            duplicate_of: None,
        }
    }));
    crate::metrics::sync_batch(results.len());
    Ok(HttpResponse::Ok()
        .insert_header((header::VARY, "Accept-Language"))
        .insert_header((header::CONTENT_LANGUAGE, lang.tag()))
        .json(SyncResponse { results }))
}

fn household_result(
    id: Option<String>,
    outcome: crate::households::batch::Outcome,
    lang: Lang,
) -> SyncResult {
    use crate::households::batch::Outcome as O;
    let mut result = SyncResult {
        kind: SyncKind::Household,
        id,
        status: SyncStatus::Invalid,
        errors: Vec::new(),
        conflicts: Vec::new(),
        duplicate_of: None,
    };
    result.status = match outcome {
        O::Created => SyncStatus::Created,
        O::Updated => SyncStatus::Updated,
        O::Unchanged => SyncStatus::Unchanged,
        O::Conflict => SyncStatus::Conflict,
        O::Merged(fields) => {
            result.conflicts = fields;
            SyncStatus::Merged
        }
        O::Duplicate(other) => {
            result.duplicate_of = Some(other);
            SyncStatus::Duplicate
        }
        O::Invalid(errors) => {
            result.errors = errors.iter().map(|e| e.view(lang)).collect();
            SyncStatus::Invalid
        }
    };
    result
}

/// Where the previous state left off.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StateQuery {
    /// `cursor` of the previous answer; absent for a first sync.
    #[param(max_length = 200)]
    pub since: Option<String>,
}

/// A change to one of the caller's records made on the server after its create.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordChange {
    /// Kind.
    pub kind: Kind,
    /// Record id.
    pub id: String,
    /// Review state now.
    pub review_status: ReviewStatus,
    /// Reviewer's note, or why it was flagged.
    pub review_note: Option<String>,
    /// Who reviewed it.
    pub reviewed_by: Option<String>,
    /// The earlier record it may duplicate.
    pub duplicate_of: Option<String>,
    /// Whether it is voided.
    pub voided: bool,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The record as it is now (an edit by a supervisor changes its content).
    pub record: RecordView,
}

/// What a phone needs after a sync.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncState {
    /// Pass as `since` next time.
    pub cursor: String,
    /// `true`: more changes wait; call again at once with `cursor`.
    pub has_more: bool,
    /// The server's clock.
    pub server_time: DateTime<Utc>,
    /// The caller's teams with their members and hamlets.
    pub teams: Vec<TeamDetail>,
    /// The current hamlets and residential groups of the teams' communes, with their
    /// lineage: a phone whose list still holds a closed code finds where it went among
    /// their `predecessors`, so its pick list stays right after a rearrangement.
    pub hamlets: Vec<Unit>,
    /// Campaigns running today that the caller can see, with their targets.
    pub campaigns: Vec<Campaign>,
    /// The caller's records changed on the server after their create (review, duplicate
    /// flag, void, edit) since `since`, oldest change first, at most 500. A record changed
    /// again comes again, as it is then: apply changes idempotently.
    #[schema(max_items = 500)]
    pub record_changes: Vec<RecordChange>,
}

/// Most open campaigns listed (a commune sees its own and its province's).
const OPEN_CAMPAIGNS_MAX: i64 = 100;

/// What changed for the caller since the last sync: their teams and members, the campaigns
/// running today with their targets, and the changes to their own records, a page at a time
/// (follow `cursor` while `has_more`). Paging cannot skip a change that commits late; the
/// argument is in `sync::changes`.
#[utoipa::path(
    tag = "sync",
    params(StateQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Teams and changes since the cursor", body = SyncState),
        (status = 400, description = "`since` is not a cursor this server issued")
    )
)]
#[get("/sync/state")]
pub async fn sync_state(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiQuery(query): ApiQuery<StateQuery>,
) -> ApiResult<HttpResponse> {
    let since = match query.since.as_deref().map(Cursor::decode) {
        None | Some(Some(Since::Legacy)) => Cursor::start(),
        Some(Some(Since::At(cursor))) => cursor,
        Some(None) => {
            return Err(ApiError::BadQuery(FieldError::new(
                "since",
                "invalid_cursor",
                msg::INVALID_CURSOR,
            )));
        }
    };
    let page = super::changes::next_page(state.primary_pool(), &caller.id, since).await?;
    let answer = state
        .primary(move |conn| {
            let mut teams = Vec::new();
            let mut communes = Vec::new();
            for membership in crate::teams::queries::memberships(conn, &caller.id)? {
                let team = crate::teams::access::readable(conn, &caller, &membership.team_id)?;
                communes.push(team.commune_code.clone());
                teams.push(crate::teams::service::detail(conn, team)?);
            }
            communes.sort();
            communes.dedup();
            let hamlets = crate::units::hamlets::service::pick_list(conn, &communes)?;
            let today = crate::clock::today();
            let mut campaigns = Vec::new();
            let open = crate::campaigns::queries::list(
                conn,
                &caller.scope,
                caller.unit_code.as_deref(),
                None,
                Some(today),
                None,
                OPEN_CAMPAIGNS_MAX,
            )?;
            for row in open {
                campaigns.push(crate::campaigns::service::with_targets(conn, row)?);
            }
            let record_changes = page
                .rows
                .into_iter()
                .map(|r| RecordChange {
                    kind: r.kind,
                    review_status: r.review_status,
                    record: RecordView::from(&r),
                    id: r.id,
                    review_note: r.review_note,
                    reviewed_by: r.reviewed_by,
                    duplicate_of: r.duplicate_of,
                    voided: r.voided,
                    updated_at: r.updated_at.and_utc(),
                })
                .collect();
            Ok::<_, ApiError>(SyncState {
                cursor: page.next.encode(),
                has_more: page.has_more,
                server_time: Utc::now(),
                teams,
                hamlets,
                campaigns,
                record_changes,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer))
}
