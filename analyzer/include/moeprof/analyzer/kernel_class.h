// Kernel classification: a rule table of RE2 patterns over demangled kernel names (first match
// wins), built in plus user rules from a TOML file that take precedence. Each distinct name is
// classified once per run (RankTrace::name_class, by StringId). The built-in table and its order
// are in src/model/classifier_rules.cpp; docs/ANALYZER.md explains the classes.
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
const char* CommOpName(CommOp op);  // "all_reduce", "all_to_all", "dispatch", ... ("none")
bool ParseCommOp(std::string_view name, CommOp& out);

// True for classes that do arithmetic work on the GPU ("compute" in the breakdowns): everything
// but communication, copies, memsets. kOther counts as compute, as HTA counts every non-comm,
// non-memory kernel as compute.
inline bool IsComputeClass(KernelClass c) {
  return c != KernelClass::kComm && c != KernelClass::kMemcpy && c != KernelClass::kMemset;
}

struct Classification {
  KernelClass cls = KernelClass::kOther;
  CommOp comm = CommOp::kNone;  // set when cls == kComm
  bool fp64 = false;            // a double-precision kernel (for the precision rule)
  int rule_index = -1;          // which rule matched (-1: none); for `moeprof classify`
};

class Classifier {
 public:
  static Classifier Builtin();
  // An empty table: every name is kOther (tests; a base for AddRulesFromToml only).
  Classifier();
  // User rules (TOML: [[kernel]] pattern = "...", class = "gemm", comm = "all_to_all"; [[rule]]
  // is accepted too) are tried before the built-in ones, in file order. For class "comm" without
  // `comm`, the collective is parsed from the name as for NCCL kernels. Errors name the file and
  // the bad entry (bad regex, unknown class or comm op). Calling it again adds more rules in
  // front of the earlier ones. Copies of a Classifier are independent.
  Status AddRulesFromToml(const std::string& path);
  // Same from TOML text; `origin` names it in errors.
  Status AddRulesFromTomlString(std::string_view toml, const std::string& origin);
  // Mangled names (_Z...) are demangled first.
  Classification Classify(std::string_view demangled_name) const;

  struct RuleInfo { std::string pattern; KernelClass cls; CommOp comm; bool user; };
  const std::vector<RuleInfo>& rules() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace moeprof::analyzer
