#!/usr/bin/env bash
# Validation of `dockerfix analyze cache` against real rebuilds (issue 18; docs/cache-model.md).
#
# Two apps of tests/e2e/apps become git repositories with a scripted history each:
#   flask  its Dockerfile as `check --fix --unsafe-fixes` leaves it (the install above
#          `COPY . .`) and a .dockerignore; code changes, a manifest change, an ignored file,
#          and two Dockerfile edits (one below the install, one above it);
#   go     the Go service with a multi-stage Dockerfile (a build stage, then `COPY --from` into
#          a slim stage): code changes that change the program, a go.mod change, an ignored
#          file, and an edit of the final stage (the build stage re-runs, as `COPY . .` takes
#          the Dockerfile, but makes the same program: the `COPY --from` hits).
# Each commit, oldest first, is built with buildah `--layers` on the same store, as a CI builds
# one commit after another (the first with `--no-cache`: the model has the Dockerfile's
# creation as a cold build); buildah's log says which steps ran and which came from the cache
# ("Using cache"). Then `dockerfix analyze cache --history N` at the last commit predicts p_i,
# the share of builds that took step i from the cache, and each prediction must be within 0.1
# of what the builds measured (E2E_CACHE_TOLERANCE). The table of both is printed. The cold
# build's log (each line timestamped) is also given to `--timings`: the RUN steps' costs must
# come from it.
#
# Usage, from the repository root (after `cargo build --release`), as root:
#   bash tests/e2e/cache_model.sh [flask] [go]
# Environment: as apps.sh (E2E_CACHE, E2E_STORAGE_DRIVER, DOCKERFIX_BIN...).
# Exit codes: 0 within the tolerance, 1 a prediction is off or a build failed, 2 missing tools.
set -euo pipefail

source "$(dirname "$0")/lib.sh"

HISTORIES=("$@")
[ "${#HISTORIES[@]}" -gt 0 ] || HISTORIES=(flask go)

step "base image $BASE_IMAGE"
ensure_base
step_done

step "language base images"
ensure_lang_bases
step_done

# ---- the scripted histories: each writes $repo and commits ----------------------------------
history_flask() {
  tar -C tests/e2e/apps/flask --exclude=./e2e.conf -cf - . | tar -C "$repo" -xf -
  local rc=0
  "$BIN" check --fix --unsafe-fixes --isolated --output-format concise "$repo/Dockerfile" \
    >"$work/fix.log" 2>&1 || rc=$?
  [ "$rc" -le 1 ] || { cat "$work/fix.log"; echo "e2e: dockerfix check --fix failed"; exit 1; }
  printf '.git\n*.md\n' >"$repo/.dockerignore"
  echo "# inventory" >"$repo/README.md"
  g init -q
  commit "the app, its Dockerfile fixed"
  echo "# code change 1" >>"$repo/app.py" && commit "code"
  echo "# code change 2" >>"$repo/inventory.py" && commit "code"
  echo "# the manifest changes" >>"$repo/requirements.txt" && commit "manifest"
  echo "more notes" >>"$repo/README.md" && commit "ignored file"
  sed -i 's/^EXPOSE 5000$/EXPOSE 5000\/tcp/' "$repo/Dockerfile" && commit "Dockerfile: below the install"
  echo "# code change 3" >>"$repo/app.py" && commit "code"
  sed -i 's/^WORKDIR \/app$/WORKDIR \/srv\/app/' "$repo/Dockerfile" && commit "Dockerfile: above the install"
  echo "# code change 4" >>"$repo/inventory.py" && commit "code"
}

history_go() {
  tar -C tests/e2e/apps/go-service --exclude=./e2e.conf -cf - . | tar -C "$repo" -xf -
  cat >"$repo/Dockerfile" <<'DF'
FROM golang:1.19 AS build
WORKDIR /src
COPY go.mod ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/greeter .
FROM debian:bookworm-slim
COPY --from=build /out/greeter /usr/local/bin/greeter
EXPOSE 8080
CMD ["greeter", "-addr", ":8080"]
DF
  printf '.git\n*.md\n' >"$repo/.dockerignore"
  echo "# greeter" >"$repo/README.md"
  g init -q
  commit "the service, multi-stage"
  # Code changes that change the program (a comment alone would give the same binary, and
  # buildah keys `COPY --from` by content: docs/cache-model.md).
  sed -i 's/^const version = .*/const version = "1.0.1"/' "$repo/greeting.go" && commit "code"
  # The manifest: the module's path (the program embeds it, so the binary changes).
  sed -i 's#^module example.com/greeter$#module example.com/greeter/v2#' "$repo/go.mod"
  commit "manifest"
  echo "more notes" >>"$repo/README.md" && commit "ignored file"
  sed -i 's/^EXPOSE 8080$/EXPOSE 8080\/tcp/' "$repo/Dockerfile" && commit "Dockerfile: the final stage"
  sed -i 's/^const version = .*/const version = "1.0.2"/' "$repo/greeting.go" && commit "code"
}

g() { git -C "$repo" -c user.name=e2e -c user.email=e2e@example.invalid -c commit.gpgsign=false "$@"; }
commit() { g add -A && g commit -q -m "$1"; }

validate() {
  local name=$1 c i rc cold
  work=$CACHE/work/cache-model/$name
  repo=$work/repo
  rm -rf "$work"
  mkdir -p "$repo"
  local image=$IMAGE_PREFIX-cache-model-$name:latest
  IMAGES+=("$image")

  step "$name: scripted history"
  "history_$name"
  local commits
  mapfile -t commits < <(g rev-list --reverse HEAD)
  echo "    ${#commits[@]} commits"
  sed 's/^/    /' "$repo/Dockerfile"
  step_done

  i=0
  for c in "${commits[@]}"; do
    i=$((i + 1))
    step "$name: build commit $i/${#commits[@]} ($(g log -1 --format=%s "$c"))"
    g checkout -q "$c"
    # Each line of the log gets a timestamp, for `--timings` below.
    cold=()
    [ "$i" = 1 ] && cold=(--no-cache)
    rc=0
    timeout "${E2E_BUILD_TIMEOUT:-600}" "${BH[@]}" bud --isolation chroot --pull=never --layers \
      "${cold[@]}" --format docker -f "$repo/Dockerfile" -t "$image" "$repo" 2>&1 \
      | while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done \
      >"$work/build-$i.log" || rc=$?
    [ "$rc" = 0 ] || { tail -n 30 "$work/build-$i.log"; echo "e2e: $name: the build of commit $i failed"; exit 1; }
    { grep -E '^[0-9.]+ (\[[0-9]+/[0-9]+\] )?(STEP [0-9]+/|.*Using cache)' "$work/build-$i.log" \
      || true; } | cut -d' ' -f2- | cut -c1-100 | sed 's/^/    /'
    step_done
  done
  g checkout -q "${commits[-1]}"

  step "$name: prediction"
  (cd "$repo" && "$BIN" analyze cache --isolated --history "${#commits[@]}" --output-format json \
    Dockerfile) >"$work/analysis.json"
  (cd "$repo" && "$BIN" analyze cache --isolated --history "${#commits[@]}" Dockerfile) \
    | sed 's/^/    /'
  python3 - "$work" "${#commits[@]}" "${E2E_CACHE_TOLERANCE:-0.1}" <<'PY'
import json, re, sys
work, n, tolerance = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
# Per (stage, step): in how many builds it ran (not "Using cache"). buildah numbers the steps
# of each stage from 1; step 1 is the stage's FROM.
ran = {}
for i in range(1, n + 1):
    stage, step = -1, None
    steps, cached = set(), set()
    for line in open(f"{work}/build-{i}.log", errors="replace"):
        line = line.split(" ", 1)[-1]  # the timestamp
        m = re.match(r"(?:\[\d+/\d+\] )?STEP (\d+)/(\d+): ", line)
        if m:
            step = int(m.group(1))
            if step == 1:
                stage += 1
            steps.add((stage, step))
        elif "Using cache" in line and step is not None:
            cached.add((stage, step))
    for key in steps - cached:
        if key[1] != 1:
            ran[key] = ran.get(key, 0) + 1
report = json.load(open(f"{work}/analysis.json"))[0]
worst = 0.0
position = {}
print(f"    {'stage':>5} {'step':>4}  {'instruction':<46} {'predicted':>9} {'measured':>9} {'error':>6}")
for layer in report["layers"]:
    stage = layer["stage"]
    position[stage] = position.get(stage, 0) + 1
    number = position[stage]
    if number == 1 or not layer["built"]:
        continue
    measured = 1 - ran.get((stage, number), 0) / n
    error = abs(layer["p_hit"] - measured)
    worst = max(worst, error)
    print(f"    {stage:>5} {number:>4}  {layer['instruction'][:46]:<46} {layer['p_hit']:>9.3f} {measured:>9.3f} {error:>6.3f}")
print(f"    largest error {worst:.3f} over {n} builds (tolerance {tolerance})")
sys.exit(0 if worst <= tolerance else 1)
PY
  # The costs of the cold build's steps, read from its log (buildah's, with timestamps).
  (cd "$repo" && "$BIN" analyze cache --isolated --history "${#commits[@]}" --output-format json \
    --timings "$work/build-1.log" Dockerfile) >"$work/timed.json"
  python3 - "$work/timed.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))[0]
assert report["cost_source"] == "timings", report["cost_source"]
measured = [l for l in report["layers"] if l["instruction"].startswith("RUN") and l["cost_measured"]]
assert measured, "no RUN step's cost came from the cold build's log"
for l in measured:
    print(f"    from the log of the cold build: `{l['instruction']}` took {l['cost']} s")
PY
  step_done
}

for h in "${HISTORIES[@]}"; do
  validate "$h"
done
printf '%s\n' "${TIMINGS[@]}"
