//! Memory management: translation tables, page frames, user address spaces.
//!
//! - [`descriptor`]: the short-descriptor entry formats (pure).
//! - [`frames`]: the physical frame allocator (pure bitmap; one instance for RAM).
//! - `kernel_map`: the kernel half (TTBR1), built at boot; turns the MMU on.
//! - `address_space`: user halves (TTBR0), one per process, all in the USER domain.
//! - `image`: the kernel image's regions, from the linker script.
//! - `physical`: the frame allocator over RAM, the linear map's addresses, memory's bring-up.
//! - `heap`, `vmalloc`, `ro_after_init`: the kernel heap, page-mapped allocations with guard
//!   pages, data sealed read-only when init ends.
//! - `ownership`: exclusive page-frame ownership (XPFO): user-owned frames out of the linear
//!   map.
//! - `ptdump`: the translation tables as address ranges.

pub mod descriptor;
pub mod frames;
pub mod ptdump;

#[cfg(target_arch = "arm")]
pub mod address_space;
#[cfg(target_arch = "arm")]
pub mod heap;
#[cfg(target_arch = "arm")]
pub mod image;
#[cfg(target_arch = "arm")]
pub mod kernel_map;
#[cfg(target_arch = "arm")]
pub mod ownership;
#[cfg(target_arch = "arm")]
mod physical;
#[cfg(target_arch = "arm")]
pub mod ro_after_init;
#[cfg(target_arch = "arm")]
pub mod vmalloc;

#[cfg(target_arch = "arm")]
pub use physical::*;
