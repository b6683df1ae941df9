// `moeprof classify`: loads the run (every rank), sums kernel time per distinct name over all
// ranks, and prints the names grouped by class (biggest class first, biggest name first within
// it) with count, total time and share, plus memcpy/memset totals. Text fits 80 columns (long
// names are elided in the middle, keeping the start — namespace, template — and the end); JSON
// carries full names, the collective, fp64 and the rule that matched, for scripts.
#include "classify_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "moeprof/analyzer/json_writer.h"
#include "moeprof/analyzer/model.h"
#include "moeprof/analyzer/units.h"
#include "moeprof/analyzer/version.h"

namespace moeprof::cli {
namespace {

struct ClassifyArgs {
  std::vector<std::string> inputs;
  std::string rules;
  bool json = false;
  size_t top = 0;  // names per class; 0 = all
};

struct NameRow {
  std::string name;
  analyzer::Classification c;
  int64_t count = 0, total_ns = 0;
};

struct ClassRow {
  analyzer::KernelClass cls;
  int64_t count = 0, total_ns = 0;
  std::vector<NameRow> names;
};

// Elides the middle of a long name with "…" so both its start and its end stay readable.
// Widths are in code points (kernel names are ASCII in practice; "…" is one column).
std::string Elide(const std::string& s, size_t width) {
  if (s.size() <= width || width < 5) return s;
  const size_t head = (width - 1) * 2 / 3;
  const size_t tail = width - 1 - head;
  return s.substr(0, head) + "\u2026" + s.substr(s.size() - tail);
}

// For display in 80 columns: drops a leading "void " and, for a long name, the trailing
// parameter list — the template arguments tell kernels apart, the parameters rarely do.
std::string Shorten(std::string s, size_t width) {
  if (s.rfind("void ", 0) == 0) s.erase(0, 5);
  if (s.size() > width && !s.empty() && s.back() == ')') {
    int depth = 0;
    for (size_t i = s.size(); i-- > 0;) {
      if (s[i] == ')') ++depth;
      if (s[i] == '(' && --depth == 0) {
        if (i > 0) s.erase(i);
        break;
      }
    }
  }
  return s;
}

int RunClassify(const ClassifyArgs& args) {
  analyzer::LoadOptions options;
  options.rules_file = args.rules;
  Expected<analyzer::Run> run = analyzer::LoadRun(args.inputs, options);
  if (!run) {
    fmt::print(stderr, "moeprof: {}\n", run.status().message());
    return 2;
  }

  std::map<std::string, NameRow> by_name;
  ClassRow memcpy{analyzer::KernelClass::kMemcpy}, memset{analyzer::KernelClass::kMemset};
  int64_t total_ns = 0;
  for (const analyzer::RankTrace& rt : run->ranks) {
    const schemas::KernelColumns& k = rt.trace.kernels;
    // Per rank by string id first (cheap), then merged by name across ranks.
    std::vector<int64_t> count(rt.trace.strings.size(), 0), time(rt.trace.strings.size(), 0);
    for (size_t i = 0; i < k.size(); ++i) {
      ++count[static_cast<size_t>(k.name[i])];
      time[static_cast<size_t>(k.name[i])] += k.dur[i];
    }
    for (size_t id = 0; id < count.size(); ++id) {
      if (count[id] == 0) continue;
      NameRow& row = by_name[rt.trace.strings[id]];
      row.name = rt.trace.strings[id];
      row.c = rt.name_class[id];
      row.count += count[id];
      row.total_ns += time[id];
      total_ns += time[id];
    }
    for (const auto& r : rt.trace.memcpys) { ++memcpy.count; memcpy.total_ns += r.dur; total_ns += r.dur; }
    for (const auto& r : rt.trace.memsets) { ++memset.count; memset.total_ns += r.dur; total_ns += r.dur; }
  }

  std::vector<ClassRow> classes;
  for (size_t c = 0; c < static_cast<size_t>(analyzer::KernelClass::kCount); ++c) {
    classes.push_back({static_cast<analyzer::KernelClass>(c)});
  }
  for (auto& [name, row] : by_name) {
    ClassRow& cr = classes[static_cast<size_t>(row.c.cls)];
    cr.count += row.count;
    cr.total_ns += row.total_ns;
    cr.names.push_back(std::move(row));
  }
  classes[static_cast<size_t>(analyzer::KernelClass::kMemcpy)] = std::move(memcpy);
  classes[static_cast<size_t>(analyzer::KernelClass::kMemset)] = std::move(memset);
  std::erase_if(classes, [](const ClassRow& c) { return c.count == 0; });
  std::stable_sort(classes.begin(), classes.end(),
                   [](const ClassRow& a, const ClassRow& b) { return a.total_ns > b.total_ns; });
  for (ClassRow& c : classes) {
    std::stable_sort(c.names.begin(), c.names.end(), [](const NameRow& a, const NameRow& b) {
      return a.total_ns != b.total_ns ? a.total_ns > b.total_ns : a.name < b.name;
    });
  }
  const auto& rules = run->classifier.rules();
  auto pct = [&](int64_t ns) { return total_ns > 0 ? 100.0 * static_cast<double>(ns) / static_cast<double>(total_ns) : 0.0; };

  if (args.json) {
    std::string out;
    analyzer::JsonWriter json(out);
    json.BeginObject();
    json.Key("moeprof_version").String(analyzer::Version());
    json.Key("ranks").Int(static_cast<int64_t>(run->ranks.size()));
    json.Key("total_ns").Int(total_ns);
    json.Key("classes").BeginArray();
    for (const ClassRow& c : classes) {
      json.BeginObject();
      json.Key("class").String(analyzer::KernelClassName(c.cls));
      json.Key("count").Int(c.count);
      json.Key("total_ns").Int(c.total_ns);
      json.Key("kernels").BeginArray();
      size_t shown = 0;
      for (const NameRow& n : c.names) {
        if (args.top > 0 && shown++ >= args.top) break;
        json.BeginObject();
        json.Key("name").String(n.name);
        json.Key("count").Int(n.count);
        json.Key("total_ns").Int(n.total_ns);
        if (n.c.cls == analyzer::KernelClass::kComm) json.Key("comm").String(analyzer::CommOpName(n.c.comm));
        json.Key("fp64").Bool(n.c.fp64);
        if (n.c.rule_index >= 0 && static_cast<size_t>(n.c.rule_index) < rules.size()) {
          json.Key("rule").String(rules[static_cast<size_t>(n.c.rule_index)].pattern);
          json.Key("user_rule").Bool(rules[static_cast<size_t>(n.c.rule_index)].user);
        } else {
          json.Key("rule").Null();
        }
        json.EndObject();
      }
      json.EndArray();
      json.EndObject();
    }
    json.EndArray();
    json.EndObject();
    fmt::print("{}\n", out);
    return 0;
  }

  // Text: class header line, then "  count  time  name" rows; 80 columns.
  fmt::print("Kernel classes over {} rank(s), {} of GPU time\n", run->ranks.size(),
             analyzer::FormatDuration(total_ns));
  for (const ClassRow& c : classes) {
    fmt::print("\n{:<14} {:>12} {:>12} {:>6.1f} %\n", analyzer::KernelClassName(c.cls),
               analyzer::FormatCount(c.count), analyzer::FormatDuration(c.total_ns), pct(c.total_ns));
    size_t shown = 0;
    for (const NameRow& n : c.names) {
      if (args.top > 0 && shown >= args.top) {
        fmt::print("  {:>9}  ... {} more\n", "", c.names.size() - shown);
        break;
      }
      ++shown;
      std::string tag;
      if (n.c.cls == analyzer::KernelClass::kComm) tag = std::string("[") + analyzer::CommOpName(n.c.comm) + "] ";
      if (n.c.fp64) tag += "[fp64] ";
      if (n.c.rule_index >= 0 && static_cast<size_t>(n.c.rule_index) < rules.size() &&
          rules[static_cast<size_t>(n.c.rule_index)].user) {
        tag += "[user] ";
      }
      // 2 + 9 + 2 + 10 + 2 = 25 columns before the name; 55 left for it.
      fmt::print("  {:>9}  {:>10}  {}\n", analyzer::FormatCount(n.count),
                 analyzer::FormatDuration(n.total_ns), Elide(tag + Shorten(n.name, 55 - tag.size()), 55));
    }
  }
  return 0;
}

}  // namespace

void RegisterClassifyCommand(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "classify", "List kernel names by class with count and time, to check classification rules");
  auto args = std::make_shared<ClassifyArgs>();
  cmd->add_option("inputs", args->inputs, "Trace files or run directories (also Kineto/nsys files)")
      ->required()
      ->type_name("FILE|DIR");
  cmd->add_option("--rules", args->rules, "User classification rules (TOML, [[kernel]] entries)")
      ->type_name("FILE");
  cmd->add_option("--top", args->top, "Show at most N names per class (default: all)")->type_name("N");
  cmd->add_flag("--json", args->json, "Machine-readable output");
  cmd->callback([args, &exit_code] { exit_code = RunClassify(*args); });
}

}  // namespace moeprof::cli
