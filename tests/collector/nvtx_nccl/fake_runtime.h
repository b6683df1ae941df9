// A recording stand-in for the collector runtime's host-event functions (host_events.h), linked
// into the unit tests instead of the runtime: the NVTX handlers and the NCCL plugin are compiled
// into the test directly, so every event they post, and every external-correlation push/pop,
// can be checked exactly.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "host_events.h"

namespace moeprof::collector::testing {

struct CorrelationCall {
  bool push = false;
  uint32_t kind = 0;
  uint64_t id = 0;  // 0 for pops
  uint64_t tid = 0;
};

struct FakeRuntime {
  std::mutex mu;
  std::vector<HostEvent> events;
  std::vector<CorrelationCall> correlation;
  std::atomic<bool> active{true};
  std::atomic<int64_t> clock{1'000'000};

  void Clear() {
    std::lock_guard<std::mutex> lock(mu);
    events.clear();
    correlation.clear();
  }
  template <typename T>
  std::vector<T> Take() {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<T> out;
    for (auto& e : events)
      if (auto* p = std::get_if<T>(&e)) out.push_back(*p);
    return out;
  }
  std::vector<CorrelationCall> Correlation() {
    std::lock_guard<std::mutex> lock(mu);
    return correlation;
  }
};

FakeRuntime& Fake();
uint64_t CurrentTid();

}  // namespace moeprof::collector::testing
