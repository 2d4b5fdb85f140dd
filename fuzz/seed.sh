#!/bin/sh
# Seeds fuzz/corpus/parse/ with the Dockerfiles listed in ../shared/corpus/MANIFEST.tsv
# (or $DOCKERFIX_SHARED/corpus), each under a unique name.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
corpus=${DOCKERFIX_SHARED:-$here/../../shared}/corpus
out=$here/corpus/parse
mkdir -p "$out"
n=0
tail -n +2 "$corpus/MANIFEST.tsv" | cut -f1 | while IFS= read -r path; do
    case $path in
        '' | */result | *.txt) continue ;;
    esac
    n=$((n + 1))
    cp "$corpus/$path" "$out/seed-$n-$(basename "$path")"
done
echo "seeded $(ls "$out" | wc -l) files into $out"
