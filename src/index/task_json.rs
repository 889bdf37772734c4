//! A task's record JSON written out by hand: the bytes `serde_json` writes
//! for `Record::Task` (field order, `null`s, the skipped empty `started` /
//! `closed` / `external`, its escapes, chrono's RFC 3339 timestamps), at a
//! fraction of the cost. A rebuild encodes every task on the parsing threads,
//! and serde spent a fifth of their time there (per callgrind): each string
//! escaped a byte at a time, each timestamp a character at a time through
//! `fmt`. Here a string with nothing to escape is copied whole and a
//! timestamp is written from its digits. The tests hold it to `serde_json`
//! on generated tasks; the destructuring below makes a new `Task` field a
//! compile error here rather than a silent difference.

use crate::model::{Criterion, Entry, Task};
use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};

/// The JSON `serde_json::to_string(&Record::Task(task))` writes.
pub fn task_json(task: &Task) -> String {
    let Task {
        id,
        title,
        status,
        kind,
        priority,
        parent,
        assignee,
        created,
        progress,
        estimate,
        sprint,
        labels,
        depends_on,
        started,
        closed,
        external,
        description,
        acceptance_criteria,
        clarifications,
        notes,
    } = task;
    let mut out = Json(String::with_capacity(256 + text_len(task)));
    out.key_first("id");
    out.string(id.as_str());
    out.key("title");
    out.string(title);
    out.key("status");
    out.string(status.as_str());
    out.key("type");
    out.string(kind.as_str());
    out.key("priority");
    out.string(priority.as_str());
    out.key("parent");
    out.option(parent.as_ref().map(|p| p.as_str()));
    out.key("assignee");
    out.option(assignee.as_deref());
    out.key("created");
    out.time(created);
    out.key("progress");
    out.number(u64::from(*progress));
    out.key("estimate");
    match estimate {
        Some(n) => out.number(u64::from(*n)),
        None => out.0.push_str("null"),
    }
    out.key("sprint");
    out.option(sprint.as_ref().map(|s| s.as_str()));
    out.key("labels");
    out.strings(labels.iter().map(String::as_str));
    out.key("depends_on");
    out.strings(depends_on.iter().map(|d| d.as_str()));
    for (key, time) in [("started", started), ("closed", closed)] {
        if let Some(time) = time {
            out.key(key);
            out.time(time);
        }
    }
    if let Some(external) = external {
        out.key("external");
        out.string(external);
    }
    out.key("description");
    out.option(description.as_deref());
    out.key("acceptance_criteria");
    out.criteria(acceptance_criteria);
    for (key, entries) in [("clarifications", clarifications), ("notes", notes)] {
        out.key(key);
        out.entries(entries);
    }
    out.0.push('}');
    out.0
}

/// The bytes of a task's free text, to size the output once.
fn text_len(task: &Task) -> usize {
    let entries = |e: &[Entry]| {
        e.iter()
            .map(|e| e.by.len() + e.text.len() + 64)
            .sum::<usize>()
    };
    task.title.len()
        + task.description.as_ref().map_or(0, String::len)
        + task.labels.iter().map(|l| l.len() + 3).sum::<usize>()
        + task.depends_on.len() * 16
        + task
            .acceptance_criteria
            .iter()
            .map(|c| c.text.len() + 24)
            .sum::<usize>()
        + entries(&task.clarifications)
        + entries(&task.notes)
}

/// The output, with one writer per JSON shape a task uses.
struct Json(String);

impl Json {
    fn key_first(&mut self, key: &str) {
        self.0.push_str("{\"");
        self.0.push_str(key);
        self.0.push_str("\":");
    }

    fn key(&mut self, key: &str) {
        self.0.push_str(",\"");
        self.0.push_str(key);
        self.0.push_str("\":");
    }

    /// A JSON string, escaped as `serde_json` escapes: `\"`, `\\`, the
    /// short forms of `\b \f \n \r \t`, `\u00XX` for the other control
    /// characters; everything else as is.
    fn string(&mut self, s: &str) {
        self.0.push('"');
        // One test of every byte (the compiler makes it vector code);
        // nearly every string passes and is copied whole.
        let plain = s.bytes().fold(true, |ok, b| ok & !needs_escape(b));
        if plain {
            self.0.push_str(s);
        } else {
            self.escaped(s);
        }
        self.0.push('"');
    }

    fn escaped(&mut self, s: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut start = 0;
        for (i, b) in s.bytes().enumerate() {
            if !needs_escape(b) {
                continue;
            }
            self.0.push_str(&s[start..i]);
            start = i + 1;
            match b {
                b'"' => self.0.push_str("\\\""),
                b'\\' => self.0.push_str("\\\\"),
                0x08 => self.0.push_str("\\b"),
                0x0c => self.0.push_str("\\f"),
                b'\n' => self.0.push_str("\\n"),
                b'\r' => self.0.push_str("\\r"),
                b'\t' => self.0.push_str("\\t"),
                _ => {
                    self.0.push_str("\\u00");
                    self.0.push(char::from(HEX[usize::from(b >> 4)]));
                    self.0.push(char::from(HEX[usize::from(b & 0xf)]));
                }
            }
        }
        self.0.push_str(&s[start..]);
    }

    fn option(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.string(s),
            None => self.0.push_str("null"),
        }
    }

    fn strings<'a>(&mut self, items: impl Iterator<Item = &'a str>) {
        self.0.push('[');
        for (i, s) in items.enumerate() {
            if i > 0 {
                self.0.push(',');
            }
            self.string(s);
        }
        self.0.push(']');
    }

    fn criteria(&mut self, items: &[Criterion]) {
        self.0.push('[');
        for (i, Criterion { text, done }) in items.iter().enumerate() {
            if i > 0 {
                self.0.push(',');
            }
            self.key_first("text");
            self.string(text);
            self.key("done");
            self.0.push_str(if *done { "true" } else { "false" });
            self.0.push('}');
        }
        self.0.push(']');
    }

    fn entries(&mut self, items: &[Entry]) {
        self.0.push('[');
        for (i, Entry { at, by, text }) in items.iter().enumerate() {
            if i > 0 {
                self.0.push(',');
            }
            self.key_first("at");
            self.time(at);
            self.key("by");
            self.string(by);
            self.key("text");
            self.string(text);
            self.0.push('}');
        }
        self.0.push(']');
    }

    fn number(&mut self, n: u64) {
        super::row::push_decimal(&mut self.0, n);
    }

    /// A timestamp as chrono serializes it (`to_rfc3339_opts(AutoSi,
    /// true)`): whole seconds, or 3, 6 or 9 digits of fraction, and `Z`.
    /// Years outside 0–9999 and leap seconds are left to chrono.
    fn time(&mut self, t: &DateTime<Utc>) {
        self.0.push('"');
        let year = t.year();
        let nano = t.nanosecond();
        if !(0..=9999).contains(&year) || nano >= 1_000_000_000 {
            self.0
                .push_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true));
            self.0.push('"');
            return;
        }
        // Each part is below 10,000: the casts cannot truncate.
        let year = year as u32;
        self.digits(year / 100, 2);
        self.digits(year % 100, 2);
        self.0.push('-');
        self.digits(t.month(), 2);
        self.0.push('-');
        self.digits(t.day(), 2);
        self.0.push('T');
        self.digits(t.hour(), 2);
        self.0.push(':');
        self.digits(t.minute(), 2);
        self.0.push(':');
        self.digits(t.second(), 2);
        if nano != 0 {
            let (fraction, width) = if nano.is_multiple_of(1_000_000) {
                (nano / 1_000_000, 3)
            } else if nano.is_multiple_of(1_000) {
                (nano / 1_000, 6)
            } else {
                (nano, 9)
            };
            self.0.push('.');
            self.digits(fraction, width);
        }
        self.0.push_str("Z\"");
    }

    /// `n` in exactly `width` (≤ 9) decimal digits (`n` fits in them).
    fn digits(&mut self, n: u32, width: usize) {
        let mut out = [b'0'; 9];
        let mut n = n;
        for d in out[..width].iter_mut().rev() {
            // A digit is below 10: the cast cannot truncate.
            *d += (n % 10) as u8;
            n /= 10;
        }
        for &d in &out[..width] {
            self.0.push(char::from(d));
        }
    }
}

/// Whether `serde_json` writes byte `b` of a string as an escape.
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

#[cfg(test)]
mod tests;
