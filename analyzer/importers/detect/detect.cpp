// Format detection from a file's bytes, never its name (see importers.h):
//   - SQLite header ("SQLite format 3\0"): opened read-only and told apart by its tables — our
//     `meta` table with schema moeprof-trace → kMoeprof; nsys tables (StringIds, TARGET_INFO_*,
//     CUPTI_ACTIVITY_KIND_*, META_DATA_EXPORT) → kNsysSqlite; any other SQLite file → kUnknown.
//   - gzip magic (1f 8b): the first 64 KiB of the inflated stream are examined instead.
//   - JSON: an object whose first few KB contain the key "traceEvents", or a bare array of Chrome
//     trace events (2020/2021-era Kineto) → kKineto; lines that are
//     JSON objects with "step" and "layer" keys (Megatron --moe-routing-trace-path) → kMegatronRouting.
// kUnknown is a value; only a missing/unreadable file is an error.
#include <sqlite3.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "moeprof/analyzer/importers.h"

namespace moeprof::analyzer {
namespace {

constexpr size_t kHeadBytes = 64 * 1024;

bool IsSqliteHeader(std::string_view head) {
  static constexpr char kMagic[] = "SQLite format 3";  // 16 bytes with the NUL
  return head.size() >= 16 && std::memcmp(head.data(), kMagic, 16) == 0;
}

bool IsGzip(std::string_view head) {
  return head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
         static_cast<unsigned char>(head[1]) == 0x8b;
}

// Inflates at most `limit` bytes of a gzip stream's start; a damaged stream gives what came out.
std::string InflateHead(std::string_view gz, size_t limit) {
  std::string out;
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return out;
  out.resize(limit);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  zs.avail_in = static_cast<uInt>(gz.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(limit);
  while (zs.avail_out > 0) {
    const int rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK) break;  // stream end, need more input, or an error: keep what we have
  }
  out.resize(limit - zs.avail_out);
  inflateEnd(&zs);
  return out;
}

std::string_view SkipSpace(std::string_view s) {
  size_t i = 0;
  // A UTF-8 byte order mark is tolerated.
  if (s.size() >= 3 && s.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  return s.substr(i);
}

bool HasKey(std::string_view text, std::string_view key) {
  std::string quoted;
  quoted.reserve(key.size() + 2);
  quoted.push_back('"');
  quoted.append(key.data(), key.size());
  quoted.push_back('"');
  size_t pos = 0;
  while ((pos = text.find(quoted, pos)) != std::string_view::npos) {
    size_t j = pos + quoted.size();
    while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
    if (j < text.size() && text[j] == ':') return true;
    pos += quoted.size();
  }
  return false;
}

TraceFormat DetectJson(std::string_view head) {
  const std::string_view s = SkipSpace(head);
  // 2020/2021-era Kineto wrote a bare array of Chrome trace events: `[ {"ph": "X", ...`.
  if (!s.empty() && s[0] == '[') {
    const std::string_view rest = SkipSpace(s.substr(1));
    const std::string_view window = rest.substr(0, std::min<size_t>(rest.size(), 16 * 1024));
    if (!rest.empty() && rest[0] == '{' && HasKey(window, "ph") && HasKey(window, "ts")) {
      return TraceFormat::kKineto;
    }
    return TraceFormat::kUnknown;
  }
  if (s.empty() || s[0] != '{') return TraceFormat::kUnknown;
  // Megatron routing JSONL: the first line is a complete object with step and layer keys.
  const size_t nl = s.find('\n');
  const std::string_view first_line = s.substr(0, nl);
  if (HasKey(first_line, "step") && HasKey(first_line, "layer") &&
      (HasKey(first_line, "top_indices") || HasKey(first_line, "tokens_per_expert") ||
       HasKey(first_line, "num_tokens") || HasKey(first_line, "tokens"))) {
    return TraceFormat::kMegatronRouting;
  }
  if (HasKey(s.substr(0, std::min<size_t>(s.size(), 16 * 1024)), "traceEvents")) {
    return TraceFormat::kKineto;
  }
  // Kineto files are written with traceEvents after large headers sometimes; look further.
  if (HasKey(s, "traceEvents")) return TraceFormat::kKineto;
  if (HasKey(first_line, "step") && HasKey(first_line, "layer")) return TraceFormat::kMegatronRouting;
  return TraceFormat::kUnknown;
}

TraceFormat DetectSqlite(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(db);
    return TraceFormat::kUnknown;
  }
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  TraceFormat format = TraceFormat::kUnknown;
  bool has_meta = false;
  bool nsys = false;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type='table'", -1, &stmt,
                         nullptr) == SQLITE_OK) {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* p = sqlite3_column_text(stmt, 0);
      if (p == nullptr) continue;
      const std::string_view name(reinterpret_cast<const char*>(p));
      if (name == "meta") has_meta = true;
      if (name == "StringIds" || name == "META_DATA_EXPORT" || name.rfind("TARGET_INFO_", 0) == 0 ||
          name.rfind("CUPTI_ACTIVITY_KIND_", 0) == 0) {
        nsys = true;
      }
    }
    sqlite3_finalize(stmt);
  }
  if (has_meta &&
      sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='schema'", -1, &stmt, nullptr) ==
          SQLITE_OK) {
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* p = sqlite3_column_text(stmt, 0);
      if (p != nullptr && std::string_view(reinterpret_cast<const char*>(p)) == "moeprof-trace") {
        format = TraceFormat::kMoeprof;
      }
    }
    sqlite3_finalize(stmt);
  }
  if (format == TraceFormat::kUnknown && nsys) format = TraceFormat::kNsysSqlite;
  sqlite3_close(db);
  return format;
}

}  // namespace

const char* TraceFormatName(TraceFormat format) {
  switch (format) {
    case TraceFormat::kMoeprof: return "moeprof trace";
    case TraceFormat::kKineto: return "PyTorch profiler (Kineto) JSON";
    case TraceFormat::kNsysSqlite: return "Nsight Systems SQLite export";
    case TraceFormat::kMegatronRouting: return "Megatron-LM routing trace (JSONL)";
    case TraceFormat::kUnknown: break;
  }
  return "unknown";
}

TraceFormat DetectFormatFromBytes(std::string_view head) {
  if (IsGzip(head)) {
    const std::string inflated = InflateHead(head, kHeadBytes);
    if (IsGzip(inflated)) return TraceFormat::kUnknown;  // no nested gzip
    return DetectJson(inflated);
  }
  return DetectJson(head);
}

Expected<TraceFormat> DetectFormat(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return Status(ErrorCode::kNotFound,
                  path + ": cannot open: " + std::string(std::strerror(errno)));
  }
  std::string head(kHeadBytes, '\0');
  const size_t n = std::fread(head.data(), 1, head.size(), f);
  const bool read_error = std::ferror(f) != 0;
  std::fclose(f);
  if (read_error) return Status(ErrorCode::kIo, path + ": read error");
  head.resize(n);
  if (IsSqliteHeader(head)) return DetectSqlite(path);
  return DetectFormatFromBytes(head);
}

}  // namespace moeprof::analyzer
