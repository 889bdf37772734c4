//! The lines of a record file's text, for the readers that walk it line
//! by line (the fast reader of the renderer's layout, the top-level keys):
//! what `str::split('\n')` gives, each end found by `memchr` (the char
//! search `split` and `str::lines` make was a tenth of a task's parsing,
//! most of it starting up on short lines).

/// The lines of a text, split at `\n` (a `\r` before it stays).
pub(super) struct LineSplit<'a>(Option<&'a str>);

impl<'a> LineSplit<'a> {
    pub(super) fn of(text: &'a str) -> LineSplit<'a> {
        LineSplit(Some(text))
    }
}

impl<'a> Iterator for LineSplit<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let rest = self.0?;
        match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(end) => {
                self.0 = Some(&rest[end + 1..]);
                Some(&rest[..end])
            }
            None => self.0.take(),
        }
    }
}
