//! The kernel facts the pictures draw, taken from the kernel's own host library (`swpan`)
//! instead of restated: the domains, what a DACR value gives each, the DACR values of kernel
//! and user mode, the page sizes, and the words the kernel prints for them.

use swpan::mm::descriptor::{self, MemoryType};
use swpan::mm::ptdump::Granule;

pub use swpan::domain::{
    DACR_KERNEL, DACR_USER, Domain, DomainAccess, IO, KERNEL, USER, VECTORS, access_of, domain_bits,
};

/// The kernel's four domains, in number order.
pub const DOMAINS: [Domain; 4] = [KERNEL, USER, IO, VECTORS];

/// The bytes in a small page, the smallest unit the tables map.
pub const PAGE_SIZE: u64 = descriptor::PAGE_SIZE as u64;
/// The bytes in a section.
pub const SECTION_SIZE: u64 = descriptor::SECTION_SIZE as u64;

/// The first address translated through TTBR1: the end of the user half.
pub const TTBR1_FIRST: u32 = swpan::memory_map::USER_END as u32;

/// The end of the NULL gap: no user mapping starts below it (Linux's `mmap_min_addr`).
pub const MMAP_MIN_ADDR: u32 = swpan::memory_map::MMAP_MIN_ADDR as u32;

/// The first address of the vmalloc area.
pub const VMALLOC_START: u32 = swpan::memory_map::VMALLOC_START as u32;
/// The end of the vmalloc area (exclusive).
pub const VMALLOC_END: u32 = swpan::memory_map::VMALLOC_END as u32;

/// The first address of RAM's linear map (RAM at its physical address).
pub const RAM_FIRST: u32 = swpan::memory_map::RAM_BASE as u32;
/// The end of RAM's linear map (exclusive).
pub const RAM_END: u32 = swpan::memory_map::RAM_END as u32;

/// Every memory type the kernel's ptdump tells apart; the last stands for every encoding the
/// kernel does not name.
pub const MEMORY_TYPES: [MemoryType; 5] = [
    MemoryType::StronglyOrdered,
    MemoryType::Device,
    MemoryType::NormalUncached,
    MemoryType::NormalWriteBack,
    MemoryType::Other { tex: 0b111, cacheable: true, bufferable: true },
];

/// Both descriptor levels, pages first.
pub const GRANULES: [Granule; 2] = [Granule::Page, Granule::Section];

/// The size every range mapped at `granule` is a multiple of.
pub fn granule_size(granule: Granule) -> u64 {
    match granule {
        Granule::Page => PAGE_SIZE,
        Granule::Section => SECTION_SIZE,
    }
}

/// The access whose name is `name`.
pub fn access_from_name(name: &str) -> Option<DomainAccess> {
    [DomainAccess::NoAccess, DomainAccess::Client, DomainAccess::Reserved, DomainAccess::Manager]
        .into_iter()
        .find(|&access| access.name() == name)
}

/// A DACR value as the kernel prints it: `0x51`.
pub fn dacr_text(dacr: u32) -> String {
    format!("{dacr:#04x}")
}

/// The one of `choices` whose word (by `word_of`) is `word`; otherwise an error saying it is
/// not a `what` and naming every choice: "`WT` is not a memory type: SO, DEVICE, ...".
pub fn one_of<T: Copy>(
    choices: &[T],
    word_of: fn(T) -> &'static str,
    word: &str,
    what: &str,
) -> Result<T, String> {
    choices.iter().copied().find(|&choice| word_of(choice) == word).ok_or_else(|| {
        let words: Vec<&str> = choices.iter().copied().map(word_of).collect();
        format!("`{word}` is not {what}: {}", alternatives(&words))
    })
}

/// `words` as a list in prose: `a, b or c`.
pub fn alternatives(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [first @ .., last] => format!("{} or {last}", first.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternatives_read_as_prose() {
        let levels = GRANULES.map(Granule::name);
        assert_eq!(alternatives(&levels), "page or section");
        let memory = MEMORY_TYPES.map(MemoryType::abbreviation);
        assert_eq!(alternatives(&memory), "SO, DEVICE, NC, WBWA or OTHER");
        assert_eq!(
            (alternatives(&["page"]), alternatives(&[])),
            ("page".to_owned(), String::new())
        );
    }

    #[test]
    fn the_kernel_values_decode_as_documented() {
        let decoded = |dacr| DOMAINS.map(|domain| access_of(dacr, domain).name());
        // 0x51 = 0b01_01_00_01: VECTORS, IO and KERNEL Client, USER (bits 3:2) No access.
        assert_eq!(decoded(DACR_KERNEL), ["Client", "No access", "Client", "Client"]);
        assert_eq!(decoded(DACR_USER), ["Client", "Client", "Client", "Client"]);
        // KERNEL 11, USER 10, IO 00, VECTORS 01: each two-bit field read on its own.
        assert_eq!(decoded(0x4b), ["Manager", "reserved", "No access", "Client"]);
        assert_eq!(
            (dacr_text(DACR_KERNEL), dacr_text(0x5)),
            ("0x51".to_owned(), "0x05".to_owned())
        );
        assert_eq!(TTBR1_FIRST, 0x8000_0000);
    }

    #[test]
    fn access_names_read_back() {
        for name in ["No access", "Client", "reserved", "Manager"] {
            assert_eq!(access_from_name(name).map(DomainAccess::name), Some(name));
        }
        assert_eq!(access_from_name("client"), None);
    }
}
