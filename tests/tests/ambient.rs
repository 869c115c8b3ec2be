//! `/bin/ambient`: Linux v4.3's ambient-capability scenario, step by step, in the kernel.

use swpan_tests::{boot, status};

/// The boot banner, which the kernel log starts with: a helper that read the log printed it.
const BANNER: &str = "swpan 0.1.0: emulated PAN and PXN through the ARM DACR";

/// The identity and capability lines printed under step `step` (`[N]`).
fn lines_after<'a>(console: &'a str, step: &str) -> Vec<&'a str> {
    console
        .lines()
        .skip_while(|line| !line.starts_with(step))
        .skip(1)
        .take_while(|line| line.starts_with("    "))
        .map(str::trim)
        .filter(|line| line.starts_with("Cap") || line.starts_with("Uid"))
        .collect()
}

#[test]
fn the_daemon_s_ambient_capability_reaches_a_plain_helper_and_only_then() {
    let run = boot("init=ambient");
    run.assert_status(status::SUCCESS);
    let nobody = "Uid:\t65534\t65534\t65534\t65534";
    // Keep-caps across setresuid: P kept, E and A cleared (commoncap's setuid fix-up).
    assert_eq!(
        lines_after(&run.console, "[1]"),
        [
            nobody,
            "CapInh:\t0000000000000000",
            "CapPrm:\t000001ffffffffff",
            "CapEff:\t0000000000000000",
            "CapAmb:\t0000000000000000"
        ],
        "{run}"
    );
    // Raised into the ambient set once it is in P and I.
    assert_eq!(
        lines_after(&run.console, "[3]"),
        [
            nobody,
            "CapInh:\t0000000400000000",
            "CapPrm:\t0000000400000000",
            "CapEff:\t0000000400000000",
            "CapAmb:\t0000000400000000"
        ],
        "{run}"
    );
    // dmesg read the log in step 4 and klogread in step 6; step 5's dmesg was refused.
    assert_eq!(run.console.matches(BANNER).count(), 3, "{run}");
    run.assert_line("dmesg: read kernel buffer failed: Operation not permitted");
    let endings: Vec<&str> =
        run.console.lines().filter(|line| line.contains(": exited with status")).collect();
    assert_eq!(
        endings,
        [
            "    /bin/dmesg: exited with status 0",
            "    /bin/dmesg: exited with status 1",
            "    /bin/klogread: exited with status 0"
        ],
        "{run}"
    );
}

#[test]
fn a_non_root_caller_is_told_to_start_as_root() {
    let run = boot("init=capsh -- --user=nobody -- -c ambient");
    run.assert_status(status::FAILURE);
    run.assert_line("ambient: must start as root (uid 0)");
}
