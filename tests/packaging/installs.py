"""Installs what .ci/package built, as users would but from the local files only,
and runs each installed entry point: `--version`, `init`, then an MCP session
(initialize, tools/list, a task created and listed back).

Entry points: the wheel through pip (a fresh venv), `uvx` and `pipx`; the npm
tarballs in a project (node_modules/.bin and `npx`) and with `npm install -g`
into a temporary prefix; the MCP Bundle unpacked and started the way its
manifest says; the release archive unpacked as cargo-binstall would. Every
registry a client could fall back to is an unreachable loopback address, so a
step that wanted the network fails instead of fetching. Finally every installed
binary must be the very bytes of the wheel's.

Run by tests/packaging/run (after .ci/package); prints `N passed, N failed`.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "packaging"))
import artifacts  # noqa: E402
import mcp_stdio  # noqa: E402

DIST = ROOT / "target" / "dist"
TOOLS = ROOT / "target" / "packaging" / "test-venv" / "bin"
NOWHERE = "http://127.0.0.1:9/"  # the discard port: nothing answers


class Failed(Exception):
    pass


def run(command, cwd=None, env=None):
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise Failed(f"{' '.join(map(str, command))} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done.stdout


def offline_env(home):
    """A clean HOME and every package index pointed at nothing."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "npm_config_", "PIPX_"))}
    env.update(
        HOME=str(home),
        PIP_INDEX_URL=NOWHERE,
        PIP_NO_INDEX="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        UV_INDEX_URL=NOWHERE,
        UV_OFFLINE="1",
        UV_NO_CONFIG="1",
        UV_PYTHON_DOWNLOADS="never",
        UV_CACHE_DIR=str(home / "uv-cache"),
        npm_config_registry=NOWHERE,
        npm_config_offline="true",
        npm_config_cache=str(home / "npm-cache"),
        npm_config_audit="false",
        npm_config_fund="false",
        npm_config_update_notifier="false",
        GIT_CONFIG_GLOBAL="/dev/null",
        GIT_AUTHOR_NAME="packaging",
        GIT_AUTHOR_EMAIL="packaging@example.invalid",
        GIT_COMMITTER_NAME="packaging",
        GIT_COMMITTER_EMAIL="packaging@example.invalid",
    )
    return env


def exercise(command, project, env, version, mcp_args=None, mcp_cwd=None):
    """--version, init, and an MCP session through one entry point."""
    said = run(command + ["--version"], env=env).strip()
    if said != f"orchestron {version}":
        raise Failed(f"--version said {said!r}, expected 'orchestron {version}'")
    project.mkdir(parents=True)
    run(["git", "init", "-q"], cwd=project, env=env)
    run(command + ["init"], cwd=project, env=env)
    session = mcp_stdio.Session(command + (mcp_args or ["mcp"]), cwd=mcp_cwd or project, env=env)
    init = session.initialize("packaging-test")
    info = init.get("serverInfo", {})
    if (info.get("name"), info.get("version")) != ("orchestron", version):
        raise Failed(f"initialize: serverInfo is {info}")
    if init.get("protocolVersion") != mcp_stdio.PROTOCOL_VERSION:
        raise Failed(f"initialize: protocolVersion {init.get('protocolVersion')}")
    names = {tool["name"] for tool in session.request("tools/list", {})["tools"]}
    if not {"orchestron_task_create", "orchestron_task_list", "orchestron_context_get"} <= names:
        raise Failed(f"tools/list lacks the task tools: {sorted(names)}")
    title = "Installed without Rust"
    created = session.request("tools/call", {"name": "orchestron_task_create", "arguments": {"title": title}})
    listed = session.request("tools/call", {"name": "orchestron_task_list", "arguments": {}})
    if created.get("isError") or listed.get("isError") or title not in json.dumps(listed):
        raise Failed(f"task create/list over MCP: {created} {listed}")
    status = session.close()
    if status != 0:
        raise Failed(f"the server exited {status} at the end of the session")


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def one(pattern):
    found = sorted(DIST.glob(pattern))
    if len(found) != 1:
        raise Failed(f"expected one {pattern} in {DIST}, found {[p.name for p in found]}")
    return found[0]


def main():
    version = artifacts.Crate().version
    target = run(["rustc", "-vV"]).split("host: ")[1].split()[0]
    platform = artifacts.platform_of(target)
    wheel = one(f"orchestron-{version}-*.whl")
    launcher = one(f"orchestron-{version}.tgz")
    native = one(f"orchestron-{platform}-{version}.tgz")
    bundle = one(f"orchestron-{version}-{platform}.mcpb")
    with zipfile.ZipFile(wheel) as w:
        wheel_sha = hashlib.sha256(
            next(w.read(n) for n in w.namelist() if n.endswith(".data/scripts/orchestron"))
        ).hexdigest()
    tmp = Path(tempfile.mkdtemp(prefix="orchestron-installs-"))
    env = offline_env(tmp / "home")
    (tmp / "home").mkdir()
    installed = {}  # entry point -> the binary it runs

    def pip_venv():
        run([sys.executable, "-m", "venv", tmp / "venv"], env=env)
        run([tmp / "venv/bin/python", "-m", "pip", "install", "--no-index", wheel], env=env)
        installed["pip"] = tmp / "venv/bin/orchestron"
        exercise([str(installed["pip"])], tmp / "p-pip", env, version)

    def uvx():
        command = [str(TOOLS / "uvx"), "--no-index", "--find-links", str(DIST), "orchestron"]
        exercise(command, tmp / "p-uvx", env, version)

    def pipx():
        pipx_env = dict(env, PIPX_HOME=str(tmp / "pipx"), PIPX_BIN_DIR=str(tmp / "pipx-bin"), PIPX_MAN_DIR=str(tmp / "pipx-man"))
        run([TOOLS / "pipx", "install", "--pip-args=--no-index", wheel], env=pipx_env)
        installed["pipx"] = (tmp / "pipx-bin/orchestron").resolve()
        exercise([str(tmp / "pipx-bin/orchestron")], tmp / "p-pipx", pipx_env, version)

    def npm_project():
        project = tmp / "npm-project"
        project.mkdir()
        run(["npm", "init", "-y"], cwd=project, env=env)
        run(["npm", "install", launcher, native], cwd=project, env=env)
        installed["npm"] = project / f"node_modules/@orchestron/{platform}/bin/orchestron"
        exercise([str(project / "node_modules/.bin/orchestron")], tmp / "p-npm", env, version)
        npx = ["npx", "--prefix", str(project), "--no", "--", "orchestron"]
        exercise(npx, tmp / "p-npx", env, version)

    def npm_global():
        prefix = tmp / "npm-global"
        run(["npm", "install", "--global", "--prefix", prefix, launcher, native], env=env)
        exercise([str(prefix / "bin/orchestron")], tmp / "p-npm-global", env, version)

    def npm_launcher_alone():
        # Without its platform package the launcher must say why and fail, not hang or fetch.
        prefix = tmp / "npm-alone"
        run(["npm", "install", "--global", "--prefix", prefix, launcher], env=env)
        done = subprocess.run([prefix / "bin/orchestron", "--version"], env=env, capture_output=True, text=True, timeout=60)
        if done.returncode != 1 or f"@orchestron/{platform} is not installed" not in done.stderr:
            raise Failed(f"exit {done.returncode}, stderr {done.stderr!r}")

    def mcpb():
        unpacked = tmp / "mcpb"
        with zipfile.ZipFile(bundle) as z:
            z.extractall(unpacked)
        manifest = json.loads((unpacked / "manifest.json").read_text())
        server = Path(manifest["server"]["mcp_config"]["command"].replace("${__dirname}", str(unpacked)))
        # Python's unzip drops modes: restore the archive's, as a desktop client's unpacker does.
        mode = zipfile.ZipFile(bundle).getinfo(str(server.relative_to(unpacked))).external_attr >> 16
        if not mode & 0o100:
            raise Failed(f"{server.name} is not executable in the bundle (mode {oct(mode)})")
        server.chmod(mode & 0o777)
        installed["mcpb"] = server
        project = tmp / "p-mcpb"
        args = [a.replace("${user_config.project}", str(project)) for a in manifest["server"]["mcp_config"]["args"]]
        exercise([str(server)], project, env, version, mcp_args=args, mcp_cwd=tmp)

    def binstall_archive():
        # What `cargo binstall` does with the release archive: the file its pkg-url
        # names, unpacked, the binary taken from its bin-dir path.
        _, name, inner = artifacts.binstall_layout(target)
        with tarfile.open(DIST / name) as archive:
            archive.extractall(tmp / "binstall", filter="tar")
        installed["binstall"] = tmp / "binstall" / inner
        exercise([str(installed["binstall"])], tmp / "p-binstall", env, version)

    checks = [pip_venv, uvx, pipx, npm_project, npm_global, npm_launcher_alone, mcpb, binstall_archive]
    passed, failed = 0, 0
    for check in checks:
        try:
            check()
            passed += 1
            print(f"ok    {check.__name__}")
        except (Failed, mcp_stdio.ServerError, subprocess.TimeoutExpired) as e:
            failed += 1
            print(f"FAIL  {check.__name__}: {e}")
    different = {name: path for name, path in installed.items() if sha256(path) != wheel_sha}
    if different or len(installed) != 5:
        failed += 1
        print(f"FAIL  one binary: {different or installed} differ from the wheel's")
    else:
        passed += 1
        print("ok    one binary: pip, pipx, npm, the bundle and the archive run the wheel's bytes")
    if failed == 0:
        shutil.rmtree(tmp)
    else:
        print(f"left for inspection: {tmp}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
