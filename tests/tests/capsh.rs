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
    run.assert_line("dmesg: read kernel buffer failed: Operation not permitted");
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
    run.assert_line("unable to raise CAP_SETPCAP for BSET changes: Operation not permitted");
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
    run.assert_line("Failed to set uid=0: Operation not permitted");
    let run = capsh("--keep=2");
    run.assert_status(status::FAILURE);
    run.assert_line("prctl(PR_SET_KEEPCAPS, 2) failed: Invalid argument");
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
    run.assert_line("Failed to set gid=1000: Operation not permitted");
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
    run.assert_line("Unable to set inheritable capabilities: Operation not permitted");
    let run = capsh("--inh=cap_bogus");
    run.assert_status(status::FAILURE);
    run.assert_line("Fatal error internalizing capabilities: Invalid argument");
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

/// Command lines run by both capshs, each after the prefix that makes the host's starting
/// state the kernel's (see `compare_with_host_capsh`): successes and failures of every
/// option, the failures included so that both refuse the same steps.
const COMPARED: &[&[&str]] = &[
    &["--print"],
    &["--caps==ep", "--print"],
    &["--caps=all=", "--print"],
    &["--caps=cap_kill,cap_setpcap+eip", "--print"],
    &["--caps=cap_kill=p cap_chown+ep", "--print"],
    &["--caps=cap_kill=p cap_chown+e", "--print"],
    &["--caps==ep cap_kill-e", "--print"],
    &["--caps=cap_kill+e=p", "--print"],
    &["--caps=cap_setpcap=p", "--inh=cap_syslog", "--print"],
    &["--caps=", "--inh=cap_syslog", "--print"],
    &["--inh=cap_bogus"],
    &["--caps=cap_setpcap=p", "--drop=cap_kill,cap_chown", "--print"],
    &["--drop=all", "--print"],
    &["--caps=", "--drop=cap_kill", "--print"],
    &["--drop=63"],
    &["--inh=cap_syslog,cap_kill", "--addamb=cap_syslog,cap_kill", "--delamb=cap_kill", "--print"],
    &["--inh=cap_syslog", "--addamb=cap_syslog", "--noamb", "--print"],
    &["--addamb=cap_kill", "--print"],
    &["--has-a=cap_kill"],
    &["--has-p=cap_killer"],
    &["--secbits=0x2f", "--print"],
    &["--secbits=010", "--print"],
    &["--caps=", "--secbits=1", "--print"],
    &["--keep=1", "--uid=1000", "--print"],
    &["--uid=1000", "--print"],
    &["--uid=1000", "--uid=0", "--print"],
    &["--keep=2", "--print"],
    &["--caps=cap_setgid+ep", "--gid=1000", "--print"],
    &["--caps=", "--gid=1000", "--print"],
    &["--user=nobody", "--print"],
    &["--inh=cap_syslog", "--user=nobody", "--addamb=cap_syslog", "--print"],
];

/// The lines of `capsh --print` that describe capabilities and securebits (libcap 2.66's
/// format), in order.
fn capability_lines(output: &str) -> Vec<&str> {
    let kinds = [
        "Current: ",
        "Bounding set =",
        "Ambient set =",
        "Current IAB: ",
        "Securebits: ",
        " secure-",
    ];
    output.lines().filter(|line| kinds.iter().any(|kind| line.starts_with(kind))).collect()
}

/// The host capsh's stdout, stderr and exit status for `arguments`.
fn host_run(arguments: &[String]) -> Option<(String, String, i32)> {
    let output = Command::new("/usr/sbin/capsh").args(arguments).output().ok()?;
    Some((
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().unwrap_or(-1),
    ))
}

/// The arguments that bring the host's capsh to the kernel's starting state, or why the
/// host cannot: its bounding set may lack capabilities (a container's), so both drop those
/// and re-execute capsh (`==`), which as root makes the permitted and effective sets the
/// bounding set.
fn host_prefix() -> Result<Vec<String>, String> {
    let last = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap").unwrap_or_default();
    if last.trim() != swpan_abi::capability::LAST_CAP.to_string() {
        return Err(format!("the host's last capability is {}", last.trim()));
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status.lines().find_map(|line| line.strip_prefix(name)).map(str::trim).unwrap_or("")
    };
    if field("Uid:").split_whitespace().nth(1) != Some("0") {
        return Err("the tests do not run as root".into());
    }
    let bounding = u64::from_str_radix(field("CapBnd:"), 16).map_err(|_| "no CapBnd")?;
    let missing: Vec<&str> = (0..=swpan_abi::capability::LAST_CAP)
        .filter(|bit| bounding >> bit & 1 == 0)
        .map(|bit| swpan_abi::capability_text::NAMES[bit as usize])
        .collect();
    let prefix = if missing.is_empty() {
        Vec::new()
    } else {
        vec![format!("--drop={}", missing.join(",")), "==".to_string()]
    };
    let mut probe = prefix.clone();
    probe.push("--print".into());
    let (stdout, stderr, code) = host_run(&probe).ok_or("no /usr/sbin/capsh")?;
    if code != 0 || !stdout.contains("\nAmbient set =\n") || !stdout.contains("Securebits: 00/") {
        return Err(format!("the host's capsh cannot start from root's state: {stdout}{stderr}"));
    }
    Ok(prefix)
}

/// What the kernel's capsh printed for `arguments` after `prefix`, and whether it succeeded.
/// Words with spaces go through the shell's quotes, and success shows as `capsh-ok` printed
/// by the shell that capsh runs at the end.
fn kernel_run(prefix: &[String], arguments: &[&str]) -> (String, bool) {
    let words: Vec<String> =
        prefix.iter().cloned().chain(arguments.iter().map(|a| a.to_string())).collect();
    if words.iter().all(|word| !word.contains(' ')) {
        let run = boot(&format!("init=capsh -- {}", words.join(" ")));
        let succeeded = run.status == status::SUCCESS;
        assert!(succeeded || run.status == status::FAILURE, "{run}");
        return (run.console, succeeded);
    }
    let quoted: Vec<String> = words
        .iter()
        .map(|word| if word.contains(' ') { format!("\"{word}\"") } else { word.clone() })
        .collect();
    let input = format!("capsh {} -- -c \"echo capsh-ok\"\npoweroff\n", quoted.join(" "));
    let run = swpan_tests::boot_with(
        "shell",
        &swpan_tests::BootOptions { input: input.as_bytes(), ..Default::default() },
    );
    run.assert_status(status::SUCCESS);
    let succeeded = run.has_line("capsh-ok");
    (run.console, succeeded)
}

#[test]
fn compare_with_host_capsh() {
    let prefix = match host_prefix() {
        Ok(prefix) => prefix,
        Err(reason) => {
            eprintln!("not compared with the host's capsh: {reason}");
            return;
        }
    };
    let mut differences = Vec::new();
    for arguments in COMPARED {
        let (console, kernel_succeeded) = kernel_run(&prefix, arguments);
        let mut host_arguments: Vec<String> = prefix.clone();
        host_arguments.extend(arguments.iter().map(|a| a.to_string()));
        // The host's capsh takes words with spaces as they are, and its exit status tells.
        let (stdout, stderr, code) = host_run(&host_arguments).expect("the host's capsh runs");
        let host_succeeded = code == 0;
        let mut problems = Vec::new();
        if kernel_succeeded != host_succeeded {
            problems.push(format!("succeeded: kernel {kernel_succeeded}, host {host_succeeded}"));
        }
        if capability_lines(&console) != capability_lines(&stdout) {
            problems.push(format!(
                "kernel:\n{}\nhost:\n{}",
                capability_lines(&console).join("\n"),
                capability_lines(&stdout).join("\n")
            ));
        }
        for message in stderr.lines() {
            if !console.lines().any(|line| line == message) {
                problems.push(format!("the kernel's capsh lacks the host's message {message:?}"));
            }
        }
        if !problems.is_empty() {
            differences.push(format!("capsh {}:\n{}", arguments.join(" "), problems.join("\n")));
        }
    }
    assert!(differences.is_empty(), "prefix {prefix:?}\n{}", differences.join("\n\n"));
}
