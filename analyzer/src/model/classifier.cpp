// Kernel classifier engine (see kernel_class.h): compiled RE2 rules tried in order, user rules
// from TOML in front of the built-in table, names demangled when they arrive mangled.
#include <cxxabi.h>
#include <re2/re2.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "classifier_rules.h"
#include "moeprof/analyzer/kernel_class.h"

namespace moeprof::analyzer {

namespace {
constexpr const char* kClassNames[] = {
    "gemm", "grouped_gemm", "attention", "norm", "elementwise", "reduction", "softmax",
    "router_topk", "permute", "cast", "optimizer", "comm", "memcpy", "memset", "other"};
static_assert(std::size(kClassNames) == static_cast<size_t>(KernelClass::kCount));

constexpr const char* kCommNames[] = {"none",      "all_reduce", "all_gather", "reduce_scatter",
                                      "all_to_all", "send_recv", "broadcast",  "reduce",
                                      "dispatch",   "combine",   "other"};
}  // namespace

const char* KernelClassName(KernelClass c) {
  const size_t i = static_cast<size_t>(c);
  return i < std::size(kClassNames) ? kClassNames[i] : "other";
}

bool ParseKernelClass(std::string_view name, KernelClass& out) {
  for (size_t i = 0; i < std::size(kClassNames); ++i) {
    if (name == kClassNames[i]) {
      out = static_cast<KernelClass>(i);
      return true;
    }
  }
  return false;
}

const char* CommOpName(CommOp op) {
  const size_t i = static_cast<size_t>(op);
  return i < std::size(kCommNames) ? kCommNames[i] : "other";
}

bool ParseCommOp(std::string_view name, CommOp& out) {
  for (size_t i = 0; i < std::size(kCommNames); ++i) {
    if (name == kCommNames[i]) {
      out = static_cast<CommOp>(i);
      return true;
    }
  }
  return false;
}

struct Classifier::Impl {
  std::vector<RuleInfo> info;
  // Parallel to info; shared_ptr so a copied Classifier can share compiled regexes (RE2 objects
  // are immutable and thread-safe once built) while owning its own rule list.
  std::vector<std::shared_ptr<const RE2>> compiled;
  std::vector<bool> parse_comm;  // kComm rule without an explicit op: parse it from the name
};

Classifier::Classifier() : impl_(std::make_shared<Impl>()) {}

Classifier Classifier::Builtin() {
  Classifier c;
  RE2::Options opts;
  opts.set_log_errors(false);
  for (const detail::BuiltinRule& r : detail::BuiltinRules()) {
    auto re = std::make_shared<const RE2>(r.pattern, opts);
    // A bad built-in pattern is a bug; tests check that every rule compiles.
    if (!re->ok()) continue;
    c.impl_->info.push_back({r.pattern, r.cls, r.comm, false});
    c.impl_->compiled.push_back(std::move(re));
    c.impl_->parse_comm.push_back(r.cls == KernelClass::kComm && r.comm == CommOp::kNone);
  }
  return c;
}

const std::vector<Classifier::RuleInfo>& Classifier::rules() const { return impl_->info; }

namespace {
// The name without its trailing parameter list: "ns::kernel<T, 4>(float*, Layout)" →
// "ns::kernel<T, 4>". Rules and the fp64 test look at what the kernel is (qualified name and
// template arguments), not at the types it takes: a parameter of type flashinfer::X does not make
// a quantize kernel attention, nor a scalar double parameter a float kernel fp64.
std::string_view WithoutParameters(std::string_view name) {
  if (name.empty() || name.back() != ')') return name;
  int depth = 0;
  for (size_t i = name.size(); i-- > 0;) {
    if (name[i] == ')') ++depth;
    if (name[i] == '(' && --depth == 0) return i > 0 ? name.substr(0, i) : name;
  }
  return name;
}
}  // namespace

Classification Classifier::Classify(std::string_view name) const {
  std::string demangled;
  if (name.size() > 2 && name[0] == '_' && name[1] == 'Z') {
    int status = 0;
    const std::string mangled(name);
    char* out = abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status);
    if (status == 0 && out != nullptr) {
      demangled = out;
      name = demangled;
    }
    std::free(out);
  }
  name = WithoutParameters(name);
  Classification c;
  c.fp64 = detail::LooksFp64(name);
  const Impl& im = *impl_;
  for (size_t i = 0; i < im.compiled.size(); ++i) {
    if (!RE2::PartialMatch(name, *im.compiled[i])) continue;
    c.cls = im.info[i].cls;
    c.rule_index = static_cast<int>(i);
    if (c.cls == KernelClass::kComm) {
      c.comm = im.parse_comm[i] ? detail::ParseCollective(name) : im.info[i].comm;
    }
    return c;
  }
  return c;
}

Status Classifier::AddRulesFromToml(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kNotFound, path + ": cannot open rules file");
  std::ostringstream text;
  text << in.rdbuf();
  return AddRulesFromTomlString(text.str(), path);
}

Status Classifier::AddRulesFromTomlString(std::string_view toml_text, const std::string& origin) {
  toml::table doc;
  try {
    doc = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status(ErrorCode::kInvalidArgument,
                  origin + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) +
                      ": " + std::string(e.description()));
  }
  const toml::array* entries = doc["kernel"].as_array();
  const char* key = "kernel";
  if (entries == nullptr) {
    entries = doc["rule"].as_array();
    key = "rule";
  }
  if (entries == nullptr) {
    return Status(ErrorCode::kInvalidArgument,
                  origin + ": no [[kernel]] entries (expected [[kernel]] pattern = \"...\" class = \"gemm\")");
  }
  Impl fresh;
  RE2::Options opts;
  opts.set_log_errors(false);
  size_t index = 0;
  for (const toml::node& node : *entries) {
    ++index;
    const std::string where = origin + ": [[" + key + "]] #" + std::to_string(index);
    const toml::table* t = node.as_table();
    if (t == nullptr) return Status(ErrorCode::kInvalidArgument, where + ": not a table");
    const std::optional<std::string> pattern = (*t)["pattern"].value<std::string>();
    const std::optional<std::string> cls_name = (*t)["class"].value<std::string>();
    if (!pattern || pattern->empty()) {
      return Status(ErrorCode::kInvalidArgument, where + ": missing pattern");
    }
    if (!cls_name) return Status(ErrorCode::kInvalidArgument, where + " (" + *pattern + "): missing class");
    KernelClass cls;
    if (!ParseKernelClass(*cls_name, cls)) {
      std::string known;
      for (const char* n : kClassNames) known += std::string(known.empty() ? "" : ", ") + n;
      return Status(ErrorCode::kInvalidArgument,
                    where + " (" + *pattern + "): unknown class '" + *cls_name + "' (known: " + known + ")");
    }
    CommOp comm = CommOp::kNone;
    if (const std::optional<std::string> comm_name = (*t)["comm"].value<std::string>()) {
      if (!ParseCommOp(*comm_name, comm)) {
        return Status(ErrorCode::kInvalidArgument,
                      where + " (" + *pattern + "): unknown comm '" + *comm_name + "'");
      }
      if (cls != KernelClass::kComm && comm != CommOp::kNone) {
        return Status(ErrorCode::kInvalidArgument,
                      where + " (" + *pattern + "): comm is only meaningful with class = \"comm\"");
      }
    }
    auto re = std::make_shared<const RE2>(*pattern, opts);
    if (!re->ok()) {
      return Status(ErrorCode::kInvalidArgument,
                    where + ": bad regular expression '" + *pattern + "': " + re->error());
    }
    fresh.info.push_back({*pattern, cls, comm, true});
    fresh.compiled.push_back(std::move(re));
    fresh.parse_comm.push_back(cls == KernelClass::kComm && comm == CommOp::kNone);
  }
  // New rules go in front of everything so far; a new Impl keeps copies of this Classifier
  // unaffected.
  const Impl& old = *impl_;
  fresh.info.insert(fresh.info.end(), old.info.begin(), old.info.end());
  fresh.compiled.insert(fresh.compiled.end(), old.compiled.begin(), old.compiled.end());
  fresh.parse_comm.insert(fresh.parse_comm.end(), old.parse_comm.begin(), old.parse_comm.end());
  impl_ = std::make_shared<Impl>(std::move(fresh));
  return Status::Ok();
}

}  // namespace moeprof::analyzer
