//! `queue`: enough queues, consumer batching and concurrency for a producer's message rate.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Alternative, Code, Context, PlanDetails, ShardPlan, identifier, num, positive, step};
use crate::engine::model::{InputError, QueuesUsage, UsageProfile};

fn half() -> f64 {
    0.5
}

fn default_name() -> String {
    "jobs".to_owned()
}

/// Input of the `queue` strategy.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueInput {
    /// Base name for the shards' names, default `counter` (durable_object) or `jobs` (queue).
    /// durable_object: the `idFromName` prefix; queue: queues are `<name>-0`, `<name>-1`, …
    #[serde(default = "default_name")]
    pub name: String,
    /// Peak messages sent per second. Above 0, at most 100,000,000.
    pub messages_per_second: f64,
    /// Average message KB (1 KB = 1,000 bytes). At most the 128 KB message limit.
    pub message_kb: f64,
    /// Consumer wall-clock ms per message. Above 0, at most the 15-minute consumer limit.
    pub processing_ms_per_message: f64,
    /// Fraction of the limit each shard may use, default 0.5. Above 0, at most 1; for queue the
    /// limits are per queue.
    #[serde(default = "half")]
    pub headroom: f64,
}

/// The numbers of a `queue` plan.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct QueuePlan {
    /// Number of queues.
    pub queue_count: u32,
    /// Queue names.
    pub queues: Vec<String>,
    /// Messages per second each queue takes at peak.
    pub messages_per_queue_per_second: f64,
    /// Consumer `max_batch_size`.
    pub max_batch_size: u32,
    /// Consumer `max_batch_timeout` in seconds.
    pub max_batch_timeout: u32,
    /// Concurrent consumer invocations each queue needs at peak.
    pub consumers_needed_per_queue: u32,
    /// `max_concurrency`: a number, or "leave unset" with why.
    pub max_concurrency: String,
    /// The dead-letter queue.
    pub dead_letter_queue: String,
    /// Consumer `max_retries`.
    pub max_retries: u32,
    /// Billed queue operations per month at the peak rate.
    pub operations_per_month: f64,
}

pub(super) fn plan(ctx: &Context, i: &QueueInput) -> Result<ShardPlan, InputError> {
    identifier("name", &i.name)?;
    let mps = positive("messages_per_second", i.messages_per_second, 1e8)?;
    let kb = positive("message_kb", i.message_kb, 1e6)?;
    let ms = positive(
        "processing_ms_per_message",
        i.processing_ms_per_message,
        9e5,
    )?;
    let headroom = super::fraction("headroom", i.headroom)?;
    let rate = ctx.limit("queues.messages_per_second_per_queue")?;
    let size = ctx.limit("queues.message_size_kb")?;
    let batch_max = ctx.limit("queues.batch_size_max")?;
    let timeout_max = ctx.limit("queues.batch_timeout_max_seconds")?;
    let concurrency = ctx.limit("queues.consumer_concurrency")?;
    let retries = ctx.limit("queues.retries_default")?;
    let wall = ctx.limit("queues.consumer_wall_clock_minutes")?;
    let month = ctx.month_seconds()?;
    if kb > size.value {
        return Err(InputError::new(
            "message_kb",
            format!(
                "{} KB is over the {} KB message limit: store the payload in R2 and send its key",
                num(kb),
                num(size.value)
            ),
        ));
    }
    if ms > wall.value * 60_000.0 {
        return Err(InputError::new(
            "processing_ms_per_message",
            format!(
                "one message takes longer than a consumer may run ({} min): split the work into Workflow steps",
                num(wall.value)
            ),
        ));
    }

    let by_rate = (mps / (rate.value * headroom)).ceil().max(1.0);
    let consumers_total = (mps * ms / 1000.0).ceil().max(1.0);
    let by_consumers = (consumers_total / (concurrency.value * headroom))
        .ceil()
        .max(1.0);
    let count_f = by_rate.max(by_consumers);
    if count_f > 1000.0 {
        return Err(InputError::new(
            "messages_per_second",
            format!("would need {} queues", num(count_f)),
        ));
    }
    let count = count_f as u32;
    let per_queue = mps / f64::from(count);
    let consumers = (per_queue * ms / 1000.0).ceil().max(1.0);
    // A batch should finish well inside the consumer's wall-clock limit: use a quarter of it.
    let batch = ((wall.value * 60_000.0 * 0.25) / ms)
        .floor()
        .clamp(1.0, batch_max.value);
    let fill_seconds = batch / per_queue;
    let timeout = fill_seconds.ceil().clamp(1.0, timeout_max.value);
    let chunks = (kb / 64.0).ceil().max(1.0);
    let operations = mps * month * chunks * 3.0;

    let capacity = vec![
        step(
            "Messages per second one queue accepts",
            rate.value,
            &rate.unit,
            Some(&rate),
        ),
        step(
            format!(
                "Queues for the rate = ceil({} ÷ ({} × {headroom}))",
                num(mps),
                num(rate.value)
            ),
            by_rate,
            "queues",
            None,
        ),
        step(
            format!(
                "Consumers busy at peak = {} msg/s × {} ms ÷ 1000",
                num(mps),
                num(ms)
            ),
            consumers_total,
            "invocations",
            None,
        ),
        step(
            "Concurrent consumer invocations per queue",
            concurrency.value,
            &concurrency.unit,
            Some(&concurrency),
        ),
        step(
            format!(
                "Queues for the consumers = ceil({} ÷ ({} × {headroom}))",
                num(consumers_total),
                num(concurrency.value)
            ),
            by_consumers,
            "queues",
            None,
        ),
        step("Queues = the larger of the two", count_f, "queues", None),
        step(
            "Largest consumer batch",
            batch_max.value,
            &batch_max.unit,
            Some(&batch_max),
        ),
        step(
            format!(
                "max_batch_size = min({}, a quarter of the {}-minute consumer limit ÷ {} ms)",
                num(batch_max.value),
                num(wall.value),
                num(ms)
            ),
            batch,
            "messages",
            Some(&wall),
        ),
        step(
            format!(
                "max_batch_timeout = time to fill a batch ({} ÷ {} msg/s), 1 to {} s",
                num(batch),
                num(per_queue),
                num(timeout_max.value)
            ),
            timeout,
            "seconds",
            Some(&timeout_max),
        ),
        step(
            format!(
                "Operations = {} msg/s × {} s × {} chunk(s) of 64 KB × 3 (write, read, delete)",
                num(mps),
                num(month),
                num(chunks)
            ),
            operations,
            "operations/month",
            None,
        ),
    ];

    let cost = ctx.cost(
        UsageProfile::default(),
        UsageProfile {
            queues: QueuesUsage { messages: mps * month, message_kb: kb, ..Default::default() },
            ..Default::default()
        },
        "queue operations at the peak rate all month (an upper bound), no retries; the baseline is no queue".to_owned(),
    )?;
    let max_concurrency = if consumers <= concurrency.value {
        format!(
            "leave unset: autoscaling adds consumers as the backlog grows, up to {}, and {} are needed at peak",
            num(concurrency.value),
            num(consumers)
        )
    } else {
        num(concurrency.value)
    };
    let names: Vec<String> = (0..count).map(|n| format!("{}-{n}", i.name)).collect();
    let dlq = format!("{}-dlq", i.name);
    let max_retries = retries.value as u32;
    let mut warnings = Vec::new();
    if chunks > 1.0 {
        warnings.push(format!(
            "{} KB messages bill {} operations per step: keep them under 64 KB or send an R2 key instead.",
            num(kb),
            num(chunks)
        ));
    }
    let summary = format!(
        "Use {count} queue{} (`{}-<0..{}>`) so each takes {} msg/s of the {} msg/s peak, with consumers batching {} messages (timeout {} s), max_concurrency {}, {} retries and the dead-letter queue `{dlq}`. At the peak rate that is {} operations a month, {}.",
        if count == 1 { "" } else { "s" },
        i.name,
        count - 1,
        num(per_queue),
        num(mps),
        num(batch),
        num(timeout),
        if consumers <= concurrency.value {
            "unset (autoscaling)".to_owned()
        } else {
            num(concurrency.value)
        },
        max_retries,
        num(operations),
        crate::engine::model::dollars(cost.extra_usd),
    );
    Ok(ShardPlan {
        strategy: "queue".to_owned(),
        summary,
        capacity,
        plan: PlanDetails::Queue(QueuePlan {
            queue_count: count,
            queues: names.clone(),
            messages_per_queue_per_second: per_queue,
            max_batch_size: batch as u32,
            max_batch_timeout: timeout as u32,
            consumers_needed_per_queue: consumers as u32,
            max_concurrency,
            dead_letter_queue: dlq.clone(),
            max_retries,
            operations_per_month: operations,
        }),
        code: Code {
            typescript: Some(typescript(&names)),
            sql: None,
            wrangler: Some(wrangler(&names, &dlq, batch as u32, timeout as u32, max_retries, consumers > concurrency.value, concurrency.value as u32)),
        },
        migration: vec![
            format!("Create the queues: {} and {dlq} (wrangler queues create).", names.join(", ")),
            "Deploy the consumer for every queue, with the dead-letter queue configured.".to_owned(),
            "Deploy producers that spread messages over the queues (hash of a key, or round-robin) using sendBatch.".to_owned(),
            "Watch backlog and consumer concurrency in the dashboard; reprocess the dead-letter queue after fixes.".to_owned(),
        ],
        cost: Some(cost),
        alternatives: vec![Alternative {
            design: "Fewer, larger messages".to_owned(),
            why: "Grouping events into one message (under 64 KB) divides operations and the message rate by the group size.".to_owned(),
            monthly_usd: None,
            pattern: Some("scale://patterns/queue-batching".to_owned()),
        }],
        warnings,
        assumptions: vec![
            "Workers Paid limits and prices.".to_owned(),
            "Each consumer invocation handles its batch one message after another; parallel work inside a batch needs fewer consumers.".to_owned(),
        ],
    })
}

fn binding(name: &str) -> String {
    name.to_ascii_uppercase().replace('-', "_")
}

fn wrangler(
    names: &[String],
    dlq: &str,
    batch: u32,
    timeout: u32,
    retries: u32,
    pin: bool,
    concurrency: u32,
) -> String {
    let mut s = String::from("{\n  \"queues\": {\n    \"producers\": [\n");
    for (n, q) in names.iter().enumerate() {
        let comma = if n + 1 < names.len() { "," } else { "" };
        let _ = writeln!(
            s,
            "      {{ \"binding\": \"{}\", \"queue\": \"{q}\" }}{comma}",
            binding(q)
        );
    }
    s.push_str("    ],\n    \"consumers\": [\n");
    let concurrency = if pin {
        format!(", \"max_concurrency\": {concurrency}")
    } else {
        String::new()
    };
    for (n, q) in names.iter().enumerate() {
        let comma = if n + 1 < names.len() { "," } else { "" };
        let _ = writeln!(
            s,
            "      {{ \"queue\": \"{q}\", \"max_batch_size\": {batch}, \"max_batch_timeout\": {timeout}, \"max_retries\": {retries}, \"dead_letter_queue\": \"{dlq}\"{concurrency} }}{comma}"
        );
    }
    s.push_str("    ]\n  }\n}\n");
    s
}

fn typescript(names: &[String]) -> String {
    let mut env = String::new();
    for q in names {
        let _ = writeln!(env, "  {}: Queue<Job>;", binding(q));
    }
    let list: Vec<String> = names
        .iter()
        .map(|q| format!("\"{}\"", binding(q)))
        .collect();
    format!(
        r#"export interface Job {{
  id: string;
  payload: unknown;
}}

export interface Env {{
{env}}}

const QUEUES = [{list}] as const;

/** FNV-1a, so one key's messages stay on one queue (and in order relative to each other). */
function queueFor(env: Env, key: string): Queue<Job> {{
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {{
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }}
  return env[QUEUES[(h >>> 0) % QUEUES.length]];
}}

/** Sends jobs in batches of up to 100 messages per call. */
export async function enqueue(env: Env, jobs: Job[]): Promise<void> {{
  const byQueue = new Map<Queue<Job>, Job[]>();
  for (const job of jobs) {{
    const q = queueFor(env, job.id);
    byQueue.set(q, [...(byQueue.get(q) ?? []), job]);
  }}
  for (const [q, list] of byQueue) {{
    for (let i = 0; i < list.length; i += 100) {{
      await q.sendBatch(list.slice(i, i + 100).map((body) => ({{ body }})));
    }}
  }}
}}

async function handle(job: Job): Promise<void> {{
  // Your processing goes here.
  void job;
}}

export default {{
  async fetch(request: Request, env: Env): Promise<Response> {{
    const jobs = (await request.json()) as Job[];
    await enqueue(env, jobs);
    return new Response(null, {{ status: 202 }});
  }},

  /** One consumer for every queue: ack each message on success, retry only the failures. */
  async queue(batch: MessageBatch<Job>, env: Env): Promise<void> {{
    void env;
    for (const message of batch.messages) {{
      try {{
        await handle(message.body);
        message.ack();
      }} catch {{
        message.retry({{ delaySeconds: Math.min(60 * 2 ** message.attempts, 3600) }});
      }}
    }}
  }},
}} satisfies ExportedHandler<Env, Job>;
"#,
        list = list.join(", ")
    )
}
