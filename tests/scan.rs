//! `analyze_project` on the fixture projects: every `// expect: <id>` comment in a fixture's code
//! is a finding at that line and nothing else fires; the clean twin has none; the proposed
//! indexes turn each scan into a search in SQLite's own plan; hostile input gives clear
//! warnings or errors.

use std::collections::BTreeSet;
use std::path::Path;

use cf_scale::engine::model::PriceTable;
use cf_scale::engine::recommend;
use cf_scale::engine::scan::{ProjectScan, ScanInput, SourceTree};
use cf_scale::knowledge;
use cf_scale::workspace::DirTree;

fn scan_with(dir: &Path, input: &ScanInput) -> Result<ProjectScan, String> {
    let k = knowledge::knowledge().unwrap();
    let tree = DirTree::open(dir)?;
    recommend::analyze_project(k, &PriceTable::builtin(k), input, &tree, Some("2026-12"))
        .map_err(|e| e.to_string())
}

fn scan(dir: &Path) -> ProjectScan {
    scan_with(dir, &ScanInput::default()).unwrap()
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `(file:line, id)` from the `// expect:` comments of every code file under `src/`.
fn expected(dir: &Path) -> (BTreeSet<(String, String)>, BTreeSet<String>) {
    let tree = DirTree::open(dir).unwrap();
    let mut findings = BTreeSet::new();
    let mut unresolved = BTreeSet::new();
    for path in tree.list("src", 1000) {
        let text = tree.read(&path, 1 << 20).unwrap().unwrap();
        for (i, line) in text.lines().enumerate() {
            let at = format!("{path}:{}", i + 1);
            if line.contains("// expect-unresolved") {
                unresolved.insert(at.clone());
            }
            if let Some((_, ids)) = line.split_once("// expect:") {
                for id in ids.split_whitespace() {
                    findings.insert((at.clone(), id.to_owned()));
                }
            }
        }
    }
    (findings, unresolved)
}

fn check_fixture(dir: &Path) -> ProjectScan {
    let r = scan(dir);
    let got: BTreeSet<(String, String)> = r
        .findings
        .iter()
        .map(|f| (f.at.clone(), f.id.clone()))
        .collect();
    let (want, want_unresolved) = expected(dir);
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{}: missing {missing:?}\nunexpected {extra:?}\n{}",
        dir.display(),
        serde_json::to_string_pretty(&r.findings).unwrap()
    );
    let unresolved: BTreeSet<String> = r.unresolved.iter().map(|u| u.at.clone()).collect();
    assert_eq!(unresolved, want_unresolved, "{}", dir.display());
    assert_eq!(r.findings.len(), want.len(), "one finding per id and line");
    r
}

#[test]
fn every_hazard_fires_on_its_line() {
    let r = check_fixture(&root().join("tests/fixtures/projects/hazards"));
    // Every check the scan has is exercised by the fixture.
    let ids: BTreeSet<&str> = r.findings.iter().map(|f| f.id.as_str()).collect();
    for c in cf_scale::engine::scan::CHECKS {
        assert!(
            ids.contains(c.id),
            "the hazards fixture never triggers {}",
            c.id
        );
    }
    assert_eq!(r.files.config.as_deref(), Some("wrangler.jsonc"));
    assert_eq!(r.files.migrations, 2);
    assert!(r.files.code >= 5, "{:?}", r.files);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert!(r.summary.contains("critical"), "{}", r.summary);
    // Findings come most severe first.
    assert!(
        r.findings
            .windows(2)
            .all(|w| w[0].severity <= w[1].severity)
    );
}

#[test]
fn the_clean_twin_has_no_findings() {
    let r = check_fixture(&root().join("tests/fixtures/projects/clean"));
    assert!(r.findings.is_empty());
    assert!(r.unresolved.is_empty());
    assert!(
        r.queries
            .iter()
            .all(|q| !q.plan.is_empty() || q.sql.to_ascii_uppercase().starts_with("INSERT"))
    );
    assert!(r.summary.contains("No findings"), "{}", r.summary);
}

#[test]
fn the_example_project_scans_as_its_comments_say() {
    let r = check_fixture(&root().join("examples/app"));
    assert!(!r.findings.is_empty());
}

/// Applies the fixture's migrations and the proposed index in a fresh SQLite, outside the
/// engine, and checks that the table is now searched, not scanned.
#[test]
fn proposed_indexes_turn_scans_into_searches_in_sqlite() {
    let dir = root().join("tests/fixtures/projects/hazards");
    let r = scan(&dir);
    let proposals: Vec<_> = r
        .queries
        .iter()
        .filter_map(|q| q.index.as_ref().map(|i| (q, i)))
        .collect();
    assert!(proposals.len() >= 3, "{proposals:?}");
    for (q, index) in proposals {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        let mut migrations: Vec<_> = std::fs::read_dir(dir.join("db/migrations"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        migrations.sort();
        for m in migrations {
            db.execute_batch(&std::fs::read_to_string(m).unwrap())
                .unwrap();
        }
        let plan = |db: &rusqlite::Connection| -> Vec<String> {
            let mut stmt = db
                .prepare(&format!("EXPLAIN QUERY PLAN {}", q.sql))
                .unwrap();
            let mut rows = stmt.raw_query();
            let mut out = Vec::new();
            while let Some(row) = rows.next().unwrap() {
                out.push(row.get::<_, String>(3).unwrap());
            }
            out
        };
        let table = index
            .create
            .split(" ON ")
            .nth(1)
            .unwrap()
            .split('(')
            .next()
            .unwrap()
            .to_owned();
        let before = plan(&db);
        assert_eq!(before, q.plan, "the engine reports SQLite's plan");
        db.execute_batch(&index.create).unwrap();
        let after = plan(&db);
        assert_eq!(after, index.plan_after);
        let problem_before = before.iter().any(|d| {
            d.starts_with("SCAN ") || d.contains("TEMP B-TREE") || d.contains("AUTOMATIC")
        });
        assert!(problem_before, "{before:?}");
        assert!(
            !after.iter().any(|d| d.starts_with(&format!("SCAN {table}"))
                || d.contains("AUTOMATIC")
                || d.contains("TEMP B-TREE")),
            "{}: {after:?}",
            index.create
        );
        assert!(after.iter().any(|d| d.starts_with("SEARCH")), "{after:?}");
    }
}

#[test]
fn table_rows_and_call_rates_price_the_saving() {
    let dir = root().join("tests/fixtures/projects/hazards");
    let plain = scan(&dir);
    let scanning = scanning_users(&plain);
    let mut input = ScanInput::default();
    input.table_rows.insert("users".into(), 2_000_000.0);
    input
        .calls_per_month
        .insert(scanning.id.clone(), 30_000_000.0);
    // Without rows returned, a non-unique search's rows after are unknown, never 0.
    let r = scan_with(&dir, &input).unwrap();
    let q = r.queries.iter().find(|q| q.id == scanning.id).unwrap();
    let index = q.index.as_ref().unwrap();
    assert_eq!(index.rows_read_per_call_before, Some(2_000_000.0));
    assert_eq!(index.rows_read_per_call_after, None);
    assert!(r.index_saving.is_none());
    // D1's query statistics (an import result) give the rows returned per call: one.
    let mut input = input.clone();
    input.calls_per_month.clear();
    input.usage = Some(cf_scale::engine::scan::ImportedQueries {
        queries: vec![cf_scale::engine::scan::ImportedQuery {
            query: format!("  {}  ;", scanning.sql.to_uppercase()),
            calls_per_month: 30_000_000.0,
            rows_read_per_month: 2_000_000.0 * 30_000_000.0,
            rows_read_per_row_returned: 2_000_000.0,
        }],
    });
    let r = scan_with(&dir, &input).unwrap();
    let q = r.queries.iter().find(|q| q.id == scanning.id).unwrap();
    assert_eq!(q.calls_per_month, Some(30_000_000.0));
    let index = q.index.as_ref().unwrap();
    let after = index.rows_read_per_call_after.expect("from the import");
    assert_eq!(after, 1.0);
    let saving = r.index_saving.as_ref().expect("priced");
    assert_eq!(saving.rows_read_before, 2_000_000.0 * 30_000_000.0);
    assert_eq!(saving.rows_read_after, after * 30_000_000.0);
    // 60 trillion rows read: (60e12 - 25e9 included) / 1e6 × $0.001 + the $5 subscription.
    let expected = (60e12 - 25e9) / 1e6 * 0.001 + 5.0;
    let usd: f64 = saving.usd_before.to_string().parse().unwrap();
    assert!((usd - expected).abs() < 0.01, "{usd} vs {expected}");
    assert!(saving.usd_after < saving.usd_before);
    assert!(r.summary.contains("rows read"), "{}", r.summary);
    // Bad numbers name their field.
    let mut bad = ScanInput::default();
    bad.table_rows.insert("users".into(), -1.0);
    let e = scan_with(&dir, &bad).unwrap_err();
    assert!(e.contains("table_rows.users"), "{e}");
}

/// The hazards fixture's statement that scans `users` and gets an index proposal.
fn scanning_users(r: &ProjectScan) -> &cf_scale::engine::scan::QueryPlan {
    r.queries
        .iter()
        .find(|q| q.index.is_some() && q.plan.iter().any(|d| d == "SCAN users"))
        .expect("a statement scanning users")
}

fn write(dir: &Path, path: &str, text: impl AsRef<[u8]>) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn temp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("cf-scale-scan-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn hostile_projects_give_clear_warnings_not_panics() {
    let d = temp("hostile");
    write(
        &d,
        "wrangler.jsonc",
        r#"{ "name": "x", "main": "src/index.ts", "d1_databases": [{ "binding": "DB", "database_name": "x" }] }"#,
    );
    write(
        &d,
        "migrations/0001.sql",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
    );
    write(&d, "migrations/0002.sql", "CREATE TABLE broken (");
    write(
        &d,
        "src/index.ts",
        "import './bin';\nimport './huge';\nimport './broken';\nimport './escape';\nimport '../../etc/passwd';\nexport default { async fetch(r: Request, env: any) { return env.DB.prepare('SELECT a FROM t WHERE a = ?').first(); } };\n",
    );
    write(&d, "src/bin.ts", b"\x00\x01\x02binary");
    write(&d, "src/huge.ts", vec![b'/'; 2 << 20]);
    write(&d, "src/broken.ts", "export function f( {\n  return 1;\n");
    let outside = temp("outside");
    write(&outside, "secret.ts", "export const secret = 1;");
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.join("secret.ts"), d.join("src/escape.ts")).unwrap();
    let r = scan(&d);
    let warnings = r.warnings.join("\n");
    assert!(
        warnings.contains("src/bin.ts") && warnings.contains("binary"),
        "{warnings}"
    );
    assert!(
        warnings.contains("src/huge.ts") && warnings.contains("bytes"),
        "{warnings}"
    );
    assert!(
        warnings.contains("src/broken.ts:") && warnings.contains("syntax error"),
        "{warnings}"
    );
    #[cfg(unix)]
    assert!(
        warnings.contains("src/escape.ts") && warnings.contains("outside the project"),
        "{warnings}"
    );
    assert!(
        warnings.contains("outside the project: not read"),
        "{warnings}"
    );
    assert!(
        warnings.contains("0002.sql") && warnings.contains("migration failed"),
        "{warnings}"
    );
    // The statement in the good file is still planned.
    assert_eq!(
        r.findings.iter().filter(|f| f.id == "d1-full-scan").count(),
        1,
        "{:?}",
        r.findings
    );

    // An invalid config is an error naming the file.
    write(&d, "wrangler.jsonc", "{ nope");
    let e = scan_with(&d, &ScanInput::default()).unwrap_err();
    assert!(e.contains("wrangler.jsonc"), "{e}");
    // An unknown environment names env and the ones there are.
    write(
        &d,
        "wrangler.jsonc",
        r#"{ "name": "x", "env": { "staging": {} } }"#,
    );
    let e = scan_with(
        &d,
        &ScanInput {
            env: Some("prod".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(e.contains("env") && e.contains("staging"), "{e}");
    // A directory that is not there.
    let e = scan_with(&d.join("nope"), &ScanInput::default()).unwrap_err();
    assert!(e.contains("nope"), "{e}");
    let _ = std::fs::remove_dir_all(&d);
    let _ = std::fs::remove_dir_all(&outside);
}

#[test]
fn without_main_the_scan_reads_src_and_without_config_it_says_so() {
    let d = temp("nomain");
    write(
        &d,
        "src/a.ts",
        "export async function f(urls: string[]) { for (const u of urls) await fetch(u); }\n",
    );
    let r = scan(&d);
    assert!(
        r.warnings.iter().any(|w| w.contains("no Wrangler config")),
        "{:?}",
        r.warnings
    );
    assert_eq!(r.files.code, 1);
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].id, "subrequest-in-loop");
    assert_eq!(r.findings[0].at, "src/a.ts:1");
    let _ = std::fs::remove_dir_all(&d);
    // Neither a config nor code: not a Workers project, so `scan` exits 2 rather than passing.
    let empty = temp("empty");
    let e = scan_with(&empty, &ScanInput::default()).unwrap_err();
    assert!(e.contains("not a Workers project"), "{e}");
    let _ = std::fs::remove_dir_all(&empty);
}

/// The scan as recommend_scaling's `project`: each check becomes one recommendation with the
/// places as evidence, and the rows the indexes avoid price the D1 index lever on the bill.
#[test]
fn recommend_ranks_the_findings_and_prices_the_index_lever() {
    use cf_scale::engine::model::{ProjectContext, ProjectSource, UsageProfile};
    let dir = root().join("tests/fixtures/projects/hazards");
    let plain = scan(&dir);
    let scanning = scanning_users(&plain);
    let mut input = ScanInput::default();
    input.table_rows.insert("users".into(), 1_000_000.0);
    input
        .calls_per_month
        .insert(scanning.id.clone(), 10_000_000.0);
    input.usage = Some(cf_scale::engine::scan::ImportedQueries {
        queries: vec![cf_scale::engine::scan::ImportedQuery {
            query: scanning.sql.clone(),
            calls_per_month: 10_000_000.0,
            rows_read_per_month: 1e13,
            rows_read_per_row_returned: 1e6,
        }],
    });
    let r = scan_with(&dir, &input).unwrap();
    let saving = r.index_saving.clone().unwrap();
    assert_eq!(saving.rows_read_before - saving.rows_read_after, 1e13 - 1e7);

    let k = knowledge::knowledge().unwrap();
    let prices = PriceTable::builtin(k);
    let mut usage = UsageProfile {
        month: Some("2026-12".into()),
        ..Default::default()
    };
    usage.workers.requests = 50_000_000.0;
    usage.d1.rows_read = 1.2e13;
    let ctx = ProjectContext {
        project: Some(ProjectSource::Scan(r.clone().into())),
        usage: Some(usage),
        today: Some("2026-12-02".into()),
        ..Default::default()
    };
    let rec = recommend::recommend(k, &prices, &ctx).unwrap();
    // One recommendation per check that fired, most severe first, the places as evidence.
    let code: Vec<_> = rec
        .recommendations
        .iter()
        .filter(|x| cf_scale::engine::scan::check(&x.id).is_some())
        .collect();
    let fired: BTreeSet<&str> = r.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(code.len(), fired.len());
    assert_eq!(
        rec.recommendations[0].severity,
        cf_scale::knowledge::Severity::Critical
    );
    let scans = code.iter().find(|x| x.id == "d1-full-scan").unwrap();
    assert!(
        scans
            .evidence
            .starts_with("In the code at src/db.ts:30, src/db.ts:63"),
        "{}",
        scans.evidence
    );
    assert!(
        scans.actions[0].contains("CREATE INDEX idx_users_email"),
        "{:?}",
        scans.actions
    );
    // The lever: rows read avoided (1e13 − 1e7) priced on the bill: 12e12 rows cost
    // (12e12 − 25e9) / 1e6 × $0.001; without the avoided rows, (2e12 + 1e7 − 25e9) / 1e6 × $0.001.
    let lever = rec
        .cost_levers
        .iter()
        .find(|l| l.id == "d1-index-scans")
        .expect("the D1 index lever");
    let want = ((12e12 - 25e9) - (2e12 + 1e7 - 25e9)) / 1e6 * 0.001;
    let got: f64 = lever.saving_usd_per_month.to_string().parse().unwrap();
    assert!((got - want).abs() < 0.01, "{got} vs {want}");
    // A directory is the front end's to read, not the engine's.
    let ctx = ProjectContext {
        project: Some(ProjectSource::Directory("x".into())),
        ..Default::default()
    };
    let e = recommend::recommend(k, &prices, &ctx)
        .unwrap_err()
        .to_string();
    assert!(e.contains("project"), "{e}");
}

#[test]
fn a_project_that_is_neither_a_scan_nor_a_directory_is_refused_by_name() {
    use cf_scale::engine::model::{ProjectContext, from_json};
    let e = from_json::<ProjectContext>(serde_json::json!({"project": {"dir": "x"}})).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("project") && text.contains("findings"),
        "{text}"
    );
    let ok = from_json::<ProjectContext>(
        serde_json::json!({"project": {"findings": [], "summary": "s"}}),
    );
    assert!(ok.is_ok());
}

#[test]
fn an_import_alone_gives_rows_before_and_after_and_the_saving() {
    let dir = root().join("tests/fixtures/projects/hazards");
    let plain = scan(&dir);
    let scanning = scanning_users(&plain);
    let input = ScanInput {
        usage: Some(cf_scale::engine::scan::ImportedQueries {
            queries: vec![cf_scale::engine::scan::ImportedQuery {
                query: scanning.sql.clone(),
                calls_per_month: 1e6,
                rows_read_per_month: 5e11,
                rows_read_per_row_returned: 5e5,
            }],
        }),
        ..Default::default()
    };
    let r = scan_with(&dir, &input).unwrap();
    let index = r
        .queries
        .iter()
        .find(|q| q.id == scanning.id)
        .unwrap()
        .index
        .clone()
        .unwrap();
    assert_eq!(index.rows_read_per_call_before, Some(5e5));
    assert_eq!(index.rows_read_per_call_after, Some(1.0));
    let saving = r.index_saving.unwrap();
    assert_eq!(
        (saving.rows_read_before, saving.rows_read_after),
        (5e11, 1e6)
    );
}

/// The checks cite limits, prices and runaway loops by their ids in the data files rather than
/// repeating figures: every id they name exists there.
#[test]
fn every_data_id_a_check_cites_exists() {
    let data: String = ["limits", "pricing", "levers"]
        .iter()
        .map(|f| {
            std::fs::read_to_string(root().join(format!("skills/scale/data/{f}.toml"))).unwrap()
        })
        .collect();
    let mut cited = 0;
    for c in cf_scale::engine::scan::CHECKS {
        for (i, part) in c.why.split('`').enumerate() {
            // Odd parts are inside backticks; data ids are dotted or kebab-case names.
            if i % 2 == 1 && !part.contains(' ') && !part.contains('(') && part.len() > 3 {
                assert!(
                    data.contains(&format!("id = \"{part}\"")),
                    "{}: `{part}` is in no data file",
                    c.id
                );
                cited += 1;
            }
        }
        assert!(
            !c.why.contains('$'),
            "{}: a price figure belongs in pricing.toml",
            c.id
        );
    }
    assert!(cited >= 8, "{cited}");
}
