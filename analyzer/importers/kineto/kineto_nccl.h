// NCCL facts for the Kineto importer: the argument texts PyTorch attaches to NCCL kernels
// ("Collective name", "dtype", "Process Group Ranks" "[0, 1]", split sizes "[3, 5]") and what an
// NCCL kernel's own name says (ncclDevKernel_AllGather_RING_LL → AllGather, Ring, LL).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace moeprof::analyzer::kineto {

// "[0, 1, 2]", "[]", "0,1" → integers. False when the text holds anything but integers.
bool ParseIntListText(std::string_view text, std::vector<int64_t>& out);

// PyTorch's collective names (allreduce, _allgather_base, all_gather_into_tensor, reduce_scatter,
// _reduce_scatter_base, all_to_all, alltoall_base, broadcast, send, recv, ...) → the op names of
// the comm table (AllReduce, AllGather, ReduceScatter, AllToAll, Broadcast, Send, Recv, ...).
// Unknown names are returned unchanged.
std::string NormalizeCollective(std::string_view collective);

struct NcclKernelName {
  std::string op;         // AllReduce, AllGather, ReduceScatter, Broadcast, Reduce, SendRecv, ...
  std::string algorithm;  // Ring, Tree, CollNetDirect, CollNetChain, NVLS, NVLSTree, PAT, or ""
  std::string protocol;   // LL, LL128, Simple, or ""
};
// Parses ncclKernel_<Op>_<ALGO>_<PROTO>_<redop>_<type>(...) and ncclDevKernel_<Op>[_<ALGO>_<PROTO>]
// names; nullopt for kernels that are not NCCL kernels.
std::optional<NcclKernelName> ParseNcclKernelName(std::string_view kernel_name);

// c10 scalar type name ("Float", "BFloat16", ...) → our datatype spelling ("f32", "bf16") and
// its size in bytes (0 when unknown; the spelling is then the input).
struct Dtype {
  std::string name;
  int bytes = 0;
};
Dtype DtypeOf(std::string_view c10_name);

}  // namespace moeprof::analyzer::kineto
