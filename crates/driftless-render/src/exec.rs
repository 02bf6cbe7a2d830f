//! Running an external program (Kustomize, a config-management plugin) with a
//! time limit that kills its whole process group, and bounded output.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// What a finished program left.
pub(crate) struct Ran {
    /// How it ended.
    pub status: ExitStatus,
    /// Its standard output.
    pub stdout: Vec<u8>,
    /// Its standard error.
    pub stderr: Vec<u8>,
}

/// Why a program did not finish.
pub(crate) enum ExecError {
    /// It could not be started.
    Spawn(std::io::Error),
    /// It ran past the deadline and was killed.
    Timeout,
    /// Waiting for it failed.
    Wait(std::io::Error),
    /// It wrote more than the limit to standard output (it was killed).
    TooMuchOutput,
}

/// Reads everything from `r`, keeping at most `limit` bytes; true when more came.
fn drain(mut r: impl Read, limit: u64) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let _ = (&mut r).take(limit).read_to_end(&mut kept);
    let more = std::io::copy(&mut r, &mut std::io::sink()).unwrap_or(0) > 0;
    (kept, more)
}

/// Kills the process group `pgid` (the program and everything it started).
fn kill_group(pgid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Runs `cmd` (stdin closed) in its own process group until it exits or
/// `deadline` passes.
pub(crate) fn run(cmd: &mut Command, deadline: Instant, max_output: u64) -> Result<Ran, ExecError> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = cmd.spawn().map_err(ExecError::Spawn)?;
    let pgid = child.id();
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let out_done = done_tx.clone();
    let out_reader = std::thread::spawn(move || {
        let r = drain(stdout, max_output);
        let _ = out_done.send(());
        r
    });
    let err_reader = std::thread::spawn(move || {
        let r = drain(stderr, 1 << 20);
        let _ = done_tx.send(());
        r
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() >= deadline => {
                kill_group(pgid);
                let _ = child.kill();
                let _ = child.wait();
                return Err(ExecError::Timeout);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => {
                kill_group(pgid);
                return Err(ExecError::Wait(e));
            }
        }
    };
    // Children left behind still holding the output pipes are killed with
    // the group (which cannot have been reused while they live in it).
    let grace = Instant::now() + Duration::from_millis(200);
    for _ in 0..2 {
        let left = grace.saturating_duration_since(Instant::now());
        if done_rx.recv_timeout(left).is_err() {
            kill_group(pgid);
            break;
        }
    }
    let (stdout, too_much) = out_reader.join().unwrap_or_default();
    let (stderr, _) = err_reader.join().unwrap_or_default();
    if too_much {
        return Err(ExecError::TooMuchOutput);
    }
    Ok(Ran {
        status,
        stdout,
        stderr,
    })
}
