//! `analyze_config`: reads a Wrangler configuration (wrangler.toml, wrangler.json, wrangler.jsonc)
//! with real parsers, resolves an environment the way Wrangler does, lists every binding by kind,
//! and lints the settings that matter for scale. Limits come from `limits.toml`.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::model::{ConfigFormat, InputError, Plan, Service, from_json_ref};
use crate::knowledge::{Limit, LimitValue, Severity};

/// Largest configuration accepted, bytes.
pub const MAX_CONFIG_BYTES: usize = 1 << 20;

/// Input of `analyze_config`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalyzeInput {
    /// The file's text, at most 1 MiB (or give path).
    #[serde(default)]
    pub content: Option<String>,
    /// Path relative to the server's working directory, instead of content.
    #[serde(default)]
    pub path: Option<String>,
    /// The syntax; sniffed when absent.
    #[serde(default)]
    pub format: Option<ConfigFormat>,
    /// Wrangler environment to resolve (`env.<name>`); the top level when absent.
    #[serde(default)]
    pub env: Option<String>,
    /// Report a compatibility_date older than this YYYY-MM-DD as stale.
    #[serde(default)]
    pub stale_before: Option<String>,
    /// Workers plan for plan-specific limits, default paid. Cron triggers differ on Free.
    #[serde(default)]
    pub plan: Option<Plan>,
}

/// A binding: its name in `env` and what it points at.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Binding {
    /// The binding name the code uses (`env.NAME`).
    pub name: String,
    /// The namespace id, database, bucket, class, queue, service or index it points at.
    pub target: String,
}

/// A Durable Object binding.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DurableObjectBinding {
    /// The binding name.
    pub name: String,
    /// The class.
    pub class_name: String,
    /// The Worker defining the class, when it is another one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script_name: Option<String>,
    /// `sqlite`, `key_value`, or `unknown` (no migration here names the class).
    pub backend: String,
}

/// A queue consumer.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct QueueConsumer {
    /// The queue consumed.
    pub queue: String,
    /// Messages per batch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_batch_size: Option<f64>,
    /// Seconds to wait for a full batch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_batch_timeout: Option<f64>,
    /// Retries before a message is dead-lettered or dropped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<f64>,
    /// Concurrent consumer invocations (unset: autoscaling).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<f64>,
    /// The dead-letter queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_letter_queue: Option<String>,
}

/// Every binding, by kind.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Bindings {
    /// KV namespaces.
    pub kv_namespaces: Vec<Binding>,
    /// D1 databases.
    pub d1_databases: Vec<Binding>,
    /// R2 buckets.
    pub r2_buckets: Vec<Binding>,
    /// Durable Object namespaces.
    pub durable_objects: Vec<DurableObjectBinding>,
    /// Queue producers.
    pub queue_producers: Vec<Binding>,
    /// Queue consumers.
    pub queue_consumers: Vec<QueueConsumer>,
    /// Workflows.
    pub workflows: Vec<Binding>,
    /// Hyperdrive configurations.
    pub hyperdrive: Vec<Binding>,
    /// Analytics Engine datasets.
    pub analytics_engine_datasets: Vec<Binding>,
    /// Vectorize indexes.
    pub vectorize: Vec<Binding>,
    /// Service bindings.
    pub services: Vec<Binding>,
}

/// A finding about the configuration.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Lint {
    /// Stable id, e.g. `queue-consumer-no-dlq`.
    pub id: String,
    /// critical | high | medium | low.
    pub severity: Severity,
    /// What is wrong and what to do.
    pub message: String,
    /// Where in the config, e.g. `queues.consumers[0]`.
    pub path: String,
    /// The Cloudflare docs page behind it.
    pub source: String,
    /// The checklist item or matrix row it serves.
    pub serves: String,
}

/// A Wrangler configuration, resolved and linted.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProjectConfig {
    /// The answer in a few sentences: the Worker, what it binds, the lints by severity and the
    /// first to fix.
    pub summary: String,
    /// The format read.
    pub format: ConfigFormat,
    /// The environment resolved, when one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    /// The Worker's name (with the environment suffix Wrangler adds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Entry point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main: Option<String>,
    /// `compatibility_date`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compatibility_date: Option<String>,
    /// `placement.mode` (`smart` when Smart Placement is on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement: Option<String>,
    /// `limits.cpu_ms`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_ms: Option<f64>,
    /// `observability.enabled` (absent: not configured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observability: Option<bool>,
    /// `observability.head_sampling_rate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_sampling_rate: Option<f64>,
    /// Every binding, by kind.
    pub bindings: Bindings,
    /// Routes and custom domains.
    pub routes: Vec<String>,
    /// Cron triggers.
    pub crons: Vec<String>,
    /// The static assets directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assets: Option<String>,
    /// True when `assets.run_worker_first` sends every asset request through the Worker.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub run_worker_first: bool,
    /// The products the bindings use.
    pub services: Vec<Service>,
    /// Findings, most severe first.
    pub lints: Vec<Lint>,
    /// The migrations directory of each D1 binding, in `bindings.d1_databases` order (Wrangler's
    /// default `migrations`). Read by `analyze_project`; not part of the report.
    #[serde(skip)]
    #[schemars(skip)]
    pub d1_migrations_dirs: Vec<String>,
}

// Wrangler's environments: keys such as `main`, `compatibility_date`, `routes`, `triggers`,
// `limits`, `placement` and `observability` are inherited from the top level when an environment
// does not set them; bindings (`vars`, `kv_namespaces`, `d1_databases`, `r2_buckets`,
// `durable_objects`, `queues`, `services`, `hyperdrive`, `vectorize`, `analytics_engine_datasets`,
// `workflows`, …) are not inherited and must be declared in each environment. The Worker is
// deployed as `<name>-<env>` unless the environment sets `name`.
// Sources: https://developers.cloudflare.com/workers/wrangler/configuration/ (inheritable and
// non-inheritable keys) and https://developers.cloudflare.com/durable-objects/reference/environments/.
const NON_INHERITABLE: &[&str] = &[
    "vars",
    "define",
    "kv_namespaces",
    "d1_databases",
    "r2_buckets",
    "durable_objects",
    "queues",
    "services",
    "hyperdrive",
    "vectorize",
    "analytics_engine_datasets",
    "workflows",
    "tail_consumers",
    "ai",
    "browser",
    "send_email",
    "mtls_certificates",
    "dispatch_namespaces",
];

/// Parses the text into a JSON value: TOML with `toml`, JSON and JSONC with a JSONC parser.
pub fn parse(
    content: &str,
    format: Option<ConfigFormat>,
) -> Result<(ConfigFormat, Value), InputError> {
    if content.len() > MAX_CONFIG_BYTES {
        return Err(InputError::new(
            "content",
            format!("is {} bytes; at most 1 MiB is accepted", content.len()),
        ));
    }
    if content.contains('\0') {
        return Err(InputError::new(
            "content",
            "is binary, not a Wrangler configuration",
        ));
    }
    let format = format.unwrap_or_else(|| {
        if content.trim_start().starts_with(['{', '/']) {
            ConfigFormat::Jsonc
        } else {
            ConfigFormat::Toml
        }
    });
    let value = match format {
        ConfigFormat::Toml => toml::from_str::<Value>(content).map_err(|e| {
            InputError::new("content", format!("invalid TOML: {}", e.to_string().trim()))
        })?,
        ConfigFormat::Json | ConfigFormat::Jsonc => {
            let options = jsonc_parser::ParseOptions::default();
            jsonc_parser::parse_to_serde_value::<Option<Value>>(content, &options)
                .map_err(|e| InputError::new("content", format!("invalid JSON: {e}")))?
                .unwrap_or(Value::Null)
        }
    };
    if !value.is_object() {
        return Err(InputError::new(
            "content",
            "must be a table/object of Wrangler settings",
        ));
    }
    Ok((format, value))
}

/// The configuration Wrangler would use for `env` (the top level itself when `None`).
pub fn resolve<'a>(top: &'a Value, env: Option<&str>) -> Result<Cow<'a, Value>, InputError> {
    let Some(env) = env else {
        return Ok(Cow::Borrowed(top));
    };
    let overlay = top.get("env").and_then(|e| e.get(env)).ok_or_else(|| {
        let names: Vec<&str> = top
            .get("env")
            .and_then(Value::as_object)
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        InputError::new(
            "env",
            format!(
                "no environment `{env}` in the config (found: {})",
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                }
            ),
        )
    })?;
    let mut out = top.as_object().cloned().unwrap_or_default();
    out.remove("env");
    for key in NON_INHERITABLE {
        out.remove(*key);
    }
    if let Some(name) = top.get("name").and_then(Value::as_str) {
        out.insert("name".into(), Value::from(format!("{name}-{env}")));
    }
    for (k, v) in overlay.as_object().into_iter().flatten() {
        out.insert(k.clone(), v.clone());
    }
    Ok(Cow::Owned(Value::Object(out)))
}

// ------------------------------------------------------------------------------- typed extraction

#[derive(Deserialize, Default)]
struct Raw {
    name: Option<String>,
    main: Option<String>,
    compatibility_date: Option<String>,
    placement: Option<RawPlacement>,
    limits: Option<RawLimits>,
    observability: Option<RawObservability>,
    #[serde(default)]
    kv_namespaces: Vec<RawKv>,
    #[serde(default)]
    d1_databases: Vec<RawD1>,
    #[serde(default)]
    r2_buckets: Vec<RawR2>,
    durable_objects: Option<RawDurableObjects>,
    #[serde(default)]
    migrations: Vec<RawMigration>,
    queues: Option<RawQueues>,
    #[serde(default)]
    workflows: Vec<RawWorkflow>,
    #[serde(default)]
    hyperdrive: Vec<RawNamed>,
    #[serde(default)]
    analytics_engine_datasets: Vec<RawDataset>,
    #[serde(default)]
    vectorize: Vec<RawVectorize>,
    #[serde(default)]
    services: Vec<RawService>,
    route: Option<Value>,
    #[serde(default)]
    routes: Vec<Value>,
    triggers: Option<RawTriggers>,
    assets: Option<RawAssets>,
    workers_dev: Option<bool>,
}

#[derive(Deserialize)]
struct RawPlacement {
    mode: Option<String>,
}
#[derive(Deserialize)]
struct RawLimits {
    cpu_ms: Option<f64>,
}
#[derive(Deserialize)]
struct RawObservability {
    enabled: Option<bool>,
    head_sampling_rate: Option<f64>,
    logs: Option<RawLogs>,
}
#[derive(Deserialize)]
struct RawLogs {
    enabled: Option<bool>,
    head_sampling_rate: Option<f64>,
}
#[derive(Deserialize)]
struct RawKv {
    binding: String,
    id: Option<String>,
}
#[derive(Deserialize)]
struct RawD1 {
    binding: String,
    database_name: Option<String>,
    database_id: Option<String>,
    migrations_dir: Option<String>,
}
#[derive(Deserialize)]
struct RawR2 {
    binding: String,
    bucket_name: Option<String>,
}
#[derive(Deserialize)]
struct RawDurableObjects {
    #[serde(default)]
    bindings: Vec<RawDo>,
}
#[derive(Deserialize)]
struct RawDo {
    name: String,
    class_name: String,
    script_name: Option<String>,
}
#[derive(Deserialize)]
struct RawMigration {
    #[serde(default)]
    new_classes: Vec<String>,
    #[serde(default)]
    new_sqlite_classes: Vec<String>,
}
#[derive(Deserialize, Default)]
struct RawQueues {
    #[serde(default)]
    producers: Vec<RawProducer>,
    #[serde(default)]
    consumers: Vec<RawConsumer>,
}
#[derive(Deserialize)]
struct RawProducer {
    binding: String,
    queue: String,
}
#[derive(Deserialize)]
struct RawConsumer {
    queue: String,
    max_batch_size: Option<f64>,
    max_batch_timeout: Option<f64>,
    max_retries: Option<f64>,
    max_concurrency: Option<f64>,
    dead_letter_queue: Option<String>,
}
#[derive(Deserialize)]
struct RawWorkflow {
    binding: String,
    name: Option<String>,
    class_name: Option<String>,
}
#[derive(Deserialize)]
struct RawNamed {
    binding: String,
    id: Option<String>,
}
#[derive(Deserialize)]
struct RawDataset {
    binding: String,
    dataset: Option<String>,
}
#[derive(Deserialize)]
struct RawVectorize {
    binding: String,
    index_name: Option<String>,
}
#[derive(Deserialize)]
struct RawService {
    binding: String,
    service: String,
}
#[derive(Deserialize)]
struct RawTriggers {
    #[serde(default)]
    crons: Vec<String>,
}
#[derive(Deserialize)]
struct RawAssets {
    directory: Option<String>,
    /// `true`, or route patterns (`!` excludes).
    run_worker_first: Option<Value>,
}

/// Keys each binding kind accepts; others are reported (a typo silently drops a setting).
const KNOWN_KEYS: &[(&str, &[&str])] = &[
    (
        "kv_namespaces",
        &[
            "binding",
            "id",
            "preview_id",
            "remote",
            "experimental_remote",
        ],
    ),
    (
        "d1_databases",
        &[
            "binding",
            "database_name",
            "database_id",
            "preview_database_id",
            "migrations_dir",
            "migrations_table",
            "remote",
            "experimental_remote",
        ],
    ),
    (
        "r2_buckets",
        &[
            "binding",
            "bucket_name",
            "preview_bucket_name",
            "jurisdiction",
            "remote",
            "experimental_remote",
        ],
    ),
    (
        "queues.producers",
        &[
            "binding",
            "queue",
            "delivery_delay",
            "remote",
            "experimental_remote",
        ],
    ),
    (
        "queues.consumers",
        &[
            "queue",
            "max_batch_size",
            "max_batch_timeout",
            "max_retries",
            "max_concurrency",
            "dead_letter_queue",
            "retry_delay",
            "type",
            "visibility_timeout_ms",
        ],
    ),
    (
        "durable_objects.bindings",
        &["name", "class_name", "script_name", "environment"],
    ),
];

fn pointer_array<'a>(
    v: &'a Value,
    path: &str,
) -> impl Iterator<Item = (usize, &'a serde_json::Map<String, Value>)> {
    let mut node = Some(v);
    for part in path.split('.') {
        node = node.and_then(|n| n.get(part));
    }
    node.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, x)| x.as_object().map(|o| (i, o)))
}

struct Lints<'a> {
    limits: &'a [Limit],
    plan: Plan,
    out: Vec<Lint>,
}

impl Lints<'_> {
    fn limit(&self, id: &str) -> Option<(f64, String)> {
        let l = self.limits.iter().find(|l| l.id == id)?;
        let v = match self.plan {
            Plan::Paid => l.paid,
            Plan::Free => l.free,
        };
        v.and_then(LimitValue::number)
            .map(|v| (v, l.source.clone()))
    }

    fn push(
        &mut self,
        id: &str,
        severity: Severity,
        path: String,
        message: String,
        source: &str,
        serves: &str,
    ) {
        self.out.push(Lint {
            id: id.to_owned(),
            severity,
            message,
            path,
            source: source.to_owned(),
            serves: serves.to_owned(),
        });
    }
}

/// Reads, resolves and lints a configuration.
pub fn analyze(
    limits: &[Limit],
    input: &AnalyzeInput,
    content: &str,
) -> Result<ProjectConfig, InputError> {
    let (format, top) = parse(content, input.format)?;
    if let Some(date) = &input.stale_before
        && !crate::knowledge::is_iso_date(date)
    {
        return Err(InputError::new(
            "stale_before",
            format!("must be YYYY-MM-DD (got {date:?})"),
        ));
    }
    let resolved = resolve(&top, input.env.as_deref())?;
    let raw: Raw = from_json_ref(&resolved)
        .map_err(|e| InputError::new(e.path, format!("{} (in the Wrangler config)", e.message)))?;
    let mut lints = Lints {
        limits,
        plan: input.plan.unwrap_or_default(),
        out: Vec::new(),
    };

    for (kind, keys) in KNOWN_KEYS {
        for (i, entry) in pointer_array(&resolved, kind) {
            for key in entry.keys().filter(|key| !keys.contains(&key.as_str())) {
                lints.push(
                    "unknown-binding-key",
                    Severity::Medium,
                    format!("{kind}[{i}].{key}"),
                    format!("`{key}` is not a setting of {kind}: Wrangler ignores or rejects it (accepted: {})", keys.join(", ")),
                    "https://developers.cloudflare.com/workers/wrangler/configuration/",
                    "before-launch",
                );
            }
        }
    }

    let sqlite: Vec<&String> = raw
        .migrations
        .iter()
        .flat_map(|m| &m.new_sqlite_classes)
        .collect();
    let kv_backed: Vec<&String> = raw.migrations.iter().flat_map(|m| &m.new_classes).collect();
    let durable_objects: Vec<DurableObjectBinding> = raw
        .durable_objects
        .map(|d| d.bindings)
        .unwrap_or_default()
        .into_iter()
        .map(|b| DurableObjectBinding {
            backend: if sqlite.contains(&&b.class_name) {
                "sqlite"
            } else if kv_backed.contains(&&b.class_name) {
                "key_value"
            } else {
                "unknown"
            }
            .to_owned(),
            name: b.name,
            class_name: b.class_name,
            script_name: b.script_name,
        })
        .collect();
    let queues = raw.queues.unwrap_or_default();
    let d1_migrations_dirs = raw
        .d1_databases
        .iter()
        .map(|d| {
            d.migrations_dir
                .clone()
                .unwrap_or_else(|| "migrations".to_owned())
        })
        .collect();
    let bindings = Bindings {
        kv_namespaces: raw
            .kv_namespaces
            .into_iter()
            .map(|b| Binding {
                name: b.binding,
                target: b.id.unwrap_or_default(),
            })
            .collect(),
        d1_databases: raw
            .d1_databases
            .into_iter()
            .map(|b| Binding {
                name: b.binding,
                target: b.database_name.or(b.database_id).unwrap_or_default(),
            })
            .collect(),
        r2_buckets: raw
            .r2_buckets
            .into_iter()
            .map(|b| Binding {
                name: b.binding,
                target: b.bucket_name.unwrap_or_default(),
            })
            .collect(),
        durable_objects,
        queue_producers: queues
            .producers
            .into_iter()
            .map(|p| Binding {
                name: p.binding,
                target: p.queue,
            })
            .collect(),
        queue_consumers: queues
            .consumers
            .into_iter()
            .map(|c| QueueConsumer {
                queue: c.queue,
                max_batch_size: c.max_batch_size,
                max_batch_timeout: c.max_batch_timeout,
                max_retries: c.max_retries,
                max_concurrency: c.max_concurrency,
                dead_letter_queue: c.dead_letter_queue,
            })
            .collect(),
        workflows: raw
            .workflows
            .into_iter()
            .map(|w| Binding {
                name: w.binding,
                target: w.name.or(w.class_name).unwrap_or_default(),
            })
            .collect(),
        hyperdrive: raw
            .hyperdrive
            .into_iter()
            .map(|h| Binding {
                name: h.binding,
                target: h.id.unwrap_or_default(),
            })
            .collect(),
        analytics_engine_datasets: raw
            .analytics_engine_datasets
            .into_iter()
            .map(|d| Binding {
                name: d.binding,
                target: d.dataset.unwrap_or_default(),
            })
            .collect(),
        vectorize: raw
            .vectorize
            .into_iter()
            .map(|v| Binding {
                name: v.binding,
                target: v.index_name.unwrap_or_default(),
            })
            .collect(),
        services: raw
            .services
            .into_iter()
            .map(|s| Binding {
                name: s.binding,
                target: s.service,
            })
            .collect(),
    };

    let mut routes: Vec<String> = raw
        .route
        .into_iter()
        .chain(raw.routes)
        .map(route_text)
        .collect();
    routes.retain(|r| !r.is_empty());
    let crons = raw.triggers.map(|t| t.crons).unwrap_or_default();
    let placement = raw.placement.and_then(|p| p.mode);
    let cpu_ms = raw.limits.and_then(|l| l.cpu_ms);
    let (observability, head_sampling_rate, logs) = match raw.observability {
        Some(o) => (
            Some(o.enabled.unwrap_or(true)),
            o.head_sampling_rate,
            o.logs,
        ),
        None => (None, None, None),
    };
    let run_worker_first = raw.assets.as_ref().and_then(|a| a.run_worker_first.clone());

    // ------------------------------------------------------------------------------- lints
    for (i, c) in bindings.queue_consumers.iter().enumerate() {
        let path = format!("queues.consumers[{i}]");
        if c.dead_letter_queue.is_none() {
            lints.push("queue-consumer-no-dlq", Severity::High, path.clone(),
                format!("consumer of `{}` has no dead_letter_queue: messages that exhaust their retries are deleted", c.queue),
                "https://developers.cloudflare.com/queues/configuration/dead-letter-queues/", "dlq-configured");
        }
        for (field, value, limit_id, id) in [
            (
                "max_batch_size",
                c.max_batch_size,
                "queues.batch_size_max",
                "queue-batch-size-over-max",
            ),
            (
                "max_batch_timeout",
                c.max_batch_timeout,
                "queues.batch_timeout_max_seconds",
                "queue-batch-timeout-over-max",
            ),
            (
                "max_retries",
                c.max_retries,
                "queues.retries_max",
                "queue-retries-over-max",
            ),
            (
                "max_concurrency",
                c.max_concurrency,
                "queues.consumer_concurrency",
                "queue-concurrency-over-limit",
            ),
        ] {
            if let (Some(v), Some((max, source))) = (value, lints.limit(limit_id))
                && v > max
            {
                lints.push(
                    id,
                    Severity::Critical,
                    format!("{path}.{field}"),
                    format!(
                        "{field} = {v} is over the maximum of {max}: Wrangler refuses to deploy it"
                    ),
                    &source,
                    "queue-consumer-lag",
                );
            }
        }
        if let (Some(v), Some((max, _))) = (
            c.max_concurrency,
            lints.limit("queues.consumer_concurrency"),
        ) && v <= max
        {
            let (severity, why) = if v <= 1.0 {
                (
                    Severity::Medium,
                    format!(
                        "max_concurrency = {v}: one consumer at a time, so the backlog grows whenever messages arrive faster than one invocation handles them; leave it unset to autoscale up to {max}"
                    ),
                )
            } else if v <= max / 50.0 {
                (
                    Severity::Medium,
                    format!(
                        "max_concurrency = {v} caps consumers far below the {max} allowed: the backlog grows at peak"
                    ),
                )
            } else {
                (
                    Severity::Low,
                    format!(
                        "max_concurrency = {v} pins concurrency; leaving it unset lets consumers autoscale up to {max}"
                    ),
                )
            };
            lints.push(
                if v <= 1.0 {
                    "queue-concurrency-one"
                } else {
                    "queue-concurrency-pinned"
                },
                severity,
                format!("{path}.max_concurrency"),
                why,
                "https://developers.cloudflare.com/queues/configuration/consumer-concurrency/",
                "queue-autoscale",
            );
        }
    }
    if let (Some(cpu), Some((max, source))) =
        (cpu_ms, lints.limit("workers.cpu_ms_per_request_max"))
        && cpu > max
    {
        lints.push(
            "cpu-limit-over-max",
            Severity::Critical,
            "limits.cpu_ms".into(),
            format!("limits.cpu_ms = {cpu} is over the maximum of {max} ms"),
            &source,
            "worker-cpu",
        );
    }
    if (!bindings.d1_databases.is_empty() || !bindings.hyperdrive.is_empty())
        && placement.as_deref() != Some("smart")
    {
        lints.push("data-without-smart-placement", Severity::Low, "placement".into(),
            "D1 or Hyperdrive is bound but neither Smart Placement nor a placement hint is set: if a request makes two or more sequential queries and users are far from the database, each pays a round trip from the user's location. A config cannot show the query count; recommend_scaling decides with d1_queries_per_request and users_global.".into(),
            "https://developers.cloudflare.com/workers/configuration/placement/", "smart-placement");
    }
    for (i, class) in kv_backed.iter().enumerate() {
        lints.push("durable-object-key-value-backend", Severity::Medium, format!("migrations[].new_classes[{i}]"),
            format!("`{class}` is created on the key-value storage backend: new namespaces should use new_sqlite_classes (SQLite storage, the only backend on Free and for new accounts)"),
            "https://developers.cloudflare.com/durable-objects/platform/pricing/", "durable-object-hot-object");
    }
    if observability != Some(true) {
        lints.push("no-observability", Severity::Medium, "observability".into(),
            "observability is not enabled: without Workers Logs you cannot see errors or latency at scale. Set observability.enabled = true (and a head_sampling_rate at high traffic).".into(),
            "https://developers.cloudflare.com/workers/observability/logs/workers-logs/", "observability-on");
    }
    match (&raw.compatibility_date, &input.stale_before) {
        (None, _) => lints.push("no-compatibility-date", Severity::Medium, "compatibility_date".into(),
            "compatibility_date is not set: the runtime's behaviour is not pinned".into(),
            "https://developers.cloudflare.com/workers/configuration/compatibility-dates/", "before-launch"),
        (Some(date), Some(before)) if date.as_str() < before.as_str() => lints.push("stale-compatibility-date", Severity::Low, "compatibility_date".into(),
            format!("compatibility_date {date} is older than {before}: newer runtime fixes and APIs are off"),
            "https://developers.cloudflare.com/workers/configuration/compatibility-dates/", "before-launch"),
        _ => {}
    }
    incident_lints(
        &mut lints,
        &top,
        &bindings,
        IncidentInputs {
            routes: !routes.is_empty(),
            workers_dev: raw.workers_dev,
            run_worker_first: run_worker_first.as_ref(),
            observability,
            head_sampling_rate,
            logs: logs.as_ref(),
            cpu_ms,
        },
    );
    if let Some((max, source)) = lints.limit("workers.cron_triggers_per_account")
        && lints.plan == Plan::Free
        && crons.len() as f64 > max
    {
        lints.push(
            "free-plan-cron-over-limit",
            Severity::High,
            "triggers.crons".into(),
            format!(
                "{} cron triggers is over the Free plan's {max} per account",
                crons.len()
            ),
            &source,
            "pick-plan",
        );
    }
    lints.out.sort_by_key(|l| l.severity);

    let mut services = vec![Service::Workers];
    for (present, service) in [
        (!bindings.kv_namespaces.is_empty(), Service::Kv),
        (!bindings.d1_databases.is_empty(), Service::D1),
        (!bindings.r2_buckets.is_empty(), Service::R2),
        (
            !bindings.durable_objects.is_empty(),
            Service::DurableObjects,
        ),
        (
            !bindings.queue_producers.is_empty() || !bindings.queue_consumers.is_empty(),
            Service::Queues,
        ),
        (!bindings.workflows.is_empty(), Service::Workflows),
        (!bindings.hyperdrive.is_empty(), Service::Hyperdrive),
        (
            !bindings.analytics_engine_datasets.is_empty(),
            Service::AnalyticsEngine,
        ),
        (!bindings.vectorize.is_empty(), Service::Vectorize),
    ] {
        if present {
            services.push(service);
        }
    }
    let mut config = ProjectConfig {
        summary: String::new(),
        format,
        env: input.env.clone(),
        name: raw.name,
        main: raw.main,
        compatibility_date: raw.compatibility_date,
        placement,
        cpu_ms,
        observability,
        head_sampling_rate,
        bindings,
        routes,
        crons,
        assets: raw.assets.and_then(|a| a.directory),
        run_worker_first: matches!(run_worker_first, Some(Value::Bool(true)))
            || run_worker_first
                .as_ref()
                .and_then(Value::as_array)
                .is_some_and(|r| {
                    r.iter()
                        .any(|r| matches!(r.as_str(), Some("/*" | "*" | "/**")))
                }),
        services,
        d1_migrations_dirs,
        lints: lints.out,
    };
    config.summary = summary(&config);
    Ok(config)
}

/// What the lints drawn from public bill incidents read.
struct IncidentInputs<'a> {
    routes: bool,
    workers_dev: Option<bool>,
    run_worker_first: Option<&'a Value>,
    observability: Option<bool>,
    head_sampling_rate: Option<f64>,
    logs: Option<&'a RawLogs>,
    cpu_ms: Option<f64>,
}

/// Names of environments that are previews or staging rather than production.
fn is_preview_env(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "preview", "staging", "stage", "dev", "test", "qa", "pr-", "pr_", "review",
    ]
    .iter()
    .any(|p| n == p.trim_end_matches(['-', '_']) || n.starts_with(p))
}

/// Lints from settings behind public bill and outage reports (bill-incidents notes): each
/// names the setting, what it costs, and the fix.
fn incident_lints(lints: &mut Lints, top: &Value, bindings: &Bindings, c: IncidentInputs) {
    const ASSETS: &str =
        "https://developers.cloudflare.com/workers/static-assets/billing-and-limitations/";
    const LOGS: &str = "https://developers.cloudflare.com/workers/observability/logs/workers-logs/";
    const LIMITS: &str = "https://developers.cloudflare.com/workers/wrangler/configuration/#limits";
    const QUEUES: &str = "https://developers.cloudflare.com/queues/configuration/configure-queues/";
    match c.run_worker_first {
        Some(Value::Bool(true)) => lints.push("assets-run-worker-first", Severity::Medium, "assets.run_worker_first".into(),
            "run_worker_first = true runs the Worker before every static asset request, so each one bills as a Worker request (asset requests are otherwise free and unlimited). List only the routes that need the Worker, e.g. [\"/api/*\"].".into(),
            ASSETS, "cost-profile"),
        Some(Value::Array(routes))
            if routes.iter().any(|r| matches!(r.as_str(), Some("/*" | "*" | "/**")))
                && !routes.iter().any(|r| r.as_str().is_some_and(|r| r.starts_with('!'))) => lints.push("assets-run-worker-first", Severity::Medium, "assets.run_worker_first".into(),
            "run_worker_first matches every path (\"/*\"): each static asset request bills as a Worker request. Narrow it to the routes that need the Worker, and exclude assets with \"!/assets/*\".".into(),
            ASSETS, "cost-profile"),
        _ => {}
    }
    if c.workers_dev == Some(true) && c.routes {
        lints.push("workers-dev-beside-routes", Severity::Medium, "workers_dev".into(),
            "workers_dev = true beside routes or custom domains leaves a second front door on *.workers.dev that bypasses the zone's WAF, rate limiting and cache rules, and bills every request it takes. Set workers_dev = false (Wrangler infers false when routes are set and the key is left out).".into(),
            "https://developers.cloudflare.com/workers/configuration/routing/workers-dev/", "cost-profile");
    }
    if c.observability == Some(true) {
        let top_rate = c.head_sampling_rate.unwrap_or(1.0);
        let logs_rate = c.logs.and_then(|l| l.head_sampling_rate);
        // Logs follow their own rate when it is set, else the top-level one.
        let path = if logs_rate.is_some() {
            "observability.logs.head_sampling_rate"
        } else {
            "observability.head_sampling_rate"
        };
        if logs_rate.unwrap_or(top_rate) >= 1.0 && c.logs.and_then(|l| l.enabled) != Some(false) {
            lints.push("logs-full-sampling", Severity::Low, path.into(),
                "Workers Logs keep every invocation (head_sampling_rate 1): on a busy Worker that is the largest Observability bill (per GB ingested from 2026-12-01). Sample, e.g. head_sampling_rate = 0.1, once traffic passes about a million requests a day.".into(),
                LOGS, "log-sampling");
        }
        if let (Some(top), Some(logs)) = (c.head_sampling_rate, logs_rate)
            && (top - logs).abs() > f64::EPSILON
        {
            lints.push("logs-sampling-mismatch", Severity::Low, "observability.logs.head_sampling_rate".into(),
                format!("observability.head_sampling_rate = {top} and observability.logs.head_sampling_rate = {logs} disagree: logs follow the logs setting, so the top-level one does not cut them. Set one rate."),
                LOGS, "log-sampling");
        }
    }
    if lints.plan == Plan::Paid && c.cpu_ms.is_none() {
        lints.push("no-cpu-limit", Severity::Medium, "limits.cpu_ms".into(),
            "No limits.cpu_ms on Workers Paid: a request may run 30 s of CPU (the default), so a loop or a pathological input bills up to 30 s each. Set limits.cpu_ms a little above the p99 you measure.".into(),
            LIMITS, "set-cpu-limit");
    }
    for (name, env) in top
        .get("env")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if !is_preview_env(name) {
            continue;
        }
        // A Durable Object binding with script_name reaches another Worker's objects: shared.
        let own_objects = env
            .pointer("/durable_objects/bindings")
            .and_then(Value::as_array)
            .is_some_and(|b| b.iter().any(|b| b.get("script_name").is_none()));
        // A consumer keeps running and billing; a producer alone only writes when called.
        let consumers = env
            .pointer("/queues/consumers")
            .and_then(Value::as_array)
            .is_some_and(|c| !c.is_empty());
        for (key, what, stateful) in [
            ("durable_objects", "Durable Object", own_objects),
            ("queues", "queue consumer", consumers),
        ] {
            if stateful {
                lints.push("stateful-bindings-in-preview", Severity::Medium, format!("env.{name}.{key}"),
                    format!("env `{name}` binds {what}s: each environment deploys its own Worker (`<name>-{name}`) with its own Durable Object namespaces and consumers, so a preview keeps objects, alarms and queues alive (and billing) after it is forgotten. Point previews at shared test resources (script_name for Durable Objects), and delete environments you no longer deploy."),
                    "https://developers.cloudflare.com/workers/wrangler/environments/", "cost-profile");
            }
        }
    }
    let produced: Vec<&str> = bindings
        .queue_producers
        .iter()
        .map(|p| p.target.as_str())
        .collect();
    for (i, q) in bindings.queue_consumers.iter().enumerate() {
        let path = format!("queues.consumers[{i}]");
        if produced.contains(&q.queue.as_str()) {
            lints.push("queue-self-loop", Severity::High, path.clone(),
                format!("this Worker both produces to and consumes `{}`: a consumer that re-sends what it reads loops forever, billing three operations per pass with no cap. Guard the re-send (an attempt counter in the body, a dead-letter queue) or consume in another Worker.", q.queue),
                QUEUES, "dlq-configured");
        }
        if q.max_retries.is_some_and(|r| r > 3.0) && q.dead_letter_queue.is_none() {
            lints.push("retries-without-dlq", Severity::Medium, format!("{path}.max_retries"),
                format!("max_retries = {} with no dead_letter_queue: each failing message is read {} times (a read operation each) and then deleted. Add a dead-letter queue, or keep retries low.", q.max_retries.unwrap_or_default(), q.max_retries.unwrap_or_default() + 1.0),
                "https://developers.cloudflare.com/queues/configuration/dead-letter-queues/", "dlq-configured");
        }
    }
}

fn summary(c: &ProjectConfig) -> String {
    use std::fmt::Write;
    let b = &c.bindings;
    let mut s = format!(
        "Worker `{}`{} ({}):",
        c.name.as_deref().unwrap_or("unnamed"),
        c.env
            .as_deref()
            .map(|e| format!(", env `{e}`"))
            .unwrap_or_default(),
        match c.format {
            ConfigFormat::Toml => "wrangler.toml",
            ConfigFormat::Json => "wrangler.json",
            ConfigFormat::Jsonc => "wrangler.jsonc",
        }
    );
    let counts = [
        ("KV", b.kv_namespaces.len()),
        ("D1", b.d1_databases.len()),
        ("R2", b.r2_buckets.len()),
        ("Durable Objects", b.durable_objects.len()),
        ("queue producers", b.queue_producers.len()),
        ("queue consumers", b.queue_consumers.len()),
        ("Workflows", b.workflows.len()),
        ("Hyperdrive", b.hyperdrive.len()),
        ("Analytics Engine", b.analytics_engine_datasets.len()),
        ("Vectorize", b.vectorize.len()),
        ("services", b.services.len()),
    ];
    let bound: Vec<String> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    if bound.is_empty() {
        s.push_str(" no bindings.");
    } else {
        let _ = write!(s, " binds {}.", bound.join(", "));
    }
    if c.lints.is_empty() {
        s.push_str(" No lints.");
    } else {
        let mut by: Vec<(Severity, usize)> = Vec::new();
        for l in &c.lints {
            match by.iter_mut().find(|(sev, _)| *sev == l.severity) {
                Some((_, n)) => *n += 1,
                None => by.push((l.severity, 1)),
            }
        }
        let parts: Vec<String> = by
            .iter()
            .map(|(sev, n)| format!("{n} {}", sev.word()))
            .collect();
        let first = &c.lints[0];
        let _ = write!(
            s,
            " {} lint(s): {}. First: `{}` at `{}`.",
            c.lints.len(),
            parts.join(", "),
            first.id,
            first.path
        );
    }
    s.push_str(" Pass the same text as `config` to recommend_scaling.");
    s
}

fn route_text(v: Value) -> String {
    match v {
        Value::String(s) => s,
        Value::Object(o) => o
            .get("pattern")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    }
}

/// A usage profile skeleton (TOML) with a line for every field of every product the config
/// binds, each 0 and marked "to fill in", with the field's meaning as a comment.
pub fn usage_template(config: &ProjectConfig) -> String {
    let schema = serde_json::to_value(schemars::schema_for!(crate::engine::model::UsageProfile))
        .unwrap_or_default();
    let mut out = format!(
        "# Usage profile for {} (cf-scale cost <this file>). Counts per month unless period = \"day\";\n# storage in average GB. Every 0 below is a number to fill in.\nperiod = \"month\"\n",
        config.name.as_deref().unwrap_or("this Worker")
    );
    for service in &config.services {
        let key = serde_json::to_value(service)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let Some(reference) = schema["properties"][&key]["$ref"].as_str() else {
            continue;
        };
        let def = reference.rsplit('/').next().unwrap_or_default();
        let props = &schema["$defs"][def]["properties"];
        out.push_str(&format!("\n[{key}]\n"));
        for (field, spec) in props.as_object().into_iter().flatten() {
            if spec.get("$ref").is_some() {
                continue;
            }
            let doc = spec["description"]
                .as_str()
                .unwrap_or_default()
                .replace('\n', " ");
            out.push_str(&format!("{field} = 0  # to fill in: {doc}\n"));
        }
    }
    out
}
