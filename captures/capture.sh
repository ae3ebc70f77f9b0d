#!/bin/sh
# Re-captures every bundled capture on this machine (root, perf, gcc, g++, node, java,
# redis-server; see README.md). Usage: sh captures/capture.sh [NAME…] from the repository root.
set -eu
V="node bin/vmasim.js capture"
T=${TMPDIR:-/tmp}/vmasim-capture
mkdir -p "$T"
run() { name=$1; shift; echo "== $name"; rm -rf "captures/$name"; $V -o "captures/$name" "$@"; }
sel=" ${*:-all} "
case "$sel" in *" all "*|*" python-realloc "*) run python-realloc -- /usr/bin/python3 captures/programs/grow.py ;; esac
case "$sel" in *" gxx-compile "*|*" all "*) run gxx-compile -- g++ -O1 -c captures/programs/hello.cpp -o "$T/hello.o" ;; esac
case "$sel" in *" node "*|*" all "*) run node -- node -e 'const a=[];for(let i=0;i<100000;i++)a.push({i,s:"x"+i});console.log(a.length)' ;; esac
case "$sel" in *" jvm "*|*" all "*)
  javac -d "$T" captures/programs/Alloc.java
  run jvm --max-samples 100 -- java -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$T" Alloc ;; esac
case "$sel" in *" redis "*|*" all "*)
  run redis --max-samples 100 -- sh -c 'redis-server --port 7777 --save "" --appendonly no --daemonize no >/dev/null & sleep 0.5; redis-benchmark -p 7777 -n 3000 -c 4 -q -t set,get,lpush,lrange_100 >/dev/null; redis-cli -p 7777 shutdown nosave' ;; esac
case "$sel" in *" make-lua "*|*" all "*)
  # lua5.4 from Debian bookworm: apt-get source --download-only lua5.4 (needs a deb-src line)
  rm -rf "$T/lua" && mkdir -p "$T/lua" && tar -xzf "${LUA_TARBALL:-$T/lua5.4_5.4.4.orig.tar.gz}" -C "$T/lua" --strip-components=1
  run make-lua --max-samples 150 -- make -s -j2 -C "$T/lua/src" liblua.a CC=gcc MYCFLAGS=-O0 ;; esac
case "$sel" in *" compactor "*|*" all "*)
  gcc -O2 -o "$T/compactor" captures/programs/compactor.c
  run compactor --interval 2 -- "$T/compactor" ;; esac
case "$sel" in *" reserve-commit "*|*" all "*)
  gcc -O2 -o "$T/reserve-commit" captures/programs/reserve-commit.c
  run reserve-commit --interval 2 -- "$T/reserve-commit" ;; esac
du -sh captures
