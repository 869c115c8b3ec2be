//! Capability system calls with Linux's ABI: `capget`, `capset` and the capability `prctl`s.

use crate::syscall::{check, raw};
use swpan_abi::Errno;
use swpan_abi::capability::VERSION_3;
use swpan_abi::capability_text::CapState;
use swpan_abi::prctl as option;
use swpan_abi::syscall::{CAPGET, CAPSET, PRCTL};

/// `prctl(option, arguments...)`: the call's non-negative result.
pub fn prctl(option: u32, arguments: [u32; 4]) -> Result<u32, Errno> {
    let [a2, a3, a4, a5] = arguments;
    // SAFETY: the capability prctls take integers only, no pointers.
    check(unsafe { raw(PRCTL, [option, a2, a3, a4, a5, 0]) })
}

/// The caller's effective, permitted and inheritable sets (`capget`, version 3, pid 0).
pub fn capget() -> Result<CapState, Errno> {
    let mut header = [VERSION_3, 0u32];
    // Two `__user_cap_data_struct`s: {effective, permitted, inheritable}, low word first.
    let mut data = [0u32; 6];
    // SAFETY: both buffers are live locals of the sizes a version-3 capget writes.
    check(unsafe {
        raw(
            CAPGET,
            [header.as_mut_ptr().addr() as u32, data.as_mut_ptr().addr() as u32, 0, 0, 0, 0],
        )
    })?;
    let join = |low: u32, high: u32| u64::from(low) | u64::from(high) << 32;
    Ok(CapState {
        effective: join(data[0], data[3]),
        permitted: join(data[1], data[4]),
        inheritable: join(data[2], data[5]),
    })
}

/// Sets the caller's effective, permitted and inheritable sets (`capset`, version 3, pid 0).
pub fn capset(state: &CapState) -> Result<(), Errno> {
    let mut header = [VERSION_3, 0u32];
    let data = [
        state.effective as u32,
        state.permitted as u32,
        state.inheritable as u32,
        (state.effective >> 32) as u32,
        (state.permitted >> 32) as u32,
        (state.inheritable >> 32) as u32,
    ];
    // SAFETY: both buffers are live locals of the sizes a version-3 capset reads (the kernel
    // may write the header's version on a version mismatch).
    check(unsafe {
        raw(CAPSET, [header.as_mut_ptr().addr() as u32, data.as_ptr().addr() as u32, 0, 0, 0, 0])
    })?;
    Ok(())
}

/// Whether capability `bit` is in the bounding set (`PR_CAPBSET_READ`).
pub fn bounding_has(bit: u32) -> Result<bool, Errno> {
    prctl(option::CAPBSET_READ, [bit, 0, 0, 0]).map(|result| result == 1)
}

/// Drops capability `bit` from the bounding set (`PR_CAPBSET_DROP`).
pub fn bounding_drop(bit: u32) -> Result<(), Errno> {
    prctl(option::CAPBSET_DROP, [bit, 0, 0, 0]).map(|_| ())
}

/// Whether capability `bit` is in the ambient set (`PR_CAP_AMBIENT_IS_SET`).
pub fn ambient_has(bit: u32) -> Result<bool, Errno> {
    prctl(option::CAP_AMBIENT, [option::CAP_AMBIENT_IS_SET, bit, 0, 0]).map(|result| result == 1)
}

/// Raises (`raise`) or lowers capability `bit` in the ambient set.
pub fn ambient_set(bit: u32, raise: bool) -> Result<(), Errno> {
    let operation = if raise { option::CAP_AMBIENT_RAISE } else { option::CAP_AMBIENT_LOWER };
    prctl(option::CAP_AMBIENT, [operation, bit, 0, 0]).map(|_| ())
}

/// Clears the ambient set (`PR_CAP_AMBIENT_CLEAR_ALL`).
pub fn ambient_clear() -> Result<(), Errno> {
    prctl(option::CAP_AMBIENT, [option::CAP_AMBIENT_CLEAR_ALL, 0, 0, 0]).map(|_| ())
}

/// The securebits (`PR_GET_SECUREBITS`).
pub fn securebits() -> Result<u32, Errno> {
    prctl(option::GET_SECUREBITS, [0; 4])
}

/// Sets the securebits (`PR_SET_SECUREBITS`).
pub fn set_securebits(bits: u32) -> Result<(), Errno> {
    prctl(option::SET_SECUREBITS, [bits, 0, 0, 0]).map(|_| ())
}

/// Sets or clears keep-caps (`PR_SET_KEEPCAPS`).
pub fn set_keepcaps(keep: bool) -> Result<(), Errno> {
    prctl(option::SET_KEEPCAPS, [u32::from(keep), 0, 0, 0]).map(|_| ())
}
