//! `GET /api/v1/exports/{kind}.csv`: record-level CSV for supervisors, streamed page by
//! page so a province's records never sit in memory at once. Never `citizen_ref`.

use actix_web::http::header;
use actix_web::mime;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::access::AuthUser;
use crate::db::{DbError, DbPool};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::messages as msg;
use crate::records::model::{Kind, RecordRow};
use crate::records::queries::{self, RecordFilter, Visibility};
use crate::state::AppState;

/// Records fetched per database round trip while streaming.
const EXPORT_PAGE: i64 = 1000;

/// Filters of an export.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Province or commune (default: the caller's unit).
    pub unit: Option<String>,
    /// First local day, inclusive.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Last local day, inclusive.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
}

const COMMON: [&str; 19] = [
    "id",
    "team_id",
    "volunteer_id",
    "commune_code",
    "occurred_at",
    "occurred_on",
    "lat",
    "lon",
    "accuracy_m",
    "hamlet",
    "hamlet_code",
    "note",
    "received_at",
    "review_status",
    "reviewed_by",
    "review_note",
    "duplicate_of",
    "voided",
    "void_reason",
];

fn columns(kind: Kind) -> Vec<&'static str> {
    let own: &[&str] = match kind {
        Kind::Visit => &[
            "household_ref",
            "outcome",
            "people_guided",
            "topics",
            "household_id",
        ],
        Kind::VneidAssist => &[
            "visit_id",
            "birth_year",
            "sex",
            "action",
            "result",
            "failure_reason",
        ],
        Kind::SignatureRegistration => &["visit_id", "birth_year", "provider", "status"],
        Kind::TrainingSession => &[
            "format",
            "audience",
            "attendees",
            "people_helped",
            "duration_minutes",
            "venue",
            "topics",
        ],
    };
    COMMON.iter().chain(own).copied().collect()
}

/// A stored choice as its text, or an empty cell.
fn label<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn cells(r: &RecordRow) -> Vec<String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    let int = |v: Option<i32>| v.map(|x| x.to_string()).unwrap_or_default();
    let mut out = vec![
        r.id.clone(),
        r.team_id.clone(),
        r.volunteer_id.clone(),
        r.commune_code.clone(),
        r.occurred_at.and_utc().to_rfc3339(),
        r.occurred_on.to_string(),
        num(r.lat),
        num(r.lon),
        num(r.accuracy_m),
        opt(&r.hamlet),
        opt(&r.hamlet_code),
        opt(&r.note),
        r.received_at.and_utc().to_rfc3339(),
        r.review_status.to_string(),
        opt(&r.reviewed_by),
        opt(&r.review_note),
        opt(&r.duplicate_of),
        (r.voided).to_string(),
        opt(&r.void_reason),
    ];
    match r.kind {
        Kind::Visit => out.extend([
            opt(&r.household_ref),
            label(r.outcome),
            int(r.people_guided),
            opt(&r.topics).replace(',', ";"),
            opt(&r.household_id),
        ]),
        Kind::VneidAssist => out.extend([
            opt(&r.visit_id),
            int(r.birth_year),
            label(r.sex),
            label(r.action),
            label(r.result),
            label(r.failure_reason),
        ]),
        Kind::SignatureRegistration => out.extend([
            opt(&r.visit_id),
            int(r.birth_year),
            opt(&r.provider),
            label(r.status),
        ]),
        Kind::TrainingSession => out.extend([
            label(r.format),
            opt(&r.audience).replace(',', ";"),
            int(r.attendees),
            int(r.people_helped),
            int(r.duration_minutes),
            opt(&r.venue),
            opt(&r.topics).replace(',', ";"),
        ]),
    }
    out
}

fn csv_line(fields: &[String]) -> Result<Bytes, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(
            fields
                .iter()
                .map(|c| crate::text::spreadsheet_safe(c).into_owned()),
        )
        .map_err(|e| ApiError::Internal(e.into()))?;
    writer
        .into_inner()
        .map(Bytes::from)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))
}

struct Cursor {
    pool: DbPool,
    visibility: Visibility,
    filter: RecordFilter,
    kind: Kind,
    after: Option<(chrono::NaiveDateTime, String)>,
    done: bool,
}

/// Streams the header and then pages of rows, one database round trip per page.
fn stream(
    kind: Kind,
    first: Vec<RecordRow>,
    cursor: Cursor,
) -> impl futures_util::Stream<Item = Result<Bytes, ApiError>> {
    let header = csv_line(
        &columns(kind)
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>(),
    )
    .map(|h| {
        let mut b = Vec::from("\u{feff}".as_bytes());
        b.extend_from_slice(&h);
        Bytes::from(b)
    });
    let rows_to_bytes = |rows: Vec<RecordRow>| -> Result<Bytes, ApiError> {
        let mut out = Vec::new();
        for r in &rows {
            out.extend_from_slice(&csv_line(&cells(r))?);
        }
        Ok(Bytes::from(out))
    };
    let head = futures_util::stream::iter([header, rows_to_bytes(first)]);
    let tail = futures_util::stream::unfold(cursor, move |mut c| async move {
        if c.done {
            return None;
        }
        let (vis, filter, kind, after) = (
            c.visibility.clone(),
            c.filter.clone(),
            c.kind,
            c.after.clone(),
        );
        let page = crate::db::run(&c.pool, move |conn| {
            queries::list(conn, kind, &vis, &filter, after, EXPORT_PAGE).map_err(DbError::from)
        })
        .await;
        match page {
            Ok(rows) => {
                c.done = (rows.len() as i64) < EXPORT_PAGE;
                c.after = rows.last().map(|r| (r.occurred_at, r.id.clone()));
                if rows.is_empty() {
                    return None;
                }
                Some((rows_to_bytes(rows), c))
            }
            Err(e) => {
                c.done = true;
                Some((Err(e.into()), c))
            }
        }
    });
    futures_util::StreamExt::chain(head, tail)
}

async fn export(
    caller: AuthUser,
    state: web::Data<AppState>,
    kind: Kind,
    q: ExportQuery,
) -> ApiResult<HttpResponse> {
    caller.require_supervisor()?;
    if let (Some(from), Some(to)) = (q.from, q.to)
        && from > to
    {
        return Err(ApiError::field("to", "before_from", msg::BEFORE_FROM));
    }
    let pool = state.primary_pool().clone();
    let scope = caller.scope.clone();
    let filter = RecordFilter {
        unit: q
            .unit
            .filter(|u| !u.is_empty())
            .or(caller.unit_code.clone()),
        from: q.from,
        to: q.to,
        ..Default::default()
    };
    let (first, filter) = state
        .primary(move |conn| {
            if let Some(unit) = &filter.unit {
                crate::units::require_in_scope(conn, &caller.scope, unit)?;
            }
            crate::audit::record(
                conn,
                Some(&caller.id),
                crate::audit::AuditAction::ExportRecords,
                (super::service::audited(kind), "csv"),
                filter.unit.as_deref(),
                format!(
                    "exported {} from {:?} to {:?}",
                    kind.as_str(),
                    filter.from,
                    filter.to
                ),
            )?;
            let first = queries::list(
                conn,
                kind,
                &Visibility::Scope(caller.scope.clone()),
                &filter,
                None,
                EXPORT_PAGE,
            )?;
            Ok::<_, ApiError>((first, filter))
        })
        .await?;
    let cursor = Cursor {
        pool,
        visibility: Visibility::Scope(scope),
        filter,
        kind,
        after: first.last().map(|r| (r.occurred_at, r.id.clone())),
        done: (first.len() as i64) < EXPORT_PAGE,
    };
    Ok(HttpResponse::Ok()
        .insert_header(header::ContentType(mime::TEXT_CSV_UTF_8))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}.csv\"", kind.as_str()),
        ))
        .streaming(stream(kind, first, cursor)))
}

/// Declares one export endpoint.
macro_rules! export_endpoint {
    ($name:ident, $path:literal, $kind:expr, $summary:literal, $what:literal) => {
        #[doc = concat!("Every ", $what, " in scope as CSV (UTF-8 with BOM, header row), newest first, streamed. Supervisors only; never citizen data. Each export is audited.")]
        #[utoipa::path(
            tag = "exports",
            summary = $summary,
            description = concat!("Every ", $what, " in scope as CSV (UTF-8 with BOM, header row), newest first, streamed. Supervisors only; never citizen data. No cell starts a spreadsheet formula. Each export is audited."),
            params(ExportQuery),
            security(("bearer" = [])),
            responses(
                (status = 200, description = "CSV rows", body = String, content_type = "text/csv"),
                (status = 403, description = "Volunteers may not export"),
                (status = 404, description = "`unit` is outside the caller's scope")
            )
        )]
        #[get($path)]
        pub async fn $name(caller: AuthUser, state: web::Data<AppState>, ApiQuery(q): ApiQuery<ExportQuery>) -> ApiResult<HttpResponse> {
            export(caller, state, $kind, q).await
        }
    };
}

export_endpoint!(
    export_visits,
    "/exports/visits.csv",
    Kind::Visit,
    "Export visits as CSV",
    "visit"
);
export_endpoint!(
    export_vneid_assists,
    "/exports/vneid-assists.csv",
    Kind::VneidAssist,
    "Export VNeID assists as CSV",
    "VNeID assist"
);
export_endpoint!(
    export_signature_registrations,
    "/exports/signature-registrations.csv",
    Kind::SignatureRegistration,
    "Export signature registrations as CSV",
    "signature registration"
);
export_endpoint!(
    export_training_sessions,
    "/exports/training-sessions.csv",
    Kind::TrainingSession,
    "Export training sessions as CSV",
    "training session"
);
