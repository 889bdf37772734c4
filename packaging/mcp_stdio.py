"""A minimal MCP client over stdio for the packaging scripts (stdlib only).

It starts a server command, speaks newline-delimited JSON-RPC to it and waits
for each reply with a deadline, so a server that hangs fails the caller instead
of blocking it. `.ci/package` uses it to list the tools for the MCP Bundle's
manifest; tests/packaging/ uses it to check every installed entry point.
"""

import json
import queue
import subprocess
import threading
import time

PROTOCOL_VERSION = "2025-06-18"


class ServerError(Exception):
    """The server did not answer as an MCP server should."""


class Session:
    """One server process and the JSON-RPC exchange with it."""

    def __init__(self, command, cwd=None, env=None, timeout=30.0):
        self.command = command
        self.timeout = timeout
        self.next_id = 1
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.lines = queue.Queue()
        self.stderr = []
        threading.Thread(target=self._pump, args=(self.process.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._drain, daemon=True).start()

    @staticmethod
    def _pump(stream, lines):
        for line in stream:
            lines.put(line)
        lines.put(None)

    def _drain(self):
        for line in self.process.stderr:
            self.stderr.append(line.decode("utf-8", "replace"))

    def _fail(self, why):
        self.process.kill()
        self.process.wait()
        raise ServerError(f"{' '.join(self.command)}: {why}; stderr: {''.join(self.stderr)[-2000:]!r}")

    def send(self, message):
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        self.process.stdin.flush()

    def request(self, method, params):
        """Sends a request and returns its result; notifications in between are skipped."""
        request_id = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self._fail(f"no reply to {method} within {self.timeout} s")
            if line is None:
                self._fail(f"stdout closed before the reply to {method}")
            try:
                message = json.loads(line)
            except ValueError:
                self._fail(f"stdout is not JSON-RPC: {line[:200]!r}")
            if message.get("id") != request_id:
                continue
            if "error" in message:
                self._fail(f"{method} failed: {message['error']}")
            return message["result"]

    def initialize(self, client="orchestron-packaging"):
        result = self.request(
            "initialize",
            {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": client, "version": "1"},
            },
        )
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return result

    def close(self):
        """Closes stdin (the end of the session) and returns the exit status."""
        self.process.stdin.close()
        try:
            return self.process.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self._fail(f"still running {self.timeout} s after stdin closed")


def list_tools(command, cwd=None, env=None):
    """The server's tools/list, after an initialize handshake."""
    session = Session(command, cwd=cwd, env=env)
    session.initialize()
    tools = session.request("tools/list", {})["tools"]
    status = session.close()
    if status != 0:
        raise ServerError(f"{' '.join(command)} exited with {status}")
    return tools
