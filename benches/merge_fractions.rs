//! The clean-merge measurement quoted in docs/GIT.md: 2,000 seeded pairs of
//! random concurrent edits to one task file, merged by plain `git merge-file`
//! and by the Orchestron merge driver (the generator is
//! `tests/it/merge_sim.rs`, shared with the test that asserts lower bounds).
//!
//! `cargo bench --bench merge_fractions` (a bench target, so `cargo test` does not build it)

// A benchmark is a measurement harness like a test: a failed setup step is a
// failed run, so it may panic (the crate's `[lints]` deny this for src only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/it/merge_sim.rs"]
mod merge_sim;
#[path = "../tests/it/rng.rs"]
mod rng;

use merge_sim::{KINDS, LISTED_KINDS, base_task, edit_kind, measure, pct, report};
use orchestron::api::Orchestron;
use orchestron::model::render;
use rng::Rng;

fn main() {
    println!("## The listed edit kinds (2,000 pairs)\n");
    println!("{}\n", report(&measure(0x0c4e_57a0, 2_000, LISTED_KINDS)));
    // With `depends_on` edits too, for a fair comparison of the layout
    // candidate (which puts `labels` next to `depends_on`).
    println!("## With depends_on edits (2,000 pairs)\n");
    println!("{}\n", report(&measure(0x0c4e_57a0, 2_000, KINDS.len())));
    // Which combinations of one edit per side the layout cannot keep apart.
    println!("## Plain-merge clean fraction by pair of edit kinds\n");
    println!("{}", plain_conflicts_by_pair_of_edit_kinds());
}

/// Plain-merge conflicts by pair of edit kinds (one edit per side), to see which
/// combinations the layout cannot keep apart.
fn plain_conflicts_by_pair_of_edit_kinds() -> String {
    let mut rng = Rng(7);
    let mut out = String::new();
    for (a, name_a) in KINDS.iter().enumerate() {
        for (b, name_b) in KINDS.iter().enumerate().skip(a) {
            let mut clean = 0;
            let n = 60;
            for _ in 0..n {
                let base = base_task(&mut rng);
                let base_text = render::task(&base, "");
                let mut o = base.clone();
                edit_kind(&mut rng, &mut o, a);
                let mut t = base.clone();
                edit_kind(&mut rng, &mut t, b);
                let (ot, tt) = (
                    Orchestron::edited_task_text(&base_text, &base, &o),
                    Orchestron::edited_task_text(&base_text, &base, &t),
                );
                let m = Orchestron::merge_lines(&ot, &base_text, &tt).unwrap();
                if m.conflicts == 0 && Orchestron::parse_task_text(&m.text).is_ok() {
                    clean += 1;
                }
            }
            out.push_str(&format!(
                "{:>13} × {:<13} {:>5.1}%\n",
                name_a,
                name_b,
                pct(clean, n)
            ));
        }
    }
    out
}
