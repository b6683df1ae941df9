// Loads a run on a worker thread (QThread::create around LoadRunData) and reports back on the
// thread that owns the loader. One load at a time: starting another cancels the previous one.
// Cancel() sets the flag LoadRunData checks between phases and forgets the job, so a result that
// arrives later is dropped; the thread finishes on its own and deletes itself. No widgets.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <QObject>
#include <QString>
#include <QStringList>

#include "models/run_data.h"

namespace moeprof::gui {

class AsyncLoader : public QObject {
  Q_OBJECT
 public:
  explicit AsyncLoader(QObject* parent = nullptr);
  ~AsyncLoader() override;

  void Start(const QStringList& inputs);
  void Cancel();
  bool busy() const { return job_ != nullptr; }

 signals:
  void progress(const QString& phase, int percent);
  void loaded(std::shared_ptr<const moeprof::gui::RunData> data);
  void failed(const QString& message);
  void cancelled();

 private:
  struct Job {
    std::atomic<bool> cancel{false};
    uint64_t id = 0;
  };
  std::shared_ptr<Job> job_;
  uint64_t next_id_ = 1;
};

}  // namespace moeprof::gui
