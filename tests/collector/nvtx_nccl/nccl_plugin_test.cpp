// NCCL profiler plugin driven through its exported tables (ncclProfiler_v5 / ncclProfiler_v4) with
// synthetic event descriptors laid out as NCCL 2.28 fills them: communicators, collectives and
// p2p ops under group/API events, kernel-launch events (external correlation pushed and popped
// around them, on the launching thread), several communicators, concurrent threads, a full pool.
#include <cupti_activity.h>
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "fake_runtime.h"
#include "nccl/nccl_abi.h"
#include "nccl/nccl_plugin.h"

extern "C" moeprof::collector::nccl_abi::ProfilerV5 ncclProfiler_v5;
extern "C" moeprof::collector::nccl_abi::ProfilerV4 ncclProfiler_v4;

namespace moeprof::collector {
namespace {

namespace abi = nccl_abi;
using testing::Fake;

static_assert(kNcclExternalCorrelationKind == CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM2);

constexpr int kExpectedV5Mask = abi::kColl | abi::kP2p | abi::kGroupApi | abi::kCollApi |
                                abi::kP2pApi | abi::kKernelLaunch;

class NcclPlugin : public ::testing::Test {
 protected:
  void SetUp() override {
    Fake().active = true;
    Fake().Clear();
  }
  void TearDown() override {
    for (void* c : contexts_) ncclProfiler_v5.finalize(c);
    Fake().active = true;
  }
  void* InitV5(uint64_t comm_id, const char* name, int rank, int nranks, int* mask = nullptr) {
    void* ctx = nullptr;
    int m = -1;
    EXPECT_EQ(ncclProfiler_v5.init(&ctx, comm_id, &m, name, 2, nranks, rank, nullptr), abi::kSuccess);
    if (mask != nullptr) *mask = m;
    contexts_.push_back(ctx);
    return ctx;
  }
  std::vector<void*> contexts_;
};

void* Start(void* ctx, abi::EventDescrV5& d) {
  void* h = reinterpret_cast<void*>(uintptr_t{0xbad});
  EXPECT_EQ(ncclProfiler_v5.startEvent(ctx, &h, &d), abi::kSuccess);
  return h;
}

abi::EventDescrV5 Descr(uint64_t type, void* parent, int rank = 0) {
  abi::EventDescrV5 d;
  std::memset(&d, 0, sizeof(d));  // NCCL zero-initializes its descriptors too
  d.type = type;
  d.parentObj = parent;
  d.rank = rank;
  return d;
}

// One collective the way NCCL 2.28 reports it: GroupApi > CollApi, KernelLaunch under the group
// (around the launch), then the Coll task event whose parent is the CollApi handle.
void OneAllReduce(void* ctx, uint64_t seq, size_t count, const char* dtype) {
  auto g = Descr(abi::kGroupApi, nullptr);
  void* group = Start(ctx, g);
  auto ca = Descr(abi::kCollApi, group);
  ca.collApi.func = "AllReduce";
  ca.collApi.count = count;
  ca.collApi.datatype = dtype;
  void* coll_api = Start(ctx, ca);
  ncclProfiler_v5.stopEvent(coll_api);  // NCCL stops the API event before the task event starts
  auto kl = Descr(abi::kKernelLaunch, group);
  void* launch = Start(ctx, kl);
  ncclProfiler_v5.stopEvent(launch);
  auto c = Descr(abi::kColl, coll_api, 1);
  c.coll.seqNumber = seq;
  c.coll.func = "AllReduce";
  c.coll.count = count;
  c.coll.root = 0;
  c.coll.datatype = dtype;
  c.coll.nChannels = 4;
  c.coll.algo = "RING";
  c.coll.proto = "LL128";
  void* coll = Start(ctx, c);
  EXPECT_NE(coll, nullptr);
  ncclProfiler_v5.stopEvent(coll);
  ncclProfiler_v5.stopEvent(group);
}

TEST_F(NcclPlugin, TablesHaveOurNameAndV4V5Layout) {
  EXPECT_STREQ(ncclProfiler_v5.name, "moeprof");
  EXPECT_STREQ(ncclProfiler_v4.name, "moeprof");
  EXPECT_NE(ncclProfiler_v5.recordEventState, nullptr);
  EXPECT_NE(ncclProfiler_v4.finalize, nullptr);
}

TEST_F(NcclPlugin, InitRecordsCommunicatorAndMask) {
  int mask = 0;
  InitV5(0xabcdef12345ull, "ep_group", 3, 8, &mask);
  EXPECT_EQ(mask, kExpectedV5Mask);
  EXPECT_TRUE(NcclPluginSawInit());
  const auto comms = Fake().Take<NcclCommEvent>();
  ASSERT_EQ(comms.size(), 1u);
  EXPECT_EQ(comms[0].comm_id, 0xabcdef12345ull);
  EXPECT_EQ(comms[0].name, "ep_group");
  EXPECT_EQ(comms[0].rank, 3);
  EXPECT_EQ(comms[0].nranks, 8);
  EXPECT_EQ(comms[0].nnodes, 2);
}

TEST_F(NcclPlugin, InactiveCollectorSucceedsWithEmptyMask) {
  Fake().active = false;
  int mask = -1;
  void* ctx = InitV5(77, nullptr, 0, 2, &mask);
  EXPECT_EQ(mask, 0);
  EXPECT_TRUE(Fake().Take<NcclCommEvent>().empty());
  // Even if NCCL called us anyway, nothing is recorded and nothing fails.
  auto kl = Descr(abi::kKernelLaunch, nullptr);
  void* h = Start(ctx, kl);
  EXPECT_EQ(ncclProfiler_v5.stopEvent(h), abi::kSuccess);
  EXPECT_TRUE(Fake().Correlation().empty());
}

TEST_F(NcclPlugin, CollectiveCarriesFieldsAndGroupExternalId) {
  void* ctx = InitV5(1001, "dp", 1, 4);
  OneAllReduce(ctx, 42, 1 << 20, "ncclBfloat16");
  const auto ops = Fake().Take<NcclOpEvent>();
  ASSERT_EQ(ops.size(), 1u);
  const auto& op = ops[0];
  EXPECT_EQ(op.comm_id, 1001u);
  EXPECT_EQ(op.op, "AllReduce");
  EXPECT_EQ(op.seq, 42u);
  EXPECT_EQ(op.count, uint64_t{1} << 20);
  EXPECT_EQ(op.datatype, "ncclBfloat16");
  EXPECT_EQ(op.bytes, uint64_t{2} << 20);
  EXPECT_FALSE(op.root.has_value());  // not a rooted collective
  EXPECT_FALSE(op.peer.has_value());
  EXPECT_EQ(op.algorithm, "RING");
  EXPECT_EQ(op.protocol, "LL128");
  EXPECT_LT(op.start_ns, op.end_ns);
  ASSERT_NE(op.external_id, 0u);

  // The kernel launch pushed the same id as CUSTOM2 and popped it, on this thread.
  const auto corr = Fake().Correlation();
  ASSERT_EQ(corr.size(), 2u);
  EXPECT_TRUE(corr[0].push);
  EXPECT_EQ(corr[0].kind, static_cast<uint32_t>(CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM2));
  EXPECT_EQ(corr[0].id, op.external_id);
  EXPECT_EQ(corr[0].tid, testing::CurrentTid());
  EXPECT_FALSE(corr[1].push);
  EXPECT_EQ(corr[1].kind, corr[0].kind);
  EXPECT_EQ(NcclStats().in_flight, 0u);
}

TEST_F(NcclPlugin, RootedCollectiveAndP2pGroup) {
  void* ctx = InitV5(2002, "pp", 0, 2);
  auto g = Descr(abi::kGroupApi, nullptr);
  void* group = Start(ctx, g);
  // A broadcast and an all-to-all-style exchange (send + recv) in one group.
  auto ca = Descr(abi::kCollApi, group);
  void* bcast_api = Start(ctx, ca);
  auto sa = Descr(abi::kP2pApi, group);
  void* send_api = Start(ctx, sa);
  auto ra = Descr(abi::kP2pApi, group);
  void* recv_api = Start(ctx, ra);
  auto kl = Descr(abi::kKernelLaunch, group);
  void* launch = Start(ctx, kl);
  ncclProfiler_v5.stopEvent(launch);

  auto b = Descr(abi::kColl, bcast_api);
  b.coll.func = "Broadcast";
  b.coll.count = 10;
  b.coll.root = 1;
  b.coll.datatype = "ncclFloat32";
  b.coll.algo = "RING";
  b.coll.proto = "Simple";
  void* hb = Start(ctx, b);
  auto s = Descr(abi::kP2p, send_api);
  s.p2p.func = "Send";
  s.p2p.count = 100;
  s.p2p.datatype = "ncclInt64";
  s.p2p.peer = 1;
  void* hs = Start(ctx, s);
  auto r = Descr(abi::kP2p, recv_api);
  r.p2p.func = "Recv";
  r.p2p.count = 3;
  r.p2p.datatype = "ncclUint8";
  r.p2p.peer = 1;
  void* hr = Start(ctx, r);
  for (void* h : {hb, hs, hr, bcast_api, send_api, recv_api, group}) ncclProfiler_v5.stopEvent(h);

  const auto ops = Fake().Take<NcclOpEvent>();
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0].op, "Broadcast");
  EXPECT_EQ(ops[0].root, 1);
  EXPECT_EQ(ops[0].bytes, 40u);
  EXPECT_EQ(ops[1].op, "Send");
  EXPECT_EQ(ops[1].peer, 1);
  EXPECT_EQ(ops[1].bytes, 800u);
  EXPECT_FALSE(ops[1].seq.has_value());
  EXPECT_EQ(ops[2].op, "Recv");
  EXPECT_EQ(ops[2].bytes, 3u);
  // One group: every op carries the id pushed around the group's kernel launch.
  const auto corr = Fake().Correlation();
  ASSERT_EQ(corr.size(), 2u);
  for (const auto& op : ops) EXPECT_EQ(op.external_id, corr[0].id);
}

TEST_F(NcclPlugin, SeparateGroupsGetSeparateIds) {
  void* ctx = InitV5(3003, "ep", 0, 8);
  OneAllReduce(ctx, 1, 8, "ncclFloat32");
  OneAllReduce(ctx, 2, 8, "ncclFloat32");
  const auto ops = Fake().Take<NcclOpEvent>();
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_NE(ops[0].external_id, ops[1].external_id);
  const auto corr = Fake().Correlation();
  ASSERT_EQ(corr.size(), 4u);
  EXPECT_EQ(corr[0].id, ops[0].external_id);
  EXPECT_EQ(corr[2].id, ops[1].external_id);
}

TEST_F(NcclPlugin, UnknownEventsAndNullsAreHarmless) {
  void* ctx = InitV5(4004, "x", 0, 2);
  auto p = Descr(abi::kProxyOp, nullptr);
  EXPECT_EQ(Start(ctx, p), nullptr);
  void* h = nullptr;
  EXPECT_EQ(ncclProfiler_v5.startEvent(ctx, &h, nullptr), abi::kSuccess);
  EXPECT_EQ(h, nullptr);
  EXPECT_EQ(ncclProfiler_v5.startEvent(ctx, nullptr, &p), abi::kSuccess);
  EXPECT_EQ(ncclProfiler_v5.stopEvent(nullptr), abi::kSuccess);
  int foreign = 0;
  EXPECT_EQ(ncclProfiler_v5.stopEvent(&foreign), abi::kSuccess);  // not ours: ignored
  EXPECT_EQ(ncclProfiler_v5.recordEventState(nullptr, 22, nullptr), abi::kSuccess);
  EXPECT_EQ(ncclProfiler_v5.finalize(nullptr), abi::kSuccess);
  // A Coll without parents still records (external id 0: no kernel attribution).
  auto c = Descr(abi::kColl, nullptr);
  c.coll.func = "AllGather";
  c.coll.datatype = "ncclSomethingNew";
  c.coll.count = 5;
  void* hc = Start(ctx, c);
  ncclProfiler_v5.stopEvent(hc);
  const auto ops = Fake().Take<NcclOpEvent>();
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].external_id, 0u);
  EXPECT_FALSE(ops[0].bytes.has_value());  // unknown datatype: no byte count
  EXPECT_EQ(ops[0].algorithm, "");
}

TEST_F(NcclPlugin, V4InitOrderAndOps) {
  void* ctx = nullptr;
  int mask = 0;
  ASSERT_EQ(ncclProfiler_v4.init(&ctx, &mask, "tp", 0x55ull, 1, 2, 1, nullptr), abi::kSuccess);
  EXPECT_EQ(mask, abi::kColl | abi::kP2p);
  const auto comms = Fake().Take<NcclCommEvent>();
  ASSERT_EQ(comms.size(), 1u);
  EXPECT_EQ(comms[0].comm_id, 0x55u);
  EXPECT_EQ(comms[0].name, "tp");
  EXPECT_EQ(comms[0].rank, 1);

  abi::EventDescrV4 d;
  std::memset(&d, 0, sizeof(d));
  d.type = abi::kColl;
  d.coll.seqNumber = 9;
  d.coll.func = "ReduceScatter";
  d.coll.count = 16;
  d.coll.datatype = "ncclFloat16";
  d.coll.algo = "RING";
  d.coll.proto = "LL";
  void* h = nullptr;
  ASSERT_EQ(ncclProfiler_v4.startEvent(ctx, &h, &d), abi::kSuccess);
  ASSERT_NE(h, nullptr);
  ncclProfiler_v4.stopEvent(h);
  d.type = abi::kP2p;
  d.p2p.func = "Send";
  d.p2p.count = 2;
  d.p2p.datatype = "ncclInt32";
  d.p2p.peer = 0;
  ASSERT_EQ(ncclProfiler_v4.startEvent(ctx, &h, &d), abi::kSuccess);
  ncclProfiler_v4.stopEvent(h);
  ncclProfiler_v4.finalize(ctx);

  const auto ops = Fake().Take<NcclOpEvent>();
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].op, "ReduceScatter");
  EXPECT_EQ(ops[0].seq, 9u);
  EXPECT_EQ(ops[0].bytes, 32u);
  EXPECT_EQ(ops[0].external_id, 0u);  // v4 has no kernel-launch events
  EXPECT_EQ(ops[1].op, "Send");
  EXPECT_EQ(ops[1].peer, 0);
  EXPECT_EQ(ops[1].bytes, 8u);
}

TEST_F(NcclPlugin, ConcurrentCommunicatorsOnManyThreads) {
  constexpr int kThreads = 8, kOpsPerThread = 3000;
  std::vector<void*> ctx;
  for (int t = 0; t < kThreads; ++t) ctx.push_back(InitV5(10000 + t, "stress", t, kThreads));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kOpsPerThread; ++i) OneAllReduce(ctx[t], i, 4, "ncclFloat32");
    });
  for (auto& th : threads) th.join();

  const auto ops = Fake().Take<NcclOpEvent>();
  ASSERT_EQ(ops.size(), static_cast<size_t>(kThreads * kOpsPerThread));
  std::map<uint64_t, int> per_comm;
  std::set<uint64_t> ids;
  for (const auto& op : ops) {
    ++per_comm[op.comm_id];
    ids.insert(op.external_id);
  }
  EXPECT_EQ(per_comm.size(), static_cast<size_t>(kThreads));
  for (const auto& [comm, n] : per_comm) EXPECT_EQ(n, kOpsPerThread) << comm;
  EXPECT_EQ(ids.size(), ops.size());  // one group per op here: ids never shared or reused

  // Pushes and pops balance per thread, each pop right after its push.
  std::map<uint64_t, int> depth;
  for (const auto& c : Fake().Correlation()) {
    depth[c.tid] += c.push ? 1 : -1;
    EXPECT_GE(depth[c.tid], 0);
    EXPECT_LE(depth[c.tid], 1);
  }
  for (const auto& [tid, d] : depth) EXPECT_EQ(d, 0);
  EXPECT_EQ(NcclStats().in_flight, 0u);
  EXPECT_EQ(NcclStats().ops_dropped, 0u);
}

TEST_F(NcclPlugin, FullPoolDropsAndCountsInsteadOfGrowing) {
  void* ctx = InitV5(5005, "flood", 0, 2);
  std::vector<void*> handles;
  size_t null_handles = 0;
  for (int i = 0; i < 5000; ++i) {
    auto c = Descr(abi::kColl, nullptr);
    c.coll.func = "AllReduce";
    c.coll.datatype = "ncclFloat32";
    void* h = Start(ctx, c);
    if (h == nullptr) ++null_handles; else handles.push_back(h);
  }
  EXPECT_EQ(handles.size(), 4096u);
  EXPECT_EQ(null_handles, 5000u - 4096u);
  EXPECT_EQ(NcclStats().ops_dropped, null_handles);
  const auto drops = Fake().Take<DropEvent>();
  ASSERT_EQ(drops.size(), null_handles);
  EXPECT_EQ(drops[0].source, "nccl");
  for (void* h : handles) ncclProfiler_v5.stopEvent(h);
  EXPECT_EQ(Fake().Take<NcclOpEvent>().size(), 4096u);
  EXPECT_EQ(NcclStats().in_flight, 0u);
}

TEST_F(NcclPlugin, CommunicatorsRepostedWhenCollectionRestarts) {
  InitV5(6006, "live", 0, 2);
  Fake().active = false;
  auto c = Descr(abi::kColl, nullptr);
  Start(nullptr, c);  // any plugin call notices the stop
  Fake().active = true;
  Fake().Clear();
  void* h = Start(nullptr, c);  // ...and the restart
  ncclProfiler_v5.stopEvent(h);
  const auto comms = Fake().Take<NcclCommEvent>();
  bool found = false;
  for (const auto& e : comms) found |= e.comm_id == 6006 && e.name == "live";
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace moeprof::collector
