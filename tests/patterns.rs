//! Text checks on the TypeScript patterns and configs in skills/scale/references/*.md.
//!
//! Agents copy these patterns into production, so each test pins one defect that an expert review
//! (2026-12) found and that a plain text check can catch: lost queue messages, KV read-modify-write
//! counters, unbounded caches, cache leaks across users, and wrong limits. The files are read from
//! disk; no crate API is used.

use std::path::PathBuf;

fn refs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("skills/scale/references")
}

fn read(file: &str) -> String {
    let path = refs_dir().join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

const FILES: [&str; 9] = [
    "caching.md",
    "cost.md",
    "d1.md",
    "memory.md",
    "observability.md",
    "queues.md",
    "replication.md",
    "sharding.md",
    "workers.md",
];

fn all_files() -> Vec<(&'static str, String)> {
    FILES.iter().map(|f| (*f, read(f))).collect()
}

/// The text of the `## Title {#id}` section, up to the next `## ` heading.
fn section(text: &str, id: &str) -> String {
    let marker = format!("{{#{id}}}");
    let mut out = String::new();
    let mut inside = false;
    let mut in_code = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && line.starts_with("## ") {
            if inside {
                break;
            }
            inside = line.contains(&marker);
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(!out.is_empty(), "no section {{#{id}}}");
    out
}

/// Fenced code blocks whose info string is one of `langs`.
fn blocks(text: &str, langs: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    // Some((keep, body)) while inside a fence.
    let mut current: Option<(bool, String)> = None;
    for line in text.lines() {
        match (current.take(), line.strip_prefix("```")) {
            (None, Some(info)) => current = Some((langs.contains(&info.trim()), String::new())),
            (Some((keep, body)), Some(_)) => {
                if keep {
                    out.push(body);
                }
            }
            (Some((keep, mut body)), None) => {
                body.push_str(line);
                body.push('\n');
                current = Some((keep, body));
            }
            (None, None) => {}
        }
    }
    out
}

fn ts(text: &str) -> String {
    blocks(text, &["ts", "typescript"]).join("\n")
}

fn config_blocks(text: &str) -> Vec<String> {
    blocks(text, &["jsonc", "json", "toml"])
}

/// Prose with line breaks folded into spaces, so phrases that wrap still match.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text between the bracket that opens at `open` and its matching close.
fn balanced(text: &str, open: usize) -> &str {
    let bytes = text.as_bytes();
    let (o, c) = match bytes[open] {
        b'(' => (b'(', b')'),
        b'[' => (b'[', b']'),
        b'{' => (b'{', b'}'),
        other => panic!("not a bracket: {}", other as char),
    };
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        if b == o {
            depth += 1;
        } else if b == c {
            depth -= 1;
            if depth == 0 {
                return &text[open + 1..i];
            }
        }
    }
    panic!("unbalanced bracket at {open}");
}

/// The argument lists of every call `name(` (so `"waitUntil"` matches `ctx.waitUntil(`).
fn call_args<'a>(code: &'a str, name: &str) -> Vec<&'a str> {
    let needle = format!("{name}(");
    code.match_indices(&needle)
        .filter(|(i, _)| {
            // Not part of a longer identifier such as `myfetch(`.
            code[..*i]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
        })
        .map(|(i, _)| balanced(code, i + needle.len() - 1))
        .collect()
}

/// The first argument of each `target.method(` / `target.method<T>(` call.
fn first_args(code: &str, target: &str, method: &str) -> Vec<String> {
    let needle = format!("{target}.{method}");
    let mut out = Vec::new();
    for (i, _) in code.match_indices(&needle) {
        let mut j = i + needle.len();
        let bytes = code.as_bytes();
        if bytes.get(j) == Some(&b'<') {
            let mut depth = 0;
            while j < bytes.len() {
                match bytes[j] {
                    b'<' => depth += 1,
                    b'>' => {
                        depth -= 1;
                        if depth == 0 {
                            j += 1;
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        if bytes.get(j) != Some(&b'(') {
            continue;
        }
        let args = balanced(code, j);
        let mut depth = 0i32;
        let mut end = args.len();
        for (k, ch) in args.char_indices() {
            match ch {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => {
                    end = k;
                    break;
                }
                _ => {}
            }
        }
        out.push(args[..end].trim().to_owned());
    }
    out
}

/// The body of the first `async name(...)` / `function name(...)` in `code`.
fn function_body<'a>(code: &'a str, name: &str) -> &'a str {
    let start = [format!("async {name}("), format!("function {name}(")]
        .iter()
        .filter_map(|n| code.find(n.as_str()))
        .min()
        .unwrap_or_else(|| panic!("no function {name}"));
    let params = start + code[start..].find('(').expect("parameter list");
    let after = params + balanced(code, params).len() + 2;
    // The body brace ends its line; braces in a return type (`Promise<{ a: T }>`) do not.
    let open = after + code[after..].find("{\n").expect("function body");
    balanced(code, open)
}

// ---- Queues ---------------------------------------------------------------------------------

/// T1: an enqueue inside `waitUntil` can fail after the client got its 202.
#[test]
fn no_enqueue_inside_wait_until() {
    for (file, text) in all_files() {
        let code = ts(&text);
        for args in call_args(&code, "waitUntil") {
            assert!(
                !args.contains("sendBatch(") && !args.contains(".send("),
                "{file}: waitUntil({args}) hands an enqueue to best-effort work"
            );
        }
    }
}

/// T1: the batching producer answers 503 with Retry-After when the enqueue fails.
#[test]
fn batching_producer_answers_503_with_retry_after() {
    let code = ts(&section(&read("queues.md"), "queue-batching"));
    let fetch = function_body(&code, "fetch");
    let send = fetch.find("sendBatch(").expect("producer sends");
    let accepted = fetch.find("status: 202").expect("producer answers 202");
    assert!(send < accepted, "202 is built before the enqueue");
    assert!(fetch.contains("status: 503"), "no 503 on enqueue failure");
    assert!(
        fetch.to_lowercase().contains("\"retry-after\""),
        "no Retry-After header on 503"
    );
    assert!(
        fetch.contains("await env.CLICKS.sendBatch("),
        "enqueue is not awaited"
    );
}

/// T2: `JSON.stringify(x).length` is UTF-16 code units, not bytes.
#[test]
fn byte_sizes_are_bytes_not_string_length() {
    for (file, text) in all_files() {
        let code = ts(&text);
        for (i, _) in code.match_indices("JSON.stringify(") {
            let open = i + "JSON.stringify".len();
            let after = &code[open + balanced(&code, open).len() + 2..];
            assert!(
                !after.starts_with(".length"),
                "{file}: JSON.stringify(...).length used as a size"
            );
        }
    }
    let code = ts(&section(&read("queues.md"), "queue-batching"));
    assert!(code.contains("new TextEncoder()") && code.contains(".byteLength"));
}

/// Every consumer object inside a `"consumers": [...]` array of a config block.
fn consumers(block: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in block.match_indices("\"consumers\"") {
        let open = i + block[i..].find('[').expect("consumers array");
        let array = balanced(block, open);
        let mut k = 0;
        while let Some(rel) = array[k..].find('{') {
            let obj = balanced(array, k + rel);
            out.push(obj.to_owned());
            k += rel + obj.len() + 2;
        }
    }
    // TOML form: [[queues.consumers]] tables.
    for (i, _) in block.match_indices("[[queues.consumers]]") {
        let rest = &block[i + "[[queues.consumers]]".len()..];
        let end = rest.find("\n[").unwrap_or(rest.len());
        out.push(rest[..end].to_owned());
    }
    out
}

/// T11: without a DLQ, messages that exhaust their retries are deleted.
#[test]
fn every_queue_consumer_example_has_a_dead_letter_queue() {
    let mut seen = 0;
    for (file, text) in all_files() {
        for block in config_blocks(&text) {
            for consumer in consumers(&block) {
                seen += 1;
                assert!(
                    consumer.contains("dead_letter_queue"),
                    "{file}: consumer without dead_letter_queue: {{{consumer}}}"
                );
            }
        }
    }
    assert!(seen >= 8, "found only {seen} consumer examples");
}

/// T11: the DLQ's own consumer must not delete the dead letters it exists to keep.
#[test]
fn dlq_consumer_retries_100_times_into_its_own_dlq_and_alerts() {
    let sec = section(&read("queues.md"), "dead-letter-queue");
    let dlq = config_blocks(&sec)
        .iter()
        .flat_map(|b| consumers(b))
        .find(|c| c.contains("\"queue\": \"orders-dlq\""))
        .expect("orders-dlq consumer");
    assert!(dlq.contains("\"max_retries\": 100"), "{dlq}");
    assert!(dlq.contains("\"dead_letter_queue\""), "{dlq}");
    let code = ts(&sec);
    assert!(code.contains("alert("), "the DLQ consumer raises no alert");
    assert!(
        code.contains("retryAll("),
        "a failed park is not retried explicitly"
    );
}

/// T12: outbound calls in queue consumers time out and release their bodies.
#[test]
fn queue_consumer_fetches_time_out_and_cancel_bodies() {
    let text = read("queues.md");
    for id in ["queue-concurrency", "queue-retries", "dead-letter-queue"] {
        let code = ts(&section(&text, id));
        let calls = call_args(&code, "await fetch");
        for args in &calls {
            assert!(
                args.contains("AbortSignal.timeout("),
                "{id}: fetch({args}) has no timeout"
            );
        }
        if !calls.is_empty() {
            assert!(
                code.contains("body?.cancel()"),
                "{id}: response bodies are never cancelled"
            );
        }
    }
}

// ---- KV counters ----------------------------------------------------------------------------

/// T3: a KV get-then-put on the same key loses increments; counters live in a Durable Object.
#[test]
fn kv_counter_pattern_does_no_get_then_put_on_one_key() {
    let code = ts(&section(&read("sharding.md"), "kv-key-sharding"));
    // Every identifier typed as a KV namespace (bindings and parameters).
    let mut kv_names: Vec<String> = Vec::new();
    for (i, _) in code.match_indices(": KVNamespace") {
        let name: String = code[..i]
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        kv_names.push(name);
    }
    assert!(!kv_names.is_empty(), "no KV namespace in the pattern");
    for name in &kv_names {
        let gets = first_args(&code, name, "get");
        let puts = first_args(&code, name, "put");
        for put in &puts {
            assert!(
                !gets.contains(put),
                "KV read-modify-write on `{put}` through `{name}`"
            );
        }
    }
    assert!(
        code.contains("extends DurableObject"),
        "the counter is not kept in a Durable Object"
    );
    assert!(
        !code.contains("waitUntil("),
        "the increment is handed to waitUntil"
    );
    let prose = flat(&section(&read("sharding.md"), "kv-key-sharding"));
    assert!(
        prose.contains("at most once per second"),
        "the object does not say it publishes to KV at most once per second"
    );
    assert!(
        prose.contains("Sharding KV keys cannot"),
        "no plain statement of what KV sharding cannot do"
    );
}

// ---- Caching --------------------------------------------------------------------------------

/// T4: a module-level memo map needs a cap and eviction.
#[test]
fn memo_map_is_bounded() {
    let code = ts(&section(&read("caching.md"), "edge-cache-kv-d1-hierarchy"));
    assert!(code.contains("const memo = new Map"));
    assert!(
        code.contains("memo.size") && code.contains("memo.delete("),
        "memo map has no cap or eviction"
    );
}

/// T5: only the writer writes the version pointer, and without a TTL.
#[test]
fn version_pointer_is_written_only_by_the_bump() {
    let code = ts(&section(&read("caching.md"), "version-key-invalidation"));
    let reader = function_body(&code, "groupVersion");
    assert!(
        !reader.contains(".put("),
        "the read path writes the pointer"
    );
    let pointer_puts: Vec<_> = call_args(&code, "CACHE_KV.put")
        .into_iter()
        .filter(|a| a.contains("ver:") || a.contains("pointerKey("))
        .collect();
    assert_eq!(pointer_puts.len(), 1, "{pointer_puts:?}");
    assert!(
        !pointer_puts[0].contains("expirationTtl"),
        "the pointer has a TTL: {}",
        pointer_puts[0]
    );
    let writer = function_body(&code, "bumpAfterWrite");
    assert!(writer.contains("await env.CACHE_KV.put("));
}

/// T15 (and d1.md's own advice): keyset pagination, not OFFSET, in every code example.
#[test]
fn no_offset_pagination_in_code() {
    for (file, text) in all_files() {
        let code = ts(&text).to_uppercase();
        assert!(!code.contains(" OFFSET "), "{file}: OFFSET pagination");
    }
}

/// T6: the tiered-cache proxy forwards the request and does not force TTLs on private pages.
#[test]
fn tiered_cache_proxy_forwards_and_bypasses_credentials() {
    let code = ts(&section(&read("caching.md"), "tiered-cache"));
    assert!(
        !code.contains("fetch(upstream.toString(), {"),
        "the proxy rebuilds the request from the URL and drops its headers"
    );
    assert!(code.contains("new Request(upstream.toString(), req)"));
    let lower = code.to_lowercase();
    assert!(
        lower.contains("headers.has(\"cookie\")")
            && lower.contains("headers.has(\"authorization\")"),
        "no bypass for Cookie / Authorization"
    );
    let forced = code
        .find("cacheTtlByStatus")
        .expect("cacheTtlByStatus example");
    let guard = code
        .find("PUBLIC_PREFIXES.some(")
        .expect("public prefix guard");
    assert!(
        guard < forced,
        "cacheTtlByStatus is not limited to public prefixes"
    );
}

/// T7: the Cache API does not bypass on credentials; shared keys must not carry per-user answers.
#[test]
fn cache_api_example_does_not_share_answers_between_callers() {
    let code = ts(&section(&read("caching.md"), "cache-api")).to_lowercase();
    assert!(
        code.contains("headers.has(\"authorization\")") && code.contains("headers.has(\"cookie\")"),
        "the POST->GET key ignores the caller"
    );
}

/// T8: the Workers Cache key rules that leak content across tenants and users.
#[test]
fn workers_cache_key_pitfalls_are_documented() {
    let sec = section(&read("caching.md"), "tiered-cache");
    let prose = flat(&sec);
    assert!(prose.contains("host is not in the key"), "host");
    assert!(prose.contains("`Cookie` are not in the key"), "cookie");
    assert!(prose.contains("heuristic freshness"), "heuristic freshness");
    assert!(prose.contains("ctx.props"), "ctx.props");
    let code = ts(&sec);
    assert!(
        code.contains("this.ctx.props") && code.contains("\"private, no-store\""),
        "no tenant-in-props example with private by default"
    );
}

/// T16: the write that triggers purges is authenticated, and purges are coalesced.
#[test]
fn tag_invalidation_write_is_authenticated_and_purges_coalesced() {
    let sec = section(&read("caching.md"), "tag-invalidation");
    let code = ts(&sec);
    let handler = function_body(&code, "fetch");
    let auth = handler.find("authorized(").expect("no auth check in fetch");
    let write = handler.find("UPDATE products").expect("write");
    assert!(auth < write, "the write happens before the auth check");
    assert!(
        !handler.contains("purge_cache"),
        "the request path purges directly"
    );
    assert!(
        !code.contains("waitUntil(purge"),
        "one purge per write in waitUntil"
    );
    assert!(
        code.contains("async queue("),
        "no coalescing consumer for purges"
    );
}

/// F2: the current Cache API page no longer says it does nothing on workers.dev.
#[test]
fn workers_dev_cache_claim_is_marked_undocumented() {
    let text = read("caching.md");
    for bullet in text.split("\n- ") {
        if bullet.contains("workers.dev") && bullet.contains("Cache API") {
            assert!(
                flat(bullet).contains("undocumented"),
                "workers.dev claim not marked undocumented: {}",
                flat(bullet)
            );
        }
    }
    let prose = flat(&text);
    assert!(!prose.contains("does nothing on `*.workers.dev`"));
    assert!(!prose.contains("Nothing is cached on `*.workers.dev`"));
}

/// F6: KV writes are usually, not always, visible at once where they were made.
#[test]
fn kv_local_visibility_is_usually_not_always() {
    let prose = flat(&read("caching.md"));
    assert!(!prose.contains("the new value is visible at once"));
    assert!(prose.contains("usually visible at once"));
}

// ---- D1 ----------------------------------------------------------------------------------

/// F5: D1 allows 1,000 queries per Worker invocation on Paid, not 10,000.
#[test]
fn d1_queries_per_invocation_is_1000() {
    for (file, text) in all_files() {
        let prose = flat(&text);
        for wrong in [
            "10,000 per invocation",
            "10,000 D1 queries",
            "10,000 queries per invocation",
            "10,000 queries per Worker invocation",
        ] {
            assert!(!prose.contains(wrong), "{file}: `{wrong}`");
        }
    }
    for file in ["sharding.md", "memory.md"] {
        assert!(
            flat(&read(file)).contains("1,000 queries per Worker invocation on Paid (50 on"),
            "{file} does not give the D1 query limit"
        );
    }
}

/// F4: big UPDATE/DELETE can reset the instance; chunk at about 10,000 rows.
#[test]
fn large_mutations_are_chunked_at_about_10k_rows() {
    let prose = flat(&read("d1.md"));
    assert!(!prose.contains("1,000 rows at a time"));
    assert!(prose.contains("reset the instance"));
    assert!(prose.contains("10,000 rows"));
    assert!(prose.contains("5 GB"), "aggregations on large databases");
}

/// T13: SQLite uses a partial index only when the query repeats the index's WHERE term.
#[test]
fn partial_index_queries_repeat_the_predicate() {
    let text = read("d1.md");
    let sql = blocks(&text, &["sql"]).join("\n");
    let mut predicates = Vec::new();
    for stmt in sql.split(';') {
        let stmt = flat(stmt);
        if let Some(i) = stmt.find("CREATE INDEX") {
            let stmt = &stmt[i..];
            if let Some(w) = stmt.find(" WHERE ") {
                predicates.push(stmt[w + " WHERE ".len()..].trim().to_owned());
            }
        }
    }
    assert!(!predicates.is_empty(), "no partial index example");
    let queries: Vec<String> = text
        .lines()
        .filter(|l| l.contains("SELECT") && l.contains("WHERE"))
        .map(flat)
        .collect();
    for p in &predicates {
        assert!(
            queries.iter().any(|q| q.contains(&format!("AND {p}"))),
            "no example query repeats the partial index predicate `{p}`"
        );
    }
}

/// T10 + F4: the archive deletes in bounded chunks inside the per-invocation query budget.
#[test]
fn archive_chunks_deletes_within_the_query_budget() {
    let code = ts(&section(&read("sharding.md"), "d1-time-partitioning"));
    let constant = |name: &str| -> u64 {
        let i = code
            .find(&format!("const {name} = "))
            .unwrap_or_else(|| panic!("no {name}"));
        let digits: String = code[i + name.len() + 9..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '_')
            .filter(char::is_ascii_digit)
            .collect();
        digits.parse().unwrap()
    };
    assert!(
        code.contains("DELETE FROM ${table}"),
        "rows are never deleted in chunks"
    );
    assert!(constant("CHUNK_ROWS") <= 10_000);
    assert!(constant("MAX_D1_QUERIES") < 1_000);
    // The table is dropped only in the branch where the chunk step found it empty.
    let empty = code.find("=== \"empty\")").expect("empty check");
    let drop = code.find("DROP TABLE").expect("drop");
    assert!(
        empty < drop && drop - empty < 200,
        "the table is dropped before it is empty"
    );
}

// ---- Memory and jobs --------------------------------------------------------------------

/// T9: a streamed export that runs out of D1 queries is cut off after the 200.
#[test]
fn streaming_export_is_capped_before_the_response_starts() {
    let sec = section(&read("memory.md"), "streaming");
    let code = ts(&sec);
    assert!(!flat(&code).contains("regardless of table size"));
    let cap = code.find("> MAX_INLINE_ROWS").expect("no row cap check");
    let stream = code
        .find("new Response(ordersCsv(")
        .expect("streamed response");
    assert!(cap < stream, "the cap is not checked before streaming");
    assert!(
        flat(&sec).contains("chunked job"),
        "no pointer to the job variant"
    );
}

/// T14: a chunk failure is caught, recorded and rescheduled with backoff.
#[test]
fn chunked_alarm_catches_records_and_backs_off() {
    let code = ts(&section(&read("memory.md"), "chunked-processing"));
    let alarm = function_body(&code, "alarm");
    let catch = alarm.find("catch (").expect("alarm has no try/catch");
    let handler = &alarm[catch..];
    assert!(handler.contains("lastError"), "the error is not recorded");
    assert!(
        handler.contains("setAlarm(Date.now() + backoff"),
        "no backoff reschedule"
    );
}

// ---- Workers, placement, Hyperdrive -------------------------------------------------------

/// F10: most Workers requests use under 1 ms of CPU.
#[test]
fn typical_cpu_is_under_a_millisecond() {
    let prose = flat(&read("workers.md"));
    assert!(!prose.contains("1 to 2 ms"));
    assert!(prose.contains("less than 1 ms of CPU"));
}

/// F8: the placement docs contradict each other on RPC; verify with request duration.
#[test]
fn placement_and_rpc_conflict_is_stated() {
    for (file, id) in [
        ("replication.md", "smart-placement"),
        ("workers.md", "service-bindings"),
    ] {
        let prose = flat(&section(&read(file), id));
        assert!(
            prose.contains("contradict") || prose.contains("disagree"),
            "{file}: conflict not stated"
        );
        assert!(
            prose.contains("request duration"),
            "{file}: no verification advice"
        );
    }
}

/// F7: the tenant directory is read with cacheTtl 300, so moves need a ~6 minute dual-write window.
#[test]
fn tenant_move_window_covers_the_directory_cache() {
    let sec = section(&read("sharding.md"), "d1-tenant-partitioning");
    assert!(sec.contains("cacheTtl: 300"));
    let prose = flat(&sec);
    assert!(!prose.contains("eventually consistent (~60 s)"));
    assert!(prose.contains("6 minutes"), "dual-write window not given");
}

/// F3: Hyperdrive caches reads by default (60 s max_age + 15 s stale_while_revalidate).
#[test]
fn hyperdrive_caching_is_on_by_default() {
    let prose = flat(&read("replication.md"));
    let i = prose
        .find("Hyperdrive caches read queries")
        .expect("Hyperdrive caching not described");
    let bullet = &prose[i..(i + 400).min(prose.len())];
    assert!(bullet.contains("by default"), "{bullet}");
    assert!(
        bullet.contains("60 s") && bullet.contains("15 s"),
        "{bullet}"
    );
}
