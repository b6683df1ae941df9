// DescribeEvent: every field of one event, the NVTX ranges enclosing it on its (launching)
// thread, and its linked API call / kernel by correlation — the text of the details panel.
// Works on the analyzer's Run alone so any view can describe an EventRef.
#include <QStringList>
#include <algorithm>
#include <optional>

#include "timeline/time_axis.h"
#include "timeline/timeline_widget.h"

namespace moeprof::gui {
namespace {

using analyzer::EventRef;
using analyzer::RankTrace;

QString Ns(int64_t v) { return QString::fromStdString(TimeAxis::FormatDuration(v)); }
QString Q(const std::string& s) { return QString::fromStdString(s); }

void Line(QStringList& out, const QString& field, const QString& value) { out << field + QStringLiteral(": ") + value; }
void Line(QStringList& out, const QString& field, int64_t value) { Line(out, field, QString::number(value)); }

void Times(QStringList& out, const RankTrace& rt, int64_t start, int64_t dur) {
  Line(out, QStringLiteral("start"), QStringLiteral("%1 ns (run %2 ms)").arg(start).arg(double(start + rt.offset_ns) / 1e6, 0, 'f', 6));
  Line(out, QStringLiteral("duration"), QStringLiteral("%1 (%2 ns)").arg(Ns(dur)).arg(dur));
  Line(out, QStringLiteral("end"), start + dur);
}

QString ThreadName(const schemas::Trace& t, int64_t id) {
  for (const auto& th : t.threads)
    if (th.id == id) return QStringLiteral("%1%2").arg(th.tid).arg(th.name ? QStringLiteral(" (") + Q(*th.name) + QStringLiteral(")") : QString());
  return QStringLiteral("#%1").arg(id);
}

QString StreamName(const RankTrace& rt, int64_t id) {
  for (const auto& s : rt.streams)
    if (s.id == id) {
      QString r = QString::number(id);
      if (!s.name.empty()) r += QStringLiteral(" ") + Q(s.name);
      if (!s.role.empty()) r += QStringLiteral(" (") + Q(s.role) + QStringLiteral(")");
      return r;
    }
  return QString::number(id);
}

std::optional<size_t> FindKernel(const RankTrace& rt, int64_t stream, int64_t start, int64_t corr) {
  const auto& k = rt.trace.kernels;
  for (const auto& sv : rt.streams) {
    if (sv.id != stream) continue;
    auto b = k.start.begin() + ptrdiff_t(sv.kernel_begin), e = k.start.begin() + ptrdiff_t(sv.kernel_end);
    std::optional<size_t> first;
    for (auto it = std::lower_bound(b, e, start); it != e && *it == start; ++it) {
      const size_t i = size_t(it - k.start.begin());
      if (!first) first = i;
      if (corr == 0 || k.correlation[i] == corr) return i;
    }
    return first;
  }
  return std::nullopt;
}

std::optional<size_t> FindApi(const schemas::Trace& t, int64_t thread, int64_t start, int64_t corr) {
  const auto& c = t.api.correlation;
  if (corr != 0) {
    auto it = std::lower_bound(c.begin(), c.end(), corr);
    if (it != c.end() && *it == corr) return size_t(it - c.begin());
  }
  for (size_t i = 0; i < t.api.size(); ++i)
    if (t.api.thread[i] == thread && t.api.start[i] == start) return i;
  return std::nullopt;
}

void DescribeKernel(QStringList& out, const RankTrace& rt, size_t i, const QString& prefix) {
  const auto& k = rt.trace.kernels;
  const auto& cls = rt.KernelClassOf(i);
  Line(out, prefix + QStringLiteral("kernel"), Q(rt.trace.str(k.name[i])));
  Line(out, prefix + QStringLiteral("class"), QString::fromLatin1(analyzer::KernelClassName(cls.cls)));
  if (cls.cls == analyzer::KernelClass::kComm)
    Line(out, prefix + QStringLiteral("collective"), QString::fromLatin1(analyzer::CommOpName(cls.comm)));
  Line(out, prefix + QStringLiteral("stream"), StreamName(rt, k.stream[i]));
  if (prefix.isEmpty()) Times(out, rt, k.start[i], k.dur[i]);
  else Line(out, prefix + QStringLiteral("start"), QStringLiteral("%1 ns, %2").arg(k.start[i]).arg(Ns(k.dur[i])));
  Line(out, prefix + QStringLiteral("correlation"), k.correlation[i]);
  if (!prefix.isEmpty()) return;
  for (const auto& lc : rt.trace.launch_configs) {
    if (lc.id != k.config[i]) continue;
    Line(out, QStringLiteral("grid"), QStringLiteral("%1×%2×%3").arg(lc.grid_x).arg(lc.grid_y).arg(lc.grid_z));
    Line(out, QStringLiteral("block"), QStringLiteral("%1×%2×%3").arg(lc.block_x).arg(lc.block_y).arg(lc.block_z));
    if (lc.cluster_x > 1 || lc.cluster_y > 1 || lc.cluster_z > 1)
      Line(out, QStringLiteral("cluster"), QStringLiteral("%1×%2×%3").arg(lc.cluster_x).arg(lc.cluster_y).arg(lc.cluster_z));
    Line(out, QStringLiteral("registers"), lc.registers);
    Line(out, QStringLiteral("shared memory"), QStringLiteral("%1 B static, %2 B dynamic").arg(lc.static_smem).arg(lc.dynamic_smem));
    break;
  }
  if (k.graph[i]) Line(out, QStringLiteral("graph"), QStringLiteral("%1 node %2").arg(k.graph[i]).arg(k.graph_node[i]));
  if (k.flags[i]) Line(out, QStringLiteral("flags"), k.flags[i]);
  if (cls.fp64) Line(out, QStringLiteral("fp64"), QStringLiteral("yes"));
}

void DescribeApi(QStringList& out, const schemas::Trace& t, const RankTrace& rt, size_t a, const QString& prefix) {
  Line(out, prefix + QStringLiteral("api"), Q(t.str(t.api.name[a])));
  Line(out, prefix + QStringLiteral("thread"), ThreadName(t, t.api.thread[a]));
  if (prefix.isEmpty()) Times(out, rt, t.api.start[a], t.api.dur[a]);
  else Line(out, prefix + QStringLiteral("start"), QStringLiteral("%1 ns, %2").arg(t.api.start[a]).arg(Ns(t.api.dur[a])));
  Line(out, prefix + QStringLiteral("correlation"), t.api.correlation[a]);
  if (!prefix.isEmpty()) return;
  static const char* kDomains[] = {"runtime", "driver", "internal launch", "other"};
  const int d = t.api.domain[a];
  Line(out, QStringLiteral("domain"), QString::fromLatin1(d >= 0 && d <= 3 ? kDomains[d] : "?"));
  Line(out, QStringLiteral("cbid"), t.api.cbid[a]);
  Line(out, QStringLiteral("status"), t.api.status[a]);
}

// Ranges on `thread` enclosing time t, outermost first.
void NvtxParents(QStringList& out, const schemas::Trace& t, int64_t thread, int64_t time, int64_t below_depth) {
  std::vector<const schemas::NvtxRow*> enc;
  for (const auto& nv : t.nvtx) {
    if (nv.thread != thread || nv.kind == schemas::NvtxKind::kMark || nv.depth >= below_depth) continue;
    if (nv.start <= time && time < nv.start + std::max<int64_t>(nv.dur, 1)) enc.push_back(&nv);
  }
  std::sort(enc.begin(), enc.end(), [](auto* a, auto* b) { return a->depth < b->depth || (a->depth == b->depth && a->start < b->start); });
  for (const auto* nv : enc)
    Line(out, QStringLiteral("nvtx[%1]").arg(nv->depth), QStringLiteral("%1 (%2)").arg(Q(t.str(nv->text)), Ns(nv->dur)));
}

}  // namespace

QString DescribeEvent(const analyzer::Run& run, const EventRef& ev) {
  const RankTrace* rtp = nullptr;
  for (const auto& r : run.ranks)
    if (r.rank == ev.rank) { rtp = &r; break; }
  if (!rtp) return {};
  const RankTrace& rt = *rtp;
  const schemas::Trace& t = rt.trace;
  QStringList out;
  Line(out, QStringLiteral("rank"), rt.rank);
  Line(out, QStringLiteral("table"), Q(ev.table));
  // The host thread and time the NVTX parents are looked up at (for GPU work: its launch).
  std::optional<std::pair<int64_t, int64_t>> host;
  int64_t nvtx_below = INT64_MAX;
  std::optional<size_t> linked_api;
  if (ev.table == "kernel") {
    const auto k = FindKernel(rt, ev.stream, ev.start, ev.correlation);
    if (!k) return {};
    DescribeKernel(out, rt, *k, {});
    linked_api = FindApi(t, -1, -1, t.kernels.correlation[*k]);
  } else if (ev.table == "memcpy" || ev.table == "memset") {
    const bool cpy = ev.table == "memcpy";
    bool found = false;
    int64_t corr = 0;
    if (cpy) {
      for (const auto& m : t.memcpys) {
        if (m.stream != ev.stream || m.start != ev.start || (ev.correlation && m.correlation != ev.correlation)) continue;
        Line(out, QStringLiteral("stream"), StreamName(rt, m.stream));
        Times(out, rt, m.start, m.dur);
        Line(out, QStringLiteral("bytes"), m.bytes);
        Line(out, QStringLiteral("copy kind"), m.copy_kind);
        Line(out, QStringLiteral("src/dst memory kind"), QStringLiteral("%1 / %2").arg(m.src_kind).arg(m.dst_kind));
        if (m.dur > 0) Line(out, QStringLiteral("bandwidth"), QStringLiteral("%1 GB/s").arg(double(m.bytes) / double(m.dur), 0, 'f', 2));
        Line(out, QStringLiteral("correlation"), m.correlation);
        corr = m.correlation;
        found = true;
        break;
      }
    } else {
      for (const auto& m : t.memsets) {
        if (m.stream != ev.stream || m.start != ev.start || (ev.correlation && m.correlation != ev.correlation)) continue;
        Line(out, QStringLiteral("stream"), StreamName(rt, m.stream));
        Times(out, rt, m.start, m.dur);
        Line(out, QStringLiteral("bytes"), m.bytes);
        Line(out, QStringLiteral("value"), m.value);
        Line(out, QStringLiteral("correlation"), m.correlation);
        corr = m.correlation;
        found = true;
        break;
      }
    }
    if (!found) return {};
    linked_api = FindApi(t, -1, -1, corr);
  } else if (ev.table == "api") {
    const auto a = FindApi(t, ev.stream, ev.start, ev.correlation);
    if (!a) return {};
    DescribeApi(out, t, rt, *a, {});
    host = {t.api.thread[*a], t.api.start[*a]};
    // Linked GPU work: kernels launched by this call (a scan: kernels are not indexed by
    // correlation), else a copy or memset.
    const int64_t corr = t.api.correlation[*a];
    int shown = 0;
    for (size_t k = 0; k < t.kernels.size() && corr != 0; ++k)
      if (t.kernels.correlation[k] == corr && shown++ < 4) DescribeKernel(out, rt, k, QStringLiteral("linked "));
    for (const auto& m : t.memcpys)
      if (corr != 0 && m.correlation == corr)
        Line(out, QStringLiteral("linked memcpy"), QStringLiteral("stream %1, %2 B, start %3 ns").arg(m.stream).arg(m.bytes).arg(m.start));
    for (const auto& m : t.memsets)
      if (corr != 0 && m.correlation == corr)
        Line(out, QStringLiteral("linked memset"), QStringLiteral("stream %1, %2 B, start %3 ns").arg(m.stream).arg(m.bytes).arg(m.start));
  } else if (ev.table == "nvtx") {
    const schemas::NvtxRow* found = nullptr;
    for (const auto& nv : t.nvtx)
      if (nv.thread == ev.stream && nv.start == ev.start && (ev.correlation == 0 || nv.id == ev.correlation)) { found = &nv; break; }
    if (!found) return {};
    Line(out, QStringLiteral("text"), Q(t.str(found->text)));
    if (found->domain) Line(out, QStringLiteral("domain"), Q(t.str(found->domain)));
    Line(out, QStringLiteral("thread"), ThreadName(t, found->thread));
    Times(out, rt, found->start, found->dur);
    Line(out, QStringLiteral("depth"), found->depth);
    static const char* kKinds[] = {"push/pop", "start/end", "mark"};
    Line(out, QStringLiteral("kind"), QString::fromLatin1(kKinds[std::clamp(int(found->kind), 0, 2)]));
    if (found->category) Line(out, QStringLiteral("category"), found->category);
    if (found->payload) Line(out, QStringLiteral("payload"), QString::number(*found->payload));
    host = {found->thread, found->start};
    nvtx_below = found->depth;
  } else if (ev.table == "sync") {
    const schemas::SyncRow* found = nullptr;
    for (const auto& s : t.syncs)
      if (s.start == ev.start && (ev.correlation == 0 || s.correlation == ev.correlation)) { found = &s; break; }
    if (!found) return {};
    static const char* kTypes[] = {"unknown", "event synchronize", "stream wait event", "stream synchronize", "context synchronize"};
    Line(out, QStringLiteral("sync"), QString::fromLatin1(kTypes[std::clamp(int(found->type), 0, 4)]));
    if (found->stream) Line(out, QStringLiteral("stream"), StreamName(rt, *found->stream));
    if (found->event) Line(out, QStringLiteral("event"), *found->event);
    Times(out, rt, found->start, found->dur);
    Line(out, QStringLiteral("correlation"), found->correlation);
    linked_api = FindApi(t, -1, -1, found->correlation);
  } else {
    return {};
  }
  if (linked_api) {
    DescribeApi(out, t, rt, *linked_api, QStringLiteral("linked "));
    host = {t.api.thread[*linked_api], t.api.start[*linked_api]};
  }
  if (host) NvtxParents(out, t, host->first, host->second, nvtx_below);
  return out.join(QLatin1Char('\n'));
}

}  // namespace moeprof::gui
