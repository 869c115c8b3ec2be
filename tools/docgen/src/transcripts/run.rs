//! Running the excerpts' commands, a few at a time.

use super::spec::Spec;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

/// The longest any one command may run, in seconds (`qemu/run` has its own, shorter, timeouts).
const TIMEOUT_SECONDS: u32 = 600;

/// Runs one excerpt's command from `root` with `KERNEL` set, checks its exit status, and
/// returns the selected lines (without carriage returns).
pub fn one(root: &Path, kernel: &Path, spec: &Spec) -> Outcome {
    let output = Command::new("timeout")
        .arg(TIMEOUT_SECONDS.to_string())
        .args(["bash", "-o", "pipefail", "-c", &spec.run])
        .current_dir(root)
        .env("KERNEL", kernel)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|error| format!("cannot run bash: {error}"))?;
    let status = output.status.code().unwrap_or(-1);
    if status != spec.status {
        let errors = String::from_utf8_lossy(&output.stderr);
        let last: Vec<&str> = errors.lines().rev().take(5).collect();
        return Err(format!(
            "'{}' exited with status {status}, the marker expects {}{}",
            spec.run,
            spec.status,
            if last.is_empty() {
                String::new()
            } else {
                format!(
                    "; its last errors:\n  {}",
                    last.into_iter().rev().collect::<Vec<_>>().join("\n  ")
                )
            }
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<String> =
        text.lines().map(|line| line.trim_end_matches('\r').to_string()).collect();
    spec.select(&lines).map_err(|error| format!("'{}': {error}", spec.run))
}

/// What one excerpt's run gives: its selected lines, or why there are none.
pub type Outcome = Result<Vec<String>, String>;

/// Runs every spec, as many at once as the machine has cores, and returns the results in
/// order.
pub fn all(root: &Path, kernel: &Path, specs: Vec<&Spec>) -> Vec<Outcome> {
    let workers = std::thread::available_parallelism().map_or(1, |count| count.get()).min(4);
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(specs.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let index = {
                        let mut next = next.lock().unwrap_or_else(|poison| poison.into_inner());
                        let index = *next;
                        *next += 1;
                        index
                    };
                    let Some(spec) = specs.get(index) else { break };
                    let result = one(root, kernel, spec);
                    results.lock().unwrap_or_else(|poison| poison.into_inner())[index] =
                        Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|poison| poison.into_inner())
        .into_iter()
        .map(|result| result.unwrap_or_else(|| Err("not run".to_string())))
        .collect()
}
