//! The layer checker: parses one source file with `syn` and lists every place
//! where it names something its layer may not. It resolves what a name means
//! the way the compiler would in the cases that matter for hiding an arrow:
//! `use` trees (groups, renames, `self`/`super` chains, a name brought in by
//! one `use` and extended by another), paths written out in expressions and
//! types, paths inside macro invocations (`format!`, `tracing::warn!` — their
//! tokens are scanned, not parsed), `extern crate … as`, and inline modules.
//! Code under `#[cfg(test)]` (and test files) is not checked: it is not built
//! into the program.

use proc_macro2::{Delimiter, Spacing, Span, TokenStream, TokenTree};
use std::collections::HashMap;
use syn::visit::Visit;

use super::rules::{
    ADAPTER_FACING, ADAPTERS, CLOCK_FILE, CLOCK_VAR, CLOCK_VAR_READER, DISK_METHODS, LOWER_LAYERS,
    MODULES, OUTSIDE_BELOW_THE_API, WALL_CLOCK, in_a_lower_layer, may_name,
};

/// One place where a file names what its layer may not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    pub line: usize,
    /// What was named, resolved (`crate::store::Workspace`, `std::fs::read`,
    /// `.exists()`, `#[path]`, `use crate::*`).
    pub named: String,
}

/// The breaches of the file at `rel` (relative to `src/`, e.g.
/// `api/tasks.rs`), whose text is `source`.
pub fn check(rel: &str, source: &str) -> Result<Vec<Breach>, String> {
    let file = syn::parse_file(source).map_err(|e| format!("{rel}: {e}"))?;
    let module = module_path(rel);
    let Some(layer) = module.first().cloned() else {
        return Ok(Vec::new());
    };
    let mut aliases = Aliases::default();
    // Twice: a `use` may extend a name that a later `use` brings in.
    for _ in 0..2 {
        let mut collect = Collect {
            module: module.clone(),
            aliases: &mut aliases,
        };
        collect.visit_file(&file);
    }
    let mut checker = Checker {
        layer,
        module,
        aliases: &aliases,
        breaches: Vec::new(),
        handing_out: None,
    };
    checker.visit_file(&file);
    checker.breaches.sort_by_key(|b| b.line);
    checker.breaches.dedup();
    Ok(checker.breaches)
}

/// `api/tasks.rs` → `[api, tasks]`; `api/mod.rs` → `[api]`.
fn module_path(rel: &str) -> Vec<String> {
    let rel = rel.strip_suffix(".rs").unwrap_or(rel);
    let mut parts: Vec<String> = rel.split('/').map(str::to_string).collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// Whether a file is test code only (`tests.rs`, or under a `tests/` folder).
pub fn is_test_file(rel: &str) -> bool {
    rel.split('/').any(|p| p == "tests" || p == "tests.rs")
}

/// Names brought into scope by `use` and `extern crate`, each with the path
/// it stands for. Per file, not per scope: a name used for two things in one
/// file is resolved to both, which can only find more.
#[derive(Default)]
struct Aliases(HashMap<String, Vec<Vec<String>>>);

impl Aliases {
    fn add(&mut self, name: String, path: Vec<String>) {
        let paths = self.0.entry(name).or_default();
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
}

/// What a path names, from module `module`: `crate::…` paths for the crate's
/// own items, anything else as written (an outside crate, or a local name).
fn resolve(
    module: &[String],
    leading_colon: bool,
    segs: &[String],
    aliases: &Aliases,
) -> Vec<Vec<String>> {
    let Some(first) = segs.first() else {
        return Vec::new();
    };
    if leading_colon {
        return vec![segs.to_vec()];
    }
    match first.as_str() {
        "crate" => vec![segs.to_vec()],
        "self" | "super" => {
            let mut base: Vec<String> = module.to_vec();
            let mut rest = segs;
            if first == "self" {
                rest = &segs[1..];
            }
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
            let mut out = vec!["crate".to_string()];
            out.extend(base);
            out.extend(rest.iter().cloned());
            vec![out]
        }
        name => match aliases.0.get(name) {
            Some(paths) => paths
                .iter()
                .map(|p| p.iter().chain(&segs[1..]).cloned().collect())
                .collect(),
            None => vec![segs.to_vec()],
        },
    }
}

/// Every path a `use` tree imports, with the name it is imported as (`None`
/// for a glob).
fn flatten(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Option<String>)>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) if n.ident == "self" => {
            let name = prefix.last().cloned();
            out.push((prefix.clone(), name));
        }
        syn::UseTree::Name(n) => {
            let mut path = prefix.clone();
            path.push(n.ident.to_string());
            out.push((path, Some(n.ident.to_string())));
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            if r.ident != "self" {
                path.push(r.ident.to_string());
            }
            out.push((path, Some(r.rename.to_string())));
        }
        syn::UseTree::Glob(_) => out.push((prefix.clone(), None)),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                flatten(t, prefix, out);
            }
        }
    }
}

/// Whether an item's attributes leave it out of the program: `#[cfg(test)]`
/// exactly (a `cfg(not(test))` item is built, and checked).
pub fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| match &a.meta {
        syn::Meta::List(l) => l.path.is_ident("cfg") && l.tokens.to_string() == "test",
        _ => false,
    })
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item as I;
    match item {
        I::Const(i) => &i.attrs,
        I::Enum(i) => &i.attrs,
        I::ExternCrate(i) => &i.attrs,
        I::Fn(i) => &i.attrs,
        I::ForeignMod(i) => &i.attrs,
        I::Impl(i) => &i.attrs,
        I::Macro(i) => &i.attrs,
        I::Mod(i) => &i.attrs,
        I::Static(i) => &i.attrs,
        I::Struct(i) => &i.attrs,
        I::Trait(i) => &i.attrs,
        I::TraitAlias(i) => &i.attrs,
        I::Type(i) => &i.attrs,
        I::Union(i) => &i.attrs,
        I::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// The first pass: what each imported name stands for.
struct Collect<'a> {
    module: Vec<String>,
    aliases: &'a mut Aliases,
}

impl<'ast> Visit<'ast> for Collect<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_test_only(item_attrs(item)) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        self.module.push(m.ident.to_string());
        syn::visit::visit_item_mod(self, m);
        self.module.pop();
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut flat = Vec::new();
        flatten(&u.tree, &mut Vec::new(), &mut flat);
        for (path, name) in flat {
            let Some(name) = name else { continue };
            for resolved in resolve(&self.module, u.leading_colon.is_some(), &path, self.aliases) {
                self.aliases.add(name.clone(), resolved);
            }
        }
    }

    fn visit_item_extern_crate(&mut self, e: &'ast syn::ItemExternCrate) {
        let name = e.rename.as_ref().map_or(&e.ident, |(_, r)| r).to_string();
        self.aliases.add(name, vec![e.ident.to_string()]);
    }
}

/// The second pass: every path, resolved and held against the layer.
struct Checker<'a> {
    layer: String,
    module: Vec<String>,
    aliases: &'a Aliases,
    breaches: Vec<Breach>,
    /// Inside what `api` hands out beyond itself, and how: a `pub type` (an
    /// alias of a lower layer's type under the API's name), or the signature
    /// of a function or the type of a field seen outside `api` (a
    /// `pub(crate)` method that returns `Claims` hands the store to every
    /// adapter).
    handing_out: Option<&'static str>,
}

impl Checker<'_> {
    fn path(&mut self, leading_colon: bool, segs: &[String], span: Span) {
        for resolved in resolve(&self.module, leading_colon, segs, self.aliases) {
            if let Some(how) = self.handing_out
                && in_a_lower_layer(&resolved)
            {
                self.breaches.push(Breach {
                    line: span.start().line,
                    named: format!("{how} {}", resolved.join("::")),
                });
            }
            if self.forbidden(&resolved) {
                self.breaches.push(Breach {
                    line: span.start().line,
                    named: resolved.join("::"),
                });
            }
        }
    }

    fn forbidden(&self, path: &[String]) -> bool {
        let starts = |prefix: &[&str]| {
            path.len() >= prefix.len() && path.iter().zip(prefix).all(|(a, b)| a == b)
        };
        if path.first().is_some_and(|s| s == "crate") {
            return path.get(1).is_some_and(|top| {
                MODULES.contains(&top.as_str()) && !may_name(&self.layer).contains(&top.as_str())
            });
        }
        if LOWER_LAYERS.contains(&self.layer.as_str()) && ADAPTER_FACING.iter().any(|p| starts(p)) {
            return true;
        }
        if self.module != CLOCK_FILE && WALL_CLOCK.iter().any(|p| starts(p)) {
            return true;
        }
        let above_the_store = self.layer == "api" || ADAPTERS.contains(&self.layer.as_str());
        // `Path::exists(&p)`: a disk method called as a function.
        let disk_fn = starts(&["std", "path"])
            && path
                .last()
                .is_some_and(|m| DISK_METHODS.contains(&m.as_str()));
        if above_the_store && disk_fn {
            return true;
        }
        let os_fs = starts(&["std", "os"]) && path.get(3).is_some_and(|s| s == "fs");
        (above_the_store || self.layer == "model")
            && (OUTSIDE_BELOW_THE_API.iter().any(|p| starts(p)) || os_fs)
    }

    /// Whether an item of `api` with this visibility can be named outside
    /// `api`: `pub` and `pub(crate)` can, `pub(super)` can from `api/mod.rs`
    /// only, `pub(in crate::api…)` and private items cannot.
    fn seen_outside_api(&self, vis: &syn::Visibility) -> bool {
        let syn::Visibility::Restricted(r) = vis else {
            return matches!(vis, syn::Visibility::Public(_));
        };
        let segs: Vec<String> = r
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        resolve(&self.module, false, &segs, self.aliases)
            .iter()
            .any(|p| p.get(1).is_none_or(|top| top != "api"))
    }

    /// Visits what `visit` reaches as handed out `how` when `vis` lets it be
    /// seen outside `api`.
    fn handed_out(
        &mut self,
        vis: &syn::Visibility,
        how: &'static str,
        visit: impl FnOnce(&mut Self),
    ) {
        let outer = self.handing_out;
        if self.layer == "api" && self.seen_outside_api(vis) {
            self.handing_out = Some(how);
        }
        visit(self);
        self.handing_out = outer;
    }

    fn method(&mut self, name: &str, span: Span) {
        let above_the_store = self.layer == "api" || ADAPTERS.contains(&self.layer.as_str());
        if above_the_store && DISK_METHODS.contains(&name) {
            self.breaches.push(Breach {
                line: span.start().line,
                named: format!(".{name}()"),
            });
        }
    }

    /// A string literal naming the clock's variable outside the layer that
    /// reads it.
    fn literal(&mut self, value: &str, span: Span) {
        if value == CLOCK_VAR && self.layer != CLOCK_VAR_READER {
            self.breaches.push(Breach {
                line: span.start().line,
                named: format!("\"{CLOCK_VAR}\""),
            });
        }
    }

    /// Paths and method calls inside a macro's tokens.
    fn tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Group(g) => {
                    self.tokens(g.stream());
                    i += 1;
                }
                TokenTree::Punct(p) if p.as_char() == '.' => {
                    if let (Some(TokenTree::Ident(m)), Some(TokenTree::Group(g))) =
                        (trees.get(i + 1), trees.get(i + 2))
                        && g.delimiter() == Delimiter::Parenthesis
                        && g.stream().is_empty()
                    {
                        self.method(&m.to_string(), m.span());
                    }
                    i += 1;
                }
                TokenTree::Literal(l) => {
                    if let Ok(s) = syn::parse_str::<syn::LitStr>(&l.to_string()) {
                        self.literal(&s.value(), l.span());
                    }
                    i += 1;
                }
                _ => {
                    let start = i;
                    let leading = is_path_sep(&trees, i);
                    if leading {
                        i += 2;
                    }
                    let mut segs = Vec::new();
                    while let Some(TokenTree::Ident(id)) = trees.get(i) {
                        segs.push(id.to_string());
                        i += 1;
                        if is_path_sep(&trees, i) {
                            i += 2;
                        } else {
                            break;
                        }
                    }
                    if segs.is_empty() {
                        i = start + 1;
                    } else {
                        let span = trees[start].span();
                        self.path(leading, &segs, span);
                    }
                }
            }
        }
    }
}

/// `::` at `i`.
fn is_path_sep(trees: &[TokenTree], i: usize) -> bool {
    matches!(
        (trees.get(i), trees.get(i + 1)),
        (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
    )
}

impl<'ast> Visit<'ast> for Checker<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_test_only(item_attrs(item)) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        // A module's file is found by its place; `#[path]` would let a
        // file of one layer be compiled into another.
        if m.attrs.iter().any(|a| a.path().is_ident("path")) {
            self.breaches.push(Breach {
                line: m.ident.span().start().line,
                named: "#[path]".into(),
            });
        }
        self.module.push(m.ident.to_string());
        syn::visit::visit_item_mod(self, m);
        self.module.pop();
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut flat = Vec::new();
        flatten(&u.tree, &mut Vec::new(), &mut flat);
        let line = u.use_token.span.start().line;
        // `api` re-exports nothing of the layers below it: what an adapter
        // needs from there is a model type or an api type of its own.
        let reexport = self.layer == "api" && self.seen_outside_api(&u.vis);
        for (path, name) in flat {
            let resolved = resolve(&self.module, u.leading_colon.is_some(), &path, self.aliases);
            if name.is_none() && resolved.iter().any(|p| p == &["crate"]) {
                // `use crate::*` brings every layer's name into scope unseen.
                self.breaches.push(Breach {
                    line,
                    named: "use crate::*".into(),
                });
            }
            for p in resolved {
                if reexport && in_a_lower_layer(&p) {
                    self.breaches.push(Breach {
                        line,
                        named: format!("pub use {}", p.join("::")),
                    });
                }
                if self.forbidden(&p) {
                    self.breaches.push(Breach {
                        line,
                        named: p.join("::"),
                    });
                }
            }
        }
    }

    fn visit_item_extern_crate(&mut self, e: &'ast syn::ItemExternCrate) {
        self.path(false, &[e.ident.to_string()], e.ident.span());
    }

    fn visit_item_type(&mut self, t: &'ast syn::ItemType) {
        self.handed_out(&t.vis, "pub type =", |c| syn::visit::visit_item_type(c, t));
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        for a in &f.attrs {
            self.visit_attribute(a);
        }
        self.visit_visibility(&f.vis);
        self.handed_out(&f.vis, "pub fn names", |c| c.visit_signature(&f.sig));
        self.visit_block(&f.block);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        for a in &f.attrs {
            self.visit_attribute(a);
        }
        self.visit_visibility(&f.vis);
        self.handed_out(&f.vis, "pub fn names", |c| c.visit_signature(&f.sig));
        self.visit_block(&f.block);
    }

    fn visit_field(&mut self, f: &'ast syn::Field) {
        self.handed_out(&f.vis, "pub field names", |c| syn::visit::visit_field(c, f));
    }

    /// What an attribute's arguments name: `#[derive(JsonSchema)]`,
    /// `#[cfg_attr(…, derive(schemars::JsonSchema))]` (the attribute's own
    /// path, `#[schemars(…)]`, is visited as a path).
    fn visit_attribute(&mut self, a: &'ast syn::Attribute) {
        if let syn::Meta::List(l) = &a.meta {
            self.tokens(l.tokens.clone());
        }
        syn::visit::visit_attribute(self, a);
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        if let Some(first) = p.segments.first() {
            self.path(p.leading_colon.is_some(), &segs, first.ident.span());
        }
        syn::visit::visit_path(self, p);
    }

    fn visit_expr_method_call(&mut self, c: &'ast syn::ExprMethodCall) {
        if c.args.is_empty() {
            self.method(&c.method.to_string(), c.method.span());
        }
        syn::visit::visit_expr_method_call(self, c);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.tokens(m.tokens.clone());
        syn::visit::visit_macro(self, m);
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        // A `#[cfg(test)]` method is test code like a `#[cfg(test)]` item.
        let attrs: &[syn::Attribute] = match item {
            syn::ImplItem::Const(i) => &i.attrs,
            syn::ImplItem::Fn(i) => &i.attrs,
            syn::ImplItem::Type(i) => &i.attrs,
            syn::ImplItem::Macro(i) => &i.attrs,
            _ => &[],
        };
        if !is_test_only(attrs) {
            syn::visit::visit_impl_item(self, item);
        }
    }

    fn visit_lit_str(&mut self, s: &'ast syn::LitStr) {
        self.literal(&s.value(), s.span());
    }
}
