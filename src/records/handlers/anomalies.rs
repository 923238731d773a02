//! `GET /api/v1/stats/anomalies`: the anomalies of [`crate::records::anomalies`] over a
//! period of at most 93 days, for supervisors.

use actix_web::{HttpResponse, get, web};

use crate::access::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::messages as msg;
use crate::records::anomalies::{Anomalies, AnomalyQuery, detect};
use crate::state::AppState;

/// Volunteers whose records look implausible, each with the reason and the records behind
/// it: more than 12 records in an hour, 8+ households at one spot in a day, 3+ records over
/// 20 km from the commune's usual area, 20%+ duplicate-citizen flags, training sessions
/// that overlap in time, or sessions of 100+ attendees over 3 times the commune's median
/// session. Supervisors only.
#[utoipa::path(
    tag = "stats",
    params(AnomalyQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Listed patterns", body = Anomalies),
        (status = 403, description = "Volunteers may not read anomalies"),
        (status = 404, description = "`unit` is outside the caller's scope")
    )
)]
#[get("/stats/anomalies")]
pub async fn anomalies(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiQuery(q): ApiQuery<AnomalyQuery>,
) -> ApiResult<HttpResponse> {
    caller.require_supervisor()?;
    let to = q.to.unwrap_or_else(crate::clock::today);
    let from = q.from.unwrap_or(to - chrono::TimeDelta::days(6));
    if from > to {
        return Err(ApiError::field("to", "before_from", msg::BEFORE_FROM));
    }
    if (to - from).num_days() > 92 {
        return Err(ApiError::field("from", "too_long", msg::at_most_days(93)));
    }
    let answer = state
        .stats(move |conn| {
            let unit = q
                .unit
                .filter(|u| !u.is_empty())
                .or(caller.unit_code.clone());
            if let Some(unit) = &unit {
                crate::units::require_in_scope(conn, &caller.scope, unit)?;
            }
            let rows =
                crate::records::queries::in_period(conn, &caller.scope, unit.as_deref(), from, to)?;
            Ok::<_, ApiError>(Anomalies {
                unit_code: unit,
                from,
                to,
                items: detect(&rows),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer))
}
