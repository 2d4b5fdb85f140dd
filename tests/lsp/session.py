"""A scripted editor session against `dockerfix server`, with pygls's language client.

    python3 tests/lsp/session.py PATH/TO/dockerfix utf-16|utf-8

Opens a Dockerfile (CRLF line endings, non-ASCII text before the findings), edits it,
requests code actions, formatting and hover, changes the config, and checks every answer
against the command line (`dockerfix check --output-format json`, `check --fix`, `format`,
`rule`) on the same text. Positions are computed here from the CLI's byte offsets, in the
encoding the session negotiated. Exits non-zero (with the reason) on the first mismatch.
"""

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from lsprotocol import types as t
from pygls.lsp.client import LanguageClient

BIN = os.path.abspath(sys.argv[1])
ENCODING = sys.argv[2]
# The UTF-8 session's client also takes versioned edits and creates files; the UTF-16 one
# takes plain `changes` only.
VERSIONED = ENCODING == "utf-8"
TIMEOUT = 30


def fail(message):
    raise AssertionError(message)


def check(cond, message):
    if not cond:
        fail(message)


def units(s):
    return len(s.encode("utf-16-le")) // 2 if ENCODING == "utf-16" else len(s.encode())


def position(text, offset):
    """The LSP position of a byte offset of `text`, computed independently of the server."""
    prefix = text.encode()[:offset].decode()
    lines = prefix.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return (len(lines) - 1, units(lines[-1]))


def offset_of(text, pos):
    """The string index of an LSP position (for applying edits)."""
    lines = text.splitlines(keepends=True)
    index = sum(len(l) for l in lines[: pos.line])
    line = lines[pos.line] if pos.line < len(lines) else ""
    n = 0
    for i, ch in enumerate(line.rstrip("\r\n")):
        if n >= pos.character:
            return index + i
        n += units(ch)
    return index + len(line.rstrip("\r\n"))


def apply(text, edits):
    spans = sorted(
        ((offset_of(text, e.range.start), offset_of(text, e.range.end), e.new_text) for e in edits),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def edits_of(edit, uri, version):
    """The edits a workspace edit makes to `uri` (checking the version it names), and the files
    it creates, as {uri: content}."""
    if edit.changes is not None:
        check(edit.document_changes is None, "changes and documentChanges")
        return list(edit.changes[uri]), {}
    check(VERSIONED, "documentChanges sent to a client that did not ask for them")
    edits, created = [], {}
    for change in edit.document_changes:
        if isinstance(change, t.CreateFile):
            check(change.options.overwrite is False and change.options.ignore_if_exists is False, "create options")
            created[change.uri] = ""
        elif change.text_document.uri == uri:
            check(change.text_document.version == version, f"edit for version {change.text_document.version}, not {version}")
            edits.extend(change.edits)
        else:
            check(change.text_document.uri in created, f"an edit of another file {change.text_document.uri}")
            created[change.text_document.uri] = "".join(e.new_text for e in change.edits)
    return edits, created


def cli(*args, stdin=None, cwd=None):
    env = dict(os.environ)
    env.pop("DOCKERFIX_TEST_PANIC", None)
    r = subprocess.run(
        [BIN, *args], input=stdin.encode() if stdin else None, capture_output=True, cwd=cwd, env=env
    )
    return r.stdout.decode(), r.stderr.decode(), r.returncode


def cli_findings(text, path, context):
    out, err, _ = cli(
        "check", "--output-format", "json", "--stdin-filename", str(path),
        "--context", str(context), "-", stdin=text,
    )
    return sorted(
        (
            d["code"],
            position(text, d["location"]["offset"]),
            position(text, d["end_location"]["offset"]),
        )
        for d in json.loads(out)
    )


def lsp_findings(diags):
    return sorted(
        (d.code, (d.range.start.line, d.range.start.character), (d.range.end.line, d.range.end.character))
        for d in diags
    )


class Session:
    def __init__(self, client):
        self.client = client
        self.published = {}  # uri -> list of (version, diagnostics)
        self.messages = []
        self.registrations = []
        self.event = asyncio.Event()

        @client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params):
            self.published.setdefault(params.uri, []).append((params.version, params.diagnostics))
            self.event.set()

        @client.feature(t.WINDOW_SHOW_MESSAGE)
        def on_message(params):
            self.messages.append(params.message)
            self.event.set()

        @client.feature(t.WINDOW_LOG_MESSAGE)
        def on_log(params):
            self.messages.append(params.message)
            self.event.set()

        @client.feature(t.CLIENT_REGISTER_CAPABILITY)
        def on_register(params):
            self.registrations.extend(params.registrations)
            return None

    async def wait_for(self, what, cond):
        async def loop():
            while True:
                found = cond()
                if found:
                    return found
                self.event.clear()
                await self.event.wait()

        try:
            return await asyncio.wait_for(loop(), TIMEOUT)
        except asyncio.TimeoutError:
            fail(f"timed out waiting for {what}; messages: {self.messages}")

    async def diagnostics(self, uri, version):
        def latest():
            for v, d in self.published.get(uri, []):
                if v == version:
                    return (d,)
            return None

        return (await self.wait_for(f"diagnostics of {uri} version {version}", latest))[0]


def doc_id(uri, version):
    return t.VersionedTextDocumentIdentifier(uri=uri, version=version)


def full_change(uri, version, text):
    return t.DidChangeTextDocumentParams(
        text_document=doc_id(uri, version),
        content_changes=[t.TextDocumentContentChangeWholeDocument(text=text)],
    )


async def main():
    root = Path(tempfile.mkdtemp(prefix="dockerfix-lsp-"))
    proj = root / "proj"
    proj.mkdir()
    (proj / "dockerfix.toml").write_text('[format]\nindent-width = 2\n')
    path = proj / "Dockerfile"
    uri = path.as_uri()
    text = (
        'FROM debian:bookworm-slim\r\n'
        'LABEL description="café 𝄞"\r\n'
        'RUN echo "é𝄞" && apt-get update && apt-get install curl\r\n'
        'CMD   ["curl",  "--version"]\r\n'
    )
    path.write_bytes(text.encode())

    client = LanguageClient("dockerfix-lsp-test", "1")
    s = Session(client)
    env = dict(os.environ, DOCKERFIX_TEST_PANIC="1")
    env.pop("RUST_BACKTRACE", None)
    await client.start_io(BIN, "server", env=env, cwd=str(root))
    offered = [t.PositionEncodingKind.Utf16]
    if ENCODING == "utf-8":
        offered = [t.PositionEncodingKind.Utf8, t.PositionEncodingKind.Utf16]
    caps = t.ClientCapabilities(
        general=t.GeneralClientCapabilities(position_encodings=offered),
        workspace=t.WorkspaceClientCapabilities(
            did_change_watched_files=t.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True),
            workspace_edit=t.WorkspaceEditClientCapabilities(
                document_changes=True, resource_operations=[t.ResourceOperationKind.Create]
            ) if VERSIONED else None,
        ),
    )
    init = await client.initialize_async(
        t.InitializeParams(capabilities=caps, root_uri=root.as_uri(), process_id=os.getpid())
    )
    check(init.capabilities.position_encoding == ENCODING, f"negotiated {init.capabilities.position_encoding}")
    check(init.server_info.name == "dockerfix", "server name")
    client.initialized(t.InitializedParams())

    # 1. Open: the CLI's findings, at the positions the CLI's offsets give.
    client.text_document_did_open(
        t.DidOpenTextDocumentParams(
            text_document=t.TextDocumentItem(uri=uri, language_id="dockerfile", version=1, text=text)
        )
    )
    diags = await s.diagnostics(uri, 1)
    expected = cli_findings(text, path, proj)
    check(lsp_findings(diags) == expected, f"diagnostics {lsp_findings(diags)} != CLI {expected}")
    codes = {d.code for d in diags}
    check({"DF202", "DF203", "DF204"} <= codes, f"codes {codes}")
    df204 = next(d for d in diags if d.code == "DF204")
    check(df204.severity == t.DiagnosticSeverity.Warning, f"severity {df204.severity}")
    check(df204.source == "dockerfix", "source")
    check("(package-manager-prompt)" in df204.message, f"rule name in {df204.message!r}")
    href = df204.code_description.href
    check(href.endswith("docs/rules.md#df204"), f"link {href}")
    check(df204.range.start.line == 2, "line")
    line = text.split("\r\n")[2]
    check(df204.range.start.character == units(line[: line.index("apt-get install")]), "column after non-ASCII text")
    check(await_watch(s), "the server registered file watchers")

    # 2. Typing: incremental changes in quick succession; only the last text is analysed.
    at = line.index("apt-get install") + len("apt-get install")
    pos = t.Position(line=2, character=units(line[:at]))
    for version, piece in ((2, " "), (3, "-"), (4, "y")):
        client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                text_document=doc_id(uri, version),
                content_changes=[t.TextDocumentContentChangePartial(range=t.Range(start=pos, end=pos), text=piece)],
            )
        )
        pos = t.Position(line=2, character=pos.character + 1)
    text = text.replace("apt-get install curl", "apt-get install -y curl")
    diags = await s.diagnostics(uri, 4)
    versions = [v for v, _ in s.published[uri]]
    check(versions == [1, 4], f"published versions {versions}: the debounce let a stale text through")
    check(lsp_findings(diags) == cli_findings(text, path, proj), "diagnostics after the edit")
    check("DF204" not in {d.code for d in diags}, "DF204 gone after typing -y")

    # 3. Code actions on the apt line: a preferred safe fix, a labelled unsafe fix, ignore comments.
    rng = t.Range(start=t.Position(line=2, character=0), end=t.Position(line=2, character=5))
    actions = await client.text_document_code_action_async(
        t.CodeActionParams(text_document=t.TextDocumentIdentifier(uri=uri), range=diags[0].range,
                           context=t.CodeActionContext(diagnostics=diags))
    )
    titles = [a.title for a in actions]
    safe = [a for a in actions if a.title.startswith("dockerfix (DF202)")]
    unsafe = [a for a in actions if a.title.startswith("dockerfix (DF203)")]
    check(safe and safe[0].is_preferred and safe[0].kind == "quickfix", f"safe fix in {titles}")
    check(unsafe and unsafe[0].title.endswith("(unsafe)") and not unsafe[0].is_preferred, f"unsafe fix in {titles}")
    check("dockerfix: ignore DF203 for this line" in titles, f"ignore action in {titles}")
    check(any(a.kind == "source.fixAll.dockerfix" for a in actions), f"fix all in {titles}")
    fixed = apply(text, edits_of(safe[0].edit, uri, 4)[0])
    check("DF202" not in {c for c, _, _ in cli_findings(fixed, path, proj)}, f"the quick fix fixes: {fixed!r}")
    ignore = next(a for a in actions if a.title == "dockerfix: ignore DF203 for this line")
    ignored = apply(text, edits_of(ignore.edit, uri, 4)[0])
    check("\r\n# dockerfix: ignore=DF203\r\nRUN" in ignored, f"ignore comment: {ignored!r}")
    client.text_document_did_change(full_change(uri, 5, ignored))
    diags = await s.diagnostics(uri, 5)
    check("DF203" not in {d.code for d in diags}, "the ignore comment suppresses DF203")
    text = ignored
    # An action asked for only `source.fixAll`: the CLI's `check --fix` result.
    actions = await client.text_document_code_action_async(
        t.CodeActionParams(text_document=t.TextDocumentIdentifier(uri=uri), range=rng,
                           context=t.CodeActionContext(diagnostics=[], only=[t.CodeActionKind.SourceFixAll]))
    )
    check([a.kind for a in actions] == ["source.fixAll.dockerfix"], f"only fixAll: {[a.title for a in actions]}")
    out, err, _ = cli("check", "--fix", "--context", str(proj), "--stdin-filename", str(path), "-", stdin=text)
    check(apply(text, edits_of(actions[0].edit, uri, 5)[0]) == out, f"fix all != CLI: {out!r} {err}")

    # A fix that creates a file (DF102's `.dockerignore`): offered with the file's content as
    # `check --fix` writes it, to a client that can create files; not offered to one that cannot.
    node = root / "node"
    (node / "node_modules" / "x").mkdir(parents=True)
    (node / "package.json").write_text("{}")
    (node / "package-lock.json").write_text("{}")
    node_text = 'FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "index.js"]\n'
    (node / "Dockerfile").write_text(node_text)
    node_uri = (node / "Dockerfile").as_uri()
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        text_document=t.TextDocumentItem(uri=node_uri, language_id="dockerfile", version=1, text=node_text)))
    node_diags = await s.diagnostics(node_uri, 1)
    df102 = [d for d in node_diags if d.code == "DF102"]
    check(len(df102) == 1, f"DF102 in {lsp_findings(node_diags)}")
    actions = await client.text_document_code_action_async(
        t.CodeActionParams(text_document=t.TextDocumentIdentifier(uri=node_uri), range=df102[0].range,
                           context=t.CodeActionContext(diagnostics=df102, only=[t.CodeActionKind.QuickFix]))
    )
    creating = [a for a in actions if a.title.startswith("dockerfix (DF102)")]
    shutil.copytree(node, root / "node-cli")
    cli("check", "--fix", "--unsafe-fixes", "--select", "DF102", str(root / "node-cli"))
    if VERSIONED:
        check(len(creating) == 1 and creating[0].title.endswith("(unsafe)"), f"DF102 fix in {[a.title for a in actions]}")
        _, created = edits_of(creating[0].edit, node_uri, 1)
        ignore_uri = (node / ".dockerignore").as_uri()
        check(list(created) == [ignore_uri], f"created {list(created)}")
        check(created[ignore_uri] == (root / "node-cli" / ".dockerignore").read_text(), "the .dockerignore as the CLI writes it")
    else:
        check(creating == [], "a fix that creates a file offered to a client that cannot create files")
    check(any(a.title == "dockerfix: ignore DF102 for this line" for a in actions), "ignore DF102")
    client.text_document_did_close(t.DidCloseTextDocumentParams(text_document=t.TextDocumentIdentifier(uri=node_uri)))

    # 4. Formatting with the config's settings (indent-width 2; the client's tab size is not used).
    messy = 'FROM debian:bookworm-slim\r\nrun  echo "é𝄞"   &&\\\r\n      echo b\r\ncmd   ["curl",  "--version"]\r\n'
    client.text_document_did_change(full_change(uri, 6, messy))
    fmt_opts = t.FormattingOptions(tab_size=8, insert_spaces=True)
    edits = await client.text_document_formatting_async(
        t.DocumentFormattingParams(text_document=t.TextDocumentIdentifier(uri=uri), options=fmt_opts)
    )
    out, err, code = cli("format", "--stdin-filename", str(path), "-", stdin=messy)
    check(code == 0 and "\n  echo b" in out, f"CLI format: {out!r} {err}")
    check(apply(messy, edits) == out, f"formatting {apply(messy, edits)!r} != CLI {out!r}")
    # Range formatting: the CMD line only.
    edits = await client.text_document_range_formatting_async(
        t.DocumentRangeFormattingParams(
            text_document=t.TextDocumentIdentifier(uri=uri),
            range=t.Range(start=t.Position(line=3, character=0), end=t.Position(line=3, character=3)),
            options=fmt_opts,
        )
    )
    ranged = apply(messy, edits)
    check(ranged == messy.replace('cmd   ["curl",  "--version"]', 'CMD ["curl", "--version"]'), f"range formatting: {ranged!r}")

    # 5. Hover on a code in a suppression comment: `dockerfix rule`'s text.
    hover_text = 'FROM debian:bookworm-slim\r\n# é hadolint ignore=DL3008,DF204\r\nRUN apt-get install curl\r\n'
    hover_text = hover_text.replace("# é hadolint", "# hadolint")
    client.text_document_did_change(full_change(uri, 7, hover_text))
    comment = hover_text.split("\r\n")[1]
    h = await client.text_document_hover_async(
        t.HoverParams(text_document=t.TextDocumentIdentifier(uri=uri),
                      position=t.Position(line=1, character=units(comment[: comment.index("DF204") + 2])))
    )
    out, _, _ = cli("rule", "DF204")
    check(h is not None and h.contents.value == out, f"hover {h!r}")
    check(h.range.start.character == units(comment[: comment.index("DF204")]), "hover range")

    # 6. The config is read again when it changes.
    client.text_document_did_change(full_change(uri, 8, text))
    diags = await s.diagnostics(uri, 8)
    check("DF202" in {d.code for d in diags}, "DF202 before the config change")
    (proj / "dockerfix.toml").write_text('ignore = ["DF202"]\n[format]\nindent-width = 2\n')
    before = len(s.published[uri])
    client.workspace_did_change_watched_files(
        t.DidChangeWatchedFilesParams(changes=[t.FileEvent(uri=(proj / "dockerfix.toml").as_uri(), type=t.FileChangeType.Changed)])
    )
    await s.wait_for("diagnostics after the config change", lambda: len(s.published[uri]) > before)
    diags = s.published[uri][-1][1]
    check("DF202" not in {d.code for d in diags}, "the changed config is used")
    check(lsp_findings(diags) == cli_findings(text, path, proj), "same as the CLI with the new config")

    # 7. A bad config and a parse error are diagnostics at their place.
    sub = proj / "sub"
    sub.mkdir()
    (sub / "dockerfix.toml").write_text("select = [\"ALL\"]\nbogus-key = 1\n")
    bad_uri = (sub / "Dockerfile").as_uri()
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        text_document=t.TextDocumentItem(uri=bad_uri, language_id="dockerfile", version=1, text="FROM a\n")))
    d = await s.diagnostics(bad_uri, 1)
    check(len(d) == 1 and "bogus-key" in d[0].message and d[0].severity == t.DiagnosticSeverity.Error, f"config error {d}")
    parse_uri = (root / "Broken.Dockerfile").as_uri()
    broken = "FROM a\r\nRUN [\"é\", 1]\r\n"
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        text_document=t.TextDocumentItem(uri=parse_uri, language_id="dockerfile", version=1, text=broken)))
    d = await s.diagnostics(parse_uri, 1)
    check(len(d) == 1 and "strings only" in d[0].message and d[0].range.start.line == 1, f"parse error {d}")

    # 8. A panic in a rule is a message to the client; the server goes on.
    panic_uri = (root / "Panic.Dockerfile").as_uri()
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        text_document=t.TextDocumentItem(uri=panic_uri, language_id="dockerfile", version=1,
                                         text="FROM a\n# dockerfix-test-panic\n")))
    await s.wait_for("the panic's message", lambda: any("internal error in DF999" in m for m in s.messages))
    client.text_document_did_change(full_change(uri, 9, text))
    await s.diagnostics(uri, 9)

    # 9. Closing clears the diagnostics; shutdown and exit end the server cleanly.
    client.text_document_did_close(t.DidCloseTextDocumentParams(text_document=t.TextDocumentIdentifier(uri=uri)))
    await s.wait_for(f"cleared diagnostics {s.published[uri][-1]}", lambda: not s.published[uri][-1][1] and s.published[uri][-1][0] is None)
    await client.shutdown_async(None)
    client.exit(None)
    code = await asyncio.wait_for(client._server.wait(), TIMEOUT)
    check(code == 0, f"server exit code {code}")
    await client.stop()
    print(f"lsp session ({ENCODING}): all checks passed")


def await_watch(s):
    return any(r.method == "workspace/didChangeWatchedFiles" for r in s.registrations)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except AssertionError as e:
        print(f"lsp session ({ENCODING}): FAILED: {e}", file=sys.stderr)
        sys.exit(1)
