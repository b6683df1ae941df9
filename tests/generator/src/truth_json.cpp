// truth.json: the ground truth of a constructed scenario, written beside its traces. Hand-written
// JSON (the generator depends on nothing of the analyzer's, so it cannot share its mistakes).
#include <cmath>
#include <cstdio>
#include <string>

#include "moeprof/tracegen/tracegen.h"

namespace moeprof::tracegen {
namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

std::string Num(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

template <typename T>
std::string IntList(const std::vector<T>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + "]";
}

}  // namespace

std::string TruthToJson(const Truth& t) {
  std::string o = "{\n";
  o += "  \"schema\": \"moeprof-truth/1\",\n";
  o += "  \"scenario\": " + Quote(t.scenario) + ",\n";
  o += "  \"rule\": " + Quote(t.rule) + ",\n";
  o += "  \"magnitude\": " + Quote(t.magnitude) + ",\n";
  o += "  \"description\": " + Quote(t.description) + ",\n";
  o += std::string("  \"clean\": ") + (t.clean ? "true" : "false") + ",\n";
  o += "  \"ranks\": " + std::to_string(t.ranks) + ",\n";
  o += "  \"steps\": " + IntList(t.steps) + ",\n";
  o += "  \"step_ns\": " + IntList(t.step_ns) + ",\n";
  o += "  \"findings\": [";
  for (size_t i = 0; i < t.items.size(); ++i) {
    const TruthItem& it = t.items[i];
    o += i ? ",\n    {" : "\n    {";
    o += "\"rule\": " + Quote(it.rule) + ", \"rank\": " + std::to_string(it.rank) +
         ", \"steps\": " + IntList(it.steps) + ", \"location\": " + Quote(it.location) + ", \"match\": " + Quote(it.match) +
         ", \"cost_ns\": " + std::to_string(it.cost_ns) + ", \"min_severity\": " +
         Quote(it.min_severity) + ", \"what\": " + Quote(it.what) + ", \"details\": {";
    bool first = true;
    for (const auto& [key, value] : it.details) {
      o += (first ? "" : ", ") + Quote(key) + ": " + Num(value);
      first = false;
    }
    o += "}}";
  }
  o += t.items.empty() ? "]\n" : "\n  ]\n";
  return o + "}\n";
}

}  // namespace moeprof::tracegen
