// JsonWriter: nesting, commas, escaping and null handling produce valid, stable JSON.
#include <gtest/gtest.h>

#include "moeprof/analyzer/json_writer.h"

namespace moeprof::analyzer {
namespace {

TEST(JsonWriter, CompactNestedDocument) {
  std::string out;
  JsonWriter j(out, /*pretty=*/false);
  j.BeginObject();
  j.Key("a").Int(1);
  j.Key("b").BeginArray().String("x").Null().Bool(true).Double(0.5).EndArray();
  j.Key("c").BeginObject().EndObject();
  j.Key("d").BeginArray().EndArray();
  j.Key("e").OptInt(std::nullopt);
  j.Key("f").OptString(std::string("y"));
  j.EndObject();
  EXPECT_TRUE(j.complete());
  EXPECT_EQ(out, R"({"a":1,"b":["x",null,true,0.5],"c":{},"d":[],"e":null,"f":"y"})");
}

TEST(JsonWriter, PrettyIndentsByTwo) {
  std::string out;
  JsonWriter j(out);
  j.BeginObject().Key("k").BeginArray().Int(1).Int(2).EndArray().EndObject();
  EXPECT_EQ(out, "{\n  \"k\": [\n    1,\n    2\n  ]\n}\n");
}

TEST(JsonWriter, EscapesStringsAndKeepsUtf8) {
  EXPECT_EQ(JsonQuote("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(JsonQuote("line\nnext\ttab"), R"("line\nnext\ttab")");
  EXPECT_EQ(JsonQuote(std::string("nul\0x", 5)), R"("nul\u0000x")");
  EXPECT_EQ(JsonQuote("\x1f"), R"("\u001f")");
  EXPECT_EQ(JsonQuote("µs → 専門家"), "\"µs → 専門家\"");
}

TEST(JsonWriter, NonFiniteDoublesBecomeNull) {
  std::string out;
  JsonWriter j(out, false);
  j.BeginArray().Double(1.0 / 0.0).Double(-1.0 / 0.0).EndArray();
  EXPECT_EQ(out, "[null,null]");
}

}  // namespace
}  // namespace moeprof::analyzer
