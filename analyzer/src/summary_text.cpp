// Text rendering of a TraceSummary (see summary_render.h): a label column, values wrapped at
// " · " separators so lines stay within 80 columns, counts with thousands separators.
#include <fmt/format.h>

#include <string_view>
#include <vector>

#include "moeprof/analyzer/summary_render.h"
#include "moeprof/analyzer/units.h"

namespace moeprof::analyzer {
namespace {

constexpr size_t kWidth = 80;
constexpr size_t kLabelWidth = 11;  // label text; one space follows
constexpr std::string_view kSep = " · ";

// Appends "label      part · part · ..." wrapping onto indented continuation lines.
void Line(std::string& out, std::string_view label, const std::vector<std::string>& parts) {
  const std::string indent(kLabelWidth + 1, ' ');
  std::string line = fmt::format("{:<{}} ", label, kLabelWidth);
  // Column widths count code points, not bytes, so "µ" and "·" count once.
  auto columns = [](std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  bool first = true;
  for (const std::string& part : parts) {
    if (first) {
      line += part;
      first = false;
    } else if (columns(line) + columns(kSep) + columns(part) <= kWidth) {
      line += kSep;
      line += part;
    } else {
      out += line + "\n";
      line = indent + part;
    }
  }
  out += line + "\n";
}

void Line(std::string& out, std::string_view label, std::string value) {
  Line(out, label, std::vector<std::string>{std::move(value)});
}

std::string OptOr(const std::optional<std::string>& v, std::string_view fallback) {
  return v ? *v : std::string(fallback);
}

std::string RankText(const std::optional<int64_t>& rank, const std::optional<int64_t>& local_rank,
                     const std::optional<int64_t>& world_size) {
  std::string s = rank ? fmt::format("rank {}", *rank) : "rank unknown";
  if (world_size) s += fmt::format(" of {}", *world_size);
  if (local_rank) s += fmt::format(" (local {})", *local_rank);
  return s;
}

void ToolLines(std::string& out, const TraceSummary& s) {
  std::string tool = OptOr(s.tool, "unknown tool");
  if (s.tool_version) tool += " " + *s.tool_version;
  Line(out, "tool", tool);
  std::vector<std::string> cuda;
  if (s.cuda_version) cuda.push_back("runtime " + *s.cuda_version);
  if (s.cupti_version) cuda.push_back("CUPTI " + *s.cupti_version);
  if (s.driver_version) cuda.push_back("driver " + *s.driver_version);
  if (cuda.empty()) cuda.push_back("not recorded");
  Line(out, "cuda", cuda);
  std::string backend = OptOr(s.backend, "not recorded");
  if (s.device_model) backend += " (device model " + *s.device_model + ")";
  Line(out, "backend", backend);
}

void ProcessLines(std::string& out, const TraceSummary& s) {
  if (s.processes.empty()) {
    std::vector<std::string> parts{RankText(s.rank, s.local_rank, s.world_size)};
    if (s.host) parts.push_back("host " + *s.host);
    if (s.pid) parts.push_back(fmt::format("pid {}", *s.pid));
    Line(out, "process", parts);
    return;
  }
  for (const ProcessInfo& p : s.processes) {
    std::vector<std::string> parts{RankText(p.rank, p.local_rank, p.world_size),
                                   "host " + p.host, fmt::format("pid {}", p.pid)};
    if (p.name) parts.push_back(*p.name);
    Line(out, "process", parts);
  }
}

void DeviceLines(std::string& out, const TraceSummary& s) {
  if (s.devices.empty()) {
    Line(out, "devices", "none recorded");
    return;
  }
  for (const DeviceInfo& d : s.devices) {
    std::vector<std::string> parts{d.name};
    if (d.cc_major && d.cc_minor) parts.push_back(fmt::format("sm_{}{}", *d.cc_major, *d.cc_minor));
    if (d.sm_count) parts.push_back(fmt::format("{} SMs", *d.sm_count));
    if (d.memory_bytes) parts.push_back(FormatBytes(*d.memory_bytes));
    Line(out, fmt::format("device {}", d.ordinal), parts);
  }
}

void TimeLines(std::string& out, const TraceSummary& s) {
  std::vector<std::string> clock{OptOr(s.clock, "clock not recorded")};
  if (s.origin_ns) {
    // Only a realtime clock maps to a calendar date; other clocks count from boot.
    const bool realtime = s.clock && s.clock->find("REALTIME") != std::string::npos;
    clock.push_back("origin " + (realtime ? FormatUtcTime(*s.origin_ns)
                                          : FormatCount(*s.origin_ns) + " ns"));
  }
  Line(out, "clock", clock);
  if (!s.span) {
    Line(out, "span", "no timed events");
    return;
  }
  Line(out, "span", {FormatDuration(s.span->duration_ns()),
                     fmt::format("from +{} to +{}", FormatDuration(s.span->start_ns),
                                 FormatDuration(s.span->end_ns))});
}

void RowLines(std::string& out, const TraceSummary& s) {
  // Two cells per line: 12 + 32 + 2 + 32 = 78 columns.
  std::string line;
  int cells = 0;
  for (const auto& [table, count] : s.row_counts) {
    const std::string cell = fmt::format("{:<20} {:>11}", table, FormatCount(count));
    if (cells % 2 == 0) {
      line = fmt::format("{:<{}} {}", cells == 0 ? "rows" : "", kLabelWidth, cell);
    } else {
      out += line + "  " + cell + "\n";
      line.clear();
    }
    ++cells;
  }
  if (cells == 0) Line(out, "rows", "no tables");
  if (!line.empty()) out += line + "\n";
}

void DropLines(std::string& out, const TraceSummary& s) {
  if (s.drops.empty()) {
    Line(out, "drops", "none");
    return;
  }
  bool first = true;
  for (const DropTotal& d : s.drops) {
    Line(out, first ? "drops" : "",
         fmt::format("{:<32} {:>11}", d.source + ": " + d.reason, FormatCount(d.count)));
    first = false;
  }
  if (s.drops.size() > 1) Line(out, "", fmt::format("{:<32} {:>11}", "total", FormatCount(s.drops_total)));
}

}  // namespace

std::string RenderSummaryText(const TraceSummary& s) {
  std::string out;
  Line(out, "trace", s.path);
  std::string format = fmt::format("v{}", s.migrated_from ? *s.migrated_from : s.format_version);
  if (s.schema) format += " (" + *s.schema + ")";
  if (s.migrated_from) {
    Line(out, "format", {format, fmt::format("read through a temporary copy migrated to v{}; "
                                             "the file is unchanged", s.format_version)});
  } else {
    Line(out, "format", format);
  }
  ToolLines(out, s);
  ProcessLines(out, s);
  DeviceLines(out, s);
  TimeLines(out, s);
  RowLines(out, s);
  DropLines(out, s);
  return out;
}

}  // namespace moeprof::analyzer
