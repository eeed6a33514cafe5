#!/usr/bin/env bash
# Issue 3's figures: Easel against libjpeg-turbo (djpeg), netpbm (pngtopnm/pnmtopng) and ImageMagick on the same
# files in the same run. Reference tools are timed as wall-clock means over N runs (hyperfine if present); Easel as
# the median of N in-process runs after two warm-up runs (JIT tiering), so process start-up is excluded for Easel
# but included for the tools (a few ms for djpeg/pngtopnm, noted in docs/PERFORMANCE.md).
#   bench/imaging-figures.sh [N]        (needs: .ci/install-packages; imagemagick optional)
set -euo pipefail

runs="${1:-5}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/easel-figures.XXXXXX)"
trap 'rm -rf "$work"' EXIT

dotnet build -c Release "$root/bench/Easel.Bench.Imaging" -v q -nologo >/dev/null
bench="$root/bench/Easel.Bench.Imaging/bin/Release/net10.0/Easel.Bench.Imaging"

# Wall time in ms of a shell command, mean of $runs runs after one warm-up.
tool_ms() {
    local command="$1"
    if command -v hyperfine >/dev/null; then
        hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/h.json" "$command" >/dev/null 2>&1 \
            || hyperfine --warmup 1 --runs "$runs" --export-json "$work/h.json" "$command" >/dev/null
        python3 -c "import json;print('%.1f' % (json.load(open('$work/h.json'))['results'][0]['mean']*1000))"
    else
        bash -c "$command" >/dev/null 2>&1
        local start end
        start=$(date +%s%N)
        for _ in $(seq "$runs"); do bash -c "$command" >/dev/null 2>&1; done
        end=$(date +%s%N)
        echo "scale=1; ($end - $start) / 1000000 / $runs" | bc
    fi
}

row() { # name, reference ms, easel ms, command
    local ratio
    ratio=$(printf '%.2f' "$(echo "scale=4; $3 / $2" | bc)")
    printf '| %s | %s | %s | %s× | `%s` |\n' "$1" "$2" "$3" "$ratio" "$4"
}

"$bench" photo 6000 4000 "$work/photo24.ppm"
"$bench" photo 2309 1732 "$work/photo4.ppm"
cjpeg -quality 90 -sample 2x2 -outfile "$work/base.jpg" "$work/photo24.ppm"
cjpeg -quality 90 -sample 2x2 -progressive -outfile "$work/prog.jpg" "$work/photo24.ppm"
# A 4 MP RGBA PNG: our encoder writes it (with a varying alpha), pnmtopng reads the PAM of the same pixels.
python3 - "$work" <<'PY'
import sys, struct, math
work = sys.argv[1]
data = open(f"{work}/photo4.ppm", "rb").read()
parts = data.split(b"\n", 3)
w, h = map(int, parts[1].split())
rgb = parts[3]
out = bytearray()
for y in range(h):
    a = bytes(max(0, min(255, 128 + int(127 * math.sin((x / w + y / h) * 11)))) for x in range(w))
    row = rgb[y * w * 3:(y + 1) * w * 3]
    line = bytearray(w * 4)
    line[0::4] = row[0::3]; line[1::4] = row[1::3]; line[2::4] = row[2::3]; line[3::4] = a
    out += line
open(f"{work}/photo4.pam", "wb").write(b"P7\nWIDTH %d\nHEIGHT %d\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n" % (w, h) + out)
PY
pamtopng "$work/photo4.pam" > "$work/photo4.png"
pamchannel -infile="$work/photo4.pam" -tupletype=GRAYSCALE 3 | pamtopnm > "$work/alpha.pgm"
pamchannel -infile="$work/photo4.pam" -tupletype=RGB 0 1 2 | pamtopnm > "$work/rgb.ppm"

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(djpeg -version 2>&1 | head -1)"
echo
echo "| figure | reference ms | Easel ms | ratio | reproduce |"
echo "| --- | ---: | ---: | ---: | --- |"
ref=$(tool_ms "djpeg -ppm -outfile /dev/null $work/base.jpg")
easel=$("$bench" time decode "$work/base.jpg" "$runs")
row "JPEG decode 24 MP baseline 4:2:0 (djpeg)" "$ref" "$easel" "bench/imaging-figures.sh"
echo "| JPEG decode 24 MP, peak memory | $("$bench" memory "$work/base.jpg") | | | \`bench/Easel.Bench.Imaging memory FILE\` |"
ref=$(tool_ms "djpeg -ppm -outfile /dev/null $work/prog.jpg")
easel=$("$bench" time decode "$work/prog.jpg" "$runs")
row "JPEG decode 24 MP progressive 4:2:0 (djpeg)" "$ref" "$easel" "bench/imaging-figures.sh"
# pngtopam -alphapam decodes colour and alpha together, the same work as ours (pngtopnm alone drops alpha).
ref=$(tool_ms "pngtopam -alphapam $work/photo4.png")
easel=$("$bench" time decode "$work/photo4.png" "$runs")
row "PNG decode 4 MP RGBA (pngtopam -alphapam)" "$ref" "$easel" "bench/imaging-figures.sh"
ref=$(tool_ms "pnmtopng -compression=6 -alpha=$work/alpha.pgm $work/rgb.ppm")
easel=$("$bench" time encode-png "$work/photo4.png" "$runs")
row "PNG encode 4 MP RGBA level 6 (pnmtopng)" "$ref" "$easel" "bench/imaging-figures.sh"
ref=$(tool_ms "cjpeg -quality 90 -sample 2x2 -outfile /dev/null $work/rgb.ppm")
easel=$("$bench" time encode-jpeg "$work/photo4.png" "$runs")
row "JPEG encode 4 MP q90 4:2:0 (cjpeg)" "$ref" "$easel" "bench/imaging-figures.sh"
if command -v cwebp >/dev/null; then
    ref=$(tool_ms "cwebp -quiet -q 90 -m 4 $work/photo4.png -o /dev/null")
    easel=$("$bench" time encode-webp "$work/photo4.png" "$runs")
    row "WebP encode 4 MP RGBA q90 (cwebp -q 90 -m 4)" "$ref" "$easel" "bench/imaging-figures.sh"
fi
if [ -x /usr/bin/convert ] && /usr/bin/convert -version 2>/dev/null | grep -q ImageMagick; then
    ref=$(tool_ms "/usr/bin/convert $work/photo24.ppm -filter Lanczos -resize 1224x816 $work/small.ppm")
    easel=$("$bench" time resize "$work/photo24.ppm" 1224 816 "$runs")
    row "Lanczos-3 24 MP -> 1 MP (ImageMagick convert)" "$ref" "$easel" "bench/imaging-figures.sh"
else
    echo "| Lanczos-3 24 MP -> 1 MP | ImageMagick not installed | - | - | apt-get install imagemagick |"
fi
