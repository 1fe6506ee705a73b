//! `d1_tenant`: which tenants get their own D1 database, and how the rest are packed into shared
//! ones (first-fit decreasing under the target fill).

use std::fmt::Write;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Alternative, Code, Context, PlanDetails, ShardPlan, non_negative, num, step};
use crate::engine::model::{D1Usage, InputError, UsageProfile};

/// Most explicit tenant sizes accepted.
const MAX_TENANT_SIZES: usize = 100_000;
/// Databases listed by name in the wrangler config; the rest are summarised.
const LISTED_BINDINGS: usize = 20;

fn fill() -> f64 {
    0.8
}

fn horizon() -> u32 {
    12
}

/// Input of the `d1_tenant` strategy.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct D1TenantInput {
    /// Number of tenants, 1 to 100,000,000.
    pub tenants: u64,
    /// Average GB per tenant today. 0 to 100,000.
    pub avg_tenant_gb: f64,
    /// GB of the largest tenant today.
    pub largest_tenant_gb: f64,
    /// GB each tenant adds per month, default 0.
    #[serde(default)]
    pub growth_gb_per_month_per_tenant: f64,
    /// Fraction of a 10 GB database to fill at most, default 0.8.
    #[serde(default = "fill")]
    pub target_fill: f64,
    /// Months ahead to size for, default 12. 1 to 120.
    #[serde(default = "horizon")]
    pub horizon_months: u32,
    /// Every tenant's GB today, for an exact packing (at most 100,000 sizes). Without it the
    /// packing is built from the average and the largest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_sizes_gb: Option<Vec<f64>>,
}

/// A tenant that gets a database of its own.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DedicatedTenant {
    /// Index in `tenant_sizes_gb`, or `largest` when sizes were not given.
    pub tenant: String,
    /// Its size at the horizon, GB.
    pub projected_gb: f64,
}

/// The numbers of a `d1_tenant` plan.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct D1TenantPlan {
    /// Databases in all.
    pub database_count: u64,
    /// Tenants with a database of their own (more than half the target at the horizon).
    pub dedicated: Vec<DedicatedTenant>,
    /// Databases shared by the other tenants.
    pub shared_databases: u64,
    /// Tenants per shared database (the fullest one).
    pub max_tenants_per_shared_database: u64,
    /// GB per database the packing fills up to.
    pub target_gb: f64,
    /// Total GB at the horizon.
    pub total_gb: f64,
    /// Fraction of the account's database limit used.
    pub databases_per_account_used: f64,
    /// Fraction of the account's storage limit used.
    pub storage_per_account_used: f64,
    /// How requests find their tenant's database.
    pub routing: String,
}

/// First-fit decreasing into bins of `capacity`: the number of bins and the fullest bin's item
/// count. A max segment tree over bins finds the first bin with room in O(log n).
fn first_fit_decreasing(sizes: &mut [f64], capacity: f64) -> (u64, u64) {
    sizes.sort_by(|a, b| b.total_cmp(a));
    let n = sizes.len().max(1);
    let leaves = n.next_power_of_two();
    let mut tree = vec![capacity; 2 * leaves];
    let mut counts = vec![0u64; leaves];
    let mut used = 0usize;
    for &size in sizes.iter() {
        // Descend to the leftmost leaf whose remaining room fits `size`.
        let mut node = 1;
        while node < leaves {
            node = if tree[2 * node] >= size {
                2 * node
            } else {
                2 * node + 1
            };
        }
        let bin = node - leaves;
        used = used.max(bin + 1);
        counts[bin] += 1;
        tree[node] -= size;
        while node > 1 {
            node /= 2;
            tree[node] = tree[2 * node].max(tree[2 * node + 1]);
        }
    }
    (used as u64, counts.into_iter().max().unwrap_or(0))
}

pub(super) fn plan(ctx: &Context, i: &D1TenantInput) -> Result<ShardPlan, InputError> {
    if i.tenants == 0 || i.tenants > 100_000_000 {
        return Err(InputError::new(
            "tenants",
            format!("must be 1 to 100,000,000 (got {})", i.tenants),
        ));
    }
    let avg = non_negative("avg_tenant_gb", i.avg_tenant_gb, 1e5)?;
    let largest = non_negative("largest_tenant_gb", i.largest_tenant_gb, 1e5)?;
    let growth = non_negative(
        "growth_gb_per_month_per_tenant",
        i.growth_gb_per_month_per_tenant,
        1e4,
    )?;
    let fill = super::fraction("target_fill", i.target_fill)?;
    if !(1..=120).contains(&i.horizon_months) {
        return Err(InputError::new(
            "horizon_months",
            format!("must be 1 to 120 (got {})", i.horizon_months),
        ));
    }
    if avg > largest {
        return Err(InputError::new(
            "avg_tenant_gb",
            "cannot exceed largest_tenant_gb",
        ));
    }
    let db = ctx.limit("d1.database_size_gb")?;
    let per_account = ctx.limit("d1.databases_per_account")?;
    let storage = ctx.limit("d1.storage_per_account_gb")?;
    let bindings = ctx.limit("d1.bindings_per_worker")?;
    let target = db.value * fill;
    let grown = f64::from(i.horizon_months) * growth;
    let n = i.tenants;

    // Sizes at the horizon: the explicit list, or the largest tenant plus n − 1 of the rest's mean.
    let explicit = match &i.tenant_sizes_gb {
        Some(list) => {
            if list.len() as u64 != n || list.len() > MAX_TENANT_SIZES {
                return Err(InputError::new(
                    "tenant_sizes_gb",
                    format!(
                        "must list exactly `tenants` sizes, at most {MAX_TENANT_SIZES} (got {})",
                        list.len()
                    ),
                ));
            }
            let mut sizes = Vec::with_capacity(list.len());
            for (k, v) in list.iter().enumerate() {
                if !(v.is_finite() && (0.0..=1e5).contains(v)) {
                    return Err(
                        non_negative(&format!("tenant_sizes_gb[{k}]"), *v, 1e5).unwrap_err()
                    );
                }
                sizes.push(v + grown);
            }
            Some(sizes)
        }
        None => None,
    };
    let largest_h = match &explicit {
        Some(s) => s.iter().copied().fold(0.0, f64::max),
        None => largest + grown,
    };
    if largest_h > db.value {
        return Err(InputError::new(
            "largest_tenant_gb",
            format!(
                "the largest tenant reaches {} GB in {} months, more than one D1 database can ever hold ({} GB, not raisable): partition that tenant's data by time (strategy d1_time) or by entity, or keep it in a Postgres database through Hyperdrive",
                num(largest_h),
                i.horizon_months,
                num(db.value)
            ),
        ));
    }
    let rest_mean = if n > 1 {
        ((avg * n as f64 - largest) / (n as f64 - 1.0)).max(0.0) + grown
    } else {
        0.0
    };
    let dedicated_threshold = target / 2.0;

    let (dedicated, shared, per_shared, total_gb) = match explicit {
        Some(sizes) => {
            let dedicated: Vec<DedicatedTenant> = sizes
                .iter()
                .enumerate()
                .filter(|(_, s)| **s > dedicated_threshold)
                .map(|(k, s)| DedicatedTenant {
                    tenant: k.to_string(),
                    projected_gb: *s,
                })
                .collect();
            let mut small: Vec<f64> = sizes
                .iter()
                .copied()
                .filter(|s| *s <= dedicated_threshold)
                .collect();
            let total: f64 = sizes.iter().sum();
            let (bins, per) = if small.is_empty() {
                (0, 0)
            } else {
                first_fit_decreasing(&mut small, target)
            };
            (dedicated, bins, per, total)
        }
        None => {
            let mut dedicated = Vec::new();
            if largest_h > dedicated_threshold {
                dedicated.push(DedicatedTenant {
                    tenant: "largest".to_owned(),
                    projected_gb: largest_h,
                });
            }
            if rest_mean > dedicated_threshold {
                return Err(InputError::new(
                    "avg_tenant_gb",
                    format!(
                        "a typical tenant reaches {} GB, over half the {} GB target: give every tenant its own database, or list sizes in tenant_sizes_gb",
                        num(rest_mean),
                        num(target)
                    ),
                ));
            }
            // First-fit decreasing on this shape: the largest tenant (when shared) opens the first
            // database and equal tenants fill it, then floor(target / size) per database.
            let shared_largest = dedicated.is_empty();
            let others = n - 1;
            let per = if rest_mean == 0.0 {
                others.max(1)
            } else {
                ((target / rest_mean).floor() as u64).max(1)
            };
            let (bins, fullest) = if !shared_largest {
                (others.div_ceil(per), per.min(others))
            } else {
                let beside = if rest_mean == 0.0 {
                    others
                } else {
                    (((target - largest_h) / rest_mean).floor() as u64).min(others)
                };
                let rest = others - beside;
                (1 + rest.div_ceil(per), (beside + 1).max(per.min(rest)))
            };
            let (bins, per) = (bins, fullest);
            let total = largest_h + rest_mean * (n as f64 - 1.0);
            (dedicated, bins, per, total)
        }
    };
    let database_count = dedicated.len() as u64 + shared;
    let db_used = database_count as f64 / per_account.value;
    let storage_used = total_gb / storage.value;

    let capacity = vec![
        step("Largest D1 database", db.value, &db.unit, Some(&db)),
        step(
            format!("Target per database = {} × {fill}", num(db.value)),
            target,
            "GB",
            None,
        ),
        step(
            format!(
                "Largest tenant in {} months = {} GB + {} × {} GB/month",
                i.horizon_months,
                num(largest),
                i.horizon_months,
                num(growth)
            ),
            largest_h,
            "GB",
            None,
        ),
        step(
            format!(
                "A tenant over half the target ({} GB) gets its own database",
                num(dedicated_threshold)
            ),
            dedicated.len() as f64,
            "tenants",
            None,
        ),
        step(
            if i.tenant_sizes_gb.is_some() {
                format!(
                    "The other tenants packed first-fit decreasing into {} GB databases",
                    num(target)
                )
            } else {
                format!(
                    "The other tenants average {} GB at the horizon: {} per {} GB database",
                    num(rest_mean),
                    num(per_shared as f64),
                    num(target)
                )
            },
            shared as f64,
            "databases",
            None,
        ),
        step(
            "Databases per account",
            per_account.value,
            &per_account.unit,
            Some(&per_account),
        ),
        step(
            "Storage per account",
            storage.value,
            &storage.unit,
            Some(&storage),
        ),
        step(
            format!(
                "Total at the horizon ({} GB) ÷ account storage",
                num(total_gb)
            ),
            storage_used,
            "fraction",
            None,
        ),
        step(
            "Bindings one Worker can carry",
            bindings.value,
            &bindings.unit,
            Some(&bindings),
        ),
    ];

    let mut warnings = Vec::new();
    if db_used > 0.8 {
        warnings.push(format!(
            "{} databases is {}% of the account limit ({}): ask Cloudflare to raise it before you need it.",
            database_count,
            num(db_used * 100.0),
            num(per_account.value)
        ));
    }
    if storage_used > 0.8 {
        warnings.push(format!(
            "{} GB is {}% of the account's {} GB storage: request an increase or archive cold data to R2.",
            num(total_gb),
            num(storage_used * 100.0),
            num(storage.value)
        ));
    }
    let routing = if database_count as f64 > bindings.value {
        warnings.push(format!(
            "{database_count} databases cannot all be bound to one Worker (about {} bindings): split tenants across several Workers by tenant range behind a router Worker with service bindings, or use Workers for Platforms with a Worker per tenant group.",
            num(bindings.value)
        ));
        "A directory (KV) maps tenant → (Worker, binding); a router Worker forwards to the Worker holding that binding.".to_owned()
    } else {
        if database_count > 50 {
            warnings.push(format!(
                "{database_count} bindings in one Worker is workable but unwieldy: generate the wrangler config from the directory rather than by hand."
            ));
        }
        "A directory (KV) maps tenant → binding; the Worker looks it up (cached) and queries that database.".to_owned()
    };

    let cost_profile = UsageProfile {
        d1: D1Usage {
            storage_gb: total_gb,
            ..Default::default()
        },
        ..Default::default()
    };
    let cost = ctx.cost(
        cost_profile.clone(),
        cost_profile,
        format!("{} GB of D1 storage at the horizon: billed per account, so splitting it across databases costs nothing extra", num(total_gb)),
    )?;
    let summary = format!(
        "{n} tenants fit {database_count} D1 database{}: {} dedicated (tenants over {} GB at {} months) and {shared} shared, filled to at most {} GB each. Requests find their database through a tenant directory. Storage is billed per account, so the split adds no cost; the account reaches {}% of its database limit and {}% of its storage limit.",
        if database_count == 1 { "" } else { "s" },
        dedicated.len(),
        num(dedicated_threshold),
        i.horizon_months,
        num(target),
        num(db_used * 100.0),
        num(storage_used * 100.0),
    );
    let bindings_list = binding_names(dedicated.len(), shared);
    Ok(ShardPlan {
        strategy: "d1_tenant".to_owned(),
        summary,
        capacity,
        plan: PlanDetails::D1Tenant(D1TenantPlan {
            database_count,
            dedicated,
            shared_databases: shared,
            max_tenants_per_shared_database: per_shared,
            target_gb: target,
            total_gb,
            databases_per_account_used: db_used,
            storage_per_account_used: storage_used,
            routing,
        }),
        code: Code {
            typescript: Some(typescript(&bindings_list)),
            sql: Some(SQL.to_owned()),
            wrangler: Some(wrangler(&bindings_list, database_count)),
        },
        migration: vec![
            "Create the databases (wrangler d1 create) and apply the schema to each.".to_owned(),
            "Fill the tenant directory in KV: tenant id → binding name, from the packing above.".to_owned(),
            "Deploy the router; move tenants one at a time: copy, write to both databases, flip the directory entry, keep writing to both for at least the directory's cacheTtl (300 s) plus KV propagation (about 6 minutes in all, since readers may hold the old entry that long), then delete from the old database.".to_owned(),
            "When a shared database passes the target, move its biggest tenant out (to a new database) and update the directory.".to_owned(),
        ],
        cost: Some(cost),
        alternatives: vec![Alternative {
            design: "A Durable Object (SQLite) per tenant".to_owned(),
            why: "For many small tenants with per-tenant concurrency needs: each object has its own SQLite database (10 GB), is created on first use, and needs no bindings or directory.".to_owned(),
            monthly_usd: None,
            pattern: Some("scale://patterns/d1-tenant-partitioning".to_owned()),
        }],
        warnings,
        assumptions: vec![
            "Workers Paid limits and prices.".to_owned(),
            if i.tenant_sizes_gb.is_some() {
                "Sizes from tenant_sizes_gb, each growing by the same GB a month.".to_owned()
            } else {
                "Without tenant_sizes_gb: the largest tenant as given and every other tenant at the mean of the rest.".to_owned()
            },
        ],
    })
}

/// The first binding names: `TENANT_DB_<k>` for dedicated databases, `SHARED_DB_<k>` for shared
/// ones (the config lists these and summarises the rest).
fn binding_names(dedicated: usize, shared: u64) -> Vec<String> {
    let shared = usize::try_from(shared).unwrap_or(usize::MAX);
    (0..dedicated)
        .map(|k| format!("TENANT_DB_{k}"))
        .chain((0..shared).map(|k| format!("SHARED_DB_{k}")))
        .take(LISTED_BINDINGS)
        .collect()
}

const SQL: &str = "-- Shared databases keep every tenant's rows apart by tenant_id; dedicated ones can omit it.\n\
CREATE TABLE IF NOT EXISTS records (\n  tenant_id TEXT NOT NULL,\n  id TEXT NOT NULL,\n  body TEXT NOT NULL,\n  updated_at INTEGER NOT NULL,\n  PRIMARY KEY (tenant_id, id)\n);\n\
CREATE INDEX IF NOT EXISTS records_tenant_updated ON records (tenant_id, updated_at);\n";

fn wrangler(bindings: &[String], total: u64) -> String {
    let mut s = String::from(
        "{\n  \"kv_namespaces\": [{ \"binding\": \"TENANTS\", \"id\": \"<directory-namespace-id>\" }],\n  \"d1_databases\": [\n",
    );
    let listed = bindings.len().min(LISTED_BINDINGS);
    for (k, b) in bindings.iter().take(listed).enumerate() {
        let comma = if k + 1 < listed { "," } else { "" };
        let _ = writeln!(
            s,
            "    {{ \"binding\": \"{b}\", \"database_name\": \"{}\", \"database_id\": \"<id>\" }}{comma}",
            b.to_ascii_lowercase().replace('_', "-")
        );
    }
    if total as usize > listed {
        let _ = writeln!(
            s,
            "    // … {} more, generated from the tenant directory",
            total as usize - listed
        );
    }
    s.push_str("  ]\n}\n");
    s
}

fn typescript(bindings: &[String]) -> String {
    let listed: Vec<&String> = bindings.iter().take(LISTED_BINDINGS).collect();
    let mut env = String::new();
    for b in &listed {
        let _ = writeln!(env, "  {b}: D1Database;");
    }
    format!(
        r#"export interface Env {{
  TENANTS: KVNamespace;
{env}}}

type DatabaseBinding = {{ [K in keyof Env]: Env[K] extends D1Database ? K : never }}[keyof Env];

/** Finds a tenant's database through the directory (cached at the edge for 5 minutes). */
async function databaseFor(env: Env, tenantId: string): Promise<D1Database> {{
  const binding = await env.TENANTS.get(`tenant:${{tenantId}}`, {{ cacheTtl: 300 }});
  if (binding === null || !(binding in env)) {{
    throw new Error(`tenant ${{tenantId}} has no database in the directory`);
  }}
  return env[binding as DatabaseBinding];
}}

export async function getRecord(env: Env, tenantId: string, id: string): Promise<unknown> {{
  const db = await databaseFor(env, tenantId);
  return db.prepare("SELECT body FROM records WHERE tenant_id = ? AND id = ?").bind(tenantId, id).first("body");
}}

export async function putRecord(env: Env, tenantId: string, id: string, body: string): Promise<void> {{
  const db = await databaseFor(env, tenantId);
  await db
    .prepare(
      "INSERT INTO records (tenant_id, id, body, updated_at) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (tenant_id, id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
    )
    .bind(tenantId, id, body, Date.now())
    .run();
}}

export default {{
  async fetch(request: Request, env: Env): Promise<Response> {{
    const url = new URL(request.url);
    const tenant = request.headers.get("x-tenant-id");
    const id = url.pathname.slice(1);
    if (!tenant || !id) return new Response("x-tenant-id header and /<id> path required", {{ status: 400 }});
    if (request.method === "PUT") {{
      await putRecord(env, tenant, id, await request.text());
      return new Response(null, {{ status: 204 }});
    }}
    const body = await getRecord(env, tenant, id);
    return body === null ? new Response("not found", {{ status: 404 }}) : new Response(String(body));
  }},
}} satisfies ExportedHandler<Env>;
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ffd_packs_greedily_into_the_first_bin_with_room() {
        // Capacity 10, sorted 7 6 5 4 3 2: 7→A, 6→B, 5→C, 4→B, 3→A, 2→C = 3 bins of 2.
        let mut sizes = vec![2.0, 5.0, 7.0, 3.0, 6.0, 4.0];
        assert_eq!(first_fit_decreasing(&mut sizes, 10.0), (3, 2));
        let mut ones = vec![1.0; 25];
        assert_eq!(first_fit_decreasing(&mut ones, 10.0), (3, 10));
        let mut exact = vec![10.0, 10.0];
        assert_eq!(first_fit_decreasing(&mut exact, 10.0), (2, 1));
    }
}
