// Hand-built traces for the rule tests: a small builder over schemas::Trace (strings, streams,
// launch calls with their kernels, copies, syncs, NVTX ranges, steps, routing) and a helper that
// turns traces into a Run through BuildRankTrace, then runs one rule. Times are in microseconds in
// the tests (US(x) = x * 1000 ns) so the expected costs can be read off the scenario.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "moeprof/analyzer/kernel_class.h"
#include "moeprof/analyzer/model.h"
#include "moeprof/analyzer/rules.h"
#include "moeprof/schemas/trace_reader.h"

namespace moeprof::rules_test {

using namespace moeprof::analyzer;  // NOLINT: test brevity

constexpr int64_t US(double us) {
  const double ns = us * 1000.0;  // rounded: 19.9 * 1000 is 19899.999...
  return static_cast<int64_t>(ns < 0 ? ns - 0.5 : ns + 0.5);
}

class TraceBuilder {
 public:
  explicit TraceBuilder(int rank = 0) {
    t_.strings.push_back("");
    t_.meta["rank"] = std::to_string(rank);
    schemas::DeviceRow d;
    d.id = 1;
    d.name = "NVIDIA H100 80GB HBM3";
    d.memory_bandwidth_bps = 3'350'000'000'000;
    t_.devices.push_back(d);
    schemas::ThreadRow th;
    th.id = kThread;
    th.tid = 100 + rank;
    t_.threads.push_back(th);
    schemas::LaunchConfig c;
    c.id = 1;
    c.grid_x = c.grid_y = c.grid_z = 1;
    c.block_x = 128;
    c.block_y = c.block_z = 1;
    t_.launch_configs.push_back(c);
  }

  static constexpr int64_t kThread = 1;

  int32_t Str(const std::string& s) {
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
    t_.strings.push_back(s);
    const auto id = static_cast<int32_t>(t_.strings.size() - 1);
    ids_[s] = id;
    return id;
  }

  // Adds a stream (device 1) with a role; returns its id.
  int64_t Stream(const std::string& role, const std::string& name = "") {
    schemas::StreamRow s;
    s.id = static_cast<int64_t>(t_.streams.size()) + 1;
    s.device = 1;
    s.native_id = s.id + 10;
    if (!role.empty()) s.role = role;
    if (!name.empty()) s.name = name;
    t_.streams.push_back(s);
    return s.id;
  }

  // An API call; returns its correlation id.
  int64_t Api(const std::string& name, int64_t start, int64_t dur, int64_t thread = kThread) {
    const int64_t corr = next_corr_++;
    api_.push_back({corr, thread, start, dur, Str(name)});
    return corr;
  }

  // A kernel launched by a cudaLaunchKernel call [api_start, api_start + api_dur).
  int64_t Kernel(int64_t stream, const std::string& name, int64_t start, int64_t dur,
                 int64_t api_start, int64_t api_dur = US(2), int32_t config = 1) {
    const int64_t corr = Api("cudaLaunchKernel", api_start, api_dur);
    KernelAt(stream, name, start, dur, corr, config);
    return corr;
  }
  // A kernel whose launch is 3 us before it starts (for tests that do not care about launches).
  int64_t K(int64_t stream, const std::string& name, int64_t start, int64_t dur) {
    return Kernel(stream, name, start, dur, start - US(3), US(2));
  }
  void KernelAt(int64_t stream, const std::string& name, int64_t start, int64_t dur, int64_t corr,
                int32_t config = 1, int32_t flags = 0, int64_t graph = 0) {
    kernels_.push_back({stream, start, dur, corr, Str(name), config, flags, graph});
  }
  int32_t Config(int64_t grid_x) {
    schemas::LaunchConfig c;
    c.id = static_cast<int64_t>(t_.launch_configs.size()) + 1;
    c.grid_x = grid_x;
    c.grid_y = c.grid_z = 1;
    c.block_x = 128;
    c.block_y = c.block_z = 1;
    t_.launch_configs.push_back(c);
    return static_cast<int32_t>(c.id);
  }

  void Memcpy(int64_t stream, int64_t start, int64_t dur, int64_t corr, int64_t kind = 2,
              int64_t dst_kind = 2) {
    schemas::MemcpyRow m;
    m.stream = stream;
    m.start = start;
    m.dur = dur;
    m.correlation = corr;
    m.bytes = 4096;
    m.copy_kind = kind;
    m.src_kind = 3;
    m.dst_kind = dst_kind;
    t_.memcpys.push_back(m);
  }

  void Sync(int64_t type, int64_t start, int64_t dur, int64_t corr, std::optional<int64_t> stream) {
    schemas::SyncRow s;
    s.id = static_cast<int64_t>(t_.syncs.size()) + 1;
    s.type = type;
    s.stream = stream;
    s.start = start;
    s.dur = dur;
    s.correlation = corr;
    t_.syncs.push_back(s);
  }

  void Range(const std::string& text, int64_t start, int64_t end, int64_t depth,
             int64_t thread = kThread) {
    schemas::NvtxRow n;
    n.id = static_cast<int64_t>(t_.nvtx.size()) + 1;
    n.thread = thread;
    n.kind = schemas::NvtxKind::kPushPop;
    n.text = Str(text);
    n.start = start;
    n.dur = end - start;
    n.depth = depth;
    t_.nvtx.push_back(n);
  }

  void StepRow(int64_t number, int64_t start, int64_t end) {
    schemas::StepRow s;
    s.id = static_cast<int64_t>(t_.steps.size()) + 1;
    s.number = number;
    s.start = start;
    s.dur = end - start;
    s.source = "nvtx";
    t_.steps.push_back(s);
  }

  void Routing(int64_t step, int64_t layer, int64_t mb, int64_t rank,
               const std::vector<int64_t>& tokens) {
    for (size_t e = 0; e < tokens.size(); ++e) {
      t_.routing.push_back({step, layer, mb, rank, static_cast<int64_t>(e), tokens[e], std::nullopt});
    }
  }

  void Communicator(const std::string& role, int64_t rank, int64_t nranks) {
    schemas::CommunicatorRow c;
    c.id = static_cast<int64_t>(t_.communicators.size()) + 1;
    c.comm_id = 1000 + c.id;
    c.rank = rank;
    c.nranks = nranks;
    c.role = role;
    t_.communicators.push_back(c);
  }

  void CommRow(int64_t kernel_corr, const std::string& op, const std::string& role) {
    schemas::CommRow c;
    c.id = static_cast<int64_t>(t_.comms.size()) + 1;
    c.op = Str(op);
    c.kernel_correlation = kernel_corr;
    c.role = role;
    t_.comms.push_back(c);
  }

  schemas::Trace& raw() { return t_; }

  // Columns sorted as stored: kernels by (stream, start), api by correlation.
  schemas::Trace Build() const {
    schemas::Trace t = t_;
    std::vector<ApiRec> api = api_;
    std::sort(api.begin(), api.end(), [](const ApiRec& a, const ApiRec& b) { return a.corr < b.corr; });
    for (const ApiRec& a : api) {
      t.api.correlation.push_back(a.corr);
      t.api.thread.push_back(static_cast<int32_t>(a.thread));
      t.api.start.push_back(a.start);
      t.api.dur.push_back(a.dur);
      t.api.domain.push_back(0);
      t.api.cbid.push_back(0);
      t.api.name.push_back(a.name);
      t.api.status.push_back(0);
    }
    std::vector<KRec> ks = kernels_;
    std::sort(ks.begin(), ks.end(), [](const KRec& a, const KRec& b) {
      return a.stream != b.stream ? a.stream < b.stream : a.start < b.start;
    });
    for (const KRec& k : ks) {
      t.kernels.stream.push_back(static_cast<int32_t>(k.stream));
      t.kernels.start.push_back(k.start);
      t.kernels.dur.push_back(k.dur);
      t.kernels.correlation.push_back(k.corr);
      t.kernels.graph_node.push_back(0);
      t.kernels.graph.push_back(k.graph);
      t.kernels.name.push_back(k.name);
      t.kernels.config.push_back(k.config);
      t.kernels.flags.push_back(k.flags);
    }
    return t;
  }

 private:
  struct ApiRec { int64_t corr, thread, start, dur; int32_t name; };
  struct KRec { int64_t stream, start, dur, corr; int32_t name, config, flags; int64_t graph; };
  schemas::Trace t_;
  std::map<std::string, int32_t> ids_;
  std::vector<ApiRec> api_;
  std::vector<KRec> kernels_;
  int64_t next_corr_ = 1;
};

// Classes set by name, so that each rule's test checks the rule and not the classifier's table.
using ClassMap = std::map<std::string, Classification>;

inline Classification Cls(KernelClass c, CommOp op = CommOp::kNone, bool fp64 = false) {
  Classification out;
  out.cls = c;
  out.comm = op;
  out.fp64 = fp64;
  return out;
}

inline Run MakeRun(const std::vector<TraceBuilder*>& builders, const ClassMap& classes = {}) {
  Run run;
  run.classifier = Classifier::Builtin();
  int i = 0;
  for (TraceBuilder* b : builders) {
    auto rt = BuildRankTrace(b->Build(), i++, run.classifier, LoadOptions{});
    EXPECT_TRUE(rt.ok()) << rt.status().message();
    RankTrace r = std::move(rt.value());
    for (size_t id = 0; id < r.trace.strings.size() && id < r.name_class.size(); ++id) {
      auto it = classes.find(r.trace.strings[id]);
      if (it != classes.end()) r.name_class[id] = it->second;
    }
    run.ranks.push_back(std::move(r));
  }
  std::sort(run.ranks.begin(), run.ranks.end(),
            [](const RankTrace& a, const RankTrace& b) { return a.rank < b.rank; });
  return run;
}

inline std::vector<Finding> RunOne(const Run& run, const std::string& rule,
                                   const RuleOptions& options = {}) {
  return RunRules(run, options, {rule});
}

inline std::vector<Finding> WarnOrWorse(const std::vector<Finding>& fs) {
  std::vector<Finding> out;
  for (const Finding& f : fs) {
    if (f.severity >= Severity::kWarn) out.push_back(f);
  }
  return out;
}

}  // namespace moeprof::rules_test
