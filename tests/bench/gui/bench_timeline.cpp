// Timeline benchmark (not a test). On a trace from the generator (GenerateBulk: N kernels over R
// ranks, one cudaLaunchKernel API row per kernel, NVTX steps, routing), cached in
// /tmp/moeprof_bench_gui_<N>_r<R>:
//   - LoadRun (the analyzer's load, for reference) and the RSS it leaves;
//   - time to first paint: TimelineRows::Build (row preprocessing) + one paint of the whole run
//     into a 1920×1080 offscreen QImage through QPainter;
//   - frame times over 100 random viewports (log-uniform zoom from 10 µs to the whole run) and an
//     interactive sequence (wheel zoom steps about a point, then 100-px pans), p50/p99/max;
//   - RSS after the rows and frames against RSS after LoadRun alone.
// Usage: bench_timeline [N=10000000] [R=4] [--frames F] [--size WxH] [--dir DIR] [--serial]
// (--serial: a frame's LOD queries on one thread instead of two).
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include "moeprof/analyzer/model.h"
#include "moeprof/tracegen/tracegen.h"
#include "timeline/timeline_painter.h"
#include "timeline/timeline_palette.h"
#include "timeline/timeline_rows.h"
#include "timeline/timeline_scene.h"

using namespace moeprof;
using namespace moeprof::gui;
using Clock = std::chrono::steady_clock;

namespace {

double Secs(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// VmRSS / VmHWM in MiB from /proc/self/status.
double ProcMiB(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const size_t klen = std::strlen(key);
  while (std::getline(f, line))
    if (line.compare(0, klen, key) == 0) return std::atof(line.c_str() + klen + 1) / 1024.0;
  return 0;
}

struct Pct { double p50, p99, max; };
Pct Percentiles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, size_t(q * double(v.size() - 1) + 0.5))]; };
  return {at(0.5), at(0.99), v.back()};
}

}  // namespace

int main(int argc, char** argv) {
  if (!std::getenv("QT_QPA_PLATFORM")) setenv("QT_QPA_PLATFORM", "offscreen", 1);
  int64_t n = 10'000'000;
  int ranks = 4, frames = 100, width = 1920, height = 1080;
  std::string dir;
  bool serial = false;  // LOD queries of a frame on one thread
  std::vector<std::string> pos;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--frames" && i + 1 < argc) frames = std::atoi(argv[++i]);
    else if (a == "--size" && i + 1 < argc) std::sscanf(argv[++i], "%dx%d", &width, &height);
    else if (a == "--dir" && i + 1 < argc) dir = argv[++i];
    else if (a == "--serial") serial = true;
    else pos.push_back(a);
  }
  if (pos.size() > 0) n = std::atoll(pos[0].c_str());
  if (pos.size() > 1) ranks = std::atoi(pos[1].c_str());
  if (dir.empty()) dir = "/tmp/moeprof_bench_gui_" + std::to_string(n) + "_r" + std::to_string(ranks);

  QGuiApplication app(argc, argv);  // fonts for labels; created before the baseline RSS
  if (!std::filesystem::exists(std::filesystem::path(dir) / "rank0.sqlite")) {
    std::printf("generating %lld kernels over %d ranks into %s ...\n", static_cast<long long>(n), ranks, dir.c_str());
    tracegen::BulkOptions o;
    o.dir = dir;
    o.kernels = n;
    o.ranks = ranks;
    auto st = tracegen::GenerateBulk(o);
    if (!st.ok()) {
      std::fprintf(stderr, "generate: %s\n", st.status().message().c_str());
      return 2;
    }
  }
  const double rss_base = ProcMiB("VmRSS:");

  auto t0 = Clock::now();
  auto loaded = analyzer::LoadRun({dir}, {});
  if (!loaded.ok()) {
    std::fprintf(stderr, "load: %s\n", loaded.status().message().c_str());
    return 2;
  }
  auto run = std::make_shared<const analyzer::Run>(std::move(loaded.value()));
  auto t1 = Clock::now();
  const double rss_load = ProcMiB("VmRSS:"), hwm_load = ProcMiB("VmHWM:");
  size_t kernels = 0, api = 0, other = 0;
  for (const auto& r : run->ranks) {
    kernels += r.trace.kernels.size();
    api += r.trace.api.size();
    other += r.trace.nvtx.size() + r.trace.memcpys.size() + r.trace.memsets.size() + r.trace.syncs.size();
  }

  // --- time to first paint: rows (off the UI thread in the app; here on this thread, with the
  // same worker pool) + one paint of the whole run ---
  auto t2 = Clock::now();
  auto rows = TimelineRows::Build(run);
  auto t3 = Clock::now();
  TimelineScene scene;
  scene.SetParallelQueries(!serial);
  scene.SetSize(width, height);
  scene.SetRows(rows);
  QImage img(width, height, QImage::Format_ARGB32_Premultiplied);
  const TimelinePalette pal = TimelinePalette::Light();
  auto paint = [&] {
    QPainter p(&img);
    QPainterTimelinePainter tp(&p);
    scene.Paint(tp, pal);
  };
  paint();
  auto t4 = Clock::now();
  const auto first_stats = scene.last_stats();
  const double rss_rows = ProcMiB("VmRSS:");

  std::printf("trace: %s: %zu ranks, %zu kernels, %zu API rows, %zu other rows, %zu timeline rows (%zu visible)\n",
              dir.c_str(), run->ranks.size(), kernels, api, other, rows->rows().size(), rows->visible_rows().size());
  std::printf("LoadRun (analyzer)          %8.3f s\n", Secs(t0, t1));
  std::printf("TimelineRows::Build         %8.3f s   (%u threads)\n", Secs(t2, t3), std::max(1u, std::thread::hardware_concurrency()));
  std::printf("first paint (fit all)       %8.3f s   (%zu rows, %zu items, %zu folded)\n", Secs(t3, t4),
              first_stats.rows, first_stats.items, first_stats.folded);
  std::printf("time to first paint         %8.3f s   (build + paint, after load)\n", Secs(t2, t4));

  // --- random viewports ---
  std::mt19937_64 rng(42);
  const double lo = double(rows->start_ns()), hi = double(rows->end_ns()), dom = hi - lo;
  std::vector<double> ft;
  size_t items = 0, max_items = 0;
  for (int f = 0; f < frames; ++f) {
    const double span = std::exp(std::log(1e4) + (std::log(dom) - std::log(1e4)) * std::uniform_real_distribution<>(0, 1)(rng));
    const double s = lo + std::uniform_real_distribution<>(0, 1)(rng) * std::max(0.0, dom - span);
    scene.axis().SetRange(s, s + span);
    // Some frames scrolled down to the later ranks.
    scene.SetScrollY(int(rng() % uint64_t(std::max(1, scene.content_height()))));
    auto a = Clock::now();
    paint();
    ft.push_back(Secs(a, Clock::now()) * 1e3);
    items += scene.last_stats().items;
    max_items = std::max(max_items, scene.last_stats().items);
  }
  const Pct pr = Percentiles(ft);
  std::printf("random viewports (%d)       p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (%.0f items/frame avg, %zu max)\n",
              frames, pr.p50, pr.p99, pr.max, double(items) / frames, max_items);

  // --- interactive: wheel zoom in 30 steps about a point from fit-all, then 60 pans of 100 px,
  // then zoom back out ---
  std::vector<double> it;
  scene.SetScrollY(0);
  scene.axis().FitDomain();
  const double ex = scene.events_width() * 0.37;
  auto frame = [&] {
    auto a = Clock::now();
    paint();
    it.push_back(Secs(a, Clock::now()) * 1e3);
  };
  for (int i = 0; i < 30; ++i) { scene.axis().ZoomAbout(ex, 1.2); frame(); }
  for (int i = 0; i < 60; ++i) { scene.axis().PanPx(100); frame(); }
  for (int i = 0; i < 30; ++i) { scene.axis().ZoomAbout(ex, 1 / 1.2); frame(); }
  const Pct pi = Percentiles(it);
  std::printf("interactive zoom/pan (%zu)  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n", it.size(), pi.p50, pi.p99, pi.max);

  // Fit-all again: the densest frame (every row folded across its whole width); and the same
  // frame through a painter that draws nothing, to split the LOD queries from rasterizing.
  std::vector<double> fa, fq;
  scene.axis().FitDomain();
  for (int i = 0; i < 10; ++i) { auto a = Clock::now(); paint(); fa.push_back(Secs(a, Clock::now()) * 1e3); }
  struct NullPainter : TimelinePainter {
    void Box(const QRectF&, const QColor&, const QString&, bool, int) override {}
    void Fill(const QRectF&, const QColor&) override {}
    void Outline(const QRectF&, const QColor&, qreal) override {}
    void Line(const QPointF&, const QPointF&, const QColor&, qreal) override {}
    void Arrow(const QPointF&, const QPointF&, const QColor&) override {}
    void Text(const QRectF&, const QString&, const QColor&, bool) override {}
  } null_painter;
  for (int i = 0; i < 10; ++i) {
    auto a = Clock::now();
    scene.Paint(null_painter, pal);
    fq.push_back(Secs(a, Clock::now()) * 1e3);
  }
  const Pct pf = Percentiles(fa), pq = Percentiles(fq);
  std::printf("fit-all repaint (10)        p50 %6.2f ms  max %6.2f ms  (of which LOD queries: p50 %.2f ms)\n", pf.p50,
              pf.max, pq.p50);

  const double rss_end = ProcMiB("VmRSS:"), hwm_end = ProcMiB("VmHWM:");
  std::printf("RSS: base %.0f MiB; after LoadRun %.0f MiB (peak %.0f); after rows %.0f MiB; after frames %.0f MiB (peak %.0f)\n",
              rss_base, rss_load, hwm_load, rss_rows, rss_end, hwm_end);
  std::printf("timeline rows heap %.0f MiB (%.1f B per event); GUI/analyzer RSS %.2fx (peak %.2fx)\n",
              double(rows->memory_bytes()) / 1048576.0, double(rows->memory_bytes()) / double(rows->event_count()),
              rss_end / rss_load, hwm_end / hwm_load);
  return 0;
}
