// JSON rendering of a TraceSummary (see summary_render.h). Field names and meanings are the
// contract documented in docs/CLI.md: add fields freely, never rename or repurpose one.
#include "moeprof/analyzer/summary_render.h"

namespace moeprof::analyzer {

void WriteSummaryJson(JsonWriter& j, const TraceSummary& s) {
  j.BeginObject();
  j.Key("path").String(s.path);
  j.Key("format_version").Int(s.format_version);
  j.Key("migrated_from");
  if (s.migrated_from) {
    j.Int(*s.migrated_from);
  } else {
    j.Null();
  }
  j.Key("schema").OptString(s.schema);
  j.Key("tool").OptString(s.tool);
  j.Key("tool_version").OptString(s.tool_version);
  j.Key("cuda_version").OptString(s.cuda_version);
  j.Key("cupti_version").OptString(s.cupti_version);
  j.Key("driver_version").OptString(s.driver_version);
  j.Key("backend").OptString(s.backend);
  j.Key("device_model").OptString(s.device_model);
  j.Key("clock").OptString(s.clock);
  j.Key("origin_ns").OptInt(s.origin_ns);
  j.Key("host").OptString(s.host);
  j.Key("pid").OptInt(s.pid);
  j.Key("rank").OptInt(s.rank);
  j.Key("local_rank").OptInt(s.local_rank);
  j.Key("world_size").OptInt(s.world_size);

  j.Key("processes").BeginArray();
  for (const ProcessInfo& p : s.processes) {
    j.BeginObject();
    j.Key("pid").Int(p.pid);
    j.Key("host").String(p.host);
    j.Key("rank").OptInt(p.rank);
    j.Key("local_rank").OptInt(p.local_rank);
    j.Key("world_size").OptInt(p.world_size);
    j.Key("name").OptString(p.name);
    j.EndObject();
  }
  j.EndArray();

  j.Key("devices").BeginArray();
  for (const DeviceInfo& d : s.devices) {
    j.BeginObject();
    j.Key("ordinal").Int(d.ordinal);
    j.Key("name").String(d.name);
    j.Key("sm_count").OptInt(d.sm_count);
    j.Key("memory_bytes").OptInt(d.memory_bytes);
    j.Key("cc_major").OptInt(d.cc_major);
    j.Key("cc_minor").OptInt(d.cc_minor);
    j.EndObject();
  }
  j.EndArray();

  j.Key("span");
  if (s.span) {
    j.BeginObject();
    j.Key("start_ns").Int(s.span->start_ns);
    j.Key("end_ns").Int(s.span->end_ns);
    j.Key("duration_ns").Int(s.span->duration_ns());
    j.EndObject();
  } else {
    j.Null();
  }

  j.Key("rows").BeginObject();
  for (const auto& [table, count] : s.row_counts) j.Key(table).Int(count);
  j.EndObject();

  j.Key("drops").BeginArray();
  for (const DropTotal& d : s.drops) {
    j.BeginObject();
    j.Key("source").String(d.source);
    j.Key("reason").String(d.reason);
    j.Key("count").Int(d.count);
    j.EndObject();
  }
  j.EndArray();
  j.Key("drops_total").Int(s.drops_total);

  j.Key("meta").BeginObject();
  for (const auto& [key, value] : s.meta) j.Key(key).String(value);
  j.EndObject();
  j.EndObject();
}

}  // namespace moeprof::analyzer
