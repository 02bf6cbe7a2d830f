//! Text output of `plan`, `diff` and `sync`: diffs, progress, summary tables.

use driftless_apply::{Action, Observer, SyncEvent, SyncResult};
use driftless_core::SyncStatus;
use driftless_runtime::{Target, pipeline::Comparison};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::sync::Mutex;

/// Column-aligned text table.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        let cells: Vec<&str> = cells.collect();
        let last = cells.len().saturating_sub(1);
        for (i, cell) in cells.iter().enumerate() {
            if i == last {
                out.push_str(cell);
            } else {
                let _ = write!(out, "{cell:<w$}   ", w = widths[i]);
            }
        }
        out.push('\n');
    };
    line(&mut out, &mut header.iter().copied());
    for row in rows {
        line(&mut out, &mut row.iter().map(String::as_str));
    }
    out
}

/// The diff of every object that is not Synced, Argo CD style, and a count line.
pub fn diff_text(c: &Comparison, color: bool) -> String {
    let mut out = String::new();
    let mut counts = [0usize; 4];
    for d in &c.objects {
        let idx = match d.status {
            SyncStatus::Synced => 0,
            SyncStatus::OutOfSync => 1,
            SyncStatus::Missing => 2,
            SyncStatus::RequiresPruning => 3,
        };
        counts[idx] += 1;
        if d.status == SyncStatus::Synced {
            continue;
        }
        let _ = writeln!(out, "===== {} ({}) =====", d.key, d.status);
        out.push_str(&d.unified(color));
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    let _ = writeln!(
        out,
        "{} synced, {} out of sync, {} missing, {} to prune",
        counts[0], counts[1], counts[2], counts[3]
    );
    out
}

/// The per-object summary of a sync.
pub fn summary_table(r: &SyncResult) -> String {
    let rows: Vec<Vec<String>> = r
        .objects
        .iter()
        .map(|o| {
            vec![
                o.phase.clone(),
                o.wave.to_string(),
                o.key.kind.clone(),
                o.key.namespace.clone().unwrap_or_default(),
                o.key.name.clone(),
                action_word(o.action).to_string(),
                o.health
                    .as_ref()
                    .map(|h| h.status.to_string())
                    .unwrap_or_default(),
                o.message
                    .as_deref()
                    .unwrap_or_default()
                    .replace("\n  ", "; "),
            ]
        })
        .collect();
    let mut out = table(
        &[
            "PHASE",
            "WAVE",
            "KIND",
            "NAMESPACE",
            "NAME",
            "RESULT",
            "HEALTH",
            "MESSAGE",
        ],
        &rows,
    );
    for w in &r.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

fn action_word(a: Action) -> &'static str {
    match a {
        Action::Applied => "applied",
        Action::Replaced => "replaced",
        Action::Created => "created",
        Action::Unchanged => "unchanged",
        Action::Pruned => "pruned",
        Action::PruneSkipped => "prune skipped",
        Action::HookDeleted => "hook deleted",
        Action::Skipped => "skipped",
        Action::Failed => "failed",
        Action::Validated => "validated",
        Action::WouldPrune => "would prune",
    }
}

/// Every object the application tracks, with its health, read back from the cluster.
pub async fn cluster_state(
    cluster: &driftless_apply::Cluster,
    t: &Target,
) -> anyhow::Result<String> {
    let mut objects = driftless_apply::tracked_objects(cluster, &t.app, t.tracking).await?;
    objects.sort_by_key(driftless_core::ObjectKey::from_object);
    let rows: Vec<Vec<String>> = objects
        .iter()
        .filter_map(|o| {
            let key = driftless_core::ObjectKey::from_object(o)?;
            let health = driftless_health::assess(o);
            Some(vec![
                key.kind.clone(),
                key.namespace.clone().unwrap_or_default(),
                key.name.clone(),
                health
                    .as_ref()
                    .map(|h| h.status.to_string())
                    .unwrap_or_else(|| "-".into()),
                health.map(|h| h.message).unwrap_or_default(),
            ])
        })
        .collect();
    Ok(table(
        &["KIND", "NAMESPACE", "NAME", "HEALTH", "MESSAGE"],
        &rows,
    ))
}

/// Sync progress: a progress bar on a terminal, plain lines otherwise (both on stderr).
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    last_wave: Mutex<String>,
}

impl Progress {
    /// Chooses the style from whether stderr is a terminal.
    pub fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {prefix} [{bar:30}] {pos}/{len} {wide_msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            last_wave: Mutex::new(String::new()),
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn line(&self, text: String) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }
}

impl Observer for Progress {
    fn event(&self, event: &SyncEvent) {
        match event {
            SyncEvent::DryRun { objects } => {
                self.line(format!("dry run: validating {objects} object(s)"));
            }
            SyncEvent::WaveStarted {
                phase,
                wave,
                objects,
            } => {
                let name = format!("{phase} wave {wave}");
                *self.last_wave.lock().expect("progress") = name.clone();
                self.line(format!("{name}: {objects} object(s)"));
                if let Some(bar) = &self.bar {
                    bar.set_prefix(name);
                    bar.set_length(*objects as u64);
                    bar.set_position(0);
                }
            }
            SyncEvent::Object { key, action } => {
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
                self.line(format!("  {} {key}", action_word(*action)));
            }
            SyncEvent::Health { key, health } => match &self.bar {
                Some(bar) => bar.set_message(format!("{key}: {health}")),
                None => eprintln!("  waiting {key}: {health}"),
            },
            SyncEvent::WaveDone { phase, wave } => {
                self.line(format!("{phase} wave {wave}: healthy"));
            }
            SyncEvent::Warning(w) => self.line(format!("warning: {w}")),
        }
    }
}
