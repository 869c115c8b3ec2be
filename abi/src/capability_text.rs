//! Capability sets as text, in libcap's syntax: `cap_from_text`, `cap_to_text`, capsh's forms.
//!
//! A state is three 64-bit masks (effective, permitted, inheritable). The text is a list of
//! clauses separated by spaces; each clause is an optional comma-separated list of
//! capabilities (names, decimal numbers or `all`; none means all) followed by one or more
//! actions: `=` (set exactly these flags for the list, clearing the others), `+` (raise) and
//! `-` (lower), each with the flags it acts on, any of `e`, `i` and `p`.

use crate::capability::{ALL, LAST_CAP};
use core::fmt::{self, Write};

/// Every capability's name as libcap prints it, indexed by number (0 to 40).
pub const NAMES: [&str; LAST_CAP as usize + 1] = [
    "cap_chown",
    "cap_dac_override",
    "cap_dac_read_search",
    "cap_fowner",
    "cap_fsetid",
    "cap_kill",
    "cap_setgid",
    "cap_setuid",
    "cap_setpcap",
    "cap_linux_immutable",
    "cap_net_bind_service",
    "cap_net_broadcast",
    "cap_net_admin",
    "cap_net_raw",
    "cap_ipc_lock",
    "cap_ipc_owner",
    "cap_sys_module",
    "cap_sys_rawio",
    "cap_sys_chroot",
    "cap_sys_ptrace",
    "cap_sys_pacct",
    "cap_sys_admin",
    "cap_sys_boot",
    "cap_sys_nice",
    "cap_sys_resource",
    "cap_sys_time",
    "cap_sys_tty_config",
    "cap_mknod",
    "cap_lease",
    "cap_audit_write",
    "cap_audit_control",
    "cap_setfcap",
    "cap_mac_override",
    "cap_mac_admin",
    "cap_syslog",
    "cap_wake_alarm",
    "cap_block_suspend",
    "cap_audit_read",
    "cap_perfmon",
    "cap_bpf",
    "cap_checkpoint_restore",
];

/// The number of capabilities with a name: bits from here on print as numbers.
const NAMED: u32 = LAST_CAP + 1;

/// The three sets of a process or file, as `cap_t` holds them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CapState {
    /// The effective set.
    pub effective: u64,
    /// The permitted set.
    pub permitted: u64,
    /// The inheritable set.
    pub inheritable: u64,
}

/// Flag bits of one capability's state, as libcap numbers them (one bit per `cap_flag_t`).
const EFFECTIVE: u8 = 1;
const PERMITTED: u8 = 2;
const INHERITABLE: u8 = 4;

impl CapState {
    /// A file capability record as a state, as getcap shows it: fE is one bit, which makes
    /// every permitted and inheritable capability of the file effective.
    pub const fn of_file(permitted: u64, inheritable: u64, effective: bool) -> CapState {
        let effective = if effective { permitted | inheritable } else { 0 };
        CapState { effective, permitted, inheritable }
    }

    /// Which sets hold capability `bit`, as [`EFFECTIVE`] | [`PERMITTED`] | [`INHERITABLE`].
    fn flags(&self, bit: u32) -> u8 {
        let has = |set: u64| (set >> bit) & 1 == 1;
        (if has(self.effective) { EFFECTIVE } else { 0 })
            | (if has(self.permitted) { PERMITTED } else { 0 })
            | (if has(self.inheritable) { INHERITABLE } else { 0 })
    }

    /// Raises (or lowers) every capability of `list` in the sets named by `flags`.
    fn apply(&mut self, list: u64, flags: u8, raise: bool) {
        for (flag, set) in [
            (EFFECTIVE, &mut self.effective),
            (PERMITTED, &mut self.permitted),
            (INHERITABLE, &mut self.inheritable),
        ] {
            if flags & flag != 0 {
                if raise {
                    *set |= list;
                } else {
                    *set &= !list;
                }
            }
        }
    }
}

/// The capability called `name` (libcap's name, case-insensitive, or a decimal number).
pub fn from_name(name: &str) -> Option<u32> {
    if !name.is_empty() && name.bytes().all(|byte| byte.is_ascii_digit()) {
        return name.parse().ok().filter(|&number| number < 64);
    }
    NAMES.iter().position(|known| known.eq_ignore_ascii_case(name)).map(|index| index as u32)
}

/// Writes capability `bit`'s name, or its number when it has none.
pub fn write_name(out: &mut impl Write, bit: u32) -> fmt::Result {
    match NAMES.get(bit as usize) {
        Some(name) => out.write_str(name),
        None => write!(out, "{bit}"),
    }
}

/// Parses a comma-separated list of capabilities (capsh's `--drop=`, `--inh=`...); `all` is
/// every named one.
pub fn list_from_text(text: &str) -> Option<u64> {
    let mut list = 0;
    for name in text.split(',') {
        list |= if name.eq_ignore_ascii_case("all") { ALL } else { 1 << from_name(name)? };
    }
    Some(list)
}

/// Writes the capabilities of `set` as a comma-separated list (capsh's `--decode`).
pub fn write_list(out: &mut impl Write, set: u64) -> fmt::Result {
    let mut first = true;
    for bit in (0..64).filter(|bit| (set >> bit) & 1 == 1) {
        if !first {
            out.write_char(',')?;
        }
        first = false;
        write_name(out, bit)?;
    }
    Ok(())
}

/// Writes capsh's `--decode=` line for `value`: `0x%016x=` and the names.
pub fn write_decode(out: &mut impl Write, value: u64) -> fmt::Result {
    write!(out, "0x{value:016x}=")?;
    write_list(out, value)
}

/// A text that `cap_from_text` rejects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextError;

/// Parses libcap's text form into a state (`cap_from_text`); every set starts empty.
pub fn from_text(text: &str) -> Result<CapState, TextError> {
    let mut state = CapState::default();
    for clause in text.split_ascii_whitespace() {
        let start = clause.find(['=', '+', '-']).ok_or(TextError)?;
        let (names, mut actions) = clause.split_at(start);
        let list = if names.is_empty() {
            // Only `=` may stand without a list: it then means every capability.
            if !actions.starts_with('=') {
                return Err(TextError);
            }
            ALL
        } else {
            list_from_text(names).ok_or(TextError)?
        };
        while let Some(operator) = actions.chars().next() {
            actions = &actions[1..];
            let length = actions.find(['=', '+', '-']).unwrap_or(actions.len());
            let mut flags = 0;
            for letter in actions[..length].bytes() {
                flags |= match letter {
                    b'e' => EFFECTIVE,
                    b'p' => PERMITTED,
                    b'i' => INHERITABLE,
                    _ => return Err(TextError),
                };
            }
            actions = &actions[length..];
            match operator {
                '=' => {
                    state.apply(list, EFFECTIVE | PERMITTED | INHERITABLE, false);
                    state.apply(list, flags, true);
                }
                '+' | '-' if flags == 0 => return Err(TextError),
                '+' => state.apply(list, flags, true),
                _ => state.apply(list, flags, false),
            }
        }
    }
    Ok(state)
}

/// Writes the flag letters of `flags` in libcap's order (e, i, p).
fn write_flags(out: &mut impl Write, flags: u8) -> fmt::Result {
    for (flag, letter) in [(EFFECTIVE, 'e'), (INHERITABLE, 'i'), (PERMITTED, 'p')] {
        if flags & flag != 0 {
            out.write_char(letter)?;
        }
    }
    Ok(())
}

/// Writes `state` as `cap_to_text` does: the most common combination of flags among the named
/// capabilities as the base (`=ep`, or a bare `=`), then one clause per other combination, in
/// libcap's order, each naming its capabilities and what differs from the base.
pub fn write_text(out: &mut impl Write, state: &CapState) -> fmt::Result {
    let mut histogram = [0u32; 8];
    for bit in 0..NAMED {
        histogram[usize::from(state.flags(bit))] += 1;
    }
    // Ties go to the lower combination, an empty one above all.
    let mut base = 7;
    for combination in (0..7).rev() {
        if histogram[combination] >= histogram[base] {
            base = combination;
        }
    }
    let base = base as u8;
    // A bare `=` followed by a clause is shortened: "= a+e" is written "a=e".
    let mut pending_bare_base = base == 0;
    if base != 0 {
        out.write_char('=')?;
        write_flags(out, base)?;
    }
    let mut written = base != 0;
    for combination in (0..8u8).rev() {
        if combination == base || histogram[usize::from(combination)] == 0 {
            continue;
        }
        if written {
            out.write_char(' ')?;
        }
        written = true;
        let mut first = true;
        for bit in (0..NAMED).filter(|&bit| state.flags(bit) == combination) {
            if !first {
                out.write_char(',')?;
            }
            first = false;
            write_name(out, bit)?;
        }
        let raised = combination & !base;
        if raised != 0 {
            out.write_char(if pending_bare_base { '=' } else { '+' })?;
            pending_bare_base = false;
            write_flags(out, raised)?;
        }
        let lowered = !combination & base;
        if lowered != 0 {
            out.write_char('-')?;
            write_flags(out, lowered)?;
        }
    }
    if !written {
        out.write_char('=')?;
    }
    // Unnamed bits above the last capability can only be raised.
    for combination in (1..8u8).rev() {
        let mut first = true;
        for bit in (NAMED..64).filter(|&bit| state.flags(bit) == combination) {
            out.write_str(if first { " " } else { "," })?;
            first = false;
            write!(out, "{bit}")?;
        }
        if !first {
            out.write_char('+')?;
            write_flags(out, combination)?;
        }
    }
    Ok(())
}

/// Writes the IAB tuple as capsh's `Current IAB:` line does (`cap_iab_to_text`): for each
/// capability that is inheritable, ambient or outside the bounding set, `!` when outside the
/// bounding set, then `^` when ambient (or `%` when outside it and only inheritable), then its
/// name.
pub fn write_iab(
    out: &mut impl Write,
    inheritable: u64,
    ambient: u64,
    bounding: u64,
) -> fmt::Result {
    let mut first = true;
    for bit in 0..NAMED {
        let has = |set: u64| (set >> bit) & 1 == 1;
        let (inheritable, ambient, unbounded) = (has(inheritable), has(ambient), !has(bounding));
        if !(inheritable || ambient || unbounded) {
            continue;
        }
        if !first {
            out.write_char(',')?;
        }
        first = false;
        if unbounded {
            out.write_char('!')?;
        }
        if ambient {
            out.write_char('^')?;
        } else if unbounded && inheritable {
            out.write_char('%')?;
        }
        write_name(out, bit)?;
    }
    Ok(())
}

/// Writes capsh's `Securebits:` line and its four flag lines for `bits`.
pub fn write_securebits(out: &mut impl Write, bits: u32, no_new_privs: bool) -> fmt::Result {
    let width = (32 - bits.leading_zeros()).max(1);
    writeln!(
        out,
        "Securebits: 0{bits:o}/0x{bits:x}/{width}'b{bits:b} (no-new-privs={})",
        u32::from(no_new_privs)
    )?;
    for (index, name) in
        ["secure-noroot", "secure-no-suid-fixup", "secure-keep-caps", "secure-no-ambient-raise"]
            .iter()
            .enumerate()
    {
        let flag = (bits >> (2 * index)) & 1 == 1;
        let lock = (bits >> (2 * index + 1)) & 1 == 1;
        writeln!(
            out,
            " {name}: {} ({})",
            if flag { "yes" } else { "no" },
            if lock { "locked" } else { "unlocked" }
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::String;

    fn text(state: &CapState) -> String {
        let mut out = String::new();
        write_text(&mut out, state).unwrap();
        out
    }

    fn round(input: &str) -> String {
        text(&from_text(input).unwrap())
    }

    // Expected strings are libcap 2.66's (capsh --decode, capsh --caps=... --print).
    #[test]
    fn decode_matches_capsh() {
        let decode = |value| {
            let mut out = String::new();
            write_decode(&mut out, value).unwrap();
            out
        };
        assert_eq!(decode(0), "0x0000000000000000=");
        assert_eq!(decode(1), "0x0000000000000001=cap_chown");
        assert_eq!(decode(0x4_0000_0000), "0x0000000400000000=cap_syslog");
        assert_eq!(
            decode(0x7),
            "0x0000000000000007=cap_chown,cap_dac_override,cap_dac_read_search"
        );
        assert_eq!(decode(0x200_0000_0000), "0x0000020000000000=41");
        assert_eq!(decode(0x8000_0000_0000_0001), "0x8000000000000001=cap_chown,63");
        let all = decode(ALL);
        assert!(all.starts_with("0x000001ffffffffff=cap_chown,cap_dac_override,"));
        assert!(all.ends_with(",cap_perfmon,cap_bpf,cap_checkpoint_restore"));
        assert_eq!(all.matches(',').count(), 40);
    }

    #[test]
    fn names_match_libcap() {
        assert_eq!(from_name("cap_syslog"), Some(34));
        assert_eq!(from_name("CAP_KILL"), Some(5));
        assert_eq!(from_name("5"), Some(5));
        assert_eq!(from_name("cap_nothing"), None);
        assert_eq!(NAMES[40], "cap_checkpoint_restore");
        assert_eq!(NAMES[21], "cap_sys_admin");
    }

    #[test]
    fn text_round_trips_as_capsh_prints_them() {
        assert_eq!(round("all="), "=");
        assert_eq!(round("="), "=");
        assert_eq!(round("=ep"), "=ep");
        assert_eq!(round("cap_syslog=ep"), "cap_syslog=ep");
        assert_eq!(round("cap_chown,cap_kill+eip"), "cap_chown,cap_kill=eip");
        assert_eq!(round("cap_syslog+i"), "cap_syslog=i");
        assert_eq!(round("CAP_KILL+p"), "cap_kill=p");
        assert_eq!(round("cap_kill=p+e"), "cap_kill=ep");
        assert_eq!(round("cap_kill=p-p"), "=");
        assert_eq!(round("cap_kill="), "=");
        assert_eq!(round("5=p"), "cap_kill=p");
        assert_eq!(round("=ep cap_sys_resource,cap_kill-ep"), "=ep cap_kill,cap_sys_resource-ep");
        assert_eq!(
            round("=ep cap_sys_resource-ep cap_kill+i"),
            "=ep cap_kill+i cap_sys_resource-ep"
        );
        assert_eq!(
            round("cap_net_raw,cap_net_admin=eip cap_kill=p"),
            "cap_net_admin,cap_net_raw=eip cap_kill+p"
        );
        assert_eq!(
            round("cap_kill=ep cap_chown=i cap_syslog=ep"),
            "cap_chown=i cap_kill,cap_syslog+ep"
        );
    }

    #[test]
    fn from_text_sets_the_right_bits() {
        let state = from_text("cap_syslog=ep").unwrap();
        assert_eq!(state, CapState { effective: 1 << 34, permitted: 1 << 34, inheritable: 0 });
        let state = from_text("=eip cap_kill-i").unwrap();
        assert_eq!(state.inheritable, ALL & !(1 << 5));
    }

    // getcap's lines for records set by `setcap cap_syslog=ep` and `setcap cap_kill,cap_chown+i`.
    #[test]
    fn file_records_print_as_getcap_does() {
        assert_eq!(text(&CapState::of_file(1 << 34, 0, true)), "cap_syslog=ep");
        assert_eq!(text(&CapState::of_file(0, 1 | 1 << 5, false)), "cap_chown,cap_kill=i");
        assert_eq!(text(&CapState::of_file(0, 1 << 5, true)), "cap_kill=ei");
        assert_eq!(text(&CapState::of_file(0, 0, false)), "=");
    }

    #[test]
    fn from_text_rejects_what_libcap_rejects() {
        for bad in ["cap_kill", "+e", "cap_kill=x", "cap_kill+", "cap_kill,=p", "cap_nothing=e"] {
            assert_eq!(from_text(bad), Err(TextError), "{bad}");
        }
    }

    #[test]
    fn iab_and_securebits_as_capsh() {
        let mut out = String::new();
        let bounding = ALL & !(1 << 24) & !1;
        write_iab(&mut out, 1 << 5, 1 << 5, bounding).unwrap();
        assert_eq!(out, "!cap_chown,^cap_kill,!cap_sys_resource");
        out.clear();
        write_iab(&mut out, 1, 0, ALL & !1).unwrap();
        assert_eq!(out, "!%cap_chown");
        out.clear();
        write_securebits(&mut out, 0x2f, false).unwrap();
        assert_eq!(
            out,
            "Securebits: 057/0x2f/6'b101111 (no-new-privs=0)\n secure-noroot: yes (locked)\n \
             secure-no-suid-fixup: yes (locked)\n secure-keep-caps: no (locked)\n \
             secure-no-ambient-raise: no (unlocked)\n"
        );
        out.clear();
        write_securebits(&mut out, 0, false).unwrap();
        assert!(out.starts_with("Securebits: 00/0x0/1'b0 (no-new-privs=0)\n"));
    }
}
