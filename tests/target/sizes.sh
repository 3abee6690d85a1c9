#!/usr/bin/env bash
# Per-module sizes of a linked image, from its GNU ld map (what
# --gc-sections kept), in the terms of size(1): text (code, read-only data,
# unwind tables), data, bss.
#   [SIZE=arm-linux-gnueabihf-size] sizes.sh IMAGE [IMAGE.map]
# Made for the Cortex-M4 firmware (tests/target); also reads utcli's map on
# armhf, where mbedTLS and the C++ runtime are shared libraries (not in it).
# Prints one "size <module> <text> <data> <bss>" line per module, then
# size(1)'s own line for the image. Module text is an upper bound: the map
# gives each object's string-literal sections before the linker merges
# duplicates across objects, so the modules add up to more than the image
# (the "merged" line says by how much).
set -euo pipefail
elf=$1 map=${2:-$1.map}
[ -f "$map" ] || { echo "sizes.sh: no map file $map" >&2; exit 1; }
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
function add(size, file,   m) {
  if (kind == "") return
  m = module(file)
  seen[m] = 1
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
/^ [.A-Za-z_]/ {  # an input section: " .name addr size file" or " .name" alone
  if (NF >= 4 && $2 ~ /^0x/ && $3 ~ /^0x/) add(hex($3), $4)
  else if (NF == 1) pending = 1
  next
}
pending && /^ +0x/ {
  pending = 0
  if (NF >= 3 && $2 ~ /^0x/) add(hex($2), $3)
  next
}
{ pending = 0 }
END {
  n = split("core platform-posix pugixml mbedtls-tls mbedtls-x509 mbedtls-crypto libstdc++ libc+libgcc board app", order, " ")
  for (i = 1; i <= n; i++) {
    m = order[i]
    if (m in seen) printf "size %-15s %8d %6d %6d\n", m, text[m], data[m], bss[m]
  }
  if (("mbedtls-tls" in seen) || ("mbedtls-crypto" in seen)) printf "size %-15s %8d %6d %6d\n", "mbedtls", text["mbedtls-tls"] + text["mbedtls-x509"] + text["mbedtls-crypto"],
         data["mbedtls-tls"] + data["mbedtls-x509"] + data["mbedtls-crypto"], bss["mbedtls-tls"] + bss["mbedtls-x509"] + bss["mbedtls-crypto"]
  for (m in seen) sum += text[m]
  printf "modules %d\n", sum
}' "$map")
grep '^size' <<< "$out"
modules=$(awk '$1 == "modules" {print $2}' <<< "$out")
${SIZE:-arm-none-eabi-size} "$elf" | awk -v m="$modules" -v dyn="$(grep -c '^\.interp' "$map" || true)" 'NR == 2 {
  printf "size %-15s %8d %6d %6d\n", "image", $1, $2, $3
  # A static image: the difference is the string literals merged across
  # objects. A dynamic one also has sections of no module (.dynsym, .plt...).
  if (dyn == 0) printf "merged: the modules text adds up to %d bytes more than the image (strings shared across objects)\n", m - $1
}'
