//! Reading the kernel's ptdump output out of a console capture.
//!
//! The shell's `ptdump` command and the tour print the translation tables as sections, each
//! headed `---[ title ]---` and followed by one line per run of addresses mapped alike:
//!
//! ```text
//! ---[ Kernel: TTBR1 ]---
//! 0x80000000-0x80032fff  204K  k:RO u:--  x  .    dom 0 KERNEL   WBWA   global  page
//! ```
//!
//! The fields are the inclusive range, its size (`K` or `M`), the kernel's and user's access,
//! `x`/`nx` (XN), `pxn`/`.` (PXN or PXNTABLE), the domain's number and name, the memory type,
//! `global`/`ng` and the descriptor level. Columns may be spaced any way.
//!
//! The ptdump output is the first run of consecutive headings and range lines that holds at
//! least one range; every other line of the capture (the boot log, prompts, the heading that
//! ends an oops, which no range follows) is not part of it. Inside the run, every line that
//! starts with `0x` must be a valid range line, and the ranges must rise: anything else is an
//! error naming the line.

use super::console::{hexadecimal_u32, numbered_lines};
use super::error::Error;
use super::facts::{DOMAINS, Domain, GRANULES, MEMORY_TYPES, granule_size, one_of};
use swpan::mm::descriptor::MemoryType;
use swpan::mm::ptdump::Granule;

/// The whole ptdump output: its sections in the order printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ptdump {
    /// The sections, each with its heading's title.
    pub sections: Vec<Section>,
}

impl Ptdump {
    /// Every range of every section, in address order.
    pub fn ranges(&self) -> impl Iterator<Item = &MappedRange> {
        self.sections.iter().flat_map(|section| section.ranges.iter())
    }
}

/// One `---[ title ]---` section and its ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The heading's text between `---[` and `]---`, trimmed.
    pub title: String,
    /// Its ranges, in address order (none for an empty address space).
    pub ranges: Vec<MappedRange>,
}

/// What one mode may do with a range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// `RW`: read and write.
    ReadWrite,
    /// `RO`: read only.
    ReadOnly,
    /// `--`: no access at all.
    None,
}

impl Access {
    /// The two letters ptdump prints for it.
    pub fn text(self) -> &'static str {
        match self {
            Access::ReadWrite => "RW",
            Access::ReadOnly => "RO",
            Access::None => "--",
        }
    }

    /// The access printed as `text`.
    fn from_text(text: &str) -> Option<Access> {
        [Access::ReadWrite, Access::ReadOnly, Access::None]
            .into_iter()
            .find(|access| access.text() == text)
    }
}

/// One line of the dump: a run of addresses mapped alike.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappedRange {
    /// The first address.
    pub first: u32,
    /// The last address (inclusive).
    pub last: u32,
    /// The size as ptdump printed it, such as `204K` or `3M`.
    pub size_text: String,
    /// What kernel mode may do (`k:`).
    pub kernel: Access,
    /// What user mode may do (`u:`).
    pub user: Access,
    /// XN: no mode may execute it (`nx`, against `x`).
    pub execute_never: bool,
    /// PXN or PXNTABLE: kernel mode may not execute it (`pxn`, against `.`).
    pub privileged_execute_never: bool,
    /// Its domain.
    pub domain: Domain,
    /// Its memory type (any encoding the kernel does not name reads as
    /// [`MemoryType::Other`]).
    pub memory: MemoryType,
    /// Global (`global`), or tagged with the process's ASID (`ng`).
    pub global: bool,
    /// The descriptor level.
    pub granule: Granule,
    /// The line of the capture it came from, counting from 1.
    pub line: usize,
}

/// Finds the ptdump output in `console` and reads it.
pub fn find(console: &str) -> Result<Ptdump, Error> {
    let mut lines = numbered_lines(console).peekable();
    while let Some((_, line)) = lines.next() {
        let Some(title) = heading(line) else { continue };
        let mut sections = vec![Section { title, ranges: Vec::new() }];
        let mut previous_last: Option<u32> = None;
        while let Some(&(number, line)) = lines.peek() {
            if let Some(title) = heading(line) {
                sections.push(Section { title, ranges: Vec::new() });
            } else if line.trim_start().starts_with("0x") {
                let malformed =
                    |problem: String| Error::MalformedPtdumpLine { line: number, problem };
                let range = parse_range(line, number).map_err(malformed)?;
                if let Some(previous_last) = previous_last
                    && range.first <= previous_last
                {
                    return Err(malformed(format!(
                        "the range starts at {:#010x}, inside or before the previous range \
                         (which ends at {previous_last:#010x}): ranges must rise",
                        range.first
                    )));
                }
                previous_last = Some(range.last);
                if let Some(section) = sections.last_mut() {
                    section.ranges.push(range);
                }
            } else {
                break;
            }
            lines.next();
        }
        if sections.iter().any(|section| !section.ranges.is_empty()) {
            return Ok(Ptdump { sections });
        }
    }
    Err(Error::NoPtdump)
}

/// The title of a `---[ title ]---` heading line.
fn heading(line: &str) -> Option<String> {
    let title = line.trim().strip_prefix("---[")?.strip_suffix("]---")?.trim();
    (!title.is_empty()).then(|| title.to_owned())
}

/// Reads one range line, the `number`th of the capture; the error says what is wrong.
fn parse_range(line: &str, number: usize) -> Result<MappedRange, String> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let [
        range,
        size,
        kernel,
        user,
        execute,
        privileged_execute,
        dom,
        domain_number,
        name,
        memory,
        global,
        granule,
    ] = fields[..]
    else {
        return Err(format!(
            "expected 12 fields (range, size, k:, u:, x/nx, pxn/., dom, number, name, memory \
             type, global/ng, page/section), found {}",
            fields.len()
        ));
    };
    let (first, last) = range
        .split_once('-')
        .and_then(|(first, last)| Some((hexadecimal_u32(first)?, hexadecimal_u32(last)?)))
        .ok_or_else(|| format!("`{range}` is not a range like 0x80000000-0x80032fff"))?;
    if last < first {
        return Err(format!("the range `{range}` ends before it starts"));
    }
    let granule = one_of(&GRANULES, Granule::name, granule, "a level")?;
    let bytes = u64::from(last) - u64::from(first) + 1;
    let unit = granule_size(granule);
    if !u64::from(first).is_multiple_of(unit) || !bytes.is_multiple_of(unit) {
        return Err(format!(
            "the range `{range}` is not made of whole {}s ({unit} bytes each)",
            granule.name()
        ));
    }
    let stated =
        size_in_bytes(size).ok_or_else(|| format!("`{size}` is not a size like 4K or 3M"))?;
    if stated != bytes {
        return Err(format!("the size says {size}, but the range `{range}` holds {} bytes", bytes));
    }
    let kernel = kernel
        .strip_prefix("k:")
        .and_then(Access::from_text)
        .ok_or_else(|| format!("`{kernel}` is not a kernel access: k:RW, k:RO or k:--"))?;
    let user = user
        .strip_prefix("u:")
        .and_then(Access::from_text)
        .ok_or_else(|| format!("`{user}` is not a user access: u:RW, u:RO or u:--"))?;
    let execute_never = match execute {
        "x" => false,
        "nx" => true,
        _ => return Err(format!("`{execute}` is not x or nx")),
    };
    let privileged_execute_never = match privileged_execute {
        "pxn" => true,
        "." => false,
        _ => return Err(format!("`{privileged_execute}` is not pxn or .")),
    };
    if dom != "dom" {
        return Err(format!("expected `dom` before the domain, found `{dom}`"));
    }
    let domain = domain_number
        .parse::<Domain>()
        .ok()
        .filter(|number| {
            domain_number.bytes().all(|b| b.is_ascii_digit()) && DOMAINS.contains(number)
        })
        .ok_or_else(|| {
            let (lowest, highest) = (DOMAINS[0], DOMAINS[DOMAINS.len() - 1]);
            format!("`{domain_number}` is not a domain of the kernel ({lowest} to {highest})")
        })?;
    let printed_name = swpan::domain::name(domain);
    if name != printed_name {
        return Err(format!("domain {domain} is {printed_name}, not `{name}`"));
    }
    let memory = one_of(&MEMORY_TYPES, MemoryType::abbreviation, memory, "a memory type")?;
    let global = match global {
        "global" => true,
        "ng" => false,
        _ => return Err(format!("`{global}` is not global or ng")),
    };
    Ok(MappedRange {
        first,
        last,
        size_text: size.to_owned(),
        kernel,
        user,
        execute_never,
        privileged_execute_never,
        domain,
        memory,
        global,
        granule,
        line: number,
    })
}

/// The bytes of a size written as ptdump writes it: decimal digits, then `K` or `M`.
fn size_in_bytes(text: &str) -> Option<u64> {
    let (digits, unit) = text.split_at(text.len().checked_sub(1)?);
    let unit = match unit {
        "K" => 1 << 10,
        "M" => 1 << 20,
        _ => return None,
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u64>().ok()?.checked_mul(unit)
}

#[cfg(test)]
mod tests {
    use super::super::facts::KERNEL;
    use super::*;

    const KERNEL_TEXT: &str =
        "0x80000000-0x80032fff  204K  k:RO u:--  x  .    dom 0 KERNEL   WBWA   global  page";

    #[test]
    fn a_range_line_reads_field_by_field() {
        let range = parse_range(KERNEL_TEXT, 7).expect("valid");
        assert_eq!((range.first, range.last), (0x8000_0000, 0x8003_2fff));
        assert_eq!((range.kernel, range.user), (Access::ReadOnly, Access::None));
        assert!(!range.execute_never && !range.privileged_execute_never && range.global);
        assert_eq!((range.domain, range.memory), (KERNEL, MemoryType::NormalWriteBack));
        assert_eq!(
            (range.granule, range.line, range.size_text.as_str()),
            (Granule::Page, 7, "204K")
        );
    }

    #[test]
    fn column_spacing_does_not_matter() {
        let squeezed = KERNEL_TEXT.split_whitespace().collect::<Vec<_>>().join(" ");
        let indented = format!("\t  {}   ", KERNEL_TEXT.replace("  ", "      "));
        let expected = parse_range(KERNEL_TEXT, 1);
        assert_eq!(parse_range(&squeezed, 1), expected);
        assert_eq!(parse_range(&indented, 1), expected);
    }

    #[test]
    fn every_bad_field_is_named() {
        let cases = [
            ("0x80000000-0x80032fff  204K", "expected 12 fields"),
            (
                "0x80000000_0x80032fff 204K k:RO u:-- x . dom 0 KERNEL WBWA global page",
                "not a range",
            ),
            (
                "0x80032fff-0x80000000 204K k:RO u:-- x . dom 0 KERNEL WBWA global page",
                "ends before",
            ),
            (
                "0x80000000-0x80032ffe 204K k:RO u:-- x . dom 0 KERNEL WBWA global page",
                "whole pages",
            ),
            (
                "0x80000000-0x80032fff 204K k:RO u:-- x . dom 0 KERNEL WBWA global section",
                "whole sections",
            ),
            (
                "0x80000000-0x80032fff 208K k:RO u:-- x . dom 0 KERNEL WBWA global page",
                "the size says 208K",
            ),
            (
                "0x80000000-0x80032fff 204k k:RO u:-- x . dom 0 KERNEL WBWA global page",
                "not a size",
            ),
            (
                "0x80000000-0x80032fff 204K k:RX u:-- x . dom 0 KERNEL WBWA global page",
                "kernel access",
            ),
            ("0x80000000-0x80032fff 204K k:RO RW x . dom 0 KERNEL WBWA global page", "user access"),
            ("0x80000000-0x80032fff 204K k:RO u:-- xn . dom 0 KERNEL WBWA global page", "x or nx"),
            ("0x80000000-0x80032fff 204K k:RO u:-- x - dom 0 KERNEL WBWA global page", "pxn or ."),
            ("0x80000000-0x80032fff 204K k:RO u:-- x . domain 0 KERNEL WBWA global page", "`dom`"),
            ("0x80000000-0x80032fff 204K k:RO u:-- x . dom 4 KERNEL WBWA global page", "0 to 3"),
            ("0x80000000-0x80032fff 204K k:RO u:-- x . dom +0 KERNEL WBWA global page", "0 to 3"),
            (
                "0x80000000-0x80032fff 204K k:RO u:-- x . dom 0 USER WBWA global page",
                "domain 0 is KERNEL",
            ),
            ("0x80000000-0x80032fff 204K k:RO u:-- x . dom 0 KERNEL WT global page", "memory type"),
            ("0x80000000-0x80032fff 204K k:RO u:-- x . dom 0 KERNEL WBWA nG page", "global or ng"),
            (
                "0x80000000-0x80032fff 204K k:RO u:-- x . dom 0 KERNEL WBWA global pages",
                "page or section",
            ),
        ];
        for (line, expected) in cases {
            let problem = parse_range(line, 1).expect_err(line);
            assert!(problem.contains(expected), "{line}: {problem}");
        }
    }

    #[test]
    fn sizes_read_as_ptdump_writes_them() {
        assert_eq!(size_in_bytes("4K"), Some(4096));
        assert_eq!(size_in_bytes("112M"), Some(112 << 20));
        for bad in ["", "K", "4", "4G", "-4K", "+4K", "4 K"] {
            assert_eq!(size_in_bytes(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_dump_is_the_first_run_of_headings_and_ranges_with_a_range() {
        let console = "boot\r\n---[ end trace: oops #1 ]---\r\nlkdtm: blocked\r\n\
                       ---[ User space: TTBR0 of process 0 ]---\r\n---[ Kernel: TTBR1 ]---\r\n\
                       0xffff0000-0xffff0fff 4K k:RO u:-- x . dom 3 VECTORS WBWA global page\r\n\
                       swpan$ poweroff\r\n0x00000000-0x00000fff garbage after the dump\r\n";
        let dump = find(console).expect("a dump");
        let titles: Vec<&str> = dump.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["User space: TTBR0 of process 0", "Kernel: TTBR1"]);
        assert_eq!(dump.ranges().map(|range| range.line).collect::<Vec<_>>(), [6]);
    }

    #[test]
    fn ranges_must_rise() {
        let console = "---[ Kernel: TTBR1 ]---\n\
                       0xffff0000-0xffff0fff 4K k:RO u:-- x . dom 3 VECTORS WBWA global page\n\
                       0xffff0000-0xffff0fff 4K k:RO u:-- x . dom 3 VECTORS WBWA global page\n";
        let Err(Error::MalformedPtdumpLine { line: 3, problem }) = find(console) else {
            panic!("the overlap is not reported on line 3");
        };
        assert!(problem.contains("ranges must rise"), "{problem}");
    }

    #[test]
    fn headings_alone_are_not_a_dump() {
        assert_eq!(find("---[ end trace ]---\n---[ x ]---\nbye\n"), Err(Error::NoPtdump));
        assert_eq!(find(""), Err(Error::NoPtdump));
        assert_eq!(find("---[  ]---\n"), Err(Error::NoPtdump));
    }
}
