// ActivityParser: one CUPTI activity buffer -> trace rows, through the real
// cuptiActivityGetNextRecord. Knows every record struct the session enables (CUPTI 13.0
// versions, checked at start by self_check). Unknown kinds and records without timing are
// counted, never fatal; a misaligned buffer is rejected whole because CUPTI's iterator would
// happily read it at the wrong offsets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "correlator.h"

namespace moeprof::collector {

struct ParseStats {
  int64_t buffers = 0;
  int64_t records = 0;          // records turned into rows (or state)
  int64_t no_timing = 0;        // kernel/memcpy/memset with start = end = 0
  int64_t unknown_kind = 0;     // records (or buffer tails) of a kind we cannot parse
  int64_t ignored = 0;          // known kinds we do not store (e.g. MARKER from another source)
  int64_t truncated_bytes = 0;  // bytes after the last whole record
  int64_t misaligned_buffers = 0;
  void Add(const ParseStats& o);
};

class ActivityParser {
 public:
  explicit ActivityParser(Correlator& correlator) : c_(correlator) {}

  // Parses valid_bytes of buffer; rows go to the correlator's writer. Drops (no timing, unknown
  // kinds, truncation, misalignment) are written as drop rows at once.
  ParseStats Parse(const uint8_t* buffer, size_t valid_bytes);
  const ParseStats& totals() const { return totals_; }

 private:
  schemas::StringId ApiName(int domain, uint32_t cbid);
  Correlator& c_;
  ParseStats totals_;
  std::unordered_map<uint64_t, schemas::StringId> api_names_;  // (domain << 32 | cbid) -> name
};

// sizeof the record struct for a kind we parse, 0 for others.
size_t RecordSize(uint32_t kind);

}  // namespace moeprof::collector
