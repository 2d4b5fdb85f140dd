#!/usr/bin/env bash
# The buildah oracle of DF910's Safe fix (`ENV k v` / `LABEL k v` to the `k=v` form) over the
# whole corpus: see env_forms.py. Needs root, buildah, python3 and BuildKit's parser (PyPI
# `dockerfile`, which .ci/run installs into target/ci-venv).
#   sudo DOCKERFIX_BIN=target/debug/dockerfix bash tests/e2e/env_forms.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SHARED=${DOCKERFIX_SHARED:-$REPO/../shared}
[ -f "$SHARED/corpus/BUILDKIT-VERDICTS.tsv" ] || die "no corpus at $SHARED/corpus"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
step "DF910's fix builds the same environment and labels (whole corpus)"
python3 "$REPO/tests/e2e/env_forms.py" "$BIN" "$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "${BH[@]}")" "$SHARED/corpus" "$work"
