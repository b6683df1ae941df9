// The keyboard-shortcut help dialog (F1): a two-column table built from the list the window
// registers, so the help can never drift from the shortcuts that actually exist.
#pragma once

#include <QDialog>
#include <QList>
#include <QPair>
#include <QString>

namespace moeprof::gui {

struct ShortcutHelp {
  QString keys;
  QString what;
  QString section;  // "File", "Timeline", ...
};

class HelpDialog : public QDialog {
  Q_OBJECT
 public:
  HelpDialog(const QList<ShortcutHelp>& shortcuts, QWidget* parent = nullptr);
};

}  // namespace moeprof::gui
