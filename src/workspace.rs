//! The one place front ends read a project from disk: a directory as a
//! [`SourceTree`](crate::engine::scan::SourceTree) that refuses anything resolving outside it
//! (symlinks included), binary and oversize files, and does not follow symlinked directories.

use std::path::{Component, Path, PathBuf};

use crate::engine::scan::SourceTree;

/// A project directory on disk.
#[derive(Debug, Clone)]
pub struct DirTree {
    root: PathBuf,
}

/// Directories never listed: dependencies and build output.
const SKIPPED: &[&str] = &["node_modules", "dist", "build", "coverage", "target"];

impl DirTree {
    /// Any directory (the CLI's argument).
    pub fn open(dir: &Path) -> Result<Self, String> {
        let root = dir
            .canonicalize()
            .map_err(|e| format!("`{}`: {e}", dir.display()))?;
        if !root.is_dir() {
            return Err(format!("`{}` is not a directory", dir.display()));
        }
        Ok(Self { root })
    }

    /// A directory named relative to the working directory (the MCP server's `path`): absolute
    /// paths, `..` and symlinks out of the working directory are refused.
    pub fn within_working_dir(path: &str) -> Result<Self, String> {
        let cwd = std::env::current_dir()
            .and_then(|d| d.canonicalize())
            .map_err(|e| format!("working directory: {e}"))?;
        let full = within(&cwd, path)?;
        Self::open(&full)
    }

    fn resolve(&self, path: &str) -> Result<PathBuf, String> {
        within(&self.root, path)
    }
}

/// `path` under `root`, canonical, or why not.
pub fn within(root: &Path, path: &str) -> Result<PathBuf, String> {
    let relative = Path::new(path);
    if relative.is_absolute()
        || relative
            .components()
            .any(|c| matches!(c, Component::ParentDir))
    {
        return Err(format!(
            "path `{path}` must be relative to the working directory, without `..`"
        ));
    }
    let full = root
        .join(relative)
        .canonicalize()
        .map_err(|e| format!("path `{path}`: {e}"))?;
    if !full.starts_with(root) {
        return Err(format!(
            "path `{path}` resolves outside the working directory"
        ));
    }
    Ok(full)
}

impl SourceTree for DirTree {
    fn read(&self, path: &str, max: usize) -> Result<Option<String>, String> {
        let candidate = self.root.join(path);
        if std::fs::symlink_metadata(&candidate).is_err() {
            return Ok(None);
        }
        let full = self
            .resolve(path)
            .map_err(|e| e.replace("the working directory", "the project"))?;
        let meta = std::fs::metadata(&full).map_err(|e| e.to_string())?;
        if !meta.is_file() {
            return Ok(None);
        }
        if meta.len() > max as u64 {
            return Err(format!("is {} bytes; at most {max} are read", meta.len()));
        }
        let bytes = std::fs::read(&full).map_err(|e| e.to_string())?;
        if bytes.contains(&0) {
            return Err("is binary".to_owned());
        }
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| "is not UTF-8 text".to_owned())
    }

    fn list(&self, dir: &str, max: usize) -> Vec<String> {
        let mut out = Vec::new();
        let Ok(start) = self.resolve(if dir.is_empty() { "." } else { dir }) else {
            return out;
        };
        let mut todo = vec![start];
        while let Some(d) = todo.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let name = e.file_name();
                let name = name.to_string_lossy();
                let Ok(kind) = e.file_type() else { continue };
                if kind.is_dir() {
                    if !name.starts_with('.') && !SKIPPED.contains(&name.as_ref()) {
                        todo.push(e.path());
                    }
                } else if (kind.is_file() || kind.is_symlink())
                    && let Ok(rel) = e.path().strip_prefix(&self.root)
                {
                    out.push(rel.to_string_lossy().replace('\\', "/"));
                    if out.len() >= max {
                        out.sort();
                        return out;
                    }
                }
            }
        }
        out.sort();
        out
    }
}
