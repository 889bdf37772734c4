//! The merge driver against random concurrent edits (see `merge_sim`): it
//! merges every pair and loses nothing, and the file layout keeps most plain
//! line merges clean. The full tables: `cargo bench --bench
//! merge_fractions`.

use crate::merge_sim::{LISTED_KINDS, measure, pct, report};

#[test]
fn the_driver_merges_every_pair_and_the_layout_keeps_plain_merges_mostly_clean() {
    let t = measure(0x0c4e_57a0, 300, LISTED_KINDS);
    assert_eq!(t.driver_clean, t.pairs, "the driver merges every pair");
    assert_eq!(t.driver_lost, 0, "the driver never drops an entry");
    assert!(pct(t.plain_clean, t.pairs) >= 60.0, "{}", report(&t));
    assert!(
        pct(t.plain_clean_disjoint, t.disjoint) >= 85.0,
        "{}",
        report(&t)
    );
    assert!(t.updated_clean < t.plain_clean / 4, "{}", report(&t));
}
