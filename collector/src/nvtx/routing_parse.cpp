// Routing-mark parser. Hand-written scanner instead of a regex or sscanf: it must reject every
// malformed input exactly (no partial matches, no locale, no silent overflow) and it runs on the
// program's thread, so it allocates nothing but the token vector.
#include "routing_parse.h"

#include <limits>
#include <new>

namespace moeprof::collector::nvtx {
namespace {

constexpr std::string_view kPrefix = "moe.route";

bool IsSpace(char c) { return c == ' ' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsKeyChar(char c) { return (c >= 'a' && c <= 'z') || IsDigit(c) || c == '_'; }

// Strict non-negative decimal: at least one digit, nothing else, no overflow past int64.
std::optional<int64_t> ParseCount(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return std::nullopt;
    const int d = c - '0';
    if (v > (std::numeric_limits<int64_t>::max() - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

bool ParseTokenList(std::string_view s, std::vector<int64_t>& out) {
  if (s.empty()) return false;
  size_t begin = 0;
  while (true) {
    const size_t comma = s.find(',', begin);
    const std::string_view item =
        s.substr(begin, comma == std::string_view::npos ? std::string_view::npos : comma - begin);
    const auto v = ParseCount(item);
    if (!v) return false;
    if (out.size() >= kMaxRoutingExperts) return false;
    out.push_back(*v);
    if (comma == std::string_view::npos) return true;
    begin = comma + 1;  // a trailing comma leaves an empty item, rejected on the next turn
  }
}

}  // namespace

bool IsRoutingMarkText(std::string_view text) noexcept {
  if (text.substr(0, kPrefix.size()) != kPrefix) return false;
  return text.size() == kPrefix.size() || IsSpace(text[kPrefix.size()]);
}

std::optional<ParsedRoutingMark> ParseRoutingMark(std::string_view text) noexcept {
  try {
    if (text.size() > kMaxRoutingMarkBytes || !IsRoutingMarkText(text)) return std::nullopt;
    ParsedRoutingMark m;
    bool have_step = false, have_layer = false, have_mb = false, have_e0 = false,
         have_tokens = false, have_rank = false;
    size_t pos = kPrefix.size();
    while (true) {
      while (pos < text.size() && IsSpace(text[pos])) ++pos;
      if (pos >= text.size()) break;
      size_t end = pos;
      while (end < text.size() && !IsSpace(text[end])) ++end;
      const std::string_view field = text.substr(pos, end - pos);
      pos = end;

      const size_t eq = field.find('=');
      if (eq == std::string_view::npos || eq == 0) return std::nullopt;
      const std::string_view key = field.substr(0, eq), value = field.substr(eq + 1);
      for (char c : key)
        if (!IsKeyChar(c)) return std::nullopt;

      auto scalar = [&](bool& seen, int64_t& dst) {
        if (seen) return false;  // duplicate key: ambiguous, reject
        seen = true;
        const auto v = ParseCount(value);
        if (!v) return false;
        dst = *v;
        return true;
      };
      if (key == "step") {
        if (!scalar(have_step, m.step)) return std::nullopt;
      } else if (key == "layer") {
        if (!scalar(have_layer, m.layer)) return std::nullopt;
      } else if (key == "mb") {
        if (!scalar(have_mb, m.microbatch)) return std::nullopt;
      } else if (key == "e0") {
        if (!scalar(have_e0, m.first_expert)) return std::nullopt;
      } else if (key == "rank") {
        int64_t r = 0;
        if (!scalar(have_rank, r)) return std::nullopt;
        m.rank = r;
      } else if (key == "tokens") {
        if (have_tokens) return std::nullopt;
        have_tokens = true;
        if (!ParseTokenList(value, m.tokens)) return std::nullopt;
      } else if (value.empty()) {
        return std::nullopt;  // unknown keys are tolerated, empty values are not
      }
    }
    if (!have_step || !have_layer || !have_tokens) return std::nullopt;
    return m;
  } catch (...) {  // bad_alloc from the token vector: treat as malformed rather than propagate
    return std::nullopt;
  }
}

}  // namespace moeprof::collector::nvtx
