//! The kernel log for user space: `syslog` (103) under Linux's `dmesg_restrict` and `kptr_restrict`.
//!
//! Two actions exist, as Linux numbers them: SYSLOG_ACTION_READ_ALL (3) copies the newest
//! whole lines that fit into the caller's buffer and returns how many bytes it copied;
//! SYSLOG_ACTION_SIZE_BUFFER (10) returns the ring's size. Every other action is EINVAL.
//! READ_ALL refuses a NULL buffer or a negative length with EINVAL and a buffer outside the
//! user half with EFAULT before reading; a fault while copying is EFAULT too.
//!
//! Permission (`check_syslog_permissions`, kernel/printk/printk.c): with `dmesg_restrict=1`
//! (the default) every action needs CAP_SYSLOG in the effective set; with 0, READ_ALL and
//! SIZE_BUFFER are open to anyone and the rest still need it. A refusal is EPERM.
//!
//! The text is rendered for each reader ([`crate::logbuf`]): fields printed with
//! [`crate::logbuf::Kptr`] (the oops report's registers) read as zeros unless `kptr_restrict`
//! and the reader's credentials allow the real values.
//!
//! The same rule governs `kallsyms_lookup` ([`symbol_address`]), the kernel's symbol table
//! searched by name: Linux v4.3's `/proc/kallsyms` prints its addresses with `%pK`, so a
//! reader the rule censors sees zeros.

use crate::console::LOG;
use crate::errno::Errno;
use crate::logbuf::{self, LOG_SIZE, Reader, Renderer};
use crate::process::with_current;
use crate::uaccess::{UserPtr, access_ok, copy_to_user};
use core::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use swpan_abi::syslog_action::{READ_ALL as ACTION_READ_ALL, SIZE_BUFFER as ACTION_SIZE_BUFFER};

static DMESG_RESTRICT: AtomicBool = AtomicBool::new(true);
static KPTR_RESTRICT: AtomicU8 = AtomicU8::new(1);

/// Sets the two restrictions from the command line. Call once at boot.
pub fn init(dmesg_restrict: bool, kptr_restrict: u8) {
    DMESG_RESTRICT.store(dmesg_restrict, Ordering::Relaxed);
    KPTR_RESTRICT.store(kptr_restrict, Ordering::Relaxed);
}

/// The running process as a reader of the log.
fn current_reader() -> Reader {
    with_current(|process| {
        let credentials = &process.credentials;
        Reader {
            effective: credentials.capabilities.effective,
            uid: (credentials.uid.real, credentials.uid.effective),
            gid: (credentials.gid.real, credentials.gid.effective),
        }
    })
}

/// `syslog(action, buffer, length)`.
pub fn syslog(action: u32, buffer: UserPtr<u8>, length: u32) -> Result<u32, Errno> {
    let reader = current_reader();
    let open_action = action == ACTION_READ_ALL || action == ACTION_SIZE_BUFFER;
    let restricted = DMESG_RESTRICT.load(Ordering::Relaxed) || !open_action;
    if !logbuf::may_read(restricted, &reader) {
        return Err(Errno::EPERM);
    }
    match action {
        ACTION_SIZE_BUFFER => Ok(LOG_SIZE as u32),
        ACTION_READ_ALL => {
            if buffer.address() == 0 || (length as i32) < 0 {
                return Err(Errno::EINVAL);
            }
            access_ok(buffer.address(), length)?;
            let censor = logbuf::censors_pointers(KPTR_RESTRICT.load(Ordering::Relaxed), &reader);
            read_all(buffer, length as usize, censor)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// `kallsyms_lookup(name)`: the address of kernel symbol `name`, or 0 when `kptr_restrict`
/// censors kernel addresses for the caller; ENOENT when the table has no such symbol (or the
/// kernel was built without one).
pub fn symbol_address(name: &str) -> Result<u32, Errno> {
    let address =
        crate::symbols::table().and_then(|table| table.address_of(name)).ok_or(Errno::ENOENT)?;
    let censor = logbuf::censors_pointers(KPTR_RESTRICT.load(Ordering::Relaxed), &current_reader());
    Ok(if censor { 0 } else { address })
}

/// Copies the newest lines that fit in `length` bytes to `buffer`, a piece at a time: the
/// log lock is held for each copy out of the ring, never across a user access.
fn read_all(buffer: UserPtr<u8>, length: usize, censor: bool) -> Result<u32, Errno> {
    let (mut position, end) = {
        let log = LOG.lock();
        (log.start_for(length), log.end())
    };
    let mut renderer = Renderer::new(censor);
    let mut raw = [0u8; 128];
    let mut shown = [0u8; 128];
    let mut copied = 0usize;
    while position < end && copied < length {
        let count = LOG.lock().read(position, &mut raw);
        if count == 0 {
            break;
        }
        position += count as u64;
        let rendered = renderer.render(&raw[..count], &mut shown).min(length - copied);
        let destination = buffer.byte_add(copied as u32).ok_or(Errno::EFAULT)?;
        copy_to_user(destination, &shown[..rendered])?;
        copied += rendered;
    }
    Ok(copied as u32)
}
