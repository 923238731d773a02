//! Generated data: the 10-million-record benchmark database.

pub mod bench;
