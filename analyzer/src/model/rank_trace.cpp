// BuildRankTrace: turns one loaded trace into the analyzer's RankTrace — rank, per-stream kernel
// index ranges (kernels must be sorted by (stream, start); they are as stored, and are sorted here
// when a producer broke that), stream roles, one classification per distinct kernel name, steps.
// Extra memory per kernel is nil unless the columns need sorting (then an index permutation,
// freed before returning); per distinct name it is one Classification.
#include <algorithm>
#include <numeric>

#include "moeprof/analyzer/model.h"

namespace moeprof::analyzer {

namespace {

bool KernelsSorted(const schemas::KernelColumns& k) {
  for (size_t i = 1; i < k.size(); ++i) {
    if (k.stream[i] < k.stream[i - 1] || (k.stream[i] == k.stream[i - 1] && k.start[i] < k.start[i - 1])) {
      return false;
    }
  }
  return true;
}

template <typename T>
void Permute(std::vector<T>& column, const std::vector<uint32_t>& order) {
  if (column.size() != order.size()) return;
  std::vector<T> out(column.size());
  for (size_t i = 0; i < order.size(); ++i) out[i] = column[order[i]];
  column.swap(out);
}

void SortKernels(schemas::KernelColumns& k) {
  std::vector<uint32_t> order(k.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return k.stream[a] != k.stream[b] ? k.stream[a] < k.stream[b] : k.start[a] < k.start[b];
  });
  // Column by column, so at most one extra column is alive at a time.
  Permute(k.stream, order);
  Permute(k.start, order);
  Permute(k.dur, order);
  Permute(k.correlation, order);
  Permute(k.graph_node, order);
  Permute(k.graph, order);
  Permute(k.name, order);
  Permute(k.config, order);
  Permute(k.flags, order);
}

int RankOf(const schemas::Trace& trace, int fallback) {
  auto it = trace.meta.find("rank");
  if (it != trace.meta.end()) {
    char* end = nullptr;
    const long v = std::strtol(it->second.c_str(), &end, 10);
    if (end != it->second.c_str() && *end == '\0' && v >= 0) return static_cast<int>(v);
  }
  for (const schemas::ProcessRow& p : trace.processes) {
    if (p.rank && *p.rank >= 0) return static_cast<int>(*p.rank);
  }
  return fallback;
}

}  // namespace

Expected<RankTrace> BuildRankTrace(schemas::Trace trace, int fallback_rank, const Classifier& classifier,
                                   const LoadOptions& options) {
  RankTrace rt;
  rt.path = trace.path;
  rt.rank = RankOf(trace, fallback_rank);
  rt.trace = std::move(trace);
  schemas::KernelColumns& k = rt.trace.kernels;
  if (!KernelsSorted(k)) SortKernels(k);

  // Classify each distinct kernel name once.
  const size_t nstrings = std::max<size_t>(rt.trace.strings.size(), 1);
  rt.name_class.assign(nstrings, Classification{});
  std::vector<bool> seen(nstrings, false);
  for (size_t i = 0; i < k.size(); ++i) {
    const int32_t id = k.name[i];
    if (id < 0 || static_cast<size_t>(id) >= nstrings) {
      return Status(ErrorCode::kCorrupt, rt.path + ": kernel name id " + std::to_string(id) +
                                             " is not in the string table");
    }
    if (seen[static_cast<size_t>(id)]) continue;
    seen[static_cast<size_t>(id)] = true;
    rt.name_class[static_cast<size_t>(id)] = classifier.Classify(rt.trace.str(id));
  }

  // Per-stream kernel ranges: every stream of the stream table, plus streams that only appear in
  // kernel rows (a producer that skipped the stream table).
  std::vector<int64_t> ids;
  for (const schemas::StreamRow& s : rt.trace.streams) ids.push_back(s.id);
  for (size_t i = 0; i < k.size(); ++i) {
    if (i == 0 || k.stream[i] != k.stream[i - 1]) ids.push_back(k.stream[i]);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (int64_t id : ids) {
    StreamView v;
    v.id = id;
    auto lo = std::lower_bound(k.stream.begin(), k.stream.end(), id);
    auto hi = std::upper_bound(lo, k.stream.end(), id);
    v.kernel_begin = static_cast<size_t>(lo - k.stream.begin());
    v.kernel_end = static_cast<size_t>(hi - k.stream.begin());
    for (const schemas::StreamRow& s : rt.trace.streams) {
      if (s.id != id) continue;
      if (s.name) v.name = *s.name;
      if (s.role) v.role = *s.role;
    }
    if (v.role.empty() && v.kernel_end > v.kernel_begin) {
      // Inferred role: a stream that spends most of its kernel time in communication kernels is
      // a communication stream (NCCL's internal streams, DeepEP's comm stream).
      int64_t comm = 0, total = 0;
      for (size_t i = v.kernel_begin; i < v.kernel_end; ++i) {
        total += k.dur[i];
        if (rt.KernelClassOf(i).cls == KernelClass::kComm) comm += k.dur[i];
      }
      v.role = (total > 0 && 2 * comm > total) ? "comm" : "compute";
    }
    rt.streams.push_back(std::move(v));
  }

  rt.steps = FindSteps(rt.trace);
  if (options.first_step || options.last_step) {
    std::erase_if(rt.steps, [&](const Step& s) {
      return (options.first_step && s.number < *options.first_step) ||
             (options.last_step && s.number > *options.last_step);
    });
  }
  return rt;
}

}  // namespace moeprof::analyzer
