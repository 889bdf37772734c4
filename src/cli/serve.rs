//! `orchestron serve`: the board live in a browser (see `crate::board::serve`).
//! Listens on loopback only unless `--allow-remote` (with a bearer token:
//! the shared guard's `check_bind`); read-only unless
//! `--write`. The address is printed on stderr once it is bound (so
//! `--port 0` tells which port the system chose); logs go to stderr too.

use super::Ctx;
use super::board::BoardFilters;
use super::exit::{CliError, CmdResult, Code};
use crate::api::CLOSED_LIMIT;
use crate::board::serve::{ServeError, ServeOptions, serve};
use clap::Args;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    filters: BoardFilters,
    /// The port to listen on (0: any free port, printed on stderr).
    #[arg(long, default_value_t = 7357)]
    port: u16,
    /// The address to listen on: loopback unless --allow-remote.
    #[arg(long, value_name = "ADDR", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Allow listening on an address other machines can reach; needs a bearer
    /// token (`ORCHESTRON_TOKEN` or --token-file) that every request must carry.
    #[arg(long)]
    allow_remote: bool,
    /// Bearer tokens, one a line (`TOKEN` or `AGENT TOKEN`).
    #[arg(long, value_name = "FILE")]
    token_file: Option<std::path::PathBuf>,
    /// Let the page move cards between columns (a status change, as `task
    /// update ID --status S`).
    #[arg(long)]
    write: bool,
}

pub fn run(ctx: &Ctx, args: ServeArgs) -> CmdResult {
    super::logging::init("warn");
    let addr = SocketAddr::new(args.bind, args.port);
    let tokens =
        super::listen::checked_tokens(addr, args.allow_remote, args.token_file.as_deref())?;
    let o = ctx.open()?;
    let opts = ServeOptions {
        addr,
        tokens,
        write: args.write,
        query: args.filters.query(CLOSED_LIMIT),
    };
    let runtime = super::listen::runtime().map_err(CliError::Runtime)?;
    let write = args.write;
    let served = runtime.block_on(serve(o, opts, move |bound| {
        let mode = if write { "write" } else { "read-only" };
        super::exit::warn(&format!("serving the board at http://{bound}/ ({mode})"));
    }));
    match served {
        Ok(()) => Ok(Code::Ok),
        Err(ServeError::Api(e)) => Err(CliError::Api(e)),
        Err(other) => Err(CliError::Board(other)),
    }
}
