//! The address-space picture: the whole 32-bit space from the ptdump output, as a vertical
//! stack of bands, low addresses at the top.
//!
//! Each row gives a band's inclusive range and size on the left, the band itself in the
//! middle (coloured by domain, or hatched where nothing is mapped) and, on the right, the
//! range's permissions as ptdump prints them and what it holds (kernel text, rodata, data,
//! the stacks and heap, the vmalloc area, ...), or what the gap is. Sizes run from 4 KiB to
//! almost 2 GiB, so a band's height is a minimum plus a term in the logarithm of its size:
//! the picture says it is not to scale. A strip heads each half with its translation table
//! base register and the dump's section titles; a heavy rule marks the TTBR0/TTBR1 split.

use super::address_space::{Band, BandContent, Gap, Half, HalfMap, Role, address_space};
use super::error::Error;
use super::facts::{
    DACR_KERNEL, DOMAINS, Domain, DomainAccess, IO, KERNEL, MMAP_MIN_ADDR, PAGE_SIZE, SECTION_SIZE,
    USER, VECTORS, access_of, dacr_text,
};
use super::ptdump::{self, MappedRange, Ptdump};
use crate::svg::{Anchor, DARK_RED, GREY, Svg, Text};

/// The picture's width, in pixels.
const WIDTH: i32 = 1040;
/// The left edge of everything but the title.
const LEFT: i32 = 20;
/// The right edge of the half strips and row rules.
const RIGHT: i32 = 1020;
/// Where the range column's text starts.
const RANGE_X: i32 = LEFT;
/// Where the size column's text ends.
const SIZE_END: i32 = 240;
/// The band's left edge.
const BAND_LEFT: i32 = 256;
/// The band's width.
const BAND_WIDTH: i32 = 196;
/// The detail columns' left edges: kernel access, user access, x/nx, pxn, memory type,
/// global/ng, level; a gap's note starts at the first.
const DETAIL_X: [i32; 7] = [468, 516, 564, 600, 644, 708, 772];
/// The detail columns' headings.
const DETAIL_HEADINGS: [&str; 7] = ["kernel", "user", "exec", "PXN", "memory", "ASID", "level"];
/// Where the column saying what a range holds starts.
const ROLE_X: i32 = 838;
/// Where a half strip's address range starts.
const STRIP_RANGE_X: i32 = 84;
/// The smallest band height, for a single 4 KiB page.
const BAND_MINIMUM_HEIGHT: i32 = 24;
/// What each doubling of the size adds to the height, in tenths of a pixel.
const BAND_TENTHS_PER_OCTAVE: i32 = 40;
/// The height of the strip heading a half.
const HALF_STRIP_HEIGHT: i32 = 28;
/// The font size of the rows.
const ROW_FONT: u32 = 12;

/// The picture of the address space the ptdump output in `console` describes.
pub fn svg(console: &str) -> Result<String, Error> {
    let ptdump = ptdump::find(console)?;
    let halves = address_space(&ptdump)?;
    Ok(draw(&ptdump, &halves))
}

/// Draws the whole picture.
fn draw(ptdump: &Ptdump, halves: &[HalfMap<'_>; 2]) -> String {
    let mut svg = Svg::new();
    define_hatches(&mut svg);
    svg.define_hatch("owned", "#fff5e6", "#fdae6b");
    let mut y = heading(&mut svg, ptdump);
    for half in halves {
        y = half_strip(&mut svg, half, y);
        for band in &half.bands {
            y = row(&mut svg, band, y);
        }
    }
    svg.line((LEFT, y), (RIGHT, y), r##"stroke="#bbbbbb""##);
    let height = legend(&mut svg, y + 28);
    svg.finish(WIDTH, height, "swpan's address space, from ptdump", "#ffffff")
}

/// The hatch patterns of unmapped addresses and of a guard page.
pub(super) fn define_hatches(svg: &mut Svg) {
    for (id, background, stripe) in
        [("unmapped", "#f7f7f7", "#d4d4d4"), ("guard", "#fff0ec", "#f08a70")]
    {
        svg.define_hatch(id, background, stripe);
    }
}

/// The title, the section titles, the reading notes and the column headings; returns where
/// the first half starts.
fn heading(svg: &mut Svg, ptdump: &Ptdump) -> i32 {
    svg.text(&Text::new(LEFT, 34, 20, "swpan's address space, from ptdump").bold());
    let titles: Vec<&str> = ptdump.sections.iter().map(|section| section.title.as_str()).collect();
    svg.text(&Text::new(LEFT, 58, 14, &format!("ptdump sections: {}", titles.join("  |  "))));
    svg.text(
        &Text::new(
            LEFT,
            80,
            12,
            "Low addresses at the top. Not to scale: a band's height grows with the logarithm \
             of its size.",
        )
        .italic()
        .fill(GREY),
    );
    let headings_y = 108;
    svg.text(&Text::new(RANGE_X, headings_y, 11, "range (inclusive)").fill(GREY));
    svg.text(&Text::new(SIZE_END, headings_y, 11, "size").fill(GREY).anchor(Anchor::End));
    svg.text(
        &Text::new(BAND_LEFT + BAND_WIDTH / 2, headings_y, 11, "domain")
            .fill(GREY)
            .anchor(Anchor::Middle),
    );
    for (x, heading) in DETAIL_X.into_iter().zip(DETAIL_HEADINGS) {
        svg.text(&Text::new(x, headings_y, 11, heading).fill(GREY));
    }
    svg.text(&Text::new(ROLE_X, headings_y, 11, "holds").fill(GREY));
    headings_y + 8
}

/// The strip heading a half at `y`, with the heavy split rule above the TTBR1 half; returns
/// where its first band starts.
fn half_strip(svg: &mut Svg, half: &HalfMap<'_>, y: i32) -> i32 {
    svg.rect(LEFT, y, RIGHT - LEFT, HALF_STRIP_HEIGHT, r##"fill="#e8e8e8""##);
    let register = half.half.register();
    let range = format!("{:#010x}-{:#010x}", half.half.first(), half.half.last());
    let titles = if half.titles.is_empty() {
        "(no ranges in the dump)".to_owned()
    } else {
        half.titles.join("; ")
    };
    svg.text(&Text::new(LEFT + 8, y + 19, 14, register).bold());
    svg.text(&Text::new(STRIP_RANGE_X, y + 19, 12, &range).monospace());
    svg.text(&Text::new(BAND_LEFT, y + 19, 13, &titles).bold());
    if half.half == Half::Ttbr1 {
        svg.line((LEFT - 10, y), (RIGHT + 10, y), r##"stroke="#222222" stroke-width="3""##);
        svg.text(
            &Text::new(
                RIGHT - 8,
                y + 19,
                12,
                &format!("TTBR0/TTBR1 split at {:#010x}", half.half.first()),
            )
            .italic()
            .anchor(Anchor::End),
        );
    }
    y + HALF_STRIP_HEIGHT
}

/// One band's row at `y`; returns where the next starts.
fn row(svg: &mut Svg, band: &Band<'_>, y: i32) -> i32 {
    let height = band_height(band.size());
    let baseline = y + height / 2 + 4;
    svg.line((LEFT, y), (RIGHT, y), r##"stroke="#e4e4e4""##);
    let range = format!("{:#010x}-{:#010x}", band.first, band.last);
    match band.content {
        BandContent::Mapped(mapping, role) => {
            svg.text(&Text::new(RANGE_X, baseline, ROW_FONT, &range).monospace());
            svg.text(
                &Text::new(SIZE_END, baseline, ROW_FONT, &mapping.size_text)
                    .monospace()
                    .anchor(Anchor::End),
            );
            let fill = format!(
                r##"fill="{}" stroke="#ffffff" stroke-width="2""##,
                domain_colour(mapping.domain)
            );
            svg.rect(BAND_LEFT, y, BAND_WIDTH, height, &fill);
            let name = format!("dom {} {}", mapping.domain, swpan::domain::name(mapping.domain));
            svg.text(
                &Text::new(BAND_LEFT + BAND_WIDTH / 2, baseline, ROW_FONT, &name)
                    .anchor(Anchor::Middle),
            );
            for (x, field) in DETAIL_X.into_iter().zip(details(mapping)) {
                svg.text(&Text::new(x, baseline, ROW_FONT, &field).monospace());
            }
            let holds = Text::new(ROLE_X, baseline, ROW_FONT, role.label());
            svg.text(&if role == Role::KernelText { holds.bold() } else { holds });
        }
        BandContent::Gap(gap) => {
            svg.text(&Text::new(RANGE_X, baseline, ROW_FONT, &range).monospace().fill(GREY));
            svg.text(
                &Text::new(SIZE_END, baseline, ROW_FONT, &gap_size_text(band.size()))
                    .monospace()
                    .anchor(Anchor::End)
                    .fill(GREY),
            );
            let null_note = format!(
                "NULL gap: the first {}K (mmap_min_addr) are never mapped, so NULL dereferences fault",
                MMAP_MIN_ADDR / 1024
            );
            let (pattern, inside, note) = match gap {
                Gap::NeverMapped => ("unmapped", "NULL gap", Some(null_note.as_str())),
                Gap::GuardPage => (
                    "guard",
                    "guard page",
                    Some("guard page: one page left unmapped, so running into it faults"),
                ),
                Gap::OwnedFrames => (
                    "owned",
                    "owned by a process",
                    Some("frames a process owns: out of the linear map while it does (xpfo)"),
                ),
                Gap::Unmapped => ("unmapped", "unmapped", None),
            };
            svg.rect(BAND_LEFT, y, BAND_WIDTH, height, &format!(r#"fill="url(#{pattern})""#));
            let centre = BAND_LEFT + BAND_WIDTH / 2;
            let label = Text::new(centre, baseline, ROW_FONT, inside).anchor(Anchor::Middle).halo();
            svg.text(&if gap == Gap::GuardPage {
                label.bold().fill(DARK_RED)
            } else {
                label.italic().fill(GREY)
            });
            if let Some(note) = note {
                let note = Text::new(DETAIL_X[0], baseline, ROW_FONT, note);
                svg.text(&if gap == Gap::GuardPage { note.fill(DARK_RED) } else { note.italic() });
            }
        }
    }
    y + height
}

/// The detail columns of a mapped range, as ptdump prints them.
fn details(mapping: &MappedRange) -> [String; 7] {
    [
        format!("k:{}", mapping.kernel.text()),
        format!("u:{}", mapping.user.text()),
        (if mapping.execute_never { "nx" } else { "x" }).to_owned(),
        (if mapping.privileged_execute_never { "pxn" } else { "." }).to_owned(),
        mapping.memory.abbreviation().to_owned(),
        (if mapping.global { "global" } else { "ng" }).to_owned(),
        mapping.granule.name().to_owned(),
    ]
}

/// A band's height for `size` bytes: the minimum, plus a fixed step per doubling of the
/// number of pages, interpolated linearly between powers of two; integers only, so the
/// height is the same on every machine.
pub(super) fn band_height(size: u64) -> i32 {
    let pages = (size / PAGE_SIZE).max(1);
    let octaves = pages.ilog2();
    let power = 1u64 << octaves;
    let tenths_of_octaves = u64::from(octaves) * 10 + (pages - power) * 10 / power;
    let tenths_of_pixels = tenths_of_octaves * BAND_TENTHS_PER_OCTAVE as u64 / 10;
    BAND_MINIMUM_HEIGHT + i32::try_from(tenths_of_pixels / 10).unwrap_or(i32::MAX / 2)
}

/// A gap's size: exact in whole MiB or KiB when it is one, otherwise to the nearest MiB.
fn gap_size_text(size: u64) -> String {
    if size.is_multiple_of(SECTION_SIZE) {
        format!("{}M", size / SECTION_SIZE)
    } else if size < SECTION_SIZE {
        format!("{}K", size / 1024)
    } else {
        format!("~{}M", (size + SECTION_SIZE / 2) / SECTION_SIZE)
    }
}

/// The fill of a domain's bands.
pub(super) fn domain_colour(domain: Domain) -> &'static str {
    match domain {
        KERNEL => "#9ecae1",
        USER => "#fdae6b",
        IO => "#c5b9e0",
        VECTORS => "#a1d99b",
        _ => "#dddddd",
    }
}

/// What the DACR gives `domain` in kernel mode with the window closed, as the legend says it.
fn kernel_mode_access(domain: Domain) -> String {
    match access_of(DACR_KERNEL, domain) {
        DomainAccess::NoAccess => "No access in kernel mode (PAN)".to_owned(),
        access => access.name().to_owned(),
    }
}

/// The legend from `y`: the domains' colours and what kernel mode may do with each, the
/// gaps' hatches, and the columns' abbreviations; returns the picture's height.
fn legend(svg: &mut Svg, y: i32) -> i32 {
    let title = format!(
        "The domains, and what the DACR gives kernel mode outside a uaccess window ({})",
        dacr_text(DACR_KERNEL)
    );
    svg.text(&Text::new(LEFT, y, 13, &title).bold());
    let column_x = [LEFT, 470];
    let mut entries: Vec<(String, String)> = DOMAINS
        .into_iter()
        .map(|domain| {
            (
                format!(r##"fill="{}""##, domain_colour(domain)),
                format!(
                    "dom {domain} {}: {}",
                    swpan::domain::name(domain),
                    kernel_mode_access(domain)
                ),
            )
        })
        .collect();
    entries
        .push((r#"fill="url(#unmapped)""#.to_owned(), "unmapped: every access faults".to_owned()));
    entries.push((
        r#"fill="url(#guard)""#.to_owned(),
        "guard page: 4 KiB unmapped below a stack or beside a vmalloc allocation".to_owned(),
    ));
    entries.push((
        r#"fill="url(#owned)""#.to_owned(),
        "owned by a process: user frames out of RAM's linear map (xpfo=on)".to_owned(),
    ));
    let first_row = y + 14;
    let rows = entries.len().div_ceil(2);
    for (index, (fill, label)) in entries.iter().enumerate() {
        let x = column_x[index / rows];
        let top = first_row + 24 * (index % rows) as i32;
        svg.rect(x, top, 28, 16, &format!(r##"{fill} stroke="#888888""##));
        svg.text(&Text::new(x + 38, top + 13, ROW_FONT, label));
    }
    let notes_y = first_row + 24 * rows as i32 + 16;
    for (index, (terms, meaning)) in COLUMN_NOTES.iter().enumerate() {
        let baseline = notes_y + 18 * index as i32;
        svg.text(&Text::new(LEFT, baseline, 11, terms).monospace().bold().fill(GREY));
        svg.text(&Text::new(LEFT + 110, baseline, 11, meaning).fill(GREY));
    }
    notes_y + 18 * (COLUMN_NOTES.len() as i32 - 1) + 20
}

/// What the detail columns' words mean.
const COLUMN_NOTES: [(&str, &str); 5] = [
    (
        "k:.. u:..",
        "what kernel mode and user mode may do: RW read and write, RO read only, -- nothing",
    ),
    ("x | nx", "executable for a mode that may read it | execute never (XN)"),
    ("pxn | .", "never executable in kernel mode (PXN, or PXNTABLE of its page table) | no PXN"),
    ("global | ng", "the same in every process | tagged with the process's ASID (not global)"),
    ("page | section", "mapped by 4 KiB small pages | by 1 MiB sections"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heights_grow_with_the_logarithm_of_the_size() {
        assert_eq!(band_height(4096), BAND_MINIMUM_HEIGHT);
        assert_eq!(band_height(8192), BAND_MINIMUM_HEIGHT + 4);
        assert_eq!(band_height(3 * 4096), BAND_MINIMUM_HEIGHT + 6);
        assert_eq!(band_height(1 << 31), BAND_MINIMUM_HEIGHT + 76);
        assert_eq!(band_height(1 << 32), BAND_MINIMUM_HEIGHT + 80);
    }

    #[test]
    fn gap_sizes_are_exact_when_they_can_be() {
        assert_eq!(gap_size_text(4096), "4K");
        assert_eq!(gap_size_text(1 << 20), "1M");
        assert_eq!(gap_size_text(0x7fee_c000), "~2047M");
        assert_eq!(gap_size_text(0xf000), "60K");
    }

    #[test]
    fn the_legend_follows_the_kernel_dacr() {
        let accesses: Vec<String> = DOMAINS.into_iter().map(kernel_mode_access).collect();
        assert_eq!(accesses, ["Client", "No access in kernel mode (PAN)", "Client", "Client"]);
    }
}
