// Small helpers for the collector tests: temporary directories, reading a trace back.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "moeprof/schemas/trace_reader.h"

namespace moeprof::collector::testing {

inline std::string TempDir(const std::string& tag) {
  std::string pattern = (std::filesystem::temp_directory_path() / ("moeprof_coll_" + tag + "_XXXXXX")).string();
  char* made = mkdtemp(pattern.data());
  return made != nullptr ? std::string(made) : std::string();
}

inline schemas::Trace LoadTrace(const std::string& path) {
  auto reader = schemas::TraceReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  if (!reader.ok()) return {};
  auto trace = (*reader)->LoadAll();
  EXPECT_TRUE(trace.ok()) << trace.status().message();
  if (!trace.ok()) return {};
  return std::move(trace).value();
}

inline int64_t DropCount(const schemas::Trace& t, const std::string& source, const std::string& reason) {
  int64_t n = 0;
  for (const auto& d : t.drops) {
    if (d.source == source && d.reason == reason) n += d.count;
  }
  return n;
}

}  // namespace moeprof::collector::testing
