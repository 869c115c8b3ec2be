//! The text and Markdown reports: the counts land in the right rows and columns, the ratios
//! and limits are exact, and each target is judged right on both sides of its limit.

use std::path::Path;

use docgen::bench::targets::{self, Verdict};
use docgen::bench::{Metrics, report, table};

/// The metrics of a fixture in `tests/fixtures`.
fn fixture(name: &str) -> Metrics {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    let bytes = std::fs::read(&path).expect("the fixture is readable");
    Metrics::from_json(&bytes).expect("the fixture is valid")
}

/// The metrics of the full fixture with some counts replaced (or added).
fn fixture_with(changes: &[(&str, u64)]) -> Metrics {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bench.json");
    let text = std::fs::read_to_string(path).expect("the fixture is readable");
    let mut object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).expect("the fixture is an object");
    for (name, value) in changes {
        object.insert((*name).to_owned(), (*value).into());
    }
    let bytes = serde_json::to_vec(&object).expect("serializable");
    Metrics::from_json(&bytes).expect("still valid")
}

/// The text report of some metrics.
fn text(metrics: &Metrics) -> String {
    table::text(&report::build(metrics))
}

/// The whitespace-separated words of the first line of `text` whose first word is `first`.
fn row<'a>(text: &'a str, first: &str) -> Vec<&'a str> {
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .find(|words| words.first() == Some(&first))
        .unwrap_or_else(|| panic!("no row starts with {first} in:\n{text}"))
}

/// The lines of the text report's section titled `title`, up to the next blank line.
fn section<'a>(text: &'a str, title: &str) -> Vec<&'a str> {
    text.split("\n\n")
        .find(|block| block.lines().next() == Some(title))
        .unwrap_or_else(|| panic!("no section {title} in:\n{text}"))
        .lines()
        .collect()
}

#[test]
fn the_text_report_shows_every_count_in_its_row() {
    let report = text(&fixture("bench.json"));
    assert_eq!(row(&report, "window_open_close")[1], "6");
    assert_eq!(row(&report, "get_user")[1], "21");
    assert_eq!(row(&report, "put_user")[1], "19");
    assert_eq!(row(&report, "null_syscall_pan_on")[1], "139");
    assert_eq!(row(&report, "null_syscall_pan_off")[1], "135");
    assert_eq!(row(&report, "invariant_checks")[1], "18");
    assert_eq!(row(&report, "write_4096")[1], "2214");
    assert_eq!(row(&report, "read_4096")[1], "2266");
    assert_eq!(row(&report, "context_switch")[1], "312");
    assert_eq!(row(&report, "boot_to_user")[1], "1843207");
    // 139 - 135.
    assert_eq!(row(&report, "pan")[..5], ["pan", "on", "-", "pan", "off"]);
    assert_eq!(row(&report, "pan")[5], "4");
}

#[test]
fn the_signal_and_execve_figures_are_system_call_rows_with_what_they_measure() {
    let report = text(&fixture("bench.json"));
    let calls = section(&report, "System calls and scheduling").join("\n");
    let signal = row(&calls, "signal_round_trip");
    assert_eq!(signal[1..3], ["7904", "kill"], "{calls}");
    let execve = row(&calls, "execve");
    assert_eq!(execve[1..3], ["165210", "execve"], "{calls}");
    assert!(!report.contains("Other metrics"), "{report}");
}

#[test]
fn the_copy_rows_hold_the_counts_the_ratio_and_pan_off() {
    let report = text(&fixture("bench.json"));
    // bytes, copy_from_user, copy_to_user, memcpy, ratio, from pan=off, to pan=off,
    // clear_user, then Linux's copy_from_user, memcpy and clear_user (docgen::bench::linux).
    assert_eq!(
        row(&report, "8"),
        ["8", "47", "45", "26", "1.81", "47", "45", "30", "47", "34", "-"]
    );
    assert_eq!(
        row(&report, "64"),
        ["64", "79", "77", "58", "1.36", "79", "77", "40", "59", "46", "-"]
    );
    // 562 / 600 = 0.9367, 8754 / 9240 = 0.9474.
    assert_eq!(
        row(&report, "4096"),
        ["4096", "562", "560", "600", "0.94", "562", "560", "300", "694", "681", "2085"]
    );
    assert_eq!(
        row(&report, "65536"),
        ["65536", "8754", "8752", "9240", "0.95", "8754", "8752", "4500", "10294", "10281", "-"]
    );
}

#[test]
fn the_sections_come_in_order_and_the_columns_line_up() {
    let report = text(&fixture("bench.json"));
    let titles = [
        "Uaccess window and single accesses",
        "Copies (instructions per copy)",
        "System calls and scheduling",
        "Boot",
        "Targets",
    ];
    let positions: Vec<usize> = titles
        .iter()
        .map(|title| report.find(&format!("\n{title}\n")).expect("the section is there"))
        .collect();
    assert!(positions.windows(2).all(|pair| pair[0] < pair[1]), "{report}");
    assert!(!report.contains("Other metrics"));
    // Right-aligned numbers end in the same column as their header.
    let copies = section(&report, "Copies (instructions per copy)");
    let header_end = copies[1].find("memcpy").expect("a memcpy column") + "memcpy".len();
    for line in &copies[3..] {
        assert_eq!(nth_word_end(line, 3), header_end, "{line}");
    }
    assert!(report.lines().all(|line| line == line.trim_end()), "no trailing blanks");
}

/// Where the `index`th whitespace-separated word of `line` ends.
fn nth_word_end(line: &str, index: usize) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for (at, character) in line.char_indices() {
        if character.is_whitespace() {
            if in_word {
                if count == index {
                    return at;
                }
                count += 1;
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    line.len()
}

#[test]
fn the_fixture_meets_every_target() {
    let report = text(&fixture("bench.json"));
    let targets = section(&report, "Targets");
    let window = targets[3].split_whitespace().collect::<Vec<_>>();
    assert_eq!(window[..6], ["window_open_close", "<=", "6", "6", "6", "met"]);
    let copy = targets[4].split_whitespace().collect::<Vec<_>>();
    assert_eq!(
        copy[..8],
        ["copy_from_user_4096", "<=", "1.02", "x", "memcpy_4096", "562", "612.00", "met"]
    );
    let syscall = targets[5].split_whitespace().collect::<Vec<_>>();
    assert_eq!(
        syscall[..7],
        ["null_syscall_pan_on", "-", "null_syscall_pan_off", "<=", "5", "4", "5"]
    );
    assert_eq!(syscall[7], "met");
    let ahead: Vec<Vec<&str>> =
        targets[6..11].iter().map(|line| line.split_whitespace().collect()).collect();
    assert_eq!(ahead[0][..6], ["null_syscall_pan_on", "<=", "140", "139", "140", "met"]);
    assert_eq!(ahead[1][..6], ["memcpy_8", "<=", "34", "26", "34", "met"]);
    assert_eq!(ahead[2][..6], ["memcpy_4096", "<=", "681", "600", "681", "met"]);
    assert_eq!(ahead[3][..6], ["memcpy_65536", "<=", "10281", "9240", "10281", "met"]);
    assert_eq!(ahead[4][..6], ["clear_user_4096", "<", "2085", "300", "2084", "met"]);
    assert!(report.ends_with("\n8 of 8 targets met.\n"), "{report}");
    assert!(!report.contains("missed"));
}

#[test]
fn a_run_over_the_limits_is_reported_as_missed() {
    let metrics = fixture("bench-missed.json");
    let report = text(&metrics);
    let targets = section(&report, "Targets");
    let verdicts: Vec<Vec<&str>> =
        targets[3..].iter().map(|line| line.split_whitespace().collect()).collect();
    // window 8 > 6; 640 > 1.02 x 600 = 612.00; 151 - 142 = 9 > 5; 151 > 140; no clear_user.
    assert_eq!(verdicts[0][3..6], ["8", "6", "missed"]);
    assert_eq!(verdicts[1][5..8], ["640", "612.00", "missed"]);
    assert_eq!(verdicts[2][5..8], ["9", "5", "missed"]);
    assert_eq!(verdicts[3][3..6], ["151", "140", "missed"]);
    assert_eq!(verdicts[7][3..7], ["-", "2084", "not", "measured"]);
    assert!(report.ends_with(
        "\n3 of 8 targets met; missed: window_open_close <= 6, copy_from_user_4096 <= 1.02 x \
         memcpy_4096, null_syscall_pan_on - null_syscall_pan_off <= 5, null_syscall_pan_on <= \
         140; not measured: clear_user_4096 < 2085.\n"
    ));
}

#[test]
fn each_target_holds_at_its_limit_and_fails_one_past_it() {
    let verdicts = |changes: &[(&str, u64)]| -> Vec<Verdict> {
        targets::evaluate(&fixture_with(changes)).iter().map(|target| target.verdict).collect()
    };
    use Verdict::{Met, Missed};
    assert_eq!(verdicts(&[("window_open_close", 6)])[0], Met);
    assert_eq!(verdicts(&[("window_open_close", 7)])[0], Missed);
    // 1.02 x 600 = 612 exactly.
    assert_eq!(verdicts(&[("copy_from_user_4096", 612)])[1], Met);
    assert_eq!(verdicts(&[("copy_from_user_4096", 613)])[1], Missed);
    // 1.02 x 601 = 613.02: 613 fits, 614 does not.
    assert_eq!(verdicts(&[("memcpy_4096", 601), ("copy_from_user_4096", 613)])[1], Met);
    assert_eq!(verdicts(&[("memcpy_4096", 601), ("copy_from_user_4096", 614)])[1], Missed);
    assert_eq!(verdicts(&[("null_syscall_pan_on", 140)])[2], Met);
    assert_eq!(verdicts(&[("null_syscall_pan_on", 141)])[2], Missed);
    // Ahead of Linux: a null system call, memcpy at three sizes, clear_user.
    assert_eq!(verdicts(&[("null_syscall_pan_on", 140)])[3], Met);
    assert_eq!(verdicts(&[("null_syscall_pan_on", 141), ("null_syscall_pan_off", 141)])[3], Missed);
    assert_eq!(verdicts(&[("memcpy_8", 34)])[4], Met);
    assert_eq!(verdicts(&[("memcpy_8", 35)])[4], Missed);
    assert_eq!(verdicts(&[("memcpy_4096", 681), ("copy_from_user_4096", 600)])[5], Met);
    assert_eq!(verdicts(&[("memcpy_4096", 682), ("copy_from_user_4096", 600)])[5], Missed);
    assert_eq!(verdicts(&[("memcpy_65536", 10281)])[6], Met);
    assert_eq!(verdicts(&[("memcpy_65536", 10282)])[6], Missed);
    assert_eq!(verdicts(&[("clear_user_4096", 2084)])[7], Met);
    assert_eq!(verdicts(&[("clear_user_4096", 2085)])[7], Missed);
}

#[test]
fn the_copy_limit_is_printed_exactly() {
    let metrics = fixture_with(&[("memcpy_4096", 601)]);
    let copy = &targets::evaluate(&metrics)[1];
    assert_eq!(copy.limit, "613.02");
}

#[test]
fn pan_off_slower_than_pan_on_gives_a_negative_difference_that_meets_the_target() {
    let metrics = fixture_with(&[("null_syscall_pan_off", 142)]);
    let report = text(&metrics);
    assert_eq!(row(&report, "pan")[5], "-3");
    assert_eq!(targets::evaluate(&metrics)[2].verdict, Verdict::Met);
}

#[test]
fn ratios_round_half_up_and_a_zero_memcpy_has_none() {
    let report = text(&fixture_with(&[("copy_from_user_8", 1), ("memcpy_8", 8)]));
    // 1 / 8 = 0.125.
    assert_eq!(row(&report, "8")[4], "0.13");
    let report = text(&fixture_with(&[("memcpy_64", 0)]));
    assert_eq!(row(&report, "64")[3..5], ["0", "-"]);
}

#[test]
fn optional_counts_that_were_not_measured_show_as_a_dash() {
    let report = text(&fixture("bench-minimal.json"));
    assert_eq!(row(&report, "8"), ["8", "-", "-", "-", "-", "-", "-", "-", "47", "34", "-"]);
    assert_eq!(
        row(&report, "4096"),
        ["4096", "562", "-", "600", "0.94", "-", "-", "-", "694", "681", "2085"]
    );
    for name in [
        "invariant_checks",
        "write_4096",
        "read_4096",
        "context_switch",
        "signal_round_trip",
        "execve",
    ] {
        assert_eq!(row(&report, name)[1], "-", "{name}");
    }
    assert!(
        report.ends_with(
            "\n5 of 8 targets met; missed: null_syscall_pan_on <= 140; not measured: memcpy_8 \
             <= 34, clear_user_4096 < 2085.\n"
        ),
        "{report}"
    );
}

#[test]
fn unknown_metrics_are_listed_apart_sorted_by_name() {
    let report = text(&fixture("bench-missed.json"));
    let other = section(&report, "Other metrics");
    let rows: Vec<Vec<&str>> =
        other[3..].iter().map(|line| line.split_whitespace().collect()).collect();
    assert_eq!(rows, [["fixup_data_abort", "96"], ["memcpy_4096_pan_off", "600"]]);
}

#[test]
fn the_markdown_has_the_same_numbers_in_github_tables() {
    let metrics = fixture("bench.json");
    let markdown = table::markdown(&report::build(&metrics));
    assert_eq!(markdown, table::markdown(&report::build(&metrics)), "deterministic");
    for heading in [
        "### Uaccess window and single accesses",
        "### Copies (instructions per copy)",
        "### System calls and scheduling",
        "### Boot",
        "### Targets",
    ] {
        assert!(markdown.contains(&format!("\n{heading}\n\n|")), "{heading}");
    }
    assert!(markdown.contains(
        "\n| metric | instructions | measures | Linux 6.1 |\n| --- | ---: | --- | ---: |\n"
    ));
    assert!(markdown.contains("\n| `window_open_close` | 6 | "));
    assert!(
        markdown
            .contains("\n| 4096 | 562 | 560 | 600 | 0.94 | 562 | 560 | 300 | 694 | 681 | 2085 |\n")
    );
    assert!(markdown.contains("\n| `boot_to_user` | 1843207 | "));
    assert!(
        markdown
            .contains("\n| `copy_from_user_4096 <= 1.02 x memcpy_4096` | 562 | 612.00 | met | ")
    );
    assert!(markdown.ends_with("\n8 of 8 targets met.\n"));
    // Every table row has as many cells as its header.
    for table in markdown.split("\n\n").filter(|block| block.starts_with('|')) {
        let cells: Vec<usize> = table.lines().map(|line| line.matches(" |").count()).collect();
        assert!(cells.iter().all(|count| *count == cells[0]), "{table}");
    }
}

#[test]
fn markdown_keeps_odd_metric_names_inside_their_cell() {
    let metrics = fixture_with(&[("odd|name", 1), ("with`tick", 2), ("two\nlines", 3)]);
    let markdown = table::markdown(&report::build(&metrics));
    assert!(markdown.contains("\n| `odd\\|name` | 1 |\n"), "{markdown}");
    assert!(markdown.contains("\n| `two\\nlines` | 3 |\n"), "{markdown}");
    assert!(markdown.contains("\n| with\\`tick | 2 |\n"), "{markdown}");
    assert!(table::text(&report::build(&metrics)).contains("\n  two\\nlines"));
}

#[test]
fn the_seccomp_targets_appear_with_the_figures_and_hold_at_their_limits() {
    assert_eq!(targets::evaluate(&fixture_with(&[])).len(), 8, "no seccomp figures, no target");
    // RET alone 100; 1024 instructions at 10.00 each: 10340 is 10.00, 10346 rounds to 10.01.
    let seccomp = |allow_all: u64, jump: u64| {
        let metrics = fixture_with(&[
            ("null_syscall_before_seccomp_allow_all", 170),
            ("null_syscall_seccomp_allow_all", allow_all),
            ("seccomp_filter_return", 100),
            ("seccomp_filter_alu", 7268),
            ("seccomp_filter_load", 8292),
            ("seccomp_filter_jump", jump),
        ]);
        let judged = targets::evaluate(&metrics);
        assert_eq!(judged.len(), 10);
        (judged[8].verdict, judged[9].verdict, judged[9].measured.clone())
    };
    use Verdict::{Met, Missed};
    assert_eq!(seccomp(195, 10340), (Met, Met, "10.00".to_owned()));
    assert_eq!(seccomp(196, 10346), (Missed, Missed, "10.01".to_owned()));
    let partial = fixture_with(&[("null_syscall_seccomp_allow_all", 180)]);
    let judged = targets::evaluate(&partial);
    assert_eq!(
        (judged[8].verdict, judged[9].verdict),
        (Verdict::NotMeasured, Verdict::NotMeasured)
    );
}
