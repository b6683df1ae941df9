// Routing mark: the C++ parser and the header-only emitter against the golden cases the Python
// helper's test also reads, plus the malformed inputs the parser must reject.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "moeprof/collector/routing_mark.h"
#include "nvtx/routing_parse.h"

namespace moeprof::collector::nvtx {
namespace {

struct GoldenCase {
  int64_t step = 0, layer = 0, mb = 0, e0 = 0;
  std::optional<int64_t> rank;
  std::vector<int64_t> tokens;
  std::string text;
};

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep)) out.push_back(item);
  return out;
}

std::vector<GoldenCase> LoadGolden() {
  std::ifstream in(MOEPROF_ROUTING_GOLDEN);
  std::vector<GoldenCase> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto f = Split(line, '|');
    if (f.size() != 7) {
      ADD_FAILURE() << "bad golden line: " << line;
      continue;
    }
    GoldenCase c;
    c.step = std::stoll(f[0]);
    c.layer = std::stoll(f[1]);
    c.mb = std::stoll(f[2]);
    if (f[3] != "-") c.rank = std::stoll(f[3]);
    c.e0 = std::stoll(f[4]);
    for (const auto& t : Split(f[5], ',')) c.tokens.push_back(std::stoll(t));
    c.text = f[6];
    cases.push_back(c);
  }
  return cases;
}

TEST(RoutingMark, ParsesGoldenCasesExactly) {
  const auto cases = LoadGolden();
  ASSERT_GE(cases.size(), 3u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto m = ParseRoutingMark(c.text);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->step, c.step);
    EXPECT_EQ(m->layer, c.layer);
    EXPECT_EQ(m->microbatch, c.mb);
    EXPECT_EQ(m->rank, c.rank);
    EXPECT_EQ(m->first_expert, c.e0);
    EXPECT_EQ(m->tokens, c.tokens);
  }
}

TEST(RoutingMark, CppEmitterFormatsGoldenCasesLikePython) {
  for (const auto& c : LoadGolden()) {
    EXPECT_EQ(FormatRoutingMark(c.step, c.layer, c.tokens, c.mb, c.rank, c.e0), c.text);
  }
}

TEST(RoutingMark, EmitterRefusesInvalidInput) {
  const std::vector<int> none;
  const std::vector<int> neg = {1, -1};
  EXPECT_EQ(FormatRoutingMark(1, 2, none), "");
  EXPECT_EQ(FormatRoutingMark(1, 2, neg), "");
  EXPECT_EQ(FormatRoutingMark(-1, 2, std::vector<int>{1}), "");
  EXPECT_EQ(FormatRoutingMark(1, 2, std::vector<int>{1}, 0, int64_t{-3}), "");
  EXPECT_EQ(FormatRoutingMark(1, 2, std::vector<uint16_t>{7, 8}),
            "moe.route step=1 layer=2 mb=0 e0=0 tokens=7,8");
}

TEST(RoutingMark, AcceptsAnyKeyOrderExtraSpacesAndUnknownKeys) {
  const auto m = ParseRoutingMark("moe.route  tokens=1,2\tlayer=4 future_key=abc step=9 e0=2");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->step, 9);
  EXPECT_EQ(m->layer, 4);
  EXPECT_EQ(m->microbatch, 0);
  EXPECT_EQ(m->first_expert, 2);
  EXPECT_FALSE(m->rank.has_value());
  EXPECT_EQ(m->tokens, (std::vector<int64_t>{1, 2}));
}

TEST(RoutingMark, RejectsMalformed) {
  const char* bad[] = {
      "",
      "moe.route",                                           // nothing
      "moe.route step=1 layer=2",                            // no tokens
      "moe.route layer=2 tokens=1",                          // no step
      "moe.route step=1 tokens=1",                           // no layer
      "moe.route step=x layer=2 tokens=1",                   // not a number
      "moe.route step=-1 layer=2 tokens=1",                  // negative
      "moe.route step=+1 layer=2 tokens=1",                  // sign
      "moe.route step=1.5 layer=2 tokens=1",                 // not an integer
      "moe.route step= layer=2 tokens=1",                    // empty value
      "moe.route step=1 step=2 layer=2 tokens=1",            // duplicate key
      "moe.route step=1 layer=2 tokens=1 tokens=2",          // duplicate list
      "moe.route step=1 layer=2 tokens=",                    // empty list
      "moe.route step=1 layer=2 tokens=1,,2",                // empty entry
      "moe.route step=1 layer=2 tokens=1,2,",                // trailing comma
      "moe.route step=1 layer=2 tokens=,1",                  // leading comma
      "moe.route step=1 layer=2 tokens=1,-2",                // negative count
      "moe.route step=99999999999999999999 layer=2 tokens=1",  // overflow
      "moe.route step=9223372036854775808 layer=2 tokens=1",   // INT64_MAX + 1
      "moe.route step=1 layer=2 tokens=1 garbage",           // field without '='
      "moe.route step=1 layer=2 tokens=1 =3",                // empty key
      "moe.route step=1 layer=2 tokens=1 Bad=3",             // key outside [a-z0-9_]
      "moe.route step=1 layer=2 tokens=1 other=",            // unknown key, empty value
      "moe.router step=1 layer=2 tokens=1",                  // different word
      "xmoe.route step=1 layer=2 tokens=1",
  };
  for (const char* t : bad) EXPECT_FALSE(ParseRoutingMark(t).has_value()) << '"' << t << '"';
}

TEST(RoutingMark, LimitsExpertsAndLength) {
  std::string many = "moe.route step=1 layer=2 tokens=0";
  for (size_t i = 1; i < kMaxRoutingExperts; ++i) many += ",0";
  const auto ok = ParseRoutingMark(many);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->tokens.size(), kMaxRoutingExperts);
  EXPECT_FALSE(ParseRoutingMark(many + ",0").has_value());
  EXPECT_FALSE(ParseRoutingMark(std::string("moe.route step=1 layer=2 tokens=1 x=") +
                                std::string(kMaxRoutingMarkBytes, 'a'))
                   .has_value());
}

TEST(RoutingMark, RecognisesThePrefixAsAWord) {
  EXPECT_TRUE(IsRoutingMarkText("moe.route step=1"));
  EXPECT_TRUE(IsRoutingMarkText("moe.route"));
  EXPECT_TRUE(IsRoutingMarkText("moe.route\tstep=1"));
  EXPECT_FALSE(IsRoutingMarkText("moe.router"));
  EXPECT_FALSE(IsRoutingMarkText("moe.rout"));
  EXPECT_FALSE(IsRoutingMarkText(" moe.route"));
}

}  // namespace
}  // namespace moeprof::collector::nvtx
