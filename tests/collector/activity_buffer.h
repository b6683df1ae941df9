// Builds CUPTI activity buffers in memory from the real CUPTI 13.0 record structs, laid out the
// way libcupti lays them out (each record at an 8-byte boundary, stride = sizeof(struct)), so the
// real cuptiActivityGetNextRecord can walk them. Shared by the collector tests and benchmark.
#pragma once

#include <cupti.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace moeprof::collector::testing {

class ActivityBuffer {
 public:
  template <typename T>
  void Add(T record, CUpti_ActivityKind kind) {
    std::memcpy(&record, &kind, sizeof(kind));  // every record struct starts with its kind
    const size_t at = bytes_;
    Grow(at + sizeof(T));
    std::memcpy(data() + at, &record, sizeof(T));
  }
  // Raw bytes (for broken records: unknown kinds, truncated tails).
  void AddRaw(const void* p, size_t n) {
    const size_t at = bytes_;
    Grow(at + n);
    std::memcpy(data() + at, p, n);
  }
  uint8_t* data() { return reinterpret_cast<uint8_t*>(words_.data()); }
  size_t size() const { return bytes_; }
  void Clear() {
    words_.clear();
    bytes_ = 0;
  }

 private:
  void Grow(size_t n) {
    words_.resize((n + 7) / 8, 0);
    bytes_ = n;
  }
  std::vector<uint64_t> words_;  // uint64_t storage: 8-byte aligned
  size_t bytes_ = 0;
};

inline CUpti_ActivityKernel10 Kernel(uint32_t corr, uint64_t start, uint64_t end, const char* name,
                                     uint32_t device = 0, uint32_t context = 1,
                                     uint32_t stream = 13) {
  CUpti_ActivityKernel10 k;
  std::memset(&k, 0, sizeof(k));
  k.start = start;
  k.end = end;
  k.deviceId = device;
  k.contextId = context;
  k.streamId = stream;
  k.correlationId = corr;
  k.name = name;
  k.gridX = 132, k.gridY = 2, k.gridZ = 1;
  k.blockX = 256, k.blockY = 1, k.blockZ = 1;
  k.registersPerThread = 96;
  k.staticSharedMemory = 1024;
  k.dynamicSharedMemory = 49152;
  k.localMemoryPerThread = 0;
  return k;
}

inline CUpti_ActivityAPI Api(uint32_t corr, uint64_t start, uint64_t end, uint32_t cbid,
                             uint32_t tid = 4242) {
  CUpti_ActivityAPI a;
  std::memset(&a, 0, sizeof(a));
  a.cbid = cbid;
  a.start = start;
  a.end = end;
  a.processId = 1;
  a.threadId = tid;
  a.correlationId = corr;
  a.returnValue = 0;
  return a;
}

}  // namespace moeprof::collector::testing
