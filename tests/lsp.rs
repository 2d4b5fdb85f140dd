//! `dockerfix server` with a real LSP client: `tests/lsp/session.py` drives it with pygls's
//! language client (opening a Dockerfile with CRLF and non-ASCII text, typing, code actions,
//! fix all, formatting and range formatting, hover, a config change, a bad config, a parse
//! error, a panic in a rule, shutdown), once with UTF-16 positions and once with UTF-8, and
//! checks every answer against the command line on the same text.
//!
//! `.ci/run` installs pygls in `target/ci-venv`; elsewhere the test is skipped, with the
//! reason, when `python3` cannot import pygls (in CI, `CI=true`, that is a failure).

use std::process::Command;

fn python() -> Option<&'static str> {
    let ok = Command::new("python3")
        .args(["-c", "import pygls.lsp.client, lsprotocol"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some("python3");
    }
    let how = "pip install pygls==2.1.1 (bash .ci/run installs it in target/ci-venv)";
    assert!(
        std::env::var("CI").is_err(),
        "python3 cannot import pygls: {how}"
    );
    eprintln!("skipped: python3 cannot import pygls: {how}");
    None
}

fn session(encoding: &str) {
    let Some(python) = python() else { return };
    let out = Command::new(python)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lsp/session.py"))
        .arg(env!("CARGO_BIN_EXE_dockerfix"))
        .arg(encoding)
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success() && stdout.contains("all checks passed"),
        "{stdout}\n{stderr}"
    );
}

#[test]
fn a_session_with_utf16_positions() {
    session("utf-16");
}

#[test]
fn a_session_with_utf8_positions() {
    session("utf-8");
}

/// The exit codes LSP asks for, without a client library: 0 after `shutdown` and `exit`, 1 for
/// an `exit` without `shutdown`.
#[test]
fn exit_codes() {
    use std::io::Write;
    let frame = |json: &str| format!("Content-Length: {}\r\n\r\n{json}", json.len());
    let run = |messages: &[&str]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dockerfix"))
            .arg("server")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let input: String = messages.iter().map(|m| frame(m)).collect();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#;
    let initialized = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
    let shutdown = r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#;
    let exit = r#"{"jsonrpc":"2.0","method":"exit"}"#;
    let (code, out) = run(&[init, initialized, shutdown, exit]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains(r#""positionEncoding":"utf-16""#), "{out}");
    assert!(out.contains(r#""id":2,"result":null"#), "{out}");
    assert_eq!(run(&[init, initialized, exit]).0, Some(1));
}
