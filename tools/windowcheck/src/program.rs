//! The kernel image as the analysis sees it: its code, its functions, the exception table, the
//! DACR constants and the two exception vector tables, read from the ELF file or built by hand
//! in tests.

use std::fmt;
use std::ops::Range;
use swpan::elf::{Elf, STT_FILE, STT_FUNC, STT_SECTION, SectionHeader};

/// The size of one exception-table entry: three little-endian words.
pub const TABLE_ENTRY_SIZE: usize = 12;
/// Exception-table kind of a user access, which has a fixup.
pub const USER_ACCESS: u32 = 1;
/// Exception-table kind of an access to the kernel's buffer inside a window (no fixup).
pub const KERNEL_BUFFER: u32 = 2;

/// The absolute symbol holding the DACR value with the window closed.
pub const DACR_KERNEL_SYMBOL: &str = "__swpan_dacr_kernel";
/// The absolute symbol holding the DACR value with the window open (and in user mode).
pub const DACR_USER_SYMBOL: &str = "__swpan_dacr_user";
/// The absolute symbol holding the offset of the saved DACR in the trap frame.
pub const FRAME_DACR_SYMBOL: &str = "__swpan_frame_dacr_offset";
/// The first exception-table entry.
pub const TABLE_START_SYMBOL: &str = "__ex_table_start";
/// The end of the exception table.
pub const TABLE_END_SYMBOL: &str = "__ex_table_end_exclusive";
/// The vector table used with emulated PAN on.
pub const VECTORS_PAN_SYMBOL: &str = "exception_vectors_pan";
/// The vector table used with `pan=off`.
pub const VECTORS_NOPAN_SYMBOL: &str = "exception_vectors_nopan";

/// The values the kernel exports as absolute symbols.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Constants {
    /// DACR_KERNEL: kernel mode with the window closed.
    pub dacr_kernel: u32,
    /// DACR_USER: the window open, and user mode.
    pub dacr_user: u32,
    /// Where the trap frame keeps the interrupted DACR, from SP.
    pub frame_dacr_offset: u32,
}

impl Constants {
    /// The bit that opens the window: set in DACR_USER, clear in DACR_KERNEL (the user
    /// domain's Client bit).
    pub fn user_client_bit(&self) -> u32 {
        self.dacr_user & !self.dacr_kernel
    }

    /// Refuses constants the analysis cannot reason about: the window must differ from the
    /// closed value by exactly one domain's Client bit, and neither value may hold Manager.
    pub fn validate(&self) -> Result<(), LoadError> {
        let bit = self.user_client_bit();
        let single_client_bit = bit.count_ones() == 1 && bit.trailing_zeros().is_multiple_of(2);
        if !single_client_bit || self.dacr_kernel & !self.dacr_user != 0 {
            return Err(LoadError(format!(
                "{DACR_USER_SYMBOL} ({:#x}) must be {DACR_KERNEL_SYMBOL} ({:#x}) with one \
                 domain's Client bit added",
                self.dacr_user, self.dacr_kernel
            )));
        }
        for value in [self.dacr_kernel, self.dacr_user] {
            if !manager_domains(value).is_empty() {
                return Err(LoadError(format!("DACR constant {value:#x} holds a Manager domain")));
            }
        }
        Ok(())
    }
}

/// The domains (0..16) that `value` sets to Manager (0b11).
pub fn manager_domains(value: u32) -> Vec<u32> {
    (0..16).filter(|domain| (value >> (2 * domain)) & 0b11 == 0b11).collect()
}

/// One executable section's bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeSection {
    /// The run-time address of the first byte.
    pub address: u32,
    /// The contents.
    pub bytes: Vec<u8>,
}

/// A function: a named range of code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// The demangled name, without the hash.
    pub name: String,
    /// The first instruction.
    pub start: u32,
    /// The first address past the function.
    pub end: u32,
    /// Whether the symbol marks Thumb code (which the analysis does not decode).
    pub thumb: bool,
}

impl Function {
    /// Whether `address` lies inside the function.
    pub fn contains(&self, address: u32) -> bool {
        (self.start..self.end).contains(&address)
    }
}

/// What an ARM mapping symbol says about the bytes from its address on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mapping {
    /// `$a`: ARM instructions.
    Arm,
    /// `$t`: Thumb instructions.
    Thumb,
    /// `$d`: data (literal pools, jump tables).
    Data,
}

/// One exception-table entry, as the file holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableEntry {
    /// Where the entry itself lies (in `.data`).
    pub location: u32,
    /// The listed instruction.
    pub instruction: u32,
    /// Where a faulting user access resumes; 0 for a kernel-buffer access.
    pub fixup: u32,
    /// [`USER_ACCESS`] or [`KERNEL_BUFFER`].
    pub kind: u32,
}

/// The two vector tables' addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VectorTables {
    /// `exception_vectors_pan`.
    pub pan: u32,
    /// `exception_vectors_nopan`.
    pub nopan: u32,
}

/// A named address that is not a function (assembly labels, linker symbols), for naming
/// addresses in reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// The demangled name.
    pub name: String,
    /// The address.
    pub address: u32,
}

/// Everything the analysis reads from the kernel image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// The executable sections.
    pub code: Vec<CodeSection>,
    /// The functions, sorted by start address, without overlaps.
    pub functions: Vec<Function>,
    /// Other named addresses, sorted.
    pub labels: Vec<Label>,
    /// ARM mapping symbols, sorted by address; empty means "all ARM code".
    pub mapping: Vec<(u32, Mapping)>,
    /// The exception table in file (link) order.
    pub exception_table: Vec<TableEntry>,
    /// The DACR constants.
    pub constants: Constants,
    /// The vector tables; `None` skips the exception-path rules (hand-built programs only:
    /// [`Program::from_elf`] requires them).
    pub vectors: Option<VectorTables>,
}

/// Why a kernel image could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError(pub String);

impl fmt::Display for LoadError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl std::error::Error for LoadError {}

/// A symbol as read from the table, before functions and labels are told apart.
struct RawSymbol {
    name: String,
    value: u32,
    size: u32,
    kind: u8,
    section_index: u16,
}

/// `st_shndx` of an absolute symbol.
const SHN_ABS: u16 = 0xfff1;

impl Program {
    /// Reads a kernel ELF: the executable sections, function symbols, mapping symbols, the
    /// exception table and the absolute constants. Every missing piece is an error: the
    /// checker cannot prove anything about a kernel it cannot fully see.
    pub fn from_elf(bytes: &[u8]) -> Result<Program, LoadError> {
        let elf =
            Elf::parse(bytes).map_err(|error| LoadError(format!("not a kernel ELF: {error}")))?;
        let sections: Vec<SectionHeader> = elf.section_headers().collect();
        let mut code = Vec::new();
        for section in
            sections.iter().filter(|section| section.is_alloc() && section.is_executable())
        {
            let data = elf
                .section_data(section)
                .map_err(|error| LoadError(format!("executable section: {error}")))?;
            code.push(CodeSection { address: section.address, bytes: data.to_vec() });
        }
        if code.is_empty() {
            return Err(LoadError("no executable section".to_owned()));
        }

        let mut symbols = Vec::new();
        for symbol in elf.symbols().map_err(|error| LoadError(format!("symbol table: {error}")))? {
            let symbol = symbol.map_err(|error| LoadError(format!("symbol table: {error}")))?;
            symbols.push(RawSymbol {
                name: symbol.name.to_owned(),
                value: symbol.value,
                size: symbol.size,
                kind: symbol.kind,
                section_index: symbol.section_index,
            });
        }

        let absolute = |name: &str| -> Result<u32, LoadError> {
            symbols
                .iter()
                .find(|symbol| symbol.name == name && symbol.section_index == SHN_ABS)
                .map(|symbol| symbol.value)
                .ok_or_else(|| {
                    LoadError(format!("no absolute symbol {name}: is this a swpan kernel?"))
                })
        };
        let constants = Constants {
            dacr_kernel: absolute(DACR_KERNEL_SYMBOL)?,
            dacr_user: absolute(DACR_USER_SYMBOL)?,
            frame_dacr_offset: absolute(FRAME_DACR_SYMBOL)?,
        };
        constants.validate()?;

        let address_of = |name: &str| -> Result<u32, LoadError> {
            symbols
                .iter()
                .find(|symbol| symbol.name == name && symbol.section_index != SHN_ABS)
                .map(|symbol| symbol.value)
                .ok_or_else(|| LoadError(format!("no symbol {name}: is this a swpan kernel?")))
        };
        let vectors = VectorTables {
            pan: address_of(VECTORS_PAN_SYMBOL)?,
            nopan: address_of(VECTORS_NOPAN_SYMBOL)?,
        };
        let exception_table = read_table(
            &elf,
            &sections,
            address_of(TABLE_START_SYMBOL)?,
            address_of(TABLE_END_SYMBOL)?,
        )?;

        let (functions, labels, mapping) = classify_symbols(&symbols, &sections);
        Ok(Program {
            code,
            functions,
            labels,
            mapping,
            exception_table,
            constants,
            vectors: Some(vectors),
        })
    }

    /// The little-endian word at `address`, if an executable section holds all four bytes.
    pub fn word_at(&self, address: u32) -> Option<u32> {
        self.code.iter().find_map(|section| {
            let offset = usize::try_from(address.checked_sub(section.address)?).ok()?;
            let bytes = section.bytes.get(offset..offset.checked_add(4)?)?;
            Some(u32::from_le_bytes(bytes.try_into().ok()?))
        })
    }

    /// The function that contains `address`.
    pub fn function_at(&self, address: u32) -> Option<&Function> {
        self.function_index(address).map(|index| &self.functions[index])
    }

    /// The index in [`Program::functions`] of the function that contains `address`.
    pub fn function_index(&self, address: u32) -> Option<usize> {
        let after = self.functions.partition_point(|function| function.start <= address);
        let index = after.checked_sub(1)?;
        self.functions[index].contains(address).then_some(index)
    }

    /// `name+0xoffset` for an address: the function holding it, else the nearest label before
    /// it, else `?`.
    pub fn describe(&self, address: u32) -> String {
        if let Some(function) = self.function_at(address) {
            return format!("{}+{:#x}", function.name, address - function.start);
        }
        let after = self.labels.partition_point(|label| label.address <= address);
        match after.checked_sub(1).map(|index| &self.labels[index]) {
            Some(label) => format!("{}+{:#x}", label.name, address - label.address),
            None => "?".to_owned(),
        }
    }

    /// What the mapping symbols say about `address` (ARM code when there are none).
    pub fn mapping_at(&self, address: u32) -> Mapping {
        let after = self.mapping.partition_point(|(start, _)| *start <= address);
        match after.checked_sub(1) {
            Some(index) => self.mapping[index].1,
            None => Mapping::Arm,
        }
    }

    /// The end of the mapping region that contains `address`: the next mapping symbol, or
    /// `limit` if none comes first.
    pub fn mapping_region_end(&self, address: u32, limit: u32) -> u32 {
        let after = self.mapping.partition_point(|(start, _)| *start <= address);
        self.mapping.get(after).map_or(limit, |(start, _)| (*start).min(limit))
    }

    /// The addresses of every word-aligned ARM instruction in the executable sections, as the
    /// mapping symbols tell code from data.
    pub fn arm_code_addresses(&self) -> Vec<u32> {
        let mut addresses = Vec::new();
        for section in &self.code {
            let Ok(length) = u32::try_from(section.bytes.len()) else { continue };
            let mut offset = 0;
            while offset + 4 <= length {
                let address = section.address.wrapping_add(offset);
                if address % 4 == 0 && self.mapping_at(address) == Mapping::Arm {
                    addresses.push(address);
                }
                offset += 4;
            }
        }
        addresses
    }

    /// The ranges of Thumb code, from `$t` mapping symbols and Thumb function symbols.
    pub fn thumb_ranges(&self) -> Vec<Range<u32>> {
        let mut ranges: Vec<Range<u32>> = self
            .functions
            .iter()
            .filter(|function| function.thumb)
            .map(|function| function.start..function.end)
            .collect();
        for (index, (start, mapping)) in self.mapping.iter().enumerate() {
            if *mapping == Mapping::Thumb {
                let end = self.mapping.get(index + 1).map_or(start + 2, |(next, _)| *next);
                ranges.push(*start..end);
            }
        }
        ranges
    }
}

/// The exception table between the two linker symbols, read from whichever section holds
/// its file bytes.
fn read_table(
    elf: &Elf<'_>,
    sections: &[SectionHeader],
    start: u32,
    end: u32,
) -> Result<Vec<TableEntry>, LoadError> {
    let length = end
        .checked_sub(start)
        .ok_or_else(|| LoadError(format!("{TABLE_END_SYMBOL} lies before {TABLE_START_SYMBOL}")))?;
    let length =
        usize::try_from(length).map_err(|_| LoadError("exception table too large".to_owned()))?;
    if length % TABLE_ENTRY_SIZE != 0 {
        return Err(LoadError(format!(
            "the exception table is {length} bytes, not a multiple of {TABLE_ENTRY_SIZE}"
        )));
    }
    if length == 0 {
        return Ok(Vec::new());
    }
    let section = sections
        .iter()
        .find(|section| section.is_alloc() && section.contains_address(start))
        .ok_or_else(|| LoadError(format!("{TABLE_START_SYMBOL} lies in no section")))?;
    let data = elf
        .section_data(section)
        .map_err(|error| LoadError(format!("exception table section: {error}")))?;
    let offset = usize::try_from(start - section.address)
        .map_err(|_| LoadError("exception table offset too large".to_owned()))?;
    let bytes = offset
        .checked_add(length)
        .and_then(|table_end| data.get(offset..table_end))
        .ok_or_else(|| LoadError("the exception table has no file bytes".to_owned()))?;
    let word = |chunk: &[u8], index: usize| {
        u32::from_le_bytes([
            chunk[4 * index],
            chunk[4 * index + 1],
            chunk[4 * index + 2],
            chunk[4 * index + 3],
        ])
    };
    Ok(bytes
        .chunks_exact(TABLE_ENTRY_SIZE)
        .zip((start..).step_by(TABLE_ENTRY_SIZE))
        .map(|(chunk, location)| TableEntry {
            location,
            instruction: word(chunk, 0),
            fixup: word(chunk, 1),
            kind: word(chunk, 2),
        })
        .collect())
}

/// Splits the symbols into functions (with their extents), other labels and mapping symbols.
fn classify_symbols(
    symbols: &[RawSymbol],
    sections: &[SectionHeader],
) -> (Vec<Function>, Vec<Label>, Vec<(u32, Mapping)>) {
    let code_section = |index: u16| {
        sections
            .get(usize::from(index))
            .filter(|section| section.is_alloc() && section.is_executable())
    };
    let mut mapping = Vec::new();
    let mut labels = Vec::new();
    // (start, size, name, thumb, section end)
    let mut candidates: Vec<(u32, u32, String, bool, u32)> = Vec::new();
    for symbol in symbols {
        if symbol.name.is_empty() || symbol.kind == STT_SECTION || symbol.kind == STT_FILE {
            continue;
        }
        let mapping_kind = match symbol.name.as_str() {
            name if name == "$a" || name.starts_with("$a.") => Some(Mapping::Arm),
            name if name == "$t" || name.starts_with("$t.") => Some(Mapping::Thumb),
            name if name == "$d" || name.starts_with("$d.") => Some(Mapping::Data),
            _ => None,
        };
        if let Some(kind) = mapping_kind {
            mapping.push((symbol.value, kind));
            continue;
        }
        if symbol.section_index == SHN_ABS {
            continue;
        }
        let name = demangle(&symbol.name);
        match code_section(symbol.section_index) {
            Some(section) if symbol.kind == STT_FUNC => {
                let section_end = section.address.saturating_add(section.size);
                candidates.push((
                    symbol.value & !1,
                    symbol.size,
                    name,
                    symbol.value & 1 == 1,
                    section_end,
                ));
            }
            // Assembly labels, data objects, functions outside the code: names for reports.
            _ => labels.push(Label { name, address: symbol.value }),
        }
    }
    mapping.sort_by_key(|(address, _)| *address);
    mapping.dedup_by_key(|(address, _)| *address);
    labels.sort_by(|left, right| {
        left.address.cmp(&right.address).then_with(|| left.name.cmp(&right.name))
    });

    // One function per start address: prefer a symbol with a size, then the first name.
    candidates.sort_by(|left, right| {
        left.0
            .cmp(&right.0)
            .then((left.1 == 0).cmp(&(right.1 == 0)))
            .then_with(|| left.2.cmp(&right.2))
    });
    candidates.dedup_by_key(|candidate| candidate.0);

    // A symbol without a size runs to the next symbol of any kind (a label ends it too), or to
    // its section's end; a sized one never runs into the next function.
    let mut boundaries: Vec<u32> = candidates.iter().map(|candidate| candidate.0).collect();
    boundaries.extend(labels.iter().map(|label| label.address));
    boundaries.sort_unstable();
    boundaries.dedup();
    let mut functions = Vec::new();
    for (index, (start, size, name, thumb, section_end)) in candidates.iter().enumerate() {
        let next_function = candidates.get(index + 1).map_or(*section_end, |next| next.0);
        let end = if *size > 0 {
            start.saturating_add(*size).min(next_function.max(start.saturating_add(1)))
        } else {
            let next = boundaries.partition_point(|boundary| boundary <= start);
            boundaries.get(next).copied().unwrap_or(*section_end).min(*section_end)
        };
        if end > *start {
            functions.push(Function { name: name.clone(), start: *start, end, thumb: *thumb });
        }
    }
    (functions, labels, mapping)
}

/// A Rust symbol's readable path without its hash; any other name unchanged.
pub fn demangle(name: &str) -> String {
    match rustc_demangle::try_demangle(name) {
        // The alternate format drops the `::h0123456789abcdef` hash of legacy mangling.
        Ok(demangled) => format!("{demangled:#}"),
        Err(_) => name.to_owned(),
    }
}
