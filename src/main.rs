//! The `orchestron` binary: the CLI, and (`orchestron mcp`) the MCP server.

fn main() {
    orchestron::timing::init();
    std::process::exit(orchestron::cli::main());
}
