// Perfetto/Chrome JSON export: exact µs text for ns, valid JSON with the expected tracks, flows and
// findings; and the round trip export → ImportKineto → same counts and times of kernels, API calls
// and copies (skipped, with a message, in builds without the Kineto importer).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>

#include "../nsys/import_test_util.h"
#include "moeprof/analyzer/importers.h"
#include "moeprof/analyzer/perfetto_export.h"
#include "moeprof/schemas/trace_reader.h"
#include "moeprof/schemas/trace_writer.h"

namespace moeprof::analyzer {
namespace {

using namespace moeprof::importer_testing;

// A small trace: 2 streams, 6 kernels with odd ns times, runtime + driver calls, a pageable D2H
// copy, a memset, a sync, NVTX ranges; kernel 5 has no launch.
std::string MakeTrace(const std::string& dir) {
  const std::string path = dir + "/src.sqlite";
  schemas::WriterOptions wo;
  wo.origin_ns = 1700000000123456789;
  auto w = schemas::TraceWriter::Create(path, wo);
  EXPECT_TRUE(w.ok());
  schemas::TraceWriter& t = **w;
  (void)t.SetMeta("rank", "0");
  schemas::ProcessRow p;
  p.pid = 4242;
  p.host = "node1";
  p.rank = 0;
  p.world_size = 2;
  const int64_t proc = t.AddProcess(p);
  schemas::ThreadRow th;
  th.process = proc;
  th.tid = 4243;
  th.name = "main";
  const int64_t thread = t.AddThread(th);
  schemas::DeviceRow d;
  d.process = proc;
  d.ordinal = 0;
  d.name = "NVIDIA H100";
  const int64_t dev = t.AddDevice(d);
  schemas::StreamRow s1;
  s1.device = dev;
  s1.context = 1;
  s1.native_id = 7;
  const int64_t st1 = t.AddStream(s1);
  schemas::StreamRow s2 = s1;
  s2.native_id = 13;
  s2.name = "ep_comm";
  const int64_t st2 = t.AddStream(s2);
  schemas::LaunchConfig lc;
  lc.grid_x = 128;
  lc.grid_y = lc.grid_z = 1;
  lc.block_x = 256;
  lc.block_y = lc.block_z = 1;
  lc.registers = 64;
  lc.static_smem = 1024;
  lc.dynamic_smem = 2048;
  lc.cluster_x = lc.cluster_y = lc.cluster_z = 1;
  const int64_t cfg = t.InternLaunchConfig(lc);
  for (int i = 0; i < 6; ++i) {
    schemas::ApiRow a;
    a.correlation = 10 + i;
    a.thread = thread;
    a.start = 1001 + i * 10007;
    a.dur = 3001 + i;
    a.cbid = 211;
    a.name = t.Intern(i == 2 ? "cuLaunchKernel" : "cudaLaunchKernel");
    a.domain = i == 2 ? schemas::ApiDomain::kDriver : schemas::ApiDomain::kRuntime;
    if (i != 5) t.AddApi(a);
    schemas::KernelRow k;
    k.stream = i % 2 ? st2 : st1;
    k.start = 5003 + i * 10007;
    k.dur = 777 + i * 13;
    k.correlation = 10 + i;
    k.name = t.Intern(i % 2 ? "ncclDevKernel_SendRecv" : "gemm_kernel");
    k.config = cfg;
    t.AddKernel(k);
  }
  schemas::ApiRow a;
  a.correlation = 100;
  a.thread = thread;
  a.start = 90001;
  a.dur = 9999;
  a.name = t.Intern("cudaMemcpy");
  t.AddApi(a);
  schemas::MemcpyRow m;
  m.stream = st1;
  m.start = 91234;
  m.dur = 5555;
  m.correlation = 100;
  m.bytes = 4096;
  m.copy_kind = 2;
  m.src_kind = 3;
  m.dst_kind = 1;
  t.AddMemcpy(m);
  schemas::MemsetRow ms;
  ms.stream = st2;
  ms.start = 99000;
  ms.dur = 321;
  ms.bytes = 512;
  ms.mem_kind = 3;
  t.AddMemset(ms);
  schemas::SyncRow sy;
  sy.type = 4;
  sy.start = 100100;
  sy.dur = 400;
  t.AddSync(sy);
  schemas::NvtxRow n;
  n.thread = thread;
  n.text = t.Intern("ProfilerStep#0");
  n.start = 900;
  n.dur = 110000;
  t.AddNvtx(n);
  EXPECT_TRUE(t.Close().ok());
  return path;
}

TEST(PerfettoExport, MicrosTextIsExact) {
  EXPECT_EQ(NanosToMicrosText(0), "0.000");
  EXPECT_EQ(NanosToMicrosText(1), "0.001");
  EXPECT_EQ(NanosToMicrosText(12345), "12.345");
  EXPECT_EQ(NanosToMicrosText(-1500), "-1.500");
  EXPECT_EQ(NanosToMicrosText(INT64_MAX), "9223372036854775.807");
  EXPECT_EQ(NanosToMicrosText(INT64_MIN), "-9223372036854775.808");
}

TEST(PerfettoExport, WritesValidChromeTraceWithTracksFlowsAndFindings) {
  const std::string dir = TempDir("perfetto");
  const std::string src = MakeTrace(dir);
  Finding f;
  f.rule = "exposed_sync";
  f.severity = Severity::kHigh;
  f.title = "cudaDeviceSynchronize idles the GPU";
  f.ranks = {0};
  f.evidence = {{100100, 100500}};
  f.cost_ns = 400;
  PerfettoStats stats;
  Status st = ExportPerfetto({src}, dir + "/out.json", {f}, &stats);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(stats.kernels, 6);
  EXPECT_EQ(stats.apis, 6);
  EXPECT_EQ(stats.memcpys, 1);
  EXPECT_EQ(stats.flows, 6);  // 5 launched kernels + the memcpy
  EXPECT_EQ(stats.findings, 1);

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.load(dir + "/out.json").get(doc), simdjson::SUCCESS);
  EXPECT_EQ(int64_t(doc["baseTimeNanoseconds"]), 1700000000123456789);
  EXPECT_EQ(int64_t(doc["distributedInfo"]["rank"]), 0);
  std::map<std::string, int> cats;
  bool saw_stream_name = false, saw_finding = false;
  for (simdjson::dom::element e : doc["traceEvents"].get_array()) {
    std::string_view ph = e["ph"];
    if (ph == "M") {
      std::string_view name = e["name"];
      if (name == "thread_name" && std::string_view(e["args"]["name"]) == "stream 13 ep_comm") saw_stream_name = true;
      continue;
    }
    cats[std::string(std::string_view(e["cat"]))]++;
    if (ph == "i") {
      saw_finding = true;
      EXPECT_EQ(std::string_view(e["args"]["rule"]), "exposed_sync");
      EXPECT_EQ(int64_t(e["pid"]), 4242);
    }
  }
  EXPECT_EQ(cats["kernel"], 6);
  EXPECT_EQ(cats["cuda_runtime"], 5);
  EXPECT_EQ(cats["cuda_driver"], 1);
  EXPECT_EQ(cats["gpu_memcpy"], 1);
  EXPECT_EQ(cats["gpu_memset"], 1);
  EXPECT_EQ(cats["cuda_sync"], 1);
  EXPECT_EQ(cats["user_annotation"], 1);
  EXPECT_EQ(cats["ac2g"], 12);  // 6 starts + 6 ends
  EXPECT_TRUE(saw_stream_name);
  EXPECT_TRUE(saw_finding);
  const std::string text = ReadText(dir + "/out.json");
  EXPECT_TRUE(Contains(text, "\"ts\": 5.003, \"dur\": 0.777")) << "exact ns as µs";
}

TEST(PerfettoExport, RoundTripThroughKinetoImporter) {
  const std::string dir = TempDir("perfetto_rt");
  const std::string src = MakeTrace(dir);
  ASSERT_TRUE(ExportPerfetto({src}, dir + "/out.json").ok());
  auto sink = FileTraceSink::ToFile(dir + "/back.sqlite", true);
  ImportStats stats;
  Status st = ImportKineto(dir + "/out.json", *sink, ImportOptions{}, stats);
  if (st.code() == ErrorCode::kUnavailable) GTEST_SKIP() << st.message();
  ASSERT_TRUE(st.ok()) << st.message();
  std::vector<std::string> outputs;
  ASSERT_TRUE(sink->CloseAll(outputs).ok());
  auto a = (*schemas::TraceReader::Open(src))->LoadAll();
  auto b = (*schemas::TraceReader::Open(dir + "/back.sqlite"))->LoadAll();
  ASSERT_TRUE(a.ok() && b.ok());
  const int64_t shift = b->origin_ns - a->origin_ns;  // the importer may pick its own origin
  ASSERT_EQ(a->kernels.size(), b->kernels.size());
  ASSERT_EQ(a->api.size(), b->api.size());
  ASSERT_EQ(a->memcpys.size(), b->memcpys.size());
  ASSERT_EQ(a->memsets.size(), b->memsets.size());
  std::multiset<std::tuple<int64_t, int64_t, int64_t, std::string>> ka, kb;
  for (size_t i = 0; i < a->kernels.size(); ++i) {
    ka.insert({a->kernels.start[i], a->kernels.dur[i], a->kernels.correlation[i], a->str(a->kernels.name[i])});
    kb.insert({b->kernels.start[i] + shift, b->kernels.dur[i], b->kernels.correlation[i], b->str(b->kernels.name[i])});
  }
  EXPECT_EQ(ka, kb);
  std::multiset<std::tuple<int64_t, int64_t, int64_t, std::string>> aa, ab;
  for (size_t i = 0; i < a->api.size(); ++i) {
    aa.insert({a->api.start[i], a->api.dur[i], a->api.correlation[i], a->str(a->api.name[i])});
    ab.insert({b->api.start[i] + shift, b->api.dur[i], b->api.correlation[i], b->str(b->api.name[i])});
  }
  EXPECT_EQ(aa, ab);
  EXPECT_EQ(a->memcpys[0].start, b->memcpys[0].start + shift);
  EXPECT_EQ(a->memcpys[0].dur, b->memcpys[0].dur);
  EXPECT_EQ(a->memcpys[0].bytes, b->memcpys[0].bytes);
}

TEST(PerfettoExport, SeveralRanksBecomeSeparateProcesses) {
  const std::string d1 = TempDir("perfetto_r0"), d2 = TempDir("perfetto_r1");
  const std::string t1 = MakeTrace(d1), t2 = MakeTrace(d2);
  PerfettoStats stats;
  ASSERT_TRUE(ExportPerfetto({t1, t2}, d1 + "/both.json", &stats).ok());
  EXPECT_EQ(stats.kernels, 12);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.load(d1 + "/both.json").get(doc), simdjson::SUCCESS);
  std::set<int64_t> kernel_pids;
  for (simdjson::dom::element e : doc["traceEvents"].get_array()) {
    std::string_view cat;
    if (e["cat"].get(cat) == simdjson::SUCCESS && cat == "kernel") kernel_pids.insert(int64_t(e["pid"]));
  }
  EXPECT_EQ(kernel_pids.size(), 2u);
}

}  // namespace
}  // namespace moeprof::analyzer
