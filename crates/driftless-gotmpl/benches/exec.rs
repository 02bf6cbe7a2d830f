//! Criterion bench: executing a moderate template (filled in below).
fn main() {}
