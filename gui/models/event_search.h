// Search of events by name with a regular expression, across all ranks: kernels (by kernel
// name), API calls (by API name) and NVTX ranges (by text). Names are matched once per distinct
// string (trace.strings), then the tables are swept for rows carrying a matching string id, so a
// search over millions of events costs one pass of integer compares. Results are ordered by run
// time; a cursor walks them with Next/Previous (wrapping). Also: an event's run-time extent and its
// linked API call ↔ kernel (by correlation), for the details panel's jump button. No widgets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/findings_model.h"
#include "moeprof/analyzer/finding.h"
#include "moeprof/analyzer/model.h"

namespace moeprof::gui {

struct SearchHit {
  analyzer::EventRef ref;
  int64_t run_start = 0, run_end = 0;  // run-timeline ns
};

class EventSearch {
 public:
  static constexpr size_t kMaxHits = 1'000'000;  // beyond this the search stops and says so

  // Returns false and sets `error` for an invalid expression (results cleared). Case-insensitive.
  bool Run(const analyzer::Run& run, const std::string& pattern, std::string* error = nullptr);
  void Clear();

  const std::vector<SearchHit>& hits() const { return hits_; }
  bool truncated() const { return truncated_; }
  int current() const { return current_; }  // -1 before the first Next/Previous

  // Moves the cursor and returns the hit (nullptr without hits). Next from -1 goes to the first
  // hit at or after `from_ns` (the viewport start), Previous from -1 to the last before it.
  const SearchHit* Next(int64_t from_ns = INT64_MIN);
  const SearchHit* Previous(int64_t from_ns = INT64_MAX);

 private:
  std::vector<SearchHit> hits_;
  bool truncated_ = false;
  int current_ = -1;
};

// Run-time extent of an event (rank offset applied; duration looked up by its key).
std::optional<TimeRange> EventRunRange(const analyzer::Run& run, const analyzer::EventRef& ref);

// The kernel launched by an API call, or the API call that launched a kernel (same rank, same
// correlation); nullopt for other tables or when there is none.
std::optional<analyzer::EventRef> LinkedEvent(const analyzer::Run& run, const analyzer::EventRef& ref);

}  // namespace moeprof::gui
