// The built-in kernel classification table. First match wins, so the order is the design:
//   1. communication (NCCL, DeepEP-style expert-parallel kernels, NVLink-SHARP multimem, custom
//      all-reduce) — before everything, because comm kernel names also contain words like
//      "reduce" or "gather", and a comm kernel must never count as compute;
//   2. library-specific families whose names would otherwise hit a generic word (Transformer
//      Engine, TensorRT-LLM / vLLM MoE routing, cuBLAS split-K reduce, cuBLASLt epilogues);
//   3. optimizer, grouped GEMM (before GEMM: "grouped_gemm" contains "gemm"), attention (before
//      softmax: fused attention names mention softmax), router top-k (before softmax: vLLM's
//      topk_softmax), softmax, norm (before reduction: Triton's fused layer norms are reductions),
//      cast (before permute/elementwise: a dtype-changing copy is a cast), permute, GEMM/conv;
//   4. the generic PyTorch/Triton buckets: reduction, then elementwise.
// Patterns were checked against the kernel names in the real traces under ../shared/data/traces
// (tests/model/classifier_test.cpp keeps a table of them).
#include "classifier_rules.h"

#include <re2/re2.h>

#include <array>

namespace moeprof::analyzer::detail {

namespace {
using KC = KernelClass;
using CO = CommOp;

constexpr BuiltinRule kRules[] = {
    // --- communication -------------------------------------------------------------------------
    {R"(nccl(Dev)?Kernel_|^nccl|ncclKernel)", KC::kComm, CO::kNone},
    // DeepEP and look-alikes: dispatch/combine (+ their notify/cached_notify helpers) in
    // ep::intranode / ep::internode / ep::internode_ll namespaces.
    {R"(ep::(intranode|internode|internode_ll)::\w*(dispatch|combine|notify))", KC::kComm, CO::kNone},
    // NVLink-SHARP multimem collectives, PyTorch symmetric-memory and vLLM custom all-reduce.
    {R"(multimem_\w*(all_reduce|all_gather|reduce_scatter|allreduce|allgather|reduce)|(one|two)_shot_all_reduce|cross_device_reduce|userbuffers_)",
     KC::kComm, CO::kNone},

    // --- library families ----------------------------------------------------------------------
    {R"(transformer_engine::.*(cast_transpose|quantize|dequantize|cast|fp8_))", KC::kCast, CO::kNone},
    {R"(transformer_engine::.*(rmsnorm|layernorm|layer_norm|rms_norm))", KC::kNorm, CO::kNone},
    {R"(transformer_engine::.*softmax)", KC::kSoftmax, CO::kNone},
    {R"(transformer_engine::.*(adam|multi_tensor))", KC::kOptimizer, CO::kNone},
    {R"(transformer_engine::.*(permute|unpermute))", KC::kPermute, CO::kNone},
    {R"(transformer_engine::.*(gelu|swiglu|geglu|relu|silu|act|bias|dgated))", KC::kElementwise, CO::kNone},
    // TensorRT-LLM / vLLM MoE pieces: routing is the top-k, finalize is the weighted unpermute.
    {R"(moe::dev::routing|topk_softmax|moe_align_block|moe_sum|routingIndices)", KC::kRouterTopk, CO::kNone},
    {R"(moe::dev::finalize|moe_permute|moe_unpermute|expandInputRows|finalizeMoeRouting|reshape_and_cache)", KC::kPermute, CO::kNone},
    // cuBLAS split-K reduction and cuBLASLt epilogue kernels belong to their GEMM / are a
    // separate memory-bound pass respectively.
    {R"(splitKreduce|cublasLt::.*reduce|ReduceSplitK)", KC::kGemm, CO::kNone},
    {R"(epilogue::impl::globalKernel)", KC::kElementwise, CO::kNone},

    // --- optimizer -----------------------------------------------------------------------------
    {R"((?i)adam|multi_tensor_apply|multi_tensor_|\bsgd|_sgd|lamb_|lion_|adagrad|muon)", KC::kOptimizer, CO::kNone},

    // --- grouped GEMM --------------------------------------------------------------------------
    {R"((?i)grouped_?gemm|gemm_?grouped|moe_\w*gemm|moegemm|fused_moe|ptrarray|ptr_array|dynBatch)",
     KC::kGroupedGemm, CO::kNone},

    // --- attention -----------------------------------------------------------------------------
    {R"((?i)flash|fmha|attention|sdpa|_attn|attn_|mha_|xformers|paged_?kv|decode_kernel)", KC::kAttention, CO::kNone},

    // --- router top-k --------------------------------------------------------------------------
    {R"((?i)topk|top_k|gatherTopK|radix_?sort|bitonic|sort|argmax|argsort)", KC::kRouterTopk, CO::kNone},

    // --- softmax -------------------------------------------------------------------------------
    {R"((?i)softmax|log_softmax)", KC::kSoftmax, CO::kNone},

    // --- norm ----------------------------------------------------------------------------------
    {R"((?i)layer_?norm|rms_?norm|group_?norm|batch_?norm|instance_?norm|l2_?norm|bn_fw|bn_bw|GammaBeta|RowwiseMoments|Norm(Kernel|Forward|Backward|Fwd|Bwd))",
     KC::kNorm, CO::kNone},

    // Low-precision GEMMs mention e4m3/fp8 in their names: claim them before the cast rule.
    {R"((?i)^(void )?bmm_|nvjet|xmma_gemm|cutlass.*gemm|tensorop.*gemm|(^|[^b])gemm.*(e4m3|e5m2|fp8|f8)|(e4m3|e5m2|fp8).*gemm)", KC::kGemm, CO::kNone},

    // --- cast / precision conversion ---------------------------------------------------------
    // PyTorch's dtype-changing copy is direct_copy_kernel with LoadWithCast/StoreWithCast (or a
    // lambda whose argument type differs): the plain copy without them is elementwise below.
    {R"(copy_kernel.*(LoadWithCast|StoreWithCast)|to_copy|bfloat16_copy|float8_copy|half_copy)", KC::kCast, CO::kNone},
    {R"((?i)(^|[^a-z])cast|_cast|quantiz|quant_|dequant|fp8|float8|hfp8|e4m3|e5m2|convert|cvt_)", KC::kCast, CO::kNone},

    // Rotary position embeddings are elementwise math, not an embedding lookup.
    {R"((?i)rotary|rope_|_rope)", KC::kElementwise, CO::kNone},

    // --- permute / data movement ---------------------------------------------------------------
    {R"((?i)permute|scatter|gather|index_select|indexSelect|index_elementwise|indexFunc|index_put|index_copy|index_add|embedding|CatArrayBatchedCopy|nchwToNhwc|nhwcToNchw|transpose|take_along|nonzero|_index_)",
     KC::kPermute, CO::kNone},

    // --- GEMM (cuBLAS, cuBLASLt, CUTLASS, nvjet, xmma, cuDNN implicit-GEMM convolutions) ---------
    {R"((?i)(^|[^b])gemm|gemv|cutlass|xmma|nvjet|cublas|^(void )?Kernel2\b|scudnn|matmul|\bbmm_|triton_(tem|mm|bmm)|convolve|dgrad|wgrad|fprop|winograd|fft2d_|cudnn::cnn|cask_)",
     KC::kGemm, CO::kNone},

    // --- reduction -----------------------------------------------------------------------------
    {R"((?i)reduce_kernel|triton_red_|triton_per_|reduction|reduce|DeviceScan|DeviceCompact|DeviceSelect|cumsum|cumprod|_pool|pool_|ClassNLLCriterion|cross_entropy|nll_loss)",
     KC::kReduction, CO::kNone},

    // --- elementwise ---------------------------------------------------------------------------
    {R"((?i)elementwise|triton_poi_|pointwise|Functor|fill|copy|dropout|gelu|silu|swiglu|relu|sigmoid|tanh|activation|bias_|_bias|where|clamp|arange|rotary|rope|scal_kernel|addcmul)",
     KC::kElementwise, CO::kNone},
};
}  // namespace

std::span<const BuiltinRule> BuiltinRules() { return kRules; }

CommOp ParseCollective(std::string_view name) {
  // NCCL: ncclDevKernel_<Coll>_<algo>... / ncclKernel_<Coll>_... ; ReduceScatter before Reduce
  // since one is a prefix of the other.
  struct Key { const char* text; CommOp op; };
  static constexpr Key kKeys[] = {
      {"AllReduce", CO::kAllReduce},         {"all_reduce", CO::kAllReduce},
      {"allreduce", CO::kAllReduce},         {"cross_device_reduce", CO::kAllReduce},
      {"AllGather", CO::kAllGather},         {"all_gather", CO::kAllGather},
      {"allgather", CO::kAllGather},         {"ReduceScatter", CO::kReduceScatter},
      {"reduce_scatter", CO::kReduceScatter},{"AllToAll", CO::kAllToAll},
      {"all_to_all", CO::kAllToAll},         {"alltoall", CO::kAllToAll},
      {"SendRecv", CO::kSendRecv},           {"Send", CO::kSendRecv},
      {"Recv", CO::kSendRecv},               {"Broadcast", CO::kBroadcast},
      {"combine", CO::kCombine},             {"dispatch", CO::kDispatch},
      {"Reduce", CO::kReduce},
  };
  for (const Key& k : kKeys) {
    if (name.find(k.text) != std::string_view::npos) return k.op;
  }
  return CO::kOther;
}

bool LooksFp64(std::string_view name) {
  // "double" as the element/compute type: the first type template argument, possibly after
  // integer arguments (AddFunctor<double>, ReduceOp<double, ...>, cunn_SoftMaxForward<4, double,
  // ...>, cublasGemvTensorStridedBatched<double const>), or a lambda parameter type
  // ({lambda(double)#1}). Not a later template argument: multi_tensor_apply_kernel<...,
  // FusedAdamMathFunctor<float, ...>, double*, double, ...> computes in float and only takes
  // double scalars (lr, betas, eps) and double* (step counts). Nor an optional scalar argument
  // (nan_to_num(..., c10::optional<double>)) or a plain scalar parameter of a float kernel.
  static const RE2 re(
      R"(<(-?\d+[a-z]*, )*double( const)?[,>]|lambda\(double|[Dd]gemm|_fp64|\bf64\b|_f64|)"
      R"(Double(Type|>))");
  static const RE2 not_re(R"(optional<double>)");
  if (!RE2::PartialMatch(name, re)) return false;
  if (!RE2::PartialMatch(name, not_re)) return true;
  // The name mentions optional<double>; count it only if double also appears elsewhere.
  std::string stripped(name);
  RE2::GlobalReplace(&stripped, not_re, "");
  return RE2::PartialMatch(stripped, re);
}

}  // namespace moeprof::analyzer::detail
