//! `/api/v1/privacy`: a resident's request to know what is held about them, and to have it
//! forgotten, answered by an admin or a province supervisor.

use actix_web::{HttpResponse, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::queries::HeldRow;
use super::service::{self, PrivacyError};
use crate::access::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::messages as msg;
use crate::records::model::{AssistAction, AssistResult, Kind, SignatureStatus};
use crate::state::AppState;

/// Whose records to find.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"citizen_id": "001085012345"}))]
pub struct LookupRequest {
    /// The resident's 12-digit identity number (CCCD); hashed at once, never stored,
    /// logged or echoed.
    #[schema(
        pattern = r"^(00[1-9]|0[1-8][0-9]|09[0-6])[0-9]{9}$",
        min_length = 12,
        max_length = 12
    )]
    pub citizen_id: String,
}

/// Whose link to erase, and why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"citizen_id": "001085012345", "reason": "Yêu cầu xóa dữ liệu của công dân ngày 02/12/2026, phiếu số 17"}))]
pub struct EraseRequest {
    /// The resident's 12-digit identity number (CCCD).
    #[schema(
        pattern = r"^(00[1-9]|0[1-8][0-9]|09[0-6])[0-9]{9}$",
        min_length = 12,
        max_length = 12
    )]
    pub citizen_id: String,
    /// Why (the resident's request, its reference): 1–500 characters, kept in the audit log.
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// A record held about the resident (never another resident's data).
#[derive(Debug, Serialize, ToSchema)]
pub struct HeldRecord {
    /// `vneid_assist` or `signature_registration`.
    pub kind: Kind,
    /// Record id.
    pub id: String,
    /// Local day it happened.
    pub occurred_on: NaiveDate,
    /// Commune.
    #[schema(example = "00004")]
    pub commune_code: String,
    /// Assist action (assists).
    pub action: Option<AssistAction>,
    /// Registration status (signature registrations).
    pub status: Option<SignatureStatus>,
    /// Assist result (assists).
    pub result: Option<AssistResult>,
}

impl From<HeldRow> for HeldRecord {
    fn from(r: HeldRow) -> Self {
        Self {
            kind: r.kind,
            id: r.id,
            occurred_on: r.occurred_on,
            commune_code: r.commune_code,
            action: r.action,
            status: r.status,
            result: r.result,
        }
    }
}

/// The records held about a resident in the caller's scope.
#[derive(Debug, Serialize, ToSchema)]
pub struct Held {
    /// Oldest first; empty when none is held in scope.
    pub items: Vec<HeldRecord>,
}

/// What an erasure did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Erased {
    /// Records that lost their link to the resident.
    pub erased_records: usize,
}

impl From<PrivacyError> for ApiError {
    fn from(e: PrivacyError) -> Self {
        match e {
            PrivacyError::Invalid(errors) => Self::Validation(errors),
            PrivacyError::NotAllowed => Self::Forbidden(msg::PRIVACY_OFFICERS_ONLY),
            PrivacyError::Database(e) => e.into(),
        }
    }
}

/// What is held about a resident: the records linked to their identity number in the
/// caller's scope (an admin: everywhere; a province supervisor: the province). Audited as
/// `privacy.lookup`, without the number.
#[utoipa::path(
    tag = "privacy",
    request_body = LookupRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The records held in scope (an empty list when none)", body = Held),
        (status = 403, description = "Only an admin or a province supervisor"),
        (status = 422, description = "`citizen_id` is not 12 digits of a province of birth (never echoed)")
    )
)]
#[post("/privacy/lookup")]
pub async fn lookup(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<LookupRequest>,
) -> ApiResult<HttpResponse> {
    let key = state.config.citizen_id_key.clone();
    let held = state
        .write_records(move |conn| {
            Ok::<_, ApiError>(service::lookup(conn, &caller, &key, &body.citizen_id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Held {
        items: held.into_iter().map(HeldRecord::from).collect(),
    }))
}

/// Forget a resident: every record of theirs in the caller's scope loses its link (the keyed
/// hash is replaced by a random reference that nothing matches), duplicate detection against
/// them stops, and every count stays as it was. Audited as `privacy.erase`, with the reason
/// and without the number.
#[utoipa::path(
    tag = "privacy",
    request_body = EraseRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "How many records lost their link", body = Erased),
        (status = 403, description = "Only an admin or a province supervisor"),
        (status = 422, description = "A bad `citizen_id` (never echoed) or `reason`")
    )
)]
#[post("/privacy/erase")]
pub async fn erase(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<EraseRequest>,
) -> ApiResult<HttpResponse> {
    let key = state.config.citizen_id_key.clone();
    let erased = state
        .write_records(move |conn| {
            Ok::<_, ApiError>(service::erase(
                conn,
                &caller,
                &key,
                &body.citizen_id,
                &body.reason,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Erased {
        erased_records: erased,
    }))
}
