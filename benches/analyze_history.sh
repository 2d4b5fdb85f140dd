#!/usr/bin/env bash
# How fast `dockerfix analyze cache` reads history (issue 18; docs/performance.md): a generated
# repository of 1,000 services (a Dockerfile, a manifest and source files each, Python, Node
# and Go alike) and 10,000 commits (1 to 3 files each, one in a hundred edits a Dockerfile),
# made with `git fast-import` under /tmp/dockerfix-bench/history (kept between runs), then
# timed: `git log` alone (the floor), and `analyze cache` over every Dockerfile, as text and
# with `--compare-fix`. Wall, CPU and peak RSS by /usr/bin/time; the median of 3 runs.
#
# Usage: cargo build --release && bash benches/analyze_history.sh [REPO_TO_ALSO_TIME]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${DOCKERFIX_BIN:-$PWD/target/release/dockerfix}
DIR=/tmp/dockerfix-bench/history
SERVICES=${SERVICES:-1000}
COMMITS=${COMMITS:-10000}

if [ ! -f "$DIR/.made-$SERVICES-$COMMITS" ]; then
  rm -rf "$DIR"
  mkdir -p "$DIR"
  git -C "$DIR" init -q
  python3 - "$SERVICES" "$COMMITS" <<'PY' | git -C "$DIR" fast-import --quiet
import random, sys
services, commits = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(18)
kinds = ["python", "node", "go"]
def dockerfile(kind, n):
    if kind == "python":
        return f"FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nENV REV={n}\nCMD [\"python\", \"app.py\"]\n"
    if kind == "node":
        return f"FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nENV REV={n}\nCMD [\"node\", \"server.js\"]\n"
    return f"FROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\nFROM debian:12-slim\nENV REV={n}\nCOPY --from=build /app /app\nCMD [\"/app\"]\n"
manifest = {"python": "requirements.txt", "node": "package-lock.json", "go": "go.sum"}
sources = {"python": ["app.py", "lib/util.py"], "node": ["server.js", "lib/util.js"], "go": ["main.go", "util/util.go"]}
def blob(text):
    data = text.encode()
    return b"data %d\n" % len(data) + data + b"\n"
out = sys.stdout.buffer
t = 1_700_000_000
def commit(i, files, msg):
    global t
    t += 60
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer Bench <bench@example.invalid> %d +0000\n" % t)
    out.write(blob(msg))
    for path, text in files:
        out.write(b"M 100644 inline " + path.encode() + b"\n" + blob(text))
kind_of = [kinds[s % 3] for s in range(services)]
files = []
for s in range(services):
    k = kind_of[s]
    d = f"svc-{s:04d}"
    files.append((f"{d}/Dockerfile", dockerfile(k, 0)))
    files.append((f"{d}/{manifest[k]}", "v0\n"))
    if k == "node":
        files.append((f"{d}/package.json", "{}\n"))
    if k == "go":
        files.append((f"{d}/go.mod", "module x\n"))
    for src in sources[k]:
        files.append((f"{d}/{src}", "0\n"))
commit(0, files, "services")
for i in range(1, commits):
    changed = []
    for _ in range(rng.randint(1, 3)):
        s = rng.randrange(services)
        k, d = kind_of[s], f"svc-{s:04d}"
        r = rng.random()
        if r < 0.01:
            changed.append((f"{d}/Dockerfile", dockerfile(k, i)))
        elif r < 0.11:
            changed.append((f"{d}/{manifest[k]}", f"v{i}\n"))
        else:
            changed.append((f"{d}/{rng.choice(sources[k])}", f"{i}\n"))
    commit(i, changed, f"change {i}")
PY
  git -C "$DIR" checkout -q main
  touch "$DIR/.made-$SERVICES-$COMMITS"
fi
echo "repository: $DIR, $(git -C "$DIR" rev-list --count HEAD) commits, $(git -C "$DIR" ls-files '*Dockerfile' | wc -l) Dockerfiles"
echo "machine: $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); git $(git --version | cut -d' ' -f3); dockerfix $(git rev-parse --short HEAD)"

timed() {
  local label=$1 runs=() i
  shift
  for i in 1 2 3; do
    /usr/bin/time -f '%e %U %S %M' -o /tmp/dockerfix-bench/time.txt "$@" >/dev/null 2>/tmp/dockerfix-bench/err.txt \
      || { cat /tmp/dockerfix-bench/err.txt; echo "failed: $*"; exit 1; }
    runs+=("$(cat /tmp/dockerfix-bench/time.txt)")
  done
  printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p \
    | awk -v l="$label" '{ printf "| %s | %.2f | %.2f | %.0f |\n", l, $1, $2 + $3, $4 / 1024 }'
}
echo "| command | wall s | CPU s | peak MB |"
echo "|---|---:|---:|---:|"
timed "git log --first-parent -m --name-only -z (the whole history)" \
  git -C "$DIR" log --first-parent -m --no-renames --name-only -z --format=%x01%H
timed "analyze cache, $SERVICES Dockerfiles, --history 100" "$BIN" analyze cache --isolated "$DIR"
timed "analyze cache, the same, --output-format json" "$BIN" analyze cache --isolated --output-format json "$DIR"
timed "analyze cache, the same, --compare-fix" "$BIN" analyze cache --isolated --compare-fix "$DIR"
timed "analyze cache, one Dockerfile" "$BIN" analyze cache --isolated "$DIR/svc-0001/Dockerfile"
if [ -n "${1:-}" ]; then
  timed "analyze cache, $1" "$BIN" analyze cache --isolated "$1"
fi
