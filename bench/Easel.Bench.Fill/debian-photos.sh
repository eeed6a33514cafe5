#!/bin/sh
# Photographs for the fill harness, taken at run time from Debian's lomiri-wallpapers package (the 2023 set,
# "<title>_by_<author>.jpg") and converted to PNG, the format Easel decodes. Nothing here is committed.
# Usage (as root, for apt): bench/Easel.Bench.Fill/debian-photos.sh [OUT_DIR]   (default /tmp/easel-photos)
set -eu
out=${1:-/tmp/easel-photos}
if ! ls /usr/share/backgrounds/*_by_*.jpg >/dev/null 2>&1 || ! command -v djpeg >/dev/null || ! command -v pnmtopng >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lomiri-wallpapers libjpeg-turbo-progs netpbm >/dev/null
fi
mkdir -p "$out"
for f in /usr/share/backgrounds/*_by_*.jpg; do
    name=$(basename "$f" .jpg)
    # Halved on decode: the harness crops the centre square and scales it to --size anyway.
    djpeg -scale 1/2 "$f" | pnmtopng > "$out/$name.png"
done
echo "$(ls "$out"/*.png | wc -l) photos in $out"
