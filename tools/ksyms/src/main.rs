//! `ksyms KERNEL_ELF`: the post-link step that embeds the kernel's function symbols into its
//! own `.kallsyms` section, so that an oops can print `kernel_main+0x40/0x80` instead of bare
//! addresses.
//!
//! The linker script (`linker/kernel.ld`) reserves `.kallsyms` zero-filled at a fixed size, so
//! filling it in place moves no address: the symbols this tool reads stay true after it wrote
//! them. The format is defined once, in the kernel's `kallsyms` module, which both this tool
//! ([`kallsyms::encode`]) and the kernel (`Kallsyms::parse`) use. Running the tool twice gives
//! the same file, since the table depends only on the symbol table, never on `.kallsyms`.

use std::ffi::OsString;
use std::fs::{self, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::process::ExitCode;
use swpan::elf::{Elf, SHT_NOBITS, STT_FUNC, SectionHeader};
use swpan::kallsyms::{self, EncodeError};

/// The section the tool fills.
const SECTION: &str = ".kallsyms";
/// Where the section's size is set, for the error message when it is too small.
const LINKER_SCRIPT: &str = "linker/kernel.ld";
/// The exit status of a bad command line.
const USAGE_STATUS: u8 = 2;

/// A function symbol on its way into the table.
#[derive(Clone, Debug, PartialEq, Eq)]
struct FunctionSymbol {
    /// The function's first instruction, with the Thumb bit cleared.
    address: u32,
    /// The size in bytes, zero when the assembler was not told.
    size: u32,
    /// The demangled name.
    name: String,
}

/// What one run did, for the summary line.
#[derive(Debug, PartialEq, Eq)]
struct Report {
    /// Symbols written.
    symbols: usize,
    /// Bytes of the section the table took.
    used: usize,
    /// The section's size.
    size: usize,
}

fn main() -> ExitCode {
    let arguments: Vec<OsString> = std::env::args_os().skip(1).collect();
    let [path] = arguments.as_slice() else {
        eprintln!("usage: ksyms KERNEL_ELF");
        eprintln!("Writes the kernel's function symbols into its {SECTION} section, in place.");
        return ExitCode::from(USAGE_STATUS);
    };
    match run(Path::new(path)) {
        Ok(report) => {
            println!(
                "ksyms: {} symbols, {} of {} bytes in {SECTION}",
                report.symbols, report.used, report.size
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("ksyms: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Reads the kernel at `path`, builds its table and writes it into `.kallsyms` in place.
fn run(path: &Path) -> Result<Report, String> {
    let shown = path.display();
    let image = fs::read(path).map_err(|error| format!("cannot read {shown}: {error}"))?;
    let elf = Elf::parse(&image).map_err(|error| format!("{shown}: {error}"))?;
    let section = kallsyms_section(&elf, path)?;
    let size = usize::try_from(section.size)
        .map_err(|_| format!("{shown}: {SECTION} is larger than this host can address"))?;
    let symbols = sort_and_deduplicate(
        function_symbols(&elf).map_err(|error| format!("{shown}: symbol table: {error}"))?,
    );
    let (table, used) = encode_table(&symbols, size)?;
    write_at(path, u64::from(section.offset), &table)?;
    Ok(Report { symbols: symbols.len(), used, size })
}

/// The `.kallsyms` section header, checked to have file bytes to overwrite.
fn kallsyms_section(elf: &Elf<'_>, path: &Path) -> Result<SectionHeader, String> {
    let shown = path.display();
    let section = elf
        .section_by_name(SECTION)
        .map_err(|error| format!("{shown}: section names: {error}"))?
        .ok_or_else(|| format!("no {SECTION} section in {shown}: is this a swpan kernel?"))?;
    // A NOLOAD or uninitialised section has no bytes in the file: there would be nowhere to
    // write, and the kernel would read zeros at run time anyway.
    if section.kind == SHT_NOBITS {
        return Err(format!(
            "{SECTION} in {shown} has no file contents (SHT_NOBITS): \
             it must be filled with zeros in {LINKER_SCRIPT}"
        ));
    }
    elf.section_data(&section).map_err(|error| format!("{shown}: {SECTION}: {error}"))?;
    Ok(section)
}

/// The function symbols that lie in allocated executable sections, with their Thumb bit
/// cleared and their names demangled, in symbol table order.
fn function_symbols(elf: &Elf<'_>) -> Result<Vec<FunctionSymbol>, swpan::elf::Error> {
    let code: Vec<SectionHeader> = elf
        .section_headers()
        .filter(|section| section.is_alloc() && section.is_executable())
        .collect();
    let mut found = Vec::new();
    for symbol in elf.symbols()? {
        let symbol = symbol?;
        if symbol.kind != STT_FUNC || symbol.value == 0 {
            continue;
        }
        // Bit 0 of a function symbol marks Thumb code; the instruction is at the even address.
        let address = symbol.value & !1;
        if !code.iter().any(|section| section.contains_address(address)) {
            continue;
        }
        found.push(FunctionSymbol { address, size: symbol.size, name: demangle(symbol.name) });
    }
    Ok(found)
}

/// A Rust symbol's readable path without its hash (`swpan::init::kernel_main`); any other
/// name, such as an assembly label, unchanged.
fn demangle(name: &str) -> String {
    match rustc_demangle::try_demangle(name) {
        // The alternate format drops the `::h0123456789abcdef` hash of legacy mangling.
        Ok(demangled) => format!("{demangled:#}"),
        Err(_) => name.to_owned(),
    }
}

/// Sorts by address and keeps one symbol per address: the one with a size if any (an alias
/// without one tells less), then the first by name, so the result does not depend on the
/// symbol table's order.
fn sort_and_deduplicate(mut symbols: Vec<FunctionSymbol>) -> Vec<FunctionSymbol> {
    symbols.sort_by(|left, right| {
        left.address
            .cmp(&right.address)
            .then((left.size == 0).cmp(&(right.size == 0)))
            .then_with(|| left.name.cmp(&right.name))
    });
    symbols.dedup_by_key(|symbol| symbol.address);
    symbols
}

/// The section's new contents: the table, then zeros up to `size`. Returns the bytes the
/// table used.
fn encode_table(symbols: &[FunctionSymbol], size: usize) -> Result<(Vec<u8>, usize), String> {
    let entries: Vec<(u32, u32, &str)> =
        symbols.iter().map(|symbol| (symbol.address, symbol.size, symbol.name.as_str())).collect();
    // Zeroed so that a table shorter than the last run's leaves no stale bytes behind.
    let mut table = vec![0; size];
    match kallsyms::encode(&entries, &mut table) {
        Ok(used) => Ok((table, used)),
        Err(EncodeError::TooSmall { needed, available }) => Err(format!(
            "{} symbols need {needed} bytes but {SECTION} holds {available}: \
             raise its size in {LINKER_SCRIPT}",
            symbols.len()
        )),
        Err(error) => Err(format!("cannot encode the symbols: {error}")),
    }
}

/// Overwrites the file at `path` with `bytes` from `offset` on, leaving the rest as it is.
fn write_at(path: &Path, offset: u64, bytes: &[u8]) -> Result<(), String> {
    let shown = path.display();
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|error| format!("cannot open {shown} for writing: {error}"))?;
    file.seek(SeekFrom::Start(offset))
        .and_then(|_| file.write_all(bytes))
        .map_err(|error| format!("cannot write {SECTION} into {shown}: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use swpan::elf::{SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_PROGBITS, SHT_STRTAB, SHT_SYMTAB};
    use swpan::kallsyms::Kallsyms;

    const TEXT_ADDRESS: u32 = 0x8000_0000;
    const DATA_ADDRESS: u32 = 0x8001_0000;
    const KALLSYMS_ADDRESS: u32 = 0x8002_0000;
    const RUST_MAIN: &str = "_ZN5swpan4init11kernel_main17h0123456789abcdefE";

    fn symbol(address: u32, size: u32, name: &str) -> FunctionSymbol {
        FunctionSymbol { address, size, name: name.to_owned() }
    }

    /// One section of the synthetic kernel.
    struct Section {
        name: &'static str,
        kind: u32,
        flags: u32,
        address: u32,
        contents: Vec<u8>,
        link: u32,
        entry_size: u32,
    }

    /// `(name, value, size, st_info)` for each symbol after the null one.
    type SymbolSpec = (&'static str, u32, u32, u8);

    /// A minimal ARM executable: no program headers, sections .text, .data, .kallsyms
    /// (`kallsyms_size` zero bytes), .symtab, .strtab, .shstrtab.
    fn kernel_image(symbols: &[SymbolSpec], kallsyms_size: usize) -> Vec<u8> {
        let mut strings = vec![0u8];
        let mut symbol_table = vec![0u8; 16];
        for &(name, value, size, info) in symbols {
            let name_offset = strings.len() as u32;
            strings.extend_from_slice(name.as_bytes());
            strings.push(0);
            for word in [name_offset, value, size] {
                symbol_table.extend_from_slice(&word.to_le_bytes());
            }
            symbol_table.extend_from_slice(&[info, 0, 1, 0]);
        }
        let sections = [
            Section {
                name: ".text",
                kind: SHT_PROGBITS,
                flags: SHF_ALLOC | SHF_EXECINSTR,
                address: TEXT_ADDRESS,
                contents: vec![0xe1; 0x1000],
                link: 0,
                entry_size: 0,
            },
            Section {
                name: ".data",
                kind: SHT_PROGBITS,
                flags: SHF_ALLOC | SHF_WRITE,
                address: DATA_ADDRESS,
                contents: vec![0x55; 0x100],
                link: 0,
                entry_size: 0,
            },
            Section {
                name: ".kallsyms",
                kind: SHT_PROGBITS,
                flags: SHF_ALLOC,
                address: KALLSYMS_ADDRESS,
                contents: vec![0; kallsyms_size],
                link: 0,
                entry_size: 0,
            },
            Section {
                name: ".symtab",
                kind: SHT_SYMTAB,
                flags: 0,
                address: 0,
                contents: symbol_table,
                link: 5,
                entry_size: 16,
            },
            Section {
                name: ".strtab",
                kind: SHT_STRTAB,
                flags: 0,
                address: 0,
                contents: strings,
                link: 0,
                entry_size: 0,
            },
            Section {
                name: ".shstrtab",
                kind: SHT_STRTAB,
                flags: 0,
                address: 0,
                contents: Vec::new(),
                link: 0,
                entry_size: 0,
            },
        ];
        let mut section_names = vec![0u8];
        let mut name_offsets = Vec::new();
        for section in &sections {
            name_offsets.push(section_names.len() as u32);
            section_names.extend_from_slice(section.name.as_bytes());
            section_names.push(0);
        }

        let mut image = vec![0u8; 52];
        let mut headers = vec![0u8; 40];
        for (section, name_offset) in sections.iter().zip(name_offsets) {
            let contents =
                if section.name == ".shstrtab" { &section_names } else { &section.contents };
            let offset = image.len() as u32;
            image.extend_from_slice(contents);
            let words = [
                name_offset,
                section.kind,
                section.flags,
                section.address,
                offset,
                contents.len() as u32,
                section.link,
                0,
                4,
                section.entry_size,
            ];
            for word in words {
                headers.extend_from_slice(&word.to_le_bytes());
            }
        }
        image.resize(image.len().next_multiple_of(4), 0);
        let section_header_offset = image.len() as u32;
        image.extend_from_slice(&headers);

        image[..7].copy_from_slice(b"\x7fELF\x01\x01\x01");
        image[16..18].copy_from_slice(&2u16.to_le_bytes());
        image[18..20].copy_from_slice(&40u16.to_le_bytes());
        image[20..24].copy_from_slice(&1u32.to_le_bytes());
        image[24..28].copy_from_slice(&TEXT_ADDRESS.to_le_bytes());
        image[32..36].copy_from_slice(&section_header_offset.to_le_bytes());
        for (offset, half) in [(40, 52u16), (42, 32), (46, 40), (48, 7), (50, 6)] {
            image[offset..offset + 2].copy_from_slice(&half.to_le_bytes());
        }
        image
    }

    const FUNCTION: u8 = (1 << 4) | STT_FUNC;

    fn sample_symbols() -> Vec<SymbolSpec> {
        vec![
            // A Thumb Rust function.
            (RUST_MAIN, TEXT_ADDRESS + 0x101, 0x40, FUNCTION),
            // An assembly entry point with no size, and an alias of it with none either.
            ("_start", TEXT_ADDRESS, 0, STT_FUNC),
            ("_reset", TEXT_ADDRESS, 0, STT_FUNC),
            // An alias of kernel_main with no size: the sized one wins.
            ("alias_of_main", TEXT_ADDRESS + 0x100, 0, FUNCTION),
            // Not functions, or not in code: left out.
            ("counter", DATA_ADDRESS, 4, (1 << 4) | 1),
            ("$a", TEXT_ADDRESS + 0x200, 0, 0),
            ("in_data", DATA_ADDRESS + 8, 8, FUNCTION),
            ("undefined", 0, 0, FUNCTION),
            ("past_text", TEXT_ADDRESS + 0x1000, 4, FUNCTION),
            ("vectors", TEXT_ADDRESS + 0x800, 0x20, STT_FUNC),
        ]
    }

    /// A file of its own for each test, removed when dropped.
    struct TemporaryFile(PathBuf);

    impl TemporaryFile {
        fn new(test: &str, contents: &[u8]) -> TemporaryFile {
            let path =
                std::env::temp_dir().join(format!("ksyms-test-{}-{test}", std::process::id()));
            fs::write(&path, contents).unwrap();
            TemporaryFile(path)
        }
    }

    impl Drop for TemporaryFile {
        fn drop(&mut self) {
            let _ = fs::remove_file(&self.0);
        }
    }

    #[test]
    fn demangles_rust_names_without_hash() {
        assert_eq!(demangle(RUST_MAIN), "swpan::init::kernel_main");
        assert_eq!(demangle("_RNvCs1234_5swpan11kernel_main"), "swpan::kernel_main", "v0 mangling");
        assert_eq!(demangle("_start"), "_start");
        assert_eq!(demangle("__aeabi_memcpy"), "__aeabi_memcpy");
    }

    #[test]
    fn sorts_and_keeps_one_symbol_per_address() {
        let symbols = vec![
            symbol(0x300, 8, "c"),
            symbol(0x100, 0, "label_b"),
            symbol(0x100, 0, "label_a"),
            symbol(0x200, 0, "alias"),
            symbol(0x200, 16, "sized"),
            symbol(0x200, 16, "also_sized"),
        ];
        assert_eq!(
            sort_and_deduplicate(symbols),
            [symbol(0x100, 0, "label_a"), symbol(0x200, 16, "also_sized"), symbol(0x300, 8, "c")]
        );
    }

    #[test]
    fn collects_function_symbols_in_code() {
        let image = kernel_image(&sample_symbols(), 256);
        let elf = Elf::parse(&image).unwrap();
        let symbols = sort_and_deduplicate(function_symbols(&elf).unwrap());
        assert_eq!(
            symbols,
            [
                symbol(TEXT_ADDRESS, 0, "_reset"),
                symbol(TEXT_ADDRESS + 0x100, 0x40, "swpan::init::kernel_main"),
                symbol(TEXT_ADDRESS + 0x800, 0x20, "vectors"),
            ]
        );
    }

    #[test]
    fn table_too_small_names_the_linker_script() {
        let symbols = [symbol(0x100, 4, "a_long_function_name")];
        let error = encode_table(&symbols, 32).unwrap_err();
        assert_eq!(
            error,
            "1 symbols need 49 bytes but .kallsyms holds 32: raise its size in linker/kernel.ld"
        );
        let (table, used) = encode_table(&symbols, 64).unwrap();
        assert_eq!((table.len(), used), (64, 49));
    }

    #[test]
    fn fills_the_section_in_place_and_idempotently() {
        let image = kernel_image(&sample_symbols(), 256);
        let file = TemporaryFile::new("fill", &image);
        let report = run(&file.0).unwrap();
        assert_eq!(report, Report { symbols: 3, used: 92, size: 256 });

        let first = fs::read(&file.0).unwrap();
        assert_eq!(first.len(), image.len());
        let elf = Elf::parse(&first).unwrap();
        let section = elf.section_by_name(SECTION).unwrap().unwrap();
        let table = Kallsyms::parse(elf.section_data(&section).unwrap()).unwrap();
        assert_eq!(table.lookup(TEXT_ADDRESS + 0x140), None);
        assert_eq!(
            table.lookup(TEXT_ADDRESS + 0x13f).map(|found| found.to_string()).as_deref(),
            Some("swpan::init::kernel_main+0x3f/0x40")
        );
        assert_eq!(
            table.lookup(TEXT_ADDRESS + 4).map(|found| found.to_string()).as_deref(),
            Some("_reset+0x4/0x0")
        );
        // Only the section changed.
        let start = section.offset as usize;
        assert_eq!(first[..start], image[..start]);
        assert_eq!(first[start + 256..], image[start + 256..]);

        assert_eq!(run(&file.0).unwrap(), report);
        assert_eq!(fs::read(&file.0).unwrap(), first, "a second run changes nothing");
    }

    #[test]
    fn errors_name_the_problem() {
        let too_small = TemporaryFile::new("small", &kernel_image(&sample_symbols(), 40));
        let error = run(&too_small.0).unwrap_err();
        assert!(error.contains("need 92 bytes but .kallsyms holds 40"), "{error}");
        assert!(error.contains("linker/kernel.ld"), "{error}");

        let mut image = kernel_image(&[], 64);
        // Rename .kallsyms to .kallsymz.
        let at = image.windows(9).position(|window| window == b".kallsyms").unwrap();
        image[at + 8] = b'z';
        let missing = TemporaryFile::new("missing", &image);
        let error = run(&missing.0).unwrap_err();
        assert_eq!(
            error,
            format!("no .kallsyms section in {}: is this a swpan kernel?", missing.0.display())
        );

        let not_elf = TemporaryFile::new("not-elf", b"#!/bin/sh\n");
        assert!(run(&not_elf.0).unwrap_err().contains("shorter than an ELF32 file header"));

        let error = run(Path::new("/nonexistent/kernel")).unwrap_err();
        assert!(error.starts_with("cannot read /nonexistent/kernel"), "{error}");
    }
}
