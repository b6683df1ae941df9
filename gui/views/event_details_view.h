// Details of the selected timeline event: the timeline's DescribeEvent text (all fields, NVTX
// parents, linked API call / kernel) and a button that jumps between an API call and its kernel.
// The window supplies the text and whether a link exists; this widget only shows and relays.
#pragma once

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace moeprof::gui {

class EventDetailsView : public QWidget {
  Q_OBJECT
 public:
  explicit EventDetailsView(QWidget* parent = nullptr);
  // `link_label` empty = no linked event (button disabled).
  void SetEvent(const QString& title, const QString& text, const QString& link_label);
  void Clear();
  QString text() const;
  QPushButton* jump_button() const { return jump_; }

 signals:
  void jumpRequested();

 private:
  QLabel* title_;
  QPlainTextEdit* text_;
  QPushButton* jump_;
};

}  // namespace moeprof::gui
