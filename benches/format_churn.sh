#!/usr/bin/env bash
# How much of real files each formatter rewrites ("churn"), on the corpus files BuildKit
# accepts (../shared/corpus/BUILDKIT-VERDICTS.tsv), each with its default settings.
#
#   benches/format_churn.sh [TOOL...]     # TOOL: dockerfix dprint dockerfmt (default: all)
#
# For each tool: the files are copied to $BENCH_DIR/churn-TOOL/in/N/Dockerfile and formatted
# in place under .../fmt/; a line counts as changed when `diff` reports it removed (a changed,
# re-indented, joined or dropped line). Prints changed lines / all lines and the files
# changed, as a Markdown table row. dockerfmt runs once per file (it stops a batch at the
# first file it cannot handle); files a tool fails on count as unchanged, and the row says
# how many. Peers come from ../shared/peers/install.sh ($PEERS).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${DOCKERFIX_SHARED:-$ROOT/../shared}
WORK=${BENCH_DIR:-${TMPDIR:-/tmp}/dockerfix-bench}
PEERS=${PEERS:-$HOME/.cache/dockerfix-peers}
NM=$PEERS/node/node_modules
BIN=${DOCKERFIX_BIN:-$ROOT/target/release/dockerfix}
export DPRINT_CACHE_DIR=${DPRINT_CACHE_DIR:-$PEERS/dprint-cache}
[ -f "$SHARED/corpus/BUILDKIT-VERDICTS.tsv" ] || { echo "no corpus at $SHARED/corpus" >&2; exit 2; }
[ $# -gt 0 ] || set -- dockerfix dprint dockerfmt
[ -x "$BIN" ] || (cd "$ROOT" && cargo build --release --quiet)

echo "| formatter | files | lines | changed lines | share | files changed | files it failed on |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for tool in "$@"; do
  out=$WORK/churn-$tool
  rm -rf "$out"; mkdir -p "$out/in"
  n=0
  while IFS= read -r f; do
    [ -f "$SHARED/corpus/$f" ] || continue
    n=$((n + 1)); mkdir -p "$out/in/$n"; cp "$SHARED/corpus/$f" "$out/in/$n/Dockerfile"
  done < <(awk -F'\t' 'NR > 1 && $2 == "OK" { print $1 }' "$SHARED/corpus/BUILDKIT-VERDICTS.tsv")
  chmod -R u+w "$out/in"; cp -r "$out/in" "$out/fmt"
  failed=0
  case $tool in
    dockerfix) "$BIN" format --isolated --fix-generated "$out/fmt" >/dev/null 2>"$out/stderr" ;;
    dprint) [ -x "$NM/@dprint/linux-x64-glibc/dprint" ] || { echo "| dprint | not installed |"; continue; }
            (cd "$out/fmt" && "$NM/@dprint/linux-x64-glibc/dprint" fmt --config "$PEERS/dprint.json" -L silent) ;;
    dockerfmt) [ -x "$NM/@reteps/dockerfmt-linux-x64/bin/dockerfmt" ] || { echo "| dockerfmt | not installed |"; continue; }
            for d in "$out"/fmt/*/; do
              "$NM/@reteps/dockerfmt-linux-x64/bin/dockerfmt" -w "$d/Dockerfile" >/dev/null 2>&1 || failed=$((failed + 1))
            done ;;
    *) echo "unknown tool $tool" >&2; exit 2 ;;
  esac
  [ "$tool" = dockerfix ] && failed=$(grep -c ': error:' "$out/stderr")
  total=0 changed=0 files=0
  for i in $(seq 1 "$n"); do
    l=$(wc -l <"$out/in/$i/Dockerfile"); total=$((total + l))
    c=$(diff "$out/in/$i/Dockerfile" "$out/fmt/$i/Dockerfile" | grep -c '^<')
    [ "$c" -gt 0 ] && files=$((files + 1))
    changed=$((changed + c))
  done
  share=$(awk -v c="$changed" -v t="$total" 'BEGIN { printf "%.1f%%", 100 * c / t }')
  echo "| $tool | $n | $total | $changed | $share | $files | $failed |"
done
