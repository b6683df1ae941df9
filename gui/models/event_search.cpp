// Event search and API ↔ kernel links.
#include "models/event_search.h"

#include <algorithm>
#include <climits>

#include <QRegularExpression>
#include <QString>

namespace moeprof::gui {

namespace {

const analyzer::RankTrace* FindRank(const analyzer::Run& run, int rank_id) {
  for (const auto& rt : run.ranks) {
    if (rt.rank == rank_id) return &rt;
  }
  return nullptr;
}

// Index of a kernel by (stream, start) inside its stream's sorted range.
std::optional<size_t> FindKernel(const analyzer::RankTrace& rt, int64_t stream, int64_t start) {
  const auto& k = rt.trace.kernels;
  for (const auto& s : rt.streams) {
    if (s.id != stream) continue;
    const auto first = k.start.begin() + static_cast<std::ptrdiff_t>(s.kernel_begin);
    const auto last = k.start.begin() + static_cast<std::ptrdiff_t>(s.kernel_end);
    const auto it = std::lower_bound(first, last, start);
    if (it != last && *it == start) return static_cast<size_t>(it - k.start.begin());
  }
  return std::nullopt;
}

std::optional<size_t> FindApi(const analyzer::RankTrace& rt, int64_t correlation) {
  const auto& a = rt.trace.api;
  const auto it = std::lower_bound(a.correlation.begin(), a.correlation.end(), correlation);
  if (it == a.correlation.end() || *it != correlation) return std::nullopt;
  return static_cast<size_t>(it - a.correlation.begin());
}

}  // namespace

bool EventSearch::Run(const analyzer::Run& run, const std::string& pattern, std::string* error) {
  Clear();
  const QRegularExpression re(QString::fromStdString(pattern), QRegularExpression::CaseInsensitiveOption);
  if (!re.isValid()) {
    if (error != nullptr) *error = re.errorString().toStdString();
    return false;
  }
  if (pattern.empty()) return true;
  for (const auto& rt : run.ranks) {
    const auto& t = rt.trace;
    std::vector<char> match(t.strings.size(), 0);
    for (size_t i = 1; i < t.strings.size(); ++i) {
      match[i] = re.match(QString::fromStdString(t.strings[i])).hasMatch() ? 1 : 0;
    }
    auto matches = [&](int64_t id) {
      return id > 0 && static_cast<size_t>(id) < match.size() && match[static_cast<size_t>(id)];
    };
    auto add = [&](const char* table, int64_t stream, int64_t start, int64_t dur, int64_t corr) {
      if (hits_.size() >= kMaxHits) {
        truncated_ = true;
        return false;
      }
      SearchHit h;
      h.ref.rank = rt.rank;
      h.ref.table = table;
      h.ref.stream = stream;
      h.ref.start = start;
      h.ref.correlation = corr;
      h.run_start = start + rt.offset_ns;
      h.run_end = h.run_start + std::max<int64_t>(0, dur);
      hits_.push_back(std::move(h));
      return true;
    };
    for (size_t i = 0; i < t.kernels.size(); ++i) {
      if (matches(t.kernels.name[i]) &&
          !add("kernel", t.kernels.stream[i], t.kernels.start[i], t.kernels.dur[i], t.kernels.correlation[i])) {
        break;
      }
    }
    for (size_t i = 0; i < t.api.size(); ++i) {
      if (matches(t.api.name[i]) &&
          !add("api", t.api.thread[i], t.api.start[i], t.api.dur[i], t.api.correlation[i])) {
        break;
      }
    }
    for (const auto& n : t.nvtx) {
      if (matches(n.text) && !add("nvtx", n.thread, n.start, n.dur, 0)) break;
    }
  }
  std::stable_sort(hits_.begin(), hits_.end(), [](const SearchHit& a, const SearchHit& b) {
    return a.run_start < b.run_start;
  });
  return true;
}

void EventSearch::Clear() {
  hits_.clear();
  truncated_ = false;
  current_ = -1;
}

const SearchHit* EventSearch::Next(int64_t from_ns) {
  if (hits_.empty()) return nullptr;
  if (current_ < 0) {
    const auto it = std::lower_bound(hits_.begin(), hits_.end(), from_ns,
                                     [](const SearchHit& h, int64_t t) { return h.run_start < t; });
    current_ = it == hits_.end() ? 0 : static_cast<int>(it - hits_.begin());
  } else {
    current_ = (current_ + 1) % static_cast<int>(hits_.size());
  }
  return &hits_[static_cast<size_t>(current_)];
}

const SearchHit* EventSearch::Previous(int64_t from_ns) {
  if (hits_.empty()) return nullptr;
  const int n = static_cast<int>(hits_.size());
  if (current_ < 0) {
    const auto it = std::lower_bound(hits_.begin(), hits_.end(), from_ns,
                                     [](const SearchHit& h, int64_t t) { return h.run_start < t; });
    const int i = static_cast<int>(it - hits_.begin()) - 1;
    current_ = i < 0 ? n - 1 : i;
  } else {
    current_ = (current_ - 1 + n) % n;
  }
  return &hits_[static_cast<size_t>(current_)];
}

std::optional<TimeRange> EventRunRange(const analyzer::Run& run, const analyzer::EventRef& ref) {
  const analyzer::RankTrace* rt = FindRank(run, ref.rank);
  if (rt == nullptr) return std::nullopt;
  const auto& t = rt->trace;
  int64_t dur = -1;
  if (ref.table == "kernel") {
    if (auto k = FindKernel(*rt, ref.stream, ref.start)) dur = t.kernels.dur[*k];
  } else if (ref.table == "api") {
    if (auto a = FindApi(*rt, ref.correlation)) dur = t.api.dur[*a];
  } else if (ref.table == "nvtx") {
    for (const auto& n : t.nvtx) {
      if (n.thread == ref.stream && n.start == ref.start) { dur = n.dur; break; }
    }
  } else if (ref.table == "memcpy") {
    for (const auto& m : t.memcpys) {
      if (m.stream == ref.stream && m.start == ref.start) { dur = m.dur; break; }
    }
  } else if (ref.table == "memset") {
    for (const auto& m : t.memsets) {
      if (m.stream == ref.stream && m.start == ref.start) { dur = m.dur; break; }
    }
  } else if (ref.table == "sync") {
    for (const auto& s : t.syncs) {
      if (s.start == ref.start) { dur = s.dur; break; }
    }
  }
  if (dur < 0) return std::nullopt;
  return TimeRange{ref.start + rt->offset_ns, ref.start + rt->offset_ns + dur};
}

std::optional<analyzer::EventRef> LinkedEvent(const analyzer::Run& run, const analyzer::EventRef& ref) {
  const analyzer::RankTrace* rt = FindRank(run, ref.rank);
  if (rt == nullptr || ref.correlation == 0) return std::nullopt;
  const auto& t = rt->trace;
  if (ref.table == "kernel") {
    const auto a = FindApi(*rt, ref.correlation);
    if (!a) return std::nullopt;
    analyzer::EventRef out;
    out.rank = ref.rank;
    out.table = "api";
    out.stream = t.api.thread[*a];
    out.start = t.api.start[*a];
    out.correlation = ref.correlation;
    return out;
  }
  if (ref.table == "api") {
    // Kernels are sorted by stream, not correlation: one scan. It runs on a click, not per frame.
    const auto& k = t.kernels;
    for (size_t i = 0; i < k.size(); ++i) {
      if (k.correlation[i] != ref.correlation) continue;
      analyzer::EventRef out;
      out.rank = ref.rank;
      out.table = "kernel";
      out.stream = k.stream[i];
      out.start = k.start[i];
      out.correlation = ref.correlation;
      return out;
    }
    for (const auto& m : t.memcpys) {
      if (m.correlation != ref.correlation) continue;
      analyzer::EventRef out{ref.rank, "memcpy", m.stream, m.start, m.correlation};
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace moeprof::gui
