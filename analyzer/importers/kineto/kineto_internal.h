// Internals of the Kineto importer shared by its source files, its tests and its fuzz target
// (not part of the analyzer's public headers). Free of simdjson types so tests can include it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "moeprof/analyzer/importers.h"

namespace moeprof::analyzer::kineto {

// Bounds on what one import accepts; over them the file is refused with a clear message.
struct Limits {
  // simdjson handles documents up to 4 GiB; a gzip stream that inflates beyond this is refused
  // before it can exhaust memory (gzip bombs).
  size_t max_json_bytes = 0xFFFFFFFFu - 64;
  // Deepest JSON nesting accepted (Kineto nests at most ~5 levels; args like "Input Dims" 3).
  size_t max_depth = 256;
};

// A JSON text with the zeroed padding simdjson needs after it (capacity >= size + 64).
struct JsonBuffer {
  std::unique_ptr<char[]> data;
  size_t size = 0;
  size_t capacity = 0;
  std::string_view view() const { return {data.get(), size}; }
};

// Converts a JSON number token in microseconds (e.g. "1717171717171.123", "12", "1.5e3") to
// integer nanoseconds from its decimal text, never through a double: integer part x 1000 plus the
// fractional digits, rounded half away from zero past the ns digit. Trailing whitespace is
// ignored. nullopt when the text is not a JSON number or the result does not fit in int64.
std::optional<int64_t> MicrosTextToNanos(std::string_view text);

bool IsGzip(std::string_view bytes);

// Offset of the first '[' or '{' (outside strings) that opens a level deeper than `max_depth`, or
// npos. simdjson on-demand does not check the depth of values it skips, so this runs first.
size_t FindTooDeep(std::string_view text, size_t max_depth);

// Copies (plain JSON) or inflates (gzip, any number of members) `bytes` into a padded buffer.
// Errors (kCorrupt) name `display_name`: truncated or damaged gzip, output over the limit.
Expected<JsonBuffer> DecodeInput(std::string_view display_name, std::string_view bytes,
                                 const Limits& limits);
// Reads `path` whole into a padded buffer (inflating gzip, detected from the magic bytes).
Expected<JsonBuffer> ReadInput(const std::string& path, const Limits& limits);

// The importer on a decoded buffer: walk the JSON, map it, write through `sink`.
Status ImportJson(std::string_view display_name, JsonBuffer json, TraceSink& sink,
                  const ImportOptions& options, ImportStats& stats, const Limits& limits);

// The importer on raw bytes (plain or gzip JSON), for the fuzz target.
Status ImportBytes(std::string_view display_name, std::string_view bytes, TraceSink& sink,
                   const ImportOptions& options, ImportStats& stats, const Limits& limits);

}  // namespace moeprof::analyzer::kineto
