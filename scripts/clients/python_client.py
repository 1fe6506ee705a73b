"""The official MCP Python SDK as a client of `cf-scale serve`.

Starts the server over stdio, lists tools, resources and prompts, reads a tool reference, and calls
every tool with realistic arguments in both `detail` forms. The SDK itself validates each answer's
structuredContent against the tool's outputSchema (ClientSession.call_tool); this script also checks
that every answer begins with its summary and that bad arguments are a tool error naming the field.

    python python_client.py CF_SCALE_BINARY REPOSITORY_ROOT
"""

import asyncio
import json
import pathlib
import sys
import tomllib

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def calls(root: pathlib.Path):
    toml = lambda p: tomllib.loads((root / p).read_text())
    out = [
        ("recommend_scaling", toml("examples/project.toml")),
        ("estimate_cost", toml("examples/saas.toml")),
    ]
    for name in ["kv_key", "d1_time_monthly", "d1_tenant", "durable_object", "queue"]:
        out.append(("shard_plan", json.loads((root / f"tests/fixtures/shard/{name}.json").read_text())))
    out.append(("analyze_config", {"content": (root / "tests/fixtures/wrangler/full.jsonc").read_text()}))
    # Paths are relative to the server's working directory: the server runs in the repository.
    usage = sorted(f"examples/usage/{p.name}" for p in (root / "examples/usage").glob("*.json"))
    out.append(("import_usage", {"paths": usage, "start": "2026-11-24", "end": "2026-11-30"}))
    out.append(("analyze_project", {"path": "tests/fixtures/projects/hazards", "table_rows": {"users": 2000000}}))
    out.append(("recommend_scaling", {"project": "examples/app"}))
    return out


async def main(binary: str, root: pathlib.Path) -> None:
    params = StdioServerParameters(command=binary, args=["serve"], cwd=str(root))
    async with stdio_client(params) as streams:
        async with ClientSession(*streams) as session:
            await session.initialize()
            tools = {t.name: t for t in (await session.list_tools()).tools}
            assert {"recommend_scaling", "estimate_cost", "shard_plan", "analyze_config", "import_usage", "analyze_project"} <= set(tools), tools
            for t in tools.values():
                schema = t.input_schema if hasattr(t, "input_schema") else t.inputSchema
                assert schema.get("type") == "object", t.name
                assert not {"oneOf", "anyOf", "allOf"} & set(schema), f"{t.name}: root combinator"
            resources = (await session.list_resources()).resources
            uris = {str(r.uri) for r in resources}
            for name in tools:
                assert f"scale://docs/tools/{name}" in uris, f"no reference for {name}"
            doc = await session.read_resource("scale://docs/tools/estimate_cost")
            assert "## Input" in doc.contents[0].text
            prompts = (await session.list_prompts()).prompts
            assert prompts, "no prompts"
            for name, arguments in calls(root):
                for detail in ["compact", "full"]:
                    result = await session.call_tool(name, {**arguments, "detail": detail})
                    assert not result.is_error, f"{name} {detail}: {result.content}"
                    report = result.structured_content
                    assert next(iter(report)) == "summary", f"{name}: {list(report)[:3]}"
                    assert report["summary"] in result.content[0].text, name
            bad = await session.call_tool("estimate_cost", {"kv": {"reads": -1}})
            assert bad.is_error and "kv.reads" in bad.content[0].text, bad
            print(f"python sdk: {len(tools)} tools, {len(resources)} resources, {len(prompts)} prompts; every answer validated against its outputSchema")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], pathlib.Path(sys.argv[2])))
