#!/usr/bin/env bash
# Validation of `dockerfix analyze cache` against real rebuilds (issue 18; docs/cache-model.md).
#
# The Flask app of tests/e2e/apps, with its Dockerfile as `check --fix --unsafe-fixes` leaves
# it and a .dockerignore, becomes a git repository with a scripted history: code changes, a
# manifest change, an ignored file, and two Dockerfile edits (one below the install, one above
# it). Each commit, oldest first, is built with buildah `--layers` on the same store, as a CI
# builds one commit after another; buildah's log says which steps ran and which came from the
# cache ("Using cache"). Then `dockerfix analyze cache --history N` at the last commit predicts
# p_i, the share of builds that took step i from the cache, and each prediction must be within
# 0.1 of what the builds measured (E2E_CACHE_TOLERANCE). The table of both is printed.
#
# Usage, from the repository root (after `cargo build --release`), as root:
#   bash tests/e2e/cache_model.sh
# Environment: as apps.sh (E2E_CACHE, E2E_STORAGE_DRIVER, DOCKERFIX_BIN...).
# Exit codes: 0 within the tolerance, 1 a prediction is off or a build failed, 2 missing tools.
set -euo pipefail

source "$(dirname "$0")/lib.sh"

step "base image $BASE_IMAGE"
ensure_base
step_done

step "language base images"
ensure_lang_bases
step_done

work=$CACHE/work/cache-model
repo=$work/repo
rm -rf "$work"
mkdir -p "$repo"
tar -C tests/e2e/apps/flask --exclude=./e2e.conf -cf - . | tar -C "$repo" -xf -
image=$IMAGE_PREFIX-cache-model:latest
IMAGES+=("$image")

g() { git -C "$repo" -c user.name=e2e -c user.email=e2e@example.invalid -c commit.gpgsign=false "$@"; }
commit() { g add -A && g commit -q -m "$1"; }

step "scripted history"
rc=0
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
mapfile -t commits < <(g rev-list --reverse HEAD)
echo "    ${#commits[@]} commits"
cat "$repo/Dockerfile" | sed 's/^/    /'
step_done

i=0
for c in "${commits[@]}"; do
  i=$((i + 1))
  step "build commit $i/${#commits[@]} ($(g log -1 --format=%s "$c"))"
  g checkout -q "$c"
  # The first build is cold, as the model has it (the Dockerfile is new): nothing from an
  # earlier run. Each line of the log gets a timestamp, for `--timings` below.
  cold=()
  [ "$i" = 1 ] && cold=(--no-cache)
  rc=0
  timeout "${E2E_BUILD_TIMEOUT:-600}" "${BH[@]}" bud --isolation chroot --pull=never --layers \
    "${cold[@]}" --format docker -f "$repo/Dockerfile" -t "$image" "$repo" 2>&1 \
    | while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done \
    >"$work/build-$i.log" || rc=$?
  [ "$rc" = 0 ] || { tail -n 30 "$work/build-$i.log"; echo "e2e: the build of commit $i failed"; exit 1; }
  grep -E '^[0-9.]+ (STEP [0-9]+/|.*Using cache)' "$work/build-$i.log" | sed 's/^/    /'
  step_done
done
g checkout -q "${commits[-1]}"

step "prediction"
(cd "$repo" && "$BIN" analyze cache --isolated --history "${#commits[@]}" --output-format json \
  Dockerfile) >"$work/analysis.json"
(cd "$repo" && "$BIN" analyze cache --isolated --history "${#commits[@]}" Dockerfile) | sed 's/^/    /'
python3 - "$work" "${#commits[@]}" "${E2E_CACHE_TOLERANCE:-0.1}" <<'PY'
import json, re, sys
work, n, tolerance = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
# Per step number: in how many builds it ran (not "Using cache"). FROM (step 1) is the base.
ran = {}
for i in range(1, n + 1):
    step = None
    cached = set()
    steps = set()
    for line in open(f"{work}/build-{i}.log", errors="replace"):
        line = line.split(" ", 1)[-1]  # the timestamp
        m = re.match(r"STEP (\d+)/(\d+): ", line)
        if m:
            step = int(m.group(1))
            steps.add(step)
        elif "Using cache" in line and step is not None:
            cached.add(step)
    for s in steps - cached - {1}:
        ran[s] = ran.get(s, 0) + 1
report = json.load(open(f"{work}/analysis.json"))[0]
layers = [l for l in report["layers"] if l["built"]]
worst = 0.0
print(f"    {'step':>4}  {'instruction':<46} {'predicted':>9} {'measured':>9} {'error':>6}")
for number, layer in enumerate(layers, start=1):
    if number == 1:
        continue
    measured = 1 - ran.get(number, 0) / n
    error = abs(layer["p_hit"] - measured)
    worst = max(worst, error)
    print(f"    {number:>4}  {layer['instruction'][:46]:<46} {layer['p_hit']:>9.3f} {measured:>9.3f} {error:>6.3f}")
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
runs = [l for l in report["layers"] if l["instruction"].startswith("RUN")]
# The WORKDIR changed after the first commit: its step and those after it have other texts in
# the first build's log; the apt RUN is the same.
apt = runs[0]
print(f"    from the log of the cold build: `{apt['instruction']}` took {apt['cost']} s")
assert apt["cost_measured"] and apt["cost"] > 0, apt
PY
step_done
printf '%s\n' "${TIMINGS[@]}"
