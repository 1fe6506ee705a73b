//! `durable_object`: split one overloaded Durable Object into N named shards.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    Alternative, Code, Context, PlanDetails, ShardPlan, identifier, non_negative, num, positive,
    step,
};
use crate::engine::model::{DurableObjectsUsage, InputError, QueuesUsage, UsageProfile};

fn half() -> f64 {
    0.5
}

fn default_name() -> String {
    "counter".to_owned()
}

/// Input of the `durable_object` strategy.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DurableObjectInput {
    /// Base name for the shards' names, default `counter` (durable_object) or `jobs` (queue).
    /// durable_object: the `idFromName` prefix; queue: queues are `<name>-0`, `<name>-1`, …
    #[serde(default = "default_name")]
    pub name: String,
    /// Peak requests per second to the object. Above 0, at most 100,000,000.
    pub peak_requests_per_second: f64,
    /// Requests per second one object serves; default the documented soft limit.
    #[serde(default)]
    pub per_object_rps: Option<f64>,
    /// Fraction of the limit each shard may use, default 0.5. Above 0, at most 1; for
    /// durable_object the limit is `per_object_rps`.
    #[serde(default = "half")]
    pub headroom: f64,
    /// Reads per second that need all shards combined, default 0. Each reads every shard.
    #[serde(default)]
    pub fan_in_reads_per_second: f64,
}

/// The numbers of a `durable_object` plan.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DurableObjectPlan {
    /// Number of objects.
    pub shard_count: u32,
    /// Requests per second each object takes at peak.
    pub requests_per_shard_per_second: f64,
    /// How shard names are built for `idFromName`.
    pub naming: String,
    /// How a read that needs all shards is served.
    pub fan_in: String,
}

pub(super) fn plan(ctx: &Context, i: &DurableObjectInput) -> Result<ShardPlan, InputError> {
    identifier("name", &i.name)?;
    let peak = positive("peak_requests_per_second", i.peak_requests_per_second, 1e8)?;
    let headroom = super::fraction("headroom", i.headroom)?;
    let fan_in = non_negative("fan_in_reads_per_second", i.fan_in_reads_per_second, 1e7)?;
    let soft = ctx.limit("durable_objects.requests_per_second_per_object")?;
    let month = ctx.month_seconds()?;
    let per_object = match i.per_object_rps {
        Some(v) => positive("per_object_rps", v, 1e6)?,
        None => soft.value,
    };
    let budget = per_object * headroom;
    let shards_f = (peak / budget).ceil().max(1.0);
    if shards_f > 100_000.0 {
        return Err(InputError::new(
            "peak_requests_per_second",
            format!(
                "would need {} objects; batch the writes through a Queue first",
                num(shards_f)
            ),
        ));
    }
    let shards = shards_f as u32;
    let per_shard = peak / f64::from(shards);
    let mut capacity = vec![step(
        "Soft limit of one Durable Object",
        soft.value,
        &soft.unit,
        Some(&soft),
    )];
    if i.per_object_rps.is_some() {
        capacity.push(step(
            "Requests per second one object serves (given)",
            per_object,
            "requests/second",
            None,
        ));
    }
    capacity.extend([
        step(
            format!(
                "Budget per object = {} × headroom {headroom}",
                num(per_object)
            ),
            budget,
            "requests/second",
            None,
        ),
        step(
            format!("Objects = ceil({} ÷ {})", num(peak), num(budget)),
            shards_f,
            "objects",
            None,
        ),
        step(
            format!("Each object takes {} ÷ {shards}", num(peak)),
            per_shard,
            "requests/second",
            None,
        ),
        step(
            format!(
                "Fan-in reads call every object: {} reads/s × {shards}",
                num(fan_in)
            ),
            fan_in * f64::from(shards),
            "requests/second",
            None,
        ),
    ]);

    let objects = |n: f64, fan: f64| UsageProfile {
        durable_objects: DurableObjectsUsage {
            requests: (peak + fan_in * fan) * month,
            active_seconds: n * month,
            ..Default::default()
        },
        ..Default::default()
    };
    let cost = ctx.cost(
        objects(1.0, 1.0),
        objects(f64::from(shards), f64::from(shards)),
        "the peak rate all month and every object active all month (an upper bound: hibernating objects bill no duration)".to_owned(),
    )?;
    let queue_usd = ctx.total(&UsageProfile {
        queues: QueuesUsage {
            messages: peak * month,
            ..Default::default()
        },
        durable_objects: DurableObjectsUsage {
            requests: month / 10.0,
            active_seconds: month,
            ..Default::default()
        },
        ..Default::default()
    })?;
    let mut warnings = Vec::new();
    if shards == 1 {
        warnings.push(format!(
            "{} requests/s fits one object within the headroom: no sharding needed.",
            num(peak)
        ));
    }
    if per_object > soft.value {
        warnings.push(format!(
            "per_object_rps {} is above the documented soft limit of {}: measure before relying on it.",
            num(per_object),
            num(soft.value)
        ));
    }
    let summary = format!(
        "Split `{}` into {shards} Durable Object{} named `{}:<0..{}>` so each takes {} requests/s at the {} requests/s peak ({} per object at {}% headroom). Reads that need the whole value call every shard; the plan's extra cost is up to {}/month.",
        i.name,
        if shards == 1 { "" } else { "s" },
        i.name,
        shards - 1,
        num(per_shard),
        num(peak),
        num(per_object),
        num(headroom * 100.0),
        crate::engine::model::dollars(cost.extra_usd),
    );
    let name = serde_json::to_string(&i.name).unwrap_or_default();
    Ok(ShardPlan {
        strategy: "durable_object".to_owned(),
        summary,
        capacity,
        plan: PlanDetails::DurableObject(DurableObjectPlan {
            shard_count: shards,
            requests_per_shard_per_second: per_shard,
            naming: format!("env.SHARDS.idFromName(`{}:${{shard}}`), shard = hash(routing key) % {shards}", i.name),
            fan_in: format!("Promise.all over the {shards} stubs, then combine (sum for counters)"),
        }),
        code: Code {
            typescript: Some(typescript(&name, shards)),
            sql: None,
            wrangler: Some(WRANGLER.to_owned()),
        },
        migration: vec![
            "Add the Shard class and its migration (new_sqlite_classes) and deploy.".to_owned(),
            format!("Route each write to shard hash(key) % {shards}: the same key always lands on the same object."),
            format!("Move the old object's state into the shard its keys now hash to, then switch reads to the fan-in."),
            "Remove the old object once it receives no requests.".to_owned(),
        ],
        cost: Some(cost),
        alternatives: vec![Alternative {
            design: "Buffer writes through a Queue into one object".to_owned(),
            why: "When writes can be applied late, a queue consumer can apply them in batches of up to 100, so one object sees a tenth of the requests or fewer.".to_owned(),
            monthly_usd: Some(queue_usd),
            pattern: Some("scale://patterns/d1-write-buffering".to_owned()),
        }],
        warnings,
        assumptions: vec![
            "Workers Paid limits and prices; SQLite-backed objects.".to_owned(),
            "Routing by a hash of a request key keeps each key on one object, so per-key state stays consistent.".to_owned(),
        ],
    })
}

const WRANGLER: &str = r#"{
  "durable_objects": {
    "bindings": [{ "name": "SHARDS", "class_name": "Shard" }]
  },
  "migrations": [{ "tag": "v1", "new_sqlite_classes": ["Shard"] }]
}
"#;

fn typescript(name: &str, shards: u32) -> String {
    format!(
        r#"import {{ DurableObject }} from "cloudflare:workers";

export interface Env {{
  SHARDS: DurableObjectNamespace<Shard>;
}}

const NAME = {name};
const SHARDS = {shards};

/** One shard: holds the part of the state whose keys hash to it. */
export class Shard extends DurableObject<Env> {{
  async add(by: number): Promise<number> {{
    const next = ((await this.ctx.storage.get<number>("value")) ?? 0) + by;
    await this.ctx.storage.put("value", next);
    return next;
  }}

  async value(): Promise<number> {{
    return (await this.ctx.storage.get<number>("value")) ?? 0;
  }}
}}

/** FNV-1a: a stable hash so one routing key always reaches the same shard. */
function shardOf(routingKey: string): number {{
  let h = 0x811c9dc5;
  for (let i = 0; i < routingKey.length; i++) {{
    h ^= routingKey.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }}
  return (h >>> 0) % SHARDS;
}}

function stub(env: Env, shard: number): DurableObjectStub<Shard> {{
  return env.SHARDS.get(env.SHARDS.idFromName(`${{NAME}}:${{shard}}`));
}}

/** Reads every shard and combines them. */
async function combined(env: Env): Promise<number> {{
  const parts = await Promise.all(Array.from({{ length: SHARDS }}, (_, i) => stub(env, i).value()));
  return parts.reduce((a, b) => a + b, 0);
}}

export default {{
  async fetch(request: Request, env: Env): Promise<Response> {{
    const url = new URL(request.url);
    if (request.method === "POST") {{
      const key = url.searchParams.get("key") ?? crypto.randomUUID();
      const value = await stub(env, shardOf(key)).add(1);
      return Response.json({{ shard: shardOf(key), value }});
    }}
    return Response.json({{ total: await combined(env) }});
  }},
}} satisfies ExportedHandler<Env>;
"#
    )
}
