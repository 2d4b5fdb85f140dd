#!/usr/bin/env bash
# Real-project review set (issue 12): reproduce the runs behind docs/precision.md.
#
#   REVIEW_ROOT=/path/to/checkouts DOCKERFIX=target/release/dockerfix \
#       bash tests/precision/review.sh [owner/name ...]     # run (all projects, or only these)
#   bash tests/precision/review.sh --table                  # per-rule tables from judgments.tsv
#
# Inputs (beside this script):
#   projects.tsv    repo, commit, dockerfiles (comma list), context (comma list, one per
#                   Dockerfile, relative to the repository root), covers
#   judgments.tsv   repo, file, line, rule, kind (finding|safe-fix|unsafe-fix), verdict, reason
#                   (for the binary judged last, v1; judgments-v0.tsv keeps the v0 verdicts:
#                   JUDGMENTS=tests/precision/judgments-v0.tsv review.sh --table)
#
# Checkouts. REVIEW_ROOT holds one entry per project, named owner+name (the `/` of the repo
# becomes `+`). Any of these works:
#   - a plain clone:  git clone https://github.com/OWNER/NAME REVIEW_ROOT/OWNER+NAME
#                     (the script exports the listed commit from it; no need to check it out);
#   - a bare git dir: REVIEW_ROOT/OWNER+NAME itself, or REVIEW_ROOT/OWNER+NAME/repo (the layout
#                     of the mirror the review was made from: /work/.mirror/OWNER+NAME/repo,
#                     so REVIEW_ROOT=/work/.mirror works as is);
#   - a plain tree without .git, already at the listed commit (copied as is, not verified).
# From a git dir the script writes every file of COMMIT's tree (ls-tree, cat-file; not `git
# archive`, which drops `export-ignore` paths) into a scratch folder, with a `.git` folder
# (holding only `HEAD`) that marks the repository's root as a clone's does: the rules that
# look for the root, or for `.git` in the context, see what they see in a clone. Blobs absent from a
# partial snapshot are listed in OUT/projects/OWNER+NAME/missing.txt
# (in the reviewed snapshots only images, fonts and test data were missing).
#
# For every Dockerfile it runs, from the root of the scratch copy (so paths in the reports are
# relative to the repository root), with the project's own build context:
#   dockerfix check --output-format json --context CTX FILE          -> SLUG.check.json
#   dockerfix check --fix --diff --context CTX FILE                  -> SLUG.safe.diff
#   dockerfix check --fix --unsafe-fixes --diff --context CTX FILE   -> SLUG.unsafe.diff
# (--diff writes nothing; the scratch copy is removed afterwards unless KEEP_WORK=1.)
# SLUG is the Dockerfile path with `/` replaced by `__`. Then it writes:
#   OUT/findings.tsv   one row per finding and per offered fix, keyed like judgments.tsv
#   OUT/summary.tsv    findings, safe fixes and unsafe fixes per project and rule (+ ALL rows)
#   OUT/unjudged.tsv   rows of findings.tsv without a judgment (new findings of a new binary)
#   OUT/stale.tsv      judgments whose finding or fix is gone (fixed, or moved to another line)
# Defaults: OUT=target/precision. Plain bash, git, tar and python3 (standard library).
# Dockerfiles run one at a time (the review machine shares its cores with builds).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROJECTS=${PROJECTS:-$HERE/projects.tsv}
JUDGMENTS=${JUDGMENTS:-$HERE/judgments.tsv}
OUT=${OUT:-target/precision}

if [[ ${1:-} == --table ]]; then
    exec python3 - "$JUDGMENTS" "$PROJECTS" <<'PY'
import csv, sys, collections
judg, projects = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(judg, newline=""), delimiter="\t"))
stats = collections.defaultdict(collections.Counter)
for r in rows:
    s = stats[r["rule"]]
    if r["kind"] == "finding":
        s["findings"] += 1
        s[r["verdict"]] += 1
    else:
        k = "safe" if r["kind"] == "safe-fix" else "unsafe"
        s[k] += 1
        if r["verdict"] != "right":
            s[k + "_broken"] += 1
            s[k + "_" + r["verdict"]] += 1
def pct(a, b):
    return "-" if b == 0 else f"{100 * a / b:.0f}%"
def broken(s, k):
    if s[k] == 0:
        return "0"
    parts = [f"{s[k + '_' + v]} {v}" for v in ("breaks-build", "breaks-container", "not-mergeable") if s[k + "_" + v]]
    return f"{s[k + '_broken']}" + (f" ({', '.join(parts)})" if parts else "")
print("| rule | findings | right | noise | wrong | precision | not wrong | safe fixes | safe broken | unsafe fixes | unsafe broken |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|")
tot = collections.Counter()
for rule in sorted(stats):
    s = stats[rule]
    for k, v in s.items():
        tot[k] += v
    print(f"| {rule} | {s['findings']} | {s['right']} | {s['noise']} | {s['wrong']} | {pct(s['right'], s['findings'])} | {pct(s['right'] + s['noise'], s['findings'])} "
          f"| {s['safe']} | {broken(s, 'safe')} | {s['unsafe']} | {broken(s, 'unsafe')} |")
print(f"| all | {tot['findings']} | {tot['right']} | {tot['noise']} | {tot['wrong']} | {pct(tot['right'], tot['findings'])} | {pct(tot['right'] + tot['noise'], tot['findings'])} "
      f"| {tot['safe']} | {broken(tot, 'safe')} | {tot['unsafe']} | {broken(tot, 'unsafe')} |")
PY
fi

: "${REVIEW_ROOT:?set REVIEW_ROOT to the folder holding the checkouts (owner+name/)}"
: "${DOCKERFIX:?set DOCKERFIX to the dockerfix binary to judge}"
DOCKERFIX=$(cd "$(dirname "$DOCKERFIX")" && pwd)/$(basename "$DOCKERFIX")
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
mkdir -p "$OUT/projects" "$OUT/work"
"$DOCKERFIX" --version > "$OUT/dockerfix-version.txt" 2>&1 || true

# Export COMMIT of git dir $1 into $3, tolerating blobs absent from a partial snapshot. Every
# file of the commit's tree, read with ls-tree and cat-file: `git archive` would leave out the
# paths `.gitattributes` marks `export-ignore` (kanboard marks its Dockerfile and docker/ so,
# FreshRSS its .github/), which are part of the build context all the same.
export_commit() {
    local gitdir=$1 commit=$2 dest=$3 missing=$4
    rm -rf "$dest"; mkdir -p "$dest"
    python3 - "$gitdir" "$commit" "$dest" "$missing" <<'PY'
import os, subprocess, sys
gitdir, commit, dest, missing = sys.argv[1:5]
ls = subprocess.run(["git", "--git-dir", gitdir, "ls-tree", "-r", "-z", "--full-tree", commit],
                    check=True, capture_output=True).stdout
cat = subprocess.Popen(["git", "--git-dir", gitdir, "cat-file", "--batch"],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE)
lost = []
for rec in ls.split(b"\0"):
    if not rec:
        continue
    meta, path = rec.split(b"\t", 1)
    mode, kind, sha = meta.split()
    if kind != b"blob":
        continue                      # submodules: not part of the build context here
    cat.stdin.write(sha + b"\n"); cat.stdin.flush()
    header = cat.stdout.readline().split()
    if header[-1] == b"missing":
        lost.append(path.decode("utf-8", "replace"))
        continue
    data = cat.stdout.read(int(header[2])); cat.stdout.read(1)
    target = os.path.join(dest.encode(), path)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if mode == b"120000":
        os.symlink(data, target)
    else:
        with open(target, "wb") as f:
            f.write(data)
        if mode == b"100755":
            os.chmod(target, 0o755)
cat.stdin.close(); cat.wait()
with open(missing, "w") as f:
    f.write("".join(p + "\n" for p in lost))
if lost:
    print(f"  partial snapshot: {len(lost)} blob(s) missing, listed in {missing}", file=sys.stderr)
PY
}

# Find the git dir (or plain tree) for owner+name.
locate() {
    local src=$REVIEW_ROOT/$1
    if [[ -d $src/repo ]] && git --git-dir="$src/repo" rev-parse --git-dir >/dev/null 2>&1; then
        echo "git:$src/repo"
    elif [[ -d $src/.git || -f $src/.git ]]; then
        echo "git:$(git -C "$src" rev-parse --absolute-git-dir)"
    elif [[ -d $src ]] && [[ $(git --git-dir="$src" rev-parse --is-bare-repository 2>/dev/null) == true ]]; then
        echo "git:$src"
    elif [[ -d $src ]]; then
        echo "tree:$src"
    else
        echo "none:$src"
    fi
}

declare -A WANT=()
for r in "$@"; do WANT[$r]=1; done
failed=0

while IFS=$'\t' read -r -u 3 repo commit dockerfiles contexts covers; do
    [[ $repo == repo || -z $repo || $repo == \#* ]] && continue
    [[ $# -gt 0 && -z ${WANT[$repo]:-} ]] && continue
    key=${repo/\//+}
    proj=$OUT/projects/$key
    work=$OUT/work/$key
    rm -rf "$proj" "$work"
    mkdir -p "$proj" "$work"
    echo "== $repo @ ${commit:0:12}" >&2
    loc=$(locate "$key")
    case $loc in
        git:*)
            gitdir=${loc#git:}
            if ! git --git-dir="$gitdir" cat-file -e "$commit^{commit}" 2>/dev/null; then
                echo "  commit $commit not in $gitdir: fetch it (git fetch origin $commit)" >&2
                failed=1; continue
            fi
            export_commit "$gitdir" "$commit" "$work" "$proj/missing.txt"
            # A checkout has a `.git` folder: the rules that look for the repository's root
            # (build scripts and workflows there, `.git/info/exclude`) find it, as in a clone.
            mkdir -p "$work/.git" && printf 'ref: refs/heads/main\n' > "$work/.git/HEAD" ;;
        tree:*)
            cp -a "${loc#tree:}/." "$work/" ;;
        *)
            echo "  no checkout at ${loc#none:}: git clone https://github.com/$repo $REVIEW_ROOT/$key" >&2
            failed=1; continue ;;
    esac
    IFS=, read -r -a files <<< "$dockerfiles"
    IFS=, read -r -a ctxs <<< "$contexts"
    for i in "${!files[@]}"; do
        f=${files[$i]}
        ctx=${ctxs[$i]:-${ctxs[0]:-.}}
        slug=${f//\//__}
        if [[ ! -e $work/$f ]]; then
            echo "  missing Dockerfile $f" >&2; failed=1; continue
        fi
        (
            cd "$work"
            rc=0; "$DOCKERFIX" check --output-format json --context "$ctx" "$f" \
                > "$proj/$slug.check.json" 2> "$proj/$slug.check.err" || rc=$?
            echo "check $rc" > "$proj/$slug.rc"
            rc=0; "$DOCKERFIX" check --fix --diff --context "$ctx" "$f" \
                > "$proj/$slug.safe.diff" 2> "$proj/$slug.safe.err" || rc=$?
            echo "safe $rc" >> "$proj/$slug.rc"
            rc=0; "$DOCKERFIX" check --fix --unsafe-fixes --diff --context "$ctx" "$f" \
                > "$proj/$slug.unsafe.diff" 2> "$proj/$slug.unsafe.err" || rc=$?
            echo "unsafe $rc" >> "$proj/$slug.rc"
        )
        printf '%s\t%s\t%s\t%s\n' "$repo" "$f" "$ctx" "$slug" >> "$proj/files.tsv"
    done
    [[ ${KEEP_WORK:-0} == 1 ]] || rm -rf "$work"
done 3< "$PROJECTS"
[[ ${KEEP_WORK:-0} == 1 ]] || rmdir "$OUT/work" 2>/dev/null || true

python3 - "$OUT" "$JUDGMENTS" <<'PY'
import csv, glob, json, os, sys, collections
out, judg = sys.argv[1], sys.argv[2]
rows = []
for files in sorted(glob.glob(os.path.join(out, "projects", "*", "files.tsv"))):
    proj = os.path.dirname(files)
    for line in open(files):
        repo, f, ctx, slug = line.rstrip("\n").split("\t")
        try:
            diags = json.load(open(os.path.join(proj, slug + ".check.json")))
        except (OSError, ValueError):
            print(f"  no JSON report for {repo} {f} (see {slug}.check.err)", file=sys.stderr)
            continue
        for d in diags:
            line_no = (d.get("location") or {}).get("line", 0)
            msg = " ".join(d.get("message", "").split())
            rows.append((repo, f, str(line_no), d["code"], "finding", msg))
            fix = d.get("fix")
            if fix:
                kind = "safe-fix" if fix.get("applicability") == "safe" else "unsafe-fix"
                rows.append((repo, f, str(line_no), d["code"], kind, " ".join(fix.get("message", "").split())))
with open(os.path.join(out, "findings.tsv"), "w") as o:
    o.write("repo\tfile\tline\trule\tkind\tmessage\n")
    for r in rows:
        o.write("\t".join(r) + "\n")
count = collections.defaultdict(collections.Counter)
for repo, f, line, rule, kind, _ in rows:
    for k in ((repo, rule), (repo, "ALL"), ("ALL", rule), ("ALL", "ALL")):
        count[k][kind] += 1
with open(os.path.join(out, "summary.tsv"), "w") as o:
    o.write("repo\trule\tfindings\tsafe_fixes\tunsafe_fixes\n")
    for (repo, rule) in sorted(count, key=lambda k: (k[0] == "ALL", k[0], k[1] == "ALL", k[1])):
        c = count[(repo, rule)]
        o.write(f"{repo}\t{rule}\t{c['finding']}\t{c['safe-fix']}\t{c['unsafe-fix']}\n")
# Compare with the judgments: a judgment is keyed by repo, file, line, rule, kind; several
# findings of one rule on one line are matched by count.
have = collections.Counter(r[:5] for r in rows)
judged = collections.Counter()
stale = []
if os.path.exists(judg):
    for j in csv.DictReader(open(judg, newline=""), delimiter="\t"):
        k = (j["repo"], j["file"], j["line"], j["rule"], j["kind"])
        judged[k] += 1
        if judged[k] > have[k]:
            stale.append(k + (j["verdict"], j["reason"]))
with open(os.path.join(out, "unjudged.tsv"), "w") as o:
    o.write("repo\tfile\tline\trule\tkind\tmessage\n")
    seen = collections.Counter()
    for r in rows:
        seen[r[:5]] += 1
        if seen[r[:5]] > judged[r[:5]]:
            o.write("\t".join(r) + "\n")
with open(os.path.join(out, "stale.tsv"), "w") as o:
    o.write("repo\tfile\tline\trule\tkind\tverdict\treason\n")
    for s in stale:
        o.write("\t".join(s) + "\n")
n_unj = sum(1 for _ in open(os.path.join(out, "unjudged.tsv"))) - 1
print(f"{len(rows)} findings and fixes; {n_unj} unjudged, {len(stale)} stale judgments; "
      f"see {out}/summary.tsv", file=sys.stderr)
PY
exit $failed
