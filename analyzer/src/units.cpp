// Human-readable units for durations, sizes and counts (see units.h). Uses fmt so the output does
// not depend on the C locale the program happens to run under.
#include "moeprof/analyzer/units.h"

#include <fmt/format.h>

#include <cstdlib>
#include <ctime>

namespace moeprof::analyzer {
namespace {

// fmt instead of `"-" + s`, which trips a GCC 12 -Wrestrict false positive.
std::string Negative(const std::string& magnitude) { return fmt::format("-{}", magnitude); }

}  // namespace

std::string FormatDuration(int64_t ns) {
  // INT64_MIN has no positive counterpart; one ns less is invisible at any unit it prints in.
  if (ns < 0) return Negative(FormatDuration(ns == INT64_MIN ? INT64_MAX : -ns));
  if (ns < 1'000) return fmt::format("{} ns", ns);
  const double v = static_cast<double>(ns);
  if (ns < 1'000'000) return fmt::format("{:.2f} µs", v / 1e3);
  if (ns < 1'000'000'000) return fmt::format("{:.2f} ms", v / 1e6);
  if (ns < 120'000'000'000) return fmt::format("{:.3f} s", v / 1e9);
  // Long spans read better in minutes (and hours); tenths of a second are still meaningful.
  const int64_t total_ds = ns / 100'000'000;  // deciseconds
  const int64_t hours = total_ds / 36'000;
  const int64_t minutes = (total_ds / 600) % 60;
  const double seconds = static_cast<double>(total_ds % 600) / 10.0;
  if (hours > 0) return fmt::format("{} h {:02} min {:04.1f} s", hours, minutes, seconds);
  return fmt::format("{} min {:04.1f} s", minutes, seconds);
}

std::string FormatBytes(int64_t bytes) {
  if (bytes < 0) return Negative(FormatBytes(bytes == INT64_MIN ? INT64_MAX : -bytes));
  if (bytes < 1024) return fmt::format("{} B", bytes);
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes) / 1024.0;
  size_t unit = 0;
  while (v >= 1024.0 && unit + 1 < std::size(kUnits)) {
    v /= 1024.0;
    ++unit;
  }
  return fmt::format("{:.1f} {}", v, kUnits[unit]);
}

std::string FormatCount(int64_t n) {
  const bool negative = n < 0;
  // Work on the unsigned magnitude so INT64_MIN is handled.
  uint64_t mag = negative ? ~static_cast<uint64_t>(n) + 1 : static_cast<uint64_t>(n);
  std::string digits = fmt::format("{}", mag);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3 + 1);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return negative ? Negative(out) : out;
}

std::string FormatUtcTime(int64_t unix_ns) {
  const int64_t secs = unix_ns >= 0 ? unix_ns / 1'000'000'000 : (unix_ns - 999'999'999) / 1'000'000'000;
  const int64_t ms = (unix_ns - secs * 1'000'000'000) / 1'000'000;
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return fmt::format("{} ns since epoch", unix_ns);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03} UTC", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

}  // namespace moeprof::analyzer
