//! The kernel facts the pictures draw, taken from the kernel's own host library (`swpan`)
//! instead of restated: the domains, what a DACR value gives each, the DACR values of kernel
//! and user mode, the page sizes, and the words the kernel's ptdump prints.
//!
//! The kernel keeps the ptdump words (a domain's name, a memory type's abbreviation, a
//! level's name) inside its formatter, `swpan::mm::ptdump`. The pictures read them off a line
//! that formatter prints, so a renamed word changes the pictures' reader with it.

use swpan::mm::descriptor::{self, Attributes, MemoryType};
use swpan::mm::ptdump::{Granule, MappedRange, Mapping};

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

/// Which whitespace-separated field of a ptdump line holds the domain's name.
const DOMAIN_NAME_FIELD: usize = 8;
/// ... the memory type.
const MEMORY_FIELD: usize = 9;
/// ... the level.
const GRANULE_FIELD: usize = 11;

/// The fields of the line the kernel's ptdump prints for one range mapped as kernel data,
/// but in `domain`, with `memory`, at `granule`.
fn printed_fields(domain: Domain, memory: MemoryType, granule: Granule) -> Vec<String> {
    let range = MappedRange {
        start: 0,
        size: granule_size(granule),
        mapping: Mapping {
            domain,
            attributes: Attributes { memory, ..Attributes::KERNEL_DATA },
            granule,
        },
    };
    range.to_string().split_whitespace().map(str::to_owned).collect()
}

/// One field of the kernel's line for the given mapping.
fn printed_field(field: usize, domain: Domain, memory: MemoryType, granule: Granule) -> String {
    printed_fields(domain, memory, granule).swap_remove(field)
}

/// The name the kernel's ptdump prints for `domain`: `KERNEL`.
pub fn domain_name(domain: Domain) -> String {
    printed_field(DOMAIN_NAME_FIELD, domain, MemoryType::NormalWriteBack, Granule::Page)
}

/// The word the kernel's ptdump prints for `memory`: `WBWA`.
pub fn memory_word(memory: MemoryType) -> String {
    printed_field(MEMORY_FIELD, KERNEL, memory, Granule::Page)
}

/// The word the kernel's ptdump prints for `granule`: `page`.
pub fn granule_word(granule: Granule) -> String {
    printed_field(GRANULE_FIELD, KERNEL, MemoryType::NormalWriteBack, granule)
}

/// The size every range mapped at `granule` is a multiple of.
pub fn granule_size(granule: Granule) -> u64 {
    match granule {
        Granule::Page => PAGE_SIZE,
        Granule::Section => SECTION_SIZE,
    }
}

/// The name the ARM ARM and the kernel's tour use for what the DACR gives a domain.
pub fn access_name(access: DomainAccess) -> &'static str {
    match access {
        DomainAccess::NoAccess => "No access",
        DomainAccess::Client => "Client",
        DomainAccess::Reserved => "reserved",
        DomainAccess::Manager => "Manager",
    }
}

/// The access whose name is `name`.
pub fn access_from_name(name: &str) -> Option<DomainAccess> {
    [DomainAccess::NoAccess, DomainAccess::Client, DomainAccess::Reserved, DomainAccess::Manager]
        .into_iter()
        .find(|&access| access_name(access) == name)
}

/// A DACR value as the kernel prints it: `0x51`.
pub fn dacr_text(dacr: u32) -> String {
    format!("{dacr:#04x}")
}

/// The one of `choices` whose word (by `word_of`) is `word`; otherwise an error saying it is
/// not a `what` and naming every choice: "`WT` is not a memory type: SO, DEVICE, ...".
pub fn one_of<T: Copy>(
    choices: &[T],
    word_of: fn(T) -> String,
    word: &str,
    what: &str,
) -> Result<T, String> {
    choices.iter().copied().find(|&choice| word_of(choice) == word).ok_or_else(|| {
        let words: Vec<String> = choices.iter().copied().map(word_of).collect();
        format!("`{word}` is not {what}: {}", alternatives(&words))
    })
}

/// `words` as a list in prose: `a, b or c`.
pub fn alternatives(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [only] => only.clone(),
        [first @ .., last] => format!("{} or {last}", first.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernel_line_has_the_fields_the_reader_expects() {
        let fields = printed_fields(VECTORS, MemoryType::Device, Granule::Section);
        assert_eq!(fields.len(), 12, "{fields:?}");
        assert_eq!(fields[6..=8], ["dom", "3", "VECTORS"]);
        assert_eq!(fields[MEMORY_FIELD], "DEVICE");
        assert_eq!(fields[GRANULE_FIELD], "section");
    }

    #[test]
    fn the_words_are_the_kernel_ptdump_words() {
        let names: Vec<String> = DOMAINS.into_iter().map(domain_name).collect();
        assert_eq!(names, ["KERNEL", "USER", "IO", "VECTORS"]);
        let memory: Vec<String> = MEMORY_TYPES.into_iter().map(memory_word).collect();
        assert_eq!(memory, ["SO", "DEVICE", "NC", "WBWA", "OTHER"]);
        let levels: Vec<String> = GRANULES.into_iter().map(granule_word).collect();
        assert_eq!(levels, ["page", "section"]);
        assert_eq!(alternatives(&levels), "page or section");
        assert_eq!(alternatives(&memory), "SO, DEVICE, NC, WBWA or OTHER");
    }

    #[test]
    fn the_kernel_values_decode_as_documented() {
        let decoded = |dacr| DOMAINS.map(|domain| access_name(access_of(dacr, domain)));
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
            assert_eq!(access_from_name(name).map(access_name), Some(name));
        }
        assert_eq!(access_from_name("client"), None);
    }
}
