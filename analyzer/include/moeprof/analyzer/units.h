// Human-readable numbers for text output: durations (ns/µs/ms/s), byte sizes (KiB/MiB/...), and
// integers with thousands separators. Pure functions, locale-independent.
#pragma once

#include <cstdint>
#include <string>

namespace moeprof::analyzer {

// 950 -> "950 ns", 1500 -> "1.50 µs", 2'500'000 -> "2.50 ms", 3'250'000'000 -> "3.250 s",
// 125 s and longer -> "2 min 05.0 s" style. Negative durations keep their sign.
std::string FormatDuration(int64_t ns);

// 512 -> "512 B", 1536 -> "1.5 KiB", 80 GiB -> "80.0 GiB" (binary prefixes, one decimal).
std::string FormatBytes(int64_t bytes);

// 1234567 -> "1,234,567"; -1234 -> "-1,234".
std::string FormatCount(int64_t n);

// Nanoseconds since the Unix epoch -> "2025-11-24 16:55:01.123 UTC".
std::string FormatUtcTime(int64_t unix_ns);

}  // namespace moeprof::analyzer
