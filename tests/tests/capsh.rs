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

/// Boots with capsh as init, given `arguments`.
fn capsh(arguments: &str) -> swpan_tests::Boot {
    boot(&format!("init=capsh -- {arguments}"))
}

#[test]
fn drop_empties_the_bounding_set_with_cap_setpcap_raised_just_for_it() {
    // CAP_SETPCAP permitted but not effective: capsh raises it around each drop, then puts
    // the effective set back as it was.
    let run = capsh("--caps=cap_setpcap=p --drop=cap_kill,cap_chown --print");
    run.assert_status(status::SUCCESS);
    run.assert_line("Current: cap_setpcap=p");
    run.assert_contains(
        "Bounding set =cap_dac_override,cap_dac_read_search,cap_fowner,cap_fsetid,cap_setgid,",
    );
    run.assert_line("Current IAB: !cap_chown,!cap_kill");
    let run = capsh("--drop=all --print");
    run.assert_status(status::SUCCESS);
    run.assert_line("Current: =ep");
    run.assert_line("Bounding set =");
    run.assert_contains("Current IAB: !cap_chown,!cap_dac_override,");
    // Without CAP_SETPCAP permitted, raising it fails first.
    let run = capsh("--caps= --drop=cap_kill --print");
    run.assert_status(status::FAILURE);
    run.assert_line("unable to raise CAP_SETPCAP for BSET changes: EPERM");
    run.assert_lacks("Current:");
    // A number libcap knows but the kernel does not: the drop itself fails.
    let run = capsh("--drop=63");
    run.assert_status(status::FAILURE);
    run.assert_line("failed to drop [63=63]");
    let run = capsh("--drop=cap_kill,cap_bogus");
    run.assert_status(status::FAILURE);
    run.assert_line("capability [cap_bogus] is unknown to libcap");
}

#[test]
fn addamb_delamb_and_noamb_change_the_ambient_set_and_has_a_checks_it() {
    let run = capsh(
        "--inh=cap_syslog,cap_kill --addamb=cap_syslog,cap_kill --delamb=cap_kill \
         --has-a=cap_syslog --print",
    );
    run.assert_status(status::SUCCESS);
    run.assert_line("Current: =ep cap_kill,cap_syslog+i");
    run.assert_line("Ambient set =cap_syslog");
    run.assert_line("Current IAB: cap_kill,^cap_syslog");
    let run = capsh("--inh=cap_syslog --addamb=cap_syslog --noamb --print");
    run.assert_status(status::SUCCESS);
    run.assert_line("Ambient set =");
    run.assert_line("Current IAB: cap_syslog");
    // Not inheritable: the kernel refuses to raise it.
    let run = capsh("--addamb=cap_kill --print");
    run.assert_status(status::FAILURE);
    run.assert_line("failed to raise ambient [cap_kill=5]");
    run.assert_lacks("Current:");
    let run = capsh("--inh=cap_kill --addamb=cap_kill --delamb=cap_kill --has-a=cap_kill");
    run.assert_status(status::FAILURE);
    run.assert_line("cap[cap_kill] not in ambient vector");
    let run = capsh("--delamb=cap_bogus");
    run.assert_status(status::FAILURE);
    run.assert_line("capability [cap_bogus] is unknown to libcap");
    let run = capsh("--has-a=cap_killer");
    run.assert_status(status::FAILURE);
    run.assert_line("cap[cap_killer] not recognized by library");
}

#[test]
fn keep_decides_whether_setuid_away_from_root_keeps_the_permitted_set() {
    let run = capsh("--keep=1 --uid=1000 --print");
    run.assert_status(status::SUCCESS);
    run.assert_line("Current: =p");
    run.assert_line(" secure-keep-caps: yes (unlocked)");
    run.assert_line("uid=1000(student) euid=1000(student)");
    let run = capsh("--keep=0 --uid=1000 --print");
    run.assert_status(status::SUCCESS);
    run.assert_line("Current: =");
    run.assert_line(" secure-keep-caps: no (unlocked)");
    // No way back without CAP_SETUID.
    let run = capsh("--uid=1000 --uid=0");
    run.assert_status(status::FAILURE);
    run.assert_line("Failed to set uid=0: EPERM");
    let run = capsh("--keep=2");
    run.assert_status(status::FAILURE);
    run.assert_line("prctl(PR_SET_KEEPCAPS, 2) failed: EINVAL");
    let run = capsh("--keep=yes");
    run.assert_status(status::FAILURE);
    run.assert_line("invalid --keep value: want non-negative integer, got \"yes\"");
    let run = capsh("--uid=-1");
    run.assert_status(status::FAILURE);
    run.assert_line("invalid --uid value: want non-negative integer, got \"-1\"");
}

#[test]
fn gid_changes_the_group_with_cap_setgid_only() {
    let run = capsh("--gid=1000 --print");
    run.assert_status(status::SUCCESS);
    run.assert_line("gid=1000(student)");
    run.assert_line("Current: =ep");
    let run = capsh("--caps= --gid=1000");
    run.assert_status(status::FAILURE);
    run.assert_line("Failed to set gid=1000: EPERM");
    let run = capsh("--gid=x");
    run.assert_status(status::FAILURE);
    run.assert_line("invalid --gid value: want non-negative integer, got \"x\"");
}

#[test]
fn secbits_sets_the_securebits_in_c_notation() {
    let run = capsh("--secbits=0x2f --print");
    run.assert_status(status::SUCCESS);
    run.assert_line("Securebits: 057/0x2f/6'b101111 (no-new-privs=0)");
    run.assert_line(" secure-noroot: yes (locked)");
    run.assert_line(" secure-keep-caps: no (locked)");
    // A leading 0 is octal, as strtoul reads it.
    let run = capsh("--secbits=010 --print");
    run.assert_status(status::SUCCESS);
    run.assert_line("Securebits: 010/0x8/4'b1000 (no-new-privs=0)");
    run.assert_line(" secure-no-suid-fixup: no (locked)");
    // Without CAP_SETPCAP.
    let run = capsh("--caps= --secbits=1");
    run.assert_status(status::FAILURE);
    run.assert_line("failed to set securebits to 01/0x1");
    let run = capsh("--secbits=zz");
    run.assert_status(status::FAILURE);
    run.assert_line("invalid --secbits value: want non-negative integer, got \"zz\"");
}

#[test]
fn caps_sets_the_three_sets_from_cap_from_text() {
    for (text, current) in [
        ("=ep", "=ep"),
        ("all=", "="),
        ("=", "="),
        ("cap_kill,cap_chown+eip", "cap_chown,cap_kill=eip"),
        ("cap_kill=p+e", "cap_kill=ep"),
        ("cap_kill=eip-e", "cap_kill=ip"),
        ("0x5,010=p", "cap_kill,cap_setpcap=p"),
    ] {
        let run = capsh(&format!("--caps={text} --print"));
        run.assert_status(status::SUCCESS);
        run.assert_line(&format!("Current: {current}"));
    }
    // Effective without permitted: the kernel refuses.
    let run = capsh("--caps=cap_kill=e --print");
    run.assert_status(status::FAILURE);
    run.assert_line("Unable to set capabilities [--caps=cap_kill=e]");
    run.assert_lacks("Current:");
    // `=` after another action is no cap_from_text.
    let run = capsh("--caps=cap_kill+e=p");
    run.assert_status(status::FAILURE);
    run.assert_line("unable to interpret [--caps=cap_kill+e=p]");
}

#[test]
fn caps_with_several_clauses_from_the_shell() {
    // Words with spaces come through the shell's quotes (the kernel command line has none).
    let input = "capsh \"--caps=cap_kill=p cap_chown+ep\" --print\n\
                 capsh \"--caps=cap_kill=p cap_chown+e\" --print\n\
                 capsh \"--caps==ep cap_kill-e\" --print\npoweroff\n";
    let run = swpan_tests::boot_with(
        "shell",
        &swpan_tests::BootOptions { input: input.as_bytes(), ..Default::default() },
    );
    run.assert_status(status::SUCCESS);
    run.assert_line("Current: cap_chown=ep cap_kill+p");
    run.assert_line("Unable to set capabilities [--caps=cap_kill=p cap_chown+e]");
    run.assert_line("Current: =ep cap_kill-e");
}

#[test]
fn inh_may_go_beyond_the_permitted_set_with_cap_setpcap_permitted() {
    let run = capsh("--caps=cap_setpcap=p --inh=cap_syslog --print");
    run.assert_status(status::SUCCESS);
    run.assert_line("Current: cap_syslog=i cap_setpcap+p");
    let run = capsh("--inh=cap_kill --inh=none --print");
    run.assert_status(status::SUCCESS);
    run.assert_line("Current: =ep");
    // Without CAP_SETPCAP, beyond the permitted set: refused.
    let run = capsh("--caps= --inh=cap_syslog");
    run.assert_status(status::FAILURE);
    run.assert_line("Unable to set inheritable capabilities: EPERM");
    let run = capsh("--inh=cap_bogus");
    run.assert_status(status::FAILURE);
    run.assert_line("Fatal error internalizing capabilities: EINVAL");
}

#[test]
fn user_keeps_the_permitted_set_and_leaves_the_effective_set_empty() {
    // libcap's cap_setuid: the permitted set survives the switch, the effective set is
    // cleared.
    let run = capsh("--user=nobody --print");
    run.assert_status(status::SUCCESS);
    run.assert_line("Current: =p");
    run.assert_line("uid=65534(nobody) euid=65534(nobody)");
    run.assert_line("gid=65534(nogroup)");
    let run = capsh("--user=bogus");
    run.assert_status(status::FAILURE);
    run.assert_line("User [bogus] not known");
}

#[test]
fn options_are_recognised_as_capsh_recognises_them() {
    // Exact options take nothing after them; --noamb is matched by its prefix.
    let run = capsh("--print=x");
    run.assert_status(status::FAILURE);
    run.assert_line("usage: capsh [args ...]");
    run.assert_lacks("Current:");
    let run = capsh("--help");
    run.assert_status(status::SUCCESS);
    run.assert_line("usage: capsh [args ...]");
    let run = capsh("--noambient --has-p=cap_kill2 --print");
    run.assert_status(status::SUCCESS);
    run.assert_line("Current: =ep");
    // --decode reads its value as strtoull does, ignoring what follows the digits.
    let run = capsh("--decode=12zz --decode=zz");
    run.assert_status(status::SUCCESS);
    run.assert_line("0x0000000000000012=cap_dac_override,cap_fsetid");
    run.assert_line("0x0000000000000000=");
}
