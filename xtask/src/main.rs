//! `cargo xtask`: project automation.
//!
//! - `cargo xtask bench`: runs the criterion benchmarks and prints where their reports are.

use std::process::Command;

fn main() -> anyhow::Result<()> {
    let task = std::env::args().nth(1).unwrap_or_default();
    match task.as_str() {
        "bench" => {
            let status = Command::new(env!("CARGO"))
                .args(["bench", "--workspace"])
                .status()?;
            anyhow::ensure!(status.success(), "cargo bench failed");
            println!("criterion results: target/criterion/");
            Ok(())
        }
        _ => {
            eprintln!("usage: cargo xtask bench");
            std::process::exit(2)
        }
    }
}
