// SummarizeTrace and its renderers on a trace with known contents: every figure `info` prints is
// checked against what the sample wrote.
#include <gtest/gtest.h>

#include <sstream>

#include "moeprof/analyzer/summary_render.h"
#include "moeprof/analyzer/trace_summary.h"
#include "moeprof/schemas/migrations.h"
#include "moeprof/schemas/trace_writer.h"
#include "sample_trace.h"

namespace moeprof::analyzer {
namespace {

using moeprof::testing::MakeTempDir;
using moeprof::testing::SampleTraceFacts;
using moeprof::testing::SampleTraceSpec;
using moeprof::testing::WriteSampleTrace;

class TraceSummaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = MakeTempDir("summary") + "/rank3.sqlite";
    ASSERT_NO_FATAL_FAILURE(WriteSampleTrace(path_));
    auto s = SummarizeTrace(path_);
    ASSERT_TRUE(s.ok()) << s.status().message();
    summary_ = std::move(*s);
  }
  std::string path_;
  TraceSummary summary_;
};

TEST_F(TraceSummaryTest, VersionsAndMeta) {
  EXPECT_EQ(summary_.path, path_);
  EXPECT_EQ(summary_.format_version, schemas::CurrentFormatVersion());
  EXPECT_FALSE(summary_.migrated_from.has_value());
  EXPECT_EQ(summary_.backend, "cuda");
  EXPECT_EQ(summary_.cuda_version, "13.0");
  EXPECT_EQ(summary_.cupti_version, "13.0.1");
  EXPECT_EQ(summary_.driver_version, "580.65.06");
  EXPECT_EQ(summary_.origin_ns, 1'700'000'000'000'000'000);
  EXPECT_TRUE(summary_.tool.has_value());  // the writer records itself
}

TEST_F(TraceSummaryTest, ProcessAndDevice) {
  ASSERT_EQ(summary_.processes.size(), 1u);
  EXPECT_EQ(summary_.rank, 3);
  EXPECT_EQ(summary_.local_rank, 1);
  EXPECT_EQ(summary_.world_size, 8);
  EXPECT_EQ(summary_.pid, 4242);
  EXPECT_EQ(summary_.host, "node07");
  ASSERT_EQ(summary_.devices.size(), 1u);
  EXPECT_EQ(summary_.devices[0].name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(summary_.devices[0].sm_count, 132);
  EXPECT_EQ(summary_.devices[0].memory_bytes, 85'520'809'984);
}

TEST_F(TraceSummaryTest, SpanCountsAndDrops) {
  ASSERT_TRUE(summary_.span.has_value());
  EXPECT_EQ(summary_.span->start_ns, SampleTraceFacts::kSpanStart);
  EXPECT_EQ(summary_.span->end_ns, SampleTraceFacts::kMemcpyEnd);
  EXPECT_EQ(summary_.row_counts.at("kernel"), 5);
  EXPECT_EQ(summary_.row_counts.at("api"), 5);
  EXPECT_EQ(summary_.row_counts.at("memcpy"), 1);
  EXPECT_EQ(summary_.row_counts.at("memset"), 0);
  ASSERT_EQ(summary_.drops.size(), 2u);
  EXPECT_EQ(summary_.drops[0].source, "cupti");
  EXPECT_EQ(summary_.drops[0].reason, "buffer_full");
  EXPECT_EQ(summary_.drops[0].count, SampleTraceFacts::kDropsCuptiBuffer);
  EXPECT_EQ(summary_.drops[1].source, "nvtx");
  EXPECT_EQ(summary_.drops[1].count, SampleTraceFacts::kDropsNvtx);
  EXPECT_EQ(summary_.drops_total,
            SampleTraceFacts::kDropsCuptiBuffer + SampleTraceFacts::kDropsNvtx);
}

TEST_F(TraceSummaryTest, TextFitsEightyColumnsAndShowsTheFigures) {
  const std::string text = RenderSummaryText(summary_);
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    size_t columns = 0;
    for (unsigned char c : line) columns += (c & 0xC0) != 0x80;
    EXPECT_LE(columns, 80u) << line;
  }
  EXPECT_NE(text.find("rank 3 of 8 (local 1) · host node07 · pid 4242"), std::string::npos) << text;
  EXPECT_NE(text.find("NVIDIA H100 80GB HBM3 · sm_90 · 132 SMs · 79.6 GiB"), std::string::npos)
      << text;
  EXPECT_NE(text.find("249.50 µs · from +500 ns to +250.00 µs"), std::string::npos) << text;
  EXPECT_NE(text.find("cupti: buffer_full"), std::string::npos) << text;
  EXPECT_NE(text.find("origin 2023-11-14 22:13:20.000 UTC"), std::string::npos) << text;
}

TEST_F(TraceSummaryTest, JsonIsCompleteAndCarriesTheFigures) {
  std::string out;
  JsonWriter j(out, /*pretty=*/false);
  WriteSummaryJson(j, summary_);
  EXPECT_TRUE(j.complete());
  EXPECT_NE(out.find(R"("rank":3,"local_rank":1,"world_size":8)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("span":{"start_ns":500,"end_ns":250000,"duration_ns":249500})"),
            std::string::npos) << out;
  EXPECT_NE(out.find(R"("kernel":5)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("drops_total":14)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("migrated_from":null)"), std::string::npos) << out;
}

// An older-format file is read through a migrated temporary copy and the summary says so. With
// only format v1 built in, the test supplies a v2 migration so v1 files count as "older".
TEST(TraceSummary, OlderFormatIsReadThroughAMigratedCopy) {
  const std::string path = MakeTempDir("summary") + "/old.sqlite";
  ASSERT_NO_FATAL_FAILURE(WriteSampleTrace(path));
  std::vector<schemas::Migration> migrations = schemas::BuiltinMigrations();
  const int next = migrations.back().version + 1;
  migrations.push_back({next, "test_next_format", "CREATE TABLE test_next(x INTEGER);"});
  SummaryOptions options;
  options.migrations = &migrations;
  auto s = SummarizeTrace(path, options);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->migrated_from, next - 1);
  EXPECT_EQ(s->format_version, next);
  EXPECT_EQ(s->row_counts.at("test_next"), 0);  // the copy has the new table
  EXPECT_EQ(s->row_counts.at("kernel"), 5);
  ASSERT_TRUE(s->span.has_value());
  EXPECT_EQ(s->span->start_ns, SampleTraceFacts::kSpanStart);
  EXPECT_EQ(s->span->end_ns, SampleTraceFacts::kMemcpyEnd);
  EXPECT_EQ(s->drops_total, SampleTraceFacts::kDropsCuptiBuffer + SampleTraceFacts::kDropsNvtx);
  EXPECT_EQ(s->rank, 3);
  ASSERT_EQ(s->devices.size(), 1u);
  const std::string text = RenderSummaryText(*s);
  EXPECT_NE(text.find("read through a temporary copy migrated to v" + std::to_string(next)),
            std::string::npos) << text;

  // The file itself is untouched: still the old version, so the default options read it as is.
  auto again = SummarizeTrace(path);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_FALSE(again->migrated_from.has_value());
  EXPECT_EQ(again->row_counts.count("test_next"), 0u);

  // Refusing migration gives the reader's "older" error.
  options.migrate_older = false;
  auto refused = SummarizeTrace(path, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kVersionTooOld);
}

// The collector's spellings (cuda_toolkit_version, cuda_driver_version as CUDA_VERSION integers).
TEST(TraceSummary, CollectorMetaSpellings) {
  const std::string path = MakeTempDir("summary") + "/collector.sqlite";
  {
    schemas::WriterOptions options;
    auto w = schemas::TraceWriter::Create(path, options);
    ASSERT_TRUE(w.ok()) << w.status().message();
    ASSERT_TRUE((*w)->SetMeta("cuda_toolkit_version", "13000").ok());
    ASSERT_TRUE((*w)->SetMeta("cuda_driver_version", "12090").ok());
    ASSERT_TRUE((*w)->SetMeta("rank", "5").ok());
    ASSERT_TRUE((*w)->SetMeta("host", "gpu-node").ok());
    ASSERT_TRUE((*w)->Close().ok());
  }
  auto s = SummarizeTrace(path);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->cuda_version, "13.0");
  EXPECT_EQ(s->driver_version, "12.9");
  EXPECT_EQ(s->rank, 5);  // no process row: taken from meta
  EXPECT_EQ(s->host, "gpu-node");
}

TEST(TraceSummary, EmptyTraceHasNoSpanAndNoDrops) {
  const std::string path = MakeTempDir("summary") + "/empty.sqlite";
  {
    schemas::WriterOptions options;
    auto w = schemas::TraceWriter::Create(path, options);
    ASSERT_TRUE(w.ok()) << w.status().message();
    ASSERT_TRUE((*w)->Close().ok());
  }
  auto s = SummarizeTrace(path);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_FALSE(s->span.has_value());
  EXPECT_TRUE(s->drops.empty());
  EXPECT_TRUE(s->devices.empty());
  EXPECT_EQ(s->row_counts.at("kernel"), 0);
  const std::string text = RenderSummaryText(*s);
  EXPECT_NE(text.find("no timed events"), std::string::npos) << text;
  EXPECT_NE(text.find("drops       none"), std::string::npos) << text;
}

}  // namespace
}  // namespace moeprof::analyzer
