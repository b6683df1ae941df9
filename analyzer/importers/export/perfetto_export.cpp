// Chrome/Perfetto trace JSON export (see perfetto_export.h).
//
// How our model maps onto the Chrome trace format (Kineto's own conventions, so the Kineto
// importer reads the file back to the same rows):
//   kernel  → "X" cat kernel      on pid = GPU process, tid = stream id; args device, stream,
//                                  context, correlation, grid, block, registers per thread,
//                                  shared memory (static + dynamic)
//   memcpy  → "X" cat gpu_memcpy  named like Kineto ("Memcpy DtoH (Device -> Pageable)"); args
//                                  bytes, memory bandwidth (GB/s), copy/src/dst kinds
//   memset  → "X" cat gpu_memset  ("Memset (Device)")
//   api     → "X" cat cuda_runtime / cuda_driver on the host pid/tid; args correlation, cbid
//   nvtx    → "X" cat user_annotation (host) or gpu_user_annotation (GPU-side, stream set);
//             marks have dur 0
//   sync    → "X" cat cuda_sync   with cuda_sync_kind "Event Sync" / "Stream Wait Event" /
//                                  "Stream Sync" / "Context Sync"
//   step    → "X" cat user_annotation "ProfilerStep#N" (steps not already present as NVTX)
//   api ↔ GPU activity → flow events cat ac2g: "s" on the launch, "f" (bp "e") on each GPU event
//   findings → "i" cat moeprof_finding (process-scoped instant events)
//   process / thread / stream names → "M" process_name, process_labels, process_sort_index,
//             thread_name metadata events
// Times are written as µs with exactly three decimals, computed from int64 ns with integer
// arithmetic, so ns values survive the trip exactly.
#include "moeprof/analyzer/perfetto_export.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <system_error>

#include "moeprof/analyzer/json_writer.h"
#include "moeprof/schemas/trace_reader.h"

namespace fs = std::filesystem;

namespace moeprof::analyzer {

std::string NanosToMicrosText(int64_t ns) {
  // Work on the magnitude as unsigned so INT64_MIN is handled.
  const bool neg = ns < 0;
  const uint64_t mag = neg ? (~static_cast<uint64_t>(ns) + 1) : static_cast<uint64_t>(ns);
  char frac[4];
  const unsigned f = static_cast<unsigned>(mag % 1000);
  frac[0] = static_cast<char>('0' + f / 100);
  frac[1] = static_cast<char>('0' + (f / 10) % 10);
  frac[2] = static_cast<char>('0' + f % 10);
  frac[3] = 0;
  std::string out;
  out.reserve(24);
  if (neg) out.push_back('-');
  out += std::to_string(mag / 1000);
  out.push_back('.');
  out.append(frac, 3);
  return out;
}

namespace {

const char* MemKindName(int64_t k) {
  switch (k) {
    case 1: return "Pageable";
    case 2: return "Pinned";
    case 3: return "Device";
    case 4: return "Array";
    case 5: return "Managed";
    case 6: return "Device Static";
    case 7: return "Managed Static";
    default: return "Unknown";
  }
}

const char* CopyKindName(int64_t k) {
  switch (k) {
    case 1: return "HtoD";
    case 2: return "DtoH";
    case 3: return "HtoA";
    case 4: return "AtoH";
    case 5: return "AtoA";
    case 6: return "AtoD";
    case 7: return "DtoA";
    case 8: return "DtoD";
    case 9: return "HtoH";
    case 10: return "PtoP";
    default: return "Unknown";
  }
}

const char* SyncName(int64_t type) {
  switch (type) {
    case 1: return "Event Sync";
    case 2: return "Stream Wait Event";
    case 3: return "Stream Sync";
    case 4: return "Context Sync";
    default: return "Unknown Sync";
  }
}

// Buffered output to a FILE*, flushed in large chunks.
class Out {
 public:
  explicit Out(std::FILE* f) : f_(f) { buf_.reserve(1 << 20); }
  Out& operator<<(std::string_view s) {
    buf_.append(s.data(), s.size());
    if (buf_.size() >= (1 << 20)) Flush();
    return *this;
  }
  Out& operator<<(int64_t v) { return *this << std::string_view(std::to_string(v)); }
  bool Flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size()) ok_ = false;
    buf_.clear();
    return ok_;
  }
  bool ok() const { return ok_; }

 private:
  std::FILE* f_;
  std::string buf_;
  bool ok_ = true;
};

struct StreamInfo {
  int64_t pid = 0, tid = 0, device = 0, context = 0;
};

struct RankLayout {
  const schemas::Trace* trace = nullptr;
  int64_t index = 0;
  std::optional<int64_t> rank;
  int64_t host_pid = 0;
  int64_t shift = 0;  // added to row times: origin_i - origin_0
  std::map<int64_t, int64_t> device_pid;    // device row id → pid
  std::map<int64_t, int64_t> device_ordinal;
  std::map<int64_t, StreamInfo> streams;    // stream row id → track
  std::map<int64_t, int64_t> thread_tid;    // thread row id → OS tid
  int64_t default_gpu_pid = 0;
};

class Exporter {
 public:
  Exporter(Out& out, PerfettoStats& stats) : out_(out), stats_(stats) {}

  void Begin(const std::vector<RankLayout>& ranks) {
    const schemas::Trace& t0 = *ranks.front().trace;
    out_ << "{\n  \"schemaVersion\": 1,\n  \"traceName\": " << JsonQuote(t0.path) << ",\n";
    out_ << "  \"displayTimeUnit\": \"ns\",\n  \"baseTimeNanoseconds\": " << t0.origin_ns << ",\n";
    out_ << "  \"deviceProperties\": [";
    bool first = true;
    for (const schemas::DeviceRow& d : t0.devices) {
      out_ << (first ? "\n    " : ",\n    ") << "{\"id\": " << d.ordinal << ", \"name\": " << JsonQuote(d.name);
      if (d.sm_count) out_ << ", \"numSms\": " << *d.sm_count;
      if (d.cc_major) out_ << ", \"computeMajor\": " << *d.cc_major;
      if (d.cc_minor) out_ << ", \"computeMinor\": " << *d.cc_minor;
      if (d.memory_bytes) out_ << ", \"totalGlobalMem\": " << *d.memory_bytes;
      out_ << "}";
      first = false;
    }
    out_ << "],\n";
    if (ranks.size() == 1 && ranks.front().rank) {
      out_ << "  \"distributedInfo\": {\"rank\": " << *ranks.front().rank;
      if (!t0.processes.empty() && t0.processes.front().world_size) {
        out_ << ", \"world_size\": " << *t0.processes.front().world_size;
      }
      out_ << "},\n";
    }
    out_ << "  \"traceEvents\": [";
  }

  void End() { out_ << "\n  ]\n}\n"; }

  // Starts one event object: {"ph": .., "cat": .., "name": .., "pid": .., "tid": .., "ts": ..
  void Open(std::string_view ph, std::string_view cat, std::string_view name, int64_t pid, int64_t tid,
            int64_t ts) {
    out_ << (first_event_ ? "\n    {" : ",\n    {");
    first_event_ = false;
    ++stats_.events;
    out_ << "\"ph\": \"" << ph << "\", \"cat\": \"" << cat << "\", \"name\": " << JsonQuote(name)
         << ", \"pid\": " << pid << ", \"tid\": " << tid << ", \"ts\": " << NanosToMicrosText(ts);
  }
  void Dur(int64_t dur) { out_ << ", \"dur\": " << NanosToMicrosText(dur); }
  void ArgsBegin() {
    out_ << ", \"args\": {";
    first_arg_ = true;
  }
  void Arg(std::string_view key, int64_t v) { Sep() << JsonQuote(key) << ": " << v; }
  void ArgStr(std::string_view key, std::string_view v) { Sep() << JsonQuote(key) << ": " << JsonQuote(v); }
  void ArgRaw(std::string_view key, std::string_view raw) { Sep() << JsonQuote(key) << ": " << raw; }
  void ArgsEnd() { out_ << "}"; }
  void Close() { out_ << "}"; }

  void Meta(std::string_view name, int64_t pid, int64_t tid, std::string_view key, std::string_view value,
            bool numeric = false) {
    out_ << (first_event_ ? "\n    {" : ",\n    {");
    first_event_ = false;
    ++stats_.events;
    out_ << "\"ph\": \"M\", \"name\": \"" << name << "\", \"pid\": " << pid << ", \"tid\": " << tid
         << ", \"args\": {\"" << key << "\": " << (numeric ? std::string(value) : JsonQuote(value)) << "}}";
  }

  Out& out() { return out_; }

 private:
  Out& Sep() {
    if (!first_arg_) out_ << ", ";
    first_arg_ = false;
    return out_;
  }
  Out& out_;
  PerfettoStats& stats_;
  bool first_event_ = true;
  bool first_arg_ = true;
};

std::string Dims(int64_t x, int64_t y, int64_t z) {
  std::string out = "[";
  out += std::to_string(x);
  out += ", ";
  out += std::to_string(y);
  out += ", ";
  out += std::to_string(z);
  out += "]";
  return out;
}

RankLayout Layout(const schemas::Trace& t, int64_t index, size_t ntraces, int64_t origin0,
                  std::set<int64_t>& used_pids) {
  RankLayout r;
  r.trace = &t;
  r.index = index;
  if (!t.processes.empty()) {
    r.rank = t.processes.front().rank;
    r.host_pid = t.processes.front().pid;
  }
  if (!r.rank) {
    auto it = t.meta.find("rank");
    if (it != t.meta.end()) {
      try {
        r.rank = std::stoll(it->second);
      } catch (...) {
      }
    }
  }
  // Host pids must be unique across the exported ranks (and not collide with GPU pids).
  if (r.host_pid < 1000 || used_pids.count(r.host_pid)) r.host_pid = 100000000 + index;
  used_pids.insert(r.host_pid);
  r.shift = t.origin_ns - origin0;
  // Slots by position, not rank number, so two files claiming the same rank never share a pid.
  const int64_t rank_slot = ntraces == 1 ? 0 : 1000 * (index + 1);
  for (const schemas::DeviceRow& d : t.devices) {
    r.device_pid[d.id] = rank_slot + d.ordinal;
    r.device_ordinal[d.id] = d.ordinal;
  }
  r.default_gpu_pid = t.devices.empty() ? rank_slot : r.device_pid.begin()->second;
  for (const schemas::StreamRow& s : t.streams) {
    StreamInfo info;
    auto dp = r.device_pid.find(s.device);
    info.pid = dp != r.device_pid.end() ? dp->second : r.default_gpu_pid;
    info.device = r.device_ordinal.count(s.device) ? r.device_ordinal[s.device] : 0;
    info.tid = s.native_id;
    info.context = s.context;
    r.streams[s.id] = info;
  }
  for (const schemas::ThreadRow& th : t.threads) r.thread_tid[th.id] = th.tid;
  return r;
}

void WriteRank(Exporter& ex, const RankLayout& r, size_t ntraces, PerfettoStats& st) {
  const schemas::Trace& t = *r.trace;
  const std::string who = ntraces == 1 && !r.rank ? std::string()
                                                  : "rank " + std::to_string(r.rank ? *r.rank : r.index) + " · ";
  // Names and order of processes and tracks.
  std::string host_name = who + "host";
  if (!t.processes.empty()) {
    const auto& p = t.processes.front();
    host_name += " pid " + std::to_string(p.pid);
    if (!p.host.empty()) host_name += " @ " + p.host;
    if (p.name) host_name += " (" + *p.name + ")";
  }
  ex.Meta("process_name", r.host_pid, 0, "name", host_name);
  ex.Meta("process_sort_index", r.host_pid, 0, "sort_index", std::to_string(r.index * 100), true);
  for (const schemas::DeviceRow& d : t.devices) {
    const int64_t pid = r.device_pid.at(d.id);
    ex.Meta("process_name", pid, 0, "name", who + "GPU " + std::to_string(d.ordinal) + " (" + d.name + ")");
    ex.Meta("process_labels", pid, 0, "labels", "GPU " + std::to_string(d.ordinal));
    ex.Meta("process_sort_index", pid, 0, "sort_index", std::to_string(r.index * 100 + 1 + d.ordinal), true);
  }
  for (const schemas::StreamRow& s : t.streams) {
    const StreamInfo& info = r.streams.at(s.id);
    std::string name = "stream " + std::to_string(s.native_id);
    if (s.name) name += " " + *s.name;
    if (s.role) name += " [" + *s.role + "]";
    ex.Meta("thread_name", info.pid, info.tid, "name", name);
  }
  for (const schemas::ThreadRow& th : t.threads) {
    ex.Meta("thread_name", r.host_pid, th.tid, "name",
            th.name ? *th.name : "thread " + std::to_string(th.tid));
  }

  auto tid_of = [&](int64_t thread_row) {
    auto it = r.thread_tid.find(thread_row);
    return it == r.thread_tid.end() ? int64_t{0} : it->second;
  };
  auto stream_of = [&](int64_t stream_row) {
    auto it = r.streams.find(stream_row);
    if (it != r.streams.end()) return it->second;
    StreamInfo none;
    none.pid = r.default_gpu_pid;
    none.tid = stream_row;
    return none;
  };
  const int64_t flow_base = ntraces == 1 ? 0 : (r.index << 40);

  // API calls, indexed by correlation for the flows.
  const schemas::ApiColumns& api = t.api;
  for (size_t i = 0; i < api.size(); ++i) {
    const bool driver = api.domain[i] == static_cast<int8_t>(schemas::ApiDomain::kDriver);
    ex.Open("X", driver ? "cuda_driver" : "cuda_runtime", t.str(api.name[i]), r.host_pid,
            tid_of(api.thread[i]), api.start[i] + r.shift);
    ex.Dur(api.dur[i]);
    ex.ArgsBegin();
    ex.Arg("cbid", api.cbid[i]);
    ex.Arg("correlation", api.correlation[i]);
    if (api.status[i] != 0) ex.Arg("status", api.status[i]);
    ex.ArgsEnd();
    ex.Close();
    ++st.apis;
  }
  std::set<int64_t> flow_started;
  auto flow = [&](int64_t correlation, const StreamInfo& s, int64_t ts) {
    if (correlation == 0) return;
    auto it = std::lower_bound(api.correlation.begin(), api.correlation.end(), correlation);
    if (it == api.correlation.end() || *it != correlation) return;
    const size_t i = static_cast<size_t>(it - api.correlation.begin());
    const int64_t id = flow_base | correlation;
    if (flow_started.insert(correlation).second) {
      ex.Open("s", "ac2g", "ac2g", r.host_pid, tid_of(api.thread[i]), api.start[i] + r.shift);
      ex.out() << ", \"id\": " << id;
      ex.Close();
    }
    ex.Open("f", "ac2g", "ac2g", s.pid, s.tid, ts);
    ex.out() << ", \"id\": " << id << ", \"bp\": \"e\"";
    ex.Close();
    ++st.flows;
  };

  const schemas::KernelColumns& k = t.kernels;
  for (size_t i = 0; i < k.size(); ++i) {
    const StreamInfo s = stream_of(k.stream[i]);
    const int64_t ts = k.start[i] + r.shift;
    ex.Open("X", "kernel", t.str(k.name[i]), s.pid, s.tid, ts);
    ex.Dur(k.dur[i]);
    ex.ArgsBegin();
    ex.Arg("device", s.device);
    ex.Arg("stream", s.tid);
    ex.Arg("context", s.context);
    if (k.correlation[i] != 0) ex.Arg("correlation", k.correlation[i]);
    const size_t cfg = static_cast<size_t>(k.config[i]);
    if (cfg >= 1 && cfg <= t.launch_configs.size()) {
      // launch_configs is loaded in id order; ids start at 1.
      const schemas::LaunchConfig* lc = &t.launch_configs[cfg - 1];
      if (lc->id != k.config[i]) {
        lc = nullptr;
        for (const auto& c : t.launch_configs) {
          if (c.id == k.config[i]) lc = &c;
        }
      }
      if (lc != nullptr) {
        ex.Arg("registers per thread", lc->registers);
        ex.Arg("shared memory", lc->static_smem + lc->dynamic_smem);
        ex.ArgRaw("grid", Dims(lc->grid_x, lc->grid_y, lc->grid_z));
        ex.ArgRaw("block", Dims(lc->block_x, lc->block_y, lc->block_z));
      }
    }
    if (k.graph[i] != 0) ex.Arg("graph id", k.graph[i]);
    if (k.graph_node[i] != 0) ex.Arg("graph node id", k.graph_node[i]);
    ex.ArgsEnd();
    ex.Close();
    ++st.kernels;
    flow(k.correlation[i], s, ts);
  }
  for (const schemas::MemcpyRow& m : t.memcpys) {
    const StreamInfo s = stream_of(m.stream);
    const int64_t ts = m.start + r.shift;
    const std::string name = std::string("Memcpy ") + CopyKindName(m.copy_kind) + " (" +
                             MemKindName(m.src_kind) + " -> " + MemKindName(m.dst_kind) + ")";
    ex.Open("X", "gpu_memcpy", name, s.pid, s.tid, ts);
    ex.Dur(m.dur);
    ex.ArgsBegin();
    ex.Arg("device", s.device);
    ex.Arg("stream", s.tid);
    ex.Arg("context", s.context);
    if (m.correlation != 0) ex.Arg("correlation", m.correlation);
    ex.Arg("bytes", m.bytes);
    char bw[64];
    std::snprintf(bw, sizeof(bw), "%.6g", m.dur > 0 ? static_cast<double>(m.bytes) / static_cast<double>(m.dur) : 0.0);
    ex.ArgRaw("memory bandwidth (GB/s)", bw);
    ex.Arg("copy_kind", m.copy_kind);
    ex.Arg("src_kind", m.src_kind);
    ex.Arg("dst_kind", m.dst_kind);
    ex.ArgsEnd();
    ex.Close();
    ++st.memcpys;
    flow(m.correlation, s, ts);
  }
  for (const schemas::MemsetRow& m : t.memsets) {
    const StreamInfo s = stream_of(m.stream);
    const int64_t ts = m.start + r.shift;
    ex.Open("X", "gpu_memset", std::string("Memset (") + MemKindName(m.mem_kind) + ")", s.pid, s.tid, ts);
    ex.Dur(m.dur);
    ex.ArgsBegin();
    ex.Arg("device", s.device);
    ex.Arg("stream", s.tid);
    ex.Arg("context", s.context);
    if (m.correlation != 0) ex.Arg("correlation", m.correlation);
    ex.Arg("bytes", m.bytes);
    ex.Arg("mem_kind", m.mem_kind);
    ex.ArgsEnd();
    ex.Close();
    ++st.memsets;
    flow(m.correlation, s, ts);
  }
  for (const schemas::SyncRow& y : t.syncs) {
    StreamInfo s;
    s.pid = r.default_gpu_pid;
    s.tid = 0;
    if (y.stream) s = stream_of(*y.stream);
    ex.Open("X", "cuda_sync", SyncName(y.type), s.pid, s.tid, y.start + r.shift);
    ex.Dur(y.dur);
    ex.ArgsBegin();
    ex.ArgStr("cuda_sync_kind", SyncName(y.type));
    ex.Arg("device", s.device);
    ex.Arg("stream", y.stream ? s.tid : -1);
    if (y.event) ex.Arg("event", *y.event);
    if (y.correlation != 0) ex.Arg("correlation", y.correlation);
    ex.ArgsEnd();
    ex.Close();
    ++st.syncs;
  }
  bool nvtx_steps = false;
  for (const schemas::NvtxRow& n : t.nvtx) {
    std::string name = t.str(n.text);
    if (n.stream) {
      const StreamInfo s = stream_of(*n.stream);
      ex.Open("X", "gpu_user_annotation", name, s.pid, s.tid, n.start + r.shift);
    } else {
      ex.Open("X", "user_annotation", name, r.host_pid, tid_of(n.thread), n.start + r.shift);
    }
    ex.Dur(n.dur);
    ex.ArgsBegin();
    if (n.domain != 0) ex.ArgStr("domain", t.str(n.domain));
    if (n.kind == schemas::NvtxKind::kMark) ex.ArgStr("nvtx", "mark");
    if (n.payload) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.17g", *n.payload);
      ex.ArgRaw("payload", buf);
    }
    ex.ArgsEnd();
    ex.Close();
    ++st.nvtx;
  }
  for (const schemas::StepRow& sr : t.steps) nvtx_steps |= sr.source == "nvtx";
  if (!nvtx_steps) {
    const int64_t tid = t.threads.empty() ? 0 : t.threads.front().tid;
    for (const schemas::StepRow& sr : t.steps) {
      ex.Open("X", "user_annotation", "ProfilerStep#" + std::to_string(sr.number), r.host_pid, tid,
              sr.start + r.shift);
      ex.Dur(sr.dur);
      ex.Close();
    }
  }
}

void WriteFindings(Exporter& ex, const std::vector<RankLayout>& ranks, const std::vector<Finding>& findings,
                   PerfettoStats& st) {
  for (const Finding& f : findings) {
    const RankLayout* where = &ranks.front();
    if (!f.ranks.empty()) {
      for (const RankLayout& r : ranks) {
        if (r.rank && *r.rank == f.ranks.front()) where = &r;
      }
    }
    const int64_t ts = f.evidence.empty() ? 0 : f.evidence.front().start;
    ex.Open("i", "moeprof_finding", f.title.empty() ? f.rule : f.title, where->host_pid, 0, ts);
    ex.out() << ", \"s\": \"p\"";
    ex.ArgsBegin();
    ex.ArgStr("rule", f.rule);
    ex.ArgStr("severity", SeverityName(f.severity));
    if (!f.location.empty()) ex.ArgStr("location", f.location);
    ex.Arg("cost_ns", f.cost_ns);
    char pct[32];
    std::snprintf(pct, sizeof(pct), "%.3f", f.cost_pct);
    ex.ArgRaw("cost_pct", pct);
    ex.Arg("saving_ns", f.saving_ns);
    if (!f.saving_method.empty()) ex.ArgStr("saving_method", f.saving_method);
    if (!f.fix.empty()) ex.ArgStr("fix", f.fix);
    if (!f.evidence.empty()) ex.Arg("evidence_end_ns", f.evidence.front().end);
    ex.ArgsEnd();
    ex.Close();
    ++st.findings;
  }
}

Status Export(const std::vector<std::string>& paths, const std::string& out_path,
              const std::vector<Finding>* findings, PerfettoStats* stats_out) {
  if (paths.empty()) return Status(ErrorCode::kInvalidArgument, "export: no trace given");
  std::vector<schemas::Trace> traces;
  traces.reserve(paths.size());
  for (const std::string& p : paths) {
    schemas::ReaderOptions ro;
    ro.migrate_copy = true;
    Expected<std::unique_ptr<schemas::TraceReader>> reader = schemas::TraceReader::Open(p, ro);
    if (!reader) return reader.status();
    Expected<schemas::Trace> t = (*reader)->LoadAll();
    if (!t) return t.status();
    traces.push_back(std::move(*t));
  }
  std::vector<RankLayout> ranks;
  std::set<int64_t> used_pids;
  for (size_t i = 0; i < traces.size(); ++i) {
    ranks.push_back(Layout(traces[i], static_cast<int64_t>(i), traces.size(), traces.front().origin_ns, used_pids));
  }
  const std::string tmp = out_path + ".tmp-" + std::to_string(getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return Status(ErrorCode::kIo, out_path + ": cannot write: " + std::strerror(errno));
  PerfettoStats stats;
  Out out(f);
  Exporter ex(out, stats);
  ex.Begin(ranks);
  for (const RankLayout& r : ranks) WriteRank(ex, r, ranks.size(), stats);
  if (findings != nullptr) WriteFindings(ex, ranks, *findings, stats);
  ex.End();
  const bool ok = out.Flush() && std::fflush(f) == 0;
  const bool closed = std::fclose(f) == 0;
  std::error_code ec;
  if (!ok || !closed) {
    fs::remove(tmp, ec);
    return Status(ErrorCode::kIo, out_path + ": write failed (disk full?)");
  }
  fs::rename(tmp, out_path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Status(ErrorCode::kIo, out_path + ": cannot rename the finished file into place");
  }
  if (stats_out != nullptr) *stats_out = stats;
  return Status::Ok();
}

}  // namespace

Status ExportPerfetto(const std::vector<std::string>& traces, const std::string& out_path,
                      PerfettoStats* stats) {
  return Export(traces, out_path, nullptr, stats);
}

Status ExportPerfetto(const std::vector<std::string>& traces, const std::string& out_path,
                      const std::vector<Finding>& findings, PerfettoStats* stats) {
  return Export(traces, out_path, &findings, stats);
}

}  // namespace moeprof::analyzer
