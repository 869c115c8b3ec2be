//! The linear-map picture: the kernel's map of RAM in two boots side by side, one with
//! exclusive page-frame ownership (`xpfo=on`) and one without, so that the holes the frames a
//! process owns leave in the linear map stand beside the read-write aliases they would
//! otherwise have (the ret2dir gap).
//!
//! Both captures are ptdump outputs of the same job (the shell's `ptdump` in process 1), which
//! allocates the same frames in both boots. The rows are the union of both dumps' boundaries
//! inside RAM, so every row is one range or one gap in each boot and the two columns line
//! up. A gap of the `xpfo=on` boot that the `xpfo=off` boot maps is a run of frames a process
//! owns; a gap in both is a guard page (one page between two ranges) or plainly unmapped.

use super::address_map::{band_height, define_hatches, domain_colour};
use super::address_space::address;
use super::error::Error;
use super::facts::{PAGE_SIZE, RAM_END, RAM_FIRST};
use super::ptdump::{self, MappedRange, Ptdump};
use crate::svg::{Anchor, DARK_RED, GREY, Svg, Text};

/// The picture's width, in pixels.
const WIDTH: i32 = 900;
/// The left edge of everything.
const LEFT: i32 = 20;
/// The right edge of the row rules.
const RIGHT: i32 = 880;
/// Where the size column's text ends.
const SIZE_END: i32 = 240;
/// The left edges of the two bands: `xpfo=on`, then `xpfo=off`.
const BAND_LEFT: [i32; 2] = [256, 452];
/// A band's width.
const BAND_WIDTH: i32 = 180;
/// Where the note column starts.
const NOTE_X: i32 = 648;
/// The font size of the rows.
const ROW_FONT: u32 = 12;
/// The colour that marks frames a process owns, in both columns.
const OWNED: &str = "#e6550d";

/// What one boot has at one row's addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cell<'a> {
    /// A range of that boot's dump covers them.
    Mapped(&'a MappedRange),
    /// Nothing maps them.
    Gap,
}

/// What a row is, judged from both boots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RowKind {
    /// Mapped in both boots: the kernel's own memory, the same with or without the defence.
    Kernel,
    /// Unmapped with `xpfo=on` and mapped with `xpfo=off`: frames a process owns.
    OwnedFrames,
    /// One page unmapped in both, between two ranges.
    GuardPage,
    /// Unmapped in both.
    Unmapped,
    /// Mapped only with `xpfo=on` (no boot of this kernel does that; drawn as it is).
    OnlyWithDefence,
}

/// One row: a run of addresses each boot treats alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Row<'a> {
    /// The first address.
    first: u32,
    /// The last address (inclusive).
    last: u32,
    /// What the `xpfo=on` boot, then the `xpfo=off` boot, has there.
    cells: [Cell<'a>; 2],
    /// What the row is.
    kind: RowKind,
}

impl Row<'_> {
    /// The row's size in bytes.
    fn size(&self) -> u64 {
        u64::from(self.last) - u64::from(self.first) + 1
    }
}

/// The picture of the linear map with the defence (`with_defence`, a capture of an `xpfo=on`
/// boot) and without it (`without_defence`, the same job with `xpfo=off`).
pub fn svg(with_defence: &str, without_defence: &str) -> Result<String, Error> {
    let dumps = [ptdump::find(with_defence)?, ptdump::find(without_defence)?];
    let rows = rows(&dumps);
    Ok(draw(&dumps, &rows))
}

/// The rows covering RAM's linear map, from both dumps.
fn rows(dumps: &[Ptdump; 2]) -> Vec<Row<'_>> {
    let first = u64::from(RAM_FIRST);
    let end = u64::from(RAM_END);
    let mut cuts = vec![first, end];
    for range in dumps.iter().flat_map(Ptdump::ranges) {
        for cut in [u64::from(range.first), u64::from(range.last) + 1] {
            if first < cut && cut < end {
                cuts.push(cut);
            }
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let spans: Vec<(u32, u32)> =
        cuts.windows(2).map(|pair| (address(pair[0]), address(pair[1] - 1))).collect();
    spans
        .iter()
        .enumerate()
        .map(|(index, &(first, last))| {
            let cells = [0, 1].map(|boot| cell(&dumps[boot], first));
            let between_ranges = index > 0
                && index + 1 < spans.len()
                && [spans[index - 1].0, spans[index + 1].0]
                    .iter()
                    .all(|&neighbour| cell(&dumps[0], neighbour) != Cell::Gap);
            let kind = match cells {
                [Cell::Mapped(_), Cell::Mapped(_)] => RowKind::Kernel,
                [Cell::Gap, Cell::Mapped(_)] => RowKind::OwnedFrames,
                [Cell::Mapped(_), Cell::Gap] => RowKind::OnlyWithDefence,
                [Cell::Gap, Cell::Gap]
                    if between_ranges && u64::from(last - first) + 1 == PAGE_SIZE =>
                {
                    RowKind::GuardPage
                }
                [Cell::Gap, Cell::Gap] => RowKind::Unmapped,
            };
            Row { first, last, cells, kind }
        })
        .collect()
}

/// What `dump` has at `address`.
fn cell(dump: &Ptdump, address: u32) -> Cell<'_> {
    dump.ranges()
        .find(|range| range.first <= address && address <= range.last)
        .map_or(Cell::Gap, Cell::Mapped)
}

/// Pages a process has mapped in the dump's user half, and the `xpfo=on` boot's frames out of
/// the linear map: the two counts the heading compares.
fn counts(dumps: &[Ptdump; 2], rows: &[Row<'_>]) -> (u64, u64) {
    let user_pages = dumps[0]
        .ranges()
        .filter(|range| range.last < RAM_FIRST)
        .map(|range| (u64::from(range.last) - u64::from(range.first) + 1) / PAGE_SIZE)
        .sum();
    let owned_frames = rows
        .iter()
        .filter(|row| row.kind == RowKind::OwnedFrames)
        .map(|row| row.size() / PAGE_SIZE)
        .sum();
    (user_pages, owned_frames)
}

/// Draws the whole picture.
fn draw(dumps: &[Ptdump; 2], rows: &[Row<'_>]) -> String {
    let mut svg = Svg::new();
    define_hatches(&mut svg);
    svg.define_hatch("owned", "#fff5eb", OWNED);
    let title = "The kernel's linear map of RAM, with and without exclusive page-frame ownership";
    svg.text(&Text::new(LEFT, 34, 18, title).bold());
    let (user_pages, owned_frames) = counts(dumps, rows);
    let heading = [
        format!(
            "ptdump of the same job in two boots, over {:#010x}-{:#010x}: RAM at its physical \
             address.",
            RAM_FIRST,
            RAM_END - 1
        ),
        format!(
            "The process maps {user_pages} user pages ({}K). With xpfo=on, {owned_frames} frames \
             ({}K) are missing from the linear map;",
            user_pages * PAGE_SIZE / 1024,
            owned_frames * PAGE_SIZE / 1024
        ),
        "with xpfo=off, each is mapped read-write in domain 0, which PAN leaves open.".to_owned(),
    ];
    for (index, line) in heading.iter().enumerate() {
        svg.text(&Text::new(LEFT, 58 + 18 * index as i32, 13, line));
    }
    svg.text(
        &Text::new(
            LEFT,
            114,
            12,
            "Low addresses at the top. Not to scale: a band's height grows with the logarithm \
             of its size.",
        )
        .italic()
        .fill(GREY),
    );
    let headings_y = 142;
    svg.text(&Text::new(LEFT, headings_y, 11, "range (inclusive)").fill(GREY));
    svg.text(&Text::new(SIZE_END, headings_y, 11, "size").fill(GREY).anchor(Anchor::End));
    for (left, heading) in BAND_LEFT.into_iter().zip(["xpfo=on (the default)", "xpfo=off"]) {
        svg.text(
            &Text::new(left + BAND_WIDTH / 2, headings_y, 12, heading)
                .bold()
                .anchor(Anchor::Middle),
        );
    }
    svg.text(&Text::new(NOTE_X, headings_y, 11, "what it is").fill(GREY));
    let mut y = headings_y + 8;
    for row in rows {
        y = draw_row(&mut svg, row, y);
    }
    svg.line((LEFT, y), (RIGHT, y), r##"stroke="#bbbbbb""##);
    let height = legend(&mut svg, y + 28);
    svg.finish(WIDTH, height, title, "#ffffff")
}

/// One row at `y`; returns where the next starts.
fn draw_row(svg: &mut Svg, row: &Row<'_>, y: i32) -> i32 {
    let height = band_height(row.size());
    let baseline = y + height / 2 + 4;
    svg.line((LEFT, y), (RIGHT, y), r##"stroke="#e4e4e4""##);
    let mapped_somewhere = row.kind != RowKind::Unmapped && row.kind != RowKind::GuardPage;
    let colour = if mapped_somewhere { "#000000" } else { GREY };
    let range = format!("{:#010x}-{:#010x}", row.first, row.last);
    svg.text(&Text::new(LEFT, baseline, ROW_FONT, &range).monospace().fill(colour));
    svg.text(
        &Text::new(SIZE_END, baseline, ROW_FONT, &size_text(row.size()))
            .monospace()
            .anchor(Anchor::End)
            .fill(colour),
    );
    for (left, cell) in BAND_LEFT.into_iter().zip(row.cells) {
        let centre = left + BAND_WIDTH / 2;
        match cell {
            Cell::Mapped(range) => {
                let stroke = if row.kind == RowKind::OwnedFrames {
                    format!(r#"stroke="{OWNED}" stroke-width="3""#)
                } else {
                    r##"stroke="#ffffff" stroke-width="2""##.to_owned()
                };
                let fill = format!(r#"fill="{}" {stroke}"#, domain_colour(range.domain));
                svg.rect(left, y, BAND_WIDTH, height, &fill);
                let label = format!(
                    "dom {} k:{} {}",
                    range.domain,
                    range.kernel.text(),
                    if range.execute_never { "nx" } else { "x" }
                );
                svg.text(&Text::new(centre, baseline, ROW_FONT, &label).anchor(Anchor::Middle));
            }
            Cell::Gap => {
                let (pattern, label) = match row.kind {
                    RowKind::OwnedFrames => ("owned", "not mapped"),
                    RowKind::GuardPage => ("guard", "guard page"),
                    _ => ("unmapped", "unmapped"),
                };
                svg.rect(left, y, BAND_WIDTH, height, &format!(r#"fill="url(#{pattern})""#));
                let text = Text::new(centre, baseline, ROW_FONT, label).anchor(Anchor::Middle);
                svg.text(&match row.kind {
                    RowKind::OwnedFrames => text.bold().fill(OWNED).halo(),
                    RowKind::GuardPage => text.bold().fill(DARK_RED).halo(),
                    _ => text.italic().fill(GREY).halo(),
                });
            }
        }
    }
    let note = match row.kind {
        RowKind::Kernel => Text::new(NOTE_X, baseline, ROW_FONT, "kernel memory, in both boots"),
        RowKind::OwnedFrames => Text::new(
            NOTE_X,
            baseline,
            ROW_FONT,
            &format!("{} owned by a process", frames_text(row.size() / PAGE_SIZE)),
        )
        .bold()
        .fill(OWNED),
        RowKind::GuardPage => {
            Text::new(NOTE_X, baseline, ROW_FONT, "guard page, in both boots").fill(DARK_RED)
        }
        RowKind::Unmapped => {
            Text::new(NOTE_X, baseline, ROW_FONT, "unmapped in both boots").italic().fill(GREY)
        }
        RowKind::OnlyWithDefence => {
            Text::new(NOTE_X, baseline, ROW_FONT, "mapped with xpfo=on only")
        }
    };
    svg.text(&note);
    y + height
}

/// `1 frame`, `12 frames`.
fn frames_text(frames: u64) -> String {
    if frames == 1 { "1 frame".to_owned() } else { format!("{frames} frames") }
}

/// A row's size: in whole MiB when it is some, otherwise in KiB (every row is whole pages).
fn size_text(size: u64) -> String {
    if size >= 1 << 20 && size.is_multiple_of(1 << 20) {
        format!("{}M", size >> 20)
    } else {
        format!("{}K", size / 1024)
    }
}

/// The legend from `y`; returns the picture's height.
fn legend(svg: &mut Svg, y: i32) -> i32 {
    svg.text(&Text::new(LEFT, y, 13, "How to read it").bold());
    let entries: [(String, &str); 4] = [
        (
            format!(r##"fill="{}" stroke="#888888""##, domain_colour(super::facts::KERNEL)),
            "mapped in the linear map: dom 0 KERNEL, Client in kernel mode, so PAN never \
             applies to it",
        ),
        (
            format!(
                r#"fill="{}" stroke="{OWNED}" stroke-width="3""#,
                domain_colour(super::facts::KERNEL)
            ),
            "xpfo=off: a frame a process owns, still mapped read-write: the alias a ret2dir \
             exploit writes through",
        ),
        (
            r##"fill="url(#owned)" stroke="#888888""##.to_owned(),
            "xpfo=on: the same frame, out of the linear map while the process owns it; a \
             kernel access there is a translation fault",
        ),
        (
            r##"fill="url(#guard)" stroke="#888888""##.to_owned(),
            "guard page: 4 KiB unmapped between two kernel ranges, in both boots",
        ),
    ];
    let first_row = y + 14;
    for (index, (fill, label)) in entries.iter().enumerate() {
        let top = first_row + 24 * index as i32;
        svg.rect(LEFT, top, 28, 16, fill);
        svg.text(&Text::new(LEFT + 38, top + 13, ROW_FONT, label));
    }
    first_row + 24 * (entries.len() as i32 - 1) + 32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(lines: &[&str]) -> Ptdump {
        ptdump::find(&lines.join("\n")).expect("a valid dump")
    }

    const USER: &str = "0x00100000-0x00101fff 8K k:RW u:RW nx pxn dom 1 USER WBWA ng page";

    #[test]
    fn holes_mapped_without_the_defence_are_owned_frames() {
        let with = dump(&[
            "---[ User ]---",
            USER,
            "---[ Kernel ]---",
            "0x80000000-0x80000fff 4K k:RO u:-- x . dom 0 KERNEL WBWA global page",
            "0x80002000-0x80002fff 4K k:RW u:-- nx . dom 0 KERNEL WBWA global page",
            "0x80004000-0x87ffffff 131056K k:RW u:-- nx . dom 0 KERNEL WBWA global page",
        ]);
        let without = dump(&[
            "---[ User ]---",
            USER,
            "---[ Kernel ]---",
            "0x80000000-0x80000fff 4K k:RO u:-- x . dom 0 KERNEL WBWA global page",
            "0x80002000-0x87ffffff 131064K k:RW u:-- nx . dom 0 KERNEL WBWA global page",
        ]);
        let dumps = [with, without];
        let rows = rows(&dumps);
        let kinds: Vec<(u32, u32, RowKind)> =
            rows.iter().map(|row| (row.first, row.last, row.kind)).collect();
        assert_eq!(
            kinds,
            [
                (0x8000_0000, 0x8000_0fff, RowKind::Kernel),
                (0x8000_1000, 0x8000_1fff, RowKind::GuardPage),
                (0x8000_2000, 0x8000_2fff, RowKind::Kernel),
                (0x8000_3000, 0x8000_3fff, RowKind::OwnedFrames),
                (0x8000_4000, 0x87ff_ffff, RowKind::Kernel),
            ]
        );
        assert_eq!(counts(&dumps, &rows), (2, 1));
    }

    #[test]
    fn only_ram_is_drawn() {
        let kernel = dump(&[
            "---[ Kernel ]---",
            "0x80000000-0x87ffffff 131072K k:RW u:-- nx . dom 0 KERNEL WBWA global page",
            "0xe0001000-0xe0004fff 16K k:RW u:-- nx pxn dom 0 KERNEL WBWA global page",
        ]);
        let dumps = [kernel.clone(), kernel];
        let rows = rows(&dumps);
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].first, rows[0].last, rows[0].kind),
            (RAM_FIRST, RAM_END - 1, RowKind::Kernel)
        );
    }

    #[test]
    fn sizes_are_whole_mebibytes_or_kibibytes() {
        assert_eq!(size_text(4096), "4K");
        assert_eq!(size_text(1 << 20), "1M");
        assert_eq!(size_text(0x1_1000), "68K");
        assert_eq!(size_text(125_256 * 1024), "125256K");
    }
}
