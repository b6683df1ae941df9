// Runtime: Start/Stop sequencing, the writer thread and the extern functions of host_events.h and
// collector.h. Nothing here throws out: every public entry catches everything.
#include "runtime.h"

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "nvtx/nvtx_capture.h"
#include "self_check.h"

namespace moeprof::collector {
namespace {

bool EndsWith(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// mkdir -p; "" on success, else the error.
std::string MakeDirs(const std::string& dir) {
  if (dir.empty()) return "";
  std::string cur;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    cur = dir.substr(0, pos);
    if (cur.empty()) continue;
    if (mkdir(cur.c_str(), 0777) != 0 && errno != EEXIST) {
      return cur + ": " + std::strerror(errno);
    }
  }
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return dir + ": not a directory";
  return "";
}

void RemoveTraceFiles(const std::string& path) {
  if (path.empty()) return;
  unlink(path.c_str());
  unlink((path + "-wal").c_str());
  unlink((path + "-shm").c_str());
  unlink((path + "-journal").c_str());
}

void AtExitStop() {
  try {
    (void)Runtime::Get().Stop();
  } catch (...) {
  }
}

void AtForkChild() { Runtime::Get().OnForkChild(); }

}  // namespace

Runtime& Runtime::Get() {
  static Runtime* runtime = new Runtime(TestModeWithoutCupti()
      ? RuntimeHooks{&NullCupti(), [] { return DriverProbe{true, 0, "test mode without CUPTI"}; }}
      : RuntimeHooks{});
  return *runtime;
}

Runtime::Runtime(const RuntimeHooks& hooks) : hooks_(hooks) {
  if (hooks_.cupti == nullptr) hooks_.cupti = &RealCupti();
  if (hooks_.probe_driver == nullptr) hooks_.probe_driver = &ProbeCudaDriver;
}

std::string Runtime::trace_path() const {
  const int s = state_.load();
  return (s == kActive || s == kFailed) ? path_ : std::string();
}

void Runtime::Say(const std::string& line, bool info) {
  if (info && options_.quiet) return;
  std::fprintf(stderr, "%s\n", line.c_str());
}

int64_t Runtime::ClockNs() {
  uint64_t t = 0;
  if (hooks_.cupti->GetTimestamp(&t) != CUPTI_SUCCESS) return RealtimeNs();
  return static_cast<int64_t>(t);
}

void Runtime::AddClockSync(const char* label) {
  schemas::ClockSyncRow row;
  row.label = label;
  row.realtime_ns = RealtimeNs();
  row.trace_ns = ClockNs();
  row.monotonic_ns = MonotonicNs();
  writer_->AddClockSync(row);
}

Status Runtime::Start(const Options& options) {
  std::lock_guard<std::mutex> lock(control_mu_);
  if (forked_child_.load()) return Status(ErrorCode::kUnavailable, "forked child: collector disabled");
  if (state_.load() != kIdle) return Status(ErrorCode::kInvalidArgument, "moeprof collector already started");
  options_ = options;
  auto refuse = [&](ErrorCode code, const std::string& line) {
    Say(line);
    return Status(code, line);
  };

  if (std::string why = CheckCuptiVersion(*hooks_.cupti); !why.empty()) {
    return refuse(ErrorCode::kUnavailable, "moeprof: " + why + "; nothing recorded");
  }
  if (std::string why = CheckRecordStrides(); !why.empty()) {
    return refuse(ErrorCode::kUnavailable, "moeprof: " + why + "; nothing recorded");
  }
  const DriverProbe driver = hooks_.probe_driver();
  if (!driver.present) return refuse(ErrorCode::kUnavailable, "moeprof: no CUDA driver found; nothing recorded");

  std::string unknown_kinds;
  SessionConfig config = ConfigFromKinds(options.kinds, options.graph_trace, &unknown_kinds);
  config.flush_period_ms = options.flush_period_ms > 0 ? options.flush_period_ms : 500;
  if (!unknown_kinds.empty()) {
    Say("moeprof: ignoring unknown kinds: " + unknown_kinds +
        " (known: kernel,memcpy,memset,sync,event,runtime,driver,external,device,context,stream,overhead,graph)");
  }

  // Output path.
  const ProcessInfo proc = CurrentProcessInfo();
  std::string path = options.output.empty() ? std::string("moeprof-trace") : options.output;
  if (EndsWith(path, ".sqlite") || EndsWith(path, ".db")) {
    const size_t slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) {
      if (std::string err = MakeDirs(path.substr(0, slash)); !err.empty()) {
        return refuse(ErrorCode::kIo, "moeprof: cannot create output directory " + err + "; nothing recorded");
      }
    }
  } else {
    if (std::string err = MakeDirs(path); !err.empty()) {
      return refuse(ErrorCode::kIo, "moeprof: cannot create output directory " + err + "; nothing recorded");
    }
    path += "/" + TraceFileName(proc);
  }

  const int64_t origin = ClockNs();
  schemas::WriterOptions wo;
  wo.commit_interval_ms = config.flush_period_ms;
  wo.overwrite = true;
  wo.origin_ns = origin;
  wo.clock = "CLOCK_REALTIME";  // cuptiGetTimestamp is CLOCK_REALTIME on Linux
  auto created = schemas::TraceWriter::Create(path, wo);
  if (!created.ok()) {
    return refuse(ErrorCode::kIo, "moeprof: cannot create trace " + path + ": " +
                                      created.status().message() + "; nothing recorded");
  }
  writer_ = std::move(created.value());
  path_ = path;

  // Meta and the process row.
  uint32_t cupti_version = 0;
  hooks_.cupti->GetVersion(&cupti_version);
  (void)writer_->SetMeta("backend", "cuda");
  (void)writer_->SetMeta("collector", "moeprof " MOEPROF_VERSION);
  (void)writer_->SetMeta("cupti_version", std::to_string(cupti_version));
  (void)writer_->SetMeta("driver_version", std::to_string(driver.version));
  (void)writer_->SetMeta("cuda_version", std::to_string(CUDA_VERSION));
  (void)writer_->SetMeta("host", proc.host);
  (void)writer_->SetMeta("pid", std::to_string(proc.pid));
  if (proc.rank) (void)writer_->SetMeta("rank", std::to_string(*proc.rank));
  if (proc.local_rank) (void)writer_->SetMeta("local_rank", std::to_string(*proc.local_rank));
  if (proc.world_size) (void)writer_->SetMeta("world_size", std::to_string(*proc.world_size));
  (void)writer_->SetMeta("flush_period_ms", std::to_string(config.flush_period_ms));
  (void)writer_->SetMeta("graph_trace", config.graph ? "1" : "0");
  schemas::ProcessRow prow;
  prow.pid = proc.pid;
  prow.host = proc.host;
  prow.rank = proc.rank;
  prow.local_rank = proc.local_rank;
  prow.world_size = proc.world_size;
  const int64_t process_id = writer_->AddProcess(prow);
  AddClockSync("start");

  CorrelatorOptions co;
  co.origin_ns = origin;
  co.process_id = process_id;
  co.pending_timeout = std::chrono::milliseconds(std::max(2000, 4 * config.flush_period_ms));
  correlator_ = std::make_unique<Correlator>(*writer_, co);
  parser_ = std::make_unique<ActivityParser>(*correlator_);
  if (!pool_ || pool_->buffer_bytes() < options.buffer_bytes) {
    // A pool from an earlier session is kept (CUPTI may still hold its buffers).
    pool_ = std::make_unique<BufferPool>(options.buffer_bytes, options.max_buffer_memory);
  }
  pool_->Preallocate(2);
  if (!session_) session_ = std::make_unique<CuptiSession>(*hooks_.cupti, *pool_, queue_);
  CuptiSession* session = session_.get();
  correlator_->SetStreamHandleResolver([session](uint64_t h) { return session->StreamIdForHandle(h); });
  (void)writer_->Commit();

  {
    // Host events that raced with an earlier Stop belong to no trace.
    std::vector<CompletedBuffer> stale_buffers;
    std::vector<HostEvent> stale_events;
    queue_.WaitAndTake(std::chrono::milliseconds(0), stale_buffers, stale_events);
    for (CompletedBuffer& b : stale_buffers) pool_->Release(b.data);
  }
  stop_requested_.store(false);
  writer_failed_.store(false);
  state_.store(kActive);
  writer_thread_ = std::thread([this] { WriterLoop(); });

  SessionStartResult sr = session_->Start(config);
  if (sr.outcome != SessionStart::kOk) {
    state_.store(kStopping);
    stop_requested_.store(true);
    queue_.Wake();
    writer_thread_.join();
    parser_.reset();
    correlator_.reset();
    (void)writer_->Close();
    writer_.reset();
    RemoveTraceFiles(path_);  // nothing was recorded: leave nothing behind
    path_.clear();
    state_.store(kIdle);
    return refuse(sr.outcome == SessionStart::kNoDriver ? ErrorCode::kUnavailable : ErrorCode::kInternal,
                  sr.message);
  }
  for (const std::string& w : sr.warnings) Say(w);

  if (!registered_exit_handlers_ && this == &Get()) {
    registered_exit_handlers_ = true;
    std::atexit(&AtExitStop);
    pthread_atfork(nullptr, nullptr, &AtForkChild);
  }
  Say("moeprof: recording to " + path_, /*info=*/true);
  return Status::Ok();
}

void Runtime::WriterLoop() {
  std::vector<CompletedBuffer> buffers;
  std::vector<HostEvent> events;
  const auto period = std::chrono::milliseconds(std::max(10, options_.flush_period_ms));
  for (;;) {
    const bool stopping = stop_requested_.load();
    queue_.WaitAndTake(stopping ? std::chrono::milliseconds(0) : period, buffers, events);
    try {
      ProcessBatch(buffers, events);
    } catch (...) {
      FailWriter(Status(ErrorCode::kInternal, "unexpected exception in the writer thread"));
    }
    if (stopping) break;
  }
}

void Runtime::ProcessBatch(std::vector<CompletedBuffer>& buffers, std::vector<HostEvent>& events) {
  const bool ok = !writer_failed_.load();
  for (CompletedBuffer& b : buffers) {
    if (ok) parser_->Parse(b.data, b.valid_bytes);
    pool_->Release(b.data);
  }
  if (!ok) return;  // after a writer failure buffers are only recycled
  for (HostEvent& e : events) correlator_->OnHostEvent(std::move(e));
  correlator_->Tick(std::chrono::steady_clock::now());
  Status st = writer_->MaybeCommit();
  if (st.ok() && !writer_->error().ok()) st = writer_->error();
  if (!st.ok()) FailWriter(st);
}

void Runtime::FailWriter(const Status& status) {
  if (writer_failed_.exchange(true)) return;
  Say("moeprof: writing " + path_ + " failed (" + status.message() +
      "); collection stopped, the trace keeps everything committed so far");
  int expected = kActive;
  state_.compare_exchange_strong(expected, kFailed);
  if (session_) session_->DisableActivity();  // no locks of ours held here
}

bool Runtime::InjectBufferForTest(const uint8_t* data, size_t bytes) {
  if (state_.load() != kActive || !pool_ || bytes > pool_->buffer_bytes()) return false;
  uint8_t* b = pool_->Acquire();
  if (b == nullptr) return false;
  std::memcpy(b, data, bytes);
  queue_.PushBuffer({b, bytes});
  return true;
}

void Runtime::Finish(std::vector<schemas::DropRow> session_drops) {
  correlator_->Finish();
  for (const schemas::DropRow& d : session_drops) writer_->AddDrop(d);
  if (const int64_t refused = pool_->refused(); refused > 0) {
    schemas::DropRow d;
    d.source = "cupti";
    d.reason = "buffer request refused (MOEPROF_MAX_BUFFER_MB reached)";
    d.count = refused;
    writer_->AddDrop(d);
  }
  if (const int64_t lost = queue_.dropped_host_events(); lost > 0) {
    schemas::DropRow d;
    d.source = "writer";
    d.reason = "host event queue full";
    d.count = lost;
    writer_->AddDrop(d);
  }
  (void)writer_->SetMeta("nccl_attribution", correlator_->nccl_plugin_seen() ? "plugin" : "kernel-name");
  AddClockSync("end");
}

Status Runtime::Stop() {
  if (forked_child_.load()) return Status::Ok();
  std::lock_guard<std::mutex> lock(control_mu_);
  const int s = state_.load();
  if (s != kActive && s != kFailed) return Status::Ok();
  state_.store(kStopping);
  std::vector<schemas::DropRow> drops = session_->Stop();  // buffers are queued when it returns
  stop_requested_.store(true);
  queue_.Wake();
  if (writer_thread_.joinable()) writer_thread_.join();
  Status result = Status::Ok();
  if (!writer_failed_.load()) {
    try {
      Finish(std::move(drops));
    } catch (...) {
    }
  }
  parser_.reset();
  correlator_.reset();
  Status closed = writer_->Close();
  if (!writer_failed_.load() && !closed.ok()) {
    Say("moeprof: closing " + path_ + " failed (" + closed.message() + ")");
    result = closed;
  }
  writer_.reset();
  state_.store(kIdle);
  return result;
}

void Runtime::Post(HostEvent&& event) {
  if (state_.load() != kActive) return;
  queue_.PushHostEvent(std::move(event));
}

void Runtime::PushExternal(uint32_t kind, uint64_t id) {
  if (state_.load() != kActive) return;
  hooks_.cupti->PushExternalCorrelationId(static_cast<CUpti_ExternalCorrelationKind>(kind), id);
}

void Runtime::PopExternal(uint32_t kind) {
  if (state_.load() != kActive) return;
  uint64_t last = 0;
  hooks_.cupti->PopExternalCorrelationId(static_cast<CUpti_ExternalCorrelationKind>(kind), &last);
}

void Runtime::OnForkChild() {
  // Runs in the child right after fork(): the parent's threads do not exist here and its locks
  // may be held forever. Touch nothing but atomics.
  forked_child_.store(true);
  state_.store(kDead);
  if (session_) session_->MarkForkedChild();
}

// Driver-less test mode (MOEPROF_TEST_NO_CUPTI=1): no cuInit will come to call
// InitializeInjection, so the collector starts when the library is loaded (by NVTX's dlopen of
// NVTX_INJECTION64_PATH, or at program start when linked).
__attribute__((constructor)) void StartInTestModeWithoutCupti() {
  if (!TestModeWithoutCupti()) return;
  try {
    (void)Start(OptionsFromEnvironment());
  } catch (...) {
  }
}

// ---- collector.h ----

Status Start(const Options& options) {
  try {
    // Linked mode: referencing the NVTX object pulls its strong InitializeInjectionNvtx2_fnptr
    // out of the static archive, so the program's own NVTX calls reach this collector without
    // NVTX_INJECTION64_PATH (which would load a second, separate collector).
    if (options.nvtx) (void)nvtx::StaticInjectionLinked();
    return Runtime::Get().Start(options);
  } catch (...) {
    return Status(ErrorCode::kInternal, "moeprof: unexpected exception in Start");
  }
}

Status Stop() {
  try {
    return Runtime::Get().Stop();
  } catch (...) {
    return Status(ErrorCode::kInternal, "moeprof: unexpected exception in Stop");
  }
}

bool IsActive() { return Runtime::Get().active(); }

std::string TracePath() {
  try {
    return Runtime::Get().trace_path();
  } catch (...) {
    return "";
  }
}

// ---- host_events.h ----

void PostHostEvent(HostEvent&& event) noexcept {
  try {
    Runtime::Get().Post(std::move(event));
  } catch (...) {
  }
}

int64_t TraceClockNs() noexcept {
  try {
    return Runtime::Get().ClockNs();
  } catch (...) {
    return 0;
  }
}

bool CollectorActive() noexcept { return Runtime::Get().active(); }

void PushExternalCorrelation(uint32_t kind, uint64_t id) noexcept {
  try {
    Runtime::Get().PushExternal(kind, id);
  } catch (...) {
  }
}

void PopExternalCorrelation(uint32_t kind) noexcept {
  try {
    Runtime::Get().PopExternal(kind);
  } catch (...) {
  }
}

}  // namespace moeprof::collector
