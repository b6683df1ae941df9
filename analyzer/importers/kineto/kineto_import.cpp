// Kineto / PyTorch profiler JSON importer: ImportKineto(path, sink, options, stats).
//
// How Kineto's model maps onto ours. A Kineto file is one process (one rank): a Chrome trace
// whose "X" events carry a category; GPU events sit on pid = device, tid = stream; CPU events
// on the process's pid/tid. One file → one TraceWriter from the sink.
//
//   Kineto                                   moeprof trace
//   ---------------------------------------  -----------------------------------------------
//   kernel / Kernel (2021)                   kernel row; stream row per (device, stream);
//                                            name interned; grid/block/"registers per thread"/
//                                            "shared memory" (static+dynamic, stored as static)
//                                            → launch_config; args.correlation; "graph id" /
//                                            "graph node id" (+ graph flag)
//   gpu_memcpy / Memcpy                      memcpy row: bytes; kind, src/dst memory kind from
//                                            the name "Memcpy HtoD (Pageable -> Device)"; async
//                                            flag when the launching call's name has "Async"
//   gpu_memset / Memset                      memset row: bytes, memory kind from "(Device)"
//   cuda_runtime / Runtime, cuda_driver      api row (domain runtime / driver), thread row per
//                                            (pid, tid), cbid; "External id" →
//                                            external_correlation (kind 3, CUSTOM0)
//   ac2g / async_cpu_to_gpu / async flows    correlation for events lacking args.correlation
//                                            (flow id = correlation id; s on the call, f on
//                                            the GPU activity, matched by pid/tid/ts)
//   cuda_sync                                sync row: cuda_sync_kind Event Sync→1, Stream Wait
//                                            Event→2, Stream Sync→3, Context Sync→4; stream
//                                            (none for -1/0xFFFFFFFF); wait_on_cuda_event_id →
//                                            event; correlation
//   user_annotation                          nvtx push/pop range, default domain, depth per thread
//   cpu_op / Operator (2021)                 nvtx push/pop range in domain "pytorch.cpu_op" (so
//                                            an API call's parent op, e.g. aten::item, is known)
//   gpu_user_annotation                      nvtx range with stream set; thread = the CPU thread
//                                            of the user_annotation with the same External id
//   ProfilerStep#N (user_annotation/cpu_op)  step row number N, source "profiler_step"
//   NCCL kernel args (Collective name, In/   comm row (kernel_correlation = kernel's
//   Out msg nelems, Group size, dtype,       correlation; op normalised: allreduce→AllReduce,
//   Process Group Name/Description/Ranks,    _allgather_base→AllGather, ...; count = In msg
//   Seq) — and NCCL kernel names without     nelems; bytes = count × dtype size; algorithm and
//   args (ncclKernel_SendRecv_RING_SIMPLE)   protocol from the kernel name) + communicator row
//                                            per process group (pg_config fills ranks/size)
//   "In split size" / "Out split size"       comm_split rows per peer (global rank when the
//                                            group's ranks are known): out_count = In split
//                                            (sent), in_count = Out split (received)
//   overhead                                 overhead row (kind from the name)
//   deviceProperties                         device rows for the devices events use (name, SMs,
//                                            memory, cc; peaks of known GPUs, GPUS.md)
//   distributedInfo                          process rank / world size; meta rank, world_size,
//                                            dist_backend, nccl_version
//   process_name / thread_name (ph M)        process.name / thread.name
//   schemaVersion, baseTimeNanoseconds, ...  meta kineto_schema_version, kineto_base_time_ns,
//                                            cuda_version, driver_version, cupti_version; plus
//                                            source=kineto, source_format=kineto, source_path,
//                                            backend=import
//   python_function, cuda_event, fwdbwd,     not imported (counted in meta
//   instant events, Trace spans              import_events_not_mapped)
//
// Time: ts/dur are µs decimals with ns fractions, converted from their text exactly. When the
// file has baseTimeNanoseconds, Kineto wrote ts = time − base, so absolute = base + ts. The
// writer's origin is the earliest imported event (absolute); rows are relative to it.
//
// Errors: an unreadable/undecodable/invalid file gives one Status naming the file (kNotFound,
// kIo, kCorrupt, kNotATrace) and writes nothing; a bad single record (missing ts, negative dur,
// wrong type) is skipped, counted in stats.skipped and in a drops row (source "import").
#include <string>
#include <utility>

#include "kineto_emit.h"
#include "kineto_internal.h"
#include "kineto_model.h"
#include "kineto_walk.h"
#include "moeprof/analyzer/importers.h"

namespace moeprof::analyzer {
namespace kineto {

Status ImportJson(std::string_view display_name, JsonBuffer json, TraceSink& sink,
                  const ImportOptions& options, ImportStats& stats, const Limits& limits) {
  Model model;
  MOEPROF_RETURN_IF_ERROR(WalkJson(display_name, json, limits, options, model));
  json = JsonBuffer();  // the model holds copies of what it needs: free the text before writing
  return EmitModel(display_name, model, sink, stats);
}

Status ImportBytes(std::string_view display_name, std::string_view bytes, TraceSink& sink,
                   const ImportOptions& options, ImportStats& stats, const Limits& limits) {
  auto json = DecodeInput(display_name, bytes, limits);
  if (!json.ok()) return json.status();
  return ImportJson(display_name, std::move(*json), sink, options, stats, limits);
}

}  // namespace kineto

Status ImportKineto(const std::string& path, TraceSink& sink, const ImportOptions& options,
                    ImportStats& stats) {
  const kineto::Limits limits;
  auto json = kineto::ReadInput(path, limits);
  if (!json.ok()) return json.status();
  return kineto::ImportJson(path, std::move(*json), sink, options, stats, limits);
}

}  // namespace moeprof::analyzer
