// Kineto timestamps: ts and dur are microseconds written as decimal numbers with up to three
// (sometimes more) fractional digits, e.g. 1717171717171.123. A double holds ~15.9 significant
// digits, so an epoch-µs timestamp with ns fraction (19 digits) cannot round-trip through one;
// this file converts the number's TEXT to int64 nanoseconds exactly.
#include <cstdint>
#include <optional>
#include <string_view>

#include "kineto_internal.h"

namespace moeprof::analyzer::kineto {

std::optional<int64_t> MicrosTextToNanos(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' ||
                        s.back() == '\t' || s.back() == ',')) {
    s.remove_suffix(1);
  }
  size_t i = 0;
  const size_t n = s.size();
  bool negative = false;
  if (i < n && s[i] == '-') {
    negative = true;
    ++i;
  }
  // Significant digits of the mantissa (leading zeros dropped), at most 40 kept: anything longer
  // is either out of range or only affects digits far below the ns rounding digit.
  char digits[40];
  int ndig = 0;
  bool dropped_nonzero = false;  // a nonzero digit beyond the 40 kept (only matters for rounding)
  int64_t int_digits_after_cap = 0;  // integer digits not stored (value scale)
  const size_t int_begin = i;
  while (i < n && s[i] >= '0' && s[i] <= '9') {
    if (ndig == 0 && s[i] == '0') {
      ++i;
      continue;
    }
    if (ndig < 40) {
      digits[ndig++] = s[i];
    } else {
      ++int_digits_after_cap;
      if (s[i] != '0') dropped_nonzero = true;
    }
    ++i;
  }
  if (i == int_begin) return std::nullopt;  // no integer part
  // JSON forbids leading zeros ("01"); accept only a lone "0" before '.'/'e'/end.
  if (s[int_begin] == '0' && i - int_begin > 1) return std::nullopt;
  int64_t frac_len = 0;  // fractional digits that count toward the scale
  if (i < n && s[i] == '.') {
    ++i;
    const size_t frac_begin = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      if (ndig == 0 && s[i] == '0') {
        ++frac_len;  // leading zeros of a value < 1 still shift the scale
      } else if (ndig < 40) {
        digits[ndig++] = s[i];
        ++frac_len;
      } else if (s[i] != '0') {
        dropped_nonzero = true;
      }
      ++i;
    }
    if (i == frac_begin) return std::nullopt;
  }
  int64_t exp = 0;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
      exp_negative = s[i] == '-';
      ++i;
    }
    const size_t exp_begin = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      if (exp < 100000) exp = exp * 10 + (s[i] - '0');  // saturates; far out of range anyway
      ++i;
    }
    if (i == exp_begin) return std::nullopt;
    if (exp_negative) exp = -exp;
  }
  if (i != n) return std::nullopt;
  if (ndig == 0) return 0;
  // value = digits x 10^scale, in ns (+3 for µs -> ns).
  const int64_t scale = exp - frac_len + int_digits_after_cap + 3;
  uint64_t value = 0;
  if (scale >= 0) {
    if (ndig + scale > 19) return std::nullopt;
    for (int k = 0; k < ndig; ++k) value = value * 10 + static_cast<uint64_t>(digits[k] - '0');
    for (int64_t k = 0; k < scale; ++k) value *= 10;
  } else {
    const int64_t keep = ndig + scale;  // digits left of the ns point
    if (keep > 19) return std::nullopt;
    for (int64_t k = 0; k < keep; ++k) value = value * 10 + static_cast<uint64_t>(digits[k] - '0');
    // Round half away from zero on the first dropped digit.
    if (keep >= 0 && keep < ndig && digits[keep] >= '5') ++value;
    (void)dropped_nonzero;
  }
  constexpr uint64_t kMaxPositive = static_cast<uint64_t>(INT64_MAX);
  if (!negative) {
    if (value > kMaxPositive) return std::nullopt;
    return static_cast<int64_t>(value);
  }
  if (value > kMaxPositive + 1) return std::nullopt;
  if (value == kMaxPositive + 1) return INT64_MIN;
  return -static_cast<int64_t>(value);
}

}  // namespace moeprof::analyzer::kineto
