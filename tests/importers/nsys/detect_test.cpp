// Format detection from bytes: each format recognized whatever the file is called, gzip peeked
// into, unknown things reported as kUnknown, missing files as errors naming the file.
#include <gtest/gtest.h>
#include <zlib.h>

#include "import_test_util.h"
#include "moeprof/analyzer/importers.h"
#include "moeprof/schemas/trace_writer.h"

namespace moeprof::analyzer {
namespace {

using namespace moeprof::importer_testing;

void WriteGzip(const std::string& path, const std::string& text) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
}

TEST(Detect, EachFormatFromBytesNotNames) {
  const std::string dir = TempDir("detect");
  WriteText(dir + "/a.txt", R"({"schemaVersion": 1, "traceEvents": [{"ph": "X"}]})");
  EXPECT_EQ(*DetectFormat(dir + "/a.txt"), TraceFormat::kKineto);
  WriteGzip(dir + "/b.bin", R"({"deviceProperties": [], "traceEvents": []})");
  EXPECT_EQ(*DetectFormat(dir + "/b.bin"), TraceFormat::kKineto);
  WriteText(dir + "/c.json",
            "{\"step\": 0, \"layer\": 1, \"rank\": 0, \"num_tokens\": 1, \"top_indices\": [[1, 2]]}\n");
  EXPECT_EQ(*DetectFormat(dir + "/c.json"), TraceFormat::kMegatronRouting);
  const std::string nsys = MakeNsysFile(dir);
  EXPECT_EQ(*DetectFormat(nsys), TraceFormat::kNsysSqlite);
  {
    auto w = schemas::TraceWriter::Create(dir + "/ours.json");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Close().ok());
  }
  EXPECT_EQ(*DetectFormat(dir + "/ours.json"), TraceFormat::kMoeprof);
  WriteText(dir + "/e.sqlite", "hello");
  EXPECT_EQ(*DetectFormat(dir + "/e.sqlite"), TraceFormat::kUnknown);
  WriteText(dir + "/f.json", "[1, 2, 3]");
  EXPECT_EQ(*DetectFormat(dir + "/f.json"), TraceFormat::kUnknown);
  WriteText(dir + "/g.gz", std::string("\x1f\x8b\x08\x00garbage", 11));
  EXPECT_EQ(*DetectFormat(dir + "/g.gz"), TraceFormat::kUnknown);
  WriteText(dir + "/empty", "");
  EXPECT_EQ(*DetectFormat(dir + "/empty"), TraceFormat::kUnknown);
  auto missing = DetectFormat(dir + "/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message().rfind(dir + "/nope: ", 0), 0u);
}

TEST(Detect, BytesApiNeverCrashesOnOddInput) {
  EXPECT_EQ(DetectFormatFromBytes(""), TraceFormat::kUnknown);
  EXPECT_EQ(DetectFormatFromBytes("\x1f"), TraceFormat::kUnknown);
  EXPECT_EQ(DetectFormatFromBytes("{"), TraceFormat::kUnknown);
  EXPECT_EQ(DetectFormatFromBytes("\xEF\xBB\xBF{\"traceEvents\": []}"), TraceFormat::kKineto);
  EXPECT_EQ(DetectFormatFromBytes(std::string(100000, '{')), TraceFormat::kUnknown);
  EXPECT_EQ(DetectFormatFromBytes(std::string(100000, '[')), TraceFormat::kUnknown);
}

// 2020/2021-era Kineto: a bare array of Chrome trace events (kineto_samples/resnet50...).
TEST(Detect, BareArrayOfTraceEventsIsKineto) {
  EXPECT_EQ(DetectFormatFromBytes("[\n\n  {\n    \"ph\": \"X\", \"cat\": \"Operator\", \"ts\": 1606911006433250, \"dur\": 10}]"),
            TraceFormat::kKineto);
  EXPECT_EQ(DetectFormatFromBytes("[1, 2, 3]"), TraceFormat::kUnknown);
  EXPECT_EQ(DetectFormatFromBytes("[{\"name\": \"x\"}]"), TraceFormat::kUnknown);
}

}  // namespace
}  // namespace moeprof::analyzer
