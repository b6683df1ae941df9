// Kernel classifier: a hand-written table of real-world names → classes (cuBLAS, CUTLASS, nvjet,
// grouped GEMM, attention, PyTorch, Triton, Transformer Engine, NCCL, DeepEP, multimem, ...),
// fp64 detection, user TOML rules and their errors, and the names in the real traces under
// ../shared/data/traces (skipped when absent).
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "moeprof/analyzer/kernel_class.h"

namespace moeprof::analyzer {
namespace {

using KC = KernelClass;
using CO = CommOp;

struct Case {
  const char* name;
  KC cls;
  CO comm = CO::kNone;
};

const Case kCases[] = {
    // cuBLAS / cuBLASLt / CUTLASS / nvjet / xmma
    {"volta_sgemm_128x32_nt", KC::kGemm},
    {"ampere_sgemm_128x64_nn", KC::kGemm},
    {"ampere_bf16_s16816gemm_bf16_128x128_ldg8_f2f_stages_64x3_tn", KC::kGemm},
    {"sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64_warpgroupsize1x1x1_execute_segment_k_off_kernel__5x_cublas", KC::kGemm},
    {"nvjet_tst_192x8_64x8_4x1_v_bz_TNT", KC::kGemm},
    {"void cutlass::Kernel<cutlass_80_tensorop_s1688gemm_64x64_16x6_nt_align4>(cutlass_80_tensorop_s1688gemm_64x64_16x6_nt_align4::Params)", KC::kGemm},
    {"void cutlass::device_kernel<cutlass::gemm::kernel::GemmUniversal<cutlass::gemm::GemmShape<128, 128, 64>>>(Params)", KC::kGemm},
    {"void gemv2T_kernel_val<int, int, float, float, float, float, 128, 16, 4, 4, false, false>(Params)", KC::kGemm},
    {"void splitKreduce_kernel<float, float, float, float, true, false, false>(cublasSplitKParams<float>)", KC::kGemm},
    {"Kernel2", KC::kGemm},
    {"bmm_Bfloat16_MxE2m1MxE4m3_Fp32_t128x16x256u2_s3_et128x16_m128x16x32_cga1x1x1_16dp256b_rM_TN_transOut", KC::kGemm},
    {"triton_tem_fused_mm_0", KC::kGemm},
    {"sm80_xmma_fprop_implicit_gemm_indexed_tf32f32_tf32f32_f32_nhwckrsc_nchw_tilesize128x128x16", KC::kGemm},
    // grouped GEMM
    {"void cutlass::Kernel<cutlass::gemm::kernel::GemmGrouped<cutlass::gemm::threadblock::MmaMultistage<>>>(Params)", KC::kGroupedGemm},
    {"void grouped_gemm::CutlassGroupedGemm<bf16>(Args)", KC::kGroupedGemm},
    {"moe_align_gemm_kernel", KC::kGroupedGemm},
    {"fused_moe_kernel", KC::kGroupedGemm},
    {"void cutlass::device_kernel<cutlass::gemm::kernel::GemmUniversal<cutlass::gemm::GroupProblemShape<>, KernelPtrArrayTmaWarpSpecializedCooperative>>(Params)", KC::kGroupedGemm},
    // attention
    {"void flash_fwd_kernel<Flash_fwd_kernel_traits<128, 128, 64, 4, false, false, cutlass::bfloat16_t>, false, true>(Flash_fwd_params)", KC::kAttention},
    {"void flash_bwd_dq_dk_dv_loop_seqk_parallel_kernel<Flash_bwd_kernel_traits<>>(Flash_bwd_params)", KC::kAttention},
    {"fmhaSm100aKernel_QkvE4m3OBfloat16H64PagedKvCausalP16VarSeqQ128Kv128PersistentContext", KC::kAttention},
    {"cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16_knob_3_64x64x128_4x1x1_kernel0_0", KC::kAttention},
    {"void pytorch_flash::flash_fwd_kernel<>(Params)", KC::kAttention},
    {"void fmha_cutlassF_bf16_aligned_64x128_rf_sm80(AttentionKernel<>::Params)", KC::kAttention},
    // norm
    {"void at::native::(anonymous namespace)::vectorized_layer_norm_kernel<float, float>(int, float, float const*)", KC::kNorm},
    {"void at::native::(anonymous namespace)::layer_norm_grad_input_kernel<float, float>(float const*)", KC::kNorm},
    {"void at::native::(anonymous namespace)::GammaBetaBackwardCUDAKernel<float, float>(long, long)", KC::kNorm},
    {"void vllm::rms_norm_kernel<c10::BFloat16, 8, 2>(c10::BFloat16*)", KC::kNorm},
    {"void transformer_engine::normalization::rmsnorm_fwd_tuned_kernel<transformer_engine::normalization::Kernel_traits<>>(Params)", KC::kNorm},
    {"void cudnn::bn_fw_tr_1C11_kernel_NCHW<float, float, 512, true, 1>(cudnnTensorStruct)", KC::kNorm},
    {"triton_red_fused_native_layer_norm_0", KC::kNorm},
    {"void apex::RMSNormForward<float>(float*)", KC::kNorm},
    // elementwise
    {"void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<float>, at::detail::Array<char*, 3> >(int, at::native::CUDAFunctor_add<float>, at::detail::Array<char*, 3>)", KC::kElementwise},
    {"void at::native::unrolled_elementwise_kernel<at::native::CUDAFunctor_add<float>, at::detail::Array<char*, 3>, TrivialOffsetCalculator<2, unsigned int> >(int)", KC::kElementwise},
    {"void at::native::elementwise_kernel<128, 2, at::native::gpu_kernel_impl<at::native::BinaryFunctor<float, float, float, at::native::binary_internal::MulFunctor<float> > >(at::TensorIteratorBase&)::{lambda(int)#1}>(int)", KC::kElementwise},
    {"triton_poi_fused_add_bitwise_and_bitwise_not_bitwise_or_ge_lt_mul_sub_0", KC::kElementwise},
    {"void epilogue::impl::globalKernel<float, float, float, true, true>(int, int, long, float*, cublasLtEpilogue_t)", KC::kElementwise},
    {"void at::native::elementwise_kernel<128, 2, at::native::gpu_kernel_impl<at::native::direct_copy_kernel_cuda(at::TensorIteratorBase&)::{lambda()#2}::operator()() const::{lambda(float)#1}>(at::TensorIteratorBase&)>(int)", KC::kElementwise},
    {"void transformer_engine::swiglu_kernel<bf16>(Params)", KC::kElementwise},
    // reduction
    {"void at::native::reduce_kernel<128, 4, at::native::ReduceOp<float, at::native::func_wrapper_t<float, at::native::sum_functor<float, float, float>::operator()(at::TensorIterator&)::{lambda(float, float)#1}>, unsigned int, float, 4> >(at::native::ReduceOp<float>)", KC::kReduction},
    {"void at::native::reduce_kernel<512, 1, at::native::ReduceOp<float, at::native::NormTwoOps<float, float, float>, unsigned int, float, 4> >(Op)", KC::kReduction},
    {"triton_red_fused_sum_0", KC::kReduction},
    {"triton_per_fused_mean_1", KC::kReduction},
    {"void cub::DeviceScanKernel<cub::AgentScanPolicy<128, 15, int> >(int)", KC::kReduction},
    // softmax
    {"void (anonymous namespace)::softmax_warp_forward<float, float, float, 10, true, false>(float*, float const*, int, int, int, bool const*, int, bool)", KC::kSoftmax},
    {"void at::native::(anonymous namespace)::cunn_SoftMaxForward<4, float, float, float, at::native::(anonymous namespace)::SoftMaxForwardEpilogue>(float*, float const*, int)", KC::kSoftmax},
    {"triton_per_fused__softmax_0", KC::kSoftmax},
    {"void transformer_engine::scaled_masked_softmax_warp_forward<bf16>(Params)", KC::kSoftmax},
    // router top-k
    {"void at::native::sbtopk::gatherTopK<float, unsigned int, 2, false>(at::cuda::detail::TensorInfo<float, unsigned int>)", KC::kRouterTopk},
    {"void at::native::bitonicSortKVInPlace<2, -1, 16, 16, float, long, at::native::LTOp<float, true>, unsigned int>(Info)", KC::kRouterTopk},
    {"void cub::DeviceRadixSortOnesweepKernel<cub::DeviceRadixSortPolicy<long, int, int>::Policy800, false, long, int, int, int>(int*)", KC::kRouterTopk},
    {"void vllm::moe::topk_softmax<8, 64>(float const*)", KC::kRouterTopk},
    {"void moe::dev::routing::routingIndicesHistogramKernel<moe::dev::routing::routingRenormalize::KernelParams<__nv_bfloat16, __nv_bfloat16, 128, false, true> >(Params)", KC::kRouterTopk},
    // permute
    {"void at::native::index_elementwise_kernel<128, 4, at::native::gpu_index_kernel<at::native::index_kernel_impl<at::native::OpaqueType<8> > > >(int)", KC::kPermute},
    {"void at::native::(anonymous namespace)::indexSelectLargeIndex<float, int, unsigned int, 1, 1, -2, true>(Info)", KC::kPermute},
    {"void at::native::_scatter_gather_elementwise_kernel<128, 4, at::native::_cuda_scatter_gather_internal_kernel<true, float> >(int)", KC::kPermute},
    {"void moe_permute_kernel<bf16>(Params)", KC::kPermute},
    {"void unpermute_kernel<__nv_bfloat16, float, true>(Params)", KC::kPermute},
    {"void at::native::vectorized_gather_kernel<16, long>(char*, char*, long*, int, long, long, long, long, bool)", KC::kPermute},
    {"void moe::dev::finalize::finalizeKernelVecLoad<moe::dev::finalize::KernelParams<cutlass::bfloat16_t, cutlass::bfloat16_t, 4, true> >(Params)", KC::kPermute},
    // cast
    {"void at::native::unrolled_elementwise_kernel<at::native::direct_copy_kernel_cuda(at::TensorIteratorBase&)::{lambda()#3}::operator()() const::{lambda()#7}::operator()() const::{lambda(float)#1}, std::array<char*, 2ul>, 4, TrivialOffsetCalculator<1, unsigned int>, TrivialOffsetCalculator<1, unsigned int>, at::native::memory::LoadWithCast<1>, at::native::memory::StoreWithCast<1> >(int)", KC::kCast},
    {"void transformer_engine::cast_transpose_kernel<8, bf16, fp8e4m3>(Params)", KC::kCast},
    {"void vllm::scaled_fp8_quant_kernel_strided<c10::BFloat16, c10::Float8_e4m3fn>(c10::Float8_e4m3fn*)", KC::kCast},
    {"void tensorrt_llm::kernels::quantize_with_block_size<(tensorrt_llm::BlockScaleQuantizationType)2, __nv_bfloat16, 32, true>(int)", KC::kCast},
    {"void at::native::bfloat16_copy_kernel_cuda(at::TensorIteratorBase&)", KC::kCast},
    {"void fbgemm_gpu::(anonymous namespace)::_compute_FP8_quantize_cuda_kernel<float>(float const*)", KC::kCast},
    {"convert_fp32_to_bf16_kernel", KC::kCast},
    // optimizer
    {"void multi_tensor_apply_kernel<TensorListMetadata<4>, AdamFunctor<float>, float>(int, int volatile*)", KC::kOptimizer},
    {"void at::native::(anonymous namespace)::multi_tensor_apply_kernel<at::native::(anonymous namespace)::TensorListMetadata<1> >(Meta)", KC::kOptimizer},
    {"fused_adam_kernel", KC::kOptimizer},
    {"sgd_momentum_kernel", KC::kOptimizer},
    // communication
    {"ncclKernel_AllReduce_RING_LL_Sum_float(ncclWorkElem)", KC::kComm, CO::kAllReduce},
    {"ncclDevKernel_AllGather_RING_LL(ncclDevKernelArgsStorage<4096ul>)", KC::kComm, CO::kAllGather},
    {"ncclDevKernel_ReduceScatter_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)", KC::kComm, CO::kReduceScatter},
    {"ncclKernel_SendRecv_RING_SIMPLE_Sum_int8_t(ncclDevComm*, unsigned long, ncclWork*)", KC::kComm, CO::kSendRecv},
    {"ncclDevKernel_SendRecv(ncclDevKernelArgsStorage<4096ul>)", KC::kComm, CO::kSendRecv},
    {"ncclKernel_Broadcast_RING_LL_Sum_int8_t(ncclDevComm*, unsigned long, ncclWork*)", KC::kComm, CO::kBroadcast},
    {"ncclDevKernel_Reduce_Sum_f32_RING_LL(ncclDevKernelArgsStorage<4096ul>)", KC::kComm, CO::kReduce},
    {"ncclDevKernel_Generic(ncclDevKernelArgsStorage<4096ul>)", KC::kComm, CO::kOther},
    {"void deep_ep::intranode::dispatch<8, 768, 8192>(int4*, float*, int*)", KC::kComm, CO::kDispatch},
    {"void deep_ep::internode::combine<true, 8, 4>(int4*)", KC::kComm, CO::kCombine},
    {"void deep_ep::intranode::notify_dispatch<8>(int const*)", KC::kComm, CO::kDispatch},
    {"void deep_ep::intranode::cached_notify_combine<8>(void**)", KC::kComm, CO::kCombine},
    {"void deep_ep::internode_ll::dispatch<false, 3, 7168>(void*)", KC::kComm, CO::kDispatch},
    {"void (anonymous namespace)::multimem_all_reduce_kernel<c10::BFloat16, 16>(c10::BFloat16*, unsigned long, unsigned int**)", KC::kComm, CO::kAllReduce},
    {"void c10d::symmetric_memory::multimem_all_gather_kernel<16>(void*)", KC::kComm, CO::kAllGather},
    {"void vllm::cross_device_reduce_1stage<__nv_bfloat16, 8>(RankData*)", KC::kComm, CO::kAllReduce},
    // other
    {"at::cuda::(anonymous namespace)::spin_kernel(long)", KC::kOther},
    {"triton__0d1d2d3d", KC::kOther},
};

TEST(Classifier, BuiltinTableCompilesEveryRule) {
  const Classifier c = Classifier::Builtin();
  EXPECT_GE(c.rules().size(), 20u);
  for (const auto& r : c.rules()) EXPECT_FALSE(r.user);
}

TEST(Classifier, HandWrittenNames) {
  const Classifier c = Classifier::Builtin();
  for (const Case& k : kCases) {
    const Classification got = c.Classify(k.name);
    EXPECT_EQ(KernelClassName(got.cls), std::string(KernelClassName(k.cls))) << k.name;
    EXPECT_EQ(CommOpName(got.comm), std::string(CommOpName(k.comm))) << k.name;
    if (got.cls != KC::kOther) {
      EXPECT_GE(got.rule_index, 0);
    }
  }
}

TEST(Classifier, Fp64Detection) {
  const Classifier c = Classifier::Builtin();
  EXPECT_TRUE(c.Classify("void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<double>, at::detail::Array<char*, 3> >(int)").fp64);
  EXPECT_TRUE(c.Classify("volta_dgemm_128x64_nn").fp64);
  EXPECT_TRUE(c.Classify("router_topk_fp64").fp64);
  EXPECT_TRUE(c.Classify("void at::native::vectorized_elementwise_kernel<4, at::native::log2_kernel_cuda(at::TensorIteratorBase&)::{lambda(double)#1}>(int)").fp64);
  EXPECT_FALSE(c.Classify("volta_sgemm_128x64_nn").fp64);
  EXPECT_TRUE(c.Classify("void at::native::vectorized_elementwise_kernel<4, at::native::AddFunctor<double>, at::detail::Array<char*, 3> >(int, at::native::AddFunctor<double>, at::detail::Array<char*, 3>)").fp64);
  EXPECT_TRUE(c.Classify("void at::native::reduce_kernel<512, 1, at::native::ReduceOp<double, at::native::NormTwoOps<double, double, double>, unsigned int, double, 4> >(at::native::ReduceOp<double, at::native::NormTwoOps<double, double, double>, unsigned int, double, 4>)").fp64);
  EXPECT_TRUE(c.Classify("void at::native::(anonymous namespace)::cunn_SoftMaxForward<4, double, double, double, at::native::(anonymous namespace)::SoftMaxForwardEpilogue>(double*, double const*, int)").fp64);
  EXPECT_TRUE(c.Classify("void gemv2T_kernel_val<int, int, double, double, double, double, 128, 16, 4, 4, false, false, cublasGemvParamsEx<int, cublasGemvTensorStridedBatched<double const>, cublasGemvTensorStridedBatched<double>, double> >(cublasGemvParamsEx<int, cublasGemvTensorStridedBatched<double const>, cublasGemvTensorStridedBatched<double>, double>, double, double)").fp64);
  EXPECT_TRUE(c.Classify("triton_poi_fused__to_copy_mul_f64_0").fp64);
  // Fused AdamW computes in float; its double lr/betas/eps scalars and double* step counts do not
  // make it fp64.
  EXPECT_FALSE(c.Classify("void at::native::(anonymous namespace)::multi_tensor_apply_kernel<at::native::(anonymous namespace)::TensorListMetadata<4>, at::native::(anonymous namespace)::FusedAdamMathFunctor<float, 4, (at::native::ADAM_MODE)1, false>, double*, double, double, double, double, double, bool, double*, double*>(at::native::(anonymous namespace)::TensorListMetadata<4>, at::native::(anonymous namespace)::FusedAdamMathFunctor<float, 4, (at::native::ADAM_MODE)1, false>, double*, double, double, double, double, double, bool, double*, double*)").fp64);
  EXPECT_FALSE(c.Classify("void at::native::(anonymous namespace)::multi_tensor_apply_kernel<at::native::(anonymous namespace)::TensorListMetadata<4>, at::native::(anonymous namespace)::FusedAdamMathFunctor<c10::BFloat16, 4, (at::native::ADAM_MODE)1, false>, float*, double, double, double, double, double, bool, double*, double*>(at::native::(anonymous namespace)::TensorListMetadata<4>, at::native::(anonymous namespace)::FusedAdamMathFunctor<c10::BFloat16, 4, (at::native::ADAM_MODE)1, false>, float*, double, double, double, double, double, bool, double*, double*)").fp64);
  EXPECT_FALSE(c.Classify("void at::native::(anonymous namespace)::distribution_elementwise_grid_stride_kernel<float, 4, at::native::templates::cuda::normal_and_transform<float, float, at::CUDAGeneratorImpl*>(at::TensorIteratorBase&, double, double, at::CUDAGeneratorImpl*)::{lambda(float)#1}>(long, at::PhiloxCudaState, float)").fp64);
  // optional<double> scalar arguments do not make a float kernel fp64.
  EXPECT_FALSE(c.Classify("void at::native::vectorized_elementwise_kernel<4, at::native::nan_to_num_kernel_cuda(at::TensorIteratorBase&, c10::optional<double>, c10::optional<double>)::{lambda(float)#1}>(int)").fp64);
  EXPECT_FALSE(c.Classify("void fbgemm_gpu::_float_to_hfp8_gpu(at::Tensor const&, long, long, double)").fp64);
}

TEST(Classifier, MangledNamesAreDemangled) {
  const Classifier c = Classifier::Builtin();
  // _ZN7deep_ep9intranode8dispatchEv = deep_ep::intranode::dispatch()
  const Classification got = c.Classify("_ZN7deep_ep9intranode8dispatchEv");
  EXPECT_EQ(got.cls, KC::kComm);
  EXPECT_EQ(got.comm, CO::kDispatch);
}

TEST(Classifier, UserRulesComeFirst) {
  Classifier c = Classifier::Builtin();
  const Classifier before = c;
  ASSERT_TRUE(c.AddRulesFromTomlString(R"(
[[kernel]]
pattern = "my_a2a_kernel"
class = "comm"
comm = "all_to_all"

[[kernel]]
pattern = "volta_sgemm_128x32"
class = "other"

[[kernel]]
pattern = "custom_ar"
class = "comm"
)", "rules.toml").ok());
  EXPECT_EQ(c.Classify("my_a2a_kernel<bf16>").cls, KC::kComm);
  EXPECT_EQ(c.Classify("my_a2a_kernel<bf16>").comm, CO::kAllToAll);
  EXPECT_EQ(c.Classify("volta_sgemm_128x32_nt").cls, KC::kOther);
  EXPECT_EQ(c.Classify("volta_sgemm_64x64_nt").cls, KC::kGemm);
  EXPECT_EQ(c.Classify("custom_ar_AllReduce").comm, CO::kAllReduce);  // parsed from the name
  EXPECT_TRUE(c.rules().front().user);
  // The copy taken before is unaffected.
  EXPECT_EQ(before.Classify("volta_sgemm_128x32_nt").cls, KC::kGemm);
}

TEST(Classifier, UserRuleErrorsNameFileAndEntry) {
  Classifier c = Classifier::Builtin();
  Status st = c.AddRulesFromTomlString("[[kernel]]\npattern = \"a(\"\nclass = \"gemm\"\n", "r.toml");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("r.toml: [[kernel]] #1"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("bad regular expression"), std::string::npos) << st.message();

  st = c.AddRulesFromTomlString(
      "[[kernel]]\npattern = \"x\"\nclass = \"gemm\"\n[[kernel]]\npattern = \"y\"\nclass = \"matmul\"\n",
      "r.toml");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("#2"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("unknown class 'matmul'"), std::string::npos) << st.message();

  st = c.AddRulesFromTomlString("[[kernel]]\npattern = \"x\"\nclass = \"comm\"\ncomm = \"gossip\"\n", "r.toml");
  EXPECT_NE(st.message().find("unknown comm 'gossip'"), std::string::npos) << st.message();

  st = c.AddRulesFromTomlString("[[kernel]\npattern=", "broken.toml");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("broken.toml:1:"), std::string::npos) << st.message();

  st = c.AddRulesFromTomlString("[[kernel]]\nclass = \"gemm\"\n", "r.toml");
  EXPECT_NE(st.message().find("missing pattern"), std::string::npos) << st.message();

  st = c.AddRulesFromToml("/nonexistent/rules.toml");
  EXPECT_NE(st.message().find("/nonexistent/rules.toml"), std::string::npos);
  // Failed loads add nothing.
  EXPECT_FALSE(c.rules().front().user);
}

// Kernel names out of a (possibly gzipped) Kineto JSON file: the "name" of every event whose
// "cat" is "kernel"/"Kernel". A plain text scan is enough for names (Kineto writes cat before name).
std::set<std::string> KinetoKernelNames(const std::string& path) {
  std::string text;
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return {};
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  gzclose(f);
  std::set<std::string> names;
  for (const char* cat : {"\"cat\": \"kernel\"", "\"cat\": \"Kernel\""}) {
    for (size_t pos = text.find(cat); pos != std::string::npos; pos = text.find(cat, pos + 1)) {
      const size_t name_at = text.find("\"name\": \"", pos);
      if (name_at == std::string::npos || name_at - pos > 64) continue;
      const size_t begin = name_at + 9;
      const size_t end = text.find('"', begin);
      if (end != std::string::npos) names.insert(text.substr(begin, end - begin));
    }
  }
  return names;
}

TEST(Classifier, RealTraceNames) {
  const std::filesystem::path root = std::filesystem::path(MOEPROF_SOURCE_DIR) / "../shared/data/traces";
  if (!std::filesystem::exists(root)) GTEST_SKIP() << "no ../shared/data/traces (real traces absent)";
  const Classifier c = Classifier::Builtin();
  std::set<std::string> names;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    const std::string p = e.path().string();
    if (p.find(".json") != std::string::npos) {
      std::set<std::string> got = KinetoKernelNames(p);
      names.insert(got.begin(), got.end());
    }
  }
  ASSERT_GT(names.size(), 100u);
  size_t other = 0;
  std::map<std::string, int> per_class;
  for (const std::string& name : names) {
    const Classification k = c.Classify(name);
    ++per_class[KernelClassName(k.cls)];
    if (k.cls == KC::kOther) ++other;
    // Facts that must hold whatever the rule order.
    if (name.rfind("nccl", 0) == 0) {
      EXPECT_EQ(k.cls, KC::kComm) << name;
    }
    if (name.find("multimem_all_reduce") != std::string::npos) {
      EXPECT_EQ(k.comm, CO::kAllReduce) << name;
    }
    if (name.find("sgemm") != std::string::npos || name.find("nvjet") != std::string::npos) {
      EXPECT_EQ(k.cls, KC::kGemm) << name;
    }
    if (name.find("vectorized_elementwise_kernel") != std::string::npos &&
        name.find("Functor_add") != std::string::npos) {
      EXPECT_EQ(k.cls, KC::kElementwise) << name;
    }
    if (name.find("layer_norm") != std::string::npos) {
      EXPECT_EQ(k.cls, KC::kNorm) << name;
    }
    if (name.find("AdamFunctor") != std::string::npos) {
      EXPECT_EQ(k.cls, KC::kOptimizer) << name;
    }
  }
  // Nearly every distinct name lands in a real class.
  EXPECT_LT(static_cast<double>(other) / static_cast<double>(names.size()), 0.05)
      << other << " of " << names.size() << " names unclassified";
}

}  // namespace
}  // namespace moeprof::analyzer
