//! Claims on a shared git remote (`claims.remote`): one ref per claimed task,
//! `refs/orchestron/claims/<TASK-id>`, pointing at a small commit (empty tree)
//! whose message is the claim as JSON — holder, work tree, branch, lease. The
//! remote's ref update is the atomic step: a creation is pushed with
//! `--force-with-lease=<ref>:` (the ref must not exist), a renewal or a
//! takeover with `--force-with-lease=<ref>:<old>`, a release deletes it the
//! same way; receive-pack checks the old value under its ref lock, so of two
//! clones pushing at once exactly one wins. Reading is one fetch of every
//! claim ref into `refs/orchestron/remote-claims/<remote>/` (pruned), then
//! `for-each-ref` over that local copy. A closed task's ref may hold a closed
//! mark instead of a claim (docs/CLAIMS.md, "Closed elsewhere").

use super::GitError;
use super::cli::{command_error, run, spawn};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The ref namespace on the remote.
const CLAIMS_NS: &str = "refs/orchestron/claims";

/// A claim as the remote records it (the claim commit's message).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteClaim {
    pub holder: String,
    /// The work tree (on its own machine) the claim was taken in.
    pub worktree: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    pub since: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    pub lease_secs: i64,
    /// Set when the ref is a closed mark rather than a claim: the status the
    /// task was closed with (`holder` closed it at `since`; the mark lapses at
    /// `expires`). An older Orchestron reads it as a claim until then, which
    /// keeps the task from being handed out there too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<String>,
    /// Set when the ref records a claim another clone's forced write ended
    /// (an ended mark): who forced it, at `expires` (the claim is stale from
    /// then on, also to an older Orchestron). `holder` is the claim's holder,
    /// who is told when its clone next looks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_by: Option<String>,
}

/// A claim ref on the remote: its commit and what it says (`None` when the
/// message is not ours to read — it still holds the task).
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteEntry {
    pub sha: String,
    pub claim: Option<RemoteClaim>,
}

/// The claim refs of one remote, seen from the repository at `dir`.
#[derive(Debug, Clone)]
pub struct RemoteClaims<'a> {
    pub dir: &'a Path,
    pub remote: &'a str,
}

impl RemoteClaims<'_> {
    /// Every claim on the remote, by task id (one fetch, then local reads).
    pub fn fetch_all(&self) -> Result<BTreeMap<String, RemoteEntry>, GitError> {
        self.fetch()?;
        self.read()
    }

    /// Fetches every claim ref into the clone's copy (pruned).
    pub fn fetch(&self) -> Result<(), GitError> {
        let local_ns = self.local_ns();
        let refspec = format!("+{CLAIMS_NS}/*:{local_ns}/*");
        let args = [
            "fetch",
            "--quiet",
            "--prune",
            "--no-tags",
            "--no-write-fetch-head",
            self.remote,
            &refspec,
        ];
        let out = spawn(self.dir, &args)?;
        if !out.status.success() {
            return Err(self.unreachable(&out));
        }
        Ok(())
    }

    /// The claims as last fetched (or pushed from here), by task id: no
    /// network.
    pub fn read(&self) -> Result<BTreeMap<String, RemoteEntry>, GitError> {
        let local_ns = self.local_ns();
        let format = "%(refname)%00%(objectname)%00%(contents)%00%00";
        let out = run(
            self.dir,
            &["for-each-ref", &format!("--format={format}"), &local_ns],
        )?;
        let text = String::from_utf8_lossy(&out.stdout);
        let prefix = format!("{local_ns}/");
        let mut claims = BTreeMap::new();
        for rec in text.split("\0\0\n").filter(|r| !r.trim().is_empty()) {
            let mut parts = rec.trim_start_matches('\n').splitn(3, '\0');
            let (Some(name), Some(sha)) = (parts.next(), parts.next()) else {
                continue;
            };
            let Some(id) = name.strip_prefix(&prefix) else {
                continue;
            };
            let claim = parts
                .next()
                .and_then(|m| serde_json::from_str(m.trim()).ok());
            claims.insert(
                id.to_string(),
                RemoteEntry {
                    sha: sha.to_string(),
                    claim,
                },
            );
        }
        Ok(claims)
    }

    /// Points the claim ref of `id` at a new claim commit, if the remote still
    /// has `expected` there (`None`: no claim yet). `Ok(Some(sha))` when it
    /// did, `Ok(None)` when another clone got there first.
    pub fn write(
        &self,
        id: &str,
        expected: Option<&str>,
        claim: &RemoteClaim,
    ) -> Result<Option<String>, GitError> {
        let sha = self.claim_commit(claim)?;
        let dst = format!("{CLAIMS_NS}/{id}");
        let won = self.push(&dst, expected.unwrap_or(""), &format!("{sha}:{dst}"))?;
        if won {
            self.copy(id, Some(&sha))?;
        }
        Ok(won.then_some(sha))
    }

    /// Deletes the claim ref of `id` if it still points at `expected`; `false`
    /// when it no longer does (taken over, or already gone).
    pub fn delete(&self, id: &str, expected: &str) -> Result<bool, GitError> {
        let dst = format!("{CLAIMS_NS}/{id}");
        let done = self.push(&dst, expected, &format!(":{dst}"))?;
        if done {
            self.copy(id, None)?;
        }
        Ok(done)
    }

    /// Keeps the clone's copy of the claim refs in step with a push of ours
    /// (a push does not update it), so that reads between fetches see what
    /// this clone did.
    fn copy(&self, id: &str, sha: Option<&str>) -> Result<(), GitError> {
        let local = format!("{}/{id}", self.local_ns());
        match sha {
            Some(sha) => run(self.dir, &["update-ref", &local, sha]),
            None => run(self.dir, &["update-ref", "-d", &local]),
        }
        .map(|_| ())
    }

    /// `git push --porcelain --force-with-lease=<dst>:<expected>`: `true`
    /// when the ref was updated, `false` when the remote refused it (the
    /// lease did not hold), an error when the remote could not be reached.
    fn push(&self, dst: &str, expected: &str, refspec: &str) -> Result<bool, GitError> {
        let lease = format!("--force-with-lease={dst}:{expected}");
        let args = [
            "push",
            // Not --quiet: it drops the porcelain line of a ref that was updated.
            "--porcelain",
            "--no-verify",
            &lease,
            self.remote,
            refspec,
        ];
        let out = spawn(self.dir, &args)?;
        // --porcelain prints one line per ref: `*`/`+`/`-`/` ` done, `!`
        // refused; no line for the ref at all means we never got that far.
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout
            .lines()
            .find(|l| l.split('\t').nth(1).is_some_and(|r| r.ends_with(dst)));
        match line.and_then(|l| l.chars().next()) {
            Some('!') => Ok(false),
            Some(_) if out.status.success() => Ok(true),
            Some(_) => Err(command_error(&args, &out)),
            None => Err(self.unreachable(&out)),
        }
    }

    /// A commit of the empty tree whose message is `claim` as JSON. Its
    /// author is fixed: the holder is in the message, and a clone without
    /// `user.name` can still claim.
    fn claim_commit(&self, claim: &RemoteClaim) -> Result<String, GitError> {
        let tree = run(self.dir, &["mktree"])?;
        let tree = String::from_utf8_lossy(&tree.stdout).trim().to_string();
        let message = serde_json::to_string(claim).map_err(|e| GitError::Read {
            context: "encoding a claim".into(),
            message: e.to_string(),
        })?;
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(self.dir)
            .args(["commit-tree", &tree, "-m", &message])
            .env("GIT_OPTIONAL_LOCKS", "0")
            .env("GIT_AUTHOR_NAME", "orchestron")
            .env("GIT_AUTHOR_EMAIL", "orchestron@localhost")
            .env("GIT_COMMITTER_NAME", "orchestron")
            .env("GIT_COMMITTER_EMAIL", "orchestron@localhost")
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|source| GitError::Spawn {
                args: "commit-tree".into(),
                source,
            })?;
        if !out.status.success() {
            return Err(command_error(&["commit-tree", &tree], &out));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    fn local_ns(&self) -> String {
        format!("refs/orchestron/remote-claims/{}", self.remote)
    }

    fn unreachable(&self, out: &std::process::Output) -> GitError {
        let stderr = String::from_utf8_lossy(&out.stderr);
        GitError::Unreachable {
            remote: self.remote.to_string(),
            stderr: stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("no answer")
                .trim()
                .to_string(),
        }
    }
}
