//! `capsh`: libcap's capability shell wrapper. Runs its options in order, changing the
//! process's capabilities, ids and securebits, then optionally executes `/bin/sh` (`--`) or
//! itself (`==`) with the remaining arguments. A failed step names itself and exits 1.

#![no_std]
#![no_main]

use core::fmt::Write;
use swpan_user::abi::ProcessStatus;
use swpan_user::abi::capability_text::{self, CapState};
use swpan_user::capability;
use swpan_user::{Console, println, syscall, users};

swpan_user::main!(run);

/// The failure of a step that printed its own message.
const PRINTED: &str = "";
/// The most arguments passed on by `--` or `==`.
const MAX_ARGUMENTS: usize = 32;
/// `CAP_SETUID` and `CAP_SETGID`, raised in the effective set just for an id switch.
const CAP_SETGID: u32 = 6;
const CAP_SETUID: u32 = 7;

fn run(_joined: &str) -> i32 {
    let mut arguments = swpan_user::arguments();
    let program = arguments.next().unwrap_or("capsh");
    while let Some(argument) = arguments.next() {
        if argument == "--" || argument == "==" {
            let mut argv = [""; MAX_ARGUMENTS];
            let (path, first) =
                if argument == "--" { ("/bin/sh", "/bin/sh") } else { ("/bin/capsh", program) };
            argv[0] = first;
            let mut count = 1;
            for rest in arguments.by_ref().take(MAX_ARGUMENTS - 1) {
                argv[count] = rest;
                count += 1;
            }
            let mut envp = [""; MAX_ARGUMENTS];
            let mut environment_count = 0;
            for variable in swpan_user::environment().take(MAX_ARGUMENTS) {
                envp[environment_count] = variable;
                environment_count += 1;
            }
            let error = syscall::execve(path, &argv[..count], &envp[..environment_count]);
            println!("execve failed: {}", error.name());
            return 1;
        }
        if let Err(message) = step(argument) {
            if message != PRINTED {
                println!("{message} [{argument}]");
            }
            return 1;
        }
    }
    0
}

/// Runs one option; the error is capsh's message for the failed step.
fn step(argument: &str) -> Result<(), &'static str> {
    let (option, value) = argument.split_once('=').unwrap_or((argument, ""));
    match option {
        "--print" => print().map_err(|_| "unable to read the process's state"),
        "--decode" => {
            let value = parse_hex(value).ok_or("unable to interpret")?;
            let mut console = Console::new();
            let _ = capability_text::write_decode(&mut console, value);
            let _ = console.write_char('\n');
            console.flush();
            Ok(())
        }
        "--caps" => {
            let state = capability_text::from_text(value).map_err(|_| "unable to interpret")?;
            capability::capset(&state).map_err(|_| "Unable to set capabilities")
        }
        "--inh" => {
            let list = list(value)?;
            let mut state = capability::capget().map_err(|_| "Failed to read capabilities")?;
            state.inheritable = list;
            capability::capset(&state).map_err(|_| "Failed to set inheritable capabilities")
        }
        "--drop" => {
            each(list(value)?, capability::bounding_drop, "failed to drop from bounding set")
        }
        "--addamb" => {
            each(list(value)?, |bit| capability::ambient_set(bit, true), "failed to raise ambient")
        }
        "--delamb" => {
            each(list(value)?, |bit| capability::ambient_set(bit, false), "failed to lower ambient")
        }
        "--noamb" => capability::ambient_clear().map_err(|_| "failed to clear ambient"),
        "--user" => {
            let user = users::by_name(value).ok_or("user not known")?;
            with_effective(CAP_SETGID, || syscall::setgid(user.gid))
                .map_err(|_| "Failed to set gid")?;
            set_uid_keeping_permitted(user.uid).map_err(|_| "Failed to set uid")
        }
        "--uid" => {
            let uid = value.parse().map_err(|_| "unable to interpret")?;
            syscall::setuid(uid).map_err(|_| "Failed to set uid")
        }
        "--gid" => {
            let gid = value.parse().map_err(|_| "unable to interpret")?;
            syscall::setgid(gid).map_err(|_| "Failed to set gid")
        }
        "--keep" => match value {
            "0" | "1" => capability::set_keepcaps(value == "1")
                .map_err(|_| "Failed to set keep-capabilities"),
            _ => Err("unable to interpret"),
        },
        "--secbits" => {
            let bits = parse_number(value).ok_or("unable to interpret")?;
            capability::set_securebits(bits).map_err(|_| "Failed to set securebits")
        }
        "--has-p" => {
            let bit = capability_text::from_name(value).ok_or("unable to interpret")?;
            let status = syscall::getstatus().map_err(|_| "unable to read the process's state")?;
            if ProcessStatus::join(status.cap_permitted) >> bit & 1 == 1 {
                return Ok(());
            }
            println!("cap[{value}] not permitted");
            Err(PRINTED)
        }
        "--has-a" => {
            let bit = capability_text::from_name(value).ok_or("unable to interpret")?;
            if capability::ambient_has(bit) == Ok(true) {
                return Ok(());
            }
            println!("cap[{value}] not in ambient vector");
            Err(PRINTED)
        }
        _ => Err("unknown option"),
    }
}

/// A capability list (`cap_a,cap_b`).
fn list(value: &str) -> Result<u64, &'static str> {
    capability_text::list_from_text(value).ok_or("unable to interpret")
}

/// Runs `action` on every capability in `list`, in number order.
fn each(
    list: u64,
    mut action: impl FnMut(u32) -> Result<(), swpan_user::Errno>,
    message: &'static str,
) -> Result<(), &'static str> {
    for bit in (0..64).filter(|bit| list >> bit & 1 == 1) {
        action(bit).map_err(|_| message)?;
    }
    Ok(())
}

/// Runs `action` with capability `bit` raised in the effective set, then restores the effective
/// set as it was, without that bit unless it had it before (libcap's `cap_setgroups`).
fn with_effective<T>(
    bit: u32,
    action: impl FnOnce() -> Result<T, swpan_user::Errno>,
) -> Result<T, swpan_user::Errno> {
    let mut state = capability::capget()?;
    let before = state.effective;
    state.effective |= 1 << bit;
    capability::capset(&state)?;
    let result = action();
    let mut after = capability::capget()?;
    after.effective = before & after.permitted;
    capability::capset(&after)?;
    result
}

/// libcap's `cap_setuid`: keep-caps on for the switch so that the permitted set survives it,
/// CAP_SETUID effective just for it, keep-caps back off, and the effective set restored
/// without CAP_SETUID.
fn set_uid_keeping_permitted(uid: u32) -> Result<(), swpan_user::Errno> {
    let mut state = capability::capget()?;
    let effective = state.effective;
    state.effective |= 1 << CAP_SETUID;
    capability::capset(&state)?;
    capability::set_keepcaps(true)?;
    let switched = syscall::setuid(uid);
    capability::set_keepcaps(false)?;
    let mut after = capability::capget()?;
    after.effective = effective & !(1 << CAP_SETUID) & after.permitted;
    capability::capset(&after)?;
    switched
}

/// Prints the process's capability state as `capsh --print` does.
fn print() -> Result<(), swpan_user::Errno> {
    let status = syscall::getstatus()?;
    let state = CapState {
        effective: ProcessStatus::join(status.cap_effective),
        permitted: ProcessStatus::join(status.cap_permitted),
        inheritable: ProcessStatus::join(status.cap_inheritable),
    };
    let bounding = ProcessStatus::join(status.cap_bounding);
    let ambient = ProcessStatus::join(status.cap_ambient);
    // A kernel without PR_GET_SECUREBITS has none set.
    let securebits = capability::securebits().unwrap_or(0);
    let mut console = Console::new();
    let _ = (|| -> core::fmt::Result {
        console.write_str("Current: ")?;
        capability_text::write_text(&mut console, &state)?;
        console.write_str("\nBounding set =")?;
        capability_text::write_list(&mut console, bounding)?;
        console.write_str("\nAmbient set =")?;
        capability_text::write_list(&mut console, ambient)?;
        console.write_str("\nCurrent IAB: ")?;
        capability_text::write_iab(&mut console, state.inheritable, ambient, bounding)?;
        console.write_char('\n')?;
        capability_text::write_securebits(&mut console, securebits, status.no_new_privs != 0)?;
        let [ruid, euid, ..] = status.uid;
        users::write_id(&mut console, "uid", ruid, users::by_uid(ruid).map(|user| user.name))?;
        console.write_char(' ')?;
        users::write_id(&mut console, "euid", euid, users::by_uid(euid).map(|user| user.name))?;
        console.write_char('\n')?;
        let gid = status.gid[0];
        users::write_id(&mut console, "gid", gid, users::group_name(gid))?;
        console.write_str("\ngroups=\n")
    })();
    console.flush();
    Ok(())
}

/// A hexadecimal number, with or without `0x` (capsh's `--decode`).
fn parse_hex(text: &str) -> Option<u64> {
    let digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
    u64::from_str_radix(digits, 16).ok()
}

/// A number in decimal, or hexadecimal after `0x`.
fn parse_number(text: &str) -> Option<u32> {
    match text.strip_prefix("0x") {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}
