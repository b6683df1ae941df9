// Correlator: host events from the NVTX and NCCL hooks -> nvtx, routing, thread/stream names,
// communicator and comm rows. NCCL ops are joined to their kernel through the CUSTOM2
// external-correlation record pushed around NCCL's kernel launch: external_id -> the launch API's
// correlationId, which is also the kernel's.
#include <type_traits>

#include "correlator.h"

namespace moeprof::collector {
namespace {

std::optional<int64_t> OptU64(const std::optional<uint64_t>& v) {
  if (!v) return std::nullopt;
  return static_cast<int64_t>(*v);
}

}  // namespace

void Correlator::SetStreamHandleResolver(std::function<std::optional<uint32_t>(uint64_t)> resolver) {
  resolve_stream_handle_ = std::move(resolver);
}

void Correlator::NameStream(uint32_t stream_id, const std::string& name) {
  stream_names_[stream_id] = name;
  for (auto& [id, row] : stream_rows_) {
    if (row.native_id == stream_id && row.name != name) {
      row.name = name;
      writer_.UpdateStream(row);
    }
  }
}

void Correlator::WriteComm(const NcclOpEvent& op, std::optional<int64_t> kernel_correlation) {
  schemas::CommRow row;
  if (auto c = communicators_.find(op.comm_id); c != communicators_.end()) row.communicator = c->second;
  row.op = writer_.Intern(op.op.empty() ? std::string_view("unknown") : std::string_view(op.op));
  row.seq = OptU64(op.seq);
  row.count = OptU64(op.count);
  if (!op.datatype.empty()) row.datatype = writer_.Intern(op.datatype);
  row.bytes = OptU64(op.bytes);
  if (op.peer) row.peer = *op.peer;
  if (op.root) row.root = *op.root;
  if (!op.algorithm.empty()) row.algorithm = writer_.Intern(op.algorithm);
  if (!op.protocol.empty()) row.protocol = writer_.Intern(op.protocol);
  row.start = op.start_ns - origin_;
  row.dur = op.end_ns > op.start_ns ? op.end_ns - op.start_ns : 0;
  row.kernel_correlation = kernel_correlation;
  writer_.AddComm(row);
}

void Correlator::OnExternalCorrelation(const schemas::ExternalCorrelationRow& row) {
  writer_.AddExternalCorrelation(row);
  if (row.kind != kNcclExternalKind) return;
  const uint64_t ext = static_cast<uint64_t>(row.external_id);
  auto [known, inserted] =
      known_ext_.emplace(ext, PendingExt{row.correlation, std::chrono::steady_clock::now()});
  if (!inserted) return;  // first launch of the group wins
  if (auto it = pending_ops_.find(ext); it != pending_ops_.end()) {
    for (PendingOp& p : it->second) WriteComm(p.op, row.correlation);
    pending_ops_.erase(it);
  }
}

void Correlator::OnHostEvent(HostEvent&& event) {
  std::visit(
      [this](auto&& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, NvtxRangeEvent>) {
          schemas::NvtxRow row;
          row.thread = Thread(e.tid);
          row.kind = e.push_pop ? schemas::NvtxKind::kPushPop : schemas::NvtxKind::kStartEnd;
          row.domain = e.domain.empty() ? 0 : writer_.Intern(e.domain);
          row.text = writer_.Intern(e.text);
          row.category = e.category;
          row.start = e.start_ns - origin_;
          row.dur = e.end_ns > e.start_ns ? e.end_ns - e.start_ns : 0;
          row.depth = e.depth;
          if (e.color) row.color = *e.color;
          row.payload_kind = static_cast<schemas::PayloadKind>(e.payload_kind);
          if (e.payload_kind != 0) row.payload = e.payload;
          writer_.AddNvtx(row);
        } else if constexpr (std::is_same_v<T, NvtxMarkEvent>) {
          schemas::NvtxRow row;
          row.thread = Thread(e.tid);
          row.kind = schemas::NvtxKind::kMark;
          row.domain = e.domain.empty() ? 0 : writer_.Intern(e.domain);
          row.text = writer_.Intern(e.text);
          row.category = e.category;
          row.start = e.time_ns - origin_;
          if (e.color) row.color = *e.color;
          row.payload_kind = static_cast<schemas::PayloadKind>(e.payload_kind);
          if (e.payload_kind != 0) row.payload = e.payload;
          writer_.AddNvtx(row);
        } else if constexpr (std::is_same_v<T, RoutingEvent>) {
          for (size_t i = 0; i < e.tokens.size(); ++i) {
            schemas::RoutingRow row;
            row.step = e.step;
            row.layer = e.layer;
            row.microbatch = e.microbatch;
            row.rank = e.rank;
            row.expert = e.first_expert + static_cast<int64_t>(i);
            row.tokens = e.tokens[i];
            row.time = e.time_ns - origin_;
            writer_.AddRouting(row);
          }
        } else if constexpr (std::is_same_v<T, ThreadNameEvent>) {
          writer_.UpdateThreadName(Thread(e.tid), e.name);
        } else if constexpr (std::is_same_v<T, StreamNameEvent>) {
          if (e.id_known) {
            NameStream(e.cupti_stream_id, e.name);
          } else if (auto id = resolve_stream_handle_ ? resolve_stream_handle_(e.stream_handle)
                                                      : std::nullopt) {
            NameStream(*id, e.name);
          } else {
            unresolved_stream_names_.push_back(std::move(e));  // stream not created yet
          }
        } else if constexpr (std::is_same_v<T, NcclCommEvent>) {
          nccl_plugin_seen_ = true;
          if (communicators_.count(e.comm_id)) return;
          schemas::CommunicatorRow row;
          row.comm_id = static_cast<int64_t>(e.comm_id);
          if (!e.name.empty()) row.name = e.name;
          row.rank = e.rank;
          row.nranks = e.nranks;
          if (e.nnodes > 0) row.nnodes = e.nnodes;
          communicators_.emplace(e.comm_id, writer_.AddCommunicator(row));
        } else if constexpr (std::is_same_v<T, NcclOpEvent>) {
          if (e.external_id == 0) {
            WriteComm(e, std::nullopt);
            return;
          }
          if (auto it = known_ext_.find(e.external_id); it != known_ext_.end()) {
            WriteComm(e, it->second.correlation);
            return;
          }
          const uint64_t ext = e.external_id;
          pending_ops_[ext].push_back(PendingOp{std::move(e), std::chrono::steady_clock::now()});
        } else if constexpr (std::is_same_v<T, DropEvent>) {
          schemas::DropRow row;
          row.source = e.source;
          row.reason = e.reason;
          row.count = e.count;
          writer_.AddDrop(row);
        }
      },
      std::move(event));
}

}  // namespace moeprof::collector
