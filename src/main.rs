//! The `orchestron` binary: the CLI, and (`orchestron mcp`) the MCP server.

fn main() {
    std::process::exit(orchestron::cli::main());
}
