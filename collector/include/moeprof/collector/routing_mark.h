// Emitter of the moeprof routing mark (docs/ROUTING-MARK.md), header-only.
//
// A program reports MoE routing (tokens per expert of one layer, microbatch and step on one rank)
// as an NVTX mark in domain "moeprof" whose message is plain ASCII text, e.g.
//   moe.route step=12 layer=3 mb=0 rank=1 e0=4 tokens=17,3,0,44
// Any program can emit it with plain NVTX; this header only saves the formatting. It depends on
// the NVTX v3 headers alone (no link dependency on the collector), so the trainer and any other
// program can use it whether or not the collector is present: without a tool attached, NVTX calls
// are no-ops and only the formatting costs anything.
#pragma once

#include <charconv>
#include <concepts>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>

#include <nvtx3/nvToolsExt.h>

namespace moeprof::collector {

inline constexpr const char* kRoutingDomain = "moeprof";
inline constexpr const char* kRoutingPrefix = "moe.route";

namespace routing_detail {
inline void Append(std::string& out, int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}
}  // namespace routing_detail

// Formats the mark's text. `tokens` is any range of integers: tokens[i] is the number of tokens
// routed to expert first_expert + i. Leave rank empty to mean "the rank of the emitting process"
// (the collector fills it from RANK / OMPI_COMM_WORLD_RANK / PMI_RANK / SLURM_PROCID).
// Returns "" when the input cannot form a valid mark (a negative value or no experts).
template <typename Range>
  requires requires(const Range& r) {
    { *std::begin(r) } -> std::convertible_to<int64_t>;
  }
std::string FormatRoutingMark(int64_t step, int64_t layer, const Range& tokens,
                              int64_t microbatch = 0, std::optional<int64_t> rank = std::nullopt,
                              int64_t first_expert = 0) {
  if (step < 0 || layer < 0 || microbatch < 0 || first_expert < 0 || (rank && *rank < 0))
    return {};
  std::string out = kRoutingPrefix;
  out += " step=";
  routing_detail::Append(out, step);
  out += " layer=";
  routing_detail::Append(out, layer);
  out += " mb=";
  routing_detail::Append(out, microbatch);
  if (rank) {
    out += " rank=";
    routing_detail::Append(out, *rank);
  }
  out += " e0=";
  routing_detail::Append(out, first_expert);
  out += " tokens=";
  bool first = true;
  for (const auto& t : tokens) {
    const auto v = static_cast<int64_t>(t);
    if (v < 0) return {};
    if (!first) out += ',';
    first = false;
    routing_detail::Append(out, v);
  }
  if (first) return {};  // no experts
  return out;
}

// The "moeprof" NVTX domain, created once per NVTX instance of the calling module.
inline nvtxDomainHandle_t RoutingDomain() {
  static const nvtxDomainHandle_t domain = nvtxDomainCreateA(kRoutingDomain);
  return domain;
}

// Emits one routing mark. Returns false (and emits nothing) when the input is invalid.
// Cost: one string build and one NVTX call; keep the token counts on the host already (reading
// them from the GPU is the expensive part, see docs/ROUTING-MARK.md).
template <typename Range>
bool EmitRoutingMark(int64_t step, int64_t layer, const Range& tokens, int64_t microbatch = 0,
                     std::optional<int64_t> rank = std::nullopt, int64_t first_expert = 0) {
  const std::string text =
      FormatRoutingMark(step, layer, tokens, microbatch, rank, first_expert);
  if (text.empty()) return false;
  nvtxEventAttributes_t attr{};
  attr.version = NVTX_VERSION;
  attr.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
  attr.messageType = NVTX_MESSAGE_TYPE_ASCII;
  attr.message.ascii = text.c_str();
  nvtxDomainMarkEx(RoutingDomain(), &attr);
  return true;
}

}  // namespace moeprof::collector
