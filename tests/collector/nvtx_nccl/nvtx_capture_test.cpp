// NVTX capture, driven through the real NVTX v3 API: the handlers attach to this executable's NVTX
// instance through the static-injection hook (the same table installation NVTX_INJECTION64_PATH
// triggers), and post into the recording fake runtime. Checks nesting depth, domains, start/end
// across threads, registered strings, payloads, colors, categories, names and routing marks.
#include <gtest/gtest.h>
#include <nvtx3/nvToolsExt.h>
#include <nvtx3/nvToolsExtCuda.h>
#include <nvtx3/nvToolsExtCudaRt.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "fake_runtime.h"
#include "moeprof/collector/routing_mark.h"
#include "moeprof/schemas/rows.h"
#include "nvtx/nvtx_capture.h"

namespace moeprof::collector {
namespace {

using testing::Fake;

class NvtxCapture : public ::testing::Test {
 protected:
  void SetUp() override {
    Fake().active = true;
    Fake().Clear();
  }
  void TearDown() override { Fake().active = true; }
};

nvtxEventAttributes_t Attr(const char* text) {
  nvtxEventAttributes_t a{};
  a.version = NVTX_VERSION;
  a.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
  a.messageType = NVTX_MESSAGE_TYPE_ASCII;
  a.message.ascii = text;
  return a;
}

TEST_F(NvtxCapture, ToolIsAttached) {
  // Without a tool NVTX returns NULL domain handles; ours are never NULL.
  EXPECT_NE(nvtxDomainCreateA("attached-check"), nullptr);
}

TEST_F(NvtxCapture, PushPopNestingDepthAndTimes) {
  EXPECT_EQ(nvtxRangePushA("outer"), 0);
  EXPECT_EQ(nvtxRangePushA("middle"), 1);
  EXPECT_EQ(nvtxRangePushA("inner"), 2);
  EXPECT_EQ(nvtxRangePop(), 2);
  EXPECT_EQ(nvtxRangePop(), 1);
  EXPECT_EQ(nvtxRangePop(), 0);
  EXPECT_LT(nvtxRangePop(), 0);  // unbalanced pop: NVTX's error value, nothing posted

  const auto r = Fake().Take<NvtxRangeEvent>();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].text, "inner");
  EXPECT_EQ(r[0].depth, 2);
  EXPECT_EQ(r[1].text, "middle");
  EXPECT_EQ(r[1].depth, 1);
  EXPECT_EQ(r[2].text, "outer");
  EXPECT_EQ(r[2].depth, 0);
  for (const auto& e : r) {
    EXPECT_TRUE(e.push_pop);
    EXPECT_EQ(e.domain, "");
    EXPECT_EQ(e.tid, testing::CurrentTid());
    EXPECT_LT(e.start_ns, e.end_ns);
    EXPECT_EQ(e.payload_kind, static_cast<int>(schemas::PayloadKind::kNone));
  }
  // Properly nested in time.
  EXPECT_LT(r[2].start_ns, r[1].start_ns);
  EXPECT_LT(r[1].start_ns, r[0].start_ns);
  EXPECT_LT(r[0].end_ns, r[1].end_ns);
  EXPECT_LT(r[1].end_ns, r[2].end_ns);
}

TEST_F(NvtxCapture, DomainsHaveTheirOwnStacksAndNames) {
  nvtxDomainHandle_t d = nvtxDomainCreateA("trainer");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(nvtxDomainCreateA("trainer"), d);  // same name, same handle
  nvtxDomainHandle_t w = nvtxDomainCreateW(L"w\u00e4rme");
  ASSERT_NE(w, nullptr);
  EXPECT_NE(w, d);

  EXPECT_EQ(nvtxRangePushA("default-0"), 0);
  auto a = Attr("trainer-0");
  EXPECT_EQ(nvtxDomainRangePushEx(d, &a), 0);  // depth is per domain
  auto b = Attr("trainer-1");
  EXPECT_EQ(nvtxDomainRangePushEx(d, &b), 1);
  auto c = Attr("warm-0");
  EXPECT_EQ(nvtxDomainRangePushEx(w, &c), 0);
  EXPECT_EQ(nvtxDomainRangePop(w), 0);
  EXPECT_EQ(nvtxDomainRangePop(d), 1);
  EXPECT_EQ(nvtxRangePop(), 0);
  EXPECT_EQ(nvtxDomainRangePop(d), 0);

  const auto r = Fake().Take<NvtxRangeEvent>();
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].text, "warm-0");
  EXPECT_EQ(r[0].domain, "w\xC3\xA4rme");
  EXPECT_EQ(r[1].text, "trainer-1");
  EXPECT_EQ(r[1].domain, "trainer");
  EXPECT_EQ(r[1].depth, 1);
  EXPECT_EQ(r[2].text, "default-0");
  EXPECT_EQ(r[2].domain, "");
  EXPECT_EQ(r[3].text, "trainer-0");
  EXPECT_EQ(r[3].depth, 0);
  nvtxDomainDestroy(d);  // handles stay valid after destroy
  EXPECT_EQ(nvtxDomainCreateA("trainer"), d);
}

TEST_F(NvtxCapture, StartEndAcrossThreads) {
  nvtxDomainHandle_t d = nvtxDomainCreateA("io");
  auto a = Attr("prefetch");
  nvtxRangeId_t id1 = 0, id2 = 0;
  uint64_t starter = 0;
  std::thread t([&] {
    starter = testing::CurrentTid();
    id1 = nvtxDomainRangeStartEx(d, &a);
    id2 = nvtxRangeStartA("plain");
  });
  t.join();
  EXPECT_NE(id1, 0u);
  EXPECT_NE(id1, id2);
  std::thread t2([&] { nvtxDomainRangeEnd(d, id1); });
  t2.join();
  nvtxRangeEnd(id2);
  nvtxRangeEnd(id2);       // twice: ignored
  nvtxRangeEnd(987654321);  // never started: ignored

  const auto r = Fake().Take<NvtxRangeEvent>();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].text, "prefetch");
  EXPECT_EQ(r[0].domain, "io");
  EXPECT_FALSE(r[0].push_pop);
  EXPECT_EQ(r[0].tid, starter);  // the thread that started it
  EXPECT_EQ(r[0].depth, 0);
  EXPECT_LT(r[0].start_ns, r[0].end_ns);
  EXPECT_EQ(r[1].text, "plain");
  EXPECT_EQ(r[1].domain, "");
  EXPECT_EQ(nvtx::Stats().open_start_end_ranges, 0u);
}

TEST_F(NvtxCapture, InactiveKeepsContractButPostsNothing) {
  Fake().active = false;
  const nvtxRangeId_t a = nvtxRangeStartA("x"), b = nvtxRangeStartA("y");
  EXPECT_NE(a, b);
  EXPECT_EQ(nvtxRangePushA("before-start"), 0);
  EXPECT_EQ(nvtxRangePushA("before-start-2"), 1);
  nvtxMarkA("lost");
  Fake().active = true;
  // Frames pushed while inactive pop with the right levels and post nothing.
  EXPECT_EQ(nvtxRangePushA("after-start"), 2);
  EXPECT_EQ(nvtxRangePop(), 2);
  EXPECT_EQ(nvtxRangePop(), 1);
  EXPECT_EQ(nvtxRangePop(), 0);
  nvtxRangeEnd(a);
  const auto r = Fake().Take<NvtxRangeEvent>();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].text, "after-start");
  EXPECT_EQ(r[0].depth, 2);
  EXPECT_TRUE(Fake().Take<NvtxMarkEvent>().empty());
}

TEST_F(NvtxCapture, RegisteredStringsUnicodeColorCategory) {
  nvtxDomainHandle_t d = nvtxDomainCreateA("trainer");
  nvtxStringHandle_t s = nvtxDomainRegisterStringA(d, "forward");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(nvtxDomainRegisterStringA(d, "forward"), s);
  nvtxStringHandle_t sw = nvtxDomainRegisterStringW(d, L"r\u00fcckw\u00e4rts");
  ASSERT_NE(sw, nullptr);
  nvtxDomainNameCategoryA(d, 7, "compute");
  nvtxNameCategoryA(3, "default-cat");

  nvtxEventAttributes_t a{};
  a.version = NVTX_VERSION;
  a.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
  a.category = 7;
  a.colorType = NVTX_COLOR_ARGB;
  a.color = 0xFF00FF00u;
  a.messageType = NVTX_MESSAGE_TYPE_REGISTERED;
  a.message.registered = s;
  nvtxDomainRangePushEx(d, &a);
  nvtxDomainRangePop(d);
  a.message.registered = sw;
  a.colorType = NVTX_COLOR_UNKNOWN;
  nvtxDomainRangePushEx(d, &a);
  nvtxDomainRangePop(d);
  nvtxRangePushW(L"h\u00e9llo \U0001F600");
  nvtxRangePop();
  // A registered handle that was never handed out decodes as "" instead of crashing.
  a.message.registered = reinterpret_cast<nvtxStringHandle_t>(uintptr_t{0xdead00});
  nvtxDomainRangePushEx(d, &a);
  nvtxDomainRangePop(d);

  const auto r = Fake().Take<NvtxRangeEvent>();
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].text, "forward");
  EXPECT_EQ(r[0].category, 7u);
  ASSERT_TRUE(r[0].color.has_value());
  EXPECT_EQ(*r[0].color, 0xFF00FF00u);
  EXPECT_EQ(r[1].text, "r\xC3\xBC" "ckw\xC3\xA4rts");
  EXPECT_FALSE(r[1].color.has_value());
  EXPECT_EQ(r[2].text, "h\xC3\xA9llo \xF0\x9F\x98\x80");
  EXPECT_EQ(r[3].text, "");
  EXPECT_EQ(nvtx::CategoryName("trainer", 7), "compute");
  EXPECT_EQ(nvtx::CategoryName("", 3), "default-cat");
  EXPECT_EQ(nvtx::CategoryName("trainer", 8), "");
}

TEST_F(NvtxCapture, Payloads) {
  using schemas::PayloadKind;
  struct Case {
    int32_t type;
    void (*set)(nvtxEventAttributes_t&);
    PayloadKind kind;
    double value;
  };
  const Case cases[] = {
      {NVTX_PAYLOAD_TYPE_UNSIGNED_INT64, [](nvtxEventAttributes_t& a) { a.payload.ullValue = 1ull << 40; },
       PayloadKind::kUnsigned, static_cast<double>(1ull << 40)},
      {NVTX_PAYLOAD_TYPE_INT64, [](nvtxEventAttributes_t& a) { a.payload.llValue = -12345678901; },
       PayloadKind::kInt, -12345678901.0},
      {NVTX_PAYLOAD_TYPE_DOUBLE, [](nvtxEventAttributes_t& a) { a.payload.dValue = 2.5; },
       PayloadKind::kDouble, 2.5},
      {NVTX_PAYLOAD_TYPE_UNSIGNED_INT32, [](nvtxEventAttributes_t& a) { a.payload.uiValue = 4000000000u; },
       PayloadKind::kUnsigned, 4000000000.0},
      {NVTX_PAYLOAD_TYPE_INT32, [](nvtxEventAttributes_t& a) { a.payload.iValue = -7; },
       PayloadKind::kInt, -7.0},
      {NVTX_PAYLOAD_TYPE_FLOAT, [](nvtxEventAttributes_t& a) { a.payload.fValue = 0.25f; },
       PayloadKind::kDouble, 0.25},
      {0x7777, [](nvtxEventAttributes_t& a) { a.payload.ullValue = 1; }, PayloadKind::kNone, 0.0},
  };
  for (const auto& c : cases) {
    auto a = Attr("p");
    a.payloadType = c.type;
    c.set(a);
    nvtxRangePushEx(&a);
    nvtxRangePop();
    nvtxMarkEx(&a);
  }
  const auto r = Fake().Take<NvtxRangeEvent>();
  const auto m = Fake().Take<NvtxMarkEvent>();
  ASSERT_EQ(r.size(), std::size(cases));
  ASSERT_EQ(m.size(), std::size(cases));
  for (size_t i = 0; i < std::size(cases); ++i) {
    EXPECT_EQ(r[i].payload_kind, static_cast<int>(cases[i].kind)) << i;
    EXPECT_EQ(r[i].payload, cases[i].value) << i;
    EXPECT_EQ(m[i].payload_kind, static_cast<int>(cases[i].kind)) << i;
    EXPECT_EQ(m[i].payload, cases[i].value) << i;
  }
}

TEST_F(NvtxCapture, MarksAndTruncatedAttributes) {
  nvtxMarkA("checkpoint");
  nvtxMarkW(L"wide");
  nvtxDomainHandle_t d = nvtxDomainCreateA("trainer");
  auto a = Attr("domain-mark");
  a.category = 2;
  nvtxDomainMarkEx(d, &a);
  nvtxMarkEx(nullptr);  // tolerated: empty mark
  auto small = Attr("ignored");
  small.size = 8;  // declared too small to hold a message: decoded as empty
  nvtxMarkEx(&small);
  const auto m = Fake().Take<NvtxMarkEvent>();
  ASSERT_EQ(m.size(), 5u);
  EXPECT_EQ(m[0].text, "checkpoint");
  EXPECT_EQ(m[0].domain, "");
  EXPECT_EQ(m[0].tid, testing::CurrentTid());
  EXPECT_EQ(m[1].text, "wide");
  EXPECT_EQ(m[2].text, "domain-mark");
  EXPECT_EQ(m[2].domain, "trainer");
  EXPECT_EQ(m[2].category, 2u);
  EXPECT_EQ(m[3].text, "");
  EXPECT_EQ(m[4].text, "");
}

TEST_F(NvtxCapture, ThreadAndStreamNamesAreRepostedWhenCollectionStarts) {
  nvtxNameOsThreadA(4242, "data-loader");
  nvtxNameCudaStreamA(reinterpret_cast<cudaStream_t>(uintptr_t{0x1000}), "ep_comm");
  nvtxNameCuStreamW(reinterpret_cast<CUstream>(uintptr_t{0x2000}), L"pp_comm");
  auto names = Fake().Take<ThreadNameEvent>();
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0].tid, 4242u);
  EXPECT_EQ(names[0].name, "data-loader");
  auto streams = Fake().Take<StreamNameEvent>();
  ASSERT_EQ(streams.size(), 2u);
  EXPECT_EQ(streams[0].stream_handle, 0x1000u);
  EXPECT_FALSE(streams[0].id_known);
  EXPECT_EQ(streams[0].name, "ep_comm");
  EXPECT_EQ(streams[1].stream_handle, 0x2000u);
  EXPECT_EQ(streams[1].name, "pp_comm");

  // Stop, name a thread while stopped, restart: the next NVTX call re-posts every name.
  Fake().active = false;
  nvtxMarkA("while-stopped");
  nvtxNameOsThreadA(4343, "named-while-stopped");
  Fake().Clear();
  Fake().active = true;
  nvtxMarkA("after-restart");
  names = Fake().Take<ThreadNameEvent>();
  bool saw_old = false, saw_new = false;
  for (const auto& n : names) {
    saw_old |= n.tid == 4242 && n.name == "data-loader";
    saw_new |= n.tid == 4343 && n.name == "named-while-stopped";
  }
  EXPECT_TRUE(saw_old);
  EXPECT_TRUE(saw_new);
  EXPECT_GE(Fake().Take<StreamNameEvent>().size(), 2u);
}

TEST_F(NvtxCapture, RoutingMarksBecomeRoutingEventsOnly) {
  const std::vector<int> tokens = {17, 3, 0, 44};
  ASSERT_TRUE(EmitRoutingMark(12, 3, tokens, 0, int64_t{1}, 4));
  // rank left out: filled from RANK (set to 5 by the fake runtime's environment set-up).
  ASSERT_TRUE(EmitRoutingMark(13, 0, std::vector<int>{9}, 2));
  // Default domain (what torch.cuda.nvtx.mark produces) is accepted too.
  nvtxMarkA("moe.route step=14 layer=1 tokens=5,6");

  const auto r = Fake().Take<RoutingEvent>();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].step, 12);
  EXPECT_EQ(r[0].layer, 3);
  EXPECT_EQ(r[0].microbatch, 0);
  EXPECT_EQ(r[0].rank, 1);
  EXPECT_EQ(r[0].first_expert, 4);
  EXPECT_EQ(r[0].tokens, (std::vector<int64_t>{17, 3, 0, 44}));
  EXPECT_GT(r[0].time_ns, 0);
  EXPECT_EQ(nvtx::EnvironmentRank(), 5);
  EXPECT_EQ(r[1].rank, 5);
  EXPECT_EQ(r[1].microbatch, 2);
  EXPECT_EQ(r[2].step, 14);
  EXPECT_EQ(r[2].tokens, (std::vector<int64_t>{5, 6}));
  EXPECT_TRUE(Fake().Take<NvtxMarkEvent>().empty());  // not duplicated into the nvtx table
}

TEST_F(NvtxCapture, MalformedRoutingMarkIsCountedAsDrop) {
  const uint64_t before = nvtx::Stats().bad_routing_marks;
  auto a = Attr("moe.route step=x layer=0 tokens=1");
  nvtxDomainMarkEx(RoutingDomain(), &a);
  nvtxMarkA("moe.route step=1 layer=2 tokens=1,,2");
  EXPECT_EQ(nvtx::Stats().bad_routing_marks, before + 2);
  const auto drops = Fake().Take<DropEvent>();
  ASSERT_EQ(drops.size(), 2u);
  EXPECT_EQ(drops[0].source, "nvtx");
  EXPECT_EQ(drops[0].reason, "bad routing mark");
  EXPECT_EQ(drops[0].count, 1);
  EXPECT_TRUE(Fake().Take<RoutingEvent>().empty());
  EXPECT_TRUE(Fake().Take<NvtxMarkEvent>().empty());
}

TEST_F(NvtxCapture, RoutingTextElsewhereIsAPlainMark) {
  nvtxDomainHandle_t other = nvtxDomainCreateA("someone-else");
  auto a = Attr("moe.route step=1 layer=2 tokens=1");
  nvtxDomainMarkEx(other, &a);
  auto b = Attr("moeprof note");  // moeprof domain, not a routing mark
  nvtxDomainMarkEx(RoutingDomain(), &b);
  const auto m = Fake().Take<NvtxMarkEvent>();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].domain, "someone-else");
  EXPECT_EQ(m[1].domain, "moeprof");
  EXPECT_EQ(m[1].text, "moeprof note");
  EXPECT_TRUE(Fake().Take<RoutingEvent>().empty());
}

TEST_F(NvtxCapture, DepthCapKeepsLevelsRight) {
  constexpr int kPushes = 1100;  // past the 1024 stored frames
  for (int i = 0; i < kPushes; ++i) ASSERT_EQ(nvtxRangePushA("deep"), i);
  for (int i = kPushes - 1; i >= 0; --i) ASSERT_EQ(nvtxRangePop(), i);
  EXPECT_EQ(Fake().Take<NvtxRangeEvent>().size(), 1024u);
}

TEST_F(NvtxCapture, ManyThreadsPushPopConcurrently) {
  constexpr int kThreads = 8, kIters = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([] {
      nvtxDomainHandle_t d = nvtxDomainCreateA("stress");
      for (int i = 0; i < kIters; ++i) {
        auto a = Attr("s");
        if (nvtxDomainRangePushEx(d, &a) != 0) std::abort();
        nvtxRangeId_t id = nvtxRangeStartA("se");
        if (nvtxRangePushA("inner") != 0) std::abort();
        nvtxRangePop();
        nvtxRangeEnd(id);
        nvtxDomainRangePop(d);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(Fake().Take<NvtxRangeEvent>().size(), static_cast<size_t>(kThreads * kIters * 3));
  EXPECT_EQ(nvtx::Stats().open_start_end_ranges, 0u);
}

TEST(NvtxInstall, RejectsMissingExportTables) {
  EXPECT_EQ(nvtx::InstallHandlers(nullptr), 0);
  EXPECT_EQ(nvtx::InstallHandlers([](uint32_t) -> const void* { return nullptr; }), 0);
}

}  // namespace
}  // namespace moeprof::collector
