//! Rearrangements (sáp nhập, chia tách): closing some of a commune's hamlets and opening
//! others on an effective date, all of it or nothing, with lineage both ways; listing them;
//! and where a closed hamlet's records belong on today's map.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::Connection;
use uuid::Uuid;

use super::model::{HamletRow, LineageRow, Rearrangement, RearrangementRow};
use super::queries;
use super::service::{
    HamletError, as_units, check_date, check_kind, commune_for_change, invalid, name_taken,
    numbered,
};
use crate::access::AuthUser;
use crate::audit::{AuditAction, ObjectKind};
use crate::db::{DbConn, dialect};
use crate::error::FieldError;
use crate::messages as msg;
use crate::units::model::{Unit, UnitKind};

/// A merge as sent: two or more hamlets become one.
#[derive(Debug, Clone)]
pub struct Merge {
    /// The hamlets merged.
    pub from: Vec<String>,
    /// The new hamlet's name.
    pub name: String,
    /// Its kind.
    pub kind: UnitKind,
}

/// A split as sent: one hamlet becomes two or more.
#[derive(Debug, Clone)]
pub struct Split {
    /// The hamlet split.
    pub from: String,
    /// The new hamlets.
    pub into: Vec<(String, UnitKind)>,
}

/// A rearrangement as sent.
#[derive(Debug, Clone)]
pub struct NewRearrangement {
    /// Ngày hiệu lực.
    pub effective_on: NaiveDate,
    /// Note.
    pub note: Option<String>,
    /// Merges.
    pub merges: Vec<Merge>,
    /// Splits.
    pub splits: Vec<Split>,
}

/// The closings and openings a checked rearrangement makes.
struct Plan {
    /// `(field, code)` of every hamlet closed.
    closed: Vec<(String, String)>,
    /// New hamlets: name, kind, and the codes they come from.
    opened: Vec<(String, UnitKind, Vec<String>)>,
}

/// The shape rules of a rearrangement (no database): at least one change, merges of two
/// or more, splits into two or more, each hamlet in one change, names given once.
fn plan(r: &NewRearrangement) -> Result<Plan, Vec<FieldError>> {
    let mut errors = Vec::new();
    if r.merges.is_empty() && r.splits.is_empty() {
        errors.push(FieldError::new("merges", "empty", msg::REARRANGEMENT_EMPTY));
    }
    let mut closed = Vec::new();
    let mut opened = Vec::new();
    for (i, m) in r.merges.iter().enumerate() {
        if m.from.len() < 2 {
            errors.push(FieldError::new(
                format!("merges[{i}].from"),
                "merge_needs_two",
                msg::MERGE_NEEDS_TWO,
            ));
        }
        for (j, code) in m.from.iter().enumerate() {
            closed.push((format!("merges[{i}].from[{j}]"), code.trim().to_owned()));
        }
        let from = m.from.iter().map(|c| c.trim().to_owned()).collect();
        opened.push((
            format!("merges[{i}].name"),
            m.name.trim().to_owned(),
            m.kind,
            from,
        ));
    }
    for (i, s) in r.splits.iter().enumerate() {
        if s.into.len() < 2 {
            errors.push(FieldError::new(
                format!("splits[{i}].into"),
                "split_needs_two",
                msg::SPLIT_NEEDS_TWO,
            ));
        }
        closed.push((format!("splits[{i}].from"), s.from.trim().to_owned()));
        for (j, (name, kind)) in s.into.iter().enumerate() {
            opened.push((
                format!("splits[{i}].into[{j}].name"),
                name.trim().to_owned(),
                *kind,
                vec![s.from.trim().to_owned()],
            ));
        }
    }
    let mut seen = HashSet::new();
    for (field, code) in &closed {
        if !seen.insert(code.clone()) {
            errors.push(FieldError::new(
                field.clone(),
                "hamlet_in_two_changes",
                msg::HAMLET_IN_TWO_CHANGES,
            ));
        }
    }
    let mut names = HashSet::new();
    for (field, name, kind, _) in &opened {
        check_kind(&field.replace(".name", ".kind"), *kind, &mut errors);
        if !names.insert(crate::text::fold(name)) {
            errors.push(FieldError::new(
                field.clone(),
                "name_twice",
                msg::NAME_TWICE,
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Plan {
        closed,
        opened: opened
            .into_iter()
            .map(|(_, name, kind, from)| (name, kind, from))
            .collect(),
    })
}

/// Closes and opens a commune's hamlets as one rearrangement, all of it or nothing: the
/// closed get `valid_to` the day before `effective_on`, the new `valid_from` it, lineage
/// both ways, teams assigned a closed hamlet get its successors instead, and its open
/// households follow (`households::share::follow_rearrangement`). Audited.
pub fn rearrange(
    conn: &mut DbConn,
    caller: &AuthUser,
    commune: &str,
    r: NewRearrangement,
) -> Result<Rearrangement, HamletError> {
    let unit = commune_for_change(conn, caller, commune)?;
    let today = crate::clock::today();
    let mut errors = Vec::new();
    check_date("effective_on", r.effective_on, today, &mut errors);
    let plan = match plan(&r) {
        Ok(p) => Some(p),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let (Some(plan), true) = (plan, errors.is_empty()) else {
        return Err(HamletError::Invalid(errors));
    };
    let id = Uuid::new_v4().to_string();
    let now = crate::clock::now();
    let last_day = r.effective_on.pred_opt().unwrap_or(r.effective_on);
    let (opened, closed) = conn.transaction(|conn| {
        dialect::lock_unit(conn, &unit.code)?;
        let codes: Vec<String> = plan.closed.iter().map(|(_, c)| c.clone()).collect();
        let found: HashMap<String, HamletRow> = queries::find_many(conn, &codes)?
            .into_iter()
            .map(|h| (h.code.clone(), h))
            .collect();
        let mut errors = Vec::new();
        for (field, code) in &plan.closed {
            match found.get(code) {
                Some(h) if h.commune_code != unit.code => errors.push(FieldError::new(
                    field.clone(),
                    "wrong_hamlet",
                    msg::WRONG_HAMLET,
                )),
                None => errors.push(FieldError::new(
                    field.clone(),
                    "wrong_hamlet",
                    msg::WRONG_HAMLET,
                )),
                Some(h) if h.valid_to.is_some() => errors.push(FieldError::new(
                    field.clone(),
                    "hamlet_closed",
                    msg::HAMLET_CLOSED,
                )),
                Some(h) if h.valid_from >= r.effective_on => errors.push(FieldError::new(
                    "effective_on",
                    "before_hamlet_began",
                    msg::BEFORE_HAMLET_BEGAN,
                )),
                Some(_) => {}
            }
        }
        if !errors.is_empty() {
            errors.dedup_by(|a, b| a.field == b.field && a.code == b.code);
            return Err(HamletError::Invalid(errors));
        }
        if queries::close(conn, &codes, last_day, now)? != codes.len() {
            return Err(invalid("merges", "hamlet_closed", msg::HAMLET_CLOSED));
        }
        let new: Vec<_> = plan
            .opened
            .iter()
            .map(|(name, kind, _)| (name.clone(), *kind, r.effective_on))
            .collect();
        let rows = numbered(conn, &unit.code, Some(&caller.id), &new)?;
        queries::insert(conn, &rows).map_err(name_taken)?;
        let lineage: Vec<LineageRow> = rows
            .iter()
            .zip(&plan.opened)
            .flat_map(|(row, (_, _, from))| {
                from.iter().map(|f| LineageRow {
                    from_code: f.clone(),
                    to_code: row.code.clone(),
                    rearrangement_id: id.clone(),
                })
            })
            .collect();
        let stored = RearrangementRow {
            id: id.clone(),
            commune_code: unit.code.clone(),
            effective_on: r.effective_on,
            note: r
                .note
                .clone()
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty()),
            created_by: Some(caller.id.clone()),
            created_at: now,
        };
        queries::insert_rearrangement(conn, &stored, &lineage)?;
        let held = queries::teams_of_hamlets(conn, &codes)?;
        let successors: Vec<(String, String)> = held
            .iter()
            .flat_map(|(team, code)| {
                lineage
                    .iter()
                    .filter(move |e| &e.from_code == code)
                    .map(move |e| (team.clone(), e.to_code.clone()))
            })
            .collect();
        queries::unassign(conn, &codes)?;
        queries::assign(conn, &successors)?;
        let moves: Vec<(String, Vec<String>)> = codes
            .iter()
            .map(|code| {
                let to = lineage
                    .iter()
                    .filter(|e| &e.from_code == code)
                    .map(|e| e.to_code.clone())
                    .collect();
                (code.clone(), to)
            })
            .collect();
        crate::households::share::follow_rearrangement(conn, &caller.id, &moves)?;
        let summary = describe(&lineage, r.effective_on);
        crate::audit::record(
            conn,
            Some(&caller.id),
            AuditAction::HamletsRearrange,
            (ObjectKind::Unit, &unit.code),
            Some(&unit.code),
            summary,
        )?;
        Ok::<_, HamletError>((rows, codes))
    })?;
    let created = as_units(conn, opened)?;
    let mut closed = closed;
    closed.sort();
    Ok(Rearrangement {
        id,
        commune_code: unit.code,
        effective_on: r.effective_on,
        note: r
            .note
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty()),
        created,
        closed,
        created_at: now.and_utc(),
    })
}

/// The audit summary of a rearrangement's lineage: `a, b → c; d → e, f from 2026-07-01`.
fn describe(lineage: &[LineageRow], effective_on: NaiveDate) -> String {
    let mut by_target: Vec<(Vec<&str>, &str)> = Vec::new();
    for e in lineage {
        match by_target.iter_mut().find(|(_, to)| *to == e.to_code) {
            Some((from, _)) => from.push(&e.from_code),
            None => by_target.push((vec![&e.from_code], &e.to_code)),
        }
    }
    let parts: Vec<String> = by_target
        .iter()
        .map(|(from, to)| format!("{} → {to}", from.join(", ")))
        .collect();
    format!(
        "rearranged hamlets {} effective {effective_on}",
        parts.join("; ")
    )
}

/// A commune's rearrangements, latest first, with what each opened and closed.
pub fn list_rearrangements(
    conn: &mut DbConn,
    commune: &str,
) -> diesel::QueryResult<Vec<Rearrangement>> {
    let rows = queries::rearrangements_of(conn, commune)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let edges = queries::lineage_of_rearrangements(conn, &ids)?;
    let opened: Vec<String> = edges
        .iter()
        .map(|e| e.to_code.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let units: HashMap<String, Unit> = {
        let hamlets = queries::find_many(conn, &opened)?;
        as_units(conn, hamlets)?
            .into_iter()
            .map(|u| (u.code.clone(), u))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let mine: Vec<&LineageRow> = edges
                .iter()
                .filter(|e| e.rearrangement_id == r.id)
                .collect();
            let mut closed: Vec<String> = mine.iter().map(|e| e.from_code.clone()).collect();
            closed.sort();
            closed.dedup();
            let mut created: Vec<String> = mine.iter().map(|e| e.to_code.clone()).collect();
            created.sort_by_key(|c| seq_of(c));
            created.dedup();
            Rearrangement {
                created: created
                    .iter()
                    .filter_map(|c| units.get(c).cloned())
                    .collect(),
                closed,
                id: r.id,
                commune_code: r.commune_code,
                effective_on: r.effective_on,
                note: r.note,
                created_at: r.created_at.and_utc(),
            }
        })
        .collect())
}

/// The number of a hamlet code (`00004-12` → 12).
fn seq_of(code: &str) -> u32 {
    code.rsplit_once('-')
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or(0)
}

/// Where each of a commune's hamlet codes belongs on today's map: a hamlet closed by a
/// merge follows its one successor (through later merges too); a split's closed hamlet,
/// and every open one, stays itself.
pub fn current_map(
    conn: &mut DbConn,
    commune: &str,
) -> diesel::QueryResult<HashMap<String, String>> {
    let edges = queries::commune_lineage(conn, commune)?;
    let mut successors: HashMap<&str, Vec<&str>> = HashMap::new();
    for e in &edges {
        successors.entry(&e.from_code).or_default().push(&e.to_code);
    }
    let mut out = HashMap::new();
    for from in successors.keys() {
        let mut at: &str = from;
        let mut steps = 0;
        while let Some(next) = successors.get(at).filter(|s| s.len() == 1) {
            at = next[0];
            steps += 1;
            if steps > edges.len() {
                break;
            }
        }
        out.insert((*from).to_owned(), at.to_owned());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merge(from: &[&str]) -> Merge {
        Merge {
            from: from.iter().map(|s| (*s).to_owned()).collect(),
            name: "Khu phố 9".into(),
            kind: UnitKind::KhuPho,
        }
    }

    fn rearrangement(merges: Vec<Merge>, splits: Vec<Split>) -> NewRearrangement {
        NewRearrangement {
            effective_on: NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
            note: None,
            merges,
            splits,
        }
    }

    fn fields(e: Vec<FieldError>) -> Vec<(String, String)> {
        e.into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn a_merge_of_one_and_a_split_into_one_are_refused() {
        let split = Split {
            from: "00004-3".into(),
            into: vec![("Tổ 1".into(), UnitKind::ToDanPho)],
        };
        let e = plan(&rearrangement(vec![merge(&["00004-1"])], vec![split]))
            .err()
            .unwrap();
        assert_eq!(
            fields(e),
            [
                ("merges[0].from".into(), "merge_needs_two".into()),
                ("splits[0].into".into(), "split_needs_two".into()),
            ]
        );
    }

    #[test]
    fn a_hamlet_in_two_changes_and_an_empty_rearrangement_are_refused() {
        let e = plan(&rearrangement(vec![], vec![])).err().unwrap();
        assert_eq!(fields(e), [("merges".into(), "empty".into())]);
        let split = Split {
            from: "00004-2".into(),
            into: vec![
                ("Tổ 1".into(), UnitKind::ToDanPho),
                ("tổ  1".into(), UnitKind::ToDanPho),
            ],
        };
        let e = plan(&rearrangement(
            vec![merge(&["00004-1", "00004-2"])],
            vec![split],
        ))
        .err()
        .unwrap();
        assert_eq!(
            fields(e),
            [
                ("splits[0].from".into(), "hamlet_in_two_changes".into()),
                ("splits[0].into[1].name".into(), "name_twice".into()),
            ]
        );
    }

    #[test]
    fn a_valid_plan_closes_each_hamlet_once_and_opens_each_new_one() {
        let split = Split {
            from: "00004-3".into(),
            into: vec![
                ("Tổ 1".into(), UnitKind::ToDanPho),
                ("Tổ 2".into(), UnitKind::ToDanPho),
            ],
        };
        let p = plan(&rearrangement(
            vec![merge(&["00004-1", "00004-2"])],
            vec![split],
        ))
        .unwrap();
        assert_eq!(p.closed.len(), 3);
        assert_eq!(p.opened.len(), 3);
        assert_eq!(p.opened[0].2, ["00004-1", "00004-2"]);
        assert_eq!(p.opened[2].2, ["00004-3"]);
    }

    #[test]
    fn codes_number_in_order() {
        assert_eq!(seq_of("00004-12"), 12);
        assert!(seq_of("00004-2") < seq_of("00004-10"));
    }
}
