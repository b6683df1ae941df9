// The collector runtime: the one process-wide instance behind Start/Stop, the injection entry and
// the host-event functions. Owns the buffer pool, the queue, the CUPTI session and the writer
// thread (parser -> correlator -> TraceWriter, commits every flush period). State machine:
//   idle -> active -> (stopping) -> idle;  active -> failed (writer error: collection off, file kept)
//   any -> dead (forked child: never touches the parent's CUPTI state or SQLite connection).
// Leaked on purpose so that callbacks arriving during exit never see a destroyed object.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "activity_parser.h"
#include "buffer_pool.h"
#include "correlator.h"
#include "cupti_api.h"
#include "cupti_session.h"
#include "host_events.h"
#include "moeprof/collector/collector.h"
#include "moeprof/schemas/trace_writer.h"
#include "process_info.h"
#include "work_queue.h"

namespace moeprof::collector {

struct RuntimeHooks {
  // Tests replace CUPTI and the driver probe; production uses RealCupti / ProbeCudaDriver.
  CuptiApi* cupti = nullptr;
  DriverProbe (*probe_driver)() = nullptr;
};

class Runtime {
 public:
  static Runtime& Get();
  // A private instance for tests (not the process singleton); never use both on real CUPTI.
  explicit Runtime(const RuntimeHooks& hooks);

  Status Start(const Options& options);
  Status Stop();
  bool active() const { return state_.load() == kActive; }
  std::string trace_path() const;

  void Post(HostEvent&& event);
  void PushExternal(uint32_t kind, uint64_t id);
  void PopExternal(uint32_t kind);
  int64_t ClockNs();
  void OnForkChild();

  // Test access: hand a buffer (copied into a pool buffer) to the writer thread as if CUPTI had
  // completed it.
  bool InjectBufferForTest(const uint8_t* data, size_t bytes);

 private:
  enum State { kIdle = 0, kActive = 1, kStopping = 2, kFailed = 3, kDead = 4 };
  void WriterLoop();
  void ProcessBatch(std::vector<CompletedBuffer>& buffers, std::vector<HostEvent>& events);
  void FailWriter(const Status& status);
  void Finish(std::vector<schemas::DropRow> session_drops);
  void Say(const std::string& line, bool info = false);
  void AddClockSync(const char* label);

  RuntimeHooks hooks_;
  std::mutex control_mu_;
  std::atomic<int> state_{kIdle};
  std::atomic<bool> forked_child_{false};
  Options options_;
  std::string path_;

  std::unique_ptr<BufferPool> pool_;
  WorkQueue queue_;
  std::unique_ptr<CuptiSession> session_;
  std::unique_ptr<schemas::TraceWriter> writer_;
  std::unique_ptr<Correlator> correlator_;
  std::unique_ptr<ActivityParser> parser_;
  std::thread writer_thread_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> writer_failed_{false};
  bool registered_exit_handlers_ = false;
};

}  // namespace moeprof::collector
