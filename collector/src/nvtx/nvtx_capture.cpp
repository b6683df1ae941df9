// NVTX capture: handlers installed into NVTX's callback tables (CORE, CORE2, CUDA, CUDART modules).
//
// Design notes (why it looks like this):
// - Handles we hand out (domains, registered strings) are 1-based indices into append-only tables,
//   not pointers: a bogus or foreign handle is then detected instead of dereferenced, and lookups
//   are lock-free (registration takes a mutex, use does not).
// - Push/pop stacks are per thread and per domain (NVTX's nesting is per domain), so push/pop
//   never takes a lock. Start/end ranges may end on another thread, so they live in a sharded map.
// - Stacks are kept even while the collector is inactive (frames marked "not recorded"), so the
//   levels NVTX returns stay right and a range pushed before collection started is never closed
//   with a wrong depth.
// - Thread and stream names are remembered and posted again whenever collection (re)starts,
//   because programs name threads early, often before CUDA (and so the collector) is initialized.
// - Nothing here throws out of a handler; every handler catches and degrades to a no-op.
// - Global state is heap-allocated and never freed: NVTX calls can arrive from any thread during
//   exit, after static destructors would have run.
#include "nvtx_capture.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#define NVTX_NO_IMPL  // tool side: NVTX types and callback ids only
#include <nvtx3/nvToolsExt.h>

#include "../host_events.h"
#include "moeprof/schemas/rows.h"
#include "routing_parse.h"

namespace moeprof::collector::nvtx {
namespace {

constexpr size_t kMaxTextBytes = 64 * 1024;    // longer messages are truncated
constexpr size_t kMaxDepth = 1024;             // deeper push frames are counted, not stored
constexpr uint64_t kMaxOpenRanges = 1u << 20;  // start/end ranges never ended are capped
constexpr size_t kMaxNames = 1u << 16;         // remembered thread/stream names
constexpr size_t kOpenRangeShards = 64;

// ---------------------------------------------------------------------------------------------
// Append-only handle table: handle h (1-based) -> T*. Add() under the owner's mutex; Get() from any
// thread without locks. Entries are never removed, so a handle stays valid for the process.
template <typename T, size_t kMaxChunks>
class HandleTable {
 public:
  static constexpr size_t kChunk = 1024;
  static constexpr uint64_t kCapacity = kChunk * kMaxChunks;

  // Returns the new handle, or 0 when full. Caller holds the registry mutex.
  uint64_t Add(const T* value) {
    const size_t idx = size_;
    if (idx >= kCapacity) return 0;
    std::atomic<const T*>* chunk = chunks_[idx / kChunk].load(std::memory_order_acquire);
    if (chunk == nullptr) {
      chunk = new std::atomic<const T*>[kChunk]();
      chunks_[idx / kChunk].store(chunk, std::memory_order_release);
    }
    chunk[idx % kChunk].store(value, std::memory_order_release);
    size_ = idx + 1;
    return idx + 1;
  }

  const T* Get(uint64_t handle) const noexcept {
    if (handle == 0 || handle > kCapacity) return nullptr;
    const uint64_t idx = handle - 1;
    const std::atomic<const T*>* chunk = chunks_[idx / kChunk].load(std::memory_order_acquire);
    return chunk == nullptr ? nullptr : chunk[idx % kChunk].load(std::memory_order_acquire);
  }

 private:
  std::array<std::atomic<std::atomic<const T*>*>, kMaxChunks> chunks_{};
  size_t size_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Domains. Index 0 is the default domain (NVTX handle NULL); created domains get 1, 2, ...
struct DomainInfo {
  std::string name;
  bool is_moeprof = false;  // the routing-mark domain
};

struct DomainRegistry {
  std::mutex mu;
  std::unordered_map<std::string, uint64_t> by_name;  // same name -> same handle
  HandleTable<DomainInfo, 4> table;                     // at most 4096 domains
};
DomainRegistry& Domains() {
  static auto* r = new DomainRegistry;
  return *r;
}
const DomainInfo& DefaultDomain() {
  static const auto* d = new DomainInfo;
  return *d;
}

uint64_t DomainIndex(nvtxDomainHandle_t h) noexcept {
  const auto v = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(h));
  return Domains().table.Get(v) != nullptr ? v : 0;  // unknown handles fall back to default
}
const DomainInfo& DomainFor(uint64_t index) noexcept {
  const DomainInfo* d = Domains().table.Get(index);
  return d != nullptr ? *d : DefaultDomain();
}

// ---------------------------------------------------------------------------------------------
// Registered strings (nvtxDomainRegisterString): interned per (domain, text).
struct StringRegistry {
  std::mutex mu;
  std::unordered_map<std::string, uint64_t> by_key;
  HandleTable<std::string, 1024> table;  // at most ~1M strings
};
StringRegistry& Strings() {
  static auto* r = new StringRegistry;
  return *r;
}

// ---------------------------------------------------------------------------------------------
// Text helpers.
std::string Utf8FromWide(const wchar_t* w) {
  std::string out;
  if (w == nullptr) return out;
  for (size_t i = 0; w[i] != 0 && out.size() < kMaxTextBytes; ++i) {
    auto cp = static_cast<uint32_t>(w[i]);  // wchar_t is UTF-32 on Linux
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

std::string Ascii(const char* s) {
  if (s == nullptr) return {};
  return std::string(s, strnlen(s, kMaxTextBytes));
}

// Decoded event attributes.
struct Attr {
  std::string text;
  uint32_t category = 0;
  std::optional<uint32_t> color;
  int payload_kind = static_cast<int>(schemas::PayloadKind::kNone);
  double payload = 0;
};

// Where a message comes from: an attribute struct, or the A/W convenience calls.
struct Message {
  const nvtxEventAttributes_t* attr = nullptr;
  const char* ascii = nullptr;
  const wchar_t* wide = nullptr;
};

// A field is readable when the caller's declared struct size covers it (older NVTX versions
// declared smaller structs; a zero size means a caller bug and yields an empty event).
template <typename Field>
bool Covers(const nvtxEventAttributes_t* a, size_t offset) {
  return a->size >= offset + sizeof(Field);
}

Attr Decode(const Message& m) {
  Attr out;
  if (m.ascii != nullptr) {
    out.text = Ascii(m.ascii);
    return out;
  }
  if (m.wide != nullptr) {
    out.text = Utf8FromWide(m.wide);
    return out;
  }
  const nvtxEventAttributes_t* a = m.attr;
  if (a == nullptr) return out;
  if (Covers<uint32_t>(a, offsetof(nvtxEventAttributes_t, category))) out.category = a->category;
  if (Covers<uint32_t>(a, offsetof(nvtxEventAttributes_t, color)) && a->colorType == NVTX_COLOR_ARGB)
    out.color = a->color;
  if (Covers<uint64_t>(a, offsetof(nvtxEventAttributes_t, payload))) {
    using schemas::PayloadKind;
    switch (a->payloadType) {
      case NVTX_PAYLOAD_TYPE_UNSIGNED_INT64:
        out.payload_kind = static_cast<int>(PayloadKind::kUnsigned);
        out.payload = static_cast<double>(a->payload.ullValue);
        break;
      case NVTX_PAYLOAD_TYPE_INT64:
        out.payload_kind = static_cast<int>(PayloadKind::kInt);
        out.payload = static_cast<double>(a->payload.llValue);
        break;
      case NVTX_PAYLOAD_TYPE_DOUBLE:
        out.payload_kind = static_cast<int>(PayloadKind::kDouble);
        out.payload = a->payload.dValue;
        break;
      case NVTX_PAYLOAD_TYPE_UNSIGNED_INT32:
        out.payload_kind = static_cast<int>(PayloadKind::kUnsigned);
        out.payload = static_cast<double>(a->payload.uiValue);
        break;
      case NVTX_PAYLOAD_TYPE_INT32:
        out.payload_kind = static_cast<int>(PayloadKind::kInt);
        out.payload = static_cast<double>(a->payload.iValue);
        break;
      case NVTX_PAYLOAD_TYPE_FLOAT:
        out.payload_kind = static_cast<int>(PayloadKind::kDouble);
        out.payload = static_cast<double>(a->payload.fValue);
        break;
      default:  // unknown, or an extended (schema) payload we do not decode
        break;
    }
  }
  if (Covers<const void*>(a, offsetof(nvtxEventAttributes_t, message))) {
    switch (a->messageType) {
      case NVTX_MESSAGE_TYPE_ASCII:
        out.text = Ascii(a->message.ascii);
        break;
      case NVTX_MESSAGE_TYPE_UNICODE:
        out.text = Utf8FromWide(a->message.unicode);
        break;
      case NVTX_MESSAGE_TYPE_REGISTERED: {
        const auto h =
            static_cast<uint64_t>(reinterpret_cast<uintptr_t>(a->message.registered));
        if (const std::string* s = Strings().table.Get(h)) out.text = *s;
        break;
      }
      default:
        break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Counters.
struct Counters {
  std::atomic<uint64_t> open_ranges{0}, dropped_ranges{0}, bad_routing{0}, routing{0};
};
Counters& Count() {
  static auto* c = new Counters;
  return *c;
}

// ---------------------------------------------------------------------------------------------
// Names remembered for re-posting when collection starts or restarts.
struct NameRegistry {
  std::mutex mu;
  std::map<uint64_t, std::string> threads;
  std::map<uint64_t, std::string> streams;
  std::map<std::pair<std::string, uint32_t>, std::string> categories;
};
NameRegistry& Names() {
  static auto* r = new NameRegistry;
  return *r;
}

std::atomic<int>& LastActive() {
  static std::atomic<int> v{-1};
  return v;
}

void RepostNames() {
  std::vector<HostEvent> events;
  {
    std::lock_guard<std::mutex> lock(Names().mu);
    events.reserve(Names().threads.size() + Names().streams.size());
    for (const auto& [tid, name] : Names().threads) events.emplace_back(ThreadNameEvent{tid, name});
    for (const auto& [handle, name] : Names().streams)
      events.emplace_back(StreamNameEvent{handle, 0, false, name});
  }
  for (auto& e : events) PostHostEvent(std::move(e));  // outside our lock: Post may block briefly
}

// The collector's state, noticing transitions so names reach every trace file.
bool Active() noexcept {
  const bool active = CollectorActive();
  auto& last = LastActive();
  if (static_cast<int>(active) != last.load(std::memory_order_relaxed)) {
    const int prev = last.exchange(static_cast<int>(active), std::memory_order_acq_rel);
    if (active && prev != 1) {
      try {
        RepostNames();
      } catch (...) {
      }
    }
  }
  return active;
}

uint64_t ThreadId() noexcept {
  thread_local uint64_t tid = static_cast<uint64_t>(::syscall(SYS_gettid));
  return tid;
}

// ---------------------------------------------------------------------------------------------
// Push/pop stacks, per thread and domain.
struct Frame {
  bool recorded = false;
  int64_t start_ns = 0;
  Attr attr;
};
struct DomainStack {
  std::vector<Frame> frames;
  uint64_t overflow = 0;  // frames pushed past kMaxDepth: counted for the levels, not stored
};
struct ThreadStacks {
  std::vector<DomainStack> by_domain;  // index = domain index
  DomainStack& For(uint64_t domain) {
    if (domain >= by_domain.size()) by_domain.resize(domain + 1);
    return by_domain[domain];
  }
};
ThreadStacks& Stacks() {
  thread_local ThreadStacks s;
  return s;
}

int Push(uint64_t domain, const Message& m) noexcept {
  try {
    DomainStack& st = Stacks().For(domain);
    const auto level = static_cast<int>(st.frames.size() + st.overflow);
    if (st.frames.size() >= kMaxDepth) {
      ++st.overflow;
      if (Active()) Count().dropped_ranges.fetch_add(1, std::memory_order_relaxed);
      return level;
    }
    Frame f;
    if (Active()) {
      f.recorded = true;
      f.start_ns = TraceClockNs();
      f.attr = Decode(m);
    }
    st.frames.push_back(std::move(f));
    return level;
  } catch (...) {
    return -1;
  }
}

int Pop(uint64_t domain) noexcept {
  try {
    DomainStack& st = Stacks().For(domain);
    if (st.overflow > 0) {
      --st.overflow;
      return static_cast<int>(st.frames.size() + st.overflow);
    }
    if (st.frames.empty()) return -1;  // pop without push: NVTX's documented error value
    Frame f = std::move(st.frames.back());
    st.frames.pop_back();
    const int level = static_cast<int>(st.frames.size());
    if (f.recorded && Active()) {
      NvtxRangeEvent e;
      e.end_ns = TraceClockNs();
      e.start_ns = f.start_ns;
      e.tid = ThreadId();
      e.push_pop = true;
      e.domain = DomainFor(domain).name;
      e.text = std::move(f.attr.text);
      e.category = f.attr.category;
      e.color = f.attr.color;
      e.payload_kind = f.attr.payload_kind;
      e.payload = f.attr.payload;
      e.depth = level;
      PostHostEvent(std::move(e));
    }
    return level;
  } catch (...) {
    return -1;
  }
}

// ---------------------------------------------------------------------------------------------
// Start/end ranges: id -> open range, sharded to keep cross-thread contention low.
struct OpenRange {
  uint64_t tid = 0;
  uint64_t domain = 0;
  int64_t start_ns = 0;
  Attr attr;
};
struct Shard {
  std::mutex mu;
  std::unordered_map<uint64_t, OpenRange> open;
};
struct OpenRanges {
  std::atomic<uint64_t> next_id{1};
  std::array<Shard, kOpenRangeShards> shards;
};
OpenRanges& Ranges() {
  static auto* r = new OpenRanges;
  return *r;
}

nvtxRangeId_t Start(uint64_t domain, const Message& m) noexcept {
  auto& ranges = Ranges();
  const uint64_t id = ranges.next_id.fetch_add(1, std::memory_order_relaxed);
  try {
    if (!Active()) return id;  // unique id, nothing stored
    OpenRange r;
    r.start_ns = TraceClockNs();
    r.tid = ThreadId();
    r.domain = domain;
    r.attr = Decode(m);
    auto& count = Count().open_ranges;
    if (count.fetch_add(1, std::memory_order_relaxed) >= kMaxOpenRanges) {
      count.fetch_sub(1, std::memory_order_relaxed);
      Count().dropped_ranges.fetch_add(1, std::memory_order_relaxed);
      return id;
    }
    Shard& s = ranges.shards[id % kOpenRangeShards];
    std::lock_guard<std::mutex> lock(s.mu);
    s.open.emplace(id, std::move(r));
  } catch (...) {
  }
  return id;
}

void End(nvtxRangeId_t id) noexcept {
  try {
    const int64_t end_ns = Active() ? TraceClockNs() : 0;
    OpenRange r;
    {
      Shard& s = Ranges().shards[id % kOpenRangeShards];
      std::lock_guard<std::mutex> lock(s.mu);
      auto it = s.open.find(id);
      if (it == s.open.end()) return;  // unknown id, started while inactive, or ended twice
      r = std::move(it->second);
      s.open.erase(it);
    }
    Count().open_ranges.fetch_sub(1, std::memory_order_relaxed);
    if (end_ns == 0) return;  // collection stopped meanwhile
    NvtxRangeEvent e;
    e.tid = r.tid;
    e.push_pop = false;
    e.domain = DomainFor(r.domain).name;
    e.text = std::move(r.attr.text);
    e.category = r.attr.category;
    e.color = r.attr.color;
    e.payload_kind = r.attr.payload_kind;
    e.payload = r.attr.payload;
    e.start_ns = r.start_ns;
    e.end_ns = end_ns;
    e.depth = 0;
    PostHostEvent(std::move(e));
  } catch (...) {
  }
}

// ---------------------------------------------------------------------------------------------
// Marks, routing marks.
void PostRouting(std::string_view text, int64_t time_ns) {
  auto parsed = ParseRoutingMark(text);
  if (!parsed) {
    Count().bad_routing.fetch_add(1, std::memory_order_relaxed);
    PostHostEvent(DropEvent{"nvtx", "bad routing mark", 1});
    return;
  }
  Count().routing.fetch_add(1, std::memory_order_relaxed);
  RoutingEvent e;
  e.step = parsed->step;
  e.layer = parsed->layer;
  e.microbatch = parsed->microbatch;
  e.rank = parsed->rank.value_or(EnvironmentRank());
  e.first_expert = parsed->first_expert;
  e.tokens = std::move(parsed->tokens);
  e.time_ns = time_ns;
  PostHostEvent(std::move(e));
}

void Mark(uint64_t domain, const Message& m) noexcept {
  try {
    if (!Active()) return;
    const int64_t t = TraceClockNs();
    Attr a = Decode(m);
    const DomainInfo& d = DomainFor(domain);
    // Routing marks: domain "moeprof", or the default domain for emitters that cannot choose a
    // domain (torch.cuda.nvtx.mark). They go to the routing table only (docs/ROUTING-MARK.md).
    if ((domain == 0 || d.is_moeprof) && IsRoutingMarkText(a.text)) {
      PostRouting(a.text, t);
      return;
    }
    NvtxMarkEvent e;
    e.tid = ThreadId();
    e.domain = d.name;
    e.text = std::move(a.text);
    e.category = a.category;
    e.color = a.color;
    e.payload_kind = a.payload_kind;
    e.payload = a.payload;
    e.time_ns = t;
    PostHostEvent(std::move(e));
  } catch (...) {
  }
}

// ---------------------------------------------------------------------------------------------
// Names.
void NameThread(uint32_t tid, std::string name) noexcept {
  try {
    const bool active = Active();  // before storing: a start transition re-posts stored names
    {
      std::lock_guard<std::mutex> lock(Names().mu);
      auto& m = Names().threads;
      if (m.size() < kMaxNames || m.count(tid) != 0) m[tid] = name;
    }
    if (active) PostHostEvent(ThreadNameEvent{tid, std::move(name)});
  } catch (...) {
  }
}

void NameStream(const void* stream, std::string name) noexcept {
  try {
    const auto handle = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(stream));
    const bool active = Active();
    {
      std::lock_guard<std::mutex> lock(Names().mu);
      auto& m = Names().streams;
      if (m.size() < kMaxNames || m.count(handle) != 0) m[handle] = name;
    }
    if (active) PostHostEvent(StreamNameEvent{handle, 0, false, std::move(name)});
  } catch (...) {
  }
}

void NameCategory(uint64_t domain, uint32_t category, std::string name) noexcept {
  try {
    std::lock_guard<std::mutex> lock(Names().mu);
    auto& m = Names().categories;
    auto key = std::make_pair(DomainFor(domain).name, category);
    if (m.size() < kMaxNames || m.count(key) != 0) m[std::move(key)] = std::move(name);
  } catch (...) {
  }
}

nvtxDomainHandle_t CreateDomain(std::string name) noexcept {
  try {
    auto& r = Domains();
    std::lock_guard<std::mutex> lock(r.mu);
    auto it = r.by_name.find(name);
    uint64_t h = 0;
    if (it != r.by_name.end()) {
      h = it->second;
    } else {
      auto* d = new DomainInfo{name, name == "moeprof"};
      h = r.table.Add(d);
      if (h == 0) {
        delete d;
        return nullptr;  // table full: events land in the default domain
      }
      r.by_name.emplace(std::move(name), h);
    }
    return reinterpret_cast<nvtxDomainHandle_t>(static_cast<uintptr_t>(h));
  } catch (...) {
    return nullptr;
  }
}

nvtxStringHandle_t RegisterString(nvtxDomainHandle_t domain, std::string text) noexcept {
  try {
    auto& r = Strings();
    std::string key = std::to_string(DomainIndex(domain));
    key += '\n';
    key += text;
    std::lock_guard<std::mutex> lock(r.mu);
    auto it = r.by_key.find(key);
    uint64_t h = 0;
    if (it != r.by_key.end()) {
      h = it->second;
    } else {
      auto* s = new std::string(std::move(text));
      h = r.table.Add(s);
      if (h == 0) {
        delete s;
        return nullptr;  // full: messages using it decode as ""
      }
      r.by_key.emplace(std::move(key), h);
    }
    return reinterpret_cast<nvtxStringHandle_t>(static_cast<uintptr_t>(h));
  } catch (...) {
    return nullptr;
  }
}

// ---------------------------------------------------------------------------------------------
// The handlers, with NVTX's exact signatures (nvtxDetail/nvtxTypes.h).
void H_MarkEx(const nvtxEventAttributes_t* a) { Mark(0, {a, nullptr, nullptr}); }
void H_MarkA(const char* s) { Mark(0, {nullptr, s, nullptr}); }
void H_MarkW(const wchar_t* s) { Mark(0, {nullptr, nullptr, s}); }
nvtxRangeId_t H_RangeStartEx(const nvtxEventAttributes_t* a) { return Start(0, {a, nullptr, nullptr}); }
nvtxRangeId_t H_RangeStartA(const char* s) { return Start(0, {nullptr, s, nullptr}); }
nvtxRangeId_t H_RangeStartW(const wchar_t* s) { return Start(0, {nullptr, nullptr, s}); }
void H_RangeEnd(nvtxRangeId_t id) { End(id); }
int H_RangePushEx(const nvtxEventAttributes_t* a) { return Push(0, {a, nullptr, nullptr}); }
int H_RangePushA(const char* s) { return Push(0, {nullptr, s, nullptr}); }
int H_RangePushW(const wchar_t* s) { return Push(0, {nullptr, nullptr, s}); }
int H_RangePop() { return Pop(0); }
void H_NameCategoryA(uint32_t c, const char* n) { NameCategory(0, c, Ascii(n)); }
void H_NameCategoryW(uint32_t c, const wchar_t* n) { NameCategory(0, c, Utf8FromWide(n)); }
void H_NameOsThreadA(uint32_t t, const char* n) { NameThread(t, Ascii(n)); }
void H_NameOsThreadW(uint32_t t, const wchar_t* n) { NameThread(t, Utf8FromWide(n)); }

void H_DomainMarkEx(nvtxDomainHandle_t d, const nvtxEventAttributes_t* a) {
  Mark(DomainIndex(d), {a, nullptr, nullptr});
}
nvtxRangeId_t H_DomainRangeStartEx(nvtxDomainHandle_t d, const nvtxEventAttributes_t* a) {
  return Start(DomainIndex(d), {a, nullptr, nullptr});
}
void H_DomainRangeEnd(nvtxDomainHandle_t, nvtxRangeId_t id) { End(id); }  // ids are global
int H_DomainRangePushEx(nvtxDomainHandle_t d, const nvtxEventAttributes_t* a) {
  return Push(DomainIndex(d), {a, nullptr, nullptr});
}
int H_DomainRangePop(nvtxDomainHandle_t d) { return Pop(DomainIndex(d)); }
void H_DomainNameCategoryA(nvtxDomainHandle_t d, uint32_t c, const char* n) {
  NameCategory(DomainIndex(d), c, Ascii(n));
}
void H_DomainNameCategoryW(nvtxDomainHandle_t d, uint32_t c, const wchar_t* n) {
  NameCategory(DomainIndex(d), c, Utf8FromWide(n));
}
nvtxStringHandle_t H_DomainRegisterStringA(nvtxDomainHandle_t d, const char* s) {
  return RegisterString(d, Ascii(s));
}
nvtxStringHandle_t H_DomainRegisterStringW(nvtxDomainHandle_t d, const wchar_t* s) {
  return RegisterString(d, Utf8FromWide(s));
}
nvtxDomainHandle_t H_DomainCreateA(const char* n) { return CreateDomain(Ascii(n)); }
nvtxDomainHandle_t H_DomainCreateW(const wchar_t* n) { return CreateDomain(Utf8FromWide(n)); }
// Domains stay registered after destroy: handles may still be in flight on other threads, and a
// re-created domain of the same name gets the same handle anyway.
void H_DomainDestroy(nvtxDomainHandle_t) {}
void H_Initialize(const void*) {}

void H_NameCuStreamA(nvtx_CUstream s, const char* n) { NameStream(s, Ascii(n)); }
void H_NameCuStreamW(nvtx_CUstream s, const wchar_t* n) { NameStream(s, Utf8FromWide(n)); }
void H_NameCudaStreamA(nvtx_cudaStream_t s, const char* n) { NameStream(s, Ascii(n)); }
void H_NameCudaStreamW(nvtx_cudaStream_t s, const wchar_t* n) { NameStream(s, Utf8FromWide(n)); }

// Writes one handler into a module table; ids beyond what this NVTX instance knows are skipped.
template <typename Fn>
void Set(NvtxFunctionTable table, unsigned int last_id, unsigned int id, Fn fn) {
  if (table == nullptr || id == 0 || id > last_id || table[id] == nullptr) return;
  *table[id] = reinterpret_cast<NvtxFunctionPointer>(fn);
}

bool ModuleTable(const NvtxExportTableCallbacks* cb, NvtxCallbackModule module,
                 NvtxFunctionTable* table, unsigned int* last_id) {
  *table = nullptr;
  *last_id = 0;
  return cb->GetModuleFunctionTable(module, table, last_id) != 0 && *table != nullptr;
}

}  // namespace

int InstallHandlers(GetExportTableFn get_export_table) noexcept {
  try {
    if (get_export_table == nullptr) return 0;
    const auto* cb =
        static_cast<const NvtxExportTableCallbacks*>(get_export_table(NVTX_ETID_CALLBACKS));
    if (cb == nullptr || cb->struct_size < sizeof(NvtxExportTableCallbacks) ||
        cb->GetModuleFunctionTable == nullptr)
      return 0;

    NvtxFunctionTable t = nullptr;
    unsigned int n = 0;
    if (!ModuleTable(cb, NVTX_CB_MODULE_CORE, &t, &n)) return 0;
    Set(t, n, NVTX_CBID_CORE_MarkEx, &H_MarkEx);
    Set(t, n, NVTX_CBID_CORE_MarkA, &H_MarkA);
    Set(t, n, NVTX_CBID_CORE_MarkW, &H_MarkW);
    Set(t, n, NVTX_CBID_CORE_RangeStartEx, &H_RangeStartEx);
    Set(t, n, NVTX_CBID_CORE_RangeStartA, &H_RangeStartA);
    Set(t, n, NVTX_CBID_CORE_RangeStartW, &H_RangeStartW);
    Set(t, n, NVTX_CBID_CORE_RangeEnd, &H_RangeEnd);
    Set(t, n, NVTX_CBID_CORE_RangePushEx, &H_RangePushEx);
    Set(t, n, NVTX_CBID_CORE_RangePushA, &H_RangePushA);
    Set(t, n, NVTX_CBID_CORE_RangePushW, &H_RangePushW);
    Set(t, n, NVTX_CBID_CORE_RangePop, &H_RangePop);
    Set(t, n, NVTX_CBID_CORE_NameCategoryA, &H_NameCategoryA);
    Set(t, n, NVTX_CBID_CORE_NameCategoryW, &H_NameCategoryW);
    Set(t, n, NVTX_CBID_CORE_NameOsThreadA, &H_NameOsThreadA);
    Set(t, n, NVTX_CBID_CORE_NameOsThreadW, &H_NameOsThreadW);

    if (!ModuleTable(cb, NVTX_CB_MODULE_CORE2, &t, &n)) return 0;
    Set(t, n, NVTX_CBID_CORE2_DomainMarkEx, &H_DomainMarkEx);
    Set(t, n, NVTX_CBID_CORE2_DomainRangeStartEx, &H_DomainRangeStartEx);
    Set(t, n, NVTX_CBID_CORE2_DomainRangeEnd, &H_DomainRangeEnd);
    Set(t, n, NVTX_CBID_CORE2_DomainRangePushEx, &H_DomainRangePushEx);
    Set(t, n, NVTX_CBID_CORE2_DomainRangePop, &H_DomainRangePop);
    Set(t, n, NVTX_CBID_CORE2_DomainNameCategoryA, &H_DomainNameCategoryA);
    Set(t, n, NVTX_CBID_CORE2_DomainNameCategoryW, &H_DomainNameCategoryW);
    Set(t, n, NVTX_CBID_CORE2_DomainRegisterStringA, &H_DomainRegisterStringA);
    Set(t, n, NVTX_CBID_CORE2_DomainRegisterStringW, &H_DomainRegisterStringW);
    Set(t, n, NVTX_CBID_CORE2_DomainCreateA, &H_DomainCreateA);
    Set(t, n, NVTX_CBID_CORE2_DomainCreateW, &H_DomainCreateW);
    Set(t, n, NVTX_CBID_CORE2_DomainDestroy, &H_DomainDestroy);
    Set(t, n, NVTX_CBID_CORE2_Initialize, &H_Initialize);
    // DomainResourceCreate/Destroy stay NVTX's no-ops: resource naming is not in the trace.

    // Stream naming: optional, an instance may be built without the CUDA modules.
    if (ModuleTable(cb, NVTX_CB_MODULE_CUDA, &t, &n)) {
      Set(t, n, NVTX_CBID_CUDA_NameCuStreamA, &H_NameCuStreamA);
      Set(t, n, NVTX_CBID_CUDA_NameCuStreamW, &H_NameCuStreamW);
    }
    if (ModuleTable(cb, NVTX_CB_MODULE_CUDART, &t, &n)) {
      Set(t, n, NVTX_CBID_CUDART_NameCudaStreamA, &H_NameCudaStreamA);
      Set(t, n, NVTX_CBID_CUDART_NameCudaStreamW, &H_NameCudaStreamW);
    }

    // Tell the instance which tool version attached (NVTX asks tools to; currently ignored).
    const auto* vi =
        static_cast<const NvtxExportTableVersionInfo*>(get_export_table(NVTX_ETID_VERSIONINFO));
    if (vi != nullptr && vi->struct_size >= sizeof(NvtxExportTableVersionInfo) &&
        vi->SetInjectionNvtxVersion != nullptr)
      vi->SetInjectionNvtxVersion(NVTX_VERSION);
    return 1;
  } catch (...) {
    return 0;
  }
}

std::string CategoryName(const std::string& domain, uint32_t category) {
  std::lock_guard<std::mutex> lock(Names().mu);
  auto it = Names().categories.find({domain, category});
  return it == Names().categories.end() ? std::string() : it->second;
}

NvtxStats Stats() noexcept {
  NvtxStats s;
  s.open_start_end_ranges = Count().open_ranges.load(std::memory_order_relaxed);
  s.dropped_ranges = Count().dropped_ranges.load(std::memory_order_relaxed);
  s.bad_routing_marks = Count().bad_routing.load(std::memory_order_relaxed);
  s.routing_marks = Count().routing.load(std::memory_order_relaxed);
  return s;
}

int64_t EnvironmentRank() noexcept {
  static const int64_t rank = [] {
    for (const char* var : {"RANK", "OMPI_COMM_WORLD_RANK", "PMI_RANK", "SLURM_PROCID"}) {
      const char* v = std::getenv(var);
      if (v == nullptr || *v == '\0') continue;
      char* end = nullptr;
      const long long r = std::strtoll(v, &end, 10);
      if (end != nullptr && *end == '\0' && r >= 0) return static_cast<int64_t>(r);
    }
    return int64_t{0};
  }();
  return rank;
}

}  // namespace moeprof::collector::nvtx
