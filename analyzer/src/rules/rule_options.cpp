// LoadRuleOptions: reads the threshold part of a --rules TOML file.
//
//   [rule.exposed_sync]
//   warn_pct = 2.0          # any number (integer or float)
//
// Every rule id and threshold name is checked against AllRules(), so a typo is an error that names
// the file and the entry instead of a silently ignored setting. Kernel classification rules in the
// same file ([[kernel]], or a classifier file's [[rule]] array) are LoadRun's business and skipped.
#include <toml++/toml.h>

#include <sstream>

#include "moeprof/analyzer/rules.h"

namespace moeprof::analyzer {

namespace {

const RuleInfo* FindRule(const std::string& id) {
  for (const RuleInfo& r : AllRules()) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

std::string KnownRules() {
  std::string out;
  for (const RuleInfo& r : AllRules()) out += (out.empty() ? "" : ", ") + r.id;
  return out;
}

}  // namespace

Status LoadRuleOptions(const std::string& path, RuleOptions& options) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << path;
    if (e.source().begin) msg << ":" << e.source().begin.line << ":" << e.source().begin.column;
    msg << ": " << e.description();
    // A missing file surfaces as a parse error from toml++; say so plainly.
    return Status(ErrorCode::kInvalidArgument, msg.str());
  }
  const toml::node* rule_node = root.get("rule");
  if (rule_node == nullptr || rule_node->is_array_of_tables()) return Status::Ok();
  const toml::table* rules = rule_node->as_table();
  if (rules == nullptr) {
    return Status(ErrorCode::kInvalidArgument,
                  path + ": 'rule' must be a table of [rule.<id>] sections");
  }
  RuleOptions loaded = options;
  for (const auto& [id_key, node] : *rules) {
    const std::string id(id_key.str());
    const RuleInfo* info = FindRule(id);
    if (info == nullptr) {
      return Status(ErrorCode::kInvalidArgument,
                    path + ": [rule." + id + "]: unknown rule (known: " + KnownRules() + ")");
    }
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      return Status(ErrorCode::kInvalidArgument, path + ": rule." + id + " must be a table");
    }
    for (const auto& [name_key, value] : *table) {
      const std::string name(name_key.str());
      bool known = false;
      std::string names;
      for (const RuleThreshold& t : info->thresholds) {
        known = known || t.name == name;
        names += (names.empty() ? "" : ", ") + t.name;
      }
      if (!known) {
        return Status(ErrorCode::kInvalidArgument, path + ": [rule." + id + "] " + name +
                                                       ": unknown threshold (known: " + names + ")");
      }
      std::optional<double> v = value.value<double>();  // integers convert too
      if (!v || !value.is_number()) {
        return Status(ErrorCode::kInvalidArgument,
                      path + ": [rule." + id + "] " + name + ": expected a number");
      }
      loaded.thresholds[id + "." + name] = *v;
    }
  }
  options = std::move(loaded);
  return Status::Ok();
}

}  // namespace moeprof::analyzer
