//! Generated data: the 10-million-record benchmark database and the demo.

/// Multi-row inserts of `$rows` (of `$columns` columns each), as many rows per statement
/// as the backend's bind limit allows (diesel batches per backend, not through
/// `MultiConnection`).
macro_rules! insert_all {
    ($conn:expr, $table:expr, $rows:expr, $columns:expr) => {
        match $conn {
            DbConn::Postgres(c) => {
                for chunk in $rows.chunks(65_535 / $columns) {
                    diesel::insert_into($table).values(chunk).execute(c)?;
                }
            }
            DbConn::Sqlite(c) => {
                for chunk in $rows.chunks(32_766 / $columns) {
                    diesel::insert_into($table).values(chunk).execute(c)?;
                }
            }
        }
    };
}

pub mod bench;
pub mod demo;
