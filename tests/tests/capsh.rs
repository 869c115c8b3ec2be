//! `/bin/capsh` and `/bin/getcap` in the kernel, against libcap's own capsh where the host
//! has it (`/usr/sbin/capsh`, package libcap2-bin).

use std::process::Command;
use swpan_tests::{boot, status};

/// Values whose `--decode` lines are compared (one bit, several, every one, unnamed bits).
const DECODED: &[&str] =
    &["0", "0x1", "0x400000000", "0x7", "0x1ffffffffff", "0x1fffffffffe", "0x20000000000", "ff"];

/// The host's capsh output for `arguments`, or None when the host has no capsh.
fn host_capsh(arguments: &[String]) -> Option<String> {
    let output = Command::new("/usr/sbin/capsh").args(arguments).output().ok()?;
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn decode_prints_what_libcap_s_capsh_prints() {
    let arguments: Vec<String> = DECODED.iter().map(|value| format!("--decode={value}")).collect();
    let run = boot(&format!("init=capsh -- {}", arguments.join(" ")));
    run.assert_status(status::SUCCESS);
    run.assert_line("0x0000000400000000=cap_syslog");
    run.assert_line("0x0000020000000000=41");
    match host_capsh(&arguments) {
        Some(expected) => {
            for line in expected.lines() {
                run.assert_line(line);
            }
        }
        None => eprintln!("no /usr/sbin/capsh on this host: compared with the embedded lines only"),
    }
}

#[test]
fn print_shows_root_s_state_as_capsh_does() {
    let run = boot("init=capsh -- --print");
    run.assert_status(status::SUCCESS);
    for line in [
        "Current: =ep",
        "Ambient set =",
        "Current IAB: ",
        "Securebits: 00/0x0/1'b0 (no-new-privs=0)",
        " secure-noroot: no (unlocked)",
        " secure-no-ambient-raise: no (unlocked)",
        "uid=0(root) euid=0(root)",
        "gid=0(root)",
    ] {
        run.assert_line(line);
    }
    run.assert_contains("Bounding set =cap_chown,cap_dac_override,");
    run.assert_contains(",cap_bpf,cap_checkpoint_restore\n");
}

#[test]
fn a_failed_step_names_itself_and_exits_1() {
    let run = boot("init=capsh -- --decode=0x1 --caps=cap_kill --decode=0x2");
    run.assert_status(status::FAILURE);
    run.assert_line("0x0000000000000001=cap_chown");
    run.assert_line("unable to interpret [--caps=cap_kill]");
    run.assert_lacks("cap_dac_override");
    let run = boot("init=capsh -- --has-a=cap_syslog");
    run.assert_status(status::FAILURE);
    run.assert_line("cap[cap_syslog] not in ambient vector");
}

#[test]
fn dash_dash_runs_the_shell_with_the_rest_and_has_p_passes_for_root() {
    let run = boot("init=capsh -- --has-p=cap_syslog -- -c status");
    run.assert_status(status::SUCCESS);
    run.assert_line("Name:\tsh");
    run.assert_line("CapPrm:\t000001ffffffffff");
}

#[test]
fn getcap_lists_only_programs_with_a_capability_record() {
    let run = boot("init=getcap");
    run.assert_status(status::SUCCESS);
    // The one program with a file capability record, in getcap's format; nothing else.
    run.assert_line("/bin/klogread cap_syslog=ep");
    assert_eq!(run.console.matches("/bin/").count(), 1, "{run}");
}

#[test]
fn an_ambient_capability_lets_a_non_root_daemon_run_a_helper_that_needs_it() {
    // Linux v4.3's example: the daemon runs as nobody with CAP_SYSLOG ambient, and its
    // helper (dmesg, a plain program) can read the kernel log.
    let run = boot("init=capsh -- --inh=cap_syslog --user=nobody --addamb=cap_syslog -- -c dmesg");
    run.assert_status(status::SUCCESS);
    // The boot banner, once on the console and once more from the log.
    assert_eq!(
        run.console.matches("swpan 0.1.0: emulated PAN and PXN through the ARM DACR").count(),
        2,
        "{run}"
    );
    // The same helper run by a plain user, with no ambient capability: EPERM.
    let run = boot("init=capsh -- --user=nobody -- -c dmesg");
    run.assert_status(status::FAILURE);
    run.assert_line("dmesg: read kernel buffer failed: EPERM");
}

#[test]
fn before_ambient_capabilities_every_helper_needed_file_capabilities() {
    // The pre-v4.3 alternative: the helper's file carries cap_syslog=ep, so any user running
    // it gets the capability (klogread is dmesg with that record).
    let run = boot("init=capsh -- --user=nobody -- -c klogread");
    run.assert_status(status::SUCCESS);
    assert_eq!(
        run.console.matches("swpan 0.1.0: emulated PAN and PXN through the ARM DACR").count(),
        2,
        "{run}"
    );
}

#[test]
fn double_equals_runs_capsh_again_with_the_rest() {
    let run = boot("init=capsh -- --decode=0x1 == --decode=0x20");
    run.assert_status(status::SUCCESS);
    run.assert_line("0x0000000000000001=cap_chown");
    run.assert_line("0x0000000000000020=cap_kill");
    let run = boot("init=capsh -- == --bogus");
    run.assert_status(status::FAILURE);
    run.assert_line("usage: /bin/capsh [args ...]");
}

#[test]
fn a_non_root_user_keeps_cap_syslog_through_execve_in_its_ambient_set() {
    // Linux v4.3's scenario: capsh keeps CAP_SYSLOG inheritable, becomes nobody, raises it
    // into the ambient set, and runs the shell: after that execve the capability is still
    // permitted and effective, through the ambient set alone.
    let run = swpan_tests::boot(
        "init=capsh -- --inh=cap_syslog --user=nobody --addamb=cap_syslog -- -c status",
    );
    run.assert_status(swpan_tests::status::SUCCESS);
    run.assert_line("Uid:\t65534\t65534\t65534\t65534");
    run.assert_line("CapInh:\t0000000400000000");
    run.assert_line("CapPrm:\t0000000400000000");
    run.assert_line("CapEff:\t0000000400000000");
    run.assert_line("CapAmb:\t0000000400000000");
}
