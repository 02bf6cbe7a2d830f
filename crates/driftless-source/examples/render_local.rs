//! Renders directory `PATH` of the local Git repository `REPO` at `HEAD`,
//! straight from the object store, and prints the object count and the time
//! taken: `cargo run -p driftless-source --example render_local -- REPO PATH [VALUES]…`
//! (Helm value files, relative to the chart).
//! Used to measure reads of loose objects (see docs/source.md).

use driftless_render::{RenderOptions, render};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(repo), Some(path)) = (args.next(), args.next()) else {
        eprintln!("usage: render_local REPO PATH [VALUES]...");
        std::process::exit(2);
    };
    let start = std::time::Instant::now();
    let (_, tree) = driftless_source::open_local(std::path::Path::new(&repo), "HEAD")
        .unwrap_or_else(|e| panic!("{repo}: {e}"));
    let mut opts = RenderOptions::default();
    opts.helm.value_files = args.collect();
    let rendered = render(&tree, &path, &opts).unwrap_or_else(|e| panic!("{path}: {e}"));
    println!(
        "{} objects in {:.1} ms",
        rendered.manifests.len(),
        start.elapsed().as_secs_f64() * 1000.0
    );
}
