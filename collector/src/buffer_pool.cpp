// BufferPool: anonymous mmap gives page-aligned, zero-filled memory whose pages are only touched
// when CUPTI writes them.
#include "buffer_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace moeprof::collector {
namespace {

size_t PageSize() {
  long p = sysconf(_SC_PAGESIZE);
  return p > 0 ? static_cast<size_t>(p) : 4096;
}

uint8_t* MapZeroed(size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
}

}  // namespace

BufferPool::BufferPool(size_t buffer_bytes, size_t max_bytes) {
  const size_t page = PageSize();
  buffer_bytes = std::max<size_t>(buffer_bytes, 64 * 1024);
  buffer_bytes_ = (buffer_bytes + page - 1) / page * page;
  max_buffers_ = std::max<size_t>(1, max_bytes / buffer_bytes_);
}

BufferPool::~BufferPool() {
  for (uint8_t* b : all_) munmap(b, buffer_bytes_);
}

uint8_t* BufferPool::Acquire() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!free_.empty()) {
    uint8_t* b = free_.back();
    free_.pop_back();
    return b;
  }
  if (all_.size() >= max_buffers_) {
    ++refused_;
    return nullptr;
  }
  uint8_t* b = MapZeroed(buffer_bytes_);
  if (b == nullptr) {
    ++refused_;
    return nullptr;
  }
  all_.push_back(b);
  return b;
}

void BufferPool::Release(uint8_t* buffer) {
  if (buffer == nullptr) return;
  // Whole buffer, not just the valid bytes: CUPTI was told buffers come zeroed
  // (CUPTI_ACTIVITY_ATTR_ZEROED_OUT_ACTIVITY_BUFFER) and we do not know what it touched.
  std::memset(buffer, 0, buffer_bytes_);
  std::lock_guard<std::mutex> lock(mu_);
  free_.push_back(buffer);
}

void BufferPool::Preallocate(size_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  while (n-- > 0 && all_.size() < max_buffers_) {
    uint8_t* b = MapZeroed(buffer_bytes_);
    if (b == nullptr) return;
    all_.push_back(b);
    free_.push_back(b);
  }
}

int64_t BufferPool::refused() const {
  std::lock_guard<std::mutex> lock(mu_);
  return refused_;
}

size_t BufferPool::allocated() const {
  std::lock_guard<std::mutex> lock(mu_);
  return all_.size();
}

}  // namespace moeprof::collector
