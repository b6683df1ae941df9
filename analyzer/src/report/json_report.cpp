// The JSON report, schema "moeprof-report/1" (docs/REPORT-JSON.md): stable key order, integers in
// ns, percentages as numbers, every trace string escaped by JsonWriter (control characters as
// \u00XX, invalid UTF-8 as U+FFFD). Fields are only ever added within a schema version; a change
// in meaning or a removal bumps it.
#include <string>

#include "format_util.h"
#include "moeprof/analyzer/json_writer.h"
#include "moeprof/analyzer/report.h"

namespace moeprof::analyzer {

using namespace report_detail;

std::string RenderReportJson(const Report& report) {
  std::string out;
  JsonWriter j(out);
  j.BeginObject();
  j.Key("schema").String("moeprof-report/1");
  j.Key("moeprof_version").String(report.version);
  j.Key("inputs").BeginArray();
  for (const std::string& in : report.inputs) j.String(in);
  j.EndArray();
  j.Key("step_filter").BeginObject();
  j.Key("first").OptInt(report.first_step);
  j.Key("last").OptInt(report.last_step);
  j.EndObject();
  j.Key("median_step_ns").Int(RunMedianStep(report));

  j.Key("ranks").BeginArray();
  for (const RankReport& r : report.ranks) {
    j.BeginObject();
    j.Key("rank").Int(r.rank);
    j.Key("path").String(r.path);
    j.Key("steps").Int(r.steps);
    j.Key("step_source").String(r.step_source);
    j.Key("median_step_ns").Int(r.step_median_ns);
    j.Key("analyzed_ns").Int(r.analyzed_ns);
    j.Key("kernels").Int(r.kernels);
    j.Key("compute_pct").Double(r.compute_pct);
    j.Key("non_compute_pct").Double(r.non_compute_pct);
    j.Key("idle_pct").Double(r.idle_pct);
    j.Key("comm_ns").Int(r.comm_ns);
    j.Key("comm_overlap_pct").Double(r.comm_overlap_pct);
    j.Key("kernel_classes").BeginArray();
    for (const ClassShare& c : r.classes) {
      j.BeginObject();
      j.Key("class").String(c.cls);
      j.Key("ns").Int(c.ns);
      j.Key("pct").Double(c.pct);
      j.EndObject();
    }
    j.EndArray();
    j.EndObject();
  }
  j.EndArray();

  j.Key("findings").BeginArray();
  for (const Finding& f : report.findings) {
    j.BeginObject();
    j.Key("rule").String(f.rule);
    j.Key("severity").String(SeverityName(f.severity));
    j.Key("over_fail_on").Bool(IsOverAnyBar(f, report.fail_on));
    j.Key("title").String(f.title);
    j.Key("location").String(f.location);
    j.Key("ranks").BeginArray();
    for (int r : f.ranks) j.Int(r);
    j.EndArray();
    j.Key("steps").BeginArray();
    for (int64_t s : f.steps) j.Int(s);
    j.EndArray();
    j.Key("cost_ns").Int(f.cost_ns);
    j.Key("cost_pct").Double(f.cost_pct);
    j.Key("saving_ns").Int(f.saving_ns);
    j.Key("saving_method").String(f.saving_method);
    j.Key("fix").String(f.fix);
    j.Key("metrics").BeginObject();
    for (const auto& [key, value] : f.metrics) j.Key(key).Double(value);
    j.EndObject();
    j.Key("evidence").BeginArray();
    for (const Interval& i : f.evidence) {
      j.BeginObject();
      j.Key("start_ns").Int(i.start);
      j.Key("end_ns").Int(i.end);
      j.EndObject();
    }
    j.EndArray();
    j.Key("events").BeginArray();
    for (const EventRef& e : f.events) {
      j.BeginObject();
      j.Key("rank").Int(e.rank);
      j.Key("table").String(e.table);
      j.Key("stream").Int(e.stream);
      j.Key("start_ns").Int(e.start);
      j.Key("correlation").Int(e.correlation);
      j.EndObject();
    }
    j.EndArray();
    j.EndObject();
  }
  j.EndArray();

  j.Key("rules").BeginArray();
  for (const RuleSummary& s : SummarizeRules(report)) {
    j.BeginObject();
    j.Key("id").String(s.info->id);
    j.Key("title").String(s.info->title);
    j.Key("findings").Int(s.findings);
    if (s.findings > 0) {
      j.Key("worst_severity").String(SeverityName(s.worst));
    } else {
      j.Key("worst_severity").Null();
    }
    j.Key("cost_ns").Int(s.cost_ns);
    j.Key("saving_ns").Int(s.saving_ns);
    j.Key("failed").Bool(s.over_bar > 0);
    j.EndObject();
  }
  j.EndArray();

  j.Key("fail_on").BeginArray();
  for (const FailOn& b : report.fail_on) {
    j.BeginObject();
    j.Key("rule").String(b.rule);
    j.Key("severity").String(SeverityName(b.severity));
    j.EndObject();
  }
  j.EndArray();
  j.Key("failed").Bool(ReportFails(report));
  j.EndObject();
  return out;
}

}  // namespace moeprof::analyzer
