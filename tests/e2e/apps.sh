#!/usr/bin/env bash
# End-to-end proof on small real applications (issue 7; docs/e2e.md has the results).
#
# Every folder tests/e2e/apps/<app>/ is a build context: an application written for this suite,
# a naive Dockerfile with the usual anti-patterns (separate apt RUNs, `COPY . .` before the
# dependency install, shell-form CMD, root user, no cleanup) and an e2e.conf (PORT and PATHS of
# an HTTP app, or none for a command; CHANGE, the source file the cache test edits). For each
# app this builds three images with buildah (`--layers --no-cache --format docker`, one layer per
# instruction as `docker build` makes them): the Dockerfile as written, after
# `dockerfix check --fix` and after `dockerfix check --fix --unsafe-fixes` (run on a copy of the
# app, so that the fixes see the real build context), and fails unless, for both fixed images:
#   build   the image builds;
#   answer  the app answers as the original does: the image's ENTRYPOINT+CMD is started with
#           `buildah run` (as the image's USER, in its WORKDIR, with its ENV) and every PATH is
#           fetched from PORT (status, content type, body), or the command's output and exit
#           status are compared;
#   config  ENTRYPOINT/CMD run the same program with the same arguments (shell form `sh -c
#           "plain words"` counts as those words), ENV, WORKDIR, EXPOSE, VOLUME, LABEL,
#           STOPSIGNAL and HEALTHCHECK are the same; USER may change only with unsafe fixes, and
#           only from root (DF301);
#   tree    the file trees are the same (paths and types) except for removed apt lists and
#           caches, the pip and npm caches, and with unsafe fixes the files of packages the
#           fixed image no longer installs (imagetool.py lists them);
#   (an app's e2e.conf may set EXTEND_SELECT to rules that are off by default, passed to both
#   dockerfix runs as `--extend-select`: article-pip proves DF211's slim-base fix that way)
#   size    the safe fix is not larger, the unsafe fix is smaller unless the app's e2e.conf says
#           UNSAFE_SMALLER=no (then it is not larger), pushed (within E2E_SIZE_NOISE bytes) and
#           unpacked (within 1%: buildah rounds to 3 digits);
#   cache   after a code-only change (a comment appended to CHANGE), a `--layers` rebuild of the
#           unsafe-fixed Dockerfile takes the dependency install step from the cache; the
#           original's does not (it runs after `COPY . .`). DF101, which moves the install above
#           `COPY . .`, is an unsafe fix: the safe variant is not rebuilt (E2E_REBUILD).
#
# Usage, from the repository root (after `cargo build --release`), as root:
#   bash tests/e2e/apps.sh                 # every app
#   bash tests/e2e/apps.sh flask go-service
#   bash tests/e2e/apps.sh --table         # also rewrite the results table in docs/e2e.md
# Environment: as run.sh (E2E_CACHE, E2E_MIRROR, DOCKERFIX_BIN, E2E_SIZE_NOISE), and
# E2E_EXTRA_CA_DIR (CA certificates the language base images carry, default
# /usr/local/share/ca-certificates), E2E_STORAGE_DRIVER (overlay or vfs, default: overlay when
# the kernel allows it), E2E_REBUILD (the variants the cache test rebuilds), E2E_TALLY (a tally
# binary: its fixes are built and checked beside dockerfix's, as notes; `pip install
# tally-cli==0.45.0`), E2E_BUILD_TIMEOUT (seconds, default 600).
# Exit codes: 0 proven, 1 an assertion failed (each failure names the app, the variant, the step
# and ends with the log's tail), 2 missing tools or binary.
set -euo pipefail

source "$(dirname "$0")/lib.sh"

command -v curl >/dev/null 2>&1 || die "'curl' is not on PATH (Debian: apt-get install curl)"
TOOL=(python3 "$REPO/tests/e2e/imagetool.py")
WRITE_TABLE=no
APPS=()
for arg in "$@"; do
  case $arg in
    --table) WRITE_TABLE=yes ;;
    -*) die "unknown option $arg" ;;
    *) APPS+=("$arg") ;;
  esac
done
if [ ${#APPS[@]} -eq 0 ]; then
  for d in tests/e2e/apps/*/; do APPS+=("$(basename "$d")"); done
fi

# tally's fixer beside dockerfix's (optional): E2E_TALLY=path/to/tally adds the variants
# tally-safe (`tally lint --fix`) and tally-unsafe (`--fix --fix-unsafe`); what goes wrong with
# them is listed as notes, not failures.
TALLY=${E2E_TALLY:-}
if [ -n "$TALLY" ]; then
  [ -x "$TALLY" ] || die "E2E_TALLY=$TALLY is not an executable"
  VARIANTS+=(tally-safe tally-unsafe)
fi
# The variants the cache test rebuilds.
REBUILD=${E2E_REBUILD:-original fixed-unsafe${TALLY:+ tally-unsafe}}
# The dependency install steps whose layer the cache test follows.
DEPS_RE='(pip[0-9.]* install|npm (ci|install)|go mod download|yarn install)'

FAILURES=()
NOTES=()
# fail APP/VARIANT STEP MESSAGE [LOG]: a failure, with the tail of its log. For tally's variants
# it is only a note: the suite proves dockerfix, and shows tally beside it.
fail() {
  local what=$1 stepname=$2 msg=$3 log=${4:-}
  local text="$what: $stepname: $msg"
  if [[ $what == */tally-* ]]; then
    NOTES+=("$text")
    echo "NOTE $what: $stepname: $msg" >&2
    return
  fi
  if [ -n "$log" ] && [ -s "$log" ]; then
    text+=$'\n'"      --- last lines of $log"$'\n'"$(tail -n 25 "$log" | sed 's/^/      | /')"
  fi
  FAILURES+=("$text")
  echo "FAIL $what: $stepname: $msg" >&2
}

secs() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }'; }

# build CTX IMAGE LOG [BUD OPTIONS]: a build, stopped after E2E_BUILD_TIMEOUT seconds. Buildah
# 1.28 hangs on a RUN whose two `--mount=type=cache,...,sharing=locked` mounts an earlier RUN used
# too (the usual apt pair, /var/cache/apt and /var/lib/apt): seen with tally's apt fix.
build() {
  local ctx=$1 image=$2 log=$3 rc=0
  shift 3
  timeout "${E2E_BUILD_TIMEOUT:-600}" "${BH[@]}" bud --isolation chroot --pull=never --layers \
    --format docker "$@" -f "$ctx/Dockerfile" -t "$image" "$ctx" >"$log" 2>&1 || rc=$?
  [ "$rc" = 124 ] && echo "e2e: the build took more than ${E2E_BUILD_TIMEOUT:-600} s: stopped" >>"$log"
  return "$rc"
}

# answer IMAGE OUT LOG: list the image's file tree (OUT.tree.json) and config
# (OUT.inspect.json), then start its command and record how the app answers (OUT).
answer() {
  local image=$1 out=$2 log=$3 ctr pid argv=() path i
  ctr=$(bh from --pull=never "$image")
  CONTAINERS+=("$ctr")
  bh inspect --type image "$image" >"$out.inspect.json"
  "${TOOL[@]}" list "$(bh mount "$ctr")" "$out.tree.json"
  bh umount "$ctr" >/dev/null
  mapfile -d '' argv < <("${TOOL[@]}" argv "$out.inspect.json")
  : >"$out"
  if [ -n "${PORT:-}" ]; then
    if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
      echo "port $PORT is already in use on this machine" >"$log"
      return 1
    fi
    # chroot isolation shares the host's network: the server listens on the host's PORT.
    setsid "${BH[@]}" run "$ctr" -- "${argv[@]}" >"$log" 2>&1 &
    pid=$!
    for i in $(seq 1 120); do
      curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    for path in $PATHS; do
      printf 'GET %s -> ' "$path" >>"$out"
      curl -sS --max-time 10 -w '\n[%{http_code} %{content_type}]\n' \
        "http://127.0.0.1:$PORT$path" >>"$out" 2>&1 || echo "(no answer)" >>"$out"
    done
    kill -- -"$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    # Let the port go before the next image starts.
    for i in $(seq 1 40); do
      curl -s -o /dev/null "http://127.0.0.1:$PORT/" || break
      sleep 0.25
    done
  else
    local rc=0
    bh run "$ctr" -- "${argv[@]}" >"$out" 2>"$log" || rc=$?
    echo "[exit $rc]" >>"$out"
  fi
  bh rm "$ctr" >/dev/null 2>&1 || true
  grep -q '(no answer)\|\[000 ' "$out" && return 1
  return 0
}

# Appends a comment to the file the cache test changes (the code changes, not the manifests).
touch_code() {
  local file=$1
  case $file in
    *.py) echo "# changed by the e2e cache test" >>"$file" ;;
    *.js | *.go | *.css) echo "// changed by the e2e cache test" >>"$file" ;;
    *.html) echo "<!-- changed by the e2e cache test -->" >>"$file" ;;
    *) echo "changed by the e2e cache test" >>"$file" ;;
  esac
}

# unpacked_mb IMAGE: the size `buildah images` reports (its layers unpacked), in MB.
unpacked_mb() {
  bh images --format '{{.Size}}' "$1" | head -n 1 | awk '{
    v = $1; u = $2
    if (u == "") { u = v; sub(/[0-9.]+/, "", u); sub(/[a-zA-Z]+$/, "", v) }
    f = (u == "GB") ? 1000 : (u == "kB") ? 0.001 : (u == "B") ? 0.000001 : 1
    printf "%.4g\n", v * f }'
}

# base_pushed_size IMAGE: its pushed size, remembered per image ID in the cache.
base_pushed_size() {
  local id file
  id=$(bh images -q --no-trunc "$1" | head -n 1)
  file=$CACHE/bases/pushed-${id#sha256:}
  if [ ! -s "$file" ]; then
    rm -rf "$CACHE/base-oci"
    bh push --quiet "$1" "oci:$CACHE/base-oci:base" >/dev/null
    "${TOOL[@]}" pushed "$CACHE/base-oci" base | cut -d' ' -f1 >"$file"
    rm -rf "$CACHE/base-oci"
  fi
  cat "$file"
}

# ---- run ------------------------------------------------------------------------------------
step "base image $BASE_IMAGE"
ensure_base
step_done

step "language base images"
ensure_lang_bases
step_done

RESULTS=$CACHE/work/apps-results.tsv
mkdir -p "$CACHE/work"
: >"$RESULTS"
OCI=$CACHE/work/oci

for app in "${APPS[@]}"; do
  src=tests/e2e/apps/$app
  [ -f "$src/Dockerfile" ] && [ -f "$src/e2e.conf" ] || die "$src needs a Dockerfile and an e2e.conf"
  PORT='' PATHS='' CHANGE='' UNSAFE_SMALLER=yes EXTEND_SELECT=''
  # shellcheck disable=SC1090,SC1091
  source "$src/e2e.conf"
  work=$CACHE/work/apps/$app
  rm -rf "$work"
  mkdir -p "$work"

  step "$app: dockerfix"
  for variant in "${VARIANTS[@]}"; do
    mkdir -p "$work/$variant"
    # The build context, without the suite's own file.
    tar -C "$src" --exclude=./e2e.conf -cf - . | tar -C "$work/$variant" -xf -
    case $variant in
      original) continue ;;
      fixed-safe) fixer=("$BIN" check --fix --isolated --output-format concise
        ${EXTEND_SELECT:+--extend-select "$EXTEND_SELECT"} Dockerfile) ;;
      fixed-unsafe) fixer=("$BIN" check --fix --unsafe-fixes --isolated --output-format concise
        ${EXTEND_SELECT:+--extend-select "$EXTEND_SELECT"} Dockerfile) ;;
      tally-safe) fixer=("$TALLY" lint --fix --context . Dockerfile) ;;
      tally-unsafe) fixer=("$TALLY" lint --fix --fix-unsafe --context . Dockerfile) ;;
    esac
    rc=0
    (cd "$work/$variant" && "${fixer[@]}") >"$work/$variant.dockerfix.log" 2>&1 || rc=$?
    # 1 only says that findings remain (those without a fix, or unsafe ones in safe mode).
    [ "$rc" -le 1 ] || fail "$app/$variant" fix "${fixer[*]} exited $rc" \
      "$work/$variant.dockerfix.log"
    diff -ruN "$work/original" "$work/$variant" >"$work/$variant.diff" || true
    echo "---- $variant: ${fixer[*]}"
    cat "$work/$variant.diff"
  done
  if [ ! -s "$work/fixed-unsafe.diff" ]; then
    fail "$app" dockerfix "dockerfix changed nothing, even with --unsafe-fixes"
  fi
  step_done

  declare -A BUILT=() PUSHED=() UNPACKED=() ROW=()
  from_image=$(awk 'toupper($1) == "FROM" { print $2 }' "$src/Dockerfile" | tail -n 1)
  base_pushed=$(base_pushed_size "$from_image")
  for variant in "${VARIANTS[@]}"; do
    image=$IMAGE_PREFIX-$app:$variant
    IMAGES+=("$image")
    BUILT[$variant]=no
    PUSHED[$variant]=0
    UNPACKED[$variant]=0

    step "$app: build $variant"
    t0=$EPOCHREALTIME
    if build "$work/$variant" "$image" "$work/$variant.build.log" --no-cache; then
      BUILT[$variant]=yes
    else
      fail "$app/$variant" build "the build failed" "$work/$variant.build.log"
    fi
    build_s=$(secs "$t0")
    step_done
    ROW[$variant]="$build_s	-	-	-	-"
    [ "${BUILT[$variant]}" = yes ] || continue

    step "$app: answer $variant"
    if ! answer "$image" "$work/$variant.answer" "$work/$variant.run.log"; then
      fail "$app/$variant" answer "the app did not answer: $(head -c 300 "$work/$variant.answer")" \
        "$work/$variant.run.log"
    elif [ "$variant" != original ] && [ "${BUILT[original]}" = yes ] \
      && ! cmp -s "$work/original.answer" "$work/$variant.answer"; then
      diff "$work/original.answer" "$work/$variant.answer" >"$work/$variant.answer.diff" || true
      fail "$app/$variant" answer "the app answers differently" "$work/$variant.answer.diff"
    fi
    sed 's/^/    /' "$work/$variant.answer" | head -n 20
    step_done

    if [ "$variant" != original ] && [ "${BUILT[original]}" = yes ]; then
      step "$app: config and file tree $variant"
      user_flag=()
      [[ $variant == *-unsafe ]] && user_flag=(--user-may-change)
      if ! "${TOOL[@]}" config "$work/original.answer.inspect.json" \
        "$work/$variant.answer.inspect.json" "${user_flag[@]}" >"$work/$variant.config.log" 2>&1; then
        fail "$app/$variant" config "the image config changed" "$work/$variant.config.log"
      fi
      sed 's/^/    /' "$work/$variant.config.log"
      tree_flag=()
      [[ $variant == *-unsafe ]] && tree_flag=(--unsafe)
      if ! "${TOOL[@]}" tree "$work/original.answer.tree.json" "$work/$variant.answer.tree.json" \
        "${tree_flag[@]}" >"$work/$variant.tree.log" 2>&1; then
        fail "$app/$variant" tree "the file tree changed" "$work/$variant.tree.log"
      fi
      sed 's/^/    /' "$work/$variant.tree.log" | head -n 20
      step_done
    fi

    step "$app: measure $variant"
    unpacked=$(unpacked_mb "$image")
    UNPACKED[$variant]=$unpacked
    rm -rf "$OCI"
    bh push --quiet "$image" "oci:$OCI:$variant" >/dev/null
    read -r pushed layers <<<"$("${TOOL[@]}" pushed "$OCI" "$variant")"
    rm -rf "$OCI"
    PUSHED[$variant]=$pushed
    ROW[$variant]="$build_s	$layers	$unpacked	$(mb "$pushed")	$(mb $((pushed - base_pushed)))"
    echo "    unpacked $unpacked MB, pushed $(mb "$pushed") MB in $layers layers"
    step_done
  done

  # ---- sizes
  if [ "${PUSHED[original]}" -gt 0 ] && [ "${PUSHED[fixed-safe]}" -gt 0 ] \
    && [ "${PUSHED[fixed-safe]}" -gt $((PUSHED[original] + NOISE)) ]; then
    fail "$app/fixed-safe" size "the safe fix made the image larger (${PUSHED[fixed-safe]} > ${PUSHED[original]} + $NOISE bytes pushed)"
  fi
  if [ "${PUSHED[original]}" -gt 0 ] && [ "${PUSHED[fixed-unsafe]}" -gt 0 ]; then
    if [ "$UNSAFE_SMALLER" = yes ] \
      && [ "${PUSHED[fixed-unsafe]}" -ge $((PUSHED[original] - NOISE)) ]; then
      fail "$app/fixed-unsafe" size "the unsafe fix did not make the image smaller (${PUSHED[fixed-unsafe]} >= ${PUSHED[original]} - $NOISE bytes pushed)"
    elif [ "${PUSHED[fixed-unsafe]}" -gt $((PUSHED[original] + NOISE)) ]; then
      fail "$app/fixed-unsafe" size "the unsafe fix made the image larger (${PUSHED[fixed-unsafe]} > ${PUSHED[original]} + $NOISE bytes pushed)"
    fi
  fi

  # The unpacked sizes too, as buildah rounds them (3 digits): 1% counts as equal.
  if awk -v o="${UNPACKED[original]}" -v f="${UNPACKED[fixed-safe]}" \
    'BEGIN { exit !(o > 0 && f > 0 && f > o * 1.01) }'; then
    fail "$app/fixed-safe" size "the safe fix made the unpacked image larger (${UNPACKED[fixed-safe]} > ${UNPACKED[original]} MB)"
  fi
  if [ "$UNSAFE_SMALLER" = yes ] && awk -v o="${UNPACKED[original]}" \
    -v f="${UNPACKED[fixed-unsafe]}" 'BEGIN { exit !(o > 0 && f > 0 && f >= o * 0.99) }'; then
    fail "$app/fixed-unsafe" size "the unsafe fix did not make the unpacked image smaller (${UNPACKED[fixed-unsafe]} >= ${UNPACKED[original]} MB)"
  fi

  # ---- cache: a code-only change, then a --layers rebuild that may use the cache. DF101 (the
  # reordering that makes the dependency layer reusable) is an unsafe fix: the safe variant keeps
  # the original's order, and is rebuilt only with E2E_REBUILD="original fixed-safe fixed-unsafe".
  declare -A CACHED=()
  ORIGINAL_DEPS=''
  for variant in "${VARIANTS[@]}"; do
    CACHED[$variant]="-	-	-"
    [ "${BUILT[$variant]}" = yes ] || continue
    [[ " $REBUILD " == *" $variant "* ]] || continue
    step "$app: code-only rebuild $variant"
    IMAGES+=("$IMAGE_PREFIX-$app:$variant-rebuild")
    # First a build that may use the cache, as a developer's previous build: the --no-cache
    # builds above made several equivalent chains of intermediate images (the variants share
    # their first steps), and buildah's cache follows only one of them. Then the code change,
    # then the build that is measured.
    if ! build "$work/$variant" "$IMAGE_PREFIX-$app:$variant-rebuild" "$work/$variant.warm.log"; then
      fail "$app/$variant" cache "the build before the change failed" "$work/$variant.warm.log"
      step_done
      continue
    fi
    touch_code "$work/$variant/$CHANGE"
    t0=$EPOCHREALTIME
    if build "$work/$variant" "$IMAGE_PREFIX-$app:$variant-rebuild" \
      "$work/$variant.rebuild.log"; then
      read -r hits steps deps <<<"$("${TOOL[@]}" steps "$work/$variant.rebuild.log" "$DEPS_RE")"
      CACHED[$variant]="$hits/$steps	$deps	$(secs "$t0")"
      echo "    $hits of $steps steps from the cache; dependency install: $deps"
      [ "$variant" = original ] && ORIGINAL_DEPS=$deps
      if [ "$variant" = original ] && [ "$deps" = cached ]; then
        fail "$app/original" cache "the original reused its dependency layer after a code change: the app does not show what DF101 is for" "$work/$variant.rebuild.log"
      elif [ "$variant" = fixed-unsafe ] && [ "$deps" != cached ] \
        && [ "${ORIGINAL_DEPS:-rebuilt}" != none ]; then
        fail "$app/$variant" cache "the dependency install step ran again after a code-only change ($deps)" "$work/$variant.rebuild.log"
      fi
    else
      fail "$app/$variant" cache "the rebuild failed" "$work/$variant.rebuild.log"
    fi
    step_done
  done

  for variant in "${VARIANTS[@]}"; do
    printf '%s\t%s\t%s\t%s\n' "$app" "$variant" "${ROW[$variant]}" "${CACHED[$variant]}" >>"$RESULTS"
  done
  unset BUILT PUSHED UNPACKED ROW CACHED
done

TIMINGS+=("$(printf '%-44s %7ss' total "$(awk -v a="$RUN_T0" -v b="$EPOCHREALTIME" \
  'BEGIN { printf "%.1f", b - a }')")")

TABLE_MD=$("${TOOL[@]}" table "$RESULTS")
echo
echo "Results (MB = 10^6 bytes; unpacked: buildah images; pushed: the gzip layer blobs of"
echo "\`buildah push IMAGE oci:DIR\`; above base: minus the original FROM image's pushed size)"
echo "$TABLE_MD"
echo
echo "Timings"
printf '%s\n' "${TIMINGS[@]}"
echo

if [ "$WRITE_TABLE" = yes ]; then
  python3 - "$REPO/docs/e2e.md" "$TABLE_MD" "$(date -u +%Y-%m-%d)" <<'PY'
import re, sys
path, table, day = sys.argv[1:4]
doc = open(path, encoding="utf-8").read()
block = f"<!-- results:start (tests/e2e/apps.sh --table, {day}) -->\n{table}\n<!-- results:end -->"
doc, n = re.subn(r"<!-- results:start.*?<!-- results:end -->", lambda m: block, doc, flags=re.S)
if n != 1:
    sys.exit(f"{path}: no <!-- results:start --> ... <!-- results:end --> block")
open(path, "w", encoding="utf-8").write(doc)
PY
  echo "docs/e2e.md: results table rewritten"
fi

if [ ${#NOTES[@]} -gt 0 ]; then
  echo "Notes on tally's fixes"
  printf '  - %s\n' "${NOTES[@]}"
  echo
fi
if [ ${#FAILURES[@]} -gt 0 ]; then
  echo "e2e apps: FAILED"
  printf '  - %s\n' "${FAILURES[@]}"
  exit 1
fi
echo "e2e apps: passed (${#APPS[@]} app(s)): every image builds and answers the same, configs and file trees agree, the fixes do not grow the images, and the fixed Dockerfiles reuse the dependency layer"
