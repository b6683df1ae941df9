// Every Kineto trace under ../shared/data/traces imports, and what it holds matches counts computed
// here independently of the importer: the file is inflated with zlib's gz* API and walked with
// simdjson's DOM API (the importer uses on-demand), counting by category and name.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kineto_test_util.h"

namespace moeprof::analyzer::kineto_test {
namespace {

namespace fs = std::filesystem;

std::string TracesDir() { return std::string(MOEPROF_SOURCE_DIR) + "/../shared/data/traces"; }

std::vector<std::string> KinetoFiles() {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(TracesDir(), ec)) return {""};
  for (auto it = fs::recursive_directory_iterator(TracesDir(), ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string p = it->path().string();
    if (it->is_regular_file() && (p.ends_with(".json") || p.ends_with(".json.gz"))) {
      out.push_back(fs::relative(it->path(), TracesDir()).string());
    }
  }
  std::sort(out.begin(), out.end());
  if (out.empty()) out.push_back("");
  return out;
}

std::string ReadAllGz(const std::string& path) {  // gzread passes plain files through
  std::string out;
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return out;
  char buf[1 << 16];
  int n = 0;
  while ((n = gzread(f, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  gzclose(f);
  return out;
}

// Test-side op naming, written separately from the importer's.
std::string OpOfCollective(std::string c) {
  std::string k;
  for (char ch : c) {
    if (ch != '_') k += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  const std::pair<const char*, const char*> table[] = {
      {"allreduce", "AllReduce"}, {"allgather", "AllGather"},       {"broadcast", "Broadcast"},
      {"alltoall", "AllToAll"},   {"reducescatter", "ReduceScatter"}, {"send", "Send"},
      {"recv", "Recv"}};
  for (const auto& [prefix, op] : table) {
    if (k.rfind(prefix, 0) == 0) return op;
  }
  return c;
}

std::string OpOfNcclKernel(std::string_view name) {
  for (std::string_view prefix : {"ncclKernel_", "ncclDevKernel_"}) {
    if (name.rfind(prefix, 0) == 0) {
      std::string_view rest = name.substr(prefix.size());
      size_t end = 0;
      while (end < rest.size() && std::isalnum(static_cast<unsigned char>(rest[end]))) ++end;
      return std::string(rest.substr(0, end));
    }
  }
  return {};
}

struct Counts {
  int64_t kernels = 0, api = 0, syncs = 0, memcpy = 0, d2h = 0, memset = 0;
  std::map<std::string, int64_t> nccl_by_op;
  std::set<int64_t> steps;
  std::set<int64_t> launch_flow_ids;  // ids of ac2g flows whose launch ('s') end is in the file
  bool has_flows = false;
};

Counts CountIndependently(const std::string& text) {
  Counts c;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(text).get(root), simdjson::SUCCESS);
  simdjson::dom::array events;
  if (root.is_array()) {
    events = root.get_array().value_unsafe();
  } else {
    EXPECT_EQ(root["traceEvents"].get_array().get(events), simdjson::SUCCESS);
  }
  for (simdjson::dom::element e : events) {
    std::string_view ph, cat, name;
    if (e["ph"].get_string().get(ph)) continue;
    if (e["cat"].get_string().get(cat)) continue;
    if (cat == "ac2g" || cat == "async_cpu_to_gpu" || cat == "async") {
      c.has_flows = true;
      int64_t id = 0;
      if (ph == "s" && !e["id"].get_int64().get(id)) c.launch_flow_ids.insert(id);
      continue;
    }
    if (ph != "X") continue;
    if (e["name"].get_string().get(name)) name = {};
    if (!e["ts"].is_number() || !e["dur"].is_number()) continue;
    if (cat == "kernel" || cat == "Kernel") {
      ++c.kernels;
      std::string_view collective;
      if (!e["args"]["Collective name"].get_string().get(collective)) {
        c.nccl_by_op[OpOfCollective(std::string(collective))]++;
      } else if (const std::string op = OpOfNcclKernel(name); !op.empty()) {
        c.nccl_by_op[op]++;
      }
    } else if (cat == "cuda_runtime" || cat == "Runtime" || cat == "cuda_driver") {
      ++c.api;
    } else if (cat == "cuda_sync") {
      ++c.syncs;
    } else if (cat == "gpu_memcpy" || cat == "Memcpy") {
      ++c.memcpy;
      if (name.find("DtoH") != std::string_view::npos) ++c.d2h;
    } else if (cat == "gpu_memset" || cat == "Memset") {
      ++c.memset;
    } else if (cat == "user_annotation" || cat == "cpu_op" || cat == "Operator") {
      if (name.rfind("ProfilerStep#", 0) == 0) c.steps.insert(std::stoll(std::string(name.substr(13))));
    }
  }
  return c;
}

class KinetoRealTrace : public ::testing::TestWithParam<std::string> {};

TEST_P(KinetoRealTrace, ImportsWithIndependentlyCountedContents) {
  if (GetParam().empty()) {
    GTEST_SKIP() << "no Kineto traces: " << TracesDir()
                 << " is absent (shared traces are not part of a fresh clone)";
  }
  const std::string path = TracesDir() + "/" + GetParam();
  std::string out_name = GetParam();
  std::replace(out_name.begin(), out_name.end(), '/', '_');
  const Imported r = ImportFile(path, out_name + ".sqlite");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  const schemas::Trace& t = r.trace;
  const Counts want = CountIndependently(ReadAllGz(path));

  EXPECT_EQ(static_cast<int64_t>(t.kernels.size()), want.kernels);
  EXPECT_EQ(static_cast<int64_t>(t.api.size()), want.api);
  EXPECT_EQ(static_cast<int64_t>(t.syncs.size()), want.syncs);
  EXPECT_EQ(static_cast<int64_t>(t.memcpys.size()), want.memcpy);
  EXPECT_EQ(static_cast<int64_t>(t.memsets.size()), want.memset);
  int64_t d2h = 0;
  for (const auto& m : t.memcpys) d2h += m.copy_kind == 2;
  EXPECT_EQ(d2h, want.d2h);

  std::map<std::string, int64_t> comm_by_op;
  for (const auto& c : t.comms) comm_by_op[t.str(c.op)]++;
  EXPECT_EQ(comm_by_op, want.nccl_by_op);

  std::set<int64_t> steps;
  for (const auto& s : t.steps) {
    steps.insert(s.number);
    EXPECT_EQ(s.source, "profiler_step");
  }
  EXPECT_EQ(steps, want.steps);

  // API ↔ kernel links: kernels whose launch is in the file (an ac2g flow starts on a CPU call
  // with their correlation id; in files without flows, any correlation) find their launching
  // call. Kernels whose flow has only its GPU end (launch outside the profiled threads or window)
  // cannot be linked by anyone and are not counted.
  std::set<int64_t> api_corr(t.api.correlation.begin(), t.api.correlation.end());
  int64_t with_corr = 0, linked = 0;
  for (size_t i = 0; i < t.kernels.size(); ++i) {
    const int64_t corr = t.kernels.correlation[i];
    if (corr == 0) continue;
    if (want.has_flows && !want.launch_flow_ids.count(corr)) continue;
    ++with_corr;
    linked += api_corr.count(corr) ? 1 : 0;
  }
  if (with_corr > 0) {
    EXPECT_GE(static_cast<double>(linked) / static_cast<double>(with_corr), 0.99)
        << linked << " of " << with_corr << " kernels linked";
  }

  // Nothing was dropped by the writer (duplicate keys) and the file says where it came from.
  for (const auto& d : t.drops) EXPECT_NE(d.source, "writer") << d.reason << " x" << d.count;
  EXPECT_EQ(t.meta.at("source"), "kineto");
  EXPECT_FALSE(t.processes.empty());
  if (want.kernels > 0) {
    EXPECT_FALSE(t.devices.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(SharedTraces, KinetoRealTrace, ::testing::ValuesIn(KinetoFiles()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string n = param_info.param.empty() ? "absent" : param_info.param;
                           for (char& ch : n) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace moeprof::analyzer::kineto_test
