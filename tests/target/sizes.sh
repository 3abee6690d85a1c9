#!/usr/bin/env bash
# Per-module sizes of a linked image, from its GNU ld map (what
# --gc-sections kept), in the terms of size(1): text (code, read-only data,
# unwind tables), data, bss.
#   [SIZE=arm-linux-gnueabihf-size] sizes.sh IMAGE [IMAGE.map]
# Made for the Cortex-M4 firmware (tests/target); also reads utcli's map on
# armhf, where mbedTLS and the C++ runtime are shared libraries (not in it).
# Prints one "size <module> <text> <data> <bss>" line per module, then
# size(1)'s own line for the image.
# String literals: the linker merges identical strings ("SHF_MERGE"
# sections), and the sizes its map gives those sections are not what each
# object adds (one section can show the size of a whole merged block). So a
# module's strings are counted from its objects instead: the distinct
# NUL-terminated strings of every string section the link kept, each once
# per module. A string two modules share counts in both (the "merged" line
# says by how much the modules then exceed the image). Alignment padding
# between strings is not counted (objects built with -Os have none).
set -euo pipefail
elf=$1 map=${2:-$1.map}
[ -f "$map" ] || { echo "sizes.sh: no map file $map" >&2; exit 1; }
prefix=${SIZE:-arm-none-eabi-size}
prefix=${prefix%size}
objcopy=${prefix}objcopy ar=${prefix}ar
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$(awk '
function hex(s,   i, v) {  # "0x1a2b" -> 6699 (mawk has no strtonum)
  v = 0
  s = tolower(substr(s, 3))
  for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
  return v
}
function module(file) {
  if (file ~ /libutkit\.a\(/) return "core"
  if (file ~ /libutkit_platform_posix\.a\(/) return "platform-posix"
  if (file ~ /libutkit_pugixml\.a/) return "pugixml"
  if (file ~ /libmbedtls\.a/) return "mbedtls-tls"
  if (file ~ /libmbedx509\.a/) return "mbedtls-x509"
  if (file ~ /libmbedcrypto\.a/) return "mbedtls-crypto"
  if (file ~ /libstdc\+\+|libsupc\+\+/) return "libstdc++"
  if (file ~ /lib(c|g|m|gcc|rdimon|nosys)(_nano)?\.a/) return "libc+libgcc"
  if (file ~ /utkit_m4_board/) return "board"
  return "app"
}
function add(size, file, section,   m, k) {
  if (kind == "") return
  m = module(file)
  seen[m] = 1
  # Merged strings: counted from the objects (below), not from the map. The
  # n-th time a member and section come up is the n-th copy of that member in the
  # archive (libutkit.a has two client.cpp objects).
  if (kind == "text" && section ~ /^\.rodata.*\.str[0-9.]*$/) {
    k = section " " file
    printf "str %s %d %s %s\n", m, ++occurrence[k], section, file
    return
  }
  if (kind == "text") text[m] += size; else if (kind == "data") data[m] += size; else bss[m] += size
}
/^Linker script and memory map/ { on = 1; next }
!on { next }
/^[.A-Za-z_]/ {   # an output section
  name = $1
  kind = ""
  if (name == ".text" || name == ".ARM.extab" || name == ".ARM.exidx" || name == ".rodata" || name == ".eh_frame" || name == ".gcc_except_table") kind = "text"
  else if (name == ".data" || name == ".data.rel.ro" || name == ".init_array" || name == ".fini_array" || name == ".got") kind = "data"
  else if (name == ".bss") kind = "bss"
  next
}
function rest(n,   f, i) {  # fields n.. as written (a path may hold spaces)
  f = $0
  for (i = 1; i < n; i++) sub(/^ *[^ ]+ +/, "", f)
  return f
}
/^ [.A-Za-z_]/ {  # an input section: " .name addr size file" or " .name" alone
  if (NF >= 4 && $2 ~ /^0x/ && $3 ~ /^0x/) add(hex($3), rest(4), $1)
  else if (NF == 1) { pending = 1; section = $1 }
  next
}
pending && /^ +0x/ {
  pending = 0
  if (NF >= 3 && $2 ~ /^0x/) add(hex($2), rest(3), section)
  next
}
{ pending = 0 }
END {
  n = split("core platform-posix pugixml mbedtls-tls mbedtls-x509 mbedtls-crypto libstdc++ libc+libgcc board app", order, " ")
  for (i = 1; i <= n; i++) {
    m = order[i]
    if (m in seen) printf "part %s %d %d %d\n", m, text[m], data[m], bss[m]
  }
}' "$map")

# A path from the map: relative ones start where the link ran, the image's
# directory or the nearest one above it where the path exists.
resolve() {
  local b
  b=$(cd "$(dirname "$elf")" && pwd)
  if [ "${1#/}" = "$1" ]; then
    while [ "$b" != / ] && [ ! -e "$b/$1" ]; do b=$(dirname "$b"); done
    echo "$b/$1"
  else
    echo "$1"
  fi
}
# The objects a map entry may name, in OBJS: a plain file, or every archive
# member of that name (extracted once per run).
declare -A extracted=() copies=()
objects_of() {  # file
  local file=$1 lib member n i key
  OBJS=()
  if [[ ! $file =~ ^(.*\.a)\((.*)\)$ ]]; then
    OBJS=("$(resolve "$file")")
    return 0
  fi
  lib=$(resolve "${BASH_REMATCH[1]}") member=${BASH_REMATCH[2]}
  key="$lib($member)"
  if [ -z "${extracted[$key]:-}" ]; then
    n=$("$ar" t "$lib" | grep -cxF "$member")
    copies[$key]=$n
    extracted[$key]=$work/objects/${#extracted[@]}
    mkdir -p "${extracted[$key]}" "$work/x"
    for ((i = 1; i <= n; i++)); do
      (cd "$work/x" && "$ar" xN "$i" "$lib" "$member") && mv -f "$work/x/$member" "${extracted[$key]}/$i.o"
    done
  fi
  for ((i = 1; i <= copies[$key]; i++)); do OBJS+=("${extracted[$key]}/$i.o"); done
}
# A string section's bytes: from the nth object of that name that holds it
# (libutkit.a has two client.cpp objects; ld loads members in archive order).
section_bytes() {  # nth section file
  local nth=$1 sec=$2 found=0 obj
  objects_of "$3"
  for obj in "${OBJS[@]}"; do
    if "$objcopy" -O binary --only-section="$sec" "$obj" "$work/sec" 2>/dev/null && [ -s "$work/sec" ]; then
      found=$((found + 1))
      if [ "$found" -eq "$nth" ]; then cat "$work/sec"; return 0; fi
    fi
  done
  return 1
}
while read -r _ m nth sec file; do
  section_bytes "$nth" "$sec" "$file" >> "$work/strings.$m" || { echo "sizes.sh: cannot read $sec of $file" >&2; exit 1; }
done < <(awk '$1 == "str"' <<< "$out")
sum=0 mb_text=0 mb_data=0 mb_bss=0 have_mb=0
while read -r _ m text data bss; do
  strings=0
  [ -f "$work/strings.$m" ] && strings=$(LC_ALL=C sort -z -u "$work/strings.$m" | wc -c)
  text=$((text + strings)) sum=$((sum + text))
  printf "size %-15s %8d %6d %6d\n" "$m" "$text" "$data" "$bss"
  if [[ $m == mbedtls-* ]]; then
    mb_text=$((mb_text + text)) mb_data=$((mb_data + data)) mb_bss=$((mb_bss + bss)) have_mb=1
  fi
done < <(awk '$1 == "part"' <<< "$out")
[ "$have_mb" -eq 1 ] && printf "size %-15s %8d %6d %6d\n" mbedtls "$mb_text" "$mb_data" "$mb_bss"
modules=$sum
${SIZE:-arm-none-eabi-size} "$elf" | awk -v m="$modules" -v dyn="$(grep -c '^\.interp' "$map" || true)" 'NR == 2 {
  printf "size %-15s %8d %6d %6d\n", "image", $1, $2, $3
  # A static image: the difference is the string literals merged across
  # objects. A dynamic one also has sections of no module (.dynsym, .plt...).
  if (dyn == 0) printf "merged: the modules text adds up to %d bytes more than the image (strings shared across objects)\n", m - $1
}'
