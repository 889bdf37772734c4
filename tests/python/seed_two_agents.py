"""The seed's workflow through the official MCP Python SDK, two agents at once
against one `orchestron mcp --http` server: `python-legacy` over the older
initialize handshake, `python-stateless` over the 2026-07-28 stateless revision
(`mode="auto"`: server/discover first). Prints one JSON line per agent with
what the Rust test (tests/it/http/python.rs) checks against the records.

Usage: python seed_two_agents.py URL
"""

import asyncio
import json
import sys

from mcp import Client
from mcp_types import Implementation


def structured(result, what):
    if result.is_error:
        raise SystemExit(f"{what}: refused: {result.content}")
    if result.structured_content is None:
        raise SystemExit(f"{what}: no structuredContent")
    return result.structured_content


async def agent(url, name, mode):
    info = Implementation(name=name, version="1.0")
    async with Client(url, client_info=info, mode=mode) as client:
        tools = await client.list_tools()
        names = {t.name for t in tools.tools}
        assert "orchestron_task_create" in names, names

        async def call(tool, args):
            return structured(await client.call_tool(tool, args), f"{name} {tool}")

        created = await call(
            "orchestron_task_create",
            {"title": f"Implement authentication ({name})", "type": "TASK",
             "priority": "HIGH", "description": "Add JWT-based authentication to the API"},
        )
        task = created["task"]["id"]
        await call("orchestron_task_list", {"status": "IN_PROGRESS", "assignee": name})
        await call("orchestron_task_update",
                   {"taskId": task, "progress": 60, "notes": f"JWT middleware in place ({name})"})
        started = await call("orchestron_task_update", {"taskId": task, "status": "IN_PROGRESS"})
        review = await call("orchestron_task_update",
                            {"taskId": task, "status": "IN_REVIEW", "progress": 100,
                             "notes": "Ready for code review"})
        await call("orchestron_context_save",
                   {"context": {"currentTask": task, "completedSteps": ["JWT", "Middleware"],
                                "nextSteps": ["Frontend login"]},
                    "notes": "Ready for frontend work"})
        await call("orchestron_context_get", {})
        got = await call("orchestron_task_get", {"taskId": task})
        await call("orchestron_check_updates", {})
        handoff = await call(
            "orchestron_handoff_prepare",
            {"taskId": task, "completedWork": ["API", "Database"],
             "remainingWork": ["UI polish"], "notes": f"handoff by {name}"},
        )
        return {
            "agent": name,
            "mode": mode,
            "protocol": client.protocol_version,
            "task": task,
            "assignee": started["task"]["assignee"],
            "status": review["task"]["status"],
            "clarifications": isinstance(got.get("clarifications"), list),
            "handoff": handoff["summary"],
        }


async def main(url):
    results = await asyncio.gather(
        agent(url, "python-legacy", "legacy"),
        agent(url, "python-stateless", "auto"),
    )
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
