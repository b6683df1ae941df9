// The built-in kernel classification table (internal to the analyzer library).
#pragma once

#include <span>

#include "moeprof/analyzer/kernel_class.h"

namespace moeprof::analyzer::detail {

struct BuiltinRule {
  const char* pattern;  // RE2, unanchored, over the demangled name
  KernelClass cls;
  CommOp comm;          // for kComm: kNone means "parse the collective from the name"
};

std::span<const BuiltinRule> BuiltinRules();

// The collective of an NCCL-style name (ncclDevKernel_AllReduce_..., ncclKernel_SendRecv_...,
// multimem_all_gather..., deep_ep::intranode::combine...); kOther when none is recognised.
CommOp ParseCollective(std::string_view name);

// Double-precision kernels: "double" as a template or lambda argument, dgemm, _fp64, f64.
bool LooksFp64(std::string_view name);

}  // namespace moeprof::analyzer::detail
