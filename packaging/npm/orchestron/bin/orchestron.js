#!/usr/bin/env node
// The `orchestron` command of the npm package: it runs the native binary that
// npm installed from this platform's package (an optionalDependency such as
// @orchestron/linux-x64; npm skips the others by their os/cpu/libc fields).
// Nothing is downloaded at install or run time: everything comes from the
// registry. stdin/stdout/stderr are the binary's own, so `orchestron mcp`
// speaks MCP on them unchanged.
"use strict";

const { spawn } = require("node:child_process");
const path = require("node:path");

const platformPackage = `@orchestron/${process.platform}-${process.arch}`;
const binaryName = process.platform === "win32" ? "orchestron.exe" : "orchestron";

function binaryPath() {
  let manifest;
  try {
    manifest = require.resolve(`${platformPackage}/package.json`);
  } catch {
    process.stderr.write(
      `orchestron: no binary for ${process.platform}-${process.arch}: the package ` +
        `${platformPackage} is not installed. npm installs it with orchestron unless ` +
        `optional dependencies were omitted (--omit=optional, --no-optional) or this ` +
        `platform has no build; reinstall orchestron, or install from source with ` +
        `\`cargo install orchestron\`.\n`,
    );
    process.exit(1);
  }
  return path.join(path.dirname(manifest), "bin", binaryName);
}

const child = spawn(binaryPath(), process.argv.slice(2), { stdio: "inherit" });

// A client stopping the server signals this process: pass the signal on, and
// leave with the binary's own exit status (re-raised if a signal ended it).
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("error", (err) => {
  process.stderr.write(`orchestron: cannot run ${binaryPath()}: ${err.message}\n`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
