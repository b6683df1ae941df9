// Input resolution for analyzer commands (see trace_inputs.h), including transparent import of
// foreign traces through the import cache.
#include "moeprof/analyzer/trace_inputs.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "moeprof/analyzer/importers.h"
#include "moeprof/analyzer/version.h"
#include "moeprof/schemas/trace_reader.h"

namespace fs = std::filesystem;

namespace moeprof::analyzer {

bool LooksLikeTraceFile(const std::string& name) {
  auto ends_with = [&](std::string_view suffix) {
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".sqlite") || ends_with(".db");
}

Expected<std::vector<std::string>> ResolveTraceInput(const std::string& input) {
  std::error_code ec;
  const fs::file_status st = fs::status(input, ec);
  if (ec || !fs::exists(st)) {
    return Status(ErrorCode::kNotFound, input + ": no such file or directory");
  }
  if (!fs::is_directory(st)) return std::vector<std::string>{input};

  std::vector<std::string> files;
  for (fs::directory_iterator it(input, ec), end; !ec && it != end; it.increment(ec)) {
    // Only regular files (or links to them); SQLite's -wal/-shm side files do not match the suffix.
    std::error_code entry_ec;
    if (!it->is_regular_file(entry_ec)) continue;
    const std::string name = it->path().filename().string();
    if (LooksLikeTraceFile(name)) files.push_back(it->path().string());
  }
  if (ec) return Status(ErrorCode::kIo, input + ": cannot list directory: " + ec.message());
  if (files.empty()) {
    return Status(ErrorCode::kNotFound, input + ": directory contains no trace files (*.sqlite, *.db)");
  }
  // Sorted so rank order (and test output) is stable regardless of directory order.
  std::sort(files.begin(), files.end());
  return files;
}

Expected<std::vector<std::string>> ResolveTraceInputs(const std::vector<std::string>& inputs) {
  std::vector<std::string> all;
  std::set<std::string> seen;
  for (const std::string& input : inputs) {
    Expected<std::vector<std::string>> files = ResolveTraceInput(input);
    if (!files) return files.status();
    for (std::string& f : *files) {
      // Same file named twice (e.g. a directory and one file in it) is reported once.
      std::error_code ec;
      const fs::path canonical = fs::weakly_canonical(f, ec);
      if (seen.insert(ec ? f : canonical.string()).second) all.push_back(std::move(f));
    }
  }
  return all;
}

namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Names that may hold a foreign trace inside a run directory.
bool LooksLikeForeignFile(const std::string& name) {
  return EndsWith(name, ".json") || EndsWith(name, ".json.gz") || LooksLikeTraceFile(name);
}

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

constexpr const char* kCompleteMarker = "COMPLETE";

// The traces a complete cache entry lists, or nothing when the entry is missing or damaged.
std::optional<std::vector<std::string>> ReadCacheEntry(const fs::path& dir) {
  std::ifstream in(dir / kCompleteMarker);
  if (!in) return std::nullopt;
  std::vector<std::string> traces;
  std::string name;
  while (std::getline(in, name)) {
    if (name.empty()) continue;
    const fs::path p = dir / name;
    // Every listed trace must still open as a trace; anything else means rebuild.
    if (!schemas::TraceReader::Open(p.string()).ok()) return std::nullopt;
    traces.push_back(p.string());
  }
  if (traces.empty()) return std::nullopt;
  return traces;
}

Expected<std::vector<std::string>> ImportIntoCache(const std::string& file) {
  std::error_code ec;
  const fs::path abs = fs::absolute(file, ec);
  const auto size = fs::file_size(file, ec);
  if (ec) return Status(ErrorCode::kIo, file + ": cannot stat: " + ec.message());
  const auto mtime = fs::last_write_time(file, ec);
  if (ec) return Status(ErrorCode::kIo, file + ": cannot stat: " + ec.message());
  std::ostringstream key_text;
  key_text << abs.string() << '\n' << size << '\n'
           << mtime.time_since_epoch().count() << '\n' << Version();
  char key[32];
  std::snprintf(key, sizeof(key), "%016llx", static_cast<unsigned long long>(Fnv1a(key_text.str())));
  const fs::path root = ImportCacheDir();
  const fs::path entry = root / (abs.filename().string() + "-" + key);
  if (auto cached = ReadCacheEntry(entry)) return *cached;

  // (Re)build: import into a private temporary directory, mark it complete, rename into place.
  fs::create_directories(root, ec);
  if (ec) return Status(ErrorCode::kIo, root.string() + ": cannot create the import cache: " + ec.message());
  const fs::path tmp = root / (entry.filename().string() + ".tmp-" + std::to_string(getpid()));
  fs::remove_all(tmp, ec);
  auto sink = FileTraceSink::ToDirectory(tmp.string(), /*overwrite=*/true);
  ImportOptions options;
  ImportStats stats;
  Status st = ImportAuto(file, *sink, options, stats);
  std::vector<std::string> outputs;
  Status closed = sink->CloseAll(outputs);
  if (st.ok()) st = closed;
  if (!st.ok()) {
    fs::remove_all(tmp, ec);
    return st;
  }
  {
    std::ofstream marker(tmp / kCompleteMarker);
    for (const std::string& o : outputs) marker << fs::path(o).filename().string() << '\n';
    marker << std::flush;
    if (!marker) {
      fs::remove_all(tmp, ec);
      return Status(ErrorCode::kIo, (tmp / kCompleteMarker).string() + ": cannot write");
    }
  }
  fs::remove_all(entry, ec);  // a damaged or partial entry
  fs::rename(tmp, entry, ec);
  if (ec) {
    // Another process may have finished the same entry first; use it if it is complete.
    fs::remove_all(tmp, ec);
    if (auto cached = ReadCacheEntry(entry)) return *cached;
    return Status(ErrorCode::kIo, entry.string() + ": cannot move the import into the cache");
  }
  if (auto cached = ReadCacheEntry(entry)) return *cached;
  return Status(ErrorCode::kIo, entry.string() + ": import cache entry unreadable after writing");
}

// One file: imported when foreign, itself otherwise.
Expected<std::vector<std::string>> EnsureFile(const std::string& file) {
  Expected<TraceFormat> format = DetectFormat(file);
  if (format && (*format == TraceFormat::kKineto || *format == TraceFormat::kNsysSqlite)) {
    return ImportIntoCache(file);
  }
  return std::vector<std::string>{file};
}

}  // namespace

std::string ImportCacheDir() {
  if (const char* dir = std::getenv("MOEPROF_CACHE_DIR"); dir && *dir) return dir;
  fs::path base;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    base = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    base = fs::path(home) / ".cache";
  } else {
    base = fs::temp_directory_path() / ("moeprof-cache-" + std::to_string(getuid()));
  }
  return (base / "moeprof" / "imports").string();
}

Expected<std::vector<std::string>> EnsureMoeprofTraces(const std::string& input) {
  std::error_code ec;
  const fs::file_status st = fs::status(input, ec);
  if (ec || !fs::exists(st)) {
    return Status(ErrorCode::kNotFound, input + ": no such file or directory");
  }
  if (!fs::is_directory(st)) return EnsureFile(input);

  std::vector<std::string> candidates;
  for (fs::directory_iterator it(input, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code entry_ec;
    if (!it->is_regular_file(entry_ec)) continue;
    const std::string name = it->path().filename().string();
    if (LooksLikeForeignFile(name)) candidates.push_back(it->path().string());
  }
  if (ec) return Status(ErrorCode::kIo, input + ": cannot list directory: " + ec.message());
  std::sort(candidates.begin(), candidates.end());
  std::vector<std::string> traces;
  for (const std::string& file : candidates) {
    Expected<TraceFormat> format = DetectFormat(file);
    if (!format) return format.status();
    if (*format == TraceFormat::kKineto || *format == TraceFormat::kNsysSqlite) {
      Expected<std::vector<std::string>> imported = ImportIntoCache(file);
      if (!imported) return imported.status();
      traces.insert(traces.end(), imported->begin(), imported->end());
    } else if (LooksLikeTraceFile(fs::path(file).filename().string())) {
      traces.push_back(file);  // ours (or damaged: the reader will say so)
    }
  }
  if (traces.empty()) {
    return Status(ErrorCode::kNotFound,
                  input + ": directory contains no trace files (*.sqlite, *.db)");
  }
  return traces;
}

Expected<std::vector<std::string>> EnsureMoeprofTraces(const std::vector<std::string>& inputs) {
  std::vector<std::string> all;
  std::set<std::string> seen;
  for (const std::string& input : inputs) {
    Expected<std::vector<std::string>> files = EnsureMoeprofTraces(input);
    if (!files) return files.status();
    for (std::string& f : *files) {
      std::error_code ec;
      const fs::path canonical = fs::weakly_canonical(f, ec);
      if (seen.insert(ec ? f : canonical.string()).second) all.push_back(std::move(f));
    }
  }
  return all;
}

}  // namespace moeprof::analyzer
