//! Generated data: the 10-million-record benchmark database and the demo.

/// Multi-row inserts of `$rows` (of `$columns` columns each), as many rows per statement
/// as both backends' bind limits allow.
macro_rules! insert_all {
    ($conn:expr, $table:expr, $rows:expr, $columns:expr) => {
        for chunk in $rows.chunks($crate::db::dialect::MAX_BINDS / $columns) {
            $crate::db::dialect::execute($conn, diesel::insert_into($table).values(chunk))?;
        }
    };
}

pub mod bench;
pub mod demo;
mod hamlets;
pub mod households;
