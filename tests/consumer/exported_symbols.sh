#!/usr/bin/env bash
# libutkit.so exports exactly the functions utkit/utkit.h declares: every
# UTKIT_API function is there, and nothing else is (no C++ API, no mbedTLS,
# no pugixml, no libstdc++ template instances). Also checks the SONAME.
# usage: exported_symbols.sh LIBUTKIT_SO UTKIT_H EXPECTED_SONAME
# (NM and OBJDUMP name the target's tools in a cross build.)
set -euo pipefail
lib=$1 header=$2 soname=$3
exported=$("${NM:-nm}" -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVWiu]$/ {print $3}' | sed 's/@.*//' | sort -u)
# Each declaration starts a line with "UTKIT_API" and ends at its ';'.
declared=$(awk '/^UTKIT_API / {decl=""; on=1} on {decl = decl " " $0} on && /;/ {print decl; on=0}' "$header" |
           sed -E 's/^ *UTKIT_API [^(]*[ *](ut_[a-z_0-9]+)\(.*/\1/' | sort -u)
fail=0
unexpected=$(comm -23 <(echo "$exported") <(echo "$declared"))
missing=$(comm -13 <(echo "$exported") <(echo "$declared"))
if [ -n "$unexpected" ]; then
  echo "FAIL: exported but not in utkit.h:"; echo "$unexpected" | head -40; fail=1
fi
if [ -n "$missing" ]; then
  echo "FAIL: declared in utkit.h but not exported:"; echo "$missing"; fail=1
fi
got_soname=$("${OBJDUMP:-objdump}" -p "$lib" | awk '/SONAME/ {print $2}')
if [ "$got_soname" != "$soname" ]; then
  echo "FAIL: SONAME is '$got_soname', expected '$soname'"; fail=1
fi
n=$(echo "$declared" | wc -l)
[ "$fail" -eq 0 ] && echo "ok: $n functions exported, nothing else; SONAME $got_soname"
exit "$fail"
