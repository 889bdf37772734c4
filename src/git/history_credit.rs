//! Who last changed a file, for the change feed's credit: the walk from HEAD
//! back to the commit that gave each file its current content. A file is
//! looked up by its path, tree by tree (the folders on its way), not by
//! listing HEAD's whole workspace tree, unless many files are asked about at
//! once (a pull, a checkout), where one listing per commit is cheaper. A
//! file whose content git has never stored cannot be what HEAD holds, and
//! costs no tree read at all.

use super::GitError;
use super::error::Context;
use super::history::under;
use super::repo::GitRepo;
use gix::ObjectId;
use std::collections::{BTreeMap, HashMap};

/// Above this many files to look up, a commit's whole tree under the prefix
/// is listed once instead of each file's path being followed (measured in
/// docs/PERFORMANCE.md, "Run 9, the credit of a change").
const WHOLE_TREE_AT: usize = 16;

/// How many bytes of inflated trees the walk keeps before starting afresh.
const TREE_CACHE_BYTES: usize = 64 << 20;

/// One commit as the authorship walk needs it: parents, author, its root tree,
/// the tree of the directory being examined, and (read only when needed) the
/// blobs under it — all of them, or those of the paths looked up so far.
struct WalkCommit {
    parents: Vec<ObjectId>,
    author: String,
    tree: ObjectId,
    dir: Option<ObjectId>,
    blobs: Option<BTreeMap<String, ObjectId>>,
    looked_up: HashMap<String, Option<ObjectId>>,
}

/// What the walk has read: commits, and inflated trees by id (a folder's tree
/// is shared by the commits that did not change it).
#[derive(Default)]
struct WalkCache {
    commits: HashMap<ObjectId, WalkCommit>,
    trees: HashMap<ObjectId, Vec<u8>>,
    tree_bytes: usize,
    /// List each commit's whole tree instead of following paths.
    whole: bool,
}

impl GitRepo {
    /// For each file (a path relative to the repository root under `prefix`, with
    /// its current content, `None` when deleted) whose content is exactly what
    /// HEAD holds — it arrived through git (a pull, a merge, a checkout) — the
    /// author of the newest commit that gave it that content or removed it.
    /// Merges are followed as git's history simplification does (a merge that
    /// took the file unchanged from one parent is skipped for that parent), so a
    /// `git pull` credits the teammate who made the change, not whoever merged.
    /// Files with uncommitted content are left out. Commits are read once for all
    /// files, at most `limit` steps per file; a commit whose `prefix` directory is
    /// the same tree as its parent's costs no directory read.
    pub fn last_change_authors(
        &self,
        prefix: &str,
        files: &[(String, Option<Vec<u8>>)],
        limit: usize,
    ) -> Result<BTreeMap<String, String>, GitError> {
        let mut out = BTreeMap::new();
        let Some(head) = self.head()? else {
            return Ok(out);
        };
        let prefix = prefix.trim_matches('/');
        let candidates = self.maybe_committed(files);
        let mut cache = WalkCache {
            // A name git could not give as UTF-8 is matched as the listing
            // writes it (lossily), so such a path is looked up there.
            whole: candidates.len() > WHOLE_TREE_AT
                || candidates.iter().any(|(p, _)| p.contains('\u{FFFD}')),
            ..WalkCache::default()
        };
        for (path, blob) in candidates {
            let head_blob = self.blob_in(&mut cache, head, prefix, path)?;
            if head_blob != blob {
                continue;
            }
            if let Some(author) = self.last_change(&mut cache, head, prefix, path, limit)? {
                out.insert(path.clone(), author);
            }
            if cache.commits.len() > 4 * limit.max(1) {
                cache.commits.clear();
            }
        }
        Ok(out)
    }

    /// The files whose content HEAD may hold, with that content's blob id
    /// (`None`: deleted). Content whose blob git does not have cannot be in
    /// HEAD's tree — unless the repository is a partial clone, whose trees
    /// name blobs it has not fetched; there every file is kept.
    fn maybe_committed<'f>(
        &self,
        files: &'f [(String, Option<Vec<u8>>)],
    ) -> Vec<(&'f String, Option<ObjectId>)> {
        let hash_kind = self.repo.object_hash();
        let partial = self
            .repo
            .config_snapshot()
            .string("extensions.partialClone")
            .is_some();
        let mut out = Vec::new();
        for (path, bytes) in files {
            let blob = match bytes {
                None => None,
                Some(b) => match gix::objs::compute_hash(hash_kind, gix::objs::Kind::Blob, b) {
                    Ok(id) if partial || self.repo.has_object(id) => Some(id),
                    _ => continue,
                },
            };
            out.push((path, blob));
        }
        out
    }

    /// The author of the newest commit, walking from `head`, that gave `path`
    /// its content at `head` (or removed it); `None` past `limit` steps, or
    /// when the file never existed.
    fn last_change(
        &self,
        cache: &mut WalkCache,
        head: ObjectId,
        prefix: &str,
        path: &str,
        limit: usize,
    ) -> Result<Option<String>, GitError> {
        let head_blob = self.blob_in(cache, head, prefix, path)?;
        let mut current = head;
        for _ in 0..limit.max(1) {
            let (parents, dir) = {
                let c = self.walk_commit(cache, current, prefix)?;
                (c.parents.clone(), c.dir)
            };
            let mut same = None;
            for p in parents.iter().copied() {
                let parent_dir = self.walk_commit(cache, p, prefix)?.dir;
                if parent_dir == dir || self.blob_in(cache, p, prefix, path)? == head_blob {
                    same = Some(p);
                    break;
                }
            }
            match same {
                Some(p) => current = p,
                None => {
                    if parents.is_empty() && head_blob.is_none() {
                        return Ok(None);
                    }
                    let author = self.walk_commit(cache, current, prefix)?.author.clone();
                    return Ok(Some(author));
                }
            }
        }
        Ok(None)
    }

    /// The blob of `path` at `commit`, through the walk cache: from the
    /// commit's whole listing under `prefix`, or by following the path.
    fn blob_in(
        &self,
        cache: &mut WalkCache,
        commit: ObjectId,
        prefix: &str,
        path: &str,
    ) -> Result<Option<ObjectId>, GitError> {
        let whole = cache.whole;
        let c = self.walk_commit(cache, commit, prefix)?;
        if !whole {
            if let Some(known) = c.looked_up.get(path) {
                return Ok(*known);
            }
            let root = c.tree;
            let blob = if under(prefix, path) {
                self.follow_path(cache, root, path)?
            } else {
                None
            };
            if let Some(c) = cache.commits.get_mut(&commit) {
                c.looked_up.insert(path.to_string(), blob);
            }
            return Ok(blob);
        }
        if c.blobs.is_none() {
            let blobs = self.blobs_under(commit, prefix, &|_| true)?;
            if let Some(c) = cache.commits.get_mut(&commit) {
                c.blobs = Some(blobs);
            }
        }
        Ok(cache
            .commits
            .get(&commit)
            .and_then(|c| c.blobs.as_ref())
            .and_then(|b| b.get(path).copied()))
    }

    /// The blob at `path` (`/`-separated) under the tree `root`, one folder's
    /// tree at a time; `None` when a component is missing, a folder is a file,
    /// or the path ends at a folder or a symbolic link.
    fn follow_path(
        &self,
        cache: &mut WalkCache,
        root: ObjectId,
        path: &str,
    ) -> Result<Option<ObjectId>, GitError> {
        let hash_kind = self.repo.object_hash();
        let mut tree = root;
        let mut components = path.split('/').peekable();
        while let Some(name) = components.next() {
            let data = self.tree_data(cache, tree)?;
            let entry = gix::objs::TreeRefIter::from_bytes(data, hash_kind)
                .filter_map(Result::ok)
                .find(|e| *e.filename == *name.as_bytes());
            let Some(entry) = entry else {
                return Ok(None);
            };
            if components.peek().is_none() {
                return Ok(entry.mode.is_blob().then(|| entry.oid.to_owned()));
            }
            if !entry.mode.is_tree() {
                return Ok(None);
            }
            tree = entry.oid.to_owned();
        }
        Ok(None)
    }

    /// A tree's bytes, inflated once per walk (within [`TREE_CACHE_BYTES`]).
    fn tree_data<'c>(&self, cache: &'c mut WalkCache, id: ObjectId) -> Result<&'c [u8], GitError> {
        if !cache.trees.contains_key(&id) {
            let data = self
                .repo
                .find_tree(id)
                .ctx(|| format!("reading tree {id}"))?
                .detach()
                .data;
            if cache.tree_bytes + data.len() > TREE_CACHE_BYTES {
                cache.trees.clear();
                cache.tree_bytes = 0;
            }
            cache.tree_bytes += data.len();
            cache.trees.insert(id, data);
        }
        Ok(cache.trees.get(&id).map(Vec::as_slice).unwrap_or_default())
    }

    fn walk_commit<'c>(
        &self,
        cache: &'c mut WalkCache,
        id: ObjectId,
        prefix: &str,
    ) -> Result<&'c WalkCommit, GitError> {
        use std::collections::hash_map::Entry;
        let slot = match cache.commits.entry(id) {
            Entry::Occupied(o) => return Ok(o.into_mut()),
            Entry::Vacant(v) => v,
        };
        let commit = self
            .repo
            .find_commit(id)
            .ctx(|| format!("reading commit {id}"))?;
        let author = commit
            .author()
            .ctx(|| format!("reading the author of {id}"))?
            .name
            .to_string()
            .trim()
            .to_string();
        let parents = commit.parent_ids().map(|p| p.detach()).collect();
        let tree = commit.tree().ctx(|| format!("reading the tree of {id}"))?;
        let dir = GitRepo::folder_in(&tree, prefix, id)?;
        Ok(slot.insert(WalkCommit {
            parents,
            author,
            tree: tree.id,
            dir,
            blobs: None,
            looked_up: HashMap::new(),
        }))
    }
}
