// Report writers: escaping of hostile trace strings in every format, wrapping within 80 columns,
// --fail-on parsing, golden text and JSON outputs on a fixed constructed trace, and the JUnit
// output validated against tests/report/junit.xsd with xmllint.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "moeprof/analyzer/json_writer.h"
#include "moeprof/analyzer/model.h"
#include "moeprof/analyzer/report.h"
#include "moeprof/analyzer/rules.h"
#include "moeprof/tracegen/tracegen.h"

namespace moeprof::analyzer {
namespace {

namespace fs = std::filesystem;

// Everything a trace string can throw at a writer: a terminal escape sequence, markup of every
// format, a C0 control, DEL, a C1 control, a bidi override, invalid UTF-8, a lone surrogate.
const std::string kHostile =
    "\x1b[31mred\x1b[0m | `tick` *star* _u_ [l](x) <script>alert(1)</script> & \"q\" 'a' "
    "\x01\x7f\xc2\x9b\xe2\x80\xae rtl \xff\xfe \xed\xa0\x80 end\nnext";

Finding HostileFinding() {
  Finding f;
  f.rule = "exposed_sync";
  f.severity = Severity::kHigh;
  f.title = "title " + kHostile;
  f.location = "loc " + kHostile;
  f.ranks = {0, 1, 2, 5};
  f.steps = {3, 4, 5};
  f.evidence = {{100, 200}};
  f.events = {{0, "api", 1, 100, 42}};
  f.cost_ns = 1'234'567;
  f.cost_pct = 12.5;
  f.saving_ns = 1'000'000;
  f.saving_method = "method " + kHostile;
  f.fix = "fix " + kHostile;
  f.metrics["calls"] = 3;
  return f;
}

Report HostileReport() {
  Report r;
  r.version = "0.1.0";
  r.inputs = {"/runs/" + kHostile};
  RankReport rank;
  rank.rank = 0;
  rank.path = "/runs/" + kHostile + "/rank0.sqlite";
  rank.steps = 3;
  rank.step_median_ns = 9'876'543;
  rank.analyzed_ns = 3 * 9'876'543;
  rank.classes = {{"gemm", 5'000'000, 16.9}};
  r.ranks.push_back(rank);
  r.findings.push_back(HostileFinding());
  r.fail_on.push_back({"any", Severity::kWarn});
  return r;
}

bool HasControl(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(s[i + 1]) < 0xa0) {
      return true;  // C1 control
    }
  }
  return s.find("\xe2\x80\xae") != std::string::npos;  // RLO
}

bool ValidUtf8(const std::string& s) { return simdjson::validate_utf8(s.data(), s.size()); }

TEST(Escaping, TerminalDropsControlsAndEscapes) {
  const std::string t = TerminalSafe(kHostile);
  EXPECT_FALSE(HasControl(t)) << t;
  EXPECT_EQ(t.find('\x1b'), std::string::npos);
  EXPECT_TRUE(ValidUtf8(t));
  EXPECT_NE(t.find("red"), std::string::npos);
  EXPECT_NE(t.find("end next"), std::string::npos);  // newline became a space
}

TEST(Escaping, MarkdownInlineNeutralizesMarkup) {
  const std::string m = MarkdownInline(kHostile);
  EXPECT_EQ(m.find("<script>"), std::string::npos);
  EXPECT_NE(m.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(m.find("\\|"), std::string::npos);
  EXPECT_NE(m.find("\\`tick\\`"), std::string::npos);
  EXPECT_NE(m.find("\\*star\\*"), std::string::npos);
  EXPECT_EQ(m.find('\n'), std::string::npos);
  EXPECT_FALSE(HasControl(m));
  EXPECT_TRUE(ValidUtf8(m));
  // every pipe is escaped, so a table row keeps its columns
  for (size_t i = m.find('|'); i != std::string::npos; i = m.find('|', i + 1)) {
    EXPECT_EQ(m[i - 1], '\\');
  }
}

TEST(Escaping, XmlEntitiesAndInvalidCharsDropped) {
  const std::string x = XmlEscape(kHostile);
  EXPECT_EQ(x.find('<'), std::string::npos);
  EXPECT_EQ(x.find('\x01'), std::string::npos);
  EXPECT_EQ(x.find('\x1b'), std::string::npos);
  EXPECT_NE(x.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(x.find("&amp;"), std::string::npos);
  EXPECT_NE(x.find("&quot;q&quot;"), std::string::npos);
  EXPECT_NE(x.find("&#10;"), std::string::npos);
  EXPECT_TRUE(ValidUtf8(x));
}

TEST(Escaping, JsonQuoteReplacesInvalidUtf8) {
  EXPECT_EQ(JsonQuote("a\xff" "b"), "\"a\\ufffdb\"");
  EXPECT_EQ(JsonQuote("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // lone surrogate, byte by byte
  EXPECT_EQ(JsonQuote("\xc0\xaf"), "\"\\ufffd\\ufffd\"");             // overlong '/'
  EXPECT_EQ(JsonQuote("\x7f"), "\"\\u007f\"");
  EXPECT_EQ(JsonQuote("é✓😀"), "\"é✓😀\"");
  EXPECT_EQ(JsonQuote("\xe2\x82"), "\"\\ufffd\\ufffd\"");  // truncated sequence
}

TEST(Wrap, StaysWithinWidthAndBreaksLongWords) {
  const std::string long_name(200, 'k');
  const std::string w = WrapText("short words then " + long_name + " and more words", 80, "   fix     ", 11);
  std::istringstream in(w);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    EXPECT_LE(line.size(), 80u) << line;
    if (lines > 1) {
      EXPECT_EQ(line.rfind("           ", 0), 0u) << "hanging indent: " << line;
    }
  }
  EXPECT_GE(lines, 4);
  EXPECT_NE(w.find("and more words"), std::string::npos);
}

TEST(FailOn, ParsesRuleAndSeverity) {
  auto a = ParseFailOn("any");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->rule, "any");
  EXPECT_EQ(a->severity, Severity::kWarn);
  auto b = ParseFailOn("exposed_sync:high");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->severity, Severity::kHigh);
  EXPECT_FALSE(ParseFailOn("nonsense").ok());
  EXPECT_NE(ParseFailOn("nonsense").status().message().find("exposed_sync"), std::string::npos);
  EXPECT_FALSE(ParseFailOn("exposed_sync:fatal").ok());
  Finding f = HostileFinding();
  f.severity = Severity::kWarn;
  EXPECT_TRUE(IsOverBar(f, *a));
  EXPECT_FALSE(IsOverBar(f, *b));
  EXPECT_FALSE(IsOverBar(f, FailOn{"a2a_overlap", Severity::kInfo}));
}

TEST(Writers, HostileStringsStayInert) {
  const Report r = HostileReport();
  const std::string text = RenderReportText(r, TextStyle{80, false});
  EXPECT_FALSE(HasControl(text)) << text;
  EXPECT_TRUE(ValidUtf8(text));
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t cols = 0;
    for (char c : line) cols += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    EXPECT_LE(cols, 80u) << line;
  }
  const std::string colored = RenderReportText(r, TextStyle{80, true});
  EXPECT_NE(colored.find("\x1b[1;31mHIGH\x1b[0m"), std::string::npos);
  EXPECT_EQ(colored.find("\x1b[31mred"), std::string::npos);  // only our own escapes

  const std::string md = RenderReportMarkdown(r);
  EXPECT_EQ(md.find("<script>"), std::string::npos);
  EXPECT_FALSE(HasControl(md));

  const std::string json = RenderReportJson(r);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  std::string_view schema;
  ASSERT_EQ(doc["schema"].get(schema), simdjson::SUCCESS);
  EXPECT_EQ(schema, "moeprof-report/1");
  std::string_view title;
  ASSERT_EQ(doc["findings"].at(0)["title"].get(title), simdjson::SUCCESS);
  EXPECT_NE(title.find("<script>"), std::string_view::npos);  // JSON keeps the text, escaped
  bool failed = false;
  ASSERT_EQ(doc["failed"].get(failed), simdjson::SUCCESS);
  EXPECT_TRUE(failed);
}

// xmllint --schema junit.xsd on `xml`; skipped (with a message) when xmllint is missing.
void ExpectValidJunit(const std::string& xml, const std::string& name) {
  if (std::system("command -v xmllint >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "xmllint not installed (apt package libxml2-utils, scripts/setup.sh)";
  }
  const std::string path = (fs::temp_directory_path() / ("moeprof-" + name + ".junit.xml")).string();
  std::ofstream(path) << xml;
  const std::string cmd = std::string("xmllint --noout --schema ") + MOEPROF_REPORT_TEST_DIR +
                          "/junit.xsd " + path + " 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << "JUnit output does not validate: " << path;
}

TEST(Junit, HostileReportValidatesAgainstXsd) {
  const std::string xml = RenderReportJunit(HostileReport());
  EXPECT_NE(xml.find("<failure"), std::string::npos);
  EXPECT_EQ(xml.find("<skipped"), std::string::npos);
  ExpectValidJunit(xml, "hostile");
}

// ---- golden outputs on a constructed trace ------------------------------------------------------

constexpr const char* kGoldenScenario = "sync_structural_s";

struct Generated {
  std::string dir;
  Report report;
};

const Generated& GoldenRun() {
  static const Generated g = [] {
    Generated out;
    // Per process: ctest may run the golden tests in parallel processes.
    out.dir = std::string(MOEPROF_BINARY_DIR) + "/report-golden/" + std::to_string(getpid()) + "/" +
              kGoldenScenario;
    const Status st = tracegen::GenerateScenario(kGoldenScenario, out.dir);
    EXPECT_TRUE(st.ok()) << st.message();
    auto run = LoadRun({out.dir}, LoadOptions{});
    EXPECT_TRUE(run.ok()) << run.status().message();
    if (!run.ok()) return out;
    out.report = BuildReport(*run, RunRules(*run, RuleOptions{}), {kGoldenScenario}, LoadOptions{},
                             {FailOn{"exposed_sync", Severity::kHigh}});
    return out;
  }();
  return g;
}

// Paths of the build tree do not belong in a golden file.
std::string Normalize(std::string s, const std::string& dir) {
  for (size_t at = s.find(dir); at != std::string::npos; at = s.find(dir, at)) s.replace(at, dir.size(), "<dir>");
  return s;
}

void CompareGolden(const std::string& actual, const std::string& file) {
  const std::string path = std::string(MOEPROF_REPORT_TEST_DIR) + "/golden/" + file;
  const char* update = std::getenv("MOEPROF_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path) << actual;
    GTEST_SKIP() << "rewrote " << path;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << path << " missing; run with MOEPROF_UPDATE_GOLDEN=1 to create it";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "differs from " << path
                                    << " (MOEPROF_UPDATE_GOLDEN=1 rewrites it after a deliberate change)";
}

TEST(Golden, Text) {
  const Generated& g = GoldenRun();
  CompareGolden(Normalize(RenderReportText(g.report, TextStyle{80, false}), g.dir), std::string(kGoldenScenario) + ".txt");
}

TEST(Golden, Json) {
  const Generated& g = GoldenRun();
  CompareGolden(Normalize(RenderReportJson(g.report), g.dir), std::string(kGoldenScenario) + ".json");
}

TEST(Golden, JunitValidates) {
  const Generated& g = GoldenRun();
  ExpectValidJunit(RenderReportJunit(g.report), "golden");
}

}  // namespace
}  // namespace moeprof::analyzer
