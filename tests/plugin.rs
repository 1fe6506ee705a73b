//! The Claude Code plugin files agree with the crate and with each other.

use std::path::Path;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn json(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn root_files_are_the_same_bytes_as_the_plugin_files() {
    for (top, real) in [
        ("plugin.json", ".claude-plugin/plugin.json"),
        ("SKILL.md", "skills/scale/SKILL.md"),
    ] {
        let a = std::fs::read(root().join(top)).unwrap();
        let b = std::fs::read(root().join(real)).unwrap();
        // Symlinks in the repository; copies in the packaged crate. Either way, never divergent.
        assert_eq!(a, b, "{top} and {real} differ");
    }
}

#[test]
fn manifest_matches_the_crate_and_declares_the_server() {
    let m = json(".claude-plugin/plugin.json");
    assert_eq!(m["name"], "cloudflare-scale");
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    assert!(m["author"]["name"].is_string());
    assert_eq!(m["license"], "MIT OR Apache-2.0");
    let server = &m["mcpServers"]["cf-scale"];
    assert_eq!(
        server["command"],
        "${CLAUDE_PLUGIN_ROOT}/scripts/cf-scale-mcp"
    );
    assert!(
        !root().join(".mcp.json").exists(),
        "no root .mcp.json: it would double as this repository's own MCP config"
    );
}

/// One version everywhere a release is described: the crate, the plugin manifest, its
/// marketplace entry, the MCP Bundle manifest and the MCP registry entry (with the release
/// assets it names).
#[test]
fn every_manifest_carries_the_crate_version() {
    let version = env!("CARGO_PKG_VERSION");
    let plugin = json(".claude-plugin/plugin.json");
    let market = json(".claude-plugin/marketplace.json");
    let bundle = json("manifest.json");
    let registry = json("server.json");
    assert_eq!(plugin["version"], version, "plugin.json");
    assert_eq!(market["plugins"][0]["version"], version, "marketplace.json");
    assert_eq!(bundle["version"], version, "manifest.json");
    assert_eq!(registry["version"], version, "server.json");
    let packages = registry["packages"]
        .as_array()
        .expect("server.json packages");
    assert!(!packages.is_empty());
    for package in packages {
        assert_eq!(package["version"], version, "server.json: {package}");
        if package["registryType"] == "mcpb" {
            let url = package["identifier"].as_str().unwrap();
            assert!(
                url.contains(&format!("/releases/download/v{version}/")),
                "server.json: {url} is not this version's release asset"
            );
        }
    }
}

/// The plugin declares the hosts its launcher may download from: the release host of its default
/// `CF_SCALE_RELEASE_BASE` and the hosts GitHub redirects release downloads to; nothing else (the
/// server itself reaches no network).
#[test]
fn network_hosts_are_the_release_hosts() {
    let plugin = json(".claude-plugin/plugin.json");
    let hosts: Vec<&str> = plugin["network"]["hosts"]
        .as_array()
        .expect("network.hosts")
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    let launcher = std::fs::read_to_string(root().join("scripts/cf-scale-mcp")).unwrap();
    let base = launcher
        .lines()
        .find_map(|l| l.strip_prefix("base=${CF_SCALE_RELEASE_BASE:-"))
        .and_then(|rest| rest.strip_suffix('}'))
        .expect("the launcher's default release base");
    let release_host = base
        .strip_prefix("https://")
        .and_then(|rest| rest.split('/').next())
        .unwrap();
    assert!(hosts.contains(&release_host), "{release_host} in {hosts:?}");
    for host in &hosts {
        assert!(
            *host == release_host || host.ends_with(".githubusercontent.com"),
            "{host} is not a release download host"
        );
    }
}

#[test]
fn marketplace_lists_this_plugin() {
    let m = json(".claude-plugin/marketplace.json");
    let entry = &m["plugins"][0];
    assert_eq!(entry["name"], "cloudflare-scale");
    assert_eq!(entry["source"], "./");
    assert!(m["owner"]["name"].is_string());
}

#[test]
fn launcher_is_executable_posix_sh() {
    use std::os::unix::fs::PermissionsExt;
    let path = root().join("scripts/cf-scale-mcp");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert!(mode & 0o111 != 0, "launcher is executable");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("#!/bin/sh\n"));
    let check = std::process::Command::new("sh")
        .arg("-n")
        .arg(&path)
        .status()
        .unwrap();
    assert!(check.success(), "sh -n accepts the launcher");
}

/// The launcher's version check and its order: `$CF_SCALE_BIN` first, then a cached binary of the
/// right version, then `PATH`, then (downloads off) a build, then one clear error.
#[test]
fn launcher_picks_binaries_in_order() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = std::env::temp_dir().join(format!("cf-scale-launcher-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let fake = |dir: &Path, version: &str, tag: &str| {
        std::fs::create_dir_all(dir).unwrap();
        let p = dir.join("cf-scale");
        std::fs::write(
            &p,
            format!("#!/bin/sh\n[ \"$1\" = --version ] && echo 'cf-scale {version}' && exit 0\necho {tag} \"$@\"\n"),
        )
        .unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    };
    let want = env!("CARGO_PKG_VERSION");
    let data = tmp.join("data");
    let path_dir = tmp.join("path");
    let run = |envs: &[(&str, &Path)], path: &str| {
        let out = std::process::Command::new(root().join("scripts/cf-scale-mcp"))
            .env_clear()
            .env("PATH", path)
            .env("CLAUDE_PLUGIN_ROOT", root())
            .env("CLAUDE_PLUGIN_DATA", &data)
            // Downloads are scripts/e2e-launcher.sh's to test, against a loopback server.
            .env("CF_SCALE_NO_DOWNLOAD", "1")
            .envs(envs.iter().map(|(k, v)| (k, v.as_os_str())))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).trim().to_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let sys = "/usr/bin:/bin";
    let explicit = fake(&tmp.join("explicit"), "0.0.0", "explicit");
    let on_path = format!("{}:{sys}", path_dir.display());

    // Nothing usable (no cargo on this PATH): one clear error, non-zero.
    let (code, out, err) = run(&[], sys);
    assert_eq!(code, Some(1));
    assert!(out.is_empty(), "stdout stays clean: {out}");
    assert!(
        err.contains("cargo install") && err.contains("CF_SCALE_BIN"),
        "{err}"
    );

    // Wrong version on PATH is skipped; right version is used.
    fake(&path_dir, "0.0.0-old", "path");
    assert_eq!(run(&[], &on_path).0, Some(1));
    fake(&path_dir, want, "path");
    assert_eq!(run(&[], &on_path).1, "path serve");

    // A cached binary of the right version wins over PATH.
    fake(&data.join("bin").join(want), want, "cached");
    assert_eq!(run(&[], &on_path).1, "cached serve");

    // $CF_SCALE_BIN wins over everything.
    assert_eq!(
        run(&[("CF_SCALE_BIN", &explicit)], &on_path).1,
        "explicit serve"
    );
    let _ = std::fs::remove_dir_all(&tmp);
}
