// Mapping of a decoded Kineto Model onto trace rows, through one TraceWriter from the sink.
// Order of work: link correlations through ac2g flows where args.correlation is missing; pick
// the origin (earliest event); open the writer; write the dimension rows lazily (process, threads,
// devices, streams, communicators) as events reference them; then the event tables; nvtx depth
// is computed per thread (and per stream for GPU annotations) by a sweep over start-sorted ranges.
// The mapping table itself is in kineto_import.cpp's header comment and docs/IMPORTERS.md.
#include "kineto_emit.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <numeric>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kineto_nccl.h"

namespace moeprof::analyzer::kineto {
namespace {

using schemas::TraceWriter;

struct PairHash {
  size_t operator()(const std::pair<int64_t, int64_t>& p) const {
    return std::hash<int64_t>{}(p.first * 0x9E3779B97F4A7C15ull ^ static_cast<uint64_t>(p.second));
  }
};

struct TripleKey {
  int64_t a, b, c;
  bool operator==(const TripleKey& o) const { return a == o.a && b == o.b && c == o.c; }
};
struct TripleHash {
  size_t operator()(const TripleKey& k) const {
    uint64_t h = static_cast<uint64_t>(k.a) * 0x9E3779B97F4A7C15ull;
    h ^= static_cast<uint64_t>(k.b) + 0x7F4A7C15ull + (h << 6) + (h >> 2);
    h ^= static_cast<uint64_t>(k.c) + 0x9E3779B9ull + (h << 6) + (h >> 2);
    return static_cast<size_t>(h);
  }
};

// Kernels/copies/API calls without args.correlation get the id of the ac2g flow bound to them:
// the 's' end sits on the launch (pid, tid, ts), the 'f' end (bp "e") on the GPU activity
// (device pid, stream tid, ts). Kineto uses the correlation id as the flow id.
void LinkFlows(Model& m) {
  bool need = false;
  for (const auto& k : m.kernels) need |= k.correlation == 0;
  for (const auto& c : m.copies) need |= c.correlation == 0;
  for (const auto& a : m.apis) need |= a.correlation == 0;
  if (!need || m.flows.empty()) return;
  std::unordered_map<TripleKey, int64_t, TripleHash> starts, finishes;
  for (const auto& f : m.flows) (f.start ? starts : finishes).emplace(TripleKey{f.pid, f.tid, f.ts}, f.id);
  for (auto& k : m.kernels) {
    if (k.correlation != 0) continue;
    auto it = finishes.find({k.device, k.stream, k.ts});
    if (it != finishes.end()) k.correlation = it->second;
  }
  for (auto& c : m.copies) {
    if (c.correlation != 0) continue;
    auto it = finishes.find({c.device, c.stream, c.ts});
    if (it != finishes.end()) c.correlation = it->second;
  }
  for (auto& a : m.apis) {
    if (a.correlation != 0) continue;
    auto it = starts.find({a.pid, a.tid, a.ts});
    if (it != starts.end()) a.correlation = it->second;
  }
}

bool StepNumber(std::string_view name, int64_t& number) {
  static constexpr std::string_view kPrefix = "ProfilerStep#";
  if (name.rfind(kPrefix, 0) != 0) return false;
  const std::string_view digits = name.substr(kPrefix.size());
  const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  return ec == std::errc() && p == digits.data() + digits.size();
}

int64_t CommIdOf(const std::string& pg_name) {
  int64_t v = 0;
  const auto [p, ec] = std::from_chars(pg_name.data(), pg_name.data() + pg_name.size(), v);
  if (ec == std::errc() && p == pg_name.data() + pg_name.size()) return v;
  uint64_t h = 1469598103934665603ull;  // FNV-1a of a non-numeric process group name
  for (unsigned char c : pg_name) h = (h ^ c) * 1099511628211ull;
  return static_cast<int64_t>(h & 0x7FFFFFFFFFFFFFFFull);
}

class Emitter {
 public:
  Emitter(std::string_view display_name, Model& m, ImportStats& stats)
      : name_(display_name), m_(m), stats_(stats) {}

  Status Run(TraceSink& sink) {
    LinkFlows(m_);
    // Origin: the earliest imported event. Kineto writes ts relative to baseTimeNanoseconds when
    // the file has that key (ts = time - base), so absolute = base + ts.
    int64_t min_ts = INT64_MAX;
    for (const auto& k : m_.kernels) min_ts = std::min(min_ts, k.ts);
    for (const auto& c : m_.copies) min_ts = std::min(min_ts, c.ts);
    for (const auto& a : m_.apis) min_ts = std::min(min_ts, a.ts);
    for (const auto& r : m_.ranges) min_ts = std::min(min_ts, r.ts);
    for (const auto& y : m_.syncs) min_ts = std::min(min_ts, y.ts);
    for (const auto& o : m_.overheads) min_ts = std::min(min_ts, o.ts);
    if (min_ts == INT64_MAX) min_ts = 0;
    origin_ts_ = min_ts;
    int64_t origin_abs = min_ts;
    bool base_used = false;
    if (m_.base_time_ns && !__builtin_add_overflow(*m_.base_time_ns, min_ts, &origin_abs)) {
      base_used = true;
    } else {
      origin_abs = min_ts;
    }

    // The process: the pid carrying most CPU-side events (a Kineto file is one process).
    int64_t pid = 0;
    int64_t best = -1;
    for (const auto& [p, n] : m_.cpu_pid_events) {
      if (n > best) pid = p, best = n;
    }
    if (best < 0) {
      for (const auto& [p, label] : m_.process_labels) {
        if (label == "CPU") {
          pid = p;
          break;
        }
      }
    }
    pid_ = pid;
    TraceSink::ProcessKey key;
    key.pid = pid;
    key.rank = m_.rank;
    key.host = m_.host;
    auto writer = sink.WriterFor(key, origin_abs);
    if (!writer.ok()) return writer.status();
    w_ = *writer;
    const int64_t rows_before = w_->rows_written();

    WriteMeta(base_used);
    schemas::ProcessRow proc;
    proc.pid = pid;
    proc.host = m_.host;
    proc.rank = m_.rank;
    proc.world_size = m_.world_size;
    if (auto it = m_.process_names.find(pid); it != m_.process_names.end()) proc.name = it->second;
    process_ = w_->AddProcess(proc);

    WriteApis();
    WriteKernels();
    WriteCopies();
    WriteSyncs();
    WriteRanges();
    WriteOverheads();
    for (const auto& [reason, count] : m_.skipped) {
      schemas::DropRow d;
      d.source = "import";
      d.reason = "kineto: " + reason;
      d.count = count;
      w_->AddDrop(d);
      stats_.skipped[reason] += count;
    }
    MOEPROF_RETURN_IF_ERROR(w_->Commit());
    if (!w_->error().ok()) return w_->error();
    stats_.records_read += m_.events_read;
    stats_.records_written += w_->rows_written() - rows_before;
    return Status::Ok();
  }

 private:
  int64_t Rel(int64_t ts) const { return ts - origin_ts_; }  // both on the file clock; no overflow:
                                                            // origin is the minimum

  void Meta(std::string_view k, std::string_view v) {
    if (!v.empty()) (void)w_->SetMeta(k, v);
  }

  void WriteMeta(bool base_used) {
    Meta("source", "kineto");
    Meta("source_format", "kineto");
    Meta("source_path", name_);
    Meta("backend", "import");
    Meta("kineto_schema_version", m_.schema_version);
    if (m_.base_time_ns) Meta("kineto_base_time_ns", std::to_string(*m_.base_time_ns));
    Meta("kineto_time_base", base_used ? "baseTimeNanoseconds + ts" : "ts (absolute)");
    Meta("kineto_trace_name", m_.trace_name);
    Meta("cuda_version", m_.cuda_runtime_version);
    Meta("driver_version", m_.cuda_driver_version);
    Meta("cupti_version", m_.cupti_version);
    if (m_.rank) Meta("rank", std::to_string(*m_.rank));
    if (m_.world_size) Meta("world_size", std::to_string(*m_.world_size));
    Meta("host", m_.host);
    Meta("dist_backend", m_.dist_backend);
    Meta("nccl_version", m_.nccl_version);
    Meta("import_events_read", std::to_string(m_.events_read));
    Meta("import_events_not_mapped", std::to_string(m_.ignored));
  }

  int64_t Thread(int64_t pid, int64_t tid) {
    auto [it, fresh] = threads_.try_emplace({pid, tid}, 0);
    if (fresh) {
      schemas::ThreadRow t;
      t.process = process_;
      t.tid = tid;
      if (auto n = m_.thread_names.find({pid, tid}); n != m_.thread_names.end()) t.name = n->second;
      it->second = w_->AddThread(t);
      if (first_thread_ == 0) first_thread_ = it->second;
      if (tid == pid_ && main_thread_ == 0) main_thread_ = it->second;
    }
    return it->second;
  }

  int64_t Device(int64_t ordinal) {
    auto [it, fresh] = devices_.try_emplace(ordinal, 0);
    if (fresh) {
      schemas::DeviceRow d;
      d.process = process_;
      d.ordinal = ordinal;
      d.name = "unknown";
      for (const auto& p : m_.devices) {
        if (p.id != ordinal) continue;
        d.name = p.name.empty() ? "unknown" : p.name;
        d.sm_count = p.sm_count;
        d.cc_major = p.cc_major;
        d.cc_minor = p.cc_minor;
        d.memory_bytes = p.memory_bytes;
        FillKnownPeaks(d);
        break;
      }
      it->second = w_->AddDevice(d);
    }
    return it->second;
  }

  int64_t Stream(int64_t device, int64_t stream, int64_t context) {
    auto [it, fresh] = streams_.try_emplace({device, stream}, 0);
    if (fresh) {
      schemas::StreamRow s;
      s.device = Device(device);
      s.context = context;
      s.native_id = stream;
      it->second = w_->AddStream(s);
    }
    return it->second;
  }

  void WriteApis() {
    int64_t synthetic = 0;
    api_names_.reserve(m_.apis.size());
    for (auto& a : m_.apis) {
      if (a.correlation == 0) {
        // No correlation and no flow: kept under a negative id unique in this file (api's key).
        a.correlation = --synthetic;
      }
      schemas::ApiRow r;
      r.correlation = a.correlation;
      r.thread = Thread(a.pid, a.tid);
      r.start = Rel(a.ts);
      r.dur = a.dur;
      r.domain = a.driver ? schemas::ApiDomain::kDriver : schemas::ApiDomain::kRuntime;
      r.cbid = a.cbid;
      r.name = Intern(a.name);
      w_->AddApi(r);
      api_names_.emplace(a.correlation, a.name);
      if (a.external_id != 0) {
        // CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM0: PyTorch's op id ("External id").
        w_->AddExternalCorrelation({a.correlation, 3, a.external_id});
      }
      if (!w_->error().ok()) return;
    }
    if (synthetic != 0) Meta("import_api_without_correlation", std::to_string(-synthetic));
  }

  schemas::StringId Intern(int32_t local) {
    if (static_cast<size_t>(local) >= interned_.size()) interned_.resize(m_.strings.size(), 0);
    auto& id = interned_[static_cast<size_t>(local)];
    if (id == 0) id = w_->Intern(m_.strings.at(local));
    return id;
  }

  schemas::StringId InternText(const std::string& text) {
    auto [it, fresh] = text_ids_.try_emplace(text, 0);
    if (fresh) it->second = w_->Intern(text);
    return it->second;
  }

  bool ApiIsAsync(int64_t correlation) {
    auto it = api_names_.find(correlation);
    if (it == api_names_.end()) return false;
    return m_.strings.at(it->second).find("Async") != std::string::npos;
  }

  void WriteKernels() {
    for (const auto& k : m_.kernels) {
      schemas::LaunchConfig lc;
      lc.grid_x = k.grid[0], lc.grid_y = k.grid[1], lc.grid_z = k.grid[2];
      lc.block_x = k.block[0], lc.block_y = k.block[1], lc.block_z = k.block[2];
      lc.cluster_x = lc.cluster_y = lc.cluster_z = 1;
      lc.registers = k.registers;
      // Kineto's "shared memory" is static + dynamic together; it is stored as static.
      lc.static_smem = k.shared_mem;
      schemas::KernelRow r;
      r.stream = Stream(k.device, k.stream, k.context);
      r.start = Rel(k.ts);
      r.dur = k.dur;
      r.correlation = k.correlation;
      r.graph = k.graph;
      r.graph_node = k.graph_node;
      if (k.graph != 0) r.flags |= schemas::kFlagGraph;
      r.name = Intern(k.name);
      r.config = w_->InternLaunchConfig(lc);
      w_->AddKernel(r);
      WriteComm(k, r.stream);
      if (!w_->error().ok()) return;
    }
  }

  std::optional<int64_t> Communicator(const CommArgs& c) {
    if (c.pg_name.empty()) return std::nullopt;
    auto [it, fresh] = communicators_.try_emplace(c.pg_name, 0);
    if (!fresh) return it->second;
    std::vector<int64_t> ranks = c.pg_ranks;
    std::optional<int64_t> size = c.group_size;
    std::string desc = c.pg_desc;
    for (const auto& pg : m_.pg_configs) {
      if (pg.name != c.pg_name) continue;
      if (ranks.empty()) ranks = pg.ranks;
      if (!size) size = pg.size;
      if (desc.empty()) desc = pg.desc;
    }
    schemas::CommunicatorRow row;
    row.comm_id = CommIdOf(c.pg_name);
    row.name = (desc.empty() || desc == "undefined") ? c.pg_name : c.pg_name + ":" + desc;
    row.nranks = size.value_or(static_cast<int64_t>(ranks.size()));
    if (m_.rank) {
      auto pos = std::find(ranks.begin(), ranks.end(), *m_.rank);
      if (pos != ranks.end()) row.rank = pos - ranks.begin();
    }
    it->second = w_->AddCommunicator(row);
    return it->second;
  }

  void WriteComm(const KernelEv& k, int64_t /*stream*/) {
    const std::string& kname = m_.strings.at(k.name);
    const auto parsed = ParseNcclKernelName(kname);
    const CommArgs* args = k.comm >= 0 ? &m_.comm_args[static_cast<size_t>(k.comm)] : nullptr;
    if (args != nullptr && args->collective.empty()) args = args->present && parsed ? args : nullptr;
    if (!parsed && (args == nullptr || args->collective.empty())) return;
    schemas::CommRow c;
    std::string op = args && !args->collective.empty() ? NormalizeCollective(args->collective)
                                                        : parsed->op;
    c.op = InternText(op);
    c.start = Rel(k.ts);
    c.dur = k.dur;
    if (k.correlation != 0) c.kernel_correlation = k.correlation;
    if (parsed) {
      if (!parsed->algorithm.empty()) c.algorithm = InternText(parsed->algorithm);
      if (!parsed->protocol.empty()) c.protocol = InternText(parsed->protocol);
    }
    if (args != nullptr) {
      c.communicator = Communicator(*args);
      c.seq = args->seq;
      c.count = args->in_nelems;
      if (!args->dtype.empty()) {
        const Dtype dt = DtypeOf(args->dtype);
        c.datatype = InternText(dt.name);
        int64_t bytes = 0;
        if (args->in_nelems && dt.bytes > 0 &&
            !__builtin_mul_overflow(*args->in_nelems, static_cast<int64_t>(dt.bytes), &bytes)) {
          c.bytes = bytes;
        }
      }
    }
    const int64_t comm_id = w_->AddComm(c);
    if (args == nullptr) return;
    // Splits: "In split size" is what this rank sends to each peer (input split), "Out split
    // size" what it receives; comm_split.in_count = received from, out_count = sent to.
    const auto& in = args->in_split;
    const auto& out = args->out_split;
    const size_t n = std::max(in.size(), out.size());
    for (size_t i = 0; i < n; ++i) {
      schemas::CommSplitRow s;
      s.comm = comm_id;
      s.peer = args->pg_ranks.size() == n ? args->pg_ranks[i] : static_cast<int64_t>(i);
      s.out_count = i < in.size() ? in[i] : 0;
      s.in_count = i < out.size() ? out[i] : 0;
      w_->AddCommSplit(s);
    }
  }

  void WriteCopies() {
    for (const auto& c : m_.copies) {
      const std::string& name = m_.strings.at(c.name);
      const int64_t stream = Stream(c.device, c.stream, c.context);
      const int64_t flags = ApiIsAsync(c.correlation) ? int64_t{schemas::kFlagAsync} : int64_t{0};
      if (c.is_memset) {
        schemas::MemsetRow r;
        r.stream = stream;
        r.start = Rel(c.ts);
        r.dur = c.dur;
        r.correlation = c.correlation;
        r.bytes = c.bytes;
        r.mem_kind = ParseMemsetKind(name);
        r.flags = flags;
        w_->AddMemset(r);
      } else {
        const CopyKind kind = ParseMemcpyName(name);
        schemas::MemcpyRow r;
        r.stream = stream;
        r.start = Rel(c.ts);
        r.dur = c.dur;
        r.correlation = c.correlation;
        r.bytes = c.bytes;
        r.copy_kind = kind.kind;
        r.src_kind = kind.src;
        r.dst_kind = kind.dst;
        r.flags = flags;
        w_->AddMemcpy(r);
      }
      if (!w_->error().ok()) return;
    }
  }

  void WriteSyncs() {
    for (const auto& y : m_.syncs) {
      schemas::SyncRow r;
      r.type = y.type;
      if (y.stream && y.device >= 0) r.stream = Stream(y.device, *y.stream, 0);
      r.event = y.event;
      r.start = Rel(y.ts);
      r.dur = y.dur;
      r.correlation = y.correlation;
      w_->AddSync(r);
    }
  }

  void WriteRanges() {
    auto& rs = m_.ranges;
    // Threads for GPU annotations: the CPU thread of the user_annotation with the same External
    // id (Kineto mirrors record_function ranges onto the GPU), else the process's main thread.
    std::unordered_map<int64_t, std::pair<int64_t, int64_t>> cpu_by_external;
    for (const auto& r : rs) {
      if (r.kind == RangeKind::kUserAnnotation && r.external_id != 0) {
        cpu_by_external.emplace(r.external_id, std::make_pair(r.pid, r.tid));
      }
    }
    // Depth: per CPU thread (annotations and ops nest on one stack) and per GPU stream.
    std::vector<uint32_t> order(rs.size());
    std::iota(order.begin(), order.end(), 0u);
    auto group = [&](const RangeEv& r) {
      return std::make_tuple(r.kind == RangeKind::kGpuAnnotation ? 1 : 0, r.pid, r.tid);
    };
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      const auto& x = rs[a];
      const auto& y = rs[b];
      const auto gx = group(x), gy = group(y);
      if (gx != gy) return gx < gy;
      if (x.ts != y.ts) return x.ts < y.ts;
      return x.dur > y.dur;  // the enclosing range first
    });
    const schemas::StringId op_domain = InternText("pytorch.cpu_op");
    std::vector<int64_t> ends;
    std::tuple<int, int64_t, int64_t> current{-1, 0, 0};
    std::map<int64_t, bool> step_seen;
    for (uint32_t idx : order) {
      const RangeEv& r = rs[idx];
      if (group(r) != current) {
        current = group(r);
        ends.clear();
      }
      while (!ends.empty() && ends.back() <= r.ts) ends.pop_back();
      schemas::NvtxRow row;
      row.kind = schemas::NvtxKind::kPushPop;
      row.text = Intern(r.name);
      row.start = Rel(r.ts);
      row.dur = r.dur;
      row.depth = static_cast<int64_t>(ends.size());
      ends.push_back(r.ts + r.dur);
      if (r.kind == RangeKind::kGpuAnnotation) {
        auto it = cpu_by_external.find(r.external_id);
        row.thread = it != cpu_by_external.end() ? Thread(it->second.first, it->second.second)
                                                 : FallbackThread();
        row.stream = Stream(r.pid, r.tid, 0);
      } else {
        row.thread = Thread(r.pid, r.tid);
        if (r.kind == RangeKind::kCpuOp) row.domain = op_domain;
      }
      w_->AddNvtx(row);
      int64_t number = 0;
      if (r.kind != RangeKind::kGpuAnnotation && StepNumber(m_.strings.at(r.name), number) &&
          !step_seen[number]) {
        step_seen[number] = true;
        schemas::StepRow s;
        s.number = number;
        s.start = Rel(r.ts);
        s.dur = r.dur;
        s.source = "profiler_step";
        w_->AddStep(s);
      }
      if (!w_->error().ok()) return;
    }
  }

  int64_t FallbackThread() {
    if (main_thread_ != 0) return main_thread_;
    if (first_thread_ != 0) return first_thread_;
    return Thread(pid_, pid_);
  }

  void WriteOverheads() {
    for (const auto& o : m_.overheads) {
      schemas::OverheadRow r;
      r.kind = o.kind;
      r.start = Rel(o.ts);
      r.dur = o.dur;
      w_->AddOverhead(r);
    }
  }

  std::string_view name_;
  Model& m_;
  ImportStats& stats_;
  TraceWriter* w_ = nullptr;
  int64_t origin_ts_ = 0;
  int64_t pid_ = 0;
  int64_t process_ = 0;
  int64_t main_thread_ = 0, first_thread_ = 0;
  std::unordered_map<std::pair<int64_t, int64_t>, int64_t, PairHash> threads_, streams_;
  std::unordered_map<int64_t, int64_t> devices_;
  std::unordered_map<std::string, int64_t> communicators_;
  std::unordered_map<std::string, schemas::StringId> text_ids_;
  std::unordered_map<int64_t, int32_t> api_names_;
  std::vector<schemas::StringId> interned_;
};

}  // namespace

Status EmitModel(std::string_view display_name, Model& model, TraceSink& sink, ImportStats& stats) {
  Emitter emitter(display_name, model, stats);
  return emitter.Run(sink);
}

}  // namespace moeprof::analyzer::kineto
