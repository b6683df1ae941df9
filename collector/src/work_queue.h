// The one queue between producers (CUPTI's buffer-completed callback, NVTX and NCCL hooks on the
// program's threads) and the writer thread. Producers hold the lock only to push; they never call
// CUPTI or SQLite under it (CUPTI calls under a tool lock can deadlock against CUPTI's own locks,
// as kineto found). The writer swaps everything out in one step.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "host_events.h"

namespace moeprof::collector {

struct CompletedBuffer {
  uint8_t* data = nullptr;
  size_t valid_bytes = 0;
};

class WorkQueue {
 public:
  explicit WorkQueue(size_t max_host_events = 1 << 20) : max_host_events_(max_host_events) {}

  void PushBuffer(const CompletedBuffer& buffer);
  // False (event dropped, counted) when the writer has fallen this far behind.
  bool PushHostEvent(HostEvent&& event);
  // Blocks until there is work, Wake() was called, or the timeout passed; then moves everything
  // queued into the given vectors (which are cleared first).
  void WaitAndTake(std::chrono::milliseconds timeout, std::vector<CompletedBuffer>& buffers,
                   std::vector<HostEvent>& events);
  void Wake();
  int64_t dropped_host_events() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<CompletedBuffer> buffers_;
  std::vector<HostEvent> events_;
  size_t max_host_events_;
  int64_t dropped_host_events_ = 0;
  bool wake_ = false;
};

}  // namespace moeprof::collector
