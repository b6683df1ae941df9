// Input resolution for analyzer commands (see trace_inputs.h).
#include "moeprof/analyzer/trace_inputs.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

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

}  // namespace moeprof::analyzer
