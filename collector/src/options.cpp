// OptionsFromEnvironment: MOEPROF_* variables (set by `moeprof record`) -> Options. Bad values
// are ignored with one line each rather than refusing to run: the program must not suffer for a
// typo in a profiling variable.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "moeprof/collector/collector.h"

namespace moeprof::collector {
namespace {

const char* Env(const char* name) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? v : nullptr;
}

bool ParseLong(const char* name, long long lo, long long hi, long long* out) {
  const char* v = Env(name);
  if (v == nullptr) return false;
  char* end = nullptr;
  errno = 0;
  long long x = std::strtoll(v, &end, 10);
  if (errno != 0 || end == v || *end != '\0' || x < lo || x > hi) {
    std::fprintf(stderr, "moeprof: ignoring %s=%s (expected an integer in [%lld, %lld])\n", name, v,
                 lo, hi);
    return false;
  }
  *out = x;
  return true;
}

bool ParseBool(const char* name, bool* out) {
  long long x = 0;
  if (!ParseLong(name, 0, 1, &x)) return false;
  *out = x != 0;
  return true;
}

}  // namespace

Options OptionsFromEnvironment() {
  Options o;
  if (const char* v = Env("MOEPROF_OUTPUT")) o.output = v;
  if (const char* v = Env("MOEPROF_KINDS")) {
    std::string s = v;
    size_t pos = 0;
    while (pos <= s.size()) {
      size_t comma = s.find(',', pos);
      if (comma == std::string::npos) comma = s.size();
      std::string k = s.substr(pos, comma - pos);
      while (!k.empty() && k.front() == ' ') k.erase(k.begin());
      while (!k.empty() && k.back() == ' ') k.pop_back();
      if (!k.empty()) o.kinds.push_back(k);
      pos = comma + 1;
    }
  }
  long long x = 0;
  if (ParseLong("MOEPROF_FLUSH_MS", 10, 60000, &x)) o.flush_period_ms = static_cast<int>(x);
  ParseBool("MOEPROF_GRAPH_TRACE", &o.graph_trace);
  if (ParseLong("MOEPROF_BUFFER_MB", 1, 64, &x)) o.buffer_bytes = static_cast<size_t>(x) << 20;
  if (ParseLong("MOEPROF_MAX_BUFFER_MB", 1, 1 << 20, &x)) o.max_buffer_memory = static_cast<size_t>(x) << 20;
  ParseBool("MOEPROF_NVTX", &o.nvtx);
  ParseBool("MOEPROF_QUIET", &o.quiet);
  return o;
}

}  // namespace moeprof::collector
