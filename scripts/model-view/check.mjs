// Checks what the model received in the model-view test (scripts/e2e-model.sh), from the request
// bodies Claude Code sent to the stand-in Messages API:
//   - every cf-scale tool is in the `tools` Claude Code sends, and no tool was skipped;
//   - each tool definition (name, description, input_schema as sent) and each answer, counted
//     with the Claude tokenizer, is within its budget; a table of the counts is printed;
//   - each answer is JSON that begins with its summary, held within its first 400 characters;
//   - no number is written in exponent notation; no answer to valid arguments is an error.
//
//   node check.mjs SCRIPT.json LOG.jsonl DEBUG_DIR EXPECTED_TOOLS.json [TABLE.md]
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { countTokens } from "@anthropic-ai/tokenizer";

const [scriptPath, logPath, debugDir, expectedPath, tablePath] = process.argv.slice(2);
const script = JSON.parse(readFileSync(scriptPath, "utf8"));
const expected = JSON.parse(readFileSync(expectedPath, "utf8"));
const DEFINITION_BUDGET = 1500;
const DEFINITIONS_BUDGET = 5000;
const SUMMARY_WITHIN = 400;

const failures = [];
const fail = (m) => failures.push(m);

const requests = readFileSync(logPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
const main = requests.filter((r) => (r.body?.tools || []).some((t) => t.name === "ToolSearch"));
if (main.length === 0) {
  console.error("model-view: Claude Code sent no main-loop request to the stand-in API");
  process.exit(1);
}
const last = main[main.length - 1].body;

// 1. Every tool reaches the model; nothing was skipped.
for (const f of readdirSync(debugDir)) {
  if (!f.endsWith(".txt")) continue;
  for (const line of readFileSync(join(debugDir, f), "utf8").split("\n")) {
    if (line.includes("Skipping tool")) fail(`Claude Code skipped a tool: ${line.trim()}`);
  }
}
const sent = new Map(last.tools.map((t) => [t.name, t]));
const definitionRows = [];
let definitionsTotal = 0;
for (const name of expected) {
  const def = sent.get(script.prefix + name);
  if (!def) {
    fail(`${name}: not among the tools Claude Code sends to the model`);
    continue;
  }
  const tokens = countTokens(JSON.stringify({ name: def.name, description: def.description, input_schema: def.input_schema }));
  definitionsTotal += tokens;
  definitionRows.push([name, tokens]);
  if (tokens > DEFINITION_BUDGET) fail(`${name}: definition is ${tokens} tokens (budget ${DEFINITION_BUDGET})`);
  const root = def.input_schema || {};
  for (const k of ["oneOf", "anyOf", "allOf"]) if (k in root) fail(`${name}: input_schema has a root ${k}`);
  if (root.type !== "object") fail(`${name}: input_schema root type is ${root.type}, not object`);
}
if (definitionsTotal > DEFINITIONS_BUDGET) {
  fail(`all tool definitions together are ${definitionsTotal} tokens (budget ${DEFINITIONS_BUDGET})`);
}
for (const name of expected) {
  if (!script.calls.some((c) => c.tool === name)) fail(`${name}: the script never calls it`);
}

// 2. The answers, as the model reads them.
const uses = new Map();
const results = new Map();
for (const m of last.messages) {
  if (!Array.isArray(m.content)) continue;
  for (const b of m.content) {
    if (b.type === "tool_use") uses.set(b.id, b);
    if (b.type === "tool_result") results.set(b.tool_use_id, b);
  }
}
const exponent = /^-?\d+(\.\d+)?[eE][+-]?\d+$/;
const exponentInText = /(?<![\w.])\d+(\.\d+)?[eE][+-]?\d+(?![\w.])/;
function findExponents(value, path, out) {
  if (typeof value === "number" && exponent.test(String(value))) out.push(`${path} = ${value}`);
  else if (typeof value === "string" && exponentInText.test(value)) out.push(`${path} contains "${value.match(exponentInText)[0]}"`);
  else if (Array.isArray(value)) value.forEach((v, i) => findExponents(v, `${path}[${i}]`, out));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) findExponents(v, `${path}.${k}`, out);
}
const answerRows = [];
script.calls.forEach((call, i) => {
  const id = `toolu_${String(i + 1).padStart(2, "0")}`;
  const label = `${call.tool} (${call.label})`;
  if (!uses.has(id)) {
    fail(`${label}: the call never reached the conversation`);
    return;
  }
  const result = results.get(id);
  if (!result) {
    fail(`${label}: no tool_result in the conversation`);
    return;
  }
  const text = typeof result.content === "string"
    ? result.content
    : (result.content || []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
  const tokens = countTokens(text);
  answerRows.push([label, tokens, call.budget ?? null]);
  if (result.is_error) {
    fail(`${label}: an error for valid arguments: ${text.slice(0, 300)}`);
    return;
  }
  if (call.budget && tokens > call.budget) fail(`${label}: answer is ${tokens} tokens (budget ${call.budget})`);
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail(`${label}: the answer is not the structured JSON (starts ${JSON.stringify(text.slice(0, 80))})`);
    return;
  }
  const summary = JSON.stringify(parsed.summary ?? null);
  if (!text.startsWith(`{"summary":${summary}`)) {
    fail(`${label}: the answer does not begin with its summary (starts ${JSON.stringify(text.slice(0, 80))})`);
  } else if (`{"summary":${summary}`.length > SUMMARY_WITHIN) {
    fail(`${label}: the summary ends at character ${`{"summary":${summary}`.length}, past ${SUMMARY_WITHIN}`);
  }
  if (typeof parsed.summary !== "string" || parsed.summary.length < 20) fail(`${label}: no real summary`);
  const found = [];
  findExponents(parsed, "$", found);
  if (found.length) fail(`${label}: numbers in exponent notation: ${found.slice(0, 5).join("; ")}`);
});

// 3. The table.
const lines = ["| tool definition (as Claude Code sends it) | tokens | budget |", "|---|---:|---:|"];
for (const [name, t] of definitionRows) lines.push(`| \`${name}\` | ${t.toLocaleString("en-US")} | ${DEFINITION_BUDGET.toLocaleString("en-US")} |`);
lines.push(`| **all definitions** | **${definitionsTotal.toLocaleString("en-US")}** | ${DEFINITIONS_BUDGET.toLocaleString("en-US")} |`);
lines.push("", "| answer (default `detail`, as the model reads it) | tokens | budget |", "|---|---:|---:|");
for (const [label, t, b] of answerRows) lines.push(`| ${label} | ${t.toLocaleString("en-US")} | ${b ? b.toLocaleString("en-US") : "—"} |`);
const table = lines.join("\n");
console.log(table);
if (tablePath) writeFileSync(tablePath, table + "\n");

if (failures.length) {
  console.error(`\nmodel-view: ${failures.length} problem(s):`);
  for (const f of failures) console.error(`- ${f}`);
  process.exit(1);
}
console.log(`\nmodel-view: ${expected.length} tools reach the model; ${answerRows.length} answers read as intended`);
