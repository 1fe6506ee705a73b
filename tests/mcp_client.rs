//! The MCP server driven in-process by rmcp's own client over a duplex pipe: what a real client
//! sees, with no process and no network.

use cf_scale::mcp::CfScale;
use rmcp::{
    RoleClient, ServiceError, ServiceExt,
    model::{
        ArgumentInfo, CallToolRequestParams, CompleteRequestParams, ContentBlock, ErrorCode,
        GetPromptRequestParams, ReadResourceRequestParams, Reference, ResourceContents,
    },
    service::RunningService,
};
use serde_json::json;

async fn connect() -> RunningService<RoleClient, ()> {
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        let server = CfScale::new()
            .serve(server_io)
            .await
            .expect("server starts");
        server.waiting().await.expect("server runs");
    });
    ().serve(client_io).await.expect("client initializes")
}

fn text_of(contents: &ResourceContents) -> (&str, Option<&str>) {
    match contents {
        ResourceContents::TextResourceContents {
            text, mime_type, ..
        } => (text, mime_type.as_deref()),
        other => panic!("expected text contents, got {other:?}"),
    }
}

fn error_code(err: ServiceError) -> ErrorCode {
    match err {
        ServiceError::McpError(e) => e.code,
        other => panic!("expected an MCP error, got {other}"),
    }
}

#[tokio::test]
async fn initialize_reports_name_version_and_instructions() {
    let client = connect().await;
    let info = client.peer_info().expect("server info");
    assert_eq!(info.server_info.as_ref().unwrap().name, "cf-scale");
    assert_eq!(
        info.server_info.as_ref().unwrap().version,
        env!("CARGO_PKG_VERSION")
    );
    let instructions = info.instructions.as_deref().unwrap_or_default();
    assert!(
        instructions.contains("skill://scale/SKILL.md"),
        "{instructions}"
    );
    assert!(info.capabilities.resources.is_some());
    assert!(info.capabilities.prompts.is_some());
    assert!(info.capabilities.completions.is_some());
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn every_resource_lists_and_reads() {
    let client = connect().await;
    let resources = client.list_all_resources().await.unwrap();
    assert_eq!(resources[0].uri, "skill://scale/SKILL.md");
    for uri in [
        "scale://data/pricing",
        "scale://data/limits",
        "scale://data/matrix",
        "scale://data/checklist",
        "scale://data/anti-patterns",
        "skill://scale/data/pricing.toml",
        "skill://scale/references/sharding.md",
    ] {
        assert!(resources.iter().any(|r| r.uri == uri), "{uri} not listed");
    }
    for r in &resources {
        let read = client
            .read_resource(ReadResourceRequestParams::new(r.uri.clone()))
            .await
            .unwrap_or_else(|e| panic!("read {}: {e}", r.uri));
        assert_eq!(read.contents.len(), 1, "{}", r.uri);
        let (text, mime) = text_of(&read.contents[0]);
        assert_eq!(Some(text.len() as u64), r.size, "{}", r.uri);
        assert_eq!(mime, r.mime_type.as_deref(), "{}", r.uri);
        if r.uri.starts_with("scale://data/") {
            serde_json::from_str::<serde_json::Value>(text).expect("data views are JSON");
        }
    }
    let skill = client
        .read_resource(ReadResourceRequestParams::new("skill://scale/SKILL.md"))
        .await
        .unwrap();
    let on_disk = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/skills/scale/SKILL.md"
    ))
    .unwrap();
    assert_eq!(text_of(&skill.contents[0]).0.as_bytes(), on_disk.as_slice());
    assert_eq!(text_of(&skill.contents[0]).1, Some("text/markdown"));
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn pattern_template_reads_one_section() {
    let client = connect().await;
    let templates = client.list_all_resource_templates().await.unwrap();
    assert_eq!(templates.len(), 1);
    assert_eq!(templates[0].uri_template, "scale://patterns/{id}");
    let read = client
        .read_resource(ReadResourceRequestParams::new(
            "scale://patterns/kv-key-sharding",
        ))
        .await
        .unwrap();
    let (text, mime) = text_of(&read.contents[0]);
    assert!(text.starts_with("## "), "{text}");
    assert!(text.contains("{#kv-key-sharding}"));
    assert_eq!(text.matches("\n## ").count(), 0, "one section only");
    assert_eq!(mime, Some("text/markdown"));
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn unknown_resource_is_minus_32002_naming_the_uri() {
    let client = connect().await;
    for uri in [
        "scale://patterns/no-such-pattern",
        "skill://scale/nope.md",
        "https://x",
    ] {
        let err = client
            .read_resource(ReadResourceRequestParams::new(uri))
            .await
            .unwrap_err();
        let ServiceError::McpError(e) = err else {
            panic!("{uri}: not an MCP error")
        };
        assert_eq!(e.code, ErrorCode::RESOURCE_NOT_FOUND, "{uri}");
        assert!(e.message.contains(uri), "{}", e.message);
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn completion_matches_pattern_id_prefixes() {
    let client = connect().await;
    let complete = |value: &str| {
        client.complete(CompleteRequestParams::new(
            Reference::for_resource("scale://patterns/{id}"),
            ArgumentInfo::new("id", value),
        ))
    };
    let d1 = complete("d1-").await.unwrap().completion;
    assert!(d1.values.len() >= 3, "{:?}", d1.values);
    assert!(
        d1.values.iter().all(|v| v.starts_with("d1-")),
        "{:?}",
        d1.values
    );
    assert!(d1.values.contains(&"d1-time-partitioning".to_owned()));
    assert_eq!(d1.has_more, Some(false));
    assert!(complete("zz").await.unwrap().completion.values.is_empty());
    let bad = client
        .complete(CompleteRequestParams::new(
            Reference::for_resource("scale://nothing/{x}"),
            ArgumentInfo::new("x", ""),
        ))
        .await
        .unwrap_err();
    assert_eq!(error_code(bad), ErrorCode::INVALID_PARAMS);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn prompts_list_and_get() {
    let client = connect().await;
    let prompts = client.list_all_prompts().await.unwrap();
    let names: Vec<_> = prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(
        names.contains(&"scaling_review")
            && names.contains(&"cost_review")
            && names.contains(&"usage_review")
    );
    let got = client
        .get_prompt(
            GetPromptRequestParams::new("usage_review").with_arguments(
                json!({"account": "0123abcd", "window": "2026-11-01 to 2026-11-30"})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
        )
        .await
        .unwrap();
    let ContentBlock::Text(t) = &got.messages[0].content else {
        panic!("text expected")
    };
    for needle in [
        "0123abcd",
        "2026-11-01 to 2026-11-30",
        "scale://queries/usage.graphql",
        "import_usage",
        "recommend_scaling",
        "Account Analytics Read",
        "Billing Read",
    ] {
        assert!(t.text.contains(needle), "{needle}: {}", t.text);
    }
    // The query resource the prompt names is listed and readable.
    let listed = client.list_all_resources().await.unwrap();
    assert!(
        listed
            .iter()
            .any(|r| r.uri == "scale://queries/usage.graphql"),
        "queries resource not listed"
    );
    let read = client
        .read_resource(ReadResourceRequestParams::new(
            "scale://queries/usage.graphql",
        ))
        .await
        .unwrap();
    let text = match &read.contents[0] {
        ResourceContents::TextResourceContents { text, .. } => text.clone(),
        other => panic!("text expected: {other:?}"),
    };
    assert!(text.contains("query Workers(") && text.contains("workersInvocationsAdaptive"));
    let review = prompts.iter().find(|p| p.name == "scaling_review").unwrap();
    let args = review.arguments.as_ref().unwrap();
    assert!(
        args.iter()
            .any(|a| a.name == "app" && a.required == Some(true))
    );
    assert!(
        args.iter()
            .any(|a| a.name == "traffic" && a.required != Some(true))
    );

    let got = client
        .get_prompt(
            GetPromptRequestParams::new("scaling_review").with_arguments(
                json!({"app": "a URL shortener on Workers + KV", "traffic": "2M requests/day"})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
        )
        .await
        .unwrap();
    let ContentBlock::Text(t) = &got.messages[0].content else {
        panic!("text expected")
    };
    assert!(t.text.contains("a URL shortener on Workers + KV"));
    assert!(t.text.contains("2M requests/day"));
    assert!(t.text.contains("skill://scale/SKILL.md"));

    let got = client
        .get_prompt(
            GetPromptRequestParams::new("cost_review").with_arguments(
                json!({"services": "Workers, R2"})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
        )
        .await
        .unwrap();
    let ContentBlock::Text(t) = &got.messages[0].content else {
        panic!("text expected")
    };
    assert!(t.text.contains("Workers, R2") && t.text.contains("scale://data/pricing"));

    let missing = client
        .get_prompt(GetPromptRequestParams::new("scaling_review"))
        .await
        .unwrap_err();
    assert_eq!(error_code(missing), ErrorCode::INVALID_PARAMS);
    client.cancel().await.unwrap();
}

async fn connect_with(server: CfScale) -> RunningService<RoleClient, ()> {
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        let server = server.serve(server_io).await.expect("server starts");
        server.waiting().await.expect("server runs");
    });
    ().serve(client_io).await.expect("client initializes")
}

fn args(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    v.as_object().unwrap().clone()
}

#[tokio::test]
async fn estimate_cost_is_listed_read_only_with_both_schemas() {
    let client = connect().await;
    let tools = client.list_all_tools().await.unwrap();
    let tool = tools
        .iter()
        .find(|t| t.name == "estimate_cost")
        .expect("estimate_cost listed");
    let annotations = tool.annotations.as_ref().unwrap();
    assert_eq!(annotations.read_only_hint, Some(true));
    assert_eq!(annotations.open_world_hint, Some(false));
    let input = serde_json::to_string(&tool.input_schema).unwrap();
    assert!(
        input.contains("cpu_ms_per_request") && input.contains("compare_to"),
        "{input}"
    );
    let output = serde_json::to_string(tool.output_schema.as_ref().unwrap()).unwrap();
    assert!(
        output.contains("total_usd") && output.contains("break_points"),
        "{output}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn estimate_cost_returns_the_report_and_a_summary() {
    let client = connect().await;
    let res = client
        .call_tool(
            CallToolRequestParams::new("estimate_cost").with_arguments(args(
                json!({"workers": {"requests": 100_000_000, "cpu_ms_per_request": 7}}),
            )),
        )
        .await
        .unwrap();
    assert_eq!(res.is_error, Some(false));
    let report = res.structured_content.as_ref().unwrap();
    assert_eq!(report["total_usd"], 45.4);
    let summary = report["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("$45.40/month on Workers Paid"),
        "{summary}"
    );
    // The server prices the current month when the profile names none.
    assert_eq!(report["month"].as_str().map(str::len), Some(7), "{report}");
    // Compact by default: the price table's source comes with detail "full".
    assert_eq!(report["price_table"]["source"], json!(null));
    let keys: Vec<&String> = report.as_object().unwrap().keys().collect();
    assert_eq!(keys[0], "summary", "{keys:?}");
    let line = &report["products"][0]["lines"][0];
    assert_eq!(
        (line["usd_per_unit"].clone(), line["per"].clone()),
        (json!(0.3), json!(1000000.0))
    );
    let ContentBlock::Text(t) = &res.content[0] else {
        panic!("text expected")
    };
    assert!(t.text.starts_with(summary), "{}", t.text);
    let full = client
        .call_tool(
            CallToolRequestParams::new("estimate_cost").with_arguments(args(
                json!({"workers": {"requests": 100_000_000, "cpu_ms_per_request": 7}, "detail": "full"}),
            )),
        )
        .await
        .unwrap();
    let full = full.structured_content.unwrap();
    assert_eq!(full["price_table"]["source"], "built-in");
    assert!(
        full["assumptions"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn estimate_cost_bad_input_is_a_tool_error_and_the_server_keeps_serving() {
    let client = connect().await;
    for (bad, needle) in [
        (json!({"kv": {"reads": -3}}), "kv.reads"),
        (json!({"kv": {"reads": "lots"}}), "kv.reads"),
        (json!({"kv": {"raeds": 1}}), "did you mean `reads`"),
        (json!({"plan": "enterprise"}), "plan"),
        (
            json!({"durable_objects": {"active_seconds": 1, "duration_gb_s": 2}}),
            "not both",
        ),
    ] {
        let res = client
            .call_tool(
                CallToolRequestParams::new("estimate_cost").with_arguments(args(bad.clone())),
            )
            .await
            .unwrap();
        assert_eq!(res.is_error, Some(true), "{bad}");
        let ContentBlock::Text(t) = &res.content[0] else {
            panic!("text expected")
        };
        assert!(t.text.contains(needle), "{bad}: {}", t.text);
    }
    let ok = client
        .call_tool(CallToolRequestParams::new("estimate_cost").with_arguments(args(json!({}))))
        .await
        .unwrap();
    assert_eq!(ok.structured_content.unwrap()["total_usd"], 5.0);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn estimate_cost_uses_a_replacement_price_table() {
    let dir = std::env::temp_dir().join(format!("cf-scale-pricing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let builtin = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/skills/scale/data/pricing.toml"
    ))
    .unwrap();
    // An enterprise contract: the subscription costs $7.00.
    let custom = builtin.replacen("usd = \"5.00\"\nper = 1\n", "usd = \"7.00\"\nper = 1\n", 1);
    assert_ne!(custom, builtin);
    let path = dir.join("contract.toml");
    std::fs::write(&path, custom).unwrap();
    let client = connect_with(CfScale::with_price_file(Some(path.clone()))).await;
    let res = client
        .call_tool(CallToolRequestParams::new("estimate_cost").with_arguments(args(json!({}))))
        .await
        .unwrap();
    let report = res.structured_content.unwrap();
    assert_eq!(report["total_usd"], 7.0);
    let full = client
        .call_tool(
            CallToolRequestParams::new("estimate_cost")
                .with_arguments(args(json!({"detail": "full"}))),
        )
        .await
        .unwrap();
    assert_eq!(
        full.structured_content.unwrap()["price_table"]["source"],
        path.display().to_string()
    );
    client.cancel().await.unwrap();

    std::fs::write(&path, "[[price]]\nid = 1\n").unwrap();
    let client = connect_with(CfScale::with_price_file(Some(path.clone()))).await;
    let res = client
        .call_tool(CallToolRequestParams::new("estimate_cost").with_arguments(args(json!({}))))
        .await
        .unwrap();
    assert_eq!(res.is_error, Some(true));
    let ContentBlock::Text(t) = &res.content[0] else {
        panic!("text expected")
    };
    assert!(t.text.contains("contract.toml"), "{}", t.text);
    client.cancel().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn shard_plan_documents_each_strategy_and_plans() {
    let client = connect().await;
    let tools = client.list_all_tools().await.unwrap();
    let tool = tools
        .iter()
        .find(|t| t.name == "shard_plan")
        .expect("shard_plan listed");
    assert_eq!(tool.input_schema.get("type"), Some(&json!("object")));
    let input = serde_json::to_string(&tool.input_schema).unwrap();
    for strategy in ["kv_key", "d1_time", "d1_tenant", "durable_object", "queue"] {
        assert!(input.contains(strategy), "{strategy} in {input}");
    }
    let res = client
        .call_tool(
            CallToolRequestParams::new("shard_plan").with_arguments(args(
                json!({"strategy": "durable_object", "peak_requests_per_second": 3000}),
            )),
        )
        .await
        .unwrap();
    assert_eq!(res.is_error, Some(false));
    let plan = res.structured_content.unwrap();
    assert_eq!(plan["strategy"], "durable_object");
    assert_eq!(plan["plan"]["shard_count"], 6);
    // The code comes with detail "full".
    assert_eq!(plan["code"], json!(null));
    let full = client
        .call_tool(
            CallToolRequestParams::new("shard_plan").with_arguments(args(
                json!({"strategy": "durable_object", "peak_requests_per_second": 3000, "detail": "full"}),
            )),
        )
        .await
        .unwrap();
    assert!(
        full.structured_content.unwrap()["code"]["typescript"]
            .as_str()
            .unwrap()
            .contains("idFromName")
    );
    let ContentBlock::Text(t) = &res.content[0] else {
        panic!("text expected")
    };
    assert!(t.text.starts_with("**shard_plan `durable_object`**") && t.text.contains("```ts"));

    let bad = client
        .call_tool(CallToolRequestParams::new("shard_plan").with_arguments(args(
            json!({"strategy": "queue", "messages_per_second": -1, "message_kb": 1, "processing_ms_per_message": 1}),
        )))
        .await
        .unwrap();
    assert_eq!(bad.is_error, Some(true));
    let ContentBlock::Text(t) = &bad.content[0] else {
        panic!("text expected")
    };
    assert!(t.text.starts_with("messages_per_second:"), "{}", t.text);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn recommend_scaling_ranks_with_evidence_and_lists_missing() {
    let client = connect().await;
    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<_> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert!(names.contains(&"recommend_scaling"), "{names:?}");
    let res = client
        .call_tool(
            CallToolRequestParams::new("recommend_scaling").with_arguments(args(json!({
                "requests_per_day": 2_000_000,
                "services": ["workers", "kv", "queues"],
                "observations": {"kv_hot_key_writes_per_second": 3, "queue_has_dlq": false}
            }))),
        )
        .await
        .unwrap();
    assert_eq!(res.is_error, Some(false));
    let report = res.structured_content.unwrap();
    assert_eq!(report["stage"]["id"], "1m");
    assert_eq!(report["recommendations"][0]["id"], "kv-key-sharding");
    assert_eq!(report["recommendations"][0]["severity"], "critical");
    assert_eq!(
        report["recommendations"][0]["cost_impact_usd_per_month"],
        json!(null)
    );
    assert!(
        report["missing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["field"] == "usage")
    );
    let ContentBlock::Text(t) = &res.content[0] else {
        panic!("text expected")
    };
    assert!(t.text.starts_with("Stage 1m. 3 fixes:"), "{}", t.text);
    assert!(
        t.text.contains("\n**Stage: 1M requests/day**"),
        "{}",
        t.text
    );

    let bad = client
        .call_tool(
            CallToolRequestParams::new("recommend_scaling")
                .with_arguments(args(json!({"requests_per_day": -5}))),
        )
        .await
        .unwrap();
    assert_eq!(bad.is_error, Some(true));
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn analyze_config_reads_content_or_a_workspace_path_and_refuses_escapes() {
    let client = connect().await;
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/wrangler/basic.toml"
    ))
    .unwrap();
    let res = client
        .call_tool(
            CallToolRequestParams::new("analyze_config")
                .with_arguments(args(json!({"content": text}))),
        )
        .await
        .unwrap();
    assert_eq!(res.is_error, Some(false));
    let c = res.structured_content.unwrap();
    assert_eq!(c["bindings"]["d1_databases"][0]["name"], "DB");
    // Tests run in the crate root, so this path is inside the working directory.
    let res = client
        .call_tool(
            CallToolRequestParams::new("analyze_config")
                .with_arguments(args(json!({"path": "tests/fixtures/wrangler/full.jsonc"}))),
        )
        .await
        .unwrap();
    assert_eq!(res.is_error, Some(false), "{:?}", res.content);
    let outside = std::env::temp_dir().join(format!("cf-scale-escape-{}", std::process::id()));
    let _ = std::fs::remove_file(&outside);
    std::os::unix::fs::symlink("/etc/hostname", &outside).unwrap();
    let link = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join(format!("escape-{}.toml", std::process::id()));
    let _ = std::fs::remove_file(&link);
    // `target/` may live elsewhere (CARGO_TARGET_DIR): make the one inside the crate root.
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", &link).unwrap();
    let link_rel = format!("target/escape-{}.toml", std::process::id());
    for (path, needle) in [
        ("../Cargo.toml", "without `..`"),
        ("/etc/passwd", "relative"),
        (link_rel.as_str(), "outside the working directory"),
        ("no/such/file.toml", "no/such/file.toml"),
    ] {
        let res = client
            .call_tool(
                CallToolRequestParams::new("analyze_config")
                    .with_arguments(args(json!({"path": path}))),
            )
            .await
            .unwrap();
        assert_eq!(res.is_error, Some(true), "{path}");
        let ContentBlock::Text(t) = &res.content[0] else {
            panic!("text expected")
        };
        assert!(t.text.contains(needle), "{path}: {}", t.text);
    }
    let _ = std::fs::remove_file(&link);
    let _ = std::fs::remove_file(&outside);
    let res = client
        .call_tool(
            CallToolRequestParams::new("analyze_config")
                .with_arguments(args(json!({"content": "name = [", "format": "toml"}))),
        )
        .await
        .unwrap();
    assert_eq!(res.is_error, Some(true));
    // Still serving after the errors.
    assert!(!client.list_all_tools().await.unwrap().is_empty());
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn recommend_and_estimate_use_a_config() {
    let client = connect().await;
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/wrangler/full.jsonc"
    ))
    .unwrap();
    let res = client
        .call_tool(
            CallToolRequestParams::new("recommend_scaling")
                .with_arguments(args(json!({"config": {"content": text}}))),
        )
        .await
        .unwrap();
    let r = res.structured_content.unwrap();
    let ids: Vec<_> = r["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.contains(&"queue-dlq".to_owned()), "{ids:?}");
    let res = client
        .call_tool(
            CallToolRequestParams::new("estimate_cost").with_arguments(args(
                json!({"kv": {"reads": 1}, "config": {"content": text}}),
            )),
        )
        .await
        .unwrap();
    let warnings = res.structured_content.unwrap()["warnings"].to_string();
    assert!(
        warnings.contains("d1 is bound in the Wrangler config"),
        "{warnings}"
    );
    assert!(!warnings.contains("kv is bound"), "{warnings}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn unknown_tool_is_invalid_params() {
    let client = connect().await;
    let err = client
        .call_tool(CallToolRequestParams::new("no_such_tool"))
        .await
        .unwrap_err();
    assert_eq!(error_code(err), ErrorCode::INVALID_PARAMS);
    client.cancel().await.unwrap();
}

/// Realistic arguments for every tool: the example project, the saas profile, one request per
/// shard strategy, a Wrangler config.
fn realistic_calls() -> Vec<(&'static str, serde_json::Value)> {
    let root = env!("CARGO_MANIFEST_DIR");
    let toml_json = |path: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(format!("{root}/{path}")).unwrap();
        toml::from_str(&text).unwrap()
    };
    let mut calls = vec![
        ("recommend_scaling", toml_json("examples/project.toml")),
        ("estimate_cost", toml_json("examples/saas.toml")),
    ];
    for name in [
        "kv_key",
        "d1_time_monthly",
        "d1_tenant",
        "durable_object",
        "queue",
    ] {
        let text =
            std::fs::read_to_string(format!("{root}/tests/fixtures/shard/{name}.json")).unwrap();
        calls.push(("shard_plan", serde_json::from_str(&text).unwrap()));
    }
    let config =
        std::fs::read_to_string(format!("{root}/tests/fixtures/wrangler/full.jsonc")).unwrap();
    calls.push(("analyze_config", json!({"content": config})));
    calls.push(("import_usage", example_import()));
    calls
}

/// The example usage documents, as paths relative to the working directory.
fn example_import() -> serde_json::Value {
    let paths: Vec<String> = [
        "workers",
        "kv",
        "d1",
        "d1-queries",
        "r2",
        "durable-objects",
        "queues",
        "billable",
    ]
    .iter()
    .map(|n| format!("examples/usage/{n}.json"))
    .collect();
    json!({"paths": paths, "start": "2026-11-24", "end": "2026-11-30"})
}

#[tokio::test]
async fn an_import_feeds_estimate_cost_and_recommend_scaling() {
    let client = connect().await;
    let call = |name: &'static str, a: serde_json::Value| {
        let client = &client;
        async move {
            client
                .call_tool(CallToolRequestParams::new(name).with_arguments(args(a)))
                .await
                .unwrap()
        }
    };
    let imported = call("import_usage", example_import()).await;
    assert_eq!(imported.is_error, Some(false), "{:?}", imported.content);
    let imported = imported.structured_content.unwrap();
    let bill = imported["monthly_cost_usd"].as_f64().unwrap();
    assert!(bill > 5.0, "{imported}");
    let missing = imported["profile"]["provenance"]["missing"]
        .as_array()
        .unwrap();
    assert!(missing.contains(&json!("workers_logs")), "{missing:?}");
    assert!(
        imported["profile"]["provenance"]["billing"]
            .as_array()
            .unwrap()
            .contains(&json!("workers"))
    );
    assert!(imported["observations"]["d1_database_gb"].as_f64().unwrap() > 6.0);

    // The whole result is an estimate_cost input: the same bill, and it says what is missing.
    let cost = call("estimate_cost", imported.clone()).await;
    assert_eq!(cost.is_error, Some(false), "{:?}", cost.content);
    let cost = cost.structured_content.unwrap();
    assert_eq!(cost["total_usd"].as_f64().unwrap(), bill);
    let summary = cost["summary"].as_str().unwrap();
    assert!(
        summary.contains("missing, not in the total: workers_logs"),
        "{summary}"
    );

    // And a recommend_scaling usage: its observations fill the context.
    let review = call("recommend_scaling", json!({"usage": imported})).await;
    assert_eq!(review.is_error, Some(false), "{:?}", review.content);
    let review = review.structured_content.unwrap();
    assert_eq!(review["monthly_cost_usd"].as_f64().unwrap(), bill);
    let summary = review["summary"].as_str().unwrap();
    assert!(
        summary.contains("not counting unmeasured workers_logs"),
        "{summary}"
    );
    let headroom = serde_json::to_string(&review["headroom"]).unwrap();
    assert!(headroom.contains("d1.database_size_gb"), "{headroom}");

    // Paths outside the working directory are refused; a document of the wrong kind is named.
    for (a, needle) in [
        (json!({"paths": ["../Cargo.toml"]}), "without `..`"),
        (json!({"paths": ["/etc/hostname"]}), "relative"),
        (json!({"documents": [{"hello": 1}]}), "documents[0]"),
        (json!({"documents": []}), "documents"),
        (
            json!({"documents": [{"data": null, "errors": [{"message": "boom"}]}]}),
            "boom",
        ),
        (
            json!({"documents": [{"result": []}], "start": "2026-11-07", "end": "2026-11-01"}),
            "end",
        ),
    ] {
        let res = call("import_usage", a.clone()).await;
        assert_eq!(res.is_error, Some(true), "{a}");
        let text = format!("{:?}", res.content);
        assert!(text.contains(needle), "{a}: {text}");
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn every_input_schema_is_one_the_anthropic_api_accepts() {
    let client = connect().await;
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.len() >= 4);
    for tool in &tools {
        let schema = &tool.input_schema;
        for combinator in ["oneOf", "anyOf", "allOf"] {
            assert!(
                !schema.contains_key(combinator),
                "{}: root {combinator} (Claude Code would skip the tool)",
                tool.name
            );
        }
        assert_eq!(schema.get("type"), Some(&json!("object")), "{}", tool.name);
        assert_eq!(
            schema["properties"]["detail"]["enum"],
            json!(["compact", "full"]),
            "{}: no detail input",
            tool.name
        );
        let text = serde_json::to_string(schema).unwrap();
        assert!(
            !text.contains("$ref\":\"#/$defs"),
            "{}: $ref left",
            tool.name
        );
    }
    // Fields named like schema keywords stay in the schema the model gets.
    let config = tools.iter().find(|t| t.name == "analyze_config").unwrap();
    assert_eq!(
        config.input_schema["properties"]["format"]["enum"],
        json!(["toml", "json", "jsonc"]),
        "{:?}",
        config.input_schema
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn every_answer_begins_with_its_summary_and_matches_its_output_schema() {
    let client = connect().await;
    let tools = client.list_all_tools().await.unwrap();
    for (name, arguments) in realistic_calls() {
        let tool = tools.iter().find(|t| t.name == name).unwrap();
        let schema = serde_json::Value::Object(tool.output_schema.as_deref().unwrap().clone());
        let validator = jsonschema::validator_for(&schema).unwrap();
        let mut sizes = Vec::new();
        for detail in ["compact", "full"] {
            let mut a = arguments.clone();
            a["detail"] = json!(detail);
            let res = client
                .call_tool(CallToolRequestParams::new(name).with_arguments(args(a)))
                .await
                .unwrap();
            assert_eq!(
                res.is_error,
                Some(false),
                "{name} {detail}: {:?}",
                res.content
            );
            let report = res.structured_content.unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&report)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{name} {detail}: {errors:#?}");
            let text = serde_json::to_string(&report).unwrap();
            let summary = report["summary"].as_str().unwrap();
            assert!(
                text.starts_with("{\"summary\":"),
                "{name} {detail}: {}",
                &text[..80]
            );
            assert!(
                serde_json::to_string(summary).unwrap().len() + 11 <= 400,
                "{name}: summary past 400 characters: {summary}"
            );
            let ContentBlock::Text(t) = &res.content[0] else {
                panic!("text expected")
            };
            assert!(t.text.contains(summary), "{name}: text without the summary");
            sizes.push(text.len());
        }
        assert!(
            sizes[0] < sizes[1],
            "{name}: compact {} not below full {}",
            sizes[0],
            sizes[1]
        );
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn analyze_project_scans_a_directory_and_recommend_takes_it() {
    let client = connect().await;
    let call = |name: &'static str, a: serde_json::Value| {
        let client = &client;
        async move {
            client
                .call_tool(CallToolRequestParams::new(name).with_arguments(args(a)))
                .await
                .unwrap()
        }
    };
    // Tests run in the crate root: the fixture is inside the working directory.
    let res = call(
        "analyze_project",
        json!({"path": "tests/fixtures/projects/hazards"}),
    )
    .await;
    assert_eq!(res.is_error, Some(false), "{:?}", res.content);
    let scan = res.structured_content.unwrap();
    assert!(scan["summary"].as_str().unwrap().contains("critical"));
    let findings = scan["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 8, "the compact answer keeps eight findings");
    assert!(scan.get("queries").is_none(), "plans come with detail full");
    let full = call(
        "analyze_project",
        json!({"path": "tests/fixtures/projects/hazards", "detail": "full"}),
    )
    .await
    .structured_content
    .unwrap();
    assert!(full["queries"].as_array().unwrap().len() > 5);
    // The (compact) result as recommend_scaling's project, and a directory for the same.
    for project in [scan.clone(), json!("tests/fixtures/projects/hazards")] {
        let res = call("recommend_scaling", json!({"project": project})).await;
        assert_eq!(res.is_error, Some(false), "{:?}", res.content);
        let r = res.structured_content.unwrap();
        assert_eq!(r["recommendations"][0]["severity"], "critical", "{r}");
        assert!(
            r["recommendations"][0]["evidence"]
                .as_str()
                .unwrap()
                .contains("In the code at src/"),
            "{r}"
        );
    }
    for (a, needle) in [
        (json!({"path": "../"}), "without `..`"),
        (json!({"path": "/etc"}), "relative"),
        (json!({"path": "no/such/dir"}), "no/such/dir"),
        (
            json!({"path": "tests/fixtures/projects/hazards", "table_rows": {"users": -1}}),
            "table_rows.users",
        ),
        (json!({"path": ".", "nope": 1}), "nope"),
    ] {
        let res = call("analyze_project", a.clone()).await;
        assert_eq!(res.is_error, Some(true), "{a}");
        let ContentBlock::Text(t) = &res.content[0] else {
            panic!("text expected")
        };
        assert!(t.text.contains(needle), "{a}: {}", t.text);
    }
    let res = call("recommend_scaling", json!({"project": "../elsewhere"})).await;
    assert_eq!(res.is_error, Some(true));
    assert!(!client.list_all_tools().await.unwrap().is_empty());
    client.cancel().await.unwrap();
}
