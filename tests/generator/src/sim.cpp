// RankSim: the generator's host/GPU timeline simulator (see sim.h for the timing model).
#include "sim.h"

#include <algorithm>
#include <string>

namespace moeprof::tracegen {
namespace {

// Every rank of a constructed run shares one origin and one clock pair, so the analyzer's
// alignment offset is zero and costs can be compared across ranks without translation.
constexpr int64_t kOrigin = 1'750'000'000'000'000'000;  // 2025-06-15 UTC
constexpr int64_t kMonotonicAtOrigin = 5'000'000'000'000;

}  // namespace

Expected<std::unique_ptr<RankSim>> RankSim::Create(const std::string& path, int rank, int world,
                                                   bool with_pp, const SimParams& params,
                                                   bool keep_log, bool api_rows) {
  schemas::WriterOptions wo;
  wo.overwrite = true;
  wo.origin_ns = kOrigin;
  wo.max_buffered_rows = 1 << 16;
  auto created = schemas::TraceWriter::Create(path, wo);
  if (!created) return created.status();
  std::unique_ptr<RankSim> sim(new RankSim());
  sim->writer_ = std::move(*created);
  sim->params_ = params;
  sim->rank_ = rank;
  sim->keep_log_ = keep_log;
  sim->api_rows_ = api_rows;
  schemas::TraceWriter& w = *sim->writer_;

  MOEPROF_RETURN_IF_ERROR(w.SetMeta("backend", "sim"));
  MOEPROF_RETURN_IF_ERROR(w.SetMeta("device_model", "H100-SXM5-80GB"));
  MOEPROF_RETURN_IF_ERROR(w.SetMeta("source", "tracegen"));
  MOEPROF_RETURN_IF_ERROR(w.SetMeta("rank", std::to_string(rank)));
  MOEPROF_RETURN_IF_ERROR(w.SetMeta("world_size", std::to_string(world)));
  MOEPROF_RETURN_IF_ERROR(w.SetMeta("host", "gen-node0"));
  w.AddClockSync({0, "start", kOrigin, kOrigin, kMonotonicAtOrigin});

  schemas::ProcessRow process;
  process.pid = 10'000 + rank;
  process.host = "gen-node0";
  process.rank = rank;
  process.local_rank = rank;
  process.world_size = world;
  process.name = "python";
  const int64_t pid = w.AddProcess(process);
  schemas::ThreadRow thread;
  thread.process = pid;
  thread.tid = 10'000 + rank;
  thread.name = "MainThread";
  sim->thread_ = w.AddThread(thread);

  schemas::DeviceRow device;
  device.process = pid;
  device.ordinal = rank % 8;
  device.name = "NVIDIA H100 80GB HBM3";
  device.sm_count = 132;
  device.cc_major = 9;
  device.cc_minor = 0;
  device.memory_bytes = 85'520'809'984;
  device.memory_bandwidth_bps = 3'350'000'000'000;
  device.peak_bf16_flops = 989e12;
  device.peak_fp32_flops = 67e12;
  const int64_t dev = w.AddDevice(device);

  auto stream = [&](int64_t native, const char* role) {
    schemas::StreamRow s;
    s.device = dev;
    s.context = 1;
    s.native_id = native;
    s.name = "rank" + std::to_string(rank) + "/" + role;
    s.role = role;
    return w.AddStream(s);
  };
  sim->compute_ = stream(7, "compute");
  sim->ep_comm_ = stream(13, "ep_comm");
  if (with_pp) sim->pp_comm_ = stream(14, "pp_comm");

  schemas::CommunicatorRow ep;
  ep.comm_id = 0x5eed0001;
  ep.name = "ep";
  ep.rank = rank;
  ep.nranks = world;
  ep.nnodes = 1;
  ep.role = "ep";
  sim->ep_communicator_ = w.AddCommunicator(ep);
  if (with_pp) {
    schemas::CommunicatorRow pp = ep;
    pp.comm_id = 0x5eed0002;
    pp.name = "pp";
    pp.role = "pp";
    sim->pp_communicator_ = w.AddCommunicator(pp);
  }

  schemas::LaunchConfig config;
  config.grid_x = 132;
  config.grid_y = config.grid_z = 1;
  config.block_x = 256;
  config.block_y = config.block_z = 1;
  config.cluster_x = config.cluster_y = config.cluster_z = 1;
  config.registers = 128;
  sim->config_ = w.InternLaunchConfig(config);
  sim->launch_name_ = w.Intern("cudaLaunchKernel");
  sim->sync_name_ = w.Intern("cudaStreamSynchronize");
  sim->memcpy_name_ = w.Intern("cudaMemcpy");
  return sim;
}

int64_t& RankSim::Free(int64_t stream) {
  if (static_cast<size_t>(stream) >= free_.size()) free_.resize(static_cast<size_t>(stream) + 1, 0);
  return free_[static_cast<size_t>(stream)];
}

int64_t RankSim::StreamFree(int64_t stream) const {
  return static_cast<size_t>(stream) < free_.size() ? free_[static_cast<size_t>(stream)] : 0;
}

int64_t RankSim::DeviceFree() const {
  return free_.empty() ? 0 : *std::max_element(free_.begin(), free_.end());
}

Planned RankSim::Plan(int64_t stream, int64_t not_before, bool immediate) {
  if (!immediate) host_ += params_.host_op_ns;
  Planned p;
  p.stream = stream;
  p.correlation = NextCorrelation();
  if (api_rows_) {
    schemas::ApiRow api;
    api.correlation = p.correlation;
    api.thread = thread_;
    api.start = host_;
    api.dur = params_.api_ns;
    api.cbid = 211;  // cudaLaunchKernel_v7000
    api.name = launch_name_;
    writer_->AddApi(api);
  }
  const int64_t free = Free(stream);
  p.start = std::max({host_ + params_.launch_latency_ns, free > 0 ? free + params_.queue_gap_ns : 0,
                      not_before});
  host_ += params_.api_ns;
  return p;
}

void RankSim::Finish(const Planned& p, std::string_view name, int64_t end, Tag tag) {
  schemas::KernelRow k;
  k.stream = p.stream;
  k.start = p.start;
  k.dur = end - p.start;
  k.correlation = p.correlation;
  k.name = writer_->Intern(name);
  k.config = config_;
  writer_->AddKernel(k);
  Free(p.stream) = end;
  ++kernels_;
  if (keep_log_) log_.push_back({p.stream, p.start, end, tag});
}

int64_t RankSim::Kernel(int64_t stream, std::string_view name, int64_t dur, int64_t not_before,
                        Tag tag, bool immediate) {
  const Planned p = Plan(stream, not_before, immediate);
  Finish(p, name, p.start + dur, tag);
  return p.start + dur;
}

int64_t RankSim::StreamSynchronize(int64_t stream, int64_t hold_ns) {
  host_ += params_.host_op_ns;
  const int64_t start = host_;
  const int64_t end = std::max(start + params_.api_ns, Free(stream) + hold_ns);
  const int64_t corr = NextCorrelation();
  schemas::ApiRow api;
  api.correlation = corr;
  api.thread = thread_;
  api.start = start;
  api.dur = end - start;
  api.cbid = 131;  // cudaStreamSynchronize_v3020
  api.name = sync_name_;
  writer_->AddApi(api);
  schemas::SyncRow sync;
  sync.type = 3;  // stream synchronize
  sync.stream = stream;
  sync.start = start;
  sync.dur = end - start;
  sync.correlation = corr;
  writer_->AddSync(sync);
  host_ = end;
  return end;
}

int64_t RankSim::MemcpyDtoH(int64_t stream, int64_t bytes, int64_t copy_ns, int64_t hold_ns) {
  host_ += params_.host_op_ns;
  const int64_t start = host_;
  const int64_t corr = NextCorrelation();
  schemas::MemcpyRow copy;
  copy.stream = stream;
  copy.start = std::max(start + params_.launch_latency_ns, Free(stream) + params_.queue_gap_ns);
  copy.dur = copy_ns;
  copy.correlation = corr;
  copy.bytes = bytes;
  copy.copy_kind = 2;  // DtoH
  copy.src_kind = 3;   // device
  copy.dst_kind = 1;   // pageable
  writer_->AddMemcpy(copy);
  const int64_t copy_end = copy.start + copy_ns;
  Free(stream) = copy_end;
  if (keep_log_) log_.push_back({stream, copy.start, copy_end, Tag::kCopy});
  const int64_t end = copy_end + hold_ns;
  schemas::ApiRow api;
  api.correlation = corr;
  api.thread = thread_;
  api.start = start;
  api.dur = end - start;
  api.cbid = 31;  // cudaMemcpy_v3020
  api.name = memcpy_name_;
  writer_->AddApi(api);
  host_ = end;
  return end;
}

void RankSim::Push(std::string_view text) { open_.push_back({host_, writer_->Intern(text)}); }

void RankSim::Pop() {
  const Open o = open_.back();
  open_.pop_back();
  schemas::NvtxRow row;
  row.thread = thread_;
  row.kind = schemas::NvtxKind::kPushPop;
  row.text = o.text;
  row.start = o.start;
  row.dur = host_ - o.start;
  row.depth = static_cast<int64_t>(open_.size());
  writer_->AddNvtx(row);
}

void RankSim::Routing(int64_t step, int64_t layer, int64_t mb, int64_t reporter, int64_t expert,
                      int64_t tokens) {
  schemas::RoutingRow r;
  r.step = step;
  r.layer = layer;
  r.microbatch = mb;
  r.rank = reporter;
  r.expert = expert;
  r.tokens = tokens;
  r.time = host_;
  writer_->AddRouting(r);
}

void RankSim::Comm(bool ep, std::string_view op, int64_t start, int64_t end,
                   int64_t kernel_correlation, int64_t bytes, std::optional<int64_t> peer) {
  schemas::CommRow c;
  c.communicator = ep ? ep_communicator_ : pp_communicator_;
  c.op = writer_->Intern(op);
  c.seq = ++comm_seq_;
  c.bytes = bytes;
  c.peer = peer;
  c.datatype = writer_->Intern("bf16");
  c.start = start;
  c.dur = end - start;
  c.kernel_correlation = kernel_correlation;
  c.role = ep ? "ep" : "pp";
  writer_->AddComm(c);
}

Status RankSim::Close() {
  while (!open_.empty()) Pop();
  return writer_->Close();
}

}  // namespace moeprof::tracegen
