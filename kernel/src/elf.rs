//! A validating, allocation-free reader of little-endian ELF32 files for ARM.
//!
//! Two users read ELF files through this module: the kernel, which will load user programs
//! from them, and the `ksyms` host tool, which reads the kernel's own symbol table. The first
//! user means every byte may be hostile, so nothing here indexes blindly or panics: every
//! offset is added with checked arithmetic and every slice is taken with `get`.
//!
//! [`Elf::parse`] checks the file header, the bounds of both header tables, and every
//! loadable segment (see [`ProgramHeader::check`]), so a loader may trust what
//! [`Elf::program_headers`] yields. Sections and symbols are checked lazily, when they are
//! read, because a loader never needs them.

use core::fmt;
use core::iter::FusedIterator;
use core::slice::ChunksExact;

/// The size of the ELF32 file header.
pub const FILE_HEADER_SIZE: usize = 52;
/// The size of one ELF32 program header.
pub const PROGRAM_HEADER_SIZE: usize = 32;
/// The size of one ELF32 section header.
pub const SECTION_HEADER_SIZE: usize = 40;
/// The size of one ELF32 symbol table entry.
pub const SYMBOL_SIZE: usize = 16;

/// `e_ident[EI_CLASS]` of a 32-bit file.
pub const ELFCLASS32: u8 = 1;
/// `e_ident[EI_DATA]` of a little-endian file.
pub const ELFDATA2LSB: u8 = 1;
/// The only ELF version there is, in `e_ident[EI_VERSION]` and `e_version`.
pub const EV_CURRENT: u8 = 1;
/// `e_machine` of an ARM (AArch32) file.
pub const EM_ARM: u16 = 40;
/// `e_type` of a relocatable object.
pub const ET_REL: u16 = 1;
/// `e_type` of an executable: the only kind [`Elf::parse`] accepts.
pub const ET_EXEC: u16 = 2;
/// `e_type` of a shared object or position-independent executable.
pub const ET_DYN: u16 = 3;

/// `p_type` of a loadable segment.
pub const PT_LOAD: u32 = 1;
/// `p_flags` bit: the segment is executable.
pub const PF_X: u32 = 1;
/// `p_flags` bit: the segment is writable.
pub const PF_W: u32 = 2;
/// `p_flags` bit: the segment is readable.
pub const PF_R: u32 = 4;

/// `sh_type` of the unused section at index 0.
pub const SHT_NULL: u32 = 0;
/// `sh_type` of a section holding program bits (code or data).
pub const SHT_PROGBITS: u32 = 1;
/// `sh_type` of a symbol table.
pub const SHT_SYMTAB: u32 = 2;
/// `sh_type` of a string table.
pub const SHT_STRTAB: u32 = 3;
/// `sh_type` of a section that occupies memory but no file bytes (`.bss`).
pub const SHT_NOBITS: u32 = 8;
/// `sh_flags` bit: the section is writable at run time.
pub const SHF_WRITE: u32 = 1;
/// `sh_flags` bit: the section occupies memory at run time.
pub const SHF_ALLOC: u32 = 2;
/// `sh_flags` bit: the section holds instructions.
pub const SHF_EXECINSTR: u32 = 4;
/// `e_shstrndx` when the file has no section name table.
pub const SHN_UNDEF: u16 = 0;

/// Symbol kind (`st_info & 0xf`): unspecified, as for most assembly labels.
pub const STT_NOTYPE: u8 = 0;
/// Symbol kind: a data object.
pub const STT_OBJECT: u8 = 1;
/// Symbol kind: a function.
pub const STT_FUNC: u8 = 2;
/// Symbol kind: a section.
pub const STT_SECTION: u8 = 3;
/// Symbol kind: a source file name.
pub const STT_FILE: u8 = 4;
/// Symbol binding (`st_info >> 4`): local to its object file.
pub const STB_LOCAL: u8 = 0;
/// Symbol binding: global.
pub const STB_GLOBAL: u8 = 1;
/// Symbol binding: global, but may be overridden.
pub const STB_WEAK: u8 = 2;

const MAGIC: [u8; 4] = [0x7f, b'E', b'L', b'F'];

/// Why a file, or a part of it, was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// Shorter than the 52-byte ELF32 file header.
    TooShort,
    /// Does not start with `\x7fELF`.
    BadMagic,
    /// Not a 32-bit (ELFCLASS32) file.
    NotElf32,
    /// Not a little-endian (ELFDATA2LSB) file.
    NotLittleEndian,
    /// An ELF version other than 1, in `e_ident` or `e_version`.
    BadVersion,
    /// Built for a machine other than ARM.
    NotArm,
    /// Not an executable (ET_EXEC): a relocatable object or a shared object.
    NotExecutable,
    /// A header or table entry size other than the ELF32 one.
    BadHeaderSize {
        /// Which size.
        what: &'static str,
    },
    /// A table, segment, section or string that lies (partly) outside the file.
    OutOfBounds {
        /// What was out of bounds.
        what: &'static str,
    },
    /// An offset plus a size, or an address plus a size, overflows 32 bits.
    Overflow {
        /// Which sum overflowed.
        what: &'static str,
    },
    /// A string that is not terminated by a NUL inside its table, or not UTF-8.
    BadString,
    /// A segment with more bytes in the file than in memory.
    SegmentLargerThanMemory,
    /// The file has no symbol table (it was stripped).
    NoSymbolTable,
    /// A section that should be a string table is of another kind.
    NotStringTable {
        /// Which string table.
        what: &'static str,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::TooShort => {
                write!(f, "shorter than an ELF32 file header ({FILE_HEADER_SIZE} bytes)")
            }
            Error::BadMagic => write!(f, "not an ELF file (bad magic)"),
            Error::NotElf32 => write!(f, "not a 32-bit ELF file"),
            Error::NotLittleEndian => write!(f, "not a little-endian ELF file"),
            Error::BadVersion => write!(f, "unknown ELF version"),
            Error::NotArm => write!(f, "not an ARM ELF file"),
            Error::NotExecutable => write!(f, "not an executable ELF file (ET_EXEC)"),
            Error::BadHeaderSize { what } => write!(f, "bad {what} size"),
            Error::OutOfBounds { what } => write!(f, "{what} out of the file's bounds"),
            Error::Overflow { what } => write!(f, "{what} overflows 32 bits"),
            Error::BadString => write!(f, "string not NUL-terminated or not UTF-8"),
            Error::SegmentLargerThanMemory => {
                write!(f, "segment has more bytes in the file than in memory")
            }
            Error::NoSymbolTable => write!(f, "no symbol table (stripped file)"),
            Error::NotStringTable { what } => write!(f, "{what} is not a string table"),
        }
    }
}

/// A parsed ELF32 file, borrowing its bytes.
#[derive(Clone, Copy, Debug)]
pub struct Elf<'a> {
    data: &'a [u8],
    elf_type: u16,
    entry: u32,
    flags: u32,
    program_header_table: &'a [u8],
    section_header_table: &'a [u8],
    section_name_table_index: u16,
}

impl<'a> Elf<'a> {
    /// Parses and validates the file header, the bounds of the program and section header
    /// tables, and every loadable segment.
    pub fn parse(data: &'a [u8]) -> Result<Elf<'a>, Error> {
        if data.len() < FILE_HEADER_SIZE {
            return Err(Error::TooShort);
        }
        if data.get(0..4) != Some(&MAGIC[..]) {
            return Err(Error::BadMagic);
        }
        let ident = |index: usize| data.get(index).copied().ok_or(Error::TooShort);
        if ident(4)? != ELFCLASS32 {
            return Err(Error::NotElf32);
        }
        if ident(5)? != ELFDATA2LSB {
            return Err(Error::NotLittleEndian);
        }
        if ident(6)? != EV_CURRENT {
            return Err(Error::BadVersion);
        }

        // The length was checked above, so these reads only fail if the constants are wrong.
        let half = |offset: usize| read_u16(data, offset).ok_or(Error::TooShort);
        let word = |offset: usize| read_u32(data, offset).ok_or(Error::TooShort);
        let elf_type = half(16)?;
        let machine = half(18)?;
        let version = word(20)?;
        let entry = word(24)?;
        let program_header_offset = word(28)?;
        let section_header_offset = word(32)?;
        let flags = word(36)?;
        let file_header_size = half(40)?;
        let program_header_size = half(42)?;
        let program_header_count = half(44)?;
        let section_header_size = half(46)?;
        let section_header_count = half(48)?;
        let section_name_table_index = half(50)?;

        if version != u32::from(EV_CURRENT) {
            return Err(Error::BadVersion);
        }
        if machine != EM_ARM {
            return Err(Error::NotArm);
        }
        if usize::from(file_header_size) != FILE_HEADER_SIZE {
            return Err(Error::BadHeaderSize { what: "file header" });
        }
        // The entry sizes only matter when there are entries: tools leave them zero otherwise.
        if program_header_count > 0 && usize::from(program_header_size) != PROGRAM_HEADER_SIZE {
            return Err(Error::BadHeaderSize { what: "program header" });
        }
        if section_header_count > 0 && usize::from(section_header_size) != SECTION_HEADER_SIZE {
            return Err(Error::BadHeaderSize { what: "section header" });
        }
        if elf_type != ET_EXEC {
            return Err(Error::NotExecutable);
        }

        let program_header_table = table(
            data,
            program_header_offset,
            program_header_count,
            PROGRAM_HEADER_SIZE,
            "program header table",
        )?;
        let section_header_table = table(
            data,
            section_header_offset,
            section_header_count,
            SECTION_HEADER_SIZE,
            "section header table",
        )?;

        let elf = Elf {
            data,
            elf_type,
            entry,
            flags,
            program_header_table,
            section_header_table,
            section_name_table_index,
        };
        // A loader copies PT_LOAD segments without further thought: check them all now.
        for header in elf.program_headers().filter(ProgramHeader::is_load) {
            header.check()?;
            elf.segment_data(&header)?;
        }
        Ok(elf)
    }

    /// The file's bytes, as given to [`Elf::parse`].
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// `e_type`: always [`ET_EXEC`] for now, since [`Elf::parse`] accepts nothing else.
    pub fn elf_type(&self) -> u16 {
        self.elf_type
    }

    /// The entry point's address (bit 0 set means a Thumb entry).
    pub fn entry(&self) -> u32 {
        self.entry
    }

    /// `e_flags`: for ARM, the EABI version and the float ABI.
    pub fn flags(&self) -> u32 {
        self.flags
    }

    /// The program headers, in file order. [`Elf::parse`] checked the table's bounds and
    /// every loadable segment.
    pub fn program_headers(&self) -> impl Iterator<Item = ProgramHeader> + 'a {
        // Every chunk is exactly one entry long, so no entry is ever dropped here.
        self.program_header_table.chunks_exact(PROGRAM_HEADER_SIZE).filter_map(ProgramHeader::read)
    }

    /// The file bytes of a segment: `file_size` bytes at `offset`.
    pub fn segment_data(&self, header: &ProgramHeader) -> Result<&'a [u8], Error> {
        slice(self.data, header.offset, header.file_size, "segment data")
    }

    /// The section headers, in index order (index 0 is the null section).
    pub fn section_headers(&self) -> impl Iterator<Item = SectionHeader> + 'a {
        // Every chunk is exactly one entry long, so no entry is ever dropped here.
        self.section_header_table.chunks_exact(SECTION_HEADER_SIZE).filter_map(SectionHeader::read)
    }

    /// The section header at `index`.
    pub fn section_header(&self, index: usize) -> Result<SectionHeader, Error> {
        self.section_header_table
            .chunks_exact(SECTION_HEADER_SIZE)
            .nth(index)
            .and_then(SectionHeader::read)
            .ok_or(Error::OutOfBounds { what: "section index" })
    }

    /// The contents of a section: empty for [`SHT_NOBITS`] sections, which have no file
    /// bytes.
    pub fn section_data(&self, header: &SectionHeader) -> Result<&'a [u8], Error> {
        if header.kind == SHT_NOBITS {
            return Ok(&[]);
        }
        slice(self.data, header.offset, header.size, "section data")
    }

    /// The name of a section, from the section name table (`e_shstrndx`).
    pub fn section_name(&self, header: &SectionHeader) -> Result<&'a str, Error> {
        let names =
            self.string_table(usize::from(self.section_name_table_index), "section name table")?;
        string(names, header.name_offset)
    }

    /// The first section called `name`, if any.
    pub fn section_by_name(&self, name: &str) -> Result<Option<SectionHeader>, Error> {
        for header in self.section_headers() {
            if self.section_name(&header)? == name {
                return Ok(Some(header));
            }
        }
        Ok(None)
    }

    /// The symbols of the symbol table (the first [`SHT_SYMTAB`] section, `.symtab`), with
    /// their names from its linked string table. A stripped file gives
    /// [`Error::NoSymbolTable`] rather than an empty list, so a tool can tell the two apart.
    pub fn symbols(&self) -> Result<Symbols<'a>, Error> {
        let table = self
            .section_headers()
            .find(|header| header.kind == SHT_SYMTAB)
            .ok_or(Error::NoSymbolTable)?;
        if usize::try_from(table.entry_size).ok() != Some(SYMBOL_SIZE) {
            return Err(Error::BadHeaderSize { what: "symbol table entry" });
        }
        let entries = self.section_data(&table)?;
        if entries.len() % SYMBOL_SIZE != 0 {
            return Err(Error::BadHeaderSize { what: "symbol table" });
        }
        let link = usize::try_from(table.link)
            .map_err(|_| Error::OutOfBounds { what: "section index" })?;
        let strings = self.string_table(link, "symbol string table")?;
        Ok(Symbols { entries: entries.chunks_exact(SYMBOL_SIZE), strings })
    }

    /// The contents of the string table at section `index`.
    fn string_table(&self, index: usize, what: &'static str) -> Result<&'a [u8], Error> {
        let header = self.section_header(index)?;
        if header.kind != SHT_STRTAB {
            return Err(Error::NotStringTable { what });
        }
        self.section_data(&header)
    }
}

/// One program header (`Elf32_Phdr`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgramHeader {
    /// `p_type`: [`PT_LOAD`] for a loadable segment.
    pub kind: u32,
    /// `p_offset`: where the segment's bytes start in the file.
    pub offset: u32,
    /// `p_vaddr`: where the segment goes in virtual memory.
    pub virtual_address: u32,
    /// `p_paddr`: where the segment goes in physical memory (for a kernel image).
    pub physical_address: u32,
    /// `p_filesz`: how many bytes the file holds.
    pub file_size: u32,
    /// `p_memsz`: how many bytes the segment takes in memory; those past `file_size` are zero.
    pub memory_size: u32,
    /// `p_flags`: [`PF_R`], [`PF_W`], [`PF_X`].
    pub flags: u32,
    /// `p_align`.
    pub align: u32,
}

impl ProgramHeader {
    /// Decodes one table entry; `None` only if `entry` is shorter than an entry.
    fn read(entry: &[u8]) -> Option<ProgramHeader> {
        Some(ProgramHeader {
            kind: read_u32(entry, 0)?,
            offset: read_u32(entry, 4)?,
            virtual_address: read_u32(entry, 8)?,
            physical_address: read_u32(entry, 12)?,
            file_size: read_u32(entry, 16)?,
            memory_size: read_u32(entry, 20)?,
            flags: read_u32(entry, 24)?,
            align: read_u32(entry, 28)?,
        })
    }

    /// Whether this is a loadable segment.
    pub fn is_load(&self) -> bool {
        self.kind == PT_LOAD
    }

    /// Whether the segment is mapped readable.
    pub fn readable(&self) -> bool {
        self.flags & PF_R != 0
    }

    /// Whether the segment is mapped writable.
    pub fn writable(&self) -> bool {
        self.flags & PF_W != 0
    }

    /// Whether the segment is mapped executable.
    pub fn executable(&self) -> bool {
        self.flags & PF_X != 0
    }

    /// Checks that the segment fits in memory: no more file bytes than memory bytes, and an
    /// end address that does not wrap around the 32-bit address space. The file range is
    /// checked by [`Elf::segment_data`].
    pub fn check(&self) -> Result<(), Error> {
        if self.file_size > self.memory_size {
            return Err(Error::SegmentLargerThanMemory);
        }
        self.virtual_address
            .checked_add(self.memory_size)
            .ok_or(Error::Overflow { what: "segment end address" })?;
        Ok(())
    }
}

/// One section header (`Elf32_Shdr`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SectionHeader {
    /// `sh_name`: offset of the name in the section name table.
    pub name_offset: u32,
    /// `sh_type`: [`SHT_PROGBITS`], [`SHT_SYMTAB`], [`SHT_STRTAB`], [`SHT_NOBITS`]...
    pub kind: u32,
    /// `sh_flags`: [`SHF_ALLOC`], [`SHF_EXECINSTR`], [`SHF_WRITE`]...
    pub flags: u32,
    /// `sh_addr`: the run-time address, for allocated sections.
    pub address: u32,
    /// `sh_offset`: where the contents start in the file.
    pub offset: u32,
    /// `sh_size`: the size in bytes.
    pub size: u32,
    /// `sh_link`: a related section's index (a symbol table's string table).
    pub link: u32,
    /// `sh_info`: extra information whose meaning depends on the kind.
    pub info: u32,
    /// `sh_addralign`.
    pub align: u32,
    /// `sh_entsize`: the size of one entry, for tables.
    pub entry_size: u32,
}

impl SectionHeader {
    /// Decodes one table entry; `None` only if `entry` is shorter than an entry.
    fn read(entry: &[u8]) -> Option<SectionHeader> {
        Some(SectionHeader {
            name_offset: read_u32(entry, 0)?,
            kind: read_u32(entry, 4)?,
            flags: read_u32(entry, 8)?,
            address: read_u32(entry, 12)?,
            offset: read_u32(entry, 16)?,
            size: read_u32(entry, 20)?,
            link: read_u32(entry, 24)?,
            info: read_u32(entry, 28)?,
            align: read_u32(entry, 32)?,
            entry_size: read_u32(entry, 36)?,
        })
    }

    /// Whether the section occupies memory at run time.
    pub fn is_alloc(&self) -> bool {
        self.flags & SHF_ALLOC != 0
    }

    /// Whether the section holds instructions.
    pub fn is_executable(&self) -> bool {
        self.flags & SHF_EXECINSTR != 0
    }

    /// Whether `address` lies inside the section's run-time range.
    pub fn contains_address(&self, address: u32) -> bool {
        // Subtracting instead of adding the size cannot overflow.
        address >= self.address && address - self.address < self.size
    }
}

/// One symbol (`Elf32_Sym`), with its name resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Symbol<'a> {
    /// The name (empty for unnamed symbols).
    pub name: &'a str,
    /// `st_value`: the address (bit 0 set for Thumb functions).
    pub value: u32,
    /// `st_size`: the size in bytes, zero when unknown.
    pub size: u32,
    /// `st_info & 0xf`: [`STT_FUNC`], [`STT_OBJECT`], [`STT_NOTYPE`]...
    pub kind: u8,
    /// `st_info >> 4`: [`STB_LOCAL`], [`STB_GLOBAL`], [`STB_WEAK`].
    pub binding: u8,
    /// `st_shndx`: the index of the section the symbol belongs to.
    pub section_index: u16,
}

/// The symbols of a symbol table, from [`Elf::symbols`]. Each item is an error if its name
/// is malformed; the iteration goes on after it.
#[derive(Clone, Debug)]
pub struct Symbols<'a> {
    entries: ChunksExact<'a, u8>,
    strings: &'a [u8],
}

impl<'a> Symbols<'a> {
    fn read(&self, entry: &[u8]) -> Result<Symbol<'a>, Error> {
        let field = |value: Option<u32>| value.ok_or(Error::OutOfBounds { what: "symbol" });
        let name_offset = field(read_u32(entry, 0))?;
        let info = entry.get(12).copied().ok_or(Error::OutOfBounds { what: "symbol" })?;
        Ok(Symbol {
            // Offset 0 means "no name", whatever the string table holds there.
            name: if name_offset == 0 { "" } else { string(self.strings, name_offset)? },
            value: field(read_u32(entry, 4))?,
            size: field(read_u32(entry, 8))?,
            kind: info & 0xf,
            binding: info >> 4,
            section_index: read_u16(entry, 14).ok_or(Error::OutOfBounds { what: "symbol" })?,
        })
    }
}

impl<'a> Iterator for Symbols<'a> {
    type Item = Result<Symbol<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let entry = self.entries.next()?;
        Some(self.read(entry))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl ExactSizeIterator for Symbols<'_> {}

impl FusedIterator for Symbols<'_> {}

/// The little-endian `u16` at `offset`, if it lies inside `bytes`.
fn read_u16(bytes: &[u8], offset: usize) -> Option<u16> {
    bytes.get(offset..)?.first_chunk().map(|chunk| u16::from_le_bytes(*chunk))
}

/// The little-endian `u32` at `offset`, if it lies inside `bytes`.
fn read_u32(bytes: &[u8], offset: usize) -> Option<u32> {
    bytes.get(offset..)?.first_chunk().map(|chunk| u32::from_le_bytes(*chunk))
}

/// `size` bytes at `offset` of `data`. The sum is computed in 32 bits, as the file format
/// is, so that a wrapping header is refused the same way on every host.
fn slice<'a>(
    data: &'a [u8],
    offset: u32,
    size: u32,
    what: &'static str,
) -> Result<&'a [u8], Error> {
    let end = offset.checked_add(size).ok_or(Error::Overflow { what })?;
    let start = usize::try_from(offset).map_err(|_| Error::OutOfBounds { what })?;
    let end = usize::try_from(end).map_err(|_| Error::OutOfBounds { what })?;
    data.get(start..end).ok_or(Error::OutOfBounds { what })
}

/// A header table: `count` entries of `entry_size` bytes at `offset`.
fn table<'a>(
    data: &'a [u8],
    offset: u32,
    count: u16,
    entry_size: usize,
    what: &'static str,
) -> Result<&'a [u8], Error> {
    // Both factors are small (at most 65535 and 40), so the product cannot overflow, but
    // checking costs nothing and keeps the rule "every sum and product is checked".
    let size = u32::try_from(entry_size)
        .ok()
        .and_then(|entry_size| entry_size.checked_mul(u32::from(count)))
        .ok_or(Error::Overflow { what })?;
    slice(data, offset, size, what)
}

/// The NUL-terminated UTF-8 string at `offset` of a string table.
fn string(table: &[u8], offset: u32) -> Result<&str, Error> {
    let start = usize::try_from(offset).map_err(|_| Error::OutOfBounds { what: "string" })?;
    let rest = table.get(start..).ok_or(Error::OutOfBounds { what: "string" })?;
    let length = rest.iter().position(|&byte| byte == 0).ok_or(Error::BadString)?;
    let bytes = rest.get(..length).ok_or(Error::BadString)?;
    core::str::from_utf8(bytes).map_err(|_| Error::BadString)
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::ToString;
    use std::vec::Vec;

    const ENTRY: u32 = 0x8000_0000;
    const TEXT: &[u8] = &[0xaa; 16];
    const TEXT_ADDRESS: u32 = 0x8000_0000;
    const BSS_ADDRESS: u32 = 0x8000_1000;
    const BSS_SIZE: u32 = 0x200;
    const SECTION_NAMES: &[u8] = b"\0.text\0.bss\0.symtab\0.strtab\0.shstrtab\0";
    const SYMBOL_NAMES: &[u8] = b"\0_start\0kernel_main\0counter\0";

    /// Where the builder put each part, so tests can patch fields.
    struct Layout {
        program_headers: usize,
        text: usize,
        symbols: usize,
        symbol_names: usize,
        section_names: usize,
        section_headers: usize,
    }

    fn put_u16(image: &mut [u8], offset: usize, value: u16) {
        image[offset..offset + 2].copy_from_slice(&value.to_le_bytes());
    }

    fn put_u32(image: &mut [u8], offset: usize, value: u32) {
        image[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
    }

    fn push_u32s(image: &mut Vec<u8>, values: &[u32]) {
        for value in values {
            image.extend_from_slice(&value.to_le_bytes());
        }
    }

    fn name_of(table: &[u8], name: &str) -> u32 {
        let needle: Vec<u8> = [name.as_bytes(), b"\0"].concat();
        table.windows(needle.len()).position(|window| window == needle).unwrap() as u32
    }

    const SECTION_COUNT: usize = 6;

    /// A valid executable: `segments` program headers (the first loads .text, the second
    /// .bss, the rest are PT_NOTE-like), sections null, .text, .bss, .symtab, .strtab,
    /// .shstrtab, and three symbols plus the null one. The section header table is last, as
    /// linkers put it.
    fn build(segments: usize) -> (Vec<u8>, Layout) {
        build_with(segments, false)
    }

    /// [`build`], with the section header table right after the program headers if
    /// `sections_first`: then truncating the image cuts section contents while the headers
    /// stay readable, which exercises the checks done lazily.
    fn build_with(segments: usize, sections_first: bool) -> (Vec<u8>, Layout) {
        let program_headers = FILE_HEADER_SIZE;
        let after_program_headers = program_headers + segments * PROGRAM_HEADER_SIZE;
        let mut section_headers = after_program_headers;
        let text = if sections_first {
            after_program_headers + SECTION_COUNT * SECTION_HEADER_SIZE
        } else {
            after_program_headers
        };
        let symbols = text + TEXT.len();
        let symbol_names = symbols + 4 * SYMBOL_SIZE;
        let section_names = symbol_names + SYMBOL_NAMES.len();
        let end_of_data = section_names + SECTION_NAMES.len();
        if !sections_first {
            section_headers = end_of_data.next_multiple_of(4);
        }
        let layout =
            Layout { program_headers, text, symbols, symbol_names, section_names, section_headers };

        let mut image = Vec::new();
        image.extend_from_slice(&MAGIC);
        image.extend_from_slice(&[ELFCLASS32, ELFDATA2LSB, EV_CURRENT]);
        image.resize(16, 0);
        image.extend_from_slice(&ET_EXEC.to_le_bytes());
        image.extend_from_slice(&EM_ARM.to_le_bytes());
        push_u32s(&mut image, &[1, ENTRY, program_headers as u32, section_headers as u32]);
        push_u32s(&mut image, &[0x0500_0400]);
        for half in [52u16, 32, segments as u16, 40, 6, 5] {
            image.extend_from_slice(&half.to_le_bytes());
        }
        assert_eq!(image.len(), FILE_HEADER_SIZE);

        for index in 0..segments {
            let header: [u32; 8] = match index {
                0 => [PT_LOAD, text as u32, TEXT_ADDRESS, TEXT_ADDRESS, 16, 16, PF_R | PF_X, 4],
                1 => [PT_LOAD, 0, BSS_ADDRESS, BSS_ADDRESS, 0, BSS_SIZE, PF_R | PF_W, 4],
                _ => [4, 0, 0, 0, 0, 0, PF_R, 4],
            };
            push_u32s(&mut image, &header);
        }
        // With the sections first, the table is spliced in here at the end.
        image.extend_from_slice(TEXT);

        let name = |symbol: &str| name_of(SYMBOL_NAMES, symbol);
        let symbol =
            |image: &mut Vec<u8>, name: u32, value: u32, size: u32, info: u8, index: u16| {
                push_u32s(image, &[name, value, size]);
                image.extend_from_slice(&[info, 0]);
                image.extend_from_slice(&index.to_le_bytes());
            };
        symbol(&mut image, 0, 0, 0, 0, 0);
        symbol(&mut image, name("_start"), TEXT_ADDRESS, 0, STT_NOTYPE, 1);
        symbol(&mut image, name("kernel_main"), TEXT_ADDRESS + 5, 10, (1 << 4) | STT_FUNC, 1);
        symbol(&mut image, name("counter"), BSS_ADDRESS, 4, STT_OBJECT, 2);
        image.extend_from_slice(SYMBOL_NAMES);
        image.extend_from_slice(SECTION_NAMES);
        if !sections_first {
            image.resize(section_headers, 0);
        }

        let section = |name: &str| name_of(SECTION_NAMES, name);
        let sections: [[u32; 10]; SECTION_COUNT] = [
            [0; 10],
            [
                section(".text"),
                SHT_PROGBITS,
                SHF_ALLOC | SHF_EXECINSTR,
                TEXT_ADDRESS,
                text as u32,
                TEXT.len() as u32,
                0,
                0,
                4,
                0,
            ],
            [
                section(".bss"),
                SHT_NOBITS,
                SHF_ALLOC | SHF_WRITE,
                BSS_ADDRESS,
                symbols as u32,
                BSS_SIZE,
                0,
                0,
                4,
                0,
            ],
            [section(".symtab"), SHT_SYMTAB, 0, 0, symbols as u32, 64, 4, 1, 4, 16],
            [
                section(".strtab"),
                SHT_STRTAB,
                0,
                0,
                symbol_names as u32,
                SYMBOL_NAMES.len() as u32,
                0,
                0,
                1,
                0,
            ],
            [
                section(".shstrtab"),
                SHT_STRTAB,
                0,
                0,
                section_names as u32,
                SECTION_NAMES.len() as u32,
                0,
                0,
                1,
                0,
            ],
        ];
        let mut table = Vec::new();
        for header in sections {
            push_u32s(&mut table, &header);
        }
        image.splice(section_headers..section_headers, table);
        (image, layout)
    }

    /// Calls every accessor and collects what it can; never asserts, so hostile images can
    /// be thrown at it to prove nothing panics.
    fn exercise(elf: &Elf<'_>) -> usize {
        let mut seen = 0;
        for header in elf.program_headers() {
            seen += usize::from(header.check().is_ok());
            seen += elf.segment_data(&header).map_or(0, <[u8]>::len);
        }
        for header in elf.section_headers() {
            seen += elf.section_name(&header).map_or(0, str::len);
            seen += elf.section_data(&header).map_or(0, <[u8]>::len);
        }
        seen +=
            elf.section_by_name(".text").ok().flatten().map_or(0, |header| header.size as usize);
        seen += elf.section_header(usize::MAX).is_ok() as usize;
        if let Ok(symbols) = elf.symbols() {
            for symbol in symbols {
                seen += symbol.map_or(0, |symbol| symbol.name.len());
            }
        }
        seen
    }

    #[test]
    fn parses_file_header() {
        let (image, _) = build(2);
        let elf = Elf::parse(&image).unwrap();
        assert_eq!(elf.elf_type(), ET_EXEC);
        assert_eq!(elf.entry(), ENTRY);
        assert_eq!(elf.flags(), 0x0500_0400);
        assert_eq!(elf.data().len(), image.len());
    }

    #[test]
    fn reads_program_headers() {
        let (image, layout) = build(3);
        let elf = Elf::parse(&image).unwrap();
        let headers: Vec<ProgramHeader> = elf.program_headers().collect();
        assert_eq!(headers.len(), 3);

        let text = headers[0];
        assert!(text.is_load() && text.readable() && text.executable() && !text.writable());
        assert_eq!(text.offset as usize, layout.text);
        assert_eq!((text.virtual_address, text.physical_address), (TEXT_ADDRESS, TEXT_ADDRESS));
        assert_eq!((text.file_size, text.memory_size, text.align), (16, 16, 4));
        assert_eq!(elf.segment_data(&text).unwrap(), TEXT);

        let bss = headers[1];
        assert!(bss.is_load() && bss.readable() && bss.writable() && !bss.executable());
        assert_eq!((bss.file_size, bss.memory_size), (0, BSS_SIZE));
        assert_eq!(elf.segment_data(&bss).unwrap(), &[] as &[u8]);

        assert!(!headers[2].is_load());
        assert_eq!(headers[2].kind, 4);
    }

    #[test]
    fn no_program_headers_is_fine() {
        let (mut image, _) = build(0);
        // With no entries the entry size does not matter.
        put_u16(&mut image, 42, 0);
        let elf = Elf::parse(&image).unwrap();
        assert_eq!(elf.program_headers().count(), 0);
    }

    #[test]
    fn reads_sections() {
        let (image, layout) = build(2);
        let elf = Elf::parse(&image).unwrap();
        let names: Vec<&str> =
            elf.section_headers().map(|header| elf.section_name(&header).unwrap()).collect();
        assert_eq!(names, ["", ".text", ".bss", ".symtab", ".strtab", ".shstrtab"]);

        let text = elf.section_by_name(".text").unwrap().unwrap();
        assert_eq!(text.kind, SHT_PROGBITS);
        assert!(text.is_alloc() && text.is_executable());
        assert_eq!(
            (text.address, text.offset as usize, text.size),
            (TEXT_ADDRESS, layout.text, 16)
        );
        assert_eq!(elf.section_data(&text).unwrap(), TEXT);
        assert!(text.contains_address(TEXT_ADDRESS));
        assert!(text.contains_address(TEXT_ADDRESS + 15));
        assert!(!text.contains_address(TEXT_ADDRESS + 16));
        assert!(!text.contains_address(TEXT_ADDRESS - 1));

        let bss = elf.section_by_name(".bss").unwrap().unwrap();
        assert_eq!(bss.kind, SHT_NOBITS);
        assert!(bss.is_alloc() && !bss.is_executable());
        assert_eq!(elf.section_data(&bss).unwrap(), &[] as &[u8]);

        let symtab = elf.section_by_name(".symtab").unwrap().unwrap();
        assert_eq!((symtab.link, symtab.info, symtab.align, symtab.entry_size), (4, 1, 4, 16));
        assert_eq!(symtab.name_offset, name_of(SECTION_NAMES, ".symtab"));
        assert_eq!(symtab.flags, 0);

        let shstrtab = elf.section_header(5).unwrap();
        assert_eq!(elf.section_data(&shstrtab).unwrap(), SECTION_NAMES);
        assert_eq!(shstrtab.offset as usize, layout.section_names);
        assert_eq!(elf.section_header(6), Err(Error::OutOfBounds { what: "section index" }));

        assert_eq!(elf.section_by_name(".data"), Ok(None));
        assert_eq!(elf.section_by_name("text"), Ok(None));
    }

    #[test]
    fn reads_symbols() {
        let (image, _) = build(2);
        let elf = Elf::parse(&image).unwrap();
        let symbols = elf.symbols().unwrap();
        assert_eq!(symbols.len(), 4);
        let symbols: Vec<Symbol<'_>> = symbols.map(Result::unwrap).collect();
        assert_eq!(
            symbols,
            [
                Symbol { name: "", value: 0, size: 0, kind: 0, binding: 0, section_index: 0 },
                Symbol {
                    name: "_start",
                    value: TEXT_ADDRESS,
                    size: 0,
                    kind: STT_NOTYPE,
                    binding: STB_LOCAL,
                    section_index: 1,
                },
                Symbol {
                    name: "kernel_main",
                    value: TEXT_ADDRESS + 5,
                    size: 10,
                    kind: STT_FUNC,
                    binding: STB_GLOBAL,
                    section_index: 1,
                },
                Symbol {
                    name: "counter",
                    value: BSS_ADDRESS,
                    size: 4,
                    kind: STT_OBJECT,
                    binding: STB_LOCAL,
                    section_index: 2,
                },
            ]
        );
    }

    #[test]
    fn malformed_symbol_name_is_an_item_error() {
        let (mut image, layout) = build(2);
        // kernel_main's name offset past the table, then _start's into a non-terminated end.
        put_u32(&mut image, layout.symbols + 2 * SYMBOL_SIZE, 1000);
        let elf = Elf::parse(&image).unwrap();
        let results: Vec<_> = elf.symbols().unwrap().collect();
        assert_eq!(results[2], Err(Error::OutOfBounds { what: "string" }));
        assert!(results[1].is_ok() && results[3].is_ok());

        let (mut image, layout) = build(2);
        // Remove the final NUL of the symbol string table by shrinking it by one byte.
        put_u32(&mut image, layout.section_headers + 4 * SECTION_HEADER_SIZE + 20, 27);
        let elf = Elf::parse(&image).unwrap();
        let results: Vec<_> = elf.symbols().unwrap().collect();
        assert_eq!(results[3], Err(Error::BadString));

        let (mut image, layout) = build(2);
        image[layout.symbol_names + 1] = 0xff;
        let elf = Elf::parse(&image).unwrap();
        assert_eq!(elf.symbols().unwrap().nth(1), Some(Err(Error::BadString)));
    }

    #[test]
    fn symbol_table_errors() {
        let symtab_header = |layout: &Layout| layout.section_headers + 3 * SECTION_HEADER_SIZE;

        let (mut image, layout) = build(2);
        put_u32(&mut image, symtab_header(&layout) + 4, SHT_PROGBITS);
        assert_eq!(Elf::parse(&image).unwrap().symbols().err(), Some(Error::NoSymbolTable));

        let (mut image, layout) = build(2);
        put_u32(&mut image, symtab_header(&layout) + 36, 24);
        assert_eq!(
            Elf::parse(&image).unwrap().symbols().err(),
            Some(Error::BadHeaderSize { what: "symbol table entry" })
        );

        let (mut image, layout) = build(2);
        put_u32(&mut image, symtab_header(&layout) + 20, 63);
        assert_eq!(
            Elf::parse(&image).unwrap().symbols().err(),
            Some(Error::BadHeaderSize { what: "symbol table" })
        );

        let (mut image, layout) = build(2);
        put_u32(&mut image, symtab_header(&layout) + 24, 1);
        assert_eq!(
            Elf::parse(&image).unwrap().symbols().err(),
            Some(Error::NotStringTable { what: "symbol string table" })
        );

        let (mut image, layout) = build(2);
        put_u32(&mut image, symtab_header(&layout) + 24, 99);
        assert_eq!(
            Elf::parse(&image).unwrap().symbols().err(),
            Some(Error::OutOfBounds { what: "section index" })
        );

        let (mut image, layout) = build(2);
        put_u32(&mut image, symtab_header(&layout) + 16, u32::MAX);
        assert_eq!(
            Elf::parse(&image).unwrap().symbols().err(),
            Some(Error::Overflow { what: "section data" })
        );
    }

    #[test]
    fn section_name_errors() {
        let (mut image, _) = build(2);
        put_u16(&mut image, 50, SHN_UNDEF);
        let elf = Elf::parse(&image).unwrap();
        let text = elf.section_header(1).unwrap();
        assert_eq!(
            elf.section_name(&text),
            Err(Error::NotStringTable { what: "section name table" })
        );
        assert!(elf.section_by_name(".text").is_err());

        let (mut image, _) = build(2);
        put_u16(&mut image, 50, 60);
        let elf = Elf::parse(&image).unwrap();
        assert_eq!(elf.section_name(&text), Err(Error::OutOfBounds { what: "section index" }));

        let (mut image, layout) = build(2);
        put_u32(&mut image, layout.section_headers + SECTION_HEADER_SIZE, 500);
        let elf = Elf::parse(&image).unwrap();
        let text = elf.section_header(1).unwrap();
        assert_eq!(elf.section_name(&text), Err(Error::OutOfBounds { what: "string" }));
    }

    #[test]
    fn section_data_out_of_bounds() {
        let (mut image, layout) = build(2);
        let length = image.len() as u32;
        put_u32(&mut image, layout.section_headers + SECTION_HEADER_SIZE + 16, length - 4);
        let elf = Elf::parse(&image).unwrap();
        let text = elf.section_header(1).unwrap();
        assert_eq!(elf.section_data(&text), Err(Error::OutOfBounds { what: "section data" }));
    }

    #[test]
    fn file_header_errors() {
        let (valid, _) = build(2);
        let patched = |offset: usize, bytes: &[u8]| {
            let mut image = valid.clone();
            image[offset..offset + bytes.len()].copy_from_slice(bytes);
            Elf::parse(&image).err()
        };
        assert_eq!(Elf::parse(&valid[..51]).err(), Some(Error::TooShort));
        assert_eq!(Elf::parse(&[]).err(), Some(Error::TooShort));
        assert_eq!(patched(0, b"\x7fELG"), Some(Error::BadMagic));
        assert_eq!(patched(4, &[2]), Some(Error::NotElf32));
        assert_eq!(patched(5, &[2]), Some(Error::NotLittleEndian));
        assert_eq!(patched(6, &[0]), Some(Error::BadVersion));
        assert_eq!(patched(20, &2u32.to_le_bytes()), Some(Error::BadVersion));
        assert_eq!(patched(18, &3u16.to_le_bytes()), Some(Error::NotArm));
        assert_eq!(patched(16, &ET_REL.to_le_bytes()), Some(Error::NotExecutable));
        assert_eq!(patched(16, &ET_DYN.to_le_bytes()), Some(Error::NotExecutable));
        assert_eq!(
            patched(40, &64u16.to_le_bytes()),
            Some(Error::BadHeaderSize { what: "file header" })
        );
        assert_eq!(
            patched(42, &56u16.to_le_bytes()),
            Some(Error::BadHeaderSize { what: "program header" })
        );
        assert_eq!(
            patched(46, &64u16.to_le_bytes()),
            Some(Error::BadHeaderSize { what: "section header" })
        );
    }

    #[test]
    fn header_tables_must_lie_in_the_file() {
        let (valid, layout) = build(2);
        let patched = |offset: usize, value: u32| {
            let mut image = valid.clone();
            put_u32(&mut image, offset, value);
            Elf::parse(&image).err()
        };
        let length = valid.len() as u32;
        assert_eq!(
            patched(28, length - 63),
            Some(Error::OutOfBounds { what: "program header table" })
        );
        assert_eq!(
            patched(32, layout.section_headers as u32 + 1),
            Some(Error::OutOfBounds { what: "section header table" })
        );
        // phoff + phnum * 32 wraps around 32 bits.
        assert_eq!(
            patched(28, u32::MAX - 40),
            Some(Error::Overflow { what: "program header table" })
        );
        assert_eq!(
            patched(32, u32::MAX - 200),
            Some(Error::Overflow { what: "section header table" })
        );
        let mut image = valid.clone();
        put_u16(&mut image, 44, u16::MAX);
        assert_eq!(
            Elf::parse(&image).err(),
            Some(Error::OutOfBounds { what: "program header table" })
        );
        assert_eq!(layout.program_headers, FILE_HEADER_SIZE);
    }

    #[test]
    fn loadable_segments_are_checked() {
        let (valid, layout) = build(3);
        let field = |segment: usize, offset: usize| {
            layout.program_headers + segment * PROGRAM_HEADER_SIZE + offset
        };
        let patched = |offset: usize, value: u32| {
            let mut image = valid.clone();
            put_u32(&mut image, offset, value);
            Elf::parse(&image).err()
        };
        // File size above memory size.
        assert_eq!(patched(field(0, 20), 15), Some(Error::SegmentLargerThanMemory));
        // End address wraps.
        assert_eq!(
            patched(field(1, 8), u32::MAX - 0x100),
            Some(Error::Overflow { what: "segment end address" })
        );
        // File bytes past the end of the file, and an offset that wraps.
        assert_eq!(
            patched(field(0, 4), valid.len() as u32 - 8),
            Some(Error::OutOfBounds { what: "segment data" })
        );
        assert_eq!(
            patched(field(0, 4), u32::MAX - 8),
            Some(Error::Overflow { what: "segment data" })
        );
        // Segments that are not PT_LOAD are not the loader's business.
        assert_eq!(patched(field(2, 4), u32::MAX), None);
        assert_eq!(patched(field(2, 20), 0), None);
    }

    #[test]
    fn program_header_check() {
        let header = ProgramHeader {
            kind: PT_LOAD,
            offset: 0,
            virtual_address: 0xffff_e000,
            physical_address: 0,
            file_size: 0x100,
            memory_size: 0x1000,
            flags: PF_R,
            align: 4,
        };
        assert_eq!(header.check(), Ok(()));
        // An end of exactly 2^32 does not fit a u32 either: refused.
        let wrapping = ProgramHeader { memory_size: 0x2000, ..header };
        assert_eq!(wrapping.check(), Err(Error::Overflow { what: "segment end address" }));
        let larger = ProgramHeader { file_size: 0x1001, ..header };
        assert_eq!(larger.check(), Err(Error::SegmentLargerThanMemory));
    }

    #[test]
    fn sections_first_layout_parses_the_same() {
        let (first, _) = build_with(2, true);
        let (last, _) = build(2);
        let (first, last) = (Elf::parse(&first).unwrap(), Elf::parse(&last).unwrap());
        assert_eq!(exercise(&first), exercise(&last));
        assert_eq!(first.symbols().unwrap().count(), 4);
    }

    #[test]
    fn every_truncation_fails_or_agrees() {
        for (segments, sections_first) in [(3, false), (0, true), (1, true)] {
            let (image, _) = build_with(segments, sections_first);
            let full = Elf::parse(&image).unwrap();
            let mut parsed = 0;
            for length in 0..=image.len() {
                let Ok(elf) = Elf::parse(&image[..length]) else { continue };
                parsed += 1;
                assert_eq!(elf.entry(), full.entry());
                assert!(elf.program_headers().eq(full.program_headers()));
                assert!(elf.section_headers().eq(full.section_headers()));
                exercise(&elf);
                // Whatever a truncated image still answers must be what the full one says.
                for header in elf.section_headers() {
                    if let Ok(data) = elf.section_data(&header) {
                        assert_eq!(data, full.section_data(&header).unwrap());
                    }
                    if let Ok(name) = elf.section_name(&header) {
                        assert_eq!(name, full.section_name(&header).unwrap());
                    }
                }
                if let Ok(symbols) = elf.symbols() {
                    for (short, long) in symbols.zip(full.symbols().unwrap()) {
                        if let Ok(symbol) = short {
                            assert_eq!(symbol, long.unwrap());
                        }
                    }
                }
            }
            // With the sections first, every cut past the headers and the text parses.
            assert!(parsed >= 1);
            if sections_first {
                assert!(parsed > 100, "only {parsed} truncations parsed");
            }
        }
    }

    #[test]
    fn corrupted_bytes_never_panic() {
        let (image, _) = build(3);
        for index in 0..image.len() {
            for value in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                let mut corrupted = image.clone();
                corrupted[index] = value;
                if let Ok(elf) = Elf::parse(&corrupted) {
                    exercise(&elf);
                }
                // Corrupt a whole 32-bit field too, to reach huge offsets and sizes.
                let start = index & !3;
                if start + 4 <= corrupted.len() {
                    put_u32(&mut corrupted, start, u32::from(value) * 0x0101_0101);
                    if let Ok(elf) = Elf::parse(&corrupted) {
                        exercise(&elf);
                    }
                }
            }
        }
    }

    #[test]
    fn error_messages() {
        assert_eq!(Error::TooShort.to_string(), "shorter than an ELF32 file header (52 bytes)");
        assert_eq!(
            Error::OutOfBounds { what: "section data" }.to_string(),
            "section data out of the file's bounds"
        );
        assert_eq!(
            Error::Overflow { what: "segment data" }.to_string(),
            "segment data overflows 32 bits"
        );
        assert_eq!(
            Error::BadHeaderSize { what: "program header" }.to_string(),
            "bad program header size"
        );
        let all = [
            Error::BadMagic,
            Error::NotElf32,
            Error::NotLittleEndian,
            Error::BadVersion,
            Error::NotArm,
            Error::NotExecutable,
            Error::BadString,
            Error::SegmentLargerThanMemory,
            Error::NoSymbolTable,
            Error::NotStringTable { what: "x" },
        ];
        for error in all {
            assert!(!error.to_string().is_empty());
        }
    }
}
