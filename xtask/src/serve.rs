//! A small static file server on 127.0.0.1 for benchmark pages and browser tests: std only,
//! one thread per connection, GET and HEAD, no directory listings, nothing outside its root.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::thread;

use anyhow::{Context, Result};

/// Starts serving `root` on 127.0.0.1 (`port` 0: any free port); returns the port.
/// The server runs until the process exits.
pub(crate) fn start(root: &Path, port: u16) -> Result<u16> {
    start_with(root, port, false)
}

/// Like [`start`], for a single-page app: a path with no file extension that names no file
/// (`/compare?models=...`) gets `index.html`, so links into the app's pages work.
pub(crate) fn start_app(root: &Path, port: u16) -> Result<u16> {
    start_with(root, port, true)
}

fn start_with(root: &Path, port: u16, app: bool) -> Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", port)).context("cannot listen on 127.0.0.1")?;
    let port = listener.local_addr()?.port();
    let root = root
        .canonicalize()
        .with_context(|| format!("no directory {}", root.display()))?;
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            thread::spawn(move || {
                let _ = handle(stream, &root, app);
            });
        }
    });
    Ok(port)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "css" => "text/css; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// The file under `root` that `target` names, or `None` for anything escaping it.
fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_decode(path)?;
    let mut out = root.to_path_buf();
    for part in Path::new(decoded.trim_start_matches('/')).components() {
        match part {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if out.is_dir() {
        out.push("index.html");
    }
    Some(out)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn handle(stream: TcpStream, root: &Path, app: bool) -> std::io::Result<()> {
    // Each response is one write: with Nagle's algorithm on, a response written in pieces on
    // a kept-alive connection could wait for the browser's delayed ACK (40 ms on Linux).
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        // Skip headers; keep the connection alive for the next request.
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
                break;
            }
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or("");
        let target = parts.next().unwrap_or("/");
        let file = resolve(root, target).filter(|p| p.is_file()).or_else(|| {
            let path = target.split(['?', '#']).next().unwrap_or("/");
            let page = !path.rsplit('/').next().unwrap_or("").contains('.');
            (app && page).then(|| root.join("index.html"))
        });
        match (method, file) {
            ("GET" | "HEAD", Some(path)) => {
                let body = std::fs::read(&path)?;
                let mut response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n\r\n",
                    content_type(&path),
                    body.len()
                )
                .into_bytes();
                if method == "GET" {
                    response.extend_from_slice(&body);
                }
                stream.write_all(&response)?;
            }
            ("GET" | "HEAD", None) => {
                let body = "not found";
                let response = format!(
                    "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                stream.write_all(response.as_bytes())?;
            }
            _ => {
                stream
                    .write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_never_escape_the_root() {
        let root = Path::new("/srv/site");
        assert_eq!(
            resolve(root, "/a/b.js?x=1"),
            Some(PathBuf::from("/srv/site/a/b.js"))
        );
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/a/%2e%2e/%2e%2e/etc"), None);
        assert_eq!(
            resolve(root, "/a%20b.txt"),
            Some(PathBuf::from("/srv/site/a b.txt"))
        );
    }
}
