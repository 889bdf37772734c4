//! `orchestron serve`: written once the shared HTTP guard has landed.
