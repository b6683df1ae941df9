// Megatron-LM routing JSONL importer: tokens per expert from top_indices, microbatches from
// repeated (step, layer) lines, MTP layers kept apart, zero-token experts written, bad lines
// skipped and counted, hopeless files refused; attaching to an existing trace.
#include <gtest/gtest.h>
#include <zlib.h>

#include <map>

#include "../nsys/import_test_util.h"
#include "moeprof/analyzer/importers.h"
#include "moeprof/schemas/trace_reader.h"
#include "moeprof/schemas/trace_writer.h"

namespace moeprof::analyzer {
namespace {

using namespace moeprof::importer_testing;

struct Result {
  Status status;
  ImportStats stats;
  std::vector<schemas::RoutingRow> rows;
  std::vector<schemas::DropRow> drops;
};

Result ImportText(const std::string& text, std::optional<int64_t> only_rank = std::nullopt) {
  const std::string dir = TempDir("routing");
  WriteText(dir + "/router_trace_rank0.jsonl", text);
  Result r;
  {
    auto w = schemas::TraceWriter::Create(dir + "/t.sqlite");
    EXPECT_TRUE(w.ok());
    r.status = ImportMegatronRouting(dir + "/router_trace_rank0.jsonl", **w, ImportOptions{}, r.stats, only_rank);
    EXPECT_TRUE((*w)->Close().ok());
  }
  auto reader = schemas::TraceReader::Open(dir + "/t.sqlite");
  auto t = (*reader)->LoadAll();
  r.rows = t->routing;
  r.drops = t->drops;
  return r;
}

std::map<std::tuple<int64_t, int64_t, int64_t, int64_t>, int64_t> Tokens(const Result& r) {
  std::map<std::tuple<int64_t, int64_t, int64_t, int64_t>, int64_t> m;  // (step, layer, mb, expert)
  for (const auto& row : r.rows) m[{row.step, row.layer, row.microbatch, row.expert}] = row.tokens;
  return m;
}

TEST(RoutingImport, CountsTokensPerExpertFromTopIndices) {
  const Result r = ImportText(
      R"({"step": 0, "stage": "pre_dispatch", "block": "decoder", "layer": 2, "rank": 0, "num_tokens": 3, "topk": 2, "top_indices": [[0, 3], [1, 3], [3, 0]]})"
      "\n"
      R"({"step": 0, "stage": "pre_dispatch", "block": "decoder", "layer": 2, "rank": 0, "num_tokens": 1, "topk": 2, "top_indices": [[1, 2]]})"
      "\n"
      R"({"step": 0, "stage": "pre_dispatch", "block": "mtp", "mtp_idx": 0, "layer": 2, "rank": 0, "num_tokens": 1, "topk": 2, "top_indices": [[3, 2]]})"
      "\n");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  auto m = Tokens(r);
  EXPECT_EQ((m[{0, 2, 0, 0}]), 2);
  EXPECT_EQ((m[{0, 2, 0, 1}]), 1);
  EXPECT_EQ((m[{0, 2, 0, 2}]), 0);  // zero-token experts are written
  EXPECT_EQ((m[{0, 2, 0, 3}]), 3);
  EXPECT_EQ((m[{0, 2, 1, 1}]), 1);  // second line of the same (step, layer): microbatch 1
  EXPECT_EQ((m[{0, 2, 1, 2}]), 1);
  EXPECT_EQ((m[{0, 1002, 0, 3}]), 1);  // MTP layer 2 of head 0
  EXPECT_EQ(r.rows.size(), 12u);       // 3 records x 4 experts
  EXPECT_TRUE(r.drops.empty());
}

TEST(RoutingImport, TokensPerExpertAndRankFilter) {
  const Result r = ImportText(
      "{\"step\": 1, \"layer\": 0, \"rank\": 0, \"tokens_per_expert\": [5, 0, 7]}\n"
      "{\"step\": 1, \"layer\": 0, \"rank\": 1, \"tokens_per_expert\": [1, 1, 1]}\n",
      0);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[2].tokens, 7);
  for (const auto& row : r.rows) EXPECT_EQ(row.rank, 0);
}

TEST(RoutingImport, BadLinesAreSkippedAndCounted) {
  std::string deep(200, '[');
  Result r = ImportText(
      "{\"step\": 0, \"layer\": 0, \"rank\": 0, \"top_indices\": [[0]]}\n"
      "this is not json\n"
      "{\"step\": \"zero\", \"layer\": 0, \"top_indices\": [[0]]}\n"
      "{\"step\": 0, \"layer\": 0, \"top_indices\": [[99999999999]]}\n"
      "{\"step\": 0, \"layer\": 0, \"num_tokens\": 5, \"top_indices\": [[1]]}\n"
      "{\"step\": 0, \"layer\": 0, \"top_indices\": " + deep + "}\n"
      "\n");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.stats.skipped["routing: invalid JSON"], 1);
  EXPECT_EQ(r.stats.skipped["routing: step is not an integer"], 1);
  EXPECT_EQ(r.stats.skipped["routing: expert index out of range"], 1);
  EXPECT_EQ(r.stats.skipped["routing: num_tokens does not match top_indices"], 1);
  EXPECT_EQ(r.stats.skipped["routing: nesting too deep"], 1);
  int64_t dropped = 0;
  for (const auto& d : r.drops) dropped += d.count;
  EXPECT_EQ(dropped, 5);
  EXPECT_EQ(r.rows.size(), 1u);
}

TEST(RoutingImport, FileWithoutGoodLinesIsAnError) {
  const Result r = ImportText("{\"hello\": 1}\n[1,2]\n");
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("line 1: no step"), std::string::npos) << r.status.message();
}

TEST(RoutingImport, TruncatedGzipIsAnError) {
  const std::string dir = TempDir("routing_gz");
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += "{\"step\": " + std::to_string(i) + ", \"layer\": 0, \"rank\": 0, \"top_indices\": [[1, 2], [3, 4]]}\n";
  }
  gzFile f = gzopen((dir + "/full.gz").c_str(), "wb");
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  const std::string gz = ReadText(dir + "/full.gz");
  WriteText(dir + "/trunc.jsonl.gz", gz.substr(0, gz.size() / 2));
  auto w = schemas::TraceWriter::Create(dir + "/t.sqlite");
  ImportStats stats;
  Status st = ImportMegatronRouting(dir + "/trunc.jsonl.gz", **w, ImportOptions{}, stats);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message().rfind(dir + "/trunc.jsonl.gz: ", 0), 0u) << st.message();
  EXPECT_NE(st.message().find("truncated"), std::string::npos) << st.message();
}

TEST(RoutingImport, AttachToExistingTraceIsIdempotent) {
  const std::string dir = TempDir("routing_attach");
  {
    auto w = schemas::TraceWriter::Create(dir + "/t.sqlite");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Close().ok());
  }
  WriteText(dir + "/r.jsonl", "{\"step\": 3, \"layer\": 1, \"rank\": 2, \"top_indices\": [[0], [1], [1]]}\n");
  for (int i = 0; i < 2; ++i) {
    ImportStats stats;
    Status st = AttachRoutingToTrace(dir + "/t.sqlite", dir + "/r.jsonl", ImportOptions{}, stats);
    ASSERT_TRUE(st.ok()) << st.message();
  }
  EXPECT_EQ(SqlInt(dir + "/t.sqlite", "SELECT COUNT(*) FROM routing"), 2);
  EXPECT_EQ(SqlInt(dir + "/t.sqlite", "SELECT tokens FROM routing WHERE expert = 1"), 2);
  // Not a trace: refused before anything is written.
  WriteText(dir + "/not.sqlite", "nope");
  ImportStats stats;
  Status st = AttachRoutingToTrace(dir + "/not.sqlite", dir + "/r.jsonl", ImportOptions{}, stats);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(ReadText(dir + "/not.sqlite"), "nope");
}

}  // namespace
}  // namespace moeprof::analyzer
