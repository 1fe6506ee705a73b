#!/usr/bin/env python3
"""Writes the example usage documents of examples/usage/: what the queries of
scale://queries/usage.graphql and the billable-usage API return for a SaaS API at about 2 million
requests a day (the project of examples/project.toml), over 7 days, 2026-11-24 to 2026-11-30.

The numbers are made up but shaped like real ones: a weekly pattern, a daily peak hour, a D1
database that grows, one D1 query without its index. Deterministic: run it again and the files are
the same. `cf-scale usage import examples/usage/*.json --start 2026-11-24 --end 2026-11-30`
imports them."""

import json
import math
import os
import random

random.seed(20261130)
HERE = os.path.dirname(os.path.abspath(__file__))
DAYS = [f"2026-11-{d:02d}" for d in range(24, 31)]
ACCOUNT = "0123456789abcdef0123456789abcdef"


def weekday_factor(i):
    # 2026-11-24 is a Tuesday; Saturday and Sunday are quieter.
    return 0.7 if (i + 2) % 7 in (5, 6) else 1.0


def hour_factor(h):
    # A peak at 15:00 UTC, a trough at 03:00.
    return 1 + 0.8 * math.sin((h - 9) / 24 * 2 * math.pi)


def jitter(x, spread=0.03):
    return x * (1 + random.uniform(-spread, spread))


def graphql(datasets):
    return {"data": {"viewer": {"accounts": [datasets]}}, "errors": None}


def write(name, doc):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


# Workers: two scripts, by status. CPU in microseconds.
workers = []
for i, day in enumerate(DAYS):
    base = 2_000_000 * weekday_factor(i)
    for script, share, cpu_ms in (("api", 0.97, 8.0), ("cron-jobs", 0.03, 25.0)):
        requests = round(jitter(base * share))
        for status, frac in (("success", 0.994), ("scriptThrewException", 0.005), ("internalError", 0.001)):
            n = round(requests * frac)
            workers.append({
                "sum": {"requests": n, "errors": 0 if status == "success" else n,
                        "subrequests": round(n * (12 if script == "api" else 3)),
                        "cpuTimeUs": round(n * jitter(cpu_ms) * 1000)},
                "quantiles": {"cpuTimeP50": round(jitter(cpu_ms * 600), 1),
                              "cpuTimeP99": round(jitter(cpu_ms * 2750), 1)},
                "dimensions": {"date": day, "scriptName": script, "status": status},
            })
write("workers.json", graphql({"workersInvocationsAdaptive": workers}))

# KV: one namespace of sessions, one of config.
kv_ops, kv_store = [], []
for i, day in enumerate(DAYS):
    f = weekday_factor(i)
    for ns, reads, writes, deletes, lists, size in (
        ("3f0c2a9e5b1d4c7a8e6f1b2c3d4e5f60", 1_400_000, 255_000, 20_000, 0, 0.9e9),
        ("9a8b7c6d5e4f30211f2e3d4c5b6a7980", 100_000, 5_000, 0, 1_200, 0.1e9),
    ):
        for action, n in (("read", reads), ("write", writes), ("delete", deletes), ("list", lists)):
            if n:
                kv_ops.append({"sum": {"requests": round(jitter(n * f))},
                               "dimensions": {"date": day, "namespaceId": ns, "actionType": action}})
        kv_store.append({"max": {"byteCount": round(size * (1 + 0.002 * i)), "keyCount": round(size / 900)},
                         "dimensions": {"date": day, "namespaceId": ns}})
write("kv.json", graphql({"kvOperationsAdaptiveGroups": kv_ops, "kvStorageAdaptiveGroups": kv_store}))

# D1: the main database (growing about 0.6 GB a month) and an audit log, by hour.
d1, d1_store = [], []
MAIN, AUDIT = "b6f1c2d3-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "c7a2d3e4-5f60-4b7c-9d8e-0f1a2b3c4d5e"
for i, day in enumerate(DAYS):
    f = weekday_factor(i)
    for h in range(24):
        hf = hour_factor(h) / 24
        for db, rows_read, rows_written, reads, writes in (
            (MAIN, 400_000_000, 1_200_000, 6_000_000, 110_000),
            (AUDIT, 2_000_000, 300_000, 20_000, 300_000),
        ):
            d1.append({
                "sum": {"rowsRead": round(jitter(rows_read * f * hf)), "rowsWritten": round(jitter(rows_written * f * hf)),
                        "readQueries": round(jitter(reads * f * hf)), "writeQueries": round(jitter(writes * f * hf))},
                "dimensions": {"datetimeHour": f"{day}T{h:02d}:00:00Z", "databaseId": db},
            })
    d1_store.append({"max": {"databaseSizeBytes": round((6.38 + 0.02 * i) * 1e9)}, "dimensions": {"date": day, "databaseId": MAIN}})
    d1_store.append({"max": {"databaseSizeBytes": round((0.80 + 0.004 * i) * 1e9)}, "dimensions": {"date": day, "databaseId": AUDIT}})
write("d1.json", graphql({"d1AnalyticsAdaptiveGroups": d1, "d1StorageAdaptiveGroups": d1_store}))

# The statements that read the most rows over the 7 days: one scans `orders` for want of an index.
queries = [
    ("SELECT * FROM orders WHERE customer_email = ? ORDER BY created_at DESC LIMIT 20", MAIN, 210_000, 1_890_000_000, 1_900_000, 41.0),
    ("SELECT id, name, plan FROM accounts WHERE id = ?", MAIN, 9_800_000, 9_800_000, 9_800_000, 0.4),
    ("SELECT * FROM projects WHERE account_id = ? AND archived = 0", MAIN, 4_100_000, 390_000_000, 36_000_000, 2.1),
    ("INSERT INTO events (project_id, kind, at) VALUES (?, ?, ?)", AUDIT, 1_900_000, 0, 0, 0.3),
    ("SELECT count(*) FROM events WHERE project_id = ? AND at > ?", AUDIT, 60_000, 12_000_000, 60_000, 6.0),
]
write("d1-queries.json", graphql({"d1QueriesAdaptiveGroups": [
    {"count": calls, "sum": {"rowsRead": read, "rowsReturned": returned, "rowsWritten": 1 if read == 0 else 0,
                             "queryDurationMs": round(calls * ms, 1)},
     "dimensions": {"query": q, "databaseId": db}}
    for q, db, calls, read, returned, ms in queries]}))

# R2: uploads and downloads of one bucket, and a small IA archive.
r2_ops, r2_store = [], []
for i, day in enumerate(DAYS):
    f = weekday_factor(i)
    for bucket, cls, actions, size in (
        ("user-uploads", "Standard", (("GetObject", 850_000), ("HeadObject", 50_000), ("PutObject", 38_000), ("ListObjects", 2_000), ("DeleteObject", 4_000)), 1_180e9),
        ("archive", "InfrequentAccess", (("PutObject", 1_000), ("GetObject", 300)), 420e9),
    ):
        for action, n in actions:
            r2_ops.append({"sum": {"requests": round(jitter(n * f))},
                           "dimensions": {"date": day, "bucketName": bucket, "actionType": action, "storageClass": cls}})
        r2_store.append({"max": {"payloadSize": round(size * (1 + 0.001 * i)), "metadataSize": round(size * 1e-5),
                                 "objectCount": round(size / 2.4e6), "uploadCount": 3},
                         "dimensions": {"date": day, "bucketName": bucket, "storageClass": cls}})
write("r2.json", graphql({"r2OperationsAdaptiveGroups": r2_ops, "r2StorageAdaptiveGroups": r2_store}))

# Durable Objects: collaboration rooms with WebSockets (not hibernated).
ROOMS = "5d4c3b2a19f8e7d6c5b4a39281706f5e"
do_inv, do_periodic, do_sql = [], [], []
for i, day in enumerate(DAYS):
    f = weekday_factor(i)
    for h in range(24):
        do_inv.append({"sum": {"requests": round(jitter(300_000 * f * hour_factor(h) / 24))},
                       "dimensions": {"datetimeHour": f"{day}T{h:02d}:00:00Z", "namespaceId": ROOMS}})
    do_periodic.append({"sum": {"duration": round(jitter(200_000 * f), 1), "rowsRead": round(jitter(9_000_000 * f)),
                                "rowsWritten": round(jitter(600_000 * f)), "inboundWebsocketMsgCount": round(jitter(4_000_000 * f)),
                                "storageReadUnits": 0, "storageWriteUnits": 0, "storageDeletes": 0},
                        "max": {"activeWebsocketConnections": round(jitter(2_400 * f))},
                        "dimensions": {"date": day, "namespaceId": ROOMS}})
    do_sql.append({"max": {"storedBytes": round((2.1 + 0.01 * i) * 1e9)}, "dimensions": {"date": day, "namespaceId": ROOMS}})
write("durable-objects.json", graphql({"durableObjectsInvocationsAdaptiveGroups": do_inv,
                                       "durableObjectsPeriodicGroups": do_periodic,
                                       "durableObjectsSqlStorageGroups": do_sql}))

# Queues: one queue of email jobs; its consumer falls behind in the afternoon peak.
QUEUE = "e1d2c3b4a5f60718293a4b5c6d7e8f90"
q_ops, q_backlog = [], []
for i, day in enumerate(DAYS):
    f = weekday_factor(i)
    for h in range(24):
        n = round(jitter(50_000 * f * hour_factor(h) / 24))
        for action, lag in (("WriteMessage", None), ("ReadMessage", 800 + 40_000 * max(0, hour_factor(h) - 1.4)), ("DeleteMessage", None)):
            g = {"count": n, "sum": {"billableOperations": n, "bytes": n * 1_800}, "avg": {"retryCount": 0.02 if action == "ReadMessage" else 0},
                 "dimensions": {"datetimeHour": f"{day}T{h:02d}:00:00Z", "queueId": QUEUE, "actionType": action}}
            if lag is not None:
                g["avg"]["lagTime"] = round(lag, 1)
            q_ops.append(g)
    q_backlog.append({"avg": {"messages": round(jitter(900 * f)), "bytes": round(jitter(900 * f) * 1_800)},
                      "dimensions": {"date": day, "queueId": QUEUE}})
write("queues.json", graphql({"queueMessageOperationsAdaptiveGroups": q_ops, "queueBacklogAdaptiveGroups": q_backlog}))

# Billable usage (v2, FinOps FOCUS rows, one per metric per day): Workers requests and CPU, and
# Durable Object duration. They win over the analytics above where both give a meter.
rows = []
for i, day in enumerate(DAYS):
    nxt = f"2026-11-{int(day[-2:]) + 1:02d}" if day != "2026-11-30" else "2026-12-01"
    billed = sum(g["sum"]["requests"] for g in workers if g["dimensions"]["date"] == day and g["dimensions"]["status"] != "internalError")
    cpu = sum(g["sum"]["cpuTimeUs"] for g in workers if g["dimensions"]["date"] == day) / 1000
    duration = next(g["sum"]["duration"] for g in do_periodic if g["dimensions"]["date"] == day)
    for metric, name, qty, unit in (
        ("workers_standard_requests", "Workers Standard Requests", round(billed * 1.004), "Requests"),
        ("workers_cpu_ms", "Workers CPU Milliseconds", round(cpu * 1.002), "ms"),
        ("durable_objects_compute_duration", "Durable Objects Compute Duration", round(duration * 0.998, 1), "GB-seconds"),
    ):
        rows.append({
            "BillingAccountId": ACCOUNT, "BillingAccountName": "Example SaaS", "ChargeCategory": "Usage",
            "ChargeDescription": f"{name} — daily usage", "ChargeFrequency": "Usage-Based",
            "ChargePeriodStart": f"{day}T00:00:00Z", "ChargePeriodEnd": f"{nxt}T00:00:00Z",
            "ConsumedQuantity": qty, "ConsumedUnit": unit, "HostProviderName": "Cloudflare",
            "InvoiceIssuerName": "Cloudflare", "ServiceProviderName": "Cloudflare",
            "x_BillableMetricId": metric, "x_BillableMetricName": name,
            "x_ProductFamilyId": metric.split("_")[0] if not metric.startswith("durable") else "durable_objects",
            "x_ProductFamilyName": "Workers" if metric.startswith("workers") else "Durable Objects",
        })
write("billable.json", {"errors": [], "messages": [], "result": rows, "success": True})
