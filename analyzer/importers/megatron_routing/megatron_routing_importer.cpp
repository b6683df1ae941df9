// Megatron-LM MoE routing trace importer (`--moe-routing-trace-path DIR` writes
// DIR/router_trace_rank{N}.jsonl; megatron/core/transformer/moe/router_trace.py).
//
// How the Megatron model maps onto ours: one JSON object per line, one line per router call:
//   {"step": 0, "stage": "pre_dispatch", "block": "decoder", "layer": 3, "rank": 0,
//    "num_tokens": 128, "topk": 2, "top_indices": [[12, 45], [3, 7], ...]}
// (MTP routers add "mtp_idx"; optional hs_*/logit_* fields point into sidecar files and are
// ignored). Each line becomes routing rows (step, layer, microbatch, rank, expert, tokens): tokens
// per expert are counted from top_indices (one count per token per selected expert). Lines for
// the same (rank, step, block, layer) repeat once per microbatch forward, so the n-th repetition is
// microbatch n (an explicit "microbatch" field wins). MTP layers are stored as layer
// 1000·(mtp_idx+1) + layer so they never collide with decoder layers. Experts that received no
// token are written with 0 up to the largest expert index seen (or "num_experts" when given), so
// max/mean load is right. Besides top_indices we accept "tokens_per_expert": [n0, n1, ...] (counts
// already made) — not written by Megatron, documented in docs/IMPORTERS.md. Plain or gzip input.
// Bad lines (invalid JSON, wrong types, absurd indices, inconsistent num_tokens) are skipped and
// counted (drops, source "import"); a file without a single good line is an error.
#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "moeprof/analyzer/importers.h"

namespace moeprof::analyzer {
namespace {

constexpr int64_t kMaxExperts = 1 << 20;          // an index beyond this is not an expert
constexpr size_t kMaxLineBytes = 512u << 20;      // longer lines are refused, not buffered
constexpr int64_t kMtpLayerBase = 1000;

struct Record {
  int64_t step = 0, layer = 0, microbatch = 0, rank = 0;
  std::vector<int64_t> counts;  // index = expert
};

// Reads lines from a plain or gzip file (zlib's gz* reads both).
class LineReader {
 public:
  explicit LineReader(const std::string& path) : gz_(gzopen(path.c_str(), "rb")) {
    if (gz_ != nullptr) gzbuffer(gz_, 1 << 17);
  }
  ~LineReader() {
    if (gz_ != nullptr) gzclose(gz_);
  }
  bool ok() const { return gz_ != nullptr; }
  // false at the end; `error` set when reading failed (truncated gzip and such).
  bool Next(std::string& line, bool& too_long) {
    line.clear();
    too_long = false;
    while (true) {
      if (pos_ >= buf_.size()) {
        if (eof_) return !line.empty() || too_long;
        buf_.resize(1 << 17);
        const int n = gzread(gz_, buf_.data(), static_cast<unsigned>(buf_.size()));
        if (n < 0) {
          int errnum = 0;
          const char* msg = gzerror(gz_, &errnum);
          error_ = msg ? msg : "read error";
          eof_ = true;
          buf_.clear();
          pos_ = 0;
          return false;
        }
        if (n == 0) {
          eof_ = true;
          // gzread returns 0 both at a clean end and on a truncated stream.
          int errnum = 0;
          const char* msg = gzerror(gz_, &errnum);
          if (errnum != Z_OK && errnum != Z_STREAM_END) error_ = msg ? msg : "read error";
          buf_.clear();
          pos_ = 0;
          return !line.empty() || too_long;
        }
        buf_.resize(static_cast<size_t>(n));
        pos_ = 0;
      }
      const size_t nl = buf_.find('\n', pos_);
      const size_t end = nl == std::string::npos ? buf_.size() : nl;
      if (!too_long) {
        if (line.size() + (end - pos_) > kMaxLineBytes) {
          too_long = true;
          line.clear();
        } else {
          line.append(buf_, pos_, end - pos_);
        }
      }
      pos_ = end;
      if (nl != std::string::npos) {
        ++pos_;
        return true;
      }
    }
  }
  const std::string& error() const { return error_; }

 private:
  gzFile gz_;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
  std::string error_;
};

// Reads an integer field; false when absent or not an integer (a float with an integral value
// such as 3.0 is accepted, since some writers emit numbers that way).
bool GetInt(simdjson::dom::object obj, const char* key, int64_t& out, bool& present) {
  simdjson::dom::element e;
  present = false;
  if (obj[key].get(e) != simdjson::SUCCESS) return false;
  present = true;
  int64_t i;
  if (e.get_int64().get(i) == simdjson::SUCCESS) {
    out = i;
    return true;
  }
  uint64_t u;
  if (e.get_uint64().get(u) == simdjson::SUCCESS) return false;  // > INT64_MAX: absurd
  double d;
  if (e.get_double().get(d) == simdjson::SUCCESS && d == static_cast<double>(static_cast<int64_t>(d)) &&
      d > -9.0e18 && d < 9.0e18) {
    out = static_cast<int64_t>(d);
    return true;
  }
  return false;
}

bool AddExpert(simdjson::dom::element e, std::vector<int64_t>& counts, const char*& why) {
  int64_t idx;
  if (e.get_int64().get(idx) != simdjson::SUCCESS) {
    why = "expert index is not an integer";
    return false;
  }
  if (idx < 0 || idx >= kMaxExperts) {
    why = "expert index out of range";
    return false;
  }
  if (static_cast<size_t>(idx) >= counts.size()) counts.resize(static_cast<size_t>(idx) + 1, 0);
  ++counts[static_cast<size_t>(idx)];
  return true;
}

// Parses one line into `rec`; returns nullptr on success, else the reason the line is bad.
const char* ParseLine(simdjson::dom::parser& parser, const std::string& line, Record& rec,
                      std::string& block, int64_t& mtp_idx, bool& has_microbatch,
                      int64_t& num_experts) {
  simdjson::dom::element doc;
  const auto err = parser.parse(line).get(doc);
  if (err == simdjson::DEPTH_ERROR) return "nesting too deep";
  if (err == simdjson::CAPACITY) return "record too large";
  if (err != simdjson::SUCCESS) return "invalid JSON";
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return "record is not a JSON object";
  bool present = false;
  if (!GetInt(obj, "step", rec.step, present)) return present ? "step is not an integer" : "no step";
  if (!GetInt(obj, "layer", rec.layer, present)) return present ? "layer is not an integer" : "no layer";
  if (rec.step < 0 || rec.layer < 0 || rec.layer >= kMtpLayerBase) return "step or layer out of range";
  if (!GetInt(obj, "rank", rec.rank, present)) {
    if (present) return "rank is not an integer";
    rec.rank = 0;
  }
  if (rec.rank < 0 || rec.rank > (1 << 24)) return "rank out of range";
  has_microbatch = GetInt(obj, "microbatch", rec.microbatch, present);
  if (present && !has_microbatch) return "microbatch is not an integer";
  block = "decoder";
  std::string_view b;
  if (obj["block"].get_string().get(b) == simdjson::SUCCESS) block = std::string(b);
  mtp_idx = -1;
  if (GetInt(obj, "mtp_idx", mtp_idx, present)) {
    if (mtp_idx < 0 || mtp_idx > 1000) return "mtp_idx out of range";
  } else if (present) {
    return "mtp_idx is not an integer";
  }
  num_experts = 0;
  if (GetInt(obj, "num_experts", num_experts, present) && (num_experts < 0 || num_experts > kMaxExperts)) {
    return "num_experts out of range";
  }
  rec.counts.clear();
  simdjson::dom::array arr;
  const char* why = nullptr;
  if (obj["top_indices"].get_array().get(arr) == simdjson::SUCCESS) {
    int64_t tokens = 0;
    for (simdjson::dom::element tok : arr) {
      ++tokens;
      simdjson::dom::array experts;
      if (tok.get_array().get(experts) == simdjson::SUCCESS) {
        for (simdjson::dom::element e : experts) {
          if (!AddExpert(e, rec.counts, why)) return why;
        }
      } else if (!AddExpert(tok, rec.counts, why)) {  // top-1 written flat
        return why;
      }
    }
    int64_t num_tokens = 0;
    if (GetInt(obj, "num_tokens", num_tokens, present) && num_tokens != tokens) {
      return "num_tokens does not match top_indices";
    }
  } else if (obj["tokens_per_expert"].get_array().get(arr) == simdjson::SUCCESS) {
    for (simdjson::dom::element e : arr) {
      int64_t n;
      if (e.get_int64().get(n) != simdjson::SUCCESS || n < 0) return "tokens_per_expert holds a bad count";
      if (rec.counts.size() >= static_cast<size_t>(kMaxExperts)) return "expert index out of range";
      rec.counts.push_back(n);
    }
  } else if (obj["top_indices"].error() == simdjson::SUCCESS) {
    return "top_indices is not an array";
  } else {
    return "no top_indices";
  }
  return nullptr;
}

}  // namespace

Status ImportMegatronRouting(const std::string& path, schemas::TraceWriter& writer,
                             const ImportOptions& options, ImportStats& stats,
                             std::optional<int64_t> only_rank) {
  (void)options;
  LineReader reader(path);
  if (!reader.ok()) return Status(ErrorCode::kNotFound, path + ": cannot open");
  simdjson::dom::parser parser;
  // Deeply nested input is refused by simdjson at this depth instead of recursing.
  if (parser.allocate(1 << 20, 64) != simdjson::SUCCESS) {
    return Status(ErrorCode::kInternal, path + ": cannot allocate the JSON parser");
  }
  std::vector<Record> records;
  std::map<std::tuple<int64_t, int64_t, int64_t, std::string, int64_t>, int64_t> repeats;
  std::map<std::string, int64_t> skipped;
  int64_t max_experts = 0;
  int64_t line_no = 0, good = 0;
  std::string first_error;
  std::string line;
  bool too_long = false;
  while (reader.Next(line, too_long)) {
    ++line_no;
    ++stats.records_read;
    if (too_long) {
      ++skipped["routing: line too long"];
      if (first_error.empty()) first_error = "line " + std::to_string(line_no) + ": line too long";
      continue;
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      --stats.records_read;
      continue;  // blank lines are allowed
    }
    Record rec;
    std::string block;
    int64_t mtp_idx = -1, num_experts = 0;
    bool has_mb = false;
    if (const char* why = ParseLine(parser, line, rec, block, mtp_idx, has_mb, num_experts)) {
      ++skipped[std::string("routing: ") + why];
      if (first_error.empty()) first_error = "line " + std::to_string(line_no) + ": " + why;
      continue;
    }
    ++good;
    if (only_rank && rec.rank != *only_rank) continue;
    if (block == "mtp" || mtp_idx >= 0) rec.layer += kMtpLayerBase * (std::max<int64_t>(mtp_idx, 0) + 1);
    const auto key = std::make_tuple(rec.rank, rec.step, rec.layer, block, mtp_idx);
    int64_t& seen = repeats[key];
    if (!has_mb) rec.microbatch = seen;
    ++seen;
    max_experts = std::max<int64_t>({max_experts, static_cast<int64_t>(rec.counts.size()), num_experts});
    records.push_back(std::move(rec));
  }
  if (!reader.error().empty()) {
    return Status(ErrorCode::kCorrupt, path + ": cannot read past line " + std::to_string(line_no) +
                                           ": " + reader.error() + " (truncated or damaged gzip?)");
  }
  if (good == 0) {
    if (first_error.empty()) return Status(ErrorCode::kCorrupt, path + ": no routing records");
    return Status(ErrorCode::kCorrupt, path + ": not a Megatron-LM routing trace: " + first_error);
  }
  for (const Record& rec : records) {
    for (int64_t e = 0; e < max_experts; ++e) {
      schemas::RoutingRow row;
      row.step = rec.step;
      row.layer = rec.layer;
      row.microbatch = rec.microbatch;
      row.rank = rec.rank;
      row.expert = e;
      row.tokens = static_cast<size_t>(e) < rec.counts.size() ? rec.counts[static_cast<size_t>(e)] : 0;
      writer.AddRouting(row);
      ++stats.records_written;
    }
    MOEPROF_RETURN_IF_ERROR(writer.MaybeCommit());
  }
  for (const auto& [reason, count] : skipped) {
    stats.skipped[reason] += count;
    schemas::DropRow d;
    d.source = "import";
    d.reason = reason;
    d.count = count;
    writer.AddDrop(d);
  }
  return writer.error();
}

Status ImportMegatronRouting(const std::string& path, schemas::TraceWriter& writer,
                             const ImportOptions& options, ImportStats& stats) {
  return ImportMegatronRouting(path, writer, options, stats, std::nullopt);
}

}  // namespace moeprof::analyzer
