//! Near matches for an id nobody has, so that "unknown id TASK-7k2qm" can add
//! "did you mean TASK-7k2mq?". Candidates share the input's prefix (`TASK-`)
//! and either start with the typed suffix (a shortened id) or are within two
//! edits of it (a typo, counting a swap of neighbours as one edit; fewer edits
//! for short input).

use super::Index;
use super::error::{Context, IndexError};
use super::row::parse_id;
use crate::model::RecordId;

const MAX_RESULTS: usize = 3;
/// Edits allowed for a typed suffix of this length: short suffixes are within
/// two edits of almost anything, so they only match as shortened ids.
fn max_edits(len: usize) -> usize {
    match len {
        0..=2 => 0,
        3..=4 => 1,
        _ => 2,
    }
}

impl Index {
    /// Up to three indexed ids that look like `input`, closest first.
    pub fn similar_ids(&self, input: &str) -> Result<Vec<RecordId>, IndexError> {
        let input = input.trim();
        let (prefix, suffix) = match input.rsplit_once('-') {
            Some((p, s)) => (Some(p.to_ascii_uppercase()), s.to_ascii_lowercase()),
            None => (None, input.to_ascii_lowercase()),
        };
        if suffix.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT id FROM records")
            .ctx("looking for similar ids")?;
        let ids: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .ctx("looking for similar ids")?;
        let mut scored: Vec<(usize, String)> = Vec::new();
        for id in ids {
            let Some((p, s)) = id.rsplit_once('-') else {
                continue;
            };
            if prefix.as_deref().is_some_and(|want| want != p) {
                continue;
            }
            let score = if s == suffix {
                // The input names this id exactly (case aside): not a "near" match
                // unless the caller typed a different prefix.
                if prefix.is_some() {
                    continue;
                }
                0
            } else if s.starts_with(&suffix) {
                1
            } else {
                match edit_distance(s, &suffix, max_edits(suffix.chars().count())) {
                    Some(0) => 1,
                    Some(d) => 1 + d,
                    None => continue,
                }
            };
            scored.push((score, id));
        }
        scored.sort();
        scored
            .into_iter()
            .take(MAX_RESULTS)
            .map(|(_, id)| parse_id(&id))
            .collect()
    }
}

/// Optimal-string-alignment distance between `a` and `b`, or `None` when it
/// exceeds `max` (checked early, so a long list of ids stays cheap).
fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    let mut rows = vec![vec![0usize; width]; a.len() + 1];
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        rows[i][0] = i;
        let mut row_min = rows[i][0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
    }
    let d = rows[a.len()][b.len()];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn distance_counts_swaps_as_one_edit() {
        assert_eq!(edit_distance("7k2mq", "7k2qm", 2), Some(1));
        assert_eq!(edit_distance("7k2mq", "7k2m", 2), Some(1));
        assert_eq!(edit_distance("abcde", "vwxyz", 2), None);
        assert_eq!(edit_distance("abc", "abc", 2), Some(0));
    }
}
