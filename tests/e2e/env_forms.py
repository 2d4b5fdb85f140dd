#!/usr/bin/env python3
"""The oracle of DF910's Safe fix (`ENV k v` -> `ENV k=v`, `LABEL k v` -> `LABEL k="v"`):
BuildKit's view of each instruction says where the ENV, LABEL and ARG instructions are; for
every corpus file the fix changes, the original's and the fixed file's ARG/ENV/LABEL
instructions (all stages in one, after `FROM scratch`, parser directives kept) are built with
buildah, and the images' environment and labels must be the same. Both sides are laid out
identically, so a difference can only come from the rewritten instructions.

    env_forms.py BIN BUILDAH_ARGS_JSON CORPUS WORKDIR
Prints one line per difference and a summary; exits 1 on any difference, 2 on a setup error.
"""
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

bin_, bh_json, corpus, work = sys.argv[1:5]
bh = json.loads(bh_json)
here = os.path.dirname(os.path.abspath(__file__))
view_tool = os.path.join(corpus, "..", "tools", "buildkit_view.py")

files = []
with open(os.path.join(corpus, "BUILDKIT-VERDICTS.tsv"), encoding="utf-8") as f:
    next(f)
    for line in f:
        cols = line.rstrip("\n").split("\t")
        if len(cols) > 1 and cols[1] == "OK":
            files.append(os.path.join(corpus, cols[0]))

# Files where buildah's own Dockerfile parser (an older BuildKit parser, vendored by Debian's
# buildah 1.28) reads the original differently from BuildKit, so that no fix can agree with
# both: a line ending in an escaped backslash (two backslashes) continues for buildah, not for
# BuildKit (docker/for-win#5254, the point of this BuildKit test file). dockerfix follows BuildKit.
ENGINE_DISAGREES = {
    "buildkit-testfiles/moby__buildkit/frontend/dockerfile/parser/testfiles/trailing-backslash/Dockerfile",
}

pairs = []  # (original path, fixed path)
for n, path in enumerate(files):
    try:
        text = open(path, encoding="utf-8").read()
    except (UnicodeDecodeError, OSError):
        continue
    if not re.search(r"(?im)^\s*(env|label)\s", text):
        continue
    if os.path.relpath(path, corpus) in ENGINE_DISAGREES:
        continue
    out = subprocess.run(
        [bin_, "check", "--isolated", "--select", "DF910", "--fix", "--stdin-filename", "Dockerfile", "-"],
        input=text.encode(), capture_output=True,
    )
    fixed = out.stdout.decode()
    if out.returncode not in (0, 1) or fixed == text or not fixed:
        continue
    d = os.path.join(work, str(n))
    os.makedirs(d, exist_ok=True)
    a, b = os.path.join(d, "original"), os.path.join(d, "fixed")
    open(a, "w", encoding="utf-8").write(text)
    open(b, "w", encoding="utf-8").write(fixed)
    pairs.append((path, a, b))

if len(pairs) < 100:
    print(f"env-forms: only {len(pairs)} files changed by DF910 (expected hundreds)")
    sys.exit(2)


def views(paths):
    out = subprocess.run([sys.executable, view_tool, *paths], capture_output=True, check=True)
    return [json.loads(l) for l in out.stdout.decode().splitlines()]


DIRECTIVE = re.compile(r"^\s*#\s*([a-zA-Z]+)\s*=")


def metadata_dockerfile(path, view):
    """Parser directives, `FROM scratch`, then every ARG/ENV/LABEL instruction's lines."""
    lines = open(path, encoding="utf-8").read().splitlines(keepends=True)
    head = []
    for l in lines:
        if DIRECTIVE.match(l):
            head.append(l)
        else:
            break
    body = ["FROM scratch\n"]
    for ins in view["instructions"]:
        if ins["cmd"] in ("ARG", "ENV", "LABEL"):
            chunk = "".join(lines[ins["start_line"] - 1 : ins["end_line"]])
            body.append(chunk if chunk.endswith("\n") else chunk + "\n")
    return "".join(head + body)


all_paths = [p for _, a, b in pairs for p in (a, b)]
vs = {}
for i in range(0, len(all_paths), 200):
    chunk = all_paths[i : i + 200]
    for p, v in zip(chunk, views(chunk)):
        vs[p] = v


def build(dockerfile_text, tag, d):
    df = os.path.join(d, tag + ".Dockerfile")
    open(df, "w", encoding="utf-8").write(dockerfile_text)
    name = f"localhost/dockerfix-e2e/env-forms:{os.path.basename(d)}-{tag}"
    r = subprocess.run(bh + ["bud", "--isolation", "chroot", "-q", "-t", name, "-f", df, d], capture_output=True)
    if r.returncode != 0:
        return ("build failed", r.stderr.decode()[-400:])
    r = subprocess.run(bh + ["inspect", name], capture_output=True)
    subprocess.run(bh + ["rmi", "-f", name], capture_output=True)
    cfg = json.loads(r.stdout)["OCIv1"]["config"]
    labels = {k: v for k, v in (cfg.get("Labels") or {}).items() if k != "io.buildah.version"}
    return (cfg.get("Env"), labels)


def compare(item):
    orig, a, b = item
    va, vb = vs[a], vs[b]
    if va["ok"] != vb["ok"]:
        return f"{orig}: BuildKit accepts the original: {va['ok']}, the fixed file: {vb['ok']}"
    d = os.path.dirname(a)
    ra = build(metadata_dockerfile(a, va), "original", d)
    rb = build(metadata_dockerfile(b, vb), "fixed", d)
    # A file that fails to build fails the same way before and after (its error names the same
    # instruction; Go pointers in buildah's message differ from run to run).
    norm = lambda r: (r[0], re.sub(r"0x[0-9a-f]+", "0x", r[1])) if r[0] == "build failed" else r
    if norm(ra) != norm(rb):
        return f"{orig}:\n  original: {ra}\n  fixed:    {rb}"
    return None


# One build at a time: parallel builds from `scratch` in one store share their empty layers,
# and removing one image while another commits broke the store ("layer not known").
with ThreadPoolExecutor(max_workers=1) as pool:
    results = list(pool.map(compare, pairs))
diffs = [r for r in results if r]
for r in diffs:
    print("DIFFERS " + r)
print(f"env-forms: {len(pairs)} corpus files changed by DF910, {len(pairs) - len(diffs)} build the same environment and labels, {len(diffs)} differ")
sys.exit(1 if diffs else 0)
