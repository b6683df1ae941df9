#!/usr/bin/env bash
# Regenerates the binary seed files of the fuzz corpora (tiny synthetic nsys exports and tiny
# moeprof traces; 512-byte pages keep them small). Text seeds (routing) are kept as written.
# Usage: tests/fuzz/make_seeds.sh path/to/moeprof
set -euo pipefail
moeprof=${1:?usage: make_seeds.sh path/to/moeprof}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

nsys_seed() {  # $1 = output, $2 = extra SQL
  rm -f "$1"
  sqlite3 "$1" "PRAGMA page_size=512;
    CREATE TABLE StringIds(id INTEGER PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO StringIds VALUES (1,'cudaLaunchKernel_v7000'),(2,'cudaMemcpy_v3020'),(3,'k'),(4,'r');
    CREATE TABLE TARGET_INFO_SESSION_START_TIME(utcEpochNs INTEGER);
    INSERT INTO TARGET_INFO_SESSION_START_TIME VALUES (1700000000000000000);
    CREATE TABLE CUPTI_ACTIVITY_KIND_RUNTIME(start INTEGER, end INTEGER, eventClass INTEGER, globalTid INTEGER, correlationId INTEGER, nameId INTEGER, returnValue INTEGER);
    INSERT INTO CUPTI_ACTIVITY_KIND_RUNTIME VALUES (10,20,0,1677721701,1,1,0),(30,90,0,1677721701,2,2,0);
    CREATE TABLE CUPTI_ACTIVITY_KIND_KERNEL(start INTEGER, end INTEGER, deviceId INTEGER, contextId INTEGER, streamId INTEGER, correlationId INTEGER, globalPid INTEGER, demangledName INTEGER, gridX INTEGER, blockX INTEGER, registersPerThread INTEGER);
    INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL VALUES (25,40,0,1,7,1,1677721600,3,2,32,16);
    CREATE TABLE CUPTI_ACTIVITY_KIND_MEMCPY(start INTEGER, end INTEGER, deviceId INTEGER, contextId INTEGER, streamId INTEGER, correlationId INTEGER, globalPid INTEGER, bytes INTEGER, copyKind INTEGER, srcKind INTEGER, dstKind INTEGER);
    INSERT INTO CUPTI_ACTIVITY_KIND_MEMCPY VALUES (50,80,0,1,7,2,1677721600,64,2,2,0);
    CREATE TABLE CUPTI_ACTIVITY_KIND_SYNCHRONIZATION(start INTEGER, end INTEGER, deviceId INTEGER, contextId INTEGER, streamId INTEGER, correlationId INTEGER, globalPid INTEGER, syncType INTEGER, eventId INTEGER);
    INSERT INTO CUPTI_ACTIVITY_KIND_SYNCHRONIZATION VALUES (85,88,0,1,4294967295,3,1677721600,4,4294967295);
    CREATE TABLE NVTX_EVENTS(start INTEGER, end INTEGER, eventType INTEGER, text TEXT, globalTid INTEGER, textId INTEGER, domainId INTEGER);
    INSERT INTO NVTX_EVENTS VALUES (5,95,59,NULL,1677721701,4,0),(6,50,59,'inner',1677721701,NULL,0),(60,NULL,34,'m',1677721701,NULL,0);
    CREATE TABLE MPI_RANKS(globalTid INTEGER, rank INTEGER); INSERT INTO MPI_RANKS VALUES (1677721701, 0);
    $2"
}

mkdir -p "$here/corpus/nsys" "$here/corpus/trace_reader"
nsys_seed "$here/corpus/nsys/seed_small.sqlite" ""
nsys_seed "$here/corpus/nsys/seed_bad_rows.sqlite" \
  "INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL(start,end,globalPid) VALUES ('x',5,1677721600),(9,3,1677721600),(1,2,NULL);"
nsys_seed "$here/corpus/nsys/seed_runtime_only.sqlite" \
  "DROP TABLE CUPTI_ACTIVITY_KIND_KERNEL; DROP TABLE NVTX_EVENTS; DROP TABLE TARGET_INFO_SESSION_START_TIME;"

# moeprof traces: import the small nsys seed, then repack with small pages.
"$moeprof" import -q "$here/corpus/nsys/seed_small.sqlite" -o "$tmp/t.sqlite"
printf '{"step": 0, "layer": 1, "rank": 0, "top_indices": [[0, 1], [1, 2]]}\n' > "$tmp/r.jsonl"
"$moeprof" import -q --routing "$tmp/r.jsonl" --into "$tmp/t.sqlite"
sqlite3 "$tmp/t.sqlite" "PRAGMA page_size=512; VACUUM;"
cp "$tmp/t.sqlite" "$here/corpus/trace_reader/seed_small_trace.sqlite"
ls -l "$here/corpus/nsys" "$here/corpus/trace_reader"
