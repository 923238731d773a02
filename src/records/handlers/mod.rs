//! The record endpoints, one set per kind (`/visits`, `/vneid-assists`,
//! `/signature-registrations`, `/training-sessions`), all thin wrappers over
//! [`super::service`].

pub mod anomalies;
pub mod exports;

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::followups::FollowUp;
use super::input::{
    AssistInput, AssistPatch, Patch, SignatureInput, SignaturePatch, Submission,
    TrainingSessionInput, TrainingSessionPatch, VisitInput, VisitPatch,
};
use super::model::{Kind, ReviewStatus};
use super::queries::{self, RecordFilter, Visibility};
use super::queue::CreateQueue;
use super::service::{self, Created, RecordError, Settings};
use super::views::{RecordView, SignatureRegistration, TrainingSession, Visit, VneidAssist};
use crate::access::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::messages as msg;
use crate::pagination::{Page, PageParams, keyset_cursor};
use crate::state::AppState;

/// Filters of a record list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordQuery {
    /// Only this team.
    pub team: Option<String>,
    /// Only this volunteer's records.
    pub volunteer: Option<String>,
    /// Only this commune, or the communes of this province.
    #[param(example = "00004")]
    pub unit: Option<String>,
    /// First local day (`occurred_on`), inclusive.
    #[param(value_type = Option<String>, format = Date, example = "2026-03-01")]
    pub from: Option<NaiveDate>,
    /// Last local day, inclusive.
    #[param(value_type = Option<String>, format = Date, example = "2026-03-31")]
    pub to: Option<NaiveDate>,
    /// Only this review state.
    pub review_status: Option<ReviewStatus>,
    /// Items per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// Why a record is voided.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Nhập trùng, đã ghi ở bản khác"}))]
pub struct VoidRequest {
    /// 1–500 characters.
    pub reason: String,
}

/// A review decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "approved", "note": "Đã xác minh với tổ trưởng"}))]
pub struct ReviewRequest {
    /// `approved`, `flagged` or `rejected`.
    pub status: ReviewStatus,
    /// Required when rejecting (at most 500 characters).
    pub note: Option<String>,
}

async fn create_any(
    caller: AuthUser,
    state: web::Data<AppState>,
    creates: &CreateQueue,
    submission: Submission,
) -> ApiResult<HttpResponse> {
    // Idempotent by id: the same id with the same content answers the stored record; with
    // other content, 409 and nothing changes.
    // Usually this node checked the caller's team a moment ago: no connection is needed.
    let row = match service::prepare_known(
        Settings::new(&state.config, &state.memberships),
        &caller,
        &submission,
    ) {
        Some(prepared) => prepared?,
        None => {
            let st = state.clone();
            state
                .primary(move |conn| {
                    Ok::<_, ApiError>(service::prepare_one(
                        conn,
                        Settings::new(&st.config, &st.memberships),
                        &caller,
                        submission,
                    )?)
                })
                .await?
        }
    };
    let created = super::group::store(&state, creates, row).await?;
    Ok(match created {
        Created::New(row) => {
            crate::metrics::record_created(row.kind.as_str());
            HttpResponse::Created().json(RecordView::from(&row))
        }
        Created::Unchanged(row) => HttpResponse::Ok().json(RecordView::from(&row)),
        Created::IdTaken => return Err(ApiError::Conflict(msg::RECORD_ID_TAKEN)),
    })
}

async fn list_any(
    caller: AuthUser,
    state: web::Data<AppState>,
    kind: Kind,
    query: RecordQuery,
) -> ApiResult<HttpResponse> {
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    };
    let (limit, after) = (page.limit()?, page.keyset()?);
    if let (Some(from), Some(to)) = (query.from, query.to)
        && from > to
    {
        return Err(ApiError::field("to", "before_from", msg::BEFORE_FROM));
    }
    let filter = RecordFilter {
        team: query.team,
        volunteer: query.volunteer,
        unit: query.unit.filter(|u| !u.is_empty()),
        from: query.from,
        to: query.to,
        review_status: query.review_status,
    };
    let rows = state
        .primary(move |conn| {
            if let Some(unit) = &filter.unit {
                crate::units::require_in_scope(conn, &caller.scope, unit)?;
            }
            // A team the caller cannot see is 404, as `unit` is, not an empty list.
            if let Some(team) = &filter.team {
                crate::teams::access::readable(conn, &caller, team)?;
            }
            let visibility = if caller.role.is_supervisor() {
                Visibility::Scope(caller.scope.clone())
            } else {
                Visibility::TeamsOf(caller.id.clone())
            };
            Ok::<_, ApiError>(queries::list(
                conn,
                kind,
                &visibility,
                &filter,
                after,
                limit + 1,
            )?)
        })
        .await?;
    let page = Page::from_rows(rows, limit, |r| keyset_cursor(r.occurred_at, &r.id))
        .map(|r| RecordView::from(&r));
    Ok(HttpResponse::Ok().json(page))
}

async fn get_any(
    caller: AuthUser,
    state: web::Data<AppState>,
    kind: Kind,
    id: String,
) -> ApiResult<HttpResponse> {
    let row = state
        .primary(move |conn| Ok::<_, ApiError>(service::readable(conn, &caller, kind, &id)?))
        .await?;
    Ok(HttpResponse::Ok().json(RecordView::from(&row)))
}

async fn update_any(
    caller: AuthUser,
    state: web::Data<AppState>,
    kind: Kind,
    id: String,
    patch: Patch,
) -> ApiResult<HttpResponse> {
    let st = state.clone();
    let row = state
        .write_records(move |conn| {
            Ok::<_, ApiError>(service::update(
                conn,
                Settings::new(&st.config, &st.memberships),
                &caller,
                kind,
                &id,
                patch,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(RecordView::from(&row)))
}

async fn void_any(
    caller: AuthUser,
    state: web::Data<AppState>,
    kind: Kind,
    id: String,
    body: VoidRequest,
) -> ApiResult<HttpResponse> {
    let row = state
        .write_records(move |conn| {
            Ok::<_, ApiError>(service::void(conn, &caller, kind, &id, &body.reason)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(RecordView::from(&row)))
}

async fn review_any(
    caller: AuthUser,
    state: web::Data<AppState>,
    kind: Kind,
    id: String,
    body: ReviewRequest,
) -> ApiResult<HttpResponse> {
    let row = state
        .write_records(move |conn| {
            Ok::<_, ApiError>(service::review(
                conn,
                &caller,
                kind,
                &id,
                body.status,
                body.note,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(RecordView::from(&row)))
}

/// Declares the six endpoints of one record kind.
macro_rules! record_endpoints {
    (
        kind: $kind:expr, tag: $tag:literal, input: $input:ty, patch: $patch:ty => $variant:ident, view: $view:ty,
        paths: ($base:literal, $one:literal, $void_path:literal, $review_path:literal),
        handlers: ($create:ident, $list:ident, $get:ident, $update:ident, $void:ident, $review:ident)
    ) => {
        /// Log a record for a team the caller belongs to. Idempotent by the client's `id`:
        /// the same id with the same content answers 200 with the stored record; with other
        /// content, 409 and nothing changes.
        #[utoipa::path(
            tag = $tag,
            request_body = $input,
            security(("bearer" = [])),
            responses(
                (status = 201, description = "Stored", body = $view),
                (status = 200, description = "Already stored with the same content", body = $view),
                (status = 403, description = "A supervisor who is not a member of the team"),
                (status = 404, description = "No such team visible to the caller"),
                (status = 409, description = "The id exists with other content")
            )
        )]
        #[post($base)]
        pub async fn $create(caller: AuthUser, state: web::Data<AppState>, creates: web::Data<CreateQueue>, ApiJson(body): ApiJson<$input>) -> ApiResult<HttpResponse> {
            create_any(caller, state, &creates, body.into()).await
        }

        /// Records of this kind the caller can see (their teams', or their scope's), newest first.
        #[utoipa::path(
            tag = $tag,
            params(RecordQuery),
            security(("bearer" = [])),
            responses(
                (status = 200, description = "Records, newest first (`items` are of this kind)", body = Page<RecordView>),
                (status = 404, description = "`unit` or `team` is outside the caller's scope")
            )
        )]
        #[get($base)]
        pub async fn $list(caller: AuthUser, state: web::Data<AppState>, ApiQuery(query): ApiQuery<RecordQuery>) -> ApiResult<HttpResponse> {
            list_any(caller, state, $kind, query).await
        }

        /// One record.
        #[utoipa::path(
            tag = $tag,
            params(("id" = String, Path, description = "Record id")),
            security(("bearer" = [])),
            responses(
                (status = 200, description = "The record", body = $view),
                (status = 404, description = "No such record visible to the caller")
            )
        )]
        #[get($one)]
        pub async fn $get(caller: AuthUser, state: web::Data<AppState>, id: web::Path<String>) -> ApiResult<HttpResponse> {
            get_any(caller, state, $kind, id.into_inner()).await
        }

        /// Change a record: its author within 72 hours while `pending`, or a supervisor in
        /// scope. The id, team and author never change.
        #[utoipa::path(
            tag = $tag,
            params(("id" = String, Path, description = "Record id")),
            request_body = $patch,
            security(("bearer" = [])),
            responses(
                (status = 200, description = "The changed record", body = $view),
                (status = 403, description = "Neither the author in time nor a supervisor in scope"),
                (status = 404, description = "No such record visible to the caller"),
                (status = 409, description = "Voided, or changed meanwhile")
            )
        )]
        #[patch($one)]
        pub async fn $update(caller: AuthUser, state: web::Data<AppState>, id: web::Path<String>, ApiJson(body): ApiJson<$patch>) -> ApiResult<HttpResponse> {
            update_any(caller, state, $kind, id.into_inner(), Patch::$variant(body)).await
        }

        /// Void a record with a reason: it is kept, shown as voided, and never counted.
        /// Same rights as a change.
        #[utoipa::path(
            tag = $tag,
            params(("id" = String, Path, description = "Record id")),
            request_body = VoidRequest,
            security(("bearer" = [])),
            responses(
                (status = 200, description = "The voided record", body = $view),
                (status = 403, description = "Neither the author in time nor a supervisor in scope"),
                (status = 404, description = "No such record visible to the caller"),
                (status = 409, description = "Already voided")
            )
        )]
        #[post($void_path)]
        pub async fn $void(caller: AuthUser, state: web::Data<AppState>, id: web::Path<String>, ApiJson(body): ApiJson<VoidRequest>) -> ApiResult<HttpResponse> {
            void_any(caller, state, $kind, id.into_inner(), body).await
        }

        /// Review a record: a supervisor in scope, or the team's lead; never the author.
        #[utoipa::path(
            tag = $tag,
            params(("id" = String, Path, description = "Record id")),
            request_body = ReviewRequest,
            security(("bearer" = [])),
            responses(
                (status = 200, description = "The reviewed record", body = $view),
                (status = 403, description = "Not a reviewer of this record, or its author"),
                (status = 404, description = "No such record visible to the caller"),
                (status = 409, description = "Voided, or changed meanwhile")
            )
        )]
        #[post($review_path)]
        pub async fn $review(caller: AuthUser, state: web::Data<AppState>, id: web::Path<String>, ApiJson(body): ApiJson<ReviewRequest>) -> ApiResult<HttpResponse> {
            review_any(caller, state, $kind, id.into_inner(), body).await
        }
    };
}

record_endpoints! {
    kind: Kind::Visit, tag: "visits", input: VisitInput, patch: VisitPatch => Visit, view: Visit,
    paths: ("/visits", "/visits/{id}", "/visits/{id}/void", "/visits/{id}/review"),
    handlers: (create_visit, list_visits, get_visit, update_visit, void_visit, review_visit)
}

record_endpoints! {
    kind: Kind::VneidAssist, tag: "vneid-assists", input: AssistInput, patch: AssistPatch => Assist, view: VneidAssist,
    paths: ("/vneid-assists", "/vneid-assists/{id}", "/vneid-assists/{id}/void", "/vneid-assists/{id}/review"),
    handlers: (create_vneid_assist, list_vneid_assists, get_vneid_assist, update_vneid_assist, void_vneid_assist, review_vneid_assist)
}

record_endpoints! {
    kind: Kind::SignatureRegistration, tag: "signature-registrations", input: SignatureInput, patch: SignaturePatch => Signature, view: SignatureRegistration,
    paths: ("/signature-registrations", "/signature-registrations/{id}", "/signature-registrations/{id}/void", "/signature-registrations/{id}/review"),
    handlers: (create_signature_registration, list_signature_registrations, get_signature_registration, update_signature_registration, void_signature_registration, review_signature_registration)
}

record_endpoints! {
    kind: Kind::TrainingSession, tag: "training-sessions", input: TrainingSessionInput, patch: TrainingSessionPatch => Session, view: TrainingSession,
    paths: ("/training-sessions", "/training-sessions/{id}", "/training-sessions/{id}/void", "/training-sessions/{id}/review"),
    handlers: (create_training_session, list_training_sessions, get_training_session, update_training_session, void_training_session, review_training_session)
}

/// The team whose follow-ups to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowUpQuery {
    /// Team id (required).
    pub team: String,
    /// Items per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// What a team must come back to, oldest first: visits with outcome `follow_up` (until a
/// later visit of the team to the same `household_ref`), VNeID assists still `pending`
/// (until a later record of the same citizen and action) and signature registrations still
/// `submitted` (until a later `issued` or `failed` one for the citizen, or a change of the
/// record itself). Voided and rejected records are left out.
#[utoipa::path(
    tag = "follow-ups",
    params(FollowUpQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Open follow-ups, oldest first", body = Page<FollowUp>),
        (status = 404, description = "No such team visible to the caller")
    )
)]
#[get("/follow-ups")]
pub async fn list_follow_ups(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiQuery(query): ApiQuery<FollowUpQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    };
    let (limit, after) = (page.limit()?, page.keyset()?);
    let items = state
        .primary(move |conn| {
            let team = crate::teams::access::readable(conn, &caller, &query.team)?;
            Ok::<_, ApiError>(super::followups::open(conn, &team.id, after, limit + 1)?)
        })
        .await?;
    let page = Page::from_rows(items, limit, |f| {
        let c = f.record.common();
        keyset_cursor(c.occurred_at.naive_utc(), &c.id)
    });
    Ok(HttpResponse::Ok().json(page))
}

/// What each refusal of the records service means on the wire.
impl From<RecordError> for ApiError {
    fn from(e: RecordError) -> Self {
        match e {
            RecordError::Invalid(errors) => Self::Validation(errors),
            RecordError::RecordNotFound => Self::NotFound(msg::NOT_FOUND_RECORD),
            RecordError::UnknownTeam => Self::NotFound(msg::NOT_FOUND_TEAM),
            RecordError::NotAMember => Self::Forbidden(msg::MEMBERS_ONLY),
            RecordError::NotAnEditor => Self::Forbidden(msg::EDITORS_ONLY),
            RecordError::OwnRecord => Self::Forbidden(msg::NO_SELF_REVIEW),
            RecordError::NotAReviewer => Self::Forbidden(msg::REVIEWERS_ONLY),
            RecordError::Voided => Self::Conflict(msg::RECORD_VOIDED),
            RecordError::Changed => Self::Conflict(msg::RECORD_CHANGED),
            RecordError::Locked(certification) => Self::PeriodLocked(certification),
            RecordError::Database(e) => e.into(),
        }
    }
}
