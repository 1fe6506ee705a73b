//! `kv_key`: spread a hot KV key's writes over N shard keys.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    Alternative, Code, Context, PlanDetails, ShardPlan, non_negative, num, positive, step,
};
use crate::engine::model::{DurableObjectsUsage, InputError, KvUsage, UsageProfile};

/// Shard counts above this make every read a wide fan-out; the plan then recommends another design.
const SENSIBLE_SHARDS: u32 = 64;

fn half() -> f64 {
    0.5
}

/// Input of the `kv_key` strategy.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KvKeyInput {
    /// The hot key, e.g. `pageviews:home`. At most 400 characters.
    pub key: String,
    /// Peak writes per second to the key. Above 0, at most 10,000,000.
    pub peak_writes_per_second: f64,
    /// Logical reads per second of the value. Each reads every shard; default 0, at most
    /// 10,000,000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reads_per_second: Option<f64>,
    /// Fraction of the limit each shard may use, default 0.5. Above 0, at most 1; for kv_key the
    /// limit is 1 write/s per key.
    #[serde(default = "half")]
    pub headroom: f64,
}

/// The numbers of a `kv_key` plan.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct KvKeyPlan {
    /// Number of shard keys.
    pub shard_count: u32,
    /// Writes per second each shard takes at peak.
    pub writes_per_shard_per_second: f64,
    /// How shard keys are named.
    pub shard_key_pattern: String,
    /// The shard keys (the first 64 when there are more).
    pub shard_keys: Vec<String>,
    /// KV reads per logical read of the value.
    pub reads_per_logical_read: u32,
    /// KV reads per month caused by reading the value; absent without `reads_per_second`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kv_reads_per_month: Option<f64>,
}

pub(super) fn plan(ctx: &Context, i: &KvKeyInput) -> Result<ShardPlan, InputError> {
    if i.key.is_empty() || i.key.len() > 400 {
        return Err(InputError::new(
            "key",
            format!("must be 1 to 400 characters (got {})", i.key.len()),
        ));
    }
    let peak = positive("peak_writes_per_second", i.peak_writes_per_second, 1e7)?;
    let reads_given = i.reads_per_second.is_some();
    let reads = non_negative("reads_per_second", i.reads_per_second.unwrap_or(0.0), 1e7)?;
    let headroom = super::fraction("headroom", i.headroom)?;
    let per_key = ctx.limit("kv.writes_per_key_per_second")?;
    let ops_per_invocation = ctx.limit("kv.operations_per_invocation")?;
    let do_rps = ctx.limit("durable_objects.requests_per_second_per_object")?;
    let month = ctx.month_seconds()?;

    let budget = per_key.value * headroom;
    let shards_f = (peak / budget).ceil().max(1.0);
    if shards_f > 1e6 {
        return Err(InputError::new(
            "peak_writes_per_second",
            format!(
                "would need {} shard keys; count with a Durable Object or Analytics Engine instead",
                num(shards_f)
            ),
        ));
    }
    let shards = shards_f as u32;
    let per_shard = peak / f64::from(shards);
    let reads_month = reads * month * f64::from(shards);
    let mut capacity = vec![
        step(
            "KV allows this many writes per second to one key",
            per_key.value,
            &per_key.unit,
            Some(&per_key),
        ),
        step(
            format!(
                "Budget per shard = {} × headroom {headroom}",
                num(per_key.value)
            ),
            budget,
            "writes/second",
            None,
        ),
        step(
            format!(
                "Shards = ceil({} peak writes/s ÷ {} per shard)",
                num(peak),
                num(budget)
            ),
            shards_f,
            "shards",
            None,
        ),
        step(
            format!("Each shard takes {} ÷ {shards}", num(peak)),
            per_shard,
            "writes/second",
            None,
        ),
    ];
    // Without a read rate the fan-out is unknown, not zero: no step, no price.
    if reads_given {
        capacity.push(step(
            format!(
                "A logical read sums all {shards} shards: {} reads/s × {shards} × {} s/month",
                num(reads),
                num(month)
            ),
            reads_month,
            "KV reads/month",
            None,
        ));
    }

    let writes_month = peak * month;
    let kv = |reads_per_month: f64| UsageProfile {
        kv: KvUsage {
            reads: reads_per_month,
            writes: writes_month,
            ..Default::default()
        },
        ..Default::default()
    };
    let cost = ctx.cost(
        kv(reads * month),
        kv(reads_month),
        if reads_given {
            format!(
                "KV writes at the peak rate all month ({} writes) and {} logical reads/s; the plan reads {shards} keys per logical read",
                num(writes_month),
                num(reads)
            )
        } else {
            format!(
                "KV writes at the peak rate all month ({} writes); reads are not priced (give reads_per_second)",
                num(writes_month)
            )
        },
    )?;

    // The alternative: one Durable Object holding the counter (exact, strongly consistent).
    let do_requests = (peak + reads) * month;
    let do_profile = UsageProfile {
        durable_objects: DurableObjectsUsage {
            requests: do_requests,
            active_seconds: month,
            ..Default::default()
        },
        ..Default::default()
    };
    let do_usd = ctx.total(&do_profile)?;
    let ae_profile = UsageProfile {
        analytics_engine: crate::engine::model::AnalyticsEngineUsage {
            data_points: writes_month,
            read_queries: reads * month,
        },
        ..Default::default()
    };
    let ae_usd = ctx.total(&ae_profile)?;
    let do_shards = ((peak + reads) / (do_rps.value * 0.5)).ceil().max(1.0);
    let mut alternatives = vec![Alternative {
        design: "A Durable Object counter".to_owned(),
        why: format!(
            "Exact and strongly consistent: one object serializes increments, so none is lost and reads need no fan-out. {} requests/s against a soft limit of {} per object{}.",
            num(peak + reads),
            num(do_rps.value),
            if do_shards > 1.0 {
                format!(
                    ": shard it over {} objects (shard_plan strategy durable_object)",
                    num(do_shards)
                )
            } else {
                String::new()
            }
        ),
        monthly_usd: Some(do_usd),
        pattern: Some("scale://patterns/durable-object-sharding".to_owned()),
    }];
    alternatives.push(Alternative {
        design: "Workers Analytics Engine".to_owned(),
        why: "For metrics you aggregate later (page views, events): writeDataPoint has no per-key limit and SQL sums the points. Not for values read on the request path (rate limits): queries are slow and billed per query. Priced, not billed yet.".to_owned(),
        monthly_usd: Some(ae_usd),
        pattern: Some("scale://patterns/analytics-engine-metrics".to_owned()),
    });

    let mut warnings = vec![
        "Never count with KV get-then-put, sharded or not: KV has no atomic increment and get() reads a cached copy up to 60 s old, so increments are lost systematically. The code counts in one Durable Object per shard, which keeps every increment and writes its shard's total to KV at most once a second (KV is then written blind, one writer per key). KV key sharding alone suits only data with a single writer per key.".to_owned(),
    ];
    if shards == 1 {
        warnings.push(format!(
            "{} writes/s fits one key within the headroom: no sharding needed.",
            num(peak)
        ));
    }
    if shards > SENSIBLE_SHARDS {
        warnings.push(format!(
            "{shards} shards is more than {SENSIBLE_SHARDS}: every read fans out to {shards} keys. Prefer the Durable Object counter."
        ));
    }
    if f64::from(shards) > ops_per_invocation.value {
        warnings.push(format!(
            "A read of {shards} keys exceeds the {} KV operations allowed per invocation.",
            num(ops_per_invocation.value)
        ));
    }
    if reads_given && cost.plan_usd > do_usd {
        warnings.push(format!(
            "The read fan-out makes this plan ({}/month) dearer than a Durable Object counter ({}/month).",
            crate::engine::model::dollars(cost.plan_usd),
            crate::engine::model::dollars(do_usd)
        ));
    }

    let key_literal = serde_json::to_string(&i.key).unwrap_or_default();
    let pattern = format!("{}:shard:<0..{}>", i.key, shards - 1);
    let shard_keys = (0..shards.min(64))
        .map(|n| format!("{}:shard:{n}", i.key))
        .collect();
    let reads_text = if reads_given {
        format!(
            "Each logical read sums {shards} keys ({} KV reads a month); the plan's extra cost is {}/month.",
            num(reads_month),
            crate::engine::model::dollars(cost.extra_usd)
        )
    } else {
        format!(
            "Each logical read sums {shards} keys; give reads_per_second to price that fan-out."
        )
    };
    let summary = format!(
        "Count `{}` in {shards} Durable Object shard{} that each publish to one KV key at most once a second: each takes {} increments/s at the {} writes/s peak, and no key passes the {} write/s per-key limit ({}% headroom). {reads_text}",
        i.key,
        if shards == 1 { "" } else { "s" },
        num(per_shard),
        num(peak),
        num(per_key.value),
        num(headroom * 100.0),
    );
    Ok(ShardPlan {
        strategy: "kv_key".to_owned(),
        summary,
        capacity,
        plan: PlanDetails::KvKey(KvKeyPlan {
            shard_count: shards,
            writes_per_shard_per_second: per_shard,
            shard_key_pattern: pattern,
            shard_keys,
            reads_per_logical_read: shards,
            kv_reads_per_month: reads_given.then_some(reads_month),
        }),
        code: Code {
            typescript: Some(typescript(&key_literal, shards)),
            sql: None,
            wrangler: Some(WRANGLER.to_owned()),
        },
        migration: vec![
            format!(
                "Deploy the counter objects: each increment goes to one of {shards} ShardCounter objects, which publishes its total to `{}:shard:<n>` at most once a second.",
                i.key
            ),
            format!(
                "Seed shard 0's object with the current value of `{}` (one call to add()).",
                i.key
            ),
            "Switch readers to total() (the published shard keys, about a second behind plus KV propagation) or exact() (the objects).".to_owned(),
            format!("Delete the old key `{}` once no reader uses it.", i.key),
        ],
        // Without a read rate the fan-out, the plan's only extra cost, is unknown: no stand-in 0.
        cost: reads_given.then_some(cost),
        alternatives,
        warnings,
        assumptions: vec![
            "Workers Paid limits and prices.".to_owned(),
            "Writes are priced as if the peak rate lasted all month: an upper bound.".to_owned(),
        ],
    })
}

const WRANGLER: &str = r#"{
  "kv_namespaces": [
    { "binding": "COUNTERS", "id": "<your-kv-namespace-id>" }
  ],
  "durable_objects": {
    "bindings": [{ "name": "SHARD_COUNTER", "class_name": "ShardCounter" }]
  },
  "migrations": [{ "tag": "v1", "new_sqlite_classes": ["ShardCounter"] }]
}
"#;

fn typescript(key: &str, shards: u32) -> String {
    format!(
        r#"import {{ DurableObject }} from "cloudflare:workers";

export interface Env {{
  COUNTERS: KVNamespace;
  SHARD_COUNTER: DurableObjectNamespace<ShardCounter>;
}}

const KEY = {key};
const SHARDS = {shards};
const PUBLISH_MS = 1_000; // KV accepts 1 write per second per key

function shardKey(i: number): string {{
  return `${{KEY}}:shard:${{i}}`;
}}

/** One shard of the count. Calls to one object run one at a time, so no increment is lost; the
 * object is the only writer of its KV key and writes it blind (never get-then-put). */
export class ShardCounter extends DurableObject<Env> {{
  constructor(ctx: DurableObjectState, env: Env) {{
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS counter (key TEXT PRIMARY KEY, n INTEGER NOT NULL, published INTEGER NOT NULL)",
    );
  }}

  async add(key: string, by: number): Promise<number> {{
    const {{ n }} = this.ctx.storage.sql
      .exec<{{ n: number }}>(
        "INSERT INTO counter (key, n, published) VALUES (?, ?, 0) ON CONFLICT(key) DO UPDATE SET n = n + excluded.n RETURNING n",
        key,
        by,
      )
      .one();
    // Coalesce: however many increments arrive, one alarm publishes them together.
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + PUBLISH_MS);
    return n;
  }}

  async value(key: string): Promise<number> {{
    return this.ctx.storage.sql.exec<{{ n: number }}>("SELECT n FROM counter WHERE key = ?", key).toArray()[0]?.n ?? 0;
  }}

  async alarm(): Promise<void> {{
    const dirty = this.ctx.storage.sql
      .exec<{{ key: string; n: number }}>("SELECT key, n FROM counter WHERE n != published")
      .toArray();
    try {{
      for (const row of dirty) {{
        await this.env.COUNTERS.put(row.key, String(row.n));
        this.ctx.storage.sql.exec("UPDATE counter SET published = ? WHERE key = ?", row.n, row.key);
      }}
    }} catch (err) {{
      // The totals are safe in this object: publish again a little later.
      console.warn({{ event: "counter_publish_failed", error: String(err) }});
      await this.ctx.storage.setAlarm(Date.now() + 5 * PUBLISH_MS);
    }}
  }}
}}

function shard(env: Env, i: number): DurableObjectStub<ShardCounter> {{
  return env.SHARD_COUNTER.get(env.SHARD_COUNTER.idFromName(shardKey(i)));
}}

/** Adds `by` in one shard's object, chosen at random; awaited, so the caller knows it is kept. */
export async function increment(env: Env, by = 1): Promise<number> {{
  const i = Math.floor(Math.random() * SHARDS);
  return shard(env, i).add(shardKey(i), by);
}}

/** The published total: every shard key in one bulk read (about a second behind, plus KV's
 * propagation to other locations). */
export async function total(env: Env): Promise<number> {{
  const keys = Array.from({{ length: SHARDS }}, (_, i) => shardKey(i));
  let sum = 0;
  for (let i = 0; i < keys.length; i += 100) {{
    const values = await env.COUNTERS.get(keys.slice(i, i + 100));
    for (const v of values.values()) sum += Number(v ?? "0");
  }}
  return sum;
}}

/** The exact total, from the objects themselves ({shards} requests). */
export async function exact(env: Env): Promise<number> {{
  const parts = await Promise.all(Array.from({{ length: SHARDS }}, (_, i) => shard(env, i).value(shardKey(i))));
  return parts.reduce((a, b) => a + b, 0);
}}

export default {{
  async fetch(request: Request, env: Env): Promise<Response> {{
    if (request.method === "POST") {{
      try {{
        await increment(env);
      }} catch {{
        return new Response("counter unavailable", {{ status: 503, headers: {{ "retry-after": "1" }} }});
      }}
      return new Response(null, {{ status: 204 }});
    }}
    const exactly = new URL(request.url).searchParams.has("exact");
    return Response.json({{ key: KEY, total: exactly ? await exact(env) : await total(env) }});
  }},
}} satisfies ExportedHandler<Env>;
"#
    )
}
