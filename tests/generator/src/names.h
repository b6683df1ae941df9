// Kernel names as real tools record them (cuBLAS sm90_xmma / nvjet, CUTLASS grouped GEMMs, flash
// attention, PyTorch elementwise/reduce/index kernels, NCCL), so the classifier is exercised on
// the names it meets in the field rather than on tidy test names.
#pragma once

namespace moeprof::tracegen::names {

inline constexpr const char* kEmbedding =
    "void at::native::(anonymous namespace)::indexSelectLargeIndex<c10::BFloat16, long, unsigned "
    "int, 2, 2, -2, true>(at::cuda::detail::TensorInfo<c10::BFloat16, unsigned int>, "
    "at::cuda::detail::TensorInfo<c10::BFloat16 const, unsigned int>, "
    "at::cuda::detail::TensorInfo<long const, unsigned int>, int, int, unsigned int, unsigned int, "
    "long)";
inline constexpr const char* kRmsNorm =
    "void transformer_engine::normalization::rmsnorm_fwd_tuned_kernel<transformer_engine::"
    "normalization::Kernel_traits<float, __nv_bfloat16, __nv_bfloat16, float, unsigned int, 4096u, "
    "1u, 4u, 1u, 16u, transformer_engine::normalization::Kernel_traits_base<4096u, float, "
    "__nv_bfloat16, __nv_bfloat16, float, unsigned int, 512u> > >(transformer_engine::"
    "normalization::FwdParams)";
inline constexpr const char* kRmsNormBwd =
    "void transformer_engine::normalization::rmsnorm_bwd_tuned_kernel<transformer_engine::"
    "normalization::Kernel_traits<float, __nv_bfloat16, __nv_bfloat16, float, unsigned int, 4096u, "
    "1u, 4u, 1u, 16u> >(transformer_engine::normalization::BwdParams)";
inline constexpr const char* kGemmQkv =
    "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64_warpgroupsize1x1x1_"
    "execute_segment_k_off_kernel__5x_cublas";
inline constexpr const char* kGemmOut = "nvjet_tst_128x256_64x4_1x2_h_bz_coopA_NNT";
inline constexpr const char* kGemmBwd =
    "sm90_xmma_gemm_bf16bf16_bf16f32_f32_nn_n_tilesize256x128x64_cluster2x1x1_warpgroupsize2x1x1_"
    "execute_segment_k_off_kernel__5x_cublas";
inline constexpr const char* kGemmLmHead = "nvjet_tst_256x128_64x4_2x1_v_bz_coopB_TNT";
inline constexpr const char* kFlashFwd =
    "void flash::flash_fwd_kernel<Flash_fwd_kernel_traits<128, 128, 64, 4, false, false, "
    "cutlass::bfloat16_t, Flash_kernel_traits<128, 128, 64, 4, cutlass::bfloat16_t> >, false, "
    "true, false, false, true, true, false, false>(flash::Flash_fwd_params)";
inline constexpr const char* kFlashBwd =
    "void flash::flash_bwd_dq_dk_dv_loop_seqk_parallel_kernel<Flash_bwd_kernel_traits<128, 64, 128, "
    "8, 2, 4, 2, false, false, cutlass::bfloat16_t, Flash_kernel_traits<128, 64, 128, 8, "
    "cutlass::bfloat16_t> >, false, true, false, false, true, true, false>(flash::Flash_bwd_params)";
inline constexpr const char* kRouterGemmFp32 =
    "sm90_xmma_gemm_f32f32_tf32f32_f32_tn_n_tilesize64x64x32_warpgroupsize1x1x1_"
    "execute_segment_k_off_kernel__5x_cublas";
// cuBLAS picks an FP64 kernel when the router weights are double.
inline constexpr const char* kRouterGemmFp64 =
    "sm80_xmma_gemm_f64f64_f64f64_f64_tn_n_tilesize64x32x16_stage3_warpsize2x2x1_tensor8x8x4_"
    "execute_kernel__5x_cublas";
inline constexpr const char* kTopk =
    "void at::native::sbtopk::gatherTopK<float, unsigned int, 2, false>(at::cuda::detail::"
    "TensorInfo<float const, unsigned int>, unsigned int, unsigned int, bool, unsigned int, "
    "unsigned int, at::cuda::detail::TensorInfo<float, unsigned int>, unsigned int, "
    "at::cuda::detail::TensorInfo<long, unsigned int>, unsigned int, unsigned int*)";
inline constexpr const char* kSoftmax =
    "void at::native::(anonymous namespace)::cunn_SoftMaxForward<4, float, float, float, "
    "at::native::(anonymous namespace)::SoftMaxForwardEpilogue>(float*, float const*, int)";
inline constexpr const char* kPermute =
    "void at::native::index_elementwise_kernel<128, 4, at::native::gpu_index_kernel<at::native::"
    "index_kernel_impl<at::native::OpaqueType<2> >(at::TensorIteratorBase&, c10::ArrayRef<long>, "
    "c10::ArrayRef<long>)::{lambda(char*, char const*, long)#1}>(at::TensorIteratorBase&, "
    "c10::ArrayRef<long>, c10::ArrayRef<long>, at::native::index_kernel_impl<at::native::"
    "OpaqueType<2> >(at::TensorIteratorBase&, c10::ArrayRef<long>, c10::ArrayRef<long>)::"
    "{lambda(char*, char const*, long)#1} const&, bool)::{lambda(int)#1}>(long, "
    "at::native::gpu_index_kernel<at::native::index_kernel_impl<at::native::OpaqueType<2> > >)";
inline constexpr const char* kUnpermute =
    "void at::native::(anonymous namespace)::indexFuncLargeIndex<c10::BFloat16, long, unsigned "
    "int, 2, 2, -2, true, at::native::(anonymous namespace)::ReduceAdd>(at::cuda::detail::"
    "TensorInfo<c10::BFloat16, unsigned int>, at::cuda::detail::TensorInfo<c10::BFloat16 const, "
    "unsigned int>, at::cuda::detail::TensorInfo<long const, unsigned int>, int, int, unsigned "
    "int, unsigned int, long, long, at::native::(anonymous namespace)::ReduceAdd const&, "
    "c10::BFloat16)";
inline constexpr const char* kGroupedGemm =
    "void cutlass::Kernel2<cutlass_80_tensorop_bf16_s16816gemm_grouped_bf16_128x128_32x4_tn_"
    "align8>(cutlass_80_tensorop_bf16_s16816gemm_grouped_bf16_128x128_32x4_tn_align8::Params)";
inline constexpr const char* kGroupedGemmBwd =
    "void cutlass::Kernel2<cutlass_80_tensorop_bf16_s16816gemm_grouped_bf16_128x128_32x4_nt_"
    "align8>(cutlass_80_tensorop_bf16_s16816gemm_grouped_bf16_128x128_32x4_nt_align8::Params)";
inline constexpr const char* kSharedExpertGemm = "nvjet_tst_128x128_64x5_1x1_v_bz_coopA_NTN";
inline constexpr const char* kNcclSendRecv = "ncclDevKernel_SendRecv(ncclDevKernelArgsStorage<4096ul>)";
inline constexpr const char* kCrossEntropy =
    "void at::native::(anonymous namespace)::cunn_SoftMaxForward<4, c10::BFloat16, float, "
    "c10::BFloat16, at::native::(anonymous namespace)::LogSoftMaxForwardEpilogue>(c10::BFloat16*, "
    "c10::BFloat16 const*, int)";
inline constexpr const char* kGradNorm =
    "void at::native::reduce_kernel<512, 1, at::native::ReduceOp<float, at::native::NormTwoOps<"
    "float, float, float>, unsigned int, float, 4> >(at::native::ReduceOp<float, "
    "at::native::NormTwoOps<float, float, float>, unsigned int, float, 4>)";
inline constexpr const char* kAdam =
    "void at::native::(anonymous namespace)::multi_tensor_apply_kernel<at::native::(anonymous "
    "namespace)::TensorListMetadata<4>, at::native::(anonymous namespace)::FusedAdamMathFunctor<"
    "float, 4, (at::native::ADAM_MODE)1, false>, double*, double, double, double, double, double, "
    "bool, double*, double*>(at::native::(anonymous namespace)::TensorListMetadata<4>, "
    "at::native::(anonymous namespace)::FusedAdamMathFunctor<float, 4, (at::native::ADAM_MODE)1, "
    "false>, double*, double, double, double, double, double, bool, double*, double*)";
// Epilogue kernels a GEMM leaves behind when nothing fuses them.
inline constexpr const char* kBiasAdd =
    "void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<c10::BFloat16>, "
    "at::detail::Array<char*, 3> >(int, at::native::CUDAFunctor_add<c10::BFloat16>, "
    "at::detail::Array<char*, 3>)";
inline constexpr const char* kSwiglu =
    "void at::native::vectorized_elementwise_kernel<4, at::native::silu_kernel(at::"
    "TensorIteratorBase&)::{lambda()#1}::operator()() const::{lambda()#7}::operator()() const::"
    "{lambda(c10::BFloat16)#1}, at::detail::Array<char*, 2> >(int, at::native::silu_kernel(at::"
    "TensorIteratorBase&)::{lambda()#1}::operator()() const::{lambda()#7}::operator()() const::"
    "{lambda(c10::BFloat16)#1}, at::detail::Array<char*, 2>)";
inline constexpr const char* kProbScale =
    "void at::native::vectorized_elementwise_kernel<4, at::native::binary_internal::MulFunctor<"
    "c10::BFloat16>, at::detail::Array<char*, 3> >(int, at::native::binary_internal::MulFunctor<"
    "c10::BFloat16>, at::detail::Array<char*, 3>)";
inline constexpr const char* kResidualAdd =
    "void at::native::elementwise_kernel<128, 2, at::native::gpu_kernel_impl_nocast<at::native::"
    "CUDAFunctor_add<c10::BFloat16> >(at::TensorIteratorBase&, at::native::CUDAFunctor_add<"
    "c10::BFloat16> const&)::{lambda(int)#1}>(int, at::native::gpu_kernel_impl_nocast<at::native::"
    "CUDAFunctor_add<c10::BFloat16> >(at::TensorIteratorBase&, at::native::CUDAFunctor_add<"
    "c10::BFloat16> const&)::{lambda(int)#1})";
// Precision conversion (fp32 master weights -> bf16 copies each microbatch).
inline constexpr const char* kCastToBf16 =
    "void at::native::vectorized_elementwise_kernel<4, at::native::bfloat16_copy_kernel_cuda(at::"
    "TensorIteratorBase&)::{lambda(float)#1}, at::detail::Array<char*, 2> >(int, at::native::"
    "bfloat16_copy_kernel_cuda(at::TensorIteratorBase&)::{lambda(float)#1}, "
    "at::detail::Array<char*, 2>)";
// zero_grad without set_to_none: one fill kernel per parameter.
inline constexpr const char* kFill =
    "void at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<c10::BFloat16>, "
    "at::detail::Array<char*, 1> >(int, at::native::FillFunctor<c10::BFloat16>, "
    "at::detail::Array<char*, 1>)";

}  // namespace moeprof::tracegen::names
