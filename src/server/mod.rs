//! `dockerfix server`: a language server (LSP 3.17 over standard input and output).
//!
//! The main loop ([`Server::main_loop`]) only keeps the open documents' text and schedules
//! work: every change gives the document a new generation and (after [`DEBOUNCE`] without
//! another change) an analysis, which runs on a worker thread; a result for an older
//! generation is dropped, never published. Code actions and formatting run on the workers
//! too, on the text as it was when they were asked for; hover (a look-up in one comment line)
//! is answered at once. Every piece of work on a document runs under
//! [`crate::guard::contain`]: a panic becomes a message to the client, and the server goes on.
//!
//! What is computed is the library's: [`analysis`] finds each document's settings and build
//! context as `dockerfix check` does, and calls `dockerfix::lint`, `dockerfix::fix` and
//! `dockerfix::format`.

#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

pub mod analysis;
pub mod position;
pub mod schedule;

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    DidChangeTextDocumentParams, DidChangeWatchedFilesRegistrationOptions,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, FileSystemWatcher, GlobPattern, Hover,
    HoverContents, HoverProviderCapability, InitializeParams, InitializeResult, MarkupContent,
    MarkupKind, MessageType, OneOf, PositionEncodingKind, PublishDiagnosticsParams, Registration,
    RegistrationParams, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, Uri, notification, request,
};
use position::{Encoding, LineIndex};
use schedule::{Debouncer, Generations};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long after the last keystroke a document is analysed.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

/// How many threads analyse documents.
const WORKERS: usize = 2;

/// `dockerfix server`'s options.
#[derive(clap::Args, Debug, Default)]
pub struct ServerArgs {
    /// Talk over standard input and output (the only transport, and the default; accepted
    /// because editors' clients pass it).
    #[arg(long)]
    pub stdio: bool,
}

/// Runs the server until the client asks it to exit; errors of the connection go to stderr.
pub fn main(_args: ServerArgs) -> ExitCode {
    crate::guard::install_hook();
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        // LSP: exit code 1 for an `exit` that no `shutdown` preceded.
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("dockerfix server: error: {e}");
            ExitCode::from(2)
        }
    }
}

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Serves one client; false when it exited without `shutdown`.
fn run() -> Result<bool, Error> {
    let (connection, io_threads) = Connection::stdio();
    let (id, params) = connection.initialize_start()?;
    let init: InitializeParams = serde_json::from_value(params)?;
    let encoding = negotiate_encoding(&init.capabilities);
    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "dockerfix".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;
    let mut server = Server::new(
        connection.sender.clone(),
        encoding,
        edit_support(&init.capabilities),
    );
    let can_watch = init
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|w| w.dynamic_registration)
        .unwrap_or(false);
    if can_watch {
        server.watch_files();
    }
    let clean = server.main_loop(&connection)?;
    // The writer thread ends when the last sender is gone: the workers' and the server's.
    server.stop();
    drop(server);
    drop(connection);
    io_threads.join()?;
    Ok(clean)
}

/// UTF-8 when the client offers it (no conversion), else UTF-16, the protocol's default.
pub fn negotiate_encoding(caps: &ClientCapabilities) -> Encoding {
    let offered = caps
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    if offered.is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8)) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    }
}

/// What the client's workspace edits can carry.
fn edit_support(caps: &ClientCapabilities) -> analysis::EditSupport {
    let edit = caps
        .workspace
        .as_ref()
        .and_then(|w| w.workspace_edit.as_ref());
    analysis::EditSupport {
        versioned: edit.and_then(|e| e.document_changes).unwrap_or(false),
        create_files: edit
            .and_then(|e| e.resource_operations.as_ref())
            .is_some_and(|ops| ops.contains(&lsp_types::ResourceOperationKind::Create)),
    }
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..Default::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::from(analysis::FIX_ALL),
            ]),
            ..Default::default()
        })),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_range_formatting_provider: Some(OneOf::Left(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..Default::default()
    }
}

/// The file a `file:` URI names (percent-decoded); None for other schemes and remote hosts.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let slash = rest.find('/')?;
    let (host, path) = rest.split_at(slash);
    if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let mut bytes = Vec::with_capacity(path.len());
    let mut raw = path.bytes();
    while let Some(b) = raw.next() {
        if b == b'%' {
            let hex = [raw.next()?, raw.next()?];
            let hex = std::str::from_utf8(&hex).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
        } else {
            bytes.push(b);
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
    }
    #[cfg(not(unix))]
    {
        // `/C:/x` on Windows.
        let s = String::from_utf8(bytes).ok()?;
        let s = match s.get(1..3) {
            Some(d) if d.ends_with(':') => s.get(1..).unwrap_or(&s).to_string(),
            _ => s,
        };
        Some(PathBuf::from(s))
    }
}

/// The `file:` URI of a path (made absolute; bytes other than unreserved ones and `/`
/// percent-encoded).
pub fn file_uri(path: &std::path::Path) -> Option<Uri> {
    let abs = crate::walk::absolute(path);
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        abs.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = format!("/{}", abs.to_str()?.replace('\\', "/")).into_bytes();
    let mut s = String::from("file://");
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s.parse().ok()
}

/// An open document.
struct Open {
    uri: Uri,
    path: Option<PathBuf>,
    text: String,
    version: i32,
    generation: u64,
}

/// Work for the workers.
enum Job {
    /// Diagnostics of one generation of a document.
    Analyse {
        key: String,
        uri: Uri,
        path: Option<PathBuf>,
        text: String,
        version: i32,
        generation: u64,
    },
    /// A request answered from a snapshot of the document.
    Request {
        id: RequestId,
        uri: Uri,
        work: Box<dyn FnOnce() -> Reply + Send>,
    },
}

/// A request's answer, and what to log about it.
struct Reply {
    result: serde_json::Value,
    log: Option<String>,
}

/// A finished analysis, for the main loop to publish if it is still current.
struct Analysed {
    key: String,
    uri: Uri,
    version: i32,
    generation: u64,
    result: Result<Vec<lsp_types::Diagnostic>, crate::guard::InternalError>,
}

struct Server {
    sender: Sender<Message>,
    encoding: Encoding,
    support: analysis::EditSupport,
    docs: HashMap<String, Open>,
    debouncer: Debouncer<String>,
    generations: Generations,
    jobs: Option<Sender<Job>>,
    results: Receiver<Analysed>,
    workers: Vec<JoinHandle<()>>,
}

fn notify<N: lsp_types::notification::Notification>(sender: &Sender<Message>, params: N::Params) {
    let _ = sender.send(Message::Notification(Notification::new(
        N::METHOD.to_string(),
        params,
    )));
}

fn show(sender: &Sender<Message>, typ: MessageType, message: String) {
    notify::<notification::ShowMessage>(sender, lsp_types::ShowMessageParams { typ, message });
}

fn log(sender: &Sender<Message>, typ: MessageType, message: String) {
    notify::<notification::LogMessage>(sender, lsp_types::LogMessageParams { typ, message });
}

impl Server {
    fn new(sender: Sender<Message>, encoding: Encoding, support: analysis::EditSupport) -> Server {
        let (jobs, job_rx) = crossbeam_channel::unbounded::<Job>();
        let (results_tx, results) = crossbeam_channel::unbounded::<Analysed>();
        let generations = Generations::default();
        let workers = (0..WORKERS)
            .map(|_| {
                let (job_rx, results_tx) = (job_rx.clone(), results_tx.clone());
                let (sender, generations) = (sender.clone(), generations.clone());
                std::thread::spawn(move || {
                    for job in job_rx {
                        work(job, encoding, &sender, &results_tx, &generations);
                    }
                })
            })
            .collect();
        Server {
            sender,
            encoding,
            support,
            docs: HashMap::new(),
            debouncer: Debouncer::new(DEBOUNCE),
            generations,
            jobs: Some(jobs),
            results,
            workers,
        }
    }

    /// Asks the client to tell the server when a config or ignore file changes.
    fn watch_files(&self) {
        let watchers = [
            "dockerfix.toml",
            ".dockerfix.toml",
            ".dockerignore",
            "*.dockerignore",
        ]
        .iter()
        .map(|name| FileSystemWatcher {
            glob_pattern: GlobPattern::String(format!("**/{name}")),
            kind: None,
        })
        .collect();
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "dockerfix-watched-files".into(),
                method: notification::DidChangeWatchedFiles::METHOD.into(),
                register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                    watchers,
                })
                .ok(),
            }],
        };
        let _ = self.sender.send(Message::Request(Request::new(
            RequestId::from("dockerfix/watch".to_string()),
            request::RegisterCapability::METHOD.into(),
            params,
        )));
    }

    /// Serves until the client exits: true after `shutdown` and `exit` (or when the client
    /// closes the connection), false for an `exit` without `shutdown`.
    fn main_loop(&mut self, connection: &Connection) -> Result<bool, Error> {
        loop {
            let wait = self
                .debouncer
                .next_deadline()
                .map_or(Duration::from_secs(3600), |d| {
                    d.saturating_duration_since(Instant::now())
                });
            crossbeam_channel::select! {
                recv(connection.receiver) -> msg => {
                    let Ok(msg) = msg else { return Ok(true) };
                    match msg {
                        Message::Request(req) => {
                            if connection.handle_shutdown(&req)? {
                                return Ok(true);
                            }
                            self.on_request(req);
                        }
                        Message::Notification(n) => {
                            // `exit` after `shutdown` is taken by `handle_shutdown` above;
                            // here it comes without one, which LSP answers with exit code 1.
                            if n.method == notification::Exit::METHOD {
                                return Ok(false);
                            }
                            self.on_notification(n);
                        }
                        Message::Response(_) => {}
                    }
                }
                recv(self.results) -> r => {
                    if let Ok(r) = r {
                        self.on_analysed(r);
                    }
                }
                default(wait) => {}
            }
            for key in self.debouncer.due(Instant::now()) {
                self.analyse(&key);
            }
        }
    }

    fn stop(&mut self) {
        self.jobs = None;
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }

    fn send_job(&self, job: Job) {
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(job);
        }
    }

    /// Sends the document's current generation to be analysed now.
    fn analyse(&mut self, key: &str) {
        self.debouncer.forget(&key.to_string());
        let Some(doc) = self.docs.get(key) else {
            return;
        };
        self.send_job(Job::Analyse {
            key: key.to_string(),
            uri: doc.uri.clone(),
            path: doc.path.clone(),
            text: doc.text.clone(),
            version: doc.version,
            generation: doc.generation,
        });
    }

    fn on_analysed(&mut self, r: Analysed) {
        if !self.generations.is_current(&r.key, r.generation) {
            return;
        }
        match r.result {
            Ok(diagnostics) => notify::<notification::PublishDiagnostics>(
                &self.sender,
                PublishDiagnosticsParams {
                    uri: r.uri,
                    diagnostics,
                    version: Some(r.version),
                },
            ),
            Err(e) => show(
                &self.sender,
                MessageType::ERROR,
                format!("dockerfix: {}: {e}", r.uri.as_str()),
            ),
        }
    }

    fn on_notification(&mut self, n: Notification) {
        match n.method.as_str() {
            notification::DidOpenTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) else {
                    return;
                };
                let key = p.text_document.uri.as_str().to_string();
                let generation = self.generations.bump(&key);
                self.docs.insert(
                    key.clone(),
                    Open {
                        path: file_path(&p.text_document.uri),
                        uri: p.text_document.uri,
                        text: p.text_document.text,
                        version: p.text_document.version,
                        generation,
                    },
                );
                self.analyse(&key);
            }
            notification::DidChangeTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) else {
                    return;
                };
                let key = p.text_document.uri.as_str().to_string();
                let Some(doc) = self.docs.get_mut(&key) else {
                    return;
                };
                for change in p.content_changes {
                    match change.range {
                        Some(range) => {
                            let index = LineIndex::new(&doc.text);
                            let start = index.offset(&doc.text, range.start, self.encoding);
                            let end = index.offset(&doc.text, range.end, self.encoding);
                            doc.text.replace_range(start..end.max(start), &change.text);
                        }
                        None => doc.text = change.text,
                    }
                }
                doc.version = p.text_document.version;
                doc.generation = self.generations.bump(&key);
                self.debouncer.touch(key, Instant::now());
            }
            notification::DidCloseTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) else {
                    return;
                };
                let key = p.text_document.uri.as_str().to_string();
                self.docs.remove(&key);
                self.generations.forget(&key);
                self.debouncer.forget(&key);
                notify::<notification::PublishDiagnostics>(
                    &self.sender,
                    PublishDiagnosticsParams {
                        uri: p.text_document.uri,
                        diagnostics: Vec::new(),
                        version: None,
                    },
                );
            }
            // A config or ignore file changed: every open document is analysed again (their
            // settings and contexts are read afresh).
            notification::DidChangeWatchedFiles::METHOD => {
                let keys: Vec<String> = self.docs.keys().cloned().collect();
                for key in keys {
                    let generation = self.generations.bump(&key);
                    if let Some(doc) = self.docs.get_mut(&key) {
                        doc.generation = generation;
                    }
                    self.analyse(&key);
                }
            }
            _ => {}
        }
    }

    fn on_request(&mut self, req: Request) {
        let (encoding, support) = (self.encoding, self.support);
        let Request { id, method, params } = req;
        // The open document a request names, as a snapshot for a worker.
        let snapshot = |uri: &Uri| {
            self.docs
                .get(uri.as_str())
                .map(|d| (d.text.clone(), d.path.clone(), d.version))
        };
        let respond = |result: serde_json::Value| {
            let _ = self
                .sender
                .send(Message::Response(Response::new_ok(id.clone(), result)));
        };
        match method.as_str() {
            request::CodeActionRequest::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::CodeActionParams>(params) else {
                    return self.bad_params(id);
                };
                let Some((text, path, version)) = snapshot(&p.text_document.uri) else {
                    return respond(serde_json::Value::Null);
                };
                let uri = p.text_document.uri.clone();
                self.send_job(Job::Request {
                    id,
                    uri: uri.clone(),
                    work: Box::new(move || {
                        let d = analysis::Doc {
                            uri: &uri,
                            version,
                            text: &text,
                            path: path.as_deref(),
                            encoding,
                        };
                        let index = LineIndex::new(&text);
                        let start = index.offset(&text, p.range.start, encoding);
                        let end = index.offset(&text, p.range.end, encoding);
                        let actions = analysis::code_actions(
                            &d,
                            (start, end),
                            p.context.only.as_deref(),
                            support,
                        );
                        Reply {
                            result: serde_json::to_value(actions).unwrap_or_default(),
                            log: None,
                        }
                    }),
                });
            }
            request::Formatting::METHOD | request::RangeFormatting::METHOD => {
                let (uri, range) = if method == request::Formatting::METHOD {
                    match serde_json::from_value::<lsp_types::DocumentFormattingParams>(params) {
                        Ok(p) => (p.text_document.uri, None),
                        Err(_) => return self.bad_params(id),
                    }
                } else {
                    match serde_json::from_value::<lsp_types::DocumentRangeFormattingParams>(params)
                    {
                        Ok(p) => (p.text_document.uri, Some(p.range)),
                        Err(_) => return self.bad_params(id),
                    }
                };
                let Some((text, path, version)) = snapshot(&uri) else {
                    return respond(serde_json::Value::Null);
                };
                self.send_job(Job::Request {
                    id,
                    uri: uri.clone(),
                    work: Box::new(move || {
                        let d = analysis::Doc {
                            uri: &uri,
                            version,
                            text: &text,
                            path: path.as_deref(),
                            encoding,
                        };
                        let index = LineIndex::new(&text);
                        let range = range.map(|r| {
                            (
                                index.offset(&text, r.start, encoding),
                                index.offset(&text, r.end, encoding),
                            )
                        });
                        match analysis::format_edits(&d, range) {
                            Ok(edits) => Reply {
                                result: serde_json::to_value(edits).unwrap_or_default(),
                                log: None,
                            },
                            Err(why) => Reply {
                                result: serde_json::Value::Null,
                                log: Some(match why {
                                    analysis::NotFormatted::Generated(marker) => format!(
                                        "{}: generated (its header says `{marker}`): left as it is, as `dockerfix format` leaves it",
                                        uri.as_str()
                                    ),
                                    analysis::NotFormatted::Error(e) => {
                                        format!("{}: not formatted: {e}", uri.as_str())
                                    }
                                }),
                            },
                        }
                    }),
                });
            }
            request::HoverRequest::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::HoverParams>(params) else {
                    return self.bad_params(id);
                };
                let pos = p.text_document_position_params;
                let Some(doc) = self.docs.get(pos.text_document.uri.as_str()) else {
                    return respond(serde_json::Value::Null);
                };
                let text = doc.text.as_str();
                let hover = crate::guard::contain(|| {
                    let index = LineIndex::new(text);
                    let offset = index.offset(text, pos.position, encoding);
                    analysis::hover(text, offset).map(|(value, (start, end))| Hover {
                        contents: HoverContents::Markup(MarkupContent {
                            kind: MarkupKind::Markdown,
                            value,
                        }),
                        range: Some(lsp_types::Range::new(
                            index.position(text, start, encoding),
                            index.position(text, end, encoding),
                        )),
                    })
                });
                match hover {
                    Ok(h) => respond(serde_json::to_value(h).unwrap_or_default()),
                    Err(e) => {
                        show(&self.sender, MessageType::ERROR, format!("dockerfix: {e}"));
                        let _ = self.sender.send(Message::Response(Response::new_err(
                            id,
                            ErrorCode::InternalError as i32,
                            e.to_string(),
                        )));
                    }
                }
            }
            _ => {
                let _ = self.sender.send(Message::Response(Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("dockerfix does not handle {method}"),
                )));
            }
        }
    }

    fn bad_params(&self, id: RequestId) {
        let _ = self.sender.send(Message::Response(Response::new_err(
            id,
            ErrorCode::InvalidParams as i32,
            "invalid parameters".into(),
        )));
    }
}

/// One job on a worker thread, under [`crate::guard::contain`].
fn work(
    job: Job,
    encoding: Encoding,
    sender: &Sender<Message>,
    results: &Sender<Analysed>,
    generations: &Generations,
) {
    match job {
        Job::Analyse {
            key,
            uri,
            path,
            text,
            version,
            generation,
        } => {
            // Typed over since it was sent: the newer generation has its own job.
            if !generations.is_current(&key, generation) {
                return;
            }
            let result = crate::guard::contain(|| {
                analysis::diagnostics(&analysis::Doc {
                    uri: &uri,
                    version,
                    text: &text,
                    path: path.as_deref(),
                    encoding,
                })
            });
            let _ = results.send(Analysed {
                key,
                uri,
                version,
                generation,
                result,
            });
        }
        Job::Request { id, uri, work } => {
            let response = match crate::guard::contain(work) {
                Ok(reply) => {
                    if let Some(message) = reply.log {
                        log(sender, MessageType::INFO, format!("dockerfix: {message}"));
                    }
                    Response::new_ok(id, reply.result)
                }
                Err(e) => {
                    show(
                        sender,
                        MessageType::ERROR,
                        format!("dockerfix: {}: {e}", uri.as_str()),
                    );
                    Response::new_err(id, ErrorCode::InternalError as i32, e.to_string())
                }
            };
            let _ = sender.send(Message::Response(response));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn file_uris() {
        let p = |s: &str| file_path(&Uri::from_str(s).unwrap());
        assert_eq!(
            p("file:///home/a%20b/Docker%C3%A9file"),
            Some(PathBuf::from("/home/a b/Dockeréfile"))
        );
        assert_eq!(
            p("file://localhost/x/Dockerfile"),
            Some(PathBuf::from("/x/Dockerfile"))
        );
        assert_eq!(p("untitled:Untitled-1"), None);
        assert_eq!(p("file://server/share/Dockerfile"), None);
    }

    #[test]
    fn file_uris_round_trip() {
        for path in [
            "/a b/é/Dockerfile",
            "/x/%41/.dockerignore",
            "/plain/Dockerfile",
        ] {
            let uri = file_uri(std::path::Path::new(path)).unwrap();
            assert_eq!(
                file_path(&uri),
                Some(PathBuf::from(path)),
                "{}",
                uri.as_str()
            );
        }
        assert_eq!(
            file_uri(std::path::Path::new("/a b/é")).unwrap().as_str(),
            "file:///a%20b/%C3%A9"
        );
    }

    #[test]
    fn utf8_only_when_offered() {
        let caps = |kinds: Option<Vec<PositionEncodingKind>>| ClientCapabilities {
            general: Some(lsp_types::GeneralClientCapabilities {
                position_encodings: kinds,
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(negotiate_encoding(&caps(None)), Encoding::Utf16);
        assert_eq!(
            negotiate_encoding(&caps(Some(vec![
                PositionEncodingKind::UTF16,
                PositionEncodingKind::UTF8
            ]))),
            Encoding::Utf8
        );
        assert_eq!(
            negotiate_encoding(&caps(Some(vec![PositionEncodingKind::UTF32]))),
            Encoding::Utf16
        );
        assert_eq!(
            negotiate_encoding(&ClientCapabilities::default()),
            Encoding::Utf16
        );
    }
}
