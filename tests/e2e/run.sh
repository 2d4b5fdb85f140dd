#!/usr/bin/env bash
# End-to-end proof that dockerfix's fixes keep images working (RULES.md, transform 1).
#
# For every case under tests/e2e/cases/<name>/ (a Dockerfile plus a `check` file holding a shell
# command), this builds three images with buildah: the Dockerfile as written, the output of
# `dockerfix check --fix` and the output of `dockerfix check --fix --unsafe-fixes`. Then it runs
# the check command in each, measures each image (unpacked in the store, and pushed: the sum of
# its compressed layer blobs in an OCI layout) and fails unless
#   - all three build and the check succeeds in all three,
#   - the safe fix is not larger than the original (pushed size),
#   - the unsafe fix is smaller than the original (pushed size),
# where sizes within E2E_SIZE_NOISE bytes (64 KiB) of each other count as equal.
#
# No Docker daemon and no registry is needed: buildah runs with `--isolation chroot` (as root,
# storage driver overlay where the kernel allows it, else vfs: lib.sh) and the base image
# `localhost/debian:bookworm-slim` is made with debootstrap (minbase) from deb.debian.org, made
# like the official image: its /etc/apt/apt.conf.d/docker-* files (among them the docker-clean
# hook), its deb822 sources (bookworm, -updates, -security), the slim variant's dpkg excludes, no
# apt lists or caches.
# The base image, and the buildah store it lives in, are cached under
# ${E2E_CACHE:-/tmp/dockerfix-e2e}; `rm -rf` that folder to start over.
#
# Usage, from the repository root (after `cargo build --release`):
#   bash tests/e2e/run.sh            # every case
#   bash tests/e2e/run.sh apt-seed   # only the named cases
# Environment: E2E_CACHE (cache folder), E2E_MIRROR and E2E_SECURITY_MIRROR (Debian mirrors,
# default http://deb.debian.org/debian and http://deb.debian.org/debian-security),
# DOCKERFIX_BIN (default target/release/dockerfix).
# Exit codes: 0 proven, 1 a build, check or size assertion failed, 2 missing tools or binary.
set -euo pipefail

source "$(dirname "$0")/lib.sh"

# ---- run ------------------------------------------------------------------------------------
step "base image $BASE_IMAGE"
ensure_base
step_done

step "base image size"
sizes=$(pushed_size "$BASE_IMAGE" "$CACHE/base-oci")
read -r BASE_PUSHED _ <<<"$sizes"
BASE_UNPACKED=$(unpacked_size "$BASE_IMAGE")
echo "    unpacked $BASE_UNPACKED, pushed $(mb "$BASE_PUSHED") MB"
step_done

if [ $# -gt 0 ]; then
  CASES=()
  for c in "$@"; do CASES+=("tests/e2e/cases/$c/"); done
else
  CASES=(tests/e2e/cases/*/)
fi

FAILURES=()
TABLE=()
for case_dir in "${CASES[@]}"; do
  name=$(basename "$case_dir")
  [ -f "$case_dir/Dockerfile" ] && [ -f "$case_dir/check" ] \
    || die "$case_dir needs a Dockerfile and a check file"
  check_cmd=$(cat "$case_dir/check")
  work=$CACHE/work/$name
  rm -rf "$work"
  mkdir -p "$work"

  step "$name: dockerfix"
  cp "$case_dir/Dockerfile" "$work/original.Dockerfile"
  for variant in fixed-safe fixed-unsafe; do
    flags=(--fix)
    [ "$variant" = fixed-unsafe ] && flags+=(--unsafe-fixes)
    rc=0
    "$BIN" check "${flags[@]}" --isolated - <"$case_dir/Dockerfile" \
      >"$work/$variant.Dockerfile" 2>"$work/$variant.log" || rc=$?
    # 1 only says that findings remain (those without a fix, or unsafe ones in safe mode).
    if [ "$rc" -gt 1 ]; then
      cat "$work/$variant.log" >&2
      FAILURES+=("$name/$variant: dockerfix check ${flags[*]} exited $rc")
    fi
  done
  for variant in "${VARIANTS[@]}"; do
    echo "---- $variant.Dockerfile"
    cat "$work/$variant.Dockerfile"
  done
  echo "----"
  if cmp -s "$work/original.Dockerfile" "$work/fixed-unsafe.Dockerfile"; then
    FAILURES+=("$name: dockerfix changed nothing, even with --unsafe-fixes")
  fi
  step_done

  declare -A PUSHED=()
  for variant in "${VARIANTS[@]}"; do
    image=$IMAGE_PREFIX/$name:$variant
    built=no checked=- unpacked=- pushed=0 layers=0

    step "$name: build $variant"
    IMAGES+=("$image")
    # --layers --no-cache: one layer per instruction, as `docker build` makes them (that is
    # what merging RUNs is about), and every RUN really runs. --pull=never: no registry.
    if bh bud --isolation chroot --pull=never --layers --no-cache \
      -f "$work/$variant.Dockerfile" -t "$image" "$case_dir"; then
      built=yes
    else
      FAILURES+=("$name/$variant: the build failed")
    fi
    step_done

    if [ "$built" = yes ]; then
      step "$name: check $variant"
      ctr=e2e-$name-$variant
      bh rm "$ctr" >/dev/null 2>&1 || true
      CONTAINERS+=("$ctr")
      if bh from --pull=never --name "$ctr" "$image" >/dev/null \
        && bh run "$ctr" -- sh -c "$check_cmd"; then
        checked=ok
      else
        checked=FAILED
        FAILURES+=("$name/$variant: the check \`$check_cmd\` failed")
      fi
      bh rm "$ctr" >/dev/null 2>&1 || true
      step_done

      step "$name: measure $variant"
      unpacked=$(unpacked_size "$image")
      sizes=$(pushed_size "$image" "$work/oci-$variant")
      read -r pushed layers <<<"$sizes"
      step_done
    fi
    PUSHED[$variant]=$pushed
    TABLE+=("$(printf '%-14s %-14s %-5s %-6s %6s %12s %12s %14s' "$name" "$variant" "$built" \
      "$checked" "$layers" "$unpacked" "$(mb "$pushed")" \
      "$(mb $((pushed > 0 ? pushed - BASE_PUSHED : 0)))")")
  done

  if [ "${PUSHED[original]}" -gt 0 ] && [ "${PUSHED[fixed-safe]}" -gt 0 ] \
    && [ "${PUSHED[fixed-safe]}" -gt $((PUSHED[original] + NOISE)) ]; then
    FAILURES+=("$name: the safe fix made the image larger (${PUSHED[fixed-safe]} > ${PUSHED[original]} + $NOISE bytes pushed)")
  fi
  if [ "${PUSHED[original]}" -gt 0 ] && [ "${PUSHED[fixed-unsafe]}" -gt 0 ] \
    && [ "${PUSHED[fixed-unsafe]}" -ge $((PUSHED[original] - NOISE)) ]; then
    FAILURES+=("$name: the unsafe fix did not make the image smaller (${PUSHED[fixed-unsafe]} >= ${PUSHED[original]} - $NOISE bytes pushed)")
  fi
done

TIMINGS+=("$(printf '%-44s %7ss' total "$(awk -v a="$RUN_T0" -v b="$EPOCHREALTIME" \
  'BEGIN { printf "%.1f", b - a }')")")

echo
echo "Sizes (MB = 10^6 bytes; pushed = compressed layer blobs; base $BASE_IMAGE:" \
  "unpacked $BASE_UNPACKED, pushed $(mb "$BASE_PUSHED") MB)"
printf '%-14s %-14s %-5s %-6s %6s %12s %12s %14s\n' case image built check layers \
  "unpacked" "pushed MB" "pushed-base MB"
printf '%s\n' "${TABLE[@]}"
echo
echo "Timings"
printf '%s\n' "${TIMINGS[@]}"
echo

if [ ${#FAILURES[@]} -gt 0 ]; then
  echo "e2e: FAILED"
  printf '  - %s\n' "${FAILURES[@]}"
  exit 1
fi
echo "e2e: passed (${#CASES[@]} case(s)): every image builds, its check passes, the fixes do not grow it"
