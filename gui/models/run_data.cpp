// LoadRunData: LoadRun → RunRules → one ComputeBreakdown per rank, timing each phase. The phases
// are the natural cancellation points: LoadRun itself cannot be interrupted, so a cancel during it
// takes effect when it returns (the worker then drops the result).
#include "models/run_data.h"

#include <chrono>
#include <exception>
#include <new>

#include "moeprof/analyzer/rules.h"

namespace moeprof::gui {

namespace {

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

bool Cancelled(const std::atomic<bool>* cancel) {
  return cancel != nullptr && cancel->load(std::memory_order_relaxed);
}

Status CancelledStatus() { return Status(ErrorCode::kUnavailable, "cancelled"); }

std::string JoinInputs(const std::vector<std::string>& inputs) {
  std::string out;
  for (const auto& s : inputs) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

// Findings and breakdowns for a loaded run; shared by both entry points.
Status Analyze(RunData& data, const std::atomic<bool>* cancel, const ProgressFn& progress) {
  if (progress) progress("Running rules", 0.55);
  auto t0 = std::chrono::steady_clock::now();
  data.findings = analyzer::RunRules(data.run, analyzer::RuleOptions{});
  data.rules_seconds = SecondsSince(t0);
  if (Cancelled(cancel)) return CancelledStatus();

  t0 = std::chrono::steady_clock::now();
  const size_t n = data.run.ranks.size();
  data.breakdowns.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (progress) {
      progress("Breakdown of rank " + std::to_string(data.run.ranks[i].rank),
               0.75 + 0.25 * static_cast<double>(i) / static_cast<double>(n));
    }
    data.breakdowns.push_back(analyzer::ComputeBreakdown(data.run.ranks[i]));
    if (Cancelled(cancel)) return CancelledStatus();
  }
  data.breakdown_seconds = SecondsSince(t0);
  if (progress) progress("Done", 1.0);
  return Status::Ok();
}

}  // namespace

int RunData::RankIndex(int rank_id) const {
  for (size_t i = 0; i < run.ranks.size(); ++i) {
    if (run.ranks[i].rank == rank_id) return static_cast<int>(i);
  }
  return -1;
}

Expected<std::shared_ptr<const RunData>> LoadRunData(const std::vector<std::string>& inputs,
                                                     const std::atomic<bool>* cancel,
                                                     const ProgressFn& progress) {
  try {
    auto data = std::make_shared<RunData>();
    data->inputs = inputs;
    if (inputs.empty()) return Status(ErrorCode::kInvalidArgument, "nothing to open");
    if (progress) progress("Loading " + JoinInputs(inputs), 0.0);
    auto t0 = std::chrono::steady_clock::now();
    Expected<analyzer::Run> run = analyzer::LoadRun(inputs, analyzer::LoadOptions{});
    if (!run) return run.status();
    data->load_seconds = SecondsSince(t0);
    if (run->ranks.empty()) {
      return Status(ErrorCode::kNotATrace, JoinInputs(inputs) + ": no trace files found");
    }
    data->run = std::move(*run);
    if (Cancelled(cancel)) return CancelledStatus();
    Status st = Analyze(*data, cancel, progress);
    if (!st.ok()) return st;
    return std::shared_ptr<const RunData>(std::move(data));
  } catch (const std::bad_alloc&) {
    return Status(ErrorCode::kInternal, JoinInputs(inputs) + ": out of memory while loading");
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInternal, JoinInputs(inputs) + ": " + e.what());
  } catch (...) {
    return Status(ErrorCode::kInternal, JoinInputs(inputs) + ": unexpected error while loading");
  }
}

std::shared_ptr<const RunData> MakeRunData(analyzer::Run run, std::vector<std::string> inputs) {
  auto data = std::make_shared<RunData>();
  data->inputs = std::move(inputs);
  data->run = std::move(run);
  (void)Analyze(*data, nullptr, {});
  return data;
}

}  // namespace moeprof::gui
