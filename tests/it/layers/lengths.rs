//! No function in `src/` runs past [`LIMIT`] lines (AGENTS.md: functions
//! short enough to read top to bottom; a long one is split into named
//! steps). Lines are counted with `syn` spans from the `fn` keyword to the
//! closing brace, so doc comments and attributes do not count, and code
//! under `#[cfg(test)]` (and test files) is left out, as the layer guard
//! leaves it out.

use proc_macro2::Span;
use syn::visit::Visit;

/// The most lines a function may span.
pub const LIMIT: usize = 100;

/// One function: where it starts and how many lines it spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Length {
    pub name: String,
    pub line: usize,
    pub lines: usize,
}

/// Every function of `source` (free, in an `impl`, a trait's default body,
/// nested) with its length, test code left out.
pub fn functions(source: &str) -> Result<Vec<Length>, String> {
    let file = syn::parse_file(source).map_err(|e| e.to_string())?;
    let mut lengths = Lengths::default();
    lengths.visit_file(&file);
    Ok(lengths.found)
}

#[derive(Default)]
struct Lengths {
    /// The `impl` or trait the visitor is in, to name its methods `Type::f`.
    owner: Vec<String>,
    found: Vec<Length>,
}

impl Lengths {
    fn record(&mut self, ident: &syn::Ident, fn_token: Span, close: Span) {
        let name = match self.owner.last() {
            Some(owner) => format!("{owner}::{ident}"),
            None => ident.to_string(),
        };
        let line = fn_token.start().line;
        self.found.push(Length {
            name,
            line,
            lines: close.end().line + 1 - line,
        });
    }
}

fn is_test(attrs: &[syn::Attribute]) -> bool {
    super::guard::is_test_only(attrs) || attrs.iter().any(|a| a.path().is_ident("test"))
}

impl<'ast> Visit<'ast> for Lengths {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_test(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if is_test(&i.attrs) {
            return;
        }
        let ty = &i.self_ty;
        self.owner.push(quote_type(ty));
        syn::visit::visit_item_impl(self, i);
        self.owner.pop();
    }

    fn visit_item_trait(&mut self, t: &'ast syn::ItemTrait) {
        if is_test(&t.attrs) {
            return;
        }
        self.owner.push(t.ident.to_string());
        syn::visit::visit_item_trait(self, t);
        self.owner.pop();
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if self.function(&f.attrs, &f.sig, Some(&f.block)) {
            syn::visit::visit_item_fn(self, f);
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if self.function(&f.attrs, &f.sig, Some(&f.block)) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if self.function(&f.attrs, &f.sig, f.default.as_ref()) {
            syn::visit::visit_trait_item_fn(self, f);
        }
    }
}

impl Lengths {
    /// Records a function with a body unless it is test code; whether to
    /// look inside it.
    fn function(
        &mut self,
        attrs: &[syn::Attribute],
        sig: &syn::Signature,
        body: Option<&syn::Block>,
    ) -> bool {
        if is_test(attrs) {
            return false;
        }
        if let Some(body) = body {
            self.record(&sig.ident, sig.fn_token.span, body.brace_token.span.close());
        }
        true
    }
}

/// The last segment of an `impl`'s type (`Orchestron`, `Server`).
fn quote_type(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .map_or_else(String::new, |s| s.ident.to_string()),
        _ => "impl".to_string(),
    }
}
