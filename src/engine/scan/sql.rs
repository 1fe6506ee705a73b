//! One D1 database's schema in an in-memory SQLite (D1 is SQLite), the plans SQLite chooses for
//! the project's statements, and index proposals checked by planning again with the index.
//! `sqlparser` reads which columns a statement filters, joins and orders on.

use rusqlite::Connection;
use sqlparser::ast::{
    BinaryOperator, Expr, GroupByExpr, OrderByKind, Query, SelectItem, SetExpr, Statement,
    TableFactor, TableWithJoins,
};
use sqlparser::dialect::SQLiteDialect;

/// A database built from its migrations.
pub(super) struct Schema {
    conn: Connection,
}

/// What a plan shows that costs rows read.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Problem {
    /// `SCAN t`: every row of the table on every call.
    FullScan { table: String },
    /// `USE TEMP B-TREE FOR ORDER BY`: all matching rows sorted before the first is returned.
    TempBtree { table: Option<String>, what: String },
    /// An index SQLite builds on every call, reading the whole table to do so.
    AutomaticIndex { table: String, columns: Vec<String> },
}

/// Column references of a statement, by the table name or alias that qualifies them.
#[derive(Debug, Default)]
pub(super) struct Shape {
    pub select: bool,
    /// The table an INSERT, UPDATE, DELETE or REPLACE writes.
    pub writes: Option<String>,
    /// `(table, alias)` of every table read.
    pub tables: Vec<(String, Option<String>)>,
    pub filtered: bool,
    pub eq: Vec<(Option<String>, String)>,
    pub range: Vec<(Option<String>, String)>,
    pub order: Vec<(Option<String>, String)>,
    pub join: Vec<(Option<String>, String)>,
    pub star: bool,
    pub limit: Option<f64>,
    /// OFFSET, when a number.
    pub offset: Option<f64>,
    pub has_limit: bool,
    pub aggregate_only: bool,
}

impl Schema {
    pub fn new() -> Result<Self, String> {
        let conn = Connection::open_in_memory().map_err(|e| format!("SQLite: {e}"))?;
        Ok(Self { conn })
    }

    /// Runs one migration file.
    pub fn apply(&self, sql: &str) -> Result<(), String> {
        self.conn.execute_batch(sql).map_err(|e| e.to_string())
    }

    /// `EXPLAIN QUERY PLAN`: the detail of each step, in order.
    pub fn plan(&self, sql: &str) -> Result<Vec<String>, String> {
        let mut stmt = self
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .map_err(|e| sqlite_message(&e))?;
        // Placeholders stay unbound (NULL): planning does not need their values.
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| e.to_string())? {
            out.push(row.get::<_, String>(3).map_err(|e| e.to_string())?);
        }
        Ok(out)
    }

    /// The plan of `sql` with `create` applied, leaving the schema as it was.
    pub fn plan_with(&self, create: &str, sql: &str) -> Result<Vec<String>, String> {
        self.conn
            .execute_batch("SAVEPOINT proposal")
            .map_err(|e| e.to_string())?;
        let plan = self
            .conn
            .execute_batch(create)
            .map_err(|e| e.to_string())
            .and_then(|()| self.plan(sql));
        // Rolled back whether the index or the plan failed: the schema stays as migrated.
        self.conn
            .execute_batch("ROLLBACK TO proposal; RELEASE proposal;")
            .map_err(|e| e.to_string())?;
        plan
    }

    /// `idx_<table>_<columns>`, with a number added when the schema already has that name.
    pub fn index_name(&self, table: &str, columns: &[String]) -> String {
        let base: String = format!("idx_{table}_{}", columns.join("_"))
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let taken = |name: &str| {
            self.conn
                .query_row(
                    "SELECT 1 FROM sqlite_master WHERE name = ?1 COLLATE NOCASE",
                    [name],
                    |_| Ok(()),
                )
                .is_ok()
        };
        let mut name = base.clone();
        let mut n = 2;
        while taken(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        name
    }

    /// The table's columns, empty when there is no such table.
    pub fn columns(&self, table: &str) -> Vec<String> {
        let Ok(mut stmt) = self.conn.prepare("SELECT name FROM pragma_table_info(?1)") else {
            return Vec::new();
        };
        stmt.query_map([table], |row| row.get::<_, String>(0))
            .map(|rows| rows.filter_map(Result::ok).collect())
            .unwrap_or_default()
    }

    /// Whether the plan step searches `table` by a unique key with equality only (one row).
    pub fn unique_search(&self, detail: &str) -> bool {
        if detail.contains("INTEGER PRIMARY KEY (rowid=?)") {
            return true;
        }
        let Some(index) = detail
            .split("INDEX ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
        else {
            return false;
        };
        let equality_only = detail
            .rsplit_once('(')
            .is_some_and(|(_, cols)| !cols.contains('>') && !cols.contains('<'));
        equality_only
            && self
                .conn
                .query_row(
                    "SELECT \"unique\" FROM pragma_index_list((SELECT tbl_name FROM sqlite_master WHERE name = ?1)) WHERE name = ?1",
                    [index],
                    |row| row.get::<_, bool>(0),
                )
                .unwrap_or(false)
    }

    fn is_table(&self, name: &str) -> bool {
        !self.columns(name).is_empty()
    }

    /// The problems a plan shows. `shape` maps aliases to tables and tells a bounded read.
    pub fn problems(&self, plan: &[String], shape: Option<&Shape>) -> Vec<Problem> {
        let table_of = |name: &str| -> Option<String> {
            if let Some(s) = shape
                && let Some((t, _)) = s
                    .tables
                    .iter()
                    .find(|(t, a)| a.as_deref() == Some(name) || t.eq_ignore_ascii_case(name))
            {
                return Some(t.clone());
            }
            self.is_table(name).then(|| name.to_owned())
        };
        let sorts = plan.iter().any(|d| d.starts_with("USE TEMP B-TREE"));
        let mut out = Vec::new();
        for detail in plan {
            // Virtual tables (json_each, FTS5) are scanned by their own module, not by rows.
            if detail.contains("VIRTUAL TABLE") {
                continue;
            }
            if let Some(rest) = detail.strip_prefix("SCAN ") {
                let name = rest.split_whitespace().next().unwrap_or_default();
                let Some(table) = table_of(name) else {
                    continue;
                };
                // `SELECT … FROM t LIMIT n` with no filter and no sort reads n rows.
                let bounded = shape.is_some_and(|s| s.has_limit && !s.filtered) && !sorts;
                if !bounded {
                    out.push(Problem::FullScan { table });
                }
            } else if let Some(what) = detail.strip_prefix("USE TEMP B-TREE FOR ") {
                let table = shape.and_then(|s| s.tables.first()).map(|(t, _)| t.clone());
                out.push(Problem::TempBtree {
                    table,
                    what: what.to_owned(),
                });
            } else if detail.contains("AUTOMATIC") && detail.starts_with("SEARCH ") {
                let name = detail[7..].split_whitespace().next().unwrap_or_default();
                let Some(table) = table_of(name) else {
                    continue;
                };
                let columns = detail
                    .rsplit_once('(')
                    .map(|(_, c)| {
                        c.trim_end_matches(')')
                            .split(" AND ")
                            .filter_map(|p| p.split(['=', '>', '<']).next())
                            .map(|c| c.trim().to_owned())
                            .filter(|c| !c.is_empty())
                            .collect()
                    })
                    .unwrap_or_default();
                out.push(Problem::AutomaticIndex { table, columns });
            }
        }
        out
    }
}

/// SQLite's message without the statement rusqlite appends.
fn sqlite_message(e: &rusqlite::Error) -> String {
    let text = e.to_string();
    match text.split_once(" in EXPLAIN QUERY PLAN ") {
        Some((message, _)) => message.to_owned(),
        None => text,
    }
}

/// `text` without the whitespace and comments it starts with.
pub(super) fn skip_comments(mut text: &str) -> &str {
    loop {
        text = text.trim_start();
        if let Some(rest) = text.strip_prefix("--") {
            text = rest.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(rest) = text.strip_prefix("/*") {
            text = rest.split_once("*/").map_or("", |(_, r)| r);
        } else {
            return text;
        }
    }
}

/// Splits SQL into statements where SQLite would: at a `;` that completes one
/// (`sqlite3_complete`), so semicolons in strings, comments and trigger bodies do not split.
pub(super) fn statements(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices(';') {
        if out.len() >= max {
            return out;
        }
        let candidate = &text[start..=i];
        if complete(candidate) {
            let statement = candidate.trim().trim_end_matches(';').trim();
            if !skip_comments(statement).is_empty() {
                out.push(statement.to_owned());
            }
            start = i + 1;
        }
    }
    let rest = text[start..].trim();
    if !skip_comments(rest).is_empty() && out.len() < max {
        out.push(rest.to_owned());
    }
    out
}

fn complete(sql: &str) -> bool {
    let Ok(c) = std::ffi::CString::new(sql) else {
        return false;
    };
    // SAFETY: `c` is a NUL-terminated string that outlives the call; sqlite3_complete only
    // reads it.
    unsafe { rusqlite::ffi::sqlite3_complete(c.as_ptr()) != 0 }
}

/// An identifier as SQL: bare when it is a plain name and not a keyword, else double-quoted.
pub(super) fn ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    // SAFETY: the pointer and length describe `name`'s bytes, which outlive the call.
    let keyword = unsafe {
        rusqlite::ffi::sqlite3_keyword_check(
            name.as_ptr().cast(),
            name.len() as std::os::raw::c_int,
        ) != 0
    };
    if plain && !keyword {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// Reads the statement's shape, `None` when `sqlparser` cannot parse it (SQLite still plans it).
pub(super) fn shape(sql: &str) -> Option<Shape> {
    let statements = sqlparser::parser::Parser::parse_sql(&SQLiteDialect {}, sql).ok()?;
    let statement = statements.into_iter().next()?;
    let mut s = Shape::default();
    match statement {
        Statement::Query(q) => {
            s.select = true;
            query(&q, &mut s);
        }
        Statement::Insert(i) => {
            s.writes = Some(i.table.to_string());
            if let Some(q) = &i.source {
                query(q, &mut s);
            }
        }
        Statement::Update(u) => {
            if let TableFactor::Table { name, alias, .. } = &u.table.relation {
                s.writes = Some(last(name));
                s.tables
                    .push((last(name), alias.as_ref().map(|a| a.name.value.clone())));
            }
            if let Some(w) = &u.selection {
                s.filtered = true;
                predicate(w, &mut s);
            }
        }
        Statement::Delete(d) => {
            let from = match &d.from {
                sqlparser::ast::FromTable::WithFromKeyword(t)
                | sqlparser::ast::FromTable::WithoutKeyword(t) => t,
            };
            for t in from {
                relations(t, &mut s);
            }
            s.writes = s.tables.first().map(|(t, _)| t.clone());
            if let Some(w) = &d.selection {
                s.filtered = true;
                predicate(w, &mut s);
            }
        }
        _ => return None,
    }
    Some(s)
}

fn last(name: &sqlparser::ast::ObjectName) -> String {
    name.0
        .last()
        .and_then(|p| p.as_ident())
        .map(|i| i.value.clone())
        .unwrap_or_else(|| name.to_string())
}

fn query(q: &Query, s: &mut Shape) {
    if let SetExpr::Select(select) = q.body.as_ref() {
        for t in &select.from {
            relations(t, s);
        }
        if let Some(w) = &select.selection {
            s.filtered = true;
            predicate(w, s);
        }
        s.star = select.projection.iter().any(|p| {
            matches!(
                p,
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
            )
        });
        let grouped = match &select.group_by {
            GroupByExpr::Expressions(exprs, _) => {
                for e in exprs {
                    if let Some(c) = column(e) {
                        s.order.push(c);
                    }
                }
                !exprs.is_empty()
            }
            GroupByExpr::All(_) => true,
        };
        s.aggregate_only = !grouped
            && !select.projection.is_empty()
            && select.projection.iter().all(|p| match p {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    aggregate(e)
                }
                _ => false,
            });
    }
    if let Some(order) = &q.order_by
        && let OrderByKind::Expressions(exprs) = &order.kind
    {
        for e in exprs {
            if let Some(c) = column(&e.expr) {
                s.order.push(c);
            }
        }
    }
    if let Some(limit) = &q.limit_clause {
        s.has_limit = true;
        let n = match limit {
            sqlparser::ast::LimitClause::LimitOffset { limit, .. } => limit.as_ref(),
            sqlparser::ast::LimitClause::OffsetCommaLimit { limit, .. } => Some(limit),
        };
        s.limit = n.and_then(number);
        if let sqlparser::ast::LimitClause::LimitOffset {
            offset: Some(o), ..
        } = limit
        {
            s.offset = number(&o.value);
        } else if let sqlparser::ast::LimitClause::OffsetCommaLimit { offset, .. } = limit {
            s.offset = number(offset);
        }
    }
}

fn number(e: &Expr) -> Option<f64> {
    match e {
        Expr::Value(v) => match &v.value {
            sqlparser::ast::Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

fn aggregate(e: &Expr) -> bool {
    match e {
        Expr::Function(f) => matches!(
            last(&f.name).to_ascii_lowercase().as_str(),
            "count" | "sum" | "avg" | "min" | "max" | "total" | "group_concat"
        ),
        Expr::Nested(e) => aggregate(e),
        _ => false,
    }
}

fn relations(t: &TableWithJoins, s: &mut Shape) {
    let add = |f: &TableFactor, s: &mut Shape| {
        if let TableFactor::Table { name, alias, .. } = f {
            s.tables
                .push((last(name), alias.as_ref().map(|a| a.name.value.clone())));
        }
    };
    add(&t.relation, s);
    for j in &t.joins {
        add(&j.relation, s);
        use sqlparser::ast::{JoinConstraint, JoinOperator as J};
        let constraint = match &j.join_operator {
            J::Join(c)
            | J::Inner(c)
            | J::Left(c)
            | J::LeftOuter(c)
            | J::Right(c)
            | J::RightOuter(c)
            | J::FullOuter(c) => Some(c),
            _ => None,
        };
        if let Some(JoinConstraint::On(e)) = constraint {
            let mut on = Shape::default();
            predicate(e, &mut on);
            s.join.extend(on.eq);
        }
    }
}

/// `col`, `t.col`: the qualifier and the column.
fn column(e: &Expr) -> Option<(Option<String>, String)> {
    match e {
        Expr::Identifier(i) => Some((None, i.value.clone())),
        Expr::CompoundIdentifier(parts) if parts.len() >= 2 => Some((
            Some(parts[parts.len() - 2].value.clone()),
            parts[parts.len() - 1].value.clone(),
        )),
        Expr::Nested(e) => column(e),
        _ => None,
    }
}

/// The columns a WHERE (or ON) compares: equality (and IN, IS NULL) and ranges, through ANDs.
fn predicate(e: &Expr, s: &mut Shape) {
    match e {
        Expr::Nested(e) => predicate(e, s),
        Expr::BinaryOp { left, op, right } => match op {
            BinaryOperator::And => {
                predicate(left, s);
                predicate(right, s);
            }
            BinaryOperator::Eq => match (column(left), column(right)) {
                (Some(l), Some(r)) => {
                    s.eq.push(l);
                    s.eq.push(r);
                }
                (Some(c), None) | (None, Some(c)) => s.eq.push(c),
                _ => {}
            },
            BinaryOperator::Gt
            | BinaryOperator::Lt
            | BinaryOperator::GtEq
            | BinaryOperator::LtEq => {
                if let Some(c) = column(left).or_else(|| column(right)) {
                    s.range.push(c);
                }
            }
            _ => {}
        },
        Expr::In {
            expr,
            negated: false,
            ..
        }
        | Expr::IsNull(expr) => {
            if let Some(c) = column(expr) {
                s.eq.push(c);
            }
        }
        Expr::Between {
            expr,
            negated: false,
            ..
        } => {
            if let Some(c) = column(expr) {
                s.range.push(c);
            }
        }
        _ => {}
    }
}

impl Shape {
    /// The columns of `list` that belong to `table`: qualified by its name or alias, or bare and
    /// one of its columns (`columns`).
    pub fn of<'s>(
        &'s self,
        list: &'s [(Option<String>, String)],
        table: &str,
        columns: &[String],
    ) -> Vec<String> {
        let alias = self
            .tables
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(table))
            .and_then(|(_, a)| a.as_deref());
        let mut out: Vec<String> = Vec::new();
        for (q, c) in list {
            let mine = match q {
                Some(q) => q.eq_ignore_ascii_case(table) || Some(q.as_str()) == alias,
                None => columns.iter().any(|k| k.eq_ignore_ascii_case(c)),
            };
            if mine && !out.iter().any(|o| o.eq_ignore_ascii_case(c)) {
                out.push(c.clone());
            }
        }
        out
    }
}

/// The index that serves `problem`, as columns: equality columns, then the ORDER BY / GROUP BY
/// columns when they all belong to the table, else the first range column; the join columns
/// when the table is joined into.
pub(super) fn index_columns(
    problem: &Problem,
    shape: Option<&Shape>,
    columns: &[String],
) -> Option<(String, Vec<String>)> {
    let (table, mut cols) = match problem {
        Problem::AutomaticIndex { table, columns } => (table.clone(), columns.clone()),
        Problem::FullScan { table }
        | Problem::TempBtree {
            table: Some(table), ..
        } => {
            let s = shape?;
            let mut cols = s.of(&s.eq, table, columns);
            let order = s.of(&s.order, table, columns);
            if !order.is_empty() && order.len() == s.order.len() {
                for o in order {
                    if !cols.contains(&o) {
                        cols.push(o);
                    }
                }
            } else if let Some(r) = s.of(&s.range, table, columns).into_iter().next()
                && !cols.contains(&r)
            {
                cols.push(r);
            }
            if cols.is_empty() {
                cols = s.of(&s.join, table, columns);
            }
            (table.clone(), cols)
        }
        Problem::TempBtree { table: None, .. } => return None,
    };
    cols.retain(|c| columns.iter().any(|k| k.eq_ignore_ascii_case(c)));
    (!cols.is_empty()).then_some((table, cols))
}

/// Whether `plan` still shows a problem of the same kind on the same table.
pub(super) fn still(problem: &Problem, after: &[Problem]) -> bool {
    after.iter().any(|p| match (problem, p) {
        (Problem::FullScan { table: a }, Problem::FullScan { table: b })
        | (Problem::AutomaticIndex { table: a, .. }, Problem::AutomaticIndex { table: b, .. }) => {
            a == b
        }
        (Problem::TempBtree { .. }, Problem::TempBtree { .. }) => true,
        _ => false,
    })
}
