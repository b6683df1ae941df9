// Worker-thread loading. Results travel back through QMetaObject::invokeMethod with a functor on
// the application object (queued into the UI thread), so no metatype registration is needed for
// RunData; the functor then checks, on the UI thread, that the loader still exists and still waits
// for this job (a QPointer is only safe to read on the thread that deletes the object).
#include "models/async_loader.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QPointer>
#include <QThread>

namespace moeprof::gui {

AsyncLoader::AsyncLoader(QObject* parent) : QObject(parent) {}

AsyncLoader::~AsyncLoader() {
  if (job_) job_->cancel = true;
}

void AsyncLoader::Start(const QStringList& inputs) {
  Cancel();
  auto job = std::make_shared<Job>();
  job->id = next_id_++;
  job_ = job;
  std::vector<std::string> paths;
  for (const QString& s : inputs) paths.push_back(s.toStdString());
  QPointer<AsyncLoader> self(this);
  QThread* thread = QThread::create([job, paths, self] {
    auto report = [job, self](const std::string& phase, double fraction) {
      if (job->cancel) return;
      const QString text = QString::fromStdString(phase);
      const int percent = static_cast<int>(fraction * 100.0);
      QMetaObject::invokeMethod(
          QCoreApplication::instance(),
          [job, self, text, percent] {
            if (self && self->job_ == job) emit self->progress(text, percent);
          },
          Qt::QueuedConnection);
    };
    Expected<std::shared_ptr<const RunData>> result = LoadRunData(paths, &job->cancel, report);
    QMetaObject::invokeMethod(
        QCoreApplication::instance(),
        [job, self, result = std::move(result)] {
          if (!self || self->job_ != job) return;  // cancelled or superseded: drop it
          self->job_.reset();
          if (job->cancel) {
            emit self->cancelled();
          } else if (result.ok()) {
            emit self->loaded(result.value());
          } else {
            emit self->failed(QString::fromStdString(result.status().message()));
          }
        },
        Qt::QueuedConnection);
  });
  connect(thread, &QThread::finished, thread, &QObject::deleteLater);
  thread->start();
}

void AsyncLoader::Cancel() {
  if (!job_) return;
  job_->cancel = true;
  job_.reset();
  emit cancelled();
}

}  // namespace moeprof::gui
