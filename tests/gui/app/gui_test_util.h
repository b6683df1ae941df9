// Helpers for the app-level GUI tests: generated traces (moeprof_tracegen scenarios written under
// the test's build directory, one folder per test executable so parallel ctest runs never share
// files) and small in-memory runs.
#pragma once

#include <QDir>
#include <QString>
#include <QtTest>

#include "moeprof/tracegen/tracegen.h"

namespace moeprof::gui::testing {

// Writes scenario `name` into GUI_TEST_OUT_DIR/traces/<owner>/<name> and returns the directory
// ("" on failure, with a QTest warning).
inline QString GenerateScenarioDir(const QString& owner, const QString& name) {
  const QString dir = QStringLiteral(GUI_TEST_OUT_DIR "/traces/%1/%2").arg(owner, name);
  QDir().mkpath(dir);
  const Status st = tracegen::GenerateScenario(name.toStdString(), dir.toStdString());
  if (!st.ok()) {
    qWarning("GenerateScenario(%s): %s", qPrintable(name), st.message().c_str());
    return {};
  }
  return dir;
}

}  // namespace moeprof::gui::testing
