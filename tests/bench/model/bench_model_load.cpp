// Benchmark: load a generated N-kernel trace (LoadRun: read, sort check, stream ranges, classes,
// steps) and compute the whole-trace breakdown, printing wall time and peak RSS per event.
// Usage: bench_model_load [N=1000000] [--hta]. The trace (8 streams, ~100 kernel names, durations
// 2-300 µs, one runtime launch call per kernel, NVTX step ranges) is written once through
// TraceWriter and cached as /tmp/moeprof_bench_model_<N>.sqlite. Run one N per process: peak RSS
// is per process.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "moeprof/analyzer/breakdown.h"
#include "moeprof/analyzer/model.h"
#include "moeprof/schemas/trace_writer.h"

using namespace moeprof;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

long PeakRssKiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// ~100 realistic names: GEMMs, elementwise, norms, attention, NCCL on the comm streams.
std::vector<std::string> Names() {
  std::vector<std::string> n;
  for (int i = 0; i < 30; ++i) n.push_back("sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64_" + std::to_string(i));
  for (int i = 0; i < 30; ++i) {
    n.push_back("void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<c10::BFloat16>, at::detail::Array<char*, 3> >(int)#" + std::to_string(i));
  }
  for (int i = 0; i < 10; ++i) n.push_back("void transformer_engine::normalization::rmsnorm_fwd_tuned_kernel<" + std::to_string(i) + ">(Params)");
  for (int i = 0; i < 10; ++i) n.push_back("void flash_fwd_kernel<Flash_fwd_kernel_traits<128, " + std::to_string(i) + "> >(Flash_fwd_params)");
  for (int i = 0; i < 10; ++i) n.push_back("triton_red_fused_sum_" + std::to_string(i));
  for (int i = 0; i < 10; ++i) n.push_back("ncclDevKernel_AllReduce_Sum_bf16_RING_LL_" + std::to_string(i));
  return n;
}

std::string Generate(int64_t n) {
  const std::string path = "/tmp/moeprof_bench_model_" + std::to_string(n) + ".sqlite";
  if (std::filesystem::exists(path)) return path;
  const auto t0 = Clock::now();
  schemas::WriterOptions o;
  o.overwrite = true;
  o.origin_ns = 1'700'000'000'000'000'000;
  auto w = schemas::TraceWriter::Create(path + ".tmp", o);
  if (!w) { std::fprintf(stderr, "%s\n", w.status().message().c_str()); std::exit(2); }
  schemas::TraceWriter& tw = **w;
  (void)tw.SetMeta("rank", "0");
  schemas::ThreadRow th;
  th.tid = 1;
  const int64_t thread = tw.AddThread(th);
  std::vector<int64_t> streams;
  for (int s = 0; s < 8; ++s) {
    schemas::StreamRow r;
    r.native_id = 7 + s;
    streams.push_back(tw.AddStream(r));
  }
  const std::vector<std::string> names = Names();
  std::vector<int64_t> ids;
  for (const auto& s : names) ids.push_back(tw.Intern(s));
  const int64_t launch = tw.Intern("cudaLaunchKernel");
  const int64_t step_text = tw.Intern("ProfilerStep#0");
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dur(std::log(20'000.0), 1.0);
  std::vector<int64_t> stream_clock(8, 0);
  int64_t host = 0;
  const int64_t per_step = 10'000;
  for (int64_t i = 0; i < n; ++i) {
    // Stream 0 runs most kernels; streams 6-7 carry the NCCL kernels.
    const int s = (i % 10 < 6) ? 0 : static_cast<int>(1 + i % 7);
    const size_t name = s >= 6 ? 90 + static_cast<size_t>(i % 10) : static_cast<size_t>((i * 7) % 90);
    host += 4'000 + static_cast<int64_t>(rng() % 3'000);
    const int64_t d = std::clamp<int64_t>(static_cast<int64_t>(dur(rng)), 2'000, 300'000);
    const int64_t start = std::max(stream_clock[static_cast<size_t>(s)] + 1'000, host + 5'000);
    stream_clock[static_cast<size_t>(s)] = start + d;
    schemas::ApiRow a;
    a.correlation = i + 1;
    a.thread = thread;
    a.start = host;
    a.dur = 3'000;
    a.name = launch;
    tw.AddApi(a);
    schemas::KernelRow k;
    k.stream = streams[static_cast<size_t>(s)];
    k.start = start;
    k.dur = d;
    k.correlation = i + 1;
    k.name = ids[name];
    tw.AddKernel(k);
    if (i % per_step == 0) {
      schemas::NvtxRow r;
      r.thread = thread;
      r.text = tw.Intern("ProfilerStep#" + std::to_string(i / per_step));
      r.start = host;
      r.dur = per_step * 5'500;
      tw.AddNvtx(r);
    }
    if ((i & 0xffff) == 0) (void)tw.MaybeCommit();
  }
  (void)step_text;
  if (Status st = tw.Close(); !st.ok()) { std::fprintf(stderr, "%s\n", st.message().c_str()); std::exit(2); }
  std::filesystem::rename(path + ".tmp", path);
  std::printf("generated %s in %.1f s\n", path.c_str(), Seconds(t0, Clock::now()));
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t n = 1'000'000;
  bool hta = false, split = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--hta") hta = true; else if (a == "--split") split = true; else n = std::atoll(argv[i]);
  }
  const std::string path = Generate(n);
  if (split) {
    // The two halves of LoadRun: the trace library's LoadAll, then BuildRankTrace.
    const auto a = Clock::now();
    auto reader = schemas::TraceReader::Open(path);
    Expected<schemas::Trace> trace = (*reader)->LoadAll();
    const auto b = Clock::now();
    Expected<analyzer::RankTrace> rt = analyzer::BuildRankTrace(std::move(*trace), 0, analyzer::Classifier::Builtin(), {});
    const auto c = Clock::now();
    std::printf("LoadAll %.3f s  BuildRankTrace %.3f s  peak RSS %.1f MiB\n", Seconds(a, b), Seconds(b, c),
                static_cast<double>(PeakRssKiB()) / 1024.0);
    return rt.ok() ? 0 : 2;
  }
  const long rss_before = PeakRssKiB();

  const auto t0 = Clock::now();
  Expected<analyzer::Run> run = analyzer::LoadRun({path}, {});
  const auto t1 = Clock::now();
  if (!run) { std::fprintf(stderr, "%s\n", run.status().message().c_str()); return 2; }
  const analyzer::RankTrace& rt = run->ranks.front();
  analyzer::BreakdownOptions opt;
  opt.hta_compatible = hta;
  const analyzer::Breakdown b = analyzer::ComputeBreakdown(rt, opt);
  const auto t2 = Clock::now();
  // Per-step breakdowns, as a report does.
  int64_t steps_idle = 0;
  for (const analyzer::Step& s : rt.steps) steps_idle += analyzer::ComputeBreakdown(rt, s).temporal.idle_ns;
  const auto t3 = Clock::now();

  const long rss = PeakRssKiB();
  const double events = static_cast<double>(rt.trace.kernels.size());
  std::printf("kernels %lld  api %zu  steps %zu (%s)\n", static_cast<long long>(rt.trace.kernels.size()),
              rt.trace.api.size(), rt.steps.size(), rt.steps.empty() ? "-" : rt.steps[0].source.c_str());
  std::printf("LoadRun            %.3f s\n", Seconds(t0, t1));
  std::printf("ComputeBreakdown   %.3f s  (whole trace, %s; idle %.2f%% overlap %.2f%%)\n", Seconds(t1, t2),
              hta ? "hta" : "classifier", b.temporal.idle_pct, b.overlap.pct);
  std::printf("per-step breakdown %.3f s  (%zu steps; idle sum %lld ns)\n", Seconds(t2, t3), rt.steps.size(),
              static_cast<long long>(steps_idle));
  std::printf("total              %.3f s\n", Seconds(t0, t3));
  std::printf("peak RSS           %.1f MiB (before load %.1f MiB) = %.1f B/kernel\n", static_cast<double>(rss) / 1024.0,
              static_cast<double>(rss_before) / 1024.0, static_cast<double>(rss) * 1024.0 / events);
  return 0;
}
