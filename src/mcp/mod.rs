//! The MCP server: resources from [`crate::resources`], prompts from [`prompts`], all thin.

pub mod batch;
pub mod http;
mod prompts;
mod schema;
pub mod strict;
mod tools;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use rmcp::{
    ErrorData, RoleServer, ServerHandler, ServiceExt,
    handler::server::router::{prompt::PromptRouter, tool::ToolRouter},
    model::{
        CompleteRequestParams, CompleteResult, CompletionInfo, Implementation,
        ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams,
        ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Reference, Resource,
        ResourceContents, ResourceTemplate, ServerCapabilities, ServerConfig,
    },
    prompt_handler,
    service::{RequestContext, ServerInitializeError},
    tool_handler,
};

use crate::pricing::{LazyPriceFile, PriceFile};
use crate::resources::{self, ResourceError};

/// What the server tells a model about itself at `initialize`.
const INSTRUCTIONS: &str = "\
cf-scale: scaling and cost engineering for Cloudflare Workers, KV, D1, R2, Durable Objects, Queues, \
Workflows and Hyperdrive. For a scaling or cost question call recommend_scaling first with what you \
know and the wrangler config text as `config`; ask the user for its `missing` items. import_usage \
turns Cloudflare's analytics and billing JSON into real usage (then pass it as usage). estimate_cost \
prices a usage profile, shard_plan sizes KV key, D1, Durable Object and queue sharding, analyze_config \
lints the config, analyze_project reads the code and migrations (D1 query plans, loops that run up \
bills; pass it as project). Answers start with `summary` and are compact; detail \"full\" gives every field. \
Never quote prices or limits from memory: scale://data/pricing, scale://data/limits. Field docs: \
scale://docs/tools/{tool}; code: scale://patterns/{id}; background: skill://scale/SKILL.md.";

/// The cf-scale MCP server. Cheap to construct: the tool and prompt routers, the knowledge and
/// any replacement price table are all built on first use, so `initialize` is answered before
/// any of them.
#[derive(Debug, Clone)]
pub struct CfScale {
    price_file: Option<Arc<LazyPriceFile>>,
}

/// The tools, built once on first use: generating their JSON schemas takes longer than the rest
/// of start-up together, and `initialize` does not need them.
fn tools() -> &'static ToolRouter<CfScale> {
    static TOOLS: OnceLock<ToolRouter<CfScale>> = OnceLock::new();
    TOOLS.get_or_init(CfScale::tool_router)
}

/// The prompts, built once on first use.
fn prompts() -> &'static PromptRouter<CfScale> {
    static PROMPTS: OnceLock<PromptRouter<CfScale>> = OnceLock::new();
    PROMPTS.get_or_init(CfScale::prompt_router)
}

impl Default for CfScale {
    fn default() -> Self {
        Self::new()
    }
}

impl CfScale {
    /// A new server handler, using the price table named by `CF_SCALE_PRICING` if set.
    pub fn new() -> Self {
        Self::with_price_file(std::env::var_os("CF_SCALE_PRICING").map(PathBuf::from))
    }

    /// A new server handler using this price table file instead of the built-in table.
    pub fn with_price_file(path: Option<PathBuf>) -> Self {
        Self {
            price_file: path.map(|p| Arc::new(LazyPriceFile::new(p))),
        }
    }

    /// The replacement price table, loaded on first use; `None` means the built-in table.
    fn price_file(&self) -> Result<Option<&PriceFile>, &str> {
        self.price_file.as_ref().map(|f| f.get()).transpose()
    }
}

/// Serves MCP on stdin/stdout until stdin closes, which is a normal end (even before
/// `initialize`). Lines from the client pass through [`strict::filter`] first; one writer task
/// owns stdout, so rmcp's responses and the filter's error replies never interleave.
pub async fn serve_stdio() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    serve_lines(
        tokio::io::BufReader::new(tokio::io::stdin()),
        tokio::io::stdout(),
    )
    .await
}

/// Serves newline-delimited JSON-RPC from `input` to `output` (what [`serve_stdio`] does on the
/// process's stdio, and what tests drive in memory).
pub async fn serve_lines<R, W>(
    input: R,
    mut output: W,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
where
    R: tokio::io::AsyncBufRead + Unpin + Send + 'static,
    W: tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    let (to_server, server_in) = tokio::io::duplex(1 << 16);
    let (server_out, from_server) = tokio::io::duplex(1 << 16);
    let (replies, mut outgoing) = tokio::sync::mpsc::channel::<Vec<u8>>(64);

    let writer = tokio::spawn(async move {
        while let Some(line) = outgoing.recv().await {
            output.write_all(&line).await?;
            output.flush().await?;
        }
        std::io::Result::Ok(())
    });
    let batches = std::sync::Arc::new(std::sync::Mutex::new(batch::Batches::default()));
    let responses = replies.clone();
    let gathered = batches.clone();
    let copier = tokio::spawn(async move {
        let mut lines = BufReader::new(from_server);
        loop {
            let mut line = Vec::new();
            if lines.read_until(b'\n', &mut line).await? == 0 {
                return std::io::Result::Ok(());
            }
            let line = match strict::lock(&gathered).from_server(&line) {
                batch::FromServer::Pass => line,
                batch::FromServer::Hold => continue,
                batch::FromServer::Emit(reply) => reply,
            };
            if responses.send(line).await.is_err() {
                return Ok(());
            }
        }
    });
    let filter = tokio::spawn(strict::filter(input, to_server, replies, batches));

    match CfScale::new().serve((server_in, server_out)).await {
        Ok(service) => {
            service.waiting().await?;
        }
        Err(ServerInitializeError::ConnectionClosed(_)) => {}
        Err(e) => return Err(e.into()),
    }
    filter.abort();
    copier.await??;
    writer.await??;
    Ok(())
}

fn resource_error(err: ResourceError) -> ErrorData {
    match err {
        ResourceError::NotFound(_) => ErrorData::resource_not_found(err.to_string(), None),
        ResourceError::Knowledge(_) => ErrorData::internal_error(err.to_string(), None),
    }
}

#[tool_handler(router = tools())]
#[prompt_handler(router = prompts())]
impl ServerHandler for CfScale {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_prompts()
                .enable_resources()
                .enable_completions()
                .build(),
        )
        .with_server_info(Implementation::new(
            env!("CARGO_PKG_NAME"),
            env!("CARGO_PKG_VERSION"),
        ))
        .with_instructions(INSTRUCTIONS)
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let items = resources::list()
            .map_err(resource_error)?
            .into_iter()
            .map(|e| {
                Resource::new(e.uri, e.name)
                    .with_title(e.title)
                    .with_mime_type(e.mime_type)
                    .with_size(e.size as u64)
            })
            .collect();
        Ok(ListResourcesResult::with_all_items(items))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        let template = ResourceTemplate::new(resources::PATTERN_TEMPLATE, "pattern")
            .with_title("One scaling pattern with its code")
            .with_description(
                "One section of the reference files: when to use the pattern, TypeScript for \
                 Workers, wrangler config and trade-offs. `id` is the section's anchor, e.g. \
                 kv-key-sharding; ids complete by prefix.",
            )
            .with_mime_type("text/markdown");
        Ok(ListResourceTemplatesResult::with_all_items(vec![template]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let c = resources::read(&request.uri).map_err(resource_error)?;
        let contents = ResourceContents::text(c.text, c.uri).with_mime_type(c.mime_type);
        Ok(ReadResourceResult::new(vec![contents]).into())
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        let values: Vec<String> = match &request.r#ref {
            Reference::Resource(r) if r.uri == resources::PATTERN_TEMPLATE => {
                if request.argument.name != "id" {
                    return Err(ErrorData::invalid_params(
                        format!(
                            "unknown argument `{}` of {}: the only argument is `id`",
                            request.argument.name,
                            resources::PATTERN_TEMPLATE
                        ),
                        None,
                    ));
                }
                resources::complete_pattern_id(&request.argument.value)
                    .map_err(resource_error)?
                    .into_iter()
                    .map(str::to_owned)
                    .collect()
            }
            Reference::Resource(r) => {
                return Err(ErrorData::invalid_params(
                    format!(
                        "no completion for `{}`: the only template is {}",
                        r.uri,
                        resources::PATTERN_TEMPLATE
                    ),
                    None,
                ));
            }
            _ => Vec::new(),
        };
        let total = values.len();
        let shown: Vec<String> = values
            .into_iter()
            .take(CompletionInfo::MAX_VALUES)
            .collect();
        let mut info = CompletionInfo::default();
        info.has_more = Some(total > shown.len());
        info.total = u32::try_from(total).ok();
        info.values = shown;
        Ok(CompleteResult::new(info))
    }
}
