// moeprof-gen: writes constructed traces. `moeprof-gen list` names the scenarios;
// `moeprof-gen scenario NAME DIR` writes one (rank<N>.sqlite + truth.json); `moeprof-gen all DIR`
// writes every scenario into DIR/NAME; `moeprof-gen bulk DIR --kernels N [--ranks R] [--no-api]`
// writes a large trace for the report benchmarks.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "moeprof/tracegen/tracegen.h"

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: moeprof-gen list\n"
               "       moeprof-gen scenario NAME DIR\n"
               "       moeprof-gen all DIR\n"
               "       moeprof-gen bulk DIR [--kernels N] [--ranks R] [--no-api]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace moeprof::tracegen;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return Usage();
  if (args[0] == "list") {
    for (const ScenarioInfo& s : Scenarios()) {
      std::printf("%-20s %-17s %-7s %s\n", s.name.c_str(), s.rule.empty() ? "(clean)" : s.rule.c_str(),
                  s.magnitude.c_str(), s.summary.c_str());
    }
    return 0;
  }
  if (args[0] == "scenario" && args.size() == 3) {
    const moeprof::Status st = GenerateScenario(args[1], args[2]);
    if (!st.ok()) {
      std::fprintf(stderr, "moeprof-gen: %s\n", st.message().c_str());
      return 2;
    }
    return 0;
  }
  if (args[0] == "all" && args.size() == 2) {
    for (const ScenarioInfo& s : Scenarios()) {
      const moeprof::Status st = GenerateScenario(s.name, args[1] + "/" + s.name);
      if (!st.ok()) {
        std::fprintf(stderr, "moeprof-gen: %s\n", st.message().c_str());
        return 2;
      }
    }
    return 0;
  }
  if (args[0] == "bulk" && args.size() >= 2) {
    BulkOptions o;
    o.dir = args[1];
    for (size_t i = 2; i < args.size(); ++i) {
      if (args[i] == "--kernels" && i + 1 < args.size()) {
        o.kernels = std::strtoll(args[++i].c_str(), nullptr, 10);
      } else if (args[i] == "--ranks" && i + 1 < args.size()) {
        o.ranks = std::atoi(args[++i].c_str());
      } else if (args[i] == "--no-api") {
        o.api_rows = false;
      } else {
        return Usage();
      }
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto stats = GenerateBulk(o);
    if (!stats) {
      std::fprintf(stderr, "moeprof-gen: %s\n", stats.status().message().c_str());
      return 2;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%lld kernels, %lld steps, %zu file(s) in %.1f s\n",
                static_cast<long long>(stats->kernels), static_cast<long long>(stats->steps),
                stats->files.size(), s);
    return 0;
  }
  return Usage();
}
