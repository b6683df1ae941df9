// Parser of the routing mark (docs/ROUTING-MARK.md): the text of an NVTX mark such as
//   moe.route step=12 layer=3 mb=0 rank=1 e0=4 tokens=17,3,0,44
// becomes a RoutingEvent. Pure functions, no NVTX or runtime dependency, so the format can be
// tested exactly (tests/collector/nvtx_nccl) against what the Python helper and the C++ emitter write.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace moeprof::collector::nvtx {

// What a well-formed routing mark carries. rank is absent when the emitter left it out ("this
// process"); the capture side fills it from the launcher's environment.
struct ParsedRoutingMark {
  int64_t step = 0, layer = 0, microbatch = 0, first_expert = 0;
  std::optional<int64_t> rank;
  std::vector<int64_t> tokens;
};

// Limits that keep a hostile or buggy emitter from costing memory or time.
inline constexpr size_t kMaxRoutingMarkBytes = 1u << 20;
inline constexpr size_t kMaxRoutingExperts = 1u << 16;

// True when `text` is meant as a routing mark: it starts with the word "moe.route" (followed by
// whitespace or nothing). Such marks are consumed by the routing path, never stored as plain marks.
bool IsRoutingMarkText(std::string_view text) noexcept;

// Parses a routing mark. Returns nullopt for anything malformed: missing step/layer/tokens, a
// duplicate key, a non-decimal or negative or overflowing number, an empty list entry, too many
// experts, or a text that does not start with "moe.route". Unknown keys (key=value, key in
// [a-z0-9_]) are ignored so that later versions can add fields.
std::optional<ParsedRoutingMark> ParseRoutingMark(std::string_view text) noexcept;

}  // namespace moeprof::collector::nvtx
