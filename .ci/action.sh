#!/usr/bin/env bash
# The GitHub Action of action.yml: install dockerfix, check the workspace with annotations,
# write the job summary, the step outputs and, if asked, a SARIF file.
#
# Reads what GitHub sets for a step (GITHUB_WORKSPACE, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
# GITHUB_ACTION_PATH, RUNNER_TEMP) and the inputs as INPUT_* (action.yml maps them).
# tests/integrations.rs runs it with a fake environment and INPUT_DOCKERFIX_PATH set to the
# binary under test, and with a recording `cargo` to check the install commands.
set -uo pipefail

say() { printf 'dockerfix action: %s\n' "$*" >&2; }
die() { say "$*"; exit 2; }

workspace=${GITHUB_WORKSPACE:-$PWD}
action_path=${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}
tmp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
paths=${INPUT_PATHS:-.}
args=${INPUT_ARGS:-}
version=${INPUT_VERSION:-}
bin=${INPUT_DOCKERFIX_PATH:-}
sarif=${INPUT_SARIF_FILE:-}
fail_on_findings=${INPUT_FAIL_ON_FINDINGS:-true}
summary=${INPUT_SUMMARY:-true}

# 1. A dockerfix binary: the one given, or installed with cargo (GitHub's runners have Rust):
#    a release from crates.io, or the revision of the action itself.
if [ -z "$bin" ]; then
  command -v cargo >/dev/null || die "cargo is needed to install dockerfix (or set dockerfix-path)"
  root="$tmp/dockerfix-install"
  if [ -n "$version" ]; then
    say "installing dockerfix $version from crates.io"
    cargo install --locked --root "$root" dockerfix --version "$version" >&2 \
      || die "cargo install dockerfix --version $version failed"
  else
    say "building dockerfix from $action_path"
    cargo install --locked --root "$root" --path "$action_path" >&2 \
      || die "cargo install --path $action_path failed"
  fi
  bin="$root/bin/dockerfix"
fi
[ -x "$bin" ] || die "no dockerfix binary at $bin"
"$bin" --version >&2 || die "$bin does not run"

cd "$workspace" || die "no workspace at $workspace"
# Paths and arguments as words (spaces or new lines between them), no globbing.
set -f
# shellcheck disable=SC2206
path_words=($paths)
# shellcheck disable=SC2206
arg_words=($args)
set +f

# 2. Annotations: the github format on standard output (GitHub reads the workflow commands);
#    errors (files BuildKit rejects...) go to standard error with their path:line:col.
"$bin" check --output-format github "${arg_words[@]}" -- "${path_words[@]}"
code=$?

# 3. The same run as JSON for the summary and the outputs, and as SARIF if asked. `check` is
#    deterministic, so these agree with the annotations.
report="$(mktemp "$tmp/dockerfix-report.XXXXXX")"
"$bin" check --output-format json --exit-zero -o "$report" "${arg_words[@]}" -- "${path_words[@]}" 2>/dev/null
if [ -n "$sarif" ]; then
  "$bin" check --output-format sarif --exit-zero -o "$sarif" "${arg_words[@]}" -- "${path_words[@]}" 2>/dev/null \
    || say "could not write the SARIF file $sarif"
fi

python3 - "$report" "$code" "$summary" <<'PY'
import json, os, sys
from collections import defaultdict

report, code, want_summary = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "true"
try:
    findings = json.load(open(report, encoding="utf-8"))
except (OSError, ValueError):
    findings = []
rules = defaultdict(lambda: {"name": "", "url": None, "findings": 0, "files": set(), "safe": 0, "unsafe": 0})
files = set()
safe = unsafe = 0
for d in findings:
    r = rules[d["code"]]
    r["name"], r["url"] = d["name"], d.get("url")
    r["findings"] += 1
    r["files"].add(d["filename"])
    files.add(d["filename"])
    applicability = (d.get("fix") or {}).get("applicability")
    if applicability == "safe":
        r["safe"] += 1
        safe += 1
    elif applicability == "unsafe":
        r["unsafe"] += 1
        unsafe += 1

def put(var, text):
    path = os.environ.get(var)
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(text)

put("GITHUB_OUTPUT", f"findings={len(findings)}\nfiles={len(files)}\nfixable={safe}\nexit-code={code}\n")
if not want_summary:
    sys.exit(0)

def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")

lines = ["## dockerfix", ""]
if code == 2:
    lines += ["**Some files could not be checked** (see the step's log for `path:line:col: error`).", ""]
if not findings:
    lines += ["No findings." if code != 2 else "No findings in the files that could be checked.", ""]
else:
    lines += [
        f"**{len(findings)} finding(s)** in **{len(files)} file(s)**: {safe} with a safe fix "
        f"(`dockerfix check --fix`), {unsafe} more with an unsafe fix (`--fix --unsafe-fixes`).",
        "",
        "| rule | name | findings | files | safe fixes | unsafe fixes |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for code_, r in sorted(rules.items(), key=lambda kv: (-kv[1]["findings"], kv[0])):
        name = f"[{cell(r['name'])}]({r['url']})" if r["url"] else cell(r["name"])
        lines.append(f"| {code_} | {name} | {r['findings']} | {len(r['files'])} | {r['safe']} | {r['unsafe']} |")
    lines += ["", "<details><summary>Files</summary>", ""]
    per_file = defaultdict(int)
    for d in findings:
        per_file[d["filename"]] += 1
    for f in sorted(per_file):
        lines.append(f"- `{cell(f)}`: {per_file[f]}")
    lines += ["", "</details>", ""]
put("GITHUB_STEP_SUMMARY", "\n".join(lines) + "\n")
PY

if [ -n "$sarif" ] && [ -f "$sarif" ]; then
  echo "sarif-file=$sarif" >> "${GITHUB_OUTPUT:-/dev/null}"
fi
rm -f "$report"

# 4. The step fails on errors always, on findings unless fail-on-findings is "false".
if [ "$code" = 1 ] && [ "$fail_on_findings" = false ]; then
  exit 0
fi
exit "$code"
