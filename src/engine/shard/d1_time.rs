//! `d1_time`: partition time-series rows in D1 by week, month, quarter or year, keep a retention
//! window online and archive older partitions to R2.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Alternative, Code, Context, PlanDetails, ShardPlan, non_negative, num, step};
use crate::engine::model::{D1Usage, InputError, R2Usage, UsageProfile};

fn fill() -> f64 {
    0.8
}

/// Input of the `d1_time` strategy.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct D1TimeInput {
    /// The time-series table, e.g. `events`. Letters, digits and `_`.
    pub table: String,
    /// GB the table holds today. 0 to 1,000,000.
    pub current_gb: f64,
    /// GB added per month. 0 to 1,000,000.
    pub growth_gb_per_month: f64,
    /// Months to keep in D1; older partitions go to R2. Omit to keep everything online.
    #[serde(default)]
    pub retention_months: Option<u32>,
    /// Fraction of a 10 GB database to fill at most, default 0.8.
    #[serde(default = "fill")]
    pub target_fill: f64,
    /// First month to plan, `YYYY-MM` (the current month). Engines read no clock.
    pub start_month: String,
}

/// Partition length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartitionPeriod {
    /// One partition per ISO week (starting Monday).
    Week,
    /// One partition per calendar month.
    Month,
    /// One partition per calendar quarter.
    Quarter,
    /// One partition per calendar year.
    Year,
}

impl PartitionPeriod {
    fn months(self) -> f64 {
        match self {
            Self::Week => 12.0 / 52.0,
            Self::Month => 1.0,
            Self::Quarter => 3.0,
            Self::Year => 12.0,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Week => "week",
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }
}

/// Where partitions live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartitionLayout {
    /// Tables in one database: they share its 10 GB.
    Tables,
    /// One database per partition: each has its own 10 GB.
    Databases,
}

/// The numbers of a `d1_time` plan.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct D1TimePlan {
    /// Months until one database reaches the 10 GB limit at this growth (none when it never
    /// does).
    pub months_until_full: Option<f64>,
    /// The coarsest period whose partition stays under the target.
    pub partition_period: PartitionPeriod,
    /// GB one partition holds.
    pub partition_gb: f64,
    /// Tables in one database, or a database per partition.
    pub layout: PartitionLayout,
    /// GB kept online in D1 (the retention window plus the current partition), when a retention
    /// is given.
    pub online_gb: Option<f64>,
    /// Table (or database) names for the next 12 periods.
    pub partitions: Vec<String>,
    /// How expired partitions leave D1.
    pub archival: String,
}

/// A partition: its label (`2026_11`, `2026_q4`, `2026`, `2026_11_30`) and first day.
struct Partition {
    label: String,
    start: (i32, u32, u32),
}

pub(super) fn plan(ctx: &Context, i: &D1TimeInput) -> Result<ShardPlan, InputError> {
    let ok = i.table.len() <= 48
        && i.table
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && i.table
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        return Err(InputError::new(
            "table",
            format!(
                "must start with a letter and use only letters, digits and `_`, at most 48 characters (got {:?})",
                i.table
            ),
        ));
    }
    let current = non_negative("current_gb", i.current_gb, 1e6)?;
    let growth = non_negative("growth_gb_per_month", i.growth_gb_per_month, 1e6)?;
    let fill = super::fraction("target_fill", i.target_fill)?;
    let (year, month) = parse_month(&i.start_month)?;
    if let Some(r) = i.retention_months
        && !(1..=1200).contains(&r)
    {
        return Err(InputError::new(
            "retention_months",
            format!("must be 1 to 1200 (got {r})"),
        ));
    }
    let db = ctx.limit("d1.database_size_gb")?;
    let account = ctx.limit("d1.storage_per_account_gb")?;
    let target = db.value * fill;

    let months_until_full = (growth > 0.0).then(|| ((db.value - current) / growth).max(0.0));
    let period = [
        PartitionPeriod::Year,
        PartitionPeriod::Quarter,
        PartitionPeriod::Month,
        PartitionPeriod::Week,
    ]
    .into_iter()
    .find(|p| growth * p.months() <= target);
    let Some(period) = period else {
        return Err(InputError::new(
            "growth_gb_per_month",
            format!(
                "{} GB a month is more than {} GB a week: even weekly partitions overflow a database. Keep raw events in R2 (or Analytics Engine) and only aggregates in D1",
                num(growth),
                num(target)
            ),
        ));
    };
    let partition_gb = growth * period.months();
    let online_gb = i
        .retention_months
        .map(|r| growth * (f64::from(r) + period.months()));
    let layout = match online_gb {
        Some(online) if online <= target => PartitionLayout::Tables,
        _ => PartitionLayout::Databases,
    };

    let mut capacity = vec![
        step("Largest D1 database", db.value, &db.unit, Some(&db)),
        step(
            format!("Target per database = {} × {fill}", num(db.value)),
            target,
            "GB",
            None,
        ),
    ];
    match months_until_full {
        Some(m) => capacity.push(step(
            format!(
                "One database fills in ({} − {} GB today) ÷ {} GB/month",
                num(db.value),
                num(current),
                num(growth)
            ),
            m,
            "months",
            None,
        )),
        None => capacity.push(step(
            "At zero growth one database never fills",
            current,
            "GB",
            None,
        )),
    }
    capacity.push(step(
        format!(
            "A {} partition holds {} GB/month × {} months (the coarsest period under {} GB)",
            period.name(),
            num(growth),
            num(period.months()),
            num(target)
        ),
        partition_gb,
        "GB",
        None,
    ));
    if let (Some(online), Some(r)) = (online_gb, i.retention_months) {
        capacity.push(step(
            format!(
                "Online data = {} GB/month × ({r} retained + {} current) months",
                num(growth),
                num(period.months())
            ),
            online,
            "GB",
            None,
        ));
    }
    capacity.push(step(
        "Storage per account",
        account.value,
        &account.unit,
        Some(&account),
    ));

    let parts = partitions(period, year, month, 12);
    let names: Vec<String> = parts
        .iter()
        .map(|p| match layout {
            PartitionLayout::Tables => format!("{}_{}", i.table, p.label),
            PartitionLayout::Databases => format!(
                "{}-{}",
                i.table.replace('_', "-"),
                p.label.replace('_', "-")
            ),
        })
        .collect();

    let mut warnings = Vec::new();
    if current >= db.value {
        warnings.push(format!(
            "At {} GB the database is already at the {} GB limit: writes fail now.",
            num(current),
            num(db.value)
        ));
    } else if months_until_full.is_some_and(|m| m < 3.0) {
        warnings.push(
            "Less than three months until the database is full: start with the migration now."
                .to_owned(),
        );
    }
    if growth == 0.0 {
        warnings.push(
            "No growth: one database holds the data; partitioning only helps retention.".to_owned(),
        );
    }
    if i.retention_months.is_none() && growth > 0.0 {
        let months = (account.value - current) / growth;
        warnings.push(format!(
            "Without retention every partition stays in D1: the account's {} GB storage limit is reached in about {} months. Set retention_months to archive to R2.",
            num(account.value),
            num(months)
        ));
    }
    if layout == PartitionLayout::Databases && i.retention_months.is_some() {
        warnings.push(format!(
            "The retention window ({} GB) does not fit one database under the target, so each partition gets its own database.",
            num(online_gb.unwrap_or_default())
        ));
    }

    // Cost twelve months out: everything in D1, versus the retention window in D1 and the rest in R2.
    let total_12 = current + growth * 12.0;
    let online_12 = online_gb.map_or(total_12, |o| o.min(total_12));
    let cost = ctx.cost(
        UsageProfile {
            d1: D1Usage {
                storage_gb: total_12,
                ..Default::default()
            },
            ..Default::default()
        },
        UsageProfile {
            d1: D1Usage {
                storage_gb: online_12,
                ..Default::default()
            },
            r2: R2Usage {
                storage_gb: total_12 - online_12,
                class_a: 12.0 * 1000.0,
                ..Default::default()
            },
            ..Default::default()
        },
        format!(
            "storage twelve months from now ({} GB in all), with {} GB archived to R2",
            num(total_12),
            num(total_12 - online_12)
        ),
    )?;
    let archival = match i.retention_months {
        Some(r) => format!(
            "A daily cron exports each partition older than {r} months to R2 (NDJSON, 1,000 rows per object, resumable), then drops it{}.",
            if layout == PartitionLayout::Databases {
                " (delete the database with wrangler d1 delete)"
            } else {
                ""
            }
        ),
        None => "None: no retention given, every partition stays in D1.".to_owned(),
    };
    let summary = format!(
        "Partition `{}` by {} ({} GB per partition, under the {} GB target), as {}. One database would fill in {}.{}",
        i.table,
        period.name(),
        num(partition_gb),
        num(target),
        match layout {
            PartitionLayout::Tables => "tables in one database (they share its 10 GB)",
            PartitionLayout::Databases => "one database per partition (each has its own 10 GB)",
        },
        months_until_full.map_or("never at zero growth".to_owned(), |m| format!("{} months", num(m))),
        i.retention_months.map_or(String::new(), |r| format!(" Partitions older than {r} months are archived to R2, which saves {}/month a year from now.", crate::engine::model::dollars(-cost.extra_usd))),
    );

    Ok(ShardPlan {
        strategy: "d1_time".to_owned(),
        summary,
        capacity,
        plan: PlanDetails::D1Time(D1TimePlan {
            months_until_full,
            partition_period: period,
            partition_gb,
            layout,
            online_gb,
            partitions: names.clone(),
            archival,
        }),
        code: Code {
            typescript: Some(typescript(&i.table, period, layout, i.retention_months)),
            sql: Some(sql(&i.table, &parts)),
            wrangler: Some(wrangler(&i.table, layout, &parts)),
        },
        migration: vec![
            "Create the partitions for the current and next periods (the SQL below; once per database for the databases layout).".to_owned(),
            "Deploy the router: new rows go to the partition of their timestamp.".to_owned(),
            format!("Copy existing rows of `{}` into their partitions in batches (INSERT … SELECT with a time range), then verify counts.", i.table),
            "Switch readers to the router's range query, which visits only the partitions a time range touches.".to_owned(),
            format!("Drop the old `{}` table, then enable the archival cron.", i.table),
        ],
        cost: Some(cost),
        alternatives: vec![Alternative {
            design: "Aggregates in D1, raw events in R2 or Analytics Engine".to_owned(),
            why: "When old raw rows are rarely read, store them as objects in R2 (or data points in Analytics Engine) and keep only rollups in D1: no partition management at all.".to_owned(),
            monthly_usd: None,
            pattern: Some("scale://patterns/d1-time-partitioning".to_owned()),
        }],
        warnings,
        assumptions: vec![
            "Workers Paid limits and prices.".to_owned(),
            "Rows carry a timestamp `ts` (Unix milliseconds) used to route them; adapt the columns in the DDL.".to_owned(),
            format!("Growth is steady at {} GB a month.", num(growth)),
        ],
    })
}

fn parse_month(s: &str) -> Result<(i32, u32), InputError> {
    let parsed = s
        .split_once('-')
        .filter(|(y, m)| y.len() == 4 && m.len() == 2)
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
        .filter(|(y, m)| (2000..=2200).contains(y) && (1..=12).contains(m));
    parsed.ok_or_else(|| {
        InputError::new(
            "start_month",
            format!("must be YYYY-MM, e.g. 2026-11 (got {s:?})"),
        )
    })
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(if m <= 2 { y - 1 } else { y });
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
    (y, m, d)
}

fn partitions(period: PartitionPeriod, year: i32, month: u32, count: u32) -> Vec<Partition> {
    let add_months = |n: u32| {
        let idx = year * 12 + month as i32 - 1 + n as i32;
        (idx.div_euclid(12), idx.rem_euclid(12) as u32 + 1)
    };
    (0..count)
        .map(|n| match period {
            PartitionPeriod::Month => {
                let (y, m) = add_months(n);
                Partition {
                    label: format!("{y}_{m:02}"),
                    start: (y, m, 1),
                }
            }
            PartitionPeriod::Quarter => {
                let first_q = (month - 1) / 3;
                let (y, m) = {
                    let idx = year * 12 + (first_q * 3) as i32 + (n * 3) as i32;
                    (idx.div_euclid(12), idx.rem_euclid(12) as u32 + 1)
                };
                Partition {
                    label: format!("{y}_q{}", (m - 1) / 3 + 1),
                    start: (y, m, 1),
                }
            }
            PartitionPeriod::Year => {
                let y = year + n as i32;
                Partition {
                    label: format!("{y}"),
                    start: (y, 1, 1),
                }
            }
            PartitionPeriod::Week => {
                // The Monday on or before the 1st of the start month, then one week at a time.
                let first = days_from_civil(year, month, 1);
                let weekday = (first + 3).rem_euclid(7); // 0 = Monday
                let (y, m, d) = civil_from_days(first - weekday + 7 * i64::from(n));
                Partition {
                    label: format!("{y}_{m:02}_{d:02}"),
                    start: (y, m, d),
                }
            }
        })
        .collect()
}

fn sql(table: &str, parts: &[Partition]) -> String {
    let mut s = String::from(
        "-- One table per partition; `ts` is Unix milliseconds. Add your own columns.\n\
         -- The databases layout runs the same statements in each partition's database.\n",
    );
    for p in parts {
        let name = format!("{table}_{}", p.label);
        let (y, m, d) = p.start;
        let _ = write!(
            s,
            "\n-- from {y}-{m:02}-{d:02}\nCREATE TABLE IF NOT EXISTS {name} (\n  id INTEGER PRIMARY KEY,\n  ts INTEGER NOT NULL,\n  body TEXT NOT NULL\n);\nCREATE INDEX IF NOT EXISTS {name}_ts ON {name} (ts);\n"
        );
    }
    s.push_str(
        "\n-- Progress of the archival job, so a large partition can be exported over several runs.\n\
         CREATE TABLE IF NOT EXISTS archive_progress (\n  partition TEXT PRIMARY KEY,\n  last_id INTEGER NOT NULL DEFAULT 0,\n  done INTEGER NOT NULL DEFAULT 0\n);\n",
    );
    s
}

fn wrangler(table: &str, layout: PartitionLayout, parts: &[Partition]) -> String {
    let mut s = String::from("{\n  \"d1_databases\": [\n");
    match layout {
        PartitionLayout::Tables => {
            let _ = writeln!(
                s,
                "    {{ \"binding\": \"DB\", \"database_name\": \"{}\", \"database_id\": \"<id>\" }}",
                table.replace('_', "-")
            );
        }
        PartitionLayout::Databases => {
            for (n, p) in parts.iter().enumerate() {
                let comma = if n + 1 < parts.len() { "," } else { "" };
                let _ = writeln!(
                    s,
                    "    {{ \"binding\": \"DB_{}\", \"database_name\": \"{}-{}\", \"database_id\": \"<id>\" }}{comma}",
                    p.label.to_ascii_uppercase(),
                    table.replace('_', "-"),
                    p.label.replace('_', "-")
                );
            }
        }
    }
    s.push_str(
        "  ],\n  \"r2_buckets\": [{ \"binding\": \"ARCHIVE\", \"bucket_name\": \"d1-archive\" }],\n  \"triggers\": { \"crons\": [\"17 3 * * *\"] }\n}\n",
    );
    s
}

fn typescript(
    table: &str,
    period: PartitionPeriod,
    layout: PartitionLayout,
    retention: Option<u32>,
) -> String {
    let label = match period {
        PartitionPeriod::Month => "`${y}_${pad(m)}`",
        PartitionPeriod::Quarter => "`${y}_q${Math.floor((m - 1) / 3) + 1}`",
        PartitionPeriod::Year => "`${y}`",
        PartitionPeriod::Week => "weekLabel(d)",
    };
    let step_back = match period {
        PartitionPeriod::Week => "d.setUTCDate(d.getUTCDate() - 7)",
        PartitionPeriod::Month => "d.setUTCMonth(d.getUTCMonth() - 1)",
        PartitionPeriod::Quarter => "d.setUTCMonth(d.getUTCMonth() - 3)",
        PartitionPeriod::Year => "d.setUTCFullYear(d.getUTCFullYear() - 1)",
    };
    let (env, db_for) = match layout {
        PartitionLayout::Tables => (
            "  DB: D1Database;\n".to_owned(),
            "function dbFor(env: Env, label: string): D1Database {\n  void label;\n  return env.DB;\n}".to_owned(),
        ),
        PartitionLayout::Databases => (
            "  [binding: `DB_${string}`]: D1Database;\n".to_owned(),
            "function dbFor(env: Env, label: string): D1Database {\n  const db = env[`DB_${label.toUpperCase()}`];\n  if (!db) throw new Error(`no database bound for partition ${label}`);\n  return db;\n}".to_owned(),
        ),
    };
    let retention = retention.unwrap_or(0);
    format!(
        r#"export interface Env {{
{env}  ARCHIVE: R2Bucket;
}}

const TABLE = "{table}";
const RETENTION_PERIODS_MONTHS: number = {retention}; // 0: keep everything online

function pad(n: number): string {{
  return String(n).padStart(2, "0");
}}

/** Label of the ISO week (starting Monday) containing d. */
function weekLabel(d: Date): string {{
  const monday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  return `${{monday.getUTCFullYear()}}_${{pad(monday.getUTCMonth() + 1)}}_${{pad(monday.getUTCDate())}}`;
}}

/** The partition label of a timestamp (milliseconds). */
export function partitionOf(ts: number): string {{
  const d = new Date(ts);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  void y;
  void m;
  return {label};
}}

{db_for}

/** Writes one row into the partition of its timestamp. */
export async function insert(env: Env, ts: number, body: string): Promise<void> {{
  const label = partitionOf(ts);
  await dbFor(env, label)
    .prepare(`INSERT INTO ${{TABLE}}_${{label}} (ts, body) VALUES (?, ?)`)
    .bind(ts, body)
    .run();
}}

/** Labels of every partition a time range touches, oldest first. */
export function partitionsBetween(from: number, to: number): string[] {{
  const labels: string[] = [];
  const d = new Date(to);
  while (true) {{
    const label = partitionOf(d.getTime());
    if (labels[labels.length - 1] !== label) labels.push(label);
    if (d.getTime() < from) break;
    {step_back};
  }}
  return labels.reverse().filter((l) => l >= partitionOf(from));
}}

/** Reads a time range across partitions. */
export async function range(env: Env, from: number, to: number): Promise<Record<string, unknown>[]> {{
  const rows: Record<string, unknown>[] = [];
  for (const label of partitionsBetween(from, to)) {{
    const result = await dbFor(env, label)
      .prepare(`SELECT id, ts, body FROM ${{TABLE}}_${{label}} WHERE ts >= ? AND ts < ? ORDER BY ts`)
      .bind(from, to)
      .all<Record<string, unknown>>();
    rows.push(...result.results);
  }}
  return rows;
}}

/**
 * Archives the partition that just left the retention window: copies it to R2 in objects of
 * 1,000 rows (resuming where the last run stopped), then drops it.
 */
async function archiveExpired(env: Env, now: number): Promise<void> {{
  if (RETENTION_PERIODS_MONTHS === 0) return;
  const cutoff = new Date(now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - RETENTION_PERIODS_MONTHS);
  const d = new Date(cutoff);
  {step_back};
  const label = partitionOf(d.getTime());
  const db = dbFor(env, label);
  const name = `${{TABLE}}_${{label}}`;
  const progress = await db
    .prepare("SELECT last_id, done FROM archive_progress WHERE partition = ?")
    .bind(name)
    .first<{{ last_id: number; done: number }}>();
  if (progress?.done) return;
  let lastId = progress?.last_id ?? 0;
  for (let page = 0; page < 50; page++) {{
    const {{ results }} = await db
      .prepare(`SELECT id, ts, body FROM ${{name}} WHERE id > ? ORDER BY id LIMIT 1000`)
      .bind(lastId)
      .all<{{ id: number; ts: number; body: string }}>();
    if (results.length === 0) {{
      await db.batch([
        db.prepare(`DROP TABLE IF EXISTS ${{name}}`),
        db.prepare("INSERT OR REPLACE INTO archive_progress (partition, last_id, done) VALUES (?, ?, 1)").bind(name, lastId),
      ]);
      return;
    }}
    const body = results.map((r) => JSON.stringify(r)).join("\n") + "\n";
    await env.ARCHIVE.put(`${{TABLE}}/${{label}}/${{String(lastId).padStart(12, "0")}}.ndjson`, body);
    lastId = results[results.length - 1].id;
    await db
      .prepare("INSERT OR REPLACE INTO archive_progress (partition, last_id, done) VALUES (?, ?, 0)")
      .bind(name, lastId)
      .run();
  }}
}}

export default {{
  async fetch(request: Request, env: Env): Promise<Response> {{
    const url = new URL(request.url);
    const from = Number(url.searchParams.get("from") ?? Date.now() - 86_400_000);
    const to = Number(url.searchParams.get("to") ?? Date.now());
    return Response.json(await range(env, from, to));
  }},
  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {{
    ctx.waitUntil(archiveExpired(env, controller.scheduledTime));
  }},
}} satisfies ExportedHandler<Env>;
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        for (y, m, d) in [
            (1970, 1, 1),
            (2000, 2, 29),
            (2026, 11, 30),
            (2027, 1, 4),
            (2100, 3, 1),
        ] {
            assert_eq!(civil_from_days(days_from_civil(y, m, d)), (y, m, d));
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(
            days_from_civil(2026, 11, 28) - days_from_civil(2026, 11, 1),
            27
        );
    }

    #[test]
    fn partition_labels() {
        let labels = |p, y, m| {
            partitions(p, y, m, 3)
                .into_iter()
                .map(|p| p.label)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            labels(PartitionPeriod::Month, 2026, 11),
            ["2026_11", "2026_12", "2027_01"]
        );
        assert_eq!(
            labels(PartitionPeriod::Quarter, 2026, 11),
            ["2026_q4", "2027_q1", "2027_q2"]
        );
        assert_eq!(
            labels(PartitionPeriod::Year, 2026, 11),
            ["2026", "2027", "2028"]
        );
        // 2026-11-01 is a Sunday: the week containing it starts Monday 2026-10-26.
        assert_eq!(
            labels(PartitionPeriod::Week, 2026, 11),
            ["2026_10_26", "2026_11_02", "2026_11_09"]
        );
    }
}
