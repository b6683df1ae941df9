// Host buffers handed to CUPTI for activity records: 8-byte aligned (page aligned, in fact),
// pre-zeroed so CUPTI need not zero them on the application thread, reused after parsing, and
// capped in total memory. Beyond the cap Acquire returns nullptr: CUPTI then drops records and
// counts them, which is better than growing without bound inside someone's training job.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace moeprof::collector {

class BufferPool {
 public:
  // buffer_bytes is rounded up to a page; max_bytes is the cap on all buffers ever allocated
  // (at least one buffer is always allowed).
  BufferPool(size_t buffer_bytes, size_t max_bytes);
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // A zeroed buffer of buffer_bytes(), or nullptr when the cap is reached. Thread-safe; takes only
  // the pool's own mutex (safe inside CUPTI's buffer-request callback).
  uint8_t* Acquire();
  // Returns a buffer after parsing; zeroes it first (on the caller's thread, i.e. the writer).
  void Release(uint8_t* buffer);
  // Allocates up to n buffers now, so the first requests do not pay for mmap.
  void Preallocate(size_t n);

  size_t buffer_bytes() const { return buffer_bytes_; }
  int64_t refused() const;    // Acquire calls answered with nullptr
  size_t allocated() const;   // buffers allocated so far

 private:
  size_t buffer_bytes_;
  size_t max_buffers_;
  mutable std::mutex mu_;
  std::vector<uint8_t*> free_;
  std::vector<uint8_t*> all_;
  int64_t refused_ = 0;
};

}  // namespace moeprof::collector
