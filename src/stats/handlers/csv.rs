//! CSV answers for statistics: UTF-8 with a byte-order mark so Excel shows Vietnamese text
//! right, a header row, one line per row, no cell a spreadsheet would run as a formula.
//! Chosen by `Accept: text/csv` or a `.csv` path; such answers say `Vary: Accept`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use crate::error::{ApiError, ApiResult};

/// Media type of CSV answers.
pub const TEXT_CSV: &str = "text/csv; charset=utf-8";

/// Whether the client asked for CSV, by path suffix or `Accept` header.
pub fn wanted(req: &HttpRequest) -> bool {
    req.path().ends_with(".csv")
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|m| m.trim().starts_with("text/csv")))
}

/// A CSV document from a header and rows, as a download named `filename`.
pub fn respond(
    filename: &str,
    header_row: &[&str],
    rows: Vec<Vec<String>>,
) -> ApiResult<HttpResponse> {
    let mut body = Vec::from("\u{feff}".as_bytes());
    {
        let mut writer = csv::Writer::from_writer(&mut body);
        let fail = |e: csv::Error| ApiError::Internal(e.into());
        writer.write_record(header_row).map_err(fail)?;
        for row in rows {
            writer
                .write_record(
                    row.iter()
                        .map(|c| crate::text::spreadsheet_safe(c).into_owned()),
                )
                .map_err(fail)?;
        }
        writer.flush().map_err(|e| ApiError::Internal(e.into()))?;
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, TEXT_CSV))
        .insert_header((header::VARY, "Accept"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body))
}

/// The JSON answer of an endpoint that also speaks CSV: caches must key it by `Accept`.
pub fn negotiated_json(answer: &impl serde::Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::VARY, "Accept"))
        .json(answer)
}
