//! `capget`, `capset` and `prctl`: the calls that read and change a process's capability
//! sets, securebits and no_new_privs, by Linux's rules (kernel/capability.c, kernel/sys.c,
//! security/commoncap.c `cap_capset` and `cap_task_prctl`).
//!
//! The rules are pure functions of a [`Credentials`], unit-tested on the host; the calls
//! below them only move words across the user boundary and apply the result to the caller.

use crate::credentials::Credentials;
use crate::errno::Errno;
#[cfg(target_arch = "arm")]
use crate::process::{self, with_current};
#[cfg(target_arch = "arm")]
use crate::uaccess::{UserPtr, copy_from_user, copy_to_user, get_user, put_user};
use swpan_abi::capability::{self, VERSION_1, VERSION_2, VERSION_3};
use swpan_abi::{prctl, securebits};

/// `cap_capset`: the caller's new effective, permitted and inheritable sets, each check
/// failing with EPERM; the ambient set then shrinks to what stays permitted and inheritable.
pub fn set_capabilities(
    credentials: &mut Credentials,
    effective: u64,
    permitted: u64,
    inheritable: u64,
) -> Result<(), Errno> {
    let [effective, permitted, inheritable] =
        [effective, permitted, inheritable].map(|set| set & capability::ALL);
    let old = &credentials.capabilities;
    let setpcap = credentials.capable(capability::SETPCAP);
    let refused = (!setpcap && inheritable & !(old.inheritable | old.permitted) != 0)
        || inheritable & !(old.inheritable | old.bounding) != 0
        || permitted & !old.permitted != 0
        || effective & !permitted != 0;
    if refused {
        return Err(Errno::EPERM);
    }
    let sets = &mut credentials.capabilities;
    sets.effective = effective;
    sets.permitted = permitted;
    sets.inheritable = inheritable;
    sets.ambient &= permitted & inheritable;
    Ok(())
}

/// The options of `prctl` this kernel has, on the caller's credentials: the value to return,
/// or Linux's error. Unknown options are EINVAL.
pub fn prctl_rule(
    credentials: &mut Credentials,
    option: u32,
    args: [u32; 4],
) -> Result<u32, Errno> {
    let [arg2, arg3, arg4, arg5] = args;
    let setpcap = credentials.capable(capability::SETPCAP);
    match option {
        prctl::GET_KEEPCAPS => Ok(u32::from(credentials.secure(securebits::KEEP_CAPS))),
        prctl::SET_KEEPCAPS => {
            if arg2 > 1 {
                return Err(Errno::EINVAL);
            }
            if credentials.secure(securebits::KEEP_CAPS_LOCKED) {
                return Err(Errno::EPERM);
            }
            credentials.securebits &= !securebits::KEEP_CAPS;
            if arg2 == 1 {
                credentials.securebits |= securebits::KEEP_CAPS;
            }
            Ok(0)
        }
        prctl::CAPBSET_READ => {
            if !capability::is_valid(arg2) {
                return Err(Errno::EINVAL);
            }
            Ok(u32::from(credentials.capabilities.bounding & capability::bit(arg2) != 0))
        }
        prctl::CAPBSET_DROP => {
            // Permission first, then the number (`cap_prctl_drop`).
            if !setpcap {
                return Err(Errno::EPERM);
            }
            if !capability::is_valid(arg2) {
                return Err(Errno::EINVAL);
            }
            credentials.capabilities.bounding &= !capability::bit(arg2);
            Ok(0)
        }
        prctl::GET_SECUREBITS => Ok(credentials.securebits),
        prctl::SET_SECUREBITS => {
            let old = credentials.securebits;
            let locks = old & securebits::ALL_LOCKS;
            let refused = (locks >> 1) & (old ^ arg2) != 0
                || locks & !arg2 != 0
                || arg2 & !(securebits::ALL_LOCKS | securebits::ALL_FLAGS) != 0
                || !setpcap;
            if refused {
                return Err(Errno::EPERM);
            }
            credentials.securebits = arg2;
            Ok(0)
        }
        prctl::SET_NO_NEW_PRIVS => {
            if arg2 != 1 || arg3 | arg4 | arg5 != 0 {
                return Err(Errno::EINVAL);
            }
            credentials.no_new_privs = true;
            Ok(0)
        }
        prctl::GET_NO_NEW_PRIVS => {
            if arg2 | arg3 | arg4 | arg5 != 0 {
                return Err(Errno::EINVAL);
            }
            Ok(u32::from(credentials.no_new_privs))
        }
        prctl::CAP_AMBIENT => ambient(credentials, arg2, arg3, arg4 | arg5),
        _ => Err(Errno::EINVAL),
    }
}

/// PR_CAP_AMBIENT's operations, checked in `cap_task_prctl`'s order; none needs CAP_SETPCAP.
fn ambient(
    credentials: &mut Credentials,
    operation: u32,
    number: u32,
    rest: u32,
) -> Result<u32, Errno> {
    let sets = &mut credentials.capabilities;
    if operation == prctl::CAP_AMBIENT_CLEAR_ALL {
        if number | rest != 0 {
            return Err(Errno::EINVAL);
        }
        sets.ambient = 0;
        return Ok(0);
    }
    if !capability::is_valid(number) || rest != 0 {
        return Err(Errno::EINVAL);
    }
    let bit = capability::bit(number);
    match operation {
        prctl::CAP_AMBIENT_IS_SET => Ok(u32::from(sets.ambient & bit != 0)),
        prctl::CAP_AMBIENT_RAISE => {
            let allowed = sets.permitted & sets.inheritable & bit != 0
                && credentials.securebits & securebits::NO_CAP_AMBIENT_RAISE == 0;
            if !allowed {
                return Err(Errno::EPERM);
            }
            sets.ambient |= bit;
            Ok(0)
        }
        prctl::CAP_AMBIENT_LOWER => {
            sets.ambient &= !bit;
            Ok(0)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// How many 32-bit words of each set a header version carries; EINVAL for an unknown one.
pub const fn words_of(version: u32) -> Result<usize, Errno> {
    match version {
        VERSION_1 => Ok(1),
        VERSION_2 | VERSION_3 => Ok(2),
        _ => Err(Errno::EINVAL),
    }
}

#[cfg(target_arch = "arm")]
/// The size of one data element: effective, permitted, inheritable (u32 each).
const ELEMENT: usize = 12;

#[cfg(target_arch = "arm")]
/// `cap_validate_magic`: the number of data elements, or EINVAL after writing the preferred
/// version back into the header (EFAULT where the header cannot be read or written).
fn validate_header(header: UserPtr<u32>) -> Result<usize, Errno> {
    let version = get_user(header)?;
    words_of(version).or_else(|error| {
        put_user(header, VERSION_3)?;
        Err(error)
    })
}

#[cfg(target_arch = "arm")]
/// The header's pid field, four bytes after its version.
fn header_pid(header: UserPtr<u32>) -> Result<i32, Errno> {
    get_user(header.byte_add(4).ok_or(Errno::EFAULT)?).map(|pid| pid as i32)
}

#[cfg(target_arch = "arm")]
/// `capget(header, data)`: NULL data only probes the version (0 even for a bad one, whose
/// preferred value is written back); a negative pid is EINVAL, an unknown one ESRCH.
pub fn capget(header: UserPtr<u32>, data: UserPtr<u8>) -> Result<u32, Errno> {
    let validated = validate_header(header);
    if data.address() == 0 {
        return match validated {
            Ok(_) | Err(Errno::EINVAL) => Ok(0),
            Err(error) => Err(error),
        };
    }
    let elements = validated?;
    let pid = header_pid(header)?;
    if pid < 0 {
        return Err(Errno::EINVAL);
    }
    let sets = if pid == 0 || pid as u32 == process::current_pid() {
        with_current(|process| process.credentials.capabilities)
    } else {
        process::with_process(pid as u32, |process| process.credentials.capabilities)
            .map_err(|_| Errno::ESRCH)?
    };
    let mut bytes = [0u8; 2 * ELEMENT];
    for (index, element) in bytes.chunks_exact_mut(ELEMENT).take(elements).enumerate() {
        let shift = 32 * index;
        let words =
            [sets.effective, sets.permitted, sets.inheritable].map(|set| (set >> shift) as u32);
        for (slot, word) in element.chunks_exact_mut(4).zip(words) {
            slot.copy_from_slice(&word.to_ne_bytes());
        }
    }
    copy_to_user(data, &bytes[..elements * ELEMENT])?;
    Ok(0)
}

#[cfg(target_arch = "arm")]
/// `capset(header, data)`: only the caller (pid 0 or its own, else EPERM); a version-1 call
/// sets the low words and clears the high ones, as Linux.
pub fn capset(header: UserPtr<u32>, data: UserPtr<u8>) -> Result<u32, Errno> {
    let elements = validate_header(header)?;
    let pid = header_pid(header)?;
    if pid != 0 && pid as u32 != process::current_pid() {
        return Err(Errno::EPERM);
    }
    let mut bytes = [0u8; 2 * ELEMENT];
    copy_from_user(&mut bytes[..elements * ELEMENT], data)?;
    let mut sets = [0u64; 3];
    for (index, element) in bytes.chunks_exact(ELEMENT).enumerate() {
        for (set, word) in sets.iter_mut().zip(element.chunks_exact(4)) {
            let word = u32::from_ne_bytes([word[0], word[1], word[2], word[3]]);
            *set |= u64::from(word) << (32 * index);
        }
    }
    let [effective, permitted, inheritable] = sets;
    with_current(|process| {
        set_capabilities(&mut process.credentials, effective, permitted, inheritable)
    })
    .map(|()| 0)
}

#[cfg(target_arch = "arm")]
/// `prctl(option, arg2, arg3, arg4, arg5)` on the caller.
pub fn prctl(option: u32, args: [u32; 4]) -> Result<u32, Errno> {
    with_current(|process| prctl_rule(&mut process.credentials, option, args))
}

/// EPERM unless the caller has capability `number` in its effective set (`capable`).
#[cfg(target_arch = "arm")]
pub fn require(number: u32) -> Result<(), Errno> {
    if with_current(|process| process.credentials.capable(number)) {
        Ok(())
    } else {
        Err(Errno::EPERM)
    }
}

/// EACCES unless the caller's fs uid is 0: the lkdtm and page-table dump entries are root's.
/// Linux guards them by file mode, not by a capability: lkdtm's provoke-crash/DIRECT is a
/// root-owned 0644 file in debugfs (mode 0700), so the permission check is the file's.
#[cfg(target_arch = "arm")]
pub fn require_root_file() -> Result<(), Errno> {
    let fs_uid = with_current(|process| process.credentials.uid.fs);
    if fs_uid == crate::credentials::ROOT { Ok(()) } else { Err(Errno::EACCES) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::{Ids, Kind};
    use swpan_abi::capability::{NET_BIND_SERVICE, NET_RAW, SETPCAP, SYSLOG};

    const BIND: u64 = 1 << NET_BIND_SERVICE;
    const RAW: u64 = 1 << NET_RAW;

    /// A user that kept NET_BIND_SERVICE and NET_RAW permitted (test_execve's setup).
    fn daemon() -> Credentials {
        let mut credentials = Credentials::root();
        prctl_rule(&mut credentials, prctl::SET_KEEPCAPS, [1, 0, 0, 0]).unwrap();
        credentials.set_real_effective_saved(Kind::User, 1, 1, 1).unwrap();
        set_capabilities(&mut credentials, 0, BIND | RAW, 0).unwrap();
        credentials
    }

    fn call(credentials: &mut Credentials, option: u32, args: [u32; 4]) -> Result<u32, Errno> {
        prctl_rule(credentials, option, args)
    }

    fn ambient_op(
        credentials: &mut Credentials,
        operation: u32,
        number: u32,
    ) -> Result<u32, Errno> {
        call(credentials, prctl::CAP_AMBIENT, [operation, number, 0, 0])
    }

    #[test]
    fn test_execve_ambient_rules() {
        use prctl::{CAP_AMBIENT_CLEAR_ALL, CAP_AMBIENT_IS_SET, CAP_AMBIENT_RAISE};
        let mut credentials = daemon();
        credentials.capabilities.permitted = BIND;
        assert_eq!(credentials.uid, Ids::all(1));
        assert_eq!(
            ambient_op(&mut credentials, CAP_AMBIENT_RAISE, NET_BIND_SERVICE),
            Err(Errno::EPERM),
            "not in I"
        );
        set_capabilities(&mut credentials, 0, BIND, BIND | RAW).map_err(|_| ()).unwrap_err();
        let mut root = Credentials::root();
        set_capabilities(&mut root, capability::ALL & !RAW, capability::ALL & !RAW, RAW).unwrap();
        assert_eq!(
            ambient_op(&mut root, CAP_AMBIENT_RAISE, NET_RAW),
            Err(Errno::EPERM),
            "in I, not in P"
        );
        set_capabilities(&mut credentials, 0, BIND, BIND).unwrap();
        assert_eq!(ambient_op(&mut credentials, CAP_AMBIENT_RAISE, NET_BIND_SERVICE), Ok(0));
        assert_eq!(ambient_op(&mut credentials, CAP_AMBIENT_IS_SET, NET_BIND_SERVICE), Ok(1));
        assert_eq!(ambient_op(&mut credentials, CAP_AMBIENT_CLEAR_ALL, 0), Ok(0));
        assert_eq!(ambient_op(&mut credentials, CAP_AMBIENT_IS_SET, NET_BIND_SERVICE), Ok(0));
        ambient_op(&mut credentials, CAP_AMBIENT_RAISE, NET_BIND_SERVICE).unwrap();
        set_capabilities(&mut credentials, 0, BIND, 0).unwrap();
        assert_eq!(
            ambient_op(&mut credentials, CAP_AMBIENT_IS_SET, NET_BIND_SERVICE),
            Ok(0),
            "dropped from I"
        );
        set_capabilities(&mut credentials, 0, BIND, BIND).unwrap();
        ambient_op(&mut credentials, CAP_AMBIENT_RAISE, NET_BIND_SERVICE).unwrap();
        set_capabilities(&mut credentials, 0, 0, BIND).unwrap();
        assert_eq!(credentials.capabilities.ambient, 0, "dropped from P");
    }

    #[test]
    fn ambient_argument_errors() {
        use prctl::{CAP_AMBIENT, CAP_AMBIENT_CLEAR_ALL, CAP_AMBIENT_LOWER, CAP_AMBIENT_RAISE};
        let mut credentials = Credentials::root();
        for args in [[CAP_AMBIENT_CLEAR_ALL, 1, 0, 0], [CAP_AMBIENT_CLEAR_ALL, 0, 0, 1]] {
            assert_eq!(call(&mut credentials, CAP_AMBIENT, args), Err(Errno::EINVAL));
        }
        assert_eq!(
            call(&mut credentials, CAP_AMBIENT, [CAP_AMBIENT_LOWER, 41, 0, 0]),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            call(&mut credentials, CAP_AMBIENT, [CAP_AMBIENT_LOWER, 1, 1, 0]),
            Err(Errno::EINVAL)
        );
        assert_eq!(call(&mut credentials, CAP_AMBIENT, [9, 1, 0, 0]), Err(Errno::EINVAL));
        assert_eq!(
            call(&mut credentials, CAP_AMBIENT, [CAP_AMBIENT_LOWER, 1, 0, 0]),
            Ok(0),
            "always allowed"
        );
        credentials.capabilities.inheritable = BIND;
        credentials.securebits = securebits::NO_CAP_AMBIENT_RAISE;
        assert_eq!(
            ambient_op(&mut credentials, CAP_AMBIENT_RAISE, NET_BIND_SERVICE),
            Err(Errno::EPERM)
        );
    }

    #[test]
    fn capset_checks_in_order() {
        let mut user = daemon();
        assert_eq!(set_capabilities(&mut user, 0, BIND | 1, 0), Err(Errno::EPERM), "P grows");
        assert_eq!(set_capabilities(&mut user, RAW, BIND, 0), Err(Errno::EPERM), "E beyond P'");
        assert_eq!(
            set_capabilities(&mut user, 0, BIND | RAW, 1),
            Err(Errno::EPERM),
            "I beyond P, no SETPCAP"
        );
        user.capabilities.bounding &= !RAW;
        assert_eq!(
            set_capabilities(&mut user, 0, BIND | RAW, RAW),
            Err(Errno::EPERM),
            "I beyond X"
        );
        let mut root = Credentials::root();
        root.capabilities.permitted = BIND | (1 << SETPCAP);
        root.capabilities.effective = 1 << SETPCAP;
        let permitted = root.capabilities.permitted;
        assert_eq!(
            set_capabilities(&mut root, 1 << SETPCAP, permitted, RAW),
            Ok(()),
            "SETPCAP: I beyond P"
        );
        assert_eq!(
            set_capabilities(&mut root, 0, 0, (1 << 63) | (1 << 41) | RAW),
            Ok(()),
            "high bits masked"
        );
        assert_eq!(root.capabilities.inheritable, RAW);
    }

    #[test]
    fn bounding_set_read_and_drop() {
        let mut root = Credentials::root();
        assert_eq!(call(&mut root, prctl::CAPBSET_READ, [SYSLOG, 0, 0, 0]), Ok(1));
        assert_eq!(call(&mut root, prctl::CAPBSET_READ, [41, 0, 0, 0]), Err(Errno::EINVAL));
        assert_eq!(call(&mut root, prctl::CAPBSET_DROP, [41, 0, 0, 0]), Err(Errno::EINVAL));
        root.capabilities.inheritable = BIND;
        root.capabilities.ambient = BIND;
        assert_eq!(call(&mut root, prctl::CAPBSET_DROP, [NET_BIND_SERVICE, 0, 0, 0]), Ok(0));
        assert_eq!(call(&mut root, prctl::CAPBSET_READ, [NET_BIND_SERVICE, 0, 0, 0]), Ok(0));
        assert_eq!(
            root.capabilities.ambient & root.capabilities.inheritable,
            BIND,
            "I and A keep it"
        );
        let mut user = daemon();
        assert_eq!(
            call(&mut user, prctl::CAPBSET_DROP, [41, 0, 0, 0]),
            Err(Errno::EPERM),
            "EPERM first"
        );
    }

    #[test]
    fn securebits_locks_and_keepcaps() {
        use securebits::*;
        let mut root = Credentials::root();
        assert_eq!(
            call(&mut root, prctl::SET_SECUREBITS, [0x100, 0, 0, 0]),
            Err(Errno::EPERM),
            "unknown bit"
        );
        assert_eq!(call(&mut root, prctl::SET_SECUREBITS, [KEEP_CAPS_LOCKED, 0, 0, 0]), Ok(0));
        assert_eq!(call(&mut root, prctl::GET_SECUREBITS, [0; 4]), Ok(KEEP_CAPS_LOCKED));
        assert_eq!(
            call(&mut root, prctl::SET_SECUREBITS, [KEEP_CAPS_LOCKED | KEEP_CAPS, 0, 0, 0]),
            Err(Errno::EPERM),
            "locked bit"
        );
        assert_eq!(
            call(&mut root, prctl::SET_SECUREBITS, [NOROOT, 0, 0, 0]),
            Err(Errno::EPERM),
            "clears a lock"
        );
        assert_eq!(
            call(&mut root, prctl::SET_SECUREBITS, [KEEP_CAPS_LOCKED | NOROOT, 0, 0, 0]),
            Ok(0)
        );
        assert_eq!(
            call(&mut root, prctl::SET_KEEPCAPS, [1, 0, 0, 0]),
            Err(Errno::EPERM),
            "KEEP_CAPS locked"
        );
        assert_eq!(call(&mut root, prctl::SET_KEEPCAPS, [2, 0, 0, 0]), Err(Errno::EINVAL));
        let mut user = daemon();
        assert_eq!(
            call(&mut user, prctl::SET_SECUREBITS, [0, 0, 0, 0]),
            Err(Errno::EPERM),
            "no SETPCAP"
        );
        assert_eq!(
            call(&mut user, prctl::SET_KEEPCAPS, [1, 0, 0, 0]),
            Ok(0),
            "needs no capability"
        );
        assert_eq!(call(&mut user, prctl::GET_KEEPCAPS, [0; 4]), Ok(1));
    }

    #[test]
    fn no_new_privs_is_one_way() {
        let mut user = daemon();
        assert_eq!(call(&mut user, prctl::SET_NO_NEW_PRIVS, [0, 0, 0, 0]), Err(Errno::EINVAL));
        assert_eq!(call(&mut user, prctl::SET_NO_NEW_PRIVS, [1, 0, 1, 0]), Err(Errno::EINVAL));
        assert_eq!(call(&mut user, prctl::GET_NO_NEW_PRIVS, [0; 4]), Ok(0));
        assert_eq!(call(&mut user, prctl::SET_NO_NEW_PRIVS, [1, 0, 0, 0]), Ok(0));
        assert_eq!(call(&mut user, prctl::GET_NO_NEW_PRIVS, [1, 0, 0, 0]), Err(Errno::EINVAL));
        assert_eq!(call(&mut user, prctl::GET_NO_NEW_PRIVS, [0; 4]), Ok(1));
        assert_eq!(call(&mut user, 12345, [0; 4]), Err(Errno::EINVAL), "unknown option");
    }

    #[test]
    fn header_versions() {
        assert_eq!(
            [words_of(VERSION_1), words_of(VERSION_2), words_of(VERSION_3)],
            [Ok(1), Ok(2), Ok(2)]
        );
        assert_eq!(words_of(0x1234), Err(Errno::EINVAL));
    }
}
