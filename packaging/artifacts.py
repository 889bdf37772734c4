"""The install artifacts other than the wheel, made from the binary the wheel carries.

`.ci/package` runs the subcommands in order; see docs/INSTALL.md. Everything a
registry shows (names, version, repository, the MCP Registry name) is derived
here from Cargo.toml, the one source of truth: nothing below repeats a version.

  binary       the orchestron binary out of the wheel maturin built
  npm          the launcher package `orchestron` and this platform's package
  mcpb         the MCP Bundle's folder (manifest.json + server/)
  archive      the release archive cargo-binstall fetches
  server-json  server.json for the MCP Registry
  check        server.json against the registry's schema, the wheel's metadata
"""

import argparse
import hashlib
import json
import re
import shutil
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from pathlib import Path

import mcp_stdio

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent

# Rust target -> the npm platform it serves (`process.platform`-`process.arch`).
# The release workflow builds each of these; the launcher depends on all.
PLATFORMS = {
    "x86_64-unknown-linux-gnu": "linux-x64",
    "aarch64-unknown-linux-gnu": "linux-arm64",
    "x86_64-apple-darwin": "darwin-x64",
    "aarch64-apple-darwin": "darwin-arm64",
    "x86_64-pc-windows-msvc": "win32-x64",
}
NPM_SCOPE = "@orchestron"
SCHEMA_URL = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"


class Crate:
    """What the packages say about the crate, read from Cargo.toml."""

    def __init__(self):
        package = tomllib.loads((ROOT / "Cargo.toml").read_text())["package"]
        self.name = package["name"]
        self.version = package["version"]
        self.description = package["description"]
        self.license = package["license"]
        self.keywords = package.get("keywords", [])
        self.repository = package["repository"].rstrip("/")
        match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+)", self.repository)
        if not match:
            sys.exit(f"Cargo.toml: repository must be a GitHub URL, not {self.repository}")
        self.owner = match.group(1)
        # The MCP Registry trusts a GitHub namespace on the repository owner's login.
        self.server_name = f"io.github.{self.owner}/{self.name}"


def platform_of(target):
    if target not in PLATFORMS:
        sys.exit(f"no package platform for target {target}; known: {', '.join(PLATFORMS)}")
    return PLATFORMS[target]


def exe(platform):
    return "orchestron.exe" if platform.startswith("win32") else "orchestron"


def write_json(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2) + "\n")


def copy_binary(binary, dest):
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(binary, dest)
    dest.chmod(0o755)


def cmd_binary(args):
    """Extracts the binary from the wheel: every artifact carries these bytes."""
    with zipfile.ZipFile(args.wheel) as wheel:
        names = [n for n in wheel.namelist() if re.fullmatch(r"[^/]+\.data/scripts/orchestron(\.exe)?", n)]
        if len(names) != 1:
            sys.exit(f"{args.wheel}: expected one orchestron script, found {names}")
        dest = Path(args.out) / Path(names[0]).name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(wheel.read(names[0]))
    dest.chmod(0o755)
    print(dest)


def common_npm_fields(crate):
    return {
        "version": crate.version,
        "license": crate.license,
        "repository": {"type": "git", "url": f"git+{crate.repository}.git"},
        "homepage": f"{crate.repository}#readme",
    }


def cmd_npm(args):
    """The launcher package and the platform package, as folders for `npm pack`."""
    crate = Crate()
    platform = platform_of(args.target)
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    os_name, cpu = platform.split("-")

    launcher = out / "orchestron"
    write_json(
        launcher / "package.json",
        {
            "name": crate.name,
            **common_npm_fields(crate),
            "description": crate.description,
            "keywords": crate.keywords,
            "bin": {"orchestron": "bin/orchestron.js"},
            "files": ["bin"],
            "engines": {"node": ">=18"},
            # Exact versions: the launcher runs only the binary released with it.
            "optionalDependencies": {f"{NPM_SCOPE}/{p}": crate.version for p in PLATFORMS.values()},
            # The MCP Registry checks this against server.json's name.
            "mcpName": crate.server_name,
        },
    )
    shutil.copytree(HERE / "npm" / "orchestron" / "bin", launcher / "bin")
    (launcher / "bin" / "orchestron.js").chmod(0o755)
    shutil.copyfile(HERE / "registry-readme.md", launcher / "README.md")

    native = out / f"orchestron-{platform}"
    fields = {
        "name": f"{NPM_SCOPE}/{platform}",
        **common_npm_fields(crate),
        "description": f"The orchestron binary for {platform} (installed by the `orchestron` package).",
        "os": [os_name],
        "cpu": [cpu],
        "files": ["bin"],
        "preferUnplugged": True,
    }
    if os_name == "linux":
        # Built against glibc: a musl system (Alpine) skips it and the launcher says so.
        fields["libc"] = ["glibc"]
    write_json(native / "package.json", fields)
    copy_binary(args.binary, native / "bin" / exe(platform))
    (native / "README.md").write_text(
        f"The `orchestron` binary for {platform}. Install the `orchestron` package instead: "
        f"it picks this one. {crate.repository}\n"
    )
    print(launcher)
    print(native)


def bundle_tools(binary):
    """Name and first sentence of each tool, asked from the binary itself."""
    with tempfile.TemporaryDirectory() as empty:
        tools = mcp_stdio.list_tools([str(Path(binary).resolve()), "mcp"], cwd=empty)
    listed = []
    for tool in tools:
        description = tool.get("description", "").strip()
        first = re.split(r"(?<=\.)\s", description, maxsplit=1)[0]
        listed.append({"name": tool["name"], "description": first})
    return listed


def cmd_mcpb(args):
    """The MCP Bundle's folder: manifest.json and the binary under server/."""
    crate = Crate()
    platform = platform_of(args.target)
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    entry = f"server/{exe(platform)}"
    copy_binary(args.binary, out / entry)
    write_json(
        out / "manifest.json",
        {
            "manifest_version": "0.3",
            "name": crate.name,
            "display_name": "Orchestron",
            "version": crate.version,
            "description": crate.description,
            "author": {"name": "Orchestron contributors", "url": crate.repository},
            "repository": {"type": "git", "url": crate.repository},
            "homepage": crate.repository,
            "documentation": f"{crate.repository}/blob/main/docs/MCP.md",
            "license": crate.license,
            "keywords": crate.keywords,
            "server": {
                "type": "binary",
                "entry_point": entry,
                "mcp_config": {
                    "command": "${__dirname}/" + entry,
                    # A desktop client has no project folder of its own: the user picks one.
                    "args": ["mcp", "--root", "${user_config.project}"],
                },
            },
            "user_config": {
                "project": {
                    "type": "directory",
                    "title": "Project folder",
                    "description": "The git project whose .orchestron/ backlog to serve "
                    "(run `orchestron init` there first).",
                    "required": True,
                }
            },
            "tools": bundle_tools(out / entry),
            "compatibility": {"platforms": [platform.split("-")[0]]},
        },
    )
    print(out)


# cargo-binstall's `{ archive-suffix }` for each pkg-fmt we use (it tries each in turn).
BINSTALL_SUFFIXES = {"tgz": [".tgz", ".tar.gz"], "zip": [".zip"]}


def binstall_layout(target):
    """Archive name and the binary's path inside it, rendered from Cargo.toml's
    [package.metadata.binstall], so the archive is what `cargo binstall` asks for."""
    package = tomllib.loads((ROOT / "Cargo.toml").read_text())["package"]
    meta = package["metadata"]["binstall"]
    fmt = meta.get("overrides", {}).get(target, {}).get("pkg-fmt", meta["pkg-fmt"])
    values = {
        "repo": package["repository"],
        "name": package["name"],
        "version": package["version"],
        "target": target,
        "bin": "orchestron",
        "binary-ext": ".exe" if "windows" in target else "",
        "archive-suffix": BINSTALL_SUFFIXES[fmt][-1],
    }

    def render(template):
        rendered = re.sub(r"\{ *([a-z-]+) *\}", lambda m: values[m.group(1)], template)
        if "{" in rendered:
            sys.exit(f"Cargo.toml binstall template {template!r}: unknown key")
        return rendered

    return fmt, render(meta["pkg-url"]).rsplit("/", 1)[1], render(meta["bin-dir"])


def cmd_archive(args):
    """The release archive cargo-binstall fetches, named and laid out as its metadata says."""
    platform_of(args.target)
    fmt, name, inner = binstall_layout(args.target)
    path = Path(args.out) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(args.binary, inner)
    else:
        with tarfile.open(path, "w:gz") as archive:
            info = archive.gettarinfo(args.binary, inner)
            info.mode, info.uid, info.gid, info.uname, info.gname = 0o755, 0, 0, "", ""
            with open(args.binary, "rb") as binary:
                archive.addfile(info, binary)
    print(path)


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def cmd_server_json(args):
    """server.json: the PyPI and npm packages, each bundle given, the crate in _meta."""
    crate = Crate()
    stdio = {"type": "stdio"}
    run_mcp = [{"type": "positional", "value": "mcp"}]
    packages = [
        {
            "registryType": "pypi",
            "identifier": crate.name,
            "version": crate.version,
            "runtimeHint": "uvx",
            "transport": stdio,
            "packageArguments": run_mcp,
        },
        {
            "registryType": "npm",
            "identifier": crate.name,
            "version": crate.version,
            "runtimeHint": "npx",
            "transport": stdio,
            "packageArguments": run_mcp,
        },
    ]
    for bundle in args.mcpb:
        packages.append(
            {
                "registryType": "mcpb",
                "identifier": f"{crate.repository}/releases/download/v{crate.version}/{Path(bundle).name}",
                "version": crate.version,
                "fileSha256": sha256(bundle),
                "transport": stdio,
            }
        )
    write_json(
        Path(args.out),
        {
            "$schema": SCHEMA_URL,
            "name": crate.server_name,
            "title": "Orchestron",
            "description": "Task tracker for AI coding agents: tasks, sprints and handoffs as YAML in git",
            "repository": {"url": crate.repository, "source": "github"},
            "version": crate.version,
            "packages": packages,
            # The registry takes no crates.io packages (npm, pypi, oci, nuget, mcpb
            # only); the crate is named for clients and sub-registries here.
            "_meta": {
                "io.modelcontextprotocol.registry/publisher-provided": {
                    "cargo": {"crate": crate.name, "version": crate.version, "install": "cargo binstall orchestron"}
                }
            },
        },
    )
    print(args.out)


def cmd_check(args):
    """Validates server.json against the registry's schema and ties the packages to it."""
    import jsonschema

    crate = Crate()
    server = json.loads(Path(args.server_json).read_text())
    schema = json.loads(Path(args.schema).read_text())
    if schema.get("$id") != server["$schema"]:
        sys.exit(f"server.json names {server['$schema']}, the schema given is {schema.get('$id')}")
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(server)]
    versions = {p["version"] for p in server["packages"]} | {server["version"]}
    if versions != {crate.version}:
        errors.append(f"versions {sorted(versions)} differ from Cargo.toml's {crate.version}")
    if args.wheel:
        with zipfile.ZipFile(args.wheel) as wheel:
            metadata = next(wheel.read(n).decode() for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        if f"mcp-name: {crate.server_name}" not in metadata:
            errors.append(f"{args.wheel}: the description lacks `mcp-name: {crate.server_name}` (packaging/registry-readme.md)")
        if f"\nVersion: {crate.version}\n" not in metadata:
            errors.append(f"{args.wheel}: not version {crate.version}")
    if args.npm_launcher:
        with tarfile.open(args.npm_launcher) as tgz:
            launcher = json.load(tgz.extractfile("package/package.json"))
        if launcher.get("mcpName") != crate.server_name:
            errors.append(f"{args.npm_launcher}: mcpName is not {crate.server_name}")
        if launcher.get("version") != crate.version:
            errors.append(f"{args.npm_launcher}: not version {crate.version}")
    if errors:
        sys.exit("server.json / packages do not match the registry's rules:\n  " + "\n  ".join(errors))
    print(f"server.json valid against {schema['$id']}; every package is {crate.version}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("version")
    p.set_defaults(run=lambda a: print(Crate().version))
    p = sub.add_parser("platform")
    p.add_argument("--target", required=True)
    p.set_defaults(run=lambda a: print(platform_of(a.target)))
    p = sub.add_parser("binary")
    p.add_argument("--wheel", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(run=cmd_binary)
    for name, run in (("npm", cmd_npm), ("mcpb", cmd_mcpb), ("archive", cmd_archive)):
        p = sub.add_parser(name)
        p.add_argument("--binary", required=True)
        p.add_argument("--target", required=True)
        p.add_argument("--out", required=True)
        p.set_defaults(run=run)
    p = sub.add_parser("server-json")
    p.add_argument("--mcpb", action="append", default=[])
    p.add_argument("--out", required=True)
    p.set_defaults(run=cmd_server_json)
    p = sub.add_parser("check")
    p.add_argument("--server-json", required=True)
    p.add_argument("--schema", required=True)
    p.add_argument("--wheel")
    p.add_argument("--npm-launcher")
    p.set_defaults(run=cmd_check)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
