// Kineto import benchmark (prints figures; not a test): for each Kineto file given (or every
// .json/.json.gz under ../shared/data/traces when none is), imports it into a fresh trace file in
// a child process, best of N runs, and reports wall time, peak RSS of that child (the whole
// import: read, inflate, parse, write, close), events read and rows written, and two phases
// timed apart (read + inflate; JSON walk into the model) — the rest is mapping, SQLite, close.
//   bench_kineto_import [--runs N] [--tsv] [FILE...]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "kineto_internal.h"
#include "kineto_model.h"
#include "kineto_walk.h"
#include "moeprof/analyzer/importers.h"
#include "moeprof/schemas/trace_writer.h"

namespace {

namespace fs = std::filesystem;
using moeprof::Expected;
using moeprof::Status;

class BenchSink : public moeprof::analyzer::TraceSink {
 public:
  explicit BenchSink(std::string path) : path_(std::move(path)) {}
  Expected<moeprof::schemas::TraceWriter*> WriterFor(const ProcessKey&, int64_t origin_ns) override {
    moeprof::schemas::WriterOptions o;
    o.overwrite = true;
    o.origin_ns = origin_ns;
    auto w = moeprof::schemas::TraceWriter::Create(path_, o);
    if (!w.ok()) return w.status();
    writer_ = std::move(*w);
    return writer_.get();
  }
  Status Close() { return writer_ ? writer_->Close() : Status::Ok(); }

 private:
  std::string path_;
  std::unique_ptr<moeprof::schemas::TraceWriter> writer_;
};

struct Result {
  double best_s = 0;
  double read_s = 0, walk_s = 0;  // phases: read + inflate, JSON walk into the model
  long long events = 0, rows = 0;
  char error[256] = {0};
};

Result RunChild(const std::string& file, int runs, const std::string& out) {
  Result r;
  r.best_s = 1e30;
  for (int i = 0; i < runs; ++i) {
    BenchSink sink(out);
    moeprof::analyzer::ImportStats stats;
    const auto t0 = std::chrono::steady_clock::now();
    Status st = moeprof::analyzer::ImportKineto(file, sink, {}, stats);
    if (st.ok()) st = sink.Close();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!st.ok()) {
      std::snprintf(r.error, sizeof(r.error), "%s", st.message().c_str());
      return r;
    }
    r.best_s = std::min(r.best_s, s);
    r.events = stats.records_read;
    r.rows = stats.records_written;
  }
  // Phases, best of the same number of runs (the rest of the time is mapping + SQLite + close).
  namespace k = moeprof::analyzer::kineto;
  r.read_s = r.walk_s = 1e30;
  for (int i = 0; i < runs; ++i) {
    const k::Limits limits;
    const auto t0 = std::chrono::steady_clock::now();
    auto json = k::ReadInput(file, limits);
    const auto t1 = std::chrono::steady_clock::now();
    if (!json.ok()) break;
    k::Model model;
    (void)k::WalkJson(file, *json, limits, {}, model);
    const auto t2 = std::chrono::steady_clock::now();
    r.read_s = std::min(r.read_s, std::chrono::duration<double>(t1 - t0).count());
    r.walk_s = std::min(r.walk_s, std::chrono::duration<double>(t2 - t1).count());
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 3;
  bool tsv = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--tsv") {
      tsv = true;
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    const fs::path dir = fs::path(MOEPROF_SOURCE_DIR) / ".." / "shared" / "data" / "traces";
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const std::string p = it->path().string();
      if (p.ends_with(".json") || p.ends_with(".json.gz")) files.push_back(p);
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      std::fprintf(stderr, "no Kineto files given and none under %s\n", dir.c_str());
      return 2;
    }
  }
  const std::string out = (fs::temp_directory_path() / ("bench_kineto_" + std::to_string(getpid()) + ".sqlite")).string();
  if (tsv) {
    std::printf("file\tbytes\tevents\trows\tbest_s\tpeak_rss_mb\tread_s\twalk_s\n");
  } else {
    std::printf("%-60s %10s %9s %9s %9s %9s %9s %9s\n", "file", "MB on disk", "events", "rows",
                "best ms", "peak MB", "read ms", "walk ms");
  }
  for (const auto& file : files) {
    int fds[2];
    if (pipe(fds) != 0) return 2;
    const pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      const Result r = RunChild(file, runs, out);
      const ssize_t n = write(fds[1], &r, sizeof(r));
      _exit(n == static_cast<ssize_t>(sizeof(r)) ? 0 : 1);
    }
    close(fds[1]);
    Result r;
    const ssize_t n = read(fds[0], &r, sizeof(r));
    close(fds[0]);
    int status = 0;
    struct rusage ru {};
    wait4(pid, &status, 0, &ru);
    std::error_code ec;
    const double mb_disk = static_cast<double>(fs::file_size(file, ec)) / 1e6;
    std::string name = file;
    if (const auto pos = name.find("/traces/"); pos != std::string::npos) name = name.substr(pos + 8);
    if (n != static_cast<ssize_t>(sizeof(r)) || r.error[0] != 0) {
      std::printf("%-60s failed: %s\n", name.c_str(), r.error[0] ? r.error : "child crashed");
      continue;
    }
    const double peak_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;
    if (tsv) {
      std::printf("%s\t%.0f\t%lld\t%lld\t%.6f\t%.1f\t%.6f\t%.6f\n", name.c_str(), mb_disk * 1e6,
                  r.events, r.rows, r.best_s, peak_mb, r.read_s, r.walk_s);
    } else {
      std::printf("%-60s %10.2f %9lld %9lld %9.1f %9.1f %9.1f %9.1f\n", name.c_str(), mb_disk,
                  r.events, r.rows, r.best_s * 1e3, peak_mb, r.read_s * 1e3, r.walk_s * 1e3);
    }
    std::fflush(stdout);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((out + suffix).c_str());
  return 0;
}
