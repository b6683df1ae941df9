// NCCL argument and kernel-name parsing for the Kineto importer (see kineto_nccl.h).
#include "kineto_nccl.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace moeprof::analyzer::kineto {

bool ParseIntListText(std::string_view t, std::vector<int64_t>& out) {
  size_t i = 0;
  const size_t n = t.size();
  auto space = [&] {
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n')) ++i;
  };
  space();
  bool bracket = false;
  if (i < n && t[i] == '[') {
    bracket = true;
    ++i;
  }
  space();
  if (bracket && i < n && t[i] == ']') {
    ++i;
    space();
    return i == n;
  }
  while (i < n) {
    space();
    int64_t v = 0;
    const auto [p, ec] = std::from_chars(t.data() + i, t.data() + n, v);
    if (ec != std::errc()) return false;
    out.push_back(v);
    i = static_cast<size_t>(p - t.data());
    space();
    if (i < n && t[i] == ',') {
      ++i;
      continue;
    }
    if (bracket && i < n && t[i] == ']') {
      ++i;
      space();
      return i == n;
    }
    if (!bracket && i == n) return true;
    return false;
  }
  return !bracket && !out.empty();
}

std::string NormalizeCollective(std::string_view c) {
  std::string k;
  for (char ch : c) {
    if (ch != '_' && ch != ' ') k += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  // PyTorch spellings: allreduce, all_reduce, _allgather_base, allgather_into_tensor_coalesced,
  // reduce_scatter_tensor, _reduce_scatter_base, all_to_all, alltoall_base, all_to_all_single, ...
  auto starts = [&](std::string_view p) { return k.rfind(p, 0) == 0; };
  if (starts("allreduce")) return "AllReduce";
  if (starts("allgather")) return "AllGather";
  if (starts("reducescatter")) return "ReduceScatter";
  if (starts("alltoall")) return "AllToAll";
  if (starts("broadcast")) return "Broadcast";
  if (starts("reduce")) return "Reduce";
  if (starts("gather")) return "Gather";
  if (starts("scatter")) return "Scatter";
  if (starts("sendrecv")) return "SendRecv";
  if (starts("send")) return "Send";
  if (starts("recv")) return "Recv";
  if (starts("barrier")) return "Barrier";
  return std::string(c);
}

std::optional<NcclKernelName> ParseNcclKernelName(std::string_view name) {
  // Strip a "void " prefix some demanglers leave.
  if (name.rfind("void ", 0) == 0) name.remove_prefix(5);
  std::string_view rest;
  if (name.rfind("ncclDevKernel_", 0) == 0) {
    rest = name.substr(14);
  } else if (name.rfind("ncclKernel_", 0) == 0) {
    rest = name.substr(11);
  } else {
    return std::nullopt;
  }
  rest = rest.substr(0, std::min(rest.find('('), rest.find('<')));
  std::vector<std::string_view> parts;
  while (!rest.empty()) {
    const size_t u = rest.find('_');
    parts.push_back(rest.substr(0, u));
    if (u == std::string_view::npos) break;
    rest.remove_prefix(u + 1);
  }
  if (parts.empty() || parts[0].empty()) return std::nullopt;
  NcclKernelName out;
  out.op = std::string(parts[0]);
  size_t i = 1;
  // Algorithms may contain an underscore (COLLNET_DIRECT, NVLS_TREE).
  if (i < parts.size()) {
    const std::string_view a = parts[i];
    const std::string_view b = i + 1 < parts.size() ? parts[i + 1] : std::string_view();
    if (a == "RING") {
      out.algorithm = "Ring", ++i;
    } else if (a == "TREE") {
      out.algorithm = "Tree", ++i;
    } else if (a == "PAT") {
      out.algorithm = "PAT", ++i;
    } else if (a == "COLLNET" && (b == "DIRECT" || b == "CHAIN")) {
      out.algorithm = b == "DIRECT" ? "CollNetDirect" : "CollNetChain", i += 2;
    } else if (a == "NVLS" && b == "TREE") {
      out.algorithm = "NVLSTree", i += 2;
    } else if (a == "NVLS") {
      out.algorithm = "NVLS", ++i;
    }
  }
  if (i < parts.size()) {
    const std::string_view p = parts[i];
    if (p == "LL") out.protocol = "LL";
    if (p == "LL128") out.protocol = "LL128";
    if (p == "SIMPLE") out.protocol = "Simple";
  }
  return out;
}

Dtype DtypeOf(std::string_view c) {
  struct Entry {
    std::string_view c10, ours;
    int bytes;
  };
  static constexpr Entry kTable[] = {
      {"Float", "f32", 4},       {"BFloat16", "bf16", 2},   {"Half", "f16", 2},
      {"Double", "f64", 8},      {"Int", "i32", 4},         {"Long", "i64", 8},
      {"Short", "i16", 2},       {"Char", "i8", 1},         {"Byte", "u8", 1},
      {"Bool", "bool", 1},       {"ComplexFloat", "c64", 8}, {"ComplexDouble", "c128", 16},
      {"Float8_e4m3fn", "f8e4m3", 1}, {"Float8_e5m2", "f8e5m2", 1},
      {"Float8_e4m3fnuz", "f8e4m3fnuz", 1}, {"Float8_e5m2fnuz", "f8e5m2fnuz", 1},
      {"UInt16", "u16", 2},      {"UInt32", "u32", 4},      {"UInt64", "u64", 8},
  };
  for (const auto& e : kTable) {
    if (e.c10 == c) return {std::string(e.ours), e.bytes};
  }
  return {std::string(c), 0};
}

}  // namespace moeprof::analyzer::kineto
