// WorkQueue: a mutex, a condition variable and two vectors swapped out whole.
#include "work_queue.h"

namespace moeprof::collector {

void WorkQueue::PushBuffer(const CompletedBuffer& buffer) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    buffers_.push_back(buffer);
  }
  cv_.notify_one();
}

bool WorkQueue::PushHostEvent(HostEvent&& event) {
  std::lock_guard<std::mutex> lock(mu_);
  if (events_.size() >= max_host_events_) {
    ++dropped_host_events_;
    return false;
  }
  events_.push_back(std::move(event));
  // No notify: host events are small and frequent; the writer picks them up on its next wake
  // (buffer arrival or flush period), which keeps NVTX hooks cheap.
  return true;
}

void WorkQueue::WaitAndTake(std::chrono::milliseconds timeout, std::vector<CompletedBuffer>& buffers,
                            std::vector<HostEvent>& events) {
  buffers.clear();
  events.clear();
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return wake_ || !buffers_.empty(); });
  wake_ = false;
  buffers.swap(buffers_);
  events.swap(events_);
}

void WorkQueue::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_one();
}

int64_t WorkQueue::dropped_host_events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_host_events_;
}

}  // namespace moeprof::collector
