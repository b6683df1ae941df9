-- moeprof trace format v1: every table of a per-process trace database.
-- Conventions (see schemas/FORMAT.md): all times are int64 nanoseconds relative to meta 'origin_ns'
-- (an absolute time on the clock named by meta 'clock'); durations, not end times, are stored;
-- names are ids into `string`; GPU activity tables are clustered by (stream, start).

CREATE TABLE meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE string (
  id    INTEGER PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE clock_sync (
  id           INTEGER PRIMARY KEY,
  label        TEXT NOT NULL,
  trace_ns     INTEGER NOT NULL,
  realtime_ns  INTEGER NOT NULL,
  monotonic_ns INTEGER NOT NULL
);

CREATE TABLE process (
  id         INTEGER PRIMARY KEY,
  pid        INTEGER NOT NULL,
  host       TEXT NOT NULL,
  rank       INTEGER,
  local_rank INTEGER,
  world_size INTEGER,
  name       TEXT
);

CREATE TABLE thread (
  id      INTEGER PRIMARY KEY,
  process INTEGER NOT NULL REFERENCES process(id),
  tid     INTEGER NOT NULL,
  name    TEXT
);

CREATE TABLE device (
  id                   INTEGER PRIMARY KEY,
  process              INTEGER NOT NULL REFERENCES process(id),
  ordinal              INTEGER NOT NULL,
  name                 TEXT NOT NULL,
  uuid                 TEXT,
  sm_count             INTEGER,
  cc_major             INTEGER,
  cc_minor             INTEGER,
  memory_bytes         INTEGER,
  memory_bandwidth_bps INTEGER,
  l2_bytes             INTEGER,
  clock_khz            INTEGER,
  peak_bf16_flops      REAL,
  peak_fp32_flops      REAL
);

CREATE TABLE stream (
  id        INTEGER PRIMARY KEY,
  device    INTEGER NOT NULL REFERENCES device(id),
  context   INTEGER NOT NULL,
  native_id INTEGER NOT NULL,
  priority  INTEGER,
  name      TEXT,
  role      TEXT
);

CREATE TABLE launch_config (
  id           INTEGER PRIMARY KEY,
  grid_x       INTEGER NOT NULL,
  grid_y       INTEGER NOT NULL,
  grid_z       INTEGER NOT NULL,
  block_x      INTEGER NOT NULL,
  block_y      INTEGER NOT NULL,
  block_z      INTEGER NOT NULL,
  cluster_x    INTEGER NOT NULL,
  cluster_y    INTEGER NOT NULL,
  cluster_z    INTEGER NOT NULL,
  registers    INTEGER NOT NULL,
  static_smem  INTEGER NOT NULL,
  dynamic_smem INTEGER NOT NULL,
  local_mem    INTEGER NOT NULL
);

-- Host API calls (CUDA runtime / driver). The correlation id is the key kernels, copies and
-- syncs join on, so it doubles as the index for GPU-activity -> API lookups.
CREATE TABLE api (
  correlation INTEGER PRIMARY KEY,
  thread      INTEGER NOT NULL REFERENCES thread(id),
  start       INTEGER NOT NULL,
  dur         INTEGER NOT NULL,
  domain      INTEGER NOT NULL,
  cbid        INTEGER NOT NULL,
  name        INTEGER NOT NULL REFERENCES string(id),
  status      INTEGER NOT NULL
);

CREATE TABLE kernel (
  stream      INTEGER NOT NULL REFERENCES stream(id),
  start       INTEGER NOT NULL,
  correlation INTEGER NOT NULL,
  graph_node  INTEGER NOT NULL,
  dur         INTEGER NOT NULL,
  name        INTEGER NOT NULL REFERENCES string(id),
  config      INTEGER NOT NULL REFERENCES launch_config(id),
  graph       INTEGER NOT NULL,
  flags       INTEGER NOT NULL,
  PRIMARY KEY (stream, start, correlation, graph_node)
) WITHOUT ROWID;

CREATE TABLE memcpy (
  stream      INTEGER NOT NULL REFERENCES stream(id),
  start       INTEGER NOT NULL,
  correlation INTEGER NOT NULL,
  graph_node  INTEGER NOT NULL,
  dur         INTEGER NOT NULL,
  bytes       INTEGER NOT NULL,
  copy_kind   INTEGER NOT NULL,
  src_kind    INTEGER NOT NULL,
  dst_kind    INTEGER NOT NULL,
  src_device  INTEGER,
  dst_device  INTEGER,
  graph       INTEGER NOT NULL,
  flags       INTEGER NOT NULL,
  PRIMARY KEY (stream, start, correlation, graph_node)
) WITHOUT ROWID;

CREATE TABLE memset (
  stream      INTEGER NOT NULL REFERENCES stream(id),
  start       INTEGER NOT NULL,
  correlation INTEGER NOT NULL,
  graph_node  INTEGER NOT NULL,
  dur         INTEGER NOT NULL,
  bytes       INTEGER NOT NULL,
  value       INTEGER NOT NULL,
  mem_kind    INTEGER NOT NULL,
  graph       INTEGER NOT NULL,
  flags       INTEGER NOT NULL,
  PRIMARY KEY (stream, start, correlation, graph_node)
) WITHOUT ROWID;

CREATE TABLE sync (
  id          INTEGER PRIMARY KEY,
  type        INTEGER NOT NULL,
  stream      INTEGER REFERENCES stream(id),
  event       INTEGER,
  start       INTEGER NOT NULL,
  dur         INTEGER NOT NULL,
  correlation INTEGER NOT NULL
);
CREATE INDEX sync_by_correlation ON sync(correlation);

CREATE TABLE cuda_event (
  id          INTEGER PRIMARY KEY,
  correlation INTEGER NOT NULL,
  stream      INTEGER REFERENCES stream(id),
  event       INTEGER NOT NULL,
  sync_id     INTEGER NOT NULL,
  device_time INTEGER
);

CREATE TABLE external_correlation (
  correlation INTEGER NOT NULL,
  kind        INTEGER NOT NULL,
  external_id INTEGER NOT NULL,
  PRIMARY KEY (correlation, kind)
) WITHOUT ROWID;

CREATE TABLE graph_launch (
  correlation INTEGER PRIMARY KEY,
  graph       INTEGER NOT NULL,
  stream      INTEGER REFERENCES stream(id),
  start       INTEGER NOT NULL,
  dur         INTEGER NOT NULL
);

CREATE TABLE nvtx (
  id           INTEGER PRIMARY KEY,
  thread       INTEGER NOT NULL REFERENCES thread(id),
  kind         INTEGER NOT NULL,
  domain       INTEGER NOT NULL REFERENCES string(id),
  text         INTEGER NOT NULL REFERENCES string(id),
  category     INTEGER NOT NULL,
  start        INTEGER NOT NULL,
  dur          INTEGER NOT NULL,
  depth        INTEGER NOT NULL,
  color        INTEGER,
  payload_kind INTEGER NOT NULL,
  payload      NUMERIC,
  stream       INTEGER REFERENCES stream(id)
);
CREATE INDEX nvtx_by_thread_start ON nvtx(thread, start);

CREATE TABLE communicator (
  id       INTEGER PRIMARY KEY,
  comm_id  INTEGER NOT NULL,
  name     TEXT,
  rank     INTEGER NOT NULL,
  nranks   INTEGER NOT NULL,
  nnodes   INTEGER,
  role     TEXT
);

CREATE TABLE comm (
  id                 INTEGER PRIMARY KEY,
  communicator       INTEGER REFERENCES communicator(id),
  op                 INTEGER NOT NULL REFERENCES string(id),
  seq                INTEGER,
  count              INTEGER,
  datatype           INTEGER REFERENCES string(id),
  bytes              INTEGER,
  peer               INTEGER,
  root               INTEGER,
  algorithm          INTEGER REFERENCES string(id),
  protocol           INTEGER REFERENCES string(id),
  start              INTEGER NOT NULL,
  dur                INTEGER NOT NULL,
  kernel_correlation INTEGER,
  role               TEXT
);
CREATE INDEX comm_by_kernel ON comm(kernel_correlation);

CREATE TABLE comm_split (
  comm      INTEGER NOT NULL REFERENCES comm(id),
  peer      INTEGER NOT NULL,
  in_count  INTEGER NOT NULL,
  out_count INTEGER NOT NULL,
  PRIMARY KEY (comm, peer)
) WITHOUT ROWID;

CREATE TABLE routing (
  step       INTEGER NOT NULL,
  layer      INTEGER NOT NULL,
  microbatch INTEGER NOT NULL,
  rank       INTEGER NOT NULL,
  expert     INTEGER NOT NULL,
  tokens     INTEGER NOT NULL,
  time       INTEGER,
  PRIMARY KEY (step, layer, microbatch, rank, expert)
) WITHOUT ROWID;

CREATE TABLE step (
  id     INTEGER PRIMARY KEY,
  number INTEGER NOT NULL,
  start  INTEGER NOT NULL,
  dur    INTEGER NOT NULL,
  source TEXT NOT NULL
);

CREATE TABLE overhead (
  id     INTEGER PRIMARY KEY,
  kind   INTEGER NOT NULL,
  thread INTEGER,
  device INTEGER,
  start  INTEGER NOT NULL,
  dur    INTEGER NOT NULL
);

CREATE TABLE drops (
  id      INTEGER PRIMARY KEY,
  source  TEXT NOT NULL,
  reason  TEXT NOT NULL,
  context INTEGER,
  stream  INTEGER,
  count   INTEGER NOT NULL
);
