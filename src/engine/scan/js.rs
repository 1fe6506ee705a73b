//! What one JavaScript or TypeScript file does with its bindings, read with oxc's parser: the
//! SQL it sends to D1, the calls that loop or re-arm, and which function each sits in (for the
//! call graph that decides what the fetch and queue handlers reach).

use std::collections::{HashMap, HashSet};

use oxc_allocator::Allocator;
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_span::{GetSpan, SourceType, Span};

use super::Bindings;

/// What a binding name points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    D1,
    Kv,
    R2,
    Queue,
    DurableObjects,
    /// A Durable Object stub (`env.ROOM.get(id)`).
    Stub,
    Service,
}

/// The handler a function serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Entry {
    /// `fetch` (a Worker's, a Durable Object's) or a router callback: the request path.
    Fetch,
    Queue,
    Alarm,
    /// A Durable Object's constructor or WebSocket handlers: run on every request or message.
    PerRequest,
    Other,
}

/// A named function (or the module's top level), the names it calls, and its class.
#[derive(Debug, Clone)]
pub(super) struct Func {
    pub name: String,
    pub entry: Entry,
    pub calls: Vec<String>,
    /// `GET /users/:id` for a router callback.
    pub route: Option<String>,
}

/// The terminal call that runs a prepared statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Terminal {
    All,
    First,
    Run,
    Raw,
}

/// SQL sent to D1.
#[derive(Debug, Clone)]
pub(super) struct SqlCall {
    pub line: u32,
    pub binding: String,
    /// `exec` (several statements) rather than `prepare`.
    pub exec: bool,
    /// The SQL text, or why it could not be read.
    pub sql: Result<String, String>,
    pub terminal: Option<Terminal>,
    pub in_batch: bool,
    /// Run (its terminal called) inside a loop or an array callback.
    pub in_loop: bool,
    /// Index into the file's functions.
    pub owner: usize,
}

/// Which handler must reach a hazard's function for it to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reach {
    Always,
    Fetch,
    Queue,
}

/// A code hazard before the call graph decides whether it is reached.
#[derive(Debug, Clone)]
pub(super) struct Hazard {
    pub id: &'static str,
    pub line: u32,
    pub owner: usize,
    pub reach: Reach,
    pub detail: String,
}

/// Everything read from one file.
#[derive(Debug, Default)]
pub(super) struct FileFacts {
    pub imports: Vec<String>,
    pub functions: Vec<Func>,
    pub sql: Vec<SqlCall>,
    pub hazards: Vec<Hazard>,
    /// Parse errors: line and message.
    pub errors: Vec<(u32, String)>,
    /// Names that handlers are bound to by reference (`export default { fetch: handle }`,
    /// `app.get("/", handle)`).
    pub entry_refs: Vec<(String, Entry)>,
}

/// Parses `text` (named `path`, whose extension picks JS, JSX, TS or TSX) and reads its facts.
pub(super) fn read(path: &str, text: &str, bindings: &Bindings) -> FileFacts {
    let allocator = Allocator::default();
    let source_type = SourceType::from_path(path).unwrap_or_else(|_| SourceType::ts());
    let parsed = oxc_parser::Parser::new(&allocator, text, source_type).parse();
    let lines = LineIndex::new(text);
    let mut facts = FileFacts::default();
    for e in parsed.errors.iter().take(5) {
        let line = e
            .labels
            .as_ref()
            .and_then(|l| l.first())
            .map_or(1, |l| lines.line(l.offset() as u32));
        facts.errors.push((line, e.message.to_string()));
    }
    if parsed.panicked {
        return facts;
    }
    let mut consts = Consts::default();
    consts.visit_program(&parsed.program);
    let mut v = Reader {
        bindings,
        text,
        this_aliases: HashMap::new(),
        ws_pairs: HashSet::new(),
        objects: HashSet::new(),
        classes_declared: HashSet::new(),
        imported_names: HashSet::new(),
        depth: 0,
        hibernates: false,
        accepted: Vec::new(),
        lines: &lines,
        consts: consts.0,
        aliases: HashMap::new(),
        statements: HashMap::new(),
        r2_objects: HashSet::new(),
        prepares: HashMap::new(),
        owner: 0,
        classes: Vec::new(),
        loops: 0,
        conds: 0,
        batches: 0,
        guarded: false,
        next_name: None,
        next_route: None,
        keep_depth: false,
        facts,
    };
    v.facts.functions.push(Func {
        name: "<module>".to_owned(),
        entry: Entry::Other,
        calls: Vec::new(),
        route: None,
    });
    v.visit_program(&parsed.program);
    if !v.hibernates {
        for a in std::mem::take(&mut v.accepted) {
            v.facts.hazards.push(Hazard {
                id: "do-websocket-no-hibernation",
                line: a.line,
                owner: a.owner,
                reach: Reach::Always,
                detail: format!(
                    "{} accepts WebSockets with accept(), not ctx.acceptWebSocket()",
                    a.class
                ),
            });
        }
    }
    v.facts
}

/// Byte offset → 1-based line.
struct LineIndex(Vec<u32>);

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
        Self(starts)
    }
    fn line(&self, offset: u32) -> u32 {
        self.0.partition_point(|s| *s <= offset) as u32
    }
}

/// First pass: every `const NAME = <string>` in the file, resolved to its text (or why not).
#[derive(Default)]
struct Consts(HashMap<String, Result<String, String>>);

/// Module-level consts only: a function's own consts are read in scope by [`Reader`], so the
/// same name in two functions keeps two texts. Module consts are read first because functions
/// may use those declared below them.
impl<'a> Visit<'a> for Consts {
    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let Some((name, value)) = const_text(it, &self.0) {
            self.0.insert(name, value);
        }
    }
    fn visit_function(&mut self, _: &Function<'a>, _: oxc_syntax::scope::ScopeFlags) {}
    fn visit_arrow_function_expression(&mut self, _: &ArrowFunctionExpression<'a>) {}
    fn visit_class(&mut self, _: &Class<'a>) {}
}

/// `const NAME = <text>`: the name and its text (or why it has none).
fn const_text(
    it: &VariableDeclarator,
    consts: &HashMap<String, Result<String, String>>,
) -> Option<(String, Result<String, String>)> {
    match (&it.id.kind, &it.init) {
        (BindingPatternKind::BindingIdentifier(id), Some(init))
            if it.kind == VariableDeclarationKind::Const && looks_like_text(init, consts) =>
        {
            Some((id.name.to_string(), text_of(init, consts)))
        }
        _ => None,
    }
}

/// Longest SQL text resolved, bytes: consts that concatenate each other can double per line.
const MAX_SQL_BYTES: usize = 100_000;

/// The operands of a left-leaning `a + b + c` chain, in order, without recursion (a generated
/// file may chain thousands).
fn addends<'b, 'a>(e: &'b Expression<'a>) -> Vec<&'b Expression<'a>> {
    let mut parts = Vec::new();
    let mut cur = unwrap(e);
    while let Expression::BinaryExpression(b) = cur {
        if b.operator != BinaryOperator::Addition {
            break;
        }
        parts.push(unwrap(&b.right));
        cur = unwrap(&b.left);
    }
    parts.push(cur);
    parts.reverse();
    parts
}

/// Starts like a SQL statement.
fn looks_like_sql(text: &str) -> bool {
    let word = text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    matches!(
        word.as_str(),
        "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "WITH" | "REPLACE" | "CREATE"
    )
}

fn looks_like_text(e: &Expression, consts: &HashMap<String, Result<String, String>>) -> bool {
    addends(e).into_iter().any(|p| match p {
        Expression::StringLiteral(_) | Expression::TemplateLiteral(_) => true,
        Expression::Identifier(id) => consts.contains_key(id.name.as_str()),
        _ => false,
    })
}

/// Strips parentheses, `await`, `!` and TypeScript's `as`/`satisfies`.
fn unwrap<'b, 'a>(e: &'b Expression<'a>) -> &'b Expression<'a> {
    match e {
        Expression::ParenthesizedExpression(p) => unwrap(&p.expression),
        Expression::AwaitExpression(a) => unwrap(&a.argument),
        Expression::TSAsExpression(a) => unwrap(&a.expression),
        Expression::TSSatisfiesExpression(a) => unwrap(&a.expression),
        Expression::TSNonNullExpression(a) => unwrap(&a.expression),
        _ => e,
    }
}

/// The text of a string expression: literals, templates without `${}`, `+` of those, and
/// consts holding them.
fn text_of(
    e: &Expression,
    consts: &HashMap<String, Result<String, String>>,
) -> Result<String, String> {
    match unwrap(e) {
        Expression::StringLiteral(s) => Ok(s.value.to_string()),
        Expression::TemplateLiteral(t) if t.expressions.is_empty() => t
            .quasis
            .first()
            .and_then(|q| q.value.cooked.as_ref())
            .map(|c| c.to_string())
            .ok_or_else(|| "a template literal with an invalid escape".to_owned()),
        Expression::TemplateLiteral(_) => {
            Err("a template literal with ${…}: SQL built at run time".to_owned())
        }
        Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
            let mut out = String::new();
            for part in addends(e) {
                let piece = match part {
                    // A parenthesised chain on the right: `a + (b + c)`.
                    Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
                        text_of(part, consts)?
                    }
                    Expression::BinaryExpression(_) => {
                        return Err(
                            "an expression that is not a string literal or a const".to_owned()
                        );
                    }
                    _ => text_of(part, consts)?,
                };
                out.push_str(&piece);
                if out.len() > MAX_SQL_BYTES {
                    return Err(format!(
                        "over {MAX_SQL_BYTES} bytes once its parts are joined"
                    ));
                }
            }
            Ok(out)
        }
        Expression::Identifier(id) => match consts.get(id.name.as_str()) {
            Some(v) => v.clone(),
            None => Err(format!(
                "`{}` is not a const string in this file: SQL built at run time or elsewhere",
                id.name
            )),
        },
        Expression::CallExpression(_) => {
            Err("the result of a call: SQL built at run time".to_owned())
        }
        _ => Err("an expression that is not a string literal or a const".to_owned()),
    }
}

struct ClassCtx {
    name: Option<String>,
    durable_object: bool,
    /// `server.accept()`: line, receiver, owner, function depth and condition depth.
    accepts: Vec<(u32, String, usize, u32, u32)>,
    /// `server.close(…)`: receiver, owner, function depth and condition depth.
    closes: Vec<(String, usize, u32, u32)>,
    /// `acceptWebSocket` in the class.
    hibernates: bool,
}

/// A WebSocket accepted without hibernation, decided at the end of the file.
struct Accepted {
    line: u32,
    owner: usize,
    class: String,
}

struct Reader<'r> {
    bindings: &'r Bindings,
    text: &'r str,
    /// Bindings stored on `this` (`this.db = env.DB`, `constructor(private db: D1Database)`).
    this_aliases: HashMap<String, (Kind, String)>,
    /// Names destructured from `new WebSocketPair()`.
    ws_pairs: HashSet<String>,
    /// Project modules and objects of project classes (`import * as db`, `new Users(…)`).
    objects: HashSet<String>,
    /// Classes declared in the file.
    classes_declared: HashSet<String>,
    /// Names imported from the project's own modules.
    imported_names: HashSet<String>,
    /// Function nesting depth.
    depth: u32,
    /// `acceptWebSocket` anywhere in the file.
    hibernates: bool,
    accepted: Vec<Accepted>,
    lines: &'r LineIndex,
    consts: HashMap<String, Result<String, String>>,
    /// Local names for bindings and stubs: `const db = env.DB`, `const { DB } = env`.
    aliases: HashMap<String, (Kind, String)>,
    /// `const stmt = env.DB.prepare(…)`: the statement's index in `facts.sql`.
    statements: HashMap<String, usize>,
    /// Names holding an R2 object body (`const obj = await env.FILES.get(key)`).
    r2_objects: HashSet<String>,
    /// Span start of a `prepare(…)` call → its index in `facts.sql`.
    prepares: HashMap<u32, usize>,
    owner: usize,
    classes: Vec<ClassCtx>,
    loops: u32,
    conds: u32,
    batches: u32,
    /// An earlier `if (…) return` in this function: what follows runs conditionally.
    guarded: bool,
    /// The name the next function takes (from its method, property or const).
    next_name: Option<String>,
    /// The route the next function serves (`GET /users`).
    next_route: Option<String>,
    /// The next function is an array callback: it keeps the loop depth.
    keep_depth: bool,
    facts: FileFacts,
}

const ARRAY_CALLBACKS: &[&str] = &[
    "forEach",
    "map",
    "filter",
    "reduce",
    "flatMap",
    "some",
    "every",
    "find",
    "findIndex",
];
const ROUTER_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "all", "on", "use", "options", "head",
];

fn entry_of(name: &str) -> Entry {
    match name {
        "fetch" => Entry::Fetch,
        "queue" => Entry::Queue,
        "alarm" => Entry::Alarm,
        "constructor" | "webSocketMessage" | "webSocketClose" | "webSocketError" => {
            Entry::PerRequest
        }
        _ => Entry::Other,
    }
}

fn property_name<'a>(key: &PropertyKey<'a>) -> Option<&'a str> {
    match key {
        PropertyKey::StaticIdentifier(id) => Some(id.name.as_str()),
        PropertyKey::StringLiteral(s) => Some(s.value.as_str()),
        _ => None,
    }
}

/// `obj.name` or `obj["name"]`: the object and the name.
fn member<'b, 'a>(e: &'b Expression<'a>) -> Option<(&'b Expression<'a>, &'a str)> {
    match unwrap(e) {
        Expression::StaticMemberExpression(m) => Some((&m.object, m.property.name.as_str())),
        Expression::ChainExpression(c) => match &c.expression {
            ChainElement::StaticMemberExpression(m) => Some((&m.object, m.property.name.as_str())),
            _ => None,
        },
        Expression::ComputedMemberExpression(m) => match &m.expression {
            Expression::StringLiteral(s) => Some((&m.object, s.value.as_str())),
            _ => None,
        },
        _ => None,
    }
}

/// A call, also inside an optional chain (`env.DB?.prepare(q)`).
fn call_of<'b, 'a>(e: &'b Expression<'a>) -> Option<&'b CallExpression<'a>> {
    match e {
        Expression::CallExpression(call) => Some(call),
        Expression::ChainExpression(c) => match &c.expression {
            ChainElement::CallExpression(call) => Some(call),
            _ => None,
        },
        _ => None,
    }
}

fn is_function(e: &Expression) -> bool {
    matches!(
        e,
        Expression::ArrowFunctionExpression(_) | Expression::FunctionExpression(_)
    )
}

/// A `for (let i = 0; i < N; i++)` with N a literal of at most 10.
fn small_counted_loop(it: &ForStatement) -> bool {
    matches!(&it.test, Some(Expression::BinaryExpression(b))
        if matches!(b.operator, BinaryOperator::LessThan | BinaryOperator::LessEqualThan)
            && matches!(&b.right, Expression::NumericLiteral(n) if n.value <= 10.0))
}

fn returns(s: &Statement) -> bool {
    match s {
        Statement::ReturnStatement(_) | Statement::ThrowStatement(_) => true,
        Statement::BlockStatement(b) => b.body.iter().any(returns),
        _ => false,
    }
}

impl Reader<'_> {
    fn line(&self, span: Span) -> u32 {
        self.lines.line(span.start)
    }

    /// What an expression names: a binding (`env.DB`, `this.env.DB`, an alias) or a stub.
    fn binding_of(&self, e: &Expression) -> Option<(Kind, String)> {
        match unwrap(e) {
            Expression::Identifier(id) => self.aliases.get(id.name.as_str()).cloned(),
            Expression::CallExpression(_) | Expression::ChainExpression(_)
                if call_of(unwrap(e)).is_some() =>
            {
                let call = call_of(unwrap(e))?;
                let (object, method) = member(&call.callee)?;
                match self.binding_of(object)? {
                    (Kind::DurableObjects, name)
                        if matches!(method, "get" | "getByName" | "getExisting") =>
                    {
                        Some((Kind::Stub, name))
                    }
                    _ => None,
                }
            }
            Expression::StaticMemberExpression(m)
                if matches!(m.object, Expression::ThisExpression(_))
                    && self.this_aliases.contains_key(m.property.name.as_str()) =>
            {
                self.this_aliases.get(m.property.name.as_str()).cloned()
            }
            // `env[DB_BINDING]` with a const holding the name.
            Expression::ComputedMemberExpression(m) => {
                let name = match &m.expression {
                    Expression::StringLiteral(s) => s.value.to_string(),
                    Expression::Identifier(id) => {
                        self.consts.get(id.name.as_str())?.clone().ok()?
                    }
                    _ => return None,
                };
                self.bindings.kind_of(&name).map(|k| (k, name))
            }
            other => {
                let (_, name) = member(other)?;
                self.bindings.kind_of(name).map(|k| (k, name.to_owned()))
            }
        }
    }

    /// A parameter typed with a binding's type (`db: D1Database`): the binding, when the
    /// config has exactly one of that kind.
    fn typed(&self, pattern: &BindingPattern) -> Option<(Kind, String)> {
        let annotation = pattern.type_annotation.as_ref()?;
        let TSType::TSTypeReference(r) = &annotation.type_annotation else {
            return None;
        };
        let TSTypeName::IdentifierReference(id) = &r.type_name else {
            return None;
        };
        let only = |list: Vec<&String>| match list.as_slice() {
            [one] => Some((*one).clone()),
            _ => None,
        };
        let b = self.bindings;
        match id.name.as_str() {
            "D1Database" => only(b.d1.iter().map(|(n, _)| n).collect()).map(|n| (Kind::D1, n)),
            "KVNamespace" => only(b.kv.iter().collect()).map(|n| (Kind::Kv, n)),
            "R2Bucket" => only(b.r2.iter().collect()).map(|n| (Kind::R2, n)),
            "Queue" => only(b.producers.iter().map(|(n, _)| n).collect()).map(|n| (Kind::Queue, n)),
            "DurableObjectNamespace" => only(b.durable_objects.iter().map(|(n, _)| n).collect())
                .map(|n| (Kind::DurableObjects, n)),
            "DurableObjectStub" => Some((Kind::Stub, "stub".to_owned())),
            _ => None,
        }
    }

    /// The `prepare(…)` call a statement expression comes from (through `.bind(…)` and names).
    fn statement_of(&self, e: &Expression) -> Option<usize> {
        match unwrap(e) {
            Expression::Identifier(id) => self.statements.get(id.name.as_str()).copied(),
            e => {
                let call = call_of(e)?;
                match member(&call.callee) {
                    Some((object, "bind")) => self.statement_of(object),
                    Some((_, "prepare")) => self.prepares.get(&call.span.start).copied(),
                    _ => None,
                }
            }
        }
    }

    fn hazard(&mut self, id: &'static str, span: Span, reach: Reach, detail: String) {
        let line = self.line(span);
        self.facts.hazards.push(Hazard {
            id,
            line,
            owner: self.owner,
            reach,
            detail,
        });
    }

    /// Enters a function: a new owner when it has a name, fresh loop and condition depths
    /// unless it is an array callback.
    fn function(&mut self, span: Span, walk_body: impl FnOnce(&mut Self)) {
        let name = self.next_name.take();
        let keep = std::mem::take(&mut self.keep_depth);
        let saved = (self.owner, self.loops, self.conds, self.guarded);
        let scope = (
            self.aliases.clone(),
            self.statements.clone(),
            self.r2_objects.clone(),
            self.ws_pairs.clone(),
            self.consts.clone(),
        );
        self.depth += 1;
        if let Some(name) = name {
            let entry = entry_of(&name);
            self.facts.functions.push(Func {
                name,
                entry,
                calls: Vec::new(),
                route: self.next_route.take(),
            });
            self.owner = self.facts.functions.len() - 1;
        }
        if !keep {
            self.loops = 0;
            self.conds = 0;
        }
        self.guarded = false;
        let _ = span;
        walk_body(self);
        self.depth -= 1;
        (self.owner, self.loops, self.conds, self.guarded) = saved;
        (
            self.aliases,
            self.statements,
            self.r2_objects,
            self.ws_pairs,
            self.consts,
        ) = scope;
    }

    fn in_durable_object(&self) -> bool {
        self.classes.last().is_some_and(|c| c.durable_object)
    }

    /// Facts of one call, after its callee and arguments were read.
    fn call(&mut self, it: &CallExpression) {
        let span = it.span;
        if let Expression::Identifier(id) = &it.callee {
            let name = id.name.as_str();
            self.facts.functions[self.owner].calls.push(name.to_owned());
            if name == "fetch" && self.loops > 0 {
                self.hazard(
                    "subrequest-in-loop",
                    span,
                    Reach::Always,
                    "fetch()".to_owned(),
                );
            }
            return;
        }
        let Some((object, method)) = member(&it.callee) else {
            return;
        };
        match unwrap(object) {
            Expression::ThisExpression(_) => {
                self.facts.functions[self.owner]
                    .calls
                    .push(method.to_owned());
            }
            // `service.listUsers()`, `db.save()`: a method of the project's own objects.
            // A project module or an object of a project class (`users.byEmail()`): by bare
            // name, so `map.get()` joins nothing.
            Expression::Identifier(id) if self.objects.contains(id.name.as_str()) => {
                self.facts.functions[self.owner]
                    .calls
                    .push(method.to_owned());
            }
            _ => {}
        }
        match method {
            "setAlarm" => {
                let conditional = self.conds > 0 || self.guarded;
                match self.facts.functions[self.owner].entry {
                    Entry::Alarm if !conditional && !self.classes.is_empty() => self.hazard(
                        "alarm-rearm-unconditional",
                        span,
                        Reach::Always,
                        "setAlarm() in alarm()".to_owned(),
                    ),
                    Entry::Fetch | Entry::PerRequest
                        if !conditional && !self.classes.is_empty() =>
                    {
                        let handler = self.facts.functions[self.owner].name.clone();
                        self.hazard(
                            "alarm-set-every-request",
                            span,
                            Reach::Always,
                            format!("setAlarm() in {handler}()"),
                        )
                    }
                    _ => {}
                }
                return;
            }
            "acceptWebSocket" => {
                // In a class it covers that class; in a helper outside classes, the file.
                match self.classes.last_mut() {
                    Some(c) => c.hibernates = true,
                    None => self.hibernates = true,
                }
                return;
            }
            "accept" | "close" if self.in_durable_object() => {
                // Only sockets of a `new WebSocketPair()`: an outbound socket from fetch() can
                // only be accepted this way.
                let Expression::Identifier(id) = unwrap(object) else {
                    return;
                };
                if !self.ws_pairs.contains(id.name.as_str()) {
                    return;
                }
                let (line, owner, depth, conds) =
                    (self.line(span), self.owner, self.depth, self.conds);
                let name = id.name.to_string();
                if let Some(c) = self.classes.last_mut() {
                    if method == "accept" && it.arguments.is_empty() {
                        c.accepts.push((line, name, owner, depth, conds));
                    } else if method == "close" {
                        c.closes.push((name, owner, depth, conds));
                    }
                }
                return;
            }
            "arrayBuffer" | "text" | "json" | "blob" if it.arguments.is_empty() => {
                let from_r2 = match unwrap(object) {
                    Expression::Identifier(id) => self.r2_objects.contains(id.name.as_str()),
                    e => self.r2_get(e),
                };
                if from_r2 {
                    self.hazard(
                        "r2-read-whole",
                        span,
                        Reach::Always,
                        format!("R2 object body read whole with .{method}()"),
                    );
                }
                return;
            }
            "all" | "first" | "run" | "raw" => {
                if let Some(i) = self.statement_of(object) {
                    let terminal = match method {
                        "all" => Terminal::All,
                        "first" => Terminal::First,
                        "run" => Terminal::Run,
                        _ => Terminal::Raw,
                    };
                    let loops = self.loops > 0;
                    let s = &mut self.facts.sql[i];
                    s.terminal = Some(terminal);
                    s.in_loop |= loops;
                    return;
                }
            }
            _ => {}
        }
        let Some((kind, binding)) = self.binding_of(object) else {
            // SQL sent through an object the scan cannot tie to a D1 binding: said, not dropped.
            let receiver = self
                .text
                .get(object.span().start as usize..object.span().end as usize)
                .unwrap_or("?");
            // `this.sql.exec`, `ctx.storage.sql.exec`: a Durable Object's own SQLite, not D1.
            let object_storage = receiver.ends_with("sql") || receiver.contains("storage");
            if matches!(method, "prepare" | "exec")
                && !object_storage
                && !self.bindings.d1.is_empty()
                && let Some(Ok(sql)) = it
                    .arguments
                    .first()
                    .and_then(Argument::as_expression)
                    .map(|e| text_of(e, &self.consts))
                && looks_like_sql(&sql)
            {
                let line = self.line(span);
                self.facts.sql.push(SqlCall {
                    line,
                    binding: String::new(),
                    exec: method == "exec",
                    sql: Err(format!("`{receiver}.{method}(…)`: the scan cannot tie `{receiver}` to a D1 binding (type it as D1Database, or pass env.DB)")),
                    terminal: None,
                    in_batch: false,
                    in_loop: false,
                    owner: self.owner,
                });
            }
            return;
        };
        match (kind, method) {
            (Kind::D1, "prepare" | "exec") => {
                let sql = match it.arguments.first().and_then(Argument::as_expression) {
                    Some(e) => text_of(e, &self.consts),
                    None => Err("no SQL argument".to_owned()),
                };
                let line = self.line(span);
                self.facts.sql.push(SqlCall {
                    line,
                    binding,
                    exec: method == "exec",
                    sql,
                    terminal: None,
                    in_batch: self.batches > 0,
                    in_loop: method == "exec" && self.loops > 0,
                    owner: self.owner,
                });
                if method == "prepare" {
                    self.prepares.insert(span.start, self.facts.sql.len() - 1);
                }
            }
            (Kind::Kv, "list") => self.hazard(
                "kv-list-request-path",
                span,
                Reach::Fetch,
                format!("{binding}.list()"),
            ),
            (Kind::Kv, "put") => {
                if let Some(key) = it.arguments.first().and_then(Argument::as_expression)
                    && let Ok(key) = text_of(key, &HashMap::new())
                {
                    self.hazard(
                        "kv-hot-key-put",
                        span,
                        Reach::Fetch,
                        format!("{binding}.put({key:?})"),
                    );
                }
                self.subrequest(kind, &binding, method, span);
            }
            (Kind::Queue, "send" | "sendBatch") => {
                if let Some(queue) = self.bindings.producer_queue(&binding)
                    && self.bindings.consumes(queue)
                {
                    let queue = queue.to_owned();
                    self.hazard(
                        "queue-self-enqueue",
                        span,
                        Reach::Queue,
                        format!("{binding}.{method}() sends to `{queue}`, the queue this Worker consumes"),
                    );
                }
                self.subrequest(kind, &binding, method, span);
            }
            _ => self.subrequest(kind, &binding, method, span),
        }
    }

    /// A binding call that leaves the Worker, inside a loop.
    fn subrequest(&mut self, kind: Kind, binding: &str, method: &str, span: Span) {
        let leaves = match kind {
            Kind::Kv => matches!(
                method,
                "get" | "put" | "delete" | "list" | "getWithMetadata"
            ),
            Kind::R2 => matches!(method, "get" | "put" | "head" | "delete" | "list"),
            Kind::Queue => matches!(method, "send" | "sendBatch"),
            Kind::Stub | Kind::Service => true,
            Kind::D1 | Kind::DurableObjects => false,
        };
        if leaves && self.loops > 0 {
            self.hazard(
                "subrequest-in-loop",
                span,
                Reach::Always,
                format!("{binding}.{method}()"),
            );
        }
    }

    /// `new WebSocketPair()`, a name holding one, or `Object.values(…)` of either.
    fn pair_source(&self, e: &Expression) -> bool {
        match unwrap(e) {
            Expression::NewExpression(n) => {
                matches!(&n.callee, Expression::Identifier(id) if id.name == "WebSocketPair")
            }
            Expression::Identifier(id) => self.ws_pairs.contains(id.name.as_str()),
            Expression::CallExpression(c) => c
                .arguments
                .iter()
                .any(|a| a.as_expression().is_some_and(|e| self.pair_source(e))),
            _ => false,
        }
    }

    /// `env.FILES.get(…)` on an R2 binding.
    fn r2_get(&self, e: &Expression) -> bool {
        call_of(unwrap(e)).is_some_and(|call| {
            matches!(member(&call.callee),
            Some((object, "get")) if matches!(self.binding_of(object), Some((Kind::R2, _))))
        })
    }
}

impl<'a> Visit<'a> for Reader<'_> {
    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        if it.import_kind != ImportOrExportKind::Type {
            self.facts.imports.push(it.source.value.to_string());
            // `import * as db from "./db"`: its methods are the project's functions.
            if it.source.value.starts_with('.') {
                for spec in it.specifiers.iter().flatten() {
                    match spec {
                        ImportDeclarationSpecifier::ImportNamespaceSpecifier(ns) => {
                            self.objects.insert(ns.local.name.to_string());
                        }
                        ImportDeclarationSpecifier::ImportDefaultSpecifier(d) => {
                            self.objects.insert(d.local.name.to_string());
                            self.imported_names.insert(d.local.name.to_string());
                        }
                        ImportDeclarationSpecifier::ImportSpecifier(named) => {
                            self.imported_names.insert(named.local.name.to_string());
                        }
                    }
                }
            }
        }
    }

    fn visit_export_named_declaration(&mut self, it: &ExportNamedDeclaration<'a>) {
        if let Some(source) = &it.source {
            self.facts.imports.push(source.value.to_string());
        }
        walk::walk_export_named_declaration(self, it);
    }

    fn visit_export_all_declaration(&mut self, it: &ExportAllDeclaration<'a>) {
        self.facts.imports.push(it.source.value.to_string());
    }

    fn visit_import_expression(&mut self, it: &ImportExpression<'a>) {
        if let Expression::StringLiteral(s) = &it.source {
            self.facts.imports.push(s.value.to_string());
        }
        walk::walk_import_expression(self, it);
    }

    fn visit_class(&mut self, it: &Class<'a>) {
        let name = it.id.as_ref().map(|id| id.name.as_str());
        if let Some(n) = name {
            self.classes_declared.insert(n.to_owned());
        }
        let extends_do = matches!(&it.super_class, Some(Expression::Identifier(id)) if id.name == "DurableObject")
            || matches!(
                it.super_class.as_ref().and_then(|s| member(s)),
                Some((_, "DurableObject"))
            );
        let durable_object =
            extends_do || name.is_some_and(|n| self.bindings.is_durable_object_class(n));
        self.classes.push(ClassCtx {
            name: name.map(str::to_owned),
            durable_object,
            accepts: Vec::new(),
            closes: Vec::new(),
            hibernates: false,
        });
        walk::walk_class(self, it);
        if let Some(c) = self.classes.pop()
            && c.durable_object
            && !c.hibernates
        {
            // An accept() answered by a close() in the same function, no more conditional than
            // the accept, is an error reply.
            for (line, name, owner, depth, conds) in c.accepts {
                if c.closes
                    .iter()
                    .any(|(n, o, d, k)| *n == name && *o == owner && *d == depth && *k <= conds)
                {
                    continue;
                }
                self.accepted.push(Accepted {
                    line,
                    owner,
                    class: c
                        .name
                        .clone()
                        .unwrap_or_else(|| "the Durable Object".to_owned()),
                });
            }
        }
    }

    fn visit_method_definition(&mut self, it: &MethodDefinition<'a>) {
        self.next_name = match it.kind {
            MethodDefinitionKind::Constructor => Some("constructor".to_owned()),
            _ => property_name(&it.key).map(str::to_owned),
        };
        walk::walk_method_definition(self, it);
        self.next_name = None;
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        let key = property_name(&it.key);
        match (&it.value, key) {
            (v, Some(k)) if is_function(v) => self.next_name = Some(k.to_owned()),
            (Expression::Identifier(id), Some(k)) if entry_of(k) != Entry::Other => {
                self.facts
                    .entry_refs
                    .push((id.name.to_string(), entry_of(k)));
            }
            _ => {}
        }
        walk::walk_object_property(self, it);
        self.next_name = None;
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let (BindingPatternKind::BindingIdentifier(id), Some(init)) = (&it.id.kind, &it.init)
            && is_function(init)
        {
            self.next_name = Some(id.name.to_string());
        }
        walk::walk_variable_declarator(self, it);
        self.next_name = None;
        if let Some((name, value)) = const_text(it, &self.consts) {
            self.consts.insert(name, value);
        }
        let typed = match &it.id.kind {
            BindingPatternKind::BindingIdentifier(_) => self.typed(&it.id),
            _ => None,
        };
        let Some(init) = &it.init else {
            if let (Some(b), BindingPatternKind::BindingIdentifier(id)) = (typed, &it.id.kind) {
                self.aliases.insert(id.name.to_string(), b);
            }
            return;
        };
        match &it.id.kind {
            BindingPatternKind::BindingIdentifier(id) => {
                // A name declared again holds what its new value holds, and nothing else.
                let name = id.name.to_string();
                self.aliases.remove(&name);
                self.statements.remove(&name);
                self.r2_objects.remove(&name);
                if let Some(i) = self.statement_of(init) {
                    self.statements.insert(name, i);
                } else if self.pair_source(init) {
                    self.ws_pairs.insert(name);
                } else if let Expression::NewExpression(n) = unwrap(init)
                    && let Expression::Identifier(class) = &n.callee
                    && (self.classes_declared.contains(class.name.as_str())
                        || self.imported_names.contains(class.name.as_str()))
                {
                    self.objects.insert(name);
                } else if self.r2_get(init) {
                    self.r2_objects.insert(name);
                } else if let Some(b) = self.binding_of(init).or(typed) {
                    self.aliases.insert(name, b);
                }
            }
            // `const [client, server] = Object.values(new WebSocketPair())`
            BindingPatternKind::ArrayPattern(pattern) if self.pair_source(init) => {
                for e in pattern.elements.iter().flatten() {
                    if let BindingPatternKind::BindingIdentifier(id) = &e.kind {
                        self.ws_pairs.insert(id.name.to_string());
                    }
                }
            }
            // `const { DB, CACHE } = env`
            BindingPatternKind::ObjectPattern(pattern) => {
                for p in &pattern.properties {
                    let (Some(key), BindingPatternKind::BindingIdentifier(local)) =
                        (property_name(&p.key), &p.value.kind)
                    else {
                        continue;
                    };
                    if let Some(kind) = self.bindings.kind_of(key) {
                        self.aliases
                            .insert(local.name.to_string(), (kind, key.to_owned()));
                    }
                }
            }
            _ => {}
        }
    }

    /// `db: D1Database`, and TypeScript's parameter properties (`constructor(private db:
    /// D1Database)`), which also store it on `this`.
    fn visit_formal_parameter(&mut self, it: &FormalParameter<'a>) {
        if let BindingPatternKind::BindingIdentifier(id) = &it.pattern.kind
            && let Some(b) = self.typed(&it.pattern)
        {
            if it.accessibility.is_some() || it.readonly {
                self.this_aliases.insert(id.name.to_string(), b.clone());
            }
            self.aliases.insert(id.name.to_string(), b);
        }
        walk::walk_formal_parameter(self, it);
    }

    /// `this.db = env.DB` (or a parameter that holds it).
    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        walk::walk_assignment_expression(self, it);
        if let AssignmentTarget::StaticMemberExpression(m) = &it.left
            && matches!(m.object, Expression::ThisExpression(_))
            && let Some(b) = self.binding_of(&it.right)
        {
            self.this_aliases.insert(m.property.name.to_string(), b);
        }
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: oxc_syntax::scope::ScopeFlags) {
        if self.next_name.is_none()
            && let Some(id) = &it.id
        {
            self.next_name = Some(id.name.to_string());
        }
        self.function(it.span, |v| walk::walk_function(v, it, flags));
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        self.function(it.span, |v| walk::walk_arrow_function_expression(v, it));
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        let method = member(&it.callee).map(|(_, m)| m);
        let is_batch = matches!(member(&it.callee), Some((object, "batch"))
            if matches!(self.binding_of(object), Some((Kind::D1, _))));
        let array_callback = method.is_some_and(|m| ARRAY_CALLBACKS.contains(&m));
        // `app.get("/path", async (c) => …)`: a route handler, on the request path.
        let router = method.is_some_and(|m| ROUTER_METHODS.contains(&m))
            && matches!(member(&it.callee), Some((Expression::Identifier(o), _)) if !self.aliases.contains_key(o.name.as_str()) && self.bindings.kind_of(o.name.as_str()).is_none())
            && matches!(it.arguments.first(), Some(Argument::StringLiteral(s)) if s.value.starts_with('/'));
        let route = match (router, method, it.arguments.first()) {
            (true, Some(m), Some(Argument::StringLiteral(path))) => {
                Some(format!("{} {}", m.to_ascii_uppercase(), path.value))
            }
            _ => None,
        };
        self.visit_expression(&it.callee);
        if is_batch {
            self.batches += 1;
        }
        for arg in &it.arguments {
            let function = arg.as_expression().is_some_and(is_function);
            if router && function {
                self.next_name = Some("fetch".to_owned());
                self.next_route.clone_from(&route);
            } else if router && let Some(Expression::Identifier(id)) = arg.as_expression() {
                self.facts
                    .entry_refs
                    .push((id.name.to_string(), Entry::Fetch));
            }
            if array_callback && function {
                self.keep_depth = true;
                self.loops += 1;
                self.visit_argument(arg);
                self.loops -= 1;
                self.keep_depth = false;
            } else {
                self.visit_argument(arg);
            }
        }
        if is_batch {
            self.batches -= 1;
        }
        self.call(it);
    }

    /// `a + b + c …` without recursing once per operand (generated files chain thousands).
    fn visit_binary_expression(&mut self, it: &BinaryExpression<'a>) {
        let mut rights = vec![&it.right];
        let mut left = &it.left;
        while let Expression::BinaryExpression(b) = left {
            rights.push(&b.right);
            left = &b.left;
        }
        self.visit_expression(left);
        for r in rights.into_iter().rev() {
            self.visit_expression(r);
        }
    }

    fn visit_if_statement(&mut self, it: &IfStatement<'a>) {
        self.visit_expression(&it.test);
        self.conds += 1;
        self.visit_statement(&it.consequent);
        if let Some(alt) = &it.alternate {
            self.visit_statement(alt);
        }
        self.conds -= 1;
        if returns(&it.consequent) {
            self.guarded = true;
        }
    }

    fn visit_conditional_expression(&mut self, it: &ConditionalExpression<'a>) {
        self.visit_expression(&it.test);
        self.conds += 1;
        self.visit_expression(&it.consequent);
        self.visit_expression(&it.alternate);
        self.conds -= 1;
    }

    fn visit_logical_expression(&mut self, it: &LogicalExpression<'a>) {
        self.visit_expression(&it.left);
        self.conds += 1;
        self.visit_expression(&it.right);
        self.conds -= 1;
    }

    fn visit_switch_statement(&mut self, it: &SwitchStatement<'a>) {
        self.conds += 1;
        walk::walk_switch_statement(self, it);
        self.conds -= 1;
    }

    fn visit_catch_clause(&mut self, it: &CatchClause<'a>) {
        self.conds += 1;
        walk::walk_catch_clause(self, it);
        self.conds -= 1;
    }

    fn visit_for_statement(&mut self, it: &ForStatement<'a>) {
        let counted = small_counted_loop(it);
        self.loops += u32::from(!counted);
        walk::walk_for_statement(self, it);
        self.loops -= u32::from(!counted);
    }

    fn visit_for_of_statement(&mut self, it: &ForOfStatement<'a>) {
        self.visit_expression(&it.right);
        self.loops += 1;
        self.visit_statement(&it.body);
        self.loops -= 1;
    }

    fn visit_for_in_statement(&mut self, it: &ForInStatement<'a>) {
        self.visit_expression(&it.right);
        self.loops += 1;
        self.visit_statement(&it.body);
        self.loops -= 1;
    }

    fn visit_while_statement(&mut self, it: &WhileStatement<'a>) {
        self.loops += 1;
        walk::walk_while_statement(self, it);
        self.loops -= 1;
    }

    fn visit_do_while_statement(&mut self, it: &DoWhileStatement<'a>) {
        self.loops += 1;
        walk::walk_do_while_statement(self, it);
        self.loops -= 1;
    }
}
