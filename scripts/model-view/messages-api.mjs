// A scripted stand-in for the Anthropic Messages API, bound to 127.0.0.1, for the model-view test
// (scripts/e2e-model.sh). It streams the server-sent events the real API sends (message_start,
// content_block_start / _delta / _stop, message_delta, message_stop) and plays a fixed script:
//
//   turn 0   ToolSearch "select:<every tool of the script>" (Claude Code defers MCP tools);
//   turn k   calls the script's k-th tool with its arguments;
//   last     a text answer that ends the turn.
//
// The turn is the number of assistant messages already in the conversation, so the server keeps
// no state. Requests that are not the main loop (no ToolSearch among their tools) get a short
// text answer. Every request body is appended to the log, one JSON object per line.
//
//   node messages-api.mjs SCRIPT.json LOG.jsonl PORT_FILE
//
// SCRIPT.json: {"prefix": "mcp__plugin_cloudflare-scale_cf-scale__",
//               "calls": [{"tool": "estimate_cost", "input": {...}}, ...]}
// The chosen port is written to PORT_FILE once the server listens. It exits on SIGTERM.
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";

const [scriptPath, logPath, portFile] = process.argv.slice(2);
const script = JSON.parse(readFileSync(scriptPath, "utf8"));
const names = [...new Set(script.calls.map((c) => script.prefix + c.tool))];

function events(res, content, stopReason) {
  const send = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  send("message_start", {
    message: {
      id: `msg_${Date.now()}`, type: "message", role: "assistant", model: "claude-stand-in",
      content: [], stop_reason: null, stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: 1 },
    },
  });
  content.forEach((block, index) => {
    if (block.type === "text") {
      send("content_block_start", { index, content_block: { type: "text", text: "" } });
      send("content_block_delta", { index, delta: { type: "text_delta", text: block.text } });
    } else {
      send("content_block_start", {
        index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
      });
      send("content_block_delta", {
        index, delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) },
      });
    }
    send("content_block_stop", { index });
  });
  send("message_delta", { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 1 } });
  send("message_stop", {});
  res.end();
}

function reply(body) {
  const mainLoop = (body.tools || []).some((t) => t.name === "ToolSearch");
  if (!mainLoop) return [[{ type: "text", text: "ok" }], "end_turn"];
  const turn = (body.messages || []).filter((m) => m.role === "assistant").length;
  if (turn === 0) {
    return [[
      { type: "text", text: "Loading the cf-scale tools." },
      { type: "tool_use", id: "toolu_search", name: "ToolSearch", input: { query: `select:${names.join(",")}` } },
    ], "tool_use"];
  }
  const call = script.calls[turn - 1];
  if (!call) return [[{ type: "text", text: "Done: every cf-scale tool answered." }], "end_turn"];
  return [[{
    type: "tool_use", id: `toolu_${String(turn).padStart(2, "0")}`, name: script.prefix + call.tool, input: call.input,
  }], "tool_use"];
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    let body = null;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "null");
    } catch {
      body = { unparsed: true };
    }
    appendFileSync(logPath, JSON.stringify({ method: req.method, path: req.url, body }) + "\n");
    if (req.method !== "POST" || !req.url.startsWith("/v1/messages")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ type: "error", error: { type: "not_found_error", message: "stand-in" } }));
      return;
    }
    if (req.url.startsWith("/v1/messages/count_tokens")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ input_tokens: 1000 }));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const [content, stop] = reply(body || {});
    events(res, content, stop);
  });
});
server.listen(0, "127.0.0.1", () => writeFileSync(portFile, String(server.address().port)));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
