//! uaccess: the only way the kernel touches user memory.
//!
//! Every function here takes a [`UserPtr`], checks the range with [`access_ok`] before
//! anything else (a range that wraps or reaches the kernel half is EFAULT without a single
//! access), then runs one window (`window.rs`): open, the listed user accesses, close. A fault
//! on an unmapped page or a read-only destination resumes at the access's fixup
//! (`extable.rs`) and the call returns EFAULT; a read zero-fills what it could not copy.
//!
//! | function | Linux |
//! |---|---|
//! | [`copy_from_user`] | `copy_from_user` |
//! | [`copy_to_user`] | `copy_to_user` |
//! | [`copy_record_to_user`] | `copy_to_user(pointer, &structure, sizeof(structure))` |
//! | [`get_user`], [`put_user`] | `get_user`, `put_user` |
//! | [`clear_user`] | `clear_user` |
//! | [`strncpy_from_user`] | `strncpy_from_user` |
//! | [`strnlen_user`] | `strnlen_user` |
//! | [`flush_user_caches`] | the cache maintenance of ARM's `cacheflush` |

pub mod extable;
mod user_pointer;

pub use user_pointer::{UserPtr, access_ok, user_bytes_from};

#[cfg(target_arch = "arm")]
mod checked;
#[cfg(target_arch = "arm")]
mod copy;
#[cfg(target_arch = "arm")]
pub mod window;

#[cfg(target_arch = "arm")]
pub use checked::*;
