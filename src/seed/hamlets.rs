//! The hamlets of generated communes and the records that name them: numbered like the
//! server numbers them, each record in a hamlet valid on its day, and for the demo one
//! merge in the past, so both maps of `stats/breakdown?by=hamlet` differ.

use chrono::{NaiveDate, NaiveDateTime};

use crate::units::UnitKind;
use crate::units::hamlets::model::{HamletRow, LineageRow, RearrangementRow};

/// The first day of generated hamlets: the 2025 map's.
pub(super) fn map_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or(NaiveDate::MIN)
}

/// Hamlets `<commune>-1`… named `<prefix> 1`…, valid from the map's start.
pub(super) fn numbered(
    commune: &str,
    prefix: &str,
    kind: UnitKind,
    count: i32,
    now: NaiveDateTime,
) -> Vec<HamletRow> {
    (1..=count)
        .map(|seq| {
            let name = format!("{prefix} {seq}");
            HamletRow {
                code: format!("{commune}-{seq}"),
                commune_code: commune.to_owned(),
                seq,
                search_text: crate::text::fold(&name),
                name,
                kind,
                valid_from: map_start(),
                valid_to: None,
                created_by: None,
                created_at: now,
                updated_at: now,
            }
        })
        .collect()
}

/// One of the hamlets valid on `day`, at random; `None` when there are none.
pub(super) fn pick<'a>(
    rng: &mut fastrand::Rng,
    hamlets: &'a [HamletRow],
    day: NaiveDate,
) -> Option<&'a HamletRow> {
    let valid: Vec<&HamletRow> = hamlets.iter().filter(|h| h.valid_on(day)).collect();
    (!valid.is_empty()).then(|| valid[rng.usize(..valid.len())])
}

/// Merges the last two of a commune's hamlets into a new one on `effective_on`: closes them
/// in `hamlets`, appends the new one, and returns the rearrangement and its lineage.
pub(super) fn merge_last_two(
    hamlets: &mut Vec<HamletRow>,
    effective_on: NaiveDate,
    now: NaiveDateTime,
) -> Option<(RearrangementRow, Vec<LineageRow>)> {
    let n = hamlets.len();
    if n < 2 {
        return None;
    }
    let last_day = effective_on.pred_opt()?;
    let commune = hamlets[0].commune_code.clone();
    let seq = hamlets.iter().map(|h| h.seq).max()? + 1;
    let name = format!("{} (sáp nhập)", hamlets[n - 2].name);
    let merged = HamletRow {
        code: format!("{commune}-{seq}"),
        commune_code: commune.clone(),
        seq,
        search_text: crate::text::fold(&name),
        name,
        kind: hamlets[n - 2].kind,
        valid_from: effective_on,
        valid_to: None,
        created_by: None,
        created_at: now,
        updated_at: now,
    };
    let id = uuid::Uuid::new_v4().to_string();
    let lineage = hamlets[n - 2..]
        .iter_mut()
        .map(|h| {
            h.valid_to = Some(last_day);
            LineageRow {
                from_code: h.code.clone(),
                to_code: merged.code.clone(),
                rearrangement_id: id.clone(),
            }
        })
        .collect();
    hamlets.push(merged);
    let rearrangement = RearrangementRow {
        id,
        commune_code: commune,
        effective_on,
        note: Some("Nghị quyết sáp nhập tổ dân phố (dữ liệu mẫu)".into()),
        created_by: None,
        created_at: now,
    };
    Some((rearrangement, lineage))
}
