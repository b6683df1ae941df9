// The registry: every rule described with its thresholds, RunRules' filter and order, --rules TOML
// thresholds (valid, unknown rule, unknown threshold, not a number, kernel rules skipped), and
// severity names.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "rule_test_util.h"

namespace moeprof::rules_test {
namespace {

TEST(Registry, SevenRulesEachDefinedWithThresholds) {
  const auto& rules = AllRules();
  ASSERT_EQ(rules.size(), 7u);
  std::set<std::string> ids;
  for (const RuleInfo& r : rules) {
    ids.insert(r.id);
    EXPECT_FALSE(r.title.empty()) << r.id;
    EXPECT_GT(r.definition.size(), 100u) << r.id;
    EXPECT_FALSE(r.thresholds.empty()) << r.id;
    std::set<std::string> names;
    for (const RuleThreshold& t : r.thresholds) {
      EXPECT_TRUE(names.insert(t.name).second) << r.id << "." << t.name;
      EXPECT_FALSE(t.why.empty()) << r.id << "." << t.name;
    }
  }
  EXPECT_EQ(ids, (std::set<std::string>{"exposed_sync", "unfused_epilogue", "expert_imbalance",
                                        "pipeline_bubble", "a2a_overlap", "precision",
                                        "launch_bound"}));
}

TEST(Registry, DefaultsFromDesign) {
  auto get = [](const std::string& rule, const std::string& name) {
    for (const RuleInfo& r : AllRules()) {
      for (const RuleThreshold& t : r.thresholds) {
        if (r.id == rule && t.name == name) return t.default_value;
      }
    }
    return -1.0;
  };
  EXPECT_EQ(get("exposed_sync", "warn_pct"), 1.0);
  EXPECT_EQ(get("exposed_sync", "high_pct"), 5.0);
  EXPECT_EQ(get("unfused_epilogue", "max_gap_us"), 5.0);
  EXPECT_EQ(get("unfused_epilogue", "warn_gemm_pct"), 20.0);
  EXPECT_EQ(get("unfused_epilogue", "warn_step_pct"), 2.0);
  EXPECT_EQ(get("expert_imbalance", "warn_ratio"), 1.25);
  EXPECT_EQ(get("expert_imbalance", "high_ratio"), 1.5);
  EXPECT_EQ(get("pipeline_bubble", "imbalance_pct"), 10.0);
  EXPECT_EQ(get("a2a_overlap", "warn_share_pct"), 10.0);
  EXPECT_EQ(get("a2a_overlap", "max_overlap_pct"), 30.0);
  EXPECT_EQ(get("launch_bound", "min_kernels"), 20.0);
  EXPECT_EQ(get("launch_bound", "max_median_us"), 10.0);
  EXPECT_EQ(get("launch_bound", "min_idle_pct"), 30.0);
}

// A trace with two findings of different rules: an exposed sync (210 us) and a cast share (50 us).
Run TwoFindings(TraceBuilder& b) {
  const int64_t st = b.Stream("compute");
  b.StepRow(0, 0, US(1000));
  b.K(st, "gemm", US(0), US(100));
  b.Api("cudaStreamSynchronize", US(50), US(250));
  b.Kernel(st, "gemm", US(310), US(100), US(301));
  b.K(st, "cast", US(500), US(50));
  return MakeRun({&b}, {{"gemm", Cls(KernelClass::kGemm)}, {"cast", Cls(KernelClass::kCast)}});
}

TEST(Registry, RunRulesFiltersAndSortsBySaving) {
  TraceBuilder b;
  analyzer::Run run = TwoFindings(b);
  auto all = RunRules(run, {});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].rule, "exposed_sync");
  EXPECT_EQ(all[1].rule, "precision");
  EXPECT_GE(all[0].saving_ns, all[1].saving_ns);
  auto only = RunRules(run, {}, {"precision"});
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0].rule, "precision");
  EXPECT_TRUE(RunRules(run, {}, {"no_such_rule"}).empty());
}

TEST(Registry, EmptyRunGivesNoFindings) {
  analyzer::Run run;
  EXPECT_TRUE(RunRules(run, {}).empty());
  TraceBuilder b;  // a trace without any activity
  analyzer::Run one = MakeRun({&b});
  EXPECT_TRUE(RunRules(one, {}).empty());
}

TEST(Registry, OptionsOverrideDefaults) {
  TraceBuilder b;
  analyzer::Run run = TwoFindings(b);
  RuleOptions o;
  o.thresholds["exposed_sync.high_pct"] = 50;
  auto fs = RunRules(run, o, {"exposed_sync"});
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].severity, Severity::kWarn);
  EXPECT_EQ(o.Get("exposed_sync.high_pct", 5), 50);
  EXPECT_EQ(o.Get("exposed_sync.warn_pct", 1), 1);
}

// docs/RULES.md lists every threshold with its default as "| `rule.name` | default |": the page
// and the code must not drift apart.
TEST(Registry, DocsListEveryThresholdWithItsDefault) {
  std::ifstream in(std::string(MOEPROF_SOURCE_DIR) + "/docs/RULES.md");
  ASSERT_TRUE(in) << "docs/RULES.md missing";
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const RuleInfo& r : AllRules()) {
    EXPECT_NE(doc.find("## "), std::string::npos);
    EXPECT_NE(doc.find(r.id + " — "), std::string::npos) << r.id;
    for (const RuleThreshold& t : r.thresholds) {
      std::ostringstream row;
      row << "| `" << r.id << "." << t.name << "` | " << t.default_value << " |";
      EXPECT_NE(doc.find(row.str()), std::string::npos) << row.str();
    }
  }
}

std::string WriteFile(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("moeprof_rules_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

TEST(RuleOptionsFile, ReadsThresholdsAndSkipsKernelRules) {
  const std::string path = WriteFile("ok.toml",
                                     "[rule.exposed_sync]\nwarn_pct = 2\nhigh_pct = 7.5\n"
                                     "[rule.launch_bound]\nmin_kernels = 50\n"
                                     "[[kernel]]\npattern = \"my_gemm\"\nclass = \"gemm\"\n");
  RuleOptions o;
  Status st = LoadRuleOptions(path, o);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(o.thresholds.at("exposed_sync.warn_pct"), 2.0);
  EXPECT_EQ(o.thresholds.at("exposed_sync.high_pct"), 7.5);
  EXPECT_EQ(o.thresholds.at("launch_bound.min_kernels"), 50.0);
  EXPECT_EQ(o.thresholds.size(), 3u);
}

TEST(RuleOptionsFile, ErrorsNameFileAndEntry) {
  struct Case { const char* text; const char* expect; };
  const Case cases[] = {
      {"[rule.no_such]\nx = 1\n", "[rule.no_such]: unknown rule"},
      {"[rule.exposed_sync]\nwarn_pc = 1\n", "warn_pc: unknown threshold (known: warn_pct"},
      {"[rule.exposed_sync]\nwarn_pct = \"high\"\n", "warn_pct: expected a number"},
      {"[rule.exposed_sync\nwarn_pct = 1\n", "bad.toml:1"},
  };
  for (const Case& c : cases) {
    const std::string path = WriteFile("bad.toml", c.text);
    RuleOptions o;
    o.thresholds["keep.me"] = 1;
    Status st = LoadRuleOptions(path, o);
    ASSERT_FALSE(st.ok()) << c.text;
    EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(c.expect), std::string::npos) << st.message();
    EXPECT_EQ(o.thresholds.size(), 1u);  // unchanged on error
  }
  RuleOptions o;
  EXPECT_FALSE(LoadRuleOptions("/nonexistent/rules.toml", o).ok());
}

TEST(Severity, NamesRoundTrip) {
  for (Severity s : {Severity::kInfo, Severity::kWarn, Severity::kHigh}) {
    Severity back = Severity::kInfo;
    ASSERT_TRUE(ParseSeverity(SeverityName(s), back));
    EXPECT_EQ(back, s);
  }
  Severity s = Severity::kInfo;
  EXPECT_TRUE(ParseSeverity("HIGH", s));
  EXPECT_EQ(s, Severity::kHigh);
  EXPECT_TRUE(ParseSeverity("warning", s));
  EXPECT_EQ(s, Severity::kWarn);
  EXPECT_FALSE(ParseSeverity("critical", s));
  EXPECT_FALSE(ParseSeverity("", s));
  EXPECT_STREQ(SeverityName(Severity::kWarn), "warn");
}

}  // namespace
}  // namespace moeprof::rules_test
