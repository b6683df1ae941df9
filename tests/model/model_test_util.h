// Test helpers: build schemas::Trace objects in memory (no file), kernel by kernel.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "moeprof/schemas/trace_reader.h"

namespace moeprof::testing {

class TraceBuilder {
 public:
  static constexpr int64_t kNoApi = INT64_MIN;  // "no launching API call"
  TraceBuilder() { trace_.strings.push_back(""); }
  int32_t Str(const std::string& s) {
    for (size_t i = 1; i < trace_.strings.size(); ++i) {
      if (trace_.strings[i] == s) return static_cast<int32_t>(i);
    }
    trace_.strings.push_back(s);
    return static_cast<int32_t>(trace_.strings.size() - 1);
  }
  void Stream(int64_t id, const std::string& name = "", const std::string& role = "") {
    schemas::StreamRow r;
    r.id = id;
    if (!name.empty()) r.name = name;
    if (!role.empty()) r.role = role;
    trace_.streams.push_back(r);
  }
  // A kernel and (when api_start >= 0) its launching runtime call [api_start, api_start+api_dur).
  void Kernel(int64_t stream, int64_t start, int64_t dur, const std::string& name,
              int64_t api_start = kNoApi, int64_t api_dur = 0) {
    auto& k = trace_.kernels;
    const int64_t corr = ++next_corr_;
    k.stream.push_back(static_cast<int32_t>(stream));
    k.start.push_back(start);
    k.dur.push_back(dur);
    k.correlation.push_back(corr);
    k.graph_node.push_back(0);
    k.graph.push_back(0);
    k.name.push_back(Str(name));
    k.config.push_back(0);
    k.flags.push_back(0);
    if (api_start != kNoApi) Api(corr, api_start, api_dur, "cudaLaunchKernel");
  }
  void Api(int64_t corr, int64_t start, int64_t dur, const std::string& name) {
    auto& a = trace_.api;
    // Kept sorted by correlation, as the reader delivers it.
    size_t at = a.correlation.size();
    while (at > 0 && a.correlation[at - 1] > corr) --at;
    auto ins = [&](auto& col, auto v) { col.insert(col.begin() + static_cast<std::ptrdiff_t>(at), v); };
    ins(a.correlation, corr);
    ins(a.thread, int32_t{1});
    ins(a.start, start);
    ins(a.dur, dur);
    ins(a.domain, int8_t{0});
    ins(a.cbid, int32_t{0});
    ins(a.name, Str(name));
    ins(a.status, int32_t{0});
  }
  void Memcpy(int64_t stream, int64_t start, int64_t dur, int64_t api_start = kNoApi, int64_t api_dur = 0) {
    schemas::MemcpyRow r;
    r.stream = stream;
    r.start = start;
    r.dur = dur;
    r.correlation = ++next_corr_;
    trace_.memcpys.push_back(r);
    if (api_start != kNoApi) Api(r.correlation, api_start, api_dur, "cudaMemcpyAsync");
  }
  void Nvtx(const std::string& text, int64_t start, int64_t dur, int64_t depth = 0) {
    schemas::NvtxRow r;
    r.id = static_cast<int64_t>(trace_.nvtx.size()) + 1;
    r.text = Str(text);
    r.start = start;
    r.dur = dur;
    r.depth = depth;
    trace_.nvtx.push_back(r);
  }
  schemas::Trace& trace() { return trace_; }
  // Sorts kernels by (stream, start) like the reader does.
  schemas::Trace Take(bool sort = true);

 private:
  schemas::Trace trace_;
  int64_t next_corr_ = 0;
};

inline schemas::Trace TraceBuilder::Take(bool sort) {
  if (sort) {
    auto& k = trace_.kernels;
    std::vector<size_t> order(k.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return k.stream[a] != k.stream[b] ? k.stream[a] < k.stream[b] : k.start[a] < k.start[b];
    });
    auto perm = [&](auto& col) {
      auto copy = col;
      for (size_t i = 0; i < order.size(); ++i) col[i] = copy[order[i]];
    };
    perm(k.stream); perm(k.start); perm(k.dur); perm(k.correlation); perm(k.graph_node);
    perm(k.graph); perm(k.name); perm(k.config); perm(k.flags);
  }
  std::sort(trace_.memcpys.begin(), trace_.memcpys.end(), [](const auto& a, const auto& b) {
    return a.stream != b.stream ? a.stream < b.stream : a.start < b.start;
  });
  return std::move(trace_);
}

}  // namespace moeprof::testing
