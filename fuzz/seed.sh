#!/bin/sh
# Seeds the fuzz corpora from the Dockerfiles listed in ../shared/corpus/MANIFEST.tsv (or
# $DOCKERFIX_SHARED/corpus), each under a unique name:
#   corpus/parse/     the Dockerfiles, for the raw target `parse` (its input is the file);
#   corpus/pipeline/  the same files, for the grammar target `pipeline`, whose input is a
#                     stream of choices: any bytes are valid, and real files are varied
#                     streams to start from; plus a few short streams (empty, all zeros, all
#                     ones, counting bytes) that select the grammar's first alternatives.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
corpus=${DOCKERFIX_SHARED:-$here/../../shared}/corpus
parse=$here/corpus/parse
pipeline=$here/corpus/pipeline
mkdir -p "$parse" "$pipeline"
n=0
tail -n +2 "$corpus/MANIFEST.tsv" | cut -f1 | while IFS= read -r path; do
    case $path in
        '' | */result | *.txt) continue ;;
    esac
    n=$((n + 1))
    cp "$corpus/$path" "$parse/seed-$n-$(basename "$path")"
    cp "$corpus/$path" "$pipeline/seed-$n-$(basename "$path")"
done
: > "$pipeline/grammar-empty"
head -c 64 /dev/zero > "$pipeline/grammar-zeros"
head -c 256 /dev/zero | tr '\0' '\377' > "$pipeline/grammar-ones"
i=0
while [ $i -lt 4 ]; do
    head -c 512 /dev/urandom > "$pipeline/grammar-random-$i"
    i=$((i + 1))
done
echo "seeded $(ls "$parse" | wc -l) files into $parse and $(ls "$pipeline" | wc -l) into $pipeline"
