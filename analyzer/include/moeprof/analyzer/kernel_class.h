// Kernel classification: a rule table of RE2 patterns over demangled kernel names (first match
// wins), built in plus user rules from a TOML file that take precedence. Each distinct name is
// classified once per run.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "moeprof/schemas/status.h"

namespace moeprof::analyzer {

enum class KernelClass : uint8_t {
  kGemm, kGroupedGemm, kAttention, kNorm, kElementwise, kReduction, kSoftmax, kRouterTopk,
  kPermute, kCast, kOptimizer, kComm, kMemcpy, kMemset, kOther,
  kCount
};
const char* KernelClassName(KernelClass c);  // "gemm", "grouped_gemm", ...
bool ParseKernelClass(std::string_view name, KernelClass& out);

enum class CommOp : uint8_t {
  kNone, kAllReduce, kAllGather, kReduceScatter, kAllToAll, kSendRecv, kBroadcast, kReduce,
  kDispatch, kCombine,  // expert-parallel custom kernels (DeepEP-style)
  kOther
};
const char* CommOpName(CommOp op);

struct Classification {
  KernelClass cls = KernelClass::kOther;
  CommOp comm = CommOp::kNone;  // set when cls == kComm
  bool fp64 = false;            // a double-precision kernel (for the precision rule)
  int rule_index = -1;          // which rule matched (-1: none); for `moeprof classify`
};

class Classifier {
 public:
  static Classifier Builtin();
  // User rules (TOML: [[rule]] pattern = "...", class = "gemm", comm = "all_to_all") are tried
  // before the built-in ones. Errors name the file and the bad entry.
  Status AddRulesFromToml(const std::string& path);
  Classification Classify(std::string_view demangled_name) const;

  struct RuleInfo { std::string pattern; KernelClass cls; CommOp comm; bool user; };
  const std::vector<RuleInfo>& rules() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace moeprof::analyzer
