// Checks a trace recorded from smoke_workload against what the workload says it launched (its
// "expect ..." line): every kernel has its API row and starts after its launch call, times are
// sane, graph kernels carry graph ids, copies/memsets/syncs/NVTX ranges are all there, no drops.
// Usage: check_smoke_trace TRACE.sqlite EXPECT_FILE   (exit 0 = pass, 1 = fail, 2 = unreadable)
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>

#include "moeprof/schemas/trace_reader.h"

namespace {

std::map<std::string, long> ParseExpect(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::map<std::string, long> out;
  while (std::getline(in, line)) {
    if (line.rfind("expect ", 0) != 0) continue;
    std::istringstream words(line.substr(7));
    std::string kv;
    while (words >> kv) {
      auto eq = kv.find('=');
      if (eq != std::string::npos) out[kv.substr(0, eq)] = std::stol(kv.substr(eq + 1));
    }
  }
  return out;
}

int failures = 0;
void Expect(bool ok, const std::string& what) {
  std::printf("  [%s] %s\n", ok ? "ok" : "FAIL", what.c_str());
  if (!ok) ++failures;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: check_smoke_trace TRACE EXPECT_FILE\n");
    return 2;
  }
  auto expect = ParseExpect(argv[2]);
  if (expect.empty()) {
    std::fprintf(stderr, "check_smoke_trace: %s: no 'expect' line\n", argv[2]);
    return 2;
  }
  auto reader = moeprof::schemas::TraceReader::Open(argv[1]);
  if (!reader) {
    std::fprintf(stderr, "check_smoke_trace: %s\n", reader.status().message().c_str());
    return 2;
  }
  auto loaded = (*reader)->LoadAll();
  if (!loaded) {
    std::fprintf(stderr, "check_smoke_trace: %s\n", loaded.status().message().c_str());
    return 2;
  }
  const moeprof::schemas::Trace& t = *loaded;
  std::printf("%s\n", argv[1]);

  std::unordered_map<int64_t, size_t> api_by_corr;
  for (size_t i = 0; i < t.api.size(); ++i) api_by_corr[t.api.correlation[i]] = i;

  const auto& k = t.kernels;
  size_t with_api = 0, after_launch = 0, sane = 0, graph_kernels = 0;
  for (size_t i = 0; i < k.size(); ++i) {
    if (k.start[i] > 0 && k.dur[i] > 0) ++sane;
    if (k.graph[i] != 0) ++graph_kernels;
    auto it = api_by_corr.find(k.correlation[i]);
    if (it == api_by_corr.end()) continue;
    ++with_api;
    if (k.start[i] >= t.api.start[it->second]) ++after_launch;
  }
  const long want_kernels = expect["kernels"] + expect["graph_kernels"];
  Expect(static_cast<long>(k.size()) == want_kernels,
         "kernels: " + std::to_string(k.size()) + " recorded, " + std::to_string(want_kernels) + " launched");
  Expect(with_api == k.size(), "kernels with their API row: " + std::to_string(with_api));
  Expect(after_launch == k.size(), "kernels starting after their launch call: " + std::to_string(after_launch));
  Expect(sane == k.size(), "kernels with 0 < start and 0 < duration: " + std::to_string(sane));
  Expect(static_cast<long>(graph_kernels) == expect["graph_kernels"],
         "graph kernels with a graph id: " + std::to_string(graph_kernels));

  long h2d = 0, d2h = 0;
  for (const auto& m : t.memcpys) {
    if (m.copy_kind == 1) ++h2d;
    if (m.copy_kind == 2) ++d2h;
  }
  Expect(h2d == expect["h2d"], "H2D copies: " + std::to_string(h2d));
  Expect(d2h == expect["d2h"], "D2H copies: " + std::to_string(d2h));
  Expect(static_cast<long>(t.memsets.size()) == expect["memsets"], "memsets: " + std::to_string(t.memsets.size()));

  std::set<int64_t> sync_types;
  for (const auto& s : t.syncs) sync_types.insert(s.type);
  // CUpti_ActivitySynchronizationType: 1 event sync, 2 stream wait event, 3 stream sync, 4 context sync.
  Expect(sync_types.count(1) && sync_types.count(3) && sync_types.count(4),
         "event, stream and context synchronizations recorded (" + std::to_string(t.syncs.size()) + " syncs)");

  long ranges = 0, max_depth = 0;
  for (const auto& n : t.nvtx) {
    if (n.kind == moeprof::schemas::NvtxKind::kMark) continue;
    ++ranges;
    if (n.depth > max_depth) max_depth = n.depth;
  }
  Expect(ranges == expect["nvtx_ranges"], "NVTX ranges: " + std::to_string(ranges));
  Expect(max_depth >= 2, "NVTX nesting depth reaches 2: " + std::to_string(max_depth));

  int64_t dropped = 0;
  for (const auto& d : t.drops) dropped += d.count;
  Expect(dropped == 0, "dropped records: " + std::to_string(dropped));
  Expect(!t.devices.empty() && !t.devices[0].name.empty(),
         "device row: " + (t.devices.empty() ? std::string("none") : t.devices[0].name));
  std::printf("%s: %d check(s) failed\n", failures ? "FAIL" : "PASS", failures);
  return failures ? 1 : 0;
}
