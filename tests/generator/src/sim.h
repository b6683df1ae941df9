// The timeline simulator behind the generator: one RankSim per rank holds a host clock (the
// Python thread that launches work) and one GPU clock per stream, and writes each API call,
// kernel, copy, sync, NVTX range, comm and routing row through a TraceWriter as it is simulated.
// Timing model (what makes every constructed cost exact):
//   - a launch costs `host_op_ns` of host work, then a `api_ns` cudaLaunchKernel call;
//   - a kernel starts at max(API start + launch_latency_ns, stream free + queue_gap_ns, deps);
//   - nothing else moves time: no jitter, so the truth is computed from the very intervals written.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "moeprof/schemas/status.h"
#include "moeprof/schemas/trace_writer.h"

namespace moeprof::tracegen {

struct SimParams {
  int64_t host_op_ns = 6'000;         // framework overhead per op before its launch call
  int64_t api_ns = 4'000;             // cudaLaunchKernel duration
  int64_t launch_latency_ns = 7'000;  // API start -> kernel start when the queue is empty
  int64_t queue_gap_ns = 800;         // back-to-back kernels on a busy stream
};

// What the generator itself knows about each GPU interval it wrote (for the truth).
enum class Tag : uint8_t { kCompute, kComm, kCopy };

struct GpuInterval {
  int64_t stream = 0;  // trace stream id
  int64_t start = 0, end = 0;
  Tag tag = Tag::kCompute;
};

struct Planned {  // a launch whose API row is written and whose start is known
  int64_t stream = 0;
  int64_t start = 0;
  int64_t correlation = 0;
};

class RankSim {
 public:
  // keep_log: remember every GPU interval (scenario truth); off for bulk traces.
  static Expected<std::unique_ptr<RankSim>> Create(const std::string& path, int rank, int world,
                                                   bool with_pp, const SimParams& params,
                                                   bool keep_log, bool api_rows = true);

  int rank() const { return rank_; }
  int64_t compute() const { return compute_; }
  int64_t ep_comm() const { return ep_comm_; }
  int64_t pp_comm() const { return pp_comm_; }
  const SimParams& params() const { return params_; }

  int64_t host() const { return host_; }
  void set_host(int64_t t) { host_ = t; }
  int64_t StreamFree(int64_t stream) const;
  int64_t DeviceFree() const;  // latest end over every stream

  // Launch split in two for collectives: Plan writes the API row and fixes the start; Finish
  // writes the kernel row ending at `end`. `immediate`: no host_op before the call (the thread was
  // blocked and launches at once, e.g. right after a sync returns).
  Planned Plan(int64_t stream, int64_t not_before = 0, bool immediate = false);
  void Finish(const Planned& p, std::string_view name, int64_t end, Tag tag);
  // Plan + Finish with a duration. Returns the kernel's end.
  int64_t Kernel(int64_t stream, std::string_view name, int64_t dur, int64_t not_before = 0,
                 Tag tag = Tag::kCompute, bool immediate = false);

  // Host-side syncs. The call starts after host_op; it returns `hold_ns` after what it waits on
  // is done. Return value: the call's end.
  int64_t StreamSynchronize(int64_t stream, int64_t hold_ns);
  // A synchronous device-to-host cudaMemcpy of `bytes` into pageable memory on `stream`.
  int64_t MemcpyDtoH(int64_t stream, int64_t bytes, int64_t copy_ns, int64_t hold_ns);

  void Push(std::string_view text);  // NVTX push/pop range on the host thread, at the host clock
  void Pop();
  void HostWork(int64_t ns) { host_ += ns; }

  void Routing(int64_t step, int64_t layer, int64_t mb, int64_t reporter, int64_t expert,
               int64_t tokens);
  // comm row for a kernel already written (role ep/pp)
  void Comm(bool ep, std::string_view op, int64_t start, int64_t end, int64_t kernel_correlation,
            int64_t bytes, std::optional<int64_t> peer = std::nullopt);

  const std::vector<GpuInterval>& log() const { return log_; }
  int64_t kernels_written() const { return kernels_; }
  int64_t rows_written() const { return writer_->rows_written(); }
  schemas::TraceWriter& writer() { return *writer_; }
  Status Close();

 private:
  RankSim() = default;
  int64_t NextCorrelation() { return ++correlation_; }
  int64_t& Free(int64_t stream);

  std::unique_ptr<schemas::TraceWriter> writer_;
  SimParams params_;
  int rank_ = 0;
  bool keep_log_ = false, api_rows_ = true;
  int64_t thread_ = 0, compute_ = 0, ep_comm_ = 0, pp_comm_ = 0;
  int64_t ep_communicator_ = 0, pp_communicator_ = 0;
  int64_t host_ = 0, correlation_ = 0, kernels_ = 0, comm_seq_ = 0;
  std::vector<int64_t> free_;  // by stream id
  struct Open { int64_t start; schemas::StringId text; };
  std::vector<Open> open_;
  std::vector<GpuInterval> log_;
  schemas::StringId launch_name_ = 0, sync_name_ = 0, memcpy_name_ = 0;
  int64_t config_ = 0;
};

}  // namespace moeprof::tracegen
