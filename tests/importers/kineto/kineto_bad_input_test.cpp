// Bad input: each case gives one clear Status that names the file and says what is wrong, and
// no trace file is opened.
#include <gtest/gtest.h>

#include <string>

#include "kineto_test_util.h"

namespace moeprof::analyzer::kineto_test {
namespace {

const std::string kGood =
    R"js({"traceEvents": [{"ph": "X", "cat": "kernel", "name": "k", "pid": 0, "tid": 7,)js"
    R"js( "ts": 10, "dur": 1, "args": {"stream": 7, "correlation": 1}}]})js";

struct Outcome {
  Status status;
  bool opened = false;
};

Outcome ImportBytesAsFile(const std::string& name, const std::string& bytes) {
  const std::string path = TempPath(name);
  WriteFile(path, bytes);
  OneFileSink sink(TempPath(name + ".sqlite"));
  ImportStats stats;
  Outcome o;
  o.status = ImportKineto(path, sink, ImportOptions{}, stats);
  o.opened = sink.opened();
  (void)sink.Close();
  return o;
}

void ExpectError(const Outcome& o, ErrorCode code, const std::string& file,
                 const std::string& what) {
  EXPECT_FALSE(o.status.ok());
  EXPECT_EQ(o.status.code(), code) << o.status.message();
  EXPECT_NE(o.status.message().find(file), std::string::npos) << o.status.message();
  EXPECT_NE(o.status.message().find(what), std::string::npos) << o.status.message();
  EXPECT_FALSE(o.opened) << "no trace may be written for an unusable file";
}

TEST(KinetoBadInput, MissingFile) {
  OneFileSink sink(TempPath("missing.sqlite"));
  ImportStats stats;
  const Status st = ImportKineto(TempPath("does_not_exist.json"), sink, {}, stats);
  EXPECT_EQ(st.code(), ErrorCode::kNotFound);
  EXPECT_NE(st.message().find("does_not_exist.json"), std::string::npos);
}

TEST(KinetoBadInput, TruncatedGzip) {
  const std::string gz = Gzip(kGood);
  ExpectError(ImportBytesAsFile("trunc.json.gz", gz.substr(0, gz.size() / 2)),
              ErrorCode::kCorrupt, "trunc.json.gz", "truncated gzip");
  // Cut only the trailer (CRC and size): still truncated.
  ExpectError(ImportBytesAsFile("trunc_trailer.json.gz", gz.substr(0, gz.size() - 4)),
              ErrorCode::kCorrupt, "trunc_trailer.json.gz", "truncated gzip");
}

TEST(KinetoBadInput, DamagedGzip) {
  std::string gz = Gzip(kGood);
  gz[gz.size() - 6] ^= 0x55;  // CRC
  ExpectError(ImportBytesAsFile("crc.json.gz", gz), ErrorCode::kCorrupt, "crc.json.gz", "gzip");
  std::string junk = "\x1f\x8b" + std::string(100, 'x');
  ExpectError(ImportBytesAsFile("junk.json.gz", junk), ErrorCode::kCorrupt, "junk.json.gz", "gzip");
}

TEST(KinetoBadInput, InvalidJson) {
  ExpectError(ImportBytesAsFile("invalid.json", R"js({"traceEvents": [{"ph": "X", "ts": 1,,}]})js"),
              ErrorCode::kCorrupt, "invalid.json", "JSON");
  ExpectError(ImportBytesAsFile("truncated.json", kGood.substr(0, kGood.size() - 20)),
              ErrorCode::kCorrupt, "truncated.json", "JSON");
  ExpectError(ImportBytesAsFile("utf8.json", "{\"traceEvents\": [{\"name\": \"\xff\xfe\"}]}"),
              ErrorCode::kCorrupt, "utf8.json", "UTF-8");
}

TEST(KinetoBadInput, NotATrace) {
  ExpectError(ImportBytesAsFile("empty.json", ""), ErrorCode::kNotATrace, "empty.json", "empty");
  ExpectError(ImportBytesAsFile("number.json", "42"), ErrorCode::kNotATrace, "number.json",
              "not an object or array");
  ExpectError(ImportBytesAsFile("no_events.json", R"js({"schemaVersion": 1})js"),
              ErrorCode::kNotATrace, "no_events.json", "traceEvents");
  ExpectError(ImportBytesAsFile("events_type.json", R"js({"traceEvents": 5})js"),
              ErrorCode::kNotATrace, "events_type.json", "not an array");
}

TEST(KinetoBadInput, DeepNesting) {
  std::string deep = R"js({"traceEvents": [{"ph": "X", "cat": "cpu_op", "args": {"x": )js";
  deep += std::string(5000, '[') + std::string(5000, ']') + "}}]}";
  ExpectError(ImportBytesAsFile("deep.json", deep), ErrorCode::kCorrupt, "deep.json",
              "nested deeper");
}

TEST(KinetoBadInput, AbsurdSizeIsRefusedBeforeExhaustingMemory) {
  // A gzip bomb: 64 MiB of spaces compresses to ~64 KiB; with a 16 MiB limit it is refused.
  const std::string bomb = Gzip(std::string(64u << 20, ' '));
  kineto::Limits limits;
  limits.max_json_bytes = 16u << 20;
  OneFileSink sink(TempPath("bomb.sqlite"));
  ImportStats stats;
  const Status st = kineto::ImportBytes("bomb.json.gz", bomb, sink, {}, stats, limits);
  EXPECT_EQ(st.code(), ErrorCode::kCorrupt) << st.message();
  EXPECT_NE(st.message().find("bomb.json.gz"), std::string::npos);
  EXPECT_NE(st.message().find("larger than 16 MiB"), std::string::npos) << st.message();
  EXPECT_FALSE(sink.opened());
}

TEST(KinetoBadInput, AbsurdNumbersAreBadRecordsNotCrashes) {
  const std::string text = R"js({"traceEvents": [
    {"ph": "X", "cat": "kernel", "name": "k", "pid": 0, "tid": 7, "ts": 1e400, "dur": 1,
     "args": {"stream": 7, "correlation": 99999999999999999999999,
              "grid": [1e300, -5, 3], "block": [9999999999999, 1, 1]}},
    {"ph": "X", "cat": "kernel", "name": "k2", "pid": 0, "tid": 7, "ts": 5, "dur": 1e18,
     "args": {"stream": 7, "grid": [1e300, -5, 3], "block": [9999999999999, 1, 1],
              "Process Group Ranks": "[1, x]", "In split size": [1, "a"]}}
  ]})js";
  OneFileSink sink(TempPath("absurd.sqlite"));
  ImportStats stats;
  const Status st = kineto::ImportBytes("absurd.json", text, sink, {}, stats, kineto::Limits{});
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(stats.skipped.size(), 2u);
  (void)sink.Close();
}

}  // namespace
}  // namespace moeprof::analyzer::kineto_test
