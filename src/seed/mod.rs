//! Generated data: the 10-million-record benchmark database and the demo.

/// Multi-row inserts of `$rows` (of `$columns` columns each), as many rows per statement
/// as SQLite's bind limit allows (PostgreSQL's is higher), through [`crate::on_backend!`].
macro_rules! insert_all {
    ($conn:expr, $table:expr, $rows:expr, $columns:expr) => {
        for chunk in $rows.chunks(32_766 / $columns) {
            $crate::on_backend!($conn, |c| diesel::insert_into($table)
                .values(chunk)
                .execute(c))?;
        }
    };
}

pub mod bench;
pub mod demo;
